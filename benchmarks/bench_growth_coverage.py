"""Coverage of the change_over_time intervals in simulated networks (issue 11).

For each replication a network of 10-12 schools (20 respondents per school and
wave, teachers and leaders) is simulated with ``assetinv.simulate_study``
(graded-response items, school growth varying between schools, missing
answers, straight-liners), scored, and ``change_over_time`` is run on the
teachers with the default settings (no wave slope; the former default
``random_slope="auto"`` is refitted where it differs). The truth is the
generator's change in the expected teacher domain score, averaged over the
network's schools (``truth["network_means"]``), and, for each school, that
school's own expected change (``truth["schools"]``).

Two panels: 60% of follow-up respondents linked to their baseline answers, and
none linked (anonymous waves). The domain rotates over EX, LM, CN, OS.

The same fits are also scored with a normal quantile (the old interval), to
show what the Satterthwaite df buys.

    python benchmarks/bench_growth_coverage.py --networks 200      # per panel
    python benchmarks/bench_growth_coverage.py --networks 200 --seed0 5000   # a held-out run

Writes benchmarks/results_growth_coverage.md (and prints the table).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import assetinv as ai
import assetinv.simulate as simmod

DOMAINS = ("EX", "LM", "CN", "OS")


def one(seed: int, linked: float, by_school: bool = True):
    dom = DOMAINS[seed % 4]
    n_schools = 10 + seed % 3
    st = ai.simulate_study(
        seed=seed,
        n_schools=n_schools,
        n_districts=2,
        respondents_per_school=20,
        linked_share=linked,
        n_interviews=2,
    )
    sc = ai.score_domains(st.responses)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = ai.change_over_time(sc, domains=[dom], roles=("teacher",), by_school=by_school)
    nm = pd.DataFrame(st.truth["network_means"])
    nm = nm[(nm.role == "teacher") & (nm.domain == dom)].set_index("wave")["mean"]
    truth = nm["followup"] - nm["baseline"]
    net = c.iloc[0]
    z = stats.norm.ppf(0.975)
    # the former default, random_slope="auto" (a wave slope when Cochran's Q p < 0.10): refit only
    # where it differs
    auto = net
    if "growth varies between schools" in net["note"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            auto = ai.change_over_time(sc, domains=[dom], roles=("teacher",), random_slope="auto").iloc[0]
    rec = {
        "seed": seed,
        "domain": dom,
        "n_schools": n_schools,
        "linked": linked,
        "truth": truth,
        "estimate": net["estimate"],
        "se": net["se"],
        "df": net["df"],
        "cover": net["ci_low"] <= truth <= net["ci_high"],
        "cover_normal": abs(net["estimate"] - truth) <= z * net["se"],
        "slope": "wave slope" in auto["model"] and "no wave slope" not in auto["model"],
        "cover_auto": auto["ci_low"] <= truth <= auto["ci_high"],
    }
    school_cov = []
    st_truth = pd.DataFrame(st.truth["school_means"])
    if len(st_truth):
        t = st_truth[st_truth.domain == dom].pivot(index="school", columns="wave", values="teacher")
        tg = (t["followup"] - t["baseline"]).to_dict()
        for _, r in c.iloc[1:].iterrows():
            if r["suppressed"] or not np.isfinite(r["estimate"]):
                continue
            school_cov.append(
                {
                    "seed": seed,
                    "linked": linked,
                    "school": r["scope"],
                    "truth": tg[r["scope"]],
                    "cover": r["ci_low"] <= tg[r["scope"]] <= r["ci_high"],
                    "cover_normal": abs(r["estimate"] - tg[r["scope"]]) <= z * r["se"],
                }
            )
    return rec, school_cov


def table(df: pd.DataFrame, sdf: pd.DataFrame) -> str:
    head = (
        "| panel | networks | coverage (default: Satterthwaite t, no wave slope) | coverage (normal quantile) | "
        'mean error | mean SE / SD of errors | median df | former default `"auto"`: slope fitted / coverage | '
        "school intervals: coverage (t) / (normal) |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for linked, g in df.groupby("linked"):
        err = g["estimate"] - g["truth"]
        s = sdf[sdf["linked"] == linked] if len(sdf) else sdf
        n = len(g)
        mc = 1.96 * np.sqrt(0.95 * 0.05 / n)
        lines.append(
            f"| {'60% linked' if linked else 'unlinked'} | {n} | {g['cover'].mean():.1%} (±{mc:.1%}) | "
            f"{g['cover_normal'].mean():.1%} | {err.mean():+.4f} | {g['se'].mean():.4f} / {err.std(ddof=1):.4f} | "
            f"{g['df'].median():.1f} | {g['slope'].mean():.0%} / {g['cover_auto'].mean():.1%} | "
            + (
                f"{s['cover'].mean():.1%} / {s['cover_normal'].mean():.1%} ({len(s)} intervals) |"
                if len(s)
                else "– |"
            )
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--networks", type=int, default=200, help="networks per panel")
    ap.add_argument("--seed0", type=int, default=0)
    ap.add_argument("--panels", default="linked,unlinked", help="linked, unlinked or both (comma-separated)")
    ap.add_argument("--no-schools", action="store_true", help="network intervals only (faster)")
    ap.add_argument("--csv", default=None, help="also write the per-network records here")
    ap.add_argument(
        "--from-csv",
        nargs="*",
        default=None,
        help="only build the table from record CSVs written by earlier --csv runs",
    )
    ap.add_argument("--out", default=str(Path(__file__).with_name("results_growth_coverage.md")))
    a = ap.parse_args()
    simmod._MC_N = 5000  # the Monte-Carlo part of the truth (correlations) is not used here
    t0 = time.perf_counter()
    recs, srecs = [], []
    if a.from_csv:
        df = pd.concat([pd.read_csv(f) for f in a.from_csv], ignore_index=True)
        sfiles = [f.replace(".csv", "_schools.csv") for f in a.from_csv]
        sfiles = [f for f in sfiles if Path(f).exists()]
        sdf = (
            pd.concat([pd.read_csv(f) for f in sfiles], ignore_index=True)
            if sfiles
            else pd.DataFrame(columns=["linked", "cover", "cover_normal"])
        )
        text = (
            f"# Growth interval coverage (benchmarks/bench_growth_coverage.py)\n\n"
            f"Records: {len(df)} networks (seeds {df['seed'].min()}-{df['seed'].max()}).\n\n"
            f"Networks of 10-12 schools x 20 respondents per wave (simulate_study, teachers analysed), "
            f"95% intervals; truth = the generator's expected teacher score change averaged over the network's "
            f"schools (per school: that school's expected change). ± is the Monte-Carlo 95% margin of a true "
            f"95% coverage.\n\n{table(df, sdf)}\n"
        )
        Path(a.out).write_text(text)
        print(text)
        return
    panels = [p.strip() for p in a.panels.split(",")]
    for linked in [x for p, x in (("linked", 0.6), ("unlinked", 0.0)) if p in panels]:
        for i in range(a.networks):
            r, s = one(a.seed0 + i + (0 if linked else 100_000), linked, not a.no_schools)
            recs.append(r)
            srecs.extend(s)
            if (i + 1) % 25 == 0:
                print(
                    f"linked={linked}: {i + 1} networks, coverage so far "
                    f"{np.mean([x['cover'] for x in recs if x['linked'] == linked]):.3f}",
                    flush=True,
                )
    df, sdf = pd.DataFrame(recs), pd.DataFrame(srecs)
    if a.csv:
        df.to_csv(a.csv, index=False)
        if len(sdf):
            sdf.to_csv(a.csv.replace(".csv", "_schools.csv"), index=False)
    tab = table(df, sdf)
    took = time.perf_counter() - t0
    text = (
        f"# Growth interval coverage (benchmarks/bench_growth_coverage.py)\n\n"
        f"`python benchmarks/bench_growth_coverage.py --networks {a.networks} --seed0 {a.seed0}`, "
        f"assetinv {ai.__version__ if hasattr(ai, '__version__') else ''}, {took:.0f} s.\n\n"
        f"Networks of 10-12 schools x 20 respondents per wave (simulate_study, teachers analysed), "
        f"95% intervals; truth = the generator's expected teacher score change averaged over the network's "
        f"schools (per school: that school's expected change). ± is the Monte-Carlo 95% margin of a true 95% "
        f"coverage.\n\n{tab}\n"
    )
    Path(a.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
