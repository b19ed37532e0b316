"""The report's sections: what each part of a school report, the network summary and the index says.

Each function takes the run's :class:`~assetinv.report.context.ReportContext`
and returns a :class:`~assetinv.report.blocks.Section` built from slices of
``ctx.tables``; the wording written for principals, CBO leads and funders comes
from :mod:`assetinv.report.reading`. :func:`school_report_sections` and
:func:`network_sections` give the sections of a page in reading order.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
import scipy

from .._version import __version__
from ..errors import DataError, Problem
from ..privacy import MIN_RESPONSE_RATE
from .blocks import (
    Section,
    _ci,
    _figure,
    _h3,
    _join,
    _p,
    _rows,
    _short,
    _signed,
    _status_html,
    esc,
    html_table,
)
from .context import ReportContext, school_file_name
from .reading import (
    NOT_IMPACT,
    _glossary_html,
    _model_spec,
    _network_district_means,
    _plain_methods,
    name_ids,
    net_districts,
    plain_sentence,
    section_items,
    support_plan,
)

__all__ = ["change_headline", "index_sections", "network_sections", "school_report_sections"]


# ====================================================================== school sections
def school_report_sections(ctx: ReportContext, school: str) -> list[Section]:
    """The sections of one school's report, in reading order.

    ``summary, profile, supports, items, change, gaps, interviews,
    technical-notes`` (the appendix: methods in plain words, model
    specification, glossary, dependability, data quality, provenance). Each is
    a :class:`Section`; the notebook ``06_school_report.ipynb`` displays
    exactly these.

    Examples
    --------
    >>> from assetinv.report import load_context
    >>> ctx = load_context()  # doctest: +SKIP
    >>> [s.id for s in school_report_sections(ctx, "S01")]  # doctest: +SKIP
    ['summary', 'profile', 'supports', 'change', 'gaps', 'items', 'interviews', 'technical-notes']
    """
    school = str(school)
    if school not in ctx.school_ids:
        raise DataError(
            Problem(
                file="schools",
                message=f"unknown school id '{school}'",
                fix=f"use one of: {', '.join(ctx.school_ids)}",
            )
        )
    return [
        section_summary(ctx, school),
        section_profile(ctx, school),
        section_supports(ctx, school),
        section_change(ctx, school),
        section_gaps(ctx, school),
        section_items(ctx, school),
        section_interviews(ctx, school),
        section_technical_notes(ctx, school),
    ]


def _school_change(ctx: ReportContext, school: str) -> pd.DataFrame:
    ch = ctx.tables.get("change", pd.DataFrame())
    return _rows(ch, "scope", school)


def _inst_name(ctx: ReportContext) -> str:
    """The instrument's own name, for sentences ("answered the <name> at baseline")."""
    return str(getattr(ctx.instrument, "name", "") or "survey")


def section_summary(ctx: ReportContext, school: str) -> Section:
    """One plain-language paragraph: profile, change and what to build on."""
    name = ctx.school_name(school)
    prof = _rows(ctx.tables["asset_profile"], "school", school)
    short = ctx.results["domain_short"]
    shown = prof[prof["suppressed"].fillna("") == ""] if len(prof) else prof
    parts: list[str] = []
    if len(shown) == 0:
        reason = prof["suppressed"].iloc[0] if len(prof) else "no survey responses"
        parts.append(
            f"Too few staff at {name} answered the {_inst_name(ctx)} at baseline to report its scores "
            f"({reason}); this protects respondents' privacy. The network summary and the interview themes "
            "below still describe the partnership's starting point."
        )
    else:
        n = int(shown["n"].max())
        n_schools = (
            int(shown["n_schools"].max())
            if "n_schools" in shown and shown["n_schools"].notna().any()
            else None
        )
        assets = [short.get(d, d) for d in shown.loc[shown["status"] == "asset", "domain"]]
        growth = [short.get(d, d) for d in shown.loc[shown["status"] == "growth area", "domain"]]
        typical = [short.get(d, d) for d in shown.loc[shown["status"] == "typical", "domain"]]
        lead = f"{n} teachers and leaders at {name} answered the {_inst_name(ctx)} at baseline"
        if n_schools:
            lead += f", and their answers were compared with the {n_schools - 1} other schools in the network"
        parts.append(lead + ".")
        if assets:
            parts.append(
                f"The school's clearest {'strength is' if len(assets) == 1 else 'strengths are'} "
                f"{_join(assets)}."
            )
        else:
            parts.append("No domain stands out as a clear strength yet.")
        if growth:
            parts.append(f"{_join(growth)} {'is the area' if len(growth) == 1 else 'are the areas'} to grow.")
        if typical:
            parts.append(f"{_join(typical)} {'is' if len(typical) == 1 else 'are'} close to the network.")
        best = shown.sort_values(["mean", "domain"], ascending=[False, True], kind="mergesort").iloc[0]
        parts.append(
            f"Staff rated {short.get(best['domain'], best['domain'])} highest "
            f"({float(best['mean']):.1f} on a 1 to 5 scale)."
        )
    ch = _school_change(ctx, school)
    if len(ch):
        ok = ch[ch["suppressed"].fillna("") == ""]
        if len(ok) == 0:
            parts.append(change_headline(ctx, school))
        else:
            parts.append(
                change_headline(ctx, school) + " (a change, not proof of impact: see Change since baseline)."
            )
    plan = _support_plan(ctx, school)
    if len(plan):
        first = plan.iloc[0]
        parts.append(f"The suggested first support is {first['support']}: {first['reason']}")
    html = _p(" ".join(parts), "summary")
    html += _p(
        "Scores are averages on a 1 (strongly disagree) to 5 (strongly agree) scale; “strength” (asset), "
        "“typical” and “growth area” compare the school with the network and with fixed standards (see the "
        "technical notes).",
        "note",
    )
    return Section("summary", "Summary", html)


def change_headline(ctx: ReportContext, school: str) -> str:
    """One sentence on this school's change since baseline, in names, not ids."""
    short = ctx.results["domain_short"]
    ch = _school_change(ctx, school)
    if len(ch) == 0:
        return "Change since baseline is not available (only one survey wave)."
    ok = ch[ch["suppressed"].fillna("") == ""]
    if len(ok) == 0:
        return "Change since baseline is not shown because too few staff answered in one of the waves."
    up = [short.get(d, d) for d in ok.loc[ok["ci_low"] > 0, "domain"]]
    down = [short.get(d, d) for d in ok.loc[ok["ci_high"] < 0, "domain"]]
    bits = []
    if up:
        bits.append(f"{_join(up)} rose clearly")
    if down:
        bits.append(f"{_join(down)} fell clearly")
    if not bits:
        return "Since baseline, no domain changed clearly"
    return "Since baseline, " + "; ".join(bits)


