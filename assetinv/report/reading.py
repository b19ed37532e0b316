"""Plain-language pieces of the reports: framing, priorities, item detail, technical notes.

The reports are read by principals, CBO programme leads and funders. This module
holds the parts written for them, kept apart from the table-building in
:mod:`assetinv.report.sections`:

* :func:`is_simulated` and :func:`banner_html`: a banner on every page when the
  study's data are invented;
* :data:`NOT_IMPACT`: the caveat shown wherever change is shown;
* :func:`plain_sentence`: one sentence per domain of a school, with no ranking
  against other schools and with the uncertainty of the comparison with the
  fixed standards;
* :func:`support_plan`: the suggested supports in order of priority (first,
  next, later), each with its reason;
* :func:`district_means`: district comparison values pooled from the reported
  schools only (so they never reveal a suppressed school);
* :func:`section_items`: item answer distributions (diverging stacked bars);
* :func:`section_technical_notes`: methods in plain words, then the model
  specification, a glossary, dependability, data quality and provenance.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..privacy import MIN_RESPONSE_RATE
from .blocks import Section, _figure, _p, _rows, esc, html_table
from .context import ReportContext

__all__ = [
    "GLOSSARY",
    "NOT_IMPACT",
    "banner_html",
    "district_means",
    "is_simulated",
    "name_ids",
    "net_districts",
    "plain_sentence",
    "section_items",
    "support_plan",
]

#: Shown wherever change is shown.
NOT_IMPACT = (
    "Change is not impact. These are differences between two surveys of the same schools, with no "
    "comparison group of schools outside the partnership, so they cannot show what the partnership "
    "caused: other events, staff turnover and who answered also move the numbers."
)

#: Technical terms, in plain words (the "technical notes" glossary).
GLOSSARY: list[tuple[str, str]] = [
    (
        "Mean (1–5)",
        "The average answer on the 1 (strongly disagree) to 5 (strongly agree) scale, after statements "
        "worded the other way around are flipped.",
    ),
    (
        "% agree",
        "The share of staff who answered Agree or Strongly agree, averaged over a domain's statements "
        "(statements worded the other way around are flipped first). Neither agree nor disagree is not "
        "counted as agreeing.",
    ),
    (
        "95% interval",
        "The range the true value probably lies in, given how many people answered. Narrow "
        "intervals mean more certainty.",
    ),
    (
        "School, district, network",
        "The level a value describes: one school's staff; the reported schools of one "
        "district pooled; or every reported school in the partnership pooled.",
    ),
    (
        "Asset, typical, growth area",
        "A domain's status: clearly above the network or at the 4.0 standard (asset), "
        "clearly below the network or under the 3.0 standard (growth area), otherwise "
        "typical. The rule is in the model specification.",
    ),
    (
        "Suppressed",
        "Not shown because too few people answered (fewer than the minimum group size) or too few of "
        "those invited responded. Other cells are hidden too when they would let someone work out a "
        "hidden one by subtraction.",
    ),
    (
        "Coefficient alpha (α), omega",
        "How consistently a domain's statements measure one thing (0 to 1; "
        "0.70 or more is usually taken as dependable). Network level.",
    ),
    (
        "ICC(1), ICC(2)",
        "Intraclass correlations: how much of the variation in answers lies between schools "
        "(ICC(1)), and how reliably school averages tell schools apart (ICC(2)). Network level.",
    ),
    (
        "Reliability of a school's mean",
        "How dependable one school's average is, given how many of its staff answered (Bliese 2000).",
    ),
    (
        "Mixed model",
        "A regression that accounts for staff being grouped in schools and for the same people "
        "answering twice, used to estimate change.",
    ),
    (
        "Effect size (d)",
        "A change divided by the spread of individual answers; about 0.2 is small and 0.5 medium.",
    ),
    (
        "Coder agreement (Krippendorff's α)",
        "How consistently two people coding the same interview excerpt chose "
        "the same codes (0 to 1). Network level.",
    ),
    ("Coded excerpt", "A passage of an interview tagged with one or more codes of the codebook."),
]


# ---------------------------------------------------------------- framing
def is_simulated(ctx: ReportContext) -> bool:
    """True when the study's data are simulated.

    The study config's ``simulated: true`` says so (``assetinv simulate``
    writes it); a ``truth`` file in the config, or a ``truth.json`` beside
    ``study.yaml`` (the generating parameters of a simulated study), also
    marks a study as simulated.
    """
    cfg = ctx.config if isinstance(ctx.config, dict) else {}
    if cfg.get("simulated"):
        return True
    if cfg.get("truth"):
        return True
    return (Path(ctx.data_dir) / "truth.json").is_file()


def banner_html(ctx: ReportContext) -> str:
    """The banner shown at the top of every page of a simulated study ("" otherwise)."""
    if not is_simulated(ctx):
        return ""
    return (
        '<div class="banner" role="note"><strong>Simulated data.</strong> Every school, person, answer and '
        "quote in this report is invented, to show how the reports work. Do not draw conclusions about real "
        "schools from it.</div>"
    )


def name_ids(ctx: ReportContext, text: object) -> str:
    """Replace school ids in a sentence by the schools' names."""
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    for sid in ctx.school_ids:
        if sid not in s:
            continue
        name = ctx.school_name(sid)
        if name != sid:
            s = re.sub(rf"\b{re.escape(sid)}\b", name, s)
    return s


