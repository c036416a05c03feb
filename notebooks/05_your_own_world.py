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
# # 5. Your own world: a CSV table, a synthetic world, a forum of your own
#
# The library's scenarios run on the 193 UN member states. You can change the world and the
# forums too, with the same overrides as any other field (`world.*`, `forums.<name>.*`):
#
# 1. **a CSV world**: your own table of countries, in the documented format
#    (govsim/data/README.md, "Your own world table"); here a subset of the shipped data, and a
#    "what if" variant of it;
# 2. **a synthetic world** of any size, drawn from distributions fitted to the real table;
# 3. **a forum of your own**: a new club founded mid-run by a coalition.
#
# Files are written into a temporary folder, deleted when the kernel stops.

# %% tags=["parameters"]
# Parameters: GOVSIM_NB_QUICK=1 (set by `make test`) runs 3 seeds to 2030 instead of 8 to 2035.
import os

QUICK = bool(os.environ.get("GOVSIM_NB_QUICK"))
SEEDS = 3 if QUICK else 8
END_YEAR = 2030 if QUICK else 2035
STEPS = (END_YEAR - 2023 + 1) * 4  # quarters from 2023Q1 to the end of END_YEAR
SYNTHETIC_N = 1000  # countries in the synthetic world

# %%
import importlib.resources
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import govsim
from govsim import plotting

temporary = tempfile.TemporaryDirectory(prefix="govsim-world-")  # deleted when the kernel stops
workdir = Path(temporary.name)
TIME = {"time.steps": STEPS}


def at_end(table, year=END_YEAR):
    """Each run's rows at the end of ``year`` (its Q4), indexed by scenario and seed."""
    return table[(table["year"] == year) & table["period"].str.endswith("Q4")].set_index(["scenario", "seed"])


# %% [markdown]
# ## 1. A world from a CSV table
#
# A world table has one row per country: `iso3`, `population`, `gdp_pc_usd`, `income_group`,
# `internet_pct`, `readiness` (GAIRI, 0-100), `unga_ideal_point`, `top500_rmax_tflops`,
# `notable_models_2023_2025` and `export_tier_2025` are required; `name`, `region`, the G7/G20/OECD
# flags and the BRICS dates are optional. Every cell is checked: a bad one stops the run with one
# line naming the row, the column and the value.
#
# We build one from the shipped data (its readiness scores are kept in their own file, under
# their own licence): Sub-Saharan Africa, the G7 and the other BRICS founders.

# %%
data = importlib.resources.files("govsim") / "data"
world = pd.read_csv(data / "world_un193.csv", dtype=str, keep_default_na=False)
readiness = pd.read_csv(data / "readiness_gairi2024.csv", dtype=str, keep_default_na=False)
world = world.drop(columns="imputed").merge(readiness[["iso3", "readiness"]], on="iso3")

africa = world["region"] == "Sub-Saharan Africa"
mine = world[africa | (world["g7"] == "1") | world["iso3"].isin(["BRA", "RUS", "IND", "CHN"])]
recorded_csv = workdir / "africa_and_powers.csv"
mine.to_csv(recorded_csv, index=False)
mine[["iso3", "name", "region", "income_group", "population", "internet_pct", "readiness", "export_tier_2025"]].head()

# %% [markdown]
# A "what if" on the same table: every Sub-Saharan country gets at least 60% of its people online
# (today the median is about a third).

# %%
online = mine.copy()
in_africa = online["region"] == "Sub-Saharan Africa"
online.loc[in_africa, "internet_pct"] = online.loc[in_africa, "internet_pct"].astype(float).clip(lower=60).astype(str)
online_csv = workdir / "africa_online.csv"
online.to_csv(online_csv, index=False)

# %% [markdown]
# `world.kind=csv` and `world.path` select the table; `run_many` takes `Scenario` objects under
# labels of your choice, and runs them on common seeds.

# %%
worlds = {label: govsim.load_scenario("baseline", {"world.kind": "csv", "world.path": str(path), **TIME})
          for label, path in [("recorded", recorded_csv), ("africa_online", online_csv)]}
csv_runs = govsim.run_many(worlds, seeds=SEEDS, countries=True)
fig, axes = plotting.plot_trajectories(csv_runs.indices, ["ai_divide", "gap_abs_high_low", "adoption_gap"],
                                       reference="recorded")

# %% [markdown]
# Getting Africa online narrows the divide, relative and absolute, through adoption: internet use
# caps the share of people who can use AI. Nigeria, Ethiopia, DR Congo and Kenya:

# %%
fig, axes = plotting.plot_countries(csv_runs.countries, "adoption", countries=["NGA", "ETH", "COD", "KEN"], ncols=2)

# %%
assert csv_runs.countries["iso3"].nunique() == len(mine)
end = at_end(csv_runs.indices)
assert end[["inclusiveness", "fragmentation", "ai_divide"]].stack().between(0, 1).all()
assert (end.loc["africa_online", "ai_divide"] < end.loc["recorded", "ai_divide"] - 0.005).all()  # every seed
assert (end.loc["africa_online", "gap_abs_high_low"] < end.loc["recorded", "gap_abs_high_low"]).all()

# %% [markdown]
# A CSV world of real countries draws on the world map (the countries left out are grey). Here
# the difference the "what if" makes to adoption, by the end of the run, country by country:
# a derived column maps like any other.

# %%
ends = csv_runs.countries[(csv_runs.countries["year"] == END_YEAR) & csv_runs.countries["period"].str.endswith("Q4")]
paired = ends.pivot_table(index=["iso3", "seed", "step", "period", "year", "time"], columns="scenario", values="adoption")
extra = (paired["africa_online"] - paired["recorded"]).rename("extra_adoption").reset_index()
fig, ax = plotting.plot_world_map(extra.assign(scenario="africa_online vs recorded"), "extra_adoption",
                                  title=f"Adoption of AI, Africa online minus as recorded, end of {END_YEAR}")
