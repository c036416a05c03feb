"""Regenerate the regression baseline that tests/test_regression.py compares against.

Usage::

    python experiments/regenerate_regression.py

Run it only after a deliberate change of the model's results (a mechanism, a calibrated default,
the data table), and say why in the commit. It stores the headline and component indices of the
baseline scenario with its own seed (42) at the end of every year, as a CSV with full precision.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import govsim

TARGET = Path(__file__).resolve().parents[1] / "tests" / "data" / "regression_baseline.csv"


def summary() -> pd.DataFrame:
    """The stored summary: the baseline's indices at the end of every year (Q4 rows)."""
    indices = govsim.run(govsim.load_scenario("baseline")).indices
    yearly = indices[indices.period.str.endswith("Q4")]
    return yearly.drop(columns=["regime_class", "scenario"]).reset_index(drop=True)


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    summary().to_csv(TARGET, index=False, float_format="%.17g")
    print(f"wrote {TARGET}")
