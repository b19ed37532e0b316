"""House style of the notebooks in ``notebooks/`` (the notebooks themselves run under nbmake).

Rules, kept simple on purpose:

* every notebook is numbered: ``NN_lower_case_name.ipynb``, numbers unique, 01-07 all present;
* the first cell is a markdown title (``# ...``);
* nothing is committed from a run: no outputs, ``execution_count`` null;
* **no statistics in the notebooks**: the code cells only call ``assetinv`` and display what it returns.
  A code cell may not contain any of :data:`FORBIDDEN` (pandas reductions such as ``.mean(``, ``.std(``,
  ``.corr(``, ``.sum(``, ``groupby(``, or ``np.``/``numpy``, ``scipy``, ``statsmodels``, ...). Selecting rows,
  ``pivot`` (reshaping), ``round``, ``head`` and counting (``len``, ``value_counts``) are fine. If a notebook
  needs a number the package does not give, add a function to the package instead;
* ``06_school_report.ipynb`` has a papermill ``parameters`` cell;
* every ``NN_name.ipynb`` is paired with a jupytext py:percent source ``NN_name.py`` (``jupytext.toml``), and
  the two hold the same cells: edit either in JupyterLab, or the ``.py`` anywhere and run ``jupytext --sync``;
* ``notebooks/README.md`` lists every notebook.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p for p in NB_DIR.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
NAME = re.compile(r"^(\d{2})_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")

#: Patterns that mean "statistics computed in the notebook" (regular expression, reason).
FORBIDDEN = [
    (r"\.mean\(", "a mean"),
    (r"\.median\(", "a median"),
    (r"\.std\(", "a standard deviation"),
    (r"\.var\(", "a variance"),
    (r"\.sem\(", "a standard error"),
    (r"\.corr\(|\.corrwith\(", "a correlation"),
    (r"\.cov\(", "a covariance"),
    (r"\.sum\(", "a sum"),
    (r"\.quantile\(", "a quantile"),
    (r"\.describe\(", "summary statistics"),
    (r"\.agg\(|\.aggregate\(", "an aggregation"),
    (r"groupby\(|pivot_table\(|\.rolling\(|\.resample\(", "grouped computations"),
    (r"\bnp\.|\bnumpy\b", "numpy"),
    (r"\bscipy\b", "scipy"),
    (r"\bstatsmodels\b", "statsmodels"),
    (r"\bsklearn\b|\bpingouin\b|import statistics|from statistics", "a statistics library"),
    (r"\bmath\.", "hand-written formulas"),
]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _ids(paths):
    return [p.name for p in paths]


def test_notebooks_exist_and_are_numbered():
    names = [p.name for p in NOTEBOOKS]
    bad = [n for n in names if not NAME.match(n)]
    assert not bad, f"notebooks must be named NN_lower_case.ipynb: {bad}"
    numbers = [NAME.match(n).group(1) for n in names]
    assert len(numbers) == len(set(numbers)), f"two notebooks share a number: {names}"
    assert {f"{i:02d}" for i in range(1, 8)} <= set(numbers), f"expected notebooks 01-07, found {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_title_cell_first(path):
    cells = _load(path)["cells"]
    assert cells, f"{path.name} is empty"
    first = cells[0]
    assert first["cell_type"] == "markdown", f"{path.name}: the first cell must be markdown"
    assert _source(first).lstrip().startswith("# "), f"{path.name}: the first cell must start with a '# ' title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_outputs_committed(path):
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {i}: clear the outputs before committing"
        assert cell.get("execution_count") is None, f"{path.name} cell {i}: execution_count must be null"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_statistics_code(path):
    problems = []
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = _source(cell)
        for pattern, what in FORBIDDEN:
            m = re.search(pattern, src)
            if m:
                problems.append(f"cell {i}: {m.group(0)!r} ({what}) -- call an assetinv function instead")
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_forbidden_patterns_catch_statistics():
    """The rule itself: typical hand-made statistics are caught, display code is not."""
    def caught(code: str) -> bool:
        return any(re.search(p, code) for p, _ in FORBIDDEN)

    for code in ['df["EX"].mean()', "df.groupby('school')", "import numpy as np", "np.sqrt(2)",
                 "from scipy import stats", "df.corr()", "x.std(ddof=1)", "import statsmodels.api as sm"]:
        assert caught(code), code
    for code in ["profile.round(2)", "table.head()", 'df[df["wave"] == "baseline"]',
                 'profile.pivot(index="school", columns="domain", values="mean")', "len(flagged)",
                 "assetinv.summarize(scores)", "display(fig)"]:
        assert not caught(code), code


def test_school_report_has_parameters_cell():
    path = NB_DIR / "06_school_report.ipynb"
    assert path.exists(), "notebooks/06_school_report.ipynb is missing"
    tagged = [c for c in _load(path)["cells"]
              if c["cell_type"] == "code" and "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "06_school_report.ipynb needs exactly one code cell tagged 'parameters'"
    src = _source(tagged[0])
    for name in ("school", "data_dir"):
        assert re.search(rf"^{name}\s*=", src, re.M), f"the parameters cell should set {name}"


def _cells(nb) -> list[tuple[str, str, list]]:
    return [(c["cell_type"], _source(c), list(c.get("metadata", {}).get("tags", []))) for c in nb["cells"]]


def test_jupytext_pairs_every_notebook_with_a_py_source():
    import tomllib

    conf = tomllib.loads((ROOT / "jupytext.toml").read_text(encoding="utf-8"))
    assert conf["formats"] == "ipynb,py:percent"
    sources = sorted(p for p in NB_DIR.glob("[0-9]*.py"))
    assert [p.stem for p in sources] == [p.stem for p in NOTEBOOKS], "every notebook needs its .py source, and back"
    assert not (NB_DIR / "_build_notebooks.py").exists(), "the notebooks are jupytext sources, not generated"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_py_source_and_notebook_have_the_same_cells(path):
    """The .py (what is edited and reviewed) and the .ipynb (what runs) must not drift apart."""
    import jupytext

    src = path.with_suffix(".py")
    assert src.exists(), f"{path.name} has no jupytext source {src.name}"
    from_py = jupytext.read(src, fmt="py:percent")
    assert _cells(from_py) == _cells(_load(path)), (
        f"{src.name} and {path.name} differ: run `jupytext --sync notebooks/{src.name}`")


def test_readme_lists_every_notebook():
    readme = (NB_DIR / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in NOTEBOOKS if p.name not in readme]
    assert not missing, f"notebooks/README.md does not mention {missing}"
    assert "--nbmake" in readme
