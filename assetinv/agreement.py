"""Inter-coder agreement coefficients on a coders x units array.

Every function here takes reliability data the way the ``krippendorff``
package does: a 2-D array with one **row per coder** and one **column per
unit** (an excerpt, an interview, an excerpt x code decision ...), holding the
value each coder gave each unit, and ``NaN`` where a coder did not code the
unit. Only numpy is needed.

Definitions used throughout (``r_u`` = number of coders who coded unit ``u``):

* A unit is *pairable* when ``r_u >= 2``; only pairable units carry
  information about agreement. Units with fewer than two values are dropped
  (Krippendorff 2011, step 1).
* **Percent agreement** is the share of agreeing coder pairs in a unit,
  ``sum_k r_uk (r_uk - 1) / (r_u (r_u - 1))``, averaged over pairable units
  with equal weight per unit. With two coders and no missing values this is
  the plain share of units on which the two coders agree. It equals the
  observed agreement ``p_a`` of Gwet (2014, eq. 2.8 / 3.x for missing ratings)
  and of Fleiss' kappa.
* **Cohen's kappa** (Cohen 1960) compares exactly two coders on the units both
  coded (listwise); optional linear or quadratic weights.
* **Krippendorff's alpha** (Krippendorff 2011) is computed from the
  coincidence matrix, for nominal, ordinal, interval or ratio data, with any
  number of coders and missing values.
* **Gwet's AC1** (Gwet 2008; 2014, ch. 2-3) for any number of coders with
  missing ratings.

Degenerate cases are handled explicitly and documented on each function:
fewer than two coders raises :class:`ValueError`; no pairable unit gives
``NaN`` with a :class:`AgreementWarning`; a coefficient whose chance
agreement is 1 (every value in one category, so kappa and alpha are 0/0)
gives ``NaN`` with a warning (we do **not** silently report 1.0, because
agreement that cannot fail is not evidence of reliability).

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales.
*Educational and Psychological Measurement*, 20(1), 37-46.

Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
presence of high agreement. *British Journal of Mathematical and Statistical
Psychology*, 61(1), 29-48.

Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability* (4th ed.).
Advanced Analytics.

Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
reliability measure for coding data. *Communication Methods and Measures*,
1(1), 77-89.

Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
Annenberg School for Communication, University of Pennsylvania.

Krippendorff, K. (2019). *Content Analysis: An Introduction to Its
Methodology* (4th ed.). Sage.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "AgreementWarning",
    "krippendorff_alpha",
    "cohen_kappa",
    "gwet_ac1",
    "percent_agreement",
    "bootstrap_ci",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")


class AgreementWarning(UserWarning):
    """A coefficient could not be computed (degenerate data); NaN returned."""


# --------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------
def _as_matrix(data, *, numeric_required: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return (float matrix coders x units with NaN, sorted category values).

    Non-numeric input (strings, ``None``) is mapped to integer category codes
    in sorted order; that is only meaningful for nominal (and, when the
    labels sort in order, ordinal) data.
    """
    arr = np.asarray(data, dtype=object if _is_non_numeric(data) else float)
    if arr.ndim == 1:
        raise ValueError(
            "agreement data must be 2-D: one row per coder, one column per unit "
            "(got a 1-D array; for two coders pass np.vstack([a, b]))"
        )
    if arr.ndim != 2:
        raise ValueError(f"agreement data must be 2-D (coders x units), got {arr.ndim}-D")
    if arr.dtype == object:
        if numeric_required:
            raise ValueError("interval and ratio levels need numeric values")
        missing = np.array([[_is_missing(v) for v in row] for row in arr], dtype=bool)
        labels = sorted({v for v, m in zip(arr.ravel(), missing.ravel()) if not m}, key=str)
        lookup = {v: i for i, v in enumerate(labels)}
        out = np.full(arr.shape, np.nan)
        for idx in zip(*np.nonzero(~missing)):
            out[idx] = lookup[arr[idx]]
        return out, np.arange(len(labels), dtype=float)
    values = np.unique(arr[~np.isnan(arr)])
    return arr, values


