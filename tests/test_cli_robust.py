"""Robust ``assetinv report``: read-only inputs, missing/unwritable/file outputs, Ctrl-C.

Tests run as root in CI, where permission bits do not stop writes; the
unwritable-output case therefore uses a path *under a regular file*
(``tmp/file.txt/reports``), which fails for every user. When not root, a
``chmod 0o555`` folder is tested too.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
from pathlib import Path

import pytest
from _support import signal_mid_render, tiny_study

from assetinv.cli import main


def _sums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return tiny_study(tmp_path_factory, "cli-data", seed=3)


def _no_temp_left(parent: Path) -> None:
    left = [p.name for p in parent.iterdir() if ".tmp-" in p.name]
    assert not left, f"temporary render folders left: {left}"


def _report(data: Path, out: Path, *extra: str) -> list[str]:
    return ["report", "--data", str(data), "--out", str(out), "--jobs", "1", "--quiet", *extra]


def test_read_only_input_and_missing_output_folder(data, tmp_path, capsys):
    ro = tmp_path / "ro"
    import shutil

    shutil.copytree(data, ro)
    for p in ro.iterdir():
        p.chmod(0o444)
    ro.chmod(0o555)
    before = _sums(ro)
    out = tmp_path / "not" / "yet" / "reports"  # missing, parents too
    try:
        rc = main(_report(ro, out))
    finally:
        ro.chmod(0o755)
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "Traceback" not in err
    assert (out / "index.html").is_file() and (out / "network.html").is_file()
    assert _sums(ro) == before, "input files were modified"
    assert not [p for p in ro.iterdir() if p.name not in before], "files written into the input folder"
    _no_temp_left(out.parent)


def test_output_path_is_a_file(data, tmp_path, capsys):
    target = tmp_path / "reports"
    target.write_text("not a folder")
    rc = main(_report(data, target))
    err = capsys.readouterr().err
    assert rc == 2
    assert "assetinv: error" in err and "Traceback" not in err
    assert str(target) in err or "reports" in err
    assert target.read_text() == "not a folder"
    _no_temp_left(tmp_path)


def test_output_folder_not_writable(data, tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    rc = main(_report(data, blocker / "reports"))  # a folder under a file: unwritable even for root
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert "--out" in err or "write" in err
    _no_temp_left(tmp_path)
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        try:
            rc = main(_report(data, locked / "reports"))
        finally:
            locked.chmod(0o755)
        err = capsys.readouterr().err
        assert rc == 2 and "Traceback" not in err


def test_interrupt_while_rendering_leaves_no_partial_report(data, tmp_path, capsys, monkeypatch):
    import assetinv.report.build as R

    out = tmp_path / "reports"
    assert main(_report(data, out)) == 0  # a previous, complete report
    capsys.readouterr()
    previous = _sums(out)

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(R, "write_xlsx", boom)  # late: pages and tables already rendered
    rc = main(_report(data, out))
    err = capsys.readouterr().err
    assert rc == 130
    assert "interrupted" in err and "Traceback" not in err
    assert _sums(out) == previous, "the previous report was changed by an interrupted run"
    _no_temp_left(tmp_path)

    fresh = tmp_path / "fresh"
    rc = main(_report(data, fresh))
    assert rc == 130
    assert not (fresh / "index.html").exists() and not (fresh / "network.html").exists()
    assert not [p for p in fresh.rglob("*") if p.is_file()] if fresh.exists() else True
    _no_temp_left(tmp_path)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_subprocess(data, tmp_path):
    """A real Ctrl-C (SIGINT) while the report is being written: exit 130, message, nothing half-written."""
    out = tmp_path / "reports"
    proc, err = signal_mid_render(
        [sys.executable, "-m", "assetinv", *_report(data, out)], tmp_path, signal.SIGINT
    )
    assert proc.returncode in (130, 2), err
    assert "Traceback" not in err, err
    assert "interrupted" in err or "error" in err
    _no_temp_left(tmp_path)
    assert not (out / "index.html").exists(), "an interrupted run left a report that looks complete"


@pytest.mark.parametrize(
    "line, expect",
    [
        ("seed: -3", "seed must be a whole number of at least 0"),  # was a numpy ValueError traceback
        ("thresholds: {alpha_goood: 0.8}", "unknown threshold 'alpha_goood'"),  # was ignored without a word
    ],
)
def test_study_yaml_values_that_used_to_pass(data, tmp_path, capsys, line, expect):
    import re
    import shutil

    d = tmp_path / "data"
    shutil.copytree(data, d)
    key = line.split(":")[0]
    y = re.sub(rf"(?m)^{key}:.*\n", "", (d / "study.yaml").read_text(encoding="utf-8"))
    (d / "study.yaml").write_text(y + line + "\n", encoding="utf-8")
    rc = main(["report", "--data", str(d), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and expect in err and "Traceback" not in err


def test_validate_file_reads_a_file_as_its_study_yaml_says(tmp_path, capsys):
    """A 1.0.0 export in a study whose study.yaml says instrument "1.0.0" is checked against 1.0.0
    (it was checked against the bundled 2.0.0 and failed on every 1.0.0 item)."""
    import shutil

    from assetinv.cli import main
    from assetinv.io import validate_file

    src = Path(__file__).parent / "fixtures" / "v1_sample" / "responses.csv"
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(src, alone / "responses.csv")
    problems = validate_file(alone / "responses.csv")
    assert problems and "instrument 1.0.0" in str(problems[0])  # no study.yaml: the bundled 2.0.0
    study = tmp_path / "study"
    study.mkdir()
    shutil.copy(src, study / "responses.csv")
    (study / "study.yaml").write_text('instrument: "1.0.0"\nresponses: responses.csv\n')
    assert validate_file(study / "responses.csv") == []
    assert main(["validate", str(study / "responses.csv")]) == 0
    out = capsys.readouterr().out
    assert "checked against instrument 1.0.0, as study.yaml in its folder says" in out and ": OK" in out
    assert validate_file(study / "responses.csv", instrument="2.0.0")  # an explicit instrument wins
    (study / "study.yaml").write_text('instrument: "1.0.0"\nresponses: not_there.csv\n')
    other = validate_file(study / "responses.csv")  # the config's own problem, and the file read as 1.0.0
    assert len(other) == 1 and other[0].file.endswith("study.yaml")
    assert "checked against instrument 1.0.0, which it names" in other[0].message
    (study / "study.yaml").write_text("instrument: [oops\n")  # a broken config is reported, not skipped
    broken = validate_file(study / "responses.csv")
    assert (
        broken[0].file.endswith("study.yaml")
        and "checked against the bundled instrument" in broken[0].message
    )


def test_out_of_memory_is_a_clear_error_not_a_traceback(monkeypatch, capsys, tmp_path):
    """The 1,200-school network ran the disclosure audit out of memory and printed a MemoryError traceback."""
    import assetinv.cli as cli

    def boom(args):
        raise MemoryError()

    monkeypatch.setattr(cli, "_cmd_validate", boom)
    (tmp_path / "r.csv").write_text("x\n")
    assert main(["validate", str(tmp_path / "r.csv")]) == 3
    err = capsys.readouterr().err
    assert "ran out of memory during `assetinv validate`" in err and "Fix:" in err and "Traceback" not in err
