"""Agreement coefficients against reference implementations and published examples."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assetinv
from assetinv.agreement import (
    AgreementWarning,
    bootstrap_ci,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

krippendorff = pytest.importorskip("krippendorff")

nan = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section A.3:
# 4 observers x 12 units, nominal..ratio, with missing values.
K2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
)
K2011_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def test_public_names_exported():
    for name in ["krippendorff_alpha", "cohen_kappa", "gwet_ac1", "percent_agreement"]:
        assert callable(getattr(assetinv, name))


# ------------------------------------------------------------------ alpha
@pytest.mark.parametrize("level", list(K2011_PUBLISHED))
def test_alpha_krippendorff_2011_worked_example(level):
    ours = krippendorff_alpha(K2011, level)
    # published to three decimals
    assert round(ours, 3) == K2011_PUBLISHED[level]
    # and the reference package agrees with us to 1e-9
    ref = krippendorff.alpha(reliability_data=K2011, level_of_measurement=level)
    assert abs(round(ref, 3) - K2011_PUBLISHED[level]) < 1e-12
    assert ours == pytest.approx(ref, abs=1e-9)


def test_alpha_nominal_by_hand_from_coincidences():
    # Krippendorff (2011) A.3 nominal: n = 40 pairable values, the coincidence
    # matrix diagonal sums to 34 - 4/3 ..., result 1 - (n-1) Do/De = 0.743421...
    # Independent arithmetic: alpha = 1 - 39 * (sum off-diag o_ck) / (n^2 - sum n_c^2)
    o = np.zeros((5, 5))
    for u in range(K2011.shape[1]):
        vals = K2011[:, u][~np.isnan(K2011[:, u])].astype(int)
        m = len(vals)
        if m < 2:
            continue
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[vals[i] - 1, vals[j] - 1] += 1 / (m - 1)
    n_c = o.sum(1)
    n = n_c.sum()
    assert n == 40
    assert n_c.tolist() == pytest.approx([9, 13, 10, 5, 3])
    alpha = 1 - (n - 1) * (o.sum() - np.trace(o)) / (n**2 - (n_c**2).sum())
    assert krippendorff_alpha(K2011) == pytest.approx(alpha, abs=1e-12)
    assert alpha == pytest.approx(0.743421052631579, abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_package_random_with_missing(level):
    rng = np.random.default_rng(20260)
    checked = 0
    for _ in range(150):
        coders = int(rng.integers(2, 7))
        units = int(rng.integers(3, 60))
        k = int(rng.integers(2, 7))
        x = rng.integers(1, k + 1, size=(coders, units)).astype(float)
        x[rng.random((coders, units)) < rng.uniform(0, 0.5)] = np.nan
        try:
            ref = krippendorff.alpha(reliability_data=x, level_of_measurement=level)
        except (ValueError, ZeroDivisionError):
            continue
        if not np.isfinite(ref):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AgreementWarning)
            ours = krippendorff_alpha(x, level)
        assert ours == pytest.approx(ref, abs=1e-9)
        checked += 1
    assert checked > 100


def test_alpha_from_value_counts_matches_package():
    rng = np.random.default_rng(4)
    counts = rng.integers(0, 3, size=(20, 4))
    for level in ("nominal", "ordinal", "interval", "ratio"):
        ref = krippendorff.alpha(value_counts=counts, level_of_measurement=level)
        dom = [1, 2, 3, 4]
        ours = krippendorff_alpha(value_counts=counts, value_domain=dom, level=level)
        assert ours == pytest.approx(
            krippendorff.alpha(value_counts=counts, value_domain=dom, level_of_measurement=level), abs=1e-9
        )
        if level in ("nominal", "ordinal", "interval"):  # shift-invariant levels
            assert krippendorff_alpha(value_counts=counts, level=level) == pytest.approx(ref, abs=1e-9)
    with pytest.raises(ValueError):
        krippendorff_alpha()


def test_alpha_string_labels_nominal():
    a = [["x", "y", "y", None], ["x", "y", "z", "x"]]
    b = [[0, 1, 1, nan], [0, 1, 2, 0]]
    assert krippendorff_alpha(a) == pytest.approx(krippendorff_alpha(b))


def test_alpha_degenerate_cases():
    with pytest.raises(ValueError, match="two coders"):
        krippendorff_alpha([[1, 2, 3]])
    with pytest.warns(AgreementWarning, match="no unit"):
        assert np.isnan(krippendorff_alpha([[1, nan], [nan, 2]]))
    with pytest.warns(AgreementWarning, match="one category"):
        assert np.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(K2011, "cardinal")
    with pytest.raises(ValueError, match="value_domain"):
        krippendorff_alpha([[1, 2], [1, 3]], value_domain=[1, 2])


# ------------------------------------------------------------------ kappa
def test_kappa_matches_sklearn_and_statsmodels():
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import cohens_kappa, to_table

    rng = np.random.default_rng(7)
    worst = 0.0
    for _ in range(200):
        n = int(rng.integers(5, 80))
        k = int(rng.integers(2, 6))
        a = rng.integers(0, k, n)
        b = np.where(rng.random(n) < 0.6, a, rng.integers(0, k, n))
        if len(np.unique(np.r_[a, b])) < 2:
            continue
        for w in (None, "linear", "quadratic"):
            ours = cohen_kappa(a, b, weights=w)
            assert ours == pytest.approx(cohen_kappa_score(a, b, weights=w), abs=1e-9)
            worst = max(worst, abs(ours - cohen_kappa_score(a, b, weights=w)))
        table, _ = to_table(np.column_stack([a, b]), bins=np.arange(k + 1) - 0.5)
        sm = cohens_kappa(table, return_results=False)
        assert cohen_kappa(a, b) == pytest.approx(sm, abs=1e-9)
    assert worst < 1e-9


def test_kappa_gwet_2008_paradox_by_hand():
    # (+,+)=118, (+,-)=5, (-,+)=2, (-,-)=0 among 125 units (Gwet 2008).
    a = np.r_[np.ones(118), np.ones(5), np.zeros(2)]
    b = np.r_[np.ones(118), np.zeros(5), np.ones(2)]
    po = 118 / 125
    pe = (123 / 125) * (120 / 125) + (2 / 125) * (5 / 125)
    assert cohen_kappa(a, b) == pytest.approx((po - pe) / (1 - pe), abs=1e-12)
    assert cohen_kappa(a, b) == pytest.approx(-0.0234, abs=5e-5)


def test_kappa_missing_dropped_listwise_and_2xN_input():
    a = [1, 0, 1, nan, 1, 0]
    b = [1, 0, 0, 1, nan, 0]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa([1, 0, 1, 0], [1, 0, 0, 0]))
    assert cohen_kappa(np.vstack([a, b])) == pytest.approx(cohen_kappa(a, b))


def test_kappa_degenerate():
    with pytest.warns(AgreementWarning, match="chance agreement is 1"):
        assert np.isnan(cohen_kappa([1, 1, 1], [1, 1, 1]))
    with pytest.warns(AgreementWarning, match="no unit"):
        assert np.isnan(cohen_kappa([1, nan], [nan, 1]))
    with pytest.raises(ValueError, match="exactly two"):
        cohen_kappa([[1, 0], [1, 0], [0, 0]])
    with pytest.raises(ValueError, match="same length"):
        cohen_kappa([1, 0], [1, 0, 1])


# ------------------------------------------------------------------ AC1
def test_ac1_gwet_2008_two_raters_by_hand():
    a = np.r_[np.ones(118), np.ones(5), np.zeros(2)]
    b = np.r_[np.ones(118), np.zeros(5), np.ones(2)]
    # hand computation, Gwet (2008): pa = 118/125; pi+ = mean of marginals
    pa = 118 / 125
    pi_plus = (123 / 125 + 120 / 125) / 2
    pe = 2 * pi_plus * (1 - pi_plus) / (2 - 1)
    ac1 = (pa - pe) / (1 - pe)
    assert ac1 == pytest.approx(0.9408, abs=5e-5)  # the value Gwet reports
    assert gwet_ac1(np.vstack([a, b])) == pytest.approx(ac1, abs=1e-12)


def test_ac1_multiple_raters_missing_gwet_2014():
    # Gwet (2014) Handbook, ch. 3, the 4 raters x 12 subjects table with
    # missing ratings (same data as Krippendorff 2011): AC1 = 0.77544,
    # pa = 0.81818, pe = 0.19032 (published to 5 decimals).
    assert gwet_ac1(K2011) == pytest.approx(0.77544, abs=5e-6)
    assert percent_agreement(K2011) == pytest.approx(0.81818, abs=5e-6)
    # independent arithmetic
    cats = [1, 2, 3, 4, 5]
    pa_u, pi_u = [], []
    for u in range(12):
        v = K2011[:, u][~np.isnan(K2011[:, u])]
        r = len(v)
        rk = np.array([(v == c).sum() for c in cats])
        pi_u.append(rk / r)
        if r >= 2:
            pa_u.append((rk * (rk - 1)).sum() / (r * (r - 1)))
    pa = np.mean(pa_u)
    pi = np.mean(pi_u, axis=0)
    pe = (pi * (1 - pi)).sum() / (len(cats) - 1)
    assert pe == pytest.approx(0.19032, abs=5e-6)
    assert gwet_ac1(K2011) == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)


def test_ac1_matches_irrcac_when_installed():
    irr = pytest.importorskip("irrCAC.raw")
    import pandas as pd

    rng = np.random.default_rng(3)
    for _ in range(20):
        x = rng.integers(1, 4, size=(4, 15)).astype(float)
        x[rng.random(x.shape) < 0.25] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = irr.CAC(pd.DataFrame(x.T)).gwet()["est"]["coefficient_value"]
        assert gwet_ac1(x) == pytest.approx(ref, abs=1e-5)  # irrCAC rounds to 5 dp


def test_ac1_degenerate_and_categories():
    # a code nobody used: with categories {0,1}, AC1 is 1 (perfect agreement)
    assert gwet_ac1([[0, 0, 0], [0, 0, 0]], categories=[0, 1]) == pytest.approx(1.0)
    with pytest.warns(AgreementWarning, match="one category"):
        assert np.isnan(gwet_ac1([[0, 0, 0], [0, 0, 0]]))
    with pytest.warns(AgreementWarning, match="no unit"):
        assert np.isnan(gwet_ac1([[0, nan], [nan, 1]]))
    with pytest.raises(ValueError):
        gwet_ac1([[0, 1, 0]])


# ------------------------------------------------------------------ percent agreement
def test_percent_agreement_definition():
    assert percent_agreement([[1, 1, 0, 0], [1, 0, 0, 0]]) == 0.75
    # unit 1: 3 coders agree (1); unit 2: pairs (1,0),(1,0),(0,0) -> 1/3;
    # unit 3: only 2 coders, agree -> 1
    d = [[1, 1, nan], [1, 0, 1], [1, 0, 1]]
    assert percent_agreement(d) == pytest.approx((1 + 1 / 3 + 1) / 3)
    with pytest.warns(AgreementWarning):
        assert np.isnan(percent_agreement([[1, nan], [nan, 1]]))


# ------------------------------------------------------------------ bootstrap
def test_bootstrap_deterministic_and_brackets_estimate():
    rng = np.random.default_rng(11)
    a = rng.integers(0, 2, 80)
    b = np.where(rng.random(80) < 0.85, a, 1 - a)
    d = np.vstack([a, b]).astype(float)
    stat = lambda x: krippendorff_alpha(x)  # noqa: E731
    ci1 = bootstrap_ci(d, stat, n_boot=300, seed=5)
    ci2 = bootstrap_ci(d, stat, n_boot=300, seed=5)
    assert ci1 == ci2
    assert ci1[0] < krippendorff_alpha(d) < ci1[1]
    assert bootstrap_ci(d, stat, n_boot=300, seed=6) != ci1


# ------------------------------------------------------------------ properties
matrices = st.integers(2, 5).flatmap(
    lambda c: st.integers(2, 25).flatmap(
        lambda u: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=u, max_size=u),
            min_size=c,
            max_size=c,
        )
    )
)


def _arr(rows):
    return np.array([[np.nan if v is None else float(v) for v in r] for r in rows])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=40), st.integers(2, 5))
def test_identical_coders_give_one(values, n_coders):
    d = np.tile(np.asarray(values, dtype=float), (n_coders, 1))
    assert percent_agreement(d) == 1.0
    if len(set(values)) >= 2:  # not degenerate
        for level in ("nominal", "ordinal", "interval"):
            assert krippendorff_alpha(d, level) == pytest.approx(1.0)
        assert gwet_ac1(d) == pytest.approx(1.0)
        assert cohen_kappa(d[0], d[1]) == pytest.approx(1.0)


@settings(max_examples=150, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_alpha_invariant_to_unit_and_coder_order(rows, rnd):
    d = _arr(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AgreementWarning)
        base = krippendorff_alpha(d)
        units = list(range(d.shape[1]))
        coders = list(range(d.shape[0]))
        rnd.shuffle(units)
        rnd.shuffle(coders)
        shuffled = d[coders][:, units]
        other = krippendorff_alpha(shuffled)
        ac1a, ac1b = gwet_ac1(d), gwet_ac1(shuffled)
    if np.isnan(base):
        assert np.isnan(other)
    else:
        assert other == pytest.approx(base, abs=1e-12)
    if not np.isnan(ac1a):
        assert ac1b == pytest.approx(ac1a, abs=1e-12)
