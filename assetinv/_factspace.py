"""The null space of one block's published facts, built school by school (private to :mod:`assetinv.disclosure`).

A block's unknowns are its atomic cells (school x role x wave); a published fact is a 0/1 row over them.
The auditor asks of every sensitive set ``t`` whether it lies in the row space of the facts, and wants a
direction in their null space along which ``t`` moves, to bound the interval a reader can put on it.

Dense linear algebra on facts x cells grows with the cube of the network. But most facts are one school's,
and the others pool many schools with one role x wave *pattern*. A leave-one-out fact ("the network
without school a") is the pattern's total minus school a's part: with that total as an auxiliary unknown
``tau`` (defined by one dense row) the fact touches one school, and when the total is itself published it
is simply school a's part. Each school's rows ``L_s x_s + G_s tau = 0`` are solved with a small SVD,

    ``x_s = N_s a_s + W_s tau``,  ``W_s = -pinv(L_s) G_s``,  subject to ``Q_s' G_s tau = 0``,

so the null space of the facts is the image, under ``Phi = [blockdiag(N_s) | W]``, of the null space of a
short matrix ``E`` (those compatibility rows and the few dense rows). A set ``t`` is determined exactly
when ``h = Phi' t`` lies in the row space of ``E``; its residual ``z = h - R'R h`` (``R``: orthonormal rows
of ``E``) maps to the null-space direction ``Phi z``, along which ``t`` changes by ``|z|^2``. For a pair of
cells, ``z`` is the sum of the cells' own, so every pair is judged from a Gram matrix of the small cells'
residuals instead of a vector per pair.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["FactSpace", "Targets", "indicator", "unique_rows"]

_RANK_TOL = 1e-12  # relative singular-value cut (as the dense auditor's row basis)
_ABS_TOL = 1e-9  # absolute cut for the short matrix E, built from orthonormal bases of 0/1 rows


def indicator(cells: np.ndarray, size: int) -> np.ndarray:
    """The 0/1 vector of ``size`` cells that holds ``cells``.

    Examples
    --------
    >>> indicator([0, 2], 3).tolist()
    [1.0, 0.0, 1.0]
    """
    v = np.zeros(size)
    v[cells] = 1.0
    return v


def unique_rows(A: sp.csr_matrix) -> sp.csr_matrix:
    """The distinct non-empty 0/1 rows of ``A``, in order of first appearance.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> unique_rows(sp.csr_matrix([[1, 0], [0, 0], [1, 0], [1, 1]])).toarray().tolist()
    [[1, 0], [1, 1]]
    """
    A = sp.csr_matrix(A)
    seen: dict = {}
    keep = []
    for r in range(A.shape[0]):
        idx = A.indices[A.indptr[r] : A.indptr[r + 1]]
        if len(idx) == 0:
            continue
        k = np.sort(idx).tobytes()
        if k not in seen:
            seen[k] = r
            keep.append(r)
    return A[keep]


def _small_svd(L: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Null basis (columns), pseudo-inverse and left-null basis (columns) of a small dense matrix."""
    rows, p = L.shape
    if rows == 0:
        return np.eye(p), np.zeros((p, 0)), np.zeros((0, 0))
    U, s, Vt = np.linalg.svd(L, full_matrices=True)
    r = int((s > s[0] * max(L.shape) * _RANK_TOL).sum()) if s.size and s[0] > 0 else 0
    return Vt[r:].T, (Vt[:r].T / s[:r]) @ U[:, :r].T, U[:, r:]


def _row_basis(E: np.ndarray) -> np.ndarray:
    """Orthonormal rows spanning the rows of ``E``, whose entries are O(1) when they are not round-off:
    singular values under ``_ABS_TOL`` are round-off (a dense row that the schools' own rows already
    span leaves only rounding errors of about 1e-16).
    """
    if E.size == 0:
        return np.zeros((0, E.shape[1]))
    _, s, vt = np.linalg.svd(E, full_matrices=False)
    cut = max(s[0] * max(E.shape) * _RANK_TOL, _ABS_TOL) if len(s) else _ABS_TOL
    return vt[: int((s > cut).sum())]


class _Rows:
    """Per-school local rows (cell lists, auxiliary index or -1) and the dense rows, as they are built."""

    def __init__(self) -> None:
        self.local: dict[int, list] = {}
        self.dense: list = []  # (cells, {tau index: coefficient})

    def add_local(self, school: int, cells: np.ndarray, tau: int = -1) -> None:
        self.local.setdefault(int(school), []).append((cells, tau))


