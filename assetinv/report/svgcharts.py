"""The report's charts written straight to SVG, from the same chart code as :mod:`assetinv.figures`.

matplotlib spends about 0.25 s on each report chart (artists, text layout, the SVG
backend); a 2,000-school network has about 10,000 of them. The chart functions of
:mod:`assetinv.figures` draw through a small part of the matplotlib Axes API
(``plot``, ``text``, ``add_patch``, ``barh``, ``axvline``, ``legend``, ...) on the
figure that a *figure factory* returns. This module is a second factory:
:class:`SvgFigure` and :class:`SvgAxes` record those same calls, and
:meth:`SvgFigure.to_svg` writes them as SVG in one pass, with the geometry
matplotlib uses (points, the fixed margins of :func:`assetinv.figures._fixed_layout`,
the same tick locator and tick format, the same text sizes, colours, markers,
hatching and legend layout). So the colours, ordering, labels and suppression
rules of a chart live in one place, its function in :mod:`assetinv.figures`,
and both outputs follow them; notebooks keep the matplotlib Figures.

The SVG is accessible and deterministic like :func:`assetinv.report.blocks.figure_svg`'s:
``role="img"``, the alt text as ``aria-label`` and ``<title>``, every id prefixed
with the figure's id, no timestamps and no random ids; text stays text.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import to_hex, to_rgba
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from .. import figures

__all__ = ["SvgFigure", "SvgAxes", "chart_svg", "heatmap_svg", "SVG_CHARTS"]

#: the font stack matplotlib writes for DejaVu Sans (text stays text, as with ``svg.fonttype = "none"``)
_FONT = (
    "'DejaVu Sans', 'Bitstream Vera Sans', 'Computer Modern Sans Serif', 'Lucida Grande', 'Verdana', "
    "'Geneva', 'Lucid', 'Arial', 'Helvetica', 'Avant Garde', sans-serif"
)
_TEXT = "#262626"  # seaborn whitegrid text colour (.15)
_EDGE = "#cccccc"  # whitegrid grid and spine colour (.8)
# baseline offset of one line of DejaVu Sans per vertical alignment, in font sizes (matplotlib's text layout)
_VA = {"top": 0.7598, "center": 0.2598, "bottom": -0.2403, "baseline": 0.0, "center_baseline": 0.3799}
_ASCENT, _DESCENT = 0.7598, 0.2403
_TICK_PAD = 7.0  # tick length 3.5 (not drawn under whitegrid) + pad 3.5, in points
_DASHES = {"--": (3.7, 1.6), ":": (1.0, 1.65), "-.": (6.4, 1.6, 1.0, 1.6)}
# caps and joins go in style="": the report's CSS sets ``svg * { stroke-linejoin: round; stroke-linecap: butt }``,
# which beats presentation attributes (matplotlib writes them in style="" too)
_RANK = {"patch": 0, "line": 1, "text": 2}  # matplotlib draws patches, then lines, then texts at one zorder


def _n(x: float) -> str:
    """A coordinate in points, two decimals, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@functools.lru_cache(maxsize=256)
def _hex(colour: Any) -> str:
    if isinstance(colour, np.ndarray):  # pragma: no cover - artists give tuples
        colour = tuple(colour)
    return to_hex(colour)


def _colour(colour: Any) -> str:
    return _hex(tuple(colour) if isinstance(colour, (list, np.ndarray)) else colour)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


