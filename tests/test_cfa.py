"""CFA and measurement invariance against R lavaan 0.6 (fixtures from
tests/r_reference/make_cfa_reference.R; R is not needed to run these tests)."""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv as ai
from assetinv.structure import CFAWarning

ROOT = Path(__file__).parent / "r_reference"
REPO = Path(__file__).parents[1]

FIT_KEYS = [
    ("chisq", "chisq"),
    ("df", "df"),
    ("pvalue", "pvalue"),
    ("cfi", "cfi"),
    ("tli", "tli"),
    ("rmsea", "rmsea"),
    ("rmsea_ci_low", "rmsea.ci.lower"),
    ("rmsea_ci_high", "rmsea.ci.upper"),
    ("srmr", "srmr"),
    ("logl", "logl"),
    ("unrestricted_logl", "unrestricted.logl"),
    ("baseline_chisq", "baseline.chisq"),
    ("baseline_df", "baseline.df"),
    ("ntotal", "ntotal"),
    ("npar", "npar"),
]


def _fixture(name):
    return json.loads((ROOT / "fixtures" / f"{name}.json").read_text())


def _data(name):
    if name == "sample_baseline":
        d = pd.read_csv(REPO / "data" / "responses.csv")
        return d[d["wave"] == "baseline"].reset_index(drop=True)
    return pd.read_csv(ROOT / "data" / f"{name}.csv")


