"""Recall and precision of :func:`assetinv.redact` on a labelled transcript corpus (issue 12).

Recall: an entity counts as removed when none of its word or digit parts (2+ characters) is left.
Precision: words removed from the text that belong to an entity, over all words removed (a title
removed together with its name, "Ms." in "Ms. Okafor", is counted neither way). The numbers are
printed with ``-s`` and quoted in docs/privacy.md.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from _support import all_output_text
from redaction_corpus import HELDOUT_NEGATIVE, HELDOUT_POSITIVE, IDS, NAMES, NEGATIVE, POSITIVE

from assetinv import redact
from assetinv.redaction import read_redact_names

TITLES = {
    "ms",
    "mr",
    "mrs",
    "mx",
    "miss",
    "dr",
    "prof",
    "principal",
    "coach",
    "superintendent",
    "dean",
    "counselor",
    "director",
}


def _toks(s: str) -> list[str]:
    return re.findall(r"[^\W_]+", s)


def _gone(entity: str, out: str) -> bool:
    parts = [t for t in _toks(entity) if len(t) >= 2]
    return all(not re.search(rf"(?<![^\W_]){re.escape(p)}(?![^\W_])", out) for p in parts)


def _kind(entity: str) -> str:
    if "@" in entity and not entity.startswith("@"):
        return "email"
    if entity.startswith("@"):
        return "handle"
    if "://" in entity or entity.startswith("www."):
        return "url"
    if entity in IDS:
        return "id"
    if re.search(r"\d", entity):
        return "phone"
    return "name"


def score(positive, negative):
    found: Counter = Counter()
    total: Counter = Counter()
    misses = []
    tp = fp = 0
    for text, ents in positive:
        out = redact(text, names=NAMES, ids=IDS)
        for e in ents:
            total[_kind(e)] += 1
            if _gone(e, out):
                found[_kind(e)] += 1
            else:
                misses.append((text, e, out))
        ent = Counter(t for e in ents for t in _toks(e))
        removed = Counter(t for t in _toks(text) if t.lower() not in TITLES) - Counter(_toks(out))
        for t, n in removed.items():
            k = min(n, ent[t])
            tp, fp = tp + k, fp + n - k
    changed = []
    for text in negative:
        out = redact(text, names=NAMES, ids=IDS)
        removed = Counter(_toks(text)) - Counter(_toks(out))
        if removed:
            changed.append((text, out))
            fp += sum(removed.values())
    recall = {k: found[k] / total[k] for k in total}
    names_phones = (found["name"] + found["phone"]) / (total["name"] + total["phone"])
    all_recall = sum(found.values()) / sum(total.values())
    return {
        "recall": recall,
        "names_phones": names_phones,
        "all": all_recall,
        "total": dict(total),
        "precision": tp / (tp + fp),
        "misses": misses,
        "negatives_changed": changed,
    }


def test_corpus_size():
    assert len(POSITIVE) >= 100 and len(NEGATIVE) >= 50
    assert sum(len(e) for _, e in POSITIVE) >= 140


def test_design_corpus_recall_and_precision():
    s = score(POSITIVE, NEGATIVE)
    print(
        "\ndesign corpus:",
        {k: round(v, 3) for k, v in s["recall"].items()},
        "names+phones",
        round(s["names_phones"], 3),
        "precision",
        round(s["precision"], 3),
        s["total"],
    )
    assert s["recall"]["name"] >= 0.95 and s["recall"]["phone"] >= 0.95, s["misses"]
    assert s["all"] >= 0.95, s["misses"]
    assert s["precision"] >= 0.95
    assert len(s["negatives_changed"]) <= 0.05 * len(NEGATIVE), s["negatives_changed"]


def test_second_batch_recall_and_precision():
    """Batch 2 was written after the rules were fixed (see redaction_corpus.py and docs/privacy.md)."""
    s = score(HELDOUT_POSITIVE, HELDOUT_NEGATIVE)
    print(
        "\nbatch 2:",
        {k: round(v, 3) for k, v in s["recall"].items()},
        "names+phones",
        round(s["names_phones"], 3),
        "precision",
        round(s["precision"], 3),
        s["total"],
        s["misses"],
    )
    assert s["names_phones"] >= 0.95, s["misses"]
    assert s["precision"] >= 0.9


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Ms. García came.", "[name] came."),
        ("Dr.Okafor, mr. smith and MS. SMITH", "[name], [name] and [name]"),
        ("José Hernández, María José García, Zoë Brontë", "[name], [name], [name]"),
        ("our principal, Okafor, said so", "our principal, [name], said so"),
        ("ping @jsmith or https://x.example.org/a", "ping [handle] or [url]"),
        ("+44 20 7946 0958 / 07700 900123 / +33 1 42 68 53 00", "[phone] / [phone] / [phone]"),
        (
            "We did Algebra in March with the Dr. and Science.",
            "We did Algebra in March with the Dr. and Science.",
        ),
        ("MS Science Fair", "MS Science Fair"),
        ("In 2019 we had 1200 students in 2023-24.", "In 2019 we had 1200 students in 2023-24."),
    ],
)
def test_issue_12_examples(text, expected):
    assert redact(text) == expected


def test_ids_and_names_file(tmp_path):
    assert redact("as R0457 said", ids=["R0457", "12"]) == "as [id] said"
    assert redact("12 teachers", ids=["12"]) == "12 teachers"  # a short id is not searched for
    p = tmp_path / "names.csv"
    p.write_text("name,role\nDevon Price,teacher\nAoife Byrne,leader\n", encoding="utf-8")
    names = read_redact_names(p)
    assert names == ["Devon Price", "Aoife Byrne"]
    assert redact("Devon and aoife byrne met.", names=names) == "[name] and [name] met."
    assert redact("We will price it", names=names) == "We will price it"  # parts only when capitalised


def test_report_uses_redact_names_and_respondent_ids(tmp_path):
    """End to end: a names list in study.yaml and the data's respondent ids never reach any output."""

    import pandas as pd

    from assetinv.cli import main
    from assetinv.simulate import write_sample

    d = tmp_path / "data"
    # two teachers and two leaders interviewed per school: quotes are published only where no role group has a
    # single interviewee (issue 12, interview privacy), so 6 interviews (one of each per school) would publish none
    write_sample(
        d, seed=13, n_schools=3, n_districts=1, respondents_per_school=8, waves=("baseline",), n_interviews=12
    )
    rid = str(pd.read_csv(d / "responses.csv", dtype=str)["respondent_id"].iloc[0])
    cod = pd.read_csv(d / "codings.csv", dtype=str, keep_default_na=False)
    first = {e: i for i, e in enumerate(sorted(cod["excerpt_id"].unique()))}
    plant = f"Quillon is amazing, and {rid} agreed. "
    cod["text"] = [plant + t if first[e] % 2 == 0 else t for e, t in zip(cod["excerpt_id"], cod["text"])]
    cod.to_csv(d / "codings.csv", index=False)
    (d / "names.txt").write_text("# staff names\nQuillon Ashdown-Frey\n", encoding="utf-8")
    with open(d / "study.yaml", "a", encoding="utf-8") as fh:
        fh.write("redact_names: names.txt\n")
    out = tmp_path / "reports"
    assert main(["report", "--data", str(d), "--out", str(out), "--quiet"]) == 0
    quotes = (out / "tables" / "quotes.csv").read_text(encoding="utf-8")
    assert "[name] is amazing" in quotes and "[id] agreed" in quotes  # the planted text was published
    text = all_output_text(out)
    assert "Quillon" not in text and rid not in text


