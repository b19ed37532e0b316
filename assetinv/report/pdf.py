"""Accessible PDF of every report, offline: Chromium's print through Playwright.

``assetinv report --pdf`` prints each HTML page with its print stylesheet to a
PDF beside it (``schools/S01.html`` -> ``schools/S01.pdf``). The PDF is
*tagged* (Playwright's ``tagged=True``: Chromium writes the document structure
-- headings, paragraphs, lists, tables, figures with their alt text -- as a PDF
structure tree, the basis of PDF/UA) and has a bookmark outline from the
headings. No LaTeX and no network: the browser is Debian's ``chromium``
(``/usr/bin/chromium``) and the pages are self-contained files.

Chromium stamps the time into a PDF; the creation and modification dates are
replaced by a fixed date (same length, so the cross-reference offsets stay
right). Chromium also writes every link as an absolute ``file://`` address, which
would tie the PDF to the folder it was printed in; links to pages of the same
publication are made relative (to the sibling PDF when that is printed too) and
the cross-reference table is shifted to match, so a PDF does not depend on the
folder it was printed in. Short pages then give the same PDF bytes on every run; a
long report was seen (once in four runs) to differ in a few bytes between two
browser launches, so the PDFs are not part of the byte-determinism guarantee (the
HTML, CSV and XLSX are).
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from ..errors import DataError, Problem

__all__ = ["chromium_path", "write_pdfs"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """Debian's Chromium (``ASSETINV_CHROMIUM`` overrides), or None when it is not installed."""
    for cand in (
        os.environ.get("ASSETINV_CHROMIUM"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
        shutil.which("chromium-browser"),
    ):
        if cand and Path(cand).exists():
            return cand
    return None


def _fix_dates(pdf: bytes) -> bytes:
    """Replace the time stamps Chromium writes by a fixed date of the same length."""
    fixed = b"D:20000101000000+00'00'"

    def date(m: re.Match) -> bytes:
        raw = m.group(2)
        new = (
            fixed
            if len(raw) == len(fixed)
            else (fixed[: len(raw)] if len(raw) < len(fixed) else fixed + b" " * (len(raw) - len(fixed)))
        )
        return m.group(1) + new + b")"

    pdf = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()(D:[^)]*)\)", date, pdf)
    # XMP packet dates, if any, e.g. <xmp:CreateDate>2026-12-01T20:00:00+00:00</xmp:CreateDate>
    pdf = re.sub(
        rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)([^<]*)(<)",
        lambda m: m.group(1) + b"2000-01-01T00:00:00Z".ljust(len(m.group(2)))[: len(m.group(2))] + m.group(3),
        pdf,
    )
    return pdf


_URI = re.compile(rb"/URI \((file://(?:\\.|[^\\)])*)\)")


def _relative_links(pdf: bytes, folder: Path, printed: set[str]) -> bytes:
    """Make ``file://`` links into this publication relative, and shift the xref table to match.

    ``folder`` is the printed page's folder; ``printed`` the HTML file names (in that folder) that get a PDF,
    whose links are sent to the PDF instead.
    """
    root = folder.resolve()
    pieces, shifts, last = [], [], 0  # shifts: (offset in the old file, bytes added there)
    for m in _URI.finditer(pdf):
        raw = m.group(1).replace(b"\\)", b")").replace(b"\\(", b"(").replace(b"\\\\", b"\\")
        try:
            target = Path(urllib.request.url2pathname(urllib.parse.urlsplit(raw.decode("utf-8")).path))
            frag = urllib.parse.urlsplit(raw.decode("utf-8")).fragment
            rel = Path(os.path.relpath(target, root))
        except (UnicodeDecodeError, ValueError):
            continue
        if rel.parent == Path(".") and rel.name in printed:
            rel = rel.with_suffix(".pdf")
        new = urllib.parse.quote(rel.as_posix()) + (f"#{frag}" if frag else "")
        new_b = new.encode("ascii").replace(b"(", b"\\(").replace(b")", b"\\)")
        pieces += [pdf[last : m.start(1)], new_b]
        shifts.append((m.start(1), len(new_b) - len(m.group(1))))
        last = m.end(1)
    if not shifts:
        return pdf
    out = b"".join(pieces) + pdf[last:]

    def moved(offset: int) -> int:
        return offset + sum(d for at, d in shifts if at < offset)

    xref = out.rfind(b"\nxref\n")
    start = out.rfind(b"startxref")
    if xref < 0 or start < 0:  # pragma: no cover - Chromium writes a classic xref table
        return pdf
    entries = re.sub(
        rb"(?m)^(\d{10}) (\d{5}) n",
        lambda e: b"%010d %s n" % (moved(int(e.group(1))), e.group(2)),
        out[xref:start],
    )
    tail = re.sub(
        rb"startxref\s+(\d+)", lambda e: b"startxref\n%d" % moved(int(e.group(1))), out[start:], count=1
    )
    return out[:xref] + entries + tail


def write_pdfs(html_files: Sequence[str | os.PathLike], *, paper: str = "Letter", browser=None) -> list[Path]:
    """Print each HTML page to a tagged PDF beside it.

    Parameters
    ----------
    html_files : sequence of path
        Self-contained report pages.
    paper : str
        ``"Letter"`` (default) or ``"A4"``.
    browser : playwright Browser, optional
        An open Chromium to print with (default: launch Debian's, then close it).

    Returns
    -------
    list of Path
        The PDFs written.

    Raises
    ------
    DataError
        When Chromium or the ``playwright`` package is missing (with the fix).

    Examples
    --------
    >>> write_pdfs([])  # doctest: +SKIP
    []
    """
    if browser is not None:
        return _print_all(browser, html_files, paper)
    exe = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        has_playwright = False
    else:
        has_playwright = True
    if exe is None or not has_playwright:
        raise DataError(
            Problem(
                file="--pdf",
                message="PDF output needs Chromium and the playwright Python package"
                + (" (chromium not found)" if exe is None else " (playwright not installed)"),
                fix="apt-get install chromium and pip install playwright (no browser download is needed), "
                "or leave out --pdf",
            )
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            return _print_all(browser, html_files, paper)
        finally:
            browser.close()


def _print_all(browser, html_files, paper: str) -> list[Path]:
    """Print each page with an open browser; the PDF goes beside its HTML."""
    footer = (
        '<div style="font-size:7pt;width:100%;text-align:center;color:#555"><span class="title"></span>'
        ' · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
    )
    written = []
    printed = {Path(f).name for f in html_files}
    context = browser.new_context(offline=True)
    try:
        for f in map(Path, html_files):
            page = context.new_page()
            page.goto(f.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            pdf = page.pdf(
                format=paper,
                print_background=True,
                tagged=True,
                outline=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin={"top": "11mm", "bottom": "14mm", "left": "11mm", "right": "11mm"},
            )
            page.close()
            out = f.with_suffix(".pdf")
            out.write_bytes(_relative_links(_fix_dates(pdf), f.parent, printed))
            written.append(out)
    finally:
        context.close()
    return written
