"""study.yaml's ``instrument:`` takes a bundled version ("1.0.0") as well as a path."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assetinv import DataError, load_instrument, read_responses, score_domains
from assetinv.io import read_config

ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "tests" / "fixtures" / "v1_sample"


def _study(tmp_path: Path, instrument_line: str) -> Path:
    for name in ("responses.csv", "roster.csv", "codings.csv"):
        shutil.copy(V1 / name, tmp_path / name)
    cfg = tmp_path / "study.yaml"
    cfg.write_text(f"responses: responses.csv\nroster: roster.csv\n{instrument_line}\n", encoding="utf-8")
    return cfg


@pytest.mark.parametrize("line", ['instrument: "1.0.0"', "instrument: 1.0.0", "instrument: ' 1.0.0 '"])
def test_config_takes_a_bundled_version(tmp_path, line):
    cfg = read_config(_study(tmp_path, line))
    assert cfg["instrument"] == "1.0.0"
    inst = load_instrument(cfg["instrument"])
    assert inst.version == "1.0.0"
    s = score_domains(read_responses(cfg["responses"], instrument=inst), inst)
    assert len(s) > 500 and s["EX"].notna().mean() > 0.9


def test_config_still_takes_a_path(tmp_path):
    shutil.copy(ROOT / "assetinv" / "data" / "instrument.yaml", tmp_path / "mine.yaml")
    cfg = read_config(_study(tmp_path, "instrument: mine.yaml"))
    assert cfg["instrument"] == tmp_path / "mine.yaml"
    assert load_instrument(cfg["instrument"]).version == "1.0.0"


def test_config_unknown_version_is_a_named_error(tmp_path):
    with pytest.raises(DataError) as info:
        read_config(_study(tmp_path, 'instrument: "3.1.0"'))
    probs = info.value.problems
    assert len(probs) == 1  # one message, not also "file not found"
    p = probs[0]
    assert p.file == "study.yaml" and p.column == "instrument"
    assert "3.1.0" in p.message and "1.0.0, 2.0.0" in p.fix


def test_a_file_named_like_a_version_is_a_file(tmp_path):
    # a folder may hold a file literally called 1.0.0: then the key names that file (and its type is checked)
    (tmp_path / "1.0.0").write_text("x", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_config(_study(tmp_path, 'instrument: "1.0.0"'))
    assert any(p.column == "instrument" and ".yaml" in p.message for p in info.value.problems)
