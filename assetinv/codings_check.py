"""Checking coded interview excerpts against the codebook: the io layer's codings reader.

:func:`validate_codings` reads a codings file (CSV, XLSX or REFI-QDA ``.qdpx``), applies the
``codes:`` / ``cases:`` crosswalk from ``study.yaml`` and checks every row against the
instrument's codebook and roles (:func:`check_codings`), returning every problem found.
:func:`assetinv.qualitative.read_codings` raises them, or returns the tidy table.

This module imports only the instrument layer and the shared input helpers (no analysis module),
so ``assetinv.io`` can validate codings files without importing ``assetinv.qualitative``.

References
----------
REFI-QDA Standard 1.5 (2019), www.qdasoftware.org.

O'Connor, C., & Joffe, H. (2020). Intercoder reliability in qualitative research: debates and
practical guidelines. *International Journal of Qualitative Methods*, 19, 1-13.
"""

from __future__ import annotations

import difflib
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .code_match import _closest_codes, _score_code
from .codings_layout import (
    _FALSE,
    _TRUE,
    _VALENCE_WORDS,
    CODING_COLUMNS,
    NO_CODE,
    _Found,
    _group_problems,
    _s,
    _sort_codings,
)
from .errors import DataError, Problem
from .instrument import Instrument, other_version_of, resolve
from .labels import _key, _role_map
from .refi_read import _read_qdpx_raw

__all__ = ["check_codings", "validate_codings"]


def _unknown_code_fix(key: str, cb: pd.DataFrame, inst=None, parent: str = "") -> str:
    import json

    quoted = json.dumps(key, ensure_ascii=False)
    if inst is not None:  # the scorer `assetinv map` drafts with (names, definitions, parent groups)
        cid, score, _ = _score_code(key, parent, inst)[0]
    else:
        ((cid, score),) = _closest_codes(key, cb, 1) or [("", 0.0)]
    other = other_version_of([key], str(inst.version), kind="codes", minimum=1) if inst is not None else None
    lead = (
        f"{quoted} is a code of the instrument {other[0]} codebook: if these interviews were coded with "
        f'{other[0]}, say so (instrument: "{other[0]}" in study.yaml, or instrument="{other[0]}"); otherwise '
        if other is not None
        else ""
    )
    if cid and score >= 60:
        name = cb.loc[cb["id"] == cid, "name"].iloc[0]
        return lead + (
            f"did you mean {cid} ({name})? correct it, or add  {quoted}: {cid}  under codings.codes in study.yaml "
            "(or another codebook id; ~ leaves the code out on purpose)"
        )
    return lead + (
        f"add  {quoted}: <codebook id>  under codings.codes in study.yaml (no codebook code is close; "
        "the ids are in assetinv.load_instrument().codebook; ~ leaves the code out on purpose)"
    )