class SvgFigure:
    """A figure factory for :mod:`assetinv.figures` chart code that writes SVG instead of matplotlib artists.

    Parameters
    ----------
    width, height : float
        Size in inches (72 points each), as for :func:`matplotlib.figure.Figure`.
    layout : None
        Only the fixed layout of :func:`assetinv.figures._fixed_layout` is supported.

    Examples
    --------
    >>> fig = SvgFigure(2, 1)
    >>> ax = fig.add_subplot()
    >>> _ = ax.plot([0, 1], [0, 0], color="k", lw=1)
    >>> ax.set_xlim(0, 1); ax.set_ylim(-1, 1)
    >>> fig.alt_text = "A line"
    >>> fig.to_svg("f1").startswith('<svg role="img" aria-label="A line" width="144pt"')
    True
    """

    def __init__(self, width: float, height: float, *, layout: None = None) -> None:
        if layout is not None:
            raise ValueError("SvgFigure draws with the fixed layout only (layout=None)")
        self.size = (float(width), float(height))
        self.margins = {"left": 0.125, "right": 0.9, "bottom": 0.11, "top": 0.88}
        self.ax: SvgAxes | None = None
        self.alt_text = ""

    def get_size_inches(self) -> np.ndarray:
        """Width and height in inches, as ``Figure.get_size_inches``."""
        return np.array(self.size)

    def subplots_adjust(self, **fractions: float) -> None:
        """Set the axes margins (figure fractions), as ``Figure.subplots_adjust``."""
        self.margins.update(fractions)

    def add_subplot(self) -> SvgAxes:
        """The one axes of a report chart."""
        self.ax = SvgAxes(self)
        return self.ax

    def to_svg(self, fig_id: str, *, alt: str | None = None) -> str:
        """The chart as inline ``<svg role="img">`` with ``alt`` (default ``alt_text``) as label and title."""
        if self.ax is None:
            raise ValueError("the figure has no axes")
        a = _esc(alt or self.alt_text or "Figure")
        w, h = self.size[0] * 72, self.size[1] * 72
        head = (
            f'<svg role="img" aria-label="{a}" width="{_n(w)}pt" height="{_n(h)}pt" '
            f'viewBox="0 0 {_n(w)} {_n(h)}" id="{fig_id}">\n<title>{a}</title>\n'
        )
        body = self.ax.render(fig_id, w, h)
        return (
            head
            + f'<g font-family="{_FONT}">\n<rect width="{_n(w)}" height="{_n(h)}" fill="#ffffff"/>\n'
            + body
        )


