"""Reading archives and linked files from untrusted input safely.

A REFI-QDA project (``.qdpx``) is a zip archive that anyone can craft. Two
attacks matter for assetinv:

* **zip bombs**: a small archive that expands to gigabytes. :class:`SafeZip`
  refuses an archive whose zip headers declare more than
  :data:`MAX_UNCOMPRESSED_BYTES` in total or a member compressed more than
  :data:`MAX_COMPRESSION_RATIO` to 1, and enforces the same caps again while
  it decompresses (the headers are written by the attacker, so they are not
  trusted: a member that yields more bytes than declared, or than the caps,
  is stopped and refused);
* **reading local files**: a ``TextSource`` whose ``plainTextPath`` is an
  ``absolute://`` path, or a ``relative://`` path leading out of the project,
  would pull any file of the machine into the reports.
  :func:`resolve_external_source` refuses such paths unless the user names a
  folder they trust (``allow_external``), and then only files inside it
  (symbolic links resolved first).

Every refusal is a :class:`~assetinv.errors.DataError` that names the archive
and the fix; none quotes the contents of the refused file.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

from .errors import DataError, Problem

__all__ = [
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_COMPRESSION_RATIO",
    "SafeZip",
    "resolve_external_source",
]

#: Largest total uncompressed size of an input archive (declared and actually read).
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
#: Largest compression ratio of one member (uncompressed / compressed bytes)...
MAX_COMPRESSION_RATIO = 100
#: ... checked for members above this many uncompressed bytes (tiny files may compress very well), and
#: for the whole archive above this total (many small members that each compress 1000 to 1 are a bomb too).
RATIO_FLOOR_BYTES = 1024 * 1024
#: Largest number of members (a central directory of millions of empty entries is a bomb of its own).
MAX_MEMBERS = 50_000
_CHUNK = 1 << 16

_FIX_BOMB = (
    "this is not what a QDA program exports (it may be a 'zip bomb'); export the project again, "
    "without media files if it holds large audio or video"
)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB"


class SafeZip:
    """A read-only zip archive with caps on the uncompressed size and the compression ratio.

    Parameters
    ----------
    path : str or Path
        The archive.
    label : str, optional
        The file name used in messages (default: ``path``).
    max_bytes : int, optional
        Cap on the total uncompressed size (default :data:`MAX_UNCOMPRESSED_BYTES`).
    max_ratio : float, optional
        Cap on one member's compression ratio (default :data:`MAX_COMPRESSION_RATIO`).

    Raises
    ------
    DataError
        When the file is not a zip archive, its headers declare too much, or a
        member expands beyond what its header or the caps allow.

    Examples
    --------
    >>> import tempfile, zipfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
    ...     zf.writestr("project.qde", "<Project/>")
    >>> with SafeZip(p) as z:
    ...     z.read("project.qde")
    b'<Project/>'

    References
    ----------
    PKWARE, *APPNOTE.TXT - .ZIP File Format Specification*, 6.3.10; Fifield, D. (2019).
    A better zip bomb. *USENIX WOOT '19*.
    """

    def __init__(
        self, path, *, label: str | None = None, max_bytes: int | None = None, max_ratio: float | None = None
    ):
        self.path = path if hasattr(path, "read") else Path(path)  # a path or an open binary file
        self.label = label or str(path)
        self.max_bytes = int(MAX_UNCOMPRESSED_BYTES if max_bytes is None else max_bytes)
        self.max_ratio = float(MAX_COMPRESSION_RATIO if max_ratio is None else max_ratio)
        self.read_so_far = 0
        self._zf: zipfile.ZipFile | None = None

    # ---------------------------------------------------------------- open / headers
    def __enter__(self) -> SafeZip:
        self._check_member_count()
        try:
            self._zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
            raise DataError(
                Problem(
                    self.label,
                    f"not a readable zip archive, so not a REFI-QDA project ({type(err).__name__})",
                    "export the project again as .qdpx",
                )
            ) from None
        except OSError as err:
            raise DataError(
                Problem(
                    self.label,
                    f"the file cannot be opened ({err.strerror or type(err).__name__})",
                    "check the path and that you may read it",
                )
            ) from None
        try:
            self.check_headers()
        except BaseException:
            self._zf.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._zf is not None:
            self._zf.close()

    def _check_member_count(self) -> None:
        """Refuse an archive whose end record announces more than :data:`MAX_MEMBERS` members, before
        ``zipfile`` reads (and holds in memory) its whole central directory.
        """
        n = _declared_members(self.path)
        if n is not None and n > MAX_MEMBERS:
            raise DataError(
                Problem(
                    self.label,
                    f"the archive declares {n} members, more than the {MAX_MEMBERS} allowed",
                    _FIX_BOMB,
                )
            )

    def check_headers(self) -> None:
        """Refuse the archive when its headers declare too much data or too high a ratio."""
        assert self._zf is not None
        infos = self._zf.infolist()
        if len(infos) > MAX_MEMBERS:  # an end record that lied
            raise DataError(
                Problem(self.label, f"the archive holds more than {MAX_MEMBERS} members", _FIX_BOMB)
            )
        total = sum(max(int(i.file_size), 0) for i in infos)
        packed = sum(max(int(i.compress_size), 0) for i in infos)
        if not hasattr(self.path, "read"):  # compressed sizes cannot add up to more than the file holds
            packed = min(packed, self.path.stat().st_size)
        if total > RATIO_FLOOR_BYTES and total / max(packed, 1) > self.max_ratio:
            raise DataError(
                Problem(
                    self.label,
                    f"the archive is compressed {total / max(packed, 1):.0f} to 1 in all "
                    f"(at most {self.max_ratio:.0f} to 1 is allowed)",
                    _FIX_BOMB,
                )
            )
        if total > self.max_bytes:
            raise DataError(
                Problem(
                    self.label,
                    f"the archive declares {_mib(total)} of uncompressed data, more "
                    f"than the {_mib(self.max_bytes)} allowed",
                    _FIX_BOMB,
                )
            )
        for info in infos:
            if info.file_size > RATIO_FLOOR_BYTES:
                ratio = info.file_size / max(int(info.compress_size), 1)
                if ratio > self.max_ratio:
                    raise DataError(
                        Problem(
                            self.label,
                            f"member '{_clean(info.filename)}' is compressed "
                            f"{ratio:.0f} to 1 (at most {self.max_ratio:.0f} to 1 is allowed)",
                            _FIX_BOMB,
                        )
                    )

    # ---------------------------------------------------------------- members
    def namelist(self) -> list[str]:
        """The archive's member names."""
        assert self._zf is not None
        return self._zf.namelist()

    def read(self, name: str) -> bytes:
        """Decompress one member, stopping as soon as it exceeds its header or the caps."""
        assert self._zf is not None
        try:
            info = self._zf.getinfo(name)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:  # S_IFLNK: a symbolic link, not a text
                raise DataError(
                    Problem(
                        self.label,
                        f"member '{_clean(name)}' of the archive is a symbolic link",
                        "export the project again (QDA programs store source texts as files)",
                    )
                )
            return self._stream(info)
        except DataError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError) as err:
            raise DataError(
                Problem(
                    self.label,
                    f"member '{_clean(name)}' of the archive is damaged ({type(err).__name__})",
                    "export the project again",
                )
            ) from None
        except (RuntimeError, NotImplementedError) as err:  # encrypted, or an unknown compression method
            raise DataError(
                Problem(
                    self.label,
                    f"member '{_clean(name)}' cannot be read ({type(err).__name__}: "
                    "encrypted or compressed with an unsupported method)",
                    "export the project again without a password",
                )
            ) from None

    def _stream(self, info: zipfile.ZipInfo) -> bytes:
        assert self._zf is not None
        declared = max(int(info.file_size), 0)
        compressed = max(int(info.compress_size), 1)
        parts: list[bytes] = []
        got = 0
        with self._zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                self.read_so_far += len(chunk)
                if got > declared:
                    raise DataError(
                        Problem(
                            self.label,
                            f"member '{_clean(info.filename)}' expands beyond the size its header declares",
                            _FIX_BOMB,
                        )
                    )
                if self.read_so_far > self.max_bytes:
                    raise DataError(
                        Problem(
                            self.label, f"the archive expands to more than {_mib(self.max_bytes)}", _FIX_BOMB
                        )
                    )
                if got > RATIO_FLOOR_BYTES and got / compressed > self.max_ratio:
                    raise DataError(
                        Problem(
                            self.label,
                            f"member '{_clean(info.filename)}' expands more than {self.max_ratio:.0f} to 1",
                            _FIX_BOMB,
                        )
                    )
                parts.append(chunk)
        return b"".join(parts)


