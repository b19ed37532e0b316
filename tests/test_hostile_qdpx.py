"""Crafted REFI-QDA projects (issue 12): local-file reads, zip bombs, malformed positions.

Every crafted file must be refused with a DataError (exit 2 from the command line), and nothing of
a file outside the archive may appear in any output or message.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
from _support import all_output_text, tiny_study

from assetinv import safe_input
from assetinv.cli import main
from assetinv.errors import DataError
from assetinv.qualitative import read_codings, read_qdpx, validate_codings, write_qdpx
from assetinv.safe_input import SafeZip

SECRET = "TOPSECRET-7f3a9c line of a private file"


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    return tiny_study(tmp_path_factory, "hostile", seed=5)


@pytest.fixture(scope="module")
def good_qdpx(study, tmp_path_factory) -> Path:
    return write_qdpx(read_codings(study / "codings.csv"), tmp_path_factory.mktemp("q") / "good.qdpx")


def _members(p: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(p) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _write(p: Path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(p, "w", compression) as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    return p


def _redirect_first_source(good: Path, dst: Path, new_ref: str) -> Path:
    """The first TextSource takes its text from ``new_ref``; its internal member is removed."""
    m = _members(good)
    qde = m["project.qde"].decode("utf-8")
    ref = re.search(r'plainTextPath="internal://([^"]+)"', qde)
    assert ref
    qde = qde.replace(ref.group(0), f'plainTextPath="{new_ref}"', 1)
    m["project.qde"] = qde.encode("utf-8")
    del m[f"Sources/{ref.group(1)}"]
    return _write(dst, m)


@pytest.fixture()
def secret(tmp_path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    f = outside / "secret.txt"
    f.write_text((SECRET + "\n") * 400, encoding="utf-8")
    return f


@pytest.mark.parametrize("kind", ["absolute", "relative", "internal-dotdot", "file-uri"])
def test_source_outside_archive_is_refused(good_qdpx, tmp_path, secret, kind):
    proj = tmp_path / "proj"
    proj.mkdir()
    ref = {
        "absolute": f"absolute://{secret}",
        "relative": "relative://../outside/secret.txt",
        "internal-dotdot": "internal://../outside/secret.txt",
        "file-uri": f"file://{secret}",
    }[kind]
    p = _redirect_first_source(good_qdpx, proj / "evil.qdpx", ref)
    with pytest.raises(DataError) as ei:
        read_qdpx(p)
    msg = str(ei.value)
    assert "TOPSECRET" not in msg
    assert "outside the archive" in msg or "not found inside the archive" in msg, msg
    assert validate_codings(p)  # validate reports it too, without raising


def test_allow_external_reads_only_inside_the_folder(good_qdpx, tmp_path, secret):
    proj = tmp_path / "proj"
    (proj / "texts").mkdir(parents=True)
    # the original text of the first source, now stored beside the project
    m = _members(good_qdpx)
    first = re.search(r'plainTextPath="internal://([^"]+)"', m["project.qde"].decode()).group(1)
    (proj / "texts" / "first.txt").write_bytes(m[f"Sources/{first}"])
    ok = _redirect_first_source(good_qdpx, proj / "ok.qdpx", "relative://texts/first.txt")
    with pytest.raises(DataError):
        read_qdpx(ok)  # not allowed by default
    got = read_qdpx(ok, allow_external=proj / "texts")
    pd_equal = read_qdpx(good_qdpx)
    assert got["text"].tolist() == pd_equal["text"].tolist()
    # a path leaving the allowed folder, and a symlink inside it pointing out, are refused
    out_ref = _redirect_first_source(
        good_qdpx, proj / "out.qdpx", "relative://texts/../../outside/secret.txt"
    )
    (proj / "texts" / "link.txt").symlink_to(secret)
    link = _redirect_first_source(good_qdpx, proj / "link.qdpx", "relative://texts/link.txt")
    absol = _redirect_first_source(good_qdpx, proj / "abs.qdpx", f"absolute://{secret}")
    for p in (out_ref, link, absol):
        with pytest.raises(DataError) as ei:
            read_qdpx(p, allow_external=proj / "texts")
        assert "outside the allowed folder" in str(ei.value) and "TOPSECRET" not in str(ei.value)


def _study_with_codings(study: Path, tmp_path: Path, qdpx: Path, extra_yaml: str = "") -> Path:
    import shutil

    d = tmp_path / "study"
    shutil.copytree(study, d)
    (d / "codings.csv").unlink()
    shutil.copy(qdpx, d / "codings.qdpx")
    y = (d / "study.yaml").read_text(encoding="utf-8")
    y = re.sub(r"(?m)^codings:.*$", "codings: codings.qdpx" if not extra_yaml else extra_yaml, y)
    (d / "study.yaml").write_text(y, encoding="utf-8")
    return d


def test_report_refuses_external_source_exit_2(study, good_qdpx, tmp_path, secret, capsys):
    evil = _redirect_first_source(good_qdpx, tmp_path / "evil.qdpx", f"absolute://{secret}")
    d = _study_with_codings(study, tmp_path, evil)
    out = tmp_path / "reports"
    rc = main(["report", "--data", str(d), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and "outside the archive" in err
    assert "TOPSECRET" not in err
    assert not out.exists() or "TOPSECRET" not in all_output_text(out)


def test_report_with_allowed_folder_from_study_yaml(study, good_qdpx, tmp_path, secret, capsys):
    m = _members(good_qdpx)
    first = re.search(r'plainTextPath="internal://([^"]+)"', m["project.qde"].decode()).group(1)
    proj = _redirect_first_source(good_qdpx, tmp_path / "linked.qdpx", "relative://texts/first.txt")
    d = _study_with_codings(study, tmp_path, proj, "codings: {file: codings.qdpx, allow_external: texts}")
    (d / "texts").mkdir()
    (d / "texts" / "first.txt").write_bytes(m[f"Sources/{first}"])
    out = tmp_path / "reports"
    rc = main(["report", "--data", str(d), "--out", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    # the same study pointing the text at the secret, even with a folder allowed, is refused
    (d / "texts" / "first.txt").unlink()
    (d / "texts" / "first.txt").symlink_to(secret)
    rc = main(["report", "--data", str(d), "--out", str(tmp_path / "r2"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "outside the allowed folder" in err and "TOPSECRET" not in err


# ---------------------------------------------------------------------------------------- zip bombs
def test_high_ratio_member_is_refused(good_qdpx, tmp_path):
    m = _members(good_qdpx)
    m["Sources/padding.txt"] = b"\0" * (40 * 1024 * 1024)  # 40 MiB of zeros: about 1000 to 1
    p = _write(tmp_path / "bomb.qdpx", m)
    assert p.stat().st_size < 200_000
    with pytest.raises(DataError) as ei:
        read_qdpx(p)
    assert "compressed" in str(ei.value) and "to 1" in str(ei.value) and "zip bomb" in str(ei.value)


def test_total_declared_size_cap(good_qdpx, monkeypatch):
    size = sum(len(b) for b in _members(good_qdpx).values())
    monkeypatch.setattr(safe_input, "MAX_UNCOMPRESSED_BYTES", size - 1)
    with pytest.raises(DataError) as ei:
        read_qdpx(good_qdpx)
    assert "declares" in str(ei.value) and "allowed" in str(ei.value)


def _lie_about_size(p: Path, member: str, fake_size: int, fake_csize: int | None = None) -> None:
    """Rewrite the central-directory sizes of ``member`` (what zipfile trusts)."""
    raw = bytearray(p.read_bytes())
    name = member.encode()
    i = raw.find(b"PK\x01\x02" + b"")
    while i != -1:
        n_len = struct.unpack_from("<H", raw, i + 28)[0]
        if raw[i + 46 : i + 46 + n_len] == name:
            if fake_csize is not None:
                struct.pack_into("<I", raw, i + 20, fake_csize)
            struct.pack_into("<I", raw, i + 24, fake_size)
            break
        i = raw.find(b"PK\x01\x02", i + 4)
    p.write_bytes(bytes(raw))


def test_headers_that_lie_are_not_trusted(good_qdpx, tmp_path):
    m = _members(good_qdpx)
    m["Sources/padding.txt"] = b"\0" * (20 * 1024 * 1024)
    p = _write(tmp_path / "liar.qdpx", m)
    _lie_about_size(p, "Sources/padding.txt", 1000)  # declares 1000 bytes: passes the header checks
    with SafeZip(p) as z:
        with pytest.raises(DataError) as ei:
            z.read("Sources/padding.txt")
    assert "damaged" in str(ei.value) or "expands" in str(ei.value)


def test_streaming_cap_stops_decompression(tmp_path):
    """Caps are enforced on the bytes actually produced, whatever the headers said."""
    p = _write(tmp_path / "a.zip", {"a.txt": b"x" * 3_000_000, "b.txt": b"y" * 3_000_000})
    z = SafeZip(p, max_ratio=10**9, max_bytes=10**9)
    with z:
        z.max_bytes = 4_000_000  # as if the headers had passed a smaller archive
        z.read("a.txt")
        with pytest.raises(DataError) as ei:
            z.read("b.txt")
        assert "expands to more than" in str(ei.value)
    z = SafeZip(p, max_ratio=10**9)
    with z:
        z.max_ratio = 5  # streaming ratio check on a member that expands far more than 5 to 1
        with pytest.raises(DataError) as ei:
            z.read("a.txt")
        assert "expands more than 5 to 1" in str(ei.value)
    with SafeZip(p, max_ratio=10**9) as z:
        info = z._zf.getinfo("a.txt")
        info.file_size = 70_000  # a header that under-declares: reading stops there
        with pytest.raises(DataError):
            z.read("a.txt")


# ---------------------------------------------------------------------------------------- malformed
@pytest.mark.parametrize(
    "mutate,expect",
    [
        (lambda q: re.sub(r'startPosition="\d+"', 'startPosition="x0"', q, count=1), "is not a whole number"),
        (lambda q: re.sub(r'endPosition="\d+"', 'endPosition="-4"', q, count=1), "is not a whole number"),
        (
            lambda q: re.sub(r'endPosition="\d+"', 'endPosition="99999999"', q, count=1),
            "outside the source text",
        ),
        (lambda q: q[: len(q) // 2], "not valid XML"),
        (lambda q: q.replace("<Project", "<Projekt", 1).replace("</Project>", "</Projekt>"), "not <Project>"),
    ],
)
def test_malformed_project_is_a_data_error(good_qdpx, tmp_path, mutate, expect):
    m = _members(good_qdpx)
    m["project.qde"] = mutate(m["project.qde"].decode("utf-8")).encode("utf-8")
    p = _write(tmp_path / "bad.qdpx", m)
    with pytest.raises(DataError) as ei:
        read_qdpx(p)
    assert expect in str(ei.value)


def test_damaged_member_and_non_utf8_source(good_qdpx, tmp_path):
    m = _members(good_qdpx)
    src = next(n for n in m if n.startswith("Sources/"))
    m[src] = "caf\xe9 latin-1 text".encode("latin-1")
    p = _write(tmp_path / "latin.qdpx", m)
    with pytest.raises(DataError) as ei:
        read_qdpx(p)
    assert "not UTF-8" in str(ei.value)
    # flip bytes inside the compressed data of the qde: CRC or inflate error, not a traceback
    good = _write(tmp_path / "crc.qdpx", _members(good_qdpx))
    raw = bytearray(good.read_bytes())
    start = raw.find(b"project.qde") + len("project.qde") + 40
    for k in range(start, start + 30):
        raw[k] ^= 0xFF
    good.write_bytes(bytes(raw))
    with pytest.raises(DataError):
        read_qdpx(good)


def test_report_with_malformed_position_exits_2(study, good_qdpx, tmp_path, capsys):
    m = _members(good_qdpx)
    m["project.qde"] = re.sub(rb'startPosition="\d+"', b'startPosition="x0"', m["project.qde"], count=1)
    d = _study_with_codings(study, tmp_path, _write(tmp_path / "x0.qdpx", m))
    rc = main(["report", "--data", str(d), "--out", str(tmp_path / "reports"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and "startPosition 'x0'" in err
    rc = main(["validate", str(d / "codings.qdpx")])
    assert rc == 2 and "startPosition 'x0'" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name,data,expect",
    [
        ("codings.csv", bytes(range(256)) * 8, "not UTF-8"),
        (
            "codings.csv",
            b'excerpt_id,interview_id,school,role,coder,code,text\n"e1,i1,S01',
            "cannot be parsed",
        ),
        ("codings.xlsx", b"PK\x03\x04 truncated workbook", "cannot be read"),
    ],
)
def test_report_with_unreadable_codings_table_exits_2(study, tmp_path, capsys, name, data, expect):
    import shutil

    d = tmp_path / "study"
    shutil.copytree(study, d)
    (d / "codings.csv").unlink()
    (d / name).write_bytes(data)
    y = re.sub(r"(?m)^codings:.*$", f"codings: {name}", (d / "study.yaml").read_text(encoding="utf-8"))
    (d / "study.yaml").write_text(y, encoding="utf-8")
    rc = main(["report", "--data", str(d), "--out", str(tmp_path / "reports"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and expect in err, err


def test_xlsx_zip_bomb_is_refused_before_openpyxl(tmp_path):
    from assetinv.io import read_responses

    p = _write(
        tmp_path / "responses.xlsx",
        {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b" " * (40 * 1024 * 1024)},
    )
    with pytest.raises(DataError) as ei:
        read_responses(p)
    assert "to 1" in str(ei.value) and "zip bomb" in str(ei.value)


# ---------------------------------------------------------------- variants of findings 2 and 9 (issue 12)
@pytest.mark.parametrize(
    "ref",
    [
        "ABSOLUTE://{secret}",
        "absolute://{enc}",
        "relative://..%2F..%2Foutside%2Fsecret.txt",
        "relative://..%252F..%252Foutside%252Fsecret.txt",
        "relative://..\\\\..\\\\outside\\\\secret.txt",
        "absolute://C:\\\\Windows\\\\win.ini",
        "absolute:///C:/secret.txt",
        "file://localhost{secret}",
        "FILE://{secret}",
        " absolute://{secret}",
        "{secret}",
        "internal://{secret}",
        "relative://{secret}",
        "relative://~/secret.txt",
        "\\\\\\\\server\\\\share\\\\secret.txt",
    ],
)
def test_path_escape_spellings_are_refused(good_qdpx, tmp_path, secret, ref):
    """Other spellings of a path out of the archive: refused by default, and with a folder allowed."""
    proj = tmp_path / "proj"
    (proj / "texts").mkdir(parents=True)
    ref = ref.format(secret=secret, enc=str(secret).replace("/", "%2F"))
    p = _redirect_first_source(good_qdpx, proj / "evil.qdpx", ref)
    for kw in ({}, {"allow_external": proj / "texts"}):
        with pytest.raises(DataError) as ei:
            read_qdpx(p, **kw)
        assert "TOPSECRET" not in str(ei.value)


def test_symlink_loop_in_the_allowed_folder_is_a_data_error(good_qdpx, tmp_path):
    proj = tmp_path / "proj"
    (proj / "texts").mkdir(parents=True)
    loop = proj / "texts" / "loop.txt"
    loop.symlink_to(loop)
    p = _redirect_first_source(good_qdpx, proj / "loop.qdpx", "relative://texts/loop.txt")
    with pytest.raises(DataError, match="cannot be resolved"):
        read_qdpx(p, allow_external=proj / "texts")  # was a RuntimeError traceback


def test_symlink_member_inside_the_zip_is_refused(good_qdpx, tmp_path, secret):
    import stat

    m = _members(good_qdpx)
    src = next(n for n in m if n.startswith("Sources/"))
    p = tmp_path / "zlink.qdpx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in m.items():
            if n == src:
                zi = zipfile.ZipInfo(n)
                zi.create_system = 3
                zi.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(zi, str(secret))
            else:
                zf.writestr(n, b)
    with pytest.raises(DataError, match="symbolic link"):
        read_qdpx(p)


def test_many_small_members_that_compress_1000_to_1_are_refused(good_qdpx, tmp_path):
    """Each member under the per-member ratio floor, the archive as a whole a bomb."""
    p = tmp_path / "many.qdpx"
    blob = b"a" * (1024 * 1024 - 1)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for n, b in _members(good_qdpx).items():
            zf.writestr(n, b)
        for i in range(40):
            zf.writestr(f"Sources/pad{i}.txt", blob)
    with pytest.raises(DataError, match="in all"):
        read_qdpx(p)


def test_too_many_members_is_refused_before_the_directory_is_read(good_qdpx, tmp_path, monkeypatch):
    monkeypatch.setattr(safe_input, "MAX_MEMBERS", 50)
    p = tmp_path / "members.qdpx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zf:
        for n, b in _members(good_qdpx).items():
            zf.writestr(n, b)
        for i in range(60):
            zf.writestr(f"junk/{i}", b"")
    assert safe_input._declared_members(p) == 60 + len(_members(good_qdpx))
    with pytest.raises(DataError, match="members, more than the 50 allowed"):
        read_qdpx(p)
    assert validate_codings(p)
