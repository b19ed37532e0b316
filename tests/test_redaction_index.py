"""The respondent-id index of ``redaction`` finds every id the full alternation finds.

``redaction._IdIndex`` looks a quote's word spans up in a set and builds the pattern from the ids it
finds, so that a network of 100,000 ids does not put 100,000 alternatives in every quote's pattern.
These tests check it against the full pattern over every id, including the characters that
``re.IGNORECASE`` matches across scripts (dotted and dotless i, long s, the Kelvin sign).
"""

from __future__ import annotations

import random
import re

from assetinv import redaction as R

IDS = [
    "R5E88B",
    "T-0012",
    "ab.cd",
    "SKI-42",
    "is001",
    "_x99",
    "#4471",
    "NAME",  # a placeholder word: never an id
    "12",  # too short
    "123456",
    "Q7-2-9",
    "ñandu12",
]


def _full(text: str, ids) -> str:
    terms = {str(t).strip() for t in ids if R._id_ok(str(t).strip())}
    pat = R._alternation(tuple(sorted(t for t in terms if t.lower() not in R._PLACEHOLDERS)), re.I, True)
    return pat.sub("[id]", text) if pat is not None else text


TEXTS = [
    "P3 [R5E88B]: we met, r5e88b and t-0012 too.",
    "ſki-42 and SKI-42's notes; xSKI-42 no; SKI-42x no",
    "ıs001 İS001 is001- is001-a T-0012-b",
    "ab.cd. ab.cde abXcd #4471 x#4471 (#4471)",
    "Q7-2-9 q7-2-9-1 Q7-2 ÑANDU12 ñandu12",
    "the name is 12 and 123456 or 1234567",
    "\u212ai-42 SK\u0130-42",
]


def test_index_matches_the_full_alternation_on_tricky_text():
    ids = tuple(IDS)
    for text in TEXTS:
        assert R._known_terms(text, None, ids) == _full(text, ids), text
        assert R._known_terms(text, None, list(IDS)) == _full(text, ids), text


def test_index_matches_the_full_alternation_on_random_text():
    rng = random.Random(7)
    alphabet = list("abcdeiksrtxyz0123456789-._#[] '’") + ["ſ", "ı", "İ", "\u212a", "ñ", "ß"]
    ids = tuple(IDS)
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.5:
                t = rng.choice(IDS)
                parts.append(t.upper() if rng.random() < 0.3 else t)
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))))
        text = rng.choice(["", " ", "-", "[", "'"]).join(parts)
        assert R._known_terms(text, None, ids) == _full(text, ids), repr(text)


def test_index_is_rebuilt_for_a_new_tuple_and_never_for_a_mutated_list():
    ids = ["R5E88B"]
    assert R._known_terms("R5E88B T-0012", None, ids) == "[id] T-0012"
    ids.append("T-0012")  # a list may change between calls: it is indexed anew each time
    assert R._known_terms("R5E88B T-0012", None, ids) == "[id] [id]"
    assert R._known_terms("R5E88B T-0012", None, ("T-0012",)) == "R5E88B [id]"
