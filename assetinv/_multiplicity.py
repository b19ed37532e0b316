"""Benjamini-Hochberg adjustment for the network's school x domain labels (private).

Used by :func:`assetinv.asset_profile` (``adjust="bh"``). The family is every
test the profile makes for the reportable schools: for each school and domain,
the comparison with the other schools and the comparison with the fixed
standard. Under the complete null (no school differs from the others and no
school mean is beyond a standard) BH at level ``q`` keeps the chance of any
false label at or below ``q``; in general it keeps the expected share of false
labels among the labels given at or below ``q`` (Benjamini & Hochberg 1995;
for the positively dependent tests here, Benjamini & Yekutieli 2001).

References
----------
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
*Journal of the Royal Statistical Society B*, 57, 289-300. Benjamini, Y., &
Yekutieli, D. (2001). The control of the false discovery rate in multiple
testing under dependency. *Annals of Statistics*, 29, 1165-1188.
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []


def bh_adjust(p) -> np.ndarray:
    """BH-adjusted p-values (``p.adjust(p, "BH")`` in R); NaN entries stay NaN
    and are not counted in the family.
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return out
    v = p[ok]
    order = np.argsort(v, kind="mergesort")
    ranked = v[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out
