"""Pilot analysis of a new instrument version: which items to revise before fielding it.

A pre-test of the Asset Inventory (cognitive interviews, then a pilot of about 30
respondents per role) asks, item by item: does the item hang together with the rest
of its domain, does it spread respondents out, can respondents answer it, and does it
work the same way for teachers and leaders? :func:`pilot_item_review` answers the four
questions in one tidy table with a plain-language flag per item, plus one row per role form
and domain for the floor and ceiling of the domain score. The protocol is in
``docs/pilot.md`` and the walk-through in ``notebooks/09_pilot_analysis.ipynb``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, Problem
from .scoring import _MIN_ANSWERED, _items_needed

__all__ = ["pilot_item_review", "dont_know_mask"]


def dont_know_mask(path, instrument) -> pd.DataFrame:
    """Which cells of a tidy-layout export hold the Don't-know code or label.

    :func:`assetinv.read_responses` turns Don't know into a missing value and
    counts it per respondent; a pilot also needs it per item. This reads a CSV or
    XLSX in the documented tidy layout (``respondent_id, wave`` and one column per
    item id) and marks the cells equal to the item's scale's Don't-know code or
    label.

    Parameters
    ----------
    path : str or Path
    instrument : Instrument

    Returns
    -------
    DataFrame
        ``respondent_id, wave`` and one boolean column per item found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assetinv import load_instrument
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("respondent_id,wave,EX09,EX10\\nr1,baseline,9,4\\n"
    ...                  "r2,baseline,Don't know / Not applicable,2\\n")
    >>> dont_know_mask(p, load_instrument("2.0.0"))[["EX09", "EX10"]].sum().tolist()
    [2, 0]

    References
    ----------
    See docs/pilot.md.
    """
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        raw = pd.read_excel(p, dtype=str).fillna("")
    elif p.suffix.lower() in (".csv", ".txt"):
        raw = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        raise DataError(
            Problem(
                str(p),
                f"cannot read a '{p.suffix}' file for the Don't-know mask",
                "give the responses as a tidy-layout .csv or .xlsx",
            )
        )
    raw.columns = [str(c).strip() for c in raw.columns]
    for c in ("respondent_id", "wave"):
        if c not in raw.columns:
            raise DataError(
                Problem(str(p), f"required column '{c}' is missing", f"add the '{c}' column", column=c)
            )
    items = [i for i in instrument.item_ids() if i in raw.columns]
    out = raw[["respondent_id", "wave"]].copy()
    for i in items:
        sc = instrument.item_scale(i)
        out[i] = [sc.is_dont_know(v) for v in raw[i]]
    return out


def _item_rest_psych(K: np.ndarray, items: list[str]) -> np.ndarray:
    """Item-rest correlation (psych::alpha's ``r.drop``, pairwise covariances) of keyed answers."""
    from .reliability import alpha

    if len(items) < 2 or np.isfinite(K).sum(axis=0).min() < 3:
        return np.full(len(items), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # respondents who answered none of a form's items: as psych
        res = alpha(pd.DataFrame(K, columns=items))
    return res.item_stats["r_drop"].reindex(items).to_numpy(dtype=float)


def _role_dif(x: np.ndarray, rest: np.ndarray, is_b: np.ndarray) -> float:
    """Role difference on the item at equal rest score, in item SD units (linear regression screen)."""
    ok = np.isfinite(x) & np.isfinite(rest)
    if ok.sum() < 10 or is_b[ok].all() or not is_b[ok].any() or np.std(x[ok]) == 0:
        return np.nan
    A = np.column_stack([np.ones(ok.sum()), rest[ok], is_b[ok].astype(float)])
    coef, *_ = np.linalg.lstsq(A, x[ok], rcond=None)
    return float(coef[2] / np.std(x[ok], ddof=1))


_COLUMNS = [
    "level",
    "role",
    "domain",
    "item",
    "scale",
    "reverse",
    "n",
    "mean",
    "sd",
    "item_rest",
    "floor",
    "ceiling",
    "dont_know",
    "dif",
]


def pilot_item_review(
    responses: pd.DataFrame,
    instrument,
    *,
    dont_know: pd.DataFrame | None = None,
    wave: str | None = None,
    roles: Sequence[str] | None = None,
    min_item_rest: float = 0.30,
    floor_ceiling: float = 0.15,
    item_floor_ceiling: float = 0.50,
    max_dont_know: float = 0.10,
    dif_roles: tuple[str, str] = ("teacher", "leader"),
    max_dif: float = 0.50,
) -> pd.DataFrame:
    """Flag the items of a pilot to revise: item-rest correlation, floor and ceiling,
    Don't-know rate and role differences.

    Floor and ceiling effects are judged at two levels. The 15% criterion of Terwee
    et al. (2007) is meant for a scale score, so it is applied to each role form's
    domain score (the mean of the keyed answers, as :func:`assetinv.score_domains`
    computes it). A single 5-point item is held to a looser rule: it is flagged only
    when more than half of its answers sit at one end point. That item rule is a
    working rule, not a published standard. An item has only five possible values,
    so even answers spread evenly over them put 20% at each end, and a 15% rule
    would flag most items of a survey that staff answer positively. Once more than
    half the answers sit at one end, the item cannot tell most respondents apart
    and has no room to show their change in that direction.

    Parameters
    ----------
    responses : DataFrame
        Tidy responses (:func:`assetinv.read_responses`); Don't know is missing there.
    instrument : Instrument
        The instrument piloted (its role forms, scales and keying).
    dont_know : DataFrame, optional
        Per-cell Don't-know marks (:func:`dont_know_mask`, or ``Study.dont_know``
        with ``respondent_id`` and ``wave`` added); without it the Don't-know rate
        is left blank.
    wave : str, optional
        Only this wave.
    roles : sequence of str, optional
        The role forms to review (default: every role).
    min_item_rest : float
        An item-rest correlation below this is flagged (0.30, the usual cut-off).
    floor_ceiling : float
        A share of respondents at the lowest or the highest possible domain score
        above this flags the domain score on that role form (15%, Terwee et al.
        2007). A domain score is given to respondents who answered at least half of
        the form's items of the domain (rounded up), as in
        :func:`assetinv.score_domains`.
    item_floor_ceiling : float
        A share of an item's answers at its lowest or its highest point above this
        flags the item (50%: a working rule for single items; see above).
    max_dont_know : float
        A Don't-know share above this is flagged (10%).
    dif_roles : (str, str)
        The two roles compared for differential item functioning.
    max_dif : float
        The role difference on an item at equal rest score, in item standard
        deviations, above which the item is flagged (0.5).

    Returns
    -------
    DataFrame
        Per role form and domain, one ``level == "domain"`` row (the floor and
        ceiling of the domain score) followed by one ``level == "item"`` row per
        item. Columns: ``level, role, domain, item, scale, reverse, n, mean, sd,
        item_rest, floor, ceiling, dont_know, dif`` (the ``dif_roles[1]`` minus
        ``dif_roles[0]`` difference, on the rows of both roles) and
        ``revise_because`` (plain-language reasons to revise; "" when none).
        Keyed answers (reverse-keyed items reflected) are used, so a negative
        item-rest correlation means the item runs against its domain. On an item
        row ``floor`` and ``ceiling`` are the shares of answers at the lowest and
        the highest point as marked. On a domain row ``item`` is the domain id (so
        ``role, item`` stays a unique key), ``scale`` lists the items' scales,
        ``n``, ``mean`` and ``sd`` describe the domain scores, ``floor`` and
        ``ceiling`` are the shares of scored respondents at the lowest and the
        highest possible score, and ``item_rest``, ``dont_know`` and ``dif`` are
        blank. ``attrs`` holds the thresholds used, and ``dif_not_screened``
        the domains whose role difference could not be screened, with the
        reason (2.0.0: in OS the teacher and leader forms share only OS13 and
        its mirror OS37).

    Examples
    --------
    >>> import assetinv as ai
    >>> inst = ai.load_instrument("2.0.0")
    >>> st = ai.simulate_study(seed=4, n_schools=4, n_districts=1, instrument=inst, waves=("baseline",))
    >>> dk = st.dont_know.assign(respondent_id=st.responses["respondent_id"], wave=st.responses["wave"])
    >>> t = pilot_item_review(st.responses, inst, dont_know=dk)
    >>> sorted(t["role"].unique())
    ['district', 'leader', 'teacher']
    >>> t[t["level"] == "domain"][["role", "domain"]].head(2).values.tolist()
    [['teacher', 'EX'], ['teacher', 'LM']]

    References
    ----------
    Terwee, C. B., et al. (2007). Quality criteria were proposed for measurement
    properties of health status questionnaires. *Journal of Clinical
    Epidemiology*, 60(1), 34-42. Zumbo, B. D. (1999). *A handbook on the theory
    and methods of differential item functioning (DIF)*. Ottawa: Directorate of
    Human Resources Research and Evaluation. Willis, G. B. (2005). *Cognitive
    interviewing*. Sage.
    """
    df = responses
    if wave is not None:
        df = df[df["wave"].astype(str) == str(wave)]
    df = df.reset_index(drop=True)
    dk = None
    if dont_know is not None:
        dk = df[["respondent_id", "wave"]].merge(dont_know, on=["respondent_id", "wave"], how="left")
    roles = list(roles) if roles is not None else list(instrument.roles)
    rev = set(instrument.reverse_ids())
    rows: list[dict] = []
    keyed_all: dict[tuple[str, str], tuple[list[str], np.ndarray]] = {}
    for role in roles:
        for d in instrument.domains["id"]:
            form = _review_form(df, dk, instrument, rev, role, d)
            if form is not None:
                rows += form[0]
                keyed_all[(role, d)] = form[1]
    out = pd.DataFrame(rows, columns=_COLUMNS)
    dif_skipped = _add_role_dif(out, keyed_all, instrument.domains["id"], dif_roles)
    out["revise_because"] = [
        _revise_because(
            rec, min_item_rest, floor_ceiling, item_floor_ceiling, max_dont_know, dif_roles, max_dif
        )
        for rec in out.itertuples()
    ]
    out.attrs = {
        "instrument_version": instrument.version,
        "min_item_rest": min_item_rest,
        "floor_ceiling": floor_ceiling,
        "item_floor_ceiling": item_floor_ceiling,
        "max_dont_know": max_dont_know,
        "dif_roles": list(dif_roles),
        "max_dif": max_dif,
        "dif_not_screened": dif_skipped,
    }
    return out


def _review_form(
    df: pd.DataFrame, dk: pd.DataFrame | None, instrument, rev: set[str], role: str, d: str
) -> tuple[list[dict], tuple[list[str], np.ndarray]] | None:
    """The review rows of one role's domain (its domain row, then its items) and its keyed answers.

    None when the role's form has no items of the domain.
    """
    if not instrument.asked(d, role):
        return None
    items = [i for i in instrument.item_ids(d, role=role) if i in df.columns]
    if not items:
        return None
    sub = (df["role"].astype(str) == role).to_numpy()
    X = df.loc[sub, items].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    lo, hi = instrument.scale_min, instrument.scale_max
    K = X.copy()
    for j, i in enumerate(items):
        if i in rev:
            K[:, j] = lo + hi - K[:, j]
    r = _item_rest_psych(K, items)
    rows = [_domain_row(K, items, instrument, role, d)]
    for j, i in enumerate(items):
        col = X[:, j]
        ans = np.isfinite(col)
        n = int(ans.sum())
        share_dk = np.nan
        if dk is not None and i in dk.columns:
            m = dk.loc[sub, i].fillna(False).astype(bool).to_numpy()
            asked_n = n + int(m.sum())
            share_dk = m.sum() / asked_n if asked_n else np.nan
        rows.append(
            {
                "level": "item",
                "role": role,
                "domain": d,
                "item": i,
                "scale": instrument.item_scale(i).id,
                "reverse": i in rev,
                "n": n,
                "mean": float(np.nanmean(K[:, j])) if n else np.nan,
                "sd": float(np.nanstd(K[:, j], ddof=1)) if n > 1 else np.nan,
                "item_rest": r[j],
                "floor": float((col[ans] == lo).mean()) if n else np.nan,
                "ceiling": float((col[ans] == hi).mean()) if n else np.nan,
                "dont_know": share_dk,
                "dif": np.nan,
            }
        )
    return rows, (items, K)


def _domain_row(K: np.ndarray, items: list[str], instrument, role: str, d: str) -> dict:
    """The domain-score row of one role form: floor and ceiling of the domain score (Terwee's 15% rule).

    A respondent is scored when they answered at least half of the form's items of the domain
    (rounded up), the default of :func:`assetinv.score_domains`; the score is the mean of the keyed
    answers, so the lowest and highest possible scores are the scale's end points.
    """
    lo, hi = instrument.scale_min, instrument.scale_max
    answered = np.isfinite(K)
    n_ans = answered.sum(axis=1)
    need = _items_needed(_MIN_ANSWERED, len(items))
    scored = n_ans >= need
    score = np.nansum(np.where(answered, K, 0.0), axis=1)[scored] / n_ans[scored]
    n = int(scored.sum())
    scales = list(dict.fromkeys(instrument.item_scale(i).id for i in items))
    return {
        "level": "domain",
        "role": role,
        "domain": d,
        "item": d,
        "scale": "+".join(scales),
        "reverse": False,
        "n": n,
        "mean": float(score.mean()) if n else np.nan,
        "sd": float(score.std(ddof=1)) if n > 1 else np.nan,
        "item_rest": np.nan,
        "floor": float(np.isclose(score, lo).mean()) if n else np.nan,
        "ceiling": float(np.isclose(score, hi).mean()) if n else np.nan,
        "dont_know": np.nan,
        "dif": np.nan,
    }


def _add_role_dif(
    out: pd.DataFrame,
    keyed_all: dict[tuple[str, str], tuple[list[str], np.ndarray]],
    domains: Sequence[str],
    dif_roles: tuple[str, str],
) -> dict[str, str]:
    """Fill ``out["dif"]`` in place for items on both roles' forms (rest score: the other shared items).

    Returns the domains not screened, with the reason: fewer than 3 items on both forms leave no rest
    score of 2 or more items to match on.
    """
    a, b = dif_roles
    skipped: dict[str, str] = {}
    for d in domains:
        if (a, d) not in keyed_all or (b, d) not in keyed_all:
            continue
        shared = [i for i in keyed_all[(a, d)][0] if i in keyed_all[(b, d)][0]]
        if len(shared) < 3:
            skipped[str(d)] = (
                f"{len(shared)} item(s) on both the {a} and the {b} form ({', '.join(shared) or 'none'}); "
                "3 are needed to compare the roles at an equal rest score"
            )
            continue
        parts = []
        for role in (a, b):
            items, K = keyed_all[(role, d)]
            parts.append(K[:, [items.index(i) for i in shared]])
        K2 = np.vstack(parts)
        is_b = np.r_[np.zeros(len(parts[0]), bool), np.ones(len(parts[1]), bool)]
        for j, i in enumerate(shared):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # rows with no other answer: NaN rest
                rest = np.nanmean(np.delete(K2, j, axis=1), axis=1)
            v = _role_dif(K2[:, j], rest, is_b)
            out.loc[(out["level"] == "item") & (out["item"] == i) & out["role"].isin([a, b]), "dif"] = v
    return skipped


def _revise_because(
    rec,
    min_item_rest: float,
    floor_ceiling: float,
    item_floor_ceiling: float,
    max_dont_know: float,
    dif_roles: tuple[str, str],
    max_dif: float,
) -> str:
    """The plain-language reasons to revise one reviewed item or domain score ("" when none)."""
    a, b = dif_roles
    f = []
    if rec.level == "domain":
        if pd.notna(rec.floor) and rec.floor > floor_ceiling:
            f.append(
                f"domain floor: {rec.floor:.0%} have the lowest possible score (above {floor_ceiling:.0%})"
            )
        if pd.notna(rec.ceiling) and rec.ceiling > floor_ceiling:
            f.append(
                f"domain ceiling: {rec.ceiling:.0%} have the highest possible score "
                f"(above {floor_ceiling:.0%})"
            )
        return "; ".join(f)
    if pd.notna(rec.item_rest) and rec.item_rest < min_item_rest:
        f.append(f"item-rest correlation {rec.item_rest:.2f} below {min_item_rest:.2f}")
    if pd.notna(rec.floor) and rec.floor > item_floor_ceiling:
        f.append(f"floor: {rec.floor:.0%} chose the lowest answer (above {item_floor_ceiling:.0%})")
    if pd.notna(rec.ceiling) and rec.ceiling > item_floor_ceiling:
        f.append(f"ceiling: {rec.ceiling:.0%} chose the highest answer (above {item_floor_ceiling:.0%})")
    if pd.notna(rec.dont_know) and rec.dont_know > max_dont_know:
        f.append(f"Don't know {rec.dont_know:.0%}")
    if pd.notna(rec.dif) and abs(rec.dif) > max_dif:
        f.append(
            f"{b}s answer {abs(rec.dif):.2f} SD {'higher' if rec.dif > 0 else 'lower'} than {a}s "
            "at the same rest score"
        )
    return "; ".join(f)
