"""Domain scores, school asset profiles, perception gaps, change over time and
tailored support.

This is the stage a capacity-building organisation (CBO) reads: for each school,
which of the four Asset Inventory domains are assets to build on and which need
growing, how sure we can be of that, how leaders' and teachers' perceptions
differ, whether the domains grew between waves, and which partnership supports
fit.

Public functions (all exported flat from :mod:`assetinv`):

* :func:`score_domains` -- respondent x domain scores with quality flags;
* :func:`percent_favourable` -- top-two-box share per item and domain;
* :func:`summarize` -- group tables with intervals, reliability and suppression;
* (uses :func:`assetinv.privacy.complementary_suppress` to protect suppressed cells from subtraction);
* :func:`asset_profile` -- asset / typical / growth area per school and domain;
* :func:`perception_gaps`, :func:`perception_gaps_with_fallback` -- leader vs teacher;
* :func:`change_over_time` -- baseline to follow-up with a linear mixed model;
* :func:`load_playbook`, :func:`recommend` -- supports matched to the profile.

Every table obeys the suppression rule of :mod:`assetinv.privacy`: a group with
fewer than ``min_n`` respondents (or, with a roster, a response rate under
``min_response_rate``) keeps its row but shows no number, and ``suppressed``
says why. The rules are documented in ``docs/scoring.md``.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataError, Problem
from .ids import id_sort_key, natural_key
from .instrument import Instrument, _safe_load, resolve
from .privacy import MIN_N, MIN_RESPONSE_RATE, complementary_suppress, suppress
from .reliability import ReliabilityWarning, group_reliability

__all__ = [
    "score_domains",
    "percent_favourable",
    "summarize",
    "asset_profile",
    "perception_gaps",
    "perception_gaps_with_fallback",
    "change_over_time",
    "load_playbook",
    "recommend",
    "STATUSES",
]

#: The columns of :func:`change_over_time` (three or more waves add ``contrast`` after ``scope``).
# fmt: off
_CHANGE_COLUMNS = (
    "domain", "domain_name", "scope", "estimate", "ci_low", "ci_high", "se", "df", "p_value", "effect_size",
    "hedges_g", "n_baseline", "n_followup", "n_linked", "model", "reading", "note", "suppressed",
)
# fmt: on

ID_COLUMNS = ["respondent_id", "school", "district", "role", "wave"]
#: The three statuses of a domain in an asset profile, in display order.
STATUSES = ("asset", "typical", "growth area")
BASELINE, FOLLOWUP = "baseline", "followup"
_DEFAULT_ROLES = ("teacher", "leader")
_PLAYBOOK_PATH = Path(__file__).with_name("data") / "playbook.yaml"
#: The bundled playbook for each instrument major version (2.0.0 supports follow items and codes).
_PLAYBOOK_BY_MAJOR = {"1": _PLAYBOOK_PATH, "2": Path(__file__).with_name("data") / "playbook-2.0.0.yaml"}


# --------------------------------------------------------------------------- #
# Instrument adapter
# --------------------------------------------------------------------------- #
def _domains(spec: Instrument, domains: Sequence[str] | None, table: pd.DataFrame | None = None) -> list[str]:
    if domains is None:
        doms = list(spec.domain_ids)
        if table is not None:
            doms = [d for d in doms if d in table.columns]
        return doms
    if isinstance(domains, str):
        domains = [domains]
    unknown = [d for d in domains if d not in spec.domain_ids]
    if unknown:
        raise DataError(
            Problem(
                "domains argument", f"unknown domain id(s) {unknown}", f"use ids from {list(spec.domain_ids)}"
            )
        )
    return list(domains)


# --------------------------------------------------------------------------- #
# Input checks
# --------------------------------------------------------------------------- #
def _source(df: pd.DataFrame, default: str) -> str:
    src = df.attrs.get("source") if hasattr(df, "attrs") else None
    if isinstance(src, dict):
        src = src.get("file") or src.get("name")
    return str(src) if src else default


def _check_ids(df: pd.DataFrame, required: Sequence[str], file: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    file,
                    f"required column '{c}' is missing",
                    f"add a column named '{c}' (see docs/design.md)",
                    column=c,
                )
                for c in missing
            ]
        )


def _item_matrix(df: pd.DataFrame, items: Sequence[str], spec: Instrument, file: str) -> np.ndarray:
    """Items as a float matrix (NaN missing), with every bad value reported."""
    problems: list[Problem] = []
    mats = []
    for c in items:
        raw = df[c]
        num = pd.to_numeric(raw, errors="coerce")
        arr = num.to_numpy(dtype="float64", na_value=np.nan)
        bad_text = raw.notna().to_numpy() & np.isnan(arr)
        bad_val = ~np.isnan(arr) & ((arr < spec.scale_min) | (arr > spec.scale_max) | (arr != np.round(arr)))
        for pos in np.flatnonzero(bad_text | bad_val)[:20]:
            problems.append(
                Problem(
                    file,
                    f"value {raw.iloc[pos]!r} is not a whole number from {spec.scale_min} to {spec.scale_max}",
                    f"recode the answer to {spec.scale_min}..{spec.scale_max} "
                    "or leave the cell empty for a missing answer",
                    row=int(pos) + 2,
                    column=c,
                )
            )
        mats.append(arr)
    if problems:
        raise DataError(problems)
    return np.column_stack(mats) if mats else np.empty((len(df), 0))


# --------------------------------------------------------------------------- #
# 1. Scoring
# --------------------------------------------------------------------------- #
#: Default share of a domain's applicable items a respondent must answer to get a domain score.
_MIN_ANSWERED = 0.5


def _items_needed(min_answered: float, n_applicable):
    """Items a respondent must answer for a domain score: a share (< 1) of the ``n_applicable`` items,
    rounded up, or a count (>= 1) capped at them; at least one. Works on a number or an array.
    """
    if min_answered < 1:
        need = np.ceil(min_answered * n_applicable - 1e-9)
    else:
        need = np.minimum(float(min_answered), n_applicable)
    return np.maximum(need, 1)


def score_domains(
    responses: pd.DataFrame,
    instrument=None,
    min_answered: float = _MIN_ANSWERED,
    *,
    straightline_min_items: int = 8,
    speed_threshold_sec: float | None = None,
) -> pd.DataFrame:
    """Score each respondent on each domain, flagging doubtful response patterns.

    A domain score is the mean of the answered items of that domain after
    reverse-keyed items are reflected (``x -> scale_min + scale_max - x``, so on a
    1-5 scale 1 becomes 5). A score is given only when enough of the domain's
    items were answered; the number answered is kept beside it. Respondents are
    never dropped: straight-lining and speeding are flagged for the analyst.

    Parameters
    ----------
    responses : DataFrame
        Tidy responses: ``respondent_id, school, district, role, wave``, one
        column per item id (1..5, NaN missing) and optionally ``duration_sec``.
    instrument : Instrument, optional
        From :func:`assetinv.load_instrument`; the bundled instrument by default.
    min_answered : float
        Minimum answered items for a score. Below 1 it is a share of the
        domain's items that apply to the respondent's role (0.5 = half, rounded
        up: 4 of 8); 1 or more is a count (capped at the number of items).
    straightline_min_items : int
        A respondent who gave the same raw answer to every answered item, with
        at least this many answered, is flagged ``straightliner``. This is
        computed on the raw answers, before reversing: because items 04 and 07
        of each domain are reverse-keyed, the same answer everywhere is
        inconsistent responding.
    speed_threshold_sec : float, optional
        Completion time under which a respondent is flagged ``speeder``. By
        default a third of the median ``duration_sec`` of all rows. Ignored
        (no speeders) when ``duration_sec`` is absent.

    Returns
    -------
    DataFrame
        ``respondent_id, school, district, role, wave``, then per domain ``<D>``
        (score) and ``<D>_n`` (items answered), then ``straightliner``,
        ``speeder`` (bool) and ``quality_flags`` (plain-language text, "" if none).
        Rows are sorted by school, respondent and wave. ``attrs`` carries
        ``instrument_version``, ``min_answered``, ``required_items`` (per domain,
        for a respondent to whom every item applies), ``speed_threshold_sec`` and
        ``not_asked`` (domain -> roles whose form does not ask it; their score
        is always empty, even if the file holds answers, and is not flagged).

    Raises
    ------
    DataError
        Missing id columns, duplicate respondent x wave rows, or answers outside
        the scale (naming the row and column).

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv.scoring import score_domains
    >>> r = pd.DataFrame({"respondent_id": ["r1"], "school": ["S1"], "district": ["D1"],
    ...                   "role": ["teacher"], "wave": ["baseline"],
    ...                   **{f"OS{i:02d}": [4.0] for i in range(9, 21)}})
    >>> s = score_domains(r)  # the teacher form's 12 OS items; OS11 is reverse-keyed (4 -> 2)
    >>> round(float(s.loc[0, "OS"]), 4), int(s.loc[0, "OS_n"]), bool(s.loc[0, "straightliner"])
    (3.8333, 12, True)

    References
    ----------
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey
    data. *Psychological Methods*, 17(3), 437-455.
    """
    file = _source(responses, "responses")
    _check_ids(responses, ["respondent_id", "school", "role", "wave"], file)
    spec = resolve(instrument)
    df = responses.reset_index(drop=True)
    _check_one_row_per_wave(df, file)
    items = [i for d in spec.domain_ids for i in spec.items_by_domain[d] if i in df.columns]
    if not items:
        raise DataError(
            Problem(
                file,
                "no item columns found",
                f"name item columns by item id, e.g. {spec.items_by_domain[spec.domain_ids[0]][0]}",
            )
        )
    X = _item_matrix(df, items, spec, file)
    keyed = X.copy()
    rev = np.array([i in spec.reverse_items for i in items])
    keyed[:, rev] = spec.scale_min + spec.scale_max - keyed[:, rev]
    answered = ~np.isnan(X)
    roles = df["role"].astype(str).to_numpy()
    applies = _items_apply(spec, items, roles, answered)
    out = pd.DataFrame(
        {c: (df[c] if c in df.columns else pd.Series(pd.NA, index=df.index)) for c in ID_COLUMNS}
    )
    required, short_of = _score_each_domain(out, spec, items, keyed, answered, applies, roles, min_answered)
    n_total = answered.sum(axis=1)
    lo, straight = _straight_lining(X, answered, n_total, straightline_min_items)
    dur, speeder, threshold = _speeding(df, speed_threshold_sec)
    flags = _quality_flags(straight, lo, n_total, speeder, dur, threshold, short_of)
    out["straightliner"] = straight.astype(bool)
    out["speeder"] = speeder.astype(bool)
    out["quality_flags"] = flags
    out = out.sort_values(["school", "respondent_id", "wave"], kind="mergesort", key=id_sort_key).reset_index(
        drop=True
    )
    out.attrs = {
        "instrument_version": spec.version,
        "min_answered": min_answered,
        "required_items": required,
        "speed_threshold_sec": threshold,
        "straightline_min_items": straightline_min_items,
        "not_asked": {d: sorted(r) for d, r in spec.not_asked.items()},
    }
    return out


def _check_one_row_per_wave(df: pd.DataFrame, file: str) -> None:
    """A respondent has at most one row per wave (else a DataError naming the first 20 repeats)."""
    dup = df.duplicated(["respondent_id", "wave"], keep="first").to_numpy()
    if dup.any():
        raise DataError(
            [
                Problem(
                    file,
                    f"respondent '{df.loc[p, 'respondent_id']}' appears more than once in wave '{df.loc[p, 'wave']}'",
                    "keep one row per respondent and wave (remove the duplicate or give it a new id)",
                    row=int(p) + 2,
                    column="respondent_id",
                )
                for p in np.flatnonzero(dup)[:20]
            ]
        )


def _items_apply(spec: Instrument, items: list[str], roles: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """Respondents x items: True where the item is on the respondent's role's form."""
    if not spec.item_roles:
        return np.ones_like(answered)
    return np.column_stack(
        [
            np.isin(roles, list(spec.item_roles[i])) if i in spec.item_roles else np.ones(len(roles), bool)
            for i in items
        ]
    )


def _score_each_domain(
    out: pd.DataFrame,
    spec: Instrument,
    items: list[str],
    keyed: np.ndarray,
    answered: np.ndarray,
    applies: np.ndarray,
    roles: np.ndarray,
    min_answered: float,
) -> tuple[dict[str, int], list[list[str]]]:
    """Add ``<D>`` and ``<D>_n`` to ``out``; the items required per domain and the domains each row is short of."""
    required = {}
    short_of: list[list[str]] = [[] for _ in range(len(out))]
    for d in spec.domain_ids:
        idx = [j for j, i in enumerate(items) if i in spec.items_by_domain[d]]
        if not idx:
            out[d] = np.nan
            out[f"{d}_n"] = 0
            continue
        a = answered[:, idx]
        n_ans = a.sum(axis=1)
        n_app = (applies[:, idx] | a).sum(axis=1)
        need = _items_needed(min_answered, n_app)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(np.where(a, keyed[:, idx], 0.0), axis=1) / np.where(n_ans > 0, n_ans, np.nan)
        ok = n_ans >= need
        if spec.not_asked.get(d):
            # the role's form does not ask this domain: no score, and no "too few items" flag
            skip = np.isin(roles, list(spec.not_asked[d]))
            ok = ok & ~skip
            n_app = np.where(skip, 0, n_app)
            n_ans = np.where(skip, 0, n_ans)
        out[d] = np.where(ok, mean, np.nan)
        out[f"{d}_n"] = n_ans.astype("int64")
        required[d] = (
            int(np.ceil(min_answered * len(idx) - 1e-9))
            if min_answered < 1
            else int(min(min_answered, len(idx)))
        )
        for row in np.flatnonzero(~ok & (n_app > 0)):
            short_of[int(row)].append(d)
    return required, short_of


def _straight_lining(
    X: np.ndarray, answered: np.ndarray, n_total: np.ndarray, min_items: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's lowest raw answer and whether all its (at least ``min_items``) answers are the same."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanmin(np.where(answered, X, np.nan), axis=1) if X.size else np.full(len(X), np.nan)
        hi = np.nanmax(np.where(answered, X, np.nan), axis=1) if X.size else np.full(len(X), np.nan)
    return lo, (n_total >= min_items) & (lo == hi)


def _speeding(
    df: pd.DataFrame, speed_threshold_sec: float | None
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Durations, the speeder flag and the threshold used (a third of the median duration by default)."""
    threshold = None
    if "duration_sec" not in df.columns:
        return np.full(len(df), np.nan), np.zeros(len(df), bool), threshold
    dur = pd.to_numeric(df["duration_sec"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if speed_threshold_sec is None:
        valid = dur[np.isfinite(dur) & (dur > 0)]
        threshold = float(np.median(valid) / 3.0) if valid.size else None
    else:
        threshold = float(speed_threshold_sec)
    speeder = np.isfinite(dur) & (dur < threshold) if threshold is not None else np.zeros(len(df), bool)
    return dur, speeder, threshold


def _quality_flags(
    straight: np.ndarray,
    lo: np.ndarray,
    n_total: np.ndarray,
    speeder: np.ndarray,
    dur: np.ndarray,
    threshold: float | None,
    short_of: list[list[str]],
) -> list[str]:
    """Each row's data-quality flags in plain words ("" when none)."""
    flags = []
    for p in range(len(straight)):
        f = []
        if straight[p]:
            f.append(
                f"straight-lining: the same answer ({int(lo[p])}) to all {int(n_total[p])} answered items"
            )
        if speeder[p]:
            f.append(f"speeding: finished in {dur[p]:.0f} s, under {threshold:.0f} s")
        if short_of[p]:
            f.append("too few items answered to score " + ", ".join(short_of[p]))
        flags.append("; ".join(f))
    return flags


def percent_favourable(
    responses: pd.DataFrame,
    instrument=None,
    by: Sequence[str] | str | None = None,
    min_n: int = MIN_N,
) -> pd.DataFrame:
    """Percent favourable (top two boxes) per item and per domain, as school surveys report it.

    After reverse-keyed items are reflected, an answer is favourable when it is
    one of the top two boxes of the scale (4 "Agree" or 5 "Strongly agree" on
    1-5); "Neither agree nor disagree" is not favourable. The item share is
    over the respondents who answered the item. The domain figure is the mean of
    its reportable item percentages.

    Parameters
    ----------
    responses : DataFrame
        Tidy responses (see :func:`score_domains`).
    instrument : Instrument, optional
        The bundled instrument by default.
    by : str or sequence of str, optional
        Grouping columns (e.g. ``["school"]``); ``None`` = the whole network.
    min_n : int
        Groups with fewer respondents, and items answered by fewer, are
        suppressed (row kept, numbers blank, reason in ``suppressed``).
        Suppressed items are left out of the domain mean.

    Returns
    -------
    DataFrame
        ``<by columns>, level ("item" | "domain"), domain, item ("" on domain
        rows), n, pct_favourable, suppressed``. ``pct_favourable`` is a
        percentage, 0-100. ``n`` = respondents answering the item (item rows)
        or answering any item of the domain (domain rows).

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv.scoring import percent_favourable
    >>> r = pd.DataFrame({"respondent_id": list("abcde"), "school": "S1", "district": "D1",
    ...                   "role": "teacher", "wave": "baseline",
    ...                   "OS09": [5, 4, 3, 2, 4.0], "OS11": [1, 2, 3, 4, 5.0]})
    >>> t = percent_favourable(r)  # OS11 is reverse-keyed: its 1s and 2s are the favourable answers
    >>> t[["level", "item", "pct_favourable"]].to_string(index=False)
    ' level item  pct_favourable\\n  item OS09            60.0\\n  item OS11            40.0\\ndomain                 50.0'

    References
    ----------
    Hough, H., et al. (2017). *Using surveys of students' social-emotional
    learning and school climate for accountability and continuous improvement*.
    PACE. (Percent favourable reporting of school climate surveys.)
    """  # noqa: E501 (doctest output)
    file = _source(responses, "responses")
    spec = resolve(instrument)
    by = [by] if isinstance(by, str) else list(by or [])
    _check_ids(responses, by, file)
    df = responses.reset_index(drop=True)
    items = [i for d in spec.domain_ids for i in spec.items_by_domain[d] if i in df.columns]
    X = _item_matrix(df, items, spec, file)
    rev = np.array([i in spec.reverse_items for i in items], dtype=bool)
    if len(items):
        X[:, rev] = spec.scale_min + spec.scale_max - X[:, rev]
    fav = np.where(np.isnan(X), np.nan, (X >= spec.scale_max - 1).astype(float))
    keys = df[by].copy() if by else pd.DataFrame({"_all": np.zeros(len(df), int)})
    gkey = keys.astype(str).agg("\x1f".join, axis=1) if len(keys.columns) else pd.Series("", index=df.index)
    rows = []
    rows_of = _rows_by_key(gkey)
    domain_items = {
        d: [j for j, i in enumerate(items) if i in spec.items_by_domain[d]] for d in spec.domain_ids
    }
    for g in sorted(gkey.unique()):
        at = rows_of[g]
        head = {c: keys[c].iloc[at[0]] for c in by}
        n_group = int(at.size)
        for d in spec.domain_ids:
            idx = domain_items[d]
            if not idx:
                continue
            block = fav[np.ix_(at, idx)]
            n_items, pcts = _favourable_shares(block)
            shares = []
            for col, j in enumerate(idx):
                n_item, pct = int(n_items[col]), float(pcts[col])
                reason = ""
                if n_group < min_n or n_item < min_n:
                    reason = f"fewer than {min_n} respondents"
                else:
                    shares.append(pct)
                rows.append(
                    {
                        **head,
                        "level": "item",
                        "domain": d,
                        "item": items[j],
                        "n": n_item,
                        "pct_favourable": pct,
                        "_r": reason,
                    }
                )
            n_dom = int((~np.isnan(block)).any(axis=1).sum())
            reason = (
                f"fewer than {min_n} respondents" if (n_group < min_n or n_dom < min_n or not shares) else ""
            )
            rows.append(
                {
                    **head,
                    "level": "domain",
                    "domain": d,
                    "item": "",
                    "n": n_dom,
                    "pct_favourable": float(np.mean(shares)) if shares else np.nan,
                    "_r": reason,
                }
            )
    cols = by + ["level", "domain", "item", "n", "pct_favourable"]
    out = pd.DataFrame(rows, columns=cols + ["_r"])
    hide = out["_r"] != ""
    out["n"] = out["n"].astype("float64")
    out["pct_favourable"] = out["pct_favourable"].astype("float64")
    out.loc[hide, ["n", "pct_favourable"]] = np.nan
    out["suppressed"] = out.pop("_r")
    out.attrs["instrument_version"] = spec.version
    return out


def _favourable_shares(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column of a block of favourable flags (1, 0, NaN unanswered): answers, and percent favourable
    (NaN when nobody answered).

    Each share is the number ``float(np.nanmean(column) * 100)`` gives: the column sums add zeros and
    ones, exact in any order, and the share is the same division then multiplication.
    """
    answered = ~np.isnan(block)
    n = answered.sum(axis=0)
    favourable = np.where(answered, block, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = favourable / n * 100
    return n, np.where(n > 0, pct, np.nan)


# --------------------------------------------------------------------------- #
# 2. Aggregation
# --------------------------------------------------------------------------- #
def _tcrit(level: float, df) -> np.ndarray:
    df = np.asarray(df, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, 1)), np.nan)


@functools.lru_cache(maxsize=4096)
def _tcrit_whole(level: float, df: int) -> np.ndarray:
    """:func:`_tcrit` for a whole number of df, remembered: tables ask it for every group and school."""
    return _tcrit(level, df)


def _reliability_by_group(sub: pd.DataFrame, domains: list[str], key: pd.Series) -> tuple[dict, dict]:
    """({(group key, domain): reliability}, {domain: note}) from
    :func:`assetinv.group_reliability` (bounded to [0, 1]; the note says when a
    negative ICC(1) was reported as 0). Its errors are not caught.
    """
    tmp = sub[domains].copy()
    tmp["_grp"] = key.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)  # the notes carry what matters here
        gr = group_reliability(tmp, domains, "_grp", min_n=1)
    bg = gr.by_group
    res = {
        (str(g), c): float(r) if pd.notna(r) else np.nan
        for g, c, r in zip(bg["group"], bg["column"], bg["reliability"])
    }
    notes = {c: nt for c, nt in zip(gr.table["column"], gr.table["note"]) if nt}
    return res, notes


def _key(frame: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    if not cols:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[list(cols)].astype(str).agg("\x1f".join, axis=1).astype(object)


_NO_ROWS = np.empty(0, dtype=np.intp)


def _rows_by_key(keys: pd.Series) -> dict:
    """``{key: positions of its rows}``, positions ascending (the rows ``keys == key`` selects, in order).

    Grouping once replaces one comparison of the whole column per group; look a missing key up with
    ``.get(key, _NO_ROWS)``.
    """
    if not len(keys):
        return {}
    return keys.groupby(keys.to_numpy(), sort=False, dropna=False).indices


def _invited(roster: pd.DataFrame | None, by: list[str], filters: dict) -> pd.DataFrame | None:
    """Invited counts per group from the roster; None if the roster can't give them."""
    if roster is None:
        return None
    _check_ids(roster, ["invited"], _source(roster, "roster"))
    if any(c not in roster.columns for c in by):
        return None
    r = roster
    for col, allowed in filters.items():
        if col in r.columns and allowed is not None:
            r = r[r[col].isin(list(allowed))]
    inv = pd.to_numeric(r["invited"], errors="coerce").fillna(0)
    if by:
        t = inv.groupby([r[c] for c in by], sort=True).sum().reset_index()
        t.columns = by + ["invited"]
    else:
        t = pd.DataFrame({"invited": [inv.sum()]})
    return t


def summarize(
    scores: pd.DataFrame,
    by: Sequence[str] | str = ("school",),
    *,
    roster: pd.DataFrame | None = None,
    responses: pd.DataFrame | None = None,
    min_n: int = MIN_N,
    min_response_rate: float = MIN_RESPONSE_RATE,
    domains: Sequence[str] | None = None,
    reliability: bool = True,
    level: float = 0.95,
    complementary: bool = True,
    parent: Sequence[str] | None = None,
    exclude_flagged: bool = False,
    instrument=None,
    fpc: bool = True,
) -> pd.DataFrame:
    """Summarise domain scores by group, suppressing groups too small to report.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score_domains` (filter rows first to choose a wave or
        roles, e.g. ``scores[scores.wave == "baseline"]``).
    by : str or sequence of str
        Group columns, e.g. ``("school",)``, ``("school", "role")``,
        ``("district",)`` or ``()`` for the network.
    roster : DataFrame, optional
        ``school, district, role, wave, invited``. Gives ``invited`` and
        ``response_rate`` = respondents in the group / invited (the roster is
        restricted to the roles and waves present in ``scores``). Groups on the
        roster without any respondent appear, suppressed.
    responses : DataFrame, optional
        Item responses, to compute ``pct_favourable`` (rows matched to
        ``scores`` by respondent and wave). Without it the column is NaN.
    min_n : int
        Groups with fewer respondents with a domain score are suppressed.
    min_response_rate : float
        With a roster, groups whose response rate is below this are suppressed.
    domains : sequence of str, optional
        Domain ids (default: all in ``scores``).
    reliability : bool
        Add the group-mean reliability ``n*ICC1 / (1 + (n-1)*ICC1)``, with
        ICC(1) estimated across the groups of this table (Bliese 2000).
    level : float
        Confidence level of the t interval of the mean.
    fpc : bool
        With a roster (invited counts), use the finite-population correction
        ``sqrt((N - n)/(N - 1))`` on the interval of a group's mean, ``N`` the
        staff invited and ``n`` the respondents (staff surveys are near-censuses
        of small populations); a group with more respondents than invited gets
        no correction. Default True.
    complementary : bool
        Apply :func:`complementary_suppress` with ``parent`` so that no
        suppressed group can be recovered from a published total.
    parent : sequence of str, optional
        Columns of the published parent total; default ``by[:-1]`` (for
        ``("school",)`` the network total).
    exclude_flagged : bool
        Drop straight-liners and speeders first (default keeps everyone).
    instrument : Instrument, optional
        For domain names and item keys; bundled instrument by default.

    Returns
    -------
    DataFrame
        One row per group and domain: ``<by>, domain, domain_name, n, invited,
        response_rate, mean, sd, ci_low, ci_high, pct_favourable (0-100),
        reliability (within [0, 1]), reliability_note (why a negative ICC(1)
        was reported as 0, or ""), suppressed`` ("" or the reason). Suppressed rows have every
        statistic and ``n`` blank (``invited`` is the roster count and is kept).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assetinv.scoring import summarize
    >>> s = pd.DataFrame({"respondent_id": range(9), "school": ["A"] * 6 + ["B"] * 3,
    ...                   "district": "D", "role": "teacher", "wave": "baseline",
    ...                   "OS": [3, 4, 4, 5, 3, 5, 2, 2, 3.0]})
    >>> t = summarize(s, complementary=False)
    >>> t[["school", "n", "mean", "suppressed"]].to_string(index=False)
    'school   n  mean               suppressed\\n     A 6.0   4.0                         \\n     B NaN   NaN fewer than 5 respondents'

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and
    reliability. In K. J. Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory,
    research, and methods in organizations* (pp. 349-381). Jossey-Bass.
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in
    assessing rater reliability. *Psychological Bulletin*, 86(2), 420-428.
    """  # noqa: E501 (doctest output)
    by = [by] if isinstance(by, str) else list(by)
    _check_ids(scores, by, "scores")
    spec = resolve(instrument)
    doms = _domains(spec, domains, scores)
    sub = _without_flagged(scores, exclude_flagged).reset_index(drop=True)
    key = _key(sub, by)
    filters = {}
    if "role" in sub.columns:
        filters["role"] = sorted(sub["role"].dropna().astype(str).unique())
    if "wave" in sub.columns:
        filters["wave"] = sorted(sub["wave"].dropna().astype(str).unique())
    inv = _invited(roster, by, filters)
    groups = _summary_groups(sub, by, inv)
    gkeys = _key(groups, by) if by else pd.Series([""])
    pct = _pct_by_group(responses, sub, spec, by) if responses is not None else {}
    rel, rel_notes = _reliability_by_group(sub, doms, key) if (reliability and by) else ({}, {})
    n_resp = key.value_counts()
    rows_of = _rows_by_key(key)
    domain_scores = {d: sub[d].to_numpy(dtype="float64", na_value=np.nan) for d in doms}
    invited_of = _invited_of_groups(inv, by, list(gkeys))
    rows = []
    for gi, k in enumerate(gkeys):
        at = rows_of.get(k, _NO_ROWS)
        head = {c: groups.at[gi, c] for c in by}
        invited = invited_of[gi]
        nr = int(n_resp.get(k, 0))
        rate = nr / invited if invited and invited > 0 else np.nan
        for d in doms:
            v = domain_scores[d][at]
            row = _summary_row(v[~np.isnan(v)], invited, level, fpc)
            rows.append(
                {
                    **head,
                    "domain": d,
                    "domain_name": spec.domain_names.get(d, d),
                    **row,
                    "invited": invited,
                    "response_rate": rate,
                    "pct_favourable": pct.get((k, d), np.nan),
                    "reliability": rel.get((k, d), np.nan),
                    "reliability_note": rel_notes.get(d, ""),
                }
            )
    table = pd.DataFrame(rows, columns=by + list(_SUMMARY_COLUMNS))
    raw_n = table["n"].astype("float64").copy()
    values = ["mean", "sd", "ci_low", "ci_high", "pct_favourable", "reliability"]
    out = suppress(
        table,
        values,
        n_column="n",
        min_n=min_n,
        rate_column="response_rate" if inv is not None else None,
        min_response_rate=min_response_rate,
    )
    if complementary and len(out):
        par = list(by[:-1]) if parent is None else list(parent)
        out = complementary_suppress(out, by, par, value_columns=values, min_n=min_n, raw_n=raw_n)
    for c in ["n", "invited", "response_rate"] + values:
        out[c] = out[c].astype("float64")
    out.attrs = {
        "instrument_version": spec.version,
        "min_n": min_n,
        "min_response_rate": min_response_rate,
        "level": level,
        "by": tuple(by),
    }
    return out


#: The columns of a summary after the group columns.
_SUMMARY_COLUMNS = (
    "domain",
    "domain_name",
    "n",
    "invited",
    "response_rate",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "pct_favourable",
    "reliability",
    "reliability_note",
)


def _without_flagged(scores: pd.DataFrame, exclude_flagged: bool) -> pd.DataFrame:
    """``scores`` without straight-liners and speeders when asked (and the flags are there)."""
    if exclude_flagged and {"straightliner", "speeder"} <= set(scores.columns):
        return scores[~(scores["straightliner"].astype(bool) | scores["speeder"].astype(bool))]
    return scores


def _summary_groups(sub: pd.DataFrame, by: list[str], inv: pd.DataFrame | None) -> pd.DataFrame:
    """The groups of a summary: those with respondents and those invited, in order."""
    groups = sub[by].drop_duplicates() if by else pd.DataFrame(index=[0])
    if inv is not None and by:
        groups = pd.concat([groups, inv[by]], ignore_index=True).drop_duplicates()
    if by:
        groups = groups.astype({c: sub[c].dtype for c in by if c in sub}, errors="ignore")
        groups = groups.sort_values(by, kind="mergesort").reset_index(drop=True)
    return groups


def _pct_by_group(responses: pd.DataFrame, sub: pd.DataFrame, spec: Instrument, by: list[str]) -> dict:
    """``{(group key, domain): percent favourable}`` over the respondents kept in ``sub``."""
    resp = responses
    if {"respondent_id", "wave"} <= set(resp.columns):
        ids = sub[["respondent_id", "wave"]].astype(str).agg("\x1f".join, axis=1)
        rk = resp[["respondent_id", "wave"]].astype(str).agg("\x1f".join, axis=1)
        resp = resp[rk.isin(set(ids)).to_numpy()]
    pf = percent_favourable(resp, spec, by=by or None, min_n=1)
    pf = pf[pf["level"] == "domain"]
    keys = _key(pf, by) if by else [""] * len(pf)
    return {(k, d): v for k, d, v in zip(keys, pf["domain"], pf["pct_favourable"])}


def _invited_of_groups(inv: pd.DataFrame | None, by: list[str], gkeys: list) -> list[float]:
    """Staff invited in each group of ``gkeys`` (NaN without a roster, 0 when the roster lacks the group).

    A group's count is that of its first roster row, the roster's keys computed once for all groups.
    """
    if inv is None:
        return [np.nan] * len(gkeys)
    if not by:
        return [float(inv["invited"].iloc[0])] * len(gkeys)
    first: dict = {}
    for k, invited in zip(_key(inv, by), inv["invited"]):
        first.setdefault(k, float(invited))
    return [first.get(k, 0.0) for k in gkeys]


def _summary_row(v: np.ndarray, invited: float, level: float, fpc: bool) -> dict:
    """n, mean, sd and interval of one group's answered scores."""
    n = v.size
    mean = float(v.mean()) if n else np.nan
    sd = float(v.std(ddof=1)) if n > 1 else np.nan
    f = _fpc_factor(n, invited) if fpc else 1.0
    half = float(_tcrit_whole(level, n - 1) * sd * math.sqrt(f / n)) if n > 1 else np.nan
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


# --------------------------------------------------------------------------- #
# 3. Asset profile
# --------------------------------------------------------------------------- #
def _rule_text(
    asset_at: float,
    growth_below: float,
    level: float,
    min_diff: float,
    scale_max: int,
    *,
    comparison: str = "others",
    adjust: str | None = "bh",
    fpc: bool = False,
) -> str:
    ci = f"{level:.0%}"
    md = f" and by at least {min_diff:g} points" if min_diff > 0 else ""
    against = (
        "the other schools of the network (the school itself left out)"
        if comparison == "others"
        else "the whole network (the school included)"
    )
    adj = (
        f" Because a network makes many such comparisons, the {ci} intervals are widened by the "
        f"Benjamini-Hochberg rule across all of the network's school and domain comparisons, so that chance "
        f"differences rarely earn a label."
        if adjust == "bh"
        else ""
    )
    fp = (
        " Intervals use the finite-population correction: the staff invited are the whole population."
        if fpc
        else ""
    )
    return (
        f"Against {against}: asset if the school's mean is above theirs with the {ci} interval of the "
        f"difference above 0{md}; growth area if below with the interval below 0{md}; otherwise typical. "
        f"Against the standard: asset if the {ci} interval of the school's mean is at or above {asset_at:.1f} "
        f"of {scale_max}; growth area if it is entirely under {growth_below:.1f}; otherwise typical. "
        f"Combined: asset if either says asset and neither says growth area; "
        f"growth area if either says growth area and neither says asset; otherwise typical.{adj}{fp} "
        f"The network is every school that meets the reporting rules."
    )


def _fmt(x: float, nd: int = 1) -> str:
    s = f"{x:.{nd}f}"
    return "0.0" if s in ("-0.0", "-0.00") else s


def _is_plural(name: str) -> bool:
    """Crude number agreement for domain short names ("Collaborative structures are")."""
    last = name.strip().split()[-1].lower() if name.strip() else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


#: How a status reads: both comparisons agree; the standard says so; the network comparison says so.
_STATUS_WORDS = {
    "asset": ("a clear asset", "an asset", "at or above the {} standard", "clearly above"),
    "growth area": ("a clear area to grow", "an area to grow", "below the {} standard", "clearly below"),
}


def _sentence(row: dict, short: str, asset_at: float, growth_below: float, scale_max: int) -> str:
    verb = "are" if _is_plural(short) else "is"
    asset_at_s, growth_s = f"{asset_at:.1f}", f"{growth_below:.1f}"
    if row["suppressed"]:
        tail = f" (network average {_fmt(row['network_mean'])})" if pd.notna(row.get("network_mean")) else ""
        return f"{short}: not reported for this school, {row['suppressed']}{tail}."
    m = _fmt(row["mean"])
    k = int(row["n_schools"]) if pd.notna(row["n_schools"]) else 0
    others = k - 1
    lower = int(row["n_lower"]) if pd.notna(row.get("n_lower")) else 0
    higher = int(row["n_higher"]) if pd.notna(row.get("n_higher")) else 0
    net = _fmt(row["network_mean"]) if pd.notna(row["network_mean"]) else None
    sn, sa = row["status_network"], row["status_absolute"]
    if others >= 1:
        pl = "s" if others > 1 else ""
        top, bottom = f"the highest of the {k} schools", f"the lowest of the {k} schools"
        up = (
            top
            if lower == others
            else bottom
            if lower == 0 and higher == others
            else f"higher than {lower} of the other {others} school{pl}"
        )
        down = (
            bottom
            if higher == others
            else top
            if higher == 0 and lower == others
            else f"lower than {higher} of the other {others} school{pl}"
        )
    else:
        up = down = "the only school reported"
    status = row["status"]
    if status in _STATUS_WORDS:
        clear, plain, standard, versus = _STATUS_WORDS[status]
        rank, std = (up, asset_at_s) if status == "asset" else (down, growth_s)
        if sn == status and sa == status:
            return f"{short} {verb} {clear}: {m} of {scale_max}, {rank}."
        if sa == status:
            return f"{short} {verb} {plain}: {m} of {scale_max}, {standard.format(std)} ({rank})."
        return (
            f"{short} {verb} {plain} compared with the network: {m} of {scale_max}, {versus} the network "
            f"average of {net} and {rank}."
        )
    if sa == "asset" and sn == "growth area":
        return (
            f"{short} {verb} mixed: {m} of {scale_max} meets the {asset_at_s} standard but is clearly below the "
            f"network average of {net}."
        )
    if sa == "growth area" and sn == "asset":
        return (
            f"{short} {verb} mixed: {m} of {scale_max} is clearly above the network average of {net} but below "
            f"the {growth_s} standard."
        )
    near = (
        f"not clearly different from the network average of {net}"
        if net is not None
        else "with no other school to compare"
    )
    return (
        f"{short} {verb} typical: {m} of {scale_max}, {near} ({up})."
        if others >= 1
        else f"{short} {verb} typical: {m} of {scale_max}."
    )


def _fpc_factor(n: int, invited: float) -> float:
    """Finite-population correction of a mean's variance, ``(N - n)/(N - 1)``,
    when the roster gives the invited count ``N`` (and ``n <= N``); else 1.
    """
    if not (invited and np.isfinite(invited)) or invited <= 1 or n > invited:
        return 1.0
    return float((invited - n) / (invited - 1))


def _p_two_sided(diff: float, se: float, df: float) -> float:
    if not np.isfinite(diff):
        return np.nan
    if se <= 0:
        return 0.0 if diff != 0 else 1.0
    return float(2 * stats.t.sf(abs(diff) / se, df))


def _network_contrasts(base: dict, rep: list[str], comparison: str) -> dict[str, tuple]:
    """``{school: (reference mean, difference, its variance, df)}`` of every
    reportable school of ``rep`` against the other reportable schools
    (``"others"``) or the pooled network including it (``"all"``). Each
    school's mean has variance ``f_j s_p^2 / n_j`` (``f_j`` the
    finite-population factor), with ``s_p^2`` the pooled within-school variance
    of the reportable schools on ``N - G`` df (the one-way ANOVA contrast, as
    in the analysis of means). A Welch version with each school's own variance
    was used before: with schools of 8 its far tail (where BH's first
    threshold, ``alpha / m``, sits) rejected 2.3 times too often, so null
    networks got a label in 5.8% of runs against the stated 5%
    (benchmarks/results_null_labels.md).

    All schools are done at once, in arrays over the schools, and each number
    is the one a school-by-school loop gives, bit for bit: every sum adds its
    terms one by one in the same order (the reference mean in ``rep`` order,
    the variance in sorted school order), and the squared weights are Python
    floats' powers, not numpy's.
    """
    n = [base[j]["n"] for j in rep]
    means = np.array([base[j]["mean"] for j in rep], dtype="float64")
    terms = [base[j]["n"] * base[j]["mean"] for j in rep]
    dof = sum(nj - 1 for nj in n)
    sp2 = sum((base[j]["n"] - 1) * base[j]["sd"] ** 2 for j in rep) / dof if dof > 0 else np.nan
    total = sum(n)
    coef2: _LeaveOneOutWeights | _PooledWeights
    if comparison == "others":
        n_pool = [total - nj for nj in n]
        coef2 = _LeaveOneOutWeights(n, n_pool)
        ref = _sums_leaving_each_out(np.array(terms, dtype="float64")) / np.array(n_pool)
    else:
        n_pool = [total] * len(n)
        coef2 = _PooledWeights(n, total)
        ref = np.full(len(n), sum(terms) / total)
    diff = means - ref
    var = np.zeros(len(n))
    for j in sorted(range(len(rep)), key=rep.__getitem__):
        var += coef2.row(j) * base[rep[j]]["f"] * sp2 / n[j]
    df = float(dof) if dof > 0 else np.inf
    return {s: (ref[k], diff[k], float(var[k]), df) for k, s in enumerate(rep)}


def _sums_leaving_each_out(terms: np.ndarray) -> np.ndarray:
    """``out[k]`` = the sum of every term but ``terms[k]``, added left to right (as Python's ``sum``).

    One pass over the terms adds each to every total at once; ``out[k]`` is put back after
    ``terms[k]`` is added, so each total sees its terms in the same sequence as its own loop would
    (no subtraction, so no rounding differs).
    """
    out = np.zeros(len(terms))
    for k, t in enumerate(terms):
        kept = out[k]
        out += t
        out[k] = kept
    return out


class _LeaveOneOutWeights:
    """The squared weights of a leave-one-out contrast: in school ``k``'s contrast, another school
    ``j`` weighs ``n_j / N_-k`` and ``k`` itself 1.

    Squares are computed once per distinct (``n_j``, ``N_-k``) pair, as Python floats
    (``(a / b) ** 2``, as the school-by-school formula had them).
    """

    def __init__(self, n: list[int], n_pool: list[int]):
        self._n = n
        pools, self._pool_of = np.unique(np.array(n_pool), return_inverse=True)
        self._pools = [int(v) for v in pools]  # Python ints: int / int, float ** 2
        self._rows: dict[int, np.ndarray] = {}

    def row(self, j: int) -> np.ndarray:
        """School ``j``'s squared weight in every school's contrast (1 in its own)."""
        nj = self._n[j]
        if nj not in self._rows:
            self._rows[nj] = np.array([(nj / v) ** 2 for v in self._pools], dtype="float64")
        out = self._rows[nj][self._pool_of]
        out[j] = 1.0  # the school itself: weight 1 - 0, squared
        return out


class _PooledWeights:
    """The squared weights of a contrast with the whole network: in school ``k``'s contrast,
    another school ``j`` weighs ``n_j / N`` and ``k`` itself ``1 - n_k / N`` (Python floats' squares).
    """

    def __init__(self, n: list[int], total: int):
        self._m = len(n)
        self._other = [(nj / total) ** 2 for nj in n]
        self._own = [(1.0 - nj / total) ** 2 for nj in n]

    def row(self, j: int) -> np.ndarray:
        """School ``j``'s squared weight in every school's contrast."""
        out = np.full(self._m, self._other[j])
        out[j] = self._own[j]
        return out


def _classify(rows: list, alpha: float, adjust: str | None) -> None:
    """Set the statuses of every reportable row: a label needs its test's
    p-value -- BH-adjusted across all the network's school x domain tests when
    ``adjust="bh"`` -- at or below ``alpha`` (i.e. the interval excludes the
    threshold). ``status_unadjusted`` is the label each test gives on its own.
    """
    from ._multiplicity import bh_adjust

    pn = np.array([r["p_network"] if not r["suppressed"] else np.nan for r in rows], float)
    ps = np.array([r["p_standard"] if not r["suppressed"] else np.nan for r in rows], float)
    if adjust == "bh":
        q = bh_adjust(np.r_[pn, ps])
        qn, qs = q[: len(rows)], q[len(rows) :]
    else:
        qn, qs = pn, ps

    def lab(direction, p):
        if not np.isfinite(p) or p > alpha + 1e-12 or direction == 0:
            return "typical"
        return "asset" if direction > 0 else "growth area"

    def combine(sn, sa):
        pair = {sn, sa}
        if "asset" in pair and "growth area" not in pair:
            return "asset"
        if "growth area" in pair and "asset" not in pair:
            return "growth area"
        return "typical"

    for r, a_n, a_s, u_n, u_s in zip(rows, qn, qs, pn, ps):
        r["q_network"], r["q_standard"] = float(a_n), float(a_s)
        if r["suppressed"]:
            continue
        sn, sa = lab(r["_dir_net"], a_n), lab(r["_dir_std"], a_s)
        r.update(
            status_network=sn,
            status_absolute=sa,
            status=combine(sn, sa),
            status_unadjusted=combine(lab(r["_dir_net"], u_n), lab(r["_dir_std"], u_s)),
        )


def asset_profile(
    scores: pd.DataFrame,
    *,
    school: str | Sequence[str] | None = None,
    roster: pd.DataFrame | None = None,
    min_n: int = MIN_N,
    min_response_rate: float = MIN_RESPONSE_RATE,
    wave: str | None = BASELINE,
    roles: Sequence[str] | None = _DEFAULT_ROLES,
    asset_at: float = 4.0,
    growth_below: float = 3.0,
    min_diff: float = 0.0,
    level: float = 0.95,
    domains: Sequence[str] | None = None,
    exclude_flagged: bool = False,
    instrument=None,
    comparison: str = "others",
    adjust: str | None = "bh",
    fpc: bool = True,
    suppress_also: dict | None = None,
) -> pd.DataFrame:
    """Class each school's domains as *asset*, *typical* or *growth area*.

    Two comparisons are made and combined (the rule is written out in the
    ``rule`` column of every row); both need the interval, not just the mean:

    * against the other schools (``comparison="others"``, leave-one-out; or
      ``"all"``, the pooled network including the school): asset if the
      school's mean is above theirs and the ``level`` interval of the
      difference excludes 0 (and the difference is at least ``min_diff``),
      growth area if below and excludes 0, else typical;
    * against a fixed standard: asset if the ``level`` interval of the mean is
      at or above ``asset_at``, growth area if it is entirely below
      ``growth_below``;
    * with ``adjust="bh"`` (default) every p-value of the network's school x
      domain comparisons (both kinds) is adjusted by Benjamini-Hochberg
      together, and a label needs its adjusted p-value <= ``1 - level``;
      ``status_unadjusted`` gives the labels without the adjustment;
    * combined ``status``: asset if either says asset and neither says growth
      area; growth area if either says growth area and neither says asset;
      else typical.

    The reference means pool the respondents of every *reportable* school
    (suppressed schools are left out, so their mean cannot be recovered).
    ``Var(diff_s) = v_s + sum_{j != s} (n_j/N_-s)^2 v_j`` for the leave-one-out
    comparison, ``v_j = f_j s_p^2 / n_j`` with ``s_p^2`` the pooled within-school
    variance of the reportable schools and ``f_j`` the finite-population
    factor ``(N_j - n_j)/(N_j - 1)`` when the roster gives the invited count
    ``N_j`` and ``fpc`` is True (else 1); t quantile on ``N - G`` df (the
    one-way ANOVA contrast; a Welch version was liberal in the far tail for
    small schools, see docs/scoring.md).

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score_domains`.
    school : str or sequence, optional
        Return only these schools (the network is still all schools).
    roster : DataFrame, optional
        For response rates; schools under ``min_response_rate`` are suppressed.
    min_n, min_response_rate : int, float
        Suppression rules (see :mod:`assetinv.privacy`).
    wave : str or None
        Wave to profile (default baseline); None = all rows.
    roles : sequence of str or None
        Roles pooled into the school mean (default teachers and leaders).
    asset_at, growth_below : float
        The absolute thresholds.
    min_diff : float
        Smallest difference from the network that can count (default 0).
    level : float
        Confidence level.
    domains : sequence of str, optional
        Domain ids (default: all, instrument order).
    exclude_flagged : bool
        Drop straight-liners and speeders first.
    instrument : Instrument, optional
        Bundled instrument by default.
    comparison : {"others", "all"}
        Compare a school with the other schools (default) or with the whole
        network including itself (large schools then dominate).
    adjust : {"bh", None}
        Multiplicity control across the network's comparisons.
    fpc : bool
        Finite-population correction when the roster gives invited counts.
    suppress_also : dict, optional
        ``{(school, domain): reason}`` of further cells to suppress (and leave
        out of the network mean), e.g. the secondary suppression chosen by
        :func:`assetinv.disclosure.protect_publication`.

    Returns
    -------
    DataFrame
        One row per school and domain, sorted by school then instrument
        domain order: ``school, domain, domain_name, domain_short, n, mean,
        ci_low, ci_high, network_mean, others_mean, diff, diff_low, diff_high,
        p_network, p_standard, q_network, q_standard, rank, n_schools,
        status_network, status_absolute, status, status_unadjusted, rule,
        sentence, suppressed``. ``rank`` 1 = highest mean. Suppressed rows have no
        school numbers (``network_mean`` and ``n_schools`` are kept; they
        exclude the school) and empty statuses; the sentence says why.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assetinv.scoring import asset_profile
    >>> rng = np.random.default_rng(1)
    >>> s = pd.DataFrame({"respondent_id": range(60), "school": np.repeat(["A", "B", "C"], 20),
    ...                   "district": "D", "role": "teacher", "wave": "baseline",
    ...                   "OS": np.r_[rng.normal(4.4, .3, 20), rng.normal(3.5, .3, 20), rng.normal(2.6, .3, 20)]})
    >>> p = asset_profile(s, domains=["OS"])
    >>> p["status"].tolist()
    ['asset', 'typical', 'growth area']
    >>> p.loc[0, "sentence"]
    'Collaborative structures are a clear asset: 4.4 of 5, the highest of the 3 schools.'

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery
    rate. *JRSS B*, 57, 289-300. Cochran, W. G. (1977). *Sampling techniques*
    (3rd ed.), finite-population correction.
    Raudenbush, S. W., & Bryk, A. S. (2002). *Hierarchical linear models* (2nd
    ed.). Sage. Welch, B. L. (1947). The generalization of "Student's" problem
    when several different population variances are involved. *Biometrika*,
    34, 28-35.
    """
    _check_ids(scores, ["school"], "scores")
    spec = resolve(instrument)
    doms = _domains(spec, domains, scores)
    sub = _profile_subset(scores, wave, roles, exclude_flagged)
    inv = _invited(
        roster,
        ["school"],
        {"wave": [wave] if wave is not None else None, "role": list(roles) if roles is not None else None},
    )
    schools = sorted(
        set(sub["school"].astype(str)) | (set(inv["school"].astype(str)) if inv is not None else set()),
        key=natural_key,
    )
    n_resp = sub["school"].astype(str).value_counts()
    if comparison not in ("others", "all"):
        raise ValueError(f"comparison must be 'others' or 'all', not {comparison!r}")
    if adjust not in ("bh", None):
        raise ValueError(f"adjust must be 'bh' or None, not {adjust!r}")
    rule = _rule_text(
        asset_at,
        growth_below,
        level,
        min_diff,
        spec.scale_max,
        comparison=comparison,
        adjust=adjust,
        fpc=fpc and inv is not None,
    )
    std = _Standard(asset_at, growth_below, min_diff, level, comparison)
    rows_of = _rows_by_key(sub["school"].astype(str))
    invited_of = _invited_by_school(inv)
    rows = []
    for d in doms:
        values = sub[d].to_numpy(dtype="float64", na_value=np.nan)
        base = {
            s: _school_base(
                values[rows_of.get(s, _NO_ROWS)],
                d,
                s,
                invited_of.get(s, np.nan),
                n_resp,
                min_n,
                min_response_rate,
                suppress_also,
                fpc,
            )
            for s in schools
        }
        rep = [s for s in schools if not base[s]["reason"]]
        N = sum(base[s]["n"] for s in rep)
        net = sum(base[s]["n"] * base[s]["mean"] for s in rep) / N if N else np.nan
        network = _network_facts(base, rep, std)
        for s in schools:
            row = _profile_row(s, d, spec, net, len(rep), rule, base[s]["reason"])
            if not base[s]["reason"]:
                _profile_estimates(row, base[s], network, s, std)
            rows.append(row)
    _classify(rows, 1 - level, adjust)
    for row in rows:
        row["sentence"] = _sentence(row, row["domain_short"], asset_at, growth_below, spec.scale_max)
    out = _profile_frame(rows, doms, school)
    out.attrs = {
        "instrument_version": spec.version,
        "min_n": min_n,
        "wave": wave,
        "roles": roles,
        "asset_at": asset_at,
        "growth_below": growth_below,
        "level": level,
        "rule": rule,
        "comparison": comparison,
        "adjust": adjust,
        "fpc": bool(fpc and inv is not None),
    }
    return out


# fmt: off
#: The columns of an asset profile, in order.
_PROFILE_COLUMNS = (
    "school", "domain", "domain_name", "domain_short", "n", "mean", "ci_low", "ci_high", "network_mean",
    "others_mean", "diff", "diff_low", "diff_high", "p_network", "p_standard", "q_network", "q_standard", "rank",
    "n_schools", "status_network", "status_absolute", "status", "status_unadjusted", "rule", "sentence",
    "suppressed",
)
# fmt: on


@dataclass(frozen=True)
class _Standard:
    """The classification settings of an asset profile that one school's estimates need."""

    asset_at: float
    growth_below: float
    min_diff: float
    level: float
    comparison: str


def _profile_subset(scores: pd.DataFrame, wave, roles, exclude_flagged: bool) -> pd.DataFrame:
    """The rows of one wave and the chosen roles (without flagged respondents if asked)."""
    sub = scores
    if wave is not None and "wave" in sub:
        sub = sub[sub["wave"].astype(str) == str(wave)]
    if roles is not None and "role" in sub:
        sub = sub[sub["role"].astype(str).isin([str(r) for r in roles])]
    return _without_flagged(sub, exclude_flagged).reset_index(drop=True)


def _invited_by_school(inv: pd.DataFrame | None) -> dict[str, float]:
    """``{school: staff invited}`` from :func:`_invited` by school (a school's first row; {} without roster)."""
    first: dict[str, float] = {}
    if inv is not None:
        for s, invited in zip(inv["school"].astype(str), inv["invited"]):
            first.setdefault(s, float(invited))
    return first


def _school_base(
    v: np.ndarray,
    d: str,
    s: str,
    invited: float,
    n_resp: pd.Series,
    min_n: int,
    min_response_rate: float,
    suppress_also: dict | None,
    fpc: bool,
) -> dict:
    """One school's n, mean, sd, finite-population factor and why it is not reported ("" if it is).

    ``v`` holds the school's scores on domain ``d`` (NaN unscored) in row order, ``invited`` its
    roster count (NaN when unknown).
    """
    v = v[~np.isnan(v)]
    n = v.size
    rate = n_resp.get(s, 0) / invited if invited and invited > 0 else np.nan
    reason = ""
    if n < min_n:
        reason = f"fewer than {min_n} respondents"
    elif pd.notna(rate) and rate < min_response_rate:
        reason = f"response rate under {min_response_rate:.0%}"
    elif suppress_also and (s, d) in suppress_also:
        reason = str(suppress_also[(s, d)])
    return {
        "n": n,
        "mean": v.mean() if n else np.nan,
        "sd": v.std(ddof=1) if n > 1 else 0.0,
        "reason": reason,
        "f": _fpc_factor(n, invited) if fpc else 1.0,
    }


def _profile_row(
    s: str, d: str, spec: Instrument, net: float, n_schools: int, rule: str, reason: str
) -> dict:
    """An asset-profile row with no estimate yet."""
    return {
        "school": s,
        "domain": d,
        "domain_name": spec.domain_names.get(d, d),
        "domain_short": spec.domain_short(d),
        "n": np.nan,
        "mean": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "network_mean": net,
        "others_mean": np.nan,
        "diff": np.nan,
        "diff_low": np.nan,
        "diff_high": np.nan,
        "p_network": np.nan,
        "p_standard": np.nan,
        "rank": pd.NA,
        "n_schools": n_schools,
        "status_network": "",
        "status_absolute": "",
        "status": "",
        "status_unadjusted": "",
        "rule": rule,
        "suppressed": reason,
        "n_lower": np.nan,
        "n_higher": np.nan,
        "_dir_net": 0,
        "_dir_std": 0,
    }


@dataclass(frozen=True)
class _NetworkFacts:
    """What each reported school's estimates need from its domain's reportable schools, computed once."""

    means9: np.ndarray  # their means rounded to 9 decimals, so ties do not depend on row order
    contrasts: dict  # school -> (reference mean, difference, variance, df); empty under two schools
    t_diff: float  # the t quantile of the difference's interval (df are the same for every school)


def _network_facts(base: dict, rep: list[str], std: _Standard) -> _NetworkFacts:
    """The ranks' means, every school's contrast and the contrasts' t quantile, for one domain."""
    means9 = np.round(np.array([base[j]["mean"] for j in rep]), 9)
    if len(rep) < 2:
        return _NetworkFacts(means9, {}, np.nan)
    contrasts = _network_contrasts(base, rep, std.comparison)
    df_w = next(iter(contrasts.values()))[3]
    return _NetworkFacts(means9, contrasts, stats.t.ppf(0.5 + std.level / 2, df_w))


def _profile_estimates(row: dict, b: dict, network: _NetworkFacts, s: str, std: _Standard) -> None:
    """A reported school's mean, interval, rank, contrast with the network and test against the standard.

    ``b`` is the school's :func:`_school_base`, ``network`` its domain's :func:`_network_facts`.
    """
    n, mean, sd = b["n"], b["mean"], b["sd"]
    se = sd * math.sqrt(b["f"] / n)
    half = float(_tcrit_whole(std.level, n - 1) * se) if n > 1 else np.nan
    row.update(n=float(n), mean=mean, ci_low=mean - half, ci_high=mean + half)
    means = network.means9
    m9 = round(float(mean), 9)
    row["rank"] = int(1 + np.sum(means > m9))
    row["n_lower"] = int(np.sum(means < m9))
    row["n_higher"] = int(np.sum(means > m9))
    if s in network.contrasts:
        ref_mean, diff, var, df_w = network.contrasts[s]
        half_d = float(network.t_diff * math.sqrt(var)) if var > 0 else 0.0
        row.update(
            others_mean=ref_mean if std.comparison == "others" else np.nan,
            diff=diff,
            diff_low=diff - half_d,
            diff_high=diff + half_d,
            p_network=_p_two_sided(diff, math.sqrt(var), df_w),
        )
        if abs(diff) >= std.min_diff:
            row["_dir_net"] = 1 if diff > 0 else -1 if diff < 0 else 0
    # the fixed standard, judged on the interval as well
    if m9 >= std.asset_at:
        row["_dir_std"], thr = 1, std.asset_at
    elif m9 < std.growth_below:
        row["_dir_std"], thr = -1, std.growth_below
    else:
        thr = None
    row["p_standard"] = (
        _p_two_sided(mean - thr, se, n - 1)
        if thr is not None and n > 1
        else (0.0 if thr is not None and se == 0 else 1.0)
    )


def _profile_frame(rows: list[dict], doms: list[str], school) -> pd.DataFrame:
    """The asset-profile table: its columns, sorted by school and domain order, for the chosen schools."""
    cols = list(_PROFILE_COLUMNS)
    out = pd.DataFrame(rows, columns=cols + ["n_lower", "n_higher"])[cols]
    order = {d: i for i, d in enumerate(doms)}
    out = (
        out.assign(_o=out["domain"].map(order))
        .sort_values(["school", "_o"], kind="mergesort", key=id_sort_key)
        .drop(columns="_o")
    )
    if school is not None:
        wanted = [school] if isinstance(school, str) else list(school)
        out = out[out["school"].isin([str(w) for w in wanted])]
    out = out.reset_index(drop=True)
    out["rank"] = out["rank"].astype("Int64")
    out["n_schools"] = out["n_schools"].astype("int64")
    return out


# --------------------------------------------------------------------------- #
# 4. Perception gaps
# --------------------------------------------------------------------------- #
#: the statistics of a perception-gap row (:func:`perception_gaps`), the columns a suppression blanks
GAP_STATS = (
    "n_teachers",
    "n_leaders",
    "teacher_mean",
    "leader_mean",
    "gap",
    "ci_low",
    "ci_high",
    "flagged_large",
)


def perception_gaps(
    scores: pd.DataFrame,
    *,
    level: str = "school",
    min_n: int = MIN_N,
    large: float = 0.5,
    wave: str | None = BASELINE,
    domains: Sequence[str] | None = None,
    ci_level: float = 0.95,
    instrument=None,
) -> pd.DataFrame:
    """Leader minus teacher difference per domain, at school, district or network level.

    A group is shown only when BOTH its teachers and its leaders number at
    least ``min_n``; otherwise every number of the row (both means, both
    counts, the gap) is blank, because a school's two or three leaders are
    identifiable. Use :func:`perception_gaps_with_fallback` to fall back to the
    district or network for one school.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score_domains`.
    level : {"school", "district", "network"}
        Grouping level.
    min_n : int
        Minimum teachers and minimum leaders.
    large : float
        ``flagged_large`` is True when ``|gap| >= large`` points.
    wave : str or None
        Wave used (default baseline; None = all rows).
    domains : sequence of str, optional
        Domain ids.
    ci_level : float
        Confidence level of the Welch interval.
    instrument : Instrument, optional
        Bundled instrument by default.

    Returns
    -------
    DataFrame
        ``level, group, domain, domain_name, n_teachers, n_leaders,
        teacher_mean, leader_mean, gap, ci_low, ci_high, flagged_large,
        suppressed``. ``gap`` = leader mean - teacher mean; the interval is
        Welch's (unequal variances; respondents treated as independent, so at
        district and network level it is somewhat too narrow when schools
        differ). ``flagged_large`` is boolean, <NA> when suppressed.

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv.scoring import perception_gaps
    >>> s = pd.DataFrame({"respondent_id": range(12), "school": "A", "district": "D",
    ...                   "role": ["leader"] * 5 + ["teacher"] * 7, "wave": "baseline",
    ...                   "OS": [4.5, 4, 4.5, 5, 4, 3, 3.5, 3, 3, 4, 3.5, 3]})
    >>> g = perception_gaps(s, domains=["OS"])
    >>> round(float(g.loc[0, "gap"]), 2), bool(g.loc[0, "flagged_large"])
    (1.11, True)

    References
    ----------
    Welch, B. L. (1947). *Biometrika*, 34, 28-35. Cohen, J. (1988).
    *Statistical power analysis for the behavioral sciences* (2nd ed.).
    """
    if level not in ("school", "district", "network"):
        raise ValueError("level must be 'school', 'district' or 'network'")
    _check_ids(scores, ["role"] + ([level] if level != "network" else []), "scores")
    spec = resolve(instrument)
    doms = _domains(spec, domains, scores)
    sub = scores
    if wave is not None and "wave" in sub:
        sub = sub[sub["wave"].astype(str) == str(wave)]
    sub = sub.reset_index(drop=True)
    grp = sub[level].astype(str) if level != "network" else pd.Series("network", index=sub.index)
    role = sub["role"].astype(str)
    values = {d: sub[d].to_numpy(dtype="float64", na_value=np.nan) for d in doms}
    rows_of = _rows_by_key(grp)
    is_teacher, is_leader = (role == "teacher").to_numpy(), (role == "leader").to_numpy()
    rows = []
    for g in sorted(grp.unique()):
        at = rows_of[g]
        teachers, leaders = at[is_teacher[at]], at[is_leader[at]]
        for d in doms:
            t, l_ = values[d][teachers], values[d][leaders]
            t, l_ = t[~np.isnan(t)], l_[~np.isnan(l_)]
            reasons = []
            if t.size < min_n:
                reasons.append(f"fewer than {min_n} teachers")
            if l_.size < min_n:
                reasons.append(f"fewer than {min_n} leaders")
            row = {
                "level": level,
                "group": g,
                "domain": d,
                "domain_name": spec.domain_names.get(d, d),
                "n_teachers": np.nan,
                "n_leaders": np.nan,
                "teacher_mean": np.nan,
                "leader_mean": np.nan,
                "gap": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "flagged_large": pd.NA,
                "suppressed": " and ".join(reasons),
            }
            if not reasons:
                vt, vl = t.var(ddof=1) / t.size, l_.var(ddof=1) / l_.size
                se = math.sqrt(vt + vl)
                den = vt**2 / (t.size - 1) + vl**2 / (l_.size - 1)
                dfw = (vt + vl) ** 2 / den if den > 0 else np.inf
                gap = float(l_.mean() - t.mean())
                half = float(stats.t.ppf(0.5 + ci_level / 2, dfw) * se) if se > 0 else 0.0
                row.update(
                    n_teachers=float(t.size),
                    n_leaders=float(l_.size),
                    teacher_mean=float(t.mean()),
                    leader_mean=float(l_.mean()),
                    gap=gap,
                    ci_low=gap - half,
                    ci_high=gap + half,
                    flagged_large=bool(abs(gap) >= large),
                )
            rows.append(row)
    out = pd.DataFrame(rows, columns=["level", "group", "domain", "domain_name", *GAP_STATS, "suppressed"])
    if level != "network" and len(out):
        _protect_gaps(out, sub, level, role, doms, min_n)
    out["flagged_large"] = out["flagged_large"].astype("boolean")
    for c in GAP_STATS[:-1]:  # every statistic but the flag
        out[c] = out[c].astype("float64")
    out.attrs = {"instrument_version": spec.version, "min_n": min_n, "large": large, "wave": wave}
    return out


def _protect_gaps(
    out: pd.DataFrame, sub: pd.DataFrame, level: str, role: pd.Series, doms: Sequence[str], min_n: int
) -> None:
    """Complementary suppression for gap rows (in place).

    A shown parent (the district of a school; the network of a district)
    minus its shown children reveals the teachers' and leaders' means of the
    suppressed children. So within each parent and domain, while the
    suppressed children with teachers (or with leaders) are a single group, or
    together hold fewer than ``min_n`` teachers (or leaders), the shown child
    with the fewest leaders is suppressed too.
    """
    if level == "school" and "district" in sub:
        parent_of = sub.groupby(sub["school"].astype(str))["district"].first().astype(str).to_dict()
    else:
        parent_of = {}
    grp = sub[level].astype(str)
    reason = "complementary suppression (protects a smaller suppressed group)"
    stat = ["n_teachers", "n_leaders", "teacher_mean", "leader_mean", "gap", "ci_low", "ci_high"]
    rows_of = _rows_by_key(grp)
    is_teacher, is_leader = (role == "teacher").to_numpy(), (role == "leader").to_numpy()
    for d in doms:
        v = sub[d].to_numpy(dtype="float64", na_value=np.nan)
        ok = ~np.isnan(v)
        cnt = {}
        for g, at in rows_of.items():
            m = ok[at]
            cnt[g] = (int((m & is_teacher[at]).sum()), int((m & is_leader[at]).sum()))
        rows_d = out.index[out["domain"] == d]
        cells: dict[str, list] = {}
        for i in rows_d:
            cells.setdefault(parent_of.get(str(out.at[i, "group"]), ""), []).append(i)
        for idx in cells.values():
            nt = {i: cnt.get(str(out.at[i, "group"]), (0, 0))[0] for i in idx}
            nl = {i: cnt.get(str(out.at[i, "group"]), (0, 0))[1] for i in idx}
            if sum(nt.values()) < min_n or sum(nl.values()) < min_n:
                continue  # the parent itself is not shown
            while True:
                sup = [i for i in idx if out.at[i, "suppressed"] and nt[i] + nl[i] > 0]
                shown = [i for i in idx if not out.at[i, "suppressed"]]
                if not sup or not shown:
                    break
                need = False
                for cnt_r in (nt, nl):  # per role: a lone or small pooled group is recoverable
                    live = [cnt_r[i] for i in sup if cnt_r[i] > 0]
                    need = need or len(live) == 1 or 0 < sum(live) < min_n
                if not need:
                    break
                pick = min(shown, key=lambda i: (nl[i], nt[i], str(out.at[i, "group"])))
                out.at[pick, "suppressed"] = reason
                for c in stat:
                    out.at[pick, c] = np.nan
                out.at[pick, "flagged_large"] = pd.NA


def perception_gaps_with_fallback(
    scores: pd.DataFrame,
    school: str,
    *,
    min_n: int = MIN_N,
    large: float = 0.5,
    wave: str | None = BASELINE,
    domains: Sequence[str] | None = None,
    ci_level: float = 0.95,
    instrument=None,
) -> pd.DataFrame:
    """Leader-teacher gaps for one school at the finest level that may be shown.

    For each domain the school's own gap is used when both its teachers and
    its leaders number at least ``min_n``; otherwise its district's; otherwise
    the network's (or a suppressed network row if even that is too small).

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score_domains`.
    school : str
        School id.
    min_n, large, wave, domains, ci_level, instrument
        As in :func:`perception_gaps`.

    Returns
    -------
    DataFrame
        The columns of :func:`perception_gaps` plus ``school`` (first) and
        ``note`` (plain language: which level is shown and why).

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv.scoring import perception_gaps_with_fallback
    >>> s = pd.DataFrame({"respondent_id": range(24), "school": ["A"] * 12 + ["B"] * 12, "district": "D1",
    ...                   "role": (["leader"] * 3 + ["teacher"] * 9) * 2, "wave": "baseline",
    ...                   "OS": [4.0, 4.5, 5.0] + [3.0, 3.5] * 4 + [3.0] + [4.5, 4.0, 4.0] + [3.5] * 9})
    >>> g = perception_gaps_with_fallback(s, "A", domains=["OS"])
    >>> g.loc[0, "level"], g.loc[0, "group"]
    ('district', 'D1')

    References
    ----------
    Welch, B. L. (1947). *Biometrika*, 34, 28-35.
    """
    sub = scores[scores["school"].astype(str) == str(school)]
    if sub.empty:
        raise DataError(Problem("scores", f"school '{school}' has no respondents", "check the school id"))
    district = (
        str(sub["district"].iloc[0]) if "district" in sub and pd.notna(sub["district"].iloc[0]) else None
    )
    kw = dict(min_n=min_n, large=large, wave=wave, domains=domains, ci_level=ci_level, instrument=instrument)
    # computed beside the district's other schools, so complementary suppression applies
    pool = scores[scores["district"].astype(str) == district] if district is not None else sub
    school_t = perception_gaps(pool, level="school", **kw)
    dist_t = (
        perception_gaps(scores[scores["district"].astype(str) == district], level="district", **kw)
        if district is not None
        else None
    )
    net_t = perception_gaps(scores, level="network", **kw)
    return _gap_rows_with_fallback(school, district, school_t, dist_t, net_t, min_n)


def _gap_rows_with_fallback(
    school: str,
    district: str | None,
    school_t: pd.DataFrame,
    dist_t: pd.DataFrame | None,
    net_t: pd.DataFrame,
    min_n: int,
) -> pd.DataFrame:
    """One school's rows of :func:`perception_gaps_with_fallback`, from computed gap tables.

    ``school_t`` is :func:`perception_gaps` at school level over the school's district (or the school
    alone), ``dist_t`` the district level (None without a district), ``net_t`` the network level.
    :func:`assetinv.report.pipeline.gaps_by_school` computes each district's tables once and keeps one
    :class:`_DistrictGaps` for all the district's schools.
    """
    return _DistrictGaps(district, school_t, dist_t, net_t, min_n).rows_for(school)


class _DistrictGaps:
    """A district's gap tables, ready to give each of its schools its rows of
    :func:`perception_gaps_with_fallback`.

    The school-level table is split by school once, and the district's and the network's row of
    a domain (where a school with a suppressed gap falls back) is looked up once, so every school
    costs only its own rows.
    """

    def __init__(
        self,
        district: str | None,
        school_t: pd.DataFrame,
        dist_t: pd.DataFrame | None,
        net_t: pd.DataFrame,
        min_n: int,
    ):
        self.district, self.min_n = district, min_n
        self._columns = list(school_t.columns)
        self._attrs = school_t.attrs
        self._records: dict[str, list[dict]] = {}
        for g, r in zip(school_t["group"].astype(str), school_t.to_dict("records")):
            self._records.setdefault(g, []).append(r)
        self._tables = {"district": dist_t, "network": net_t}
        self._first: dict[tuple[str, str], dict] = {}

    def _domain_row(self, which: str, d: str) -> dict:
        """The first row of domain ``d`` in the district's or the network's table, as a dict."""
        if (which, d) not in self._first:
            table = self._tables[which]
            self._first[(which, d)] = table[table["domain"] == d].iloc[0].to_dict()
        return self._first[(which, d)]

    def _fallback(self, r: dict) -> dict:
        """The row shown instead of a suppressed school row ``r``: its district's, else the network's."""
        why = (
            f"This school's gap is not shown ({r['suppressed']}), so that no individual's answers can be seen"
        )
        d = r["domain"]
        if self._tables["district"] is not None:
            dr = self._domain_row("district", d)
            if not dr["suppressed"]:
                return {**dr, "note": f"{why}; the gap for district {self.district} is shown instead."}
        nr = self._domain_row("network", d)
        note = (
            f"{why}; the gap for the whole network is shown instead."
            if not nr["suppressed"]
            else f"{why}; even the network has {nr['suppressed']}."
        )
        return {**nr, "note": note}

    def rows_for(self, school: str) -> pd.DataFrame:
        """The school's rows: its own gap where shown, else its district's or the network's, with a note."""
        min_n = self.min_n
        rows = []
        for r in self._records.get(str(school), []):
            if not r["suppressed"]:
                note = f"Gap for this school (at least {min_n} teachers and {min_n} leaders responded)."
                rows.append({**r, "note": note})
            else:
                rows.append(self._fallback(r))
        out = pd.DataFrame(rows, columns=self._columns + ["note"])
        out.insert(0, "school", str(school))
        out["flagged_large"] = out["flagged_large"].astype("boolean")
        out.attrs = dict(self._attrs)
        return out


# --------------------------------------------------------------------------- #
# 5. Change over time
# --------------------------------------------------------------------------- #
def _effect_label(d: float) -> str:
    a = abs(d)
    if not np.isfinite(a):
        return "an effect of unknown size"
    if a < 0.2:
        return "a very small effect"
    if a < 0.5:
        return "a small effect"
    if a < 0.8:
        return "a medium effect"
    return "a large effect"


def _reading(short: str, est: float, lo: float, hi: float, d: float, level: float, scope: str) -> str:
    ci = f"{level:.0%} CI {_fmt(lo, 2)} to {_fmt(hi, 2)}"
    where = "" if scope == "network" else f" at {scope}"
    if lo > 0:
        return f"{short} grew{where} by {_fmt(est, 2)} points ({ci}), {_effect_label(d)}."
    if hi < 0:
        return f"{short} fell{where} by {_fmt(-est, 2)} points ({ci}), {_effect_label(d)}."
    return (
        f"{short} changed{where} by {'+' if est >= 0 else ''}{_fmt(est, 2)} points ({ci}); "
        f"the data cannot tell this apart from no change."
    )


def _fit_mixed(data: pd.DataFrame, groups: str, re_formula: str | None, vc: dict | None):
    """Fit ``score ~ followup`` by REML, trying optimisers in turn.

    A fit is accepted when statsmodels reports convergence, the standard error
    of the wave effect is finite and the Hessian is positive definite (an
    optimiser can stop at a spurious point with a singular covariance; that
    fit is rejected). A variance estimated at zero (the boundary) is
    acceptable and only noted. If no optimiser gives a clean fit, the
    converged fit with the highest likelihood is returned, flagged.

    Returns (result or None, ok, notes).
    """
    import statsmodels.formula.api as smf

    notes: list[str] = []
    model = smf.mixedlm("score ~ followup", data, groups=data[groups], re_formula=re_formula, vc_formula=vc)
    fallback = None
    for method in ("bfgs", "lbfgs", "powell", "nm"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = model.fit(reml=True, method=method)
            except Exception as exc:  # e.g. LinAlgError on a singular Hessian
                notes.append(f"{method}: {type(exc).__name__}")
                continue
        msgs = {str(w.message).split("\n")[0] for w in caught}
        se = float(res.bse.get("followup", np.nan)) if hasattr(res.bse, "get") else np.nan
        conv = (
            bool(getattr(res, "converged", True))
            and np.isfinite(se)
            and np.isfinite(res.fe_params["followup"])
        )
        bad_hessian = any("Hessian" in m or "singular" in m.lower() for m in msgs)
        if conv and not bad_hessian:
            boundary = any("boundary" in m for m in msgs)
            return res, True, notes + (["a variance is estimated at zero (boundary)"] if boundary else [])
        if conv and (fallback is None or res.llf > fallback.llf):
            fallback = res
        notes.append(f"{method}: {'did not converge' if not conv else 'Hessian not positive definite'}")
    if fallback is not None:
        return fallback, True, notes + ["no clean fit; best converged fit used, interpret with care"]
    return None, False, notes


def _baseline_var_mixed(res, slope: bool) -> float:
    cov = np.asarray(res.cov_re)
    v = float(cov[0, 0]) if cov.size else 0.0
    if getattr(res, "vcomp", None) is not None and len(res.vcomp):
        v += float(np.sum(res.vcomp))
    return v + float(res.scale)


def _growth_heterogeneity(data: pd.DataFrame) -> float:
    """p-value of Cochran's Q for "all schools grew by the same amount".

    Each school's growth is its follow-up minus baseline mean, with variance
    from the pooled within-school, within-wave variance (respondents treated
    as independent). Used by ``random_slope="auto"`` to skip the (slow, and
    then usually boundary) random-slope fit when schools' growth does not vary
    detectably.
    """
    g = data.groupby(["school", "followup"], sort=True)["score"].agg(["mean", "var", "count"]).reset_index()
    g = g[g["count"] >= 2]
    wide = g.pivot(index="school", columns="followup", values=["mean", "var", "count"]).dropna()
    if len(wide) < 3:
        return np.nan
    n0, n1 = wide[("count", 0.0)], wide[("count", 1.0)]
    pooled = float(((g["count"] - 1) * g["var"]).sum() / (g["count"] - 1).sum())
    est = (wide[("mean", 1.0)] - wide[("mean", 0.0)]).to_numpy()
    var = (pooled / n0 + pooled / n1).to_numpy()
    w = 1 / var
    mean = np.sum(w * est) / np.sum(w)
    q = float(np.sum(w * (est - mean) ** 2))
    return float(stats.chi2.sf(q, len(est) - 1))


def _change_network(data: pd.DataFrame, level: float, random_slope: bool | str) -> dict:
    from ._growth import Structure

    linked = data.groupby(["school", "respondent_id"], sort=False)["followup"].nunique()
    n_linked = int((linked > 1).sum())
    vc = {"respondent": "0 + C(respondent_id)"} if n_linked > 0 else None
    notes: list[str] = []
    try_slope = bool(random_slope)
    q_p = _growth_heterogeneity(data)
    if random_slope == "auto":
        try_slope = np.isfinite(q_p) and q_p < 0.10
    if not try_slope:
        if not np.isfinite(q_p):
            notes.append("too few schools to test variation in growth, so no wave slope")
        elif q_p >= 0.10:
            notes.append(
                "no detectable between-school variation in growth "
                f"(heterogeneity test p = {q_p:.2f}), so no wave slope"
            )
        else:
            # the default estimand is these schools' average change: their own growth differences are not
            # sampling error, so no wave slope (random_slope=True/"auto" generalises to schools like these)
            notes.append(
                f"growth varies between schools (heterogeneity test p = {q_p:.2f}); the interval is for "
                "the average change of these schools (no wave slope)"
            )
    # re_formula is always explicit: statsmodels adds its default group
    # intercept only when there is no vc_formula, so with the respondent
    # component and re_formula=None the school intercept would silently vanish.
    attempts = ([("~followup", "school random intercept and wave slope")] if try_slope else []) + [
        ("1", "school random intercept")
    ]
    res = None
    for re_f, label in attempts:
        if re_f == "1":
            st = Structure(
                block="school", school_intercept=True, school_slope=False, respondent=vc is not None
            )
            inf = _fast_inference(data, st)
            if inf is not None:
                return _mixed_inference(
                    data, None, st, level, n_linked, _network_label(False, vc, label), notes, inf=inf
                )
        r, ok, msgs = _fit_mixed(data, "school", re_f, vc)
        if re_f != "1":
            boundary = False
            if r is not None:
                cov = np.asarray(r.cov_re)
                boundary = cov.shape[0] > 1 and (
                    cov[1, 1] < 1e-4 * max(float(r.scale), 1e-12) or cov[0, 0] <= 0
                )
            if r is None or not ok or boundary:
                notes.append(
                    f"wave slope dropped ({'no convergence' if not ok else 'slope variance near zero'})"
                )
                continue
        if not ok:
            notes.append(f"{label}: no convergence ({'; '.join(msgs)})")
            continue
        res, model_label, slope = r, label, re_f != "1"
        notes.extend(msgs)
        break
    if res is None:
        return _change_ols_clustered(data, level, n_linked, notes)
    st = Structure(block="school", school_intercept=True, school_slope=slope, respondent=vc is not None)
    return _mixed_inference(data, res, st, level, n_linked, _network_label(slope, vc, model_label), notes)


def _network_label(slope: bool, vc: dict | None, model_label: str) -> str:
    formula = (
        "score ~ followup + (1 + followup | school)" if slope else "score ~ followup + (1 | school)"
    ) + (" + (1 | school:respondent)" if vc else "")
    return (
        "MixedLM (REML): "
        + model_label
        + (", respondent random intercept nested in school (linked panel)" if vc else "")
        + f" [{formula}]"
    )


# Intercept-only growth models are fitted by assetinv._growth.reml_psi (REML from sufficient
# statistics) instead of statsmodels MixedLM; the published numbers come from the same polished
# REML optimum either way (tests/test_growth_fast.py). False restores the statsmodels route.
_FAST_REML = True
# statsmodels notes "a variance is estimated at zero (boundary)" when a variance is < 0.01; near
# that line the statsmodels route is kept so the note stays exactly what it was
_FAST_MIN_VAR = 0.0105


def _fast_inference(data: pd.DataFrame, st):
    """Satterthwaite inference at the REML optimum found without statsmodels, or
    None when the statsmodels route must be used (slope model, a variance near
    the boundary, or anything not finite).
    """
    from ._growth import reml_psi, satterthwaite

    if not _FAST_REML or st.school_slope:
        return None
    try:
        inf = satterthwaite(data, st, reml_psi(data, st))
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        return None
    comps = [v for k, v in inf.psi.items() if k != "residual_var"]
    if (
        not (np.isfinite(inf.se) and inf.df > 0 and np.all(np.isfinite(inf.beta)))
        or min(comps) < _FAST_MIN_VAR
    ):
        return None
    return inf


def _mixed_inference(
    data: pd.DataFrame, res, st, level: float, n_linked: int, label: str, notes: list, inf=None
) -> dict:
    """Estimate, Satterthwaite-t interval and effect size of ``followup`` from a
    fitted ``MixedLM`` or a ready :class:`assetinv._growth.Inference` (see
    :mod:`assetinv._growth`; equal to lmerTest).
    """
    from ._growth import psi_from_statsmodels, satterthwaite

    if inf is None:
        try:
            inf = satterthwaite(data, st, psi_from_statsmodels(res, st))
        except (np.linalg.LinAlgError, ValueError) as exc:
            inf = None
            notes = notes + [f"Satterthwaite df not computable ({type(exc).__name__})"]
    sat_ok = inf is not None and np.isfinite(inf.se) and inf.df > 0
    if sat_ok:
        est, se, df = float(inf.beta[1]), inf.se, float(inf.df)
        base_var = sum(v for k, v in inf.psi.items() if k in ("school_var", "respondent_var", "residual_var"))
    else:
        # conservative fallback: statsmodels' SE with a t on (schools - 1) df
        est, se = float(res.fe_params["followup"]), float(res.bse["followup"])
        df = float(max(data[st.block].nunique() - 1, 1))
        base_var = _baseline_var_mixed(res, st.school_slope)
    from ._waves import t_result

    return {
        **t_result(est, se, df, base_var, level),
        "n_linked": n_linked,
        "model": label
        + ("; t interval with Satterthwaite df" if sat_ok else "; t interval on (groups - 1) df"),
        "note": "; ".join(notes),
    }


def _change_ols_clustered(data: pd.DataFrame, level: float, n_linked: int, notes: list) -> dict:
    """Last resort: OLS with school-clustered SEs and a t on (schools - 1) df."""
    import statsmodels.formula.api as smf

    codes = data["school"].astype("category").cat.codes
    ols = smf.ols("score ~ followup", data).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    est = float(ols.params["followup"])
    ci = ols.conf_int(alpha=1 - level).loc["followup"]
    g = int(codes.nunique())
    return {
        "estimate": est,
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
        "se": float(ols.bse["followup"]),
        "df": float(g - 1),
        "p_value": float(ols.pvalues["followup"]),
        "effect_size": est / math.sqrt(ols.scale) if ols.scale > 0 else np.nan,
        "n_linked": n_linked,
        "model": "OLS with school-clustered standard errors, t on (schools - 1) df (mixed model did not converge)",
        "note": "; ".join(notes),
    }


def _change_school(data: pd.DataFrame, level: float) -> dict:
    import statsmodels.formula.api as smf

    from ._growth import Structure

    linked = data.groupby("respondent_id", sort=False)["followup"].nunique()
    n_linked = int((linked > 1).sum())
    notes = []
    if n_linked > 0:
        st = Structure(block="school", school_intercept=False, school_slope=False, respondent=True)
        inf = _fast_inference(data, st)
        if inf is not None:
            return _mixed_inference(
                data,
                None,
                st,
                level,
                n_linked,
                "MixedLM (REML): respondent random intercept (linked panel) "
                "[score ~ followup + (1 | respondent)]",
                [],
                inf=inf,
            )
        # one group (the school) with a respondent variance component: the same
        # model as groups=respondent_id, several times faster in statsmodels
        res, ok, msgs = _fit_mixed(data.assign(_one=0), "_one", "0", {"respondent": "0 + C(respondent_id)"})
        if ok:
            st = Structure(block="school", school_intercept=False, school_slope=False, respondent=True)
            return _mixed_inference(
                data,
                res,
                st,
                level,
                n_linked,
                "MixedLM (REML): respondent random intercept (linked panel) "
                "[score ~ followup + (1 | respondent)]",
                msgs,
            )
        notes.append("respondent mixed model did not converge; OLS used")
    res = smf.ols("score ~ followup", data).fit()
    est = float(res.params["followup"])
    ci = res.conf_int(alpha=1 - level).loc["followup"]
    d = est / math.sqrt(res.scale) if res.scale > 0 else np.nan
    return {
        "estimate": est,
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
        "se": float(res.bse["followup"]),
        "df": float(res.df_resid),
        "p_value": float(res.pvalues["followup"]),
        "effect_size": d,
        "n_linked": n_linked,
        "model": "OLS with a wave indicator (unlinked respondents); t interval",
        "note": "; ".join(notes),
    }


def _network_counts_disclose(data: pd.DataFrame, min_n: int) -> bool:
    """True when the network's per-wave counts, minus the shown schools' counts,
    would reveal a suppressed school: in some wave the suppressed schools with
    respondents are exactly one, or together fewer than ``min_n``.
    """
    counts = data.groupby(["school", "followup"], sort=True).size().unstack(fill_value=0)
    for w in (0.0, 1.0):
        if w not in counts:
            counts[w] = 0
    small = counts[(counts[0.0] < min_n) | (counts[1.0] < min_n)]
    for w in (0.0, 1.0):
        c = small[w][small[w] > 0]
        if len(c) == 1 or 0 < c.sum() < min_n:
            return True
    return False


def _low_response_schools(sub: pd.DataFrame, roster: pd.DataFrame | None, roles, min_rate: float) -> set[str]:
    """Schools whose response rate (included roles) is under ``min_rate`` in some wave."""
    if roster is None or roster.empty:
        return set()
    inv = roster.assign(school=roster["school"].astype(str), wave=roster["wave"].astype(str))
    if roles is not None:
        inv = inv[inv["role"].astype(str).isin([str(r) for r in roles])]
    invited = inv.groupby(["school", "wave"])["invited"].sum()
    responded = (
        sub.assign(wave=sub["wave"].astype(str)).groupby(["school", "wave"])["respondent_id"].nunique()
    )
    rate = (responded / invited.reindex(responded.index)).dropna()
    return {str(school) for (school, _), r in rate.items() if r < min_rate}


def change_over_time(
    scores: pd.DataFrame,
    *,
    domains: Sequence[str] | None = None,
    school: str | None = None,
    by_school: bool = False,
    level: float = 0.95,
    min_n: int = MIN_N,
    roster: pd.DataFrame | None = None,
    min_response_rate: float = MIN_RESPONSE_RATE,
    roles: Sequence[str] | None = _DEFAULT_ROLES,
    random_slope: bool | str = False,
    baseline: str = BASELINE,
    followup: str = FOLLOWUP,
    instrument=None,
    waves: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Change in each domain from baseline to follow-up, for the network and per school.

    Network model (Raudenbush & Bryk 2002), fitted by REML with statsmodels
    ``MixedLM`` (lme4 notation ``score ~ followup + (1 | school)`` or
    ``(1 + followup | school)``, ``[+ (1 | school:respondent)]``)::

        score_ij = b0 + b1 * followup_ij + u_0s + u_1s * followup_ij [+ r_i] + e_ij

    The interval is ``estimate +- t(df) * se`` with lmerTest's Satterthwaite
    df and lme4's ``vcov`` at the exact REML optimum (``se`` and ``df``
    columns; see :mod:`assetinv._growth`).

    with a random intercept ``u_0s`` per school and, only on request, a random
    wave slope ``u_1s``. The default (``random_slope=False``) estimates the
    average change of *these* schools, so their own growth differences are not
    sampling error and no slope is fitted (Cochran's Q test of "every school
    grew by the same amount" is still reported in ``note``); a slope model's
    interval is for schools like these and over-covers the change of these
    schools (docs/scoring.md). With ``random_slope="auto"`` the slope is tried
    when the Q test gives p < 0.10, ``True`` always tries it. A slope model that does not
    converge, or whose slope variance is estimated at zero, is replaced by the
    intercept-only model; the ``note`` column records every such decision and
    any convergence warning. If no mixed model converges, OLS with
    school-clustered standard errors is used (``model`` says so). When some
    respondent ids appear in both waves (a linked panel) a respondent variance
    component ``r_i`` nested in school is added; anonymous (unlinked) waves
    need none. ``estimate`` is ``b1``, the network's average change.

    For one school: a ``MixedLM`` with a respondent random intercept when some
    respondents are linked, else OLS of the score on the wave indicator.
    Schools with fewer than ``min_n`` scored respondents in either wave are
    suppressed. The network row's counts (``n_baseline``, ``n_followup``,
    ``n_linked``) are blanked when, together with the shown schools' counts,
    they would reveal a suppressed school's size (one suppressed school with
    respondents in a wave, or several with fewer than ``min_n`` together); its
    estimate, a model-based figure, stays.

    Effect sizes: ``effect_size`` is the model's standardised change,
    ``d = b1 / sqrt(total baseline variance)`` (school intercept variance +
    respondent variance + residual variance; for OLS the residual variance),
    read with Cohen's (1988) benchmarks 0.2 / 0.5 / 0.8. ``hedges_g`` is
    Hedges' g of the raw follow-up vs baseline scores (pingouin), which ignores
    the nesting.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score_domains` with both waves.
    domains : sequence of str, optional
        Domain ids (default all).
    school : str, optional
        Only this school (no network row).
    by_school : bool
        Add one row per school and domain after the network rows.
    level : float
        Confidence level.
    min_n : int
        Minimum scored respondents per wave.
    roster : DataFrame, optional
        Invited staff (``school, role, wave, invited``). A school whose
        response rate (respondents of the included roles / invited) is under
        ``min_response_rate`` in either wave gets no change estimate, as in
        :func:`summarize` and :func:`asset_profile`: a low-response wave may not
        speak for the school's staff.
    min_response_rate : float
        Minimum response rate per wave (default 50%).
    roles : sequence of str or None
        Roles included (default teachers and leaders).
    random_slope : bool or "auto"
        School random slope for wave in the network model: False (default; the
        change of these schools), "auto" (try it when growth varies detectably
        between schools), True (always try).
    baseline, followup : str
        The wave ids.
    instrument : Instrument, optional
        Bundled instrument by default.
    waves : sequence of str, optional
        Three or more wave ids in time order (the first is the reference). Then
        each domain and scope gets a ``trend`` row (linear change per wave step,
        ``score ~ t + (1 | school) [+ (1 | school:respondent)]``) and one row
        per later wave (``<wave> - <first>``, from ``score ~ wave + ...`` with
        the wave as a factor), each with its Satterthwaite df, in a
        ``contrast`` column after ``scope``; ``n_baseline`` / ``n_followup``
        count the first wave and the contrast's wave (the last for the trend);
        ``hedges_g`` compares the same two waves. A scope needs ``min_n``
        respondents in every wave. No wave slope is fitted (``random_slope`` is
        ignored). With two waves or ``None``, ``baseline`` and ``followup`` are
        used as above.

    Returns
    -------
    DataFrame
        ``domain, domain_name, scope ("network" or the school id), estimate,
        ci_low, ci_high, se, df, p_value, effect_size, hedges_g, n_baseline,
        n_followup, n_linked, model, reading, note, suppressed`` (with
        ``waves``: ``contrast`` after ``scope``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assetinv.scoring import change_over_time
    >>> rng = np.random.default_rng(0)
    >>> rows = [{"respondent_id": f"{s}-{w}-{i}", "school": s, "district": "D", "role": "teacher", "wave": w,
    ...          "OS": 3.2 + (0.4 if w == "followup" else 0) + rng.normal(0, .5)}
    ...         for s in "ABCDEF" for w in ("baseline", "followup") for i in range(12)]
    >>> c = change_over_time(pd.DataFrame(rows), domains=["OS"], random_slope=False)
    >>> bool(c.loc[0, "ci_low"] > 0)
    True

    References
    ----------
    Raudenbush, S. W., & Bryk, A. S. (2002). *Hierarchical linear models:
    Applications and data analysis methods* (2nd ed.). Sage.
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences*
    (2nd ed.). Erlbaum. Hedges, L. V. (1981). Distribution theory for Glass's
    estimator of effect size. *Journal of Educational Statistics*, 6, 107-128.
    """
    _check_ids(scores, ["respondent_id", "school", "wave"], "scores")
    spec = resolve(instrument)
    doms = _domains(spec, domains, scores)
    if waves is not None and len(waves) == 2:
        baseline, followup = str(waves[0]), str(waves[1])
    elif waves is not None:
        return _change_waves(
            scores,
            [str(w) for w in waves],
            spec,
            doms,
            school=school,
            by_school=by_school,
            level=level,
            min_n=min_n,
            roster=roster,
            min_response_rate=min_response_rate,
            roles=roles,
        )
    sub = _change_subset(scores, [baseline, followup], roles)
    sub = sub.assign(followup=(sub["wave"].astype(str) == followup).astype(float))
    low_rate = _low_response_schools(sub, roster, roles, min_response_rate)
    scopes = _change_scopes(sub, school, by_school)
    rows = []
    for d in doms:
        data = _change_data(sub, d, "followup")
        for scope in scopes:
            part = data if scope == "network" else data[data["school"] == scope].reset_index(drop=True)
            nb, nf = int((part["followup"] == 0).sum()), int((part["followup"] == 1).sum())
            row = _change_row(d, spec.domain_names.get(d, d), scope, float(nb), float(nf))
            too_few = nb < min_n or nf < min_n
            if too_few or scope in low_rate:
                rows.append(_withhold_two_waves(row, spec.domain_short(d), too_few, min_n, min_response_rate))
                continue
            _fit_two_waves(row, part, spec.domain_short(d), level, random_slope)
            if scope == "network" and _network_counts_disclose(data, min_n):
                if _widen_to_30_df(row, level, need_se=True):
                    row["reading"] = _row_reading(row, spec.domain_short(d), level)
                _hide_network_counts(row)
            rows.append(row)
    out = _change_frame(rows, list(_CHANGE_COLUMNS), 3)
    out.attrs = {"instrument_version": spec.version, "level": level, "min_n": min_n}
    return out


#: The notes of the network-count disclosure rule (two waves and several alike).
_NOTE_30_DF = "interval on 30 df (not the Satterthwaite df), so the network's size cannot be read from it"
_NOTE_NO_COUNTS = (
    "network counts not shown: with the school counts they would reveal the size of a school too small "
    "to report"
)


def _join_notes(*notes: str) -> str:
    """Notes joined with ``"; "``, the empty ones left out."""
    return "; ".join(x for x in notes if x)


def _change_subset(scores: pd.DataFrame, waves: list[str], roles) -> pd.DataFrame:
    """The rows of the compared waves and roles, with text school and respondent ids."""
    sub = scores[scores["wave"].astype(str).isin(waves)]
    if roles is not None and "role" in sub:
        sub = sub[sub["role"].astype(str).isin([str(r) for r in roles])]
    return sub.assign(school=sub["school"].astype(str), respondent_id=sub["respondent_id"].astype(str))


def _change_scopes(sub: pd.DataFrame, school, by_school: bool) -> list[str]:
    """``network`` and/or the school ids a change table has rows for."""
    schools = sorted(sub["school"].unique(), key=natural_key)
    return ([] if school is not None else ["network"]) + (
        [str(school)] if school is not None else (schools if by_school else [])
    )


def _change_data(sub: pd.DataFrame, d: str, wave_col: str) -> pd.DataFrame:
    """One domain's answered scores (``school, respondent_id, <wave_col>, score``) in id order."""
    data = sub[["school", "respondent_id", wave_col, d]].rename(columns={d: "score"}).dropna(subset=["score"])
    return data.sort_values(
        ["school", "respondent_id", wave_col], kind="mergesort", key=id_sort_key
    ).reset_index(drop=True)


def _change_row(d: str, name: str, scope: str, n_baseline: float, n_followup: float, **extra) -> dict:
    """An empty row of a change table (no estimate yet)."""
    return {
        "domain": d,
        "domain_name": name,
        "scope": scope,
        **extra,
        "estimate": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "se": np.nan,
        "df": np.nan,
        "p_value": np.nan,
        "effect_size": np.nan,
        "hedges_g": np.nan,
        "n_baseline": n_baseline,
        "n_followup": n_followup,
        "n_linked": np.nan,
        "model": "",
        "reading": "",
        "note": "",
        "suppressed": "",
    }


def _change_withheld(too_few: bool, low_rate: bool, min_n: int, min_response_rate: float) -> str:
    """Why a scope's change is not reported ("" when it is)."""
    if too_few:
        return f"fewer than {min_n} respondents in a wave"
    if low_rate:
        return f"response rate under {min_response_rate:.0%} in a wave"
    return ""


def _withhold_two_waves(row: dict, short: str, too_few: bool, min_n: int, min_response_rate: float) -> dict:
    """A two-wave row whose change is not reported (too few respondents, else a low response rate)."""
    detail = (
        f"fewer than {min_n} respondents in a wave"
        if too_few
        else f"fewer than {min_response_rate:.0%} of invited staff answered in a wave"
    )
    row.update(
        n_baseline=np.nan,
        n_followup=np.nan,
        suppressed=_change_withheld(too_few, True, min_n, min_response_rate),
        reading=f"{short}: change not reported, {detail}.",
    )
    return row


def _fit_two_waves(row: dict, part: pd.DataFrame, short: str, level: float, random_slope: bool | str) -> None:
    """Fit the two-wave change of one scope into ``row``: estimate, interval, effect sizes, reading."""
    import pingouin as pg

    scope = row["scope"]
    fit = (
        _change_network(part, level, random_slope)
        if scope == "network" and part["school"].nunique() > 1
        else _change_school(part, level)
    )
    row.update({k: v for k, v in fit.items() if k in row})
    if "estimate" in fit:
        g = pg.compute_effsize(
            part.loc[part["followup"] == 1, "score"].to_numpy(),
            part.loc[part["followup"] == 0, "score"].to_numpy(),
            paired=False,
            eftype="hedges",
        )
        row["hedges_g"] = float(g)
        row["reading"] = _row_reading(row, short, level)


def _row_reading(row: dict, short: str, level: float, contrast: str | None = None) -> str:
    """The sentence that reads a change row's estimate, interval and effect size (per contrast with waves)."""
    est, lo, hi, es = row["estimate"], row["ci_low"], row["ci_high"], row["effect_size"]
    if contrast is None:
        return _reading(short, est, lo, hi, es, level, row["scope"])
    return _reading_waves(short, contrast, est, lo, hi, es, level, row["scope"])


def _widen_to_30_df(row: dict, level: float, *, need_se: bool) -> bool:
    """Put a network row's interval and p-value on 30 df when its df is larger; True if it did.

    An intercept-only model's Satterthwaite df is close to N - p, so it could be read back from the interval
    and the p-value: those use min(df, 30) (slightly wider), and :func:`_hide_network_counts` drops the df.
    """
    if not (np.isfinite(row["df"]) and row["df"] > 30 and (np.isfinite(row["se"]) or not need_se)):
        return False
    tq = float(stats.t.ppf(0.5 + level / 2, 30))
    row.update(
        ci_low=row["estimate"] - tq * row["se"],
        ci_high=row["estimate"] + tq * row["se"],
        p_value=float(2 * stats.t.sf(abs(row["estimate"] / row["se"]), 30)),
    )
    row["note"] = _join_notes(row["note"], _NOTE_30_DF)
    return True


def _hide_network_counts(row: dict) -> None:
    """Blank a network row's counts and df (with the school counts they would reveal a small school)."""
    row.update(n_baseline=np.nan, n_followup=np.nan, n_linked=np.nan, df=np.nan)
    row["note"] = _join_notes(row["note"], _NOTE_NO_COUNTS)


def _change_frame(rows: list[dict], cols: list[str], first_number: int) -> pd.DataFrame:
    """The change table: ``cols`` in order, the 11 numeric columns from ``first_number`` as float64."""
    out = pd.DataFrame(rows, columns=cols)
    for c in cols[first_number : first_number + 11]:
        out[c] = out[c].astype("float64")
    return out


def _change_waves(
    scores: pd.DataFrame,
    waves: list[str],
    spec: Instrument,
    doms: list[str],
    *,
    school,
    by_school: bool,
    level: float,
    min_n: int,
    roster,
    min_response_rate: float,
    roles,
) -> pd.DataFrame:
    """change_over_time with three or more waves (see its ``waves`` parameter and :mod:`assetinv._waves`)."""
    from . import _waves

    _check_waves_present(scores, waves)
    sub = _change_subset(scores, waves, roles)
    ix = {w: k for k, w in enumerate(waves)}
    sub = sub.assign(_wave_ix=sub["wave"].astype(str).map(ix).astype(int))
    low_rate = _low_response_schools(sub, roster, roles, min_response_rate)
    scopes = _change_scopes(sub, school, by_school)
    rows = []
    for d in doms:
        data = _change_data(sub, d, "_wave_ix")
        disclose = _waves.counts_disclose(data, len(waves), min_n)
        for scope in scopes:
            part = data if scope == "network" else data[data["school"] == scope].reset_index(drop=True)
            n_w = part.groupby("_wave_ix").size().reindex(range(len(waves)), fill_value=0).to_numpy()
            why = _change_withheld(n_w.min() < min_n, scope in low_rate, min_n, min_response_rate)
            rows += _wave_scope_rows(part, waves, spec, d, scope, n_w, why, level, disclose)
    cols = [*_CHANGE_COLUMNS[:3], "contrast", *_CHANGE_COLUMNS[3:]]  # one row per wave contrast
    out = _change_frame(rows, cols, 4)
    out.attrs = {"instrument_version": spec.version, "level": level, "min_n": min_n, "waves": list(waves)}
    return out


def _check_waves_present(scores: pd.DataFrame, waves: list[str]) -> None:
    """Distinct wave ids, each with rows in ``scores`` (else ValueError / DataError)."""
    if len(set(waves)) != len(waves):
        raise ValueError(f"waves must be distinct, got {waves}")
    present = set(scores["wave"].astype(str))
    missing = [w for w in waves if w not in present]
    if missing:
        raise DataError(
            [
                Problem(
                    "scores",
                    f"wave(s) {missing} named in waves= have no rows",
                    f"use the wave ids present in the data: {sorted(present)}",
                    column="wave",
                )
            ]
        )


def _wave_scope_rows(
    part: pd.DataFrame,
    waves: list[str],
    spec: Instrument,
    d: str,
    scope: str,
    n_w: np.ndarray,
    why: str,
    level: float,
    disclose: bool,
) -> list[dict]:
    """The trend row and one row per later wave of one domain and scope (three or more waves)."""
    import pingouin as pg

    from . import _waves

    network = scope == "network" and part["school"].nunique() > 1
    fits: list[dict] = []
    if not why:
        fits = _waves.fit(part, waves, "trend", network) + _waves.fit(part, waves, "contrasts", network)
    rows = []
    for k, con in enumerate(["trend"] + [f"{w} - {waves[0]}" for w in waves[1:]]):
        wk = len(waves) - 1 if k == 0 else k
        row = _change_row(d, spec.domain_names.get(d, d), scope, float(n_w[0]), float(n_w[wk]), contrast=con)
        row["suppressed"] = why
        if why:
            row.update(
                n_baseline=np.nan,
                n_followup=np.nan,
                reading=f"{spec.domain_short(d)}: change not reported, {why}.",
            )
            rows.append(row)
            continue
        row.update(_waves.result(fits[k], level))
        y0 = part.loc[part["_wave_ix"] == 0, "score"].to_numpy()
        y1 = part.loc[part["_wave_ix"] == wk, "score"].to_numpy()
        row["hedges_g"] = float(pg.compute_effsize(y1, y0, paired=False, eftype="hedges"))
        if scope == "network" and disclose:
            _widen_to_30_df(row, level, need_se=False)  # the reading below uses the widened interval
        row["reading"] = _row_reading(row, spec.domain_short(d), level, contrast=con)
        if scope == "network" and disclose:
            _hide_network_counts(row)
        rows.append(row)
    return rows


def _reading_waves(
    short: str, contrast: str, est: float, lo: float, hi: float, d: float, level: float, scope: str
) -> str:
    ci = f"{level:.0%} CI {_fmt(lo, 2)} to {_fmt(hi, 2)}"
    where = "" if scope == "network" else f" at {scope}"
    what = (
        "per wave"
        if contrast == "trend"
        else f"from {contrast.split(' - ')[1]} to {contrast.split(' - ')[0]}"
    )
    if lo > 0:
        return f"{short} grew{where} by {_fmt(est, 2)} points {what} ({ci}), {_effect_label(d)}."
    if hi < 0:
        return f"{short} fell{where} by {_fmt(-est, 2)} points {what} ({ci}), {_effect_label(d)}."
    return (
        f"{short} changed{where} by {'+' if est >= 0 else ''}{_fmt(est, 2)} points {what} ({ci}); "
        f"the data cannot tell this apart from no change."
    )


# --------------------------------------------------------------------------- #
# 6. Tailored support
# --------------------------------------------------------------------------- #
def load_playbook(path: str | Path | None = None, instrument=None) -> dict:
    """Load and check the playbook that maps domain status to partnership supports.

    The playbook is a YAML file the CBO may edit. Two layouts are read.
    **2.0.0** (``assetinv/data/playbook-2.0.0.yaml``, the default for
    instrument 2.x): a flat ``supports:`` list, each support with ``id,
    domain, statuses, title, description, who_acts`` (cbo, school or
    district), ``cbo_role`` (when someone else decides), ``triggers: {items,
    codes}``, ``evidence: {source, says}`` citing an entry of ``sources:``,
    ``lever`` (for assets) and ``general: true`` on the fallback supports;
    see :mod:`assetinv.supports`. **1.0.0** (``assetinv/data/playbook.yaml``,
    the default for instrument 1.x)::

        version: "1.0"
        domains:
          OS:
            asset:        # 2-4 supports; assets say how to use the asset as a lever
              - {id: OS-A1, title: ..., description: ..., drawn_from: ..., lever: ...}
            typical: [...]
            growth area: [...]

    Parameters
    ----------
    path : str or Path, optional
        A playbook file; by default the bundled one for the instrument's
        major version.
    instrument : Instrument, optional
        To check that every domain is covered (and, for 2.0.0, that triggers
        name its items and codes); bundled instrument by default.

    Returns
    -------
    dict
        The parsed playbook (``version``, ``domains``; supports as dicts).

    Raises
    ------
    DataError
        1.0.0: a domain or status without 1-6 supports, a support missing
        ``id``, ``title``, ``description`` or ``drawn_from``, or a repeated id.
        2.0.0: also triggers naming unknown items or codes, or items of
        another domain, an unknown ``who_acts``, a missing ``cbo_role`` (or
        one that does not say what the CBO offers, or one on a CBO support),
        evidence without a listed source, a repeated title or description,
        a domain and status without any (or any general) support, and
        triggers that cannot fire: a CBO or school support triggered by an
        item the teacher form does not ask, a code whose fixed valence fits
        none of the support's statuses, or a support with no trigger that
        can fire at a school.

    Examples
    --------
    >>> from assetinv.scoring import load_playbook
    >>> pb = load_playbook()  # the 2.0.0 playbook, for the default instrument
    >>> pb["version"], len(pb["supports"]) > 30
    ('2.0.0', True)
    >>> sorted(load_playbook(instrument="1.0.0")["domains"]["OS"])
    ['asset', 'growth area', 'typical']

    References
    ----------
    Hatch, T. (2009). *Managing to change: How schools can survive (and
    sometimes thrive) in turbulent times*. Teachers College Press.
    """
    import yaml

    spec = resolve(instrument)
    p = (
        Path(path)
        if path is not None
        else _PLAYBOOK_BY_MAJOR.get(str(spec.version).split(".")[0], _PLAYBOOK_PATH)
    )
    name = p.name
    try:
        data = _safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(Problem(str(p), "file not found", "give the path of a playbook YAML file")) from None
    except yaml.YAMLError as exc:
        raise DataError(
            Problem(name, f"not valid YAML ({exc})", "fix the YAML syntax (indentation, colons)")
        ) from None
    problems = []
    if isinstance(data, dict) and "supports" in data:
        from .supports import check_playbook_v2, require_v2_instrument

        inst = instrument
        if inst is None or not hasattr(inst, "codebook"):
            from .instrument import load_instrument

            inst = load_instrument(str(data.get("instrument_version", "")) or None)
        require_v2_instrument(data, resolve(inst), name)
        problems = check_playbook_v2(data, name, inst)
        if problems:
            raise DataError(problems)
        return data
    if not isinstance(data, dict) or not isinstance(data.get("domains"), dict):
        raise DataError(
            Problem(name, "no 'domains' mapping", "start the file with 'domains:' then one key per domain id")
        )
    seen = set()
    for d in spec.domain_ids:
        if d not in data["domains"]:
            problems.append(
                Problem(
                    name,
                    f"domain {d} is missing",
                    f"add a '{d}:' section with asset, typical and growth area",
                )
            )
            continue
        for st in STATUSES:
            sups = (data["domains"][d] or {}).get(st)
            if not isinstance(sups, list) or not (1 <= len(sups) <= 6):
                problems.append(
                    Problem(
                        name, f"{d} / {st}: needs a list of 1-6 supports", f"add supports under {d} > {st}"
                    )
                )
                continue
            for s in sups:
                missing = [
                    k
                    for k in ("id", "title", "description", "drawn_from")
                    if not (isinstance(s, dict) and s.get(k))
                ]
                if missing:
                    problems.append(
                        Problem(
                            name,
                            f"{d} / {st}: a support lacks {', '.join(missing)}",
                            "give every support an id, title, description and drawn_from",
                        )
                    )
                    continue
                if s["id"] in seen:
                    problems.append(
                        Problem(name, f"support id {s['id']} is used twice", "make every id unique")
                    )
                seen.add(s["id"])
    if problems:
        raise DataError(problems)
    return data


def _evidence(
    row: pd.Series, codes: pd.DataFrame | None, spec: Instrument, level: float = 0.95, top: int = 3
) -> str:
    parts = [
        f"{row['domain_short'] if 'domain_short' in row else spec.domain_short(row['domain'])}: "
        f"{_fmt(row['mean'])} of {spec.scale_max} ({level:.0%} CI {_fmt(row['ci_low'])} to "
        f"{_fmt(row['ci_high'])}, n = {int(row['n'])})"
    ]
    if pd.notna(row.get("diff")):
        sign = "above" if row["diff"] >= 0 else "below"
        ref = (
            f"the other schools' average of {_fmt(row['others_mean'])}"
            if pd.notna(row.get("others_mean"))
            else f"the network average of {_fmt(row['network_mean'])}"
        )
        parts.append(
            f"{_fmt(abs(row['diff']), 2)} {sign} {ref} "
            f"(difference CI {_fmt(row['diff_low'], 2)} to {_fmt(row['diff_high'], 2)})"
        )
    if codes is not None and len(codes) and {"school", "group", "code", "n_excerpts"} <= set(codes.columns):
        dcol = "domain" if "domain" in codes.columns else "group"  # tied domain: barrier codes sit with it
        c = codes[
            (codes["school"].astype(str) == str(row["school"])) & (codes[dcol].astype(str) == row["domain"])
        ]
        if "suppressed" in c:
            c = c[c["suppressed"].fillna("").astype(str) == ""]
        name_col = "code_name" if "code_name" in c else ("name" if "name" in c else None)
        if {"n_strength", "n_barrier"} <= set(c.columns) and (
            pd.to_numeric(c["n_strength"], errors="coerce").fillna(0).sum()
            + pd.to_numeric(c["n_barrier"], errors="coerce").fillna(0).sum()
        ) > 0:
            # valences were recorded: strengths and barriers are cited apart, never mixed
            for v, label in (("n_strength", "interview strengths"), ("n_barrier", "interview barriers")):
                cv = c.assign(
                    _n=pd.to_numeric(c[v], errors="coerce"),
                    _name=c[name_col].astype(str) if name_col else c["code"].astype(str),
                )
                cv = cv.groupby(["code", "_name"], sort=True, as_index=False)["_n"].sum(min_count=1)
                cv = (
                    cv[cv["_n"] > 0]
                    .sort_values(["_n", "code"], ascending=[False, True], kind="mergesort")
                    .head(top)
                )
                if len(cv):
                    parts.append(
                        f"{label}: "
                        + ", ".join(
                            f"{nm} ({int(n)} excerpt{'s' if int(n) != 1 else ''})"
                            for nm, n in zip(cv["_name"], cv["_n"])
                        )
                    )
            return "; ".join(parts)
        c = c.assign(
            _n=pd.to_numeric(c["n_excerpts"], errors="coerce"),
            _name=c[name_col].astype(str)
            if name_col
            else c["code"].map(lambda x: spec.code_names.get(str(x), str(x))),
        )
        c = c.groupby(["code", "_name"], sort=True, as_index=False)["_n"].sum(min_count=1)
        c = c[c["_n"] > 0].sort_values(["_n", "code"], ascending=[False, True], kind="mergesort").head(top)
        if len(c):
            txt = ", ".join(
                f"{nm} ({int(n)} excerpt{'s' if int(n) != 1 else ''})" for nm, n in zip(c["_name"], c["_n"])
            )
            parts.append(f"interviews: {txt}")
    return "; ".join(parts)


def recommend(
    profile: pd.DataFrame,
    school: str | None = None,
    *,
    playbook: dict | str | Path | None = None,
    codes: pd.DataFrame | None = None,
    instrument=None,
    items: pd.DataFrame | None = None,
    max_supports: int = 3,
    district_items: pd.DataFrame | None = None,
    district: str | None = None,
) -> pd.DataFrame:
    """Assets to build on and supports to offer one school, with the evidence.

    Each reported domain of the school's profile is looked up in the playbook
    under its status: *asset* supports are "build on" (the asset is the lever),
    *typical* and *growth area* supports are "grow". Rows come assets first,
    then growth areas, then typical domains, each in instrument domain order
    and playbook order, so the output is deterministic. Suppressed domains get
    one row (``kind`` = "not reported") explaining why, and no support.

    Parameters
    ----------
    profile : DataFrame
        Output of :func:`asset_profile`.
    school : str, optional
        School id; may be omitted when the profile holds a single school.
    playbook : dict or path, optional
        From :func:`load_playbook`, a path, or the bundled playbook.
    codes : DataFrame, optional
        Code tallies from :func:`assetinv.code_tallies` (``school, code,
        group, n_excerpts`` and optionally ``code_name``, ``role``,
        ``suppressed``); the three most frequent codes of the school in that
        domain are cited (suppressed and zero counts skipped, roles summed).
    instrument : Instrument, optional
        For code names; bundled instrument by default.
    items : DataFrame, optional
        A 2.0.0 playbook only: :func:`assetinv.item_profile` of the
        responses, so that supports follow the school's weak (or, for assets,
        strong) items. Without it, supports are matched on interview codes
        and the domain's status.
    max_supports : int
        A 2.0.0 playbook only: at most this many supports per domain.
    district_items : DataFrame, optional
        A 2.0.0 playbook only: a district-level item profile,
        ``item_profile(responses, by="district", roles=("leader",
        "district"))``. Supports the district acts on are then also
        triggered by their leader-form and district-form items flagged in
        the school's district (a school alone has too few leaders, and no
        district staff, to report those items).
    district : str, optional
        The school's district id in ``district_items``; may be omitted when
        ``district_items`` holds one district.

    Returns
    -------
    DataFrame
        ``school, domain, domain_name, status, kind ("build on" | "grow" |
        "not reported"), support_id, support, description, evidence,
        drawn_from, lever, who_acts, cbo_role, triggered_by, source``. The
        last four are filled for a 2.0.0 playbook: who has to act (cbo,
        school, district), what the CBO contributes when someone else
        decides, the weak items and barrier codes (strong items and strength
        codes for an asset) that called for the support, and the source it
        cites (title, seed file and a paraphrase). When interview valences
        were recorded, ``evidence`` names strengths and barriers apart.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assetinv.scoring import asset_profile, recommend
    >>> rng = np.random.default_rng(1)
    >>> s = pd.DataFrame({"respondent_id": range(40), "school": np.repeat(["A", "B"], 20),
    ...                   "district": "D", "role": "teacher", "wave": "baseline",
    ...                   "OS": np.r_[rng.normal(4.4, .3, 20), rng.normal(2.6, .3, 20)]})
    >>> r = recommend(asset_profile(s, domains=["OS"]), "A")
    >>> r["kind"].iloc[0], r["support_id"].iloc[0]
    ('build on', 'OS-S1')

    References
    ----------
    100Kin10 (2019). *Partnering with schools to nurture positive work
    environments* (Asset Inventory). Hatch, T. (2009). *Managing to change*.
    """
    if school is None:
        ids = profile["school"].astype(str).unique()
        if len(ids) != 1:
            raise ValueError("profile holds several schools: pass school=")
        school = ids[0]
    pb = playbook if isinstance(playbook, dict) else load_playbook(playbook, instrument=instrument)
    spec = resolve(instrument)
    prof = _school_profile_in_order(profile, str(school), spec)
    rows = []
    v2 = "supports" in pb
    inst = instrument
    if v2:
        from .supports import require_v2_instrument

        if inst is None or not hasattr(inst, "codebook"):
            from .instrument import load_instrument

            inst = load_instrument(str(pb.get("instrument_version", "")) or None)
        spec = resolve(inst)
        require_v2_instrument(pb, spec, "playbook")
        district_items, district = _district_rows(district_items, district)
    blank = {"who_acts": "", "cbo_role": "", "triggered_by": "", "source": ""}
    for _, r in prof.iterrows():
        base = {
            "school": str(school),
            "domain": r["domain"],
            "domain_name": r["domain_name"],
            "status": r["status"],
        }
        if r["suppressed"] or not r["status"]:
            rows.append(
                {
                    **base,
                    "kind": "not reported",
                    "support_id": "",
                    "support": "",
                    "description": "",
                    "evidence": f"not reported: {r['suppressed']}",
                    "drawn_from": "",
                    "lever": "",
                    **blank,
                }
            )
            continue
        ev = _evidence(r, codes, spec, float(profile.attrs.get("level", 0.95)))
        kind = "build on" if r["status"] == "asset" else "grow"
        if v2:
            rows += _v2_support_rows(
                pb, r, base, kind, ev, items, codes, spec, inst, max_supports, district_items, district
            )
            continue
        for s in pb["domains"].get(r["domain"], {}).get(r["status"], []) or []:
            rows.append({**base, **_support_fields(s, kind, ev, str(s.get("drawn_from", ""))), **blank})
    return pd.DataFrame(rows, columns=list(_RECOMMEND_COLUMNS)).reset_index(drop=True)


#: The columns of :func:`recommend`'s table.
_RECOMMEND_COLUMNS = (
    "school",
    "domain",
    "domain_name",
    "status",
    "kind",
    "support_id",
    "support",
    "description",
    "evidence",
    "drawn_from",
    "lever",
    "who_acts",
    "cbo_role",
    "triggered_by",
    "source",
)


def _school_profile_in_order(profile: pd.DataFrame, school: str, spec: Instrument) -> pd.DataFrame:
    """One school's profile rows: assets, growth areas, typical, unreported; then in domain order."""
    prof = profile[profile["school"].astype(str) == school]
    if prof.empty:
        raise DataError(Problem("profile", f"school '{school}' is not in the profile", "check the school id"))
    order = {d: i for i, d in enumerate(spec.domain_ids)}
    prio = {"asset": 0, "growth area": 1, "typical": 2, "": 3}
    prof = prof.assign(_p=prof["status"].map(prio).fillna(3), _o=prof["domain"].map(order).fillna(99))
    return prof.sort_values(["_p", "_o", "domain"], kind="mergesort")


def _support_fields(s: dict, kind: str, ev: str, drawn_from: str) -> dict:
    """The columns a playbook support fills in a recommendation row."""
    return {
        "kind": kind,
        "support_id": str(s["id"]),
        "support": str(s["title"]).strip(),
        "description": " ".join(str(s["description"]).split()),
        "evidence": ev,
        "drawn_from": drawn_from,
        "lever": " ".join(str(s.get("lever", "")).split()),
    }


def _district_rows(
    district_items: pd.DataFrame | None, district: str | None
) -> tuple[pd.DataFrame | None, str | None]:
    """The district-level item profile and the school's district id (``None, None`` when not given)."""
    if district_items is None:
        return None, None
    key = "district" if "district" in district_items.columns else district_items.columns[0]
    if district is None:
        ids = sorted(district_items[key].astype(str).unique())
        if len(ids) > 1:
            raise DataError(
                Problem(
                    "district_items argument",
                    f"holds {len(ids)} districts ({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''})",
                    "pass district= with the school's district id",
                )
            )
        district = ids[0] if ids else None
    return district_items, (None if district is None else str(district))


def _v2_support_rows(
    pb: dict,
    r: pd.Series,
    base: dict,
    kind: str,
    ev: str,
    items,
    codes,
    spec: Instrument,
    inst,
    max_supports: int,
    district_items: pd.DataFrame | None = None,
    district: str | None = None,
) -> list[dict]:
    """The rows of the supports a 2.0.0 playbook matches to one domain of the school."""
    from .supports import matched_supports, source_text

    rows = []
    for s in matched_supports(
        pb,
        str(base["school"]),
        str(r["domain"]),
        str(r["status"]),
        items,
        codes,
        spec,
        inst,
        max_supports,
        district_items=district_items,
        district=district,
    ):
        rows.append(
            {
                **base,
                **_support_fields(s, kind, ev, str(s["evidence"].get("source", ""))),
                "who_acts": str(s["who_acts"]),
                "cbo_role": " ".join(str(s.get("cbo_role", "")).split()),
                "triggered_by": s["_why"],
                "source": source_text(pb, s["evidence"]),
            }
        )
    return rows
