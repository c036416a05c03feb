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
# # 1. Quick start: one run of govsim
#
# govsim simulates the 193 UN member states choosing, every quarter from 2023 to 2035, how much
# diplomatic effort to spend in the governance forums of AI (the UN, the G7, BRICS), while their AI
# capability grows along the frontier. Each quarter it records three headline indices, each in
# [0, 1]:
#
# - **inclusiveness** (higher is better): how many countries have a seat somewhere, and how much
#   voice the poorer ones get;
# - **fragmentation** (lower is better): how split governance is between clubs with diverging norms;
# - **AI divide** (lower is better): the population-weighted Gini of *used* AI capability.
#
# This notebook makes one run, shows its three tables and the headline figure, and saves the
# results to a folder and reads them back.

# %% tags=["parameters"]
# Parameters: GOVSIM_NB_QUICK=1 (set by `make test`) shortens the run to 2030.
import os

QUICK = bool(os.environ.get("GOVSIM_NB_QUICK"))
END_YEAR = 2030 if QUICK else 2035
STEPS = (END_YEAR - 2023 + 1) * 4  # quarters from 2023Q1 to the end of END_YEAR
SEED = 42

# %%
import tempfile
from pathlib import Path

import pandas as pd

import govsim
from govsim import plotting

pd.set_option("display.max_colwidth", 160)  # show the scenarios' descriptions whole

# %% [markdown]
# ## The scenario library
#
# Every run starts from a scenario: the real-world `baseline` or one of the policy experiments
# built on it. `list_scenarios()` gives each one's description and its real-world provenance.

# %%
library = govsim.list_scenarios()
library[["name", "description"]]

# %%
assert "baseline" in set(library["name"])
assert len(library) >= 10

# %% [markdown]
# ## One run
#
# `govsim.run(name, seed=...)` simulates a scenario; `overrides` changes any field of it by its
# dotted path (here, the number of quarters). The same scenario and seed always give the same
# tables.

# %%
results = govsim.run("baseline", seed=SEED, overrides={"time.steps": STEPS})
print(results.summary())

# %% [markdown]
# ## Three tables
#
# Every table is tidy and long, and starts with the same columns: `scenario`, `seed`, `step`,
# `period`, `year` and `time`. A row holds the state at the **end** of its `period`: the row
# `2030Q4` has `year == 2030` and is the end of 2030. Step 0 is the initial state (`2022Q4`).
# `time` is the period's start as a decimal year (2030.75), the x axis of the figures.
#
# **`indices`**: one row per quarter, the three headlines and their components (see
# `docs/indices.md`).

# %%
results.indices.head()

# %% [markdown]
# **`countries`**: one row per country per quarter: `capability` (used AI capability, 0-1: the
# best model a country reaches, times the share of people who use AI, times the intensity of
# their use), its layers `access`, `adoption` and `intensity`, `lag_years` behind the frontier,
# income and alignment (−1 leans towards China, +1 towards the US), the export-control `tier`,
# and for each forum the country's `engagement_<forum>` (share of its diplomatic budget) and
# `status_<forum>` (member, partner, applicant or none).

# %%
countries = results.countries
countries[countries["iso3"].isin(["USA", "CHN", "IND", "NGA"]) & (countries["step"] == STEPS)].T

# %% [markdown]
# **`forums`**: one row per forum per quarter: its members and partners, its position on the
# alignment axis, its authority and the capability it pools.

# %%
results.forums.tail(3)

# %%
n_rows = STEPS + 1  # step 0 (the initial state) and one row per quarter
assert len(results.indices) == n_rows
assert results.countries["iso3"].nunique() == 193 and len(results.countries) == 193 * n_rows
assert set(results.forums["forum"]) == {"un", "g7", "brics"} and len(results.forums) == 3 * n_rows
for table in (results.indices, results.countries, results.forums):
    assert list(table.columns[:6]) == ["scenario", "seed", "step", "period", "year", "time"]
last = results.indices.iloc[-1]
assert last["period"] == f"{END_YEAR}Q4" and last["year"] == END_YEAR
assert results.indices[["inclusiveness", "fragmentation", "ai_divide"]].stack().between(0, 1).all()

# %% [markdown]
# ## The headline figure
#
# Each index on its own axis, scaled to the data. In the baseline the AI divide's relative
# headline rises in the first year, as rich countries adopt AI faster, then **narrows** from about
# 2024 on, as they near their adoption ceiling and the rest catch up; meanwhile the absolute gap in
# capability between high- and low-income countries keeps **widening** (notebook 2 shows both).
# Inclusiveness and fragmentation move with the countries' forum choices and BRICS's enlargement.

# %%
fig, axes = plotting.plot_headlines(results.indices, title=f"baseline, seed {SEED}")

# %%
first = results.indices.iloc[0]
assert last["ai_divide"] < first["ai_divide"]  # the relative divide narrows ...
assert last["gap_abs_high_low"] > first["gap_abs_high_low"]  # ... while the absolute gap widens

# %% [markdown]
# ## Saving and loading
#
# `results.save(folder)` writes the three tables as Parquet, the resolved scenario (with its seed)
# as `scenario.json` and a `manifest.json` with each file's checksum. `govsim.load_sweep` reads such
# a folder back, as it reads the sweeps of the command line (notebook 4).
#
# This notebook writes into a temporary folder, deleted when the kernel stops; to keep your
# results, save them into a folder of your own, e.g. `results.save("outputs/my-run")`.

# %%
workdir = tempfile.TemporaryDirectory(prefix="govsim-quickstart-")
folder = results.save(Path(workdir.name) / "baseline-seed42")
sorted(p.name for p in folder.iterdir())

# %%
loaded = govsim.load_sweep(folder)
loaded_countries = govsim.load_sweep(folder, table="countries")
loaded.head(3)

# %%
assert len(loaded) == len(results.indices) and len(loaded_countries) == len(results.countries)
assert loaded["ai_divide"].tolist() == results.indices["ai_divide"].tolist()
assert (folder / "scenario.json").exists() and (folder / "manifest.json").exists()

# %% [markdown]
# ## Next
#
# - `02_divide_trajectories`: the AI divide under every scenario of the library, with bands
#   across seeds, and the gaps between income groups;
# - `03_export_controls`: the 2025 US export-control rule and its escalation;
# - `04_sweeps_and_sensitivity`: sweeps and sensitivity analyses from the command line;
# - `05_your_own_world`: your own countries, a synthetic world and a forum of your own.

# %%
workdir.cleanup()
