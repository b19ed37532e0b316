"""Write the REFI-QDA fixtures in tests/fixtures/qda/ and qda_v2/ the way four QDA tools export them.

    python tests/make_qda_fixtures.py

Each project follows the REFI-QDA 1.5 Project.xsd (namespace ``urn:QDA-XML:project:1.0``): ``Users``,
``CodeBook/Codes/Code`` (``guid``, ``name``, ``isCodable``, ``color``), ``Variables``, ``Cases`` with
``VariableValue`` and ``SourceRef``, ``Sources/TextSource`` (``plainTextPath="internal://<guid>.txt"``, the text
in ``Sources/``) with ``PlainTextSelection`` (0-based ``startPosition``, exclusive ``endPosition``) holding
``Coding``/``CodeRef``, and ``Sets`` with ``MemberCode targetGUID``. The tools differ the way their exports do,
and each tool's writer for 1.0.0 and 2.0.0 shares the helpers for it (``_project_root``, ``_codes_xml``,
``_flat_codes``, ``_code_groups``, ``_document_variables``, ``_case``, ``_text_source``, ``_maxqda_source``):

* MAXQDA - a hierarchical code tree whose parent codes are codable too, upper-case GUIDs, document
  variables (``School``, ``Position``) on each ``TextSource``, a ``richTextPath`` next to the plain text.
* NVivo - nodes nested under parent nodes, one ``Case`` per participant with classification attributes
  ``Site`` and ``Job Title`` and a ``SourceRef`` to the transcript.
* ATLAS.ti - a flat code list ("Barrier: no time") with code groups as ``Sets`` of ``MemberCode``, no
  variables: the school and role are in the document names (``S03_leader_interview.docx``).
* QualCoder - categories as non-codable codes (``isCodable="false"``) with codes under them, cases with
  attributes ``school`` and ``role``, selections numbered 1, 2, ... in each source, dates without a zone.

``tests/fixtures/qda/`` (instrument 1.0.0 codebook, kept as the 1.0.0 back-compat set): ``maxqda_like.qdpx``
(12 interviews, 150 selections, 200 codings, two coders), ``nvivo_like.qdpx``, ``atlasti_like.qdpx`` and
``qualcoder_like.qdpx``; ``expected_codes.json`` holds, per fixture, the codebook id each QDA code stands for
(the truth the ``map`` drafter is tested against) and the ``cases:`` crosswalk it needs.

``tests/fixtures/qda_v2/`` (instrument 2.0.0 codebook; every coding records a valence, strength or barrier,
in the code tree as each tool's users do, in forms ``assetinv map`` recognises):

* ``maxqda_v2_like.qdpx`` - sub-codes "strength" / "barrier" under a topic code; coders sometimes code the
  (codable) topic itself: 10 interviews, 120 selections.
* ``nvivo_v2_like.qdpx`` - child nodes "Positive" / "Negative" under a topic node (the topic node is codable
  too); 8 interviews (80 selections), one with district staff (``Job Title`` "District STEM Specialist").
* ``atlasti_v2_like.qdpx`` - valence marked in the flat code's name ("Culture: voice (+)", "... (-)"), code
  groups as Sets, a working code "Good quote" left out of the codebook; 6 interviews (54 selections), one district.
* ``qualcoder_v2_like.qdpx`` - valence marked in the code's name ("trust: barrier") under categories; 4
  interviews (40 selections).

Barrier and enabler codes (and EX-ISOLATED) carry their fixed valence and no mark. A second coder codes half or
more of the excerpts, mostly alike, else the topic without its valence (MAXQDA, NVivo) or the other valence
(ATLAS.ti, QualCoder). ``qda_v2/expected_codes.json`` holds per project the right ``codes:`` crosswalk (keyed
as ``assetinv map`` keys codes; ``{code, valence}`` for a code that records a valence, ``null`` for a working
code) and ``cases:``; ``qda_v2/expected_codings.json`` the codings that reading through it must give (document,
span, text, coder, codebook id, valence, and each document's school and role).

Everything is generated from fixed seeds and fixed dates, so running the script again writes the same bytes.
All text is invented.
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


def _selections(src: ET.Element, spans, tool, sname, users, code_guid, upper, stamp, numbered=False):
    """The coded ``PlainTextSelection``s of a source; ``numbered``: named 1, 2, ... per source (QualCoder),
    else by source and span."""
    for k, (start, end, cods) in enumerate(spans):
        sel = ET.SubElement(
            src,
            q("PlainTextSelection"),
            {
                "guid": _guid(tool, f"sel:{sname}:{k}", upper),
                "name": f"{k + 1}" if numbered else f"{sname} ({start}-{end})",
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


def _project_root(tool: str, stamp: str, name: str, origin: str, coders: list[str], upper: bool):
    """A project's root element, its users and its (empty) code book, as every tool writes them."""
    ET.register_namespace("", NS)
    root = ET.Element(q("Project"), {"name": name, "origin": origin, "creationDateTime": stamp})
    users = _users(root, tool, coders, upper)
    return root, users, ET.SubElement(root, q("CodeBook"))