def _support_plan(ctx: ReportContext, school: str) -> pd.DataFrame:
    recs = _rows(ctx.tables.get("recommendations", pd.DataFrame()), "school", school)
    prof = _rows(ctx.tables["asset_profile"], "school", school)
    return support_plan(recs, prof, ctx.results["domain_short"]) if len(recs) else recs


def _district_mean_column(ctx: ReportContext, school: str, prof: pd.DataFrame) -> pd.Series:
    dm = _network_district_means(ctx)
    d = ctx.school_district(school)
    sub = dm[dm["district"].astype(str) == str(d)].set_index("domain")["district_mean"]
    out = prof["domain"].map(sub).astype("float64")
    return out.where(
        prof["suppressed"].fillna("").astype(str) == ""
    )  # a suppressed row shows no number at all


def section_profile(ctx: ReportContext, school: str) -> Section:
    """Asset profile with intervals against the network; sentence per domain; figure."""
    prof = _rows(ctx.tables["asset_profile"], "school", school)
    disp = pd.DataFrame(
        {
            "domain": prof["domain_short"] if "domain_short" in prof else prof["domain_name"],
            "n": prof["n"],
            "mean": prof["mean"],
            "ci": [_ci(a, b) for a, b in zip(prof["ci_low"], prof["ci_high"])],
            "district_mean": _district_mean_column(ctx, school, prof) if len(prof) else [],
            "network_mean": prof["network_mean"],
            # the difference is from the other schools (leave-one-out, issue 11), so their mean is shown too
            "others_mean": prof["others_mean"] if "others_mean" in prof else prof["network_mean"],
            "diff": [_signed(x) for x in prof["diff"]],
            "diff_ci": [_ci(a, b) for a, b in zip(prof["diff_low"], prof["diff_high"])],
            "pct_favourable": prof.get("pct_favourable", pd.Series(np.nan, index=prof.index)),
            "status": [_status_html(s) for s in prof["status"]],
            "suppressed": prof["suppressed"],
        }
    )
    table = html_table(
        disp,
        columns={
            "domain": "Domain",
            "n": "Staff (n)",
            "mean": "School mean (1–5)",
            "ci": "95% interval",
            "district_mean": "District mean",
            "network_mean": "Network mean",
            "others_mean": "Other schools' mean",
            "diff": "School − other schools",
            "diff_ci": "95% interval of the difference",
            "pct_favourable": "% agree (school)",
            "status": "Status",
            "suppressed": "Not shown because",
        },
        digits={"n": 0, "pct_favourable": 0},
        raw_html=("status",),
        caption=f"Asset profile of {ctx.school_name(school)} at baseline (teachers and leaders)",
    )
    attrs = ctx.results.get("profile_attrs", {})
    short = ctx.results["domain_short"]
    sentences = "".join(
        "<li>"
        + esc(
            plain_sentence(
                r,
                short.get(r["domain"], r["domain"]),
                asset_at=float(attrs.get("asset_at", 4.0)),
                growth_below=float(attrs.get("growth_below", 3.0)),
            )
        )
        + "</li>"
        for r in prof.to_dict("records")
    )
    html = _p(
        "Each domain's average (mean) is shown with its 95% interval: the range the school's true average "
        "probably lies in, given how many staff answered. The difference from the network's other schools is "
        "clear when its interval does not include 0. School values are this school's teachers and leaders at "
        "baseline; the district mean pools the district's reported schools, the network mean every reported "
        "school, and the other schools' mean every reported school but this one."
    )
    html += table
    html += _p(
        "% agree is the share of the school's staff who answered Agree or Strongly agree, averaged over the "
        "domain's statements (statements worded the other way around are flipped first).",
        "note",
    )
    if sentences:
        html += f"<ul>{sentences}</ul>"
    html += profile_figure(
        ctx, school, "The school's domain means (dots, with 95% intervals) against the network means."
    )
    return Section("profile", "Asset profile", html, tables=["asset_profile"])


def profile_figure(ctx: ReportContext, school: str, caption: str) -> str:
    """The school's profile chart (drawn once, shown in its report and its one-page summary)."""
    return _figure(
        ctx,
        "school_profile_plot",
        "fig-profile",
        caption,
        ctx.tables["asset_profile"],
        school,
        title=f"{ctx.school_name(school)}: domains against the network",
        reuse=("profile", school),
    )


def section_supports(ctx: ReportContext, school: str) -> Section:
    """Suggested supports in order of priority (first, next, later), each with its reason.

    The heading follows the content: "Strengths to build on and suggested
    supports" only when the school has a strength to build on.
    """
    recs = _rows(ctx.tables.get("recommendations", pd.DataFrame()), "school", school)
    short = ctx.results["domain_short"]
    has_build = bool(len(recs)) and (recs["kind"] == "build on").any()
    title = "Strengths to build on and suggested supports" if has_build else "Suggested supports"
    if len(recs) == 0:
        return Section(
            "supports",
            title,
            _p("No support can be suggested: the school's profile is not reported."),
            tables=["recommendations"],
        )
    plan = _support_plan(ctx, school)
    html = _p(
        "Supports from the partnership playbook, matched to this school's profile and listed in order of "
        "priority: start with the first, take up the next ones as capacity allows, and keep the later ones "
        "in view. Each says why it is suggested."
    )
    labels = {"first": "First", "next": "Next", "later": "Later"}
    for pri in ("first", "next", "later"):
        part = plan[plan["priority"] == pri]
        if len(part) == 0:
            continue
        html += _h3(labels[pri])
        html += _later_supports_html(part, short) if pri == "later" else _support_items_html(part, pri, short)
    evid = recs.drop_duplicates("domain")
    evid = evid[evid["kind"] != "not reported"]
    if len(evid):
        html += (
            '<details class="evidence"><summary>The evidence behind each domain</summary><ul>'
            + _domain_evidence_items(evid, short)
            + "</ul></details>"
        )
    nr = recs[recs["kind"] == "not reported"]
    if len(nr):
        html += _h3("Domains not reported") + "<ul>" + _domain_evidence_items(nr, short) + "</ul>"
    return Section("supports", title, html, tables=["recommendations"])


