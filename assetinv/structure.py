"""Confirmatory factor analysis and measurement invariance (``assetinv.structure``).

A correlated-factors CFA, each item loading on its own domain only, fitted by
maximum likelihood with full-information ML (FIML) for missing answers, the way
R lavaan 0.6 fits ``cfa(model, data, estimator = "ML", missing = "fiml")``:

* the first item of each factor has its loading fixed to 1 (lavaan's marker
  default); residual variances, factor (co)variances and intercepts are free;
* the casewise normal log-likelihood is summed over missing-data patterns and
  minimised with its analytic gradient (L-BFGS, then Newton steps on the
  observed Hessian, which also gives the standard errors, as lavaan's default
  ``information = "observed"`` with missing data does);
* chi-square is ``2 (logL_h1 - logL_h0)``, with the unrestricted (h1) moments
  estimated by lavaan's own EM (same start, same stopping rule);
* the baseline is the independence model (free means and variances);
* CFI, TLI, RMSEA with its 90% CI by the noncentral chi-square, and lavaan's
  SRMR (Bentler's, means included, against the EM moments);
* ``estimator="MLR"`` (lavaan ``estimator = "MLR"``): Huber-White standard errors from the casewise
  scores and the observed Hessian, and the chi-square divided by the Yuan-Bentler scaling factor in its
  Mplus form, with scaled CFI, TLI and RMSEA (``assetinv._robust``).

``invariance`` fits the configural, metric (equal loadings) and scalar (equal
loadings and intercepts, latent means free after the first group) multi-group
models, as lavaan's ``group.equal = c("loadings", "intercepts")`` does.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from . import _robust
from .instrument import Instrument, resolve

__all__ = [
    "CFAResult",
    "CFAWarning",
    "cfa",
    "domain_invariance",
    "invariance",
    "invariance_caution",
    "invariance_sentences",
]

_LOG2PI = _robust._LOG2PI


class CFAWarning(UserWarning):
    """A CFA result that needs care: non-convergence, a Heywood case, a matrix that is not positive definite."""


def _warn(msgs: list[str], msg: str) -> None:
    msgs.append(msg)
    warnings.warn(msg, CFAWarning, stacklevel=4)


# ----------------------------------------------------------------------------- data
@dataclass
class _Patterns:
    """Sufficient statistics of one group's data, by missing-data pattern."""

    n: int
    obs: list  # index arrays of the observed variables
    counts: np.ndarray
    means: list
    covs: list  # ML covariance (divided by the pattern's n)
    Y: np.ndarray  # the raw data (NaN = missing), empty rows removed
    blocks: list = field(default_factory=list)  # patterns stacked by number observed: (O, n, means, covs)


