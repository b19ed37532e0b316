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
    # the bundled sample as collected with 1.0.0: the data psych's reference was computed on
    raw = pd.read_csv(REPO / "tests" / "fixtures" / "v1_sample" / "responses.csv")
    raw = raw[raw["wave"] == "baseline"]
    inst = ai.load_instrument("1.0.0")
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
        t = ai.ordinal_reliability(d, n_boot=200, seed=s).table
        hits += t.loc["ordinal_alpha", "ci_low"] <= true_alpha <= t.loc["ordinal_alpha", "ci_high"]
    # nominal 95% BCa; 25 replications, 200 resamples each (docs: the 200-replication held-out run)
    assert hits / reps >= 0.84


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


# ----------------------------------------------------------------------------- the vectorised bootstrap
def _ordinal_data(seed=3, n=180, k=5, miss=0.05):
    rng = np.random.default_rng(seed)
    lam = np.linspace(0.5, 0.85, k)
    R = np.outer(lam, lam)
    np.fill_diagonal(R, 1)
    x = (np.digitize(rng.multivariate_normal(np.zeros(k), R, size=n), [-2, -1.2, -0.2, 1]) + 1).astype(float)
    x[rng.random(x.shape) < miss] = np.nan
    return pd.DataFrame(x, columns=[f"q{j}" for j in range(k)])


def test_vectorised_bivariate_normal_equals_genz_scalar():
    from _genz_reference import _bvnu_scalar

    from assetinv.ordinal import _bvnu_rows

    rng = np.random.default_rng(11)
    h, k = rng.normal(scale=1.5, size=(300, 6)), rng.normal(scale=1.5, size=(300, 6))
    r = np.concatenate(
        [rng.uniform(-0.999, 0.999, 290), [0.93, -0.93, 0.999, -0.999, 0.2, -0.2, 0.5, 0.8, 0.0, 0.95]]
    )
    want = np.array([[_bvnu_scalar(h[i, j], k[i, j], r[i]) for j in range(6)] for i in range(300)])
    np.testing.assert_allclose(_bvnu_rows(h, k, r), want, atol=1e-15, rtol=0)
    rr = np.repeat(r, 6).reshape(300, 6)
    one_each = _bvnu_rows(h.ravel()[:, None], k.ravel()[:, None], rr.ravel())  # each point its own r
    np.testing.assert_allclose(one_each.reshape(300, 6), want, atol=1e-15)


def test_weighted_polychoric_is_the_ml_polychoric_of_the_weighted_rows():
    from assetinv import ordinal as od

    d = _ordinal_data()
    X, _, c = od._prepare(d, [])
    pc = ai.polychoric(d)
    R = pc.rho.to_numpy()
    # unit weights: the ML estimate, where psych's Brent search lands within its tolerance
    np.testing.assert_allclose(od._weighted_polychoric(X, np.ones((1, len(X))), c, R)[0], R, atol=2e-4)
    # integer weights = duplicated rows: the same as psych's polychoric of the duplicated data
    w = np.random.default_rng(5).integers(0, 3, len(X)).astype(float)
    dup = d.loc[np.repeat(np.arange(len(d)), w.astype(int))].reset_index(drop=True)
    want = ai.polychoric(dup).rho.to_numpy()
    np.testing.assert_allclose(od._weighted_polychoric(X, w[None], c, R)[0], want, atol=2e-4)


def test_batched_omega_and_raw_alpha_equal_the_single_versions():
    from assetinv import ordinal as od
    from assetinv.reliability import _omega_from_R

    d = _ordinal_data(seed=8)
    X, names, c = od._prepare(d, [])
    R = ai.polychoric(d).rho.to_numpy()
    W = od._boot_weights(np.random.default_rng(2), 20, len(X))
    Rb = od._smooth_batch(od._weighted_polychoric(X, W, c, R))
    want = [_omega_from_R(m, names, [])[0] for m in Rb]
    np.testing.assert_allclose(od._omega_batch(Rb), want, atol=1e-6)  # psych's L-BFGS-B tolerance
    for b in range(3):
        rows = X[np.repeat(np.arange(len(X)), W[b].astype(int))]
        cov = pd.DataFrame(rows).cov().to_numpy()
        k = cov.shape[0]
        assert od._weighted_raw_alpha(X, W[b : b + 1])[0] == pytest.approx(
            k / (k - 1) * (1 - np.trace(cov) / cov.sum()), abs=1e-12
        )


def test_bca_interval_equals_scipy_bca_on_the_same_draws():
    from scipy.stats import _resampling

    from assetinv.ordinal import _bca

    rng = np.random.default_rng(4)
    x = rng.exponential(size=60)
    draws = np.array([rng.choice(x, 60).mean() for _ in range(2000)])
    jack = np.array([np.delete(x, i).mean() for i in range(60)])
    if not hasattr(_resampling, "_bca_interval"):
        pytest.skip("scipy's private BCa helper moved")
    import inspect

    kw = {"xp": np} if "xp" in inspect.signature(_resampling._bca_interval).parameters else {}
    lo_q, hi_q = _resampling._bca_interval(
        (x,), np.mean, axis=-1, alpha=0.025, theta_hat_b=draws, batch=None, **kw
    )[:2]
    want = np.percentile(draws, [100 * lo_q, 100 * hi_q])
    np.testing.assert_allclose(_bca(float(x.mean()), draws, jack, 0.95), want, atol=1e-12)


