"""Regenerate the bad-input corpus in ``tests/bad_inputs/`` (a developer script).

Run ``python tests/make_bad_inputs.py`` from the repository root. The output is
deterministic (seeded values, fixed timestamps inside XLSX and SAV files), so a
re-run gives the same bytes and ``git diff`` stays empty. The corpus files are
committed; ``tests/test_bad_inputs.py`` reads ``tests/bad_inputs/MANIFEST.csv``,
which this script writes too.

The corpus is written for instrument 2.0.0, the package default: the item ids, role
forms, answer scales (agree, frequency, count, share) and the "Don't know / Not applicable"
option (code 9) are taken from ``assetinv.load_instrument("2.0.0")`` when the script
runs, never typed by hand. A valid row answers only the items on its role's form
(a teacher the teacher form, a leader the leader form, district staff the district
form; every other item cell is empty), each on the item's own scale, with a few
Don't know answers. These files are read with the default instrument.

``tests/bad_inputs/v1/`` keeps a few files of the earlier corpus, written with the
instrument 1.0.0 items (EX01..OS08, one agreement scale, no role forms); their
manifest rows say ``instrument`` ``1.0.0`` and the tests read them with that
instrument named explicitly, to show that 1.0.0 files still get the same errors.

Every file holds one real-world fault. ``expect`` is ``loads`` (the documented
behaviour is to read it, see ``docs/input_layout.md``) or ``error`` (a
``DataError`` whose message contains every ``|``-separated substring in
``contains``). For ``loads`` rows, ``rows`` is the expected row count,
``excluded`` the number of rows excluded in the data-quality table, ``dont_know``
the number of Don't-know answers (stage ``dont_know`` of the data-quality table and
the sum of ``n_dont_know``; blank under 1.0.0, which has no such option) and
``checks`` a ``;``-separated list of ``respondent_id|wave|column=value``. The
expected values are computed here from the cells written and the documented rules,
not from what the reader returns.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
from pathlib import Path

import numpy as np
from _support import pin_zip

import assetinv

HERE = Path(__file__).resolve().parent
OUT = HERE / "bad_inputs"

INST = assetinv.load_instrument("2.0.0")
VERSION = str(INST.version)
ITEMS = INST.item_ids()
ROLES = list(INST.roles)
FORM = {r: INST.item_ids(role=r) for r in ROLES}  # the items each role's form asks
SCALE = {it: INST.item_scale(it) for it in ITEMS}
(DK_CODE,) = {SCALE[it].dont_know_code for it in ITEMS}  # 9 on every scale
(DK_LABEL,) = {SCALE[it].dont_know_label for it in ITEMS}
ID_COLS = ["respondent_id", "school", "district", "role", "wave"]
HEAD = ID_COLS + ITEMS
COL = {c: k for k, c in enumerate(HEAD)}

# docs/input_layout.md: the usual wordings of the Don't-know option (read as that option under
# 2.0.0); "N/A" and "NA" stay missing codes, since exports also write them for a skipped question
DK_WORDINGS = {"don't know", "do not know", "dk", "not applicable", "does not apply"}
# the documented default missing codes (read as NaN, not counted as Don't know under 2.0.0)
MISSING = {"n/a", "na", "don't know", "dont know", "dk", "prefer not to say", "-99", "-9", ""}

MANIFEST: list[dict] = []


def _key(v) -> str:
    return " ".join(str(v).replace("\u2019", "'").split()).lower()


def is_dk(v) -> bool:
    """True when a cell is the Don't-know option as documented (its code, its label or a usual wording)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == DK_CODE
    k = _key(v)
    if k in DK_WORDINGS or k == _key(DK_LABEL):
        return True
    try:
        return float(k.replace(",", ".")) == DK_CODE
    except ValueError:
        return False


def n_dk(row) -> int:
    return sum(is_dk(v) for v in row[len(ID_COLS) : len(ID_COLS) + len(ITEMS)])


