"""The joint display: survey domain scores next to the interview evidence, per school.

References
----------
Fetters, M. D., Curry, L. A., & Creswell, J. W. (2013). Achieving integration in mixed
methods designs: principles and practices. *Health Services Research*, 48(6), 2134-2156.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import agreement as _ag
from ..codings_layout import _s
from ..instrument import Instrument, resolve
from ..privacy import MIN_INTERVIEWS, band_count, interview_site_reasons
from .intercoder import coder_agreement
from .quotes import exemplar_quotes
from .tallies import _code_info, _real, _with_valence, code_tallies

__all__ = ["joint_display"]


_NETWORK_LABELS = {"network", "(network)", "(all schools)", "all schools", "all", ""}


def _network_profile(profile: pd.DataFrame) -> pd.DataFrame:
    sch = profile["school"].astype(object)
    is_net = sch.isna() | sch.astype(str).str.strip().str.lower().isin(_NETWORK_LABELS)
    if is_net.any():
        return profile[is_net].assign(school="(network)")
    rows = []
    for d, g in profile.groupby("domain", sort=False):
        if "network_mean" in g and pd.to_numeric(g["network_mean"], errors="coerce").notna().any():
            # scoring.asset_profile: the pooled mean of the reportable schools
            mean = float(pd.to_numeric(g["network_mean"], errors="coerce").dropna().iloc[0])
        else:
            w = pd.to_numeric(g["n"], errors="coerce") if "n" in g else pd.Series(1.0, index=g.index)
            m = pd.to_numeric(g["mean"], errors="coerce")
            ok = m.notna() & w.notna()
            mean = float(np.average(m[ok], weights=w[ok])) if ok.any() and w[ok].sum() > 0 else np.nan
        st = g["status"].fillna("").astype(str).str.strip()
        st = st[st != ""]
        counts = st.value_counts()
        order = ["asset", "typical", "growth area"]
        keys = sorted(counts.index, key=lambda k: (order.index(k) if k in order else 9, k))
        status = ", ".join(f"{k} in {counts[k]}" for k in keys)
        if status:
            status += f" of {g['school'].nunique()} schools"
        rows.append({"school": "(network)", "domain": d, "mean": mean, "status": status})
    return pd.DataFrame(rows)


def joint_display(
    profile: pd.DataFrame,
    codings: pd.DataFrame,
    agreement=None,
    school: str | None = None,
    *,
    top_n: int = 3,
    names: Iterable[str] | None = None,
    max_chars: int | None = 240,
    instrument: Instrument | str | Path | None = None,
    min_interviews: int = MIN_INTERVIEWS,
    ids: Iterable[str] | None = None,
    band: bool = False,
    tallies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Join survey scores and interview evidence, one row per domain.

    Parameters
    ----------
    profile : DataFrame
        The scoring module's school x domain table with at least ``school,
        domain, mean, status`` (status ``asset`` / ``growth area`` ...;
        optional ``n``). Suppressed rows (NaN mean) stay suppressed.
    codings : DataFrame
        Tidy codings.
    agreement : DataFrame, Series, dict or None
        Krippendorff's alpha per domain: a :func:`coder_agreement` table made
        with ``group_by="domain"``, or a mapping domain -> alpha. Default:
        computed from ``codings`` (excerpt units, all schools: agreement is a
        property of the coding process, so it is estimated on every
        double-coded excerpt in the network).
    school : str, optional
        One school; ``None`` gives the network table (profile rows whose
        school is ``"(network)"``/``"network"``/empty if present, else the
        ``network_mean`` column of :func:`assetinv.asset_profile` or the
        schools' means averaged, weighted by ``n``; status then summarises
        the schools, e.g. "asset in 2, growth area in 1 of 8 schools").
    top_n : int
        How many codes to list in ``top_codes``.
    names : iterable of str, optional
        Personal names to redact from the quote.
    max_chars : int or None
        Quote length limit.
    ids : iterable of str, optional
        Respondent or interview ids to redact from the quote.
    instrument : Instrument, optional
    min_interviews : int
        A school whose codings pool fewer interviews than this, or where some
        role gave a single interview, shows no interview evidence
        (``top_codes``, ``n_excerpts`` and the quote are blank and
        ``interviews_suppressed`` gives the reason), matching
        :func:`code_tallies`' suppression. Default
        :data:`assetinv.privacy.MIN_INTERVIEWS`. A school that
        :func:`code_tallies` hides only to protect another school (its
        complementary suppression: the network tally minus the other schools
        would give the hidden school's counts) is hidden here too.
    band : bool
        For a school (``school`` given), show counts that could be one
        interviewee's in bands, as the report does: an ``n_excerpts``,
        ``n_strength`` or ``n_barrier`` of 1 to ``min_interviews`` becomes
        ``"1+"`` (the column then holds ints and ``"1+"``), and so do the
        counts in ``top_codes``, ``strengths``, ``barriers`` and ``evidence``.
        The network table (``school=None``) is never banded. Default False
        (exact counts, for analysis).
    tallies : DataFrame, optional
        ``code_tallies(codings, "school")`` when already computed (the report
        passes its table), for the complementary rule above; computed from
        ``codings`` when not given.

    Returns
    -------
    DataFrame
        ``school, domain, domain_name, survey_mean, status, top_codes,
        n_excerpts, agreement, exemplar_quote, interviews_suppressed,
        strengths, barriers, n_strength, n_barrier, evidence``. Barrier and
        enabler codes count toward the domain they are tied to.
        ``strengths`` / ``barriers`` list the most frequent codes among the
        excerpts coded with valence strength / barrier (``n_strength``,
        ``n_barrier``: how many excerpts), so a complaint is never shown as an
        asset. ``evidence`` is a sentence citing both the survey and the
        interviews, strengths and barriers apart, for the recommendation text.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"school": ["S1", "S1"], "domain": ["EX", "OS"],
    ...                      "mean": [4.2, 2.6], "status": ["asset", "growth area"]})
    >>> c = pd.DataFrame({"excerpt_id": ["e1", "e2"], "interview_id": ["i1", "i2"],  # MIN_INTERVIEWS
    ...     "school": ["S1"] * 2, "role": ["teacher"] * 2, "coder": ["ana", "ben"],
    ...     "code": ["EX-SHARE"] * 2, "text": ["We share labs with Ms. Ortega."] * 2})
    >>> jd = joint_display(prof, c, school="S1")
    >>> jd[["domain", "survey_mean", "status", "n_excerpts"]]
      domain  survey_mean       status  n_excerpts
    0     EX          4.2        asset           2
    1     OS          2.6  growth area           0
    >>> jd.loc[0, "exemplar_quote"]
    'We share labs with [name].'
    >>> joint_display(prof, c, school="S1", band=True)["n_excerpts"].tolist()
    ['1+', 0]

    References
    ----------
    Fetters, M. D., Curry, L. A., & Creswell, J. W. (2013). *Health Services
    Research*, 48(6), 2134-2156. Guetterman, T. C., Fetters, M. D., &
    Creswell, J. W. (2015). Integrating quantitative and qualitative results
    in health science mixed methods research through joint displays.
    *Annals of Family Medicine*, 13(6), 554-561.
    """
    inst = resolve(instrument)
    dnames = dict(zip(inst.domains["id"], inst.domains["name"]))
    info = _code_info(instrument)
    tied = dict(zip(info["code"], info["domain"]))
    for col in ("school", "domain", "mean", "status"):
        if col not in profile.columns:
            raise ValueError(f"profile needs a '{col}' column (school, domain, mean, status)")
    if school is None:
        prof = _network_profile(profile)
        cod = codings
        label = "(network)"
    else:
        prof = profile[profile["school"].astype(str) == str(school)]
        cod = codings[codings["school"].astype(str) == str(school)]
        label = school
    alpha = _domain_agreement(codings, agreement, instrument)
    cod, hidden = _site_codings(cod, school, min_interviews)
    if school is not None and not hidden:
        hidden = _complementary_reason(codings, school, min_interviews, instrument, tallies)
        cod = cod.iloc[0:0] if hidden else cod
    real = _with_valence(_real(cod))
    # barrier and enabler codes count toward the domain they are tied to
    real["domain"] = real["code"].map(tied).fillna("")
    prof_d = {d: r for d, r in zip(prof["domain"], prof.to_dict("records"))}
    quotes = (
        exemplar_quotes(cod, n=1, names=names, max_chars=max_chars, instrument=instrument, ids=ids)
        if not real.empty
        else None
    )
    rank = _CodeRank(info, top_n)
    rows = []
    for d in [d for d in inst.domains["id"] if d in prof_d or d in set(real["domain"])]:
        pr = prof_d.get(d, {})
        sub = real[real["domain"] == d]
        strengths, barriers = (sub[sub["valence"] == v] for v in ("strength", "barrier"))
        mean = pd.to_numeric(pd.Series([pr.get("mean", np.nan)]), errors="coerce").iloc[0]
        a = alpha.get(d, np.nan)
        rows.append(
            {
                "school": label,
                "domain": d,
                "domain_name": dnames.get(d, d),
                "survey_mean": mean,
                "status": _s(pr.get("status", "")),
                "top_codes": rank.top(sub),
                "n_excerpts": np.nan if hidden else int(sub["excerpt_id"].nunique()),
                "agreement": float(a) if a is not None and not pd.isna(a) else np.nan,
                "exemplar_quote": _domain_quote(quotes, d, network=school is None),
                "interviews_suppressed": hidden,
                "strengths": "" if hidden else rank.top(strengths),
                "barriers": "" if hidden else rank.top(barriers),
                "n_strength": np.nan if hidden else int(strengths["excerpt_id"].nunique()),
                "n_barrier": np.nan if hidden else int(barriers["excerpt_id"].nunique()),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "school",
            "domain",
            "domain_name",
            "survey_mean",
            "status",
            "top_codes",
            "n_excerpts",
            "agreement",
            "exemplar_quote",
            "interviews_suppressed",
            "strengths",
            "barriers",
            "n_strength",
            "n_barrier",
        ],
    )
    if band and school is not None:
        out = _band_counts(out, min_interviews)
    out["evidence"] = [_evidence(r) for r in out.to_dict("records")]
    return out


