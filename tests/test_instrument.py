"""Tests for instrument 1.0.0 (still bundled, no longer the default) and for load_instrument's validation.

The content tests pin ``load_instrument("1.0.0")``: they describe that file. 2.0.0, the default since
the switch, is tested in ``test_instrument_v2.py``.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from assetinv import DataError, load_instrument
from assetinv.instrument import Instrument

SEEDS = Path("/work/shared/seeds")
BUNDLED = Path(__file__).resolve().parents[1] / "assetinv" / "data" / "instrument.yaml"


@pytest.fixture(scope="module")
def inst() -> Instrument:
    return load_instrument("1.0.0")


@pytest.fixture()
def raw() -> dict:
    """The bundled file as plain data, to be broken by individual tests."""
    return yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "bad_instrument.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def expect_error(path: Path, key: str, words: str) -> DataError:
    """Loading ``path`` fails; the message names the file, the key path, says a fix."""
    with pytest.raises(DataError) as info:
        load_instrument(path)
    err = info.value
    msg = str(err)
    assert path.name in msg, msg
    assert key in msg, msg
    assert words.lower() in msg.lower(), msg
    assert "Fix:" in msg, msg
    hits = [p for p in err.problems if p.column and key in p.column]
    assert hits, [p.column for p in err.problems]
    assert all(p.fix.strip() for p in err.problems)
    assert all(Path(p.file).name == path.name for p in err.problems)
    return err


# ----------------------------------------------------------- bundled content
def test_version_and_name(inst):
    assert isinstance(inst.version, str) and re.fullmatch(r"\d+\.\d+\.\d+", inst.version)
    assert inst.version == "1.0.0"
    assert inst.name == "Asset Inventory"
    assert len(inst.sha256) == 64 and inst.source.endswith("instrument.yaml")


def test_four_domains_in_order(inst):
    assert list(inst.domains["id"]) == ["EX", "LM", "CN", "OS"]
    assert list(inst.domains.columns) == ["id", "name", "short", "definition"]
    assert inst.domain_name("EX") == "Expertise in the system"
    assert inst.domain_name("CN", short=True) == "Professional norms"
    for definition in inst.domains["definition"]:
        assert len(definition.split()) >= 25  # a real paragraph


def test_eight_items_per_domain(inst):
    counts = inst.items.groupby("domain").size()
    assert set(counts.index) == {"EX", "LM", "CN", "OS"}
    assert all(6 <= n <= 10 for n in counts)
    assert all(counts == 8)
    for d in ["EX", "LM", "CN", "OS"]:
        assert inst.item_ids(d) == [f"{d}{k:02d}" for k in range(1, 9)]
    assert len(inst.item_ids()) == 32
    assert inst.items["id"].is_unique


def test_reverse_items(inst):
    for d in ["EX", "LM", "CN", "OS"]:
        assert len(inst.reverse_ids(d)) >= 1
        assert inst.reverse_ids(d) == [f"{d}04", f"{d}07"]
    assert inst.items["reverse"].dtype == bool
    assert inst.reverse_value(1) == 5 and inst.reverse_value(3) == 3


def test_item_roles(inst):
    roles = set(inst.roles)
    assert roles == {"teacher", "leader", "district"}
    for r in inst.items["roles"]:
        assert isinstance(r, tuple) and r and set(r) <= roles
        assert "teacher" in r and "leader" in r
    for d in ["EX", "LM", "CN", "OS"]:
        assert len(inst.item_ids(d, role="district")) >= 6
        assert len(inst.item_ids(d, role="teacher")) == 8


def test_items_have_text(inst):
    for text in inst.items["text"]:
        assert isinstance(text, str) and 6 <= len(text.split()) <= 25


def test_domain_of(inst):
    assert inst.domain_of("LM04") == "LM"
    with pytest.raises(KeyError):
        inst.domain_of("ZZ01")
    with pytest.raises(KeyError):
        inst.item_ids("ZZ")


def test_scale_and_labels(inst):
    assert (inst.scale_min, inst.scale_max) == (1, 5)
    assert inst.labels == {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Neither agree nor disagree",
        4: "Agree",
        5: "Strongly agree",
    }
    assert inst.waves == {"baseline": "Baseline", "followup": "Follow-up"}
    assert list(inst.waves) == ["baseline", "followup"]


@pytest.mark.parametrize(
    "label,value",
    [
        ("Strongly disagree", 1),
        ("strongly disagree", 1),
        ("  DISAGREE ", 2),
        ("neither  agree nor\tdisagree", 3),
        ("Agree", 4),
        ("STRONGLY AGREE", 5),
        ("4", 4),
        (" 2.0 ", 2),
        (5, 5),
    ],
)
def test_label_to_value(inst, label, value):
    assert inst.label_to_value(label) == value


@pytest.mark.parametrize("label", ["Somewhat agree", "", "6", "0", "2.5"])
def test_label_to_value_rejects(inst, label):
    with pytest.raises(ValueError, match="Strongly agree"):
        inst.label_to_value(label)


def test_label_map_vectorised(inst):
    s = pd.Series(["Agree", " strongly  disagree", "nonsense"])
    out = s.str.split().str.join(" ").str.casefold().map(inst.label_map)
    assert out.iloc[0] == 4 and out.iloc[1] == 1 and pd.isna(out.iloc[2])


def test_codebook_complete(inst):
    cb = inst.codebook
    assert list(cb.columns) == [
        "id",
        "group",
        "name",
        "definition",
        "use_when",
        "do_not_use_when",
        "example",
        "domain",
        "valence",
        "negative_example",
    ]
    assert cb["id"].is_unique
    for col in cb.columns[:7]:
        assert all(isinstance(v, str) and v.strip() for v in cb[col]), col
    # 1.0.0 has no domain ties for cross-cutting codes, no valence and no negative examples:
    # the defaults are the group (topic codes) or "", and "either" (no guess)
    topic = cb["group"].isin(["EX", "LM", "CN", "OS"])
    assert (cb.loc[topic, "domain"] == cb.loc[topic, "group"]).all() and (
        cb.loc[~topic, "domain"] == ""
    ).all()
    assert (cb["valence"] == "either").all()
    assert (cb["negative_example"] == "").all()
    for code in cb["id"]:
        assert re.fullmatch(r"[A-Z0-9-]+", code)
    counts = cb.groupby("group").size()
    for d in ["EX", "LM", "CN", "OS"]:
        assert 4 <= counts[d] <= 5
    assert 4 <= counts["BARRIER"] <= 6
    assert 3 <= counts["ENABLER"] <= 5
    assert set(counts.index) == {"EX", "LM", "CN", "OS", "BARRIER", "ENABLER"}


def test_codebook_cross_references_exist(inst):
    """Every 'use X' pointer in do_not_use_when names a real code."""
    ids = set(inst.codebook["id"])
    for text in inst.codebook["do_not_use_when"]:
        for ref in re.findall(r"use ([A-Z]{2,3}-[A-Z]+)", text):
            assert ref in ids, ref


def test_interview(inst):
    iv = inst.interview
    assert iv["opening"].strip() and iv["closing"].strip()
    qs = pd.DataFrame(iv["questions"])
    assert qs["id"].is_unique
    for d, grp in qs.groupby("domain"):
        assert 3 <= len(grp) <= 5, d
        assert list(grp["id"]) == [f"{d}-Q{k}" for k in range(1, len(grp) + 1)]
    assert set(qs["domain"]) == {"EX", "LM", "CN", "OS"}
    for probes in qs["probes"]:
        assert 2 <= len(probes) <= 3 and all(p.strip() for p in probes)


def test_tables_and_round_trip(inst, tmp_path):
    t = inst.to_codebook_table()
    assert list(t.columns[:2]) == ["group", "group_name"] and len(t) == len(inst.codebook)
    assert list(inst.to_item_table()["domain_name"].unique()) == list(inst.domains["short"])
    p = write(tmp_path, inst.to_dict(), "roundtrip.yaml")
    back = load_instrument(p)
    assert back.version == inst.version and back.labels == inst.labels
    pd.testing.assert_frame_equal(back.items, inst.items)
    pd.testing.assert_frame_equal(back.codebook, inst.codebook)
    pd.testing.assert_frame_equal(back.domains, inst.domains)
    assert back.interview == inst.interview


def test_copies_are_independent_and_cache_follows_edits(tmp_path, raw):
    a = load_instrument("1.0.0")
    a.items.loc[0, "text"] = "changed"
    a.labels[1] = "changed"
    b = load_instrument("1.0.0")
    assert b.items.loc[0, "text"] != "changed" and b.labels[1] == "Strongly disagree"
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.version = "9"  # frozen
    p = write(tmp_path, raw, "mine.yaml")
    assert load_instrument(p).version == "1.0.0"
    raw["version"] = "1.1.0"
    write(tmp_path, raw, "mine.yaml")
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000_000))
    assert load_instrument(str(p)).version == "1.1.0"


def test_item_order_independent_of_file_order(tmp_path, raw):
    raw["items"] = list(reversed(raw["items"]))
    raw["codebook"] = list(reversed(raw["codebook"]))
    got = load_instrument(write(tmp_path, raw, "shuffled.yaml"))
    base = load_instrument("1.0.0")
    pd.testing.assert_frame_equal(got.items, base.items)
    pd.testing.assert_frame_equal(got.codebook, base.codebook)


# ------------------------------------------------------------------ validation
def test_error_missing_top_level_key(tmp_path, raw):
    del raw["codebook"]
    expect_error(write(tmp_path, raw), "codebook", "missing")


def test_error_missing_item_key(tmp_path, raw):
    del raw["items"][5]["text"]
    err = expect_error(write(tmp_path, raw), "items[5]", "missing the required key 'text'")
    assert err.problems[0].row is not None  # the line in the YAML file


def test_error_missing_code_field(tmp_path, raw):
    raw["codebook"][2]["use_when"] = "  "
    expect_error(write(tmp_path, raw), "codebook[2].use_when", "empty")


def test_error_duplicate_item_id(tmp_path, raw):
    raw["items"][1]["id"] = "EX01"
    expect_error(write(tmp_path, raw), "items[1].id", "duplicate item id 'EX01'")


def test_error_duplicate_code_id(tmp_path, raw):
    raw["codebook"][1]["id"] = raw["codebook"][0]["id"]
    expect_error(write(tmp_path, raw), "codebook[1].id", "duplicate code id")


def test_error_duplicate_domain_id(tmp_path, raw):
    raw["domains"][1]["id"] = "EX"
    expect_error(write(tmp_path, raw), "domains[1].id", "duplicate domain id")


def test_error_unknown_domain(tmp_path, raw):
    raw["items"][3]["domain"] = "XX"
    expect_error(write(tmp_path, raw), "items[3].domain", "unknown domain 'XX'")


def test_error_unknown_role(tmp_path, raw):
    raw["items"][0]["roles"] = ["teacher", "parent"]
    expect_error(write(tmp_path, raw), "items[0].roles[1]", "unknown role 'parent'")


def test_error_scale_min_not_below_max(tmp_path, raw):
    raw["scale"]["min"] = 5
    expect_error(write(tmp_path, raw), "scale.min", "must be smaller than max")


def test_error_missing_label(tmp_path, raw):
    del raw["scale"]["labels"][3]
    expect_error(write(tmp_path, raw), "scale.labels", "scale point 3 has no label")


def test_error_unknown_code_group(tmp_path, raw):
    raw["codebook"][0]["group"] = "MISC"
    expect_error(write(tmp_path, raw), "codebook[0].group", "unknown group 'MISC'")


def test_error_domain_with_too_few_items(tmp_path, raw):
    raw["items"] = [it for it in raw["items"] if it["domain"] != "OS" or it["id"] == "OS01"]
    expect_error(write(tmp_path, raw), "domains[3]", "domain 'OS' has 1 item")


def test_error_bad_id_characters(tmp_path, raw):
    raw["items"][2]["id"] = "ex 03"
    raw["codebook"][4]["id"] = "EX_hidden!"
    err = expect_error(write(tmp_path, raw), "items[2].id", "not allowed")
    assert any(p.column == "codebook[4].id" for p in err.problems)


def test_error_bad_role_id(tmp_path, raw):
    raw["roles"]["Head Teacher"] = "Head"
    expect_error(write(tmp_path, raw), "roles.Head Teacher", "not allowed")


def test_error_unquoted_version(tmp_path, raw):
    raw["version"] = 1.0
    expect_error(write(tmp_path, raw), "version", "quoted string")


def test_error_reverse_not_boolean(tmp_path, raw):
    raw["items"][6]["reverse"] = "yes please"
    expect_error(write(tmp_path, raw), "items[6].reverse", "true or false")


def test_error_unknown_key_typo(tmp_path, raw):
    raw["items"][0]["revers"] = True
    expect_error(write(tmp_path, raw), "items[0].revers", "unknown key")


def test_error_interview_question_domain(tmp_path, raw):
    raw["interview"]["questions"][0]["domain"] = "QQ"
    expect_error(write(tmp_path, raw), "interview.questions[0].domain", "unknown domain")


def test_all_problems_reported_at_once(tmp_path, raw):
    raw["scale"]["min"] = 7
    raw["items"][0]["domain"] = "XX"
    raw["codebook"][0]["group"] = "MISC"
    with pytest.raises(DataError) as info:
        load_instrument(write(tmp_path, raw))
    cols = {p.column for p in info.value.problems}
    assert {"scale.min", "items[0].domain", "codebook[0].group"} <= cols
    assert str(info.value).startswith(f"{len(info.value.problems)} problems found")


def test_error_invalid_yaml(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text('version: "1.0.0"\nitems:\n  - id: EX01\n   text: oops\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_instrument(p)
    msg = str(info.value)
    assert "broken.yaml" in msg and "not valid YAML" in msg and "Fix:" in msg
    assert info.value.problems[0].row is not None


def test_error_not_a_mapping(tmp_path):
    p = tmp_path / "list.yaml"
    p.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(DataError, match="list.yaml.*mapping"):
        load_instrument(p)


def test_error_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found.*Fix:"):
        load_instrument(tmp_path / "nope.yaml")


def test_error_line_numbers_point_at_the_key(tmp_path, raw):
    raw2 = copy.deepcopy(raw)
    raw2["codebook"][0]["group"] = "MISC"
    p = write(tmp_path, raw2)
    lines = p.read_text(encoding="utf-8").splitlines()
    with pytest.raises(DataError) as info:
        load_instrument(p)
    row = info.value.problems[0].row
    assert "MISC" in lines[row - 1]


# -------------------------------------------------------------- own words
def _strings(obj) -> list[str]:
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return [obj] if isinstance(obj, str) else []


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower())
    return " ".join(text.split())


OWN_WORDS_FILES = ["instrument.yaml", "instrument-2.0.0.yaml", "playbook.yaml", "playbook-2.0.0.yaml"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available on this machine")
@pytest.mark.parametrize("name", OWN_WORDS_FILES)
def test_no_sentence_copied_from_seeds(name):
    raw = yaml.safe_load((BUNDLED.parent / name).read_text(encoding="utf-8"))
    # a citation may give a source's title verbatim; everything else is in our own words
    if "sources" in raw:
        raw["sources"] = [
            {k: v for k, v in src.items() if k != "title"} for src in raw["sources"] if isinstance(src, dict)
        ]
    seeds = (
        " "
        + " ".join(
            _norm(p.read_text(encoding="utf-8", errors="replace")) for p in sorted(SEEDS.glob("*.txt"))
        )
        + " "
    )
    assert len(seeds) > 10_000
    copied = []
    for s in _strings(raw):
        # whole strings and each sentence of 8+ words must not appear verbatim
        parts = [s] + re.split(r"(?<=[.!?;:])\s+", s)
        for part in parts:
            words = _norm(part).split()
            if len(words) >= 8 and f" {' '.join(words)} " in seeds:
                copied.append(part)
        # stricter: no run of 8 consecutive words either
        words = _norm(s).split()
        for i in range(len(words) - 7):
            run = " ".join(words[i : i + 8])
            if f" {run} " in seeds:
                copied.append(run)
    assert not copied, copied


def test_libyaml_parse_equals_pyyaml_and_errors_keep_pyyaml_messages():
    """``_safe_load`` (libyaml when present) gives what ``yaml.safe_load`` gives, file by file."""
    from assetinv.instrument import _safe_load

    data = Path(load_instrument.__code__.co_filename).parent / "data"
    files = sorted(data.glob("*.yaml"))
    assert len(files) >= 4
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert _safe_load(text) == yaml.safe_load(text), f.name
    bad = "version: 1\nitems:\n  - {id: EX01, text: 'unclosed\n"
    with pytest.raises(yaml.YAMLError) as got:
        _safe_load(bad)
    with pytest.raises(yaml.YAMLError) as want:
        yaml.safe_load(bad)
    assert str(got.value) == str(want.value)