class SvgAxes:
    """The part of the matplotlib Axes API the report charts use, recorded for :meth:`SvgFigure.to_svg`."""

    def __init__(self, fig: SvgFigure) -> None:
        self.fig = fig
        self._fig_id = "fig"
        self.xlim = (0.0, 1.0)
        self.ylim = (0.0, 1.0)
        self.yticks: tuple[list[float], list[str], float] = ([], [], 8.5)
        self.xticks: tuple[list[float], list[str]] | None = None
        self.xlabel: tuple[str, float] = ("", 9.0)
        self.title: tuple[str, float] = ("", 6.0)
        self.legend_args: tuple[list, dict] | None = None
        self.deferred: list[tuple[float, str, Callable[[], str], bool]] = []
        self.hatched = False

    # ---------------------------------------------------------------- the recorded calls
    def _add(self, zorder: float, kind: str, draw: Callable[[], str], clip: bool = True) -> None:
        self.deferred.append((float(zorder), kind, draw, clip))

    def axvline(
        self, x: float, *, color: Any = _TEXT, lw: float = 1.5, ls: str = "-", zorder: float = 2
    ) -> None:
        """A vertical line across the axes."""

        def draw() -> str:
            (y0, y1), px = self._ybox(), self._x(x)
            return _line(px, y0, px, y1, _colour(color), lw, ls, "round")

        self._add(zorder, "line", draw)

    def axvspan(self, x0: float, x1: float, *, color: Any, zorder: float = 1) -> None:
        """A vertical band across the axes."""

        def draw() -> str:
            (ya, yb), xa, xb = self._ybox(), self._x(x0), self._x(x1)
            box = f'x="{_n(xa)}" y="{_n(ya)}" width="{_n(xb - xa)}" height="{_n(yb - ya)}"'
            return f'<rect {box} fill="{_colour(color)}"/>'

        self._add(zorder, "patch", draw)

    def plot(self, x: Any, y: Any, *, ls: str = "-", zorder: float = 2, **style: Any) -> list:
        """Markers (``ls='none'``) or a polyline, in data coordinates."""
        xs, ys = np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))
        marker = style.get("marker")
        if marker and ls == "none":
            for xi, yi in zip(xs, ys):
                self._add(zorder, "line", functools.partial(self._marker_at, xi, yi, style))
            return []
        colour, lw = _colour(style.get("color", "#0072B2")), float(style.get("lw", 1.5))
        cap = style.get("solid_capstyle", "round")

        def draw() -> str:
            pts = " L ".join(f"{_n(self._x(a))} {_n(self._y(b))}" for a, b in zip(xs, ys))
            return _path(f"M {pts}", colour, lw, ls, cap)

        self._add(zorder, "line", draw)
        return []

    def _marker_at(self, x: float, y: float, style: dict) -> str:
        colour = style.get("color", "#0072B2")
        return _marker(
            self._x(x),
            self._y(y),
            style["marker"],
            float(style.get("ms", 6.0)),
            _colour(style.get("mfc", colour)),
            _colour(style.get("mec", colour)),
            float(style.get("mew", 1.0)),
        )

    def text(self, x: float, y: float, s: str, **kw: Any) -> None:
        """Text at a data point (``ha``, ``va``, ``fontsize``, ``color``, ``fontweight``, ``bbox``, ``zorder``)."""

        def draw() -> str:
            return _text(self._x(x), self._y(y), str(s), kw)

        self._add(kw.get("zorder", 3), "text", draw, clip=False)

    def add_patch(self, patch: Rectangle) -> None:
        """A matplotlib Rectangle (face, edge, hatch and zorder are read from it)."""
        x, y = patch.get_xy()
        w, h = patch.get_width(), patch.get_height()
        hatch = patch.get_hatch()
        self.hatched = self.hatched or bool(hatch)

        def draw() -> str:
            xa, xb, ya, yb = self._x(x), self._x(x + w), self._y(y + h), self._y(y)
            return _rect(xa, ya, xb - xa, yb - ya, patch, self._fig_id)

        self._add(patch.get_zorder(), "patch", draw)

    def barh(self, ys, widths, *, left, height, color, edgecolor, lw, zorder: float = 1) -> None:
        """Horizontal bars: one rectangle per (y, width, left)."""
        fill, edge = _colour(color), _colour(edgecolor)

        def draw() -> str:
            out = []
            for yi, wi, li in zip(ys, widths, left):
                if wi == 0:  # matplotlib writes an empty box: nothing to see
                    continue
                xa, xb = self._x(li), self._x(li + wi)
                ya, yb = self._y(yi + height / 2), self._y(yi - height / 2)
                out.append(
                    f'<rect x="{_n(xa)}" y="{_n(ya)}" width="{_n(xb - xa)}" height="{_n(yb - ya)}" '
                    f'fill="{fill}" stroke="{edge}" stroke-width="{lw:g}"/>'
                )
            return "\n".join(out)

        self._add(zorder, "patch", draw)

    def set_yticks(self, ticks: Sequence[float], labels: Sequence[str], *, fontsize: float = 8.5) -> None:
        """Row positions and their labels."""
        self.yticks = ([float(t) for t in ticks], [str(lab) for lab in labels], float(fontsize))

    def set_xticks(self, ticks: Sequence[float], labels: Sequence[str]) -> None:
        """Fixed x ticks and labels (default: matplotlib's AutoLocator ticks)."""
        self.xticks = ([float(t) for t in ticks], [str(lab) for lab in labels])

    def set_xlim(self, lo: float, hi: float) -> None:
        """The x data range."""
        self.xlim = (float(lo), float(hi))

    def set_ylim(self, lo: float, hi: float) -> None:
        """The y data range."""
        self.ylim = (float(lo), float(hi))

    def set_xlabel(self, text: str, *, fontsize: float = 9.0) -> None:
        """The x axis label (lines split at ``\\n``)."""
        self.xlabel = (str(text), float(fontsize))

    def get_xlabel(self) -> str:
        """The x axis label."""
        return self.xlabel[0]

    def set_title(self, text: str, *, pad: float = 6.0) -> None:
        """The title, ``pad`` points above the axes."""
        self.title = (str(text), float(pad))

    def grid(self, *, axis: str, visible: bool) -> None:
        """Accepts only ``grid(axis='y', visible=False)``: report charts have vertical grid lines only."""
        if axis != "y" or visible:
            raise NotImplementedError("report charts draw vertical grid lines only")

    def legend(self, *, handles: list, **kw: Any) -> None:
        """A legend of matplotlib handles (Line2D markers or lines, Patch boxes)."""
        self.legend_args = (list(handles), kw)

    # ---------------------------------------------------------------- geometry
    def _box(self) -> tuple[float, float, float, float]:
        """Axes box in SVG points: left, top, right, bottom."""
        w, h = self.fig.size[0] * 72, self.fig.size[1] * 72
        m = self.fig.margins
        return m["left"] * w, (1 - m["top"]) * h, m["right"] * w, (1 - m["bottom"]) * h

    def _ybox(self) -> tuple[float, float]:
        _, top, _, bottom = self._box()
        return top, bottom

    def _x(self, x: float) -> float:
        left, _, right, _ = self._box()
        lo, hi = self.xlim
        return left + (float(x) - lo) / (hi - lo) * (right - left)

    def _y(self, y: float) -> float:
        _, top, _, bottom = self._box()
        lo, hi = self.ylim
        return bottom - (float(y) - lo) / (hi - lo) * (bottom - top)

    # ---------------------------------------------------------------- output
    def render(self, fig_id: str, width: float, height: float) -> str:
        """The axes and everything drawn on them as SVG elements (ids prefixed with ``fig_id``)."""
        self._fig_id = fig_id
        left, top, right, bottom = self._box()
        clip = f"{fig_id}-clip"
        box = f'x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" height="{_n(bottom - top)}"'
        defs = [f'<clipPath id="{clip}"><rect {box}/></clipPath>']
        if self.hatched or _legend_hatched(self.legend_args):
            defs.append(_hatch_pattern(fig_id))
        out = [f"<defs>{''.join(defs)}</defs>", f'<rect {box} fill="#ffffff"/>']
        layers = [(z, _RANK[k], i, draw, c) for i, (z, k, draw, c) in enumerate(self.deferred)]
        layers.append((0.5, 1, -1, self._grid, True))
        layers.append((2.5, 0, -1, lambda: self._spines() + "\n" + self._ticklabels(), False))
        out += _grouped(sorted(layers, key=lambda t: t[:3]), clip)
        out.append(self._labels())
        if self.legend_args is not None:
            out.append(_legend(self, *self.legend_args))
        return "\n".join(s for s in out if s) + "\n</g>\n</svg>"

    def _xticks(self) -> tuple[list[float], list[str]]:
        if self.xticks is not None:
            return self.xticks
        left, _, right, _ = self._box()
        nbins = int(np.clip(math.floor((right - left) / (8.5 * 3)), 1, 9))  # XAxis.get_tick_space
        locs = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(*self.xlim)
        lo, hi = self.xlim
        eps = 1e-10 * max(abs(lo), abs(hi), 1.0)
        shown = [float(v) for v in locs if lo - eps <= v <= hi + eps]
        return shown, _tick_format(shown)

    def _grid(self) -> str:
        top, bottom = self._ybox()
        return "\n".join(
            _line(self._x(t), top, self._x(t), bottom, _EDGE, 0.8, "-", "round") for t in self._xticks()[0]
        )

    def _spines(self) -> str:
        left, top, right, bottom = self._box()
        return (
            f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" height="{_n(bottom - top)}" '
            f'fill="none" stroke="{_EDGE}" stroke-width="0.8" style="stroke-linejoin: miter"/>'
        )

    def _ticklabels(self) -> str:
        left, _, _, bottom = self._box()
        out = []
        for t, lab in zip(*self._xticks()):
            out.append(
                _text(self._x(t), bottom + _TICK_PAD, lab, {"ha": "center", "va": "top", "fontsize": 8.5})
            )
        ticks, labels, size = self.yticks
        for t, lab in zip(ticks, labels):
            out.append(
                _text(
                    left - _TICK_PAD,
                    self._y(t),
                    lab,
                    {"ha": "right", "va": "center_baseline", "fontsize": size},
                )
            )
        return "\n".join(out)

    def _labels(self) -> str:
        left, top, right, bottom = self._box()
        cx = (left + right) / 2
        out = []
        text, size = self.xlabel
        lines = text.split("\n") if text else []
        first = bottom + _TICK_PAD + 8.5 + 4.0 + (0.86 if len(lines) > 1 else _ASCENT) * size
        for k, line in enumerate(lines):
            out.append(_text(cx, first + 1.2 * size * k, line, {"ha": "center", "fontsize": size}))
        title, pad = self.title
        if title:
            out.append(_text(cx, top - pad, title, {"ha": "center", "fontsize": 10.0}))
        return "\n".join(out)


