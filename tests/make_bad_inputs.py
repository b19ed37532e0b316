"""Regenerate the bad-input corpus in ``tests/bad_inputs/`` (a developer script).

Run ``python tests/make_bad_inputs.py`` from the repository root. The output is
deterministic (seeded values, fixed timestamps inside XLSX and SAV files), so a
re-run gives the same bytes and ``git diff`` stays empty. The corpus files are
committed; ``tests/test_bad_inputs.py`` reads ``tests/bad_inputs/MANIFEST.csv``,
which this script writes too.

Every file holds one real-world fault. ``expect`` is ``loads`` (the documented
behaviour is to read it, see ``docs/input_layout.md``) or ``error`` (a
``DataError`` whose message contains every ``|``-separated substring in
``contains``). For ``loads`` rows, ``rows`` is the expected row count,
``excluded`` the number of rows excluded in the data-quality table and
``checks`` a ``;``-separated list of ``respondent_id|wave|column=value``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "bad_inputs"

ITEMS = [f"{d}{k:02d}" for d in ("EX", "LM", "CN", "OS") for k in range(1, 9)]
LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
HEAD = ["respondent_id", "school", "district", "role", "wave"] + ITEMS

MANIFEST: list[dict] = []


def base(n: int = 12, seed: int = 1, wave: str = "baseline", prefix: str = "T") -> list[list]:
    """n valid rows: ids T001.., schools S01/S02, district D1, 2 leaders, values 1..5."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        school = "S01" if i < n // 2 else "S02"
        role = "leader" if i in (0, n // 2) else "teacher"
        vals = [int(v) for v in rng.integers(1, 6, size=len(ITEMS))]
        rows.append([f"{prefix}{i + 1:03d}", school, "D1", role, wave] + vals)
    return rows


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
    checks: list[str] | None = None,
    encoding: str = "utf-8",
) -> None:
    path = OUT / name
    if isinstance(data, str):
        data = data.encode(encoding)
    path.write_bytes(data)
    MANIFEST.append(
        {
            "file": name,
            "kind": kind,
            "fault": fault,
            "expect": expect,
            "contains": " | ".join(contains or []),
            "rows": "" if rows is None else rows,
            "excluded": "" if excluded is None else excluded,
            "checks": "; ".join(checks or []),
        }
    )


def chk(rows, i, col) -> str:
    r = rows[i]
    v = r[HEAD.index(col)]
    return f"{r[0]}|{r[4]}|{col}={v}"


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
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", data
                )
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    return out.getvalue()


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


# ------------------------------------------------------------------ the corpus


