"""Instrument 2.0.0 interview protocol and codebook, checked mechanically (review 14, sections B and C).

Interview: 8-10 core questions, 45-60 planned minutes, open probes only, role versions whose wording fits
the role, consent that says what is and is not shared. Codebook: two-sided routing that never sends the same
content both ways, the barrier code for leaders who withhold support, examples that agree with their
definitions. Codings: a blank valence on an ``either`` code is an error for CSV, XLSX and QDPX inputs.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from assetinv import DataError, read_codings, validate_codings, write_qdpx

YES_NO_START = re.compile(r"^(do|does|is|are|have|has|can|will|would|did)\b", re.I)
CODE = r"[A-Z]{2,3}-[A-Z]+"


def _version(q: dict, role: str) -> tuple[str, list[str]]:
    """What an interviewer asks a role: the role's own text and probes, else the teacher wording."""
    v = q.get("versions", {}).get(role, {})
    return v.get("text", q["text"]), v.get("probes", q["probes"])


# ---------------------------------------------------------------- interview
def test_core_questions_and_stated_timing(v2):
    iv = v2.interview
    qs = iv["questions"]
    assert 8 <= len(qs) <= 10
    assert all(isinstance(q.get("minutes"), int) and q["minutes"] > 0 for q in qs)
    total = sum(q["minutes"] for q in qs) + iv["opening_minutes"] + iv["closing_minutes"]
    lo, hi = iv["duration_minutes"]
    assert 45 <= lo <= total <= hi <= 60, total


def test_no_probe_or_question_invites_yes_or_no(v2):
    for q in v2.interview["questions"]:
        for role in v2.roles:
            text, probes = _version(q, role)
            assert probes, (q["id"], role)
            for p in probes:
                assert not YES_NO_START.match(p), (q["id"], role, p)


def test_every_question_has_leader_and_district_wording_that_fits(v2):
    for q in v2.interview["questions"]:
        for role in ("leader", "district"):
            own = q.get("versions", {}).get(role, {})
            assert own.get("text") and own.get("probes"), f"{q['id']} has no full {role} version"
            text, probes = _version(q, role)
            asked = " ".join([text, *probes]).lower()
            assert "your students" not in asked, (q["id"], role)
            assert not re.search(r"\bthe (different kinds|coaching) .* you receive\b", asked), (q["id"], role)
            if role == "district":
                assert "your school" not in asked, (q["id"], role)
                assert not re.search(r"\bthis school\b(?! year)", asked), (q["id"], role)
                assert "teachers here" not in asked, (q["id"], role)
    for part in ("opening", "closing"):  # one text for every role
        assert "your school" not in v2.interview[part].lower(), part
        assert "this school's" not in v2.interview[part].lower(), part


def test_prompts_do_not_presuppose_an_answer(v2):
    banned = [
        r"describe a time when",  # assumes the event happened
        r"think of a time",
        r"describe a recent decision that teachers took part in",
        r"what did staff get out of",
        r"how did those partnerships start, and how did they end",
        r"what made it feel possible",
        r"how do the different kinds of",
        r"fit together\?",
        r"needs stem teaching expertise it lacks",
    ]
    for q in v2.interview["questions"]:
        for role in v2.roles:
            text, probes = _version(q, role)
            for s in [text, *probes]:
                for b in banned:
                    assert not re.search(b, s.lower()), (q["id"], role, s)


def test_trust_has_a_question_and_risk_is_asked_once(v2):
    qs = v2.interview["questions"]
    texts = [" ".join([q["text"], *q["probes"]]).lower() for q in qs]
    assert sum("follow through" in t or "count on" in t for t in texts) == 1
    assert sum("professional risk" in t or "something new" in t for t in texts) == 1
    ids = [q["id"] for q in qs]
    assert "CN-Q7" not in ids and "CN-Q8" in ids
    # coordination (low sensitivity) comes before the equity question; the last two are CN
    assert ids.index("EX-Q6") < ids.index("LM-Q6")
    assert ids[:3] == ["OS-Q5", "EX-Q5", "EX-Q6"] and [q["domain"] for q in qs[-2:]] == ["CN", "CN"]


