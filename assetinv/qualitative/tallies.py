"""Code tallies and co-occurrence: how often each code (or domain) was applied, per school or role."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..codings_layout import CODING_COLUMNS, NO_CODE, _s
from ..instrument import Instrument, resolve
from ..privacy import MIN_INTERVIEWS, complementary_suppress, interview_site_reasons, suppress

__all__ = ["code_tallies", "cooccurrence"]

ALL_CODES = "(all codes)"
DOMAIN_GROUPS = ("EX", "LM", "CN", "OS")


def _code_info(instrument: Instrument | str | Path | None) -> pd.DataFrame:
    cb = resolve(instrument).codebook.reset_index(drop=True).copy()
    if "domain" not in cb.columns:
        cb["domain"] = ""
    # the domain a code bears on: its own for topic codes, the tied one for barrier/enabler codes
    cb["domain"] = [d if isinstance(d, str) and d else g for d, g in zip(cb["domain"], cb["group"])]
    return cb[["id", "group", "name", "domain"]].rename(columns={"id": "code", "name": "code_name"})


def _with_valence(codings: pd.DataFrame) -> pd.DataFrame:
    """The codings with a ``valence`` column ("" when the input has none)."""
    if "valence" in codings.columns:
        return codings.assign(valence=[_s(v).lower() for v in codings["valence"]])
    return codings.assign(valence="")


def _real(codings: pd.DataFrame) -> pd.DataFrame:
    return codings[codings["code"] != NO_CODE]


def code_tallies(
    codings: pd.DataFrame,
    by: str | Sequence[str] | None = "school",
    *,
    level: str = "code",
    instrument: Instrument | str | Path | None = None,
    coder: str | None = None,
    min_n: int = MIN_INTERVIEWS,
    sort: str = "count",
    include_zero: bool = True,
) -> pd.DataFrame:
    """Count excerpts and interviews mentioning each code, by site and/or role.

    An excerpt *mentions* a code when any coder (or the one named in
    ``coder``) applied it; an interview mentions a code when any of its
    excerpts does (presence, so a talkative interviewee counts once).

    Parameters
    ----------
    codings : DataFrame
        Tidy codings (:func:`read_codings`).
    by : str, list of str or None
        Grouping columns among ``"school"`` and ``"role"``; ``None`` for the
        whole network.
    level : {"code", "domain"}
        Tally single codes, or codebook groups (domains EX, LM, CN, OS and
        the cross-cutting BARRIER, ENABLER): an excerpt mentions a domain when
        it carries any of the domain's codes.
    instrument : Instrument, optional
        For code names and groups (default: bundled instrument).
    coder : str, optional
        Count only this coder's codings (e.g. the lead coder or a
        ``consensus`` pseudo-coder). Default: any coder.
    min_n : int
        Groups with fewer interviews than this are suppressed (counts and
        shares set to NaN, reason in ``suppressed``), as in the survey tables.
        Default :data:`assetinv.privacy.MIN_INTERVIEWS` (2): a site's themes
        are shown only when they pool at least two interviews, so no single
        interview's coding stands alone; a site split by role usually falls
        under it. By school, a site where some role gave a single interview
        (one teacher and one leader, say) is suppressed as well
        (:func:`assetinv.privacy.interview_site_reasons`).
    sort : {"count", "codebook"}
        Within each group, most-mentioned first (ties by codebook order), or
        codebook order.
    include_zero : bool
        Keep codebook codes that nobody applied in a group (count 0).

    Returns
    -------
    DataFrame
        ``<by...>, code, code_name, group, domain`` (``domain``: the domain
        the code bears on, so barrier and enabler codes sit next to their
        domain) or, with ``level="domain"``, ``domain, domain_name`` (the
        codebook group); then ``n`` (interviews in the group),
        ``n_group_excerpts``, ``n_excerpts``, ``n_interviews``,
        ``n_strength``, ``n_barrier`` (excerpts where a coder recorded that
        valence; an excerpt the coders read differently counts in both, one
        without a recorded valence in neither), ``share_excerpts`` (of the
        group's excerpts), ``share_interviews`` (of its interviews),
        ``suppressed``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e2", "e3"], "interview_id": ["i1", "i1", "i2"],
    ...     "school": ["S1"] * 3, "role": ["teacher"] * 3, "coder": ["ana"] * 3,
    ...     "code": ["EX-SHARE", "EX-SHARE", "OS-PLC"], "text": ["a", "b", "c"]})
    >>> t = code_tallies(c, by="school", min_n=1, include_zero=False)
    >>> t[["school", "code", "n_excerpts", "n_interviews", "share_interviews"]]
      school      code  n_excerpts  n_interviews  share_interviews
    0     S1  EX-SHARE           2             1               0.5
    1     S1    OS-PLC           1             1               0.5

    References
    ----------
    Miles, M. B., Huberman, A. M., & Saldana, J. (2014). *Qualitative Data
    Analysis* (3rd ed.). Sage (counting in qualitative analysis).
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for b in by:
        if b not in ("school", "role"):
            raise ValueError(f"by must be 'school', 'role' or both, got {b!r}")
    if level not in ("code", "domain"):
        raise ValueError("level must be 'code' or 'domain'")
    info = _code_info(instrument)
    c = codings if coder is None else codings[codings["coder"] == coder]
    base = _with_valence(c)[CODING_COLUMNS + ["valence"]].copy()
    group_sizes = (
        base.groupby(by, sort=True)
        .agg(n=("interview_id", "nunique"), n_group_excerpts=("excerpt_id", "nunique"))
        .reset_index()
        if by
        else pd.DataFrame(
            {"n": [base["interview_id"].nunique()], "n_group_excerpts": [base["excerpt_id"].nunique()]}
        )
    )
    key = "code" if level == "code" else "group"
    counts = _tally_counts(base, info, by, key, group_sizes if include_zero else None)
    out = (
        counts.merge(group_sizes, on=by, how="left") if by else counts.assign(**group_sizes.iloc[0].to_dict())
    )
    out["share_excerpts"] = out["n_excerpts"] / out["n_group_excerpts"]
    out["share_interviews"] = out["n_interviews"] / out["n"]
    out, lead = _label_tallies(out, info, level, instrument)
    sort_cols = by + (["n_excerpts", "n_interviews", "_ord"] if sort == "count" else ["_ord"])
    asc = [True] * len(by) + ([False, False, True] if sort == "count" else [True])
    out = out.sort_values(sort_cols, ascending=asc, kind="mergesort").drop(columns="_ord")
    cols = by + lead + ["n", *_TALLY_VALUES]
    return _suppress_tallies(out[cols].reset_index(drop=True), base, by, lead, min_n)


