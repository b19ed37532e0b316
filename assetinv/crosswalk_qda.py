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

from .errors import DataError, Problem

__all__ = ["CONFIDENT_MARGIN", "CONFIDENT_NAME", "CONFIDENT_SCORE", "CodingsDraft", "draft_codings_crosswalk",
           "is_codings_file", "write_codings_draft"]

CONFIDENT_SCORE = 75.0
CONFIDENT_MARGIN = 10.0
CONFIDENT_NAME = 60.0
LEAVE_OUT_BELOW = 50.0
_PARENT_BONUS = 12.0

# names a parent code or code group may use for a codebook group (besides the domain names)
_GROUP_WORDS = {
    "BARRIER": ["barriers", "barrier", "obstacles", "challenges", "constraints"],
    "ENABLER": ["enablers", "enabler", "supports", "facilitators", "conditions"],
    "EX": ["expertise", "knowledge", "capacity"],
    "LM": ["mindset", "learning mindset", "beliefs"],
    "CN": ["culture", "norms", "professional culture", "professionalism"],
    "OS": ["structures", "routines", "organisation", "organization", "collaboration"],
}


@dataclass
class CodingsDraft:
    """A drafted codings crosswalk.

    Attributes
    ----------
    codes : DataFrame
        One row per QDA code: ``key`` (what to write under ``codes:``), ``name``, ``parent``, ``n_codings``,
        ``proposal`` (codebook id, or ``None`` = leave out), ``proposal_name``, ``score`` (0-100),
        ``runner_up``, ``runner_up_score``, ``confident`` and ``reason``.
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

    def to_yaml(self, file: str | None = None) -> str:
        """The ``codings:`` block; ``file`` replaces the file name written under it (e.g. a relative path)."""
        return _render(Path(self.file), self.codes, self.cases, self.case_notes, file)


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
    import os

    if out is None:
        return draft.yaml
    outp = Path(out)
    if outp.exists() and not force:
        raise DataError(Problem(str(outp), "the file already exists and is not overwritten",
                                "choose another --out file, delete this one, or pass --force"))
    rel = os.path.relpath(Path(draft.file).resolve(), outp.resolve().parent).replace(os.sep, "/")
    text = draft.to_yaml(file=rel)
    outp.write_text(text, encoding="utf-8")
    return text


def _stem(word: str) -> str:
    w = word.lower().replace("'", "")
    for suf in ("isations", "izations", "isation", "ization", "ations", "ation", "ings", "ing", "ers", "ies",
                "ised", "ized", "ising", "izing", "ive", "ed", "es", "er", "ly", "s"):
        if w.endswith(suf) and (len(w) > len(suf) + 3 or (suf == "s" and len(w) > 3 and not w.endswith("ss"))):
            w = w[: -len(suf)]
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]  # planning -> plann -> plan
    return w


_STOP = {"and", "or", "the", "of", "a", "an", "to", "in", "for", "on", "with", "by", "at", "from", "as", "is",
         "are", "be", "that", "this", "their", "them", "they", "it", "its", "not", "no", "all", "among",
         "between", "too", "many", "much", "very", "enough", "lot", "lots", "more", "less", "some", "any"}


def _stems(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[A-Za-z']+", str(text)) if w.lower() not in _STOP and len(w) > 1]


def _idf(inst) -> dict[str, float]:
    """Inverse document frequency of each word stem over the codebook's entries (rare words weigh more)."""
    import math

    docs = [set(_stems(" ".join(str(getattr(r, k, "") or "") for k in ("id", "name", "definition", "use_when",
                                                                         "example"))))
            for r in inst.codebook.itertuples(index=False)]
    n = len(docs)
    df: dict[str, int] = {}
    for d in docs:
        for w in d:
            df[w] = df.get(w, 0) + 1
    return {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}


def _overlap(query: list[str], text: set[str], idf: dict[str, float], default: float) -> float:
    """Share (0-100) of the query's word weight that the text contains."""
    q = set(query)
    if not q:
        return 0.0
    total = sum(idf.get(w, default) for w in q)
    return 100.0 * sum(idf.get(w, default) for w in q if w in text) / total


def _group_scores(parent: str, inst) -> dict[str, float]:
    """Codebook group -> how well the parent path / code groups name it (0-100)."""
    from rapidfuzz import fuzz, utils

    if not parent:
        return {}
    words: dict[str, list[str]] = {g: list(v) for g, v in _GROUP_WORDS.items()}
    for rec in inst.domains.itertuples(index=False):
        words.setdefault(rec.id, []).extend([rec.name, rec.short, rec.id])
    out = {}
    parts = [p for p in re.split(r"[/;]", parent) if p.strip()]
    for g, ws in words.items():
        out[g] = max(fuzz.WRatio(p, w, processor=utils.default_process) for p in parts for w in ws)
    return out


