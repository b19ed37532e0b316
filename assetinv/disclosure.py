"""Disclosure control across the whole publication: a ledger of published facts and an auditor.

Table-by-table suppression (:func:`assetinv.privacy.suppress` and
:func:`assetinv.privacy.complementary_suppress`) cannot see that a district
total in one table, minus the shown schools of another table, gives a
suppressed school exactly. This module looks at every published number at
once:

* :func:`ledger_cells` lists the unknowns a reader would have to solve for:
  the respondent count of every *atomic cell* (school x role x wave, per
  domain), in four families -- ``respondents`` (survey rows), ``scored``
  (respondents with a domain score), ``answered`` (respondents who answered at
  least one item of the domain) and ``linked`` (respondents scored in both
  waves);
* :func:`build_ledger` turns every count and every mean or percentage the
  reports publish (every table, the sentences of the pages, the figures'
  inputs) into a **linear fact**: "the cells of this set sum to this count"
  (a mean published with its group also fixes the group's sum, mean x n; a
  mean is treated as publishing its count too, which only makes the audit
  stricter). Each fact belongs to a *suppression unit* (one row of one table,
  or the same group in several tables, e.g. a school's domain everywhere);
* :func:`audit_ledger` writes the published facts as the rows of a matrix
  ``A`` over the atomic cells of each family and domain. A set of cells
  ``t`` (as a 0/1 vector) is determined exactly by the publication when ``t``
  lies in the row space of ``A`` (its projection residual on the row space is
  0). The sensitive sets checked are every atomic cell with 1 to ``min_n - 1``
  respondents, every pair of such cells of the same family and domain that
  together hold fewer than ``min_n``, and every group a table suppressed for
  being too small. While one is determined, the auditor blanks one more unit:
  among the units used by the minimum-norm solution of ``A^T y = t``, the one
  with the fewest respondents (ties: sort order), so the choice is
  deterministic. Optionally, :func:`count_bounds` computes linear-programming
  bounds for every sensitive set (counts are non-negative; a suppressed group
  is known to hold fewer than ``min_n``);
* :func:`protect_publication` runs this inside the report pipeline, before
  any file is written: it applies the added units to the tables (re-running
  the analyses when a school's profile must go, so that network means,
  ranks, statuses and recommendations leave it out) and repeats until the
  audit finds nothing, then returns the verdict that goes into
  ``provenance.json``.

Sums and counts share the same facts (every published mean comes with its
group), so a set whose count is not determined cannot have a determined sum
either; checking the counts' matrix covers both.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Nordholt, E.
S., Spicer, K., & de Wolf, P.-P. (2012). *Statistical Disclosure Control*.
Wiley, ch. 4.3 (linear programming attacks on tables) and ch. 7 (secondary
suppression). Fellegi, I. P. (1972). On the question of statistical
confidentiality. *Journal of the American Statistical Association*, 67,
7-18. Cox, L. H. (1980). Suppression methodology and statistical disclosure
control. *JASA*, 75, 377-385.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._factspace import FactSpace, Targets, indicator, unique_rows
from .privacy import MIN_INTERVIEWS, MIN_N, band_count
from .scoring import GAP_STATS

__all__ = [
    "RELEASE_LEDGER",
    "SECONDARY_REASON",
    "AuditResult",
    "audit_ledger",
    "build_ledger",
    "compare_releases",
    "count_bounds",
    "ledger_cells",
    "protect_publication",
    "release_ledger",
]

SECONDARY_REASON = "secondary suppression (another published table would reveal a smaller group)"
_TEACH_LEAD = ("teacher", "leader")
_REL_TOL = 1e-9


# ====================================================================== results
@dataclass
class AuditResult:
    """What the auditor checked and did.

    Attributes
    ----------
    checked : int
        Sensitive sets tested (small atomic cells, small pairs, small
        suppressed groups).
    facts : int
        Published linear facts in the ledger.
    added : list of tuple
        Suppression units the auditor blanked (secondary suppression), in the
        order chosen.
    residual : list of dict
        Sensitive sets still determined after suppression (should be empty;
        happens only when every fact that determines a set is a fixed total).
    rounds : int
        Audit rounds (each round re-reads the tables after applying units).
    bounds : dict
        Optional LP summary (:func:`count_bounds`): the narrowest interval
        found for a sensitive count.
    """

    checked: int = 0
    facts: int = 0
    added: list = field(default_factory=list)
    residual: list = field(default_factory=list)
    rounds: int = 0
    bounds: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """A JSON-ready verdict (the ``disclosure`` entry of ``provenance.json``)."""
        return {
            "method": "rank test of every sensitive set against the row space of the published facts "
            "(assetinv.disclosure)",
            "facts_in_ledger": int(self.facts),
            "sensitive_sets_checked": int(self.checked),
            "suppressed_secondarily": [" / ".join(str(p) for p in u) for u in self.added],
            "residual_risk": [r["label"] for r in self.residual],
            "rounds": int(self.rounds),
            **({"lp_bounds": self.bounds} if self.bounds else {}),
        }


# ====================================================================== cells
def ledger_cells(
    scores: pd.DataFrame,
    responses: pd.DataFrame,
    domains: Sequence[str],
    item_ids: dict[str, list[str]] | None = None,
    answered_ids: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """The atomic cells a reader would have to solve for, with their true counts.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`assetinv.score_domains` (every role and wave).
    responses : DataFrame
        The tidy responses (for the ``respondents`` and ``answered`` families).
    domains : sequence of str
        Domain ids.
    item_ids : dict, optional
        Items per domain (for ``answered`` and ``item``); without it
        ``answered`` equals ``scored``.
    answered_ids : dict, optional
        The items per domain that ``answered`` counts, when not ``item_ids``:
        the items the reliability pools (with role forms, those one form asks
        together), so its ``n`` is a sum of ``answered`` cells.

    Returns
    -------
    DataFrame
        ``family, domain, school, role, wave, n`` with ``n > 0`` only (empty
        cells are known to be empty and are not unknowns). ``domain`` is
        ``"*"`` for the ``respondents`` family; ``wave`` is ``"both"`` for
        ``linked``. With ``item_ids``, an ``item`` family per item (its
        ``domain`` is the item id: respondents who answered that item).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"respondent_id": ["a", "b"], "school": "S", "district": "D", "role": "teacher",
    ...                   "wave": "baseline", "OS": [3.0, None]})
    >>> ledger_cells(s, s, ["OS"])[["family", "domain", "n"]].values.tolist()
    [['respondents', '*', 2], ['scored', 'OS', 1], ['answered', 'OS', 1]]
    """
    keys = ["school", "role", "wave"]
    frames = []

    def _count(df: pd.DataFrame, family: str, domain: str) -> None:
        if df.empty:
            return
        g = df.assign(**{k: df[k].astype(str) for k in keys}).groupby(keys, sort=True).size()
        t = g.rename("n").reset_index()
        t.insert(0, "domain", domain)
        t.insert(0, "family", family)
        frames.append(t)

    _count(responses, "respondents", "*")
    for d in domains:
        _count(scores[scores[d].notna()], "scored", d)
        counted = answered_ids if answered_ids is not None else item_ids
        if counted and counted.get(d):
            ids = [i for i in counted[d] if i in responses.columns]
            _count(responses[responses[ids].notna().any(axis=1)], "answered", d)
        else:
            _count(scores[scores[d].notna()], "answered", d)
    for d in domains:  # item_distribution: who answered each item
        for i in (item_ids or {}).get(d, []):
            if i in responses.columns:
                _count(responses[pd.to_numeric(responses[i], errors="coerce").notna()], "item", str(i))
    waves = sorted(set(scores["wave"].astype(str)))
    if len(waves) >= 2 and "respondent_id" in scores:
        for d in domains:
            s = scores[scores[d].notna()]
            per = s.groupby(s["respondent_id"].astype(str))["wave"].nunique()
            both = s[s["respondent_id"].astype(str).isin(per.index[per >= 2])]
            both = both.drop_duplicates("respondent_id").assign(wave="both")
            _count(both, "linked", d)
    cols = ["family", "domain", "school", "role", "wave", "n"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return out[cols].reset_index(drop=True)


# ====================================================================== ledger
def _fact(
    rows: list,
    *,
    family,
    domain,
    unit,
    table,
    column,
    value,
    schools=None,
    roles=None,
    waves=None,
    shown=True,
    fixed=False,
    depends=None,
) -> None:
    rows.append(
        {
            "family": family,
            "domain": domain,
            "unit": tuple(unit),
            "table": table,
            "column": column,
            "value": float(value) if value is not None and not pd.isna(value) else np.nan,
            "schools": None if schools is None else tuple(sorted(str(s) for s in schools)),
            "roles": None if roles is None else tuple(sorted(roles)),
            "waves": None if waves is None else tuple(sorted(waves)),
            "shown": bool(shown),
            "fixed": bool(fixed),
            "depends": None if depends is None else tuple(sorted(tuple(u) for u in depends)),
        }
    )


def _derived(rows: list, *, domain, unit, table, column, members: dict) -> None:
    """A statistic computed from several shown profile rows (a leave-one-out, district or network mean).

    It publishes the pooled count and sum of ``members`` (school -> n), so it is a fact over their
    cells; it is recomputed when one of them is blanked, hence ``depends`` on each member's unit
    (the auditor drops it with them) and is never blanked on its own (``fixed``).
    """
    if not members:
        return
    _fact(
        rows,
        family="scored",
        domain=domain,
        unit=unit,
        table=table,
        column=column,
        value=float(sum(members.values())),
        schools=list(members),
        roles=_TEACH_LEAD,
        waves=["baseline"],
        fixed=True,
        depends=[("school", s, domain) for s in members],
    )


def _blank(v) -> bool:
    return (
        v is None
        or v is pd.NA
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and v.strip() == "")
    )


def _shown(row) -> bool:
    return _blank(row.get("suppressed", ""))


def build_ledger(ctx) -> pd.DataFrame:
    """Every count and mean published by a report run, as linear facts over atomic cells.

    Parameters
    ----------
    ctx : ReportContext
        After :func:`assetinv.report.pipeline.compute_analyses` (its tables
        and the scores in ``ctx.results``).

    Returns
    -------
    DataFrame
        One row per fact: ``family, domain, unit, table, column, value,
        schools, roles, waves, shown, fixed``. ``schools``/``roles``/``waves``
        are tuples (``None`` = all). ``shown`` is False for a group a table
        suppressed (kept so the auditor can protect it). ``fixed`` facts are
        totals the auditor never blanks (page sentences such as the number
        of responses per wave). ``value`` is the published count (NaN when
        blank).

    Examples
    --------
    >>> from assetinv.report import load_context  # doctest: +SKIP
    >>> build_ledger(load_context())["table"].unique()[:3]  # doctest: +SKIP
    array(['participation', 'data_quality', 'pages'], dtype=object)
    """
    t = ctx.tables
    rows: list[dict] = []
    scores = ctx.results["scores"]
    dist = scores.assign(school=scores["school"].astype(str), district=scores["district"].astype(str))
    in_district = dist.groupby("district")["school"].agg(lambda s: tuple(sorted(set(s)))).to_dict()
    _respondent_facts(rows, ctx, scores)
    _profile_facts(rows, t.get("asset_profile", pd.DataFrame()), list(ctx.results["domains"]), in_district)
    _change_facts(rows, t.get("change", pd.DataFrame()))
    _gap_facts(rows, t, in_district)
    _reliability_facts(rows, t)
    _item_facts(rows, t.get("item_distribution"))
    return pd.DataFrame(rows, columns=_LEDGER_COLUMNS)


_LEDGER_COLUMNS = [
    "family",
    "domain",
    "unit",
    "table",
    "column",
    "value",
    "schools",
    "roles",
    "waves",
    "shown",
    "fixed",
    "depends",
]


def _respondent_facts(rows: list, ctx, scores: pd.DataFrame) -> None:
    """Respondent counts: participation, data quality and the pages' sentences."""
    t = ctx.tables
    for r in t.get("participation", pd.DataFrame()).to_dict("records"):
        _fact(
            rows,
            family="respondents",
            domain="*",
            unit=("participation", str(r["school"]), str(r["wave"])),
            table="participation",
            column="responded",
            value=r["responded"],
            schools=[r["school"]],
            waves=[str(r["wave"])],
            shown=_shown(r),
        )
    dq = t.get("data_quality", pd.DataFrame())
    for r in (
        dq[dq.get("stage", pd.Series(dtype=str)).astype(str) == "used"].to_dict("records") if len(dq) else []
    ):
        _fact(
            rows,
            family="respondents",
            domain="*",
            unit=("data_quality", "used"),
            table="data_quality",
            column="rows",
            value=r["rows"],
            fixed=True,
        )
    for w, n in scores.groupby(scores["wave"].astype(str)).size().items():  # network summary overview
        _fact(
            rows,
            family="respondents",
            domain="*",
            unit=("page", "network", w),
            table="pages",
            column="responses per wave",
            value=n,
            waves=[w],
            fixed=True,
        )
    at_school = scores["school"].astype(str).value_counts()
    for s in ctx.school_ids:  # school page, data quality: "k of N survey responses here"
        n = int(at_school.get(s, 0))
        if n:
            _fact(
                rows,
                family="respondents",
                domain="*",
                unit=("page", s),
                table="pages",
                column="responses at the school",
                value=n,
                schools=[s],
                shown=s not in ctx.results.get("hidden_counts", ()),
            )


