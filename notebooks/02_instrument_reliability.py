# %% [markdown]
# # 2. Instrument reliability: can we trust the domain scores?
#
# **What you will learn.** How consistently the statements of each domain measure the same thing (coefficient
# alpha and omega), what the item tables say about individual statements, why reverse-worded statements matter,
# and whether the survey can tell *schools* apart (ICC and group-mean reliability, within-school agreement).
#
# **What this answers for the CBO.** Before comparing schools or tracking change, we need to know that a domain
# score is dependable. A domain whose statements do not hang together, or a school mean based on too few people,
# should be read with care — or not at all.
#
# ### What ".80" means, in plain words
#
# Reliability runs from 0 to 1. A reliability of **.80** means that about 80% of the differences we see between
# people's scores reflect real differences, and about 20% is noise (the luck of how a person read a statement on
# the day). Common rules of thumb, used throughout `assetinv`:
#
# * **.80 or more: good** — fine for describing groups and for most decisions;
# * **.70 to .80: adequate** — fine for group summaries, read individual differences with care;
# * **under .70: weak** — look at the statements before using the score.
#
# These thresholds describe *group* reporting. No decision about an individual teacher should rest on these scores.

# %% [markdown]
# ## Set up
#
# The first code cell calls `assetinv.notebook.setup()`. It sets the display options for tables, finds the bundled
# sample data (wherever this notebook is opened from), reads the study configuration `study.yaml`, loads the survey
# instrument the configuration names, and prints the study's title. `MIN_N` is the smallest group whose numbers may
# be shown. To analyze your own study, delete the `# ` in front of the last line and put the folder holding your
# `study.yaml` in it. The figures below show inline; they are made by `assetinv` without pyplot.

# %%
from IPython.display import display

import assetinv
from assetinv.notebook import setup

data_dir, config, instrument, MIN_N = setup()  # the bundled sample data, found from any working directory
# for your own study, give setup the folder holding its study.yaml:
# data_dir, config, instrument, MIN_N = setup("C:/evaluation/2025")

# %% [markdown]
# We use the **baseline** wave: reliability is a property of the instrument in a population, and using one wave
# keeps each person once.
#
# Instrument 2.0.0 has a **form for each role**: teachers, school leaders and district staff each answer the
# statements they can judge. Reliability belongs to a form, so sections 1, 2 and 5 look at the **teacher form**,
# which most staff answer.

# %%
responses = assetinv.read_responses(config["responses"], instrument)
roster = assetinv.read_roster(config["roster"], instrument)
print(f"{len(responses)} survey rows read from {responses.attrs['source']}")
baseline = responses[responses["wave"] == "baseline"]
teachers = baseline[baseline["role"] == "teacher"]
print(f"{len(baseline)} baseline respondents, {len(teachers)} of them teachers")

# %% [markdown]
# ## 1. Coefficient alpha for one domain
#
# We start with *Structures and routines for collaborative work* (OS) on the teacher form. A statement that
# mirrors another one in the opposite direction is **reverse-keyed**; the instrument knows which ones.

# %%
domain = "OS"
items = instrument.item_ids(domain, role="teacher")
reverse = [i for i in instrument.reverse_ids(domain) if i in items]
print("reverse-keyed:", reverse)
instrument.items.loc[instrument.items["id"].isin(items), ["id", "text", "reverse"]]

# %% [markdown]
# `assetinv.alpha` reproduces the R function `psych::alpha` (the reference most published studies use). We pass the
# reverse keys and the scale bounds so that reversing is 1 ↔ 5. `n_boot=200` adds a bootstrap interval (a small
# number so the notebook stays quick; use 1000 or more for a publication), with a seed so it is the same every run.
#
# You will see a **warning** that some respondents answered none of the OS statements: they are people who stopped
# after the first domains (*partial* responses). They do not change the estimate; psych counts them in `N`, and so
# do we.

# %%
res = assetinv.alpha(
    teachers[items],
    reverse=reverse,
    scale_min=instrument.scale_min,
    scale_max=instrument.scale_max,
    n_boot=200,
    seed=2026,
)
res.total.round(3)

# %% [markdown]
# How to read it: `raw_alpha` is the usual Cronbach's alpha; `std_alpha` the same on standardized statements;
# `average_r` the average correlation between two statements of the domain; `mean` and `sd` describe respondents'
# domain scores.
#
# The **intervals** show how precisely alpha is known from this many respondents: Feldt's and Duhachek's are
# formulas, the bootstrap resamples respondents. If the lower bound is still above .80, the domain is reliable
# with room to spare.

# %%
res.ci.round(3)

# %% [markdown]
# ### The item table
#
# One row per statement. The key column is **`r_drop`**, the correlation of the statement with the rest of the
# domain: statements below about .30 barely belong with the others and are worth a closer look. `mean` and `sd`
# show where answers sit on the 1-5 scale (after reversing).

# %%
res.item_stats.round(2)

# %% [markdown]
# ### Response frequencies
#
# The share of answers in each category and the share missing (`miss`). Watch for statements where almost
# everybody picks the same category (a floor or ceiling: they cannot show differences) or with many missing
# answers (the statement may be unclear or not apply to some staff).

# %%
res.response_freq.round(2)

