"""Supports that follow a school's specific weak items and barrier codes (playbook 2.0.0).

Playbook 1.0.0 maps a domain's *status* (asset, typical, growth area) to a
fixed list of supports, so a school weak on meetings got the same advice as a
school with no links to other schools. Playbook 2.0.0
(``assetinv/data/playbook-2.0.0.yaml``) lists each support with the survey
items and interview codes that call for it, who has to act (the CBO, the
school or the district) and the evidence behind it. This module holds

* ``WHO_ACTS``, who has to act on a support (:func:`assetinv.item_profile`, in :mod:`assetinv.items`,
  gives the per-item weak/strong flags the matching follows);
* the checks of a 2.0.0 playbook (used by :func:`assetinv.load_playbook`);
* the matching used by :func:`assetinv.recommend` for a 2.0.0 playbook.

Rules
-----
Which items are **weak** or **strong** at a school is decided by
:func:`assetinv.item_profile`; the rules are in :mod:`assetinv.items`.

For a typical or growth-area domain, a support is *triggered* by each of its
items that is weak and each of its codes that the school's interviews
recorded with valence *barrier*; for an asset domain, by strong items and
codes recorded as *strength*. Triggered supports come first (most triggers
first, then playbook order); when none is triggered, the domain gets the
supports marked ``general: true`` for that status.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .errors import DataError, Problem

__all__ = ["WHO_ACTS"]

#: Who has to act on a support.
WHO_ACTS = ("cbo", "school", "district")
_STATUSES = ("asset", "typical", "growth area")
_SUPPORT_KEYS = ("id", "domain", "statuses", "title", "description", "who_acts", "triggers", "evidence")
_SUPPORT_OPTIONAL = ("lever", "cbo_role", "general", "notes")
#: reports one problem of one support: ``add(message, fix)``
_Add = Callable[[str, str], None]


# --------------------------------------------------------------------------- #
# Playbook 2.0.0: checks
# --------------------------------------------------------------------------- #
def check_playbook_v2(data: dict, name: str, inst) -> list[Problem]:
    """Every problem of a 2.0.0 playbook (supports with triggers, who acts and evidence)."""
    problems: list[Problem] = []

    def add(msg: str, fix: str, where: str | None = None) -> None:
        problems.append(Problem(name, msg, fix, column=where))

    src_ids = _check_sources(data.get("sources"), add)
    sups = data.get("supports")
    if not isinstance(sups, list) or not sups:
        add("no 'supports' list", "list the supports under 'supports:'")
        return problems
    ctx = _PlaybookContext.of(inst, src_ids)
    for k, s in enumerate(sups):
        where = f"supports[{k}]"
        if not isinstance(s, dict):
            add(f"{where} is not a mapping", "write each support as key: value lines", where)
            continue
        _check_support(s, k, ctx, functools.partial(add, where=where))
    _check_coverage(sups, ctx, add)
    return problems


@dataclass
class _PlaybookContext:
    """What the checks of one support need: the instrument's ids, the sources, and what earlier supports used."""

    domains: list
    item_dom: dict
    code_ids: set
    src_ids: set[str]
    seen: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    cover: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, inst, src_ids: set[str]) -> _PlaybookContext:
        """The context for ``inst`` (``None``: no instrument, so ids are not checked)."""
        domains = list(inst.domains["id"]) if inst is not None else []
        item_dom = dict(zip(inst.items["id"], inst.items["domain"])) if inst is not None else {}
        code_ids = set(inst.codebook["id"]) if inst is not None else set()
        cover = {(d, s): 0 for d in domains for s in _STATUSES}
        return cls(domains, item_dom, code_ids, src_ids, cover=cover)


def _check_sources(sources, add: Callable[..., None]) -> set[str]:
    """Check the 'sources' list; return the ids of its well-formed sources."""
    src_ids: set[str] = set()
    if not isinstance(sources, list) or not sources:
        add(
            "no 'sources' list",
            "list the documents and research the supports cite, each with an id and a title",
        )
        return src_ids
    for k, s in enumerate(sources):
        if not isinstance(s, dict) or not s.get("id") or not s.get("title"):
            add(f"source #{k + 1} needs an id and a title", "write {id: ..., title: ...}", f"sources[{k}]")
            continue
        src_ids.add(str(s["id"]))
    return src_ids


