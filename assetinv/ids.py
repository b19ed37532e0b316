"""Natural ordering of ids: ``S2`` before ``S10``, ``"2"`` before ``"10"``.

Every sort of school, district, respondent, interview or excerpt ids in assetinv uses
:func:`natural_key` (through :func:`id_sort_key` for pandas), so a network with schools ``S1`` ...
``S12`` or ``1`` ... ``12`` is listed in the order people expect, not as text (``10`` before ``2``).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["ID_COLUMNS", "id_sort_key", "natural_key"]

#: Columns whose values are ids and sort naturally.
ID_COLUMNS = frozenset({"school", "district", "respondent_id", "interview_id", "excerpt_id", "case"})


def natural_key(value) -> tuple:
    """Sort key that orders ids naturally: ``S2`` before ``S10``, ``"2"`` before ``"10"``.

    Runs of digits compare as numbers, the rest case-insensitively (ties broken by the exact text, so
    the order is total and the same on every machine).

    Parameters
    ----------
    value : object
        An id (converted to text; ``None`` sorts first).

    Returns
    -------
    tuple

    Examples
    --------
    >>> sorted(["S10", "S2", "s1", "10", "2", "D1"], key=natural_key)
    ['2', '10', 'D1', 's1', 'S2', 'S10']

    References
    ----------
    The "natural sort order" of file managers (as in the ``natsort`` package).
    """
    s = "" if value is None else str(value)
    parts = re.split(r"(\d+)", s)
    key = tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in parts if p != "")
    return key + ((2, s),)  # the exact text breaks ties ("s1" and "S1"), so the order is total


def id_sort_key(series: pd.Series) -> pd.Series:
    """``key=`` for :meth:`pandas.DataFrame.sort_values`: id columns (:data:`ID_COLUMNS`) sort naturally.

    Parameters
    ----------
    series : Series
        One of the columns being sorted.

    Returns
    -------
    Series
        Natural keys for an id column; the column unchanged otherwise.

    Examples
    --------
    >>> df = pd.DataFrame({"school": ["10", "2", "1"], "n": [1, 2, 3]})
    >>> df.sort_values(["school"], key=id_sort_key)["school"].tolist()
    ['1', '2', '10']

    References
    ----------
    pandas ``DataFrame.sort_values(key=...)``.
    """
    if series.name in ID_COLUMNS:
        return series.map(natural_key)
    return series