# -------------------------------------------------------------------- SVG pieces
def _grouped(layers: list, clip: str) -> list[str]:
    """Draw in z order; runs of clipped elements share one clipped group."""
    out: list[str] = []
    run: list[str] = []
    for *_, draw, clipped in layers:
        svg = draw()
        if not svg:
            continue
        if clipped:
            run.append(svg)
            continue
        if run:
            out.append(f'<g clip-path="url(#{clip})">\n' + "\n".join(run) + "\n</g>")
            run = []
        out.append(svg)
    if run:
        out.append(f'<g clip-path="url(#{clip})">\n' + "\n".join(run) + "\n</g>")
    return out


def _stroke(colour: str, lw: float, ls: str, cap: str | None) -> str:
    attrs = f'fill="none" stroke="{colour}" stroke-width="{lw:g}"'
    if ls in _DASHES:
        attrs += f' stroke-dasharray="{",".join(_n(d * lw) for d in _DASHES[ls])}"'
    elif cap and cap != "butt":
        attrs += f' style="stroke-linecap: {cap}"'
    return attrs


def _line(
    x0: float, y0: float, x1: float, y1: float, colour: str, lw: float, ls: str, cap: str | None
) -> str:
    return _path(f"M {_n(x0)} {_n(y0)} L {_n(x1)} {_n(y1)}", colour, lw, ls, cap)


