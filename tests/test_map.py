"""`assetinv map` / draft_crosswalk: proposals, confidence, YAML that read_config accepts.

The exports in tests/fixtures/exports were written with the instrument 1.0.0 forms, so these tests
run with 1.0.0 as the default (the ``instrument_1_0_0`` fixture, and ``load_instrument("1.0.0")``
where a value is needed outside a test); the crosswalk drafting behaves the same for both versions.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

import assetinv as ai
from assetinv import draft_crosswalk, read_config, read_responses
from assetinv.cli import main
from assetinv.crosswalk import CONFIDENT

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "exports"
TRUTH = json.loads((EXPORTS / "truth.json").read_text(encoding="utf-8"))
ALIAS = {"qualtrics_legacy.csv": {"ResponseID": "V1"}}  # the layout names V1 by its row-2 name
INSTRUMENT = "1.0.0"  # the exports' instrument
ITEMS = set(ai.load_instrument(INSTRUMENT).item_ids())

pytestmark = pytest.mark.usefixtures("instrument_1_0_0")


@pytest.fixture(scope="module")
def drafts():
    # module scope: built before the per-test instrument_1_0_0 fixture, so the version is explicit
    return {name: draft_crosswalk(EXPORTS / name, INSTRUMENT) for name in sorted(TRUTH)}


def _truth_of(name, key):
    return TRUTH[name].get(ALIAS.get(name, {}).get(key, key))


def test_item_columns_proposed_correctly(drafts):
    """>= 95% of item columns get the right item on every export whose question text is English."""
    for name, cw in drafts.items():
        if name == "qualtrics_short_text.csv":
            continue
        truth_items = {c: t for c, t in TRUTH[name].items() if t in ITEMS}
        got = {ALIAS.get(name, {}).get(p.key, p.key): p.target for p in cw.columns}
        right = sum(got.get(c) == t for c, t in truth_items.items())
        assert right / len(truth_items) >= 0.95, (name, right)


def test_no_confident_proposal_is_wrong(drafts):
    wrong = [
        (n, p.key, p.target)
        for n, cw in drafts.items()
        for p in cw.columns
        if p.confident and _truth_of(n, p.key) != p.target
    ]
    assert wrong == []
    # short non-English question text: nothing is matched confidently, nothing accepted silently
    short = drafts["qualtrics_short_text.csv"]
    assert not any(p.confident and p.target in ITEMS for p in short.columns)


def test_one_column_per_item(drafts):
    for cw in drafts.values():
        counts = Counter(p.target for p in cw.columns if p.target is not None)
        assert max(counts.values()) == 1


def test_paraphrased_items_not_wrongly_confident(tmp_path):
    """An instrument without one domain: the export's extra columns are not forced onto other items."""
    raw = ai.load_instrument(INSTRUMENT).to_dict()
    raw["items"] = [i for i in raw["items"] if i["domain"] != "OS"]
    raw["domains"] = [d for d in raw["domains"] if d["id"] != "OS"]
    raw["interview"]["questions"] = [q for q in raw["interview"]["questions"] if q["domain"] != "OS"]
    raw["codebook"] = [c for c in raw["codebook"] if c["group"] != "OS"]
    (tmp_path / "three.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    for name in ("spss.sav", "google_forms.csv", "stata.dta"):
        cw = draft_crosswalk(EXPORTS / name, tmp_path / "three.yaml")
        for p in cw.columns:
            if p.confident:
                assert _truth_of(name, p.key) == p.target, (name, p)


def test_unrelated_statements_are_low_confidence(tmp_path):
    stm = [
        "The cafeteria food is tasty",
        "Parking near the building is easy",
        "The heating works in winter",
        "Our website is easy to use",
        "The library has enough books",
        "Buses arrive on time",
    ]
    rows = [",".join(["Response ID", "School", "Role"] + stm)]
    rows += [
        ",".join([f"r{n}", "S01", "Teacher"] + [str(1 + (n + k) % 5) for k in range(len(stm))])
        for n in range(20)
    ]
    (tmp_path / "x.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    cw = draft_crosswalk(tmp_path / "x.csv")
    assert [p.target for p in cw.columns if p.confident] == ["respondent_id", "school", "role"]
    assert all(p.confidence < CONFIDENT - 0.2 for p in cw.columns if p.target in ITEMS)


def test_values_labels_and_missing_proposals(drafts):
    q = drafts["qualtrics.csv"]
    assert {p.key: p.target for p in q.labels} == {"Somewhat disagree": 2, "Somewhat agree": 4}
    assert {p.key: p.target for p in q.values["role"] if p.confident} == {
        "Principal or AP": "leader",
        "District office staff": "district",
    }
    assert q.distinct["school"] == ["S01", "S02", "S03", "S04"]
    legacy = drafts["qualtrics_legacy.csv"]
    assert all(not p.confident for p in legacy.values["role"])  # numeric codes 1/2/3: only the user knows
    text = q.to_yaml()
    assert "# constants: {wave: baseline}" in text and "LOW CONFIDENCE" not in text.split("values:")[0]


def _use_draft(tmp_path: Path, name: str) -> Path:
    out = tmp_path / f"{name}.yaml"
    assert main(["map", str(EXPORTS / name), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    # the one edit a user must make: say which wave the export is
    out.write_text(
        text.replace("  # constants: {wave: baseline}", "  constants: {wave: baseline}"), encoding="utf-8"
    )
    return out


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in sorted(TRUTH)
        if n not in ("qualtrics_short_text.csv", "qualtrics_legacy.csv", "qualtrics_reworded.csv")
    ],
)
def test_draft_confident_lines_read_and_alpha_equals_native(tmp_path, name):
    cfg = read_config(_use_draft(tmp_path, name))
    df = read_responses(cfg["responses"])
    native = read_responses(EXPORTS / "native.csv")
    inst = ai.load_instrument()
    for dom in inst.domains["id"]:
        a = ai.alpha(df[inst.item_ids(dom)], reverse=inst.reverse_ids(dom), scale_min=1, scale_max=5).total
        b = ai.alpha(
            native[inst.item_ids(dom)], reverse=inst.reverse_ids(dom), scale_min=1, scale_max=5
        ).total
        pd.testing.assert_frame_equal(a, b, rtol=0, atol=1e-12)


def test_map_stdout_and_no_overwrite(tmp_path, capsys):
    assert main(["map", str(EXPORTS / "surveymonkey.csv")]) == 0
    text = capsys.readouterr().out
    assert yaml.safe_load(text)["responses"]["columns"]["Respondent ID"] == "respondent_id"
    out = tmp_path / "cw.yaml"
    out.write_text("mine\n", encoding="utf-8")
    assert main(["map", str(EXPORTS / "surveymonkey.csv"), "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert "--force" in capsys.readouterr().err
    assert main(["map", str(EXPORTS / "surveymonkey.csv"), "--out", str(out), "--force"]) == 0
    assert "responses:" in out.read_text(encoding="utf-8")


def test_draft_is_deterministic():
    a = draft_crosswalk(EXPORTS / "google_forms.csv").to_yaml()
    assert a == draft_crosswalk(EXPORTS / "google_forms.csv").to_yaml()


def test_reworded_items_left_for_the_user_are_named(tmp_path):
    """Hand-reworded items: every proposal is right, the uncertain ones are commented out, and reading
    the confident lines only names exactly those columns as missing items."""
    cw = draft_crosswalk(EXPORTS / "qualtrics_reworded.csv")
    low = sorted(p.target for p in cw.columns if p.target in ITEMS and not p.confident)
    assert low and all(_truth_of("qualtrics_reworded.csv", p.key) == p.target for p in cw.columns)
    cfg = read_config(_use_draft(tmp_path, "qualtrics_reworded.csv"))
    with pytest.raises(ai.DataError) as info:
        read_responses(cfg["responses"])
    missing = [p for p in info.value.problems if "item column(s) missing" in p.message]
    assert missing and all(t in missing[0].message for t in low)


def test_doctests():
    import doctest

    import assetinv.crosswalk as cwmod

    res = doctest.testmod(cwmod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


def test_wave_from_the_file_name(tmp_path):
    import shutil

    for stem, wave in (
        ("staff_followup", "followup"),
        ("Survey Wave 1", "baseline"),
        ("baseline_2024", "baseline"),
    ):
        p = tmp_path / f"{stem}.csv"
        shutil.copy(EXPORTS / "surveymonkey.csv", p)
        (c,) = draft_crosswalk(p).constants
        assert (c.target, c.confident) == (wave, True), stem
    p = tmp_path / "export.csv"
    shutil.copy(EXPORTS / "surveymonkey.csv", p)
    (c,) = draft_crosswalk(p).constants
    assert not c.confident and "no wave column" in c.reason


def test_unedited_draft_of_a_wave_named_export_is_read(tmp_path):
    """An export whose file name names its wave: the draft needs no edit at all."""
    import shutil

    p = tmp_path / "staff_survey_baseline.csv"
    shutil.copy(EXPORTS / "surveymonkey.csv", p)
    out = tmp_path / "study.yaml"
    assert main(["map", str(p), "--out", str(out)]) == 0
    df = read_responses(read_config(out)["responses"])
    native = read_responses(EXPORTS / "native.csv")
    inst = ai.load_instrument()
    a = ai.alpha(df[inst.item_ids("LM")], reverse=inst.reverse_ids("LM"), scale_min=1, scale_max=5).total
    b = ai.alpha(native[inst.item_ids("LM")], reverse=inst.reverse_ids("LM"), scale_min=1, scale_max=5).total
    pd.testing.assert_frame_equal(a, b, rtol=0, atol=1e-12)
