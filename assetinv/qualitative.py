"""Qualitative interview analysis: coded excerpts in, tallies, agreement and
joint displays out.

Evaluators code interview excerpts with the Asset Inventory codebook in a
desktop QDA tool (NVivo, ATLAS.ti, MAXQDA, QualCoder) or a spreadsheet. This
module reads those codings into one tidy table, checks them against the
codebook, and turns them into evidence a capacity-building organisation can
use next to the survey.

The tidy **codings** table has one row per excerpt x code x coder::

    excerpt_id, interview_id, school, role, coder, code, text, exemplary, valence

* ``excerpt_id`` - a passage of an interview transcript (unique in the study);
* ``interview_id`` - the interview (transcript) it comes from;
* ``school``, ``role`` - who was interviewed (role ids from the instrument:
  ``teacher``, ``leader``, ``district``; labels such as "School leader" are
  accepted and converted);
* ``coder`` - who applied the code;
* ``code`` - a codebook id such as ``EX-SHARE``, or ``NO-CODE`` when the coder
  read the excerpt and found no code applies (this records that the excerpt
  *was* coded, which matters for agreement; it is left out of tallies);
* ``text`` - the excerpt's words;
* ``exemplary`` - optional, true when a coder flagged the excerpt as a good
  illustrative quote;
* ``valence`` - optional, ``strength`` or ``barrier``: whether this coding
  shows the practice or condition present and helping, or missing and in the
  way (instrument 2.0.0 asks coders to record it for every coding). Barrier
  codes are always ``barrier`` and enabler codes always ``strength``, so a
  blank is filled for them; a blank on a topic code stays "" (not recorded).

Inputs: CSV or XLSX in that layout (:func:`read_codings`), REFI-QDA project
files ``.qdpx`` (:func:`read_qdpx`, :func:`write_qdpx`) and REFI-QDA
codebooks ``.qdc`` (:func:`read_qdc`, :func:`write_qdc`).

References
----------
REFI-QDA Standard 1.5 (2019). Rotterdam Exchange Format Initiative,
www.qdasoftware.org. Project schema namespace ``urn:QDA-XML:project:1.0``;
codebook schema ``urn:QDA-XML:codebook:1.0``.

O'Connor, C., & Joffe, H. (2020). Intercoder reliability in qualitative
research: debates and practical guidelines. *International Journal of
Qualitative Methods*, 19, 1-13.

Krippendorff, K. (2019). *Content Analysis* (4th ed.). Sage.

Fetters, M. D., Curry, L. A., & Creswell, J. W. (2013). Achieving integration
in mixed methods designs: principles and practices. *Health Services
Research*, 48(6), 2134-2156 (joint displays).
"""
from __future__ import annotations

import difflib
import io
import re
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import agreement as _ag
from .errors import DataError, Problem
from .ids import id_sort_key
from .io import file_sha256
from .privacy import MIN_INTERVIEWS, MIN_N, complementary_suppress, generalise_roles, interview_site_reasons, suppress

__all__ = [
    "CODING_COLUMNS",
    "NO_CODE",
    "read_codings",
    "validate_codings",
    "check_codings",
    "read_qdpx",
    "write_qdpx",
    "read_qdc",
    "write_qdc",
    "code_tallies",
    "cooccurrence",
    "coder_agreement",
    "disagreements",
    "exemplar_quotes",
    "redact",
    "joint_display",
    "joint_display_figure",
]

CODING_COLUMNS = ["excerpt_id", "interview_id", "school", "role", "coder", "code", "text"]
NO_CODE = "NO-CODE"
ALL_CODES = "(all codes)"
DOMAIN_GROUPS = ("EX", "LM", "CN", "OS")

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
_GUID_NS = uuid.UUID("6f1c3b1e-8f0a-5d55-9a4c-1c2b0a7e5d11")
_EXEMPLARY_NOTE = "assetinv:exemplary"
#: QDPX notes that carry a coding's valence (a ``NoteRef`` on the ``Coding``).
_VALENCE_NOTES = {"strength": "assetinv:valence=strength", "barrier": "assetinv:valence=barrier"}
_VALENCE_WORDS = {"strength": "strength", "s": "strength", "+": "strength", "asset": "strength",
                  "barrier": "barrier", "b": "barrier", "-": "barrier"}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_TRUE = {"true", "t", "yes", "y", "1", "x", "exemplary"}
_FALSE = {"false", "f", "no", "n", "0", ""}


# ==========================================================================
# helpers
# ==========================================================================
def _instrument(instrument):
    if instrument is None:
        from .instrument import load_instrument

        return load_instrument()
    return instrument


def _codebook(instrument) -> pd.DataFrame:
    cb = _instrument(instrument).codebook
    return cb.reset_index(drop=True)




def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_GUID_NS, f"{kind}:{key}"))


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    try:
        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    return str(v).strip() == ""


def _s(v) -> str:
    return "" if _blank(v) else str(v).strip()


def _sort_codings(df: pd.DataFrame) -> pd.DataFrame:
    out = df.sort_values(["interview_id", "excerpt_id", "coder", "code"], kind="mergesort")
    return out.reset_index(drop=True)


# ==========================================================================
# validation
# ==========================================================================
MAX_CODE_LINES = 20  # unknown-code lines listed before the rest are summed up in one line


@dataclass(frozen=True)
class _Found:
    """One fault at one place, before grouping."""

    place: object  # spreadsheet row (int) or a location label (QDA source and selection)
    column: str | None
    message: str  # the message when the fault occurs once
    fix: str
    group: str  # the message when it occurs several times (without per-place details)
    detail: str | None = None


def _place(f: _Found) -> str:
    where = f"row {f.place}" if isinstance(f.place, (int, np.integer)) else str(f.place)
    return f"{where} ({f.detail})" if f.detail else where


def _group_problems(found: Sequence[_Found], file: str) -> list[Problem]:
    """One problem per distinct fault: its count, the first three places, then '... and N more'.

    Unknown codes beyond the :data:`MAX_CODE_LINES` most frequent are summed up
    in one closing line, so a project with many unmapped codes gives a short,
    readable list.
    """
    groups: dict[tuple, list[_Found]] = {}
    for f in found:
        groups.setdefault((f.column, f.group, f.fix), []).append(f)
    out: list[Problem] = []
    unknown: list[tuple[int, int, Problem, str]] = []
    for order, ((col, group, fix), fs) in enumerate(groups.items()):
        f0 = fs[0]
        if len(fs) == 1:
            if isinstance(f0.place, (int, np.integer)):
                p = Problem(file, f0.message, fix, row=int(f0.place), column=col)
            else:
                p = Problem(file, f"{f0.place}: {f0.message}", fix, row=None, column=col)
        else:
            shown = "; ".join(_place(f) for f in fs[:3])
            if all(isinstance(f.place, (int, np.integer)) and not f.detail for f in fs[:3]):
                shown = "rows " + ", ".join(str(f.place) for f in fs[:3])
            more = f" \u2026 and {len(fs) - 3} more" if len(fs) > 3 else ""
            p = Problem(file, f"{group} ({len(fs)} times: {shown}{more})", fix, row=None, column=col)
        if group.startswith("unknown code '"):
            unknown.append((-len(fs), order, p, group[len("unknown code '"):-1]))
        else:
            out.append(p)
    if len(unknown) > MAX_CODE_LINES:
        unknown.sort(key=lambda t: t[:2])
        keep, rest = unknown[:MAX_CODE_LINES], unknown[MAX_CODE_LINES:]
        keep.sort(key=lambda t: t[1])
        n_rows = -sum(t[0] for t in rest)
        names = ", ".join(f"'{t[3]}'" for t in rest[:3]) + (" \u2026" if len(rest) > 3 else "")
        out.extend(t[2] for t in keep)
        out.append(Problem(
            file,
            f"{len(rest)} more unknown codes in {n_rows} codings ({names})",
            "run `assetinv map " + Path(file).name + "` to draft the codings.codes map for every code, "
            "then check it and paste it into study.yaml",
            column="code",
        ))
    else:
        out.extend(t[2] for t in unknown)
    return out


def _closest_codes(name: str, cb: pd.DataFrame, n: int = 1) -> list[tuple[str, float]]:
    """The ``n`` codebook ids closest to a code name, with a 0-100 rapidfuzz score.

    Ids and names are compared with ``WRatio`` (case- and punctuation-blind,
    word-order tolerant); definitions with ``token_set_ratio`` scaled by 0.9,
    as a definition shares words with many names.
    """
    from rapidfuzz import fuzz, process, utils

    best: dict[str, float] = {}
    names = {}
    for rec in cb.itertuples(index=False):
        names[_s(rec.id)] = rec.id
        names[_s(rec.name)] = rec.id
    for text, score, _ in process.extract(name, list(names), scorer=fuzz.WRatio,
                                          processor=utils.default_process, limit=None):
        cid = names[text]
        best[cid] = max(best.get(cid, 0.0), float(score))
    for rec in cb.itertuples(index=False):
        d = _s(getattr(rec, "definition", ""))
        if d:
            sc = 0.9 * fuzz.token_set_ratio(name, d, processor=utils.default_process)
            best[rec.id] = max(best.get(rec.id, 0.0), sc)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:n]


def _unknown_code_fix(key: str, cb: pd.DataFrame, inst=None, parent: str = "") -> str:
    import json

    quoted = json.dumps(key, ensure_ascii=False)
    if inst is not None:  # the scorer `assetinv map` drafts with (names, definitions, parent groups)
        from .crosswalk_qda import _score_code

        cid, score, _ = _score_code(key, parent, inst)[0]
    else:
        (cid, score), = _closest_codes(key, cb, 1) or [("", 0.0)]
    if cid and score >= 60:
        name = cb.loc[cb["id"] == cid, "name"].iloc[0]
        return (f"did you mean {cid} ({name})? correct it, or add  {quoted}: {cid}  under codings.codes in study.yaml "
                "(or another codebook id; ~ leaves the code out on purpose)")
    return (f"add  {quoted}: <codebook id>  under codings.codes in study.yaml (no codebook code is close; "
            "the ids are in assetinv.load_instrument().codebook; ~ leaves the code out on purpose)")