def _path(d: str, colour: str, lw: float, ls: str, cap: str | None) -> str:
    return f'<path d="{d}" {_stroke(colour, lw, ls, cap)}/>'


def _marker(x: float, y: float, marker: str, ms: float, face: str, edge: str, mew: float) -> str:
    """One matplotlib marker (``o s D ^ v``) of size ``ms`` points centred at (x, y)."""
    r = ms / 2
    paint = f'fill="{face}" stroke="{edge}" stroke-width="{mew:g}"'
    if marker == "o":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {paint}/>'
    shapes = {
        "s": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "D": [(0, r * math.sqrt(2)), (r * math.sqrt(2), 0), (0, -r * math.sqrt(2)), (-r * math.sqrt(2), 0)],
        "^": [(0, -r), (-r, r), (r, r)],
        "v": [(0, r), (r, -r), (-r, -r)],
    }
    if marker not in shapes:
        raise NotImplementedError(f"marker {marker!r} is not drawn by the SVG writer")
    pts = " L ".join(f"{_n(x + dx)} {_n(y + dy)}" for dx, dy in shapes[marker])
    return f'<path d="M {pts} z" {paint} style="stroke-linejoin: miter"/>'


def _text(x: float, y: float, s: str, kw: dict) -> str:
    """One line of text placed as matplotlib places it (``ha``, ``va``, size, colour, weight, white bbox)."""
    size = float(kw.get("fontsize", 9.0))
    ha = kw.get("ha", "left")
    base = y + _VA[kw.get("va", "baseline")] * size
    anchor = {"left": "start", "center": "middle", "right": "end"}[ha]
    colour = _colour(kw.get("color", _TEXT))
    weight = ' font-weight="700"' if kw.get("fontweight") == "bold" else ""
    out = ""
    bbox = kw.get("bbox")
    if bbox:
        pad = float(bbox.get("pad", 4.0))
        w = figures._text_width(s, size)
        x0 = x - {"left": 0.0, "center": w / 2, "right": w}[ha]
        top = base - _ASCENT * size - pad
        out = (
            f'<rect x="{_n(x0 - pad)}" y="{_n(top)}" width="{_n(w + 2 * pad)}" '
            f'height="{_n((_ASCENT + _DESCENT) * size + 2 * pad)}" fill="{_colour(bbox.get("facecolor", "white"))}"/>\n'
        )
    return (
        out + f'<text x="{_n(x)}" y="{_n(base)}" font-size="{size:g}" text-anchor="{anchor}" '
        f'fill="{colour}"{weight}>{_esc(s)}</text>'
    )


def _hatch_pattern(fig_id: str) -> str:
    """The ``///`` hatch as matplotlib writes it: lines rising to the right 8 points apart, 1 point, grey 0.6."""
    return (
        f'<pattern id="{fig_id}-hatch" patternUnits="userSpaceOnUse" width="8" height="8">'
        '<path d="M -2 2 L 2 -2 M 0 8 L 8 0 M 6 10 L 10 6" stroke="#999999" stroke-width="1"/></pattern>'
    )


def _rect(x: float, y: float, w: float, h: float, patch: Patch, fig_id: str) -> str:
    face, edge = to_rgba(patch.get_facecolor()), to_rgba(patch.get_edgecolor())
    fill = "none" if face[3] == 0 else _colour(face[:3])
    lw = float(patch.get_linewidth())
    stroke = f' stroke="{_colour(edge[:3])}" stroke-width="{lw:g}"' if lw > 0 and edge[3] > 0 else ""
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
    out = f'<rect {box} fill="{fill}"{stroke}/>'
    if patch.get_hatch():
        out += f'\n<rect {box} fill="url(#{fig_id}-hatch)"/>'
    return out


