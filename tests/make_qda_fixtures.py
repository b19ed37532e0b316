"""Write the REFI-QDA fixtures in tests/fixtures/qda/ the way four QDA tools export them.

    python tests/make_qda_fixtures.py

Each project follows the REFI-QDA 1.5 Project.xsd (namespace ``urn:QDA-XML:project:1.0``): ``Users``,
``CodeBook/Codes/Code`` (``guid``, ``name``, ``isCodable``, ``color``), ``Variables``, ``Cases`` with
``VariableValue`` and ``SourceRef``, ``Sources/TextSource`` (``plainTextPath="internal://<guid>.txt"``, the text
in ``Sources/``) with ``PlainTextSelection`` (0-based ``startPosition``, exclusive ``endPosition``) holding
``Coding``/``CodeRef``, and ``Sets`` with ``MemberCode targetGUID``. The tools differ the way their exports do:

* ``maxqda_like.qdpx`` - a hierarchical code tree whose parent codes are codable too, upper-case GUIDs, document
  variables (``School``, ``Position``) on each ``TextSource``, a ``richTextPath`` next to the plain text; the
  realistic one: 12 interviews, 150 selections, 200 codings, two coders.
* ``nvivo_like.qdpx`` - nodes nested under parent nodes, one ``Case`` per participant with classification
  attributes ``Site`` and ``Job Title`` and a ``SourceRef`` to the transcript.
* ``atlasti_like.qdpx`` - a flat code list ("Barrier: no time") with code groups as ``Sets`` of ``MemberCode``,
  no variables: the school and role are in the document names (``S03_leader_interview.docx``).
* ``qualcoder_like.qdpx`` - categories as non-codable codes (``isCodable="false"``) with codes under them, cases
  with attributes ``school`` and ``role``, ``PlainTextContent``-free sources in ``Sources/``.

``expected_codes.json`` holds, per fixture, the codebook id each QDA code stands for (the truth the ``map``
drafter is tested against) and the ``cases:`` crosswalk it needs. Everything is generated from fixed seeds, so
running the script again writes the same bytes. All text is invented.
"""

from __future__ import annotations

import io
import json
import random
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "fixtures" / "qda"
NS = "urn:QDA-XML:project:1.0"
_ZIP_DATE = (2025, 3, 4, 10, 12, 0)

