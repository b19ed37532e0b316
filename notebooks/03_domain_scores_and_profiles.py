# %% [markdown]
# # 3. Domain scores and school asset profiles
#
# **What you will learn.** How respondents are scored (and flagged), the *percent favorable* view school
# surveys often use, how school summaries protect small groups, how each school's domains are classed as
# **assets**, **typical** or **growth areas**, how leaders' and teachers' views differ, and how the CBO playbook
# turns a profile into suggested supports.
#
# **What this answers for the CBO.** *What does each school bring to the partnership, where do leaders and
# teachers see things differently, and which supports fit?* The asset framing matters: the profile starts from
# what a school already does well and uses it as a lever.

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

# %%
responses = assetinv.read_responses(config["responses"], instrument)
roster = assetinv.read_roster(config["roster"], instrument)
print(f"{len(responses)} survey rows read from {responses.attrs['source']}")
schools = assetinv.read_schools(config["schools"])
codings = assetinv.read_codings(config["codings"], instrument)
schools.head(3)

# %% [markdown]
# ## 1. Score every respondent
#
# `score_domains` gives each respondent a score per domain (the average of the answered statements, reverse-worded
# ones flipped) and the number of statements answered (`EX_n`, …). Two patterns are **flagged, never dropped**:
#
# * **straight-lining** — the same answer to every statement, even the reverse-worded ones (which is inconsistent);
# * **speeding** — finishing in under a third of the typical completion time.
#
# You decide what to do with them: every summary function has `exclude_flagged=True` to leave them out, for
# example as a sensitivity check.

# %%
scores = assetinv.score_domains(responses, instrument)
scores.head().round(2)

# %%
flagged = scores[scores["quality_flags"] != ""]
print(
    f"{len(flagged)} of {len(scores)} rows flagged; speed threshold {scores.attrs['speed_threshold_sec']:.0f} seconds"
)
flagged[["school", "role", "wave", "quality_flags"]].head(8)

# %% [markdown]
# ## 2. Percent favorable
#
# Many school surveys report the share of **favorable** answers ("Agree" or "Strongly agree", after flipping the
# reverse-worded statements); "Neither" is not favorable. It is easy to explain to principals and is shown next
# to the mean in the reports. Groups or statements with fewer than `min_n` answers are suppressed.

# %%
baseline = responses[responses["wave"] == "baseline"]
fav = assetinv.percent_favourable(baseline, instrument, by="school", min_n=MIN_N)
fav[fav["level"] == "domain"].pivot(index="school", columns="domain", values="pct_favourable")[
    instrument.domains["id"].tolist()
].round(0)

# %% [markdown]
# ## 3. School summaries, with small groups protected
#
# `summarize` gives each school's mean per domain with its 95% interval, the number of respondents `n`, the
# number invited and the **response rate** (from the roster), percent favorable and the reliability of the mean.
#
# **Suppression.** A group with fewer than `min_n` respondents (5 here), or a response rate under
# `min_response_rate` (50%), is never shown: its row is kept with the reason in `suppressed`, and every number is
# blank. Few respondents make a mean both unreliable and *identifying* — a school's two or three leaders could be
# recognized from "the leaders' average".

# %%
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
summary[
    [
        "school",
        "domain",
        "n",
        "invited",
        "response_rate",
        "mean",
        "ci_low",
        "ci_high",
        "pct_favourable",
        "reliability",
        "suppressed",
    ]
].head(8).round(2)

# %% [markdown]
# Broken down by **role**, every school's leaders are fewer than five, so they are suppressed. Their teachers are
# then suppressed too (*complementary suppression*): otherwise the leaders' mean could be worked out from the
# school total and the teachers' mean. This is why **leaders are never shown on their own for a single school**.

# %%
by_role = assetinv.summarize(
    staff[staff["wave"] == "baseline"],
    ("school", "role"),
    roster=roster,
    min_n=MIN_N,
    instrument=instrument,
)
by_role.loc[by_role["domain"] == "OS", ["school", "role", "n", "mean", "suppressed"]].head(6)

# %% [markdown]
# At follow-up, fewer than half of one school's teachers answered: the low **response rate** suppresses it,
# because the few who answered may not speak for the staff. A few domains of two other schools are suppressed as
# well (*complementary suppression* again): with the network total published, one suppressed school could
# otherwise be worked out from the others.

