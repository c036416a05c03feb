"""The calibrated baseline: shipped defaults equal the accepted set, and every hard pattern holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import govsim
from govsim import patterns
from govsim.cli import validate

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED = ROOT / "experiments" / "calibration" / "accepted.yaml"


def _value(scenario: govsim.Scenario, key: str):
    node = scenario.model_dump()
    for part in key.split("."):
        node = node[part]
    return node


def test_shipped_defaults_are_the_calibrated_parameter_set():
    accepted = yaml.safe_load(ACCEPTED.read_text())
    priors = yaml.safe_load((ACCEPTED.parent / "priors.yaml").read_text())
    assert set(accepted) == set(priors)
    baseline = govsim.load_scenario("baseline")
    wrong = {k: (_value(baseline, k), v) for k, v in accepted.items() if _value(baseline, k) != pytest.approx(v)}
    assert not wrong, f"shipped value vs calibrated value: {wrong}"


def test_validate_passes_every_hard_pattern(tmp_path, capsys):
    assert validate.main(["seeds=4", f"out={tmp_path}"]) == 0
    table = pd.read_csv(tmp_path / "validation.csv")
    assert set(table.id) == {p.id for p in patterns.PATTERNS}
    hard = table[table.kind == "hard"]
    assert hard["pass"].all(), hard[~hard["pass"]][["id", "model", "low", "high"]].to_string()
    text = (tmp_path / "validation.md").read_text()
    assert all(p.id in text and p.source in text for p in patterns.PATTERNS)
    assert "pass" in capsys.readouterr().out


def test_validate_fails_with_status_1_when_a_hard_pattern_fails(tmp_path):
    """An uncalibrated outside option empties the clubs: P1 fails and so does the command."""
    assert validate.main(["seeds=2", f"out={tmp_path}", "behaviour.decision.outside_utility=3"]) == 1
    table = pd.read_csv(tmp_path / "validation.csv").set_index("id")
    assert not table.loc["P1", "pass"]


def test_validate_command_line_bad_input(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "govsim", "validate", "seeds=x"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "seeds" in proc.stderr


def _calibrate_module():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "experiments" / "calibrate.py"
    spec = importlib.util.spec_from_file_location("calibrate_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_one_value_band_gives_a_finite_distance():
    """P4e-P4g must be 0 and P4h 1: a zero-width band once made every candidate's distance inf, so
    the choice and the shrinking boxes ignored the targets."""
    cal = _calibrate_module()
    one_value = next(p for p in patterns.PATTERNS if p.low == p.high)
    values = pd.Series([one_value.low, one_value.low + 1.0])
    assert cal._excess(values, one_value).tolist() == [0.0, 4.0]


def test_the_chosen_candidate_keeps_clear_of_the_band_edges():
    cal = _calibrate_module()
    p1 = next(p for p in patterns.PATTERNS if p.id == "P1")
    low, high = cal._inner(p1)
    assert p1.low < low < high < p1.high
    p2 = next(p for p in patterns.PATTERNS if p.id == "P2")
    assert cal._inner(p2)[1] == p2.high == 1.0  # a share's natural limit is not cut
    accepted = pd.DataFrame({"robust": [False, True, True], "distance": [1.0, 5.0, 3.0]}, index=[10, 11, 12])
    assert cal.choose(accepted).name == 12
    assert cal.choose(accepted.assign(robust=False)).name == 10
