"""Print the largest differences between assetinv and the lavaan/psych fixtures (dev script).

    python tests/r_reference/measure_cfa_accuracy.py

The table in docs/psychometrics.md is this script's output. It needs no R: the
fixtures were written by make_cfa_reference.R.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import assetinv as ai

ROOT = Path(__file__).parent
REPO = ROOT.parents[1]
FIT = [
    ("chisq", "chisq"),
    ("cfi", "cfi"),
    ("tli", "tli"),
    ("rmsea", "rmsea"),
    ("rmsea_ci_low", "rmsea.ci.lower"),
    ("rmsea_ci_high", "rmsea.ci.upper"),
    ("srmr", "srmr"),
    ("pvalue", "pvalue"),
]


def fx(name):
    return json.loads((ROOT / "fixtures" / f"{name}.json").read_text())


def cfa_rows():
    rows = []
    for name in ("hs1939", "hs1939_miss", "bfi", "sample_baseline"):
        ref = fx(f"cfa_{name}")
        if name == "sample_baseline":
            d = pd.read_csv(REPO / "data" / "responses.csv")
            res = ai.cfa(d[d["wave"] == "baseline"])
        else:
            res = ai.cfa(pd.read_csv(ROOT / "data" / f"{name}.csv"), ref["model"])
        for ours, theirs in FIT:
            rows.append(("cfa", name, ours, abs(res.fit[ours] - ref["fit"][theirs])))
        m = res.params.merge(pd.DataFrame(ref["params"]), on=["lhs", "op", "rhs"])
        rows.append(("cfa", name, "estimates", float(np.abs(m["estimate"] - m["est"]).max())))
        rows.append(("cfa", name, "se", float(np.abs(m["se_x"] - m["se_y"]).max())))
        rows.append(("cfa", name, "std_all", float(np.abs(m["std_all"] - m["std.all"]).max())))
    return rows


def invariance_rows():
    rows = []
    inst = ai.load_instrument()
    cases = [
        ("hs1939_school", "hs1939", None, "school"),
        ("hs1939_miss_school", "hs1939_miss", None, "school"),
    ]
    for dom in ("EX", "LM", "CN", "OS"):
        for g in ("role", "wave"):
            cases.append((f"sample_{dom}_{g}", "sample", dom, g))
    for name, data, dom, group in cases:
        ref = fx(f"invariance_{name}")
        if data == "sample":
            d = pd.read_csv(REPO / "data" / "responses.csv")
            if group == "role":
                d = d[d["role"].isin(["teacher", "leader"])]
            tab = ai.invariance(d, {dom: inst.item_ids(dom)}, group=group, instrument=inst)
        else:
            tab = ai.invariance(pd.read_csv(ROOT / "data" / f"{data}.csv"), ref["model"], group=group)
        for k in ("chisq", "cfi", "tli", "rmsea", "srmr"):
            diff = max(abs(tab.loc[lev, k] - ref[lev]["fit"][k]) for lev in tab.index)
            rows.append(("invariance", name, k, float(diff)))
    return rows


def ordinal_rows():
    rows = []
    samp = pd.read_csv(ROOT / "data" / "sample_reversed.csv")
    samp = samp[samp["wave"] == "baseline"]
    for name, data in (
        ("bfi", pd.read_csv(ROOT / "data" / "bfi.csv")),
        ("sample_EX", samp),
        ("sample_CN", samp),
        ("pairwise", pd.read_csv(ROOT / "data" / "ordinal_pairwise.csv")),
    ):
        ref = fx(f"polychoric_{name}")
        pc = ai.polychoric(data[ref["items"]])
        rows.append(
            ("polychoric", name, "rho", float(np.abs(pc.rho.to_numpy() - np.array(ref["rho"])).max()))
        )
        tau = np.array(ref["tau"], dtype=float)
        ok = np.isfinite(tau)
        rows.append(("polychoric", name, "tau", float(np.abs(pc.tau.to_numpy()[ok] - tau[ok]).max())))
        if name != "bfi":
            t = ai.ordinal_reliability(data[ref["items"]], n_boot=0).table
            rows.append(
                (
                    "ordinal",
                    name,
                    "ordinal_alpha",
                    abs(t.loc["ordinal_alpha", "estimate"] - ref["ordinal_alpha"]),
                )
            )
            rows.append(
                (
                    "ordinal",
                    name,
                    "ordinal_omega",
                    abs(t.loc["ordinal_omega", "estimate"] - ref["ordinal_omega"]),
                )
            )
    for row in fx("planning_power")["power_t"]:
        rows.append(
            (
                "planning",
                f"n={row['n']}",
                "detectable_change",
                abs(ai.detectable_change(row["n"], row["sd"]) - row["delta"]),
            )
        )
    return rows


def main():
    warnings.simplefilter("ignore")
    rows = cfa_rows() + invariance_rows() + ordinal_rows()
    out = pd.DataFrame(rows, columns=["analysis", "data", "statistic", "max_abs_diff"])
    pd.set_option("display.width", 200)
    print(out.to_string(index=False, float_format=lambda v: f"{v:.1e}"))
    print()
    print(
        out.groupby(["analysis", "statistic"])["max_abs_diff"]
        .max()
        .to_string(float_format=lambda v: f"{v:.1e}")
    )


if __name__ == "__main__":
    main()
