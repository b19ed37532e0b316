"""The README's "Your own study in four steps", run exactly as written on tests/fixtures/real_like/."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import numpy as np
import pytest

import assetinv as ai
from assetinv.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "real_like"


def _readme_steps() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own study in four steps", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.S)[0]
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("assetinv ")]


def _edit_drafts(folder: Path) -> None:
    """Step 2 as the README describes it: roster and schools, both drafts, every CHECK line decided."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["codes"]
    text = (
        "roster: staff_roster.csv\nschools: schools.csv\n"
        + (folder / "responses_draft.yaml").read_text("utf-8")
        + (folder / "codings_draft.yaml").read_text("utf-8")
    )
    out, decided = [], 0
    for line in text.splitlines():
        m = re.match(r'^(\s*)# (".*?"): \S+(\s+#.*CHECK: .*)$', line)
        if m:
            line = f"{m.group(1)}{m.group(2)}: {truth[json.loads(m.group(2))]}"
            decided += 1
        out.append(line.replace("# constants: {wave: baseline}", "constants: {wave: baseline}"))
    assert decided > 0  # the drafter left some codes for the user to decide
    (folder / "study.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")


def test_four_steps_as_in_the_readme(tmp_path, monkeypatch, capsys):
    steps = _readme_steps()
    assert [s[0] for s in steps] == ["map", "map", "validate", "report"]
    study = tmp_path / "mystudy"
    shutil.copytree(FIX, study)
    monkeypatch.chdir(study)
    for args in steps[:2]:  # 1. map
        assert main(args) == 0
    # before the edits, the unmapped codes are errors, each saying what to add
    shutil.copy(study / "codings_draft.yaml", study / "only_confident.yaml")
    block = ai.read_config(study / "only_confident.yaml")
    with pytest.raises(ai.DataError) as ei:
        ai.read_codings(block["codings"], **block["codings_crosswalk"])
    lines = str(ei.value).splitlines()
    assert len(lines) <= 30 and all("codings.codes" in ln for ln in lines[1:])
    (study / "only_confident.yaml").unlink()
    _edit_drafts(study)  # 2. edit
    capsys.readouterr()
    assert main(steps[2]) == 0  # 3. validate
    assert "OK (whole study)" in capsys.readouterr().out
    assert main(steps[3] + ["--quiet"]) == 0  # 4. report
    assert (study / "reports" / "index.html").is_file()
    assert all((study / "reports" / "schools" / f"S0{k}.html").is_file() for k in range(1, 7))
    # alpha on the mapped answers equals alpha on the same answers in the native layout
    cfg = ai.read_config(study / "study.yaml")
    # the fixture is a 1.0.0 survey: `assetinv map` found that from its question text and wrote it
    assert cfg["instrument"] == "1.0.0"
    mapped = ai.read_responses(cfg["responses"], instrument=cfg["instrument"])
    native = ai.simulate_study(
        instrument=cfg["instrument"],
        seed=77,
        n_schools=6,
        n_districts=2,
        respondents_per_school=22,
        waves=("baseline",),
        n_interviews=14,
        double_coded_share=0.4,
    ).responses
    inst = ai.load_instrument(cfg["instrument"])
    items = inst.item_ids("OS")
    native = native.sort_values("respondent_id").reset_index(drop=True)
    mapped = mapped.sort_values("respondent_id").reset_index(drop=True)
    assert mapped["respondent_id"].tolist() == native["respondent_id"].tolist()
    with pytest.warns(ai.ReliabilityWarning):  # respondents who skipped the domain (both layouts alike)
        a = ai.alpha(mapped[items], reverse=inst.reverse_ids("OS"), scale_min=1, scale_max=5).total
    with pytest.warns(ai.ReliabilityWarning):
        b = ai.alpha(
            native[items].astype("float64"), reverse=inst.reverse_ids("OS"), scale_min=1, scale_max=5
        ).total
    a = np.asarray(a.select_dtypes("number") if hasattr(a, "select_dtypes") else a, dtype=float).ravel()
    b = np.asarray(b.select_dtypes("number") if hasattr(b, "select_dtypes") else b, dtype=float).ravel()
    assert a.size > 0 and np.isfinite(a).any() and 0.5 < a[0] < 1
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
