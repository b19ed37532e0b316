"""Benchmark: the whole report pipeline, side by side with papermill + nbconvert, and its growth with size.

In ONE run:

* **per-school cost ratio**: the naive loop (for each of a few schools,
  ``papermill notebooks/06_school_report.ipynb`` then ``jupyter nbconvert --to html
  --no-input``) against ``assetinv report --jobs J`` on the same network; the
  pipeline's per-school cost is its *marginal* cost, the slope of wall time over
  the number of schools between the two largest sizes;
* **scaling**: ``assetinv simulate DIR --schools N --interviews 2N`` (two waves,
  25 respondents per school and wave) then ``assetinv report --jobs J --quiet``
  for each N in ``--sizes`` (default 12 120 1200 2000), with wall time and the
  peak resident memory of the whole process tree (the sum over the parent and
  its forked workers, sampled every 0.1 s from ``/proc``; shared pages are
  counted once per process, so this over-states the real footprint).

Results go to ``benchmarks/results_pipeline.md``. This is not a timed unit test.

Usage::

    python benchmarks/bench_pipeline.py                          # 12 120 1200 2000 schools, naive on 3
    python benchmarks/bench_pipeline.py --sizes 12 120 --naive-schools 2
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_reports as BR  # noqa: E402  (papermill + nbconvert loop, the same-content check)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory (kB) of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def timed(
    cmd: list[str], *, mem_gb: float | None = None, timeout: float | None = None, fail: bool = True
) -> tuple[float, float, float, str]:
    """Run ``cmd``; return (wall seconds, peak tree RSS in MB, CPU seconds of the process tree, outcome).

    ``mem_gb`` caps each process's address space (``RLIMIT_AS``) and ``timeout`` the wall time; the
    outcome is ``"ok"`` or what stopped it. With ``fail`` a failed command ends the benchmark.
    """
    import resource

    def limit() -> None:
        if mem_gb:
            cap = int(mem_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=BR._ENV,
        cwd=BR._CWD[0],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    outcome = "ok"
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        outcome = f"stopped after {timeout / 60:.0f} min"
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    if outcome == "ok" and proc.returncode != 0:
        sys.stderr.write(out + err)
        memory = "out of memory" in err or "MemoryError" in err
        outcome = (
            f"failed: out of memory (cap {mem_gb:g} GB)" if memory else f"failed (exit {proc.returncode})"
        )
        if fail:
            raise SystemExit(f"failed: {' '.join(cmd)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak[0] / 1024, cpu, outcome


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 120, 1200, 2000], help="network sizes")
    ap.add_argument("--jobs", type=int, default=2, help="assetinv report --jobs (default 2)")
    ap.add_argument("--naive-schools", type=int, default=3, help="schools run through papermill + nbconvert")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results_pipeline.md")
    ap.add_argument(
        "--mem-limit-gb", type=float, default=8.0, help="address-space cap per process (default 8)"
    )
    ap.add_argument("--timeout-min", type=float, default=20.0, help="wall-time cap per report (default 20)")
    args = ap.parse_args(argv)
    sizes = sorted(set(args.sizes))
    py = sys.executable
    rows: list[tuple] = []
    failed: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="assetinv-bench-pipeline-") as tmp_s:
        tmp = Path(tmp_s)
        notebook = BR.snapshot_code(tmp)  # both approaches run the same snapshot of the code
        for n in sizes:
            data = tmp / f"data{n}"
            t_sim, _, _, _ = timed(
                [
                    py,
                    "-m",
                    "assetinv",
                    "simulate",
                    str(data),
                    "--seed",
                    str(args.seed),
                    "--schools",
                    str(n),
                    "--interviews",
                    str(2 * n),
                ]
            )
            n_resp = sum(1 for _ in open(data / "responses.csv", encoding="utf-8")) - 1
            load = os.getloadavg()[0]
            wall, rss, cpu, outcome = timed(
                [py, "-m", "assetinv", "report", "--data", str(data), "--out", str(tmp / f"out{n}")]
                + ["--quiet", "--jobs", str(args.jobs)],
                mem_gb=args.mem_limit_gb,
                timeout=60 * args.timeout_min,
                fail=False,
            )
            (rows if outcome == "ok" else failed).append((n, n_resp, wall, rss, cpu, load, outcome))
            print(
                f"{n} schools ({n_resp} responses): report {outcome}, {wall:.1f} s wall, {cpu:.1f} s CPU, "
                f"peak {rss:.0f} MB (simulate {t_sim:.1f} s; load average {load:.1f} before)",
                flush=True,
            )
        # the naive loop, on a few schools of the smallest network
        n0 = sizes[0]
        import pandas as pd

        ids = sorted(pd.read_csv(tmp / f"data{n0}" / "schools.csv", dtype=str)["school"].tolist())
        k = max(1, min(args.naive_schools, len(ids)))
        pick = [ids[round(i * (len(ids) - 1) / max(k - 1, 1))] for i in range(k)] if k > 1 else ids[:1]
        t_naive = BR.naive(tmp / f"data{n0}", tmp / "naive", pick, min_n=5, notebook=notebook)
        found, total = BR.same_content(tmp / f"out{n0}", tmp / "naive", pick)
    naive_per = t_naive / len(pick)
    if len(rows) >= 2:
        (n1, _, w1, _, c1, _, _), (n2, _, w2, _, c2, _, _) = rows[-2], rows[-1]
        marginal = (w2 - w1) / (n2 - n1)
        marginal_cpu = (c2 - c1) / (n2 - n1)
    else:
        marginal = rows[0][2] / rows[0][0]
        marginal_cpu = rows[0][4] / rows[0][0]
    env_note = (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPU(s), "
        f"{platform.machine()}, load average {os.getloadavg()[0]:.1f} at the end"
    )
    cmd = " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        "# Pipeline benchmark: `assetinv report` at network scale",
        "",
        f"One run of `python benchmarks/bench_pipeline.py {cmd}` on {env_note}. The machine is shared: "
        "absolute times move with its load, so compare rows of this run with each other.",
        "",
        f"## Scaling (`assetinv report --jobs {args.jobs}`)",
        "",
        "| schools | responses | wall time | CPU time (all processes) | wall per school | peak RSS, process tree "
        "| load average before |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n} | {r} | {w:.1f} s | {c:.1f} s | {1000 * w / n:.0f} ms | {m:.0f} MB | {ld:.1f} |"
        for n, r, w, m, c, ld, _ in rows
    ]
    lines += [
        f"| {n} | {r} | **{o}** after {w:.0f} s | {c:.1f} s | – | {m:.0f} MB | {ld:.1f} |"
        for n, r, w, m, c, ld, o in failed
    ]
    lines += [
        "",
        f"Marginal cost per school (slope between the two largest networks that finished): "
        f"**{1000 * marginal:.0f} ms** wall, "
        f"{1000 * marginal_cpu:.0f} ms CPU.",
        "",
        "## Per-school cost against papermill + nbconvert",
        "",
        "| approach | per school | ratio |",
        "|---|---:|---:|",
        f"| papermill + nbconvert of `notebooks/06_school_report.ipynb` ({len(pick)} schools of the "
        f"{n0}-school network: {t_naive:.0f} s) | {naive_per:.1f} s | 1× |",
        f"| `assetinv report --jobs {args.jobs}`, marginal | {1000 * marginal:.0f} ms | "
        f"**{naive_per / marginal:.0f}×** |"
        if marginal > 0
        else "| `assetinv report`, marginal | n/a | n/a |",
        "",
        f"Same content: {found} of {total} sections of those schools' reports are identical both ways "
        "(compared after parsing).",
        "",
    ]
    args.results.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if found == total else 1


if __name__ == "__main__":
    sys.exit(main())
