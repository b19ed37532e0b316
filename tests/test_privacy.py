"""Privacy scan of every rendered output (HTML, CSV, XLSX).

Reports are rendered from the bundled sample and from generated networks with
many small groups (6-12 respondents per school, one or two districts per few
schools, leaders in groups around the minimum). Every output is then scanned:

* no respondent id from the input appears anywhere;
* no personal name, e-mail address or phone number planted in the interview
  excerpts (by the generator, and by this test) appears anywhere;
* structurally, in every table under ``tables/`` (and the same sheet of the
  workbook): each group whose input size is under ``min_n`` keeps its row with
  blank statistics and a reason in ``suppressed``;
* by subtraction: wherever a parent total is shown (network beside schools or
  districts, district beside schools, network tallies beside school tallies,
  the data-quality row count beside participation), the suppressed children
  with data number 0 or at least 2 and together hold at least ``min_n``
  respondents (or interviews), so no suppressed cell can be solved for;
* figures: the heat map labels every suppressed cell "suppressed".

See docs/privacy.md for the rules these checks enforce.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetinv.privacy import MIN_INTERVIEWS
from assetinv.report import build_reports, default_data_dir

openpyxl = pytest.importorskip("openpyxl")

PLANTED = {
    # text appended to excerpts -> strings that must never appear in an output
    "Ask Ms. Quintero about it, she keeps the binder.": ["Quintero"],
    "Write to jane.doe@school.org for the notes.": ["jane.doe@school.org", "jane.doe"],
    "Call me at (412) 555-0199 after school.": ["555-0199", "(412) 555-0199"],
    "Marcus Featherstone runs the robotics club.": ["Featherstone"],
    "You can also ring 412-555-0123 ext. 12.": ["555-0123"],
}
GENERATOR_PII = [  # what assetinv.simulate plants (see _PII_SENTENCES and the name pool)
    "Dan Whitfield",
    "Whitfield",
    "dan.whitfield@",
    "mr.delgado@",
    "Delgado",
    "Okafor",
    "Priya Raman",
    "Raman",
    "014-2398",
    "555-0172",
    "Banerjee",
    "Haddad",
    "Lindqvist",
    "Morales",
]
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")
PHONE = re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b|\b555[ .-]\d{4}\b")


# ------------------------------------------------------------------ fixtures
def _plant(data: Path) -> None:
    """Append planted PII to excerpts (same text for every coder of an excerpt)."""
    path = data / "codings.csv"
    cod = pd.read_csv(path, dtype=str, keep_default_na=False)
    ids = sorted(cod["excerpt_id"].unique())
    sentences = list(PLANTED)
    extra = {eid: sentences[i % len(sentences)] for i, eid in enumerate(ids)}
    cod["text"] = [f"{t} {extra[e]}" for t, e in zip(cod["text"], cod["excerpt_id"])]
    cod.to_csv(path, index=False, lineterminator="\n")


def _render(data: Path, out: Path, min_n: int | None = None) -> Path:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # tiny matrices: BLAS threads only add overhead
        build_reports(data, out, min_n=min_n, jobs=1, progress=False)
    return out


NETWORKS = {
    # name: (simulate kwargs, min_n)
    # 15 interviews over 8 schools: S08 has a single interview (its themes must stay hidden)
    "small": (
        dict(
            seed=7, n_schools=8, n_districts=2, respondents_per_school=7, waves=("baseline",), n_interviews=15
        ),
        None,
    ),
    # leaders close to min_n: some schools show their gap, their district siblings must not leak
    "leaders": (
        dict(
            seed=1,
            n_schools=4,
            n_districts=2,
            respondents_per_school=12,
            leader_share=0.45,
            waves=("baseline",),
            n_interviews=8,
        ),
        None,
    ),
    # three districts, two waves, a higher minimum: many suppressed cells and one lone district
    "waves": (
        dict(
            seed=5,
            n_schools=6,
            n_districts=3,
            respondents_per_school=8,
            leader_share=0.3,
            district_staff_per_district=3,
            n_interviews=18,
        ),
        6,
    ),
}


@pytest.fixture(scope="module", params=["sample", *NETWORKS])
def rendered(request, tmp_path_factory):
    from assetinv.simulate import write_sample

    name = request.param
    base = tmp_path_factory.mktemp(f"privacy-{name}")
    data = base / "data"
    if name == "sample":
        shutil.copytree(default_data_dir(), data)
        min_n = None
    else:
        kw, min_n = NETWORKS[name]
        write_sample(data, **kw)
    _plant(data)
    out = _render(data, base / "out", min_n=min_n)
    return _Study(name, data, out, min_n)


class _Study:
    def __init__(self, name: str, data: Path, out: Path, min_n: int | None):
        import yaml

        from assetinv.instrument import load_instrument
        from assetinv.io import read_responses
        from assetinv.scoring import score_domains

        self.name, self.data, self.out = name, data, out
        cfg = yaml.safe_load((data / "study.yaml").read_text())
        self.min_n = int(min_n if min_n is not None else cfg.get("min_n") or 5)
        self.inst = load_instrument()
        self.domains = list(self.inst.domains["id"])
        self.raw = pd.read_csv(data / "responses.csv", dtype={"respondent_id": str})
        self.scores = score_domains(read_responses(data / "responses.csv", self.inst), self.inst)
        self.codings = pd.read_csv(data / "codings.csv", dtype=str, keep_default_na=False)
        self.schools = pd.read_csv(data / "schools.csv", dtype=str)
        self.tables = {
            p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""])
            for p in sorted((out / "tables").glob("*.csv"))
        }

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            pytest.skip(f"{name} not rendered")
        return self.tables[name]

    # input group sizes ------------------------------------------------------
    def n_scored(self, domain: str, *, wave=None, roles=("teacher", "leader"), by=("school",)) -> pd.Series:
        s = self.scores
        m = s["role"].astype(str).isin(roles) & s[domain].notna()
        if wave is not None:
            m &= s["wave"].astype(str) == wave
        return s[m].groupby([s.loc[m, c].astype(str) for c in by]).size() if by else pd.Series([int(m.sum())])


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and v.strip() == "")


def _suppressed(row) -> bool:
    return not _blank(row.get("suppressed"))


def _assert_blank(row, cols, what):
    shown = {c: row[c] for c in cols if c in row and not _blank(row[c])}
    assert not shown, f"{what}: suppressed row shows {shown}"


def _no_lone_cell(children: list[tuple[str, float]], min_n: int, what: str) -> None:
    """children: (label, input count) of the SUPPRESSED children of a SHOWN parent."""
    live = [(k, n) for k, n in children if n > 0]
    if not live:
        return
    assert len(live) >= 2, (
        f"{what}: {live[0][0]} is the only suppressed group and can be recovered by subtraction"
    )
    tot = sum(n for _, n in live)
    assert tot >= min_n, (
        f"{what}: suppressed groups {live} together hold {tot} < {min_n} and can be recovered"
    )


STAT_COLS_PROFILE = [
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_low",
    "diff_high",
    "rank",
    "pct_favourable",
]


# ------------------------------------------------------------------ identifiers and PII
def _output_texts(out: Path):
    for p in sorted(out.rglob("*")):
        if p.suffix in (".html", ".csv", ".json"):
            yield p, p.read_text(encoding="utf-8")
        elif p.suffix == ".xlsx":
            wb = openpyxl.load_workbook(p, read_only=True)
            cells = []
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    cells.extend("" if v is None else str(v) for v in row)
            wb.close()
            yield p, "\n".join(cells)


def test_outputs_complete(rendered):
    out = rendered.out
    assert (out / "index.html").is_file() and (out / "network.html").is_file()
    assert (out / "assetinv_tables.xlsx").is_file()
    ids = set(rendered.schools["school"])
    assert {p.stem for p in (out / "schools").glob("*.html")} == ids | {f"{s}-summary" for s in ids}
    assert not [p for p in out.parent.iterdir() if ".tmp-" in p.name], "temporary render folder left behind"


def test_no_respondent_ids(rendered):
    ids = set(rendered.raw["respondent_id"].astype(str))
    assert ids
    for path, text in _output_texts(rendered.out):
        hits = ids & set(re.findall(r"[A-Za-z0-9_-]+", text))
        assert not hits, f"{path.name} contains respondent id(s) {sorted(hits)[:5]}"


def test_no_names_or_contact_details(rendered):
    planted = [s for v in PLANTED.values() for s in v] + GENERATOR_PII
    for path, text in _output_texts(rendered.out):
        plain = re.sub(r"<style.*?</style>", "", text, flags=re.S) if path.suffix == ".html" else text
        import html as _html

        plain = _html.unescape(plain)
        for s in planted:
            assert re.search(rf"(?<![A-Za-z]){re.escape(s)}", plain) is None, f"{path.name} contains {s!r}"
        mails = [m for m in EMAIL.findall(plain) if not m.endswith((".css", ".svg", ".png"))]
        assert not mails, f"{path.name} contains e-mail address(es) {mails[:3]}"
        phones = PHONE.findall(plain)
        assert not phones, f"{path.name} contains phone number(s) {phones[:3]}"


def test_xlsx_matches_csv_tables(rendered):
    """The workbook holds exactly the CSV tables, so the structural checks cover it too."""
    wb = openpyxl.load_workbook(rendered.out / "assetinv_tables.xlsx", read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    from assetinv.table_dictionary import column_label

    assert set(sheets) == {n[:31] for n in rendered.tables} | {"data dictionary"}
    for name, df in rendered.tables.items():
        rows = sheets[name[:31]]
        heads: list[str] = []
        for c in df.columns:  # the workbook's readable headers (unique within a sheet)
            h = column_label(str(c))
            heads.append(h if h not in heads else f"{h} ({c})")
        assert [str(c) for c in rows[0]] == heads
        body = rows[1:]
        assert len(body) == len(df), name
        for j, col in enumerate(df.columns):
            csv_blank = df[col].map(_blank).to_numpy()
            xl_blank = np.array([_blank(r[j]) for r in body], dtype=bool)
            assert (csv_blank == xl_blank).all(), f"{name}.{col}: blanks differ between CSV and XLSX"


# ------------------------------------------------------------------ structural suppression
def test_participation(rendered):
    t = rendered.table("participation")
    raw, k = rendered.raw, rendered.min_n
    n = raw.groupby([raw["school"].astype(str), raw["wave"].astype(str)]).size()
    sup = []
    for _, r in t.iterrows():
        cnt = int(n.get((str(r["school"]), str(r["wave"])), 0))
        if cnt < k:
            assert _suppressed(r), f"participation {r['school']}/{r['wave']}: {cnt} respondents shown"
            _assert_blank(r, ["responded", "response_rate"], f"participation {r['school']}/{r['wave']}")
        if _suppressed(r):
            sup.append((f"{r['school']}/{r['wave']}", cnt))
        else:
            assert int(r["responded"]) == cnt
    dq = rendered.table("data_quality")
    if "used" in set(dq.get("stage", [])):  # the network row count is shown: no lone cell
        _no_lone_cell(sup, k, "participation vs data_quality total")


def test_asset_profile(rendered):
    t = rendered.table("asset_profile")
    k = rendered.min_n
    for d in rendered.domains:
        n = rendered.n_scored(d, wave="baseline")
        rows = t[t["domain"] == d]
        shown_means, shown_n, sup = [], [], []
        for _, r in rows.iterrows():
            cnt = int(n.get(str(r["school"]), 0))
            if cnt < k:
                assert _suppressed(r), f"asset_profile {r['school']}/{d}: {cnt} respondents shown"
            if _suppressed(r):
                _assert_blank(r, STAT_COLS_PROFILE, f"asset_profile {r['school']}/{d}")
                sup.append((str(r["school"]), cnt))
            else:
                assert int(r["n"]) == cnt and cnt >= k
                shown_means.append(float(r["mean"]))
                shown_n.append(cnt)
        nm = rows["network_mean"].dropna().unique()
        if len(nm) and shown_means:
            only_shown = [np.mean(shown_means), np.average(shown_means, weights=shown_n)]
            # the CSV has 2 decimals (precision): the network mean of the shown schools agrees to rounding
            if not any(np.isclose(nm[0], x, atol=0.0101) for x in only_shown):
                _no_lone_cell(sup, k, f"asset_profile network mean ({d})")


def test_recommendations_do_not_cite_suppressed_schools(rendered):
    prof = rendered.table("asset_profile")
    rec = rendered.table("recommendations")
    hidden = {(str(r["school"]), r["domain"]) for _, r in prof.iterrows() if _suppressed(r)}
    for _, r in rec.iterrows():
        if (str(r["school"]), r["domain"]) in hidden:
            ev = str(r.get("evidence", ""))
            assert not re.search(r"\d\.\d|n = \d", ev), f"recommendation cites a suppressed group: {ev!r}"


def test_change(rendered):
    t = rendered.table("change")
    if not len(t):
        return
    k = rendered.min_n
    for d in rendered.domains:
        nb = rendered.n_scored(d, wave="baseline")
        nf = rendered.n_scored(d, wave="followup")
        rows = t[t["domain"] == d]
        sup = {"baseline": [], "followup": []}
        for _, r in rows[rows["scope"].astype(str) != "network"].iterrows():
            s = str(r["scope"])
            b, f = int(nb.get(s, 0)), int(nf.get(s, 0))
            if min(b, f) < k:
                assert _suppressed(r), f"change {s}/{d}: {b}/{f} respondents shown"
            if _suppressed(r):
                _assert_blank(
                    r,
                    [
                        "estimate",
                        "ci_low",
                        "ci_high",
                        "p_value",
                        "effect_size",
                        "hedges_g",
                        "n_baseline",
                        "n_followup",
                        "n_linked",
                    ],
                    f"change {s}/{d}",
                )
                # a count is secret only when it is under the minimum; a school hidden for its response
                # rate with enough respondents has its counts in the participation table anyway
                sup["baseline"] += [(s, b)] if b < k else []
                sup["followup"] += [(s, f)] if f < k else []
        net = rows[rows["scope"].astype(str) == "network"]
        for w, col in (("baseline", "n_baseline"), ("followup", "n_followup")):
            if len(net) and not _blank(net[col].iloc[0]):
                _no_lone_cell(sup[w], k, f"change network n ({d}, {w})")


def _gap_counts(study, level: str, d: str) -> pd.DataFrame:
    s = study.scores
    m = (s["wave"].astype(str) == "baseline") & s[d].notna() & s["role"].isin(["teacher", "leader"])
    s = s[m]
    key = s[level].astype(str) if level != "network" else pd.Series("network", index=s.index)
    return (
        s.groupby([key, s["role"].astype(str)])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["teacher", "leader"], fill_value=0)
    )


def test_perception_gaps(rendered):
    net = rendered.table("gaps_network")
    by_school = rendered.table("gaps_by_school")
    k = rendered.min_n
    s = rendered.scores
    dist_of = (
        s[s["role"].isin(["teacher", "leader"])]
        .drop_duplicates("school")
        .set_index(s["school"].astype(str).name)["district"]
        .astype(str)
    )
    dist_of.index = dist_of.index.astype(str)
    stat = ["n_teachers", "n_leaders", "teacher_mean", "leader_mean", "gap", "ci_low", "ci_high"]
    for d in rendered.domains:
        cnt = {lv: _gap_counts(rendered, lv, d) for lv in ("network", "district", "school")}
        shown = {}
        for _, r in pd.concat([net, by_school], ignore_index=True).iterrows():
            if r["domain"] != d:
                continue
            lv, g = str(r["level"]), str(r["group"])
            c = cnt[lv].loc[g] if g in cnt[lv].index else pd.Series({"teacher": 0, "leader": 0})
            if min(int(c["teacher"]), int(c["leader"])) < k:
                assert _suppressed(r), f"gap {lv} {g} ({d}) shown with {dict(c)}"
            if _suppressed(r):
                _assert_blank(r, stat, f"gap {lv} {g} ({d})")
            else:
                assert int(r["n_leaders"]) == int(c["leader"]) and int(r["n_teachers"]) == int(c["teacher"])
                shown[(lv, g)] = True
        # subtraction: parent shown -> suppressed children with data are >= 2 and hold >= min_n per role
        children = {"network": [("district", g) for g in cnt["district"].index]}
        for g in cnt["district"].index:
            children[g] = [("school", sc) for sc in cnt["school"].index if dist_of.get(sc) == g]
        for parent, kids in children.items():
            plev = "network" if parent == "network" else "district"
            if not shown.get((plev, parent)):
                continue
            hidden = [(lv, g) for lv, g in kids if not shown.get((lv, g))]
            for role in ("teacher", "leader"):
                _no_lone_cell(
                    [(g, int(cnt[lv].loc[g, role])) for lv, g in hidden],
                    k,
                    f"gap {plev} {parent} ({d}, {role}s)",
                )


def test_reliability_schools(rendered):
    t = rendered.table("reliability_schools")
    k = rendered.min_n
    for _, r in t.iterrows():
        if _suppressed(r):
            _assert_blank(r, ["n", "reliability"], f"reliability_schools {r['school']}")
        else:
            assert float(r["n"]) >= k, (
                f"reliability_schools {r['school']}/{r['domain']} shown with n={r['n']}"
            )


def _interviews(study) -> pd.Series:
    c = study.codings
    return c.drop_duplicates("interview_id").groupby("school").size()


def test_code_tallies(rendered):
    if "code_tallies_schools" not in rendered.tables:
        pytest.skip("no codings")
    t = rendered.table("code_tallies_schools")
    netw = rendered.table("code_tallies_network")
    k = MIN_INTERVIEWS  # interview evidence has its own site minimum (interviews, not respondents)
    n_int = _interviews(rendered)
    stat = ["n", "n_group_excerpts", "n_excerpts", "n_interviews", "share_excerpts", "share_interviews"]
    for _, r in t.iterrows():
        ni = int(n_int.get(str(r["school"]), 0))
        if ni < k:
            assert _suppressed(r), f"code tallies {r['school']}: {ni} interviews shown"
        if _suppressed(r):
            _assert_blank(r, stat, f"code tallies {r['school']}/{r['code']}")
    if len(netw) and not netw["n"].isna().all():
        hidden = sorted({str(s) for s in t.loc[t["suppressed"].notna() & (t["suppressed"] != ""), "school"]})
        _no_lone_cell([(s, int(n_int.get(s, 0))) for s in hidden], k, "code tallies network vs schools")


def test_joint_display_respects_tally_suppression(rendered):
    """A school whose interview tallies are suppressed shows no code counts elsewhere."""
    if "joint_display_schools" not in rendered.tables:
        pytest.skip("no codings")
    jd = rendered.table("joint_display_schools")
    prof = rendered.table("asset_profile")
    hidden_prof = {(str(r["school"]), r["domain"]) for _, r in prof.iterrows() if _suppressed(r)}
    n_int = _interviews(rendered)
    for _, r in jd.iterrows():
        key = (str(r["school"]), r["domain"])
        if key in hidden_prof:
            assert _blank(r["survey_mean"]), f"joint display shows a suppressed survey mean {key}"
        if 0 < int(n_int.get(str(r["school"]), 0)) < MIN_INTERVIEWS:
            assert _blank(r["n_excerpts"]), (
                f"joint display shows excerpt counts for {key} (fewer than {MIN_INTERVIEWS} interviews)"
            )
            assert _blank(r.get("top_codes")) and _blank(r.get("exemplar_quote")), (
                f"joint display shows codes or a quote for {key} (fewer than {MIN_INTERVIEWS} interviews)"
            )


# ------------------------------------------------------------------ HTML and figures
def _svg_texts(html: str) -> list[list[str]]:
    return [re.findall(r"<text[^>]*>([^<]*)<", s) for s in re.findall(r"<svg.*?</svg>", html, flags=re.S)]


def test_heat_map_labels_suppressed_cells(rendered):
    prof = rendered.table("asset_profile")
    n_sup = int(prof["suppressed"].map(lambda v: not _blank(v)).sum())
    n_shown = len(prof) - n_sup
    html = (rendered.out / "network.html").read_text(encoding="utf-8")
    heat = [t for t in _svg_texts(html) if any("hatched = suppressed" in x for x in t)]
    if not heat:
        pytest.skip("no heat map rendered")
    texts = heat[0]
    values = [x for x in texts if re.fullmatch(r"\d\.\d\s*[\u25b2\u25cf\u25bc]", x.strip())]  # "3.4 ●"
    assert len(values) == n_shown, f"heat map shows {len(values)} values for {n_shown} shown cells"
    assert sum(x.strip().startswith("suppressed") for x in texts) == n_sup


def test_school_pages_hide_suppressed_domains(rendered):
    """In a school page, the profile row of a suppressed domain carries no number."""
    import html as _html

    prof = rendered.table("asset_profile")
    short = dict(zip(rendered.inst.domains["id"], rendered.inst.domains["short"]))
    for school, rows in prof.groupby("school"):
        page = (rendered.out / "schools" / f"{school}.html").read_text(encoding="utf-8")
        m = re.search(r'<section[^>]*id="profile".*?</section>', page, flags=re.S)
        if not m:
            continue
        for _, r in rows.iterrows():
            if not _suppressed(r):
                continue
            head = []
            for tr in re.findall(r"<tr>.*?</tr>", m.group(0), flags=re.S):
                cells = [
                    _html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                    for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
                ]
                if '<th scope="col"' in tr:
                    head = cells
                    continue
                if cells and cells[0] == short[r["domain"]]:
                    own = [c for h, c in zip(head or [""] * len(cells), cells) if "network" not in h.lower()]
                    assert not any(re.fullmatch(r"[\u2212-]?\d+(\.\d+)?", c) for c in own[1:]), (
                        f"{school} profile row {cells} shows a number for a suppressed domain"
                    )


def test_xlsx_cells_round_as_the_csv_does():
    """A workbook may not publish a number its CSV lacks: 39/40 = 0.975 is 0.98 in both (Python's round gave 0.97)."""
    import io

    from assetinv.report.build import _cell, _csv_bytes

    vals = [39 / 40, 0.125, 2.675, 1.005, 0.045, -0.975, 7 / 8, 0.3333]
    csv = pd.read_csv(io.BytesIO(_csv_bytes(pd.DataFrame({"x": vals}), precision=2)))["x"].tolist()
    assert [_cell(v, 2) for v in vals] == csv
    assert _cell(39 / 40, 2) == 0.98