def _score_code(name: str, parent: str, inst) -> list[tuple[str, float, float]]:
    """(codebook id, score, name-only score) for every codebook code, best first."""
    from rapidfuzz import fuzz, utils

    cb = inst.codebook
    groups = _group_scores(parent, inst)
    best_group = max(groups.values()) if groups else 0
    leaf = re.split(r"\s*(?:/|\\|>|::)\s*", name)[-1]
    # "Barrier: no time" - a prefix naming the group, as flat code lists do
    prefix, sep, rest = leaf.partition(":")
    if sep and rest.strip():
        more = _group_scores(prefix, inst)
        if more and max(more.values()) >= 85:
            groups = {g: max(v, groups.get(g, 0)) for g, v in more.items()} if max(more.values()) >= best_group \
                else groups
            best_group, leaf = max(groups.values()), rest.strip()
    stems = _stems(leaf)
    idf = _idf(inst)
    default = max(idf.values()) if idf else 1.0
    looks_like_id = bool(re.fullmatch(r"[A-Za-z]{1,8}[-_ ]?[A-Za-z0-9]{1,12}", leaf)) and any(c in leaf for c in "-_")
    scores = []
    for rec in cb.itertuples(index=False):
        name_stems = set(_stems(rec.name)) | set(_stems(str(rec.id).split("-", 1)[-1]))  # OS-PLC: "plc"
        both = set(stems) | name_stems
        s_name = max(fuzz.ratio(leaf, rec.name, processor=utils.default_process),
                     fuzz.token_sort_ratio(leaf, rec.name, processor=utils.default_process),
                     # words in common, weighted by rarity, as a share of both texts' words
                     100.0 * 2 * sum(idf.get(w, default) for w in set(stems) & name_stems)
                     / max(sum(idf.get(w, default) for w in set(stems)) + sum(idf.get(w, default) for w in name_stems), 1e-9)
                     if both else 0.0,
                     # the code's words all in the codebook name or id ("Barrier: turnover", "PLC")
                     0.9 * _overlap(stems, name_stems, idf, default))
        if looks_like_id:
            s_name = max(s_name, fuzz.ratio(leaf.upper(), str(rec.id)))
        text = name_stems | set(_stems(" ".join(str(getattr(rec, k, "") or "")
                                                for k in ("definition", "use_when", "example"))))
        s_def = 0.8 * _overlap(stems, text, idf, default)
        s = max(s_name, s_def) + 0.1 * min(s_name, s_def)
        if best_group >= 85:
            s += _PARENT_BONUS if groups.get(str(rec.group), 0) >= 85 else -_PARENT_BONUS
        scores.append((rec.id, float(min(s, 100.0)), float(s_name)))
    scores.sort(key=lambda t: (-t[1], t[0]))
    return scores


def _is_confident(ranked) -> bool:
    """Confident: a high score, a clear lead, and the code's own name resembles the codebook code's."""
    (_, s1, n1), (_, s2, _) = ranked[0], ranked[1]
    return s1 >= CONFIDENT_SCORE and s1 - s2 >= CONFIDENT_MARGIN and n1 >= CONFIDENT_NAME