def _document_variables(
    root: ET.Element, tool: str, names: tuple[str, ...], upper: bool = True
) -> dict[str, str]:
    """The project's text variables, by name -> guid: MAXQDA's document variables, NVivo's classification
    attributes, QualCoder's case attributes."""
    variables = ET.SubElement(root, q("Variables"))
    vg = {}
    for v in names:
        vg[v] = _guid(tool, "var:" + v, upper)
        ET.SubElement(variables, q("Variable"), {"guid": vg[v], "name": v, "typeOfVariable": "Text"})
    return vg


def _variable_values(el: ET.Element, values: dict, vg: dict) -> None:
    """``VariableValue``s (text) of a case or source."""
    for v, val in values.items():
        vv = ET.SubElement(el, q("VariableValue"))
        ET.SubElement(vv, q("VariableRef"), {"targetGUID": vg[v]})
        ET.SubElement(vv, q("TextValue")).text = val


def _text_source(
    sources_el,
    tool,
    sname,
    users,
    creator,
    stamp,
    spans,
    guids,
    upper,
    *,
    sel_name=None,
    rich=False,
    numbered=False,
) -> tuple[ET.Element, str]:
    """One ``TextSource`` (its text at ``internal://<guid>.txt``, with ``rich``: a ``.docx`` next to it) and
    its coded selections (named after ``sel_name``, default the source name); returns it and its guid."""
    sg = _guid(tool, "src:" + sname, upper)
    attrs = {"guid": sg, "name": sname}
    if rich:
        attrs["richTextPath"] = f"internal://{sg}.docx"
    attrs.update(
        {"plainTextPath": f"internal://{sg}.txt", "creatingUser": users[creator], "creationDateTime": stamp}
    )
    src = ET.SubElement(sources_el, q("TextSource"), attrs)
    _selections(src, spans, tool, sel_name or sname, users, guids, upper, stamp, numbered)
    return src, sg


def _maxqda_source(sources_el, tool, sname, users, stamp, spans, guids, vg, values: dict) -> str:
    """One MAXQDA text source (rich and plain text paths), its coded selections and its document
    variables; returns its guid (the name of its text in ``Sources/``)."""
    src, sg = _text_source(sources_el, tool, sname, users, "AM", stamp, spans, guids, True, rich=True)
    _variable_values(src, values, vg)
    return sg


def _case(cases_el, tool, i: int, name: str, values: dict, vg: dict, source_guid: str, upper: bool) -> None:
    """A ``Case`` (NVivo's participant, QualCoder's case) with its attributes and a ``SourceRef``."""
    case = ET.SubElement(cases_el, q("Case"), {"guid": _guid(tool, f"case:{i}", upper), "name": name})
    _variable_values(case, values, vg)
    ET.SubElement(case, q("SourceRef"), {"targetGUID": source_guid})


def _flat_codes(book: ET.Element, tool: str, names, upper: bool) -> dict[str, str]:
    """ATLAS.ti's flat code list, sorted by name, one colour; guid by name."""
    codes_el = ET.SubElement(book, q("Codes"))
    guids = {}
    for name in sorted(names):
        guids[name] = _guid(tool, "code:" + name, upper)
        ET.SubElement(
            codes_el, q("Code"), {"guid": guids[name], "name": name, "isCodable": "true", "color": "#4F81BD"}
        )
    return guids


def _code_groups(root: ET.Element, tool: str, groups: dict, guids: dict, upper: bool) -> None:
    """ATLAS.ti's code groups: ``Sets`` of ``MemberCode``."""
    sets = ET.SubElement(root, q("Sets"))
    for group, members in groups.items():
        st = ET.SubElement(sets, q("Set"), {"guid": _guid(tool, "set:" + group, upper), "name": group})
        for name in members:
            ET.SubElement(st, q("MemberCode"), {"targetGUID": guids[name]})