def _is_plural(name: str) -> bool:
    last = name.strip().split()[-1].lower() if name.strip() else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def plain_sentence(row: dict, short: str, *, asset_at: float = 4.0, growth_below: float = 3.0) -> str:
    """One sentence on one domain of one school: status, mean, network, uncertainty; no ranking.

    Parameters
    ----------
    row : dict
        One row of :func:`assetinv.asset_profile`.
    short : str
        The domain's short name.
    asset_at, growth_below : float
        The fixed standards of the profile rule.

    Returns
    -------
    str

    Examples
    --------
    >>> r = {"suppressed": "", "mean": 2.98, "ci_low": 2.7, "ci_high": 3.2, "network_mean": 3.6,
    ...      "diff_low": -0.9, "diff_high": -0.4, "status": "growth area"}
    >>> plain_sentence(r, "Learning mindset")  # doctest: +ELLIPSIS
    "Learning mindset is an area to grow: 3.0 of 5, clearly below the network average of 3.6..."
    """
    verb = "are" if _is_plural(short) else "is"
    sup = str(row.get("suppressed") or "")
    if sup:
        return f"{short}: not reported for this school ({sup})."
    m, lo, hi = float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])
    net: Any = row.get("network_mean")
    dl, dh = float(row.get("diff_low", np.nan)), float(row.get("diff_high", np.nan))
    if pd.notna(net) and dl > 0:
        vs = f"clearly above the network average of {float(net):.1f}"
    elif pd.notna(net) and dh < 0:
        vs = f"clearly below the network average of {float(net):.1f}"
    elif pd.notna(net):
        vs = f"not clearly different from the network average of {float(net):.1f}"
    else:
        vs = "with no network average to compare"
    status = str(row.get("status") or "typical")
    head = {"asset": f"{short} {verb} a strength", "growth area": f"{short} {verb} an area to grow"}.get(
        status, f"{short} {verb} typical"
    )
    text = f"{head}: {m:.1f} of 5, {vs}."
    near = [t for t in (growth_below, asset_at) if lo <= t <= hi]
    if near:
        t = near[0]
        side = "under" if m < t else "at or above"
        text += (
            f" The school's interval ({lo:.1f} to {hi:.1f}) includes the {t:.1f} standard, so being {side} "
            "it is not certain; read this status with care."
        )
    return text


