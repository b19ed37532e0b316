"""Network computations done once: the same tables as the per-school functions they replace (issue 15)."""

from __future__ import annotations

import pandas as pd
import pytest

from assetinv import scoring as S
from assetinv.report.pipeline import gaps_by_school


def _scores(data=None):
    from assetinv.report.context import read_study

    ctx = read_study(data)
    return ctx, S.score_domains(ctx.responses, ctx.instrument)


def _per_school(scores, ids, **kw):
    have = set(scores["school"].astype(str))
    return pd.concat(
        [S.perception_gaps_with_fallback(scores, s, **kw) for s in ids if s in have], ignore_index=True
    )


@pytest.mark.parametrize("min_n", [5, 9])
def test_gaps_by_school_equal_the_per_school_function(min_n):
    """On the bundled sample (and with a larger minimum, so that district and network fallbacks occur)."""
    ctx, scores = _scores()
    got = gaps_by_school(scores, ctx.school_ids, min_n=min_n, instrument=ctx.instrument)
    want = _per_school(scores, ctx.school_ids, min_n=min_n, instrument=ctx.instrument)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs
    assert min_n == 5 or "district" in set(got["level"])  # fallbacks were exercised


def test_gaps_by_school_simulated_network(tmp_path):
    from assetinv.simulate import write_sample

    write_sample(
        tmp_path / "d", seed=4, n_schools=9, n_districts=4, respondents_per_school=12, n_interviews=4
    )
    ctx, scores = _scores(tmp_path / "d")
    scores.loc[scores["school"] == "S02", "district"] = None  # a school without a district: pooled alone
    for min_n in (3, 5, 8):
        got = gaps_by_school(scores, ctx.school_ids, min_n=min_n, instrument=ctx.instrument)
        want = _per_school(scores, ctx.school_ids, min_n=min_n, instrument=ctx.instrument)
        pd.testing.assert_frame_equal(got, want)


def test_per_school_slices_give_the_same_tables(monkeypatch):
    """recommend and joint_display called with one school's rows give what they give with the whole tables."""
    from assetinv.report import pipeline as P
    from assetinv.report.context import read_study

    ctx = read_study(None)
    P.compute_analyses(ctx)
    fast = {k: ctx.tables[k].copy() for k in ("recommendations", "joint_display_schools")}
    monkeypatch.setattr(P, "_by_school", lambda df: lambda s: df)  # every call gets the whole table
    P.compute_analyses(ctx)
    for k, v in fast.items():
        pd.testing.assert_frame_equal(v, ctx.tables[k])
    assert len(fast["recommendations"]) > 12 and len(fast["joint_display_schools"]) >= 12


def test_side_worker_gives_the_same_tables_and_notes():
    """``compute_analyses(ctx, jobs=2)`` runs change and psychometrics in a forked worker: the same tables,
    in the same order, and the same warning notes (in the order of the phases) as one job."""
    import warnings

    from assetinv.report import pipeline as P
    from assetinv.report.context import read_study

    P._PSYCHOMETRICS_CACHE.clear()  # the worker must compute them, not inherit them
    runs = []
    for jobs in (2, 1):
        ctx = read_study(None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            P.compute_analyses(ctx, jobs=jobs)
        runs.append(ctx)
    (a, b) = runs
    assert list(a.tables) == list(b.tables)
    for name in b.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    assert a.results["analysis_warnings"] == b.results["analysis_warnings"]
    assert a.results["analysis_warnings"]  # the sample raises some: their order was compared
    assert a.tables["change"] is not None and len(a.tables["change"])


def test_district_means_are_computed_once_per_profile_table():
    """Every school report reads its district's row from one network table (not one per school)."""
    from types import SimpleNamespace

    from assetinv.report import reading as R

    prof = pd.DataFrame(
        {
            "school": ["A", "B", "C"],
            "domain": "EX",
            "n": [10, 30, 8],
            "mean": [3.0, 4.0, 2.0],
            "suppressed": ["", "", "fewer than 10"],
        }
    )
    schools = pd.DataFrame({"school": ["A", "B", "C"], "district": ["D1", "D1", "D2"]})
    ctx = SimpleNamespace(tables={"asset_profile": prof}, results={}, schools=schools)
    first = R._network_district_means(ctx)
    pd.testing.assert_frame_equal(first, R.district_means(prof, schools))
    assert R._network_district_means(ctx) is first  # the same object: computed once
    ctx.tables["asset_profile"] = prof.assign(mean=[5.0, 4.0, 2.0])  # a new profile table
    again = R._network_district_means(ctx)
    assert again is not first
    assert again["district_mean"].tolist() == [(5.0 * 10 + 4.0 * 30) / 40]
