"""Draft the codings crosswalk (``codes:`` and ``cases:``) for a QDA project or a coded table.

A QDA project names its codes in the evaluator's words ("Not enough time", "Structures/PLC meetings") and
keeps school and role in case variables of its own naming ("Site", "Job Title") or only in the document
names. :func:`draft_codings_crosswalk` reads the project, proposes a codebook id for every code and a source
for school and role, and writes them as the ``codings:`` block of ``study.yaml``, each line with its
confidence. Low-confidence proposals are written commented out with the reason, so they are never
accepted silently: check them, uncomment or correct them, then run ``assetinv validate``.

How codes are matched
---------------------
Each QDA code is compared with each codebook code by ``rapidfuzz``:

* the code's name against the codebook name and id (``WRatio``: case-, punctuation- and word-order-blind),
  and against the definition, "use when" and example (``token_set_ratio`` on word stems, weighted 0.85);
* the code's parent codes or code groups against the codebook group's domain name (``Expertise``,
  ``Barriers`` ...): a parent that names a group adds 12 points to that group's codes and takes 12 from
  the others.

The proposal is the best-scoring codebook code. It is **confident** when its score is at least
:data:`CONFIDENT_SCORE` and leads the runner-up by at least :data:`CONFIDENT_MARGIN` points; other
proposals are commented out. Codes a project uses for the analyst's own purposes ("Good quote") score low
and are proposed as ``~`` (left out), commented out too.

References
----------
REFI-QDA Standard 1.5 (2019), www.qdasoftware.org. rapidfuzz (Bachmann, 2021-), https://github.com/rapidfuzz.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .code_match import _score_code
from .codings_layout import _VALENCE_WORDS
from .errors import DataError, Problem
from .instrument import Instrument, resolve

__all__ = [
    "CONFIDENT_MARGIN",
    "CONFIDENT_NAME",
    "CONFIDENT_SCORE",
    "CodingsDraft",
    "draft_codings_crosswalk",
    "is_codings_file",
    "write_codings_draft",
]

CONFIDENT_SCORE = 75.0
CONFIDENT_MARGIN = 10.0
CONFIDENT_NAME = 60.0
LEAVE_OUT_BELOW = 50.0


@dataclass
class CodingsDraft:
    """A drafted codings crosswalk.

    Attributes
    ----------
    codes : DataFrame
        One row per QDA code: ``key`` (what to write under ``codes:``), ``name``, ``parent``, ``n_codings``,
        ``proposal`` (codebook id, or ``None`` = leave out), ``proposal_name``, ``score`` (0-100),
        ``runner_up``, ``runner_up_score``, ``confident``, ``reason`` and ``valence`` (``strength`` or
        ``barrier`` when the QDA code records one: a sub-code "barrier", or "Trust (-)"; else "").
    cases : dict
        Field -> proposed spec (``"School"`` or ``{"from_filename": ...}``); ``case_notes`` says why.
    case_notes : dict
        Field -> one line on where the proposal comes from (values seen, confidence).
    yaml : str
        The ``codings:`` block for ``study.yaml``.
    """

    file: str
    codes: pd.DataFrame
    cases: dict = field(default_factory=dict)
    case_notes: dict = field(default_factory=dict)
    yaml: str = ""
    instrument: str = ""
    instrument_reason: str = ""

    def to_yaml(self, file: str | None = None) -> str:
        """The ``codings:`` block; ``file`` replaces the file name written under it (e.g. a relative path)."""
        text = _render(Path(self.file), self.codes, self.cases, self.case_notes, file)
        if not self.instrument:
            return text
        return (
            f"# {self.instrument_reason}. The study.yaml needs\n"
            f'# instrument: "{self.instrument}"\n'
            "# once: the responses draft of a survey of the same version writes that line; if you map\n"
            "# only codings, remove the '#' before it.\n" + text
        )


def is_codings_file(path) -> bool:
    """True for a QDA project or codebook (``.qdpx``, ``.qdc``) or a coded table (``code`` + ``coder`` columns)."""
    p = Path(path)
    if p.suffix.lower() in (".qdpx", ".qdc"):
        return True
    if p.suffix.lower() not in (".csv", ".txt", ".xlsx", ".xlsm"):
        return False
    from .io import _guess_kind

    try:
        return _guess_kind(p) == "codings"
    except DataError:
        return False


def write_codings_draft(draft: CodingsDraft, out=None, force: bool = False) -> str:
    """The draft's YAML, written to ``out`` (never over an existing file unless ``force``).

    The ``file:`` line is made relative to ``out``'s folder, so ``study.yaml`` written there finds the
    project. Returns the YAML text.
    """
    from .crosswalk import _write_yaml_draft

    if out is None:
        return draft.yaml
    return _write_yaml_draft(draft.file, out, force, draft.to_yaml)


def _is_confident(ranked) -> bool:
    """Confident: a high score, a clear lead, and the code's own name resembles the codebook code's."""
    (_, s1, n1), (_, s2, _) = ranked[0], ranked[1]
    return s1 >= CONFIDENT_SCORE and s1 - s2 >= CONFIDENT_MARGIN and n1 >= CONFIDENT_NAME


def _read(path: Path, inst) -> tuple[pd.DataFrame, list[str], bool]:
    """(one row per coding: code, code_path, parent, interview_id, _names, _vars), variables, is_table."""
    from . import codings_check as q
    from . import refi_read

    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        table, _, problems = refi_read._read_qdpx_raw(path)
        if problems and table.empty:
            raise DataError(problems)
        return table, list(table.attrs.get("variables") or []), False
    if suffix == ".qdc":
        cb = refi_read.read_qdc(path)
        t = pd.DataFrame(
            {
                "code": cb["id"],
                "code_path": [
                    f"{g}/{i}" if g and "; " not in g else i for g, i in zip(cb["group"], cb["id"])
                ],
                "parent": cb["group"],
            }
        )
        return t, [], False
    raw = q._read_table(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw, list(raw.columns), True


def _case_proposals(table: pd.DataFrame, variables: list[str], tabular: bool, inst) -> tuple[dict, dict]:
    from rapidfuzz import fuzz, utils

    from .labels import _key, _role_map

    cases: dict = {}
    notes: dict = {}
    if table.empty:
        return cases, notes

    def values_of(var: str) -> list[str]:
        if tabular:
            return sorted({str(v).strip() for v in table[var] if str(v).strip()})
        return sorted({str(d[var]).strip() for d in table["_vars"] if var in d and str(d[var]).strip()})

    role_map = _role_map(inst)
    synonyms = {
        "school": ["school", "site", "campus", "school id", "school code", "building"],
        "role": ["role", "position", "job title", "job", "title", "staff role", "participant type"],
    }
    for fld in ("school", "role"):
        if tabular and fld in [c.lower() for c in variables]:
            continue  # the column is already called so
        ranked = []
        for var in variables:
            s = max(fuzz.WRatio(var, w, processor=utils.default_process) for w in synonyms[fld])
            vals = values_of(var)
            if fld == "role" and vals:
                s = max(s, 100.0 * sum(_key(v) in role_map for v in vals) / len(vals))
            if fld == "school" and vals and all(re.fullmatch(r"[A-Za-z]{0,3}\s*\d+", v) for v in vals):
                s = max(s, 80.0)
            ranked.append((s, var, vals))
        ranked.sort(key=lambda t: (-t[0], t[1]))
        if ranked and ranked[0][0] >= 80:
            s, var, vals = ranked[0]
            spec: dict | str = var
            unknown = [v for v in vals if fld == "role" and _key(v) not in role_map]
            if unknown:
                spec = {"from": var, "values": {v: "<role id>" for v in unknown}}
            cases[fld] = spec
            shown = ", ".join(vals[:6]) + (" …" if len(vals) > 6 else "")
            notes[fld] = f"variable '{var}' (match {s:.0f}); values: {shown}"
            continue
        # the school (or role) in the source names
        names = (
            sorted({n[0] for n in table["_names"]})
            if "_names" in table.columns
            else (sorted(set(table["interview_id"])) if "interview_id" in table.columns else [])
        )
        if fld == "school" and names:
            rx = r"^([A-Za-z]{1,3}\d+)[ _-]"
            hits = [m for m in (re.match(rx, n) for n in names) if m is not None]
            if len(hits) == len(names):
                cases[fld] = {"from_filename": rx}
                shown = ", ".join(sorted({h.group(1) for h in hits})[:6])
                notes[fld] = f"every source name starts with a school id ({shown})"
                continue
        if fld == "role" and names:
            found = {}
            for n in names:
                for tok in re.split(r"[ _.\-]+", n):
                    if _key(tok) in role_map:
                        found[n] = tok
                        break
            if len(found) == len(names):
                toks = sorted({t for t in found.values()})
                rx = r"(?i)(?:^|[ _.-])(" + "|".join(re.escape(t) for t in toks) + r")(?:[ _.-]|$)"
                cases[fld] = {"from_filename": rx}
                notes[fld] = f"every source name holds a role word ({', '.join(toks)})"
                continue
        notes[fld] = (
            "no variable or source name gives it; variables: "
            + (", ".join(variables) or "none")
            + f" - write {fld}: {{value: ...}} or add a variable in the QDA tool"
        )
    return cases, notes


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _render(path: Path, codes: pd.DataFrame, cases: dict, notes: dict, file: str | None = None) -> str:
    n_conf = int(codes["confident"].sum())
    lines = [
        f"# Draft codings crosswalk for {path.name}, written by `assetinv map`.",
        f"# {len(codes)} codes: {n_conf} confident, {len(codes) - n_conf} to check (commented out with the reason).",
        "# Check every line, uncomment or correct the others, then run `assetinv validate STUDY_FOLDER`.",
        "codings:",
        f"  file: {_yaml_str(file or path.name)}",
        "  codes:",
    ]
    for r in codes.itertuples(index=False):
        target = r.proposal if r.proposal is not None else "~"
        if r.proposal is not None and r.valence:
            target = f"{{code: {r.proposal}, valence: {r.valence}}}"  # the valence is in the QDA code
        tail = f"  # {r.proposal_name}; {r.n_codings} codings; confidence {r.score:.0f}"
        if r.confident:
            lines.append(f"    {_yaml_str(r.key)}: {target}{tail}")
        else:
            lines.append(f"    # {_yaml_str(r.key)}: {target}{tail}; CHECK: {r.reason}")
    if cases or notes:
        lines.append("  cases:")
        for fld in ("school", "role"):
            if fld in cases:
                spec = cases[fld]
                text = json.dumps(spec, ensure_ascii=False) if isinstance(spec, dict) else _yaml_str(spec)
                needs = isinstance(spec, dict) and "<role id>" in json.dumps(spec)
                prefix = "    # " if needs else "    "
                lines.append(
                    f"{prefix}{fld}: {text}  # {notes.get(fld, '')}"
                    + ("; CHECK: replace each <role id> (teacher, leader, district)" if needs else "")
                )
            elif fld in notes:
                lines.append(f"    # {fld}: ?  # {notes[fld]}")
    return "\n".join(lines) + "\n"


def draft_codings_crosswalk(path, instrument=None) -> CodingsDraft:
    """Draft the ``codings:`` crosswalk of ``study.yaml`` for a QDA project or coded table.

    Parameters
    ----------
    path : str or Path
        A REFI-QDA project (``.qdpx``), a REFI-QDA codebook (``.qdc``: codes only), or a coded CSV/XLSX
        (one row per excerpt x code x coder).
    instrument : Instrument, str or Path, optional
        The instrument whose codebook the codes are matched to. Default: each bundled version is
        tried and the default kept unless another codebook fits more codes confidently; the draft
        then says which (``instrument`` and ``instrument_reason``, and a comment in ``yaml``).

    Returns
    -------
    CodingsDraft
        ``codes`` (one row per QDA code with proposal, score, runner-up and confidence), ``cases`` and
        ``yaml``, the block to paste into ``study.yaml``: confident lines as they are, the others
        commented out with the reason.

    Raises
    ------
    DataError
        If the file cannot be read.

    Examples
    --------
    >>> from pathlib import Path
    >>> import assetinv
    >>> f = Path(assetinv.__file__).parents[1] / "tests" / "fixtures" / "qda" / "nvivo_like.qdpx"
    >>> d = draft_codings_crosswalk(f)
    >>> row = d.codes.set_index("key").loc["Time"]
    >>> row["proposal"], bool(row["confident"])
    ('BAR-TIME', True)
    >>> d.cases
    {'school': 'Site', 'role': 'Job Title'}

    References
    ----------
    REFI-QDA Standard 1.5 (2019), www.qdasoftware.org; rapidfuzz, https://github.com/rapidfuzz.
    """
    from .instrument import DEFAULT_VERSION, best_fitting_version

    p = Path(path)
    if not p.exists():
        raise DataError(Problem(str(p), "file not found", "check the path"))
    if instrument is not None:
        return _draft_codings(p, instrument)
    # which bundled codebook the project was coded with: the default unless another fits more codes
    best, pair, hits = best_fitting_version(lambda v: (resolve(v), _draft_codings(p, v)), _fitting_codes)
    d = pair[1]
    if best != DEFAULT_VERSION:
        d.instrument = best
        d.instrument_reason = (
            f"the code names fit {hits[best]} codes of the instrument {best} codebook and "
            f"{hits[DEFAULT_VERSION]} of the default {DEFAULT_VERSION}"
        )
        d.yaml = d.to_yaml()
    return d


def _fitting_codes(pair: tuple[Instrument, CodingsDraft]) -> int:
    """How many project codes a codebook version fits: its confident lines, where a code that records a
    valence (a "barrier" sub-code, "Trust (-)") counts only for a codebook that states valences
    (``Instrument.fixed_valence_codes``; 1.0.0 has none, so a project coded with valence was not coded with
    it, whatever its code names say). Conversely, a project that records no valence at all fits such a
    codebook only with its fixed-valence codes: its other codings could not be read with it.
    """
    inst, d = pair
    confident = d.codes[d.codes["confident"]]
    fixed = inst.fixed_valence_codes
    marked = confident.get("valence", pd.Series("", index=confident.index)).fillna("").astype(str) != ""
    if not fixed:
        return int((~marked).sum())
    if not marked.any():  # no valence anywhere: its other codings could not be read with this codebook
        return int(confident["proposal"].astype(str).isin(fixed).sum())
    return len(confident)


def _draft_codings(p: Path, instrument) -> CodingsDraft:
    """The codings draft against one instrument's codebook."""
    inst = resolve(instrument)
    table, variables, tabular = _read(p, inst)
    if tabular:
        table = _coded_table(table, p)
    counts = _code_counts(table, p)
    codes = pd.DataFrame(_code_proposals(counts, inst), columns=list(_DRAFT_CODE_COLUMNS))
    codes = codes.sort_values(["parent", "key"], kind="mergesort").reset_index(drop=True)
    cases, notes = (
        _case_proposals(table, variables, tabular, inst) if p.suffix.lower() != ".qdc" else ({}, {})
    )
    return CodingsDraft(
        file=str(p), codes=codes, cases=cases, case_notes=notes, yaml=_render(p, codes, cases, notes)
    )


