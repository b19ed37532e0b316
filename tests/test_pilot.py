"""Pilot item review: item-rest correlation (as psych r.drop), floor/ceiling, Don't-know rate, role DIF."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import assetinv as ai


def _pilot(v2, n=40, seed=1, dif_item=None, dif=0.0, center=3.0):
    """~n per role: one latent trait per domain; an optional item where leaders answer higher.

    ``center`` is the keyed answer of an average respondent (3.75 puts about a quarter at the top).
    """
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
                    center
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
    t = ai.pilot_item_review(_pilot(v2, n=60, dif_item="EX10", dif=1.2), v2)
    row = t[(t.role == "teacher") & (t.item == "EX10")].iloc[0]
    assert row["dif"] > 0.5 and "leaders answer" in row["revise_because"]
    others = t[(t.role == "teacher") & (t.domain == "EX") & (t.item != "EX10")]["dif"].dropna()
    assert len(others) == 5 and (others.abs() < 0.5).mean() > 0.8


def test_role_dif_says_which_domains_it_cannot_screen(v2):
    # OS: the teacher and leader forms share only OS13 and its mirror, too few for a rest score
    t = ai.pilot_item_review(_pilot(v2, n=60, dif_item="OS13", dif=1.2), v2)
    assert t.loc[t["domain"] == "OS", "dif"].isna().all()
    assert set(t.attrs["dif_not_screened"]) == {"OS"}
    assert (
        "OS13, OS37" in t.attrs["dif_not_screened"]["OS"]
        and "3 are needed" in t.attrs["dif_not_screened"]["OS"]
    )
    assert (
        t.loc[t["domain"].isin(["EX", "LM", "CN"]) & t["role"].isin(["teacher", "leader"]), "dif"]
        .notna()
        .any()
    )


def _item_rows(t):
    return t[t["item"] != t["domain"]]  # domain-score rows carry the domain id as their item


def test_item_end_effects_of_20_to_30_percent_are_not_flagged(v2):
    # A positive pilot: most items have 20-30% of their answers at the top. That is ordinary for a
    # 5-point item (an even spread puts 20% at each end); only the 15% rule for scale scores, applied
    # to single items, would flag it.
    r = _pilot(v2, n=60, seed=3, center=3.75)
    t = _item_rows(ai.pilot_item_review(r, v2))
    end = np.maximum(t["floor"], t["ceiling"])
    assert ((end >= 0.2) & (end <= 0.3)).mean() > 0.6  # most items: 20-30% at one end
    assert (end > 0.15).mean() > 0.8 and end.max() < 0.5
    assert not t["revise_because"].str.contains("floor|ceiling").any()


def test_item_with_more_than_half_at_one_end_is_flagged(v2):
    r = _pilot(v2)
    teachers = r.index[r.role == "teacher"]
    r.loc[teachers, ["EX10", "EX11"]] = 3.0
    r.loc[teachers[:24], "EX10"] = 1.0  # 24 of 40 teachers (60%) at the lowest point
    r.loc[teachers[:18], "EX11"] = 5.0  # 18 of 40 (45%) at the highest point
    t = ai.pilot_item_review(r, v2)
    row = t[(t.level == "item") & (t.role == "teacher") & (t.item == "EX10")].iloc[0]
    assert row["floor"] == pytest.approx(0.6)
    assert "floor: 60% chose the lowest answer (above 50%)" in row["revise_because"]
    ex11 = t[(t.level == "item") & (t.role == "teacher") & (t.item == "EX11")].iloc[0]
    assert ex11["ceiling"] == pytest.approx(0.45) and "ceiling" not in ex11["revise_because"]
    # the threshold is a parameter, and is recorded
    t70 = ai.pilot_item_review(r, v2, item_floor_ceiling=0.70)
    row70 = t70[(t70.level == "item") & (t70.role == "teacher") & (t70.item == "EX10")].iloc[0]
    assert "floor" not in row70["revise_because"]
    assert t.attrs["item_floor_ceiling"] == 0.5 and t70.attrs["item_floor_ceiling"] == 0.7
    assert t.attrs["floor_ceiling"] == 0.15


def test_domain_score_ceiling_above_15_percent_is_flagged_at_domain_level(v2):
    r = _pilot(v2)
    teachers = r.index[r.role == "teacher"]
    top = teachers[:8]  # 8 of 40 teachers (20%) at the highest possible EX score
    for i in v2.item_ids("EX", role="teacher"):
        r.loc[top, i] = 1.0 if i in v2.reverse_ids() else 5.0
    t = ai.pilot_item_review(r, v2)
    dom = t[t.level == "domain"].set_index(["role", "domain"])
    assert len(dom) == 11  # 4 teacher, 4 leader and 3 district domains (LM not asked of district)
    assert (dom["item"] == dom.index.get_level_values("domain")).all()
    assert dom["item_rest"].isna().all() and dom["dont_know"].isna().all() and dom["dif"].isna().all()
    assert dom.loc[("teacher", "EX"), "ceiling"] >= 0.2
    assert dom.loc[("teacher", "EX"), "n"] == 40
    assert (
        "domain ceiling: 20% have the highest possible score (above 15%)"
        in dom.loc[("teacher", "EX"), "revise_because"]
    )
    assert "domain" not in dom.loc[("leader", "EX"), "revise_because"]
    # the items of that domain are not flagged for it: 20-40% at the top is not an item end effect
    ex = t[(t.level == "item") & (t.role == "teacher") & (t.domain == "EX")]
    assert not ex["revise_because"].str.contains("ceiling").any()


def test_domain_floor_and_ceiling_match_score_domains(v2):
    r = _pilot(v2, seed=5)
    teachers = r.index[r.role == "teacher"]
    for i in v2.item_ids("CN", role="teacher"):
        r.loc[teachers[:6], i] = 5.0 if i in v2.reverse_ids() else 1.0  # lowest possible CN score
    r.loc[teachers[6:9], v2.item_ids("CN", role="teacher")[:-2]] = np.nan  # a few left unscored
    t = ai.pilot_item_review(r, v2)
    s = ai.score_domains(r, v2)
    for role in ("teacher", "leader", "district"):
        for d in ("EX", "LM", "CN", "OS"):
            got = t[(t.level == "domain") & (t.role == role) & (t.domain == d)]
            x = s.loc[s.role == role, d].dropna()
            if x.empty:
                assert got.empty  # not asked of this role
                continue
            row = got.iloc[0]
            assert row["n"] == len(x)
            assert row["mean"] == pytest.approx(x.mean())
            assert row["floor"] == pytest.approx(np.isclose(x, 1).mean())
            assert row["ceiling"] == pytest.approx(np.isclose(x, 5).mean())
