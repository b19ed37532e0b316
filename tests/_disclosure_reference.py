"""The disclosure auditor as it was before it was made fast (assetinv 0.x, main at the start of issue 15).

A frozen copy of ``assetinv.disclosure.audit_ledger`` and ``count_bounds`` with their helpers, kept only so
that tests can check that the fast auditor gives the same verdicts (the same units blanked, in the same
order, the same residual risks and the same LP bounds) on the sample and on adversarial networks.
Not used by the package. Slow by design (one pandas mask per fact, every LP solved).
"""
# ruff: noqa

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

MIN_N = 5
_REL_TOL = 1e-9


class AuditResult:
    def __init__(self, facts=0):
        self.checked = 0
        self.facts = facts
        self.added = []
        self.residual = []
        self.rounds = 0
        self.bounds = {}


def _mask(cells: pd.DataFrame, schools, roles, waves) -> np.ndarray:
    m = np.ones(len(cells), dtype=bool)
    if schools is not None:
        m &= cells["school"].isin(schools).to_numpy()
    if roles is not None:
        m &= cells["role"].isin(roles).to_numpy()
    if waves is not None:
        m &= cells["wave"].isin(waves).to_numpy()
    return m


def _row_basis(A: np.ndarray) -> np.ndarray:
    if A.size == 0:
        return np.zeros((0, A.shape[1]))
    _, s, vt = np.linalg.svd(A, full_matrices=False)
    if not len(s) or s[0] == 0:
        return np.zeros((0, A.shape[1]))
    r = int((s > s[0] * max(A.shape) * 1e-12).sum())
    return vt[:r]