def _later_supports_html(part: pd.DataFrame, short: dict) -> str:
    """The "later" supports: one line per domain, their descriptions folded away."""
    groups = []
    for dom in dict.fromkeys(part["domain"]):
        rows = part[part["domain"] == dom]
        groups.append(
            f"<li><strong>{esc(short.get(dom, dom))}:</strong> "
            + "; ".join(f"{esc(x)}" for x in rows["support"])
            + ".</li>"
        )
    return (
        _p("Other options, once the first and next supports are under way:")
        + '<ul class="supports later">'
        + "".join(groups)
        + "</ul>"
        + '<details class="screen-only"><summary>What the later supports involve</summary><ul>'
        + "".join(
            f"<li><strong>{esc(r['support'])}</strong>: {esc(r['description'])}</li>"
            for _, r in part.iterrows()
        )
        + "</ul></details>"
    )


def _support_items_html(part: pd.DataFrame, pri: str, short: dict) -> str:
    """The "first" (numbered) or "next" supports, each with its domain, status, reason and lever."""
    items = []
    for _, r in part.iterrows():
        lever = (
            f" <em>Why it can work here:</em> {esc(r['lever'])}" if str(r.get("lever") or "").strip() else ""
        )
        lever += _support_extras(r)
        items.append(
            f"<li><strong>{esc(r['support'])}</strong> ({esc(short.get(r['domain'], r['domain']))} "
            f"{_status_html(r['status'])}). {esc(r['description'])}"
            f'<br><span class="reason"><em>Reason:</em> {esc(r["reason"])}</span>{lever}</li>'
        )
    if pri == "first":
        return '<ol class="supports">' + "".join(items) + "</ol>"
    return '<ul class="supports">' + "".join(items) + "</ul>"


def _domain_evidence_items(rows: pd.DataFrame, short: dict) -> str:
    """``<li>`` items: each domain's short name and its evidence (or why it is not reported)."""
    return "".join(
        f"<li><strong>{esc(short.get(r['domain'], r['domain']))}</strong>: {esc(r['evidence'])}</li>"
        for _, r in rows.iterrows()
    )


def _support_extras(r) -> str:
    """Playbook 2.0.0 columns: who acts, why this school, and the evidence the support cites."""
    out = ""
    who = str(r.get("who_acts", "") or "").strip()
    if who:
        actor = {"cbo": "the CBO", "school": "the school", "district": "the district"}.get(who, who)
        out += f" <em>Who acts:</em> {esc(actor)}."
        if str(r.get("cbo_role", "") or "").strip():
            out += f" {esc(r['cbo_role'])}"
    if str(r.get("triggered_by", "") or "").strip():
        out += f" <em>Why this school:</em> {esc(r['triggered_by'])}."
    if str(r.get("source", "") or "").strip():
        out += f" <em>Source:</em> {esc(r['source'])}"
    return out


def section_change(ctx: ReportContext, school: str) -> Section:
    """Change since baseline, for the school and the network; suppressed when too small."""
    ch_all = ctx.tables.get("change", pd.DataFrame())
    ch = _school_change(ctx, school)
    net = _rows(ch_all, "scope", "network")
    if len(ch_all) == 0:
        return Section(
            "change",
            "Change since baseline",
            _p("Only one survey wave is available, so change cannot be estimated yet."),
            tables=["change"],
        )

    def disp(t):
        return pd.DataFrame(
            {
                "domain": _short(ctx, t),
                "n_baseline": t["n_baseline"],
                "n_followup": t["n_followup"],
                "estimate": [_signed(x) for x in t["estimate"]],
                "ci": [_ci(a, b) for a, b in zip(t["ci_low"], t["ci_high"])],
                "reading": [name_ids(ctx, x) for x in t["reading"].fillna("")],
                "suppressed": t["suppressed"],
            }
        )

    cols = {
        "domain": "Domain",
        "n_baseline": "n baseline",
        "n_followup": "n follow-up",
        "estimate": "Change",
        "ci": "95% interval",
        "reading": "Reading",
        "suppressed": "Not shown because",
    }
    html = _p(
        "Change is the follow-up average minus the baseline average, in points on the 1–5 scale. "
        "It is clear when its 95% interval does not include 0."
    )
    html += _p(NOT_IMPACT, "callout not-impact")
    if len(ch) and (ch["suppressed"].fillna("") != "").all():
        reasons = sorted(set(ch["suppressed"].astype(str)))
        html += _p(
            f"Change at {ctx.school_name(school)} is not shown ({'; '.join(reasons)}), so that no small "
            "group of staff can be identified. The network's change is below."
        )
    else:
        html += html_table(
            disp(ch),
            columns={k: v for k, v in cols.items() if k != "reading"},
            digits={"n_baseline": 0, "n_followup": 0},
            caption=f"Change since baseline at {ctx.school_name(school)} (school level)",
        )
        ok = ch[ch["suppressed"].fillna("") == ""]
        html += (
            "<ul>"
            + "".join(f"<li>{esc(name_ids(ctx, x))}</li>" for x in ok["reading"].fillna("") if x)
            + "</ul>"
        )
    html += html_table(
        disp(net),
        columns={k: v for k, v in cols.items() if k != "reading"},
        digits={"n_baseline": 0, "n_followup": 0},
        caption="Change since baseline across the network (network level)",
    )
    html += _invariance_html(ctx, "wave")
    if len(ch) and (ch["suppressed"].fillna("") == "").any():
        both = ch_all[ch_all["scope"].astype(str).isin(["network", school])].reset_index(drop=True)
        html += _figure(
            ctx,
            "change_plot",
            "fig-change",
            "Change since baseline per domain, with 95% intervals: this school and the network.",
            both,
            title=f"Change since baseline: {ctx.school_name(school)} and the network",
        )
    return Section("change", "Change since baseline", html, tables=["change"])


def section_gaps(ctx: ReportContext, school: str) -> Section:
    """Leader–teacher gaps at the finest level where both groups meet the minimum."""
    g = _rows(ctx.tables.get("gaps_by_school", pd.DataFrame()), "school", school)
    html = _p(
        f"A gap is the school leaders' average minus the teachers' average. Leaders' answers are shown only "
        f"where at least {ctx.min_n} leaders and {ctx.min_n} teachers answered; otherwise the district or "
        "the network is shown instead, so that no small group of leaders can be identified."
    )
    if len(g) == 0:
        return Section(
            "gaps",
            "Teacher–leader perception gaps",
            html + _p("No survey responses for this school."),
            tables=["gaps_by_school"],
        )
    where = {"school": "this school", "district": "the district", "network": "the network"}
    disp = pd.DataFrame(
        {
            "domain": _short(ctx, g),
            "shown": [
                f"{where.get(lv, lv)} ({grp})" if lv != "school" else "this school"
                for lv, grp in zip(g["level"], g["group"])
            ],
            "teacher_mean": g["teacher_mean"],
            "leader_mean": g["leader_mean"],
            "gap": [_signed(x) for x in g["gap"]],
            "ci": [_ci(a, b) for a, b in zip(g["ci_low"], g["ci_high"])],
            "large": ["large" if (isinstance(v, (bool, np.bool_)) and v) else "" for v in g["flagged_large"]],
            "suppressed": g["suppressed"],
        }
    )
    html += html_table(
        disp,
        columns={
            "domain": "Domain",
            "shown": "Level shown",
            "teacher_mean": "Teachers",
            "leader_mean": "Leaders",
            "gap": "Gap (leaders − teachers)",
            "ci": "95% interval",
            "large": "Large gap",
            "suppressed": "Not shown because",
        },
        caption="Teacher–leader perception gaps (baseline)",
    )
    notes = sorted(set(n for n in g.get("note", pd.Series(dtype=str)).fillna("") if n))
    if notes:
        html += '<ul class="note">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
    html += _invariance_html(ctx, "role")
    if g["gap"].notna().any():
        html += _figure(
            ctx, "gap_plot", "fig-gaps", "Leaders' minus teachers' average per domain, with 95% intervals.", g
        )
    return Section("gaps", "Teacher–leader perception gaps", html, tables=["gaps_by_school"])