def _school_fact(rows: list, family: str, domain: str, table: str, column: str, r: dict) -> None:
    """A school row's ``n`` (baseline teachers and leaders), shown unless the row is suppressed."""
    _fact(
        rows,
        family=family,
        domain=domain,
        unit=("school", str(r["school"]), domain),
        table=table,
        column=column,
        value=r["n"],
        schools=[r["school"]],
        roles=_TEACH_LEAD,
        waves=["baseline"],
        shown=_shown(r),
    )


def _profile_facts(rows: list, prof: pd.DataFrame, domains: list, in_district: dict) -> None:
    """Asset profile: each school's row, and the network, other-schools and district means over them."""
    for d in domains:
        p = prof[prof["domain"] == d] if len(prof) else prof
        for r in p.to_dict("records"):
            _school_fact(rows, "scored", d, "asset_profile", "n, mean", r)
        # the network mean, each school's leave-one-out "other schools" mean (others_mean x (N - n) = network
        # sum - school sum) and the pages' district means pool the shown rows only (asset_profile leaves
        # suppressed schools out, secondary ones too): facts in the span of the school rows, kept in the
        # ledger so that a change pooling a hidden school into them would be caught
        ok = p[[_shown(r) and not _blank(r["n"]) for r in p.to_dict("records")]] if len(p) else p
        members = {str(s): float(n) for s, n in zip(ok["school"], ok["n"])} if len(ok) else {}
        if len(p) and "network_mean" in p and p["network_mean"].notna().any():
            _derived(
                rows,
                domain=d,
                unit=("network_mean", d),
                table="asset_profile",
                column="network_mean",
                members=members,
            )
        if "others_mean" in ok:
            _others_facts(
                rows, d, [r for r in ok.to_dict("records") if not _blank(r["others_mean"])], members
            )
        for dist, sch in sorted(in_district.items()):
            _derived(
                rows,
                domain=d,
                unit=("district_mean", dist, d),
                table="pages",
                column="district_mean (school page profile, network page districts compared)",
                members={k: v for k, v in members.items() if k in sch},
            )


def _others_facts(rows: list, domain: str, shown: list[dict], members: dict) -> None:
    """Each shown school's leave-one-out "other schools" mean: :func:`_derived` over ``members`` but that
    school, its sorted schools and units cut from the whole set's once (the sets are the network's size,
    one per school: sorting each again made the ledger grow with the square of the network).
    """
    if not members:
        return
    everyone = tuple(sorted(members))
    units = tuple(("school", k, domain) for k in everyone)
    at = {k: i for i, k in enumerate(everyone)}
    for r in shown:
        me = str(r["school"])
        others = {k: v for k, v in members.items() if k != me}
        if not others:
            continue
        i = at.get(me)
        schools = everyone if i is None else everyone[:i] + everyone[i + 1 :]
        depends = units if i is None else units[:i] + units[i + 1 :]
        rows.append(
            {
                "family": "scored",
                "domain": domain,
                "unit": ("others_mean", me, domain),
                "table": "asset_profile",
                "column": "others_mean",
                "value": float(sum(others.values())),
                "schools": schools,
                "roles": tuple(sorted(_TEACH_LEAD)),
                "waves": ("baseline",),
                "shown": True,
                "fixed": True,
                "depends": depends,
            }
        )


# The change table's counts: column, fact family, the waves it counts (a linked pair spans both).
_CHANGE_COUNTS = (
    ("n_baseline", "scored", ["baseline"]),
    ("n_followup", "scored", ["followup"]),
    ("n_linked", "linked", None),
)