# one or two invented sentences per codebook code (the text that gets coded)
SENTENCES = {
    "EX-SHARE": [
        "Our science lead walks new staff through the lab kits every August.",
        "When someone figures out a good lab, they show the rest of us at lunch.",
    ],
    "EX-COACH": [
        "The math coach sits in on my third period and we debrief the same day.",
        "Having the specialist model a lesson changed how I run discussions.",
    ],
    "EX-CONTENT": [
        "Two of our teachers came from engineering and really know the physics.",
        "Our chemistry teacher can explain any misconception the kids bring.",
    ],
    "EX-EXTERNAL": [
        "A researcher from the university helps us plan the robotics unit.",
        "The museum educators bring real specimens and their own know-how.",
    ],
    "EX-HIDDEN": [
        "Nobody knew she had run a coding club for years at her old school.",
        "He is brilliant with data but works alone and nobody asks him.",
    ],
    "LM-GROWTH": [
        "I still see myself as learning how to teach inquiry well.",
        "We read research together because we want to get better.",
    ],
    "LM-RISK": [
        "I tried a new modelling task and told the team honestly that it flopped.",
        "People here are not afraid to try something and say it did not work.",
    ],
    "LM-EVIDENCE": [
        "We sort student work into piles and decide what to reteach.",
        "The quiz results showed us which groups had not understood fractions.",
    ],
    "LM-EQUITY": [
        "Every student takes the advanced lab, not only the ones on the honours track.",
        "We expect our English learners to argue from evidence like everyone else.",
    ],
    "LM-NOVICE": [
        "First-year teachers can ask anything in our team and nobody rolls their eyes.",
        "My mentor told me that asking questions is part of the job.",
    ],
    "CN-AUTONOMY": [
        "The principal trusts us to adapt the curriculum for our classes.",
        "We are treated as professionals who can make our own calls.",
    ],
    "CN-LEADROLE": [
        "I lead the grade-level team and still teach five classes.",
        "Teachers run the PD sessions here, not outside presenters.",
    ],
    "CN-RECOG": [
        "The district put our STEM night in the newsletter and thanked us.",
        "Our work on the science fair was recognised at the board meeting.",
    ],
    "CN-VOICE": [
        "We voted on which assessment to use next year.",
        "Teachers sat on the committee that picked the new materials.",
    ],
    "OS-PLC": [
        "Our PLC meets every Tuesday and we look at one lesson in depth.",
        "We do lesson study twice a year with the whole department.",
    ],
    "OS-SCHED": [
        "The schedule gives the science team a common planning block.",
        "We have ninety minutes a week protected for planning together.",
    ],
    "OS-DATA": [
        "There is a routine where we share exit-ticket data every two weeks.",
        "We fill in a short form after each unit and the team reviews it.",
    ],
    "OS-COHERENT": [
        "The PD this year builds on last year instead of starting over.",
        "Each workshop ties back to the units we actually teach.",
    ],
    "OS-CROSS": [
        "Coaches from four schools meet monthly to compare notes.",
        "We share a PD day with the middle school across town.",
    ],
    "BAR-TIME": [
        "Between paperwork and duties there is no time left to plan.",
        "Reporting takes my whole prep period most days.",
    ],
    "BAR-OVERLOAD": [
        "We have six initiatives this year and none of them connect.",
        "Every year brings a new programme before the last one settles.",
    ],
    "BAR-TURNOVER": [
        "We lost three science teachers in two years.",
        "The physics post has been empty since October.",
    ],
    "BAR-MANDATE": [
        "The pacing guide came from the district with no teacher input.",
        "We were told to adopt the new platform by January, no discussion.",
    ],
    "BAR-MEETINGS": [
        "Staff meetings are mostly announcements that could be an email.",
        "We have a meeting almost every afternoon and little comes of it.",
    ],
    "ENA-BACKING": [
        "The principal stood up for us when parents questioned the new labs.",
        "Our assistant principal covers classes so we can observe each other.",
    ],
    "ENA-NETWORK": [
        "I call a teacher at another school whenever I get stuck.",
        "The network of chemistry teachers keeps me from feeling alone.",
    ],
    "ENA-PARTNER": [
        "A local company donated sensors and sends engineers to visit.",
        "The grant pays for substitutes on our planning days.",
    ],
    "ENA-TRUST": [
        "People here trust each other enough to be honest.",
        "There is real respect between staff and the leadership team.",
    ],
}

# MAXQDA-like: a code tree whose parents are codable
MAXQDA_TREE = {
    "Expertise": {
        "Knowledge sharing among staff": "EX-SHARE",
        "Instructional coaching": "EX-COACH",
        "Strong content knowledge": "EX-CONTENT",
        "Expertise from outside partners": "EX-EXTERNAL",
        "Untapped expertise": "EX-HIDDEN",
    },
    "Mindset": {
        "Teachers as learners": "LM-GROWTH",
        "Trying new things": "LM-RISK",
        "Using student work and data": "LM-EVIDENCE",
        "High expectations for all": "LM-EQUITY",
        "Supporting new teachers": "LM-NOVICE",
    },
    "Professional culture": {
        "Trust in teachers' judgement": "CN-AUTONOMY",
        "Teacher leaders": "CN-LEADROLE",
        "Recognising teachers": "CN-RECOG",
        "Say in decisions": "CN-VOICE",
    },
    "Structures": {
        "PLC meetings": "OS-PLC",
        "Common planning time": "OS-SCHED",
        "Data routines": "OS-DATA",
        "Connected PD": "OS-COHERENT",
        "Cross-school meetings": "OS-CROSS",
    },
    "Barriers": {
        "Not enough time": "BAR-TIME",
        "Too many initiatives": "BAR-OVERLOAD",
        "Staff turnover": "BAR-TURNOVER",
        "District mandates": "BAR-MANDATE",
        "Too many meetings": "BAR-MEETINGS",
    },
    "Enablers": {
        "Supportive principal": "ENA-BACKING",
        "Trust among staff": "ENA-TRUST",
        "Outside partners and grants": "ENA-PARTNER",
        "Peers in other schools": "ENA-NETWORK",
    },
}
NVIVO_TREE = {
    "Expertise": {
        "Sharing expertise": "EX-SHARE",
        "Coaches and specialists": "EX-COACH",
        "Hidden expertise": "EX-HIDDEN",
    },
    "Learning mindset": {"Growth as adults": "LM-GROWTH", "Risk taking": "LM-RISK", "Equity": "LM-EQUITY"},
    "Norms": {"Autonomy": "CN-AUTONOMY", "Teacher voice": "CN-VOICE"},
    "Structures": {"PLCs": "OS-PLC", "Scheduled time to collaborate": "OS-SCHED"},
    "Barriers": {"Time": "BAR-TIME", "Initiative overload": "BAR-OVERLOAD"},
    "Enablers": {"Relational trust": "ENA-TRUST", "Leader support": "ENA-BACKING"},
}
ATLAS_CODES = {  # flat codes; code group -> {code: id}
    "Expertise": {"Expertise: shared with colleagues": "EX-SHARE", "Expertise: coaching": "EX-COACH"},
    "Mindset": {"Mindset: experimenting": "LM-RISK", "Mindset: using evidence": "LM-EVIDENCE"},
    "Culture": {"Culture: teacher leadership": "CN-LEADROLE", "Culture: recognition": "CN-RECOG"},
    "Structures": {"Structure: PLC": "OS-PLC", "Structure: data meetings": "OS-DATA"},
    "Barriers": {"Barrier: no time": "BAR-TIME", "Barrier: turnover": "BAR-TURNOVER"},
    "Enablers": {"Enabler: partners": "ENA-PARTNER", "Enabler: trust": "ENA-TRUST"},
}
QUALCODER_TREE = {  # categories (not codable) -> codes
    "Expertise": {"expertise shared": "EX-SHARE", "content knowledge": "EX-CONTENT"},
    "Mindset": {"adult learning": "LM-GROWTH", "new teacher support": "LM-NOVICE"},
    "Norms": {"teacher voice": "CN-VOICE", "autonomy": "CN-AUTONOMY"},
    "Structures": {"planning time": "OS-SCHED", "coherent PD": "OS-COHERENT"},
    "Barriers": {"meetings": "BAR-MEETINGS", "mandates": "BAR-MANDATE"},
    "Enablers": {"networks": "ENA-NETWORK", "principal backing": "ENA-BACKING"},
}
MEMO_CODE = "Good quote"  # a working code of the analyst that is not in the codebook