def _patterns(Y: np.ndarray) -> _Patterns:
    M = ~np.isnan(Y)
    keys, inv = np.unique(M, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    obs: list[np.ndarray] = []
    n_rows: list[int] = []
    means: list[np.ndarray] = []
    covs: list[np.ndarray] = []
    for k in range(len(keys)):
        o = np.flatnonzero(keys[k])
        rows = Y[inv == k][:, o]
        m = rows.mean(axis=0)
        c = rows - m
        obs.append(o)
        n_rows.append(len(rows))
        means.append(m)
        covs.append(c.T @ c / len(rows))
    counts = np.asarray(n_rows, float)
    blocks = []
    sizes = np.array([len(o) for o in obs])
    for k in np.unique(sizes):
        sel = np.flatnonzero(sizes == k)
        blocks.append(
            (
                np.stack([obs[i] for i in sel]),
                counts[sel],
                np.stack([means[i] for i in sel]),
                np.stack([covs[i] for i in sel]),
            )
        )
    return _Patterns(n=len(Y), obs=obs, counts=counts, means=means, covs=covs, Y=Y, blocks=blocks)


def _loglik(P: _Patterns, mu: np.ndarray, S: np.ndarray) -> float:
    """Casewise normal log-likelihood of the data at (mu, Sigma)."""
    total = 0.0
    for o, n, m, C in zip(P.obs, P.counts, P.means, P.covs):
        Soo = S[np.ix_(o, o)]
        c, low = linalg.cho_factor(Soo)
        d = m - mu[o]
        B = C + np.outer(d, d)
        tr = np.trace(linalg.cho_solve((c, low), B))
        logdet = 2 * np.log(np.diag(c)).sum()
        total += -0.5 * n * (len(o) * _LOG2PI + logdet + tr)
    return float(total)


def _em_h1(P: _Patterns, max_iter: int = 500, tol: float = 1e-5):
    """Unrestricted mean and covariance by EM, exactly as lavaan's
    ``lav_mvnorm_missing_h1_estimate_moments`` (start: observed means and
    variances, diagonal; stop when no moment moves by ``tol``).
    """
    Y = P.Y
    p = Y.shape[1]
    N = P.n
    mu0 = np.nanmean(Y, axis=0)
    var0 = np.nanmean((Y - mu0) ** 2, axis=0)
    var0 = np.where(~np.isfinite(var0) | (var0 == 0), 1.0, var0)
    S0 = np.diag(var0)
    mu, S = mu0.copy(), S0.copy()
    iv = np.triu_indices(p)
    for _ in range(max_iter):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for o, n, m, C in zip(P.obs, P.counts, P.means, P.covs):
            mis = np.setdiff1d(np.arange(p), o)
            sy = n * m  # sum of y_o
            syy = n * (C + np.outer(m, m))  # sum of y_o y_o'
            if len(mis) == 0:
                T1 += sy
                T2 += syy
                continue
            Soo = S0[np.ix_(o, o)]
            Smo = S0[np.ix_(mis, o)]
            Bm = linalg.solve(Soo, Smo.T, assume_a="pos").T  # Sigma_mo Sigma_oo^-1
            a = mu0[mis] - Bm @ mu0[o]  # E[y_m|y_o] = a + Bm y_o
            cond = S0[np.ix_(mis, mis)] - Bm @ Smo.T
            sm = n * a + Bm @ sy
            T1[o] += sy
            T1[mis] += sm
            T2[np.ix_(o, o)] += syy
            om = np.outer(sy, a) + syy @ Bm.T  # sum y_o E[y_m]'
            T2[np.ix_(o, mis)] += om
            T2[np.ix_(mis, o)] += om.T
            T2[np.ix_(mis, mis)] += (
                n * cond + n * np.outer(a, a) + np.outer(a, Bm @ sy) + np.outer(Bm @ sy, a) + Bm @ syy @ Bm.T
            )
        mu = T1 / N
        S = T2 / N - np.outer(mu, mu)
        S = (S + S.T) / 2
        if np.linalg.eigvalsh(S).min() < 1e-6:
            S[np.diag_indices(p)] += np.diag(S).max() * 1e-8
        delta = max(np.abs(mu - mu0).max(), np.abs(S[iv] - S0[iv]).max())
        if delta < tol:
            break
        mu0, S0 = mu, S
    return mu, S


# ----------------------------------------------------------------------------- model
@dataclass
class _Spec:
    """Free-parameter layout: per group, where each matrix entry's value comes from."""

    factors: list
    items: list
    member: np.ndarray  # item -> factor index
    n_groups: int
    keys: list = field(default_factory=list)
    lam: list = field(default_factory=list)  # per group: (p,) index or -1 (fixed 1)
    nu: list = field(default_factory=list)
    th: list = field(default_factory=list)
    phi: list = field(default_factory=list)  # per group: (m, m) index
    al: list = field(default_factory=list)  # per group: (m,) index or -1 (fixed 0)

    def index(self, key) -> int:
        if key not in self._lookup:
            self._lookup[key] = len(self.keys)
            self.keys.append(key)
        return self._lookup[key]

    def __post_init__(self) -> None:
        self._lookup: dict = {}


def _build_spec(model: Mapping[str, Sequence[str]], n_groups: int, equal: Sequence[str] = ()) -> _Spec:
    factors = list(model)
    items = [i for f in factors for i in model[f]]
    member = np.array([k for k, f in enumerate(factors) for _ in model[f]])
    sp = _Spec(factors=factors, items=items, member=member, n_groups=n_groups)
    m, p = len(factors), len(items)
    first = {f: model[f][0] for f in factors}
    for g in range(n_groups):
        lam = np.full(p, -1)
        for i, it in enumerate(items):
            f = factors[member[i]]
            if it != first[f]:
                lam[i] = sp.index(("=~", f, it) if "loadings" in equal else ("=~", f, it, g))
        th = np.array([sp.index(("~~", it, it, g)) for it in items])
        phi = np.zeros((m, m), int)
        for a in range(m):
            for b in range(a + 1):
                phi[a, b] = phi[b, a] = sp.index(("~~", factors[a], factors[b], g))
        nu = np.array([sp.index(("~1", it) if "intercepts" in equal else ("~1", it, g)) for it in items])
        al = np.full(m, -1)
        if "intercepts" in equal and g > 0:
            al = np.array([sp.index(("~1", f, g)) for f in factors])
        sp.lam.append(lam)
        sp.th.append(th)
        sp.phi.append(phi)
        sp.nu.append(nu)
        sp.al.append(al)
    return sp


def _matrices(sp: _Spec, x: np.ndarray, g: int):
    p, m = len(sp.items), len(sp.factors)
    lv = np.where(sp.lam[g] >= 0, x[np.maximum(sp.lam[g], 0)], 1.0)
    L = np.zeros((p, m))
    L[np.arange(p), sp.member] = lv
    Phi = x[sp.phi[g]]
    Th = x[sp.th[g]]
    nu = x[sp.nu[g]]
    al = np.where(sp.al[g] >= 0, x[np.maximum(sp.al[g], 0)], 0.0)
    Sigma = L @ Phi @ L.T + np.diag(Th)
    mu = nu + L @ al
    return L, Phi, Th, nu, al, Sigma, mu


def _objective(sp: _Spec, data: list, x: np.ndarray, grad: bool = True):
    """-logL of all groups and its gradient with respect to the free parameters."""
    f = 0.0
    gx = np.zeros(len(x))
    for g, P in enumerate(data):
        L, Phi, _th, _nu, al, Sigma, mu = _matrices(sp, x, g)
        try:
            linalg.cholesky(Sigma)
        except linalg.LinAlgError:
            return (np.inf, np.zeros(len(x))) if grad else np.inf
        terms = _robust.moment_terms(P.blocks, mu, Sigma, grad, f)
        if terms is None:
            return (np.inf, np.zeros(len(x))) if grad else np.inf
        f, GS, gm = terms
        if not grad:
            continue
        GS = (GS + GS.T) / 2
        dL = 2 * GS @ L @ Phi + np.outer(gm, al)
        dPhi = L.T @ GS @ L
        dPhi = 2 * dPhi - np.diag(np.diag(dPhi))
        lam = sp.lam[g]
        free = lam >= 0
        np.add.at(gx, lam[free], dL[np.flatnonzero(free), sp.member[free]])
        iu = np.tril_indices(len(sp.factors))
        np.add.at(gx, sp.phi[g][iu], dPhi[iu])
        np.add.at(gx, sp.th[g], np.diag(GS))
        np.add.at(gx, sp.nu[g], gm)
        a = sp.al[g]
        if (a >= 0).any():
            np.add.at(gx, a[a >= 0], (L.T @ gm)[a >= 0])
    return (float(f), gx) if grad else float(f)


def _start(sp: _Spec, data: list) -> np.ndarray:
    """Starting values: per factor, the first principal axis of its items' pairwise
    covariances (scaled to the marker); residual variances half the item variance.
    """
    x = np.zeros(len(sp.keys))
    for g in reversed(range(len(data))):  # group 0 last: shared entries take its values
        Y = data[g].Y
        C = pd.DataFrame(Y).cov(min_periods=2).to_numpy()
        C = np.where(np.isfinite(C), C, 0.0)
        var = np.where(np.diag(C) > 0, np.diag(C), 1.0)
        for k in range(len(sp.factors)):
            idx = np.flatnonzero(sp.member == k)
            w, v = np.linalg.eigh(C[np.ix_(idx, idx)])
            load = v[:, -1] * np.sqrt(max(w[-1], 1e-8))
            if load[0] < 0:
                load = -load
            lm = load[0] if abs(load[0]) > 0.1 * np.sqrt(var[idx[0]]) else np.sqrt(0.5 * var[idx[0]])
            for j, i in enumerate(idx[1:], start=1):
                x[sp.lam[g][i]] = load[j] / lm
            x[sp.phi[g][k, k]] = lm**2
        x[sp.th[g]] = var / 2
        x[sp.nu[g]] = np.nanmean(Y, axis=0)
    return x


def _single_thread():
    """BLAS on one thread: the batched small matrices gain nothing from more, and the
    machine's cores are better left to other work.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _num_hessian(sp, data, x, g0=None, h=1e-5):
    """Observed Hessian of -logL by differences of the analytic gradient (forward
    differences from ``g0`` when given, central otherwise), symmetrised.
    """
    k = len(x)
    H = np.zeros((k, k))
    for i in range(k):
        e = np.zeros(k)
        step = h * max(1.0, abs(x[i]))
        e[i] = step
        gp = _objective(sp, data, x + e)[1]
        gm = g0 if g0 is not None else _objective(sp, data, x - e)[1]
        H[:, i] = (gp - gm) / (step if g0 is not None else 2 * step)
    return (H + H.T) / 2


def _casewise_scores(sp: _Spec, data: list, x: np.ndarray) -> np.ndarray:
    """Each case's gradient of ``-log L_i`` with respect to the free parameters: (N, k).

    The chain rule of :func:`_objective`, one case at a time (their sum is its gradient); the
    "meat" of the MLR sandwich and of the Yuan-Bentler scaling.
    """
    out = []
    m = len(sp.factors)
    for g, P in enumerate(data):
        L, Phi, _th, _nu, al, Sigma, mu = _matrices(sp, x, g)
        GS, gm = _robust.case_gradients(P.Y, mu, Sigma)
        GS = (GS + GS.transpose(0, 2, 1)) / 2
        dL = 2 * GS @ (L @ Phi) + gm[:, :, None] * al[None, None, :]
        dPhi = L.T[None] @ GS @ L[None]
        dPhi = 2 * dPhi - np.einsum("nii->ni", dPhi)[:, :, None] * np.eye(m)[None]
        gx = np.zeros((len(P.Y), len(x)))
        lam = sp.lam[g]
        for j in np.flatnonzero(lam >= 0):
            gx[:, lam[j]] += dL[:, j, sp.member[j]]
        for a, b in zip(*np.tril_indices(m)):
            gx[:, sp.phi[g][a, b]] += dPhi[:, a, b]
        for i in range(len(sp.items)):
            gx[:, sp.th[g][i]] += GS[:, i, i]
            gx[:, sp.nu[g][i]] += gm[:, i]
        lg = gm @ L
        for f in np.flatnonzero(sp.al[g] >= 0):
            gx[:, sp.al[g][f]] += lg[:, f]
        out.append(gx)
    return np.vstack(out)


def _expected_information(sp: _Spec, data: list, x: np.ndarray) -> np.ndarray:
    """Expected information of complete-data ML, ``sum_g D_g' A_g D_g`` (lavaan's default without missing
    data): ``D_g`` the Jacobian of the group's implied moments, ``A_g`` the saturated model's information
    where the data's moments equal the model's (the observed information there is the expected one).
    """
    p, k = len(sp.items), len(x)
    il = np.tril_indices(p)
    H = np.zeros((k, k))
    for g, P in enumerate(data):

        def moments(z, g=g):
            m = _matrices(sp, z, g)
            return np.concatenate([m[6], m[5][il]])

        D = np.zeros((p + len(il[0]), k))
        for i in range(k):
            e = np.zeros(k)
            e[i] = step = 1e-6 * max(1.0, abs(x[i]))
            D[:, i] = (moments(x + e) - moments(x - e)) / (2 * step)
        Sigma, mu = _matrices(sp, x, g)[5:7]
        block = [(np.arange(p)[None, :], np.array([float(P.n)]), mu[None, :], Sigma[None])]
        H += D.T @ _robust.saturated_information(block, mu, Sigma) @ D
    return H


def _fit_ml(sp: _Spec, data: list, msgs: list[str], hessian: bool = True):
    x = _start(sp, data)
    ntot = sum(P.n for P in data)

    def scaled(z):  # -logL / N, as lavaan's fmin is scaled
        fz, gz = _objective(sp, data, z)
        return fz / ntot, gz / ntot

    for _ in range(3):  # BFGS (it steps back from non-positive-definite trials)
        res = optimize.minimize(scaled, x, jac=True, method="BFGS", options={"maxiter": 20000, "gtol": 1e-9})
        moved = np.abs(res.x - x).max()
        x = res.x
        if res.success or moved < 1e-12:
            break
    fun = lambda z: _objective(sp, data, z)
    f, g = fun(x)
    H = None
    if hessian:  # one Newton step on the observed Hessian, which
        H = _num_hessian(
            sp, data, x, g0=g if len(x) > 60 else None, h=1e-6 if len(x) > 60 else 1e-5
        )  # SEs too
        try:
            step = linalg.solve(H, g, assume_a="sym")
            fn, gn = fun(x - step)
            if np.isfinite(fn) and fn <= f + 1e-10 * abs(f):
                x, f, g = x - step, fn, gn
        except (linalg.LinAlgError, ValueError):
            pass
    gmax = float(np.abs(g).max()) if np.isfinite(f) else np.inf
    converged = bool(np.isfinite(f)) and gmax < 1e-3 * max(1.0, ntot / 1000)
    if not converged:
        _warn(
            msgs,
            f"the model did not converge (largest gradient {gmax:.3g}); "
            "do not interpret its estimates or fit",
        )
    return x, -f, H, converged


# ----------------------------------------------------------------------------- result
@dataclass
class CFAResult:
    """A fitted CFA.

    Attributes
    ----------
    fit : dict
        chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr,
        plus logl, unrestricted_logl, baseline_chisq, baseline_df, npar, ntotal.
    loadings : DataFrame
        factor, item, estimate, se, std_all (one row per item; with ``group``,
        a ``group`` column too). The marker item has its loading fixed to 1 and
        ``se`` 0, as lavaan prints it.
    params : DataFrame
        Every parameter as lavaan's ``parameterEstimates``: lhs, op, rhs, group,
        estimate, se, std_all (``=~`` loadings, ``~~`` variances and
        covariances, ``~1`` intercepts and latent means).
    model : dict
        ``{factor: [items]}`` as fitted.
    reversed : list of str
        Items reversed (``scale_min + scale_max - x``) before fitting.
    groups : list
        Group labels (one entry ``None`` for a single-group fit).
    converged : bool
    warnings : list of str
    """

    fit: dict
    loadings: pd.DataFrame
    params: pd.DataFrame
    model: dict
    reversed: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    converged: bool = True
    warnings: list = field(default_factory=list)

    def summary(self) -> str:
        """The fit statistics and loadings, as text."""
        f = self.fit
        return (
            f"CFA ({len(self.model)} factors, N = {f['ntotal']}): chi2({f['df']}) = {f['chisq']:.2f}, "
            f"p = {f['pvalue']:.3g}, CFI = {f['cfi']:.3f}, TLI = {f['tli']:.3f}, "
            f"RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, {f['rmsea_ci_high']:.3f}], "
            f"SRMR = {f['srmr']:.3f}"
        )


def _rmsea_ci(X2: float, df: float, N: float, G: int, level: float = 0.90):
    """Lavaan's ``lav_fit_rmsea_ci``: noncentrality bounds by the noncentral chi-square."""
    if not (np.isfinite(X2) and df >= 1):
        return 0.0, 0.0
    hi_p, lo_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return stats.chi2.cdf(X2, df) if lam == 0 else stats.ncx2.cdf(X2, df, lam)

    if cdf(0.0) - hi_p < 0:
        low = 0.0
    else:
        lam = optimize.brentq(lambda x: cdf(x) - hi_p, 0.0, X2, xtol=1e-12)
        low = np.sqrt(lam / (N * df)) * np.sqrt(G)
    top = max(N, 4 * X2)
    if cdf(top) - lo_p > 0 or cdf(0.0) - lo_p < 0:
        high = 0.0
    else:
        lam = optimize.brentq(lambda x: cdf(x) - lo_p, 0.0, top, xtol=1e-12)
        high = np.sqrt(lam / (N * df)) * np.sqrt(G)
    return float(low), float(high)


