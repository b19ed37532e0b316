"""Exports of an instrument 2.0.0 survey (role forms, three answer scales, Don't know) read exactly.

The fixtures (tests/fixtures/exports_v2/, written by tests/make_export_v2.py and tests/make_haven_sav_v2.R)
hold one survey's answers (``native.csv``) in the layout of every platform the package reads: Qualtrics
(current layout with choice text, hand-reworded statements, numeric values with short text, and the legacy
layout), Google Forms, Microsoft Forms, SurveyMonkey, SPSS (.sav, .zsav), Stata and R haven's SPSS / Stata.
Statements a role was not shown (Qualtrics display logic, the form tools' role sections) are empty cells;
the choices are each item's own scale and "Don't know / Not applicable". For every export the crosswalk
drafter (``assetinv map``) must map each item and id field with confidence, or flag exactly the ones the
layout loses; read through the draft, every answer, Don't know and unshown cell equals ``native.csv``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv as ai
from assetinv.crosswalk import draft_crosswalk

FIX = Path(__file__).resolve().parent / "fixtures" / "exports_v2"
TRUTHS = json.loads((FIX / "truth.json").read_text(encoding="utf-8"))
TRUTH = TRUTHS["qualtrics_forms.csv"]


def _mapped() -> pd.DataFrame:
    cw = draft_crosswalk(FIX / "qualtrics_forms.csv")
    kw = cw.mapping()
    # the two decisions `assetinv map` leaves to the user: the wave, and one role label it is unsure of
    kw["values"]["role"].setdefault("Classroom teacher", "teacher")
    return ai.read_responses(FIX / "qualtrics_forms.csv", waves="baseline", **kw)


def test_map_finds_every_item_and_id_field_with_confidence():
    cw = draft_crosswalk(FIX / "qualtrics_forms.csv")
    assert cw.instrument == ""  # the default, 2.0.0: no instrument line
    got = {p.key: p.target for p in cw.columns if p.confident}
    for col, target in TRUTH.items():
        assert got.get(col) == target, (col, got.get(col), target)
    assert not [p for p in cw.columns if not p.confident and p.target in TRUTH.values()]


def test_the_export_reads_as_the_native_layout_with_dont_know_as_its_own_code():
    inst = ai.load_instrument()
    mapped = _mapped().sort_values("respondent_id").reset_index(drop=True)
    native = ai.read_responses(FIX / "native.csv").sort_values("respondent_id").reset_index(drop=True)
    assert mapped["respondent_id"].tolist() == native["respondent_id"].tolist()
    for col in ("school", "district", "role", "wave"):
        assert mapped[col].astype(str).tolist() == native[col].astype(str).tolist(), col
    items = inst.item_ids()
    np.testing.assert_array_equal(
        mapped[items].to_numpy(dtype=float), native[items].to_numpy(dtype=float)
    )  # NaN in the same cells: not shown, skipped, or Don't know
    raw = pd.read_csv(FIX / "native.csv")
    dk = (raw.set_index("respondent_id")[items] == 9).sum(axis=1)
    got = mapped.set_index("respondent_id")["n_dont_know"].sort_index()
    assert got.index.equals(dk.sort_index().index)
    assert (got.to_numpy() == dk.sort_index().to_numpy()).all() and dk.sum() > 20
    # a statement a role was not shown is never counted as Don't know
    teachers = mapped[mapped["role"] == "teacher"]
    leader_only = [i for i in items if inst.item_roles[i] == {"leader"}]
    assert teachers[leader_only].isna().all().all()


def test_scores_and_reliability_run_on_the_mapped_export():
    inst = ai.load_instrument()
    mapped = _mapped()
    scores = ai.score_domains(mapped, inst)
    assert len(scores) == len(mapped)
    district = scores[scores["role"] == "district"]
    assert district["LM"].isna().all()  # LM is not asked on the district form
    rel = ai.instrument_reliability(mapped[mapped["role"] == "teacher"], inst)
    assert rel.overall["raw_alpha"].notna().all()


def test_a_drafted_crosswalk_keeps_blank_cells_missing(tmp_path):
    # cw.mapping() passed missing_codes=[] when the export declared none, which replaces the defaults
    # (a documented way to make blanks an error), so every blank cell of a 2.0.0 form export was an
    # error; now, like study.yaml's missing_codes:, the drafted codes add to the defaults
    inst = ai.load_instrument()
    t, every = inst.item_ids(role="teacher"), inst.item_ids()
    cell = {i: "4" for i in t[:-2]} | {t[-2]: "", t[-1]: "Don't know / Not applicable"}
    head = "respondent_id,school,district,role,wave," + ",".join(every)
    row = "r1,S1,D1,teacher,baseline," + ",".join(cell.get(i, "") for i in every)
    f = tmp_path / "r.csv"
    f.write_text(head + "\n" + row + "\n", encoding="utf-8")
    kw = draft_crosswalk(f).mapping()
    assert kw["missing_codes"] is None
    r = ai.read_responses(f, **kw)
    assert np.isnan(r.loc[0, t[-2]]) and np.isnan(r.loc[0, t[-1]]) and r.loc[0, "n_dont_know"] == 1
    with pytest.raises(ai.DataError, match="not a scale value"):  # the documented opt-in stays
        ai.read_responses(f, missing_codes=[])


@pytest.mark.parametrize("version,role,item", [("2.0.0", "teacher", "OS21"), ("2.0.0", "district", "LM09")])
def test_an_answer_off_the_respondents_form_is_an_error_naming_row_and_column(tmp_path, version, role, item):
    inst = ai.load_instrument(version)
    every, form = inst.item_ids(), inst.item_ids(role=role)
    assert item not in form
    cell = {i: "4" for i in form} | {item: "3"}
    head = "respondent_id,school,district,role,wave," + ",".join(every)
    rows = [f"r{k},S1,D1,{role},baseline," + ",".join(cell.get(i, "") for i in every) for k in range(3)]
    f = tmp_path / "r.csv"
    f.write_text(head + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ai.DataError) as ei:
        ai.read_responses(f, instrument=version)
    probs = ei.value.problems
    assert [(p.row, p.column) for p in probs] == [(2, item), (3, item), (4, item)]
    assert f"a {role} answered {item}" in probs[0].message and "form" in probs[0].message
    assert "role" in probs[0].fix
    # with the off-form cell blank, the rows read
    cell[item] = ""
    rows = [f"r{k},S1,D1,{role},baseline," + ",".join(cell.get(i, "") for i in every) for k in range(3)]
    f.write_text(head + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert len(ai.read_responses(f, instrument=version)) == 3


def test_1_0_0_declares_no_forms_so_its_answers_from_every_role_still_read(tmp_path):
    inst = ai.load_instrument("1.0.0")
    every = inst.item_ids()
    assert "EX08" not in inst.item_ids(role="district") and not inst.forms
    head = "respondent_id,school,district,role,wave," + ",".join(every)
    f = tmp_path / "r.csv"
    f.write_text(
        head + "\nr1,D1,D1,district,baseline," + ",".join(["4"] * len(every)) + "\n", encoding="utf-8"
    )
    assert ai.read_responses(f, instrument="1.0.0").loc[0, "EX08"] == 4


def test_a_label_of_another_scale_says_which_scale_it_belongs_to(tmp_path):
    inst = ai.load_instrument()
    every, t = inst.item_ids(), inst.item_ids(role="teacher")
    assert inst.item_scale("EX09").id == "agree" and inst.item_scale("LM15").id == "frequency"
    assert inst.item_scale("EX15").id == "count"
    cell = {i: "4" for i in t} | {"EX09": "Often", "LM15": "Agree", "EX15": "Sometimes", "LM19": "Never"}
    head = "respondent_id,school,district,role,wave," + ",".join(every)
    f = tmp_path / "r.csv"
    f.write_text(head + "\nr1,S1,D1,teacher,baseline," + ",".join(cell.get(i, "") for i in every) + "\n")
    with pytest.raises(ai.DataError) as ei:
        ai.read_responses(f)
    got = {p.column: p for p in ei.value.problems}
    assert set(got) == {"EX09", "LM15", "EX15"}  # "Never" is on the count scale too: LM19 reads
    assert "label of the frequency scale" in got["EX09"].message and "agree scale" in got["EX09"].message
    assert "label of the agree scale" in got["LM15"].message
    assert "label of the frequency scale" in got["EX15"].message and "count scale" in got["EX15"].message
    assert "shifted" in got["EX09"].fix


def test_haven_sav_with_dont_know_declared_user_missing_keeps_every_dont_know():
    """tests/fixtures/exports_v2/haven_forms.sav (R haven, `Rscript tests/make_haven_sav_v2.R`): each item
    labelled with its own scale plus 9 = "Don't know / Not applicable", declared user-missing on half the
    items. Read as plain missing, 30 of the 50 Don't-know answers vanished from the counts."""
    import pyreadstat

    sav = FIX / "haven_forms.sav"
    _, meta = pyreadstat.read_sav(str(sav), metadataonly=True, user_missing=True)
    assert meta.missing_ranges["EX09"] == [{"lo": 9.0, "hi": 9.0}]  # the fixture declares 9 user-missing
    got = ai.read_responses(
        sav,
        "2.0.0",
        columns={"ResponseId": "respondent_id", "staff_role": "role", "duration": "duration_sec"},
    )
    want = ai.read_responses(FIX / "native.csv", "2.0.0")
    items = list(ai.load_instrument("2.0.0").item_ids())
    pd.testing.assert_frame_equal(
        got.set_index("respondent_id").loc[want["respondent_id"], items].reset_index(drop=True),
        want[items],
    )
    assert got["n_dont_know"].sum() == want["n_dont_know"].sum() == 50
    dk = {r["reason"]: r for r in got.attrs["quality"] if "Don't know" in str(r.get("reason", ""))}
    assert dk, got.attrs["quality"]


