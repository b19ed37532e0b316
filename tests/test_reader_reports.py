"""Reports that principals, CBO leads and funders read (issue 16): framing, wording, tables, CLI.

Renders the bundled sample once for three schools: S01 (every domain a growth area; change shown),
S03 (no strength; change suppressed by a low response rate) and S06 (strengths).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    from assetinv.report import build_reports

    o = tmp_path_factory.mktemp("reader") / "reports"
    build_reports(out=o, schools=["S01", "S03", "S06"], progress=False)
    return o


def _text(path: Path) -> str:
    h = path.read_text(encoding="utf-8")
    h = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", h, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h))


def _section(path: Path, sid: str) -> str:
    m = re.search(rf'<section id="{sid}".*?</section>', path.read_text(encoding="utf-8"), flags=re.S)
    assert m, f"no section {sid} in {path.name}"
    return m.group(0)


PAGES = ["index.html", "network.html", "schools/S01.html", "schools/S03.html", "schools/S06-summary.html"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_a_simulated_study_has_the_banner(out, page):
    html = (out / page).read_text(encoding="utf-8")
    assert re.search(r'<div class="banner" role="note"><strong>Simulated data\.</strong>', html)
    assert html.index('class="banner"') < html.index("<h1")


def test_the_banner_follows_the_config():
    from assetinv.report.reading import banner_html, is_simulated

    real = SimpleNamespace(config={"simulated": False}, data_dir=ROOT / "docs")
    sim = SimpleNamespace(config={"simulated": True}, data_dir=ROOT / "docs")
    assert not is_simulated(real) and banner_html(real) == ""
    assert is_simulated(sim) and "Simulated data" in banner_html(sim)
    assert is_simulated(SimpleNamespace(config={}, data_dir=ROOT / "data"))  # truth.json beside study.yaml


@pytest.mark.parametrize(
    "page,sid",
    [
        ("schools/S01.html", "change"),
        ("schools/S03.html", "change"),
        ("network.html", "change"),
        ("schools/S06-summary.html", "at-a-glance"),
    ],
)
def test_change_is_not_impact_wherever_change_is_shown(out, page, sid):
    assert "Change is not impact" in _section(out / page, sid)


@pytest.mark.parametrize("school", ["S01", "S03", "S06"])
def test_school_reports_do_not_rank_schools(out, school):
    text = _text(out / "schools" / f"{school}.html") + _text(out / "schools" / f"{school}-summary.html")
    for pat in (r"(highest|lowest) of the \d+ schools", r"(higher|lower) than \d+ of the other", r"\brank"):
        assert not re.search(pat, text, flags=re.I), (school, pat)


def test_headings_follow_the_content(out):
    s03 = (out / "schools" / "S03.html").read_text(encoding="utf-8")
    s06 = (out / "schools" / "S06.html").read_text(encoding="utf-8")
    assert ">Suggested supports</h2>" in s03 and "build on" not in _section(
        out / "schools" / "S03.html", "supports"
    )
    assert ">Strengths to build on and suggested supports</h2>" in s06


def test_prose_uses_school_names_not_ids(out):
    page = out / "schools" / "S01.html"
    prose = " ".join(
        re.findall(r"<(?:p|li)[^>]*>(.*?)</(?:p|li)>", page.read_text(encoding="utf-8"), flags=re.S)
    )
    prose = re.sub(r"<[^>]+>", "", prose)
    assert "Maple Grove High School" in prose
    assert not re.search(r"\b(at|of) S01\b", prose)
    assert "at Maple Grove High School by" in prose  # the change readings, with the name


def test_one_visual_encoding_for_status(out):
    from assetinv.figures import _JOINT_STYLE as _STATUS_STYLE
    from assetinv.figures import STATUS_STYLE

    for s in ("asset", "typical", "growth area"):
        rgb = tuple(round(c * 255) for c in STATUS_STYLE[s]["color"])
        assert "#%02x%02x%02x" % rgb == _STATUS_STYLE[s][0], s
        assert _STATUS_STYLE[s][1] == ""  # no hatch for a status: colour + symbol, as in every other chart
    html = (out / "schools" / "S06.html").read_text(encoding="utf-8")
    assert '<span aria-hidden="true">\u25cf</span> Typical' in html or "\u25b2</span> Asset" in html


def test_supports_come_in_priority_order_with_reasons(out):
    sec = _section(out / "schools" / "S01.html", "supports")
    heads = re.findall(r"<h3>(First|Next|Later)</h3>", sec)
    assert heads == ["First", "Next", "Later"]
    first = sec[sec.index("<h3>First</h3>") : sec.index("<h3>Next</h3>")]
    assert first.count("<li>") == 1 and "Reason:" in first
    nxt = sec[sec.index("<h3>Next</h3>") : sec.index("<h3>Later</h3>")]
    assert nxt.count("<li>") == nxt.count("Reason:") >= 1


def test_support_plan_rule():
    from assetinv.report.reading import support_plan

    recs = pd.DataFrame(
        {
            "domain": ["EX", "EX", "OS", "CN"],
            "kind": ["grow", "grow", "grow", "build on"],
            "status": ["growth area", "growth area", "growth area", "asset"],
            "support": ["e1", "e2", "o1", "c1"],
        }
    )
    prof = pd.DataFrame(
        {
            "domain": ["EX", "OS", "CN"],
            "mean": [2.9, 2.4, 4.3],
            "status": ["growth area", "growth area", "asset"],
            "suppressed": "",
        }
    )
    plan = support_plan(recs, prof, {"EX": "Expertise", "OS": "Structures", "CN": "Norms"})
    assert plan[["support", "priority"]].values.tolist() == [
        ["o1", "first"],
        ["e1", "next"],
        ["c1", "next"],
        ["e2", "later"],
    ]
    assert plan["reason"].str.len().gt(10).all()
    assert "most in need" in plan["reason"].iloc[0]


def test_threshold_uncertainty_is_said_and_no_rank():
    from assetinv.report.reading import plain_sentence

    r = {
        "suppressed": "",
        "mean": 2.98,
        "ci_low": 2.7,
        "ci_high": 3.25,
        "network_mean": 3.1,
        "diff_low": -0.4,
        "diff_high": 0.2,
        "status": "growth area",
    }
    s = plain_sentence(r, "Expertise")
    assert "includes the 3.0 standard" in s and "not certain" in s and "of the" not in s.split("network")[0]


def test_summary_page_has_its_four_parts(out):
    sec = _section(out / "schools" / "S06-summary.html", "at-a-glance")
    assert sec.count('<svg role="img"') == 1  # the profile chart
    strengths = re.search(r'<ul class="strengths">(.*?)</ul>', sec, flags=re.S).group(1)
    assert 2 <= strengths.count("<li>") <= 3
    assert 'class="first-support"' in sec and "Why first:" in sec
    assert "Since baseline" in sec or "Change since baseline is not" in sec
    idx = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="schools/S06-summary.html"' in idx


def test_plain_words_and_technical_notes(out):
    page = out / "schools" / "S01.html"
    main = re.sub(
        r'<section id="technical-notes".*?</section>', "", page.read_text(encoding="utf-8"), flags=re.S
    )
    main = re.sub(r"<svg.*?</svg>", "", main, flags=re.S)
    for term in ("ICC(2)", "Omega", "Coder agreement (α)", "MixedLM", "Krippendorff"):
        assert term not in main, f"{term!r} outside the technical notes"
    notes = _section(page, "technical-notes")
    for h in ("Methods in plain words", "Model specification", "Glossary"):
        assert h in notes
    assert notes.index("Methods in plain words") < notes.index("Model specification")
    assert "% agree</dt>" in notes and "% agree is the share" in _section(page, "profile")
    prof = _section(page, "profile")
    for head in ("School mean", "District mean", "Network mean", "% agree (school)"):
        assert head in prof


def test_network_change_note_no_longer_contradicts_the_school_table(out):
    sec = _section(out / "network.html", "change")
    assert "so no wave slope" not in sec  # the model note moved to the technical notes, explained in words
    assert "read with care" in sec
    assert "Districts compared" in (out / "network.html").read_text(encoding="utf-8")
    assert "(all responses)" not in (out / "network.html").read_text(encoding="utf-8")


def test_item_detail_on_school_and_network_pages(out):
    for page in ("schools/S01.html", "network.html"):
        sec = _section(out / page, "items")
        assert 'id="fig-items-fig"' in sec and "Diverging stacked bars" in sec
    t = pd.read_csv(out / "tables" / "item_distribution.csv")
    assert {"school", "district", "network"} == set(t["level"])
    assert {"pct_1", "pct_5", "pct_agree", "school_name" if "school_name" in t else "group_name"} <= set(
        t.columns
    )


def test_item_distributions_leave_out_the_forms_of_other_roles(out):
    """School staff's item table has no rows for district-form items (nobody it pools can answer them);
    leader-form items stay, with their suppression."""
    from assetinv.instrument import load_instrument

    inst = load_instrument()
    t = pd.read_csv(out / "tables" / "item_distribution.csv")
    district_only = {i for i, r in inst.item_roles.items() if set(r) == {"district"}}
    assert len(district_only) == 18 and not district_only & set(t["item"])
    assert set(inst.item_ids(role="leader")) | set(inst.item_ids(role="teacher")) == set(t["item"])
    assert "fewer than 5" in " ".join(t.loc[t["item"] == "OS32", "suppressed"].astype(str))


def test_district_supports_follow_the_district_items(out):
    """Supports the district acts on are also triggered by leader- and district-form items flagged in the
    school's district (leaders and district staff pooled); no other support cites district items."""
    import re

    from assetinv.instrument import load_instrument

    inst = load_instrument()
    rec = pd.read_csv(out / "tables" / "recommendations.csv").fillna("")
    cited = rec[rec["triggered_by"].str.contains("in the district (leaders and district staff)", regex=False)]
    assert len(cited) and (cited["who_acts"] == "district").all()
    off_school_form = set(inst.item_ids(role="leader")) - set(inst.item_ids(role="teacher"))
    off_school_form |= set(inst.item_ids(role="district"))
    for why in cited["triggered_by"]:
        part = why.split("in the district (leaders and district staff):", 1)[1]
        named = set(re.findall(r"\b(?:EX|LM|CN|OS)\d\d\b", part.split(";")[0]))
        assert named and named <= off_school_form, why
    assert "OS-S8" in set(cited["support_id"])  # principal and coach groups: OS25, OS29 flagged in D1


