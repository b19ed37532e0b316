"""Cross-table disclosure control: the ledger, the auditor, and an attacker that reads every CSV of a release.

The attacker below is written independently of :mod:`assetinv.disclosure`: it
knows only what the published tables mean (which respondents each row pools)
and which district each school is in. It writes every published count and
mean (mean x n = sum) as a linear equation in the unknown per school x role x
wave counts and sums, and solves for every small group (least squares; a
group is recovered when its indicator lies in the row space of the equations
and the solution equals the truth). It must recover nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetinv.disclosure import (
    SECONDARY_REASON,
    audit_ledger,
    build_ledger,
    count_bounds,
    ledger_cells,
)
from assetinv.report import build_reports, default_data_dir

ROLES = ("teacher", "leader")


# ------------------------------------------------------------------ networks
def _cut(data: Path, school: str, keep: dict[tuple[str, str], int]) -> None:
    """Keep only ``keep[(role, wave)]`` rows of ``school`` (first in file order)."""
    path = data / "responses.csv"
    r = pd.read_csv(path, dtype=str, keep_default_na=False)
    drop = []
    for (role, wave), k in keep.items():
        idx = r.index[(r["school"] == school) & (r["role"] == role) & (r["wave"] == wave)]
        drop += list(idx[k:])
    r.drop(index=drop).to_csv(path, index=False, lineterminator="\n")


def _sample_s12(data: Path) -> None:
    shutil.copytree(default_data_dir(), data)
    # the issue's case: S12 (district D3) cut to 4 respondents at baseline (3 teachers, 1 leader)
    _cut(data, "S12", {("teacher", "baseline"): 3, ("leader", "baseline"): 1})


def _sim(**kw):
    cuts = kw.pop("cuts", {})

    def make(data: Path):
        from assetinv.simulate import write_sample

        write_sample(data, **kw)
        for school, keep in cuts.items():
            _cut(data, school, keep)

    return make


SMALL = {("teacher", "baseline"): 3, ("leader", "baseline"): 1}
NETWORKS = {
    "issue-S12": _sample_s12,
    # one small school per district (three districts of two schools)
    "small-per-district": _sim(
        seed=11,
        n_schools=6,
        n_districts=3,
        respondents_per_school=14,
        waves=("baseline",),
        n_interviews=6,
        cuts={"S01": SMALL, "S04": SMALL, "S05": SMALL},
    ),
    # a one-school district and a two-school district
    "one-two-school-districts": _sim(
        seed=12,
        n_schools=3,
        n_districts=2,
        respondents_per_school=16,
        leader_share=0.35,
        waves=("baseline",),
        n_interviews=4,
        cuts={"S02": {("teacher", "baseline"): 2, ("leader", "baseline"): 2}},
    ),
    # leaders around the minimum: school gaps shown beside hidden ones
    "small-leaders": _sim(
        seed=13,
        n_schools=4,
        n_districts=2,
        respondents_per_school=14,
        leader_share=0.4,
        waves=("baseline",),
        n_interviews=4,
        cuts={"S02": {("leader", "baseline"): 4}, "S03": {("leader", "baseline"): 2}},
    ),
    # two waves, one school's follow-up too small
    "small-wave": _sim(
        seed=14,
        n_schools=4,
        n_districts=2,
        respondents_per_school=10,
        n_interviews=4,
        cuts={"S03": {("teacher", "followup"): 2, ("leader", "followup"): 1}},
    ),
}


@pytest.fixture(scope="module", params=list(NETWORKS))
def release(request, tmp_path_factory):
    from threadpoolctl import threadpool_limits

    base = tmp_path_factory.mktemp(f"disclosure-{request.param}")
    data = base / "data"
    NETWORKS[request.param](data)
    first = min(pd.read_csv(data / "schools.csv", dtype=str)["school"])
    with threadpool_limits(1):
        build_reports(data, base / "out", schools=[first], progress=False)
    return request.param, data, base / "out"


# ------------------------------------------------------------------ the attacker
def _truth(data: Path):
    from assetinv.instrument import load_instrument
    from assetinv.io import read_responses
    from assetinv.scoring import score_domains

    inst = load_instrument()
    s = score_domains(read_responses(data / "responses.csv", inst), inst)
    return s[s["role"].isin(ROLES)], list(inst.domains["id"])


def _equations(tables: dict[str, pd.DataFrame], district_of: dict[str, str], cells: list, domain: str):
    """Rows (indicator over cells, n, sum) from every CSV of the release, for one domain."""
    idx = {c: i for i, c in enumerate(cells)}
    eqs = []

    def add(schools, roles, waves, n, mean=np.nan):
        if pd.isna(n):
            return
        v = np.zeros(len(cells))
        for c, i in idx.items():
            if (schools is None or c[0] in schools) and c[1] in roles and c[2] in waves:
                v[i] = 1
        eqs.append((v, float(n), float(n) * float(mean) if pd.notna(mean) else np.nan))

    p = tables["asset_profile"]
    for _, r in p[p["domain"] == domain].iterrows():
        add({str(r["school"])}, ROLES, {"baseline"}, r["n"], r["mean"])
    for name in ("gaps_network", "gaps_by_school"):
        g = tables.get(name, pd.DataFrame())
        for _, r in g[g["domain"] == domain].iterrows() if len(g) else []:
            lv, grp = str(r["level"]), str(r["group"])
            sch = (
                None
                if lv == "network"
                else ({s for s, d in district_of.items() if d == grp} if lv == "district" else {grp})
            )
            add(sch, {"teacher"}, {"baseline"}, r["n_teachers"], r["teacher_mean"])
            add(sch, {"leader"}, {"baseline"}, r["n_leaders"], r["leader_mean"])
    ch = tables.get("change", pd.DataFrame())
    for _, r in ch[ch["domain"] == domain].iterrows() if len(ch) else []:
        sch = None if str(r["scope"]) == "network" else {str(r["scope"])}
        add(sch, ROLES, {"baseline"}, r["n_baseline"])
        add(sch, ROLES, {"followup"}, r["n_followup"])
    for _, r in tables["reliability_schools"].query("domain == @domain").iterrows():
        add({str(r["school"])}, ROLES, {"baseline"}, r["n"])  # an attacker takes these as the scored counts
    rd = tables["reliability_domains"].query("domain == @domain")
    for _, r in rd.iterrows():
        add(None, ROLES, {"baseline"}, r["n"], r["mean"])
    return eqs


def _attack(data: Path, out: Path, min_n: int = 5) -> list[str]:
    """Every small group the attacker solves exactly from the CSV tables."""
    tables = {
        p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in (out / "tables").glob("*.csv")
    }
    schools = pd.read_csv(data / "schools.csv", dtype=str)
    district_of = dict(zip(schools["school"], schools["district"]))
    scores, domains = _truth(data)
    found = []
    for d in domains:
        sc = scores[scores[d].notna()]
        true = sc.groupby([sc["school"].astype(str), sc["role"].astype(str), sc["wave"].astype(str)])[d].agg(
            ["size", "sum"]
        )
        cells = list(true.index)
        eqs = _equations(tables, district_of, cells, d)
        if not eqs:
            continue
        A = np.vstack([e[0] for e in eqs])
        bn = np.array([e[1] for e in eqs])
        _, sv, vt = np.linalg.svd(A, full_matrices=False)
        V = vt[: int((sv > sv[0] * 1e-10).sum())]
        xn = np.linalg.lstsq(A, bn, rcond=None)[0]
        has_sum = np.array([not np.isnan(e[2]) for e in eqs])
        xs = (
            np.linalg.lstsq(A[has_sum], np.array([e[2] for e in eqs])[has_sum], rcond=None)[0]
            if has_sum.any()
            else np.zeros(len(cells))
        )
        Vs = np.linalg.svd(A[has_sum], full_matrices=False)[2] if has_sum.any() else np.zeros((0, len(cells)))
        if has_sum.any():
            s2 = np.linalg.svd(A[has_sum], compute_uv=False)
            Vs = Vs[: int((s2 > s2[0] * 1e-10).sum())]
        groups = [((c,), f"{c[0]} {c[1]} {c[2]}") for c in cells]  # every single cell ...
        for sch in sorted({c[0] for c in cells}):  # ... and every school's staff in a wave
            for w in ("baseline", "followup"):
                g = tuple(c for c in cells if c[0] == sch and c[2] == w)
                if len(g) > 1:
                    groups.append((g, f"{sch} teachers+leaders {w}"))
        for g, label in groups:
            v = np.array([1.0 if c in g else 0.0 for c in cells])
            n_true = float(sum(true.loc[c, "size"] for c in g))
            if not 0 < n_true < min_n:
                continue
            if np.linalg.norm(v - (v @ V.T) @ V) < 1e-8 and abs(v @ xn - n_true) < 0.5:
                found.append(f"{d}: n of {label} = {v @ xn:.2f} (true {n_true:.0f})")
            if len(Vs) and np.linalg.norm(v - (v @ Vs.T) @ Vs) < 1e-8:
                s_true = float(sum(true.loc[c, "sum"] for c in g))
                if abs(v @ xs - s_true) / n_true < 0.05:
                    found.append(f"{d}: mean of {label} = {v @ xs / n_true:.3f} (true {s_true / n_true:.3f})")
    return found


# ------------------------------------------------------------------ tests
def test_attacker_recovers_nothing(release):
    name, data, out = release
    found = _attack(data, out)
    assert not found, f"{name}: the attacker recovers {found[:5]}"


def test_whole_publication_attacker(release):
    """Every CSV, XLSX sheet and HTML table of the release: no small group's count or sum is recovered, exactly
    or to within the documented tolerance (LP), and the workbook publishes no number its CSV lacks."""
    from publication_attacker import COUNT_TOL, attack_release

    name, data, out = release
    r = attack_release(data, out)
    print(
        f"\n{name}: {r['systems']} systems, narrowest count interval {r['narrowest_count']}, "
        f"narrowest sum interval per respondent {r['narrowest_sum_per_respondent']}"
    )
    assert r["systems"] > 10
    assert not r["found"], f"{name}: the attacker recovers {r['found'][:5]}"
    assert r["xlsx_extra"] == [], r["xlsx_extra"][:5]
    assert r["narrowest_count"] >= COUNT_TOL


def test_verdict_in_provenance(release):
    _, _, out = release
    prov = json.loads((out / "provenance.json").read_text())
    v = prov["disclosure"]
    assert v["sensitive_sets_checked"] > 0 and v["facts_in_ledger"] > 0
    assert v["residual_risk"] == []
    assert v["lp_bounds"]["exact"] == []


def test_issue_case_adds_secondary_suppression(tmp_path):
    """Without the auditor, D3's gap rows minus S09-S11's profile rows give S12 exactly (issue 12, point 1)."""
    from assetinv.report import load_context

    data = tmp_path / "data"
    _sample_s12(data)
    ctx = load_context(data)
    prof = ctx.tables["asset_profile"]
    sec = prof[prof["suppressed"] == SECONDARY_REASON]
    assert len(sec) >= 4, "one more D3 school must be suppressed in every domain"
    assert set(sec["school"]) <= {"S09", "S10", "S11"}
    assert sec["mean"].isna().all() and sec["n"].isna().all()
    # the network mean no longer includes the secondarily suppressed schools
    for _d, rows in prof.groupby("domain"):
        shown = rows[rows["suppressed"].fillna("") == ""]
        assert np.isclose(rows["network_mean"].iloc[0], np.average(shown["mean"], weights=shown["n"]))
    res = ctx.results["disclosure"]
    assert any(u[0] == "school" for u in res.added) and res.residual == []
    # with the ledger as published, the auditor now finds nothing more to add
    again = audit_ledger(build_ledger(ctx), ctx.results["disclosure_cells"], ctx.min_n)
    assert again.added == [] and again.residual == []


def test_attacker_finds_the_issue_case_without_the_auditor(tmp_path, monkeypatch):
    """The attacker is real: with the auditor switched off it recovers S12 (the test would fail without the fix)."""
    import assetinv.disclosure as D

    data = tmp_path / "data"
    _sample_s12(data)
    monkeypatch.setattr(D, "audit_ledger", lambda ledger, cells, min_n=5: D.AuditResult())
    build_reports(data, tmp_path / "out", schools=["S01"], progress=False)
    found = _attack(data, tmp_path / "out")
    assert any("S12 teachers+leaders baseline" in f for f in found), found
    from publication_attacker import attack_release

    whole = attack_release(data, tmp_path / "out", lp=False)["found"]  # the whole-publication attacker too
    assert any("S12 staff baseline" in f for f in whole), whole


def test_ledger_facts_equal_the_data(tmp_path):
    """Every published count in the ledger equals the sum of its cells' true counts (the mapping is right)."""
    from assetinv.disclosure import _mask
    from assetinv.report import load_context

    data = tmp_path / "data"
    _sample_s12(data)
    ctx = load_context(data)
    cells = ctx.results["disclosure_cells"]
    led = build_ledger(ctx)
    assert {
        "participation",
        "data_quality",
        "pages",
        "asset_profile",
        "change",
        "gaps_network",
        "gaps_by_school",
        "reliability_schools",
        "reliability_domains",
        "reliability_icc",
    } <= set(led["table"])
    checked = 0
    for _, f in led[led["shown"] & led["value"].notna()].iterrows():
        cb = cells[(cells["family"] == f["family"]) & (cells["domain"] == f["domain"])]
        true = float(_mask(cb, f["schools"], f["roles"], f["waves"]) @ cb["n"].to_numpy())
        assert abs(true - f["value"]) < 1e-6, (f["table"], f["column"], f["unit"], f["value"], true)
        checked += 1
    assert checked > 300


