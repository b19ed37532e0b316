"""Interview privacy: site rule (enough interviews and no single interviewee in a role), role phrases, bands."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from assetinv import load_instrument
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
    # B passes the site rule, but code_tallies hides it to protect A (the network tally minus B and C would
    # give A's counts): the joint display must hide it too, or its top-code counts would undo that
    assert jb["interviews_suppressed"].str.startswith("complementary").all() and jb["n_excerpts"].isna().all()
    tal = code_tallies(_codings(), "school")
    assert joint_display(prof, _codings(), school="B", tallies=tal)["interviews_suppressed"].equals(
        jb["interviews_suppressed"]
    )
    jc = joint_display(prof, _codings(), school="C")
    assert jc["interviews_suppressed"].fillna("").eq("").all() and jc["n_excerpts"].notna().all()
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


def _two_site_codings() -> pd.DataFrame:
    """Two schools of five interviews each (3 teachers, 2 leaders). In every school the first domain's first
    code is in one excerpt, the second domain's first code in two (one a strength), the third domain's in four,
    the fourth domain's in all five.
    """
    import assetinv

    cb = assetinv.load_instrument().codebook
    doms = list(dict.fromkeys(cb["domain"].replace("", pd.NA).dropna()))[:4]
    code = {d: cb.loc[cb["domain"] == d, "id"].iloc[0] for d in doms}
    rows = []
    for school in ("C", "D"):
        ivs = [f"{school}{k}" for k in range(5)]
        roles = ["teacher"] * 3 + ["leader"] * 2
        plan = [(doms[0], ivs[:1]), (doms[1], ivs[:2]), (doms[2], ivs[:4]), (doms[3], ivs)]
        for d, who in plan:
            for k, iv in enumerate(who):
                rows.append(
                    {
                        "excerpt_id": f"{iv}-{d}",
                        "interview_id": iv,
                        "school": school,
                        "role": roles[ivs.index(iv)],
                        "coder": "ana",
                        "code": code[d],
                        "valence": "strength" if k == 0 else "",
                        "text": "We plan the labs together on Fridays.",
                    }
                )
    return pd.DataFrame(rows), doms


def test_joint_display_bands_counts_that_could_be_one_person():
    """n_excerpts / n_strength / n_barrier of 1-2 and the counts in the code lists are "1+" (issue 12.3)."""
    cod, doms = _two_site_codings()
    prof = pd.DataFrame({"school": "C", "domain": doms, "mean": [3.5, 3.9, 4.1, 2.9], "status": "typical"})
    exact = joint_display(prof, cod, school="C").set_index("domain")
    assert exact.loc[doms, "n_excerpts"].tolist() == [1, 2, 4, 5]  # the library default stays exact
    jd = joint_display(prof, cod, school="C", band=True).set_index("domain")
    assert jd.loc[doms, "n_excerpts"].tolist() == ["1+", "1+", 4, 5]
    assert jd.loc[doms, "n_strength"].tolist() == ["1+"] * 4
    assert jd.loc[doms, "n_barrier"].tolist() == [0] * 4
    for col in ("top_codes", "strengths", "evidence"):
        text = " ".join(jd[col].astype(str))
        assert not re.search(r"\((?:1|2)\)|\b[12] interview excerpt", text), (col, text)
    assert jd.loc[doms[0], "top_codes"].endswith("(1+)") and jd.loc[doms[2], "top_codes"].endswith("(4)")
    assert "1+ interview excerpts" in jd.loc[doms[0], "evidence"]
    assert "4 interview excerpts" in jd.loc[doms[2], "evidence"]
    net = joint_display(prof, cod, band=True)  # the network is never banded
    assert net.set_index("domain").loc[doms, "n_excerpts"].tolist() == [2, 4, 8, 10]


def test_joint_display_figure_draws_a_band_not_the_count():
    """The figure of a banded table: no crash, alt text says "1+", and 1 and 2 excerpts draw the same bar."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from assetinv.figures import joint_display_figure

    cod, doms = _two_site_codings()
    prof = pd.DataFrame({"school": "C", "domain": doms, "mean": [3.5, 3.9, 4.1, 2.9], "status": "typical"})
    jd = joint_display(prof, cod, school="C", band=True)
    fig = joint_display_figure(jd)
    assert fig.alt_text.count("1+ excerpts") == 2 and "4 excerpts" in fig.alt_text
    assert not re.search(r"\b[12] excerpts", fig.alt_text)
    ax = fig.axes[1]
    widths = [round(p.get_width(), 6) for p in ax.patches]
    assert widths == [1.0, 1.0, 4.0, 5.0]  # rows are drawn top-down in table order; 1 and 2 look the same
    labels = [t.get_text() for t in ax.texts]
    assert sum(lab.startswith("1+ excerpts") for lab in labels) == 2
    fig.savefig(io.BytesIO(), format="svg")


