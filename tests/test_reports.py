"""Tests for ``assetinv report`` / :mod:`assetinv.report`.

Most tests use a small simulated network (4 schools) for speed; one renders the
bundled sample end to end.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from assetinv import cli
from assetinv.report import build as R
from assetinv.report import default_data_dir
from assetinv.report.blocks import Section, figure_html, html_table

SCHOOL_ORDER = [
    "summary",
    "profile",
    "supports",
    "change",
    "gaps",
    "items",
    "interviews",
    "technical-notes",
]


# ---------------------------------------------------------------- helpers
class _Doc(HTMLParser):
    """Collect headings, ids, links, images, svgs and text of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.imgs_without_alt = 0
        self.svgs: list[dict] = []
        self.svg_titles = 0
        self.sections: list[str] = []
        self.scripts = 0
        self.lang = None
        self.charset = False
        self._h: int | None = None
        self._text: list[str] = []
        self._svg_depth = 0
        self._svg_first_child = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "meta" and "charset" in a:
            self.charset = True
        if "id" in a and self._svg_depth == 0:
            self.ids.append(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])
        if tag == "img" and not a.get("alt"):
            self.imgs_without_alt += 1
        if tag == "script":
            self.scripts += 1
        if tag == "section" and "id" in a:
            self.sections.append(a["id"])
        if tag == "svg":
            if self._svg_depth == 0:
                self.svgs.append(a)
                self._svg_first_child = True
            self._svg_depth += 1
            return
        if self._svg_depth and self._svg_first_child:
            self._svg_first_child = False
            if tag == "title":
                self.svg_titles += 1
        if re.fullmatch(r"h[1-6]", tag) and self._svg_depth == 0:
            self._h = int(tag[1])
            self._text = []

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg_depth -= 1
        if self._h is not None and tag == f"h{self._h}":
            self.headings.append((self._h, " ".join("".join(self._text).split())))
            self._h = None

    def handle_data(self, data):
        if self._h is not None:
            self._text.append(data)


def parse(path: Path) -> _Doc:
    d = _Doc()
    d.feed(path.read_text(encoding="utf-8"))
    return d


def check_page(path: Path) -> _Doc:
    """The HTML-quality checks every page must pass."""
    text = path.read_text(encoding="utf-8")
    d = parse(path)
    assert d.lang == "en" and d.charset
    # self-contained: no URL to any other host, no external resources at all
    assert not re.search(r"https?://", text), re.search(r".{60}https?://.{60}", text)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?//""", text)
    assert "@import" not in text and "@font-face" not in text
    for src in d.srcs:
        assert src.startswith("data:"), src
    for href in d.hrefs:
        assert href.startswith(("#", "data:")) or not re.match(r"^[a-z]+:", href), href
    assert d.scripts == 0
    # headings: one h1 first, never skipping a level
    levels = [h for h, _ in d.headings]
    assert levels and levels[0] == 1 and levels.count(1) == 1
    for a, b in zip(levels, levels[1:]):
        assert b <= a + 1, f"heading skips a level: {d.headings}"
    # alt text on every figure
    assert d.imgs_without_alt == 0
    for svg in d.svgs:
        assert svg.get("role") == "img" and svg.get("aria-label"), svg
    assert d.svg_titles == len(d.svgs)
    # ids unique; every in-page link resolves
    assert len(d.ids) == len(set(d.ids)), [i for i in d.ids if d.ids.count(i) > 1][:5]
    for href in d.hrefs:
        if href.startswith("#"):
            assert href[1:] in d.ids, href
        elif not href.startswith("data:"):
            assert (path.parent / href).exists(), href
    assert "<nav" in text or len(d.sections) <= 1
    assert "@media print" in text
    return d


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    from assetinv.simulate import write_sample

    folder = tmp_path_factory.mktemp("small") / "data"
    write_sample(folder, seed=11, n_schools=4, n_districts=2, respondents_per_school=14, n_interviews=8)
    return folder


@pytest.fixture(scope="module")
def small_ctx(small_data):
    return R.load_context(small_data)


