"""StudyConfig: every default in one place, every wrong type named with its key."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from assetinv import DataError, StudyConfig, privacy
from assetinv.config import DEFAULTS
from assetinv.io import CONFIG_DEFAULTS, read_config

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_are_the_documented_values():
    d = StudyConfig()
    assert (d.min_n, d.min_interviews, d.min_response_rate, d.precision) == (5, 2, 0.5, 2)
    assert d.release_ledger is True and d.simulated is False and d.thresholds == {}
    assert d.responses == "responses.csv" and d.instrument is None and d.waves is None


def test_every_default_lives_in_the_config():
    """read_config, privacy and the report take their defaults from StudyConfig."""
    assert CONFIG_DEFAULTS == StudyConfig.defaults()
    assert list(CONFIG_DEFAULTS) == list(StudyConfig.keys())
    assert (privacy.MIN_N, privacy.MIN_INTERVIEWS, privacy.MIN_RESPONSE_RATE) == (
        DEFAULTS.min_n,
        DEFAULTS.min_interviews,
        DEFAULTS.min_response_rate,
    )
    from assetinv.reports import DEFAULT_PRECISION

    assert DEFAULT_PRECISION == DEFAULTS.precision


def test_no_repeated_literal_min_response_rate():
    """The 0.5 default is written once (config.py); the sample's study.yaml sets it explicitly."""
    pattern = re.compile(r"""min_response_rate['"]?\s*[,:=]\s*0\.5|MIN_RESPONSE_RATE\s*=\s*0\.5""")
    hits = []
    for path in sorted((ROOT / "assetinv").rglob("*.py")):
        if path.name in ("config.py", "simulate.py"):
            continue
        code = "\n".join(line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines())
        code = re.sub(r'"""(.*?)"""', "", code, flags=re.S)  # docstrings may quote the default
        hits += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(code)]
    assert not hits, hits


def test_defaults_are_fresh_copies():
    a = StudyConfig.defaults()
    a["thresholds"]["x"] = 1
    assert StudyConfig.defaults()["thresholds"] == {}


def test_frozen_and_typed():
    cfg = StudyConfig.from_mapping({"min_n": 8, "thresholds": {"alpha_ok": 0.7}})
    assert cfg.min_n == 8 and cfg.thresholds == {"alpha_ok": 0.7}
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.min_n = 3  # type: ignore[misc]
    assert StudyConfig.from_mapping(cfg.to_dict()) == cfg
    assert StudyConfig.from_mapping(None) == StudyConfig()


@pytest.mark.parametrize(
    "key,value,words",
    [
        ("min_n", 0, "min_n must be a whole number of at least 1 (got 0)"),
        ("min_n", "five", "min_n must be a whole number of at least 1 (got 'five')"),
        ("min_n", True, "min_n must be a whole number of at least 1 (got True)"),
        ("min_response_rate", 1.5, "min_response_rate must be a number from 0 to 1 (got 1.5)"),
        ("min_response_rate", "half", "min_response_rate must be a number from 0 to 1"),
        ("precision", 12, "precision must be a whole number of decimals from 0 to 9 (got 12)"),
        ("precision", 2.5, "precision must be a whole number of decimals"),
        ("seed", "abc", "seed must be a whole number (got 'abc')"),
        ("release_ledger", "yes", "release_ledger must be true or false (got 'yes')"),
        ("simulated", 1, "simulated must be true or false (got 1)"),
        ("waves", 3, "waves must be a list of wave ids (or a mapping of wave id: label) (got 3)"),
        ("waves", [1, 2], "waves must be a list of wave ids"),
        ("thresholds", [0.7], "thresholds must be a mapping of 'name: number' lines (got [0.7])"),
        ("thresholds", {"alpha": "high"}, "thresholds must be a mapping of 'name: number' lines"),
        ("title", ["x"], "title must be text"),
        ("network", 12, "network must be text"),
        ("instrument", 2.0, "instrument must be text"),
        ("roster", 5, "roster must be text"),
        ("responses", 5, "responses must be a file name or a mapping with 'file:' (or a list of them) (got 5"),
        ("codings", ["a.csv"], "codings must be a file name or a mapping with 'file:' (got ['a.csv'])"),
    ],
)
def test_each_type_error_names_the_key(key, value, words):
    with pytest.raises(DataError) as ei:
        StudyConfig.from_mapping({key: value}, file="study.yaml")
    (p,) = ei.value.problems
    assert p.file == "study.yaml" and p.column == key
    assert words in p.message
    assert p.fix  # every problem says how to fix it


def test_unknown_keys_with_did_you_mean_and_all_problems_at_once():
    with pytest.raises(DataError) as ei:
        StudyConfig.from_mapping({"min_rate": 0.5, "precison": 2, "min_n": -1})
    msgs = [str(p) for p in ei.value.problems]
    assert len(msgs) == 3
    assert "unknown key 'precison' (did you mean 'precision'?)" in msgs[1]
    assert "min_n must be a whole number" in msgs[2]


def test_min_interviews_is_not_a_study_yaml_key():
    """The interview minimum is fixed (the disclosure ledger relies on it): study.yaml cannot set it."""
    assert "min_interviews" not in StudyConfig.keys()
    with pytest.raises(DataError, match="unknown key 'min_interviews'"):
        StudyConfig.from_mapping({"min_interviews": 3})


def test_not_a_mapping():
    with pytest.raises(DataError, match="must be a mapping of 'key: value' lines, got"):
        StudyConfig.from_mapping(["min_n", 5])  # type: ignore[arg-type]


def test_from_yaml(tmp_path):
    p = tmp_path / "study.yaml"
    text = "title: North valley\nwaves: [baseline, followup]\nmin_response_rate: 0.6\n"
    p.write_text(text, encoding="utf-8")
    cfg = StudyConfig.from_yaml(p)
    assert (cfg.title, cfg.waves, cfg.min_response_rate) == ("North valley", ["baseline", "followup"], 0.6)
    p.write_text("waves: 3\n", encoding="utf-8")
    with pytest.raises(DataError) as ei:
        StudyConfig.from_yaml(p)
    assert str(ei.value).startswith("file study.yaml, column 'waves': waves must be a list of wave ids")
    p.write_text("min_n: [5\n", encoding="utf-8")
    with pytest.raises(DataError, match="the YAML cannot be parsed") as ei:
        StudyConfig.from_yaml(p)
    assert ei.value.problems[0].row is not None
    with pytest.raises(DataError, match="does not exist"):
        StudyConfig.from_yaml(tmp_path / "nope.yaml")
    p.write_bytes(b"title: \xff\xfe\n")
    with pytest.raises(DataError, match="not UTF-8"):
        StudyConfig.from_yaml(p)


def test_read_config_reports_scalar_types_through_the_config(tmp_path):
    """read_config (io) checks the scalar keys with StudyConfig's messages, all problems at once."""
    (tmp_path / "responses.csv").write_text("x\n", encoding="utf-8")
    p = tmp_path / "study.yaml"
    p.write_text("min_n: 0\nprecision: 11\nrelease_ledger: maybe\nseed: x\n", encoding="utf-8")
    with pytest.raises(DataError) as ei:
        read_config(p)
    cols = sorted(pr.column for pr in ei.value.problems)
    assert cols == ["min_n", "precision", "release_ledger", "seed"]
    assert all(pr.file == "study.yaml" for pr in ei.value.problems)