def _independence_logl(P: _Patterns) -> float:
    Y = P.Y
    total = 0.0
    for j in range(Y.shape[1]):
        y = Y[:, j][~np.isnan(Y[:, j])]
        v = y.var()
        total += -0.5 * len(y) * (_LOG2PI + np.log(v) + 1)
    return total


def _srmr_group(S: np.ndarray, m: np.ndarray, Sigma: np.ndarray, mu: np.ndarray, means: bool = True) -> float:
    """Lavaan's SRMR (Bentler): residuals scaled by the h1 standard deviations, with the means when the
    model has a mean structure (FIML), without them otherwise (lavaan's listwise fit has none).
    """
    sd = np.sqrt(np.diag(S))
    R = (S - Sigma) / np.outer(sd, sd)
    iu = np.tril_indices(len(S))
    if not means:
        return float(np.sqrt(np.sum(R[iu] ** 2) / len(iu[0])))
    rm = (m - mu) / sd
    return float(np.sqrt((np.sum(R[iu] ** 2) + np.sum(rm**2)) / (len(iu[0]) + len(m))))


def _fit_measures(sp, data, x, logl, h1, means: bool = True):
    G = len(data)
    p = len(sp.items)
    N = sum(P.n for P in data)
    logl_h1 = sum(_loglik(P, mu, S) for P, (mu, S) in zip(data, h1))
    X2 = 2 * (logl_h1 - logl)
    df = G * p * (p + 3) // 2 - len(sp.keys)
    X2b = 2 * (logl_h1 - sum(_independence_logl(P) for P in data))
    dfb = G * p * (p - 1) // 2
    cfi, tli, rmsea = _cfi_tli_rmsea(X2, df, X2b, dfb, N, G)
    lo, hi = _rmsea_ci(X2, df, N, G)
    implied = [_matrices(sp, x, g)[5:7] for g in range(len(data))]  # each group's model covariance and mean
    srmr = sum(
        P.n / N * _srmr_group(S, mu, sigma_g, mu_g, means)
        for P, (mu, S), (sigma_g, mu_g) in zip(data, h1, implied)
    )
    return {
        "chisq": float(X2),
        "df": int(df),
        "pvalue": float(stats.chi2.sf(X2, df)) if df > 0 else np.nan,
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": rmsea,
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "srmr": float(srmr),
        "logl": float(logl),
        "unrestricted_logl": float(logl_h1),
        "baseline_chisq": float(X2b),
        "baseline_df": int(dfb),
        "npar": len(sp.keys),
        "ntotal": int(N),
    }


