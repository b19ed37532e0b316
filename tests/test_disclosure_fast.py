"""The fast disclosure auditor gives the same verdicts as the auditor it replaced (issue 15).

``tests/_disclosure_reference.py`` is a frozen copy of the auditor before it was made fast (one pandas mask
per fact, every LP solved). Every ledger the report pipeline audits -- on the bundled sample, the issue's
S12 case and the adversarial networks of ``test_disclosure.py`` -- is audited by both; the units blanked
(in order), the residual risks, the number of sets checked and the LP bounds must be equal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _disclosure_reference as REF  # noqa: E402
from test_disclosure import NETWORKS  # noqa: E402

import assetinv._factspace as F  # noqa: E402
import assetinv.disclosure as D  # noqa: E402


def _audited(monkeypatch, data: Path | None):
    """Every (ledger, cells, min_n) the pipeline passes to the auditor and to the LP bounds, in order."""
    from assetinv.report import load_context

    calls: list = []
    real_audit, real_bounds = D.audit_ledger, D.count_bounds

    def audit(ledger, cells, min_n=5, **kw):
        out = real_audit(ledger, cells, min_n, **kw)
        calls.append(("audit", ledger.copy(), cells.copy(), min_n, out))
        return out

    def bounds(ledger, cells, min_n=5):
        out = real_bounds(ledger, cells, min_n)
        calls.append(("bounds", ledger.copy(), cells.copy(), min_n, out))
        return out

    monkeypatch.setattr(D, "audit_ledger", audit)
    monkeypatch.setattr(D, "count_bounds", bounds)
    load_context(data)
    return calls


@pytest.mark.parametrize("network", ["bundled-sample", *NETWORKS])
def test_same_verdicts_as_the_reference_auditor(network, tmp_path, monkeypatch):
    data = None
    if network != "bundled-sample":
        data = tmp_path / "data"
        NETWORKS[network](data)
    calls = _audited(monkeypatch, data)
    assert any(c[0] == "audit" for c in calls) and any(c[0] == "bounds" for c in calls)
    for kind, ledger, cells, min_n, got in calls:
        if kind == "audit":
            want = REF.audit_ledger(ledger, cells, min_n)
            assert got.added == want.added, network
            assert got.residual == want.residual, network
            assert (got.checked, got.facts) == (want.checked, want.facts)
        else:
            want = REF.count_bounds(ledger, cells, min_n)
            assert got == want, network


def _random_ledger(rng: np.random.Generator, n_schools: int):
    """A random two-district ledger: school rows, district and network totals, hidden small schools."""
    schools = [f"S{i:02d}" for i in range(n_schools)]
    district = {s: "D1" if i % 2 else "D2" for i, s in enumerate(schools)}
    rows = []
    for s in schools:
        for role in ("teacher", "leader"):
            n = (
                int(rng.integers(1, 4))
                if role == "leader" or rng.random() < 0.3
                else int(rng.integers(5, 20))
            )
            rows.append(
                {"family": "scored", "domain": "X", "school": s, "role": role, "wave": "baseline", "n": n}
            )
    cells = pd.DataFrame(rows)

    def fact(unit, sch, roles, shown=True, fixed=False):
        return {
            "family": "scored",
            "domain": "X",
            "unit": unit,
            "table": "t",
            "column": "n",
            "value": 0.0,
            "schools": sch,
            "roles": roles,
            "waves": None,
            "shown": shown,
            "fixed": fixed,
            "depends": None,
        }

    facts = []
    for s in schools:
        tot = int(cells.loc[cells["school"] == s, "n"].sum())
        facts.append(
            fact(("school", s, "X"), (s,), ("leader", "teacher"), shown=tot >= 5 and rng.random() > 0.2)
        )
        if rng.random() < 0.5:
            facts.append(fact(("gap", s), (s,), ("teacher",), shown=rng.random() > 0.3))
    for dname in ("D1", "D2"):
        members = tuple(sorted(s for s in schools if district[s] == dname))
        for role in ("teacher", "leader"):
            facts.append(fact(("district", dname, role), members, (role,)))
    facts.append(fact(("network",), None, None, fixed=True))
    return pd.DataFrame(facts), cells


@pytest.mark.parametrize("seed", range(12))
def test_same_verdicts_on_random_ledgers(seed):
    """Random ledgers with hidden schools, district splits by role and a fixed network total."""
    rng = np.random.default_rng(seed)
    ledger, cells = _random_ledger(rng, int(rng.integers(4, 9)))
    got, want = D.audit_ledger(ledger, cells), REF.audit_ledger(ledger, cells)
    assert (got.added, got.residual, got.checked) == (want.added, want.residual, want.checked)
    after = ledger[~ledger["unit"].isin(got.added)]
    assert D.count_bounds(after, cells) == REF.count_bounds(after, cells)


def test_mask_equals_the_reference():
    cells = pd.DataFrame(
        {
            "school": ["A", "A", "B", "C"],
            "role": ["teacher", "leader", "teacher", "leader"],
            "wave": "baseline",
        }
    )
    for key in [(("A",), None, None), (("A", "C"), ("leader",), None), (None, ("teacher",), ("followup",))]:
        assert (D._mask(cells, *key) == REF._mask(cells, *key)).all()


def _problem(rng: np.random.Generator, loo: bool = False):
    """A random block: schools x (role, wave) cells, school rows, pooled rows (and leave-one-out rows)."""
    n_s, n_p = int(rng.integers(2, 7)), int(rng.integers(1, 4))
    keep = rng.random(n_s * n_p) < 0.85
    keep[0] = True
    school = np.repeat(np.arange(n_s), n_p)[keep]
    pos = np.tile(np.arange(n_p), n_s)[keep]
    school = pd.factorize(school)[0]
    cells = len(school)
    n = rng.integers(1, 9, cells).astype(float)
    rows = []
    for _ in range(int(rng.integers(0, 6))):  # arbitrary rows
        rows.append((rng.random(cells) < 0.4).astype(float))
    for s in range(school.max() + 1):  # school rows of one pattern
        if rng.random() < 0.6:
            pat = rng.random(n_p) < 0.6
            rows.append(((school == s) & pat[pos]).astype(float))
    if loo:
        for _ in range(int(rng.integers(1, 4))):
            pat = rng.random(n_p) < 0.7
            scope = rng.random(school.max() + 1) < 0.8
            if rng.random() < 0.5:
                rows.append((scope[school] & pat[pos]).astype(float))  # the scope's total
            for s in np.flatnonzero(scope):
                if rng.random() < 0.7:
                    rows.append((scope[school] & (school != s) & pat[pos]).astype(float))
    A = np.vstack(rows) if rows else np.zeros((0, cells))
    A = A[A.sum(axis=1) > 0] if len(A) else A
    ub = [m for m in (rng.random((2, cells)) < 0.3).astype(float) if 0 < m @ n < 5]
    A_ub = np.vstack(ub) if ub else None
    groups = [("g", np.flatnonzero(m)) for m in (rng.random((2, cells)) < 0.4) if m.sum() > 1]
    return school, pos, n, A, A_ub, groups


def _dense_targets(tg) -> np.ndarray:
    return np.vstack([tg.vec(k, len(tg.n)) for k in range(len(tg))])


def test_free_widths_equal_the_one_at_a_time_shortcut():
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(60):
        school, pos, n, A, A_ub, groups = _problem(rng, loo=rng.random() < 0.5)
        tg = F.Targets(n, 6, groups, lambda i, first: str(i))
        if not len(tg):
            continue
        grp = D._col_groups(len(n), sp.csr_matrix(A), None if A_ub is None else sp.csr_matrix(A_ub))
        got = D._free(tg, grp, n)
        want = [REF._free_width(t, A, A_ub, n) for t in _dense_targets(tg)]
        assert np.allclose(got, want)
        checked += len(tg)
    assert checked > 300


@pytest.mark.parametrize("loo", [False, True])
def test_factored_rank_test_equals_the_dense_one(loo):
    """Determined sets from the school-by-school null space equal the dense row-space test, including
    pooled facts that leave one school out (with and without their scope's total published)."""
    rng = np.random.default_rng(11 + loo)
    seen = {True: 0, False: 0}
    for _ in range(150):
        school, pos, n, A, _A_ub, groups = _problem(rng, loo=loo)
        tg = F.Targets(n, 8, groups, lambda i, first: str(i))
        if not len(tg):
            continue
        space = F.FactSpace(sp.csr_matrix(A), school, pos)
        got = D._determined(space, tg)
        T = _dense_targets(tg)
        want = REF._determined(REF._row_basis(A), T) if len(A) else np.zeros(len(T), dtype=bool)
        assert (got == want).all()
        for v in got:
            seen[bool(v)] += 1
    assert seen[True] > 50 and seen[False] > 50, seen


def test_width_certificates_never_exceed_the_lp_width():
    """The shortcuts that let the auditor skip an LP are lower bounds on the LP's own interval."""
    rng = np.random.default_rng(8)
    checked = wide = 0
    for _ in range(80):
        school, pos, n, A, A_ub, groups = _problem(rng, loo=rng.random() < 0.5)
        tg = F.Targets(n, 6, groups, lambda i, first: str(i))
        if not len(tg):
            continue
        space = F.FactSpace(sp.csr_matrix(A), school, pos)
        b_ub = np.full(len(A_ub), 4.0) if A_ub is not None else None
        Au = None if A_ub is None else sp.csr_matrix(A_ub)
        floor = np.maximum(
            D._free(tg, D._col_groups(len(n), sp.csr_matrix(A), Au), n),
            D._null_floors(space, tg, n, Au, b_ub),
        )
        for t, f in zip(_dense_targets(tg), floor):
            width = D._lp_width(t, A, A @ n, A_ub, b_ub)
            assert f <= width + 1e-7, (f, width)
            checked += 1
            wide += bool(f >= 1.0 + D._FLOOR_MARGIN)
    assert checked > 300 and wide > 100, (checked, wide)


def test_sparse_fact_rows_equal_the_masks():
    """A fact's row in the sparse matrix (read school by school for small facts) equals its mask."""
    rng = np.random.default_rng(5)
    schools = [f"S{i}" for i in range(12)]
    cells = pd.DataFrame(
        [(s, r, w) for s in schools for r in ("teacher", "leader") for w in ("baseline", "followup")],
        columns=["school", "role", "wave"],
    ).sample(frac=0.8, random_state=1)
    facts = []
    for _ in range(200):
        k = int(rng.integers(1, 12))
        sch = None if rng.random() < 0.1 else tuple(rng.choice(schools + ["ZZ"], k, replace=False))
        roles = None if rng.random() < 0.4 else tuple(rng.choice(["teacher", "leader", "district"], 1))
        waves = None if rng.random() < 0.4 else ("baseline",)
        facts.append({"schools": sch, "roles": roles, "waves": waves})
    lb = pd.DataFrame(facts)
    M = D._Block(cells).matrix(lb).toarray()
    for row, f in zip(M, facts):
        want = REF._mask(cells, f["schools"], f["roles"], f["waves"])
        assert (row.astype(bool) == want).all()
