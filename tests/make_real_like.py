"""Write tests/fixtures/real_like/: a small study as a network would bring it, not in assetinv's layout.

    python tests/make_real_like.py

* ``exports/staff_survey.csv`` - a current Qualtrics CSV export ("Use choice text") whose columns are question
  numbers (``Q1_1`` ... ``Q4_8``, ``Q10`` school, ``Q11`` role, ``Q12`` district): row 2 holds the question text
  ("matrix question - statement"), row 3 the ImportId JSON, with Qualtrics' metadata columns, a Survey Preview
  row and Qualtrics' default agreement labels ("Somewhat agree"). Written by the same code as
  ``tests/fixtures/exports/qualtrics.csv`` (``tests/make_export_fixtures.py``). One wave (baseline).
* ``staff_roster.csv`` - staff invited per school, role and wave, with the column names and role labels of an
  HR spreadsheet (``School ID, District ID, Role, Wave, Number invited``; role labels such as
  "School leader").
* ``schools.csv`` - ``school, district, name``.
* ``interviews/asset_interviews.qdpx`` - a MAXQDA-like REFI-QDA project of the coded interviews: code names in
  the evaluators' words under codable parent codes ("Barriers" > "Not enough time"), document variables
  ``Site`` and ``Position`` ("Classroom teacher", "Principal"), two coders.
* ``truth.json`` - the answer key: the codebook id of every QDA code (the edits step 2 of the README makes).

The answers come from ``assetinv.simulate_study(seed=77)``; everything is invented.
"""

from __future__ import annotations

import io
import json
import sys
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures" / "real_like"
sys.path.insert(0, str(HERE))

from make_export_fixtures import qualtrics, write_csv  # noqa: E402
from make_qda_fixtures import MAXQDA_TREE  # noqa: E402

import assetinv  # noqa: E402

NS = "urn:QDA-XML:project:1.0"
POSITION = {"teacher": "Classroom teacher", "leader": "Principal"}
ROLE_LABEL = {"teacher": "Teacher", "leader": "School leader", "district": "District staff"}


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _guid(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://example.org/real_like/{key}")).upper()


def write_project(codings, path: Path) -> dict:
    """A MAXQDA-like project of the tidy codings: natural code names, variables Site and Position."""
    ET.register_namespace("", NS)
    stamp = "2025-05-12T15:30:00Z"
    root = ET.Element(
        _q("Project"),
        {
            "name": "Asset interviews 2025",
            "origin": "MAXQDA 2022 (Release 22.7.0)",
            "creationDateTime": stamp,
        },
    )
    users = ET.SubElement(root, _q("Users"))
    coders = sorted(set(codings["coder"]))
    for c in coders:
        ET.SubElement(users, _q("User"), {"guid": _guid("user:" + c), "name": c.upper(), "id": c})
    codes = ET.SubElement(ET.SubElement(root, _q("CodeBook")), _q("Codes"))
    guid_of = {}
    for parent, members in MAXQDA_TREE.items():
        pel = ET.SubElement(
            codes,
            _q("Code"),
            {"guid": _guid("code:" + parent), "name": parent, "isCodable": "true", "color": "#4F81BD"},
        )
        for name, cid in members.items():
            guid_of[cid] = _guid(f"code:{parent}/{name}")
            ET.SubElement(
                pel, _q("Code"), {"guid": guid_of[cid], "name": name, "isCodable": "true", "color": "#4F81BD"}
            )
    variables = ET.SubElement(root, _q("Variables"))
    for v in ("Site", "Position"):
        ET.SubElement(
            variables, _q("Variable"), {"guid": _guid("var:" + v), "name": v, "typeOfVariable": "Text"}
        )
    sources = ET.SubElement(root, _q("Sources"))
    files = {}
    for itv, g in codings.groupby("interview_id", sort=True):
        sg = _guid("src:" + itv)
        src = ET.SubElement(
            sources,
            _q("TextSource"),
            {
                "guid": sg,
                "name": f"{itv} transcript",
                "richTextPath": f"internal://{sg}.docx",
                "plainTextPath": f"internal://{sg}.txt",
                "creatingUser": _guid("user:" + coders[0]),
                "creationDateTime": stamp,
            },
        )
        parts, pos = [], 0
        for ex, eg in g.groupby("excerpt_id", sort=True):
            text = str(eg["text"].iloc[0])
            lead = "I: Tell me more.\nR: "
            parts.append(lead)
            start = pos + len(lead)
            parts.append(text + "\n")
            pos = start + len(text) + 1
            sel = ET.SubElement(
                src,
                _q("PlainTextSelection"),
                {
                    "guid": _guid("sel:" + ex),
                    "name": ex,
                    "startPosition": str(start),
                    "endPosition": str(start + len(text)),
                    "creatingUser": _guid("user:" + eg["coder"].iloc[0]),
                    "creationDateTime": stamp,
                },
            )
            for rec in eg.itertuples(index=False):
                if rec.code == "NO-CODE":
                    continue
                c = ET.SubElement(
                    sel,
                    _q("Coding"),
                    {
                        "guid": _guid(f"coding:{ex}:{rec.coder}:{rec.code}"),
                        "creatingUser": _guid("user:" + rec.coder),
                        "creationDateTime": stamp,
                    },
                )
                ET.SubElement(c, _q("CodeRef"), {"targetGUID": guid_of[rec.code]})
        first = g.iloc[0]
        for v, val in (("Site", first["school"]), ("Position", POSITION[first["role"]])):
            vv = ET.SubElement(src, _q("VariableValue"))
            ET.SubElement(vv, _q("VariableRef"), {"targetGUID": _guid("var:" + v)})
            ET.SubElement(vv, _q("TextValue")).text = val
        files[f"Sources/{sg}.txt"] = "".join(parts)
    ET.indent(root, space="  ")
    qde = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in [("project.qde", qde)] + [(k, v.encode("utf-8")) for k, v in sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=(2025, 5, 12, 15, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return {name: cid for parent, members in MAXQDA_TREE.items() for name, cid in members.items()}


def main() -> None:
    inst = assetinv.load_instrument("1.0.0")  # a study fielded with 1.0.0 (its QDA codes are 1.0.0's too)
    st = assetinv.simulate_study(
        instrument=inst,
        seed=77,
        n_schools=6,
        n_districts=2,
        respondents_per_school=22,
        waves=("baseline",),
        n_interviews=14,
        double_coded_share=0.4,
    )
    (OUT / "exports").mkdir(parents=True, exist_ok=True)
    resp = st.responses.copy()
    for it in inst.item_ids():
        resp[it] = resp[it].astype("float64")  # Int64 <NA> -> NaN, an empty cell
    rows, _ = qualtrics(resp, inst)
    write_csv(OUT / "exports" / "staff_survey.csv", rows)
    ro = st.roster.copy()
    ro["role"] = ro["role"].map(ROLE_LABEL)
    ro["wave"] = ro["wave"].map({"baseline": "Baseline"})
    ro.columns = ["School ID", "District ID", "Role", "Wave", "Number invited"]
    ro.to_csv(OUT / "staff_roster.csv", index=False, lineterminator="\n")
    st.schools.to_csv(OUT / "schools.csv", index=False, lineterminator="\n")
    codes = write_project(st.codings, OUT / "interviews" / "asset_interviews.qdpx")
    (OUT / "truth.json").write_text(
        json.dumps(
            {"codes": codes, "position": {"Classroom teacher": "teacher", "Principal": "leader"}},
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