def test_usual_wordings_of_dont_know_count_as_dont_know(tmp_path):
    """A survey that wrote "Don't know", "Not applicable" or "DK" instead of the instrument's full label
    "Don't know / Not applicable": each is that option (in n_dont_know), not an unexplained blank.
    "N/A" stays a missing code (exports also write it for a skipped question)."""
    import pyreadstat

    inst = ai.load_instrument("2.0.0")
    items = list(inst.item_ids())
    teacher = set(inst.form("teacher")["id"])
    asked = [i for i in items if i in teacher]
    head = "respondent_id,school,district,role,wave," + ",".join(items)
    row = ["4" if i in teacher else "" for i in items]
    for it, text in zip(asked, ["Don't know", "Not applicable", "DK", "N/A", "don’t KNOW"]):
        row[items.index(it)] = text
    p = tmp_path / "r.csv"
    p.write_text(head + "\nR1,S01,D1,teacher,baseline," + ",".join(row) + "\n", encoding="utf-8")
    d = ai.read_responses(p, "2.0.0")
    assert d["n_dont_know"].tolist() == [4]
    assert d[asked[:5]].isna().all(axis=None)
    # an SPSS value label "Don't know" on code 9 (not declared user-missing) is the same option
    df = pd.DataFrame({"respondent_id": ["R1", "R2"], "school": "S01", "district": "D1", "role": "teacher"})
    df["wave"] = "baseline"
    for k, it in enumerate(items):
        df[it] = ([9.0 if k % 2 else 4.0, 3.0]) if it in teacher else [np.nan, np.nan]
    sav = tmp_path / "r.sav"
    labels = {it: {9.0: "Don't know"} for it in asked}
    pyreadstat.write_sav(df, str(sav), variable_value_labels=labels)
    s = ai.read_responses(sav, "2.0.0")
    n_dk = sum(1 for k, it in enumerate(items) if it in teacher and k % 2)
    assert s.set_index("respondent_id")["n_dont_know"].to_dict() == {"R1": n_dk, "R2": 0}


