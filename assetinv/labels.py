"""Keys for matching what people type to ids: role names, wave names, answer labels.

Matching is case-, space-, hyphen-, underscore- and apostrophe-blind, so "School Leader",
"school_leader" and "schoolleader" name the same role. Used by the readers of survey exports
(:mod:`assetinv.io`) and of codings (:mod:`assetinv.codings_check`); imports nothing of the package.

Examples
--------
>>> from assetinv.labels import _key, _role_map
>>> _key("School Leader") == _key("school_leader") == _key("schoolleader")
True
>>> from assetinv import load_instrument
>>> _role_map(load_instrument())[_key("Assistant Principal")]
'leader'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["ROLE_SYNONYMS"]

#: Role synonyms accepted on top of the instrument's role ids and labels
#: (compared case-, space-, hyphen- and underscore-insensitively).
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "teacher": (
        "teacher",
        "teachers",
        "classroom teacher",
        "teaching staff",
        "educator",
        "faculty",
    ),
    "leader": (
        "leader",
        "school leader",
        "school leadership",
        "principal",
        "assistant principal",
        "vice principal",
        "deputy principal",
        "associate principal",
        "head teacher",
        "headteacher",
        "head of school",
        "school administrator",
        "administrator",
    ),
    "district": (
        "district",
        "district staff",
        "district leader",
        "district office",
        "district administrator",
        "central office",
    ),
}


def _label_key(text: Any) -> str:
    """Label key: case- and whitespace-insensitive, straight apostrophes."""
    s = unicodedata.normalize("NFKC", str(text))
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip().lower()


def _key(text: Any) -> str:
    """Value key for roles and waves: also ignores spaces, hyphens, underscores, dots."""
    return re.sub(r"[\s_\-.'/]+", "", _label_key(text))


def _role_map(inst) -> dict[str, str]:
    roles = dict(inst.roles)
    out: dict[str, str] = {}
    for rid, syns in ROLE_SYNONYMS.items():
        if rid in roles:
            for s in syns:
                out[_key(s)] = rid
    for rid, label in roles.items():
        out[_key(label)] = rid
        out[_key(rid)] = rid
    return out