def _scaled_fit(fitm: dict, data: list, h1: list, H: np.ndarray, scores: np.ndarray, msgs: list[str]) -> dict:
    """MLR fit measures: the chi-squares divided by their Yuan-Bentler (Mplus) scaling factors, and
    CFI, TLI and RMSEA from them, as lavaan's ``*.scaled`` measures.
    """
    X2, df, X2b, dfb = fitm["chisq"], fitm["df"], fitm["baseline_chisq"], fitm["baseline_df"]
    N, G = fitm["ntotal"], len(data)
    try:
        sat = sum(_robust.saturated_trace(P.Y, P.blocks, mu, S) for P, (mu, S) in zip(data, h1))
        c = (
            (sat - float(np.trace(linalg.solve(H, scores.T @ scores, assume_a="sym")))) / df
            if df > 0
            else np.nan
        )
        cb = (sat - sum(_robust.independence_trace(P.Y, P.blocks) for P in data)) / dfb
    except (linalg.LinAlgError, ValueError):
        _warn(msgs, "the robust (MLR) chi-square could not be scaled: an information matrix is singular")
        c = cb = np.nan
    X2s, X2bs = X2 / c, X2b / cb
    cfi, tli, rmsea = _cfi_tli_rmsea(X2s, df, X2bs, dfb, N, G)
    return {
        "chisq_scaled": float(X2s),
        "scaling_factor": float(c),
        "pvalue_scaled": float(stats.chi2.sf(X2s, df)) if df > 0 else np.nan,
        "baseline_chisq_scaled": float(X2bs),
        "baseline_scaling_factor": float(cb),
        "cfi_scaled": cfi,
        "tli_scaled": tli,
        "rmsea_scaled": rmsea,
    }


def _cfi_tli_rmsea(X2: float, df: int, X2b: float, dfb: int, N: int, G: int) -> tuple[float, float, float]:
    """CFI (Bentler 1990), TLI (Tucker & Lewis 1973) and RMSEA (Steiger 1990, times sqrt(G) across
    groups, as lavaan) from a model's and its baseline's chi-squares (plain or scaled).
    """
    t1, t2 = max(X2 - df, 0.0), max(X2 - df, X2b - dfb, 0.0)
    cfi = 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2
    tli = (X2b / dfb - X2 / df) / (X2b / dfb - 1) if df > 0 else 1.0
    rmsea = float(np.sqrt(max(X2 / N / df - 1 / N, 0.0)) * np.sqrt(G)) if df > 0 else 0.0
    return float(cfi), float(tli), rmsea


def _param_table(sp, x, se, groups):
    rows = []
    for g in range(sp.n_groups):
        L, Phi, Th, nu, al, Sigma, _mu = _matrices(sp, x, g)
        sd_f = np.sqrt(np.clip(np.diag(Phi), 0, None))
        sd_y = np.sqrt(np.clip(np.diag(Sigma), 0, None))
        glab = groups[g]

        def sev(idx):
            return 0.0 if idx < 0 else float(se[idx])

        for i, it in enumerate(sp.items):
            k = sp.member[i]
            rows.append(
                (sp.factors[k], "=~", it, glab, L[i, k], sev(sp.lam[g][i]), L[i, k] * sd_f[k] / sd_y[i])
            )
        for i, it in enumerate(sp.items):
            rows.append((it, "~~", it, glab, Th[i], sev(sp.th[g][i]), Th[i] / sd_y[i] ** 2))
        m = len(sp.factors)
        for a in range(m):
            for b in range(a, m):
                rows.append(
                    (
                        sp.factors[a],
                        "~~",
                        sp.factors[b],
                        glab,
                        Phi[a, b],
                        sev(sp.phi[g][a, b]),
                        Phi[a, b] / (sd_f[a] * sd_f[b]),
                    )
                )
        for i, it in enumerate(sp.items):
            rows.append((it, "~1", "", glab, nu[i], sev(sp.nu[g][i]), nu[i] / sd_y[i]))
        for a in range(m):
            rows.append((sp.factors[a], "~1", "", glab, al[a], sev(sp.al[g][a]), al[a] / sd_f[a]))
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group", "estimate", "se", "std_all"])


def _checks(sp, x, H, h1, msgs):
    for g in range(sp.n_groups):
        L, Phi, Th, _nu, _al, Sigma, _mu = _matrices(sp, x, g)
        where = f" (group {g + 1})" if sp.n_groups > 1 else ""
        neg = [it for it, t in zip(sp.items, Th) if t < 0]
        if neg:
            _warn(
                msgs,
                f"Heywood case{where}: negative residual variance for {', '.join(neg)}; "
                "the model is misspecified for these items or the sample is too small",
            )
        std = (L * np.sqrt(np.clip(np.diag(Phi), 0, None))).sum(axis=1) / np.sqrt(
            np.clip(np.diag(Sigma), 1e-300, None)
        )
        big = [it for it, s in zip(sp.items, std) if abs(s) > 1]
        if big and not neg:
            _warn(msgs, f"Heywood case{where}: standardized loading above 1 for {', '.join(big)}")
        ev = np.linalg.eigvalsh(Phi)
        if ev.min() <= 0:
            _warn(
                msgs,
                f"the covariance matrix of the factors{where} is not positive definite "
                f"(smallest eigenvalue {ev.min():.3g}): two factors may be indistinguishable "
                "or a factor variance is negative",
            )
        S = h1[g][1]
        if np.linalg.eigvalsh(S).min() <= 1e-6 * max(np.diag(S).max(), 1e-300):
            _warn(
                msgs,
                f"the (EM) covariance matrix of the items{where} is not positive definite: "
                "an item is (nearly) a copy or a combination of others",
            )
    ev = np.linalg.eigvalsh(H) if H is not None else np.ones(1)
    if ev.min() <= 0:
        _warn(
            msgs,
            "the information matrix is not positive definite (smallest eigenvalue "
            f"{ev.min():.3g}): the model may not be identified; standard errors are not valid",
        )


