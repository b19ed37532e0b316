"""The bad-input corpus (tests/bad_inputs/, described by MANIFEST.csv), one test per file.

Each file either loads as documented in docs/input_layout.md or raises
``assetinv.DataError`` whose message names the file, the row, the column and the
fix. ``assetinv validate`` never shows a traceback for any of them. Regenerate
the corpus with ``python tests/make_bad_inputs.py``.

The corpus was written with the item ids of the instrument 1.0.0 forms (EX01..OS08), so every test
here reads it with 1.0.0 as the default instrument (the ``instrument_1_0_0`` fixture); the readers
behave the same for both versions, and 2.0.0 files have tests of their own.
"""

from __future__ import annotations

import csv
import hashlib
import math
import shutil
from pathlib import Path

import pytest

import assetinv
from assetinv import DataError, data_quality, read_responses, read_roster, validate_file
from assetinv.cli import main

pytestmark = pytest.mark.usefixtures("instrument_1_0_0")

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
with open(CORPUS / "MANIFEST.csv", newline="", encoding="utf-8") as _fh:
    MANIFEST = list(csv.DictReader(_fh))
ERRORS = [m for m in MANIFEST if m["expect"] == "error"]
LOADS = [m for m in MANIFEST if m["expect"] == "loads"]


def _param(m: dict):
    return pytest.param(m, id=m["file"])


def _read(m: dict):
    path = CORPUS / m["file"]
    if m["kind"] == "roster":
        return read_roster(path)
    if m["kind"] == "codings":
        from assetinv.qualitative import validate_codings

        problems = validate_codings(path, assetinv.load_instrument())
        if problems:
            raise DataError(list(problems))
        return None
    return read_responses(path)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corpus_is_big_enough_and_described():
    files = sorted(p.name for p in CORPUS.iterdir() if p.name != "MANIFEST.csv")
    assert len(files) >= 34
    assert sorted(m["file"] for m in MANIFEST) == files
    assert len({m["fault"] for m in MANIFEST}) == len(MANIFEST), "each file is a different fault"
    for m in MANIFEST:
        assert m["expect"] in ("loads", "error")
        assert m["kind"] in ("responses", "roster", "codings")
        if m["expect"] == "error":
            assert m["file"] in m["contains"], "error messages must name the file"


@pytest.mark.parametrize("m", [_param(m) for m in ERRORS])
def test_error_file_raises_dataerror_naming_file_row_column_fix(m):
    path = CORPUS / m["file"]
    before = _sha(path)
    with pytest.raises(DataError) as info:
        _read(m)
    assert isinstance(info.value, ValueError)
    text = str(info.value)
    for part in [s.strip() for s in m["contains"].split("|") if s.strip()]:
        assert part in text, f"{part!r} missing from:\n{text}"
    assert "Fix:" in text or m["kind"] == "codings"
    assert "Traceback" not in text
    assert _sha(path) == before, "the input file must never be modified"


@pytest.mark.parametrize("m", [_param(m) for m in LOADS])
def test_loads_file_reads_as_documented(m):
    path = CORPUS / m["file"]
    before = _sha(path)
    df = _read(m)
    assert _sha(path) == before
    items = assetinv.load_instrument().item_ids()
    assert list(df.columns[:5]) == ["respondent_id", "school", "district", "role", "wave"]
    assert list(df.columns[5 : 5 + len(items)]) == items
    assert len(df) == int(m["rows"])
    assert all(str(df[c].dtype) == "float64" for c in items)
    assert set(df["role"]) <= {"teacher", "leader", "district"}
    assert set(df["wave"]) <= {"baseline", "followup"}
    q = data_quality(df)
    read = int(q.loc[q.stage == "read", "rows"].sum())
    used = int(q.loc[q.stage == "used", "rows"].sum())
    excl = int(q.loc[q.stage == "excluded", "rows"].sum())
    assert used == len(df)
    assert read == used + excl, "every row read is used or excluded with a reason"
    if m["excluded"] != "":
        assert excl == int(m["excluded"]), q
    assert df.attrs["source"] == m["file"]
    assert df.attrs["sha256"] == before
    for check in [c.strip() for c in m["checks"].split(";") if c.strip()]:
        key, value = check.split("=", 1)
        rid, wave, col = key.split("|")
        hit = df[(df["respondent_id"] == rid) & (df["wave"] == wave)]
        assert len(hit) == 1, f"{rid}/{wave} not found"
        got = hit[col].iloc[0]
        if col in items or col == "duration_sec":
            if value == "nan":
                assert math.isnan(got), check
            else:
                assert got == float(value), check
        else:
            assert got == value, check


@pytest.mark.parametrize("m", [_param(m) for m in ERRORS])
def test_cli_validate_reports_problem_without_traceback(m, capsys):
    path = CORPUS / m["file"]
    before = _sha(path)
    code = main(["validate", str(path), "--kind", m["kind"]])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code != 0, text
    assert "Traceback" not in text
    assert m["file"] in text
    assert _sha(path) == before


@pytest.mark.parametrize("m", [pytest.param(m, id=m["file"]) for m in LOADS])
def test_cli_validate_ok_for_loading_files(m, capsys):
    code = main(["validate", str(CORPUS / m["file"])])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "OK" in out


def test_validate_file_auto_kind_finds_roster_problem():
    problems = validate_file(CORPUS / "roster_negative_invited.csv")
    assert len(problems) == 1
    assert problems[0].row == 3 and problems[0].column == "invited"


def test_validate_lists_every_problem_not_just_the_first(tmp_path, capsys):
    src = (CORPUS / "unknown_role.csv").read_text(encoding="utf-8").splitlines()
    # add a second, different fault: an out-of-scale value in the last row
    cells = src[-1].split(",")
    cells[-1] = "9"
    src[-1] = ",".join(cells)
    bad = tmp_path / "two_faults.csv"
    bad.write_text("\n".join(src) + "\n", encoding="utf-8")
    code = main(["validate", str(bad)])
    out = capsys.readouterr().out
    assert code == 2  # bad input: exit code 2, as for every command
    assert "2 problem(s)" in out
    assert "Custodian" in out and "'9'" in out


def test_report_with_a_bad_file_exits_2(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CORPUS / "out_of_scale_6.csv", data / "responses.csv")
    (data / "roster.csv").write_text(
        "school,district,role,wave,invited\nS01,D1,teacher,baseline,10\nS01,D1,leader,baseline,2\n"
        "S02,D1,teacher,baseline,10\nS02,D1,leader,baseline,2\n",
        encoding="utf-8",
    )
    (data / "schools.csv").write_text("school,district,name\nS01,D1,Oak\nS02,D1,Elm\n", encoding="utf-8")
    (data / "study.yaml").write_text(
        "responses: responses.csv\nroster: roster.csv\nschools: schools.csv\nmin_n: 5\n", encoding="utf-8"
    )
    try:
        code = main(["report", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet"])
    except NotImplementedError:
        pytest.skip("assetinv.report.load_context is not implemented yet")
    text = capsys.readouterr()
    assert code == 2, text
    assert "Traceback" not in text.out + text.err
    assert "responses.csv" in text.err and "row 4" in text.err
