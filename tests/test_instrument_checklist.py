"""Issue 14's expert checklist, the points the other 2.0.0 tests do not cover yet.

Each test names the 1.0.0 fault it guards against (see the ``changes:`` section of
``assetinv/data/instrument-2.0.0.yaml``).
"""

from __future__ import annotations

import re

import pytest
from rapidfuzz import fuzz

from assetinv import load_instrument, load_playbook


@pytest.fixture(scope="module")
def v1():
    return load_instrument("1.0.0")


def _changes(v2, old: str) -> list[dict]:
    return [c for c in v2.changes if old in (c.get("from") or [])]


def test_teachers_are_not_asked_what_only_leaders_or_the_district_can_know(v2):
    # 1.0.0 asked teachers about principals meeting their counterparts (OS05) and data agreements (OS06)
    unknowable = re.compile(
        r"principals? (met|of other)|exchanged data|data agreement"
        r"|coaches from other schools|earlier partnerships"
        r"|planned teachers' professional learning",
        re.I,
    )
    for rec in v2.form("teacher").itertuples():
        assert not unknowable.search(rec.text), rec.id
    hits = [rec.id for rec in v2.items.itertuples() if unknowable.search(rec.text)]
    assert len(hits) >= 4 and all("teacher" not in v2.items.set_index("id").loc[i, "roles"] for i in hits)
    for old in ("OS05", "OS06"):
        (c,) = _changes(v2, old)
        assert "unknowable for teachers" in c["reason"]


def test_district_form_asks_only_about_the_schools_it_works_with(v2):
    # 1.0.0 gave district staff 28 items about "adults here" and "colleagues"
    form = v2.form("district")
    assert 5 <= len(form) <= 20
    for t in form["text"]:
        assert not re.search(r"\b(I|my|here|my colleagues)\b", t.replace("I work with", "")), t


def test_no_redundant_items_within_a_domain(v2):
    # 1.0.0 had redundant pairs EX02/EX08, OS01/OS08, LM04/CN02; a reverse item and the item it mirrors
    # are deliberately alike and are the only near-duplicates one respondent sees. Parallel items on
    # different forms (a leader's and a district officer's version of one question) are not redundant.
    mirrored = {frozenset(p) for p in v2.mirrors.items()}
    for d in v2.domains["id"]:
        rows = v2.items[v2.items["domain"] == d]
        for i, a in enumerate(rows.itertuples()):
            for b in list(rows.itertuples())[i + 1 :]:
                if frozenset((a.id, b.id)) in mirrored or not set(a.roles) & set(b.roles):
                    continue
                assert fuzz.token_sort_ratio(a.text, b.text) < 80, (a.id, b.id)
    for pair in (("EX02", "EX08"), ("OS01", "OS08")):
        (c,) = {tuple(x["from"]): x for x in v2.changes if x.get("from") == list(pair)}.values()
        assert c["change"] == "merged" and len(c["to"]) == 1


def test_misplaced_items_moved_to_their_domain(v1, v2):
    for old, new_domain in (("LM05", "OS"), ("OS02", "EX"), ("CN06", "OS")):
        assert v1.domain_of(old) != new_domain
        (c,) = _changes(v2, old)
        assert c["change"] == "moved" and "isplaced" in c["reason"]
        assert all(v2.domain_of(i) == new_domain for i in c["to"]), (old, c["to"])


def test_every_1_0_0_item_is_accounted_for_in_changes(v1, v2):
    accounted = {i for c in v2.changes for i in (c.get("from") or [])}
    assert set(v1.item_ids()) <= accounted


def test_reverse_keyed_items_mirror_a_positive_item_on_the_same_scale_and_form(v2):
    items = v2.items.set_index("id")
    for rev, pos in v2.mirrors.items():
        assert items.loc[rev, "reverse"] and not items.loc[pos, "reverse"]
        assert items.loc[rev, "domain"] == items.loc[pos, "domain"]
        assert v2.item_scale(rev) == v2.item_scale(pos)
        assert items.loc[rev, "roles"] == items.loc[pos, "roles"]
        # a mirror shares most of its wording with the positive item (same topic, opposite pole)
        assert fuzz.token_set_ratio(items.loc[rev, "text"], items.loc[pos, "text"]) >= 60, rev


def test_codebook_both_sided_codes_record_valence(v2):
    # 1.0.0: CN-VOICE, CN-AUTONOMY, CN-RECOG, LM-NOVICE and ENA-TRUST covered strength and barrier alike
    cb = v2.codebook.set_index("id")
    for code in ("CN-VOICE", "CN-AUTONOMY", "CN-RECOG", "LM-NOVICE"):
        assert cb.loc[code, "valence"] == "either", code
    assert "ENA-TRUST" not in cb.index and cb.loc["CN-TRUST", "valence"] == "either"
    # barrier codes for learning mindset now exist
    assert ((cb["group"] == "BARRIER") & (cb["domain"] == "LM")).any()
    # every code has a negative or borderline example that differs from its example
    assert (cb["negative_example"] != cb["example"]).all()


def test_playbook_supports_name_items_the_role_forms_ask(v2):
    pb = load_playbook(instrument=v2)
    asked = {i for r in v2.roles for i in v2.item_ids(role=r)}
    codes = set(v2.codebook["id"])
    triggered_items = set()
    for s in pb["supports"]:
        items = s["triggers"].get("items", [])
        assert set(items) <= asked, s["id"]
        assert set(s["triggers"].get("codes", [])) <= codes, s["id"]
        triggered_items |= set(items)
    # each domain has several supports, each following its own items
    for d in v2.domains["id"]:
        sups = [s for s in pb["supports"] if s["domain"] == d]
        assert len(sups) >= 3, d
        sets = [frozenset(s["triggers"].get("items", [])) for s in sups]
        assert len(set(sets)) == len(sets), d