def maxqda() -> dict:
    tool, upper, stamp = "maxqda", True, "2025-03-04T10:12:00Z"
    rng = random.Random(101)
    coders = ["AM", "JK"]
    root, users, book = _project_root(
        tool, stamp, "STEM asset interviews", "MAXQDA 2022 (Release 22.7.0)", coders, upper
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
    coders = ["Rosa Diaz", "Tom Lee"]
    root, users, book = _project_root(tool, stamp, "Asset Inventory interviews", "NVivo 14", coders, upper)
    _, guids = _codes_xml(book, NVIVO_TREE, tool, True, upper, COLOURS)
    vg = _document_variables(root, tool, ("Site", "Job Title"), upper)
    plan = _interviews(rng, 6, 42, _flat(NVIVO_TREE), 60, coders, 0.7)
    cases = ET.SubElement(root, q("Cases"))
    sources_el = ET.SubElement(root, q("Sources"))
    files = {}
    titles = ["Teacher", "Principal", "Teacher", "Teacher", "Assistant Principal", "Teacher"]
    for i, (text, spans) in enumerate(plan):
        sname = f"Interview {i + 1:02d}"
        _, sg = _text_source(sources_el, tool, sname, users, coders[0], stamp, spans, guids, upper)
        values = {"Site": f"S{i // 2 + 3:02d}", "Job Title": titles[i]}
        _case(cases, tool, i, f"Participant {i + 1:02d}", values, vg, sg, upper)
        files[f"{sg}.txt"] = text
    _zip(HERE / "nvivo_like.qdpx", _xml(root), files)
    return {"codes": {n: c for n, c in _flat(NVIVO_TREE)}, "cases": {"school": "Site", "role": "Job Title"}}


def atlasti() -> dict:
    tool, upper, stamp = "atlasti", False, "2025-01-20T09:00:00Z"
    rng = random.Random(303)
    coders = ["mk", "lp"]
    root, users, book = _project_root(tool, stamp, "Assets study", "ATLAS.ti 23.2.1", coders, upper)
    flat = _flat(ATLAS_CODES)
    guids = _flat_codes(book, tool, [n for n, _ in flat], upper)
    plan = _interviews(rng, 6, 36, flat, 48, coders, 0.7)
    sources_el = ET.SubElement(root, q("Sources"))
    files = {}
    roles = ["teacher", "leader", "teacher", "teacher", "leader", "teacher"]
    for i, (text, spans) in enumerate(plan):
        sname = f"S{i // 2 + 5:02d}_{roles[i]}_interview_{i + 1}.docx"
        _, sg = _text_source(
            sources_el, tool, sname, users, "mk", stamp, spans, guids, upper, sel_name=sname.rsplit(".", 1)[0]
        )
        files[f"{sg}.txt"] = text
    _code_groups(root, tool, ATLAS_CODES, guids, upper)
    _zip(HERE / "atlasti_like.qdpx", _xml(root), files)
    return {
        "codes": {n: c for n, c in flat},
        "cases": {"school": {"from_filename": "^(S\\d+)_"}, "role": {"from_filename": "^S\\d+_([a-z]+)_"}},
        "groups": {n: g for g, m in ATLAS_CODES.items() for n in m},
    }


def qualcoder() -> dict:
    tool, upper, stamp = "qualcoder", False, "2025-04-02T16:45:10"
    rng = random.Random(404)
    coders = ["default", "coder2"]
    root, users, book = _project_root(tool, stamp, "assets.qda", "QualCoder 3.5", coders, upper)
    _, guids = _codes_xml(book, QUALCODER_TREE, tool, False, upper, COLOURS)
    vg = _document_variables(root, tool, ("school", "role"), upper)
    plan = _interviews(rng, 4, 28, _flat(QUALCODER_TREE), 36, coders, 0.7)
    cases = ET.SubElement(root, q("Cases"))
    sources_el = ET.SubElement(root, q("Sources"))
    files = {}
    for i, (text, spans) in enumerate(plan):
        sname = f"interview{i + 1}.txt"
        _, sg = _text_source(
            sources_el, tool, sname, users, "default", stamp, spans, guids, upper, numbered=True
        )
        values = {"school": f"S{i // 2 + 8:02d}", "role": "teacher" if i % 2 == 0 else "leader"}
        _case(cases, tool, i, f"case{i + 1}", values, vg, sg, upper)
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
    # the codes the NVivo-, ATLAS.ti- and QualCoder-like 2.0.0 projects use besides
    "EX-CONTENT": {
        "strength": "Our biology teacher can explain why students confuse mass and weight, and how to fix it.",
        "barrier": "Half of our math teachers were hired on emergency licenses and are unsure of the content.",
        "": "We have a mix of new and veteran science teachers.",
    },
    "EX-EXTERNAL": {
        "strength": "A former nurse on staff runs the health science labs from her own experience.",
        "barrier": "The engineer who joined us last year is never asked about his old job.",
        "": "A few teachers came to us from other careers.",
    },
    "LM-GROWTH": {
        "strength": "Our department reads one research article a month and tries what it suggests.",
        "barrier": "Most of us feel we finished learning to teach years ago.",
        "": "Professional reading was mentioned in our school goals.",
    },
    "LM-NOVICE": {
        "strength": "New teachers here get a mentor who answers any question, however small.",
        "barrier": "First-year teachers are left to figure things out on their own.",
        "": "We hired four new teachers this fall.",
    },
    "LM-EVIDENCE": {
        "strength": "We sorted the lab reports together and retaught the graphing lesson.",
        "barrier": "The benchmark results come back and nobody looks at them.",
        "": "Students took the district benchmark in March.",
    },
    "CN-AUTONOMY": {
        "strength": "I can change the order of my units when my class needs it.",
        "barrier": "Every lesson has to follow the script word for word.",
        "": "The curriculum guide came out in August.",
    },
    "CN-RECOG": {
        "strength": "The principal thanked our robotics coaches in front of the whole staff.",
        "barrier": "Nobody noticed when our team won the state science fair.",
        "": "There is an awards night every spring.",
    },
    "OS-PLC": {
        "strength": "Our team meets every Tuesday and looks closely at one lesson.",
        "barrier": "Our PLC time turned into filling in district spreadsheets.",
        "": "Each grade level has a PLC.",
    },
    "OS-SCHED": {
        "strength": "The schedule gives the science team a shared planning period every day.",
        "barrier": "My planning period never lines up with anyone who teaches the same course.",
        "": "The master schedule is built in June.",
    },
    "OS-LEADROLE": {
        "strength": "As lab lead I still teach four sections and have time to support the others.",
        "barrier": "To become a coach here you have to give up your classroom.",
        "": "We have a few teacher leader positions.",
    },
    "OS-DATA": {
        "strength": "Every two weeks we share exit tickets and agree on what to reteach.",
        "barrier": "We fill in the feedback survey every year and never hear what happened to it.",
        "": "There is a data wall in the staff room.",
    },
    "OS-RESOURCE": {
        "strength": "We borrow microscopes and whole units from the high school across town.",
        "barrier": "Each school buys its own kits and nobody shares them.",
        "": "The district has a materials warehouse.",
    },
    "OS-CROSS": {
        "strength": "Teachers from three schools plan the ecology unit together each spring.",
        "barrier": "We never meet the teachers at the other schools in our partnership.",
        "": "There are five schools in the partnership.",
    },
    "BAR-TIME": {"barrier": "Duplicate paperwork eats my whole prep period."},
    "BAR-OVERLOAD": {"barrier": "We have six initiatives this year and none of them connect."},
    "BAR-TURNOVER": {"barrier": "We lost three science teachers in two years."},
    "BAR-MANDATE": {"barrier": "The pacing guide came from the district with no teacher input."},
    "BAR-MEETINGS": {"barrier": "Staff meetings are mostly announcements that could be an email."},
    "ENA-NETWORK": {"strength": "I call a chemistry teacher at another school whenever I get stuck."},
    "ENA-PARTNER": {"strength": "A local company donated sensors and sends engineers to visit."},
}
_V2_VALENCES = ("strength", "barrier")