def test_stata_tagged_missing_dont_know_is_kept_and_refused_is_missing():
    """tests/fixtures/exports_v2/haven_tagged.dta (R haven): Don't know as the tagged missing value .a
    labelled "Don't know", and one answer in seven replaced by .b "Refused". Read with Stata's missing
    values as plain missing, all 50 Don't-know answers vanished from n_dont_know."""
    import pyreadstat

    dta = FIX / "haven_tagged.dta"
    raw, _ = pyreadstat.read_dta(str(dta), user_missing=True)
    items = list(ai.load_instrument("2.0.0").item_ids())
    refused = raw.set_index("ResponseId")[items].map(lambda v: v == "b")
    got = ai.read_responses(
        dta,
        "2.0.0",
        columns={"ResponseId": "respondent_id", "staff_role": "role", "duration": "duration_sec"},
    ).set_index("respondent_id")
    want = ai.read_responses(FIX / "native.csv", "2.0.0").set_index("respondent_id")
    assert got["n_dont_know"].sum() == want["n_dont_know"].sum() == 50
    assert int(refused.to_numpy().sum()) > 50
    expect = want[items].mask(refused.reindex(want.index))
    pd.testing.assert_frame_equal(got.loc[want.index, items], expect)


def test_a_declared_missing_dont_know_is_missing_under_an_instrument_without_the_option(tmp_path):
    """Under 1.0.0 (no Don't-know option) a user-missing 9 labelled "Not applicable" is missing, as
    the file declares, never an 'undeclared missing code' error; under 2.0.0 it is Don't know."""
    import pyreadstat

    for version in ("1.0.0", "2.0.0"):
        inst = ai.load_instrument(version)
        items = list(inst.item_ids())
        asked = set(inst.form("teacher")["id"]) if version == "2.0.0" else set(items)
        df = pd.DataFrame(
            {"respondent_id": ["R1", "R2"], "school": "S01", "district": "D1", "role": "teacher"}
        )
        df["wave"] = "baseline"
        for k, it in enumerate(items):
            df[it] = [9.0 if k % 3 == 0 else 4.0, 2.0] if it in asked else [np.nan, np.nan]
        sav = tmp_path / f"r{version}.sav"
        labels = {it: {9.0: "Not applicable"} for it in items}
        pyreadstat.write_sav(
            df, str(sav), variable_value_labels=labels, missing_ranges={it: [9.0] for it in items}
        )
        got = ai.read_responses(sav, version).set_index("respondent_id")
        first = [it for k, it in enumerate(items) if it in asked and k % 3 == 0]
        assert got.loc["R1", first].isna().all()
        if version == "2.0.0":
            assert got["n_dont_know"].to_dict() == {"R1": len(first), "R2": 0}
        else:  # 1.0.0 has no Don't-know option, so no count of it
            assert "n_dont_know" not in got


