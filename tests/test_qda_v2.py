"""REFI-QDA projects coded with the instrument 2.0.0 codebook, one per QDA tool, valence in the code tree.

The projects in ``tests/fixtures/qda_v2/`` are written by ``tests/make_qda_fixtures.py`` with each tool's
quirks as in the 1.0.0 set (REFI-QDA 1.5):

* ``maxqda_v2_like.qdpx`` - codable parent codes, upper-case GUIDs, document variables; "strength" and
  "barrier" sub-codes under topic codes, the topic itself sometimes coded.
* ``nvivo_v2_like.qdpx`` - nested nodes, cases with Site and Job Title; "Positive" / "Negative" child nodes.
* ``atlasti_v2_like.qdpx`` - flat codes in code groups (Sets), school and role in document names; marked
  names "Culture: voice (+)" / "(-)", and a working code "Good quote".
* ``qualcoder_v2_like.qdpx`` - non-codable categories, numbered selections; marked names "trust: barrier".

``expected_codes.json`` holds the truth for each: each QDA code's codebook id, with its valence for a code
that records one; ``expected_codings.json`` the codings reading through that crosswalk must give. For each
project ``assetinv map`` (``draft_codings_crosswalk``) drafts the crosswalk: the tests pin how many codes it gets
right, that every confident proposal is right including its valence, and name the codes it gets wrong; then
the codings read through the true crosswalk must equal the truth (document, span, text, coder, code, valence,
school, role), and they do not once a valence is dropped or a code mis-mapped. Like real projects, some of
them code a topic without a valence (MAXQDA 51 codings, NVivo 45, QualCoder 4): under the 2.0.0 codebook
that is an error naming each one (the last test), so the structural tests read with
``require_valence=False``. Without ``instrument=``, every
project is drafted against 2.0.0: its valence-marked codes count only for a codebook that records valence.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import assetinv as ai
from assetinv.crosswalk_qda import draft_codings_crosswalk

HERE = Path(__file__).parent / "fixtures" / "qda_v2"
PROJECT = HERE / "maxqda_v2_like.qdpx"
TRUTH = json.loads((HERE / "expected_codes.json").read_text(encoding="utf-8"))[PROJECT.name]
CASES = {"school": "School", "role": {"from": "Position", "values": TRUTH["role_values"]}}


def _proposal(r) -> object:
    return {"code": r.proposal, "valence": r.valence} if r.valence else r.proposal


def test_map_drafts_codes_and_valences_and_is_never_confidently_wrong():
    d = draft_codings_crosswalk(PROJECT, instrument="2.0.0")
    truth = TRUTH["codes"]
    unused = set(truth) - set(d.codes["key"])  # a parent of sub-codes that no coding uses is not listed
    assert set(d.codes["key"]) <= set(truth) and unused == {"Trying new approaches"}
    right = sum(truth[r.key] == _proposal(r) for r in d.codes.itertuples())
    conf = d.codes[d.codes["confident"]]
    assert all(truth[r.key] == _proposal(r) for r in conf.itertuples())
    subcodes = [k for k, v in truth.items() if isinstance(v, dict)]
    assert len(subcodes) == 20 and (d.codes.set_index("key").loc[subcodes, "valence"] != "").all()
    assert len(d.codes) == 34 and right >= 31 and len(conf) >= 29  # measured: 31 right, 29 confident


def test_project_reads_with_valences_into_tallies():
    c = ai.read_codings(PROJECT, "2.0.0", codes=TRUTH["codes"], cases=CASES, require_valence=False)
    assert set(c["code"]) <= set(ai.load_instrument("2.0.0").codebook["id"])
    assert set(c["role"]) == {"teacher", "leader"} and c["school"].str.match(r"^S0[1-5]$").all()
    sub = c["parent"].str.contains("/")  # coded with a sub-code: its parent is "Group/Topic"
    assert sub.sum() > 50 and c.loc[sub, "valence"].isin(["strength", "barrier"]).all()
    cb = ai.load_instrument("2.0.0").codebook.set_index("id")["valence"]
    fixed = (
        c["code"].map(cb).isin(["strength", "barrier"])
    )  # codes whose valence is fixed (EX-ISOLATED, BAR-...)
    assert (c.loc[fixed, "valence"] == c.loc[fixed, "code"].map(cb)).all()
    assert (c.loc[~sub & ~fixed, "valence"] == "").all()  # a topic coded without a valence stays blank
    assert set(c.loc[c["code"].str.startswith("BAR-"), "valence"]) == {"barrier"}
    t = ai.code_tallies(c, instrument="2.0.0")
    trust = t[t["code"] == "CN-TRUST"]
    assert int(trust["n_strength"].sum()) > 0 and int(trust["n_barrier"].sum()) > 0


def test_drafted_yaml_with_the_checked_lines_reads(tmp_path):
    d = draft_codings_crosswalk(PROJECT, instrument="2.0.0")
    codes = yaml.safe_load(d.yaml)["codings"]["codes"]
    for k, v in TRUTH["codes"].items():  # what the evaluator does with the lines marked CHECK
        codes.setdefault(k, v)
        if codes[k] != v:
            codes[k] = v
    c = ai.read_codings(PROJECT, "2.0.0", codes=codes, cases=CASES, require_valence=False)
    want = ai.read_codings(PROJECT, "2.0.0", codes=TRUTH["codes"], cases=CASES, require_valence=False)
    pd.testing.assert_frame_equal(c, want)


# ---------------------------------------------------------------------------------------- every QDA tool
TRUTH_ALL = json.loads((HERE / "expected_codes.json").read_text(encoding="utf-8"))
CODINGS = json.loads((HERE / "expected_codings.json").read_text(encoding="utf-8"))
NEW = ["nvivo_v2_like.qdpx", "atlasti_v2_like.qdpx", "qualcoder_v2_like.qdpx"]

# what `assetinv map` drafts for each new project (measured): codes listed (the truth's codes, less a
# parent of valence sub-codes that no coding uses), the codes it proposes wrong, and how many are confident
DRAFTED = {
    "nvivo_v2_like.qdpx": {
        "n": 41,
        "unused": {"New teachers"},
        "wrong": {  # "Sharing expertise" ties EX-EXTERNAL with EX-SHARE; "Subject knowledge" -> EX-ISOLATED
            "Sharing expertise",
            "Expertise/Sharing expertise/Negative",
            "Expertise/Sharing expertise/Positive",
            "Subject knowledge",
            "Expertise/Subject knowledge/Negative",
            "Expertise/Subject knowledge/Positive",
        },
        "confident": 25,
    },
    "atlasti_v2_like.qdpx": {
        "n": 24,
        "unused": set(),
        "wrong": {"Barrier: mandates", "Mindset: experimenting (+)", "Mindset: experimenting (-)"},
        "confident": 16,
    },
    "qualcoder_v2_like.qdpx": {"n": 24, "unused": set(), "wrong": {"mandates"}, "confident": 15},
}


def _cases(name: str) -> dict:
    t = TRUTH_ALL[name]
    cases = dict(t["cases"])
    if "role_values" in t:
        cases["role"] = {"from": cases["role"], "values": t["role_values"]}
    return cases


def _rows(c: pd.DataFrame) -> list[tuple]:
    """The codings as (document, start, end, text, coder, code, valence, school, role), sorted; the span
    is the one the excerpt id names ("Interview 01 (112-177)", "interview1.txt#112-177")."""
    out = []
    for r in c.itertuples(index=False):
        m = re.search(r"(\d+)-(\d+)\)?$", r.excerpt_id)
        assert m, r.excerpt_id
        start, end = int(m.group(1)), int(m.group(2))
        out.append((r.interview_id, start, end, r.text, r.coder, r.code, r.valence, r.school, r.role))
    return sorted(out)


def _truth_rows(name: str) -> list[tuple]:
    docs = CODINGS[name]["documents"]
    return sorted(
        (
            k["document"],
            k["start"],
            k["end"],
            k["text"],
            k["coder"],
            k["code"],
            k["valence"],
            docs[k["document"]]["school"],
            docs[k["document"]]["role"],
        )
        for k in CODINGS[name]["codings"]
    )


def _in_truth(d, name: str) -> pd.DataFrame:
    return d.codes[d.codes["key"].isin(TRUTH_ALL[name]["codes"])]


def test_every_qda_tool_has_a_2_0_0_project():
    assert sorted(TRUTH_ALL) == sorted(CODINGS) == sorted(["maxqda_v2_like.qdpx", *NEW])
    ids = set(ai.load_instrument("2.0.0").codebook["id"])
    for name, t in TRUTH_ALL.items():
        assert (HERE / name).exists()
        targets = [v["code"] if isinstance(v, dict) else v for v in t["codes"].values()]
        assert set(targets) - {None} <= ids, name
        marked = [v for v in t["codes"].values() if isinstance(v, dict)]
        assert len(marked) >= 12 and {v["valence"] for v in marked} == {"strength", "barrier"}, name


@pytest.mark.parametrize("name", NEW)
def test_map_drafts_each_tools_codes_with_valence_and_is_never_confidently_wrong(name):
    d = draft_codings_crosswalk(HERE / name, instrument="2.0.0")
    truth, want = TRUTH_ALL[name]["codes"], DRAFTED[name]
    rows = _in_truth(d, name)
    assert set(truth) - set(rows["key"]) == want["unused"] and len(rows) == want["n"]
    wrong = {r.key for r in rows.itertuples() if truth[r.key] != _proposal(r)}
    assert wrong <= want["wrong"]  # named: the codes it cannot draft (all commented out with CHECK)
    assert len(rows) - len(wrong) >= want["n"] - len(want["wrong"])
    conf = rows[rows["confident"]]
    assert all(truth[r.key] == _proposal(r) for r in conf.itertuples())  # code and valence
    assert len(conf) >= want["confident"]
    # the valence a code's name or sub-code records is drafted for every such code, right or not
    for r in rows.itertuples():
        v = truth[r.key]
        assert r.valence == (v["valence"] if isinstance(v, dict) else ""), r.key
    for line in d.yaml.splitlines():
        if any(f'"{k}":' in line for k in want["wrong"]):
            assert line.lstrip().startswith("#") and "CHECK" in line


def test_map_lists_each_atlasti_code_once():
    """A code in an ATLAS.ti code group (a REFI-QDA Set) was listed again as 'Group/Code' with 0 codings."""
    d = draft_codings_crosswalk(HERE / "atlasti_v2_like.qdpx", instrument="2.0.0")
    assert set(d.codes["key"]) <= set(TRUTH_ALL["atlasti_v2_like.qdpx"]["codes"])
    assert d.codes["key"].is_unique


@pytest.mark.parametrize("name", sorted(CODINGS))
def test_codings_read_through_the_crosswalk_equal_the_truth(name):
    c = ai.read_codings(
        HERE / name, "2.0.0", codes=TRUTH_ALL[name]["codes"], cases=_cases(name), require_valence=False
    )
    truth = _truth_rows(name)
    assert len(truth) > 70 and _rows(c) == truth
    assert {"strength", "barrier"} <= {r[6] for r in truth}  # codings of each valence
    assert c.attrs["crosswalk"]["codings_merged"] == 0


@pytest.mark.parametrize("name", NEW)
def test_reading_fails_the_truth_if_valence_is_dropped_or_a_code_mis_mapped(name):
    codes = TRUTH_ALL[name]["codes"]
    no_valence = {k: v["code"] if isinstance(v, dict) else v for k, v in codes.items()}
    c = ai.read_codings(HERE / name, "2.0.0", codes=no_valence, cases=_cases(name), require_valence=False)
    assert _rows(c) != _truth_rows(name)
    key = next(k for k, v in codes.items() if isinstance(v, dict) and v["code"] != "CN-TRUST")
    swapped = dict(codes, **{key: dict(codes[key], code="CN-TRUST")})
    c = ai.read_codings(HERE / name, "2.0.0", codes=swapped, cases=_cases(name), require_valence=False)
    assert _rows(c) != _truth_rows(name)


@pytest.mark.parametrize("name", NEW)
def test_drafted_cases_give_each_documents_school_and_role(name):
    d = draft_codings_crosswalk(HERE / name, instrument="2.0.0")
    cases = json.loads(json.dumps(d.cases).replace('"<role id>"', '"district"'))  # the one decision left
    c = ai.read_codings(
        HERE / name, "2.0.0", codes=TRUTH_ALL[name]["codes"], cases=cases, require_valence=False
    )
    got = {r.interview_id: {"school": r.school, "role": r.role} for r in c.itertuples()}
    assert got == CODINGS[name]["documents"]


@pytest.mark.parametrize("name", NEW)
def test_each_drafted_yaml_with_the_checked_lines_reads(name):
    d = draft_codings_crosswalk(HERE / name, instrument="2.0.0")
    codes = yaml.safe_load(d.yaml)["codings"]["codes"]
    truth = TRUTH_ALL[name]["codes"]
    for k, v in truth.items():  # what the evaluator does with the lines marked CHECK
        codes[k] = v
    c = ai.read_codings(HERE / name, "2.0.0", codes=codes, cases=_cases(name), require_valence=False)
    assert _rows(c) == _truth_rows(name)


@pytest.mark.parametrize("name", sorted(CODINGS))
def test_map_without_an_instrument_drafts_against_2_0_0(name):
    """A project whose codes record valence was coded with 2.0.0, though the NVivo-like one's code names fit
    more 1.0.0 codes (31 confident lines against 25, 18 of the 31 valence sub-codes 1.0.0 has no field for)."""
    d = draft_codings_crosswalk(HERE / name)
    assert d.instrument in ("", "2.0.0"), d.instrument_reason  # "" = the default, 2.0.0


@pytest.mark.parametrize("name", ["maxqda_v2_like.qdpx", "nvivo_v2_like.qdpx", "qualcoder_v2_like.qdpx"])
def test_a_topic_coding_without_valence_is_an_error_naming_it(name):
    """The 2.0.0 codebook's VALENCE rule: a coding of an 'either' code records strength or barrier."""
    want = sum(1 for k in CODINGS[name]["codings"] if not k["valence"])
    assert want > 0
    with pytest.raises(ai.DataError) as err:
        ai.read_codings(HERE / name, "2.0.0", codes=TRUTH_ALL[name]["codes"], cases=_cases(name))
    text = str(err.value)
    assert name in text and "valence" in text and ("strength" in text and "barrier" in text)
