"""The output folder: what assetinv owns in it, how it is replaced, and file names from ids.

``assetinv report --out OUT`` writes into a folder the user may also use. The
rules (issue 12):

* **a manifest** ``OUT/.assetinv-manifest.json`` lists every file assetinv
  wrote there, with its SHA-256 (sorted, no dates: the same inputs give the
  same manifest, byte for byte);
* only files listed in it are replaced or removed; a file the user put in
  ``OUT`` (``OUT/schools/notes.txt``, ``OUT/tables/mine.csv``) is never
  touched, and a listed file that the user has since edited is not removed;
* a non-empty ``OUT`` without a manifest is refused unless ``force=True``
  (``--force``); even then nothing is deleted: a file at one of assetinv's
  paths that assetinv did not write is kept beside it as ``NAME.orig``;
* nothing is followed through a symbolic link: a linked ``OUT/tables`` (or any
  linked file or folder on the way) is refused, never emptied or written
  through;
* the temporary render folder beside ``OUT`` (``.OUT.tmp-PID-*``) is removed on
  an error, Ctrl-C or SIGTERM (:func:`terminate_as_interrupt`), and one left by
  a run that was killed (SIGKILL) is removed by the next run once its process
  is gone.

:func:`school_file_names` gives every school id a distinct, safe file name.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .checksums import file_sha256
from .errors import DataError, Problem

__all__ = [
    "MANIFEST_NAME",
    "Terminated",
    "school_file_names",
    "read_manifest",
    "check_out",
    "make_temp",
    "remove_own_temps",
    "commit",
    "terminate_as_interrupt",
]

MANIFEST_NAME = ".assetinv-manifest.json"
_FORMAT = 1
_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


#: Files that do not make a folder "not empty" (they are never touched either).
_HOUSEKEEPING = {".gitkeep", ".gitignore", ".DS_Store", "Thumbs.db", "desktop.ini"}


class Terminated(KeyboardInterrupt):
    """Raised in the main process when it receives SIGTERM during a render.

    A :class:`KeyboardInterrupt`, so the same clean-up runs as for Ctrl-C.

    Examples
    --------
    >>> issubclass(Terminated, KeyboardInterrupt)
    True
    """


# --------------------------------------------------------------------------------------- file names
def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", s)


def school_file_names(ids: Iterable[str]) -> dict[str, str]:
    """A distinct, safe file name (without extension) for every school id.

    The name is the id itself when it only holds letters, digits, ``_``,
    ``.`` and ``-`` and no other id has the same name in another case;
    otherwise it is a slug (other characters become ``_``) plus ``-`` and the
    first 8 hex digits of the id's SHA-256. So ``S 08`` and ``S_08`` get
    different files, and so do ``S01`` and ``s01`` (for case-insensitive file
    systems). An id ending in ``-summary`` (which would be another school's
    one-page summary, ``S01-summary.html``) or in a dot (Windows drops it:
    ``S08.`` would be ``S08``) is hashed too.

    Parameters
    ----------
    ids : iterable of str

    Returns
    -------
    dict
        id -> file name.

    Raises
    ------
    DataError
        If two ids would still share a name (checked, never expected).

    Examples
    --------
    >>> school_file_names(["S 08", "S_08", "S01"])
    {'S 08': 'S_08-1277e7bc', 'S_08': 'S_08', 'S01': 'S01'}

    References
    ----------
    ``docs/reports.md``, section "What is written".
    """
    ids = [str(i) for i in ids]
    folded: dict[str, int] = {}
    for i in set(ids):  # ids that are already safe file names compete for the plain name
        if _slug(i) == i:
            folded[i.casefold()] = folded.get(i.casefold(), 0) + 1
    out: dict[str, str] = {}
    for i in ids:
        slug = _slug(i)
        plain = (
            slug == i
            and folded.get(slug.casefold()) == 1
            and not slug.startswith(".")
            and slug.upper().split(".")[0] not in _WINDOWS_RESERVED
            and slug != ""
            and not slug.endswith(".")
            and not slug.casefold().endswith("-summary")
        )
        out[i] = (
            slug
            if plain
            else f"{slug.lstrip('.')[:60] or 'school'}-{hashlib.sha256(i.encode('utf-8')).hexdigest()[:8]}"
        )
    seen: dict[str, str] = {}
    for i, name in out.items():
        for file in (f"{name}.html", f"{name}-summary.html"):  # every file a school gets (report/build.py)
            key = file.casefold()
            if key in seen and seen[key] != i:
                raise DataError(
                    Problem(
                        "schools.csv",
                        f"school ids '{seen[key]}' and '{i}' would share the report file {file}",
                        "rename one of the schools",
                        column="school",
                    )
                )
            seen[key] = i
    return out


# --------------------------------------------------------------------------------------- manifest
def _safe_rel(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "" not in parts and "\\" not in rel


def read_manifest(out) -> dict[str, str] | None:
    """The files assetinv wrote into ``out`` (relative path -> SHA-256), or None without a manifest.

    Parameters
    ----------
    out : path
        The output folder.

    Returns
    -------
    dict or None
        Relative path -> SHA-256 of each file assetinv wrote; None when ``out`` has no manifest.

    Raises
    ------
    DataError
        When the manifest is a symbolic link or is damaged.

    Examples
    --------
    >>> import tempfile
    >>> read_manifest(tempfile.mkdtemp()) is None
    True
    """
    p = Path(out) / MANIFEST_NAME
    if p.is_symlink():
        raise DataError(
            Problem(str(p), "the manifest is a symbolic link", "delete it, or choose another --out")
        )
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("tool") != "assetinv" or not isinstance(files, dict):
            raise ValueError
        if not all(isinstance(k, str) and _safe_rel(k) and isinstance(v, str) for k, v in files.items()):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OSError):
        raise DataError(
            Problem(
                str(p),
                "the manifest of the output folder is damaged",
                "delete the manifest and run again with --force (files you added are kept)",
            )
        ) from None
    return dict(files)


def _manifest_bytes(files: dict[str, str]) -> bytes:
    doc = {
        "tool": "assetinv",
        "format": _FORMAT,
        "about": "files written by assetinv report; only these are ever replaced or removed",
        "files": dict(sorted(files.items())),
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _write_manifest(out: Path, files: dict[str, str]) -> None:
    tmp = out / (MANIFEST_NAME + ".tmp")
    tmp.write_bytes(_manifest_bytes(files))
    os.replace(tmp, out / MANIFEST_NAME)


# --------------------------------------------------------------------------------------- checks
def _symlink_on_the_way(out: Path, rel: str) -> Path | None:
    """The first symbolic link at or below ``out`` on the way to ``out/rel``, if any."""
    cur = out
    for part in rel.split("/"):
        cur = cur / part
        if cur.is_symlink():
            return cur
        if not cur.exists():
            return None
    return None


def _listing(out: Path) -> list[str]:
    """Every entry under ``out`` (files, links, folders), relative, without following links."""
    found = []
    for root, dirs, files in os.walk(out, followlinks=False):
        r = Path(root)
        for name in files + [d for d in dirs if (r / d).is_symlink()]:
            found.append(str((r / name).relative_to(out)).replace(os.sep, "/"))
    return sorted(found)


def check_out(out, *, force: bool = False) -> dict[str, str] | None:
    """Check that ``out`` may be written by assetinv; return its manifest (None when there is none yet).

    Parameters
    ----------
    out : path
        The output folder (need not exist).
    force : bool
        Accept a non-empty folder without a manifest.

    Returns
    -------
    dict or None
        The manifest (:func:`read_manifest`); None for a new or empty folder, or one ``force`` accepts.

    Raises
    ------
    DataError
        A non-empty folder without a manifest (unless ``force``), or a
        damaged or linked manifest.

    Examples
    --------
    >>> import tempfile
    >>> check_out(tempfile.mkdtemp()) is None
    True
    """
    out = Path(out)
    if not out.exists():
        return None
    manifest = read_manifest(out) if out.is_dir() else None
    if manifest is None and out.is_dir() and not force:
        present = [
            e for e in _listing(out) if e != MANIFEST_NAME and e.rsplit("/", 1)[-1] not in _HOUSEKEEPING
        ]
        if present:
            shown = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if len(present) > 5 else "")
            raise DataError(
                Problem(
                    str(out),
                    f"the output folder is not empty and was not written by assetinv "
                    f"(no {MANIFEST_NAME}); it holds {shown}",
                    "choose an empty or new folder with --out, or pass --force to write into it "
                    "(nothing in it is deleted; a file at one of assetinv's paths is kept as "
                    "NAME.orig)",
                )
            )
    return manifest


# --------------------------------------------------------------------------------------- temp folders
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


#: The end of the name of every temporary folder assetinv makes (``.reports.tmp-<pid>-<random>-assetinv``):
#: only such a folder, of a process no longer running, is removed as "left by a killed run" (a user's own
#: ".reports.tmp-1-x" is kept). A name, not a file inside, so the fresh folder stays empty.
TMP_MARKER = "-assetinv"


def make_temp(out: Path) -> Path:
    """A fresh temporary folder beside ``out``; first remove ones left by runs that were killed.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "reports"
    >>> tmp = make_temp(out)
    >>> tmp.parent == out.parent, tmp.name.startswith(".reports.tmp-")
    (True, True)
    """
    for old, pid in _temp_dirs(out):
        if not _alive(pid):
            shutil.rmtree(old, ignore_errors=True)
    return Path(
        tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", suffix=TMP_MARKER, dir=str(out.parent))
    )


def _temp_dirs(out: Path):
    """The temporary render folders assetinv made beside ``out``, each with its maker's process id.

    Only real folders (not links) named ``.<out>.tmp-<pid>-...-assetinv``.
    """
    prefix = f".{out.name}.tmp-"
    for old in out.parent.glob(glob.escape(prefix) + "*"):
        m = re.match(re.escape(prefix) + r"(\d+)-", old.name)
        if m and old.is_dir() and not old.is_symlink() and old.name.endswith(TMP_MARKER):
            yield old, int(m.group(1))


def remove_own_temps(out: Path) -> None:
    """Remove every temporary render folder this process made beside ``out``.

    Called when a run ends early (an error, Ctrl-C, SIGTERM), so a signal that lands between a
    folder's creation and the code that would track it still leaves nothing behind. Only folders
    named with this process id and assetinv's marker are touched.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "reports"
    >>> tmp = make_temp(out)
    >>> remove_own_temps(out); tmp.exists()
    False
    """
    for old, pid in _temp_dirs(Path(out)):
        if pid == os.getpid():
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def terminate_as_interrupt():
    """While inside, SIGTERM raises :class:`Terminated` in this process (so clean-up code runs).

    Forked worker processes that inherit the handler exit at once instead.

    Examples
    --------
    >>> with terminate_as_interrupt():
    ...     pass
    """
    owner = os.getpid()

    def handler(signum, frame):
        if os.getpid() != owner:
            os._exit(128 + signum)
        # a second SIGTERM while the clean-up runs must not cut it short (and leave a half-removed folder)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------------------- commit
def _orig_name(dest: Path) -> Path:
    cand = dest.with_name(dest.name + ".orig")
    k = 2
    while cand.exists() or cand.is_symlink():
        cand = dest.with_name(f"{dest.name}.orig{k}")
        k += 1
    return cand


def commit(tmp: Path, out: Path, *, force: bool = False) -> list[str]:
    """Move every file rendered in ``tmp`` into ``out`` under the manifest rules; return the files written.

    Every check is made before anything is moved. Then the manifest is first
    written with the old and new files together (so an interruption never
    leaves an assetinv file unlisted), the files are moved in (each with
    ``os.replace``), stale listed files that are unchanged are removed, and
    the final manifest is written.

    Parameters
    ----------
    tmp : Path
        The rendered files.
    out : Path
        The output folder (created if missing).
    force : bool
        See :func:`check_out`.

    Returns
    -------
    list of str
        Relative paths written (the manifest included).

    Raises
    ------
    DataError
        When a folder or file on the way is a symbolic link, a path assetinv
        writes is a folder, or :func:`check_out` refuses ``out``.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "reports"
    >>> tmp = make_temp(out)
    >>> _ = (tmp / "index.html").write_text("<p>hello</p>", encoding="utf-8")
    >>> commit(tmp, out)
    ['index.html', '.assetinv-manifest.json']
    >>> tmp.exists()
    False
    """
    out = Path(out)
    manifest = check_out(out, force=force) or {}
    out.mkdir(parents=True, exist_ok=True)
    new = sorted(str(p.relative_to(tmp)).replace(os.sep, "/") for p in tmp.rglob("*") if p.is_file())
    hashes = {rel: file_sha256(tmp / rel) for rel in new}
    problems = []
    keep_aside = []
    for rel in new + [MANIFEST_NAME]:
        link = _symlink_on_the_way(out, rel)
        if link is not None:
            problems.append(
                Problem(
                    str(link),
                    "is a symbolic link; assetinv never writes through links",
                    "remove the link (or replace it with a real folder), or choose another --out",
                )
            )
            continue
        dest = out / rel
        if dest.is_dir():
            problems.append(
                Problem(
                    str(dest),
                    "is a folder where assetinv writes a file",
                    "move the folder away, or choose another --out",
                )
            )
        elif dest.exists() and rel != MANIFEST_NAME and rel not in manifest:
            if not force:
                problems.append(
                    Problem(
                        str(dest),
                        "exists but was not written by assetinv (not in its manifest)",
                        "move the file away, or pass --force to keep it as NAME.orig",
                    )
                )
            else:
                keep_aside.append(dest)
    stale = [rel for rel in manifest if rel not in hashes]
    for rel in stale:
        if _symlink_on_the_way(out, rel) is not None:
            problems.append(
                Problem(
                    str(out / rel),
                    "a file assetinv wrote earlier is now behind a symbolic link",
                    "remove the link, or choose another --out",
                )
            )
    if problems:
        raise DataError(sorted(set(problems), key=lambda p: p.file))
    previous = _block_sigint()
    try:
        _write_manifest(out, {**manifest, **hashes})
        for dest in keep_aside:
            os.replace(dest, _orig_name(dest))
        for rel in new:
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, dest)
        for rel in stale:
            p = out / rel
            if p.is_file() and not p.is_symlink() and file_sha256(p) == manifest[rel]:
                p.unlink()
        _write_manifest(out, hashes)
        shutil.rmtree(tmp, ignore_errors=True)
    finally:
        _restore_sigint(previous)
    return new + [MANIFEST_NAME]


def _block_sigint():
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        return None


def _restore_sigint(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)
