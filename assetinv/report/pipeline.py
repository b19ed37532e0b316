"""The analysis pipeline of a report run: every network-level analysis, once.

:func:`load_context` reads the study (:func:`assetinv.report.context.read_study`),
runs :func:`compute_analyses` (scores, profiles, supports, change, perception
gaps, reliability, interview tallies, coder agreement, joint displays, quotes),
protects the publication (:func:`assetinv.disclosure.protect_publication`) and
adds the item distributions. Reports only show slices of the tables it leaves in
``ctx.tables``.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Sequence

import pandas as pd

from .. import qualitative as Q
from .. import scoring as S
from ..disclosure import protect_publication
from ..ids import id_sort_key, natural_key
from ..io import data_quality
from ..items import item_profile
from ..ordinal import ORDINAL_MIN_N, domain_ordinal_reliability
from ..privacy import MIN_RESPONSE_RATE, suppress
from ..redaction import read_redact_names
from ..reliability import instrument_reliability
from ..structure import domain_invariance
from .context import ReportContext, read_study

__all__ = ["analysis_notes", "compute_analyses", "gaps_by_school", "load_context"]


def load_context(
    data_dir: str | os.PathLike | None = None,
    *,
    min_n: int | None = None,
    config: str | os.PathLike | None = None,
    jobs: int = 1,
) -> ReportContext:
    """Read the study once and run every network-level analysis once.

    Parameters
    ----------
    data_dir : path, optional
        Folder with ``study.yaml`` and the files it names (default: the bundled
        sample, see :func:`assetinv.report.context.default_data_dir`).
    min_n : int, optional
        Suppression minimum (default: the config's ``min_n``, else 5).
    config : path, optional
        Study config YAML (default ``data_dir/study.yaml``).
    jobs : int
        With 2 or more, the change models and the psychometrics run in a forked worker while this
        process runs the other analyses (:func:`compute_analyses`); the results are the same.

    Returns
    -------
    ReportContext
        What :func:`read_study` reads, with ``tables`` and ``results`` filled by every network-level
        analysis.

    Raises
    ------
    DataError
        As :func:`read_study`: an input file is missing or invalid.

    Examples
    --------
    >>> ctx = load_context()
    >>> sorted(ctx.tables)[:2]  # doctest: +SKIP
    ['agreement', 'asset_profile']
    """
    ctx = read_study(data_dir, min_n=min_n, config=config)
    ctx.tables["data_quality"] = data_quality(ctx.responses)
    # the reader's data-quality record has been read: the analyses keep only the file name (pandas
    # deep-copies ``attrs`` on every operation, thousands of times per school)
    ctx.results["responses_attrs"] = ctx.responses.attrs
    ctx.responses.attrs = {k: v for k, v in ctx.responses.attrs.items() if k == "source"}
    compute_analyses(ctx, jobs=jobs)
    # cross-table audit and secondary suppression of every table (item_distribution included, computed there
    # from the final profile), before anything is written
    protect_publication(ctx, recompute=compute_analyses)
    return ctx


def _thresholds(cfg: dict, keys: Sequence[str]) -> dict:
    th = cfg.get("thresholds") or {}
    return {k: th[k] for k in keys if k in th}


def _redaction_terms(ctx: ReportContext) -> dict:
    """Names (study.yaml ``redact_names``) and respondent ids that quotes must not show."""
    path = ctx.config.get("redact_names") if isinstance(ctx.config, dict) else None
    names = read_redact_names(path) if path else None
    ids = (
        sorted(set(ctx.responses["respondent_id"].dropna().astype(str)))
        if "respondent_id" in ctx.responses
        else None
    )
    return {"names": names, "ids": ids}


def compute_analyses(ctx: ReportContext, jobs: int = 1) -> None:
    """Run every network-level analysis once and store tidy tables in ``ctx.tables``.

    Tables (network-wide; school reports show slices): ``data_quality``,
    ``participation``, ``asset_profile``, ``recommendations``, ``change``,
    ``gaps_network``, ``gaps_by_school``, ``reliability_domains``,
    ``reliability_icc``, ``reliability_schools``, ``code_tallies_network``,
    ``code_tallies_schools``, ``agreement_domains``, ``agreement_codes``,
    ``joint_display_network``, ``joint_display_schools``, ``quotes``.
    The warnings the analyses raise are kept in ``ctx.results["analysis_warnings"]``
    (:func:`analysis_notes`) for the data-quality section, not hidden.

    With ``jobs`` of 2 or more (and ``fork`` available), the change models and the psychometrics,
    which need only the scores and the responses, run in one forked worker while this process runs
    the rest. Tables keep their order and the warnings are listed in the order of the phases, so the
    outcome is the same as with one job.
    """
    cfg = ctx.config
    rate = float(MIN_RESPONSE_RATE if cfg.get("min_response_rate") is None else cfg["min_response_rate"])
    caught: dict[str, list] = {}

    def phase(name: str, fn, *args):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            out = fn(*args)
        caught[name] = list(got)
        return out

    scores = phase("scores", _scores, ctx)
    side = _SideWork.start(ctx, scores, rate) if jobs > 1 else None
    ctx.tables["participation"] = phase("participation", _participation, ctx, scores, rate)
    prof = phase("profile", _asset_profile, ctx, scores, rate)
    tallies = phase("tallies", _tallies, ctx)
    ctx.tables["recommendations"] = phase("recommendations", _recommendations, ctx, prof, tallies)
    ctx.tables["change"] = None if side else phase("change", _change, ctx, scores, rate)
    phase("gaps", _gaps, ctx, scores)
    at_baseline = phase("reliability", _reliability, ctx)
    if side:
        for name in _PSYCHOMETRIC_TABLES:  # placeholders: the tables keep their order
            ctx.tables[name] = None
    else:
        phase("psychometrics", _psychometrics, ctx, at_baseline)
    if len(ctx.codings) > 0:
        phase("qualitative", _qualitative, ctx, prof, tallies)
    if side:
        side.finish(ctx, at_baseline, phase)
    order = ["scores", "participation", "profile", "tallies", "recommendations", "change", "gaps"]
    order += ["reliability", "psychometrics", "qualitative"]
    ctx.results["analysis_warnings"] = analysis_notes(
        [w for name in order for w in caught.get(name, [])], ctx.school_ids
    )


_PSYCHOMETRIC_TABLES = (
    "reliability_ordinal",
    "reliability_ordinal_schools",
    "invariance_role",
    "invariance_wave",
)


class _SideWork:
    """The change models and the psychometrics, computed in a forked worker (see :func:`compute_analyses`).

    The worker inherits the context through ``fork`` (nothing is pickled on the way in); it sends back
    the tables and the warnings they raised, which :meth:`finish` raises again in this process, inside
    their phases.
    """

    _input: tuple | None = None

    def __init__(self, pool, future):
        self.pool, self.future = pool, future

    @classmethod
    def start(cls, ctx: ReportContext, scores: pd.DataFrame, rate: float) -> _SideWork | None:
        import concurrent.futures as cf
        import multiprocessing as mp

        if "fork" not in mp.get_all_start_methods():
            return None
        cls._input = (ctx, scores, rate)
        pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
        try:
            return cls(pool, pool.submit(_side_worker))
        finally:
            cls._input = None  # the worker has its copy (it is forked on submit)

    def finish(self, ctx: ReportContext, at_baseline: pd.DataFrame, phase) -> None:
        try:
            change, change_warnings, psycho = self.future.result()
        finally:
            self.pool.shutdown()
        ctx.tables["change"] = phase("change", _raise_again, change, change_warnings)
        _PSYCHOMETRICS_CACHE.setdefault(psycho[0], psycho[1])
        phase("psychometrics", _psychometrics, ctx, at_baseline)


def _side_worker() -> tuple:
    """In the forked worker: the change table (with its warnings) and the psychometrics cache entry."""
    assert _SideWork._input is not None
    ctx, scores, rate = _SideWork._input
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        change = _change(ctx, scores, rate)
    at_baseline = _staff_at_baseline(ctx)
    key = _psychometrics_key(ctx)
    if key not in _PSYCHOMETRICS_CACHE:
        _PSYCHOMETRICS_CACHE[key] = _psychometric_tables(ctx, at_baseline)
    return change, [(w.category, str(w.message)) for w in got], (key, _PSYCHOMETRICS_CACHE[key])


def _raise_again(value, raised: list):
    """``value``, after raising again the warnings a worker recorded while computing it."""
    for category, message in raised:
        warnings.warn(message, category, stacklevel=2)
    return value


def _scores(ctx: ReportContext) -> pd.DataFrame:
    """Domain scores of every respondent, and the instrument's domain names, in ``ctx.results``."""
    inst, res = ctx.instrument, ctx.results
    scores = S.score_domains(ctx.responses, inst)
    res["scores"] = scores
    res["domains"] = list(inst.domains["id"])
    res["domain_short"] = dict(zip(inst.domains["id"], inst.domains["short"]))
    res["domain_name"] = dict(zip(inst.domains["id"], inst.domains["name"]))
    return scores


def _asset_profile(ctx: ReportContext, scores: pd.DataFrame, rate: float) -> pd.DataFrame:
    """Each school's asset profile with its percent favourable (table ``asset_profile``)."""
    inst, n_min = ctx.instrument, ctx.min_n
    prof = S.asset_profile(
        scores,
        roster=ctx.roster,
        min_n=n_min,
        min_response_rate=rate,
        instrument=inst,
        suppress_also=ctx.results.get("suppress_also"),  # secondary suppression (assetinv.disclosure)
        **_thresholds(ctx.config, ("asset_at", "growth_below", "min_diff", "level")),
    )
    base = scores[(scores["wave"].astype(str) == "baseline") & scores["role"].isin(["teacher", "leader"])]
    summ = S.summarize(
        base,
        ("school",),
        roster=ctx.roster,
        responses=ctx.responses,
        min_n=n_min,
        min_response_rate=rate,
        instrument=inst,
    )
    attrs = dict(prof.attrs)
    prof = prof.merge(summ[["school", "domain", "pct_favourable"]], on=["school", "domain"], how="left")
    prof.attrs = attrs
    ctx.results["profile_attrs"] = dict(getattr(prof, "attrs", {}))
    ctx.tables["asset_profile"] = prof
    return prof


def _tallies(ctx: ReportContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interview code tallies per school and for the network (empty without codings).

    Interview counts use the qualitative module's own site minimum (``privacy.MIN_INTERVIEWS``).
    """
    if not len(ctx.codings):
        return pd.DataFrame(), pd.DataFrame()
    inst = ctx.instrument
    return (
        Q.code_tallies(ctx.codings, "school", instrument=inst),
        Q.code_tallies(ctx.codings, None, instrument=inst),
    )


def _recommendations(
    ctx: ReportContext, prof: pd.DataFrame, tallies: tuple[pd.DataFrame, pd.DataFrame]
) -> pd.DataFrame:
    """The playbook's supports for each school (table ``recommendations``).

    A 2.0.0 playbook follows each school's weak (or, for assets, strong) items. Each school's call gets
    only its own rows: the same result, without scanning the network's. Supports the district acts on
    also follow the leader-form and district-form items flagged in the school's district (leaders and
    district staff pooled, each item shown only with ``min_n`` answers): a school alone has too few
    leaders, and no district staff, to report them.
    """
    inst, tal_s = ctx.instrument, tallies[0]
    playbook = S.load_playbook(instrument=inst)
    item_prof = item_profile(ctx.responses, inst, min_n=ctx.min_n) if "supports" in playbook else None
    prof_of, tal_of = _by_school(prof), _by_school(tal_s) if len(ctx.codings) else None
    items_of = _by_school(item_prof) if item_prof is not None and "school" in item_prof else None
    district_of = _district_items(ctx, item_prof is not None)
    recs = [
        S.recommend(
            prof_of(s),
            s,
            playbook=playbook,
            codes=tal_of(s) if tal_of is not None else None,
            instrument=inst,
            items=items_of(s) if items_of is not None else item_prof,
            **district_of(s),
        )
        for s in sorted(prof["school"].astype(str).unique(), key=natural_key)
    ]
    return pd.concat(recs, ignore_index=True) if recs else pd.DataFrame()


def _district_items(ctx: ReportContext, wanted: bool):
    """``school -> recommend's district keywords``: the district-level item profile of leaders and district
    staff and the school's district (nothing for a school without a district, or without a 2.0.0 playbook).
    """
    if not wanted or "district" not in ctx.responses.columns:
        return lambda school: {}
    prof = item_profile(
        ctx.responses, ctx.instrument, by="district", roles=("leader", "district"), min_n=ctx.min_n
    )
    rows = prof.groupby(prof["district"].astype(str), sort=False).indices if len(prof) else {}

    def keywords(school: str) -> dict:
        d = ctx.school_district(school)
        if d is None or str(d) not in rows:
            return {}
        return {"district_items": prof.iloc[rows[str(d)]], "district": str(d)}

    return keywords


#: the columns of the ``change`` table, for a study with one wave (a CSV with its header)
_CHANGE_COLUMNS = [
    "domain",
    "domain_name",
    "scope",
    "estimate",
    "ci_low",
    "ci_high",
    "n_baseline",
    "n_followup",
    "reading",
    "suppressed",
]


def _change(ctx: ReportContext, scores: pd.DataFrame, rate: float) -> pd.DataFrame:
    """Change from baseline to follow-up, network and per school (table ``change``)."""
    if not {"baseline", "followup"} <= set(scores["wave"].astype(str)):
        return pd.DataFrame(columns=_CHANGE_COLUMNS)
    return S.change_over_time(
        scores,
        by_school=True,
        min_n=ctx.min_n,
        roster=ctx.roster,
        min_response_rate=rate,
        instrument=ctx.instrument,
    )


def _gaps(ctx: ReportContext, scores: pd.DataFrame) -> None:
    """Leader-teacher perception gaps: tables ``gaps_network`` (network, districts) and ``gaps_by_school``."""
    inst, n_min = ctx.instrument, ctx.min_n
    gaps = [
        S.perception_gaps(scores, level=lv, min_n=n_min, instrument=inst) for lv in ("network", "district")
    ]
    ctx.tables["gaps_network"] = pd.concat(gaps, ignore_index=True)
    ctx.tables["gaps_by_school"] = gaps_by_school(scores, ctx.school_ids, min_n=n_min, instrument=inst)


def _reliability(ctx: ReportContext) -> pd.DataFrame:
    """Alpha, ICCs and school-mean reliability (tables ``reliability_*``); returns the responses used.

    Reliability is on the baseline survey of school staff: one answer per person, and district offices
    (role "district") are not schools, so they stay out of the ICCs.
    """
    at_baseline = _staff_at_baseline(ctx)
    rel = instrument_reliability(
        at_baseline,
        ctx.instrument,
        min_n=ctx.min_n,
        thresholds=_thresholds(ctx.config, ("alpha_good", "alpha_adequate", "icc2_dependable")),
    )
    ctx.results["reliability"] = rel
    ctx.tables["reliability_domains"] = rel.overall
    ctx.tables["reliability_icc"] = rel.icc
    ctx.tables["reliability_schools"] = rel.school_reliability
    return at_baseline


def _staff_at_baseline(ctx: ReportContext) -> pd.DataFrame:
    """The baseline answers of school staff (teachers and leaders): reliability's and psychometrics' data."""
    r = ctx.responses
    return r[(r["wave"].astype(str) == "baseline") & r["role"].isin(["teacher", "leader"])]


def _qualitative(ctx: ReportContext, prof: pd.DataFrame, tallies: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Interview tables: tallies, coder agreement, joint displays and exemplar quotes."""
    codings, inst = ctx.codings, ctx.instrument
    seed = int(ctx.seed) if ctx.seed is not None else 0
    tal_s, tal_n = tallies
    ctx.tables["code_tallies_network"] = tal_n
    ctx.tables["code_tallies_schools"] = tal_s
    agd = Q.coder_agreement(codings, group_by="domain", seed=seed, instrument=inst)
    ctx.tables["agreement_domains"] = agd
    ctx.tables["agreement_codes"] = Q.coder_agreement(codings, group_by="code", seed=seed, instrument=inst)
    red = _redaction_terms(ctx)
    ctx.tables["joint_display_network"] = Q.joint_display(prof, codings, agd, instrument=inst, **red)
    ctx.tables["joint_display_schools"] = _joint_display_schools(ctx, prof, agd, tal_s, red)
    ctx.tables["quotes"] = _quotes(ctx, red)


def _joint_display_schools(
    ctx: ReportContext, prof: pd.DataFrame, agd: pd.DataFrame, tal_s: pd.DataFrame, red: dict
) -> pd.DataFrame:
    """Each school's joint display of survey bands and interview codes (its own rows only)."""
    prof_of, cod_of, tal_of = _by_school(prof), _by_school(ctx.codings), _by_school(tal_s)
    in_prof = set(prof["school"].astype(str))
    jds = [
        Q.joint_display(
            prof_of(s),
            cod_of(s),
            agd,
            school=s,
            instrument=ctx.instrument,
            band=True,
            tallies=tal_of(s),
            **red,
        )
        for s in ctx.school_ids
        if s in in_prof
    ]
    return pd.concat(jds, ignore_index=True) if jds else pd.DataFrame()


def _quotes(ctx: ReportContext, red: dict) -> pd.DataFrame:
    """Exemplar quotes, redacted, none from a school whose interviews are suppressed."""
    quotes = Q.exemplar_quotes(ctx.codings, instrument=ctx.instrument, **red)
    jds_all = ctx.tables["joint_display_schools"]
    if "interviews_suppressed" in jds_all and len(jds_all):
        hidden = set(jds_all.loc[jds_all["interviews_suppressed"].fillna("") != "", "school"].astype(str))
        quotes = quotes[~quotes["school"].astype(str).isin(hidden)]
    keep = [c for c in ("school", "domain", "rank", "codes", "exemplary", "n_coders", "quote") if c in quotes]
    return quotes[keep]


def _psychometrics(ctx: ReportContext, at_baseline: pd.DataFrame) -> None:
    """Ordinal alpha/omega (network; schools large enough) and invariance across roles and waves.

    Tables ``reliability_ordinal``, ``reliability_ordinal_schools``, ``invariance_role``
    (baseline, teachers vs leaders) and ``invariance_wave`` (school staff, baseline vs
    follow-up; empty with one wave). None holds a count of respondents.
    """
    key = _psychometrics_key(ctx)
    if key not in _PSYCHOMETRICS_CACHE:  # the same data in one process (tests, notebooks): computed once
        _PSYCHOMETRICS_CACHE[key] = _psychometric_tables(ctx, at_baseline)
    tables, raised = _PSYCHOMETRICS_CACHE[key]
    for category, message in raised:  # raised again on every run, so every run's notes are the same
        warnings.warn(message, category, stacklevel=2)
    for name, table in tables.items():
        ctx.tables[name] = table.copy()


def _psychometrics_key(ctx: ReportContext) -> tuple:
    """What the psychometric tables depend on: the school staff's answers, the instrument, the seed."""
    inst, seed = ctx.instrument, int(ctx.seed) if ctx.seed is not None else 0
    staff = ctx.responses[ctx.responses["role"].isin(["teacher", "leader"])]
    return (_frame_digest(staff), _frame_digest(inst.items.astype(str)), inst.name, inst.version, seed)


def _psychometric_tables(ctx: ReportContext, at_baseline: pd.DataFrame) -> tuple[dict, list]:
    """The four psychometric tables and the warnings computing them raised (category, message)."""
    inst, seed = ctx.instrument, int(ctx.seed) if ctx.seed is not None else 0
    staff = ctx.responses[ctx.responses["role"].isin(["teacher", "leader"])]
    big = at_baseline.groupby("school").filter(lambda g: len(g) >= ORDINAL_MIN_N)
    waves = [w for w in ("baseline", "followup") if (staff["wave"].astype(str) == w).any()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        role = domain_invariance(at_baseline, inst, group="role", levels=["teacher", "leader"])
        tables = {
            "reliability_ordinal": domain_ordinal_reliability(at_baseline, inst, seed=seed),
            "reliability_ordinal_schools": domain_ordinal_reliability(big, inst, by="school", seed=seed),
            "invariance_role": role,
            # one wave: nothing to compare, an empty table with the columns (a CSV with its header)
            "invariance_wave": domain_invariance(staff, inst, group="wave", levels=waves)
            if len(waves) == 2
            else role.iloc[0:0],
        }
    return tables, [(w.category, str(w.message)) for w in caught]


_PSYCHOMETRICS_CACHE: dict[tuple, tuple[dict[str, pd.DataFrame], list]] = {}


def _frame_digest(df: pd.DataFrame) -> str:
    """A digest of a frame's columns and values (for the in-process cache)."""
    h = hashlib.sha256("\x1f".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def analysis_notes(caught: Sequence[warnings.WarningMessage], school_ids: Sequence[str]) -> list[dict]:
    """The warnings the analyses raised, once each, safe to publish.

    Each distinct warning (category and first line of its message) is kept once with
    how often it was raised, in order of first occurrence. School ids become
    "a school" and digits "#", so a note never names a school or carries a
    count of a group too small to show.

    Parameters
    ----------
    caught : sequence of warnings.WarningMessage
        As recorded by ``warnings.catch_warnings(record=True)``.
    school_ids : sequence of str
        The study's school ids.

    Returns
    -------
    list of dict
        ``category``, ``message``, ``count``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("school S03 has 2 respondents")
    ...     warnings.warn("school S04 has 3 respondents")
    >>> analysis_notes(w, ["S03", "S04"])
    [{'category': 'UserWarning', 'message': 'school a school has # respondents', 'count': 2}]
    """
    ids = sorted((str(s) for s in school_ids), key=len, reverse=True)
    id_re = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in ids) + r")\b") if ids else None
    notes: dict[tuple[str, str], dict] = {}
    for w in caught:
        msg = str(w.message).strip().split("\n")[0]
        msg = id_re.sub("a school", msg) if id_re is not None else msg
        msg = re.sub(r"\d+(?:\.\d+)?", "#", msg)
        key = (w.category.__name__, msg)
        if key in notes:
            notes[key]["count"] += 1
        else:
            notes[key] = {"category": key[0], "message": msg, "count": 1}
    return list(notes.values())


def _participation(ctx: ReportContext, scores: pd.DataFrame, rate: float) -> pd.DataFrame:
    r = ctx.responses
    got = r.groupby(["school", "wave"], sort=True).size().rename("responded").reset_index()
    inv = ctx.roster.groupby(["school", "wave"], sort=True)["invited"].sum().reset_index()
    t = inv.merge(got, on=["school", "wave"], how="outer").sort_values(
        ["school", "wave"], kind="mergesort", key=id_sort_key
    )
    t["responded"] = t["responded"].fillna(0).astype("int64")
    t["response_rate"] = t["responded"] / t["invited"].where(t["invited"] > 0)
    t = suppress(t, ["response_rate"], n_column="responded", min_n=ctx.min_n)
    return t.reset_index(drop=True)


def gaps_by_school(scores: pd.DataFrame, school_ids: Sequence[str], **kw) -> pd.DataFrame:
    """:func:`assetinv.scoring.perception_gaps_with_fallback` for every school, each level computed once.

    The per-school function computes its district's school gaps, its district's gap and the network's gap
    each time it is called (a cost that grows with the square of the network); here each district's
    tables and the network's are computed once and every school takes its rows from them. The rows,
    notes and columns are those of the per-school function (``tests/test_pipeline_speed.py`` checks it).

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`assetinv.scoring.score_domains`.
    school_ids : sequence of str
        Schools in report order (those without respondents are left out).
    **kw
        ``min_n``, ``instrument`` and the other options of :func:`assetinv.scoring.perception_gaps`.

    Returns
    -------
    DataFrame
        The per-school tables, concatenated.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"respondent_id": range(24), "school": ["A"] * 12 + ["B"] * 12, "district": "D1",
    ...                   "role": (["leader"] * 3 + ["teacher"] * 9) * 2, "wave": "baseline",
    ...                   "OS": [4.0, 4.5, 5.0] + [3.0, 3.5] * 4 + [3.0] + [4.5, 4.0, 4.0] + [3.5] * 9})
    >>> gaps_by_school(s, ["A", "B"], domains=["OS"])[["school", "level", "group"]].values.tolist()
    [['A', 'district', 'D1'], ['B', 'district', 'D1']]
    """
    sch = scores["school"].astype(str)
    dist = scores["district"].astype(str) if "district" in scores else None
    net_t = S.perception_gaps(scores, level="network", **kw)
    first = scores.groupby(sch, sort=False).head(1)
    district_of = {}
    if dist is not None:
        district_of = {
            str(s): (str(d) if pd.notna(d) else None) for s, d in zip(first["school"], first["district"])
        }
    with_resp = set(sch)
    min_n = kw.get("min_n", S.MIN_N)
    per_district: dict = {}
    frames = []
    for s in [str(x) for x in school_ids]:
        if s not in with_resp:
            continue
        d = district_of.get(s)
        if d is None:  # no district: the school is pooled alone
            school_t = S.perception_gaps(scores[sch == s], level="school", **kw)
            frames.append(S._DistrictGaps(None, school_t, None, net_t, min_n).rows_for(s))
            continue
        if d not in per_district:
            pool = scores[dist == d]
            per_district[d] = S._DistrictGaps(
                d,
                S.perception_gaps(pool, level="school", **kw),
                S.perception_gaps(pool, level="district", **kw),
                net_t,
                min_n,
            )
        frames.append(per_district[d].rows_for(s))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _by_school(df: pd.DataFrame):
    """``school -> that school's rows`` (an empty frame with the same columns for a school without rows).

    Rows keep their order and the frame its ``attrs``: a per-school function given the slice sees what it
    would have filtered out of the whole table itself.
    """
    idx = df.groupby(df["school"].astype(str), sort=False).indices if len(df) else {}
    empty = df.iloc[:0]

    def rows(school: str) -> pd.DataFrame:
        i = idx.get(str(school))
        return df.iloc[i] if i is not None else empty

    return rows