class FactSpace:
    """The null space of published facts ``A`` (rows over cells), in the factored form of the module doc.

    Parameters
    ----------
    A : sparse matrix
        0/1 facts x cells (repeated rows are fine).
    school, pos : int arrays
        Per cell, its school's code and its role x wave code (a fact's *pattern* is the set of codes it
        pools; a fact is a product when it pools, in every school it touches, every cell of its pattern).

    Examples
    --------
    Three schools of one cell each; the network total and "the network without school 0" are published,
    so school 0's cell is determined (total minus the rest) and school 1's is not:

    >>> import numpy as np
    >>> A = np.array([[1, 1, 1], [0, 1, 1]])
    >>> space = FactSpace(A, school=np.array([0, 1, 2]), pos=np.zeros(3, dtype=int))
    >>> [round(space.vector_residual(np.eye(3)[c])[0], 9) for c in (0, 1)]
    [0.0, 0.5]
    """

    def __init__(self, A, school: np.ndarray, pos: np.ndarray):
        A = sp.csr_matrix(A, dtype=float)
        self.n_cells = A.shape[1]
        self.school = np.asarray(school, dtype=np.int64)
        self.pos = np.asarray(pos, dtype=np.int64)
        self.n_schools = int(self.school.max()) + 1 if self.n_cells else 0
        order = np.argsort(self.school, kind="stable")
        bounds = np.searchsorted(self.school[order], np.arange(self.n_schools + 1))
        self.cells_of = [order[bounds[s] : bounds[s + 1]] for s in range(self.n_schools)]
        self.local_index = np.zeros(self.n_cells, dtype=np.int64)
        for cs in self.cells_of:
            self.local_index[cs] = np.arange(len(cs))
        rows = self._classify(unique_rows(A) if A.shape[0] else A)
        self._solve_schools(rows)
        self._border(rows)

    # ------------------------------------------------------------------ structure
    def _pattern_cells(self, bits: int, school: int | None = None) -> np.ndarray:
        """The cells of pattern ``bits`` (of one school, or of all)."""
        if school is not None:
            cs = self.cells_of[school]
            return cs[(np.left_shift(1, self.pos[cs]) & bits) != 0]
        return np.flatnonzero((np.left_shift(1, self.pos) & bits) != 0)

    def _classify(self, A: sp.csr_matrix) -> _Rows:
        """Sort the facts into per-school rows (local facts, rewritten pooled facts) and dense rows."""
        out = _Rows()
        self.taus: list[int] = []  # pattern bits of each auxiliary total
        if A.shape[0] == 0:
            return out
        starts = A.indptr[:-1]
        sc = self.school[A.indices]
        lo = np.minimum.reduceat(sc, starts)
        hi = np.maximum.reduceat(sc, starts)
        rows_idx = [A.indices[A.indptr[r] : A.indptr[r + 1]] for r in range(A.shape[0])]
        for r in np.flatnonzero(lo == hi):
            out.add_local(lo[r], rows_idx[r])
        multi = np.flatnonzero(lo != hi)
        if not len(multi):
            return out
        if self.pos.max(initial=0) >= 62:  # no patterns: every pooled fact is a dense row
            out.dense += [(rows_idx[r], {}) for r in multi]
            return out
        have = np.zeros(self.n_schools, dtype=np.int64)
        np.bitwise_or.at(have, self.school, np.left_shift(1, self.pos))
        rng = np.random.default_rng(12345)
        hval = rng.integers(1, 2**62, size=self.n_schools, dtype=np.int64).astype(np.uint64)
        by_hash = {int(v): s for s, v in enumerate(hval)}
        info = []
        for r in multi:
            idx = rows_idx[r]
            bits = int(np.bitwise_or.reduce(np.left_shift(1, self.pos[idx])))
            schools = np.unique(self.school[idx])
            cnt = _popcount(have[schools] & bits)
            product = int(cnt.sum()) == len(idx)
            info.append((r, bits, schools, product, int(hval[schools].sum(dtype=np.uint64))))
        # full totals of a pattern and the products, by (pattern, size, hash), to find each fact's scope
        in_pattern = {b: np.flatnonzero((have & b) != 0) for b in {i[1] for i in info}}
        total_row: dict[int, int] = {}
        by_key: dict[tuple, list] = {}
        for r, bits, schools, product, h in info:
            if product and len(schools) == len(in_pattern[bits]):
                total_row.setdefault(bits, int(r))
            if product:
                by_key.setdefault((bits, len(schools)), []).append((r, h))
        tau_of: dict[int, int] = {}
        for r, bits, schools, product, h in info:
            if not product:
                out.dense.append((rows_idx[r], {}))
                continue
            allp = in_pattern[bits]
            if len(schools) == len(allp):  # the pattern's total
                out.dense.append((rows_idx[r], {}))
                continue
            if len(schools) == len(allp) - 1:  # the total minus one school
                a = int(allp.sum() - schools.sum())
                if bits in total_row:
                    out.add_local(a, self._pattern_cells(bits, a))
                else:
                    if bits not in tau_of:
                        tau_of[bits] = len(self.taus)
                        self.taus.append(bits)
                    out.add_local(a, self._pattern_cells(bits, a), tau_of[bits])
                continue
            sib = by_key.get((bits, len(schools) + 1), [])
            a = -1
            for _z, hz in sib[:64]:  # a published scope that holds this fact's schools and one more
                cand = by_hash.get((hz - h) % 2**64)
                if cand is not None and cand not in set(schools.tolist()):
                    a = cand
                    break
            if a >= 0:
                out.add_local(a, self._pattern_cells(bits, a))
            else:
                out.dense.append((rows_idx[r], {}))
        for bits, t in tau_of.items():  # the definition of each auxiliary total
            out.dense.append((self._pattern_cells(bits), {t: -1.0}))
        return out

    def _solve_schools(self, rows: _Rows) -> None:
        m = len(self.taus)
        self.m = m
        nb_r, nb_c, nb_v, w_r, w_c, w_v = [], [], [], [], [], []
        compat = []
        solved: dict = {}
        offset = 0
        self.proj = np.zeros((self.n_cells, max((len(c) for c in self.cells_of), default=0)))
        for s, cs in enumerate(self.cells_of):
            p = len(cs)
            lr = rows.local.get(s, [])
            L = np.zeros((len(lr), p))
            G = np.zeros((len(lr), m))
            for k, (cells, t) in enumerate(lr):
                L[k, self.local_index[cells]] = 1.0
                if t >= 0:  # the row is l_a - tau: minus the published fact tau - l_a
                    G[k, t] = -1.0
            key = (L.shape, G.shape, L.tobytes(), G.tobytes())  # schools laid out alike share one SVD
            if key not in solved:
                solved[key] = _small_svd(L)
            N, pinv, Q = solved[key]
            k_s = N.shape[1]
            if k_s:
                rr, cc = np.nonzero(np.abs(N) > 0)
                nb_r.append(cs[rr])
                nb_c.append(offset + cc)
                nb_v.append(N[rr, cc])
                self.proj[cs, :p] = N @ N.T
            offset += k_s
            if m and len(lr) and np.any(G):
                W = -pinv @ G
                rr, cc = np.nonzero(np.abs(W) > 0)
                w_r.append(cs[rr])
                w_c.append(cc)
                w_v.append(W[rr, cc])
                if Q.shape[1]:
                    compat.append(Q.T @ G)
        self.K = offset
        cat = lambda xs, dt=float: np.concatenate(xs) if xs else np.zeros(0, dtype=dt)  # noqa: E731
        self.Nblk = sp.csr_matrix(
            (cat(nb_v), (cat(nb_r, np.int64), cat(nb_c, np.int64))), shape=(self.n_cells, self.K)
        )
        self.W = sp.csr_matrix((cat(w_v), (cat(w_r, np.int64), cat(w_c, np.int64))), shape=(self.n_cells, m))
        self._compat = np.vstack(compat) if compat else np.zeros((0, m))

    def _border(self, rows: _Rows) -> None:
        m, K = self.m, self.K
        parts = []
        if len(self._compat):
            C = _row_basis(self._compat)
            parts.append(np.hstack([np.zeros((len(C), K)), C]))
        if rows.dense:
            r_i = np.concatenate([np.full(len(c), k) for k, (c, _t) in enumerate(rows.dense)])
            c_i = np.concatenate([c for c, _t in rows.dense])
            D = sp.csr_matrix((np.ones(len(r_i)), (r_i, c_i)), shape=(len(rows.dense), self.n_cells))
            Dt = np.zeros((len(rows.dense), m))
            for k, (_c, t) in enumerate(rows.dense):
                for j, v in t.items():
                    Dt[k, j] = v
            parts.append(np.hstack([(D @ self.Nblk).toarray(), (D @ self.W).toarray() + Dt]))
        E = np.vstack(parts) if parts else np.zeros((0, K + m))
        self.R = _row_basis(E)
        self.Phi = sp.hstack([self.Nblk, self.W]).tocsr()
        self.B = np.asarray(self.Phi @ self.R.T) if len(self.R) else np.zeros((self.n_cells, 0))
        self._WB: np.ndarray | None = None

    # ------------------------------------------------------------------ small cells
    def cell_parts(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per cell, the dense parts of its residual's Gram: ``[W_c, R h_c]`` and the signs of their dot."""
        Wd = self.W[cells].toarray()
        U = np.asarray(self.Phi[cells] @ self.R.T) if len(self.R) else np.zeros((len(cells), 0))
        sign = np.r_[np.ones(self.m), -np.ones(U.shape[1])]
        return np.hstack([Wd, U]), sign

    def directions(self, cells: np.ndarray, F: np.ndarray) -> np.ndarray:
        """The null-space directions ``Phi z_c`` of the given cells (cells x len(cells), dense).

        ``Phi z_c = Phi Phi' e_c - B R h_c`` with ``B = Phi R'``, i.e. the cell's own school block plus a
        low-rank part: ``Nblk Nblk[c]' + [W | -B] F_c'`` (``F`` from :meth:`cell_parts`).
        """
        X = np.asarray((self.Nblk @ self.Nblk[cells].T).todense())
        if F.shape[1]:
            if self._WB is None:  # only the certificates need it: built on their first call
                self._WB = np.hstack([self.W.toarray(), -self.B])
            X += self._WB @ F.T
        return X

    def vector_residual(self, t: np.ndarray) -> tuple[float, np.ndarray]:
        """``|z|^2`` and the direction ``Phi z`` of one dense target vector."""
        h = np.asarray(self.Phi.T @ t).ravel()
        z = h - self.R.T @ (self.R @ h) if len(self.R) else h
        return float(z @ z), np.asarray(self.Phi @ z).ravel()


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint64)
    c = np.zeros(x.shape, dtype=np.int64)
    while np.any(x):
        c += (x & np.uint64(1)).astype(np.int64)
        x >>= np.uint64(1)
    return c