def check_codings(
    table: pd.DataFrame,
    instrument: Instrument | str | Path | None = None,
    *,
    file: str = "<codings>",
    rows: Sequence | None = None,
    case_hint: str | None = None,
    require_valence: bool | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and normalise a codings table; return it with every problem found.

    The phases: the required columns (:func:`_normalise_columns`), each row's cells
    (:func:`_check_cells`), then what rows must agree on (:func:`_check_consistency`).

    Parameters
    ----------
    table : DataFrame
        Columns ``excerpt_id, interview_id, school, role, coder, code, text``
        and optionally ``exemplary``; ``valence`` is needed for codings of
        ``either`` codes when the codebook states valences (see
        ``require_valence``).
    instrument : Instrument, str, Path or None
        Supplies the codebook and role ids (default: the bundled instrument;
        see :func:`assetinv.instrument.resolve`).
    file : str
        File name used in problem messages.
    rows : sequence, optional
        The spreadsheet row number (header = 1) or a location label for each
        row of ``table``; default ``index + 2``.
    case_hint : str, optional
        Added to the fix of an empty school or role (e.g. the case variables a
        QDA project has, for the ``cases:`` crosswalk).
    require_valence : bool, optional
        Whether a coding of an ``either`` code must record its valence. Default
        (None): required when the codebook states valences (2.0.0, where a
        barrier code has valence ``barrier``); not with a codebook without them
        (1.0.0). A blank valence is then a problem naming the file, the row (or
        QDA selection) and the ``valence`` column, never a silent "neither".

    Returns
    -------
    (DataFrame, list of Problem)
        The normalised table (codes as codebook ids, roles as role ids,
        ``exemplary`` boolean, sorted; an optional ``parent`` column, the QDA
        parent code or code group, is kept) and the problems, **grouped**: one
        problem per distinct fault, with its count and first three places
        (:func:`group_problems`). The table is only trustworthy when the list
        is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"excerpt_id": ["e1"], "interview_id": ["i1"],
    ...     "school": ["S1"], "role": ["Teacher"], "coder": ["ana"],
    ...     "code": ["ex-share"], "text": ["We share."], "valence": ["strength"]})
    >>> out, problems = check_codings(t)
    >>> out.loc[0, "code"], out.loc[0, "role"], problems
    ('EX-SHARE', 'teacher', [])

    References
    ----------
    O'Connor & Joffe (2020), on documenting coding decisions.
    """
    inst = resolve(instrument)
    df, problems = _normalise_columns(table, file)
    if problems:
        return df, problems
    places = [i + 2 for i in range(len(df))] if rows is None else list(rows)
    found: list[_Found] = []

    def prob(
        i: int, col: str | None, msg: str, fix: str, group_msg: str | None = None, detail: str | None = None
    ) -> None:
        found.append(_Found(places[i], col, msg, fix, group_msg or msg, detail))

    _check_cells(df, inst, prob, case_hint, require_valence)
    _check_consistency(df, places, prob)
    cols = CODING_COLUMNS + ["exemplary", "valence"]
    if "parent" in df.columns:
        df["parent"] = [_s(v) for v in df["parent"]]
        if (df["parent"] != "").any():
            cols.append("parent")
    return _sort_codings(df[cols]), problems + _group_problems(found, file)


def _normalise_columns(table: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Phase 1: lower-case headers, an empty ``text`` when absent, a problem per other missing column."""
    problems: list[Problem] = []
    df = table.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    for c in [c for c in CODING_COLUMNS if c not in df.columns]:
        if c == "text":
            df["text"] = ""
            continue
        problems.append(
            Problem(
                file,
                f"required column '{c}' is missing (found: {', '.join(map(str, table.columns))})",
                f"add a column named '{c}'; the layout is {', '.join(CODING_COLUMNS)} [, exemplary, valence]",
                row=1,
                column=c,
            )
        )
    return df, problems


def _check_cells(
    df: pd.DataFrame,
    inst: Instrument,
    prob: Callable,
    case_hint: str | None,
    require_valence: bool | None = None,
) -> None:
    """Phase 2: every row's cells, normalised in place (code and role ids, exemplary, valence)."""
    cb = inst.codebook
    for c in CODING_COLUMNS:
        df[c] = [_s(v) for v in df[c]]
    code_keys = [_s(v) for v in df["_code_key"]] if "_code_key" in df.columns else list(df["code"])
    parents = [_s(v) for v in df["parent"]] if "parent" in df.columns else [""] * len(df)
    lookup = _CodeLookup(inst, code_keys, parents)
    role_ids = _role_map(inst)
    hint = f"; {case_hint}" if case_hint else ""
    allowed = dict(zip(cb["id"], cb["valence"])) if "valence" in cb.columns else {}
    if require_valence is None:  # codes of another version's codebook: that is the error to fix first
        unknown = sorted({k for k in code_keys if k and k not in allowed})
        require_valence = bool(inst.fixed_valence_codes) and (
            not unknown or other_version_of(unknown, str(inst.version), kind="codes") is None
        )
    ex_cells = df["exemplary"] if "exemplary" in df.columns else None
    val_cells = df["valence"] if "valence" in df.columns else None
    codes_out, roles_out, exemplary, valences = [], [], [], []
    for i, rec in enumerate(df.itertuples(index=False)):
        _check_ids(i, rec, prob, hint)
        roles_out.append(_check_role(i, rec.role, role_ids, inst, prob, hint))
        code = lookup.check(i, rec.code, prob)
        codes_out.append(code)
        exemplary.append(_check_exemplary(i, ex_cells.iloc[i], prob) if ex_cells is not None else False)
        valences.append(
            _valence(
                _s(val_cells.iloc[i]) if val_cells is not None else "",
                code,
                allowed,
                lambda msg, fix, i=i, **kw: prob(i, "valence", msg, fix, **kw),
                required=require_valence,
                excerpt=rec.excerpt_id,
                has_column=val_cells is not None,
            )
        )
    df["code"] = codes_out
    df["role"] = roles_out
    df["exemplary"] = pd.Series(exemplary, index=df.index, dtype=bool)
    df["valence"] = pd.Series(valences, index=df.index, dtype=object)


