# %% [markdown]
# # 1. Quick start: from a survey export to a school's asset profile
#
# **What you will learn.** In ten minutes you will open the Asset Inventory instrument, read a survey export and
# the roster, check a file for problems, score every respondent on the four asset domains and read one school's
# asset profile in plain language. At the end you will see the one command that writes every report.
#
# **What this answers for the CBO.** *Which strengths does each school bring to the partnership, and where is
# support most needed?* The Asset Inventory looks at four domains:
#
# | id | domain |
# |---|---|
# | EX | Expertise in the system |
# | LM | Learning mindset, inclusive of all students |
# | CN | Cultural norms that value teachers as professionals |
# | OS | Structures and routines for collaborative work |
#
# The data used here are **simulated** (12 invented schools in 3 districts, surveyed at baseline and a year
# later). No code in these notebooks does any statistics itself: every number comes from an `assetinv` function,
# so the notebooks, the command line and the HTML reports always agree.

# %% [markdown]
# ## Set up
#
# The first code cell calls `assetinv.notebook.setup()`. It sets the display options for tables, finds the bundled
# sample data (wherever this notebook is opened from), reads the study configuration `study.yaml`, loads the survey
# instrument the configuration names, and prints the study's title. `MIN_N` is the smallest group whose numbers may
# be shown. To analyze your own study, delete the `# ` in front of the last line and put the folder holding your
# `study.yaml` in it. The figures below show inline; they are made by `assetinv` without pyplot.

# %%
import assetinv
from assetinv.notebook import setup

data_dir, config, instrument, MIN_N = setup()  # the bundled sample data, found from any working directory
# for your own study, give setup the folder holding its study.yaml:
# data_dir, config, instrument, MIN_N = setup("C:/evaluation/2025")

# %% [markdown]
# ## 1. The instrument
#
# The instrument is stored as data (a YAML file inside the package) with a **version number**. Every table
# produced from survey data records the version it was scored with, so results from different instrument
# versions are never mixed up by accident. Each domain has 8 statements answered on a 5-point agreement scale.

# %%
print(f"{instrument.name}, version {instrument.version}")
print("Scale:", ", ".join(f"{k} = {v}" for k, v in instrument.labels.items()))
instrument.domains[["id", "short", "name"]]

# %% [markdown]
# A few statements. Items marked `reverse` are worded negatively (for example *"Strong STEM teaching know-how
# stays with a few people"*): agreeing with them means *less* of the asset, so they are flipped
# (1 ↔ 5, 2 ↔ 4) before scoring. This is done for you.

# %%
instrument.items[["id", "domain", "text", "reverse"]].head(8)

# %% [markdown]
# ## 2. Read the survey export
#
# `read_responses` accepts CSV, Excel and SPSS files (Qualtrics exports included) and returns one **tidy** table:
# one row per respondent and wave, the columns `respondent_id, school, district, role, wave`, then one column per
# statement (`EX01` … `OS08`) holding the answer 1-5, or blank (NaN) when it was skipped. Labels such as
# "Agree" or "Baseline" are converted to the ids the instrument uses. District staff are recorded with their
# district id in the `school` column and are only reported at district level.

# %%
responses = assetinv.read_responses(config["responses"], instrument)
roster = assetinv.read_roster(config["roster"], instrument)
print(f"{len(responses)} survey rows read from {responses.attrs['source']}")

# %%
responses.head()

# %% [markdown]
# The **data-quality table** accounts for every row of the file: rows read = rows used + rows excluded, each
# exclusion with its reason. It holds counts only, never ids, so it can be shared.

# %%
assetinv.data_quality(responses)

# %% [markdown]
# The roster says how many staff were **invited** per school, role and wave; it gives the response rates.

# %%
roster.head(6)

# %% [markdown]
# ## 3. Check a file before you analyze it
#
# `validate_file` lists every problem in a file, each with the file, the row (as numbered in a spreadsheet,
# header = row 1), the column and how to fix it. An empty list means the file is fine. The same check runs from a
# terminal with `assetinv validate FILE`.

# %%
problems = assetinv.validate_file(config["responses"], instrument)
print("responses.csv:", "no problems" if not problems else problems)

# %% [markdown]
# Here is what a problem looks like. We write a small roster with two mistakes (a negative count and a misspelt
# role) into a temporary folder and check it.

# %%
import tempfile
from pathlib import Path

scratch = Path(tempfile.mkdtemp())
bad_roster = scratch / "roster.csv"
bad_roster.write_text(
    "school,district,role,wave,invited\nS01,D1,teacher,baseline,-3\nS02,D1,principle,baseline,4\n"
)
for problem in assetinv.validate_file(bad_roster, instrument):
    print("•", problem)

# %% [markdown]
# ## 4. Score the four domains
#
# A respondent's **domain score** is the average of the statements of that domain they answered (after flipping
# the reverse-worded ones), given only when at least half of the domain was answered. Nobody is dropped:
# respondents who gave the same answer everywhere (*straight-lining*) or finished implausibly fast (*speeding*)
# are flagged in the `quality_flags` column for you to decide.

# %%
scores = assetinv.score_domains(responses, instrument)
scores.head().round(2)

# %% [markdown]
# ## 5. A school's asset profile
#
# `asset_profile` compares each school's baseline mean (teachers and leaders) with the network mean and with an
# absolute standard, and classes every domain as an **asset**, **typical** or a **growth area**. Schools with fewer
# than `min_n` respondents or a response rate under `min_response_rate` are *suppressed*: their numbers are never
# shown. The `sentence` column says the result in plain language.

# %%
profile = assetinv.asset_profile(
    scores,
    roster=roster,
    min_n=MIN_N,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
profile[["school", "domain_short", "n", "mean", "network_mean", "status"]].head(8).round(2)

# %%
school = "S10"
for sentence in profile.loc[profile["school"] == school, "sentence"]:
    print("•", sentence)

# %% [markdown]
# The same profile as a figure: the school's mean in each domain with its 95% interval (the range the true
# school mean plausibly lies in), the network mean as a gray diamond, and dashed lines at the absolute
# thresholds. Status is written in words as well as shown by color and shape.

# %%
assetinv.school_profile_plot(profile, school)

# %% [markdown]
# ## 6. Render every report
#
# One command renders the network summary and one self-contained HTML report per school (they open in any browser,
# offline) plus every table as CSV and Excel. Run it in a terminal (not in this notebook):
#
# ```bash
# assetinv report                                   # the bundled sample -> reports/
# assetinv report --data path/to/study --out reports --jobs 2
# ```
#
# Then open `reports/index.html`. The same is available from Python as
# `assetinv.report.build_reports(data="path/to/study", out="reports")`.
#
# ## Where next
#
# | notebook | question it answers |
# |---|---|
# | `02_instrument_reliability` | Can we trust the domain scores? |
# | `03_domain_scores_and_profiles` | What are each school's assets and growth areas, and what support fits? |
# | `04_change_over_time` | Did the domains change between baseline and follow-up? |
# | `05_interviews_and_joint_display` | What do the interviews say, and do they agree with the survey? |
# | `06_school_report` | One school's report (a template for papermill) |
# | `07_network_summary` | The network at a glance, for the CBO director |
