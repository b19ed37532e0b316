"""Write tests/fixtures/exports_v2/: exports of one instrument 2.0.0 survey, in the layout of each platform.

Run ``python tests/make_export_v2.py`` (then ``Rscript tests/make_haven_sav_v2.R``). Every file holds the
same answers (``native.csv``), of a survey with role forms (each item asked only of the roles whose form
has it), per-item answer scales (agreement, frequency, count, share) and a "Don't know / Not applicable"
choice:

* ``qualtrics_forms.csv`` -- one Qualtrics survey for all staff, as Qualtrics writes a CSV export with "Use
  choice text": row 1 question ids, row 2 question text ("matrix question - statement"), row 3 ImportId
  JSON, then a Survey Preview row and the responses. The role question comes first; display logic shows
  each statement only to the roles whose form asks it, so statements a role was not shown are empty
  cells. Each domain has one matrix question per answer scale (agreement, frequency, count, share), whose
  choices are the instrument's labels plus "Don't know / Not applicable".
* ``qualtrics_reworded.csv`` -- the same survey with every statement reworded by hand (a network's own copy).
* ``qualtrics_short_text.csv`` -- the same survey exported with "Use numeric values": every choice is its
  recode value (the scale point, 9 for Don't know, 1/2/3 for the role), and row 2 holds short, non-English
  question text ("P4 - 1", "Escuela").
* ``qualtrics_legacy.csv`` -- the legacy layout (``make_export_fixtures.qualtrics_legacy``): row 1 ``V1``-``V10``
  then question ids, row 2 the metadata names and "prompt-statement", numeric recode values (9 = Don't know).
* ``google_forms.csv``, ``ms_forms.xlsx``, ``surveymonkey.csv`` -- the form tools branch by section (page),
  not by statement: the role question on the first page sends teachers to a teachers-only section, leaders to
  a leaders-only section, both then to a section for teachers and leaders, district staff to their own
  section; each section has one grid / Likert / matrix question per domain and answer scale, whose columns are
  the scale's labels and "Don't know / Not applicable". Sections a respondent was not sent to are empty cells.
  Written by ``make_export_fixtures.google_forms`` (grid headers ``Question [Row]``, statements edited by the
  form's author), ``.ms_forms`` and ``.surveymonkey`` (two header rows).
* ``spss.sav`` / ``spss.zsav`` -- SPSS (pyreadstat, ``make_export_fixtures.spss_frame``): variables ``q1``...,
  variable labels the edited statement, value labels of each item's own scale plus 9 = "Don't know / Not
  applicable", declared user-missing; unshown and skipped items system-missing.
* ``stata.dta`` -- Stata: the same, 9 a plain labelled value (Stata has no user-missing codes), variable
  labels cut to Stata's 80 characters.
* ``native.csv`` -- the same answers in assetinv's layout, Don't know as code 9 (the reference).
* ``truth.json`` -- per file, which export column holds which item or id field.
* ``items.csv`` -- each item's text and value labels, read by ``tests/make_haven_sav_v2.R``, which writes
  ``haven_forms.sav`` and ``haven_tagged.dta`` the way R haven writes SPSS and Stata files (see that script).

The answers are ``assetinv.simulate_study(seed=31, instrument="2.0.0")`` at a small size; all invented.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_export_fixtures as v1  # noqa: E402
from _support import pin_zip  # noqa: E402
from make_export_fixtures import ROLE_TEXT, write_csv  # noqa: E402

import assetinv  # noqa: E402

OUT = Path(__file__).resolve().parent / "fixtures" / "exports_v2"
PROMPTS = {
    ("EX", "agree"): "How far do you agree with these statements about expertise?",
    ("EX", "frequency"): "In the past 12 months, how often did the following happen?",
    ("LM", "agree"): "How far do you agree with these statements about the adults in the school?",
    ("LM", "frequency"): "In the past 12 months, how often did the following happen in STEM classes?",
    ("CN", "agree"): "How far do you agree with these statements about how teachers are treated?",
    ("CN", "frequency"): "In the past 12 months, how often did the following happen?",
    ("OS", "agree"): "How far do you agree with these statements about working together?",
    ("OS", "frequency"): "In the past 12 months, how often did the following happen?",
    ("EX", "count"): "In the past 12 months, how many times did the following happen?",
    ("LM", "count"): "In the past 12 months, how many times did you do the following?",
    ("CN", "count"): "In the past 12 months, how many times did the following happen?",
    ("OS", "count"): "In the past 12 months, how many times did the following happen?",
    ("EX", "share"): "In the past 12 months, how many of this school's teachers did the following?",
    ("LM", "share"): "In the past 12 months, how many of your teachers did the following in STEM classes?",
    ("OS", "share"): "In the past 12 months, how many of this school's teachers did the following?",
}
SCALES = ("agree", "frequency", "count", "share")
# The form tools' sections, in the form's order, and the roles sent to each (see the module docstring).
SECTIONS = (
    ("Teachers", {"teacher"}),
    ("School leaders", {"leader"}),
    ("Teachers and school leaders", {"teacher", "leader"}),
    ("District staff", {"district"}),
)
ROLE_CODE = {"teacher": "1", "leader": "2", "district": "3"}  # the role question's recode values
META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Chicago"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Chicago"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"America/Chicago"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]
ID_QUESTIONS = (
    ("Q1", "Which best describes your role?", "role"),
    ("Q2", "Which school do you work in (or work with most)?", "school"),
    ("Q3", "Which district?", "district"),
)

# A wording a school network might have used in its own copy of the 2.0.0 survey (rewritten by hand).
PARAPHRASE = {
    "EX09": "Teachers here know which of their colleagues are experts in particular STEM topics.",
    "EX10": "Teachers at our school know a great deal about how to teach their STEM subjects.",
    "EX11": "This year I showed a colleague some of my STEM teaching know-how, such as a lab activity I use.",
    "EX12": "Our school makes use of what teachers learned in jobs they held before teaching.",
    "EX13": "Good STEM teaching practice travels from one classroom to others in our school.",
    "EX14": "Good STEM teaching practice stays in the one classroom where it began.",
    "EX15": "This year I planned lessons together with a teacher of my own STEM subject, here or at another school.",
    "EX16": "The coaching our teachers get rests on sound knowledge of STEM content.",
    "EX17": "This year my professional learning was linked to the STEM content I was teaching then.",
    "EX23": "This year I ran a professional learning session for my colleagues.",
    "EX24": "This year, how many teachers here ran a professional learning session for colleagues?",
    "EX18": "The district knows which teachers in my schools are strong at teaching STEM.",
    "EX25": "The district has to guess which teachers in my schools are strong at teaching STEM.",
    "EX19": "This year the district asked expert STEM teachers from my schools to run professional learning for other teachers.",
    "EX20": "The instructional coaches in my schools know their STEM content well.",
    "EX21": "This year the district linked teachers in my schools with STEM expertise from outside, e.g. a university or science center.",
    "EX22": "A teacher who is the only one in the building teaching a STEM subject is put in touch with peers at other schools.",
    "LM09": "Teachers here see their own teaching as something they can always get better at.",
    "LM10": "Teachers here speak openly to colleagues about lessons that did not go well.",
    "LM11": "Teachers here feel safe trying a new way of teaching that might not work at first.",
    "LM12": "Teachers here feel that trying a new way of teaching that might not work at first is risky.",
    "LM13": "New teachers' questions are welcome here.",
    "LM14": "Teachers here expect all students to succeed in challenging STEM work.",
    "LM15": "This year I compared how different student groups were doing in my STEM classes.",
    "LM16": "This year I adapted STEM lessons so that English learners could fully take part.",
    "LM17": "This year I linked STEM lessons to students' lives outside school.",
    "LM18": "This year I encouraged students underrepresented in advanced STEM courses to sign up for them.",
    "LM19": "This year I asked a colleague to give me feedback on my teaching.",
    "LM20": "This year, how many teachers here compared how different student groups were doing in their STEM classes?",
    "LM21": "This year, how many teachers here adapted STEM lessons so that English learners could fully take part?",
    "LM22": "This year, how many teachers here linked STEM lessons to students' lives outside school?",
    "LM23": "This year, how many teachers here encouraged students underrepresented in advanced STEM courses to sign up for them?",
    "LM24": "Teachers here keep lessons that did not go well to themselves.",
    "CN09": "Teachers are asked what they think before curriculum decisions are made here.",
    "CN10": "Leaders here stand by a teacher whose new approach draws complaints.",
    "CN11": "Teachers here decide how to teach their own lessons.",
    "CN12": "Here, someone other than the teacher decides how lessons are taught.",
    "CN13": "Teachers' time outside class here goes mostly to tasks that help students learn.",
    "CN14": "Teachers' professional achievements are recognized in public here.",
    "CN15": "Teachers respected outside the school have influence within it.",
    "CN16": "I am comfortable raising questions about a new requirement with the school's leaders.",
    "CN17": "Teacher leaders who still teach take part in decisions here.",
    "CN18": "Teachers here trust each other to do their share of the work.",
    "CN19": "Teachers here trust school leaders to keep their commitments.",
    "CN20": "The district asks teachers in my schools for their views before deciding on STEM curriculum.",
    "CN21": "This year the district recognized in public what teachers in my schools achieved.",
    "CN22": "In my schools, the reports the district requires from teachers are used to improve teaching.",
    "CN23": "This year the district asked a group of teachers from my schools for ideas about a district decision.",
    "CN24": "In my schools, the district explains to teachers what its new requirements are for.",
    "CN26": "Teachers here hold each other to high standards of professional work.",
    "CN27": "Teachers here put forward their own ideas for improving STEM teaching.",
    "CN28": "Teachers here respect each other's professional judgment.",
    "CN29": "Teachers here speak up when they disagree with a decision the school made.",
    "CN30": "Teachers here second-guess each other's professional judgment.",
    "CN31": "In my schools, the reports the district requires from teachers get filed away once they are checked.",
    "OS09": "This year I had time in my schedule to plan lessons with colleagues.",
    "OS10": "This year the teacher team meetings I went to were about teaching and learning.",
    "OS11": "This year the teacher team meetings I went to were about administrative matters.",
    "OS12": "This year I looked at student work with colleagues to decide what to change in my teaching.",
    "OS13": "Changes teachers here plan together lead to better work from students.",
    "OS14": "This year I changed my teaching because of work I did with colleagues.",
    "OS15": "This year I watched a colleague teach a lesson.",
    "OS16": "Over the past year, support from my different programs, such as coaching and workshops, pointed the same way.",
    "OS17": "This year I took part in professional learning together with teachers from other schools.",
    "OS18": "This year I was told what happened with the feedback I gave.",
    "OS19": "New initiatives here are given enough time to be put into practice.",
    "OS20": "Teachers here can take on leadership roles and keep their own classes.",
    "OS21": "This year the school and its outside partners planned teachers' professional learning together.",
    "OS22": "This year the school shared teaching resources, e.g. lab equipment or curriculum units, with other schools.",
    "OS23": "Over the last five years, the school has had partnerships with outside organizations on teachers' STEM learning.",
    "OS25": "This year the coaches working here met coaches from other schools to improve their coaching.",
    "OS26": "This year the school and its outside partners shared data to improve their joint work.",
    "OS27": "In my schools, the district coordinates the coaching schools receive from different organizations.",
    "OS28": "In my schools, the district's earlier partnerships on STEM teacher learning were worth the time.",
    "OS29": "This year the principals of my schools met as a group to solve problems together.",
    "OS30": "This year the district ran shared professional learning days bringing together teachers from several of my schools.",
    "OS31": "This year the district helped my schools share teaching resources with each other.",
    "OS32": "This year, how many teachers here looked at student work together to decide what to change in their teaching?",
    "OS33": "This year, how many teachers here watched a colleague teach a lesson?",
    "OS34": "This year, how many teachers here took part in professional learning together with teachers from other schools?",
    "OS36": "In my schools, the coaching from different organizations pulls teachers in different directions.",
    "OS37": "Changes teachers here plan together fade before they reach students' work.",
}


def _blocks(inst) -> list[tuple[str, str, list[str]]]:
    """(question id, question text, items) per domain and answer scale, in the instrument's order."""
    out = []
    q = 4  # Q1-Q3 are role, school and district
    for dom in inst.domains["id"]:
        for scale in SCALES:
            items = [i for i in inst.item_ids(dom) if inst.item_scale(i).id == scale]
            if items:
                out.append((f"Q{q}", PROMPTS[(dom, scale)], items))
                q += 1
    return out


