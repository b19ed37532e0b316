"""Crosswalks for survey exports: reading real layouts through `columns/values/labels/...`.

The exports in tests/fixtures/exports were written with the instrument 1.0.0 forms, so these tests
run with 1.0.0 as the default (the ``instrument_1_0_0`` fixture; module-scoped fixtures, built before
it, and the study folders name the version themselves); the readers behave the same for both versions.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

import assetinv as ai
from assetinv import DataError, read_config, read_responses

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "exports"
TRUTH = json.loads((EXPORTS / "truth.json").read_text(encoding="utf-8"))
INSTRUMENT = "1.0.0"  # the exports' instrument

pytestmark = pytest.mark.usefixtures("instrument_1_0_0")
ROLE_VALUES = {
    "Classroom teacher": "teacher",
    "Principal or AP": "leader",
    "District office staff": "district",
}
DROP = {
    "qualtrics.csv": ["Q13_TEXT"],
    "qualtrics_short_text.csv": ["Q13_TEXT"],
    "qualtrics_reworded.csv": ["Q13_TEXT"],
    "surveymonkey.csv": ["Anything else you would like to tell us?"],
}


def crosswalk(name: str) -> dict:
    """The hand-checked crosswalk of a fixture (its truth, plus values, labels and the wave)."""
    values = (
        dict(ROLE_VALUES)
        if name != "qualtrics_legacy.csv"
        else {"1": "teacher", "2": "leader", "3": "district"}
    )
    cw = {
        "columns": TRUTH[name],
        "values": {"role": values},
        "constants": {"wave": "baseline"},
        "drop": DROP.get(name, []),
    }
    if name.startswith("qualtrics") and name != "qualtrics_legacy.csv":
        cw["labels"] = {"Somewhat agree": 4, "Somewhat disagree": 2}
    return cw


@pytest.fixture(scope="module")
def inst():
    return ai.load_instrument(INSTRUMENT)


@pytest.fixture(scope="module")
def native():
    return read_responses(EXPORTS / "native.csv", INSTRUMENT)


def _key(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(
        ["school", "role"] + ai.load_instrument().item_ids(), kind="mergesort", na_position="last"
    ).reset_index(drop=True)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_export_through_crosswalk_equals_native(name, inst, native):
    """Every layout, read through its crosswalk, gives the native answers -- and the same alpha."""
    df = read_responses(EXPORTS / name, **crosswalk(name))
    items = inst.item_ids()
    assert len(df) == len(native) == 48
    a, b = _key(df), _key(native)
    np.testing.assert_array_equal(a[items].to_numpy(), b[items].to_numpy())
    assert a["role"].tolist() == b["role"].tolist() and set(df["wave"]) == {"baseline"}
    for dom in inst.domains["id"]:
        ra = ai.alpha(df[inst.item_ids(dom)], reverse=inst.reverse_ids(dom), scale_min=1, scale_max=5)
        rb = ai.alpha(native[inst.item_ids(dom)], reverse=inst.reverse_ids(dom), scale_min=1, scale_max=5)
        pd.testing.assert_frame_equal(ra.total, rb.total, rtol=0, atol=1e-12)
    dq = ai.data_quality(df)
    assert dq.loc[dq.stage == "read", "rows"].sum() == dq.loc[dq.stage != "read", "rows"].sum()
    for ident in ("RecipientEmail", "IPAddress", "Email Address", "Email", "Name", "IP Address"):
        assert ident not in df.columns


def test_qualtrics_header_rows_found_independently():
    """Short, non-English question text in row 2: the ImportId row below it still marks both."""
    df = read_responses(EXPORTS / "qualtrics_short_text.csv", **crosswalk("qualtrics_short_text.csv"))
    reasons = ai.data_quality(df).set_index("reason")["rows"]
    assert reasons["Qualtrics second header row (question text)"] == 1
    assert reasons["Qualtrics third header row (ImportId)"] == 1
    assert reasons["Qualtrics survey preview, test or spam response"] == 1


def test_legacy_and_surveymonkey_header_rows_counted():
    q = ai.data_quality(read_responses(EXPORTS / "qualtrics_legacy.csv", **crosswalk("qualtrics_legacy.csv")))
    assert "Qualtrics legacy second header row (question text)" in set(q["reason"])
    s = ai.data_quality(read_responses(EXPORTS / "surveymonkey.csv", **crosswalk("surveymonkey.csv")))
    assert "SurveyMonkey second header row (answer options)" in set(s["reason"])


def test_qualtrics_default_labels_need_declaring():
    cw = crosswalk("qualtrics.csv")
    del cw["labels"]
    with pytest.raises(DataError) as info:
        read_responses(EXPORTS / "qualtrics.csv", **cw)
    msg = str(info.value)
    assert "'Somewhat agree'" in msg and 'labels: {"Somewhat agree": 4}' in msg
    assert 'labels: {"Somewhat disagree": 2}' in msg
    assert "Q1_" in msg  # the export's column name, not only the item id


def crosswalk_error(path: Path, **kw) -> DataError:
    with pytest.raises(DataError) as info:
        read_responses(path, **kw)
    err = info.value
    assert all(p.file == path.name and p.fix for p in err.problems), str(err)
    return err


def test_crosswalk_mistakes_name_file_key_and_fix():
    path = EXPORTS / "qualtrics.csv"
    base = crosswalk("qualtrics.csv")
    cols = dict(base["columns"])
    err = crosswalk_error(path, **{**base, "columns": {**cols, "Q1_9": "EX01"}})
    assert any(p.column == "columns.Q1_9" and "does not have" in p.message for p in err.problems)
    err = crosswalk_error(path, **{**base, "columns": {**cols, "Q1_1": "EX99"}})
    assert any(p.column == "columns.Q1_1" and "neither an item" in p.message for p in err.problems)
    err = crosswalk_error(path, **{**base, "columns": {**cols, "Q1_2": "EX01"}})
    assert any("two columns are mapped to 'EX01'" in p.message for p in err.problems)
    err = crosswalk_error(path, **{**base, "constants": {"school": "S01", "wave": "baseline"}})
    assert any(p.column == "constants.school" and "already has" in p.message for p in err.problems)
    err = crosswalk_error(path, **{**base, "values": {"grade": {"a": "b"}}})
    assert any(p.column == "values.grade" for p in err.problems)
    err = crosswalk_error(path, **{**base, "drop": ["Q99_TEXT"]})
    assert any(p.column == "drop.Q99_TEXT" for p in err.problems)
    err = crosswalk_error(path, **{**base, "labels": {"Somewhat agree": 7}})
    assert any(p.column == "labels.Somewhat agree" and "1-5" in p.message for p in err.problems)


def test_unmapped_question_column_is_an_error():
    cw = crosswalk("qualtrics.csv")
    cw["drop"] = []
    err = crosswalk_error(EXPORTS / "qualtrics.csv", **cw)
    assert any(p.column == "Q13_TEXT" for p in err.problems)


def _study(tmp_path: Path, responses) -> Path:
    folder = tmp_path / "study"
    folder.mkdir(exist_ok=True)
    for name in ("qualtrics.csv", "native.csv", "spss.sav"):
        shutil.copy(EXPORTS / name, folder / name)
    (folder / "study.yaml").write_text(
        yaml.safe_dump({"instrument": INSTRUMENT, "responses": responses}, sort_keys=False),
        encoding="utf-8",
    )
    return folder / "study.yaml"


def test_read_config_crosswalk_entry_and_plain_file(tmp_path):
    cw = crosswalk("qualtrics.csv")
    cw["missing_codes"] = [-99, "Prefer not to answer"]
    cfg = read_config(_study(tmp_path, {"file": "qualtrics.csv", **cw}))
    entry = cfg["responses"]
    assert entry["file"] == (tmp_path / "study" / "qualtrics.csv").resolve()
    assert "-99" in entry["missing_codes"] and "" in entry["missing_codes"]  # added to the defaults
    df = read_responses(entry)
    assert len(df) == 48
    plain = read_config(_study(tmp_path, "native.csv"))
    assert plain["responses"] == (tmp_path / "study" / "native.csv").resolve()


def test_read_config_bad_crosswalk_keys(tmp_path):
    with pytest.raises(DataError) as info:
        read_config(_study(tmp_path, {"file": "qualtrics.csv", "colums": {}}))
    assert "did you mean 'columns'" in str(info.value)
    with pytest.raises(DataError) as info:
        read_config(_study(tmp_path, [{"file": "nope.csv"}]))
    assert "responses[0].file" in str(info.value)


def test_list_of_files_is_stacked_and_duplicates_named(tmp_path, native):
    cw = crosswalk("qualtrics.csv")
    followup = {**crosswalk("spss.sav"), "constants": {"wave": "followup"}}
    cfg = read_config(_study(tmp_path, [{"file": "qualtrics.csv", **cw}, {"file": "spss.sav", **followup}]))
    df = read_responses(cfg["responses"])
    assert len(df) == 96 and df["wave"].tolist() == ["baseline"] * 48 + ["followup"] * 48
    assert ai.data_quality(df).set_index("stage").loc["used", "rows"] == 96
    assert [s["file"] for s in df.attrs["sources"]] == ["qualtrics.csv", "spss.sav"]
    same_wave = {**crosswalk("spss.sav")}
    cfg = read_config(_study(tmp_path, [{"file": "qualtrics.csv", **cw}, {"file": "spss.sav", **same_wave}]))
    with pytest.raises(DataError) as info:
        read_responses(cfg["responses"])
    msg = str(info.value)
    assert "spss.sav" in msg and "also in qualtrics.csv" in msg and "R1001" in msg


def test_report_pipeline_reads_through_the_crosswalk(tmp_path):
    from assetinv.report import load_context

    cw = crosswalk("qualtrics.csv")
    cfg_path = _study(tmp_path, {"file": "qualtrics.csv", **cw})
    folder = cfg_path.parent
    native = pd.read_csv(EXPORTS / "native.csv", dtype=str)
    schools = native.groupby("school")["district"].first().reset_index()
    schools.to_csv(folder / "schools.csv", index=False)
    roster = native.groupby(["school", "district", "role", "wave"]).size().rename("invited").reset_index()
    roster["invited"] += 2
    roster.to_csv(folder / "roster.csv", index=False)
    ctx = load_context(folder)
    assert len(ctx.responses) == 48 and ctx.responses["EX01"].notna().sum() > 40
    files = [i["file"] for i in ctx.inputs if i["role"] == "responses"]
    assert files == ["qualtrics.csv"]


@pytest.mark.parametrize(
    "label",
    [
        "No answer",
        "Refused",
        "Not applicable",
        "Prefer not to answer",
        "Skipped",
        "Does not apply",
        "DON'T KNOW / NOT SURE",
    ],
)
def test_spss_undeclared_missing_label_quoted_with_fix(tmp_path, label):
    df = pd.read_csv(EXPORTS / "native.csv", dtype=str)
    items = ai.load_instrument().item_ids()
    sav = df[["respondent_id", "school", "district", "role", "wave"]].copy()
    for it in items:
        sav[it] = pd.to_numeric(df[it]).fillna(8.0)  # 8 is labelled but NOT declared missing
    vl = {it: {1.0: "Strongly disagree", 5.0: "Strongly agree", 8.0: label} for it in items}
    p = tmp_path / "undeclared.sav"
    pyreadstat.write_sav(sav, str(p), variable_value_labels=vl)
    with pytest.raises(DataError) as info:
        read_responses(p)
    msg = str(info.value)
    assert f"(labelled '{label}')" in msg and "missing_codes: [8]" in msg
    fixed = read_responses(p, missing_codes=list(ai.io.DEFAULT_MISSING_CODES) + [8])
    assert fixed[items].isna().sum().sum() == df[items].isna().sum().sum()


def test_text_missing_like_answer_quoted_with_fix(tmp_path):
    df = pd.read_csv(EXPORTS / "native.csv", dtype=str, keep_default_na=False)
    df.loc[3, "EX02"] = "Refused"
    p = tmp_path / "t.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataError) as info:
        read_responses(p)
    assert "answer 'Refused'" in str(info.value) and 'missing_codes: ["Refused"]' in str(info.value)
    assert np.isnan(
        read_responses(p, missing_codes=["", "Refused"]).set_index("respondent_id").loc["R1004", "EX02"]
    )


@pytest.mark.parametrize(
    "suffix, fmt",
    [(".json", "JSON"), (".parquet", "Parquet"), (".por", "SPSS portable (.por)"), (".sas7bdat", "SAS")],
)
def test_unsupported_formats_are_named(tmp_path, suffix, fmt):
    p = tmp_path / f"export{suffix}"
    p.write_bytes(b'{"a": 1}\n' if suffix == ".json" else b"\x00\x01binary")
    with pytest.raises(DataError) as info:
        read_responses(p)
    assert fmt in str(info.value) and "Stata .dta" in str(info.value)


def test_stata_is_read_with_value_labels():
    df = read_responses(EXPORTS / "stata.dta", **crosswalk("stata.dta"))
    assert df.attrs["input_format"] == "DTA" and set(df["role"]) == {"teacher", "leader", "district"}


def test_spss_agreement_labels_on_their_own_points_read_as_numbers(tmp_path):
    items = ai.load_instrument().item_ids()
    df = pd.read_csv(EXPORTS / "native.csv", dtype=str)
    sav = df[["respondent_id", "school", "district", "role", "wave"]].copy()
    for it in items:
        sav[it] = pd.to_numeric(df[it])
    good = {it: {2.0: "Somewhat disagree", 4.0: "Somewhat agree"} for it in items}
    p = tmp_path / "ok.sav"
    pyreadstat.write_sav(sav, str(p), variable_value_labels=good)
    assert read_responses(p)["EX01"].equals(read_responses(EXPORTS / "native.csv")["EX01"])
    # a label that disagrees with its code (0-4 coding) is not guessed: the fix is shown
    shifted = sav.copy()
    for it in items:
        shifted[it] = sav[it] - 1
    p2 = tmp_path / "shifted.sav"
    pyreadstat.write_sav(
        shifted, str(p2), variable_value_labels={it: {3.0: "Somewhat agree"} for it in items}
    )
    with pytest.raises(DataError) as info:
        read_responses(p2)
    assert "(labelled 'Somewhat agree')" in str(info.value) and 'labels: {"Somewhat agree": 4}' in str(
        info.value
    )


def test_qualtrics_xlsx_export(tmp_path, native):
    """Qualtrics' Excel download has the same three header rows as its CSV."""
    import csv

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    with open(EXPORTS / "qualtrics.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    wb.save(tmp_path / "q.xlsx")
    df = read_responses(tmp_path / "q.xlsx", **crosswalk("qualtrics.csv"))
    items = ai.load_instrument().item_ids()
    np.testing.assert_array_equal(_key(df)[items].to_numpy(), _key(native)[items].to_numpy())
    reasons = set(ai.data_quality(df)["reason"])
    assert {"Qualtrics second header row (question text)", "Qualtrics third header row (ImportId)"} <= reasons


def test_haven_user_missing_codes_are_missing():
    """R haven's labelled_spss with na_values: 8 = Refused and 9 = No answer are missing, not errors."""
    df = read_responses(EXPORTS / "haven_user_missing.sav", **crosswalk("haven_user_missing.sav"))
    nat = read_responses(EXPORTS / "native.csv")
    items = ai.load_instrument().item_ids()
    assert df[items].isna().sum().sum() == nat[items].isna().sum().sum() > 0
