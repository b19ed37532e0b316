"""Write survey exports in the layouts real tools write, from one set of answers.

Run ``python tests/make_export_fixtures.py``; it (re)writes ``tests/fixtures/exports/``:

* ``native.csv`` -- the same answers in assetinv's tidy layout (the reference for alpha);
* ``qualtrics.csv`` -- a current Qualtrics CSV export ("Use choice text"): row 1 question ids
  (``Q1_1`` ...), row 2 question text ("matrix question - statement"), row 3 ImportId JSON, the
  metadata columns, Qualtrics' default agreement labels ("Somewhat agree" ...);
* ``qualtrics_short_text.csv`` -- the same with short, non-English question text in row 2 (the
  ImportId row must still be found);
* ``qualtrics_reworded.csv`` -- the same with every item reworded by hand (a network's own copy);
* ``qualtrics_legacy.csv`` -- the legacy layout: row 1 ``V1``-``V10`` then question ids, row 2 the
  metadata names (``ResponseID, ResponseSet, Name, ...``) and question text, numeric answers;
* ``surveymonkey.csv`` -- SurveyMonkey "All individual responses" CSV: row 1 question text (a matrix
  question's text over its first column only), row 2 ``Response`` or the matrix statement;
* ``google_forms.csv`` -- Google Forms: ``Timestamp``, ``Email Address``, question-text headers,
  grid questions as ``Question [Row]``; item wording edited by the form's author;
* ``ms_forms.xlsx`` -- Microsoft Forms: ``ID, Start time, Completion time, Email, Name`` then one column
  per question (a Likert statement's header is the statement);
* ``spss.sav`` / ``spss.zsav`` -- SPSS with variable labels (reworded item text), value labels and a
  user-missing code 9 = "No answer";
* ``stata.dta`` -- Stata with variable and value labels.

``haven_user_missing.sav`` is written by R haven (``Rscript tests/make_haven_sav.R``, after this
script, which writes the ``items.csv`` it reads). ``truth.json`` records, per file, which export column holds which item or id field: the answer key
for ``assetinv map`` and the crosswalk the tests use. Everything here is invented; the item wording
is instrument 1.0.0's or an edited version of it. These exports are of a 1.0.0 survey (one form, one
agreement scale), so the script loads 1.0.0 by name, and the same files come out now that 2.0.0 is
the default; the tests read them with ``instrument="1.0.0"``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import assetinv

OUT = Path(__file__).resolve().parent / "fixtures" / "exports"
SEED = 1410

QUALTRICS_LABELS = {
    1: "Strongly disagree",
    2: "Somewhat disagree",
    3: "Neither agree nor disagree",
    4: "Somewhat agree",
    5: "Strongly agree",
}
PLAIN_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
ROLE_TEXT = {"teacher": "Classroom teacher", "leader": "Principal or AP", "district": "District office staff"}
PROMPTS = {
    "EX": "How far do you agree with these statements about expertise at your school?",
    "LM": "Think about the adults in your school. How far do you agree?",
    "CN": "How far do you agree with these statements about how teachers are treated?",
    "OS": "How far do you agree with these statements about time and structures for working together?",
}

# Edits a form author might make to an item's wording (synonyms, dropped examples).
_SWAPS = [
    (r"\bstaff\b", "employees"),
    (r"\bcolleagues\b", "coworkers"),
    (r"\bTeachers\b", "Educators"),
    (r"\bteachers\b", "educators"),
    (r"\bregularly\b", "often"),
    (r"\bSTEM\b", "science and math"),
    (r"\bschools\b", "campuses"),
    (r"\bschool\b", "campus"),
    (r"\bLeaders\b", "Administrators"),
    (r"\bleaders\b", "administrators"),
    (r"\bbuilding\b", "school"),
    (r"\bshared\b", "common"),
    (r"\bstudents?\b", "learners"),
    (r"\bweek\b", "week or so"),
]


# A wording a school network might have used in its own copy of the survey (rewritten by hand).
PARAPHRASE = {
    "EX01": "Some of our staff know a great deal about teaching STEM well.",
    "EX02": "Staff know which colleague to go to for help with a STEM lesson.",
    "EX03": "Teachers often share their knowledge with colleagues, e.g. by planning together or leading sessions.",
    "EX04": "Strong STEM teaching skill stays with a handful of people and seldom spreads to other classrooms.",
    "EX05": "The coaches and specialists supporting teachers know the STEM content well.",
    "EX06": "Staff pick up useful ideas from educators at other schools or from outside partners.",
    "EX07": "What staff learned in industry, research or previous jobs is mostly not put to use.",
    "EX08": "In my building we know which teachers are strongest in which STEM topics.",
    "LM01": "The adults here see their own teaching as something they can always get better at.",
    "LM02": "Staff believe all students, whatever their background or language at home, can do well in challenging STEM work.",
    "LM03": "Colleagues talk openly about lessons that went wrong and what they learned.",
    "LM04": "It feels risky to try a new way of teaching, since a poor outcome may count against you.",
    "LM05": "Teachers look at student work together to decide how to change their teaching.",
    "LM06": "Questions from new or less experienced teachers are welcomed, not dismissed.",
    "LM07": "Certain groups of students are quietly expected to do worse in math and science.",
    "LM08": "In the last year I changed something in my own practice after a colleague gave me feedback.",
    "CN01": "Teachers are asked for their views on curriculum and instruction before decisions are taken.",
    "CN02": "Leaders support teachers who try something sensible, even if it leads to complaints.",
    "CN03": "Teachers are trusted to organise their work without being checked at every turn.",
    "CN04": "A lot of the paperwork teachers have to do does little to help students learn.",
    "CN05": "When a teacher wins an award or outside recognition, we celebrate it openly.",
    "CN06": "Teachers can take on real leadership roles and still teach their own classes.",
    "CN07": "Teachers who are respected outside the school get little influence inside it.",
    "CN08": "I am comfortable challenging a new requirement with my school's leaders.",
    "OS01": "The schedule gives teachers regular common time to plan and review lessons together.",
    "OS02": "Professional learning is a series of connected sessions linked to what teachers are teaching now.",
    "OS03": "Teachers work with colleagues from other schools, such as at joint training days or in networks.",
    "OS04": "Meetings take up staff time without getting to teaching and learning.",
    "OS05": "Coaches and principals meet their peers at other schools to solve problems together.",
    "OS06": "We have agreed routines for sharing data and feedback with partners who support our teachers.",
    "OS07": "New initiatives come in faster than staff can implement them.",
    "OS08": "My grade-level or subject team has protected time every week to talk about instruction.",
}


def reword(text: str) -> str:
    """A deterministic edited wording of an item (no example clause, synonyms, no final stop)."""
    t = re.sub(r",? (for example|for instance|whatever|even when|rather than)[^.]*", "", text)
    for pat, rep in _SWAPS:
        t = re.sub(pat, rep, t)
    return t.rstrip(".")


def answers(inst) -> pd.DataFrame:
    """The tidy answers every export is written from (2 waves in the tidy file, 1 wave per export)."""
    rng = np.random.default_rng(SEED)
    items = inst.item_ids()
    n = 48
    schools = [f"S{k:02d}" for k in (1, 2, 3, 4)]
    school = [schools[i % 4] for i in range(n)]
    district = ["D1" if s in ("S01", "S02") else "D2" for s in school]
    role = ["leader" if i % 8 == 0 else "district" if i % 8 == 5 else "teacher" for i in range(n)]
    latent = rng.normal(0, 1, size=(n, 4))
    rows = []
    for i in range(n):
        rec = {
            "respondent_id": f"R{1001 + i}",
            "school": school[i],
            "district": district[i],
            "role": role[i],
            "wave": "baseline",
        }
        for k, it in enumerate(items):
            d = k // 8
            z = 0.9 * latent[i, d] + rng.normal(0, 0.8)
            if inst.items.loc[k, "reverse"]:
                z = -z
            v = int(np.clip(np.round(3.2 + 1.1 * z), 1, 5))
            if rng.random() < 0.04 or (role[i] == "district" and it.endswith("08")):
                v = None
            rec[it] = v
        rows.append(rec)
    return pd.DataFrame(rows)


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _cell(v, labels=None) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return labels[int(v)] if labels else str(int(v))


def qualtrics(
    df: pd.DataFrame, inst, *, short_text: bool = False, reworded: bool = False
) -> tuple[list[list], dict]:
    items = inst.item_ids()
    meta = [
        ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Denver"}'),
        ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Denver"}'),
        ("Status", "Response Type", '{"ImportId":"status"}'),
        ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
        ("Progress", "Progress", '{"ImportId":"progress"}'),
        ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
        ("Finished", "Finished", '{"ImportId":"finished"}'),
        ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"America/Denver"}'),
        ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
        ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
        ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
        ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
        ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
        ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
        ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
        ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
        ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
    ]
    h1 = [m[0] for m in meta]
    h2 = [m[1] for m in meta]
    h3 = [m[2] for m in meta]
    truth = {}
    texts = PARAPHRASE if reworded else dict(zip(inst.items["id"], inst.items["text"]))
    for q, (dom, prompt) in enumerate(PROMPTS.items(), start=1):
        for k, it in enumerate(inst.item_ids(dom), start=1):
            h1.append(f"Q{q}_{k}")
            h2.append(f"P{q} - {k}" if short_text else f"{prompt} - {texts[it]}")
            h3.append(f'{{"ImportId":"QID{q}_{k}"}}')
            truth[f"Q{q}_{k}"] = it
    for col, txt, qid, fld in (
        ("Q10", "Which school do you work in?", "QID10", "school"),
        ("Q11", "Which best describes your role?", "QID11", "role"),
        ("Q12", "Which district is your school in?", "QID12", "district"),
    ):
        h1.append(col)
        h2.append("Escuela" if short_text and fld == "school" else txt)
        h3.append(f'{{"ImportId":"{qid}"}}')
        truth[col] = fld
    h1.append("Q13_TEXT")
    h2.append("Anything else you would like to tell us?")
    h3.append('{"ImportId":"QID13_TEXT"}')
    truth["ResponseId"] = "respondent_id"
    truth["Duration (in seconds)"] = "duration_sec"
    rows = [h1, h2, h3]
    preview = [
        "2024-09-30 08:00:00",
        "2024-09-30 08:05:00",
        "Survey Preview",
        "",
        "100",
        "300",
        "True",
        "2024-09-30 08:05:01",
        "R_preview000001",
        "",
        "",
        "",
        "",
        "",
        "",
        "preview",
        "EN",
    ]
    rows.append(preview + ["Strongly agree"] * len(items) + ["S01", "Classroom teacher", "D1", ""])
    for n, r in enumerate(df.itertuples(index=False)):
        d = r._asdict()
        m = [
            f"2024-10-{1 + n % 20:02d} 09:{n % 60:02d}:00",
            f"2024-10-{1 + n % 20:02d} 09:{(n + 7) % 60:02d}:00",
            "IP Address",
            f"10.0.{n // 200}.{n % 200}",
            "100",
            str(300 + 7 * n),
            "True",
            f"2024-10-{1 + n % 20:02d} 09:{(n + 7) % 60:02d}:05",
            d["respondent_id"],
            f"Family{n}",
            f"Given{n}",
            f"person{n}@example.org",
            "",
            "39.7",
            "-104.9",
            "email",
            "EN",
        ]
        vals = [_cell(d[it], QUALTRICS_LABELS) for it in items]
        rows.append(
            m
            + vals
            + [d["school"], ROLE_TEXT[d["role"]], d["district"], "More time please" if n % 9 == 0 else ""]
        )
    return rows, truth


LEGACY_IDS = (
    ("Q10", "Which school do you work in?", "school"),
    ("Q11", "Which best describes your role?", "role"),
    ("Q12", "Which district is your school in?", "district"),
)


def qualtrics_legacy(
    df: pd.DataFrame, inst, *, blocks=None, ids=LEGACY_IDS, ids_first: bool = False
) -> tuple[list[list], dict]:
    """``blocks``: (question id, prompt, items) per matrix question (default: one per 1.0.0 domain);
    ``ids``: (question id, text, field) of the id questions, written after the items unless ``ids_first``.
    Answers are numeric (``_cell``): a recode value such as 9 is written as it is."""
    if blocks is None:
        blocks = [
            (f"Q{q}", prompt, inst.item_ids(dom)) for q, (dom, prompt) in enumerate(PROMPTS.items(), start=1)
        ]
    items = [it for _, _, its in blocks for it in its]
    names = [
        "ResponseID",
        "ResponseSet",
        "Name",
        "ExternalDataReference",
        "EmailAddress",
        "IPAddress",
        "Status",
        "StartDate",
        "EndDate",
        "Finished",
    ]
    h1 = [f"V{k}" for k in range(1, 11)]
    h2 = list(names)
    truth = {"V1": "respondent_id"}
    texts = dict(zip(inst.items["id"], inst.items["text"]))
    ih1, ih2 = [], []
    for qid, prompt, its in blocks:
        for k, it in enumerate(its, start=1):
            ih1.append(f"{qid}_{k}")
            ih2.append(f"{prompt}-{texts[it]}")
            truth[f"{qid}_{k}"] = it
    for col, _, fld in ids:
        truth[col] = fld
    id_h1, id_h2 = [c for c, _, _ in ids], [t for _, t, _ in ids]
    h1 += id_h1 + ih1 if ids_first else ih1 + id_h1
    h2 += id_h2 + ih2 if ids_first else ih2 + id_h2
    rows = [h1, h2]
    role_code = {"teacher": "1", "leader": "2", "district": "3"}
    for n, r in enumerate(df.itertuples(index=False)):
        d = r._asdict()
        m = [
            d["respondent_id"],
            "Default Response Set",
            "Anonymous",
            "",
            "",
            f"10.1.0.{n}",
            "0",
            f"2015-04-{1 + n % 28:02d} 10:00:00",
            f"2015-04-{1 + n % 28:02d} 10:09:00",
            "1",
        ]
        idv = {"school": d["school"], "role": role_code[d["role"]], "district": d["district"]}
        idv = [idv[fld] for _, _, fld in ids]
        vals = [_cell(d[it]) for it in items]
        rows.append(m + (idv + vals if ids_first else vals + idv))
    return rows, truth


def surveymonkey(df: pd.DataFrame, inst, *, blocks=None, cell=None) -> tuple[list[list], dict]:
    """``blocks``: (question text, items) per matrix question (default: one per 1.0.0 domain);
    ``cell(item, value)``: the answer as written (default: the agreement label)."""
    if blocks is None:
        blocks = [(prompt, inst.item_ids(dom)) for dom, prompt in PROMPTS.items()]
    if cell is None:
        cell = lambda it, v: _cell(v, PLAIN_LABELS)  # noqa: E731
    items = [it for _, its in blocks for it in its]
    meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ]
    h1 = list(meta) + [
        "Which school do you work in?",
        "Which best describes your role?",
        "Which district is your school in?",
    ]
    h2 = [""] * len(meta) + ["Response", "Response", "Response"]
    truth = {
        "Respondent ID": "respondent_id",
        "Which school do you work in?": "school",
        "Which best describes your role?": "role",
        "Which district is your school in?": "district",
    }
    texts = dict(zip(inst.items["id"], inst.items["text"]))
    for prompt, its in blocks:
        for k, it in enumerate(its):
            h1.append(prompt if k == 0 else "")
            h2.append(texts[it])
            truth[f"{prompt} - {texts[it]}"] = it
    h1.append("Anything else you would like to tell us?")
    h2.append("Open-Ended Response")
    rows = [h1, h2]
    for n, r in enumerate(df.itertuples(index=False)):
        d = r._asdict()
        m = [
            str(11400000000 + n),
            "405000001",
            f"10/{1 + n % 28:02d}/2024 09:00:00 AM",
            f"10/{1 + n % 28:02d}/2024 09:08:00 AM",
            f"10.2.0.{n}",
            "",
            "",
            "",
            "",
        ]
        rows.append(
            m + [d["school"], ROLE_TEXT[d["role"]], d["district"]] + [cell(it, d[it]) for it in items] + [""]
        )
    return rows, truth


def google_forms(df: pd.DataFrame, inst, *, grids=None, cell=None) -> tuple[list[list], dict]:
    """``grids``: (grid title, items) per grid question (default: one per 1.0.0 domain, titled by its
    short name); ``cell(item, value)``: the answer as written (default: the agreement label)."""
    if cell is None:
        cell = lambda it, v: _cell(v, PLAIN_LABELS)  # noqa: E731
    texts = dict(zip(inst.items["id"], inst.items["text"]))
    head = ["Timestamp", "Email Address", "Your school", "Your role", "Your district"]
    # Google Forms has no response id: the submission time identifies a response
    truth = {
        "Timestamp": "respondent_id",
        "Your school": "school",
        "Your role": "role",
        "Your district": "district",
    }
    short = {
        "EX": "Expertise",
        "LM": "Learning mindset",
        "CN": "Professional norms",
        "OS": "Working together",
    }
    if grids is None:
        grids = [(short[dom], inst.item_ids(dom)) for dom in PROMPTS]
    items = [it for _, its in grids for it in its]
    for title, its in grids:
        for it in its:
            col = f"{title} [{reword(texts[it])}]"
            head.append(col)
            truth[col] = it
    rows = [head]
    for n, r in enumerate(df.itertuples(index=False)):
        d = r._asdict()
        rows.append(
            [
                f"10/{1 + n % 28}/2024 9:{n % 60:02d}:12",
                f"staff{n}@example.org",
                d["school"],
                ROLE_TEXT[d["role"]],
                d["district"],
            ]
            + [cell(it, d[it]) for it in items]
        )
    return rows, truth


def ms_forms(df: pd.DataFrame, inst, path: Path, *, items=None, cell=None) -> dict:
    """``items``: the statements in the form's order (default: the instrument's); ``cell(item, value)``:
    the answer as written (default: the agreement label)."""
    import openpyxl

    if items is None:
        items = inst.item_ids()
    if cell is None:
        cell = lambda it, v: _cell(v, PLAIN_LABELS)  # noqa: E731
    texts = dict(zip(inst.items["id"], inst.items["text"]))
    head = ["ID", "Start time", "Completion time", "Email", "Name", "School", "Role", "District"]
    truth = {"ID": "respondent_id", "School": "school", "Role": "role", "District": "district"}
    for it in items:
        head.append(texts[it])
        truth[texts[it]] = it
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(head)
    for n, r in enumerate(df.itertuples(index=False)):
        d = r._asdict()
        ws.append(
            [
                n + 1,
                f"10/{1 + n % 28}/24 9:00:00",
                f"10/{1 + n % 28}/24 9:06:00",
                "anonymous",
                "",
                d["school"],
                ROLE_TEXT[d["role"]],
                d["district"],
            ]
            + [cell(it, d[it]) or None for it in items]
        )
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return truth


def spss_frame(
    df: pd.DataFrame, inst, *, value_labels=None, no_answer: float | None = 9.0
) -> tuple[pd.DataFrame, dict, dict, dict]:
    """``value_labels(item)``: an item's value labels (default: agreement and 9 = "No answer");
    ``no_answer``: the code written for an unanswered item (None: left system-missing)."""
    items = inst.item_ids()
    texts = dict(zip(inst.items["id"], inst.items["text"]))
    out = pd.DataFrame(
        {
            "id": df["respondent_id"],
            "schl": df["school"],
            "dist": df["district"],
            "staffrole": df["role"].map({"teacher": 1, "leader": 2, "district": 3}).astype(float),
        }
    )
    labels = {"id": "Respondent identifier", "schl": "School", "dist": "District", "staffrole": "Staff role"}
    truth = {"id": "respondent_id", "schl": "school", "dist": "district", "staffrole": "role"}
    vlabels = {"staffrole": {1.0: "Teacher", 2.0: "School leader", 3.0: "District staff"}}
    for k, it in enumerate(items):
        col = f"q{k + 1}"
        v = df[it].astype(float)
        if no_answer is not None:
            v = v.where(v.notna(), no_answer)  # every unanswered item is coded 9 = No answer
        out[col] = v
        labels[col] = reword(texts[it])
        truth[col] = it
        vlabels[col] = (
            value_labels(it)
            if value_labels
            else {
                1.0: "Strongly disagree",
                2.0: "Disagree",
                3.0: "Neither agree nor disagree",
                4.0: "Agree",
                5.0: "Strongly agree",
                9.0: "No answer",
            }
        )
    return out, labels, vlabels, truth


def main() -> None:
    import pyreadstat

    inst = assetinv.load_instrument("1.0.0")  # the exports are of a 1.0.0 survey
    OUT.mkdir(parents=True, exist_ok=True)
    df = answers(inst)
    truth: dict[str, dict] = {}
    native = df.copy()
    write_csv(
        OUT / "native.csv",
        [list(native.columns)]
        + [
            [_cell(v) if c in inst.item_ids() else v for c, v in zip(native.columns, row)]
            for row in native.itertuples(index=False)
        ],
    )
    rows, truth["qualtrics.csv"] = qualtrics(df, inst)
    write_csv(OUT / "qualtrics.csv", rows, encoding="utf-8-sig")
    rows, truth["qualtrics_short_text.csv"] = qualtrics(df, inst, short_text=True)
    write_csv(OUT / "qualtrics_short_text.csv", rows, encoding="utf-8-sig")
    rows, truth["qualtrics_reworded.csv"] = qualtrics(df, inst, reworded=True)
    write_csv(OUT / "qualtrics_reworded.csv", rows, encoding="utf-8-sig")
    rows, truth["qualtrics_legacy.csv"] = qualtrics_legacy(df, inst)
    write_csv(OUT / "qualtrics_legacy.csv", rows)
    rows, truth["surveymonkey.csv"] = surveymonkey(df, inst)
    write_csv(OUT / "surveymonkey.csv", rows)
    rows, truth["google_forms.csv"] = google_forms(df, inst)
    write_csv(OUT / "google_forms.csv", rows)
    truth["ms_forms.xlsx"] = ms_forms(df, inst, OUT / "ms_forms.xlsx")
    sdf, labels, vlabels, t = spss_frame(df, inst)
    miss = {c: [9.0] for c in sdf.columns if c.startswith("q")}
    pyreadstat.write_sav(
        sdf, str(OUT / "spss.sav"), column_labels=labels, variable_value_labels=vlabels, missing_ranges=miss
    )
    pyreadstat.write_sav(
        sdf,
        str(OUT / "spss.zsav"),
        column_labels=labels,
        variable_value_labels=vlabels,
        missing_ranges=miss,
        compress=True,
    )
    truth["spss.sav"] = truth["spss.zsav"] = t
    dta = sdf.copy()
    for c in dta.columns:
        if c.startswith("q"):
            dta[c] = dta[c].where(dta[c] != 9.0)  # Stata: unanswered is system missing
    # Stata variable labels hold at most 80 characters (Stata truncates longer ones)
    pyreadstat.write_dta(
        dta,
        str(OUT / "stata.dta"),
        column_labels={k: v[:80] for k, v in labels.items()},
        variable_value_labels={k: {int(a): b for a, b in v.items() if a != 9.0} for k, v in vlabels.items()},
    )
    truth["stata.dta"] = t
    inst.items[["id", "text"]].to_csv(OUT / "items.csv", index=False)  # read by make_haven_sav.R
    truth["haven_user_missing.sav"] = {
        "resp": "respondent_id",
        "school": "school",
        "district": "district",
        "staff_role": "role",
        **{f"item_{k + 1:02d}": it for k, it in enumerate(inst.item_ids())},
    }
    (OUT / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