def test_consent_says_what_is_and_is_not_shared(v2):
    from assetinv.privacy import MIN_INTERVIEWS

    o = " ".join(v2.interview["opening"].split()).lower()
    c = " ".join(v2.interview["closing"].split()).lower()
    assert not re.search(r"anonym|confidential|will not be attached", o + c)
    assert MIN_INTERVIEWS == 2 and "at least two people" in o
    assert "nobody was the only person in their role" in o  # privacy.interview_site_reasons
    assert "never labeled with your role" in o
    assert "within two weeks" in o  # withdrawal deadline
    assert "leaders of each school" in o and "district" in o  # who receives the summary
    assert "small district team" in o and "might guess" in o  # what cannot be promised
    assert "across all the partner schools" in o
    assert "school's leaders, the district and our staff" in c  # the closing repeats the opening


# ----------------------------------------------------------------- codebook
def _routes(text: str) -> set[str]:
    return {c for par in re.findall(r"\(use ([^)]*)\)", text) for c in re.findall(CODE, par)}


def test_routing_is_two_sided_and_points_to_existing_codes(v2):
    cb = v2.codebook.set_index("id")
    for a, rec in cb.iterrows():
        for field in ("definition", "use_when", "do_not_use_when", "example", "negative_example"):
            for ref in re.findall(rf"\b({CODE})\b", rec[field]):
                assert ref in cb.index, (a, field, ref)
        for b in _routes(rec["do_not_use_when"]):
            assert b != a, a
            back = cb.loc[b, "use_when"] + " " + cb.loc[b, "do_not_use_when"]
            assert a in back, f"{a} routes to {b}, but {b} never names {a}"


def test_no_content_is_sent_both_ways(v2):
    cb = v2.codebook.set_index("id")
    also = {
        a: set(re.findall(rf"also (?:apply|code) ({CODE})", r["use_when"] + " " + r["do_not_use_when"]))
        for a, r in cb.iterrows()
    }
    for a, rec in cb.iterrows():
        away = _routes(rec["do_not_use_when"])
        # a code never says both "use B instead" and "apply B as well"
        assert not (away & also[a]), (a, away & also[a])
        for b in away:
            # mirrored routings state different conditions, never the same one
            ca = [s for s in re.split(r"[;.]", rec["do_not_use_when"]) if f"use {b}" in s or f" {b}" in s]
            cbk = [s for s in re.split(r"[;.]", cb.loc[b, "do_not_use_when"]) if a in s]
            norm = lambda s: re.sub(r"\(use [^)]*\)|[^a-z ]", "", s.lower()).split()  # noqa: E731
            assert not any(norm(x) == norm(y) for x in ca for y in cbk), (a, b)
    # a code's own example is never a negative example sent away from it
    for a, rec in cb.iterrows():
        ex = rec["example"].lower()[:40]
        for b, other in cb.iterrows():
            if b != a and ex in other["negative_example"].lower():
                assert re.search(rf"\b{a}\b", other["negative_example"]), (a, b)


def test_withheld_backing_is_a_barrier_code_tied_to_cn(v2):
    cb = v2.codebook.set_index("id")
    r = cb.loc["BAR-NOBACKING"]
    assert (r["group"], r["domain"], r["valence"]) == ("BARRIER", "CN", "barrier")
    assert r["definition"] and r["use_when"] and r["negative_example"]
    assert "BAR-NOBACKING" in cb.loc["BAR-BLAME", "do_not_use_when"]
    assert "BAR-NOBACKING" in cb.loc["ENA-BACKING", "do_not_use_when"]
    for e in ("ENA-PARTNER", "ENA-NETWORK"):  # an absent enabler is coded on a topic, valence barrier
        assert "valence barrier" in cb.loc[e, "do_not_use_when"], e


def test_examples_agree_with_their_definitions(v2):
    cb = v2.codebook.set_index("id")
    # EX-PD's barrier pole is disconnected one-off learning: its negative example must not exclude that
    assert "workshop" not in cb.loc["EX-PD", "negative_example"].lower()
    assert "one-off" in cb.loc["EX-PD", "use_when"]
    # CN-TRUST's example is reliance on others, not an admission of failure (LM-RISK's use_when)
    assert not re.search(r"flop|fail", cb.loc["CN-TRUST", "example"].lower())
    assert "LM-RISK" in cb.loc["CN-TRUST", "do_not_use_when"]
    assert "CN-TRUST" in cb.loc["LM-RISK", "do_not_use_when"]
    # LM-EVIDENCE is one person's learning; team examination of student work is OS (OS12)
    assert "OS-PLC" in cb.loc["LM-EVIDENCE", "do_not_use_when"]
    assert not cb.loc["LM-EVIDENCE", "example"].startswith("We ")
    assert "LM-EVIDENCE" not in cb.loc["OS-SCHED", "negative_example"]