def _tick_format(locs: list[float]) -> list[str]:
    """Tick labels as matplotlib's ScalarFormatter writes them (no offset): uniform decimals, a real minus."""
    if len(locs) < 2:
        return [f"{v:g}".replace("-", "\u2212") for v in locs]
    arr = np.asarray(locs)
    oom = int(math.floor(math.log10(np.ptp(arr))))
    sigfigs = max(0, 3 - oom)
    thresh = 1e-3 * 10**oom
    while sigfigs >= 0:
        if np.abs(arr - np.round(arr, decimals=sigfigs)).max() < thresh:
            sigfigs -= 1
        else:
            break
    sigfigs += 1
    return [f"{(0.0 if abs(v) < 1e-8 else v):.{sigfigs}f}".replace("-", "\u2212") for v in locs]


def _legend_hatched(args: tuple[list, dict] | None) -> bool:
    return args is not None and any(isinstance(h, Patch) and h.get_hatch() for h in args[0])


def _handle(h: Any, x: float, base: float, length: float, size: float, fig_id: str) -> str:
    """One legend key: a marker, a line or a box, ``length`` wide, beside its label's baseline."""
    mid = base - 0.35 * size
    if isinstance(h, Patch):
        return _rect(x, base - 0.7 * size, length, 0.7 * size, h, fig_id)
    if h.get_linestyle() in ("None", "none", "", " "):
        return _marker(
            x + length / 2,
            mid,
            h.get_marker(),
            float(h.get_markersize()),
            _colour(h.get_markerfacecolor()),
            _colour(h.get_markeredgecolor()),
            float(h.get_markeredgewidth()),
        )
    ls = {"--": "--", ":": ":", "-.": "-."}.get(h.get_linestyle(), "-")
    return _line(x, mid, x + length, mid, _colour(h.get_color()), float(h.get_linewidth()), ls, "butt")


def _legend(ax: SvgAxes, handles: list, kw: dict) -> str:
    """The two legend layouts of the report charts: a column right of the axes, or one row above them."""
    size = float(kw.get("fontsize", 8.0))
    length = float(kw.get("handlelength", 2.0)) * size
    gap = 0.8 * size
    left, top, right, _ = ax._box()
    labels = [str(h.get_label()) for h in handles]
    out = []
    if kw.get("loc") == "upper left":  # bbox_to_anchor (1.01, 1.0): a column
        x = left + 1.01 * (right - left) + 0.9 * size
        for k, (h, lab) in enumerate(zip(handles, labels)):
            base = top + 0.9 * size + _ASCENT * size + 1.50008 * size * k
            out.append(_handle(h, x, base, length, size, ax._fig_id))
            out.append(_text(x + length + gap, base, lab, {"fontsize": size}))
        return "\n".join(out)
    # loc "lower center", bbox_to_anchor (0.5, 1.0): one row centred above the axes
    spacing = float(kw.get("columnspacing", 2.0)) * size
    widths = [length + gap + figures._text_width(lab, size) for lab in labels]
    x = (left + right) / 2 - (sum(widths) + spacing * (len(widths) - 1)) / 2
    base = top - 0.9 * size - _DESCENT * size
    for h, lab, w in zip(handles, labels, widths):
        out.append(_handle(h, x, base, length, size, ax._fig_id))
        out.append(_text(x + length + gap, base, lab, {"fontsize": size}))
        x += w + spacing
    return "\n".join(out)


# -------------------------------------------------------------------- the heat map
_CBAR_W, _CBAR_GAP = 14.0, 12.0  # colour bar width and its gap from the cells, in points


def _heatmap_margins(h: dict, width: float) -> tuple[float, float, float, float]:
    """Left, top, right and bottom margins in points, measured from the heat map's own labels."""
    ylab = max((figures._text_width(s, 8.5) for s in h["schools"]), default=0.0)
    left = 5.0 + 9.0 + 4.0 + ylab + _TICK_PAD  # "school", its pad, the school ids, the tick pad
    ticks = max(figures._text_width(t, 8.5) for t in _cbar_ticks(h)[1]) if h["cells"] else 20.0
    right = _CBAR_GAP + _CBAR_W + 3.5 + ticks + 4.0 + 9.0 + 5.0  # colour bar, its ticks and its label
    xlab = figures._text_width(h["xlabel"], 7.5)
    right = max(right, xlab - (width - left - right) + 10.0)
    bottom = _TICK_PAD + 8.5 + 8.0 + 7.5 + 5.0  # tick labels, label pad, the legend line
    return left, 5.0 + 10.0 + 6.0, right, bottom


