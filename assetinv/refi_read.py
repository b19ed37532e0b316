"""Reading REFI-QDA files: a project (``.qdpx``) into raw codings, a codebook (``.qdc``) into a table.

The parse is tolerant of what NVivo, ATLAS.ti, MAXQDA and QualCoder write (code trees, code groups
as ``Set``, case and source variables, texts inside or beside the archive) and strict about what is
unsafe: the archive is opened through :class:`assetinv.safe_input.SafeZip`. Every malformed part
becomes a :class:`~assetinv.errors.Problem`, never a traceback. The crosswalk and the checks
against the codebook are :mod:`assetinv.codings_check`'s; writing is
:mod:`assetinv.qualitative.refi`'s.

Examples
--------
>>> import pathlib, tempfile
>>> from assetinv import load_instrument
>>> from assetinv.qualitative import write_qdc
>>> from assetinv.refi_read import read_qdc
>>> f = write_qdc(load_instrument(), pathlib.Path(tempfile.mkdtemp()) / "codebook.qdc")
>>> read_qdc(f)[["id", "group"]].iloc[0].tolist()
['EX-COACH', 'EX']

References
----------
REFI-QDA Standard 1.5 (2019), www.qdasoftware.org: project schema ``urn:QDA-XML:project:1.0``,
codebook schema ``urn:QDA-XML:codebook:1.0``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .codings_layout import CODING_COLUMNS
from .errors import DataError, Problem

__all__ = ["read_qdc"]

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
_EXEMPLARY_NOTE = "assetinv:exemplary"
#: QDPX notes that carry a coding's valence (a ``NoteRef`` on the ``Coding``).
_VALENCE_NOTES = {"strength": "assetinv:valence=strength", "barrier": "assetinv:valence=barrier"}

_DESC_FIELDS = [
    ("name", "Name"),
    ("definition", "Definition"),
    ("use_when", "Use when"),
    ("do_not_use_when", "Do not use when"),
    ("example", "Example"),
]
# written only when they differ from the defaults, so a 1.0.0 codebook keeps its bytes
_DESC_OPTIONAL = [("negative_example", "Negative example"), ("domain", "Domain"), ("valence", "Valence")]


def _parse_description(text: str) -> dict:
    out = {k: "" for k, _ in _DESC_FIELDS + _DESC_OPTIONAL}
    labels = {label.lower(): attr for attr, label in _DESC_FIELDS + _DESC_OPTIONAL}
    current = None
    found = False
    for line in (text or "").splitlines():
        m = re.match(
            r"^\s*(Name|Definition|Use when|Do not use when|Example|Negative example|Domain|Valence)"
            r"\s*:\s?(.*)$",
            line,
            re.I,
        )
        if m:
            current = labels[m.group(1).lower()]
            out[current] = m.group(2).strip()
            found = True
        elif current is not None:
            out[current] = (out[current] + "\n" + line).strip()
    if not found:
        out["definition"] = (text or "").strip()
    return out


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
            info[code.get("guid")] = {
                "name": name,
                "path": "/".join(ancestors + [name]),
                "parent": "/".join(ancestors),
                "sets": [],
            }
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


def _codebook_root(p: Path) -> ET.Element:
    """The XML root of a ``.qdc`` codebook, or of the project inside a ``.qdpx``."""
    try:
        if p.suffix.lower() == ".qdpx":
            from .safe_input import SafeZip

            with SafeZip(p) as zf:
                qde = next(n for n in zf.namelist() if n.lower().endswith(".qde"))
                return ET.fromstring(zf.read(qde))
        return ET.fromstring(p.read_bytes())
    except (OSError, ET.ParseError, zipfile.BadZipFile, StopIteration) as e:
        raise DataError(
            Problem(str(p), f"cannot read a REFI-QDA codebook ({e})", "export the codebook again as .qdc")
        ) from e


def codable_code_paths(path: str | Path) -> pd.DataFrame:
    """Each codable code of a project's (or codebook's) code tree, with its path as codings carry it.

    Parameters
    ----------
    path : str or Path
        A ``.qdpx`` project or ``.qdc`` codebook.

    Returns
    -------
    DataFrame
        ``code, code_path, parent, group`` in tree order: ``code_path`` is the names of the code's parent
        codes and its own, joined by "/" (code groups, REFI-QDA ``Sets``, are not part of it), as in the
        codings :func:`read_qdpx` returns; ``parent`` is the parent codes' path ("" at the top) and
        ``group`` the parent path or, for a top-level code, its code groups ("; "-joined).

    Examples
    --------
    See :func:`assetinv.crosswalk_qda.draft_codings_crosswalk`.
    """
    root = _codebook_root(Path(path))
    info = _code_paths(root)
    rows = []
    for codes_el in _iter(root, "Codes"):
        for code in _codable_codes(codes_el):
            d = info[code.get("guid")]
            rows.append(
                {"code": d["name"], "code_path": d["path"], "parent": d["parent"], "group": d["group"]}
            )
    return pd.DataFrame(rows, columns=["code", "code_path", "parent", "group"])


def _codable_codes(el: ET.Element):
    """The codable ``Code`` elements below ``el``, in tree order (a parent before its children)."""
    for code in _children(el, "Code"):
        if (code.get("isCodable") or "true").lower() == "true":
            yield code
        yield from _codable_codes(code)


def _read_qdpx_raw(path: Path, allow_external=None) -> tuple[pd.DataFrame, list, list[Problem]]:
    """Parse a .qdpx; every malformed part becomes a Problem (or a DataError), never a traceback."""
    try:
        return _read_qdpx_parts(path, allow_external)
    except DataError as err:
        return (
            pd.DataFrame(),
            [],
            list(err.problems) or [Problem(str(path), str(err), "export the project again")],
        )
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        UnicodeError,
        RecursionError,
        zipfile.BadZipFile,
        EOFError,
        OSError,
    ) as err:
        return (
            pd.DataFrame(),
            [],
            [
                Problem(
                    str(path),
                    f"the project cannot be read ({type(err).__name__})",
                    "export the project again as REFI-QDA .qdpx",
                )
            ],
        )


def _position(sel: ET.Element, attr: str, file: str, where: str) -> int:
    raw = sel.get(attr, "0")
    if not re.fullmatch(r"\s*\d{1,12}\s*", raw or ""):
        shown = (
            raw
            if len(raw) <= 20 and raw.isprintable()
            else raw[:20].encode("unicode_escape").decode() + "..."
        )
        raise DataError(
            Problem(
                file,
                f"{where}: {attr} '{shown}' is not a whole number of characters",
                "export the project again (positions are 0-based character offsets)",
            )
        )
    return int(raw)


_VAR_MAP = {"school": "school", "site": "school", "role": "role"}
_EXTRA_COLUMNS = ["exemplary", "valence", "parent", "code_path", "_vars", "_names"]


@dataclass
class _Project:
    """What the selections of a REFI-QDA project refer to: users, codes, notes, variables."""

    file: str
    users: dict
    codes: dict
    notes: dict
    variables: dict
    case_vars: dict
    name_sources: dict

    def var_dict(self, el) -> dict:
        """The ``VariableValue`` children of a case or source, by variable name."""
        out = {}
        for vv in _children(el, "VariableValue"):
            ref = _child(vv, "VariableRef")
            vname = self.variables.get(ref.get("targetGUID") if ref is not None else None, "")
            if vname:
                out[vname] = _variable_value(vv)
        return out


def _read_qdpx_parts(path: Path, allow_external=None) -> tuple[pd.DataFrame, list, list[Problem]]:
    from .safe_input import SafeZip

    file = str(path)
    with SafeZip(path, label=file) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        root, problems = _project_root(zf, names, file)
        if root is None:
            return pd.DataFrame(), [], problems
        sources_el = _child(root, "Sources")
        text_sources = _children(sources_el, "TextSource") if sources_el is not None else []
        proj = _project(root, text_sources, file)
        rows: list[dict] = []
        where: list[str] = []
        for src in text_sources:
            text = _source_text(src, zf, names, path, root, allow_external, file, problems)
            if text is not None:
                _selection_rows(proj, src, text, rows, where, problems)
        table = pd.DataFrame(rows, columns=CODING_COLUMNS + _EXTRA_COLUMNS)
        table.attrs["variables"] = sorted(set(proj.variables.values()))
        return table, where, problems


def _project_root(zf, names: dict, file: str) -> tuple[ET.Element | None, list[Problem]]:
    """The parsed ``project.qde`` (``None`` with the problem when it is missing or not a project)."""
    qde = next((names[n] for n in names if n.endswith(".qde")), None)
    if qde is None:
        return None, [
            Problem(file, "no project.qde inside the archive", "export the project again as REFI-QDA .qdpx")
        ]
    try:
        root = ET.fromstring(zf.read(qde))
    except ET.ParseError as e:
        return None, [Problem(file, f"project.qde is not valid XML ({e})", "export the project again")]
    if _local(root.tag) != "Project":
        return None, [
            Problem(file, f"root element is <{_local(root.tag)}>, not <Project>", "export a REFI-QDA project")
        ]
    return root, []


def _project(root: ET.Element, text_sources: list, file: str) -> _Project:
    """Users, codes, notes and variables of the project, and each case's variables by source."""
    proj = _Project(
        file=file,
        users={u.get("guid"): (u.get("name") or u.get("id") or "") for u in _iter(root, "User")},
        codes=_code_paths(root),
        notes={n.get("guid"): (n.get("name") or "") for n in _iter(root, "Note")},
        variables={v.get("guid"): (v.get("name") or "").strip() for v in _iter(root, "Variable")},
        case_vars={},
        name_sources={},
    )
    cases_el = _child(root, "Cases")
    for case in _children(cases_el, "Case") if cases_el is not None else []:
        vals = proj.var_dict(case)
        for sref in _children(case, "SourceRef"):
            proj.case_vars.setdefault(sref.get("targetGUID"), {}).update(vals)
    # a selection name used in two sources (tools that number selections per source) is no excerpt id
    for src in text_sources:
        for sel in _children(src, "PlainTextSelection"):
            if sel.get("name"):
                proj.name_sources.setdefault(sel.get("name"), set()).add(src.get("guid"))
    return proj


