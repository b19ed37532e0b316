"""Small fixes of issue 10: simulate refuses a non-empty folder, ids sort naturally, titles use the
instrument's own name."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd

import assetinv as ai
from assetinv.cli import main

PKG = Path(ai.__file__).parent


def test_simulate_refuses_a_non_empty_folder(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "responses.csv").write_text("my own data\n", encoding="utf-8")
    assert main(["simulate", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err
    assert (mine / "responses.csv").read_text(encoding="utf-8") == "my own data\n"
    assert main(["simulate", str(mine), "--force", "--seed", "1"]) == 0
    assert (mine / "responses.csv").read_text(encoding="utf-8") != "my own data\n"
    assert main(["simulate", str(tmp_path / "new"), "--seed", "1"]) == 0  # a new folder is fine


def test_numeric_and_prefixed_school_ids_sort_naturally(tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text("school,district,name\n10,D1,Ten\n2,D1,Two\n1,D2,One\n", encoding="utf-8")
    assert ai.read_schools(p)["school"].tolist() == ["1", "2", "10"]
    r = tmp_path / "roster.csv"
    r.write_text(
        "school,district,role,wave,invited\nS10,D1,teacher,baseline,3\nS2,D1,teacher,baseline,4\n",
        encoding="utf-8",
    )
    assert ai.read_roster(r)["school"].tolist() == ["S2", "S10"]
    inst = ai.load_instrument()
    items = inst.item_ids()
    form = set(inst.item_ids(role="teacher"))  # a teacher answers the teacher form; other items stay blank
    rows = []
    for k, s in enumerate(["S10", "S2", "S1"]):
        rows.append(
            {
                "respondent_id": f"r{k}",
                "school": s,
                "district": "D1",
                "role": "teacher",
                "wave": "baseline",
                **{i: (3 if i in form else None) for i in items},
            }
        )
    f = tmp_path / "responses.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    resp = ai.read_responses(f)
    assert resp["school"].tolist() == ["S1", "S2", "S10"]
    scores = ai.score_domains(resp, inst)
    assert list(dict.fromkeys(scores["school"])) == ["S1", "S2", "S10"]


def test_no_sort_of_ids_left_as_plain_text():
    """Every sorted()/sort_values of school ids in the package goes through natural_key / id_sort_key."""
    bad = []
    for f in PKG.glob("*.py"):
        lines = f.read_text(encoding="utf-8").splitlines() + [""]
        for n, line in enumerate(lines[:-1], 1):
            stmt = line + lines[n]  # the key= may be on the next line
            if re.search(r"sorted\([^)]*\[\"school\"\]", line) and "natural_key" not in stmt:
                bad.append(f"{f.name}:{n}")
            if re.search(r"sort_values\(\[?\"school\"", line) and "id_sort_key" not in stmt:
                bad.append(f"{f.name}:{n}")
    assert bad == []


def test_titles_use_the_instruments_own_name():
    inst = dataclasses.replace(ai.load_instrument(), name="Teacher Climate Check")
    rng = np.random.default_rng(1)
    items = inst.item_ids()
    resp = pd.DataFrame(rng.integers(1, 6, size=(40, len(items))).astype(float), columns=items)
    resp.insert(0, "school", ["S1", "S2"] * 20)
    rel = ai.instrument_reliability(resp, inst)
    assert rel.summary().splitlines()[0] == "Teacher Climate Check reliability"
    # no report text hard-codes the bundled instrument's name
    for f in ("report/build.py", "report/sections.py", "report/templates/page.html.j2"):
        text = (PKG / f).read_text(encoding="utf-8")
        code = re.sub(r'"""[\s\S]*?"""', "", text)
        assert "Asset Inventory" not in code, f
