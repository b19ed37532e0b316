"""Render the network summary and one self-contained HTML report per school.

One process does the whole job: :func:`assetinv.report.pipeline.load_context`
reads the study config and every input file once and runs the network-level
analyses once (scores, summaries, asset profiles, change, perception gaps,
reliability, interview tallies, coder agreement, joint display); then each
school's report is assembled from that context by the section functions of
:mod:`assetinv.report.sections` and a Jinja2 template. The school report
notebook (``notebooks/06_school_report.ipynb``) calls the very same functions,
so the notebook and ``assetinv report`` show the same content.

Outputs (in ``out``, default ``reports/``)::

    index.html              links every report; data quality and suppression notes
    network.html            the network summary
    schools/<school>.html   one report per school
    tables/<name>.csv       every table shown (suppressed values blank)
    assetinv_tables.xlsx    the same tables, one sheet each
    provenance.json         versions, input SHA-256, parameters, seed

Every file is byte-identical across runs from the same inputs: no timestamps,
fixed SVG ids, fixed XLSX zip dates. Files are rendered into a temporary folder
next to ``out`` and moved into place only when everything succeeded, so an
error or Ctrl-C never leaves a half-written report.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as _dt
import io as _io
import json
import multiprocessing
import os
import platform
import re
import shutil
import sys
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import matplotlib
import numpy as np
import pandas as pd
import scipy
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Font
from tqdm import tqdm

from .._version import __version__
from ..config import DEFAULTS
from ..disclosure import RELEASE_LEDGER as _RELEASE_FILE
from ..disclosure import compare_releases, release_ledger
from ..errors import DataError, Problem
from ..outdir import (
    MANIFEST_NAME,
    check_out,
    commit,
    make_temp,
    remove_own_temps,
    terminate_as_interrupt,
)
from ..safe_tables import append_safe_row, neutralise_frame
from ..table_dictionary import column_label, data_dictionary, tidy_for_output
from .blocks import Section
from .context import ReportContext, resolve_inputs, school_file_name
from .pdf import write_pdfs
from .pipeline import load_context
from .reading import banner_html
from .sections import index_sections, network_sections, school_report_sections
from .summary import summary_sections

__all__ = [
    "build_reports",
    "render_index",
    "render_network",
    "render_school",
    "render_school_summary",
    "write_xlsx",
]

_FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_FIXED_XLSX_TIME = "2000-01-01T00:00:00Z"


# ------------------------------------------------------------------ pages
def _css() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _env():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    return env


def _instrument_title(ctx: ReportContext) -> str:
    """The instrument's own name (a user's instrument is not called "Asset Inventory")."""
    return str(getattr(ctx.instrument, "name", "") or "Survey")


def _page(
    ctx: ReportContext,
    *,
    title: str,
    subtitle: str | None,
    sections: list[Section],
    back_href: str | None = None,
    network_href: str | None = None,
    footer: str = "",
    page_class: str = "",
) -> str:
    class _S:  # sections whose HTML is trusted (built by our own escaping helpers)
        def __init__(self, s: Section):
            self.id, self.title = s.id, s.title
            self._html = s.to_html()

        def to_html(self):
            return Markup(self._html)

    tpl = _env().get_template("page.html.j2")
    html = tpl.render(
        banner=Markup(banner_html(ctx)),
        page_class=page_class,
        title=title,
        subtitle=subtitle,
        sections=[_S(s) for s in sections],
        css=Markup(_css()),
        version=__version__,
        instrument_version=getattr(ctx.instrument, "version", "?"),
        instrument_name=_instrument_title(ctx),
        back_href=back_href,
        network_href=network_href,
        footer=footer,
    )
    # normalise: no trailing spaces, single final newline
    html = re.sub(r"[ \t]+\n", "\n", html)
    return html.rstrip("\n") + "\n"


def render_school(ctx: ReportContext, school: str) -> str:
    """The complete HTML of one school's report (a self-contained page)."""
    school = str(school)
    name = ctx.school_name(school)
    district = ctx.school_district(school)
    title = _instrument_title(ctx)
    sub = (
        f"School {school}"
        + (f" · district {district}" if district else "")
        + f" · {title} at partnership entry"
    )
    return _page(
        ctx,
        title=f"{title} report: {name}",
        subtitle=sub,
        sections=school_report_sections(ctx, school),
        back_href="../index.html",
        network_href="../network.html",
        footer="Groups smaller than the suppression minimum are never shown.",
        page_class="school",
    )