def _cbar_ticks(h: dict) -> tuple[list[float], list[str]]:
    locs = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(h["vmin"], h["vmax"])
    shown = [float(v) for v in locs if h["vmin"] - 1e-9 <= v <= h["vmax"] + 1e-9]
    return shown, _tick_format(shown)


def _heatmap_cells_svg(h: dict, box: tuple[float, float, float, float], fig_id: str) -> list[str]:
    from matplotlib import colormaps

    cmap = colormaps["cividis"]
    left, top, cw, ch = box
    span = h["vmax"] - h["vmin"] if h["vmax"] > h["vmin"] else 1.0
    out = []
    for i, j, text, colour in h["cells"]:
        x, y = left + j * cw, top + i * ch
        cell = f'x="{_n(x)}" y="{_n(y)}" width="{_n(cw)}" height="{_n(ch)}"'
        if text == "suppressed":
            out.append(f'<rect {cell} fill="#ffffff"/><rect {cell} fill="url(#{fig_id}-hatch)"/>')
            kw = {"ha": "center", "va": "center", "fontsize": 7.0, "color": colour, "bbox": {"pad": 1.0}}
        else:
            fill = _colour(cmap((h["grid"][i, j] - h["vmin"]) / span))
            out.append(f'<rect {cell} fill="{fill}" stroke="#ffffff" stroke-width="1.2"/>')
            kw = {"ha": "center", "va": "center", "fontsize": 8.5, "color": colour}
        out.append(_text(x + cw / 2, y + ch / 2, text, kw))
    return out


def _heatmap_axes_svg(h: dict, box: tuple[float, float, float, float], title: str) -> list[str]:
    """Tick labels, axis labels and title of the heat map."""
    left, top, cw, ch = box
    right, bottom = left + cw * len(h["doms"]), top + ch * len(h["schools"])
    out = [
        _text(left + cw * (j + 0.5), bottom + _TICK_PAD, lab, {"ha": "center", "va": "top", "fontsize": 8.5})
        for j, lab in enumerate(h["xticklabels"])
    ]
    out += [
        _text(
            left - _TICK_PAD,
            top + ch * (i + 0.5),
            s,
            {"ha": "right", "va": "center_baseline", "fontsize": 8.5},
        )
        for i, s in enumerate(h["schools"])
    ]
    ylab = max((figures._text_width(s, 8.5) for s in h["schools"]), default=0.0)
    x, y = left - _TICK_PAD - ylab - 4.0 - 0.24 * 9.0, (top + bottom) / 2
    out.append(
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="9" text-anchor="middle" fill="{_TEXT}" '
        f'transform="rotate(-90 {_n(x)} {_n(y)})">school</text>'
    )
    xl = bottom + _TICK_PAD + 8.5 + 8.0 + _ASCENT * 7.5
    out.append(_text((left + right) / 2, xl, h["xlabel"], {"ha": "center", "fontsize": 7.5, "color": "0.2"}))
    out.append(_text((left + right) / 2, top - 6.0, title, {"ha": "center", "fontsize": 10.0}))
    return out


def _colourbar_svg(h: dict, box: tuple[float, float, float, float], fig_id: str) -> list[str]:
    """The colour bar: the cividis ramp over the heat map's range, 80% of its height, ticks and label."""
    from matplotlib import colormaps

    cmap = colormaps["cividis"]
    left, top, cw, ch = box
    height = ch * len(h["schools"])
    x0, y0, bar_h = left + cw * len(h["doms"]) + _CBAR_GAP, top + 0.1 * height, 0.8 * height
    stops = "".join(
        f'<stop offset="{k / 16:g}" stop-color="{_colour(cmap(1 - k / 16))}"/>' for k in range(17)
    )
    out = [
        f'<defs><linearGradient id="{fig_id}-ramp" x1="0" y1="0" x2="0" y2="1">{stops}</linearGradient></defs>',
        f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(_CBAR_W)}" height="{_n(bar_h)}" fill="url(#{fig_id}-ramp)"/>',
    ]
    span = h["vmax"] - h["vmin"] if h["vmax"] > h["vmin"] else 1.0
    ticks, labels = _cbar_ticks(h)
    for t, lab in zip(ticks, labels):
        y = y0 + bar_h * (1 - (t - h["vmin"]) / span)
        out.append(_text(x0 + _CBAR_W + 3.5, y, lab, {"va": "center_baseline", "fontsize": 8.5}))
    tw = max((figures._text_width(lab, 8.5) for lab in labels), default=0.0)
    x, y = x0 + _CBAR_W + 3.5 + tw + 4.0 + _ASCENT * 9.0, y0 + bar_h / 2
    out.append(
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="9" text-anchor="middle" fill="{_TEXT}" '
        f'transform="rotate(-90 {_n(x)} {_n(y)})">{_esc(h["cbar_label"])}</text>'
    )
    return out


