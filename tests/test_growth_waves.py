"""change_over_time with three or more waves against lme4 / lmerTest (issue 17.5).

Fixtures from tests/r_reference/make_reference_waves.R (sourced by make_reference.R;
R 4.2, lme4 1.1-31 with tight nloptwrap tolerances, lmerTest 3.1-3) on three seeded
simulate_study networks: 3 waves linked, 3 waves unlinked, 4 waves linked. The tests
do not need R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv as ai
from assetinv import change_over_time
from assetinv.errors import DataError

REF = Path(__file__).parent / "r_reference"
NAMES = sorted(p.stem.removeprefix("waves_") for p in (REF / "fixtures").glob("waves_*.json"))


def _load(name):
    ref = json.loads((REF / "fixtures" / f"waves_{name}.json").read_text())
    data = pd.read_csv(REF / "data" / f"growth_{name}.csv", dtype={"respondent_id": str})
    return ref, data


def _check(row, r, school=""):
    assert abs(row["estimate"] - r["estimate"]) < 1e-6, school
    assert row["se"] == pytest.approx(r["se"], rel=1e-4), school
    assert row["df"] == pytest.approx(r["df"], rel=1e-4), school


def test_fixtures_cover_linked_unlinked_and_four_waves():
    refs = [_load(n)[0] for n in NAMES]
    assert len(refs) >= 3
    assert {r["linked"] for r in refs} == {True, False}
    assert max(len(r["waves"]) for r in refs) >= 4


@pytest.mark.parametrize("name", NAMES)
def test_multiwave_network_and_schools_equal_lme4(name):
    ref, data = _load(name)
    waves = ref["waves"]
    c = change_over_time(data, domains=[ref["domain"]], waves=waves, by_school=True)
    assert list(c.columns[:4]) == ["domain", "domain_name", "scope", "contrast"]
    net = c[c["scope"] == "network"].set_index("contrast")
    assert list(net.index) == ["trend"] + [f"{w} - {waves[0]}" for w in waves[1:]]
    _check(net.loc["trend"], ref["network"]["trend"])
    for w in waves[1:]:
        _check(net.loc[f"{w} - {waves[0]}"], ref["network"]["contrasts"][f"wave{w}"])
    assert ("respondent random intercept nested in school" in net["model"].iloc[0]) == ref["linked"]
    schools = c[c["scope"] != "network"]
    assert set(ref["schools"]) <= set(schools.loc[schools["suppressed"] == "", "scope"])
    for s, r in ref["schools"].items():
        rows = schools[schools["scope"] == s].set_index("contrast")
        assert rows["model"].iloc[0].startswith("MixedLM" if r["model"] == "respondent" else "OLS")
        _check(rows.loc["trend"], r["trend"], s)
        for w in waves[1:]:
            _check(rows.loc[f"{w} - {waves[0]}"], r["contrasts"][f"wave{w}"], s)


def test_two_waves_given_as_waves_is_the_two_wave_table():
    ref, data = _load("w3_linked")
    two = data[data["wave"] != "midpoint"]
    a = change_over_time(two, domains=["OS"])
    b = change_over_time(two, domains=["OS"], waves=["baseline", "followup"])
    pd.testing.assert_frame_equal(a, b)


def test_multiwave_suppresses_small_schools_and_names_missing_waves():
    st = ai.simulate_study(
        seed=8,
        n_schools=5,
        respondents_per_school=6,
        linked_share=0.5,
        waves=("baseline", "mid", "followup"),
        n_interviews=2,
    )
    sc = ai.score_domains(st.responses)
    c = change_over_time(sc, domains=["EX"], waves=["baseline", "mid", "followup"], by_school=True, min_n=6)
    small = c[c["suppressed"] != ""]
    assert len(small) and small["estimate"].isna().all() and small["n_baseline"].isna().all()
    assert set(small["suppressed"]) == {"fewer than 6 respondents in a wave"}
    with pytest.raises(DataError, match="year9"):
        change_over_time(sc, domains=["EX"], waves=["baseline", "mid", "year9"])
    assert np.isfinite(c.loc[c["scope"] == "network", "estimate"]).all()
