"""Small-sample inference for the growth models of :func:`assetinv.change_over_time`.

Given the REML variance components of a fitted linear mixed model (statsmodels
``MixedLM``), this module computes what lmerTest (Kuznetsova, Brockhoff &
Christensen 2017) reports for a fixed effect:

* ``vcov_beta = (X' V^-1 X)^-1`` at the REML variance components (lme4's
  ``vcov``);
* the Satterthwaite (1946) denominator degrees of freedom
  ``df = 2 (l' C l)^2 / (g' A g)``, where ``g`` is the gradient of ``l' C l``
  with respect to the variance parameters and ``A = 2 H^-1`` their asymptotic
  covariance, ``H`` the Hessian of the REML deviance (``-2 log L_R``).

lmerTest takes both derivatives in lme4's parametrisation ``(theta, sigma)``
(relative Cholesky factors of the random-effect covariances and the residual
SD), numerically. Here they are analytic: the deviance's gradient and Hessian
are first found in the linear covariance parameters ``psi`` (``V = sum psi_m
G_m``), then carried to ``(theta, sigma)`` by the chain rule, including the
second-order term (the gradient is not zero when a variance sits on the
boundary). Like lmerTest, ``H`` is inverted through its positive eigenvalues
(a Moore-Penrose inverse). Because ``V`` is block diagonal by school (or by
respondent), every quantity is a sum over blocks; no ``n x n`` matrix is formed.

This is a private module: :func:`assetinv.change_over_time` is the public entry.

References
----------
Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). lmerTest
package: Tests in linear mixed effects models. *Journal of Statistical
Software*, 82(13), 1-26. Satterthwaite, F. E. (1946). An approximate
distribution of estimates of variance components. *Biometrics Bulletin*, 2,
110-114.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__: list[str] = []


@dataclass(frozen=True)
class Structure:
    """Random part of ``score ~ followup``: which terms are in the model.

    ``block`` is the column whose levels make ``V`` block diagonal. School
    terms (``school_intercept``, ``school_slope``) need ``block="school"``;
    ``respondent`` adds a respondent intercept nested in the block (or, with
    ``block="respondent_id"``, the block itself is the respondent).
    """

    block: str
    school_intercept: bool
    school_slope: bool
    respondent: bool
    xcols: tuple[str, ...] = ("followup",)  # fixed effects after the intercept


@dataclass(frozen=True)
class Inference:
    beta: np.ndarray  # GLS fixed effects (intercept, followup) at the REML components
    vcov: np.ndarray  # (X'V^-1X)^-1
    se: float  # SE of the followup effect
    df: float  # Satterthwaite df of the followup effect
    varpar: np.ndarray  # lme4's (theta..., sigma)
    psi: dict  # variance components by name
    estimate: float = float("nan")  # l'beta of the contrast (beta[1] for satterthwaite)


def _psi_spec(st: Structure) -> tuple[list[str], list[np.ndarray | None], int]:
    """Names of the linear covariance parameters, their quadratic forms ``Q``
    in theta (``psi = sigma^2 (theta' Q theta)``, the residual is ``sigma^2``)
    and the number of theta parameters.
    """
    names: list[str] = []
    quads: list[np.ndarray | None] = []
    k = 0
    if st.school_slope:
        k = 3  # lme4's lower-triangular Cholesky factor (L11, L21, L22)
    elif st.school_intercept:
        k = 1
    if st.respondent:
        k += 1
    e = np.eye(k)
    j = 0
    if st.school_slope:
        names += ["school_var", "school_cov", "slope_var"]
        quads += [
            np.outer(e[0], e[0]),
            (np.outer(e[0], e[1]) + np.outer(e[1], e[0])) / 2,
            np.outer(e[1], e[1]) + np.outer(e[2], e[2]),
        ]
        j = 3
    elif st.school_intercept:
        names.append("school_var")
        quads.append(np.outer(e[0], e[0]))
        j = 1
    if st.respondent:
        names.append("respondent_var")
        quads.append(np.outer(e[j], e[j]))
    names.append("residual_var")
    quads.append(None)
    return names, quads, k


def _blocks(data: pd.DataFrame, st: Structure):
    """Per block: y, X and the G matrices in the order of ``_psi_spec``."""
    out = []
    for _, part in data.groupby(st.block, sort=True):
        y = part["score"].to_numpy(float)
        one = np.ones(len(y))
        X = np.column_stack([one] + [part[c].to_numpy(float) for c in st.xcols])
        gs = []
        f = part["followup"].to_numpy(float) if st.school_slope else one
        if st.school_slope:
            gs += [np.outer(one, one), np.outer(one, f) + np.outer(f, one), np.outer(f, f)]
        elif st.school_intercept:
            gs.append(np.outer(one, one))
        if st.respondent:
            rid = part["respondent_id"].to_numpy()
            gs.append((rid[:, None] == rid[None, :]).astype(float))
        gs.append(np.eye(len(y)))
        out.append((y, X, gs))
    return out


def varpar_from_psi(psi: np.ndarray, st: Structure) -> np.ndarray:
    """lme4's ``c(theta, sigma)`` from the linear covariance parameters."""
    sigma = float(np.sqrt(psi[-1]))
    s2 = sigma**2
    theta: list[float] = []
    i = 0
    if st.school_slope:
        v0, c01, v1 = psi[0] / s2, psi[1] / s2, psi[2] / s2
        a = np.sqrt(max(v0, 0.0))
        b = c01 / a if a > 0 else 0.0
        c = np.sqrt(max(v1 - b * b, 0.0))
        theta += [a, b, c]
        i = 3
    elif st.school_intercept:
        theta.append(np.sqrt(max(psi[0] / s2, 0.0)))
        i = 1
    if st.respondent:
        theta.append(np.sqrt(max(psi[i] / s2, 0.0)))
    return np.array(theta + [sigma])


def _psi_from_varpar(vp: np.ndarray, quads) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """psi(vp), its Jacobian ``J[m, a]`` and Hessians ``d2psi_m / dvp^2``."""
    t, s = vp[:-1], vp[-1]
    k = len(t)
    psi, jac, hess = [], [], []
    for q in quads:
        h = np.zeros((k + 1, k + 1))
        if q is None:  # residual: sigma^2
            psi.append(s * s)
            jac.append(np.r_[np.zeros(k), 2 * s])
            h[k, k] = 2.0
        else:
            qt = q @ t
            tq = float(t @ qt)
            psi.append(s * s * tq)
            jac.append(np.r_[2 * s * s * qt, 2 * s * tq])
            h[:k, :k] = 2 * s * s * q
            h[:k, k] = h[k, :k] = 4 * s * qt
            h[k, k] = 2 * tq
        hess.append(h)
    return np.array(psi), np.array(jac), hess


def _derivs(blocks, vp: np.ndarray, quads, want_hess: bool = True):
    """REML deviance (up to a constant), its gradient and Hessian in ``vp``,
    plus ``C = (X'V^-1X)^-1``, the GLS ``beta`` and ``dC/dpsi``.
    """
    psi, jac, d2psi = _psi_from_varpar(vp, quads)
    m = len(quads)
    p = blocks[0][1].shape[1]
    xwx = np.zeros((p, p))
    xwy = np.zeros(p)
    logdet = 0.0
    cache = []
    for y, X, gs in blocks:
        V = sum(p * g for p, g in zip(psi, gs))
        ch = np.linalg.cholesky(V)
        logdet += 2 * float(np.sum(np.log(np.diag(ch))))
        W = np.linalg.inv(V)
        W = (W + W.T) / 2
        WX = W @ X
        xwx += X.T @ WX
        xwy += WX.T @ y
        cache.append((y, X, gs, W, WX))
    C = np.linalg.inv(xwx)
    C = (C + C.T) / 2
    beta = C @ xwy
    tr_wg = np.zeros(m)
    tr_wgwg = np.zeros((m, m))
    mk = np.zeros((m, p, p))  # X'W G_k W X
    mkl = np.zeros((m, m, p, p))  # X'W G_k W G_l W X
    qgq = np.zeros(m)
    awa = np.zeros((m, m))  # a_k' W a_l, a_k = G_k q
    xwa = np.zeros((m, p))  # X'W a_k
    rwr = 0.0
    for y, X, gs, W, WX in cache:
        r = y - X @ beta
        q = W @ r
        rwr += float(r @ q)
        wg = [W @ g for g in gs]
        gwx = [g @ WX for g in gs]
        a = [g @ q for g in gs]
        wa = [W @ ai for ai in a]
        for k in range(m):
            tr_wg[k] += np.trace(wg[k])
            mk[k] += WX.T @ gwx[k]
            qgq[k] += q @ a[k]
            xwa[k] += X.T @ wa[k]
            if not want_hess:
                continue
            for j in range(k, m):
                tr_wgwg[k, j] += float(np.sum(wg[k] * wg[j].T))
                mkl[k, j] += gwx[k].T @ W @ gwx[j]
                awa[k, j] += a[k] @ wa[j]
    dev = logdet + float(np.linalg.slogdet(xwx)[1]) + rwr
    grad = tr_wg - np.einsum("ij,kji->k", C, mk) - qgq
    hess = np.zeros((m, m))
    if want_hess:
        for k in range(m):
            for j in range(k, m):
                tr_pgpg = tr_wgwg[k, j] - 2 * np.trace(C @ mkl[k, j]) + np.trace(C @ mk[k] @ C @ mk[j])
                qgpgq = awa[k, j] - xwa[k] @ C @ xwa[j]
                hess[k, j] = hess[j, k] = -tr_pgpg + 2 * qgpgq
    g_vp = jac.T @ grad
    h_vp = jac.T @ hess @ jac + sum(g * h for g, h in zip(grad, d2psi))
    h_vp = (h_vp + h_vp.T) / 2
    dC = np.array([C @ mk[k] @ C for k in range(m)])
    return dev, g_vp, h_vp, C, beta, dC, jac


def _diag_theta(st: Structure) -> list[int]:
    """Indices of the theta entries bounded below by 0 (Cholesky diagonals)."""
    idx = [0, 2] if st.school_slope else ([0] if st.school_intercept else [])
    if st.respondent:
        idx.append(3 if st.school_slope else 1 if st.school_intercept else 0)
    return idx


def _polish(blocks, vp: np.ndarray, quads, st: Structure, max_iter: int = 50):
    """Newton steps on the REML deviance from statsmodels' optimum (theta
    diagonals kept >= 0, as lme4 bounds them), so the components sit at the
    optimum to ~1e-10 rather than the optimiser's tolerance. A step that does
    not lower the deviance is halved; a Hessian that is not positive definite
    stops the polishing (statsmodels' optimum is kept).
    """
    bounded = _diag_theta(st)
    dev, g, h, *_ = _derivs(blocks, vp, quads)
    for _ in range(max_iter):
        free = [i for i in range(len(vp)) if not (i in bounded and vp[i] <= 0 and g[i] >= 0)]
        hf = h[np.ix_(free, free)]
        try:
            np.linalg.cholesky(hf)
        except np.linalg.LinAlgError:
            break
        step = np.zeros_like(vp)
        step[free] = -np.linalg.solve(hf, g[free])
        t = 1.0
        improved = False
        for _ls in range(30):
            cand = vp + t * step
            for i in bounded:
                cand[i] = max(cand[i], 0.0)
            try:
                d_new, g_new, h_new, *_ = _derivs(blocks, cand, quads)
            except np.linalg.LinAlgError:
                t /= 2
                continue
            if d_new <= dev + 1e-12:
                improved = True
                break
            t /= 2
        if not improved:
            break
        moved = float(np.max(np.abs(cand - vp)))
        vp, dev, g, h = cand, d_new, g_new, h_new
        if moved < 1e-11:
            break
    return vp


def satterthwaite(
    data: pd.DataFrame, st: Structure, psi: np.ndarray, tol: float = 1e-8, polish: bool = True
) -> Inference:
    """LmerTest's Satterthwaite inference for ``followup`` at the REML components.

    ``data`` has ``score``, ``followup``, ``school``, ``respondent_id``;
    ``psi`` holds the variance components (e.g. statsmodels' estimates) in the
    order of the structure: school variance [, school-slope covariance, slope
    variance] [, respondent variance], residual variance. With ``polish`` they
    are first moved to the exact REML optimum by Newton steps.
    """
    (inf,) = contrasts(data, st, psi, np.eye(1 + len(st.xcols))[1:2], tol=tol, polish=polish)
    return inf


def contrasts(
    data: pd.DataFrame, st: Structure, psi: np.ndarray, L: np.ndarray, tol: float = 1e-8, polish: bool = True
) -> list[Inference]:
    """Satterthwaite inference (lmerTest's ``contest`` with ``ddf="Satterthwaite"``)
    for each row ``l`` of ``L``: estimate ``l'beta``, SE ``sqrt(l'Cl)`` and df.
    The returned :class:`Inference` objects hold the contrast's ``estimate``, the
    full ``beta`` and ``vcov``, and the polished variance components.
    """
    names, quads, _ = _psi_spec(st)
    blocks = _blocks(data, st)
    vp = varpar_from_psi(np.asarray(psi, float), st)
    if polish:
        vp = _polish(blocks, vp, quads, st)
    _dev, _g, h_vp, C, beta, dC, jac = _derivs(blocks, vp, quads)
    evals, evecs = np.linalg.eigh(h_vp)
    pos = evals > tol
    a_cov = 2 * (evecs[:, pos] / evals[pos]) @ evecs[:, pos].T
    psi_final, _, _ = _psi_from_varpar(vp, quads)
    out = []
    for w in np.atleast_2d(np.asarray(L, float)):
        g_var = jac.T @ np.einsum("i,kij,j->k", w, dC, w)  # d var(w'b) / d varpar
        var = float(w @ C @ w)
        denom = float(g_var @ a_cov @ g_var)
        df = 2 * var * var / denom if denom > 0 else np.inf
        est = float(w @ beta)
        out.append(
            Inference(
                beta=beta,
                vcov=C,
                se=float(np.sqrt(var)),
                df=float(df),
                varpar=vp,
                psi=dict(zip(names, psi_final.tolist())),
                estimate=est,
            )
        )
    return out


def psi_from_statsmodels(res, st: Structure) -> np.ndarray:
    """The variance components of a statsmodels ``MixedLMResults`` in the order of ``_psi_spec``."""
    cov = np.asarray(res.cov_re, float)
    out: list[float] = []
    if st.school_slope:
        out += [cov[0, 0], cov[1, 0], cov[1, 1]]
    elif st.school_intercept:
        out.append(cov[0, 0])
    if st.respondent:
        vc = np.asarray(getattr(res, "vcomp", []), float)
        out.append(float(vc[0]) if st.block != "respondent_id" else float(cov[0, 0]))
    out.append(float(res.scale))
    return np.array(out)


def _aggregates(data: pd.DataFrame, st: Structure) -> dict:
    """Sufficient statistics of ``score ~ followup`` for intercept-only models:
    per respondent (n_i, sums of z = [1, followup, score]) and per block the
    cross-products of z, so the REML deviance is a few array reductions.
    """
    blk = pd.factorize(data[st.block], sort=True)[0]
    rid = pd.factorize(pd.Series(list(zip(blk, data["respondent_id"].astype(str)))), sort=False)[0]
    f = np.ones(len(data))
    z = np.column_stack([f] + [data[c].to_numpy(float) for c in st.xcols] + [data["score"].to_numpy(float)])
    n_b = int(blk.max()) + 1
    n_r = int(rid.max()) + 1
    q = z.shape[1]
    zz = np.einsum("ni,nj->nij", z, z)
    szz_b = np.zeros((n_b, q, q))
    np.add.at(szz_b, blk, zz)
    sz_r = np.zeros((n_r, q))
    np.add.at(sz_r, rid, z)
    n_i = np.bincount(rid, minlength=n_r).astype(float)
    r_blk = np.zeros(n_r, int)
    r_blk[rid] = blk
    # respondents grouped by (block, size): c_i depends on n_i only
    sizes, size_ix = np.unique(n_i, return_inverse=True)
    cell = r_blk * len(sizes) + size_ix
    m = n_b * len(sizes)
    outer_c = np.zeros((m, q, q))
    np.add.at(outer_c, cell, np.einsum("ri,rj->rij", sz_r, sz_r))
    sz_c = np.zeros((m, q))
    np.add.at(sz_c, cell, sz_r)
    cnt_c = np.bincount(cell, minlength=m).astype(float)
    return {
        "szz_b": szz_b,
        "sz_b": szz_b[:, 0, :],
        "n_b": szz_b[:, 0, 0],
        "sizes": sizes,
        "n_all": n_i,
        "outer_c": outer_c.reshape(n_b, len(sizes), q, q),
        "sz_c": sz_c.reshape(n_b, len(sizes), q),
        "cnt_c": cnt_c.reshape(n_b, len(sizes)),
        "N": len(f),
        "p": 1 + len(st.xcols),
    }


def _profiled_dev(lam_s: float, lam_r: float, agg: dict) -> tuple[float, float]:
    """REML deviance with the residual variance profiled out, at variance ratios
    ``lam_s = school / residual`` and ``lam_r = respondent / residual``
    (Woodbury: a respondent's block is compound symmetric, a school adds a
    rank-one term). Returns (deviance, residual variance).
    """
    sizes, p = agg["sizes"], agg["p"]
    c = lam_r / (1.0 + sizes * lam_r)  # per respondent size
    zdz = agg["szz_b"] - np.einsum("v,bvij->bij", c, agg["outer_c"])
    odz = agg["sz_b"] - np.einsum("v,bvi->bi", c * sizes, agg["sz_c"])
    odo = agg["n_b"] - agg["cnt_c"] @ (c * sizes * sizes)
    k = lam_s / (1.0 + lam_s * odo)
    zvz = zdz.sum(axis=0) - np.einsum("b,bi,bj->ij", k, odz, odz)
    logdet = float(np.sum(np.log1p(agg["n_all"] * lam_r)) + np.sum(np.log1p(lam_s * odo)))
    xvx, xvy, yvy = zvz[:p, :p], zvz[:p, p], zvz[p, p]
    beta = np.linalg.solve(xvx, xvy)
    rss = float(yvy - xvy @ beta)
    dof = agg["N"] - p
    return dof * np.log(rss) + logdet + float(np.linalg.slogdet(xvx)[1]), rss / dof


def reml_psi(data: pd.DataFrame, st: Structure) -> np.ndarray:
    """The REML variance components of an intercept-only ``score ~ followup``
    model (school intercept and/or respondent intercept), without statsmodels.

    The residual variance is profiled out and the deviance, computed from
    sufficient statistics (:func:`_profiled_dev`), is minimised over the square
    roots of the variance ratios (lme4's theta) by Nelder-Mead. The result is
    handed to :func:`satterthwaite`, whose Newton polish moves it to the exact
    optimum, the same point statsmodels' optimum is polished to.
    """
    from scipy.optimize import minimize, minimize_scalar

    if st.school_slope or st.block != "school":
        raise ValueError("reml_psi handles intercept-only models blocked by school")
    agg = _aggregates(data, st)

    def dev(t: np.ndarray) -> float:
        ls = t[0] ** 2 if st.school_intercept else 0.0
        lr = t[-1] ** 2 if st.respondent else 0.0
        return _profiled_dev(ls, lr, agg)[0]

    k = int(st.school_intercept) + int(st.respondent)
    if k == 1:
        opt1 = minimize_scalar(
            lambda x: dev(np.array([x])), bounds=(0.0, 20.0), method="bounded", options={"xatol": 1e-10}
        )
        t = np.array([abs(float(opt1.x))])
        if dev(np.zeros(1)) <= opt1.fun:
            t = np.zeros(1)
    else:
        opt = minimize(
            dev,
            np.full(k, 0.5),
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-11, "maxiter": 2000},
        )
        t = np.abs(np.asarray(opt.x, float))
    ls = t[0] ** 2 if st.school_intercept else 0.0
    lr = t[-1] ** 2 if st.respondent else 0.0
    s2 = _profiled_dev(ls, lr, agg)[1]
    psi = ([ls * s2] if st.school_intercept else []) + ([lr * s2] if st.respondent else []) + [s2]
    return np.array(psi)