def _check_ids(i: int, rec, prob: Callable, hint: str) -> None:
    """The excerpt, interview, coder and school of one row must be filled in."""
    if rec.excerpt_id == "":
        prob(i, "excerpt_id", "excerpt_id is empty", "give every excerpt an id (e.g. INT03-E07)")
    if rec.interview_id == "":
        prob(
            i,
            "interview_id",
            f"excerpt '{rec.excerpt_id}' has no interview_id (excerpt without interview)",
            "fill in the interview the excerpt comes from",
        )
    if rec.coder == "":
        prob(i, "coder", "coder is missing", "name the person who applied the code (initials are fine)")
    if rec.school == "":
        prob(i, "school", "school is empty", "fill in the school id of the interview" + hint)


def _check_role(i: int, value: str, role_ids: dict, inst: Instrument, prob: Callable, hint: str) -> str:
    """One row's role as a role id (the value itself, or "", when it is unknown or empty)."""
    role = role_ids.get(_key(value))
    if value == "":
        prob(i, "role", "role is empty", f"fill in the role ({', '.join(inst.roles)}){hint}")
        return ""
    if role is None:
        prob(
            i,
            "role",
            f"unknown role '{value}'",
            f"use one of {', '.join(inst.roles)}, or map it under codings.cases.role.values",
        )
        return value
    return role


class _CodeLookup:
    """Codebook ids by id and by name, and one "did you mean" fix per unknown code (computed once)."""

    def __init__(self, inst: Instrument, code_keys: list[str], parents: list[str]) -> None:
        cb = inst.codebook
        self.inst, self.cb, self.code_keys, self.parents = inst, cb, code_keys, parents
        self.ids = {str(c).upper(): c for c in cb["id"]}
        self.names = {str(n).strip().lower(): c for c, n in zip(cb["id"], cb["name"])}
        self.fixes: dict[tuple, str] = {}

    def check(self, i: int, code: str, prob: Callable) -> str:
        """Row ``i``'s code as a codebook id, NO-CODE, or itself when empty or unknown (with a problem)."""
        if code == "":
            prob(
                i,
                "code",
                "code is empty",
                f"write a codebook id, or {NO_CODE} if the coder found that no code applies",
            )
            return code
        if code.upper() == NO_CODE:
            return NO_CODE
        if code.upper() in self.ids:
            return self.ids[code.upper()]
        if code.lower() in self.names:
            return self.names[code.lower()]
        key = (self.code_keys[i], self.parents[i])
        if key not in self.fixes:
            self.fixes[key] = _unknown_code_fix(key[0], self.cb, self.inst, key[1])
        prob(i, "code", f"unknown code '{code}'", self.fixes[key])
        return code


def _check_exemplary(i: int, cell, prob: Callable) -> bool:
    """One row's ``exemplary`` flag (TRUE/FALSE/blank)."""
    v = _s(cell).lower()
    if v in _TRUE:
        return True
    if not (v in _FALSE or v in ("nan", "none")):
        prob(i, "exemplary", f"exemplary must be true/false, got '{v}'", "write TRUE, FALSE or leave blank")
    return False


def _check_consistency(df: pd.DataFrame, rows: list, prob: Callable) -> None:
    """Phase 3: no repeated coding, one interview per excerpt, one school and role per interview."""
    first_row: dict = {}
    valence = list(df["valence"]) if "valence" in df.columns else [""] * len(df)
    for i, key in enumerate(zip(df["excerpt_id"], df["coder"], df["code"])):
        if "" in key:
            continue
        if key in first_row and {valence[i], valence[first_row[key]]} == {"strength", "barrier"}:
            prob(
                i,
                "valence",
                f"excerpt '{key[0]}' is coded {key[2]} by '{key[1]}' as a barrier and as a strength "
                f"(row {rows[first_row[key]]} too)",
                "split the passage into two excerpts, one showing the strength and one the barrier "
                "(coding rule VALENCE)",
                group_msg="one excerpt coded with one code as both strength and barrier",
                detail=f"with {rows[first_row[key]]}",
            )
        elif key in first_row:
            prob(
                i,
                None,
                f"duplicate row: excerpt '{key[0]}', coder '{key[1]}', code '{key[2]}' "
                f"already given in row {rows[first_row[key]]}",
                "delete the repeated row",
                group_msg="duplicate row: the same excerpt, coder and code as an earlier row",
                detail=f"same as {rows[first_row[key]]}",
            )
        else:
            first_row[key] = i
    _check_excerpt_interviews(df, rows, prob)
    _check_interview_cases(df, rows, prob)


