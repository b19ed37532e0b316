# %% [markdown]
# # 8. Structure and invariance in plain words
#
# **What you will learn.** Whether the survey measures the four domains it claims to (a *confirmatory factor
# analysis*, CFA), whether teachers and leaders, and baseline and follow-up, read the items the same way
# (*measurement invariance*), how reliable the domains are when the 5-point answers are treated as ordered
# categories (*ordinal alpha and omega*), and how many staff a school needs for a dependable school mean
# (*survey planning*).
#
# **Why it matters for the CBO.** A leader-teacher gap or a change since baseline means something only if both
# groups understand the items alike. When they do not, the report still shows the numbers, with a caution.
#
# Every number below comes from an `assetinv` function; the methods and their accuracy against R lavaan and psych
# are in `docs/psychometrics.md`.

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
from IPython.display import display

import assetinv
from assetinv.notebook import setup

data_dir, config, instrument, MIN_N = setup()  # the bundled sample data, found from any working directory
# for your own study, give setup the folder holding its study.yaml:
# data_dir, config, instrument, MIN_N = setup("C:/evaluation/2025")

# %%
responses = assetinv.read_responses(config["responses"], instrument)
roster = assetinv.read_roster(config["roster"], instrument)
print(f"{len(responses)} survey rows read from {responses.attrs['source']}")

# %% [markdown]
# ## 1. Does the survey measure four domains?
#
# `assetinv.cfa` fits the model the instrument describes: each item belongs to its own domain, and the four
# domains may correlate. Reverse-keyed items are turned around first, so every loading should be positive.
# Missing answers are handled by full-information maximum likelihood, so no respondent is dropped for skipping an
# item. We use the baseline wave, so that each person counts once.

# %%
baseline = responses[responses["wave"] == "baseline"]
fit = assetinv.cfa(baseline, instrument=instrument)
print(fit.summary())
print("reversed first:", ", ".join(fit.reversed))
print("warnings:", fit.warnings or "none")

# %% [markdown]
# **How to read the fit.** *CFI* and *TLI* near 1 (above .95 is good, above .90 acceptable), *RMSEA* below .06
# (good) or .08 (acceptable), with its 90% interval, and *SRMR* below .08 say the four-domain model reproduces
# how the answers hang together. The chi-square test is reported too, but with hundreds of respondents it flags
# even trivial misfit. Any warning (a model that did not converge, a negative variance, a factor correlation
# above 1) would be printed above and must be resolved before the numbers are used.
#
# **The standardized loadings** (`std_all`) say how strongly each item reflects its domain: above .5 is
# usually wanted.

# %%
display(pd.DataFrame([fit.fit]).round(3))
display(fit.loadings.round(3))

# %% [markdown]
# **When answers are far from normal.** Five-point answers often pile up at "Agree", which makes the ML
# chi-square too large and its standard errors too small. `estimator="MLR"` keeps the same estimates but gives
# robust (Huber-White) standard errors and a chi-square divided by its Yuan-Bentler scaling factor, with scaled
# CFI, TLI and RMSEA, as lavaan's `estimator = "MLR"` does. A scaling factor near 1 says the answers were close
# enough to normal for the plain ML numbers; one well above 1 says to read the scaled ones. Here on one domain
# (the whole form takes about half a minute):

# %%
domain = instrument.domains["id"].iloc[-1]
one = {domain: list(fit.model[domain])}
ml = assetinv.cfa(baseline, one, instrument=instrument)
mlr = assetinv.cfa(baseline, one, instrument=instrument, estimator="MLR")
display(
    pd.DataFrame(
        {
            "ML": [ml.fit["chisq"], ml.fit["cfi"], ml.fit["rmsea"], 1.0],
            "MLR (scaled)": [
                mlr.fit["chisq_scaled"],
                mlr.fit["cfi_scaled"],
                mlr.fit["rmsea_scaled"],
                mlr.fit["scaling_factor"],
            ],
        },
        index=["chi-square", "CFI", "RMSEA", "scaling factor"],
    ).round(3)
)

# %% [markdown]
# ## 2. Do teachers and leaders, and the two waves, read the items the same way?
#
# `assetinv.invariance` fits the same model in each group three times, each step adding equality constraints:
#
# * **configural**: the same items belong to the same domain in every group;
# * **metric**: the items relate to their domain equally strongly in every group (equal loadings);
# * **scalar**: at the same level of the domain, every group gives the same answers (equal intercepts). Only with
#   scalar invariance can the groups' *means* be compared fairly.
#
# A step *holds* when CFI drops by less than .010 (Cheung & Rensvold 2002) and RMSEA rises by less than .015
# (Chen 2007). Here each domain is tested on its own, across roles (teachers and leaders) and across waves.
# Many staff answered at both waves; the multi-group model treats the waves as independent samples, a common
# simplification. Respondents who skipped every item of a domain are left out of that domain's fits (as lavaan
# does); the filter below keeps that routine notice from repeating for every fit.