# ----------------------------------------------------------------------------- public
def _resolve_model(df: pd.DataFrame, model, instrument, reverse):
    """The model, reverse keys, scale bounds, items and Don't-know codes the fit uses.

    With an instrument (always for the default model) the bounds are its scale's and each
    item's Don't-know code is read as missing; without one, neither is known.
    """
    inst = resolve(instrument) if model is None or instrument is not None else None
    if model is None:
        assert inst is not None
        model = _default_model(df, inst)
        if not model and "role" in df.columns and df["role"].nunique() > 1:
            raise ValueError(
                "no domain has 2 or more items that one role in the data was asked together (roles: "
                + ", ".join(sorted(df["role"].dropna().astype(str).unique()))
                + "); fit one role form, e.g. cfa(df[df['role'] == 'teacher']), or give model="
            )
    else:
        model = {str(f): list(v) for f, v in dict(model).items()}
    if inst is not None and reverse is None:
        # the reverse-keyed items of the model (another form's mirror may be a column, never a model item)
        inmodel = {i for v in model.values() for i in v}
        reverse = [i for i in inst.reverse_ids() if i in inmodel]
    reverse = list(reverse or [])
    if not model:
        raise ValueError(
            "the model has no factors: give model={factor: [items]} or data with the instrument's items"
        )
    items = [i for v in model.values() for i in v]
    missing = [i for i in items if i not in df.columns]
    if missing:
        raise ValueError(
            f"item(s) {', '.join(map(str, missing))} of the model are not columns of the data; "
            f"columns start {list(df.columns)[:8]}"
        )
    if len(set(items)) != len(items):
        raise ValueError("an item appears on two factors; each item must load on exactly one factor")
    small = [f for f, v in model.items() if len(v) < 2]
    if small:
        raise ValueError(
            f"factor(s) {', '.join(small)} have fewer than 2 items; a CFA factor needs at least 2"
        )
    bounds = (inst.scale_min, inst.scale_max) if inst is not None else None
    dk: dict[str, int] = {}
    if inst is not None:
        codes = {i: inst.item_scale(i).dont_know_code for i in items if i in inst.item_roles}
        dk = {i: c for i, c in codes.items() if c is not None}
    return model, list(reverse), bounds, items, dk


def _default_model(df: pd.DataFrame, inst) -> dict:
    """The instrument's domains, keeping items that some role in the data was asked together.

    A role form's items are missing by design for the other roles. FIML handles that, but only
    when every pair of items in the model was answered together by some respondents, so each
    domain keeps :meth:`Instrument.items_answered_together`. A domain left with fewer than 2
    items is dropped, with a warning. For 1.0.0 (every item on the teacher form) this is every
    item of the domain.
    """
    roles = sorted(set(df["role"].dropna().astype(str))) if "role" in df.columns else []
    model, dropped = {}, []
    for d in inst.domains["id"]:
        items = [i for i in inst.item_ids(d) if i in df.columns]
        kept = inst.items_answered_together(d, roles, df.columns)
        if len(kept) >= 2:
            model[d] = kept
        elif items:
            dropped.append(d)
    if dropped:
        warnings.warn(
            f"domain(s) {', '.join(dropped)} left out of the default model: fewer than 2 of their items "
            f"were asked together of one role in the data ({', '.join(roles)}); fit one role form "
            "(e.g. df[df['role'] == 'teacher']) to include them",
            CFAWarning,
            stacklevel=4,
        )
    return model


def _numeric(df: pd.DataFrame, items: list, reverse: list, bounds, dk: dict) -> np.ndarray:
    cols = []
    for it in items:
        col = pd.to_numeric(df[it], errors="coerce")
        bad = col.isna() & df[it].notna()
        if bad.any():
            r = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"column {it!r} holds a non-numeric value {df[it].iloc[r]!r} (row {r + 1}); "
                "read the file with assetinv.read_responses, which converts labels to numbers"
            )
        if it in dk:
            col = col.mask(col == dk[it])  # Don't know / Not applicable: not an answer
        if bounds is not None:
            out = col.notna() & ((col < bounds[0]) | (col > bounds[1]))
            if out.any():
                r = int(np.flatnonzero(out.to_numpy())[0])
                raise ValueError(
                    f"column {it!r} holds {df[it].iloc[r]!r} (row {r + 1}), outside the scale "
                    f"{bounds[0]}-{bounds[1]}; recode it, or read the file with assetinv.read_responses"
                )
        cols.append(col.to_numpy(dtype=float))
    Y = np.column_stack(cols)
    for it in reverse:
        j = items.index(it)
        lo, hi = bounds if bounds else (np.nanmin(Y), np.nanmax(Y))
        Y[:, j] = lo + hi - Y[:, j]
    return Y


def _group_data(df, Y, group, msgs, items):
    if group is None:
        labels, parts = [None], [Y]
    else:
        if group not in df.columns:
            raise ValueError(f"group column {group!r} is not in the data")
        g = df[group]
        if g.isna().any():
            _warn(msgs, f"{int(g.isna().sum())} row(s) with no {group!r} were left out")
        labels = pd.unique(g.dropna()).tolist()  # order of first appearance, as lavaan
        parts = [Y[(g == lab).to_numpy()] for lab in labels]
        if len(labels) < 2:
            raise ValueError(f"group column {group!r} has fewer than 2 groups")
    data = []
    for lab, part in zip(labels, parts):
        empty = np.isnan(part).all(axis=1)
        if empty.any():
            _warn(
                msgs,
                f"{int(empty.sum())} case(s) with no answer to any item were left out"
                + (f" (group {lab})" if lab is not None else "")
                + ", as lavaan does",
            )
        part = part[~empty]
        if len(part) < 3:
            raise ValueError(
                f"too few cases ({len(part)}) to fit a CFA" + (f" in group {lab}" if lab is not None else "")
            )
        where = f" in group {lab}" if lab is not None else ""
        few = [items[j] for j in range(part.shape[1]) if np.isfinite(part[:, j]).sum() < 2]
        if few:
            raise ValueError(
                f"item(s) {', '.join(few)} have fewer than 2 answers{where} and cannot enter a CFA; "
                "leave them out of the model or the group out of the data"
            )
        const = [items[j] for j in range(part.shape[1]) if np.nanvar(part[:, j]) == 0]
        if const:
            raise ValueError(f"item(s) {', '.join(const)} have no variance{where} and cannot enter a CFA")
        data.append(_patterns(part))
    return labels, data