def base(n: int = 12, seed: int = 1, wave: str = "baseline", prefix: str = "T") -> list[list]:
    """n valid rows on the role forms: ids T001.., two leaders, two district staff, the rest teachers.

    Teachers and leaders are at school S01 (first half) or S02; district staff give their district's
    id as the school (as the bundled sample does). Each row answers the items on its role's form,
    a random point 1..5 of the item's scale or (about one answer in 16) the Don't-know code;
    the cells of the other items are empty.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        role = "leader" if i in (0, n // 2) else "district" if i in (n // 2 - 1, n - 1) else "teacher"
        school = "D1" if role == "district" else "S01" if i < n // 2 else "S02"
        vals = rng.integers(1, 6, size=len(ITEMS))
        dk = rng.random(len(ITEMS)) < 1 / 16
        form = set(FORM[role])
        cells = [
            (DK_CODE if d else int(v)) if it in form else "" for it, v, d in zip(ITEMS, vals, dk, strict=True)
        ]
        rows.append([f"{prefix}{i + 1:03d}", school, "D1", role, wave] + cells)
    return rows


def copy(rows) -> list[list]:
    return [r[:] for r in rows]


def pick(row, k: int = 0, scale: str | None = None, exclude=()) -> str:
    """The k-th item on the row's form (of ``scale``, if given) that holds an answer 1..5, not Don't know."""
    its = [
        it
        for it in FORM[row[3]]
        if (scale is None or SCALE[it].id == scale)
        and isinstance(row[COL[it]], int)
        and not is_dk(row[COL[it]])
        and it not in exclude
    ]
    return its[k]


def off_form(role: str, other: str) -> str:
    """The first item on the ``other`` role's form that is not on ``role``'s form."""
    return next(it for it in FORM[other] if it not in FORM[role])


def as_text(rows, head=HEAD, delim=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    w.writerow(head)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def put(
    name: str,
    data: bytes | str,
    *,
    kind: str = "responses",
    fault: str,
    expect: str,
    contains: list[str] | None = None,
    rows: int | None = None,
    excluded: int | None = None,
    dont_know: int | None = None,
    checks: list[str] | None = None,
    encoding: str = "utf-8",
    instrument: str = VERSION,
) -> None:
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode(encoding)
    path.write_bytes(data)
    MANIFEST.append(
        {
            "file": name,
            "instrument": instrument,
            "kind": kind,
            "fault": fault,
            "expect": expect,
            "contains": " | ".join(contains or []),
            "rows": "" if rows is None else rows,
            "excluded": "" if excluded is None else excluded,
            "dont_know": "" if dont_know is None else dont_know,
            "checks": "; ".join(checks or []),
        }
    )


def chk(rows, i, col) -> str:
    """A check of one cell as the documented reading of what was written (blank/Don't know -> nan)."""
    r = rows[i]
    v = r[COL[col]]
    if col in ITEMS:
        v = "nan" if v is None or is_dk(v) or _key(v) in MISSING else int(v)
    return f"{r[0]}|{r[4]}|{col}={v}"


def chk_dk(rows, i) -> str:
    r = rows[i]
    return f"{r[0]}|{r[4]}|n_dont_know={n_dk(r)}"


def dk_total(rows) -> int:
    return sum(n_dk(r) for r in rows)


# ------------------------------------------------------------------ deterministic binaries

_FIXED_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def xlsx_bytes(wb) -> bytes:
    """Save an openpyxl workbook with fixed timestamps (same bytes on every run)."""
    import datetime

    stamp = datetime.datetime(2020, 1, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "assetinv tests"
    buf = io.BytesIO()
    wb.save(buf)
    return pin_zip(buf.getvalue(), _FIXED_ZIP_DATE)


def sav_bytes(df, **kw) -> bytes:
    """Write an SPSS file with pyreadstat and pin the creation date/time in its header."""
    import tempfile

    import pyreadstat

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "x.sav"
        pyreadstat.write_sav(df, str(p), **kw)
        data = bytearray(p.read_bytes())
    # header: rec_type(4) prod_name(60) layout_code(4) nominal_case_size(4) compression(4)
    # weight_index(4) ncases(4) bias(8) creation_date(9) creation_time(8)
    data[92:101] = b"01 Jan 20"
    data[101:109] = b"00:00:00"
    return bytes(data)


def xl(rows) -> list[list]:
    """Rows for a worksheet: empty (off-form) cells are empty cells, not empty strings."""
    return [[None if v == "" else v for v in r] for r in rows]


def label_of(it: str, v) -> str:
    """The answer label of a cell on the item's own scale (Don't know: the option's label)."""
    if v == "":
        return ""
    return DK_LABEL if is_dk(v) else SCALE[it].labels[int(v)]


# ------------------------------------------------------------------ Qualtrics metadata

QMETA = [
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
]
QTEXT = [
    "Start Date",
    "End Date",
    "Response Type",
    "IP Address",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "Recorded Date",
    "Response ID",
    "Recipient Last Name",
    "Recipient First Name",
    "Recipient Email",
    "External Data Reference",
    "Location Latitude",
    "Location Longitude",
    "Distribution Channel",
    "User Language",
]
QIMPORT = [
    '{"ImportId":"startDate","timeZone":"America/Denver"}',
    '{"ImportId":"endDate","timeZone":"America/Denver"}',
    '{"ImportId":"status"}',
    '{"ImportId":"ipAddress"}',
    '{"ImportId":"progress"}',
    '{"ImportId":"duration"}',
    '{"ImportId":"finished"}',
    '{"ImportId":"recordedDate","timeZone":"America/Denver"}',
    '{"ImportId":"_recordId"}',
    '{"ImportId":"recipientLastName"}',
    '{"ImportId":"recipientFirstName"}',
    '{"ImportId":"recipientEmail"}',
    '{"ImportId":"externalDataReference"}',
    '{"ImportId":"locationLatitude"}',
    '{"ImportId":"locationLongitude"}',
    '{"ImportId":"distributionChannel"}',
    '{"ImportId":"userLanguage"}',
]


# ------------------------------------------------------------------ the 2.0.0 corpus


def make() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    make_v2()
    make_v1()
    with open(OUT / "MANIFEST.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(MANIFEST[0]), lineterminator="\n")
        w.writeheader()
        for rec in sorted(MANIFEST, key=lambda r: r["file"]):
            w.writerow(rec)


def make_v2() -> None:
    import openpyxl
    import pandas as pd

    B = base()
    assert 4 <= dk_total(B) <= 40, "the base rows should hold some Don't know answers"
    T, L, D = 2, 0, 11  # a teacher, a leader and a district row of the base
    assert (B[T][3], B[L][3], B[D][3]) == ("teacher", "leader", "district")

    # --- delimiters and encodings
    rows = copy(B)
    head = HEAD + ["duration_sec"]
    for k, r in enumerate(rows):
        r.append(f"{300 + k},5")
    put(
        "semicolon_decimal_comma.csv",
        as_text(rows, head, ";"),
        fault="semicolon-delimited European CSV with decimal commas (duration_sec '300,5')",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 0, pick(B[0])), "T002|baseline|duration_sec=301.5", chk_dk(B, 1)],
    )
    put(
        "tab_delimited.tsv",
        as_text(B, delim="\t"),
        fault="tab-delimited text export",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[
            chk(B, 3, FORM["teacher"][-1]),
            chk(B, 3, [it for it in ITEMS if it not in FORM["teacher"]][-1]),
        ],
    )
    put(
        "pipe_delimited.txt",
        as_text(B, delim="|"),
        fault="pipe-delimited text export",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 5, pick(B[5], 3)), chk_dk(B, 5)],
    )
    put(
        "utf16le_excel_unicode_text.txt",
        codecs.BOM_UTF16_LE + as_text(B, delim="\t").encode("utf-16-le"),
        fault="Excel 'Unicode text' export: UTF-16 LE with BOM, tab-delimited",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, D, pick(B[D], 1))],
    )
    put(
        "utf16be_bom.txt",
        codecs.BOM_UTF16_BE + as_text(B, delim="\t").encode("utf-16-be"),
        fault="UTF-16 BE with BOM, tab-delimited",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 1, pick(B[1], 1))],
    )
    put(
        "utf8_bom.csv",
        codecs.BOM_UTF8 + as_text(B).encode("utf-8"),
        fault="UTF-8 with BOM (Excel 'CSV UTF-8')",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 0, pick(B[0])), chk_dk(B, 0)],
    )
    rows = copy(B)
    names = {"S01": "École Sainte-Thérèse", "S02": "Colégio São João"}
    for r in rows:
        r[1] = names.get(r[1], r[1])
    put(
        "latin1_accented_schools.csv",
        as_text(rows),
        encoding="latin-1",
        fault="Latin-1 (ISO-8859-1) CSV with accented school names",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(rows, 0, "school"), chk(rows, 10, "school")],
    )
    rows = copy(B)
    it = pick(rows[T], 4)
    rows[T][COL[it]] = "Don\u2019t know"
    put(
        "cp1252_curly_apostrophe.csv",
        as_text(rows),
        encoding="cp1252",
        fault="Windows-1252 CSV with a curly apostrophe in \u201cDon\u2019t know\u201d",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(rows),
        checks=[chk(rows, T, it), chk_dk(rows, T), chk(B, T, pick(B[T], 5))],
    )
    rng = np.random.default_rng(99)
    garbage = bytes(rng.integers(0, 256, size=2048, dtype=np.uint8))
    put(
        "binary_garbage.csv",
        garbage,
        fault="binary garbage with a .csv name",
        expect="error",
        contains=["binary_garbage.csv", "wrong encoding", "UTF-8"],
    )
    text = as_text(B).encode("utf-8")
    cut = text.index(b"T004")
    put(
        "nul_bytes_in_utf8.csv",
        text[:cut] + b"\x00\x00\x00" + text[cut:],
        fault="UTF-8 CSV with stray NUL bytes (damaged copy)",
        expect="error",
        contains=["nul_bytes_in_utf8.csv", "wrong encoding", "UTF-8"],
    )
    put(
        "legacy_xls.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        fault="old binary Excel 97-2003 .xls workbook",
        expect="error",
        contains=["legacy_xls.xls", ".xls", "save it as .xlsx"],
    )
    put(
        "csv_named_xlsx.xlsx",
        as_text(B),
        fault="a CSV file renamed to .xlsx",
        expect="error",
        contains=["csv_named_xlsx.xlsx", "not an Excel workbook", "save it again"],
    )

    # --- empty, header only, truncated
    put(
        "empty_0_bytes.csv",
        b"",
        fault="empty file (0 bytes)",
        expect="error",
        contains=["empty_0_bytes.csv", "empty", "export"],
    )
    put(
        "header_only.csv",
        as_text([]),
        fault="header row only, no data rows",
        expect="error",
        contains=["header_only.csv", "row 2", "no data rows", "export"],
    )
    text = as_text(B)
    last = text.rstrip().rindex("\n") + 1
    put(
        "truncated_final_row.csv",
        text[: last + (len(text) - last) // 2],
        fault="file cut off in the last row (truncated download)",
        expect="error",
        contains=["truncated_final_row.csv", "row 13", "truncated", "export the file again"],
    )
    text = as_text(B)
    last = text.rstrip().rindex("\n") + 1
    r = B[-1]
    text = text[:last] + f'{r[0]},"{r[1]}, North campus,{r[2]},{r[3]},{r[4]},' + ",".join(map(str, r[5:12]))
    put(
        "unterminated_quote.csv",
        text,
        fault="truncated inside a quoted value (quote never closes)",
        expect="error",
        contains=[
            "unterminated_quote.csv",
            "row 13",
            "column 'school'",
            "quote mark opens a value",
            "export the file again",
        ],
    )

    # --- headers
    head = [" Respondent ID ", "SCHOOL", "District", " role", "Wave "] + [
        f"{i[:2].lower()} {i[2:]}" if k % 2 else i.lower() for k, i in enumerate(ITEMS)
    ]
    spaced = ITEMS[1]  # written 'ex 10'
    put(
        "headers_case_spacing.csv",
        as_text(B, head),
        fault=f"column names in other case and spacing ('Respondent ID', 'SCHOOL', "
        f"'{spaced[:2].lower()} {spaced[2:]}')",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 0, spaced), chk(B, 4, pick(B[4], 7))],
    )
    head = HEAD[:]
    head[1] = "site"
    put(
        "missing_school_column.csv",
        as_text(B, head),
        fault="required column 'school' missing (called 'site')",
        expect="error",
        contains=["missing_school_column.csv", "column 'school'", "missing", "add a column"],
    )
    first = ITEMS[0]  # EX09, written without its zero
    short = first[:2] + first[2:].lstrip("0")
    head = HEAD[:]
    head[COL[first]] = short
    put(
        f"renamed_item_{short}.csv",
        as_text(B, head),
        fault=f"item renamed '{short}' instead of '{first}'",
        expect="error",
        contains=[f"renamed_item_{short}.csv", f"column '{short}'", f"did you mean '{first}'", "rename"],
    )
    rows = [r + [3 if r[3] == "teacher" else ""] for r in B]
    put(
        "extra_item_EX99.csv",
        as_text(rows, HEAD + ["EX99"]),
        fault="extra unknown item 'EX99'",
        expect="error",
        contains=["extra_item_EX99.csv", "column 'EX99'", "not an item", "delete it"],
    )
    rows = [r[:-1] for r in B]
    put(
        "missing_item_column.csv",
        as_text(rows, HEAD[:-1]),
        fault=f"item column {ITEMS[-1]} missing",
        expect="error",
        contains=["missing_item_column.csv", f"column '{ITEMS[-1]}'", ITEMS[-1], "add the column"],
    )
    rows = [r + [f"note {k}"] for k, r in enumerate(B)]
    put(
        "unknown_extra_column.csv",
        as_text(rows, HEAD + ["Comments"]),
        fault="an unknown free-text column 'Comments'",
        expect="error",
        contains=["unknown_extra_column.csv", "column 'Comments'", "unknown column", "keep_extra=True"],
    )
    rows = [r + [r[COL[first]]] for r in B]
    put(
        "duplicate_column.csv",
        as_text(rows, HEAD + [first]),
        fault=f"item column {first} twice",
        expect="error",
        contains=["duplicate_column.csv", f"column '{first}'", "appears twice", "delete or rename"],
    )
    rows = [r[:4] + r[5:] for r in B]
    put(
        "missing_wave_column.csv",
        as_text(rows, HEAD[:4] + HEAD[5:]),
        fault="single-wave export without a 'wave' column",
        expect="error",
        contains=["missing_wave_column.csv", "column 'wave'", "missing", "waves="],
    )

    # --- values
    rows = copy(B)
    it = pick(rows[T], 2, "agree")
    rows[T][COL[it]] = 6
    put(
        "out_of_scale_6.csv",
        as_text(rows),
        fault="out-of-scale value 6",
        expect="error",
        contains=[
            "out_of_scale_6.csv",
            f"row {T + 2}",
            f"column '{it}'",
            "'6'",
            "outside the scale",
            "whole number from 1 to 5",
        ],
    )
    rows = copy(B)
    it = pick(rows[7], 0, "count")
    rows[7][COL[it]] = 0
    put(
        "out_of_scale_0.csv",
        as_text(rows),
        fault="out-of-scale value 0 (0-based coding)",
        expect="error",
        contains=["out_of_scale_0.csv", "row 9", f"column '{it}'", "'0'", "1 to 5"],
    )
    rows = copy(B)
    it = pick(rows[4], 1, "frequency")
    rows[4][COL[it]] = 3.5
    put(
        "half_point_3_5.csv",
        as_text(rows),
        fault="non-integer value 3.5",
        expect="error",
        contains=["half_point_3_5.csv", "row 6", f"column '{it}'", "'3.5'", "whole number"],
    )
    rows = copy(B)
    many = 0
    for r in rows:
        for it in FORM[r[3]][:20]:
            r[COL[it]] = 7
            many += 1
    put(
        "out_of_scale_many.csv",
        as_text(rows),
        fault=f"{many} out-of-scale cells (7 on a 1-5 scale, the first 20 items of each form)",
        expect="error",
        contains=[
            "out_of_scale_many.csv",
            "row 2",
            f"column '{FORM[rows[0][3]][0]}'",
            f"{many - 20} more cells",
            "whole number from 1 to 5",
        ],
    )
    rows = copy(B)
    a, b = rows[1], rows[3]
    written = {
        (1, pick(a, 0)): "Don't know",
        (1, pick(a, 1)): "N/A",
        (1, pick(a, 2)): "",
        (3, pick(b, 0)): "-99",
        (3, pick(b, 1)): "dk",
        (3, pick(b, 2)): "Prefer not to say",
    }
    for (i, it), v in written.items():
        rows[i][COL[it]] = v
    put(
        "dont_know_na_blank.csv",
        as_text(rows),
        fault="'Don't know', 'N/A', 'dk', -99, 'Prefer not to say' and blank answers",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(rows),
        checks=[chk(rows, i, it) for i, it in written]
        + [chk_dk(rows, 1), chk_dk(rows, 3), chk(B, 1, pick(B[1], 3))],
    )
    rows = copy(B)
    for k, r in enumerate(rows):
        for j, it in enumerate(ITEMS):
            lab = label_of(it, r[COL[it]])
            r[COL[it]] = lab.upper() if (k + j) % 3 == 0 else f"  {lab.lower()} " if (k + j) % 3 == 1 else lab
    it0 = pick(B[0], 0, "agree")
    rows[0][COL[it0]] = "  strongly AGREE "
    itf = pick(B[5], 0, "frequency") if "frequency" in {SCALE[i].id for i in FORM[B[5][3]]} else pick(B[5], 0)
    itc = pick(B[9], 0, "count")
    its = pick(B[6], 0, "share")  # a leader: the share scale is the leader form's
    put(
        "labels_mixed_case_spaces.csv",
        as_text(rows),
        fault="text labels of each item's own scale (agree, frequency, count, share, Don't know) in mixed case "
        "with extra spaces",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[f"T001|baseline|{it0}=5", chk(B, 5, itf), chk(B, 9, itc), chk(B, 6, its), chk_dk(B, 9)],
    )
    rows = copy(B)
    for r in rows:
        for j, it in enumerate(ITEMS):
            v = r[COL[it]]
            if v != "":
                r[COL[it]] = [f"{v}", f" {v} ", f"{v}.0"][j % 3]
    put(
        "numbers_as_text_csv.csv",
        as_text(rows),
        fault="numbers written as text with spaces and '.0' (' 4 ', '4.0', Don't know as '9.0')",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 0, ITEMS[1]), chk(B, 0, ITEMS[2]), chk_dk(B, 4)],
    )

    # --- ids, roles, waves
    rows = copy(B)
    rows[6][0] = rows[2][0]
    put(
        "duplicate_id_within_wave.csv",
        as_text(rows),
        fault="the same respondent id twice in one wave",
        expect="error",
        contains=[
            "duplicate_id_within_wave.csv",
            "row 8",
            "column 'respondent_id'",
            rows[2][0],
            "more than once",
            "delete the duplicate",
        ],
    )
    F = base(seed=2, wave="followup")
    put(
        "same_id_across_waves.csv",
        as_text(B + F),
        fault="the same respondent ids at baseline and follow-up (a linked panel)",
        expect="loads",
        rows=24,
        excluded=0,
        dont_know=dk_total(B + F),
        checks=[chk(B, 0, pick(B[0])), chk(F, 0, pick(B[0])), chk_dk(F, 0)],
    )
    rows = copy(B)
    rows[3][3] = "Custodian"
    put(
        "unknown_role.csv",
        as_text(rows),
        fault="a role the instrument does not know ('Custodian')",
        expect="error",
        contains=[
            "unknown_role.csv",
            "row 5",
            "column 'role'",
            "Custodian",
            "use one of: " + ", ".join(ROLES),
        ],
    )
    rows = copy(B)
    syn = {
        "leader": ["Principal", "Assistant principal"],
        "district": ["District staff", "District"],
        "teacher": [
            "Teacher",
            "teacher ",
            "TEACHER",
            "Classroom teacher",
            "Teachers",
            "teacher",
            "Teacher",
            "Educator",
        ],
    }
    for r in rows:
        r[3] = syn[r[3]].pop(0)
    put(
        "role_synonyms.csv",
        as_text(rows),
        fault="role labels and synonyms ('Principal', 'Assistant principal', 'District staff', 'Teachers')",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[
            "T001|baseline|role=leader",
            "T007|baseline|role=leader",
            "T006|baseline|role=district",
            "T012|baseline|role=district",
            "T005|baseline|role=teacher",
            chk(B, 6, pick(B[6], 2)),
        ],
    )
    rows = copy(F)
    rows[5][4] = "folowup"
    put(
        "misspelt_wave_folowup.csv",
        as_text(rows),
        fault="wave label misspelt 'folowup'",
        expect="error",
        contains=[
            "misspelt_wave_folowup.csv",
            "row 7",
            "column 'wave'",
            "folowup",
            "did you mean 'followup'",
            "use one of",
        ],
    )
    rows = copy(B + F)
    wv = ["Baseline", "BASELINE", " baseline", "Base line"] * 3 + [
        "Follow-up",
        "follow up",
        "FOLLOWUP",
        "Follow_Up",
    ] * 3
    for r, w in zip(rows, wv, strict=True):
        r[4] = w
    put(
        "wave_label_variants.csv",
        as_text(rows),
        fault="wave labels in many spellings ('Follow-up', 'follow up', 'FOLLOWUP', 'Base line')",
        expect="loads",
        rows=24,
        excluded=0,
        dont_know=dk_total(B + F),
        checks=["T001|baseline|wave=baseline", "T002|followup|wave=followup"],
    )
    rows = copy(B)
    rows[4][1] = ""
    put(
        "blank_school_cell.csv",
        as_text(rows),
        fault="a blank school cell",
        expect="error",
        contains=["blank_school_cell.csv", "row 6", "column 'school'", "blank", "fill in the school"],
    )
    rows = copy(B)
    rows[8][2] = "  "
    put(
        "blank_district_cell.csv",
        as_text(rows),
        fault="a district cell holding only spaces",
        expect="error",
        contains=["blank_district_cell.csv", "row 10", "column 'district'", "blank", "fill in the district"],
    )
    rows = copy(B)
    rows.insert(5, [""] * len(HEAD))
    put(
        "all_blank_row.csv",
        as_text(rows),
        fault="an all-blank row in the middle (',,,,')",
        expect="loads",
        rows=12,
        excluded=1,
        dont_know=dk_total(B),
        checks=[chk(B, 5, pick(B[5]))],
    )
    rows = copy(B)
    rows[3] = rows[3][:5] + [""] * len(ITEMS)
    put(
        "no_item_answered.csv",
        as_text(rows),
        fault="a respondent who answered no item",
        expect="loads",
        rows=11,
        excluded=1,
        dont_know=dk_total(rows),
        checks=[chk(B, 4, pick(B[4]))],
    )
    extra = ["T013", "S03", "D1", "teacher", "baseline"] + [
        4 if it in FORM["teacher"] else "" for it in ITEMS
    ]
    rows = copy(B) + [extra]
    put(
        "school_one_respondent.csv",
        as_text(rows),
        fault="a school with one respondent (suppressed downstream, not here)",
        expect="loads",
        rows=13,
        excluded=0,
        dont_know=dk_total(B),
        checks=["T013|baseline|school=S03", f"T013|baseline|{FORM['teacher'][0]}=4"],
    )

    # --- Qualtrics (one survey for all staff, display logic shows each role its form)
    head = QMETA + ["school", "district", "role", "wave"] + ITEMS
    text_of = dict(zip(INST.items["id"], INST.items["text"], strict=True))
    r2 = QTEXT + ["school", "district", "role", "wave"] + [text_of[it] for it in ITEMS]
    r3 = (
        QIMPORT
        + ['{"ImportId":"school"}', '{"ImportId":"district"}', '{"ImportId":"role"}', '{"ImportId":"wave"}']
        + [f'{{"ImportId":"QID{k + 1}"}}' for k in range(len(ITEMS))]
    )
    body = []
    for k, r in enumerate(B):
        meta = [
            "2025-09-0%d 08:00:00" % (1 + k % 9),
            "2025-09-0%d 08:10:00" % (1 + k % 9),
            "IP Address",
            f"10.0.0.{k + 1}",
            "100",
            str(400 + k),
            "True",
            "2025-09-01 08:10:01",
            f"R_{k + 1:04d}abc",
            f"Last{k}",
            f"First{k}",
            f"person{k}@school.example",
            "",
            "39.7",
            "-104.9",
            "anonymous",
            "EN",
        ]
        labels = [label_of(it, v) for it, v in zip(ITEMS, r[5:], strict=True)]
        body.append(meta + [r[1], r[2], INST.roles[r[3]], "Baseline"] + labels)
    preview = [
        "2025-08-30 08:00:00",
        "2025-08-30 08:05:00",
        "Survey Preview",
        "",
        "100",
        "300",
        "True",
        "2025-08-30 08:05:00",
        "R_preview",
        "",
        "",
        "",
        "",
        "",
        "",
        "preview",
        "EN",
        "S01",
        "D1",
        "Teacher",
        "Baseline",
    ] + [label_of(it, 4) if it in FORM["teacher"] else "" for it in ITEMS]
    put(
        "qualtrics_three_header_rows.csv",
        as_text([r2, r3] + body[:3] + [preview] + body[3:], head),
        fault="Qualtrics export: question-text and ImportId header rows, metadata columns "
        "(IP, names, e-mail, location), a Survey Preview row, labels as answers",
        expect="loads",
        rows=12,
        excluded=3,
        dont_know=dk_total(B),
        checks=[
            "R_0001abc|baseline|" + chk(B, 0, pick(B[0])).split("|", 2)[2],
            "R_0001abc|baseline|duration_sec=400",
            "R_0012abc|baseline|role=district",
            "R_0003abc|baseline|role=teacher",
            "R_0003abc|baseline|n_dont_know=%d" % n_dk(B[2]),
        ],
    )

    # --- Excel
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws.append(["Asset Inventory export, fall survey"])
    ws.append(["Questions: see the codebook"])
    ws2 = wb.create_sheet("Responses")
    ws2.append(HEAD)
    for r in xl(B):
        ws2.append(r)
    put(
        "excel_notes_sheet_first.xlsx",
        xlsx_bytes(wb),
        fault="Excel workbook with a notes sheet before the data sheet",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 0, pick(B[0])), chk_dk(B, 0)],
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Baseline"
    ws.append(HEAD)
    for r in xl(B):
        ws.append(r)
    ws2 = wb.create_sheet("Followup")
    ws2.append(HEAD)
    for r in xl(F):
        ws2.append(r)
    put(
        "excel_two_data_sheets.xlsx",
        xlsx_bytes(wb),
        fault="Excel workbook with two data sheets (one per wave)",
        expect="error",
        contains=["excel_two_data_sheets.xlsx", "'Baseline'", "'Followup'", "sheet="],
    )

    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    group = ["Respondent"] + [None] * (len(ID_COLS) - 1)
    spans = [(1, len(ID_COLS))]
    for dom, its in INST.items_by_domain.items():
        spans.append((len(group) + 1, len(group) + len(its)))
        group += [INST.domain_short(dom)] + [None] * (len(its) - 1)
    ws.append(group)
    for lo, hi in spans:
        ws.merge_cells(f"{get_column_letter(lo)}1:{get_column_letter(hi)}1")
    ws.append(HEAD)
    for r in xl(B):
        ws.append(r)
    put(
        "excel_merged_header_rows.xlsx",
        xlsx_bytes(wb),
        fault="Excel sheet with a merged group header row above the column names",
        expect="error",
        contains=["excel_merged_header_rows.xlsx", "row 1", "merged", "delete row 1"],
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(["Asset Inventory - all schools"])
    ws.append([])
    ws.append(HEAD)
    for r in xl(B):
        ws.append(r)
    put(
        "excel_title_rows_above_header.xlsx",
        xlsx_bytes(wb),
        fault="Excel sheet with a title row and a blank row above the column names",
        expect="error",
        contains=["excel_title_rows_above_header.xlsx", "row 3", "not row 1", "delete rows 1-2"],
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(HEAD)
    for k, r in enumerate(B):
        ws.append(
            r[:5]
            + [None if v == "" else [f"{v}", f" {v} ", f"{v}.0"][(j + k) % 3] for j, v in enumerate(r[5:])]
        )
    it = FORM["teacher"][0]
    put(
        "excel_numbers_as_text.xlsx",
        xlsx_bytes(wb),
        fault="Excel cells holding numbers stored as text (' 4 ', '4.0')",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 1, it), chk(B, 2, it), chk(B, 3, it), chk_dk(B, 3)],
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for k, r in enumerate(xl(B)):
        ws.append([1000 + k] + r[1:])
    put(
        "excel_numeric_ids.xlsx",
        xlsx_bytes(wb),
        fault="respondent ids stored as Excel numbers",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=["1000|baseline|" + chk(B, 0, pick(B[0])).split("|", 2)[2]],
    )

    # --- SPSS
    df = pd.DataFrame(xl(B), columns=HEAD)
    num = df.copy()
    for it in ITEMS:
        num[it] = num[it].astype(float)
    put(
        "spss_numeric.sav",
        sav_bytes(num),
        fault="SPSS .sav file with plain numeric codes (9 = Don't know, off-form items system-missing)",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, 0, pick(B[0])), chk(B, 7, pick(B[7], 9)), chk_dk(B, 7)],
    )
    lab = num.copy()
    for it in ITEMS:
        lab[it] = lab[it].where(lab[it] == DK_CODE, lab[it] - 1)  # coded 0..4, labelled; 9 stays 9
    it = pick(B[1])
    lab.loc[1, it] = float(DK_CODE)  # 9 = Don't know
    lab["role"] = lab["role"].map({"teacher": 1.0, "leader": 2.0, "district": 3.0})
    lab["wave"] = 1.0
    vlabels = {
        it2: {k - 1: t for k, t in SCALE[it2].labels.items()} | {DK_CODE: "Don't know"} for it2 in ITEMS
    }
    vlabels["role"] = {1: "Teacher", 2: "Principal", 3: "District office"}
    vlabels["wave"] = {1: "Baseline", 2: "Follow-up"}
    rows = copy(B)
    rows[1][COL[it]] = DK_CODE
    put(
        "spss_value_labels.sav",
        sav_bytes(lab, variable_value_labels=vlabels),
        fault="SPSS .sav with value labels (items coded 0-4 and labelled with their own scale, "
        "9 = Don't know, role and wave coded)",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(rows),
        checks=[
            chk(B, 0, pick(B[0])),
            f"T002|baseline|{it}=nan",
            chk_dk(rows, 1),
            "T001|baseline|role=leader",
            "T012|baseline|role=district",
            chk(B, 3, pick(B[3], 12)),
        ],
    )

    # --- other kinds
    cb = INST.codebook
    ex = [c for c in cb["id"] if c.startswith("EX-")][-1]
    lm = [c for c in cb["id"] if c.startswith("LM-")][0]
    typo = ex[:-2] + ex[-1] + ex[-2]  # two letters swapped: EX-SHARE -> EX-SHAER
    assert typo not in set(cb["id"])
    example = dict(zip(cb["id"], cb["example"], strict=True))
    cod = [
        ["excerpt_id", "interview_id", "school", "role", "coder", "code", "text"],
        ["X001", "I01", "S01", "teacher", "A", ex, example[ex]],
        ["X001", "I01", "S01", "teacher", "B", typo, example[ex]],
        ["X002", "I01", "S01", "teacher", "A", lm, example[lm]],
    ]
    put(
        "codings_unknown_code.csv",
        as_text(cod[1:], cod[0]),
        kind="codings",
        fault=f"codings file with a code that is not in the codebook ('{typo}')",
        expect="error",
        contains=["codings_unknown_code.csv", "row 3", typo],
    )
    ros = [
        ["S01", "D1", "teacher", "baseline", 14],
        ["S01", "D1", "leader", "baseline", -4],
        ["S02", "D1", "teacher", "baseline", 12],
    ]
    put(
        "roster_negative_invited.csv",
        as_text(ros, ["school", "district", "role", "wave", "invited"]),
        kind="roster",
        fault="roster with a negative 'invited' count",
        expect="error",
        contains=["roster_negative_invited.csv", "row 3", "column 'invited'", "-4", "0 or more"],
    )

    make_v2_only(B)