def _sections(inst) -> list[tuple[str, list[str]]]:
    """(question text, items) per grid question of the form tools: per section, domain and answer scale."""
    out = []
    for _, roles in SECTIONS:
        for dom in inst.domains["id"]:
            for scale in SCALES:
                items = [
                    i
                    for i in inst.item_ids(dom)
                    if inst.item_scale(i).id == scale and set(inst.item_roles[i]) == roles
                ]
                if items:
                    out.append((PROMPTS[(dom, scale)], items))
    assert sorted(i for _, its in out for i in its) == sorted(inst.item_ids())  # every item in one section
    return out


def _label_cell(inst):
    """cell(item, value): the choice text a respondent clicked (the scale's label, or Don't know)."""

    def cell(item: str, value) -> str:
        if value is None or pd.isna(value):
            return ""
        scale = inst.item_scale(item)
        return str(scale.dont_know_label) if int(value) == scale.dont_know_code else scale.labels[int(value)]

    return cell


def _plain(v) -> str:
    if v is None or pd.isna(v):
        return ""
    return str(int(v)) if isinstance(v, (float, np.floating, np.integer, int)) else str(v)


def qualtrics(
    inst, native: pd.DataFrame, *, texts: dict | None = None, short_text: bool = False, numeric: bool = False
) -> tuple[list[list], dict]:
    """The current Qualtrics CSV layout of the survey (see the module docstring).

    ``texts``: each item's statement as the survey words it (default: the instrument's); ``short_text``:
    row 2 holds short question text ("P4 - 1"); ``numeric``: "Use numeric values" (recode values).
    """
    items = inst.item_ids()
    texts = texts or dict(zip(inst.items["id"], inst.items["text"]))
    label = _label_cell(inst)
    h1, h2, h3 = [m[0] for m in META], [m[1] for m in META], [m[2] for m in META]
    truth = {"ResponseId": "respondent_id", "Duration (in seconds)": "duration_sec"}
    for col, text, fld in ID_QUESTIONS:
        h1.append(col)
        h2.append("Escuela" if short_text and fld == "school" else text)
        h3.append(f'{{"ImportId":"QID{col[1:]}"}}')
        truth[col] = fld
    order = []
    for qid, prompt, its in _blocks(inst):
        for k, it in enumerate(its, start=1):
            h1.append(f"{qid}_{k}")
            h2.append(f"P{qid[1:]} - {k}" if short_text else f"{prompt} - {texts[it]}")
            h3.append(f'{{"ImportId":"QID{qid[1:]}_{k}"}}')
            truth[f"{qid}_{k}"] = it
            order.append(it)
    assert sorted(order) == sorted(items)
    role = ROLE_CODE if numeric else ROLE_TEXT
    rows = [h1, h2, h3]
    preview = ["2025-09-02 08:00:00", "2025-09-02 08:04:00", "Survey Preview", "100", "240", "True"]
    preview += ["2025-09-02 08:04:01", "R_preview00000001", "preview", "EN", role["teacher"], "S01", "D1"]
    rows.append(preview + [""] * len(order))
    for n, r in native.iterrows():
        day = f"2025-09-{3 + n % 20:02d}"
        rows.append(
            [
                f"{day} 10:{n % 60:02d}:00",
                f"{day} 10:{(n + 9) % 60:02d}:00",
                "IP Address",
                "100",
                str(int(r["duration_sec"])),
                "True",
                f"{day} 10:{(n + 9) % 60:02d}:04",
                r["respondent_id"],
                "anonymous",
                "EN",
                role[r["role"]],
                r["school"],
                r["district"],
            ]
            + [_plain(r[it]) if numeric else label(it, r[it]) for it in order]
        )
    return rows, truth