# %%
followup = assetinv.summarize(
    staff[staff["wave"] == "followup"],
    ("school",),
    roster=roster,
    min_n=MIN_N,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
followup.loc[followup["suppressed"] != "", ["school", "domain", "invited", "suppressed"]]

# %% [markdown]
# ## 4. Asset profiles
#
# `asset_profile` classes every school × domain by two comparisons, and writes the rule out in full:

# %%
profile = assetinv.asset_profile(
    scores,
    roster=roster,
    min_n=MIN_N,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
print(profile.attrs["rule"])

# %% [markdown]
# In short: a domain is an **asset** when the school is clearly above the *other* schools (the interval of the
# difference excludes zero) or its whole interval is at least 4 of 5, a **growth area** when clearly below the
# others or its whole interval is under 3, and **typical** otherwise (and typical, too, when the two comparisons
# disagree). Because a network makes many comparisons at once, the p-values are adjusted together
# (Benjamini–Hochberg): `status_unadjusted` shows what each comparison would say on its own, `status` what
# survives. `rank` 1 is the highest school in the network.

# %%
profile[
    [
        "school",
        "domain_short",
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "others_mean",
        "diff",
        "rank",
        "status_unadjusted",
        "status",
    ]
].head(8).round(2)

# %% [markdown]
# The heat map shows the whole network at once: one row per school, one column per domain, the mean and a status
# symbol (▲ asset, ● typical, ▼ growth area). Suppressed cells are hatched.

# %%
assetinv.heatmap_network(profile)

# %% [markdown]
# One school in detail — here **S10**. The sentences are written for principals and go straight into
# the school report.

# %%
school = "S10"
print(schools.loc[schools["school"] == school, "name"].item())
for sentence in profile.loc[profile["school"] == school, "sentence"]:
    print("•", sentence)

# %%
assetinv.school_profile_plot(profile, school)

# %% [markdown]
# ## 5. Do leaders and teachers see the school the same way?
#
# A **perception gap** is the leaders' mean minus the teachers' mean. Leaders often rate their school higher;
# a large gap (half a point or more is flagged) is a useful conversation starter in a partnership.
#
# A gap is shown only when **both** groups number at least `min_n`. No school in the sample has five leaders, so
# every school-level gap is suppressed; the district and network gaps are shown.

# %%
gaps_district = assetinv.perception_gaps(scores, level="district", min_n=MIN_N, instrument=instrument)
gaps_district[
    [
        "group",
        "domain",
        "n_teachers",
        "n_leaders",
        "teacher_mean",
        "leader_mean",
        "gap",
        "ci_low",
        "ci_high",
        "flagged_large",
    ]
].round(2)

# %% [markdown]
# For one school's report, `perception_gaps_with_fallback` takes the finest level that may be shown: the school,
# else its district, else the network — and the `note` says which and why.

# %%
gaps_school = assetinv.perception_gaps_with_fallback(scores, school, min_n=MIN_N, instrument=instrument)
gaps_school[["domain", "level", "group", "gap", "ci_low", "ci_high", "note"]].round(2)

# %%
assetinv.gap_plot(gaps_school)

# %% [markdown]
# ## 6. From profile to supports
#
# The CBO's **playbook** (a YAML file the CBO can edit) lists supports per domain and status. For an asset, the
# support says how to use the asset as a lever ("build on"); for typical and growth-area domains, how to grow it.
# `recommend` picks them for one school, with the survey evidence, and cites the school's most frequent interview
# codes when they may be shown. (With two interviews per school, the school-level code counts are suppressed in
# this sample, so no codes are cited; see notebook 05.)

# %%
playbook = assetinv.load_playbook(instrument=instrument)
tallies = assetinv.code_tallies(codings, "school", instrument=instrument, min_n=MIN_N)
supports = assetinv.recommend(profile, school, playbook=playbook, codes=tallies, instrument=instrument)
supports[["domain", "status", "kind", "support", "evidence"]]

# %%
first = supports.iloc[0]
print(f"{first['support']} ({first['kind']}, {first['domain_name']})")
print(first["description"])
print("Lever:", first["lever"] or "-")

# %% [markdown]
# ## Summary
#
# * Scores are averages of the answered statements; doubtful patterns are flagged, not silently removed.
# * Any group under `min_n`, or under the response-rate minimum, is suppressed everywhere, with the reason —
#   and leaders are never shown on their own for a single school.
# * The profile classes each domain against the network and an absolute standard; read the interval, not only the
#   point: "typical" often means "cannot be told apart from the network with these numbers".
