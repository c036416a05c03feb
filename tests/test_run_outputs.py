"""What a single run writes for its reader: the headline figure with a seed band, the divide map,
a summary that says which direction is better, and one clear error for a bad store option."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.pyplot as plt
import pytest
from matplotlib.collections import PolyCollection

import govsim
from govsim.run_figures import _with_band
from govsim.plotting import plot_trajectories


def govsim_cli(cwd, *args):
    return subprocess.run([sys.executable, "-m", "govsim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


STEPS = {"time.steps": 12}


def test_headline_figure_draws_the_run_over_a_band_of_seeds():
    results = govsim.run("baseline", seed=7, overrides=STEPS, countries=False)
    fig, axes = _with_band(results, 4, plot_trajectories)
    try:
        assert len(axes) == 3
        for ax, index in zip(axes, govsim.runner.HEADLINES):
            bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
            assert len(bands) == 1, index
            mine = [line for line in ax.get_lines() if line.get_label() == "this run (seed 7)"]
            assert len(mine) == 1 and list(mine[0].get_ydata()) == list(results.indices[index])
            low, high = ax.get_ylim()
            assert (low, high) != (0.0, 1.0) and high - low < 0.5  # scaled to the data, not pinned to 0-1
            assert ax.get_xlim()[1] <= 2026.5
    finally:
        plt.close(fig)


def test_summary_says_which_direction_is_better():
    text = govsim.run("baseline", seed=0, overrides=STEPS, countries=False).summary()
    assert "higher is better" in text.splitlines()[1] and "lower is better" in text.splitlines()[2]
    assert all(("better:" in line or "worse:" in line or "no change:" in line) for line in text.splitlines()[1:])


def test_single_run_writes_band_figure_and_divide_map(tmp_path):
    proc = govsim_cli(tmp_path, "run", "scenario=baseline", "time.steps=8", "store.band_seeds=3", f"out={tmp_path / 'r'}")
    assert proc.returncode == 0, proc.stderr
    for name in ("headlines.png", "divide_map.png"):
        assert (tmp_path / "r" / name).stat().st_size > 10_000, name
    assert "is better" in (tmp_path / "r" / "summary.txt").read_text()


@pytest.mark.parametrize("arg, message", [
    ("store.bogus=1", "'store.bogus' is not a store option. Fix: use one of store.countries, store.figure, store.band_seeds"),
    ("store.figure=maybe", "store.figure = 'maybe' is not allowed. Fix: auto, true or false"),
    ("store.band_seeds=100", "store.band_seeds = 100 is not allowed. Fix: a whole number of seeds from 0 to 64"),
])
def test_bad_store_option_is_one_line_and_writes_nothing(tmp_path, arg, message):
    proc = govsim_cli(tmp_path, "run", "scenario=baseline", "time.steps=2", arg, f"out={tmp_path / 'r'}")
    assert proc.returncode == 2 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()
