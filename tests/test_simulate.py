"""Tests for the seeded study generator (assetinv.simulate) and the bundled sample in data/."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from assetinv import load_instrument
from assetinv.simulate import Study, simulate_study, write_sample

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FILES = ["responses.csv", "roster.csv", "schools.csv", "codings.csv", "study.yaml", "truth.json", "TRUTH.md"]


def _digests(folder: Path) -> dict[str, str]:
    return {f: hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in FILES}


def _domain_scores(resp: pd.DataFrame) -> pd.DataFrame:
    """Domain scores: mean of each domain's answered items after re-reversing."""
    inst = load_instrument()
    x = resp[inst.item_ids()].astype("float64")
    for it in inst.reverse_ids():
        x[it] = inst.scale_min + inst.scale_max - x[it]
    out = resp[["respondent_id", "school", "district", "role", "wave"]].copy()
    for d in inst.domains["id"]:
        out[d] = x[inst.item_ids(d)].mean(axis=1)
    return out


def _school_recovery(st: Study) -> tuple[float, float]:
    """Max |observed - true| and correlation of school x wave x domain means (teachers + leaders)."""
    sc = _domain_scores(st.responses)
    doms = st.truth["model"]["domains"]
    sc = sc[sc["role"].isin(["teacher", "leader"])]
    obs = sc.groupby(["school", "wave"])[doms].mean().stack().rename("obs").reset_index()
    obs.columns = ["school", "wave", "domain", "obs"]
    true = pd.DataFrame(st.truth["school_means"])
    m = obs.merge(true, on=["school", "wave", "domain"], validate="1:1")
    assert len(m) == len(true)
    return float((m["obs"] - m["all"]).abs().max()), float(np.corrcoef(m["obs"], m["all"])[0, 1])


@pytest.fixture(scope="module")
def sample() -> Study:
    return simulate_study(seed=2026)


# --------------------------------------------------------------------------- determinism
def test_same_seed_gives_identical_bytes(tmp_path):
    a = write_sample(tmp_path / "a", seed=2026)
    b = write_sample(tmp_path / "b", seed=2026)
    assert [p.name for p in a] == FILES == [p.name for p in b]
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_different_seeds_differ(tmp_path):
    write_sample(tmp_path / "a", seed=2026)
    write_sample(tmp_path / "b", seed=2027)
    da, db = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    for f in ["responses.csv", "roster.csv", "codings.csv", "truth.json", "TRUTH.md"]:
        assert da[f] != db[f], f


def test_bundled_sample_is_what_the_generator_writes(tmp_path):
    """data/ was written by ``assetinv simulate data --seed 2026`` with the current generator."""
    write_sample(tmp_path, seed=2026)
    assert _digests(tmp_path) == _digests(DATA)


def test_files_are_plain_utf8_with_lf(tmp_path):
    write_sample(tmp_path, seed=5, n_schools=3, n_districts=1)
    for f in FILES:
        raw = (tmp_path / f).read_bytes()
        assert b"\r\n" not in raw, f
        raw.decode("utf-8")
    json.loads((tmp_path / "truth.json").read_text())


def test_large_study_is_fast_and_vectorised():
    import time

    t0 = time.perf_counter()
    st = simulate_study(seed=3, n_schools=2000, n_districts=40, n_interviews=4)
    assert st.responses["school"].str.startswith("S").sum() > 2000 * 2 * 20
    assert st.responses["respondent_id"].groupby(st.responses["wave"]).apply(lambda s: s.is_unique).all()
    assert time.perf_counter() - t0 < 30


