"""Coverage of the bootstrap intervals of ordinal alpha and ordinal omega, in simulation.

Run from the repository root::

    python benchmarks/bench_ordinal_coverage.py                       # every design, 400 replications
    python benchmarks/bench_ordinal_coverage.py --designs d8-100 --reps 50 --seed 1000   # one quick cell

Designs (one-factor normal model cut into 5 ordered categories; the true ordinal alpha and
omega are those of the latent correlation matrix):

* ``d4-200``: 4 items, loadings .7, symmetric cuts (-1.2, -.3, .5, 1.3), N = 200, no missing
  answers (the design of the first coverage check);
* ``d8-N`` (N = 50, 100, 285): 8 items as in one domain of the instrument, loadings .50 to
  .85, cuts skewed towards agreement (-2, -1.2, -.2, 1), 5% of answers missing at random.
  N = 285 is the bundled network's baseline; 50 and 100 are a large school and a district.

Every replication calls ``ordinal_reliability(d, n_boot=0)`` for the estimates (psych's
polychoric) and draws the resamples once, as ``ordinal_reliability`` does (the same seed gives
the same resamples), forming from the same draws both the percentile interval and the
bias-corrected and accelerated (BCa) interval that ``ordinal_reliability`` reports (Efron 1987,
acceleration from the jackknife). The first replication of each design checks that its BCa
interval is exactly the one ``ordinal_reliability`` returns.

Seeds 1000, 1001, ... were used while choosing the method and the minimum group size; the
committed table comes from ``--seed 50000`` (seeds not used for tuning). Writes
benchmarks/results_ordinal_coverage.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from assetinv import ordinal as od
from assetinv.reliability import ReliabilityWarning

DESIGNS = {
    "d4-200": dict(lams=[0.7] * 4, cuts=[-1.2, -0.3, 0.5, 1.3], n=200, miss=0.0),
    "d8-50": dict(
        lams=[0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85], cuts=[-2, -1.2, -0.2, 1], n=50, miss=0.05
    ),
    "d8-100": dict(
        lams=[0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85], cuts=[-2, -1.2, -0.2, 1], n=100, miss=0.05
    ),
    "d8-285": dict(
        lams=[0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85], cuts=[-2, -1.2, -0.2, 1], n=285, miss=0.05
    ),
}


def truth(lams) -> tuple[np.ndarray, float, float]:
    """Latent correlation matrix, its standardized alpha and its omega."""
    lam = np.asarray(lams, float)
    R0 = np.outer(lam, lam)
    np.fill_diagonal(R0, 1.0)
    k = len(lam)
    return R0, k / (k - 1) * (1 - k / R0.sum()), lam.sum() ** 2 / R0.sum()


def simulate(seed: int, lams, cuts, n: int, miss: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    R0, _, _ = truth(lams)
    z = rng.multivariate_normal(np.zeros(len(lams)), R0, size=n)
    x = (np.digitize(z, cuts) + 1).astype(float)
    x[rng.random(x.shape) < miss] = np.nan
    return pd.DataFrame(x, columns=[f"i{j + 1}" for j in range(len(lams))])


def one(seed: int, design: dict, n_boot: int, ci: float = 0.95, check: bool = False) -> dict:
    d = simulate(seed, design["lams"], design["cuts"], design["n"], design["miss"])
    boot_seed = seed + 10**6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)
        res = od.ordinal_reliability(d, n_boot=0)
        est = res.table["estimate"].to_dict()
        R = res.polychoric.rho.to_numpy()
        X, _, c = od._prepare(d[list(res.polychoric.rho.columns)], [])
        draws = od._stats_batch(X, od._boot_weights(np.random.default_rng(boot_seed), n_boot, len(X)), c, R)
        jack = od._jackknife(X, c, R)
    q = np.array([(1 - ci) / 2, (1 + ci) / 2])
    out = {}
    for j, name in enumerate(["raw_alpha", "ordinal_alpha", "ordinal_omega"]):
        if name == "raw_alpha":
            continue
        v = draws[:, j][np.isfinite(draws[:, j])]
        out[(name, "percentile")] = tuple(np.quantile(v, q))
        out[(name, "BCa")] = od._bca(est[name], v, jack[:, j], ci)
    if check:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReliabilityWarning)
            t = od.ordinal_reliability(d, n_boot=n_boot, ci=ci, seed=boot_seed).table
        for name in ("ordinal_alpha", "ordinal_omega"):
            got = tuple(t.loc[name, ["ci_low", "ci_high"]])
            assert np.allclose(got, out[(name, "BCa")], rtol=0, atol=1e-12), (name, got, out[(name, "BCa")])
    return out


def run(name: str, reps: int, n_boot: int, seed: int, log: Path | None = None) -> tuple[dict, float]:
    """Replications ``seed .. seed + reps - 1`` of one design; each one's hits appended to ``log``."""
    design = DESIGNS[name]
    _, ta, to = truth(design["lams"])
    tv = {"ordinal_alpha": ta, "ordinal_omega": to}
    hits: dict = {}
    t0 = time.perf_counter()
    for s in range(reps):
        t1 = time.perf_counter()
        row = {"design": name, "seed": seed + s, "boot": n_boot}
        for (stat, method), (lo, hi) in one(seed + s, design, n_boot, check=s == 0).items():
            h = (bool(lo <= tv[stat] <= hi), bool(hi < tv[stat]), bool(lo > tv[stat]))
            hits.setdefault((stat, method), []).append(h)
            row[f"{stat}|{method}"] = h
        row["secs"] = time.perf_counter() - t1
        if log is not None:
            with open(log, "a") as fh:
                fh.write(json.dumps(row) + "\n")
        if (s + 1) % 25 == 0:
            print(f"{name}: {s + 1}/{reps}", flush=True)
    return hits, time.perf_counter() - t0


