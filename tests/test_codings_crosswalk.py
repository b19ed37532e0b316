"""Codings crosswalks (codes:, cases:), grouped errors and the QDA code hierarchy.

Fixtures: tests/fixtures/qda/ (written by tests/make_qda_fixtures.py the way MAXQDA, NVivo, ATLAS.ti and
QualCoder export REFI-QDA projects) with the truth in expected_codes.json. Those projects (and the inline
examples) were coded with the instrument 1.0.0 codebook, so these tests run with 1.0.0 as the default (the
``instrument_1_0_0`` fixture, and ``instrument: "1.0.0"`` in the study.yaml written here); the readers behave
the same for both versions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

import assetinv as ai
from assetinv.crosswalk_qda import draft_codings_crosswalk
from assetinv.errors import DataError

QDA = Path(__file__).parent / "fixtures" / "qda"
TRUTH = json.loads((QDA / "expected_codes.json").read_text(encoding="utf-8"))
HEADER = "excerpt_id,interview_id,Site,Position,coder,code,text\n"

pytestmark = pytest.mark.usefixtures("instrument_1_0_0")


def _cases(name):
    t = TRUTH[name]
    cases = dict(t["cases"])
    if "role_values" in t:
        cases["role"] = {"from": cases["role"], "values": t["role_values"]}
    return cases or None


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_every_tool_reads_with_its_crosswalk(name):
    c = ai.read_codings(QDA / name, codes=TRUTH[name]["codes"], cases=_cases(name))
    cb = set(ai.load_instrument().codebook["id"])
    assert set(c["code"]) <= cb
    assert c["school"].str.match(r"^S\d\d$").all()
    assert set(c["role"]) <= {"teacher", "leader", "district"}
    assert "parent" in c.columns and (c["parent"] != "").all()


def test_realistic_project_size_and_left_out_code():
    c = ai.read_codings(
        QDA / "maxqda_like.qdpx", codes=TRUTH["maxqda_like.qdpx"]["codes"], cases=_cases("maxqda_like.qdpx")
    )
    raw_codings = 200
    left_out = c.attrs["crosswalk"]["codings_left_out"]
    assert left_out > 0 and "Good quote" not in set(c["code"])  # mapped to ~ (None)
    assert len(c) + left_out + c.attrs["crosswalk"]["codings_merged"] == raw_codings
    assert c["excerpt_id"].nunique() <= 150
    # parent codes of the MAXQDA tree are kept
    assert set(c.loc[c["code"] == "OS-PLC", "parent"]) == {"Structures"}
    assert set(c["role"]) == {"teacher", "leader", "district"}  # synonyms + the values map


def test_unmapped_real_project_gives_few_lines_each_saying_what_to_add():
    with pytest.raises(DataError) as ei:
        ai.read_codings(QDA / "maxqda_like.qdpx")
    text = str(ei.value)
    lines = text.splitlines()
    assert len(lines) <= 30, len(lines)
    code_lines = [ln for ln in lines if "unknown code" in ln]
    assert code_lines
    for ln in code_lines:
        assert "under codings.codes" in ln or "assetinv map" in ln
    assert any('add  "Not enough time": BAR-TIME  under codings.codes' in ln for ln in lines)
    assert any("… and" in ln for ln in lines)
    # the missing school/role is one line naming the project's variables
    role = [ln for ln in lines if "role is empty" in ln]
    assert len(role) == 1 and "Position, School" in role[0] and "200 times" in role[0]


def test_grouping_keeps_single_problems_as_they_were(tmp_path):
    p = tmp_path / "c.csv"
    rows = "".join(f"e{i},i1,S1,teacher,ana,Peer help,x{i}\n" for i in range(7))
    p.write_text(
        "excerpt_id,interview_id,school,role,coder,code,text\n" + rows + "f1,i1,S1,teacher,ana,EX-SHAER,y\n",
        encoding="utf-8",
    )
    probs = ai.validate_codings(p)
    assert len(probs) == 2
    grouped = next(q for q in probs if "Peer help" in q.message)
    assert grouped.row is None and "7 times: rows 2, 3, 4 … and 4 more" in grouped.message
    single = next(q for q in probs if "EX-SHAER" in q.message)
    assert single.row == 9 and "did you mean EX-SHARE" in single.fix


def test_csv_crosswalk_codes_and_cases(tmp_path):
    p = tmp_path / "coded.csv"
    p.write_text(
        HEADER
        + "e1,S07_t1,Lincoln,Classroom teacher,ana,Teacher collaboration,We plan together.\n"
        + "e1,S07_t1,Lincoln,Classroom teacher,ben,teacher  COLLABORATION,We plan together.\n"
        + "e2,S07_t1,Lincoln,Classroom teacher,ana,Memo,Aside.\n",
        encoding="utf-8",
    )
    codes = {"Teacher collaboration": "OS-PLC", "Memo": None}
    with pytest.raises(DataError) as ei:
        ai.read_codings(p, codes=codes)
    assert "school" in str(ei.value)  # no 'school' column without cases:
    c = ai.read_codings(p, codes=codes, cases={"school": {"from_filename": r"^(S\d+)_"}, "role": "Position"})
    assert c["code"].tolist() == ["OS-PLC", "OS-PLC"]
    assert c["school"].unique().tolist() == ["S07"]
    assert c["role"].unique().tolist() == ["teacher"]
    c2 = ai.read_codings(p, codes=codes, cases={"school": "Site", "role": {"value": "leader"}})
    assert c2["school"].unique().tolist() == ["Lincoln"] and c2["role"].unique().tolist() == ["leader"]


def test_bad_crosswalks_are_explained(tmp_path):
    p = tmp_path / "coded.csv"
    p.write_text(HEADER + "e1,i1,S1,teacher,ana,Collab,x\n", encoding="utf-8")
    msgs = [str(q) for q in ai.validate_codings(p, codes={"Collab": "OS-PLCC"}, cases={"school": "Site"})]
    assert any("maps 'Collab' to 'OS-PLCC', which is not a codebook id" in m and "OS-PLC" in m for m in msgs)
    msgs = [str(q) for q in ai.validate_codings(p, codes={"Collab": "OS-PLC"}, cases={"school": "Campus"})]
    assert any("names the column 'Campus'" in m and "Site" in m for m in msgs)
    msgs = [str(q) for q in ai.validate_codings(p, cases={"school": {"from_filename": "("}})]
    assert any("not a valid regular expression" in m for m in msgs)
    msgs = [str(q) for q in ai.validate_codings(p, cases={"shool": "Site"})]
    assert any("did you mean 'school'" in m for m in msgs)


def test_qdpx_variable_and_filename_cases():
    name = "nvivo_like.qdpx"
    with pytest.raises(DataError) as ei:
        ai.read_codings(QDA / name, codes=TRUTH[name]["codes"], cases={"school": "Campus"})
    assert "names the variable 'Campus'" in str(ei.value) and "Job Title, Site" in str(ei.value)
    at = ai.read_codings(
        QDA / "atlasti_like.qdpx",
        codes=TRUTH["atlasti_like.qdpx"]["codes"],
        cases=_cases("atlasti_like.qdpx"),
    )
    assert set(at["school"]) == {"S05", "S06", "S07"}
    # ATLAS.ti code groups (Sets) are the parent
    groups = TRUTH["atlasti_like.qdpx"]["groups"]
    want = {TRUTH["atlasti_like.qdpx"]["codes"][k]: g for k, g in groups.items()}
    assert all(want[c] == p for c, p in zip(at["code"], at["parent"]))


def test_filename_pattern_that_does_not_match_is_one_line():
    with pytest.raises(DataError) as ei:
        ai.read_codings(
            QDA / "atlasti_like.qdpx",
            codes=TRUTH["atlasti_like.qdpx"]["codes"],
            cases={"school": {"from_filename": r"^(X\d+)_"}, "role": {"value": "teacher"}},
        )
    lines = [ln for ln in str(ei.value).splitlines() if "from_filename" in ln]
    assert len(lines) == 1 and "48 times" in lines[0]


def test_selection_names_repeated_across_sources_are_not_excerpt_ids():
    c = ai.read_codings(QDA / "qualcoder_like.qdpx", codes=TRUTH["qualcoder_like.qdpx"]["codes"])
    assert c.groupby("excerpt_id")["interview_id"].nunique().max() == 1
    assert c["excerpt_id"].str.contains("#").all()


def test_parent_round_trips_through_qdpx(tmp_path):
    c = ai.read_codings(
        QDA / "nvivo_like.qdpx", codes=TRUTH["nvivo_like.qdpx"]["codes"], cases=_cases("nvivo_like.qdpx")
    )
    out = ai.write_qdpx(c, tmp_path / "back.qdpx")
    back = ai.read_codings(out)
    pd.testing.assert_frame_equal(back.reset_index(drop=True), c.reset_index(drop=True), check_dtype=False)
    assert ai.write_qdpx(back, tmp_path / "again.qdpx").read_bytes() == out.read_bytes()


def test_qdc_keeps_codable_hierarchy_and_sets(tmp_path):
    # a MAXQDA/NVivo tree: codable parents; before, the children lost their parent
    cb = ai.read_qdc(QDA / "maxqda_like.qdpx")
    row = cb.set_index("id").loc["PLC meetings"]
    assert row["group"] == "Structures"
    assert cb.set_index("id").loc["Structures", "group"] == ""
    at = ai.read_qdc(QDA / "atlasti_like.qdpx").set_index("id")
    assert at.loc["Barrier: no time", "group"] == "Barriers"
    # nested groups written and read back
    inst_cb = ai.load_instrument().codebook.copy()
    inst_cb["group"] = "Domains/" + inst_cb["group"].astype(str)
    f = ai.write_qdc(inst_cb, tmp_path / "nested.qdc")
    back = ai.read_qdc(f)
    pd.testing.assert_frame_equal(back, inst_cb[list(back.columns)].reset_index(drop=True))


def test_two_qda_codes_on_one_id_make_one_coding(tmp_path):
    codes = dict(TRUTH["maxqda_like.qdpx"]["codes"])
    codes["Trust among staff"] = "ENA-BACKING"  # now two tree codes share an id
    c = ai.read_codings(QDA / "maxqda_like.qdpx", codes=codes, cases=_cases("maxqda_like.qdpx"))
    assert not c.duplicated(["excerpt_id", "coder", "code"]).any()


def test_study_yaml_codings_crosswalk(tmp_path):
    import shutil

    import yaml

    shutil.copy(QDA / "nvivo_like.qdpx", tmp_path / "project.qdpx")
    spec = {
        "instrument": "1.0.0",
        "codings": {
            "file": "project.qdpx",
            "codes": TRUTH["nvivo_like.qdpx"]["codes"],
            "cases": TRUTH["nvivo_like.qdpx"]["cases"],
        },
    }
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    cfg = ai.read_config(tmp_path / "study.yaml")
    assert cfg["codings"] == tmp_path / "project.qdpx"
    c = ai.read_codings(cfg["codings"], **cfg["codings_crosswalk"])
    assert len(c) == 60
    # a plain file name keeps working, with an empty crosswalk
    (tmp_path / "study.yaml").write_text("codings: project.qdpx\n", encoding="utf-8")
    assert ai.read_config(tmp_path / "study.yaml")["codings_crosswalk"] == {}
    (tmp_path / "study.yaml").write_text("codings: {fle: project.qdpx, codes: [a]}\n", encoding="utf-8")
    with pytest.raises(DataError) as ei:
        ai.read_config(tmp_path / "study.yaml")
    msg = str(ei.value)
    assert (
        "did you mean 'file'" in msg
        and "'codings' has no 'file'" in msg
        and "codings.codes' must be a mapping" in msg
    )


def test_xlsx_crosswalk(tmp_path):
    df = pd.DataFrame(
        {
            "Segment ID": ["e1", "e2"],
            "Document": ["S03_lead_1", "S03_lead_1"],
            "Coder": ["ana", "ana"],
            "Code": ["Barriers/Not enough time", "Good quote"],
            "Segment": ["No time at all.", "Nice."],
            "Position": ["Principal", "Principal"],
        }
    )
    df.to_excel(tmp_path / "coded.xlsx", index=False)
    c = ai.read_codings(
        tmp_path / "coded.xlsx",
        codes={"Barriers > Not enough time": "BAR-TIME", "Good quote": None},
        cases={
            "excerpt_id": "Segment ID",
            "interview_id": "Document",
            "text": "Segment",
            "school": {"from_filename": r"^(S\d+)_"},
            "role": "Position",
        },
    )
    assert c[["excerpt_id", "interview_id", "school", "role", "code", "text"]].values.tolist() == [
        ["e1", "S03_lead_1", "S03", "leader", "BAR-TIME", "No time at all."]
    ]
    assert c.attrs["crosswalk"]["codings_left_out"] == 1


def test_valence_recorded_as_subcodes_comes_in_through_the_crosswalk(tmp_path):
    """QDA tools have no valence field: coders record it as sub-codes ("Trust > barrier") or in the code
    name. ``codes:`` maps such a code to ``{code: ID, valence: strength|barrier}`` (instrument 2.0.0)."""
    p = tmp_path / "coded.csv"
    p.write_text(
        "excerpt_id,interview_id,school,role,coder,code,text,valence\n"
        "e1,S01-I1,S01,teacher,ana,Trust (+),We rely on each other.,\n"
        "e2,S01-I1,S01,teacher,ana,Trust (-),Nobody keeps their word here.,\n"
        "e3,S01-I1,S01,teacher,ana,Trust among staff,People share the work.,strength\n",
        encoding="utf-8",
    )
    codes = {
        "Trust (+)": {"code": "CN-TRUST", "valence": "strength"},
        "Trust (-)": {"code": "CN-TRUST", "valence": "b"},
        "Trust among staff": "CN-TRUST",
    }
    c = ai.read_codings(p, "2.0.0", codes=codes).set_index("excerpt_id")
    assert c["code"].tolist() == ["CN-TRUST"] * 3
    assert c["valence"].to_dict() == {"e1": "strength", "e2": "barrier", "e3": "strength"}
    t = ai.code_tallies(c.reset_index(), instrument="2.0.0")
    assert t is not None
    # a coding that records the other valence is an error, not overwritten
    p.write_text(
        p.read_text(encoding="utf-8").replace(
            "Trust (-),Nobody keeps their word here.,", "Trust (-),x,strength"
        )
    )
    msgs = [str(q) for q in ai.validate_codings(p, "2.0.0", codes=codes)]
    assert any("strength (crosswalk: barrier)" in m and "row 3" in m for m in msgs), msgs
    # a malformed mapping is explained with an example
    msgs = [str(q) for q in ai.validate_codings(p, "2.0.0", codes={"Trust (+)": {"code": "CN-TRUST"}})]
    assert any("needs code: and valence:" in m and "{code: CN-TRUST, valence: barrier}" in m for m in msgs)


def test_valence_subcodes_of_a_qdpx_project():
    """The same on a REFI-QDA project: every coding with the mapped QDA code gets the valence."""
    name = "maxqda_like.qdpx"
    codes = dict(TRUTH[name]["codes"])
    trust = next(k for k, v in codes.items() if v == "ENA-TRUST")
    codes[trust] = {"code": "ENA-TRUST", "valence": "strength"}
    c = ai.read_codings(QDA / name, codes=codes, cases=_cases(name))
    plain = ai.read_codings(QDA / name, codes=TRUTH[name]["codes"], cases=_cases(name))
    assert (c["code"] == "ENA-TRUST").sum() == (plain["code"] == "ENA-TRUST").sum() > 0
    assert set(c.loc[c["code"] == "ENA-TRUST", "valence"]) == {"strength"}
    assert set(plain.loc[plain["code"] == "ENA-TRUST", "valence"]) == {""}
    other = c["code"] != "ENA-TRUST"
    assert c.loc[other, "valence"].tolist() == plain.loc[plain["code"] != "ENA-TRUST", "valence"].tolist()


def test_map_drafts_valence_recorded_in_code_names(tmp_path):
    """`assetinv map` reads "Trust (-)", "Trust: strength" or a sub-code "barrier" as code + valence,
    matches the code without the mark, and writes ``{code: ID, valence: ...}``; the draft reads back."""
    from assetinv.crosswalk_qda import _split_valence

    assert _split_valence("barrier", "Culture/Trust among staff") == (
        "Trust among staff",
        "Culture",
        "barrier",
    )
    assert _split_valence("Trust (+)", "Culture") == ("Trust", "Culture", "strength")
    assert _split_valence("Teacher voice: lacking", "") == ("Teacher voice", "", "barrier")
    assert _split_valence("Barrier: no time", "Barriers") == ("Barrier: no time", "Barriers", "")
    assert _split_valence("Strength", "") == ("Strength", "", "")  # a top-level code named so: no parent
    p = tmp_path / "coded.csv"
    p.write_text(
        "excerpt_id,interview_id,school,role,coder,code,text\n"
        "e1,S01-I1,S01,teacher,ana,Trust among staff (+),We rely on each other.\n"
        "e2,S01-I1,S01,teacher,ana,Trust among staff (-),Nobody keeps their word.\n"
        "e3,S01-I1,S01,teacher,ana,Observing colleagues' lessons: strength,We visit each other.\n",
        encoding="utf-8",
    )
    d = draft_codings_crosswalk(p, instrument="2.0.0")
    got = d.codes.set_index("name")[["proposal", "valence"]].to_dict("index")
    assert got["Trust among staff (+)"] == {"proposal": "CN-TRUST", "valence": "strength"}
    assert got["Trust among staff (-)"] == {"proposal": "CN-TRUST", "valence": "barrier"}
    assert got["Observing colleagues' lessons: strength"] == {"proposal": "OS-OBSERVE", "valence": "strength"}
    assert '"Trust among staff (-)": {code: CN-TRUST, valence: barrier}' in d.yaml
    spec = yaml.safe_load(d.yaml)["codings"]
    c = ai.read_codings(p, "2.0.0", codes=spec["codes"])
    assert c.set_index("excerpt_id")["valence"].to_dict() == {
        "e1": "strength",
        "e2": "barrier",
        "e3": "strength",
    }
