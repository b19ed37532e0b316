"""Open rendered reports in headless Chromium with the network blocked.

Uses Debian's ``chromium`` package (installed by ``.ci/run``) through
Playwright's Python API; skipped, with the reason, when either is absent.
Checks: no console errors, no page errors, no request to anything but the
report file itself, the ``<h1>`` is visible (on screen and in print); takes a
screenshot and prints to PDF with the print stylesheet.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from assetinv.report import build_reports
    from assetinv.simulate import write_sample

    root = tmp_path_factory.mktemp("browser")
    write_sample(root / "data", seed=7, n_schools=3, n_districts=1, respondents_per_school=12, n_interviews=6)
    build_reports(data=root / "data", out=root / "reports", progress=False)
    return root / "reports"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python package is not installed"
    )
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _open(browser, html_file: Path, shot: Path) -> dict:
    url = html_file.resolve().as_uri()
    seen = {"outside": [], "console": [], "page": []}
    context = browser.new_context(offline=True, java_script_enabled=True)
    page = context.new_page()

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: seen["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: seen["page"].append(str(e)))
    page.on("requestfailed", lambda r: seen["outside"].append(r.url) if r.url != url else None)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)
    h1 = page.locator("h1").first
    seen["h1_visible"] = h1.is_visible()
    seen["h1"] = h1.inner_text()
    seen["svg_count"] = page.locator("svg[role=img]").count()
    page.screenshot(path=str(shot), full_page=True)
    page.emulate_media(media="print")
    seen["h1_visible_print"] = page.locator("h1").first.is_visible()
    pdf = shot.with_suffix(".pdf")
    page.pdf(
        path=str(pdf), format="A4", print_background=True
    )  # the print stylesheet, as a reader would print
    seen["pdf_bytes"] = pdf.stat().st_size
    context.close()
    return seen


@pytest.mark.parametrize("which", ["school", "network", "index"])
def test_report_renders_offline_without_errors(rendered, browser, tmp_path, which):
    if which == "school":
        target = sorted((rendered / "schools").glob("*.html"))[0]
    else:
        target = rendered / f"{which}.html"
    seen = _open(browser, target, tmp_path / f"{which}.png")
    assert seen["outside"] == [], f"requests to other hosts: {seen['outside']}"
    assert seen["console"] == [], seen["console"]
    assert seen["page"] == [], seen["page"]
    assert seen["h1_visible"] and seen["h1"].strip()
    assert seen["h1_visible_print"]
    assert seen["pdf_bytes"] > 5000
    assert (tmp_path / f"{which}.png").stat().st_size > 1000
    if which != "index":
        assert seen["svg_count"] >= 1


# ---------------------------------------------------------------- what principals, CBO leads and funders read
@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The bundled sample, three schools: S01 (all growth areas), S03 (suppressed change), S06 (strengths)."""
    from assetinv.report import build_reports

    out = tmp_path_factory.mktemp("sample") / "reports"
    build_reports(out=out, schools=["S01", "S03", "S06"], progress=False)
    return out


PAGE_TYPES = {
    "index": "index.html",
    "network": "network.html",
    "school": "schools/S01.html",
    "school-no-change": "schools/S03.html",
    "summary": "schools/S06-summary.html",
}


def _page(browser, path: Path, width: int = 1280):
    context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    return context, page


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_axe_finds_no_serious_or_critical_violation(sample, browser, kind):
    axe_mod = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed (pip install -e '.[dev]')",
    )
    context, page = _page(browser, sample / PAGE_TYPES[kind])
    try:
        results = axe_mod.Axe().run(page)
    finally:
        context.close()
    bad = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert results.response["passes"] or results.response["violations"] is not None  # axe really ran
    assert bad == [], f"{kind}: axe serious/critical violations {bad}"


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_no_horizontal_page_scroll_on_a_phone(sample, browser, kind):
    context, page = _page(browser, sample / PAGE_TYPES[kind], width=390)
    try:
        width = page.evaluate("document.scrollingElement.scrollWidth")
        # wide tables scroll inside their own focusable box instead
        boxes = page.evaluate(
            "[...document.querySelectorAll('.table-scroll')].filter(e => e.scrollWidth > "
            "e.clientWidth).length"
        )
        focusable = page.evaluate(
            "[...document.querySelectorAll('.table-scroll, .fig-scroll')].every(e => e.tabIndex === 0)"
        )
    finally:
        context.close()
    assert width <= 390, f"{kind} is {width}px wide at a 390px viewport"
    assert focusable
    if kind in ("network", "school"):
        assert boxes >= 1  # the test would prove nothing if no table were wider than a phone