def test_spss_and_the_answer_parser_share_one_rule_for_dont_know_wordings(tmp_path):
    """A user-missing code labelled "N/A" is missing, as an "N/A" answer is; one labelled "Don't know" is
    Don't know, as the answer is (the SPSS reader had its own, wider pattern that took N/A for Don't know)."""
    import pyreadstat

    inst = ai.load_instrument("2.0.0")
    items = list(inst.item_ids())
    asked = set(inst.form("teacher")["id"])
    df = pd.DataFrame({"respondent_id": ["R1"], "school": "S01", "district": "D1", "role": "teacher"})
    df["wave"] = "baseline"
    for k, it in enumerate(items):
        df[it] = [(8.0 if k % 2 else 9.0) if k % 3 == 0 else 4.0] if it in asked else [np.nan]
    labels = {it: {8.0: "N/A", 9.0: "Don't know"} for it in items}
    sav = tmp_path / "r.sav"
    pyreadstat.write_sav(
        df, str(sav), variable_value_labels=labels, missing_ranges={it: [8.0, 9.0] for it in items}
    )
    got = ai.read_responses(sav, "2.0.0").set_index("respondent_id")
    dk = [it for k, it in enumerate(items) if it in asked and k % 3 == 0 and not k % 2]
    na = [it for k, it in enumerate(items) if it in asked and k % 3 == 0 and k % 2]
    assert dk and na and got.loc["R1", dk + na].isna().all()
    assert got.loc["R1", "n_dont_know"] == len(dk)