def _source_text(
    src, zf, names: dict, path: Path, root, allow_external, file: str, problems: list[Problem]
) -> str | None:
    """A source's text: internal, an archive member, or an allowed outside file (``None`` with a problem)."""
    from .safe_input import resolve_external_source

    sname = src.get("name") or src.get("guid")
    content = _child(src, "PlainTextContent")
    if content is not None:
        return content.text or ""
    ref = src.get("plainTextPath") or ""
    scheme = ref.split("://", 1)[0].lower() if "://" in ref else "internal"
    member = ref.split("://", 1)[-1]
    if scheme in ("absolute", "relative", "file"):
        # outside the archive: only from a folder the user allowed (see assetinv.safe_input)
        ext = resolve_external_source(
            ref if scheme != "file" else "absolute://" + member,
            archive=path,
            base_path=root.get("basePath"),
            allow_external=allow_external,
            source=sname,
        )
        return _read_external_text(ext, zf, file, sname)
    cand = [c for c in (names.get(f"sources/{member}".lower()), names.get(member.lower())) if c]
    if not cand:  # never looked up on disk: an internal path names a member of the archive
        problems.append(
            Problem(
                file,
                f"text of source '{sname}' not found inside the archive",
                "export the project with its sources included",
            )
        )
        return None
    try:
        return zf.read(cand[0]).decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(
            Problem(
                file,
                f"text of source '{sname}' is not UTF-8 text",
                "export the project again (REFI-QDA source texts are UTF-8)",
            )
        )
        return None


