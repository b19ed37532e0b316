# %% [markdown]
# # 6. A school report
#
# This notebook is the **template for one school's report**. It shows exactly what `assetinv report` writes to
# `reports/schools/<school>.html`: the same section functions (`assetinv.report.school_report_sections`) produce
# both, so the notebook and the command never disagree.
#
# To render it for another school, change the parameters below, or let papermill inject them:
#
# ```bash
# papermill notebooks/06_school_report.ipynb out.ipynb -p school S03
# jupyter nbconvert --to html --no-input --no-prompt out.ipynb
# ```
#
# For a whole network, `assetinv report` is much faster: it reads the data and runs the analyses once, then
# assembles every school's report in the same process (see `benchmarks/results_reports.md`).

# %% tags=["parameters"]
# Parameters (papermill replaces this cell's values)
school = "S01"  # school id, as in schools.csv
data_dir = None  # folder with study.yaml and the data files (None: the bundled sample)
min_n = 5  # smallest group whose statistics may be shown

# %% [markdown]
# ## Load the study once
#
# `load_context` reads the study config and every input file, then runs the network-level analyses (scores,
# asset profiles against the network, change, perception gaps, reliability, interview tallies and agreement).
# Everything below only *assembles* what was computed here.

# %%
from IPython.display import HTML, display

import assetinv.report as reports

ctx = reports.load_context(data_dir, min_n=min_n)
print(f"{len(ctx.school_ids)} schools; suppression minimum {ctx.min_n}; data from {ctx.data_dir.name}/")

# %% [markdown]
# ## The report
#
# Each section below is one part of the school's report, in the order principals read it: a plain-language
# summary, the asset profile against the network, assets to build on and suggested supports, change since
# baseline, teacher–leader gaps, interview themes, how dependable each number is, methods, data quality and
# provenance.

# %%
sections = reports.school_report_sections(ctx, school)
display(HTML(f"<h1>Asset Inventory report: {ctx.school_name(school)}</h1>"))
for section in sections:
    display(HTML(section.to_html()))

# %% [markdown]
# ## Check
#
# The notebook shows the same sections, in the same order, as the HTML report that `assetinv report` writes.

# %%
titles = [s.title for s in sections]
assert titles[0] == "Summary" and titles[-1] == "Technical notes", titles
print(" → ".join(titles))
