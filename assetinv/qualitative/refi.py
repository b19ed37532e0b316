"""Writing REFI-QDA projects (``.qdpx``) and codebooks (``.qdc``); reading them back.

References
----------
REFI-QDA Standard 1.5 (2019), www.qdasoftware.org.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..codings_layout import CODING_COLUMNS, _s, _sort_codings
from ..instrument import Instrument, resolve
from ..refi_read import (
    _DESC_FIELDS,
    _DESC_OPTIONAL,
    _EXEMPLARY_NOTE,
    _VALENCE_NOTES,
    NS_CODEBOOK,
    NS_PROJECT,
    read_qdc,
)
from .codings import read_codings

__all__ = ["read_qdc", "read_qdpx", "write_qdc", "write_qdpx"]


_GUID_NS = uuid.UUID("6f1c3b1e-8f0a-5d55-9a4c-1c2b0a7e5d11")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_GUID_NS, f"{kind}:{key}"))


def _q(tag: str, ns: str = NS_PROJECT) -> str:
    return f"{{{ns}}}{tag}"


def _code_tree(
    parent: ET.Element,
    codebook: pd.DataFrame,
    extra: Iterable[str],
    ns: str,
    with_notes: bool,
    parented: Iterable[tuple[str, str]] = (),
):
    """Group codes under non-codable parent codes named after their group.

    A group (or a parent in ``parented``) written as a path ``"A/B"`` becomes
    nested parent codes A > B. ``parented`` holds ``(parent path, code)``
    pairs placed under their own parent codes (the QDA tool's code tree).
    """
    codes = ET.SubElement(parent, _q("Codes", ns))
    containers: dict[str, ET.Element] = {}

    def container(path: str) -> ET.Element:
        if not path:
            return codes
        if path not in containers:
            head, _, leaf = path.rpartition("/")
            containers[path] = ET.SubElement(
                container(head),
                _q("Code", ns),
                {"guid": _guid("group", path), "name": leaf, "isCodable": "false"},
            )
        return containers[path]

    info = {rec.id: rec for rec in codebook.itertuples(index=False)}
    groups = list(dict.fromkeys(codebook["group"].astype(str)))
    for g in groups:
        gel = container(g)
        for rec in codebook[codebook["group"].astype(str) == g].itertuples(index=False):
            cel = ET.SubElement(
                gel, _q("Code", ns), {"guid": _guid("code", rec.id), "name": rec.id, "isCodable": "true"}
            )
            ET.SubElement(cel, _q("Description", ns)).text = _describe(rec)
    for c in extra:
        ET.SubElement(codes, _q("Code", ns), {"guid": _guid("code", c), "name": c, "isCodable": "true"})
    for p, c in parented:
        cel = ET.SubElement(
            container(p), _q("Code", ns), {"guid": _guid("code", f"{p}/{c}"), "name": c, "isCodable": "true"}
        )
        if c in info:
            ET.SubElement(cel, _q("Description", ns)).text = _describe(info[c])
    return codes


def _describe(rec) -> str:
    lines = []
    for attr, label in _DESC_FIELDS:
        v = getattr(rec, attr, "")
        lines.append(f"{label}: {_s(v)}")
    for attr, label in _DESC_OPTIONAL:
        v = _s(getattr(rec, attr, ""))
        default = {
            "domain": _s(getattr(rec, "group", ""))
            if _s(getattr(rec, "group", "")) not in ("BARRIER", "ENABLER")
            else "",
            "valence": "either",
        }.get(attr, "")
        if v and v != default:
            lines.append(f"{label}: {v}")
    return "\n".join(lines)


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")


def _zip_write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    zf.writestr(info, data)


def write_qdpx(
    codings: pd.DataFrame,
    path,
    instrument: Instrument | str | Path | None = None,
    *,
    project_name: str = "Asset Inventory interviews",
) -> Path:
    """Write codings as a REFI-QDA 1.5 project (``.qdpx``).

    Mapping: each interview becomes a ``TextSource`` whose plain text (in
    ``Sources/<guid>.txt``, referenced as ``internal://``) is its excerpts
    joined by blank lines, in excerpt-id order; each excerpt a
    ``PlainTextSelection`` (``name`` = excerpt id, 0-based ``startPosition``,
    exclusive ``endPosition``, in characters); each coder a ``User`` and each
    code application a ``Coding`` made by that user. School and role are
    ``Text`` variables of one ``Case`` per interview (``SourceRef`` to it).
    Codes sit under non-codable parent codes named after their group (EX, LM,
    CN, OS, BARRIER, ENABLER) with the definition in ``Description``.
    Excerpts flagged exemplary carry a ``NoteRef`` to a note named
    ``assetinv:exemplary``. A coding's valence is a ``NoteRef`` on that
    ``Coding`` (the REFI-QDA 1.5 ``CodingType`` holds one ``CodeRef`` and any
    number of ``NoteRef``) to a note named ``assetinv:valence=strength`` or
    ``assetinv:valence=barrier``, so it survives a round trip through a QDA
    tool and is per coding, not per code. GUIDs are UUID-5 of the ids and the zip has fixed
    timestamps, so the same codings give the same bytes.

    Parameters
    ----------
    codings : DataFrame
        The tidy codings table (:func:`read_codings`).
    path : str or Path
        Output ``.qdpx`` file.
    instrument : Instrument, optional
        Supplies the codebook (default: the bundled instrument).
    project_name : str
        ``Project/@name``.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1"], "interview_id": ["i1"],
    ...     "school": ["S1"], "role": ["teacher"], "coder": ["ana"],
    ...     "code": ["EX-SHARE"], "text": ["We share."], "exemplary": [False],
    ...     "valence": ["strength"]})
    >>> f = write_qdpx(c, pathlib.Path(tempfile.mkdtemp()) / "p.qdpx")
    >>> read_qdpx(f)[["excerpt_id", "coder", "code", "text"]].iloc[0].tolist()
    ['e1', 'ana', 'EX-SHARE', 'We share.']

    References
    ----------
    REFI-QDA Standard 1.5 (2019), Project.xsd, www.qdasoftware.org.
    """
    path = Path(path)
    cod = _tidy_for_export(codings)
    cb = resolve(instrument).codebook.reset_index(drop=True)
    parented = sorted(set(zip(cod.loc[cod["parent"] != "", "parent"], cod.loc[cod["parent"] != "", "code"])))
    extra = sorted(set(cod.loc[cod["parent"] == "", "code"]) - set(cb["id"]))
    ET.register_namespace("", NS_PROJECT)
    root = ET.Element(_q("Project"), {"name": project_name, "origin": "assetinv"})
    users = ET.SubElement(root, _q("Users"))
    for coder in sorted(set(cod["coder"])):
        ET.SubElement(users, _q("User"), {"guid": _guid("user", coder), "name": coder, "id": coder})
    book = ET.SubElement(root, _q("CodeBook"))
    _code_tree(book, cb, extra, NS_PROJECT, True, parented)
    variables = ET.SubElement(root, _q("Variables"))
    for v in ("school", "role"):
        ET.SubElement(
            variables, _q("Variable"), {"guid": _guid("var", v), "name": v, "typeOfVariable": "Text"}
        )
    _cases_xml(root, cod)
    files = _sources_xml(root, cod)
    _notes_xml(root, cod)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _zip_write(zf, "project.qde", _xml_bytes(root))
        for name in sorted(files):
            _zip_write(zf, name, files[name])
    path.write_bytes(buf.getvalue())
    return path


def _tidy_for_export(codings: pd.DataFrame) -> pd.DataFrame:
    """Codings with every column a string (exemplary, valence, parent filled in), sorted for stable bytes."""
    cod = codings.copy()
    if "exemplary" not in cod:
        cod["exemplary"] = False
    if "valence" not in cod:
        cod["valence"] = ""
    cod["valence"] = [_s(v).lower() for v in cod["valence"]]
    for c in CODING_COLUMNS:
        cod[c] = [_s(v) for v in cod[c]]
    cod = _sort_codings(cod)
    cod["parent"] = [_s(v) for v in cod["parent"]] if "parent" in cod.columns else ""
    return cod


def _cases_xml(root: ET.Element, cod: pd.DataFrame) -> None:
    """One ``Case`` per interview with its school and role variables and a ``SourceRef`` to its text."""
    interviews = cod.drop_duplicates("interview_id")[["interview_id", "school", "role"]].sort_values(
        "interview_id", kind="mergesort"
    )
    cases = ET.SubElement(root, _q("Cases"))
    for rec in interviews.itertuples(index=False):
        case = ET.SubElement(
            cases, _q("Case"), {"guid": _guid("case", rec.interview_id), "name": rec.interview_id}
        )
        for v in ("school", "role"):
            vv = ET.SubElement(case, _q("VariableValue"))
            ET.SubElement(vv, _q("VariableRef"), {"targetGUID": _guid("var", v)})
            ET.SubElement(vv, _q("TextValue")).text = getattr(rec, v)
        ET.SubElement(case, _q("SourceRef"), {"targetGUID": _guid("source", rec.interview_id)})


def _sources_xml(root: ET.Element, cod: pd.DataFrame) -> dict[str, bytes]:
    """One ``TextSource`` per interview (its excerpts joined by blank lines); the archive members of the texts."""
    sources = ET.SubElement(root, _q("Sources"))
    files: dict[str, bytes] = {}
    for itv, g in cod.groupby("interview_id", sort=True):
        sguid = _guid("source", itv)
        src = ET.SubElement(
            sources,
            _q("TextSource"),
            {"guid": sguid, "name": itv, "plainTextPath": f"internal://{sguid}.txt"},
        )
        parts: list[str] = []
        pos = 0
        for ex, eg in g.groupby("excerpt_id", sort=True):
            text = eg["text"].iloc[0]
            if parts:
                parts.append("\n\n")
                pos += 2
            start, end = pos, pos + len(text)
            parts.append(text)
            pos = end
            _selection_xml(src, str(ex), eg, start, end)
        files[f"Sources/{sguid}.txt"] = "".join(parts).encode("utf-8")
    return files


def _selection_xml(src: ET.Element, ex: str, eg: pd.DataFrame, start: int, end: int) -> None:
    """A ``PlainTextSelection`` with one ``Coding`` per coder and code (exemplary and valence as ``NoteRef``)."""
    sel = ET.SubElement(
        src,
        _q("PlainTextSelection"),
        {
            "guid": _guid("selection", ex),
            "name": ex,
            "startPosition": str(start),
            "endPosition": str(end),
            "creatingUser": _guid("user", eg["coder"].iloc[0]),
        },
    )
    note_guid = _guid("note", _EXEMPLARY_NOTE)
    for rec in eg.itertuples(index=False):
        coding = ET.SubElement(
            sel,
            _q("Coding"),
            {
                "guid": _guid("coding", f"{ex}|{rec.coder}|{rec.code}"),
                "creatingUser": _guid("user", rec.coder),
            },
        )
        code_key = f"{rec.parent}/{rec.code}" if rec.parent else rec.code
        ET.SubElement(coding, _q("CodeRef"), {"targetGUID": _guid("code", code_key)})
        if bool(rec.exemplary):
            ET.SubElement(coding, _q("NoteRef"), {"targetGUID": note_guid})
        if rec.valence in _VALENCE_NOTES:
            ET.SubElement(coding, _q("NoteRef"), {"targetGUID": _guid("note", _VALENCE_NOTES[rec.valence])})


def _notes_xml(root: ET.Element, cod: pd.DataFrame) -> None:
    """The ``assetinv:exemplary`` and ``assetinv:valence=...`` notes the codings refer to (only those used)."""
    any_exemplary = bool(cod["exemplary"].any())
    used_valences = [v for v in _VALENCE_NOTES if (cod["valence"] == v).any()]
    if not (any_exemplary or used_valences):
        return
    notes = ET.SubElement(root, _q("Notes"))
    if any_exemplary:
        note = ET.SubElement(
            notes, _q("Note"), {"guid": _guid("note", _EXEMPLARY_NOTE), "name": _EXEMPLARY_NOTE}
        )
        ET.SubElement(
            note, _q("PlainTextContent")
        ).text = "Codings referring to this note were flagged by their coder as exemplary quotes."
    for v in used_valences:
        note = ET.SubElement(
            notes, _q("Note"), {"guid": _guid("note", _VALENCE_NOTES[v]), "name": _VALENCE_NOTES[v]}
        )
        ET.SubElement(note, _q("PlainTextContent")).text = (
            f"Codings referring to this note record valence '{v}': the excerpt shows "
            + (
                "the practice or condition present and helping."
                if v == "strength"
                else "the practice or condition missing, weak or in the way."
            )
        )


def read_qdpx(
    path,
    instrument: Instrument | str | Path | None = None,
    *,
    codes=None,
    cases=None,
    allow_external=None,
    require_valence: bool | None = None,
) -> pd.DataFrame:
    """Read a REFI-QDA project (``.qdpx``) exported by NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Every ``Coding`` inside a ``PlainTextSelection`` of a ``TextSource``
    becomes one row: the source's ``name`` is the interview, the selection's
    ``name`` the excerpt id (or ``<source>#<start>-<end>`` when unnamed;
    selections of different coders over the same span are one excerpt), the
    coding's ``creatingUser`` (else the selection's) the coder, the code's
    ``name`` the code, and the selected characters the text. School and role
    come from variables named ``school`` (or ``site``) and ``role`` on the
    source or on a ``Case`` that refers to it. Source text is read from
    ``PlainTextContent`` or the ``plainTextPath`` file inside the archive.

    The archive is untrusted input: it is refused when its headers declare, or
    its members expand to, more than
    :data:`assetinv.safe_input.MAX_UNCOMPRESSED_BYTES` (512 MiB) or a member
    is compressed more than :data:`~assetinv.safe_input.MAX_COMPRESSION_RATIO`
    (100) to 1. A ``plainTextPath`` outside the archive (``absolute://``, or
    ``relative://`` as REFI-QDA allows) is refused unless ``allow_external``
    names a folder, and then only files inside that folder are read (symbolic
    links resolved). Malformed positions, XML or zip members give a
    :class:`~assetinv.errors.DataError`, never a traceback.

    Parameters
    ----------
    path : str or Path
    instrument : Instrument, optional
        Codebook to validate against (default: bundled instrument). Code names
        may be codebook ids or codebook names.
    allow_external : path, optional
        The only folder that source texts outside the archive may come from.
    require_valence : bool, optional
        As in :func:`read_codings` (default: when the codebook states valences).

    Returns
    -------
    DataFrame
        The tidy codings table (as :func:`read_codings`).

    Raises
    ------
    DataError
        With every problem; the location names source and selection.

    Examples
    --------
    See :func:`write_qdpx`.

    References
    ----------
    REFI-QDA Standard 1.5 (2019), www.qdasoftware.org.
    """
    return read_codings(
        path,
        instrument,
        codes=codes,
        cases=cases,
        allow_external=allow_external,
        require_valence=require_valence,
    )


def write_qdc(codebook, path) -> Path:
    """Export the codebook as a REFI-QDA codebook (``.qdc``).

    Codes are nested under non-codable parent codes named after their group;
    each code's ``Description`` holds its name, definition, use-when,
    do-not-use-when and example as labelled lines, so :func:`read_qdc` gets
    the same table back.

    Parameters
    ----------
    codebook : Instrument or DataFrame
        An instrument, or a codebook table with ``id, group, name,
        definition, use_when, do_not_use_when, example``.
    path : str or Path

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib, assetinv
    >>> cb = assetinv.load_instrument().codebook
    >>> f = write_qdc(cb, pathlib.Path(tempfile.mkdtemp()) / "codebook.qdc")
    >>> back = read_qdc(f)
    >>> back.equals(cb[list(back.columns)].reset_index(drop=True))
    True

    References
    ----------
    REFI-QDA Standard 1.5 (2019), Codebook.xsd.
    """
    cb = codebook.codebook if hasattr(codebook, "codebook") else codebook
    cb = cb.reset_index(drop=True)
    ET.register_namespace("", NS_CODEBOOK)
    root = ET.Element(_q("CodeBook", NS_CODEBOOK), {"origin": "assetinv"})
    _code_tree(root, cb, [], NS_CODEBOOK, False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_xml_bytes(root))
    return path
