"""Executed notebooks show their figures, and their "your own data" advice runs.

The figures are built without pyplot, so Jupyter shows them only because
``assetinv.figures.ReportFigure`` implements ``_repr_svg_``. Each notebook that
draws a figure is executed here with nbclient (nbmake runs the notebooks but
keeps no outputs), and every output that is a figure must carry an image.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
FIGURE_CALL = re.compile(r"^assetinv\.\w*(plot|heatmap_network|figure)\w*\(", re.M)


def _figure_cells(nb) -> list[int]:
    """Code cells whose last statement returns a figure (a figure function call)."""
    out = []
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code":
            last = [ln for ln in c.source.strip().splitlines() if ln.strip()][-1:] or [""]
            if FIGURE_CALL.match(last[0]):
                out.append(i)
    return out


NOTEBOOKS = sorted(p for p in NB_DIR.glob("0*.ipynb") if _figure_cells(nbformat.read(p, as_version=4)))


def test_the_figure_notebooks_are_found():
    names = {p.name[:2] for p in NOTEBOOKS}
    assert {"01", "03", "07"} <= names, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_figure_cell_has_an_image_output(path, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]), "MPLBACKEND": "Agg"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NB_DIR)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    cells = _figure_cells(nb)
    assert cells
    for i in cells:
        data = [o.get("data", {}) for o in nb.cells[i].outputs if o.get("output_type") in ("execute_result", "display_data")]
        assert any("image/svg+xml" in d or "image/png" in d for d in data), (
            f"{path.name} cell {i} returns a figure but shows no image: {nb.cells[i].outputs}")
        svg = next(d["image/svg+xml"] for d in data if "image/svg+xml" in d)
        assert "<svg" in svg and "<text" in svg  # real drawing with readable text, not a placeholder
    # nothing anywhere is a bare figure repr without an image
    for c in nb.cells:
        for o in c.get("outputs", []):
            text = o.get("data", {}).get("text/plain", "")
            if re.match(r"<\w*Figure size", text):
                assert "image/svg+xml" in o["data"] or "image/png" in o["data"], (path.name, text)


ADVICE = re.compile(r'^# (data_dir, config, instrument, MIN_N = setup\("([^"]+)"\))$', re.M)
OWN_DATA_NOTEBOOKS = sorted(p for p in NB_DIR.glob("0*.py") if ADVICE.search(p.read_text(encoding="utf-8")))


def test_the_own_data_advice_is_found():
    assert {"01", "02", "03", "04", "05", "08"} <= {p.name[:2] for p in OWN_DATA_NOTEBOOKS}


@pytest.mark.parametrize("path", OWN_DATA_NOTEBOOKS, ids=[p.name for p in OWN_DATA_NOTEBOOKS])
def test_own_data_advice_runs_as_written(path, tmp_path):
    """The set-up cell's commented "your own study" line works once uncommented, in every notebook."""
    import jupytext

    own = tmp_path / "my study"
    shutil.copytree(ROOT / "data", own)
    cell = next(c.source for c in jupytext.read(path).cells if c.cell_type == "code" and ADVICE.search(c.source))
    m = ADVICE.search(cell)
    code = cell.replace(m.group(0), m.group(1).replace(m.group(2), own.as_posix()))
    ns: dict = {}
    exec(compile(code, f"{path.name} set-up cell", "exec"), ns)  # noqa: S102 - the notebook's own cell
    assert Path(ns["data_dir"]) == own
    assert Path(ns["config"]["responses"]).resolve().parent == own.resolve()
    assert ns["MIN_N"] == ns["config"]["min_n"] and ns["instrument"].version


def test_network_notebook_advice_runs_as_written(tmp_path):
    """Notebook 07's advice, load_context("<your folder>"), reads a study from another folder."""
    from assetinv.report import load_context

    text = (NB_DIR / "07_network_summary.py").read_text(encoding="utf-8")
    assert 'load_context("C:/evaluation/2025")' in text
    own = tmp_path / "my study"
    shutil.copytree(ROOT / "data", own)
    ctx = load_context(own.as_posix())
    assert Path(ctx.data_dir).resolve() == own.resolve() and ctx.school_ids
