"""Item-level detail: how staff answered each statement, per school, district and network.

School-survey platforms (Panorama, 5Essentials, EDSCLS) show, under each domain
score, the answer distribution of every item. :func:`item_distributions` gives
that table, tidy, with the same privacy rules as the domain scores:

* a school's items in a domain are shown only when its domain score is shown
  in the asset profile (at least ``min_n`` respondents and the response-rate
  minimum), and an item only when at least ``min_n`` of them answered it;
* district and network rows pool **only the schools whose rows are shown**, the
  same convention the asset profile uses for the network mean. A district or
  network figure is then a function of published school rows, so subtracting
  published rows never recovers a suppressed school.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .privacy import MIN_N

__all__ = ["item_distributions"]


def _reportable(profile: pd.DataFrame | None) -> set[tuple[str, str]]:
    if profile is None or len(profile) == 0:
        return set()
    ok = profile[profile["suppressed"].fillna("").astype(str) == ""]
    return set(zip(ok["school"].astype(str), ok["domain"].astype(str)))


def _counts(answers: pd.DataFrame, categories: Sequence[int]) -> pd.DataFrame:
    """One row per item: count per answer category and the number answering."""
    values = answers.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    answered = ~np.isnan(values)
    rounded = np.round(np.where(answered, values, 0.0))
    out = pd.DataFrame({"item": list(answers.columns), "n": answered.sum(axis=0).astype(int)})
    for k in categories:
        out[f"n_{k}"] = ((rounded == k) & answered).sum(axis=0).astype(int)
    return out


def item_distributions(
    responses: pd.DataFrame,
    instrument=None,
    *,
    profile: pd.DataFrame | None = None,
    schools: pd.DataFrame | None = None,
    min_n: int = MIN_N,
    wave: str = "baseline",
    roles: Sequence[str] = ("teacher", "leader"),
) -> pd.DataFrame:
    """Answer distribution of every item, per school, district and network.

    Parameters
    ----------
    responses : DataFrame
        Tidy responses (:func:`assetinv.read_responses`), raw answers 1..k.
    instrument : Instrument, optional
        The bundled instrument by default.
    profile : DataFrame, optional
        :func:`assetinv.asset_profile` output. A school x domain whose profile
        row is suppressed is suppressed here too and left out of the district
        and network rows. Without it, every school is judged on ``min_n`` alone.
    schools : DataFrame, optional
        ``school, district`` (and ``name``): the district of each school
        (default: the ``district`` column of ``responses``).
    min_n : int
        Smallest number of respondents answering an item for it to be shown.
    wave : str
        Survey wave (default ``"baseline"``, as in the asset profile).
    roles : sequence of str
        Roles pooled (default teachers and leaders, as in the asset profile).

    Returns
    -------
    DataFrame
        One row per level x group x item: ``level`` ("school" | "district" |
        "network"), ``group`` (school id, district id or "network"),
        ``district``, ``domain``, ``item``, ``text``, ``reverse``, ``n`` (int),
        ``n_schools`` (schools pooled), ``pct_1`` ... ``pct_k`` (percent of
        those answering; raw answers, reverse-worded items not flipped),
        ``pct_agree`` (percent answering the top two categories),
        ``suppressed`` (reason, or ""). Suppressed rows have blank numbers.

    Examples
    --------
    >>> import assetinv as ai
    >>> from assetinv.report import default_data_dir
    >>> cfg = ai.read_config(default_data_dir() / "study.yaml")
    >>> t = item_distributions(ai.read_responses(cfg["responses"]))
    >>> sorted(t["level"].unique())
    ['district', 'network', 'school']

    References
    ----------
    Robbins, N. B., & Heiberger, R. M. (2011). Plotting Likert and other rating
    scales. *Proceedings of the 2011 Joint Statistical Meeting*, 1058-1066.
    """
    if instrument is None:
        from .instrument import load_instrument

        instrument = load_instrument()
    cats = sorted(int(k) for k in instrument.labels)
    top2 = cats[-2:]
    items = instrument.items
    r = _wave_roles(responses, wave, roles, schools)
    ok = _reportable(profile) if profile is not None else None
    out = []
    # items of other forms (the district form, for school staff) would be rows that nobody can answer
    asked = {i for role in roles if role in instrument.roles for i in instrument.item_ids(role=role)}
    for dom in instrument.domains["id"]:
        its = [i for i in items.loc[items["domain"] == dom, "id"] if i in r.columns and i in asked]
        if not its:
            continue
        school_rows, shown_parts = _school_distributions(r, dom, its, cats, profile, ok, min_n)
        out += school_rows
        pooled = pd.concat(shown_parts) if shown_parts else r.iloc[0:0]
        out += _pooled_distributions(pooled, dom, its, cats, min_n)
    t = pd.concat(out, ignore_index=True)
    for k in cats:
        t[f"pct_{k}"] = 100.0 * t[f"n_{k}"] / t["n"].where(t["n"] > 0)
    t["pct_agree"] = t[[f"pct_{k}" for k in top2]].sum(axis=1, min_count=1)
    hide = t["suppressed"] != ""
    pct_cols = [f"pct_{k}" for k in cats] + ["pct_agree"]
    t.loc[hide, pct_cols] = np.nan
    t["n"] = t["n"].astype("Int64")
    t.loc[hide, "n"] = pd.NA
    meta = items.set_index("id")
    t["text"] = t["item"].map(meta["text"])
    t["reverse"] = t["item"].map(meta["reverse"]).astype(bool)
    t["n_schools"] = t["n_schools"].astype("Int64")
    order = {"school": 0, "district": 1, "network": 2}
    dom_order = {d: i for i, d in enumerate(instrument.domains["id"])}
    t = t.assign(_l=t["level"].map(order), _d=t["domain"].map(dom_order))
    t = t.sort_values(["_l", "group", "_d", "item"], kind="mergesort")
    cols = [
        "level",
        "group",
        "district",
        "domain",
        "item",
        "text",
        "reverse",
        "n",
        "n_schools",
        *pct_cols,
        "suppressed",
    ]
    return t[cols].reset_index(drop=True)


def _wave_roles(responses: pd.DataFrame, wave, roles, schools: pd.DataFrame | None) -> pd.DataFrame:
    """The wave's answers of the chosen roles, with text school and district ids (districts from ``schools``)."""
    r = responses[(responses["wave"].astype(str) == str(wave)) & responses["role"].isin(list(roles))].copy()
    r["school"] = r["school"].astype(str)
    if schools is not None and "district" in schools:
        dmap = dict(zip(schools["school"].astype(str), schools["district"].astype(str)))
        r["district"] = r["school"].map(dmap).fillna(r.get("district", "").astype(str))
    r["district"] = r["district"].astype(str)
    return r