#: The columns of a codings draft's ``codes`` table.
_DRAFT_CODE_COLUMNS = (
    "key",
    "name",
    "parent",
    "n_codings",
    "proposal",
    "proposal_name",
    "score",
    "runner_up",
    "runner_up_score",
    "confident",
    "reason",
    "valence",
)

#: Words and marks by which coders record valence in a code's name or as a sub-code: the codings
#: layout's valence words (without its one-letter "s"/"b", too short to read in a code name) and more
_VALENCE_MARKS = {k: v for k, v in _VALENCE_WORDS.items() if k not in ("s", "b")} | {
    "strengths": "strength",
    "assets": "strength",
    "positive": "strength",
    "present": "strength",
    "barriers": "barrier",
    "negative": "barrier",
    "absent": "barrier",
    "lacking": "barrier",
}
_MARK = "|".join(sorted((re.escape(k) for k in _VALENCE_MARKS), key=len, reverse=True))
_MARKED_NAME = re.compile(
    rf"^(?P<name>.*?\S)\s*(?:\((?P<a>{_MARK})\)|\[(?P<b>{_MARK})\]|[:\-–—]\s*(?P<c>{_MARK}))$", re.I
)


def _split_valence(name: str, parent: str) -> tuple[str, str, str]:
    """(name to match, its parent, valence) of a QDA code that records a valence, else (name, parent, "").

    A sub-code named only by a valence ("Trust among staff" > "barrier") is matched by its parent; a
    name with a marked valence ("Trust (-)", "Trust: barrier", "Trust [+]") by the name without it.
    """
    word = _VALENCE_MARKS.get(name.strip().casefold())
    if word and parent:
        up, _, leaf = parent.rpartition("/")
        return leaf, up, word
    m = _MARKED_NAME.match(name.strip())
    if m:
        mark = next(g for g in (m.group("a"), m.group("b"), m.group("c")) if g)
        return m.group("name"), parent, _VALENCE_MARKS[mark.casefold()]
    return name, parent, ""


