"""Interview privacy: site rule (enough interviews and no single interviewee in a role), role phrases, bands."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from assetinv.privacy import band_count, generalise_roles, interview_site_reasons
from assetinv.qualitative import code_tallies, exemplar_quotes, joint_display

SELF_ROLE = re.compile(
    r"\b(?:as (?:an?|the) (?:assistant |vice )?(?:principal|AP|head|teacher|leader)|my teachers|"
    r"I(?:'m| am) the (?:only|principal))\b",
    re.I,
)


def _codings() -> pd.DataFrame:
    rows = []
    # school A: one teacher and one leader interview (the sample's case); B: two of each
    plan = {
        "A": [("a1", "teacher"), ("a2", "leader")],
        "B": [("b1", "teacher"), ("b2", "teacher"), ("b3", "leader"), ("b4", "leader")],
        "C": [("c1", "teacher"), ("c2", "teacher"), ("c3", "teacher"), ("c4", "leader"), ("c5", "leader")],
    }
    for school, ivs in plan.items():
        for iv, role in ivs:
            for k, code in enumerate(["EX-SHARE", "OS-PLC"]):
                text = (
                    "As a principal I notice this every week."
                    if role == "leader" and k == 0
                    else "My teachers plan labs together on Fridays."
                )
                rows.append(
                    {
                        "excerpt_id": f"{iv}-{k}",
                        "interview_id": iv,
                        "school": school,
                        "role": role,
                        "coder": "ana",
                        "code": code,
                        "text": text,
                        "exemplary": k == 0,
                    }
                )
    return pd.DataFrame(rows)


def test_site_reasons():
    why = interview_site_reasons(_codings())
    assert why["B"] == ""
    assert "single leader interview" in why["A"] and "single teacher interview" in why["A"]
    one = _codings().query("interview_id == 'b1'")
    assert interview_site_reasons(one)["B"] == "fewer than 2 interviews"


def test_code_tallies_hide_a_site_with_a_single_leader():
    t = code_tallies(_codings(), "school")
    a, b, c = (t[t["school"] == s] for s in "ABC")
    assert (a["suppressed"].str.contains("single leader")).all() and a["n_interviews"].isna().all()
    # A alone under a published network tally: the smaller of B and C is hidden too (complementary)
    assert b["suppressed"].str.startswith("complementary").all() and b["n_interviews"].isna().all()
    assert (c["suppressed"].fillna("") == "").all() and c["n_interviews"].notna().all()
    assert (code_tallies(_codings(), "school", min_n=1)["school"] == "A").any()  # the rows stay


def test_joint_display_and_quotes():
    prof = pd.DataFrame(
        {"school": ["A", "B"], "domain": ["EX", "EX"], "mean": [3.5, 3.9], "status": ["typical", "typical"]}
    )
    ja = joint_display(prof, _codings(), school="A")
    assert "single" in ja["interviews_suppressed"].iloc[0]
    assert ja["exemplar_quote"].fillna("").eq("").all() and ja["n_excerpts"].isna().all()
    jb = joint_display(prof, _codings(), school="B")
    assert jb["interviews_suppressed"].fillna("").eq("").all()
    q = exemplar_quotes(_codings())
    assert len(q) and not q["quote"].str.contains(SELF_ROLE).any()
    assert q["quote"].str.contains(r"\[as a staff member\]", regex=True).any()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("As a principal I notice this.", "[as a staff member] I notice this."),
        ("As the AP, I sign off.", "[as a staff member], I sign off."),
        ("as an assistant principal we meet.", "[as a staff member] we meet."),
        ("My teachers are tired.", "[the school's staff] are tired."),
        ("As the only chemistry teacher, I plan alone.", "[as a staff member], I plan alone."),
        ("I'm the only physics teacher here.", "I am [a staff member] here."),
        ("As a first-year teacher I asked a lot.", "[as a staff member] I asked a lot."),
        ("As a result we changed the schedule.", "As a result we changed the schedule."),
        ("We met as a department.", "We met as a department."),
    ],
)
def test_generalise_roles(text, expected):
    assert generalise_roles(text) == expected


def test_bands():
    from assetinv.disclosure import _band_interview_counts

    assert [band_count(x) for x in (0, 1, 2, 3, float("nan"))] == ["0", "1+", "1+", "3", ""]
    tal = code_tallies(_codings(), "school")
    rec = pd.DataFrame(
        {"evidence": ["Expertise: 3.9 of 5; interviews: Expertise shared (1 excerpt), Labs (3 excerpts)"]}
    )
    jd = pd.DataFrame(
        {"top_codes": ["Expertise shared (2); Labs (4)"], "evidence": ["... most often: Labs (1)"]}
    )
    ctx = SimpleNamespace(
        tables={"code_tallies_schools": tal, "recommendations": rec, "joint_display_schools": jd}
    )
    _band_interview_counts(ctx)
    c = ctx.tables["code_tallies_schools"].query("school == 'C' and code == 'EX-SHARE'").iloc[0]
    assert c["n_interviews"] == "5"  # all 5 interviews mention it: exact
    zero = ctx.tables["code_tallies_schools"].query("school == 'C' and n_interviews == '0'")
    assert len(zero) and (zero["share_interviews"] == 0).all()
    one = code_tallies(
        _codings().query("not (interview_id in ['c2', 'c3', 'c5'] and code == 'OS-PLC')"), "school"
    )
    ctx1 = SimpleNamespace(tables={"code_tallies_schools": one})
    _band_interview_counts(ctx1)
    small = ctx1.tables["code_tallies_schools"].query("school == 'C' and code == 'OS-PLC'")
    assert small["n_interviews"].tolist() == ["1+"] and small["share_interviews"].isna().all()
    assert ctx.tables["recommendations"]["evidence"][0].endswith("(1+ excerpts), Labs (3 excerpts)")
    assert ctx.tables["joint_display_schools"]["top_codes"][0] == "Expertise shared (1+); Labs (4)"
    assert ctx.tables["joint_display_schools"]["evidence"][0].endswith("Labs (1+)")


def test_sample_has_no_attributable_interview_evidence():
    """Every sample school has one teacher and one leader interview: no per-school themes, quotes or counts."""
    from assetinv.report import load_context

    ctx = load_context()
    tal = ctx.tables["code_tallies_schools"]
    assert (tal["suppressed"].fillna("") != "").all()
    assert len(ctx.tables["quotes"]) == 0
    jd = ctx.tables["joint_display_schools"]
    assert (jd["interviews_suppressed"].fillna("") != "").all()
    net = ctx.tables["joint_display_network"]
    assert not net["exemplar_quote"].fillna("").str.contains(SELF_ROLE).any()