def test_every_count_column_is_in_the_ledger(tmp_path):
    """Each numeric column of a survey table is either a ledger fact or a documented non-linear statistic."""
    from assetinv.report import load_context

    ctx = load_context()
    led = build_ledger(ctx)
    in_ledger = {(t, c) for t, cols in zip(led["table"], led["column"]) for c in cols.split(", ")}
    in_ledger |= {
        ("change", "n_linked"),
        ("reliability_icc", "mean_group_size"),
        ("reliability_icc", "n_groups"),
        ("gaps_network", "teacher_mean"),
        ("gaps_network", "leader_mean"),
        ("gaps_by_school", "teacher_mean"),
        ("gaps_by_school", "leader_mean"),
    }
    # not linear in respondents' counts or sums (documented in docs/privacy.md, "threat model")
    nonlinear = {
        "ci_low",
        "ci_high",
        "diff",
        "diff_low",
        "diff_high",
        "rank",
        "n_schools",
        "network_mean",
        "pct_favourable",
        "gap",
        "flagged_large",
        "estimate",
        "p_value",
        "effect_size",
        "hedges_g",
        "reliability",
        "invited",
        "response_rate",
        "icc1",
        "icc2",
        "f",
        "se",
        "df",
        "p_network",
        "p_standard",
        "q_network",
        "q_standard",
    }
    survey = [
        "participation",
        "asset_profile",
        "change",
        "gaps_network",
        "gaps_by_school",
        "reliability_schools",
        "reliability_icc",
        "item_distribution",
    ]
    for name in survey:
        df = ctx.tables[name]
        for c in df.columns:
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
                assert (name, c) in in_ledger or c in nonlinear, (
                    f"{name}.{c} is published but not in the ledger"
                )
    # the pages' district means are in it too
    assert led["column"].str.startswith("district_mean").any()
    # derived means pool exactly the cells their fact names: mean x count = the true sum of those respondents
    s = ctx.results["scores"]
    s = s[(s["wave"].astype(str) == "baseline") & s["role"].isin(ROLES)]
    prof = ctx.tables["asset_profile"]
    checked = 0
    for _, f in led[led["column"].isin(["others_mean", "network_mean"])].iterrows():
        d = f["domain"]
        rows = prof[prof["domain"] == d]
        mean = (
            rows.loc[rows["school"] == f["unit"][1], "others_mean"].iloc[0]
            if f["column"] == "others_mean"
            else rows["network_mean"].iloc[0]
        )
        v = s.loc[s["school"].astype(str).isin(f["schools"]), d].dropna()
        assert len(v) == f["value"] and abs(v.sum() - mean * f["value"]) < 1e-6, (f["unit"], mean, v.mean())
        checked += 1
    assert checked > 40


