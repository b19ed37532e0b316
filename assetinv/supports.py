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
codes recorded as *strength*. An item and its reverse-keyed mirror
(``mirrors:`` in the instrument) are one construct and count as one trigger.
A support the district acts on is also triggered by its leader-form and
district-form items that are weak (strong) in the school's district, when a
district-level item profile is given (a school has too few leaders, and no
district staff, for those items to be reported for it). Triggered supports
come first (most triggers first, then playbook order); when none is
triggered, the domain gets the supports marked ``general: true`` for that
status.

Trigger rules checked on loading: a support the CBO or a school acts on lists
only items of the school form (``teacher``), since only that form reaches the
reporting minimum at a school; every support has at least one trigger that can
fire at a school (a school-form item, or a code whose valence fits one of its
statuses); a code with a fixed valence must fit one of the support's statuses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .errors import DataError, Problem
from .instrument import Instrument

__all__ = ["WHO_ACTS"]

#: Who has to act on a support.
WHO_ACTS = ("cbo", "school", "district")
_STATUSES = ("asset", "typical", "growth area")
#: The role whose form a school answers in numbers large enough to report items (leaders are 2-4 a school).
_SCHOOL_FORM = "teacher"
#: The interview valence that triggers a support, by the domain's status.
_VALENCE_OF_STATUS = {"asset": "strength", "typical": "barrier", "growth area": "barrier"}
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
    school_items: set | None = None
    code_valence: dict = field(default_factory=dict)
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
        return cls(
            domains,
            item_dom,
            code_ids,
            src_ids,
            school_items=_school_items(inst),
            code_valence=_code_valence(inst),
            cover=cover,
        )


def _school_items(inst: Instrument | None) -> set | None:
    """The items of the school form (``None``: no instrument, or it has no such form, so not checked)."""
    if inst is None or _SCHOOL_FORM not in inst.roles:
        return None
    return set(inst.item_ids(role=_SCHOOL_FORM))


def _code_valence(inst: Instrument | None) -> dict:
    """Each code's fixed valence (``either`` when the codebook gives none)."""
    if inst is None or "valence" not in inst.codebook.columns:
        return {}
    cb = inst.codebook
    return {str(c): str(v or "either") for c, v in zip(cb["id"], cb["valence"].fillna("either"))}