def _coded_table(table: pd.DataFrame, p: Path) -> pd.DataFrame:
    """A coded CSV/XLSX with its ``code`` column as ``code`` and ``code_path`` (no parent)."""
    ccol = next((c for c in table.columns if c.lower() == "code"), None)
    if ccol is None:
        raise DataError(
            Problem(
                p.name,
                "no 'code' column, so this is not a coded table",
                "export the coded segments with one row per excerpt x code x coder",
            )
        )
    return table.assign(code=table[ccol], code_path=table[ccol], parent="")


def _code_counts(table: pd.DataFrame, p: Path) -> pd.DataFrame:
    """Codings per code (``code_path, code, parent, n``), with a project's unused codes at n = 0."""
    counts = (
        table.groupby(["code_path", "code", "parent"], sort=True, dropna=False).size().reset_index(name="n")
    )
    if p.suffix.lower() == ".qdpx":  # codes of the project's code tree that no coding uses yet
        from .refi_read import codable_code_paths

        tree = codable_code_paths(p)
        unused = tree[["code_path", "code"]].assign(parent=tree["group"], n=0)
        parents = set(tree["parent"]) - {""}
        unused = unused[~unused["code_path"].isin(set(counts["code_path"]) | parents)]  # parents only group
        counts = pd.concat([counts, unused], ignore_index=True)
    return counts