def test_auditor_example_and_bounds():
    cells = pd.DataFrame(
        {
            "family": "scored",
            "domain": "OS",
            "school": ["A", "B", "C"],
            "role": "teacher",
            "wave": "baseline",
            "n": [3, 9, 12],
        }
    )

    def fact(unit, sch, shown=True, fixed=False):
        return {
            "family": "scored",
            "domain": "OS",
            "unit": unit,
            "table": "t",
            "column": "n",
            "value": 0.0,
            "schools": sch,
            "roles": None,
            "waves": None,
            "shown": shown,
            "fixed": fixed,
        }

    led = pd.DataFrame(
        [
            fact(("s", "A"), ("A",), False),
            fact(("s", "B"), ("B",)),
            fact(("s", "C"), ("C",)),
            fact(("district",), None, fixed=True),
        ]
    )
    res = audit_ledger(led, cells)
    assert res.added == [("s", "B")]  # the smaller sibling, not C
    after = led[led["unit"] != ("s", "B")]
    b = count_bounds(after, cells)
    assert b["exact"] == [] and b["narrowest"] == 4.0  # A is known to be 0..4 (suppressed: under 5)
    # only a fixed total can reveal A: residual risk, reported
    led2 = pd.DataFrame(
        [
            fact(("s", "A"), ("A",), False),
            fact(("t1",), ("B", "C"), fixed=True),
            fact(("t2",), None, fixed=True),
        ]
    )
    assert audit_ledger(led2, cells).residual


