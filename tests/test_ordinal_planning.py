"""Polychoric correlations, ordinal alpha/omega and survey planning against R psych
(fixtures from tests/r_reference/make_cfa_reference.R; R is not needed here)."""

from __future__ import annotations

import doctest
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv as ai
from assetinv.reliability import ReliabilityWarning

ROOT = Path(__file__).parent / "r_reference"
REPO = Path(__file__).parents[1]


def _fixture(name):
    return json.loads((ROOT / "fixtures" / f"{name}.json").read_text())


def _sample_reversed():
    d = pd.read_csv(ROOT / "data" / "sample_reversed.csv")
    return d[d["wave"] == "baseline"]


def test_bivariate_normal_cells_equal_psych_polyBinBvn():
    from assetinv.ordinal import _cell_probs

    fx = _fixture("polychoric_bvn")
    P = _cell_probs(fx["rho"], np.array(fx["rc"]), np.array(fx["cc"]))
    np.testing.assert_allclose(P, np.array(fx["P"]), atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", ["bfi", "sample_EX", "sample_CN"])
def test_polychoric_equals_psych(name):
    fx = _fixture(f"polychoric_{name}")
    data = pd.read_csv(ROOT / "data" / "bfi.csv") if name == "bfi" else _sample_reversed()
    pc = ai.polychoric(data[fx["items"]])
    assert pc.global_thresholds and not pc.smoothed
    np.testing.assert_allclose(pc.rho.to_numpy(), np.array(fx["rho"]), atol=1e-4, rtol=0)
    np.testing.assert_allclose(pc.rho.to_numpy(), np.array(fx["rho"]), atol=1e-9, rtol=0)  # as measured
    np.testing.assert_allclose(pc.tau.to_numpy(), np.array(fx["tau"]), atol=1e-12, rtol=0)
    assert (np.diag(pc.n_obs.to_numpy()) == data[fx["items"]].notna().sum().to_numpy()).all()


@pytest.mark.parametrize("name", ["sample_EX", "sample_CN"])
def test_ordinal_alpha_and_omega_equal_psych(name):
    fx = _fixture(f"polychoric_{name}")
    res = ai.ordinal_reliability(_sample_reversed()[fx["items"]], n_boot=0)
    t = res.table
    assert t.loc["ordinal_alpha", "estimate"] == pytest.approx(fx["ordinal_alpha"], abs=1e-9)
    assert t.loc["ordinal_omega", "estimate"] == pytest.approx(fx["ordinal_omega"], abs=1e-9)
    raw = ai.alpha(_sample_reversed()[fx["items"]]).total["raw_alpha"].iloc[0]
    assert t.loc["raw_alpha", "estimate"] == pytest.approx(raw, abs=1e-12)


def test_ordinal_reliability_reverses_keys_and_bootstraps_reproducibly():
    raw = pd.read_csv(REPO / "data" / "responses.csv")
    raw = raw[raw["wave"] == "baseline"]
    inst = ai.load_instrument()
    items = raw[inst.item_ids("CN")]
    fx = _fixture("polychoric_sample_CN")
    a = ai.ordinal_reliability(
        items, reverse=inst.reverse_ids("CN"), scale_min=1, scale_max=5, n_boot=30, seed=7
    )
    b = ai.ordinal_reliability(
        items, reverse=inst.reverse_ids("CN"), scale_min=1, scale_max=5, n_boot=30, seed=7
    )
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.table.loc["ordinal_alpha", "estimate"] == pytest.approx(fx["ordinal_alpha"], abs=1e-9)
    for stat in a.table.index:
        lo, est, hi = a.table.loc[stat, ["ci_low", "estimate", "ci_high"]]
        assert lo < est < hi


def test_bootstrap_interval_covers_in_simulation():
    # ordered answers cut from a one-factor normal model whose polychoric alpha is known
    k, lam = 4, 0.7
    R = np.full((k, k), lam * lam) + (1 - lam * lam) * np.eye(k)
    true_alpha = k / (k - 1) * (1 - k / R.sum())
    hits = 0
    reps = 25
    for s in range(reps):
        rng = np.random.default_rng(100 + s)
        z = rng.multivariate_normal(np.zeros(k), R, size=150)
        d = pd.DataFrame(np.digitize(z, [-1.2, -0.3, 0.5, 1.3]) + 1, columns=list("abcd"))
        t = ai.ordinal_reliability(d, n_boot=40, seed=s).table
        hits += t.loc["ordinal_alpha", "ci_low"] <= true_alpha <= t.loc["ordinal_alpha", "ci_high"]
    assert hits / reps >= 0.84  # nominal 95%; 25 replications, 40 resamples each (docs: larger run)


def test_polychoric_pairwise_branch_equals_psych():
    # q4 never reaches category 5, so psych switches to pairwise thresholds with the 0.5 correction
    fx = _fixture("polychoric_pairwise")
    d = pd.read_csv(ROOT / "data" / "ordinal_pairwise.csv")
    with pytest.warns(ReliabilityWarning, match="pairwise"):
        pc = ai.polychoric(d)
    assert not pc.global_thresholds
    np.testing.assert_allclose(pc.rho.to_numpy(), np.array(fx["rho"]), atol=1e-9, rtol=0)
    tau = np.array(fx["tau"], dtype=float)  # psych's Inf is null in JSON
    np.testing.assert_allclose(pc.tau.to_numpy()[np.isfinite(tau)], tau[np.isfinite(tau)], atol=1e-12)
    assert _ordinal_matches_psych(pc, fx)


def _ordinal_matches_psych(pc, fx):
    res = ai.ordinal_reliability(pd.read_csv(ROOT / "data" / "ordinal_pairwise.csv"), n_boot=0)
    return (
        abs(res.table.loc["ordinal_alpha", "estimate"] - fx["ordinal_alpha"]) < 1e-9
        and abs(res.table.loc["ordinal_omega", "estimate"] - fx["ordinal_omega"]) < 1e-9
    )


def test_polychoric_pairwise_branch_when_top_category_unused():
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal([0, 0, 0], [[1, 0.5, 0.4], [0.5, 1, 0.3], [0.4, 0.3, 1]], size=500)
    d = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=list("abc"))
    d.loc[d["c"] == 4, "c"] = 3
    with pytest.warns(ReliabilityWarning, match="pairwise"):
        pc = ai.polychoric(d)
    assert not pc.global_thresholds
    assert pc.rho.loc["a", "b"] == pytest.approx(0.5, abs=0.08)