def _check_excerpt_interviews(df: pd.DataFrame, rows: list, prob: Callable) -> None:
    """An excerpt id belongs to one interview."""
    ex_interview: dict = {}
    for i, (e, itv) in enumerate(zip(df["excerpt_id"], df["interview_id"])):
        if e == "" or itv == "":
            continue
        if e in ex_interview and ex_interview[e][0] != itv:
            prob(
                i,
                "interview_id",
                f"excerpt '{e}' is in interview '{itv}' here but '{ex_interview[e][0]}' in row "
                f"{rows[ex_interview[e][1]]}",
                "excerpt ids must be unique across the study; give one of them a new id",
                group_msg="an excerpt id is used in two interviews",
                detail=f"excerpt '{e}' also in '{ex_interview[e][0]}'",
            )
        ex_interview.setdefault(e, (itv, i))


def _check_interview_cases(df: pd.DataFrame, rows: list, prob: Callable) -> None:
    """An interview has one school and one role."""
    itv_meta: dict = {}
    for i, (itv, sch, role) in enumerate(zip(df["interview_id"], df["school"], df["role"])):
        if itv == "":
            continue
        if itv in itv_meta and itv_meta[itv][:2] != (sch, role):
            s0, r0, i0 = itv_meta[itv]
            prob(
                i,
                "school" if s0 != sch else "role",
                f"interview '{itv}' is school '{sch}', role '{role}' here but school '{s0}', "
                f"role '{r0}' in row {rows[i0]}",
                "an interview has one school and one role; correct the inconsistent row",
                group_msg="an interview has two schools or roles",
                detail=f"interview '{itv}': '{sch}'/'{role}' here, '{s0}'/'{r0}' in {rows[i0]}",
            )
        itv_meta.setdefault(itv, (sch, role, i))


_VALENCE_FIX = (
    "write strength (the excerpt shows the practice or condition present and helping) or barrier "
    "(missing, weak or in the way) in the valence column; split a passage that shows both into two "
    "excerpts (coding rule VALENCE)"
)


def _valence(
    value: str,
    code: str,
    allowed: dict,
    problem,
    *,
    required: bool = False,
    excerpt: str = "",
    has_column: bool = True,
) -> str:
    """A coding's valence ('strength' or 'barrier'; '' when not recorded), checked against its code.

    With ``required`` a blank valence on a known ``either`` code is a problem (not a silent "neither").
    """
    v = value.strip().lower()
    if v in ("", "nan", "none"):
        fixed = allowed.get(code, "either")
        if fixed in ("strength", "barrier"):
            return fixed
        if required and code in allowed:
            where = "" if has_column else " (the file has no valence column)"
            problem(
                f"coding of excerpt '{excerpt}' with {code} has no valence{where}",
                _VALENCE_FIX if has_column else "add a column named 'valence'; " + _VALENCE_FIX,
                group_msg=f"codings of 'either' codes with no valence{where}",
                detail=f"{excerpt}, {code}",
            )
        return ""
    if v not in _VALENCE_WORDS:
        problem(
            f"valence must be strength or barrier, got '{value}'",
            "write strength or barrier" if required else "write strength, barrier or leave blank",
        )
        return ""
    v = _VALENCE_WORDS[v]
    fixed = allowed.get(code, "either")
    if fixed in ("strength", "barrier") and v != fixed:
        problem(
            f"code {code} always records valence '{fixed}', but this coding says '{v}'",
            f"write {fixed}, or use a topic code of the domain if the excerpt shows a {v}",
        )
        return fixed
    return v


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if suffix in (".xlsx", ".xlsm"):
            t = pd.read_excel(path, dtype=str, engine="openpyxl")
            return t.fillna("")
    except UnicodeDecodeError:
        raise DataError(
            Problem(
                str(path),
                "wrong encoding: the codings file is not UTF-8 text",
                "save it as 'CSV UTF-8 (Comma delimited)' or as .xlsx",
            )
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(Problem(str(path), "the file is empty", "export the codings again")) from None
    except pd.errors.ParserError as err:
        line = re.search(r"row (\d+)|line (\d+)", str(err))
        row = int(next(g for g in line.groups() if g)) + 1 if line else None
        raise DataError(
            Problem(
                str(path),
                "the CSV cannot be parsed (an unclosed quote or a row with too many values)",
                "check the quotes on this row, or save it again from Excel",
                row=row,
            )
        ) from None
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, ET.ParseError) as err:
        raise DataError(
            Problem(
                str(path),
                f"the workbook cannot be read ({type(err).__name__}); it may be "
                "damaged, truncated or password-protected",
                "open it in Excel and save it again as .xlsx, or as 'CSV UTF-8'",
            )
        ) from None
    raise DataError(
        Problem(
            str(path),
            f"cannot read coded data from a '{suffix}' file",
            "save the codings as .csv, .xlsx or a REFI-QDA project (.qdpx); "
            "a .qdc file is a codebook, read it with read_qdc",
        )
    )