def make_v2_only(B) -> None:
    """Faults that exist only with role forms, several scales and a Don't-know option (2.0.0)."""
    import pandas as pd

    T, L, D = 2, 0, 11

    # an answer to an item that is not on the respondent's role form
    rows = copy(B)
    it = off_form("teacher", "leader")  # OS21: asked only on the leader form
    rows[T][COL[it]] = 4
    put(
        "off_form_answer.csv",
        as_text(rows),
        fault=f"a teacher answered {it}, an item asked only on the leader form",
        expect="error",
        contains=[
            "off_form_answer.csv",
            f"row {T + 2}",
            f"column '{it}'",
            f"a teacher answered {it}, which is asked only on the leader form",
            "blank these cells",
        ],
    )
    rows = copy(B)
    it = off_form("leader", "teacher")  # EX15: asked only on the teacher form
    rows[6][COL[it]] = "Don't know"
    put(
        "off_form_dont_know.csv",
        as_text(rows),
        fault=f"a leader answered Don't know to {it}, an item asked only on the teacher form",
        expect="error",
        contains=[
            "off_form_dont_know.csv",
            "row 8",
            f"column '{it}'",
            f"a leader answered {it}, which is asked only on the teacher form",
            "blank these cells",
        ],
    )
    # the role cell says district, the answers are a teacher's: the district form is blank for every item
    rows = copy(B)
    rows[3][3] = "District staff"
    wrong = [it for it in FORM["teacher"] if rows[3][COL[it]] != "" and it not in FORM["district"]]
    assert all(rows[3][COL[it]] == "" for it in FORM["district"])
    put(
        "role_form_blank_answers_elsewhere.csv",
        as_text(rows),
        fault="a row whose role form (district) is blank for every item, with answers on the teacher form "
        "(the role cell is wrong)",
        expect="error",
        contains=[
            "role_form_blank_answers_elsewhere.csv",
            "row 5",
            f"column '{wrong[0]}'",
            f"a district answered {wrong[0]}",
            f"{len(wrong) - 20} more cells",
        ],
    )
    # ... and a district respondent who left every item of the district form blank
    rows = copy(B)
    for it in FORM["district"]:
        rows[D][COL[it]] = ""
    put(
        "role_form_blank.csv",
        as_text(rows),
        fault="a district respondent who left every item of the district form blank",
        expect="loads",
        rows=11,
        excluded=1,
        dont_know=dk_total(rows),
        checks=[chk(rows, 5, pick(rows[5]))],
    )
    # the export writes 'N/A' in every cell its display logic did not show
    rows = copy(B)
    for r in rows:
        for it in ITEMS:
            if it not in FORM[r[3]]:
                r[COL[it]] = "N/A"
    put(
        "off_form_cells_na.csv",
        as_text(rows),
        fault="'N/A' (a missing code) in every cell of an item not on the row's role form",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(B),
        checks=[chk(B, T, off_form("teacher", "leader")), chk(B, T, pick(B[T])), chk_dk(B, T)],
    )

    # a label of another of the instrument's scales
    rows = copy(B)
    it = pick(rows[1], 3, "agree")
    often = SCALE[pick(rows[1], 0, "frequency")].labels[4]  # "Often"
    rows[1][COL[it]] = often
    put(
        "other_scale_label_in_agree_item.csv",
        as_text(rows),
        fault=f"'{often}' (a frequency label) in an agreement item",
        expect="error",
        contains=[
            "other_scale_label_in_agree_item.csv",
            "row 3",
            f"column '{it}'",
            f"'{often}'",
            "frequency scale",
            "agree scale",
        ],
    )
    rows = copy(B)
    it = pick(rows[4], 2, "frequency")
    agree = SCALE[pick(rows[4], 0, "agree")].labels[4]  # "Agree"
    rows[4][COL[it]] = agree
    put(
        "other_scale_label_in_frequency_item.csv",
        as_text(rows),
        fault=f"'{agree}' (an agreement label) in a frequency item",
        expect="error",
        contains=[
            "other_scale_label_in_frequency_item.csv",
            "row 6",
            f"column '{it}'",
            f"'{agree}'",
            "agree scale",
            "frequency scale",
        ],
    )

    # Don't know written the ways people write it, and N/A / NA, which stay missing codes
    rows = copy(B)
    dk_ways = [
        "Don't know",
        "DK",
        "Not applicable",
        "9",
        "Do not know",
        "Does not apply",
        DK_LABEL.upper(),
        " dk ",
    ]
    written = {}
    for k, v in enumerate(dk_ways):
        i, j = (1, k) if k < 4 else (4, k - 4)
        written[(i, pick(B[i], j))] = v
    written[(3, pick(B[3], 0))] = "N/A"
    written[(3, pick(B[3], 1))] = "NA"
    written[(3, pick(B[3], 2))] = "n/a"
    for (i, it), v in written.items():
        rows[i][COL[it]] = v
    assert n_dk(rows[3]) == n_dk(B[3]) and n_dk(rows[1]) == n_dk(B[1]) + 4
    put(
        "dont_know_wordings.csv",
        as_text(rows),
        fault="Don't know written as 'Don't know', 'DK', 'Not applicable', 9, 'Do not know', 'Does not apply' "
        "and the option's label; 'N/A', 'NA', 'n/a' (missing codes, not Don't know)",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(rows),
        checks=[chk(rows, i, it) for i, it in written] + [chk_dk(rows, 1), chk_dk(rows, 3), chk_dk(rows, 4)],
    )
    # a respondent who answered Don't know to every item of the form: there is no answer to score, so the
    # row is excluded, with its own reason (io.ONLY_DONT_KNOW, docs/input_layout.md) rather than "no item
    # answered"; its Don't knows are not in the used rows' count.
    rows = copy(B)
    for it in FORM["teacher"]:
        rows[7][COL[it]] = DK_CODE
    put(
        "all_dont_know_row.csv",
        as_text(rows),
        fault="a teacher who answered Don't know (9) to every item of the teacher form "
        "(excluded as 'answered only Don't know')",
        expect="loads",
        rows=11,
        excluded=1,
        dont_know=dk_total(rows[:7] + rows[8:]),
        checks=[chk(rows, 6, pick(rows[6])), chk_dk(rows, 8)],
    )
    rows = copy(B)
    rows[4][3] = ""
    put(
        "blank_role_cell.csv",
        as_text(rows),
        fault="a blank role cell (the role question skipped, so no form applies)",
        expect="error",
        contains=[
            "blank_role_cell.csv",
            "row 6",
            "column 'role'",
            "blank",
            "use one of: " + ", ".join(ROLES),
        ],
    )

    # a role the instrument has no form for
    rows = copy(B)
    rows[8][3] = "Instructional coach"
    put(
        "role_without_form.csv",
        as_text(rows),
        fault="a role value outside the instrument's roles ('Instructional coach', which has no form)",
        expect="error",
        contains=[
            "role_without_form.csv",
            "row 10",
            "column 'role'",
            "Instructional coach",
            "use one of: " + ", ".join(ROLES),
        ],
    )

    # SPSS: the analyst declared Don't know (9) and Refused (8) user-missing
    df = pd.DataFrame(xl(B), columns=HEAD)
    for it in ITEMS:
        df[it] = df[it].astype(float)
    rows = copy(B)
    ref = pick(B[T], 0)
    df.loc[T, ref] = 8.0  # Refused: a declared missing value, not Don't know
    rows[T][COL[ref]] = ""
    vlabels = {it: dict(SCALE[it].labels) | {8: "Refused", DK_CODE: "Not applicable"} for it in ITEMS}
    put(
        "spss_dont_know_user_missing.sav",
        sav_bytes(
            df,
            variable_value_labels=vlabels,
            missing_ranges={it: [8.0, float(DK_CODE)] for it in ITEMS},
        ),
        fault="SPSS .sav whose Don't know (9, labelled 'Not applicable') and Refused (8) are user-missing",
        expect="loads",
        rows=12,
        excluded=0,
        dont_know=dk_total(rows),
        checks=[f"T003|baseline|{ref}=nan", chk_dk(rows, T), chk_dk(rows, L), chk(B, D, pick(B[D]))],
    )