# ---------------------------------------------------------------- every platform's 2.0.0 export
EXPORTS = {  # file -> the layout the drafter must recognise
    "qualtrics_forms.csv": "Qualtrics",
    "qualtrics_reworded.csv": "Qualtrics",
    "qualtrics_short_text.csv": "Qualtrics",
    "qualtrics_legacy.csv": "Qualtrics (legacy)",
    "google_forms.csv": "CSV",
    "ms_forms.xlsx": "XLSX",
    "surveymonkey.csv": "SurveyMonkey",
    "spss.sav": "SPSS",
    "spss.zsav": "SPSS (compressed)",
    "stata.dta": "Stata",
}
ALIAS = {"qualtrics_legacy.csv": {"V1": "ResponseID"}}  # the drafter names V1 by its row-2 name
_V2 = ai.load_instrument("2.0.0")
_ALL = set(_V2.item_ids())
# The leader's share items whose edited statement is close to the teacher's item on the same practice
_SHARE_TWINS = {"EX24", "LM20", "LM21", "LM22", "LM23", "OS33", "OS34"}
# What each layout loses, so the drafter must flag (target -> a word of its reason), not map confidently:
FLAGGED = {
    # the form's author edited each statement (make_export_fixtures.reword): every edited statement is still
    # matched with confidence (EX11 was not until the drafter scored answers on each item's own scale)
    # reworded by hand: two texts too far from the instrument's, two too close to their mirror item (LM12
    # to LM11, CN28 to CN30), and two teacher practices too close to the leader's share item on the same
    # practice, or the other way round (OS15 ~ OS33, OS32 ~ OS12: the same words but "I" or "how many teachers")
    "qualtrics_reworded.csv": {
        "CN12": "text similarity",
        "CN28": "close to another item",
        "EX12": "text similarity",
        "LM12": "close to another item",
        "OS15": "close to another item",
        "OS32": "close to another item",
    },
    # no question text to match ("P4 - 1"; the school question is "Escuela"): every item and the school
    # are the user's to map (each proposal's reason differs: a text similarity of 2-5/100, or no item left)
    "qualtrics_short_text.csv": {it: "" for it in _ALL} | {"school": ""},
    # SPSS variable labels are the edited statements (make_export_fixtures.reword: "educators", "campus"): a
    # leader's share item is then close to the teacher's first-person item on the same practice (EX24 ~ EX23,
    # LM20-LM23 ~ LM15-LM18, OS33 ~ OS15, OS34 ~ OS17; the drafter matches text, not the value labels), and
    # CN28 to its mirror CN30
    "spss.sav": dict.fromkeys(_SHARE_TWINS | {"CN28", "OS15"}, "close to another item"),
    "spss.zsav": dict.fromkeys(_SHARE_TWINS | {"CN28", "OS15"}, "close to another item"),
    # Stata keeps 80 characters of a variable label: the cut leaves CN22 and its mirror CN31 the same label,
    # and EX19's first 80 characters fit another district item as well as its own; the share items and CN28
    # as in SPSS (OS32 too: its cut drops the end that told it from OS12)
    "stata.dta": dict.fromkeys(
        _SHARE_TWINS | {"CN22", "CN28", "CN31", "EX19", "OS32"}, "close to another item"
    ),
}
ROLE_CODES = {"1": "teacher", "2": "leader", "3": "district"}  # the role question's recode values


def _flags(name: str, cw) -> dict[str, object]:
    """Truth target -> the drafter's proposal for it (None when dropped) wherever it is not confident and right."""
    by_key = {p.key: p for p in cw.columns}
    out = {}
    for col, target in TRUTHS[name].items():
        p = by_key.get(ALIAS.get(name, {}).get(col, col))
        if p is None or not p.confident or p.target != target:
            out[target] = p
    return out


@pytest.fixture(scope="module")
def drafts():
    return {name: draft_crosswalk(FIX / name) for name in EXPORTS}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_draft_is_2_0_0_its_layout_and_never_confidently_wrong(drafts, name):
    cw = drafts[name]
    assert cw.instrument == "" and cw.layout == EXPORTS[name]  # 2.0.0, the default
    truth = {ALIAS.get(name, {}).get(c, c): t for c, t in TRUTHS[name].items()}
    assert [(p.key, p.target) for p in cw.columns if p.confident and truth.get(p.key) != p.target] == []


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_the_draft_maps_every_item_and_id_field_but_exactly_what_the_layout_loses(drafts, name):
    flags, want = _flags(name, drafts[name]), FLAGGED.get(name, {})
    assert set(flags) == set(want), (sorted(set(flags) - set(want)), sorted(set(want) - set(flags)))
    for target, word in want.items():
        p = flags[target]
        assert p is None or word in p.reason, (target, p)


def _export_ids(name: str) -> list[str]:
    """The export's response ids in file order (its rows are native.csv's, in native.csv's order)."""
    col = {"google_forms.csv": "Timestamp", "ms_forms.xlsx": "ID", "surveymonkey.csv": "Respondent ID"}
    raw = pd.read_csv(FIX / "native.csv", dtype=str)
    if name not in col:
        return raw["respondent_id"].tolist()
    if name.endswith(".xlsx"):
        return pd.read_excel(FIX / name, dtype=str)[col[name]].tolist()
    return pd.read_csv(FIX / name, dtype=str, skiprows=[1] if name == "surveymonkey.csv" else None)[
        col[name]
    ].tolist()


