"""estimator="MLR": robust standard errors and Yuan-Bentler scaled fit, equal to lavaan 0.6.

References from ``tests/r_reference/make_reference_mlr.R`` (lavaan ``cfa(..., estimator = "MLR",
missing = "fiml")``): HolzingerSwineford1939 with 8% of answers missing (one group, and by school)
and psychTools' bfi (2,800 x 25, its own missing answers). Measured differences, the largest seen:
scaled chi-square 1.3e-4 (relative 1.3e-6: lavaan stops its optimizer about 1e-6 from the optimum,
the same size as its estimates differ from ours), CFI/TLI/RMSEA scaled 2.3e-7, robust SEs 3.1e-6.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv as ai
from assetinv.structure import _casewise_scores, _objective

R = Path(__file__).parent / "r_reference"
FIT = {  # lavaan name -> ours
    "chisq": "chisq",
    "chisq.scaled": "chisq_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "pvalue.scaled": "pvalue_scaled",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "rmsea.scaled": "rmsea_scaled",
    "baseline.chisq.scaled": "baseline_chisq_scaled",
    "baseline.chisq.scaling.factor": "baseline_scaling_factor",
}


def _ref(name):
    return json.loads((R / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))


def _fit(name, data):
    ref = _ref(name)
    group = ref["group"] if isinstance(ref["group"], str) else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ai.cfa(pd.read_csv(R / "data" / data), ref["model"], estimator="MLR", group=group)
    return ref, res


@pytest.mark.parametrize(
    "name, data",
    [("mlr_hs1939", "hs1939_miss.csv"), ("mlr_hs1939_school", "hs1939_miss.csv"), ("mlr_bfi", "bfi.csv")],
)
def test_mlr_equals_lavaan(name, data):
    ref, res = _fit(name, data)
    for theirs, ours in FIT.items():
        want, got = ref["fit"][theirs], res.fit[ours]
        tol = 3e-6 * max(1.0, abs(want)) if "chisq" in theirs and "factor" not in theirs else 1e-5
        assert got == pytest.approx(want, abs=tol), (theirs, got, want)
    pe = pd.DataFrame(ref["params"])
    keys = ["lhs", "op", "rhs"] + (["group"] if "group" in pe else [])
    ours = res.params.copy()
    if "group" in pe:
        ours["group"] = ours["group"].map({g: k + 1 for k, g in enumerate(res.groups)})
    m = ours.merge(pe, on=keys, how="inner")
    assert len(m) == len(pe)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-4, rtol=0)  # robust (Huber-White) SEs
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-4, rtol=0)


def test_ml_and_mlr_share_estimates_and_differ_in_ses_and_test():
    d = pd.read_csv(R / "data" / "hs1939_miss.csv")
    model = _ref("mlr_hs1939")["model"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ml, mlr = ai.cfa(d, model), ai.cfa(d, model, estimator="MLR")
    np.testing.assert_allclose(ml.params["estimate"], mlr.params["estimate"], atol=1e-12)
    assert ml.fit["chisq"] == mlr.fit["chisq"] and "chisq_scaled" not in ml.fit
    assert not np.allclose(ml.params["se"], mlr.params["se"])


def test_casewise_scores_sum_to_the_gradient():
    """The MLR 'meat' is built from per-case scores; their sum is the analytic gradient of -logL."""
    import assetinv.structure as S

    d = pd.read_csv(R / "data" / "hs1939_miss.csv")
    model = _ref("mlr_hs1939")["model"]
    msgs: list = []
    mdl, rev, bounds, items, dk = S._resolve_model(d, model, None, [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels, data = S._group_data(d, S._numeric(d, items, rev, bounds, dk), "school", msgs, items)
    sp = S._build_spec(mdl, len(data), ())
    x = S._start(sp, data) + 0.01  # anywhere, not only at the optimum
    np.testing.assert_allclose(
        _casewise_scores(sp, data, x).sum(axis=0), _objective(sp, data, x)[1], atol=1e-9
    )


def test_mlr_of_the_v2_sample_teacher_form_equals_lavaan():
    """The 2.0.0 sample, teacher form at baseline, four correlated domains (49 items, 199 missing-data
    patterns), as ``cfa_sample_v2_teacher.json`` but MLR: scaled chi-square within 2.7e-4 of 1,322."""
    ref = _ref("mlr_sample_v2_teacher")
    raw = ai.read_responses(Path(__file__).resolve().parents[1] / "data" / "responses.csv")
    teachers = raw[(raw["wave"] == "baseline") & (raw["role"] == "teacher")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ai.cfa(teachers, instrument="2.0.0", estimator="MLR")
    assert res.model == ref["model"]
    for theirs, ours in FIT.items():
        want = ref["fit"][theirs]
        tol = 3e-6 * max(1.0, abs(want)) if "chisq" in theirs and "factor" not in theirs else 1e-5
        assert res.fit[ours] == pytest.approx(want, abs=tol), (theirs, res.fit[ours], want)
    m = res.params.merge(pd.DataFrame(ref["params"]), on=["lhs", "op", "rhs"])
    assert len(m) == len(ref["params"]["lhs"])
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-4, rtol=0)


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_listwise_equals_lavaan_listwise(estimator):
    """With missing="listwise" lavaan has no mean structure and uses the expected information for ML
    standard errors (the observed one for MLR): ours did the FIML thing, so SEs differed by up to 0.18 and
    SRMR by 0.007 (it counted the zero mean residuals)."""
    ref = _ref(f"cfa_hs1939_listwise_{estimator}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ai.cfa(
            pd.read_csv(R / "data" / "hs1939_miss.csv"), ref["model"], missing="listwise", estimator=estimator
        )
    names = {"chisq": "chisq", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea", "srmr": "srmr"}
    if estimator == "MLR":
        names |= {
            "chisq.scaled": "chisq_scaled",
            "chisq.scaling.factor": "scaling_factor",
            "cfi.scaled": "cfi_scaled",
        }
    for theirs, ours in names.items():
        want = ref["fit"][theirs]
        assert res.fit[ours] == pytest.approx(want, abs=3e-6 * max(1.0, abs(want))), (
            theirs,
            res.fit[ours],
            want,
        )
    m = res.params.merge(pd.DataFrame(ref["params"]), on=["lhs", "op", "rhs"])
    assert len(m) == len(ref["params"]["lhs"])  # lavaan's listwise fit has no intercept rows; ours keeps them
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-4, rtol=0)