# --------------------------------------------------------------------------- shapes and design
def test_design_of_bundled_sample(sample):
    r, inst = sample.responses, load_instrument()
    assert list(r.columns) == [
        "respondent_id",
        "school",
        "district",
        "role",
        "wave",
        *inst.item_ids(),
        "duration_sec",
        "n_dont_know",  # 2.0.0: Don't-know answers per row (written to the CSV as code 9, not as a column)
    ]
    assert sample.schools["school"].tolist() == [f"S{k:02d}" for k in range(1, 13)]
    assert sample.schools["district"].nunique() == 3
    assert sample.schools["name"].is_unique
    assert list(r["wave"].unique()) == ["baseline", "followup"]
    assert set(r["role"]) == {"teacher", "leader", "district"}
    per_school = r[r["role"] != "district"].groupby(["school", "wave"]).size()
    assert len(per_school) == 24
    assert 20 <= per_school.mean() <= 30 and per_school.min() >= 15
    leaders = r[r["role"] == "leader"].groupby(["school", "wave"]).size()
    assert leaders.between(2, 4).all()
    dist = r[r["role"] == "district"]
    assert set(dist["school"]) == {"D1", "D2", "D3"} and (dist["school"] == dist["district"]).all()
    assert dist.groupby(["district", "wave"]).size().between(3, 5).all()
    # district staff are never asked the items whose roles exclude them
    not_asked = [i for i, roles in zip(inst.items["id"], inst.items["roles"]) if "district" not in roles]
    assert not_asked and dist[not_asked].isna().all().all()
    # values and dtypes
    vals = r[inst.item_ids()]
    assert all(str(t) == "Int64" for t in vals.dtypes)
    v = vals.stack()
    assert v.between(1, 5).all() and set(v.unique()) == {1, 2, 3, 4, 5}
    # sorted by wave, school, role, respondent id; ids opaque and unique within a wave
    assert r["respondent_id"].str.fullmatch(r"R[0-9A-F]{5}").all()
    assert not r.duplicated(["respondent_id", "wave"]).any()
    order = {w: k for k, w in enumerate(inst.waves)}, {x: k for k, x in enumerate(inst.roles)}
    key = list(zip(r["wave"].map(order[0]), r["school"], r["role"].map(order[1]), r["respondent_id"]))
    assert key == sorted(key)


def test_linked_panel(sample):
    r = sample.responses
    base = set(r.loc[r["wave"] == "baseline", "respondent_id"])
    fu = r.loc[r["wave"] == "followup", "respondent_id"]
    linked = fu.isin(base)
    assert 0.5 <= linked.sum() / len(base) <= 0.7
    assert (~linked).sum() > 0
    # a linked respondent stays in the same school and role
    both = r[r["respondent_id"].isin(set(fu[linked]))]
    assert (both.groupby("respondent_id")[["school", "role"]].nunique() == 1).all().all()


def test_missing_straightliners_partials_speeders(sample):
    r, inst, dq = sample.responses, load_instrument(), sample.truth["data_quality"]
    items = inst.item_ids()
    sl = {(x["respondent_id"], x["wave"]) for x in dq["straightliners"]}
    pa = {(x["respondent_id"], x["wave"]) for x in dq["partial"]}
    assert len(sl) >= 3 and len(pa) >= 3
    key = list(zip(r["respondent_id"], r["wave"]))
    is_sl = np.array([k in sl for k in key])
    is_pa = np.array([k in pa for k in key])
    asked = np.array([[role in roles for roles in inst.items["roles"]] for role in r["role"]])
    miss = r[items].isna().to_numpy() & ~sample.dont_know[items].to_numpy(dtype=bool)  # DK is not missing
    clean = ~is_sl & ~is_pa
    rate = miss[clean][asked[clean]].mean()
    assert abs(rate - 0.03) < 0.01, rate
    # straight-liners: one value everywhere, so the reverse-keyed items contradict the others
    for row in r.loc[is_sl, items].to_numpy(dtype=float):
        assert len(set(row[~np.isnan(row)])) == 1
    # partial responses: the last domains are empty, the first is answered
    doms = list(inst.domains["id"])
    for _, row in r.loc[is_pa].iterrows():
        assert row[inst.item_ids(doms[-1])].isna().all()
        assert row[inst.item_ids(doms[0])].notna().any()
    # every row answered something; durations positive with a few speeders
    assert r[items].notna().any(axis=1).all()
    d = r["duration_sec"]
    assert str(d.dtype) == "Int64" and (d > 0).all()
    assert 1 <= (d < 120).sum() <= 0.1 * len(r)
    assert 240 < d.median() < 720


def test_roster(sample):
    r, ros = sample.responses, sample.roster
    assert list(ros.columns) == ["school", "district", "role", "wave", "invited"]
    n = r.groupby(["school", "role", "wave"]).size().rename("n").reset_index()
    m = ros.merge(n, on=["school", "role", "wave"], how="outer", validate="1:1")
    assert m["n"].notna().all() and m["invited"].notna().all()
    assert (m["invited"] >= m["n"]).all()
    rate = m["n"] / m["invited"]
    teach = rate[m["role"] == "teacher"]
    assert (teach < 0.5).sum() >= 1
    assert teach.between(0.55, 0.95).mean() > 0.8