def _read(path: Path, inst) -> tuple[pd.DataFrame, list[str], bool]:
    """(one row per coding: code, code_path, parent, interview_id, _names, _vars), variables, is_table."""
    from . import qualitative as q

    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        table, _, problems = q._read_qdpx_raw(path)
        if problems and table.empty:
            raise DataError(problems)
        return table, list(table.attrs.get("variables") or []), False
    if suffix == ".qdc":
        cb = q.read_qdc(path)
        t = pd.DataFrame({"code": cb["id"], "code_path": [f"{g}/{i}" if g and "; " not in g else i
                                                          for g, i in zip(cb["group"], cb["id"])],
                          "parent": cb["group"]})
        return t, [], False
    raw = q._read_table(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw, list(raw.columns), True


def _case_proposals(table: pd.DataFrame, variables: list[str], tabular: bool, inst) -> tuple[dict, dict]:
    from rapidfuzz import fuzz, utils

    from .io import _key, _role_map

    cases: dict = {}
    notes: dict = {}
    if table.empty:
        return cases, notes

    def values_of(var: str) -> list[str]:
        if tabular:
            return sorted({str(v).strip() for v in table[var] if str(v).strip()})
        return sorted({str(d[var]).strip() for d in table["_vars"] if var in d and str(d[var]).strip()})

    role_map = _role_map(inst)
    synonyms = {"school": ["school", "site", "campus", "school id", "school code", "building"],
                "role": ["role", "position", "job title", "job", "title", "staff role", "participant type"]}
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
        names = sorted({n[0] for n in table["_names"]}) if "_names" in table.columns else (
            sorted(set(table["interview_id"])) if "interview_id" in table.columns else [])
        if fld == "school" and names:
            rx = r"^([A-Za-z]{1,3}\d+)[ _-]"
            hits = [re.match(rx, n) for n in names]
            if all(hits):
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
        notes[fld] = ("no variable or source name gives it; variables: " + (", ".join(variables) or "none")
                      + f" - write {fld}: {{value: ...}} or add a variable in the QDA tool")
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
                lines.append(f"{prefix}{fld}: {text}  # {notes.get(fld, '')}"
                             + ("; CHECK: replace each <role id> (teacher, leader, district)" if needs else ""))
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
        The instrument whose codebook the codes are matched to (default: the bundled one).

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
    from .io import _load_instrument

    inst = _load_instrument(instrument)
    p = Path(path)
    if not p.exists():
        raise DataError(Problem(str(p), "file not found", "check the path"))
    table, variables, tabular = _read(p, inst)
    if tabular:
        ccol = next((c for c in table.columns if c.lower() == "code"), None)
        if ccol is None:
            raise DataError(Problem(p.name, "no 'code' column, so this is not a coded table",
                                    "export the coded segments with one row per excerpt x code x coder"))
        table = table.assign(code=table[ccol], code_path=table[ccol], parent="")
    cb = inst.codebook
    names = dict(zip(cb["id"], cb["name"]))
    ids = {str(c).upper() for c in cb["id"]}
    from .qualitative import _ckey

    counts = table.groupby(["code_path", "code", "parent"], sort=True, dropna=False).size().reset_index(name="n")
    if p.suffix.lower() == ".qdpx":  # codes of the project's code tree that no coding uses yet
        from .qualitative import read_qdc

        tree = read_qdc(p)
        tree_paths = [f"{g}/{i}" if g and "; " not in g else i for g, i in zip(tree["group"], tree["id"])]
        unused = pd.DataFrame({"code_path": tree_paths, "code": tree["id"], "parent": tree["group"], "n": 0})
        parents = {tp.rsplit("/", 1)[0] for tp in tree_paths if "/" in tp}
        unused = unused[~unused["code_path"].isin(set(counts["code_path"]) | parents)]  # parents only group
        counts = pd.concat([counts, unused], ignore_index=True)
    by_leaf = counts.groupby(counts["code"].map(_ckey))["code_path"].nunique()
    rows = []
    for r in counts.itertuples(index=False):
        name, path_, parent = str(r.code), str(r.code_path), str(r.parent or "")
        key = path_ if by_leaf[_ckey(name)] > 1 else name
        if name.upper() in ids or name.upper() == "NO-CODE":
            continue  # already a codebook id: nothing to map
        ranked = _score_code(name, parent, inst)
        (best, s1, n1), (second, s2, _) = ranked[0], ranked[1]
        leave_out = s1 < LEAVE_OUT_BELOW
        confident = _is_confident(ranked)
        if leave_out:
            reason = f"no codebook code is close (best {best} at {s1:.0f}); ~ leaves it out, or write an id"
        elif s1 < CONFIDENT_SCORE:
            reason = f"weak match ({s1:.0f} < {CONFIDENT_SCORE:.0f})"
        elif s1 - s2 < CONFIDENT_MARGIN:
            reason = f"{second} ({names[second]}) is almost as close ({s2:.0f})"
        elif not confident:
            reason = f"only the definition matches, not the name ({n1:.0f} < {CONFIDENT_NAME:.0f})"
        else:
            reason = ""
        rows.append({"key": key, "name": name, "parent": parent, "n_codings": int(r.n),
                     "proposal": None if leave_out else best, "proposal_name": names[best] if not leave_out
                     else "left out", "score": round(s1, 1), "runner_up": second, "runner_up_score": round(s2, 1),
                     "confident": bool(confident), "reason": reason})
    codes = pd.DataFrame(rows, columns=["key", "name", "parent", "n_codings", "proposal", "proposal_name", "score",
                                        "runner_up", "runner_up_score", "confident", "reason"])
    codes = codes.sort_values(["parent", "key"], kind="mergesort").reset_index(drop=True)
    cases, notes = _case_proposals(table, variables, tabular, inst) if p.suffix.lower() != ".qdc" else ({}, {})
    return CodingsDraft(file=str(p), codes=codes, cases=cases, case_notes=notes, yaml=_render(p, codes, cases, notes))
