"""Helpers shared by several test modules (a plain module: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import io
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest


def tiny_study(tmp_path_factory, label: str, seed: int) -> Path:
    """A three-school, one-district, one-wave simulated study folder (8 respondents a school, 4 interviews)."""
    from assetinv.simulate import write_sample

    d = tmp_path_factory.mktemp(label) / "data"
    write_sample(
        d,
        seed=seed,
        n_schools=3,
        n_districts=1,
        respondents_per_school=8,
        waves=("baseline",),
        n_interviews=4,
    )
    return d


def all_output_text(folder: Path) -> str:
    """Every file under ``folder`` as text, the XLSX workbooks unzipped, for 'nothing of X was published' checks."""
    chunks = []
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            b = p.read_bytes()
            if p.suffix == ".xlsx":
                with zipfile.ZipFile(io.BytesIO(b)) as zf:
                    b = b"".join(zf.read(n) for n in zf.namelist())
            chunks.append(b.decode("utf-8", "replace"))
    return "\n".join(chunks)


def signal_mid_render(
    cmd: list[str], watch: Path, sig: int, *, env: dict | None = None, wait: float = 120
) -> tuple[subprocess.Popen, str]:
    """Start ``cmd``, send ``sig`` once a ``.tmp-`` render folder appears under ``watch``; (process, stderr).

    Skips the test when the render finished before it could be interrupted.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + wait
    started = False
    while time.monotonic() < deadline and proc.poll() is None:
        if any(".tmp-" in p.name for p in watch.iterdir()):
            started = True
            break
        time.sleep(0.01)
    if not started:
        proc.kill()
        proc.communicate()
        pytest.skip("the report finished before it could be interrupted")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc, err


def pin_zip(raw: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """An OOXML (xlsx) zip rewritten with every entry dated ``date_time`` and the document properties'
    created/modified set to it, so a fixture generator gives the same bytes on every run."""
    iso = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*date_time).encode()
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso, data)
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    return out.getvalue()
