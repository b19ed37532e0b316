"""The principal's one-page summary: ``schools/<school>-summary.html``.

One printed page: the profile chart, two or three strengths, the suggested
first support with its reason, and the change headline (with the caveat that
change is not impact). It links to the full report.
"""

from __future__ import annotations

import pandas as pd

from .blocks import Section, _h3, _p, _rows, _status_html, esc
from .context import ReportContext
from .reading import NOT_IMPACT
from .sections import _support_plan, change_headline, profile_figure

__all__ = ["summary_sections", "strengths"]


def strengths(ctx: ReportContext, school: str, k: int = 3) -> list[str]:
    """Two or three strengths of a school, in plain words, strongest first.

    Domains whose status is asset come first; then the statements most of the
    school's staff agreed with (non-reverse-worded, shown items only), so a
    school with no asset domain still sees what it can build on.

    Parameters
    ----------
    ctx : ReportContext
    school : str
    k : int
        At most this many.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from assetinv.report import load_context
    >>> ctx = load_context()  # doctest: +SKIP
    >>> len(strengths(ctx, "S01")) <= 3  # doctest: +SKIP
    True
    """
    short = ctx.results["domain_short"]
    prof = _rows(ctx.tables["asset_profile"], "school", school)
    out = []
    if len(prof):
        shown = prof[prof["suppressed"].fillna("") == ""]
        for _, r in (
            shown[shown["status"] == "asset"]
            .sort_values(["mean", "domain"], ascending=[False, True], kind="mergesort")
            .iterrows()
        ):
            out.append(f"{short.get(r['domain'], r['domain'])} is a strength: {float(r['mean']):.1f} of 5.")
    items = ctx.tables.get("item_distribution")
    if items is not None and len(out) < k:
        sub = items[
            (items["level"] == "school")
            & (items["group"].astype(str) == str(school))
            & (~items["reverse"].astype(bool))
            & items["pct_agree"].notna()
        ]
        sub = sub.sort_values(["pct_agree", "item"], ascending=[False, True], kind="mergesort")
        for _, r in sub.head(max(2, k - len(out))).iterrows():
            if len(out) >= k:
                break
            out.append(f"{float(r['pct_agree']):.0f}% of staff agree: \u201c{r['text']}\u201d")
    return out[:k]


def summary_sections(ctx: ReportContext, school: str, file_name: str | None = None) -> list[Section]:
    """The one section of the one-page summary."""
    name = ctx.school_name(school)
    prof = _rows(ctx.tables["asset_profile"], "school", school)
    html = ""
    full = f"{file_name or school}.html"
    html += _p(
        f"The key points of {name}'s Asset Inventory, on one page. The full report ({full}) has the "
        "details, the interviews and how each number was made.",
        "note",
    )
    html += profile_figure(
        ctx, school, "Domain means (school level, with 95% intervals) against the network means."
    )
    html += _h3("Strengths to build on")
    st = strengths(ctx, school)
    html += (
        ('<ul class="strengths">' + "".join(f"<li>{esc(x)}</li>" for x in st) + "</ul>")
        if st
        else _p("Too few staff answered to report strengths.")
    )
    html += _h3("Suggested first support")
    plan = _support_plan(ctx, school)
    if len(plan):
        f = plan.iloc[0]
        short = ctx.results["domain_short"]
        html += (
            f'<div class="first-support"><p><strong>{esc(f["support"])}</strong> '
            f"({esc(short.get(f['domain'], f['domain']))} {_status_html(f['status'])}). "
            f"{esc(f['description'])}</p><p><em>Why first:</em> {esc(f['reason'])}</p></div>"
        )
        n_more = len(plan) - 1
        if n_more:
            html += _p(f"{n_more} more supports follow in the full report, in order of priority.", "note")
    else:
        html += _p("No support can be suggested: the school's profile is not reported.")
    html += _h3("Change since baseline")
    html += _p(change_headline(ctx, school).rstrip(".") + ".")
    html += _p(NOT_IMPACT, "callout not-impact")
    if len(prof):
        n = prof["n"].max()
        if pd.notna(n):
            html += _p(
                f"Based on {int(n)} teachers and leaders of {name} at baseline. Values are school level "
                "unless they say district or network.",
                "note",
            )
    html += f'<p class="note"><a href="{esc(full)}">Read the full report</a></p>'
    return [
        Section(
            "at-a-glance",
            "At a glance",
            html,
            tables=["asset_profile", "recommendations", "item_distribution", "change"],
        )
    ]
