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
# # 3. Export controls: the 2025 rule and its escalation
#
# In January 2025 the US AI Diffusion rule sorted the world into three tiers: allies without caps
# (Tier 1), most countries under caps on imported AI chips (Tier 2), and embargoed countries such as
# China (Tier 3, already under the 2022-23 chip controls). The rule was rescinded in May 2025.
# Three scenarios, run on common seeds:
#
# - `baseline`: the real world, with the 2022-23 chip controls on Tier 3;
# - `export_controls_2025`: the baseline plus the 2025 caps, rescinded after four months;
# - `export_controls_escalation`: the caps kept to the end, with the Tier-2 cap halved
#   (a counterfactual).
#
# What the model finds (docs/claims.md, claims 3-6): the rescinded rule ran too briefly to move the
# headline indices at all. Its escalation widens the AI divide, starves Tier-2 countries of
# compute, slows China a little, and fragments governance slowly, by pushing capped countries
# away from the G7.

# %% tags=["parameters"]
# Parameters: GOVSIM_NB_QUICK=1 (set by `make test`) runs 3 seeds to 2030 instead of 8 to 2035.
import os

QUICK = bool(os.environ.get("GOVSIM_NB_QUICK"))
SEEDS = 3 if QUICK else 8
END_YEAR = 2030 if QUICK else 2035
STEPS = (END_YEAR - 2023 + 1) * 4  # quarters from 2023Q1 to the end of END_YEAR
YEARS = [2025, 2030] if QUICK else [2025, 2030, 2035]  # ends of years for the comparison table
N_JOBS = 2  # local processes for the runs

# %%
import govsim
from govsim import plotting

SCENARIOS = ["baseline", "export_controls_2025", "export_controls_escalation"]
ensemble = govsim.run_many(SCENARIOS, seeds=SEEDS, overrides={"time.steps": STEPS}, countries=True, n_jobs=N_JOBS)
indices, countries = ensemble.indices, ensemble.countries

# %%
assert set(indices["scenario"]) == set(SCENARIOS) and indices["run_id"].nunique() == 3 * SEEDS
assert countries["tier"].isin([1, 2, 3]).all()
countries[countries["step"] == 0].drop_duplicates("iso3")["tier"].value_counts().sort_index().rename("countries per tier")

# %% [markdown]
# ## The headline indices: differences from the baseline
#
# Each scenario minus the baseline, seed by seed, averaged over the seeds; the shaded band is the
# 90% confidence interval of that mean. The 2025 rule (blue) lies on zero. The escalation
# (orange) raises the AI divide at once and keeps it up; its fragmentation effect is small and
# builds up slowly.

# %%
fig, axes = plotting.plot_difference(indices)

# %% [markdown]
# The same comparison at the end of chosen years, as a table: `mean` is the scenario's mean across
# seeds, `delta_mean` the paired difference from the baseline with its confidence interval
# (`delta_ci_lo`, `delta_ci_hi`), and `share_positive` the share of seeds where the difference is
# positive.

# %%
table = govsim.compare(indices, YEARS, reference="baseline")
table = table[table["scenario"] != "baseline"]
columns = ["scenario", "index", "at_year", "mean", "delta_mean", "delta_ci_lo", "delta_ci_hi", "share_positive"]
table[columns].round(4)

# %%
rule = table[table["scenario"] == "export_controls_2025"]
assert (rule["delta_mean"].abs() < 0.002).all()  # the rescinded rule: no material effect, any index, any year
escalation = table[table["scenario"] == "export_controls_escalation"].set_index(["index", "at_year"]).sort_index()
assert escalation.loc[("ai_divide", END_YEAR), "delta_ci_lo"] > 0.01  # a wider divide, on every seed
fragmentation = escalation.loc[("fragmentation", END_YEAR)]
assert fragmentation["delta_mean"] > 0 and fragmentation["share_positive"] == 1.0
if not QUICK:  # by 2035 on 8 seeds the interval excludes zero
    assert fragmentation["delta_ci_lo"] > 0

# %% [markdown]
# ## China and the United States
#
# The escalation slows China's used AI capability a little (it is already under the 2022-23
# controls, and reaches the frontier through open weights); the United States does not move.
# Tier-2 countries such as India and the United Arab Emirates lose the compute behind their users.

