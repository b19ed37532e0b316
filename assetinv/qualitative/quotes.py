"""Exemplar quotes: short, redacted excerpts per code, only where privacy rules allow."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..ids import id_sort_key
from ..instrument import Instrument
from ..privacy import generalise_roles
from ..redaction import redact
from .tallies import DOMAIN_GROUPS, _code_info, _real

__all__ = ["exemplar_quotes"]


def exemplar_quotes(
    codings: pd.DataFrame,
    *,
    school: str | None = None,
    domain: str | None = None,
    n: int = 3,
    names: Iterable[str] | None = None,
    max_chars: int | None = 400,
    attribute_role: bool = False,
    instrument: Instrument | str | Path | None = None,
    ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Pick illustrative quotes per school and domain, redacted.

    For each school and domain (codebook group), the excerpts coded with
    one of the domain's codes are ranked: flagged ``exemplary`` first, then
    by how many coders applied a code of the domain (consensus), then by
    excerpt id (stable). Quotes pass through :func:`redact` before they are
    returned, so names, e-mail addresses and phone numbers never reach a
    report.

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    school : str, optional
        One school (default: all).
    domain : str, optional
        One domain / group id such as ``"EX"`` or ``"BARRIER"`` (default: the
        four survey domains).
    n : int
        Quotes per school and domain.
    names : iterable of str, optional
        Known personal names to redact (e.g. from the roster).
    max_chars : int or None
        Longer quotes are cut at a word boundary and end with " ...".
    attribute_role : bool
        Add the speaker's role. Off by default: a single school leader is
        identifiable from a role attribution.
    instrument : Instrument, optional
    ids : iterable of str, optional
        Respondent or interview ids that must not appear in a quote (see
        :func:`assetinv.redaction.redact`).

    Returns
    -------
    DataFrame
        ``school, domain, rank, excerpt_id, interview_id, codes, exemplary,
        n_coders, quote`` (plus ``role``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e2"], "interview_id": ["i1", "i2"],
    ...     "school": ["S1", "S1"], "role": ["teacher"] * 2, "coder": ["ana"] * 2,
    ...     "code": ["EX-SHARE", "EX-COACH"], "exemplary": [False, True],
    ...     "text": ["Ms. Ortega shares her labs.", "Coach Kim models lessons."]})
    >>> exemplar_quotes(c, domain="EX")[["excerpt_id", "rank", "quote"]].values.tolist()
    [['e2', 1, '[name] models lessons.'], ['e1', 2, '[name] shares her labs.']]

    References
    ----------
    Lingard, L. (2019). Beyond the default colon: effective use of quotes in
    qualitative research. *Perspectives on Medical Education*, 8, 360-364.
    """
    info = _code_info(instrument)
    groups = dict(zip(info["code"], info["group"]))
    c = _real(codings).copy()
    if "exemplary" not in c:
        c["exemplary"] = False
    c["domain"] = c["code"].map(groups).fillna("")
    if school is not None:
        c = c[c["school"] == school]
    domains = [domain] if domain is not None else list(DOMAIN_GROUPS)
    c = c[c["domain"].isin(domains)]
    cols = [
        "school",
        "domain",
        "rank",
        "excerpt_id",
        "interview_id",
        "codes",
        "exemplary",
        "n_coders",
        "quote",
    ]
    if attribute_role:
        cols.insert(5, "role")
    if c.empty:
        return pd.DataFrame(columns=cols)
    dorder = {d: i for i, d in enumerate(domains)}
    g = (
        c.groupby(["school", "domain", "excerpt_id"], sort=True)
        .agg(
            interview_id=("interview_id", "first"),
            role=("role", "first"),
            text=("text", "first"),
            exemplary=("exemplary", "any"),
            n_coders=("coder", "nunique"),
            codes=(
                "code",
                lambda s: ", ".join(
                    sorted(set(s), key=lambda x: list(groups).index(x) if x in groups else 999)
                ),
            ),
        )
        .reset_index()
    )
    g["_d"] = g["domain"].map(dorder)
    g = g.sort_values(
        ["school", "_d", "exemplary", "n_coders", "excerpt_id"],
        ascending=[True, True, False, False, True],
        kind="mergesort",
        key=id_sort_key,
    )
    g["rank"] = g.groupby(["school", "domain"]).cumcount() + 1
    g = g[g["rank"] <= n].copy()
    # self-identifying role phrases ("as a principal", "my teachers") are generalised too
    ids = tuple(ids) if ids is not None else None  # indexed once for every quote (redaction._id_index)
    g["quote"] = [_shorten(generalise_roles(redact(t, names, ids=ids)), max_chars) for t in g["text"]]
    g["exemplary"] = g["exemplary"].astype(bool)
    return g[cols].reset_index(drop=True)


def _shorten(text: str, max_chars: int | None) -> str:
    if max_chars is None or len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + " ..."