def test_ledger_cells_families():
    s = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "a"],
            "school": "S",
            "district": "D",
            "role": "teacher",
            "wave": ["baseline", "baseline", "followup"],
            "OS": [3.0, np.nan, 4.0],
        }
    )
    c = ledger_cells(s, s, ["OS"])
    got = {(r.family, r.wave): r.n for r in c.itertuples()}
    assert got[("respondents", "baseline")] == 2 and got[("scored", "baseline")] == 1
    assert got[("linked", "both")] == 1


# ------------------------------------------------------------------ across releases
def test_means_rounded_to_precision(release):
    """CSV and XLSX means have 2 decimals by default (differencing two releases is then inexact)."""
    openpyxl = pytest.importorskip("openpyxl")
    from assetinv.table_dictionary import column_label

    _, _, out = release
    text = (out / "tables" / "asset_profile.csv").read_text()
    prof = pd.read_csv(out / "tables" / "asset_profile.csv")
    means = prof["mean"].dropna()
    assert len(means) and np.allclose(means, means.round(2))
    assert "3.284903" not in text
    wb = openpyxl.load_workbook(out / "assetinv_tables.xlsx", read_only=True)
    ws = wb["asset_profile"]
    head = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    j = head.index(
        column_label("mean")
    )  # the workbook has readable headers ("Mean (1-5)"), the CSV the names
    vals = [r[j] for r in ws.iter_rows(min_row=2, values_only=True) if r[j] is not None]
    wb.close()
    assert vals and all(round(v, 2) == v for v in vals)