def test_item_distributions_never_let_a_suppressed_school_be_recovered():
    import numpy as np

    from assetinv.instrument import load_instrument
    from assetinv.item_detail import item_distributions

    inst = load_instrument()
    rng = np.random.default_rng(1)
    rows = []
    for school, n in (("A", 12), ("B", 9), ("C", 3)):  # C is too small
        for i in range(n):
            rows.append(
                {
                    "respondent_id": f"{school}{i}",
                    "school": school,
                    "district": "D1",
                    "role": "teacher",
                    "wave": "baseline",
                    **{it: int(rng.integers(1, 6)) for it in inst.item_ids()},
                }
            )
    r = pd.DataFrame(rows)
    t = item_distributions(r, inst, min_n=5)
    c = t[(t["level"] == "school") & (t["group"] == "C")]
    assert c["pct_agree"].isna().all() and (c["suppressed"] != "").all()
    first = inst.item_ids()[0]
    d = t[(t["level"] == "district") & (t["item"] == first)].iloc[0]
    assert d["n"] == 21 and d["n_schools"] == 2  # district = shown schools only: subtraction recovers nothing
    net = t[(t["level"] == "network") & (t["item"] == first)].iloc[0]
    assert net["n"] == 21


def test_tables_have_names_integers_readable_headers_and_a_dictionary(out):
    import openpyxl

    prof = pd.read_csv(out / "tables" / "asset_profile.csv")
    cols = list(prof.columns)
    assert cols[cols.index("school") + 1] == "school_name"
    assert (prof.loc[prof["school"] == "S01", "school_name"] == "Maple Grove High School").all()
    for f in (out / "tables").glob("*.csv"):
        text = f.read_text(encoding="utf-8")
        df = pd.read_csv(f)
        for c in df.columns:
            if re.fullmatch(r"n|n_\w+|invited|responded|rows", c):
                assert not re.search(r"(^|,)\d+\.0(,|$)", "\n".join(df[c].dropna().astype(str))), (f.name, c)
        assert text
    wb = openpyxl.load_workbook(out / "assetinv_tables.xlsx", read_only=True)
    assert "data dictionary" in wb.sheetnames
    ws = wb["asset_profile"]
    heads = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert "School name" in heads and "95% CI low" in heads and "ci_low" not in heads
    dd = list(wb["data dictionary"].iter_rows(values_only=True))
    assert dd[0] == ("Sheet", "Column", "Header", "Description")
    described = {(r[0], r[1]) for r in dd[1:] if r[3]}
    for name in wb.sheetnames:
        if name == "data dictionary":
            continue
        csv_cols = (
            pd.read_csv(out / "tables" / f"{name}.csv", nrows=0).columns
            if (out / "tables" / f"{name}.csv").exists()
            else []
        )
        for c in csv_cols:
            assert (name, c) in described, f"{name}.{c} is not in the data dictionary"
    fallback = [r for r in dd[1:] if "see docs/reports.md" in str(r[3])]
    assert fallback == [], f"columns without a written description: {fallback}"


def test_cli_no_arguments_prints_help_and_exits_2():
    from assetinv.cli import main

    assert main([]) == 2
    p = subprocess.run(
        [sys.executable, "-m", "assetinv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert p.returncode == 2 and "usage: assetinv" in p.stderr


@pytest.mark.parametrize("cmd", [[], ["report"], ["validate"], ["simulate"], ["map"]])
def test_every_help_has_examples(cmd, capsys):
    from assetinv.cli import main

    with pytest.raises(SystemExit) as e:
        main([*cmd, "--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "assetinv " in text.split("examples:")[1]


def test_report_prints_a_summary_on_success(tmp_path, capsys):
    from assetinv.cli import main
    from assetinv.simulate import write_sample

    write_sample(
        tmp_path / "d", seed=3, n_schools=3, n_districts=1, respondents_per_school=10, n_interviews=4
    )
    assert main(["report", "--data", str(tmp_path / "d"), "--out", str(tmp_path / "r"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"wrote 3 school report\(s\), the network summary and \d+ table\(s\)", printed)
    assert str((tmp_path / "r" / "index.html").resolve()) in printed
