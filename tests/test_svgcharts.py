"""The report's charts written straight to SVG (assetinv.report.svgcharts) against the matplotlib figures.

The same chart code draws both: the SVG must carry the same alt text, the same words, numbers and labels at
the same places (within half a point), hide suppressed rows the same way, be accessible and be byte-for-byte
deterministic; the report must use it for these charts instead of matplotlib.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from test_figures import SMALL_CHANGE, SMALL_VALUE, scores

from assetinv import figures
from assetinv.report import blocks
from assetinv.report.svgcharts import SVG_CHARTS, chart_svg
from assetinv.scoring import asset_profile, change_over_time, perception_gaps


def _items(s):
    """Item distribution rows for one group, one item suppressed, built from the instrument's own ids."""
    from assetinv.instrument import resolve

    inst = resolve()
    rows = []
    for k, d in enumerate(inst.domain_ids[:2]):
        for j in range(3):
            pct = [10.0 + j, 20.0, 30.0 - j, 25.0, 15.0]
            rows.append(
                {
                    "domain": d,
                    "item": f"{d}{j + 1:02d}",
                    "text": f"Statement {k}{j} about the school",
                    "reverse": j == 2,
                    **{f"pct_{c + 1}": v for c, v in enumerate(pct)},
                    "pct_agree": pct[3] + pct[4],
                    "suppressed": "fewer than 5" if (k, j) == (1, 1) else "",
                }
            )
    return pd.DataFrame(rows), inst


@pytest.fixture(scope="module")
def cases():
    s = scores()
    profile = asset_profile(s)
    change = change_over_time(s, by_school=True, domains=["OS", "EX"])
    gaps = perception_gaps(s)
    items, inst = _items(s)
    names = {d: inst.domain_names.get(d, d) for d in inst.domain_ids}
    return {
        "school_profile_plot": [((profile, "A"), {}), ((profile, "E"), {"title": "School E"})],
        "change_plot": [((change[change["scope"].astype(str).isin(["network", "E"])],), {})],
        "gap_plot": [((gaps,), {})],
        "item_distribution_plot": [((items,), {"title": "Answers", "domain_names": names})],
        "heatmap_network": [((profile,), {}), ((profile,), {"title": "Network"})],
    }


def _mpl_svg(name, args, kwargs) -> tuple[str, str]:
    fig = blocks.FIGURES[name](*args, **kwargs)
    return blocks.figure_svg(fig, "m", alt=fig.alt_text), fig.alt_text


_TEXT = re.compile(r'<text [^>]*?x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>')


def _texts(svg: str) -> list[tuple[str, float, float]]:
    import html

    return sorted((html.unescape(t), float(x), float(y)) for x, y, t in _TEXT.findall(svg))


def _all(cases):
    return [(name, a, kw) for name, calls in cases.items() for a, kw in calls]


def test_every_report_chart_has_an_svg_writer():
    per_school = {"school_profile_plot", "change_plot", "gap_plot", "item_distribution_plot"}
    assert set(SVG_CHARTS) == per_school | {"heatmap_network"}  # the joint display stays with matplotlib
    assert set(SVG_CHARTS) <= set(blocks.FIGURES)


def test_same_alt_text_words_and_places_as_matplotlib(cases):
    for name, args, kwargs in _all(cases):
        svg, alt = chart_svg(name, "s", *args, **kwargs)
        ref, ref_alt = _mpl_svg(name, args, kwargs)
        assert alt == ref_alt
        mine, theirs = _texts(svg), _texts(ref)
        if name == "heatmap_network":  # its own fixed layout instead of constrained layout: same texts
            assert sorted(t for t, *_ in mine) == sorted(t for t, *_ in theirs if t.strip())
            continue
        # matplotlib writes a multi-line x label with transforms instead of x/y: compare the others
        assert [t for t, *_ in mine if t in {u for u, *_ in theirs}] == [t for t, *_ in theirs], name
        placed = {(t, round(x), round(y)) for t, x, y in theirs}
        for t, x, y in mine:
            if t in {u for u, *_ in theirs}:
                near = [(u, a, b) for u, a, b in theirs if u == t and abs(a - x) < 0.5 and abs(b - y) < 0.5]
                assert near, f"{name}: {t!r} at ({x}, {y}) is not where matplotlib puts it: {placed}"


