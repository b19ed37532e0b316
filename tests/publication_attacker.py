"""A held-out attacker for a whole release: every CSV, every XLSX sheet and the tables of every HTML page.

Written independently of :mod:`assetinv.disclosure` (it imports nothing from it): it knows only what
the published numbers mean, as docs/privacy.md and docs/reports.md say (which respondents each row
pools; that district, network and "other schools" means pool the *shown* school rows; that a
suppressed small group holds 1 to ``min_n - 1`` respondents), and which district each school is in.

For every family of unknowns it writes each published count and each mean x count as a linear
equation over the atomic cells (school x role x wave):

* ``scored``/``d``: staff with a score in domain ``d`` -- ``asset_profile`` (n, mean, others_mean,
  network_mean), the pages' district means (network page "Districts compared", school page
  profile), ``gaps_network``/``gaps_by_school`` (teacher and leader n and means), ``change``
  (baseline and follow-up n), ``reliability_schools``/``reliability_domains`` (taken as scored
  counts: the stronger attack when everyone who answered was scored);
* ``respondents``: ``participation.responded`` and the ``used`` rows of ``data_quality``;
* ``item``/``i`` and ``item``/``i``/``k``: ``item_distribution`` (n, and pct_k x n = the number
  answering category k), per school, district (pooling its shown schools) and network.

Then, for every sensitive set (a cell with 1 to ``min_n - 1`` respondents; a pair of such cells
holding fewer than ``min_n``; a school's staff in a wave when fewer than ``min_n``), it solves:

* rank test: is the set's count (sum, category count) a linear combination of published numbers?
  If so and the combination gives the truth, it is recovered;
* linear programming: counts >= 0, a suppressed small group <= ``min_n - 1``, and scores between 1
  and 5 (``n <= sum <= 5 n``): the narrowest interval for the set's count and for its sum.

The XLSX sheets are checked to publish no number that their CSV does not (then the CSV equations
cover them).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

ROLES = ("teacher", "leader")
#: documented tolerance: a suppressed group's count must stay uncertain by at least one respondent, its
#: sum by at least one scale point per respondent (docs/privacy.md, threat model)
COUNT_TOL = 1.0
SUM_TOL_PER_RESPONDENT = 1.0


# ------------------------------------------------------------------ reading the release
class _Tables(HTMLParser):
    """Every <table> of a page: caption, header cells, body rows (cell text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._cap: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption" and self.tables:
            self._cap = []
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._cap is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._cap).split())
            self._cap = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._cap is not None:
            self._cap.append(data)


def html_tables(path: Path) -> list[dict]:
    p = _Tables()
    p.feed(path.read_text(encoding="utf-8"))
    return p.tables


def _num(text: str) -> float:
    m = re.fullmatch(r"\s*([−-]?\d+(?:\.\d+)?)\s*", str(text).replace("\u2212", "-"))
    return float(m.group(1)) if m else np.nan


def _half(text: str) -> float:
    """Half the rounding unit of a number as printed ("3.72" -> 0.005, "3.7" -> 0.05)."""
    m = re.search(r"\.(\d+)", str(text))
    return 0.5 * 10.0 ** -(len(m.group(1)) if m else 0)


def read_release(out: Path) -> dict:
    """Every CSV table, every XLSX sheet's numbers, and the HTML tables of every page."""
    tables = {
        p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in (out / "tables").glob("*.csv")
    }
    pages = {str(p.relative_to(out)): html_tables(p) for p in sorted(out.rglob("*.html"))}
    return {"tables": tables, "pages": pages, "xlsx": _xlsx_numbers(out / "assetinv_tables.xlsx")}


