"""Small-group suppression shared by every table and figure.

A group with fewer than ``min_n`` respondents (or, with a roster, a response
rate under ``min_response_rate``) must never show a statistic. Tables keep the
row so a reader sees that the group exists, with its statistics set to NaN and
the reason written in ``suppressed``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .config import DEFAULTS

__all__ = [
    "MIN_INTERVIEWS",
    "MIN_N",
    "MIN_RESPONSE_RATE",
    "band_count",
    "complementary_suppress",
    "generalise_roles",
    "interview_site_reasons",
    "suppress",
]

#: Smallest group whose statistics are shown (``study.yaml``'s ``min_n`` default).
MIN_N = DEFAULTS.min_n
#: Smallest response rate at which a school's numbers are shown (``min_response_rate`` default).
MIN_RESPONSE_RATE = DEFAULTS.min_response_rate
#: Interview evidence (code counts, quotes) for a site is shown only when it pools at least
#: this many interviews, and is never split by role within a site. Interviews are counted, not
#: people: a group interview counts once.
MIN_INTERVIEWS = DEFAULTS.min_interviews


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
    >>> suppress(t, ["mean"])[["school", "mean", "suppressed"]]  # doctest: +NORMALIZE_WHITESPACE
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
            c
            for c in out.columns
            if c not in set(by) | {"invited", "suppressed"} | set(within)
            and pd.api.types.is_numeric_dtype(out[c])
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


def interview_site_reasons(
    codings: pd.DataFrame,
    by: str = "school",
    *,
    min_interviews: int = MIN_INTERVIEWS,
) -> dict[str, str]:
    """Why a site's interview evidence may not be shown ("" when it may).

    A site's quotes and per-code counts are shown only when it pools at least
    ``min_interviews`` interviews **and** no role group there has a single
    interview: with one teacher and one leader interviewed, whatever is not
    the teacher's is the leader's, and a quote beginning "As a principal..."
    names its speaker.

    Parameters
    ----------
    codings : DataFrame
        Tidy codings (``interview_id``, ``role`` and ``by`` columns).
    by : str
        The site column (default ``school``).
    min_interviews : int
        Minimum interviews per site (default :data:`MIN_INTERVIEWS`); with 1
        (no minimum) the single-interviewee rule is off too.

    Returns
    -------
    dict
        Site id -> reason in plain words (``""`` when the site may be shown).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"school": ["A", "A", "B", "B", "B"], "interview_id": ["a1", "a2", "b1", "b2", "b3"],
    ...                   "role": ["teacher", "leader", "teacher", "teacher", "teacher"]})
    >>> interview_site_reasons(c)
    {'A': 'a single leader interview and a single teacher interview', 'B': ''}
    """
    out: dict[str, str] = {}
    if codings is None or len(codings) == 0:
        return out
    c = codings.drop_duplicates([by, "interview_id"])
    for site, g in c.groupby(c[by].astype(str), sort=True):
        n = g["interview_id"].nunique()
        if n < min_interviews:
            out[site] = f"fewer than {min_interviews} interviews"
            continue
        per_role = g.groupby(g["role"].astype(str))["interview_id"].nunique()
        single = sorted(per_role.index[per_role == 1]) if min_interviews > 1 else []
        out[site] = (" and ".join(f"a single {r} interview" for r in single)) if single else ""
    return out


def band_count(count, *, below: int = MIN_INTERVIEWS) -> str:
    """A count of interviews or excerpts at one site, banded so that it never shows a single person.

    Counts from 1 to ``below`` become ``"1+"``; 0 and larger counts stay exact.

    Parameters
    ----------
    count : int or float
        The count (NaN gives ``""``).
    below : int
        Counts up to this are banded (default :data:`MIN_INTERVIEWS`, 2).

    Returns
    -------
    str

    Examples
    --------
    >>> [band_count(x) for x in (0, 1, 2, 3)]
    ['0', '1+', '1+', '3']
    """
    try:
        c = float(count)
    except (TypeError, ValueError):
        return ""
    if np.isnan(c):
        return ""
    c = round(c)
    return "1+" if 0 < c <= below else str(c)


_ROLE_WORDS = (
    r"(?:(?:assistant|vice|deputy|associate|acting|interim)[\s-]+)?(?:head\s*teacher|headteacher|principal|"
    r"head of (?:the )?\w+(?: department)?|head|"
    r"director|superintendent|dean|AP|VP|(?:\w+\s+)?coach|department (?:head|chair)|"
    r"(?:\w+\s+)?(?:department|team) (?:head|chair|lead)|lead teacher|chair|coordinator|counsel(?:l)?or|librarian|"
    r"(?:first|second|third|new|only|sole|one)[-\s]?(?:year\s+)?\w*\s*teacher|"
    r"(?:only|sole|one|lone)\s+\w+\s+teacher|"
    # "the only biology person (in the building)", "the only one who teaches physics"
    r"(?:only|sole|lone)\s+(?:[\w-]+\s+)?(?:person|one|specialist|expert)(?:\s+(?:in|at|on)\s+(?:the|this|our)\s+"
    r"(?:building|school|campus|staff|team|department))?|"
    r"\w+\s+teacher|teacher|leader|school leader|administrator|admin|"
    r"member of (?:the )?(?:leadership|admin(?:istration)?|SLT) team)"
)
#: Leadership titles that identify their holder without an article ("As principal, I sign", "as AP").
_TITLES_BARE = (
    r"(?:(?:assistant|vice|deputy|acting|interim)[\s-]+)?(?:principal|head\s*teacher|headteacher|AP|VP|"
    r"superintendent|dean|head of (?:the )?\w+(?: department)?|department (?:head|chair)|(?:\w+\s+)?coach)"
)
_SELF_ROLE = [
    # "as a principal", "as the AP", "as an assistant principal", "as the only chemistry teacher",
    # "in my role as AP", "speaking as the principal", "AS A PRINCIPAL" (any case)
    (
        re.compile(
            rf"(?i:\b(?:as|being)\s+(?:an?|the|their|our|(?:this|the|my) school's)\s+{_ROLE_WORDS})\b"
            # without an article only a title that ends the phrase: "As principal, I sign", "as AP I see"
            rf"|(?i:\bas\s+{_TITLES_BARE})\b(?=\s*(?:[,;:.!?\u2014]|$|(?i:I|we|my|our)\b))"
        ),
        "[as a staff member]",
    ),
    # "wearing my principal hat"
    (re.compile(r"(?i:\bwearing\s+my\s+[\w-]+(?:\s+[\w-]+)?\s+hat)\b"), "[in my role]"),
    # "I'm the principal", "I am the only chemistry teacher", "I was the AP"
    (
        re.compile(
            rf"\bI(?:'m|\s+am|\s+was|\s+have\s+been|'ve\s+been)\s+(?:an?|the|their|our)\s+{_ROLE_WORDS}\b"
        ),
        "I am [a staff member]",
    ),
    # "my teachers", "my staff", "my department", "my APs", "my leadership team"
    (
        re.compile(
            r"\b[Mm]y\s+(?:(?:own|whole|new)\s+)?(?:teachers|staff|faculty|department|APs|assistant principals|"
            r"leadership team|team leads|building|school)\b"
        ),
        "[the school's staff]",
    ),
]


def generalise_roles(text: str) -> str:
    """Replace phrases by which an interviewee names their own role with a neutral phrase.

    "As a principal I ..." becomes "[as a staff member] I ...", "I'm the only
    chemistry teacher" becomes "I am [a staff member]", "my teachers" becomes
    "[the school's staff]". Other text is unchanged.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> generalise_roles("As a principal I notice this. My teachers plan together.")
    "[as a staff member] I notice this. [the school's staff] plan together."
    >>> generalise_roles("As the only chemistry teacher, I plan alone.")
    '[as a staff member], I plan alone.'
    >>> generalise_roles("I'm the only biology person in the building, so nobody knows what I do.")
    'I am [a staff member], so nobody knows what I do.'
    """
    if not isinstance(text, str) or not text:
        return text
    out = text
    for pat, repl in _SELF_ROLE:
        out = pat.sub(repl, out)
    return out
