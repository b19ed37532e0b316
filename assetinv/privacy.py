"""Small-group suppression shared by every table and figure.

A group with fewer than ``min_n`` respondents (or, with a roster, a response
rate under ``min_response_rate``) must never show a statistic. Tables keep the
row so a reader sees that the group exists, with its statistics set to NaN and
the reason written in ``suppressed``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

MIN_N = 5
MIN_RESPONSE_RATE = 0.5
#: Interview evidence (code counts, quotes) for a site is shown only when it pools at least
#: this many interviews, and is never split by role within a site. Interviews are counted, not
#: people: a group interview counts once.
MIN_INTERVIEWS = 2


def suppress(
    table: pd.DataFrame,
    value_columns: Sequence[str],
    *,
    n_column: str = "n",
    min_n: int = MIN_N,
    rate_column: str | None = None,
    min_response_rate: float = MIN_RESPONSE_RATE,
) -> pd.DataFrame:
    """Blank the statistics of groups that are too small to report.

    Parameters
    ----------
    table : DataFrame
        One row per group, with a count column ``n_column``.
    value_columns : sequence of str
        The statistics to blank (set to NaN) in suppressed rows. The count
        itself is blanked too, since a count under the minimum is disclosive.
    n_column : str
        Column holding the number of respondents in the group.
    min_n : int
        Smallest group that may be shown (default 5).
    rate_column, min_response_rate
        Optional response-rate column and its minimum.

    Returns
    -------
    DataFrame
        A copy with a ``suppressed`` column: ``""`` for shown rows, else the
        reason in plain words.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"school": ["A", "B"], "n": [12, 3], "mean": [3.9, 4.4]})
    >>> suppress(t, ["mean"])[["school", "mean", "suppressed"]]
      school  mean                  suppressed
    0      A   3.9
    1      B   NaN  fewer than 5 respondents
    """
    out = table.copy()
    n = pd.to_numeric(out[n_column], errors="coerce").fillna(0).to_numpy()
    reason = np.where(n < min_n, f"fewer than {min_n} respondents", "")
    if rate_column is not None and rate_column in out:
        rate = pd.to_numeric(out[rate_column], errors="coerce").to_numpy()
        low = (rate < min_response_rate) & (reason == "")
        reason = np.where(low, f"response rate under {min_response_rate:.0%}", reason)
    hide = reason != ""
    cols = [c for c in value_columns if c in out.columns]
    if hide.any():
        for c in cols + [n_column] + ([rate_column] if rate_column in out else []):
            out[c] = out[c].astype("float64")
            out.loc[hide, c] = np.nan
    out["suppressed"] = reason
    return out


def _key(frame: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    """One string key per row from ``cols`` (empty key when no columns)."""
    if not cols or frame.empty:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[list(cols)].astype(str).agg("\x1f".join, axis=1).astype(object)


def complementary_suppress(
    table: pd.DataFrame,
    by: Sequence[str],
    parent: Sequence[str] = (),
    *,
    value_columns: Sequence[str] | None = None,
    n_column: str = "n",
    min_n: int = MIN_N,
    raw_n: pd.Series | None = None,
    within: Sequence[str] = ("domain",),
) -> pd.DataFrame:
    """Suppress extra groups so that a suppressed group cannot be recovered by subtraction.

    When a parent total is published (a school total beside its teacher and
    leader rows; the network beside its schools), a single suppressed child
    could be recovered as total minus the shown children. Within each parent
    (and each ``within`` cell, e.g. domain) this function therefore repeats:
    if exactly one child is suppressed -- or, when ``raw_n`` is given, the
    suppressed children together hold fewer than ``min_n`` respondents -- the
    smallest shown child is suppressed too (ties: first in sort order). The
    added rows say "complementary suppression" in ``suppressed``.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`assetinv.privacy.suppress` (has ``suppressed``).
    by : sequence of str
        The group columns of the table.
    parent : sequence of str
        The columns of the published total (a prefix of ``by``); empty = the
        whole table is one parent (the network total).
    value_columns : sequence of str, optional
        Columns to blank; by default every numeric column except ``invited``.
    n_column : str
        Respondent count column (blanked for the added rows too).
    min_n : int
        Minimum group size.
    raw_n : Series, optional
        Counts before blanking, aligned with ``table``; lets the rule also
        protect two or more small groups whose sum would be under ``min_n``.
        Children with a raw count of 0 have nothing to protect and are ignored.
    within : sequence of str
        Columns that split the table into independent cells (default domain).

    Returns
    -------
    DataFrame
        A copy with the additional suppressions.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"school": ["A", "A", "A"], "role": ["leader", "teacher", "district"],
    ...                   "domain": "OS", "n": [float("nan"), 20, 9], "mean": [float("nan"), 3.9, 3.1],
    ...                   "suppressed": ["fewer than 5 respondents", "", ""]})
    >>> complementary_suppress(t, ["school", "role"], ["school"])["mean"].tolist()
    [nan, 3.9, nan]

    References
    ----------
    Hundepool, A., et al. (2012). *Statistical Disclosure Control*. Wiley,
    ch. 7 (secondary suppression in tables).
    """
    out = table.copy().reset_index(drop=True)
    raw = None if raw_n is None else pd.Series(np.asarray(raw_n, dtype="float64"), index=out.index)
    if value_columns is None:
        value_columns = [
            c for c in out.columns
            if c not in set(by) | {"invited", "suppressed"} | set(within) and pd.api.types.is_numeric_dtype(out[c])
        ]
    cell_cols = [c for c in list(parent) + list(within) if c in out.columns]
    cells = _key(out, cell_cols)
    sort_key = _key(out, [c for c in by if c in out.columns])
    reason = "complementary suppression (protects a smaller suppressed group)"
    for cell in sorted(cells.unique()):
        rows = out.index[cells == cell]
        while True:
            sup = [i for i in rows if out.at[i, "suppressed"] != ""]
            if raw is not None:
                sup = [i for i in sup if not (raw[i] == 0)]
            shown = [i for i in rows if out.at[i, "suppressed"] == ""]
            if not sup or not shown:
                break
            need = len(sup) == 1
            if raw is not None:
                tot = float(raw[sup].sum())
                need = need or (0 < tot < min_n)
            if not need:
                break
            size = [(raw[i] if raw is not None else out.at[i, n_column], sort_key[i], i) for i in shown]
            size.sort(key=lambda t: (np.inf if pd.isna(t[0]) else t[0], t[1]))
            pick = size[0][2]
            out.at[pick, "suppressed"] = reason
        hide = out.index.isin(rows) & (out["suppressed"] == reason)
        for c in list(value_columns) + [n_column] + (["response_rate"] if "response_rate" in out else []):
            if c in out.columns and hide.any():
                out[c] = out[c].astype("float64")
                out.loc[hide, c] = np.nan
    return out
