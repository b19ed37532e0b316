"""Figures for asset profiles, change and perception gaps.

Every function takes a table from :mod:`assetinv.scoring` and returns a
:class:`matplotlib.figure.Figure` (built without pyplot, so it is safe under the
Agg backend, in notebooks and in parallel report builds) with an ``alt_text``
attribute: one or two sentences describing what the figure shows, for HTML
``alt`` text.

Design rules:

* colour-blind-safe colours (seaborn ``colorblind`` palette; ``cividis`` for the
  heat map, whose lightness rises steadily so it also reads in grey);
* status is also shown by marker shape (asset ▲, typical ●, growth area ▼) or
  symbol, so nothing depends on colour alone;
* suppressed groups are drawn as hatched blanks labelled "suppressed" -- their
  numbers are never drawn, even if a caller passes a table whose statistics
  were not blanked (any row with a non-empty ``suppressed`` is treated as
  empty);
* fixed sizes and styles, no randomness: same table, same figure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from .ids import natural_key
from .instrument import resolve

__all__ = [
    "heatmap_network",
    "school_profile_plot",
    "change_plot",
    "gap_plot",
    "item_distribution_plot",
    "joint_display_figure",
    "STATUS_STYLE",
    "ReportFigure",
]

_PAL = sns.color_palette("colorblind")
#: Colour and marker per status (readable without colour through the marker).
STATUS_STYLE = {
    "asset": {"color": _PAL[0], "marker": "^", "symbol": "\u25b2", "label": "asset"},
    "typical": {"color": _PAL[7], "marker": "o", "symbol": "\u25cf", "label": "typical"},
    "growth area": {"color": _PAL[3], "marker": "v", "symbol": "\u25bc", "label": "growth area"},
}
_HATCH = "///"
_GREY = "0.55"
_RC: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8,
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "assetinv",
}


class ReportFigure(Figure):
    """A matplotlib Figure that Jupyter shows inline, built without pyplot.

    Figures made without pyplot have no display hook, so a notebook cell that
    returns one prints only ``<Figure size ...>``. This subclass adds
    ``_repr_svg_`` (IPython's rich-display protocol), so the figure is shown
    as SVG wherever it is the value of a cell or passed to ``display``.

    Examples
    --------
    >>> fig = ReportFigure(figsize=(2, 1))
    >>> _ = fig.add_subplot().plot([0, 1])
    >>> fig._repr_svg_().startswith("<?xml")
    True

    References
    ----------
    IPython documentation, "Rich display": ``_repr_svg_`` and the display
    formatters (https://ipython.readthedocs.io/en/stable/config/integrating.html).
    """

    #: one or two sentences describing the figure (HTML alt text); set by the function that draws it
    alt_text: str = ""

    def _repr_svg_(self) -> str:
        import io

        import matplotlib as mpl

        buf = io.StringIO()
        with mpl.rc_context({"svg.hashsalt": "assetinv", "svg.fonttype": "none"}):
            self.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        return buf.getvalue()


def _new_figure(
    width: float, height: float, *, layout: Literal["constrained"] | None = "constrained"
) -> ReportFigure:
    import matplotlib as mpl

    with mpl.rc_context(_RC):  # type: ignore[arg-type]  # the stubs want literal rc keys
        fig = ReportFigure(figsize=(width, height), dpi=100, layout=layout)
    return fig


@functools.lru_cache(maxsize=8)
def _font(size: float):
    from matplotlib import font_manager, ft2font

    font = ft2font.FT2Font(font_manager.findfont(font_manager.FontProperties(family=_RC["font.family"])))
    font.set_size(size, 72)
    return font


@functools.lru_cache(maxsize=4096)
def _char_width(char: str, size: float) -> float:
    from matplotlib import ft2font

    return _font(size).load_char(ord(char), flags=ft2font.LoadFlags.NO_HINTING).linearHoriAdvance / 65536


def _text_width(text: str, size: float) -> float:
    """Width in points of one line of text in the report font (advance widths, no kerning)."""
    return sum(_char_width(c, size) for c in str(text))


def _fixed_layout(
    fig: Figure,
    *,
    ylabels: Sequence[str],
    ytick_size: float = 8.5,
    legend_labels: Sequence[str] = (),
    top: float = 16.6,
    xlabel_lines: int = 1,
    xlabel: str = "",
    xlabel_size: float = 9.0,
) -> None:
    """Place the one axes of a report figure from its own texts, instead of a layout engine.

    The margins (in points) are measured from the widest tick label and legend label in the
    report font, so the plot area is where constrained layout would put it, at a fraction of
    the cost (no text extents are computed twice at draw time).
    """
    width, height = (float(v) * 72 for v in fig.get_size_inches())
    pad = 5.0
    left = max((_text_width(t, ytick_size) for t in ylabels), default=0.0) + 3.5 + pad + 1.5
    right = pad + (
        8.0 * 3.6 + max(_text_width(t, 8.0) for t in legend_labels) + 0.01 * width if legend_labels else 4.0
    )
    label_w = 1.1 * max((_text_width(line, xlabel_size) for line in xlabel.split("\n")), default=0.0)
    right = max(right, label_w - (width - left) + 2 * pad)  # a long centred x label stays inside the figure
    bottom = 18.9 + 12.6 * xlabel_lines  # tick labels, x label lines and padding
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )


def _styled(fn):
    """Run a figure builder inside a fixed style context."""
    import matplotlib as mpl

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(_RC), sns.axes_style("whitegrid"):
            return fn(*args, **kwargs)

    return wrapper


def _blank_suppressed(df: pd.DataFrame, value_columns: Sequence[str]) -> pd.DataFrame:
    """Defence in depth: rows marked suppressed lose their numbers here too."""
    out = df.copy()
    out.attrs = {}  # the charts read attrs from their argument; pandas would deep-copy them on every step
    if "suppressed" not in out:
        out["suppressed"] = ""
    out["suppressed"] = out["suppressed"].fillna("").astype(str)
    hide = (out["suppressed"] != "").to_numpy()
    for c in value_columns:
        if c in out:
            values = pd.to_numeric(out[c], errors="coerce").to_numpy(dtype="float64", copy=True)
            values[hide] = np.nan
            out[c] = values
    return out


def _records(df: pd.DataFrame) -> list[dict]:
    """``df.to_dict("records")`` (Python scalars), without pandas' per-column boxing."""
    cols = list(df.columns)
    return [dict(zip(cols, vals)) for vals in zip(*(df[c].tolist() for c in cols))]


def _short_names(df: pd.DataFrame) -> dict:
    if "domain_short" in df:
        return dict(zip(df["domain"], df["domain_short"]))
    inst = resolve()
    return {d: inst.domain_shorts.get(d) or inst.domain_names.get(d) or d for d in df["domain"].unique()}


def _domain_order(df: pd.DataFrame) -> list:
    seen = []
    for d in df["domain"]:
        if d not in seen:
            seen.append(d)
    order = list(resolve().domain_ids)
    return sorted(seen, key=lambda d: order.index(d) if d in order else len(order))


def _short_reason(reason: str) -> str:
    return "suppressed" if not reason else f"suppressed ({reason})"


def _hatched_row(
    ax,
    y: float,
    left: float,
    width: float,
    text: str,
    *,
    x_text: float,
    height: float = 0.6,
    fontsize: float = 8,
    pad: float = 1.5,
) -> None:
    """A hatched box across one row of a chart, with ``text`` (why nothing is drawn there) at ``x_text``."""
    ax.add_patch(
        Rectangle(
            (left, y - height / 2),
            width,
            height,
            facecolor="white",
            edgecolor="0.6",
            hatch=_HATCH,
            lw=0.5,
            zorder=2,
        )
    )
    ax.text(
        x_text,
        y,
        text,
        ha="center",
        va="center",
        fontsize=fontsize,
        color="0.2",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": pad},
        zorder=4,
    )


def _hidden_row(ax, y: float, lim: float, reason: str) -> None:
    """A hatched box across a diverging chart's row, with the short reason the value is not shown."""
    _hatched_row(ax, y, -lim, 2 * lim, _short_reason(reason), x_text=0)


def _side_legend(ax, handles: Sequence[Artist]) -> list[str]:
    """Put the legend in a column right of the axes; return its labels (for :func:`_fixed_layout`)."""
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return [str(h.get_label()) for h in handles]


def _interval_figure(new_figure, df: pd.DataFrame, group_col: str, width: float, height: float):
    """Row labels, figure, axes and row positions (top row first) of a diverging interval chart.

    A table without ``group_col`` gets it, as "network" (``df`` is the chart's own blanked copy).
    """
    names = _short_names(df)
    if group_col not in df:
        df[group_col] = "network"
    labels = _rows_label(df, group_col, names)
    fig = new_figure(width, height, layout=None)
    ax = fig.add_subplot()
    return labels, fig, ax, np.arange(len(df))[::-1]


def _interval_limit(df: pd.DataFrame, floor: float) -> float:
    """Half-width of a diverging interval chart's x axis: the widest interval end plus 15%, at least ``floor``."""
    shown = df[["ci_low", "ci_high"]].to_numpy(dtype=float)
    return max(float(np.nanmax(np.abs(shown))) * 1.15 if np.isfinite(shown).any() else 1.0, floor)


def _interval_row(ax, y: float, r: dict, value: str, lim: float, colour: Any, **marker: Any) -> None:
    """One row of a diverging interval chart: the 95% interval, the estimate's marker and its signed value."""
    ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=colour, lw=2.2, zorder=3)
    ax.plot(r[value], y, ms=8, color=colour, zorder=4, ls="none", **marker)
    ax.text(r["ci_high"] + lim * 0.03, y + 0.18, f"{r[value]:+.2f}", fontsize=8, color="0.1")


def _interval_hidden(r: dict, value: str) -> bool:
    """True when a diverging interval chart's row shows no ``value`` (suppressed, or no estimate)."""
    return bool(r["suppressed"]) or pd.isna(r[value])


def _interval_shown(
    ax, y: np.ndarray, rows: list[dict], value: str, lim: float
) -> Iterator[tuple[Any, dict]]:
    """Yield (y, row) for each row of a diverging interval chart that has ``value``; hatch the others."""
    for yi, r in zip(y, rows):
        if _interval_hidden(r, value):
            _hidden_row(ax, yi, lim, r["suppressed"])
        else:
            yield yi, r


def _interval_finish(fig, ax, labels: Sequence[str], handles: Sequence[Artist], title: str) -> None:
    """The side legend, title and fixed layout (two-line x label) of a diverging interval chart."""
    legend_labels = _side_legend(ax, handles)
    ax.set_title(title)
    _fixed_layout(fig, ylabels=labels, legend_labels=legend_labels, xlabel_lines=2)


def _interval_alt_parts(
    labels: Sequence[str], rows: list[dict], value: str, describe: Callable[[dict], str]
) -> str:
    """Alt text of a diverging interval chart's rows: each label with ``describe(row)``, or "suppressed"."""
    return "; ".join(
        f"{lab} suppressed" if _interval_hidden(r, value) else f"{lab} {describe(r)}"
        for lab, r in zip(labels, rows)
    )


def _interval_axes(ax, y: np.ndarray, labels: Sequence[str], lim: float) -> None:
    """The x range, row labels and row range of a diverging interval chart (no horizontal grid lines)."""
    ax.set_xlim(-lim, lim * 1.25)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.grid(axis="y", visible=False)


@_styled
def heatmap_network(profile: pd.DataFrame, *, value: str = "mean", title: str | None = None) -> Figure:
    """School x domain heat map of the network's asset profile.

    Cells show the school's mean (one decimal) and its status symbol (▲ asset,
    ● typical, ▼ growth area); suppressed cells are hatched and say
    "suppressed". Colours use the ``cividis`` map, whose lightness increases
    steadily with the value so the map reads in grey.

    Parameters
    ----------
    profile : DataFrame
        Output of :func:`assetinv.asset_profile` for all schools.
    value : str
        Column to colour by (default ``mean``; ``diff`` also works).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        With ``alt_text``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assetinv import asset_profile
    >>> from assetinv.figures import heatmap_network
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame({"respondent_id": range(40), "school": np.repeat(["A", "B"], 20), "district": "D",
    ...                   "role": "teacher", "wave": "baseline",
    ...                   **{d: rng.normal(3.5, .5, 40).clip(1, 5) for d in ["EX", "LM", "CN", "OS"]}})
    >>> fig = heatmap_network(asset_profile(s))
    >>> fig.alt_text.startswith("Heat map")
    True

    References
    ----------
    Nuñez, J. R., Anderton, C. R., & Renslow, R. S. (2018). Optimizing colormaps
    with consideration for color vision deficiency. *PLoS ONE*, 13(7), e0199239.
    """
    h = _heatmap_cells(profile, value)
    schools, doms, grid = h["schools"], h["doms"], h["grid"]
    fig = _new_figure(1.6 + 1.35 * len(doms), 1.3 + 0.42 * len(schools))
    ax = fig.add_subplot()
    cmap = colormaps["cividis"]
    ax.add_patch(
        Rectangle(
            (0, 0), len(doms), len(schools), facecolor="white", edgecolor="0.6", hatch=_HATCH, lw=0, zorder=0
        )
    )
    sns.heatmap(
        grid,
        ax=ax,
        cmap=cmap,
        vmin=h["vmin"],
        vmax=h["vmax"],
        mask=np.isnan(grid),
        linewidths=1.2,
        linecolor="white",
        cbar_kws={"label": h["cbar_label"], "shrink": 0.8},
        annot=False,
    )
    for i, j, text, colour in h["cells"]:
        if text == "suppressed":
            ax.text(
                j + 0.5,
                i + 0.5,
                "suppressed",
                ha="center",
                va="center",
                fontsize=7,
                color="0.25",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
            continue
        ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8.5, color=colour)
    ax.set_xticks(np.arange(len(doms)) + 0.5, h["xticklabels"], rotation=0)
    ax.set_yticks(np.arange(len(schools)) + 0.5, schools, rotation=0)
    ax.set_xlabel(h["xlabel"], fontsize=7.5, color="0.2", labelpad=8)
    ax.set_ylabel("school")
    ax.tick_params(length=0)
    ax.set_title(title or "Asset profile of the network")
    fig.alt_text = h["alt_text"]
    return fig


def _heatmap_cells(profile: pd.DataFrame, value: str) -> dict:
    """What the heat map shows (for matplotlib and for the report's SVG writer): rows, columns, colour
    range, each cell's text and text colour ("suppressed" for a hidden cell), labels and alt text.
    """
    p = _blank_suppressed(profile, [value, "mean", "ci_low", "ci_high", "diff", "n"])
    doms = _domain_order(p)
    names = _short_names(p)
    schools = sorted(p["school"].astype(str).unique(), key=natural_key)
    row_of, col_of = {s: i for i, s in enumerate(schools)}, {d: j for j, d in enumerate(doms)}
    grid = np.full((len(schools), len(doms)), np.nan)
    status = np.full(grid.shape, "", dtype=object)
    for r in _records(p):
        i, j = row_of[str(r["school"])], col_of[r["domain"]]
        grid[i, j] = r[value]
        status[i, j] = r.get("status", "") or ""
    shown = grid[~np.isnan(grid)]
    if value == "mean":
        vmin = float(np.floor(shown.min() * 2) / 2) if shown.size else 1.0
        vmax = float(np.ceil(shown.max() * 2) / 2) if shown.size else 5.0
        if vmax - vmin < 1:
            vmax = min(vmin + 1, 5.0) if vmin + 1 <= 5 else vmax
            vmin = vmax - 1
    else:
        m = float(np.nanmax(np.abs(shown))) if shown.size else 1.0
        vmin, vmax = -m, m
    norm = (grid - vmin) / (vmax - vmin if vmax > vmin else 1)
    cells = []
    for i in range(len(schools)):
        for j in range(len(doms)):
            if np.isnan(grid[i, j]):
                cells.append((i, j, "suppressed", "0.25"))
                continue
            sym = STATUS_STYLE.get(status[i, j], {}).get("symbol", "")
            cells.append((i, j, f"{grid[i, j]:.1f} {sym}".strip(), "white" if norm[i, j] < 0.55 else "black"))
    n_sup = int(np.isnan(grid).sum())
    counts = {s: int((status == s).sum()) for s in STATUS_STYLE}
    alt = (
        f"Heat map of mean domain scores for {len(schools)} schools (rows) and {len(doms)} domains (columns); "
        f"darker cells are lower scores. {counts['asset']} cells are marked assets, {counts['growth area']} "
        f"growth areas and {counts['typical']} typical"
        + (f"; {n_sup} cells are suppressed because too few people responded." if n_sup else ".")
    )
    return {
        "schools": schools,
        "doms": doms,
        "grid": grid,
        "vmin": vmin,
        "vmax": vmax,
        "cells": cells,
        "xticklabels": [names.get(d, d) for d in doms],
        "xlabel": "\u25b2 asset   \u25cf typical   \u25bc growth area   hatched = suppressed (too few responses)",
        "cbar_label": "mean score (1 to 5)" if value == "mean" else value,
        "alt_text": alt,
    }


@_styled
def school_profile_plot(profile: pd.DataFrame, school: str, *, title: str | None = None) -> Figure:
    """One school's domain means with 95% intervals against the network mean.

    Each domain is a row: the school's mean with its interval (marker shape and
    colour by status), the network mean as a grey diamond, and dashed lines at
    the absolute thresholds (``asset_at``, ``growth_below`` from the profile's
    ``attrs``). Suppressed domains are a hatched band labelled "suppressed".

    Parameters
    ----------
    profile : DataFrame
        Output of :func:`assetinv.asset_profile`.
    school : str
        School id. A school absent from the profile (listed, but nobody
        answered) is drawn with every domain suppressed ("no respondents").
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        With ``alt_text``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assetinv import asset_profile
    >>> from assetinv.figures import school_profile_plot
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame({"respondent_id": range(40), "school": np.repeat(["A", "B"], 20), "district": "D",
    ...                   "role": "teacher", "wave": "baseline",
    ...                   **{d: rng.normal(3.5, .5, 40).clip(1, 5) for d in ["EX", "LM", "CN", "OS"]}})
    >>> fig = school_profile_plot(asset_profile(s), "A")
    >>> "school A" in fig.alt_text
    True

    References
    ----------
    Cumming, G., & Finch, S. (2005). Inference by eye: confidence intervals and
    how to read pictures of data. *American Psychologist*, 60(2), 170-180.
    """
    return _profile_chart(_new_figure, profile, school, title=title)


def _profile_chart(
    new_figure, profile: pd.DataFrame, school: str, *, title: str | None = None
) -> ReportFigure:
    """Draw :func:`school_profile_plot` on a figure from ``new_figure`` (matplotlib, or the report's SVG writer)."""
    p, doms, names = _profile_rows(profile, school)
    labels = [names.get(d, d) for d in doms]
    asset_at = float(profile.attrs.get("asset_at", 4.0))
    growth_below = float(profile.attrs.get("growth_below", 3.0))
    fig = new_figure(7.2, 1.2 + 0.55 * len(doms), layout=None)
    ax = fig.add_subplot()
    y = np.arange(len(doms))[::-1]
    ax.axvline(asset_at, color="0.35", ls="--", lw=0.9, zorder=1)
    ax.axvline(growth_below, color="0.35", ls=":", lw=1.1, zorder=1)
    for yi, r in zip(y, _records(p)):
        _profile_row(ax, yi, r)
    ax.set_yticks(y, labels)
    ax.set_xlim(1, 5)
    ax.set_ylim(-0.6, len(doms) - 0.4)
    ax.set_xlabel("mean score (1 to 5) with 95% interval")
    ax.grid(axis="y", visible=False)
    handles = _profile_legend_handles(asset_at, growth_below, hatched=bool((p["suppressed"] != "").any()))
    legend_labels = _side_legend(ax, handles)
    ax.set_title(title or f"School {school}: domains against the network")
    _fixed_layout(fig, ylabels=labels, legend_labels=legend_labels)
    fig.alt_text = _profile_alt_text(p, names, school)
    return fig


def _profile_rows(profile: pd.DataFrame, school: str) -> tuple[pd.DataFrame, list, dict]:
    """The school's rows in domain order (numbers blanked where suppressed), the domains and their short names.

    A listed school nobody answered for gets one suppressed row per domain ("no respondents").
    """
    p = profile[profile["school"].astype(str) == str(school)]
    if p.empty:
        if profile.empty:
            raise ValueError("the profile is empty")
        # a listed school nobody answered for: every domain drawn as suppressed
        p = profile.drop_duplicates("domain").copy()
        p["school"] = str(school)
        for c in ["n", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]:
            p[c] = np.nan
        p["status"] = ""
        p["suppressed"] = "no respondents"
    p = _blank_suppressed(p, ["mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "n"])
    doms = _domain_order(p)
    names = _short_names(p)
    return p.set_index("domain").loc[doms].reset_index(), doms, names


def _profile_row(ax, y: float, r: dict) -> None:
    """One domain of the profile chart: the network mean, then the school's interval and mean (or a hatched blank)."""
    if pd.notna(r["network_mean"]):
        ax.plot(
            r["network_mean"], y, marker="D", ms=6, color=_GREY, mfc="white", mew=1.4, zorder=3, ls="none"
        )
    if r["suppressed"] or pd.isna(r["mean"]):
        _hatched_row(ax, y, 1, 4, _short_reason(r["suppressed"]), x_text=3.0)
        return
    st = STATUS_STYLE.get(r["status"], STATUS_STYLE["typical"])
    ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=st["color"], lw=2.2, solid_capstyle="butt", zorder=3)
    ax.plot(
        r["mean"], y, marker=st["marker"], ms=9, color=st["color"], mec="black", mew=0.6, zorder=4, ls="none"
    )
    ax.text(
        min(r["ci_high"] + 0.06, 4.75), y + 0.22, f"{r['mean']:.1f}", fontsize=8, va="bottom", color="0.1"
    )


def _profile_legend_handles(asset_at: float, growth_below: float, *, hatched: bool) -> list[Artist]:
    """The profile chart's legend: the three statuses, the network mean, both thresholds and (if any) suppressed."""
    handles: list[Artist] = [
        Line2D(
            [],
            [],
            marker=STATUS_STYLE[s]["marker"],
            color=STATUS_STYLE[s]["color"],
            mec="black",
            mew=0.6,
            ls="none",
            ms=8,
            label=s,
        )
        for s in ("asset", "typical", "growth area")
    ]
    handles += [
        Line2D([], [], marker="D", color=_GREY, mfc="white", mew=1.4, ls="none", label="network mean"),
        Line2D([], [], color="0.35", ls="--", label=f"asset standard ({asset_at:g})"),
        Line2D([], [], color="0.35", ls=":", label=f"growth threshold ({growth_below:g})"),
    ]
    if hatched:
        handles.append(Patch(facecolor="white", edgecolor="0.6", hatch=_HATCH, label="suppressed"))
    return handles


def _profile_alt_text(p: pd.DataFrame, names: dict, school: str) -> str:
    """Alt text of the profile chart: each domain's mean and status, or "suppressed"."""
    parts = []
    for r in _records(p):
        if r["suppressed"] or pd.isna(r["mean"]):
            parts.append(f"{names.get(r['domain'], r['domain'])} suppressed")
        else:
            parts.append(f"{names.get(r['domain'], r['domain'])} {r['mean']:.1f} ({r['status']})")
    return (
        f"Dot-and-interval chart of school {school}'s mean score in each domain with its 95% interval, "
        f"against the network mean: " + "; ".join(parts) + "."
    )


def _rows_label(df: pd.DataFrame, group_col: str, names: dict) -> list[str]:
    multi = df[group_col].nunique() > 1
    return [
        f"{names.get(d, d)} \u00b7 {g}" if multi else names.get(d, d)
        for d, g in zip(df["domain"], df[group_col])
    ]


@_styled
def change_plot(change: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Change from baseline to follow-up per domain (and scope) with intervals.

    Filled markers: the interval excludes zero (a change the data can
    detect); open markers: it includes zero. Suppressed rows are hatched and
    labelled.

    Parameters
    ----------
    change : DataFrame
        Output of :func:`assetinv.change_over_time`.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        With ``alt_text``.

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv.figures import change_plot
    >>> c = pd.DataFrame({"domain": ["EX", "OS"], "scope": "network", "estimate": [0.1, 0.3],
    ...                   "ci_low": [-0.05, 0.15], "ci_high": [0.25, 0.45], "suppressed": ""})
    >>> change_plot(c).alt_text.split(":")[0]
    'Change from baseline to follow-up in each domain with 95% intervals'

    References
    ----------
    Cumming, G., & Finch, S. (2005). *American Psychologist*, 60(2), 170-180.
    """
    return _change_chart(_new_figure, change, title=title)


def _change_chart(new_figure, change: pd.DataFrame, *, title: str | None = None) -> ReportFigure:
    """Draw :func:`change_plot` on a figure from ``new_figure`` (matplotlib, or the report's SVG writer)."""
    c = _blank_suppressed(
        change, ["estimate", "ci_low", "ci_high", "effect_size", "hedges_g", "n_baseline", "n_followup"]
    )
    labels, fig, ax, y = _interval_figure(new_figure, c, "scope", 8.2, 1.3 + 0.42 * len(c))
    lim = _interval_limit(c, 0.3)
    ax.axvline(0, color="0.3", lw=1)
    rows = _records(c)
    for yi, r in _interval_shown(ax, y, rows, "estimate", lim):
        sig = r["ci_low"] > 0 or r["ci_high"] < 0
        col = _PAL[0] if r["estimate"] >= 0 else _PAL[3]
        marker = "o" if r["estimate"] >= 0 else "s"
        _interval_row(
            ax, yi, r, "estimate", lim, col, marker=marker, mfc=col if sig else "white", mec=col, mew=1.6
        )
    _interval_axes(ax, y, labels, lim)
    ax.set_xlabel("change in mean score (points on the 1 to 5 scale)\nfollow-up minus baseline")
    handles = [
        Line2D([], [], marker="o", color=_PAL[0], ls="none", ms=7, label="interval excludes 0"),
        Line2D([], [], marker="o", color=_PAL[0], mfc="white", ls="none", ms=7, label="interval includes 0"),
    ]
    _interval_finish(fig, ax, labels, handles, title or "Change between waves")
    parts = _interval_alt_parts(
        labels, rows, "estimate", lambda r: f"{r['estimate']:+.2f} ({r['ci_low']:.2f} to {r['ci_high']:.2f})"
    )
    fig.alt_text = "Change from baseline to follow-up in each domain with 95% intervals: " + parts + "."
    return fig


@_styled
def gap_plot(gaps: pd.DataFrame, *, large: float | None = None, title: str | None = None) -> Figure:
    """Leader minus teacher gap per domain (and group) with Welch intervals.

    The band around zero marks gaps smaller than ``large``; gaps flagged
    large are drawn as filled diamonds, others as open circles. Suppressed
    groups are hatched and labelled; their means are never drawn.

    Parameters
    ----------
    gaps : DataFrame
        Output of :func:`assetinv.perception_gaps` or
        :func:`assetinv.perception_gaps_with_fallback`.
    large : float, optional
        Width of the "small gap" band; default ``gaps.attrs["large"]`` or 0.5.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        With ``alt_text``.

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv.figures import gap_plot
    >>> g = pd.DataFrame({"level": "network", "group": "network", "domain": ["EX", "OS"], "gap": [0.2, 0.7],
    ...                   "ci_low": [0.0, 0.4], "ci_high": [0.4, 1.0], "flagged_large": [False, True],
    ...                   "suppressed": ""})
    >>> gap_plot(g).alt_text.startswith("Leader minus teacher")
    True

    References
    ----------
    Welch, B. L. (1947). *Biometrika*, 34, 28-35.
    """
    return _gap_chart(_new_figure, gaps, large=large, title=title)


def _gap_chart(
    new_figure, gaps: pd.DataFrame, *, large: float | None = None, title: str | None = None
) -> ReportFigure:
    """Draw :func:`gap_plot` on a figure from ``new_figure`` (matplotlib, or the report's SVG writer)."""
    g = _blank_suppressed(
        gaps, ["gap", "ci_low", "ci_high", "teacher_mean", "leader_mean", "n_teachers", "n_leaders"]
    )
    large = float(large if large is not None else gaps.attrs.get("large", 0.5))
    labels, fig, ax, y = _interval_figure(new_figure, g, "group", 8.4, 1.4 + 0.42 * len(g))
    lim = _interval_limit(g, large * 1.6)
    ax.axvspan(-large, large, color="0.92", zorder=0)
    ax.axvline(0, color="0.3", lw=1)
    rows = _records(g)
    for yi, r in _interval_shown(ax, y, rows, "gap", lim):
        flagged = bool(r.get("flagged_large")) if pd.notna(r.get("flagged_large")) else abs(r["gap"]) >= large
        col = _PAL[4] if flagged else _PAL[7]
        style = (
            {"marker": "D", "mfc": col, "mec": "black"}
            if flagged
            else {"marker": "o", "mfc": "white", "mec": col}
        )
        _interval_row(ax, yi, r, "gap", lim, col, mew=1.3, **style)
    _interval_axes(ax, y, labels, lim)
    ax.set_xlabel("leader mean minus teacher mean (points)\nright of 0: leaders more positive than teachers")
    handles = [
        Line2D(
            [],
            [],
            marker="D",
            color=_PAL[4],
            mec="black",
            ls="none",
            ms=7,
            label=f"large gap (|gap| \u2265 {large:g})",
        ),
        Line2D([], [], marker="o", color=_PAL[7], mfc="white", ls="none", ms=7, label="smaller gap"),
        Patch(facecolor="0.92", label=f"within \u00b1{large:g}"),
    ]
    if title is None:
        title = "Leader and teacher perceptions"
        if g["group"].nunique() == 1:
            lvl = str(g["level"].iloc[0]) if "level" in g else ""
            grp = str(g["group"].iloc[0])
            title += ": the whole network" if grp == "network" else f": {lvl} {grp}".rstrip()
    _interval_finish(fig, ax, labels, handles, title)
    parts = _interval_alt_parts(
        labels, rows, "gap", lambda r: f"{r['gap']:+.2f}" + (" (large)" if abs(r["gap"]) >= large else "")
    )
    fig.alt_text = (
        "Leader minus teacher difference in mean score per domain with 95% intervals: " + parts + "."
    )
    return fig


#: Answer colours for diverging stacked bars: disagree (vermillion, orange), neutral (grey), agree (sky, blue).
_LIKERT_COLOURS = ["#D55E00", "#E69F00", "#BBBBBB", "#56B4E9", "#0072B2"]


def _clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


@_styled
def item_distribution_plot(
    items: pd.DataFrame,
    *,
    labels: dict | None = None,
    title: str | None = None,
    domain_names: dict | None = None,
) -> Figure:
    """Diverging stacked bars of every item's answers, grouped by domain.

    Each bar is one item: disagreeing answers extend left of zero, agreeing
    answers right, and the neutral middle answer is split across zero
    (Robbins & Heiberger 2011). Suppressed items are drawn as hatched blanks
    labelled "suppressed"; their shares are never drawn.

    Parameters
    ----------
    items : DataFrame
        Rows of :func:`assetinv.item_distributions` for **one** group (one
        school, one district or the network).
    labels : dict, optional
        Answer code -> label (default the 1-5 agreement scale).
    title : str, optional
        Figure title.
    domain_names : dict, optional
        Domain id -> name for the panel headings.

    Returns
    -------
    matplotlib.figure.Figure
        With ``alt_text``.

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv.figures import item_distribution_plot
    >>> t = pd.DataFrame({"domain": "EX", "item": ["EX01", "EX02"], "text": ["A", "B"], "reverse": False,
    ...                   "pct_1": [10., 0], "pct_2": [20., 10], "pct_3": [20., 30], "pct_4": [30., 40],
    ...                   "pct_5": [20., 20], "pct_agree": [50., 60], "suppressed": ""})
    >>> item_distribution_plot(t).alt_text.startswith("Diverging")
    True

    References
    ----------
    Robbins, N. B., & Heiberger, R. M. (2011). Plotting Likert and other rating
    scales. *Proceedings of the 2011 Joint Statistical Meeting*, 1058-1066.
    """
    return _item_chart(_new_figure, items, labels=labels, title=title, domain_names=domain_names)


def _item_chart(
    new_figure,
    items: pd.DataFrame,
    *,
    labels: dict | None = None,
    title: str | None = None,
    domain_names: dict | None = None,
) -> ReportFigure:
    """Draw :func:`item_distribution_plot` on a figure from ``new_figure`` (matplotlib, or the report's SVG writer)."""
    labels = labels or {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}
    cats = sorted(labels)
    pct = [f"pct_{k}" for k in cats]
    t = _blank_suppressed(items, pct + ["pct_agree"]).reset_index(drop=True)
    rows = _item_rows(t)
    fig = new_figure(7.4, 0.9 + 0.2 * len(rows), layout=None)
    ax = fig.add_subplot()
    ticks, ticklabels, parts = _item_bars(ax, t, rows, pct, domain_names or {})
    _item_axes(ax, ticks, ticklabels, len(rows))
    _item_legend(ax, labels, cats)
    if title:
        ax.set_title(title, pad=18)
    _fixed_layout(
        fig,
        ylabels=ticklabels,
        ytick_size=7.5,
        top=28.6 if title else 16.0,
        xlabel=ax.get_xlabel(),
        xlabel_size=8.0,
    )
    fig.alt_text = (
        "Diverging stacked bars of the answers to each statement, grouped by domain; (R) marks "
        "reverse-worded statements, where agreeing means less of the asset: " + "; ".join(parts) + "."
    )
    return fig


def _item_rows(t: pd.DataFrame) -> list[tuple[str, Any]]:
    """The chart's rows from the top: ``("head", domain)`` before each domain's ``("item", row index)``."""
    rows: list[tuple[str, Any]] = []
    for d in dict.fromkeys(t["domain"]):
        rows.append(("head", d))
        rows += [("item", i) for i in t.index[t["domain"] == d]]
    return rows


def _item_bars(
    ax, t: pd.DataFrame, rows: list[tuple[str, Any]], pct: list[str], names: dict
) -> tuple[list, list[str], list[str]]:
    """Draw the domain headings and every item's bar (or hatched blank) and % agree.

    Returns the items' tick positions, their tick labels and their parts of the alt text.
    """
    records = _records(t)
    ticks, ticklabels, parts = [], [], []
    mid = len(pct) // 2
    segments: list[list[tuple[float, float, float]]] = [[] for _ in pct]
    for yi, (kind, ref) in zip(np.arange(len(rows))[::-1], rows):
        if kind == "head":
            ax.text(-100, yi, names.get(ref, ref), ha="left", va="center", fontsize=8.5, fontweight="bold")
            continue
        r = records[ref]
        rev = " (R)" if bool(r.get("reverse", False)) else ""
        ticks.append(yi)
        ticklabels.append(f"{r['item']} {_clip(r.get('text', ''), 46)}{rev}")
        if r["suppressed"] or pd.isna(r[pct[0]]):
            _hatched_row(ax, yi, -100, 200, "suppressed", x_text=0, height=0.76, fontsize=7.5, pad=1)
            parts.append(f"{r['item']} suppressed")
            continue
        vals = [float(r[c]) for c in pct]
        neutral = vals[mid] if len(pct) % 2 else 0.0
        left = -(sum(vals[:mid]) + neutral / 2)
        for k, v in enumerate(vals):
            segments[k].append((yi, v, left))
            left += v
        agree = float(r["pct_agree"])
        ax.text(101, yi, f"{agree:.0f}%", ha="left", va="center", fontsize=7.5, color="0.1")
        parts.append(f"{r['item']} {agree:.0f}% agree")
    for k, seg in enumerate(segments):  # one bar container per answer, not one per bar (same picture, faster)
        if seg:
            ys, widths, lefts = zip(*seg)
            ax.barh(
                ys,
                widths,
                left=lefts,
                height=0.76,
                color=_LIKERT_COLOURS[k % len(_LIKERT_COLOURS)],
                edgecolor="white",
                lw=0.4,
                zorder=3,
            )
    return ticks, ticklabels, parts


def _item_axes(ax, ticks: list, ticklabels: list[str], n_rows: int) -> None:
    """The zero line, item labels, ranges, percentage ticks and x label of the item chart."""
    ax.axvline(0, color="0.2", lw=0.8, zorder=4)
    ax.set_yticks(ticks, ticklabels, fontsize=7.5)
    ax.set_ylim(-0.7, n_rows - 0.3)
    ax.set_xlim(-100, 112)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
    ax.set_xlabel(
        "share of staff answering: disagree (left of 0) and agree (right); number = % agree", fontsize=8
    )
    ax.grid(axis="y", visible=False)


def _item_legend(ax, labels: dict, cats: list) -> None:
    """One row of answer colours centred above the item chart."""
    handles = [
        Patch(facecolor=_LIKERT_COLOURS[k % len(_LIKERT_COLOURS)], label=labels[c])
        for k, c in enumerate(cats)
    ]
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=len(cats),
        frameon=False,
        fontsize=7.5,
        handlelength=1.2,
        columnspacing=0.9,
    )


# ------------------------------------------------------------------ joint display (survey beside interviews)
_JOINT_STYLE = {  # the colours of STATUS_STYLE (one encoding of status in every chart)
    "asset": ("#0173b2", ""),
    "typical": ("#949494", ""),
    "growth area": ("#d55e00", ""),
    "": ("#ffffff", "xx"),
}


def _joint_status_legend(ax, statuses: list[str]) -> None:
    """Add the joint display's legend: one hatched patch per status shown, in order of appearance."""
    from matplotlib.patches import Patch

    handles = []
    for s in dict.fromkeys(statuses):
        colour, hatch = _JOINT_STYLE.get(s, _JOINT_STYLE[""])
        handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="black", label=s or "no status"))
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)