# NVivo-like: nodes nested under parent nodes (codable), valence as child nodes "Positive" / "Negative" under
# a topic node, as NVivo users code sentiment; group -> {node: (codebook id, has valence child nodes)}
NVIVO_V2_TREE = {
    "Expertise": {
        "Sharing expertise": ("EX-SHARE", True),
        "Subject knowledge": ("EX-CONTENT", True),
        "Expertise from other careers": ("EX-EXTERNAL", True),
        "Only teacher of a subject": ("EX-ISOLATED", False),
    },
    "Learning mindset": {
        "Growth as adults": ("LM-GROWTH", True),
        "New teachers": ("LM-NOVICE", True),
        "Looking at student work": ("LM-EVIDENCE", True),
    },
    "Norms": {
        "Autonomy": ("CN-AUTONOMY", True),
        "Recognition": ("CN-RECOG", True),
        "Relational trust": ("CN-TRUST", True),
    },
    "Structures": {
        "PLCs": ("OS-PLC", True),
        "Scheduled time to collaborate": ("OS-SCHED", True),
        "Teacher leader roles": ("OS-LEADROLE", True),
    },
    "Barriers": {
        "Time": ("BAR-TIME", False),
        "Initiative overload": ("BAR-OVERLOAD", False),
        "Staff turnover": ("BAR-TURNOVER", False),
    },
    "Enablers": {"Leader support": ("ENA-BACKING", False), "Networks": ("ENA-NETWORK", False)},
}
NVIVO_VALENCE_NODES = {"Positive": "strength", "Negative": "barrier"}
# ATLAS.ti-like: flat codes with the group as a prefix, valence marked in the name ("Culture: voice (+)");
# code group -> {topic: (codebook id, one code per valence)}
ATLAS_V2_CODES = {
    "Expertise": {
        "Expertise: coaching": ("EX-COACH", True),
        "Expertise: PD on content": ("EX-PD", True),
        "Expertise: alone in subject": ("EX-ISOLATED", False),
    },
    "Mindset": {
        "Mindset: experimenting": ("LM-RISK", True),
        "Mindset: using evidence": ("LM-EVIDENCE", True),
    },
    "Culture": {"Culture: recognition": ("CN-RECOG", True), "Culture: voice": ("CN-VOICE", True)},
    "Structures": {
        "Structure: data meetings": ("OS-DATA", True),
        "Structure: shared resources": ("OS-RESOURCE", True),
        "Structure: links between schools": ("OS-CROSS", True),
    },
    "Barriers": {
        "Barrier: mandates": ("BAR-MANDATE", False),
        "Barrier: meetings": ("BAR-MEETINGS", False),
        "Barrier: turnover": ("BAR-TURNOVER", False),
    },
    "Enablers": {"Enabler: partners": ("ENA-PARTNER", False)},
}
ATLAS_VALENCE_MARKS = {"strength": "{} (+)", "barrier": "{} (-)"}
# QualCoder-like: categories (not codable) -> codes, valence marked in the code name ("trust: barrier")
QUALCODER_V2_TREE = {
    "Expertise": {"expertise shared": ("EX-SHARE", True), "coaching": ("EX-COACH", True)},
    "Mindset": {"adult learning": ("LM-GROWTH", True), "equity": ("LM-EQUITY", True)},
    "Norms": {"trust": ("CN-TRUST", True), "autonomy": ("CN-AUTONOMY", True)},
    "Structures": {
        "planning time": ("OS-SCHED", True),
        "peer observation": ("OS-OBSERVE", True),
        "partnership history": ("OS-HISTORY", True),
        "impact on teaching": ("OS-IMPACT", False),
    },
    "Barriers": {
        "meetings": ("BAR-MEETINGS", False),
        "mandates": ("BAR-MANDATE", False),
        "test pressure": ("BAR-PRESSURE", False),
    },
    "Enablers": {"networks": ("ENA-NETWORK", False), "principal backing": ("ENA-BACKING", False)},
}
QUALCODER_VALENCE_MARKS = {"strength": "{}: strength", "barrier": "{}: barrier"}

