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
    from assetinv.reports import build_reports
    from assetinv.simulate import write_sample

    root = tmp_path_factory.mktemp("browser")
    write_sample(root / "data", seed=7, n_schools=3, n_districts=1, respondents_per_school=12, n_interviews=6)
    build_reports(data=root / "data", out=root / "reports", progress=False)
    return root / "reports"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
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
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
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
    page.pdf(path=str(pdf), format="A4", print_background=True)  # the print stylesheet, as a reader would print
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
