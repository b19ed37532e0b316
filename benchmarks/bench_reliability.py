"""Benchmark assetinv.reliability against the usual Python route.

Run from the repository root::

    python benchmarks/bench_reliability.py            # full: 100,000 x 40, 2,000 schools
    python benchmarks/bench_reliability.py --quick    # small, for iterating

(a) every domain x school alpha table: ``assetinv.alpha_by_group`` (one call,
    vectorised over schools) vs. a loop of ``pingouin.cronbach_alpha`` per school
    and domain (the values are checked to agree);
(b) a 1,000-resample bootstrap interval for one domain on all respondents:
    ``assetinv.alpha(..., n_boot=1000)``;
(c) what a user calls: ``assetinv.instrument_reliability(df, inst, by="school")``
    with every table it returns (alpha with item analysis, omega, per-school alpha,
    ICCs, school-mean reliabilities) vs. the same pingouin loop, in the same run.

Each side is timed as wall-clock and as CPU time of this process (the machine is
shared; CPU time is less disturbed by other jobs).

Writes benchmarks/results_reliability.md. R is not needed; ``--with-r`` also
times ``psych::alpha(n.iter = 1000)`` on the same data when Rscript is present.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import assetinv
from assetinv import reliability as rl

DOMAINS = ["EX", "LM", "CN", "OS"]


def make_data(n: int, n_items: int, n_schools: int, missing: float, seed: int = 2026) -> tuple[pd.DataFrame, dict, list]:
    """Likert 1..5 responses: respondents in schools, one factor per domain,
    items 04 and 07 of each domain reverse-keyed, ``missing`` share NaN."""
    rng = np.random.default_rng(seed)
    per = n_items // len(DOMAINS)
    school = rng.integers(0, n_schools, n)
    u = rng.normal(0, 0.5, n_schools)[school]
    cols, doms, rev = {}, {}, []
    for d in DOMAINS:
        t = u + rng.normal(size=n)
        doms[d] = [f"{d}{j:02d}" for j in range(1, per + 1)]
        for j in range(1, per + 1):
            x = np.clip(np.round(3 + 0.8 * t + rng.normal(size=n)), 1, 5)
            if j in (4, 7):
                x = 6 - x
                rev.append(f"{d}{j:02d}")
            x[rng.random(n) < missing] = np.nan
            cols[f"{d}{j:02d}"] = x
    df = pd.DataFrame(cols)
    df.insert(0, "school", [f"S{s:04d}" for s in school])
    return df, doms, rev


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def best_of_both(fn, repeat):
    """(best wall seconds, best CPU seconds of this process, result)."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def make_instrument(doms, rev):
    """The bundled instrument with the benchmark's 4 x 10 items (a real Instrument)."""
    base = assetinv.load_instrument()
    ids = [i for d in doms for i in doms[d]]
    items = pd.DataFrame({"id": ids, "domain": [i[:2] for i in ids], "text": ids,
                          "reverse": [i in rev for i in ids], "roles": [tuple(base.roles)] * len(ids)})
    return dataclasses.replace(base, items=items)