# A codable leaf of a 2.0.0 project is (code, codebook id, sentence key, valence the code records, alternative):
# code is the key of its guid (a path "Group/Code/strength" in a code tree, a name in a flat or marked list),
# the sentence key picks its excerpt in SENTENCES_V2, the alternative is what a second coder who reads the
# excerpt differently applies (the topic without a valence, or the other valence).


def _v2_codes(
    book: ET.Element, tree: dict, tool: str, upper: bool, subcodes: dict[str, str] | None = None
) -> tuple[dict, list[tuple]]:
    """A 2.0.0 code tree with codable parents (topic codes with valence sub-codes); (guid by path, leaves).

    ``tree`` is group -> {code name: (codebook id, has valence sub-codes)}; ``subcodes`` names the
    sub-codes, name -> valence (default MAXQDA's "strength" and "barrier"). Paths are "Group/Code" or
    "Group/Code/<sub-code>".
    """
    subcodes = subcodes or {v: v for v in _V2_VALENCES}
    guids, leaves = {}, []
    codes = ET.SubElement(book, q("Codes"))
    for j, (group, members) in enumerate(tree.items()):
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
                leaves.append((path, cid, next(iter(SENTENCES_V2[cid])), "", path))
                continue
            leaves.append((path, cid, "", "", path))
            for sub, v in subcodes.items():
                guids[f"{path}/{sub}"] = _guid(tool, f"code:{path}/{sub}", upper)
                ET.SubElement(
                    c,
                    q("Code"),
                    {"guid": guids[f"{path}/{sub}"], "name": sub, "isCodable": "true", "color": colour},
                )
                leaves.append((f"{path}/{sub}", cid, v, v, path))
    return guids, leaves