# ---------------------------------------------------------------- supports
def support_plan(recs: pd.DataFrame, profile: pd.DataFrame, short: dict | None = None) -> pd.DataFrame:
    """The suggested supports of one school in order of priority, each with its reason.

    Rule: the **first** support is the playbook's first support for the domain
    most in need (the growth area with the lowest mean; if there is none, the
    strongest asset to build on; if neither, the lowest typical domain). **Next**
    are the first support of every other growth area and of every asset, most
    in need first. Everything else comes **later**, in playbook order.

    Parameters
    ----------
    recs : DataFrame
        :func:`assetinv.recommend` rows of one school.
    profile : DataFrame
        :func:`assetinv.asset_profile` rows of the same school.
    short : dict, optional
        Domain id -> short name, for the reasons.

    Returns
    -------
    DataFrame
        ``recs`` rows with ``priority`` ("first" | "next" | "later"),
        ``order`` (1, 2, ...) and ``reason``, sorted by ``order``;
        "not reported" rows are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> recs = pd.DataFrame({"domain": ["EX", "OS", "OS"], "kind": ["grow", "grow", "grow"],
    ...                      "status": "growth area", "support": ["a", "b", "c"]})
    >>> prof = pd.DataFrame({"domain": ["EX", "OS"], "mean": [3.1, 2.5], "status": "growth area",
    ...                      "suppressed": ""})
    >>> support_plan(recs, prof)[["support", "priority"]].values.tolist()
    [['b', 'first'], ['a', 'next'], ['c', 'later']]
    """
    short = short or {}
    r = recs[recs["kind"].isin(["grow", "build on"])].copy() if len(recs) else recs.copy()
    if len(r) == 0:
        return r.assign(
            priority=pd.Series(dtype=str), order=pd.Series(dtype=int), reason=pd.Series(dtype=str)
        )
    p = profile.set_index("domain") if len(profile) else pd.DataFrame()
    mean = {
        d: float(p.loc[d, "mean"]) if d in p.index and pd.notna(p.loc[d, "mean"]) else np.nan
        for d in r["domain"].unique()
    }
    status = {d: str(p.loc[d, "status"]) if d in p.index else "" for d in r["domain"].unique()}

    def need(d: str) -> tuple:
        st, m = status.get(d, ""), mean.get(d, np.nan)
        m = 9.0 if np.isnan(m) else m
        rank = {"growth area": 0, "asset": 1}.get(st, 2)
        return (rank, m if rank != 1 else -m, d)

    doms = sorted(r["domain"].unique(), key=need)
    r["_pos"] = range(len(r))
    firsts = {d: r.loc[r["domain"] == d, "_pos"].iloc[0] for d in doms}
    top = doms[0]
    pri, reason, key = [], [], []
    for _, row in r.iterrows():
        d, st = row["domain"], status.get(row["domain"], "")
        name, m = short.get(d, d), mean.get(d, np.nan)
        ms = f"{m:.1f} of 5" if not np.isnan(m) else "not reported"
        if row["_pos"] == firsts[top]:
            pri.append("first")
            reason.append(
                {
                    "growth area": f"{name} is the area most in need here ({ms}).",
                    "asset": f"{name} is the school's clearest strength ({ms}); start from it.",
                }.get(
                    st,
                    f"{name} is the lowest of the school's domains ({ms}), and no domain is a growth area.",
                )
            )
        elif row["_pos"] == firsts[d] and st in ("growth area", "asset"):
            pri.append("next")
            reason.append(
                f"{name} is a growth area ({ms})."
                if st == "growth area"
                else f"{name} is a strength ({ms}) to build on."
            )
        else:
            pri.append("later")
            reason.append(f"Another option for {name} ({ms}).")
        key.append(({"first": 0, "next": 1, "later": 2}[pri[-1]], doms.index(d), row["_pos"]))
    r["priority"], r["reason"], r["_key"] = pri, reason, key
    r = r.sort_values("_key", kind="mergesort").drop(columns=["_pos", "_key"])
    r["order"] = range(1, len(r) + 1)
    return r.reset_index(drop=True)


