"""Write the seeded networks that make_reference.R fits with lme4/lmerTest (dev only).

Run from the repository root (make_reference.R calls it):
``python tests/r_reference/make_growth_data.py``. Each network is simulated by
``assetinv.simulate_study`` and scored by ``assetinv.score_domains``; the
teacher and leader domain scores of both waves are written to
``tests/r_reference/data/growth_<name>.csv`` (one domain per network), and
``growth_networks.json`` lists the networks with the model each is fitted with.
"""

from __future__ import annotations

import json
from pathlib import Path

import assetinv as ai

ROOT = Path("tests/r_reference")

# name: (seed, n_schools, respondents_per_school, linked_share, growth, domain, model)
NETWORKS = {
    "linked_a": (101, 10, 20, 0.6, None, "OS", "intercept"),
    "linked_b": (102, 12, 18, 0.8, None, "EX", "intercept"),
    "unlinked_a": (103, 10, 20, 0.0, None, "OS", "intercept"),
    "unlinked_b": (104, 11, 16, 0.0, None, "LM", "intercept"),
    "slope_linked": (105, 12, 22, 0.6, {"CN": (0.15, 0.30)}, "CN", "slope"),
    "slope_unlinked": (106, 10, 24, 0.0, {"OS": (0.20, 0.30)}, "OS", "slope"),
    "slope_linked_b": (107, 11, 20, 0.5, {"EX": (0.10, 0.25)}, "EX", "slope"),
}

# three or more waves (issue 17.5): name: (seed, n_schools, respondents_per_school, linked_share, domain, waves)
WAVE_NETWORKS = {
    "w3_linked": (201, 10, 18, 0.6, "OS", ("baseline", "midpoint", "followup")),
    "w3_unlinked": (202, 10, 18, 0.0, "LM", ("baseline", "midpoint", "followup")),
    "w4_linked": (203, 8, 16, 0.7, "CN", ("baseline", "year1", "year2", "year3")),
}


def waves_main() -> None:
    meta = {}
    for name, (seed, n_schools, per_school, linked, dom, waves) in WAVE_NETWORKS.items():
        st = ai.simulate_study(
            seed=seed,
            n_schools=n_schools,
            n_districts=2,
            respondents_per_school=per_school,
            linked_share=linked,
            waves=waves,
            n_interviews=2,
        )
        sc = ai.score_domains(st.responses)
        sc = sc[sc["role"].isin(["teacher", "leader"])]
        out = sc[["respondent_id", "school", "role", "wave", dom]].dropna(subset=[dom])
        out = out.sort_values(["school", "respondent_id", "wave"], kind="mergesort")
        out.to_csv(ROOT / "data" / f"growth_{name}.csv", index=False, float_format="%.17g")
        meta[name] = {
            "seed": seed,
            "n_schools": n_schools,
            "respondents_per_school": per_school,
            "linked_share": linked,
            "domain": dom,
            "waves": list(waves),
        }
    (ROOT / "data" / "growth_waves.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def main() -> None:
    (ROOT / "data").mkdir(parents=True, exist_ok=True)
    meta = {}
    for name, (seed, n_schools, per_school, linked, growth, dom, model) in NETWORKS.items():
        st = ai.simulate_study(
            seed=seed,
            n_schools=n_schools,
            n_districts=2,
            respondents_per_school=per_school,
            linked_share=linked,
            growth=growth,
            n_interviews=2,
        )
        sc = ai.score_domains(st.responses)
        sc = sc[sc["role"].isin(["teacher", "leader"])]
        out = sc[["respondent_id", "school", "role", "wave", dom]].dropna(subset=[dom])
        out = out.sort_values(["school", "respondent_id", "wave"], kind="mergesort")
        out.to_csv(ROOT / "data" / f"growth_{name}.csv", index=False, float_format="%.17g")
        meta[name] = {
            "seed": seed,
            "n_schools": n_schools,
            "respondents_per_school": per_school,
            "linked_share": linked,
            "domain": dom,
            "model": model,
        }
    (ROOT / "data" / "growth_networks.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    waves_main()


if __name__ == "__main__":
    main()
