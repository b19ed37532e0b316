"""instrument_reliability computes every domain from one shared keyed copy of the answers
(moments from the few missing answers, counts of each answer, per-school products);
its tables must equal the public per-domain functions it stands for."""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

import assetinv
from assetinv import reliability as rl

DOMS = ["EX", "LM", "CN", "OS"]


def _data(n=1500, schools=40, missing=0.05, seed=3):
    rng = np.random.default_rng(seed)
    school = rng.integers(0, schools, n)
    u = rng.normal(0, 0.5, schools)[school]
    cols, doms, rev = {}, {}, []
    for d in DOMS:
        t = u + rng.normal(size=n)
        doms[d] = [f"{d}{j:02d}" for j in range(1, 9)]
        for j in range(1, 9):
            x = np.clip(np.round(3 + 0.8 * t + rng.normal(size=n)), 1, 5)
            if j in (4, 7):
                x = 6 - x
                rev.append(f"{d}{j:02d}")
            x[rng.random(n) < missing] = np.nan
            cols[f"{d}{j:02d}"] = x
    df = pd.DataFrame(cols)
    df.insert(0, "school", [f"S{s:03d}" for s in school])
    base = assetinv.load_instrument()
    ids = [i for d in doms for i in doms[d]]
    items = pd.DataFrame({"id": ids, "domain": [i[:2] for i in ids], "text": ids,
                          "reverse": [i in rev for i in ids], "roles": [tuple(base.roles)] * len(ids)})
    return df, dataclasses.replace(base, items=items), doms, rev


def _check_domain(rel, df, inst, d):
    ids = inst.item_ids(d)
    rev = inst.reverse_ids(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = rl.alpha(df[ids], rev, scale_min=1, scale_max=5)
        om = rl.omega_total(df[ids], rev, scale_min=1, scale_max=5)
    ov = rel.overall.set_index("domain").loc[d]
    for c in a.total.columns:
        assert ov[c] == pytest.approx(a.total[c].iloc[0], rel=1e-11, abs=1e-12), c
    for name in ("feldt", "duhachek"):
        assert ov[f"{name}_lower"] == pytest.approx(a.ci.loc[name, "lower"], rel=1e-11)
    assert ov["omega_total"] == pytest.approx(om.omega_total, rel=1e-9)
    it = rel.items[rel.items["domain"] == d].set_index("item")
    exp = a.item_stats.join(a.alpha_if_dropped.add_prefix("drop_"))
    for c in exp.columns:
        np.testing.assert_allclose(it[c].to_numpy(float), exp[c].to_numpy(float), rtol=1e-10, atol=1e-12)


def test_every_table_equals_the_public_functions_with_missing_and_unanswered_rows():
    df, inst, doms, rev = _data()
    df.loc[df.index[:9], doms["LM"]] = np.nan        # respondents who skipped a domain
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rel = rl.instrument_reliability(df, inst, by="school")
        byg = rl.alpha_by_group(df, doms, "school", rev, scale_min=1, scale_max=5, min_n=5)
    for d in DOMS:
        _check_domain(rel, df, inst, d)
    pd.testing.assert_frame_equal(rel.by_group["school"], byg, rtol=1e-11)
    assert any("LM: 9 respondent(s) answered none" in w for w in rel.warnings)
    # the ICCs are those of the respondents' domain means
    keyed = df.copy()
    keyed[rev] = 6 - keyed[rev]
    scores = pd.DataFrame({d: keyed[doms[d]].mean(axis=1) for d in DOMS}).assign(school=df["school"])
    gr = rl.group_reliability(scores, DOMS, "school", method="reml")
    np.testing.assert_allclose(rel.icc["icc1"], gr.table["icc1"], rtol=1e-12)


def test_degenerate_domains_take_alphas_own_screening():
    df, inst, _, _ = _data(seed=5)
    df["CN03"] = 4.0                       # no variance: alpha leaves it out, with a warning
    df.loc[df.index[2], "EX01"] = 7        # off the scale: counted as given
    df["OS02"] = df["OS02"] + 0.5          # not integers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rel = rl.instrument_reliability(df, inst, by="school")
    for d in DOMS:
        if d != "CN":
            _check_domain(rel, df, inst, d)
    assert any("CN03 had no variance" in w for w in rel.warnings)


def test_response_frequencies_of_the_answers_as_given():
    df, _, doms, rev = _data(seed=8)
    kb = rl._keyed_block(df, doms, rev, 1, 5)
    ids = doms["EX"]
    fr = rl._freq_keyed(kb, 0, ids, [r for r in rev if r in ids], 1, 5, kb.M[:, :8].sum(axis=0))
    exp = rl._response_freq(df[ids].to_numpy(float), ids, 1, 5)
    pd.testing.assert_frame_equal(fr, exp)
