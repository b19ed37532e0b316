"""The sufficient-statistics REML route (assetinv._growth.reml_psi) gives the numbers
the statsmodels MixedLM route gave (issue 15: per-school change without ~200 MixedLM fits)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv as ai
from assetinv import scoring
from assetinv._growth import Structure, reml_psi, satterthwaite

DATA = Path(__file__).resolve().parents[1] / "data"
NUM = [
    "estimate",
    "ci_low",
    "ci_high",
    "se",
    "df",
    "p_value",
    "effect_size",
    "hedges_g",
    "n_baseline",
    "n_followup",
    "n_linked",
]


def _both(scores: pd.DataFrame, monkeypatch, **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    fast = ai.change_over_time(scores, by_school=True, **kw)
    monkeypatch.setattr(scoring, "_FAST_REML", False)
    slow = ai.change_over_time(scores, by_school=True, **kw)
    monkeypatch.setattr(scoring, "_FAST_REML", True)
    return fast, slow


def _assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    assert list(fast.columns) == list(slow.columns)
    for c in fast.columns:
        if c in NUM:
            np.testing.assert_allclose(
                fast[c].to_numpy(float),
                slow[c].to_numpy(float),
                rtol=1e-8,
                atol=1e-8,
                equal_nan=True,
                err_msg=c,
            )
        else:
            assert fast[c].tolist() == slow[c].tolist(), c


@pytest.fixture(scope="module")
def sample_scores() -> pd.DataFrame:
    return ai.score_domains(ai.read_responses(DATA / "responses.csv"))


def test_sample_change_equals_statsmodels_route(sample_scores, monkeypatch):
    fast, slow = _both(sample_scores, monkeypatch)
    assert (fast["model"].str.contains("respondent random intercept")).sum() >= 20  # linked per-school fits
    _assert_same(fast, slow)


@pytest.mark.parametrize("linked", [0.6, 0.0])
def test_simulated_network_change_equals_statsmodels_route(linked, monkeypatch):
    st = ai.simulate_study(seed=11, n_schools=8, respondents_per_school=16, linked_share=linked)
    sc = ai.score_domains(st.responses)
    fast, slow = _both(sc, monkeypatch, domains=["OS", "CN"], random_slope=False)
    _assert_same(fast, slow)


def test_reml_psi_is_the_reml_optimum():
    """At reml_psi's components the REML gradient (in lme4's theta, sigma) is zero."""
    st_ = ai.simulate_study(seed=4, n_schools=6, respondents_per_school=14, linked_share=0.6)
    sc = ai.score_domains(st_.responses)
    d = sc[sc["role"] == "teacher"].assign(followup=lambda x: (x["wave"] == "followup").astype(float))
    d = d.rename(columns={"LM": "score"})[["school", "respondent_id", "followup", "score"]].dropna()
    d = d.sort_values(["school", "respondent_id", "followup"]).reset_index(drop=True)
    from assetinv._growth import _blocks, _derivs, _psi_spec, varpar_from_psi

    for st in (Structure("school", True, False, True), Structure("school", True, False, False)):
        psi = reml_psi(d, st)
        _n, quads, _k = _psi_spec(st)
        _dev, g, *_ = _derivs(_blocks(d, st), varpar_from_psi(psi, st), quads, want_hess=False)
        assert np.max(np.abs(g)) < 1e-3  # Nelder-Mead's optimum, before the Newton polish
        inf = satterthwaite(d, st, psi)
        _dev, g, *_ = _derivs(_blocks(d, st), inf.varpar, quads, want_hess=False)
        assert np.max(np.abs(g)) < 1e-7