def _score_with(positive, negative, names):
    import test_redaction_corpus as me

    orig = me.redact
    me.redact = lambda text, names=None, ids=None: orig(text, names=_names, ids=IDS)
    _names = names
    try:
        return score(positive, negative)
    finally:
        me.redact = orig


def test_heldout_batches_3_and_4():
    """Batches 3 and 4 (tests/redaction_corpus_heldout.py) are independent of the rules' design set.

    Batch 3 was measured once before the rules it prompted (speaker labels, possessives, the given-name
    lexicon; 74% of names and phones then); batch 4 was written after those changes and measured once.
    Without any names list: names and phones together >= 95%, precision >= 90% (docs/privacy.md).
    """
    from redaction_corpus_heldout import (
        BATCH3_NAMES,
        BATCH3_NEGATIVE,
        BATCH3_POSITIVE,
        BATCH4_NEGATIVE,
        BATCH4_POSITIVE,
    )

    pos, neg = BATCH3_POSITIVE + BATCH4_POSITIVE, BATCH3_NEGATIVE + BATCH4_NEGATIVE
    s = _score_with(pos, neg, None)
    n_ent = s["total"]["name"] + s["total"]["phone"]
    print(
        "\nbatches 3+4:",
        {k: round(v, 3) for k, v in s["recall"].items()},
        "names+phones",
        round(s["names_phones"], 3),
        "precision",
        round(s["precision"], 3),
        s["total"],
        "negatives changed",
        len(s["negatives_changed"]),
        "of",
        len(neg),
    )
    assert n_ent >= 150 and len(neg) >= 50
    assert s["names_phones"] >= 0.95, s["misses"]
    assert s["recall"]["phone"] == 1.0, s["misses"]
    assert s["precision"] >= 0.90, s["negatives_changed"]
    b4 = _score_with(BATCH4_POSITIVE, BATCH4_NEGATIVE, None)
    print("batch 4 alone:", round(b4["names_phones"], 3), "precision", round(b4["precision"], 3))
    assert b4["names_phones"] >= 0.9
    # with the study's staff list (redact_names) the lone first names are caught too
    s2 = _score_with(BATCH3_POSITIVE, BATCH3_NEGATIVE, BATCH3_NAMES)
    assert s2["names_phones"] >= 0.97 and s2["precision"] >= 0.90, s2["misses"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("DANA: No. INTERVIEWER: Okay.", "[name]: No. INTERVIEWER: Okay."),
        ("P3: Mostly Deb.", "P3: Mostly [name]."),
        ("We use Deborah's pacing guide.", "We use [name]'s pacing guide."),
        ("We spend two weeks on Newton's laws.", "We spend two weeks on Newton's laws."),
        ("Can you say more? May is busy.", "Can you say more? May is busy."),
        ("honestly dr lee was there", "honestly [name] was there"),
        ("We took them to the Franklin Institute.", "We took them to the Franklin Institute."),
    ],
)
def test_batch3_rules(text, expected):
    assert redact(text) == expected


def test_names_list_part_not_inside_a_hyphenated_name():
    assert redact("Ms Pritchard-Evans came.", names=["Owen Pritchard"]) == "[name] came."
    assert redact("Pritchard's lab", names=["Owen Pritchard"]) == "[name]'s lab"
