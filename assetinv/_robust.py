"""Normal FIML terms by missing-data pattern, and the robust (MLR) pieces built on them.

Private helpers of :mod:`assetinv.structure`: :func:`moment_terms` is the core of its ML objective
(-logL and its gradient in the implied moments); the rest computes ``estimator = "MLR"`` with
``missing = "fiml"`` as lavaan 0.6 does:

* standard errors ``H^-1 (sum_i g_i g_i') H^-1``: ``H`` the observed information (the Hessian of
  -logL) and ``g_i`` each case's score (Huber 1967; White 1982; lavaan ``se = "robust.huber.white"``);
* the chi-square divided by the Yuan-Bentler scaling factor in its Mplus form (lavaan
  ``test = "yuan.bentler.mplus"``): ``c = (tr(A1^-1 B1) - tr(H^-1 B0)) / df``, where ``A1`` and
  ``B1`` are the observed and first-order information of the saturated model at its EM estimates and
  ``B0 = sum_i g_i g_i'`` (Yuan & Bentler 2000; Asparouhov & Muthen 2010).

References
----------
Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
structure analysis with nonnormal missing data. *Sociological Methodology, 30*, 165-200.
Asparouhov, T., & Muthen, B. (2010). Simple second order chi-square correction. Mplus technical note.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

_LOG2PI = np.log(2 * np.pi)


def case_gradients(Y: np.ndarray, mu: np.ndarray, Sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each case's gradient of ``-log L_i`` with respect to ``Sigma`` (n, p, p) and ``mu`` (n, p).

    Only the entries of a case's observed variables are non-zero (full-information ML).
    """
    n, p = Y.shape
    GS = np.zeros((n, p, p))
    gm = np.zeros((n, p))
    M = ~np.isnan(Y)
    keys, inv = np.unique(M, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    for k in range(len(keys)):
        o = np.flatnonzero(keys[k])
        rows = np.flatnonzero(inv == k)
        if not len(o):
            continue
        Si = np.linalg.inv(Sigma[np.ix_(o, o)])
        Sd = (Y[np.ix_(rows, o)] - mu[o]) @ Si
        GS[np.ix_(rows, o, o)] = 0.5 * (Si[None] - Sd[:, :, None] * Sd[:, None, :])
        gm[np.ix_(rows, o)] = -Sd
    return GS, gm


def saturated_scores(Y: np.ndarray, mu: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Casewise scores of the saturated model in ``(mu, vech Sigma)``: (n, p + p(p+1)/2)."""
    GS, gm = case_gradients(Y, mu, Sigma)
    il = np.tril_indices(Y.shape[1])
    twice = np.where(il[0] == il[1], 1.0, 2.0)  # an off-diagonal element stands for two entries
    return np.hstack([gm, GS[:, il[0], il[1]] * twice])


def _unpack(v: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    S = np.zeros((p, p))
    S[np.tril_indices(p)] = v[p:]
    return v[:p], S + S.T - np.diag(np.diag(S))


def moment_terms(blocks, mu: np.ndarray, Sigma: np.ndarray, grad: bool = True, f: float = 0.0):
    """The normal FIML terms of one group at ``(mu, Sigma)``: ``(f + -logL, dF/dSigma, dF/dmu)``.

    ``blocks`` are the missing-data patterns' sufficient statistics, stacked by how many items they
    observe (observed indices (n_pat, k), counts, means, ML covariances). The gradients are with
    respect to the full ``Sigma`` (p x p, not symmetrised) and ``mu``; None without ``grad``. ``f``
    is a running sum the terms are added to, block by block (the ML objective's order over groups).
    Returns None when some pattern's covariance is not positive definite. Used by the ML objective
    (:func:`assetinv.structure._objective`) and, as the saturated model's gradient, by MLR.
    """
    p = len(mu)
    GS = np.zeros(p * p)
    gm = np.zeros(p)
    for obs, n, mbar, C in blocks:
        k = obs.shape[1]
        Soo = Sigma[obs[:, :, None], obs[:, None, :]]
        sign, logdet = np.linalg.slogdet(Soo)
        if (sign <= 0).any():
            return None
        Si = np.linalg.inv(Soo)
        d = mbar - mu[obs]
        B = C + d[:, :, None] * d[:, None, :]
        SiB = Si @ B
        f += 0.5 * float(np.sum(n * (k * _LOG2PI + logdet + np.trace(SiB, axis1=1, axis2=2))))
        if grad:
            Gp = 0.5 * n[:, None, None] * (Si - SiB @ Si)
            GS += np.bincount(
                (obs[:, :, None] * p + obs[:, None, :]).ravel(), weights=Gp.ravel(), minlength=p * p
            )
            gm += np.bincount(
                obs.ravel(), weights=(-n[:, None] * np.einsum("pij,pj->pi", Si, d)).ravel(), minlength=p
            )
    return f, (GS.reshape(p, p) if grad else None), (gm if grad else None)


def _saturated_gradient(blocks, mu: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Gradient of the saturated model's -logL in ``(mu, vech Sigma)`` (the sum of
    :func:`saturated_scores`), from :func:`moment_terms`; an off-diagonal element stands for two entries.
    """
    terms = moment_terms(blocks, mu, Sigma)
    if terms is None:
        raise linalg.LinAlgError("a missing-data pattern's covariance is not positive definite")
    _, GS, gm = terms
    il = np.tril_indices(len(mu))
    return np.concatenate([gm, GS[il] * np.where(il[0] == il[1], 1.0, 2.0)])


def saturated_information(
    blocks, mu: np.ndarray, Sigma: np.ndarray, h: float = 1e-5, keep: np.ndarray | None = None
) -> np.ndarray:
    """Observed information of the saturated model at ``(mu, Sigma)``.

    Central differences of its analytic gradient (:func:`_saturated_gradient`, from the patterns'
    sufficient statistics), symmetrised; ``keep`` (a mask of the parameters) gives the block of a
    sub-model, differencing only its parameters.
    """
    p = len(mu)
    v0 = np.concatenate([mu, Sigma[np.tril_indices(p)]])
    idx = np.flatnonzero(keep) if keep is not None else np.arange(len(v0))
    A = np.zeros((len(v0), len(idx)))
    for j, i in enumerate(idx):
        e = np.zeros(len(v0))
        e[i] = step = h * max(1.0, abs(v0[i]))
        up = _saturated_gradient(blocks, *_unpack(v0 + e, p))
        down = _saturated_gradient(blocks, *_unpack(v0 - e, p))
        A[:, j] = (up - down) / (2 * step)
    A = A[idx]
    return (A + A.T) / 2


def saturated_trace(Y: np.ndarray, blocks, mu: np.ndarray, Sigma: np.ndarray) -> float:
    """``tr(A1^-1 B1)`` of one group's saturated model (observed and first-order information)."""
    B = saturated_scores(Y, mu, Sigma)
    A = saturated_information(blocks, mu, Sigma)
    return float(np.trace(linalg.solve(A, B.T @ B, assume_a="sym")))


def independence_trace(Y: np.ndarray, blocks) -> float:
    """``tr(A^-1 B)`` of one group's independence (baseline) model: free means and variances, at their
    FIML estimates (each item's observed mean and ML variance).
    """
    p = Y.shape[1]
    mu = np.nanmean(Y, axis=0)
    Sigma = np.diag(np.nanmean((Y - mu) ** 2, axis=0))
    il = np.tril_indices(p)
    keep = np.concatenate([np.ones(p, dtype=bool), il[0] == il[1]])  # means and variances
    B = saturated_scores(Y, mu, Sigma)[:, keep]
    A = saturated_information(blocks, mu, Sigma, keep=keep)
    return float(np.trace(linalg.solve(A, B.T @ B, assume_a="sym")))


def sandwich(H: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Huber-White covariance of the estimates: ``H^-1 (G'G) H^-1`` (G: casewise scores, n x k)."""
    Hi = linalg.inv(H)
    return Hi @ (G.T @ G) @ Hi
