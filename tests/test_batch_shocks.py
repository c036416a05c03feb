"""Shocks in a batch of replicates (govsim/batch_shocks.py, issue 14): when every replicate has the
same shocks (a seed sweep), ONE set of shock objects steps the whole stacked State and ForumSet;
otherwise each replicate's own shocks step on its slice. Either way every replicate's tables equal
its single run's bit for bit, for every shock kind (those of the library, a membership change, an
enlargement pace, a forum launched mid-run, tiers that differ between replicates)."""

from __future__ import annotations

import pandas as pd
import pytest

import govsim
from govsim import shocks as shock_module
from govsim.batch_shocks import EachReplicate
from govsim.config import validate
from govsim.replicates import Batch
from govsim.runner import run

EXTRA = {
    "change": {"kind": "forum_change", "forum": "brics", "action": "admit", "countries": ["ARG", "MEX"],
               "status": "partner", "start": "2024Q1", "end": "2025Q3"},
    "leave": {"kind": "forum_change", "forum": "g7", "action": "withdraw", "countries": ["ITA"], "start": "2024Q3"},
    "pace": {"kind": "enlargement_pace", "forum": "brics", "partners_per_year": 6, "promotions_per_year": 3,
             "start": "2024Q1"},
}


def _scenario(name: str, steps: int, extra: tuple[str, ...] = (), overrides: tuple[str, ...] = ()):
    data = govsim.load_scenario(name, [f"time.steps={steps}", *overrides]).model_dump(mode="json")
    data["shocks"].update({key: EXTRA[key] for key in extra})
    return validate(data)


def _assert_replicates_are_single_runs(jobs, results) -> None:
    for (scenario, seed), result in zip(jobs, results):
        single = run(scenario, seed=seed)
        for table in ("indices", "countries", "forums"):
            pd.testing.assert_frame_equal(getattr(result, table), getattr(single, table), check_exact=True, obj=table)


def _kinds(batch: Batch) -> set[str]:
    return {type(shock).__name__ for shock in batch.replicas[0].shocks}


CASES = {  # scenario, steps, extra shocks, overrides: together every shock kind, in and out of force
    "controls and reforms": ("un_binding", 24, ("change", "leave", "pace"), ()),
    "bloc parties": ("bloc_decoupling", 16, (), ()),
    "capacity building": ("capacity_building", 12, (), ()),
    "open models": ("open_models", 16, (), ()),
    "interoperability": ("interoperability", 20, (), ()),
    "public good": ("ai_public_good", 20, (), ()),
    "launch": ("waico", 20, (), ()),
    "launch at the start": ("waico", 8, (), ("forums.waico.launch=2023Q1", "forums.waico.partners=[BRA]")),
    "synthetic tiers": ("export_controls_2025", 12, (), ("world.kind=synthetic", "world.n=40")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_seed_sweep_steps_one_set_of_shocks_and_each_replicate_is_its_single_run(case):
    name, steps, extra, overrides = CASES[case]
    scenario = _scenario(name, steps, extra, overrides)
    jobs = [(scenario, seed) for seed in (4, 0, 9)]
    batch = Batch(jobs)
    shocks = EachReplicate(batch)
    assert shocks.shared is not None and len(shocks.shared) == len(batch.replicas[0].shocks)
    assert all(shock.forums is batch.forums for shock in shocks.shared)  # they act on the stacked forums
    _assert_replicates_are_single_runs(jobs, batch.run())


def test_the_cases_cover_every_shock_kind():
    kinds = set().union(*(_kinds(Batch([(_scenario(n, 4, e, o), 0)])) for n, _, e, o in CASES.values()))
    from govsim.levers import LEVERS

    expected = {cls.__name__ for cls in {**shock_module._KINDS, **LEVERS}.values()} | {"ForumLaunch"}
    assert kinds == expected


def test_the_shared_shocks_apply_once_a_step_for_all_replicates(monkeypatch):
    calls = []
    real = shock_module.ExportControlShock.apply
    monkeypatch.setattr(shock_module.ExportControlShock, "apply", lambda self, state: calls.append(state) or real(self, state))
    scenario = _scenario("baseline", 6)
    Batch([(scenario, seed) for seed in range(5)]).run()
    assert len(calls) == 6  # one call a step, on the stacked state
    assert all(state.cap.ndim == 2 and state.cap.shape[0] == 5 for state in (c.policy for c in calls))


def test_different_shocks_fall_back_to_each_replicates_own_shocks(monkeypatch):
    """Scenarios differing only in their shocks share a batch; then each replicate steps its own."""
    jobs = [(_scenario("baseline", 12), 1), (_scenario("open_models", 12), 1), (_scenario("baseline", 12), 2),
            (_scenario("export_controls_2025", 12), 3)]
    batch = Batch(jobs)
    assert EachReplicate(batch).shared is None
    _assert_replicates_are_single_runs(jobs, batch.run())


def test_the_same_kinds_with_other_parameters_fall_back():
    """Replicates whose shocks differ only in a parameter step their own: each gets its own release."""
    jobs = [(_scenario("open_models", 16), 0),
            (_scenario("open_models", 16, overrides=("shocks.open_weights_2025.diffusion_multiplier=4",)), 0),
            (_scenario("open_models", 16, overrides=("shocks.us_chip_controls_2022.caps={3: 0.01}",)), 1)]
    batch = Batch(jobs)
    assert EachReplicate(batch).shared is None
    _assert_replicates_are_single_runs(jobs, batch.run())


def test_the_same_shocks_in_another_order_fall_back():
    first = _scenario("un_centred", 4)
    data = first.model_dump(mode="json")
    data["shocks"] = dict(reversed(list(data["shocks"].items())))
    jobs = [(first, 0), (validate(data), 1)]
    assert EachReplicate(Batch(jobs)).shared is None


def test_a_shock_kind_that_cannot_step_a_batch_falls_back(monkeypatch):
    """Only kinds written for stacked arrays (``Shock.stacks``) are shared; another kind keeps the per-replicate path."""
    monkeypatch.setattr(shock_module.OpenModelShock, "stacks", False)
    jobs = [(_scenario("open_models", 12), seed) for seed in (0, 1)]
    batch = Batch(jobs)
    assert EachReplicate(batch).shared is None
    _assert_replicates_are_single_runs(jobs, batch.run())