@pytest.fixture
def fast(small_data, small_ctx, monkeypatch):
    """Reuse the small study's context (same inputs and parameters) to keep tests quick."""
    real = R.load_context

    def cached(data_dir=None, *, min_n=None, config=None, jobs=1):
        if data_dir is not None and Path(data_dir) == small_data and min_n in (None, 5) and config is None:
            return small_ctx
        return real(data_dir, min_n=min_n, config=config, jobs=jobs)

    monkeypatch.setattr(R, "load_context", cached)
    return cached


@pytest.fixture(scope="module")
def rendered(small_data, small_ctx, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render") / "reports"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(R, "load_context", lambda *a, **k: small_ctx)
        R.build_reports(data=small_data, out=out, progress=False)
    return out


def all_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- building blocks (stand-in frames)
def test_html_table_escapes_formats_and_blanks_suppressed():
    df = pd.DataFrame({"school": ["<A>", "B"], "n": [12, None], "mean": [3.14159, float("nan")]})
    html = html_table(df, columns={"school": "School", "n": "n", "mean": "Mean"}, caption="Stand-in")
    assert "&lt;A&gt;" in html and "<caption>Stand-in</caption>" in html
    assert '<td class="num">3.14</td>' in html
    assert '<td class="num"></td>' in html  # suppressed values are blank
    assert html_table(df.iloc[:0], caption="x").startswith('<p class="note">')
    signs = html_table(pd.DataFrame({"x": [-0.001, -1.5]}))
    assert '<td class="num">0.00</td>' in signs and '<td class="num">\u22121.50</td>' in signs


def test_figure_html_inline_svg_is_accessible_and_deterministic():
    import matplotlib.pyplot as plt

    def fig():
        f, ax = plt.subplots(figsize=(3, 2))
        ax.plot([1, 2, 3], [2, 1, 3])
        ax.fill_between([1, 2, 3], [1, 0, 2], [3, 2, 4], alpha=0.2)
        f.alt_text = "Line rising from 1 to 3"
        return f

    a, b = figure_html(fig(), "f1", caption="Cap"), figure_html(fig(), "f1", caption="Cap")
    assert a == b
    assert 'role="img"' in a and 'aria-label="Line rising from 1 to 3"' in a and "<title>" in a
    assert "http" not in a and "<?xml" not in a and "<metadata" not in a
    ids = re.findall(r'\sid="([^"]+)"', a)
    assert all(i.startswith("f1") for i in ids)


def test_section_to_html_has_heading_and_anchor():
    s = Section("x", "A & B", "<p>hi</p>")
    assert s.to_html().startswith('<section id="x"')
    assert '<h2 id="x-h">A &amp; B</h2>' in s.to_html()


def test_xlsx_is_byte_identical(tmp_path):
    t = {"a": pd.DataFrame({"s": ["x", "y"], "v": [1.5, float("nan")]}), "b" * 40: pd.DataFrame({"k": [1]})}
    R.write_xlsx(t, tmp_path / "1.xlsx")
    R.write_xlsx(t, tmp_path / "2.xlsx")
    assert (tmp_path / "1.xlsx").read_bytes() == (tmp_path / "2.xlsx").read_bytes()
    back = pd.read_excel(tmp_path / "1.xlsx", sheet_name=None)
    assert list(back) == ["a", "b" * 31, "data dictionary"]  # the dictionary sheet describes every column


# ---------------------------------------------------------------- end to end (small network)
def test_expected_files(rendered, small_ctx):
    files = all_files(rendered)
    for name in ["index.html", "network.html", "assetinv_tables.xlsx", "provenance.json"]:
        assert name in files
    for s in small_ctx.school_ids:
        assert f"schools/{s}.html" in files
    csvs = [f for f in files if f.startswith("tables/") and f.endswith(".csv")]
    assert len(csvs) >= 8 and {Path(f).stem for f in csvs} <= set(small_ctx.tables)
    for s in small_ctx.school_ids:
        assert f"schools/{s}-summary.html" in files  # the principal's one-page summary
    sheets = pd.read_excel(rendered / "assetinv_tables.xlsx", sheet_name=None)
    assert len(sheets) == len(csvs) + 1 and list(sheets)[-1] == "data dictionary"
    # no leftover temp folders beside the output
    assert not [p for p in rendered.parent.iterdir() if p.name.startswith(".reports.tmp")]


def test_school_report_sections_in_order(rendered, small_ctx):
    school = small_ctx.school_ids[0]
    d = parse(rendered / "schools" / f"{school}.html")
    assert d.sections == SCHOOL_ORDER
    ids = [s.id for s in R.school_report_sections(small_ctx, school)]
    assert ids == SCHOOL_ORDER


def test_every_page_passes_quality_checks(rendered):
    pages = [
        rendered / "index.html",
        rendered / "network.html",
        *sorted((rendered / "schools").glob("*.html")),
    ]
    for page in pages:
        check_page(page)
    net = parse(rendered / "network.html")
    assert len(net.svgs) >= 2


def test_index_links_every_report(rendered, small_ctx):
    d = parse(rendered / "index.html")
    for s in small_ctx.school_ids:
        assert f"schools/{s}.html" in d.hrefs
    assert "network.html" in d.hrefs
    assert "assetinv_tables.xlsx" in d.hrefs


def test_no_respondent_ids_in_outputs(rendered, small_ctx):
    ids = set(small_ctx.responses["respondent_id"].astype(str))
    assert ids
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    for name, data in all_files(rendered).items():
        if name.endswith(".xlsx"):
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as z:
                text = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            text = data.decode("utf-8")
        hits = [
            m.group(0)
            for m in pattern.finditer(text)
            if not re.match(r"[\w-]", text[m.end() : m.end() + 1] or " ")
            and not re.match(r"[\w-]", text[m.start() - 1 : m.start()] or " ")
        ]
        assert not hits, (name, hits[:3])


def test_provenance(rendered, small_data):
    prov = json.loads((rendered / "provenance.json").read_text())
    assert prov["assetinv_version"] and prov["instrument_version"]
    files = {i["file"]: i["sha256"] for i in prov["inputs"]}
    import hashlib

    from assetinv.instrument import load_instrument

    for name, sha in files.items():
        if name.endswith("(bundled)"):  # the bundled instrument the study.yaml names by version
            path = Path(load_instrument(prov["instrument_version"]).source)
            assert name == f"assetinv/data/{path.name} (bundled)"
        else:
            path = small_data / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert prov["parameters"]["min_n"] == 5
    assert "seed" in prov
    html = (rendered / "schools" / f"{prov['parameters']['schools'][0]}.html").read_text()
    for sha in files.values():
        assert sha in html


def test_rendering_twice_is_byte_identical(rendered, small_data, tmp_path):
    again = tmp_path / "again"
    R.build_reports(data=small_data, out=again, progress=False, jobs=2)
    a, b = all_files(rendered), all_files(again)
    assert sorted(a) == sorted(b)
    diff = [k for k in a if a[k] != b[k]]
    assert not diff, diff


def test_schools_subset_and_min_n(small_data, small_ctx, tmp_path):
    one = small_ctx.school_ids[1]
    res = R.build_reports(data=small_data, out=tmp_path / "sub", schools=[one], min_n=1000, progress=False)
    files = all_files(tmp_path / "sub")
    assert [f for f in files if f.startswith("schools/")] == [
        f"schools/{one}-summary.html",
        f"schools/{one}.html",
    ]
    assert res["schools"] == [one]
    prof = pd.read_csv(tmp_path / "sub" / "tables" / "asset_profile.csv")
    assert prof["mean"].isna().all() and (prof["suppressed"].fillna("") != "").all()
    html = (tmp_path / "sub" / "schools" / f"{one}.html").read_text()
    assert "fewer than 1000 respondents" in html
    with pytest.raises(R.DataError, match="unknown school"):
        R.build_reports(data=small_data, out=tmp_path / "bad", schools=["NOPE"], progress=False)


def test_keyboard_interrupt_leaves_no_partial_report(small_data, tmp_path, monkeypatch, fast):
    import assetinv.report.sections as RS

    out = tmp_path / "reports"
    out.mkdir()
    (out / "keep.txt").write_text("existing")
    calls = {"n": 0}
    real = RS.section_interviews

    def boom(ctx, school):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(ctx, school)

    monkeypatch.setattr(RS, "section_interviews", boom)
    with pytest.raises(KeyboardInterrupt):
        R.build_reports(data=small_data, out=out, progress=False, force=True)  # keep.txt: not ours
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    assert sorted(p.name for p in out.rglob("*")) == ["keep.txt"]


def test_cli_missing_data_is_a_clear_error(tmp_path, capsys):
    code = cli.main(["report", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "does not exist" in err and "Traceback" not in err and "--data" in err
    assert not (tmp_path / "o").exists()


def test_cli_invalid_data_is_a_clear_error(small_data, tmp_path, capsys):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(small_data, bad)
    (bad / "responses.csv").write_text("respondent_id,school\nR1,S01\n")
    code = cli.main(["report", "--data", str(bad), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "responses.csv" in err and "Traceback" not in err


def test_cli_unwritable_out_is_a_clear_error(small_data, tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    code = cli.main(["report", "--data", str(small_data), "--out", str(blocker / "reports"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write" in err and "--out" in err


def test_cli_help_lists_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    text = capsys.readouterr().out
    for opt in ["--data", "--config", "--out", "--schools", "--min-n", "--jobs", "--quiet"]:
        assert opt in text


def test_cli_renders_and_creates_missing_out(small_data, tmp_path, capsys, fast):
    out = tmp_path / "deep" / "er" / "reports"
    code = cli.main(["report", "--data", str(small_data), "--out", str(out), "--quiet", "--schools", "S01"])
    assert code == 0 and (out / "index.html").exists()


# ---------------------------------------------------------------- the bundled sample
def test_bundled_sample_end_to_end(tmp_path):
    """The README's main command on the bundled sample (two school reports, to keep CI quick)."""
    data = default_data_dir()
    assert (data / "study.yaml").is_file()
    ids = sorted(pd.read_csv(data / "schools.csv", dtype=str)["school"].tolist())
    pick = [ids[0], ids[-1]]
    res = R.build_reports(out=tmp_path / "reports", schools=pick, progress=False, jobs=2)
    assert res["schools"] == pick
    for page in ["index.html", "network.html", *(f"schools/{s}.html" for s in pick)]:
        check_page(tmp_path / "reports" / page)
    prof = pd.read_csv(tmp_path / "reports" / "tables" / "asset_profile.csv", dtype={"school": str})
    assert sorted(prof["school"].unique()) == ids


def test_one_wave_no_interviews_and_a_school_without_responses(small_data, tmp_path):
    """Partial studies still render: no follow-up, no codings, a listed school nobody answered for."""
    import shutil

    data = tmp_path / "partial"
    shutil.copytree(small_data, data)
    resp = pd.read_csv(data / "responses.csv", dtype=str)
    resp[resp["wave"] == "baseline"].to_csv(data / "responses.csv", index=False)
    roster = pd.read_csv(data / "roster.csv", dtype=str)
    roster[roster["wave"] == "baseline"].to_csv(data / "roster.csv", index=False)
    (data / "codings.csv").unlink()
    cfg = (data / "study.yaml").read_text()
    cfg = "\n".join(line for line in cfg.splitlines() if not line.startswith(("codings:", "followup:")))
    (data / "study.yaml").write_text(cfg + "\n")
    schools = pd.read_csv(data / "schools.csv", dtype=str)
    extra = pd.DataFrame(
        {"school": ["S99"], "district": [schools["district"].iloc[0]], "name": ["Quiet School"]}
    )
    pd.concat([schools, extra]).to_csv(data / "schools.csv", index=False)

    out = tmp_path / "reports"
    res = R.build_reports(data=data, out=out, schools=["S01", "S99"], progress=False)
    assert res["schools"] == ["S01", "S99"]
    for page in ["index.html", "network.html", "schools/S01.html", "schools/S99.html"]:
        check_page(out / page)
    quiet = (out / "schools" / "S99.html").read_text()
    assert "Too few staff" in quiet
    s01 = (out / "schools" / "S01.html").read_text()
    assert "Only one survey wave" in s01 and "No interview codings" in s01
    assert parse(out / "schools" / "S01.html").sections == SCHOOL_ORDER
