"""The output folder is owned through a manifest (issue 12): user files survive, links are not followed."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _support import signal_mid_render, tiny_study

from assetinv.cli import main
from assetinv.outdir import MANIFEST_NAME, TMP_MARKER, school_file_names


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return tiny_study(tmp_path_factory, "outdir", seed=7)


def _report(data: Path, out: Path, *extra: str) -> int:
    return main(["report", "--data", str(data), "--out", str(out), "--quiet", *extra])


def _sums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_manifest_lists_every_file_and_is_deterministic(data, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert _report(data, a) == 0 and _report(data, b) == 0
    man = json.loads((a / MANIFEST_NAME).read_text())
    files = {k: v for k, v in _sums(a).items() if k != MANIFEST_NAME}
    assert man["files"] == files and man["tool"] == "assetinv"
    assert (a / MANIFEST_NAME).read_bytes() == (b / MANIFEST_NAME).read_bytes()
    assert _sums(a) == _sums(b)


def test_user_files_survive_a_re_render(data, tmp_path, capsys):
    out = tmp_path / "reports"
    assert _report(data, out) == 0
    mine = {
        out / "schools" / "notes.txt": "my notes",
        out / "tables" / "mine.csv": "a,b\n1,2\n",
        out / "tables" / "sub" / "deep.txt": "deep",
        out / "README.txt": "hello",
    }
    for p, t in mine.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(t)
    # a table assetinv wrote before, now no longer produced, is removed (it is in the manifest)
    man = json.loads((out / MANIFEST_NAME).read_text())
    (out / "tables" / "old_table.csv").write_text("x\n")
    man["files"]["tables/old_table.csv"] = hashlib.sha256(b"x\n").hexdigest()
    (out / MANIFEST_NAME).write_text(json.dumps(man))
    assert _report(data, out) == 0, capsys.readouterr().err
    for p, t in mine.items():
        assert p.read_text() == t, f"{p} was changed or removed"
    assert not (out / "tables" / "old_table.csv").exists()
    # with a subset of schools, the other schools' reports (ours) go, the user's files stay
    first = sorted(pd.read_csv(data / "schools.csv")["school"])[0]
    assert _report(data, out, "--schools", first) == 0
    reports = sorted(p.name for p in (out / "schools").glob("*.html") if not p.name.endswith("-summary.html"))
    assert reports == [f"{first}.html"]
    for p, t in mine.items():
        assert p.read_text() == t


def test_non_empty_folder_without_manifest_is_refused_unless_force(data, tmp_path, capsys):
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    (out / "index.html").write_text("<p>my own index</p>")
    assert _report(data, out) == 2
    err = capsys.readouterr().err
    assert "not written by assetinv" in err and "--force" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "thesis.docx"]
    assert _report(data, out, "--force") == 0
    assert (out / "thesis.docx").read_text() == "years of work"
    assert (out / "index.html.orig").read_text() == "<p>my own index</p>"  # kept, not deleted
    assert (out / MANIFEST_NAME).is_file()
    assert _report(data, out) == 0  # now owned: re-render without --force
    assert (out / "thesis.docx").read_text() == "years of work"


def test_symlinked_tables_folder_is_never_emptied_or_written_through(data, tmp_path, capsys):
    out = tmp_path / "reports"
    assert _report(data, out) == 0
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    (elsewhere / "budget.csv").write_text("keep me")
    import shutil

    shutil.rmtree(out / "tables")
    (out / "tables").symlink_to(elsewhere, target_is_directory=True)
    assert _report(data, out) == 2
    err = capsys.readouterr().err
    assert "symbolic link" in err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["budget.csv"]
    assert (elsewhere / "budget.csv").read_text() == "keep me"
    # a linked file is not written through either
    (out / "tables").unlink()
    assert _report(data, out) == 0
    target = tmp_path / "target.html"
    target.write_text("not yours")
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(target)
    assert _report(data, out) == 2
    assert target.read_text() == "not yours"


def test_school_file_names_are_unique_and_the_index_links_the_right_file(data, tmp_path):
    names = school_file_names(["S 08", "S_08", "s_08", "S/../x", "..", "CON", "S01"])
    assert len(set(n.casefold() for n in names.values())) == 7
    assert names["S01"] == "S01"
    assert all("/" not in n and not n.startswith(".") for n in names.values())
    import shutil

    d = tmp_path / "data"
    shutil.copytree(data, d)
    ids = sorted(pd.read_csv(d / "schools.csv", dtype=str)["school"])
    swap = {ids[0]: "S 08", ids[1]: "S_08"}
    for f in ("schools.csv", "roster.csv", "responses.csv", "codings.csv"):
        t = pd.read_csv(d / f, dtype=str, keep_default_na=False)
        t["school"] = t["school"].replace(swap)
        t.to_csv(d / f, index=False)
    out = tmp_path / "reports"
    assert _report(d, out) == 0
    pages = sorted(p.name for p in (out / "schools").glob("*.html") if not p.name.endswith("-summary.html"))
    assert len(pages) == len(ids)
    index = (out / "index.html").read_text(encoding="utf-8")
    fn = school_file_names(["S 08", "S_08", *ids[2:]])
    for sid in ("S 08", "S_08"):
        page = (out / "schools" / f"{fn[sid]}.html").read_text(encoding="utf-8")
        assert f">{sid}<" in page or sid in page
        assert f'href="schools/{fn[sid]}.html"' in index
    assert fn["S 08"] != fn["S_08"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_cleans_up_temporary_folder(data, tmp_path):
    out = tmp_path / "reports"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc, err = signal_mid_render(
        [sys.executable, "-m", "assetinv", "report", "--data", str(data), "--out", str(out), "--quiet"],
        tmp_path,
        signal.SIGTERM,
        env=env,
        wait=180,
    )
    assert proc.returncode in (143, 2), err
    assert "Traceback" not in err
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]
    assert not (out / "index.html").exists()


@pytest.mark.parametrize("call", [1, 2])
def test_signal_between_folder_creation_and_tracking_leaves_nothing(data, tmp_path, monkeypatch, call):
    """CI finding (stop 24): SIGTERM landed just after the write probe made its folder, before
    anything held its name, and the folder was left behind. ``call`` 1 is the probe, 2 the render."""
    import assetinv.report.build as build
    from assetinv.outdir import Terminated, make_temp

    made = []

    def interrupted(out):
        made.append(make_temp(out))  # the folder exists ...
        if len(made) == call:
            raise Terminated()  # ... and the signal lands before make_temp returns it
        return made[-1]

    monkeypatch.setattr(build, "make_temp", interrupted)
    out = tmp_path / "reports"
    with pytest.raises(Terminated):
        build.build_reports(data=data, out=out, progress=False)
    assert len(made) == call
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_folder_left_by_a_killed_run_is_removed(data, tmp_path):
    out = tmp_path / "reports"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    left = (
        tmp_path / f".reports.tmp-{int(dead.stdout)}-abc{TMP_MARKER}"
    )  # assetinv's temporary folders end so
    (left / "schools").mkdir(parents=True)
    (left / "schools" / "x.html").write_text("half")
    mine = tmp_path / f".reports.tmp-{int(dead.stdout)}-my-notes"  # the user's own, named alike
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    assert _report(data, out) == 0
    assert not left.exists()
    assert (mine / "notes.txt").read_text() == "keep"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(TMP_MARKER)]


@pytest.mark.parametrize("where", ["schools", "schools/first", "manifest"])
def test_other_links_inside_out_are_never_followed(data, tmp_path, capsys, where):
    """Variants of finding 6: a linked ``schools/`` folder, a linked school page, a linked manifest."""
    import shutil

    out = tmp_path / "reports"
    assert _report(data, out) == 0
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    if where == "schools":
        shutil.rmtree(out / "schools")
        (out / "schools").symlink_to(victim, target_is_directory=True)
    elif where == "schools/first":
        page = sorted((out / "schools").glob("*.html"))[0]
        page.unlink()
        page.symlink_to(victim / "keep.txt")
    else:
        (victim / "m.json").write_bytes((out / MANIFEST_NAME).read_bytes())
        (out / MANIFEST_NAME).unlink()
        (out / MANIFEST_NAME).symlink_to(victim / "m.json")
    assert _report(data, out) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert (victim / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in victim.iterdir()) == sorted(
        ["keep.txt"] + (["m.json"] if where == "manifest" else [])
    )


def test_a_manifest_listing_paths_outside_out_is_refused(data, tmp_path, capsys):
    out = tmp_path / "reports"
    assert _report(data, out) == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    man = json.loads((out / MANIFEST_NAME).read_text())
    man["files"]["../victim.txt"] = hashlib.sha256(b"precious").hexdigest()
    man["files"][str(victim)] = hashlib.sha256(b"precious").hexdigest()
    (out / MANIFEST_NAME).write_text(json.dumps(man))
    assert _report(data, out) == 2
    assert "manifest" in capsys.readouterr().err
    assert _report(data, out, "--force") in (0, 2)
    assert victim.read_text() == "precious"


def test_file_names_never_collide_with_a_summary_page_or_a_trailing_dot():
    """Variants of finding 7: an id that is another school's summary page, ids equal but for a final dot
    (Windows drops it) or for case, and look-alike letters."""
    ids = ["S01", "S01-summary", "S08", "S08.", "s08", "\u0405" + "08", "\uff3308", "S 08", "S_08"]
    names = school_file_names(ids)
    files = [f"{n}{suffix}".casefold() for n in names.values() for suffix in (".html", "-summary.html")]
    assert len(set(files)) == len(files)
    assert names["S01"] == "S01" and names["S01-summary"] != "S01-summary"
    assert not any(n.endswith(".") for n in names.values())
    from assetinv.errors import DataError

    with pytest.raises(DataError, match="would share the report file"):
        school_file_names(["S 08", names["S 08"]])  # an id equal to another's hashed name is refused
