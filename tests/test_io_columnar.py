"""``read_responses`` reads plain CSVs column by column (issue 15): same result, every problem found.

Three readers must agree exactly (frame, dtypes, attrs, or the list of problems with rows and
columns): the pyarrow column reader, the pandas C parser after a line scan (used when lines have
different lengths) and the record-by-record :mod:`csv` reader that every other file goes through.

The bad-input corpus is read with the instrument its manifest names (2.0.0, and 1.0.0 for the files
under ``v1/``). The edge-case files here are written with the instrument 1.0.0 form (items EX01..OS08,
one form for every role), so the module reads them with 1.0.0 as the default instrument (the
``instrument_1_0_0`` fixture); the readers behave the same for both versions. The big files are stacked
copies of the bundled sample (``data/responses.csv``, a 2.0.0 study), so those tests pass
``instrument="2.0.0"``, as the sample's study.yaml does.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv
from assetinv import DataError
from assetinv import io as aio
from assetinv.ids import natural_key

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
sys.path.insert(0, str(HERE.parent / "benchmarks"))
from make_big_responses import make_big_responses

with open(CORPUS / "MANIFEST.csv", newline="", encoding="utf-8") as _fh:
    RESPONSE_FILES = {m["file"]: m["instrument"] for m in csv.DictReader(_fh) if m["kind"] == "responses"}

pytestmark = pytest.mark.usefixtures("instrument_1_0_0")

ITEMS = assetinv.load_instrument("1.0.0").item_ids()
SAMPLE_INSTRUMENT = "2.0.0"  # the instrument of data/responses.csv, the rows of the big files
HEAD = "respondent_id,school,district,role,wave," + ",".join(ITEMS) + ",duration_sec"


def _row(
    rid: str,
    school: str = "S01",
    role: str = "teacher",
    wave: str = "baseline",
    answer: str = "4",
    duration: str = "300",
) -> str:
    return f"{rid},{school},D1,{role},{wave}," + ",".join([answer] * len(ITEMS)) + f",{duration}"


def _outcome(path: Path, **kw):
    try:
        df = assetinv.read_responses(path, **kw)
    except DataError as err:
        return "error", [str(p) for p in err.problems]
    return "frame", df


def _all_paths(monkeypatch, path: Path, **kw) -> dict:
    out = {"columns (pyarrow)": _outcome(path, **kw)}
    with monkeypatch.context() as m:
        m.setattr(aio, "_arrow_columns", lambda *a, **k: None)
        out["columns (line scan + pandas)"] = _outcome(path, **kw)
    with monkeypatch.context() as m:
        m.setattr(aio, "_read_csv_table", lambda *a, **k: None)
        out["records (csv module)"] = _outcome(path, **kw)
    return out


def _assert_same(results: dict) -> None:
    (ref_name, (kind, ref)), *rest = results.items()
    for name, (k, got) in rest:
        assert k == kind, f"{name} gives {k}, {ref_name} gives {kind}: {got if k == 'error' else ''}"
        if kind == "error":
            assert got == ref, name
        else:
            pd.testing.assert_frame_equal(got, ref, check_exact=True)
            assert list(got.dtypes) == list(ref.dtypes)
            assert got.attrs == ref.attrs, name


@pytest.mark.parametrize("name", sorted(RESPONSE_FILES))
def test_corpus_same_result_on_every_path(monkeypatch, name):
    results = _all_paths(monkeypatch, CORPUS / name, instrument=RESPONSE_FILES[name])
    _assert_same(results)
    kind, got = results["columns (pyarrow)"]
    if kind == "error":  # the file's own fault, not "these are the items of another instrument"
        assert not any("are items of instrument" in p for p in got), got


EDGE_CASES = {
    "blank_lines": [HEAD, _row("a"), "", _row("b"), "", "", _row("c", school="S02")],
    "crlf": [HEAD + "\r", _row("a") + "\r", "\r", _row("b") + "\r"],
    "whitespace_line": [HEAD, _row("a"), "   ", _row("b")],
    "short_row_middle": [HEAD, _row("a"), "b,S01,D1,teacher", _row("c")],
    "short_last_row": [HEAD, _row("a"), _row("b")[:40]],
    "long_row_blank_extras": [HEAD, _row("a") + ",,", _row("b")],
    "long_row_values": [HEAD, _row("a") + ",x,y", _row("b")],
    "blank_cells_row": [HEAD, _row("a"), "," * (len(ITEMS) + 5), _row("b")],
    "bad_values": [
        HEAD,
        _row("a", answer="7"),
        _row("b", role="astronaut"),
        _row("c", wave="week 9"),
        _row(" ", school=""),
        _row("e", duration="-3"),
        _row("a"),
        _row("f", answer="Agree"),
    ],
    "no_item_answered": [HEAD, _row("a", answer=""), _row("b"), _row("c", answer="N/A")],
    "dont_know_and_labels": [
        HEAD,
        _row("a", answer="Don't know"),
        _row("b", answer="Strongly agree"),
        _row("c", answer="somewhat agree"),
        _row("d", answer="3.0"),
    ],
    "natural_order": [HEAD] + [_row(f"R{k}", school=f"S{k % 11}") for k in (10, 2, 1, 33, 4)],
    "header_only": [HEAD],
    "unnamed_column_with_values": [HEAD + ",", _row("a") + ",x", _row("b") + ","],
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_edge_cases_same_result_on_every_path(monkeypatch, tmp_path, case):
    path = tmp_path / f"{case}.csv"
    path.write_bytes(("\n".join(EDGE_CASES[case]) + "\n").encode())
    _assert_same(_all_paths(monkeypatch, path))


@pytest.mark.parametrize("prefix,delim", [(b"\xef\xbb\xbf", ","), (b"", ";"), (b"", "\t"), (b"", "|")])
def test_bom_and_delimiters_same_result(monkeypatch, tmp_path, prefix, delim):
    lines = [HEAD, _row("a"), _row("b", answer="2"), "", _row("c", school="S10")]
    path = tmp_path / "d.csv"
    path.write_bytes(prefix + ("\n".join(lines).replace(",", delim) + "\n").encode())
    res = _all_paths(monkeypatch, path)
    _assert_same(res)
    assert res["columns (pyarrow)"][0] == "frame"


def test_keep_extra_and_waves_same_result(monkeypatch, tmp_path):
    path = tmp_path / "x.csv"
    lines = [HEAD + ",note", _row("a") + ",hi", _row("b", wave="followup") + ", there ", _row("c") + ","]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_same(_all_paths(monkeypatch, path, keep_extra=True, waves="baseline"))


def test_big_file_reports_every_bad_cell_with_row_and_column(tmp_path):
    n = 120_000
    last = n + 1  # spreadsheet row of the last data row
    # items the row's respondent is asked: row 3 is a district respondent (EX18 is on the district
    # form), the last row a teacher (OS20 is the teacher form's last item)
    bad = {
        3: {"EX18": "7"},
        60_001: {"school": ""},
        last - 1: {"role": "astronaut"},
        last: {"wave": "week 9", "OS20": "Agree-ish"},
    }
    path = make_big_responses(tmp_path / "big.csv", n, bad)
    with pytest.raises(DataError) as err:
        assetinv.read_responses(path, instrument=SAMPLE_INSTRUMENT)
    found = {(p.row, p.column): p.message for p in err.value.problems}
    assert set(found) == {(3, "EX18"), (60_001, "school"), (last - 1, "role"), (last, "wave"), (last, "OS20")}
    assert "outside the scale" in found[(3, "EX18")]
    assert "astronaut" in found[(last - 1, "role")]
    assert "week 9" in found[(last, "wave")]


def test_big_file_with_a_short_line_near_the_end(tmp_path):
    n = 50_000
    path = make_big_responses(tmp_path / "big.csv", n)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[n - 2] = lines[n - 2].rsplit(",", 3)[0]  # spreadsheet row n-1 loses its last 3 values
    lines.insert(10, "")  # a blank line shifts nothing: rows are numbered by line
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as err:
        assetinv.read_responses(path, instrument=SAMPLE_INSTRUMENT)
    (p,) = err.value.problems
    # the header has 5 ids, the items and duration_sec: the row keeps all but 3, the third-last is the first lost
    header = lines[0].split(",")
    assert (p.row, p.column) == (n, header[-3]) and f"the row has {len(header) - 3} values" in p.message


def test_big_file_same_frame_as_record_reader(monkeypatch, tmp_path):
    path = make_big_responses(tmp_path / "big.csv", 6_000)
    res = _all_paths(monkeypatch, path, instrument=SAMPLE_INSTRUMENT)
    _assert_same(res)
    assert res["columns (pyarrow)"][0] == "frame"


@pytest.mark.parametrize("seed", range(4))
def test_natural_ranks_match_natural_key(seed):
    rng = np.random.default_rng(seed)
    ids = {
        f"{p}{n:0{w}d}"
        for p, n, w in zip(
            rng.choice(["R", "r", "S", "", "ab", "AB-"], 3000),
            rng.integers(0, 10**6, 3000),
            rng.integers(1, 8, 3000),
        )
    }
    values = np.array(sorted(ids), dtype=object)
    rng.shuffle(values)
    ranks = aio._natural_ranks(values)
    assert [values[i] for i in np.argsort(ranks)] == sorted(values, key=natural_key)
    mixed = np.array(list(values[:2500]) + ["x1y2", "ä3", "10a"], dtype=object)  # other shapes
    ranks = aio._natural_ranks(mixed)
    assert [mixed[i] for i in np.argsort(ranks)] == sorted(mixed, key=natural_key)
