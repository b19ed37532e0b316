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