def test_codings(sample):
    c, inst = sample.codings, load_instrument()
    assert list(c.columns) == [
        "excerpt_id",
        "interview_id",
        "school",
        "role",
        "coder",
        "code",
        "text",
        "exemplary",
        "valence",  # 2.0.0: each coding records strength or barrier
    ]
    assert set(c["valence"]) == {"strength", "barrier"}
    assert c["interview_id"].nunique() >= 24
    n_ex = c["excerpt_id"].nunique()
    assert n_ex >= 150
    assert set(c["code"]) <= set(inst.codebook["id"])
    assert set(c["coder"]) == {"coder_a", "coder_b"}
    assert c.loc[c["coder"] == "coder_a", "excerpt_id"].nunique() == n_ex
    assert c.loc[c["coder"] == "coder_b", "excerpt_id"].nunique() / n_ex >= 0.30
    per = c[c["coder"] == "coder_a"].groupby("excerpt_id").size()
    assert per.between(1, 3).all()
    assert not c.duplicated(["excerpt_id", "coder", "code"]).any()
    assert c.groupby("excerpt_id")[["text", "exemplary", "school", "role"]].nunique().eq(1).all().all()
    assert c["exemplary"].dtype == bool and c.drop_duplicates("excerpt_id")["exemplary"].sum() >= 5
    assert set(c["role"]) == {"teacher", "leader"}
    # every school has a teacher and a leader interview
    assert c.groupby("school")["role"].nunique().eq(2).all() and c["school"].nunique() == 12
    # personal details to redact
    text = " ".join(c.drop_duplicates("excerpt_id")["text"])
    assert "Ms. Okafor" in text and "Dan Whitfield" in text
    assert "@" in text and "555" in text
    assert "{" not in text and "}" not in text


def test_coder_agreement_is_realistic(sample):
    from assetinv import krippendorff_alpha

    c = sample.codings
    both = c[c["excerpt_id"].isin(c.loc[c["coder"] == "coder_b", "excerpt_id"])]
    codes = sorted(c["code"].unique())
    a, b = [], []
    for _, g in both.groupby("excerpt_id"):
        sa, sb = set(g.loc[g["coder"] == "coder_a", "code"]), set(g.loc[g["coder"] == "coder_b", "code"])
        a += [k in sa for k in codes]
        b += [k in sb for k in codes]
    alpha = krippendorff_alpha(np.array([a, b], dtype=float))
    assert 0.65 <= alpha <= 0.9, alpha
    assert a != b  # some disagreement


def test_assets_follow_school_strengths():
    """Schools with a higher true domain mean get relatively more asset codes in that domain."""
    st = simulate_study(seed=11, n_interviews=240, n_schools=12)
    c = st.codings[st.codings["coder"] == "coder_a"].copy()
    cb = load_instrument().codebook.set_index("id")["group"]
    c["group"] = c["code"].map(cb)
    ex = c.drop_duplicates("excerpt_id").set_index("excerpt_id")
    is_barrier = c.groupby("excerpt_id")["group"].apply(lambda g: (g == "BARRIER").any())
    ex["barrier"] = is_barrier
    true = pd.DataFrame(st.truth["school_means"])
    tb = true[(true["wave"] == "baseline")].groupby("school")["teacher"].mean()
    share = ex.groupby("school")["barrier"].mean()
    assert np.corrcoef(tb.loc[share.index], share)[0, 1] < -0.3


