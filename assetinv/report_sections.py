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
        return f"{int(round(f)):,}"
    return f"{f:.{digits}f}".replace("-", "\u2212") if f < 0 else f"{f:.{digits}f}"


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

    Returns
    -------
    str
        ``<table>`` markup, or a paragraph saying the table is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> print(html_table(pd.DataFrame({"a": [1.234]}), columns={"a": "A"}))  # doctest: +ELLIPSIS
    <table>...<th scope="col" class="num">A</th>...<td class="num">1.23</td>...
    """
    if columns is None:
        columns = list(df.columns)
    labels = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
    cols = [c for c in labels if c in df.columns]
    if len(df) == 0:
        cap = f"<strong>{esc(caption)}</strong>: " if caption else ""
        return f'<p class="note">{cap}{esc(empty)}</p>'
    digits = dict(digits or {})
    numeric = {c: _is_numeric(df[c]) for c in cols}
    for c in cols:
        if c not in digits and numeric[c]:
            digits[c] = 0 if pd.api.types.is_integer_dtype(df[c]) else default_digits
    tid = f' id="{esc(table_id)}"' if table_id else ""
    out = [f"<table{tid}>"]
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
    out.append("</tbody></table>")
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
                bbox_inches="tight",
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
    return f'<figure id="{esc(fig_id)}-fig">\n{svg.strip()}\n{cap}</figure>'
