# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. The AI divide under every scenario
#
# How wide is the gap in AI between rich and poor countries, where is it heading, and which policies
# move it? This notebook runs every scenario of the library on the same seeds and looks at the AI
# divide three ways: its headline and components over time, the gaps between income groups and
# between North and South, and who stands where on the map.
#
# The headline (`ai_divide`) is the population-weighted Gini of **used** AI capability, a
# *relative* measure. Its components include the *absolute* gap between high- and low-income
# countries, which can widen while the headline narrows (docs/indices.md).

# %% tags=["parameters"]
# Parameters: GOVSIM_NB_QUICK=1 (set by `make test`) runs 3 seeds to 2030 instead of 8 to 2035.
import os

QUICK = bool(os.environ.get("GOVSIM_NB_QUICK"))
SEEDS = 3 if QUICK else 8
END_YEAR = 2030 if QUICK else 2035
STEPS = (END_YEAR - 2023 + 1) * 4  # quarters from 2023Q1 to the end of END_YEAR
MAP_YEARS = [year for year in (2023, 2030, 2035) if year <= END_YEAR]  # ends of years on the maps
N_JOBS = 2  # local processes for the runs

# %%
import govsim
from govsim import plotting

# %% [markdown]
# ## Every scenario, common seeds
#
# `run_many` runs each scenario with each seed. Common seeds make comparisons paired: a difference
# between two scenarios on the same seed is the effect of the scenario, not of chance.

# %%
library = govsim.list_scenarios()["name"].tolist()
ensemble = govsim.run_many(library, seeds=SEEDS, overrides={"time.steps": STEPS}, n_jobs=N_JOBS)
indices = ensemble.indices
indices.groupby("scenario")["seed"].nunique().to_frame("seeds")

# %%
assert indices.groupby("scenario")["run_id"].nunique().eq(SEEDS).all() and len(library) == indices["scenario"].nunique()
assert indices["ai_divide"].between(0, 1).all()


def at_end(table, year=END_YEAR):
    """Each run's row at the end of ``year`` (its Q4), indexed by scenario and seed."""
    rows = table[(table["year"] == year) & table["period"].str.endswith("Q4")]
    return rows.set_index(["scenario", "seed"])


end = at_end(indices)
effect = (end["ai_divide"] - end.loc["baseline", "ai_divide"]).unstack("seed")  # paired, per seed
effect.round(4)

# %% [markdown]
# ## The headline: the relative divide narrows, the absolute gap widens
#
# In the baseline (black) the divide's headline rises in the first year, as the rich adopt AI
# faster, then narrows from about 2024 on as they near their adoption ceiling and the rest catch
# up. The **absolute** gap between high- and low-income countries keeps widening all the while:
# the frontier moves fast, and the rich gain more capability in absolute terms.
#
# The bands (5th-95th percentile of seeds) are hardly visible: capability follows the frontier,
# internet use and compute, and barely depends on the random part of the model, which is the
# countries' choice of forums.

# %%
fig, axes = plotting.plot_trajectories(indices, ["ai_divide", "gap_abs_high_low", "gap_north_south"])

# %%
base = indices[indices["scenario"] == "baseline"]
start = base[base["step"] == 0].set_index("seed")
assert (end.loc["baseline", "ai_divide"] < start["ai_divide"]).all()  # the relative divide narrows
assert (end.loc["baseline", "gap_abs_high_low"] > start["gap_abs_high_low"]).all()  # the absolute gap widens

# %% [markdown]
# ## Which policies move the divide?
#
# The difference from the baseline on common seeds, with the 90% confidence interval of its mean.
# Only the levers that act on capability move the divide:
# - **open models** and **AI as a public good** through the UN narrow it most, **capacity building**
#   less;
# - the **escalated export controls** widen it;
# - the forum scenarios (bloc decoupling, a binding or UN-centred system, WAICO, interoperability)
#   and the rescinded 2025 export rule leave it where it is: their lines lie on zero.
#
# Open models narrow the relative divide but widen the absolute gap: everyone reaches better
# models, and those who already use AI the most gain the most in absolute terms. The escalation
# does the reverse: a wider relative divide, a slightly narrower absolute gap, because the caps
# hold back the richer Tier-2 countries too.

