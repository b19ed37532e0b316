"""The bad-input corpus (tests/bad_inputs/, described by MANIFEST.csv), one test per file.

Each file either loads as documented in docs/input_layout.md or raises
``assetinv.DataError`` whose message names the file, the row, the column and the
fix. ``assetinv validate`` never shows a traceback for any of them. Regenerate
the corpus with ``python tests/make_bad_inputs.py``.

The corpus is written for instrument 2.0.0, the package default, and these tests read it with the
default (no instrument argument): item ids, role forms, the agree/frequency/count scales and the
Don't-know option come from ``assetinv.load_instrument("2.0.0")`` when the corpus is generated, every
valid row answers only its role's form, and the faults include those that only exist with forms and
several scales (an answer off the role's form, another scale's label, Don't know written the usual ways
against ``N/A``). The few files under ``tests/bad_inputs/v1/`` (manifest column ``instrument`` =
``1.0.0``) are of the earlier corpus, written with the 1.0.0 items; they are read with
``instrument="1.0.0"`` (``--instrument 1.0.0`` on the command line) named explicitly, to show that
1.0.0 files still get the same errors.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import math
import shutil
from pathlib import Path

import pytest

import assetinv
from assetinv import DataError, data_quality, read_responses, read_roster, validate_file
from assetinv.cli import main

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
DEFAULT = "2.0.0"  # the corpus's instrument: the package default, used without naming it
with open(CORPUS / "MANIFEST.csv", newline="", encoding="utf-8") as _fh:
    MANIFEST = list(csv.DictReader(_fh))
ERRORS = [m for m in MANIFEST if m["expect"] == "error"]
LOADS = [m for m in MANIFEST if m["expect"] == "loads"]
ID_COLS = ["respondent_id", "school", "district", "role", "wave"]


def _param(m: dict):
    return pytest.param(m, id=m["file"])


def _instrument_kw(m: dict) -> dict:
    """No argument for the 2.0.0 corpus (the default); 1.0.0 named explicitly for the v1 files."""
    return {} if m["instrument"] == DEFAULT else {"instrument": m["instrument"]}


def _cli_instrument(m: dict) -> list[str]:
    return [] if m["instrument"] == DEFAULT else ["--instrument", m["instrument"]]


def _read(m: dict):
    path = CORPUS / m["file"]
    if m["kind"] == "roster":
        return read_roster(path, **_instrument_kw(m))
    if m["kind"] == "codings":
        from assetinv.qualitative import validate_codings

        problems = validate_codings(path, assetinv.load_instrument(m["instrument"]))
        if problems:
            raise DataError(list(problems))
        return None
    return read_responses(path, **_instrument_kw(m))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_default_instrument_is_the_corpus_instrument():
    assert assetinv.load_instrument().version == DEFAULT


def test_corpus_is_big_enough_and_described():
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file())
    files.remove("MANIFEST.csv")
    assert sorted(m["file"] for m in MANIFEST) == files
    assert len({m["fault"] for m in MANIFEST}) == len(MANIFEST), "each file is a different fault"
    v2 = [m for m in MANIFEST if m["instrument"] == DEFAULT]
    v1 = [m for m in MANIFEST if m["instrument"] != DEFAULT]
    assert len(v2) >= 54
    assert 3 <= len(v1) <= 6
    assert all(m["file"].startswith("v1/") and m["instrument"] == "1.0.0" for m in v1)
    assert not any("/" in m["file"] for m in v2)
    assert {m["expect"] for m in v1} == {"loads", "error"}
    for m in MANIFEST:
        assert m["expect"] in ("loads", "error")
        assert m["kind"] in ("responses", "roster", "codings")
        if m["expect"] == "error":
            assert Path(m["file"]).name in m["contains"], "error messages must name the file"
        else:
            assert m["rows"] != "" and m["excluded"] != ""
            assert (m["dont_know"] != "") == (m["instrument"] == DEFAULT), m["file"]


def test_native_files_are_written_with_the_2_0_0_items_and_forms():
    """The plain CSV files have the 2.0.0 header, and their valid rows answer only their role's form."""
    inst = assetinv.load_instrument(DEFAULT)
    items = inst.item_ids()
    form = {r: set(inst.item_ids(role=r)) for r in inst.roles}
    with open(CORPUS / "tab_delimited.tsv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert rows[0] == ID_COLS + items
    roles = set()
    for r in rows[1:]:
        roles.add(r[3])
        cells = dict(zip(items, r[5:], strict=True))
        assert all(v == "" for it, v in cells.items() if it not in form[r[3]]), r[0]
        assert any(v != "" for it, v in cells.items() if it in form[r[3]]), r[0]
    assert roles == set(inst.roles)
    text = (CORPUS / "tab_delimited.tsv").read_text(encoding="utf-8")
    assert "\t9\t" in text or "\t9\r" in text, "the base rows hold some Don't know (code 9) answers"


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
    inst = assetinv.load_instrument(m["instrument"])
    items = inst.item_ids()
    assert df.attrs["instrument_version"] == m["instrument"]
    assert list(df.columns[:5]) == ID_COLS
    assert list(df.columns[5 : 5 + len(items)]) == items
    assert len(df) == int(m["rows"])
    assert all(str(df[c].dtype) == "float64" for c in items)
    assert set(df["role"]) <= set(inst.roles)
    assert set(df["wave"]) <= {"baseline", "followup"}
    q = data_quality(df)
    read = int(q.loc[q.stage == "read", "rows"].sum())
    used = int(q.loc[q.stage == "used", "rows"].sum())
    excl = int(q.loc[q.stage == "excluded", "rows"].sum())
    assert used == len(df)
    assert read == used + excl, "every row read is used or excluded with a reason"
    assert excl == int(m["excluded"]), q
    dont_know = q.loc[q.stage == "dont_know", "rows"]
    if m["dont_know"] != "":  # an instrument with a Don't-know option (2.0.0)
        assert str(df["n_dont_know"].dtype) == "int64"
        assert int(df["n_dont_know"].sum()) == int(m["dont_know"]), q
        assert int(dont_know.sum()) == int(m["dont_know"]), q
        for role, sub in df.groupby("role"):  # no answer off the role's form
            off = [it for it in items if it not in set(inst.item_ids(role=role))]
            assert sub[off].isna().all().all(), role
    else:  # 1.0.0: Don't know is a missing code, not an option
        assert "n_dont_know" not in df
        assert dont_know.empty
    assert df.attrs["source"] == Path(m["file"]).name
    assert df.attrs["sha256"] == before
    numeric = set(items) | {"duration_sec", "n_dont_know"}
    for check in [c.strip() for c in m["checks"].split(";") if c.strip()]:
        key, value = check.split("=", 1)
        rid, wave, col = key.split("|")
        hit = df[(df["respondent_id"] == rid) & (df["wave"] == wave)]
        assert len(hit) == 1, f"{rid}/{wave} not found"
        got = hit[col].iloc[0]
        if col in numeric:
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
    code = main(["validate", str(path), "--kind", m["kind"], *_cli_instrument(m)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code != 0, text
    assert "Traceback" not in text
    assert Path(m["file"]).name in text
    assert _sha(path) == before


@pytest.mark.parametrize("m", [_param(m) for m in LOADS])
def test_cli_validate_ok_for_loading_files(m, capsys):
    code = main(["validate", str(CORPUS / m["file"]), *_cli_instrument(m)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "OK" in out


V1_LOADS = [m for m in LOADS if m["instrument"] != DEFAULT]


@pytest.mark.parametrize("m", [_param(m) for m in V1_LOADS])
def test_v1_files_need_their_instrument_named(m):
    """Under the 2.0.0 default a 1.0.0 file does not load: the error says to name instrument 1.0.0."""
    with pytest.raises(DataError) as info:
        read_responses(CORPUS / m["file"])
    text = str(info.value)
    assert "column 'EX01'" in text and "items of instrument 1.0.0" in text, text
    assert 'instrument="1.0.0"' in text, text


def test_validate_file_auto_kind_finds_roster_problem():
    problems = validate_file(CORPUS / "roster_negative_invited.csv")
    assert len(problems) == 1
    assert problems[0].row == 3 and problems[0].column == "invited"


def test_validate_lists_every_problem_not_just_the_first(tmp_path, capsys):
    with open(CORPUS / "unknown_role.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    # add a second, different fault: an out-of-scale value in the last row, on an item of its form
    head, last = rows[0], rows[-1]
    item = assetinv.load_instrument().item_ids(role=last[3])[0]
    last[head.index(item)] = "7"
    bad = tmp_path / "two_faults.csv"
    with open(bad, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    code = main(["validate", str(bad)])
    out = capsys.readouterr().out
    assert code == 2  # bad input: exit code 2, as for every command
    assert "2 problem(s)" in out
    assert "Custodian" in out and "'7'" in out and f"column '{item}'" in out


def test_report_with_a_bad_file_exits_2(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CORPUS / "out_of_scale_6.csv", data / "responses.csv")
    (data / "roster.csv").write_text(
        "school,district,role,wave,invited\nS01,D1,teacher,baseline,10\nS01,D1,leader,baseline,2\n"
        "S02,D1,teacher,baseline,10\nS02,D1,leader,baseline,2\nD1,D1,district,baseline,3\n",
        encoding="utf-8",
    )
    (data / "schools.csv").write_text(
        "school,district,name\nS01,D1,Oak\nS02,D1,Elm\nD1,D1,District office\n", encoding="utf-8"
    )
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


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_bad_inputs", HERE / "make_bad_inputs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_corpus_is_what_the_generator_writes_now(tmp_path):
    """The committed text files and manifest are regenerated from the current 2.0.0 instrument.

    XLSX and SAV files are left out of the byte comparison (their bytes depend on the openpyxl and
    pyreadstat versions); the manifest still lists them and the tests above read them.
    """
    gen = _load_generator()
    gen.OUT = tmp_path / "bad_inputs"
    gen.make()
    fresh = sorted(p.relative_to(gen.OUT).as_posix() for p in gen.OUT.rglob("*") if p.is_file())
    assert fresh == sorted([m["file"] for m in MANIFEST] + ["MANIFEST.csv"])
    for name in fresh:
        if Path(name).suffix.lower() in (".xlsx", ".sav"):
            continue
        assert (gen.OUT / name).read_bytes() == (CORPUS / name).read_bytes(), (
            f"{name} differs from what tests/make_bad_inputs.py writes: run it again"
        )


def test_the_docs_table_lists_every_corpus_file_with_its_instrument_and_outcome():
    """docs/input_layout.md's corpus table is the manifest, row for row (no stale or missing file)."""
    doc = (HERE.parent / "docs" / "input_layout.md").read_text(encoding="utf-8")
    table = doc[doc.index("| file | instrument | kind | fault | outcome |") :].split("\n\n", 1)[0]
    listed = [line.split("|")[1].strip().strip("`") for line in table.splitlines()[2:]]
    assert listed == [m["file"] for m in MANIFEST]
    for m, line in zip(MANIFEST, table.splitlines()[2:]):
        cells = [c.strip() for c in line.split("|")[1:-1]]
        assert cells[1] == m["instrument"] and cells[2] == m["kind"], line
        assert cells[4].startswith("loads" if m["expect"] == "loads" else "error"), line
        if m["expect"] == "loads":
            assert f"{m['rows']} rows" in cells[4], line


def test_a_row_of_only_dont_knows_is_excluded_with_its_own_reason():
    """It took part (every answer is Don't know), so it is not reported as a row that answered nothing."""
    from assetinv.io import ONLY_DONT_KNOW

    def excluded(name: str) -> dict:
        df = assetinv.read_responses(CORPUS / name)
        return {q["reason"]: q["rows"] for q in df.attrs["quality"] if q["stage"] == "excluded"}

    assert excluded("all_dont_know_row.csv") == {ONLY_DONT_KNOW: 1}
    assert excluded("no_item_answered.csv") == {"no item answered": 1}
