# %% [markdown]
# # 9. Pilot analysis: which items of instrument 2.0.0 to revise before fielding it
#
# A new instrument version is pre-tested before a baseline is collected: cognitive interviews with a few people
# per role first (do they read each item as intended?), then a pilot of about 30 respondents per role form. This
# notebook runs the pilot analysis (`assetinv.pilot_item_review`) and reads its four checks:
#
# * **item-rest correlation**: does the item go with the rest of its domain on that role's form? Below 0.30 the
#   item measures something else, or is read differently (same statistic as `r.drop` in R psych's `alpha`);
# * **floor and ceiling**: judged on two levels. More than 15% of a role form's respondents at the lowest or the
#   highest possible *domain score* means the domain cannot show their growth (or decline); this is the usual
#   criterion for a scale score (Terwee et al. 2007). A single 5-point item is flagged only when more than half
#   of its answers sit at one end point: a working rule, because even an evenly spread item has 20% at each
#   end, and a survey that staff answer favorably has 20-30% at the top of most items;
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
# About 30 respondents per role: ten schools with about five staff each, three of them leaders (a pilot
# oversamples leaders; a real school has far fewer), and about nine district staff in each of three districts,
# one wave. The counts printed below are what the review works on: 27 teachers, 27 leaders and 30 district
# staff. `study.dont_know` marks the cells where someone chose Don't know.

# %%
from IPython.display import display

import assetinv
from assetinv.notebook import set_display

set_display()

instrument = assetinv.load_instrument("2.0.0")
pilot = assetinv.simulate_study(
    seed=8,
    n_schools=10,
    n_districts=3,
    respondents_per_school=5,
    leader_share=0.6,
    district_staff_per_district=9,
    waves=("baseline",),
    n_interviews=6,
    instrument=instrument,
)
responses = pilot.responses
dont_know = pilot.dont_know.assign(respondent_id=responses["respondent_id"], wave=responses["wave"])
display(responses["role"].value_counts())

# %% [markdown]
# ## The item review
#
# For each role form and domain, one row for the domain score (`level` "domain", with the domain id as `item`),
# then one row per item (`level` "item"). `mean` is on keyed answers (reverse-keyed items reflected), `floor` and
# `ceiling` are shares of answers as marked (on a domain row, the shares of respondents at the lowest and
# highest possible domain score), `dont_know` is the share of the respondents asked who chose
# Don't know, and `dif` is how much higher leaders answer than teachers at the same rest score, in item
# standard deviations. The role difference needs at least 3 items that both forms ask; where a domain has
# fewer, `dif` stays blank and `review.attrs["dif_not_screened"]` says why (in 2.0.0, the leader form asks
# teachers' practices as a share of teachers, so in OS the two forms share only OS13 and its mirror OS37).
# Check those items in the cognitive interviews with both roles instead.

# %%
review = assetinv.pilot_item_review(responses, instrument, dont_know=dont_know)
display(review.round(2).head(12))
review.attrs["dif_not_screened"]

# %% [markdown]
# ## Floor and ceiling of the domain scores
#
# The 15% rule, per role form and domain: the share of respondents whose domain score is the lowest (`floor`)
# or the highest (`ceiling`) possible. A flag here means the form's items of that domain, taken together, leave
# no room to show change for too many respondents.

# %%
domains = review[review["level"] == "domain"]
display(domains[["role", "domain", "n", "mean", "floor", "ceiling", "revise_because"]].round(2))

# %% [markdown]
# ## Items to revise
#
# Only the flagged rows, with the reasons, and how many there are of each kind per role. A flag is a prompt to
# look at the item again (in the cognitive interviews, in its wording, in which form it is on), not an automatic
# deletion: with 30 respondents a ceiling share or a role difference is uncertain.

# %%
to_revise = review[review["revise_because"] != ""]
display(to_revise[["level", "role", "domain", "item", "revise_because"]])
items = review[review["level"] == "item"]
print(
    f"flagged: {len(to_revise[to_revise['level'] == 'item'])} of {len(items)} item rows, "
    f"{len(to_revise[to_revise['level'] == 'domain'])} of {len(domains)} domain rows"
)
display(to_revise[["level", "role"]].value_counts())

# %% [markdown]
# ## The item texts behind the flags
#
# Join the flagged ids to the instrument's wording, to take into the revision meeting.

# %%
texts = instrument.items[["id", "text"]].rename(columns={"id": "item"})
display(to_revise.merge(texts, on="item")[["role", "item", "text", "revise_because"]].head(15))
