"""Tests for assetinv.figures: every figure returns a Figure with alt text,
never shows a suppressed group's number, and is deterministic."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from assetinv.figures import STATUS_STYLE, change_plot, gap_plot, heatmap_network, school_profile_plot
from assetinv.scoring import asset_profile, change_over_time, perception_gaps, perception_gaps_with_fallback

DOMAINS = ["EX", "LM", "CN", "OS"]
SMALL_VALUE = 1.37  # the tiny school's baseline score everywhere: must never be drawn
SMALL_CHANGE = 0.61  # ... and its change to follow-up


def scores():
    rng = np.random.default_rng(8)
    rows = []
    k = 0
    plan = {
        "A": (20, 4, [3.6, 3.5, 3.4, 4.5]),
        "B": (20, 6, [3.6, 3.5, 3.4, 3.6]),
        "C": (20, 3, [3.6, 3.5, 3.4, 2.5]),
        "D": (20, 2, [4.1, 3.5, 3.4, 3.6]),
    }
    for school, (nt, nl, means) in plan.items():
        for role, n in (("teacher", nt), ("leader", nl)):
            for w in ("baseline", "followup"):
                for _ in range(n):
                    k += 1
                    row = {
                        "respondent_id": f"r{k}",
                        "school": school,
                        "district": "D1",
                        "role": role,
                        "wave": w,
                    }
                    for d, m in zip(DOMAINS, means):
                        row[d] = float(
                            np.clip(m + (0.2 if w == "followup" else 0) + rng.normal(0, 0.3), 1, 5)
                        )
                    rows.append(row)
    for i in range(3):  # tiny school: 3 respondents per wave, identical distinctive scores
        for w in ("baseline", "followup"):
            rows.append(
                {
                    "respondent_id": f"t{i}{w}",
                    "school": "E",
                    "district": "D1",
                    "role": "teacher",
                    "wave": w,
                    **{d: SMALL_VALUE + (SMALL_CHANGE if w == "followup" else 0) for d in DOMAINS},
                }
            )
    return pd.DataFrame(rows)


def figure_strings(fig: Figure) -> list[str]:
    out = [t.get_text() for t in fig.texts] + [fig.alt_text]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return out


def drawn_numbers(fig: Figure) -> np.ndarray:
    vals = []
    for ax in fig.axes:
        for line in ax.get_lines():
            vals += list(np.asarray(line.get_xdata(), dtype=float).ravel())
        for coll in ax.collections:
            arr = coll.get_array()
            if arr is not None:
                vals += list(np.ma.filled(np.asarray(arr, dtype=float), np.nan).ravel())
    return np.array(vals, dtype=float)


def assert_not_shown(fig: Figure, value: float, one_decimal: bool = True):
    """The value is neither written (as the figures format numbers) nor drawn."""
    text = "\n".join(figure_strings(fig))
    forms = {f"{value:.2f}", f"{value:+.2f}"} | ({f"{value:.1f}"} if one_decimal else set())
    for s in forms:
        assert s not in text, f"{s} appears in the figure text"
    nums = drawn_numbers(fig)
    assert not np.any(np.isclose(nums[np.isfinite(nums)], value, atol=1e-9)), "value drawn"


def svg_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "test"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


@pytest.fixture(scope="module")
def data():
    s = scores()
    return {
        "scores": s,
        "profile": asset_profile(s),
        "gaps": perception_gaps(s),
        "change": change_over_time(s, by_school=True, domains=["OS", "EX"]),
    }


def test_heatmap(data):
    fig = heatmap_network(data["profile"])
    assert isinstance(fig, Figure) and fig.alt_text.startswith("Heat map")
    texts = figure_strings(fig)
    assert sum(t == "suppressed" for t in texts) == 4  # school E, four domains
    assert_not_shown(fig, SMALL_VALUE)
    # status symbols make the map readable without colour
    assert any(STATUS_STYLE["asset"]["symbol"] in t for t in texts)
    assert any(STATUS_STYLE["growth area"]["symbol"] in t for t in texts)


def test_school_profile(data):
    fig = school_profile_plot(data["profile"], "A")
    assert "school A" in fig.alt_text and "Collaborative structures" in fig.alt_text
    markers = {ln.get_marker() for ln in fig.axes[0].get_lines()}
    assert "^" in markers  # asset marker, shape not only colour
    fig_e = school_profile_plot(data["profile"], "E")
    assert_not_shown(fig_e, SMALL_VALUE)
    assert sum("suppressed" in t for t in figure_strings(fig_e)) >= 4
    quiet = school_profile_plot(data["profile"], "S99")  # listed school, nobody answered
    assert sum("no respondents" in t for t in figure_strings(quiet)) >= 4
    assert not {ln.get_marker() for ln in quiet.axes[0].get_lines()} & {"^", "o", "v"}  # no school marker


def test_change_plot(data):
    c = data["change"]
    assert (c[c.scope == "E"]["suppressed"] != "").all()
    fig = change_plot(c)
    assert fig.alt_text.startswith("Change from baseline")
    assert "E suppressed" in fig.alt_text
    assert_not_shown(fig, SMALL_CHANGE, one_decimal=False)
    assert not re.search(r"· E\s+[+-]?\d", fig.alt_text)


def test_gap_plot_never_draws_small_leader_groups(data):
    s, g = data["scores"], data["gaps"]
    fig = gap_plot(g)
    assert fig.alt_text.startswith("Leader minus teacher")
    for school in ["A", "C", "D"]:  # leaders under 5
        lm = s[(s.school == school) & (s.role == "leader") & (s.wave == "baseline")]["OS"].mean()
        tm = s[(s.school == school) & (s.role == "teacher") & (s.wave == "baseline")]["OS"].mean()
        assert_not_shown(fig, lm - tm, one_decimal=False)
        assert_not_shown(fig, lm, one_decimal=False)
    fb = perception_gaps_with_fallback(s, "C")
    fig2 = gap_plot(fb)
    assert "district D1" in fig2.axes[0].get_title()


def test_figures_are_deterministic(data):
    a = svg_bytes(heatmap_network(data["profile"]))
    b = svg_bytes(heatmap_network(data["profile"].sample(frac=1, random_state=3)))
    assert a == b
    assert svg_bytes(gap_plot(data["gaps"])) == svg_bytes(gap_plot(data["gaps"]))


def test_unblanked_input_is_still_hidden(data):
    # a caller passes a table whose numbers were not blanked but is marked suppressed
    p = data["profile"].copy()
    p.loc[p.school == "E", "mean"] = SMALL_VALUE
    assert_not_shown(heatmap_network(p), SMALL_VALUE)
    assert_not_shown(school_profile_plot(p, "E"), SMALL_VALUE)