# %% [markdown]
# ### Alpha if a statement is dropped
#
# What alpha would be without each statement. If dropping a statement *raises* alpha clearly above the value for
# all of them, that statement pulls in a different direction. Small rises (.01) are normal for reverse-worded
# statements and no reason to drop them.

# %%
res.alpha_if_dropped[["raw_alpha", "std_alpha", "average_r"]].round(3)

# %% [markdown]
# ### Why the reverse keys matter
#
# If the negatively worded statements were *not* flipped, they would correlate negatively with the rest and alpha
# would collapse. `assetinv.alpha` never flips a statement on its own; instead it **warns** about statements that
# correlate negatively with the rest of the scale. If you see this warning on your own data, check the
# instrument's reverse keys (or whether your export already reversed them).

# %%
forgot = assetinv.alpha(teachers[items], scale_min=instrument.scale_min, scale_max=instrument.scale_max)
print("alpha without reverse keys:", forgot.total["raw_alpha"].round(3).tolist())
for message in forgot.warnings:
    print("warning:", message)

# %% [markdown]
# ## 2. Omega total
#
# Alpha assumes every statement measures the domain equally well. **McDonald's omega total** relaxes that by
# fitting a one-factor model (as `psych::omega` does); the **loadings** say how strongly each statement reflects
# the domain (above .40 is usually fine). When omega and alpha are close, as here, alpha's assumption is harmless.

# %%
om = assetinv.omega_total(
    teachers[items],
    reverse=reverse,
    scale_min=instrument.scale_min,
    scale_max=instrument.scale_max,
    n_boot=200,
    seed=2026,
)
print(f"omega total = {om.omega_total:.3f}")
display(om.ci.round(3))
om.loadings.round(2).to_frame()

# %% [markdown]
# ## 3. All four domains at once, with a verdict
#
# `instrument_reliability` runs alpha, omega and the school-level ICCs for every domain and writes a
# plain-language **verdict** using the thresholds above (they can be changed in `study.yaml`). We give it the
# school staff (teachers and leaders), as the reports do. Leaders answer some statements teachers do not see;
# no one answered both, so each domain uses the statements answered together (`n_items`), and the result's
# `warnings` name the ones left out.

# %%
school_staff_answers = baseline[baseline["role"].isin(["teacher", "leader"])]
rel = assetinv.instrument_reliability(school_staff_answers, instrument, by="school", min_n=MIN_N)
rel.overall[
    ["domain", "n_items", "n", "raw_alpha", "feldt_lower", "feldt_upper", "omega_total", "icc1", "icc2"]
].round(3)

# %%
print("thresholds:", rel.thresholds)
for verdict in rel.overall["verdict"]:
    print("•", verdict)
for message in rel.warnings:
    print("note:", message)

# %% [markdown]
# Alpha **per school**. Groups with
# fewer than `min_n` respondents are suppressed: their row stays, with the reason, but no numbers. Within one
# school alpha is lower than network-wide, because staff of one school resemble each other more.

# %%
rel.by_group["school"][
    ["school", "domain", "n", "raw_alpha", "feldt_lower", "feldt_upper", "suppressed"]
].head(12).round(2)

# %% [markdown]
# ## 4. Can the survey tell schools apart?
#
# Reliable *people* scores are not enough: the CBO compares **school means**. Two numbers answer whether that is
# sensible (Bliese 2000):
#
# * **ICC(1)** — the share of the differences between people that lies *between schools*. Values of .05 to .20
#   are typical for school climate surveys: most variation is within schools, but schools do differ.
# * **ICC(2)** — the reliability of a school mean of typical size. Read it like alpha: .70 or more means school
#   means can be compared dependably.
#
# Each school also gets its own **group-mean reliability**, which depends on how many of its staff answered:
# a school with few respondents has a less dependable mean.

# %%
scores = assetinv.score_domains(baseline, instrument)
school_staff = scores[scores["role"].isin(["teacher", "leader"])]
domains = instrument.domains["id"].tolist()
grp = assetinv.group_reliability(school_staff, domains, "school", min_n=MIN_N)
grp.table.round(3)

# %%
grp.by_group.pivot(index="group", columns="column", values="reliability")[domains].round(2)

# %% [markdown]
# ## 5. Do staff within a school agree?
#
# **rwg(j)** (James, Demaree & Wolf 1984) compares the spread of answers inside a school with the spread expected if
# people answered at random. Values above **.70** are usually read as enough agreement to speak of a shared view
# of the school; near 0 means staff see the school very differently — itself worth a conversation. It uses
# respondents who answered every statement of the domain, so `n` is smaller than the number of respondents.

# %%
assetinv.rwg_j(teachers[items], teachers["school"], n_options=len(instrument.labels)).round(2)

# %% [markdown]
# ## Summary
#
# * All four domains are reliable for group reporting (alpha and omega well above .80 in this sample).
# * School means are dependable (ICC(2) above .70), so comparing schools is meaningful; each school's own
#   reliability depends on its number of respondents — small schools should be read with care, and groups under
#   `min_n` are never shown.
# * If a statement's `r_drop` is low or the negative-correlation warning appears, check the wording and the
#   reverse keys before scoring.
#
# The reliability tables of every report come from these same functions (see `07_network_summary`).
