"""The README's commands and example stay true."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(monkeypatch):
    code = re.findall(r"```python\n(.*?)```", README, re.S)
    assert code, "the README has a Python example"
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code[0], "README.md", "exec"), scope)
    assert set(scope["profile"]["status"].dropna()) <= {"asset", "typical", "growth area", ""}
    assert len(scope["scores"]) == len(scope["responses"])


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = re.findall(r"```bash\n(.*?)```", README, re.S)[0]
    test_cmd = [line.split("#")[0].strip() for line in block.splitlines() if "pytest" in line][0]
    install = [line.split("&&")[0].strip() for line in block.splitlines() if "pip install" in line][0]
    ci_lines = [line.strip() for line in ci.splitlines()]
    assert test_cmd in ci_lines, f"CI must run the README's test command: {test_cmd}"
    assert any(
        install.replace("pip", "python -m pip", 1).replace("-e", "-q -e", 1) == line or install in line
        for line in ci_lines
    )