def _declared_members(path) -> int | None:
    """The member count in a zip's end-of-central-directory record (Zip64 too); ``None`` if not found."""
    import struct

    try:
        if hasattr(path, "read"):
            return None
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(size - 65557, 0))
            tail = fh.read()
            at = tail.rfind(b"PK\x05\x06")
            if at < 0 or len(tail) < at + 22:
                return None
            n = struct.unpack("<H", tail[at + 10 : at + 12])[0]
            loc = tail.rfind(b"PK\x06\x07", 0, at)
            if n == 0xFFFF and loc >= 0 and len(tail) >= loc + 20:
                fh.seek(struct.unpack("<Q", tail[loc + 8 : loc + 16])[0])
                rec = fh.read(56)
                if rec[:4] == b"PK\x06\x06" and len(rec) >= 40:
                    n = struct.unpack("<Q", rec[32:40])[0]
            return int(n)
    except (OSError, struct.error, ValueError, OverflowError):
        return None


def _clean(name: str) -> str:
    """A member name fit for a one-line message (no control characters, bounded length)."""
    s = "".join(ch if ch.isprintable() else "?" for ch in str(name))
    return s if len(s) <= 80 else s[:77] + "..."


def _within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def resolve_external_source(
    ref: str, *, archive, base_path: str | None = None, allow_external=None, source: str = ""
) -> Path:
    """Where an external ``plainTextPath`` points, if the user allowed it; otherwise refuse.

    Parameters
    ----------
    ref : str
        The ``plainTextPath`` value, ``absolute://PATH`` or ``relative://PATH``
        (REFI-QDA 1.5: relative to the project's ``basePath``, here else to the
        archive's folder).
    archive : path
        The ``.qdpx`` file (used in messages and as the default base).
    base_path : str, optional
        The ``<Project basePath=...>`` attribute.
    allow_external : path, optional
        The only folder external source texts may be read from. ``None`` (the
        default) refuses every external source.
    source : str
        The source's name, for messages.

    Returns
    -------
    Path
        The resolved file (symbolic links followed), inside ``allow_external``.

    Raises
    ------
    DataError
        When external sources are not allowed, the file lies outside the
        allowed folder, or it is not a regular file. The message never quotes
        the file's contents.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "t.txt").write_text("hello")
    >>> resolve_external_source("relative://t.txt", archive=d / "p.qdpx", allow_external=d).name
    't.txt'
    >>> try:
    ...     resolve_external_source("absolute:///etc/hostname", archive=d / "p.qdpx")
    ... except Exception as e:
    ...     print(type(e).__name__)
    DataError

    References
    ----------
    REFI-QDA Standard 1.5 (2019), Project.xsd, ``TextSource/@plainTextPath`` and ``Project/@basePath``.
    """
    archive = Path(archive)
    label = str(archive)
    scheme, _, rest = str(ref).partition("://")
    where = f"source '{_clean(source)}'" if source else "a source"
    if allow_external is None:
        raise DataError(
            Problem(
                label,
                f"{where} takes its text from outside the archive ({scheme}:// path); "
                "assetinv reads source texts only from inside the .qdpx unless you allow a folder",
                "export the project with its sources embedded, or allow the folder that holds "
                "the texts (read_qdpx(..., allow_external=FOLDER) or, in study.yaml, "
                "'codings: {file: ..., allow_external: FOLDER}')",
            )
        )
    allowed = Path(allow_external).expanduser().resolve()
    rest = unquote(rest)
    if scheme == "absolute":
        if os.name == "nt" and rest.startswith("/") and len(rest) > 2 and rest[2] == ":":
            rest = rest[1:]
        target = Path(rest)
    else:
        base = Path(unquote(base_path.partition("://")[2] or base_path)) if base_path else archive.parent
        if not base.is_absolute():
            base = archive.parent / base
        target = base / rest
    try:
        target = target.resolve()
        inside = _within(target, allowed)
        regular = inside and target.is_file()
    except (OSError, RuntimeError, ValueError):  # a symbolic link loop, a NUL byte, a name too long
        raise DataError(
            Problem(
                label,
                f"{where}: its text path cannot be resolved (a link loop or an invalid name)",
                "embed the source text in the project, or fix the path",
            )
        ) from None
    if not inside:
        raise DataError(
            Problem(
                label,
                f"{where} points outside the allowed folder {allowed}",
                "move the source text into the allowed folder, or embed it in the project",
            )
        )
    if not regular:
        raise DataError(
            Problem(
                label,
                f"{where}: its text file was not found in the allowed folder",
                "export the project with its sources included",
            )
        )
    return target
