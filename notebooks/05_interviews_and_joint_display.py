# %% [markdown]
# # 5. Interviews, coder agreement and the joint display
#
# **What you will learn.** How to read coded interview excerpts, count codes by school, role and domain, see which
# codes occur together, check that two coders apply the codebook consistently (and list their disagreements for a
# consensus meeting), choose redacted quotes, and put survey and interview evidence side by side in a **joint
# display**. Finally, how to exchange codings with NVivo, ATLAS.ti, MAXQDA or QualCoder through REFI-QDA
# (`.qdpx`) files.
#
# **What this answers for the CBO.** *Do the people we interviewed describe the same assets and needs that the
# survey shows?* When survey and interviews agree, a finding is solid; when they disagree, that is worth
# exploring with the school.

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
# ## 1. The codings table
#
# One row per excerpt × code × coder: the excerpt's text, the interview it comes from, the school and the
# interviewee's role, the coder and the code (from the codebook bundled with the instrument). `exemplary` marks
# excerpts a coder picked as a good illustration.

# %%
codings = assetinv.read_codings(config["codings"], instrument)
print(
    f"{len(codings)} coding rows, from {codings['interview_id'].nunique()} interviews; coders: "
    f"{', '.join(sorted(codings['coder'].unique()))}"
)
codings.head()

# %%
instrument.codebook[["id", "group", "name", "definition"]].head(6)

# %% [markdown]
# ## 2. How often is each code mentioned?
#
# `code_tallies` counts, per group, the **excerpts** that carry a code (any coder) and the **interviews** that mention
# it at least once (so a talkative interviewee counts once). Shares are of the group's excerpts and interviews.
#
# **Suppression applies here too**: a group with fewer than `min_n` interviews is not shown. Each school has two
# interviews in the sample, so the by-school counts are all suppressed: interview counts from one or two people
# are not a finding about a school.

# %%
by_school = assetinv.code_tallies(codings, "school", instrument=instrument, min_n=MIN_N)
by_school[["school", "code", "n", "n_excerpts", "suppressed"]].head(4)

# %% [markdown]
# For the network, by role, at the **domain** level (an excerpt mentions a domain when it carries any of its codes;
# BARRIER and ENABLER are cross-cutting code groups):

# %%
by_role = assetinv.code_tallies(codings, "role", level="domain", instrument=instrument, min_n=MIN_N)
by_role[["role", "domain", "domain_name", "n", "n_excerpts", "n_interviews", "share_interviews"]].round(2)

# %% [markdown]
# The most frequent codes in the whole network:

# %%
network_codes = assetinv.code_tallies(codings, None, instrument=instrument, min_n=MIN_N)
network_codes[["code", "code_name", "group", "n_excerpts", "n_interviews", "share_interviews"]].head(
    10
).round(2)

# %% [markdown]
# ## 3. Which codes occur together?
#
# `cooccurrence` counts the excerpts carrying both codes (the diagonal is the number of excerpts with that code).
# Here: the collaborative-structures codes against the barriers — which structures are talked about together
# with which obstacles?

# %%
codebook = instrument.codebook
chosen = codebook.loc[codebook["group"].isin(["OS", "BARRIER"]), "id"].tolist()
assetinv.cooccurrence(codings, within="excerpt", codes=chosen, instrument=instrument)

# %% [markdown]
# ## 4. Do the coders agree?
#
# About a third of the excerpts were coded independently by a second coder. For every double-coded excerpt and
# every code, each coder made a yes/no decision: did the code apply? `coder_agreement` compares these decisions:
#
# * **percent agreement** — the share of decisions on which the coders agree. Easy to read, but flattering: most
#   codes do *not* apply to most excerpts, so two coders agree on "no" most of the time by default;
# * **Cohen's kappa** and **Krippendorff's alpha** — agreement *beyond what chance would give*; 0 = chance, 1 =
#   perfect. Krippendorff's rule: **.80 or more** reliable, **.667 to .80** acceptable for tentative conclusions,
#   below .667 the code needs a clearer definition;
# * **Gwet's AC1** — a chance-corrected coefficient that is not dragged down when a code is rare (when kappa is
#   low despite very high percent agreement, look at AC1).
#
# The intervals come from resampling excerpts (`n_boot=200` here to keep the notebook quick, with a seed).

# %%
agreement = assetinv.coder_agreement(codings, group_by="domain", n_boot=200, seed=2026, instrument=instrument)
agreement[
    [
        "domain",
        "n_units",
        "n_positive",
        "percent_agreement",
        "cohen_kappa",
        "krippendorff_alpha",
        "krippendorff_alpha_lo",
        "krippendorff_alpha_hi",
        "gwet_ac1",
        "note",
    ]
].round(2)

# %% [markdown]
# Per code, without intervals: codes with low alpha are the ones to discuss first.