def render_network(ctx: ReportContext) -> str:
    """The complete HTML of the network summary."""
    return _page(
        ctx,
        title=f"{_instrument_title(ctx)}: network summary",
        subtitle=f"{len(ctx.school_ids)} schools · {_instrument_title(ctx)} at partnership entry",
        sections=network_sections(ctx),
        back_href="index.html",
        footer="Groups smaller than the suppression minimum are never shown.",
    )


def render_index(ctx: ReportContext, schools: Sequence[str], table_names: Sequence[str]) -> str:
    """The index page linking the network summary and every school report."""
    return _page(
        ctx,
        title=f"{_instrument_title(ctx)} reports",
        subtitle=f"{len(schools)} school report(s) and the network summary",
        sections=index_sections(ctx, schools, table_names),
        footer="Open any report in a browser; every file works offline.",
    )


def render_school_summary(ctx: ReportContext, school: str, file_name: str | None = None) -> str:
    """The complete HTML of a school's one-page summary (a self-contained page)."""
    name = ctx.school_name(school)
    district = ctx.school_district(school)
    sub = f"School {school}" + (f" · district {district}" if district else "") + " · one-page summary"
    return _page(
        ctx,
        title=f"{name}: {_instrument_title(ctx)} at a glance",
        subtitle=sub,
        sections=summary_sections(ctx, school, file_name),
        back_href="../index.html",
        network_href="../network.html",
        footer="Groups smaller than the suppression minimum are never shown.",
        page_class="school summary-page",
    )


# ------------------------------------------------------------------ files
DEFAULT_PRECISION = DEFAULTS.precision
#: columns kept with more decimals than ``precision`` (a p-value of 0.004 is not 0.00)
_P_COLUMNS = ("p_value",)


def _digits(column: str, precision: int) -> int:
    return max(precision, 3) if str(column) in _P_COLUMNS else precision


def _csv_bytes(df: pd.DataFrame, precision: int = DEFAULT_PRECISION) -> bytes:
    out = neutralise_frame(df)  # no cell a spreadsheet would run as a formula
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].astype("float64").round(_digits(c, precision))
    text = out.to_csv(index=False, lineterminator="\n", na_rep="")
    return text.encode("utf-8")


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    cand, k = base, 2
    while cand.lower() in used:
        suffix = f"~{k}"
        cand = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(cand.lower())
    return cand


def _cell(v: Any, digits: int = DEFAULT_PRECISION) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        # numpy's rounding, as the CSV (pandas) rounds: Python's round(0.975, 2) is 0.97, numpy's 0.98
        return None if np.isnan(v) else float(np.round(float(v), digits))
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, sort_keys=True)
    return v if isinstance(v, (int, str, bool)) else str(v)


def write_xlsx(
    tables: dict[str, pd.DataFrame],
    path: str | os.PathLike,
    *,
    readable: bool = True,
    labels: dict | None = None,
    precision: int = DEFAULT_PRECISION,
) -> Path:
    """Write every table to one workbook, one sheet each, byte-for-byte reproducibly.

    The workbook's created/modified properties are fixed and the zip entries
    get a fixed date, so the same tables always give the same bytes.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Sheet name (truncated to 31 characters) → table.
    path : path
        Destination ``.xlsx``.
    readable : bool
        Readable column headers (``ci_low`` → "95% CI low") and a last sheet,
        "data dictionary", describing every column of every sheet (its CSV
        name, its header and what it holds). ``False`` writes the CSV names.
    labels : dict, optional
        Answer code → label, for describing the ``pct_k`` columns.
    precision : int
        Decimals of every non-integer number (default 2; p-values keep at
        least 3), as in the CSV tables: fewer decimals make differencing two
        releases less exact (see docs/privacy.md).

    Returns
    -------
    Path
    """
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    bold = Font(bold=True)
    sheets = {}
    for name in tables:
        sheets[name] = _sheet_name(name, used)
    dictionary = data_dictionary(tables, sheets, labels)
    out_tables = dict(tables)
    if readable:
        out_tables["data dictionary"] = dictionary[["sheet", "column", "header", "description"]]
        sheets["data dictionary"] = _sheet_name("data dictionary", used)
    for name, df in out_tables.items():
        ws = wb.create_sheet(sheets[name])
        if name == "data dictionary":
            heads = [str(c).capitalize() for c in df.columns]
        elif readable:
            heads = []
            for c in df.columns:  # readable, and unique within the sheet
                h = column_label(str(c))
                heads.append(h if h not in heads else f"{h} ({c})")
        else:
            heads = [str(c) for c in df.columns]
        append_safe_row(ws, heads)
        for cell in ws[1]:
            cell.font = bold
        digits = [_digits(c, precision) for c in df.columns]
        for rec in df.itertuples(index=False, name=None):
            append_safe_row(ws, [_cell(v, k) for v, k in zip(rec, digits)])  # text is never a formula cell
        ws.freeze_panes = "A2"
    fixed = _dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "assetinv"
    wb.properties.lastModifiedBy = "assetinv"
    raw = _io.BytesIO()
    wb.save(raw)
    # Re-zip with fixed entry dates and fixed core-properties timestamps.
    out = _io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in sorted(zin.infolist(), key=lambda i: (i.filename != "[Content_Types].xml", i.filename)):
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + _FIXED_XLSX_TIME.encode() + m.group(2),
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 3
            zout.writestr(zi, data, compresslevel=6)
    Path(path).write_bytes(out.getvalue())
    return Path(path)


