"""No reliability outside [0, 1] (issue 11), and the ICC(1) estimators against R.

REML references: lme4 1.1-31 ``VarCorr`` of ``y ~ 1 + (1 | school)``;
ANOVA-n0 and statsBy references computed in R (tests/r_reference/make_reference_growth.R).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv.reliability as rl
from assetinv import summarize

REF = Path(__file__).parent / "r_reference"


def _scores(groups: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for s, vals in groups.items():
        for i, v in enumerate(vals):
            rows.append(
                {
                    "respondent_id": f"{s}-{i}",
                    "school": s,
                    "district": "D",
                    "role": "teacher",
                    "wave": "baseline",
                    "OS": v,
                }
            )
    return pd.DataFrame(rows)


def test_negative_icc_gives_zero_reliability_with_a_note():
    # three schools whose means differ less than chance would make them: ICC(1) < 0.
    # Unbounded Spearman-Brown gives values outside [0, 1] for these sizes.
    g = {"A": [1, 5, 1, 5, 3, 2, 4, 3, 4], "B": [2, 4, 3, 3, 1, 5], "C": [5, 1, 2, 4, 3, 3, 2]}
    d = _scores(g)
    raw = rl.group_reliability(d, "OS", "school", min_n=1, bounded=False)
    assert raw.table["icc1"].iloc[0] < 0
    assert (
        (raw.by_group["reliability"] < 0).any()
        or (raw.by_group["reliability"] > 1).any()
        or (raw.table["icc2"].iloc[0] < 0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no leaked numpy RuntimeWarning either
        t = summarize(d, by=("school",), min_n=5)
    assert t["reliability"].between(0, 1).all()
    assert (t["reliability"] == 0).all()
    assert t["reliability_note"].str.contains("below 0").all()
    gr = rl.group_reliability(d, "OS", "school", min_n=1)
    assert gr.table["icc1"].iloc[0] == 0 and gr.table["icc2"].iloc[0] == 0
    assert "below 0" in gr.table["note"].iloc[0]


def test_equal_group_means_no_minus_infinity_and_no_warning():
    g = {"A": [2, 4, 3, 3], "B": [1, 5, 3, 3, 3, 3], "C": [3, 3, 2, 4, 3]}  # every mean is 3
    d = _scores(g)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gr = rl.group_reliability(d, "OS", "school", min_n=1)
        t = summarize(d, by=("school",), min_n=3)
    assert gr.table["icc1"].iloc[0] == 0 and gr.table["icc2"].iloc[0] == 0
    assert "all group means are equal" in gr.table["note"].iloc[0]
    assert (gr.by_group["reliability"] == 0).all()
    assert np.isfinite(t["reliability"]).all() and (t["reliability"] == 0).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = rl.group_reliability(d, "OS", "school", min_n=1, bounded=False)
    assert raw.table["icc2"].iloc[0] == -np.inf  # psych's raw value, only on request


def test_no_variance_gives_nan_with_reason():
    d = _scores({"A": [3, 3, 3], "B": [3, 3, 3, 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gr = rl.group_reliability(d, "OS", "school", min_n=1)
    assert np.isnan(gr.table["icc1"].iloc[0]) and "no variance" in gr.table["note"].iloc[0]


def test_instrument_reliability_outputs_stay_in_unit_interval(sample_study=None):
    import assetinv as ai

    st = ai.simulate_study(seed=11, n_schools=8, respondents_per_school=6, n_interviews=2)
    rel = ai.instrument_reliability(st.responses[st.responses.wave == "baseline"], ai.load_instrument())
    for col in ("icc1", "icc2"):
        v = rel.icc[col].dropna()
        assert v.between(0, 1).all()
    assert rel.school_reliability["reliability"].dropna().between(0, 1).all()
    # the report's ICC(1) is REML (default icc_method); psych's statsBy value differs with unequal schools
    sb = ai.instrument_reliability(
        st.responses[st.responses.wave == "baseline"], ai.load_instrument(), icc_method="statsby"
    )
    assert not np.allclose(rel.icc["icc1"].to_numpy(float), sb.icc["icc1"].to_numpy(float), atol=1e-6)


def _rand():
    return pd.read_csv(REF / "data" / "rand.csv")


@pytest.mark.parametrize("col", ["score", "EX01"])
def test_icc_methods_equal_r(col):
    ref = json.loads((REF / "fixtures" / "reml_icc_methods.json").read_text())[f"rand_{col}"]
    d = _rand()
    out = {
        m: rl.group_reliability(d, col, "school", method=m).table.iloc[0]
        for m in ("statsby", "anova", "reml")
    }
    assert out["statsby"]["icc1"] == pytest.approx(ref["icc_statsby"], abs=1e-12)
    assert out["anova"]["icc1"] == pytest.approx(ref["icc_anova"], abs=1e-12)
    # REML: lme4's bobyqa tolerance limits the agreement; the exact profile is used here
    assert out["reml"]["icc1"] == pytest.approx(ref["icc_reml"], abs=1e-6)


def test_icc_reml_equals_lme4_on_the_growth_networks():
    worst = 0.0
    for f in sorted((REF / "fixtures").glob("growth_*.json")):
        ref = json.loads(f.read_text())
        d = pd.read_csv(REF / "data" / f"growth_{ref['name']}.csv")
        d = d[d["wave"] == "baseline"]
        for m, key in (("statsby", "icc_statsby"), ("anova", "icc_anova"), ("reml", "icc_reml")):
            v = rl.group_reliability(d, ref["domain"], "school", method=m).table["icc1"].iloc[0]
            worst = max(worst, abs(v - ref["icc_baseline"][key]))
    assert worst < 1e-6, worst


def test_icc_reml_equals_statsmodels_mixedlm():
    import statsmodels.formula.api as smf

    d = _rand().dropna(subset=["score"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = smf.mixedlm("score ~ 1", d, groups=d["school"]).fit(reml=True)
    sm = float(r.cov_re.iloc[0, 0] / (r.cov_re.iloc[0, 0] + r.scale))
    ours = rl.group_reliability(d, "score", "school", method="reml").table["icc1"].iloc[0]
    assert ours == pytest.approx(sm, abs=1e-4)


def test_icc_method_is_checked():
    with pytest.raises(ValueError, match="method"):
        rl.group_reliability(_rand(), "score", "school", method="mle")


# --------------------------------------------------------------------------- #
# omega: accuracy against psych::omega, and the undeclared mis-keyed item
# --------------------------------------------------------------------------- #
def test_omega_accuracy_on_heywood_and_regular_scales():
    """24 random bfi subsets (3-8 items, unkeyed) and 5 constructed near-duplicate
    (Heywood) scales against psych 2.2.9 ``omega(nfactors=1)``. Scales with a
    uniqueness at or below psych's bound (u2 < 0.01 or a loading > .999) stop at
    slightly different points in the two L-BFGS-B implementations."""
    cases = json.loads((REF / "fixtures" / "omega_check.json").read_text())
    data = {
        "bfi": pd.read_csv(REF / "data" / "bfi.csv"),
        "heywood": pd.read_csv(REF / "data" / "heywood.csv"),
    }
    worst = {True: 0.0, False: 0.0}
    for c in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            om = rl.omega_total(data[c["dataset"]][c["items"]])
        worst[c["heywood"]] = max(worst[c["heywood"]], abs(om.omega_total - c["omega_tot"]))
    assert sum(c["heywood"] for c in cases) >= 3
    assert worst[False] < 1e-12, worst  # measured 2.5e-14
    assert worst[True] < 1e-5, worst  # measured 2.4e-6 (bfi_subset_22)


def test_omega_warns_on_an_undeclared_miskeyed_item():
    rng = np.random.default_rng(5)
    t = rng.normal(size=400)
    x = pd.DataFrame(
        {f"I{j}": np.clip(np.round(3 + t * 0.9 + rng.normal(0, 0.8, 400)), 1, 5) for j in range(5)}
    )
    x["I4"] = 6 - x["I4"]  # a reverse-worded item nobody declared
    with pytest.warns(rl.ReliabilityWarning, match="I4 correlates negatively.*not declared reverse-keyed"):
        rl.omega_total(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok = rl.omega_total(x, reverse=["I4"], scale_min=1, scale_max=5)  # declared: no warning
    assert not any("correlates negatively" in w for w in ok.warnings)
    with pytest.warns(rl.ReliabilityWarning, match="even after its declared reversal"):
        rl.omega_total(x, reverse=["I3"], scale_min=1, scale_max=5)
