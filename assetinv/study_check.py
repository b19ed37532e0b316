"""Whole-study validation: every file through its crosswalk, then the checks across files.

``assetinv validate STUDY_FOLDER`` (a folder holding ``study.yaml``) runs :func:`validate_study`.
Each file named in ``study.yaml`` is read the way ``assetinv report`` reads it (responses and codings
through their crosswalks), and every problem it has is an **error**. Then the files are compared:

* school ids in the responses, roster or codings that ``schools.csv`` lacks are errors, with a
  did-you-mean when the id differs from a listed one only in case, spaces, hyphens, underscores or
  leading zeros (``s01``, ``S 01``, ``S1`` for ``S01``); district staff may use their district's id as
  the school;
* a school whose district differs between files is an error;
* a wave the instrument does not know, or a role the instrument does not list, found in the roster or
  the codings, is an error (the readers already refuse them in responses);
* responses for a school, role and wave the roster does not list (their response rate is unknown) and
  roster rows nobody answered are warnings; more responses than staff invited (a rate above 100%) is an
  error;
* a school in ``schools.csv`` with no responses at all is a warning.

Each finding names the file, the row (spreadsheet numbering, header = 1) where it can, the column and
the fix. ``assetinv report`` runs the same check first: it refuses a study with errors (exit code 2)
and prints the warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError, Problem
from .ids import natural_key
from .instrument import resolve

__all__ = ["Finding", "StudyCheck", "print_findings", "validate_study"]


@dataclass(frozen=True)
class Finding:
    """One finding of :func:`validate_study`: ``level`` is ``"error"`` or ``"warning"``.

    Examples
    --------
    >>> print(Finding("warning", Problem("roster.csv", "nobody answered for S04", "check the roster", row=5)))
    warning: file roster.csv, row 5: nobody answered for S04. Fix: check the roster
    """

    level: str
    problem: Problem

    def __str__(self) -> str:
        return f"{self.level}: {self.problem}"


@dataclass
class StudyCheck:
    """The result of :func:`validate_study`: every finding, and the errors and warnings among them.

    Examples
    --------
    >>> check = StudyCheck(Path("my_study"))
    >>> check.add("warning", "schools.csv", "school S09 has no responses", "survey it or drop it", row=10)
    >>> check.ok, len(check.warnings), len(check.errors)
    (True, 1, 0)
    """

    folder: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """The findings of level error."""
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings of level warning."""
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def add(self, level: str, file, message: str, fix: str, row=None, column=None) -> None:
        """Record a finding."""
        self.findings.append(Finding(level, Problem(str(file), message, fix, row=row, column=column)))


def _id_key(s: str) -> str:
    """Id compared loosely: case, spaces, hyphens, underscores, dots and leading zeros ignored."""
    t = re.sub(r"[\s_\-.]+", "", str(s)).casefold()
    return re.sub(r"(?<!\d)0+(?=\d)", "", t)


def _name(path, folder: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(folder.resolve()))
    except ValueError:
        return Path(path).name


# ------------------------------------------------------------------ rows in the original files
def _raw_rows(path: Path, column_names: list[str], values_map: dict | None = None) -> dict[str, list[int]]:
    """Value -> spreadsheet rows where a column (any of ``column_names``) holds it, read from the file itself."""
    from . import io as _io

    try:
        raw = _io._read_raw(path)
    except Exception:  # noqa: BLE001 - rows are a courtesy; the readers report unreadable files
        return {}
    wanted = {_io._norm(c) for c in column_names}
    j = next((k for k, h in enumerate(raw.header) if _io._norm(h) in wanted), None)
    if j is None:
        return {}
    inv = {str(k): str(v) for k, v in (values_map or {}).items()}
    out: dict[str, list[int]] = {}
    for row, rn in zip(raw.rows, raw.rownums):
        if j < len(row):
            v = row[j].strip()
            out.setdefault(inv.get(v, v), []).append(rn)
    return out


def _response_school_columns(entry) -> tuple[list[str], dict]:
    cols = ["school", "school id", "schoolid"]
    values: dict = {}
    if isinstance(entry, dict):
        for src, tgt in (entry.get("columns") or {}).items():
            if str(tgt) == "school":
                cols = [str(src)]
        values = (entry.get("values") or {}).get("school") or {}
    return cols, values