def _provenance(ctx: ReportContext, schools: Sequence[str]) -> dict:
    return {
        "assetinv_version": __version__,
        "instrument_version": getattr(ctx.instrument, "version", None),
        "inputs": ctx.inputs,
        "config_file": ctx.config_file,
        "parameters": {
            "min_n": ctx.min_n,
            "min_response_rate": ctx.config.get("min_response_rate")
            if isinstance(ctx.config, dict)
            else None,
            "precision": int(ctx.results.get("precision", DEFAULT_PRECISION)),
            "schools": list(schools),
        },
        "seed": ctx.seed,
        "disclosure": ctx.results["disclosure"].summary() if "disclosure" in ctx.results else None,
        "software": {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "matplotlib": matplotlib.__version__,
        },
    }


# ------------------------------------------------------------------ build
_WORKER_CTX: ReportContext | None = None


def _write_school(ctx: ReportContext, tmp: Path, school: str) -> str:
    """Render one school's report and one-page summary into ``tmp/schools``."""
    name = school_file_name(ctx, school)
    (tmp / "schools" / f"{name}.html").write_bytes(render_school(ctx, school).encode("utf-8"))
    summary = render_school_summary(ctx, school, file_name=name)
    (tmp / "schools" / f"{name}-summary.html").write_bytes(summary.encode("utf-8"))
    return school


def _school_worker(tmp: Path, schools: Sequence[str]) -> list[str]:
    """In a forked worker: the network computations are inherited through ``_WORKER_CTX``, never pickled."""
    assert _WORKER_CTX is not None
    return [_write_school(_WORKER_CTX, tmp, s) for s in schools]


