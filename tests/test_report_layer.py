"""The report layer's shape (assetinv/report/) and its fast paths: import graph, figure table,
analysis warnings in the data-quality section, fixed figure layout that keeps every label inside."""

from __future__ import annotations

import ast
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetinv import figures as F
from assetinv.report import blocks
from assetinv.report.pipeline import analysis_notes

REPORT = Path(blocks.__file__).parent


def _report_imports() -> dict[str, set[str]]:
    """module -> the report modules it imports (``from .x import`` / ``from . import x``)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(REPORT.glob("*.py")):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[path.stem] = deps
    return graph


def test_report_modules_import_one_way():
    graph = _report_imports()
    # no cycle: a depth-first search never meets a module on its own path
    state: dict[str, int] = {}

    def visit(m: str, path: tuple[str, ...]) -> None:
        assert state.get(m) != 1, f"import cycle: {' -> '.join(path + (m,))}"
        if state.get(m) == 2:
            return
        state[m] = 1
        for d in graph.get(m, ()):
            visit(d, path + (m,))
        state[m] = 2

    for m in graph:
        visit(m, ())
    assert "sections" not in graph["context"] and "build" not in graph["context"]
    assert graph["blocks"] <= {"context", "svgcharts"}
    assert not graph["svgcharts"]
    assert not graph["context"]


def test_a_missing_figure_function_is_an_error_not_an_empty_figure():
    ctx = types.SimpleNamespace(results={})
    with pytest.raises(KeyError):
        blocks._figure(ctx, "no_such_plot", "fig-x", "caption")
    assert set(blocks.FIGURES) >= {"school_profile_plot", "change_plot", "gap_plot", "item_distribution_plot"}


def test_analysis_warnings_are_collected_once_and_masked():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("the model for school S03 did not converge after 200 iterations", stacklevel=1)
        warnings.warn("the model for school S04 did not converge after 200 iterations", stacklevel=1)
        warnings.warn("another", RuntimeWarning, stacklevel=1)
    notes = analysis_notes(caught, ["S03", "S04", "S1"])
    assert notes == [
        {
            "category": "UserWarning",
            "message": "the model for school a school did not converge after # iterations",
            "count": 2,
        },
        {"category": "RuntimeWarning", "message": "another", "count": 1},
    ]


def _profile() -> pd.DataFrame:
    doms = ["EX", "LM", "CN", "OS"]
    rows = []
    for s in ["A", "B"]:
        for i, d in enumerate(doms):
            rows.append(
                {
                    "school": s,
                    "domain": d,
                    "domain_short": [
                        "Expertise",
                        "Learning mindset",
                        "Professional norms",
                        "Collaborative structures",
                    ][i],
                    "n": 20,
                    "mean": 3.2 + 0.2 * i,
                    "ci_low": 2.9 + 0.2 * i,
                    "ci_high": 3.5 + 0.2 * i,
                    "network_mean": 3.3,
                    "status": "typical",
                    "suppressed": "",
                }
            )
    return pd.DataFrame(rows)


def _inside(fig) -> None:
    """Every drawn text and legend lies inside the figure (nothing clipped by the fixed layout)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    r = canvas.get_renderer()
    box = fig.get_tightbbox(r)  # inches
    w, h = fig.get_size_inches()
    tol = 0.02
    assert box.x0 >= -tol and box.y0 >= -tol and box.x1 <= w + tol and box.y1 <= h + tol, (box, w, h)


def test_fixed_layout_keeps_every_label_inside_the_figure():
    prof = _profile()
    _inside(F.school_profile_plot(prof, "A", title="A long school name: domains against the network"))
    ch = pd.DataFrame(
        {
            "domain": ["CN", "CN"],
            "domain_short": "Collaborative structures",
            "scope": ["network", "S01"],
            "estimate": [0.2, -0.4],
            "ci_low": [0.1, -0.8],
            "ci_high": [0.3, 0.0],
            "suppressed": "",
        }
    )
    _inside(F.change_plot(ch, title="Change"))
    g = pd.DataFrame(
        {
            "level": "school",
            "group": "S01",
            "domain": ["EX", "OS"],
            "domain_short": ["Expertise", "Collaborative structures"],
            "gap": [0.2, 0.7],
            "ci_low": [0.0, 0.4],
            "ci_high": [0.4, 1.0],
            "flagged_large": [False, True],
            "suppressed": "",
        }
    )
    _inside(F.gap_plot(g))
    items = pd.DataFrame(
        {
            "domain": "EX",
            "item": [f"EX0{i}" for i in range(1, 9)],
            "text": ["A statement long enough to be clipped at forty-six characters"] * 8,
            "reverse": [False, True] * 4,
            "pct_1": 10.0,
            "pct_2": 20.0,
            "pct_3": 20.0,
            "pct_4": 30.0,
            "pct_5": 20.0,
            "pct_agree": 50.0,
            "suppressed": "",
        }
    )
    _inside(F.item_distribution_plot(items, title="How staff answered each statement: a school"))


def test_item_bars_are_one_container_per_answer():
    items = pd.DataFrame(
        {
            "domain": "EX",
            "item": ["EX01", "EX02", "EX03"],
            "text": "x",
            "reverse": False,
            "pct_1": [10.0, 0, np.nan],
            "pct_2": [20.0, 10, np.nan],
            "pct_3": [20.0, 30, np.nan],
            "pct_4": [30.0, 40, np.nan],
            "pct_5": [20.0, 20, np.nan],
            "pct_agree": [50.0, 60, np.nan],
            "suppressed": ["", "", "fewer than 5"],
        }
    )
    fig = F.item_distribution_plot(items)
    ax = fig.axes[0]
    assert len(ax.containers) == 5  # one per answer category
    assert all(len(c.patches) == 2 for c in ax.containers)  # the suppressed item draws no bar