def _guid(tool: str, key: str, upper: bool = False) -> str:
    g = str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://example.org/{tool}/{key}"))
    return g.upper() if upper else g


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")


def _zip(path: Path, qde: bytes, sources: dict[str, str]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in [("project.qde", qde)] + [
            (f"Sources/{k}", v.encode("utf-8")) for k, v in sorted(sources.items())
        ]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _interviews(
    rng: random.Random,
    n_sources: int,
    n_selections: int,
    codes: list[tuple[str, str]],
    n_codings: int,
    coders: list[str],
    double_share: float,
):
    """Plan: per source a list of selections, each (text, [(coder, qda code), ...])."""
    per = [n_selections // n_sources + (1 if i < n_selections % n_sources else 0) for i in range(n_sources)]
    plan = []
    total = 0
    for k in per:
        sels = []
        for _ in range(k):
            name, cid = rng.choice(codes)
            sels.append([cid, [(coders[0], name)]])
            total += 1
        plan.append(sels)
    flat = [s for sels in plan for s in sels]
    # extra codings: second coders on the same selection, and second codes
    while total < n_codings:
        s = rng.choice(flat)
        if len(coders) > 1 and rng.random() < double_share and all(c != coders[1] for c, _ in s[1]):
            s[1].append(
                (
                    coders[1],
                    next(n for n, c in codes if c == s[0]) if rng.random() < 0.8 else rng.choice(codes)[0],
                )
            )
        else:
            extra = rng.choice(codes)[0]
            if (s[1][0][0], extra) in s[1]:
                continue
            s[1].append((s[1][0][0], extra))
        total += 1
    out = []
    for sels in plan:
        parts, spans = [], []
        pos = 0
        for cid, cods in sels:
            sent = rng.choice(SENTENCES[cid])
            lead = "Interviewer: Can you say more?\nRespondent: "
            parts.append(lead)
            pos += len(lead)
            spans.append((pos, pos + len(sent), cods))
            parts.append(sent + "\n")
            pos += len(sent) + 1
        out.append(("".join(parts), spans))
    return out


def _codes_xml(
    parent: ET.Element, tree: dict, tool: str, parent_codable: bool, upper: bool, colours: list[str]
):
    guids = {}
    codes = ET.SubElement(parent, q("Codes"))
    for j, (group, members) in enumerate(tree.items()):
        g = ET.SubElement(
            codes,
            q("Code"),
            {
                "guid": _guid(tool, "code:" + group, upper),
                "name": group,
                "isCodable": "true" if parent_codable else "false",
                "color": colours[j % len(colours)],
            },
        )
        for name in members:
            guids[name] = _guid(tool, f"code:{group}/{name}", upper)
            ET.SubElement(
                g,
                q("Code"),
                {"guid": guids[name], "name": name, "isCodable": "true", "color": colours[j % len(colours)]},
            )
    return codes, guids


COLOURS = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B"]


def _selections(src: ET.Element, spans, tool, sname, users, code_guid, upper, stamp):
    for k, (start, end, cods) in enumerate(spans):
        sel = ET.SubElement(
            src,
            q("PlainTextSelection"),
            {
                "guid": _guid(tool, f"sel:{sname}:{k}", upper),
                "name": f"{sname} ({start}-{end})" if tool != "qualcoder" else f"{k + 1}",
                "startPosition": str(start),
                "endPosition": str(end),
                "creatingUser": users[cods[0][0]],
                "creationDateTime": stamp,
            },
        )
        for m, (coder, code) in enumerate(cods):
            c = ET.SubElement(
                sel,
                q("Coding"),
                {
                    "guid": _guid(tool, f"coding:{sname}:{k}:{m}", upper),
                    "creatingUser": users[coder],
                    "creationDateTime": stamp,
                },
            )
            ET.SubElement(c, q("CodeRef"), {"targetGUID": code_guid[code]})


def _users(root, tool, coders, upper):
    el = ET.SubElement(root, q("Users"))
    users = {}
    for c in coders:
        users[c] = _guid(tool, "user:" + c, upper)
        ET.SubElement(el, q("User"), {"guid": users[c], "name": c, "id": c})
    return users


def _flat(tree: dict) -> list[tuple[str, str]]:
    return [(name, cid) for members in tree.values() for name, cid in members.items()]


def _maxqda_project(tool: str, stamp: str, name: str, origin: str, coders: list[str]):
    """A MAXQDA project's root element, its users and its (empty) code book."""
    ET.register_namespace("", NS)
    root = ET.Element(q("Project"), {"name": name, "origin": origin, "creationDateTime": stamp})
    users = _users(root, tool, coders, True)
    return root, users, ET.SubElement(root, q("CodeBook"))


def _document_variables(root: ET.Element, tool: str, names: tuple[str, ...]) -> dict[str, str]:
    """MAXQDA's document variables (text), by name -> guid."""
    variables = ET.SubElement(root, q("Variables"))
    vg = {}
    for v in names:
        vg[v] = _guid(tool, "var:" + v, True)
        ET.SubElement(variables, q("Variable"), {"guid": vg[v], "name": v, "typeOfVariable": "Text"})
    return vg


def _maxqda_source(sources_el, tool, sname, users, stamp, spans, guids, vg, values: dict) -> str:
    """One MAXQDA text source (rich and plain text paths), its coded selections and its document
    variables; returns its guid (the name of its text in ``Sources/``)."""
    sg = _guid(tool, "src:" + sname, True)
    src = ET.SubElement(
        sources_el,
        q("TextSource"),
        {
            "guid": sg,
            "name": sname,
            "richTextPath": f"internal://{sg}.docx",
            "plainTextPath": f"internal://{sg}.txt",
            "creatingUser": users["AM"],
            "creationDateTime": stamp,
        },
    )
    _selections(src, spans, tool, sname, users, guids, True, stamp)
    for v, val in values.items():
        vv = ET.SubElement(src, q("VariableValue"))
        ET.SubElement(vv, q("VariableRef"), {"targetGUID": vg[v]})
        ET.SubElement(vv, q("TextValue")).text = val
    return sg


def maxqda() -> dict:
    tool, upper, stamp = "maxqda", True, "2025-03-04T10:12:00Z"
    rng = random.Random(101)
    coders = ["AM", "JK"]
    root, users, book = _maxqda_project(
        tool, stamp, "STEM asset interviews", "MAXQDA 2022 (Release 22.7.0)", coders
    )
    codes_el, guids = _codes_xml(book, MAXQDA_TREE, tool, True, upper, COLOURS)
    guids[MEMO_CODE] = _guid(tool, "code:" + MEMO_CODE, upper)
    ET.SubElement(
        codes_el,
        q("Code"),
        {"guid": guids[MEMO_CODE], "name": MEMO_CODE, "isCodable": "true", "color": "#7F7F7F"},
    )
    vg = _document_variables(root, tool, ("School", "Position"))
    sources_el = ET.SubElement(root, q("Sources"))
    codes = _flat(MAXQDA_TREE) + [(MEMO_CODE, "EX-SHARE")]
    plan = _interviews(rng, 12, 150, codes, 200, coders, 0.6)
    positions = [
        "Classroom teacher",
        "Classroom teacher",
        "Principal",
        "Classroom teacher",
        "Assistant principal",
        "District coach",
    ]
    files = {}
    for i, (text, spans) in enumerate(plan):
        school = f"S{i // 2 + 1:02d}"
        pos = positions[i % len(positions)]
        sname = f"{school}_Interview_{i + 1:02d}"
        sg = _maxqda_source(
            sources_el, tool, sname, users, stamp, spans, guids, vg, {"School": school, "Position": pos}
        )
        files[f"{sg}.txt"] = text
    _zip(HERE / "maxqda_like.qdpx", _xml(root), files)
    truth = {n: c for n, c in _flat(MAXQDA_TREE)}
    truth[MEMO_CODE] = None
    return {
        "codes": truth,
        "cases": {"school": "School", "role": "Position"},
        "role_values": {"District coach": "district"},
    }


def nvivo() -> dict:
    tool, upper, stamp = "nvivo", False, "2025-02-11T14:03:21Z"
    rng = random.Random(202)
    ET.register_namespace("", NS)
    root = ET.Element(
        q("Project"), {"name": "Asset Inventory interviews", "origin": "NVivo 14", "creationDateTime": stamp}
    )
    coders = ["Rosa Diaz", "Tom Lee"]
    users = _users(root, tool, coders, upper)
    book = ET.SubElement(root, q("CodeBook"))
    _, guids = _codes_xml(book, NVIVO_TREE, tool, True, upper, COLOURS)
    variables = ET.SubElement(root, q("Variables"))
    vg = {}
    for v in ("Site", "Job Title"):
        vg[v] = _guid(tool, "var:" + v, upper)
        ET.SubElement(variables, q("Variable"), {"guid": vg[v], "name": v, "typeOfVariable": "Text"})
    plan = _interviews(rng, 6, 42, _flat(NVIVO_TREE), 60, coders, 0.7)
    cases = ET.SubElement(root, q("Cases"))
    sources_el = ET.SubElement(root, q("Sources"))
    files = {}
    titles = ["Teacher", "Principal", "Teacher", "Teacher", "Assistant Principal", "Teacher"]
    for i, (text, spans) in enumerate(plan):
        sname = f"Interview {i + 1:02d}"
        sg = _guid(tool, "src:" + sname, upper)
        case = ET.SubElement(
            cases, q("Case"), {"guid": _guid(tool, f"case:{i}", upper), "name": f"Participant {i + 1:02d}"}
        )
        for v, val in (("Site", f"S{i // 2 + 3:02d}"), ("Job Title", titles[i])):
            vv = ET.SubElement(case, q("VariableValue"))
            ET.SubElement(vv, q("VariableRef"), {"targetGUID": vg[v]})
            ET.SubElement(vv, q("TextValue")).text = val
        ET.SubElement(case, q("SourceRef"), {"targetGUID": sg})
        src = ET.SubElement(
            sources_el,
            q("TextSource"),
            {
                "guid": sg,
                "name": sname,
                "plainTextPath": f"internal://{sg}.txt",
                "creatingUser": users[coders[0]],
                "creationDateTime": stamp,
            },
        )
        _selections(src, spans, tool, sname, users, guids, upper, stamp)
        files[f"{sg}.txt"] = text
    _zip(HERE / "nvivo_like.qdpx", _xml(root), files)
    return {"codes": {n: c for n, c in _flat(NVIVO_TREE)}, "cases": {"school": "Site", "role": "Job Title"}}


def atlasti() -> dict:
    tool, upper, stamp = "atlasti", False, "2025-01-20T09:00:00Z"
    rng = random.Random(303)
    ET.register_namespace("", NS)
    root = ET.Element(
        q("Project"), {"name": "Assets study", "origin": "ATLAS.ti 23.2.1", "creationDateTime": stamp}
    )
    coders = ["mk", "lp"]
    users = _users(root, tool, coders, upper)
    book = ET.SubElement(root, q("CodeBook"))
    codes_el = ET.SubElement(book, q("Codes"))
    guids = {}
    flat = _flat(ATLAS_CODES)
    for name, _ in sorted(flat):
        guids[name] = _guid(tool, "code:" + name, upper)
        ET.SubElement(
            codes_el, q("Code"), {"guid": guids[name], "name": name, "isCodable": "true", "color": "#4F81BD"}
        )
    plan = _interviews(rng, 6, 36, flat, 48, coders, 0.7)
    sources_el = ET.SubElement(root, q("Sources"))
    files = {}
    roles = ["teacher", "leader", "teacher", "teacher", "leader", "teacher"]
    for i, (text, spans) in enumerate(plan):
        sname = f"S{i // 2 + 5:02d}_{roles[i]}_interview_{i + 1}.docx"
        sg = _guid(tool, "src:" + sname, upper)
        src = ET.SubElement(
            sources_el,
            q("TextSource"),
            {
                "guid": sg,
                "name": sname,
                "plainTextPath": f"internal://{sg}.txt",
                "creatingUser": users["mk"],
                "creationDateTime": stamp,
            },
        )
        _selections(src, spans, tool, sname.rsplit(".", 1)[0], users, guids, upper, stamp)
        files[f"{sg}.txt"] = text
    sets = ET.SubElement(root, q("Sets"))
    for group, members in ATLAS_CODES.items():
        st = ET.SubElement(sets, q("Set"), {"guid": _guid(tool, "set:" + group, upper), "name": group})
        for name in members:
            ET.SubElement(st, q("MemberCode"), {"targetGUID": guids[name]})
    _zip(HERE / "atlasti_like.qdpx", _xml(root), files)
    return {
        "codes": {n: c for n, c in flat},
        "cases": {"school": {"from_filename": "^(S\\d+)_"}, "role": {"from_filename": "^S\\d+_([a-z]+)_"}},
        "groups": {n: g for g, m in ATLAS_CODES.items() for n in m},
    }


def qualcoder() -> dict:
    tool, upper, stamp = "qualcoder", False, "2025-04-02T16:45:10"
    rng = random.Random(404)
    ET.register_namespace("", NS)
    root = ET.Element(
        q("Project"), {"name": "assets.qda", "origin": "QualCoder 3.5", "creationDateTime": stamp}
    )
    coders = ["default", "coder2"]
    users = _users(root, tool, coders, upper)
    book = ET.SubElement(root, q("CodeBook"))
    _, guids = _codes_xml(book, QUALCODER_TREE, tool, False, upper, COLOURS)
    variables = ET.SubElement(root, q("Variables"))
    vg = {}
    for v in ("school", "role"):
        vg[v] = _guid(tool, "var:" + v, upper)
        ET.SubElement(variables, q("Variable"), {"guid": vg[v], "name": v, "typeOfVariable": "Text"})
    plan = _interviews(rng, 4, 28, _flat(QUALCODER_TREE), 36, coders, 0.7)
    cases = ET.SubElement(root, q("Cases"))
    sources_el = ET.SubElement(root, q("Sources"))
    files = {}
    for i, (text, spans) in enumerate(plan):
        sname = f"interview{i + 1}.txt"
        sg = _guid(tool, "src:" + sname, upper)
        case = ET.SubElement(
            cases, q("Case"), {"guid": _guid(tool, f"case:{i}", upper), "name": f"case{i + 1}"}
        )
        for v, val in (("school", f"S{i // 2 + 8:02d}"), ("role", "teacher" if i % 2 == 0 else "leader")):
            vv = ET.SubElement(case, q("VariableValue"))
            ET.SubElement(vv, q("VariableRef"), {"targetGUID": vg[v]})
            ET.SubElement(vv, q("TextValue")).text = val
        ET.SubElement(case, q("SourceRef"), {"targetGUID": sg})
        src = ET.SubElement(
            sources_el,
            q("TextSource"),
            {
                "guid": sg,
                "name": sname,
                "plainTextPath": f"internal://{sg}.txt",
                "creatingUser": users["default"],
                "creationDateTime": stamp,
            },
        )
        _selections(src, spans, tool, sname, users, guids, upper, stamp)
        files[f"{sg}.txt"] = text
    _zip(HERE / "qualcoder_like.qdpx", _xml(root), files)
    return {"codes": {n: c for n, c in _flat(QUALCODER_TREE)}, "cases": {}}


# ---------------------------------------------------------------------------------------------- 2.0.0
HERE_V2 = Path(__file__).resolve().parent / "fixtures" / "qda_v2"

# A MAXQDA project coded with the instrument 2.0.0 codebook. Coders record valence the way MAXQDA users
# do, as sub-codes "strength" and "barrier" under a topic code; they sometimes code the topic code itself
# (codable parents) when the excerpt is neither. group -> {code name: (codebook id, has valence sub-codes)}
MAXQDA_V2_TREE = {
    "Expertise": {
        "Knowledge sharing among staff": ("EX-SHARE", True),
        "Coaching and mentoring": ("EX-COACH", True),
        "Teaching a subject alone": ("EX-ISOLATED", False),
        "PD tied to classroom content": ("EX-PD", True),
    },
    "Mindset": {
        "Trying new approaches": ("LM-RISK", True),
        "Expectations for every student": ("LM-EQUITY", True),
    },
    "Culture": {
        "Trust among staff and leaders": ("CN-TRUST", True),
        "Teacher voice in decisions": ("CN-VOICE", True),
    },
    "Structures": {
        "Observing colleagues' lessons": ("OS-OBSERVE", True),
        "Coordination across PD providers": ("OS-COORD", True),
        "Earlier partnerships": ("OS-HISTORY", True),
        "Collaboration that changed teaching": ("OS-IMPACT", False),
    },
    "Barriers": {"Fear of blame": ("BAR-BLAME", False), "Test pressure": ("BAR-PRESSURE", False)},
    "Enablers": {"Principal backing": ("ENA-BACKING", False)},
}
# invented excerpts: per codebook id, one for each valence ("" = the topic code without a valence)
SENTENCES_V2 = {
    "EX-SHARE": {
        "strength": "Our lead teacher co-plans the circuits unit with anyone who asks.",
        "barrier": "What the chemistry teacher knows never reaches the rest of us.",
        "": "We sometimes talk about labs in the hallway.",
    },
    "EX-COACH": {
        "strength": "The coach watched my lesson and we rewrote the launch together.",
        "barrier": "The coach comes twice a year and only checks the pacing chart.",
        "": "There is a district math coach assigned to us.",
    },
    "EX-ISOLATED": {"barrier": "I am the only physics teacher, so I plan every unit by myself."},
    "EX-PD": {
        "strength": "This year's workshops used the same units we were teaching that month.",
        "barrier": "The PD day was about a reading program that has nothing to do with science.",
        "": "We had four PD days this year.",
    },
    "LM-RISK": {
        "strength": "I tried a design challenge, it went badly, and the team helped me fix it.",
        "barrier": "Nobody tries anything new because a bad observation follows you.",
        "": "Some of us tried the new lab format.",
    },
    "LM-EQUITY": {
        "strength": "Every ninth grader takes the engineering lab, not just the honors sections.",
        "barrier": "Only the top track gets the real experiments.",
        "": "We talked about course placement at the meeting.",
    },
    "CN-TRUST": {
        "strength": "I can tell my team a lesson flopped and nobody holds it against me.",
        "barrier": "People here do not rely on each other to do their part.",
        "": "Trust came up in the staff survey.",
    },
    "CN-VOICE": {
        "strength": "Teachers chose the new assessment after trying two of them.",
        "barrier": "The schedule was changed without asking a single teacher.",
        "": "There is a teacher committee this year.",
    },
    "OS-OBSERVE": {
        "strength": "Once a month we visit a colleague's class and talk about it after.",
        "barrier": "In six years nobody has come to watch me teach.",
        "": "The principal mentioned peer visits.",
    },
    "OS-COORD": {
        "strength": "The district and the museum plan our coaching together so it fits.",
        "barrier": "Three programs send coaches and each tells us something different.",
        "": "Several outside groups work with our school.",
    },
    "OS-HISTORY": {
        "strength": "The last partnership left us with lab kits and a habit of lesson study.",
        "barrier": "The previous program vanished after a year and left nothing behind.",
        "": "We worked with a university some years ago.",
    },
    "OS-IMPACT": {
        "strength": "After planning with my team I changed how I run discussions, and scores rose."
    },
    "BAR-BLAME": {"barrier": "If a new approach fails, it shows up in your evaluation."},
    "BAR-PRESSURE": {"barrier": "With the state test in April there is no room for projects."},
    "ENA-BACKING": {"strength": "The principal covered my class so I could watch a colleague teach."},
}
_V2_VALENCES = ("strength", "barrier")


def _v2_codes(book: ET.Element, upper: bool) -> tuple[dict, list[tuple[str, str, str]]]:
    """The 2.0.0 code tree (topic codes with valence sub-codes); (guid by leaf path, codable leaves).

    Each codable leaf is (path, codebook id, valence): the path is "Group/Code" or "Group/Code/strength".
    """
    tool = "maxqda_v2"
    guids, leaves = {}, []
    codes = ET.SubElement(book, q("Codes"))
    for j, (group, members) in enumerate(MAXQDA_V2_TREE.items()):
        colour = COLOURS[j % len(COLOURS)]
        g = ET.SubElement(
            codes,
            q("Code"),
            {
                "guid": _guid(tool, "code:" + group, upper),
                "name": group,
                "isCodable": "true",
                "color": colour,
            },
        )
        for name, (cid, split) in members.items():
            path = f"{group}/{name}"
            guids[path] = _guid(tool, "code:" + path, upper)
            c = ET.SubElement(
                g, q("Code"), {"guid": guids[path], "name": name, "isCodable": "true", "color": colour}
            )
            if not split:
                leaves.append((path, cid, next(iter(SENTENCES_V2[cid]))))
                continue
            leaves.append((path, cid, ""))
            for v in _V2_VALENCES:
                guids[f"{path}/{v}"] = _guid(tool, f"code:{path}/{v}", upper)
                ET.SubElement(
                    c,
                    q("Code"),
                    {"guid": guids[f"{path}/{v}"], "name": v, "isCodable": "true", "color": colour},
                )
                leaves.append((f"{path}/{v}", cid, v))
    return guids, leaves


def maxqda_v2() -> dict:
    """A MAXQDA-like project coded with the 2.0.0 codebook, valence as sub-codes: 10 interviews."""
    tool, upper, stamp = "maxqda_v2", True, "2026-10-14T09:30:00Z"
    rng = random.Random(303)
    coders = ["AM", "JK"]
    root, users, book = _maxqda_project(
        tool, stamp, "Asset Inventory 2.0 interviews", "MAXQDA 24 (Release 24.4.0)", coders
    )
    guids, leaves = _v2_codes(book, upper)
    vg = _document_variables(root, tool, ("School", "Position"))
    sources_el = ET.SubElement(root, q("Sources"))
    positions = [
        "Classroom teacher",
        "Principal",
        "Classroom teacher",
        "Instructional coach",
        "Classroom teacher",
    ]
    files = {}
    for i in range(10):
        school = f"S{i // 2 + 1:02d}"
        sname = f"{school}_Interview_{i + 1:02d}"
        sg = _guid(tool, "src:" + sname, upper)
        parts, spans, pos = [], [], 0
        for _ in range(12):
            path, cid, val = rng.choice(leaves)
            sent = SENTENCES_V2[cid][val]
            lead = "Interviewer: Could you give an example?\nRespondent: "
            parts.append(lead)
            pos += len(lead)
            cods = [("AM", path)]
            if rng.random() < 0.5:  # the second coder: the same code, or the same topic without a valence
                cods.append(
                    (
                        "JK",
                        path
                        if rng.random() < 0.8
                        else path.rsplit("/", 1)[0]
                        if val and path.count("/") == 2
                        else path,
                    )
                )
            spans.append((pos, pos + len(sent), cods))
            parts.append(sent + "\n")
            pos += len(sent) + 1
        values = {"School": school, "Position": positions[i % len(positions)]}
        sg = _maxqda_source(sources_el, tool, sname, users, stamp, spans, guids, vg, values)
        files[f"{sg}.txt"] = "".join(parts)
    HERE_V2.mkdir(parents=True, exist_ok=True)
    _zip(HERE_V2 / "maxqda_v2_like.qdpx", _xml(root), files)
    truth: dict = {}  # keyed as `assetinv map` writes them: a unique name alone, a valence sub-code by its path
    for path, cid, val in leaves:
        sub = bool(val) and path.endswith("/" + val)
        truth[path if sub else path.rsplit("/", 1)[1]] = {"code": cid, "valence": val} if sub else cid
    return {
        "codes": truth,
        "cases": {"school": "School", "role": "Position"},
        "role_values": {"Instructional coach": "teacher"},
    }


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    truth = {
        "maxqda_like.qdpx": maxqda(),
        "nvivo_like.qdpx": nvivo(),
        "atlasti_like.qdpx": atlasti(),
        "qualcoder_like.qdpx": qualcoder(),
    }
    (HERE / "expected_codes.json").write_text(
        json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    v2 = {"maxqda_v2_like.qdpx": maxqda_v2()}
    (HERE_V2 / "expected_codes.json").write_text(
        json.dumps(v2, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