def _is_non_numeric(data) -> bool:
    arr = np.asarray(data, dtype=object)
    for v in arr.ravel():
        if _is_missing(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            continue
        return True
    return False


def _is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(np.isnan(v))
    except (TypeError, ValueError):
        return False


def _check_coders(mat: np.ndarray) -> None:
    if mat.shape[0] < 2:
        raise ValueError(
            f"agreement needs at least two coders (rows); got {mat.shape[0]}. "
            "Pass one row per coder and one column per unit."
        )


def _counts(mat: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Units x categories matrix: how many coders put unit u in category c."""
    out = np.zeros((mat.shape[1], len(values)))
    for j, v in enumerate(values):
        out[:, j] = np.sum(mat == v, axis=0)
    return out


def _warn(msg: str) -> float:
    warnings.warn(msg, AgreementWarning, stacklevel=3)
    return float("nan")


# --------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------
def _delta2(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    """Squared difference function delta^2_ck (Krippendorff 2011, section C)."""
    c = values[:, None]
    k = values[None, :]
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        s = c + k
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(s == 0, 0.0, ((c - k) / np.where(s == 0, 1, s)) ** 2)
        return d
    if level == "ordinal":
        cum = np.cumsum(n_c)
        idx = np.arange(len(values))
        lo = np.minimum(idx[:, None], idx[None, :])
        hi = np.maximum(idx[:, None], idx[None, :])
        # sum_{g=lo}^{hi} n_g  minus half the two end categories
        total = cum[hi] - np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
        return (total - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def _alpha_from_counts(counts: np.ndarray, values: np.ndarray, level: str) -> float:
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return _warn("Krippendorff's alpha: no unit was coded by two or more coders; returning NaN")
    counts = counts[keep]
    m = m[keep]
    w = counts / (m - 1)[:, None]
    o = w.T @ counts - np.diag(w.sum(axis=0))  # coincidence matrix
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d2 = _delta2(values, n_c, level)
    d_o = float(np.sum(o * d2))
    d_e = float(np.sum(np.outer(n_c, n_c) * d2))
    if d_e == 0:
        return _warn(
            "Krippendorff's alpha: all pairable values are in one category, so expected "
            "disagreement is 0 and alpha is undefined; returning NaN"
        )
    return 1.0 - (n - 1.0) * d_o / d_e


def krippendorff_alpha(
    data=None,
    level: str = "nominal",
    value_domain: Sequence | None = None,
    *,
    value_counts=None,
) -> float:
    """Krippendorff's alpha for any number of coders, with missing values.

    Computed from the coincidence matrix exactly as in Krippendorff (2011):
    units coded by fewer than two coders are dropped; each pairable unit ``u``
    with ``m_u`` values contributes ``1/(m_u - 1)`` per ordered pair of its
    values to the coincidence matrix ``o_ck``; then
    ``alpha = 1 - (n - 1) * sum o_ck d2_ck / sum n_c n_k d2_ck``.

    Parameters
    ----------
    data : array-like, shape (coders, units)
        One row per coder, one column per unit; ``NaN`` (or ``None``) for a
        unit a coder did not code. Non-numeric labels are allowed for the
        nominal level.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which sets the difference function.
    value_domain : sequence, optional
        The possible values. Only matters for ``"ordinal"`` (where unused
        values between used ones contribute nothing anyway) and as a check:
        values outside it raise :class:`ValueError`.
    value_counts : array-like, shape (units, values), optional
        Instead of ``data``: how many coders gave each value to each unit
        (as in the ``krippendorff`` package); columns follow
        ``value_domain`` (default ``0, 1, ...``).

    Returns
    -------
    float
        Alpha; ``NaN`` with an :class:`AgreementWarning` when no unit is
        pairable or all pairable values are identical (alpha is 0/0).

    Raises
    ------
    ValueError
        Fewer than two coders, a wrong shape or level, or values outside
        ``value_domain``.

    Examples
    --------
    The reliability data of Krippendorff (2011, section A.3): 4 coders,
    12 units, missing values.

    >>> import numpy as np
    >>> nan = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(float(krippendorff_alpha(data, "nominal")), 3)
    0.743
    >>> round(float(krippendorff_alpha(data, "interval")), 3)
    0.849

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    University of Pennsylvania. Krippendorff, K. (2019). *Content Analysis*
    (4th ed.), ch. 12. Hayes, A. F., & Krippendorff, K. (2007),
    *Communication Methods and Measures*, 1(1), 77-89.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if value_counts is not None:
        counts = np.asarray(value_counts, dtype=float)
        if counts.ndim != 2:
            raise ValueError("value_counts must be 2-D: one row per unit, one column per value")
        values = (np.arange(counts.shape[1], dtype=float) if value_domain is None
                  else np.asarray(list(value_domain), dtype=float))
        if len(values) != counts.shape[1]:
            raise ValueError("value_domain must list one value per column of value_counts")
        order = np.argsort(values, kind="mergesort")
        return _alpha_from_counts(counts[:, order], values[order], level)
    if data is None:
        raise ValueError("pass data (coders x units) or value_counts (units x values)")
    mat, values = _as_matrix(data, numeric_required=level in ("interval", "ratio"))
    _check_coders(mat)
    if value_domain is not None and not _is_non_numeric(data):
        dom = np.asarray(sorted(value_domain), dtype=float)
        extra = np.setdiff1d(values, dom)
        if extra.size:
            raise ValueError(f"values {extra.tolist()} are not in value_domain {dom.tolist()}")
        values = dom
    if level == "ratio" and values.size and values.min() < 0:
        raise ValueError("ratio level needs non-negative values")
    return _alpha_from_counts(_counts(mat, values), values, level)


# --------------------------------------------------------------------------
# percent agreement and Gwet's AC1
# --------------------------------------------------------------------------
def _pa_from_counts(counts: np.ndarray) -> tuple[float, np.ndarray]:
    r = counts.sum(axis=1)
    keep = r >= 2
    if not keep.any():
        return float("nan"), keep
    c = counts[keep]
    rr = r[keep]
    per_unit = (c * (c - 1)).sum(axis=1) / (rr * (rr - 1))
    return float(per_unit.mean()), keep


def percent_agreement(data) -> float:
    """Share of agreeing coder pairs, averaged over units coded by 2+ coders.

    For each unit ``u`` coded by ``r_u >= 2`` coders, the share of the
    ``r_u (r_u - 1) / 2`` coder pairs that gave the same value; the result is
    the mean of these shares over such units (each unit weighs the same).
    With two coders and no missing values this is simply the share of units
    with identical codes. Units coded by fewer than two coders are ignored.

    Parameters
    ----------
    data : array-like, shape (coders, units)
        Values (any labels) with ``NaN``/``None`` for missing.

    Returns
    -------
    float
        In [0, 1]; ``NaN`` with an :class:`AgreementWarning` when no unit was
        coded by two coders.

    Examples
    --------
    >>> percent_agreement([[1, 1, 0, 0], [1, 0, 0, 0]])
    0.75
    >>> import numpy as np
    >>> round(percent_agreement([[1, 1, np.nan], [1, 0, 1], [1, 0, 1]]), 4)
    0.7778

    References
    ----------
    Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability* (4th ed.),
    eq. for ``p_a`` with missing ratings. O'Connor, C., & Joffe, H. (2020).
    Intercoder reliability in qualitative research. *International Journal of
    Qualitative Methods*, 19.
    """
    mat, values = _as_matrix(data)
    _check_coders(mat)
    pa, keep = _pa_from_counts(_counts(mat, values))
    if not keep.any():
        return _warn("percent agreement: no unit was coded by two or more coders; returning NaN")
    return pa


def _ac1_from_counts(counts: np.ndarray, q: int) -> float:
    pa, keep = _pa_from_counts(counts)
    if not keep.any():
        return _warn("Gwet's AC1: no unit was coded by two or more coders; returning NaN")
    if q < 2:
        return _warn(
            "Gwet's AC1: only one category is possible, so chance agreement is undefined; "
            "returning NaN (pass categories= to name the possible values)"
        )
    r = counts.sum(axis=1)
    rated = r >= 1
    pi = (counts[rated] / r[rated][:, None]).mean(axis=0)
    pe = float(np.sum(pi * (1 - pi)) / (q - 1))
    if pe == 1:  # cannot happen for q >= 2, kept for safety
        return _warn("Gwet's AC1: chance agreement is 1; returning NaN")
    return (pa - pe) / (1 - pe)


def gwet_ac1(data, categories: Sequence | None = None) -> float:
    """Gwet's first-order agreement coefficient AC1 (nominal).

    For any number of coders and missing ratings (Gwet 2014, ch. 3):
    ``p_a`` is the mean over units coded by 2+ coders of
    ``sum_k r_uk (r_uk - 1) / (r_u (r_u - 1))``;
    ``pi_k`` is the mean over units coded by 1+ coders of ``r_uk / r_u``;
    ``p_e = sum_k pi_k (1 - pi_k) / (q - 1)``; AC1 ``= (p_a - p_e) / (1 - p_e)``.

    Parameters
    ----------
    data : array-like, shape (coders, units)
        Values with ``NaN``/``None`` for missing.
    categories : sequence, optional
        All possible categories; ``q`` is their number. By default the
        categories observed in ``data``. Pass e.g. ``[0, 1]`` for presence /
        absence decisions, so that a code everybody left out still has
        ``q = 2`` (AC1 is then 1.0, because agreement is perfect and AC1's
        chance agreement is 0 when all ratings fall in one category).

    Returns
    -------
    float
        AC1; ``NaN`` with a warning when no unit is pairable or ``q < 2``.

    Examples
    --------
    Gwet's (2008) high-agreement example: 125 units, two coders, (+,+) = 118,
    (+,-) = 5, (-,+) = 2, (-,-) = 0. Kappa is about -0.02, AC1 about 0.94.

    >>> import numpy as np
    >>> a = np.r_[np.ones(118), np.ones(5), np.zeros(2)]
    >>> b = np.r_[np.ones(118), np.zeros(5), np.ones(2)]
    >>> round(gwet_ac1(np.vstack([a, b])), 4)
    0.9408

    References
    ----------
    Gwet, K. L. (2008). *British Journal of Mathematical and Statistical
    Psychology*, 61(1), 29-48. Gwet, K. L. (2014). *Handbook of Inter-Rater
    Reliability* (4th ed.), Advanced Analytics.
    """
    mat, values = _as_matrix(data)
    _check_coders(mat)
    if categories is not None and not _is_non_numeric(data):
        cats = np.asarray(sorted(set(categories)), dtype=float)
        extra = np.setdiff1d(values, cats)
        if extra.size:
            raise ValueError(f"values {extra.tolist()} are not in categories {cats.tolist()}")
        values = cats
    elif categories is not None:
        q = len(set(categories))
        return _ac1_from_counts(_counts(mat, values), q)
    return _ac1_from_counts(_counts(mat, values), len(values))


# --------------------------------------------------------------------------
# Cohen's kappa
# --------------------------------------------------------------------------
def cohen_kappa(a, b=None, weights: str | None = None, categories: Sequence | None = None) -> float:
    """Cohen's kappa for two coders, optionally weighted.

    Units that either coder left missing are dropped (listwise). With
    ``p_o`` the observed and ``p_e`` the chance agreement from the two coders'
    own marginals, ``kappa = (p_o - p_e) / (1 - p_e)``; weighted kappa uses
    ``1 - sum w o / sum w e`` with linear ``|i - j|`` or quadratic
    ``(i - j)^2`` disagreement weights on category ranks, as
    scikit-learn's ``cohen_kappa_score`` does.

    Parameters
    ----------
    a, b : array-like
        The two coders' values for the same units (``NaN`` for missing). Or
        pass a single 2 x units array as ``a`` and leave ``b`` out.
    weights : {None, "linear", "quadratic"}
        Disagreement weights for ordered categories.
    categories : sequence, optional
        All possible categories (only changes the result for weighted kappa,
        where rank distances depend on them).

    Returns
    -------
    float
        Kappa; ``NaN`` with an :class:`AgreementWarning` when no unit was
        coded by both, or when chance agreement is 1 (both coders used a
        single, identical category: kappa is 0/0). Convention: we return
        ``NaN``, not 1.0, for that case, and report percent agreement next
        to it.

    Raises
    ------
    ValueError
        If more than two coders are passed (use :func:`krippendorff_alpha`
        or :func:`gwet_ac1`) or fewer than two.

    Examples
    --------
    >>> cohen_kappa([1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 1, 0])
    0.6666666666666667

    References
    ----------
    Cohen, J. (1960). *Educational and Psychological Measurement*, 20(1),
    37-46. Cohen, J. (1968). Weighted kappa. *Psychological Bulletin*, 70(4),
    213-220.
    """
    data = a if b is None else [list(np.asarray(a, dtype=object).ravel()), list(np.asarray(b, dtype=object).ravel())]
    if b is not None and len(data[0]) != len(data[1]):
        raise ValueError(f"a and b must have the same length ({len(data[0])} != {len(data[1])})")
    mat, values = _as_matrix(data)
    if mat.shape[0] != 2:
        if mat.shape[0] < 2:
            _check_coders(mat)
        raise ValueError(
            f"Cohen's kappa compares exactly two coders; got {mat.shape[0]}. "
            "Use krippendorff_alpha or gwet_ac1 for more coders."
        )
    if categories is not None and not _is_non_numeric(data):
        values = np.asarray(sorted(set(categories)), dtype=float)
    both = ~np.isnan(mat).any(axis=0)
    if not both.any():
        return _warn("Cohen's kappa: no unit was coded by both coders; returning NaN")
    x, y = mat[0, both], mat[1, both]
    k = len(values)
    ix = np.searchsorted(values, x)
    iy = np.searchsorted(values, y)
    conf = np.zeros((k, k))
    np.add.at(conf, (ix, iy), 1.0)
    n = conf.sum()
    expected = np.outer(conf.sum(axis=1), conf.sum(axis=0)) / n
    if weights is None:
        w = 1.0 - np.eye(k)
    elif weights == "linear":
        w = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(float)
    elif weights == "quadratic":
        w = np.subtract.outer(np.arange(k), np.arange(k)).astype(float) ** 2
    else:
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    denom = float(np.sum(w * expected))
    if denom == 0:
        return _warn(
            "Cohen's kappa: chance agreement is 1 (both coders used one and the same "
            "category), so kappa is 0/0; returning NaN"
        )
    return 1.0 - float(np.sum(w * conf)) / denom


# --------------------------------------------------------------------------
# bootstrap
# --------------------------------------------------------------------------
def bootstrap_ci(
    data,
    statistic: Callable[[np.ndarray], float],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval for an agreement coefficient.

    Units (columns) are resampled with replacement ``n_boot`` times with
    ``numpy.random.default_rng(seed)``, the statistic is recomputed on each
    resample, and the ``(1 - level)/2`` and ``(1 + level)/2`` percentiles of
    the finite replicates are returned. Same seed, same data: same interval.
    Replicates where the coefficient is undefined (e.g. a resample where
    every value is in one category) are left out; if fewer than half of the
    replicates are finite the interval is ``(NaN, NaN)``.

    Parameters
    ----------
    data : array-like, shape (coders, units)
    statistic : callable
        Maps a coders x units array to a float, e.g.
        ``lambda d: krippendorff_alpha(d, "nominal")``.
    n_boot : int
        Number of resamples (default 1000).
    seed : int
        Seed for the generator.
    level : float
        Coverage of the interval (default 0.95).

    Returns
    -------
    (float, float)
        Lower and upper bound.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([[1, 1, 0, 0, 1, 0, 1, 1], [1, 0, 0, 0, 1, 0, 1, 1]])
    >>> lo, hi = bootstrap_ci(d, percent_agreement, n_boot=200, seed=1)
    >>> 0 <= lo <= 0.875 <= hi <= 1
    True

    References
    ----------
    Hayes, A. F., & Krippendorff, K. (2007). *Communication Methods and
    Measures*, 1(1), 77-89 (bootstrapping alpha). Efron, B., & Tibshirani,
    R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
    """
    mat = np.asarray(data, dtype=object if _is_non_numeric(data) else float)
    n_units = mat.shape[1]
    if n_units == 0 or n_boot <= 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n_units, size=(n_boot, n_units))
    reps = np.empty(n_boot)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AgreementWarning)
        with np.errstate(all="ignore"):
            for i in range(n_boot):
                reps[i] = statistic(mat[:, idx[i]])
    return _percentile_interval(reps, level)


def _percentile_interval(reps: np.ndarray, level: float) -> tuple[float, float]:
    finite = reps[np.isfinite(reps)]
    if finite.size < max(1, reps.size / 2):
        return (float("nan"), float("nan"))
    lo, hi = np.percentile(finite, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return (float(lo), float(hi))