_COUNT = re.compile(r"\((\d+)\)")


def _band_counts(out: pd.DataFrame, below: int) -> pd.DataFrame:
    """A school's counts of 1 to ``below`` as "1+" (numbers and "Name (2)" texts); hidden rows stay blank."""
    out = out.copy()
    shown = out["interviews_suppressed"].fillna("") == ""
    if not shown.any():
        return out
    for col in ("n_excerpts", "n_strength", "n_barrier"):
        vals = out[col].astype(object)
        out[col] = [
            (b if (b := band_count(v, below=below)) == "1+" else int(v)) if ok else v
            for v, ok in zip(vals, shown)
        ]
    for col in ("top_codes", "strengths", "barriers"):
        out[col] = [
            _COUNT.sub(lambda m: f"({band_count(int(m.group(1)), below=below)})", str(v)) for v in out[col]
        ]
    return out


def _complementary_reason(
    codings: pd.DataFrame,
    school: str,
    min_interviews: int,
    instrument: Instrument | str | Path | None,
    tal: pd.DataFrame | None,
) -> str:
    """The reason :func:`code_tallies` hides ``school`` to protect another school ("" when it shows it)."""
    if tal is None:
        if codings.empty or "school" not in codings:
            return ""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tal = code_tallies(codings, "school", min_n=min_interviews, instrument=instrument)
    if tal.empty or "suppressed" not in tal or "school" not in tal:
        return ""
    why = tal.loc[tal["school"].astype(str) == str(school), "suppressed"].fillna("").astype(str)
    why = why[why != ""]
    return str(why.iloc[0]) if len(why) else ""


