"""Deterministic HTML building blocks for the reports.

Everything here is pure Python and byte-stable: the same table or figure always
gives the same string (no random ids, no timestamps, no dependence on dict or
set ordering beyond insertion order).

* :func:`html_table` renders a DataFrame as an accessible ``<table>`` with fixed
  number formats; suppressed (NaN) statistics are left blank.
* :func:`figure_html` renders a matplotlib Figure as inline SVG with
  ``role="img"``, an ``aria-label`` and a ``<title>`` (its alt text), ids
  prefixed per figure so several figures can share one page.
* :class:`Section` is one titled part of a report (id, title, HTML body).
"""
from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .ids import id_sort_key, natural_key

__all__ = ["Section", "html_table", "figure_html", "esc", "OKABE_ITO", "SVG_RC"]

#: Okabe & Ito (2008) colour-blind-safe palette, used as the default colour cycle.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]

#: matplotlib settings under which report figures are saved (fixed ids, text as text).
SVG_RC = {"svg.hashsalt": "assetinv", "svg.fonttype": "none", "svg.image_inline": True}


def esc(text: object) -> str:
    """HTML-escape any value (``None`` and NaN become an empty string)."""
    if text is None:
        return ""
    if isinstance(text, float) and math.isnan(text):
        return ""
    return html.escape(str(text), quote=True)


@dataclass
class Section:
    """One titled part of a report.

    Attributes
    ----------
    id : str
        Anchor id (unique within a page), used by the table of contents.
    title : str
        The ``<h2>`` heading.
    html : str
        The body: paragraphs, ``<h3>`` sub-headings, tables and figures.
    tables : list of str
        Names of the tables (in ``reports/tables/``) the section shows.
    """

    id: str
    title: str
    html: str
    tables: list[str] = field(default_factory=list)

    def to_html(self) -> str:
        """The section as it appears in a report, heading included."""
        return (
            f'<section id="{esc(self.id)}" aria-labelledby="{esc(self.id)}-h">\n'
            f'<h2 id="{esc(self.id)}-h">{esc(self.title)}</h2>\n{self.html}\n</section>'
        )

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return self.to_html()


