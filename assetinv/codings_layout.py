"""The codings layout and how its problems are reported (shared by the codings readers).

Holds the column layout of the tidy codings table, the cell cleaning every reader uses, and
:func:`_group_problems`, which turns the faults found row by row into one
:class:`~assetinv.errors.Problem` per distinct fault with its count and first places.

Examples
--------
>>> from assetinv.codings_layout import CODING_COLUMNS, _s
>>> CODING_COLUMNS[:3]
['excerpt_id', 'interview_id', 'school']
>>> _s("  EX-SHARE "), _s(float("nan"))
('EX-SHARE', '')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem

__all__ = ["CODING_COLUMNS", "NO_CODE"]

CODING_COLUMNS = ["excerpt_id", "interview_id", "school", "role", "coder", "code", "text"]
NO_CODE = "NO-CODE"

_VALENCE_WORDS = {
    "strength": "strength",
    "s": "strength",
    "+": "strength",
    "asset": "strength",
    "barrier": "barrier",
    "b": "barrier",
    "-": "barrier",
}

_TRUE = {"true", "t", "yes", "y", "1", "x", "exemplary"}
_FALSE = {"false", "f", "no", "n", "0", ""}


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    try:
        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    return str(v).strip() == ""


def _s(v) -> str:
    return "" if _blank(v) else str(v).strip()


def _sort_codings(df: pd.DataFrame) -> pd.DataFrame:
    out = df.sort_values(["interview_id", "excerpt_id", "coder", "code"], kind="mergesort")
    return out.reset_index(drop=True)


MAX_CODE_LINES = 20  # unknown-code lines listed before the rest are summed up in one line


@dataclass(frozen=True)
class _Found:
    """One fault at one place, before grouping."""

    place: object  # spreadsheet row (int) or a location label (QDA source and selection)
    column: str | None
    message: str  # the message when the fault occurs once
    fix: str
    group: str  # the message when it occurs several times (without per-place details)
    detail: str | None = None


def _place(f: _Found) -> str:
    where = f"row {f.place}" if isinstance(f.place, (int, np.integer)) else str(f.place)
    return f"{where} ({f.detail})" if f.detail else where


def _group_problems(found: Sequence[_Found], file: str) -> list[Problem]:
    """One problem per distinct fault: its count, the first three places, then '... and N more'.

    Unknown codes beyond the :data:`MAX_CODE_LINES` most frequent are summed up
    in one closing line, so a project with many unmapped codes gives a short,
    readable list.
    """
    groups: dict[tuple, list[_Found]] = {}
    for f in found:
        groups.setdefault((f.column, f.group, f.fix), []).append(f)
    out: list[Problem] = []
    unknown: list[tuple[int, int, Problem, str]] = []
    for order, ((col, group, fix), fs) in enumerate(groups.items()):
        f0 = fs[0]
        if len(fs) == 1:
            if isinstance(f0.place, (int, np.integer)):
                p = Problem(file, f0.message, fix, row=int(f0.place), column=col)
            else:
                p = Problem(file, f"{f0.place}: {f0.message}", fix, row=None, column=col)
        else:
            shown = "; ".join(_place(f) for f in fs[:3])
            if all(isinstance(f.place, (int, np.integer)) and not f.detail for f in fs[:3]):
                shown = "rows " + ", ".join(str(f.place) for f in fs[:3])
            more = f" \u2026 and {len(fs) - 3} more" if len(fs) > 3 else ""
            p = Problem(file, f"{group} ({len(fs)} times: {shown}{more})", fix, row=None, column=col)
        if group.startswith("unknown code '"):
            unknown.append((-len(fs), order, p, group[len("unknown code '") : -1]))
        else:
            out.append(p)
    if len(unknown) > MAX_CODE_LINES:
        unknown.sort(key=lambda t: t[:2])
        keep, rest = unknown[:MAX_CODE_LINES], unknown[MAX_CODE_LINES:]
        keep.sort(key=lambda t: t[1])
        n_rows = -sum(t[0] for t in rest)
        names = ", ".join(f"'{t[3]}'" for t in rest[:3]) + (" \u2026" if len(rest) > 3 else "")
        out.extend(t[2] for t in keep)
        out.append(
            Problem(
                file,
                f"{len(rest)} more unknown codes in {n_rows} codings ({names})",
                "run `assetinv map " + Path(file).name + "` to draft the codings.codes map for every code, "
                "then check it and paste it into study.yaml",
                column="code",
            )
        )
    else:
        out.extend(t[2] for t in unknown)
    return out