def _match_reason(ranked: list, names: dict) -> str:
    """Why a proposal is not confident ("" when it is)."""
    (best, s1, n1), (second, s2, _) = ranked[0], ranked[1]
    if s1 < LEAVE_OUT_BELOW:
        return f"no codebook code is close (best {best} at {s1:.0f}); ~ leaves it out, or write an id"
    if s1 < CONFIDENT_SCORE:
        return f"weak match ({s1:.0f} < {CONFIDENT_SCORE:.0f})"
    if s1 - s2 < CONFIDENT_MARGIN:
        return f"{second} ({names[second]}) is almost as close ({s2:.0f})"
    if not _is_confident(ranked):
        return f"only the definition matches, not the name ({n1:.0f} < {CONFIDENT_NAME:.0f})"
    return ""


def _code_proposals(counts: pd.DataFrame, inst) -> list[dict]:
    """One row per code not already a codebook id: the closest code, the runner-up and the reason."""
    from .codings_check import _ckey

    cb = inst.codebook
    names = dict(zip(cb["id"], cb["name"]))
    ids = {str(c).upper() for c in cb["id"]}
    by_leaf = counts.groupby(counts["code"].map(_ckey))["code_path"].nunique()
    rows = []
    for r in counts.itertuples(index=False):
        name, path_, parent = str(r.code), str(r.code_path), str(r.parent or "")
        key = path_ if by_leaf[_ckey(name)] > 1 else name
        if name.upper() in ids or name.upper() == "NO-CODE":
            continue  # already a codebook id: nothing to map
        match, group, valence = _split_valence(name, parent)
        ranked = _score_code(match, group, inst)
        (best, s1, _), (second, s2, _) = ranked[0], ranked[1]
        leave_out = s1 < LEAVE_OUT_BELOW
        rows.append(
            {
                "key": key,
                "name": name,
                "parent": parent,
                "n_codings": int(r.n),
                "proposal": None if leave_out else best,
                "proposal_name": names[best] if not leave_out else "left out",
                "score": round(s1, 1),
                "runner_up": second,
                "runner_up_score": round(s2, 1),
                "confident": bool(_is_confident(ranked)),
                "reason": _match_reason(ranked, names),
                "valence": "" if leave_out else valence,
            }
        )
    return rows