# %%
per_code = assetinv.coder_agreement(codings, group_by="code", n_boot=0, instrument=instrument)
per_code[
    ["code", "n_units", "n_positive", "percent_agreement", "krippendorff_alpha", "gwet_ac1", "note"]
].head(10).round(2)

# %% [markdown]
# ### A worklist for the consensus meeting
#
# `disagreements` lists each excerpt and code that one coder applied and the other did not, with the text — the
# agenda for a meeting where coders settle the cases and sharpen the codebook definitions.

# %%
worklist = assetinv.disagreements(codings, instrument=instrument)
print(f"{len(worklist)} decisions to discuss")
worklist[["excerpt_id", "code", "applied_by", "not_applied_by", "text"]].head(5)

# %% [markdown]
# ## 5. Quotes for a report, redacted
#
# `exemplar_quotes` picks quotes per school and domain (exemplary excerpts first, then those both coders agreed
# on) and passes them through `redact`, which removes names with titles, pairs of capitalized names, e-mail
# addresses and phone numbers. Speakers' roles are left out by default, because "the principal said" identifies a
# person, and phrases such as "as a principal" or "my teachers" become "[as a staff member]" and "[the school's
# staff]". Always read quotes before publishing: a lone first name is only caught when you pass the roster names.
# This is the analyst's view: the reports publish a school's quotes only when no role there gave a single interview
# (see docs/privacy.md), which no sample school meets.

# %%
school = "S10"
quotes = assetinv.exemplar_quotes(codings, school=school, n=2, instrument=instrument)
quotes[["domain", "rank", "codes", "quote"]]

# %%
print(assetinv.redact("Ask Ms. Okafor or mail d.whitfield@school.org, or call 555-123-4567."))
print(assetinv.redact("Priya runs the robotics club.", names=["Priya Raman"]))

# %% [markdown]
# ## 6. The joint display: survey and interviews side by side
#
# A **joint display** (Guetterman, Fetters & Creswell 2015) puts, for each domain, the survey mean and status next
# to the interview evidence: the most frequent codes, the number of coded excerpts, the coders' agreement and an
# exemplar quote. The `evidence` sentence is what the report cites. It uses the school's asset profile, so we
# score the survey first.
#
# For one school, the interview columns are blank here, and `interviews_suppressed` says why: each sample school had
# one teacher and one leader interview, so whatever was not the teacher's would be the leader's. A school with at
# least two interviews in every role it has would show its codes, with counts of 1 or 2 written "1+" in the
# published tables. The network display below pools all the interviews.

# %%
responses = assetinv.read_responses(config["responses"], instrument)
roster = assetinv.read_roster(config["roster"], instrument)
print(f"{len(responses)} survey rows read from {responses.attrs['source']}")
scores = assetinv.score_domains(responses, instrument)
profile = assetinv.asset_profile(
    scores, roster=roster, min_n=MIN_N, min_response_rate=config["min_response_rate"], instrument=instrument
)
joint = assetinv.joint_display(profile, codings, agreement, school=school, instrument=instrument)
joint[["domain", "survey_mean", "status", "top_codes", "n_excerpts", "agreement"]].round(2)

# %%
for sentence in joint["evidence"]:
    print("•", sentence)

# %%
assetinv.joint_display_figure(joint, title=f"Joint display: {school}")

# %% [markdown]
# For the whole network (the status column summarizes the schools):

# %%
joint_network = assetinv.joint_display(profile, codings, agreement, instrument=instrument)
joint_network[["domain", "survey_mean", "status", "top_codes", "n_excerpts"]].round(2)

# %% [markdown]
# ## 7. Exchanging codings with qualitative software (REFI-QDA)
#
# NVivo, ATLAS.ti, MAXQDA and QualCoder export and import **REFI-QDA projects** (`.qdpx`). `write_qdpx` writes
# the codings, the codebook and the coders as such a project; `read_qdpx` reads one back (and `read_codings` reads
# `.qdpx` files directly). Here we write to a temporary folder and read it back: nothing is lost.

# %%
import tempfile
from pathlib import Path

project = assetinv.write_qdpx(codings, Path(tempfile.mkdtemp()) / "interviews.qdpx", instrument)
back = assetinv.read_qdpx(project, instrument)
print(f"wrote {project.name} ({project.stat().st_size:,} bytes); read back {len(back)} coding rows")
print("identical to the original:", back.reset_index(drop=True).equals(codings.reset_index(drop=True)))

# %% [markdown]
# To analyze a project exported by your QDA software, point `codings:` in `study.yaml` at the `.qdpx` file, or
# call `assetinv.read_codings("project.qdpx")`. Interviews need a `school` and a `role` variable (on the source or
# its case) so that excerpts can be linked to schools.
#
# ## Summary
#
# * Code counts describe what interviewees talked about, not how common something is in a school; small groups
#   are suppressed.
# * Check coder agreement before trusting codes; use the disagreements list to refine the codebook.
# * Read the joint display domain by domain: where survey and interviews converge, the finding is strong.