# ---------------------------------------------------------------- district comparison
def district_means(profile: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Each district's mean per domain, pooled from its **reported** schools only.

    The district mean is the respondent-weighted mean of the school means
    shown in the asset profile, so it is a function of published rows and can
    never reveal a suppressed school by subtraction (the same convention as
    the profile's network mean).

    Parameters
    ----------
    profile : DataFrame
        :func:`assetinv.asset_profile` output (``school, domain, n, mean, suppressed``).
    schools : DataFrame
        ``school, district``.

    Returns
    -------
    DataFrame
        ``district, domain, n_schools, n, district_mean``.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"school": ["A", "B"], "domain": "EX", "n": [10, 30], "mean": [3.0, 4.0],
    ...                      "suppressed": ""})
    >>> district_means(prof, pd.DataFrame({"school": ["A", "B"], "district": "D1"}))["district_mean"].tolist()
    [3.75]
    """
    ok = profile[profile["suppressed"].fillna("").astype(str) == ""].copy()
    ok["school"] = ok["school"].astype(str)
    dmap = dict(zip(schools["school"].astype(str), schools["district"].astype(str)))
    ok["district"] = ok["school"].map(dmap)
    ok = ok.dropna(subset=["district", "mean", "n"])
    ok["w"] = ok["n"].astype(float) * ok["mean"].astype(float)
    g = (
        ok.groupby(["district", "domain"], sort=True)
        .agg(n_schools=("school", "nunique"), n=("n", "sum"), w=("w", "sum"))
        .reset_index()
    )
    g["district_mean"] = g["w"] / g["n"]
    g["n"] = g["n"].astype("int64")
    return g[["district", "domain", "n_schools", "n", "district_mean"]]


def _network_district_means(ctx: ReportContext) -> pd.DataFrame:
    """:func:`district_means` of the context's asset profile, computed once per profile table.

    Each school report shows its district's row; computing the whole table per school made the
    reports' cost grow with the square of the network.
    """
    prof = ctx.tables["asset_profile"]
    cached = ctx.results.get("_district_means")
    if cached is None or cached[0] is not prof:
        cached = ctx.results["_district_means"] = (prof, district_means(prof, ctx.schools))
    return cached[1]


# ---------------------------------------------------------------- item detail
def section_items(ctx: ReportContext, school: str | None = None) -> Section:
    """How staff answered each statement: diverging stacked bars and a table per level."""
    t = ctx.tables.get("item_distribution")
    names = ctx.results["domain_short"]
    if t is None or len(t) == 0:
        return Section("items", "How staff answered each statement", _p("No item answers to show."))
    if school is None:
        sub, who, level = (
            _rows(t, "level", "network"),
            "the network (every reported school pooled)",
            "network",
        )
    else:
        sub = t[(t["level"] == "school") & (t["group"].astype(str) == str(school))].reset_index(drop=True)
        who, level = ctx.school_name(school), "school"
    html = _p(
        f"Each bar is one statement of the survey, answered by the teachers and leaders of {who} at "
        "baseline. Disagreeing answers go left of the center line and agreeing answers right; the number at "
        "the end is the % agree (Agree or Strongly agree). (R) marks statements worded the other way around, "
        "where agreeing means less of the asset. Statements answered by too few people are not shown."
    )
    if len(sub) == 0 or sub["pct_agree"].notna().sum() == 0:
        reasons = sorted(set(x for x in sub.get("suppressed", pd.Series(dtype=str)).fillna("") if x))
        html += _p("Not shown for this school" + (f" ({'; '.join(reasons)})" if reasons else "") + ".")
        return Section("items", "How staff answered each statement", html, tables=["item_distribution"])
    html += _figure(
        ctx,
        "item_distribution_plot",
        "fig-items",
        f"Answers to every statement, {level} level; number = % agree.",
        sub,
        title=f"How staff answered each statement: {ctx.school_name(school) if school else 'network'}",
        domain_names=names,
    )
    if school is not None:
        dist = ctx.school_district(school)
        comp = t[(t["level"] == "district") & (t["group"].astype(str) == str(dist))][["item", "pct_agree"]]
        net = _rows(t, "level", "network")[["item", "pct_agree"]]
        tab = (
            sub[["domain", "item", "text", "n", "pct_agree", "suppressed"]]
            .merge(comp.rename(columns={"pct_agree": "district"}), on="item", how="left")
            .merge(net.rename(columns={"pct_agree": "network"}), on="item", how="left")
        )
        tab["domain"] = tab["domain"].map(names)
        html += (
            '<details class="items"><summary>The table of % agree per statement: school, district and '
            "network</summary>"
        )
        html += html_table(
            tab,
            columns={
                "domain": "Domain",
                "item": "Item",
                "text": "Statement",
                "n": "Answered (school)",
                "pct_agree": "% agree (school)",
                "district": f"% agree (district {dist}, reported schools)",
                "network": "% agree (network)",
                "suppressed": "Not shown because",
            },
            digits={"n": 0, "pct_agree": 0, "district": 0, "network": 0},
            caption=f"% agree per statement at {ctx.school_name(school)}, its district and the network",
        )
        html += "</details>"
    return Section("items", "How staff answered each statement", html, tables=["item_distribution"])


# ---------------------------------------------------------------- technical notes
def _glossary_html() -> str:
    return (
        '<dl class="glossary">'
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in GLOSSARY)
        + "</dl>"
    )


def _what_was_asked(inst) -> str:
    """The instrument in one sentence: its statements per role form and domain, and its answer scales."""
    per_role = ", ".join(f"{len(inst.form(r))} on the {r} form" for r in inst.roles)
    per_domain = ", ".join(f"{len(v)} {inst.domain_shorts[d]}" for d, v in inst.items_by_domain.items())
    scales = "; ".join(
        f"{sc.labels[sc.min].lower()} ({sc.min}) to {sc.labels[sc.max].lower()} ({sc.max})"
        for sc in inst.scales.values()
    )
    return (
        f"Staff rated the statements of the {inst.name} {inst.version}: {len(inst.items)} in all "
        f"({per_domain}); {per_role}. Answer scales: {scales}."
    )


def _plain_methods(ctx: ReportContext) -> str:
    rate = float(ctx.config.get("min_response_rate", MIN_RESPONSE_RATE) or MIN_RESPONSE_RATE)
    items = [
        f"<li><strong>What was asked.</strong> {esc(_what_was_asked(ctx.instrument))}</li>",
        "<li><strong>How the scores are made.</strong> A person's domain score is the average of their answers; a "
        "school's score is the average of its teachers' and leaders' scores at baseline.</li>",
        "<li><strong>How a school is compared.</strong> With the network average, and with two fixed standards "
        "(4.0: a strength; under 3.0: an area to grow). A difference counts as clear only when its 95% interval "
        "leaves no doubt about its direction.</li>",
        "<li><strong>How change is measured.</strong> The follow-up survey's average minus the baseline's, allowing "
        "for the same people answering twice. " + esc(NOT_IMPACT) + "</li>",
        f"<li><strong>What is kept private.</strong> No number is shown for a group of fewer than {ctx.min_n} "
        f"people, or where under {rate:.0%} of those invited answered; a school's leaders never appear on their "
        "own; quotes are stripped of names and contact details and not attributed to a role.</li>",
    ]
    return "<ul>" + "".join(items) + "</ul>"


def _compact_notes(notes) -> list[str]:
    """Model notes once each: notes differing only in their p values are merged ("p = 0.26 to 0.98")."""
    groups: dict[str, list[float]] = {}
    for n in notes:
        for part in str(n).split("; "):
            key = re.sub(r"p = \d+(\.\d+)?", "p = {}", part)
            ps = [float(x) for x in re.findall(r"p = (\d+(?:\.\d+)?)", part)]
            groups.setdefault(key, []).extend(ps)
    out = []
    for key, ps in groups.items():
        if "{}" in key and ps:
            lo, hi = min(ps), max(ps)
            out.append(key.replace("{}", f"{lo:.2f}" if lo == hi else f"{lo:.2f} to {hi:.2f}", 1))
        else:
            out.append(key)
    return out


def _methods_facts(ctx: ReportContext) -> tuple[float, str, list[str]]:
    """What the methods text states: the scoring rule's ``min_answered``, the status rule, the change models."""
    scores = ctx.results.get("scores")
    min_answered = getattr(scores, "attrs", {}).get("min_answered", 0.5) if scores is not None else 0.5
    prof = ctx.tables["asset_profile"]
    rule = next((r for r in prof.get("rule", pd.Series(dtype=str)).fillna("") if r), "")
    ch = ctx.tables.get("change", pd.DataFrame())
    models = sorted(set(m for m in ch.get("model", pd.Series(dtype=str)).fillna("") if m))
    return min_answered, rule, models


