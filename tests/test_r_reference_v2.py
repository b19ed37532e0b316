"""The 2.0.0 sample against R: lavaan's CFA and psych's polychoric on the teacher form at baseline.

``psych::alpha`` and ``psych::omega`` of each domain (``fixtures/alpha_sample_v2_*.json``) are checked
with every other alpha case by ``tests/test_reliability.py``. The references come from
``tests/r_reference/make_sample_v2.py`` then ``Rscript tests/r_reference/make_reference.R v2``; the
first test fails when the bundled sample changes and the references were not made again.
"""

from __future__ import annotations

import json
import sys
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetinv as ai
from assetinv.structure import CFAWarning

ROOT = Path(__file__).resolve().parent / "r_reference"
sys.path.insert(0, str(ROOT))
from make_sample_v2 import teacher_baseline  # noqa: E402

FIT_KEYS = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]


def _fixture(name: str) -> dict:
    return json.loads((ROOT / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))


def _committed() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "sample_v2_teacher.csv", dtype={"respondent_id": str, "school": str})


def test_reference_data_is_the_bundled_sample():
    now, model, reverse = teacher_baseline()
    spec = json.loads((ROOT / "data" / "sample_v2_teacher.json").read_text(encoding="utf-8"))
    assert spec["model"] == model and spec["reverse"] == reverse
    old = _committed()
    assert list(old.columns) == list(now.columns)
    pd.testing.assert_frame_equal(
        old.astype({c: float for c in old.columns[2:]}),
        now.astype({"respondent_id": str, "school": str} | {c: float for c in now.columns[2:]}),
        check_dtype=False,
    )


@cache
def _fit():
    raw = ai.read_responses(Path(__file__).resolve().parents[1] / "data" / "responses.csv")
    teachers = raw[(raw["wave"] == "baseline") & (raw["role"] == "teacher")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CFAWarning)
        return ai.cfa(teachers, instrument="2.0.0")  # the default model: the teacher form's domains


def test_default_cfa_of_the_v2_teacher_form_equals_lavaan():
    ref = _fixture("cfa_sample_v2_teacher")
    res = _fit()
    assert res.model == ref["model"]
    assert ref["converged"] and res.converged
    for key in FIT_KEYS:
        assert res.fit[key] == pytest.approx(ref["fit"][key], abs=1e-4, rel=0), key
    assert res.fit["df"] == ref["fit"]["df"]


def test_cfa_parameters_of_the_v2_teacher_form_equal_lavaan():
    ref = pd.DataFrame(_fixture("cfa_sample_v2_teacher")["params"])
    m = _fit().params.merge(ref, on=["lhs", "op", "rhs"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"]
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(m["std_all"], m["std.all"], atol=1e-4, rtol=0)


def test_polychoric_of_the_v2_lm_items_equals_psych():
    fx = _fixture("polychoric_sample_v2_LM")
    data = _committed()[fx["items"]]
    pc = ai.polychoric(data)
    np.testing.assert_allclose(pc.rho.to_numpy(), np.array(fx["rho"]), atol=1e-4, rtol=0)
    # an item whose lowest category nobody chose: psych writes that threshold as NA, we as -inf
    tau = np.array([[-np.inf if t is None else t for t in row] for row in fx["tau"]])
    assert np.isneginf(tau).any() and (np.isneginf(tau) == np.isneginf(pc.tau.to_numpy())).all()
    np.testing.assert_allclose(pc.tau.to_numpy(), tau, atol=1e-9, rtol=0)