def _mirror_of(inst: Instrument) -> dict[str, str]:
    """Both directions of the instrument's mirror pairs (reverse item <-> the positive item it mirrors)."""
    m = dict(inst.mirrors)
    return {**m, **{v: k for k, v in m.items()}}


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
    _check_triggers_can_fire(trig, s, sid, sts, ctx, add)
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
    role = " ".join(str(s.get("cbo_role") or "").split())
    if s["who_acts"] not in WHO_ACTS:
        add(f"support {sid}: who_acts is {s['who_acts']!r}", f"write one of {', '.join(WHO_ACTS)}")
    elif s["who_acts"] != "cbo" and not role:
        add(
            f"support {sid} is for the {s['who_acts']} to decide but says nothing of the CBO's part",
            "add cbo_role: what the CBO contributes",
        )
    elif s["who_acts"] != "cbo" and "CBO" not in role:
        add(
            f"support {sid}: cbo_role does not say what the CBO offers ({role!r})",
            "write cbo_role as what the CBO does, e.g. 'The CBO drafts the plan'; "
            f"the {s['who_acts']}'s own part belongs in the description",
        )
    elif s["who_acts"] == "cbo" and role:
        add(
            f"support {sid}: who_acts is cbo, so cbo_role only repeats it",
            "remove cbo_role; say in the description what a school or district must do for it",
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


def _check_triggers_can_fire(
    trig: dict, s: dict, sid: str, sts: list, ctx: _PlaybookContext, add: _Add
) -> None:
    """Triggers that can fire: items a school reports, codes whose valence fits a status, one live trigger at least."""
    items = [str(i) for i in trig.get("items", []) or [] if str(i) in ctx.item_dom]
    codes = [str(c) for c in trig.get("codes", []) or []]
    wanted = {_VALENCE_OF_STATUS[x] for x in sts if x in _VALENCE_OF_STATUS}
    live_codes = []
    for c in codes:
        v = ctx.code_valence.get(c, "either")
        if v in ("either", "") or not wanted or v in wanted:
            live_codes.append(c)
        else:
            add(
                f"support {sid}: code {c} is always coded '{v}', but its statuses "
                f"({', '.join(map(str, sts))}) are triggered by {' or '.join(sorted(wanted))} codes only",
                f"use a code that can be coded {' or '.join(sorted(wanted))}, or change the statuses",
            )
    if ctx.school_items is None:
        return
    off_form = [i for i in items if i not in ctx.school_items]
    if off_form and s.get("who_acts") != "district":
        add(
            f"support {sid} ({s.get('who_acts')}) is triggered by item(s) {', '.join(off_form)}, which the "
            f"{_SCHOOL_FORM} form does not ask, so they never reach the reporting minimum at a school",
            f"trigger it by {_SCHOOL_FORM}-form items or codes; leader-form and district-form items "
            "trigger only supports with who_acts: district (from the district-level item profile)",
        )
    if not live_codes and not [i for i in items if i in ctx.school_items]:
        add(
            f"support {sid} has no trigger that can fire at a school",
            f"add a {_SCHOOL_FORM}-form item, or a code whose valence fits one of its statuses",
        )


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


def _flagged(
    items: pd.DataFrame | None, key_value: str, want: str, key: str = "school"
) -> dict[str, str] | None:
    """Item -> text of the items flagged ``want`` for one school (or district); ``None`` without a profile."""
    if items is None:
        return None
    if not len(items):
        return {}
    key = key if key in items.columns else items.columns[0]
    sub = items[(items[key].astype(str) == str(key_value)) & (items["flag"] == want)]
    return dict(zip(sub["item"].astype(str), sub.get("text", pd.Series("", index=sub.index)).astype(str)))


def _item_text(i: str, text: str, want: str, reverse: set) -> str:
    """How a triggering item is named: a reverse-keyed item says which answer was the concern (or strength)."""
    if i in reverse:
        side = "high answers here are the concern" if want == "weak" else "low answers here are the strength"
        return f"{i} (reverse-keyed, so {side}: {text})" if text else f"{i} (reverse-keyed, so {side})"
    return f"{i} ({text})" if text else i


def _n_constructs(hit_items: list[str], mirror_of: dict[str, str]) -> int:
    """Triggering items counted once per construct (an item and its mirror are one)."""
    return len({min(i, mirror_of.get(i, i)) for i in hit_items})


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
    district_items: pd.DataFrame | None = None,
    district: str | None = None,
) -> list[dict]:
    """The supports for one school and domain, most-triggered first, each with why it was chosen.

    ``district_items`` (rows of the school's district, keyed by ``district``) adds, for supports with
    ``who_acts: district``, the leader-form and district-form items flagged in the district.
    """
    cands = [s for s in pb["supports"] if str(s["domain"]) == domain and status in s["statuses"]]
    want = "strong" if status == "asset" else "weak"
    valence = "strength" if status == "asset" else "barrier"
    flagged = _flagged(items, school, want) or {}
    dflagged = {}
    if district_items is not None and district is not None and len(district_items):
        school_form = _school_items(inst)
        dflagged = {
            i: x
            for i, x in (_flagged(district_items, district, want, key="district") or {}).items()
            if school_form is None or i not in school_form
        }
    counts = _code_counts(codes, school, domain, valence, spec)
    names = inst.code_names if inst is not None else {}
    mirror_of = _mirror_of(inst) if inst is not None else {}
    reverse = set(inst.reverse_items) if inst is not None else set()
    scored = []
    for k, s in enumerate(cands):
        trig = s.get("triggers") or {}
        listed = [str(i) for i in trig.get("items", []) or []]
        hit_items = [i for i in listed if i in flagged]
        hit_district = [i for i in listed if i in dflagged] if s.get("who_acts") == "district" else []
        hit_codes = [c for c in trig.get("codes", []) or [] if c in counts]
        n = _n_constructs(hit_items, mirror_of) + len(hit_district) + len(hit_codes)
        scored.append((n, k, s, hit_items, hit_district, hit_codes))
    hits = sorted([x for x in scored if x[0] > 0], key=lambda x: (-x[0], x[1]))
    out = []
    if hits:
        for _, _, s, hi, hd, hc in hits[:max_supports]:
            parts = []
            if hi:
                parts.append(
                    f"{want} items: " + "; ".join(_item_text(i, flagged[i], want, reverse) for i in hi)
                )
            if hd:
                parts.append(
                    f"{want} items in the district (leaders and district staff): "
                    + "; ".join(_item_text(i, dflagged[i], want, reverse) for i in hd)
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