def _native(inst, st) -> pd.DataFrame:
    """The answers in assetinv's layout, Don't know as its code (9)."""
    resp = st.responses.reset_index(drop=True)
    dk = st.dont_know.reset_index(drop=True)
    items = inst.item_ids()
    native = resp[["respondent_id", "school", "district", "role", "wave", *items, "duration_sec"]].copy()
    for it in items:
        native[it] = native[it].astype("float64").mask(dk[it].astype(bool), 9.0)
    return native


def _value_labels(inst, item: str) -> dict[float, str]:
    """An item's SPSS value labels: its own scale's labels and its Don't-know code."""
    sc = inst.item_scale(item)
    return {float(k): v for k, v in sc.labels.items()} | {float(sc.dont_know_code): str(sc.dont_know_label)}


# The binary files carry the time they were written; each is pinned to this one, so a rerun gives the same bytes.
_STAMP = (2025, 9, 1, 0, 0, 0)


def _pin_xlsx(path: Path) -> None:
    """Rewrite an openpyxl workbook with fixed zip entry dates and document properties."""
    path.write_bytes(pin_zip(path.read_bytes(), _STAMP))


def _pin_readstat(path: Path) -> None:
    """Pin the creation time ReadStat writes into an SPSS (.sav, .zsav) or Stata (.dta) header."""
    data = bytearray(path.read_bytes())
    if data[:4] in (b"$FL2", b"$FL3"):  # SPSS: creation_date(9) and creation_time(8) at byte 92
        data[92:109] = b"01 Sep 2500:00:00"
    else:  # Stata 117+: <timestamp>, a length byte, "dd Mon yyyy hh:mm"
        k = data.index(b"<timestamp>") + len(b"<timestamp>")
        assert data[k] == 17, data[k : k + 20]
        data[k + 1 : k + 18] = b"01 Sep 2025 00:00"
    path.write_bytes(bytes(data))


