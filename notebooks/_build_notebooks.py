"""Write the tutorial notebooks 01-05, 07 and 08 from the cell lists in this file.

The notebooks are generated, not hand-edited, so that they stay easy to review and
maintain: edit the text below, then run

    python notebooks/_build_notebooks.py           # rewrite the notebooks
    python notebooks/_build_notebooks.py --check   # exit 1 if a notebook differs from this script

The output is deterministic (fixed cell ids, no outputs, ``execution_count`` null),
so running the script twice gives the same bytes. ``06_school_report.ipynb`` is the
report template and is maintained by hand; this script never touches it.

Rules the notebooks follow (checked by ``tests/test_notebooks_style.py``): a numbered
file name, a markdown title cell first, no committed outputs, and no statistics in
the code cells -- every number comes from an ``assetinv`` function.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------- shared cells
SETUP = '''\
from pathlib import Path

import pandas as pd
from IPython.display import display

import assetinv
from assetinv.report import default_data_dir

pd.set_option("display.max_columns", 30)
pd.set_option("display.max_colwidth", 120)
pd.set_option("display.width", 160)

data_dir = default_data_dir()  # the bundled sample data, found from any working directory
# your own study: data_dir = Path("C:/evaluation/2025")  # the folder holding your study.yaml
config = assetinv.read_config(data_dir / "study.yaml")
instrument = assetinv.load_instrument(config["instrument"])  # None in the config = the bundled instrument
MIN_N = config["min_n"]  # smallest group whose numbers may be shown
print(config["title"])
print(f"instrument {instrument.name} v{instrument.version}; suppression minimum {MIN_N} respondents")'''

SETUP_MD = '''\
## Set up

The first code cell finds the bundled sample data (wherever this notebook is opened from), reads the study
configuration `study.yaml` and loads the survey instrument. To analyse your own study, point `data_dir` to the
folder holding your `study.yaml` instead: remove the `#` in front of the second `data_dir = ...` line and put
your folder in it. The figures below show inline; they are made by `assetinv` without pyplot.'''

READ_SURVEY = '''\
responses = assetinv.read_responses(config["responses"], instrument)
roster = assetinv.read_roster(config["roster"], instrument)
print(f"{len(responses)} survey rows read from {responses.attrs['source']}")'''

EXAMPLE_SCHOOL = "S10"


def md(text: str) -> tuple[str, str]:
    return ("markdown", text)


def code(text: str) -> tuple[str, str]:
    return ("code", text)


# --------------------------------------------------------------------------- 01 quick start
NB01 = [
    md('''\
# 1. Quick start: from a survey export to a school's asset profile

**What you will learn.** In ten minutes you will open the Asset Inventory instrument, read a survey export and
the roster, check a file for problems, score every respondent on the four asset domains and read one school's
asset profile in plain language. At the end you will see the one command that writes every report.

**What this answers for the CBO.** *Which strengths does each school bring to the partnership, and where is
support most needed?* The Asset Inventory looks at four domains:

| id | domain |
|---|---|
| EX | Expertise in the system |
| LM | Learning mindset, inclusive of all students |
| CN | Cultural norms that value teachers as professionals |
| OS | Structures and routines for collaborative work |

The data used here are **simulated** (12 invented schools in 3 districts, surveyed at baseline and a year
later). No code in these notebooks does any statistics itself: every number comes from an `assetinv` function,
so the notebooks, the command line and the HTML reports always agree.'''),
    md(SETUP_MD),
    code(SETUP),
    md('''\
## 1. The instrument

The instrument is stored as data (a YAML file inside the package) with a **version number**. Every table
produced from survey data records the version it was scored with, so results from different instrument
versions are never mixed up by accident. Each domain has 8 statements answered on a 5-point agreement scale.'''),
    code('''\
print(f"{instrument.name}, version {instrument.version}")
print("Scale:", ", ".join(f"{k} = {v}" for k, v in instrument.labels.items()))
instrument.domains[["id", "short", "name"]]'''),
    md('''\
A few statements. Items marked `reverse` are worded negatively (for example *"Strong STEM teaching know-how
stays with a few people"*): agreeing with them means *less* of the asset, so they are flipped
(1 ↔ 5, 2 ↔ 4) before scoring. This is done for you.'''),
    code('''\
instrument.items[["id", "domain", "text", "reverse"]].head(8)'''),
    md('''\
## 2. Read the survey export

`read_responses` accepts CSV, Excel and SPSS files (Qualtrics exports included) and returns one **tidy** table:
one row per respondent and wave, the columns `respondent_id, school, district, role, wave`, then one column per
statement (`EX01` … `OS08`) holding the answer 1-5, or blank (NaN) when it was skipped. Labels such as
"Agree" or "Baseline" are converted to the ids the instrument uses. District staff are recorded with their
district id in the `school` column and are only reported at district level.'''),
    code(READ_SURVEY),
    code('''\
responses.head()'''),
    md('''\
The **data-quality table** accounts for every row of the file: rows read = rows used + rows excluded, each
exclusion with its reason. It holds counts only, never ids, so it can be shared.'''),
    code('''\
assetinv.data_quality(responses)'''),
    md('''\
The roster says how many staff were **invited** per school, role and wave; it gives the response rates.'''),
    code('''\
roster.head(6)'''),
    md('''\
## 3. Check a file before you analyse it

`validate_file` lists every problem in a file, each with the file, the row (as numbered in a spreadsheet,
header = row 1), the column and how to fix it. An empty list means the file is fine. The same check runs from a
terminal with `assetinv validate FILE`.'''),
    code('''\
problems = assetinv.validate_file(config["responses"], instrument)
print("responses.csv:", "no problems" if not problems else problems)'''),
    md('''\
Here is what a problem looks like. We write a small roster with two mistakes (a negative count and a misspelt
role) into a temporary folder and check it.'''),
    code('''\
import tempfile
from pathlib import Path

scratch = Path(tempfile.mkdtemp())
bad_roster = scratch / "roster.csv"
bad_roster.write_text(
    "school,district,role,wave,invited\\n"
    "S01,D1,teacher,baseline,-3\\n"
    "S02,D1,principle,baseline,4\\n"
)
for problem in assetinv.validate_file(bad_roster, instrument):
    print("•", problem)'''),
    md('''\
## 4. Score the four domains

A respondent's **domain score** is the average of the statements of that domain they answered (after flipping
the reverse-worded ones), given only when at least half of the domain was answered. Nobody is dropped:
respondents who gave the same answer everywhere (*straight-lining*) or finished implausibly fast (*speeding*)
are flagged in the `quality_flags` column for you to decide.'''),
    code('''\
scores = assetinv.score_domains(responses, instrument)
scores.head().round(2)'''),
    md('''\
## 5. A school's asset profile

`asset_profile` compares each school's baseline mean (teachers and leaders) with the network mean and with an
absolute standard, and classes every domain as an **asset**, **typical** or a **growth area**. Schools with fewer
than `min_n` respondents or a response rate under `min_response_rate` are *suppressed*: their numbers are never
shown. The `sentence` column says the result in plain language.'''),
    code('''\
profile = assetinv.asset_profile(
    scores,
    roster=roster,
    min_n=MIN_N,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
profile[["school", "domain_short", "n", "mean", "network_mean", "status"]].head(8).round(2)'''),
    code(f'''\
school = "{EXAMPLE_SCHOOL}"
for sentence in profile.loc[profile["school"] == school, "sentence"]:
    print("•", sentence)'''),
    md('''\
The same profile as a figure: the school's mean in each domain with its 95% interval (the range the true
school mean plausibly lies in), the network mean as a grey diamond, and dashed lines at the absolute
thresholds. Status is written in words as well as shown by colour and shape.'''),
    code('''\
assetinv.school_profile_plot(profile, school)'''),
    md('''\
## 6. Render every report

One command renders the network summary and one self-contained HTML report per school (they open in any browser,
offline) plus every table as CSV and Excel. Run it in a terminal (not in this notebook):

```bash
assetinv report                                   # the bundled sample -> reports/
assetinv report --data path/to/study --out reports --jobs 2
```

Then open `reports/index.html`. The same is available from Python as
`assetinv.report.build_reports(data="path/to/study", out="reports")`.

## Where next

| notebook | question it answers |
|---|---|
| `02_instrument_reliability` | Can we trust the domain scores? |
| `03_domain_scores_and_profiles` | What are each school's assets and growth areas, and what support fits? |
| `04_change_over_time` | Did the domains change between baseline and follow-up? |
| `05_interviews_and_joint_display` | What do the interviews say, and do they agree with the survey? |
| `06_school_report` | One school's report (a template for papermill) |
| `07_network_summary` | The network at a glance, for the CBO director |'''),
]

# --------------------------------------------------------------------------- 02 reliability
NB02 = [
    md('''\
# 2. Instrument reliability: can we trust the domain scores?

**What you will learn.** How consistently the statements of each domain measure the same thing (coefficient
alpha and omega), what the item tables say about individual statements, why reverse-worded statements matter,
and whether the survey can tell *schools* apart (ICC and group-mean reliability, within-school agreement).

**What this answers for the CBO.** Before comparing schools or tracking change, we need to know that a domain
score is dependable. A domain whose statements do not hang together, or a school mean based on too few people,
should be read with care — or not at all.

### What ".80" means, in plain words

Reliability runs from 0 to 1. A reliability of **.80** means that about 80% of the differences we see between
people's scores reflect real differences, and about 20% is noise (the luck of how a person read a statement on
the day). Common rules of thumb, used throughout `assetinv`:

* **.80 or more: good** — fine for describing groups and for most decisions;
* **.70 to .80: adequate** — fine for group summaries, read individual differences with care;
* **under .70: weak** — look at the statements before using the score.

These thresholds describe *group* reporting. No decision about an individual teacher should rest on these scores.'''),
    md(SETUP_MD),
    code(SETUP),
    md('''\
We use the **baseline** wave: reliability is a property of the instrument in a population, and using one wave
keeps each person once.'''),
    code(READ_SURVEY + '''
baseline = responses[responses["wave"] == "baseline"]
print(f"{len(baseline)} baseline respondents")'''),
    md('''\
## 1. Coefficient alpha for one domain

We start with *Structures and routines for collaborative work* (OS). Two of its statements are worded
negatively (**reverse-keyed**); the instrument knows which ones.'''),
    code('''\
domain = "OS"
items = instrument.item_ids(domain)
reverse = instrument.reverse_ids(domain)
print("reverse-keyed:", reverse)
instrument.items.loc[instrument.items["domain"] == domain, ["id", "text", "reverse"]]'''),
    md('''\
`assetinv.alpha` reproduces the R function `psych::alpha` (the reference most published studies use). We pass the
reverse keys and the scale bounds so that reversing is 1 ↔ 5. `n_boot=200` adds a bootstrap interval (a small
number so the notebook stays quick; use 1000 or more for a publication), with a seed so it is the same every run.

You will see a **warning** that some respondents answered none of the OS statements: they are people who stopped
after the first domains (*partial* responses). They do not change the estimate; psych counts them in `N`, and so
do we.'''),
    code('''\
res = assetinv.alpha(
    baseline[items],
    reverse=reverse,
    scale_min=instrument.scale_min,
    scale_max=instrument.scale_max,
    n_boot=200,
    seed=2026,
)
res.total.round(3)'''),
    md('''\
How to read it: `raw_alpha` is the usual Cronbach's alpha; `std_alpha` the same on standardised statements;
`average_r` the average correlation between two statements of the domain; `mean` and `sd` describe respondents'
domain scores.

The **intervals** show how precisely alpha is known from this many respondents: Feldt's and Duhachek's are
formulas, the bootstrap resamples respondents. If the lower bound is still above .80, the domain is reliable
with room to spare.'''),
    code('''\
res.ci.round(3)'''),
    md('''\
### The item table

One row per statement. The key column is **`r_drop`**, the correlation of the statement with the rest of the
domain: statements below about .30 barely belong with the others and are worth a closer look. `mean` and `sd`
show where answers sit on the 1-5 scale (after reversing).'''),
    code('''\
res.item_stats.round(2)'''),
    md('''\
### Response frequencies

The share of answers in each category and the share missing (`miss`). Watch for statements where almost
everybody picks the same category (a floor or ceiling: they cannot show differences) or with many missing
answers (the statement may be unclear or not apply to some staff).'''),
    code('''\
res.response_freq.round(2)'''),
    md('''\
### Alpha if a statement is dropped

What alpha would be without each statement. If dropping a statement *raises* alpha clearly above the value for
all eight, that statement pulls in a different direction. Small rises (.01) are normal for reverse-worded
statements and no reason to drop them.'''),
    code('''\
res.alpha_if_dropped[["raw_alpha", "std_alpha", "average_r"]].round(3)'''),
    md('''\
### Why the reverse keys matter

If the negatively worded statements were *not* flipped, they would correlate negatively with the rest and alpha
would collapse. `assetinv.alpha` never flips a statement on its own; instead it **warns** about statements that
correlate negatively with the rest of the scale. If you see this warning on your own data, check the
instrument's reverse keys (or whether your export already reversed them).'''),
    code('''\
forgot = assetinv.alpha(baseline[items], scale_min=instrument.scale_min, scale_max=instrument.scale_max)
print("alpha without reverse keys:", forgot.total["raw_alpha"].round(3).tolist())
for message in forgot.warnings:
    print("warning:", message)'''),
    md('''\
## 2. Omega total

Alpha assumes every statement measures the domain equally well. **McDonald's omega total** relaxes that by
fitting a one-factor model (as `psych::omega` does); the **loadings** say how strongly each statement reflects
the domain (above .40 is usually fine). When omega and alpha are close, as here, alpha's assumption is harmless.'''),
    code('''\
om = assetinv.omega_total(
    baseline[items],
    reverse=reverse,
    scale_min=instrument.scale_min,
    scale_max=instrument.scale_max,
    n_boot=200,
    seed=2026,
)
print(f"omega total = {om.omega_total:.3f}")
display(om.ci.round(3))
om.loadings.round(2).to_frame()'''),
    md('''\
## 3. All four domains at once, with a verdict

`instrument_reliability` runs alpha, omega and the school-level ICCs for every domain and writes a
plain-language **verdict** using the thresholds above (they can be changed in `study.yaml`).'''),
    code('''\
rel = assetinv.instrument_reliability(baseline, instrument, by="school", min_n=MIN_N)
rel.overall[["domain", "n", "raw_alpha", "feldt_lower", "feldt_upper", "omega_total", "icc1", "icc2"]].round(3)'''),
    code('''\
print("thresholds:", rel.thresholds)
for verdict in rel.overall["verdict"]:
    print("•", verdict)'''),
    md('''\
Alpha **per school** (and per district office, whose staff are recorded under the district id). Groups with
fewer than `min_n` respondents are suppressed: their row stays, with the reason, but no numbers. Within one
school alpha is lower than network-wide, because staff of one school resemble each other more.'''),
    code('''\
rel.by_group["school"][["school", "domain", "n", "raw_alpha", "feldt_lower", "feldt_upper", "suppressed"]].head(12).round(2)'''),
    md('''\
## 4. Can the survey tell schools apart?

Reliable *people* scores are not enough: the CBO compares **school means**. Two numbers answer whether that is
sensible (Bliese 2000):

* **ICC(1)** — the share of the differences between people that lies *between schools*. Values of .05 to .20
  are typical for school climate surveys: most variation is within schools, but schools do differ.
* **ICC(2)** — the reliability of a school mean of typical size. Read it like alpha: .70 or more means school
  means can be compared dependably.

Each school also gets its own **group-mean reliability**, which depends on how many of its staff answered:
a school with few respondents has a less dependable mean.'''),
    code('''\
scores = assetinv.score_domains(baseline, instrument)
school_staff = scores[scores["role"].isin(["teacher", "leader"])]
domains = instrument.domains["id"].tolist()
grp = assetinv.group_reliability(school_staff, domains, "school", min_n=MIN_N)
grp.table.round(3)'''),
    code('''\
grp.by_group.pivot(index="group", columns="column", values="reliability")[domains].round(2)'''),
    md('''\
## 5. Do staff within a school agree?

**rwg(j)** (James, Demaree & Wolf 1984) compares the spread of answers inside a school with the spread expected if
people answered at random. Values above **.70** are usually read as enough agreement to speak of a shared view
of the school; near 0 means staff see the school very differently — itself worth a conversation. It uses
respondents who answered every statement of the domain, so `n` is smaller than the number of respondents.'''),
    code('''\
teachers = baseline[baseline["role"] == "teacher"]
assetinv.rwg_j(teachers[items], teachers["school"], n_options=len(instrument.labels)).round(2)'''),
    md('''\
## Summary

* All four domains are reliable for group reporting (alpha and omega well above .80 in this sample).
* School means are dependable (ICC(2) above .70), so comparing schools is meaningful; each school's own
  reliability depends on its number of respondents — small schools should be read with care, and groups under
  `min_n` are never shown.
* If a statement's `r_drop` is low or the negative-correlation warning appears, check the wording and the
  reverse keys before scoring.

The reliability tables of every report come from these same functions (see `07_network_summary`).'''),
]

# --------------------------------------------------------------------------- 03 scores and profiles
NB03 = [
    md('''\
# 3. Domain scores and school asset profiles

**What you will learn.** How respondents are scored (and flagged), the *percent favourable* view school
surveys often use, how school summaries protect small groups, how each school's domains are classed as
**assets**, **typical** or **growth areas**, how leaders' and teachers' views differ, and how the CBO playbook
turns a profile into suggested supports.

**What this answers for the CBO.** *What does each school bring to the partnership, where do leaders and
teachers see things differently, and which supports fit?* The asset framing matters: the profile starts from
what a school already does well and uses it as a lever.'''),
    md(SETUP_MD),
    code(SETUP),
    code(READ_SURVEY + '''
schools = assetinv.read_schools(config["schools"])
codings = assetinv.read_codings(config["codings"], instrument)
schools.head(3)'''),
    md('''\
## 1. Score every respondent

`score_domains` gives each respondent a score per domain (the average of the answered statements, reverse-worded
ones flipped) and the number of statements answered (`EX_n`, …). Two patterns are **flagged, never dropped**:

* **straight-lining** — the same answer to every statement, even the reverse-worded ones (which is inconsistent);
* **speeding** — finishing in under a third of the typical completion time.

You decide what to do with them: every summary function has `exclude_flagged=True` to leave them out, for
example as a sensitivity check.'''),
    code('''\
scores = assetinv.score_domains(responses, instrument)
scores.head().round(2)'''),
    code('''\
flagged = scores[scores["quality_flags"] != ""]
print(f"{len(flagged)} of {len(scores)} rows flagged; speed threshold {scores.attrs['speed_threshold_sec']:.0f} seconds")
flagged[["school", "role", "wave", "quality_flags"]].head(8)'''),
    md('''\
## 2. Percent favourable

Many school surveys report the share of **favourable** answers ("Agree" or "Strongly agree", after flipping the
reverse-worded statements); "Neither" is not favourable. It is easy to explain to principals and is shown next
to the mean in the reports. Groups or statements with fewer than `min_n` answers are suppressed.'''),
    code('''\
baseline = responses[responses["wave"] == "baseline"]
fav = assetinv.percent_favourable(baseline, instrument, by="school", min_n=MIN_N)
fav[fav["level"] == "domain"].pivot(index="school", columns="domain", values="pct_favourable")[
    instrument.domains["id"].tolist()
].round(0)'''),
    md('''\
## 3. School summaries, with small groups protected

`summarize` gives each school's mean per domain with its 95% interval, the number of respondents `n`, the
number invited and the **response rate** (from the roster), percent favourable and the reliability of the mean.

**Suppression.** A group with fewer than `min_n` respondents (5 here), or a response rate under
`min_response_rate` (50%), is never shown: its row is kept with the reason in `suppressed`, and every number is
blank. Few respondents make a mean both unreliable and *identifying* — a school's two or three leaders could be
recognised from "the leaders' average".'''),
    code('''\
staff = scores[scores["role"].isin(["teacher", "leader"])]
summary = assetinv.summarize(
    staff[staff["wave"] == "baseline"],
    ("school",),
    roster=roster,
    responses=responses,
    min_n=MIN_N,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
summary[["school", "domain", "n", "invited", "response_rate", "mean", "ci_low", "ci_high", "pct_favourable",
         "reliability", "suppressed"]].head(8).round(2)'''),
    md('''\
Broken down by **role**, every school's leaders are fewer than five, so they are suppressed. Their teachers are
then suppressed too (*complementary suppression*): otherwise the leaders' mean could be worked out from the
school total and the teachers' mean. This is why **leaders are never shown on their own for a single school**.'''),
    code('''\
by_role = assetinv.summarize(
    staff[staff["wave"] == "baseline"],
    ("school", "role"),
    roster=roster,
    min_n=MIN_N,
    instrument=instrument,
)
by_role.loc[by_role["domain"] == "OS", ["school", "role", "n", "mean", "suppressed"]].head(6)'''),
    md('''\
At follow-up, fewer than half of one school's teachers answered: the low **response rate** suppresses it,
because the few who answered may not speak for the staff. A few domains of two other schools are suppressed as
well (*complementary suppression* again): with the network total published, one suppressed school could
otherwise be worked out from the others.'''),
    code('''\
followup = assetinv.summarize(
    staff[staff["wave"] == "followup"],
    ("school",),
    roster=roster,
    min_n=MIN_N,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
followup.loc[followup["suppressed"] != "", ["school", "domain", "invited", "suppressed"]]'''),
    md('''\
## 4. Asset profiles

`asset_profile` classes every school × domain by two comparisons, and writes the rule out in full:'''),
    code('''\
profile = assetinv.asset_profile(
    scores,
    roster=roster,
    min_n=MIN_N,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
print(profile.attrs["rule"])'''),
    md('''\
In short: a domain is an **asset** when the school is clearly above the *other* schools (the interval of the
difference excludes zero) or its whole interval is at least 4 of 5, a **growth area** when clearly below the
others or its whole interval is under 3, and **typical** otherwise (and typical, too, when the two comparisons
disagree). Because a network makes many comparisons at once, the p-values are adjusted together
(Benjamini–Hochberg): `status_unadjusted` shows what each comparison would say on its own, `status` what
survives. `rank` 1 is the highest school in the network.'''),
    code('''\
profile[["school", "domain_short", "n", "mean", "ci_low", "ci_high", "others_mean", "diff", "rank",
         "status_unadjusted", "status"]].head(8).round(2)'''),
    md('''\
The heat map shows the whole network at once: one row per school, one column per domain, the mean and a status
symbol (▲ asset, ● typical, ▼ growth area). Suppressed cells are hatched.'''),
    code('''\
assetinv.heatmap_network(profile)'''),
    md(f'''\
One school in detail — here **{EXAMPLE_SCHOOL}**. The sentences are written for principals and go straight into
the school report.'''),
    code(f'''\
school = "{EXAMPLE_SCHOOL}"
print(schools.loc[schools["school"] == school, "name"].item())
for sentence in profile.loc[profile["school"] == school, "sentence"]:
    print("•", sentence)'''),
    code('''\
assetinv.school_profile_plot(profile, school)'''),
    md('''\
## 5. Do leaders and teachers see the school the same way?

A **perception gap** is the leaders' mean minus the teachers' mean. Leaders often rate their school higher;
a large gap (half a point or more is flagged) is a useful conversation starter in a partnership.

A gap is shown only when **both** groups number at least `min_n`. No school in the sample has five leaders, so
every school-level gap is suppressed; the district and network gaps are shown.'''),
    code('''\
gaps_district = assetinv.perception_gaps(scores, level="district", min_n=MIN_N, instrument=instrument)
gaps_district[["group", "domain", "n_teachers", "n_leaders", "teacher_mean", "leader_mean", "gap", "ci_low",
               "ci_high", "flagged_large"]].round(2)'''),
    md('''\
For one school's report, `perception_gaps_with_fallback` takes the finest level that may be shown: the school,
else its district, else the network — and the `note` says which and why.'''),
    code('''\
gaps_school = assetinv.perception_gaps_with_fallback(scores, school, min_n=MIN_N, instrument=instrument)
gaps_school[["domain", "level", "group", "gap", "ci_low", "ci_high", "note"]].round(2)'''),
    code('''\
assetinv.gap_plot(gaps_school)'''),
    md('''\
## 6. From profile to supports

The CBO's **playbook** (a YAML file the CBO can edit) lists supports per domain and status. For an asset, the
support says how to use the asset as a lever ("build on"); for typical and growth-area domains, how to grow it.
`recommend` picks them for one school, with the survey evidence, and cites the school's most frequent interview
codes when they may be shown. (With two interviews per school, the school-level code counts are suppressed in
this sample, so no codes are cited; see notebook 05.)'''),
    code('''\
playbook = assetinv.load_playbook(instrument=instrument)
tallies = assetinv.code_tallies(codings, "school", instrument=instrument, min_n=MIN_N)
supports = assetinv.recommend(profile, school, playbook=playbook, codes=tallies, instrument=instrument)
supports[["domain", "status", "kind", "support", "evidence"]]'''),
    code('''\
first = supports.iloc[0]
print(f"{first['support']} ({first['kind']}, {first['domain_name']})")
print(first["description"])
print("Lever:", first["lever"] or "-")'''),
    md('''\
## Summary

* Scores are averages of the answered statements; doubtful patterns are flagged, not silently removed.
* Any group under `min_n`, or under the response-rate minimum, is suppressed everywhere, with the reason —
  and leaders are never shown on their own for a single school.
* The profile classes each domain against the network and an absolute standard; read the interval, not only the
  point: "typical" often means "cannot be told apart from the network with these numbers".'''),
]

# --------------------------------------------------------------------------- 04 change
NB04 = [
    md('''\
# 4. Change over time: baseline to follow-up

**What you will learn.** How `change_over_time` estimates the change in each domain for the network and for each
school, how to read the estimate, its interval and the effect size, and how well the estimates recover the true
growth built into the simulated sample.

**What this answers for the CBO.** *Did the schools' assets grow during the partnership?* Change is estimated
with a multilevel model (respondents within schools), so that schools with many respondents do not dominate and
people who answered both waves are recognised as the same person.

**Cautions.** A survey change shows *that* something moved, not *why*: the partnership is one of many things
happening in a school. And a change smaller than its interval's width is not evidence of change in either
direction.'''),
    md(SETUP_MD),
    code(SETUP),
    code(READ_SURVEY + '''
scores = assetinv.score_domains(responses, instrument)
print(scores["wave"].value_counts().to_dict())'''),
    md('''\
## 1. Estimate the change

One call estimates the network change and, with `by_school=True`, each school's change. Teachers and leaders are
included; district staff are not. Schools with fewer than `min_n` scored respondents in either wave are
suppressed. (The network model takes a few seconds.)'''),
    code('''\
change = assetinv.change_over_time(scores, by_school=True, min_n=MIN_N, instrument=instrument)
network = change[change["scope"] == "network"]
network[["domain", "estimate", "ci_low", "ci_high", "p_value", "effect_size", "n_baseline", "n_followup",
         "n_linked"]].round(3)'''),
    md('''\
How to read the table:

* `estimate` — the average change in points on the 1-5 scale (follow-up minus baseline);
* `ci_low`, `ci_high` — the 95% interval: if it excludes 0, the data show a change;
* `effect_size` — the change in standard-deviation units; about 0.2 is a *small*, 0.5 a *medium* and 0.8 a
  *large* change (Cohen 1988). Changes in school climate over one year are usually small;
* `n_linked` — respondents who answered both waves (a linked panel makes the estimate more precise).

Each row also carries a plain-language `reading`, and `model`/`note` say which model was fitted (for example
when a variance was estimated at zero and the model was simplified).'''),
    code('''\
for reading in network["reading"]:
    print("•", reading)
print()
print("model:", network["model"].iloc[0])
print("note:", network["note"].iloc[0] or "-")'''),
    md('''\
In the figure, filled markers are changes whose interval excludes zero; open markers could be no change.'''),
    code('''\
assetinv.change_plot(network)'''),
    md('''\
## 2. Change in each school

Each school's change is estimated from its own respondents, so the intervals are much wider than the network's:
with 20-25 respondents a school can only detect fairly large changes. Treat school-level change as a
conversation starter, not a verdict.'''),
    code('''\
per_school = change[change["scope"] != "network"]
per_school.pivot(index="scope", columns="domain", values="estimate")[instrument.domains["id"].tolist()].round(2)'''),
    code(f'''\
school = "{EXAMPLE_SCHOOL}"
one = per_school[per_school["scope"] == school]
for reading in one["reading"]:
    print("•", reading)
assetinv.change_plot(one, title=f"Change at {{school}}")'''),
    md('''\
Suppressed schools (too few respondents in a wave), if any, are listed here with the reason. Note that
`change_over_time` applies the minimum group size but not the response-rate rule: S03's follow-up (under half of
its teachers answered, suppressed in the profiles of notebook 03) still gets a change estimate here. Read such a
school's change with care — the few who answered may not speak for the staff.'''),
    code('''\
per_school.loc[per_school["suppressed"] != "", ["scope", "domain", "suppressed"]]'''),
    md('''\
## 3. Does the method recover the truth?

The sample data were *simulated*, so we know the true average growth per domain that the generator used
(`data/truth.json`, described in `data/TRUTH.md`). Reading that file is not statistics — we only put the true
values beside the estimates. Two things to expect:

* the network estimate is the change of *these* 12 schools, which scatter around the generator's average growth;
* the generator's growth is on the latent scale; answers rounded to a 1-5 scale shrink it slightly.

So we check that the interval covers the true value, not that the numbers match exactly.'''),
    code('''\
import json

truth = json.loads((data_dir / "truth.json").read_text())
true_growth = pd.Series(truth["model"]["growth_mean"], name="true_growth")
compare = network.set_index("domain")[["estimate", "ci_low", "ci_high"]].join(true_growth)
compare["interval_covers_truth"] = compare["true_growth"].between(compare["ci_low"], compare["ci_high"])
compare.round(3)'''),
    md('''\
The same per school: each school had its own true growth.'''),
    code('''\
school_truth = pd.DataFrame(
    [{"scope": s["school"], "domain": d, "true_growth": g} for s in truth["schools"] for d, g in s["growth"].items()]
)
check = per_school.merge(school_truth, on=["scope", "domain"])
check["interval_covers_truth"] = check["true_growth"].between(check["ci_low"], check["ci_high"])
print(check["interval_covers_truth"].value_counts().to_dict())
check.loc[check["scope"] == school, ["scope", "domain", "estimate", "ci_low", "ci_high", "true_growth",
                                     "interval_covers_truth"]].round(3)'''),
    md('''\
About 95% of the intervals should cover the truth; with 48 school × domain intervals a couple of misses are
expected.

## Summary

* Read the network change first: it is the most precise. Growth in a domain the partnership targeted is
  encouraging; no detectable change is not proof of no effect.
* School-level changes are imprecise with 20-25 respondents per wave; use them to ask questions, not to rank.
* Small groups are suppressed here as everywhere else.'''),
]

# --------------------------------------------------------------------------- 05 interviews
NB05 = [
    md('''\
# 5. Interviews, coder agreement and the joint display

**What you will learn.** How to read coded interview excerpts, count codes by school, role and domain, see which
codes occur together, check that two coders apply the codebook consistently (and list their disagreements for a
consensus meeting), choose redacted quotes, and put survey and interview evidence side by side in a **joint
display**. Finally, how to exchange codings with NVivo, ATLAS.ti, MAXQDA or QualCoder through REFI-QDA
(`.qdpx`) files.

**What this answers for the CBO.** *Do the people we interviewed describe the same assets and needs that the
survey shows?* When survey and interviews agree, a finding is solid; when they disagree, that is worth
exploring with the school.'''),
    md(SETUP_MD),
    code(SETUP),
    md('''\
## 1. The codings table

One row per excerpt × code × coder: the excerpt's text, the interview it comes from, the school and the
interviewee's role, the coder and the code (from the codebook bundled with the instrument). `exemplary` marks
excerpts a coder picked as a good illustration.'''),
    code('''\
codings = assetinv.read_codings(config["codings"], instrument)
print(f"{len(codings)} coding rows, from {codings['interview_id'].nunique()} interviews; coders: "
      f"{', '.join(sorted(codings['coder'].unique()))}")
codings.head()'''),
    code('''\
instrument.codebook[["id", "group", "name", "definition"]].head(6)'''),
    md('''\
## 2. How often is each code mentioned?

`code_tallies` counts, per group, the **excerpts** that carry a code (any coder) and the **interviews** that mention
it at least once (so a talkative interviewee counts once). Shares are of the group's excerpts and interviews.

**Suppression applies here too**: a group with fewer than `min_n` interviews is not shown. Each school has two
interviews in the sample, so the by-school counts are all suppressed: interview counts from one or two people
are not a finding about a school.'''),
    code('''\
by_school = assetinv.code_tallies(codings, "school", instrument=instrument, min_n=MIN_N)
by_school[["school", "code", "n", "n_excerpts", "suppressed"]].head(4)'''),
    md('''\
For the network, by role, at the **domain** level (an excerpt mentions a domain when it carries any of its codes;
BARRIER and ENABLER are cross-cutting code groups):'''),
    code('''\
by_role = assetinv.code_tallies(codings, "role", level="domain", instrument=instrument, min_n=MIN_N)
by_role[["role", "domain", "domain_name", "n", "n_excerpts", "n_interviews", "share_interviews"]].round(2)'''),
    md('''\
The most frequent codes in the whole network:'''),
    code('''\
network_codes = assetinv.code_tallies(codings, None, instrument=instrument, min_n=MIN_N)
network_codes[["code", "code_name", "group", "n_excerpts", "n_interviews", "share_interviews"]].head(10).round(2)'''),
    md('''\
## 3. Which codes occur together?

`cooccurrence` counts the excerpts carrying both codes (the diagonal is the number of excerpts with that code).
Here: the collaborative-structures codes against the barriers — which structures are talked about together
with which obstacles?'''),
    code('''\
codebook = instrument.codebook
chosen = codebook.loc[codebook["group"].isin(["OS", "BARRIER"]), "id"].tolist()
assetinv.cooccurrence(codings, within="excerpt", codes=chosen, instrument=instrument)'''),
    md('''\
## 4. Do the coders agree?

About a third of the excerpts were coded independently by a second coder. For every double-coded excerpt and
every code, each coder made a yes/no decision: did the code apply? `coder_agreement` compares these decisions:

* **percent agreement** — the share of decisions on which the coders agree. Easy to read, but flattering: most
  codes do *not* apply to most excerpts, so two coders agree on "no" most of the time by default;
* **Cohen's kappa** and **Krippendorff's alpha** — agreement *beyond what chance would give*; 0 = chance, 1 =
  perfect. Krippendorff's rule: **.80 or more** reliable, **.667 to .80** acceptable for tentative conclusions,
  below .667 the code needs a clearer definition;
* **Gwet's AC1** — a chance-corrected coefficient that is not dragged down when a code is rare (when kappa is
  low despite very high percent agreement, look at AC1).

The intervals come from resampling excerpts (`n_boot=200` here to keep the notebook quick, with a seed).'''),
    code('''\
agreement = assetinv.coder_agreement(codings, group_by="domain", n_boot=200, seed=2026, instrument=instrument)
agreement[["domain", "n_units", "n_positive", "percent_agreement", "cohen_kappa", "krippendorff_alpha",
           "krippendorff_alpha_lo", "krippendorff_alpha_hi", "gwet_ac1", "note"]].round(2)'''),
    md('''\
Per code, without intervals: codes with low alpha are the ones to discuss first.'''),
    code('''\
per_code = assetinv.coder_agreement(codings, group_by="code", n_boot=0, instrument=instrument)
per_code[["code", "n_units", "n_positive", "percent_agreement", "krippendorff_alpha", "gwet_ac1", "note"]].head(10).round(2)'''),
    md('''\
### A worklist for the consensus meeting

`disagreements` lists each excerpt and code that one coder applied and the other did not, with the text — the
agenda for a meeting where coders settle the cases and sharpen the codebook definitions.'''),
    code('''\
worklist = assetinv.disagreements(codings, instrument=instrument)
print(f"{len(worklist)} decisions to discuss")
worklist[["excerpt_id", "code", "applied_by", "not_applied_by", "text"]].head(5)'''),
    md('''\
## 5. Quotes for a report, redacted

`exemplar_quotes` picks quotes per school and domain (exemplary excerpts first, then those both coders agreed
on) and passes them through `redact`, which removes names with titles, pairs of capitalised names, e-mail
addresses and phone numbers. Speakers' roles are left out by default, because "the principal said" identifies a
person, and phrases such as "as a principal" or "my teachers" become "[as a staff member]" and "[the school's
staff]". Always read quotes before publishing: a lone first name is only caught when you pass the roster names.
This is the analyst's view: the reports publish a school's quotes only when no role there gave a single interview
(see docs/privacy.md), which no sample school meets.'''),
    code(f'''\
school = "{EXAMPLE_SCHOOL}"
quotes = assetinv.exemplar_quotes(codings, school=school, n=2, instrument=instrument)
quotes[["domain", "rank", "codes", "quote"]]'''),
    code('''\
print(assetinv.redact("Ask Ms. Okafor or mail d.whitfield@school.org, or call 555-123-4567."))
print(assetinv.redact("Priya runs the robotics club.", names=["Priya Raman"]))'''),
    md('''\
## 6. The joint display: survey and interviews side by side

A **joint display** (Guetterman, Fetters & Creswell 2015) puts, for each domain, the survey mean and status next
to the interview evidence: the most frequent codes, the number of coded excerpts, the coders' agreement and an
exemplar quote. The `evidence` sentence is what the report cites. It uses the school's asset profile, so we
score the survey first.

For one school, the interview columns are blank here, and `interviews_suppressed` says why: each sample school had
one teacher and one leader interview, so whatever was not the teacher's would be the leader's. A school with at
least two interviews in every role it has would show its codes, with counts of 1 or 2 written "1+" in the
published tables. The network display below pools all the interviews.'''),
    code(READ_SURVEY + '''
scores = assetinv.score_domains(responses, instrument)
profile = assetinv.asset_profile(scores, roster=roster, min_n=MIN_N,
                                 min_response_rate=config["min_response_rate"], instrument=instrument)
joint = assetinv.joint_display(profile, codings, agreement, school=school, instrument=instrument)
joint[["domain", "survey_mean", "status", "top_codes", "n_excerpts", "agreement"]].round(2)'''),
    code('''\
for sentence in joint["evidence"]:
    print("•", sentence)'''),
    code('''\
assetinv.joint_display_figure(joint, title=f"Joint display: {school}")'''),
    md('''\
For the whole network (the status column summarises the schools):'''),
    code('''\
joint_network = assetinv.joint_display(profile, codings, agreement, instrument=instrument)
joint_network[["domain", "survey_mean", "status", "top_codes", "n_excerpts"]].round(2)'''),
    md('''\
## 7. Exchanging codings with qualitative software (REFI-QDA)

NVivo, ATLAS.ti, MAXQDA and QualCoder export and import **REFI-QDA projects** (`.qdpx`). `write_qdpx` writes
the codings, the codebook and the coders as such a project; `read_qdpx` reads one back (and `read_codings` reads
`.qdpx` files directly). Here we write to a temporary folder and read it back: nothing is lost.'''),
    code('''\
import tempfile
from pathlib import Path

project = assetinv.write_qdpx(codings, Path(tempfile.mkdtemp()) / "interviews.qdpx", instrument)
back = assetinv.read_qdpx(project, instrument)
print(f"wrote {project.name} ({project.stat().st_size:,} bytes); read back {len(back)} coding rows")
print("identical to the original:", back.reset_index(drop=True).equals(codings.reset_index(drop=True)))'''),
    md('''\
To analyse a project exported by your QDA software, point `codings:` in `study.yaml` at the `.qdpx` file, or
call `assetinv.read_codings("project.qdpx")`. Interviews need a `school` and a `role` variable (on the source or
its case) so that excerpts can be linked to schools.

## Summary

* Code counts describe what interviewees talked about, not how common something is in a school; small groups
  are suppressed.
* Check coder agreement before trusting codes; use the disagreements list to refine the codebook.
* Read the joint display domain by domain: where survey and interviews converge, the finding is strong.'''),
]

# --------------------------------------------------------------------------- 07 network summary
NB07 = [
    md('''\
# 7. Network summary: the view for the CBO director

**What you will learn.** How to read the whole network on one page: which domains are assets across schools,
where schools need support, what changed since baseline, where leaders and teachers see things differently, how
dependable the numbers are, and what the interviews add.

**What this answers for the CBO.** *Where should the partnership invest, and what can it build on?* This notebook
shows the same tables as `reports/network.html` (written by `assetinv report`). `load_context` reads the study
once and runs every network analysis once; the cells below only display its tables.

**Cautions that apply to every table.** Groups with fewer than `min_n` respondents (or a response rate under the
minimum) are suppressed, with the reason; leaders are never shown on their own for a single school; the data
in this sample are simulated.'''),
    md('''\
## Set up

`load_context()` without arguments uses the bundled sample (found from any working directory); pass the folder
of your own study, e.g. `load_context("C:/evaluation/2025")`. It takes a few seconds: it runs every analysis of
notebooks 02-05 at once.'''),
    code('''\
import pandas as pd
from IPython.display import display

import assetinv
from assetinv.report import load_context

pd.set_option("display.max_columns", 30)
pd.set_option("display.max_colwidth", 120)
pd.set_option("display.width", 160)

ctx = load_context()
print(ctx.config["title"])
print(f"{len(ctx.school_ids)} schools; suppression minimum {ctx.min_n}; instrument v{ctx.instrument.version}")
tables = ctx.tables
sorted(tables)'''),
    md('''\
## 1. Who answered

Respondents per school and wave against the roster. Response rates under the minimum make a school's results
unreportable for that wave.'''),
    code('''\
tables["participation"].pivot(index="school", columns="wave", values="response_rate").round(2)'''),
    code('''\
tables["data_quality"]'''),
    md('''\
## 2. The network at a glance

Every school × domain: the baseline mean and status (▲ asset, ● typical, ▼ growth area). Read across a row for a
school's profile, down a column for a domain across the network.'''),
    code('''\
profile = tables["asset_profile"]
assetinv.heatmap_network(profile)'''),
    md('''\
The profile table for all schools: status per domain (suppressed schools would be blank with the reason in
`suppressed`), then the means.'''),
    code('''\
domains = ctx.instrument.domains["id"].tolist()
profile.pivot(index="school", columns="domain", values="status")[domains]'''),
    code('''\
profile.pivot(index="school", columns="domain", values="mean")[domains].round(2)'''),
    md('''\
How many schools have each domain as an asset or a growth area — this is where the partnership can build, and
where most schools need support:'''),
    code('''\
joint = tables["joint_display_network"]
joint[["domain_name", "survey_mean", "status"]].round(2)'''),
    md('''\
## 3. Change since baseline

The network's average change per domain with its 95% interval, from the multilevel model of notebook 04.'''),
    code('''\
change = tables["change"]
network_change = change[change["scope"] == "network"]
for reading in network_change["reading"]:
    print("•", reading)
assetinv.change_plot(network_change)'''),
    md('''\
## 4. Leaders and teachers

Leader minus teacher means at district and network level. School-level gaps are not shown here: no school has
five or more leaders, and a school's leaders are never shown on their own.'''),
    code('''\
gaps = tables["gaps_network"]
gaps[["level", "group", "domain", "n_teachers", "n_leaders", "gap", "ci_low", "ci_high", "flagged_large",
      "suppressed"]].round(2)'''),
    code('''\
assetinv.gap_plot(gaps[gaps["level"] == "district"], title="Leader minus teacher, by district")'''),
    md('''\
## 5. How dependable are these numbers?

Alpha and omega per domain (.80 or more = good), and ICC(2), the reliability of a school mean (.70 or more =
school means can be compared). See notebook 02 for the details. The report pools both waves and every role,
so its numbers differ a little from notebook 02, which uses the baseline wave only.'''),
    code('''\
tables["reliability_domains"][["domain", "n", "raw_alpha", "omega_total", "icc1", "icc2"]].round(2)'''),
    code('''\
for verdict in tables["reliability_domains"]["verdict"]:
    print("•", verdict)'''),
    md('''\
## 6. What the interviews add

The codes mentioned most across the network's interviews, and how consistently the two coders applied each
domain's codes (Krippendorff's alpha: .80 or more reliable, .667-.80 tentative).'''),
    code('''\
tables["code_tallies_network"][["code", "code_name", "group", "n_excerpts", "n_interviews",
                                "share_interviews"]].head(10).round(2)'''),
    code('''\
tables["agreement_domains"][["domain", "n_units", "percent_agreement", "krippendorff_alpha", "gwet_ac1"]].round(2)'''),
    md('''\
The network joint display: survey mean and status summary beside the interview evidence, domain by domain.'''),
    code('''\
joint[["domain", "survey_mean", "top_codes", "n_excerpts", "agreement"]].round(2)'''),
    code('''\
assetinv.joint_display_figure(joint, title="Joint display: the network")'''),
    md('''\
## 7. Suggested supports across the network

Which playbook supports the schools' profiles call for, and for how many schools — a starting point for planning
the partnership's offer.'''),
    code('''\
recs = tables["recommendations"]
recs[recs["kind"] != "not reported"].value_counts(["domain", "kind", "support"]).rename("schools").to_frame().head(12)'''),
    md('''\
## Next steps

* Render the HTML version of this page and every school report with `assetinv report` (see notebook 01).
* For one school, open `06_school_report.ipynb`, or run it for any school with papermill:
  `papermill notebooks/06_school_report.ipynb S03.ipynb -p school S03`.'''),
]
# --------------------------------------------------------------------------- 08 structure and invariance
NB08 = [
    md('''\
# 8. Structure and invariance in plain words

**What you will learn.** Whether the survey measures the four domains it claims to (a *confirmatory factor
analysis*, CFA), whether teachers and leaders, and baseline and follow-up, read the items the same way
(*measurement invariance*), how reliable the domains are when the 5-point answers are treated as ordered
categories (*ordinal alpha and omega*), and how many staff a school needs for a dependable school mean
(*survey planning*).

**Why it matters for the CBO.** A leader-teacher gap or a change since baseline means something only if both
groups understand the items alike. When they do not, the report still shows the numbers, with a caution.

Every number below comes from an `assetinv` function; the methods and their accuracy against R lavaan and psych
are in `docs/psychometrics.md`.'''),
    md(SETUP_MD),
    code(SETUP),
    code(READ_SURVEY),
    md('''\
## 1. Does the survey measure four domains?

`assetinv.cfa` fits the model the instrument describes: each item belongs to its own domain, and the four
domains may correlate. Reverse-keyed items are turned around first, so every loading should be positive.
Missing answers are handled by full-information maximum likelihood, so no respondent is dropped for skipping an
item. We use the baseline wave, so that each person counts once.'''),
    code('''\
baseline = responses[responses["wave"] == "baseline"]
fit = assetinv.cfa(baseline, instrument=instrument)
print(fit.summary())
print("reversed first:", ", ".join(fit.reversed))
print("warnings:", fit.warnings or "none")'''),
    md('''\
**How to read the fit.** *CFI* and *TLI* near 1 (above .95 is good, above .90 acceptable), *RMSEA* below .06
(good) or .08 (acceptable), with its 90% interval, and *SRMR* below .08 say the four-domain model reproduces
how the answers hang together. The chi-square test is reported too, but with hundreds of respondents it flags
even trivial misfit. Any warning (a model that did not converge, a negative variance, a factor correlation
above 1) would be printed above and must be resolved before the numbers are used.

**The standardized loadings** (`std_all`) say how strongly each item reflects its domain: above .5 is
usually wanted.'''),
    code('''\
display(pd.DataFrame([fit.fit]).round(3))
display(fit.loadings.round(3))'''),
    md('''\
## 2. Do teachers and leaders, and the two waves, read the items the same way?

`assetinv.invariance` fits the same model in each group three times, each step adding equality constraints:

* **configural**: the same items belong to the same domain in every group;
* **metric**: the items relate to their domain equally strongly in every group (equal loadings);
* **scalar**: at the same level of the domain, every group gives the same answers (equal intercepts). Only with
  scalar invariance can the groups' *means* be compared fairly.

A step *holds* when CFI drops by less than .010 (Cheung & Rensvold 2002) and RMSEA rises by less than .015
(Chen 2007). Here each domain is tested on its own, across roles (teachers and leaders) and across waves.
Many staff answered at both waves; the multi-group model treats the waves as independent samples, a common
simplification. Respondents who skipped every item of a domain are left out of that domain's fits (as lavaan
does); the filter below keeps that routine notice from repeating for every fit.'''),
    code('''\
import warnings

warnings.filterwarnings("ignore", message=".*no answer to any item were left out")
staff = responses[responses["role"].isin(["teacher", "leader"])]
steps = []
for domain in instrument.domains["id"]:
    model = {domain: instrument.item_ids(domain)}
    for group, data in [("role", staff), ("wave", responses)]:
        table = assetinv.invariance(data, model, group=group, instrument=instrument)
        table.insert(0, "domain", domain)
        table.insert(1, "across", group)
        steps.append(table)
invariance = pd.concat(steps)
display(invariance[["domain", "across", "chisq", "df", "cfi", "rmsea", "delta_cfi", "delta_rmsea",
                    "verdict"]].round(3))'''),
    md('''\
**In plain words.** The `meaning` column says what each verdict implies. When scalar invariance is not
supported, gaps between roles (or changes between waves) in that domain may partly reflect how the items are
read. `assetinv.invariance_caution` gives the sentence to print next to such a gap or change:'''),
    code('''\
for table in steps:
    domain, across = table["domain"].iloc[0], table["across"].iloc[0]
    caution = assetinv.invariance_caution(table, "gaps" if across == "role" else "changes")
    print(f"{domain} across {across}: {caution or 'equal loadings and intercepts supported; compare freely.'}")'''),
    md('''\
## 3. Reliability that respects ordered answers

Cronbach's alpha treats 1-5 answers as numbers with equal steps. *Ordinal alpha* and *ordinal omega* compute
the same coefficients on polychoric correlations, which treat the answers as ordered categories (Zumbo,
Gadermann & Zeisser 2007). They are usually a little higher than raw alpha. The intervals are bootstrap
percentile intervals (few resamples here to keep the notebook quick; use 1,000 for a report).'''),
    code('''\
rows = []
for domain in instrument.domains["id"]:
    res = assetinv.ordinal_reliability(baseline[instrument.item_ids(domain)], reverse=instrument.reverse_ids(domain),
                                       scale_min=instrument.scale_min, scale_max=instrument.scale_max, n_boot=40)
    table = res.table.reset_index()
    table.insert(0, "domain", domain)
    rows.append(table)
display(pd.concat(rows)[["domain", "statistic", "estimate", "ci_low", "ci_high"]].round(3))'''),
    md('''\
## 4. How many staff does a school need?

A school's mean is dependable when enough staff answer. `assetinv.plan_survey` uses how much schools differ
(ICC(1), with its 95% interval) to say how many respondents give the school mean a reliability of .70 and .80
(Spearman-Brown), and the smallest change between two waves that a school of *n* staff can detect with 80%
power. The interval on the number of respondents is wide with only 12 schools: a larger pilot narrows it.
The same plan is printed by the command `assetinv plan` (add `--data FOLDER` for your own pilot).'''),
    code('''\
plan = assetinv.plan_survey(responses, instrument)
print(plan.summary())
display(plan.reliability.round(3))
display(plan.change.round(3))'''),
    md('''\
**Reading the plan.** If a school has fewer staff than the number for .70, report its mean with its interval
and a note that it is not yet dependable on its own; the network and district views stay dependable. Changes
smaller than the detectable change for the school's size may be real but cannot be told apart from chance.'''),
]


# --------------------------------------------------------------------------- 09 pilot analysis
NB09 = [
    md('''\
# 9. Pilot analysis: which items of instrument 2.0.0 to revise before fielding it

A new instrument version is pre-tested before a baseline is collected: cognitive interviews with a few people
per role first (do they read each item as intended?), then a pilot of about 30 respondents per role form. This
notebook runs the pilot analysis (`assetinv.pilot_item_review`) and reads its four checks:

* **item-rest correlation**: does the item go with the rest of its domain on that role's form? Below 0.30 the
  item measures something else, or is read differently (same statistic as `r.drop` in R psych's `alpha`);
* **floor and ceiling**: more than 15% of answers at one end of the scale means the item cannot show growth
  (or decline) for those respondents;
* **Don't know**: more than 10% Don't know / Not applicable means the role cannot judge the item; move it to
  another form or rewrite it;
* **role differences**: teachers and leaders who agree on the rest of the domain but answer an item
  differently (0.5 SD or more) read it differently, so the item cannot be compared across roles.

The protocol, with the cognitive-interview probes, is in `docs/pilot.md`. Here a simulated pilot stands in for
real data; for your own pilot, read the export with `assetinv.read_responses` and pass
`assetinv.dont_know_mask(path, instrument)` as `dont_know`.'''),
    md('''\
## A simulated pilot

About 30 respondents per role: ten schools, eight staff each with about 40% leaders, and ten district staff in
each of three districts, one wave. `study.dont_know` marks the cells where someone ticked Don't know.'''),
    code('''\
import pandas as pd
from IPython.display import display

import assetinv

pd.set_option("display.max_colwidth", 120)
pd.set_option("display.width", 160)

instrument = assetinv.load_instrument("2.0.0")
pilot = assetinv.simulate_study(seed=8, n_schools=10, n_districts=3, respondents_per_school=8,
                                leader_share=0.4, district_staff_per_district=10, waves=("baseline",),
                                n_interviews=6, instrument=instrument)
responses = pilot.responses
dont_know = pilot.dont_know.assign(respondent_id=responses["respondent_id"], wave=responses["wave"])
display(responses["role"].value_counts())'''),
    md('''\
## The item review

One row per role form and item. `mean` is on keyed answers (reverse-keyed items reflected), `floor` and
`ceiling` are shares of answers as ticked, `dont_know` is the share of the respondents asked who ticked
Don't know, and `dif` is how much higher leaders answer than teachers at the same rest score, in item
standard deviations.'''),
    code('''\
review = assetinv.pilot_item_review(responses, instrument, dont_know=dont_know)
display(review.round(2).head(12))'''),
    md('''\
## Items to revise

Only the flagged rows, with the reasons. A flag is a prompt to look at the item again (in the cognitive
interviews, in its wording, in which form it is on), not an automatic deletion: with 30 respondents a ceiling
share or a role difference is uncertain.'''),
    code('''\
to_revise = review[review["revise_because"] != ""]
display(to_revise[["role", "domain", "item", "revise_because"]])
display(to_revise["role"].value_counts())'''),
    md('''\
## The item texts behind the flags

Join the flagged ids to the instrument's wording, to take into the revision meeting.'''),
    code('''\
texts = instrument.items[["id", "text"]].rename(columns={"id": "item"})
display(to_revise.merge(texts, on="item")[["role", "item", "text", "revise_because"]].head(15))'''),
]

NOTEBOOKS = {
    "01_quick_start.ipynb": NB01,
    "02_instrument_reliability.ipynb": NB02,
    "03_domain_scores_and_profiles.ipynb": NB03,
    "04_change_over_time.ipynb": NB04,
    "05_interviews_and_joint_display.ipynb": NB05,
    "07_network_summary.ipynb": NB07,
    "08_structure_and_invariance.ipynb": NB08,
    "09_pilot_analysis.ipynb": NB09,
}


def make_notebook(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """One notebook with deterministic cell ids, no outputs and execution_count null."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("_")[0]
    for i, (kind, source) in enumerate(cells):
        cell_id = f"nb{stem}-{i:02d}"
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(source, id=cell_id)
        else:
            cell = nbformat.v4.new_code_cell(source, id=cell_id)
            cell.execution_count = None
            cell.outputs = []
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    """The exact file content of one notebook."""
    return nbformat.writes(make_notebook(name, NOTEBOOKS[name])) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in NOTEBOOKS:
        path = HERE / name
        text = render(name)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(HERE.parent)}")
    if stale:
        print("out of date (run python notebooks/_build_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