def test_co_coding_rule_names_the_os_impact_exception(v2):
    rule = next(r["rule"] for r in v2.coding_rules if r["id"] == "CO-CODING")
    assert "OS-IMPACT" in rule


# ------------------------------------------------------------- valence rule
HEADER = ["excerpt_id", "interview_id", "school", "role", "coder", "code", "text", "valence"]
ROWS = [
    ["e1", "i1", "S1", "teacher", "ana", "CN-VOICE", "Nobody asked us.", "barrier"],
    ["e2", "i1", "S1", "teacher", "ana", "OS-SCHED", "Tuesday afternoons the teams meet.", ""],
    ["e3", "i1", "S1", "teacher", "ana", "BAR-MANDATE", "It came by email.", ""],
]


def _table(rows=ROWS, header=HEADER) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=header)


def _blank_valence_problem(problems, file_name):
    hit = [p for p in problems if p.column == "valence" and "no valence" in p.message]
    assert len(hit) == 1, [str(p) for p in problems]
    p = hit[0]
    assert file_name in p.file and "OS-SCHED" in p.message and "e2" in p.message
    assert "strength" in p.fix and "barrier" in p.fix
    return p


def test_blank_valence_is_an_error_in_csv(tmp_path, v2):
    f = tmp_path / "c.csv"
    _table().to_csv(f, index=False)
    p = _blank_valence_problem(validate_codings(f, v2), "c.csv")
    assert p.row == 3  # header is row 1
    with pytest.raises(DataError, match="no valence"):
        read_codings(f, v2)
    # BAR-MANDATE is fixed to barrier, so its blank valence is filled in and not reported


def test_blank_valence_is_an_error_in_xlsx(tmp_path, v2):
    f = tmp_path / "c.xlsx"
    _table().to_excel(f, index=False)
    p = _blank_valence_problem(validate_codings(f, v2), "c.xlsx")
    assert p.row == 3


def test_missing_valence_column_names_the_column(tmp_path, v2):
    f = tmp_path / "c.csv"
    _table().drop(columns="valence").to_csv(f, index=False)
    probs = [p for p in validate_codings(f, v2) if p.column == "valence"]
    assert (
        probs and "no valence column" in probs[0].message and "add a column named 'valence'" in probs[0].fix
    )


def test_blank_valence_is_an_error_in_qdpx(tmp_path, v2):
    good = _table([r[:7] + ["strength" if r[5] == "OS-SCHED" else r[7]] for r in ROWS])
    src = tmp_path / "ok.csv"
    good.to_csv(src, index=False)
    c = read_codings(src, v2)
    # a QDA export whose OS-SCHED coding lost its valence note
    c.loc[c["code"] == "OS-SCHED", "valence"] = ""
    f = write_qdpx(c, tmp_path / "p.qdpx", v2)
    probs = validate_codings(f, v2)
    hit = [p for p in probs if p.column == "valence"]
    assert len(hit) == 1 and "p.qdpx" in hit[0].file and "OS-SCHED" in hit[0].message
    assert "selection" in hit[0].message  # the QDA place: source and selection
    with pytest.raises(DataError, match="no valence"):
        read_codings(f, v2)


def test_recorded_valences_and_old_codebooks_still_read(tmp_path, v2):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sample = read_codings(root / "data" / "codings.csv", v2)  # the bundled 2.0.0 sample records valence
    assert len(sample) > 300 and set(sample["valence"]) <= {"strength", "barrier"}
    assert len(read_codings(root / "tests" / "fixtures" / "qual" / "sample_codings.qdpx", v2)) == len(sample)
    # 1.0.0 codebooks state no valences: their coding files have no valence column and still read
    for name in ("codings.csv", "codings.xlsx", "codings.qdpx"):
        old = read_codings(root / "tests" / "fixtures" / "qual" / name, "1.0.0")
        assert len(old) > 100 and set(old["valence"]) == {""}, name
    assert len(read_codings(root / "tests" / "fixtures" / "v1_sample" / "codings.csv", "1.0.0")) > 300
    # an explicit opt-out reads a blank as "not recorded", for files that predate the rule
    f = tmp_path / "c.csv"
    _table().to_csv(f, index=False)
    c = read_codings(f, v2, require_valence=False)
    assert c.set_index("excerpt_id").loc["e2", "valence"] == ""
    assert c.set_index("excerpt_id").loc["e3", "valence"] == "barrier"
