"""Qualitative module: reading, REFI-QDA, validation, tallies, agreement, quotes, joint display.

The small coded corpus in tests/fixtures/qual (and the inline examples here) were coded with the
instrument 1.0.0 codebook, so these tests run with 1.0.0 as the default (the ``instrument_1_0_0``
fixture, and an explicit ``"1.0.0"`` in module-scoped fixtures, which are built before it); the
readers and tallies behave the same for both versions. The bundled sample (data/codings.csv) and its
fixture were coded with the instrument named in data/study.yaml (2.0.0) and are read with it; the
.qdc fixture is the 2.0.0 codebook, which fills every field, negative examples included.
"""

from __future__ import annotations

import io
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import assetinv
from assetinv import DataError
from assetinv.agreement import (
    AgreementWarning,
    bootstrap_ci,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from assetinv.figures import joint_display_figure  # a figure: the report layer
from assetinv.qualitative import (
    ALL_CODES,
    NO_CODE,
    code_tallies,
    coder_agreement,
    cooccurrence,
    disagreements,
    exemplar_quotes,
    joint_display,
    read_codings,
    read_qdc,
    read_qdpx,
    redact,
    validate_codings,
    write_qdc,
    write_qdpx,
)

FIX = Path(__file__).parent / "fixtures" / "qual"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "codings.csv"
#: the instrument the bundled sample was coded with (data/study.yaml names it)
SAMPLE_INSTRUMENT = str(
    yaml.safe_load((SAMPLE.parent / "study.yaml").read_text(encoding="utf-8"))["instrument"]
)
FIXTURE_INSTRUMENT = "1.0.0"  # the codebook of tests/fixtures/qual/codings.*
QDC_INSTRUMENT = "2.0.0"  # the codebook of tests/fixtures/qual/codebook.qdc
NS = "{urn:QDA-XML:project:1.0}"

pytestmark = pytest.mark.usefixtures("instrument_1_0_0")


@pytest.fixture(scope="module")
def codings():
    return read_codings(FIX / "codings.csv", FIXTURE_INSTRUMENT)


def _write(tmp_path, text, name="c.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


HEADER = "excerpt_id,interview_id,school,role,coder,code,text\n"


# ====================================================================== reading
def test_public_api():
    for name in [
        "read_codings",
        "read_qdpx",
        "write_qdpx",
        "read_qdc",
        "write_qdc",
        "code_tallies",
        "cooccurrence",
        "coder_agreement",
        "exemplar_quotes",
        "redact",
        "joint_display",
        "validate_codings",
        "disagreements",
        "joint_display_figure",
    ]:
        assert callable(getattr(assetinv, name)), name


def test_read_csv_layout(codings):
    assert list(codings.columns) == [
        "excerpt_id",
        "interview_id",
        "school",
        "role",
        "coder",
        "code",
        "text",
        "exemplary",
        "valence",
    ]
    assert codings["exemplary"].dtype == bool
    assert codings.attrs["source"].startswith("codings.csv sha256:")
    assert codings.attrs["instrument_version"] == assetinv.load_instrument().version == FIXTURE_INSTRUMENT
    # sorted, deterministic
    key = codings[["interview_id", "excerpt_id", "coder", "code"]].apply(tuple, axis=1).tolist()
    assert key == sorted(key)


def test_read_is_independent_of_row_order(tmp_path, codings):
    raw = pd.read_csv(FIX / "codings.csv", dtype=str, keep_default_na=False)
    raw.sample(frac=1, random_state=3).to_csv(tmp_path / "shuffled.csv", index=False)
    pd.testing.assert_frame_equal(read_codings(tmp_path / "shuffled.csv"), codings)


def test_xlsx_equals_csv(codings):
    pd.testing.assert_frame_equal(read_codings(FIX / "codings.xlsx"), codings)


def test_labels_and_names_are_normalised(tmp_path):
    p = _write(
        tmp_path,
        HEADER + "e1,i1,S1,School leader,ana,expertise shared between colleagues,x\n"
        "e1,i1,S1,School leader,ben,ex-share,x\n",
    )
    c = read_codings(p)
    assert c["code"].tolist() == ["EX-SHARE", "EX-SHARE"]
    assert c["role"].unique().tolist() == ["leader"]


# ====================================================================== validation
def test_validation_collects_all_problems_with_rows_and_columns():
    with pytest.raises(DataError) as ei:
        read_codings(FIX / "bad_codings.csv")
    probs = ei.value.problems
    got = {(p.row, p.column) for p in probs}
    assert (3, "interview_id") in got  # excerpt without interview
    assert (4, "coder") in got  # coder missing
    assert (5, "code") in got  # unknown code
    assert (6, None) in got  # duplicate of row 2
    assert (7, "role") in got
    msg = str(ei.value)
    assert "bad_codings.csv" in msg
    assert "did you mean EX-SHARE" in msg
    assert "already given in row 2" in msg
    assert validate_codings(FIX / "bad_codings.csv") == probs
    assert validate_codings(FIX / "codings.csv") == []


def test_validation_missing_column_and_unknown_file(tmp_path):
    p = _write(tmp_path, "excerpt_id,interview_id,school,role,code,text\ne1,i1,S1,teacher,EX-SHARE,x\n")
    probs = validate_codings(p)
    assert len(probs) == 1 and probs[0].column == "coder" and probs[0].row == 1
    assert "not found" in str(validate_codings(tmp_path / "nope.csv")[0])
    bad = _write(tmp_path, "x", "c.json")
    assert ".qdpx" in str(validate_codings(bad)[0])


def test_validation_inconsistent_interview_and_excerpt(tmp_path):
    p = _write(
        tmp_path,
        HEADER + "e1,i1,S1,teacher,ana,EX-SHARE,x\n"
        "e2,i1,S2,teacher,ana,EX-SHARE,y\n"
        "e1,i2,S1,teacher,ben,EX-SHARE,x\n",
    )
    msgs = [str(p) for p in validate_codings(p)]
    assert any("interview 'i1' is school 'S2'" in m and "row 3" in m for m in msgs)
    assert any("excerpt 'e1' is in interview 'i2'" in m and "row 4" in m for m in msgs)


def test_validation_xlsx_rows(tmp_path):
    df = pd.DataFrame(
        {
            "excerpt_id": ["e1", "e2"],
            "interview_id": ["i1", "i1"],
            "school": ["S1", "S1"],
            "role": ["teacher", "teacher"],
            "coder": ["ana", "ana"],
            "code": ["EX-SHARE", "OS-PLCC"],
            "text": ["a", "b"],
        }
    )
    df.to_excel(tmp_path / "c.xlsx", index=False)
    (p,) = validate_codings(tmp_path / "c.xlsx")
    assert (p.row, p.column) == (3, "code") and "OS-PLC" in p.fix


def test_exemplary_parsing(tmp_path):
    p = _write(
        tmp_path,
        HEADER.strip() + ",exemplary\n" + "e1,i1,S1,teacher,ana,EX-SHARE,x,yes\n"
        "e2,i1,S1,teacher,ana,EX-SHARE,x,\ne3,i1,S1,teacher,ana,EX-SHARE,x,maybe\n",
    )
    (prob,) = validate_codings(p)
    assert prob.row == 4 and prob.column == "exemplary"


# ====================================================================== REFI-QDA
def test_qdpx_fixture_round_trips_byte_for_byte(tmp_path, codings):
    out = write_qdpx(codings, tmp_path / "p.qdpx")
    assert out.read_bytes() == (FIX / "codings.qdpx").read_bytes()
    back = read_qdpx(FIX / "codings.qdpx")
    pd.testing.assert_frame_equal(back.reset_index(drop=True), codings.reset_index(drop=True))


def test_qdpx_structure_follows_refi_schema(codings):
    with zipfile.ZipFile(FIX / "codings.qdpx") as zf:
        names = zf.namelist()
        root = ET.fromstring(zf.read("project.qde"))
        assert all(zf.getinfo(n).date_time == (1980, 1, 1, 0, 0, 0) for n in names)
        assert root.tag == f"{NS}Project"
        assert [c.tag.replace(NS, "") for c in root] == [
            "Users",
            "CodeBook",
            "Variables",
            "Cases",
            "Sources",
            "Notes",
        ]
        users = {u.get("name") for u in root.iter(f"{NS}User")}
        assert users == set(codings["coder"])
        codes = {c.get("name") for c in root.iter(f"{NS}Code") if c.get("isCodable") == "true"}
        assert set(codings["code"]) <= codes
        sources = list(root.iter(f"{NS}TextSource"))
        assert {s.get("name") for s in sources} == set(codings["interview_id"])
        s = sources[0]
        text = zf.read("Sources/" + s.get("plainTextPath").split("://")[1]).decode()
        for sel in s.iter(f"{NS}PlainTextSelection"):
            ex = sel.get("name")
            want = codings.loc[codings["excerpt_id"] == ex, "text"].iloc[0]
            assert text[int(sel.get("startPosition")) : int(sel.get("endPosition"))] == want
            for coding in sel.iter(f"{NS}Coding"):
                assert coding.find(f"{NS}CodeRef").get("targetGUID")
        vv = root.find(f"{NS}Cases/{NS}Case/{NS}VariableValue")
        assert vv.find(f"{NS}VariableRef") is not None and vv.find(f"{NS}TextValue") is not None


def test_sample_data_round_trips_through_qdpx(tmp_path):
    if not SAMPLE.exists():
        pytest.skip("data/codings.csv not generated yet")
    c = read_codings(SAMPLE, SAMPLE_INSTRUMENT)
    back = read_qdpx(write_qdpx(c, tmp_path / "sample.qdpx", SAMPLE_INSTRUMENT), SAMPLE_INSTRUMENT)
    pd.testing.assert_frame_equal(back, c.reset_index(drop=True), check_like=False)
    again = write_qdpx(c, tmp_path / "again.qdpx", SAMPLE_INSTRUMENT)
    assert again.read_bytes() == (tmp_path / "sample.qdpx").read_bytes()


def test_sample_qdpx_fixture_round_trips(tmp_path):
    fx = FIX / "sample_codings.qdpx"
    c = read_qdpx(fx, SAMPLE_INSTRUMENT)
    assert len(c) > 100 and c["coder"].nunique() == 2
    # the table read from the fixture writes back to the very same bytes
    assert write_qdpx(c, tmp_path / "again.qdpx", SAMPLE_INSTRUMENT).read_bytes() == fx.read_bytes()
    if SAMPLE.exists():
        data = read_codings(SAMPLE, SAMPLE_INSTRUMENT)
        if len(data) == len(c) and (data["excerpt_id"].values == c["excerpt_id"].values).all():
            pd.testing.assert_frame_equal(c, data.reset_index(drop=True))


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="exported by another tool">
  <Users>
    <User guid="00000000-0000-0000-0000-000000000001" name="Ana R"/>
    <User guid="00000000-0000-0000-0000-000000000002" name="Ben T"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="00000000-0000-0000-0000-0000000000a1" name="Expertise" isCodable="false">
      <Code guid="00000000-0000-0000-0000-0000000000a2" name="Expertise shared between colleagues" isCodable="true"/>
    </Code>
    <Code guid="00000000-0000-0000-0000-0000000000a3" name="OS-PLC" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="00000000-0000-0000-0000-0000000000b1" name="Site" typeOfVariable="Text"/>
    <Variable guid="00000000-0000-0000-0000-0000000000b2" name="Role" typeOfVariable="Text"/>
  </Variables>
  <Sources>
    <TextSource guid="00000000-0000-0000-0000-0000000000c1" name="Interview 7">
      <PlainTextContent>We plan together. Ask Ms. Lee about labs.</PlainTextContent>
      <PlainTextSelection guid="00000000-0000-0000-0000-0000000000d1" startPosition="0" endPosition="17"
          creatingUser="00000000-0000-0000-0000-000000000001">
        <Coding guid="00000000-0000-0000-0000-0000000000e1">
          <CodeRef targetGUID="00000000-0000-0000-0000-0000000000a3"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="00000000-0000-0000-0000-0000000000d2" startPosition="0" endPosition="17"
          creatingUser="00000000-0000-0000-0000-000000000002">
        <Coding guid="00000000-0000-0000-0000-0000000000e2" creatingUser="00000000-0000-0000-0000-000000000002">
          <CodeRef targetGUID="00000000-0000-0000-0000-0000000000a3"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="00000000-0000-0000-0000-0000000000d3" startPosition="18" endPosition="41"
          creatingUser="00000000-0000-0000-0000-000000000001">
        <Coding guid="00000000-0000-0000-0000-0000000000e3">
          <CodeRef targetGUID="00000000-0000-0000-0000-0000000000a2"/>
        </Coding>
      </PlainTextSelection>
      <VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-0000000000b1"/><TextValue>S09</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-0000000000b2"/><TextValue>Teacher</TextValue></VariableValue>
    </TextSource>
  </Sources>
</Project>
"""


def test_read_qdpx_from_another_tool(tmp_path):
    p = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("project.qde", FOREIGN)
    c = read_qdpx(p)
    assert c["interview_id"].unique().tolist() == ["Interview 7"]
    assert c["school"].unique().tolist() == ["S09"] and c["role"].unique().tolist() == ["teacher"]
    # two users' selections over the same span are one excerpt
    first = c[c["text"] == "We plan together."]
    assert first["excerpt_id"].nunique() == 1 and sorted(first["coder"]) == ["Ana R", "Ben T"]
    assert first["excerpt_id"].iloc[0] == "Interview 7#0-17"
    second = c[c["excerpt_id"] == "Interview 7#18-41"]
    assert second["code"].tolist() == ["EX-SHARE"] and second["text"].iloc[0] == "Ask Ms. Lee about labs."


def test_qdpx_problems_name_the_selection(tmp_path):
    bad = FOREIGN.replace('name="OS-PLC"', 'name="OS-PLCX"').replace(
        '<Coding guid="00000000-0000-0000-0000-0000000000e1">',
        '<Coding guid="00000000-0000-0000-0000-0000000000e1" creatingUser="00000000-0000-0000-0000-000000000009">',
    )
    bad = bad.replace(
        'creatingUser="00000000-0000-0000-0000-000000000001">\n        <Coding guid="00000000-0000-0000-0000-0000000000e1"',
        '>\n        <Coding guid="00000000-0000-0000-0000-0000000000e1"',
    )
    p = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("project.qde", bad)
    with pytest.raises(DataError) as ei:
        read_qdpx(p)
    msg = str(ei.value)
    assert "bad.qdpx" in msg and "selection 'Interview 7#0-17'" in msg
    assert "unknown code 'OS-PLCX'" in msg and "did you mean OS-PLC" in msg
    assert "coder is missing" in msg
    notzip = tmp_path / "x.qdpx"
    notzip.write_text("hello")
    assert "zip" in str(validate_codings(notzip)[0])


def test_qdc_round_trip_and_schema(tmp_path):
    cb = assetinv.load_instrument(QDC_INSTRUMENT).codebook.reset_index(drop=True)
    assert (cb["negative_example"] != "").any()  # so the round trip below carries them
    # the .qdc carries every codebook field, including domain, valence and negative_example (instrument 2.0.0)
    out = write_qdc(assetinv.load_instrument(QDC_INSTRUMENT), tmp_path / "cb.qdc")
    assert out.read_bytes() == (FIX / "codebook.qdc").read_bytes()
    root = ET.fromstring(out.read_bytes())
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    pd.testing.assert_frame_equal(read_qdc(out), cb)
    # the codebook inside a project file (written with the codebook its codings used)
    cb = assetinv.load_instrument(FIXTURE_INSTRUMENT).codebook.reset_index(drop=True)
    got = read_qdc(FIX / "codings.qdpx")
    pd.testing.assert_frame_equal(got[got["id"].isin(cb["id"])].reset_index(drop=True), cb)


def test_qdc_from_plain_description(tmp_path):
    p = tmp_path / "other.qdc"
    p.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="00000000-0000-0000-0000-000000000001" name="Trust" isCodable="true">'
        "<Description>Colleagues rely on each other.</Description></Code></Codes></CodeBook>"
    )
    t = read_qdc(p)
    assert t.loc[0, "id"] == "Trust" and t.loc[0, "definition"] == "Colleagues rely on each other."
    with pytest.raises(DataError):
        read_qdc(FIX / "codings.csv")


# ====================================================================== tallies
def test_tallies_match_independent_crosstab(codings):
    t = code_tallies(codings, by="school", min_n=1, include_zero=False)
    real = codings[codings["code"] != NO_CODE]
    ex = pd.crosstab(
        real.drop_duplicates(["excerpt_id", "code"])["code"],
        real.drop_duplicates(["excerpt_id", "code"])["school"],
    )
    itv = pd.crosstab(
        real.drop_duplicates(["interview_id", "code"])["code"],
        real.drop_duplicates(["interview_id", "code"])["school"],
    )
    n_int = codings.groupby("school")["interview_id"].nunique()
    n_ex = codings.groupby("school")["excerpt_id"].nunique()
    for r in t.itertuples():
        assert r.n_excerpts == ex.loc[r.code, r.school]
        assert r.n_interviews == itv.loc[r.code, r.school]
        assert r.n == n_int[r.school]
        assert r.share_interviews == pytest.approx(itv.loc[r.code, r.school] / n_int[r.school])
        assert r.share_excerpts == pytest.approx(ex.loc[r.code, r.school] / n_ex[r.school])
    assert len(t) == int((ex > 0).sum().sum())


def test_tallies_by_role_domain_and_suppression(codings):
    t = code_tallies(codings, by="role", level="domain", min_n=5)
    leader = t[t["role"] == "leader"]
    assert leader["n_excerpts"].isna().all() and (leader["suppressed"] != "").all()
    # the network total is published too, so the only other role is hidden as well (no subtraction)
    teacher = t[(t["role"] == "teacher") & (t["domain"] == "EX")].iloc[0]
    assert pd.isna(teacher["n_excerpts"]) and teacher["suppressed"].startswith("complementary suppression")
    shown = code_tallies(codings, by="role", level="domain", min_n=1)
    teacher = shown[(shown["role"] == "teacher") & (shown["domain"] == "EX")].iloc[0]
    real = codings[(codings["code"] != NO_CODE) & (codings["role"] == "teacher")]
    ex_codes = assetinv.load_instrument().codebook.query("group == 'EX'")["id"]
    assert teacher["n_excerpts"] == real[real["code"].isin(ex_codes)]["excerpt_id"].nunique()
    assert teacher["suppressed"] == ""


def test_tallies_sorting_zero_rows_and_network(codings):
    t = code_tallies(codings, by=None, min_n=1)
    assert len(t) == len(assetinv.load_instrument().codebook)  # zero codes kept
    assert t["n_excerpts"].is_monotonic_decreasing
    cb = code_tallies(codings, by=None, min_n=1, sort="codebook")
    assert cb["code"].tolist() == assetinv.load_instrument().codebook["id"].tolist()
    s = code_tallies(codings, by=["school", "role"], min_n=1)
    assert set(s.columns) >= {"school", "role", "code"}
    one = code_tallies(codings, by=None, coder="ben", min_n=1, include_zero=False)
    assert one["n_excerpts"].sum() == codings[(codings.coder == "ben") & (codings.code != NO_CODE)].shape[0]


def test_tallies_feed_scoring_recommend_columns(codings):
    t = code_tallies(codings, by="school")
    assert {"school", "code", "group", "n_excerpts", "n_interviews"} <= set(t.columns)


def test_cooccurrence_independent(codings):
    for within, key in (("excerpt", "excerpt_id"), ("interview", "interview_id")):
        m = cooccurrence(codings, within)
        real = codings[codings["code"] != NO_CODE].drop_duplicates([key, "code"])
        sets = real.groupby(key)["code"].agg(set)
        for a in m.index[:6]:
            for b in m.columns[:6]:
                assert m.loc[a, b] == sum(1 for s in sets if a in s and b in s)
        assert (m.to_numpy() == m.to_numpy().T).all()
    j = cooccurrence(codings, measure="jaccard")
    assert np.allclose(np.diag(j.to_numpy()), 1.0)


# ====================================================================== agreement
def _matrix(codings, code, key="excerpt_id"):
    """coders x double-coded units presence matrix, built independently with pandas."""
    cov = codings.groupby(key)["coder"].nunique()
    units = sorted(cov[cov >= 2].index)
    coders = sorted(codings["coder"].unique())
    seen = codings.groupby([key, "coder"]).size().unstack().reindex(index=units, columns=coders)
    applied = (
        codings[codings["code"] == code]
        .groupby([key, "coder"])
        .size()
        .unstack()
        .reindex(index=units, columns=coders)
    )
    m = np.where(seen.notna(), np.where(applied.notna(), 1.0, 0.0), np.nan)
    return m.T, coders


@pytest.mark.parametrize("unit,key", [("excerpt", "excerpt_id"), ("interview", "interview_id")])
def test_coder_agreement_matches_low_level_and_krippendorff_package(codings, unit, key):
    kpkg = pytest.importorskip("krippendorff")
    t = coder_agreement(codings, unit=unit, n_boot=0).set_index("code")
    worst = 0.0
    for code in t.index.drop(ALL_CODES):
        m, coders = _matrix(codings, code, key)
        row = t.loc[code]
        assert row["n_units"] == m.shape[1]
        assert row["percent_agreement"] == pytest.approx(percent_agreement(m), abs=1e-12)
        assert row["gwet_ac1"] == pytest.approx(gwet_ac1(m, categories=[0, 1]), abs=1e-12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = krippendorff_alpha(m)
            pair = [coders.index(x) for x in row["kappa_coders"].split(" & ")]
            k = cohen_kappa(m[pair[0]], m[pair[1]])
        if np.isnan(a):
            assert np.isnan(row["krippendorff_alpha"])
        else:
            ref = kpkg.alpha(reliability_data=m, level_of_measurement="nominal")
            assert row["krippendorff_alpha"] == pytest.approx(ref, abs=1e-9)
            worst = max(worst, abs(row["krippendorff_alpha"] - ref))
        if np.isnan(k):
            assert np.isnan(row["cohen_kappa"])
        else:
            assert row["cohen_kappa"] == pytest.approx(k, abs=1e-12)
    # pooled row: every code x unit decision is a unit
    mats = [_matrix(codings, c, key)[0] for c in t.index.drop(ALL_CODES)]
    pooled = np.hstack(mats)
    allrow = t.loc[ALL_CODES]
    assert allrow["krippendorff_alpha"] == pytest.approx(
        kpkg.alpha(reliability_data=pooled, level_of_measurement="nominal"), abs=1e-9
    )
    assert allrow["percent_agreement"] == pytest.approx(percent_agreement(pooled), abs=1e-12)
    assert allrow["gwet_ac1"] == pytest.approx(gwet_ac1(pooled), abs=1e-12)
    assert worst < 1e-9


def test_kappa_matches_sklearn_on_codings(codings):
    from sklearn.metrics import cohen_kappa_score

    t = coder_agreement(codings, n_boot=0).set_index("code")
    m, coders = _matrix(codings, "BAR-TIME")
    a, b = m[coders.index("ana")], m[coders.index("ben")]
    both = ~np.isnan(a) & ~np.isnan(b)
    assert t.loc["BAR-TIME", "cohen_kappa"] == pytest.approx(cohen_kappa_score(a[both], b[both]), abs=1e-12)


def test_coder_agreement_bootstrap_matches_generic_and_is_deterministic(codings):
    t1 = coder_agreement(codings, codes=["BAR-TIME"], n_boot=300, seed=9)
    t2 = coder_agreement(codings, codes=["BAR-TIME"], n_boot=300, seed=9)
    pd.testing.assert_frame_equal(t1, t2)
    m, _ = _matrix(codings, "BAR-TIME")
    lo, hi = bootstrap_ci(m, lambda d: krippendorff_alpha(d), n_boot=300, seed=9)
    row = t1.set_index("code").loc["BAR-TIME"]
    assert row["krippendorff_alpha_lo"] == pytest.approx(lo, abs=1e-9)
    assert row["krippendorff_alpha_hi"] == pytest.approx(hi, abs=1e-9)
    lo, hi = bootstrap_ci(m, lambda d: gwet_ac1(d, categories=[0, 1]), n_boot=300, seed=9)
    assert (row["gwet_ac1_lo"], row["gwet_ac1_hi"]) == pytest.approx((lo, hi), abs=1e-9)
    assert row["krippendorff_alpha_lo"] <= row["krippendorff_alpha"] <= row["krippendorff_alpha_hi"]


def _mini(rows):
    return pd.DataFrame(rows, columns=["excerpt_id", "coder", "code"]).assign(
        interview_id=lambda d: "i" + d["excerpt_id"].str[-1], school="S1", role="teacher", text="t"
    )


def test_coder_agreement_degenerate_cases():
    # a code everybody used everywhere, and a code nobody used in double-coded units
    c = _mini(
        [
            ("e1", "ana", "EX-SHARE"),
            ("e1", "ben", "EX-SHARE"),
            ("e2", "ana", "EX-SHARE"),
            ("e2", "ben", "EX-SHARE"),
            ("e3", "ana", "OS-PLC"),
        ]
    )
    t = coder_agreement(c, n_boot=50).set_index("code")
    every = t.loc["EX-SHARE"]
    assert np.isnan(every["krippendorff_alpha"]) and np.isnan(every["cohen_kappa"])
    assert every["percent_agreement"] == 1 and every["gwet_ac1"] == 1
    assert "every coder applied" in every["note"]
    nobody = t.loc["OS-PLC"]
    assert nobody["n_positive"] == 0 and "no coder applied" in nobody["note"]
    # one coder only
    with pytest.warns(AgreementWarning, match="one coder"):
        one = coder_agreement(_mini([("e1", "ana", "EX-SHARE")]), n_boot=10)
    assert one[["percent_agreement", "krippendorff_alpha"]].isna().all().all()
    assert "only one coder" in one.loc[0, "note"]
    # two coders, no excerpt coded by both
    with pytest.warns(AgreementWarning, match="no unit"):
        none = coder_agreement(_mini([("e1", "ana", "EX-SHARE"), ("e2", "ben", "EX-SHARE")]), n_boot=10)
    assert "no double-coded" in none.loc[0, "note"]


def test_no_code_rows_count_as_coded():
    c = _mini(
        [
            ("e1", "ana", "EX-SHARE"),
            ("e1", "ben", NO_CODE),
            ("e2", "ana", NO_CODE),
            ("e2", "ben", NO_CODE),
            ("e3", "ana", "EX-SHARE"),
            ("e3", "ben", "EX-SHARE"),
        ]
    )
    t = coder_agreement(c, n_boot=0).set_index("code")
    assert t.loc["EX-SHARE", "n_units"] == 3
    assert t.loc["EX-SHARE", "percent_agreement"] == pytest.approx(2 / 3)
    assert NO_CODE not in t.index


def test_coder_agreement_by_domain_pools_codes(codings):
    kpkg = pytest.importorskip("krippendorff")
    t = coder_agreement(codings, group_by="domain", n_boot=0).set_index("domain")
    ex_codes = [c for c in coder_agreement(codings, n_boot=0)["code"] if c.startswith("EX-")]
    pooled = np.hstack([_matrix(codings, c)[0] for c in ex_codes])
    assert t.loc["EX", "krippendorff_alpha"] == pytest.approx(
        kpkg.alpha(reliability_data=pooled, level_of_measurement="nominal"), abs=1e-9
    )


def test_disagreements_list(codings):
    d = disagreements(codings)
    assert {"excerpt_id", "code", "applied_by", "not_applied_by", "text"} <= set(d.columns)
    # every listed disagreement is real, and the count equals the independent count
    n = 0
    for code in codings.loc[codings.code != NO_CODE, "code"].unique():
        m, _ = _matrix(codings, code)
        n += int(((np.nansum(m == 1, 0) > 0) & (np.nansum(m == 0, 0) > 0)).sum())
    assert len(d) == n
    r = d.iloc[0]
    sub = codings[(codings.excerpt_id == r.excerpt_id) & (codings.code == r.code)]
    assert set(sub["coder"]) == set(r.applied_by.split(", "))
    di = disagreements(codings, unit="interview")
    assert (di["excerpt_id"] == "").all() and len(di) > 0


# ====================================================================== redaction
@pytest.mark.parametrize(
    "text,gone,kept",
    [
        ('She told me, "Ask Ms. Ortega, she knows fractions."', ["Ortega"], ["She told me", "fractions"]),
        ("\u201cTalk to Mr Patel,\u201d the coach said.", ["Patel"], ["the coach said"]),
        (
            "Our science coach, Dana Whitfield, sat in on my class.",
            ["Dana", "Whitfield"],
            ["Our science coach"],
        ),
        ('"Principal Jones backs us," said a teacher.', ["Jones"], ["backs us"]),
        ("I asked 'Coach Rivera' to model it.", ["Rivera"], ["to model it"]),
        (
            "Email maria.lopez@lincoln-ms.org or call 555-201-3344.",
            ["maria", "lopez", "3344"],
            ["Email", "or call"],
        ),
        (
            "My cell is (555) 201-3344 ext. 12 and office +1 555.201.9999.",
            ["201", "9999"],
            ["My cell is", "office"],
        ),
        (
            'He said "we learned a lot from Dr. Amara Okafor-Smith last year."',
            ["Amara", "Okafor"],
            ["last year"],
        ),
        (
            "We meet on Tuesday in the Science Department with Next Generation Science Standards.",
            [],
            ["Tuesday", "Science Department", "Next Generation Science Standards"],
        ),
        (
            "In the PLC, Mary Ann Lopez shared her unit.",
            ["Mary", "Ann", "Lopez"],
            ["In the PLC", "shared her unit"],
        ),
        (
            "Priya Raman set the whole thing up; her number is 555-0172.",
            ["Priya", "Raman", "0172"],
            ["set the whole"],
        ),
        ("Okay. Dan Whitfield runs it.", ["Dan", "Whitfield"], ["Okay.", "runs it"]),
        ("the team (led by Sam O'Neil) met", ["Sam", "Neil"], ["the team (led by", ") met"]),
        ("ask Ms. McDonald or Mr. D'Angelo", ["McDonald", "Angelo"], ["ask", " or "]),
        (
            "We went to New York with Jamal Carter and the Robotics Club.",
            ["Jamal", "Carter"],
            ["New York", "Robotics Club"],
        ),
        (
            "'I would ask Kim Nguyen,' she said, 'or Luis Ortiz.'",
            ["Kim", "Nguyen", "Luis", "Ortiz"],
            ["she said"],
        ),
    ],
)
def test_redact(text, gone, kept):
    out = redact(text)
    for g in gone:
        assert g not in out, out
    for k in kept:
        assert k in out, out


def test_redact_placeholders_and_roster():
    assert redact("mail a.b@c.org") == "mail [email]"
    assert redact("call 555-201-3344") == "call [phone]"
    assert redact("ask Ms. Ortega") == "ask [name]"
    out = redact('"Devon said Priya runs it," she said.', names=["Devon Price", "Priya Shah"])
    assert out == '"[name] said [name] runs it," she said.'
    assert redact(None) == ""
    assert redact("Grade 7 science") == "Grade 7 science"


def test_codebook_examples_redacted():
    ex = assetinv.load_instrument().codebook["example"]
    out = [redact(t) for t in ex]
    assert "Ortega" not in " ".join(out)


# ====================================================================== quotes
def test_exemplar_quotes_prefer_exemplary_and_are_redacted(codings):
    q = exemplar_quotes(codings, n=2)
    assert set(q["domain"]) == {"EX", "LM", "CN", "OS"}
    assert (q.groupby(["school", "domain"]).size() <= 2).all()
    for (s, d), g in q.groupby(["school", "domain"]):
        has_ex = codings[(codings.school == s) & codings.exemplary & codings.code.str.startswith(d + "-")]
        if len(has_ex):
            assert g.sort_values("rank")["exemplary"].iloc[0]
    joined = " ".join(q["quote"])
    for bad in ["Ortega", "Whitfield", "Patel", "@", "201-3344"]:
        assert bad not in joined
    assert "role" not in q.columns
    assert "role" in exemplar_quotes(codings, attribute_role=True).columns
    one = exemplar_quotes(codings, school="S01", domain="BARRIER", n=1)
    assert len(one) == 1 and one["school"].tolist() == ["S01"]
    short = exemplar_quotes(codings, max_chars=20)
    assert (short["quote"].str.len() <= 24).all()


# ====================================================================== joint display
@pytest.fixture
def profile():
    rows = []
    for s, means in {"S01": [4.2, 3.1, 2.4, 3.6], "S02": [3.0, 3.9, 3.3, 2.2], "S03": [np.nan] * 4}.items():
        for d, m in zip(["EX", "LM", "CN", "OS"], means):
            st = "" if np.isnan(m) else ("asset" if m >= 3.8 else "growth area" if m < 3 else "typical")
            rows.append({"school": s, "domain": d, "mean": m, "status": st, "n": 0 if np.isnan(m) else 12})
    return pd.DataFrame(rows)


def test_joint_display_school(profile, codings):
    # the fixture's schools have one interview per role: the site rule is switched off to test the columns
    jd = joint_display(profile, codings, school="S01", min_interviews=1)
    assert list(jd.columns[:9]) == [
        "school",
        "domain",
        "domain_name",
        "survey_mean",
        "status",
        "top_codes",
        "n_excerpts",
        "agreement",
        "exemplar_quote",
    ]
    assert jd["domain"].tolist() == ["EX", "LM", "CN", "OS"]
    ex = jd.set_index("domain").loc["EX"]
    assert ex["survey_mean"] == 4.2 and ex["status"] == "asset"
    cb = assetinv.load_instrument().codebook
    real = codings[(codings.school == "S01") & codings.code.isin(cb.query("group == 'EX'")["id"])]
    assert ex["n_excerpts"] == real["excerpt_id"].nunique()
    top = real.groupby("code")["excerpt_id"].nunique().sort_values(ascending=False)
    name = dict(zip(cb["id"], cb["name"]))[top.index[0]]
    assert ex["top_codes"].startswith(f"{name} ({top.iloc[0]})")
    ag = coder_agreement(codings, group_by="domain", n_boot=0).set_index("domain")
    assert ex["agreement"] == pytest.approx(ag.loc["EX", "krippendorff_alpha"])
    assert "Whitfield" not in " ".join(jd["exemplar_quote"])
    assert "survey mean 4.20" in ex["evidence"] and "excerpt" in ex["evidence"]
    # suppressed survey stays suppressed
    s3 = joint_display(profile, codings, school="S03", min_interviews=1)
    assert s3["survey_mean"].isna().all() and (s3["n_excerpts"] > 0).all()
    assert "suppressed" in s3["evidence"].iloc[0]


def test_joint_display_network_and_agreement_input(profile, codings):
    net = joint_display(profile, codings)
    assert (net["school"] == "(network)").all()
    assert net.set_index("domain").loc["EX", "survey_mean"] == pytest.approx((4.2 + 3.0) / 2)
    assert "of 3 schools" in net["status"].iloc[0]
    assert net["n_excerpts"].sum() >= joint_display(profile, codings, school="S01")["n_excerpts"].sum()
    custom = joint_display(profile, codings, agreement={"EX": 0.5}, school="S01")
    assert custom.set_index("domain").loc["EX", "agreement"] == 0.5
    assert np.isnan(custom.set_index("domain").loc["LM", "agreement"])
    with_net = pd.concat(
        [profile, pd.DataFrame([{"school": "(network)", "domain": "EX", "mean": 3.3, "status": "typical"}])]
    )
    assert joint_display(with_net, codings).set_index("domain").loc["EX", "survey_mean"] == 3.3


def test_joint_display_figure(profile, codings):
    jd = joint_display(profile, codings, school="S01")
    fig = joint_display_figure(jd)
    assert fig.alt_text.startswith("Joint display for S01")
    for d in jd["domain_name"]:
        assert d in fig.alt_text
    assert "4.20" in fig.alt_text
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    fig2 = joint_display_figure(joint_display(profile, codings, school="S03"))
    assert "suppressed" in fig2.alt_text


# ====================================================================== simulated sample
@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if SAMPLE.exists():
        return read_codings(SAMPLE, SAMPLE_INSTRUMENT)
    d = tmp_path_factory.mktemp("sample")
    assetinv.simulate_study(2026, instrument=SAMPLE_INSTRUMENT).codings.to_csv(d / "codings.csv", index=False)
    return read_codings(d / "codings.csv", SAMPLE_INSTRUMENT)


def test_simulated_sample_reads_round_trips_and_redacts(sample, tmp_path):
    back = read_qdpx(write_qdpx(sample, tmp_path / "s.qdpx", SAMPLE_INSTRUMENT), SAMPLE_INSTRUMENT)
    pd.testing.assert_frame_equal(back, sample.reset_index(drop=True))
    q = exemplar_quotes(sample, n=50, instrument=SAMPLE_INSTRUMENT)
    assert len(q)
    joined = " ".join(q["quote"])
    for bad in [
        "@",
        "Whitfield",
        "Raman",
        "Okafor",
        "Delgado",
        "014-2398",
        "555-0172",
        "Lindqvist",
        "Morales",
    ]:
        assert bad not in joined, bad
    t = coder_agreement(sample, n_boot=200, seed=1, instrument=SAMPLE_INSTRUMENT)
    assert t.loc[0, "code"] == ALL_CODES and t.loc[0, "n_coders"] == 2
    assert (
        t["krippendorff_alpha_lo"]
        .le(t["krippendorff_alpha"])
        .where(t["krippendorff_alpha"].notna(), True)
        .all()
    )


def test_empty_codings_are_handled():
    e = pd.DataFrame(columns=["excerpt_id", "interview_id", "school", "role", "coder", "code", "text"])
    prof = pd.DataFrame({"school": ["S1"], "domain": ["EX"], "mean": [4.0], "status": ["asset"]})
    assert code_tallies(e).empty and cooccurrence(e).empty and disagreements(e).empty
    assert exemplar_quotes(e).empty
    a = coder_agreement(e, n_boot=10)
    assert a.loc[0, "note"] == "no codings"
    jd = joint_display(prof, e, school="S1")
    assert jd.loc[0, "n_excerpts"] == 0 and jd.loc[0, "exemplar_quote"] == ""
    assert "no interview excerpts" in jd.loc[0, "evidence"]
    assert joint_display_figure(jd).alt_text


def test_joint_display_hides_interview_evidence_of_a_single_interview_school():
    """A school with one interview shows no code counts or quote (MIN_INTERVIEWS = 2)."""
    prof = pd.DataFrame(
        {
            "school": ["S1", "S1"],
            "domain": ["EX", "OS"],
            "mean": [4.2, 2.6],
            "status": ["asset", "growth area"],
        }
    )
    one = pd.DataFrame(
        {
            "excerpt_id": ["e1"],
            "interview_id": ["i1"],
            "school": ["S1"],
            "role": ["leader"],
            "coder": ["ana"],
            "code": ["EX-SHARE"],
            "text": ["We trade lab kits every month."],
        }
    )
    jd = joint_display(prof, one, school="S1")
    assert jd["n_excerpts"].isna().all()
    assert (jd["top_codes"] == "").all() and (jd["exemplar_quote"] == "").all()
    assert (jd["interviews_suppressed"] == "fewer than 2 interviews").all()
    assert "suppressed" in jd.loc[0, "evidence"] and "lab kits" not in jd.loc[0, "evidence"]
    pair = pd.concat([one, one.assign(excerpt_id="e2", interview_id="i2", role="teacher")], ignore_index=True)
    hidden = joint_display(prof, pair, school="S1")  # one leader and one teacher: the leader is identifiable
    assert hidden["n_excerpts"].isna().all() and "single leader" in hidden.loc[0, "interviews_suppressed"]
    two = pd.concat(
        [one.assign(role="teacher"), one.assign(excerpt_id="e2", interview_id="i2", role="teacher")],
        ignore_index=True,
    )
    shown = joint_display(prof, two, school="S1")
    assert shown.loc[0, "n_excerpts"] == 2 and shown.loc[0, "interviews_suppressed"] == ""
    fig = joint_display_figure(jd)
    assert "suppressed" in fig.alt_text


def test_code_tallies_protect_a_lone_single_interview_school_from_subtraction():
    """One school under the interview minimum: a second school is hidden so the network total can't reveal it."""
    rows = []
    for school, interviews in (("S1", 1), ("S2", 2), ("S3", 3)):
        for i in range(interviews):
            rows.append(
                {
                    "excerpt_id": f"{school}-e{i}",
                    "interview_id": f"{school}-i{i}",
                    "school": school,
                    "role": "teacher",
                    "coder": "ana",
                    "code": "EX-SHARE",
                    "text": "We share lab kits.",
                }
            )
    t = code_tallies(pd.DataFrame(rows), by="school", include_zero=False)
    by_school = t.set_index("school")
    assert by_school.loc["S1", "suppressed"] == "fewer than 2 interviews"
    assert by_school.loc["S2", "suppressed"].startswith("complementary suppression")
    assert by_school.loc[["S1", "S2"], ["n", "n_excerpts", "share_excerpts"]].isna().all().all()
    assert by_school.loc["S3", "n_excerpts"] == 3 and by_school.loc["S3", "suppressed"] == ""