# ---------------------------------------------------------------- tables
def _fmt_number(value: object, digits: int) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(f):
        return ""
    if digits == 0:
        return f"{int(round(f)):,}".replace("-", "\u2212")
    text = f"{f:.{digits}f}"
    if text.startswith("-"):
        text = text[1:] if float(text) == 0 else "\u2212" + text[1:]  # no "-0.00"; a real minus sign
    return text


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def html_table(
    df: pd.DataFrame,
    *,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    caption: str | None = None,
    digits: Mapping[str, int] | None = None,
    default_digits: int = 2,
    highlight: Callable[[pd.Series], bool] | None = None,
    raw_html: Sequence[str] = (),
    empty: str = "No rows to show.",
    table_id: str | None = None,
    drop_if_empty: Sequence[str] = ("suppressed", "note"),
) -> str:
    """Render a DataFrame as an accessible, deterministic HTML table.

    Parameters
    ----------
    df : DataFrame
        The rows to show (index is ignored).
    columns : mapping or sequence, optional
        Columns to show, in order; a mapping gives their header labels.
        Columns missing from ``df`` are skipped.
    caption : str, optional
        Table caption (shown above the table).
    digits : mapping, optional
        Decimal places per column (0 → integer with thousands separator).
        Integer columns default to 0, other numbers to ``default_digits``.
    highlight : callable, optional
        Row predicate; matching rows get ``class="this-school"``.
    raw_html : sequence of str
        Columns whose values are already HTML (not escaped).
    empty : str
        Text shown instead of a table when ``df`` has no rows.
    drop_if_empty : sequence of str
        Columns left out when every value is blank (e.g. ``suppressed``).

    Returns
    -------
    str
        ``<table>`` markup, or a paragraph saying the table is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> print(html_table(pd.DataFrame({"a": [1.234]}), columns={"a": "A"}))  # doctest: +ELLIPSIS
    <div class="table-scroll"...<table>...<th scope="col" class="num">A</th>...<td class="num">1.23</td>...
    """
    if columns is None:
        columns = list(df.columns)
    labels = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
    cols = [c for c in labels if c in df.columns]
    cols = [c for c in cols if c not in drop_if_empty
            or df[c].map(lambda v: v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v) != "").any()]
    if len(df) == 0:
        cap = f"<strong>{esc(caption)}</strong>: " if caption else ""
        return f'<p class="note">{cap}{esc(empty)}</p>'
    digits = dict(digits or {})
    numeric = {c: _is_numeric(df[c]) for c in cols}
    for c in cols:
        if c not in digits and numeric[c]:
            digits[c] = 0 if pd.api.types.is_integer_dtype(df[c]) else default_digits
    tid = f' id="{esc(table_id)}"' if table_id else ""
    # the scroll box keeps wide tables from widening the page on a phone; focusable so keyboards can scroll it
    out = [f'<div class="table-scroll" role="region" tabindex="0" aria-label="{esc(caption or "Table")}">',
           f"<table{tid}>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>")
    for c in cols:
        cls = ' class="num"' if numeric[c] else ""
        out.append(f'<th scope="col"{cls}>{esc(labels[c])}</th>')
    out.append("</tr></thead><tbody>")
    records = df[cols].to_dict("records")
    rows = df if highlight is not None else None
    for i, rec in enumerate(records):
        cls = ""
        if rows is not None and highlight(rows.iloc[i]):
            cls = ' class="this-school"'
        out.append(f"<tr{cls}>")
        for c in cols:
            v = rec[c]
            if c in raw_html:
                out.append(f"<td>{'' if v is None or (isinstance(v, float) and math.isnan(v)) else v}</td>")
            elif numeric[c]:
                text = _fmt_number(v, digits[c])
                out.append(f'<td class="num">{text}</td>')
            else:
                out.append(f"<td>{esc(v)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


# ---------------------------------------------------------------- figures
_ID_RE = re.compile(r'\sid="([^"]+)"')
_REF_RE = re.compile(r'(?:href="#|url\(#)([^")]+)')


def figure_html(fig, fig_id: str, *, caption: str | None = None, alt: str | None = None) -> str:
    """Inline a matplotlib Figure as accessible SVG inside ``<figure>``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; its ``alt_text`` attribute is the description (or ``alt``).
        The figure is closed afterwards.
    fig_id : str
        Prefix for every id inside the SVG (unique within the page).
    caption : str, optional
        Visible caption under the figure.
    alt : str, optional
        Alt text overriding ``fig.alt_text``.

    Returns
    -------
    str
        ``<figure><svg role="img" aria-label=...><title>...</title>...</svg>
        <figcaption>...</figcaption></figure>``; no XML prologue, no
        metadata, no namespace URLs, no timestamps.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    alt_text = alt or getattr(fig, "alt_text", None) or caption or "Figure"
    buf = io.StringIO()
    try:
        with matplotlib.rc_context({**SVG_RC, "svg.id": fig_id}):
            fig.savefig(
                buf,
                format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
    finally:
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'<style type="text/css">[^<]*</style>\s*', "", svg)
    svg = re.sub(r"<defs>\s*</defs>\s*", "", svg)
    svg = re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", svg)
    svg = re.sub(r'\s+version="1\.1"', "", svg)
    # Keep only referenced ids, prefixed so figures on one page never clash.
    referenced = set(_REF_RE.findall(svg))

    def _id(m: re.Match) -> str:
        name = m.group(1)
        if name == fig_id:
            return m.group(0)
        return f' id="{fig_id}-{name}"' if name in referenced else ""

    svg = _ID_RE.sub(_id, svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{fig_id}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{fig_id}-{m.group(1)})", svg)
    # Trailing spaces before newlines inside path data: drop them (smaller, stable).
    svg = re.sub(r" +\n", "\n", svg)
    a = esc(alt_text)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{a}" ', 1)
    head_end = svg.index(">") + 1
    svg = svg[:head_end] + f"\n<title>{a}</title>" + svg[head_end:]
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    box = f'<div class="fig-scroll" role="region" tabindex="0" aria-label="{esc(caption or alt_text)}">'
    return f'<figure id="{esc(fig_id)}-fig">\n{box}\n{svg.strip()}\n</div>\n{cap}</figure>'


# ====================================================================== analyses
# Everything below builds report content from a ReportContext (assetinv.reports).

def _fig_or_none(name: str):
    """A figure function of :mod:`assetinv.figures` (or qualitative), or None if absent."""
    from . import figures, qualitative

    return getattr(figures, name, None) or getattr(qualitative, name, None)


def _thresholds(cfg: dict, keys: Sequence[str]) -> dict:
    th = cfg.get("thresholds") or {}
    return {k: th[k] for k in keys if k in th}


def _redaction_terms(ctx) -> dict:
    """Names (study.yaml ``redact_names``) and respondent ids that quotes must not show."""
    from .redaction import read_redact_names

    path = ctx.config.get("redact_names") if isinstance(ctx.config, dict) else None
    names = read_redact_names(path) if path else None
    ids = sorted(set(ctx.responses["respondent_id"].dropna().astype(str))) if "respondent_id" in ctx.responses else None
    return {"names": names, "ids": ids}


def compute_analyses(ctx) -> None:
    """Run every network-level analysis once and store tidy tables in ``ctx.tables``.

    Tables (network-wide; school reports show slices): ``data_quality``,
    ``participation``, ``asset_profile``, ``recommendations``, ``change``,
    ``gaps_network``, ``gaps_by_school``, ``reliability_domains``,
    ``reliability_icc``, ``reliability_schools``, ``code_tallies_network``,
    ``code_tallies_schools``, ``agreement_domains``, ``agreement_codes``,
    ``joint_display_network``, ``joint_display_schools``, ``quotes``.
    """
    import warnings

    from . import qualitative as Q
    from . import scoring as S
    from .reliability import instrument_reliability

    cfg, inst, n_min = ctx.config, ctx.instrument, ctx.min_n
    rate = float(cfg.get("min_response_rate", 0.5) if cfg.get("min_response_rate") is not None else 0.5)
    res = ctx.results
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = S.score_domains(ctx.responses, inst)
        res["scores"] = scores
        res["domains"] = list(inst.domains["id"])
        res["domain_short"] = dict(zip(inst.domains["id"], inst.domains["short"]))
        res["domain_name"] = dict(zip(inst.domains["id"], inst.domains["name"]))

        # participation: respondents per school and wave against the roster (counts only)
        ctx.tables["participation"] = _participation(ctx, scores, rate)

        prof = S.asset_profile(
            scores, roster=ctx.roster, min_n=n_min, min_response_rate=rate, instrument=inst,
            suppress_also=res.get("suppress_also"),  # secondary suppression (assetinv.disclosure)
            **_thresholds(cfg, ("asset_at", "growth_below", "min_diff", "level")),
        )
        base = scores[(scores["wave"].astype(str) == "baseline") & scores["role"].isin(["teacher", "leader"])]
        summ = S.summarize(base, ("school",), roster=ctx.roster, responses=ctx.responses, min_n=n_min,
                           min_response_rate=rate, instrument=inst)
        attrs = dict(prof.attrs)
        prof = prof.merge(summ[["school", "domain", "pct_favourable"]], on=["school", "domain"], how="left")
        prof.attrs = attrs
        res["profile_attrs"] = dict(getattr(prof, "attrs", {}))
        ctx.tables["asset_profile"] = prof

        codings = ctx.codings
        has_codings = len(codings) > 0
        if has_codings:
            # interview counts use the qualitative module's own site minimum (privacy.MIN_INTERVIEWS)
            tal_s = Q.code_tallies(codings, "school", instrument=inst)
            tal_n = Q.code_tallies(codings, None, instrument=inst)
        else:
            tal_s = tal_n = pd.DataFrame()
        playbook = S.load_playbook(instrument=inst)
        # a 2.0.0 playbook follows each school's weak (or, for assets, strong) items
        from .supports import item_profile

        item_prof = item_profile(ctx.responses, inst, min_n=n_min) if "supports" in playbook else None
        recs = [S.recommend(prof, s, playbook=playbook, codes=tal_s if has_codings else None, instrument=inst,
                            items=item_prof)
                for s in sorted(prof["school"].astype(str).unique(), key=natural_key)]
        ctx.tables["recommendations"] = pd.concat(recs, ignore_index=True) if recs else pd.DataFrame()

        waves = set(scores["wave"].astype(str))
        if {"baseline", "followup"} <= waves:
            ctx.tables["change"] = S.change_over_time(scores, by_school=True, min_n=n_min, roster=ctx.roster,
                                                      min_response_rate=rate, instrument=inst)
        else:
            ctx.tables["change"] = pd.DataFrame(columns=["domain", "domain_name", "scope", "estimate", "ci_low",
                                                         "ci_high", "n_baseline", "n_followup", "reading",
                                                         "suppressed"])

        gaps = [S.perception_gaps(scores, level=lv, min_n=n_min, instrument=inst)
                for lv in ("network", "district", "school")]
        ctx.tables["gaps_network"] = pd.concat(gaps[:2], ignore_index=True)
        with_resp = set(scores["school"].astype(str))
        gfb = [S.perception_gaps_with_fallback(scores, s, min_n=n_min, instrument=inst)
               for s in ctx.school_ids if s in with_resp]
        ctx.tables["gaps_by_school"] = pd.concat(gfb, ignore_index=True) if gfb else pd.DataFrame()

        # reliability on the baseline survey of school staff: one answer per person, and district
        # offices (role "district") are not schools, so they stay out of the ICCs
        at_baseline = ctx.responses[(ctx.responses["wave"].astype(str) == "baseline")
                                    & ctx.responses["role"].isin(["teacher", "leader"])]
        rel = instrument_reliability(at_baseline, inst, min_n=n_min,
                                     thresholds=_thresholds(cfg, ("alpha_good", "alpha_adequate", "icc2_dependable")))
        res["reliability"] = rel
        ctx.tables["reliability_domains"] = rel.overall
        ctx.tables["reliability_icc"] = rel.icc
        ctx.tables["reliability_schools"] = rel.school_reliability

        if has_codings:
            seed = int(ctx.seed) if ctx.seed is not None else 0
            ctx.tables["code_tallies_network"] = tal_n
            ctx.tables["code_tallies_schools"] = tal_s
            agd = Q.coder_agreement(codings, group_by="domain", seed=seed, instrument=inst)
            ctx.tables["agreement_domains"] = agd
            ctx.tables["agreement_codes"] = Q.coder_agreement(codings, group_by="code", seed=seed, instrument=inst)
            red = _redaction_terms(ctx)
            ctx.tables["joint_display_network"] = Q.joint_display(prof, codings, agd, instrument=inst, **red)
            jds = [Q.joint_display(prof, codings, agd, school=s, instrument=inst, **red)
                   for s in ctx.school_ids if s in set(prof["school"].astype(str))]
            ctx.tables["joint_display_schools"] = pd.concat(jds, ignore_index=True) if jds else pd.DataFrame()
            quotes = Q.exemplar_quotes(codings, instrument=inst, **red)
            jds_all = ctx.tables["joint_display_schools"]
            if "interviews_suppressed" in jds_all and len(jds_all):
                hidden = set(jds_all.loc[jds_all["interviews_suppressed"].fillna("") != "", "school"].astype(str))
                quotes = quotes[~quotes["school"].astype(str).isin(hidden)]
            keep = [c for c in ("school", "domain", "rank", "codes", "exemplary", "n_coders", "quote") if c in quotes]
            ctx.tables["quotes"] = quotes[keep]


def _participation(ctx, scores: pd.DataFrame, rate: float) -> pd.DataFrame:
    from .privacy import suppress

    r = ctx.responses
    got = r.groupby(["school", "wave"], sort=True).size().rename("responded").reset_index()
    inv = ctx.roster.groupby(["school", "wave"], sort=True)["invited"].sum().reset_index()
    t = inv.merge(got, on=["school", "wave"], how="outer").sort_values(["school", "wave"], kind="mergesort",
                                                                      key=id_sort_key)
    t["responded"] = t["responded"].fillna(0).astype("int64")
    t["response_rate"] = t["responded"] / t["invited"].where(t["invited"] > 0)
    t = suppress(t, ["response_rate"], n_column="responded", min_n=ctx.min_n)
    return t.reset_index(drop=True)


# ====================================================================== helpers for sections
def _p(text: str, cls: str | None = None) -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<p{c}>{esc(text)}</p>"


def _h3(text: str, anchor: str | None = None) -> str:
    a = f' id="{esc(anchor)}"' if anchor else ""
    return f"<h3{a}>{esc(text)}</h3>"


def _ci(lo, hi, digits: int = 2) -> str:
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        return ""
    if math.isnan(lo) or math.isnan(hi):
        return ""
    return f"{_fmt_number(lo, digits)} to {_fmt_number(hi, digits)}"


def _signed(x, digits: int = 2) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return ""
    if math.isnan(x):
        return ""
    text = f"{abs(x):.{digits}f}"
    if float(text) == 0:
        return text
    return ("+" if x > 0 else "\u2212") + text


def _status_html(status: object) -> str:
    s = "" if status is None or (isinstance(status, float) and math.isnan(status)) else str(status)
    if not s:
        return ""
    cls = {"asset": "strength", "growth area": "growth"}.get(s, "typical")
    label = {"asset": "Asset", "growth area": "Growth area", "typical": "Typical"}.get(s, s.capitalize())
    sym = {"asset": "\u25b2", "growth area": "\u25bc", "typical": "\u25cf"}.get(s, "")
    mark = f'<span aria-hidden="true">{sym}</span> ' if sym else ""
    return f'<span class="status status-{cls}">{mark}{esc(label)}</span>'


def _rows(df: pd.DataFrame, col: str, value: str) -> pd.DataFrame:
    if df is None or len(df) == 0 or col not in df.columns:
        return pd.DataFrame(columns=list(df.columns) if df is not None else [])
    return df.loc[df[col].astype(str) == str(value)].reset_index(drop=True)


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _figure(ctx, fn_name: str, fig_id: str, caption: str, *args, **kwargs) -> str:
    """Render a figure function's output inline, or "" if that function is not available."""
    fn = _fig_or_none(fn_name)
    if fn is None:
        return ""
    import matplotlib

    with matplotlib.rc_context({"axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO)}):
        fig = fn(*args, **kwargs)
    if fig is None:
        return ""
    return figure_html(fig, fig_id, caption=caption)


def _short(ctx, t: pd.DataFrame) -> list[str]:
    """Short domain names for a table with a ``domain`` column."""
    short = ctx.results["domain_short"]
    return [short.get(d, d) for d in t["domain"]] if len(t) else []


def _n_text(n) -> str:
    try:
        return f"{int(n)}"
    except (TypeError, ValueError):
        return "?"


# ====================================================================== school sections
def school_report_sections(ctx, school: str) -> list[Section]:
    """The sections of one school's report, in reading order.

    ``summary, profile, supports, items, change, gaps, interviews,
    technical-notes`` (the appendix: methods in plain words, model
    specification, glossary, dependability, data quality, provenance). Each is
    a :class:`Section`; the notebook ``06_school_report.ipynb`` displays
    exactly these.
    """
    school = str(school)
    if school not in ctx.school_ids:
        from .errors import DataError, Problem

        raise DataError(Problem(file="schools", message=f"unknown school id '{school}'",
                                fix=f"use one of: {', '.join(ctx.school_ids)}"))
    from .report_reading import section_items, section_technical_notes

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


def _school_change(ctx, school: str) -> pd.DataFrame:
    ch = ctx.tables.get("change", pd.DataFrame())
    return _rows(ch, "scope", school)


def _inst_name(ctx) -> str:
    """The instrument's own name, for sentences ("answered the <name> at baseline")."""
    return str(getattr(ctx.instrument, "name", "") or "survey")


def section_summary(ctx, school: str) -> Section:
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
        n_schools = int(shown["n_schools"].max()) if "n_schools" in shown and shown["n_schools"].notna().any() else None
        assets = [short.get(d, d) for d in shown.loc[shown["status"] == "asset", "domain"]]
        growth = [short.get(d, d) for d in shown.loc[shown["status"] == "growth area", "domain"]]
        typical = [short.get(d, d) for d in shown.loc[shown["status"] == "typical", "domain"]]
        lead = f"{n} teachers and leaders at {name} answered the {_inst_name(ctx)} at baseline"
        if n_schools:
            lead += f", and their answers were compared with the {n_schools - 1} other schools in the network"
        parts.append(lead + ".")
        if assets:
            parts.append(f"The school's clearest {'strength is' if len(assets) == 1 else 'strengths are'} "
                         f"{_join(assets)}.")
        else:
            parts.append("No domain stands out as a clear strength yet.")
        if growth:
            parts.append(f"{_join(growth)} {'is the area' if len(growth) == 1 else 'are the areas'} to grow.")
        if typical:
            parts.append(f"{_join(typical)} {'is' if len(typical) == 1 else 'are'} close to the network.")
        best = shown.sort_values(["mean", "domain"], ascending=[False, True], kind="mergesort").iloc[0]
        parts.append(f"Staff rated {short.get(best['domain'], best['domain'])} highest "
                     f"({float(best['mean']):.1f} on a 1 to 5 scale).")
    ch = _school_change(ctx, school)
    if len(ch):
        ok = ch[ch["suppressed"].fillna("") == ""]
        if len(ok) == 0:
            parts.append(change_headline(ctx, school))
        else:
            parts.append(change_headline(ctx, school) + " (a change, not proof of impact: see Change since baseline).")
    plan = _support_plan(ctx, school)
    if len(plan):
        first = plan.iloc[0]
        parts.append(f"The suggested first support is {first['support']}: {first['reason']}")
    html = _p(" ".join(parts), "summary")
    html += _p("Scores are averages on a 1 (strongly disagree) to 5 (strongly agree) scale; “strength” (asset), "
               "“typical” and “growth area” compare the school with the network and with fixed standards (see the "
               "technical notes).", "note")
    return Section("summary", "Summary", html)


def change_headline(ctx, school: str) -> str:
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


def _support_plan(ctx, school: str) -> pd.DataFrame:
    from .report_reading import support_plan

    recs = _rows(ctx.tables.get("recommendations", pd.DataFrame()), "school", school)
    prof = _rows(ctx.tables["asset_profile"], "school", school)
    return support_plan(recs, prof, ctx.results["domain_short"]) if len(recs) else recs


def _district_mean_column(ctx, school: str, prof: pd.DataFrame) -> pd.Series:
    from .report_reading import district_means

    dm = district_means(ctx.tables["asset_profile"], ctx.schools)
    d = ctx.school_district(school)
    sub = dm[dm["district"].astype(str) == str(d)].set_index("domain")["district_mean"]
    out = prof["domain"].map(sub).astype("float64")
    return out.where(prof["suppressed"].fillna("").astype(str) == "")  # a suppressed row shows no number at all


def section_profile(ctx, school: str) -> Section:
    """Asset profile with intervals against the network; sentence per domain; figure."""
    prof = _rows(ctx.tables["asset_profile"], "school", school)
    disp = pd.DataFrame({
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
    })
    table = html_table(
        disp,
        columns={"domain": "Domain", "n": "Staff (n)", "mean": "School mean (1–5)", "ci": "95% interval",
                 "district_mean": "District mean", "network_mean": "Network mean",
                 "others_mean": "Other schools' mean",
                 "diff": "School − other schools", "diff_ci": "95% interval of the difference",
                 "pct_favourable": "% agree (school)", "status": "Status", "suppressed": "Not shown because"},
        digits={"n": 0, "pct_favourable": 0},
        raw_html=("status",),
        caption=f"Asset profile of {ctx.school_name(school)} at baseline (teachers and leaders)",
    )
    from .report_reading import plain_sentence

    attrs = ctx.results.get("profile_attrs", {})
    short = ctx.results["domain_short"]
    sentences = "".join(
        f"<li>{esc(plain_sentence(r, short.get(r['domain'], r['domain']), asset_at=float(attrs.get('asset_at', 4.0)), growth_below=float(attrs.get('growth_below', 3.0))))}</li>"
        for r in prof.to_dict("records"))
    html = _p("Each domain's average (mean) is shown with its 95% interval: the range the school's true average "
              "probably lies in, given how many staff answered. The difference from the network's other schools is "
              "clear when its interval does not include 0. School values are this school's teachers and leaders at "
              "baseline; the district mean pools the district's reported schools, the network mean every reported "
              "school, and the other schools' mean every reported school but this one.")
    html += table
    html += _p("% agree is the share of the school's staff who answered Agree or Strongly agree, averaged over the "
               "domain's statements (statements worded the other way round are flipped first).", "note")
    if sentences:
        html += f"<ul>{sentences}</ul>"
    html += _figure(ctx, "school_profile_plot", "fig-profile",
                    "The school's domain means (dots, with 95% intervals) against the network means.",
                    ctx.tables["asset_profile"], school, title=f"{ctx.school_name(school)}: domains against the network")
    return Section("profile", "Asset profile", html, tables=["asset_profile"])


def section_supports(ctx, school: str) -> Section:
    """Suggested supports in order of priority (first, next, later), each with its reason.

    The heading follows the content: "Strengths to build on and suggested
    supports" only when the school has a strength to build on.
    """
    recs = _rows(ctx.tables.get("recommendations", pd.DataFrame()), "school", school)
    short = ctx.results["domain_short"]
    has_build = bool(len(recs)) and (recs["kind"] == "build on").any()
    title = "Strengths to build on and suggested supports" if has_build else "Suggested supports"
    if len(recs) == 0:
        return Section("supports", title, _p("No support can be suggested: the school's profile is not reported."),
                       tables=["recommendations"])
    plan = _support_plan(ctx, school)
    html = _p("Supports from the partnership playbook, matched to this school's profile and listed in order of "
              "priority: start with the first, take up the next ones as capacity allows, and keep the later ones "
              "in view. Each says why it is suggested.")
    labels = {"first": "First", "next": "Next", "later": "Later"}
    for pri in ("first", "next", "later"):
        part = plan[plan["priority"] == pri]
        if len(part) == 0:
            continue
        html += _h3(labels[pri])
        if pri == "later":
            html += _p("Other options, once the first and next supports are under way:")
            groups = []
            for dom in dict.fromkeys(part["domain"]):
                rows = part[part["domain"] == dom]
                groups.append(f"<li><strong>{esc(short.get(dom, dom))}:</strong> "
                              + "; ".join(f"{esc(x)}" for x in rows["support"]) + ".</li>")
            html += '<ul class="supports later">' + "".join(groups) + "</ul>"
            html += ('<details class="screen-only"><summary>What the later supports involve</summary><ul>'
                     + "".join(f"<li><strong>{esc(r['support'])}</strong>: {esc(r['description'])}</li>"
                               for _, r in part.iterrows()) + "</ul></details>")
            continue
        items = []
        for _, r in part.iterrows():
            lever = f" <em>Why it can work here:</em> {esc(r['lever'])}" if str(r.get("lever") or "").strip() else ""
            lever += _support_extras(r)
            if pri == "later":
                items.append(f"<li><strong>{esc(r['support'])}</strong>: {esc(r['description'])} "
                             f"<span class=\"reason\">({esc(r['reason'])})</span></li>")
                continue
            items.append(f"<li><strong>{esc(r['support'])}</strong> ({esc(short.get(r['domain'], r['domain']))} "
                         f"{_status_html(r['status'])}). {esc(r['description'])}"
                         f"<br><span class=\"reason\"><em>Reason:</em> {esc(r['reason'])}</span>{lever}</li>")
        html += f'<ol class="supports">' + "".join(items) + "</ol>" if pri == "first" else \
            "<ul class=\"supports\">" + "".join(items) + "</ul>"
    evid = recs.drop_duplicates("domain")
    evid = evid[evid["kind"] != "not reported"]
    if len(evid):
        html += ('<details class="evidence"><summary>The evidence behind each domain</summary><ul>'
                 + "".join(f"<li><strong>{esc(short.get(r['domain'], r['domain']))}</strong>: "
                           f"{esc(r['evidence'])}</li>" for _, r in evid.iterrows()) + "</ul></details>")
    nr = recs[recs["kind"] == "not reported"]
    if len(nr):
        html += _h3("Domains not reported") + "<ul>" + "".join(
            f"<li><strong>{esc(short.get(r['domain'], r['domain']))}</strong>: {esc(r['evidence'])}</li>"
            for _, r in nr.iterrows()) + "</ul>"
    return Section("supports", title, html, tables=["recommendations"])


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


def section_change(ctx, school: str) -> Section:
    """Change since baseline, for the school and the network; suppressed when too small."""
    ch_all = ctx.tables.get("change", pd.DataFrame())
    ch = _school_change(ctx, school)
    net = _rows(ch_all, "scope", "network")
    if len(ch_all) == 0:
        return Section("change", "Change since baseline",
                       _p("Only one survey wave is available, so change cannot be estimated yet."), tables=["change"])

    def disp(t):
        return pd.DataFrame({
            "domain": _short(ctx, t), "n_baseline": t["n_baseline"], "n_followup": t["n_followup"],
            "estimate": [_signed(x) for x in t["estimate"]],
            "ci": [_ci(a, b) for a, b in zip(t["ci_low"], t["ci_high"])],
            "reading": [name_ids(ctx, x) for x in t["reading"].fillna("")], "suppressed": t["suppressed"],
        })

    from .report_reading import NOT_IMPACT, name_ids

    cols = {"domain": "Domain", "n_baseline": "n baseline", "n_followup": "n follow-up", "estimate": "Change",
            "ci": "95% interval", "reading": "Reading", "suppressed": "Not shown because"}
    html = _p("Change is the follow-up average minus the baseline average, in points on the 1–5 scale. "
              "It is clear when its 95% interval does not include 0.")
    html += _p(NOT_IMPACT, "callout not-impact")
    if len(ch) and (ch["suppressed"].fillna("") != "").all():
        reasons = sorted(set(ch["suppressed"].astype(str)))
        html += _p(f"Change at {ctx.school_name(school)} is not shown ({'; '.join(reasons)}), so that no small "
                   "group of staff can be identified. The network's change is below.")
    else:
        html += html_table(disp(ch), columns={k: v for k, v in cols.items() if k != "reading"},
                           digits={"n_baseline": 0, "n_followup": 0},
                           caption=f"Change since baseline at {ctx.school_name(school)} (school level)")
        ok = ch[ch["suppressed"].fillna("") == ""]
        html += "<ul>" + "".join(f"<li>{esc(name_ids(ctx, x))}</li>" for x in ok["reading"].fillna("") if x) + "</ul>"
    html += html_table(disp(net), columns={k: v for k, v in cols.items() if k != "reading"},
                       digits={"n_baseline": 0, "n_followup": 0},
                       caption="Change since baseline across the network (network level)")
    if len(ch) and (ch["suppressed"].fillna("") == "").any():
        both = ch_all[ch_all["scope"].astype(str).isin(["network", school])].reset_index(drop=True)
        html += _figure(ctx, "change_plot", "fig-change",
                        "Change since baseline per domain, with 95% intervals: this school and the network.",
                        both, title=f"Change since baseline: {ctx.school_name(school)} and the network")
    return Section("change", "Change since baseline", html, tables=["change"])


def section_gaps(ctx, school: str) -> Section:
    """Leader–teacher gaps at the finest level where both groups meet the minimum."""
    g = _rows(ctx.tables.get("gaps_by_school", pd.DataFrame()), "school", school)
    html = _p(f"A gap is the school leaders' average minus the teachers' average. Leaders' answers are shown only "
              f"where at least {ctx.min_n} leaders and {ctx.min_n} teachers answered; otherwise the district or "
              "the network is shown instead, so that no small group of leaders can be identified.")
    if len(g) == 0:
        return Section("gaps", "Teacher–leader perception gaps", html + _p("No survey responses for this school."),
                       tables=["gaps_by_school"])
    where = {"school": "this school", "district": "the district", "network": "the network"}
    disp = pd.DataFrame({
        "domain": _short(ctx, g),
        "shown": [f"{where.get(lv, lv)} ({grp})" if lv != "school" else "this school"
                  for lv, grp in zip(g["level"], g["group"])],
        "teacher_mean": g["teacher_mean"], "leader_mean": g["leader_mean"],
        "gap": [_signed(x) for x in g["gap"]],
        "ci": [_ci(a, b) for a, b in zip(g["ci_low"], g["ci_high"])],
        "large": ["large" if (isinstance(v, (bool, np.bool_)) and v) else "" for v in g["flagged_large"]],
        "suppressed": g["suppressed"],
    })
    html += html_table(disp, columns={"domain": "Domain", "shown": "Level shown", "teacher_mean": "Teachers",
                                      "leader_mean": "Leaders", "gap": "Gap (leaders − teachers)",
                                      "ci": "95% interval", "large": "Large gap", "suppressed": "Not shown because"},
                       caption="Teacher–leader perception gaps (baseline)")
    notes = sorted(set(n for n in g.get("note", pd.Series(dtype=str)).fillna("") if n))
    if notes:
        html += "<ul class=\"note\">" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
    if g["gap"].notna().any():
        html += _figure(ctx, "gap_plot", "fig-gaps", "Leaders' minus teachers' average per domain, with 95% intervals.",
                        g)
    return Section("gaps", "Teacher–leader perception gaps", html, tables=["gaps_by_school"])


def section_interviews(ctx, school: str) -> Section:
    """Interview themes: top codes per domain, redacted exemplar quotes, joint display."""
    if "joint_display_schools" not in ctx.tables:
        return Section("interviews", "Interview themes", _p("No interview codings were provided for this study."))
    jd = _rows(ctx.tables["joint_display_schools"], "school", school)
    quotes = _rows(ctx.tables.get("quotes", pd.DataFrame()), "school", school)
    html = _p(f"Interviews with staff were coded with the {_inst_name(ctx)} codebook. For each domain: the codes "
              "heard most often, and quotes that illustrate them. Names and contact details are removed from quotes.")
    if len(jd) == 0:
        html += _p("No interviews were coded at this school.")
        return Section("interviews", "Interview themes", html, tables=["joint_display_schools", "quotes"])
    names = ctx.results["domain_name"]
    hidden = sorted(set(str(x) for x in jd.get("interviews_suppressed", pd.Series(dtype=str)).fillna("") if x))
    if hidden:
        html += _p(f"Interview themes and quotes are not shown for this school ({'; '.join(hidden)}), so that no "
                   "interviewee can be recognised. The network summary shows the themes across all schools.")
        return Section("interviews", "Interview themes", html, tables=["joint_display_schools"])
    for _, r in jd.iterrows():
        d = r["domain"]
        html += _h3(names.get(d, d))
        n_ex = r.get("n_excerpts")
        top = str(r.get("top_codes") or "").strip()
        sm = r.get("survey_mean")
        survey = (f"Survey: {float(sm):.1f} of 5, {_status_html(r.get('status'))}. " if sm is not None and pd.notna(sm)
                  else "Survey: not reported. ")
        # n_excerpts is banded ("1+") by assetinv.disclosure when it could be one interviewee's
        n_txt = n_ex if isinstance(n_ex, str) else ("" if n_ex is None or pd.isna(n_ex) else str(int(n_ex)))
        if top and n_txt not in ("", "0"):
            said = esc(f"Heard most often in interviews ({n_txt} coded excerpt{'s' if n_txt != '1' else ''}): "
                       f"{top}.")
        else:
            said = "No coded interview excerpts for this domain."
        html += f"<p>{survey}{said}</p>"
        q = quotes[quotes["domain"] == d] if len(quotes) else quotes
        for text in q["quote"].head(1) if len(q) else []:
            html += f"<blockquote><p>{esc(text)}</p><footer>Interview excerpt (redacted)</footer></blockquote>"
    html += '<div class="screen-only">' + _h3("Joint display: survey and interviews side by side")
    disp = pd.DataFrame({
        "domain": _short(ctx, jd), "survey_mean": jd["survey_mean"],
        "status": [_status_html(s) for s in jd["status"]], "n_excerpts": jd["n_excerpts"],
        "top_codes": jd["top_codes"].fillna(""), "agreement": jd["agreement"],
    })
    html += html_table(disp, columns={"domain": "Domain", "survey_mean": "School mean", "status": "Status",
                                      "n_excerpts": "Coded excerpts (school)", "top_codes": "Most frequent codes"},
                       raw_html=("status",), digits={"n_excerpts": 0},
                       caption="Joint display: survey mean and interview evidence per domain (school level)")
    # coder agreement is a network-level value: it stays out of the school's figure (see the technical notes)
    html += _figure(ctx, "joint_display_figure", "fig-joint", "Survey means beside the number of coded interview "
                    "excerpts per domain.", jd.assign(agreement=np.nan), title=f"Joint display: {ctx.school_name(school)}")
    html += "</div>"
    return Section("interviews", "Interview themes", html, tables=["joint_display_schools", "quotes"])


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


def section_reliability(ctx, school: str) -> Section:
    """How dependable each number is: alpha, ICC(2), the school's group-mean reliability."""
    dom = ctx.tables["reliability_domains"]
    icc = ctx.tables["reliability_icc"]
    sch = _rows(ctx.tables["reliability_schools"], "school", school)
    names = ctx.results["domain_name"]
    t = pd.DataFrame({"domain": dom["domain"]})
    t["name"] = t["domain"].map(ctx.results["domain_short"])
    t["alpha"] = dom["raw_alpha"].to_numpy() if "raw_alpha" in dom else np.nan
    t["omega"] = dom["omega_total"].to_numpy() if "omega_total" in dom else np.nan
    t = t.merge(icc[["domain", "icc1", "icc2"]], on="domain", how="left") if len(icc) else t.assign(icc1=np.nan, icc2=np.nan)
    t = t.merge(sch[["domain", "n", "reliability", "suppressed"]] if len(sch) else
                pd.DataFrame(columns=["domain", "n", "reliability", "suppressed"]), on="domain", how="left")
    t["reading"] = [
        f"Items: {_dependability(a)} consistency. This school's mean: {_dependability(r)} reliability."
        for a, r in zip(t["alpha"], t["reliability"].astype("float64"))
    ]
    html = _p("A number is only as useful as it is dependable. Coefficient alpha (and omega) say whether a domain's "
              "eight items measure one thing; ICC(2) says whether school averages reliably tell schools apart; the "
              "school's own reliability depends on how many of its staff answered. Values of 0.70 or more are "
              "usually taken as dependable.")
    html += html_table(t, columns={"name": "Domain", "alpha": "Alpha", "omega": "Omega",
                                   "icc2": "ICC(2)", "n": "Responses here (baseline)",
                                   "reliability": "Reliability of this school's mean", "reading": "In plain words",
                                   "suppressed": "Not shown because"},
                       digits={"n": 0}, caption="Reliability of the domain scores")
    verdicts = [v for v in dom.get("verdict", pd.Series(dtype=str)).fillna("") if v]
    if verdicts:
        html += "<ul>" + "".join(f"<li>{esc(v)}</li>" for v in verdicts) + "</ul>"
    return Section("reliability", "How dependable these numbers are", html,
                   tables=["reliability_domains", "reliability_icc", "reliability_schools"])


def section_methods(ctx, school: str | None = None) -> Section:
    """Short methods: scoring rule, suppression rule, models."""
    inst = ctx.instrument
    scores = ctx.results.get("scores")
    min_answered = getattr(scores, "attrs", {}).get("min_answered", 0.5) if scores is not None else 0.5
    prof = ctx.tables["asset_profile"]
    rule = next((r for r in prof.get("rule", pd.Series(dtype=str)).fillna("") if r), "")
    ch = ctx.tables.get("change", pd.DataFrame())
    models = sorted(set(m for m in ch.get("model", pd.Series(dtype=str)).fillna("") if m))
    rate = ctx.config.get("min_response_rate", 0.5)
    items = [
        f"<li><strong>Scores.</strong> Each staff member's domain score is the mean of their answers to the domain's "
        f"items (1 = strongly disagree … 5 = strongly agree), after reverse-worded items are flipped; a score needs "
        f"at least {esc(_fmt_share(min_answered))} of the domain's items answered. Instrument: "
        f"{esc(inst.name)} version {esc(inst.version)}.</li>",
        f"<li><strong>Privacy.</strong> No statistic is shown for a group of fewer than {ctx.min_n} respondents or a "
        f"response rate under {float(rate):.0%}; such rows are kept with the reason. A school's leaders are never "
        "shown on their own unless they meet the minimum; gaps then fall back to the district or network. Quotes "
        "are redacted and never attributed to a role.</li>",
    ]
    if rule:
        items.append(f"<li><strong>Asset profile.</strong> {esc(rule)}</li>")
    if models:
        items.append("<li><strong>Change.</strong> Baseline to follow-up, estimated with: " +
                     esc("; ".join(models)) + ". Intervals are 95% confidence intervals.</li>")
    items.append("<li><strong>Gaps.</strong> Leaders' mean minus teachers' mean with a Welch 95% interval; "
                 "gaps of 0.5 points or more are flagged as large.</li>")
    items.append("<li><strong>Reliability.</strong> Coefficient alpha and omega total per domain; ICC(1) and ICC(2) "
                 "of domain scores across schools, ICC(1) estimated by REML (the schools' share of the variance in "
                 "a random-intercept model, which suits schools of very different sizes); each school's group-mean "
                 "reliability n·ICC(1)/(1 + (n−1)·ICC(1)) (Bliese 2000). Every reliability is kept between 0 and "
                 "1: an estimate below 0 (schools differing less than chance) is shown as 0.</li>")
    if "agreement_domains" in ctx.tables:
        from .privacy import MIN_INTERVIEWS

        items.append("<li><strong>Interviews.</strong> Excerpts coded with the instrument's codebook; agreement "
                     "between coders is Krippendorff's alpha on code presence per excerpt, with bootstrap "
                     f"intervals. A school's interview themes and quotes are shown only when at least "
                     f"{MIN_INTERVIEWS} of its interviews were coded and no role there gave a single interview; "
                     "counts of 1 or 2 at a school are shown as 1+.</li>")
    return Section("methods", "Methods", "<ul>" + "".join(items) + "</ul>")


def _fmt_share(x) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{x:.0%}" if x < 1 else f"{int(x)} items"


def section_data_quality(ctx, school: str | None = None) -> Section:
    """Counts only: rows read/used/excluded; this school's participation."""
    dq = ctx.tables["data_quality"]
    html = _p("Counts only: how many survey rows were read, excluded (and why) and used.")
    html += html_table(dq, columns={"stage": "Stage", "rows": "Rows", "reason": "Reason"},
                       caption="Survey data quality (whole network)")
    part = ctx.tables["participation"]
    if school is not None:
        part = _rows(part, "school", school)
        cap = f"Participation at {ctx.school_name(school)}"
    else:
        cap = "Participation per school and wave"
    part = part.assign(response_rate=part["response_rate"] * 100)
    html += html_table(part, columns={"school": "School", "wave": "Wave", "invited": "Invited",
                                      "responded": "Responded", "response_rate": "Response rate (%)",
                                      "suppressed": "Not shown because"},
                       digits={"invited": 0, "responded": 0, "response_rate": 0}, caption=cap)
    scores = ctx.results.get("scores")
    if scores is not None and len(scores):
        sub = scores if school is None else scores[scores["school"].astype(str) == school]
        n_flag = int((sub["straightliner"].astype(bool) | sub["speeder"].astype(bool)).sum())
        if school is not None and school in ctx.results.get("hidden_counts", ()):  # assetinv.disclosure
            html += _p("Some survey responses here may have been flagged as possibly careless; the counts are not "
                       "shown because, with the other tables, they would reveal a group too small to report.", "note")
            return Section("data-quality", "Data quality", html, tables=["data_quality", "participation"])
        html += _p(f"{n_flag} of {len(sub)} survey responses {'here ' if school else ''}were flagged as possibly "
                   "careless (the same answer to every item, or finishing very fast). They are kept in the analysis "
                   "and counted here for transparency.", "note")
    return Section("data-quality", "Data quality", html, tables=["data_quality", "participation"])


def section_provenance(ctx, school: str | None = None) -> Section:
    """Versions, input SHA-256, parameters and seed (no timestamps)."""
    import platform

    import matplotlib
    import scipy

    from . import __version__

    rows = [
        ("assetinv", __version__),
        ("Instrument", f"{ctx.instrument.name} {ctx.instrument.version}"),
        ("Study config", ctx.config_file or ""),
        ("Suppression minimum (min_n)", str(ctx.min_n)),
        ("Minimum response rate", f"{float(ctx.config.get('min_response_rate', 0.5)):.0%}"),
        ("Seed", "none" if ctx.seed is None else str(ctx.seed)),
        ("Software", f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
                     f"scipy {scipy.__version__}, matplotlib {matplotlib.__version__}"),
    ]
    if school is not None:
        rows.insert(2, ("School", school))
    html = '<dl class="prov">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl>"
    files = pd.DataFrame(ctx.inputs)
    html += '<div class="prov-files">' + html_table(
        files, columns={"role": "Input", "file": "File", "bytes": "Bytes", "sha256": "SHA-256"},
        digits={"bytes": 0}, caption="Input files and their SHA-256 checksums") + "</div>"
    html += _p("Input checksums are in provenance.json.", "note print-only")
    html += _p("Rendering again from the same files and parameters gives byte-identical reports.", "note")
    return Section("provenance", "Provenance", html)


# ====================================================================== network summary
def network_sections(ctx) -> list[Section]:
    """The sections of the network summary, in order."""
    from .report_reading import net_districts, section_items, section_technical_notes

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


def net_overview(ctx) -> Section:
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


def net_profiles(ctx) -> Section:
    prof = ctx.tables["asset_profile"]
    doms = ctx.results["domains"]
    short = ctx.results["domain_short"]
    html = _p("Each school's baseline mean per domain (1–5) and its status against the network. Schools with too few "
              "responses are listed with the reason and no numbers.")
    html += _figure(ctx, "heatmap_network", "fig-heatmap",
                    "Heat map of every school's domain means; blank cells are suppressed.", prof)
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
    cols = {"id": "School id", "school": "School", **{d: short.get(d, d) for d in doms},
            "suppressed": "Not shown because"}
    html += html_table(wide, columns=cols, raw_html=tuple(doms), caption="Asset profiles of all schools (baseline)")
    return Section("profiles", "School profiles across the network", html, tables=["asset_profile"])


def net_change(ctx) -> Section:
    ch = ctx.tables.get("change", pd.DataFrame())
    net = _rows(ch, "scope", "network")
    if len(ch) == 0:
        return Section("change", "Change since baseline", _p("Only one wave is available."), tables=["change"])
    disp = pd.DataFrame({
        "domain": _short(ctx, net), "n_baseline": net["n_baseline"], "n_followup": net["n_followup"],
        "estimate": [_signed(x) for x in net["estimate"]],
        "ci": [_ci(a, b) for a, b in zip(net["ci_low"], net["ci_high"])],
        "effect": net.get("effect_size"), "reading": net["reading"].fillna(""),
    })
    from .report_reading import NOT_IMPACT

    html = _p("The network's average change from baseline to follow-up, from a mixed model with schools as a random "
              "effect (so every school counts, whatever its size).")
    html += _p(NOT_IMPACT, "callout not-impact")
    html += html_table(disp, columns={"domain": "Domain", "n_baseline": "n baseline", "n_followup": "n follow-up",
                                      "estimate": "Change", "ci": "95% interval", "effect": "Effect size (d)",
                                      "reading": "Reading"},
                       digits={"n_baseline": 0, "n_followup": 0}, caption="Change since baseline, network")
    html += _figure(ctx, "change_plot", "fig-change", "Network change since baseline per domain, with 95% intervals.",
                    net.reset_index(drop=True), title="Change since baseline: network")
    sch = ch[ch["scope"].astype(str) != "network"]
    if len(sch):
        wide = sch.assign(value=[_signed(x) + (" *" if lo > 0 or hi < 0 else "") if not math.isnan(x) else ""
                                 for x, lo, hi in zip(sch["estimate"].astype(float), sch["ci_low"].astype(float),
                                                      sch["ci_high"].astype(float))])
        piv = wide.pivot_table(index="scope", columns="domain", values="value", aggfunc="first").reset_index()
        piv = piv.rename(columns={"scope": "school"})
        piv.insert(1, "name", [ctx.school_name(x) for x in piv["school"]])
        doms = [d for d in ctx.results["domains"] if d in piv.columns]
        n_star = int(sum(str(v).endswith("*") for d in doms for v in piv[d]))
        n_cells = int(sum(str(v) != "" and str(v) != "nan" for d in doms for v in piv[d]))
        notes = " ".join(str(x) for x in net.get("note", pd.Series(dtype=str)).fillna(""))
        same = "no detectable between-school variation" in notes
        html += _p("Each school's change is estimated from that school's own staff. "
                   + ("The network model found no clear evidence that schools grow at different rates overall (see "
                      "the model notes in the technical notes), so " if same else "")
                   + f"single starred cells ({n_star} of {n_cells} here) should be read with care: among many "
                   "schools and domains, a few look different by chance alone.", "note")
        html += html_table(piv, columns={"name": "School", "school": "School id",
                                         **{d: ctx.results["domain_short"][d] for d in doms}},
                           caption="Change per school (school level; points; * = interval excludes 0; "
                                   "blank = suppressed)")
    return Section("change", "Change since baseline", html, tables=["change"])


def net_gaps(ctx) -> Section:
    g = ctx.tables["gaps_network"]
    disp = pd.DataFrame({
        "level": g["level"], "group": g["group"], "domain": _short(ctx, g),
        "n_teachers": g["n_teachers"], "n_leaders": g["n_leaders"],
        "teacher_mean": g["teacher_mean"], "leader_mean": g["leader_mean"],
        "gap": [_signed(x) for x in g["gap"]], "ci": [_ci(a, b) for a, b in zip(g["ci_low"], g["ci_high"])],
        "suppressed": g["suppressed"],
    })
    html = _p("Leaders' minus teachers' averages for the network and each district (school-level gaps appear in the "
              "school reports only where both groups are large enough).")
    html += html_table(disp, columns={"level": "Level", "group": "Group", "domain": "Domain",
                                      "n_teachers": "Teachers (n)", "n_leaders": "Leaders (n)",
                                      "teacher_mean": "Teachers", "leader_mean": "Leaders", "gap": "Gap",
                                      "ci": "95% interval", "suppressed": "Not shown because"},
                       digits={"n_teachers": 0, "n_leaders": 0}, caption="Teacher–leader perception gaps (baseline)")
    net = g[g["level"] == "network"]
    if net["gap"].notna().any():
        html += _figure(ctx, "gap_plot", "fig-gaps", "Network leaders' minus teachers' average per domain.", net)
    return Section("gaps", "Teacher–leader perception gaps", html, tables=["gaps_network"])


def net_reliability(ctx) -> Section:
    dom = ctx.tables["reliability_domains"]
    icc = ctx.tables["reliability_icc"]
    names = ctx.results["domain_name"]
    t = dom.copy()
    t["name"] = t["domain"].map(ctx.results["domain_short"])
    html = _p("Internal consistency of each domain (alpha with its Feldt 95% interval, omega total) and how well "
              "school averages separate schools (ICC).")
    t["alpha_ci"] = [_ci(a, b) for a, b in zip(t.get("feldt_lower", np.nan), t.get("feldt_upper", np.nan))]
    html += html_table(t, columns={"name": "Domain", "n": "n", "n_items": "Items", "raw_alpha": "Alpha",
                                   "alpha_ci": "95% interval", "omega_total": "Omega", "verdict": "Reading"},
                       digits={"n": 0, "n_items": 0}, caption="Reliability of the domain scores (network level: baseline survey, teachers and leaders)")
    ic = icc.copy()
    ic["name"] = ic["domain"].map(ctx.results["domain_short"])
    html += html_table(ic, columns={"name": "Domain", "icc1": "ICC(1)", "icc2": "ICC(2)", "f": "F",
                                    "n_groups": "Schools", "mean_group_size": "Mean responses per school"},
                       digits={"n_groups": 0, "mean_group_size": 1}, caption="Intraclass correlations of domain scores across schools")
    return Section("reliability", "How dependable these numbers are", html,
                   tables=["reliability_domains", "reliability_icc"])


def net_interviews(ctx) -> Section:
    if "code_tallies_network" not in ctx.tables:
        return Section("interviews", "Interview themes", _p("No interview codings were provided for this study."))
    tal = ctx.tables["code_tallies_network"]
    ag = ctx.tables["agreement_domains"]
    jd = ctx.tables["joint_display_network"]
    html = _p("How often each code of the codebook was heard across all interviews, how consistently coders applied "
              "the codes, and the survey and interviews side by side.")
    html += _h3("Code tallies")
    top = tal[tal["n_excerpts"].fillna(0) > 0] if "n_excerpts" in tal else tal
    html += html_table(top, columns={"code": "Code", "code_name": "Name", "group": "Group", "n_excerpts": "Excerpts",
                                     "n_interviews": "Interviews", "share_interviews": "Share of interviews",
                                     "suppressed": "Not shown because"},
                       digits={"n_excerpts": 0, "n_interviews": 0}, caption="Codes heard across the network")
    html += _h3("Agreement between coders")
    agd = ag.assign(alpha_ci=[_ci(a, b) for a, b in zip(ag["krippendorff_alpha_lo"], ag["krippendorff_alpha_hi"])])
    html += html_table(agd, columns={"domain": "Domain / group", "n_units": "Decisions", "n_coders": "Coders",
                                     "percent_agreement": "Percent agreement", "krippendorff_alpha": "Krippendorff α",
                                     "alpha_ci": "95% interval", "gwet_ac1": "Gwet AC1", "note": "Note"},
                       digits={"n_units": 0, "n_coders": 0}, caption="Inter-coder agreement per domain")
    html += _h3("Joint display")
    disp = pd.DataFrame({"domain": _short(ctx, jd), "survey_mean": jd["survey_mean"], "status": jd["status"],
                         "n_excerpts": jd["n_excerpts"], "top_codes": jd["top_codes"], "agreement": jd["agreement"]})
    html += html_table(disp, columns={"domain": "Domain", "survey_mean": "Survey mean", "status": "Schools by status",
                                      "n_excerpts": "Coded excerpts", "top_codes": "Most frequent codes",
                                      "agreement": "Coder agreement (α)"},
                       digits={"n_excerpts": 0}, caption="Joint display for the network")
    html += _figure(ctx, "joint_display_figure", "fig-joint", "Network survey means beside coded interview excerpts "
                    "per domain.", jd, title="Joint display: network")
    return Section("interviews", "Interview themes", html,
                   tables=["code_tallies_network", "agreement_domains", "agreement_codes", "joint_display_network"])


# ====================================================================== index
def index_sections(ctx, schools: Sequence[str], table_names: Sequence[str]) -> list[Section]:
    """Sections of ``index.html``: links, data quality, suppression notes, downloads."""
    prof = ctx.tables["asset_profile"]
    rows = []
    for s in schools:
        sub = _rows(prof, "school", s)
        sup = sorted(set(x for x in sub["suppressed"].fillna("") if x)) if len(sub) else ["no responses"]
        rows.append({
            "report": f'<a href="schools/{esc(_school_file(ctx, s))}.html">{esc(ctx.school_name(s))}</a>',
            "summary": f'<a href="schools/{esc(_school_file(ctx, s))}-summary.html">one-page summary</a>',
            "id": s, "district": ctx.school_district(s) or "",
            "note": "; ".join(sup) if sup else "",
        })
    links = _p("The network summary covers every school; each school report covers one school.")
    links += f'<ul><li><a href="network.html">Network summary</a></li></ul>'
    links += html_table(pd.DataFrame(rows), columns={"report": "School report", "summary": "For the principal",
                                                     "id": "School id", "district": "District",
                                                     "note": "Suppressed in the profile"},
                        raw_html=("report", "summary"), caption="School reports")
    dq = section_data_quality(ctx, None)
    notes = _p(f"No statistic is shown for a group of fewer than {ctx.min_n} respondents or with a response rate "
               f"under {float(ctx.config.get('min_response_rate', 0.5)):.0%}. Such rows stay in the tables with the "
               "reason, so readers can see the group exists. A school's leaders are never shown on their own unless "
               f"at least {ctx.min_n} answered; interview quotes are redacted and not attributed to a role.")
    n_sup = int((prof["suppressed"].fillna("") != "").sum())
    notes += _p(f"{n_sup} of {len(prof)} school × domain cells of the asset profiles are suppressed.")
    dl = "<ul>" + "".join(f'<li><a href="tables/{esc(n)}.csv">{esc(n)}.csv</a></li>' for n in table_names) + "</ul>"
    downloads = _p("Every table shown in the reports, as CSV (suppressed values blank) and as one Excel workbook:")
    downloads += f'<ul><li><a href="assetinv_tables.xlsx">assetinv_tables.xlsx</a> (one sheet per table)</li>' \
                 f'<li><a href="provenance.json">provenance.json</a> (versions, input checksums, parameters)</li></ul>'
    downloads += dl
    return [
        Section("reports", "Reports", links),
        Section("data-quality", "Data quality", dq.html, tables=dq.tables),
        Section("suppression", "Suppression notes", notes),
        Section("downloads", "Tables and downloads", downloads),
    ]


def _school_file(ctx, school: str) -> str:
    from .reports import school_file_name

    return school_file_name(ctx, school)