def check_codings(
    table: pd.DataFrame,
    instrument=None,
    *,
    file: str = "<codings>",
    rows: Sequence | None = None,
    case_hint: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and normalise a codings table; return it with every problem found.

    Parameters
    ----------
    table : DataFrame
        Columns ``excerpt_id, interview_id, school, role, coder, code, text``
        and optionally ``exemplary``.
    instrument : Instrument, optional
        Supplies the codebook and role ids (default: the bundled instrument).
    file : str
        File name used in problem messages.
    rows : sequence, optional
        The spreadsheet row number (header = 1) or a location label for each
        row of ``table``; default ``index + 2``.
    case_hint : str, optional
        Added to the fix of an empty school or role (e.g. the case variables a
        QDA project has, for the ``cases:`` crosswalk).

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
    ...     "code": ["ex-share"], "text": ["We share."]})
    >>> out, problems = check_codings(t)
    >>> out.loc[0, "code"], out.loc[0, "role"], problems
    ('EX-SHARE', 'teacher', [])

    References
    ----------
    O'Connor & Joffe (2020), on documenting coding decisions.
    """
    inst = _instrument(instrument)
    cb = inst.codebook
    problems: list[Problem] = []
    df = table.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing_cols = [c for c in CODING_COLUMNS if c not in df.columns]
    for c in missing_cols:
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
    if problems:
        return df, problems
    if rows is None:
        rows = [i + 2 for i in range(len(df))]
    rows = list(rows)

    found: list[_Found] = []

    def prob(i, col, msg, fix, group_msg=None, detail=None):
        found.append(_Found(rows[i], col, msg, fix, group_msg or msg, detail))

    from .io import _key, _role_map

    ids = {str(c).upper(): c for c in cb["id"]}
    names = {str(n).strip().lower(): c for c, n in zip(cb["id"], cb["name"])}
    role_ids = _role_map(inst)
    for c in ["excerpt_id", "interview_id", "school", "role", "coder", "code", "text"]:
        df[c] = [_s(v) for v in df[c]]
    code_keys = [_s(v) for v in df["_code_key"]] if "_code_key" in df.columns else list(df["code"])
    parents = [_s(v) for v in df["parent"]] if "parent" in df.columns else [""] * len(df)
    fixes: dict[tuple, str] = {}
    hint = f"; {case_hint}" if case_hint else ""
    codes_out, roles_out, exemplary, valences = [], [], [], []
    has_ex = "exemplary" in df.columns
    has_val = "valence" in df.columns
    allowed = dict(zip(cb["id"], cb["valence"])) if "valence" in cb.columns else {}
    for i, rec in enumerate(df.itertuples(index=False)):
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
        role = role_ids.get(_key(rec.role))
        if rec.role == "":
            prob(i, "role", "role is empty", f"fill in the role ({', '.join(inst.roles)}){hint}")
            role = ""
        elif role is None:
            prob(
                i,
                "role",
                f"unknown role '{rec.role}'",
                f"use one of {', '.join(inst.roles)}, or map it under codings.cases.role.values",
            )
            role = rec.role
        roles_out.append(role)
        code = rec.code
        if code == "":
            prob(
                i,
                "code",
                "code is empty",
                f"write a codebook id, or {NO_CODE} if the coder found that no code applies",
            )
        elif code.upper() == NO_CODE:
            code = NO_CODE
        elif code.upper() in ids:
            code = ids[code.upper()]
        elif code.lower() in names:
            code = names[code.lower()]
        else:
            hint_key = (code_keys[i], parents[i])
            if hint_key not in fixes:
                fixes[hint_key] = _unknown_code_fix(code_keys[i], cb, inst, parents[i])
            prob(i, "code", f"unknown code '{code}'", fixes[hint_key])
        codes_out.append(code)
        if has_ex:
            v = _s(df["exemplary"].iloc[i]).lower()
            if v in _TRUE:
                exemplary.append(True)
            elif v in _FALSE or v in ("nan", "none"):
                exemplary.append(False)
            else:
                prob(i, "exemplary", f"exemplary must be true/false, got '{v}'", "write TRUE, FALSE or leave blank")
                exemplary.append(False)
        else:
            exemplary.append(False)
        valences.append(_valence(_s(df["valence"].iloc[i]) if has_val else "", code, allowed,
                                 lambda msg, fix: prob(i, "valence", msg, fix)))
    df["code"] = codes_out
    df["role"] = roles_out
    df["exemplary"] = pd.Series(exemplary, index=df.index, dtype=bool)
    df["valence"] = pd.Series(valences, index=df.index, dtype=object)

    # cross-row consistency
    first_row: dict = {}
    for i, key in enumerate(zip(df["excerpt_id"], df["coder"], df["code"])):
        if "" in key:
            continue
        if key in first_row:
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
    cols = CODING_COLUMNS + ["exemplary", "valence"]
    if "parent" in df.columns:
        df["parent"] = [_s(v) for v in df["parent"]]
        if (df["parent"] != "").any():
            cols.append("parent")
    out = _sort_codings(df[cols])
    return out, problems + _group_problems(found, file)


def _valence(value: str, code: str, allowed: dict, problem) -> str:
    """A coding's valence ('strength', 'barrier' or '' when not recorded), checked against its code."""
    v = value.strip().lower()
    if v in ("", "nan", "none"):
        fixed = allowed.get(code, "either")
        return fixed if fixed in ("strength", "barrier") else ""
    if v not in _VALENCE_WORDS:
        problem(f"valence must be strength or barrier, got '{value}'", "write strength, barrier or leave blank")
        return ""
    v = _VALENCE_WORDS[v]
    fixed = allowed.get(code, "either")
    if fixed in ("strength", "barrier") and v != fixed:
        problem(f"code {code} always records valence '{fixed}', but this coding says '{v}'",
                f"write {fixed}, or use a topic code of the domain if the excerpt shows a {v}")
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
        raise DataError(Problem(str(path), "wrong encoding: the codings file is not UTF-8 text",
                                "save it as 'CSV UTF-8 (Comma delimited)' or as .xlsx")) from None
    except pd.errors.EmptyDataError:
        raise DataError(Problem(str(path), "the file is empty", "export the codings again")) from None
    except pd.errors.ParserError as err:
        line = re.search(r"row (\d+)|line (\d+)", str(err))
        row = int(next(g for g in line.groups() if g)) + 1 if line else None
        raise DataError(Problem(str(path), "the CSV cannot be parsed (an unclosed quote or a row with too many "
                                "values)", "check the quotes on this row, or save it again from Excel",
                                row=row)) from None
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, ET.ParseError) as err:
        raise DataError(Problem(str(path), f"the workbook cannot be read ({type(err).__name__}); it may be "
                                "damaged, truncated or password-protected",
                                "open it in Excel and save it again as .xlsx, or as 'CSV UTF-8'")) from None
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