def _check_support(s: dict, k: int, ctx: _PlaybookContext, add: _Add) -> None:
    """Every problem of support ``k`` (a mapping), in the order: keys, id and texts, domain and statuses,
    who acts, lever, triggers, evidence.
    """
    sid = str(s.get("id", f"#{k + 1}"))
    if not _check_support_keys(s, sid, add):
        return
    if sid in ctx.seen:
        add(f"support id {sid} is used twice", "make every id unique")
    ctx.seen[sid] = k
    for fld in ("title", "description"):
        key = " ".join(str(s[fld]).lower().split())
        if key in ctx.texts:
            add(
                f"support {sid} repeats the {fld} of {ctx.texts[key]}",
                "merge the duplicates into one support",
            )
        ctx.texts[key] = sid
    d = str(s["domain"])
    if ctx.domains and d not in ctx.domains:
        add(f"support {sid} names unknown domain {d}", f"use one of {', '.join(ctx.domains)}")
    sts = s["statuses"] if isinstance(s["statuses"], list) else [s["statuses"]]
    bad = [x for x in sts if x not in _STATUSES]
    if bad:
        add(f"support {sid} has unknown status(es) {bad}", f"use {', '.join(_STATUSES)}")
    for st in sts:
        if (d, st) in ctx.cover:
            ctx.cover[(d, st)] += 1
    _check_who_acts(s, sid, sts, add)
    trig = s["triggers"] if isinstance(s["triggers"], dict) else {}
    _check_triggers(trig, sid, d, ctx, add)
    ev = s["evidence"] if isinstance(s["evidence"], dict) else {}
    if ev.get("source") not in ctx.src_ids or not str(ev.get("says", "")).strip():
        add(
            f"support {sid}: evidence must name a listed source and say what it shows",
            'write evidence: {source: <a sources id>, says: "a short paraphrase"}',
        )


def _check_support_keys(s: dict, sid: str, add: _Add) -> bool:
    """Report missing and unknown keys of a support; ``False`` if a required key is missing (nothing more to check)."""
    missing = [x for x in _SUPPORT_KEYS if not s.get(x)]
    if missing:
        add(f"support {sid} lacks {', '.join(missing)}", "every support needs " + ", ".join(_SUPPORT_KEYS))
        return False
    unknown = [x for x in s if x not in _SUPPORT_KEYS + _SUPPORT_OPTIONAL]
    if unknown:
        add(
            f"support {sid} has unknown key(s) {', '.join(map(str, unknown))}",
            "remove them or use one of " + ", ".join(_SUPPORT_KEYS + _SUPPORT_OPTIONAL),
        )
    return True


def _check_who_acts(s: dict, sid: str, sts: list, add: _Add) -> None:
    """Check who acts on a support (and the CBO's part when it is not the CBO), and the lever of an asset support."""
    if s["who_acts"] not in WHO_ACTS:
        add(f"support {sid}: who_acts is {s['who_acts']!r}", f"write one of {', '.join(WHO_ACTS)}")
    elif s["who_acts"] != "cbo" and not s.get("cbo_role"):
        add(
            f"support {sid} is for the {s['who_acts']} to decide but says nothing of the CBO's part",
            "add cbo_role: what the CBO contributes",
        )
    if "asset" in sts and not s.get("lever"):
        add(f"support {sid} builds on an asset but has no lever", "add lever: how the asset is used")


def _check_triggers(trig: dict, sid: str, d: str, ctx: _PlaybookContext, add: _Add) -> None:
    """Check a support's triggers: at least one, items of the instrument and of its domain, codes of the codebook."""
    if not (trig.get("items") or trig.get("codes")):
        add(f"support {sid} has no trigger", "list the items and/or codes that call for it under triggers")
    for it in trig.get("items", []) or []:
        if ctx.item_dom and it not in ctx.item_dom:
            add(f"support {sid} is triggered by unknown item {it}", "use item ids of the instrument")
        elif ctx.item_dom and ctx.item_dom[it] != d:
            add(
                f"support {sid} ({d}) is triggered by item {it} of domain {ctx.item_dom[it]}",
                "trigger a support only by items of its own domain",
            )
    for c in trig.get("codes", []) or []:
        if ctx.code_ids and c not in ctx.code_ids:
            add(f"support {sid} is triggered by unknown code {c}", "use codebook ids of the instrument")


def _check_coverage(sups: list, ctx: _PlaybookContext, add: Callable[..., None]) -> None:
    """Every domain and status has a support, and one marked general (used when nothing is triggered)."""
    for (d, st), n in ctx.cover.items():
        if n == 0:
            add(
                f"domain {d} has no support for status '{st}'",
                f"add a support with domain: {d}, statuses: [{st}]",
            )
    for d in ctx.domains:
        for st in _STATUSES:
            if ctx.cover.get((d, st)) and not any(
                isinstance(s, dict)
                and str(s.get("domain")) == d
                and st in (s.get("statuses") or [])
                and s.get("general")
                for s in sups
            ):
                add(
                    f"domain {d}, status '{st}': no support is marked general: true",
                    "mark at least one support per domain and status as general (used when nothing is triggered)",
                )