def _selection_rows(
    proj: _Project, src, text: str, rows: list[dict], where: list[str], problems: list[Problem]
) -> None:
    """One row per coding of each of the source's selections (and where it stands, for messages)."""
    file, sguid = proj.file, src.get("guid")
    sname = src.get("name") or sguid
    allvars = dict(proj.case_vars.get(sguid, {}))
    allvars.update(proj.var_dict(src))
    meta = {_VAR_MAP[k.lower()]: v for k, v in allvars.items() if k.lower() in _VAR_MAP}
    file_names = [sname] + [
        Path((src.get(a) or "").split("://", 1)[-1]).name
        for a in ("richTextPath", "plainTextPath")
        if src.get(a)
    ]
    seen: dict[tuple, str] = {}
    for sel in _children(src, "PlainTextSelection"):
        swhere = f"source '{sname}', selection '{sel.get('name') or sel.get('guid') or '?'}'"
        start = _position(sel, "startPosition", file, swhere)
        end = _position(sel, "endPosition", file, swhere)
        if end < start or end > len(text):
            problems.append(
                Problem(
                    file,
                    f"{swhere}: positions {start}-{end} lie outside the source text ({len(text)} characters)",
                    "export the project again",
                )
            )
            continue
        key = (start, end)
        own = sel.get("name") if len(proj.name_sources.get(sel.get("name"), ())) == 1 else None
        ex = seen.get(key) or own or f"{sname}#{start}-{end}"
        seen.setdefault(key, ex)
        sel_user = proj.users.get(sel.get("creatingUser"), "")
        for coding in _children(sel, "Coding"):
            cref = _child(coding, "CodeRef")
            cguid = cref.get("targetGUID") if cref is not None else None
            note_names = [proj.notes.get(n.get("targetGUID"), "") for n in _children(coding, "NoteRef")]
            cinfo = proj.codes.get(cguid, {"name": cguid or "", "path": cguid or "", "group": ""})
            rows.append(
                {
                    "excerpt_id": ex,
                    "interview_id": sname,
                    "school": meta.get("school", ""),
                    "role": meta.get("role", ""),
                    "coder": proj.users.get(coding.get("creatingUser"), "") or sel_user,
                    "code": cinfo["name"],
                    "text": text[start:end],
                    "exemplary": "TRUE" if _EXEMPLARY_NOTE in note_names else "FALSE",
                    "valence": next((v for v, nm in _VALENCE_NOTES.items() if nm in note_names), ""),
                    "parent": cinfo["group"],
                    "code_path": cinfo["path"],
                    "_vars": allvars,
                    "_names": file_names,
                }
            )
            span = "" if f"{start}-{end}" in ex else f" ({start}-{end})"
            where.append(f"source '{sname}', selection '{ex}'{span}")