def section_interviews(ctx: ReportContext, school: str) -> Section:
    """Interview themes: top codes per domain, redacted exemplar quotes, joint display."""
    if "joint_display_schools" not in ctx.tables:
        return Section(
            "interviews", "Interview themes", _p("No interview codings were provided for this study.")
        )
    jd = _rows(ctx.tables["joint_display_schools"], "school", school)
    quotes = _rows(ctx.tables.get("quotes", pd.DataFrame()), "school", school)
    html = _p(
        f"Interviews with staff were coded with the {_inst_name(ctx)} codebook. For each domain: the codes "
        "heard most often, and quotes that illustrate them. Names and contact details are removed from quotes."
    )
    if len(jd) == 0:
        html += _p("No interviews were coded at this school.")
        return Section("interviews", "Interview themes", html, tables=["joint_display_schools", "quotes"])
    names = ctx.results["domain_name"]
    hidden = sorted(
        set(str(x) for x in jd.get("interviews_suppressed", pd.Series(dtype=str)).fillna("") if x)
    )
    if hidden:
        html += _p(
            f"Interview themes and quotes are not shown for this school ({'; '.join(hidden)}), so that no "
            "interviewee can be recognized. The network summary shows the themes across all schools."
        )
        return Section("interviews", "Interview themes", html, tables=["joint_display_schools"])
    for _, r in jd.iterrows():
        html += _interview_domain_html(r, names, quotes)
    html += _school_joint_display_html(ctx, school, jd)
    return Section("interviews", "Interview themes", html, tables=["joint_display_schools", "quotes"])


def _interview_domain_html(r: pd.Series, names: dict, quotes: pd.DataFrame) -> str:
    """One domain of a school's interview themes: the survey status, the codes heard most, one quote."""
    d = r["domain"]
    html = _h3(names.get(d, d))
    n_ex = r.get("n_excerpts")
    top = str(r.get("top_codes") or "").strip()
    sm = r.get("survey_mean")
    survey = (
        f"Survey: {float(sm):.1f} of 5, {_status_html(r.get('status'))}. "
        if sm is not None and pd.notna(sm)
        else "Survey: not reported. "
    )
    # n_excerpts is banded ("1+") by assetinv.disclosure when it could be one interviewee's
    n_txt = n_ex if isinstance(n_ex, str) else ("" if n_ex is None or pd.isna(n_ex) else str(int(n_ex)))
    if top and n_txt not in ("", "0"):
        said = esc(
            f"Heard most often in interviews ({n_txt} coded excerpt{'s' if n_txt != '1' else ''}): {top}."
        )
    else:
        said = "No coded interview excerpts for this domain."
    html += f"<p>{survey}{said}</p>"
    q = quotes[quotes["domain"] == d] if len(quotes) else quotes
    for text in q["quote"].head(1) if len(q) else []:
        html += f"<blockquote><p>{esc(text)}</p><footer>Interview excerpt (redacted)</footer></blockquote>"
    return html


def _school_joint_display_html(ctx: ReportContext, school: str, jd: pd.DataFrame) -> str:
    """The school's joint display (table and figure), shown on screen only."""
    html = '<div class="screen-only">' + _h3("Joint display: survey and interviews side by side")
    disp = pd.DataFrame(
        {
            "domain": _short(ctx, jd),
            "survey_mean": jd["survey_mean"],
            "status": [_status_html(s) for s in jd["status"]],
            "n_excerpts": jd["n_excerpts"],
            "top_codes": jd["top_codes"].fillna(""),
            "agreement": jd["agreement"],
        }
    )
    html += html_table(
        disp,
        columns={
            "domain": "Domain",
            "survey_mean": "School mean",
            "status": "Status",
            "n_excerpts": "Coded excerpts (school)",
            "top_codes": "Most frequent codes",
        },
        raw_html=("status",),
        digits={"n_excerpts": 0},
        caption="Joint display: survey mean and interview evidence per domain (school level)",
    )
    # coder agreement is a network-level value: it stays out of the school's figure (see the technical notes)
    html += _figure(
        ctx,
        "joint_display_figure",
        "fig-joint",
        "Survey means beside the number of coded interview excerpts per domain.",
        jd.assign(agreement=np.nan),
        title=f"Joint display: {ctx.school_name(school)}",
    )
    html += "</div>"
    return html