def _school_distributions(
    r: pd.DataFrame, dom: str, its: list, cats: list[int], profile, ok, min_n: int
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Each school's item counts for one domain, and the answers that may enter the pooled rows."""
    out, shown_parts = [], []
    for school, sub in r.groupby("school", sort=True):
        c = _counts(sub[its], cats)
        c["level"], c["group"], c["district"], c["n_schools"] = (
            "school",
            school,
            sub["district"].iloc[0],
            1,
        )
        reason = ""
        if ok is not None and profile is not None and (school, dom) not in ok:
            prow = profile[(profile["school"].astype(str) == school) & (profile["domain"] == dom)]
            reason = str(prow["suppressed"].iloc[0]) if len(prow) else "not in the asset profile"
        elif len(sub) < min_n:
            reason = f"fewer than {min_n} respondents"
        c["suppressed"] = reason
        c.loc[(c["suppressed"] == "") & (c["n"] < min_n), "suppressed"] = (
            f"fewer than {min_n} answered the item"
        )
        if reason == "":
            # an item hidden for this school stays out of the pooled rows too (no recovery by subtraction)
            hidden = list(c.loc[c["suppressed"] != "", "item"])
            shown_parts.append(sub.assign(**{i: np.nan for i in hidden}) if hidden else sub)
        out.append(c.assign(domain=dom))
    return out, shown_parts


def _pooled_distributions(
    pooled: pd.DataFrame, dom: str, its: list, cats: list[int], min_n: int
) -> list[pd.DataFrame]:
    """Item counts of one domain per district and for the network, from the schools shown."""
    out = []
    for district, sub in pooled.groupby("district", sort=True):
        c = _counts(sub[its], cats)
        c["level"], c["group"], c["district"] = "district", district, district
        c["n_schools"] = sub["school"].nunique()
        c["suppressed"] = np.where(c["n"] < min_n, f"fewer than {min_n} answered the item", "")
        out.append(c.assign(domain=dom))
    c = _counts(pooled[its], cats)
    c["level"], c["group"], c["district"], c["n_schools"] = (
        "network",
        "network",
        "",
        pooled["school"].nunique(),
    )
    c["suppressed"] = np.where(c["n"] < min_n, f"fewer than {min_n} answered the item", "")
    out.append(c.assign(domain=dom))
    return out
