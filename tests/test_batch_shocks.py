"""Shocks in a batch of replicates (govsim/batch_shocks.py, issue 14): when every replicate has the
same shocks (a seed sweep), ONE set of shock objects steps the whole stacked State and ForumSet;
consecutive replicates with the same shocks share one set on views of their rows; a kind not
written for stacked arrays steps each replicate's own shocks on its slice. Either way every
replicate's tables equal its single run's bit for bit, for every shock kind (those of the library, a
membership change, an enlargement pace, a forum launched mid-run, tiers that differ between replicates)."""

from __future__ import annotations

import numpy as np
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
    assert shocks.alone == [] and len(shocks.shared) == 1
    group = shocks.shared[0]
    assert group.view is None and len(group.shocks) == len(batch.replicas[0].shocks)  # the whole batch, unbound
    assert all(shock.forums is batch.forums for shock in group.shocks)  # they act on the stacked forums
    if case == "synthetic tiers":  # whom the caps hit differs between the replicates
        assert not (batch.state.tier == batch.state.tier[0]).all()
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


def _groups(batch: Batch) -> list[tuple[int, int]]:
    return [(group.rows.start, group.rows.stop) for group in EachReplicate(batch).shared]


def test_consecutive_replicates_with_the_same_shocks_share_them_on_views_of_their_rows(monkeypatch):
    """Scenarios differing only in their shocks share a batch: each run of consecutive replicates with
    the same shocks steps one set of them (one call a step per run), and each replicate is its single run."""
    calls = []
    real = shock_module.ExportControlShock.apply
    monkeypatch.setattr(shock_module.ExportControlShock, "apply", lambda self, state: calls.append(state) or real(self, state))
    names = ["baseline", "baseline", "interoperability", "interoperability", "interoperability", "leave", "bloc_decoupling",
             "baseline"]
    scenarios = {name: _scenario(name, 16, ("change", "pace") if name == "baseline" else (), ()) for name in set(names) - {"leave"}}
    scenarios["leave"] = _scenario("baseline", 16, ("leave",))
    jobs = [(scenarios[name], seed) for seed, name in enumerate(names)]
    batch = Batch(jobs)
    assert _groups(batch) == [(0, 2), (2, 5), (5, 6), (6, 7), (7, 8)] and EachReplicate(batch).alone == []
    results = batch.run()
    assert len(calls) == 16 * 5 + 2 * 8  # each group's chip controls once a step; bloc_decoupling's two more from 2025Q1
    assert sorted({state.policy.cap.shape[0] for state in calls}) == [1, 2, 3]  # the groups' rows
    _assert_replicates_are_single_runs(jobs, results)


def test_the_same_kinds_with_other_parameters_are_not_shared():
    """Replicates whose shocks differ only in a parameter step their own: each gets its own release."""
    jobs = [(_scenario("open_models", 16), 0),
            (_scenario("open_models", 16, overrides=("shocks.open_weights_2025.diffusion_multiplier=4",)), 0),
            (_scenario("open_models", 16, overrides=("shocks.us_chip_controls_2022.caps={3: 0.01}",)), 1)]
    batch = Batch(jobs)
    assert _groups(batch) == [(0, 1), (1, 2), (2, 3)]
    _assert_replicates_are_single_runs(jobs, batch.run())


def test_the_same_shocks_in_another_order_are_not_shared():
    first = _scenario("un_centred", 4)
    data = first.model_dump(mode="json")
    data["shocks"] = dict(reversed(list(data["shocks"].items())))
    jobs = [(first, 0), (validate(data), 1), (first, 2)]
    assert _groups(Batch(jobs)) == [(0, 1), (1, 2), (2, 3)]


def test_a_shock_kind_that_cannot_step_a_batch_falls_back(monkeypatch):
    """Only kinds written for stacked arrays (``Shock.stacks``) are shared; another kind keeps the per-replicate path."""
    monkeypatch.setattr(shock_module.OpenModelShock, "stacks", False)
    jobs = [(_scenario("open_models", 12), seed) for seed in (0, 1)]
    batch = Batch(jobs)
    shocks = EachReplicate(batch)
    assert shocks.shared == [] and shocks.alone == batch.replicas
    _assert_replicates_are_single_runs(jobs, batch.run())


def test_an_array_a_shared_shock_replaces_on_a_view_reaches_the_batch(monkeypatch):
    """A shock may replace a policy array rather than write into it; on a view of some rows, the new
    array is written back to those rows of the batch (here the open release also caps every country's compute)."""
    real = shock_module.OpenModelShock.apply

    def apply(self, state):
        real(self, state)
        state.policy.cap = np.minimum(state.policy.cap, 1e-4)  # new arrays, not writes into the old ones
        state.policy.leakage = np.zeros_like(state.policy.leakage)

    names = ["baseline", "open_models", "open_models", "baseline"]
    jobs = [(_scenario(name, 12), seed) for seed, name in enumerate(names)]
    plain = run(jobs[1][0], seed=1).countries
    monkeypatch.setattr(shock_module.OpenModelShock, "apply", apply)
    monkeypatch.setattr(shock_module.OpenModelShock, "writes", ("cap", "leakage"))
    assert not run(jobs[1][0], seed=1).countries["compute"].equals(plain["compute"])  # the caps bind
    batch = Batch(jobs)
    assert _groups(batch) == [(0, 1), (1, 3), (3, 4)]
    _assert_replicates_are_single_runs(jobs, batch.run())


def test_replicates_without_shocks_beside_ones_with_them():
    data = _scenario("baseline", 8).model_dump(mode="json")
    data["shocks"] = {}
    jobs = [(validate(data), 0), (_scenario("baseline", 8), 1), (_scenario("baseline", 8), 2), (validate(data), 3)]
    batch = Batch(jobs)
    assert _groups(batch) == [(1, 3)] and EachReplicate(batch).alone == []
    _assert_replicates_are_single_runs(jobs, batch.run())