def table(rows: list[dict]) -> list[str]:
    """Markdown rows of coverage per design, statistic and interval, from logged replications."""
    out = []
    for name in DESIGNS:
        mine = [r for r in rows if r["design"] == name]
        if not mine:
            continue
        secs = sum(r["secs"] for r in mine)
        for key in [k for k in mine[0] if "|" in k]:
            h = np.array([r[key] for r in mine], dtype=float)
            stat, method = key.split("|")
            out.append(
                f"| {name} | {DESIGNS[name]['n']} | {stat} | {method} | {len(mine)} | {100 * h[:, 0].mean():.1f}% | "
                f"{100 * h[:, 1].mean():.1f}% | {100 * h[:, 2].mean():.1f}% | {secs / len(mine):.1f} s |"
            )
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", default=",".join(DESIGNS))
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument(
        "--seed", type=int, default=50000, help="first replication's seed (1000: the tuning seeds)"
    )
    ap.add_argument("--log", default=None, help="append each replication's hits (JSON lines) to this file")
    ap.add_argument("--summarise", nargs="*", default=None, help="only write the table from these logs")
    ap.add_argument("--out", default=str(Path(__file__).with_name("results_ordinal_coverage.md")))
    a = ap.parse_args(argv)
    if a.summarise is None:
        for name in a.designs.split(","):
            run(name, a.reps, a.boot, a.seed, Path(a.log) if a.log else None)
        logs = [a.log] if a.log else []
    else:
        logs = a.summarise
    rows = [json.loads(line) for f in logs for line in Path(f).read_text().splitlines() if line.strip()]
    lines = [
        "# Coverage of the ordinal reliability intervals",
        "",
        f"Generated by `python benchmarks/bench_ordinal_coverage.py` (see its docstring for the designs) on "
        f"{time.strftime('%Y-%m-%d')}, from {len(rows)} logged replications with seeds "
        f"{min(r['seed'] for r in rows) if rows else '-'}–{max(r['seed'] for r in rows) if rows else '-'} "
        f"(not the tuning seeds 1000+), {rows[0]['boot'] if rows else a.boot} bootstrap resamples each, "
        "nominal 95%. Monte Carlo standard error of a coverage near 95%: 1.5 points at 200 replications, "
        "2.2 at 100. 'misses low' = the interval lies below the true value. Time = per replication, "
        "on the shared 2-core machine.",
        "",
        "| design | N | statistic | interval | replications | coverage | misses low | misses high | time |",
        "|---|---|---|---|---|---|---|---|---|",
        *table(rows),
    ]
    Path(a.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