def test_report_publishes_banded_school_counts_everywhere(tmp_path):
    """With two interviews per role at every school, the school counts of 1-2 are "1+" in the CSV, the XLSX,
    the school page's table, sentence and figure (alt text), and no such count is published exactly.
    """
    import openpyxl

    from assetinv.cli import main
    from assetinv.privacy import MIN_INTERVIEWS
    from assetinv.simulate import write_sample

    data = tmp_path / "data"
    write_sample(
        data,
        seed=7,
        n_schools=4,
        n_districts=1,
        respondents_per_school=8,
        waves=("baseline",),
        n_interviews=8,
    )
    c = pd.read_csv(data / "codings.csv", dtype=str, keep_default_na=False)
    # one school and domain keeps a single excerpt, so some published count is 1 or 2 (to be banded)
    dom = c["code"].map(load_instrument().codebook.set_index("id")["domain"]).fillna("")
    s0, d0 = c["school"].iloc[0], dom.iloc[0]
    cell = (c["school"] == s0) & (dom == d0)
    c = c[~cell | (c["excerpt_id"] == c.loc[cell, "excerpt_id"].iloc[0])]
    twin = c.assign(excerpt_id=c["excerpt_id"] + "b", interview_id=c["interview_id"] + "b")
    pd.concat([c, twin[twin.index % 2 == 0]]).to_csv(data / "codings.csv", index=False)
    out = tmp_path / "out"
    assert main(["report", "--data", str(data), "--out", str(out), "--quiet"]) == 0
    jd = pd.read_csv(out / "tables" / "joint_display_schools.csv", dtype=str, keep_default_na=False)
    shown = jd[jd["interviews_suppressed"] == ""]
    assert len(shown) and (shown["n_excerpts"] == "1+").any()
    small = {str(k) for k in range(1, MIN_INTERVIEWS + 1)}
    for col in ("n_excerpts", "n_strength", "n_barrier"):
        assert not shown[col].isin(small).any(), col
    for col in ("top_codes", "strengths", "barriers", "evidence"):
        text = " ".join(shown[col])
        assert not re.search(r"\([12]\)|\b[12] interview excerpt", text), col
    ws = openpyxl.load_workbook(out / "assetinv_tables.xlsx")["joint_display_schools"]
    rows = list(ws.iter_rows(values_only=True))
    col = jd.columns.get_loc("n_excerpts")
    assert [("" if r[col] is None else str(r[col])) for r in rows[1:]] == jd["n_excerpts"].tolist()
    school = shown["school"].iloc[shown.index.get_loc(shown.index[shown["n_excerpts"] == "1+"][0])]
    html = (out / "schools" / f"{school}.html").read_text(encoding="utf-8")
    assert "(1+ coded excerpts)" in html and "1+ excerpts" in html  # the sentence and the figure's alt text
    assert not re.search(r"\((?:1|2) coded excerpts?\)|\b[12] excerpts, most frequent", html)


def test_tally_strength_and_barrier_counts_are_banded():
    """code_tallies_schools: n_strength / n_barrier of 1-2 at a shown school are "1+" like n_excerpts."""
    from assetinv.disclosure import _band_interview_counts

    cod, _ = _two_site_codings()
    tal = code_tallies(cod, "school")
    assert tal["n_strength"].isin([1, 2]).any()
    ctx = SimpleNamespace(tables={"code_tallies_schools": tal})
    _band_interview_counts(ctx)
    t = ctx.tables["code_tallies_schools"]
    for col in ("n_strength", "n_barrier", "n_excerpts", "n_interviews"):
        assert not t[col].astype(str).isin(["1", "2", "1.0", "2.0"]).any(), col
    assert (t["n_strength"] == "1+").any() and (t["n_barrier"] == "0").any()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("In my role as AP I see it.", "In my role [as a staff member] I see it."),
        ("As principal, I sign every form.", "[as a staff member], I sign every form."),
        ("As head of department I plan.", "[as a staff member] I plan."),
        ("Being the principal, I know.", "[as a staff member], I know."),
        ("As the science coach I visit.", "[as a staff member] I visit."),
        ("AS A PRINCIPAL I AGREE", "[as a staff member] I AGREE"),
        ("As a vice-principal I help.", "[as a staff member] I help."),
        ("As the school's only physics teacher I plan.", "[as a staff member] I plan."),
        ("Wearing my principal hat, I say no.", "[in my role], I say no."),
        # left alone: no self-description
        ("such as principal investigators", "such as principal investigators"),
        ("as coach schedules vary", "as coach schedules vary"),
        ("being principal is hard", "being principal is hard"),
    ],
)
def test_generalise_role_phrase_variants(text, expected):
    """Variants of finding 3's self-identifying phrases: no article, any case, hyphens, "in my role as"."""
    assert generalise_roles(text) == expected


@pytest.mark.parametrize(
    "said",
    [
        "I'm the only biology person in the building, so nobody knows what I do.",
        "I am the only one who teaches physics here.",
        "As the lone science specialist at this school, I plan alone.",
        "I was the sole STEM person on the staff that year.",
    ],
)
def test_being_the_only_one_in_a_subject_is_generalised(said):
    """'The only X person in the building' names its speaker as surely as a title does."""
    out = generalise_roles(said)
    assert not SELF_ROLE.search(out) and not re.search(r"\b(?:only|sole|lone)\b", out, re.I), out
    assert "[" in out  # replaced, not dropped
