"""Several response scales per instrument (``scales:``), Don't-know options and item ids with '_'."""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from assetinv import DataError, data_quality, load_instrument, read_responses
from assetinv.instrument import Scale

BUNDLED = Path(__file__).resolve().parents[1] / "assetinv" / "data" / "instrument.yaml"

AGREE = {"min": 1, "max": 5,
         "labels": {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
                    4: "Agree", 5: "Strongly agree"},
         "dont_know": {"code": 9, "label": "Don't know / Not applicable"}}
FREQ = {"min": 1, "max": 5,
        "labels": {1: "Never", 2: "Rarely", 3: "Sometimes", 4: "Often", 5: "Almost always"}}


def two_scale_raw() -> dict:
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    del raw["scale"]
    raw = {"version": raw["version"], "name": raw["name"],
           "scales": copy.deepcopy({"agree": AGREE, "frequency": FREQ}),
           **{k: v for k, v in raw.items() if k not in ("version", "name")}}
    for it in raw["items"]:
        if it["domain"] == "OS":
            it["scale"] = "frequency"
    raw["items"][0]["scale"] = "agree"
    return raw


def write(tmp_path: Path, data: dict, name: str = "inst.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def error_of(path: Path) -> DataError:
    with pytest.raises(DataError) as info:
        load_instrument(path)
    return info.value


def test_two_scales_api(tmp_path):
    inst = load_instrument(write(tmp_path, two_scale_raw()))
    assert list(inst.scales) == ["agree", "frequency"]
    assert all(isinstance(s, Scale) for s in inst.scales.values())
    assert inst.item_scale("OS03").id == "frequency" and inst.item_scale("OS03").labels[5] == "Almost always"
    assert inst.item_scale("EX01").id == "agree" and inst.item_scale("LM02").id == "agree"  # default = first
    agree = inst.scales["agree"]
    assert (agree.dont_know_code, agree.dont_know_label) == (9, "Don't know / Not applicable")
    assert inst.scales["frequency"].dont_know_code is None
    # the 1.0.0 attributes are the default (first) scale
    assert (inst.scale_min, inst.scale_max) == (1, 5) and inst.labels[4] == "Agree"
    assert inst.label_to_value("agree") == 4 and inst.label_map["strongly agree"] == 5
    with pytest.raises(KeyError):
        inst.item_scale("ZZ99")


def test_bundled_single_scale_is_the_default_scale():
    inst = load_instrument("1.0.0")  # 1.0.0 has one top-level scale; 2.0.0 has agree + frequency
    assert list(inst.scales) == ["default"]
    assert inst.item_scale("OS08") == inst.scales["default"]
    assert inst.scales["default"].labels == inst.labels
    assert "scale" in inst.to_dict() and "scales" not in inst.to_dict()


def test_two_scales_round_trip(tmp_path):
    inst = load_instrument(write(tmp_path, two_scale_raw()))
    d = inst.to_dict()
    assert "scales" in d and "scale" not in d
    back = load_instrument(write(tmp_path, d, "back.yaml"))
    assert back.to_dict() == d
    assert back.scales == inst.scales and back.item_scales == inst.item_scales


@pytest.mark.parametrize("points", [4, 5, 6, 7])
def test_any_4_to_7_point_scale(tmp_path, points):
    raw = two_scale_raw()
    labels = {k: f"point {k} of {points}" for k in range(1, points + 1)}
    raw["scales"] = {"agree": {"min": 1, "max": points, "labels": labels},
                     "frequency": {"min": 1, "max": points,
                                   "labels": {k: f"often {k}" for k in range(1, points + 1)}}}
    inst = load_instrument(write(tmp_path, raw))
    assert inst.scale_max == points and inst.reverse_value(1) == points


def test_error_scales_with_different_ranges(tmp_path):
    raw = two_scale_raw()
    raw["scales"]["frequency"] = {"min": 1, "max": 4,
                                  "labels": {1: "Never", 2: "Sometimes", 3: "Often", 4: "Always"}}
    err = error_of(write(tmp_path, raw))
    msg = str(err)
    assert "scale 'frequency' runs 1-4 but scale 'agree' runs 1-5" in msg
    assert "must share min and max" in msg and "max: 5" in msg
    assert any(p.column == "scales.frequency" for p in err.problems)


def test_error_unknown_item_scale(tmp_path):
    raw = two_scale_raw()
    raw["items"][3]["scale"] = "agreement"
    err = error_of(write(tmp_path, raw))
    assert any(p.column == "items[3].scale" and "unknown scale 'agreement'" in p.message
               and "agree, frequency" in p.fix for p in err.problems), str(err)


def test_error_item_scale_with_single_scale(tmp_path):
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    raw["items"][0]["scale"] = "agree"
    err = error_of(write(tmp_path, raw))
    assert any(p.column == "items[0].scale" and "single top-level 'scale'" in p.message
               for p in err.problems), str(err)


def test_error_both_scale_and_scales(tmp_path):
    raw = two_scale_raw()
    raw["scale"] = FREQ
    assert "both 'scale' and 'scales'" in str(error_of(write(tmp_path, raw)))


@pytest.mark.parametrize("dk, words", [
    ({"code": 3, "label": "Don't know"}, "is a point of the scale 1-5"),
    ({"code": "x", "label": "Don't know"}, "whole-number 'code'"),
    ({"code": 9}, "needs a text 'label'"),
    ({"code": 9, "label": "agree"}, "is also a scale label"),
])
def test_error_bad_dont_know(tmp_path, dk, words):
    raw = two_scale_raw()
    raw["scales"]["agree"]["dont_know"] = dk
    err = error_of(write(tmp_path, raw))
    assert words in str(err) and any("scales.agree.dont_know" in (p.column or "") for p in err.problems)


def test_item_ids_may_contain_underscore(tmp_path):
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    raw["items"][0]["id"] = "Q1_1"
    inst = load_instrument(write(tmp_path, raw))
    assert "Q1_1" in inst.item_ids("EX")
    raw["items"][1]["id"] = "Q11"  # collides with Q1_1 once '_' is ignored in column names
    err = error_of(write(tmp_path, raw, "clash.yaml"))
    assert "only in '_'" in str(err)


def test_read_responses_per_item_scale_and_dont_know(tmp_path):
    inst = load_instrument(write(tmp_path, two_scale_raw()))
    items = inst.item_ids()
    head = "respondent_id,school,district,role,wave," + ",".join(items)

    def answers(agree: str, freq: str) -> str:
        return ",".join(freq if i.startswith("OS") else agree for i in items)

    rows = [f"r1,S01,D1,teacher,baseline,{answers('Agree', 'Often')}",
            f"r2,S01,D1,teacher,baseline,{answers('9', 'almost ALWAYS')}",
            f"r3,S01,D1,teacher,baseline,{answers(chr(39).join(['Don', 't know / not applicable']), '2')}"]
    (tmp_path / "r.csv").write_text("\n".join([head] + rows) + "\n")
    df = read_responses(tmp_path / "r.csv", inst)
    assert df["EX01"].tolist()[0] == 4 and df["OS01"].tolist() == [4.0, 5.0, 2.0]
    assert np.isnan(df.loc[1, "EX01"]) and np.isnan(df.loc[2, "CN05"])
    n_agree = len([i for i in items if not i.startswith("OS")])
    assert df["n_dont_know"].tolist() == [0, n_agree, n_agree]
    assert str(df["n_dont_know"].dtype) == "int64"
    dq = data_quality(df)
    assert dq.loc[dq["stage"] == "dont_know", "rows"].tolist() == [2 * n_agree]
    # read = used + excluded still holds
    assert dq.loc[dq.stage == "read", "rows"].sum() == dq.loc[dq.stage.isin(["used", "excluded"]), "rows"].sum()


def test_frequency_label_is_not_an_agree_answer(tmp_path):
    inst = load_instrument(write(tmp_path, two_scale_raw()))
    items = inst.item_ids()
    head = "respondent_id,school,district,role,wave," + ",".join(items)
    vals = ["Often" if i == "EX02" else "3" for i in items]  # 'Often' is not on EX02's agree scale
    (tmp_path / "r.csv").write_text(head + "\nr1,S01,D1,teacher,baseline," + ",".join(vals) + "\n")
    with pytest.raises(DataError) as info:
        read_responses(tmp_path / "r.csv", inst)
    assert any(p.column == "EX02" and "'Often'" in p.message for p in info.value.problems)


def test_no_dont_know_column_without_dont_know_option():
    # 1.0.0 has no Don't-know option: its data (the former sample) get no n_dont_know column
    v1 = Path(__file__).resolve().parent / "fixtures" / "v1_sample" / "responses.csv"
    df = read_responses(v1, instrument=load_instrument("1.0.0"))
    assert "n_dont_know" not in df.columns
