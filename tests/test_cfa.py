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


V1_SAMPLE = REPO / "tests" / "fixtures" / "v1_sample"


def _fixture(name):
    return json.loads((ROOT / "fixtures" / f"{name}.json").read_text())


def _data(name):
    if name == "sample_baseline":  # the 1.0.0 sample: the data lavaan was fitted to
        d = pd.read_csv(V1_SAMPLE / "responses.csv")
        return d[d["wave"] == "baseline"].reset_index(drop=True)
    return pd.read_csv(ROOT / "data" / f"{name}.csv")


@cache
def _fit(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        if name == "sample_baseline":  # the default model: the instrument's domains, reverse keys reversed
            return ai.cfa(_data(name), instrument="1.0.0")
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
    inst = ai.load_instrument("1.0.0")
    assert res.model == {d: inst.item_ids(d) for d in inst.domains["id"]}
    assert res.reversed == inst.reverse_ids()
    assert (res.loadings["std_all"] > 0).all()


def test_default_model_on_role_forms_keeps_items_answered_together():
    # 2.0.0: teachers and leaders answer different forms; a teacher-only and a leader-only item are
    # never answered together, so the pooled default model keeps the shared items and one role's own
    inst = ai.load_instrument()
    d = pd.read_csv(REPO / "data" / "responses.csv")
    d = d[(d["wave"] == "baseline") & d["role"].isin(["teacher", "leader"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        pooled = ai.cfa(d)
    assert set(pooled.model) == {"EX", "LM", "CN", "OS"}
    for dom, items in pooled.model.items():
        shared = [i for i in inst.item_ids(dom) if {"teacher", "leader"} <= inst.item_roles[i]]
        assert set(shared) <= set(items)
        for a in items:  # every pair is on one form
            for b in items:
                assert inst.item_roles[a] & inst.item_roles[b] & {"teacher", "leader"}, (a, b)
    assert pooled.converged


def test_dont_know_code_is_missing_not_an_answer():
    inst = ai.load_instrument()
    d = pd.read_csv(REPO / "data" / "responses.csv")
    teachers = d[(d["wave"] == "baseline") & (d["role"] == "teacher")]
    items = inst.item_ids("CN", role="teacher")
    assert (teachers[items] == 9).any().any()  # the raw file keeps code 9 = Don't know
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        raw = ai.cfa(teachers, {"CN": items}, instrument=inst)
        blanked = ai.cfa(teachers.replace({9: np.nan}), {"CN": items}, instrument=inst)
    assert raw.fit["chisq"] == pytest.approx(blanked.fit["chisq"], abs=1e-9)
    with pytest.raises(ValueError, match="outside the scale 1-5"):
        ai.cfa(teachers.replace({9: 7}), {"CN": items}, instrument=inst)


def test_default_model_warns_and_says_when_a_domain_cannot_be_fitted():
    inst = ai.load_instrument()
    d = pd.read_csv(REPO / "data" / "responses.csv")
    d = d[d["wave"] == "baseline"]
    dl = d[d["role"].isin(["district", "leader"])]  # no item is on both forms
    keep = [c for c in dl.columns if not (c[:2] in ("EX", "LM", "CN", "OS") and c[2:].isdigit())]
    one_each = keep + ["CN20", "CN11"]  # one district-only and one leader-only CN item
    with pytest.raises(ValueError, match="fit one role form"):
        with pytest.warns(CFAWarning, match="CN left out of the default model"):
            ai.cfa(dl[one_each], instrument=inst)


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
    with pytest.raises(ValueError, match="'ML' or 'MLR'"):
        ai.cfa(d, {"F": ["x1", "x2", "x3"]}, estimator="ULS")
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
    d = pd.read_csv(V1_SAMPLE / "responses.csv")  # the 1.0.0 sample, as lavaan was given it
    if group == "role":
        d = d[d["role"].isin(["teacher", "leader"])]
    inst = ai.load_instrument("1.0.0")
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


# ----------------------------------------------------------------------------- invariance in the reports
def _two_group_answers(group, n_per_group=260, seed=24):
    """Two groups of ``group`` (teachers/leaders, or baseline/follow-up), answers cut from one factor
    per domain. The first domain's first three items are answered a point higher in the second group
    (intercepts differ: scalar invariance fails); the other domains are the same in both. The
    supplements of Chen's rule (Δχ² p < .05) flag some correct models, more often when a domain has
    few items. On the role-reviewed 2.0.0 forms teachers and leaders share 6 EX, 5 LM, 4 CN and only 2
    OS items (OS is 'not tested' for roles), and of seeds 20-35 the role comparison flags LM or CN
    'unclear' in 10 (11 of 32 unshifted tests; the wave comparison, on the teacher form's 10-14 items,
    flags 1 of 48). Seeds 20, 24, 31, 33, 34 and 35 flag none; seed 24 is used."""
    inst = ai.load_instrument()
    rng = np.random.default_rng(seed)
    levels = {"role": ["teacher", "leader"], "wave": ["baseline", "followup"]}[group]
    resp = pd.DataFrame({"role": "teacher", "wave": "baseline"}, index=range(2 * n_per_group), dtype=object)
    resp[group] = np.repeat(levels, n_per_group)
    doms = list(inst.domains["id"])
    asked = inst.items.set_index("id")["roles"]
    for d in doms:
        f = rng.normal(size=len(resp))
        for j, item in enumerate(inst.item_ids(d)):
            z = 0.8 * f + rng.normal(scale=0.6, size=len(resp))
            if d == doms[0] and j < 3:
                z = z + 1.0 * (resp[group] == levels[1]).to_numpy()
            x = (np.digitize(z, [-1.5, -0.5, 0.5, 1.5]) + 1).astype(float)
            x = 6 - x if item in inst.reverse_ids() else x
            resp[item] = np.where(resp["role"].isin(list(asked[item])), x, np.nan)
    return inst, resp, doms


@cache
def _invariance_tables():
    out = []
    for group, levels in (("role", ["teacher", "leader"]), ("wave", ["baseline", "followup"])):
        inst, resp, doms = _two_group_answers(group)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CFAWarning)
            out.append(ai.domain_invariance(resp, inst, group=group, levels=levels).set_index("domain"))
    return doms, out[0], out[1]


def test_domain_invariance_fails_where_intercepts_differ_and_holds_elsewhere():
    doms, role, wave = _invariance_tables()
    for t, who in ((role, "teachers and leaders"), (wave, "staff at baseline and at follow-up")):
        assert t.loc[doms[0], "invariance"] == "fails" and t.loc[doms[0], "scalar"] == "fails"
        assert t.loc[doms[0], "metric"] == "holds" and t.loc[doms[0], "delta_cfi_scalar"] <= -0.01
        assert t.loc[doms[0], "sentence"].startswith(f"Caution: {who}")
        for d in doms[1:]:
            if t is role and d == "OS":  # the two forms share OS13 and its mirror only
                assert t.loc[d, "invariance"] == "not tested", t.loc[d].to_dict()
                assert t.loc[d, "invariance_reason"] == "fewer than 3 items are asked of every group"
                continue
            assert t.loc[d, "invariance"] == "holds", (d, t.loc[d].to_dict())
            assert t.loc[d, "sentence"].startswith("Tested:")


def test_domain_invariance_says_when_it_cannot_be_tested(monkeypatch):
    inst, resp, doms = _two_group_answers("role", n_per_group=20)
    t = ai.domain_invariance(resp, inst, group="role", levels=["teacher", "leader"])
    assert (t["invariance"] == "not tested").all()
    assert t["invariance_reason"].str.contains("fewer than").all()
    s = ai.invariance_sentences(t)
    # two kinds of reason (too few respondents; for OS, too few shared items): one sentence each
    assert len(s) == 2 and all("could not be tested" in x and "assuming they do" in x for x in s)
    assert (
        "Expertise, Learning mindset and Professional norms items" in s[0] and "60 to 90 (by domain)" in s[0]
    )
    assert "fewer than 3 items" in s[1] and "Collaborative structures" in s[1]
    same = ai.invariance_sentences(t[t["domain"] != "OS"])  # one reason, in sizes: one sentence
    assert len(same) == 1 and "could not be tested" in same[0] and "assuming they do" in same[0]
    # a fit that does not converge is "not tested", never "holds"
    from assetinv import structure

    def unconverged(*a, **k):
        tab = pd.DataFrame(
            {"verdict": ["not converged", "holds", "holds"], "delta_cfi": [np.nan, 0.0, 0.0]},
            index=["configural", "metric", "scalar"],
        )
        tab.attrs["fits"] = {}
        return tab

    monkeypatch.setattr(structure, "invariance", unconverged)
    big = _two_group_answers("wave")[1]
    t = structure.domain_invariance(big, inst, group="wave", levels=["baseline", "followup"])
    assert (t["invariance"] == "not tested").all() and (
        t["invariance_reason"] == "the model did not converge"
    ).all()


def test_report_shows_the_invariance_caution_beside_gaps_and_changes():
    from types import SimpleNamespace

    from assetinv.report.sections import _invariance_html

    doms, role, wave = _invariance_tables()
    ctx = SimpleNamespace(
        tables={"invariance_role": role.reset_index(), "invariance_wave": wave.reset_index()}
    )
    html_role, html_wave = _invariance_html(ctx, "role"), _invariance_html(ctx, "wave")
    assert html_role.count("Caution:") == 1 and "gap between them" in html_role
    assert html_wave.count("Caution:") == 1 and "change between the waves" in html_wave
    passing = role.reset_index()
    passing = passing[passing["invariance"] == "holds"]
    ctx = SimpleNamespace(tables={"invariance_role": passing})
    assert "Caution" not in _invariance_html(ctx, "role") and "can be compared" in _invariance_html(
        ctx, "role"
    )
    assert _invariance_html(SimpleNamespace(tables={}), "wave") == ""