# --------------------------------------------------------------------------- #
# Playbook 2.0.0: matching
# --------------------------------------------------------------------------- #
def _code_counts(codes: pd.DataFrame | None, school: str, domain: str, valence: str, spec) -> dict[str, int]:
    """Excerpts per code at the school with this valence, for codes of this domain (tied or own)."""
    col = f"n_{valence}"
    if codes is None or not len(codes) or col not in codes.columns or "school" not in codes.columns:
        return {}
    c = codes[codes["school"].astype(str) == str(school)]
    if "suppressed" in c:
        c = c[c["suppressed"].fillna("").astype(str) == ""]
    n = pd.to_numeric(c[col], errors="coerce").fillna(0)
    c = c.assign(_n=n)
    c = c.groupby("code", sort=True)["_n"].sum()
    return {str(k): int(v) for k, v in c.items() if v > 0}


def matched_supports(
    pb: dict,
    school: str,
    domain: str,
    status: str,
    items: pd.DataFrame | None,
    codes: pd.DataFrame | None,
    spec,
    inst,
    max_supports: int = 3,
) -> list[dict]:
    """The supports for one school and domain, most-triggered first, each with why it was chosen."""
    cands = [s for s in pb["supports"] if str(s["domain"]) == domain and status in s["statuses"]]
    want = "strong" if status == "asset" else "weak"
    valence = "strength" if status == "asset" else "barrier"
    flagged: dict[str, str] = {}
    if items is not None and len(items):
        key = "school" if "school" in items.columns else items.columns[0]
        sub = items[(items[key].astype(str) == str(school)) & (items["flag"] == want)]
        flagged = dict(
            zip(sub["item"].astype(str), sub.get("text", pd.Series("", index=sub.index)).astype(str))
        )
    counts = _code_counts(codes, school, domain, valence, spec)
    names = dict(zip(inst.codebook["id"], inst.codebook["name"])) if inst is not None else {}
    scored = []
    for k, s in enumerate(cands):
        trig = s.get("triggers") or {}
        hit_items = [i for i in trig.get("items", []) or [] if i in flagged]
        hit_codes = [c for c in trig.get("codes", []) or [] if c in counts]
        scored.append((len(hit_items) + len(hit_codes), k, s, hit_items, hit_codes))
    hits = sorted([x for x in scored if x[0] > 0], key=lambda x: (-x[0], x[1]))
    out = []
    if hits:
        for _, _, s, hi, hc in hits[:max_supports]:
            parts = []
            if hi:
                parts.append(
                    f"{want} items: " + "; ".join(f"{i} ({flagged[i]})" if flagged[i] else i for i in hi)
                )
            if hc:
                parts.append(
                    f"{valence} codes in interviews: "
                    + "; ".join(
                        f"{names.get(c, c)} ({counts[c]} excerpt{'s' if counts[c] != 1 else ''})" for c in hc
                    )
                )
            out.append({**s, "_why": "; ".join(parts)})
    else:
        why = (
            "no item or interview code of this domain stands out at the school; a general support for the "
            f"domain's status ({status})"
        )
        if items is None:
            why = f"matched on the domain's status ({status}) only: no item profile was given"
        for s in [s for s in cands if s.get("general")][:max_supports]:
            out.append({**s, "_why": why})
    return out


def source_text(pb: dict, evidence: dict) -> str:
    """'<title> [file] : <paraphrase>' for a support's evidence.

    Examples
    --------
    >>> pb = {"sources": [{"id": "plc", "title": "PLC review", "file": "plc.pdf"}]}
    >>> source_text(pb, {"source": "plc", "says": "Regular   shared planning helps."})
    'PLC review [plc.pdf]: Regular shared planning helps.'
    """
    src = {str(s["id"]): s for s in pb.get("sources", []) if isinstance(s, dict)}.get(
        str(evidence.get("source")), {}
    )
    where = f" [{src['file']}]" if src.get("file") else ""
    return f"{src.get('title', evidence.get('source', ''))}{where}: {' '.join(str(evidence.get('says', '')).split())}"


def require_v2_instrument(pb: dict, spec, name: str) -> None:
    want = str(pb.get("instrument_version", ""))
    if want and spec.version != "unknown" and want.split(".")[0] != str(spec.version).split(".")[0]:
        raise DataError(
            Problem(
                name,
                f"the playbook is for instrument {want}, but the instrument is {spec.version}",
                f"use the playbook written for instrument {spec.version}, or load_instrument('{want}')",
            )
        )
