"""Unit tests for assetinv.io: read_responses, read_roster, read_schools, read_config,
validate_file, data_quality. The bad-input corpus is tested in test_bad_inputs.py.

The synthetic files here are written with the instrument 1.0.0 forms (items EX01..OS08, one 1-5 agree
scale), so the module reads them with 1.0.0 as the default instrument (the ``instrument_1_0_0``
fixture); the readers behave the same for both versions, and 2.0.0 files (role forms, the Don't-know
code, ``n_dont_know``) have tests of their own (test_scales.py, test_simulate_v2.py). The simulated
sample is a 2.0.0 study and is read with the instrument its study.yaml names.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assetinv
from assetinv import (
    DataError,
    Problem,
    data_quality,
    read_config,
    read_responses,
    read_roster,
    read_schools,
    validate_file,
)
from assetinv.io import DEFAULT_MISSING_CODES, ROLE_SYNONYMS

pytestmark = pytest.mark.usefixtures("instrument_1_0_0")

INST = assetinv.load_instrument("1.0.0")
ITEMS = INST.item_ids()
HEAD = ["respondent_id", "school", "district", "role", "wave"] + ITEMS


def write_csv(path: Path, rows, head=HEAD, delim=",", encoding="utf-8") -> Path:
    lines = [delim.join(map(str, head))] + [delim.join(map(str, r)) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def row(rid="r1", school="S01", role="teacher", wave="baseline", value=4, district="D1"):
    return [rid, school, district, role, wave] + [value] * len(ITEMS)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ public surface


def test_all_is_exported_flat():
    import assetinv.io as io

    assert io.__all__[:6] == [
        "read_responses",
        "read_roster",
        "read_schools",
        "read_config",
        "validate_file",
        "data_quality",
    ]
    assert {"response_files", "looks_missing"} <= set(io.__all__)
    for name in io.__all__:
        assert getattr(assetinv, name) is getattr(io, name)
        assert getattr(io, name).__doc__ and "Examples" in getattr(io, name).__doc__


def test_dataerror_is_valueerror(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"")
    with pytest.raises(ValueError):
        read_responses(p)


# ------------------------------------------------------------------ layout


def test_layout_dtypes_order_and_attrs(tmp_path):
    p = write_csv(
        tmp_path / "r.csv",
        [row("b", "S02"), row("a", "S01", wave="followup"), row("c", "S01", role="leader")],
    )
    df = read_responses(p)
    assert list(df.columns) == HEAD
    assert all(df[c].dtype == np.float64 for c in ITEMS)
    assert all(isinstance(v, str) for c in HEAD[:5] for v in df[c])
    # sorted by wave (instrument order), school, id
    assert df[["respondent_id", "wave"]].values.tolist() == [
        ["c", "baseline"],
        ["b", "baseline"],
        ["a", "followup"],
    ]
    assert df.attrs["instrument_version"] == INST.version
    assert df.attrs["source"] == "r.csv"
    assert df.attrs["sha256"] == sha(p)
    q = data_quality(df)
    assert list(q.columns) == ["stage", "rows", "reason"]
    assert q.rows.tolist() == [3, 3]


def test_same_bytes_same_output_regardless_of_row_order(tmp_path):
    rows = [row(f"r{k}", f"S0{k % 3}", value=1 + k % 5) for k in range(9)]
    a = read_responses(write_csv(tmp_path / "a.csv", rows))
    b = read_responses(write_csv(tmp_path / "b.csv", rows[::-1]))
    pd.testing.assert_frame_equal(a, b)


def test_concat_of_two_reads_works(tmp_path):
    a = read_responses(write_csv(tmp_path / "a.csv", [row("a")]))
    b = read_responses(write_csv(tmp_path / "b.csv", [row("b")]))
    assert len(pd.concat([a, b])) == 2  # attrs hold plain values, so concat does not choke


def test_instrument_as_path_or_object(tmp_path):
    p = write_csv(tmp_path / "r.csv", [row()])
    yaml_path = Path(assetinv.__file__).parent / "data" / "instrument.yaml"
    a = read_responses(p, instrument=str(yaml_path))
    b = read_responses(p, instrument=INST)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    "name", ["Respondent ID", "respondent_id", " RESPONDENT id ", "RespondentID", "respondent-id"]
)
def test_header_matching_is_tolerant(tmp_path, name):
    head = [name, " School", "DISTRICT ", "Role", "wave"] + [
        i.lower() if k % 3 == 0 else f"{i[:2]} {i[2:]}" if k % 3 == 1 else f"{i[:2]}_{i[2:]}"
        for k, i in enumerate(ITEMS)
    ]
    df = read_responses(write_csv(tmp_path / "h.csv", [row()], head))
    assert list(df.columns) == HEAD


def test_school_id_alias(tmp_path):
    head = ["respondent_id", "School ID", "district_id", "role", "wave"] + ITEMS
    df = read_responses(write_csv(tmp_path / "h.csv", [row()], head))
    assert df.school.tolist() == ["S01"]


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    "text,value",
    [
        ("4", 4),
        (" 4 ", 4),
        ("4.0", 4),
        ("4,0", 4),
        ("Agree", 4),
        ("  strongly AGREE ", 5),
        ("neither agree nor disagree", 3),
        ("4 = Agree", 4),
        ("Agree (4)", 4),
        ("1 - Strongly disagree", 1),
    ],
)
def test_accepted_item_values(tmp_path, text, value):
    r = row()
    r[5] = f'"{text}"' if "," in text else text
    df = read_responses(write_csv(tmp_path / "v.csv", [r]))
    assert df["EX01"].iloc[0] == value


@pytest.mark.parametrize("text", list(DEFAULT_MISSING_CODES) + ["Don\u2019t know", "dk", " n/a "])
def test_missing_codes_read_as_nan(tmp_path, text):
    r = row()
    r[5] = text
    df = read_responses(write_csv(tmp_path / "m.csv", [r]))
    assert np.isnan(df["EX01"].iloc[0])
    assert df["EX02"].iloc[0] == 4


def test_custom_missing_codes(tmp_path):
    r = row()
    r[5] = "skip"
    p = write_csv(tmp_path / "m.csv", [r])
    with pytest.raises(DataError, match="'skip' is not a scale value or label"):
        read_responses(p)
    assert np.isnan(read_responses(p, missing_codes=("skip", ""))["EX01"].iloc[0])
    r[5] = ""
    with pytest.raises(DataError):
        read_responses(write_csv(tmp_path / "n.csv", [r]), missing_codes=("N/A",))


@pytest.mark.parametrize(
    "text,words",
    [
        ("6", "outside the scale"),
        ("0", "outside the scale"),
        ("3.5", "whole number"),
        ("maybe", "not a scale value"),
        ("-1", "outside the scale"),
    ],
)
def test_bad_item_values(tmp_path, text, words):
    r = row()
    r[7] = text
    with pytest.raises(DataError) as info:
        read_responses(write_csv(tmp_path / "bad.csv", [row("r0"), r]))
    (p,) = info.value.problems
    assert (p.file, p.row, p.column) == ("bad.csv", 3, "EX03")
    assert words in p.message and "1 to 5" in p.fix


def test_cell_problems_are_capped_with_a_count(tmp_path):
    rows = [row(f"r{k}", value=9) for k in range(3)]
    with pytest.raises(DataError) as info:
        read_responses(write_csv(tmp_path / "many.csv", rows))
    probs = info.value.problems
    assert len(probs) == 21
    assert "76 more cells" in probs[-1].message and "rows 2-4" in probs[-1].message


def test_every_problem_collected(tmp_path):
    rows = [row("r1", role="janitor"), row("r1"), row("r2", wave="wave 9"), row("r3", school="")]
    rows[1][5] = 8
    head = HEAD + ["Notes"]
    rows = [r + ["x"] for r in rows]
    with pytest.raises(DataError) as info:
        read_responses(write_csv(tmp_path / "all.csv", rows, head))
    text = str(info.value)
    assert text.startswith("6 problems found")
    for part in [
        "column 'Notes'",
        "row 2, column 'role'",
        "row 3, column 'EX01'",
        "row 3, column 'respondent_id'",
        "row 4, column 'wave'",
        "row 5, column 'school'",
    ]:
        assert part in text, part


# ------------------------------------------------------------------ roles and waves


@pytest.mark.parametrize("role_id,synonyms", sorted(ROLE_SYNONYMS.items()))
def test_role_synonyms(tmp_path, role_id, synonyms):
    rows = [row(f"r{k}", role=s.upper() if k % 2 else s) for k, s in enumerate(synonyms)]
    df = read_responses(write_csv(tmp_path / "roles.csv", rows))
    assert set(df.role) == {role_id}


@pytest.mark.parametrize(
    "text,wave",
    [
        ("Baseline", "baseline"),
        ("Follow-up", "followup"),
        ("follow up", "followup"),
        ("FOLLOWUP", "followup"),
        ("Follow_Up", "followup"),
        ("wave 2", "followup"),
        ("T1", "baseline"),
    ],
)
def test_wave_variants(tmp_path, text, wave):
    df = read_responses(write_csv(tmp_path / "w.csv", [row(wave=text)]))
    assert df.wave.tolist() == [wave]


def test_misspelt_wave_suggests_closest(tmp_path):
    with pytest.raises(DataError) as info:
        read_responses(write_csv(tmp_path / "w.csv", [row(wave="basline")]))
    assert "did you mean 'baseline'" in str(info.value)


def test_waves_filter_and_single_wave_export(tmp_path):
    p = write_csv(tmp_path / "w.csv", [row("a"), row("a", wave="followup"), row("b", wave="followup")])
    df = read_responses(p, waves="followup")
    assert df.respondent_id.tolist() == ["a", "b"]
    q = data_quality(df)
    assert q.loc[q.stage == "excluded", "rows"].tolist() == [1]
    assert "wave not selected" in q.loc[q.stage == "excluded", "reason"].iloc[0]
    head = [h for h in HEAD if h != "wave"]
    p2 = write_csv(tmp_path / "nowave.csv", [[c for k, c in enumerate(row()) if k != 4]], head)
    with pytest.raises(DataError, match="waves="):
        read_responses(p2)
    assert read_responses(p2, waves="Follow-up").wave.tolist() == ["followup"]
    with pytest.raises(DataError, match="unknown wave"):
        read_responses(p, waves=["autumn"])


def test_same_id_in_two_waves_is_a_panel_but_not_twice_in_one(tmp_path):
    ok = read_responses(write_csv(tmp_path / "p.csv", [row("a"), row("a", wave="followup")]))
    assert len(ok) == 2
    with pytest.raises(DataError) as info:
        read_responses(write_csv(tmp_path / "d.csv", [row("a"), row("b"), row("a")]))
    (p,) = info.value.problems
    assert p.row == 4 and p.column == "respondent_id" and "first at row 2" in p.message


# ------------------------------------------------------------------ columns


def test_unknown_item_suggests_and_keep_extra(tmp_path):
    head = HEAD + ["EX09", "comments"]
    p = write_csv(tmp_path / "x.csv", [row() + [3, "great"]], head)
    with pytest.raises(DataError) as info:
        read_responses(p)
    msgs = [x.message for x in info.value.problems]
    assert any("EX09" in m and "not an item" in m for m in msgs)
    assert any("unknown column 'comments'" in m for m in msgs)
    df = read_responses(p, keep_extra=True)
    assert list(df.columns) == HEAD + ["EX09", "comments"]
    assert df["comments"].tolist() == ["great"]


def test_missing_item_and_required_columns_all_reported(tmp_path):
    head = [h for h in HEAD if h not in ("district", "OS08", "CN01")]
    r = [c for h, c in zip(HEAD, row()) if h in head]
    with pytest.raises(DataError) as info:
        read_responses(write_csv(tmp_path / "m.csv", [r], head))
    text = str(info.value)
    assert "required column 'district' is missing" in text
    assert "CN01, OS08" in text and "pass an instrument without it" in text


def test_identifying_metadata_never_kept(tmp_path):
    head = HEAD + ["IPAddress", "RecipientEmail", "RecipientFirstName", "LocationLatitude", "UserLanguage"]
    p = write_csv(tmp_path / "q.csv", [row() + ["10.1.1.1", "a@b.org", "Ann", "39.1", "EN"]], head)
    for keep in (False, True):
        df = read_responses(p, keep_extra=keep)
        assert list(df.columns) == HEAD
        assert not df.astype(str).isin(["10.1.1.1", "a@b.org", "Ann"]).any().any()
    assert sorted(df.attrs["dropped_columns"]) == sorted(head[len(HEAD) :])


def test_qualtrics_rows_numbered_like_the_spreadsheet(tmp_path):
    head = ["StartDate", "Status", "Duration (in seconds)", "Finished", "ResponseId"] + HEAD[1:]
    r2 = ["Start Date", "Response Type", "Duration (in seconds)", "Finished", "Response ID"] + HEAD[1:]
    r3 = [
        '{"ImportId":"startDate"}',
        '{"ImportId":"status"}',
        '{"ImportId":"duration"}',
        '{"ImportId":"finished"}',
        '{"ImportId":"_recordId"}',
    ] + ['{"ImportId":"x"}'] * (len(HEAD) - 1)
    good = ["2025-01-01", "IP Address", "300", "True", "R_1"] + row()[1:]
    bad = ["2025-01-01", "IP Address", "300", "True", "R_2"] + row(value=6)[1:]
    p = tmp_path / "qx.csv"
    p.write_text("\n".join(",".join(x) for x in [head, r2, r3, list(map(str, good)), list(map(str, bad))]))
    with pytest.raises(DataError) as info:
        read_responses(p)
    assert info.value.problems[0].row == 5
    p.write_text("\n".join(",".join(x) for x in [head, r2, r3, list(map(str, good))]))
    df = read_responses(p)
    assert df.respondent_id.tolist() == ["R_1"] and df.duration_sec.tolist() == [300.0]
    assert data_quality(df).rows.tolist() == [3, 1, 1, 1]


def test_blank_and_unanswered_rows_are_accounted_for(tmp_path):
    rows = [row("a"), [""] * len(HEAD), row("b")[:5] + [""] * len(ITEMS), row("c")]
    p = write_csv(tmp_path / "b.csv", rows)
    p.write_text(p.read_text() + "\n\n")
    df = read_responses(p)
    q = data_quality(df)
    assert len(df) == 2
    read = q.loc[q.stage == "read", "rows"].item()
    assert read == q.loc[q.stage != "read", "rows"].sum()
    assert set(q.reason) >= {"blank row (every cell empty)", "no item answered"}
    assert not q.astype(str).isin(["a", "b", "c"]).any().any(), "counts only, no ids"


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_delimiters_and_encodings(tmp_path, delim, encoding):
    p = write_csv(tmp_path / "e.csv", [row("r1", school="Zoë's École")], delim=delim, encoding=encoding)
    df = read_responses(p)
    assert df.school.tolist() == ["Zoë's École"]


def test_excel_sheet_selection(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Baseline"
    ws.append(HEAD)
    ws.append(row("a"))
    ws2 = wb.create_sheet("Followup")
    ws2.append(HEAD)
    ws2.append(row("b", wave="followup"))
    p = tmp_path / "w.xlsx"
    wb.save(p)
    with pytest.raises(DataError, match="sheet="):
        read_responses(p)
    assert read_responses(p, sheet="followup").respondent_id.tolist() == ["b"]
    assert read_responses(p, sheet=0).respondent_id.tolist() == ["a"]
    with pytest.raises(DataError, match="no sheet called 'Spring'"):
        read_responses(p, sheet="Spring")


def test_excel_errors_name_the_cell_row(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    ws.append(row("a"))
    ws.append(row("b", value=7))
    for _ in range(5):
        ws.append([None] * len(HEAD))  # formatted-but-empty rows are not data
    p = tmp_path / "x.xlsx"
    wb.save(p)
    with pytest.raises(DataError) as info:
        read_responses(p)
    assert info.value.problems[0].row == 3


def test_spss_rows_and_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame([row("a"), row("b", role="leader")], columns=HEAD)
    for it in ITEMS:
        df[it] = df[it].astype(float)
    df.loc[1, "EX02"] = 8.0
    p = tmp_path / "x.sav"
    pyreadstat.write_sav(df, str(p), variable_value_labels={"EX02": {8: "Not applicable"}})
    with pytest.raises(DataError) as info:
        read_responses(p)
    (prob,) = info.value.problems
    assert (prob.row, prob.column) == (3, "EX02")
    df.loc[1, "EX02"] = 4.0
    pyreadstat.write_sav(df, str(p))
    assert read_responses(p).EX02.tolist() == [4.0, 4.0]


# ------------------------------------------------------------------ never modify inputs


def test_input_never_modified_and_read_only_files_work(tmp_path):
    p = write_csv(tmp_path / "ro.csv", [row("a"), row("a")])
    before, mtime = sha(p), p.stat().st_mtime_ns
    os.chmod(p, stat.S_IRUSR)
    try:
        with pytest.raises(DataError):
            read_responses(p)
        validate_file(p)
        assert sha(p) == before and p.stat().st_mtime_ns == mtime
    finally:
        os.chmod(p, stat.S_IRUSR | stat.S_IWUSR)


# ------------------------------------------------------------------ robustness


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_random_bytes_only_ever_raise_dataerror(tmp_path, data):
    p = tmp_path / "fuzz.csv"
    p.write_bytes(data)
    try:
        read_responses(p)
    except DataError as err:
        assert str(err)
    assert isinstance(validate_file(p), list)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(
        st.lists(st.integers(1, 5), min_size=len(ITEMS), max_size=len(ITEMS)), min_size=1, max_size=6
    ),
    cell=st.text(max_size=12),
)
def test_round_trip_and_arbitrary_cells(tmp_path, values, cell):
    rows = [["r%d" % k, "S01", "D1", "teacher", "baseline"] + v for k, v in enumerate(values)]
    p = write_csv(tmp_path / "rt.csv", rows)
    df = read_responses(p)
    assert df[ITEMS].to_numpy().tolist() == [[float(x) for x in v] for v in values]
    rows[0][6] = '"' + cell.replace('"', '""') + '"'
    p = write_csv(tmp_path / "rt2.csv", rows)
    try:
        out = read_responses(p)
        v = out.loc[out.respondent_id == "r0", "EX02"].iloc[0]
        assert np.isnan(v) or v in (1, 2, 3, 4, 5)
    except DataError as err:
        assert all(isinstance(x, Problem) for x in err.problems)


# ------------------------------------------------------------------ roster, schools, config


def test_read_roster(tmp_path):
    p = tmp_path / "roster.csv"
    p.write_text(
        "School,District,Role,Wave,Invited\nS02,D1,Teacher,Follow-up,10\nS01,D1,Principal,Baseline,2\n"
    )
    df = read_roster(p)
    assert df.values.tolist() == [
        ["S01", "D1", "leader", "baseline", 2],
        ["S02", "D1", "teacher", "followup", 10],
    ]
    assert df.invited.dtype == np.int64
    p.write_text(
        "school,district,role,wave,invited\nS01,D1,teacher,baseline,2.5\nS01,D1,teacher,baseline,3\n"
        "S01,D1,teacher,baseline,3\nS02,,cook,basline,x\n"
    )
    with pytest.raises(DataError) as info:
        read_roster(p)
    text = str(info.value)
    for part in [
        "row 2, column 'invited'",
        "row 4, column 'school'",
        "appears twice",
        "row 5, column 'district'",
        "row 5, column 'role'",
        "did you mean 'baseline'",
    ]:
        assert part in text, part


def test_read_schools(tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text("school,district,name\nS02,D1,Elm\nS01,D1,\n")
    assert read_schools(p).values.tolist() == [["S01", "D1", "S01"], ["S02", "D1", "Elm"]]
    p.write_text("school,district\nS01,D1\nS01,D2\n")
    with pytest.raises(DataError, match="listed twice"):
        read_schools(p)


def test_read_config(tmp_path):
    (tmp_path / "responses.csv").write_text("x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.csv").write_text("x\n")
    cfg = tmp_path / "study.yaml"
    cfg.write_text("responses: sub/r.csv\nseed: 3\n")
    out = read_config(cfg)
    assert out["responses"] == (tmp_path / "sub" / "r.csv").resolve()
    assert out["min_n"] == 5 and out["min_response_rate"] == 0.5 and out["seed"] == 3
    assert out["roster"] is None  # default name, file absent
    cfg.write_text("respones: responses.csv\nmin_n: 0\nroster: nope.csv\n")
    with pytest.raises(DataError) as info:
        read_config(cfg)
    text = str(info.value)
    assert "did you mean 'responses'" in text and "min_n" in text and "nope.csv" in text
    cfg.write_text("min_n: [5\n")
    with pytest.raises(DataError, match="row 2|row 1"):
        read_config(cfg)


# ------------------------------------------------------------------ validate_file


def test_validate_file_kinds(tmp_path):
    good = write_csv(tmp_path / "ok.csv", [row()])
    assert validate_file(good) == []
    ros = tmp_path / "roster.csv"
    ros.write_text("school,district,role,wave,invited\nS01,D1,teacher,baseline,-1\n")
    assert [p.column for p in validate_file(ros)] == ["invited"]
    sch = tmp_path / "schools.csv"
    sch.write_text("school,district,name\nS01,,Oak\n")
    assert [p.column for p in validate_file(sch)] == ["district"]
    missing = validate_file(tmp_path / "nope.csv")
    assert len(missing) == 1 and "does not exist" in missing[0].message


def test_data_quality_without_attrs():
    q = data_quality(pd.DataFrame({"x": [1, 2, 3]}))
    assert q.rows.tolist() == [3, 3]


def test_simulated_sample_reads_cleanly(tmp_path):
    from assetinv.simulate import write_sample

    write_sample(tmp_path, seed=2026, instrument="2.0.0")  # the bundled sample's instrument
    cfg = read_config(tmp_path / "study.yaml")
    assert cfg["instrument"] == "2.0.0"  # the sample names its instrument; the default here is 1.0.0
    df = read_responses(cfg["responses"], instrument=cfg["instrument"])
    q = data_quality(df)
    # read = used + excluded; the dont_know stage counts answers, outside that balance
    balance = q.loc[q.stage.isin(["used", "excluded"]), "rows"].sum()
    assert q.loc[q.stage == "read", "rows"].item() == balance
    assert q.loc[q.stage == "dont_know", "rows"].item() == df["n_dont_know"].sum()
    assert len(df) > 100 and df.attrs["instrument_version"] == "2.0.0"
    roster = read_roster(cfg["roster"], instrument=cfg["instrument"])
    assert len(roster) > 0 and len(read_schools(cfg["schools"])) > 0
    for name in ("responses.csv", "roster.csv", "schools.csv", "codings.csv", "study.yaml"):
        assert validate_file(tmp_path / name, instrument=cfg["instrument"]) == [], name