def _change_facts(rows: list, ch: pd.DataFrame) -> None:
    """Change: the baseline and follow-up counts (and the linked count) of the network and each school."""
    counts = _CHANGE_COUNTS if "n_linked" in ch.columns else _CHANGE_COUNTS[:2]
    for r in ch.to_dict("records"):
        d, sc = r["domain"], str(r["scope"])
        net = sc == "network"
        unit: tuple = ("change_network", d) if net else ("school", sc, d)
        for col, family, waves in counts:
            _fact(
                rows,
                family=family,
                domain=d,
                unit=unit,
                table="change",
                column=col,
                value=r[col],
                schools=None if net else [sc],
                roles=_TEACH_LEAD,
                waves=waves,
                shown=not _blank(r[col]),
            )


def _gap_facts(rows: list, t: dict, in_district: dict) -> None:
    """Perception gaps: teacher and leader counts of the network, each district and each school."""
    for name in ("gaps_network", "gaps_by_school"):
        g = t.get(name, pd.DataFrame())
        for r in g.to_dict("records"):
            lv, grp, d = str(r["level"]), str(r["group"]), r["domain"]
            sch = None if lv == "network" else (in_district.get(grp, ()) if lv == "district" else [grp])
            unit = ("school", grp, d) if lv == "school" else ("gap", lv, grp, d)
            for col, role in (("n_teachers", "teacher"), ("n_leaders", "leader")):
                _fact(
                    rows,
                    family="scored",
                    domain=d,
                    unit=unit,
                    table=name,
                    column=col,
                    value=r[col],
                    schools=sch,
                    roles=[role],
                    waves=["baseline"],
                    shown=_shown(r),
                )


def _reliability_facts(rows: list, t: dict) -> None:
    """Reliability: school counts, the network n and mean, the ICC's mean group size."""
    rs = t.get("reliability_schools", pd.DataFrame())
    for r in rs.to_dict("records"):
        _school_fact(rows, "answered", r["domain"], "reliability_schools", "n", r)
    rd = t.get("reliability_domains", pd.DataFrame())
    for r in rd.to_dict("records"):
        unit = ("reliability_network", r["domain"])
        if not _blank(r.get("n")):  # psych's n.obs: every baseline row of school staff
            _fact(
                rows,
                family="respondents",
                domain="*",
                unit=unit,
                table="reliability_domains",
                column="n",
                value=r.get("n"),
                roles=_TEACH_LEAD,
                waves=["baseline"],
            )
        if not _blank(r.get("mean")):  # the mean of everyone who answered an item of the domain
            _fact(
                rows,
                family="answered",
                domain=r["domain"],
                unit=unit,
                table="reliability_domains",
                column="mean",
                value=np.nan,
                roles=_TEACH_LEAD,
                waves=["baseline"],
            )
    ri = t.get("reliability_icc", pd.DataFrame())
    for r in ri.to_dict("records"):
        if not _blank(r.get("mean_group_size")):
            _fact(
                rows,
                family="answered",
                domain=r["domain"],
                unit=("reliability_icc", r["domain"]),
                table="reliability_icc",
                column="mean_group_size x n_groups",
                value=float(r["mean_group_size"]) * float(r["n_groups"]),
                roles=_TEACH_LEAD,
                waves=["baseline"],
            )


def _item_facts(rows: list, items: pd.DataFrame | None) -> None:
    """``item_distribution``: per item, the school rows and the district and network rows that pool them.

    The family is ``item`` with the item id as its domain (cells: baseline teachers and leaders who
    answered that item). A row's answer counts (``pct_k`` x ``n``) are facts over the same cells as
    its ``n``, so the rank test of the counts covers them: a set whose count is not determined has no
    determined answer distribution either.
    """
    if items is None or not len(items):
        return
    pct = ", ".join(c for c in items.columns if str(c).startswith("pct_"))
    for item, g in items.groupby("item", sort=True):
        recs = g.to_dict("records")  # plain dicts: a row is read many times, a Series row is slow to build
        shown = [r for r in recs if r["level"] == "school" and _shown(r) and not _blank(r["n"])]
        in_district: dict[str, list[str]] = {}
        for r in shown:
            in_district.setdefault(str(r["district"]), []).append(str(r["group"]))
        everyone = [str(r["group"]) for r in shown]
        for r in recs:
            lv, grp = str(r["level"]), str(r["group"])
            if lv == "school":
                members = [grp]
            elif lv == "district":
                members = in_district.get(grp, [])
            else:
                members = everyone
            if not members:
                continue
            _fact(
                rows,
                family="item",
                domain=str(item),
                unit=("item", lv, grp, str(item)),
                table="item_distribution",
                column=f"n, {pct}",
                value=r["n"],
                schools=members,
                roles=_TEACH_LEAD,
                waves=["baseline"],
                shown=_shown(r),
            )


# ====================================================================== audit
def _mask(cells: pd.DataFrame, schools, roles, waves) -> np.ndarray:
    """The cells of ``cells`` a fact over ``schools x roles x waves`` pools (``None`` = all)."""
    return _Block(cells).mask(schools, roles, waves)


class _Block:
    """The cells of one (family, domain) with integer codes, so that a fact's cells are three table lookups.

    Masks are cached by their ``(schools, roles, waves)`` key: the same group appears in many tables (a
    school's domain in the profile, the gaps, the reliability and the change tables).
    """

    def __init__(self, cells: pd.DataFrame):
        self.size = len(cells)
        self.codes, self.index = [], []
        for col in ("school", "role", "wave"):
            codes, uniques = pd.factorize(cells[col].astype(str), sort=False)
            self.codes.append(np.asarray(codes))
            self.index.append({str(v): i for i, v in enumerate(uniques)})
        self._cache: dict = {}

    def mask(self, schools, roles, waves) -> np.ndarray:
        key = tuple(None if v is None else tuple(v) for v in (schools, roles, waves))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        m = np.ones(self.size, dtype=bool)
        for values, codes, index in zip(key, self.codes, self.index):
            if values is None:
                continue
            lut = np.zeros(len(index) + 1, dtype=bool)
            lut[[index[v] for v in map(str, values) if v in index]] = True
            m &= lut[codes]
        self._cache[key] = m
        return m

    def matrix(self, lb: pd.DataFrame) -> sp.csr_matrix:
        """One 0/1 row per fact of ``lb`` (sparse: a fact pools few cells, or most of them).

        A fact of a few schools is read from those schools' cells; a larger one through :meth:`mask`.
        """
        seen: dict = {}
        rows = []
        for s, r, w in zip(lb["schools"], lb["roles"], lb["waves"]):
            key = tuple(None if v is None else tuple(v) for v in (s, r, w))
            if key not in seen:  # the same group is published in several tables
                seen[key] = self._cells(s, r, w)
            rows.append(seen[key])
        self._cache.clear()
        indptr = np.r_[0, np.cumsum([len(r) for r in rows])].astype(np.int64)
        idx = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        return sp.csr_matrix((np.ones(len(idx)), idx, indptr), shape=(len(lb), self.size))

    def _cells(self, schools, roles, waves) -> np.ndarray:
        """The cell indices of a fact, in increasing order (as ``np.flatnonzero(self.mask(...))``).

        A fact of a few schools (most facts are one school's) is read from those schools' few cells in
        plain Python, which is several times quicker than a mask over every cell of the block.
        """
        if schools is None or len(schools) > 8:
            return np.flatnonzero(self.mask(schools, roles, waves))
        if not hasattr(self, "_of_school"):
            self._of_school: dict[int, list[int]] = {}
            for cell, c in enumerate(self.codes[0].tolist()):
                self._of_school.setdefault(c, []).append(cell)
            self._rw = list(zip(self.codes[1].tolist(), self.codes[2].tolist()))
        ok_r = None if roles is None else {self.index[1].get(str(v), -1) for v in roles}
        ok_w = None if waves is None else {self.index[2].get(str(v), -1) for v in waves}
        out = set()
        for v in schools:
            for cell in self._of_school.get(self.index[0].get(str(v), -1), ()):
                r, w = self._rw[cell]
                if (ok_r is None or r in ok_r) and (ok_w is None or w in ok_w):
                    out.add(cell)
        return np.array(sorted(out), dtype=np.int64)

    def geometry(self) -> tuple[np.ndarray, np.ndarray]:
        """Per cell, its school's code and its role x wave code (see :class:`assetinv._factspace.FactSpace`)."""
        pos = self.codes[1] * (max(self.codes[2].max(initial=0), 0) + 1) + self.codes[2]
        return self.codes[0], pd.factorize(pos)[0]


def _label(block: tuple, c) -> str:
    return f"{block[0]} {block[1]}: {c[0]} {c[1]} {c[2]}"


