"""Write tests/fixtures/exports_v2/: a Qualtrics export of an instrument 2.0.0 survey, with its role forms.

Run ``python tests/make_export_v2.py`` (then ``Rscript tests/make_haven_sav_v2.R``). It writes:

* ``qualtrics_forms.csv`` -- one Qualtrics survey for all staff, as Qualtrics writes a CSV export with "Use
  choice text": row 1 question ids, row 2 question text ("matrix question - statement"), row 3 ImportId
  JSON, then a Survey Preview row and the responses. The role question comes first; display logic shows
  each statement only to the roles whose form asks it, so statements a role was not shown are empty
  cells. Each domain has one matrix question per answer scale (agreement, frequency, count), whose choices are
  the instrument's labels plus "Don't know / Not applicable".
* ``native.csv`` -- the same answers in assetinv's layout, Don't know as code 9 (the reference).
* ``truth.json`` -- which export column holds which item or id field.
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
from make_export_fixtures import ROLE_TEXT, write_csv  # noqa: E402

import assetinv  # noqa: E402

OUT = Path(__file__).resolve().parent / "fixtures" / "exports_v2"
PROMPTS = {
    ("EX", "agree"): "How far do you agree with these statements about expertise?",
    ("EX", "frequency"): "This school year, how often did the following happen?",
    ("LM", "agree"): "How far do you agree with these statements about the adults in the school?",
    ("LM", "frequency"): "This school year, how often did the following happen in STEM classes?",
    ("CN", "agree"): "How far do you agree with these statements about how teachers are treated?",
    ("CN", "frequency"): "This school year, how often did the following happen?",
    ("OS", "agree"): "How far do you agree with these statements about working together?",
    ("OS", "frequency"): "This school year, how often did the following happen?",
    ("EX", "count"): "This school year, how many times did the following happen?",
    ("LM", "count"): "This school year, how many times did you do the following?",
    ("CN", "count"): "This school year, how many times did the following happen?",
    ("OS", "count"): "This school year, how many times did the following happen?",
}
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


def _blocks(inst) -> list[tuple[str, str, list[str]]]:
    """(question id, question text, items) per domain and answer scale, in the instrument's order."""
    out = []
    q = 4  # Q1-Q3 are role, school and district
    for dom in inst.domains["id"]:
        for scale in ("agree", "frequency", "count"):
            items = [i for i in inst.item_ids(dom) if inst.item_scale(i).id == scale]
            if items:
                out.append((f"Q{q}", PROMPTS[(dom, scale)], items))
                q += 1
    return out


def _answer(inst, item: str, value, dont_know: bool) -> str:
    scale = inst.item_scale(item)
    if dont_know:
        return str(scale.dont_know_label)
    if value is None or pd.isna(value):
        return ""
    return scale.labels[int(value)]


def _plain(v) -> str:
    if v is None or pd.isna(v):
        return ""
    return str(int(v)) if isinstance(v, (float, np.floating, np.integer, int)) else str(v)


def main() -> None:
    """Write the three files."""
    inst = assetinv.load_instrument("2.0.0")
    st = assetinv.simulate_study(
        seed=31, n_schools=4, n_districts=2, respondents_per_school=14, waves=("baseline",), instrument=inst
    )
    resp = st.responses.reset_index(drop=True)
    dk = st.dont_know.reset_index(drop=True)
    items = inst.item_ids()
    blocks = _blocks(inst)
    h1, h2, h3 = [m[0] for m in META], [m[1] for m in META], [m[2] for m in META]
    truth = {"ResponseId": "respondent_id", "Duration (in seconds)": "duration_sec"}
    for col, text, fld in (
        ("Q1", "Which best describes your role?", "role"),
        ("Q2", "Which school do you work in (or work with most)?", "school"),
        ("Q3", "Which district?", "district"),
    ):
        h1.append(col)
        h2.append(text)
        h3.append(f'{{"ImportId":"QID{col[1:]}"}}')
        truth[col] = fld
    order = []
    for qid, prompt, its in blocks:
        for k, it in enumerate(its, start=1):
            h1.append(f"{qid}_{k}")
            h2.append(f"{prompt} - {inst.items.set_index('id').loc[it, 'text']}")
            h3.append(f'{{"ImportId":"QID{qid[1:]}_{k}"}}')
            truth[f"{qid}_{k}"] = it
            order.append(it)
    assert sorted(order) == sorted(items)
    rows = [h1, h2, h3]
    preview = ["2025-09-02 08:00:00", "2025-09-02 08:04:00", "Survey Preview", "100", "240", "True"]
    preview += ["2025-09-02 08:04:01", "R_preview00000001", "preview", "EN", "Classroom teacher", "S01", "D1"]
    rows.append(preview + [""] * len(order))
    for n, r in resp.iterrows():
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
                ROLE_TEXT[r["role"]],
                r["school"],
                r["district"],
            ]
            + [_answer(inst, it, r[it], bool(dk.loc[n, it])) for it in order]
        )
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "qualtrics_forms.csv", rows, encoding="utf-8-sig")
    native = resp[["respondent_id", "school", "district", "role", "wave", *items, "duration_sec"]].copy()
    for it in items:
        native[it] = native[it].astype("float64").mask(dk[it].astype(bool), 9.0)
    native_rows = [list(native.columns)] + [
        [_plain(v) for v in row] for row in native.itertuples(index=False)
    ]
    write_csv(OUT / "native.csv", native_rows)
    (OUT / "truth.json").write_text(
        json.dumps({"qualtrics_forms.csv": truth}, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
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
