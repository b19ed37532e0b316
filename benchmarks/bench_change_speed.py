"""Per-school change without ~200 statsmodels MixedLM fits (issue 15), side by side.

Times ``change_over_time(scores, by_school=True)`` (every domain, the report's call)
on a simulated network (``simulate_study(seed=5, n_schools=48)`` by default) twice
in the same run: with the sufficient-statistics REML route (``_FAST_REML = True``,
the default) and with the statsmodels MixedLM route it replaces; counts the
MixedLM fits each makes and the largest difference between the two tables.

    python benchmarks/bench_change_speed.py [--schools 48] [--seed 5]

Writes benchmarks/results_change_speed.md.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

import assetinv as ai
from assetinv import scoring

NUM = ["estimate", "ci_low", "ci_high", "se", "df", "p_value", "effect_size", "hedges_g"]


def run(scores, fast: bool):
    scoring._FAST_REML = fast
    calls = {"n": 0}
    orig = scoring._fit_mixed

    def counted(*a, **k):
        calls["n"] += 1
        return orig(*a, **k)

    scoring._fit_mixed = counted
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            out = ai.change_over_time(scores, by_school=True)
            took = time.perf_counter() - t0
    finally:
        scoring._fit_mixed = orig
        scoring._FAST_REML = True
    return out, took, calls["n"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=48)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results_change_speed.md")))
    a = ap.parse_args()
    st = ai.simulate_study(seed=a.seed, n_schools=a.schools)
    scores = ai.score_domains(st.responses)
    new, t_new, n_new = run(scores, True)
    old, t_old, n_old = run(scores, False)
    diff = max(float(np.nanmax(np.abs(new[c].to_numpy(float) - old[c].to_numpy(float)))) for c in NUM)
    same_text = all(new[c].tolist() == old[c].tolist() for c in ("model", "reading", "note", "suppressed"))
    rows = len(new)
    text = (
        "# Per-school change speed (benchmarks/bench_change_speed.py)\n\n"
        f"`python benchmarks/bench_change_speed.py --schools {a.schools} --seed {a.seed}`: "
        f"`change_over_time(scores, by_school=True)` on `simulate_study(seed={a.seed}, n_schools={a.schools})` "
        f"({len(scores)} scored rows, {rows} result rows), both routes in the same run on the shared 2-core "
        "machine.\n\n"
        "| route | wall time | statsmodels MixedLM fits |\n|---|---|---|\n"
        f"| statsmodels MixedLM (before) | {t_old:.2f} s | {n_old} |\n"
        f"| sufficient statistics + Newton polish (now) | {t_new:.2f} s | {n_new} |\n\n"
        f"Speed-up {t_old / t_new:.1f}x. Largest difference over {', '.join(NUM)}: {diff:.1e}; "
        f"model / reading / note / suppressed columns identical: {same_text}.\n"
    )
    Path(a.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