def _read_external_text(target: Path, zf, file: str, sname: str) -> str:
    """Read an allowed external source text under the archive's size cap."""
    limit = max(zf.max_bytes - zf.read_so_far, 0)
    with open(target, "rb") as fh:
        data = fh.read(limit + 1)
    zf.read_so_far += len(data)
    if len(data) > limit:
        raise DataError(
            Problem(
                file,
                f"the text of source '{sname}' is larger than the size allowed",
                "split the source, or embed a shorter text in the project",
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(
            Problem(file, f"the text of source '{sname}' is not UTF-8 text", "save the source text as UTF-8")
        ) from None


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
    root = _codebook_root(p)
    rows = []
    paths = _code_paths(root)

    codes_el = next(_iter(root, "Codes"), None)
    if codes_el is None:
        raise DataError(
            Problem(str(p), "no <Codes> element found", "export the codebook again as REFI-QDA .qdc")
        )
    for code in _codable_codes(codes_el):
        name = code.get("name") or ""
        desc = _child(code, "Description")
        info = _parse_description((desc.text or "") if desc is not None else "")
        rows.append(
            {
                "id": name,
                "group": paths.get(code.get("guid"), {}).get("group", ""),
                "name": info["name"] or name,
                **{k: info[k] for k in ("definition", "use_when", "do_not_use_when", "example")},
            }
        )
        rows[-1].update({k: info[k] for k, _ in _DESC_OPTIONAL})
    out = pd.DataFrame(
        rows,
        columns=[
            "id",
            "group",
            "name",
            "definition",
            "use_when",
            "do_not_use_when",
            "example",
            "domain",
            "valence",
            "negative_example",
        ],
    ).fillna("")
    # the defaults load_instrument gives: a topic code's domain is its group, valence 'either'
    last = [str(g).replace("\\", "/").split("/")[-1] for g in out["group"]]  # a group may be a code-tree path
    out["domain"] = [d or ("" if g in ("BARRIER", "ENABLER") else g) for d, g in zip(out["domain"], last)]
    out["valence"] = [v.strip().lower() or "either" for v in out["valence"]]
    return out