def _domain_agreement(codings: pd.DataFrame, agreement, instrument: Instrument | str | Path | None) -> dict:
    """Krippendorff's alpha per domain: computed from all codings, or taken from the table or dict given."""
    if agreement is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _ag.AgreementWarning)
            ag = coder_agreement(codings, "excerpt", group_by="domain", n_boot=0, instrument=instrument)
        return dict(zip(ag["domain"], ag["krippendorff_alpha"]))
    if isinstance(agreement, pd.DataFrame):
        key = "domain" if "domain" in agreement else "code"
        return dict(zip(agreement[key], agreement["krippendorff_alpha"]))
    return dict(agreement)


def _site_codings(cod: pd.DataFrame, school: str | None, min_interviews: int) -> tuple[pd.DataFrame, str]:
    """A school's codings and "" when its interview evidence may be shown, else no codings and the reason."""
    n_interviews = cod["interview_id"].nunique()
    hidden = ""
    if school is not None and 0 < n_interviews < min_interviews:
        hidden = f"fewer than {min_interviews} interviews"
    elif school is not None and n_interviews and "role" in cod:
        # one teacher and one leader interviewed: a quote or a count is one identifiable person's
        hidden = interview_site_reasons(cod, "school", min_interviews=min_interviews).get(str(school), "")
    return (cod.iloc[0:0], hidden) if hidden else (cod, hidden)