fig.axes[-1].set_xlabel("difference in the share of people using AI")

# %% [markdown]
# ## 2. A synthetic world
#
# `world.kind=synthetic` draws `world.n` countries (population, income, readiness, internet use,
# alignment, compute, club memberships, export-control tiers) from distributions fitted to the
# real table; the `world.synthetic.*` settings change them (docs/parameters.md). A synthetic world
# is useful to test how the model's findings depend on the particular countries of today. Its
# countries are named S00000, S00001, ...: it has no geography, so no map.

# %%
synthetic = govsim.run("baseline", seed=0, overrides={"world.kind": "synthetic", "world.n": SYNTHETIC_N, **TIME})
start = synthetic.countries[synthetic.countries["step"] == 0]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
axes[0].hist(start["gdp_pc"], bins=np.geomspace(start["gdp_pc"].min(), start["gdp_pc"].max(), 40), color="tab:blue")
axes[0].set(xscale="log", xlabel="GDP per head (current US$, log scale)", ylabel="countries", title="Income")
start["income_group"].value_counts().reindex(["low", "lower_middle", "upper_middle", "high"]).plot.bar(ax=axes[1], rot=0)
axes[1].set(xlabel="", ylabel="countries", title="Income groups")
fig.suptitle(f"A synthetic world of {SYNTHETIC_N} countries at the start");

# %%
fig, axes = plotting.plot_headlines(synthetic.indices, title=f"baseline on a synthetic world of {SYNTHETIC_N} countries")

# %%
assert start["iso3"].nunique() == SYNTHETIC_N and len(synthetic.countries) == SYNTHETIC_N * (STEPS + 1)
assert set(start["income_group"]) == {"low", "lower_middle", "upper_middle", "high"}
final = synthetic.countries[synthetic.countries["step"] == STEPS]
means = final.groupby("income_group")["capability"].mean()
assert means["high"] > means["low"]  # the divide exists in a synthetic world too

# %% [markdown]
# ## 3. A forum of your own
#
# Forums are declared under `forums.<name>`: a `rule` (`universal`, `closed_club` or
# `expanding_club`), founding `members`, its costs and goods, and `launch`, the period it is
# founded. Here a hypothetical "Digital South" club, founded by India, Brazil, South Africa and
# Indonesia in 2027Q1, open to applicants as BRICS is. The library's `waico` scenario is a real
# proposal built the same way.

# %%
club = {"forums.digital_south.rule": "expanding_club",
        "forums.digital_south.members": ["IND", "BRA", "ZAF", "IDN"],
        "forums.digital_south.launch": "2027Q1",
        **TIME}
forum_runs = govsim.run_many({"baseline": govsim.load_scenario("baseline", TIME),
                              "digital_south": govsim.load_scenario("baseline", club)}, seeds=SEEDS, countries=True)
forums = forum_runs.forums[forum_runs.forums["scenario"] == "digital_south"]

fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for forum, name in [("g7", "G7"), ("brics", "BRICS"), ("digital_south", "Digital South")]:  # the UN: all 193
    rows = forums[forums["forum"] == forum]
    size = rows.groupby("time")[["n_members", "n_partners"]].mean().sum(axis=1)
    ax.plot(size.index, size.values, linewidth=2, label=name)
ax.axvline(2027.0, color="grey", linestyle="--", linewidth=1)
ax.annotate("launch", (2027.0, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
            textcoords="offset points", color="grey")
ax.set(ylabel="members and partners\n(mean across seeds)", title="The clubs, with the Digital South club founded in 2027")
ax.legend(frameon=False, loc="center left")
ax.grid(alpha=0.3)

# %% [markdown]
# Who has joined by the end of the run (the most frequent status across seeds): a forum of your
# own maps like the built-in ones.

# %%
club_countries = forum_runs.countries[forum_runs.countries["scenario"] == "digital_south"]
fig, ax = plotting.plot_forum_map(club_countries, "digital_south", at=END_YEAR,
                                  title=f"The Digital South club at the end of {END_YEAR} (most frequent status, {SEEDS} seeds)")

# %% [markdown]
# The new club gathers members quickly, so fewer countries are left outside every club and
# inclusiveness rises; the AI divide does not move (a forum's technology sharing speeds know-how,
# which is rarely a country's quickest route to the frontier). Its effect on fragmentation
# depends on the seed.
#
# Before the launch the two runs of a seed differ by chance alone: the extra forum adds a column
# to every random draw, so common seeds pair the runs less tightly than in the other notebooks.

# %%
fig, axes = plotting.plot_difference(forum_runs.indices, indices=["inclusiveness", "none_share", "fragmentation"])

# %%
south = forums[forums["forum"] == "digital_south"]
assert (south.loc[south["time"] < 2027.0, "n_members"] == 0).all()  # nothing before the launch
assert (south.loc[south["time"] >= 2027.0, "n_members"] >= 4).all()  # the founders, then more
assert south.loc[south["time"] == south["time"].max(), "n_members"].min() > 4
end = at_end(forum_runs.indices)
gain = end.loc["digital_south", "inclusiveness"] - end.loc["baseline", "inclusiveness"]
assert gain.mean() > 0.01
if not QUICK:  # by 2035 on every seed (by 2030 on 19 seeds of 20)
    assert (gain > 0).all()
assert (end.loc["digital_south", "ai_divide"] - end.loc["baseline", "ai_divide"]).abs().max() < 1e-3

# %%
temporary.cleanup()