def _chunks(items: Sequence[str], jobs: int) -> list[list[str]]:
    """Small batches (about 8 per worker and at least one school each) so the workers stay evenly loaded."""
    size = max(1, min(25, len(items) // (8 * jobs) or 1))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _progress(total: int | None, enabled: bool, desc: str):
    tqdm.monitor_interval = 0  # no monitor thread (we may fork)
    on = bool(enabled) and sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit="report", file=sys.stderr, disable=not on, leave=False)


def _prepare_out(out: Path) -> Path:
    """Create ``out`` (and parents) and a fresh temp folder beside it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not out.is_dir():
            raise NotADirectoryError(str(out))
        tmp = make_temp(out)
    except OSError as err:
        raise DataError(
            Problem(
                file=str(out),
                message=f"cannot write the output folder ({err.strerror or err.__class__.__name__})",
                fix="choose a folder you can write to with --out",
            )
        ) from None
    return tmp


def _commit(tmp: Path, out: Path, force: bool = False) -> None:
    """Move every file rendered in ``tmp`` into ``out`` under the manifest rules of :mod:`assetinv.outdir`."""
    commit(tmp, out, force=force)


def build_reports(
    data: str | os.PathLike | None = None,
    out: str | os.PathLike = "reports",
    schools: Iterable[str] | None = None,
    min_n: int | None = None,
    jobs: int = 1,
    progress: bool = True,
    config: str | os.PathLike | None = None,
    precision: int | None = None,
    release_ledger: bool | None = None,
    force: bool = False,
    pdf: bool = False,
) -> dict:
    """Render the index, the network summary, every school report and all tables.

    Parameters
    ----------
    data : path, optional
        Data folder (default: the bundled sample).
    out : path
        Output folder (created if missing; default ``reports``).
    schools : iterable of str, optional
        Render only these school ids (default: every school).
    min_n : int, optional
        Suppression minimum (default: the config's ``min_n``, else 5).
    jobs : int
        Worker processes for the school reports (default 1: in this process).
    progress : bool
        Show a progress bar on stderr (only when stderr is a terminal).
    config : path, optional
        Study config (default ``DATA/study.yaml``).
    precision : int, optional
        Decimals of means and other non-integer numbers in the CSV and XLSX
        tables (default: the config's ``precision``, else 2).
    release_ledger : bool, optional
        Keep ``OUT/.assetinv-release.json`` (the published group sizes) and warn
        when a group changed by fewer than ``min_n`` respondents since the
        previous release in ``out`` (default: the config's ``release_ledger``,
        else True).
    force : bool
        Write into a non-empty ``out`` that has no assetinv manifest (nothing in
        it is deleted; see :mod:`assetinv.outdir`).
    pdf : bool
        Also print every page to a tagged PDF beside it, offline, with Debian's
        Chromium through Playwright (:func:`assetinv.report.pdf.write_pdfs`).

    Returns
    -------
    dict
        ``out`` (Path), ``files`` (list of relative paths written), ``schools``,
        ``warnings`` (differencing warnings against the previous release).

    Raises
    ------
    DataError
        Missing or invalid inputs, unknown school ids, unwritable ``out``.

    Examples
    --------
    >>> import tempfile
    >>> res = build_reports(out=tempfile.mkdtemp(), schools=["S01"], progress=False)  # doctest: +SKIP
    >>> sorted(res["files"])[:2]  # doctest: +SKIP
    ['assetinv_tables.xlsx', 'index.html']
    """
    out = Path(out)
    resolve_inputs(data, config)  # fail fast on a missing data folder or config
    check_out(out, force=force)  # fail fast on a folder assetinv does not own
    with terminate_as_interrupt(), _one_blas_thread():  # SIGTERM cleans up like Ctrl-C
        try:
            shutil.rmtree(_prepare_out(out))  # fail fast on an output folder we cannot write
            return _build(
                data, out, schools, min_n, jobs, progress, config, force, pdf, precision, release_ledger
            )
        except BaseException:
            remove_own_temps(out)  # also one whose creation a signal interrupted
            raise


def _one_blas_thread():
    """BLAS on one thread for the whole run.

    The report's linear algebra is thousands of small products and SVDs (the disclosure audit, the
    per-school fits); a threaded BLAS spends more time waking its threads than computing, 20x more on a
    busy 2-core machine. ``--jobs`` gives the parallelism instead, one worker per core.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _build(
    data,
    out: Path,
    schools,
    min_n,
    jobs,
    progress,
    config,
    force,
    pdf=False,
    precision=None,
    release_ledger=None,
) -> dict:
    bar = _progress(None, progress, "assetinv: reading data, running analyses")
    bar.bar_format = "{desc} ..."
    bar.refresh()
    try:
        ctx = load_context(data, min_n=min_n, config=config, jobs=int(jobs or 1))
        ctx.results["precision"] = _precision(ctx, precision)
        selected = _select_schools(ctx, schools)
        bar.bar_format = None
        bar.reset(total=len(selected) + 2)
        bar.set_description("assetinv: rendering reports")
        tmp = _prepare_out(out)
        try:
            files = _render_all(ctx, selected, tmp, jobs, bar, pdf)
            warnings = _release_ledger(ctx, tmp, out, release_ledger)
            files = sorted(set(files) | ({_RELEASE_FILE} if (tmp / _RELEASE_FILE).is_file() else set()))
            _commit(tmp, out, force)
            files = sorted(files + [MANIFEST_NAME])
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        bar.close()
    return {"out": out, "files": files, "schools": selected, "warnings": warnings}


def _precision(ctx: ReportContext, precision: int | None) -> int:
    p = precision if precision is not None else ctx.config.get("precision", DEFAULT_PRECISION)
    if p is None:
        p = DEFAULT_PRECISION
    if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= 9:
        raise DataError(
            Problem(
                file="--precision",
                message=f"must be a whole number from 0 to 9 (got {p!r})",
                fix="e.g. --precision 2",
            )
        )
    return int(p)


def _release_ledger(ctx: ReportContext, tmp: Path, out: Path, enabled: bool | None) -> list[str]:
    """Write this release's group sizes into ``tmp``; warn against the previous release in ``out``."""
    on = enabled if enabled is not None else ctx.config.get("release_ledger", DEFAULTS.release_ledger)
    if not on:
        return []
    current = release_ledger(ctx)
    warnings: list[str] = []
    prev_path = out / _RELEASE_FILE
    if prev_path.is_file() and not prev_path.is_symlink():
        try:
            previous = json.loads(prev_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
            warnings.append(f"{prev_path}: the previous release ledger is unreadable; it is replaced")
        if isinstance(previous, dict):
            warnings += compare_releases(previous, current, ctx.min_n)
    text = json.dumps(current, indent=1, sort_keys=True) + "\n"
    (tmp / _RELEASE_FILE).write_bytes(text.encode("utf-8"))
    return warnings


def _select_schools(ctx: ReportContext, schools: Iterable[str] | None) -> list[str]:
    all_ids = ctx.school_ids
    if not schools:
        return all_ids
    wanted = [str(s) for s in schools]
    unknown = [s for s in wanted if s not in all_ids]
    if unknown:
        raise DataError(
            Problem(
                file="--schools",
                message=f"unknown school id(s): {', '.join(unknown)}",
                fix=f"use ids from schools.csv: {', '.join(all_ids)}",
            )
        )
    return sorted(set(wanted))


def _render_all(
    ctx: ReportContext, selected: list[str], tmp: Path, jobs: int, bar, pdf: bool = False
) -> list[str]:
    """Render every output file into ``tmp``; return their relative paths."""
    (tmp / "schools").mkdir()
    (tmp / "tables").mkdir()
    if jobs and jobs > 1 and len(selected) > 1:
        _render_schools_forked(ctx, selected, tmp, int(jobs), bar)
    else:
        for s in selected:
            _write_school(ctx, tmp, s)
            bar.update(1)
    (tmp / "network.html").write_bytes(render_network(ctx).encode("utf-8"))
    bar.update(1)
    tables = _tables_for_output(ctx, selected)
    precision = int(ctx.results.get("precision", DEFAULT_PRECISION))
    for name, df in tables.items():
        (tmp / "tables" / f"{name}.csv").write_bytes(_csv_bytes(df, precision))
    write_xlsx(
        tables,
        tmp / "assetinv_tables.xlsx",
        labels=dict(getattr(ctx.instrument, "labels", {}) or {}),
        precision=precision,
    )
    (tmp / "index.html").write_bytes(render_index(ctx, selected, list(tables)).encode("utf-8"))
    prov = json.dumps(_provenance(ctx, selected), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (tmp / "provenance.json").write_bytes(prov.encode("utf-8"))
    if pdf:
        write_pdfs(sorted(p for p in tmp.rglob("*.html")))
    bar.update(1)
    return sorted(str(p.relative_to(tmp)).replace(os.sep, "/") for p in tmp.rglob("*") if p.is_file())


def _render_schools_forked(ctx: ReportContext, selected: list[str], tmp: Path, jobs: int, bar) -> None:
    """School pages in ``jobs`` forked workers that share the context computed once in this process."""
    global _WORKER_CTX
    _WORKER_CTX = ctx  # inherited by the forked workers: nothing is pickled but school ids
    try:
        mp = multiprocessing.get_context("fork")
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=mp) as pool:
            futs = [pool.submit(_school_worker, tmp, chunk) for chunk in _chunks(selected, jobs)]
            try:
                for fut in cf.as_completed(futs):
                    bar.update(len(fut.result()))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        _WORKER_CTX = None


def _tables_for_output(ctx: ReportContext, selected: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Every table shown (network-wide and tidy; school reports show slices), fixed order.

    Each gets a school-name column next to its school ids, and counts are written as integers
    (:func:`assetinv.table_dictionary.tidy_for_output`).
    """
    names = {s: ctx.school_name(s) for s in ctx.school_ids}
    return {name: tidy_for_output(name, df.reset_index(drop=True), names) for name, df in ctx.tables.items()}