def _v2_marked(tree: dict, marks: dict[str, str]) -> tuple[dict, list[tuple]]:
    """Valence marked in code names: each topic with a valence becomes one code per valence, named by
    ``marks`` (valence -> format, "{} (+)"). Returns group -> {code name: codebook id} and the leaves."""
    named: dict = {}
    leaves = []
    for group, members in tree.items():
        named[group] = {}
        for topic, (cid, split) in members.items():
            if not split:
                named[group][topic] = cid
                leaves.append((topic, cid, next(iter(SENTENCES_V2[cid])), "", topic))
                continue
            names = {v: marks[v].format(topic) for v in _V2_VALENCES}
            for v, other in zip(_V2_VALENCES, reversed(_V2_VALENCES)):
                named[group][names[v]] = cid
                leaves.append((names[v], cid, v, v, names[other]))
    return named, leaves


def _v2_transcript(
    rng: random.Random, leaves: list[tuple], n: int, lead: str, coders: list[str], p_second: float
):
    """An interview of ``n`` coded answers: (text, spans), each span (start, end, [(coder, code), ...]).

    The first coder codes every answer; the second codes a share ``p_second`` of them, with the same code
    four times in five, else the leaf's alternative."""
    parts, spans, pos = [], [], 0
    for _ in range(n):
        code, cid, val, _, alt = rng.choice(leaves)
        sent = SENTENCES_V2[cid][val]
        parts.append(lead)
        pos += len(lead)
        cods = [(coders[0], code)]
        if rng.random() < p_second:
            cods.append((coders[1], code if rng.random() < 0.8 else alt))
        spans.append((pos, pos + len(sent), cods))
        parts.append(sent + "\n")
        pos += len(sent) + 1
    return "".join(parts), spans


def _v2_truth_codes(leaves: list[tuple], left_out: tuple[str, ...] = ()) -> dict:
    """The ``codes:`` crosswalk that is right, keyed as `assetinv map` writes keys: a code by its name
    when no other code has it, else by its path; a code that records a valence maps to
    ``{code, valence}``, a working code of the analyst to ``None``."""
    from collections import Counter

    leaf_names = Counter(code.rsplit("/", 1)[-1] for code, *_ in leaves)
    truth: dict = {}
    for code, cid, _, mark, _ in leaves:
        name = code.rsplit("/", 1)[-1]
        truth[code if leaf_names[name] > 1 else name] = {"code": cid, "valence": mark} if mark else cid
    truth.update({k: None for k in left_out})
    return truth


def _v2_truth_codings(docs: list[tuple], leaves: list[tuple]) -> dict:
    """What reading the project through the right crosswalk must give: each document's school and role
    (instrument role id), and one row per coding (document, span, text, coder, codebook id, valence).

    The valence is the one the code records, else the codebook's fixed valence (barrier and enabler codes,
    EX-ISOLATED), else "" (a topic coded without a valence). Working codes (``MEMO_CODE``) are left out."""
    import assetinv

    cb = assetinv.load_instrument("2.0.0").codebook
    fixed = {r.id: r.valence for r in cb.itertuples() if r.valence in _V2_VALENCES}
    by_code = {leaf[0]: leaf for leaf in leaves}
    assert {leaf[1] for leaf in leaves} <= set(cb["id"]), "a code not in the 2.0.0 codebook"
    rows = []
    for doc, text, spans, _ in docs:
        for start, end, cods in spans:
            for coder, code in cods:
                if code == MEMO_CODE:
                    continue
                _, cid, _, mark, _ = by_code[code]
                rows.append(
                    {
                        "document": doc,
                        "start": start,
                        "end": end,
                        "text": text[start:end],
                        "coder": coder,
                        "code": cid,
                        "valence": mark or fixed.get(cid, ""),
                    }
                )
    return {"documents": {doc: cases for doc, _, _, cases in docs}, "codings": rows}