# ------------------------------------------------------------------ the 1.0.0 back-compat part

V1_INST = assetinv.load_instrument("1.0.0")
V1_ITEMS = V1_INST.item_ids()  # EX01..OS08, one agreement scale, no role forms
V1_HEAD = ID_COLS + V1_ITEMS
V1_LABELS = dict(V1_INST.default_scale.labels)


def base_v1(n: int = 12, seed: int = 1, wave: str = "baseline", prefix: str = "T") -> list[list]:
    """The earlier corpus's rows: every item answered 1..5, schools S01/S02, district D1, 2 leaders."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        school = "S01" if i < n // 2 else "S02"
        role = "leader" if i in (0, n // 2) else "teacher"
        vals = [int(v) for v in rng.integers(1, 6, size=len(V1_ITEMS))]
        rows.append([f"{prefix}{i + 1:03d}", school, "D1", role, wave] + vals)
    return rows


def make_v1() -> None:
    """Six files of the earlier corpus, byte for byte as it wrote them, read with instrument 1.0.0."""
    import pandas as pd

    B = base_v1()
    col = {c: k for k, c in enumerate(V1_HEAD)}

    def v1chk(i, c) -> str:
        return f"{B[i][0]}|{B[i][4]}|{c}={B[i][col[c]]}"

    def v1(name, data, **kw):
        put("v1/" + name, data, instrument=str(V1_INST.version), **kw)

    rows = copy(B)
    rows[2][col["EX03"]] = 6
    v1(
        "out_of_scale_6.csv",
        as_text(rows, V1_HEAD),
        fault="1.0.0 file: out-of-scale value 6",
        expect="error",
        contains=[
            "out_of_scale_6.csv",
            "row 4",
            "column 'EX03'",
            "'6'",
            "outside the scale",
            "whole number from 1 to 5",
        ],
    )
    head = V1_HEAD[:]
    head[col["EX01"]] = "EX1"
    v1(
        "renamed_item_EX1.csv",
        as_text(B, head),
        fault="1.0.0 file: item renamed 'EX1' instead of 'EX01'",
        expect="error",
        contains=["renamed_item_EX1.csv", "column 'EX1'", "did you mean 'EX01'", "rename"],
    )
    rows = [r[:-1] for r in B]
    v1(
        "missing_item_column.csv",
        as_text(rows, V1_HEAD[:-1]),
        fault="1.0.0 file: item column OS08 missing",
        expect="error",
        contains=["missing_item_column.csv", "column 'OS08'", "OS08", "add the column"],
    )
    rows = copy(B)
    rows[3][3] = "Custodian"
    v1(
        "unknown_role.csv",
        as_text(rows, V1_HEAD),
        fault="1.0.0 file: a role the instrument does not know ('Custodian')",
        expect="error",
        contains=[
            "unknown_role.csv",
            "row 5",
            "column 'role'",
            "Custodian",
            "use one of: teacher, leader, district",
        ],
    )
    rows = copy(B)
    rows[1][col["EX01"]] = "Don't know"
    rows[1][col["EX02"]] = "N/A"
    rows[1][col["EX03"]] = ""
    rows[3][col["OS01"]] = "-99"
    rows[3][col["OS02"]] = "dk"
    rows[3][col["OS03"]] = "Prefer not to say"
    v1(
        "dont_know_na_blank.csv",
        as_text(rows, V1_HEAD),
        fault="1.0.0 file: 'Don't know', 'N/A', 'DK', -99 and blank answers (all missing codes)",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[
            "T002|baseline|EX01=nan",
            "T002|baseline|EX02=nan",
            "T002|baseline|EX03=nan",
            "T004|baseline|OS01=nan",
            "T004|baseline|OS02=nan",
            v1chk(1, "EX04"),
        ],
    )
    df = pd.DataFrame(B, columns=V1_HEAD)
    lab = df.copy()
    for it in V1_ITEMS:
        lab[it] = (lab[it] - 1).astype(float)  # coded 0..4, labelled
    lab.loc[1, "EX01"] = 9.0  # 9 = Don't know
    lab["role"] = lab["role"].map({"teacher": 1.0, "leader": 2.0})
    lab["wave"] = 1.0
    vlabels = {it: {k - 1: t for k, t in V1_LABELS.items()} | {9: "Don't know"} for it in V1_ITEMS}
    vlabels["role"] = {1: "Teacher", 2: "Principal"}
    vlabels["wave"] = {1: "Baseline", 2: "Follow-up"}
    v1(
        "spss_value_labels.sav",
        sav_bytes(lab, variable_value_labels=vlabels),
        fault="1.0.0 file: SPSS .sav with value labels (items coded 0-4 and labelled, 9 = Don't know, "
        "role and wave coded)",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[v1chk(0, "EX01"), "T002|baseline|EX01=nan", "T001|baseline|role=leader", v1chk(3, "CN05")],
    )


if __name__ == "__main__":
    make()
    print(f"wrote {len(MANIFEST)} files and MANIFEST.csv to {OUT}")