def _read_through_draft(name: str, cw) -> pd.DataFrame:
    """Read an export with its draft, after the edits `assetinv map` leaves to the user: the wave, a role
    label it is unsure of (or the role question's codes), and each flagged line, completed from the truth."""
    kw = cw.mapping()
    truth = {ALIAS.get(name, {}).get(c, c): t for c, t in TRUTHS[name].items()}
    left = {c: t for c, t in truth.items() if kw["columns"].get(c) != t}
    assert set(left.values()) == set(_flags(name, cw))  # exactly the flagged lines are the user's to write
    kw["columns"] |= left
    kw["drop"] = [c for c in kw["drop"] if c not in truth]
    roles = kw["values"].setdefault("role", {})
    if name in ("qualtrics_legacy.csv", "qualtrics_short_text.csv"):
        assert not roles  # numeric codes: only the user knows which role is 1, 2, 3
        roles |= ROLE_CODES
    elif name not in ("spss.sav", "spss.zsav", "stata.dta"):  # those label their codes
        roles.setdefault("Classroom teacher", "teacher")
    return ai.read_responses(FIX / name, waves="baseline", **kw)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_each_export_reads_through_its_draft_as_native_every_answer_dont_know_and_unshown_cell(drafts, name):
    items = _V2.item_ids()
    got = _read_through_draft(name, drafts[name])
    raw = pd.read_csv(FIX / "native.csv", dtype={"respondent_id": str})
    native = ai.read_responses(FIX / "native.csv").set_index("respondent_id").loc[raw["respondent_id"]]
    to_native = dict(zip(_export_ids(name), raw["respondent_id"]))
    assert len(to_native) == len(raw) == len(got)
    got = got.assign(respondent_id=got["respondent_id"].astype(str).map(to_native)).set_index("respondent_id")
    got = got.loc[native.index]
    for col in ("school", "district", "role", "wave"):
        assert got[col].astype(str).tolist() == native[col].astype(str).tolist(), col
    # every answer in its own column; NaN in the same cells (not shown, skipped, or Don't know)
    np.testing.assert_array_equal(got[items].to_numpy(dtype=float), native[items].to_numpy(dtype=float))
    # every Don't know kept, in the row that gave it
    dk = (raw.set_index("respondent_id")[items] == 9).sum(axis=1)
    assert got["n_dont_know"].tolist() == dk.tolist() and dk.sum() == 50
    # a statement off the respondent's form is empty, never an answer or a Don't know
    for role in _V2.roles:
        off = sorted(_ALL - set(_V2.item_ids(role=role)))
        assert got.loc[got["role"] == role, off].isna().all(axis=None), role
    if "duration_sec" in TRUTHS[name].values():
        assert got["duration_sec"].tolist() == native["duration_sec"].tolist()


def test_dont_know_code_of_a_numeric_export_counts_as_an_answer_on_the_scale(tmp_path):
    """A numeric export writes Don't know as its code, 9. The drafter's answer check counted 9 as off the
    scale, so an item that many respondents could not judge (two of the nine leaders who answered LM20, and
    LM23, in qualtrics_legacy.csv) lost 0.3 of its confidence and, next to its near twin, was not mapped."""
    inst = ai.load_instrument("2.0.0")
    t = inst.item_ids(role="teacher")
    texts = dict(zip(inst.items["id"], inst.items["text"]))
    head = ["respondent_id", "school", "district", "role", "wave"] + [texts[i] for i in t]
    rows = [
        [f"r{k}", "S1", "D1", "teacher", "baseline"] + [("9" if k % 2 and i == t[0] else "3") for i in t]
        for k in range(10)
    ]
    f = tmp_path / "numeric.csv"
    pd.DataFrame(rows, columns=head).to_csv(f, index=False)
    p = next(p for p in draft_crosswalk(f).columns if p.target == t[0])
    assert p.confidence > 0.9 and "on the scale" not in p.reason, p


def test_truth_covers_every_export_and_every_item():
    assert set(TRUTHS) == set(EXPORTS) | {"haven_forms.sav", "haven_tagged.dta"}
    for name, truth in TRUTHS.items():
        assert sorted(t for t in truth.values() if t in _ALL) == sorted(_ALL), name
        assert {"respondent_id", "school", "district", "role"} <= set(truth.values()), name