def _response_entries(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _first_rows(rows: list[int] | None) -> tuple[int | None, str]:
    if not rows:
        return None, ""
    more = (
        f" (also rows {', '.join(map(str, rows[1:4]))}{' …' if len(rows) > 4 else ''})"
        if len(rows) > 1
        else ""
    )
    return rows[0], more


# ------------------------------------------------------------------ phases
def _read_all(check: StudyCheck, cfg: dict, inst) -> dict:
    from .io import read_responses, read_roster, read_schools
    from .qualitative.codings import read_codings

    folder = check.folder
    data: dict = {}
    readers = {
        "responses": lambda: read_responses(cfg["responses"], inst),
        "roster": lambda: read_roster(cfg["roster"], inst),
        "schools": lambda: read_schools(cfg["schools"]),
        "codings": lambda: read_codings(
            cfg["codings"],
            inst,
            allow_external=cfg.get("codings_allow_external"),
            **(cfg.get("codings_crosswalk") or {}),
        ),
    }
    for key, read in readers.items():
        if cfg.get(key) is None:
            if key != "codings":
                check.add(
                    "error",
                    cfg["config"].name,
                    f"no {key} file: '{key}' is not set and {key}.csv is not in the folder",
                    f"add {key}.csv or set '{key}: FILE' in study.yaml",
                    column=key,
                )
            continue
        try:
            data[key] = read()
        except DataError as err:
            for p in err.problems or [Problem(key, str(err), "see docs/input_layout.md")]:
                check.findings.append(Finding("error", p))
        except Exception as err:  # noqa: BLE001 - validate never shows a traceback
            check.add(
                "error",
                key,
                f"the {key} file could not be read ({type(err).__name__}: {err})",
                "check that it is the right file; see docs/input_layout.md",
            )
    data["_files"] = {
        k: _name(cfg[k] if k != "responses" else _first_file(cfg[k]), folder)
        for k in ("responses", "roster", "schools", "codings")
        if cfg.get(k) is not None
    }
    return data


def _first_file(value):
    from .io import response_files

    files = response_files(value)
    return files[0] if files else value


def _check_school_ids(check: StudyCheck, cfg: dict, data: dict) -> None:
    schools = data.get("schools")
    if schools is None:
        return
    known = [str(s) for s in schools["school"]]
    loose: dict[str, str] = {}
    for s in known:
        loose.setdefault(_id_key(s), s)
    districts = {str(d) for d in schools["district"]}
    files = data["_files"]
    for key in ("responses", "roster", "codings"):
        df = data.get(key)
        if df is None or df.empty:
            continue
        rows_by_value: dict[str, list[int]] = {}
        if key == "responses":
            from .io import response_files

            for entry, path in zip(_response_entries(cfg["responses"]), response_files(cfg["responses"])):
                cols, vmap = _response_school_columns(entry)
                for v, rows in _raw_rows(path, cols, vmap).items():
                    rows_by_value.setdefault(v, []).extend(rows)
        elif key == "roster":
            rows_by_value = _raw_rows(cfg["roster"], ["school", "school id"])
        elif Path(cfg["codings"]).suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm"):
            spec = (cfg.get("codings_crosswalk") or {}).get("cases", {}).get("school", "school")
            if isinstance(spec, str):
                rows_by_value = _raw_rows(cfg["codings"], [spec])
        is_district_staff = df["role"].astype(str).eq("district") & df["school"].astype(str).isin(districts)
        unknown = sorted(set(df.loc[~is_district_staff, "school"].astype(str)) - set(known), key=natural_key)
        for sid in unknown:
            n = int((df["school"].astype(str) == sid).sum())
            row, more = _first_rows(rows_by_value.get(sid))
            what = {"responses": "responses", "roster": "roster rows", "codings": "codings"}[key]
            guess = loose.get(_id_key(sid))
            if guess is not None:
                check.add(
                    "error",
                    files[key],
                    f"school '{sid}' ({n} {what}) is not in schools.csv; did you mean "
                    f"'{guess}'? (they differ only in case, spacing or leading zeros){more}",
                    f"write '{guess}' in {files[key]}"
                    + (
                        ", or map it: codings.cases.school.values"
                        if key == "codings"
                        else ", or map it under responses.values.school"
                        if key == "responses"
                        else ""
                    ),
                    row=row,
                    column="school",
                )
            else:
                check.add(
                    "error",
                    files[key],
                    f"school '{sid}' ({n} {what}) is not in schools.csv{more}",
                    f"add a row for '{sid}' (school, district, name) to schools.csv, or correct the id",
                    row=row,
                    column="school",
                )


def _check_districts(check: StudyCheck, cfg: dict, data: dict) -> None:
    schools = data.get("schools")
    if schools is None:
        return
    files = data["_files"]
    listed = dict(zip(schools["school"].astype(str), schools["district"].astype(str)))
    for key in ("responses", "roster"):
        df = data.get(key)
        if df is None or df.empty or "district" not in df.columns:
            continue
        pairs = df[["school", "district"]].astype(str).drop_duplicates()
        for sid, g in pairs.groupby("school", sort=False):
            ds = sorted(set(g["district"]), key=natural_key)
            if len(ds) > 1:
                check.add(
                    "error",
                    files[key],
                    f"school '{sid}' has more than one district here: {', '.join(ds)}",
                    "a school belongs to one district; correct the district cells of this school",
                    column="district",
                )
            want = listed.get(sid)
            if want is not None and any(d != want for d in ds):
                other = ", ".join(d for d in ds if d != want)
                check.add(
                    "error",
                    files[key],
                    f"school '{sid}' is in district '{other}' here but '{want}' in {files['schools']}",
                    f"use one district for '{sid}': correct {files[key]} or {files['schools']}",
                    column="district",
                )
    for sid in sorted(
        set(listed) - set(data["responses"]["school"].astype(str))
        if data.get("responses") is not None
        else [],
        key=natural_key,
    ):
        check.add(
            "warning",
            files["schools"],
            f"school '{sid}' has no responses",
            "check that its responses are in the export (its report will have no survey results)",
            column="school",
        )


def _check_roles_waves(check: StudyCheck, data: dict, inst) -> None:
    files = data["_files"]
    roster = data.get("roster")
    if roster is not None and not roster.empty:
        for col, valid in (("role", list(inst.roles)), ("wave", list(inst.waves))):
            for v in sorted(set(roster[col].astype(str)) - set(valid), key=natural_key):
                check.add(
                    "error",
                    files["roster"],
                    f"unknown {col} '{v}'",
                    f"use one of {', '.join(valid)}",
                    column=col,
                )
    codings = data.get("codings")
    if codings is not None and not codings.empty:
        for v in sorted(set(codings["role"].astype(str)) - set(inst.roles), key=natural_key):
            check.add(
                "error",
                files["codings"],
                f"unknown role '{v}'",
                f"use one of {', '.join(inst.roles)}",
                column="role",
            )


def _check_roster_coverage(check: StudyCheck, cfg: dict, data: dict) -> None:
    resp, roster = data.get("responses"), data.get("roster")
    if resp is None or roster is None:
        return
    files = data["_files"]
    key = ["school", "role", "wave"]
    got = resp.groupby(key, sort=False).size().rename("n").reset_index()
    inv = roster[key + ["invited"]].copy()
    for c in key:
        got[c] = got[c].astype(str)
        inv[c] = inv[c].astype(str)
    m = got.merge(inv, on=key, how="outer", indicator=True)
    order = lambda t: t.assign(_k=t["school"].map(natural_key)).sort_values(
        ["_k", "role", "wave"],  # noqa: E731
        kind="mergesort",
    )
    roster_rows = _roster_rows(cfg["roster"])

    def invited_finding(level: str, r, message: str, fix: str) -> None:
        """A finding on the roster's 'invited' cell of r's (school, role, wave)."""
        row = roster_rows.get((r.school, r.role, r.wave))
        check.add(level, files["roster"], message, fix, row=row, column="invited")

    for r in order(m[m["_merge"] == "left_only"]).itertuples(index=False):
        check.add(
            "warning",
            files["responses"],
            f"{int(r.n)} responses from school '{r.school}', role '{r.role}', "
            f"wave '{r.wave}' have no roster row, so their response rate is unknown",
            f"add the row '{r.school}, <district>, {r.role}, {r.wave}, <invited>' to {files['roster']}",
            column="school",
        )
    for r in order(m[m["_merge"] == "right_only"]).itertuples(index=False):
        if int(r.invited) == 0:
            continue
        invited_finding(
            "warning",
            r,
            f"{int(r.invited)} staff invited at school '{r.school}', role "
            f"'{r.role}', wave '{r.wave}' but no responses",
            "check that their responses are in the export",
        )
    both = order(m[m["_merge"] == "both"])
    for r in both[both["n"] > both["invited"]].itertuples(index=False):
        invited_finding(
            "error",
            r,
            f"school '{r.school}', role '{r.role}', wave '{r.wave}': {int(r.n)} "
            f"responses but {int(r.invited)} invited (response rate {r.n / max(r.invited, 1):.0%})",
            "correct 'invited' in the roster, or look for duplicate or misfiled responses",
        )


def _roster_rows(path) -> dict:
    """(school, role id, wave id) -> spreadsheet row of the roster file."""
    from . import io as _io

    try:
        raw = _io._read_raw(path)
        inst = resolve(None)
    except (DataError, OSError, ValueError):  # the roster's own check reports why it cannot be read
        return {}
    idx = {_io._norm(h): j for j, h in enumerate(raw.header)}
    found = [idx.get(k) for k in ("school", "role", "wave")]
    js = [j for j in found if j is not None]
    if len(js) < len(found):
        return {}
    roles, waves = _io._role_map(inst), _io._wave_map(inst)
    out: dict[tuple[str, str, str], int] = {}
    for row, rn in zip(raw.rows, raw.rownums):
        if max(js) < len(row):
            s, ro, w = (row[j].strip() for j in js)
            out.setdefault((s, roles.get(_io._key(ro), ro), waves.get(_io._key(w), w)), rn)
    return out


def validate_study(folder, instrument=None, *, config=None) -> StudyCheck:
    """Validate a whole study: every file through its crosswalk, then the checks across files.

    Parameters
    ----------
    folder : str or Path
        The study folder (holding ``study.yaml``).
    instrument : Instrument, str or Path, optional
        Overrides the config's ``instrument``.
    config : str or Path, optional
        Another config file (default ``folder/study.yaml``).

    Returns
    -------
    StudyCheck
        ``findings`` (errors and warnings, each a :class:`~assetinv.errors.Problem` naming file, row,
        column and fix), ``errors``, ``warnings`` and ``ok``.

    Examples
    --------
    >>> import tempfile, pathlib, shutil, assetinv
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "study"
    >>> _ = assetinv.write_sample(d, seed=1)
    >>> validate_study(d).ok
    True
    >>> listed = (d / "schools.csv").read_text().replace("S01,", "s01,", 1)
    >>> _ = (d / "schools.csv").write_text(listed)
    >>> print(validate_study(d).errors[0].problem.message)  # doctest: +ELLIPSIS
    school 'S01' (... responses) is not in schools.csv; did you mean 's01'? ...

    References
    ----------
    ``docs/input_layout.md``, section "Whole-study validation".
    """
    from .io import read_config

    folder = Path(folder)
    check = StudyCheck(folder=folder)
    cfg_path = Path(config) if config is not None else folder / "study.yaml"
    if not cfg_path.is_file():
        check.add(
            "error",
            cfg_path,
            "the study config is missing",
            "add study.yaml to the folder (copy data/study.yaml as a start), or validate single files",
        )
        return check
    try:
        cfg = read_config(cfg_path)
        inst = resolve(instrument if instrument is not None else cfg.get("instrument"))
    except DataError as err:
        check.findings.extend(Finding("error", p) for p in err.problems)
        return check
    data = _read_all(check, cfg, inst)
    _check_school_ids(check, cfg, data)
    _check_districts(check, cfg, data)
    _check_roles_waves(check, data, inst)
    _check_roster_coverage(check, cfg, data)
    return check


def print_findings(
    check: StudyCheck, stream=None, *, only: str | None = None, limit: int | None = None
) -> None:
    """Print findings one per line (``only="warning"`` for warnings only; at most ``limit``, then "... and N more").

    Examples
    --------
    >>> check = StudyCheck(Path("my_study"))
    >>> for s in ("S07", "S08", "S09"):
    ...     check.add("warning", "schools.csv", f"school {s} has no responses", "survey it or drop it")
    >>> print_findings(check, limit=2)
      - warning: file schools.csv: school S07 has no responses. Fix: survey it or drop it
      - warning: file schools.csv: school S08 has no responses. Fix: survey it or drop it
      … and 1 more (run again with --all to list every problem)
    """
    import sys

    stream = stream or sys.stdout
    chosen = [f for f in check.findings if only is None or f.level == only]
    for f in chosen if limit is None else chosen[:limit]:
        print(f"  - {f}", file=stream)
    if limit is not None and len(chosen) > limit:
        print(
            f"  \u2026 and {len(chosen) - limit} more (run again with --all to list every problem)",
            file=stream,
        )


def _summary(check: StudyCheck) -> str:
    return (
        f"{check.folder}: {len(check.errors)} error(s), {len(check.warnings)} warning(s)"
        if check.findings
        else f"{check.folder}: OK (whole study)"
    )
