"""Pilot item review: item-rest correlation (as psych r.drop), floor/ceiling, Don't-know rate, role DIF."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import assetinv as ai


@pytest.fixture(scope="module")
def v2():
    return ai.load_instrument("2.0.0")


def _pilot(v2, n=40, seed=1, dif_item=None, dif=0.0):
    """~n per role: one latent trait per domain; an optional item where leaders answer higher."""
    rng = np.random.default_rng(seed)
    rows = []
    for role in ("teacher", "leader", "district"):
        for k in range(n):
            theta = rng.normal(0, 1)
            rec = {
                "respondent_id": f"{role[0]}{k}",
                "school": f"S{k % 4}",
                "district": "D1",
                "role": role,
                "wave": "baseline",
            }
            for i in v2.item_ids(role=role):
                y = (
                    3
                    + 0.9 * theta
                    + rng.normal(0, 0.6)
                    + (dif if (i == dif_item and role == "leader") else 0)
                )
                x = float(np.clip(np.round(y), 1, 5))
                rec[i] = 6 - x if i in v2.reverse_ids() else x
            rows.append(rec)
    return pd.DataFrame(rows)


def test_item_rest_equals_alpha_r_drop_and_floor_ceiling(v2):
    r = _pilot(v2)
    r.loc[0:4, "EX09"] = np.nan
    t = ai.pilot_item_review(r, v2)
    items = v2.item_ids("EX", role="teacher")
    X = r.loc[r.role == "teacher", items].copy()
    for i in v2.reverse_ids("EX"):
        if i in X:
            X[i] = 6 - X[i]
    ref = ai.alpha(X).item_stats["r_drop"]
    got = t[(t.role == "teacher") & (t.domain == "EX")].set_index("item")["item_rest"]
    assert np.allclose(got.reindex(ref.index), ref, atol=1e-12)
    raw = r.loc[r.role == "teacher", "EX10"].dropna()
    row = t[(t.role == "teacher") & (t.item == "EX10")].iloc[0]
    assert row["floor"] == pytest.approx((raw == 1).mean()) and row["ceiling"] == pytest.approx(
        (raw == 5).mean()
    )
    assert row["n"] == len(raw)
    assert set(t.loc[t.role == "district", "domain"]) == {"EX", "CN", "OS"}  # LM not asked
    assert np.isnan(t["dont_know"]).all()


def test_dont_know_rate_and_flag(v2, tmp_path):
    r = _pilot(v2)
    out = r.copy()
    t_rows = out.index[out.role == "teacher"][:8]
    out.loc[t_rows, "CN13"] = 9  # 8 of 40 teachers: 20% Don't know
    p = tmp_path / "pilot.csv"
    out.to_csv(p, index=False)
    mask = ai.dont_know_mask(p, v2)
    read = ai.read_responses(p, instrument=v2)
    t = ai.pilot_item_review(read, v2, dont_know=mask).set_index(["role", "item"])
    assert t.loc[("teacher", "CN13"), "dont_know"] == pytest.approx(8 / 40)
    assert "Don't know 20%" in t.loc[("teacher", "CN13"), "revise_because"]
    assert t.loc[("leader", "CN18"), "dont_know"] == 0  # CN13 is on the teacher form only


def test_role_dif_is_found_where_planted(v2):
    t = ai.pilot_item_review(_pilot(v2, n=60, dif_item="OS13", dif=1.2), v2)
    row = t[(t.role == "teacher") & (t.item == "OS13")].iloc[0]
    assert row["dif"] > 0.5 and "leaders answer" in row["revise_because"]
    others = t[(t.role == "teacher") & (t.domain == "OS") & (t.item != "OS13")]["dif"].dropna()
    assert (others.abs() < 0.5).mean() > 0.8