# %%
fig, axes = plotting.plot_countries(countries, "capability", countries=["USA", "CHN", "IND", "ARE"], ncols=2)

# %% [markdown]
# Compute grows several-fold a year, so its panels use a log scale; the unit is the world's
# whole compute stock of 2023. Under the escalation India and the Emirates end with about a
# tenth of the compute they have in the baseline.

# %%
fig, axes = plotting.plot_countries(countries, "compute", countries=["USA", "CHN", "IND", "ARE"], ncols=2)
for ax in axes:
    ax.set_yscale("log")

# %%
end = countries[(countries["year"] == END_YEAR) & countries["period"].str.endswith("Q4")]
capability = end.pivot_table(index=["iso3", "seed"], columns="scenario", values="capability")
china = capability.loc["CHN"]
assert (china["export_controls_escalation"] < china["baseline"] - 0.005).all()  # slower, every seed
assert (capability.loc["USA"]["export_controls_escalation"] - capability.loc["USA"]["baseline"]).abs().max() < 0.005

# %% [markdown]
# ## Tier 2: less compute, and alienated
#
# Summed over the Tier-2 countries, compute falls to a fraction of the baseline's under the
# escalation. Capped countries also drift away from the sanctioning club: their mean alignment
# moves towards China (claim 6 of docs/claims.md).

# %%
tier2 = end[end["tier"] == 2]
summary = tier2.groupby(["scenario", "seed"]).agg(compute=("compute", "sum"), alignment=("alignment", "mean"))
summary.groupby("scenario").mean().round(3)

# %%
per_seed = summary.unstack("scenario")
assert (per_seed[("compute", "export_controls_escalation")] < 0.5 * per_seed[("compute", "baseline")]).all()
assert (per_seed[("alignment", "export_controls_escalation")] < per_seed[("alignment", "baseline")] - 0.01).all()

# %% [markdown]
# ## The tiers on the map
#
# The tiers of the January 2025 rule, as the model reads them from its world table: Tier 1 (the
# US, its closest allies and partners: no caps), Tier 2 (most of the world: capped) and Tier 3
# (China, Russia and the embargoed: blocked since the 2022-23 controls).

# %%
from matplotlib.colors import ListedColormap

start = countries[(countries["scenario"] == "baseline") & (countries["step"] == 0)]
fig, ax = plotting.plot_world_map(start, "tier", cmap=ListedColormap(["#1a9850", "#fdae61", "#d73027"]),
                                  vmin=0.5, vmax=3.5, title="US export-control tiers of January 2025")
fig.axes[-1].set_xticks([1, 2, 3], ["Tier 1: no caps", "Tier 2: capped", "Tier 3: blocked"])

# %% [markdown]
# Where the escalation bites: each country's compute at the end of the run under the escalation,
# as a change from the baseline on the same seed (mean across seeds). Tier-1 countries keep all
# of theirs. The Tier-2 countries that build compute, India, Brazil, Mexico, the Gulf, South-East
# Asia, Turkey and Poland among them, lose most of it; most other Tier-2 countries have too little
# compute for a cap to bite. Tier 3 loses a quarter to a third more than under the 2022-23 controls alone.

# %%
paired = end.pivot_table(index=["iso3", "seed", "step", "period", "year", "time"], columns="scenario", values="compute")
change = (100 * (paired["export_controls_escalation"] / paired["baseline"] - 1)).rename("compute_change").reset_index()
fig, ax = plotting.plot_world_map(change.assign(scenario="escalation vs baseline"), "compute_change", cmap="Reds_r", vmax=0,
                                  title=f"Compute under the escalation: change from the baseline, end of {END_YEAR}")
fig.axes[-1].set_xlabel("change in compute, % of the baseline (red: less)")

# %%
by_country = change.groupby("iso3")["compute_change"].mean()
tiers = start.drop_duplicates("iso3").set_index("iso3")["tier"].reindex(by_country.index)
assert by_country[tiers == 1].abs().max() < 0.5  # Tier 1 untouched
assert by_country[tiers == 2].min() < -75 and by_country["IND"] < -75  # the capped Tier-2 builders
assert (by_country[tiers == 3] < -20).all()