def test_precision_option_and_release_warning(tmp_path):
    """--precision changes the decimals; removing 1 respondent and re-rendering warns about differencing."""
    from assetinv.cli import main
    from assetinv.simulate import write_sample

    data = tmp_path / "data"
    write_sample(
        data,
        seed=21,
        n_schools=3,
        n_districts=1,
        respondents_per_school=9,
        waves=("baseline",),
        n_interviews=4,
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "report",
                "--data",
                str(data),
                "--out",
                str(out),
                "--quiet",
                "--precision",
                "4",
                "--schools",
                "S01",
            ]
        )
        == 0
    )
    prof = pd.read_csv(out / "tables" / "asset_profile.csv")
    assert (prof["mean"].dropna().round(4) != prof["mean"].dropna().round(2)).any()
    ledger = json.loads((out / ".assetinv-release.json").read_text())
    assert ledger["groups"] and all(isinstance(v, int) for v in ledger["groups"].values())
    # the next release: one respondent of S02 removed
    r = pd.read_csv(data / "responses.csv", dtype=str, keep_default_na=False)
    drop = r.index[(r["school"] == "S02") & (r["role"] == "teacher")][0]
    r.drop(index=drop).to_csv(data / "responses.csv", index=False, lineterminator="\n")
    res = build_reports(data, out, schools=["S01"], progress=False)
    assert any("S02" in w and "difference of 1" in w for w in res["warnings"]), res["warnings"]
    # an unchanged re-render warns about nothing, and the ledger can be switched off
    assert build_reports(data, out, schools=["S01"], progress=False)["warnings"] == []
    off = tmp_path / "off"
    build_reports(data, off, schools=["S01"], progress=False, release_ledger=False)
    assert not (off / ".assetinv-release.json").exists()


def test_precision_is_validated(tmp_path):
    from assetinv.cli import main

    data = tmp_path / "d"
    shutil.copytree(default_data_dir(), data)
    (data / "study.yaml").write_text((data / "study.yaml").read_text() + "precision: two\n")
    assert main(["report", "--data", str(data), "--out", str(tmp_path / "o"), "--quiet"]) == 2