def test_polychoric_bad_input():
    with pytest.raises(ValueError, match="categories"):
        ai.polychoric(pd.DataFrame({"a": np.arange(20), "b": np.arange(20)}))
    with pytest.raises(ValueError, match="non-numeric"):
        ai.polychoric(pd.DataFrame({"a": [1, 2, "x"], "b": [1, 2, 3]}))


# ----------------------------------------------------------------------------- planning
def test_detectable_change_equals_power_t_test():
    for row in _fixture("planning_power")["power_t"]:
        ours = ai.detectable_change(row["n"], row["sd"])
        assert ours == pytest.approx(row["delta"], abs=1e-3)  # R solves with uniroot's tol = eps^.25


def test_respondents_needed_spearman_brown_round_trip():
    for icc in (0.05, 0.15, 0.3):
        for target in (0.7, 0.8):
            n = ai.respondents_needed(icc, target)
            assert n * icc / (1 + (n - 1) * icc) == pytest.approx(target, abs=1e-12)
    assert ai.respondents_needed(0.0, 0.8) == np.inf


def test_plan_survey_on_the_bundled_sample():
    d = pd.read_csv(REPO / "data" / "responses.csv")
    plan = ai.plan_survey(d)
    rel = plan.reliability
    assert set(rel["domain"]) == {"EX", "LM", "CN", "OS"}
    assert set(rel["target"]) == {0.7, 0.8}
    # ICC(1) equals group_reliability (psych::statsBy) on the same baseline domain means
    base = d[(d["wave"] == "baseline") & (d["role"] != "district")]
    from assetinv.planning import _domain_scores

    sc = _domain_scores(base, ai.load_instrument())
    sc["school"] = base["school"].to_numpy()
    gr = ai.group_reliability(sc, ["EX", "LM", "CN", "OS"], "school").table.set_index("column")
    for dom, sub in rel.groupby("domain"):
        assert sub["icc1"].iloc[0] == pytest.approx(gr.loc[dom, "icc1"], abs=1e-12)
        lo, hi = sub["icc1_ci_low"].iloc[0], sub["icc1_ci_high"].iloc[0]
        assert lo < sub["icc1"].iloc[0] < hi
        r7 = sub[sub["target"] == 0.7].iloc[0]
        r8 = sub[sub["target"] == 0.8].iloc[0]
        assert r7["n_needed_ci_low"] <= r7["n_needed"] <= r7["n_needed_ci_high"]
        assert r8["n_needed"] >= r7["n_needed"]
    ch = plan.change
    assert (ch.groupby("domain")["detectable_change"].apply(lambda s: s.is_monotonic_decreasing)).all()
    assert "respondents" in plan.summary()


def test_icc_interval_covers_in_simulation():
    from assetinv.planning import _icc_ci

    rng = np.random.default_rng(9)
    G, n, icc = 20, 12, 0.15
    hits = 0
    reps = 300
    for _ in range(reps):
        u = np.repeat(rng.normal(0, np.sqrt(icc), G), n)
        y = u + rng.normal(0, np.sqrt(1 - icc), G * n)
        g = np.repeat(np.arange(G), n)
        d = pd.DataFrame({"g": g, "y": y})
        t = ai.group_reliability(d, "y", "g").table.iloc[0]
        lo, hi = _icc_ci(t["f"], G, G * n, t["mean_group_size"], 0.95)
        hits += lo <= icc <= hi
    assert 0.92 <= hits / reps <= 0.98


def test_docstring_examples_run_and_names_are_exported():
    import importlib

    for modname in ("assetinv.ordinal", "assetinv.planning"):
        mod = importlib.import_module(modname)
        for name in mod.__all__:
            assert hasattr(ai, name), name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReliabilityWarning)
            res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
        assert res.attempted >= 3 and res.failed == 0, modname


def test_plan_command_prints_the_plan(capsys, tmp_path):
    from assetinv.cli import main

    assert main(["plan"]) == 0
    out = capsys.readouterr().out
    for dom in ("EX:", "LM:", "CN:", "OS:"):
        assert dom in out
    assert "school-mean reliability of 0.80" in out and "80% power" in out
    # a pilot export on its own; bad options give exit code 2 and a message, not a traceback
    d = pd.read_csv(REPO / "data" / "responses.csv")
    pilot = tmp_path / "pilot.csv"
    d[d["wave"] == "followup"].to_csv(pilot, index=False)
    assert main(["plan", "--responses", str(pilot), "--sizes", "8", "12"]) == 0
    out = capsys.readouterr().out
    assert "n = 8:" in out and "n = 12:" in out
    assert main(["plan", "--wave", "nope"]) == 2
    assert "wave 'nope'" in capsys.readouterr().err
