"""Benchmark ``assetinv.read_responses`` against ``pandas.read_csv`` on the same file.

Run from the repository root::

    python benchmarks/bench_read_responses.py              # 1,000,000 rows (~99 MB)
    python benchmarks/bench_read_responses.py --rows 100000 --repeat 1   # quicker

The responses file is made by ``benchmarks/make_big_responses.py`` (the bundled sample's rows
stacked with fresh respondent ids). Each reader runs in a fresh Python subprocess, one after the
other in the same run, so its peak resident memory (``ru_maxrss``) is its own; the time is the
call alone (imports excluded), best of ``--repeat`` runs. Memory is reported both as the peak
RSS of the process and as the peak minus the RSS just before the call, after the libraries the
call uses (pandas, numpy, pyarrow, ``assetinv.io``) are imported: the memory the read itself
needs, the frame it returns and its working space. Writes
``benchmarks/results_read_responses.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_big_responses import make_big_responses

CHILD = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]

def rss_now():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()

if kind.startswith("pandas"):
    import pandas as pd
    if kind == "pandas-pyarrow":
        import pyarrow  # noqa: F401
    fn = (lambda: pd.read_csv(path)) if kind == "pandas-c" else (lambda: pd.read_csv(path, engine="pyarrow"))
else:
    import assetinv
    import assetinv.io  # noqa: F401  (``import assetinv`` is lazy: load what the call uses first)
    import pyarrow.compute  # noqa: F401
    import pyarrow.csv  # noqa: F401
    fn = lambda: assetinv.read_responses(path)
before = rss_now()
t = time.perf_counter()
df = fn()
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": dt, "peak": peak, "before": before, "rows": len(df), "cols": df.shape[1]}))
"""


def run(kind: str, path: Path) -> dict:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD, kind, str(path)], capture_output=True, text=True, env=env, check=False)
    if out.returncode:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2, help="runs per reader (best time, largest peak)")
    ap.add_argument("--out", type=Path, default=HERE / "results_read_responses.md")
    args = ap.parse_args()
    try:
        import pyarrow  # noqa: F401
        kinds = ["pandas-c", "pandas-pyarrow", "assetinv"]
    except ImportError:
        kinds = ["pandas-c", "assetinv"]
    with tempfile.TemporaryDirectory() as tmp:
        path = make_big_responses(Path(tmp) / "responses.csv", args.rows)
        size = path.stat().st_size
        res: dict[str, dict] = {}
        for _ in range(args.repeat):
            for kind in kinds:  # interleaved, so a change in machine load hits every reader
                r = run(kind, path)
                best = res.get(kind)
                if best is None:
                    res[kind] = r
                else:
                    best["seconds"] = min(best["seconds"], r["seconds"])
                    best["peak"] = max(best["peak"], r["peak"])
                    best["before"] = min(best["before"], r["before"])
                print(kind, json.dumps(r), flush=True)
    mb = 1e6
    base = res["pandas-c"]
    lines = [
        "# `read_responses` vs `pandas.read_csv`",
        "",
        (f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.processor() or platform.machine()}, "
         f"{os.cpu_count()} cores (shared with other jobs), Python {platform.python_version()}."),
        (f"File: {args.rows:,} data rows x {res['assetinv']['cols']} columns, {size / mb:.1f} MB "
         "(`benchmarks/make_big_responses.py`: the bundled sample's rows with fresh respondent ids)."),
        (f"Each reader in a fresh subprocess, best time of {args.repeat} interleaved runs; "
         "`python benchmarks/bench_read_responses.py`."),
        "",
        "| reader | time | vs pandas C | peak RSS | peak / file | peak - RSS before call | that / file |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {"pandas-c": "`pandas.read_csv(path)` (C engine)",
             "pandas-pyarrow": '`pandas.read_csv(path, engine="pyarrow")`',
             "assetinv": "`assetinv.read_responses(path)` (all checks)"}
    for kind in kinds:
        r = res[kind]
        inc = r["peak"] - r["before"]
        lines.append(f"| {names[kind]} | {r['seconds']:.2f} s | {r['seconds'] / base['seconds']:.2f}x | "
                     f"{r['peak'] / mb:.0f} MB | {r['peak'] / size:.1f}x | {inc / mb:.0f} MB | {inc / size:.1f}x |")
    lines += [
        "",
        "`read_responses` returns float64 items (the pandas C engine reads these integer-looking",
        "columns as float64 too) and checks every cell: each distinct answer text is parsed once and",
        "the result spread to the rows with numpy.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
