"""Write the 2.0.0 sample's teacher form at baseline for the R references (dev only).

Run from the repository root, then the R script that fits it::

    PYTHONPATH=$PWD python tests/r_reference/make_sample_v2.py
    Rscript tests/r_reference/make_reference_v2.R

Writes ``tests/r_reference/data/sample_v2_teacher.csv`` (``respondent_id, school`` and the teacher
form's items in instrument order; answers 1-5 as written, Don't know (9) and unasked blank) and
``sample_v2_teacher.json`` (the teacher form's items per domain and the reverse-keyed ones).
``tests/test_r_reference_v2.py`` checks that the CSV is still the bundled sample's, so a regenerated
sample fails there until the references are made again.
"""

from __future__ import annotations

import json
from pathlib import Path

import assetinv as ai

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "r_reference" / "data"


def teacher_baseline() -> tuple:
    """The sample's baseline teacher rows (Don't know read as missing) and the teacher form per domain."""
    inst = ai.load_instrument("2.0.0")
    resp = ai.read_responses(ROOT / "data" / "responses.csv", instrument=inst)
    t = resp[(resp["wave"] == "baseline") & (resp["role"] == "teacher")]
    model = {d: inst.item_ids(d, role="teacher") for d in inst.domains["id"]}
    items = [i for v in model.values() for i in v]
    reverse = [i for i in inst.reverse_ids() if i in items]
    return t[["respondent_id", "school", *items]].reset_index(drop=True), model, reverse


def main() -> None:
    data, model, reverse = teacher_baseline()
    OUT.mkdir(parents=True, exist_ok=True)
    data.to_csv(OUT / "sample_v2_teacher.csv", index=False, float_format="%.0f")
    spec = {"instrument": "2.0.0", "model": model, "reverse": reverse}
    (OUT / "sample_v2_teacher.json").write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(data)} teachers x {data.shape[1] - 2} items to {OUT}")


if __name__ == "__main__":
    main()