# %%
import warnings

warnings.filterwarnings("ignore", message=".*no answer to any item were left out")
staff = responses[responses["role"].isin(["teacher", "leader"])]
steps = []
for domain in instrument.domains["id"]:
    # the domain's items asked of both roles (an instrument with role forms asks some of one role only)
    common = set(instrument.item_ids(domain, role="teacher")) & set(
        instrument.item_ids(domain, role="leader")
    )
    model = {domain: [i for i in instrument.item_ids(domain) if i in common]}
    for group, data in [("role", staff), ("wave", staff)]:
        table = assetinv.invariance(data, model, group=group, instrument=instrument)
        table.insert(0, "domain", domain)
        table.insert(1, "across", group)
        steps.append(table)
invariance = pd.concat(steps)
display(
    invariance[
        ["domain", "across", "chisq", "df", "cfi", "rmsea", "delta_cfi", "delta_rmsea", "verdict"]
    ].round(3)
)

# %% [markdown]
# **In plain words.** The `meaning` column says what each verdict implies. When scalar invariance is not
# supported, gaps between roles (or changes between waves) in that domain may partly reflect how the items are
# read. `assetinv.invariance_caution` gives the sentence to print next to such a gap or change:

# %%
for table in steps:
    domain, across = table["domain"].iloc[0], table["across"].iloc[0]
    caution = assetinv.invariance_caution(table, "gaps" if across == "role" else "changes")
    print(
        f"{domain} across {across}: {caution or 'equal loadings and intercepts supported; compare freely.'}"
    )

# %% [markdown]
# **What the reports print.** `assetinv.domain_invariance` runs the same three steps per domain and adds a
# rule: a group needs at least 5 respondents per parameter of the model. A one-factor model has a loading, an
# intercept and a residual variance per item, so that is 15 respondents per item: 120 for a domain of eight
# items, 75 for five (Bentler & Chou 1987). Otherwise the domain is "not tested" and the report says so instead
# of assuming invariance. The reports
# test roles at baseline, where the sample has too few leaders, and waves on all school staff.

# %%
for group, data, levels in [
    ("role", staff[staff["wave"] == "baseline"], ["teacher", "leader"]),
    ("wave", staff, ["baseline", "followup"]),
]:
    for sentence in assetinv.invariance_sentences(
        assetinv.domain_invariance(data, instrument, group=group, levels=levels)
    ):
        print(f"{group}: {sentence}")

# %% [markdown]
# ## 3. Reliability that respects ordered answers
#
# Cronbach's alpha treats 1-5 answers as numbers with equal steps. *Ordinal alpha* and *ordinal omega* compute
# the same coefficients on polychoric correlations, which treat the answers as ordered categories (Zumbo,
# Gadermann & Zeisser 2007). They are usually a little higher than raw alpha. The intervals are bias-corrected
# and accelerated (BCa) bootstrap intervals; in simulation they covered 93-95% with 100 respondents but only
# about 90% with 285 (docs/psychometrics.md). Fewer resamples than the reports' 1,000 keep the notebook quick.
# Each domain uses its items asked of every role, and a group under 100 respondents gets a note instead of a value.

# %%
ordinal = assetinv.domain_ordinal_reliability(
    baseline[baseline["role"].isin(["teacher", "leader"])], instrument, n_boot=300
)
display(ordinal.round(3))

# %% [markdown]
# ## 4. How many staff does a school need?
#
# A school's mean is dependable when enough staff answer. `assetinv.plan_survey` uses how much schools differ
# (ICC(1), with its 95% interval) to say how many respondents give the school mean a reliability of .70 and .80
# (Spearman-Brown), and the smallest change between two waves that a school of *n* staff can detect with 80%
# power. The interval on the number of respondents is wide with only 12 schools: a larger pilot narrows it.
# The same plan is printed by the command `assetinv plan` (add `--data FOLDER` for your own pilot).

# %%
plan = assetinv.plan_survey(responses, instrument)
print(plan.summary())
display(plan.reliability.round(3))
display(plan.change.round(3))

# %% [markdown]
# **Reading the plan.** If a school has fewer staff than the number for .70, report its mean with its interval
# and a note that it is not yet dependable on its own; the network and district views stay dependable. Changes
# smaller than the detectable change for the school's size may be real but cannot be told apart from chance.