def bench_tables(df, doms, rev, repeat):
    def ours():
        return rl.alpha_by_group(df, doms, "school", rev, scale_min=1, scale_max=5)

    import pingouin as pg

    def loop():
        keyed = df.copy()
        keyed[rev] = 6 - keyed[rev]
        rows = []
        for d, items in doms.items():
            for s, sub in keyed.groupby("school", sort=True):
                a, _ = pg.cronbach_alpha(sub[items])
                rows.append((d, s, a))
        return pd.DataFrame(rows, columns=["domain", "school", "alpha_pg"])

    inst = make_instrument(doms, rev)

    def user():
        return assetinv.instrument_reliability(df, inst, by="school")

    t_ours, c_ours, tab = best_of_both(ours, repeat)
    t_user, c_user, rel = best_of_both(user, repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_pg, c_pg, ref = best_of_both(loop, 1)
    m = tab.merge(ref, on=["domain", "school"])
    dev = float(np.nanmax(np.abs(m["raw_alpha"] - m["alpha_pg"])))
    m2 = rel.by_group["school"].merge(ref, on=["domain", "school"])
    dev2 = float(np.nanmax(np.abs(m2["raw_alpha"] - m2["alpha_pg"])))
    tables = {"overall": rel.overall, "items": rel.items, "by_group": rel.by_group["school"],
              "icc": rel.icc, "school_reliability": rel.school_reliability}
    return {"t_ours": t_ours, "c_ours": c_ours, "t_user": t_user, "c_user": c_user, "t_pg": t_pg,
            "c_pg": c_pg, "dev": dev, "dev2": dev2, "rows": len(tab),
            "tables": {k: len(v) for k, v in tables.items()}}


def bench_boot(df, doms, rev, n_boot, repeat):
    items = doms["EX"]
    r = [i for i in rev if i in items]

    def run():
        return rl.alpha(df[items], r, scale_min=1, scale_max=5, n_boot=n_boot, seed=1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, res = best_of(run, repeat)
        res2 = run()
    same = res.ci.loc["bootstrap"].equals(res2.ci.loc["bootstrap"])
    return t, res.ci.loc["bootstrap"], same


def bench_r(df, doms, rev, n_boot):
    if not shutil.which("Rscript"):
        return None
    items = doms["EX"]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "x.csv"
        df[items].to_csv(f, index=False)
        keys = ",".join(f'"{i}"' for i in rev if i in items)
        code = (f'suppressMessages(library(psych)); x <- read.csv("{f}"); set.seed(1); '
                f't <- system.time(a <- alpha(x, keys = c({keys}), n.iter = {n_boot})); '
                'cat(t[["elapsed"]], a$boot.ci[1], a$boot.ci[3], "\\n")')
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10,000 respondents, 200 schools, 200 resamples")
    ap.add_argument("--with-r", action="store_true", help="also time psych::alpha(n.iter=1000) (slow)")
    ap.add_argument("--out", default=str(Path(__file__).with_name("results_reliability.md")))
    a = ap.parse_args(argv)
    if a.quick:
        n, schools, n_boot, repeat = 10_000, 200, 200, 3
    else:
        n, schools, n_boot, repeat = 100_000, 2_000, 1_000, 3
    df, doms, rev = make_data(n, 40, schools, 0.03)
    print(f"data: {n:,} respondents x 40 items, {schools:,} schools, 3% missing", flush=True)
    b = bench_tables(df, doms, rev, repeat)
    t_ours, t_pg, dev, rows = b["t_ours"], b["t_pg"], b["dev"], b["rows"]
    print(f"(a) tables: assetinv {t_ours:.3f}s, pingouin loop {t_pg:.2f}s, ratio {t_pg / t_ours:.0f}x, "
          f"max |alpha diff| {dev:.1e}", flush=True)
    print(f"(c) instrument_reliability: wall {b['t_user']:.3f}s (pingouin {t_pg:.2f}s, "
          f"{t_pg / b['t_user']:.1f}x), CPU {b['c_user']:.3f}s (pingouin {b['c_pg']:.2f}s, "
          f"{b['c_pg'] / b['c_user']:.1f}x)", flush=True)
    t_boot, ci, same = bench_boot(df, doms, rev, n_boot, repeat)
    print(f"(b) bootstrap {n_boot}: {t_boot:.2f}s, interval [{ci['lower']:.4f}, {ci['upper']:.4f}], "
          f"reproducible: {same}", flush=True)
    r = bench_r(df, doms, rev, n_boot) if a.with_r else None
    cores = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Reliability benchmark",
        "",
        f"Generated by `python benchmarks/bench_reliability.py{' --quick' if a.quick else ''}`"
        f" on {time.strftime('%Y-%m-%d')}; {platform.processor() or platform.machine()}, {cores} cores "
        f"(shared with other jobs), Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, assetinv {assetinv.__version__}. Times are the best of {repeat} runs "
        f"(pingouin: one run). Load average at the end of the run: {load:.1f} on {cores} cores.",
        "",
        f"Data: {n:,} respondents x 40 items (4 domains x 10, items 04 and 07 reverse-keyed) in "
        f"{schools:,} schools, 3% missing at random, Likert 1-5.",
        "",
        "| task | assetinv | comparison | ratio |",
        "|---|---|---|---|",
        f"| (a) alpha table for every domain x school ({rows:,} rows) | {t_ours:.3f} s | "
        f"`pingouin.cronbach_alpha` loop: {t_pg:.2f} s | {t_pg / t_ours:.0f}x faster |",
        f"| (c) `instrument_reliability(df, inst, by=\"school\")`, every table it returns, wall clock | "
        f"{b['t_user']:.3f} s | same `pingouin` loop: {t_pg:.2f} s | {t_pg / b['t_user']:.1f}x faster |",
        f"| (c) the same, CPU time of the process | {b['c_user']:.3f} s | pingouin loop: {b['c_pg']:.2f} s | "
        f"{b['c_pg'] / b['c_user']:.1f}x faster |",
        f"| (b) 1 domain, {n_boot:,}-resample bootstrap interval, all respondents | {t_boot:.2f} s | "
        + (f"`psych::alpha(n.iter={n_boot})`: {r[0]:.1f} s | {r[0] / t_boot:.0f}x faster |" if r else
           "target < 10 s (psych::alpha: about 2 minutes, not run here) | |"),
        "",
        f"(a) assetinv's raw alpha agrees with pingouin's (pairwise) to {dev:.1e} in every table row.",
        f"(c) returns overall ({b['tables']['overall']} rows), items ({b['tables']['items']}), "
        f"by_group['school'] ({b['tables']['by_group']}), icc ({b['tables']['icc']}) and "
        f"school_reliability ({b['tables']['school_reliability']}); its per-school raw alpha agrees with "
        f"pingouin's to {b['dev2']:.1e}.",
        f"(b) bootstrap percentile interval [{ci['lower']:.4f}, {ci['upper']:.4f}]; same seed, same interval: {same}.",
    ]
    if r:
        lines.append(f"psych's bootstrap interval (its own RNG): [{r[1]:.4f}, {r[2]:.4f}].")
    Path(a.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    sys.exit(main())