def _fit(df, model, instrument, group, equal, reverse, missing, estimator, se=True):
    robust = str(estimator).upper() == "MLR"
    if not robust and str(estimator).upper() != "ML":
        raise ValueError(f"estimator={estimator!r} is not available; use estimator='ML' or 'MLR'")
    if missing not in ("fiml", "ml", "listwise"):
        raise ValueError(f"missing={missing!r}: use 'fiml' (or 'ml') or 'listwise'")
    msgs: list[str] = []
    model, reverse, bounds, items, dk = _resolve_model(df, model, instrument, reverse)
    Y = _numeric(df, items, reverse, bounds, dk)
    if missing == "listwise":
        keep = ~np.isnan(Y).any(axis=1)
        df, Y = df.loc[keep], Y[keep]
    labels, data = _group_data(df, Y, group, msgs, items)
    sp = _build_spec(model, len(data), equal)
    with _single_thread():
        x, logl, H, converged = _fit_ml(sp, data, msgs, hessian=se or robust)
        h1 = [_em_h1(P) for P in data]
    sev = np.full(len(x), np.nan)
    scores = _casewise_scores(sp, data, x) if robust and H is not None else None
    if H is not None:
        try:
            if scores is not None:
                cov = _robust.sandwich(H, scores)
            else:  # lavaan: observed information with FIML, expected with complete (listwise) data
                cov = linalg.inv(_expected_information(sp, data, x) if missing == "listwise" else H)
            sev = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
        except linalg.LinAlgError:
            pass
    _checks(sp, x, H, h1, msgs)
    fitm = _fit_measures(sp, data, x, logl, h1, means=missing != "listwise")
    if scores is not None and H is not None:
        fitm.update(_scaled_fit(fitm, data, h1, H, scores, msgs))
    params = _param_table(sp, x, sev, labels)
    if group is None:
        params = params.drop(columns="group")
    load = params[params["op"] == "=~"].rename(columns={"lhs": "factor", "rhs": "item"}).drop(columns="op")
    cols = ["factor", "item"] + (["group"] if group is not None else []) + ["estimate", "se", "std_all"]
    return CFAResult(
        fit=fitm,
        loadings=load[cols].reset_index(drop=True),
        params=params.reset_index(drop=True),
        model=model,
        reversed=reverse,
        groups=labels,
        converged=converged,
        warnings=msgs,
    )


def cfa(
    df: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | None = None,
    *,
    instrument: Instrument | str | Path | None = None,
    estimator: str = "ML",
    missing: str = "fiml",
    group: str | None = None,
    reverse: Sequence[str] | None = None,
) -> CFAResult:
    r"""Correlated-factors confirmatory factor analysis by ML with FIML for missing answers.

    Each item loads on its own factor only; factors correlate freely. Fitted
    as lavaan 0.6 fits ``cfa(model, data, estimator = "ML", missing = "fiml")``:
    marker loadings fixed to 1, intercepts free, observed-information standard
    errors, chi-square against the EM-estimated unrestricted model.

    Parameters
    ----------
    df : DataFrame
        One row per respondent, one numeric column per item (NaN = not answered).
    model : dict, optional
        ``{factor: [items]}``. Defaults to the instrument's domains,
        ``{d: instrument.item_ids(d)}``.
    instrument : Instrument or path, optional
        Used for the default model, reverse keys and scale bounds (the bundled
        1.0.0 instrument by default).
    estimator : {"ML", "MLR"}
        ``"MLR"``: the same estimates with Huber-White (sandwich) standard
        errors and the chi-square scaled by the Yuan-Bentler factor (Mplus
        form), as lavaan's ``estimator = "MLR", missing = "fiml"``; ``.fit``
        then also holds ``chisq_scaled, scaling_factor, pvalue_scaled,
        cfi_scaled, tli_scaled, rmsea_scaled, baseline_chisq_scaled,
        baseline_scaling_factor``. Use it when answers are far from normal
        (5-point items piled at one end). :func:`invariance` is ML only.
    missing : {"fiml", "ml", "listwise"}
        ``"fiml"`` (= ``"ml"``) uses every answer; ``"listwise"`` drops
        respondents who skipped any item. Cases with no answer at all are
        always left out (with a warning), as lavaan does.
    group : str, optional
        Column naming groups: a multi-group configural fit (nothing held equal).
    reverse : list of str, optional
        Items to reverse (``scale_min + scale_max - x``) first. By default,
        when the model comes from (or is given with) an instrument, its
        reverse-keyed items are reversed, so all loadings are positive; with a
        model and no instrument nothing is reversed. Reversal changes only the
        sign of that item's loading, never the fit.

    Returns
    -------
    CFAResult
        ``.fit`` (chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_low,
        rmsea_ci_high, srmr, ...), ``.loadings`` (factor, item, estimate, se,
        std_all), ``.params`` (all parameters), ``.warnings``.

    Warns
    -----
    CFAWarning
        Non-convergence, negative residual variances or standardized loadings
        above 1 (Heywood cases), a factor covariance matrix, item covariance
        matrix or information matrix that is not positive definite.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 2)) @ np.array([[1, .4], [0, .9]])
    >>> d = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(scale=.7, size=(300, 6)),
    ...                  columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> res = cfa(d, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    >>> res.fit["df"], bool(res.fit["cfi"] > .95)
    (8, True)

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software, 48*(2). Arbuckle, J. L. (1996). Full information estimation in the
    presence of incomplete data. Steiger, J. H. (1990) (RMSEA and its interval); Bentler, P. M.
    (1990) (CFI); Tucker & Lewis (1973) (TLI). MLR: Yuan, K.-H., & Bentler, P. M. (2000), *Sociological
    Methodology, 30*, 165-200; Asparouhov, T., & Muthen, B. (2010), Mplus technical note.
    """
    return _fit(df, model, instrument, group, (), reverse, missing, estimator)


