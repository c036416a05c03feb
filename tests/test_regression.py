"""Regression baseline: the calibrated baseline's yearly indices must not change by accident.

A deliberate change regenerates tests/data/regression_baseline.csv with
``python experiments/regenerate_regression.py`` (and says why in the commit).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "tests" / "data" / "regression_baseline.csv"


def _script():
    spec = importlib.util.spec_from_file_location("regenerate_regression", ROOT / "experiments" / "regenerate_regression.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_baseline_matches_the_stored_regression_summary():
    stored = pd.read_csv(STORED)
    current = _script().summary()
    assert list(current.columns) == list(stored.columns)
    assert list(current.period) == list(stored.period)
    numeric = [c for c in stored.columns if c != "period"]
    pd.testing.assert_frame_equal(current[numeric].astype(float), stored[numeric].astype(float), rtol=1e-9, atol=1e-12,
                                  obj="baseline indices (run experiments/regenerate_regression.py after a deliberate change)")
