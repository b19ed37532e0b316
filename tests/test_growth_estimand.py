"""The network estimand (these schools' change, no wave slope by default) and the
pooled-variance school-vs-others test behind the null-label rate (issues 11, this session)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from assetinv import asset_profile, change_over_time


def _heterogeneous_growth(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k, s in enumerate("ABCDEFGH"):
        u, g = rng.normal(0, 0.3), (0.0 if k % 2 else 0.9)
        for w in ("baseline", "followup"):
            for i in range(15):
                rows.append(
                    {
                        "respondent_id": f"{s}{w}{i}",
                        "school": s,
                        "district": "D",
                        "role": "teacher",
                        "wave": w,
                        "OS": 3.2 + u + (g if w == "followup" else 0) + rng.normal(0, 0.5),
                    }
                )
    return pd.DataFrame(rows)


def test_default_has_no_wave_slope_even_when_growth_varies():
    df = _heterogeneous_growth()
    c = change_over_time(df, domains=["OS"]).iloc[0]
    assert "wave slope" not in c["model"].replace("no wave slope", "")
    assert "growth varies between schools" in c["note"] and "these schools" in c["note"]
    auto = change_over_time(df, domains=["OS"], random_slope="auto").iloc[0]
    assert "wave slope" in auto["model"]
    # the slope model's interval is for schools like these: wider, few df
    assert auto["se"] > 1.5 * c["se"] and auto["df"] < 10 < c["df"]


def test_school_vs_others_uses_the_pooled_within_school_variance():
    rng = np.random.default_rng(5)
    sizes = {"A": 6, "B": 9, "C": 12, "D": 8}
    rows = [
        {
            "respondent_id": f"{s}{i}",
            "school": s,
            "district": "D",
            "role": "teacher",
            "wave": "baseline",
            "OS": 3.4 + rng.normal(0, 0.4 + 0.1 * k),
        }
        for k, (s, n) in enumerate(sizes.items())
        for i in range(n)
    ]
    df = pd.DataFrame(rows)
    p = asset_profile(df, domains=["OS"], min_n=5).set_index("school")
    g = df.groupby("school")["OS"]
    n, m, v = g.size(), g.mean(), g.var(ddof=1)
    sp2 = float(((n - 1) * v).sum() / (n - 1).sum())
    for s in sizes:
        o = [j for j in sizes if j != s]
        others = float((n[o] * m[o]).sum() / n[o].sum())
        se = np.sqrt(sp2 * (1 / n[s] + 1 / n[o].sum()))
        pval = 2 * stats.t.sf(abs(m[s] - others) / se, n.sum() - len(n))
        assert p.loc[s, "p_network"] == pytest_approx(pval)
        half = stats.t.ppf(0.975, n.sum() - len(n)) * se
        assert p.loc[s, "diff_high"] - p.loc[s, "diff"] == pytest_approx(half)


def pytest_approx(x):
    import pytest

    return pytest.approx(x, rel=1e-10, abs=1e-12)
