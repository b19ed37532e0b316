# %% [markdown]
# # 4. Change over time: baseline to follow-up
#
# **What you will learn.** How `change_over_time` estimates the change in each domain for the network and for each
# school, how to read the estimate, its interval and the effect size, and how well the estimates recover the true
# growth built into the simulated sample.
#
# **What this answers for the CBO.** *Did the schools' assets grow during the partnership?* Change is estimated
# with a multilevel model (respondents within schools), so that schools with many respondents do not dominate and
# people who answered both waves are recognized as the same person.
#
# **Cautions.** A survey change shows *that* something moved, not *why*: the partnership is one of many things
# happening in a school. And a change smaller than its interval's width is not evidence of change in either
# direction.

# %% [markdown]
# ## Set up
#
# The first code cell calls `assetinv.notebook.setup()`. It sets the display options for tables, finds the bundled
# sample data (wherever this notebook is opened from), reads the study configuration `study.yaml`, loads the survey
# instrument the configuration names, and prints the study's title. `MIN_N` is the smallest group whose numbers may
# be shown. To analyze your own study, delete the `# ` in front of the last line and put the folder holding your
# `study.yaml` in it. The figures below show inline; they are made by `assetinv` without pyplot.

# %%
import pandas as pd

import assetinv
from assetinv.notebook import setup

data_dir, config, instrument, MIN_N = setup()  # the bundled sample data, found from any working directory
# for your own study, give setup the folder holding its study.yaml:
# data_dir, config, instrument, MIN_N = setup("C:/evaluation/2025")

# %%
responses = assetinv.read_responses(config["responses"], instrument)
roster = assetinv.read_roster(config["roster"], instrument)
print(f"{len(responses)} survey rows read from {responses.attrs['source']}")
scores = assetinv.score_domains(responses, instrument)
print(scores["wave"].value_counts().to_dict())

# %% [markdown]
# ## 1. Estimate the change
#
# One call estimates the network change and, with `by_school=True`, each school's change. Teachers and leaders are
# included; district staff are not. A school is suppressed when it has fewer than `min_n` scored respondents in
# either wave or, given the roster, a response rate under `min_response_rate` in either wave: the same rules as
# the profiles of notebook 03 and the reports. (The network model takes a few seconds.)

# %%
change = assetinv.change_over_time(
    scores,
    by_school=True,
    min_n=MIN_N,
    roster=roster,
    min_response_rate=config["min_response_rate"],
    instrument=instrument,
)
network = change[change["scope"] == "network"]
network[
    [
        "domain",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "effect_size",
        "n_baseline",
        "n_followup",
        "n_linked",
    ]
].round(3)

# %% [markdown]
# How to read the table:
#
# * `estimate` — the average change in points on the 1-5 scale (follow-up minus baseline);
# * `ci_low`, `ci_high` — the 95% interval: if it excludes 0, the data show a change;
# * `effect_size` — the change in standard-deviation units; about 0.2 is a *small*, 0.5 a *medium* and 0.8 a
#   *large* change (Cohen 1988). Changes in school climate over one year are usually small;
# * `n_linked` — respondents who answered both waves (a linked panel makes the estimate more precise).
#
# Each row also carries a plain-language `reading`, and `model`/`note` say which model was fitted (for example
# when a variance was estimated at zero and the model was simplified).

# %%
for reading in network["reading"]:
    print("•", reading)
print()
print("model:", network["model"].iloc[0])
print("note:", network["note"].iloc[0] or "-")

# %% [markdown]
# In the figure, filled markers are changes whose interval excludes zero; open markers could be no change.

# %%
assetinv.change_plot(network)

# %% [markdown]
# ## 2. Change in each school
#
# Each school's change is estimated from its own respondents, so the intervals are much wider than the network's:
# with 20-25 respondents a school can only detect fairly large changes. Treat school-level change as a
# conversation starter, not a verdict.

# %%
per_school = change[change["scope"] != "network"]
per_school.pivot(index="scope", columns="domain", values="estimate")[instrument.domains["id"].tolist()].round(
    2
)

# %%
school = "S10"
one = per_school[per_school["scope"] == school]
for reading in one["reading"]:
    print("•", reading)
assetinv.change_plot(one, title=f"Change at {school}")

# %% [markdown]
# Suppressed schools are listed here with the reason. At S03 under half of the teachers answered the follow-up
# (a response rate under 50%), so, as in the profiles of notebook 03, S03 gets no change estimate: the few who
# answered may not speak for the staff.

# %%
per_school.loc[per_school["suppressed"] != "", ["scope", "domain", "suppressed"]]

# %% [markdown]
# ## 3. Does the method recover the truth?
#
# The sample data were *simulated*, so we know the true average growth per domain that the generator used
# (`data/truth.json`, described in `data/TRUTH.md`). Reading that file is not statistics — we only put the true
# values beside the estimates. Two things to expect:
#
# * the network estimate is the change of *these* 12 schools, which scatter around the generator's average growth;
# * the generator's growth is on the latent scale; answers rounded to a 1-5 scale shrink it slightly.
#
# So we check that the interval covers the true value, not that the numbers match exactly.

# %%
import json

truth = json.loads((data_dir / "truth.json").read_text())
true_growth = pd.Series(truth["model"]["growth_mean"], name="true_growth")
compare = network.set_index("domain")[["estimate", "ci_low", "ci_high"]].join(true_growth)
compare["interval_covers_truth"] = compare["true_growth"].between(compare["ci_low"], compare["ci_high"])
compare.round(3)

# %% [markdown]
# The same per school: each school had its own true growth.

# %%
school_truth = pd.DataFrame(
    [
        {"scope": s["school"], "domain": d, "true_growth": g}
        for s in truth["schools"]
        for d, g in s["growth"].items()
    ]
)
check = per_school.merge(school_truth, on=["scope", "domain"])
check["interval_covers_truth"] = check["true_growth"].between(check["ci_low"], check["ci_high"])
print(check["interval_covers_truth"].value_counts().to_dict())
check.loc[
    check["scope"] == school,
    ["scope", "domain", "estimate", "ci_low", "ci_high", "true_growth", "interval_covers_truth"],
].round(3)

# %% [markdown]
# About 95% of the intervals should cover the truth; with 48 school × domain intervals a couple of misses are
# expected.
#
# ## Summary
#
# * Read the network change first: it is the most precise. Growth in a domain the partnership targeted is
#   encouraging; no detectable change is not proof of no effect.
# * School-level changes are imprecise with 20-25 respondents per wave; use them to ask questions, not to rank.
# * Small groups are suppressed here as everywhere else.