class Targets:
    """A block's sensitive sets without a dense vector each: small cells, small pairs, small hidden groups.

    In the auditor's order: every small cell (in cell order), every pair of small cells that together
    hold fewer than ``min_n`` (in the order of :func:`itertools.combinations`), then every distinct hidden
    group of two or more cells with 1 to ``min_n - 1`` respondents (in ledger order).

    Examples
    --------
    >>> import numpy as np
    >>> tg = Targets(np.array([2.0, 9.0, 1.0, 4.0]), 5, [], lambda i, first: f"cell {i}")
    >>> len(tg), tg.label(0), tg.label(3)  # cells 0, 2, 3 and one pair, 0 + 2 (3 respondents)
    (4, 'cell 0', 'cell 0 + cell 2')
    """

    def __init__(self, n: np.ndarray, min_n: int, groups: list[tuple[str, np.ndarray]], cell_label):
        self.n = np.asarray(n, dtype=float)
        self.small = np.flatnonzero((self.n > 0) & (self.n < min_n))
        ns = self.n[self.small]
        pi, pj = [], []
        for a in range(len(self.small)):
            ok = np.flatnonzero(ns[a + 1 :] < min_n - ns[a]) + a + 1
            if len(ok):
                pi.append(np.full(len(ok), a, dtype=np.int64))
                pj.append(ok)
        self.pi = np.concatenate(pi) if pi else np.zeros(0, dtype=np.int64)  # positions in ``small``
        self.pj = np.concatenate(pj) if pj else np.zeros(0, dtype=np.int64)
        self.groups = groups
        self.cell_label = cell_label
        self.n_single, self.n_pair = len(self.small), len(self.pi)

    def __len__(self) -> int:
        return self.n_single + self.n_pair + len(self.groups)

    def cells(self, k: int) -> np.ndarray:
        if k < self.n_single:
            return self.small[k : k + 1]
        k -= self.n_single
        if k < self.n_pair:
            return self.small[[self.pi[k], self.pj[k]]]
        return self.groups[k - self.n_pair][1]

    def vec(self, k: int, size: int) -> np.ndarray:
        return indicator(self.cells(k), size)

    def label(self, k: int) -> str:
        if k < self.n_single:
            return self.cell_label(int(self.small[k]), True)
        if k < self.n_single + self.n_pair:
            i, j = self.cells(k)
            return self.cell_label(int(i), True) + " + " + self.cell_label(int(j), False)
        return self.groups[k - self.n_single - self.n_pair][0]