def _print_pages(browser, path: Path, paper: str) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    import io

    context, page = _page(browser, path)
    try:
        page.emulate_media(media="print")
        pdf = page.pdf(format=paper, print_background=True)
    finally:
        context.close()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [(p.extract_text() or "").strip() for p in reader.pages]


@pytest.mark.parametrize("paper", ["Letter", "A4"])
@pytest.mark.parametrize(
    "kind,limit", [("school", 5), ("school-no-change", 5), ("network", 10), ("summary", 1)]
)
def test_print_page_counts(sample, browser, kind, limit, paper):
    pages = _print_pages(browser, sample / PAGE_TYPES[kind], paper)
    assert 1 <= len(pages) <= limit, f"{kind} prints to {len(pages)} {paper} pages (limit {limit})"
    assert all(len(t) > 80 for t in pages), f"{kind}: a nearly empty printed page: {[len(t) for t in pages]}"
    assert "Simulated data" in pages[0]


def test_pdf_option_writes_tagged_reproducible_pdfs(sample, browser, tmp_path):
    """Tagged PDF with bookmarks; the same bytes from this browser and from a fresh launch (as --pdf does)."""
    import os
    import subprocess
    import sys

    from assetinv.report.pdf import write_pdfs

    for name in ("S06-summary.html", "S01.html"):
        (tmp_path / "a").mkdir(exist_ok=True)
        (tmp_path / "b").mkdir(exist_ok=True)
        for d in ("a", "b"):
            (tmp_path / d / name).write_bytes((sample / "schools" / name).read_bytes())
    written = write_pdfs(sorted((tmp_path / "a").glob("*.html")), browser=browser)
    code = (
        "import sys; from assetinv.report.pdf import write_pdfs; "
        "write_pdfs(sorted(__import__('pathlib').Path(sys.argv[1]).glob('*.html')))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "b")], check=True, env=env, timeout=300)
    same = [a.name for a in written if a.read_bytes() == (tmp_path / "b" / a.name).read_bytes()]
    # the one-page summary is byte-identical across browser launches and folders; the long school report
    # usually is too, but was seen once in four runs to differ in a few bytes (docs/reports.md)
    assert "S06-summary.pdf" in same
    for a in written:
        pdf = a.read_bytes()
        assert pdf.startswith(b"%PDF") and b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf  # tagged
        assert b"/Outlines" in pdf  # bookmarks from the headings
        assert b"D:20000101000000" in pdf  # no time stamp of the run
        assert b"file://" not in pdf  # links are relative, so the bytes do not depend on the folder
        _assert_xref_points_at_objects(pdf)


def _assert_xref_points_at_objects(pdf: bytes) -> None:
    """Every in-use xref entry (after the links were rewritten) points at its ``N 0 obj``."""
    import re

    xref = pdf.rfind(b"\nxref\n")
    start = int(re.search(rb"startxref\s+(\d+)", pdf[pdf.rfind(b"startxref") :]).group(1))
    assert pdf[start : start + 4] == b"xref"
    entries = re.findall(rb"(?m)^(\d{10}) (\d{5}) ([nf])", pdf[xref:])
    assert entries
    for i, (off, _gen, kind) in enumerate(entries):
        if kind == b"n":
            assert pdf[int(off) :].startswith(b"%d 0 obj" % i), i


def test_pdf_links_are_relative_and_the_xref_stays_valid(tmp_path):
    """Chromium's absolute file:// links become relative ones (to the sibling PDF when printed), offsets shifted."""
    from assetinv.report.pdf import _relative_links

    folder = tmp_path / "out" / "schools"
    folder.mkdir(parents=True)
    uri = (folder / "S06.html").resolve().as_uri().encode()
    body = [
        b"%PDF-1.4\n",
        b"1 0 obj\n<</URI (" + uri + b"#top)>>\nendobj\n",
        b"2 0 obj\n<</A 1>>\nendobj\n",
        b"3 0 obj\n<</URI ("
        + (tmp_path / "out" / "index.html").resolve().as_uri().encode()
        + b")>>\nendobj\n",
    ]
    offs = [sum(map(len, body[:i])) for i in range(1, 4)]
    xref_at = sum(map(len, body))
    pdf = (
        b"".join(body) + b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
    )
    pdf += b"trailer\n<</Size 4>>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    out = _relative_links(pdf, folder, {"S06.html"})
    assert b"/URI (S06.pdf#top)" in out and b"/URI (../index.html)" in out and b"file://" not in out
    _assert_xref_points_at_objects(out)


@pytest.fixture(scope="module")
def quoted(tmp_path_factory) -> Path:
    """A small study whose interview sites pass the privacy rule (2 teachers and 2 leaders), so quotes print."""
    from assetinv.report import build_reports
    from assetinv.simulate import write_sample

    d = tmp_path_factory.mktemp("quoted") / "data"
    write_sample(
        d,
        seed=11,
        n_schools=3,
        n_districts=1,
        respondents_per_school=12,
        waves=("baseline",),
        n_interviews=12,
    )
    out = d.parent / "reports"
    build_reports(data=d, out=out, progress=False)
    return out


def test_no_quote_is_split_or_left_alone_on_a_printed_page(quoted, browser):
    """Each printed quote starts and ends on one page, and shares that page with other report text."""
    import io
    import re
    import unicodedata

    pypdf = pytest.importorskip("pypdf")

    def squash(text: str) -> str:  # NFKC undoes the PDF's ligatures (fi, fl)
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))

    seen = 0
    for html in sorted(p for p in (quoted / "schools").glob("*.html") if not p.stem.endswith("-summary")):
        context, page = _page(browser, html)
        try:
            quotes = page.eval_on_selector_all("blockquote p", "els => els.map(e => e.innerText)")
            page.emulate_media(media="print")
            pdf = page.pdf(format="Letter", print_background=True)
        finally:
            context.close()
        pages = [squash(p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
        for q in quotes:
            body = squash(q)
            if len(body) < 30:
                continue
            assert any(body[:25] in t for t in pages), f"{html.name}: quote not printed: {q[:60]}"
            whole = [i for i, t in enumerate(pages) if body in t]  # (its start may also stand in a table)
            assert whole, f"{html.name}: a quote is split across two pages: {q[:60]}"
            i = whole[-1]
            rest = pages[i].replace(body, "")
            assert len(rest) > 150, f"{html.name}: a quote stands alone on page {i + 1}: {q[:60]}"
            seen += 1
    assert seen >= 3, f"only {seen} quotes printed: the check saw too little"


def test_print_css_keeps_every_quote_on_one_page(browser, tmp_path):
    """The report's print stylesheet, on a long page of quotes between paragraphs: no quote is split or orphaned.

    (Guards the rule itself: the small studies above may simply not put a quote at a page break.)
    """
    import io
    import re
    import unicodedata

    pypdf = pytest.importorskip("pypdf")
    from assetinv.report.build import _css

    words = "the team looked at student work together and changed the next lesson plan".split()
    body = []
    for i in range(40):
        para = " ".join(words[(i + j) % len(words)] for j in range(20 + (i * 37) % 90))
        body.append(f"<p>{para}.</p>")
        quote = f"Quote {i:02d}: " + " ".join(
            words[(i * 3 + j) % len(words)] for j in range(60 + (i * 13) % 40)
        )
        body.append(f"<blockquote><p>{quote}.</p><footer>teacher</footer></blockquote>")
    page_html = f"<!doctype html><html><head><style>{_css()}</style></head><body><main>{''.join(body)}</main></body></html>"
    f = tmp_path / "quotes.html"
    f.write_text(page_html, encoding="utf-8")
    context, page = _page(browser, f)
    try:
        page.emulate_media(media="print")
        pdf = page.pdf(format="Letter", print_background=True)
    finally:
        context.close()
    pages = [
        re.sub(r"\s+", " ", unicodedata.normalize("NFKC", p.extract_text() or ""))
        for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ]
    assert len(pages) >= 5
    for i in range(40):
        holding = [n for n, t in enumerate(pages) if f"Quote {i:02d}:" in t]
        assert len(holding) == 1, f"quote {i} is not on exactly one page: {holding}"
        rest = pages[holding[0]].split(f"Quote {i:02d}:", 1)[1]
        assert "teacher" in rest, f"quote {i} runs over from page {holding[0] + 1} onto the next"
