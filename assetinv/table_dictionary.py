"""Readable headers and a data dictionary for the published tables (CSV and XLSX).

The CSV files keep the tidy snake_case column names that pandas users expect;
the workbook shows readable headers and carries a "data dictionary" sheet that
describes every column of every sheet. :func:`tidy_for_output` also adds a
school-name column next to every school id and writes counts as integers.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["COLUMNS", "column_label", "column_description", "data_dictionary", "tidy_for_output"]

#: column -> (readable header, description)
COLUMNS: dict[str, tuple[str, str]] = {
    "school": ("School id", "The school's id, as in schools.csv (district staff carry their district id)."),
    "school_name": (
        "School name",
        "The school's name, from schools.csv (blank for a district or the network).",
    ),
    "district": ("District", "The district id of the school."),
    "domain": (
        "Domain id",
        "Asset domain id: EX expertise, LM learning mindset, CN cultural norms, OS structures.",
    ),
    "domain_name": ("Domain", "The asset domain's full name."),
    "domain_short": ("Domain (short)", "The asset domain's short name, as in the reports."),
    "name": ("Name", "The domain's name (reliability tables)."),
    "n": (
        "Respondents (n)",
        "Number of respondents the statistic is based on (integer; blank when suppressed).",
    ),
    "mean": ("Mean (1-5)", "Mean domain score on the 1 (strongly disagree) to 5 (strongly agree) scale."),
    "ci_low": ("95% CI low", "Lower end of the 95% confidence interval."),
    "ci_high": ("95% CI high", "Upper end of the 95% confidence interval."),
    "network_mean": ("Network mean", "Mean of the reported schools' means (network level)."),
    "diff": ("School minus network", "School mean minus network mean, in scale points."),
    "diff_low": (
        "Difference 95% CI low",
        "Lower end of the 95% interval of the school-minus-network difference.",
    ),
    "diff_high": (
        "Difference 95% CI high",
        "Upper end of the 95% interval of the school-minus-network difference.",
    ),
    "others_mean": (
        "Mean of the other schools",
        "Mean of the other reported schools' means (the network without this school).",
    ),
    "p_network": (
        "p value against the network",
        "p value of the test that the school differs from the network.",
    ),
    "p_standard": ("p value against the standard", "p value of the test against the nearest fixed standard."),
    "q_network": (
        "Adjusted p against the network",
        "Benjamini-Hochberg adjusted p value of the network test (across all school x domain tests).",
    ),
    "q_standard": (
        "Adjusted p against the standard",
        "Benjamini-Hochberg adjusted p value of the standard test.",
    ),
    "status_unadjusted": (
        "Status without adjustment",
        "The status each test gives without the multiple-testing adjustment.",
    ),
    "rank": (
        "Rank in network",
        "The school's rank among reported schools (1 = highest mean); network use only.",
    ),
    "n_schools": ("Schools (n)", "Number of schools pooled or compared (integer)."),
    "status_network": (
        "Status against the network",
        "asset / typical / growth area from the comparison with the network mean.",
    ),
    "status_absolute": (
        "Status against the standards",
        "asset / typical / growth area from the fixed standards (4.0 and 3.0).",
    ),
    "status": ("Status", "The combined status: asset, typical or growth area (rule in the column 'rule')."),
    "rule": ("Status rule", "The rule that gives the status, in words."),
    "sentence": ("Reading", "One generated sentence describing the row."),
    "suppressed": (
        "Not shown because",
        "Why the row's statistics are blank (small group, low response rate, "
        "complementary suppression); empty when shown.",
    ),
    "pct_favourable": (
        "% agree",
        "Percent answering Agree or Strongly agree, averaged over the domain's items "
        "(reverse-worded items flipped).",
    ),
    "scope": ("Scope", "'network' or the school id the estimate is for."),
    "scope_name": ("Scope name", "The school's name when the scope is a school."),
    "estimate": ("Change", "Follow-up minus baseline mean, in scale points (mixed-model estimate)."),
    "se": ("Standard error", "Standard error of the estimate."),
    "df": ("Degrees of freedom", "Degrees of freedom of the test."),
    "p_value": ("p value", "Two-sided p value of the test that the change is 0."),
    "effect_size": (
        "Effect size (d)",
        "Change divided by the standard deviation of individual scores at baseline.",
    ),
    "hedges_g": ("Hedges' g", "Small-sample corrected effect size."),
    "n_baseline": ("Respondents at baseline", "Respondents at baseline (integer)."),
    "n_followup": ("Respondents at follow-up", "Respondents at follow-up (integer)."),
    "n_linked": ("Linked respondents", "Respondents who answered in both waves (integer)."),
    "model": ("Model", "The mixed model fitted."),
    "reading": ("Reading", "The result in one generated sentence."),
    "note": ("Note", "Notes from the estimation (e.g. a random slope dropped) or on the row."),
    "code": ("Code", "Codebook code id."),
    "code_name": ("Code name", "Codebook code name."),
    "group": ("Group", "The group the row describes: a school id, a district id or 'network'."),
    "group_name": ("Group name", "The school's name when the group is a school."),
    "n_group_excerpts": ("Excerpts in the group", "Coded excerpts in the group (integer)."),
    "n_excerpts": (
        "Coded excerpts",
        "Coded excerpts with the code or domain (integer; in a school's joint display '1+' where the count "
        "could be one interviewee's).",
    ),
    "n_interviews": ("Interviews", "Interviews in which the code was heard (integer)."),
    "share_excerpts": ("Share of excerpts", "Share of the group's excerpts carrying the code (0-1)."),
    "share_interviews": (
        "Share of interviews",
        "Share of the group's interviews in which the code was heard (0-1).",
    ),
    "stage": ("Stage", "Data-quality stage: rows read, excluded (with reason) or used."),
    "rows": ("Rows", "Number of survey rows (integer)."),
    "reason": ("Reason", "Why rows were excluded."),
    "level": ("Level", "The level a row describes: school, district or network."),
    "n_teachers": ("Teachers (n)", "Teachers answering (integer)."),
    "n_leaders": ("Leaders (n)", "School leaders answering (integer)."),
    "teacher_mean": ("Teachers' mean", "Teachers' mean domain score."),
    "leader_mean": ("Leaders' mean", "Leaders' mean domain score."),
    "gap": ("Gap (leaders - teachers)", "Leaders' mean minus teachers' mean, in scale points."),
    "flagged_large": ("Large gap", "True when the absolute gap is 0.5 points or more."),
    "item": ("Item id", "Survey item (statement) id."),
    "text": ("Statement", "The item's wording."),
    "reverse": ("Reverse-worded", "True when agreeing means less of the asset."),
    "pct_agree": ("% agree", "Percent answering Agree or Strongly agree (raw answers)."),
    "survey_mean": ("Survey mean", "The survey's mean domain score for the group."),
    "top_codes": ("Most frequent codes", "The codes heard most often, with their excerpt counts."),
    "agreement": ("Coder agreement (network)", "Krippendorff's alpha of the domain's codes (network level)."),
    "exemplar_quote": ("Example quote", "A redacted interview excerpt."),
    "interviews_suppressed": (
        "Interviews not shown because",
        "Why the school's interview evidence is hidden.",
    ),
    "evidence": ("Evidence", "The survey and interview evidence behind a recommendation."),
    "wave": ("Wave", "Survey wave (baseline or follow-up)."),
    "invited": ("Invited", "Staff invited to the survey, from the roster (integer)."),
    "responded": ("Responded", "Staff who responded (integer)."),
    "response_rate": ("Response rate", "Responded divided by invited (0-1)."),
    "codes": ("Codes", "Codes attached to the quote."),
    "exemplary": ("Exemplary", "True when a coder marked the excerpt as exemplary."),
    "quote": ("Quote", "A redacted interview excerpt (names, e-mail addresses and phone numbers removed)."),
    "kind": ("Kind", "build on (an asset), grow (a growth area or typical domain) or not reported."),
    "support_id": ("Support id", "Playbook support id."),
    "support": ("Support", "The suggested support."),
    "description": ("Description", "What the support involves."),
    "drawn_from": ("Drawn from", "The playbook entry the support comes from."),
    "lever": ("Lever", "The school's strength that can carry the support."),
    "who_acts": ("Who acts", "Who decides and carries out the support: the CBO, the school or the district."),
    "cbo_role": ("CBO's part", "What the CBO contributes when the school or district is the one to act."),
    "triggered_by": (
        "Why this school",
        "The weak items or barrier codes of this school that call for the support.",
    ),
    "source": ("Source", "The seed passage or research source behind the support."),
    "n_strength": ("Excerpts coded as a strength", "Coded excerpts a coder marked as a strength (integer)."),
    "n_barrier": ("Excerpts coded as a barrier", "Coded excerpts a coder marked as a barrier (integer)."),
    "strengths": ("Strengths heard", "The codes heard most often as strengths, with their excerpt counts."),
    "barriers": ("Barriers heard", "The codes heard most often as barriers, with their excerpt counts."),
    "n_items": ("Items", "Number of items in the domain (integer)."),
    "raw_alpha": ("Alpha", "Coefficient alpha on raw scores (as psych::alpha raw_alpha)."),
    "ordinal_alpha": (
        "Ordinal alpha",
        "Alpha on polychoric correlations (Zumbo et al. 2007); BCa bootstrap interval.",
    ),
    "ordinal_omega": ("Ordinal omega", "Omega total of a one-factor model of the polychoric correlations."),
    "compared": (
        "Groups compared",
        "The column whose groups are compared: role (teachers, leaders) or wave.",
    ),
    "invariance": ("Invariance", "Measurement invariance of the domain: holds, fails or not tested."),
    "invariance_reason": ("Why", "Which step failed, or why invariance could not be tested."),
    "configural": ("Configural", "Verdict on the same structure in every group (CFI >= .90, RMSEA <= .08)."),
    "metric": ("Metric", "Verdict on equal loadings (Cheung & Rensvold 2002; Chen 2007)."),
    "scalar": ("Scalar", "Verdict on equal loadings and intercepts (needed to compare means)."),
    "delta_cfi_metric": ("Change in CFI (metric)", "CFI of the metric minus the configural model."),
    "delta_cfi_scalar": ("Change in CFI (scalar)", "CFI of the scalar minus the metric model."),
    "cfa_warnings": (
        "CFA warnings",
        "Warnings from the model fits (Heywood cases, matrices not positive definite).",
    ),
    "std_alpha": ("Standardised alpha", "Alpha on standardised items."),
    "g6_smc": ("Guttman lambda 6", "Guttman's lambda 6 (squared multiple correlations)."),
    "average_r": ("Average inter-item r", "Mean inter-item correlation."),
    "signal_noise": ("Signal/noise", "Signal-to-noise ratio of the scale."),
    "ase": ("Alpha standard error", "Asymptotic standard error of alpha."),
    "sd": ("SD", "Standard deviation of the scale score."),
    "median_r": ("Median inter-item r", "Median inter-item correlation."),
    "feldt_lower": ("Alpha 95% CI low (Feldt)", "Lower end of Feldt's 95% interval for alpha."),
    "feldt_upper": ("Alpha 95% CI high (Feldt)", "Upper end of Feldt's 95% interval for alpha."),
    "duhachek_lower": ("Alpha 95% CI low (Duhachek)", "Lower end of Duhachek's 95% interval for alpha."),
    "duhachek_upper": ("Alpha 95% CI high (Duhachek)", "Upper end of Duhachek's 95% interval for alpha."),
    "omega_total": ("Omega total", "McDonald's omega total from a one-factor model."),
    "icc1": ("ICC(1)", "Share of score variance between schools."),
    "icc2": ("ICC(2)", "Reliability of school means (how well they separate schools)."),
    "verdict": ("Verdict", "The reliability in words."),
    "f": ("F", "F statistic of the one-way ANOVA of scores on school."),
    "n_groups": ("Schools (n)", "Number of schools in the ANOVA (integer)."),
    "mean_group_size": ("Mean responses per school", "Mean number of respondents per school."),
    "reliability": (
        "School mean reliability",
        "Reliability of the school's mean, n*ICC(1)/(1+(n-1)*ICC(1)).",
    ),
    "n_units": ("Decisions", "Coding decisions compared (integer)."),
    "n_coders": ("Coders", "Number of coders (integer)."),
    "n_positive": (
        "Excerpts with the code",
        "Decisions where at least one coder applied the code (integer).",
    ),
    "kappa_coders": ("Coders in kappa", "The two coders compared by Cohen's kappa."),
    "percent_agreement": ("Percent agreement", "Share of decisions on which the coders agreed (0-1)."),
    "cohen_kappa": ("Cohen's kappa", "Cohen's kappa for two coders."),
    "krippendorff_alpha": (
        "Krippendorff's alpha",
        "Krippendorff's alpha (nominal) for any number of coders.",
    ),
    "gwet_ac1": ("Gwet's AC1", "Gwet's first-order agreement coefficient."),
}

_INTEGER_NAME = re.compile(r"^(n|n_.+|invited|responded|rows|bytes|n_items|count)$")
_SUFFIX = {
    "_lo": ("95% CI low", "Lower end of the 95% interval of"),
    "_hi": ("95% CI high", "Upper end of the 95% interval of"),
}


def column_label(col: str) -> str:
    """A readable header for a table column (``ci_low`` -> ``95% CI low``).

    Examples
    --------
    >>> column_label("ci_low"), column_label("pct_4"), column_label("n_valid")
    ('95% CI low', '% answering 4', 'N valid')
    """
    if col in COLUMNS:
        return COLUMNS[col][0]
    m = re.fullmatch(r"pct_(\d+)", col)
    if m:
        return f"% answering {m.group(1)}"
    for suf, (lab, _) in _SUFFIX.items():
        if col.endswith(suf) and col[: -len(suf)] in COLUMNS:
            return f"{COLUMNS[col[: -len(suf)]][0]} {lab}"
    return col.replace("_", " ").strip().capitalize()


def column_description(col: str, labels: dict | None = None) -> str:
    """What a column holds, in one sentence.

    Examples
    --------
    >>> column_description("pct_4", {4: "Agree"})
    'Percent of those answering the item who chose 4 (Agree).'
    """
    if col in COLUMNS:
        return COLUMNS[col][1]
    m = re.fullmatch(r"pct_(\d+)", col)
    if m:
        k = int(m.group(1))
        lab = (labels or {}).get(k, "")
        return f"Percent of those answering the item who chose {k}" + (f" ({lab})." if lab else ".")
    for suf, (_, desc) in _SUFFIX.items():
        if col.endswith(suf) and col[: -len(suf)] in COLUMNS:
            return f"{desc} {COLUMNS[col[: -len(suf)]][0].lower()}."
    return f"{column_label(col)} (see docs/reports.md)."


def tidy_for_output(name: str, df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Add school-name columns next to school ids and write counts as integers.

    Parameters
    ----------
    name : str
        Table name (unused, for symmetry with the writers).
    df : DataFrame
        A published table.
    names : dict
        School id -> school name.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> t = tidy_for_output("x", pd.DataFrame({"school": ["S01"], "n": [22.0]}), {"S01": "Maple"})
    >>> t.columns.tolist(), t["n"].tolist()
    (['school', 'school_name', 'n'], [22])
    """
    out = df.copy()
    for col, new in (("school", "school_name"), ("scope", "scope_name"), ("group", "group_name")):
        if col in out.columns and new not in out.columns:
            ids = out[col].astype(str)
            if ids.isin(list(names)).any():
                out.insert(out.columns.get_loc(col) + 1, new, ids.map(names).fillna(""))
    for col in out.columns:
        if (
            _INTEGER_NAME.match(str(col))
            and pd.api.types.is_numeric_dtype(out[col])
            and not pd.api.types.is_bool_dtype(out[col])
        ):
            v = pd.to_numeric(out[col], errors="coerce")
            whole = v.dropna()
            if len(whole) == 0 or (whole == whole.round()).all():
                out[col] = v.round().astype("Int64")
    return out


def data_dictionary(
    tables: dict[str, pd.DataFrame], sheet_names: dict[str, str] | None = None, labels: dict | None = None
) -> pd.DataFrame:
    """One row per column of every table: sheet, column, header and description.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The published tables.
    sheet_names : dict, optional
        Table name -> sheet name in the workbook.
    labels : dict, optional
        Answer code -> label (for the ``pct_k`` columns).

    Returns
    -------
    DataFrame
        ``table, sheet, column, header, description``.

    Examples
    --------
    >>> d = data_dictionary({"profile": pd.DataFrame(columns=["school", "mean"])})
    >>> d[["table", "column", "header"]]
         table  column      header
    0  profile  school   School id
    1  profile    mean  Mean (1-5)
    """
    rows = []
    for t, df in tables.items():
        for c in df.columns:
            rows.append(
                {
                    "table": t,
                    "sheet": (sheet_names or {}).get(t, t),
                    "column": str(c),
                    "header": column_label(str(c)),
                    "description": column_description(str(c), labels),
                }
            )
    return pd.DataFrame(rows)
