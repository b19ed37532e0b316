"""Texts of the ``assetinv`` command: ``--help`` examples and the summary printed on success."""
from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["EPILOGS", "success_summary"]


class formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the examples' line breaks in ``--help``."""


EPILOGS = {
    "assetinv": """examples:
  assetinv report                          render reports/ from the bundled sample data
  assetinv report --data my_study --pdf    your study (a folder with study.yaml), with PDFs
  assetinv validate responses.csv          list every problem in a survey export
  assetinv simulate sample --seed 7        write a synthetic study to try things on
  assetinv COMMAND --help                  the options of one command""",
    "report": """examples:
  assetinv report                                  the bundled sample -> reports/
  assetinv report --data my_study --out out        a study folder holding study.yaml
  assetinv report --schools S01 S07 --jobs 2       two school reports, two worker processes
  assetinv report --min-n 10 --pdf                 stricter suppression; PDFs next to the HTML

On success it prints how many reports were written and the path of index.html.
Exit codes: 0 written; 2 bad input (the message names file, row, column and fix); 130 interrupted.""",
    "validate": """examples:
  assetinv validate responses.csv
  assetinv validate export.sav roster.xlsx --all
  assetinv validate codings.qdpx --kind codings

Exit codes: 0 every file is fine; 2 problems were found (each printed with its fix).""",
    "map": """examples:
  assetinv map qualtrics_export.csv                       print a draft crosswalk
  assetinv map qualtrics_export.csv --out crosswalk.yaml  write it to a file to edit
  assetinv map project.qdpx --out codings.yaml            a QDA project's codes""",
    "simulate": """examples:
  assetinv simulate sample                 the bundled sample's design (seed 2026)
  assetinv simulate trial --seed 7         another seeded study
  assetinv simulate big --schools 2000 --interviews 4000   a network-sized study (for benchmarks)
  assetinv report --data sample            then render its reports""",
}


def success_summary(result: dict) -> str:
    """The lines printed after ``assetinv report`` succeeded: counts and where to start reading.

    Parameters
    ----------
    result : dict
        What :func:`assetinv.report.build_reports` returned.

    Returns
    -------
    str

    Examples
    --------
    >>> print(success_summary({"out": Path("reports"), "schools": ["S01"], "files": ["index.html",
    ...       "network.html", "schools/S01.html", "tables/a.csv"]}))  # doctest: +ELLIPSIS
    assetinv: wrote 1 school report(s), the network summary and 1 table(s) (4 files) to reports
    open .../reports/index.html
    """
    files = list(result.get("files", []))
    out = Path(result["out"])
    n_tables = sum(1 for f in files if str(f).startswith("tables/"))
    n_pdf = sum(1 for f in files if str(f).endswith(".pdf"))
    pdf = f", {n_pdf} PDF(s)" if n_pdf else ""
    lines = [f"assetinv: wrote {len(result.get('schools', []))} school report(s), the network summary and "
             f"{n_tables} table(s){pdf} ({len(files)} files) to {out}",
             f"open {(out / 'index.html').resolve()}"]
    return "\n".join(lines)