def test_ordinal_reliability_percentile_option_and_bad_method():
    d = _ordinal_data(seed=9)
    a = ai.ordinal_reliability(d, n_boot=100, seed=1).table
    p = ai.ordinal_reliability(d, n_boot=100, seed=1, ci_method="percentile").table
    assert (a["estimate"] == p["estimate"]).all() and not np.allclose(a["ci_low"], p["ci_low"])
    with pytest.raises(ValueError, match="ci_method"):
        ai.ordinal_reliability(d, n_boot=10, ci_method="basic")


def test_ordinal_reliability_accepts_integer_column_names():
    d = _ordinal_data(seed=10)
    d.columns = range(d.shape[1])
    t = ai.ordinal_reliability(d, n_boot=20).table
    assert np.isfinite(t.loc["ordinal_alpha", ["ci_low", "ci_high"]].astype(float)).all()


def _instrument_answers(inst, n, seed, roles=("teacher",)):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    resp = pd.DataFrame(
        {"role": np.resize(list(roles), n), "school": np.repeat(["A", "B"], [n - n // 3, n // 3])}
    )
    for item in inst.item_ids():
        x = (np.digitize(f + rng.normal(size=n), [-1.5, -0.5, 0.5, 1.5]) + 1).astype(float)
        x = 6 - x if item in inst.reverse_ids() else x
        asked = inst.items.set_index("id").loc[item, "roles"]
        resp[item] = np.where(resp["role"].isin(list(asked)), x, np.nan)
    return resp


@pytest.mark.parametrize("version", ["1.0.0", "2.0.0"])
def test_domain_ordinal_reliability_uses_the_common_form_and_says_why_not(version):
    from assetinv.instrument import available_versions, load_instrument
    from assetinv.ordinal import ORDINAL_MIN_N, domain_ordinal_reliability

    if version not in available_versions():
        pytest.skip(f"instrument {version} is not bundled")
    inst = load_instrument(version)
    resp = _instrument_answers(inst, 150, 1, roles=("teacher", "leader"))
    t = domain_ordinal_reliability(resp, inst, n_boot=0)
    assert list(t["domain"]) == list(inst.domains["id"])
    for _, r in t.iterrows():
        common = [
            i
            for i in inst.item_ids(r["domain"])
            if i in inst.item_ids(r["domain"], role="teacher")
            and i in inst.item_ids(r["domain"], role="leader")
        ]
        assert r["n_items"] == len(common)
        if len(common) >= 2:
            assert r["note"] == "" and r["ordinal_alpha"] > r["raw_alpha"] - 0.05
    by = domain_ordinal_reliability(resp, inst, by="school", n_boot=0)
    small = by[by["school"] == "B"]  # 50 respondents
    assert small["ordinal_alpha"].isna().all()
    assert small["note"].str.contains(f"fewer than {ORDINAL_MIN_N} respondents").all()


def test_bootstrap_drawn_in_chunks_equals_one_draw_of_all_resamples():
    """Issue 15: the resamples are drawn 64 at a time (chunk x N weights, not B x N), with the same draws."""
    from assetinv import ordinal as od

    d = _ordinal_data(seed=9, n=150)
    X, _, c = od._prepare(d, [])
    R = ai.polychoric(d).rho.to_numpy()
    whole = od._stats_batch(X, od._boot_weights(np.random.default_rng(3), 150, len(X)), c, R)
    chunked = od._boot_stats(X, c, R, np.random.default_rng(3), 150, chunk=64)
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-12)


def _acceleration(jack):
    dev = jack.mean(axis=0) - jack
    return (dev**3).sum(axis=0) / (6 * ((dev**2).sum(axis=0)) ** 1.5)


def test_grouped_jackknife_estimates_the_same_acceleration_as_delete_one():
    """Issue 15: above JACKKNIFE_GROUPS respondents the BCa acceleration comes from a delete-a-group
    jackknife (cost: groups refits, not N). Its acceleration and the BCa interval stay those of
    the delete-one jackknife."""
    from assetinv import ordinal as od

    d = _ordinal_data(seed=12, n=1200, k=4)
    X, _, c = od._prepare(d, [])
    R = ai.polychoric(d).rho.to_numpy()
    one = od._jackknife(X, c, R, groups=len(X))
    assert one.shape == (1200, 3)
    grouped = od._jackknife(X, c, R, np.random.default_rng(1), groups=200)
    assert grouped.shape == (200, 3)
    a_one, a_grp = _acceleration(one), _acceleration(grouped)
    assert (np.abs(a_one) > 0.004).all()  # a visible skew (0.005-0.007 here) ...
    assert (np.abs(a_grp - a_one) < 0.3 * np.abs(a_one)).all()  # ... found by the groups (within 11-25%)
    draws = od._boot_stats(X, c, R, np.random.default_rng(2), 400)
    est = od._stats_batch(X, np.ones((1, len(X))), c, R)[0]
    for s in range(3):
        lo1, hi1 = od._bca(est[s], draws[:, s], one[:, s], 0.95)
        lo2, hi2 = od._bca(est[s], draws[:, s], grouped[:, s], 0.95)
        assert abs(lo1 - lo2) < 2e-3 and abs(hi1 - hi2) < 2e-3
    # at most `groups` respondents: exactly the delete-one jackknife
    small = od._jackknife(X[:150], c, R, np.random.default_rng(1), groups=200)
    np.testing.assert_array_equal(small, od._jackknife(X[:150], c, R, groups=150))
