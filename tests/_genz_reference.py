"""Genz's scalar ``bvnu`` (Genz 2004, as in his MATLAB ``bvnu``), kept as the tests' reference.

The package computes the bivariate normal upper probability with vectorised versions
(``assetinv.ordinal._bvnu`` and ``_bvnu_rows``); this one follows the published algorithm one point at a
time, so the tests can check those against it.

Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and t
probabilities. *Statistics and Computing, 14*, 251-260.
"""

from __future__ import annotations

import numpy as np

from assetinv.ordinal import _GL, _phi


def _bvnu_scalar(h: float, k: float, r: float) -> float:
    """P(X > h, Y > k) for a standard bivariate normal with correlation r (Genz's ``bvnu``)."""
    if h == np.inf or k == np.inf:
        return 0.0
    if h == -np.inf:
        return 1.0 if k == -np.inf else float(_phi(-k))
    if k == -np.inf:
        return float(_phi(-h))
    if r == 0:
        return float(_phi(-h) * _phi(-k))
    tp = 2 * np.pi
    hk = h * k
    ar = abs(r)
    xg, wg = _GL[6] if ar < 0.3 else _GL[12] if ar < 0.75 else _GL[20]
    w = np.concatenate([wg, wg])
    x = np.concatenate([1 - xg, 1 + xg])
    if ar < 0.925:
        hs = (h * h + k * k) / 2
        asr = np.arcsin(r) / 2
        sn = np.sin(asr * x)
        bvn = np.exp((sn * hk - hs) / (1 - sn * sn)) @ w
        bvn = bvn * asr / tp + _phi(-h) * _phi(-k)
    else:
        if r < 0:
            k = -k
            hk = -hk
        bvn = 0.0
        if ar < 1:
            as_ = 1 - r * r
            a = np.sqrt(as_)
            bs = (h - k) ** 2
            asr = -(bs / as_ + hk) / 2
            c = (4 - hk) / 8
            d = (12 - hk) / 80
            if asr > -100:
                bvn = a * np.exp(asr) * (1 - c * (bs - as_) * (1 - d * bs) / 3 + c * d * as_ * as_)
            if hk > -100:
                b = np.sqrt(bs)
                sp = np.sqrt(tp) * _phi(-b / a)
                bvn = bvn - np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3)
            a = a / 2
            xs = (a * x) ** 2
            asr = -(bs / xs + hk) / 2
            ix = asr > -100
            xs = xs[ix]
            sp = 1 + c * xs * (1 + 5 * d * xs)
            rs = np.sqrt(1 - xs)
            ep = np.exp(-(hk / 2) * xs / (1 + rs) ** 2) / rs
            bvn = (a * ((np.exp(asr[ix]) * (sp - ep)) @ w[ix]) - bvn) / tp
        if r > 0:
            bvn = bvn + _phi(-max(h, k))
        elif h >= k:
            bvn = -bvn
        else:
            L = _phi(k) - _phi(h) if h < 0 else _phi(-h) - _phi(-k)
            bvn = L - bvn
    return float(max(0.0, min(1.0, bvn)))