def test_accessible_and_well_formed(cases):
    for name, args, kwargs in _all(cases):
        svg, alt = chart_svg(name, "fig-x", *args, **kwargs)
        root = ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
        assert root.get("role") == "img" and root.get("aria-label") == alt and alt
        assert root[0].tag.endswith("title") and root[0].text == alt
        ids = re.findall(r'\sid="([^"]+)"', svg)
        assert ids[0] == "fig-x" and all(i.startswith("fig-x-") for i in ids[1:])
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
            assert ref in ids, f"{name}: url(#{ref}) points nowhere"


def test_suppressed_rows_are_drawn_hatched_and_their_numbers_never(cases):
    prof = cases["school_profile_plot"][1][0][0].copy()
    prof.loc[prof["school"] == "E", "mean"] = SMALL_VALUE  # numbers not blanked, but the rows are suppressed
    svg, alt = chart_svg("school_profile_plot", "p", prof, "E")
    assert svg.count(">suppressed (") == prof["domain"].nunique() and 'fill="url(#p-hatch)"' in svg
    assert "suppressed" in alt
    words = " ".join(t for t, *_ in _texts(svg)) + alt
    for form in (f"{SMALL_VALUE:.1f}", f"{SMALL_VALUE:.2f}"):
        assert form not in words
    assert (
        svg.count('stroke="#000000" stroke-width="0.6"') == 3
    )  # status marks: the legend's three, none drawn
    ch = cases["change_plot"][0][0][0]
    svg, _ = chart_svg("change_plot", "c", ch)
    assert ">suppressed (" in svg and f"{SMALL_CHANGE:+.2f}" not in " ".join(t for t, *_ in _texts(svg))
    items = cases["item_distribution_plot"][0][0][0]
    svg, alt = chart_svg("item_distribution_plot", "i", items)
    hidden = items.loc[items["suppressed"] != "", "item"].iloc[0]
    assert f"{hidden} suppressed" in alt and svg.count(">suppressed</text>") == 1
    assert svg.count('fill="url(#i-hatch)"') == 1


def test_heatmap_hides_suppressed_cells_and_scales(cases):
    prof = cases["heatmap_network"][0][0][0].copy()
    small = prof["school"] == "E"
    prof.loc[small, "mean"] = SMALL_VALUE  # not blanked: the suppressed mark must still hide it
    svg, alt = chart_svg("heatmap_network", "h", prof)
    assert svg.count(">suppressed</text>") == int(small.sum()) and 'fill="url(#h-hatch)"' in svg
    assert f"{SMALL_VALUE:.1f}" not in " ".join(t for t, *_ in _texts(svg)) + alt
    assert f"{small.sum()} cells are suppressed" in alt
    big = pd.concat([prof.assign(school=prof["school"] + str(k)) for k in range(100)], ignore_index=True)
    svg, alt = chart_svg("heatmap_network", "h", big)  # 500 schools: one pass, no layout engine
    assert f"for {big['school'].nunique()} schools" in alt


def test_byte_for_byte_deterministic(cases):
    for name, args, kwargs in _all(cases):
        a = chart_svg(name, "d", *args, **kwargs)
        b = chart_svg(name, "d", *[x.copy() if hasattr(x, "copy") else x for x in args], **kwargs)
        assert a == b
    prof = cases["school_profile_plot"][0][0][0]
    shuffled = prof.sample(frac=1, random_state=4)
    assert chart_svg("school_profile_plot", "d", prof, "A") == chart_svg(
        "school_profile_plot", "d", shuffled, "A"
    )


def test_the_report_draws_these_charts_without_matplotlib(cases, monkeypatch):
    from assetinv.report.context import ReportContext

    def no_savefig(*a, **k):
        raise AssertionError("matplotlib was used for a chart the SVG writer draws")

    monkeypatch.setattr(blocks, "figure_svg", no_savefig)
    ctx = ReportContext.__new__(ReportContext)
    ctx.results = {}
    for name, args, kwargs in _all(cases):
        html = blocks._figure(ctx, name, "fig-r", "A caption.", *args, **kwargs)
        assert html.startswith('<figure id="fig-r-fig">') and "<figcaption>A caption.</figcaption>" in html
        assert '<svg role="img"' in html


def test_numbers_survive_in_ticks():
    from assetinv.report.svgcharts import _tick_format

    assert _tick_format([1.0, 1.5, 2.0]) == ["1.0", "1.5", "2.0"]
    assert _tick_format([-0.5, -0.25, 0.0, 0.25]) == ["\u22120.50", "\u22120.25", "0.00", "0.25"]
    assert _tick_format([-1.0, 0.0, 1.0]) == ["\u22121", "0", "1"]
    assert np.isfinite(figures._text_width("suppressed", 8.0))