def invariance(
    df: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | None = None,
    *,
    group: str,
    instrument: Instrument | str | Path | None = None,
    reverse: Sequence[str] | None = None,
    missing: str = "fiml",
) -> pd.DataFrame:
    r"""Configural, metric and scalar measurement invariance across groups.

    Fits the multi-group CFA three times (ML, FIML), as lavaan does with
    ``group.equal = ""``, ``"loadings"`` and ``c("loadings", "intercepts")``
    (latent means free after the first group in the scalar model), and
    compares each model with the one before.

    Verdicts (metric vs configural, scalar vs metric): ``"fails"`` when
    ΔCFI ≤ −.010 (Cheung & Rensvold 2002; Chen 2007); ``"unclear"`` when CFI
    passes but Chen's (2007) supplements flag a change, ΔRMSEA ≥ .015 or
    ΔSRMR ≥ .030 (metric) / .010 (scalar); ``"holds"`` otherwise. A level after a failed level is
    ``"not tested (…)"``. The
    configural row says whether the model fits acceptably in every group
    (CFI ≥ .90 and RMSEA ≤ .08). The Δχ² test is reported but, being
    sensitive to sample size, it does not decide the verdict.

    Parameters
    ----------
    df : DataFrame
    model : dict, optional
        ``{factor: [items]}``; default: the instrument's domains.
    group : str
        Grouping column (e.g. ``role``, ``wave``, ``district``).
    instrument, reverse, missing
        As in :func:`cfa`.

    Returns
    -------
    DataFrame
        Index ``configural, metric, scalar``; columns chisq, df, cfi, tli,
        rmsea, srmr, delta_chisq, delta_df, p_delta, delta_cfi, delta_rmsea,
        delta_srmr, verdict, meaning (a plain-language sentence). ``.attrs``
        holds the three ``CFAResult`` objects under ``"fits"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(400, 1))
    >>> d = pd.DataFrame(f + rng.normal(scale=.8, size=(400, 4)), columns=list("abcd"))
    >>> d["g"] = np.repeat(["x", "y"], 200)
    >>> tab = invariance(d, {"F": list("abcd")}, group="g")
    >>> list(tab.index), int(tab.loc["metric", "delta_df"])
    (['configural', 'metric', 'scalar'], 3)

    References
    ----------
    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
    measurement invariance. *Structural Equation Modeling, 9*, 233–255. Chen, F. F. (2007).
    Sensitivity of goodness of fit indexes to lack of measurement invariance. *Structural
    Equation Modeling, 14*, 464–504. Meredith, W. (1993). Measurement invariance, factor
    analysis and factorial invariance. *Psychometrika, 58*, 525–543.
    """
    levels = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}
    fits = {
        lev: _fit(df, model, instrument, group, eq, reverse, missing, "ML", se=False)
        for lev, eq in levels.items()
    }
    rows = []
    prev = None
    failed = None
    for lev, res in fits.items():
        f = res.fit
        row = {k: f[k] for k in ("chisq", "df", "cfi", "tli", "rmsea", "srmr")}
        if prev is None:
            ok = f["cfi"] >= 0.90 and f["rmsea"] <= 0.08 and res.converged
            row.update(
                delta_chisq=np.nan,
                delta_df=np.nan,
                p_delta=np.nan,
                delta_cfi=np.nan,
                delta_rmsea=np.nan,
                delta_srmr=np.nan,
                verdict="fit acceptable" if ok else "fit poor",
            )
            row["meaning"] = (
                "The same structure fits every group."
                if ok
                else "The structure itself fits poorly in at least one group; the later steps "
                "cannot be trusted."
            )
        else:
            d_chi = f["chisq"] - prev["chisq"]
            d_df = f["df"] - prev["df"]
            d_cfi, d_rmsea, d_srmr = (
                f["cfi"] - prev["cfi"],
                f["rmsea"] - prev["rmsea"],
                f["srmr"] - prev["srmr"],
            )
            srmr_cut = 0.030 if lev == "metric" else 0.010
            if failed:
                verdict = f"not tested ({failed} failed)"
            elif d_cfi <= -0.010:
                verdict = "fails"
            elif d_rmsea >= 0.015 or d_srmr >= srmr_cut:
                verdict = "unclear"
            else:
                verdict = "holds"
            if verdict in ("fails", "unclear") and not failed:
                failed = lev
            row.update(
                delta_chisq=d_chi,
                delta_df=d_df,
                p_delta=float(stats.chi2.sf(d_chi, d_df)),
                delta_cfi=d_cfi,
                delta_rmsea=d_rmsea,
                delta_srmr=d_srmr,
                verdict=verdict,
            )
            row["meaning"] = _meaning(lev, verdict, group)
        if not res.converged:
            row["verdict"] = "not converged"
            row["meaning"] = "The model did not converge; no conclusion can be drawn."
        rows.append(row)
        prev = f
    out = pd.DataFrame(rows, index=list(levels))
    out["df"] = out["df"].astype(int)
    out["delta_df"] = out["delta_df"].astype("Int64")
    out.attrs["fits"] = fits
    return out


def _meaning(level: str, verdict: str, group: str) -> str:
    if level == "metric":
        return {
            "holds": f"Items relate to their domain equally strongly in every {group}.",
            "fails": f"Some items relate to their domain differently across {group}s; "
            "domain scores mean different things in each.",
            "unclear": "The fit indices disagree about equal loadings; treat comparisons with care.",
        }.get(verdict, "Not tested because an earlier step failed.")
    return {
        "holds": f"Items have the same starting point in every {group}, so domain means can be compared.",
        "fails": f"Some items are answered higher or lower in one {group} at the same level of the domain; "
        f"gaps and changes between {group}s may partly reflect how items are read.",
        "unclear": "The fit indices disagree about equal intercepts; compare means with care.",
    }.get(verdict, "Not tested because an earlier step failed.")


def invariance_caution(table: pd.DataFrame, what: str = "gaps") -> str | None:
    """A plain-language caution for a report when scalar invariance is not supported.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`invariance`.
    what : str
        What the report compares (``"gaps"``, ``"changes"``).

    Returns
    -------
    str or None
        ``None`` when scalar invariance holds, otherwise a sentence to print
        next to the comparison.

    Examples
    --------
    >>> t = pd.DataFrame({"verdict": ["fit acceptable", "holds", "fails"]},
    ...                  index=["configural", "metric", "scalar"])
    >>> invariance_caution(t).startswith("Caution")
    True
    """
    if str(table.loc["scalar", "verdict"]) == "holds" and str(table.loc["metric", "verdict"]) == "holds":
        return None
    return (
        f"Caution: the groups may not read every item the same way (scalar invariance was not "
        f"supported), so part of these {what} may come from how items are read rather than from "
        f"real differences."
    )


#: Respondents per group per free parameter of the group's one-domain model below which
#: invariance is not tested (Bentler & Chou 1987: at least 5 cases per free parameter).
CASES_PER_PARAMETER = 5

_GROUP_WORDS = {
    "role": ("teachers and leaders", "the gap between them", "gaps"),
    "wave": ("staff at baseline and at follow-up", "the change between the waves", "changes"),
}


def _invariance_status(tab: pd.DataFrame) -> tuple[str, str]:
    """(status, reason) from an invariance table: holds, fails, or not tested."""
    v = tab["verdict"].astype(str)
    if (v == "not converged").any():
        return "not tested", "the model did not converge"
    if v["configural"] == "fit poor":
        return "fails", "the one-domain model fits poorly in at least one group"
    if invariance_caution(tab) is None:
        return "holds", ""
    step = "metric" if v["metric"] != "holds" else "scalar"
    return "fails", f"{step} invariance {v[step]}"


def _invariance_sentence(status: str, reason: str, group: str, name: str) -> str:
    who, what, _ = _GROUP_WORDS.get(group, (f"the {group} groups", "the differences between them", "gaps"))
    if status == "holds":
        return f"Tested: {who} read the {name} items the same way (scalar invariance holds), so {what} can be compared."
    if status == "fails":
        return (
            f"Caution: {who} may not read every {name} item the same way ({reason}), so part of {what} "
            "may come from how the items are read rather than from a real difference."
        )
    return (
        f"Whether {who} read the {name} items the same way could not be tested ({reason}); "
        f"{what} is shown assuming they do."
    )


def _one_domain_invariance(
    part, ids, rev, group, levels, min_ratio, inst
) -> tuple[str, str, pd.DataFrame | None]:
    n_min = (
        min_ratio * 3 * len(ids)
    )  # free parameters per group: loadings, intercepts, residuals, one variance
    answered = part[ids].notna().any(axis=1)
    counts = part.loc[answered, group].astype(str).value_counts()
    small = [g for g in levels if counts.get(g, 0) < n_min]
    if len(ids) < 3:
        return "not tested", "fewer than 3 items are asked of every group", None
    if small:
        return (
            "not tested",
            f"fewer than {n_min} respondents in the {', '.join(small)} group; the test needs "
            f"{min_ratio} per parameter of the model",
            None,
        )
    try:  # CFA warnings (Heywood cases, non-positive-definite matrices) propagate to the caller
        tab = invariance(part, {"F": ids}, group=group, instrument=inst, reverse=rev)
    except ValueError as e:
        return "not tested", f"the model could not be fitted: {e}", None
    status, reason = _invariance_status(tab)
    return status, reason, tab


