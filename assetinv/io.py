"""Reading survey exports, rosters, school lists and the study config.

Every reader returns one tidy pandas DataFrame in the documented layout (see
``docs/input_layout.md``) or raises :class:`assetinv.DataError` listing *every*
problem found, each naming the file, the row (spreadsheet numbering: the header
is row 1), the column and the fix. Input files are opened read-only, read once
into memory and never modified.

Accepted formats
----------------
* CSV / TSV / TXT: delimiter sniffed among ``,`` ``;`` tab and ``|``; encodings
  UTF-8, UTF-8 with BOM, UTF-16 LE/BE (Excel "Unicode text"), then Windows-1252 /
  Latin-1 as a fallback. Decimal commas ("312,5") are accepted.
* XLSX (Excel 2007+): the sheet holding the required columns is used.
* SAV (SPSS): value labels are used when a value is labelled, numeric codes
  otherwise.
* Qualtrics exports (CSV or XLSX): the question-text and ImportId header rows
  and the metadata columns are recognised; identifying metadata (names, e-mail,
  IP address, location) is always dropped.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import difflib
import hashlib
import io as _io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import StudyConfig
from .errors import DataError, Problem
from .ids import id_sort_key, natural_key
from .instrument import Instrument, other_version_of, resolve
from .labels import ROLE_SYNONYMS, _key, _label_key, _role_map  # noqa: F401  (re-exported)

__all__ = [
    "read_responses",
    "read_roster",
    "read_schools",
    "read_config",
    "validate_file",
    "data_quality",
    "response_files",
    "looks_missing",
]

REQUIRED_COLUMNS = ("respondent_id", "school", "district", "role", "wave")
ROSTER_COLUMNS = ("school", "district", "role", "wave", "invited")
SCHOOL_COLUMNS = ("school", "district", "name")

DEFAULT_MISSING_CODES = (
    "N/A",
    "NA",
    "n/a",
    "Don't know",
    "Dont know",
    "DK",
    "Prefer not to say",
    "-99",
    "-9",
    "",
)


def _added_missing_codes(codes) -> list[str]:
    """Missing codes added to :data:`DEFAULT_MISSING_CODES`, as ``study.yaml``'s ``missing_codes:`` are.

    ``read_responses(missing_codes=...)`` replaces the defaults (so ``[]`` makes blank cells an
    error); a crosswalk adds to them, so blank cells stay missing.

    Examples
    --------
    >>> _added_missing_codes([-99, "Refused"])[-2:]
    ['-99', 'Refused']
    >>> "" in _added_missing_codes([])
    True
    """
    return list(DEFAULT_MISSING_CODES) + [str(m) for m in codes]


#: Column-name aliases accepted on top of the canonical names.
COLUMN_ALIASES: dict[str, str] = {
    "schoolid": "school",
    "districtid": "district",
    "participantid": "respondent_id",
    "durationsec": "duration_sec",
    "durationseconds": "duration_sec",
    "duration(inseconds)": "duration_sec",
    "duration": "duration_sec",
}

# Qualtrics (and similar survey-platform) metadata columns, by normalised name.
# "identifying" ones are never kept, whatever keep_extra says.
_IDENTIFYING_META = {
    "ipaddress",
    "recipientlastname",
    "recipientfirstname",
    "recipientemail",
    "externalreference",
    "externaldatareference",
    "locationlatitude",
    "locationlongitude",
    "email",
    "emailaddress",
    "firstname",
    "lastname",
    "name",
    "fullname",
}
_OTHER_META = {
    "startdate",
    "enddate",
    "status",
    "progress",
    "finished",
    "recordeddate",
    "distributionchannel",
    "userlanguage",
    "responsetype",
    # SurveyMonkey, Google Forms, Microsoft Forms, legacy Qualtrics
    "collectorid",
    "customdata",
    "customdata1",
    "timestamp",
    "starttime",
    "completiontime",
    "lastmodifiedtime",
    "responseset",
    "score",
    "totalpoints",
    "quizfeedback",
}
_QUALTRICS_MARKERS = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "duration(inseconds)",
    "finished",
    "recordeddate",
    "responseid",
    "distributionchannel",
    "userlanguage",
}
_QUALTRICS_EXCLUDED_STATUS = {
    "surveypreview",
    "surveytest",
    "spam",
    "previewspam",
    "surveypreviewspam",
    "importedspam",
    "surveypreviewoffline",
    "1",
    "2",
    "8",
    "9",
    "12",
    "17",
}

_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_CODED_LABEL_RE = re.compile(r"^(\d+)\s*[-=.:)]?\s*([^\d].*)$")
_LABEL_CODED_RE = re.compile(r"^(.*?)\s*\(\s*(\d+)\s*\)$")

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")
_FIX_ENCODING = (
    "open the file in Excel (or a text editor) and save it as 'CSV UTF-8 (Comma delimited)', "
    "or export it again as .xlsx"
)
_CAP = 20


# --------------------------------------------------------------------------- helpers


def _norm(name: Any) -> str:
    """Header key: case-, whitespace-, underscore-, hyphen- and dot-insensitive."""
    s = unicodedata.normalize("NFKC", str(name)).replace("\ufeff", "")
    s = s.strip().strip('"').strip("'").lower()
    return re.sub(r"[\s_\-.]+", "", s)


def _match_id(val: str, label: str | None, mapping: dict[str, str], cutoff: float) -> tuple[str | None, str]:
    """The id a cell names (its SPSS value label first, then its text), or None with a "did you mean" hint."""
    found = (mapping.get(_key(label)) if label else None) or mapping.get(_key(val))
    if found is not None:
        return found, ""
    close = difflib.get_close_matches(_key(val), list(mapping), n=1, cutoff=cutoff)
    return None, (f" (did you mean '{mapping[close[0]]}'?)" if close and val else "")


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _close(word: str, choices: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    choices = list(choices)
    keyed = {_norm(c): c for c in choices}
    hits = difflib.get_close_matches(_norm(word), list(keyed), n=n, cutoff=cutoff)
    return [keyed[h] for h in hits]


def _fmt_cell(v: Any) -> str:
    """A cell value from Excel/SPSS as the text a CSV would hold."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return ""
        if float(v).is_integer():
            return str(int(v))
        return repr(float(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _display(path: Path) -> str:
    return path.name


def _item_ids(inst) -> list[str]:
    ids = inst.item_ids() if callable(getattr(inst, "item_ids", None)) else list(inst.items["id"])
    return [str(i) for i in ids]


def _wave_map(inst) -> dict[str, str]:
    waves = dict(inst.waves)
    out: dict[str, str] = {}
    for n, (wid, _label) in enumerate(waves.items(), start=1):
        for k in (f"wave{n}", f"t{n}", f"time{n}"):
            out[k] = wid
    for wid, label in waves.items():
        out[_key(label)] = wid
        out[_key(wid)] = wid
    return out


# --------------------------------------------------------------------------- raw reading


@dataclass
class _Raw:
    file: str
    header: list[str]
    rows: list[list[str]]
    rownums: list[int]
    fmt: str
    sha256: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str | None = None
    header_row: int = 1
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    excluded: list[tuple[str, int]] = field(default_factory=list)
    read: int = 0
    truncated_ok: bool = True  # CSV only: a short last row means a truncated file
    source: str = ""  # the file name (``file`` may add the sheet)
    renamed: dict[str, str] = field(default_factory=dict)  # crosswalk target -> export column name
    question_text: dict[int, str] = field(default_factory=dict)  # column index -> question text
    layout: str = ""  # e.g. "Qualtrics (legacy)", "SurveyMonkey"
    original_header: list[str] = field(default_factory=list)  # before a layout renamed columns
    dropped_by_crosswalk: list[str] = field(default_factory=list)
    table: _Table | None = None  # the records column by column (plain CSV), instead of rows


def _err(file: str, message: str, fix: str, row: int | None = None, column: str | None = None):
    return DataError(Problem(file=file, message=message, fix=fix, row=row, column=column))


def _read_bytes(path: Path) -> bytes:
    name = _display(path)
    if not path.exists():
        raise _err(str(path), "the file does not exist", "check the path and the file name")
    if path.is_dir():
        raise _err(str(path), "this is a folder, not a file", "give the path of the file inside it")
    try:
        with open(path, "rb") as fh:  # read-only: the input is never modified
            return fh.read()
    except OSError as err:
        raise _err(
            name,
            f"the file cannot be opened ({err.strerror or err})",
            "close it in other programs and check that you may read it",
        ) from None


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes; return (text, encoding name)."""
    bad = _err(
        name,
        "wrong encoding: the file is not readable text (it looks binary or uses an unsupported encoding)",
        _FIX_ENCODING,
        row=None,
    )
    if data.startswith(codecs.BOM_UTF8):
        try:
            text, enc = data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError:
            raise bad from None
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        le = data.startswith(codecs.BOM_UTF16_LE)
        try:
            text = data[2:].decode("utf-16-le" if le else "utf-16-be")
            enc = "UTF-16 LE" if le else "UTF-16 BE"
        except UnicodeDecodeError:
            raise bad from None
    elif b"\x00" in data:
        half = max(len(data) // 2, 1)
        even, odd = data[0::2].count(0), data[1::2].count(0)
        codec = None
        if odd > 0.3 * half and even < 0.02 * half:
            codec, enc = "utf-16-le", "UTF-16 LE (no BOM)"
        elif even > 0.3 * half and odd < 0.02 * half:
            codec, enc = "utf-16-be", "UTF-16 BE (no BOM)"
        if codec is None:
            raise bad
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            raise bad from None
    else:
        try:
            text, enc = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, enc = data.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                text, enc = data.decode("latin-1"), "Latin-1"
    # Control characters (other than tab/newlines) mean binary data or a wrong encoding.
    m = _CONTROL_RE.search(text)
    if m is not None:
        ch, i = m.group(0), m.start()
        line = text.count("\n", 0, i) + 1
        raise _err(
            name,
            f"wrong encoding: unreadable character U+{ord(ch):04X} "
            f"(the file looks binary or was saved in an unsupported encoding)",
            _FIX_ENCODING,
            row=line,
        )
    if text.endswith("\x1a"):
        text = text[:-1]
    return text, enc


def _sniff_delimiter(text: str) -> tuple[str, str]:
    """Return (delimiter, text without an Excel 'sep=' line)."""
    lines = text.splitlines()
    first_i = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first_i is None:
        return ",", text
    first = lines[first_i]
    m = re.match(r"^\s*sep=(.)\s*$", first)
    if m:
        rest = text.split("\n", first_i + 1)[-1] if "\n" in text else ""
        return m.group(1), rest
    counts = {}
    for d in (",", ";", "\t", "|"):
        n, inq = 0, False
        for ch in first:
            if ch == '"':
                inq = not inq
            elif ch == d and not inq:
                n += 1
        counts[d] = n
    best = max(counts, key=lambda d: (counts[d], -list(counts).index(d)))
    return (best if counts[best] else ","), text


def _open_quote(text: str, delim: str) -> tuple[int, int] | None:
    """(record number from 1, field index) of a quote that never closes, else None."""
    rec, fld, inq, at_start = 1, 0, False, True
    where = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if inq:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    inq = False
        elif ch == '"' and at_start:
            inq, where = True, (rec, fld)
        elif ch == delim:
            fld, at_start = fld + 1, True
            i += 1
            continue
        elif ch == "\n":
            rec, fld, at_start = rec + 1, 0, True
            i += 1
            continue
        at_start = at_start and ch in " \r"
        i += 1
    return where if inq else None


def _read_csv_raw(data: bytes, name: str, sha: str) -> _Raw:
    text, enc = _decode(data, name)
    if not text.strip():
        raise _err(
            name,
            "the file is empty (no column names and no data)",
            "export the survey responses again; the file must start with a header row "
            "(respondent_id, school, district, role, wave, item ids)",
        )
    delim, text = _sniff_delimiter(text)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim, strict=True)
    records: list[list[str]] = []
    try:
        for rec in reader:
            records.append(rec)
    except csv.Error as err:
        row, column = len(records) + 1, None
        oq = _open_quote(text, delim)
        if oq is not None:
            row = oq[0]
            hdr = next((r for r in records if any(c.strip() for c in r)), None)
            if hdr and row > 1 and oq[1] < len(hdr):
                column = hdr[oq[1]].strip()
        raise _err(
            name,
            f"the file cannot be parsed as CSV ({err}); a quote mark opens a value "
            "that never closes or a value is badly quoted, often because the file was "
            "cut off (truncated)",
            "export the file again completely, or fix the quotes in this row",
            row=row,
            column=column,
        ) from None
    hdr_i = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if hdr_i is None:
        raise _err(
            name,
            "the file is empty (no column names and no data)",
            "export the survey responses again with a header row",
        )
    header = [c.strip() for c in records[hdr_i]]
    raw = _csv_raw(name, header, sha, enc, delim, header_row=hdr_i + 1)
    blank_lines = 0
    for i in range(hdr_i + 1, len(records)):
        rec = records[i]
        if not rec:  # an empty line
            blank_lines += 1
            continue
        raw.rows.append(rec)
        raw.rownums.append(i + 1)
    _count_read(raw, len(raw.rows), blank_lines)
    return raw


def _xlsx_rows(ws) -> list[list[str]]:
    rows = []
    for r in ws.iter_rows(values_only=True):
        rows.append([_fmt_cell(v) for v in r])
    return rows


def _looks_like_header(cells: Sequence[str], targets: set[str]) -> int:
    return len({_norm(c) for c in cells if str(c).strip()} & targets)


def _open_workbook(data: bytes, name: str) -> Any:
    """The workbook, after the zip-bomb caps; a damaged file is a DataError."""
    import zipfile

    if zipfile.is_zipfile(_io.BytesIO(data)):
        from .safe_input import SafeZip

        with SafeZip(_io.BytesIO(data), label=name):  # size and ratio caps from the headers (zip bombs)
            pass
    try:
        import openpyxl

        wb = openpyxl.load_workbook(_io.BytesIO(data), data_only=True)
    except Exception as err:  # zip/XML errors from a damaged workbook
        raise _err(
            name,
            f"the Excel workbook cannot be read ({type(err).__name__}: {err}); "
            "it may be damaged, truncated or password-protected",
            "open it in Excel and save it again as .xlsx (or as 'CSV UTF-8')",
        ) from None
    return wb


def _sheet_info(wb: Any, targets: set[str]) -> dict[str, tuple]:
    """Per sheet: (worksheet, rows, non-empty row indices, likeliest header row, its score)."""
    info = {}
    for ws in wb.worksheets:
        rows = _xlsx_rows(ws)
        nonempty = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
        best_i, best_score = None, 0
        for i in nonempty[:10]:
            s = _looks_like_header(rows[i], targets)
            if s > best_score:
                best_i, best_score = i, s
        info[ws.title] = (ws, rows, nonempty, best_i, best_score)
    return info


def _choose_sheet(name: str, names: list[str], info: dict[str, tuple], sheet: Any) -> str:
    """The sheet to read: the one asked for, else the one sheet holding survey columns."""
    if sheet is not None:
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise _err(
                    name,
                    f"there is no sheet number {sheet} (sheets: {', '.join(names)})",
                    "pass sheet= a sheet name or a 0-based number that exists",
                )
            return names[sheet]
        else:
            matches = [n for n in names if _norm(n) == _norm(sheet)]
            if not matches:
                raise _err(
                    name,
                    f"there is no sheet called '{sheet}' (sheets: {', '.join(names)})",
                    "pass sheet= one of the sheet names listed",
                )
            return matches[0]
    else:
        candidates = [n for n in names if info[n][4] >= 3]
        if len(candidates) == 1:
            return candidates[0]
        elif len(candidates) > 1:
            raise _err(
                name,
                "several sheets hold survey data: "
                + ", ".join(f"'{n}'" for n in candidates)
                + "; it is ambiguous which one to read",
                f"pass sheet='{candidates[0]}' (or another sheet name) to read_responses, "
                "or keep one data sheet in the workbook",
            )
        else:
            with_data = [n for n in names if info[n][2]]
            if len(with_data) == 1:
                return with_data[0]
            elif not with_data:
                raise _err(
                    name,
                    "the workbook is empty (no sheet holds any data)",
                    "export the survey responses again",
                )
            else:
                raise _err(
                    name,
                    "no sheet has the expected column names ("
                    + ", ".join(REQUIRED_COLUMNS)
                    + ") in its first row; sheets: "
                    + ", ".join(f"'{n}'" for n in with_data),
                    "put the column names in row 1 of the data sheet, or pass sheet=",
                )


def _check_xlsx_header_row(
    name: str, chosen: str, ws: Any, nonempty: list[int], best_i: int | None, best_score: int
) -> int:
    """The index of the header row; titles or merged group headings above it are a DataError."""
    if not nonempty:
        raise _err(
            f"{name} [sheet {chosen}]",
            "the sheet is empty",
            "choose the sheet with the data (sheet=) or export the data again",
        )
    first = nonempty[0]
    if best_i is not None and best_score >= 3 and best_i != first:
        merged = [
            str(rng)
            for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
            if rng.min_row <= best_i
        ]
        above = f"rows {first + 1}-{best_i}" if best_i - first > 1 else f"row {first + 1}"
        verb = "hold" if best_i - first > 1 else "holds"
        if merged:
            msg = (
                f"the sheet has merged header rows: {above} {verb} merged group headings ("
                f"merged cells {', '.join(merged[:4])}) above the column names in row "
                f"{best_i + 1}; a table needs exactly one header row"
            )
            fix = (
                f"unmerge and delete {above} so the column names (respondent_id, school, ..., "
                "item ids) are in row 1, or save just the data as CSV"
            )
        else:
            msg = (
                f"the column names are in row {best_i + 1}, not row 1: {above} above them {verb} "
                "a title or a second header row"
            )
            fix = f"delete {above} so the column names are in row 1"
        raise _err(f"{name} [sheet {chosen}]", msg, fix, row=first + 1)
    return first


def _read_xlsx_raw(data: bytes, name: str, sha: str, sheet: Any, targets: set[str]) -> _Raw:
    wb = _open_workbook(data, name)
    names = wb.sheetnames
    info = _sheet_info(wb, targets)
    chosen = _choose_sheet(name, names, info, sheet)
    ws, rows, nonempty, best_i, best_score = info[chosen]
    first = _check_xlsx_header_row(name, chosen, ws, nonempty, best_i, best_score)
    header = [c.strip() for c in rows[first]]
    # merged cells inside the header row itself (e.g. one name over two columns)
    raw = _Raw(
        file=name if len([n for n in names if info[n][2]]) == 1 else f"{name} [sheet {chosen}]",
        header=header,
        rows=[],
        rownums=[],
        fmt="XLSX",
        sha256=sha,
        sheet=chosen,
        header_row=first + 1,
        source=name,
    )
    width = len(header)
    while (
        width
        and not header[width - 1]
        and not any(len(r) >= width and r[width - 1].strip() for r in rows[first + 1 :])
    ):
        width -= 1
    raw.header = header[:width]
    last = len(rows)
    while last > first + 1 and not any(c.strip() for c in rows[last - 1]):
        last -= 1  # trailing formatted-but-empty rows are not data
    blank = 0
    for i in range(first + 1, last):
        r = rows[i]
        r = (r + [""] * width)[: max(width, len(r))]
        raw.rows.append(r)
        raw.rownums.append(i + 1)
    raw.read = len(raw.rows) + blank
    raw.truncated_ok = False
    return raw


#: The cell text of a Don't-know answer that an SPSS or Stata file declares missing: Don't know when the
#: item's scale has that option, else missing, and never an error (the file itself declared it missing)
_DECLARED_DONT_KNOW = "Don't know (declared missing in the file)"


def _spss_user_missing(df: pd.DataFrame, meta) -> pd.DataFrame:
    """SPSS user-missing codes as missing, except a "Don't know" option declared user-missing.

    Analysts often declare the Don't-know code user-missing in SPSS; read as plain missing, every such
    answer would silently become "not answered" and vanish from the Don't-know counts. A user-missing
    code whose value label reads as Don't know / Not applicable becomes ``_DECLARED_DONT_KNOW``
    (the item's answer scale reads it as Don't know, or as missing when the instrument has no such
    option, never as an error: the file declared it missing); every other user-missing code
    ("Refused", "No answer") is missing, as SPSS treats it.
    """
    labels = meta.variable_value_labels or {}
    for col, ranges in (meta.missing_ranges or {}).items():
        if col not in df.columns or not pd.api.types.is_numeric_dtype(df[col]):
            continue
        x = df[col].to_numpy(dtype=float)
        declared = np.zeros(len(x), dtype=bool)
        for r in ranges:
            declared |= (x >= float(r["lo"])) & (x <= float(r["hi"]))
        dk = [float(k) for k, v in labels.get(col, {}).items() if _says_dont_know(v)]
        if declared.any():
            col_out = df[col].mask(declared).astype(object)
            col_out[declared & np.isin(x, dk)] = _DECLARED_DONT_KNOW
            df[col] = col_out
    return df


def _stata_user_missing(df: pd.DataFrame, meta) -> pd.DataFrame:
    """Stata's tagged missing values (``.a`` ... ``.z``) as missing, except one labelled Don't know.

    As :func:`_spss_user_missing`: a tagged value whose value label reads as Don't know / Not
    applicable becomes ``_DECLARED_DONT_KNOW``; the others ("Refused", ".b") are missing.
    """
    labels = meta.variable_value_labels or {}
    for col in df.columns:
        x = df[col]
        if x.dtype != object:
            continue
        tags = x.map(lambda v: isinstance(v, str) and len(v) == 1 and v.isalpha())
        if not tags.any():
            continue
        dk = {k for k, v in labels.get(col, {}).items() if isinstance(k, str) and _says_dont_know(v)}
        out = x.mask(tags)
        out[tags & x.isin(dk)] = _DECLARED_DONT_KNOW
        df[col] = out
    return df


def _read_sav_raw(data: bytes, name: str, sha: str, kind: str = "SAV") -> _Raw:
    """SPSS .sav/.zsav or Stata .dta through pyreadstat: codes, value labels, variable labels."""
    import os
    import tempfile

    try:
        import pyreadstat

        if kind == "DTA":
            # pyreadstat reads Stata from a path only
            fd, tmp = tempfile.mkstemp(suffix=".dta")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                df, meta = pyreadstat.read_dta(tmp, user_missing=True)
                df = _stata_user_missing(df, meta)
            finally:
                os.unlink(tmp)
        else:
            df, meta = pyreadstat.read_sav(_io.BytesIO(data), user_missing=True)
            df = _spss_user_missing(df, meta)
    except Exception as err:
        what = "Stata" if kind == "DTA" else "SPSS"
        raise _err(
            name,
            f"the {what} file cannot be read ({type(err).__name__}: {err}); it may be damaged or truncated",
            (
                "save it again from Stata (File > Save As > .dta)"
                if kind == "DTA"
                else "save it again from SPSS (File > Save As > .sav)"
            )
            + ", or export it as CSV UTF-8",
        ) from None
    header = [str(c) for c in df.columns]
    labels = {
        str(k): {_fmt_cell(code): str(lab) for code, lab in v.items()}
        for k, v in (meta.variable_value_labels or {}).items()
    }
    raw = _Raw(file=name, header=header, rows=[], rownums=[], fmt=kind, sha256=sha, value_labels=labels)
    col_labels = list(meta.column_labels or [])
    raw.question_text = {
        j: ((col_labels[j] if j < len(col_labels) else None) or header[j]) for j in range(len(header))
    }
    cols = [df[c].tolist() for c in df.columns]
    for i in range(len(df)):
        raw.rows.append([_fmt_cell(col[i]) for col in cols])
        raw.rownums.append(i + 2)
    raw.read = len(raw.rows)
    raw.truncated_ok = False
    return raw


#: Formats recognised by extension that are not read, with what to do instead.
_UNSUPPORTED = {
    ".json": "JSON",
    ".ndjson": "JSON lines",
    ".parquet": "Parquet",
    ".feather": "Feather",
    ".por": "SPSS portable (.por)",
    ".sas7bdat": "SAS (.sas7bdat)",
    ".xpt": "SAS transport (.xpt)",
    ".rds": "R (.rds)",
    ".rdata": "R (.RData)",
    ".ods": "OpenDocument spreadsheet (.ods)",
    ".numbers": "Apple Numbers",
    ".pdf": "PDF",
    ".docx": "Word",
    ".qsf": "Qualtrics survey definition (.qsf)",
    ".xml": "XML",
    ".html": "HTML",
    ".zip": "zip archive",
}


def _read_raw(
    path: Any, *, sheet: Any = None, targets: set[str] | None = None, columnar: bool = False
) -> _Raw:
    path = Path(path)
    data = _read_bytes(path)
    name = _display(path)
    sha = hashlib.sha256(data).hexdigest()
    if len(data) == 0:
        raise _err(
            name,
            "the file is empty (0 bytes)",
            "export the survey responses again; the file must hold a header row and data",
        )
    ext = path.suffix.lower()
    targets = targets or {_norm(c) for c in REQUIRED_COLUMNS}
    if data.startswith(b"PK\x03\x04") or ext in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK\x03\x04"):
            raise _err(
                name,
                "the file is named .xlsx but is not an Excel workbook",
                "open it and save it again as .xlsx or as 'CSV UTF-8'",
            )
        return _read_xlsx_raw(data, name, sha, sheet, targets)
    if (
        ext in _UNSUPPORTED
        and not data.startswith((b"PK\x03\x04", b"$FL2", b"$FL3"))
        or ext in (".ods", ".numbers")
    ):
        fmt = _UNSUPPORTED[ext]
        raise _err(
            name,
            f"this is a {fmt} file, a format that is not read",
            "export the responses as CSV UTF-8, Excel .xlsx, SPSS .sav/.zsav or Stata .dta",
        )
    if (
        data.startswith(b"<stata_dta>")
        or ext == ".dta"
        or (len(data) > 1 and data[0] in (0x71, 0x72, 0x73) and data[1] in (1, 2) and ext in ("", ".dta"))
    ):
        if not (data.startswith(b"<stata_dta>") or (data[0] in (0x71, 0x72, 0x73) and data[1] in (1, 2))):
            raise _err(
                name,
                "the file is named .dta but is not a Stata data file",
                "save it again from Stata (File > Save As > .dta)",
            )
        return _read_sav_raw(data, name, sha, kind="DTA")
    if data.startswith((b"$FL2", b"$FL3")) or ext in (".sav", ".zsav"):
        if not data.startswith((b"$FL2", b"$FL3")):
            raise _err(
                name,
                "the file is named .sav but is not an SPSS data file",
                "save it again from SPSS (File > Save As > .sav)",
            )
        return _read_sav_raw(data, name, sha, kind="ZSAV" if data.startswith(b"$FL3") else "SAV")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _err(
            name,
            "this is an old-format Excel .xls workbook (or an encrypted file), which cannot be read",
            "open it in Excel and save it as .xlsx or 'CSV UTF-8'",
        )
    if columnar:
        table = _read_csv_table(data, name, sha)
        if table is not None:
            return table
    return _read_csv_raw(data, name, sha)


# --------------------------------------------------------------------------- columnar tables


@dataclass
class _Table:
    """A file's data records column by column: ``cats[j][codes[j][r]]`` is cell (r, j).

    ``lengths[r]`` is how many values record ``r`` has (cells past it read as ``""``) and
    ``rownums[r]`` its spreadsheet row. Survey columns hold few distinct answers, so the checks
    run once per distinct text and are spread to the rows with numpy.
    """

    codes: list[np.ndarray]
    cats: list[np.ndarray]
    lengths: np.ndarray
    rownums: np.ndarray
    _stripped: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.rownums)

    def stripped(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """(codes, distinct stripped texts) of column ``j``; computed once."""
        hit = self._stripped.get(j)
        if hit is None:
            stripped = [str(c).strip() for c in self.cats[j]]
            same = all(a is b for a, b in zip(stripped, self.cats[j]))
            vals = self.cats[j] if same else np.array(stripped, dtype=object)  # no copy of a clean column
            del stripped
            codes = self.codes[j]
            if len(vals) > 1000:  # many texts (ids): make them distinct again after stripping
                inv, uniq = pd.factorize(vals)
                if len(uniq) < len(vals):
                    codes, vals = np.asarray(inv)[codes], np.asarray(uniq, dtype=object)
            hit = self._stripped[j] = (codes, vals)
        return hit

    def row(self, r: int) -> list[str]:
        """Record ``r`` as the list of its values."""
        return [str(self.cats[j][self.codes[j][r]]) for j in range(int(self.lengths[r]))]


def _table_from_rows(rows: list[list[str]], rownums: list[int], width: int) -> _Table:
    """The columnar form of rows read as lists (XLSX, SPSS, Stata and CSV files with quotes)."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    maxw = max([width] + ([int(lengths.max())] if len(rows) else []))
    codes, cats = [], []
    for j in range(maxw):
        col = np.empty(len(rows), dtype=object)
        col[:] = [r[j] if j < len(r) else "" for r in rows]
        c, u = pd.factorize(col)
        codes.append(np.asarray(c))
        cats.append(np.asarray(u, dtype=object))
    return _Table(codes, cats, lengths, np.asarray(rownums, dtype=np.int64))


def _head_rows(raw: _Raw, k: int) -> list[list[str]]:
    """The first ``k`` data records as lists of values."""
    if raw.table is None:
        return raw.rows[:k]
    return [raw.table.row(r) for r in range(min(k, len(raw.table)))]


def _n_records(raw: _Raw) -> int:
    return len(raw.table) if raw.table is not None else len(raw.rows)


_FAST_DELETE = bytes([34, *range(9), 11, 12, *range(14, 32), 127])
_FAST_CTRL_UTF8 = re.compile(b"\xc2[\x80-\x9f]|\xef\xbf\xbd")
_CHUNK = 1 << 23


def _line_scan(arr: np.ndarray, delim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per line of ``arr`` (bytes as uint8): start, end (without the newline and a CR), number of
    delimiters and number of non-blank bytes, in chunks of 8 MB so no full-size temporary is made.
    """
    ends, ndel, nws = [], [], []
    base_d = base_w = 0
    for off in range(0, len(arr), _CHUNK):
        sl = arr[off : off + _CHUNK]
        p = np.flatnonzero(sl == 10)
        cd = np.cumsum(sl == delim, dtype=np.int64)
        cw = np.cumsum((sl != 32) & (sl != 9) & (sl != 13) & (sl != 10), dtype=np.int64)
        ends.append(p + off)
        ndel.append(cd[p] + base_d)
        nws.append(cw[p] + base_w)
        base_d += int(cd[-1])
        base_w += int(cw[-1])
    e = np.concatenate(ends) if ends else np.zeros(0, np.int64)
    cum_d = np.concatenate(ndel) if ndel else np.zeros(0, np.int64)
    cum_w = np.concatenate(nws) if nws else np.zeros(0, np.int64)
    if not len(e) or e[-1] != len(arr) - 1:  # a last line without a newline
        e = np.append(e, len(arr))
        cum_d = np.append(cum_d, base_d)
        cum_w = np.append(cum_w, base_w)
    starts = np.concatenate([[0], e[:-1] + 1])
    d = np.diff(np.concatenate([[0], cum_d]))
    w = np.diff(np.concatenate([[0], cum_w]))
    cr = (e > starts) & (arr[np.maximum(e - 1, 0)] == 13)
    return starts, e - cr, d, w


def _fast_csv_layout(data: bytes) -> tuple[int, str, str, str] | None:
    """(BOM length, encoding name, delimiter, header line) if the file can be read column by column.

    That is a UTF-8 file without quote marks, control characters, bare carriage returns or an
    Excel ``sep=`` line, whose first line holds the column names of a plain (not Qualtrics or
    SurveyMonkey) layout. Other files are read record by record with :mod:`csv`.
    """
    bom = 3 if data.startswith(codecs.BOM_UTF8) else 0
    n_cr = data.count(b"\r")
    if (n_cr and n_cr != data.count(b"\r\n")) or any(
        len(data[o : o + _CHUNK].translate(None, _FAST_DELETE)) != len(data[o : o + _CHUNK])
        for o in range(0, len(data), _CHUNK)
    ):  # quote marks or control characters
        return None
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if _FAST_CTRL_UTF8.search(data) is not None:
            return None
    nl = data.find(b"\n")
    line = data[bom : nl if nl >= 0 else len(data)].decode("utf-8").rstrip("\r")
    if not line.strip() or re.match(r"^\s*sep=(.)\s*$", line):
        return None
    delim, _ = _sniff_delimiter(line)
    cells = [c.strip() for c in line.split(delim)]
    keys = [_norm(c) for c in cells]
    if (
        not any(cells)
        or len(set(keys) & _QUALTRICS_MARKERS) >= 2
        or keys[:10] == [f"v{k}" for k in range(1, 11)]
        or ("respondentid" in keys and "collectorid" in keys)
    ):
        return None
    return bom, ("UTF-8 with BOM" if bom else "UTF-8"), delim, line


def _arrow_columns(
    data: bytes, bom: int, delim: str, width: int
) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    """Codes and distinct texts of each column through pyarrow's CSV reader, or None when a line
    does not have exactly ``width`` values (pyarrow then stops; the caller reads line by line).
    """
    import pyarrow as pa
    import pyarrow.compute as pac
    import pyarrow.csv as pcsv

    names = [f"c{j}" for j in range(width)]
    try:  # jemalloc without decay returns each freed batch to the system at once (lowest peak memory)
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:  # a pyarrow built without jemalloc
        pool = pa.default_memory_pool()
    parts: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(width)]
    texts: dict[int, list[np.ndarray]] = {}  # id-like columns (mostly distinct values): kept as text
    try:  # batch by batch: only one block of text is held at a time
        reader = pcsv.open_csv(
            pa.py_buffer(data)[bom:],
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 23),
            parse_options=pcsv.ParseOptions(delimiter=delim, quote_char=False, ignore_empty_lines=True),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.string() for c in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            memory_pool=pool,
        )
        for batch in reader:
            for j in range(width):
                col = batch.column(j)
                if j in texts:
                    texts[j].append(col.to_numpy(zero_copy_only=False))
                    continue
                enc = pac.dictionary_encode(col, memory_pool=pool)
                if not parts[j] and len(col) >= 1000 and len(enc.dictionary) > len(col) // 2:
                    texts[j] = [col.to_numpy(zero_copy_only=False)]
                    continue
                idx = enc.indices.to_numpy(zero_copy_only=False)
                parts[j].append(
                    (
                        idx.astype(np.int8) if len(enc.dictionary) < 128 else idx,
                        enc.dictionary.to_numpy(zero_copy_only=False),
                    )
                )
    except pa.ArrowInvalid:
        return None
    finally:
        pool.release_unused()
    codes, cats = [], []
    for j in range(width):
        if j in texts:
            cats.append(np.concatenate(texts.pop(j)).astype(object))
            codes.append(np.arange(len(cats[-1]), dtype=np.int32 if len(cats[-1]) < 2**31 else np.int64))
            continue
        if not parts[j]:
            codes.append(np.zeros(0, dtype=np.int8))
            cats.append(np.zeros(0, dtype=object))
            continue
        local = np.concatenate([d for _, d in parts[j]]).astype(object)
        glob, uniq = pd.factorize(local)
        offsets = np.cumsum([0] + [len(d) for _, d in parts[j]])
        dtype = np.int8 if len(uniq) < 128 else np.int32
        codes.append(
            np.concatenate([glob[offsets[k] + idx].astype(dtype) for k, (idx, _) in enumerate(parts[j])])
        )
        cats.append(np.asarray(uniq, dtype=object))
        parts[j] = []
    return codes, cats


def _scan_csv_columns(
    data: bytes, bom: int, delim: str
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray, int] | None:
    """Codes, distinct texts, values per record, record line numbers (from 0) and blank lines of a
    file whose lines differ in length (pandas' C parser after a line-by-line scan), or None.
    """
    arr = np.frombuffer(data, dtype=np.uint8)[bom:]
    starts, ends, ndel, nonblank = _line_scan(arr, ord(delim))
    empty = ends == starts
    if ((~empty) & (nonblank == 0))[1:].any():  # whitespace-only lines: pandas skips them, csv does not
        return None
    keep = np.flatnonzero(~empty[1:]) + 1
    fields = ndel + 1
    maxw = int(fields.max())
    df = pd.read_csv(
        _io.BytesIO(data),
        sep=delim,
        header=None,
        names=list(range(maxw)),
        dtype="category",
        na_filter=False,
        skip_blank_lines=True,
        quoting=csv.QUOTE_NONE,
        index_col=False,
        encoding="utf-8-sig" if bom else "utf-8",
        engine="c",
    )
    if len(df) != len(keep) + 1:
        return None
    codes = [df[j].cat.codes.to_numpy()[1:] for j in range(maxw)]
    cats = [df[j].cat.categories.to_numpy(dtype=object) for j in range(maxw)]
    return codes, cats, fields[keep], keep, int(empty[1:].sum()) if len(empty) > 1 else 0


def _read_csv_table(data: bytes, name: str, sha: str) -> _Raw | None:
    """Read a plain UTF-8 CSV column by column (pandas' C parser into categoricals), or None.

    The result is the same as :func:`_read_csv_raw`'s (header, record numbers, blank lines,
    short and long records), held as a :class:`_Table`; files this cannot read exactly (see
    :func:`_fast_csv_layout`) give None and are read record by record instead.
    """
    layout = _fast_csv_layout(data)
    if layout is None:
        return None
    bom, enc, delim, line = layout
    header = [c.strip() for c in line.split(delim)]
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    arrow = _arrow_columns(data, bom, delim, len(header))
    if arrow is not None and len(arrow[0]) and len(arrow[0][0]) == n_lines - 1:
        codes, cats = arrow  # every line has one value per column: no blank, short or long rows
        fields = np.full(n_lines - 1, len(header), dtype=np.int32)
        keep = np.arange(1, n_lines, dtype=np.int32 if n_lines < 2**31 else np.int64)
        blank_lines = 0
    else:
        scanned = _scan_csv_columns(data, bom, delim)
        if scanned is None:
            return None
        codes, cats, fields, keep, blank_lines = scanned
    raw = _csv_raw(name, header, sha, enc, delim, header_row=1)
    raw.table = _Table(codes, cats, fields, keep + 1)
    _count_read(raw, len(keep), blank_lines)
    return raw


def _csv_raw(name: str, header: list[str], sha: str, enc: str, delim: str, header_row: int) -> _Raw:
    """An empty raw CSV table: its header, encoding and delimiter (a tab named ``tab``)."""
    return _Raw(
        file=name,
        header=header,
        rows=[],
        rownums=[],
        fmt="CSV",
        sha256=sha,
        encoding=enc,
        delimiter={"\t": "tab"}.get(delim, delim),
        header_row=header_row,
    )


def _count_read(raw: _Raw, n_rows: int, blank_lines: int) -> None:
    """Records read: the data rows and the empty lines (which are listed as excluded)."""
    raw.read = n_rows + blank_lines
    if blank_lines:
        raw.excluded.append(("empty line", blank_lines))


def _natural_order_simple(uniq: np.ndarray) -> np.ndarray | None:
    """Argsort of distinct ASCII ids shaped ``<non-digits><digits>`` in :func:`natural_key` order.

    The key of such an id is (lower-cased prefix, its number, the exact text), with all-digit ids
    first; ids of any other shape give None (then :func:`natural_key` is called per id).
    """
    try:
        b = uniq.astype("S")
    except (UnicodeEncodeError, ValueError):
        return None
    w = b.dtype.itemsize
    lens = np.fromiter(map(len, uniq), dtype=np.int64, count=len(uniq))
    if w == 0 or w > 64 or (np.char.str_len(b) != lens).any():
        return None
    m = np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(len(b), w)
    pos = np.arange(w)
    isdig = (m >= 48) & (m <= 57)
    if not isdig.any(axis=1).all():
        return None
    first = isdig.argmax(axis=1)
    after = (pos >= first[:, None]) & (pos < lens[:, None])
    if (after & ~isdig).any() or (lens - first).max() > 18:
        return None
    number = np.zeros(len(b), dtype=np.int64)
    for k in range(w):  # digit by digit: no (ids x width) int64 temporaries
        number = np.where(after[:, k], number * 10 + (m[:, k].astype(np.int64) - 48), number)
    pre = np.where(pos < first[:, None], m, 0).astype(np.uint8)
    pre = np.where((pre >= 65) & (pre <= 90), pre + 32, pre).astype(np.uint8)
    pre_code, pre_uniq = pd.factorize(np.ascontiguousarray(pre).view(f"S{w}").ravel())
    pre_rank = np.argsort(np.argsort(np.asarray(pre_uniq), kind="stable"), kind="stable")[pre_code]
    group = np.where(first == 0, 0, 1 + pre_rank)
    order = np.lexsort((number, group))
    g, v = group[order], number[order]
    if len(order) > 1 and ((g[1:] == g[:-1]) & (v[1:] == v[:-1])).any():  # e.g. R01 and r1: the text decides
        exact = np.argsort(np.argsort(b, kind="stable"), kind="stable")
        order = np.lexsort((exact, number, group))
    return order


def _natural_ranks(values: np.ndarray) -> np.ndarray:
    """Rank of each distinct text in ``values`` in :func:`assetinv.ids.natural_key` order."""
    order = _natural_order_simple(values) if len(values) > 2000 else None
    if order is None:
        keys = [natural_key(v) for v in values]
        order = np.array(sorted(range(len(values)), key=keys.__getitem__), dtype=np.int64)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    return rank


# --------------------------------------------------------------------------- problems


class _Collector:
    """Collects problems; caps each kind at ``_CAP`` and says how many more."""

    def __init__(self, file: str):
        self.file = file
        self.cols: list[Problem] = []
        self.rows: dict[str, list[Problem]] = {}

    def col(self, message: str, fix: str, column: str | None = None, row: int | None = None):
        self.cols.append(Problem(self.file, message, fix, row=row, column=column))

    def cell(self, kind: str, message: str, fix: str, row: int | None, column: str | None):
        self.rows.setdefault(kind, []).append(Problem(self.file, message, fix, row=row, column=column))

    def problems(self) -> list[Problem]:
        out = list(self.cols)
        cells: list[Problem] = []
        more: list[Problem] = []
        for kind, probs in self.rows.items():
            cells.extend(probs[:_CAP])
            if len(probs) > _CAP:
                rest = probs[_CAP:]
                rows = [p.row for p in rest if p.row is not None]
                span = f" (rows {min(rows)}-{max(rows)})" if rows else ""
                more.append(
                    Problem(
                        self.file, f"{len(rest)} more cells with the same problem ({kind}){span}", rest[0].fix
                    )
                )
        cells.sort(key=lambda p: p.row or 0)
        return out + cells + more

    def __bool__(self) -> bool:
        return bool(self.cols or self.rows)

    def raise_if_any(self):
        if self:
            raise DataError(self.problems())


def _quality_records(
    raw: _Raw, excluded: dict[str, int], used: int, dont_know: int | None = None
) -> list[dict]:
    recs = [{"stage": "read", "rows": int(raw.read), "reason": "data rows in the file (below the header)"}]
    for reason, n in raw.excluded + list(excluded.items()):
        if n:
            recs.append({"stage": "excluded", "rows": int(n), "reason": reason})
    recs.append({"stage": "used", "rows": int(used), "reason": "rows used in the analysis"})
    if dont_know is not None:
        # answers, not rows: kept apart from the read = used + excluded balance
        recs.append(
            {
                "stage": "dont_know",
                "rows": int(dont_know),
                "reason": "answers 'Don't know' (read as missing; counted per respondent in n_dont_know)",
            }
        )
    return recs


# --------------------------------------------------------------------------- responses


def _parse_number(s: str) -> float | None:
    if _NUMBER_RE.match(s):
        return float(s.replace(",", "."))
    return None


# A cell's problem: a message (with the parser's fix), (message, fix, kind), or None.
_ParseProblem = str | tuple[str, str, str] | None


#: Usual wordings of a Don't-know / Not-applicable option (label keys); read as Don't know when the
#: item's scale has that option (else they are missing codes, :data:`DEFAULT_MISSING_CODES`)
_DK_WORDINGS = frozenset(
    {
        "don't know",
        "dont know",
        "do not know",
        "dk",
        "not applicable",
        "does not apply",
        "don't know / not applicable",
        "don't know/not applicable",
        "don't know or not applicable",
        "not applicable / don't know",
    }
)


#: Data-quality reason of a row whose every answer is Don't know: excluded from scoring (there is no
#: answer to average), listed on its own so it is not mistaken for a blank row.
ONLY_DONT_KNOW = "answered only Don't know (no answer to score)"


def _says_dont_know(label: Any) -> bool:
    """True for a usual wording of a Don't-know / Not-applicable option (:data:`_DK_WORDINGS`)."""
    return _label_key(label) in _DK_WORDINGS


class _ItemParser:
    """Parses one scale's answers: numbers, labels, missing codes and its Don't-know option."""

    def __init__(
        self,
        scale,
        missing_codes: Sequence[str],
        extra_labels: dict[str, int] | None = None,
        other_scales: Sequence[Any] = (),
    ):
        self.lo, self.hi = int(scale.min), int(scale.max)
        self.scale = scale
        self._cache: dict[tuple, tuple[float, _ParseProblem, bool]] = {}
        self.labels = {_label_key(t): int(v) for v, t in dict(scale.labels).items()}
        for t, v in (extra_labels or {}).items():
            self.labels.setdefault(_label_key(t), int(v))
        self.missing = {_label_key(m) for m in missing_codes}
        self.missing_nums = {float(n) for n in (_parse_number(m) for m in self.missing) if n is not None}
        self.dk_code = getattr(scale, "dont_know_code", None)
        dk_label = getattr(scale, "dont_know_label", None)
        self.dk_label = _label_key(dk_label) if dk_label else None
        self.label_list = "; ".join(f"{v} = {t}" for v, t in sorted(dict(scale.labels).items()))
        # labels of the instrument's other scales (an "Often" in an agreement item: a shifted column?)
        self.other_labels = {
            _label_key(t): str(o.id)
            for o in other_scales
            if o is not scale
            for t in dict(o.labels).values()
            if _label_key(t) not in self.labels
        }
        self.fix = (
            f"use a whole number from {self.lo} to {self.hi} or a scale label such as "
            f"'{dict(scale.labels).get(self.hi, '')}'; leave the cell blank if unanswered"
        )

    def label(self, s: str) -> int | None:
        k = _label_key(s)
        if k in self.labels:
            return self.labels[k]
        m = _CODED_LABEL_RE.match(k)
        if m and _label_key(m.group(2)) in self.labels:
            return self.labels[_label_key(m.group(2))]
        m = _LABEL_CODED_RE.match(k)
        if m and _label_key(m.group(1)) in self.labels:
            return self.labels[_label_key(m.group(1))]
        return None

    def is_dk(self, s: str) -> bool:
        """The scale's Don't-know option: its code, its label, or a usual wording of it ("Don't know",
        "Not applicable", "DK"), which surveys and SPSS value labels write instead of the full label.
        """
        if self.dk_code is None:
            return False
        k = _label_key(s)
        if (self.dk_label is not None and k == self.dk_label) or _says_dont_know(k):
            return True
        num = _parse_number(k)
        return num is not None and num == float(self.dk_code)

    def parse(self, s: str, vlabels: dict[str, str] | None = None) -> tuple[float, _ParseProblem, bool]:
        """Return (value, problem message or None, is Don't know); memoised (answers repeat a lot)."""
        key = (s, id(vlabels) if vlabels else 0)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._parse(s, vlabels)
        return hit

    def _parse(self, s: str, vlabels: dict[str, str] | None) -> tuple[float, _ParseProblem, bool]:
        s = s.strip()
        if s == _DECLARED_DONT_KNOW:
            return np.nan, None, self.dk_code is not None
        if vlabels and s in vlabels:  # SPSS value label
            lab = vlabels[s]
            if self.is_dk(lab):
                return np.nan, None, True
            v = self.label(lab)
            if v is not None:
                return float(v), None, False
            if _label_key(lab) in self.missing:
                return np.nan, None, False
        if self.is_dk(s):
            return np.nan, None, True
        if _label_key(s) in self.missing:
            return np.nan, None, False
        num = _parse_number(s)
        if num is not None and num in self.missing_nums:
            return np.nan, None, False
        num_label = vlabels.get(s) if vlabels else None
        if num is not None:
            if num_label is not None:
                point = _propose_point(num_label, self.scale)
                # an agreement label on its own point ("4 = Somewhat agree") is read as the number
                if looks_missing(num_label) or (point is not None and point != num):
                    return np.nan, self.undeclared(s, num_label), False
            if not float(num).is_integer():
                return (
                    np.nan,
                    (f"value '{s}' is not a whole number: the scale has only the points {self.lo}-{self.hi}"),
                    False,
                )
            if not self.lo <= num <= self.hi:
                return np.nan, f"value '{s}' is outside the scale {self.lo}-{self.hi}", False
            return float(num), None, False
        v = self.label(s)
        if v is not None:
            return float(v), None, False
        if _label_key(s) in self.other_labels:
            return (
                np.nan,
                (
                    f"answer '{s}' is a label of the {self.other_labels[_label_key(s)]} scale, but this item "
                    f"is asked on the {self.scale.id} scale ({self.label_list})",
                    "check that the column holds the item it is mapped to (columns may have shifted in the "
                    "export), or recode the answer to a point of this item's scale",
                    "answer from another scale",
                ),
                False,
            )
        if looks_missing(s) or _propose_point(s, self.scale):
            return np.nan, self.undeclared(s, None), False
        return np.nan, f"value '{s}' is not a scale value or label", False

    def undeclared(self, s: str, lab: str | None) -> tuple[str, str, str]:
        """(message, fix, kind) for an undeclared missing-like or off-scale label."""
        text = lab if lab is not None else s
        what = f"value '{s}' (labelled '{lab}')" if lab is not None else f"answer '{s}'"
        if looks_missing(text):
            code = _yaml_scalar(s)
            return (
                (
                    f"{what} is not on the scale {self.lo}-{self.hi}; '{text}' reads like a missing-value "
                    "code, but it is not declared as one"
                ),
                (
                    "declare it missing: add this line under responses: in study.yaml: "
                    f"missing_codes: [{code}] (or pass missing_codes=[..., {code}] to read_responses)"
                ),
                f"undeclared missing code {code}",
            )
        point = _propose_point(text, self.scale)
        return (
            f"{what} is not a label of the {self.lo}-{self.hi} scale ({self.label_list})",
            (
                "declare the label: add this line under responses: in study.yaml: "
                f"labels: {{{_yaml_scalar(text)}: {point}}} (or pass labels={{{text!r}: {point}}})"
            ),
            f"undeclared label {text}",
        )


_STRONG = ("strongly", "completely", "totally", "fully", "entirely", "very much", "absolutely")
_MILD = (
    "somewhat",
    "slightly",
    "mostly",
    "tend to",
    "moderately",
    "partly",
    "partially",
    "a little",
    "mildly",
    "rather",
)
_NEUTRAL = ("neither", "neutral", "undecided", "in between", "in the middle", "agree nor disagree")


def _propose_point(label: Any, scale) -> int | None:
    """The scale point an agreement label that is not on the scale most likely means, or None.

    "Somewhat agree" is ``max - 1``, "Strongly disagree" ``min``, "Neutral" the middle (odd
    scales only); labels without "agree"/"disagree" or a neutral word get None.

    Examples
    --------
    >>> from assetinv import load_instrument
    >>> sc = load_instrument().default_scale
    >>> _propose_point("Somewhat agree", sc), _propose_point("Somewhat disagree", sc), _propose_point("Often", sc)
    (4, 2, None)
    """
    k = _label_key(label)
    lo, hi = int(scale.min), int(scale.max)
    if looks_missing(k):
        return None
    if any(w in k for w in _NEUTRAL):
        return (lo + hi) // 2 if (hi - lo) % 2 == 0 else None
    neg = bool(re.search(r"\b(disagree|not agree|do not agree|don't agree)\b", k))
    pos = not neg and bool(re.search(r"\bagree\b", k))
    if not (neg or pos):
        return None
    if any(w in k for w in _STRONG):
        return lo if neg else hi
    return lo + 1 if neg else hi - 1


def _item_scale(inst, item: str):
    """The item's Scale (instruments without ``item_scale`` use their one scale)."""
    if callable(getattr(inst, "item_scale", None)):
        return inst.item_scale(item)
    from .instrument import Scale

    return Scale("default", int(inst.scale_min), int(inst.scale_max), dict(inst.labels))


def _is_importid(cell: str) -> bool:
    c = cell.strip().replace("'", '"')
    return c.startswith("{") and '"importid"' in c.lower()


def _qualtrics_header_rows(
    raw: _Raw, colmap: dict[int, str], items: set[str], meta_idx: dict[int, str]
) -> list[tuple[int, str]]:
    """Indices (into raw.rows) of Qualtrics-style extra header rows, with the reason.

    The ImportId row and the question-text row are recognised independently: a row of
    ``{"ImportId": ...}`` cells among the first three is the ImportId row and every row
    above it is a question-text row, whatever that text looks like (short, non-English);
    without an ImportId row, a question-text row is recognised by its metadata labels or
    long item texts.
    """
    out: list[tuple[int, str]] = []
    top = _head_rows(raw, 3)
    imp = next(
        (
            i
            for i, row in enumerate(top)
            if sum(_is_importid(c) for c in row if c.strip())
            >= max(1, len([c for c in row if c.strip()]) // 2)
        ),
        None,
    )
    if imp is not None:
        for i in range(imp):
            out.append((i, "Qualtrics second header row (question text)"))
        out.append((imp, "Qualtrics third header row (ImportId)"))
        return out
    item_idx = [j for j, c in colmap.items() if c in items]
    for i in range(min(2, len(top))):
        row = top[i]
        if not any(c.strip() for c in row):
            break
        same = sum(1 for j, k in meta_idx.items() if j < len(row) and _norm(row[j]) == k)
        long_text = sum(
            1
            for j in item_idx
            if j < len(row) and len(row[j].strip()) > 25 and _parse_number(row[j].strip()) is None
        )
        if same >= 2 or (item_idx and long_text >= 0.75 * len(item_idx)):
            out.append((i, "Qualtrics second header row (question text)"))
            continue
        break
    return out


_LEGACY_QUALTRICS = [
    "responseid",
    "responseset",
    "name",
    "externaldatareference",
    "emailaddress",
    "ipaddress",
    "status",
    "startdate",
    "enddate",
    "finished",
]


def _normalise_layout(raw: _Raw) -> None:
    """Recognise survey-platform layouts in place and record each column's question text.

    * legacy Qualtrics (``V1``-``V10`` over ``ResponseID ... Finished``): the ``V`` columns take
      their row-2 names; row 2 is excluded and counted;
    * SurveyMonkey (``Respondent ID``, ``Collector ID``; a second header row of ``Response`` or
      matrix statements): each column is named "question - statement" (the question carried
      over the matrix's columns); row 2 is excluded and counted;
    * current Qualtrics: the question text is row 2 (when the ImportId row or the heuristics
      find it); other layouts: the column name is the question text.
    """
    if raw.fmt not in ("CSV", "XLSX") or not _n_records(raw):
        return
    keys = [_norm(h) for h in raw.header]
    first = _head_rows(raw, 1)[0]
    if (
        keys[:10] == [f"v{k}" for k in range(1, 11)]
        and len(first) >= 10
        and len({_norm(c) for c in first[:10]} & set(_LEGACY_QUALTRICS)) >= 7
    ):
        raw.original_header = list(raw.header)
        for j in range(10):
            raw.header[j] = first[j].strip()
        for j in range(10, min(len(raw.header), len(first))):
            raw.question_text[j] = first[j].strip()
        _drop_header_row(raw, "Qualtrics legacy second header row (question text)")
        raw.layout = "Qualtrics (legacy)"
        return
    if "respondentid" in keys and "collectorid" in keys:
        second = [c.strip() for c in first] + [""] * max(0, len(raw.header) - len(first))
        if not any(_parse_number(c) is not None for c in second if c):
            question = ""
            names = []
            for j, h in enumerate(raw.header):
                question = h.strip() or question
                stmt = second[j]
                if not h.strip() and not stmt:
                    names.append(h)
                    continue
                name = (
                    f"{question} - {stmt}"
                    if stmt and stmt not in ("Response", "Open-Ended Response")
                    else question
                )
                names.append(name)
                raw.question_text[j] = name
            raw.original_header = list(raw.header)
            raw.header = names
            _drop_header_row(raw, "SurveyMonkey second header row (answer options)")
            raw.layout = "SurveyMonkey"
            return
    if len(set(keys) & _QUALTRICS_MARKERS) >= 2:
        rows = _qualtrics_header_rows(
            raw, {}, set(), {j: k for j, k in enumerate(keys) if k in _QUALTRICS_MARKERS}
        )
        text_rows = [i for i, r in rows if "question text" in r]
        if text_rows:
            row = raw.rows[text_rows[0]]
            raw.question_text = {j: row[j].strip() for j in range(min(len(row), len(raw.header)))}
        raw.layout = "Qualtrics"
        return
    raw.question_text = {j: h.strip() for j, h in enumerate(raw.header)}


def _drop_header_row(raw: _Raw, reason: str) -> None:
    raw.rows.pop(0)
    raw.rownums.pop(0)
    raw.excluded.append((reason, 1))


def read_responses(
    path,
    instrument: Instrument | str | Path | None = None,
    *,
    columns: dict | None = None,
    values: dict | None = None,
    labels: dict | None = None,
    missing_codes: Sequence[Any] | None = None,
    constants: dict | None = None,
    drop: Sequence[str] | None = None,
    waves=None,
    sheet=None,
    keep_extra: bool = False,
) -> pd.DataFrame:
    """Read a survey export (CSV, XLSX, SPSS or Stata) into the tidy responses layout.

    Parameters
    ----------
    path : str, Path, dict or list
        The export. CSV/TSV/TXT (delimiter and encoding sniffed), XLSX, SAV/ZSAV or DTA;
        Qualtrics (current and legacy), SurveyMonkey, Google Forms and Microsoft Forms
        layouts are recognised. The file is opened read-only and never modified. A dict
        ``{"file": path, <crosswalk keys>}`` (a ``responses:`` entry of
        :func:`read_config`) reads that file through its crosswalk; a list of paths or
        dicts reads each and stacks them (the same respondent id and wave in two files is
        an error naming both).
    instrument : Instrument, str, Path or None
        The instrument (default: the bundled one, ``assetinv.load_instrument()``); a path
        loads that YAML.
    columns : dict, optional
        Crosswalk: export column -> item id or id field (``respondent_id, school, district,
        role, wave, duration_sec``), e.g. ``{"Q1_1": "EX09", "Q10": "school"}``.
    values : dict, optional
        Per id field, export value -> value, e.g. ``{"role": {"Classroom teacher": "teacher"}}``.
    labels : dict, optional
        Extra answer labels -> scale points, e.g. ``{"Somewhat agree": 4}``.
    missing_codes : sequence, optional
        Answers read as missing (compared case- and space-insensitively; numbers also
        numerically). Default :data:`DEFAULT_MISSING_CODES`; a sequence given here replaces
        it (``study.yaml``'s ``missing_codes:`` adds to it).
    constants : dict, optional
        An id field the export lacks, the same for every row, e.g. ``{"wave": "baseline"}``.
    drop : sequence of str, optional
        Export columns to ignore (free text and the like).
    waves : str or sequence of str, optional
        Wave ids (or labels) to keep. Rows of other waves are excluded and counted in the
        data-quality table. If the file has no ``wave`` column and ``waves`` names exactly
        one wave, every row is assigned that wave.
    sheet : str or int, optional
        Excel sheet name or 0-based number (default: the one sheet holding the columns).
    keep_extra : bool
        Keep unknown columns (as text, after the items) instead of raising. Identifying
        metadata (names, e-mail, IP address, location) is dropped regardless.

    Returns
    -------
    DataFrame
        Columns ``respondent_id, school, district, role, wave``, one float64 column per
        item id in instrument order (NaN = missing), ``duration_sec`` if the file has
        it and the int column ``n_dont_know`` when the instrument declares a Don't-know
        option; sorted by wave, school and respondent id. ``df.attrs`` holds
        ``instrument_version``, ``source`` (file name), ``sha256`` (of the input bytes),
        ``quality`` (records of the data-quality table, see :func:`data_quality`),
        ``dropped_columns`` and ``input_format``.

    Raises
    ------
    DataError
        Listing every problem found (file, row, column, fix).

    Examples
    --------
    >>> import tempfile, pathlib, assetinv
    >>> inst = assetinv.load_instrument()
    >>> inst.version
    '2.0.0'
    >>> items = inst.item_ids()
    >>> head = "respondent_id,school,district,role,wave," + ",".join(items)
    >>> teacher = set(inst.form("teacher")["id"])  # the items the teacher form asks
    >>> leader = dict(zip(inst.form("leader")["id"], inst.form("leader")["scale"]))
    >>> r1 = ["4" if i in teacher else "" for i in items]
    >>> label4 = {"agree": "Agree", "frequency": "Often", "count": "6 to 10 times", "share": "Most"}  # point 4
    >>> r2 = [label4[leader[i]] if i in leader else "" for i in items]
    >>> r2[items.index("EX10")] = "9"  # 9 = Don't know / Not applicable
    >>> rows = ["r1,S01,D1,Teacher,Baseline," + ",".join(r1),
    ...         "r2,S01,D1,principal,follow-up," + ",".join(r2)]
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "export.csv").write_text("\\n".join([head] + rows) + "\\n")
    >>> df = assetinv.read_responses(folder / "export.csv")
    >>> df[["respondent_id", "role", "wave", "EX09", "EX10", "EX11", "EX24", "n_dont_know"]]
      respondent_id     role      wave  EX09  EX10  EX11  EX24  n_dont_know
    0            r1  teacher  baseline   4.0   4.0   4.0   NaN            0
    1            r2   leader  followup   4.0   NaN   NaN   4.0            1
    >>> assetinv.data_quality(df)["rows"].tolist()  # read, used, Don't-know answers
    [2, 2, 1]

    References
    ----------
    ``docs/input_layout.md`` (the documented input layout and the bad-input corpus).
    """
    inst = resolve(instrument)
    kw: dict[str, Any] = dict(
        columns=columns,
        values=values,
        labels=labels,
        missing_codes=missing_codes,
        constants=constants,
        drop=drop,
    )
    if isinstance(path, (list, tuple)):
        if not path:
            raise _err("responses", "the list of response files is empty", "name at least one file")
        frames = [
            read_responses(p, inst, **kw, waves=waves, sheet=sheet, keep_extra=keep_extra) for p in path
        ]
        return _stack_responses(frames, [str(df.attrs.get("source", "")) for df in frames], inst)
    path, cw, missing = _crosswalk_from(path, kw)
    if path is None:
        raise _err("responses", "the responses entry names no file", "add 'file: <export file>'")
    items = _item_ids(inst)
    item_keys = {_norm(i): i for i in items}
    targets = {_norm(c) for c in REQUIRED_COLUMNS} | set(item_keys) | {_norm(c) for c in (cw.columns or {})}
    raw = _read_raw(path, sheet=sheet, targets=targets, columnar=not cw)
    _normalise_layout(raw)
    extra_labels = _apply_crosswalk(raw, inst, items, cw) if cw else {}
    return _responses_from_raw(
        raw,
        inst,
        items,
        waves=waves,
        missing_codes=DEFAULT_MISSING_CODES if missing is None else missing,
        keep_extra=keep_extra,
        extra_labels=extra_labels,
    )


@dataclass
class _ColumnPlan:
    """What each export column is: an output column, metadata, dropped or kept as extra."""

    colmap: dict[int, str] = field(default_factory=dict)  # column index -> output column
    meta_idx: dict[int, str] = field(default_factory=dict)  # metadata column index -> its key
    dropped: list[str] = field(default_factory=list)
    extra: dict[int, str] = field(default_factory=dict)
    status_j: int | None = None
    seen: dict[str, int] = field(default_factory=dict)
    qualtrics: bool = False
    other_version: str | None = None

    @property
    def idx(self) -> dict[str, int]:
        return {v: j for j, v in self.colmap.items()}


def _column_nonblank(table: _Table, j: int) -> bool:
    """Whether any record has a non-blank value in column ``j``."""
    if j >= len(table.codes) or not len(table):
        return False
    used = np.zeros(len(table.cats[j]), dtype=bool)
    used[table.codes[j][table.lengths > j]] = True
    return any(str(c).strip() for c in table.cats[j][used])


def _unknown_column(P: _Collector, h: str, k: str, items: list[str], inst) -> None:
    """Report an export column that is neither an id field, an item nor metadata."""
    item_keys = {_norm(i): i for i in items}
    guess = None
    m = re.match(r"^([a-z]{2})0*(\d{1,2})$", k)
    if m:
        cand = f"{m.group(1)}{int(m.group(2)):02d}"
        guess = item_keys.get(cand)
    close = [guess] if guess else _close(h, list(items) + list(REQUIRED_COLUMNS) + ["duration_sec"])
    looks_item = bool(re.match(r"^[a-z]{2}\d+$", k)) or (close and close[0] in set(items))
    if looks_item:
        msg = f"column '{h}' is not an item of the instrument (version {inst.version})" + (
            f" (did you mean '{close[0]}'?)" if close else ""
        )
        fix = f"rename the column to '{close[0]}'" if close else "rename the column to an item id"
        fix += ", delete it, or pass keep_extra=True to keep it as an extra column"
    else:
        msg = f"unknown column '{h}'" + (f" (did you mean '{close[0]}'?)" if close else "")
        fix = (
            "delete the column or rename it to one of the expected names "
            "(respondent_id, school, district, role, wave, item ids, duration_sec), "
            "or pass keep_extra=True"
        )
    P.col(msg, fix, column=h)


def _report_unknown_columns(
    P: _Collector, unknown: list[tuple[str, str]], items: list[str], inst
) -> str | None:
    """Report the columns that match nothing: as one problem when they are another version's items.

    Returns that other version, or None.
    """
    other = other_version_of([h for h, _ in unknown], str(inst.version))
    if other is not None:
        version, hit = other
        shown = ", ".join(hit[:4]) + (f" and {len(hit) - 4} more" if len(hit) > 4 else "")
        P.col(
            f"columns {shown} are items of instrument {version}, but the study is read with "
            f"instrument {inst.version}",
            f'if the data were collected with {version}, say so: instrument: "{version}" in study.yaml, '
            f'or read_responses(..., instrument="{version}") in Python',
            column=hit[0],
        )
        matched = {h.strip().upper() for h in hit}
        unknown = [(h, k) for h, k in unknown if h.strip().upper() not in matched]
    for h, k in unknown:
        _unknown_column(P, h, k, items, inst)
    return other[0] if other is not None else None


def _map_columns(
    raw: _Raw, table: _Table, inst, items: list[str], keep_extra: bool, P: _Collector
) -> _ColumnPlan:
    """Phase 1: match every header to an output column, metadata or an extra column."""
    canon = {_norm(c): c for c in REQUIRED_COLUMNS + ("duration_sec",)}
    canon.update({_norm(i): i for i in items})
    for alias, canonical in COLUMN_ALIASES.items():
        canon.setdefault(alias, canonical)
    header_keys = [_norm(h) for h in raw.header]
    plan = _ColumnPlan(qualtrics=len(set(header_keys) & _QUALTRICS_MARKERS) >= 2)
    responseid_j = None
    unknown: list[tuple[str, str]] = []
    for j, (h, k) in enumerate(zip(raw.header, header_keys)):
        if not k:
            if _column_nonblank(table, j):
                P.col(
                    f"column {_col_letter(j)} holds values but has no name",
                    "give the column a name in row 1, or delete it",
                    column=_col_letter(j),
                )
            continue
        target = canon.get(k)
        if target is None and k in ("responseid", "responseid(qualtrics)"):
            responseid_j = j
            plan.meta_idx[j] = k
            continue
        if target is None and (k in _IDENTIFYING_META or k in _OTHER_META or h.lower().startswith("q_")):
            plan.meta_idx[j] = k
            plan.dropped.append(h)
            if k == "status":
                plan.status_j = j
            continue
        if target is None:
            if keep_extra:
                plan.extra[j] = h.strip()
            else:
                unknown.append((h, k))
            continue
        if target in plan.seen:
            P.col(
                f"column '{h}' appears twice (also column {_col_letter(plan.seen[target])}, "
                f"'{raw.header[plan.seen[target]]}')",
                "delete or rename one of the two columns",
                column=h,
            )
            continue
        plan.seen[target] = j
        plan.colmap[j] = target
    plan.other_version = _report_unknown_columns(P, unknown, items, inst)
    if "respondent_id" not in plan.seen and responseid_j is not None:
        plan.seen["respondent_id"] = responseid_j
        plan.colmap[responseid_j] = "respondent_id"
        plan.meta_idx.pop(responseid_j, None)
    elif responseid_j is not None:
        plan.dropped.append(raw.header[responseid_j])
    return plan


def _select_waves(name: str, inst, waves: Any, plan: _ColumnPlan) -> tuple[set[str] | None, str | None]:
    """Phase 2: the waves kept (None = all) and the wave of every row when the file has none."""
    if waves is None:
        return None, None
    wave_map = _wave_map(inst)
    sel = []
    for w in [waves] if isinstance(waves, str) else list(waves):
        wid = wave_map.get(_key(w))
        if wid is None:
            raise DataError(
                Problem(
                    name,
                    f"waves= names an unknown wave '{w}'",
                    "use one of: " + ", ".join(dict(inst.waves)),
                    column="wave",
                )
            )
        sel.append(wid)
    return set(sel), (sel[0] if "wave" not in plan.seen and len(sel) == 1 else None)


def _check_required(
    raw: _Raw, plan: _ColumnPlan, items: list[str], fixed_wave: str | None, P: _Collector
) -> None:
    """Phase 3: every id field and item has its column; a one-column file names its delimiter."""
    unmapped = [
        h for j, h in enumerate(raw.header) if j not in plan.colmap and j not in plan.meta_idx and h.strip()
    ]
    for req in REQUIRED_COLUMNS:
        if req in plan.seen or (req == "wave" and fixed_wave):
            continue
        close = _close(req, unmapped, n=2, cutoff=0.5)
        hint = f"; close match in the file: {', '.join(repr(c) for c in close)}" if close else ""
        fix = (
            f"add a column '{req}'"
            + (f" or rename {close[0]!r} to '{req}'" if close else "")
            + (" (or pass waves='<wave id>' for a single-wave export)" if req == "wave" else "")
        )
        P.col(f"required column '{req}' is missing{hint}", fix, column=req)
    missing_items = [i for i in items if i not in plan.seen]
    if missing_items and plan.other_version is None:
        shown = ", ".join(missing_items[:10]) + (
            f" and {len(missing_items) - 10} more" if len(missing_items) > 10 else ""
        )
        P.col(
            f"item column(s) missing: {shown}",
            "add the column (blank cells are read as missing answers), or pass an instrument without it",
            column=missing_items[0],
        )
    if raw.delimiter and len(raw.header) == 1 and not plan.colmap:
        P.col(
            "the file seems to have a single column: its delimiter is not one of , ; tab |",
            "save it again as 'CSV UTF-8 (Comma delimited)'",
            column=raw.header[0],
        )


def _pick(v: Any, k: int) -> Any:
    """Element ``k`` of a per-record array, or the value itself when one value holds for all."""
    return v[k] if isinstance(v, np.ndarray) else v


class _CellFinds:
    """Cell problems found column by column, replayed to a :class:`_Collector` in row order.

    Each find is (records, step, kinds, messages, fixes, column); ``step`` is the position of the
    check within a row, so the replay gives the order a row-by-row reading would.
    """

    def __init__(self) -> None:
        self.finds: list[tuple[np.ndarray, int, Any, Any, Any, Any]] = []

    def add(self, recs: np.ndarray, step: int, kind: Any, msg: Any, fix: Any, column: Any) -> None:
        if len(recs):
            self.finds.append((recs, step, kind, msg, fix, column))

    def replay(self, P: _Collector, rownums: np.ndarray) -> None:
        if not self.finds:
            return
        recs = np.concatenate([f[0] for f in self.finds])
        steps = np.concatenate([np.full(len(f[0]), f[1]) for f in self.finds])
        which = np.concatenate([np.full(len(f[0]), k) for k, f in enumerate(self.finds)])
        at = np.concatenate([np.arange(len(f[0])) for f in self.finds])
        for i in np.lexsort((steps, recs)):
            _, _, kind, msg, fix, col = self.finds[which[i]]
            k = int(at[i])
            P.cell(
                _pick(kind, k), _pick(msg, k), _pick(fix, k), row=int(rownums[recs[i]]), column=_pick(col, k)
            )


@dataclass
class _RowState:
    """Masks over the records while the row checks run."""

    active: np.ndarray
    bad: np.ndarray
    first_excluded: dict[str, int] = field(default_factory=dict)  # reason -> first record
    excluded: dict[str, int] = field(default_factory=dict)

    def exclude(self, reason: str, mask: np.ndarray) -> None:
        hit = np.flatnonzero(mask & self.active)
        if len(hit):
            self.first_excluded[reason] = min(self.first_excluded.get(reason, len(self.active)), int(hit[0]))
            self.excluded[reason] = self.excluded.get(reason, 0) + len(hit)
            self.active[hit] = False


def _blank_mask(table: _Table, j: int) -> np.ndarray:
    codes, vals = table.stripped(j)
    return (vals == "")[codes] if len(vals) else np.ones(len(table), dtype=bool)


def _check_structure(
    raw: _Raw, table: _Table, start: int, plan: _ColumnPlan, st: _RowState, finds: _CellFinds
) -> None:
    """Phase 4a: short, long and blank records, and Qualtrics previews and tests."""
    n, width = len(table), len(raw.header)
    st.active[:start] = False
    allblank = np.ones(n, dtype=bool)
    for j in range(width):
        allblank &= _blank_mask(table, j)
    extra_nonblank = np.zeros(n, dtype=bool)
    for j in range(width, len(table.codes)):
        extra_nonblank |= ~_blank_mask(table, j) & (table.lengths > j)
    short = table.lengths < width
    st.exclude("blank row (every cell empty)", short & allblank)
    bad_short = np.flatnonzero(short & st.active)
    for r in bad_short:
        ln = int(table.lengths[r])
        if r == n - 1 and raw.truncated_ok:
            finds.add(
                np.array([r]),
                0,
                "truncated",
                f"the last row has {ln} values but the header has {width} "
                "columns: the file looks truncated (cut off)",
                "export the file again completely, or delete the incomplete last row",
                raw.header[ln],
            )
        else:
            finds.add(
                np.array([r]),
                0,
                "short row",
                f"the row has {ln} values but the header has {width} columns",
                "check this row for a missing delimiter or a line break inside a value",
                raw.header[ln],
            )
    st.active[bad_short] = False
    long_bad = np.flatnonzero((table.lengths > width) & extra_nonblank & st.active)
    if len(long_bad):
        lens = table.lengths[long_bad]
        msgs = np.array(
            [f"the row has {ln} values but the header has only {width} column names" for ln in lens],
            dtype=object,
        )
        finds.add(
            long_bad,
            0,
            "long row",
            msgs,
            "check this row for an unquoted delimiter inside a value "
            "(e.g. a comma in a school name) or add the missing column name",
            _col_letter(width),
        )
        st.active[long_bad] = False
    st.exclude("blank row (every cell empty)", allblank)
    if plan.qualtrics and plan.status_j is not None:
        j = plan.status_j
        test = np.array([_key(c) in _QUALTRICS_EXCLUDED_STATUS for c in table.cats[j]], dtype=bool)
        st.exclude("Qualtrics survey preview, test or spam response", test[table.codes[j]])


@dataclass
class _ItemLut:
    """One item column's parse of each distinct text: value, problem, Don't know."""

    value: np.ndarray
    prob: np.ndarray  # bool
    dk: np.ndarray  # bool
    kind: np.ndarray
    msg: np.ndarray
    fix: np.ndarray


def _item_lut(parser: _ItemParser, cats: np.ndarray, vlabels: dict[str, str] | None) -> _ItemLut:
    k = len(cats)
    lut = _ItemLut(
        np.full(k, np.nan),
        np.zeros(k, bool),
        np.zeros(k, bool),
        np.empty(k, object),
        np.empty(k, object),
        np.empty(k, object),
    )
    for c, s in enumerate(cats):
        v, prob, dk = parser.parse(str(s), vlabels)
        lut.value[c], lut.dk[c] = v, dk and not prob
        if isinstance(prob, tuple):
            lut.prob[c], lut.msg[c], lut.fix[c], lut.kind[c] = True, prob[0], prob[1], prob[2]
        elif prob:
            lut.prob[c], lut.msg[c], lut.fix[c], lut.kind[c] = True, prob, parser.fix, "item values"
    return lut


def _check_items(
    raw: _Raw,
    table: _Table,
    inst,
    items: list[str],
    plan: _ColumnPlan,
    missing_codes,
    extra_labels,
    st: _RowState,
    finds: _CellFinds,
) -> tuple[dict[str, _ItemLut], np.ndarray | None]:
    """Phase 4b: parse every answer (once per distinct text); the Don't-know count per record."""
    parsers: dict[str, _ItemParser] = {}
    by_scale: dict[Any, _ItemParser] = {}
    for it in items:
        sc = _item_scale(inst, it)
        if sc not in by_scale:
            others = list(getattr(inst, "scales", {}).values())
            by_scale[sc] = _ItemParser(sc, missing_codes, extra_labels, others)
        parsers[it] = by_scale[sc]
    has_dk = any(p.dk_code is not None for p in by_scale.values())
    idx = plan.idx
    n = len(table)
    answered = np.zeros(n, dtype=np.int64)
    n_dk = np.zeros(n, dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    luts: dict[str, _ItemLut] = {}
    for pos, it in enumerate(items):
        j = idx.get(it)
        if j is None:
            continue
        lut = luts[it] = _item_lut(parsers[it], table.cats[j], raw.value_labels.get(raw.header[j]))
        codes = table.codes[j]
        if lut.prob.any():
            prob = lut.prob[codes] & st.active
            recs = np.flatnonzero(prob)
            if len(recs):
                c = codes[recs]
                finds.add(recs, 1 + pos, lut.kind[c], lut.msg[c], lut.fix[c], raw.header[j])
            bad |= prob
        if lut.dk.any():
            n_dk += lut.dk[codes]
        answered += (~lut.dk & ~lut.prob & ~np.isnan(lut.value))[codes]
    st.bad |= bad
    if idx.keys() & set(items):
        # a respondent who chose Don't know for every item they were asked has no score, but did take part
        st.exclude(ONLY_DONT_KNOW, (answered == 0) & (n_dk > 0) & ~st.bad)
        st.exclude("no item answered", (answered == 0) & ~st.bad)
    return luts, (n_dk if has_dk else None)


def _check_forms(
    raw: _Raw,
    table: _Table,
    inst,
    items: list[str],
    plan: _ColumnPlan,
    luts: dict[str, _ItemLut],
    fields: dict[str, tuple[np.ndarray, np.ndarray]],
    st: _RowState,
    finds: _CellFinds,
) -> None:
    """Phase 4d: an answer (or Don't know) to an item that is not on the respondent's role form.

    With role forms (an instrument with a ``forms:`` section, as 2.0.0) an item is shown only to
    the roles that can judge it; an answer from another role means the row's role or the column's
    item is mapped wrongly. 1.0.0 declares no forms (its surveys often showed every item to
    everyone), so its data keep reading as before.
    """
    if "role" not in fields or not getattr(inst, "forms", None):
        return
    rc, rids = fields["role"]
    every = set(dict(inst.roles))
    for pos, it in enumerate(items):
        asked = inst.item_roles.get(it)
        j = plan.idx.get(it)
        if j is None or not asked or asked >= every or it not in luts:
            continue
        lut = luts[it]
        answered = ~np.isnan(lut.value) | lut.dk
        off = np.array([r is not None and r not in asked for r in rids], dtype=bool)
        if not len(rids):
            continue
        recs = np.flatnonzero(off[rc] & answered[table.codes[j]] & st.active)
        if not len(recs):
            continue
        forms = ", ".join(sorted(asked))
        msgs = np.array(
            [f"a {r} answered {it}, which is asked only on the {forms} form" for r in rids], dtype=object
        )
        fix = (
            "check this row's role and which item the column holds; if your survey did ask this statement "
            "of that role, blank these cells or use a copy of the instrument that lists the role for the item"
        )
        finds.add(
            np.asarray(recs),
            1 + pos,
            "answer to an item not on the role's form",
            msgs[rc[recs]],
            fix,
            raw.header[j],
        )
        st.bad[recs] = True


def _field_values(table: _Table, j: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct stripped texts) of column ``j``."""
    return table.stripped(j)


def _check_ids(
    raw: _Raw,
    table: _Table,
    inst,
    items: list[str],
    plan: _ColumnPlan,
    fixed_wave: str | None,
    st: _RowState,
    finds: _CellFinds,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Phase 4c: blank ids, roles, waves and durations; returns each field's (codes, value per code)."""
    idx, step = plan.idx, 1 + len(items)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for col in ("respondent_id", "school", "district"):
        j = idx.get(col)
        if j is None:
            continue
        codes, vals = out[col] = _field_values(table, j)
        recs = np.flatnonzero((vals == "")[codes] & st.active) if len(vals) else np.zeros(0, np.int64)
        what = {"respondent_id": "respondent id"}.get(col, col)
        fix = (
            "give every row a respondent id (unique within a wave)"
            if col == "respondent_id"
            else f"fill in the {col} id for this respondent"
        )
        finds.add(recs, step, f"blank {col}", f"the {what} is blank", fix, raw.header[j])
        st.bad[recs] = True
        step += 1
    for col, mapping, cutoff in (("role", _role_map(inst), 0.7), ("wave", _wave_map(inst), 0.6)):
        j = idx.get(col)
        if j is None:
            if col == "wave" and fixed_wave is not None:
                out[col] = (np.zeros(len(table), np.int64), np.array([fixed_wave], dtype=object))
            continue
        codes, vals = _field_values(table, j)
        vl = raw.value_labels.get(raw.header[j], {})
        ids = np.empty(len(vals), dtype=object)
        msgs = np.empty(len(vals), dtype=object)
        for c, val in enumerate(vals):
            ids[c], hint = _match_id(val, vl.get(val), mapping, cutoff=cutoff)
            if col == "role":
                msgs[c] = (
                    "the role is blank" if not val else f"role '{val}' is not a role of the instrument{hint}"
                )
            else:
                msgs[c] = (
                    "the wave is blank" if not val else f"wave '{val}' is not a wave of the instrument{hint}"
                )
        none = np.array([v is None for v in ids], dtype=bool)
        recs = np.flatnonzero(none[codes] & st.active) if len(vals) else np.zeros(0, np.int64)
        if col == "role":
            fix = (
                f"use one of: {', '.join(dict(inst.roles))} (labels and synonyms such as "
                "'Teacher', 'Principal', 'District staff' are accepted; see docs/input_layout.md)"
            )
        else:
            fix = (
                f"use one of: {', '.join(dict(inst.waves))} (or their labels, e.g. "
                + ", ".join(f"'{lab}'" for lab in dict(inst.waves).values())
                + ")"
            )
        finds.add(recs, step, col, msgs[codes[recs]], fix, raw.header[j])
        st.bad[recs] = True
        out[col] = (codes, ids)
        step += 1
    j = idx.get("duration_sec")
    if j is not None:
        codes, vals = _field_values(table, j)
        nums = np.full(len(vals), np.nan)
        wrong = np.zeros(len(vals), dtype=bool)
        for c, val in enumerate(vals):
            num = _parse_number(val) if val else np.nan
            wrong[c] = num is None or bool(val and num < 0)
            nums[c] = np.nan if wrong[c] else num
        recs = np.flatnonzero(wrong[codes] & st.active) if len(vals) else np.zeros(0, np.int64)
        msgs = np.array(
            [f"duration '{v}' is not a number of seconds" for v in vals[codes[recs]]], dtype=object
        )
        finds.add(
            recs,
            step,
            "duration",
            msgs,
            "write the completion time in seconds (e.g. 312), or leave it blank",
            raw.header[j],
        )
        out["duration_sec"] = (codes, nums)
    return out


def _check_duplicates(
    raw: _Raw, table: _Table, plan: _ColumnPlan, fields: dict, kept: np.ndarray, P: _Collector
) -> None:
    """Phase 5: one row per respondent and wave (reported at the later row, naming the first)."""
    if "respondent_id" not in fields or "wave" not in fields or not len(kept):
        return
    rc, rvals = fields["respondent_id"]
    wc, wvals = fields["wave"]
    wid = np.array([-1 if v is None else k for k, v in enumerate(wvals)], dtype=np.int64)
    r = rc[kept].astype(np.int64)  # the stripped ids are distinct: a code is an id
    w = wid[wc[kept]]
    ok = (rvals[rc[kept]] != "") & (w >= 0)
    sub = kept[ok]
    key_codes = np.asarray(pd.factorize(r[ok] * (len(wvals) + 1) + w[ok])[0])
    first_pos = np.zeros(int(key_codes.max()) + 1 if len(key_codes) else 0, dtype=np.int64)
    first_pos[key_codes[::-1]] = np.arange(len(key_codes))[::-1]  # the last write per key is its first row
    first_rec = sub[first_pos[key_codes]]
    dup = np.flatnonzero(first_rec != sub)
    jid = plan.idx.get("respondent_id")
    for d in dup:
        rec, first = sub[d], first_rec[d]
        P.cell(
            "duplicate id",
            f"respondent id '{rvals[rc[rec]]}' appears more than once in wave "
            f"'{wvals[wc[rec]]}' (first at row {int(table.rownums[first])})",
            "give each respondent one row per wave: delete the duplicate row or correct the id",
            row=int(table.rownums[rec]),
            column=raw.header[jid] if jid is not None else "respondent_id",
        )


def _build_frame(
    raw: _Raw,
    inst,
    items: list[str],
    plan: _ColumnPlan,
    table: _Table,
    good: np.ndarray,
    luts: dict[str, _ItemLut],
    fields: dict,
    n_dk: np.ndarray | None,
    quality: list[dict],
) -> pd.DataFrame:
    """Phase 6: the tidy frame, sorted by wave, school and respondent id (natural order)."""
    order_w = {w: k for k, w in enumerate(dict(inst.waves))}
    keys = []
    for col in ("respondent_id", "school"):
        codes, vals = fields[col]
        used = np.zeros(len(vals), dtype=bool)
        used[codes[good]] = True
        rank = np.zeros(len(vals), dtype=np.int64)
        rank[used] = _natural_ranks(vals[used])
        keys.append(rank[codes[good]])
    wc, wvals = fields["wave"]
    wrank = np.array([order_w.get(v, -1) for v in wvals], dtype=np.int64)
    keys.append(wrank[wc[good]])
    sel = good[np.lexsort(keys)]
    del keys
    block = np.empty((len(items), len(sel)))
    for k, it in enumerate(items):
        j = plan.idx[it]
        np.take(luts[it].value, np.take(table.codes[j], sel), out=block[k])
        table.codes[j] = table.codes[j][:0]  # consumed: the table is not used after this phase
    df = pd.DataFrame(block.T, columns=items, copy=False)
    for k, col in enumerate(REQUIRED_COLUMNS):
        codes, vals = fields[col]
        df.insert(k, col, vals[codes[sel]])
    if "duration_sec" in plan.seen:
        codes, nums = fields["duration_sec"]
        df.insert(len(df.columns), "duration_sec", nums[codes[sel]].astype("float64"))
    if n_dk is not None:
        df.insert(len(df.columns), "n_dont_know", n_dk[sel].astype("int64"))
    extras: dict[str, np.ndarray] = {}
    for j, h in plan.extra.items():
        codes, vals = _field_values(table, j)
        extras[h] = vals[codes[sel]]
    for h in plan.extra.values():
        df.insert(len(df.columns), h, extras[h], allow_duplicates=True)
    df.attrs = {
        "instrument_version": str(inst.version),
        "source": raw.source or raw.file,
        "sha256": raw.sha256,
        "quality": quality,
        "dropped_columns": list(plan.dropped) + list(raw.dropped_by_crosswalk),
        "input_format": _format_note(raw),
    }
    return df


def _responses_from_raw(
    raw: _Raw,
    inst,
    items: list[str],
    *,
    waves,
    missing_codes,
    keep_extra,
    extra_labels: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Check a raw table and build the tidy responses frame, phase by phase (see each phase)."""
    P = _Collector(raw.file)
    if not raw.header or not any(h.strip() for h in raw.header):
        raise _err(raw.file, "the file has no column names", "put the column names in row 1")
    table = raw.table if raw.table is not None else _table_from_rows(raw.rows, raw.rownums, len(raw.header))
    plan = _map_columns(raw, table, inst, items, keep_extra, P)
    waves_sel, fixed_wave = _select_waves(raw.file, inst, waves, plan)
    _check_required(raw, plan, items, fixed_wave, P)

    excluded: dict[str, int] = {}
    start = 0
    for i, reason in _qualtrics_header_rows(raw, plan.colmap, set(items), plan.meta_idx):
        excluded[reason] = excluded.get(reason, 0) + 1
        start = i + 1
    st = _RowState(active=np.ones(len(table), dtype=bool), bad=np.zeros(len(table), dtype=bool))
    finds = _CellFinds()
    _check_structure(raw, table, start, plan, st, finds)
    luts, n_dk = _check_items(raw, table, inst, items, plan, missing_codes, extra_labels, st, finds)
    fields = _check_ids(raw, table, inst, items, plan, fixed_wave, st, finds)
    _check_forms(raw, table, inst, items, plan, luts, fields, st, finds)
    if waves_sel is not None and "wave" in fields:
        wc, wvals = fields["wave"]
        other = np.array([v is not None and v not in waves_sel for v in wvals], dtype=bool)
        st.exclude("wave not selected (waves=)", other[wc] if len(wvals) else np.zeros(len(table), bool))
    finds.replay(P, table.rownums)
    kept = np.flatnonzero(st.active).astype(np.int32 if len(table) < 2**31 else np.int64)
    _check_duplicates(raw, table, plan, fields, kept, P)
    for reason in sorted(st.excluded, key=st.first_excluded.__getitem__):
        excluded[reason] = st.excluded[reason]
    _raise_problems(raw, P, kept, excluded)
    good = kept[~st.bad[kept]]
    n_dk_total = int(n_dk[good].sum()) if n_dk is not None else None
    quality = _quality_records(raw, excluded, len(good), n_dk_total)
    return _build_frame(raw, inst, items, plan, table, good, luts, fields, n_dk, quality)


def _raise_problems(raw: _Raw, P: _Collector, kept: np.ndarray, excluded: dict[str, int]) -> None:
    """Phase 5b: a file without data rows, then every problem found (columns named as exported)."""
    if (
        not P
        and not len(kept)
        and not excluded.get("no item answered")
        and not excluded.get(ONLY_DONT_KNOW)
        and raw.read - sum(n for _, n in raw.excluded) - sum(excluded.values()) <= 0
    ):
        P.col(
            "the file has column names but no data rows",
            "export the survey responses again, including the data rows",
            row=raw.header_row + 1,
        )
    if P and raw.renamed:
        probs = [
            dataclasses.replace(p, column=f"{raw.renamed[p.column]} (read as {p.column})")
            if p.column in raw.renamed
            else p
            for p in P.problems()
        ]
        raise DataError(probs)
    P.raise_if_any()


def _format_note(raw: _Raw) -> str:
    if raw.fmt == "CSV":
        return f"CSV ({raw.encoding}, delimiter '{raw.delimiter}')"
    if raw.fmt == "XLSX":
        return f"XLSX (sheet '{raw.sheet}')"
    return raw.fmt


def data_quality(df: pd.DataFrame) -> pd.DataFrame:
    """The data-quality table of a frame returned by :func:`read_responses`.

    Every row read is accounted for: ``rows read = rows used + rows excluded``,
    each exclusion with its reason. Counts only, never ids.

    Parameters
    ----------
    df : DataFrame
        The output of :func:`read_responses` (the table lives in ``df.attrs["quality"]``).

    Returns
    -------
    DataFrame
        Columns ``stage`` ("read", "excluded", "used"), ``rows`` (int) and ``reason``.
        A frame without the attribute gets a two-row table (read = used = ``len(df)``).

    Examples
    --------
    >>> import pandas as pd
    >>> data_quality(pd.DataFrame({"EX09": [4.0, 5.0]}))
      stage  rows                                    reason
    0  read     2  data rows in the file (below the header)
    1  used     2                 rows used in the analysis

    References
    ----------
    ``docs/input_layout.md``, section "Data quality".
    """
    recs = df.attrs.get("quality")
    if not recs:
        recs = [
            {"stage": "read", "rows": len(df), "reason": "data rows in the file (below the header)"},
            {"stage": "used", "rows": len(df), "reason": "rows used in the analysis"},
        ]
    out = pd.DataFrame(list(recs), columns=["stage", "rows", "reason"])
    out["rows"] = out["rows"].astype("int64")
    return out


# --------------------------------------------------------------------------- crosswalks

#: The keys of a responses crosswalk (``read_responses`` keyword arguments and the
#: ``responses:`` entries of ``study.yaml``).
CROSSWALK_KEYS = ("columns", "values", "labels", "missing_codes", "constants", "drop")
#: Fields a crosswalk column may be mapped to besides the item ids.
ID_FIELDS = REQUIRED_COLUMNS + ("duration_sec",)
_VALUE_FIELDS = ("school", "district", "role", "wave")

_MISSING_LIKE_RE = re.compile(
    r"\b(no answer|no response|refused|refuse to answer|not applicable|n/a|prefer not to (answer|say)|"
    r"rather not say|skipped|does not apply|doesn't apply|don't know|dont know|do not know|"
    r"unsure|not sure|declined?( to answer)?|missing|not asked|no opinion)\b"
)


def looks_missing(label: Any) -> bool:
    """True when an answer label reads like a missing-value code ("No answer", "Refused", ...).

    Parameters
    ----------
    label : str
        An answer text or an SPSS value label; compared case-insensitively.

    Returns
    -------
    bool

    Examples
    --------
    >>> looks_missing("Prefer NOT to answer"), looks_missing("Agree")
    (True, False)
    """
    return bool(_MISSING_LIKE_RE.search(_label_key(label)))


def _yaml_scalar(v: Any) -> str:
    """A value as it would be written in a YAML flow list."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(int(v)) if float(v).is_integer() else str(v)
    s = str(v)
    num = _parse_number(s.strip())
    if num is not None and float(num).is_integer() and "," not in s:
        return str(int(num))
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _find_column(header: Sequence[str], name: str) -> int | None:
    """Index of the export column ``name``: exact, then case-insensitive, then loose (unique) match."""
    name = str(name).strip()
    for test in (
        lambda h: h.strip() == name,
        lambda h: h.strip().casefold() == name.casefold(),
        lambda h: _norm(h) == _norm(name),
    ):
        hits = [j for j, h in enumerate(header) if test(h)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None
    return None


def _crosswalk_target(target: str, items: list[str]) -> str | None:
    t = str(target).strip()
    if t in items or t in ID_FIELDS:
        return t
    keyed = {_norm(i): i for i in items}
    keyed.update({_norm(f): f for f in ID_FIELDS})
    return keyed.get(_norm(t))


@dataclass
class _Crosswalk:
    """A responses file's crosswalk keys (``missing_codes`` goes with the reader's own missing codes)."""

    columns: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)
    drop: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.columns or self.values or self.labels or self.constants or self.drop)


def _check_mapping(P: _Collector, value: Any, key: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        P.col(
            f"the crosswalk's '{key}' must be a mapping, found {type(value).__name__}",
            f"write {key} as {{export value: target}} pairs (see docs/input_layout.md)",
            column=key,
        )
        return {}
    return dict(value)


class _CwColumns:
    """Finds the export columns a crosswalk names (in the header, or the header before a layout
    renamed it) and reports the ones the file does not have.
    """

    def __init__(self, raw: _Raw, P: _Collector):
        self.raw, self.P = raw, P
        self.known = [h for h in raw.header if h.strip()]

    def find(self, col: str) -> int | None:
        j = _find_column(self.raw.header, col)
        if j is None and self.raw.original_header:
            j = _find_column(self.raw.original_header, col)
        return j

    def missing(self, key: str, col: str) -> None:
        close = _close(col, self.known, n=2, cutoff=0.6)
        self.P.col(
            f"the crosswalk's '{key}' names column '{col}', which the file does not have"
            + (f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""),
            f"correct the column name under {key}: (the file's columns are its header row)"
            + (f", e.g. '{close[0]}'" if close else ""),
            column=f"{key}.{col}",
        )


def _crosswalk_drops(drop: Any, cols: _CwColumns, P: _Collector) -> set[int]:
    """Indices of the columns listed under ``drop:``."""
    drop_idx: set[int] = set()
    for col in drop:
        j = cols.find(str(col))
        if j is None:
            cols.missing("drop", str(col))
        else:
            drop_idx.add(j)
    return drop_idx


def _crosswalk_renames(
    columns: dict, cols: _CwColumns, inst, items: list[str], drop_idx: set[int], P: _Collector
) -> tuple[dict[int, str], dict[str, str]]:
    """Column index -> target, and target -> export column, for the ``columns:`` mapping."""
    renames: dict[int, str] = {}
    by_target: dict[str, str] = {}
    for col, target in columns.items():
        col = str(col)
        j = cols.find(col)
        if j is None:
            cols.missing("columns", col)
            continue
        t = _crosswalk_target(str(target), items) if target is not None else None
        if t is None:
            close = _close(str(target), list(items) + list(ID_FIELDS), n=2, cutoff=0.6)
            P.col(
                f"the crosswalk maps column '{col}' to '{target}', which is neither an item of the "
                f"instrument (version {inst.version}) nor an id field",
                "map it to an item id ("
                + ", ".join(items[:3])
                + ", ...) or to one of "
                + ", ".join(ID_FIELDS)
                + (f" (did you mean '{close[0]}'?)" if close else "")
                + ", or list the column under drop:",
                column=f"columns.{col}",
            )
            continue
        if j in drop_idx:
            P.col(
                f"column '{col}' is both mapped (to '{t}') and dropped",
                "delete it from columns: or from drop:",
                column=f"columns.{col}",
            )
            continue
        if j in renames:
            P.col(
                f"column '{col}' is mapped twice (to '{renames[j]}' and '{t}')",
                "keep one of the two lines under columns:",
                column=f"columns.{col}",
            )
            continue
        if t in by_target:
            P.col(
                f"two columns are mapped to '{t}': '{by_target[t]}' and '{col}'",
                f"map only one column to '{t}' (and list the other under drop: if it is not needed)",
                column=f"columns.{col}",
            )
            continue
        renames[j] = t
        by_target[t] = col
    return renames, by_target


def _crosswalk_check_shadowed(
    header: list[str],
    canon: dict[str, str],
    renames: dict[int, str],
    drop_idx: set[int],
    by_target: dict[str, str],
    P: _Collector,
) -> None:
    """A mapped target that the file also holds under its own name."""
    for j, h in enumerate(header):
        if j in renames or j in drop_idx or not h.strip():
            continue
        t = canon.get(_norm(h))
        if t in by_target:
            P.col(
                f"the crosswalk maps column '{by_target[t]}' to '{t}', but the file also has a "
                f"column '{h}' that is read as '{t}'",
                f"add '{h}' to drop: (or map '{by_target[t]}' elsewhere)",
                column=f"columns.{by_target[t]}",
            )


def _crosswalk_check_fields(
    header: list[str],
    canon: dict[str, str],
    renames: dict[int, str],
    drop_idx: set[int],
    by_target: dict[str, str],
    constants: dict,
    values: dict,
    P: _Collector,
) -> None:
    """``constants:`` and ``values:`` name id fields the file does not already hold (or maps)."""
    present = set(by_target) | {
        canon.get(_norm(h)) for j, h in enumerate(header) if j not in drop_idx and j not in renames
    }
    for fld, val in constants.items():
        f = str(fld)
        if f not in _VALUE_FIELDS:
            P.col(
                f"the crosswalk's constants name '{f}', which is not an id field",
                "use constants only for " + ", ".join(_VALUE_FIELDS) + " (e.g. constants: {wave: baseline})",
                column=f"constants.{f}",
            )
        elif f in present:
            P.col(
                f"the crosswalk gives '{f}' a constant, but the file already has a '{f}' column",
                f"delete constants.{f}, or add that column to drop:",
                column=f"constants.{f}",
            )
        elif val is None or not str(val).strip():
            P.col(
                f"the constant for '{f}' is empty",
                f"write e.g. constants: {{{f}: ...}}",
                column=f"constants.{f}",
            )
    for fld, mp in values.items():
        f = str(fld)
        if f not in _VALUE_FIELDS:
            P.col(
                f"the crosswalk's values name '{f}', which is not an id field",
                "give value maps only for " + ", ".join(_VALUE_FIELDS),
                column=f"values.{f}",
            )
        elif not isinstance(mp, dict):
            P.col(
                f"values.{f} must be a mapping of export value -> {f}",
                f'write e.g. values: {{{f}: {{"Classroom teacher": teacher}}}}',
                column=f"values.{f}",
            )
        elif f not in present and f not in constants:
            P.col(
                f"the crosswalk maps values of '{f}', but no column is read as '{f}'",
                f"map the export's {f} column under columns: (e.g. Q10: {f})",
                column=f"values.{f}",
            )


def _crosswalk_labels(labels: dict, inst, P: _Collector) -> dict[str, int]:
    """The extra answer labels, each a point of the scale that no scale gives another point."""
    lo, hi = int(inst.scale_min), int(inst.scale_max)
    extra: dict[str, int] = {}
    for lab, point in labels.items():
        ok = not isinstance(point, bool) and isinstance(point, (int, float)) and float(point).is_integer()
        if not ok or not lo <= int(point) <= hi:
            P.col(
                f"the crosswalk's labels map '{lab}' to {point!r}, which is not a point of the scale "
                f"{lo}-{hi}",
                f'write a whole number from {lo} to {hi}, e.g. "{lab}": {hi - 1}',
                column=f"labels.{lab}",
            )
            continue
        for sc in getattr(inst, "scales", {}).values() or []:
            own = {_label_key(t): int(v) for v, t in sc.labels.items()}
            if own.get(_label_key(lab), int(point)) != int(point):
                P.col(
                    f"the crosswalk maps '{lab}' to {int(point)}, but it is point "
                    f"{own[_label_key(lab)]} of scale '{sc.id}'",
                    "delete the line from labels:",
                    column=f"labels.{lab}",
                )
        extra[str(lab)] = int(point)
    return extra


def _crosswalk_apply(
    raw: _Raw,
    canon: dict[str, str],
    renames: dict[int, str],
    drop_idx: set[int],
    constants: dict,
    values: dict,
) -> None:
    """Rename, map values, drop columns and add constants, in place."""
    header = raw.header
    vmaps = {str(f): {_label_key(k): str(v) for k, v in mp.items()} for f, mp in values.items()}
    renamed_labels = {}
    for j, t in renames.items():
        if header[j] in raw.value_labels:
            renamed_labels[t] = raw.value_labels[header[j]]
        raw.renamed[t] = header[j]
        header[j] = t
    raw.value_labels.update(renamed_labels)
    for f, mp in vmaps.items():
        col = next((k for k, h in enumerate(header) if canon.get(_norm(h)) == f and k not in drop_idx), None)
        if col is None:
            continue
        vl = raw.value_labels.get(header[col], {})
        for row in raw.rows:
            if col < len(row):
                cell = row[col].strip()
                hit = mp.get(_label_key(cell))
                if hit is None and cell in vl:
                    hit = mp.get(_label_key(vl[cell]))
                if hit is not None:
                    row[col] = hit
    if drop_idx:
        keep = [j for j in range(len(header)) if j not in drop_idx]
        raw.dropped_by_crosswalk = [header[j] for j in sorted(drop_idx)]
        old_w = len(raw.header)
        raw.rows = [[row[j] for j in keep if j < len(row)] + row[old_w:] for row in raw.rows]
        raw.header = header = [header[j] for j in keep]
    for f, val in constants.items():
        w = len(raw.header)
        for row in raw.rows:
            if len(row) >= w:
                row.insert(w, str(val).strip())
        raw.header.append(str(f))
        const_map = vmaps.get(str(f))
        if const_map and _label_key(val) in const_map:
            for row in raw.rows:
                if len(row) > w:
                    row[w] = const_map[_label_key(val)]


def _apply_crosswalk(raw: _Raw, inst, items: list[str], cw: _Crosswalk) -> dict[str, int]:
    """Apply a crosswalk to the raw table in place: drop, rename, map values, add constants.

    Returns the extra answer labels (label -> scale point). Every mistake is a DataError naming
    the file, the crosswalk key and the fix.
    """
    P = _Collector(raw.file)
    columns = _check_mapping(P, cw.columns, "columns")
    values = _check_mapping(P, cw.values, "values")
    constants = _check_mapping(P, cw.constants, "constants")
    labels = _check_mapping(P, cw.labels, "labels")
    drop = cw.drop if cw.drop is not None else []
    if isinstance(drop, (str, int)):
        drop = [drop]
    if not isinstance(drop, (list, tuple)):
        P.col(
            "the crosswalk's 'drop' must be a list of column names",
            "write drop: [Q12_TEXT, Q13]",
            column="drop",
        )
        drop = []
    P.raise_if_any()
    cols = _CwColumns(raw, P)
    drop_idx = _crosswalk_drops(drop, cols, P)
    renames, by_target = _crosswalk_renames(columns, cols, inst, items, drop_idx, P)
    canon = {_norm(c): c for c in list(ID_FIELDS) + list(items)}
    canon.update(COLUMN_ALIASES)
    _crosswalk_check_shadowed(raw.header, canon, renames, drop_idx, by_target, P)
    _crosswalk_check_fields(raw.header, canon, renames, drop_idx, by_target, constants, values, P)
    extra = _crosswalk_labels(labels, inst, P)
    P.raise_if_any()
    _crosswalk_apply(raw, canon, renames, drop_idx, constants, values)
    return extra


def _crosswalk_from(path: Any, kwargs: dict) -> tuple[Any, _Crosswalk, Sequence[str] | None]:
    """Split a responses source (path, ``{"file": ..., crosswalk keys}``) and keyword arguments."""
    cw = _Crosswalk()
    missing = kwargs.get("missing_codes")
    if isinstance(path, dict):
        entry = dict(path)
        path = entry.pop("file", None)
        for k in CROSSWALK_KEYS:
            if k in entry and kwargs.get(k) is None:
                kwargs[k] = entry.pop(k)
        missing = kwargs.get("missing_codes")
    for k in ("columns", "values", "labels", "constants", "drop"):
        if kwargs.get(k) is not None:
            setattr(cw, k, kwargs[k])
    return path, cw, missing


def _stack_responses(frames: list[pd.DataFrame], names: list[str], inst) -> pd.DataFrame:
    """Stack frames read from several files; the same respondent and wave twice is an error."""
    seen: dict[tuple, str] = {}
    probs: list[Problem] = []
    for df, name in zip(frames, names):
        for rid, wv in zip(df["respondent_id"], df["wave"]):
            key = (rid, wv)
            if key in seen and seen[key] != name:
                probs.append(
                    Problem(
                        name,
                        f"respondent id '{rid}' in wave '{wv}' is also in {seen[key]}",
                        "keep each respondent's answers for a wave in one file, or correct "
                        "the ids (a constants: {wave: ...} per file keeps waves apart)",
                        column="respondent_id",
                    )
                )
            seen.setdefault(key, name)
    if probs:
        raise DataError(
            probs[:_CAP]
            + (
                [
                    Problem(
                        names[-1], f"{len(probs) - _CAP} more respondents appear in two files", probs[0].fix
                    )
                ]
                if len(probs) > _CAP
                else []
            )
        )
    cols = list(dict.fromkeys(c for df in frames for c in df.columns))
    out = pd.concat([df.reindex(columns=cols) for df in frames], ignore_index=True)
    if "n_dont_know" in out:
        out["n_dont_know"] = out["n_dont_know"].fillna(0).astype("int64")
    order = {w: k for k, w in enumerate(dict(inst.waves))}
    out["_w"] = out["wave"].map(order)
    out = out.sort_values(["_w", "school", "respondent_id"], kind="mergesort", key=id_sort_key).drop(
        columns="_w"
    )
    out = out.reset_index(drop=True)
    quality: dict[tuple, int] = {}
    for df in frames:
        for rec in df.attrs.get("quality", []):
            quality[(rec["stage"], rec["reason"])] = quality.get((rec["stage"], rec["reason"]), 0) + int(
                rec["rows"]
            )
    stage_order = {"read": 0, "excluded": 1, "used": 2, "dont_know": 3}
    recs = [{"stage": s, "rows": n, "reason": r} for (s, r), n in quality.items()]
    recs.sort(key=lambda d: stage_order.get(d["stage"], 9))
    out.attrs = {
        "instrument_version": str(inst.version),
        "source": ", ".join(names),
        "sha256": ", ".join(df.attrs.get("sha256", "") for df in frames),
        "quality": recs,
        "dropped_columns": list(
            dict.fromkeys(c for df in frames for c in df.attrs.get("dropped_columns", []))
        ),
        "input_format": "; ".join(df.attrs.get("input_format", "") for df in frames),
        "sources": [
            {"file": n, "sha256": df.attrs.get("sha256", ""), "rows": len(df)} for df, n in zip(frames, names)
        ],
    }
    return out


def response_files(value: Any) -> list[Path]:
    """The files behind a ``responses`` value of :func:`read_config` (a path, an entry or a list).

    Examples
    --------
    >>> [p.name for p in response_files([{"file": Path("a.csv")}, Path("b.csv")])]
    ['a.csv', 'b.csv']
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [p for v in value for p in response_files(v)]
    if isinstance(value, dict):
        return [Path(value["file"])] if value.get("file") is not None else []
    return [Path(value)]


# --------------------------------------------------------------------------- roster & schools


def _simple_table(
    raw: _Raw, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[_Collector, dict[str, int]]:
    P = _Collector(raw.file)
    keys = {_norm(c): c for c in list(required) + list(optional)}
    keys.update(
        {
            "schoolid": "school",
            "districtid": "district",
            "schoolname": "name",
            "ninvited": "invited",
            "numberinvited": "invited",
        }
    )
    idx: dict[str, int] = {}
    for j, h in enumerate(raw.header):
        t = keys.get(_norm(h))
        if t is None:
            continue
        if t in idx:
            P.col(f"column '{h}' appears twice", "delete or rename one of the two columns", column=h)
            continue
        idx[t] = j
    for c in required:
        if c not in idx:
            close = _close(c, [h for h in raw.header if h.strip()], n=1, cutoff=0.5)
            P.col(
                f"required column '{c}' is missing"
                + (f"; close match in the file: '{close[0]}'" if close else ""),
                f"add a column '{c}'" + (f" or rename '{close[0]}' to '{c}'" if close else ""),
                column=c,
            )
    return P, idx


def _rows_of(raw: _Raw, P: _Collector):
    width = len(raw.header)
    for row, rn in zip(raw.rows, raw.rownums):
        if not any(c.strip() for c in row):
            yield None, rn
            continue
        if len(row) < width:
            P.cell(
                "short row",
                f"the row has {len(row)} values but the header has {width} columns"
                + (": the file looks truncated" if rn == raw.rownums[-1] and raw.truncated_ok else ""),
                "export the file again completely, or fix this row",
                row=rn,
                column=raw.header[len(row)],
            )
            continue
        yield [c.strip() for c in row[:width]], rn


def _roster_record(
    raw: _Raw,
    row: list[str],
    rn: int,
    idx: dict[str, int],
    inst,
    role_map: dict[str, str],
    wave_map: dict[str, str],
    P: _Collector,
) -> dict[str, Any] | None:
    """One roster row checked and read, or None when it has a problem (reported to ``P``)."""
    rec: dict[str, Any] = {}
    bad = False
    for c in ("school", "district"):
        if c in idx:
            rec[c] = row[idx[c]]
            if not rec[c]:
                P.cell(f"blank {c}", f"the {c} is blank", f"fill in the {c} id", rn, raw.header[idx[c]])
                bad = True
    for c, mp, valid in (("role", role_map, dict(inst.roles)), ("wave", wave_map, dict(inst.waves))):
        if c in idx:
            val = row[idx[c]]
            rec[c] = mp.get(_key(val))
            if rec[c] is None:
                close = difflib.get_close_matches(_key(val), list(mp), n=1, cutoff=0.6)
                hint = f" (did you mean '{mp[close[0]]}'?)" if close and val else ""
                P.cell(
                    c,
                    f"the {c} is blank" if not val else f"{c} '{val}' is unknown{hint}",
                    "use one of: " + ", ".join(valid),
                    rn,
                    raw.header[idx[c]],
                )
                bad = True
    if "invited" in idx:
        val = row[idx["invited"]]
        num = _parse_number(val) if val else None
        if num is None or not float(num).is_integer() or num < 0:
            P.cell(
                "invited",
                f"invited '{val}' is not a non-negative whole number",
                "write how many staff were invited (0 or more)",
                rn,
                raw.header[idx["invited"]],
            )
            bad = True
        else:
            rec["invited"] = int(num)
    return None if bad else rec


def read_roster(path, instrument: Instrument | str | Path | None = None) -> pd.DataFrame:
    """Read a roster: how many staff were invited per school, role and wave.

    Parameters
    ----------
    path : str or Path
        CSV/XLSX/SAV with columns ``school, district, role, wave, invited`` (header matching
        is case- and spacing-tolerant; other columns are ignored).
    instrument : Instrument, str, Path or None
        For the valid role and wave ids (default: the bundled instrument).

    Returns
    -------
    DataFrame
        ``school, district, role, wave, invited`` (``invited`` int64), roles and waves
        normalised to ids, sorted by school, role, wave. ``attrs`` hold ``source`` and ``sha256``.

    Raises
    ------
    DataError
        Missing columns, blank cells, unknown role or wave, ``invited`` not a non-negative
        whole number, or the same school/role/wave twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "roster.csv").write_text(
    ...     "school,district,role,wave,invited\\nS01,D1,Teacher,Baseline,12\\n")
    >>> read_roster(folder / "roster.csv")
      school district     role      wave  invited
    0    S01       D1  teacher  baseline       12

    References
    ----------
    ``docs/input_layout.md``, section "Roster".
    """
    inst = resolve(instrument)
    raw = _read_raw(path, targets={_norm(c) for c in ROSTER_COLUMNS})
    P, idx = _simple_table(raw, ROSTER_COLUMNS)
    role_map, wave_map = _role_map(inst), _wave_map(inst)
    recs: list[dict] = []
    seen: dict[tuple, int] = {}
    for row, rn in _rows_of(raw, P):
        if row is None:
            continue
        rec = _roster_record(raw, row, rn, idx, inst, role_map, wave_map, P)
        if rec is None or len(rec) < 5:
            continue
        key = (rec["school"], rec["role"], rec["wave"])
        if key in seen:
            P.cell(
                "duplicate",
                f"school '{key[0]}', role '{key[1]}', wave '{key[2]}' appears twice "
                f"(first at row {seen[key]})",
                "keep one row per school, role and wave (add the counts together)",
                rn,
                raw.header[idx["school"]],
            )
            continue
        seen[key] = rn
        recs.append(rec)
    if not P and not recs:
        P.col(
            "the roster has column names but no data rows",
            "add one row per school, role and wave",
            row=raw.header_row + 1,
        )
    P.raise_if_any()
    df = pd.DataFrame(recs, columns=list(ROSTER_COLUMNS))
    df["invited"] = df["invited"].astype("int64")
    df = df.sort_values(["school", "role", "wave"], kind="mergesort", key=id_sort_key).reset_index(drop=True)
    df.attrs = {"source": raw.source or raw.file, "sha256": raw.sha256}
    return df


def read_schools(path) -> pd.DataFrame:
    """Read the list of schools: ``school, district, name``.

    Parameters
    ----------
    path : str or Path
        CSV/XLSX with columns ``school`` and ``district`` and optionally ``name``
        (defaults to the school id).

    Returns
    -------
    DataFrame
        ``school, district, name`` as text, sorted by school.

    Raises
    ------
    DataError
        Missing columns, blank ids, or a school listed twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "schools.csv").write_text("school,district,name\\nS02,D1,Elm\\nS01,D1,Oak\\n")
    >>> read_schools(folder / "schools.csv")
      school district name
    0    S01       D1  Oak
    1    S02       D1  Elm

    References
    ----------
    ``docs/input_layout.md``, section "Schools".
    """
    raw = _read_raw(path, targets={_norm(c) for c in SCHOOL_COLUMNS})
    P, idx = _simple_table(raw, ("school", "district"), ("name",))
    recs: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for row, rn in _rows_of(raw, P):
        if row is None:
            continue
        rec: dict[str, str] = {c: row[idx[c]] for c in ("school", "district") if c in idx}
        rec["name"] = row[idx["name"]] if "name" in idx and row[idx["name"]] else rec.get("school", "")
        bad = False
        for c in ("school", "district"):
            if c in rec and not rec[c]:
                P.cell(f"blank {c}", f"the {c} is blank", f"fill in the {c} id", rn, raw.header[idx[c]])
                bad = True
        if bad or len(rec) < 3:
            continue
        if rec["school"] in seen:
            P.cell(
                "duplicate",
                f"school '{rec['school']}' is listed twice (first at row {seen[rec['school']]})",
                "list each school once",
                rn,
                raw.header[idx["school"]],
            )
            continue
        seen[rec["school"]] = rn
        recs.append(rec)
    P.raise_if_any()
    df = pd.DataFrame(recs, columns=list(SCHOOL_COLUMNS))
    df = df.sort_values("school", kind="mergesort", key=id_sort_key).reset_index(drop=True)
    df.attrs = {"source": raw.source or raw.file, "sha256": raw.sha256}
    return df


# --------------------------------------------------------------------------- config

#: Keys accepted in study.yaml with their defaults. File keys are resolved against the
#: config's folder.
CONFIG_DEFAULTS: dict[str, Any] = StudyConfig.defaults()  # written once, in assetinv/config.py
_CONFIG_SCALARS = ("min_n", "min_response_rate", "seed", "precision", "release_ledger")
_CONFIG_FILE_KEYS = (
    "responses",
    "roster",
    "schools",
    "codings",
    "instrument",
    "interviews",
    "qdpx",
    "truth",
    "redact_names",
)


_CODINGS_KEYS = ("file", "codes", "cases", "allow_external")


def _codings_entry(value: Any, P: _Collector) -> tuple[Any, dict]:
    """``codings:`` as a file name, or ``{file, codes, cases, allow_external}``.

    Returns what :func:`_check_config_types` expects (the file name, or ``{file, allow_external}``)
    and the crosswalk (``codes``, ``cases``) for :func:`assetinv.read_codings`.
    """
    if not isinstance(value, dict):
        return value, {}
    for k in value:
        if k not in _CODINGS_KEYS:
            close = difflib.get_close_matches(str(k), _CODINGS_KEYS, n=1, cutoff=0.6)
            P.col(
                f"unknown key 'codings.{k}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                "use file, codes, cases and allow_external under 'codings:'",
                column="codings",
            )
    if not value.get("file"):
        P.col(
            "'codings' has no 'file'",
            "write the codings file under it, e.g. 'file: interviews/project.qdpx'",
            column="codings",
        )
    crosswalk = {k: value[k] for k in ("codes", "cases") if value.get(k) is not None}
    for k, v in crosswalk.items():
        if not isinstance(v, dict):
            P.col(
                f"'codings.{k}' must be a mapping of 'name: value' lines",
                'e.g. codes: {"Teacher collaboration": OS-PLC}'
                if k == "codes"
                else "e.g. cases: {school: School}",
                column="codings",
            )
    rest = {k: value[k] for k in ("file", "allow_external") if k in value}
    return (rest if "allow_external" in rest else value.get("file")), crosswalk


def read_config(path) -> dict:
    """Read and validate a study config (``study.yaml``).

    Parameters
    ----------
    path : str or Path
        The YAML file. File names in it are resolved against the config's own folder.

    Returns
    -------
    dict
        Every key of :data:`CONFIG_DEFAULTS` (defaults filled in: ``min_n=5``,
        ``min_response_rate=0.5``); file keys as absolute :class:`~pathlib.Path` or
        ``None`` (a default file name that does not exist becomes ``None``), plus
        ``folder`` (the config's folder) and ``config`` (its path).
        ``codings`` may be a file name or a mapping ``{file, codes, cases}``
        (the codings crosswalk); either way ``cfg["codings"]`` is the file and
        ``cfg["codings_crosswalk"]`` the keyword arguments for
        :func:`assetinv.read_codings` (``{}`` for a plain file name).

    Raises
    ------
    DataError
        YAML syntax errors (with the line), unknown keys (with the closest known key),
        bad values, or a named file that does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "responses.csv").write_text("x\\n")
    >>> _ = (folder / "study.yaml").write_text("responses: responses.csv\\nmin_n: 7\\n")
    >>> cfg = read_config(folder / "study.yaml")
    >>> cfg["min_n"], cfg["min_response_rate"], cfg["responses"].name
    (7, 0.5, 'responses.csv')

    References
    ----------
    ``docs/input_layout.md``, section "Study config".
    """
    import yaml

    path = Path(path)
    data = _read_bytes(path)
    name = _display(path)
    try:
        cfg = yaml.safe_load(data.decode("utf-8-sig")) if data.strip() else {}
    except UnicodeDecodeError:
        raise _err(name, "wrong encoding: the config is not UTF-8 text", "save it as UTF-8") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise _err(
            name,
            f"the YAML cannot be parsed ({getattr(err, 'problem', None) or err})",
            "fix the indentation/quotes on this line (YAML uses 'key: value' lines)",
            row=(mark.line + 1) if mark else None,
        ) from None
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, dict):
        raise _err(name, "the config must be a mapping of 'key: value' lines", "see docs/input_layout.md")
    P = _Collector(name)
    for k in cfg:
        if str(k) not in CONFIG_DEFAULTS:
            close = difflib.get_close_matches(str(k), list(CONFIG_DEFAULTS), n=1, cutoff=0.6)
            P.col(
                f"unknown key '{k}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                (f"rename it to '{close[0]}'" if close else "delete it")
                + "; known keys: "
                + ", ".join(CONFIG_DEFAULTS),
                column=str(k),
            )
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in CONFIG_DEFAULTS.items()}
    out.update({str(k): v for k, v in cfg.items()})
    folder = path.resolve().parent
    out["codings"], out["codings_crosswalk"] = _codings_entry(out.get("codings"), P)
    _check_config_types(out, cfg, folder, P)
    for k in _CONFIG_FILE_KEYS:
        v = out.get(k)
        if v is None or v == "":
            out[k] = None
            continue
        if k == "responses" and isinstance(v, (dict, list)):
            out[k] = _config_responses(v, folder, P)
            continue
        if not isinstance(v, str):
            P.col(f"'{k}' must be a file name", "write the file name relative to the config", column=k)
            continue
        if k == "instrument" and _is_instrument_version(v, folder):
            out[k] = v.strip()  # a bundled version such as "1.0.0"; load_instrument() takes it as is
            continue
        p = Path(v).expanduser()
        p = p if p.is_absolute() else folder / p
        if not p.exists():
            if k in cfg:
                P.col(
                    f"'{k}' names a file that does not exist: {p}",
                    "correct the file name (relative to the config's folder)",
                    column=k,
                )
            out[k] = None
        else:
            out[k] = p
    if out.get("out") is not None and isinstance(out["out"], str):
        p = Path(out["out"]).expanduser()
        out["out"] = p if p.is_absolute() else folder / p
    P.cols.extend(StudyConfig.problems({k: out[k] for k in _CONFIG_SCALARS}, name))  # typed in config.py
    if out["thresholds"] is None:
        out["thresholds"] = {}
    P.raise_if_any()
    out["folder"] = folder
    out["config"] = path.resolve()
    return out


def _config_responses(value: Any, folder: Path, P: _Collector) -> Any:
    """Check the ``responses:`` crosswalk entry (or list of entries) of a study config."""
    entries = value if isinstance(value, list) else [value]
    if not entries:
        P.col(
            "'responses' is an empty list",
            "list at least one file (or write responses: FILE)",
            column="responses",
        )
        return None
    out = []
    for n, e in enumerate(entries):
        where = f"responses[{n}]" if isinstance(value, list) else "responses"
        if isinstance(e, str):
            e = {"file": e}
        if not isinstance(e, dict):
            P.col(
                f"{where} must be a file name or a mapping with 'file:' and crosswalk keys",
                "see the crosswalk example in docs/input_layout.md",
                column=where,
            )
            continue
        entry: dict[str, Any] = {}
        for k, v in e.items():
            if k not in ("file",) + CROSSWALK_KEYS:
                close = difflib.get_close_matches(str(k), ("file",) + CROSSWALK_KEYS, n=1, cutoff=0.6)
                P.col(
                    f"{where} has an unknown key '{k}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                    (f"rename it to '{close[0]}'" if close else "delete it")
                    + "; the keys are: file, "
                    + ", ".join(CROSSWALK_KEYS),
                    column=f"{where}.{k}",
                )
                continue
            entry[k] = v
        f = entry.get("file")
        if not isinstance(f, str) or not f.strip():
            P.col(f"{where} has no 'file:'", f"add file: <the export> to {where}", column=f"{where}.file")
            continue
        p = Path(f).expanduser()
        p = p if p.is_absolute() else folder / p
        if not p.exists():
            P.col(
                f"'{where}.file' names a file that does not exist: {p}",
                "correct the file name (relative to the config's folder)",
                column=f"{where}.file",
            )
            continue
        entry["file"] = p
        for k in ("columns", "values", "labels", "constants"):
            if entry.get(k) is not None and not isinstance(entry[k], dict):
                P.col(
                    f"{where}.{k} must be a mapping of 'key: value' pairs",
                    f"write e.g. {k}: {{...}} as in docs/input_layout.md",
                    column=f"{where}.{k}",
                )
        for k in ("missing_codes", "drop"):
            v = entry.get(k)
            if v is not None and not isinstance(v, list):
                entry[k] = [v]
        if entry.get("missing_codes") is not None:
            # study.yaml's missing codes add to the defaults (blank cells stay missing)
            entry["missing_codes"] = _added_missing_codes(entry["missing_codes"])
        out.append(entry)
    return out if isinstance(value, list) else (out[0] if out else None)


#: Expected types of the non-file keys of study.yaml (files, min_n, min_response_rate and seed are
#: checked in read_config itself).
_CONFIG_TEXT_KEYS = ("title", "name", "description", "network", "baseline", "followup", "out")
#: File types a study.yaml file key may name (anything else is refused before it is opened).
_CONFIG_FILE_TYPES = {
    "responses": (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".sav", ".zsav"),
    "roster": (".csv", ".tsv", ".txt", ".xlsx", ".xlsm"),
    "schools": (".csv", ".tsv", ".txt", ".xlsx", ".xlsm"),
    "codings": (".csv", ".txt", ".xlsx", ".xlsm", ".qdpx"),
    "instrument": (".yaml", ".yml"),
    "interviews": (".csv", ".txt", ".xlsx", ".xlsm", ".qdpx"),
    "qdpx": (".qdpx",),
    "truth": (".json",),
    "redact_names": (".txt", ".csv"),
}


def _is_instrument_version(value: str, folder: Path, P: _Collector | None = None) -> bool:
    """Whether study.yaml's ``instrument:`` names a bundled version ("2.0.0") rather than a file.

    A value shaped like a version that is no bundled version, and no file either, is reported
    (when ``P`` is given) with the versions there are.
    """
    from .instrument import _VERSION_RE, available_versions

    v = value.strip()
    if not _VERSION_RE.match(v) or (folder / v).exists():
        return False
    if v in available_versions():
        return True
    if P is not None:
        P.col(
            f"'instrument' names version {v}, but no bundled instrument has that version",
            f"use one of {', '.join(available_versions())}, or the path of an instrument .yaml file",
            column="instrument",
        )
        return True
    return False


def _type_name(v: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(v), type(v).__name__)


#: The names ``thresholds:`` in study.yaml may set (the report pipeline passes each to its analysis:
#: scoring's asset / growth-area cut-offs and the reliability verdicts, DEFAULT_THRESHOLDS).
_THRESHOLD_NAMES = (
    "asset_at",
    "growth_below",
    "min_diff",
    "level",
    "alpha_good",
    "alpha_adequate",
    "icc2_dependable",
)


def _check_config_types(out: dict, cfg: dict, folder: Path, P: _Collector) -> None:
    """Check the type of every key of study.yaml; name the key and the expected type.

    Also unpacks ``codings: {file: FILE, allow_external: FOLDER}`` into ``out["codings"]`` and
    ``out["codings_allow_external"]`` (a resolved folder, or None), and refuses a file key that
    names something other than a regular file of the expected type before anything reads it, so
    that no message can quote a file that is not a data input (e.g. ``responses: /etc/passwd``).
    """
    _check_codings_entry(out, folder, P)
    _check_config_text_keys(out, P)
    _check_config_waves(out, P)
    _check_config_thresholds(out, P)
    _check_config_files(out, cfg, folder, P)


def _check_codings_entry(out: dict, folder: Path, P: _Collector) -> None:
    """Unpack ``codings: {file: FILE, allow_external: FOLDER}`` (see :func:`_check_config_types`)."""
    out["codings_allow_external"] = None
    cod = out.get("codings")
    if isinstance(cod, dict):
        extra = sorted(str(k) for k in cod if str(k) not in ("file", "allow_external"))
        if extra:
            P.col(
                f"'codings' has unknown key(s) {', '.join(extra)}",
                "use 'codings: {file: FILE, allow_external: FOLDER}'",
                column="codings",
            )
        out["codings"] = cod.get("file")
        _check_allow_external(cod.get("allow_external"), out, folder, P)


def _check_allow_external(allow, out: dict, folder: Path, P: _Collector) -> None:
    """``codings.allow_external``: an existing folder, resolved into ``out["codings_allow_external"]``."""
    if allow is None:
        return
    if not isinstance(allow, str) or not allow.strip():
        P.col(
            f"'codings.allow_external' must be a folder name (text), not {_type_name(allow)}",
            "e.g. 'allow_external: transcripts'",
            column="codings",
        )
    else:
        q = Path(allow).expanduser()
        q = (q if q.is_absolute() else folder / q).resolve()
        if not q.is_dir():
            P.col(
                f"'codings.allow_external' names a folder that does not exist: {q}",
                "create the folder or correct its name (relative to the config's folder)",
                column="codings",
            )
        else:
            out["codings_allow_external"] = q


def _check_config_text_keys(out: dict, P: _Collector) -> None:
    """The keys that hold one line of text."""
    for k in _CONFIG_TEXT_KEYS:
        v = out.get(k)
        if v is not None and not isinstance(v, str):
            P.col(
                f"'{k}' must be text, not {_type_name(v)} (got {str(v)[:40]!r})",
                f"write it as one line, e.g. '{k}: ...' (quote it if it looks like a number)",
                column=k,
            )


def _check_config_waves(out: dict, P: _Collector) -> None:
    """``waves``: a list of wave ids, or a mapping of wave id: label."""
    w = out.get("waves")
    if w is not None:
        ok = (isinstance(w, list) and all(isinstance(x, str) for x in w)) or (
            isinstance(w, dict) and all(isinstance(x, str) for x in list(w) + list(w.values()))
        )
        if not ok:
            P.col(
                f"'waves' must be a list of wave ids (or a mapping of wave id: label), not {_type_name(w)}",
                "e.g. 'waves: [baseline, followup]'",
                column="waves",
            )


def _check_config_thresholds(out: dict, P: _Collector) -> None:
    """``thresholds``: a mapping of known names (:data:`_THRESHOLD_NAMES`) to numbers."""
    th = out.get("thresholds")
    if isinstance(th, dict):
        for name, val in th.items():
            if str(name) not in _THRESHOLD_NAMES:  # a misspelt name would be ignored without a word
                P.col(
                    f"unknown threshold '{str(name)[:40]}'",
                    "use one of " + ", ".join(_THRESHOLD_NAMES),
                    column="thresholds",
                )
            elif isinstance(val, bool) or not isinstance(val, (int, float)):
                P.col(
                    f"thresholds.{name} must be a number, not {_type_name(val)}",
                    f"e.g. '{name}: 0.7' under 'thresholds:'",
                    column="thresholds",
                )
    elif th is not None:
        P.col(
            f"'thresholds' must be a mapping of 'name: number' lines, not {_type_name(th)}",
            "indent them under 'thresholds:'",
            column="thresholds",
        )


def _check_config_files(out: dict, cfg: dict, folder: Path, P: _Collector) -> None:
    """File keys name a regular file of the expected type (else blanked, so nothing opens or quotes it)."""
    for k, types in _CONFIG_FILE_TYPES.items():
        v = out.get(k)
        if not isinstance(v, str) or not v or k not in cfg:
            continue
        if k == "instrument" and _is_instrument_version(v, folder, P):
            if not _is_instrument_version(v, folder):
                out[k] = ""  # reported: no such bundled version
            continue
        q = Path(v).expanduser()
        q = q if q.is_absolute() else folder / q
        if q.suffix.lower() not in types:
            P.col(
                f"'{k}' must name a {' / '.join(types)} file, not a '{q.suffix or 'no extension'}' file",
                f"point '{k}' at the data file (relative to the config's folder)",
                column=k,
            )
            out[k] = ""  # not opened, not quoted
        elif q.exists() and not q.is_file():
            P.col(
                f"'{k}' names something that is not a regular file", f"point '{k}' at the data file", column=k
            )
            out[k] = ""


# --------------------------------------------------------------------------- validate


def _guess_kind(path: Path) -> str:
    if path.suffix.lower() in (".qdpx", ".qdc"):
        return "codings"
    if path.suffix.lower() in (".yaml", ".yml"):
        return "config"
    raw = _read_raw(
        path, targets={"code", "coder", "excerptid", "invited"} | {_norm(c) for c in REQUIRED_COLUMNS}
    )
    keys = {_norm(h) for h in raw.header}
    if "invited" in keys or "ninvited" in keys:
        return "roster"
    if "code" in keys and ({"coder", "excerptid", "interviewid"} & keys):
        return "codings"
    if "name" in keys and "school" in keys and "role" not in keys and "respondentid" not in keys:
        return "schools"
    # a roster that lacks 'invited': the id fields, but no respondent id and no answers
    if (
        {"school", "role", "wave"} <= keys
        and not ({"respondentid", "responseid"} & keys)
        and not any(re.fullmatch(r"[a-z]{2}\d{2}", k) for k in keys)
        and len(keys) <= 6
    ):
        return "roster"
    return "responses"


def validate_file(
    path, instrument: Instrument | str | Path | None = None, kind: str = "auto"
) -> list[Problem]:
    """Check one input file and return every problem found (empty list = OK).

    Used by ``assetinv validate FILE``. Never raises for bad input and never modifies
    the file.

    Parameters
    ----------
    path : str or Path
        Survey export, roster, school list, codings file or study config.
    instrument : Instrument, str, Path or None
        Default: the ``instrument:`` of a ``study.yaml`` in the file's folder (the file is
        checked as the study would read it), else the bundled instrument.
    kind : {"auto", "responses", "roster", "schools", "codings", "config"}
        What the file holds; "auto" guesses from the extension and the column names
        (``invited`` → roster; ``code`` with ``coder``/``excerpt_id`` → codings;
        ``school`` + ``name`` → schools; otherwise responses).

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "roster.csv").write_text(
    ...     "school,district,role,wave,invited\\nS01,D1,teacher,baseline,-3\\n")
    >>> [str(p) for p in validate_file(folder / "roster.csv")]  # doctest: +NORMALIZE_WHITESPACE
    ["file roster.csv, row 2, column 'invited': invited '-3' is not a non-negative whole number.
      Fix: write how many staff were invited (0 or more)"]

    References
    ----------
    ``docs/input_layout.md``.
    """
    p = Path(path)
    found: list[Problem] = []
    if instrument is None and kind != "config" and p.suffix.lower() != ".yaml":
        instrument, found = _instrument_beside(p)
    return found + _validate_one(p, instrument, kind)


def _instrument_beside(p: Path) -> tuple[str | Path | None, list[Problem]]:
    """The instrument named by the ``study.yaml`` in the file's folder, as the study would read the file.

    Returns ``(instrument, problems)``: ``(None, [])`` without a study.yaml or without an
    ``instrument:`` key (the bundled instrument); the config's problems when it does not validate
    (the file is then checked against the instrument it still names, else the bundled one, and the
    problems say which).
    """
    cfg_path = p.parent / "study.yaml"
    if not cfg_path.is_file():
        return None, []
    try:
        return read_config(cfg_path).get("instrument"), []
    except DataError as err:
        named = _named_instrument(cfg_path)  # a config with other problems may still name it
        what = f"instrument {named}, which it names" if named else "the bundled instrument"
        note = f"{p.name} was checked against {what}; the study config has this problem"
        return named, [Problem(q.file, f"{q.message} ({note})", q.fix, q.row, q.column) for q in err.problems]


def _named_instrument(cfg_path: Path) -> str | None:
    """``instrument:`` of a study.yaml that does not validate as a whole, if it parses and names one."""
    import yaml

    try:
        cfg = yaml.safe_load(_read_bytes(cfg_path).decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError, DataError):
        return None
    v = cfg.get("instrument") if isinstance(cfg, dict) else None
    return v.strip() if isinstance(v, str) and v.strip() else None


def _validate_one(p: Path, instrument, kind: str) -> list[Problem]:
    """:func:`validate_file` of one file against a known instrument."""
    try:
        if kind == "auto":
            kind = _guess_kind(p)
        if kind == "responses":
            read_responses(p, instrument)
        elif kind == "roster":
            read_roster(p, instrument)
        elif kind == "schools":
            read_schools(p)
        elif kind == "config":
            read_config(p)
        elif kind == "codings":
            from .codings_check import validate_codings

            inst = resolve(instrument)
            res = validate_codings(p, inst)
            return list(res or [])
        else:
            return [
                Problem(
                    p.name,
                    f"unknown kind '{kind}'",
                    "use one of: auto, responses, roster, schools, codings, config",
                )
            ]
    except DataError as err:
        if err.problems:
            return list(err.problems)
        return [Problem(p.name, str(err), "see docs/input_layout.md")]
    except Exception as err:  # never a bare traceback from `assetinv validate`
        return [
            Problem(
                p.name,
                f"the file could not be read ({type(err).__name__}: {err})",
                "check that it is a CSV, XLSX or SAV export; see docs/input_layout.md",
            )
        ]
    return []
