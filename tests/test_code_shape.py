"""Code shape: no function in the package is over 80 lines of code unless docs/design.md lists it.

A function's length is the number of lines of code in its body: from the first statement after the
docstring to the end, not counting blank lines and comment-only lines (a nested function's lines count in
its parent too). The allowed exceptions are the bullets ``- `module.function` -- why`` under the heading
"Long functions" of docs/design.md; each must name a function that exists.

Run ``python tests/test_code_shape.py`` to print every function over the limit.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "assetinv"
DESIGN = ROOT / "docs" / "design.md"
MAX_LINES = 80


def body_code_lines(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of code of a function's body: no docstring, blank line or comment-only line."""
    body = node.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        if len(body) == 1:
            return 0
        first = body[1]
    start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])])
    assert node.end_lineno is not None
    text = lines[start - 1 : node.end_lineno]
    return sum(1 for line in text if line.strip() and not line.strip().startswith("#"))


def _visit(node: ast.AST, prefix: str, lines: list[str], out: dict[str, int]) -> None:
    """Add the length of every function below ``node`` to ``out``, named ``prefix + Class.function``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{prefix}{child.name}"
            out[name] = body_code_lines(lines, child)
            _visit(child, name + ".", lines, out)
        elif isinstance(child, ast.ClassDef):
            _visit(child, f"{prefix}{child.name}.", lines, out)
        else:
            _visit(child, prefix, lines, out)


def function_lengths(root: Path = PACKAGE) -> dict[str, int]:
    """``{"module.Class.function": lines of code}`` for every function under ``root``."""
    out: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        module = ".".join(p for p in rel.parts if p != "__init__")
        source = path.read_text(encoding="utf-8")
        _visit(ast.parse(source), module + ".", source.splitlines(), out)
    return out


def documented_long_functions(design: Path = DESIGN) -> dict[str, str]:
    """The bullets of the "Long functions" section of docs/design.md: ``{qualified name: reason}``."""
    text = design.read_text(encoding="utf-8")
    m = re.search(r"^##+ Long functions.*?$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert m, "docs/design.md has no 'Long functions' section"
    return dict(re.findall(r"^\s*- `(assetinv\.[\w.]+)`\s*(?:--|—|:)\s*(\S.*)$", m.group(1), flags=re.M))


def test_body_code_lines_counts_code_only():
    src = 'def f(x):\n    """Doc.\n\n    More.\n    """\n    # a comment\n\n    y = x\n    return (\n        y\n    )\n'
    node = ast.parse(src).body[0]
    assert isinstance(node, ast.FunctionDef)
    assert body_code_lines(src.splitlines(), node) == 4


def test_no_function_over_80_lines_unless_listed():
    allowed = documented_long_functions()
    long = {name: n for name, n in function_lengths().items() if n > MAX_LINES}
    unlisted = sorted(f"{name} ({n} lines)" for name, n in long.items() if name not in allowed)
    assert not unlisted, (
        f"functions over {MAX_LINES} lines of code: split them into named phases, or (a statistical "
        f"estimator that needs the length) list them under 'Long functions' in docs/design.md: {unlisted}"
    )


def test_listed_long_functions_exist_and_say_why():
    allowed = documented_long_functions()  # empty when every function is under the limit
    lengths = function_lengths()
    missing = sorted(name for name in allowed if name not in lengths)
    assert not missing, f"docs/design.md lists functions that do not exist: {missing}"
    assert all(len(why.split()) >= 3 for why in allowed.values())


if __name__ == "__main__":
    listed = documented_long_functions()
    for name, n in sorted(function_lengths().items(), key=lambda kv: -kv[1]):
        if n > MAX_LINES:
            print(f"{n:4d}  {name}{'  (listed)' if name in listed else ''}")