# -------------------------------------------------------------------------- crosswalk
_CASE_FIELDS = ("school", "role")
_CSV_FIELDS = ("excerpt_id", "interview_id", "coder", "code", "text", "exemplary", "valence")
_SEP = re.compile(r"\s*(?:/|\\|>|::|\|)\s*")


def _ckey(text) -> str:
    """Code-name key: case- and spacing-blind, any of / \\ > :: | as the path separator."""
    t = re.sub(r"\s+", " ", _s(text)).casefold()
    return _SEP.sub("/", t)


def _check_crosswalk(codes, cases, file: str, inst, tabular: bool) -> tuple[_CodeMap, dict, list[Problem]]:
    """Validate the ``codes:`` and ``cases:`` crosswalk; return them normalised and the problems."""
    cmap, problems = _check_codes_map(codes, file, inst.codebook)
    cspec, case_problems = _check_cases_map(cases, file, tabular)
    return cmap, cspec, problems + case_problems


def _code_and_valence(k, v, file: str, problems: list[Problem]) -> tuple[object, str]:
    """A ``codes:`` value split into (codebook id or name, valence): ``{code: CN-TRUST, valence: barrier}``
    gives the valence to every coding with that QDA code (tools record it as a sub-code).
    """
    if not isinstance(v, dict):
        return v, ""
    unknown = sorted(set(map(str, v)) - {"code", "valence"})
    word = _VALENCE_WORDS.get(_s(v.get("valence")).lower(), "")
    if unknown or "code" not in v or not word:
        problems.append(
            Problem(
                file,
                f"codings.codes maps '{k}' to {dict(v)!r}; a mapping needs code: and valence: (strength or "
                "barrier) and nothing else",
                f'e.g. "{k}": {{code: CN-TRUST, valence: barrier}}',
                column="codes",
            )
        )
        return None, ""
    return v["code"], word


class _CodeMap(dict):
    """``codes:`` as {code-name key: codebook id, NO-CODE or None}; ``valence`` holds the keys mapped with one."""

    def __init__(self) -> None:
        super().__init__()
        self.valence: dict[str, str] = {}


def _check_codes_map(codes, file: str, cb: pd.DataFrame) -> tuple[_CodeMap, list[Problem]]:
    """``codes:`` as {code-name key: codebook id, NO-CODE or None}, and its problems.

    A value may be ``{code: <id>, valence: strength|barrier}``; those valences are in the returned
    map's ``valence`` (:class:`_CodeMap`).
    """
    problems: list[Problem] = []
    ids = {str(c).upper(): c for c in cb["id"]}
    names = {str(n).strip().lower(): c for c, n in zip(cb["id"], cb["name"])}
    cmap: _CodeMap = _CodeMap()
    if codes is not None and not isinstance(codes, dict):
        problems.append(
            Problem(
                file,
                "codings.codes must be a mapping of 'QDA code name: codebook id' lines",
                'e.g. codes: {"Teacher collaboration": OS-COLLAB}',
                column="codes",
            )
        )
        codes = {}
    for k, v in (codes or {}).items():
        key = _ckey(k)
        v, word = _code_and_valence(k, v, file, problems)
        if word:
            cmap.valence[key] = word
        if v is None or _s(v) == "":
            cmap[key] = None
            continue
        t = _s(v)
        if t.upper() == NO_CODE:
            cmap[key] = NO_CODE
        elif t.upper() in ids:
            cmap[key] = ids[t.upper()]
        elif t.lower() in names:
            cmap[key] = names[t.lower()]
        else:
            ((cid, score),) = _closest_codes(t, cb, 1) or [("", 0.0)]
            problems.append(
                Problem(
                    file,
                    f"codings.codes maps '{k}' to '{t}', which is not a codebook id",
                    (f"did you mean {cid}? " if score >= 60 else "")
                    + "write a codebook id, NO-CODE, or ~ to leave "
                    "the code out",
                    column="codes",
                )
            )
    return cmap, problems


def _check_cases_map(cases, file: str, tabular: bool) -> tuple[dict[str, dict], list[Problem]]:
    """``cases:`` as {field: {from | from_filename | value, values}}, and its problems."""
    problems: list[Problem] = []
    cspec: dict[str, dict] = {}
    if cases is not None and not isinstance(cases, dict):
        problems.append(
            Problem(
                file,
                "codings.cases must be a mapping such as {school: School, role: Role}",
                "see docs/qualitative.md, 'Crosswalks'",
                column="cases",
            )
        )
        cases = {}
    allowed = _CASE_FIELDS + (_CSV_FIELDS if tabular else ())
    for field, spec in (cases or {}).items():
        checked = _check_case_field(field, spec, file, allowed, problems)
        if checked is not None:
            cspec[field] = checked
    return cspec, problems


