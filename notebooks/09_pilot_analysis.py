# %% [markdown]
# # 9. Pilot analysis: which items of instrument 2.0.0 to revise before fielding it
#
# A new instrument version is pre-tested before a baseline is collected: cognitive interviews with a few people
# per role first (do they read each item as intended?), then a pilot of about 30 respondents per role form. This
# notebook runs the pilot analysis (`assetinv.pilot_item_review`) and reads its four checks:
#
# * **item-rest correlation**: does the item go with the rest of its domain on that role's form? Below 0.30 the
#   item measures something else, or is read differently (same statistic as `r.drop` in R psych's `alpha`);
# * **floor and ceiling**: more than 15% of answers at one end of the scale means the item cannot show growth
#   (or decline) for those respondents;
# * **Don't know**: more than 10% Don't know / Not applicable means the role cannot judge the item; move it to
#   another form or rewrite it;
# * **role differences**: teachers and leaders who agree on the rest of the domain but answer an item
#   differently (0.5 SD or more) read it differently, so the item cannot be compared across roles.
#
# The protocol, with the cognitive-interview probes, is in `docs/pilot.md`. Here a simulated pilot stands in for
# real data; for your own pilot, read the export with `assetinv.read_responses` and pass
# `assetinv.dont_know_mask(path, instrument)` as `dont_know`.

# %% [markdown]
# ## A simulated pilot
#
# About 30 respondents per role: ten schools, eight staff each with about 40% leaders, and ten district staff in
# each of three districts, one wave. `study.dont_know` marks the cells where someone ticked Don't know.

# %%
from IPython.display import display

import assetinv
from assetinv.notebook import set_display

set_display()

instrument = assetinv.load_instrument("2.0.0")
pilot = assetinv.simulate_study(seed=8, n_schools=10, n_districts=3, respondents_per_school=8,
                                leader_share=0.4, district_staff_per_district=10, waves=("baseline",),
                                n_interviews=6, instrument=instrument)
responses = pilot.responses
dont_know = pilot.dont_know.assign(respondent_id=responses["respondent_id"], wave=responses["wave"])
display(responses["role"].value_counts())

# %% [markdown]
# ## The item review
#
# One row per role form and item. `mean` is on keyed answers (reverse-keyed items reflected), `floor` and
# `ceiling` are shares of answers as ticked, `dont_know` is the share of the respondents asked who ticked
# Don't know, and `dif` is how much higher leaders answer than teachers at the same rest score, in item
# standard deviations.

# %%
review = assetinv.pilot_item_review(responses, instrument, dont_know=dont_know)
display(review.round(2).head(12))

# %% [markdown]
# ## Items to revise
#
# Only the flagged rows, with the reasons. A flag is a prompt to look at the item again (in the cognitive
# interviews, in its wording, in which form it is on), not an automatic deletion: with 30 respondents a ceiling
# share or a role difference is uncertain.

# %%
to_revise = review[review["revise_because"] != ""]
display(to_revise[["role", "domain", "item", "revise_because"]])
display(to_revise["role"].value_counts())

# %% [markdown]
# ## The item texts behind the flags
#
# Join the flagged ids to the instrument's wording, to take into the revision meeting.

# %%
texts = instrument.items[["id", "text"]].rename(columns={"id": "item"})
display(to_revise.merge(texts, on="item")[["role", "item", "text", "revise_because"]].head(15))
