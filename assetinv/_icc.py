"""ICC(1) estimators for unequal group sizes (private; used by :func:`assetinv.group_reliability`).

* ``statsby``: psych's ``statsBy`` convention, ``nbar = N / G`` in the one-way
  ANOVA formula (what psych reports, and what the package reported before).
* ``anova``: the one-way ANOVA estimator with the unbalanced-design group size
  ``n0 = (N - sum n_j^2 / N) / (G - 1)`` (Snedecor & Cochran 1989; Shrout &
  Fleiss 1979 for equal sizes, where all three coincide).
* ``reml``: ``tau^2 / (tau^2 + sigma^2)`` from the REML fit of the random-intercept
  model ``y ~ 1 + (1 | group)``, as ``lme4::VarCorr`` gives it. The REML
  likelihood of the one-way model is profiled exactly: for a ratio
  ``g = tau^2/sigma^2``, ``V_j^-1 = (I - c_j J)/sigma^2`` with
  ``c_j = g / (1 + n_j g)``, so the deviance needs only the groups' sizes, sums
  and sums of squares and is minimised over ``g >= 0`` by a bounded scalar search
  (to 1e-12 in ``log(1 + g)``). Statsmodels ``MixedLM`` gives the same optimum
  (checked in the tests) but stops at its optimiser's tolerance.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

__all__: list[str] = []

METHODS = ("statsby", "anova", "reml")


def _reml_deviance(g: float, n, s, ss, N: int) -> float:
    """Profiled REML deviance (up to a constant) of y ~ 1 + (1|group) at ratio g."""
    d = 1 + n * g
    xwx = float(np.sum(n / d))
    beta = float(np.sum(s / d)) / xwx
    # r'W r / sigma^-2 per group: sum r^2 - c_j (sum r)^2, r = y - beta
    sr = s - n * beta
    srr = ss - 2 * beta * s + n * beta * beta
    rwr = float(np.sum(srr - g / d * sr * sr))
    if rwr <= 0:
        return np.inf
    sigma2 = rwr / (N - 1)
    return (N - 1) * np.log(sigma2) + float(np.sum(np.log(d))) + np.log(xwx)


def icc1_reml(n: np.ndarray, s: np.ndarray, ss: np.ndarray) -> tuple[float, float, float]:
    """REML ICC(1), tau^2 and sigma^2 from group sizes, sums and sums of squares."""
    keep = n > 0
    n, s, ss = n[keep].astype(float), s[keep].astype(float), ss[keep].astype(float)
    N = int(n.sum())
    if len(n) < 2 or N - len(n) < 1:
        return np.nan, np.nan, np.nan

    # search in h = log(1 + g) so that large and small ratios are equally cheap
    def f(h):
        return _reml_deviance(np.expm1(h), n, s, ss, N)

    hi = np.log1p(1e8)
    res = optimize.minimize_scalar(
        f, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-12, "maxiter": 500}
    )
    h = float(res.x)
    if f(0.0) <= res.fun:
        h = 0.0
    g = float(np.expm1(h))
    d = 1 + n * g
    xwx = float(np.sum(n / d))
    beta = float(np.sum(s / d)) / xwx
    sr = s - n * beta
    srr = ss - 2 * beta * s + n * beta * beta
    sigma2 = float(np.sum(srr - g / d * sr * sr)) / (N - 1)
    return g / (1 + g), g * sigma2, sigma2


def n0(n: np.ndarray) -> float:
    """The one-way ANOVA group size for unequal groups."""
    n = n[n > 0].astype(float)
    N, G = n.sum(), len(n)
    return float((N - np.sum(n * n) / N) / (G - 1)) if G > 1 else np.nan