def main() -> None:
    """Write every file but the two R haven ones."""
    import pyreadstat

    inst = assetinv.load_instrument("2.0.0")
    st = assetinv.simulate_study(
        seed=31, n_schools=4, n_districts=2, respondents_per_school=14, waves=("baseline",), instrument=inst
    )
    items = inst.item_ids()
    native = _native(inst, st)
    OUT.mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict] = {}
    for name, kw in (
        ("qualtrics_forms.csv", {}),
        ("qualtrics_reworded.csv", {"texts": PARAPHRASE}),
        ("qualtrics_short_text.csv", {"short_text": True, "numeric": True}),
    ):
        rows, truth[name] = qualtrics(inst, native, **kw)
        write_csv(OUT / name, rows, encoding="utf-8-sig")
    rows, truth["qualtrics_legacy.csv"] = v1.qualtrics_legacy(
        native, inst, blocks=_blocks(inst), ids=ID_QUESTIONS, ids_first=True
    )
    write_csv(OUT / "qualtrics_legacy.csv", rows)
    label, grids = _label_cell(inst), _sections(inst)
    rows, truth["google_forms.csv"] = v1.google_forms(native, inst, grids=grids, cell=label)
    write_csv(OUT / "google_forms.csv", rows)
    rows, truth["surveymonkey.csv"] = v1.surveymonkey(native, inst, blocks=grids, cell=label)
    write_csv(OUT / "surveymonkey.csv", rows)
    form_order = [it for _, its in grids for it in its]
    truth["ms_forms.xlsx"] = v1.ms_forms(native, inst, OUT / "ms_forms.xlsx", items=form_order, cell=label)
    _pin_xlsx(OUT / "ms_forms.xlsx")
    sdf, labels, vlabels, t = v1.spss_frame(
        native, inst, value_labels=lambda it: _value_labels(inst, it), no_answer=None
    )
    miss = {c: [9.0] for c in sdf.columns if c.startswith("q")}  # Don't know declared user-missing
    for name, compress in (("spss.sav", False), ("spss.zsav", True)):
        pyreadstat.write_sav(
            sdf,
            str(OUT / name),
            column_labels=labels,
            variable_value_labels=vlabels,
            missing_ranges=miss,
            compress=compress,
        )
        truth[name] = t
    pyreadstat.write_dta(
        sdf,
        str(OUT / "stata.dta"),
        column_labels={k: v[:80] for k, v in labels.items()},  # Stata's limit
        variable_value_labels={k: {int(a): b for a, b in v.items()} for k, v in vlabels.items()},
    )
    truth["stata.dta"] = t
    for name in ("spss.sav", "spss.zsav", "stata.dta"):
        _pin_readstat(OUT / name)
    haven = {"ResponseId": "respondent_id", "school": "school", "district": "district", "staff_role": "role"}
    haven |= {"wave": "wave", "duration": "duration_sec"} | {it: it for it in items}
    truth["haven_forms.sav"] = truth["haven_tagged.dta"] = haven
    native_rows = [list(native.columns)] + [
        [_plain(v) for v in row] for row in native.itertuples(index=False)
    ]
    write_csv(OUT / "native.csv", native_rows)
    (OUT / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    _items_table(inst, items).to_csv(OUT / "items.csv", index=False)  # read by make_haven_sav_v2.R


def _items_table(inst, items: list[str]) -> pd.DataFrame:
    """Per item: text and its answer scale's value labels ("1=Never;...;9=Don't know / ..."), for R."""
    rows = []
    for it in items:
        sc = inst.item_scale(it)
        labels = dict(sc.labels) | ({sc.dont_know_code: sc.dont_know_label} if sc.dont_know_code else {})
        rows.append(
            {
                "id": it,
                "text": inst.items.set_index("id").loc[it, "text"],
                "labels": ";".join(f"{k}={v}" for k, v in sorted(labels.items())),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    main()