def maxqda_v2() -> tuple[dict, dict]:
    """A MAXQDA-like project coded with the 2.0.0 codebook, valence as sub-codes: 10 interviews."""
    tool, upper, stamp = "maxqda_v2", True, "2026-10-14T09:30:00Z"
    rng = random.Random(303)
    coders = ["AM", "JK"]
    root, users, book = _project_root(
        tool, stamp, "Asset Inventory 2.0 interviews", "MAXQDA 24 (Release 24.4.0)", coders, upper
    )
    guids, leaves = _v2_codes(book, MAXQDA_V2_TREE, tool, upper)
    vg = _document_variables(root, tool, ("School", "Position"))
    sources_el = ET.SubElement(root, q("Sources"))
    positions = [
        "Classroom teacher",
        "Principal",
        "Classroom teacher",
        "Instructional coach",
        "Classroom teacher",
    ]
    roles = {"Classroom teacher": "teacher", "Principal": "leader", "Instructional coach": "teacher"}
    files, docs = {}, []
    for i in range(10):
        school = f"S{i // 2 + 1:02d}"
        sname = f"{school}_Interview_{i + 1:02d}"
        text, spans = _v2_transcript(
            rng, leaves, 12, "Interviewer: Could you give an example?\nRespondent: ", coders, 0.5
        )
        values = {"School": school, "Position": positions[i % len(positions)]}
        sg = _maxqda_source(sources_el, tool, sname, users, stamp, spans, guids, vg, values)
        files[f"{sg}.txt"] = text
        docs.append((sname, text, spans, {"school": school, "role": roles[values["Position"]]}))
    HERE_V2.mkdir(parents=True, exist_ok=True)
    _zip(HERE_V2 / "maxqda_v2_like.qdpx", _xml(root), files)
    entry = {
        "codes": _v2_truth_codes(leaves),
        "cases": {"school": "School", "role": "Position"},
        "role_values": {"Instructional coach": "teacher"},
    }
    return entry, _v2_truth_codings(docs, leaves)


def nvivo_v2() -> tuple[dict, dict]:
    """An NVivo-like project coded with the 2.0.0 codebook, valence as child nodes "Positive" / "Negative":
    8 interviews (one with district staff), participants as cases with attributes Site and Job Title."""
    tool, upper, stamp = "nvivo_v2", False, "2026-10-20T11:04:37Z"
    rng = random.Random(202)
    coders = ["Rosa Diaz", "Tom Lee"]
    root, users, book = _project_root(
        tool, stamp, "Asset Inventory 2.0 interviews", "NVivo 15", coders, upper
    )
    guids, leaves = _v2_codes(book, NVIVO_V2_TREE, tool, upper, NVIVO_VALENCE_NODES)
    vg = _document_variables(root, tool, ("Site", "Job Title"), upper)
    cases = ET.SubElement(root, q("Cases"))
    sources_el = ET.SubElement(root, q("Sources"))
    titles = [
        "Teacher",
        "Principal",
        "Teacher",
        "District STEM Specialist",
        "Teacher",
        "Assistant Principal",
        "Teacher",
        "Teacher",
    ]
    roles = {"Teacher": "teacher", "Principal": "leader", "Assistant Principal": "leader"}
    roles["District STEM Specialist"] = "district"
    files, docs = {}, []
    for i in range(8):
        sname = f"Interview {i + 1:02d}"
        text, spans = _v2_transcript(
            rng, leaves, 10, "Interviewer: Can you tell me more about that?\nParticipant: ", coders, 0.6
        )
        _, sg = _text_source(sources_el, tool, sname, users, coders[0], stamp, spans, guids, upper)
        values = {"Site": f"S{i // 2 + 3:02d}", "Job Title": titles[i]}
        _case(cases, tool, i, f"Participant {i + 1:02d}", values, vg, sg, upper)
        files[f"{sg}.txt"] = text
        docs.append((sname, text, spans, {"school": values["Site"], "role": roles[titles[i]]}))
    _zip(HERE_V2 / "nvivo_v2_like.qdpx", _xml(root), files)
    entry = {
        "codes": _v2_truth_codes(leaves),
        "cases": {"school": "Site", "role": "Job Title"},
        "role_values": {"District STEM Specialist": "district"},
    }
    return entry, _v2_truth_codings(docs, leaves)


