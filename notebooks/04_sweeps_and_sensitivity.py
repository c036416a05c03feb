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
# # 4. Sweeps and sensitivity from the command line
#
# `govsim.run_many` suits a notebook-sized ensemble. Larger studies run from the command line,
# which batches the runs into jobs, spreads them over cores or a SLURM cluster, resumes after a
# crash and records every run in a results store (docs/cli.md). This notebook drives the command
# line from Python, loads what it wrote and analyses it:
#
# 1. a sweep of two scenarios over common seeds (`govsim run -m`), loaded with `load_sweep`
#    and summarised with `summarize` and `compare`;
# 2. a Morris sensitivity analysis (`govsim sensitivity`, SALib) of four parameters, plotted.
#
# Everything is written into a temporary folder, deleted when the kernel stops.

# %% tags=["parameters"]
# Parameters: GOVSIM_NB_QUICK=1 (set by `make test`) makes both studies small and runs them to 2030.
import os

QUICK = bool(os.environ.get("GOVSIM_NB_QUICK"))
SEEDS = 3 if QUICK else 8
END_YEAR = 2030 if QUICK else 2035
STEPS = (END_YEAR - 2023 + 1) * 4  # quarters from 2023Q1 to the end of END_YEAR
YEARS = [2025, 2030] if QUICK else [2025, 2030, 2035]
MORRIS_TRAJECTORIES = 4 if QUICK else 10
MORRIS_SEEDS = 1 if QUICK else 3

# %%
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

import govsim
from govsim import plotting

GOVSIM = str(Path(sys.executable).parent / "govsim")  # the command installed with this kernel's Python
temporary = tempfile.TemporaryDirectory(prefix="govsim-sweeps-")  # deleted when the kernel stops
workdir = Path(temporary.name)


def govsim_cli(*args: str, last: int = 1) -> str:
    """Run ``govsim ARGS`` in the temporary folder; return the ``last`` lines it printed (its
    summary), or raise with its error message."""
    proc = subprocess.run([GOVSIM, *args], cwd=workdir, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"govsim {args[0]} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return "\n".join(proc.stdout.strip().splitlines()[-last:])


# %% [markdown]
# ## A sweep
#
# `-m` makes a multirun: one run per scenario and seed, here on the joblib launcher (every core).
# `out=` names the sweep's folder. The same command again would skip the runs already complete.

# %%
sweep = workdir / "sweep"
print(govsim_cli("run", "-m", "scenario=baseline,export_controls_escalation", f"seed=range(0,{SEEDS})",
                 f"time.steps={STEPS}", f"out={sweep}", "hydra/launcher=joblib", last=2))

# %% [markdown]
# `load_sweep` reads every complete run into one tidy table: one row per run and quarter, with
# the swept settings as columns (here `time.steps`).

# %%
df = govsim.load_sweep(sweep)
df.head(3)

# %%
assert df["run_id"].nunique() == 2 * SEEDS
assert set(df["scenario"]) == {"baseline", "export_controls_escalation"}
assert df.groupby("run_id")["step"].max().eq(STEPS).all()

# %% [markdown]
# `summarize` gives, per scenario and quarter, the spread of each index across seeds (mean,
# standard deviation, quantiles); `compare` the paired differences from a reference at the end of
# chosen years, with confidence intervals.

# %%
bands = govsim.summarize(df, by=["scenario"])
bands[(bands["year"] == END_YEAR) & bands["period"].str.endswith("Q4")].round(4)

# %%
comparison = govsim.compare(df, YEARS, reference="baseline")
comparison[comparison["scenario"] != "baseline"][
    ["scenario", "index", "at_year", "mean", "delta_mean", "delta_ci_lo", "delta_ci_hi", "share_positive"]].round(4)

# %%
fig, axes = plotting.plot_trajectories(df)

# %%
divide = comparison[(comparison["scenario"] == "export_controls_escalation") & (comparison["index"] == "ai_divide")]
assert (divide["delta_ci_lo"] > 0.01).all()  # the escalation widens the divide at the end of every year shown
assert (bands["n"] == SEEDS).all()

# %% [markdown]
# ## Sensitivity: which parameters drive the indices?
#
# `govsim sensitivity` samples a design with SALib, runs every design point (for a few seeds)
# through the same sweep machinery, and analyses the indices at the end of each chosen year. The
# settings come from a YAML file: here four uncertain parameters, two of the capability model and
# two of the countries' forum choices (`scenarios/sensitivity/default.yaml` holds the 18 of the
# full study in docs/sensitivity.md).
#
# Morris screening reports `mu_star`, the mean absolute effect of moving a parameter across its
# range, in index units.

# %%
settings = {
    "scenario": "baseline", "method": "morris", "samples": MORRIS_TRAJECTORIES, "levels": 4,
    "seeds": MORRIS_SEEDS, "sample_seed": 0, "years": YEARS,
    "uncertain": {
        "behaviour.dynamics.intensity_elasticity": [0.0, 0.5],  # how much compute per user limits use
        "behaviour.dynamics.adoption_skill_elasticity": [0.0, 1.2],  # how skills raise the adoption ceiling
        "behaviour.decision.temperature": [0.5, 2.0],  # randomness of the countries' forum choices
        "behaviour.decision.w_distance": [0.75, 3.0],  # weight of distance to a forum's position
    },
    "levers": {}, "include_levers": False, "jobs": None, "out": None,
}
config = workdir / "sensitivity.yaml"
config.write_text(yaml.safe_dump(settings, sort_keys=False))
study = workdir / "sensitivity"
print(govsim_cli("sensitivity", f"config={config}", f"time.steps={STEPS}", f"out={study}", "hydra/launcher=joblib"))

# %%
sensitivity = pd.read_csv(study / "sensitivity.csv")
sensitivity[sensitivity["year"] == END_YEAR].round(4)

# %% [markdown]
# The AI divide depends on the capability model alone: how strongly the compute behind each user
# limits its use (`intensity_elasticity`, an assumption with no data behind it, docs/sensitivity.md)
# and how skills raise the adoption ceiling. The forum-choice parameters do not move it at all,
# but they drive inclusiveness and fragmentation.

# %%
fig, axes = plotting.plot_sensitivity(sensitivity, "morris")

# %%
fig, axes = plotting.plot_sensitivity_over_time(sensitivity, "morris")

# %%
last = sensitivity[sensitivity["year"] == END_YEAR].set_index(["index", "parameter"])["mu_star"].sort_index()
capability_model = ["behaviour.dynamics.intensity_elasticity", "behaviour.dynamics.adoption_skill_elasticity"]
forum_choice = ["behaviour.decision.temperature", "behaviour.decision.w_distance"]
assert last["ai_divide"].idxmax() == "behaviour.dynamics.intensity_elasticity"
assert (last["ai_divide"][forum_choice] < 1e-4).all() and (last["ai_divide"][capability_model] > 0.01).all()
assert last["inclusiveness"].idxmax() in forum_choice and last["fragmentation"].idxmax() in forum_choice

# %%
temporary.cleanup()