def domain_invariance(
    responses: pd.DataFrame,
    instrument: Instrument | str | Path | None = None,
    *,
    group: str,
    levels: Sequence[str] | None = None,
    cases_per_parameter: int = CASES_PER_PARAMETER,
) -> pd.DataFrame:
    r"""Measurement invariance of each domain across ``group``, with the sentence a report prints.

    Each domain's one-factor model (its items asked of every role present,
    reverse keys reversed) goes through :func:`invariance`. A domain is
    ``"not tested"`` when a group has fewer than ``cases_per_parameter``
    respondents per free parameter of its model (``3k`` for ``k`` items;
    Bentler & Chou 1987), when the model does not converge or cannot be fitted;
    the report then says so rather than assuming invariance.

    Parameters
    ----------
    responses : DataFrame
        One row per response: item columns, ``role`` and ``group``.
    instrument : Instrument or path, optional
    group : str
        ``"role"`` (teacher vs leader) or ``"wave"`` (baseline vs follow-up), or any column.
    levels : list of str, optional
        The groups to compare (default: every value of ``group``, in order of appearance).
    cases_per_parameter : int

    Returns
    -------
    DataFrame
        domain, compared (``group``), n_items, invariance (``holds``, ``fails``,
        ``not tested``), invariance_reason, configural, metric, scalar (verdicts),
        delta_cfi_metric, delta_cfi_scalar, cfa_warnings (the fits' CFA warnings, also raised as
        :class:`CFAWarning`), sentence (plain words, with ``Caution:`` when it fails).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assetinv import load_instrument
    >>> inst = load_instrument()
    >>> rng = np.random.default_rng(3)
    >>> resp = pd.DataFrame({"role": np.repeat(["teacher", "leader"], 20)})
    >>> for item in inst.item_ids():
    ...     resp[item] = rng.integers(1, 6, 40)
    >>> t = domain_invariance(resp, inst, group="role")
    >>> t["invariance"].unique().tolist()
    ['not tested']

    References
    ----------
    Bentler, P. M., & Chou, C.-P. (1987). Practical issues in structural modeling. *Sociological
    Methods & Research, 16*, 78–117. Chen (2007); Cheung & Rensvold (2002).
    """
    inst = resolve(instrument)
    lev = list(levels) if levels is not None else list(pd.unique(responses[group].dropna().astype(str)))
    part = responses[responses[group].astype(str).isin(lev)]
    roles = sorted(set(part["role"].dropna().astype(str))) if "role" in part else []
    rows = []
    for _, d in inst.domains.iterrows():
        ids = inst.items_asked_of_all(d["id"], roles, part.columns)
        rev = [i for i in inst.reverse_ids(d["id"]) if i in ids]
        status, reason, tab = _one_domain_invariance(part, ids, rev, group, lev, cases_per_parameter, inst)
        row = {"domain": d["id"], "compared": group, "n_items": len(ids), "invariance": status}
        row["invariance_reason"] = reason
        for k in ("configural", "metric", "scalar"):
            row[k] = str(tab.loc[k, "verdict"]) if tab is not None else ""
        row["delta_cfi_metric"] = tab.loc["metric", "delta_cfi"] if tab is not None else np.nan
        row["delta_cfi_scalar"] = tab.loc["scalar", "delta_cfi"] if tab is not None else np.nan
        fits = tab.attrs.get("fits", {}) if tab is not None else {}
        # the fits' warnings on the estimates; counts of empty cases stay out (they are counts of people)
        row["cfa_warnings"] = "; ".join(
            dict.fromkeys(m for f in fits.values() for m in f.warnings if "no answer to any item" not in m)
        )
        row["sentence"] = _invariance_sentence(status, reason, group, inst.domain_name(d["id"], short=True))
        rows.append(row)
    return pd.DataFrame(rows)


def _merge_size_reasons(reasons: set[str]) -> set[str]:
    """Merge "fewer than 105 ..." and "fewer than 60 ..." (domains of different sizes) into one reason."""
    shapes = {re.sub(r"\d+", "#", r) for r in reasons}
    if len(shapes) != 1 or "fewer than #" not in next(iter(shapes)):
        return reasons
    need = sorted({int(re.search(r"fewer than (\d+)", r).group(1)) for r in reasons})  # type: ignore[union-attr]
    one = next(iter(reasons))
    return {re.sub(r"fewer than \d+", f"fewer than the {need[0]} to {need[-1]} (by domain)", one, count=1)}


def invariance_sentences(table: pd.DataFrame) -> list[str]:
    """The plain-words sentences a report prints beside gaps or changes, from :func:`domain_invariance`.

    One sentence for all domains when they share a result (all hold, or none
    could be tested for the same reason); when none could be tested for
    different reasons, one per kind of reason, naming its domains; otherwise
    one per domain.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`domain_invariance` (empty: no sentences).

    Returns
    -------
    list of str

    Examples
    --------
    >>> t = pd.DataFrame({"domain": ["A", "B"], "compared": "role", "invariance": "not tested",
    ...                   "invariance_reason": "too few leaders", "sentence": ["...", "..."]})
    >>> invariance_sentences(t)[0].startswith("Whether teachers and leaders")
    True
    """
    if table is None or len(table) == 0:
        return []
    status, reason = set(table["invariance"].astype(str)), set(table["invariance_reason"].astype(str))
    group = str(table["compared"].iloc[0])
    who, what, _ = _GROUP_WORDS.get(group, (f"the {group} groups", "the differences between them", "gaps"))
    if status == {"holds"}:
        return [
            f"Tested on the network's answers: {who} read the items of every domain the same way "
            f"(scalar invariance holds), so {what} can be compared."
        ]
    if status == {"not tested"} and len(reason) > 1:
        reason = _merge_size_reasons(reason)
    if status == {"not tested"} and len(reason) == 1:
        return [
            f"Whether {who} read the items the same way could not be tested ({reason.pop()}); "
            f"{what} is shown assuming they do."
        ]
    if status == {"not tested"}:
        return _untested_by_reason(table, group)
    return [str(s) for s in table["sentence"]]


def _untested_by_reason(table: pd.DataFrame, group: str) -> list[str]:
    """One sentence per kind of reason (sizes merged), naming its domains, when no domain was tested."""
    kinds: dict[str, list[tuple[str, str]]] = {}
    for reason, sentence in zip(table["invariance_reason"].astype(str), table["sentence"].astype(str)):
        kinds.setdefault(re.sub(r"\d+", "#", reason), []).append((reason, sentence))
    out = []
    for rows in kinds.values():
        names = [
            m.group(1)
            for _, sentence in rows
            if (m := re.search(r"read the (.+?) items the same way", sentence))
        ]
        if len(rows) == 1 or len(names) != len(rows):
            out += [sentence for _, sentence in rows]
            continue
        merged = next(iter(_merge_size_reasons({r for r, _ in rows})))
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        out.append(_invariance_sentence("not tested", merged, group, listed))
    return out