# --------------------------------------------------------------------------- truth
def test_truth_is_documented(sample):
    t = sample.truth
    json.dumps(t)
    doms = t["model"]["domains"]
    assert doms == ["EX", "LM", "CN", "OS"]
    m = t["model"]
    assert all(0.25 <= m["school_sd"][d] <= 0.45 for d in doms)
    assert all(0.25 <= m["role_offset"]["leader"][d] <= 0.55 for d in doms)
    assert m["growth_mean"]["OS"] == 0.25 and m["growth_mean"]["LM"] == 0.15 and m["growth_mean"]["EX"] == 0
    loads = [it["std_loading"] for it in m["items"]]
    assert 0.55 <= np.mean(loads) <= 0.85
    # 2.0.0's teacher form has 9-12 items per domain (1.0.0: 8), so alpha runs a little higher
    assert all(0.78 <= a <= 0.94 for a in t["reliability"]["alpha"].values())
    assert all(0.08 <= v <= 0.25 for v in t["icc1"]["values"].values())
    assert all(0.15 <= t["leader_teacher_gap"][d] <= 0.55 for d in doms)
    rs = [t["correlations"]["score"][a][b] for a in doms for b in doms if a < b]
    assert all(0.3 <= r <= 0.65 for r in rs)
    md = (DATA / "TRUTH.md").read_text()
    for word in ("Samejima", "theta", "Sigma_school", "graded response"):
        assert word in md
    cfg = yaml.safe_load((DATA / "study.yaml").read_text())
    assert cfg["responses"] == "responses.csv" and cfg["min_n"] == 5 and cfg["seed"] == 2026
    # the sample names the bundled instrument version it was made with, so it stays reproducible
    assert cfg["instrument"] == t["instrument_version"] == load_instrument().version
    assert cfg["baseline"] == "baseline" and cfg["followup"] == "followup"
    assert cfg["min_response_rate"] == 0.5


def test_true_means_match_item_model():
    """The analytic expected score equals a brute-force Monte-Carlo of the item model."""
    st = simulate_study(
        seed=4,
        n_schools=2,
        n_districts=1,
        respondents_per_school=20000,
        missing_rate=0,
        straightliner_rate=0,
        partial_rate=0,
        n_interviews=2,
    )
    mx, r = _school_recovery(st)
    assert mx < 0.03, mx


def test_recovery_large_sample():
    """Observed school means and domain correlations recover the generator's truth."""
    st = simulate_study(seed=7, respondents_per_school=400)
    mx, r = _school_recovery(st)
    assert mx < 0.15, mx
    assert r > 0.95, r
    doms = st.truth["model"]["domains"]
    sc = _domain_scores(st.responses)
    t = sc[(sc["role"] == "teacher") & (sc["wave"] == "baseline")]
    obs = t[doms].corr().to_numpy()
    true = pd.DataFrame(st.truth["correlations"]["score"]).loc[doms, doms].to_numpy()
    assert np.abs(obs - true).max() < 0.05
    # growth: follow-up minus baseline of the true means shows network growth in OS and LM, not EX
    tm = pd.DataFrame(st.truth["school_means"]).pivot_table(index="domain", columns="wave", values="teacher")
    grow = tm["followup"] - tm["baseline"]
    assert grow["OS"] > 0.1 and grow["LM"] > 0.05 and abs(grow["EX"]) < 0.06
    # leader-teacher gap recovered
    l_obs = sc[(sc["role"] == "leader") & (sc["wave"] == "baseline")].groupby("school")[doms].mean()
    t_obs = t.groupby("school")[doms].mean()
    gap = (l_obs - t_obs).mean()
    for d in doms:
        assert abs(gap[d] - st.truth["leader_teacher_gap"][d]) < 0.1


def test_recovery_bundled_sample(sample):
    mx, r = _school_recovery(sample)
    assert r > 0.8, r


def test_growth_and_options():
    st = simulate_study(
        seed=9, n_schools=4, n_districts=2, growth={"EX": 0.5}, waves=("baseline", "followup")
    )
    assert st.truth["model"]["growth_mean"]["EX"] == 0.5
    one = simulate_study(
        seed=9,
        n_schools=3,
        n_districts=1,
        waves=("baseline",),
        leader_share=0,
        district_staff_per_district=0,
        n_interviews=3,
        double_coded_share=0,
    )
    assert set(one.responses["role"]) == {"teacher"}
    assert set(one.roster["role"]) == {"teacher"}
    assert set(one.codings["coder"]) == {"coder_a"}
    with pytest.raises(ValueError):
        simulate_study(n_schools=2, n_districts=3)
    with pytest.raises(ValueError):
        simulate_study(growth={"XX": 0.1})
    with pytest.raises(ValueError):
        simulate_study(missing_rate=1.5)


def test_reads_back_with_io(tmp_path):
    import assetinv

    write_sample(tmp_path, seed=2026)
    if not hasattr(assetinv, "read_responses"):
        pytest.skip("io not available")
    r = assetinv.read_responses(tmp_path / "responses.csv")
    assert len(r) == len(pd.read_csv(tmp_path / "responses.csv"))
