"""The report layer: from a study folder to the published HTML, tables and PDFs.

One clear job per module, imported one way (each only imports those above it)::

    blocks    HTML building blocks: Section, html_table, figure_html, badges
    context   ReportContext and reading a study folder (read_study)
    pipeline  every network-level analysis, once (compute_analyses, load_context)
    reading   the plain-language pieces: banner, priorities, item detail, glossary
    sections  what each part of a report says (school, network, index)
    summary   the principal's one-page summary
    pdf       tagged PDFs through Chromium (optional)
    build     pages, CSV/XLSX tables, provenance and build_reports
    cli       the texts of the ``assetinv`` command (help examples, success summary)

Examples
--------
>>> from assetinv.report import load_context, school_report_sections
>>> ctx = load_context()  # doctest: +SKIP
>>> [s.id for s in school_report_sections(ctx, "S01")][:2]  # doctest: +SKIP
['summary', 'profile']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are loaded on first use, so `assetinv --help` stays fast
    from .blocks import Section, figure_html, html_table
    from .build import (
        build_reports,
        render_index,
        render_network,
        render_school,
        render_school_summary,
        write_xlsx,
    )
    from .context import ReportContext, default_data_dir, read_study, school_file_name
    from .pipeline import compute_analyses, load_context
    from .sections import index_sections, network_sections, school_report_sections

_HOME = {
    "Section": "blocks",
    "figure_html": "blocks",
    "html_table": "blocks",
    "build_reports": "build",
    "render_index": "build",
    "render_network": "build",
    "render_school": "build",
    "render_school_summary": "build",
    "write_xlsx": "build",
    "ReportContext": "context",
    "default_data_dir": "context",
    "read_study": "context",
    "school_file_name": "context",
    "compute_analyses": "pipeline",
    "load_context": "pipeline",
    "index_sections": "sections",
    "network_sections": "sections",
    "school_report_sections": "sections",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = [
    "ReportContext",
    "Section",
    "build_reports",
    "compute_analyses",
    "default_data_dir",
    "figure_html",
    "html_table",
    "index_sections",
    "load_context",
    "network_sections",
    "read_study",
    "render_index",
    "render_network",
    "render_school",
    "render_school_summary",
    "school_file_name",
    "school_report_sections",
    "write_xlsx",
]