def _targets(
    cells: pd.DataFrame, ledger: pd.DataFrame, min_n: int, block: tuple, M: sp.csr_matrix
) -> Targets:
    """Sensitive sets of one (family, domain) block: small cells, small pairs, small suppressed groups.

    ``M`` is the block's fact matrix (:meth:`_Block.matrix` of ``ledger``).
    """
    n = cells["n"].to_numpy(dtype=float)
    key = list(zip(cells["school"], cells["role"], cells["wave"]))
    groups = []
    seen = set()
    sums = M @ n
    tables, units = list(ledger["table"]), list(ledger["unit"])
    for i in map(int, np.flatnonzero(~ledger["shown"].to_numpy(dtype=bool))):
        idx = np.sort(M.indices[M.indptr[i] : M.indptr[i + 1]])
        k = idx.tobytes()
        if 0 < sums[i] < min_n and k not in seen and len(idx) > 1:
            seen.add(k)
            groups.append((f"{block[0]} {block[1]}: {tables[i]} {' / '.join(map(str, units[i]))}", idx))

    def cell_label(i: int, first: bool) -> str:
        return _label(block, key[i]) if first else f"{key[i][0]} {key[i][1]} {key[i][2]}"

    return Targets(n, min_n, groups, cell_label)


def _blocks(ledger: pd.DataFrame, cells: pd.DataFrame):
    """``(family, domain), facts, cells`` of every block of the ledger that has cells (matrices on demand)."""
    if not len(ledger):
        return
    by_cell = {k: g.reset_index(drop=True) for k, g in cells.groupby(["family", "domain"], sort=False)}
    for key, lb in ledger.groupby(["family", "domain"], sort=True):
        cb = by_cell.get(key)
        if cb is None or cb.empty:
            continue
        yield key, lb.reset_index(drop=True), cb


class _Facts:
    """A block's facts as plain lists, so that "which facts are still published" is a cheap scan."""

    def __init__(self, lb: pd.DataFrame):
        self.shown = list(lb["shown"].astype(bool))
        self.unit = list(lb["unit"])
        self.fixed = list(lb["fixed"].astype(bool))
        self.deps = _depends(lb)
        self.units = set(self.unit)

    def active(self, removed: set) -> list[int]:
        """Facts still published: shown, their unit not blanked, and none of the units they derive from
        blanked (a derived mean is recomputed without a blanked school; the recomputed one is in the next
        round's ledger).
        """
        if not removed:
            return [i for i, s in enumerate(self.shown) if s]
        if not hasattr(self, "_dep_sets"):  # leave-one-out facts depend on every other school: sets, once
            self._dep_sets = [frozenset(d) if d else None for d in self.deps]
        return [
            i
            for i, (s, u, d) in enumerate(zip(self.shown, self.unit, self._dep_sets))
            if s and u not in removed and not (d and any(x in d for x in removed))
        ]


@dataclass
class _Work:
    """One block as the auditor sees it: facts, cells, the fact matrix, and bounds from suppressed groups."""

    facts: _Facts
    M: sp.csr_matrix
    n: np.ndarray
    school: np.ndarray
    pos: np.ndarray
    targets: Targets
    A_ub: sp.csr_matrix | None = None
    b_ub: np.ndarray | None = None

    def published(self, rows: list[int]) -> tuple[sp.csr_matrix, FactSpace]:
        A = unique_rows(self.M[rows]) if rows else sp.csr_matrix((0, len(self.n)))
        return A, FactSpace(A, self.school, self.pos)


def _work(lb: pd.DataFrame, cb: pd.DataFrame, min_n: int, block: tuple, upper: bool) -> _Work:
    bl = _Block(cb)
    M = bl.matrix(lb)
    n = cb["n"].to_numpy(dtype=float)
    w = _Work(_Facts(lb), M, n, *bl.geometry(), _targets(cb, lb, min_n, block, M))
    if upper:  # a suppressed small group holds at most min_n - 1
        sums = M @ n
        hid = [i for i in range(M.shape[0]) if not w.facts.shown[i] and 0 < sums[i] < min_n]
        if hid:
            w.A_ub, w.b_ub = M[hid], np.full(len(hid), min_n - 1.0)
    return w


def audit_ledger(
    ledger: pd.DataFrame, cells: pd.DataFrame, min_n: int = MIN_N, *, lp: bool = True
) -> AuditResult:
    """Find every sensitive set the published facts determine; choose units to blank until none is.

    Parameters
    ----------
    ledger : DataFrame
        Output of :func:`build_ledger` (or the same columns).
    cells : DataFrame
        Output of :func:`ledger_cells`.
    min_n : int
        Groups of 1 to ``min_n - 1`` respondents are sensitive.
    lp : bool
        After the rank test, also bound every sensitive count by linear
        programming (counts >= 0; a suppressed small group holds at most
        ``min_n - 1``) and blank more units while an interval is narrower than
        one respondent (e.g. three suppressed schools that together hold 12
        must hold 4 each). An LP is solved only when a cheaper certificate
        (:func:`_floors`) cannot show the interval is wide.

    Returns
    -------
    AuditResult
        ``added`` lists the units to blank (greedy, deterministic: for each
        determined set in sort order, the unit with the fewest respondents
        among those the minimum-norm solution uses); ``residual`` what no
        blankable unit can protect.

    Notes
    -----
    The rank test and the certificates work on the factored null space of
    :mod:`assetinv._factspace` (school by school, with the network's totals as
    auxiliary unknowns), so the cost grows with the number of schools rather
    than with its cube, and pairs of small cells are judged from a Gram matrix
    rather than a vector each. The verdicts equal those of dense linear
    algebra on the whole fact matrix (``tests/test_disclosure_fast.py``).

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"family": "scored", "domain": "OS", "school": ["A", "B", "C"], "role": "teacher",
    ...                       "wave": "baseline", "n": [3, 9, 12]})
    >>> def f(u, sch, shown=True, fixed=False):
    ...     return {"family": "scored", "domain": "OS", "unit": u, "table": "t", "column": "n", "value": 0,
    ...             "schools": sch, "roles": None, "waves": None, "shown": shown, "fixed": fixed}
    >>> led = pd.DataFrame([f(("s", "A"), ("A",), False), f(("s", "B"), ("B",)), f(("s", "C"), ("C",)),
    ...                     f(("district",), None, fixed=True)])
    >>> audit_ledger(led, cells).added
    [('s', 'B')]

    References
    ----------
    Hundepool, A., et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 4.3 and 7.
    """
    res = AuditResult(facts=int(ledger["shown"].sum()) if len(ledger) else 0)
    removed: set = set()
    blocks = list(_blocks(ledger, cells))
    cost = _unit_cost(ledger, blocks)
    # the survey scores first: a school hidden there is then preferred in the other families
    rank = {"scored": 0, "answered": 1, "linked": 2, "respondents": 3}
    for block, lb, cb in sorted(blocks, key=lambda b: (rank.get(b[0][0], 9), b[0])):
        w = _work(lb, cb, min_n, block, lp)
        res.checked += len(w.targets)
        if not len(w.targets):
            continue
        _rank_phase(w, removed, cost, res)
        if lp:
            _lp_phase(w, removed, cost, res)
    return res


def _determined(space: FactSpace, tg: Targets) -> np.ndarray:
    """Which sets of ``tg`` lie in the row space of the facts of ``space`` (in the auditor's order)."""
    sq = np.r_[np.ones(tg.n_single), np.full(tg.n_pair, 2.0), [float(len(c)) for _l, c in tg.groups]]
    return _gains(space, tg) <= _TOL_DET**2 * np.maximum(sq, 1.0)


def _gains(space: FactSpace, tg: Targets, parts: tuple | None = None) -> np.ndarray:
    """Per set, ``|z|^2``: its squared residual off the facts' row space (0 when determined)."""
    F, sign = parts if parts is not None else space.cell_parts(tg.small)
    g1 = space.proj[tg.small, space.local_index[tg.small]] + np.einsum("ij,j,ij->i", F, sign, F)
    out = [g1, _pair_gains(space, tg, F * sign, F, g1)]
    out.append(np.array([space.vector_residual(indicator(c, len(tg.n)))[0] for _l, c in tg.groups]))
    return np.concatenate(out)