def _model_spec(ctx: ReportContext) -> str:
    """The statistical detail, after the plain words: rules, models, formulas, and the models' own notes."""
    min_answered, rule, models = _methods_facts(ctx)
    ch = ctx.tables.get("change", pd.DataFrame())
    notes = _compact_notes(n for n in ch.get("note", pd.Series(dtype=str)).fillna("") if n)
    share = f"{float(min_answered):.0%}" if float(min_answered) < 1 else f"{int(min_answered)} items"
    items = [
        f"<li><strong>Scores.</strong> Mean of the answered items after reverse-keyed items are reflected; at "
        f"least {esc(share)} of a domain's items answered. Instrument {esc(ctx.instrument.name)} "
        f"{esc(ctx.instrument.version)}.</li>"
    ]
    if rule:
        items.append(f"<li><strong>Status rule.</strong> {esc(rule)}</li>")
    if models:
        items.append(
            "<li><strong>Change.</strong> Linear mixed models (statsmodels MixedLM, REML) of the domain "
            "score on wave: "
            + esc("; ".join(models))
            + ". 95% Wald intervals."
            + (" Model notes: " + esc("; ".join(notes)) + "." if notes else "")
            + "</li>"
        )
    items.append(
        "<li><strong>Gaps.</strong> Leaders' minus teachers' mean, Welch 95% interval; |gap| of 0.5 or "
        "more flagged as large.</li>"
    )
    items.append(
        "<li><strong>Reliability.</strong> Coefficient alpha (Feldt interval), omega total (one factor), "
        "ICC(1) and ICC(2) from a one-way ANOVA of domain scores on school, and a school mean's "
        "reliability n·ICC(1)/(1 + (n−1)·ICC(1)) (Bliese 2000).</li>"
    )
    if "agreement_domains" in ctx.tables:
        items.append(
            "<li><strong>Interviews.</strong> Krippendorff's alpha on code presence per double-coded "
            "excerpt, bootstrap intervals (network level).</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def net_districts(ctx: ReportContext) -> Section:
    """District comparison: each district's mean per domain next to the network mean (reported schools only)."""
    prof = ctx.tables["asset_profile"]
    dm = _network_district_means(ctx)
    short = ctx.results["domain_short"]
    net = prof.drop_duplicates("domain").set_index("domain")["network_mean"]
    html = _p(
        "Each district's mean per domain (district level), pooled from its reported schools, beside the "
        "network mean (network level). Schools whose numbers are suppressed are left out of both, so no "
        "district figure can be used to work out a hidden school."
    )
    if len(dm) == 0:
        return Section("districts", "Districts compared", html + _p("No district can be shown."))
    wide = dm.pivot_table(index="district", columns="domain", values="district_mean", aggfunc="first")
    n_sch = dm.groupby("district")["n_schools"].max()
    rows = []
    for d in wide.index:
        rows.append(
            {
                "district": d,
                "n_schools": int(n_sch.get(d, 0)),
                **{k: wide.loc[d, k] for k in ctx.results["domains"] if k in wide.columns},
            }
        )
    rows.append(
        {
            "district": "Network",
            "n_schools": int(prof.loc[prof["suppressed"].fillna("") == "", "school"].nunique()),
            **{k: float(net.get(k, np.nan)) for k in ctx.results["domains"]},
        }
    )
    t = pd.DataFrame(rows)
    html += html_table(
        t,
        columns={
            "district": "District",
            "n_schools": "Reported schools",
            **{k: short.get(k, k) for k in ctx.results["domains"]},
        },
        digits={"n_schools": 0},
        caption="Mean per domain (1–5): districts and the network",
    )
    return Section("districts", "Districts compared", html, tables=["asset_profile"])
