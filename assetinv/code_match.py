"""How close a code name is to each codebook code (the scorer behind `assetinv map` and "did you mean").

:func:`_score_code` compares a QDA tool's code name (and its parent codes or code groups) with every
codebook code on names, ids, definitions and word stems; :func:`_closest_codes` is the lighter match used
for a mistyped id in a crosswalk. Both use ``rapidfuzz``.

Examples
--------
>>> from assetinv import load_instrument
>>> from assetinv.code_match import _score_code
>>> inst = load_instrument()
>>> _score_code("Teachers share expertise", "", inst)[0][0]
'EX-SHARE'
>>> _score_code("Not enough time", "Barriers", inst)[0][0]
'BAR-TIME'

References
----------
rapidfuzz (Bachmann, 2021-), https://github.com/rapidfuzz.
"""

from __future__ import annotations

import re

import pandas as pd

from .codings_layout import _s

__all__: list[str] = []

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


def _stem(word: str) -> str:
    w = word.lower().replace("'", "")
    for suf in (
        "isations",
        "izations",
        "isation",
        "ization",
        "ations",
        "ation",
        "ings",
        "ing",
        "ers",
        "ies",
        "ised",
        "ized",
        "ising",
        "izing",
        "ive",
        "ed",
        "es",
        "er",
        "ly",
        "s",
    ):
        if w.endswith(suf) and (
            len(w) > len(suf) + 3 or (suf == "s" and len(w) > 3 and not w.endswith("ss"))
        ):
            w = w[: -len(suf)]
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]  # planning -> plann -> plan
    return w


_STOP = {
    "and",
    "or",
    "the",
    "of",
    "a",
    "an",
    "to",
    "in",
    "for",
    "on",
    "with",
    "by",
    "at",
    "from",
    "as",
    "is",
    "are",
    "be",
    "that",
    "this",
    "their",
    "them",
    "they",
    "it",
    "its",
    "not",
    "no",
    "all",
    "among",
    "between",
    "too",
    "many",
    "much",
    "very",
    "enough",
    "lot",
    "lots",
    "more",
    "less",
    "some",
    "any",
}


def _stems(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[A-Za-z']+", str(text)) if w.lower() not in _STOP and len(w) > 1]


def _idf(inst) -> dict[str, float]:
    """Inverse document frequency of each word stem over the codebook's entries (rare words weigh more)."""
    import math

    docs = [
        set(
            _stems(
                " ".join(
                    str(getattr(r, k, "") or "") for k in ("id", "name", "definition", "use_when", "example")
                )
            )
        )
        for r in inst.codebook.itertuples(index=False)
    ]
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
            groups = (
                {g: max(v, groups.get(g, 0)) for g, v in more.items()}
                if max(more.values()) >= best_group
                else groups
            )
            best_group, leaf = max(groups.values()), rest.strip()
    stems = _stems(leaf)
    idf = _idf(inst)
    default = max(idf.values()) if idf else 1.0
    looks_like_id = bool(re.fullmatch(r"[A-Za-z]{1,8}[-_ ]?[A-Za-z0-9]{1,12}", leaf)) and any(
        c in leaf for c in "-_"
    )
    scores = []
    for rec in cb.itertuples(index=False):
        name_stems = set(_stems(rec.name)) | set(_stems(str(rec.id).split("-", 1)[-1]))  # OS-PLC: "plc"
        both = set(stems) | name_stems
        s_name = max(
            fuzz.ratio(leaf, rec.name, processor=utils.default_process),
            fuzz.token_sort_ratio(leaf, rec.name, processor=utils.default_process),
            # words in common, weighted by rarity, as a share of both texts' words
            100.0
            * 2
            * sum(idf.get(w, default) for w in set(stems) & name_stems)
            / max(
                sum(idf.get(w, default) for w in set(stems)) + sum(idf.get(w, default) for w in name_stems),
                1e-9,
            )
            if both
            else 0.0,
            # the code's words all in the codebook name or id ("Barrier: turnover", "PLC")
            0.9 * _overlap(stems, name_stems, idf, default),
        )
        if looks_like_id:
            s_name = max(s_name, fuzz.ratio(leaf.upper(), str(rec.id)))
        text = name_stems | set(
            _stems(" ".join(str(getattr(rec, k, "") or "") for k in ("definition", "use_when", "example")))
        )
        s_def = 0.8 * _overlap(stems, text, idf, default)
        s = max(s_name, s_def) + 0.1 * min(s_name, s_def)
        if best_group >= 85:
            s += _PARENT_BONUS if groups.get(str(rec.group), 0) >= 85 else -_PARENT_BONUS
        scores.append((rec.id, float(min(s, 100.0)), float(s_name)))
    scores.sort(key=lambda t: (-t[1], t[0]))
    return scores


def _closest_codes(name: str, cb: pd.DataFrame, n: int = 1) -> list[tuple[str, float]]:
    """The ``n`` codebook ids closest to a code name, with a 0-100 rapidfuzz score.

    Ids and names are compared with ``WRatio`` (case- and punctuation-blind,
    word-order tolerant); definitions with ``token_set_ratio`` scaled by 0.9,
    as a definition shares words with many names.
    """
    from rapidfuzz import fuzz, process, utils

    best: dict[str, float] = {}
    names = {}
    for rec in cb.itertuples(index=False):
        names[_s(rec.id)] = rec.id
        names[_s(rec.name)] = rec.id
    for text, score, _ in process.extract(
        name, list(names), scorer=fuzz.WRatio, processor=utils.default_process, limit=None
    ):
        cid = names[text]
        best[cid] = max(best.get(cid, 0.0), float(score))
    for rec in cb.itertuples(index=False):
        d = _s(getattr(rec, "definition", ""))
        if d:
            sc = 0.9 * fuzz.token_set_ratio(name, d, processor=utils.default_process)
            best[rec.id] = max(best.get(rec.id, 0.0), sc)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:n]