def _check_case_field(field, spec, file: str, allowed: tuple, problems: list[Problem]) -> dict | None:
    """One ``cases:`` entry normalised, or None after adding its problem to ``problems``."""
    if field not in allowed:
        close = difflib.get_close_matches(str(field), allowed, n=1)
        problems.append(
            Problem(
                file,
                f"codings.cases has an unknown key '{field}'"
                + (f" (did you mean '{close[0]}'?)" if close else ""),
                f"use {', '.join(allowed)}",
                column="cases",
            )
        )
        return None
    if isinstance(spec, str):
        spec = {"from": spec}
    if not isinstance(spec, dict):
        problems.append(
            Problem(
                file,
                f"codings.cases.{field} must be a variable/column name or a mapping",
                f'e.g. {field}: School, or {field}: {{from_filename: "^(S\\d+)_"}}',
                column="cases",
            )
        )
        return None
    spec = dict(spec)
    if "column" in spec or "variable" in spec:
        spec["from"] = spec.pop("column", None) or spec.pop("variable", None)
    unknown = set(spec) - {"from", "from_filename", "value", "values"}
    ways = [k for k in ("from", "from_filename", "value") if spec.get(k) is not None]
    if unknown or len(ways) != 1:
        problems.append(
            Problem(
                file,
                f"codings.cases.{field} must give exactly one of: a variable name, from_filename, value"
                + (f" (unknown keys: {', '.join(sorted(map(str, unknown)))})" if unknown else ""),
                f'e.g. {field}: School, {field}: {{from_filename: "^(S\\d+)_"}} or {field}: {{value: teacher}}',
                column="cases",
            )
        )
        return None
    if "from_filename" in spec:
        try:
            spec["from_filename"] = re.compile(str(spec["from_filename"]))
        except re.error as e:
            problems.append(
                Problem(
                    file,
                    f"codings.cases.{field}.from_filename is not a valid regular expression ({e})",
                    'e.g. "^(S\\d+)_" takes S07 from S07_teacher.docx',
                    column="cases",
                )
            )
            return None
    vals = spec.get("values") or {}
    if not isinstance(vals, dict):
        problems.append(
            Problem(
                file,
                f"codings.cases.{field}.values must be a mapping of 'value: id' lines",
                '"Principal or AP": leader',
                column="cases",
            )
        )
        vals = {}
    spec["values"] = {_s(k).casefold(): _s(v) for k, v in vals.items()}
    return spec


def _lookup(d: dict, name: str):
    if name in d:
        return d[name]
    low = {str(k).casefold().strip(): v for k, v in d.items()}
    return low.get(str(name).casefold().strip())


def _apply_cases(
    table: pd.DataFrame, raw: pd.DataFrame | None, where: list, cspec: dict, file: str, found: list[_Found]
) -> list[Problem]:
    """Fill school, role (and, for tables, any renamed column) from the ``cases:`` crosswalk."""
    problems: list[Problem] = []
    for field, spec in cspec.items():
        vals = spec["values"]
        if spec.get("value") is not None:
            col = [_s(spec["value"])] * len(table)
        elif spec.get("from") is not None:
            name = str(spec["from"])
            if raw is not None:  # a coded spreadsheet: a column
                match = [c for c in raw.columns if str(c).strip().casefold() == name.strip().casefold()]
                if not match:
                    problems.append(
                        Problem(
                            file,
                            f"codings.cases.{field} names the column '{name}', which the file does not have",
                            f"use one of: {', '.join(map(str, raw.columns))}",
                            column="cases",
                        )
                    )
                    continue
                col = [_s(v) for v in raw[match[0]]]
            else:  # a QDA project: a case or source variable
                col = [_s(_lookup(v, name)) for v in table["_vars"]]
                if len(table) and not any(_lookup(v, name) is not None for v in table["_vars"]):
                    known = table.attrs.get("variables") or []
                    problems.append(
                        Problem(
                            file,
                            f"codings.cases.{field} names the variable '{name}', which no case or source has",
                            "use one of the project's variables: "
                            + (", ".join(known) or "(the project has none; try from_filename)"),
                            column="cases",
                        )
                    )
                    continue
        else:
            rx = spec["from_filename"]
            cands = table["_names"] if "_names" in table.columns else [[v] for v in table["interview_id"]]
            col = []
            for i, nm in enumerate(cands):
                m = next((m for m in (rx.search(n) for n in nm) if m), None)
                if m is None:
                    found.append(
                        _Found(
                            where[i],
                            field,
                            f"'{nm[0]}' does not match the from_filename pattern "
                            f"'{rx.pattern}' of codings.cases.{field}",
                            f"correct the pattern, or rename the source so the pattern finds its {field}",
                            f"the source name does not match the from_filename pattern '{rx.pattern}' of "
                            f"codings.cases.{field}",
                            f"'{nm[0]}'",
                        )
                    )
                    col.append("")
                else:
                    col.append(m.group(1) if m.groups() else m.group(0))
        if vals:
            col = [vals.get(v.casefold(), v) for v in col]
        table[field] = col
    return problems


