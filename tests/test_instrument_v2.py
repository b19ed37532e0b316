"""Instrument 2.0.0: role forms, per-item scales, interview protocol, codebook, and the version switch."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from assetinv import (
    DataError,
    available_versions,
    load_instrument,
    read_codings,
    read_responses,
    score_domains,
)

ROOT = Path(__file__).resolve().parents[1]
V2 = ROOT / "assetinv" / "data" / "instrument-2.0.0.yaml"
V1_SAMPLE = ROOT / "tests" / "fixtures" / "v1_sample"
ROLES = ("teacher", "leader", "district")


@pytest.fixture(scope="module")
def v1():
    return load_instrument("1.0.0")


@pytest.fixture()
def raw2() -> dict:
    return yaml.safe_load(V2.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "mine.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


# ------------------------------------------------------------------ versions
def test_versions_load_by_number_and_path(v1, v2, tmp_path, raw2):
    assert available_versions() == ["1.0.0", "2.0.0"]
    assert v1.version == "1.0.0" and v2.version == "2.0.0"
    assert v1.source.endswith("instrument.yaml") and v2.source.endswith("instrument-2.0.0.yaml")
    assert load_instrument().version in available_versions()
    assert load_instrument(V2).sha256 == v2.sha256
    assert load_instrument(str(write(tmp_path, raw2))).version == "2.0.0"
    with pytest.raises(DataError, match="use one of 1.0.0, 2.0.0"):
        load_instrument("3.1.4")


def test_new_ids_never_reuse_old_ones(v1, v2):
    old = dict(zip(v1.items["id"], v1.items["text"]))
    for i, text in zip(v2.items["id"], v2.items["text"]):
        # an id is kept only for an unchanged item
        assert i not in old or old[i] == text, i


def test_changes_list_every_item_and_reason(v1, v2):
    changes = v2.changes
    assert changes and all(c["reason"].strip() and c["change"].strip() for c in changes)
    touched_old = {i for c in changes for i in c.get("from", [])}
    touched_new = {i for c in changes for i in c.get("to", [])}
    kept = set(v1.items["id"]) & set(v2.items["id"])
    assert set(v1.items["id"]) - kept <= touched_old and set(v1.items["id"]) - kept - touched_old == set()
    assert set(v2.items["id"]) - kept <= touched_new
    q1 = {q["id"] for q in v1.interview["questions"]}
    assert q1 <= touched_old
    assert set(v1.codebook["id"]) - set(v2.codebook["id"]) <= touched_old
    assert set(v2.codebook["id"]) - set(v1.codebook["id"]) <= touched_new
    # every id a change points to exists in the version it names
    known_new = (
        set(v2.items["id"])
        | {q["id"] for q in v2.interview["questions"]}
        | set(v2.codebook["id"])
        | set(v2.scales)
        | set(ROLES)
        | set(v2.domains["id"])
        | {r["id"] for r in v2.coding_rules}
        | {"dont_know", "opening", "closing", "valence", "coding_rules"}
    )
    known_old = set(v1.items["id"]) | q1 | set(v1.codebook["id"])
    assert touched_new <= known_new, touched_new - known_new
    assert touched_old <= known_old, touched_old - known_old


def test_docs_tables_are_the_instrument(v2):
    """docs/instrument.md's role counts, items, interview, codebook and changes tables restate the YAML
    (``python tests/make_instrument_doc.py`` rewrites them)."""
    import make_instrument_doc

    doc = (ROOT / "docs" / "instrument.md").read_text(encoding="utf-8")
    assert make_instrument_doc.render(doc, v2) == doc, "run python tests/make_instrument_doc.py"


def test_changes_mirrored_in_docs(v1, v2):
    doc = (ROOT / "docs" / "instrument.md").read_text(encoding="utf-8")
    for i in v1.items["id"]:
        assert i in doc, i
    for i in v2.items["id"]:
        assert i in doc, i


# ------------------------------------------------------------- role forms
def test_every_item_has_role_scale_domain(v2):
    assert len(v2.items)
    for rec in v2.items.itertuples():
        assert rec.roles and set(rec.roles) <= set(ROLES), rec.id
        assert rec.domain in set(v2.domains["id"]), rec.id
        assert rec.id in v2.item_scales, rec.id
        assert v2.item_scale(rec.id).id in ("agree", "frequency", "count", "share"), rec.id


def test_each_form_has_five_items_per_domain_or_marks_it_not_asked(v2):
    for role in ROLES:
        form = v2.form(role)
        for d in v2.domains["id"]:
            n = int((form["domain"] == d).sum())
            if v2.asked(d, role):
                assert n >= 5, (role, d, n)
            else:
                assert n == 0, (role, d, n)
    assert v2.not_asked == {"LM": ("district",)}


def test_scales_and_dont_know(v2):
    assert list(v2.scales) == ["agree", "frequency", "count", "share"]
    # counts are totals over the reference period, never rates ("once a week"), so categories cannot overlap
    assert v2.scales["count"].labels == {
        1: "Never",
        2: "Once or twice",
        3: "3 to 5 times",
        4: "6 to 10 times",
        5: "More than 10 times",
    }
    assert v2.item_scale("OS15").id == "count"  # observing lessons is an event, not a habit
    assert v2.scales["frequency"].labels == {
        1: "Never",
        2: "Rarely",
        3: "Sometimes",
        4: "Often",
        5: "Almost always",
    }
    for sc in v2.scales.values():
        assert sc.dont_know_code == 9 and sc.dont_know_label == "Don't know / Not applicable"
    # a leader reports a practice as the share of the school's teachers who did it, never as how often
    # "teachers" did it (I-2)
    assert v2.scales["share"].labels == {
        1: "None or almost none",
        2: "A few",
        3: "About half",
        4: "Most",
        5: "All or nearly all",
    }
    # practices are asked as frequencies with the reference period; judgments as agreement; the one
    # partnership-history item states its own, longer window
    for rec in v2.items.itertuples():
        sc = v2.item_scale(rec.id).id
        if sc in ("frequency", "count", "share"):
            assert rec.text.startswith(("In the past 12 months, ", "In the past five years, ")), rec.id
        if sc == "share":
            assert rec.roles == ("leader",) and rec.text.endswith("?"), rec.id
            assert "how many teachers in this school" in rec.text, rec.id
    assert [
        i for i in v2.items["id"] if v2.items.set_index("id").at[i, "text"].startswith("In the past five")
    ] == ["OS23"]
    n_freq = sum(v2.item_scale(i).id in ("frequency", "count") for i in v2.items["id"])
    assert 20 <= n_freq <= len(v2.items) - 20
    for role in ROLES:
        # the same window at every wave ("this school year" is weeks long at a fall baseline)
        assert v2.forms[role]["reference_period"] == "the past 12 months"
        assert "the past 12 months" in v2.forms[role]["instructions"].lower()
        assert "don't know" in v2.forms[role]["instructions"].lower()


def test_consistent_stems(v2):
    for rec in v2.items.itertuples():
        if "district" in rec.roles:
            assert rec.roles == ("district",), rec.id
            assert re.match(r"^(In the schools I work with, |In the past 12 months, )", rec.text), rec.id
            assert "schools I work with" in rec.text, rec.id
        else:
            assert re.match(
                r"^(In this school, |In the past (12 months|five years), |This school's )", rec.text
            ), rec.id
            assert "schools I work with" not in rec.text


def test_no_leader_rates_own_leadership(v2):
    for rec in v2.form("leader").itertuples():
        t = re.sub(r"teacher leaders?", "", rec.text.lower())
        if v2.item_scale(rec.id).id == "agree":
            assert not re.search(r"\bleaders?\b|\bprincipals?\b|\badministrat", t), rec.id
        assert not re.search(
            r"\b(asked for their views|support a teacher|recogni[sz]ed|told what was done)\b", t
        ), rec.id
    # the teacher form does ask about leaders
    assert any("leaders" in t for t in v2.form("teacher")["text"])
    # arrangements the school's leaders make are asked of teachers only (I-4)
    assert not {"CN11", "CN12", "OS09", "OS10", "OS11", "OS20"} & set(v2.form("leader")["id"])
    # a teacher reports practices of their own, in the first person; no one reports how often colleagues
    # did something (I-2); leaders never answer in the first person
    for rec in v2.items.itertuples():
        sc = v2.item_scale(rec.id).id
        if "teacher" in rec.roles and sc in ("frequency", "count"):
            assert rec.roles == ("teacher",) and re.search(r"\bI\b", rec.text), rec.id
        if "leader" in rec.roles:
            assert not re.search(r"\b(I|my|me)\b", rec.text), rec.id


def test_item_writing_rules(v2):
    texts = dict(zip(v2.items["id"], v2.items["text"]))
    allowed_pairs = (
        "teaching and learning",
        "this school and its outside partners",
        "programs or organizations",
        "in this school or another one",
        "such as",
    )
    for i, t in texts.items():
        low = t.lower()
        # one idea per item: 'and' / 'or' only inside fixed phrases or lists of examples
        stripped = low
        for a in allowed_pairs:
            stripped = stripped.split("such as")[0] if a == "such as" else stripped.replace(a, "")
        assert not re.search(r"\b(and|or)\b", stripped), (i, t)
        # no leading wording
        assert not re.search(
            r"quietly|rather than|without being|at every step|of course|really\b|\breal\b|reasonable|is needed|"
            r"\beach new\b",
            low,
        ), i
        # US spelling
        assert not re.search(
            r"organis|timetable|\bmaths\b|judgement|programme|recognis|behaviour|centre|"
            r"colour|practise|enrol\b",
            low,
        ), i
    for rev, pos in v2.mirrors.items():
        assert texts[rev] != texts[pos]
        # no negation in reverse-keyed items, so disagreeing is never a double negative
        assert not re.search(r"\b(not|no|never|little|rarely|hardly|without)\b|n't", texts[rev].lower()), rev
    assert set(v2.reverse_ids()) == set(v2.mirrors)
    # every role form has a mirror pair in every domain it asks, so acquiescence can be checked on each
    # form (I-13)
    for role in ROLES:
        on_form = set(v2.form(role)["id"])
        for d in v2.domains["id"]:
            if not v2.asked(d, role):
                continue
            pairs = [r for r in v2.reverse_ids(d) if r in on_form and v2.mirrors[r] in on_form]
            assert pairs, (role, d)


def test_new_constructs_are_measured(v2):
    text = " ".join(v2.items["text"]).lower()
    for needle in [
        "trust",
        "changed how i teach because of work i did with colleagues",
        "lead to better student work",
        "i observed a lesson taught by a colleague",
        "support for my teaching from different programs, such as coaching and workshops",
        "share teaching resources",
        "earlier partnerships",
        "only one teaching a stem subject",
    ]:
        assert needle in text, needle
    # 3-4 equity practice items: teachers report their own (frequency), leaders the share of teachers
    for role, scale in (("teacher", "frequency"), ("leader", "share")):
        form = v2.form(role)
        equity = form[
            (form["domain"] == "LM")
            & form["text"].str.contains(
                r"groups of students|learning english|underrepresented|lives outside school"
            )
        ]
        assert 3 <= len(equity) <= 4, role
        assert all(v2.item_scale(i).id == scale for i in equity["id"]), role


# ---------------------------------------------------------------- interview
_YES_NO = re.compile(r"^(is|are|do|does|did|can|could|would|will|has|have|had|should|was|were)\b", re.I)


def _asked(q: dict, role: str) -> tuple[str, list[str]]:
    v = q.get("versions", {}).get(role, {})
    return v.get("text", q["text"]), v.get("probes", q["probes"])


def test_interview_protocol(v2):
    iv = v2.interview
    qs = iv["questions"]
    assert 8 <= len(qs) <= 10
    total = sum(q["minutes"] for q in qs) + iv["opening_minutes"] + iv["closing_minutes"]
    lo, hi = iv["duration_minutes"]
    assert (lo, hi) == (45, 60) and lo <= total <= hi, total
    for role in ROLES:
        for q in qs:
            text, probes = _asked(q, role)
            assert not _YES_NO.match(text), (role, q["id"], text)
            assert 1 <= len(probes) <= 3, (role, q["id"])
            for p in probes:
                assert not _YES_NO.match(p), (role, q["id"], p)
    for role in ("leader", "district"):
        assert sum(role in q.get("versions", {}) for q in qs) >= 5, role
    # easy and descriptive first, sensitive (time demands, risk) last
    assert qs[0]["text"].startswith("To start, walk me through")
    assert [q["domain"] for q in qs[-2:]] == ["CN", "CN"]
    texts = [q["text"].lower() for q in qs]
    assert any("outside organizations" in t and "before now" in t for t in texts)  # partnership history
    eq = [q for q in qs if q["domain"] == "LM" and "strengths" in q["text"]]
    assert eq and not re.search(r"struggl|hard|weak|behind|low", eq[0]["text"].lower())


def test_consent_promises_only_what_privacy_keeps(v1, v2):
    o = " ".join(v2.interview["opening"].split()).lower()
    assert "your name will not be attached" in " ".join(v1.interview["opening"].split()).lower()
    assert "will not be attached" not in o and "anonymous" not in o and "confidential" not in o
    assert "only person in your position" in o and "might guess" in o
    assert "at least two people" in o  # MIN_INTERVIEWS
    assert "never labeled with your role" in o  # quotes are not attributed to a role
    from assetinv.privacy import MIN_INTERVIEWS

    assert MIN_INTERVIEWS == 2


# ----------------------------------------------------------------- codebook
def test_codebook_v2(v2):
    cb = v2.codebook
    doms = set(v2.domains["id"])
    assert (cb["domain"].isin(doms)).all()
    assert (cb["negative_example"].str.len() > 20).all()
    assert set(cb.loc[cb["group"] == "BARRIER", "valence"]) == {"barrier"}
    assert set(cb.loc[cb["group"] == "ENABLER", "valence"]) == {"strength"}
    bar_domains = set(cb.loc[cb["group"] == "BARRIER", "domain"])
    assert "LM" in bar_domains and len(bar_domains) >= 3
    rules = {r["id"] for r in v2.coding_rules}
    assert {"CO-CODING", "ROUTING", "VALENCE"} <= rules


def test_codebook_routing_stays_in_a_layer(v2):
    cb = v2.codebook.set_index("id")
    layer = {c: ("condition" if g in ("BARRIER", "ENABLER") else "topic") for c, g in cb["group"].items()}
    for code, rec in cb.iterrows():
        for field in ("definition", "use_when", "do_not_use_when", "example", "negative_example"):
            for ref in re.findall(r"\b([A-Z]{2,3}-[A-Z]+)\b", rec[field]):
                assert ref in cb.index, (code, ref)
        for ref in re.findall(r"\(use ([A-Z]{2,3}-[A-Z]+)", rec["do_not_use_when"]):
            assert ref != code and layer[ref] == layer[code], (code, ref)
        for ref in re.findall(r"also apply ([A-Z]{2,3}-[A-Z]+)", rec["do_not_use_when"] + rec["use_when"]):
            assert layer[ref] != layer[code] or cb.loc[ref, "group"] == cb.loc[code, "group"], (code, ref)
    # the 1.0.0 contradiction (EX-SHARE -> ENA-NETWORK -> OS-CROSS) is gone
    assert "ENA-NETWORK" not in cb.loc["EX-SHARE", "do_not_use_when"]


# ------------------------------------------------------------------ loader
def test_round_trip_v2(v2, tmp_path):
    back = load_instrument(write(tmp_path, v2.to_dict()))
    pd.testing.assert_frame_equal(back.items, v2.items)
    pd.testing.assert_frame_equal(back.codebook, v2.codebook)
    assert back.interview == v2.interview and back.not_asked == v2.not_asked and back.mirrors == v2.mirrors
    assert back.changes == v2.changes and back.forms == v2.forms and back.item_scales == v2.item_scales


def _problems(path: Path) -> str:
    with pytest.raises(DataError) as info:
        load_instrument(path)
    return str(info.value)


def test_error_not_asked_domain_with_items(tmp_path, raw2):
    raw2["domains"][0]["not_asked"] = ["teacher"]
    msg = _problems(write(tmp_path, raw2))
    assert "domain EX is marked not asked for role 'teacher'" in msg and "Fix:" in msg


def test_error_role_form_too_thin(tmp_path, raw2):
    del raw2["domains"][1]["not_asked"]
    msg = _problems(write(tmp_path, raw2))
    assert "the district form has 0 items in domain LM" in msg and "not_asked: [district]" in msg


def test_error_mirror_rules(tmp_path, raw2):
    it = next(i for i in raw2["items"] if i["id"] == "EX14")
    it["mirrors"] = "EX12"
    it["reverse"] = False
    msg = _problems(write(tmp_path, raw2))
    assert "one reverse-keyed and one positive item" in msg


def test_error_barrier_code_valence(tmp_path, raw2):
    code = next(c for c in raw2["codebook"] if c["id"] == "BAR-TIME")
    code["valence"] = "strength"
    code["domain"] = "QQ"
    msg = _problems(write(tmp_path, raw2))
    assert "barrier codes always record valence 'barrier'" in msg or "always record valence" in msg
    assert "tied to unknown domain 'QQ'" in msg


def test_error_interview_version_role(tmp_path, raw2):
    raw2["interview"]["questions"][0]["versions"]["boss"] = {"text": "Hello?"}
    raw2["interview"]["questions"][1]["minutes"] = -3
    msg = _problems(write(tmp_path, raw2))
    assert "version for unknown role 'boss'" in msg and "positive number of minutes" in msg


# --------------------------------------------------- 1.0.0 data stay usable
def test_v1_sample_still_loads_and_scores(v1):
    r = read_responses(V1_SAMPLE / "responses.csv", instrument=v1)
    assert r.attrs["instrument_version"] == "1.0.0"
    assert set(v1.item_ids()) <= set(r.columns)
    s = score_domains(r, v1)
    assert len(s) == len(r) > 500
    for d in ("EX", "LM", "CN", "OS"):
        assert s[d].notna().mean() > 0.9 and 1 <= s[d].min() and s[d].max() <= 5
    c = read_codings(V1_SAMPLE / "codings.csv", instrument=v1)
    assert len(c) > 100 and c.attrs["instrument_version"] == "1.0.0"
    assert np.isfinite(s["EX"]).sum() > 0


def test_scoring_honours_not_asked(v2):
    ids = v2.item_ids()
    rows = []
    for k, role in enumerate(["teacher", "leader", "district"]):
        rec = {"respondent_id": f"r{k}", "school": "S1", "district": "D1", "role": role, "wave": "baseline"}
        rec.update({i: 4.0 for i in ids})  # answers in every column, even those the form does not ask
        rows.append(rec)
    s = score_domains(pd.DataFrame(rows), v2).set_index("role")
    assert np.isnan(s.loc["district", "LM"]) and s.loc["district", "LM_n"] == 0
    assert "LM" not in s.loc["district", "quality_flags"]
    # an answer that is there counts, even off the form (the reader refuses those): 16 LM items, 2 reverse-keyed
    assert s.loc["teacher", "LM"] == pytest.approx((4 * 14 + 2 * 2) / 16)
    assert s.loc["teacher", "LM_n"] == len(v2.items_by_domain["LM"]) == 16
    assert s.attrs["not_asked"] == {"LM": ["district"]}


def test_us_spelling_everywhere_in_v2_and_playbook():
    uk = re.compile(
        r"organis|programme|behaviour|centre|judgement|recognis|practis(e|ing)|colour|labour|"
        r"analyse|timetable|\bmaths\b|\benrol\b|favour|honour|prioritis|minimis|summaris",
        re.I,
    )
    for name in ("instrument-2.0.0.yaml", "playbook-2.0.0.yaml"):
        raw = yaml.safe_load((ROOT / "assetinv" / "data" / name).read_text(encoding="utf-8"))
        raw.pop("changes", None)  # the change log quotes the 1.0.0 spellings it replaced
        raw.pop("sources", None)  # titles are cited as published
        hits = [m.group(0) for m in uk.finditer(yaml.safe_dump(raw))]
        assert not hits, (name, hits)
