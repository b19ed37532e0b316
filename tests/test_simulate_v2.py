"""The simulator writes instrument 2.0.0 studies (role forms, Don't know, valence) and leaves 1.0.0 ones as they were."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetinv import (
    load_instrument,
    read_codings,
    read_responses,
    score_domains,
    simulate_study,
    write_sample,
)

V1 = Path(__file__).parent / "fixtures" / "v1_sample"


@pytest.fixture(scope="module")
def sample2(v2, tmp_path_factory):
    d = tmp_path_factory.mktemp("v2")
    write_sample(d, seed=11, n_schools=6, n_districts=2, instrument=v2)
    return d, simulate_study(seed=11, n_schools=6, n_districts=2, instrument=v2)


def test_v1_simulation_unchanged(tmp_path):
    write_sample(tmp_path, seed=2026, instrument=load_instrument("1.0.0"))
    for name in ("responses.csv", "codings.csv", "roster.csv"):
        assert filecmp.cmp(tmp_path / name, V1 / name, shallow=False), name


def test_v2_forms_dont_know_and_valence(sample2, v2):
    d, st = sample2
    r = st.responses
    for role in ("teacher", "leader", "district"):
        sub = r[r["role"] == role]
        off = [i for i in v2.item_ids() if i not in v2.item_ids(role=role)]
        assert sub[off].isna().all().all(), role  # items not on the form are never answered
    assert r.loc[r["role"] == "district", v2.item_ids("LM")].isna().all().all()
    dk = st.dont_know
    assert dk.to_numpy().sum() == r["n_dont_know"].sum() == st.truth["dont_know"]["n_cells"] > 0
    share = st.truth["dont_know"]["share_of_asked_by_role"]
    assert share["teacher"] < share["leader"] < share["district"]
    raw = pd.read_csv(d / "responses.csv")
    assert "n_dont_know" not in raw.columns
    assert (raw[v2.item_ids()] == 9).sum().sum() == dk.to_numpy().sum()
    back = read_responses(d / "responses.csv", instrument=v2)
    m = back.merge(r[["respondent_id", "wave", "n_dont_know"]], on=["respondent_id", "wave"])
    assert len(m) == len(r) and (m["n_dont_know_x"] == m["n_dont_know_y"]).all()
    s = score_domains(back, v2)
    assert s.loc[s["role"] == "district", "LM"].isna().all()
    assert s.loc[s["role"] == "teacher", "LM"].notna().mean() > 0.9
    c = read_codings(d / "codings.csv", instrument=v2)
    assert set(c["valence"]) == {"strength", "barrier"}
    fixed = dict(zip(v2.codebook["id"], v2.codebook["valence"]))
    for code, val in zip(c["code"], c["valence"]):
        assert fixed[code] in ("either", val), (code, val)
    assert "## Don't know / Not applicable" in (d / "TRUTH.md").read_text(encoding="utf-8")
    assert "Valence (column `valence`)" in (d / "TRUTH.md").read_text(encoding="utf-8")
    assert np.isfinite(st.truth["reliability"]["alpha"]["LM"])