def _apply_codes(table: pd.DataFrame, where: list, cmap: _CodeMap, inst) -> tuple[pd.DataFrame, list]:
    """Codebook ids from the ``codes:`` crosswalk; parents that only repeat the codebook group are dropped."""
    paths = table["code_path"] if "code_path" in table.columns else table["code"]
    leaves = [_s(c) for c in table["code"]]
    # what a user writes under codes: the code name, or its full path where two codes share a name
    by_leaf: dict[str, set] = {}
    for leaf, path in zip(leaves, paths):
        by_leaf.setdefault(_ckey(leaf), set()).add(_ckey(path))
    keys, mapped, keep, given = [], [], [], []
    for leaf, path in zip(leaves, paths):
        keys.append(_s(path) if len(by_leaf[_ckey(leaf)]) > 1 else leaf)
        hit = None
        for k in (_ckey(path), _ckey(leaf)):
            if k in cmap:
                hit = (cmap[k], cmap.valence.get(k, ""))
                break
        if hit is None:
            mapped.append(leaf)
            keep.append(True)
            given.append("")
        else:
            mapped.append(hit[0] or "")
            keep.append(hit[0] is not None)
            given.append(hit[1])
    out = table.copy()
    if any(given):
        out["valence"] = _crosswalk_valence(out, given)
    out["_orig_code"] = leaves
    out["_code_key"] = keys
    out["code"] = mapped
    if "parent" in out.columns:
        group_of = {
            str(c).upper(): str(g).casefold() for c, g in zip(inst.codebook["id"], inst.codebook["group"])
        }
        ids = {str(c).upper() for c in inst.codebook["id"]}
        out["parent"] = [
            "" if (str(c).upper() in ids and _s(p).casefold() == group_of.get(str(c).upper())) else _s(p)
            for c, p in zip(out["code"], out["parent"])
        ]
    keep_arr = np.array(keep, dtype=bool)
    n_left_out = int((~keep_arr).sum())
    out = out[keep_arr]
    where = [w for w, k in zip(where, keep_arr) if k]
    # two QDA codes mapped to one codebook id on one selection: one coding (not a duplicate row)
    k3 = ["excerpt_id", "coder", "code"]
    merged = out.duplicated(k3) & ~out.duplicated(k3 + ["_orig_code"]) & out["code"].isin(set(cmap.values()))
    if "valence" in out.columns and merged.any():  # both valences on one selection: reported, never merged
        val = out["valence"].map(lambda v: _s(v).lower())
        n_val = val.where(val != "").groupby([out[c] for c in k3]).transform("nunique")
        merged &= n_val.fillna(0).to_numpy() < 2
    where = [w for w, m in zip(where, merged) if not m]
    out = out[~merged.to_numpy()].reset_index(drop=True)
    out.attrs["crosswalk"] = {"codings_left_out": n_left_out, "codings_merged": int(merged.sum())}
    return out, where


def _crosswalk_valence(table: pd.DataFrame, given: list[str]) -> list[str]:
    """Each coding's valence with the crosswalk's filled in where the coding records none.

    A coding that records the other valence keeps its own, marked so that :func:`check_codings`
    reports the contradiction (``'<own> (crosswalk: <given>)'`` is not a valence word).
    """
    own = [_s(v) for v in table["valence"]] if "valence" in table.columns else [""] * len(table)
    out = []
    for o, g in zip(own, given):
        word = _VALENCE_WORDS.get(o.lower(), o.lower()) if o else ""
        out.append(g if not o else o if not g or word == g else f"{o} (crosswalk: {g})")
    return out


def _case_hint(table: pd.DataFrame, tabular: bool) -> str:
    if tabular:
        return "or map a column with codings.cases in study.yaml, e.g. cases: {school: Site}"
    known = table.attrs.get("variables") or []
    return "or map a case variable with codings.cases in study.yaml; this project's variables: " + (
        ", ".join(known) if known else "none (use from_filename)"
    )


