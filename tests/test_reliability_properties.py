"""Property tests: invariances that any correct alpha must have."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assetinv import reliability as rl

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["raw_alpha", "std_alpha", "g6_smc", "average_r", "signal_noise", "ase", "sd", "median_r"]


@st.composite
def likert(draw):
    n = draw(st.integers(6, 40))
    p = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    miss = draw(st.sampled_from([0.0, 0.05, 0.15]))
    rng = np.random.default_rng(seed)
    t = rng.normal(size=n)
    X = np.clip(np.round(3 + t[:, None] + rng.normal(size=(n, p))), 1, 5)
    X[rng.random((n, p)) < miss] = np.nan
    return pd.DataFrame(X, columns=[f"I{j}" for j in range(p)]), seed


def _alpha(x, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return rl.alpha(x, *args, **kw)
        except ValueError:
            assume(False)


def _same(a, b, keys=KEYS, tol=1e-9):
    for k in keys:
        u, v = a.total[k].iloc[0], b.total[k].iloc[0]
        assert u == v or (np.isnan(u) and np.isnan(v)) or abs(u - v) <= tol * max(1, abs(u)), (k, u, v)


@SETTINGS
@given(likert())
def test_alpha_invariant_to_item_order(data):
    x, seed = data
    a = _alpha(x)
    perm = np.random.default_rng(seed).permutation(x.shape[1])
    b = _alpha(x.iloc[:, perm])
    _same(a, b)
    pd.testing.assert_frame_equal(a.item_stats, b.item_stats.loc[a.item_stats.index], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(likert())
def test_alpha_invariant_to_respondent_order(data):
    x, seed = data
    a = _alpha(x)
    perm = np.random.default_rng(seed + 1).permutation(len(x))
    b = _alpha(x.iloc[perm].reset_index(drop=True))
    _same(a, b, KEYS + ["mean"])


@SETTINGS
@given(likert(), st.floats(-50, 50, allow_nan=False))
def test_alpha_invariant_to_adding_a_constant(data, c):
    x, _ = data
    a = _alpha(x)
    b = _alpha(x + c)
    _same(a, b, tol=1e-7)
    assert abs(b.total["mean"].iloc[0] - a.total["mean"].iloc[0] - c) < 1e-8


@SETTINGS
@given(likert(), st.lists(st.floats(0.1, 10), min_size=6, max_size=6))
def test_standardised_alpha_invariant_to_rescaling_items(data, scales):
    x, _ = data
    a = _alpha(x)
    b = _alpha(x * np.asarray(scales[: x.shape[1]]))
    _same(a, b, ["std_alpha", "average_r", "g6_smc", "signal_noise", "median_r"], tol=1e-7)


@SETTINGS
@given(likert(), st.integers(0, 5))
def test_reversing_a_reverse_keyed_item_twice_is_identity(data, j):
    x, _ = data
    col = x.columns[j % x.shape[1]]
    y = x.copy()
    y[col] = 1 + 5 - y[col]  # reversed once in the data ...
    a = _alpha(x)
    b = _alpha(y, [col], scale_min=1, scale_max=5)  # ... and once more by alpha
    _same(a, b, KEYS + ["mean"])
    pd.testing.assert_frame_equal(a.item_stats, b.item_stats, rtol=1e-9, atol=1e-12)


def _smc_ill_posed(x: pd.DataFrame) -> bool:
    """True when a diagonal of Pinv(R) is zero up to rounding, so an smc is 1 - 1/(+-1e-16): clipped to 0 or 1
    by the sign of rounding noise (psych gives either, depending on its floating-point path)."""
    C = x.cov().to_numpy()
    if not np.isfinite(C).all():
        return True
    d = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        R = C / np.outer(d, d)
    if not np.isfinite(R).all():  # an item without variance: no smc to compare
        return True
    P = np.linalg.pinv(R)
    return bool(np.any(np.abs(np.diag(P)) < 1e-10 * max(1.0, np.abs(P).max())))


@SETTINGS
@given(likert(), st.integers(2, 5))
def test_alpha_by_group_equals_alpha_per_group(data, n_groups):
    x, seed = data
    g = np.random.default_rng(seed).integers(0, n_groups, len(x))
    d = x.assign(g=g)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tab = rl.alpha_by_group(d, list(x.columns), "g").set_index("g")
    for grp in tab.index:
        sub = x[g == grp]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                a = rl.alpha(sub)
            except ValueError:
                continue
        if tab.loc[grp, "n_items"] != a.item_stats.shape[0]:
            continue
        row = tab.loc[grp]
        keys = ["raw_alpha", "std_alpha", "g6_smc", "average_r", "ase", "median_r"]
        if _smc_ill_posed(sub):  # 1/diag(Pinv R) with a diagonal of 0 +- rounding: its sign is noise
            keys.remove("g6_smc")
        for k in keys:
            u, v = row[k], a.total[k].iloc[0]
            if not abs(v) < 1e6:  # 1'R1 ~ 0 (r = -1): both blow up on rounding noise
                continue
            if k == "ase":  # sqrt of a sum that can cancel to +-rounding noise (NaN or ~0)
                u, v = np.nan_to_num(u) ** 2, np.nan_to_num(v) ** 2
            assert u == v or (np.isnan(u) and np.isnan(v)) or abs(u - v) <= 1e-8 * max(1, abs(v)), (
                grp,
                k,
                u,
                v,
            )
