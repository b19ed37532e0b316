"""Data of one instrument version read under another: the readers and `assetinv map` say which version.

Since 2.0.0 became the default, a study fielded with 1.0.0 must name its instrument. When it does not,
the reader gives one error naming the version instead of a "did you mean" rename per column, a
coding with a 1.0.0-only code says so, and `assetinv map` drafts against the version whose question
text (or code names) the export matches, writing ``instrument:`` into the draft.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import assetinv as ai
from assetinv.crosswalk import draft_crosswalk
from assetinv.crosswalk_qda import draft_codings_crosswalk
from assetinv.instrument import DEFAULT_VERSION, other_version_of
from assetinv.qualitative import validate_codings

ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "tests" / "fixtures" / "v1_sample"
REAL = ROOT / "tests" / "fixtures" / "real_like"


def test_default_is_2_0_0():
    assert DEFAULT_VERSION == "2.0.0" == ai.load_instrument().version


def test_other_version_of_needs_enough_ids_and_picks_the_version_with_most():
    v1 = ai.load_instrument("1.0.0").item_ids()
    assert other_version_of(v1, "2.0.0") == ("1.0.0", v1)
    assert other_version_of(v1[:2], "2.0.0") is None  # two could be typos
    assert other_version_of(ai.load_instrument().item_ids(), "2.0.0") is None  # its own items
    assert other_version_of(["ena-trust"], "2.0.0", kind="codes", minimum=1) == ("1.0.0", ["ENA-TRUST"])


def test_reading_1_0_0_answers_under_2_0_0_is_one_error_naming_the_version():
    with pytest.raises(ai.DataError) as ei:
        ai.read_responses(V1 / "responses.csv")
    probs = ei.value.problems
    assert len(probs) == 1
    assert "items of instrument 1.0.0" in probs[0].message and "2.0.0" in probs[0].message
    assert 'instrument: "1.0.0"' in probs[0].fix and probs[0].column == "EX01"
    assert "did you mean" not in str(ei.value)  # no rename advice to 2.0.0 ids
    ok = ai.read_responses(V1 / "responses.csv", instrument="1.0.0")
    assert ok.attrs["instrument_version"] == "1.0.0" and len(ok) == 557


def test_a_mixed_file_still_gets_per_column_advice():
    import pandas as pd

    d = pd.read_csv(ROOT / "data" / "responses.csv")
    d = d.rename(columns={"EX09": "EX9"})  # a typo, not another version
    f = Path(pytest.importorskip("tempfile").mkdtemp()) / "r.csv"
    d.to_csv(f, index=False)
    with pytest.raises(ai.DataError) as ei:
        ai.read_responses(f)
    assert "did you mean 'EX09'" in str(ei.value) and "instrument 1.0.0" not in str(ei.value)


def test_1_0_0_codes_under_2_0_0_say_so():
    probs = validate_codings(V1 / "codings.csv")
    assert probs and all("code of the instrument 1.0.0 codebook" in p.fix for p in probs)
    assert validate_codings(V1 / "codings.csv", "1.0.0") == []


def test_map_drafts_a_1_0_0_export_against_1_0_0_and_says_so():
    cw = draft_crosswalk(REAL / "exports" / "staff_survey.csv")
    assert cw.instrument == "1.0.0" and "32 items of instrument 1.0.0" in cw.instrument_reason
    text = cw.to_yaml()
    assert 'instrument: "1.0.0"' in text.splitlines()[4]
    items = {p.target for p in cw.columns if p.confident} & set(ai.load_instrument("1.0.0").item_ids())
    assert len(items) == 32
    # told the version, it drafts against it and writes no instrument line
    told = draft_crosswalk(REAL / "exports" / "staff_survey.csv", instrument="1.0.0")
    assert told.instrument == "" and "instrument:" not in told.to_yaml()
    assert [(p.key, p.target) for p in told.columns] == [(p.key, p.target) for p in cw.columns]


def test_map_keeps_the_default_for_a_2_0_0_export():
    cw = draft_crosswalk(ROOT / "data" / "responses.csv")
    assert cw.instrument == "" and "instrument:" not in cw.to_yaml()


def test_codings_draft_names_the_codebook_version():
    d = draft_codings_crosswalk(REAL / "interviews" / "asset_interviews.qdpx")
    assert d.instrument == "1.0.0" and "instrument 1.0.0 codebook" in d.instrument_reason
    assert '# instrument: "1.0.0"' in d.yaml  # commented: the responses draft writes the setting
    told = draft_codings_crosswalk(REAL / "interviews" / "asset_interviews.qdpx", instrument="1.0.0")
    assert told.instrument == "" and told.codes.equals(d.codes)
