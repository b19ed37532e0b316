"""The ``assetinv`` command.

Subcommands:

* ``assetinv validate FILE...``  check survey exports, rosters or codings and print every problem;
* ``assetinv report``            render the network summary and one report per school into ``reports/``;
* ``assetinv simulate FOLDER``   write a seeded synthetic study (the bundled sample is made this way);
* ``assetinv map EXPORT``        draft a crosswalk (``responses:`` block of study.yaml) for a survey export.

Bad input never produces a traceback: the message is printed and the exit code is 2 (also when
``validate`` finds problems); 0 means every file is fine, 130 an interrupted run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__
from .errors import DataError


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import validate_file

    worst = 0
    for path in args.files:
        problems = validate_file(path, instrument=args.instrument, kind=args.kind)
        if problems:
            print(f"{path}: {len(problems)} problem(s)")
            for p in problems:
                print(f"  - {p}")
            worst = 2
        else:
            print(f"{path}: OK")
    return worst


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import write_sample

    written = write_sample(args.folder, seed=args.seed)
    for path in written:
        print(path)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .reports import build_reports

    build_reports(
        data=args.data,
        out=args.out,
        schools=args.schools,
        min_n=args.min_n,
        jobs=args.jobs,
        progress=not args.quiet,
        config=args.config,
    )
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from .crosswalk import _write_draft, draft_crosswalk

    cw = draft_crosswalk(args.export, instrument=args.instrument)
    text = _write_draft(cw, args.out, force=args.force)
    if args.out is None:
        sys.stdout.write(text)
    else:
        n = sum(p.confident for p in cw.columns)
        print(f"{args.out}: draft crosswalk written ({n} confident column lines, "
              f"{sum(not p.confident for p in cw.columns)} commented out for you to check)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assetinv",
        description="Analyse an Asset Inventory survey and interviews and render school reports.",
    )
    parser.add_argument("--version", action="version", version=f"assetinv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser("validate", help="check input files and list every problem found")
    v.add_argument("files", nargs="+", help="survey export(s), roster or codings (CSV, XLSX, SAV, QDPX)")
    v.add_argument("--instrument", default=None, help="instrument YAML (default: the bundled one)")
    v.add_argument(
        "--kind",
        choices=["auto", "responses", "roster", "codings"],
        default="auto",
        help="what the file holds (default: guessed from its columns)",
    )
    v.set_defaults(func=_cmd_validate)

    r = sub.add_parser("report", help="render the network summary and one HTML report per school")
    r.add_argument("--data", default=None, help="data folder (default: the bundled sample in data/)")
    r.add_argument("--config", default=None, help="study config YAML (default: DATA/study.yaml)")
    r.add_argument("--out", default="reports", help="output folder (default: reports/)")
    r.add_argument("--schools", nargs="*", default=None, help="render only these school ids")
    r.add_argument("--min-n", type=int, default=None, help="suppression minimum group size (default 5)")
    r.add_argument("--jobs", type=int, default=1, help="parallel worker processes (default 1)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_cmd_report)

    m = sub.add_parser("map", help="draft a crosswalk from a survey export's columns to the instrument")
    m.add_argument("export", type=Path, help="the survey export (CSV, XLSX, SAV/ZSAV, DTA)")
    m.add_argument("--instrument", default=None, help="instrument YAML (default: the bundled one)")
    m.add_argument("--out", default=None, help="write the draft to this YAML file (default: print it)")
    m.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    m.set_defaults(func=_cmd_map)

    s = sub.add_parser("simulate", help="write a seeded synthetic study into FOLDER")
    s.add_argument("folder", type=Path)
    s.add_argument("--seed", type=int, default=2026)
    s.set_defaults(func=_cmd_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except DataError as err:
        print(f"assetinv: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("assetinv: interrupted; no partial report was left behind.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
