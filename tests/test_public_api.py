"""The flat public API: an explicit ``__all__``, loaded lazily, complete and documented."""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import assetinv

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "seaborn", "statsmodels", "scipy.stats", "pandas", "pingouin")


def _literal_all() -> list[str]:
    """``__all__`` as written in ``assetinv/__init__.py`` (it must be a literal list)."""
    tree = ast.parse((ROOT / "assetinv" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("assetinv/__init__.py defines no literal __all__")


def test_all_is_a_literal_list_matching_the_lazy_map():
    names = _literal_all()
    assert names == assetinv.__all__
    assert len(names) == len(set(names)), "a name is listed twice in __all__"
    for module, public in assetinv._PUBLIC.items():
        assert isinstance(public, tuple) and all(isinstance(n, str) for n in public), module
    in_map = [n for public in assetinv._PUBLIC.values() for n in public]
    assert names == in_map, "__all__ and _PUBLIC must list the same names in the same order"


@pytest.mark.parametrize("name", assetinv.__all__)
def test_every_public_name_resolves(name):
    value = getattr(assetinv, name)
    module = importlib.import_module(f"assetinv.{assetinv._SOURCE[name]}")
    assert value is getattr(module, name)


def test_no_submodules_or_future_imports_in_all():
    for name in assetinv.__all__:
        assert name != "annotations"
        assert not isinstance(getattr(assetinv, name), type(sys)), f"{name} is a module"


def test_every_module_all_entry_is_reachable_from_assetinv():
    """A name added to a public module's ``__all__`` but not to ``assetinv/__init__.py`` is listed here."""
    missing = []
    for module in assetinv._PUBLIC:
        mod = importlib.import_module(f"assetinv.{module}")
        for name in getattr(mod, "__all__", []):
            if name not in assetinv.__all__:
                missing.append(f"{module}.{name}")
    assert not missing, (
        "add these to _PUBLIC (their module's tuple) and __all__ in assetinv/__init__.py: "
        + ", ".join(missing)
    )


def test_dir_lists_the_public_api():
    listed = dir(assetinv)
    assert set(assetinv.__all__) <= set(listed)
    assert "__version__" in listed and "annotations" not in listed


def test_submodules_still_reachable_as_attributes():
    assert assetinv.privacy.MIN_N == assetinv.MIN_N
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        assetinv.no_such_name  # noqa: B018


def test_import_assetinv_loads_no_heavy_module():
    code = "import assetinv, sys; heavy = %r; print(','.join(m for m in heavy if m in sys.modules))" % (
        HEAVY,
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "", f"import assetinv imported {out.stdout.strip()}"


def test_star_import_gives_every_public_name():
    scope: dict = {}
    exec("from assetinv import *", scope)
    assert set(assetinv.__all__) <= set(scope)


def test_design_doc_api_list_matches_all():
    """docs/design.md's "Public API" section lists exactly ``assetinv.__all__``."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    section = text.split("## Public API", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", section)
    documented = [
        n for n in documented if n not in assetinv._PUBLIC and not n.startswith("_") and n != "assetinv"
    ]
    assert sorted(set(documented)) == sorted(assetinv.__all__)