def _determined(V: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Which rows of T lie in the row space spanned by orthonormal rows V."""
    if len(T) == 0:
        return np.zeros(0, dtype=bool)
    if len(V) == 0:
        return np.zeros(len(T), dtype=bool)
    res = T - (T @ V.T) @ V
    return np.linalg.norm(res, axis=1) <= _REL_TOL * np.maximum(np.linalg.norm(T, axis=1), 1.0) * 1e3


def _targets(cells: pd.DataFrame, ledger: pd.DataFrame, min_n: int, block: tuple) -> list[dict]:
    """Sensitive sets of one (family, domain) block: small cells, small pairs, small suppressed groups."""
    n = cells["n"].to_numpy()
    out = []
    small = [i for i in range(len(cells)) if 0 < n[i] < min_n]
    for i in small:
        v = np.zeros(len(cells))
        v[i] = 1
        c = cells.iloc[i]
        out.append({"label": f"{block[0]} {block[1]}: {c['school']} {c['role']} {c['wave']}", "vec": v})
    for i, j in itertools.combinations(small, 2):
        if n[i] + n[j] < min_n:
            v = np.zeros(len(cells))
            v[[i, j]] = 1
            a, b = cells.iloc[i], cells.iloc[j]
            out.append(
                {
                    "label": f"{block[0]} {block[1]}: {a['school']} {a['role']} {a['wave']} + "
                    f"{b['school']} {b['role']} {b['wave']}",
                    "vec": v,
                }
            )
    seen = set()
    for _, f in ledger[~ledger["shown"]].iterrows():
        v = _mask(cells, f["schools"], f["roles"], f["waves"]).astype(float)
        tot = float(v @ n)
        key = v.tobytes()
        if 0 < tot < min_n and key not in seen and v.sum() > 1:
            seen.add(key)
            out.append(
                {"label": f"{block[0]} {block[1]}: {f['table']} {' / '.join(map(str, f['unit']))}", "vec": v}
            )
    return out


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
        must hold 4 each).

    Returns
    -------
    AuditResult
        ``added`` lists the units to blank (greedy, deterministic: for each
        determined set in sort order, the unit with the fewest respondents
        among those the minimum-norm solution uses); ``residual`` what no
        blankable unit can protect.

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
    cost = _unit_cost(ledger, cells)
    # the survey scores first: a school hidden there is then preferred in the other families
    rank = {"scored": 0, "answered": 1, "linked": 2, "respondents": 3}
    blocks = (
        sorted(set(zip(ledger["family"], ledger["domain"])), key=lambda b: (rank.get(b[0], 9), b))
        if len(ledger)
        else []
    )
    for block in blocks:
        cb = cells[(cells["family"] == block[0]) & (cells["domain"] == block[1])].reset_index(drop=True)
        if cb.empty:
            continue
        lb = ledger[(ledger["family"] == block[0]) & (ledger["domain"] == block[1])].reset_index(drop=True)
        M = (
            np.vstack(
                [_mask(cb, f["schools"], f["roles"], f["waves"]).astype(float) for _, f in lb.iterrows()]
            )
            if len(lb)
            else np.zeros((0, len(cb)))
        )
        targets = _targets(cb, lb, min_n, block)
        res.checked += len(targets)
        if not targets:
            continue
        T = np.vstack([x["vec"] for x in targets])
        done = np.zeros(len(targets), dtype=bool)
        deps = _depends(lb)
        while True:
            act = _active(lb, deps, removed)
            A = M[act]
            det = _determined(_row_basis(A), T) & ~done
            if not det.any():
                break
            k = int(np.flatnonzero(det)[0])
            used = _units_used(lb, deps, M, act, T[k])
            if not used:
                res.residual.append({"label": targets[k]["label"]})
                done[k] = True
                continue
            hidden = {u[1] for u in removed if len(u) > 2}  # schools already hidden somewhere
            order = sorted(
                used, key=lambda u: (not (len(u) > 2 and u[1] in hidden), cost.get(u, np.inf), str(u))
            )
            pick = order[0]
            for u in order:  # the cheapest unit that protects this set on its own, if there is one
                keep = _active(lb, deps, removed | {u})
                if not _determined(_row_basis(M[keep]), T[k : k + 1])[0]:
                    pick = u
                    break
            removed.add(pick)
            res.added.append(pick)
        if lp:
            _lp_phase(lb, cb, M, targets, removed, cost, min_n, res)
    return res


def _depends(lb: pd.DataFrame) -> list:
    """Per fact, the units it is computed from (derived statistics), else None."""
    if "depends" not in lb:
        return [None] * len(lb)
    return [d if isinstance(d, tuple) and d else None for d in lb["depends"]]


def _active(lb: pd.DataFrame, deps: list, removed: set) -> list[int]:
    """Facts still published: shown, their unit not blanked, and none of the units they derive from blanked
    (a derived mean is recomputed without a blanked school; the recomputed one is in the next round's ledger).
    """
    return [
        i
        for i in range(len(lb))
        if lb.at[i, "shown"]
        and lb.at[i, "unit"] not in removed
        and not (deps[i] and removed.intersection(deps[i]))
    ]


def _units_used(lb: pd.DataFrame, deps: list, M: np.ndarray, act: list[int], target: np.ndarray) -> set:
    """Blankable units behind the minimum-norm combination of published facts that gives ``target``.

    Derived facts are left out of the combination when the primary facts suffice (they are in the
    span of their members); when one is needed, the units it derives from are the candidates.
    """
    prim = [i for i in act if not deps[i]]
    for rows in (prim, act):
        if not rows:
            continue
        y = np.linalg.lstsq(M[rows].T, target, rcond=None)[0]
        if np.linalg.norm(M[rows].T @ y - target) <= 1e-6 * max(1.0, np.linalg.norm(target)) or rows is act:
            break
    used: set = set()
    for j in np.flatnonzero(np.abs(y) > 1e-9):
        i = rows[j]
        if deps[i]:
            used |= {u for u in deps[i] if u in set(lb["unit"])}
        elif not lb.at[i, "fixed"]:
            used.add(lb.at[i, "unit"])
    return used


def _lp_width(c, A, b, A_ub, b_ub) -> float:
    """Max - min of ``c @ x`` over ``A x = b, A_ub x <= b_ub, x >= 0`` (inf when unbounded)."""
    from scipy.optimize import linprog

    kw = {
        "A_eq": A if len(A) else None,
        "b_eq": b if len(A) else None,
        "A_ub": A_ub,
        "b_ub": b_ub,
        "bounds": (0, None),
        "method": "highs",
    }
    lo, hi = linprog(c, **kw), linprog(-c, **kw)
    if lo.status != 0 or hi.status != 0:
        return np.inf
    return float(-hi.fun - lo.fun)


def _free_width(vec: np.ndarray, A: np.ndarray, A_ub: np.ndarray | None, n: np.ndarray) -> float:
    """A lower bound on a target's LP width, without solving: 0 when no shortcut applies.

    Two cells with identical columns in every published fact (and every upper bound) are
    interchangeable to a reader: moving respondents from one to the other changes no published
    number. When the target holds one of them (``i``) but not the other (``j``), its count can
    therefore be anything from ``value - n_i`` to ``value + n_j``: the width is at least
    ``n_i + n_j`` >= 2, so the set is neither determined nor narrowly bounded.
    """
    cols = A.T if A_ub is None else np.vstack([A, A_ub]).T if len(A) else A_ub.T
    if cols.size == 0:
        cols = np.zeros((len(vec), 0))
    inside: dict = {}
    outside: dict = {}
    for i, key in enumerate(map(bytes, np.ascontiguousarray(cols, dtype=float))):
        side = inside if vec[i] > 0 else outside
        side[key] = max(side.get(key, 0.0), float(n[i]))
    return max((inside[k] + outside[k] for k in inside.keys() & outside.keys()), default=0.0)


def _lp_phase(lb, cb, M, targets, removed, cost, min_n, res) -> None:
    """Counts are non-negative and a suppressed small group holds at most ``min_n - 1``: blank more units
    while some sensitive count is pinned to an interval narrower than one respondent.
    """
    n = cb["n"].to_numpy(dtype=float)
    hidden_small = [M[i] for i in range(len(lb)) if not lb.at[i, "shown"] and 0 < M[i] @ n < min_n]
    A_ub = np.vstack(hidden_small) if hidden_small else None
    b_ub = np.full(len(hidden_small), min_n - 1.0) if hidden_small else None
    skip: set = set()
    deps = _depends(lb)
    for _ in range(200):
        act = _active(lb, deps, removed)
        A = np.unique(M[act], axis=0) if act else np.zeros((0, len(cb)))
        exact = next(
            (
                k
                for k, t in enumerate(targets)
                if k not in skip
                and _free_width(t["vec"], A, A_ub, n) < 1.0
                and _lp_width(t["vec"], A, A @ n, A_ub, b_ub) < 1.0
            ),
            None,
        )
        if exact is None:
            return
        vec = targets[exact]["vec"]
        used = sorted(
            {lb.at[i, "unit"] for i in act if not lb.at[i, "fixed"]},
            key=lambda u: (cost.get(u, np.inf), str(u)),
        )
        pick = None
        for u in used:
            keep = _active(lb, deps, removed | {u})
            A2 = np.unique(M[keep], axis=0) if keep else np.zeros((0, len(cb)))
            if _lp_width(vec, A2, A2 @ n, A_ub, b_ub) >= 1.0:
                pick = u
                break
        if pick is None:
            res.residual.append({"label": targets[exact]["label"] + " (LP bounds)"})
            skip.add(exact)
            continue
        removed.add(pick)
        res.added.append(pick)


def _unit_cost(ledger: pd.DataFrame, cells: pd.DataFrame) -> dict:
    """Respondents behind each unit (its largest fact): the auditor blanks small units first."""
    cost: dict = {}
    for (fam, dom), lb in ledger.groupby(["family", "domain"], sort=True):
        cb = cells[(cells["family"] == fam) & (cells["domain"] == dom)]
        n = cb["n"].to_numpy()
        for _, f in lb.iterrows():
            v = float(_mask(cb, f["schools"], f["roles"], f["waves"]) @ n)
            cost[f["unit"]] = max(cost.get(f["unit"], 0.0), v)
    return cost


def count_bounds(ledger: pd.DataFrame, cells: pd.DataFrame, min_n: int = MIN_N) -> dict:
    """Linear-programming bounds a reader can put on each sensitive count.

    For every sensitive set of :func:`audit_ledger`, minimise and maximise its
    count subject to the published facts (``A x = b``), ``x >= 0``, and what
    the tables say in words: a suppressed small group holds at most
    ``min_n - 1`` respondents.

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
    from scipy.optimize import linprog

    out = {"sets": 0, "narrowest": None, "exact": []}
    deferred = []  # (lower bound on the width without an LP, LP arguments, label): solved only if it could matter

    def solve(c, kw, label) -> None:
        lo = linprog(c, **kw)
        hi = linprog(-c, **kw)
        if lo.status != 0 or hi.status not in (0, 3):
            return
        width = np.inf if hi.status == 3 else float(-hi.fun - lo.fun)
        if out["narrowest"] is None or width < out["narrowest"]:
            out["narrowest"] = round(width, 6)
        if width < 1.0:
            out["exact"].append(label)

    for (fam, dom), lb in ledger.groupby(["family", "domain"], sort=True):
        cb = cells[(cells["family"] == fam) & (cells["domain"] == dom)].reset_index(drop=True)
        if cb.empty:
            continue
        lb = lb.reset_index(drop=True)
        n = cb["n"].to_numpy(dtype=float)
        masks = [_mask(cb, f["schools"], f["roles"], f["waves"]).astype(float) for _, f in lb.iterrows()]
        shown = [m for m, s in zip(masks, lb["shown"]) if s]
        A = np.unique(np.vstack(shown), axis=0) if shown else np.zeros((0, len(cb)))
        b = A @ n
        ub_rows = [m for m, s in zip(masks, lb["shown"]) if not s and 0 < m @ n < min_n]
        A_ub = np.vstack(ub_rows) if ub_rows else None
        b_ub = np.full(len(ub_rows), min_n - 1.0) if ub_rows else None
        kw = {
            "A_eq": A if len(A) else None,
            "b_eq": b if len(A) else None,
            "A_ub": A_ub,
            "b_ub": b_ub,
            "bounds": (0, None),
            "method": "highs",
        }
        for tg in _targets(cb, lb, min_n, (fam, dom)):
            out["sets"] += 1
            free = _free_width(tg["vec"], A, A_ub, n)
            if free >= 1.0:
                deferred.append((free, tg["vec"], kw, tg["label"]))
            else:
                solve(tg["vec"], kw, tg["label"])
    for (
        free,
        c,
        kw,
        label,
    ) in deferred:  # the true width is >= free: it can only lower "narrowest" when below it
        if out["narrowest"] is None or free < out["narrowest"]:
            solve(c, kw, label)
    return out
