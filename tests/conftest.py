"""Shared helpers for the govsim tests: cached runs and scenario edits.

Runs are cached per (scenario name, overrides, seed) for the whole session, so tests that
look at the same run (e.g. the baseline on seeds 0-7) pay for it once. The returned
``Results`` are shared: tests must not modify their DataFrames in place.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

import govsim
from govsim.config import validate

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "scenarios"


@functools.lru_cache(maxsize=None)
def _cached_run(name: str, overrides: tuple[str, ...], seed: int | None) -> govsim.Results:
    return govsim.run(govsim.load_scenario(name, list(overrides)), seed=seed)


@pytest.fixture(scope="session")
def cached_run():
    """``cached_run(name, overrides=(), seed=None)``: one shared run per argument set."""

    def run(name: str, overrides: tuple[str, ...] | list[str] = (), seed: int | None = None) -> govsim.Results:
        return _cached_run(name, tuple(overrides), seed)

    return run


def _with_changes(scenario: govsim.Scenario, shocks: list[dict[str, Any]] = (), forums: dict[str, dict] | None = None) -> govsim.Scenario:
    """A validated copy of ``scenario`` with extra ``shocks`` appended and ``forums`` added."""
    data = scenario.model_dump()
    data["shocks"].update({f"extra{i}": shock for i, shock in enumerate(shocks)})
    data["forums"].update(forums or {})
    return validate(data)


def _row_at(indices, period: str):
    """The single row of an indices table whose period label is ``period``."""
    rows = indices[indices.period == period]
    assert len(rows) == 1, f"expected one row for period {period}, got {len(rows)}"
    return rows.iloc[0]


@pytest.fixture(scope="session")
def with_changes():
    """The :func:`_with_changes` helper (scenario + extra shocks/forums, validated)."""
    return _with_changes


@pytest.fixture(scope="session")
def row_at():
    """The :func:`_row_at` helper (the indices row of one period label)."""
    return _row_at
