"""Whole-study validation (`assetinv validate STUDY_FOLDER`) and `assetinv report` refusing its errors."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import assetinv as ai
from assetinv.cli import main


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    d = tmp_path_factory.mktemp("study") / "clean"
    ai.write_sample(d, seed=3)
    return d


def _copy(sample, tmp_path):
    d = tmp_path / "s"
    shutil.copytree(sample, d)
    return d


def _edit(path, fn):
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    t = fn(t)
    t.to_csv(path, index=False)


def test_clean_sample_passes(sample, capsys):
    check = ai.validate_study(sample)
    assert check.ok and check.findings == []
    assert main(["validate", str(sample)]) == 0
    assert "OK (whole study)" in capsys.readouterr().out


def test_cross_file_faults(sample, tmp_path):
    d = _copy(sample, tmp_path)

    def resp(t):
        t.loc[t.index[t.school == "S03"][:3], "school"] = "s03"
        t.loc[t.index[t.school == "S04"][:2], "district"] = "D9"
        return t

    _edit(d / "responses.csv", resp)
    _edit(
        d / "roster.csv",
        lambda t: t[~((t.school == "S05") & (t.role == "leader") & (t.wave == "baseline"))].assign(
            invited=lambda x: x["invited"].where(
                ~((x.school == "S06") & (x.role == "teacher") & (x.wave == "baseline")), "2"
            )
        ),
    )
    _edit(d / "schools.csv", lambda t: t[t.school != "S12"])
    _edit(d / "codings.csv", lambda t: t.assign(school=t.school.replace({"S01": "S 01"})))
    check = ai.validate_study(d)
    errs = [str(f) for f in check.errors]
    warns = [str(f) for f in check.warnings]
    assert any("school 's03'" in e and "did you mean 'S03'" in e and "row " in e for e in errs)
    assert any(
        "school 'S 01'" in e and "did you mean 'S01'" in e and "codings.csv" in e and "row " in e
        for e in errs
    )
    assert any("school 'S12'" in e and "responses.csv" in e and "add a row for 'S12'" in e for e in errs)
    assert any("school 'S12'" in e and "roster.csv" in e for e in errs)
    assert any("'S04' is in district 'D9' here but 'D1'" in e for e in errs)
    assert any(
        "23 responses but 2 invited" in e and "roster.csv, row" in e and "column 'invited'" in e for e in errs
    )
    assert any("school 'S05', role 'leader', wave 'baseline' have no roster row" in w for w in warns)
    # every finding names the file and gives a fix
    assert all(". Fix: " in str(f) and str(f).split(": ", 1)[1].startswith("file ") for f in check.findings)


def test_report_refuses_errors_and_prints_warnings(sample, tmp_path, capsys):
    d = _copy(sample, tmp_path)
    _edit(d / "schools.csv", lambda t: t.assign(school=t.school.replace({"S02": "s2"})))
    out = tmp_path / "reports"
    assert main(["report", "--data", str(d), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "nothing was rendered" in err and "did you mean 's2'" in err
    assert not out.exists()
    # a warning only: the report renders and the warning is printed
    d2 = _copy(sample, tmp_path / "w")
    _edit(
        d2 / "roster.csv",
        lambda t: pd.concat(
            [
                t,
                pd.DataFrame(
                    [
                        {
                            "school": "S01",
                            "district": "D1",
                            "role": "district",
                            "wave": "followup",
                            "invited": "3",
                        }
                    ]
                ),
            ]
        ),
    )
    check = ai.validate_study(d2)
    assert check.ok and any("no responses" in str(w) for w in check.warnings)


def test_roster_without_invited_is_a_roster(tmp_path):
    p = tmp_path / "staff.csv"
    p.write_text("school,district,role,wave\nS01,D1,teacher,baseline\n", encoding="utf-8")
    msgs = [str(q) for q in ai.validate_file(p)]
    assert len(msgs) == 1 and "'invited'" in msgs[0] and "missing" in msgs[0]


def test_missing_config_and_folder_messages(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert "study config is missing" in capsys.readouterr().out


def test_natural_key():
    assert sorted(["S10", "S2", "S1"], key=ai.natural_key) == ["S1", "S2", "S10"]
    assert sorted(["10", "2", "1"], key=ai.natural_key) == ["1", "2", "10"]