@cache
def _fit(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        if name == "sample_baseline":  # the default model: the instrument's domains, reverse keys reversed
            return ai.cfa(_data(name))
        return ai.cfa(_data(name), _fixture(f"cfa_{name}")["model"])


DATASETS = ["hs1939", "hs1939_miss", "bfi", "sample_baseline"]


@pytest.mark.parametrize("name", DATASETS)
def test_cfa_fit_measures_equal_lavaan(name):
    ref = _fixture(f"cfa_{name}")
    res = _fit(name)
    assert ref["converged"] and res.converged
    for ours, theirs in FIT_KEYS:
        assert res.fit[ours] == pytest.approx(ref["fit"][theirs], abs=1e-4, rel=0), ours


@pytest.mark.parametrize("name", DATASETS)
def test_cfa_parameters_equal_lavaan(name):
    ref = pd.DataFrame(_fixture(f"cfa_{name}")["params"])
    res = _fit(name)
    m = res.params.merge(ref, on=["lhs", "op", "rhs"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"]
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(m["std_all"], m["std.all"], atol=1e-4, rtol=0)
    load = res.loadings
    assert list(load.columns) == ["factor", "item", "estimate", "se", "std_all"]
    assert len(load) == sum(len(v) for v in res.model.values())


def test_cfa_default_model_is_the_instrument_with_reverse_keys():
    res = _fit("sample_baseline")
    inst = ai.load_instrument()
    assert res.model == {d: inst.item_ids(d) for d in inst.domains["id"]}
    assert res.reversed == inst.reverse_ids()
    assert (res.loadings["std_all"] > 0).all()


def test_reversing_an_item_flips_its_loading_not_the_fit():
    d = _data("hs1939_miss")
    model = _fixture("cfa_hs1939_miss")["model"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        flipped = ai.cfa(d, model, reverse=["x2"])
    base = _fit("hs1939_miss")
    assert flipped.fit["chisq"] == pytest.approx(base.fit["chisq"], abs=1e-6)
    a = base.loadings.set_index("item")["std_all"]
    b = flipped.loadings.set_index("item")["std_all"]
    assert b["x2"] == pytest.approx(-a["x2"], abs=1e-6)
    assert b["x3"] == pytest.approx(a["x3"], abs=1e-6)


@pytest.mark.parametrize("name", ["hs1939_school", "hs1939_miss_school"])
def test_invariance_equals_lavaan_multigroup(name):
    ref = _fixture(f"invariance_{name}")
    d = _data(name.replace("_school", ""))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        tab = ai.invariance(d, ref["model"], group="school")
    assert list(tab.index) == ["configural", "metric", "scalar"]
    for lev in tab.index:
        f = ref[lev]["fit"]
        assert tab.loc[lev, "chisq"] == pytest.approx(f["chisq"], abs=1e-3, rel=0)
        assert tab.loc[lev, "df"] == f["df"]
        for k in ("cfi", "tli", "rmsea", "srmr"):
            assert tab.loc[lev, k] == pytest.approx(f[k], abs=1e-4, rel=0), (lev, k)
    assert tab.loc["metric", "delta_df"] == 6 and tab.loc["scalar", "delta_df"] == 6
    assert tab.loc["scalar", "delta_chisq"] == pytest.approx(
        ref["scalar"]["fit"]["chisq"] - ref["metric"]["fit"]["chisq"], abs=1e-3
    )
    # HS1939: equal loadings hold, equal intercepts do not (CFI drops by .037)
    assert tab.loc["metric", "verdict"] == "holds"
    assert tab.loc["scalar", "verdict"] == "fails"
    assert ai.invariance_caution(tab, "gaps").startswith("Caution")
    cols = [
        "chisq",
        "df",
        "cfi",
        "tli",
        "rmsea",
        "srmr",
        "delta_chisq",
        "delta_df",
        "p_delta",
        "delta_cfi",
        "delta_rmsea",
        "verdict",
    ]
    assert set(cols) <= set(tab.columns)


def test_configural_cfa_by_group_equals_lavaan_configural():
    ref = _fixture("invariance_hs1939_school")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        res = ai.cfa(_data("hs1939"), ref["model"], group="school")
    assert res.groups == ["Pasteur", "Grant-White"]
    assert res.fit["chisq"] == pytest.approx(ref["configural"]["fit"]["chisq"], abs=1e-4)
    pe = pd.DataFrame(ref["configural"]["params"])
    pe["group"] = pe["group"].map({1: "Pasteur", 2: "Grant-White"})
    m = res.params.merge(pe, on=["lhs", "op", "rhs", "group"])
    assert len(m) == len(pe)
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-4)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-4)


def _sim(R, n, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        rng.multivariate_normal(np.zeros(len(R)), R, size=n), columns=[f"v{i + 1}" for i in range(len(R))]
    )


def test_heywood_case_warns():
    # r12 = r13 = .85, r23 = .6: the one-factor model needs a loading of sqrt(.85*.85/.6) > 1 for v1
    R = np.array([[1, 0.85, 0.85], [0.85, 1, 0.6], [0.85, 0.6, 1]])
    with pytest.warns(CFAWarning, match="Heywood"):
        res = ai.cfa(_sim(R, 500, 3), {"F": ["v1", "v2", "v3"]})
    assert any("Heywood" in w for w in res.warnings)


def test_factors_that_correlate_above_one_warn_not_positive_definite():
    # two "factors" that are the same construct, sampled so that their estimated correlation exceeds 1
    R = np.full((4, 4), 0.5) + 0.5 * np.eye(4)
    R[:2, 2:] = R[2:, :2] = 0.52
    with pytest.warns(CFAWarning, match="not positive definite"):
        res = ai.cfa(_sim(R, 200, 1), {"A": ["v1", "v2"], "B": ["v3", "v4"]})
    phi = res.params[(res.params.op == "~~") & (res.params.lhs == "A") & (res.params.rhs == "B")]
    assert float(phi["std_all"].iloc[0]) > 1


def test_bad_input_is_a_clear_error():
    d = _data("hs1939")
    with pytest.raises(ValueError, match="not columns of the data"):
        ai.cfa(d, {"F": ["x1", "x2", "nope"]})
    with pytest.raises(ValueError, match="estimator"):
        ai.cfa(d, {"F": ["x1", "x2", "x3"]}, estimator="WLSMV")
    bad = d.astype({"x2": object})
    bad.loc[3, "x2"] = "lots"
    with pytest.raises(ValueError, match=r"'x2'.*row 4"):
        ai.cfa(bad, {"F": ["x1", "x2", "x3"]})
    with pytest.raises(ValueError, match="fewer than 2 items"):
        ai.cfa(d, {"F": ["x1", "x2", "x3"], "G": ["x4"]})
    const = d.assign(x3=1.0)
    with pytest.raises(ValueError, match="x3 have no variance"):
        ai.cfa(const, {"F": ["x1", "x2", "x3"]})
    unanswered = d.assign(x3=np.where(d["school"] == "Pasteur", np.nan, d["x3"]))
    with pytest.raises(ValueError, match="x3 have fewer than 2 answers in group Pasteur"):
        ai.cfa(unanswered, {"F": ["x1", "x2", "x3"]}, group="school")


def test_same_input_same_output():
    d = _data("hs1939_miss")
    model = _fixture("cfa_hs1939_miss")["model"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        a, b = ai.cfa(d, model), ai.cfa(d, model)
    pd.testing.assert_frame_equal(a.params, b.params)
    assert a.fit == b.fit


def test_docstring_examples_run_and_names_are_exported():
    import doctest

    import assetinv.structure as mod

    for name in mod.__all__:
        assert hasattr(ai, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert res.attempted >= 5 and res.failed == 0


@pytest.mark.parametrize("domain", ["EX", "LM", "CN", "OS"])
@pytest.mark.parametrize("group", ["role", "wave"])
def test_invariance_per_domain_on_the_sample_equals_lavaan(domain, group):
    # as notebook 08 runs it: one domain, teachers vs leaders or baseline vs follow-up, the raw
    # bundled responses with the instrument's reverse keys (R reversed them as 6 - x)
    ref = _fixture(f"invariance_sample_{domain}_{group}")
    d = pd.read_csv(REPO / "data" / "responses.csv")
    if group == "role":
        d = d[d["role"].isin(["teacher", "leader"])]
    inst = ai.load_instrument()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        tab = ai.invariance(d, {domain: inst.item_ids(domain)}, group=group, instrument=inst)
    for lev in tab.index:
        f = ref[lev]["fit"]
        assert ref[lev]["converged"]
        assert tab.loc[lev, "chisq"] == pytest.approx(f["chisq"], abs=1e-3, rel=0), lev
        assert tab.loc[lev, "df"] == f["df"]
        for k in ("cfi", "tli", "rmsea", "srmr"):
            assert tab.loc[lev, k] == pytest.approx(f[k], abs=1e-4, rel=0), (lev, k)
    fits = tab.attrs["fits"]
    assert fits["scalar"].reversed == inst.reverse_ids(domain)