def _check_crosswalk(codes, cases, file: str, inst, tabular: bool) -> tuple[dict, dict, list[Problem]]:
    """Validate the ``codes:`` and ``cases:`` crosswalk; return them normalised and the problems."""
    cb = inst.codebook
    problems: list[Problem] = []
    ids = {str(c).upper(): c for c in cb["id"]}
    names = {str(n).strip().lower(): c for c, n in zip(cb["id"], cb["name"])}
    cmap: dict[str, str | None] = {}
    if codes is not None and not isinstance(codes, dict):
        problems.append(Problem(file, "codings.codes must be a mapping of 'QDA code name: codebook id' lines",
                                'e.g. codes: {"Teacher collaboration": OS-COLLAB}', column="codes"))
        codes = {}
    for k, v in (codes or {}).items():
        key = _ckey(k)
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
            (cid, score), = _closest_codes(t, cb, 1) or [("", 0.0)]
            problems.append(Problem(
                file, f"codings.codes maps '{k}' to '{t}', which is not a codebook id",
                (f"did you mean {cid}? " if score >= 60 else "") + "write a codebook id, NO-CODE, or ~ to leave "
                "the code out", column="codes"))
    cspec: dict[str, dict] = {}
    if cases is not None and not isinstance(cases, dict):
        problems.append(Problem(file, "codings.cases must be a mapping such as {school: School, role: Role}",
                                "see docs/qualitative.md, 'Crosswalks'", column="cases"))
        cases = {}
    allowed = _CASE_FIELDS + (_CSV_FIELDS if tabular else ())
    for field, spec in (cases or {}).items():
        if field not in allowed:
            close = difflib.get_close_matches(str(field), allowed, n=1)
            problems.append(Problem(
                file, f"codings.cases has an unknown key '{field}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                f"use {', '.join(allowed)}", column="cases"))
            continue
        if isinstance(spec, str):
            spec = {"from": spec}
        if not isinstance(spec, dict):
            problems.append(Problem(file, f"codings.cases.{field} must be a variable/column name or a mapping",
                                    f'e.g. {field}: School, or {field}: {{from_filename: "^(S\\d+)_"}}', column="cases"))
            continue
        spec = dict(spec)
        if "column" in spec or "variable" in spec:
            spec["from"] = spec.pop("column", None) or spec.pop("variable", None)
        unknown = set(spec) - {"from", "from_filename", "value", "values"}
        ways = [k for k in ("from", "from_filename", "value") if spec.get(k) is not None]
        if unknown or len(ways) != 1:
            problems.append(Problem(
                file, f"codings.cases.{field} must give exactly one of: a variable name, from_filename, value"
                + (f" (unknown keys: {', '.join(sorted(map(str, unknown)))})" if unknown else ""),
                f'e.g. {field}: School, {field}: {{from_filename: "^(S\\d+)_"}} or {field}: {{value: teacher}}',
                column="cases"))
            continue
        if "from_filename" in spec:
            try:
                spec["from_filename"] = re.compile(str(spec["from_filename"]))
            except re.error as e:
                problems.append(Problem(file, f"codings.cases.{field}.from_filename is not a valid regular "
                                        f"expression ({e})", 'e.g. "^(S\\d+)_" takes S07 from S07_teacher.docx',
                                        column="cases"))
                continue
        vals = spec.get("values") or {}
        if not isinstance(vals, dict):
            problems.append(Problem(file, f"codings.cases.{field}.values must be a mapping of 'value: id' lines",
                                    '"Principal or AP": leader', column="cases"))
            vals = {}
        spec["values"] = {_s(k).casefold(): _s(v) for k, v in vals.items()}
        cspec[field] = spec
    return cmap, cspec, problems


def _lookup(d: dict, name: str):
    if name in d:
        return d[name]
    low = {str(k).casefold().strip(): v for k, v in d.items()}
    return low.get(str(name).casefold().strip())


def _apply_cases(table: pd.DataFrame, raw: pd.DataFrame | None, where: list, cspec: dict, file: str,
                 found: list[_Found]) -> list[Problem]:
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
                    problems.append(Problem(file, f"codings.cases.{field} names the column '{name}', which the file "
                                            "does not have", f"use one of: {', '.join(map(str, raw.columns))}",
                                            column="cases"))
                    continue
                col = [_s(v) for v in raw[match[0]]]
            else:  # a QDA project: a case or source variable
                col = [_s(_lookup(v, name)) for v in table["_vars"]]
                if len(table) and not any(_lookup(v, name) is not None for v in table["_vars"]):
                    known = table.attrs.get("variables") or []
                    problems.append(Problem(file, f"codings.cases.{field} names the variable '{name}', which no case "
                                            "or source has", "use one of the project's variables: "
                                            + (", ".join(known) or "(the project has none; try from_filename)"),
                                            column="cases"))
                    continue
        else:
            rx = spec["from_filename"]
            cands = table["_names"] if "_names" in table.columns else [[v] for v in table["interview_id"]]
            col = []
            for i, nm in enumerate(cands):
                m = next((m for m in (rx.search(n) for n in nm) if m), None)
                if m is None:
                    found.append(_Found(where[i], field, f"'{nm[0]}' does not match the from_filename pattern "
                                        f"'{rx.pattern}' of codings.cases.{field}",
                                        f"correct the pattern, or rename the source so the pattern finds its {field}",
                                        f"the source name does not match the from_filename pattern '{rx.pattern}' of "
                                        f"codings.cases.{field}", f"'{nm[0]}'"))
                    col.append("")
                else:
                    col.append(m.group(1) if m.groups() else m.group(0))
        if vals:
            col = [vals.get(v.casefold(), v) for v in col]
        table[field] = col
    return problems


def _apply_codes(table: pd.DataFrame, where: list, cmap: dict, inst) -> tuple[pd.DataFrame, list]:
    """Codebook ids from the ``codes:`` crosswalk; parents that only repeat the codebook group are dropped."""
    paths = table["code_path"] if "code_path" in table.columns else table["code"]
    leaves = [_s(c) for c in table["code"]]
    # what a user writes under codes: the code name, or its full path where two codes share a name
    by_leaf: dict[str, set] = {}
    for leaf, path in zip(leaves, paths):
        by_leaf.setdefault(_ckey(leaf), set()).add(_ckey(path))
    keys, mapped, keep = [], [], []
    for leaf, path in zip(leaves, paths):
        keys.append(_s(path) if len(by_leaf[_ckey(leaf)]) > 1 else leaf)
        hit = None
        for k in (_ckey(path), _ckey(leaf)):
            if k in cmap:
                hit = (cmap[k],)
                break
        if hit is None:
            mapped.append(leaf)
            keep.append(True)
        else:
            mapped.append(hit[0] or "")
            keep.append(hit[0] is not None)
    out = table.copy()
    out["_orig_code"] = leaves
    out["_code_key"] = keys
    out["code"] = mapped
    if "parent" in out.columns:
        group_of = {str(c).upper(): str(g).casefold() for c, g in zip(inst.codebook["id"], inst.codebook["group"])}
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
    where = [w for w, m in zip(where, merged) if not m]
    out = out[~merged.to_numpy()].reset_index(drop=True)
    out.attrs["crosswalk"] = {"codings_left_out": n_left_out, "codings_merged": int(merged.sum())}
    return out, where


def _case_hint(table: pd.DataFrame, tabular: bool) -> str:
    if tabular:
        return "or map a column with codings.cases in study.yaml, e.g. cases: {school: Site}"
    known = table.attrs.get("variables") or []
    return ("or map a case variable with codings.cases in study.yaml; this project's variables: "
            + (", ".join(known) if known else "none (use from_filename)"))


def _crosswalked(table, raw, where, file, inst, codes, cases, tabular) -> tuple[pd.DataFrame, list[Problem]]:
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
        return check_codings(table, inst, file=file)  # the missing-column messages
    attrs = dict(table.attrs)
    table, where = _apply_codes(table, where, cmap, inst)
    table.attrs.update({k: v for k, v in attrs.items() if k not in table.attrs})
    out, more = check_codings(table, inst, file=file, rows=where, case_hint=_case_hint(table, tabular))
    out.attrs.update(table.attrs)
    failed = {f.column for f in found}  # already explained: not also "school is empty"
    more = [q for q in more if not (q.column in failed and q.message.split(" (")[0].endswith(f"{q.column} is empty"))]
    return out, _group_problems(found, file) + more


def _load(path, instrument, codes=None, cases=None, allow_external=None) -> tuple[pd.DataFrame, list[Problem]]:
    p = Path(path)
    if not p.exists():
        return pd.DataFrame(), [Problem(str(p), "file not found", "check the path")]
    inst = _instrument(instrument)
    if p.suffix.lower() == ".qdpx":
        return _read_qdpx_checked(p, inst, codes, cases, allow_external)
    try:
        raw = _read_table(p)
    except DataError as e:
        return pd.DataFrame(), e.problems
    where = [i + 2 for i in range(len(raw))]
    return _crosswalked(raw, raw, where, str(p), inst, codes, cases, True)


def validate_codings(path, instrument=None, *, codes=None, cases=None, allow_external=None) -> list[Problem]:
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
    did you mean EX-SHARE (Expertise shared between colleagues)? correct it, or add  "EX-SHAER": EX-SHARE
    under codings.codes in study.yaml (or another codebook id; ~ leaves the code out on purpose)

    References
    ----------
    REFI-QDA Standard 1.5 (2019).
    """
    return _load(path, instrument, codes, cases, allow_external)[1]


def read_codings(path, instrument=None, *, codes=None, cases=None, allow_external=None) -> pd.DataFrame:
    """Read coded interview excerpts into the tidy codings table.

    Parameters
    ----------
    path : str or Path
        A CSV (UTF-8) or XLSX file with one row per excerpt x code x coder and
        columns ``excerpt_id, interview_id, school, role, coder, code, text``
        plus optional ``exemplary`` (TRUE/FALSE), ``valence`` (strength /
        barrier, per coding) and ``parent``; or a REFI-QDA project ``.qdpx``
        (see :func:`read_qdpx`).
    instrument : Instrument, optional
        Codebook and roles to validate against (default: bundled instrument).
    codes : dict, optional
        The crosswalk from the QDA tool's code names to codebook ids:
        ``{"Teacher collaboration": "OS-COLLAB"}``. A key may be the code's
        name or its full path in the code tree (``"Structures/Teacher
        collaboration"``; ``\\``, ``>`` and ``::`` also separate levels);
        keys are case- and spacing-blind. A value of ``None`` (``~`` in YAML)
        leaves that code out on purpose; ``NO-CODE`` marks "read, no code
        applies". Codes not in the map must already be codebook ids or names.
        Two QDA codes mapped to one id on the same selection make one coding.
    cases : dict, optional
        Where school and role come from: ``{"school": "School", "role":
        "Role"}`` names a case or source variable (QDA) or a column
        (CSV/XLSX). A value may also be a mapping with one of ``from``
        (variable or column name), ``from_filename`` (a regular expression
        applied to the source name, or to ``interview_id`` in a table; the
        first group, else the whole match, is the value) or ``value`` (a
        constant), and optionally ``values`` (``{"Principal": "leader"}``) to
        recode. For CSV/XLSX, ``excerpt_id, interview_id, coder, code, text,
        exemplary`` may be mapped to columns the same way.
    allow_external : path, optional
        For a ``.qdpx``: the only folder source texts outside the archive may be
        read from (default: none, see :func:`read_qdpx`).

    Returns
    -------
    DataFrame
        ``excerpt_id, interview_id, school, role, coder, code, text,
        exemplary, valence`` and, when the QDA code tree (or a ``parent``
        column) puts codes under parent codes or ATLAS.ti code groups,
        ``parent`` (the parent path, or the code groups joined by ``"; "``).
        ``valence`` is "" where it was not recorded (filled in for barrier
        and enabler codes, whose valence is fixed). Sorted by interview,
        excerpt, coder and code. ``attrs["source"]`` holds the file name and
        SHA-256, ``attrs["instrument_version"]`` the codebook version,
        ``attrs["crosswalk"]`` how many codings the map left out or merged.

    Raises
    ------
    DataError
        One line per distinct problem, with its count and first three places
        ("... and N more"), each naming file, row (header = row 1) or QDA
        source and selection, and column: unknown codes (each with the exact
        ``codes:`` line to add and the closest codebook code), excerpts
        without an interview, missing coders, empty or unknown roles and
        schools (with the project's case variables), duplicate rows, excerpts
        or interviews with inconsistent ids, school or role, and a bad
        crosswalk.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.csv").write_text(
    ...     "excerpt_id,interview_id,school,role,coder,code,text,exemplary\\n"
    ...     "e1,i1,S1,teacher,ana,EX-SHARE,We share lessons.,TRUE\\n"
    ...     "e1,i1,S1,teacher,ben,EX-SHARE,We share lessons.,\\n")
    >>> read_codings(d / "c.csv")[["excerpt_id", "coder", "code", "exemplary"]]
      excerpt_id coder      code  exemplary
    0         e1   ana  EX-SHARE       True
    1         e1   ben  EX-SHARE      False

    References
    ----------
    REFI-QDA Standard 1.5 (2019), www.qdasoftware.org.
    """
    out, problems = _load(path, instrument, codes, cases, allow_external)
    if problems:
        raise DataError(problems)
    p = Path(path)
    out.attrs["source"] = f"{p.name} sha256:{file_sha256(p)}"
    out.attrs["instrument_version"] = _instrument(instrument).version
    return out


# ==========================================================================
# REFI-QDA project (.qdpx)
# ==========================================================================
def _q(tag: str, ns: str = NS_PROJECT) -> str:
    return f"{{{ns}}}{tag}"


def _code_tree(parent: ET.Element, codebook: pd.DataFrame, extra: Iterable[str], ns: str, with_notes: bool,
               parented: Iterable[tuple[str, str]] = ()):
    """Group codes under non-codable parent codes named after their group.

    A group (or a parent in ``parented``) written as a path ``"A/B"`` becomes
    nested parent codes A > B. ``parented`` holds ``(parent path, code)``
    pairs placed under their own parent codes (the QDA tool's code tree).
    """
    codes = ET.SubElement(parent, _q("Codes", ns))
    containers: dict[str, ET.Element] = {}

    def container(path: str) -> ET.Element:
        if not path:
            return codes
        if path not in containers:
            head, _, leaf = path.rpartition("/")
            containers[path] = ET.SubElement(
                container(head), _q("Code", ns), {"guid": _guid("group", path), "name": leaf, "isCodable": "false"}
            )
        return containers[path]

    info = {rec.id: rec for rec in codebook.itertuples(index=False)}
    groups = list(dict.fromkeys(codebook["group"].astype(str)))
    for g in groups:
        gel = container(g)
        for rec in codebook[codebook["group"].astype(str) == g].itertuples(index=False):
            cel = ET.SubElement(
                gel, _q("Code", ns), {"guid": _guid("code", rec.id), "name": rec.id, "isCodable": "true"}
            )
            ET.SubElement(cel, _q("Description", ns)).text = _describe(rec)
    for c in extra:
        ET.SubElement(codes, _q("Code", ns), {"guid": _guid("code", c), "name": c, "isCodable": "true"})
    for p, c in parented:
        cel = ET.SubElement(container(p), _q("Code", ns),
                            {"guid": _guid("code", f"{p}/{c}"), "name": c, "isCodable": "true"})
        if c in info:
            ET.SubElement(cel, _q("Description", ns)).text = _describe(info[c])
    return codes


_DESC_FIELDS = [("name", "Name"), ("definition", "Definition"), ("use_when", "Use when"),
                ("do_not_use_when", "Do not use when"), ("example", "Example")]
# written only when they differ from the defaults, so a 1.0.0 codebook keeps its bytes
_DESC_OPTIONAL = [("negative_example", "Negative example"), ("domain", "Domain"), ("valence", "Valence")]


def _describe(rec) -> str:
    lines = []
    for attr, label in _DESC_FIELDS:
        v = getattr(rec, attr, "")
        lines.append(f"{label}: {_s(v)}")
    for attr, label in _DESC_OPTIONAL:
        v = _s(getattr(rec, attr, ""))
        default = {"domain": _s(getattr(rec, "group", "")) if _s(getattr(rec, "group", "")) not in
                   ("BARRIER", "ENABLER") else "", "valence": "either"}.get(attr, "")
        if v and v != default:
            lines.append(f"{label}: {v}")
    return "\n".join(lines)


def _parse_description(text: str) -> dict:
    out = {k: "" for k, _ in _DESC_FIELDS + _DESC_OPTIONAL}
    labels = {label.lower(): attr for attr, label in _DESC_FIELDS + _DESC_OPTIONAL}
    current = None
    found = False
    for line in (text or "").splitlines():
        m = re.match(r"^\s*(Name|Definition|Use when|Do not use when|Example|Negative example|Domain|Valence)"
                     r"\s*:\s?(.*)$", line, re.I)
        if m:
            current = labels[m.group(1).lower()]
            out[current] = m.group(2).strip()
            found = True
        elif current is not None:
            out[current] = (out[current] + "\n" + line).strip()
    if not found:
        out["definition"] = (text or "").strip()
    return out


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")


def _zip_write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    zf.writestr(info, data)


def write_qdpx(codings: pd.DataFrame, path, instrument=None, *, project_name: str = "Asset Inventory interviews") -> Path:
    """Write codings as a REFI-QDA 1.5 project (``.qdpx``).

    Mapping: each interview becomes a ``TextSource`` whose plain text (in
    ``Sources/<guid>.txt``, referenced as ``internal://``) is its excerpts
    joined by blank lines, in excerpt-id order; each excerpt a
    ``PlainTextSelection`` (``name`` = excerpt id, 0-based ``startPosition``,
    exclusive ``endPosition``, in characters); each coder a ``User`` and each
    code application a ``Coding`` made by that user. School and role are
    ``Text`` variables of one ``Case`` per interview (``SourceRef`` to it).
    Codes sit under non-codable parent codes named after their group (EX, LM,
    CN, OS, BARRIER, ENABLER) with the definition in ``Description``.
    Excerpts flagged exemplary carry a ``NoteRef`` to a note named
    ``assetinv:exemplary``. A coding's valence is a ``NoteRef`` on that
    ``Coding`` (the REFI-QDA 1.5 ``CodingType`` holds one ``CodeRef`` and any
    number of ``NoteRef``) to a note named ``assetinv:valence=strength`` or
    ``assetinv:valence=barrier``, so it survives a round trip through a QDA
    tool and is per coding, not per code. GUIDs are UUID-5 of the ids and the zip has fixed
    timestamps, so the same codings give the same bytes.

    Parameters
    ----------
    codings : DataFrame
        The tidy codings table (:func:`read_codings`).
    path : str or Path
        Output ``.qdpx`` file.
    instrument : Instrument, optional
        Supplies the codebook (default: the bundled instrument).
    project_name : str
        ``Project/@name``.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1"], "interview_id": ["i1"],
    ...     "school": ["S1"], "role": ["teacher"], "coder": ["ana"],
    ...     "code": ["EX-SHARE"], "text": ["We share."], "exemplary": [False]})
    >>> f = write_qdpx(c, pathlib.Path(tempfile.mkdtemp()) / "p.qdpx")
    >>> read_qdpx(f)[["excerpt_id", "coder", "code", "text"]].iloc[0].tolist()
    ['e1', 'ana', 'EX-SHARE', 'We share.']

    References
    ----------
    REFI-QDA Standard 1.5 (2019), Project.xsd, www.qdasoftware.org.
    """
    path = Path(path)
    cod = codings.copy()
    if "exemplary" not in cod:
        cod["exemplary"] = False
    if "valence" not in cod:
        cod["valence"] = ""
    cod["valence"] = [_s(v).lower() for v in cod["valence"]]
    for c in CODING_COLUMNS:
        cod[c] = [_s(v) for v in cod[c]]
    cod = _sort_codings(cod)
    cb = _codebook(instrument)
    cod["parent"] = [_s(v) for v in cod["parent"]] if "parent" in cod.columns else ""
    parented = sorted(set(zip(cod.loc[cod["parent"] != "", "parent"], cod.loc[cod["parent"] != "", "code"])))
    extra = sorted(set(cod.loc[cod["parent"] == "", "code"]) - set(cb["id"]))
    ET.register_namespace("", NS_PROJECT)
    root = ET.Element(_q("Project"), {"name": project_name, "origin": "assetinv"})
    users = ET.SubElement(root, _q("Users"))
    for coder in sorted(set(cod["coder"])):
        ET.SubElement(users, _q("User"), {"guid": _guid("user", coder), "name": coder, "id": coder})
    book = ET.SubElement(root, _q("CodeBook"))
    _code_tree(book, cb, extra, NS_PROJECT, True, parented)
    variables = ET.SubElement(root, _q("Variables"))
    for v in ("school", "role"):
        ET.SubElement(variables, _q("Variable"), {"guid": _guid("var", v), "name": v, "typeOfVariable": "Text"})
    interviews = (
        cod.drop_duplicates("interview_id")[["interview_id", "school", "role"]]
        .sort_values("interview_id", kind="mergesort")
    )
    cases = ET.SubElement(root, _q("Cases"))
    for rec in interviews.itertuples(index=False):
        case = ET.SubElement(cases, _q("Case"), {"guid": _guid("case", rec.interview_id), "name": rec.interview_id})
        for v in ("school", "role"):
            vv = ET.SubElement(case, _q("VariableValue"))
            ET.SubElement(vv, _q("VariableRef"), {"targetGUID": _guid("var", v)})
            ET.SubElement(vv, _q("TextValue")).text = getattr(rec, v)
        ET.SubElement(case, _q("SourceRef"), {"targetGUID": _guid("source", rec.interview_id)})
    sources = ET.SubElement(root, _q("Sources"))
    files: dict[str, bytes] = {}
    note_guid = _guid("note", _EXEMPLARY_NOTE)
    any_exemplary = bool(cod["exemplary"].any())
    for itv, g in cod.groupby("interview_id", sort=True):
        sguid = _guid("source", itv)
        src = ET.SubElement(
            sources, _q("TextSource"), {"guid": sguid, "name": itv, "plainTextPath": f"internal://{sguid}.txt"}
        )
        parts: list[str] = []
        pos = 0
        for ex, eg in g.groupby("excerpt_id", sort=True):
            text = eg["text"].iloc[0]
            if parts:
                parts.append("\n\n")
                pos += 2
            start, end = pos, pos + len(text)
            parts.append(text)
            pos = end
            first_coder = eg["coder"].iloc[0]
            sel = ET.SubElement(
                src,
                _q("PlainTextSelection"),
                {
                    "guid": _guid("selection", ex),
                    "name": ex,
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": _guid("user", first_coder),
                },
            )
            for rec in eg.itertuples(index=False):
                coding = ET.SubElement(
                    sel,
                    _q("Coding"),
                    {"guid": _guid("coding", f"{ex}|{rec.coder}|{rec.code}"), "creatingUser": _guid("user", rec.coder)},
                )
                code_key = f"{rec.parent}/{rec.code}" if rec.parent else rec.code
                ET.SubElement(coding, _q("CodeRef"), {"targetGUID": _guid("code", code_key)})
                if bool(rec.exemplary):
                    ET.SubElement(coding, _q("NoteRef"), {"targetGUID": note_guid})
                if rec.valence in _VALENCE_NOTES:
                    ET.SubElement(coding, _q("NoteRef"), {"targetGUID": _guid("note", _VALENCE_NOTES[rec.valence])})
        files[f"Sources/{sguid}.txt"] = "".join(parts).encode("utf-8")
    used_valences = [v for v in _VALENCE_NOTES if (cod["valence"] == v).any()]
    if any_exemplary or used_valences:
        notes = ET.SubElement(root, _q("Notes"))
    if any_exemplary:
        note = ET.SubElement(notes, _q("Note"), {"guid": note_guid, "name": _EXEMPLARY_NOTE})
        ET.SubElement(note, _q("PlainTextContent")).text = (
            "Codings referring to this note were flagged by their coder as exemplary quotes."
        )
    for v in used_valences:
        note = ET.SubElement(notes, _q("Note"), {"guid": _guid("note", _VALENCE_NOTES[v]), "name": _VALENCE_NOTES[v]})
        ET.SubElement(note, _q("PlainTextContent")).text = (
            f"Codings referring to this note record valence '{v}': the excerpt shows "
            + ("the practice or condition present and helping." if v == "strength"
               else "the practice or condition missing, weak or in the way.")
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _zip_write(zf, "project.qde", _xml_bytes(root))
        for name in sorted(files):
            _zip_write(zf, name, files[name])
    path.write_bytes(buf.getvalue())
    return path


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _iter(el: ET.Element, name: str):
    for c in el.iter():
        if _local(c.tag) == name:
            yield c


def _variable_value(vv: ET.Element) -> str:
    for c in vv:
        if _local(c.tag).endswith("Value"):
            return (c.text or "").strip()
    return ""


def _code_paths(root: ET.Element) -> dict[str, dict]:
    """Code guid -> name, full path ("Parent/Child"), parent path and code groups (Sets)."""
    info: dict[str, dict] = {}

    def walk(el, ancestors):
        for code in _children(el, "Code"):
            name = (code.get("name") or "").strip()
            info[code.get("guid")] = {"name": name, "path": "/".join(ancestors + [name]),
                                      "parent": "/".join(ancestors), "sets": []}
            walk(code, ancestors + [name])

    for codes_el in _iter(root, "Codes"):
        walk(codes_el, [])
    for st in _iter(root, "Set"):
        sname = (st.get("name") or "").strip()
        for m in _children(st, "MemberCode"):
            g = m.get("targetGUID") or m.get("guid")  # project schema: targetGUID; codebook schema: guid
            if g in info and sname:
                info[g]["sets"].append(sname)
    for d in info.values():
        d["sets"] = sorted(set(d["sets"]))
        d["group"] = d["parent"] or "; ".join(d["sets"])
    return info


def _read_qdpx_raw(path: Path, allow_external=None) -> tuple[pd.DataFrame, list, list[Problem]]:
    """Parse a .qdpx; every malformed part becomes a Problem (or a DataError), never a traceback."""
    try:
        return _read_qdpx_parts(path, allow_external)
    except DataError as err:
        return pd.DataFrame(), [], list(err.problems) or [Problem(str(path), str(err), "export the project again")]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError, RecursionError,
            zipfile.BadZipFile, EOFError, OSError) as err:
        return pd.DataFrame(), [], [Problem(str(path), f"the project cannot be read ({type(err).__name__})",
                                            "export the project again as REFI-QDA .qdpx")]


def _position(sel: ET.Element, attr: str, file: str, where: str) -> int:
    raw = sel.get(attr, "0")
    if not re.fullmatch(r"\s*\d{1,12}\s*", raw or ""):
        shown = raw if len(raw) <= 20 and raw.isprintable() else raw[:20].encode("unicode_escape").decode() + "..."
        raise DataError(Problem(file, f"{where}: {attr} '{shown}' is not a whole number of characters",
                                "export the project again (positions are 0-based character offsets)"))
    return int(raw)


def _read_qdpx_parts(path: Path, allow_external=None) -> tuple[pd.DataFrame, list, list[Problem]]:
    from .safe_input import SafeZip, resolve_external_source

    file = str(path)
    with SafeZip(path, label=file) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        qde = next((names[n] for n in names if n.endswith(".qde")), None)
        if qde is None:
            return pd.DataFrame(), [], [Problem(file, "no project.qde inside the archive", "export the project again as REFI-QDA .qdpx")]
        try:
            root = ET.fromstring(zf.read(qde))
        except ET.ParseError as e:
            return pd.DataFrame(), [], [Problem(file, f"project.qde is not valid XML ({e})", "export the project again")]
        if _local(root.tag) != "Project":
            return pd.DataFrame(), [], [Problem(file, f"root element is <{_local(root.tag)}>, not <Project>", "export a REFI-QDA project")]
        problems: list[Problem] = []
        users = {u.get("guid"): (u.get("name") or u.get("id") or "") for u in _iter(root, "User")}
        codes = _code_paths(root)
        notes = {n.get("guid"): (n.get("name") or "") for n in _iter(root, "Note")}
        variables = {v.get("guid"): (v.get("name") or "").strip() for v in _iter(root, "Variable")}
        var_map = {"school": "school", "site": "school", "role": "role"}

        def var_dict(el) -> dict:
            out = {}
            for vv in _children(el, "VariableValue"):
                ref = _child(vv, "VariableRef")
                vname = variables.get(ref.get("targetGUID") if ref is not None else None, "")
                if vname:
                    out[vname] = _variable_value(vv)
            return out

        case_vars: dict[str, dict] = {}
        cases_el = _child(root, "Cases")
        for case in (_children(cases_el, "Case") if cases_el is not None else []):
            vals = var_dict(case)
            for sref in _children(case, "SourceRef"):
                case_vars.setdefault(sref.get("targetGUID"), {}).update(vals)
        rows, where = [], []
        sources_el = _child(root, "Sources")
        text_sources = _children(sources_el, "TextSource") if sources_el is not None else []
        # a selection name used in two sources (tools that number selections per source) is no excerpt id
        name_sources: dict[str, set] = {}
        for src in text_sources:
            for sel in _children(src, "PlainTextSelection"):
                if sel.get("name"):
                    name_sources.setdefault(sel.get("name"), set()).add(src.get("guid"))
        for src in text_sources:
            sguid = src.get("guid")
            sname = src.get("name") or sguid
            content = _child(src, "PlainTextContent")
            ref = src.get("plainTextPath") or ""
            if content is not None:
                text = content.text or ""
            else:
                ref = src.get("plainTextPath") or ""
                scheme = ref.split("://", 1)[0].lower() if "://" in ref else "internal"
                member = ref.split("://", 1)[-1]
                if scheme in ("absolute", "relative", "file"):
                    # outside the archive: only from a folder the user allowed (see assetinv.safe_input)
                    ext = resolve_external_source(ref if scheme != "file" else "absolute://" + member,
                                                  archive=path, base_path=root.get("basePath"),
                                                  allow_external=allow_external, source=sname)
                    text = _read_external_text(ext, zf, file, sname)
                else:
                    cand = [names.get(f"sources/{member}".lower()), names.get(member.lower())]
                    cand = [c for c in cand if c]
                    if not cand:  # never looked up on disk: an internal path names a member of the archive
                        problems.append(Problem(file, f"text of source '{sname}' not found inside the archive",
                                                "export the project with its sources included"))
                        continue
                    try:
                        text = zf.read(cand[0]).decode("utf-8-sig")
                    except UnicodeDecodeError:
                        problems.append(Problem(file, f"text of source '{sname}' is not UTF-8 text",
                                                "export the project again (REFI-QDA source texts are UTF-8)"))
                        continue
            allvars = dict(case_vars.get(sguid, {}))
            allvars.update(var_dict(src))
            meta = {var_map[k.lower()]: v for k, v in allvars.items() if k.lower() in var_map}
            file_names = [sname] + [Path((src.get(a) or "").split("://", 1)[-1]).name
                                    for a in ("richTextPath", "plainTextPath") if src.get(a)]
            seen: dict[tuple, str] = {}
            for sel in _children(src, "PlainTextSelection"):
                swhere = f"source '{sname}', selection '{sel.get('name') or sel.get('guid') or '?'}'"
                start = _position(sel, "startPosition", file, swhere)
                end = _position(sel, "endPosition", file, swhere)
                if end < start or end > len(text):
                    problems.append(Problem(file, f"{swhere}: positions {start}-{end} lie outside the source "
                                            f"text ({len(text)} characters)", "export the project again"))
                    continue
                key = (start, end)
                own = sel.get("name") if len(name_sources.get(sel.get("name"), ())) == 1 else None
                ex = seen.get(key) or own or f"{sname}#{start}-{end}"
                seen.setdefault(key, ex)
                sel_user = users.get(sel.get("creatingUser"), "")
                for coding in _children(sel, "Coding"):
                    cref = _child(coding, "CodeRef")
                    cguid = cref.get("targetGUID") if cref is not None else None
                    coder = users.get(coding.get("creatingUser"), "") or sel_user
                    note_names = [notes.get(n.get("targetGUID"), "") for n in _children(coding, "NoteRef")]
                    exemplary = _EXEMPLARY_NOTE in note_names
                    valence = next((v for v, nm in _VALENCE_NOTES.items() if nm in note_names), "")
                    cinfo = codes.get(cguid, {"name": cguid or "", "path": cguid or "", "group": ""})
                    rows.append(
                        {
                            "excerpt_id": ex,
                            "interview_id": sname,
                            "school": meta.get("school", ""),
                            "role": meta.get("role", ""),
                            "coder": coder,
                            "code": cinfo["name"],
                            "text": text[start:end],
                            "exemplary": "TRUE" if exemplary else "FALSE",
                            "valence": valence,
                            "parent": cinfo["group"],
                            "code_path": cinfo["path"],
                            "_vars": allvars,
                            "_names": file_names,
                        }
                    )
                    span = "" if f"{start}-{end}" in ex else f" ({start}-{end})"
                    where.append(f"source '{sname}', selection '{ex}'{span}")
        table = pd.DataFrame(rows, columns=CODING_COLUMNS + ["exemplary", "valence", "parent", "code_path", "_vars",
                                                             "_names"])
        table.attrs["variables"] = sorted(set(variables.values()))
        return table, where, problems


def _read_external_text(target: Path, zf, file: str, sname: str) -> str:
    """Read an allowed external source text under the archive's size cap."""
    limit = max(zf.max_bytes - zf.read_so_far, 0)
    with open(target, "rb") as fh:
        data = fh.read(limit + 1)
    zf.read_so_far += len(data)
    if len(data) > limit:
        raise DataError(Problem(file, f"the text of source '{sname}' is larger than the size allowed",
                                "split the source, or embed a shorter text in the project"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(Problem(file, f"the text of source '{sname}' is not UTF-8 text",
                                "save the source text as UTF-8")) from None


def _read_qdpx_checked(path: Path, instrument, codes=None, cases=None, allow_external=None) -> tuple[pd.DataFrame, list[Problem]]:
    table, where, problems = _read_qdpx_raw(path, allow_external)
    if problems and table.empty:
        return table, problems
    if table.empty:
        return table, problems + [Problem(str(path), "the project has no coded text selections", "code some excerpts before exporting")]
    out, more = _crosswalked(table, None, where, str(path), instrument, codes, cases, False)
    return out, problems + more


def read_qdpx(path, instrument=None, *, codes=None, cases=None, allow_external=None) -> pd.DataFrame:
    """Read a REFI-QDA project (``.qdpx``) exported by NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Every ``Coding`` inside a ``PlainTextSelection`` of a ``TextSource``
    becomes one row: the source's ``name`` is the interview, the selection's
    ``name`` the excerpt id (or ``<source>#<start>-<end>`` when unnamed;
    selections of different coders over the same span are one excerpt), the
    coding's ``creatingUser`` (else the selection's) the coder, the code's
    ``name`` the code, and the selected characters the text. School and role
    come from variables named ``school`` (or ``site``) and ``role`` on the
    source or on a ``Case`` that refers to it. Source text is read from
    ``PlainTextContent`` or the ``plainTextPath`` file inside the archive.

    The archive is untrusted input: it is refused when its headers declare, or
    its members expand to, more than
    :data:`assetinv.safe_input.MAX_UNCOMPRESSED_BYTES` (512 MiB) or a member
    is compressed more than :data:`~assetinv.safe_input.MAX_COMPRESSION_RATIO`
    (100) to 1. A ``plainTextPath`` outside the archive (``absolute://``, or
    ``relative://`` as REFI-QDA allows) is refused unless ``allow_external``
    names a folder, and then only files inside that folder are read (symbolic
    links resolved). Malformed positions, XML or zip members give a
    :class:`~assetinv.errors.DataError`, never a traceback.

    Parameters
    ----------
    path : str or Path
    instrument : Instrument, optional
        Codebook to validate against (default: bundled instrument). Code names
        may be codebook ids or codebook names.
    allow_external : path, optional
        The only folder that source texts outside the archive may come from.

    Returns
    -------
    DataFrame
        The tidy codings table (as :func:`read_codings`).

    Raises
    ------
    DataError
        With every problem; the location names source and selection.

    Examples
    --------
    See :func:`write_qdpx`.

    References
    ----------
    REFI-QDA Standard 1.5 (2019), www.qdasoftware.org.
    """
    return read_codings(path, instrument, codes=codes, cases=cases, allow_external=allow_external)


# ==========================================================================
# REFI-QDA codebook (.qdc)
# ==========================================================================
def write_qdc(codebook, path) -> Path:
    """Export the codebook as a REFI-QDA codebook (``.qdc``).

    Codes are nested under non-codable parent codes named after their group;
    each code's ``Description`` holds its name, definition, use-when,
    do-not-use-when and example as labelled lines, so :func:`read_qdc` gets
    the same table back.

    Parameters
    ----------
    codebook : Instrument or DataFrame
        An instrument, or a codebook table with ``id, group, name,
        definition, use_when, do_not_use_when, example``.
    path : str or Path

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib, assetinv
    >>> cb = assetinv.load_instrument().codebook
    >>> f = write_qdc(cb, pathlib.Path(tempfile.mkdtemp()) / "codebook.qdc")
    >>> back = read_qdc(f)
    >>> back.equals(cb[list(back.columns)].reset_index(drop=True))
    True

    References
    ----------
    REFI-QDA Standard 1.5 (2019), Codebook.xsd.
    """
    cb = codebook.codebook if hasattr(codebook, "codebook") else codebook
    cb = cb.reset_index(drop=True)
    ET.register_namespace("", NS_CODEBOOK)
    root = ET.Element(_q("CodeBook", NS_CODEBOOK), {"origin": "assetinv"})
    _code_tree(root, cb, [], NS_CODEBOOK, False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_xml_bytes(root))
    return path


def read_qdc(path) -> pd.DataFrame:
    """Load a REFI-QDA codebook (``.qdc``) as a codebook table.

    Parameters
    ----------
    path : str or Path
        A ``.qdc`` file (namespace ``urn:QDA-XML:codebook:1.0``), or a
        ``.qdpx`` project whose codebook should be read.

    Returns
    -------
    DataFrame
        ``id, group, name, definition, use_when, do_not_use_when, example,
        domain, valence, negative_example`` (the last three from "Domain:",
        "Valence:" and "Negative example:" lines of the description when present),
        one row per codable code. ``id`` is the code's ``name`` attribute;
        ``group`` the path of its parent codes (``"Structures"``,
        ``"Culture/Norms"``; codable or not, so a MAXQDA or NVivo tree is
        kept), or, for a top-level code, the names of the code groups
        (REFI-QDA ``Sets``, as ATLAS.ti exports its code groups) it belongs
        to, joined by ``"; "`` (else ``""``). :func:`write_qdc` writes a
        path group as nested parent codes, so the round trip keeps it.
        Labelled lines in ``Description`` (as written by :func:`write_qdc`)
        fill the text columns; otherwise the whole description is the
        definition and ``name`` repeats the id.

    Raises
    ------
    DataError
        If the file is not a REFI-QDA codebook.

    Examples
    --------
    See :func:`write_qdc`.

    References
    ----------
    REFI-QDA Standard 1.5 (2019), Codebook.xsd.
    """
    p = Path(path)
    try:
        if p.suffix.lower() == ".qdpx":
            from .safe_input import SafeZip

            with SafeZip(p) as zf:
                qde = next(n for n in zf.namelist() if n.lower().endswith(".qde"))
                root = ET.fromstring(zf.read(qde))
        else:
            root = ET.fromstring(p.read_bytes())
    except (OSError, ET.ParseError, zipfile.BadZipFile, StopIteration) as e:
        raise DataError(Problem(str(p), f"cannot read a REFI-QDA codebook ({e})", "export the codebook again as .qdc")) from e
    rows = []
    paths = _code_paths(root)

    def walk(el):
        for code in _children(el, "Code"):
            codable = (code.get("isCodable") or "true").lower() == "true"
            name = code.get("name") or ""
            if codable:
                desc = _child(code, "Description")
                info = _parse_description(desc.text if desc is not None else "")
                group = paths.get(code.get("guid"), {}).get("group", "")
                rows.append({"id": name, "group": group, "name": info["name"] or name, **{k: info[k] for k in
                            ("definition", "use_when", "do_not_use_when", "example")}})
                rows[-1].update({k: info[k] for k, _ in _DESC_OPTIONAL})
            walk(code)

    codes_el = next(_iter(root, "Codes"), None)
    if codes_el is None:
        raise DataError(Problem(str(p), "no <Codes> element found", "export the codebook again as REFI-QDA .qdc"))
    walk(codes_el)
    out = pd.DataFrame(rows, columns=["id", "group", "name", "definition", "use_when", "do_not_use_when", "example",
                                      "domain", "valence", "negative_example"]).fillna("")
    # the defaults load_instrument gives: a topic code's domain is its group, valence 'either'
    last = [str(g).replace("\\", "/").split("/")[-1] for g in out["group"]]  # a group may be a code-tree path
    out["domain"] = [d or ("" if g in ("BARRIER", "ENABLER") else g) for d, g in zip(out["domain"], last)]
    out["valence"] = [v.strip().lower() or "either" for v in out["valence"]]
    return out


# ==========================================================================
# tallies and co-occurrence
# ==========================================================================
def _code_info(instrument) -> pd.DataFrame:
    cb = _codebook(instrument).copy()
    if "domain" not in cb.columns:
        cb["domain"] = ""
    # the domain a code bears on: its own for topic codes, the tied one for barrier/enabler codes
    cb["domain"] = [d if isinstance(d, str) and d else g for d, g in zip(cb["domain"], cb["group"])]
    return cb[["id", "group", "name", "domain"]].rename(columns={"id": "code", "name": "code_name"})


def _with_valence(codings: pd.DataFrame) -> pd.DataFrame:
    """The codings with a ``valence`` column ("" when the input has none)."""
    if "valence" in codings.columns:
        return codings.assign(valence=[_s(v).lower() for v in codings["valence"]])
    return codings.assign(valence="")


def _real(codings: pd.DataFrame) -> pd.DataFrame:
    return codings[codings["code"] != NO_CODE]


def code_tallies(
    codings: pd.DataFrame,
    by: str | Sequence[str] | None = "school",
    *,
    level: str = "code",
    instrument=None,
    coder: str | None = None,
    min_n: int = MIN_INTERVIEWS,
    sort: str = "count",
    include_zero: bool = True,
) -> pd.DataFrame:
    """Count excerpts and interviews mentioning each code, by site and/or role.

    An excerpt *mentions* a code when any coder (or the one named in
    ``coder``) applied it; an interview mentions a code when any of its
    excerpts does (presence, so a talkative interviewee counts once).

    Parameters
    ----------
    codings : DataFrame
        Tidy codings (:func:`read_codings`).
    by : str, list of str or None
        Grouping columns among ``"school"`` and ``"role"``; ``None`` for the
        whole network.
    level : {"code", "domain"}
        Tally single codes, or codebook groups (domains EX, LM, CN, OS and
        the cross-cutting BARRIER, ENABLER): an excerpt mentions a domain when
        it carries any of the domain's codes.
    instrument : Instrument, optional
        For code names and groups (default: bundled instrument).
    coder : str, optional
        Count only this coder's codings (e.g. the lead coder or a
        ``consensus`` pseudo-coder). Default: any coder.
    min_n : int
        Groups with fewer interviews than this are suppressed (counts and
        shares set to NaN, reason in ``suppressed``), as in the survey tables.
        Default :data:`assetinv.privacy.MIN_INTERVIEWS` (2): a site's themes
        are shown only when they pool at least two interviews, so no single
        interview's coding stands alone; a site split by role usually falls
        under it. By school, a site where some role gave a single interview
        (one teacher and one leader, say) is suppressed as well
        (:func:`assetinv.privacy.interview_site_reasons`).
    sort : {"count", "codebook"}
        Within each group, most-mentioned first (ties by codebook order), or
        codebook order.
    include_zero : bool
        Keep codebook codes that nobody applied in a group (count 0).

    Returns
    -------
    DataFrame
        ``<by...>, code, code_name, group, domain`` (``domain``: the domain
        the code bears on, so barrier and enabler codes sit next to their
        domain) or, with ``level="domain"``, ``domain, domain_name`` (the
        codebook group); then ``n`` (interviews in the group),
        ``n_group_excerpts``, ``n_excerpts``, ``n_interviews``,
        ``n_strength``, ``n_barrier`` (excerpts where a coder recorded that
        valence; an excerpt the coders read differently counts in both, one
        without a recorded valence in neither), ``share_excerpts`` (of the
        group's excerpts), ``share_interviews`` (of its interviews),
        ``suppressed``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e2", "e3"], "interview_id": ["i1", "i1", "i2"],
    ...     "school": ["S1"] * 3, "role": ["teacher"] * 3, "coder": ["ana"] * 3,
    ...     "code": ["EX-SHARE", "EX-SHARE", "OS-PLC"], "text": ["a", "b", "c"]})
    >>> t = code_tallies(c, by="school", min_n=1, include_zero=False)
    >>> t[["school", "code", "n_excerpts", "n_interviews", "share_interviews"]]
      school      code  n_excerpts  n_interviews  share_interviews
    0     S1  EX-SHARE           2             1               0.5
    1     S1    OS-PLC           1             1               0.5

    References
    ----------
    Miles, M. B., Huberman, A. M., & Saldana, J. (2014). *Qualitative Data
    Analysis* (3rd ed.). Sage (counting in qualitative analysis).
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for b in by:
        if b not in ("school", "role"):
            raise ValueError(f"by must be 'school', 'role' or both, got {b!r}")
    if level not in ("code", "domain"):
        raise ValueError("level must be 'code' or 'domain'")
    info = _code_info(instrument)
    order = {c: i for i, c in enumerate(info["code"])}
    c = codings if coder is None else codings[codings["coder"] == coder]
    base = _with_valence(c)[CODING_COLUMNS + ["valence"]].copy()
    group_sizes = (
        base.groupby(by, sort=True).agg(n=("interview_id", "nunique"), n_group_excerpts=("excerpt_id", "nunique")).reset_index()
        if by
        else pd.DataFrame({"n": [base["interview_id"].nunique()], "n_group_excerpts": [base["excerpt_id"].nunique()]})
    )
    real = _real(base).merge(info, on="code", how="left")
    real["group"] = real["group"].fillna("")
    real["code_name"] = real["code_name"].fillna(real["code"])
    key = "code" if level == "code" else "group"
    counts = real.groupby(by + [key], sort=True).agg(
        n_excerpts=("excerpt_id", "nunique"), n_interviews=("interview_id", "nunique")
    ).reset_index()
    for v in ("strength", "barrier"):
        nv = real[real["valence"] == v].groupby(by + [key], sort=True)["excerpt_id"].nunique().rename(f"n_{v}")
        counts = counts.merge(nv.reset_index(), on=by + [key], how="left")
        counts[f"n_{v}"] = counts[f"n_{v}"].fillna(0).astype(int)
    if include_zero:
        if level == "code":
            keys = list(dict.fromkeys(list(info["code"]) + sorted(set(real["code"]) - set(info["code"]))))
        else:
            keys = list(dict.fromkeys(list(info["group"]) + sorted(set(real["group"]) - set(info["group"]))))
        grid = pd.DataFrame({key: keys})
        grid = group_sizes[by].merge(grid, how="cross") if by else grid
        counts = grid.merge(counts, on=by + [key], how="left")
        vcols = ["n_excerpts", "n_interviews", "n_strength", "n_barrier"]
        counts[vcols] = counts[vcols].fillna(0).astype(int)
    out = counts.merge(group_sizes, on=by, how="left") if by else counts.assign(**group_sizes.iloc[0].to_dict())
    out["share_excerpts"] = out["n_excerpts"] / out["n_group_excerpts"]
    out["share_interviews"] = out["n_interviews"] / out["n"]
    if level == "code":
        out = out.merge(info, on="code", how="left")
        out["code_name"] = out["code_name"].fillna(out["code"])
        out["group"] = out["group"].fillna("")
        out["domain"] = out["domain"].fillna(out["group"])
        out["_ord"] = out["code"].map(order).fillna(len(order))
        lead = ["code", "code_name", "group", "domain"]
    else:
        inst = _instrument(instrument)
        names = dict(zip(inst.domains["id"], inst.domains["name"]))
        names.update({"BARRIER": "Barriers", "ENABLER": "Enablers"})
        out = out.rename(columns={"group": "domain"})
        out["domain_name"] = out["domain"].map(names).fillna(out["domain"])
        gorder = {g: i for i, g in enumerate(dict.fromkeys(info["group"]))}
        out["_ord"] = out["domain"].map(gorder).fillna(len(gorder))
        lead = ["domain", "domain_name"]
    sort_cols = by + (["n_excerpts", "n_interviews", "_ord"] if sort == "count" else ["_ord"])
    asc = [True] * len(by) + ([False, False, True] if sort == "count" else [True])
    out = out.sort_values(sort_cols, ascending=asc, kind="mergesort").drop(columns="_ord")
    cols = by + lead + ["n", "n_group_excerpts", "n_excerpts", "n_interviews", "n_strength", "n_barrier",
                        "share_excerpts", "share_interviews"]
    out = out[cols].reset_index(drop=True)
    values = ["n_group_excerpts", "n_excerpts", "n_interviews", "n_strength", "n_barrier", "share_excerpts",
              "share_interviews"]
    raw_n = out["n"].copy()
    out = suppress(out, values, n_column="n", min_n=min_n)
    if by == ["school"] and "role" in base:
        # a site whose teachers (or leaders) gave a single interview is suppressed too: its counts would
        # show what that one person said (privacy.interview_site_reasons)
        why = interview_site_reasons(base, "school", min_interviews=min_n)
        single = out["school"].astype(str).map(why).fillna("")
        hit = (out["suppressed"] == "") & (single != "")
        if hit.any():
            for col in values + ["n"]:
                out[col] = out[col].astype("float64")
                out.loc[hit, col] = np.nan
            out.loc[hit, "suppressed"] = single[hit]
    if by:
        # the network (or the coarser grouping) is published too: protect a lone suppressed group
        out = complementary_suppress(out, by, by[:-1], value_columns=values, min_n=min_n, raw_n=raw_n,
                                     within=[lead[0]])
    out["suppressed"] = out["suppressed"].str.replace("respondents", "interviews")
    return out


def _presence(codings: pd.DataFrame, unit: str, coder: str | None = None) -> pd.DataFrame:
    """Unit x code 0/1 matrix (any coder, or one coder)."""
    key = "excerpt_id" if unit == "excerpt" else "interview_id"
    c = _real(codings)
    if coder is not None:
        c = c[c["coder"] == coder]
    units = sorted(set(codings[key]))
    m = pd.crosstab(c[key], c["code"]).reindex(index=units, fill_value=0)
    return (m > 0).astype(int)


def cooccurrence(
    codings: pd.DataFrame,
    within: str = "excerpt",
    *,
    codes: Sequence[str] | None = None,
    measure: str = "count",
    instrument=None,
) -> pd.DataFrame:
    """How often two codes are applied to the same excerpt or interview.

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    within : {"excerpt", "interview"}
        The unit within which codes co-occur (any coder's codes count).
    codes : sequence of str, optional
        Codes to include (default: all codes used, in codebook order).
    measure : {"count", "jaccard"}
        Number of units with both codes (the diagonal is the number of units
        with the code), or Jaccard similarity ``|A and B| / |A or B|``.
    instrument : Instrument, optional
        For codebook order.

    Returns
    -------
    DataFrame
        Square, codes x codes, symmetric.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e1", "e2"], "interview_id": ["i1"] * 3,
    ...     "school": ["S1"] * 3, "role": ["teacher"] * 3, "coder": ["ana"] * 3,
    ...     "code": ["EX-SHARE", "OS-PLC", "OS-PLC"], "text": ["a", "a", "b"]})
    >>> m = cooccurrence(c)
    >>> list(m.index), m.to_numpy().tolist()
    (['EX-SHARE', 'OS-PLC'], [[1, 1], [1, 2]])

    References
    ----------
    Saldana, J. (2021). *The Coding Manual for Qualitative Researchers*
    (4th ed.). Sage. Namey, E., et al. (2008). Data reduction techniques for
    large qualitative data sets. In *Handbook for Team-Based Qualitative
    Research*. AltaMira.
    """
    if within not in ("excerpt", "interview"):
        raise ValueError("within must be 'excerpt' or 'interview'")
    pres = _presence(codings, within)
    info = _code_info(instrument)
    order = {c: i for i, c in enumerate(info["code"])}
    if codes is None:
        codes = sorted(pres.columns, key=lambda c: (order.get(c, len(order)), c))
    pres = pres.reindex(columns=list(codes), fill_value=0)
    x = pres.to_numpy()
    both = x.T @ x
    if measure == "jaccard":
        d = np.diag(both)
        union = d[:, None] + d[None, :] - both
        with np.errstate(invalid="ignore", divide="ignore"):
            mat = np.where(union > 0, both / np.where(union == 0, 1, union), np.nan)
    elif measure == "count":
        mat = both
    else:
        raise ValueError("measure must be 'count' or 'jaccard'")
    idx = pd.Index(list(codes), name="code")
    return pd.DataFrame(mat, index=idx, columns=pd.Index(list(codes), name="code"))


# ==========================================================================
# inter-coder agreement
# ==========================================================================
def _codes_in_order(codings: pd.DataFrame, order: dict[str, int]) -> list[str]:
    """The codes applied in ``codings``, in codebook order (codes outside the codebook last, by id)."""
    return sorted(set(_real(codings)["code"]), key=lambda c: (order.get(c, len(order)), c))


def _decision_array(codings: pd.DataFrame, unit: str, codes: Sequence[str]):
    """codes x coders x units 0/1/NaN presence decisions on double-coded units."""
    key = "excerpt_id" if unit == "excerpt" else "interview_id"
    coders = sorted(set(codings["coder"]))
    covered = codings.groupby(key)["coder"].agg(lambda s: set(s))
    double = sorted(u for u, s in covered.items() if len(s) >= 2)
    arr = np.full((len(codes), len(coders), len(double)), np.nan)
    if not double:
        return arr, coders, double
    cidx = {c: i for i, c in enumerate(coders)}
    uidx = {u: i for i, u in enumerate(double)}
    for u in double:
        for cd in covered[u]:
            arr[:, cidx[cd], uidx[u]] = 0.0
    kidx = {c: i for i, c in enumerate(codes)}
    sub = codings[codings[key].isin(uidx) & codings["code"].isin(kidx)]
    for k, cd, u in zip(sub["code"], sub["coder"], sub[key]):
        arr[kidx[k], cidx[cd], uidx[u]] = 1.0
    return arr, coders, double


def _binary_unit_stats(mat: np.ndarray, pair: tuple[int, int] | None = None) -> dict:
    """Per-unit sufficient statistics of a coders x units 0/1/NaN matrix.

    ``pair`` names the two rows used for Cohen's kappa.
    """
    n1 = np.nansum(mat == 1, axis=0).astype(float)
    n0 = np.nansum(mat == 0, axis=0).astype(float)
    r = n0 + n1
    pairable = r >= 2
    rated = r >= 1
    with np.errstate(invalid="ignore", divide="ignore"):
        pa_u = np.where(pairable, (n0 * (n0 - 1) + n1 * (n1 - 1)) / np.where(pairable, r * (r - 1), 1), 0.0)
        pi1_u = np.where(rated, n1 / np.where(rated, r, 1), 0.0)
        # coincidence contributions: o00, o01(=o10), o11
        den = np.where(pairable, r - 1, 1)
        o00 = np.where(pairable, n0 * (n0 - 1) / den, 0.0)
        o01 = np.where(pairable, n0 * n1 / den, 0.0)
        o11 = np.where(pairable, n1 * (n1 - 1) / den, 0.0)
    st = {"pair": pairable.astype(float), "rated": rated.astype(float), "pa": pa_u, "pi1": pi1_u,
          "o00": o00, "o01": o01, "o11": o11}
    if pair is not None:
        a, b = mat[pair[0]], mat[pair[1]]
        both = ~np.isnan(a) & ~np.isnan(b)
        for x in (0, 1):
            for y in (0, 1):
                st[f"c{x}{y}"] = (both & (a == x) & (b == y)).astype(float)
    return st


def _binary_stats(st: dict, w: np.ndarray) -> dict:
    """Coefficients for each row of unit weights ``w`` (boots x units)."""
    S = {k: w @ v for k, v in st.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        npair = S["pair"]
        pa = np.where(npair > 0, S["pa"] / np.where(npair > 0, npair, 1), np.nan)
        pi1 = np.where(S["rated"] > 0, S["pi1"] / np.where(S["rated"] > 0, S["rated"], 1), np.nan)
        pe = 2 * pi1 * (1 - pi1)  # sum_k pi_k (1 - pi_k) / (q - 1), q = 2
        ac1 = (pa - pe) / (1 - pe)
        n0c = S["o00"] + S["o01"]
        n1c = S["o11"] + S["o01"]
        n = n0c + n1c
        de = 2 * n0c * n1c
        alpha = np.where(de > 0, 1 - (n - 1) * 2 * S["o01"] / np.where(de > 0, de, 1), np.nan)
        alpha = np.where(npair > 0, alpha, np.nan)
        if "c00" in S:
            nk = S["c00"] + S["c01"] + S["c10"] + S["c11"]
            po = (S["c00"] + S["c11"]) / nk
            pek = ((S["c00"] + S["c01"]) * (S["c00"] + S["c10"]) + (S["c10"] + S["c11"]) * (S["c01"] + S["c11"])) / nk**2
            kappa = np.where((nk > 0) & (pek < 1), (po - pek) / (1 - pek), np.nan)
        else:
            kappa = np.full_like(pa, np.nan)
    return {"percent_agreement": pa, "cohen_kappa": kappa, "krippendorff_alpha": alpha, "gwet_ac1": ac1}


_STATS = ["percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1"]


def coder_agreement(
    codings: pd.DataFrame,
    unit: str = "excerpt",
    codes: Sequence[str] | None = None,
    *,
    group_by: str = "code",
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    instrument=None,
) -> pd.DataFrame:
    """Inter-coder agreement on presence/absence of each code in double-coded units.

    For every unit (excerpt, or interview) coded by at least two coders, each
    of those coders made a yes/no decision for each code: did they apply it
    to the unit? A coder *coded* a unit when they have at least one row for
    it (use code ``NO-CODE`` to record "read, no code applies"). Agreement is
    computed on these decisions, per code and pooled over all codes (the
    ``"(all codes)"`` row: every code x unit decision is one unit of
    analysis), with percentile bootstrap intervals that resample units
    (excerpts or interviews, keeping all of a unit's decisions together).

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    unit : {"excerpt", "interview"}
        Excerpt x code presence, or interview x code presence (an interview
        has a code when the coder applied it to any excerpt of it).
    codes : sequence of str, optional
        Codes to assess (default: every code used in the data, in codebook
        order).
    group_by : {"code", "domain"}
        One row per code, or one per codebook group (domain) pooling the
        decisions of its codes.
    n_boot : int
        Bootstrap resamples (0 for none).
    seed : int
        Seed of the bootstrap, so intervals are reproducible.
    level : float
        Interval coverage.
    instrument : Instrument, optional

    Returns
    -------
    DataFrame
        ``code`` (or ``domain``), ``n_units`` (units, or code x unit
        decisions for pooled rows), ``n_coders``, ``n_positive`` (decisions
        "applied"), ``kappa_coders`` (the pair Cohen's kappa compares: with
        more than two coders, the two who share the most double-coded units;
        kappa uses the units both coded), ``percent_agreement``,
        ``cohen_kappa``, ``krippendorff_alpha``, ``gwet_ac1``, each with
        ``_lo`` and ``_hi`` interval columns, and ``note``. Degenerate cases
        are explained in ``note``: a code nobody (or every coder on every
        unit) applied has alpha and kappa ``NaN`` (0/0) but percent agreement
        and AC1 of 1; with one coder or no double-coded unit every
        coefficient is ``NaN`` (and an ``AgreementWarning`` is issued).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("e1", "ana", "EX-SHARE"), ("e1", "ben", "EX-SHARE"),
    ...         ("e2", "ana", "OS-PLC"), ("e2", "ben", "EX-SHARE"),
    ...         ("e3", "ana", "OS-PLC"), ("e3", "ben", "OS-PLC")]
    >>> c = pd.DataFrame(rows, columns=["excerpt_id", "coder", "code"]).assign(
    ...     interview_id="i1", school="S1", role="teacher", text="...")
    >>> t = coder_agreement(c, n_boot=0)
    >>> t[["code", "n_units", "percent_agreement", "cohen_kappa"]].round(3)
              code  n_units  percent_agreement  cohen_kappa
    0  (all codes)        6              0.667        0.333
    1     EX-SHARE        3              0.667        0.400
    2       OS-PLC        3              0.667        0.400

    References
    ----------
    Krippendorff (2011, 2019); Cohen (1960); Gwet (2008, 2014); Hayes &
    Krippendorff (2007); O'Connor, C., & Joffe, H. (2020). Intercoder
    reliability in qualitative research. *International Journal of
    Qualitative Methods*, 19.
    """
    if unit not in ("excerpt", "interview"):
        raise ValueError("unit must be 'excerpt' or 'interview'")
    if group_by not in ("code", "domain"):
        raise ValueError("group_by must be 'code' or 'domain'")
    info = _code_info(instrument)
    order = {c: i for i, c in enumerate(info["code"])}
    groups = dict(zip(info["code"], info["group"]))
    codes = _codes_in_order(codings, order) if codes is None else list(codes)
    arr, coders, units = _decision_array(codings, unit, codes)
    n_units = len(units)
    if group_by == "code":
        blocks = [(ALL_CODES, list(range(len(codes))))] + [(c, [i]) for i, c in enumerate(codes)]
        label = "code"
    else:
        gl = list(dict.fromkeys(groups.get(c, "") for c in codes))
        blocks = [(ALL_CODES, list(range(len(codes))))] + [
            (g, [i for i, c in enumerate(codes) if groups.get(c, "") == g]) for g in gl
        ]
        label = "domain"
    rng_idx = None
    if n_boot and n_units:
        rng = np.random.default_rng(seed)
        rng_idx = rng.integers(0, n_units, size=(n_boot, n_units))
        W = np.zeros((n_boot, n_units))
        np.add.at(W, (np.repeat(np.arange(n_boot), n_units), rng_idx.ravel()), 1.0)
    all_coders = sorted(set(codings["coder"]))
    # Cohen's kappa: the two coders who share the most double-coded units
    pair = None
    if len(coders) >= 2 and n_units:
        coded = ~np.isnan(arr[0]) if len(codes) else np.zeros((len(coders), n_units), bool)
        shared = coded.astype(int) @ coded.T.astype(int)
        best = max(((shared[i, j], -i, -j) for i in range(len(coders)) for j in range(i + 1, len(coders))))
        if best[0] > 0:
            pair = (-best[1], -best[2])
    rows = []
    for name, ks in blocks:
        rec = {label: name, "n_units": n_units * len(ks) if name == ALL_CODES or group_by == "domain" else n_units}
        sub = arr[ks] if ks else np.full((0, len(coders), n_units), np.nan)
        used = [j for j in range(len(coders)) if not np.all(np.isnan(sub[:, j, :]))] if sub.size else []
        rec["n_coders"] = len(used)
        rec["kappa_coders"] = f"{coders[pair[0]]} & {coders[pair[1]]}" if pair else ""
        rec["n_positive"] = int(np.nansum(sub == 1)) if sub.size else 0
        note = []
        est = {s: np.nan for s in _STATS}
        ci = {s: (np.nan, np.nan) for s in _STATS}
        if not all_coders:
            note.append("no codings")
        elif len(all_coders) < 2:
            note.append("only one coder: agreement needs units coded by two or more coders")
        elif n_units == 0 or not ks:
            note.append("no double-coded units")
        else:
            # per-unit statistics, summed over the block's codes for each excerpt/interview
            st_list = [_binary_unit_stats(sub[i], pair) for i in range(len(ks))]
            st = {k: sum(s[k] for s in st_list) for k in st_list[0]}
            e = _binary_stats(st, np.ones((1, n_units)))
            est = {s: float(e[s][0]) for s in _STATS}
            if rec["n_positive"] == 0:
                note.append("no coder applied this code in the double-coded units: kappa and alpha undefined (0/0)")
            elif np.all(sub[~np.isnan(sub)] == 1):
                note.append("every coder applied this code to every double-coded unit: kappa and alpha undefined (0/0)")
            if rng_idx is not None:
                b = _binary_stats(st, W)
                for s in _STATS:
                    ci[s] = _ag._percentile_interval(b[s], level) if np.isfinite(est[s]) else (np.nan, np.nan)
        for s in _STATS:
            rec[s] = est[s]
            rec[f"{s}_lo"], rec[f"{s}_hi"] = ci[s]
        rec["note"] = "; ".join(note)
        rows.append(rec)
    if len(all_coders) == 1:
        warnings.warn("coder_agreement: only one coder in the data; agreement is undefined", _ag.AgreementWarning, stacklevel=2)
    elif all_coders and n_units == 0:
        warnings.warn("coder_agreement: no unit was coded by two or more coders", _ag.AgreementWarning, stacklevel=2)
    cols = [label, "n_units", "n_coders", "n_positive", "kappa_coders"]
    for s in _STATS:
        cols += [s, f"{s}_lo", f"{s}_hi"]
    return pd.DataFrame(rows, columns=cols + ["note"])


def disagreements(
    codings: pd.DataFrame,
    unit: str = "excerpt",
    codes: Sequence[str] | None = None,
    *,
    instrument=None,
) -> pd.DataFrame:
    """List the unit x code decisions on which double-coders disagree.

    A worklist for a consensus meeting: each row is one excerpt (or
    interview) and one code that some of its coders applied and others did
    not, with the excerpt text.

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    unit : {"excerpt", "interview"}
    codes : sequence of str, optional
        Codes to check (default: all used).
    instrument : Instrument, optional

    Returns
    -------
    DataFrame
        ``interview_id, excerpt_id`` (empty for interview units), ``school,
        code, code_name, applied_by, not_applied_by, text``, sorted by
        interview, excerpt and code.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("e1", "ana", "EX-SHARE"), ("e1", "ben", "OS-PLC")]
    >>> c = pd.DataFrame(rows, columns=["excerpt_id", "coder", "code"]).assign(
    ...     interview_id="i1", school="S1", role="teacher", text="We plan together.")
    >>> disagreements(c)[["excerpt_id", "code", "applied_by", "not_applied_by"]]
      excerpt_id      code applied_by not_applied_by
    0         e1  EX-SHARE        ana            ben
    1         e1    OS-PLC        ben            ana

    References
    ----------
    O'Connor & Joffe (2020), on using disagreements to refine a codebook.
    """
    info = _code_info(instrument)
    order = {c: i for i, c in enumerate(info["code"])}
    names = dict(zip(info["code"], info["code_name"]))
    codes = _codes_in_order(codings, order) if codes is None else list(codes)
    arr, coders, units = _decision_array(codings, unit, codes)
    key = "excerpt_id" if unit == "excerpt" else "interview_id"
    first = codings.drop_duplicates(key).set_index(key)
    texts = (
        codings.drop_duplicates("excerpt_id").groupby("interview_id")["text"].agg(lambda s: " [...] ".join(s))
        if unit == "interview"
        else first["text"]
    )
    rows = []
    for j, u in enumerate(units):
        for k, code in enumerate(codes):
            v = arr[k, :, j]
            yes = [coders[i] for i in range(len(coders)) if v[i] == 1]
            no = [coders[i] for i in range(len(coders)) if v[i] == 0]
            if yes and no:
                rows.append({
                    "interview_id": first.loc[u, "interview_id"] if unit == "excerpt" else u,
                    "excerpt_id": u if unit == "excerpt" else "",
                    "school": first.loc[u, "school"],
                    "code": code,
                    "code_name": names.get(code, code),
                    "applied_by": ", ".join(yes),
                    "not_applied_by": ", ".join(no),
                    "text": texts.get(u, ""),
                    "_o": order.get(code, len(order)),
                })
    cols = ["interview_id", "excerpt_id", "school", "code", "code_name", "applied_by", "not_applied_by", "text"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows).sort_values(["interview_id", "excerpt_id", "_o", "code"], kind="mergesort")
    return out[cols].reset_index(drop=True)


# ==========================================================================
# redaction and exemplar quotes
# ==========================================================================
# redact and its word lists live in assetinv.redaction (re-exported here for callers of assetinv.qualitative).
from .redaction import NAME_ALLOWLIST, SENTENCE_STARTERS, redact  # noqa: E402,F401


def exemplar_quotes(
    codings: pd.DataFrame,
    *,
    school: str | None = None,
    domain: str | None = None,
    n: int = 3,
    names: Iterable[str] | None = None,
    max_chars: int | None = 400,
    attribute_role: bool = False,
    instrument=None,
    ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Pick illustrative quotes per school and domain, redacted.

    For each school and domain (codebook group), the excerpts coded with
    one of the domain's codes are ranked: flagged ``exemplary`` first, then
    by how many coders applied a code of the domain (consensus), then by
    excerpt id (stable). Quotes pass through :func:`redact` before they are
    returned, so names, e-mail addresses and phone numbers never reach a
    report.

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    school : str, optional
        One school (default: all).
    domain : str, optional
        One domain / group id such as ``"EX"`` or ``"BARRIER"`` (default: the
        four survey domains).
    n : int
        Quotes per school and domain.
    names : iterable of str, optional
        Known personal names to redact (e.g. from the roster).
    max_chars : int or None
        Longer quotes are cut at a word boundary and end with " ...".
    attribute_role : bool
        Add the speaker's role. Off by default: a single school leader is
        identifiable from a role attribution.
    instrument : Instrument, optional
    ids : iterable of str, optional
        Respondent or interview ids that must not appear in a quote (see
        :func:`assetinv.redaction.redact`).

    Returns
    -------
    DataFrame
        ``school, domain, rank, excerpt_id, interview_id, codes, exemplary,
        n_coders, quote`` (plus ``role``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e2"], "interview_id": ["i1", "i2"],
    ...     "school": ["S1", "S1"], "role": ["teacher"] * 2, "coder": ["ana"] * 2,
    ...     "code": ["EX-SHARE", "EX-COACH"], "exemplary": [False, True],
    ...     "text": ["Ms. Ortega shares her labs.", "Coach Kim models lessons."]})
    >>> exemplar_quotes(c, domain="EX")[["excerpt_id", "rank", "quote"]].values.tolist()
    [['e2', 1, '[name] models lessons.'], ['e1', 2, '[name] shares her labs.']]

    References
    ----------
    Lingard, L. (2019). Beyond the default colon: effective use of quotes in
    qualitative research. *Perspectives on Medical Education*, 8, 360-364.
    """
    info = _code_info(instrument)
    groups = dict(zip(info["code"], info["group"]))
    c = _real(codings).copy()
    if "exemplary" not in c:
        c["exemplary"] = False
    c["domain"] = c["code"].map(groups).fillna("")
    if school is not None:
        c = c[c["school"] == school]
    domains = [domain] if domain is not None else list(DOMAIN_GROUPS)
    c = c[c["domain"].isin(domains)]
    cols = ["school", "domain", "rank", "excerpt_id", "interview_id", "codes", "exemplary", "n_coders", "quote"]
    if attribute_role:
        cols.insert(5, "role")
    if c.empty:
        return pd.DataFrame(columns=cols)
    dorder = {d: i for i, d in enumerate(domains)}
    g = c.groupby(["school", "domain", "excerpt_id"], sort=True).agg(
        interview_id=("interview_id", "first"),
        role=("role", "first"),
        text=("text", "first"),
        exemplary=("exemplary", "any"),
        n_coders=("coder", "nunique"),
        codes=("code", lambda s: ", ".join(sorted(set(s), key=lambda x: list(groups).index(x) if x in groups else 999))),
    ).reset_index()
    g["_d"] = g["domain"].map(dorder)
    g = g.sort_values(["school", "_d", "exemplary", "n_coders", "excerpt_id"],
                      ascending=[True, True, False, False, True], kind="mergesort", key=id_sort_key)
    g["rank"] = g.groupby(["school", "domain"]).cumcount() + 1
    g = g[g["rank"] <= n].copy()
    # self-identifying role phrases ("as a principal", "my teachers") are generalised too
    g["quote"] = [_shorten(generalise_roles(redact(t, names, ids=ids)), max_chars) for t in g["text"]]
    g["exemplary"] = g["exemplary"].astype(bool)
    return g[cols].reset_index(drop=True)


def _shorten(text: str, max_chars: int | None) -> str:
    if max_chars is None or len(text) <= max_chars:
        return text
    cut = text[: max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + " ..."


# ==========================================================================
# joint display
# ==========================================================================
_NETWORK_LABELS = {"network", "(network)", "(all schools)", "all schools", "all", ""}


def _network_profile(profile: pd.DataFrame) -> pd.DataFrame:
    sch = profile["school"].astype(object)
    is_net = sch.isna() | sch.astype(str).str.strip().str.lower().isin(_NETWORK_LABELS)
    if is_net.any():
        return profile[is_net].assign(school="(network)")
    rows = []
    for d, g in profile.groupby("domain", sort=False):
        if "network_mean" in g and pd.to_numeric(g["network_mean"], errors="coerce").notna().any():
            # scoring.asset_profile: the pooled mean of the reportable schools
            mean = float(pd.to_numeric(g["network_mean"], errors="coerce").dropna().iloc[0])
        else:
            w = pd.to_numeric(g["n"], errors="coerce") if "n" in g else pd.Series(1.0, index=g.index)
            m = pd.to_numeric(g["mean"], errors="coerce")
            ok = m.notna() & w.notna()
            mean = float(np.average(m[ok], weights=w[ok])) if ok.any() and w[ok].sum() > 0 else np.nan
        st = g["status"].fillna("").astype(str).str.strip()
        st = st[st != ""]
        counts = st.value_counts()
        order = ["asset", "typical", "growth area"]
        keys = sorted(counts.index, key=lambda k: (order.index(k) if k in order else 9, k))
        status = ", ".join(f"{k} in {counts[k]}" for k in keys)
        if status:
            status += f" of {g['school'].nunique()} schools"
        rows.append({"school": "(network)", "domain": d, "mean": mean, "status": status})
    return pd.DataFrame(rows)


def joint_display(
    profile: pd.DataFrame,
    codings: pd.DataFrame,
    agreement=None,
    school: str | None = None,
    *,
    top_n: int = 3,
    names: Iterable[str] | None = None,
    max_chars: int | None = 240,
    instrument=None,
    min_interviews: int = MIN_INTERVIEWS,
    ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Join survey scores and interview evidence, one row per domain.

    Parameters
    ----------
    profile : DataFrame
        The scoring module's school x domain table with at least ``school,
        domain, mean, status`` (status ``asset`` / ``growth area`` ...;
        optional ``n``). Suppressed rows (NaN mean) stay suppressed.
    codings : DataFrame
        Tidy codings.
    agreement : DataFrame, Series, dict or None
        Krippendorff's alpha per domain: a :func:`coder_agreement` table made
        with ``group_by="domain"``, or a mapping domain -> alpha. Default:
        computed from ``codings`` (excerpt units, all schools: agreement is a
        property of the coding process, so it is estimated on every
        double-coded excerpt in the network).
    school : str, optional
        One school; ``None`` gives the network table (profile rows whose
        school is ``"(network)"``/``"network"``/empty if present, else the
        ``network_mean`` column of :func:`assetinv.asset_profile` or the
        schools' means averaged, weighted by ``n``; status then summarises
        the schools, e.g. "asset in 2, growth area in 1 of 8 schools").
    top_n : int
        How many codes to list in ``top_codes``.
    names : iterable of str, optional
        Personal names to redact from the quote.
    max_chars : int or None
        Quote length limit.
    ids : iterable of str, optional
        Respondent or interview ids to redact from the quote.
    instrument : Instrument, optional
    min_interviews : int
        A school whose codings pool fewer interviews than this, or where some
        role gave a single interview, shows no interview evidence
        (``top_codes``, ``n_excerpts`` and the quote are blank and
        ``interviews_suppressed`` gives the reason), matching
        :func:`code_tallies`' suppression. Default
        :data:`assetinv.privacy.MIN_INTERVIEWS`.

    Returns
    -------
    DataFrame
        ``school, domain, domain_name, survey_mean, status, top_codes,
        n_excerpts, agreement, exemplar_quote, interviews_suppressed,
        strengths, barriers, n_strength, n_barrier, evidence``. Barrier and
        enabler codes count toward the domain they are tied to.
        ``strengths`` / ``barriers`` list the most frequent codes among the
        excerpts coded with valence strength / barrier (``n_strength``,
        ``n_barrier``: how many excerpts), so a complaint is never shown as an
        asset. ``evidence`` is a sentence citing both the survey and the
        interviews, strengths and barriers apart, for the recommendation text.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"school": ["S1", "S1"], "domain": ["EX", "OS"],
    ...                      "mean": [4.2, 2.6], "status": ["asset", "growth area"]})
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e2"], "interview_id": ["i1", "i2"],  # MIN_INTERVIEWS
    ...     "school": ["S1"] * 2, "role": ["teacher"] * 2, "coder": ["ana", "ben"],
    ...     "code": ["EX-SHARE"] * 2, "text": ["We share labs with Ms. Ortega."] * 2})
    >>> jd = joint_display(prof, c, school="S1")
    >>> jd[["domain", "survey_mean", "status", "n_excerpts"]]
      domain  survey_mean       status  n_excerpts
    0     EX          4.2        asset           2
    1     OS          2.6  growth area           0
    >>> jd.loc[0, "exemplar_quote"]
    'We share labs with [name].'

    References
    ----------
    Fetters, M. D., Curry, L. A., & Creswell, J. W. (2013). *Health Services
    Research*, 48(6), 2134-2156. Guetterman, T. C., Fetters, M. D., &
    Creswell, J. W. (2015). Integrating quantitative and qualitative results
    in health science mixed methods research through joint displays.
    *Annals of Family Medicine*, 13(6), 554-561.
    """
    inst = _instrument(instrument)
    dnames = dict(zip(inst.domains["id"], inst.domains["name"]))
    info = _code_info(instrument)
    tied = dict(zip(info["code"], info["domain"]))
    cnames = dict(zip(info["code"], info["code_name"]))
    for col in ("school", "domain", "mean", "status"):
        if col not in profile.columns:
            raise ValueError(f"profile needs a '{col}' column (school, domain, mean, status)")
    if school is None:
        prof = _network_profile(profile)
        cod = codings
        label = "(network)"
    else:
        prof = profile[profile["school"].astype(str) == str(school)]
        cod = codings[codings["school"].astype(str) == str(school)]
        label = school
    # agreement per domain
    if agreement is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _ag.AgreementWarning)
            ag = coder_agreement(codings, "excerpt", group_by="domain", n_boot=0, instrument=instrument)
        alpha = dict(zip(ag["domain"], ag["krippendorff_alpha"]))
    elif isinstance(agreement, pd.DataFrame):
        key = "domain" if "domain" in agreement else "code"
        alpha = dict(zip(agreement[key], agreement["krippendorff_alpha"]))
    else:
        alpha = dict(agreement)
    n_interviews = cod["interview_id"].nunique()
    hidden = ""
    if school is not None and 0 < n_interviews < min_interviews:
        hidden = f"fewer than {min_interviews} interviews"
        cod = cod.iloc[0:0]
    elif school is not None and n_interviews and "role" in cod:
        # one teacher and one leader interviewed: a quote or a count is one identifiable person's
        hidden = interview_site_reasons(cod, "school", min_interviews=min_interviews).get(str(school), "")
        if hidden:
            cod = cod.iloc[0:0]
    real = _with_valence(_real(cod))
    # barrier and enabler codes count toward the domain they are tied to
    real["domain"] = real["code"].map(tied).fillna("")
    domains = list(inst.domains["id"])
    prof_d = {d: r for d, r in zip(prof["domain"], prof.to_dict("records"))}
    quotes = exemplar_quotes(cod, n=1, names=names, max_chars=max_chars, instrument=instrument, ids=ids) if not real.empty else None
    rows = []
    for d in [d for d in domains if d in prof_d or d in set(real["domain"])]:
        pr = prof_d.get(d, {})
        sub = real[real["domain"] == d]
        counts = sub.groupby("code")["excerpt_id"].nunique()
        order = {c: i for i, c in enumerate(info["code"])}
        top = sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], 999)))[:top_n]
        top_codes = "; ".join(f"{cnames.get(c, c)} ({k})" for c, k in top)
        by_val = {}
        for v in ("strength", "barrier"):
            sv = sub[sub["valence"] == v]
            cv = sv.groupby("code")["excerpt_id"].nunique()
            tv = sorted(cv.items(), key=lambda kv: (-kv[1], order.get(kv[0], 999)))[:top_n]
            by_val[v] = ("; ".join(f"{cnames.get(c, c)} ({k})" for c, k in tv), int(sv["excerpt_id"].nunique()))
        quote = ""
        if quotes is not None and not quotes.empty:
            q = quotes[quotes["domain"] == d]
            if school is None:
                # network: the highest-ranked quote across schools (exemplary, consensus, id)
                q = q.sort_values(["exemplary", "n_coders", "school", "excerpt_id"],
                                  ascending=[False, False, True, True], kind="mergesort")
            quote = q["quote"].iloc[0] if len(q) else ""
        mean = pd.to_numeric(pd.Series([pr.get("mean", np.nan)]), errors="coerce").iloc[0]
        a = alpha.get(d, np.nan)
        rows.append({
            "school": label,
            "domain": d,
            "domain_name": dnames.get(d, d),
            "survey_mean": mean,
            "status": _s(pr.get("status", "")),
            "top_codes": top_codes,
            "n_excerpts": np.nan if hidden else int(sub["excerpt_id"].nunique()),
            "agreement": float(a) if a is not None and not pd.isna(a) else np.nan,
            "exemplar_quote": quote,
            "interviews_suppressed": hidden,
            "strengths": "" if hidden else by_val["strength"][0],
            "barriers": "" if hidden else by_val["barrier"][0],
            "n_strength": np.nan if hidden else by_val["strength"][1],
            "n_barrier": np.nan if hidden else by_val["barrier"][1],
        })
    out = pd.DataFrame(rows, columns=["school", "domain", "domain_name", "survey_mean", "status", "top_codes",
                                      "n_excerpts", "agreement", "exemplar_quote", "interviews_suppressed",
                                      "strengths", "barriers", "n_strength", "n_barrier"])
    out["evidence"] = [_evidence(r) for r in out.to_dict("records")]
    return out


def _evidence(r: dict) -> str:
    parts = []
    if pd.notna(r["survey_mean"]):
        parts.append(f"survey mean {r['survey_mean']:.2f} of 5" + (f" ({r['status']})" if r["status"] else ""))
    else:
        parts.append("survey result suppressed or missing")
    if r.get("interviews_suppressed"):
        parts.append(f"interview evidence suppressed ({r['interviews_suppressed']})")
    elif r["n_excerpts"]:
        t = f"{int(r['n_excerpts'])} interview excerpt{'s' if r['n_excerpts'] != 1 else ''}"
        if r.get("strengths") or r.get("barriers"):
            if r.get("strengths"):
                t += f"; strengths: {r['strengths'].split('; ')[0]}"
            if r.get("barriers"):
                t += f"; barriers: {r['barriers'].split('; ')[0]}"
        elif r["top_codes"]:
            t += f", most often: {r['top_codes'].split('; ')[0]}"
        parts.append(t)
    else:
        parts.append("no interview excerpts coded")
    if pd.notna(r["agreement"]):
        parts.append(f"coder agreement alpha = {r['agreement']:.2f}")
    s = f"{r['domain_name']}: " + "; ".join(parts) + "."
    if r["exemplar_quote"]:
        s += f' Example: "{r["exemplar_quote"]}"'
    return s


# Okabe-Ito palette (colour-blind safe) with hatches so it also reads in grey
_STATUS_STYLE = {  # the same colours as assetinv.figures.STATUS_STYLE (one encoding of status in every chart)
    "asset": ("#0173b2", ""),
    "typical": ("#949494", ""),
    "growth area": ("#d55e00", ""),
    "": ("#ffffff", "xx"),
}


def joint_display_figure(table: pd.DataFrame, title: str | None = None, *, scale=(1, 5)):
    """Draw a joint display: survey means beside interview evidence.

    Left panel: the survey mean per domain as horizontal bars, coloured by
    status with the Okabe-Ito palette and hatched (so it reads in grey
    print), the value printed at the bar end. Right panel: number of coded
    excerpts per domain, labelled with the most frequent code and the
    coders' Krippendorff alpha.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`joint_display`.
    title : str, optional
    scale : (float, float)
        Survey scale limits for the axis.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.alt_text`` describing every number shown.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"school": ["S1"], "domain": ["EX"], "domain_name": ["Expertise"],
    ...     "survey_mean": [4.1], "status": ["asset"], "top_codes": ["Shared expertise (4)"],
    ...     "n_excerpts": [6], "agreement": [0.81], "exemplar_quote": ["..."]})
    >>> fig = joint_display_figure(t)
    >>> fig.alt_text.startswith("Joint display")
    True

    References
    ----------
    Guetterman, Fetters & Creswell (2015), *Annals of Family Medicine*,
    13(6), 554-561. Okabe, M., & Ito, K. (2008). Color Universal Design.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.patches import Patch

    from .figures import ReportFigure

    t = table.reset_index(drop=True)
    n = len(t)
    fig = ReportFigure(figsize=(10, 1.1 * max(n, 1) + 1.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.3]})
    y = np.arange(n)[::-1]
    labels = [_wrap(s, 28) for s in t["domain_name"]]
    statuses = [str(s).strip().lower() for s in t["status"]]
    for yi, (m, st) in enumerate(zip(t["survey_mean"], statuses)):
        colour, hatch = _STATUS_STYLE.get(st, _STATUS_STYLE[""])
        yy = y[yi]
        if pd.notna(m):
            ax1.barh(yy, m - scale[0], left=scale[0], color=colour, hatch=hatch, edgecolor="black", linewidth=0.6)
            sym = {"asset": "\u25b2", "typical": "\u25cf", "growth area": "\u25bc"}.get(st, "")
            ax1.text(m + 0.05, yy, f"{m:.2f} {sym}".strip(), va="center", fontsize=9)
        else:
            ax1.text(scale[0] + 0.05, yy, "suppressed", va="center", fontsize=9, style="italic")
    ax1.set_xlim(scale[0], scale[1] + 0.5)
    ax1.set_yticks(y, labels)
    ax1.set_xlabel("Survey mean (1-5)")
    ax1.set_title("Survey")
    seen = [s for s in dict.fromkeys(statuses)]
    ax1.legend(
        handles=[Patch(facecolor=_STATUS_STYLE.get(s, _STATUS_STYLE[""])[0], hatch=_STATUS_STYLE.get(s, _STATUS_STYLE[""])[1],
                       edgecolor="black", label=s or "no status") for s in seen],
        loc="lower right", fontsize=8, frameon=True,
    )
    counts = t["n_excerpts"].fillna(0).astype(int).to_numpy()
    ax2.barh(y, counts, color="#CCCCCC", edgecolor="black", linewidth=0.6)
    top = max(int(counts.max()) if n else 1, 1)
    for yi in range(n):
        hidden = t.loc[yi, "interviews_suppressed"] if "interviews_suppressed" in t else ""
        if hidden:
            ax2.text(top * 0.02, y[yi], f"suppressed ({hidden})", va="center", fontsize=8, style="italic")
            continue
        first = str(t.loc[yi, "top_codes"]).split("; ")[0] if t.loc[yi, "top_codes"] else "no coded excerpts"
        a = t.loc[yi, "agreement"]
        lab = first + (f"\nalpha = {a:.2f}" if pd.notna(a) else "")
        ax2.text(counts[yi] + top * 0.02, y[yi], _wrap(lab, 40), va="center", fontsize=8)
    ax2.set_xlim(0, top * 2.2)
    ax2.set_xlabel("Interview excerpts coded")
    ax2.set_title("Interviews")
    school = str(t["school"].iloc[0]) if n else ""
    fig.suptitle(title or f"Joint display: {school}")
    desc = []
    for r in t.to_dict("records"):
        m = f"survey mean {r['survey_mean']:.2f}" if pd.notna(r["survey_mean"]) else "survey mean suppressed"
        a = f", coder agreement alpha {r['agreement']:.2f}" if pd.notna(r["agreement"]) else ""
        tc = str(r["top_codes"]).split("; ")[0] if r["top_codes"] else "none"
        if r.get("interviews_suppressed"):
            desc.append(f"{r['domain_name']}: {m} ({r['status'] or 'no status'}), interview evidence suppressed "
                        f"({r['interviews_suppressed']})")
            continue
        desc.append(f"{r['domain_name']}: {m} ({r['status'] or 'no status'}), {int(r['n_excerpts'])} excerpts, "
                    f"most frequent code {tc}{a}")
    fig.alt_text = (
        f"Joint display for {school}. Two bar charts share the domain axis: survey mean on a 1 to 5 scale "
        f"coloured by status, and the number of coded interview excerpts. " + "; ".join(desc) + "."
    )
    return fig


def _wrap(s: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(s), width)) or str(s)
