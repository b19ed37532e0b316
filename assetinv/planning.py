"""Survey planning (``assetinv.planning``): how many staff a school needs.

From a pilot (or the bundled sample), per domain:

* ICC(1) of the domain score across schools (as ``psych::statsBy``), with its
  F-based confidence interval (Shrout & Fleiss 1979; McGraw & Wong 1996):
  ``F_L = F / F_{1-a/2}(G-1, N-G)``, ``F_U = F * F_{1-a/2}(N-G, G-1)`` and
  ``ICC = (F - 1)/(F + n - 1)`` with ``n`` the mean school size;
* the respondents a school needs for its mean to reach a reliability ``r``,
  by Spearman–Brown on ICC(1): ``n = r (1 - ICC) / (ICC (1 - r))``, with the
  interval obtained by putting the ICC's bounds in the same formula;
* the smallest change in a school's mean between two waves that ``n`` staff per
  wave detect with 80% power in a two-sided two-sample t-test at 5%, with the
  pooled within-school SD (``sqrt(MSw)``). This solves the noncentral-t power
  equation exactly as R's ``power.t.test(n, sd, power = .8)$delta`` does (one
  rejection tail, ``strict = FALSE``). It assumes independent answers at the two
  waves (different or re-sampled staff); the same staff answering twice would
  need fewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .instrument import Instrument, resolve
from .reliability import group_reliability
from .scoring import _MIN_ANSWERED, _items_apply, _items_needed

__all__ = ["SurveyPlan", "detectable_change", "plan_survey", "respondents_needed"]


def respondents_needed(icc1: float, target: float) -> float:
    """Respondents for a group-mean reliability of ``target`` (Spearman–Brown on ICC(1)).

    Parameters
    ----------
    icc1 : float
    target : float
        Between 0 and 1.

    Returns
    -------
    float
        ``target (1 - icc1) / (icc1 (1 - target))`` (not rounded); ``inf`` when
        ``icc1 <= 0``.

    Examples
    --------
    >>> round(respondents_needed(0.2, 0.8), 6)
    16.0

    References
    ----------
    Bliese, P. D. (2000); Spearman (1910); Brown (1910).
    """
    if not 0 < target < 1:
        raise ValueError("target reliability must be between 0 and 1")
    if not np.isfinite(icc1):
        return np.nan
    if icc1 <= 0:
        return np.inf
    if icc1 >= 1:
        return 1.0
    return target * (1 - icc1) / (icc1 * (1 - target))


def detectable_change(n: int, sd: float, *, power: float = 0.80, alpha: float = 0.05) -> float:
    """Smallest difference between two means of ``n`` answers each detected with ``power``.

    Equals R's ``power.t.test(n = n, sd = sd, sig.level = alpha, power = power)$delta``
    (two-sample, two-sided), solved to 1e-10 rather than R's default tolerance.

    Parameters
    ----------
    n : int
        Answers per wave (at least 2).
    sd : float
        Within-group standard deviation.
    power, alpha : float

    Returns
    -------
    float

    Examples
    --------
    >>> round(detectable_change(20, 1.0), 4)
    0.9091
    """
    if n < 2:
        raise ValueError("n must be at least 2 per wave")
    nu = 2 * (n - 1)
    crit = stats.t.isf(alpha / 2, nu)

    def pw(delta):
        return stats.nct.sf(crit, nu, np.sqrt(n / 2) * delta / sd) - power

    hi = sd
    while pw(hi) < 0:
        hi *= 2
    return float(optimize.brentq(pw, 1e-9 * sd, hi, xtol=1e-12))


@dataclass
class SurveyPlan:
    """A survey plan.

    Attributes
    ----------
    reliability : DataFrame
        domain, icc1, icc1_ci_low, icc1_ci_high, n_groups, mean_group_size,
        target, n_needed, n_needed_ci_low, n_needed_ci_high (``n_needed``
        rounded up; ``inf`` when the ICC bound is not above 0).
    change : DataFrame
        domain, n, sd_within, detectable_change (scale points),
        detectable_change_sd (in within-school SDs).
    warnings : list of str

    Examples
    --------
    >>> rel = pd.DataFrame({"domain": ["EX"], "icc1": [0.2], "icc1_ci_low": [0.1], "icc1_ci_high": [0.3],
    ...                     "n_groups": [30], "mean_group_size": [15.0], "target": [0.8], "n_needed": [16.0],
    ...                     "n_needed_ci_low": [10.0], "n_needed_ci_high": [36.0]})
    >>> ch = pd.DataFrame({"domain": ["EX"], "n": [20], "sd_within": [1.0], "detectable_change": [0.89],
    ...                    "detectable_change_sd": [0.89]})
    >>> print(SurveyPlan(rel, ch).summary())
    EX: ICC(1) = 0.200 (95% CI 0.100 to 0.300) from 30 schools of 15.0 staff on average
      for a school-mean reliability of 0.80: 16 respondents (between 10 and 36)
      smallest change between waves detectable with 80% power: n = 20: 0.89 scale points
    """

    reliability: pd.DataFrame
    change: pd.DataFrame
    warnings: list = field(default_factory=list)

    def summary(self) -> str:
        """The plan in plain words (what ``assetinv plan`` prints)."""
        lines = []
        rel = self.reliability
        for dom, sub in rel.groupby("domain", sort=False):
            r0 = sub.iloc[0]
            lines.append(
                f"{dom}: ICC(1) = {r0.icc1:.3f} (95% CI {r0.icc1_ci_low:.3f} to {r0.icc1_ci_high:.3f}) "
                f"from {int(r0.n_groups)} schools of {r0.mean_group_size:.1f} staff on average"
            )
            for _, r in sub.iterrows():
                lines.append(
                    f"  for a school-mean reliability of {r.target:.2f}: {_fmt_n(r.n_needed)} respondents "
                    f"(between {_fmt_n(r.n_needed_ci_low)} and {_fmt_n(r.n_needed_ci_high)})"
                )
            ch = self.change[self.change["domain"] == dom]
            parts = [f"n = {int(c.n)}: {c.detectable_change:.2f}" for _, c in ch.iterrows()]
            lines.append(
                "  smallest change between waves detectable with 80% power: "
                + "; ".join(parts)
                + " scale points"
            )
        return "\n".join(lines)


def _fmt_n(v) -> str:
    return "no finite number" if not np.isfinite(v) else str(int(v))


def _domain_scores(df: pd.DataFrame, inst: Instrument, min_share: float = _MIN_ANSWERED) -> pd.DataFrame:
    """Mean keyed answer per domain, for rows that answered ``score_domains``' share of the items on
    their role's form (every item when the data have no ``role``).
    """
    out = {}
    roles = df["role"].astype(str).to_numpy() if "role" in df.columns else None
    for d in inst.domains["id"]:
        if d in df.columns:
            out[d] = pd.to_numeric(df[d], errors="coerce")
            continue
        items = [i for i in inst.item_ids(d) if i in df.columns]
        if not items:
            continue
        X = df[items].apply(pd.to_numeric, errors="coerce").copy()
        for it in inst.reverse_ids(d):
            if it in X.columns:
                X[it] = inst.scale_min + inst.scale_max - X[it]
        answered = X.notna().to_numpy()
        n_app = (
            (_items_apply(inst, items, roles, answered) | answered).sum(axis=1)
            if roles is not None
            else len(items)
        )
        enough = answered.sum(axis=1) >= _items_needed(min_share, n_app)
        out[d] = X.mean(axis=1).where(enough)
    if not out:
        raise ValueError("the data hold neither domain scores nor items of the instrument")
    return pd.DataFrame(out, index=df.index)


def _icc_ci(F, G, N, nbar, ci):
    a = 1 - ci
    d1, d2 = G - 1, N - G
    FL = F / stats.f.ppf(1 - a / 2, d1, d2)
    FU = F * stats.f.ppf(1 - a / 2, d2, d1)
    return (FL - 1) / (FL + nbar - 1), (FU - 1) / (FU + nbar - 1)


def plan_survey(
    df: pd.DataFrame,
    instrument: Instrument | str | Path | None = None,
    *,
    group: str = "school",
    wave: str | None = None,
    targets: Sequence[float] = (0.70, 0.80),
    sizes: Sequence[int] = (5, 10, 15, 20, 30),
    power: float = 0.80,
    alpha: float = 0.05,
    ci: float = 0.95,
    exclude_roles: Sequence[str] = ("district",),
) -> SurveyPlan:
    r"""Respondents a school needs, and the change it can detect, per domain.

    Parameters
    ----------
    df : DataFrame
        A pilot: tidy responses (items) or domain scores (columns named by
        domain id, e.g. from :func:`assetinv.score_domains`), with a ``group``
        column. Domain scores from items are the mean of the answered items
        (reverse keys reversed), given when at least half are answered.
    instrument : Instrument or path, optional
    group : str
        The unit whose mean should be dependable (``school``).
    wave : str, optional
        Use only this wave (e.g. ``"baseline"``); by default, when the data
        have a ``wave`` column with several waves, the first wave in the data
        is used, so that no one is counted twice.
    targets : reliabilities to plan for (.70 and .80).
    sizes : staff per wave for the detectable change.
    power, alpha : float
        For the detectable change (80%, two-sided 5%).
    ci : float
        Level of the ICC(1) interval.
    exclude_roles : roles that do not belong to a school's staff (rows with a
        ``role`` in this list are left out; district staff by default).

    Returns
    -------
    SurveyPlan
        ``.reliability``, ``.change``, ``.summary()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> school = np.repeat([f"S{i:02d}" for i in range(30)], 15)
    >>> u = np.repeat(rng.normal(0, .5, 30), 15)
    >>> d = pd.DataFrame({"school": school, "EX": 3 + u + rng.normal(0, 1, 450)})
    >>> plan = plan_survey(d)
    >>> list(plan.reliability.columns[:4])
    ['domain', 'icc1', 'icc1_ci_low', 'icc1_ci_high']

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations. *Psychological Bulletin, 86*,
    420–428. McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. *Psychological Methods, 1*, 30–46. Bliese, P. D. (2000).
    Within-group agreement, non-independence, and reliability. Cohen, J. (1988). *Statistical
    power analysis for the behavioral sciences*.
    """
    msgs: list[str] = []
    inst = resolve(instrument)
    if group not in df.columns:
        raise ValueError(f"the data have no {group!r} column to plan for")
    d = df
    if "role" in d.columns and exclude_roles:
        d = d[~d["role"].isin(list(exclude_roles))]
    if "wave" in d.columns:
        waves = pd.unique(d["wave"].dropna())
        use = wave if wave is not None else (waves[0] if len(waves) else None)
        if wave is not None and wave not in set(waves):
            raise ValueError(f"wave {wave!r} is not in the data; waves: {list(waves)}")
        if use is not None:
            d = d[d["wave"] == use]
            if len(waves) > 1 and wave is None:
                msgs.append(f"planned from the {use!r} wave only (each person counted once)")
    scores = _domain_scores(d, inst)
    scores[group] = d[group].to_numpy()
    domains = [c for c in scores.columns if c != group]
    gr = group_reliability(scores, domains, group)
    rel_rows, ch_rows = [], []
    for dom in domains:
        s = scores[[group, dom]].dropna()
        G = s[group].nunique()
        N = len(s)
        if G < 2 or N - G < 1:
            raise ValueError(f"{dom}: planning needs at least 2 {group}s with 2 or more answers")
        row = gr.table.set_index("column").loc[dom]
        icc1, F, nbar = float(row["icc1"]), float(row["f"]), float(row["mean_group_size"])
        lo, hi = _icc_ci(F, G, N, nbar, ci)
        dev = s[dom] - s.groupby(group)[dom].transform("mean")
        msw = float((dev**2).sum() / (N - G))
        if icc1 <= 0:
            msgs.append(f"{dom}: ICC(1) is not above 0; school means cannot be told apart with this pilot")
        for t in targets:
            rel_rows.append(
                {
                    "domain": dom,
                    "icc1": icc1,
                    "icc1_ci_low": lo,
                    "icc1_ci_high": hi,
                    "n_groups": int(G),
                    "mean_group_size": nbar,
                    "target": float(t),
                    "n_needed": float(np.ceil(respondents_needed(icc1, t))),
                    "n_needed_ci_low": float(np.ceil(respondents_needed(hi, t))),
                    "n_needed_ci_high": float(np.ceil(respondents_needed(lo, t))),
                }
            )
        sd = np.sqrt(msw)
        for n in sizes:
            mdc = detectable_change(int(n), sd, power=power, alpha=alpha)
            ch_rows.append(
                {
                    "domain": dom,
                    "n": int(n),
                    "sd_within": sd,
                    "detectable_change": mdc,
                    "detectable_change_sd": mdc / sd,
                }
            )
    return SurveyPlan(reliability=pd.DataFrame(rel_rows), change=pd.DataFrame(ch_rows), warnings=msgs)
