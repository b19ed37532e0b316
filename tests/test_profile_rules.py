"""The asset rule (issue 11): leave-one-out comparison, interval-based standard,
Benjamini-Hochberg multiplicity control, finite-population correction, and a
null-network check of the stated error rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assetinv import asset_profile, summarize
from assetinv._multiplicity import bh_adjust


def _frame(spec: dict, seed: int = 0, sd: float = 0.6, domains=("EX", "LM", "CN", "OS")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for s, (n, mu) in spec.items():
        for i in range(n):
            rows.append(
                {
                    "respondent_id": f"{s}-{i}",
                    "school": s,
                    "district": "D1",
                    "role": "teacher",
                    "wave": "baseline",
                    **{d: mu + rng.normal(0, sd) for d in domains},
                }
            )
    return pd.DataFrame(rows)


def test_bh_equals_r_p_adjust():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.2, NA, 0.5, 0.001), "BH")
    got = bh_adjust([0.01, 0.04, 0.03, 0.2, np.nan, 0.5, 0.001])
    want = [0.03, 0.06, 0.06, 0.24, np.nan, 0.5, 0.006]
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_leave_one_out_comparison_with_the_other_schools():
    # one large school dominates the pooled network mean
    s = _frame({"BIG": (200, 4.0), "A": (10, 3.5), "B": (10, 3.5), "C": (10, 3.5)}, seed=1, sd=0.3)
    loo = asset_profile(s, domains=["OS"]).set_index("school")
    old = asset_profile(s, domains=["OS"], comparison="all").set_index("school")
    others = s[s.school != "BIG"]["OS"].mean()
    assert loo.loc["BIG", "others_mean"] == pytest.approx(others)
    assert loo.loc["BIG", "diff"] == pytest.approx(s[s.school == "BIG"]["OS"].mean() - others)
    # against the pooled network (which is mostly BIG itself) the difference shrinks
    assert abs(old.loc["BIG", "diff"]) < 0.25 * abs(loo.loc["BIG", "diff"])
    assert loo.loc["BIG", "status_network"] == "asset"
    assert "other schools" in loo["rule"].iloc[0] and "left out" in loo["rule"].iloc[0]
    with pytest.raises(ValueError):
        asset_profile(s, comparison="mine")


def test_standard_uses_the_interval():
    # S1 has mean just above 4 but only 5 respondents: its interval reaches below 4
    s = _frame({"S1": (5, 4.1), "S2": (30, 3.6), "S3": (30, 3.5)}, seed=3, sd=0.5)
    s.loc[s.school == "S1", "OS"] = [4.6, 3.8, 4.4, 3.9, 4.3]  # mean 4.2, 95% CI 3.76 to 4.64
    p = asset_profile(s, domains=["OS"], adjust=None).set_index("school")
    assert p.loc["S1", "mean"] >= 4.0 and p.loc["S1", "ci_low"] < 4.0
    assert p.loc["S1", "status_absolute"] == "typical"
    assert "interval of the school's mean is at or above 4.0" in p["rule"].iloc[0]
    # p_standard is the two-sided t p-value of mean - 4, so p <= .05 <=> ci_low >= 4
    n, m, sd = 5, p.loc["S1", "mean"], s[s.school == "S1"]["OS"].std(ddof=1)
    assert p.loc["S1", "p_standard"] == pytest.approx(2 * stats.t.sf((m - 4) / (sd / np.sqrt(n)), n - 1))


def test_labels_that_survive_bh_are_shown_next_to_unadjusted():
    s = _frame({f"S{k:02d}": (15, 3.5 + (0.45 if k == 0 else 0.0)) for k in range(12)}, seed=7, sd=0.6)
    p = asset_profile(s)
    assert {"q_network", "q_standard", "status_unadjusted"} <= set(p.columns)
    assert (p["q_network"].dropna() >= p["p_network"].dropna() - 1e-15).all()
    # a label after adjustment is always a label without it
    lab = p[p["status"] != "typical"]
    assert (lab["status"] == lab["status_unadjusted"]).all()
    assert "Benjamini-Hochberg" in p["rule"].iloc[0]


def _null_networks(k: int, n_schools=12, n=15, seed0=0):
    for r in range(k):
        yield _frame({f"S{j:02d}": (n, 3.5) for j in range(n_schools)}, seed=seed0 + r, sd=0.6)


def test_null_network_error_rate():
    """No school differs and every true mean (3.5) is between the standards, so every
    label is wrong. Stated rate: with BH at .05, at most 5% of such networks get any
    label (48 tests each); unadjusted, most networks get one."""
    k = 60
    any_bh, any_raw, wrong_bh, tests = 0, 0, 0, 0
    for s in _null_networks(k):
        p = asset_profile(s)
        any_bh += bool((p["status"] != "typical").any())
        any_raw += bool((p["status_unadjusted"] != "typical").any())
        wrong_bh += int((p["status"] != "typical").sum())
        tests += len(p)
    assert any_bh / k <= 0.05, any_bh / k
    assert any_raw / k >= 0.5, any_raw / k  # why the adjustment is needed
    assert wrong_bh / tests <= 0.005


def test_finite_population_correction():
    s = _frame({"A": (8, 3.5), "B": (12, 3.8), "C": (10, 3.2)}, seed=9, sd=0.5)
    roster = pd.DataFrame(
        {
            "school": ["A", "B", "C"],
            "district": "D1",
            "role": "teacher",
            "wave": "baseline",
            "invited": [8, 20, 16],
        }
    )
    t = summarize(s, by=("school",), roster=roster, complementary=False).set_index(["school", "domain"])
    t0 = summarize(s, by=("school",), roster=roster, complementary=False, fpc=False).set_index(
        ["school", "domain"]
    )
    half = (t["ci_high"] - t["ci_low"]) / 2
    half0 = (t0["ci_high"] - t0["ci_low"]) / 2
    # A: everyone invited answered -> the mean is the population mean, no sampling error
    assert half.loc[("A", "OS")] == 0
    assert half.loc[("B", "OS")] == pytest.approx(half0.loc[("B", "OS")] * np.sqrt((20 - 12) / 19))
    assert half.loc[("C", "OS")] == pytest.approx(half0.loc[("C", "OS")] * np.sqrt((16 - 10) / 15))
    p = asset_profile(s, roster=roster).set_index(["school", "domain"])
    p0 = asset_profile(s, roster=roster, fpc=False).set_index(["school", "domain"])
    assert (p.loc[("B", "OS"), "ci_high"] - p.loc[("B", "OS"), "ci_low"]) == pytest.approx(
        (p0.loc[("B", "OS"), "ci_high"] - p0.loc[("B", "OS"), "ci_low"]) * np.sqrt(8 / 19)
    )
    assert "finite-population correction" in p["rule"].iloc[0]
    assert "finite-population" not in asset_profile(s)["rule"].iloc[0]  # no roster, no correction