def heatmap_svg(
    fig_id: str, profile: Any, *, value: str = "mean", title: str | None = None
) -> tuple[str, str]:
    """The network heat map of :func:`assetinv.figures.heatmap_network` written straight to SVG.

    The cells, colours (cividis over the same range), texts, status symbols, hatched suppressed
    cells, labels and alt text come from the figure's own ``_heatmap_cells``; the layout is fixed
    (margins measured from the labels) instead of matplotlib's constrained layout, which costs
    seconds for a network of hundreds of schools.

    Parameters
    ----------
    fig_id : str
        Id of the ``<svg>`` and prefix of the ids inside it.
    profile : DataFrame
        Output of :func:`assetinv.asset_profile` for all schools.
    value : str
        Column to colour by.
    title : str, optional
        Figure title.

    Returns
    -------
    (str, str)
        The ``<svg role="img">`` markup and its alt text.
    """
    h = figures._heatmap_cells(profile, value)
    w, ht = (1.6 + 1.35 * len(h["doms"])) * 72, (1.3 + 0.42 * len(h["schools"])) * 72
    left, top, right, bottom = _heatmap_margins(h, w)
    cw = (w - left - right) / max(len(h["doms"]), 1)
    ch = (ht - top - bottom) / max(len(h["schools"]), 1)
    box = (left, top, cw, ch)
    a = _esc(h["alt_text"])
    parts = [
        f'<svg role="img" aria-label="{a}" width="{_n(w)}pt" height="{_n(ht)}pt" '
        f'viewBox="0 0 {_n(w)} {_n(ht)}" id="{fig_id}">',
        f"<title>{a}</title>",
        f'<g font-family="{_FONT}">',
        f'<rect width="{_n(w)}" height="{_n(ht)}" fill="#ffffff"/>',
        f"<defs>{_hatch_pattern(fig_id)}</defs>",
    ]
    parts += _heatmap_cells_svg(h, box, fig_id)
    parts += _heatmap_axes_svg(h, box, title or "Asset profile of the network")
    parts += _colourbar_svg(h, box, fig_id)
    return "\n".join(parts) + "\n</g>\n</svg>", h["alt_text"]


# -------------------------------------------------------------------- the report's charts
#: report figure name -> chart code of :mod:`assetinv.figures` that takes a figure factory
_FACTORY_CHARTS: dict[str, Callable[..., Any]] = {
    "school_profile_plot": figures._profile_chart,
    "change_plot": figures._change_chart,
    "gap_plot": figures._gap_chart,
    "item_distribution_plot": figures._item_chart,
}
#: the report figures written straight to SVG (the others go through matplotlib)
SVG_CHARTS: frozenset[str] = frozenset(_FACTORY_CHARTS) | {"heatmap_network"}


def chart_svg(name: str, fig_id: str, *args: Any, **kwargs: Any) -> tuple[str, str]:
    """Draw the report chart ``name`` (a key of :data:`SVG_CHARTS`) straight to SVG.

    Parameters
    ----------
    name : str
        The figure function's name in :mod:`assetinv.figures`.
    fig_id : str
        Id of the ``<svg>`` and prefix of every id inside it.
    *args, **kwargs
        The figure function's arguments.

    Returns
    -------
    (str, str)
        The ``<svg role="img">`` markup and its alt text.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"domain": ["EX"], "scope": "network", "estimate": [0.1],
    ...                   "ci_low": [-0.05], "ci_high": [0.25], "domain_short": ["Expertise"], "suppressed": ""})
    >>> svg, alt = chart_svg("change_plot", "fig-change", c)
    >>> svg.startswith('<svg role="img" aria-label="Change from baseline') and "<title>" in svg
    True
    """
    if name == "heatmap_network":
        return heatmap_svg(fig_id, *args, **kwargs)
    fig = _FACTORY_CHARTS[name](SvgFigure, *args, **kwargs)
    alt = fig.alt_text or "Figure"
    return fig.to_svg(fig_id, alt=alt), alt