def atlasti_v2() -> tuple[dict, dict]:
    """An ATLAS.ti-like project coded with the 2.0.0 codebook: flat codes, valence marked "(+)" / "(-)" in the
    code name, code groups as Sets, school and role only in the document names; a working code "Good quote"."""
    tool, upper, stamp = "atlasti_v2", False, "2026-10-22T08:15:00Z"
    rng = random.Random(303)
    coders = ["mk", "lp"]
    root, users, book = _project_root(tool, stamp, "Assets study 2.0", "ATLAS.ti 24.1.0", coders, upper)
    named, leaves = _v2_marked(ATLAS_V2_CODES, ATLAS_VALENCE_MARKS)
    guids = _flat_codes(book, tool, [n for m in named.values() for n in m] + [MEMO_CODE], upper)
    sources_el = ET.SubElement(root, q("Sources"))
    roles = ["teacher", "leader", "teacher", "district", "teacher", "teacher"]
    files, docs = {}, []
    for i in range(6):
        school = f"S{i // 2 + 5:02d}"
        sname = f"{school}_{roles[i]}_interview_{i + 1}.docx"
        text, spans = _v2_transcript(rng, leaves, 9, "I: What happened then?\nR: ", coders, 0.6)
        for k in range(2, len(spans), 4):  # the analyst marks quotes to use in the report
            spans[k][2].append(("mk", MEMO_CODE))
        _, sg = _text_source(
            sources_el, tool, sname, users, "mk", stamp, spans, guids, upper, sel_name=sname.rsplit(".", 1)[0]
        )
        files[f"{sg}.txt"] = text
        docs.append((sname, text, spans, {"school": school, "role": roles[i]}))
    _code_groups(root, tool, named, guids, upper)
    _zip(HERE_V2 / "atlasti_v2_like.qdpx", _xml(root), files)
    entry = {
        "codes": _v2_truth_codes(leaves, (MEMO_CODE,)),
        "cases": {"school": {"from_filename": "^(S\\d+)_"}, "role": {"from_filename": "^S\\d+_([a-z]+)_"}},
        "groups": {n: g for g, m in named.items() for n in m},
    }
    return entry, _v2_truth_codings(docs, leaves)


def qualcoder_v2() -> tuple[dict, dict]:
    """A QualCoder-like project coded with the 2.0.0 codebook: categories (not codable) with codes under them,
    valence marked in the code name ("trust: barrier"), cases with attributes school and role."""
    tool, upper, stamp = "qualcoder_v2", False, "2026-11-02T14:20:05"
    rng = random.Random(404)
    coders = ["default", "coder2"]
    root, users, book = _project_root(tool, stamp, "assets_v2.qda", "QualCoder 3.6", coders, upper)
    named, leaves = _v2_marked(QUALCODER_V2_TREE, QUALCODER_VALENCE_MARKS)
    _, guids = _codes_xml(book, named, tool, False, upper, COLOURS)
    vg = _document_variables(root, tool, ("school", "role"), upper)
    cases = ET.SubElement(root, q("Cases"))
    sources_el = ET.SubElement(root, q("Sources"))
    files, docs = {}, []
    for i in range(4):
        sname = f"interview{i + 1}.txt"
        text, spans = _v2_transcript(rng, leaves, 10, "Q: Can you say more?\nA: ", coders, 0.6)
        _, sg = _text_source(
            sources_el, tool, sname, users, "default", stamp, spans, guids, upper, numbered=True
        )
        values = {"school": f"S{i // 2 + 8:02d}", "role": "teacher" if i % 2 == 0 else "leader"}
        _case(cases, tool, i, f"case{i + 1}", values, vg, sg, upper)
        files[f"{sg}.txt"] = text
        docs.append((sname, text, spans, dict(values)))
    _zip(HERE_V2 / "qualcoder_v2_like.qdpx", _xml(root), files)
    return {"codes": _v2_truth_codes(leaves), "cases": {}}, _v2_truth_codings(docs, leaves)


def _codings_json(truth: dict) -> str:
    """expected_codings.json: per project its documents, then one coding a line (diffs stay readable)."""
    out = []
    for project in sorted(truth):
        rows = ",\n".join("      " + json.dumps(r, sort_keys=True) for r in truth[project]["codings"])
        docs = json.dumps(truth[project]["documents"], sort_keys=True)
        out.append(f'  "{project}": {{\n    "documents": {docs},\n    "codings": [\n{rows}\n    ]\n  }}')
    return "{\n" + ",\n".join(out) + "\n}\n"


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
    v2, codings = {}, {}
    for name, writer in (
        ("maxqda_v2_like.qdpx", maxqda_v2),
        ("nvivo_v2_like.qdpx", nvivo_v2),
        ("atlasti_v2_like.qdpx", atlasti_v2),
        ("qualcoder_v2_like.qdpx", qualcoder_v2),
    ):
        v2[name], codings[name] = writer()
    (HERE_V2 / "expected_codes.json").write_text(
        json.dumps(v2, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (HERE_V2 / "expected_codings.json").write_text(_codings_json(codings), encoding="utf-8")


if __name__ == "__main__":
    main()