def make() -> None:
    import openpyxl
    import pandas as pd

    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    B = base()

    # --- delimiters and encodings
    rows = [r[:] for r in B]
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
        checks=[chk(B, 0, "EX01"), "T002|baseline|duration_sec=301.5"],
    )
    put(
        "tab_delimited.tsv",
        as_text(B, delim="\t"),
        fault="tab-delimited text export",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 3, "OS08")],
    )
    put(
        "pipe_delimited.txt",
        as_text(B, delim="|"),
        fault="pipe-delimited text export",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 5, "CN04")],
    )
    put(
        "utf16le_excel_unicode_text.txt",
        codecs.BOM_UTF16_LE + as_text(B, delim="\t").encode("utf-16-le"),
        fault="Excel 'Unicode text' export: UTF-16 LE with BOM, tab-delimited",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 11, "LM02")],
    )
    put(
        "utf16be_bom.txt",
        codecs.BOM_UTF16_BE + as_text(B, delim="\t").encode("utf-16-be"),
        fault="UTF-16 BE with BOM, tab-delimited",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 1, "EX02")],
    )
    put(
        "utf8_bom.csv",
        codecs.BOM_UTF8 + as_text(B).encode("utf-8"),
        fault="UTF-8 with BOM (Excel 'CSV UTF-8')",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 0, "EX01")],
    )
    rows = [r[:] for r in B]
    for r in rows:
        r[1] = "École Sainte-Thérèse" if r[1] == "S01" else "Colégio São João"
    put(
        "latin1_accented_schools.csv",
        as_text(rows),
        encoding="latin-1",
        fault="Latin-1 (ISO-8859-1) CSV with accented school names",
        expect="loads",
        rows=12,
        excluded=0,
        checks=["T001|baseline|school=École Sainte-Thérèse", "T012|baseline|school=Colégio São João"],
    )
    rows = [r[:] for r in B]
    rows[2][HEAD.index("EX05")] = "Don\u2019t know"
    put(
        "cp1252_curly_apostrophe.csv",
        as_text(rows),
        encoding="cp1252",
        fault="Windows-1252 CSV with a curly apostrophe in \u201cDon\u2019t know\u201d",
        expect="loads",
        rows=12,
        excluded=0,
        checks=["T003|baseline|EX05=nan", chk(B, 2, "EX06")],
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
    text = text[:last] + 'T012,"S02, North campus,D1,teacher,baseline,4,4,3,2'
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
    put(
        "headers_case_spacing.csv",
        as_text(B, head),
        fault="column names in other case and spacing ('Respondent ID', 'SCHOOL', 'ex 02')",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 0, "EX02"), chk(B, 4, "OS07")],
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
    head = HEAD[:]
    head[HEAD.index("EX01")] = "EX1"
    put(
        "renamed_item_EX1.csv",
        as_text(B, head),
        fault="item renamed 'EX1' instead of 'EX01'",
        expect="error",
        contains=["renamed_item_EX1.csv", "column 'EX1'", "did you mean 'EX01'", "rename"],
    )
    rows = [r + [3] for r in B]
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
        fault="item column OS08 missing",
        expect="error",
        contains=["missing_item_column.csv", "column 'OS08'", "OS08", "add the column"],
    )
    rows = [r + [f"note {k}"] for k, r in enumerate(B)]
    put(
        "unknown_extra_column.csv",
        as_text(rows, HEAD + ["Comments"]),
        fault="an unknown free-text column 'Comments'",
        expect="error",
        contains=["unknown_extra_column.csv", "column 'Comments'", "unknown column", "keep_extra=True"],
    )
    rows = [r + [r[5]] for r in B]
    put(
        "duplicate_column.csv",
        as_text(rows, HEAD + ["EX01"]),
        fault="item column EX01 twice",
        expect="error",
        contains=["duplicate_column.csv", "column 'EX01'", "appears twice", "delete or rename"],
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
    rows = [r[:] for r in B]
    rows[2][HEAD.index("EX03")] = 6
    put(
        "out_of_scale_6.csv",
        as_text(rows),
        fault="out-of-scale value 6",
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
    rows = [r[:] for r in B]
    rows[7][HEAD.index("CN02")] = 0
    put(
        "out_of_scale_0.csv",
        as_text(rows),
        fault="out-of-scale value 0 (0-based coding)",
        expect="error",
        contains=["out_of_scale_0.csv", "row 9", "column 'CN02'", "'0'", "1 to 5"],
    )
    rows = [r[:] for r in B]
    rows[4][HEAD.index("LM06")] = 3.5
    put(
        "half_point_3_5.csv",
        as_text(rows),
        fault="non-integer value 3.5",
        expect="error",
        contains=["half_point_3_5.csv", "row 6", "column 'LM06'", "'3.5'", "whole number"],
    )
    rows = [r[:] for r in B]
    for r in rows:
        for it in ITEMS[:20]:
            r[HEAD.index(it)] = 7
    put(
        "out_of_scale_many.csv",
        as_text(rows),
        fault="240 out-of-scale cells (7 on a 1-5 scale)",
        expect="error",
        contains=[
            "out_of_scale_many.csv",
            "row 2",
            "column 'EX01'",
            "220 more cells",
            "whole number from 1 to 5",
        ],
    )
    rows = [r[:] for r in B]
    rows[1][HEAD.index("EX01")] = "Don't know"
    rows[1][HEAD.index("EX02")] = "N/A"
    rows[1][HEAD.index("EX03")] = ""
    rows[3][HEAD.index("OS01")] = "-99"
    rows[3][HEAD.index("OS02")] = "dk"
    rows[3][HEAD.index("OS03")] = "Prefer not to say"
    put(
        "dont_know_na_blank.csv",
        as_text(rows),
        fault="'Don't know', 'N/A', 'DK', -99 and blank answers",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[
            "T002|baseline|EX01=nan",
            "T002|baseline|EX02=nan",
            "T002|baseline|EX03=nan",
            "T004|baseline|OS01=nan",
            "T004|baseline|OS02=nan",
            chk(B, 1, "EX04"),
        ],
    )
    rows = [r[:] for r in B]
    variants = [
        "  strongly AGREE ",
        "agree",
        "NEITHER agree nor  disagree",
        " Disagree",
        "strongly disagree",
        "Agree ",
    ]
    for k, r in enumerate(rows):
        for j, it in enumerate(ITEMS):
            v = r[HEAD.index(it)]
            r[HEAD.index(it)] = (
                LABELS[v].upper()
                if (k + j) % 3 == 0
                else f"  {LABELS[v].lower()} "
                if (k + j) % 3 == 1
                else LABELS[v]
            )
    rows[0][HEAD.index("EX01")] = variants[0]
    put(
        "labels_mixed_case_spaces.csv",
        as_text(rows),
        fault="text labels in mixed case with extra spaces",
        expect="loads",
        rows=12,
        excluded=0,
        checks=["T001|baseline|EX01=5", chk(B, 5, "OS04"), chk(B, 9, "LM03")],
    )
    rows = [r[:] for r in B]
    for r in rows:
        for it in ITEMS:
            v = r[HEAD.index(it)]
            r[HEAD.index(it)] = [f"{v}", f" {v} ", f"{v}.0"][ITEMS.index(it) % 3]
    put(
        "numbers_as_text_csv.csv",
        as_text(rows),
        fault="numbers written as text with spaces and '.0' (' 4 ', '4.0')",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 0, "EX02"), chk(B, 0, "EX03")],
    )

    # --- ids, roles, waves
    rows = [r[:] for r in B]
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
            "T003",
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
        checks=[chk(B, 0, "EX01"), chk(F, 0, "EX01")],
    )
    rows = [r[:] for r in B]
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
            "use one of: teacher, leader, district",
        ],
    )
    rows = [r[:] for r in B]
    syn = [
        "Principal",
        "Teacher",
        "teacher ",
        "TEACHER",
        "Classroom teacher",
        "Teachers",
        "Assistant principal",
        "School leader",
        "District staff",
        "District",
        "teacher",
        "Teacher",
    ]
    for r, s in zip(rows, syn):
        r[3] = s
    put(
        "role_synonyms.csv",
        as_text(rows),
        fault="role labels and synonyms ('Principal', 'Assistant principal', 'District staff', 'Teachers')",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[
            "T001|baseline|role=leader",
            "T007|baseline|role=leader",
            "T009|baseline|role=district",
            "T010|baseline|role=district",
            "T006|baseline|role=teacher",
        ],
    )
    rows = [r[:] for r in F]
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
    rows = [r[:] for r in B + F]
    wv = ["Baseline", "BASELINE", " baseline", "Base line"] * 3 + [
        "Follow-up",
        "follow up",
        "FOLLOWUP",
        "Follow_Up",
    ] * 3
    for r, w in zip(rows, wv):
        r[4] = w
    put(
        "wave_label_variants.csv",
        as_text(rows),
        fault="wave labels in many spellings ('Follow-up', 'follow up', 'FOLLOWUP', 'Base line')",
        expect="loads",
        rows=24,
        excluded=0,
        checks=["T001|baseline|wave=baseline", "T002|followup|wave=followup"],
    )
    rows = [r[:] for r in B]
    rows[4][1] = ""
    put(
        "blank_school_cell.csv",
        as_text(rows),
        fault="a blank school cell",
        expect="error",
        contains=["blank_school_cell.csv", "row 6", "column 'school'", "blank", "fill in the school"],
    )
    rows = [r[:] for r in B]
    rows[8][2] = "  "
    put(
        "blank_district_cell.csv",
        as_text(rows),
        fault="a district cell holding only spaces",
        expect="error",
        contains=["blank_district_cell.csv", "row 10", "column 'district'", "blank", "fill in the district"],
    )
    rows = [r[:] for r in B]
    rows.insert(5, [""] * len(HEAD))
    put(
        "all_blank_row.csv",
        as_text(rows),
        fault="an all-blank row in the middle (',,,,')",
        expect="loads",
        rows=12,
        excluded=1,
        checks=[chk(B, 5, "EX01")],
    )
    rows = [r[:] for r in B]
    rows[3] = rows[3][:5] + [""] * len(ITEMS)
    put(
        "no_item_answered.csv",
        as_text(rows),
        fault="a respondent who answered no item",
        expect="loads",
        rows=11,
        excluded=1,
        checks=[chk(B, 4, "EX01")],
    )
    rows = [r[:] for r in B] + [["T013", "S03", "D1", "teacher", "baseline"] + [4] * len(ITEMS)]
    put(
        "school_one_respondent.csv",
        as_text(rows),
        fault="a school with one respondent (suppressed downstream, not here)",
        expect="loads",
        rows=13,
        excluded=0,
        checks=["T013|baseline|school=S03"],
    )

    # --- Qualtrics
    qmeta = [
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
    qtext = [
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
    qimport = [
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
    head = qmeta + ["school", "district", "role", "wave"] + ITEMS
    r2 = (
        qtext
        + ["school", "district", "role", "wave"]
        + [f"How much do you agree? - Statement {it}: staff in my school ..." for it in ITEMS]
    )
    r3 = (
        qimport
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
        body.append(meta + [r[1], r[2], r[3].title(), "Baseline"] + [LABELS[v] for v in r[5:]])
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
    ] + ["Agree"] * len(ITEMS)
    put(
        "qualtrics_three_header_rows.csv",
        as_text([r2, r3] + body[:3] + [preview] + body[3:], head),
        fault="Qualtrics export: question-text and ImportId header rows, metadata columns "
        "(IP, names, e-mail, location), a Survey Preview row, labels as answers",
        expect="loads",
        rows=12,
        excluded=3,
        checks=[
            "R_0001abc|baseline|EX01=" + str(B[0][5]),
            "R_0001abc|baseline|duration_sec=400",
            "R_0012abc|baseline|role=teacher",
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
    for r in B:
        ws2.append(r)
    put(
        "excel_notes_sheet_first.xlsx",
        xlsx_bytes(wb),
        fault="Excel workbook with a notes sheet before the data sheet",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 0, "EX01")],
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Baseline"
    ws.append(HEAD)
    for r in B:
        ws.append(r)
    ws2 = wb.create_sheet("Followup")
    ws2.append(HEAD)
    for r in F:
        ws2.append(r)
    put(
        "excel_two_data_sheets.xlsx",
        xlsx_bytes(wb),
        fault="Excel workbook with two data sheets (one per wave)",
        expect="error",
        contains=["excel_two_data_sheets.xlsx", "'Baseline'", "'Followup'", "sheet="],
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(
        ["Respondent", None, None, None, None, "Expertise"]
        + [None] * 7
        + ["Learning mindset"]
        + [None] * 7
        + ["Cultural norms"]
        + [None] * 7
        + ["Structures"]
        + [None] * 7
    )
    ws.merge_cells("A1:E1")
    ws.merge_cells("F1:M1")
    ws.merge_cells("N1:U1")
    ws.merge_cells("V1:AC1")
    ws.merge_cells("AD1:AK1")
    ws.append(HEAD)
    for r in B:
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
    for r in B:
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
            [r[0], r[1], r[2], r[3], r[4]]
            + [[f"{v}", f" {v} ", f"{v}.0"][(j + k) % 3] for j, v in enumerate(r[5:])]
        )
    put(
        "excel_numbers_as_text.xlsx",
        xlsx_bytes(wb),
        fault="Excel cells holding numbers stored as text (' 4 ', '4.0')",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 0, "EX01"), chk(B, 1, "EX01"), chk(B, 2, "EX01")],
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for k, r in enumerate(B):
        ws.append([1000 + k] + r[1:])
    put(
        "excel_numeric_ids.xlsx",
        xlsx_bytes(wb),
        fault="respondent ids stored as Excel numbers",
        expect="loads",
        rows=12,
        excluded=0,
        checks=["1000|baseline|EX01=" + str(B[0][5])],
    )

    # --- SPSS
    df = pd.DataFrame(B, columns=HEAD)
    num = df.copy()
    for it in ITEMS:
        num[it] = num[it].astype(float)
    put(
        "spss_numeric.sav",
        sav_bytes(num),
        fault="SPSS .sav file with plain numeric codes",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 0, "EX01"), chk(B, 7, "OS08")],
    )
    lab = df.copy()
    for it in ITEMS:
        lab[it] = (lab[it] - 1).astype(float)  # coded 0..4, labelled
    lab.loc[1, "EX01"] = 9.0  # 9 = Don't know
    lab["role"] = lab["role"].map({"teacher": 1.0, "leader": 2.0})
    lab["wave"] = 1.0
    vlabels = {
        it: {
            0: "Strongly disagree",
            1: "Disagree",
            2: "Neither agree nor disagree",
            3: "Agree",
            4: "Strongly agree",
            9: "Don't know",
        }
        for it in ITEMS
    }
    vlabels["role"] = {1: "Teacher", 2: "Principal"}
    vlabels["wave"] = {1: "Baseline", 2: "Follow-up"}
    put(
        "spss_value_labels.sav",
        sav_bytes(lab, variable_value_labels=vlabels),
        fault="SPSS .sav with value labels (items coded 0-4 and labelled, 9 = Don't know, "
        "role and wave coded)",
        expect="loads",
        rows=12,
        excluded=0,
        checks=[chk(B, 0, "EX01"), "T002|baseline|EX01=nan", "T001|baseline|role=leader", chk(B, 3, "CN05")],
    )

    # --- other kinds
    cod = [
        ["excerpt_id", "interview_id", "school", "role", "coder", "code", "text"],
        ["X001", "I01", "S01", "teacher", "A", "EX-SHARE", "We share lesson plans every week."],
        ["X001", "I01", "S01", "teacher", "B", "EX-SHAER", "We share lesson plans every week."],
        ["X002", "I01", "S01", "teacher", "A", "LM-GROWTH", "Every student can learn this."],
    ]
    put(
        "codings_unknown_code.csv",
        as_text(cod[1:], cod[0]),
        kind="codings",
        fault="codings file with a code that is not in the codebook ('EX-SHAER')",
        expect="error",
        contains=["codings_unknown_code.csv", "row 3", "EX-SHAER"],
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

    with open(OUT / "MANIFEST.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(MANIFEST[0]), lineterminator="\n")
        w.writeheader()
        for rec in sorted(MANIFEST, key=lambda r: r["file"]):
            w.writerow(rec)


if __name__ == "__main__":
    make()
    print(f"wrote {len(MANIFEST)} files and MANIFEST.csv to {OUT}")