def _crosswalked(
    table, raw, where, file, inst, codes, cases, tabular, require_valence=None
) -> tuple[pd.DataFrame, list[Problem]]:
    cmap, cspec, problems = _check_crosswalk(codes, cases, file, inst, tabular)
    if problems:
        return table, problems
    found: list[_Found] = []
    if tabular:  # renamed columns first: from_filename reads the interview id
        cspec = dict(sorted(cspec.items(), key=lambda kv: kv[0] in _CASE_FIELDS))
        table = table.copy()
        table.columns = [str(c).strip().lower() for c in table.columns]
        table = table.loc[:, ~table.columns.duplicated()]
    problems += _apply_cases(table, raw if tabular else None, where, cspec, file, found)
    if problems:
        return table, problems
    if tabular and any(c not in table.columns for c in CODING_COLUMNS if c != "text"):
        return check_codings(table, inst, file=file, require_valence=require_valence)  # missing columns
    attrs = dict(table.attrs)
    table, where = _apply_codes(table, where, cmap, inst)
    table.attrs.update({k: v for k, v in attrs.items() if k not in table.attrs})
    out, more = check_codings(
        table,
        inst,
        file=file,
        rows=where,
        case_hint=_case_hint(table, tabular),
        require_valence=require_valence,
    )
    out.attrs.update(table.attrs)
    failed = {f.column for f in found}  # already explained: not also "school is empty"
    more = [
        q
        for q in more
        if not (q.column in failed and q.message.split(" (")[0].endswith(f"{q.column} is empty"))
    ]
    return out, _group_problems(found, file) + more


def _read_qdpx_checked(
    path: Path, instrument, codes=None, cases=None, allow_external=None, require_valence=None
) -> tuple[pd.DataFrame, list[Problem]]:
    table, where, problems = _read_qdpx_raw(path, allow_external)
    if problems and table.empty:
        return table, problems
    if table.empty:
        return table, problems + [
            Problem(
                str(path), "the project has no coded text selections", "code some excerpts before exporting"
            )
        ]
    out, more = _crosswalked(table, None, where, str(path), instrument, codes, cases, False, require_valence)
    return out, problems + more


def _load(
    path, instrument, codes=None, cases=None, allow_external=None, require_valence=None
) -> tuple[pd.DataFrame, list[Problem]]:
    p = Path(path)
    if not p.exists():
        return pd.DataFrame(), [Problem(str(p), "file not found", "check the path")]
    inst = resolve(instrument)
    if p.suffix.lower() == ".qdpx":
        return _read_qdpx_checked(p, inst, codes, cases, allow_external, require_valence)
    try:
        raw = _read_table(p)
    except DataError as e:
        return pd.DataFrame(), e.problems
    where = [i + 2 for i in range(len(raw))]
    return _crosswalked(raw, raw, where, str(p), inst, codes, cases, True, require_valence)


def validate_codings(
    path,
    instrument: Instrument | str | Path | None = None,
    *,
    codes=None,
    cases=None,
    allow_external=None,
    require_valence: bool | None = None,
) -> list[Problem]:
    """List every problem in a codings file without raising.

    Used by ``assetinv validate``. See :func:`read_codings` for the checks.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` or ``.qdpx`` file.
    instrument : Instrument, optional
        Default: the bundled instrument.
    codes, cases : dict, optional
        The crosswalk, as for :func:`read_codings`.
    allow_external : path, optional
        For a ``.qdpx``: the folder external source texts may be read from
        (see :func:`read_qdpx`).
    require_valence : bool, optional
        As for :func:`read_codings`.

    Returns
    -------
    list of Problem
        Empty when the file is fine; one problem per distinct fault (with its
        count and first three places).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.csv").write_text(
    ...     "excerpt_id,interview_id,school,role,coder,code,text\\n"
    ...     "e1,i1,S1,teacher,ana,EX-SHAER,We share.\\n")
    >>> [(p.row, p.column, p.message) for p in validate_codings(d / "c.csv")]
    [(2, 'code', "unknown code 'EX-SHAER'")]
    >>> print(validate_codings(d / "c.csv")[0].fix)  # doctest: +NORMALIZE_WHITESPACE
    did you mean EX-SHARE (Expertise passed between colleagues)? correct it, or add  "EX-SHAER": EX-SHARE
    under codings.codes in study.yaml (or another codebook id; ~ leaves the code out on purpose)

    References
    ----------
    REFI-QDA Standard 1.5 (2019).
    """
    return _load(path, instrument, codes, cases, allow_external, require_valence)[1]