class _CodeRank:
    """The ``top_n`` codes of some codings by excerpts, in codebook order on ties: "Name (count); ..."."""

    def __init__(self, info: pd.DataFrame, top_n: int) -> None:
        self.order = {c: i for i, c in enumerate(info["code"])}
        self.names = dict(zip(info["code"], info["code_name"]))
        self.top_n = top_n

    def top(self, sub: pd.DataFrame) -> str:
        counts = sub.groupby("code")["excerpt_id"].nunique()
        top = sorted(counts.items(), key=lambda kv: (-kv[1], self.order.get(kv[0], 999)))[: self.top_n]
        return "; ".join(f"{self.names.get(c, c)} ({k})" for c, k in top)


def _domain_quote(quotes: pd.DataFrame | None, domain: str, *, network: bool) -> str:
    """The domain's example quote; for the network the highest-ranked across schools."""
    if quotes is None or quotes.empty:
        return ""
    q = quotes[quotes["domain"] == domain]
    if network:  # exemplary first, then consensus, then school and excerpt id
        q = q.sort_values(
            ["exemplary", "n_coders", "school", "excerpt_id"],
            ascending=[False, False, True, True],
            kind="mergesort",
        )
    return q["quote"].iloc[0] if len(q) else ""


def _evidence(r: dict) -> str:
    parts = []
    if pd.notna(r["survey_mean"]):
        parts.append(
            f"survey mean {r['survey_mean']:.2f} of 5" + (f" ({r['status']})" if r["status"] else "")
        )
    else:
        parts.append("survey result suppressed or missing")
    if r.get("interviews_suppressed"):
        parts.append(f"interview evidence suppressed ({r['interviews_suppressed']})")
    elif r["n_excerpts"] and r["n_excerpts"] != "0":
        n = r["n_excerpts"] if isinstance(r["n_excerpts"], str) else int(r["n_excerpts"])
        t = f"{n} interview excerpt{'s' if n != 1 else ''}"
        if r.get("strengths") or r.get("barriers"):
            if r.get("strengths"):
                t += f"; strengths: {r['strengths'].split('; ')[0]}"
            if r.get("barriers"):
                t += f"; barriers: {r['barriers'].split('; ')[0]}"
        elif r["top_codes"]:
            t += f", most often: {r['top_codes'].split('; ')[0]}"
        parts.append(t)
    else:
        parts.append("no interview excerpts coded")
    if pd.notna(r["agreement"]):
        parts.append(f"coder agreement alpha = {r['agreement']:.2f}")
    s = f"{r['domain_name']}: " + "; ".join(parts) + "."
    if r["exemplar_quote"]:
        s += f' Example: "{r["exemplar_quote"]}"'
    return s


# Okabe-Ito palette (colour-blind safe) with hatches so it also reads in grey
