"""Benchmark: the report's figures through matplotlib vs. written straight to SVG, side by side in one run.

Every figure a report run draws is recorded (its function and arguments) while the bundled sample (or
``--data``) is rendered once; then each recorded figure is drawn both ways, alternately, ``--repeat``
times:

* **matplotlib**: the figure function of :mod:`assetinv.figures` (a matplotlib Figure) saved by
  :func:`assetinv.report.blocks.figure_svg` -- what the report did before;
* **SVG writer**: :func:`assetinv.report.svgcharts.chart_svg`, the same chart code drawing on
  :class:`~assetinv.report.svgcharts.SvgFigure` -- what the report does now for the per-school charts.

The heat map (one per network) and the joint display still go through matplotlib in both columns.
Times are wall-clock medians per figure (``time.perf_counter``) and process CPU time per figure, from the
same run; the machine is shared, so the ratio is the number to read. Results go to
``benchmarks/results_figures.md``.

Usage::

    python benchmarks/bench_figures.py               # the bundled sample, 3 repeats
    python benchmarks/bench_figures.py --repeat 5 --data path/to/study
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")


def record_calls(data: str | None) -> list[tuple[str, str, tuple, dict]]:
    """Render the reports once and keep every figure call (name, id, args, kwargs) in order."""
    from assetinv.report import blocks, build_reports

    calls: list[tuple[str, str, tuple, dict]] = []
    real_chart = blocks.chart_svg

    def chart(name, fig_id, *args, **kwargs):
        calls.append((name, fig_id, args, kwargs))
        return real_chart(name, fig_id, *args, **kwargs)

    originals = dict(blocks.FIGURES)

    def wrap(name, fn):
        def inner(*args, **kwargs):
            calls.append((name, "fig", args, kwargs))
            return fn(*args, **kwargs)

        return inner

    blocks.chart_svg = chart
    for name, fn in originals.items():
        blocks.FIGURES[name] = wrap(name, fn)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            build_reports(data, Path(tmp) / "out", progress=False)
    finally:
        blocks.chart_svg = real_chart
        blocks.FIGURES.update(originals)
    return calls


def draw_matplotlib(name: str, fig_id: str, args: tuple, kwargs: dict) -> str:
    import matplotlib
    from cycler import cycler

    from assetinv.report import blocks

    with matplotlib.rc_context({"axes.prop_cycle": cycler(color=blocks.OKABE_ITO)}):
        fig = blocks.FIGURES[name](*args, **kwargs)
    return blocks.figure_svg(fig, fig_id, alt=fig.alt_text)


def draw_new(name: str, fig_id: str, args: tuple, kwargs: dict) -> str:
    from assetinv.report.svgcharts import SVG_CHARTS, chart_svg

    if name in SVG_CHARTS:
        return chart_svg(name, fig_id, *args, **kwargs)[0]
    return draw_matplotlib(name, fig_id, args, kwargs)


def timed(fn, *a) -> tuple[float, float, int]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*a)
    return time.perf_counter() - w0, time.process_time() - c0, len(out)


def run(calls, repeat: int) -> dict:
    """Per figure type: wall and CPU seconds of every draw, both ways, and the SVG sizes."""
    res: dict = collections.defaultdict(lambda: {"old": [], "new": [], "old_cpu": [], "new_cpu": [], "n": 0})
    for name, fig_id, args, kwargs in calls[:4]:  # warm both paths (imports, fonts, caches)
        draw_matplotlib(name, fig_id, args, kwargs)
        draw_new(name, fig_id, args, kwargs)
    for name, fig_id, args, kwargs in calls:
        r = res[name]
        r["n"] += 1
        for _ in range(repeat):
            w, c, r["old_bytes"] = timed(draw_matplotlib, name, fig_id, args, kwargs)
            r["old"].append(w)
            r["old_cpu"].append(c)
            w, c, r["new_bytes"] = timed(draw_new, name, fig_id, args, kwargs)
            r["new"].append(w)
            r["new_cpu"].append(c)
    return res


def report(res: dict, calls: list, repeat: int, seconds: float, load: float) -> str:
    from assetinv.report.svgcharts import SVG_CHARTS

    lines = [
        "# Figure benchmark: matplotlib vs. the SVG writer",
        "",
        f"Every figure of one `assetinv report` run of the bundled sample ({len(calls)} figures), each drawn "
        f"both ways, alternately, {repeat} times, in one run of `python benchmarks/bench_figures.py "
        f"--repeat {repeat}` on CPython {platform.python_version()}, {os.cpu_count()} CPU(s), "
        f"{platform.machine()}; load average at the start {load:.1f} (a shared machine: "
        f"wall times vary with its load, the ratios less). Whole benchmark {seconds:.0f} s.",
        "",
        "| figure | per run | drawn by | matplotlib: wall, CPU per figure | SVG writer: wall, CPU per figure "
        "| speed-up (wall) | speed-up (CPU) | SVG size before → after |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    tot = {"old": 0.0, "new": 0.0, "n": 0}
    school = {"old": 0.0, "new": 0.0, "oc": 0.0, "nc": 0.0, "n": 0}
    for name, r in sorted(res.items(), key=lambda kv: -kv[1]["n"]):
        old, new = statistics.median(r["old"]), statistics.median(r["new"])
        oc, nc = statistics.median(r["old_cpu"]), statistics.median(r["new_cpu"])
        how = "SVG writer" if name in SVG_CHARTS else "matplotlib (both)"
        lines.append(
            f"| `{name}` | {r['n']} | {how} | {old * 1000:.0f} ms, {oc * 1000:.0f} ms | "
            f"{new * 1000:.1f} ms, {nc * 1000:.1f} ms | **{old / new:.0f}×** | **{oc / nc:.0f}×** | "
            f"{r['old_bytes'] / 1000:.0f} kB → {r['new_bytes'] / 1000:.0f} kB |"
        )
        tot["old"] += old * r["n"]
        tot["new"] += new * r["n"]
        tot["n"] += r["n"]
        if name in SVG_CHARTS and name != "heatmap_network":
            for key, v in (("old", old), ("new", new), ("oc", oc), ("nc", nc)):
                school[key] += v * r["n"]
            school["n"] += r["n"]
    lines += [
        f"| **all {tot['n']} figures** | | | {tot['old']:.2f} s ({tot['old'] / tot['n'] * 1000:.0f} ms each) | "
        f"{tot['new']:.2f} s ({tot['new'] / tot['n'] * 1000:.1f} ms each) | **{tot['old'] / tot['new']:.1f}×** | | |",
        f"| **the {school['n']} profile, change, gap and item charts** | | | {school['old'] / school['n'] * 1000:.0f} ms, "
        f"{school['oc'] / school['n'] * 1000:.0f} ms each | {school['new'] / school['n'] * 1000:.1f} ms, "
        f"{school['nc'] / school['n'] * 1000:.1f} ms each | **{school['old'] / school['new']:.0f}×** | "
        f"**{school['oc'] / school['nc']:.0f}×** | |",
        "",
        "On a loaded machine wall time is several times the CPU time (other processes hold the cores); the CPU "
        "time per figure is what one core spends on it. The joint display runs the same matplotlib code in both "
        "columns, so its ratio shows the noise of the load.",
        "",
        "Medians over the repeats of each figure, then the mean over the figures of a type. A school's report "
        "draws one profile (reused in its one-page summary), one change, one gap and one item chart; the "
        "network page adds the heat map, the joint display and its own change, gap and item charts.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None, help="study folder (default: the bundled sample)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results_figures.md"))
    args = ap.parse_args(argv)
    t0, load = time.perf_counter(), os.getloadavg()[0]
    calls = record_calls(args.data)
    res = run(calls, args.repeat)
    text = report(res, calls, args.repeat, time.perf_counter() - t0, load)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