def _xlsx_numbers(path: Path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        vals = [
            v
            for row in ws.iter_rows(min_row=2, values_only=True)
            for v in row
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        out[ws.title] = vals
    wb.close()
    return out


def xlsx_extra_numbers(release: dict) -> list[str]:
    """Numbers in an XLSX sheet that its CSV does not publish (rounded as published)."""
    extra = []
    for name, vals in release["xlsx"].items():
        t = release["tables"].get(name)
        if t is None:
            continue
        pub = {
            round(float(v), 6)
            for c in t.columns
            if pd.api.types.is_numeric_dtype(t[c])
            for v in t[c].dropna()
            if not isinstance(v, bool)
        }
        pub |= {1.0, 0.0}  # booleans
        extra += [f"{name}: {v}" for v in vals if round(float(v), 6) not in pub]
    return extra


# ------------------------------------------------------------------ equations
class _System:
    """Equations over the cells of one family: rows (0/1 over cells), a count, and a sum (or NaN)."""

    def __init__(self, cells: list[tuple]) -> None:
        self.cells = cells
        self.rows: list[np.ndarray] = []
        self.n: list[float] = []
        self.s: list[float] = []
        self.half: list[float] = []  # half the rounding unit of the published mean (sum known to +- n x half)
        self.upper: list[np.ndarray] = []  # suppressed small groups: count <= min_n - 1

    def mask(self, schools, roles, waves) -> np.ndarray:
        return np.array(
            [(schools is None or c[0] in schools) and c[1] in roles and c[2] in waves for c in self.cells],
            dtype=float,
        )

    def add(self, schools, roles, waves, n, mean=np.nan, half: float = 0.005) -> None:
        v = self.mask(schools, roles, waves)
        if not v.any():
            return
        if pd.isna(n):
            return
        self.rows.append(v)
        self.n.append(float(n))
        self.s.append(float(n) * float(mean) if pd.notna(mean) else np.nan)
        self.half.append(float(n) * half)

    def hidden(self, schools, roles, waves) -> None:
        v = self.mask(schools, roles, waves)
        if v.any():
            self.upper.append(v)


def _shown(df: pd.DataFrame) -> pd.Series:
    return (
        df["suppressed"].fillna("").astype(str) == ""
        if "suppressed" in df
        else pd.Series(True, index=df.index)
    )


def _district_tables(release: dict, short_to_id: dict) -> dict:
    """(district, domain) -> mean from the network page's "Districts compared" table."""
    out = {}
    for tables in release["pages"].values():
        for t in tables:
            if not t["caption"].startswith("Mean per domain") or not t["rows"]:
                continue
            head = t["rows"][0]
            for row in t["rows"][1:]:
                for h, v in zip(head[2:], row[2:]):
                    if h in short_to_id and row[0] != "Network":
                        out[(row[0], short_to_id[h])] = (_num(v), _half(v))
    return out


def _profile_pages(release: dict, short_to_id: dict, name_to_id: dict) -> list[dict]:
    """Rows of every school page's asset-profile table: school, domain, district/others/network means."""
    out = []
    for tables in release["pages"].values():
        for t in tables:
            m = re.match(r"Asset profile of (.+) at baseline", t["caption"])
            if not m or not t["rows"]:
                continue
            school = name_to_id.get(m.group(1))
            head = t["rows"][0]
            for row in t["rows"][1:]:
                rec = dict(zip(head, row))
                d = short_to_id.get(rec.get("Domain", ""))
                if school and d:
                    keys = {
                        "mean": "School mean (1–5)",
                        "district_mean": "District mean",
                        "others_mean": "Other schools' mean",
                        "network_mean": "Network mean",
                    }
                    out.append(
                        {
                            "school": school,
                            "domain": d,
                            "n": _num(rec.get("Staff (n)", "")),
                            **{k: _num(rec.get(h, "")) for k, h in keys.items()},
                            **{f"{k}_half": _half(rec.get(h, "")) for k, h in keys.items()},
                        }
                    )
    return out


def scored_system(release: dict, district_of: dict, cells: list, d: str) -> _System:
    t = release["tables"]
    sy = _System(cells)
    base = {"baseline"}
    prof = t["asset_profile"]
    p = prof[prof["domain"] == d]
    shown = p[_shown(p) & p["n"].notna()]
    for _, r in p.iterrows():
        sch = {str(r["school"])}
        if _shown(p).loc[r.name] and pd.notna(r["n"]):
            sy.add(sch, ROLES, base, r["n"], r["mean"])
        elif "fewer than" in str(r["suppressed"]):
            sy.hidden(sch, ROLES, base)
    n_of = dict(zip(shown["school"].astype(str), shown["n"]))
    for _, r in shown.iterrows():  # others_mean pools the other shown schools
        others = {s for s in n_of if s != str(r["school"])}
        if pd.notna(r.get("others_mean")) and others:
            sy.add(others, ROLES, base, sum(n_of[s] for s in others), r["others_mean"])
    if len(shown) and pd.notna(p["network_mean"]).any():
        sy.add(set(n_of), ROLES, base, sum(n_of.values()), p["network_mean"].dropna().iloc[0])
    short_to_id = dict(zip(prof["domain_short"], prof["domain"])) if "domain_short" in prof else {}
    for (dist, dom), (mean, half) in _district_tables(release, short_to_id).items():
        if dom == d and pd.notna(mean):
            members = {s for s in n_of if district_of.get(s) == dist}
            sy.add(members, ROLES, base, sum(n_of[s] for s in members), mean, half)
    names = (
        dict(zip(prof["school_name"].astype(str), prof["school"].astype(str)))
        if "school_name" in prof
        else {}
    )
    for r in _profile_pages(release, short_to_id, names):
        if r["domain"] != d:
            continue
        if pd.notna(r["n"]):
            sy.add({r["school"]}, ROLES, base, r["n"], r["mean"], r["mean_half"])
        members = {s for s in n_of if district_of.get(s) == district_of.get(r["school"])}
        if pd.notna(r["district_mean"]):
            sy.add(
                members,
                ROLES,
                base,
                sum(n_of[s] for s in members),
                r["district_mean"],
                r["district_mean_half"],
            )
        others = {s for s in n_of if s != r["school"]}
        if pd.notna(r["others_mean"]) and others:
            sy.add(others, ROLES, base, sum(n_of[s] for s in others), r["others_mean"], r["others_mean_half"])
    for name in ("gaps_network", "gaps_by_school"):
        g = t.get(name, pd.DataFrame())
        for _, r in g[g["domain"] == d].iterrows() if len(g) else []:
            lv, grp = str(r["level"]), str(r["group"])
            sch = (
                None
                if lv == "network"
                else ({s for s, x in district_of.items() if x == grp} if lv == "district" else {grp})
            )
            sy.add(sch, {"teacher"}, base, r["n_teachers"], r["teacher_mean"])
            sy.add(sch, {"leader"}, base, r["n_leaders"], r["leader_mean"])
    ch = t.get("change", pd.DataFrame())
    for _, r in ch[ch["domain"] == d].iterrows() if len(ch) else []:
        sch = None if str(r["scope"]) == "network" else {str(r["scope"])}
        sy.add(sch, ROLES, base, r["n_baseline"])
        sy.add(sch, ROLES, {"followup"}, r["n_followup"])
    rs = t.get("reliability_schools", pd.DataFrame())
    for _, r in rs[rs["domain"] == d].iterrows() if len(rs) else []:
        sy.add({str(r["school"])}, ROLES, base, r["n"])
    rd = t.get("reliability_domains", pd.DataFrame())
    for _, r in rd[rd["domain"] == d].iterrows() if len(rd) else []:
        sy.add(None, ROLES, base, r["n"], r.get("mean", np.nan))
    return sy


def respondents_system(release: dict, cells: list) -> _System:
    t = release["tables"]
    sy = _System(cells)
    roles = {c[1] for c in cells}
    for _, r in t.get("participation", pd.DataFrame()).iterrows():
        if pd.notna(r["responded"]):
            sy.add({str(r["school"])}, roles, {str(r["wave"])}, r["responded"])
    dq = t.get("data_quality", pd.DataFrame())
    for _, r in dq[dq["stage"].astype(str) == "used"].iterrows() if len(dq) else []:
        sy.add(None, roles, {c[2] for c in cells}, r["rows"])
    return sy


def item_systems(release: dict, cells: list, item: str, categories: list[int]) -> list[tuple[str, _System]]:
    """The item's n and its count per answer category (pct_k x n), school/district/network rows."""
    it = release["tables"].get("item_distribution")
    if it is None or not len(it):
        return []
    g = it[it["item"] == item]
    sch = g[g["level"] == "school"]
    shown = sch[_shown(sch) & sch["n"].notna()]
    out = []
    for k in [None, *categories]:
        sy = _System(cells)
        for _, r in g.iterrows():
            lv, grp = str(r["level"]), str(r["group"])
            members = (
                {grp}
                if lv == "school"
                else set(shown.loc[shown["district"].astype(str) == grp, "group"].astype(str))
                if lv == "district"
                else set(shown["group"].astype(str))
            )
            if not _shown(g).loc[r.name] or pd.isna(r["n"]):
                if lv == "school" and "fewer than" in str(r["suppressed"]):
                    sy.hidden({grp}, ROLES, {"baseline"})
                continue
            val = r["n"] if k is None else round(float(r[f"pct_{k}"]) * float(r["n"]) / 100.0)
            sy.add(members, ROLES, {"baseline"}, val)
        out.append(("n" if k is None else f"answer {k}", sy))
    return out


# ------------------------------------------------------------------ solving
def _basis(A: np.ndarray) -> np.ndarray:
    if A.size == 0:
        return np.zeros((0, A.shape[1] if A.ndim == 2 else 0))
    _, sv, vt = np.linalg.svd(A, full_matrices=False)
    return vt[: int((sv > sv[0] * 1e-10).sum())] if len(sv) and sv[0] > 0 else np.zeros((0, A.shape[1]))


def _in_span(V: np.ndarray, v: np.ndarray) -> bool:
    return len(V) > 0 and float(np.linalg.norm(v - (v @ V.T) @ V)) < 1e-8


def _lp_width(c, A_eq, b_eq, A_ub, b_ub, n_var) -> float:
    from scipy.optimize import linprog

    kw = {
        "A_eq": A_eq if len(A_eq) else None,
        "b_eq": b_eq if len(A_eq) else None,
        "A_ub": A_ub if len(A_ub) else None,
        "b_ub": b_ub if len(A_ub) else None,
        "bounds": [(0, None)] * n_var,
        "method": "highs",
    }
    lo, hi = linprog(c, **kw), linprog(-c, **kw)
    if lo.status != 0 or hi.status == 3:
        return np.inf
    if hi.status != 0:
        return np.inf
    return float(-hi.fun - lo.fun)


def sensitive_sets(cells: list, n_true: np.ndarray, min_n: int) -> list[tuple[np.ndarray, str]]:
    out = []
    small = [i for i in range(len(cells)) if 0 < n_true[i] < min_n]
    for i in small:
        v = np.zeros(len(cells))
        v[i] = 1
        out.append((v, " ".join(cells[i])))
    for a in small:
        for b in small:
            if a < b and n_true[a] + n_true[b] < min_n:
                v = np.zeros(len(cells))
                v[[a, b]] = 1
                out.append((v, f"{' '.join(cells[a])} + {' '.join(cells[b])}"))
    for sch in sorted({c[0] for c in cells}):
        for w in sorted({c[2] for c in cells}):
            idx = [i for i, c in enumerate(cells) if c[0] == sch and c[2] == w]
            if len(idx) > 1 and 0 < n_true[idx].sum() < min_n:
                v = np.zeros(len(cells))
                v[idx] = 1
                out.append((v, f"{sch} staff {w}"))
    return out


def attack_system(
    sy: _System,
    n_true: np.ndarray,
    s_true: np.ndarray | None,
    min_n: int,
    label: str,
    scale: tuple[float, float] = (1.0, 5.0),
    lp: bool = True,
) -> tuple[list[str], float, float]:
    """Recovered sets of one system, and the narrowest count and sum-per-respondent intervals seen."""
    found: list[str] = []
    narrow_n = narrow_s = np.inf
    if not sy.rows:
        return found, narrow_n, narrow_s
    A = np.vstack(sy.rows)
    bn = np.array(sy.n)
    V = _basis(A)
    xn = np.linalg.lstsq(A, bn, rcond=None)[0]
    has_s = ~np.isnan(np.array(sy.s))
    Vs = _basis(A[has_s]) if has_s.any() else np.zeros((0, A.shape[1]))
    xs = np.linalg.lstsq(A[has_s], np.array(sy.s)[has_s], rcond=None)[0] if has_s.any() else None
    U = np.vstack(sy.upper) if sy.upper else np.zeros((0, A.shape[1]))
    m = len(sy.cells)
    for v, what in sensitive_sets(sy.cells, n_true, min_n):
        nt = float(v @ n_true)
        if _in_span(V, v) and abs(v @ xn - nt) < 0.5:
            found.append(f"{label}: n of {what} = {v @ xn:.2f} (true {nt:.0f})")
        if s_true is not None and xs is not None and _in_span(Vs, v) and abs(v @ xs - v @ s_true) / nt < 0.05:
            found.append(f"{label}: mean of {what} = {v @ xs / nt:.3f} (true {v @ s_true / nt:.3f})")
        if not lp:
            continue
        w = _lp_width(v, A, bn, U, np.full(len(U), min_n - 1.0), m)
        narrow_n = min(narrow_n, w)
        if w < COUNT_TOL:
            found.append(f"{label}: n of {what} bounded to width {w:.2f}")
        if s_true is not None and has_s.any():
            # variables (n, s): the count equations; each published mean gives its sum to within the
            # rounding (n x mean +- n x half a unit); scores are 1..5, so lo*n <= s <= hi*n
            Z = np.zeros_like(A)
            A_eq = np.hstack([A, Z])
            sv, hv = np.array(sy.s)[has_s], np.array(sy.half)[has_s]
            eye = np.eye(m)
            A_ub = np.vstack(
                [
                    np.hstack([scale[0] * eye, -eye]),
                    np.hstack([-scale[1] * eye, eye]),
                    np.hstack([U, np.zeros_like(U)]),
                    np.hstack([Z[has_s], A[has_s]]),
                    np.hstack([Z[has_s], -A[has_s]]),
                ]
            )
            b_ub = np.r_[np.zeros(2 * m), np.full(len(U), min_n - 1.0), sv + hv, -(sv - hv)]
            c = np.r_[np.zeros(m), v]
            ws = _lp_width(c, A_eq, bn, A_ub, b_ub, 2 * m)
            narrow_s = min(narrow_s, ws / nt)
            if ws / nt < SUM_TOL_PER_RESPONDENT:
                found.append(
                    f"{label}: sum of {what} bounded to width {ws:.2f} ({ws / nt:.2f} per respondent)"
                )
    return found, narrow_n, narrow_s


# ------------------------------------------------------------------ the whole release
def attack_release(data: Path, out: Path, min_n: int = 5, lp: bool = True) -> dict:
    """Run every system of a release against the truth; the sets recovered and the narrowest intervals."""
    from assetinv.instrument import load_instrument
    from assetinv.io import read_responses
    from assetinv.scoring import score_domains

    inst = load_instrument()
    resp = read_responses(data / "responses.csv", inst)
    scores = score_domains(resp, inst)
    release = read_release(out)
    schools = pd.read_csv(data / "schools.csv", dtype=str)
    district_of = dict(zip(schools["school"], schools["district"]))
    found: list[str] = []
    narrow_n, narrow_s, systems = np.inf, np.inf, 0

    def run(sy, n_true, s_true, label, use_lp=lp):
        nonlocal narrow_n, narrow_s, systems
        f, a, b = attack_system(sy, n_true, s_true, min_n, label, lp=use_lp)
        found.extend(f)
        narrow_n, narrow_s = min(narrow_n, a), min(narrow_s, b)
        systems += 1

    key = [resp["school"].astype(str), resp["role"].astype(str), resp["wave"].astype(str)]
    r_all = resp.groupby(key).size()
    run(respondents_system(release, list(r_all.index)), r_all.to_numpy(dtype=float), None, "respondents")
    sc = scores[scores["role"].isin(ROLES)]
    for d in inst.domains["id"]:
        x = sc[sc[d].notna()]
        g = x.groupby([x["school"].astype(str), x["role"].astype(str), x["wave"].astype(str)])[d].agg(
            ["size", "sum"]
        )
        run(
            scored_system(release, district_of, list(g.index), d),
            g["size"].to_numpy(dtype=float),
            g["sum"].to_numpy(dtype=float),
            f"scored {d}",
        )
    cats = sorted(int(k) for k in inst.labels)
    staff = resp[resp["role"].isin(ROLES)]
    # LP bounds on the first item of each domain (the items of a domain share their rows' structure), the
    # rank test on every item and every answer category
    first_items = set(inst.items.drop_duplicates("domain")["id"])
    for item in inst.items["id"]:
        if item not in staff:
            continue
        v = pd.to_numeric(staff[item], errors="coerce")
        sub = staff[v.notna()]
        vals = v[v.notna()].round().astype(int)
        k3 = [sub["school"].astype(str), sub["role"].astype(str), sub["wave"].astype(str)]
        g = sub.groupby(k3).size()
        cells = list(g.index)
        for what, sy in item_systems(release, cells, item, cats):
            if what == "n":
                n_true = g.to_numpy(dtype=float)
                run(sy, n_true, None, f"item {item}", use_lp=lp and item in first_items)
            else:  # a suppressed group's count of one answer: only an exact solution is a disclosure
                k = int(what.split()[-1])
                cnt = (
                    sub[vals == k]
                    .groupby(
                        [
                            sub.loc[vals == k, "school"].astype(str),
                            sub.loc[vals == k, "role"].astype(str),
                            sub.loc[vals == k, "wave"].astype(str),
                        ]
                    )
                    .size()
                )
                truth = np.array([float(cnt.get(c, 0)) for c in cells])
                # the group's n is attacked above; here: a small group's count of one answer, exactly
                found.extend(
                    x
                    for x in _category_hits(
                        sy, cells, g.to_numpy(dtype=float), truth, min_n, f"item {item} {what}"
                    )
                )
                systems += 1
    return {
        "found": found,
        "narrowest_count": narrow_n,
        "narrowest_sum_per_respondent": narrow_s,
        "systems": systems,
        "xlsx_extra": xlsx_extra_numbers(release),
    }


def _category_hits(
    sy: _System, cells: list, n_true: np.ndarray, truth: np.ndarray, min_n: int, label: str
) -> list[str]:
    if not sy.rows:
        return []
    A = np.vstack(sy.rows)
    V = _basis(A)
    x = np.linalg.lstsq(A, np.array(sy.n), rcond=None)[0]
    out = []
    for v, what in sensitive_sets(cells, n_true, min_n):
        if _in_span(V, v) and abs(v @ x - v @ truth) < 0.5:
            out.append(f"{label}: count of {what} = {v @ x:.1f} (true {v @ truth:.0f})")
    return out
