"""``assetinv --version`` and ``--help`` start fast: argparse is built without the analysis stack.

The wall-time target (0.3 s) is measured by benchmarks/bench_startup.py; here the deterministic cause is
checked: no heavy module is imported before a subcommand runs, and every ``--help`` keeps its examples.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "matplotlib", "seaborn", "statsmodels", "scipy", "pingouin", "yaml", "jinja2")
PROBE = """
import runpy, sys
sys.argv = ["assetinv", *{args!r}]
try:
    runpy.run_module("assetinv", run_name="__main__")
except SystemExit as exit:
    code = exit.code
print("\\nHEAVY:" + ",".join(m for m in {heavy!r} if m in sys.modules), "EXIT:", code)
"""


def _run(*args: str) -> tuple[str, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args), heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=ROOT,
    )
    heavy, code = out.stdout.rsplit("HEAVY:", 1)[1].split(" EXIT: ")
    return out.stdout, heavy.strip(), code.strip()


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["report", "--help"],
        ["validate", "--help"],
        ["map", "--help"],
        ["simulate", "--help"],
        ["plan", "--help"],
    ],
)
def test_help_and_version_import_no_heavy_module(args):
    text, heavy, code = _run(*args)
    assert code in ("0", "None")
    assert heavy == "", f"assetinv {' '.join(args)} imported {heavy}"
    if args == ["--version"]:
        assert text.startswith("assetinv ")


@pytest.mark.parametrize("command", ["", "report", "validate", "map", "simulate"])
def test_every_help_keeps_its_examples(command):
    text, _, _ = _run(*([command] if command else []), "--help")
    assert "examples:" in text
    assert "  assetinv " in text.split("examples:", 1)[1]