def _dependability(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "not available"
    if x >= 0.8:
        return "high"
    if x >= 0.7:
        return "adequate"
    if x >= 0.5:
        return "modest"
    return "low"


ORDINAL_MEANING = (
    "Ordinal alpha and ordinal omega treat the five answer points as ordered categories (strongly disagree "
    "below disagree, and so on) rather than as equally spaced numbers. They say how consistently the items "
    "measure one thing once that is allowed for, so they are usually a little higher than alpha, most of all "
    "when answers bunch at one end of the scale. Alpha describes the domain scores as reported; the ordinal "
    "values describe how well the items themselves hang together. Intervals are 95% bias-corrected and "
    "accelerated (BCa) bootstrap intervals."
)


def _ordinal_html(ctx: ReportContext, school: str | None = None) -> str:
    """Ordinal alpha and omega beside raw alpha (network; a school only when it has enough answers)."""
    from ..ordinal import ORDINAL_MIN_N

    net = ctx.tables.get("reliability_ordinal", pd.DataFrame())
    if not len(net):
        return ""
    schools = ctx.tables.get("reliability_ordinal_schools", pd.DataFrame())
    sch = _rows(schools, "school", school) if school is not None else schools.iloc[:0]
    show = sch if len(sch) else net
    t = pd.DataFrame({"name": show["domain"].map(ctx.results["domain_short"])})
    t["raw_alpha"] = show["raw_alpha"].to_numpy()
    for k in ("ordinal_alpha", "ordinal_omega"):
        t[k] = show[k].to_numpy()
        t[f"{k}_ci"] = [_ci(a, b) for a, b in zip(show[f"{k}_lo"], show[f"{k}_hi"])]
    t["note"] = show["note"].fillna("").to_numpy()
    where = "this school's" if show is sch else "the network's"
    html = _p(ORDINAL_MEANING)
    if school is not None and show is net:
        html += _p(
            f"Ordinal alpha and omega are computed for a school only when it has at least {ORDINAL_MIN_N} answers "
            "(their intervals were checked in simulation from that size up); this school has fewer, so the "
            "values below are the whole network's.",
            "note",
        )
    html += html_table(
        t,
        columns={
            "name": "Domain",
            "raw_alpha": "Alpha",
            "ordinal_alpha": "Ordinal alpha",
            "ordinal_alpha_ci": "95% interval",
            "ordinal_omega": "Ordinal omega",
            "ordinal_omega_ci": "95% interval",
            "note": "Not computed because",
        },
        caption=f"Ordinal reliability of the domains ({where} baseline answers, teachers and leaders)",
    )
    return html


def _invariance_html(ctx: ReportContext, group: str) -> str:
    """The plain-words invariance note beside gaps (``role``) or change (``wave``)."""
    from ..structure import invariance_sentences

    sentences = invariance_sentences(ctx.tables.get(f"invariance_{group}", pd.DataFrame()))
    if not sentences:
        return ""
    return '<ul class="note invariance">' + "".join(f"<li>{esc(x)}</li>" for x in sentences) + "</ul>"


def _invariance_table_html(ctx: ReportContext) -> str:
    """Network report: the invariance verdicts per domain, across roles and across waves."""
    parts = [ctx.tables.get(f"invariance_{g}", pd.DataFrame()) for g in ("role", "wave")]
    t = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if t is None:
        return ""
    d = pd.DataFrame(
        {
            "name": t["domain"].map(ctx.results["domain_short"]),
            "compared": t["compared"].map({"role": "teachers vs leaders", "wave": "baseline vs follow-up"}),
            "invariance": t["invariance"],
            "why": t["invariance_reason"],
            "delta_cfi_scalar": t["delta_cfi_scalar"],
        }
    )
    html = _p(
        "Before gaps between roles or changes between waves are read as real, the items should mean the same "
        "to both groups. Each domain's one-factor model is fitted three times, holding more equal each time "
        "(configural, metric, scalar); scalar invariance, needed to compare averages, fails when the CFI "
        "drops by .010 or more (Cheung & Rensvold 2002; Chen 2007). It is tested only when every group has "
        "at least 5 respondents per model parameter."
    )
    html += html_table(
        d,
        columns={
            "name": "Domain",
            "compared": "Groups",
            "invariance": "Invariance",
            "why": "Why",
            "delta_cfi_scalar": "Change in CFI (scalar)",
        },
        digits={"delta_cfi_scalar": 3},
        caption="Measurement invariance of the domains (network level)",
    )
    return html


def _reliability_rows(ctx: ReportContext, school: str) -> pd.DataFrame:
    """Per domain: alpha, omega and the ICCs (network level), this school's n and mean reliability."""
    dom = ctx.tables["reliability_domains"]
    icc = ctx.tables["reliability_icc"]
    sch = _rows(ctx.tables["reliability_schools"], "school", school)
    t = pd.DataFrame({"domain": dom["domain"]})
    t["name"] = t["domain"].map(ctx.results["domain_short"])
    t["alpha"] = dom["raw_alpha"].to_numpy() if "raw_alpha" in dom else np.nan
    t["omega"] = dom["omega_total"].to_numpy() if "omega_total" in dom else np.nan
    t = (
        t.merge(icc[["domain", "icc1", "icc2"]], on="domain", how="left")
        if len(icc)
        else t.assign(icc1=np.nan, icc2=np.nan)
    )
    cols = ["domain", "n", "reliability", "suppressed"]
    return t.merge(sch[cols] if len(sch) else pd.DataFrame(columns=cols), on="domain", how="left")


def section_data_quality(ctx: ReportContext, school: str | None = None) -> Section:
    """Counts only: rows read/used/excluded; this school's participation."""
    dq = ctx.tables["data_quality"]
    html = _p("Counts only: how many survey rows were read, excluded (and why) and used.")
    html += html_table(
        dq,
        columns={"stage": "Stage", "rows": "Rows", "reason": "Reason"},
        caption="Survey data quality (whole network)",
    )
    notes = ctx.results.get("analysis_warnings") or []
    if school is None and notes:  # network level only: the warnings come from network-wide analyses
        html += _p(
            f"The analyses raised {len(notes)} kind(s) of warning; each is listed once (numbers shown as #). "
            "They flag estimates to read with care, such as a model that did not fully converge.",
            "note",
        )
        html += html_table(
            pd.DataFrame(notes),
            columns={"category": "Warning", "message": "Message", "count": "Times"},
            digits={"count": 0},
            caption="Warnings from the analyses (whole network)",
        )
    part = ctx.tables["participation"]
    if school is not None:
        part = _rows(part, "school", school)
        cap = f"Participation at {ctx.school_name(school)}"
    else:
        cap = "Participation per school and wave"
    part = part.assign(response_rate=part["response_rate"] * 100)
    html += html_table(
        part,
        columns={
            "school": "School",
            "wave": "Wave",
            "invited": "Invited",
            "responded": "Responded",
            "response_rate": "Response rate (%)",
            "suppressed": "Not shown because",
        },
        digits={"invited": 0, "responded": 0, "response_rate": 0},
        caption=cap,
    )
    scores = ctx.results.get("scores")
    if scores is not None and len(scores):
        sub = scores if school is None else scores[scores["school"].astype(str) == school]
        n_flag = int((sub["straightliner"].astype(bool) | sub["speeder"].astype(bool)).sum())
        if school is not None and school in ctx.results.get("hidden_counts", ()):  # assetinv.disclosure
            html += _p(
                "Some survey responses here may have been flagged as possibly careless; the counts are not "
                "shown because, with the other tables, they would reveal a group too small to report.",
                "note",
            )
            return Section("data-quality", "Data quality", html, tables=["data_quality", "participation"])
        html += _p(
            f"{n_flag} of {len(sub)} survey responses {'here ' if school else ''}were flagged as possibly "
            "careless (the same answer to every item, or finishing very fast). They are kept in the analysis "
            "and counted here for transparency.",
            "note",
        )
    return Section("data-quality", "Data quality", html, tables=["data_quality", "participation"])


def section_provenance(ctx: ReportContext, school: str | None = None) -> Section:
    """Versions, input SHA-256, parameters and seed (no timestamps)."""
    rows = [
        ("assetinv", __version__),
        ("Instrument", f"{ctx.instrument.name} {ctx.instrument.version}"),
        ("Study config", ctx.config_file or ""),
        ("Suppression minimum (min_n)", str(ctx.min_n)),
        ("Minimum response rate", f"{float(ctx.config.get('min_response_rate', MIN_RESPONSE_RATE)):.0%}"),
        ("Seed", "none" if ctx.seed is None else str(ctx.seed)),
        (
            "Software",
            f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
            f"scipy {scipy.__version__}, matplotlib {matplotlib.__version__}",
        ),
    ]
    if school is not None:
        rows.insert(2, ("School", school))
    html = '<dl class="prov">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl>"
    files = pd.DataFrame(ctx.inputs)
    html += (
        '<div class="prov-files">'
        + html_table(
            files,
            columns={"role": "Input", "file": "File", "bytes": "Bytes", "sha256": "SHA-256"},
            digits={"bytes": 0},
            caption="Input files and their SHA-256 checksums",
        )
        + "</div>"
    )
    html += _p("Input checksums are in provenance.json.", "note print-only")
    html += _p("Rendering again from the same files and parameters gives byte-identical reports.", "note")
    return Section("provenance", "Provenance", html)


def _reliability_compact(ctx: ReportContext, school: str) -> str:
    """Alpha and ICC(2) (network level) and this school's mean reliability (school level), narrow enough to print."""
    t = _reliability_rows(ctx, school)
    t["reading"] = [_dependability(float(r)) if pd.notna(r) else "" for r in t["reliability"]]
    html = _p(
        "Alpha says whether a domain's statements measure one thing and ICC(2) whether school averages "
        "tell schools apart (both network level); the last columns say how dependable this school's own "
        "average is (school level). Values of 0.70 or more are usually taken as dependable."
    )
    html += html_table(
        t,
        columns={
            "name": "Domain",
            "alpha": "Alpha (network)",
            "icc2": "ICC(2) (network)",
            "n": "Staff (school)",
            "reliability": "School mean reliability",
            "reading": "In words",
            "suppressed": "Not shown because",
        },
        digits={"n": 0},
        caption="Reliability of the domain scores",
    )
    return html + _ordinal_html(ctx, school)


def section_technical_notes(ctx: ReportContext, school: str | None = None) -> Section:
    """The appendix: methods in plain words, model specification, glossary, dependability, data, provenance."""
    html = _p(
        "For readers who want the detail behind the numbers. The report above can be read without it.", "note"
    )
    html += _h3("Methods in plain words", "tn-methods") + _plain_methods(ctx)
    html += _h3("Model specification", "tn-spec") + _model_spec(ctx)
    html += _h3("Glossary", "tn-glossary") + _glossary_html()
    tables: list[str] = []
    if school is not None:
        html += _h3("How dependable these numbers are", "tn-reliability") + _reliability_compact(ctx, school)
        tables += ["reliability_domains", "reliability_icc", "reliability_schools", "reliability_ordinal"]
    dq = section_data_quality(ctx, school)
    if school is not None:  # the school's participation; the network's row counts are in the network summary
        dq_html = dq.html
        i = dq_html.find('<div class="table-scroll"')
        j = dq_html.find("</div>", i) + len("</div>") if i >= 0 else -1
        if i >= 0 and "Survey data quality" in dq_html[i:j]:
            dq_html = dq_html[:i] + dq_html[j:]
        html += _h3("Data quality", "tn-data-quality") + dq_html
    else:
        html += _h3("Data quality", "tn-data-quality") + dq.html
    pv = section_provenance(ctx, school)
    html += _h3("Provenance", "tn-provenance") + pv.html
    return Section("technical-notes", "Technical notes", html, tables=tables + dq.tables)


# ====================================================================== network summary
def network_sections(ctx: ReportContext) -> list[Section]:
    """The sections of the network summary, in order."""
    return [
        net_overview(ctx),
        net_profiles(ctx),
        net_districts(ctx),
        section_items(ctx, None),
        net_change(ctx),
        net_gaps(ctx),
        net_reliability(ctx),
        net_interviews(ctx),
        section_technical_notes(ctx, None),
    ]


def net_overview(ctx: ReportContext) -> Section:
    prof = ctx.tables["asset_profile"]
    short = ctx.results["domain_short"]
    shown = prof[prof["suppressed"].fillna("") == ""]
    n_sch = len(ctx.school_ids)
    n_rep = shown["school"].nunique()
    scores = ctx.results["scores"]
    waves = scores.groupby("wave").size().to_dict()
    parts = [f"{n_sch} schools took part; {n_rep} had enough baseline responses to report their profile."]
    parts.append("Survey responses: " + "; ".join(f"{v} at {k}" for k, v in sorted(waves.items())) + ".")
    counts = []
    for d in ctx.results["domains"]:
        sub = shown[shown["domain"] == d]
        a, g = int((sub["status"] == "asset").sum()), int((sub["status"] == "growth area").sum())
        counts.append(f"{short.get(d, d)} is an asset in {a} and a growth area in {g}")
    if counts:
        parts.append(_join(counts) + " of the reported schools.")
    html = _p(" ".join(parts), "summary")
    return Section("overview", "Overview", html)


def net_profiles(ctx: ReportContext) -> Section:
    prof = ctx.tables["asset_profile"]
    doms = ctx.results["domains"]
    short = ctx.results["domain_short"]
    html = _p(
        "Each school's baseline mean per domain (1–5) and its status against the network. Schools with too few "
        "responses are listed with the reason and no numbers."
    )
    html += _figure(
        ctx,
        "heatmap_network",
        "fig-heatmap",
        "Heat map of every school's domain means; blank cells are suppressed.",
        prof,
    )
    wide = []
    for s in ctx.school_ids:
        sub = _rows(prof, "school", s)
        row = {"school": ctx.school_name(s), "id": s}
        reasons = set()
        for d in doms:
            r = sub[sub["domain"] == d]
            if len(r) == 0 or str(r["suppressed"].iloc[0] or ""):
                row[d] = ""
                if len(r):
                    reasons.add(str(r["suppressed"].iloc[0]))
                else:
                    reasons.add("no responses")
            else:
                row[d] = f"{float(r['mean'].iloc[0]):.2f} {_status_html(r['status'].iloc[0])}"
        row["suppressed"] = "; ".join(sorted(reasons))
        wide.append(row)
    wide = pd.DataFrame(wide)
    cols = {
        "id": "School id",
        "school": "School",
        **{d: short.get(d, d) for d in doms},
        "suppressed": "Not shown because",
    }
    html += html_table(
        wide, columns=cols, raw_html=tuple(doms), caption="Asset profiles of all schools (baseline)"
    )
    return Section("profiles", "School profiles across the network", html, tables=["asset_profile"])


def net_change(ctx: ReportContext) -> Section:
    ch = ctx.tables.get("change", pd.DataFrame())
    net = _rows(ch, "scope", "network")
    if len(ch) == 0:
        return Section(
            "change", "Change since baseline", _p("Only one wave is available."), tables=["change"]
        )
    disp = pd.DataFrame(
        {
            "domain": _short(ctx, net),
            "n_baseline": net["n_baseline"],
            "n_followup": net["n_followup"],
            "estimate": [_signed(x) for x in net["estimate"]],
            "ci": [_ci(a, b) for a, b in zip(net["ci_low"], net["ci_high"])],
            "effect": net.get("effect_size"),
            "reading": net["reading"].fillna(""),
        }
    )
    html = _p(
        "The network's average change from baseline to follow-up, from a mixed model with schools as a random "
        "effect (so every school counts, whatever its size)."
    )
    html += _p(NOT_IMPACT, "callout not-impact")
    html += html_table(
        disp,
        columns={
            "domain": "Domain",
            "n_baseline": "n baseline",
            "n_followup": "n follow-up",
            "estimate": "Change",
            "ci": "95% interval",
            "effect": "Effect size (d)",
            "reading": "Reading",
        },
        digits={"n_baseline": 0, "n_followup": 0},
        caption="Change since baseline, network",
    )
    html += _invariance_html(ctx, "wave")
    html += _figure(
        ctx,
        "change_plot",
        "fig-change",
        "Network change since baseline per domain, with 95% intervals.",
        net.reset_index(drop=True),
        title="Change since baseline: network",
    )
    sch = ch[ch["scope"].astype(str) != "network"]
    if len(sch):
        html += _school_change_html(ctx, sch, net)
    return Section("change", "Change since baseline", html, tables=["change"])


def _school_change_html(ctx: ReportContext, sch: pd.DataFrame, net: pd.DataFrame) -> str:
    """Each school's change per domain (starred where the interval excludes 0), with how to read it."""
    wide = sch.assign(
        value=[
            _signed(x) + (" *" if lo > 0 or hi < 0 else "") if not math.isnan(x) else ""
            for x, lo, hi in zip(
                sch["estimate"].astype(float), sch["ci_low"].astype(float), sch["ci_high"].astype(float)
            )
        ]
    )
    piv = wide.pivot_table(index="scope", columns="domain", values="value", aggfunc="first").reset_index()
    piv = piv.rename(columns={"scope": "school"})
    piv.insert(1, "name", [ctx.school_name(x) for x in piv["school"]])
    doms = [d for d in ctx.results["domains"] if d in piv.columns]
    n_star = int(sum(str(v).endswith("*") for d in doms for v in piv[d]))
    n_cells = int(sum(str(v) != "" and str(v) != "nan" for d in doms for v in piv[d]))
    notes = " ".join(str(x) for x in net.get("note", pd.Series(dtype=str)).fillna(""))
    same = "no detectable between-school variation" in notes
    html = _p(
        "Each school's change is estimated from that school's own staff. "
        + (
            "The network model found no clear evidence that schools grow at different rates overall (see "
            "the model notes in the technical notes), so "
            if same
            else ""
        )
        + f"single starred cells ({n_star} of {n_cells} here) should be read with care: among many "
        "schools and domains, a few look different by chance alone.",
        "note",
    )
    html += html_table(
        piv,
        columns={
            "name": "School",
            "school": "School id",
            **{d: ctx.results["domain_short"][d] for d in doms},
        },
        caption="Change per school (school level; points; * = interval excludes 0; blank = suppressed)",
    )
    return html


def net_gaps(ctx: ReportContext) -> Section:
    g = ctx.tables["gaps_network"]
    disp = pd.DataFrame(
        {
            "level": g["level"],
            "group": g["group"],
            "domain": _short(ctx, g),
            "n_teachers": g["n_teachers"],
            "n_leaders": g["n_leaders"],
            "teacher_mean": g["teacher_mean"],
            "leader_mean": g["leader_mean"],
            "gap": [_signed(x) for x in g["gap"]],
            "ci": [_ci(a, b) for a, b in zip(g["ci_low"], g["ci_high"])],
            "suppressed": g["suppressed"],
        }
    )
    html = _p(
        "Leaders' minus teachers' averages for the network and each district (school-level gaps appear in the "
        "school reports only where both groups are large enough)."
    )
    html += html_table(
        disp,
        columns={
            "level": "Level",
            "group": "Group",
            "domain": "Domain",
            "n_teachers": "Teachers (n)",
            "n_leaders": "Leaders (n)",
            "teacher_mean": "Teachers",
            "leader_mean": "Leaders",
            "gap": "Gap",
            "ci": "95% interval",
            "suppressed": "Not shown because",
        },
        digits={"n_teachers": 0, "n_leaders": 0},
        caption="Teacher–leader perception gaps (baseline)",
    )
    html += _invariance_html(ctx, "role")
    net = g[g["level"] == "network"]
    if net["gap"].notna().any():
        html += _figure(
            ctx, "gap_plot", "fig-gaps", "Network leaders' minus teachers' average per domain.", net
        )
    return Section("gaps", "Teacher–leader perception gaps", html, tables=["gaps_network"])


def net_reliability(ctx: ReportContext) -> Section:
    dom = ctx.tables["reliability_domains"]
    icc = ctx.tables["reliability_icc"]
    t = dom.copy()
    t["name"] = t["domain"].map(ctx.results["domain_short"])
    html = _p(
        "Internal consistency of each domain (alpha with its Feldt 95% interval, omega total) and how well "
        "school averages separate schools (ICC)."
    )
    t["alpha_ci"] = [_ci(a, b) for a, b in zip(t.get("feldt_lower", np.nan), t.get("feldt_upper", np.nan))]
    html += html_table(
        t,
        columns={
            "name": "Domain",
            "n": "n",
            "n_items": "Items",
            "raw_alpha": "Alpha",
            "alpha_ci": "95% interval",
            "omega_total": "Omega",
            "verdict": "Reading",
        },
        digits={"n": 0, "n_items": 0},
        caption="Reliability of the domain scores (network level: baseline survey, teachers and leaders)",
    )
    ic = icc.copy()
    ic["name"] = ic["domain"].map(ctx.results["domain_short"])
    html += html_table(
        ic,
        columns={
            "name": "Domain",
            "icc1": "ICC(1)",
            "icc2": "ICC(2)",
            "f": "F",
            "n_groups": "Schools",
            "mean_group_size": "Mean responses per school",
        },
        digits={"n_groups": 0, "mean_group_size": 1},
        caption="Intraclass correlations of domain scores across schools",
    )
    html += _ordinal_html(ctx) + _invariance_table_html(ctx)
    return Section(
        "reliability",
        "How dependable these numbers are",
        html,
        tables=[
            "reliability_domains",
            "reliability_icc",
            "reliability_ordinal",
            "invariance_role",
            "invariance_wave",
        ],
    )


def net_interviews(ctx: ReportContext) -> Section:
    if "code_tallies_network" not in ctx.tables:
        return Section(
            "interviews", "Interview themes", _p("No interview codings were provided for this study.")
        )
    tal = ctx.tables["code_tallies_network"]
    ag = ctx.tables["agreement_domains"]
    jd = ctx.tables["joint_display_network"]
    html = _p(
        "How often each code of the codebook was heard across all interviews, how consistently coders applied "
        "the codes, and the survey and interviews side by side."
    )
    html += _code_tallies_html(tal) + _coder_agreement_html(ag)
    html += _h3("Joint display")
    disp = pd.DataFrame(
        {
            "domain": _short(ctx, jd),
            "survey_mean": jd["survey_mean"],
            "status": jd["status"],
            "n_excerpts": jd["n_excerpts"],
            "top_codes": jd["top_codes"],
            "agreement": jd["agreement"],
        }
    )
    html += html_table(
        disp,
        columns={
            "domain": "Domain",
            "survey_mean": "Survey mean",
            "status": "Schools by status",
            "n_excerpts": "Coded excerpts",
            "top_codes": "Most frequent codes",
            "agreement": "Coder agreement (α)",
        },
        digits={"n_excerpts": 0},
        caption="Joint display for the network",
    )
    html += _figure(
        ctx,
        "joint_display_figure",
        "fig-joint",
        "Network survey means beside coded interview excerpts per domain.",
        jd,
        title="Joint display: network",
    )
    return Section(
        "interviews",
        "Interview themes",
        html,
        tables=["code_tallies_network", "agreement_domains", "agreement_codes", "joint_display_network"],
    )


def _code_tallies_html(tal: pd.DataFrame) -> str:
    """The network's code tallies (codes heard at least once)."""
    html = _h3("Code tallies")
    top = tal[tal["n_excerpts"].fillna(0) > 0] if "n_excerpts" in tal else tal
    html += html_table(
        top,
        columns={
            "code": "Code",
            "code_name": "Name",
            "group": "Group",
            "n_excerpts": "Excerpts",
            "n_interviews": "Interviews",
            "share_interviews": "Share of interviews",
            "suppressed": "Not shown because",
        },
        digits={"n_excerpts": 0, "n_interviews": 0},
        caption="Codes heard across the network",
    )
    return html


def _coder_agreement_html(ag: pd.DataFrame) -> str:
    """Agreement between coders per domain, with Krippendorff's alpha interval."""
    html = _h3("Agreement between coders")
    agd = ag.assign(
        alpha_ci=[_ci(a, b) for a, b in zip(ag["krippendorff_alpha_lo"], ag["krippendorff_alpha_hi"])]
    )
    html += html_table(
        agd,
        columns={
            "domain": "Domain / group",
            "n_units": "Decisions",
            "n_coders": "Coders",
            "percent_agreement": "Percent agreement",
            "krippendorff_alpha": "Krippendorff α",
            "alpha_ci": "95% interval",
            "gwet_ac1": "Gwet AC1",
            "note": "Note",
        },
        digits={"n_units": 0, "n_coders": 0},
        caption="Inter-coder agreement per domain",
    )
    return html


# ====================================================================== index
def index_sections(ctx: ReportContext, schools: Sequence[str], table_names: Sequence[str]) -> list[Section]:
    """Sections of ``index.html``: links, data quality, suppression notes, downloads."""
    prof = ctx.tables["asset_profile"]
    rows = []
    for s in schools:
        sub = _rows(prof, "school", s)
        sup = sorted(set(x for x in sub["suppressed"].fillna("") if x)) if len(sub) else ["no responses"]
        rows.append(
            {
                "report": f'<a href="schools/{esc(school_file_name(ctx, s))}.html">{esc(ctx.school_name(s))}</a>',
                "summary": f'<a href="schools/{esc(school_file_name(ctx, s))}-summary.html">one-page summary</a>',
                "id": s,
                "district": ctx.school_district(s) or "",
                "note": "; ".join(sup) if sup else "",
            }
        )
    links = _p("The network summary covers every school; each school report covers one school.")
    links += '<ul><li><a href="network.html">Network summary</a></li></ul>'
    links += html_table(
        pd.DataFrame(rows),
        columns={
            "report": "School report",
            "summary": "For the principal",
            "id": "School id",
            "district": "District",
            "note": "Suppressed in the profile",
        },
        raw_html=("report", "summary"),
        caption="School reports",
    )
    dq = section_data_quality(ctx, None)
    notes = _p(
        f"No statistic is shown for a group of fewer than {ctx.min_n} respondents or with a response rate "
        f"under {float(ctx.config.get('min_response_rate', MIN_RESPONSE_RATE)):.0%}. "
        "Such rows stay in the tables with the "
        "reason, so readers can see the group exists. A school's leaders are never shown on their own unless "
        f"at least {ctx.min_n} answered; interview quotes are redacted and not attributed to a role."
    )
    n_sup = int((prof["suppressed"].fillna("") != "").sum())
    notes += _p(f"{n_sup} of {len(prof)} school × domain cells of the asset profiles are suppressed.")
    dl = (
        "<ul>"
        + "".join(f'<li><a href="tables/{esc(n)}.csv">{esc(n)}.csv</a></li>' for n in table_names)
        + "</ul>"
    )
    downloads = _p(
        "Every table shown in the reports, as CSV (suppressed values blank) and as one Excel workbook:"
    )
    downloads += (
        '<ul><li><a href="assetinv_tables.xlsx">assetinv_tables.xlsx</a> (one sheet per table)</li>'
        '<li><a href="provenance.json">provenance.json</a> (versions, input checksums, parameters)</li></ul>'
    )
    downloads += dl
    return [
        Section("reports", "Reports", links),
        Section("data-quality", "Data quality", dq.html, tables=dq.tables),
        Section("suppression", "Suppression notes", notes),
        Section("downloads", "Tables and downloads", downloads),
    ]
