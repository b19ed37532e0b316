"""Deterministic HTML building blocks for the reports.

Everything here is pure Python and byte-stable: the same table or figure always
gives the same string (no random ids, no timestamps, no dependence on dict or
set ordering beyond insertion order).

* :func:`html_table` renders a DataFrame as an accessible ``<table>`` with fixed
  number formats; suppressed (NaN) statistics are left blank.
* :func:`figure_html` renders a matplotlib Figure as inline SVG with
  ``role="img"``, an ``aria-label`` and a ``<title>`` (its alt text), ids
  prefixed per figure so several figures can share one page. The report's own charts
  skip matplotlib: :func:`_figure` has :mod:`assetinv.report.svgcharts` write them
  straight to SVG from the same chart code, with the same accessible markup.
* :class:`Section` is one titled part of a report (id, title, HTML body).
* small pieces shared by the sections: paragraphs, headings, intervals, status badges.
"""

from __future__ import annotations

import html
import io
import math
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler

from .. import figures
from .context import ReportContext
from .svgcharts import SVG_CHARTS, chart_svg

__all__ = ["Section", "html_table", "figure_html", "figure_svg", "esc", "OKABE_ITO", "SVG_RC", "FIGURES"]

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
    cols = [
        c
        for c in cols
        if c not in drop_if_empty
        or df[c]
        .map(lambda v: v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v) != "")
        .any()
    ]
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
    out = [
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{esc(caption or "Table")}">',
        f"<table{tid}>",
    ]
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
        if rows is not None and highlight is not None and highlight(rows.iloc[i]):
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
    alt_text = alt or getattr(fig, "alt_text", None) or caption or "Figure"
    return _figure_wrap(figure_svg(fig, fig_id, alt=alt_text), fig_id, caption, alt_text)


def figure_svg(fig, fig_id: str, *, alt: str) -> str:
    """The inline ``<svg role="img">`` of a figure, ids prefixed with ``fig_id``, ``alt`` as its title.

    The figure is closed afterwards. :func:`figure_html` wraps it in ``<figure>``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    fig_id : str
        Id prefix, unique within the page.
    alt : str
        Alt text: ``aria-label`` and ``<title>``.

    Returns
    -------
    str

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(1, 1))
    >>> figure_svg(fig, "f1", alt="An empty chart").startswith('<svg role="img" aria-label="An empty chart"')
    True
    """
    alt_text = alt
    buf = io.StringIO()
    try:
        with matplotlib.rc_context({**SVG_RC, "svg.id": fig_id}):  # type: ignore[dict-item]
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
    return svg[:head_end] + f"\n<title>{a}</title>" + svg[head_end:]


def _figure_wrap(svg: str, fig_id: str, caption: str | None, alt_text: str) -> str:
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    box = f'<div class="fig-scroll" role="region" tabindex="0" aria-label="{esc(caption or alt_text)}">'
    return f'<figure id="{esc(fig_id)}-fig">\n{box}\n{svg.strip()}\n</div>\n{cap}</figure>'


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
    """The rows of ``df`` whose ``col``, read as text, is ``value`` (in their order, index reset)."""
    if df is None or len(df) == 0 or col not in df.columns:
        return pd.DataFrame(columns=list(df.columns) if df is not None else [])
    positions = _positions(df, col).get(str(value))
    if positions is None:
        return df.iloc[0:0].reset_index(drop=True)
    return df.iloc[positions].reset_index(drop=True)


#: ``id(table) -> (weak reference to it, its length, {column: {value: row positions}})``
_POSITIONS: dict[int, tuple[weakref.ref[pd.DataFrame], int, dict[str, dict[str, np.ndarray]]]] = {}


def _positions(df: pd.DataFrame, col: str) -> dict[str, np.ndarray]:
    """Row positions of each text value of ``df[col]``, built once per table and column.

    A school report takes its rows out of network-wide tables; scanning the whole
    table for each school makes the run grow with the square of the network, so
    each table is grouped once and every school's rows are looked up. The cache
    holds a weak reference: an entry whose table is gone (or changed length) is
    rebuilt.
    """
    entry, length = _POSITIONS.get(id(df)), len(df)
    if entry is None or entry[0]() is not df or entry[1] != length:
        entry = (weakref.ref(df), length, {})
        _POSITIONS[id(df)] = entry  # keyed by id: a DataFrame is not hashable
        if len(_POSITIONS) > 256:  # drop entries of tables that no longer exist
            for key in [k for k, (ref, _, _) in _POSITIONS.items() if ref() is None]:
                del _POSITIONS[key]
    by_col = entry[2]
    if col not in by_col:
        by_col[col] = {str(k): v for k, v in df.groupby(df[col].astype(str), sort=False).indices.items()}
    return by_col[col]


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


#: the figure functions a report section may name (a missing one fails at import, never silently)
FIGURES: dict[str, Callable] = {
    "heatmap_network": figures.heatmap_network,
    "school_profile_plot": figures.school_profile_plot,
    "change_plot": figures.change_plot,
    "gap_plot": figures.gap_plot,
    "item_distribution_plot": figures.item_distribution_plot,
    "joint_display_figure": figures.joint_display_figure,
}


def _figure(
    ctx: ReportContext, fn_name: str, fig_id: str, caption: str, *args, reuse: tuple | None = None, **kwargs
) -> str:
    """Render the figure function ``FIGURES[fn_name]`` inline ("" when it draws nothing).

    ``reuse`` names a figure drawn more than once in a run from the same data (a
    school's profile chart is in its report and in its one-page summary): the
    first call draws it, later calls with the same ``reuse`` key and ``fig_id``
    reuse its SVG, so the bytes are the same and it is drawn once.
    """
    cache = ctx.results.setdefault("_svg", {}) if reuse is not None else None
    key = (fn_name, fig_id, reuse)
    if cache is not None and key in cache:
        svg, alt_text = cache[key]
        return _figure_wrap(svg, fig_id, caption, alt_text)
    if fn_name in SVG_CHARTS:  # written straight to SVG by the chart's own code (see svgcharts)
        svg, alt_text = chart_svg(fn_name, fig_id, *args, **kwargs)
        if cache is not None:
            cache[key] = (svg, alt_text)
        return _figure_wrap(svg, fig_id, caption, alt_text)
    fn = FIGURES[fn_name]
    with matplotlib.rc_context({"axes.prop_cycle": cycler(color=OKABE_ITO)}):
        fig = fn(*args, **kwargs)
    if fig is None:
        return ""
    alt_text = getattr(fig, "alt_text", None) or caption or "Figure"
    svg = figure_svg(fig, fig_id, alt=alt_text)
    if cache is not None:
        cache[key] = (svg, alt_text)
    return _figure_wrap(svg, fig_id, caption, alt_text)


def _short(ctx: ReportContext, t: pd.DataFrame) -> list[str]:
    """Short domain names for a table with a ``domain`` column."""
    short = ctx.results["domain_short"]
    return [short.get(d, d) for d in t["domain"]] if len(t) else []
