# %% [markdown]
# # 7. Network summary: the view for the CBO director
#
# **What you will learn.** How to read the whole network on one page: which domains are assets across schools,
# where schools need support, what changed since baseline, where leaders and teachers see things differently, how
# dependable the numbers are, and what the interviews add.
#
# **What this answers for the CBO.** *Where should the partnership invest, and what can it build on?* This notebook
# shows the same tables as `reports/network.html` (written by `assetinv report`). `load_context` reads the study
# once and runs every network analysis once; the cells below only display its tables.
#
# **Cautions that apply to every table.** Groups with fewer than `min_n` respondents (or a response rate under the
# minimum) are suppressed, with the reason; leaders are never shown on their own for a single school; the data
# in this sample are simulated.

# %% [markdown]
# ## Set up
#
# `load_context()` without arguments uses the bundled sample (found from any working directory); pass the folder
# of your own study, e.g. `load_context("C:/evaluation/2025")`. It takes a few seconds: it runs every analysis of
# notebooks 02-05 at once.

# %%
import assetinv
from assetinv.notebook import set_display
from assetinv.report import load_context

set_display()

ctx = load_context()
print(ctx.config["title"])
print(f"{len(ctx.school_ids)} schools; suppression minimum {ctx.min_n}; instrument v{ctx.instrument.version}")
tables = ctx.tables
sorted(tables)

# %% [markdown]
# ## 1. Who answered
#
# Respondents per school and wave against the roster. Response rates under the minimum make a school's results
# unreportable for that wave.

# %%
tables["participation"].pivot(index="school", columns="wave", values="response_rate").round(2)

# %%
tables["data_quality"]

# %% [markdown]
# ## 2. The network at a glance
#
# Every school × domain: the baseline mean and status (▲ asset, ● typical, ▼ growth area). Read across a row for a
# school's profile, down a column for a domain across the network.

# %%
profile = tables["asset_profile"]
assetinv.heatmap_network(profile)

# %% [markdown]
# The profile table for all schools: status per domain (suppressed schools would be blank with the reason in
# `suppressed`), then the means.

# %%
domains = ctx.instrument.domains["id"].tolist()
profile.pivot(index="school", columns="domain", values="status")[domains]

# %%
profile.pivot(index="school", columns="domain", values="mean")[domains].round(2)

# %% [markdown]
# How many schools have each domain as an asset or a growth area — this is where the partnership can build, and
# where most schools need support:

# %%
joint = tables["joint_display_network"]
joint[["domain_name", "survey_mean", "status"]].round(2)

# %% [markdown]
# ## 3. Change since baseline
#
# The network's average change per domain with its 95% interval, from the multilevel model of notebook 04.

# %%
change = tables["change"]
network_change = change[change["scope"] == "network"]
for reading in network_change["reading"]:
    print("•", reading)
assetinv.change_plot(network_change)

# %% [markdown]
# ## 4. Leaders and teachers
#
# Leader minus teacher means at district and network level. School-level gaps are not shown here: no school has
# five or more leaders, and a school's leaders are never shown on their own.

# %%
gaps = tables["gaps_network"]
gaps[["level", "group", "domain", "n_teachers", "n_leaders", "gap", "ci_low", "ci_high", "flagged_large",
      "suppressed"]].round(2)

# %%
assetinv.gap_plot(gaps[gaps["level"] == "district"], title="Leader minus teacher, by district")

# %% [markdown]
# ## 5. How dependable are these numbers?
#
# Alpha and omega per domain (.80 or more = good), and ICC(2), the reliability of a school mean (.70 or more =
# school means can be compared). See notebook 02 for the details. The report pools both waves and every role,
# so its numbers differ a little from notebook 02, which uses the baseline wave only.

# %%
tables["reliability_domains"][["domain", "n", "raw_alpha", "omega_total", "icc1", "icc2"]].round(2)

# %%
for verdict in tables["reliability_domains"]["verdict"]:
    print("•", verdict)

# %% [markdown]
# ## 6. What the interviews add
#
# The codes mentioned most across the network's interviews, and how consistently the two coders applied each
# domain's codes (Krippendorff's alpha: .80 or more reliable, .667-.80 tentative).

# %%
tables["code_tallies_network"][["code", "code_name", "group", "n_excerpts", "n_interviews",
                                "share_interviews"]].head(10).round(2)

# %%
tables["agreement_domains"][["domain", "n_units", "percent_agreement", "krippendorff_alpha", "gwet_ac1"]].round(2)

# %% [markdown]
# The network joint display: survey mean and status summary beside the interview evidence, domain by domain.

# %%
joint[["domain", "survey_mean", "top_codes", "n_excerpts", "agreement"]].round(2)

# %%
assetinv.joint_display_figure(joint, title="Joint display: the network")

# %% [markdown]
# ## 7. Suggested supports across the network
#
# Which playbook supports the schools' profiles call for, and for how many schools — a starting point for planning
# the partnership's offer.

# %%
recs = tables["recommendations"]
recs[recs["kind"] != "not reported"].value_counts(["domain", "kind", "support"]).rename("schools").to_frame().head(12)

# %% [markdown]
# ## Next steps
#
# * Render the HTML version of this page and every school report with `assetinv report` (see notebook 01).
# * For one school, open `06_school_report.ipynb`, or run it for any school with papermill:
#   `papermill notebooks/06_school_report.ipynb S03.ipynb -p school S03`.
