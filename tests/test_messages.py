"""Messages (issue 12): capped lists, typed config errors naming the key, no quoting of foreign files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from _support import tiny_study

from assetinv.cli import MAX_PROBLEMS_SHOWN, main
from assetinv.errors import DataError
from assetinv.io import read_config


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return tiny_study(tmp_path_factory, "msgs", seed=9)


@pytest.fixture(scope="module")
def wide(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("wide") / "wide.csv"
    p.write_text(
        ",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("x" for _ in range(10_000)) + "\n"
    )
    return p


def test_validate_prints_at_most_50_problems_then_and_n_more(wide, capsys):
    assert main(["validate", str(wide)]) == 2
    out = capsys.readouterr().out.splitlines()
    listed = [ln for ln in out if ln.startswith("  - ")]
    assert len(listed) == MAX_PROBLEMS_SHOWN == 50
    more = out[-1]
    n_total = int(re.search(r"(\d+) problem", out[0]).group(1))
    assert re.search(rf"\u2026 and {n_total - 50} more", more) and "--all" in more
    assert main(["validate", str(wide), "--all"]) == 2
    assert (
        len([ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("  - ")]) == n_total > 10_000
    )


def test_report_caps_problems_too(data, wide, tmp_path, capsys):
    d = tmp_path / "study"
    shutil.copytree(data, d)
    shutil.copy(wide, d / "responses.csv")
    assert main(["report", "--data", str(d), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) <= MAX_PROBLEMS_SHOWN + 2 and "more (run again with --all" in err[-1]


def _config(tmp_path: Path, data: Path, extra: str) -> Path:
    d = tmp_path / "cfg"
    if not d.exists():
        shutil.copytree(data, d)
    y = (data / "study.yaml").read_text(encoding="utf-8")
    (d / "study.yaml").write_text(y + "\n" + extra + "\n", encoding="utf-8")
    return d / "study.yaml"


@pytest.mark.parametrize(
    "extra,key,expected",
    [
        ("waves: 3", "waves", "list of wave ids"),
        ("network: [a, b]", "network", "must be text"),
        ("title: [x]", "title", "must be text"),
        ("thresholds: high", "thresholds", "mapping"),
        ("thresholds: {asset_at: high}", "thresholds", "thresholds.asset_at must be a number"),
        ("description: {a: 1}", "description", "must be text"),
    ],
)
def test_config_type_errors_name_the_key_and_type(data, tmp_path, extra, key, expected):
    cfg = _config(tmp_path, data, extra)
    text = cfg.read_text()
    # the sample config may already set the key: drop the earlier line so the new one is read
    first = text.index(f"\n{key}:") if f"\n{key}:" in text[: text.rindex(extra)] else None
    if first is not None:
        end = text.index("\n", first + 1)
        cfg.write_text(text[:first] + text[end:])
    with pytest.raises(DataError) as ei:
        read_config(cfg)
    msg = str(ei.value)
    assert f"column '{key}'" in msg and expected in msg, msg


def test_min_n_type_error(data, tmp_path):
    cfg = _config(tmp_path, data, "")
    cfg.write_text(re.sub(r"(?m)^min_n:.*$", "min_n: five", cfg.read_text()))
    with pytest.raises(DataError) as ei:
        read_config(cfg)
    assert "min_n must be a whole number" in str(ei.value)


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero", "secret.key", "folder.csv"])
def test_a_config_pointing_at_a_foreign_file_does_not_quote_it(data, tmp_path, capsys, target):
    d = tmp_path / "study"
    shutil.copytree(data, d)
    secret = d / "secret.key"
    secret.write_text("PRIVATE-KEY-LINE-1 do not print\nline 2\n")
    (d / "folder.csv").mkdir()
    y = re.sub(r"(?m)^responses:.*$", f"responses: {target}", (d / "study.yaml").read_text())
    (d / "study.yaml").write_text(y)
    rc = main(["report", "--data", str(d), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert "column 'responses'" in err
    first_lines = [Path("/etc/passwd").read_text().splitlines()[0][:20], "PRIVATE-KEY", "root:x"]
    for s in first_lines:
        assert s not in err, err
