"""Property tests (hypothesis) for suppression and row-order independence.

Alpha invariances (permutation, shift, rescaling, double reversal) are in
tests/test_reliability_properties.py and "agreement is 1 for identical coders"
in tests/test_agreement.py; this file covers what they do not:

* suppression never lets a small group through: ``privacy.suppress``,
  ``scoring.summarize`` (with its complementary suppression),
  ``scoring.complementary_suppress``, ``scoring.asset_profile`` and
  ``scoring.perception_gaps`` (including subtraction from a shown parent);
* results do not depend on row order: ``score_domains``, ``summarize``,
  ``asset_profile``, ``perception_gaps``, ``qualitative.code_tallies`` and
  ``reliability.alpha`` on a shuffled data frame;
* identical coders give agreement 1 through ``qualitative.coder_agreement``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetinv.instrument import load_instrument
from assetinv.privacy import suppress
from assetinv.scoring import asset_profile, complementary_suppress, perception_gaps, score_domains, summarize

INST = load_instrument()
DOMAINS = list(INST.domains["id"])
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _responses(seed: int, n_schools: int, max_size: int, leader_p: float = 0.3) -> pd.DataFrame:
    """Random item responses: schools of 0..max_size respondents, some missing answers."""
    rng = np.random.default_rng(seed)
    rows = []
    rid = 0
    for s in range(n_schools):
        size = int(rng.integers(0, max_size + 1))
        for _ in range(size):
            role = "leader" if rng.random() < leader_p else "teacher"
            rows.append(
                {
                    "respondent_id": f"R{rid:04d}",
                    "school": f"S{s:02d}",
                    "district": f"D{s % 2 + 1}",
                    "role": role,
                    "wave": "baseline",
                }
            )
            rid += 1
    df = pd.DataFrame(rows, columns=["respondent_id", "school", "district", "role", "wave"])
    items = INST.item_ids()
    vals = rng.integers(1, 6, size=(len(df), len(items))).astype("float64")
    vals[rng.random(vals.shape) < 0.05] = np.nan
    df = pd.concat([df, pd.DataFrame(vals, columns=items)], axis=1)
    return df


def _scores(seed: int, n_schools: int = 6, max_size: int = 9, leader_p: float = 0.3) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return score_domains(_responses(seed, n_schools, max_size, leader_p), INST)


def _shuffle(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _assert_no_lone_cell(sup_counts, min_n, what):
    live = [n for n in sup_counts if n > 0]
    if live:
        assert len(live) >= 2 and sum(live) >= min_n, f"{what}: suppressed {live} recoverable by subtraction"


# ------------------------------------------------------------------ suppression
@SETTINGS
@given(
    n=st.lists(st.one_of(st.integers(0, 30), st.none()), min_size=1, max_size=30),
    min_n=st.integers(1, 12),
    rate=st.lists(st.floats(0, 1), min_size=30, max_size=30),
)
def test_suppress_never_shows_a_small_group(n, min_n, rate):
    t = pd.DataFrame(
        {
            "g": range(len(n)),
            "n": [np.nan if v is None else v for v in n],
            "mean": np.linspace(1, 5, len(n)),
            "rate": rate[: len(n)],
        }
    )
    out = suppress(t, ["mean"], min_n=min_n, rate_column="rate")
    small = t["n"].fillna(0) < min_n
    assert (out.loc[small, "suppressed"] != "").all()
    assert out.loc[small, ["mean", "n", "rate"]].isna().all().all()
    hidden = out["suppressed"] != ""
    assert out.loc[hidden, ["mean", "n"]].isna().all().all()
    assert (out.loc[~hidden, "n"] >= min_n).all() and (out.loc[~hidden, "rate"] >= 0.5).all()
    assert len(out) == len(t) and list(out["g"]) == list(t["g"])  # rows kept, order kept


@SETTINGS
@given(
    counts=st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=5), min_size=1, max_size=5),
    min_n=st.integers(2, 8),
)
def test_complementary_suppress_protects_by_subtraction(counts, min_n):
    rows = []
    for p, kids in enumerate(counts):
        for c, k in enumerate(kids):
            rows.append({"school": f"S{p}", "role": f"r{c}", "domain": "OS", "n": k, "mean": 3.0 + 0.1 * c})
    t = pd.DataFrame(rows)
    raw = t["n"].astype("float64")
    out = complementary_suppress(
        suppress(t, ["mean"], min_n=min_n),
        ["school", "role"],
        ["school"],
        value_columns=["mean"],
        min_n=min_n,
        raw_n=raw,
    )
    hidden = out["suppressed"] != ""
    assert hidden[raw < min_n].all()
    assert out.loc[hidden, ["n", "mean"]].isna().all().all()
    for p, grp in out.groupby("school"):
        shown = grp["suppressed"] == ""
        if shown.any():
            _assert_no_lone_cell(raw[grp.index[~shown]].tolist(), min_n, f"parent {p}")


@SETTINGS
@given(seed=st.integers(0, 10_000), min_n=st.integers(2, 8), by_role=st.booleans())
def test_summarize_never_shows_a_small_group(seed, min_n, by_role):
    s = _scores(seed)
    by = ("school", "role") if by_role else ("school",)
    out = summarize(s, by, min_n=min_n, reliability=False)
    for d in DOMAINS:
        sub = s[s[d].notna()]
        n = sub.groupby(list(by)).size()
        rows = out[out["domain"] == d]
        for _, r in rows.iterrows():
            k = int(n.get(tuple(r[c] for c in by) if by_role else r["school"], 0))
            if k < min_n:
                assert r["suppressed"], f"{d} {dict(r[list(by)])} with n={k} shown"
            if r["suppressed"]:
                assert np.isnan([r["n"], r["mean"], r["sd"], r["ci_low"], r["ci_high"]]).all()
        # parent = school (by_role) or network (by school): no lone suppressed cell
        parents = rows.groupby("school") if by_role else [("network", rows)]
        for p, grp in parents:
            hidden = grp[grp["suppressed"] != ""]
            if (grp["suppressed"] == "").any():
                ks = [
                    int(n.get(tuple(r[c] for c in by) if by_role else r["school"], 0))
                    for _, r in hidden.iterrows()
                ]
                _assert_no_lone_cell(ks, min_n, f"{d} parent {p}")


@SETTINGS
@given(seed=st.integers(0, 10_000), min_n=st.integers(2, 8))
def test_asset_profile_never_shows_a_small_school(seed, min_n):
    s = _scores(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof = asset_profile(s, min_n=min_n, instrument=INST)
    for d in DOMAINS:
        n = s[s[d].notna()].groupby("school").size()
        for _, r in prof[prof["domain"] == d].iterrows():
            if int(n.get(r["school"], 0)) < min_n:
                assert r["suppressed"] and np.isnan(r["mean"]) and np.isnan(r["n"])


@SETTINGS
@given(seed=st.integers(0, 10_000), min_n=st.integers(2, 6))
def test_perception_gaps_never_show_small_or_recoverable_groups(seed, min_n):
    s = _scores(seed, n_schools=6, max_size=14, leader_p=0.45)
    dist = perception_gaps(s, level="district", min_n=min_n, instrument=INST)
    school = perception_gaps(s, level="school", min_n=min_n, instrument=INST)
    netw = perception_gaps(s, level="network", min_n=min_n, instrument=INST)
    for d in DOMAINS:
        sub = s[s[d].notna()]
        for lvl, tab in (("district", dist), ("school", school)):
            cnt = (
                sub.groupby([lvl, "role"])
                .size()
                .unstack(fill_value=0)
                .reindex(columns=["teacher", "leader"], fill_value=0)
            )
            rows = tab[tab["domain"] == d]
            for _, r in rows.iterrows():
                c = cnt.loc[r["group"]] if r["group"] in cnt.index else pd.Series({"teacher": 0, "leader": 0})
                if min(c) < min_n:
                    assert r["suppressed"] and np.isnan(r["leader_mean"]) and np.isnan(r["teacher_mean"])
            # subtraction from the shown parent(s)
            if lvl == "district":
                parents = [(netw[netw["domain"] == d].iloc[0], rows)]
            else:
                parents = [
                    (dr, rows[rows["group"].map(sub.groupby("school")["district"].first()) == dr["group"]])
                    for _, dr in dist[dist["domain"] == d].iterrows()
                ]
            for prow, kids in parents:
                if prow["suppressed"] or not (kids["suppressed"] == "").any():
                    continue
                hidden = kids[kids["suppressed"] != ""]["group"]
                for role in ("teacher", "leader"):
                    _assert_no_lone_cell(
                        [int(cnt.loc[g, role]) if g in cnt.index else 0 for g in hidden],
                        min_n,
                        f"{lvl} {d} {role}s under {prow['group']}",
                    )


# ------------------------------------------------------------------ row order
def _same(a: pd.DataFrame, b: pd.DataFrame, keys) -> None:
    a = a.sort_values(list(keys), kind="mergesort").reset_index(drop=True)
    b = b.sort_values(list(keys), kind="mergesort").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), perm=st.integers(0, 10_000))
def test_scores_and_summaries_do_not_depend_on_row_order(seed, perm):
    resp = _responses(seed, 5, 12)
    shuffled = _shuffle(resp, perm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = score_domains(resp, INST), score_domains(shuffled, INST)
        _same(a, b, ["respondent_id", "wave"])
        for by in (("school",), ("school", "role")):
            x = summarize(a, by, responses=resp, min_n=3)
            y = summarize(_shuffle(b, perm + 1), by, responses=shuffled, min_n=3)
            pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True), rtol=1e-9)
        pa = asset_profile(a, min_n=3, instrument=INST)
        pb = asset_profile(_shuffle(b, perm + 2), min_n=3, instrument=INST)
        pd.testing.assert_frame_equal(pa.reset_index(drop=True), pb.reset_index(drop=True), rtol=1e-9)
        ga = perception_gaps(a, level="district", min_n=3, instrument=INST)
        gb = perception_gaps(_shuffle(b, perm + 3), level="district", min_n=3, instrument=INST)
        pd.testing.assert_frame_equal(ga, gb, rtol=1e-9)


@SETTINGS
@given(seed=st.integers(0, 10_000), perm=st.integers(0, 10_000))
def test_alpha_on_a_shuffled_frame(seed, perm):
    from assetinv.reliability import alpha

    resp = _responses(seed, 3, 15)
    items = INST.item_ids("OS")
    x = resp[items].dropna()
    if len(x) < 3:
        return
    a = alpha(x)
    b = alpha(_shuffle(x, perm))
    ra = getattr(a, "raw_alpha", a)
    rb = getattr(b, "raw_alpha", b)
    assert np.isclose(float(np.asarray(ra).ravel()[0]), float(np.asarray(rb).ravel()[0]), equal_nan=True)


def _codings(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = list(INST.codebook["id"])[:8]
    rows = []
    for e in range(int(rng.integers(4, 30))):
        school = f"S{int(rng.integers(0, 3))}"
        interview = f"{school}-I{int(rng.integers(0, 6))}"
        for code in rng.choice(codes, size=int(rng.integers(1, 3)), replace=False):
            for coder in ("coder_a", "coder_b"):
                rows.append(
                    {
                        "excerpt_id": f"E{e:03d}",
                        "interview_id": interview,
                        "school": school,
                        "role": "teacher",
                        "coder": coder,
                        "code": str(code),
                        "text": f"excerpt {e}",
                    }
                )
    return pd.DataFrame(rows)


@SETTINGS
@given(seed=st.integers(0, 10_000), perm=st.integers(0, 10_000), min_n=st.integers(1, 4))
def test_code_tallies_do_not_depend_on_row_order_and_suppress(seed, perm, min_n):
    from assetinv.qualitative import code_tallies

    c = _codings(seed)
    a = code_tallies(c, "school", instrument=INST, min_n=min_n)
    b = code_tallies(_shuffle(c, perm), "school", instrument=INST, min_n=min_n)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    n_int = c.drop_duplicates("interview_id").groupby("school").size()
    for _, r in a.iterrows():
        if n_int.get(r["school"], 0) < min_n:
            assert r["suppressed"] and pd.isna(r["n_excerpts"])


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_coder_agreement_is_one_for_identical_coders(seed):
    from assetinv.qualitative import coder_agreement

    c = _codings(seed)  # coder_b copies coder_a exactly
    ag = coder_agreement(c, group_by="domain", seed=0, instrument=INST)
    overall = ag.iloc[0]
    for col in ("percent_agreement", "krippendorff_alpha", "gwet_ac1"):
        if col in ag and pd.notna(overall[col]):
            assert np.isclose(overall[col], 1.0), (col, overall[col])