# %%
fig, axes = plotting.plot_difference(indices, indices=["ai_divide", "gap_abs_high_low"], ncols=2)

# %%
narrowing = ["open_models", "ai_public_good", "capacity_building"]
forum_only = ["bloc_decoupling", "un_binding", "un_centred", "waico", "interoperability", "export_controls_2025"]
assert (effect.loc[narrowing] < -0.005).all(axis=None)  # every seed
assert (effect.loc["export_controls_escalation"] > 0.005).all()
assert (effect.loc[forum_only].abs() < 0.001).all(axis=None)
gap_effect = end.loc["open_models", "gap_abs_high_low"] - end.loc["baseline", "gap_abs_high_low"]
assert (gap_effect > 0).all()

# %% [markdown]
# ## The components of the divide
#
# The divide has layers (docs/indices.md): **access** to the best models (nearly closed: APIs
# within weeks, open weights within months), **adoption** (the share of people who use AI, held
# back by internet use and skills) and **intensity** (the compute behind each user). The divide
# lives in use, not in access. Here the baseline and the four scenarios that move it.
#
# The steps at the end of 2027 in the gaps between income groups are China crossing into the
# high-income group: a country's income group follows its income as it grows, so the groups
# change members during a run.

# %%
movers = ["baseline", "export_controls_escalation", *narrowing]
components = ["gini_capability_pop", "gap_high_low", "gap_abs_high_low", "access_gap", "adoption_gap",
              "intensity_gap", "gap_north_south", "theil_between_income", "compute_hhi"]
fig, axes = plotting.plot_trajectories(indices[indices["scenario"].isin(movers)], components)

# %%
final = end.loc["baseline"]
assert (final["access_gap"] < 0.05).all() and (final["adoption_gap"] > final["access_gap"]).all()

# %% [markdown]
# ## Income groups and North–South
#
# The countries table gives each country's capability, so the divide can be read between groups:
# the population-weighted mean of used capability per income group, and the gap between the
# highest and lowest group (1 − lowest / highest). Every income group gains, in the order of its
# income; the public-good and open-model scenarios lift the lower groups more, so the gap between
# the groups narrows faster than in the baseline. (China's step into the high-income group shows
# here too, at the end of 2027.)

# %%
groups_run = govsim.run_many(["baseline", "open_models", "ai_public_good"], seeds=SEEDS,
                             overrides={"time.steps": STEPS}, countries=True, n_jobs=N_JOBS)
countries = groups_run.countries
fig, axes = plotting.plot_group_gaps(countries, "capability", group="income_group")

# %%
fig, axes = plotting.plot_group_gaps(countries, "capability", group="north_south")

# %%
final_countries = at_end(countries).loc["baseline"]
weighted = final_countries.assign(w=final_countries["population"] * final_countries["capability"])
by_income = weighted.groupby("income_group")["w"].sum() / weighted.groupby("income_group")["population"].sum()
assert by_income["low"] < by_income["lower_middle"] < by_income["upper_middle"] < by_income["high"]
assert by_income["high"] > 2 * by_income["lower_middle"]

# %% [markdown]
# ## The divide on the map
#
# Used AI capability of each country in the baseline at the end of 2023, 2030 and 2035 (the mean
# across seeds), on one colour scale. Every country gains, but at very different speeds: North
# America, Europe, the Gulf, Australia and the rich of East Asia pull ahead; Sub-Saharan Africa, where
# internet use and skills cap adoption, stays far behind. Small states without an outline on a
# world map of this scale are dots.

# %%
baseline_countries = countries[countries["scenario"] == "baseline"]
fig, axes = plotting.plot_world_maps(baseline_countries, "capability", at=MAP_YEARS)

# %%
regions = weighted.groupby("region")["w"].sum() / weighted.groupby("region")["population"].sum()
assert regions.idxmin() == "Sub-Saharan Africa" and regions.idxmax() == "North America"