def _pair_gains(space: FactSpace, tg: Targets, FS: np.ndarray, F: np.ndarray, g1: np.ndarray) -> np.ndarray:
    """``|z_i + z_j|^2`` of every pair, from the Gram matrix of the small cells' residuals (in row chunks)."""
    if not tg.n_pair:
        return np.zeros(0)
    ci, cj = tg.small[tg.pi], tg.small[tg.pj]
    same = space.school[ci] == space.school[cj]
    cross = np.zeros(tg.n_pair)
    cross[same] = space.proj[ci[same], space.local_index[cj[same]]]
    starts = np.searchsorted(tg.pi, np.arange(0, len(tg.small) + _ROWS, _ROWS))
    for a in range(0, len(tg.small), _ROWS):
        lo, hi = starts[a // _ROWS], starts[a // _ROWS + 1]
        if hi > lo:
            Gc = FS[a : a + _ROWS] @ F.T
            cross[lo:hi] += Gc[tg.pi[lo:hi] - a, tg.pj[lo:hi]]
    return g1[tg.pi] + g1[tg.pj] + 2.0 * cross


def _rank_phase(w: _Work, removed: set, cost: dict, res) -> None:
    """Blank units while some sensitive set lies in the row space of the published facts."""
    tg, facts = w.targets, w.facts
    done = np.zeros(len(tg), dtype=bool)
    while True:
        act = facts.active(removed)
        det = _determined(w.published(act)[1], tg) & ~done
        if not det.any():
            return
        k = int(np.flatnonzero(det)[0])
        vec = tg.vec(k, len(w.n))
        used = _units_used(facts, w.M, act, vec)
        if not used:
            res.residual.append({"label": tg.label(k)})
            done[k] = True
            continue
        hidden = {u[1] for u in removed if len(u) > 2}  # schools already hidden somewhere
        order = sorted(used, key=lambda u: (not (len(u) > 2 and u[1] in hidden), cost.get(u, np.inf), str(u)))
        pick = order[0]
        for u in order:  # the cheapest unit that protects this set on its own, if there is one
            space = w.published(facts.active(removed | {u}))[1]
            if space.vector_residual(vec)[0] > _TOL_DET**2 * max(float(vec @ vec), 1.0):
                pick = u
                break
        removed.add(pick)
        res.added.append(pick)


def _depends(lb: pd.DataFrame) -> list:
    """Per fact, the units it is computed from (derived statistics), else None."""
    if "depends" not in lb:
        return [None] * len(lb)
    return [d if isinstance(d, tuple) and d else None for d in lb["depends"]]


def _min_norm(Mr: sp.csr_matrix, target: np.ndarray) -> np.ndarray:
    """The minimum-norm ``y`` with ``Mr' y = target`` (least squares; LSQR from 0 on large blocks)."""
    if Mr.shape[0] * Mr.shape[1] <= _DENSE_LSTSQ:
        return np.linalg.lstsq(Mr.T.toarray(), target, rcond=None)[0]
    from scipy.sparse.linalg import lsqr

    return lsqr(Mr.T.tocsr(), target, atol=1e-14, btol=1e-14, conlim=1e12, iter_lim=50 * Mr.shape[0])[0]


def _units_used(facts: _Facts, M: sp.csr_matrix, act: list[int], target: np.ndarray) -> set:
    """Blankable units behind the minimum-norm combination of published facts that gives ``target``.

    Derived facts are left out of the combination when the primary facts suffice (they are in the
    span of their members); when one is needed, the units it derives from are the candidates.
    """
    prim = [i for i in act if not facts.deps[i]]
    rows: list[int] = []
    y = np.zeros(0)
    for rows in (prim, act):
        if not rows:
            continue
        y = _min_norm(M[rows], target)
        err, scale = float(np.linalg.norm(M[rows].T @ y - target)), float(np.linalg.norm(target))
        if err <= 1e-6 * max(1.0, scale) or rows is act:
            break
    used: set = set()
    for j in np.flatnonzero(np.abs(y) > 1e-9):
        i = rows[j]
        dep = facts.deps[i]
        if dep:
            used |= {u for u in dep if u in facts.units}
        elif not facts.fixed[i]:
            used.add(facts.unit[i])
    return used


def _lp_min_max(c, A, b, A_ub, b_ub) -> tuple:
    """``linprog`` (HiGHS) results minimising ``c @ x`` and ``-c @ x`` over ``A x = b, A_ub x <= b_ub, x >= 0``."""
    from scipy.optimize import linprog

    has = A is not None and A.shape[0] > 0
    kw = {
        "A_eq": A if has else None,
        "b_eq": b if has else None,
        "A_ub": A_ub,
        "b_ub": b_ub,
        "bounds": (0, None),
        "method": "highs",
    }
    return linprog(c, **kw), linprog(-c, **kw)


def _lp_width(c, A, b, A_ub, b_ub) -> float:
    """Max - min of ``c @ x`` over ``A x = b, A_ub x <= b_ub, x >= 0`` (inf when unbounded)."""
    lo, hi = _lp_min_max(c, A, b, A_ub, b_ub)
    if lo.status != 0 or hi.status != 0:
        return np.inf
    return float(-hi.fun - lo.fun)


# ---------------------------------------------------------------------- certificates
#: a certificate must show a width this much above the tolerance before an LP is skipped (LP solvers
#: work to about 1e-7; this keeps every verdict the LP itself would give)
_FLOOR_MARGIN = 1e-6
_TOL_DET = 1e-6  # a set is determined when its residual is at most this (times max(|t|, 1))
_GAIN_MIN = 1e-9  # a direction that moves a set less than this bounds nothing
_ROWS = 1024  # small cells per chunk of their Gram matrix and directions
_DENSE_LSTSQ = 4_000_000  # facts x cells up to which the minimum-norm solution is dense least squares


def _col_groups(size: int, A: sp.csr_matrix, A_ub: sp.csr_matrix | None) -> np.ndarray:
    """Cells with identical columns in every published fact and upper bound get the same group id.

    Columns are compared through two random weightings of their rows (identical columns give identical
    sums, in the same order of addition; different ones a collision of probability about 2**-100).
    """
    mats = [m for m in (A, A_ub) if m is not None and m.shape[0]]
    if not mats:
        return np.zeros(size, dtype=np.int64)
    S = sp.vstack(mats).tocsc()
    S.sort_indices()
    wts = np.random.default_rng(20240917).random((S.shape[0], 2))
    h = np.asarray(S.T @ wts)
    return np.unique(h, axis=0, return_inverse=True)[1].ravel()


def _free(tg: Targets, grp: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Per set, a width from interchangeable cells (0 when none applies).

    Two cells with identical columns in every published fact (and every upper bound) are
    interchangeable to a reader: moving respondents from one to the other changes no published
    number. When a set holds one of them (``i``) but not the other (``j``), its count can
    therefore be anything from ``value - n_i`` to ``value + n_j``: the width is at least
    ``n_i + n_j`` >= 2, so the set is neither determined nor narrowly bounded.
    """
    order = np.lexsort((np.arange(len(n)), -n, grp))
    g_sorted = grp[order]
    first = np.flatnonzero(np.r_[True, np.diff(g_sorted) != 0])
    size = np.diff(np.r_[first, len(n)])
    n_groups = len(first)
    top_i = np.full((n_groups, 3), -1, dtype=np.int64)
    for r in range(3):
        ok = size > r
        top_i[ok, r] = order[first[ok] + r]
    top_n = np.where(top_i >= 0, n[np.maximum(top_i, 0)], -np.inf)
    gid = np.searchsorted(g_sorted[first], grp)  # group row of each cell

    def best_out(c: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
        """Largest count in c's group other than c (and ``skip``)."""
        g = gid[c]
        out = np.full(len(c), -np.inf)
        for r in range(3):
            cand = top_i[g, r]
            ok = (cand >= 0) & (cand != c) & np.isinf(out)
            if skip is not None:
                ok &= cand != skip
            out[ok] = top_n[g[ok], r]
        return out

    s = tg.small
    o1 = best_out(s)
    single = np.where(np.isfinite(o1), n[s] + o1, 0.0)
    ci, cj = s[tg.pi], s[tg.pj]
    same = gid[ci] == gid[cj]
    pair = np.maximum(single[tg.pi], single[tg.pj])
    if same.any():
        o = best_out(ci[same], cj[same])
        pair[same] = np.where(np.isfinite(o), np.maximum(n[ci[same]], n[cj[same]]) + o, 0.0)
    grp_w = [_free_one(c, gid, n) for _l, c in tg.groups]
    return np.concatenate([single, pair, np.array(grp_w, dtype=float)])


def _free_one(cells: np.ndarray, gid: np.ndarray, n: np.ndarray) -> float:
    inside = np.zeros(len(n), dtype=bool)
    inside[cells] = True
    best = 0.0
    for g in np.unique(gid[cells]):
        members = gid == g
        out = members & ~inside
        if out.any():
            best = max(best, float(n[members & inside].max() + n[out].max()))
    return best


def _sigmas(X: np.ndarray, n: np.ndarray, A_ub, slack) -> tuple[np.ndarray, np.ndarray]:
    """Per direction (column of X), the reciprocal of its longest feasible step each way."""
    ratio = X * (1.0 / n)[:, None]
    up = np.maximum(-ratio.min(axis=0, initial=0.0), 0.0)
    down = np.maximum(ratio.max(axis=0, initial=0.0), 0.0)
    if A_ub is not None:
        U = np.asarray(A_ub @ X)
        room = np.maximum(slack, 0.0)[:, None]  # a group already at min_n - 1 allows no step: U / 0 = inf
        with np.errstate(divide="ignore", invalid="ignore"):
            r_up = np.where(U > 1e-12, U / room, 0.0)
            r_dn = np.where(U < -1e-12, -U / room, 0.0)
        up = np.maximum(up, r_up.max(axis=0, initial=0.0))
        down = np.maximum(down, r_dn.max(axis=0, initial=0.0))
    return up, down


def _inv(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(x > 0, 1.0 / np.where(x > 0, x, 1.0), np.inf)


def _span(gain: np.ndarray, up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """``(step up + step down) * gain``, 0 where the direction barely moves the set."""
    with np.errstate(invalid="ignore"):
        out = (_inv(up) + _inv(down)) * gain
    return np.where(gain > _GAIN_MIN, out, 0.0)


def _null_floors(space: FactSpace, tg: Targets, n: np.ndarray, A_ub, b_ub) -> np.ndarray:
    """Per set, a lower bound on its LP width from one feasible null-space direction (0 when determined).

    The true counts ``n`` satisfy every published fact. Moving them along a direction ``x`` of the
    facts' null space changes no published number and changes the set by ``t . x``; the move stays
    feasible while every count stays >= 0 and every suppressed small group stays <= ``min_n - 1``. The
    feasible steps either way give an interval of the set's values a reader cannot rule out. For a small
    cell, ``x`` is its residual's image ``Phi z_c``; for a pair, the sum of the two, whose feasible
    step is at least ``1 / (sigma_i + sigma_j)``; when that bound is not enough, the pair's own step.
    """
    slack = (b_ub - A_ub @ n) if A_ub is not None else None
    F, sign = space.cell_parts(tg.small)
    ups, downs = np.zeros(len(tg.small)), np.zeros(len(tg.small))
    for a in range(0, len(tg.small), _ROWS):
        X = space.directions(tg.small[a : a + _ROWS], F[a : a + _ROWS])
        ups[a : a + _ROWS], downs[a : a + _ROWS] = _sigmas(X, n, A_ub, slack)
    gains = _gains(space, tg, (F, sign))
    g1, g2 = gains[: tg.n_single], gains[tg.n_single : tg.n_single + tg.n_pair]
    single = _span(g1, ups, downs)
    pair = _span(g2, ups[tg.pi] + ups[tg.pj], downs[tg.pi] + downs[tg.pj])
    for k in np.flatnonzero((pair < 1.0 + _FLOOR_MARGIN) & (g2 > _GAIN_MIN)):  # the pair's own direction
        pair[k] = _exact_floor(space, tg.cells(tg.n_single + int(k)), n, A_ub, slack)
    grp = [_exact_floor(space, c, n, A_ub, slack) for _l, c in tg.groups]
    return np.concatenate([single, pair, np.array(grp, dtype=float)])


def _exact_floor(space: FactSpace, cells: np.ndarray, n: np.ndarray, A_ub, slack) -> float:
    gain, x = space.vector_residual(indicator(cells, len(n)))
    up, down = _sigmas(x[:, None], n, A_ub, slack)
    return float(_span(np.array([gain]), up, down)[0])


def _floors(w: _Work, A: sp.csr_matrix, space: FactSpace, tg: Targets | None = None) -> tuple:
    """Both certificates (:func:`_free`, :func:`_null_floors`) for every set of ``tg`` (default: the block's)."""
    tg = tg or w.targets
    free = _free(tg, _col_groups(len(w.n), A, w.A_ub), w.n)
    return free, np.maximum(free, _null_floors(space, tg, w.n, w.A_ub, w.b_ub))


def _one(w: _Work, k: int) -> Targets:
    """Set ``k`` of the block as a one-set :class:`Targets` (a group, whatever its size)."""
    tg = w.targets
    return Targets(w.n, 0, [(tg.label(k), tg.cells(k))], tg.cell_label)


def _wide(floor: float) -> bool:
    return bool(floor >= 1.0 + _FLOOR_MARGIN)


def _lp_phase(w: _Work, removed: set, cost: dict, res) -> None:
    """Counts are non-negative and a suppressed small group holds at most ``min_n - 1``: blank more units
    while some sensitive count is pinned to an interval narrower than one respondent.
    """
    tg, facts = w.targets, w.facts
    skip: set = set()
    for _ in range(200):
        act = facts.active(removed)
        A, space = w.published(act)
        free, floor = _floors(w, A, space)
        exact = next(
            (
                int(k)
                for k in np.flatnonzero((free < 1.0) & (floor < 1.0 + _FLOOR_MARGIN))
                if int(k) not in skip
                and _lp_width(tg.vec(int(k), len(w.n)), A, A @ w.n, w.A_ub, w.b_ub) < 1.0
            ),
            None,
        )
        if exact is None:
            return
        vec = tg.vec(exact, len(w.n))
        used = sorted(
            {facts.unit[i] for i in act if not facts.fixed[i]},
            key=lambda u: (cost.get(u, np.inf), str(u)),
        )
        pick = None
        for u in used:
            A2, space2 = w.published(facts.active(removed | {u}))
            if (
                _wide(_floors(w, A2, space2, _one(w, exact))[1][0])
                or _lp_width(vec, A2, A2 @ w.n, w.A_ub, w.b_ub) >= 1.0
            ):
                pick = u
                break
        if pick is None:
            res.residual.append({"label": tg.label(exact) + " (LP bounds)"})
            skip.add(exact)
            continue
        removed.add(pick)
        res.added.append(pick)


def _unit_cost(ledger: pd.DataFrame, blocks: list) -> dict:
    """Respondents behind each unit (its largest fact): the auditor blanks small units first."""
    cost: dict = {u: 0.0 for u in ledger["unit"]} if len(ledger) else {}
    for _key, lb, cb in blocks:
        sums = _Block(cb).matrix(lb) @ cb["n"].to_numpy(dtype=float)
        for u, v in zip(lb["unit"], sums):
            cost[u] = max(cost[u], float(v))
    return cost


def count_bounds(ledger: pd.DataFrame, cells: pd.DataFrame, min_n: int = MIN_N) -> dict:
    """Linear-programming bounds a reader can put on each sensitive count.

    For every sensitive set of :func:`audit_ledger`, minimise and maximise its
    count subject to the published facts (``A x = b``), ``x >= 0``, and what
    the tables say in words: a suppressed small group holds at most
    ``min_n - 1`` respondents. An LP is solved only where it can matter: for
    every set whose certified lower bound on the width (:func:`_floors`)
    is under one respondent, then for the others in increasing order of that
    bound while it is below the narrowest width found (a set whose width is
    known to be at least the narrowest cannot lower it).

    Parameters
    ----------
    ledger, cells, min_n
        As in :func:`audit_ledger` (use the ledger after suppression).

    Returns
    -------
    dict
        ``sets`` (number bounded), ``narrowest`` (smallest max - min found),
        ``exact`` (labels whose bounds meet, i.e. determined).

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"family": "scored", "domain": "OS", "school": ["A", "B"], "role": "teacher",
    ...                       "wave": "baseline", "n": [3, 2]})
    >>> led = pd.DataFrame([{"family": "scored", "domain": "OS", "unit": ("t",), "table": "t", "column": "n",
    ...                      "value": 5, "schools": None, "roles": None, "waves": None, "shown": True,
    ...                      "fixed": True}])
    >>> count_bounds(led, cells)["narrowest"]  # only A + B = 5 is published: A (or B) is anything from 0 to 5
    5.0
    """
    out: dict[str, Any] = {"sets": 0, "narrowest": None, "exact": []}
    blocks = list(_blocks(ledger, cells))
    later: list[tuple] = []  # per block: certified lower bounds on the widths (ascending), block, sets
    for bi, (block, lb, cb) in enumerate(blocks):
        w, args = _bounds_work(block, lb, cb, min_n)
        tg = w.targets
        out["sets"] += len(tg)
        if not len(tg):
            continue
        floors = _floors(w, args[0], args[-1])[1]
        is_wide = floors >= 1.0 + _FLOOR_MARGIN
        for k in np.flatnonzero(~is_wide):
            _bound(out, tg.vec(int(k), len(w.n)), args[:4], tg.label(int(k)))
        wide = np.flatnonzero(is_wide)
        wide = wide[np.argsort(floors[wide], kind="stable")]
        if out["narrowest"] is None and len(wide):  # a first width, so that the rest can be pruned
            _bound(out, tg.vec(int(wide[0]), len(w.n)), args[:4], tg.label(int(wide[0])))
            wide = wide[1:]
        if out["narrowest"] is not None:  # a floor at least the narrowest so far cannot lower it
            wide = wide[floors[wide] < out["narrowest"]]
        if len(wide):
            later.append((floors[wide], np.full(len(wide), bi), wide))
    if later:
        f_all, b_all, k_all = (np.concatenate(x) for x in zip(*later))
        if out["narrowest"] is not None:
            keep = f_all < out["narrowest"]
            f_all, b_all, k_all = f_all[keep], b_all[keep], k_all[keep]
        order = np.argsort(f_all, kind="stable")  # ties: block order, then the block's own order
        later = list(zip(f_all[order].tolist(), b_all[order].tolist(), k_all[order].tolist()))
    cache: dict = {}
    for floor, bi, k in later:
        if out["narrowest"] is not None and floor >= out["narrowest"]:
            break  # this width, and every later one, is at least the narrowest found: none can lower it
        if bi not in cache:
            cache.clear()
            block, lb, cb = blocks[bi]
            cache[bi] = _bounds_work(block, lb, cb, min_n)
        w, args = cache[bi]
        _bound(out, w.targets.vec(k, len(w.n)), args[:4], w.targets.label(k))
    return out


def _bounds_work(block: tuple, lb: pd.DataFrame, cb: pd.DataFrame, min_n: int) -> tuple:
    """A block's work and LP arguments ``(A, b, A_ub, b_ub, space)`` for :func:`count_bounds`."""
    w = _work(lb, cb, min_n, block, True)
    A, space = w.published(list(np.flatnonzero(lb["shown"].to_numpy(dtype=bool))))
    return w, (A, A @ w.n, w.A_ub, w.b_ub, space)


def _bound(out: dict, c: np.ndarray, args: tuple, label: str) -> None:
    """Solve both LPs of one set; record its width in ``out`` (``narrowest``, ``exact``)."""
    lo, hi = _lp_min_max(c, *args)
    if lo.status != 0 or hi.status not in (0, 3):
        return
    width = np.inf if hi.status == 3 else float(-hi.fun - lo.fun)
    if out["narrowest"] is None or width < out["narrowest"]:
        out["narrowest"] = round(width, 6)
    if width < 1.0:
        out["exact"].append(label)


# ====================================================================== the pipeline
def _blank_cols(df: pd.DataFrame, mask, cols: Iterable[str], reason: str | None = SECONDARY_REASON) -> None:
    if not mask.any():
        return
    for c in cols:
        if c in df.columns:
            if pd.api.types.is_bool_dtype(df[c]) or str(df[c].dtype) == "boolean":
                df[c] = df[c].astype("boolean")
                df.loc[mask, c] = pd.NA
            elif str(df[c].dtype) in ("Int64", "Int32"):  # nullable counts stay whole numbers
                df.loc[mask, c] = pd.NA
            elif pd.api.types.is_numeric_dtype(df[c]):
                df[c] = df[c].astype("float64")
                df.loc[mask, c] = np.nan
            else:
                df.loc[mask, c] = ""
    if reason is not None and "suppressed" in df.columns:
        df.loc[mask & (df["suppressed"].fillna("").astype(str) == ""), "suppressed"] = reason


_CHANGE_STATS = [
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "effect_size",
    "hedges_g",
    "n_baseline",
    "n_followup",
    "n_linked",
]


def _apply_units(ctx, units: Iterable[tuple]) -> None:
    """Blank every table row of the given units (the profile itself was re-run with them)."""
    t = ctx.tables
    units = list(units)
    by_kind: dict[str, list] = {}
    for u in units:
        by_kind.setdefault(u[0], []).append(u[1:])
    if "participation" in t:
        p = t["participation"]
        for s, w in by_kind.get("participation", []):
            _blank_cols(
                p,
                (p["school"].astype(str) == s) & (p["wave"].astype(str) == w),
                ["responded", "response_rate"],
            )
    for (s,) in [u for u in by_kind.get("page", []) if len(u) == 1]:
        ctx.results.setdefault("hidden_counts", set()).add(s)
    prof = t.get("asset_profile")
    if prof is not None and "pct_favourable" in prof:
        prof.loc[prof["suppressed"].fillna("") != "", "pct_favourable"] = np.nan
    ch = t.get("change")
    if ch is not None and len(ch):
        for s, d in by_kind.get("school", []):
            m = (ch["scope"].astype(str) == s) & (ch["domain"] == d)
            _blank_cols(ch, m, _CHANGE_STATS)
            ch.loc[m, "reading"] = ""
        for (d,) in by_kind.get("change_network", []):
            m = (ch["scope"].astype(str) == "network") & (ch["domain"] == d)
            _blank_cols(ch, m, ["n_baseline", "n_followup", "n_linked"], reason=None)
            extra = (
                "network counts not shown: with the other tables they would reveal the size of a small group"
            )
            ch.loc[m, "note"] = [
                "; ".join(x for x in [str(v or ""), extra] if x) if extra not in str(v or "") else v
                for v in ch.loc[m, "note"]
            ]
    rs = t.get("reliability_schools")
    if rs is not None:
        for s, d in by_kind.get("school", []):
            _blank_cols(rs, (rs["school"].astype(str) == s) & (rs["domain"] == d), ["n", "reliability"])
    rd = t.get("reliability_domains")
    if rd is not None:
        for (d,) in by_kind.get("reliability_network", []):
            _blank_cols(rd, rd["domain"] == d, ["n", "mean"], reason=None)
    ri = t.get("reliability_icc")
    if ri is not None:
        for (d,) in by_kind.get("reliability_icc", []):
            _blank_cols(ri, ri["domain"] == d, ["mean_group_size"], reason=None)
    it = t.get("item_distribution")
    if it is not None and len(it) and by_kind.get("item"):
        keys = set(by_kind["item"])
        m = np.array(
            [(str(a), str(b), str(c)) in keys for a, b, c in zip(it["level"], it["group"], it["item"])],
            dtype=bool,
        )
        _blank_cols(it, m, ["n"] + [c for c in it.columns if str(c).startswith("pct_")])
    gaps = list(by_kind.get("gap", [])) + [("school", s, d) for s, d in by_kind.get("school", [])]
    if gaps:
        _apply_gaps(ctx, set(gaps))


def _item_table(ctx) -> None:
    """``item_distribution`` from the current asset profile (its school rows follow the profile's suppression)."""
    from .item_detail import item_distributions

    ctx.tables["item_distribution"] = item_distributions(
        ctx.responses,
        ctx.instrument,
        profile=ctx.tables["asset_profile"],
        schools=ctx.schools,
        min_n=ctx.min_n,
    )


def _apply_gaps(ctx, gaps: set) -> None:
    """Blank gap rows; a school's fallback row moves on to the next level that is still shown."""
    net = ctx.tables.get("gaps_network")
    if net is not None:
        m = np.array(
            [(str(r["level"]), str(r["group"]), r["domain"]) in gaps for _, r in net.iterrows()], dtype=bool
        )
        _blank_cols(net, m, GAP_STATS)
    gb = ctx.tables.get("gaps_by_school")
    if gb is None or not len(gb):
        return
    rows = []
    for _, r in gb.iterrows():
        r = r.copy()
        key = (str(r["level"]), str(r["group"]), r["domain"])
        if key in gaps or (r["level"] == "school" and not _shown(r)):
            if key in gaps and r["level"] == "school":
                why = f"This school's gap is not shown ({SECONDARY_REASON})"
            elif key in gaps:
                why = f"The {r['level']} gap is not shown ({SECONDARY_REASON})"
            else:
                rows.append(r)
                continue
            nxt = _fallback(net, r, ctx) if net is not None else None
            if nxt is not None:
                for c in nxt.index:
                    if c in r.index and c not in ("school",):
                        r[c] = nxt[c]
                where = f"district {nxt['group']}" if nxt["level"] == "district" else "the whole network"
                r["note"] = f"{why}; the gap for {where} is shown instead."
            else:
                for c in GAP_STATS:
                    r[c] = pd.NA if c == "flagged_large" else np.nan
                r["suppressed"] = SECONDARY_REASON
                r["note"] = f"{why}."
        rows.append(r)
    out = pd.DataFrame(rows, columns=gb.columns).reset_index(drop=True)
    out["flagged_large"] = out["flagged_large"].astype("boolean")
    for c in GAP_STATS[:-1]:
        out[c] = out[c].astype("float64")
    ctx.tables["gaps_by_school"] = out


def _fallback(net: pd.DataFrame, r, ctx):
    """The next shown level above a gap row (school -> district -> network), or None."""
    order = []
    if r["level"] == "school":
        d = ctx.school_district(str(r["school"]))
        if d is not None:
            order.append(("district", d))
    if r["level"] in ("school", "district"):
        order.append(("network", "network"))
    for lv, g in order:
        hit = net[
            (net["level"].astype(str) == lv)
            & (net["group"].astype(str) == str(g))
            & (net["domain"] == r["domain"])
        ]
        if len(hit) and _shown(hit.iloc[0]):
            return hit.iloc[0]
    return None


_COUNT_IN_TEXT = re.compile(r"\((\d+)( excerpts?| interviews?)?\)")


def _band_text(text):
    """Band counts that could be one person's.

    ``"Name (2)"`` becomes ``"Name (1+)"`` and ``"(1 excerpt)"`` becomes ``"(1+ excerpts)"``.
    """
    if not isinstance(text, str):
        return text

    def sub(m: re.Match) -> str:
        b = band_count(int(m.group(1)))
        unit = m.group(2) or ""
        if b == "1+" and unit and not unit.endswith("s"):
            unit += "s"
        return f"({b}{unit})"

    return _COUNT_IN_TEXT.sub(sub, text)


def _band_interview_counts(ctx) -> None:
    """Per-school interview counts of 1 to MIN_INTERVIEWS are shown as "1+" (tables and evidence texts)."""
    t = ctx.tables
    tal = t.get("code_tallies_schools")
    if tal is not None and len(tal):
        tal = tal.copy()
        shown = tal["suppressed"].fillna("") == ""
        for col, share in (("n_interviews", "share_interviews"), ("n_excerpts", "share_excerpts")):
            if col not in tal:
                continue
            small = shown & tal[col].between(1, MIN_INTERVIEWS)
            if share in tal:
                tal.loc[small, share] = np.nan
            tal[col] = [
                band_count(v) if ok else ("" if pd.isna(v) else str(int(v))) for v, ok in zip(tal[col], shown)
            ]
        # issue 12: 1 or 2 excerpts coded as a strength (or a barrier) at a school may be one person's
        for col in ("n_strength", "n_barrier"):
            if col in tal and shown.any():
                tal[col] = [band_count(v) if ok else v for v, ok in zip(tal[col], shown)]
        t["code_tallies_schools"] = tal
    jd = t.get("joint_display_schools")
    if jd is not None and len(jd):
        for col in ("top_codes", "evidence"):
            if col in jd:
                jd[col] = [_band_text(v) for v in jd[col]]
    rec = t.get("recommendations")
    if rec is not None and len(rec) and "evidence" in rec:
        rec["evidence"] = [_band_text(v) if "interviews:" in str(v) else v for v in rec["evidence"]]


def protect_publication(
    ctx, *, recompute: Callable[[Any], None], max_rounds: int = 20, bounds: bool = True
) -> AuditResult:
    """Audit every published number of a report run and add secondary suppression until nothing is recoverable.

    Called once by :func:`assetinv.report.pipeline.load_context` after the analyses and
    before any file is written. Units chosen for a school's profile are
    stored in ``ctx.results["suppress_also"]`` and the analyses are re-run, so
    that network means, ranks, statuses, joint displays and recommendations
    leave the school out; every other unit is blanked in its tables.

    Parameters
    ----------
    ctx : ReportContext
        The run's context (tables are changed in place).
    max_rounds : int
        Safety bound on audit rounds.
    bounds : bool
        Also compute LP bounds (:func:`count_bounds`) on the final ledger.
    recompute : callable
        ``recompute(ctx)`` re-runs the analyses after a school is added to
        ``ctx.results["suppress_also"]`` (the report pipeline passes
        :func:`assetinv.report.pipeline.compute_analyses`; it is passed in
        because the report layer sits above this module).

    Returns
    -------
    AuditResult
        Also stored as ``ctx.results["disclosure"]``.

    Examples
    --------
    >>> from assetinv.report import load_context  # doctest: +SKIP
    >>> ctx = load_context()  # doctest: +SKIP
    >>> ctx.results["disclosure"].residual  # doctest: +SKIP
    []
    """
    inst = ctx.instrument
    # "answered" = answered an item the reliability pools: the items school staff's forms ask together
    staff = sorted(set(ctx.responses["role"].dropna().astype(str)) & set(_TEACH_LEAD))
    cols = list(ctx.responses.columns)
    pooled = {d: inst.items_answered_together(d, staff, cols) for d in ctx.results["domains"]}
    items = {d: list(inst.item_ids(d)) for d in ctx.results["domains"]}
    cells = ledger_cells(ctx.results["scores"], ctx.responses, ctx.results["domains"], items, pooled)
    _item_table(
        ctx
    )  # computed here so that it is audited with the rest (it follows the profile's suppression)
    total = AuditResult()
    all_units: list = []
    for rnd in range(1, max_rounds + 1):
        ledger = build_ledger(ctx)
        res = audit_ledger(ledger, cells, ctx.min_n)
        total.rounds, total.checked, total.facts = rnd, res.checked, res.facts
        total.residual = res.residual
        new = [u for u in res.added if u not in all_units]
        if not new:
            break
        all_units += new
        total.added += new
        school_units = {(u[1], u[2]): SECONDARY_REASON for u in all_units if u[0] == "school"}
        if any(u[0] == "school" for u in new):
            ctx.results["suppress_also"] = school_units
            recompute(ctx)  # network means, ranks, statuses and recommendations without these schools
            _item_table(ctx)
            _apply_units(ctx, all_units)
        else:
            _apply_units(ctx, new)
    _band_interview_counts(ctx)
    if bounds:
        total.bounds = count_bounds(build_ledger(ctx), cells, ctx.min_n)
    ctx.results["disclosure"] = total
    ctx.results["disclosure_cells"] = cells
    return total


# ====================================================================== across releases
RELEASE_LEDGER = ".assetinv-release.json"


def release_ledger(ctx) -> dict:
    """The group sizes a release publishes, to compare with the next release.

    Parameters
    ----------
    ctx : ReportContext
        After :func:`protect_publication`.

    Returns
    -------
    dict
        ``{"format": 1, "min_n": k, "groups": {key: n}}`` where ``key`` names a
        published count (table, column and group) and ``n`` is the count shown.
        Only counts that the release shows are stored, so the file reveals
        nothing the tables do not.

    Examples
    --------
    >>> from assetinv.report import load_context  # doctest: +SKIP
    >>> sorted(release_ledger(load_context())["groups"])[0]  # doctest: +SKIP
    'asset_profile | n, mean | school S01 CN'
    """
    led = build_ledger(ctx)
    # derived means (network, others', district) pool shown rows that are in the file already
    led = led[led["shown"] & led["value"].notna() & led["depends"].isna()]
    groups = {}
    for _, f in led.iterrows():
        key = f"{f['table']} | {f['column']} | {' '.join(str(p) for p in f['unit'])}"
        groups[key] = round(float(f["value"]))
    return {"format": 1, "min_n": ctx.min_n, "groups": dict(sorted(groups.items()))}


def compare_releases(previous: dict, current: dict, min_n: int = MIN_N) -> list[str]:
    """Warnings for groups whose published size changed by 1 to ``min_n - 1`` since the previous release.

    Two releases of the same group whose sizes differ by a few respondents let
    a reader difference them: ``n1 * mean1 - n2 * mean2`` is the sum of the
    few who joined or left. Means are rounded (``precision``), which blurs but
    does not remove this, so the release is flagged.

    Parameters
    ----------
    previous, current : dict
        Outputs of :func:`release_ledger` (the previous one read from
        ``OUT/.assetinv-release.json``).
    min_n : int
        Differences of 1 to ``min_n - 1`` respondents are flagged.

    Returns
    -------
    list of str
        One plain-language warning per group, sorted.

    Examples
    --------
    >>> old = {"groups": {"asset_profile | n, mean | school S01 EX": 22}}
    >>> new = {"groups": {"asset_profile | n, mean | school S01 EX": 21}}
    >>> compare_releases(old, new)
    ['asset_profile | n, mean | school S01 EX: 22 respondents in the previous release, 21 now (a difference of 1 can be differenced)']
    """  # noqa: E501 (doctest output)
    old = (previous or {}).get("groups", {}) or {}
    new = (current or {}).get("groups", {}) or {}
    out = []
    for key in sorted(set(old) & set(new)):
        try:
            a, b = int(old[key]), int(new[key])
        except (TypeError, ValueError):
            continue
        if 0 < abs(a - b) < min_n:
            out.append(
                f"{key}: {a} respondents in the previous release, {b} now "
                f"(a difference of {abs(a - b)} can be differenced)"
            )
    return out