def joint_display_figure(table: pd.DataFrame, title: str | None = None, *, scale=(1, 5)):
    """Draw a joint display: survey means beside interview evidence.

    Left panel: the survey mean per domain as horizontal bars, coloured by
    status with the Okabe-Ito palette and hatched (so it reads in grey
    print), the value printed at the bar end. Right panel: number of coded
    excerpts per domain, labelled with the most frequent code and the
    coders' Krippendorff alpha.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`joint_display`.
    title : str, optional
    scale : (float, float)
        Survey scale limits for the axis.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.alt_text`` describing every number shown.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"school": ["S1"], "domain": ["EX"], "domain_name": ["Expertise"],
    ...     "survey_mean": [4.1], "status": ["asset"], "top_codes": ["Shared expertise (4)"],
    ...     "n_excerpts": [6], "agreement": [0.81], "exemplar_quote": ["..."]})
    >>> fig = joint_display_figure(t)
    >>> fig.alt_text.startswith("Joint display")
    True

    References
    ----------
    Guetterman, Fetters & Creswell (2015), *Annals of Family Medicine*,
    13(6), 554-561. Okabe, M., & Ito, K. (2008). Color Universal Design.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)

    t = table.reset_index(drop=True)
    n = len(t)
    fig = ReportFigure(figsize=(10, 1.1 * max(n, 1) + 1.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.3]})
    y = np.arange(n)[::-1]
    labels = [_wrap(s, 28) for s in t["domain_name"]]
    statuses = [str(s).strip().lower() for s in t["status"]]
    for yi, (m, st) in enumerate(zip(t["survey_mean"], statuses)):
        colour, hatch = _JOINT_STYLE.get(st, _JOINT_STYLE[""])
        yy = y[yi]
        if pd.notna(m):
            ax1.barh(
                yy, m - scale[0], left=scale[0], color=colour, hatch=hatch, edgecolor="black", linewidth=0.6
            )
            sym = {"asset": "\u25b2", "typical": "\u25cf", "growth area": "\u25bc"}.get(st, "")
            ax1.text(m + 0.05, yy, f"{m:.2f} {sym}".strip(), va="center", fontsize=9)
        else:
            ax1.text(scale[0] + 0.05, yy, "suppressed", va="center", fontsize=9, style="italic")
    ax1.set_xlim(scale[0], scale[1] + 0.5)
    ax1.set_yticks(y, labels)
    ax1.set_xlabel("Survey mean (1-5)")
    ax1.set_title("Survey")
    _joint_status_legend(ax1, statuses)
    # a count banded as "1+" (joint_display(band=True): it could be one interviewee's) is drawn as a bar of
    # length 1, whatever the true count, and labelled "1+ excerpts"; exact counts are drawn as they are
    banded = [isinstance(v, str) and v.endswith("+") for v in t["n_excerpts"]]
    exact = pd.to_numeric(t["n_excerpts"].where(~pd.Series(banded, index=t.index), 1), errors="coerce")
    counts = exact.fillna(0).astype(int).to_numpy()
    ax2.barh(y, counts, color="#CCCCCC", edgecolor="black", linewidth=0.6)
    top = max(int(counts.max()) if n else 1, 1)
    for yi in range(n):
        hidden = t.loc[yi, "interviews_suppressed"] if "interviews_suppressed" in t else ""
        if hidden:
            ax2.text(top * 0.02, y[yi], f"suppressed ({hidden})", va="center", fontsize=8, style="italic")
            continue
        first = str(t.loc[yi, "top_codes"]).split("; ")[0] if t.loc[yi, "top_codes"] else "no coded excerpts"
        if banded[yi]:
            first = f"{t.loc[yi, 'n_excerpts']} excerpts: {first}"
        a = t.loc[yi, "agreement"]
        lab = first + (f"\nalpha = {a:.2f}" if pd.notna(a) else "")
        ax2.text(counts[yi] + top * 0.02, y[yi], _wrap(lab, 40), va="center", fontsize=8)
    ax2.set_xlim(0, top * 2.2)
    ax2.set_xlabel("Interview excerpts coded")
    ax2.set_title("Interviews")
    school = str(t["school"].iloc[0]) if n else ""
    fig.suptitle(title or f"Joint display: {school}")
    desc = []
    for r in t.to_dict("records"):
        m = f"survey mean {r['survey_mean']:.2f}" if pd.notna(r["survey_mean"]) else "survey mean suppressed"
        a = f", coder agreement alpha {r['agreement']:.2f}" if pd.notna(r["agreement"]) else ""
        tc = str(r["top_codes"]).split("; ")[0] if r["top_codes"] else "none"
        if r.get("interviews_suppressed"):
            desc.append(
                f"{r['domain_name']}: {m} ({r['status'] or 'no status'}), interview evidence suppressed "
                f"({r['interviews_suppressed']})"
            )
            continue
        nx = r["n_excerpts"] if isinstance(r["n_excerpts"], str) else int(r["n_excerpts"])
        desc.append(
            f"{r['domain_name']}: {m} ({r['status'] or 'no status'}), {nx} excerpts, "
            f"most frequent code {tc}{a}"
        )
    fig.alt_text = (
        f"Joint display for {school}. Two bar charts share the domain axis: survey mean on a 1 to 5 scale "
        f"coloured by status, and the number of coded interview excerpts. " + "; ".join(desc) + "."
    )
    return fig


def _wrap(s: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(s), width)) or str(s)
