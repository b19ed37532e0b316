"""A REFI-QDA project coded with the instrument 2.0.0 codebook, valence recorded as MAXQDA sub-codes.

``tests/fixtures/qda_v2/maxqda_v2_like.qdpx`` is written by ``tests/make_qda_fixtures.py`` the way the
1.0.0 projects are (REFI-QDA 1.5, MAXQDA's codable parent codes, upper-case GUIDs, document variables);
its coders put "strength" and "barrier" sub-codes under topic codes, and sometimes code the topic itself.
``expected_codes.json`` holds the truth: each QDA code's codebook id, with its valence for sub-codes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
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
    c = ai.read_codings(PROJECT, "2.0.0", codes=TRUTH["codes"], cases=CASES)
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
    c = ai.read_codings(PROJECT, "2.0.0", codes=codes, cases=CASES)
    want = ai.read_codings(PROJECT, "2.0.0", codes=TRUTH["codes"], cases=CASES)
    pd.testing.assert_frame_equal(c, want)
