"""The package's import graph: no cycles, and imports point one way down the layers.

instrument -> io -> analyses -> report -> cli (a module may import its own layer or a lower one). Every
module under assetinv/ is parsed with ``ast``; imports at module level and inside functions both count. Module
names come from the file paths, so a module that moves into a subpackage keeps its layer when its last name
stays the same (``assetinv/report/figures.py`` is ``figures``) or its subpackage is named in ``SUBPACKAGES``.
docs/design.md ("Layers") shows the same map.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "assetinv"
LAYERS = ("instrument", "io", "analyses", "report", "cli")

#: Module (last dotted name) -> layer, decided by what the module is for.
LAYER_OF = {
    # instrument: what everything else stands on -- the instrument, errors, ids, defaults
    "_version": "instrument",
    "errors": "instrument",
    "ids": "instrument",
    "instrument": "instrument",
    "config": "instrument",
    "checksums": "instrument",
    # io: reading and checking input files
    "io": "io",
    "safe_input": "io",
    "crosswalk": "io",
    "crosswalk_qda": "io",
    "study_check": "io",
    "codings_check": "io",
    "codings_layout": "io",
    "code_match": "io",
    "labels": "io",
    "refi_read": "io",
    "codings": "io",  # qualitative/codings.py: reading a codings file (CSV/XLSX/QDPX), below the analyses
    # analyses: statistics and rules on tidy data (no HTML, no files written)
    "reliability": "analyses",
    "_icc": "analyses",
    "structure": "analyses",
    "ordinal": "analyses",
    "planning": "analyses",
    "pilot": "analyses",
    "scoring": "analyses",
    "_growth": "analyses",
    "_robust": "analyses",
    "_multiplicity": "analyses",
    "_waves": "analyses",
    "supports": "analyses",
    "items": "analyses",
    "agreement": "analyses",
    "qualitative": "analyses",
    "redaction": "analyses",
    "privacy": "analyses",
    "disclosure": "analyses",
    "_factspace": "analyses",  # the disclosure audit's factored null space
    "simulate": "analyses",
    # report: figures, tables, HTML/PDF/XLSX and the output folder
    "item_detail": "analyses",  # item answer distributions: a statistic, audited by disclosure
    "figures": "report",
    "svgcharts": "report",  # report/svgcharts.py: the figures' chart code written straight to SVG
    "table_dictionary": "report",
    "safe_tables": "report",
    "outdir": "report",
    # cli: the command and its texts
    "cli": "cli",
    "__main__": "cli",
    "notebook": "report",  # the notebooks' shared set-up cell (finds the sample through assetinv.report)
}
#: A subpackage's modules not named above take the subpackage's layer (h-qual's and h-report's splits).
SUBPACKAGES = {"qualitative": "analyses", "report": "report"}


def module_name(path: Path) -> str:
    """``assetinv/report/figures.py`` -> ``assetinv.report.figures``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}
PACKAGES = {module_name(p) for p in PKG.rglob("__init__.py")}


def layer(module: str) -> str | None:
    """The layer of a module; ``None`` for the package facade ``assetinv`` (it only re-exports, lazily)."""
    if module == "assetinv":
        return None
    parts = module.split(".")[1:]
    if parts[-1] in LAYER_OF:
        return LAYER_OF[parts[-1]]
    for p in reversed(parts[:-1] if len(parts) > 1 else parts):
        if p in SUBPACKAGES:
            return SUBPACKAGES[p]
    raise AssertionError(
        f"{module} has no layer: add it to LAYER_OF in tests/test_import_graph.py "
        "and to the layer map in docs/design.md"
    )


def _resolve(importer: str, node: ast.ImportFrom) -> list[str]:
    """The assetinv modules an ``from ... import ...`` statement loads."""
    if node.level:
        base = importer.split(".") if importer in PACKAGES else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not (target == "assetinv" or target.startswith("assetinv.")):
        return []
    out = []
    for alias in node.names:  # `from . import io` loads the submodule; `from . import alpha` its source
        sub = f"{target}.{alias.name}"
        if sub in MODULES:
            out.append(sub)
        elif target == "assetinv":
            out.append(f"assetinv.{FACADE.get(alias.name, '')}".rstrip("."))
        else:
            out.append(target)
    return out


def imports(module: str) -> set[str]:
    """Every assetinv module that ``module`` imports, at module level or inside a function."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.update(_resolve(module, node))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name == "assetinv" or a.name.startswith("assetinv."))
    found.discard(module)
    found.discard("assetinv")  # `import assetinv` alone (e.g. for its __file__) loads only the facade
    return {m for m in found if m in MODULES}


def _facade_map() -> dict[str, str]:
    """Public name -> defining module, read from ``_PUBLIC`` in ``assetinv/__init__.py`` (and ``__version__``)."""
    tree = ast.parse((PKG / "__init__.py").read_text(encoding="utf-8"))
    out = {"__version__": "_version"}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_PUBLIC" and node.value:
            for module, names in ast.literal_eval(node.value).items():
                out.update({n: module for n in names})
    return out


FACADE = _facade_map()


GRAPH = {m: imports(m) for m in MODULES}


def upward_imports() -> list[str]:
    """Every ``importer (layer) -> imported (layer)`` arrow that points up the layers."""
    bad = []
    for importer, targets in sorted(GRAPH.items()):
        lo = layer(importer)
        if lo is None:
            continue
        for t in sorted(targets):
            lt = layer(t)
            if lt is not None and LAYERS.index(lt) > LAYERS.index(lo):
                bad.append(f"{importer} ({lo}) -> {t} ({lt})")
    return bad


def cycles() -> list[list[str]]:
    """The import cycles: strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    for m in MODULES:
        layer(m)


def test_the_parser_sees_function_level_imports():
    """A check of the checker: cli imports the report pipeline only inside its subcommand handlers."""
    assert "assetinv.reports" in GRAPH["assetinv.cli"] or any(".report." in m for m in GRAPH["assetinv.cli"])
    assert "assetinv._version" in GRAPH["assetinv.cli"]


@pytest.mark.parametrize(
    "name,expect",
    [
        ("_version", "instrument"),
        ("io", "io"),
        ("reliability", "analyses"),
        ("report.pipeline", "report"),
        ("qualitative.tallies", "analyses"),
        ("cli", "cli"),
    ],
)
def test_layer_map_examples(name, expect):
    assert layer(f"assetinv.{name}") == expect


def test_no_import_cycles():
    found = cycles()
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_upward_imports():
    bad = upward_imports()
    assert not bad, (
        f"{len(bad)} import(s) point up the layers instrument -> io -> analyses -> report -> cli:\n"
        + "\n".join(bad)
    )


def test_design_doc_shows_the_layer_map():
    text = (PKG.parent / "docs" / "design.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    for name in LAYER_OF:
        if (PKG / f"{name}.py").exists() or any(p.stem == name for p in PKG.rglob(f"{name}.py")):
            assert re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", section), (
                f"docs/design.md's layer map does not list {name}"
            )
    for lay in LAYERS:
        assert f"**{lay}**" in section
