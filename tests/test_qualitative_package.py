"""The qualitative layer is a subpackage with one job per module, and the io layer never imports it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import assetinv.qualitative as qualitative

PKG = Path(qualitative.__file__).resolve().parents[1]
IO_LAYER = [
    "io.py",
    "codings_check.py",
    "codings_layout.py",
    "refi_read.py",
    "code_match.py",
    "labels.py",
    "crosswalk_qda.py",
]


def _imported(path: Path) -> set[str]:
    """Every assetinv module a file imports, at the top or inside a function (relative imports resolved)."""
    pkg = ".".join(path.relative_to(PKG.parent).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
            mod = (base + "." + node.module if node.module else base) if node.level else (node.module or "")
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.startswith("assetinv")}


def test_io_layer_never_imports_the_qualitative_layer():
    for name in IO_LAYER:
        bad = sorted(m for m in _imported(PKG / name) if m.startswith("assetinv.qualitative"))
        assert bad == [], f"{name} imports {bad}"


def test_codings_check_imports_no_io_module():
    # io imports codings_check (validate_codings), so codings_check must not import io back
    assert "assetinv.io" not in _imported(PKG / "codings_check.py")
    assert "assetinv.io" not in _imported(PKG / "refi_read.py")


def test_public_names_still_import_from_the_package():
    for name in qualitative.__all__:
        assert getattr(qualitative, name) is not None
    from assetinv.qualitative import ALL_CODES, NO_CODE, check_codings, validate_codings  # noqa: F401

    assert validate_codings.__module__ == "assetinv.codings_check"
    assert importlib.import_module("assetinv").read_codings is qualitative.read_codings


def test_check_codings_phases_are_short():
    tree = ast.parse((PKG / "codings_check.py").read_text(encoding="utf-8"))
    funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for name in ("check_codings", "_normalise_columns", "_check_cells", "_check_consistency"):
        body = funcs[name].body[1:] if ast.get_docstring(funcs[name]) else funcs[name].body
        lines = body[-1].end_lineno - body[0].lineno + 1
        assert lines <= 80, f"{name} has {lines} lines of code"