def _tally_counts(
    base: pd.DataFrame, info: pd.DataFrame, by: list[str], key: str, group_sizes: pd.DataFrame | None
) -> pd.DataFrame:
    """Excerpts, interviews, strengths and barriers per group and code (or code group); with ``group_sizes``,
    every codebook code (or group) in every group, zeros included.
    """
    real = _real(base).merge(info, on="code", how="left")
    real["group"] = real["group"].fillna("")
    real["code_name"] = real["code_name"].fillna(real["code"])
    counts = (
        real.groupby(by + [key], sort=True)
        .agg(n_excerpts=("excerpt_id", "nunique"), n_interviews=("interview_id", "nunique"))
        .reset_index()
    )
    for v in ("strength", "barrier"):
        nv = (
            real[real["valence"] == v].groupby(by + [key], sort=True)["excerpt_id"].nunique().rename(f"n_{v}")
        )
        counts = counts.merge(nv.reset_index(), on=by + [key], how="left")
        counts[f"n_{v}"] = counts[f"n_{v}"].fillna(0).astype(int)
    if group_sizes is None:
        return counts
    keys = list(dict.fromkeys(list(info[key]) + sorted(set(real[key]) - set(info[key]))))
    grid = pd.DataFrame({key: keys})
    grid = group_sizes[by].merge(grid, how="cross") if by else grid
    counts = grid.merge(counts, on=by + [key], how="left")
    vcols = ["n_excerpts", "n_interviews", "n_strength", "n_barrier"]
    counts[vcols] = counts[vcols].fillna(0).astype(int)
    return counts


def _label_tallies(
    out: pd.DataFrame, info: pd.DataFrame, level: str, instrument: Instrument | str | Path | None
) -> tuple[pd.DataFrame, list[str]]:
    """Code (or domain) names and the codebook order ``_ord``; returns the table and its leading columns."""
    if level == "code":
        order = {c: i for i, c in enumerate(info["code"])}
        out = out.merge(info, on="code", how="left")
        out["code_name"] = out["code_name"].fillna(out["code"])
        out["group"] = out["group"].fillna("")
        out["domain"] = out["domain"].fillna(out["group"])
        out["_ord"] = out["code"].map(order).fillna(len(order))
        return out, ["code", "code_name", "group", "domain"]
    inst = resolve(instrument)
    names = dict(zip(inst.domains["id"], inst.domains["name"]))
    names.update({"BARRIER": "Barriers", "ENABLER": "Enablers"})
    out = out.rename(columns={"group": "domain"})
    out["domain_name"] = out["domain"].map(names).fillna(out["domain"])
    gorder = {g: i for i, g in enumerate(dict.fromkeys(info["group"]))}
    out["_ord"] = out["domain"].map(gorder).fillna(len(gorder))
    return out, ["domain", "domain_name"]


