"""Change across three or more waves for :func:`assetinv.change_over_time` (private; issue 17.5).

Two models per domain and scope, both fitted by REML from sufficient
statistics (:func:`assetinv._growth.reml_psi`) with lmerTest's Satterthwaite
df (:func:`assetinv._growth.contrasts`); in lme4 notation, for the network::

    score ~ wave + (1 | school) [+ (1 | school:respondent)]     # per-wave contrasts
    score ~ t    + (1 | school) [+ (1 | school:respondent)]     # linear trend, t = 0, 1, 2, ...

(``wave`` a factor with the first wave as reference; the respondent term when
some respondent ids appear in more than one wave). For one school the school
term is dropped (``(1 | respondent)`` when linked, otherwise OLS with a t on
n - p df). No wave slope is fitted: the estimand is the change of these
schools, as in the two-wave default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__: list[str] = []


def _design(
    part: pd.DataFrame, waves: Sequence[str], kind: str
) -> tuple[pd.DataFrame, tuple[str, ...], np.ndarray]:
    """Columns of the fixed effects and the contrast matrix L (rows: reported terms)."""
    part = part.copy()
    if kind == "trend":
        part["_t"] = part["_wave_ix"].astype(float)
        return part, ("_t",), np.array([[0.0, 1.0]])
    cols = []
    for k in range(1, len(waves)):
        c = f"_w{k}"
        part[c] = (part["_wave_ix"] == k).astype(float)
        cols.append(c)
    return part, tuple(cols), np.eye(len(waves))[1:]


def _ols(
    part: pd.DataFrame, xcols: tuple[str, ...], L: np.ndarray
) -> list[tuple[float, float, float, float]]:
    """(estimate, se, df, residual variance) per contrast, OLS with a t on n - p df."""
    X = np.column_stack([np.ones(len(part))] + [part[c].to_numpy(float) for c in xcols])
    y = part["score"].to_numpy(float)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    df = len(y) - X.shape[1]
    s2 = float(np.sum((y - X @ beta) ** 2) / df)
    C = s2 * np.linalg.inv(X.T @ X)
    return [(float(w @ beta), float(np.sqrt(w @ C @ w)), float(df), s2) for w in L]


def fit(part: pd.DataFrame, waves: Sequence[str], kind: str, network: bool) -> list[dict]:
    """Rows (estimate, se, df, effect-size denominator, model label, note) for one scope."""
    from ._growth import Structure, contrasts, reml_psi

    per = part.groupby(["school", "respondent_id"], sort=False)["_wave_ix"].nunique()
    n_linked = int((per > 1).sum())
    data, xcols, L = _design(part, waves, kind)
    term = "t" if kind == "trend" else "wave"
    notes: list[str] = []
    if not network and n_linked == 0:
        res = _ols(data, xcols, L)
        label = (
            f"OLS with {'a linear wave trend' if kind == 'trend' else 'wave indicators'} (unlinked "
            f"respondents) [score ~ {term}]; t interval"
        )
        return [
            {"estimate": e, "se": se, "df": df, "base_var": s2, "n_linked": 0, "model": label, "note": ""}
            for e, se, df, s2 in res
        ]
    st = Structure(
        block="school", school_intercept=network, school_slope=False, respondent=n_linked > 0, xcols=xcols
    )
    infs = contrasts(data, st, reml_psi(data, st), L)
    psi = infs[0].psi
    small = [k for k, v in psi.items() if k != "residual_var" and v < 1e-6 * psi["residual_var"]]
    if small:
        notes.append("a variance is estimated at zero (boundary): " + ", ".join(small))
    formula = (
        f"score ~ {term}"
        + (" + (1 | school)" if network else "")
        + ((" + (1 | school:respondent)" if network else " + (1 | respondent)") if n_linked else "")
    )
    parts = (["school random intercept"] if network else []) + (
        ["respondent random intercept" + (" nested in school" if network else "") + " (linked panel)"]
        if n_linked
        else []
    )
    label = f"MixedLM (REML): {', '.join(parts)} [{formula}]; t interval with Satterthwaite df"
    base = sum(v for k, v in psi.items() if k in ("school_var", "respondent_var", "residual_var"))
    return [
        {
            "estimate": i.estimate,
            "se": i.se,
            "df": i.df,
            "base_var": base,
            "n_linked": n_linked,
            "model": label,
            "note": "; ".join(notes),
        }
        for i in infs
    ]


def t_result(est: float, se: float, df: float, base_var: float, level: float) -> dict:
    """Estimate, t interval on ``df``, se, df, two-sided p and effect size (estimate / baseline SD)."""
    tq = float(stats.t.ppf(0.5 + level / 2, df))
    p = float(2 * stats.t.sf(abs(est / se), df)) if se > 0 else np.nan
    return {
        "estimate": est,
        "ci_low": est - tq * se,
        "ci_high": est + tq * se,
        "se": se,
        "df": df,
        "p_value": p,
        "effect_size": est / math.sqrt(base_var) if base_var > 0 else np.nan,
    }


def result(fitrow: dict, level: float) -> dict:
    return {
        **t_result(fitrow["estimate"], fitrow["se"], fitrow["df"], fitrow["base_var"], level),
        "n_linked": float(fitrow["n_linked"]),
        "model": fitrow["model"],
        "note": fitrow["note"],
    }


def counts_disclose(data: pd.DataFrame, n_waves: int, min_n: int) -> bool:
    """True when the network's per-wave counts, minus the shown schools' counts, would
    reveal a suppressed school's size (as in the two-wave rule, for every wave).
    """
    counts = data.groupby(["school", "_wave_ix"], sort=True).size().unstack(fill_value=0)
    counts = counts.reindex(columns=range(n_waves), fill_value=0)
    small = counts[(counts < min_n).any(axis=1)]
    for w in range(n_waves):
        c = small[w][small[w] > 0]
        if len(c) == 1 or 0 < c.sum() < min_n:
            return True
    return False
