"""The ``assetinv`` command.

Subcommands:

* ``assetinv validate FILE...``  check survey exports, rosters or codings and print every problem;
* ``assetinv report``            render the network summary and one report per school into ``reports/``;
* ``assetinv simulate FOLDER``   write a seeded synthetic study (the bundled sample is made this way);
* ``assetinv map EXPORT``        draft a crosswalk (``responses:`` block of study.yaml) for a survey export, or
                                 the ``codings:`` block (codes and cases) for a QDA project or coded table;
* ``assetinv plan``              print how many staff a school needs per domain, from a pilot or the sample.

Bad input never produces a traceback: the message is printed and the exit code is 2 (also when
``validate`` finds problems); 0 means every file is fine, 130 an interrupted run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__
from .config import DEFAULTS
from .errors import DataError

#: Problems printed per file or error before "... and N more" (``--all`` prints every one).
MAX_PROBLEMS_SHOWN = 50


def _shown(problems: list, show_all: bool) -> tuple[list, str | None]:
    """The problems to print and the closing line for those left out."""
    if show_all or len(problems) <= MAX_PROBLEMS_SHOWN:
        return list(problems), None
    rest = len(problems) - MAX_PROBLEMS_SHOWN
    return list(
        problems[:MAX_PROBLEMS_SHOWN]
    ), f"\u2026 and {rest} more (run again with --all to list every problem)"


def _error_text(err: DataError, show_all: bool) -> str:
    if not err.problems:
        return str(err)
    shown, more = _shown(err.problems, show_all)
    lines = [str(p) for p in shown] + ([more] if more else [])
    head = f"{len(err.problems)} problems found:\n" if len(err.problems) > 1 else ""
    return head + "\n".join(lines)


def _print_findings(findings: list, stream, show_all: bool) -> None:
    """Whole-study findings, one a line, capped like file problems (``--all`` prints every one)."""
    shown, more = _shown(findings, show_all)
    for f in shown:
        print(f"  - {f}", file=stream)
    if more:
        print(f"  {more}", file=stream)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import _instrument_beside, validate_file
    from .study_check import _summary, validate_study

    worst = 0
    for path in args.files:
        if Path(path).is_dir():  # a study folder: every file through its crosswalk, then across files
            check = validate_study(path, instrument=args.instrument)
            print(_summary(check))
            _print_findings(check.findings, sys.stdout, getattr(args, "all", False))
            worst = max(worst, 0 if check.ok else 2)
            continue
        problems = validate_file(path, instrument=args.instrument, kind=args.kind)
        beside = _instrument_beside(Path(path))[0] if args.instrument is None else None
        if beside is not None:
            print(f"{path}: checked against instrument {beside}, as study.yaml in its folder says")
        if problems:
            print(f"{path}: {len(problems)} problem(s)")
            shown, more = _shown(problems, getattr(args, "all", False))
            for p in shown:
                print(f"  - {p}")
            if more:
                print(f"  {more}")
            worst = 2
        else:
            print(f"{path}: OK")
    return worst


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .errors import Problem
    from .simulate import write_sample

    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(
            Problem(str(folder), "is a file, not a folder", "give a folder name for the synthetic study")
        )
    if folder.is_dir() and any(folder.iterdir()) and not args.force:
        shown = sorted(p.name for p in folder.iterdir())
        raise DataError(
            Problem(
                str(folder),
                f"the folder is not empty ({', '.join(shown[:5])}{' …' if len(shown) > 5 else ''}); "
                "simulate would overwrite files such as responses.csv and study.yaml",
                "choose a new or empty folder, or pass --force to overwrite the synthetic study's files "
                "(other files are left alone)",
            )
        )
    size = {
        k: v
        for k, v in (
            ("n_schools", args.schools),
            ("n_districts", args.districts),
            ("respondents_per_school", args.respondents),
            ("n_interviews", args.interviews),
        )
        if v is not None
    }
    for k, v in size.items():
        if v < 1:
            raise DataError(Problem(f"--{k}", f"must be at least 1 (got {v})", "e.g. --schools 120"))
    written = write_sample(args.folder, seed=args.seed, **size)
    for path in written:
        print(path)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report.build import build_reports
    from .report.context import default_data_dir
    from .study_check import validate_study

    folder = (
        Path(args.data)
        if args.data is not None
        else (Path(args.config).resolve().parent if args.config is not None else default_data_dir())
    )
    if folder.is_dir():  # (a missing folder is reported by build_reports)
        check = validate_study(folder, config=args.config)
        if not check.ok:
            print(
                f"assetinv: error: the study in {folder} has {len(check.errors)} error(s); nothing was "
                "rendered. Fix them (`assetinv validate FOLDER` lists them again):",
                file=sys.stderr,
            )
            _print_findings(check.errors, sys.stderr, getattr(args, "all", False))
            return 2
        if check.warnings:
            print(f"assetinv: {len(check.warnings)} warning(s) about the study in {folder}:", file=sys.stderr)
            _print_findings(check.warnings, sys.stderr, getattr(args, "all", False))

    res = build_reports(
        data=args.data,
        out=args.out,
        schools=args.schools,
        min_n=args.min_n,
        jobs=args.jobs,
        progress=not args.quiet,
        config=args.config,
        precision=args.precision,
        release_ledger=False if args.no_release_ledger else None,
        force=args.force,
        pdf=args.pdf,
    )
    for w in res.get("warnings", []) if isinstance(res, dict) else []:
        print(f"assetinv: warning: {w}", file=sys.stderr)
    from .report.cli import success_summary

    print(success_summary(res))
    return 0


# ---- assetinv plan ---------------------------------------------------------------
def _cmd_plan(args: argparse.Namespace) -> int:
    from .io import read_config, read_responses
    from .planning import plan_survey
    from .report.context import resolve_inputs

    if args.responses is not None:
        path = Path(args.responses)
    else:
        _, config_path = resolve_inputs(args.data, args.config)
        path = Path(read_config(config_path)["responses"])
    responses = read_responses(path)
    try:
        plan = plan_survey(responses, wave=args.wave, targets=tuple(args.targets), sizes=tuple(args.sizes))
    except ValueError as err:
        from .errors import Problem

        raise DataError(
            Problem(
                file=str(path),
                message=str(err),
                fix="a pilot needs at least 2 schools with 2 or more answers each; "
                "check --wave, --targets (between 0 and 1) and --sizes (2 or more)",
            )
        ) from None
    print(f"Survey plan from {path.name} ({len(responses)} responses)")
    for msg in plan.warnings:
        print(f"note: {msg}")
    print(plan.summary())
    return 0


def _add_plan_parser(sub) -> None:
    p = sub.add_parser("plan", help="respondents a school needs per domain, and the change it can detect")
    p.add_argument(
        "--data", default=None, help="pilot data folder with study.yaml (default: the bundled sample)"
    )
    p.add_argument("--config", default=None, help="study config YAML (default: DATA/study.yaml)")
    p.add_argument("--responses", default=None, help="a pilot survey export instead of a data folder")
    p.add_argument("--wave", default=None, help="plan from this wave (default: the first in the data)")
    p.add_argument(
        "--targets",
        type=float,
        nargs="+",
        default=[0.70, 0.80],
        help="school-mean reliabilities to plan for (default .70 .80)",
    )
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[5, 10, 15, 20, 30],
        help="staff per wave for the detectable change (default 5 10 15 20 30)",
    )
    p.set_defaults(func=_cmd_plan)


def _cmd_map(args: argparse.Namespace) -> int:
    from .crosswalk import _write_draft, draft_crosswalk
    from .crosswalk_qda import draft_codings_crosswalk, is_codings_file, write_codings_draft

    if is_codings_file(args.export):  # a QDA project or coded table: the codings: block
        d = draft_codings_crosswalk(args.export, instrument=args.instrument)
        text = write_codings_draft(d, args.out, force=args.force)
        if args.out is None:
            sys.stdout.write(text)
        else:
            n = int(d.codes["confident"].sum())
            print(
                f"{args.out}: draft codings crosswalk written ({n} confident code lines, "
                f"{len(d.codes) - n} commented out for you to check)"
            )
        return 0

    cw = draft_crosswalk(args.export, instrument=args.instrument)
    text = _write_draft(cw, args.out, force=args.force)
    if args.out is None:
        sys.stdout.write(text)
    else:
        n = sum(p.confident for p in cw.columns)
        print(
            f"{args.out}: draft crosswalk written ({n} confident column lines, "
            f"{sum(not p.confident for p in cw.columns)} commented out for you to check)"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``assetinv`` argument parser; building it imports no analysis module (fast ``--help``).

    Examples
    --------
    >>> args = build_parser().parse_args(["report", "--schools", "S01", "S07", "--jobs", "2"])
    >>> args.command, args.schools, args.jobs, args.out
    ('report', ['S01', 'S07'], 2, 'reports')
    """
    from .report.cli import EPILOGS, formatter

    parser = argparse.ArgumentParser(
        prog="assetinv",
        description="Analyze an Asset Inventory survey and interviews and render school reports.",
        epilog=EPILOGS["assetinv"],
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"assetinv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_validate_parser(sub)
    _add_report_parser(sub)
    _add_map_parser(sub)
    _add_simulate_parser(sub)
    _add_plan_parser(sub)
    return parser


def _subcommand(sub, name: str, help: str) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` with its help line, its epilog and the shared formatter."""
    from .report.cli import EPILOGS, formatter

    return sub.add_parser(name, help=help, epilog=EPILOGS[name], formatter_class=formatter)


def _add_all_flag(p: argparse.ArgumentParser) -> None:
    """``--all``: print every problem, not only the first few."""
    p.add_argument(
        "--all", action="store_true", help=f"print every problem (default: the first {MAX_PROBLEMS_SHOWN})"
    )


def _add_validate_parser(sub) -> None:
    """``assetinv validate``: check input files."""
    v = _subcommand(sub, "validate", "check input files and list every problem found")
    v.add_argument(
        "files",
        nargs="+",
        help="survey export(s), roster or codings (CSV, XLSX, SAV, QDPX), or a "
        "study folder holding study.yaml (the whole study, across files)",
    )
    v.add_argument(
        "--instrument",
        default=None,
        help="instrument version or YAML (default: instrument: of a study.yaml beside the file, else the bundled one)",
    )
    v.add_argument(
        "--kind",
        choices=["auto", "responses", "roster", "codings"],
        default="auto",
        help="what the file holds (default: guessed from its columns)",
    )
    _add_all_flag(v)
    v.set_defaults(func=_cmd_validate)


def _add_report_parser(sub) -> None:
    """``assetinv report``: render the reports."""
    r = _subcommand(sub, "report", "render the network summary and one HTML report per school")
    r.add_argument("--data", default=None, help="data folder (default: the bundled sample in data/)")
    r.add_argument("--config", default=None, help="study config YAML (default: DATA/study.yaml)")
    r.add_argument("--out", default="reports", help="output folder (default: reports/)")
    r.add_argument("--schools", nargs="*", default=None, help="render only these school ids")
    r.add_argument(
        "--min-n", type=int, default=None, help=f"suppression minimum group size (default {DEFAULTS.min_n})"
    )
    r.add_argument("--jobs", type=int, default=1, help="parallel worker processes (default 1)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument(
        "--precision",
        type=int,
        default=None,
        help=f"decimals of means in the CSV and XLSX tables (default {DEFAULTS.precision}, "
        "or the config's precision)",
    )
    r.add_argument(
        "--no-release-ledger",
        action="store_true",
        help="do not keep OUT/.assetinv-release.json nor warn about small changes since the last release",
    )
    r.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty --out folder that assetinv did not create (nothing in it is deleted)",
    )
    _add_all_flag(r)
    r.add_argument(
        "--pdf",
        action="store_true",
        help="also write an accessible (tagged) PDF of every report, offline, with Chromium",
    )
    r.set_defaults(func=_cmd_report)


def _add_map_parser(sub) -> None:
    """``assetinv map``: draft a crosswalk."""
    m = _subcommand(
        sub,
        "map",
        "draft a crosswalk from a survey export's columns, or a QDA project's codes, to the instrument",
    )
    m.add_argument(
        "export",
        type=Path,
        help="the survey export (CSV, XLSX, SAV/ZSAV, DTA), or a QDA project (.qdpx, .qdc) or coded CSV/XLSX",
    )
    m.add_argument("--instrument", default=None, help="instrument YAML (default: the bundled one)")
    m.add_argument("--out", default=None, help="write the draft to this YAML file (default: print it)")
    m.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    m.set_defaults(func=_cmd_map)


def _add_simulate_parser(sub) -> None:
    """``assetinv simulate``: write a synthetic study."""
    s = _subcommand(sub, "simulate", "write a seeded synthetic study into FOLDER")
    s.add_argument("folder", type=Path, help="folder to write the study into (created if missing)")
    s.add_argument(
        "--seed",
        type=int,
        default=2026,
        help="random seed; the same seed gives the same files (default 2026, the bundled sample)",
    )
    s.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that is not empty (overwrites the synthetic study's files)",
    )
    s.add_argument("--schools", type=int, default=None, metavar="N", help="number of schools (default 12)")
    s.add_argument("--districts", type=int, default=None, metavar="N", help="number of districts (default 3)")
    s.add_argument(
        "--respondents",
        type=int,
        default=None,
        metavar="N",
        help="survey respondents per school and wave (default 25)",
    )
    s.add_argument(
        "--interviews",
        type=int,
        default=None,
        metavar="N",
        help="coded interviews in the whole network (default 24)",
    )
    s.set_defaults(func=_cmd_simulate)


def main(argv: list[str] | None = None) -> int:
    """Run the ``assetinv`` command; return its exit code (0 fine, 2 bad input, 130/143 interrupted).

    Examples
    --------
    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "responses.csv"
    >>> _ = bad.write_text("respondent_id,school\\nr1,S01\\n", encoding="utf-8")
    >>> main(["validate", str(bad)])  # doctest: +ELLIPSIS
    /.../responses.csv: ... problem(s)
      - file responses.csv...
    2
    """
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help(sys.stderr)  # no command: show what there is, and fail like any usage error
        return 2
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except DataError as err:
        print(f"assetinv: error: {_error_text(err, getattr(args, 'all', False))}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            f"assetinv: error: the machine ran out of memory during `assetinv {args.command}`; no partial "
            "output was left behind. Fix: close other programs or use a machine with more memory; for a "
            "very large network, the disclosure audit is the largest step (docs/reports.md, 'Speed at network scale').",
            file=sys.stderr,
        )
        return 3
    except KeyboardInterrupt as err:
        from .outdir import Terminated

        if isinstance(err, Terminated):
            print("assetinv: terminated (SIGTERM); no partial report was left behind.", file=sys.stderr)
            return 143
        print("assetinv: interrupted; no partial report was left behind.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
