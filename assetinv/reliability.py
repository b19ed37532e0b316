r"""Reliability of the Asset Inventory: item analysis, omega, and multilevel
reliability for staff nested in schools.

Everything here reproduces R ``psych`` 2.2.9 (``alpha``, ``omega(nfactors=1)``,
``statsBy``) and R ``multilevel`` 2.7 (``rwg``, ``rwg.j``) to 1e-6 on the same
data, keys and missing values (see ``tests/r_reference``), and adds what they
lack for respondents nested in schools: vectorised per-group alpha, group-mean
reliability per group, and fast bootstrap intervals. The statistics are built
from sufficient statistics (pairwise counts, sums and cross-products), computed
for all groups or all bootstrap resamples at once with matrix products; there is
no Python loop over groups or resamples.

Formulas (``C`` the pairwise covariance matrix of the ``k`` keyed items, ``R``
its correlation matrix ``cov2cor(C)``, ``V = sum(C)``):

* raw alpha ``(k/(k-1)) (1 - tr(C)/V)`` (Cronbach 1951);
* standardised alpha ``(k/(k-1)) (1 - k/sum(R))``; average r
  ``(sum(R) - k)/(k(k-1))``; signal/noise ``k rbar/(1 - rbar)``;
* Guttman's lambda 6 ``1 - (k - sum(smc))/sum(R)`` (Guttman 1945), smc the
  squared multiple correlations from the pseudo-inverse of ``R``;
* Duhachek & Iacobucci (2004) asymptotic standard error
  ``ase = sqrt(Q/N)``, ``Q = 2k^2/((k-1)^2 V^3) [V (tr(C^2) + tr(C)^2) - 2 tr(C) 1'C^2 1]``;
* Feldt, Woodruff & Salih (1987) interval ``1 - (1-alpha) F_{1-p/2 | p/2}(N-1, (N-1)(k-1))``;
* McDonald's (1999) omega total ``(sum(R) - sum(u^2))/sum(R)`` from a
  one-factor minimum-residual fit;
* ICC(1) ``(MSb - MSw)/(MSb + (nbar - 1) MSw)`` and ICC(2) ``(MSb - MSw)/MSb``
  (Shrout & Fleiss 1979; Bliese 2000), group-mean reliability of group ``j``
  ``n_j ICC1/(1 + (n_j - 1) ICC1)``;
* rwg ``1 - s^2/sigma_E^2`` and rwg(j) ``J(1 - sbar^2/sigma_E^2)/(J(1 - sbar^2/sigma_E^2) + sbar^2/sigma_E^2)``
  with the uniform null ``sigma_E^2 = (A^2 - 1)/12`` (James, Demaree & Wolf 1984, 1993).

References
----------
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika 16.
Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE). J. Applied Psychology 89.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient alpha. APM 11.
Guttman, L. (1945). A basis for analyzing test-retest reliability. Psychometrika 10.
James, L. R., Demaree, R. G., & Wolf, G. (1984, 1993). Estimating within-group interrater reliability / rwg.
McDonald, R. P. (1999). Test theory: A unified treatment.
Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research (manual, v2.2.9).
Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations. Psychological Bulletin 86.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse, special, stats

from .instrument import Instrument, resolve
from .privacy import MIN_N, suppress

__all__ = [
    "ReliabilityWarning",
    "AlphaResult",
    "OmegaResult",
    "GroupReliability",
    "InstrumentReliability",
    "alpha",
    "alpha_by_group",
    "omega_total",
    "group_reliability",
    "rwg",
    "rwg_j",
    "instrument_reliability",
    "DEFAULT_THRESHOLDS",
]

_EPS = np.finfo(float).eps
_TOTAL_COLS = [
    "raw_alpha",
    "std_alpha",
    "g6_smc",
    "average_r",
    "signal_noise",
    "ase",
    "mean",
    "sd",
    "median_r",
]
_DROP_COLS = ["raw_alpha", "std_alpha", "g6_smc", "average_r", "signal_noise", "alpha_se", "var_r", "med_r"]
_STAT_COLS = ["n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd"]


class ReliabilityWarning(UserWarning):
    """A reliability statistic was computed from degenerate or suspicious data."""


def _warn(msgs: list[str], msg: str) -> None:
    msgs.append(msg)
    warnings.warn(msg, ReliabilityWarning, stacklevel=3)


# --------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------
def _as_frame(items: Any) -> pd.DataFrame:
    if isinstance(items, pd.DataFrame):
        df = items.copy()
        df.columns = [str(c) for c in df.columns]
    else:
        arr = np.asarray(items, dtype=float)
        if arr.ndim != 2:
            raise ValueError("items must be a DataFrame or a 2-D array (rows = respondents, columns = items)")
        df = pd.DataFrame(arr, columns=[f"V{i + 1}" for i in range(arr.shape[1])])
    out = {}
    for c in df.columns:
        if df[c].dtype == np.float64:
            out[c] = df[c].to_numpy(copy=True)
            continue
        try:
            out[c] = pd.to_numeric(df[c], errors="raise").astype("float64").to_numpy(copy=True)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"item column {c!r} is not numeric: {exc}") from None
    return pd.DataFrame(out, index=df.index, columns=list(df.columns))


def _check_reverse(reverse: Sequence[str] | str, names: list[str]) -> list[str]:
    if isinstance(reverse, str):
        reverse = [reverse]
    reverse = [str(r) for r in reverse]
    unknown = [r for r in reverse if r not in names]
    if unknown:
        raise ValueError(f"reverse-keyed item(s) {unknown} are not among the items {names}")
    return reverse


def _reverse_bounds(X: np.ndarray, scale_min, scale_max) -> tuple[float, float]:
    lo = np.nanmin(X) if scale_min is None else float(scale_min)
    hi = np.nanmax(X) if scale_max is None else float(scale_max)
    return lo, hi


# --------------------------------------------------------------------------
# sufficient statistics
# --------------------------------------------------------------------------
def _moments(X: np.ndarray, shift: np.ndarray):
    """Pairwise counts N, sums SX[j,k] = sum x_j over rows with j and k observed,
    cross products SXX, squares SQ[j,k] = sum x_j^2 over rows with j, k observed.
    """
    M = ~np.isnan(X)
    Mf = M.astype(float)
    X0 = np.where(M, X - shift, 0.0)
    N = Mf.T @ Mf
    SX = X0.T @ Mf
    SXX = X0.T @ X0
    SQ = (X0 * X0).T @ Mf
    return N, SX, SXX, SQ


def _cov_from(N, SX, SXX):
    """Pairwise covariance, as R ``cov(x, use = "pairwise")``; works on stacks."""
    SXt = np.swapaxes(SX, -1, -2)
    with np.errstate(invalid="ignore", divide="ignore"):
        C = (SXX - SX * SXt / N) / (N - 1)
    C = np.where(N > 1, C, np.nan)
    return C


def _paircor_from(N, SX, SXX, SQ):
    """Pairwise correlation, as R ``cor(x, use = "pairwise")``."""
    C = _cov_from(N, SX, SXX)
    with np.errstate(invalid="ignore", divide="ignore"):
        V = (SQ - SX * SX / N) / (N - 1)
        R = C / np.sqrt(V * np.swapaxes(V, -1, -2))
    idx = np.arange(R.shape[-1])
    R[..., idx, idx] = np.where(np.isnan(np.diagonal(C, axis1=-2, axis2=-1)), np.nan, 1.0)
    return R


def _cov2cor(C):
    d = np.sqrt(np.diagonal(C, axis1=-2, axis2=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        R = C / (d[..., :, None] * d[..., None, :])
    idx = np.arange(C.shape[-1])
    R[..., idx, idx] = np.where(d > 0, 1.0, np.nan)
    return R


def _inv_diag_spd(R: np.ndarray) -> np.ndarray:
    """diag(R^-1) for a stack of positive-definite matrices: batched Cholesky
    R = LL', then Y = L^-1 by forward substitution vectorised over the stack,
    diag(R^-1) = column sums of Y*Y. Raises LinAlgError if R is not PD.
    """
    L = np.linalg.cholesky(R)
    G, p, _ = R.shape
    Y = np.zeros_like(L)
    eye = np.eye(p)
    for i in range(p):
        acc = eye[i] - (L[:, i : i + 1, :i] @ Y[:, :i, :])[:, 0, :] if i else np.broadcast_to(eye[0], (G, p))
        Y[:, i, :] = acc / L[:, i, i][:, None]
    return (Y * Y).sum(axis=1)


def _smc(R, valid=None):
    """psych::smc: 1 - 1/diag(Pinv(R)), clipped to [0, 1]; works on stacks.

    ``valid`` (stack of boolean vectors) marks items taking part; the others
    must have zero rows/columns in R and get smc 0.
    """
    R = np.asarray(R, dtype=float)
    squeeze = R.ndim == 2
    if squeeze:
        R = R[None]
    dpinv = None
    try:
        d = _inv_diag_spd(R)
        # cond_2(R) <= |R|_F trace(R^-1) for positive-definite R: when below
        # 1/sqrt(eps) every singular value is above psych's Pinv cut-off, so
        # Pinv(R) == solve(R) and the SVD is not needed
        cond = np.sqrt((R * R).sum(axis=(1, 2))) * d.sum(axis=1)
        if np.all(np.isfinite(cond)) and np.all(cond < 0.5 / np.sqrt(_EPS)):
            dpinv = d
    except np.linalg.LinAlgError:
        pass
    if dpinv is None:
        u, s, vh = np.linalg.svd(R)
        tol = np.sqrt(_EPS) * s[..., :1]
        keep = s > np.maximum(tol, 0)
        inv_s = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
        dpinv = np.einsum("gki,gk,gik->gi", vh, inv_s, u)
    with np.errstate(divide="ignore"):
        out = 1.0 - 1.0 / dpinv
    out = np.clip(out, 0.0, 1.0)
    if valid is not None:
        out = np.where(valid, out, 0.0)
    return out[0] if squeeze else out


def _alpha_stats(C, R, valid=None):
    """Psych's alpha.1 on a stack of matrices (G, p, p).

    ``valid`` (G, p) marks items used in each matrix; unused items must have
    zero rows/columns in ``C`` and ``R``. Returns a dict of (G,) arrays.
    """
    G, p, _ = C.shape
    if valid is None:
        valid = np.ones((G, p), dtype=bool)
    k = valid.sum(axis=1).astype(float)
    trC = np.trace(C, axis1=1, axis2=2)
    sumC = C.sum(axis=(1, 2))
    sumR = R.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = (1 - trC / sumC) * (k / (k - 1))
        std = (1 - k / sumR) * (k / (k - 1))
        smc = _smc(np.nan_to_num(R), valid)
        g6 = 1 - (k - smc.sum(axis=1)) / sumR
        avr = (sumR - k) / (k * (k - 1))
        sn = k * avr / (1 - avr)
        trCC = (C * C).sum(axis=(1, 2))
        sCC = (C.sum(axis=1) ** 2).sum(axis=1)
        Q = (2 * k**2 / ((k - 1) ** 2 * sumC**3)) * (sumC * (trCC + trC**2) - 2 * trC * sCC)
    il = np.tril_indices(p, -1)
    lower = R[:, il[0], il[1]]
    pair_ok = valid[:, il[0]] & valid[:, il[1]]
    lower = np.where(pair_ok, lower, np.nan)
    npair = pair_ok.sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if not lower.shape[1]:
            med = var = np.full(G, np.nan)
        elif not np.isnan(lower).any():
            med = np.median(lower, axis=1)
            var = lower.var(axis=1, ddof=1) if lower.shape[1] > 1 else np.full(G, np.nan)
        else:
            med = np.nanmedian(lower, axis=1)
            var = np.nanvar(lower, axis=1, ddof=1)
    var = np.where(npair > 1, var, np.nan)
    bad = np.isnan(R).any(axis=(1, 2)) | (k < 2)
    out = {
        "raw_alpha": raw,
        "std_alpha": std,
        "g6_smc": g6,
        "average_r": avr,
        "signal_noise": sn,
        "Q": Q,
        "var_r": var,
        "median_r": med,
    }
    for key in out:
        out[key] = np.where(bad, np.nan, out[key])
    return out


def _fppf(q: float, d1, d2):
    """F quantile (``stats.f.ppf``) evaluated once per distinct (d1, d2) pair."""
    d1 = np.asarray(d1, dtype=float)
    d2 = np.asarray(d2, dtype=float)
    ok = (d1 > 0) & (d2 > 0) & np.isfinite(d1) & np.isfinite(d2)
    out = np.full(np.broadcast(d1, d2).shape, np.nan)
    if ok.any():
        pairs = np.stack(np.broadcast_arrays(d1, d2), axis=-1)[ok]
        uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
        out[ok] = special.fdtri(uniq[:, 0], uniq[:, 1], q)[inv.ravel()]
    return out if out.ndim else float(out)


def _feldt(a, n, k, ci):
    p = 1 - ci
    d1 = np.asarray(n, dtype=float) - 1
    d2 = d1 * (np.asarray(k, dtype=float) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = 1 - (1 - a) * _fppf(1 - p / 2, d1, d2)
        upper = 1 - (1 - a) * _fppf(p / 2, d1, d2)
    return lower, upper


def _z(ci):
    # psych prints the Duhachek interval with the rounded 1.96; keep it for 95%
    return 1.96 if abs(ci - 0.95) < 1e-12 else stats.norm.ppf(1 - (1 - ci) / 2)


# --------------------------------------------------------------------------
# alpha
# --------------------------------------------------------------------------
@dataclass
class AlphaResult:
    """Result of :func:`alpha`: psych::alpha's tables as pandas DataFrames.

    Attributes
    ----------
    total : DataFrame (one row)
        raw_alpha, std_alpha, g6_smc, average_r, signal_noise, ase, mean, sd, median_r.
    ci : DataFrame
        Rows ``feldt``, ``duhachek`` (and ``bootstrap``); columns lower, estimate, upper.
    alpha_if_dropped : DataFrame (one row per item)
    item_stats : DataFrame (one row per item)
    response_freq : DataFrame (one row per item; share of each category and ``miss``)
    reversed : list of str
        Items that were reverse-keyed.
    dropped : list of str
        Items left out of the alpha statistics (no variance or no data).
    n_obs : int
        Respondents counted (rows of the input, as psych counts them).
    warnings : list of str
    """

    total: pd.DataFrame
    ci: pd.DataFrame
    alpha_if_dropped: pd.DataFrame
    item_stats: pd.DataFrame
    response_freq: pd.DataFrame
    reversed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    n_obs: int = 0
    nan_policy: str = "pairwise"
    warnings: list[str] = field(default_factory=list)
    boot: np.ndarray | None = field(default=None, repr=False)

    @property
    def raw_alpha(self) -> float:
        """Coefficient alpha on raw scores (``psych::alpha``'s ``raw_alpha``)."""
        return float(self.total["raw_alpha"].iloc[0])

    def summary(self) -> str:
        """Plain-text report in the layout of psych's print method."""
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            parts = [
                f"Reliability analysis ({len(self.item_stats)} items, {self.n_obs} respondents, "
                f"{self.nan_policy} missing data; reversed: {', '.join(self.reversed) or 'none'})",
                self.total.round(3).to_string(index=False),
                "\nConfidence intervals for raw alpha",
                self.ci.round(3).to_string(),
                "\nReliability if an item is dropped",
                self.alpha_if_dropped.round(3).to_string(),
                "\nItem statistics",
                self.item_stats.round(3).to_string(),
            ]
        if self.warnings:
            parts += ["\nWarnings:"] + [f"- {w}" for w in self.warnings]
        return "\n".join(parts)

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return self.summary()


def _response_freq(
    X: np.ndarray, names: list[str], scale_min=None, scale_max=None, max_categories: int = 10
) -> pd.DataFrame:
    """psych::response.frequencies: share of each observed value among an item's
    answers, plus the share missing.
    """
    n = X.shape[0]
    vals = np.unique(X[~np.isnan(X)])
    if scale_min is not None and scale_max is not None:
        full = np.arange(np.ceil(scale_min), np.floor(scale_max) + 1)
        vals = np.union1d(vals, full)
    if len(vals) > max_categories:
        return pd.DataFrame(index=pd.Index(names, name="item"))
    answered = (~np.isnan(X)).sum(axis=0)
    cols = {}
    for v in vals:
        label = str(int(v)) if float(v).is_integer() else str(v)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols[label] = (X == v).sum(axis=0) / answered
    with np.errstate(invalid="ignore", divide="ignore"):
        cols["miss"] = 1 - answered / n
    return pd.DataFrame(cols, index=pd.Index(names, name="item"))


def _prepare(items, reverse, scale_min, scale_max, nan_policy, msgs, min_items=2):
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError('nan_policy must be "pairwise" or "listwise"')
    df = _as_frame(items)
    names = list(df.columns)
    reverse = _check_reverse(reverse, names)
    if len(names) < min_items:
        raise ValueError(f"alpha needs at least {min_items} items; got {len(names)}")
    X = df.to_numpy(dtype=float)
    if nan_policy == "listwise":
        keep = ~np.isnan(X).any(axis=1)
        if not keep.all():
            _warn(msgs, f"listwise: {int((~keep).sum())} respondent(s) with any missing item were left out")
        X = X[keep]
    return X, names, reverse


def alpha(
    items: Any,
    reverse: Sequence[str] | str = (),
    *,
    scale_min: float | None = None,
    scale_max: float | None = None,
    nan_policy: str = "pairwise",
    ci: float = 0.95,
    n_boot: int = 0,
    seed: int | None = None,
) -> AlphaResult:
    r"""Cronbach's alpha with psych::alpha's full item analysis.

    Reproduces ``psych::alpha(x, keys = reverse)`` (psych 2.2.9) to 1e-6.

    Parameters
    ----------
    items : DataFrame or 2-D array
        Respondents in rows, items in columns; NaN = missing.
    reverse : sequence of str
        Reverse-keyed item names; reversed as ``scale_min + scale_max - x``.
        Items correlating negatively with the rest are reported in a warning
        but never reversed automatically.
    scale_min, scale_max : float, optional
        Response-scale bounds used for reversing. When omitted the observed
        minimum and maximum over all items are used, as psych does.
    nan_policy : {"pairwise", "listwise"}
        ``"pairwise"`` (psych's default) uses every available pair of answers;
        ``"listwise"`` first drops respondents missing any item (equal to
        ``psych::alpha(na.omit(x))``).
    ci : float
        Coverage of the Feldt, Duhachek and bootstrap intervals. For 0.95 the
        Duhachek interval uses psych's ``1.96``.
    n_boot : int
        Bootstrap resamples of respondents (percentile interval); 0 = none.
    seed : int, optional
        Seed for ``numpy.random.default_rng``; same seed, same interval.

    Returns
    -------
    AlphaResult
        ``total``, ``ci``, ``alpha_if_dropped``, ``item_stats``,
        ``response_freq``, ``warnings``.

    Notes
    -----
    * raw alpha ``k/(k-1) (1 - tr C / 1'C1)`` from the pairwise covariance
      matrix ``C``; standardised alpha, average r, S/N, median r and var r from
      ``R = cov2cor(C)``; G6(smc) ``1 - (k - sum smc)/1'R1``.
    * ``ase`` = Duhachek & Iacobucci's asymptotic standard error
      ``sqrt(Q/N)``; Feldt's interval uses ``F(N-1, (N-1)(k-1))``.
    * ``mean``/``sd``: of respondents' mean over their answered items.
      ``raw_r``: pairwise correlation of each item with that mean; ``std_r``:
      ``colSums(R)/sqrt(1'R1)``; ``r_cor``: the same with smc on the diagonal;
      ``r_drop``: item vs. rest from ``C``.

    Degenerate inputs (documented in docs/reliability.md):

    * fewer than 2 items, or fewer than 3 respondents with any answer:
      ``ValueError``;
    * an item with no variance: left out of the statistics with a warning but
      counted in the respondents' mean, as psych does;
    * an item with fewer than 2 answers (e.g. all missing): left out with a
      warning, not counted in the mean;
    * a respondent with no answers: warning; counted in ``N`` as psych does;
    * two items never answered together: ``ValueError``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> t = rng.normal(size=200)
    >>> x = pd.DataFrame({f"I{j}": np.clip(np.round(3 + t + rng.normal(size=200)), 1, 5)
    ...                   for j in range(1, 5)})
    >>> x["I4"] = 6 - x["I4"]
    >>> res = alpha(x, reverse=["I4"], scale_min=1, scale_max=5)
    >>> round(res.raw_alpha, 2)
    0.73
    >>> list(res.ci.index)
    ['feldt', 'duhachek']

    References
    ----------
    Cronbach (1951); Guttman (1945); Feldt, Woodruff & Salih (1987);
    Duhachek & Iacobucci (2004); Revelle, psych manual (``alpha``).
    """
    msgs: list[str] = []
    X, names, reverse = _prepare(items, reverse, scale_min, scale_max, nan_policy, msgs)
    nsub = X.shape[0]
    X, names, reverse, dropped, n_bad, sum_bad = _alpha_screen(X, names, list(reverse), msgs)
    freq = _response_freq(X, names, scale_min, scale_max)
    ridx = [names.index(r) for r in reverse]
    if ridx:
        lo, hi = _reverse_bounds(X, scale_min, scale_max)
        X[:, ridx] = lo + hi - X[:, ridx]
    p = X.shape[1]
    shift = np.nanmean(X, axis=0)
    N, SX, SXX, _ = _moments(X, shift)
    # respondents' mean score and item-total correlations
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        total = np.nanmean(X, axis=1)
    if n_bad:
        total = (p * total + sum_bad) / (p + n_bad)
    mean_t = float(np.nanmean(total))
    sd_t = float(np.nanstd(total, ddof=1))
    raw_r = _item_total_cor(X, total)
    item_cols = (
        (~np.isnan(X)).sum(axis=0).astype(float),
        np.nanmean(X, axis=0),
        np.nanstd(X, axis=0, ddof=1),
    )
    res = _alpha_result(N, SX, SXX, names, nsub, (mean_t, sd_t), raw_r, item_cols, ci, msgs)
    if n_boot and n_boot > 0:
        _alpha_boot_ci(res, X, int(n_boot), seed, shift, ci)
    res.response_freq, res.reversed, res.dropped, res.nan_policy = freq, list(reverse), dropped, nan_policy
    return res


def _alpha_screen(X: np.ndarray, names: list[str], reverse: list[str], msgs: list[str]):
    """Phase 1 of :func:`alpha`: refuse too little data; leave out items without
    data or variance (with a warning, as psych does).
    """
    answered_rows = (~np.isnan(X)).any(axis=1)
    if answered_rows.sum() < 3:
        raise ValueError(f"alpha needs at least 3 respondents with answers; got {int(answered_rows.sum())}")
    if (~answered_rows).any():
        _warn_unanswered(msgs, int((~answered_rows).sum()))
    # items without variance / data
    cnt = (~np.isnan(X)).sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        same = np.nanmax(X, axis=0) == np.nanmin(X, axis=0)
    nodata = cnt < 2
    novar = (~nodata) & same
    dropped = [n for n, b in zip(names, nodata | novar) if b]
    sum_bad = 0.0
    for j in np.flatnonzero(nodata):
        _warn(msgs, f"item {names[j]} has fewer than 2 answers and was left out")
    for j in np.flatnonzero(novar):
        _warn(
            msgs,
            f"item {names[j]} had no variance and was left out of the statistics "
            "but still counts in the respondents' mean (as psych does)",
        )
        sum_bad += float(np.nanmax(X[:, j]))
    keep = ~(nodata | novar)
    n_bad = int(novar.sum())
    X = X[:, keep]
    names = [n for n, k in zip(names, keep) if k]
    reverse = [r for r in reverse if r in names]
    if len(names) < 2:
        raise ValueError(f"alpha needs at least 2 items with variance; left: {names}, dropped: {dropped}")
    return X, names, reverse, dropped, n_bad, sum_bad


def _warn_unanswered(msgs: list[str], k: int) -> None:
    _warn(
        msgs,
        f"{k} respondent(s) answered none of the items; "
        "they add nothing to the covariances but are counted in N (as psych does)",
    )


def _alpha_result(
    N,
    SX,
    SXX,
    names: list[str],
    nsub: int,
    total_stats: tuple[float, float],
    raw_r: np.ndarray,
    item_cols: tuple,
    ci: float,
    msgs: list[str],
) -> AlphaResult:
    """Phase 2 of :func:`alpha`: every table from the pairwise moments of the keyed
    items, the respondents' mean score (mean, sd), the item-total correlations and
    the items' n, mean and sd.
    """
    C = _cov_from(N, SX, SXX)
    if np.isnan(C).any():
        bad = [(names[i], names[j]) for i, j in zip(*np.nonzero(np.isnan(C))) if i < j]
        raise ValueError(f"items never answered together by 2+ respondents: {bad[:5]}")
    p = C.shape[0]
    R = _cov2cor(C)
    tot = _alpha_stats(C[None], R[None])
    tot = {k: float(v[0]) for k, v in tot.items()}
    ase = np.sqrt(tot["Q"] / nsub)
    total_df = pd.DataFrame(
        [
            [
                tot["raw_alpha"],
                tot["std_alpha"],
                tot["g6_smc"],
                tot["average_r"],
                tot["signal_noise"],
                ase,
                total_stats[0],
                total_stats[1],
                tot["median_r"],
            ]
        ],
        columns=_TOTAL_COLS,
    )
    drop = _alpha_if_dropped(C, R, names, nsub)
    # item statistics
    with np.errstate(invalid="ignore", divide="ignore"):
        sumR = R.sum()
        std_r = R.sum(axis=0) / np.sqrt(sumR)
        RC = R.copy()
        RC[np.diag_indices(p)] = _smc(R)
        r_cor = RC.sum(axis=0) / np.sqrt(RC.sum())
        sumC = C.sum()
        colC = C.sum(axis=0)
        dC = np.diag(C)
        r_drop = (colC - dC) / np.sqrt(dC * (sumC - 2 * colC + dC))
    item_stats = pd.DataFrame(
        {
            "n": item_cols[0],
            "raw_r": raw_r,
            "std_r": std_r,
            "r_cor": r_cor,
            "r_drop": r_drop,
            "mean": item_cols[1],
            "sd": item_cols[2],
        },
        index=pd.Index(names, name="item"),
    )
    neg = [n for n, r in zip(names, r_drop) if r < 0]
    if neg:
        _warn(
            msgs,
            "item(s) " + ", ".join(neg) + " correlate negatively with the rest of the scale; "
            "check whether they should be reverse-keyed (they were NOT reversed)",
        )
    lo_f, hi_f = _feldt(tot["raw_alpha"], nsub, p, ci)
    z = _z(ci)
    ci_rows = {
        "feldt": [lo_f, tot["raw_alpha"], hi_f],
        "duhachek": [tot["raw_alpha"] - z * ase, tot["raw_alpha"], tot["raw_alpha"] + z * ase],
    }
    ci_df = pd.DataFrame(list(ci_rows.values()), index=list(ci_rows), columns=["lower", "estimate", "upper"])
    return AlphaResult(
        total=total_df,
        ci=ci_df,
        alpha_if_dropped=drop,
        item_stats=item_stats,
        response_freq=pd.DataFrame(),
        n_obs=nsub,
        warnings=msgs,
    )


def _alpha_if_dropped(C: np.ndarray, R: np.ndarray, names: list[str], nsub: int) -> pd.DataFrame:
    """Psych's alpha.drop table: the total statistics with each item left out."""
    p = C.shape[0]
    if p > 2:
        idx = np.array([[j for j in range(p) if j != i] for i in range(p)])
        Cd = C[idx[:, :, None], idx[:, None, :]]
        Rd = R[idx[:, :, None], idx[:, None, :]]
        d = _alpha_stats(Cd, Rd)
        return pd.DataFrame(
            {
                "raw_alpha": d["raw_alpha"],
                "std_alpha": d["std_alpha"],
                "g6_smc": d["g6_smc"],
                "average_r": d["average_r"],
                "signal_noise": d["signal_noise"],
                "alpha_se": np.sqrt(d["Q"] / nsub) if nsub > p else np.nan,
                "var_r": d["var_r"],
                "med_r": d["median_r"],
            },
            index=pd.Index(names, name="item"),
        )
    r12 = R[0, 1]
    s = _smc(R)
    return pd.DataFrame(
        {
            "raw_alpha": [C[0, 1] / C[1, 1], C[0, 1] / C[0, 0]],
            "std_alpha": [r12, r12],
            "g6_smc": [s[0], s[0]],
            "average_r": [r12, r12],
            "signal_noise": [r12 / (1 - r12)] * 2,
            "alpha_se": [np.nan, np.nan],
            "var_r": [0.0, 0.0],
            "med_r": [r12, r12],
        },
        index=pd.Index(names, name="item"),
    )


def _alpha_boot_ci(res: AlphaResult, X: np.ndarray, n_boot: int, seed, shift, ci: float) -> None:
    """Add the bootstrap percentile row to ``res.ci`` (X keyed)."""
    boot = _boot_alpha(X, n_boot, seed, shift)
    q = np.nanquantile(boot, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    a = res.raw_alpha
    res.ci = pd.concat(
        [res.ci, pd.DataFrame([[q[0], a, q[1]]], index=["bootstrap"], columns=["lower", "estimate", "upper"])]
    )
    res.boot = boot


def _item_total_cor(X: np.ndarray, total: np.ndarray) -> np.ndarray:
    """cor(total, x, use = "pairwise") for every column of X."""
    M = ~np.isnan(X) & ~np.isnan(total)[:, None]
    Mf = M.astype(float)
    t = np.where(np.isnan(total), 0.0, total - np.nanmean(total))[:, None] * Mf
    x = np.where(M, X - np.nanmean(X, axis=0), 0.0)
    n = Mf.sum(axis=0)
    st, sx = t.sum(axis=0), x.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cxy = (x * t).sum(axis=0) - st * sx / n
        vx = (x * x).sum(axis=0) - sx * sx / n
        vt = (t * t).sum(axis=0) - st * st / n
        return cxy / np.sqrt(vx * vt)


# --------------------------------------------------------------------------
# bootstrap (vectorised: every resample is a count-weighted covariance)
# --------------------------------------------------------------------------
_BOOT_CHUNK = 64
_THREADS = min(2, os.cpu_count() or 1)


def _boot_weights(rng: np.random.Generator, n: int, b: int, posmap=None, dtype=np.float64) -> np.ndarray:
    """Counts (b, n): how often each row is drawn in each of ``b`` resamples.
    ``posmap`` re-orders the columns (row i's count goes to column posmap[i]).
    """
    idx = rng.integers(0, n, size=(b, n))
    if posmap is not None:
        idx = posmap[idx]
    W = np.empty((b, n), dtype=dtype)
    for r in range(b):  # one C-level count per resample (cache-friendly)
        W[r] = np.bincount(idx[r], minlength=n)
    return W


def _design(X: np.ndarray, shift: np.ndarray):
    """Per-row products whose weighted sums give N, SX, SXX (upper triangle)."""
    M = ~np.isnan(X)
    Mf = M.astype(float)
    X0 = np.where(M, X - shift, 0.0)
    p = X.shape[1]
    iu = np.triu_indices(p)
    Z = np.concatenate(
        [
            Mf[:, iu[0]] * Mf[:, iu[1]],
            X0[:, iu[0]] * Mf[:, iu[1]],
            Mf[:, iu[0]] * X0[:, iu[1]],
            X0[:, iu[0]] * X0[:, iu[1]],
        ],
        axis=1,
    )
    return Z, iu


def _unpack(S: np.ndarray, iu, p: int):
    """Rebuild (B, p, p) N, SX, SXX from weighted sums of the design columns."""
    B = S.shape[0]
    m = len(iu[0])
    N = np.zeros((B, p, p))
    SX = np.zeros((B, p, p))
    SXX = np.zeros((B, p, p))
    N[:, iu[0], iu[1]] = S[:, :m]
    N[:, iu[1], iu[0]] = S[:, :m]
    SX[:, iu[0], iu[1]] = S[:, m : 2 * m]
    SX[:, iu[1], iu[0]] = S[:, 2 * m : 3 * m]
    SXX[:, iu[0], iu[1]] = S[:, 3 * m :]
    SXX[:, iu[1], iu[0]] = S[:, 3 * m :]
    return N, SX, SXX


def _blas_single_thread():
    """Context limiting BLAS to one thread (our own threads do the splitting;
    nested BLAS threads oversubscribe the cores). No-op without threadpoolctl.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _boot_alpha(X: np.ndarray, n_boot: int, seed, shift) -> np.ndarray:
    """Raw alpha of ``n_boot`` resamples of the rows of X (pairwise covariances).

    Each resample is a vector of counts ``w`` (rows drawn with replacement), so
    its pairwise moments are ``w'Z`` for per-row products ``Z``. Rows with every
    item answered need only ``[1, x_j, x_j x_k]``; the others need the full
    ``[m_j m_k, x_j m_k, m_j x_k, x_j x_k]``. With integer answers whose sums
    stay below 2^24 the products are exact in float32, which halves the work.
    """
    rng = np.random.default_rng(seed)
    n, p = X.shape
    M = ~np.isnan(X)
    raw = np.where(M, X, 0.0)
    exact = _integer_valued(raw) and float(np.abs(raw).max()) ** 2 * n < 2**24
    if exact:
        shift = np.zeros(p)
    dt = np.float32 if exact else np.float64
    X0 = np.where(M, X - shift, 0.0)
    complete = M.all(axis=1)
    idx_c = np.flatnonzero(complete)
    idx_i = np.flatnonzero(~complete)
    nc = len(idx_c)
    posmap = np.empty(n, dtype=np.intp)
    posmap[np.r_[idx_c, idx_i]] = np.arange(n)
    iu = np.triu_indices(p)
    Xc = X0[idx_c]
    Zc = np.concatenate([np.ones((len(idx_c), 1)), Xc, Xc[:, iu[0]] * Xc[:, iu[1]]], axis=1).astype(dt)
    Zi, _ = _design(X[idx_i], shift)
    Zi = Zi.astype(dt)
    out = np.empty(n_boot)

    def chunk_alpha(W, start):
        b = W.shape[0]
        Sc = (W[:, :nc] @ Zc).astype(float)
        Si = (W[:, nc:] @ Zi).astype(float)
        N, SX, SXX = _unpack(Si, iu, p)
        N += Sc[:, 0][:, None, None]
        SX += Sc[:, 1 : 1 + p][:, :, None]  # sum of x_j over complete rows, for every k
        T = np.zeros((b, p, p))
        T[:, iu[0], iu[1]] = Sc[:, 1 + p :]
        T[:, iu[1], iu[0]] = Sc[:, 1 + p :]
        SXX += T
        C = _cov_from(N, SX, SXX)
        trC = np.trace(C, axis1=1, axis2=2)
        sC = C.sum(axis=(1, 2))
        out[start : start + b] = (1 - trC / sC) * (p / (p - 1))

    # counts are drawn in order in this thread (same seed, same resamples);
    # the products run in _THREADS single-threaded-BLAS workers
    with _blas_single_thread(), ThreadPoolExecutor(max_workers=_THREADS) as ex:
        pending = []
        for start in range(0, n_boot, _BOOT_CHUNK):
            b = min(_BOOT_CHUNK, n_boot - start)
            W = _boot_weights(rng, n, b, posmap, dt)  # columns: complete rows first
            pending.append(ex.submit(chunk_alpha, W, start))
            if len(pending) > _THREADS:
                pending.pop(0).result()
        for f in pending:
            f.result()
    return out


# --------------------------------------------------------------------------
# alpha by group (vectorised over groups)
# --------------------------------------------------------------------------
def _group_sums(codes: np.ndarray, G: int, Z: np.ndarray) -> np.ndarray:
    """Sum rows of Z within groups: one sparse matrix product, no loop over groups."""
    n = len(codes)
    A = sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(G, n))
    return np.asarray(A @ Z)


class _Layout:
    """Rows sorted by group in a zero-padded (G, n_max, .) block, so per-group
    sums and cross-products are batched matrix products (no loop over groups).
    Falls back to one sparse matrix product when padding would exceed 4x.
    """

    def __init__(self, codes: np.ndarray, G: int):
        self.codes, self.G = codes, G
        n = len(codes)
        self.counts = np.bincount(codes, minlength=G)
        nmax = int(self.counts.max()) if G else 0
        self.padded = bool(G) and G * nmax <= 4 * n + 1000
        if self.padded:
            self.order = np.argsort(codes, kind="stable")
            self.cs = codes[self.order]
            starts = np.r_[0, np.cumsum(self.counts)[:-1]]
            self.pos = np.arange(n) - starts[self.cs]
            self.nmax = nmax

    def flat_index(self) -> np.ndarray:
        """Row of each respondent in the flattened (G * n_max) padded block."""
        if not hasattr(self, "flat"):
            self.flat = np.empty(len(self.codes), dtype=np.intp)
            self.flat[self.order] = self.cs * self.nmax + self.pos
        return self.flat

    def pad(self, A: np.ndarray, fill: float = 0.0, dtype=float) -> np.ndarray:
        self.flat_index()
        out = np.full((self.G * self.nmax, A.shape[1]), fill, dtype=dtype)
        out[self.flat] = A
        return out.reshape(self.G, self.nmax, A.shape[1])

    def sums(self, A: np.ndarray) -> np.ndarray:
        return (
            np.column_stack(
                [np.bincount(self.codes, weights=A[:, j], minlength=self.G) for j in range(A.shape[1])]
            )
            if A.shape[1]
            else np.zeros((self.G, 0))
        )


def _group_moments(
    X: np.ndarray, lay: _Layout, shift: np.ndarray, exact: bool, A=None, Xnan=None, rowtot=None, M=None
):
    """Per-group pairwise moments N, SX, SXX (G, p, p); E (G, 4): rows, rows with
    any answer, centred sum and sum of squares of the respondents' mean; group
    max and min per item (only when ``exact`` is False, else None).

    In the padded layout ``A`` is the (G, n_max, 2p) block ``[mask, x - shift]``
    (zeros for missing answers and padding): all moments are one batched product
    ``A'A``; ``rowtot`` are the respondents' means (computed here if None). For
    integer answers ``A`` may hold the answers alone (G, n_max, p) and ``M`` the
    answered mask: see :func:`_group_moments_by_missing`.
    """
    n, p = X.shape
    G = lay.G
    gmax = gmin = None
    if lay.padded:
        if A.shape[2] == p:
            N, SX, SXX = _group_moments_by_missing(A, M, X, lay)
        else:
            B = (np.swapaxes(A, 1, 2) @ A).astype(float)  # one batched product for all groups
            N, SX, SXX = B[:, :p, :p], B[:, p:, :p], B[:, p:, p:]
        if rowtot is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                rowtot = np.nanmean(X, axis=1) if p else np.full(n, np.nan)
        has = ~np.isnan(rowtot)
        tshift = float(rowtot[has].mean()) if has.any() else 0.0
        t0 = np.where(has, rowtot - tshift, 0.0)
        E = np.column_stack([lay.counts.astype(float), lay.sums(np.column_stack([has, t0, t0 * t0]))])
        if not exact:
            Mpb = ~np.isnan(Xnan)
            gmax = np.where(Mpb, Xnan, -np.inf).max(axis=1)
            gmin = np.where(Mpb, Xnan, np.inf).min(axis=1)
    else:
        M = ~np.isnan(X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            tot = np.nanmean(X, axis=1) if p else np.full(n, np.nan)
        has = ~np.isnan(tot)
        tshift = float(np.nanmean(tot)) if has.any() else 0.0
        t0 = np.where(has, tot - tshift, 0.0)
        Z, iu = _design(X, shift)
        N, SX, SXX = _unpack(_group_sums(lay.codes, G, Z), iu, p)
        if not exact:
            gmax = np.full((G, p), -np.inf)
            gmin = np.full((G, p), np.inf)
            np.maximum.at(gmax, lay.codes, np.where(M, X, -np.inf))
            np.minimum.at(gmin, lay.codes, np.where(M, X, np.inf))
        E = np.column_stack([lay.counts.astype(float), lay.sums(np.column_stack([has, t0, t0 * t0]))])
    return N, SX, SXX, E, gmax, gmin, tshift


def _group_moments_by_missing(A: np.ndarray, M: tuple, X: np.ndarray, lay: _Layout):
    """Per-group N, SX, SXX of integer answers from the padded answers (0 for missing)
    and the few missing answers: ``SXX_g = A_g'A_g`` (one batched product);
    ``N_g[j,k] = n_gj - sum_{r in g, k missing} m_rj`` and
    ``SX_g[j,k] = sum_g x_j - sum_{r in g, k missing} x_rj``. ``M`` is
    ``(answered mask, rows, columns of the missing answers)``.
    """
    G, _, p = A.shape
    SXX = (np.swapaxes(A, 1, 2) @ A).astype(float)
    colsum = A.sum(axis=1, dtype=float)
    M, mr, mc = M
    key = lay.codes[mr] * p + mc
    ind = sparse.csr_matrix((np.ones(len(key)), (key, np.arange(len(key)))), shape=(G * p, len(key)))
    dm = np.asarray(ind @ M[mr].astype(float)).reshape(G, p, p)
    dx = np.asarray(ind @ np.nan_to_num(X[mr])).reshape(G, p, p)
    cnt = lay.counts[:, None] - np.bincount(key, minlength=G * p).reshape(G, p)
    N = cnt[:, :, None] - np.swapaxes(dm, 1, 2)
    SX = colsum[:, :, None] - np.swapaxes(dx, 1, 2)
    return N, SX, SXX


def _alpha_groups(
    X: np.ndarray,
    lay: _Layout,
    ci: float,
    shift: np.ndarray,
    exact: bool,
    A=None,
    Xnan=None,
    rowtot=None,
    M=None,
) -> pd.DataFrame:
    """Total alpha table for every group of one item set (X already keyed).

    ``exact``: all answers are integers, so sums are exact and a constant item
    has variance exactly 0 (``shift`` is then 0); otherwise data are centred by
    ``shift`` and constant items are found from group max == min.
    """
    n, p = X.shape
    N, SX, SXX, E, gmax, gmin, tshift = _group_moments(X, lay, shift, exact, A, Xnan, rowtot, M)
    C = _cov_from(N, SX, SXX)
    nvalid = np.diagonal(N, axis1=1, axis2=2)
    if exact:
        var = np.diagonal(C, axis1=1, axis2=2)
        valid = (nvalid >= 2) & (var > 0)
        novar = (nvalid >= 2) & (var <= 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            const = np.diagonal(SX, axis1=1, axis2=2) / nvalid
    else:
        valid = (nvalid >= 2) & (gmax > gmin)
        novar = (nvalid >= 2) & (gmax == gmin)
        const = gmax
    pair = valid[:, :, None] & valid[:, None, :]
    C = np.where(pair, C, 0.0)
    R = _cov2cor(C + np.where(valid, 0.0, 1.0)[:, :, None] * np.eye(p)[None])
    R = np.where(pair, R, 0.0)
    st = _alpha_stats(C, R, valid)
    k = valid.sum(axis=1)
    n_rows = E[:, 0]
    n_t = E[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_t = E[:, 2] / n_t + tshift
        sd_t = np.sqrt((E[:, 3] - E[:, 2] ** 2 / n_t) / (n_t - 1))
    nbad = novar.sum(axis=1)
    redo = (~valid & (nvalid > 0)).any(axis=1)
    if redo.any():
        # respondents' mean over the group's usable items, plus the constant
        # items (psych counts a no-variance item in the score), vectorised
        codes = lay.codes
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            tv = np.nanmean(np.where(valid[codes], X, np.nan), axis=1)
        sbad = np.where(novar, const + 0.0, 0.0).sum(axis=1)
        tv = (k[codes] * tv + sbad[codes]) / (k[codes] + nbad[codes])
        hv = ~np.isnan(tv)
        tv0 = np.where(hv, tv - tshift, 0.0)
        E2 = lay.sums(np.column_stack([hv, tv0, tv0 * tv0]))
        with np.errstate(invalid="ignore", divide="ignore"):
            m2 = E2[:, 1] / E2[:, 0] + tshift
            s2 = np.sqrt((E2[:, 2] - E2[:, 1] ** 2 / E2[:, 0]) / (E2[:, 0] - 1))
        mean_t = np.where(redo, m2, mean_t)
        sd_t = np.where(redo, s2, sd_t)
    too_small = (n_t < 3) | (k < 2)
    with np.errstate(invalid="ignore"):
        ase = np.sqrt(st["Q"] / n_rows)
    lo_f, hi_f = _feldt(st["raw_alpha"], n_rows, k, ci)
    z = _z(ci)
    cols = {
        "n": n_rows.astype(int),
        "n_items": k.astype(int),
        "raw_alpha": st["raw_alpha"],
        "std_alpha": st["std_alpha"],
        "g6_smc": st["g6_smc"],
        "average_r": st["average_r"],
        "signal_noise": st["signal_noise"],
        "ase": ase,
        "mean": mean_t,
        "sd": sd_t,
        "median_r": st["median_r"],
        "feldt_lower": lo_f,
        "feldt_upper": hi_f,
        "duhachek_lower": st["raw_alpha"] - z * ase,
        "duhachek_upper": st["raw_alpha"] + z * ase,
    }
    keep = ("n", "n_items", "mean", "sd")  # too few respondents or items: no statistics, mean and sd stay
    return pd.DataFrame({c: v if c in keep else np.where(too_small, np.nan, v) for c, v in cols.items()})


def alpha_by_group(
    df: pd.DataFrame,
    items: Sequence[str] | dict,
    group: str | Sequence[str],
    reverse: Sequence[str] = (),
    *,
    scale_min: float | None = None,
    scale_max: float | None = None,
    ci: float = 0.95,
    min_n: int | None = None,
) -> pd.DataFrame:
    r"""psych::alpha's total table for every group at once.

    All groups are computed together from per-group sufficient statistics
    (pairwise counts, sums and cross-products gathered with one sparse matrix
    product), so the cost hardly grows with the number of groups. Each group's
    row equals ``psych::alpha(x[group == g, ], keys = reverse)$total``.

    Parameters
    ----------
    df : DataFrame
        Respondents in rows; holds ``items`` and the ``group`` column(s).
    items : sequence of str, or dict of name -> sequence of str
        Item columns; a dict computes several item sets (domains) in one call
        and adds a ``domain`` column.
    group : str or list of str
        Grouping column(s).
    reverse : sequence of str
        Reverse-keyed items (reversed with ``scale_min + scale_max``; when
        omitted, with the observed range of all data, as psych per data set).
    scale_min, scale_max : float, optional
        Scale bounds used for reversing.
    ci : float
        Coverage of the Feldt and Duhachek intervals.
    min_n : int, optional
        When given, groups with fewer respondents are suppressed with
        :func:`assetinv.privacy.suppress`.

    Returns
    -------
    DataFrame
        One row per group: group column(s), ``n`` (respondents), ``n_items``
        (items with variance in the group), raw_alpha, std_alpha, g6_smc,
        average_r, signal_noise, ase, mean, sd, median_r, feldt_lower,
        feldt_upper, duhachek_lower, duhachek_upper.

    Notes
    -----
    Groups with fewer than 3 respondents, or fewer than 2 items with variance,
    get NaN. An item without variance in a group is left out of that group's
    statistics (as psych does) but counted in its mean. Without scale bounds the
    reversal uses the observed range of the whole data, whereas psych on one
    group would use that group's range; pass ``scale_min``/``scale_max``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> t = rng.normal(size=300)
    >>> d = pd.DataFrame({f"I{j}": np.clip(np.round(3 + t + rng.normal(size=300)), 1, 5)
    ...                   for j in range(1, 4)})
    >>> d["school"] = np.repeat(["A", "B", "C"], 100)
    >>> alpha_by_group(d, ["I1", "I2", "I3"], "school")[["school", "n"]].to_dict("list")
    {'school': ['A', 'B', 'C'], 'n': [100, 100, 100]}

    References
    ----------
    Cronbach (1951); Feldt, Woodruff & Salih (1987); Duhachek & Iacobucci (2004);
    Revelle, psych manual.
    """
    sets = {k: list(v) for k, v in items.items()} if isinstance(items, dict) else {None: list(items)}
    allitems = list(dict.fromkeys(i for v in sets.values() for i in v))
    gcols = [group] if isinstance(group, str) else list(group)
    reverse = _check_reverse(reverse, allitems)
    ok = df[gcols].notna().all(axis=1).to_numpy()
    codes, uniq_frame = _group_codes(df, gcols, ok)
    kb = _keyed_block(df, sets, reverse, scale_min, scale_max, rows=None if ok.all() else ok)
    return _tables_by_group(kb, codes, uniq_frame, gcols, ci, min_n)


def _group_codes(df: pd.DataFrame, gcols: list[str], ok: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group codes of the rows with every grouping column present, and the groups."""
    sub = df[gcols]
    if len(gcols) > 1:
        return _multi_codes(sub[ok], gcols)
    codes, uniques = pd.factorize(sub[gcols[0]][ok], sort=True)
    return codes, pd.DataFrame({gcols[0]: np.asarray(uniques)})


def _parts(nrow: int) -> list[slice]:
    """Row halves for the two worker threads (numpy releases the GIL); one part when small."""
    return (
        [slice(0, nrow // 2), slice(nrow // 2, nrow)] if _THREADS > 1 and nrow > 20000 else [slice(0, nrow)]
    )


def _run_parts(fn, args: list) -> list:
    if len(args) > 1:
        with ThreadPoolExecutor(max_workers=len(args)) as ex:
            return list(ex.map(lambda a_: fn(*a_), args))
    return [fn(*a_) for a_ in args]


@dataclass
class _KeyedBlock:
    """Keyed answers of several item sets side by side, prepared once and shared by
    :func:`alpha_by_group` and :func:`instrument_reliability`.

    ``X`` keyed answers (NaN missing), ``M`` answered, ``raws`` keyed answers with 0
    for missing, ``rowtots`` each respondent's mean per item set, ``exact`` all
    answers moderate integers, ``big`` the largest absolute answer.
    """

    sets: dict
    starts: list
    X: np.ndarray
    M: np.ndarray
    raws: np.ndarray
    rowtots: np.ndarray
    exact: bool
    big: float
    codes: np.ndarray | None = None  # int16 keyed answers (0 for missing) when all are integers
    _cache: dict = field(default_factory=dict, repr=False)

    def block(self, i: int) -> slice:
        k = len(list(self.sets.values())[i])
        return slice(self.starts[i], self.starts[i] + k)

    def missing(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and (set-relative) columns of the missing answers of item set ``i``,
        found once for all sets (cached).
        """
        if "missing" not in self._cache:
            self._cache["missing"] = np.nonzero(~self.M)
        mr, mc = self._cache["missing"]
        blk = self.block(i)
        sel = (mc >= blk.start) & (mc < blk.stop)
        return mr[sel], mc[sel] - blk.start

    def value_counts(self, vals: np.ndarray) -> np.ndarray:
        """(len(vals), ncol) counts of each integer keyed value (0 also counts the
        missing answers), for all sets at once (cached).
        """
        key = ("counts", tuple(int(v) for v in vals))
        if key not in self._cache:
            c = self.codes
            assert c is not None  # value_counts is used only when every answer is an integer
            lo, hi = int(min(vals[0], 0)), int(vals[-1])
            if c.size and (int(c.min()) < lo or int(c.max()) > hi):  # off the range: count each value
                self._cache[key] = np.stack([np.count_nonzero(c == v, axis=0) for v in vals])
            else:  # one bincount of (value, column) for every answer
                w = hi - lo + 1
                idx = (c.astype(np.intp) - lo) + w * np.arange(c.shape[1])
                allc = np.bincount(idx.ravel(), minlength=w * c.shape[1]).reshape(c.shape[1], w).T
                self._cache[key] = allc[np.asarray(vals, dtype=int) - lo]
        return self._cache[key]

    def answers(self, dtype) -> np.ndarray:
        """``(n + 1, ncol)``: the keyed answers (0 if missing) as ``dtype`` and a last
        row of zeros (what padding slots gather). Cached.
        """
        key = np.dtype(dtype).str
        if key not in self._cache:
            n, ncol = self.X.shape
            F = np.empty((n + 1, ncol), dtype=dtype)
            F[n] = 0
            src = self.raws if self.codes is None else self.codes

            def _fill(sl):
                F[sl] = src[sl]

            _run_parts(_fill, [(sl,) for sl in _parts(n)])
            self._cache[key] = F
        return self._cache[key]


def _keyed_block(
    df: pd.DataFrame, sets: dict, reverse: list[str], scale_min, scale_max, rows: np.ndarray | None = None
) -> _KeyedBlock:
    """One copy of the item columns (a column per item of each set), reversed on the way."""
    order_items = [i for its in sets.values() for i in its]
    ncol = len(order_items)
    sel = df[list(dict.fromkeys(order_items))]
    if not all(dt == np.float64 for dt in sel.dtypes):
        sel = _as_frame(sel)
    Xcat = sel.to_numpy(dtype=float, copy=True)
    if len(set(order_items)) != ncol:  # an item in several sets
        Xcat = Xcat[:, [list(sel.columns).index(i) for i in order_items]]
    if rows is not None:
        Xcat = Xcat[rows]
    rcols = [j for j, it in enumerate(order_items) if it in reverse]
    lo, hi = _reverse_bounds(Xcat, scale_min, scale_max) if rcols else (0.0, 0.0)
    nrow = Xcat.shape[0]
    M = np.empty(Xcat.shape, dtype=bool)
    raws = np.zeros_like(Xcat)
    sizes = [len(v) for v in sets.values()]
    starts = [int(v) for v in np.cumsum([0] + sizes)[:-1]]
    rowtots = np.empty((nrow, len(sets)))
    codes = np.empty(Xcat.shape, dtype=np.int16)

    def _phase1(sl):
        Xs = Xcat[sl]  # a view: reversal happens in place
        if rcols:
            Xs[:, rcols] = lo + hi - Xs[:, rcols]
        Ms = M[sl]
        np.isnan(Xs, out=Ms)
        np.logical_not(Ms, out=Ms)
        rs = raws[sl]
        np.copyto(rs, Xs, where=Ms)
        # respondents' mean per item set, summed as np.nanmean sums (same bits)
        with np.errstate(invalid="ignore", divide="ignore"):
            for j, k in enumerate(sizes):
                cols = slice(starts[j], starts[j] + k)
                rowtots[sl, j] = rs[:, cols].sum(axis=1) / Ms[:, cols].sum(axis=1, dtype=np.intp)
        # integer answers: the int16 copy is equal (it also serves the counts of each answer)
        cs = codes[sl]
        np.copyto(cs, rs, casting="unsafe")
        if bool(np.array_equal(cs, rs)):
            return True, float(max(int(cs.max()), -int(cs.min()))) if cs.size else 0.0
        return _integer_valued(rs), float(np.abs(rs).max()) if rs.size else 0.0

    p1 = _run_parts(_phase1, [(sl,) for sl in _parts(nrow)])
    exact, big = all(r[0] for r in p1), max(r[1] for r in p1)
    return _KeyedBlock(
        sets=sets,
        starts=starts,
        X=Xcat,
        M=M,
        raws=raws,
        rowtots=rowtots,
        exact=exact,
        big=big,
        codes=codes if exact and big < 2**15 else None,
    )


def _gather_padded(F: np.ndarray, lay: _Layout) -> np.ndarray:
    """The (G, n_max, width) padded block: each slot gathers its respondent's row of
    ``F`` (padding gathers F's last row, zeros).
    """
    n = F.shape[0] - 1
    src = np.full(lay.G * lay.nmax, n, dtype=np.intp)
    src[lay.flat_index()] = np.arange(n)
    out = np.empty((len(src), F.shape[1]), dtype=F.dtype)

    def _take(sl):
        np.take(F, src[sl], axis=0, out=out[sl], mode="clip")  # "raise" would buffer

    _run_parts(_take, [(sl,) for sl in _parts(len(src))])
    return out.reshape(lay.G, lay.nmax, F.shape[1])


def _scatter_padded(kb: _KeyedBlock, lay: _Layout, shift_cat: np.ndarray) -> np.ndarray:
    """The padded block ``[answered, answer - shift]`` per item set, for answers that
    are not all integers (float64, centred for accuracy).
    """
    ncol = kb.X.shape[1]
    Apad = np.zeros((lay.G * lay.nmax, 2 * ncol))
    flat = lay.flat_index()

    def _phase2(sl):
        Ms, raws = kb.M[sl], kb.raws[sl]
        buf = np.empty((raws.shape[0], 2 * ncol))
        for st, its in zip(kb.starts, kb.sets.values()):
            k = len(its)
            buf[:, 2 * st : 2 * st + k] = Ms[:, st : st + k]
            buf[:, 2 * st + k : 2 * st + 2 * k] = (
                raws[:, st : st + k] - shift_cat[st : st + k] * Ms[:, st : st + k]
            )
        Apad[flat[sl]] = buf

    _run_parts(_phase2, [(sl,) for sl in _parts(kb.X.shape[0])])
    return Apad.reshape(lay.G, lay.nmax, 2 * ncol)


def _tables_by_group(
    kb: _KeyedBlock,
    codes: np.ndarray,
    uniq_frame: pd.DataFrame,
    gcols: list[str],
    ci: float,
    min_n: int | None,
) -> pd.DataFrame:
    """alpha_by_group's tables from a prepared keyed block and the rows' group codes."""
    sets, Xcat, exact = kb.sets, kb.X, kb.exact
    ncol = Xcat.shape[1]
    G = len(uniq_frame)
    lay = _Layout(codes, G)
    if exact:
        shift_cat = np.zeros(ncol)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            shift_cat = np.nan_to_num(np.nanmean(Xcat, axis=0))
    Apad = Xnan = rowtots = None
    if lay.padded:
        rowtots = kb.rowtots
        if exact:
            # integer answers with small sums: float32 products are exact and twice as fast
            dt = np.float32 if kb.big * kb.big * max(lay.nmax, 1) < 2**23 else np.float64
            Apad = _gather_padded(kb.answers(dt), lay)
        else:
            Apad = _scatter_padded(kb, lay, shift_cat)
            Xnan = lay.pad(Xcat, np.nan)
    jobs, start = [], 0
    for i, its in enumerate(sets.values()):
        blk = slice(start, start + len(its))
        k = len(its)
        if Apad is None:
            ablk = None
        elif exact:
            ablk = Apad[:, :, blk]
        else:
            ablk = Apad[:, :, 2 * start : 2 * start + 2 * k]
        jobs.append(
            (
                Xcat[:, blk],
                lay,
                ci,
                shift_cat[blk],
                exact,
                ablk,
                None if Xnan is None else Xnan[:, :, blk],
                None if rowtots is None else rowtots[:, i],
                (kb.M[:, blk],) + kb.missing(i),
            )
        )
        start += k
    # one task per item set (domain), never per group; numpy releases the GIL,
    # so two threads use both cores
    with _blas_single_thread():
        if len(jobs) > 1 and _THREADS > 1:
            with ThreadPoolExecutor(max_workers=min(_THREADS, len(jobs))) as ex:
                results = list(ex.map(lambda j: _alpha_groups(*j), jobs))
        else:
            results = [_alpha_groups(*j) for j in jobs]
    tables = []
    for name, t in zip(sets, results):
        for c in reversed(gcols):
            t.insert(0, c, uniq_frame[c].to_numpy())
        if name is not None:
            t.insert(0, "domain", name)
        tables.append(t)
    out = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    if min_n is not None:
        stat_cols = [c for c in out.columns if c not in gcols + ["domain", "n"]]
        out = suppress(out, stat_cols, n_column="n", min_n=min_n)
    return out.reset_index(drop=True)


def _integer_valued(raw: np.ndarray) -> bool:
    """All answers (``raw``: answers with 0 for missing) are moderate integers,
    so sums of their products are exact.
    """
    if raw.size == 0:
        return True
    if max(raw.max(), -raw.min()) >= 2**20:
        return False
    return bool(np.array_equal(raw, np.rint(raw)))


def _multi_codes(sub: pd.DataFrame, gcols):
    codes_list, levels = [], []
    for c in gcols:
        cc, u = pd.factorize(sub[c], sort=True)
        codes_list.append(cc)
        levels.append(np.asarray(u))
    combo = np.zeros(len(sub), dtype=np.int64)
    for cc, u in zip(codes_list, levels):
        combo = combo * len(u) + cc
    codes, uc = pd.factorize(combo, sort=True)
    uc = np.asarray(uc)
    parts = {}
    for c, u in reversed(list(zip(gcols, levels))):
        parts[c] = u[uc % len(u)]
        uc = uc // len(u)
    return codes, pd.DataFrame({c: parts[c] for c in gcols})


# --------------------------------------------------------------------------
# omega total (one-factor minres, as psych::fa / psych::omega)
# --------------------------------------------------------------------------
@dataclass
class OmegaResult:
    """Result of :func:`omega_total`.

    Attributes
    ----------
    omega_total : float
    loadings : Series (one-factor minres loadings)
    uniquenesses : Series (``u2 = 1 - h2``)
    ci : DataFrame (row ``bootstrap`` when ``n_boot > 0``; lower, estimate, upper)
    converged : bool
    warnings : list of str
    """

    omega_total: float
    loadings: pd.Series
    uniquenesses: pd.Series
    ci: pd.DataFrame
    converged: bool = True
    warnings: list[str] = field(default_factory=list)
    boot: np.ndarray | None = field(default=None, repr=False)

    def summary(self) -> str:
        """Omega total and the loadings, as text."""
        s = f"McDonald's omega total (one factor, minres) = {self.omega_total:.4f}\n"
        s += pd.DataFrame({"loading": self.loadings, "u2": self.uniquenesses}).round(3).to_string()
        if len(self.ci):
            s += "\n" + self.ci.round(3).to_string()
        return s

    def __repr__(self) -> str:  # pragma: no cover
        return self.summary()


def _minres_1f(S: np.ndarray):
    """One-factor minres as psych::fa(S, 1, fm = "minres").

    Mirrors psych: start ``1 - smc``, L-BFGS-B on the off-diagonal squared
    residuals with psych's gradient, ``parscale = 0.01``, bounds
    ``[0.005, max(smc, 1)]``, R's default ``factr = 1e7`` and 5 corrections;
    loadings from the eigen decomposition of ``S - diag(psi)``.
    """
    p = S.shape[0]
    smc = _smc(S)
    upper = max(smc.max(), 1.0)
    start = np.diag(S) - smc
    il = np.tril_indices(p, -1)
    scale = 0.01

    def loads(psi):
        Sd = S.copy()
        Sd[np.diag_indices(p)] = 1 - psi
        w, v = np.linalg.eigh(Sd)
        w = np.where(w < _EPS, 100 * _EPS, w)
        return v[:, -1] * np.sqrt(w[-1])

    def fn(par):
        psi = par * scale
        L = loads(psi)
        res = (S - np.outer(L, L))[il]
        return float((res * res).sum())

    def gr(par):
        psi = par * scale
        Sstar = S - np.diag(psi)
        w, v = np.linalg.eigh(Sstar)
        L = v[:, -1] * np.sqrt(max(w[-1], 0.0))
        g = np.diag(np.outer(L, L) + np.diag(psi) - S)
        return g * scale

    res = optimize.minimize(
        fn,
        start / scale,
        jac=gr,
        method="L-BFGS-B",
        bounds=[(0.005 / scale, upper / scale)] * p,
        options={"maxcor": 5, "ftol": 1e7 * _EPS, "gtol": 0.0, "maxiter": 100},
    )
    psi = res.x * scale
    Sd = S - np.diag(psi)
    w, v = np.linalg.eigh(Sd)
    L = v[:, -1] * np.sqrt(max(w[-1], 0.0))
    if L.sum() < 0:
        L = -L
    L[L == 0] = 1e-15
    return L, bool(res.success)


def _omega_from_R(R: np.ndarray, names, msgs):
    L, ok = _minres_1f(R)
    key = np.sign(L)
    key[key == 0] = 1
    if (key < 0).any():
        neg = [n for n, k in zip(names, key) if k < 0]
        _warn(
            msgs,
            "item(s) " + ", ".join(neg) + " load negatively on the factor; psych::omega "
            "flips them for omega total, and so does this (check their keying)",
        )
        R = R * np.outer(key, key)
        L = L * key
    u2 = 1 - L * L
    Vt = R.sum()
    return (Vt - u2.sum()) / Vt, L, u2, ok


def _warn_miskeyed(R: np.ndarray, names, reverse, msgs) -> None:
    """Warn when an item correlates negatively with the rest of the (keyed) scale.

    Omega flips such items (as psych::omega does), so it then describes a scale
    scored with the item reversed, not the scale as it is scored: an
    undeclared mis-keyed item makes omega describe another scale.
    """
    k = R.shape[0]
    tot = R.sum()
    for i in range(k):
        rest = tot - 2 * R[i].sum() + R[i, i]
        r_rest = (R[i].sum() - R[i, i]) / np.sqrt(rest) if rest > 0 else np.nan
        if np.isfinite(r_rest) and r_rest < 0:
            declared = names[i] in reverse
            _warn(
                msgs,
                f"item {names[i]} correlates negatively with the rest of the scale "
                f"(standardised item-rest r = {r_rest:.2f})"
                + (
                    " even after its declared reversal: check its key"
                    if declared
                    else " and is not declared reverse-keyed: omega flips it, so it describes the scale "
                    f"with {names[i]} reversed, not the scale as scored; declare the key or check the item"
                ),
            )


def omega_total(
    items: Any,
    reverse: Sequence[str] | str = (),
    *,
    scale_min: float | None = None,
    scale_max: float | None = None,
    nan_policy: str = "pairwise",
    ci: float = 0.95,
    n_boot: int = 0,
    seed: int | None = None,
) -> OmegaResult:
    r"""McDonald's omega total from a one-factor minimum-residual fit.

    Reproduces ``psych::omega(x, nfactors = 1)$omega.tot``: the pairwise
    correlation matrix ``R`` (``cor(x, use = "pairwise")``) is fitted by
    ``psych::fa(R, 1, fm = "minres")``; with loadings ``l`` and uniquenesses
    ``u2 = 1 - l^2``, ``omega_t = (1'R1 - sum(u2)) / 1'R1``.

    Parameters
    ----------
    items : DataFrame or 2-D array
    reverse : sequence of str
        Reverse-keyed items (reversed before the fit).
    scale_min, scale_max : float, optional
        Scale bounds for reversing (default: observed range, as psych).
    nan_policy : {"pairwise", "listwise"}
    ci : float
        Coverage of the bootstrap percentile interval.
    n_boot : int
        Bootstrap resamples of respondents (0 = no interval).
    seed : int, optional
        Seed; same seed, same interval.

    Returns
    -------
    OmegaResult

    Notes
    -----
    The fit follows psych's optimiser (L-BFGS-B from ``1 - smc`` with psych's
    gradient and R's default tolerance); agreement with R is ~1e-7 to 1e-6
    (see docs/reliability.md). Items with negative loadings are flipped for
    omega, as psych::omega does, with a warning. Fewer than 3 items: ValueError
    (one factor is not identified).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> t = rng.normal(size=300)
    >>> x = pd.DataFrame({f"I{j}": t * l + rng.normal(size=300) for j, l in enumerate([.9, .8, .7, .6])})
    >>> round(omega_total(x).omega_total, 2)
    0.68

    References
    ----------
    McDonald (1999); Revelle, psych manual (``omega``, ``fa``).
    """
    msgs: list[str] = []
    X, names, reverse = _prepare(items, reverse, scale_min, scale_max, nan_policy, msgs, min_items=3)
    ridx = [names.index(r) for r in reverse]
    if ridx:
        lo, hi = _reverse_bounds(X, scale_min, scale_max)
        X[:, ridx] = lo + hi - X[:, ridx]
    if (~np.isnan(X)).any(axis=1).sum() < 3:
        raise ValueError("omega needs at least 3 respondents with answers")
    shift = np.nanmean(X, axis=0)
    N, SX, SXX, SQ = _moments(X, shift)
    res = _omega_result(_paircor_from(N, SX, SXX, SQ), names, list(reverse), msgs)
    if n_boot and n_boot > 0:
        res.boot = _boot_omega(X, int(n_boot), seed, shift)
        q = np.nanquantile(res.boot, [(1 - ci) / 2, 1 - (1 - ci) / 2])
        res.ci = pd.DataFrame.from_dict(
            {"bootstrap": [q[0], res.omega_total, q[1]]},
            orient="index",
            columns=["lower", "estimate", "upper"],
        )
    return res


def _omega_result(R: np.ndarray, names: list[str], reverse: list[str], msgs: list[str]) -> OmegaResult:
    """Omega total from the pairwise correlation matrix of the keyed items."""
    if np.isnan(R).any():
        raise ValueError("omega needs every pair of items answered together and every item to vary")
    _warn_miskeyed(R, names, reverse, msgs)
    om, L, u2, ok = _omega_from_R(R, names, msgs)
    if not ok:
        _warn(msgs, "the minres fit did not converge")
    ci_df = pd.DataFrame.from_dict({}, orient="index", columns=["lower", "estimate", "upper"])
    return OmegaResult(
        omega_total=float(om),
        loadings=pd.Series(L, index=names, name="loading"),
        uniquenesses=pd.Series(u2, index=names, name="u2"),
        ci=ci_df,
        converged=ok,
        warnings=msgs,
    )


def _boot_omega(X, n_boot, seed, shift):
    rng = np.random.default_rng(seed)
    n, p = X.shape
    Z, iu = _design(X, shift)
    X0 = np.where(np.isnan(X), 0.0, X - shift)
    Mf = (~np.isnan(X)).astype(float)
    Zq = np.concatenate([(X0 * X0)[:, iu[0]] * Mf[:, iu[1]], Mf[:, iu[0]] * (X0 * X0)[:, iu[1]]], axis=1)
    Zall = np.concatenate([Z, Zq], axis=1)
    m = len(iu[0])
    out = np.empty(n_boot)
    sink: list[str] = []
    for start in range(0, n_boot, _BOOT_CHUNK):
        b = min(_BOOT_CHUNK, n_boot - start)
        W = _boot_weights(rng, n, b)
        S = W @ Zall
        N, SX, SXX = _unpack(S[:, : 4 * m], iu, p)
        SQ = np.zeros((b, p, p))
        SQ[:, iu[0], iu[1]] = S[:, 4 * m : 5 * m]
        SQ[:, iu[1], iu[0]] = S[:, 5 * m :]
        R = _paircor_from(N, SX, SXX, SQ)
        for i in range(b):  # one small optimisation per resample
            if np.isnan(R[i]).any():
                out[start + i] = np.nan
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[start + i] = _omega_from_R(R[i], [""] * p, sink)[0]
    return out


# --------------------------------------------------------------------------
# multilevel: ICC(1), ICC(2), group-mean reliability, rwg
# --------------------------------------------------------------------------
@dataclass
class GroupReliability:
    """Result of :func:`group_reliability`.

    Attributes
    ----------
    table : DataFrame
        One row per column: column, icc1, icc2, f, n_groups, mean_group_size,
        note (why a value was bounded or is NaN; empty otherwise).
    by_group : DataFrame
        Tidy: group, column, n, reliability (Spearman-Brown group-mean
        reliability for the group's own size), suppressed.
    warnings : list of str
    """

    table: pd.DataFrame
    by_group: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _icc_other(method, n, s1, s2, MSb, MSw, npr, icc1, icc2):
    """ICC(1)/ICC(2) by the one-way ANOVA n0 or REML (see assetinv._icc)."""
    from ._icc import icc1_reml
    from ._icc import n0 as _n0

    icc1 = np.array(icc1, dtype=float)
    icc2 = np.array(icc2, dtype=float)
    for j in range(n.shape[1]):
        if method == "anova":
            m0 = _n0(n[:, j])
            with np.errstate(invalid="ignore", divide="ignore"):
                icc1[j] = (MSb[j] - MSw[j]) / (MSb[j] + (m0 - 1) * MSw[j])
        else:
            icc1[j] = icc1_reml(n[:, j], s1[:, j], s2[:, j])[0]
            with np.errstate(invalid="ignore", divide="ignore"):
                icc2[j] = npr[j] * icc1[j] / (1 + (npr[j] - 1) * icc1[j])
    return icc1, icc2


def _bound_iccs(icc1, icc2, MSb, MSw, few):
    """Keep ICC(1)/ICC(2) in [0, 1]; a note says what was changed and why."""
    icc1 = np.array(icc1, dtype=float)
    icc2 = np.array(icc2, dtype=float)
    notes = []
    for j in range(len(icc1)):
        note = ""
        if few[j]:
            pass
        elif not (MSw[j] > 0) and not (MSb[j] > 0):
            icc1[j] = icc2[j] = np.nan
            note = "no variance: every answer is the same, so ICC(1) and ICC(2) are undefined (NaN)"
        elif not (MSb[j] > 1e-12 * max(MSw[j], 1e-300)):
            icc1[j] = icc2[j] = 0.0
            note = (
                "all group means are equal: groups do not differ, so ICC(1), ICC(2) and every "
                "group-mean reliability are 0"
            )
        elif icc1[j] < 0 or icc2[j] < 0:
            note = (
                f"ICC(1) estimated below 0 ({icc1[j]:.4f}; ICC(2) {icc2[j]:.4f}): groups differ less "
                "than chance alone would make them, so ICC(1), ICC(2) and group-mean reliabilities are "
                "reported as 0"
            )
            icc1[j] = max(icc1[j], 0.0)
            icc2[j] = max(icc2[j], 0.0)
        notes.append(note)
    return np.minimum(icc1, 1.0), np.minimum(icc2, 1.0), notes


def group_reliability(
    df: pd.DataFrame,
    columns: Sequence[str] | str,
    group: str,
    *,
    min_n: int = MIN_N,
    method: str = "statsby",
    bounded: bool = True,
) -> GroupReliability:
    r"""ICC(1), ICC(2) and group-mean reliability of scores of people nested in groups.

    Reproduces ``psych::statsBy(df[c(columns, group)], group)``'s ``ICC1``,
    ``ICC2`` and ``F`` exactly, including its handling of unequal group sizes:
    with ``n_j`` the answers in group ``j`` (groups with none left out),
    ``MSb = sum n_j (m_j - m)^2 / (G - 1)``, ``MSw = sum (n_j - 1) s_j^2 / sum (n_j - 1)``,
    ``nbar = sum n_j / G``, ``ICC1 = (MSb - MSw)/(MSb + (nbar - 1) MSw)``,
    ``ICC2 = (MSb - MSw)/MSb``, ``F = MSb/MSw``. Each group's mean has
    reliability ``n_j ICC1 / (1 + (n_j - 1) ICC1)`` (Spearman-Brown for its own size).

    Parameters
    ----------
    df : DataFrame
    columns : str or sequence of str
        Score columns (e.g. domain scores).
    group : str
        Grouping column (e.g. ``school``); rows with a missing group are left out.
    min_n : int
        Groups with fewer answers get their per-group reliability suppressed
        (``assetinv.privacy.suppress``). The ICCs use every group.
    method : {"statsby", "anova", "reml"}
        ICC(1) estimator for unequal group sizes. ``"statsby"`` (default, as
        psych): ``nbar = N/G`` in the ANOVA formula. ``"anova"``: the one-way
        ANOVA estimator with ``n0 = (N - sum n_j^2/N)/(G - 1)``. ``"reml"``:
        ``tau^2/(tau^2 + sigma^2)`` of the REML random-intercept model (equal to
        ``lme4::VarCorr``). ICC(2) is ``(MSb - MSw)/MSb`` for the two ANOVA
        methods and the Spearman-Brown value at ``nbar`` for REML. With equal
        group sizes the three ICC(1)s coincide; with schools of very different
        sizes they differ (``nbar`` over-weights the large schools).
    bounded : bool
        ``True`` (default): ICC(1), ICC(2) and every group-mean reliability are
        kept within [0, 1]. A negative estimate (the groups differ less than
        chance would make them) is reported as 0 and the ``note`` column gives the
        raw value; all group means equal gives 0 with a note, no variance at all
        gives NaN with a note. ``False``: psych's raw values (may be negative,
        ICC(2) may be ``-inf``), for comparison with R.

    Returns
    -------
    GroupReliability
        ``table`` (column, icc1, icc2, f, n_groups, mean_group_size, note) and
        ``by_group`` (group, column, n, reliability, suppressed).

    Notes
    -----
    A single group (or none): ICC1/ICC2/F are NaN with a warning.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"school": list("AAAABBBBCCCC"),
    ...                   "score": [3, 3.5, 4, 3.5, 2, 2.5, 2, 3, 4, 4.5, 5, 4.5]})
    >>> gr = group_reliability(d, "score", "school", min_n=3)
    >>> round(float(gr.table["icc1"].iloc[0]), 3)
    0.852

    References
    ----------
    Shrout & Fleiss (1979); Bliese (2000); Revelle, psych manual (``statsBy``).
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    if method not in ("statsby", "anova", "reml"):
        raise ValueError(f"method must be 'statsby', 'anova' or 'reml', not {method!r}")
    g = df[group]
    ok = g.notna().to_numpy()
    codes, uniques = pd.factorize(g[ok], sort=True)
    X = _as_frame(df.loc[ok, columns]).to_numpy(dtype=float)
    return _group_reliability_core(X, codes, np.asarray(uniques), columns, min_n, method, bounded)


def _group_reliability_core(
    X: np.ndarray,
    codes: np.ndarray,
    uniques: np.ndarray,
    columns: list[str],
    min_n: int,
    method: str,
    bounded: bool,
) -> GroupReliability:
    """:func:`group_reliability` on scores ``X`` (rows with a group) and their group codes."""
    msgs: list[str] = []
    G = len(uniques)
    M = ~np.isnan(X)
    shift = np.where(M.any(axis=0), np.nanmean(np.where(M, X, np.nan), axis=0) if M.any() else 0, 0.0)
    X0 = np.where(M, X - shift, 0.0)
    S = _group_sums(codes, G, np.concatenate([M.astype(float), X0, X0 * X0], axis=1))
    c = len(columns)
    n, s1, s2 = S[:, :c], S[:, c : 2 * c], S[:, 2 * c :]
    with np.errstate(invalid="ignore", divide="ignore"):
        mj = s1 / n
        ssw = s2 - s1 * s1 / n  # within sum of squares per group
        has = n > 0
        nG = has.sum(axis=0)
        N = n.sum(axis=0)
        GM = s1.sum(axis=0) / N
        MSb = np.where(has, n * (mj - GM) ** 2, 0).sum(axis=0) / (nG - 1)
        MSw = np.where(n > 1, ssw, 0).sum(axis=0) / np.where(has, n - 1, 0).sum(axis=0)
        npr = N / nG
        icc1 = (MSb - MSw) / (MSb + MSw * (npr - 1))
        icc2 = (MSb - MSw) / MSb
        F = MSb / MSw
    if method != "statsby":
        icc1, icc2 = _icc_other(method, n, s1, s2, MSb, MSw, npr, icc1, icc2)
    few = nG < 2
    if few.any():
        _warn(
            msgs,
            "fewer than 2 groups for "
            + ", ".join(np.asarray(columns)[few])
            + ": ICC1, ICC2 and F are undefined (NaN)",
        )
        icc1 = np.where(few, np.nan, icc1)
        icc2 = np.where(few, np.nan, icc2)
        F = np.where(few, np.nan, F)
    notes = [""] * c
    if bounded:
        icc1, icc2, notes = _bound_iccs(icc1, icc2, MSb, MSw, few)
    table = pd.DataFrame(
        {
            "column": columns,
            "icc1": icc1,
            "icc2": icc2,
            "f": F,
            "n_groups": nG.astype(int),
            "mean_group_size": npr,
            "note": notes,
        }
    )
    nn = n.ravel(order="C")
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = (n * icc1) / (1 + (n - 1) * icc1)
    if bounded:
        rel = np.clip(rel, 0.0, 1.0)
    by = pd.DataFrame(
        {
            "group": np.repeat(np.asarray(uniques), c),
            "column": np.tile(columns, G),
            "n": nn.astype(int),
            "reliability": np.where(n > 0, rel, np.nan).ravel(order="C"),
        }
    )
    by = suppress(by, ["reliability"], n_column="n", min_n=min_n)
    by = by.sort_values(["group", "column"], kind="mergesort").reset_index(drop=True)
    return GroupReliability(table=table, by_group=by, warnings=msgs)


def _resolve_group(items, group):
    if isinstance(group, str) and isinstance(items, pd.DataFrame) and group in items.columns:
        return items.drop(columns=[group]), items[group]
    if isinstance(items, pd.Series):
        items = items.to_frame()
    g = group if isinstance(group, pd.Series) else pd.Series(np.asarray(group))
    if len(g) != len(items):
        raise ValueError("group must have one value per row of items")
    return items, g.reset_index(drop=True)


def rwg_j(items: Any, group: Any, n_options: int) -> pd.DataFrame:
    r"""Within-group agreement rwg(j) over several items (James, Demaree & Wolf 1984).

    Reproduces ``multilevel::rwg.j(items, group, ranvar = (A^2 - 1)/12)``:
    respondents missing any item are dropped (as multilevel does), ``sbar^2`` is
    the mean of the item variances in the group, truncated to the null variance
    ``sigma_E^2 = (A^2 - 1)/12`` of a uniform ``A``-option scale, and
    ``rwg(j) = J(1 - sbar^2/sigma_E^2) / (J(1 - sbar^2/sigma_E^2) + sbar^2/sigma_E^2)``,
    which is therefore between 0 and 1.

    Parameters
    ----------
    items : DataFrame or 2-D array
        The ``J`` items (may also hold the group column, named by ``group``).
    group : str or array-like
        Group of each row, or the name of a column of ``items``.
    n_options : int
        Number of response options ``A`` (5 for a 1..5 Likert scale).

    Returns
    -------
    DataFrame
        group, n (complete respondents), rwg_j (NaN for groups with one respondent).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"g": list("AAABBB"), "i1": [4, 4, 5, 1, 5, 3], "i2": [4, 5, 4, 2, 5, 1]})
    >>> rwg_j(d[["i1", "i2"]], d["g"], 5).round(3).to_dict("list")
    {'group': ['A', 'B'], 'n': [3, 3], 'rwg_j': [0.909, 0.0]}

    References
    ----------
    James, Demaree & Wolf (1984, 1993); Bliese (2000); R package multilevel (``rwg.j``).
    """
    X, g = _resolve_group(items, group)
    X = _as_frame(X).to_numpy(dtype=float)
    ranvar = (n_options**2 - 1) / 12.0
    ok = ~np.isnan(X).any(axis=1) & g.notna().to_numpy()
    X = X[ok]
    codes, uniques = pd.factorize(g[ok], sort=True)
    G, J = len(uniques), X.shape[1]
    shift = X.mean(axis=0) if len(X) else np.zeros(J)
    X0 = X - shift
    S = _group_sums(codes, G, np.concatenate([np.ones((len(X), 1)), X0, X0 * X0], axis=1))
    n = S[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (S[:, 1 + J :] - S[:, 1 : 1 + J] ** 2 / n[:, None]) / (n[:, None] - 1)
        s = np.minimum(var.mean(axis=1), ranvar)
        a = J * (1 - s / ranvar)
        r = a / (a + s / ranvar)
    r = np.where(n > 1, r, np.nan)
    return pd.DataFrame({"group": np.asarray(uniques), "n": n.astype(int), "rwg_j": r})


def rwg(item: Any, group: Any, n_options: int) -> pd.DataFrame:
    r"""Single-item within-group agreement rwg (James, Demaree & Wolf 1984).

    Reproduces ``multilevel::rwg(x, group, ranvar = (A^2 - 1)/12)``:
    ``rwg = 1 - s^2/sigma_E^2`` with the group variance ``s^2`` truncated to the
    uniform null variance, so rwg is in [0, 1]; NaN for a group with one answer.

    Parameters
    ----------
    item : Series or 1-D array (or a one-column DataFrame)
    group : array-like (same length) or a column name when ``item`` is a DataFrame
    n_options : int
        Number of response options ``A``.

    Returns
    -------
    DataFrame
        group, n (answers), rwg.

    Examples
    --------
    >>> import pandas as pd
    >>> rwg(pd.Series([4, 4, 5, 1, 5, 3]), list("AAABBB"), 5).round(3).to_dict("list")
    {'group': ['A', 'B'], 'n': [3, 3], 'rwg': [0.833, 0.0]}

    References
    ----------
    James, Demaree & Wolf (1984); R package multilevel (``rwg``).
    """
    X, g = _resolve_group(
        item if not isinstance(item, (list, np.ndarray)) else pd.Series(np.asarray(item, float)), group
    )
    X = _as_frame(X)
    if X.shape[1] != 1:
        raise ValueError("rwg takes a single item; use rwg_j for several")
    out = rwg_j(X, g, n_options)
    # one item: rwg(j) with J = 1 is 1 - s/ranvar only after truncation; recompute directly
    x = X.iloc[:, 0].to_numpy(dtype=float)
    ranvar = (n_options**2 - 1) / 12.0
    ok = ~np.isnan(x) & g.notna().to_numpy()
    s = pd.Series(x[ok]).groupby(pd.Series(np.asarray(g)[ok]), sort=True).var(ddof=1)
    out["rwg"] = 1 - np.minimum(s.to_numpy(), ranvar) / ranvar
    return out.drop(columns="rwg_j")


# --------------------------------------------------------------------------
# the whole instrument
# --------------------------------------------------------------------------
DEFAULT_THRESHOLDS: dict[str, float] = {"alpha_good": 0.80, "alpha_adequate": 0.70, "icc2_dependable": 0.70}


@dataclass
class InstrumentReliability:
    """Result of :func:`instrument_reliability` (all tables tidy).

    Attributes
    ----------
    overall : DataFrame
        One row per domain: n, n_items, alpha statistics, Feldt/Duhachek
        (and bootstrap) bounds, omega_total, icc1, icc2 (school means), verdict.
    items : DataFrame
        Item analysis per domain: domain, item, reverse, item statistics and
        alpha-if-dropped columns (prefixed ``drop_``).
    by_group : dict[str, DataFrame]
        Per grouping column: per-group alpha per domain, small groups suppressed.
    icc : DataFrame
        Domain-score ICCs by ``icc_group`` (``group_reliability`` table + domain).
    school_reliability : DataFrame
        Per school and domain: group-mean reliability (suppressed under min_n).
    thresholds : dict
    warnings : list of str
    instrument_name : str
        The instrument's own ``name`` (used as the title of :meth:`summary`).
    """

    overall: pd.DataFrame
    items: pd.DataFrame
    by_group: dict[str, pd.DataFrame]
    icc: pd.DataFrame
    school_reliability: pd.DataFrame
    thresholds: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    instrument_name: str = ""

    def summary(self) -> str:
        """Every domain's reliability, as text."""
        lines = [f"{self.instrument_name or 'Instrument'} reliability"]
        for _, r in self.overall.iterrows():
            lines.append(f"- {r['domain']}: {r['verdict']}")
        return "\n".join(lines)

    def __repr__(self) -> str:  # pragma: no cover
        return self.summary()


def _verdict(name, a, icc2, th) -> str:
    if not np.isfinite(a):
        txt = f"{name}: reliability could not be estimated."
    elif a >= th["alpha_good"]:
        txt = f"{name}: items hang together well (alpha {a:.2f}, good)."
    elif a >= th["alpha_adequate"]:
        txt = f"{name}: items hang together adequately (alpha {a:.2f})."
    else:
        txt = f"{name}: items hang together weakly (alpha {a:.2f}); interpret the domain score with caution."
    if icc2 is not None and np.isfinite(icc2):
        if icc2 >= th["icc2_dependable"]:
            txt += f" School means are dependable (ICC2 {icc2:.2f})."
        else:
            txt += (
                f" School means are not dependable on their own (ICC2 {icc2:.2f}); compare schools with care."
            )
    return txt


def instrument_reliability(
    responses: pd.DataFrame,
    instrument: Instrument | str | Path | None = None,
    by: str | Sequence[str] | None = None,
    *,
    min_n: int = MIN_N,
    thresholds: dict[str, float] | None = None,
    icc_group: str = "school",
    nan_policy: str = "pairwise",
    ci: float = 0.95,
    n_boot: int = 0,
    seed: int | None = None,
    icc_method: str = "reml",
) -> InstrumentReliability:
    r"""Reliability of every domain of the instrument in one call.

    For each domain: :func:`alpha` (with the instrument's reverse keys and scale
    bounds), :func:`omega_total`, the ICCs of the domain score (respondent's
    mean of the keyed items answered) across ``icc_group`` via
    :func:`group_reliability`, and a plain-language verdict. With ``by``,
    per-group alpha tables (:func:`alpha_by_group`) with groups under
    ``min_n`` suppressed.

    Parameters
    ----------
    responses : DataFrame
        Tidy responses (``respondent_id, school, district, role, wave`` + items).
    instrument : Instrument, str, Path or None
        An instrument, a bundled version or a path (see
        :func:`assetinv.instrument.resolve`); None for the bundled default.
    by : str or list of str, optional
        Grouping column(s) for per-group tables (e.g. ``"school"``,
        ``["district", "role", "wave"]``); each gets its own table.
    min_n : int
        Smallest group shown (default 5).
    thresholds : dict, optional
        ``alpha_good`` (.80), ``alpha_adequate`` (.70), ``icc2_dependable`` (.70).
    icc_group : str
        Column for the ICC of domain scores (default ``school``; skipped if absent).
    nan_policy, ci, n_boot, seed
        Passed to :func:`alpha` (bootstrap interval when ``n_boot > 0``).
    icc_method : {"reml", "anova", "statsby"}
        ICC(1) estimator (see :func:`group_reliability`). Default ``"reml"``:
        schools differ greatly in size, and REML weights each school by its
        information instead of treating every school as the mean size (psych's
        ``nbar``); it is also the school variance share of the random-intercept
        model the change analysis uses, and what ``lme4`` reports. Reports use it.

    Returns
    -------
    InstrumentReliability

    Examples
    --------
    >>> import numpy as np, pandas as pd, assetinv
    >>> inst = assetinv.load_instrument()
    >>> rng = np.random.default_rng(0)
    >>> resp = pd.DataFrame({"school": np.repeat(["A", "B", "C", "D"], 30)})
    >>> t = rng.normal(size=120) + np.repeat(rng.normal(size=4), 30)
    >>> for item in inst.items["id"]:
    ...     x = np.clip(np.round(3 + t + rng.normal(size=120)), 1, 5)
    ...     resp[item] = 6 - x if item in inst.reverse_ids() else x
    >>> rel = instrument_reliability(resp, inst, by="school")
    >>> rel.overall["domain"].tolist()
    ['EX', 'LM', 'CN', 'OS']
    >>> bool(rel.overall["verdict"].str.contains("good").all())
    True
    >>> rel.by_group["school"][["domain", "school", "n"]].head(2).to_dict("list")
    {'domain': ['EX', 'EX'], 'school': ['A', 'B'], 'n': [30, 30]}

    References
    ----------
    Cronbach (1951); McDonald (1999); Bliese (2000); Revelle, psych manual.
    """
    th = _check_thresholds(thresholds)
    instrument = resolve(instrument)
    msgs: list[str] = []
    lo, hi = float(instrument.scale_min), float(instrument.scale_max)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    doms = instrument.domains
    ids_of = _form_items(responses, instrument, msgs)
    rev_of = {d: [i for i in instrument.reverse_ids(d) if i in ids_of[d]] for d in doms["id"]}
    sets = {d: ids for d, ids in ids_of.items() if ids}
    all_rev = [r for d in sets for r in rev_of[d]]
    # every domain's keyed answers, copied once and shared by every table below
    kb = _keyed_block(responses, sets, all_rev, lo, hi) if sets else None
    overall_rows, item_tabs = [], []
    for _, d in doms.iterrows():
        dom = d["id"]
        ids, rev = ids_of[dom], rev_of[dom]
        row = {"domain": dom, "name": d.get("name", dom), "n_items": len(ids)}
        i = list(sets).index(dom) if dom in sets else -1
        a, om = _domain_alpha_omega(
            responses, kb, i, ids, rev, dom, lo, hi, nan_policy, ci, n_boot, seed, msgs
        )
        if a is not None:
            row["n"] = a.n_obs
            row.update(a.total.iloc[0].to_dict())
            for name, r in a.ci.iterrows():
                row[f"{name}_lower"] = r["lower"]
                row[f"{name}_upper"] = r["upper"]
            it = a.item_stats.join(a.alpha_if_dropped.add_prefix("drop_")).reset_index()
            it.insert(0, "domain", dom)
            it.insert(2, "reverse", it["item"].isin(rev))
            item_tabs.append(it)
        row["omega_total"] = om
        overall_rows.append(row)
    codes_cache: dict[str, tuple] = {}
    by_group = {
        b: _instrument_by_group(responses, kb, sets, all_rev, b, lo, hi, ci, min_n, codes_cache)
        for b in by_cols
    }  # every domain x group table in one vectorised pass per grouping
    overall = pd.DataFrame(overall_rows)
    icc = pd.DataFrame(columns=["domain", "icc1", "icc2", "f", "n_groups", "mean_group_size"])
    school_rel = pd.DataFrame(columns=["group", "column", "n", "reliability", "suppressed"])
    if icc_group in responses.columns and len(doms):
        icc, school_rel = _score_iccs(
            responses, kb, list(doms["id"]), sets, icc_group, min_n, icc_method, msgs, codes_cache
        )
    if len(icc):
        overall = overall.merge(icc[["domain", "icc1", "icc2"]], on="domain", how="left")
    else:
        overall["icc1"] = np.nan
        overall["icc2"] = np.nan
    overall["verdict"] = [
        _verdict(r["name"], r.get("raw_alpha", np.nan), r["icc2"] if len(icc) else None, th)
        for _, r in overall.iterrows()
    ]
    items_df = pd.concat(item_tabs, ignore_index=True) if item_tabs else pd.DataFrame()
    return InstrumentReliability(
        overall=overall,
        items=items_df,
        by_group=by_group,
        icc=icc,
        school_reliability=school_rel,
        thresholds=th,
        warnings=msgs,
        instrument_name=str(getattr(instrument, "name", "") or ""),
    )


def _check_thresholds(thresholds: dict[str, float] | None) -> dict[str, float]:
    th = dict(DEFAULT_THRESHOLDS)
    if thresholds:
        unknown = set(thresholds) - set(th)
        if unknown:
            raise ValueError(f"unknown thresholds {sorted(unknown)}; known: {sorted(th)}")
        th.update(thresholds)
    return th


def _form_items(responses: pd.DataFrame, instrument: Instrument, msgs: list[str]) -> dict[str, list[str]]:
    """Each domain's items in the data that the roles present answered together.

    With role forms (2.0.0) an item of one form and an item of another are never answered
    together, so a domain's reliability pools the items that share a form
    (:meth:`Instrument.items_answered_together`); the others are named in a warning.
    """
    roles = sorted(set(responses["role"].dropna().astype(str))) if "role" in responses.columns else []
    out = {}
    for d in instrument.domains["id"]:
        present = [i for i in instrument.item_ids(d) if i in responses.columns]
        kept = instrument.items_answered_together(d, roles, present)
        left = [i for i in present if i not in kept]
        if left:
            msgs.append(
                f"{d}: item(s) {', '.join(left)} left out of the domain's reliability: they are on another "
                f"role's form than items kept, so no one answered both ({', '.join(roles)} in the data); "
                "run instrument_reliability on one role's rows for that form's reliability"
            )
        out[d] = kept
    return out


def _domain_alpha_omega(
    responses: pd.DataFrame,
    kb: _KeyedBlock | None,
    i: int,
    ids: list[str],
    rev: list[str],
    dom: str,
    lo: float,
    hi: float,
    nan_policy: str,
    ci: float,
    n_boot: int,
    seed,
    msgs: list[str],
) -> tuple[AlphaResult | None, float]:
    """Alpha and omega of one domain; warnings and errors go to ``msgs`` as messages.

    The usual case (pairwise, integer answers, every item with answers and variance)
    is computed from the shared keyed block; anything else by :func:`alpha` and
    :func:`omega_total` themselves, which screen the items.
    """
    a: AlphaResult | None = None
    om = np.nan
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        fast = None
        if kb is not None and i >= 0 and nan_policy == "pairwise":
            try:
                fast = _alpha_keyed(kb, i, ids, rev, lo, hi, ci, [])
            except ValueError:  # alpha below says why, in its own words
                fast = None
        if fast is not None:
            a = fast[0]
            if n_boot and n_boot > 0:
                assert kb is not None  # fast is only computed from the keyed block
                X = kb.X[:, kb.block(i)]
                _alpha_boot_ci(a, X, int(n_boot), seed, np.nanmean(X, axis=0), ci)
        else:
            try:
                a = alpha(
                    responses[ids],
                    rev,
                    scale_min=lo,
                    scale_max=hi,
                    nan_policy=nan_policy,
                    ci=ci,
                    n_boot=n_boot,
                    seed=seed,
                )
            except ValueError as exc:
                msgs.append(f"{dom}: {exc}")
        try:
            if fast is not None and len(ids) >= 3:
                om = _omega_result(fast[1], ids, rev, []).omega_total
            else:
                om = omega_total(
                    responses[ids], rev, scale_min=lo, scale_max=hi, nan_policy=nan_policy
                ).omega_total
        except ValueError as exc:
            msgs.append(f"{dom} omega: {exc}")
    msgs += [f"{dom}: {w.message}" for w in wlist if issubclass(w.category, ReliabilityWarning)]
    return a, om


def _alpha_keyed(
    kb: _KeyedBlock,
    i: int,
    names: list[str],
    reverse: list[str],
    lo: float,
    hi: float,
    ci: float,
    msgs: list[str],
) -> tuple[AlphaResult, np.ndarray] | None:
    """:func:`alpha` of item set ``i`` of a keyed block, and the items' pairwise
    correlation matrix (for omega), from one set of moments and without copying the
    answers. ``None`` when :func:`alpha` must screen the set itself (answers not all
    integers, an item without two answers or without variance, fewer than 3
    respondents with answers).
    """
    if not kb.exact:
        return None
    blk = kb.block(i)
    M = kb.M[:, blk]
    n, p = M.shape
    t = kb.rowtots[:, i]
    has = ~np.isnan(t)
    mr, mc = kb.missing(i)  # the missing answers (few): moments are full sums minus theirs
    cnt = n - np.bincount(mc, minlength=p)
    if (cnt < 2).any() or has.sum() < 3:
        return None
    tt = t[has]
    mean_t, sd_t = float(tt.mean()), float(tt.std(ddof=1))
    t0 = np.where(has, t - mean_t, 0.0)
    N, SX, SXX, SQ, st, stt, xt = _moments_by_missing(kb, i, mr, mc, cnt, t0)
    sx, sxx = np.diag(SX), np.diag(SXX)
    if (cnt * sxx - sx * sx <= 0).any():
        return None  # integer sums are exact: a zero variance is exactly zero
    freq = _freq_keyed(kb, i, names, reverse, lo, hi, cnt)
    if freq is None:  # an answer off the scale: count the answers as given
        X = kb.X[:, blk].copy()
        ridx = [names.index(r) for r in reverse]
        X[:, ridx] = lo + hi - X[:, ridx]
        freq = _response_freq(X, names, lo, hi)
    if not has.all():
        _warn_unanswered(msgs, int((~has).sum()))
    with np.errstate(invalid="ignore", divide="ignore"):
        cxy = xt - sx * st / cnt
        vx = sxx - sx * sx / cnt
        raw_r = cxy / np.sqrt(vx * (stt - st * st / cnt))
    res = _alpha_result(
        N,
        SX,
        SXX,
        names,
        n,
        (mean_t, sd_t),
        raw_r,
        (cnt.astype(float), sx / cnt, np.sqrt(vx / (cnt - 1))),
        ci,
        msgs,
    )
    res.response_freq, res.reversed = freq, list(reverse)
    return res, _paircor_from(N, SX, SXX, SQ)


def _moments_by_missing(
    kb: _KeyedBlock, i: int, mr: np.ndarray, mc: np.ndarray, cnt: np.ndarray, t0: np.ndarray
):
    """Pairwise moments of item set ``i`` (uncentred; integer answers) and the sums
    the item-total correlations need, from one product and the missing answers.

    ``SXX = X'X`` (X with 0 for missing) is one matrix product; the pairwise
    counts, sums and squares are the full column sums minus those of the rows
    where the other item is missing: ``N[j,k] = n_j - sum_{r: k missing} m_rj``,
    ``SX[j,k] = sum x_j - sum_{r: k missing} x_rj`` and likewise ``SQ``. With
    ``t0`` the centred respondent means: ``st_j = sum_{j answered} t0``,
    ``stt_j`` of ``t0^2``, ``xt_j = sum x_j t0``.
    """
    blk = kb.block(i)
    raws = kb.raws[:, blk]
    n, p = raws.shape
    if kb.big * kb.big * max(n, 1) < 2**24:  # integer sums below 2^24 are exact in float32
        Xr = kb.answers(np.float32)[:n, blk]
        SXX = (Xr.T @ Xr).astype(float)
    else:
        SXX = raws.T @ raws
    gx = raws[mr]  # answers of the rows with a missing item
    gm = kb.M[:, blk][mr].astype(float)
    ind = sparse.csr_matrix((np.ones(len(mc)), (mc, np.arange(len(mc)))), shape=(p, len(mc)))
    dm, dx, dq = (np.asarray(ind @ g).T for g in (gm, gx, gx * gx))
    N = cnt[:, None] - dm
    SX = raws.sum(axis=0)[:, None] - dx
    SQ = np.diag(SXX)[:, None] - dq
    tw = np.asarray(ind @ np.column_stack([t0[mr], t0[mr] ** 2]))
    st = t0.sum() - tw[:, 0]
    stt = (t0 * t0).sum() - tw[:, 1]
    return N, SX, SXX, SQ, st, stt, raws.T @ t0


def _freq_keyed(
    kb: _KeyedBlock, i: int, names: list[str], reverse: list[str], lo: float, hi: float, answered: np.ndarray
) -> pd.DataFrame | None:
    """:func:`_response_freq` of the answers as given, counted from the keyed int16
    answers of item set ``i``; ``None`` when an answer is off the integer scale lo..hi.
    """
    if kb.codes is None or not (float(lo).is_integer() and float(hi).is_integer()):
        return None
    lo_i, hi_i = int(lo), int(hi)
    vals = np.arange(lo_i, hi_i + 1)
    if len(vals) > 10:
        return pd.DataFrame(index=pd.Index(names, name="item"))
    n = kb.M.shape[0]
    counts = kb.value_counts(vals)[:, kb.block(i)].copy()
    if lo_i <= 0 <= hi_i:
        counts[-lo_i] -= n - answered  # the zeros that are missing answers
    if (counts.sum(axis=0) != answered).any():
        return None  # an answer off the scale
    ridx = [names.index(r) for r in reverse]
    counts[:, ridx] = counts[::-1][:, ridx]  # keyed value v was answered lo + hi - v
    cols = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for v, c in zip(vals, counts):
            cols[str(int(v))] = c / answered
        cols["miss"] = 1 - answered / n
    return pd.DataFrame(cols, index=pd.Index(names, name="item"))


def _codes_for(responses: pd.DataFrame, col: str, cache: dict) -> tuple:
    if col not in cache:
        ok = responses[col].notna().to_numpy()
        cache[col] = (ok,) + _group_codes(responses, [col], ok)
    return cache[col]


def _instrument_by_group(
    responses: pd.DataFrame,
    kb: _KeyedBlock | None,
    sets: dict,
    all_rev: list[str],
    b: str,
    lo: float,
    hi: float,
    ci: float,
    min_n: int,
    cache: dict,
) -> pd.DataFrame:
    """Per-group alpha of every domain: from the shared keyed block when every row has a group."""
    if kb is not None:
        ok, codes, uniq = _codes_for(responses, b, cache)
        if ok.all():
            return _tables_by_group(kb, codes, uniq, [b], ci, min_n)
    return alpha_by_group(responses, sets, b, all_rev, scale_min=lo, scale_max=hi, ci=ci, min_n=min_n)


def _score_iccs(
    responses: pd.DataFrame,
    kb: _KeyedBlock | None,
    doms: list[str],
    sets: dict,
    group: str,
    min_n: int,
    method: str,
    msgs: list[str],
    cache: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ICCs of the domain scores (respondent's mean of the keyed items answered) across ``group``."""
    scores = np.full((len(responses), len(doms)), np.nan, order="F")  # column-major, as a DataFrame's
    for j, d in enumerate(doms):
        if kb is not None and d in sets:
            scores[:, j] = kb.rowtots[:, list(sets).index(d)]
    ok, codes, uniq = _codes_for(responses, group, cache)
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        gr = _group_reliability_core(
            np.asfortranarray(scores[ok]), codes, uniq[group].to_numpy(), doms, min_n, method, True
        )
    msgs += [str(w.message) for w in wlist if issubclass(w.category, ReliabilityWarning)]
    return (
        gr.table.rename(columns={"column": "domain"}),
        gr.by_group.rename(columns={"group": group, "column": "domain"}),
    )