#: The counts and shares of a tally row (suppressed together).
_TALLY_VALUES = (
    "n_group_excerpts",
    "n_excerpts",
    "n_interviews",
    "n_strength",
    "n_barrier",
    "share_excerpts",
    "share_interviews",
)


def _suppress_tallies(
    out: pd.DataFrame, base: pd.DataFrame, by: list[str], lead: list[str], min_n: int
) -> pd.DataFrame:
    """Small groups, sites with a single interviewee in a role, and lone suppressed groups (complementary)."""
    values = list(_TALLY_VALUES)
    raw_n = out["n"].copy()
    out = suppress(out, values, n_column="n", min_n=min_n)
    if by == ["school"] and "role" in base:
        # a site whose teachers (or leaders) gave a single interview is suppressed too: its counts would
        # show what that one person said (privacy.interview_site_reasons)
        why = interview_site_reasons(base, "school", min_interviews=min_n)
        single = out["school"].astype(str).map(why).fillna("")
        hit = (out["suppressed"] == "") & (single != "")
        if hit.any():
            for col in values + ["n"]:
                out[col] = out[col].astype("float64")
                out.loc[hit, col] = np.nan
            out.loc[hit, "suppressed"] = single[hit]
    if by:
        # the network (or the coarser grouping) is published too: protect a lone suppressed group
        out = complementary_suppress(
            out, by, by[:-1], value_columns=values, min_n=min_n, raw_n=raw_n, within=[lead[0]]
        )
    out["suppressed"] = out["suppressed"].str.replace("respondents", "interviews")
    return out


def _presence(codings: pd.DataFrame, unit: str, coder: str | None = None) -> pd.DataFrame:
    """Unit x code 0/1 matrix (any coder, or one coder)."""
    key = "excerpt_id" if unit == "excerpt" else "interview_id"
    c = _real(codings)
    if coder is not None:
        c = c[c["coder"] == coder]
    units = sorted(set(codings[key]))
    m = pd.crosstab(c[key], c["code"]).reindex(index=units, fill_value=0)
    return (m > 0).astype(int)


def cooccurrence(
    codings: pd.DataFrame,
    within: str = "excerpt",
    *,
    codes: Sequence[str] | None = None,
    measure: str = "count",
    instrument: Instrument | str | Path | None = None,
) -> pd.DataFrame:
    """How often two codes are applied to the same excerpt or interview.

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    within : {"excerpt", "interview"}
        The unit within which codes co-occur (any coder's codes count).
    codes : sequence of str, optional
        Codes to include (default: all codes used, in codebook order).
    measure : {"count", "jaccard"}
        Number of units with both codes (the diagonal is the number of units
        with the code), or Jaccard similarity ``|A and B| / |A or B|``.
    instrument : Instrument, optional
        For codebook order.

    Returns
    -------
    DataFrame
        Square, codes x codes, symmetric.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e1", "e2"], "interview_id": ["i1"] * 3,
    ...     "school": ["S1"] * 3, "role": ["teacher"] * 3, "coder": ["ana"] * 3,
    ...     "code": ["EX-SHARE", "OS-PLC", "OS-PLC"], "text": ["a", "a", "b"]})
    >>> m = cooccurrence(c)
    >>> list(m.index), m.to_numpy().tolist()
    (['EX-SHARE', 'OS-PLC'], [[1, 1], [1, 2]])

    References
    ----------
    Saldana, J. (2021). *The Coding Manual for Qualitative Researchers*
    (4th ed.). Sage. Namey, E., et al. (2008). Data reduction techniques for
    large qualitative data sets. In *Handbook for Team-Based Qualitative
    Research*. AltaMira.
    """
    if within not in ("excerpt", "interview"):
        raise ValueError("within must be 'excerpt' or 'interview'")
    pres = _presence(codings, within)
    info = _code_info(instrument)
    order = {c: i for i, c in enumerate(info["code"])}
    if codes is None:
        codes = sorted(pres.columns, key=lambda c: (order.get(c, len(order)), c))
    pres = pres.reindex(columns=list(codes), fill_value=0)
    x = pres.to_numpy()
    both = x.T @ x
    if measure == "jaccard":
        d = np.diag(both)
        union = d[:, None] + d[None, :] - both
        with np.errstate(invalid="ignore", divide="ignore"):
            mat = np.where(union > 0, both / np.where(union == 0, 1, union), np.nan)
    elif measure == "count":
        mat = both
    else:
        raise ValueError("measure must be 'count' or 'jaccard'")
    idx = pd.Index(list(codes), name="code")
    return pd.DataFrame(mat, index=idx, columns=pd.Index(list(codes), name="code"))
