"""The scenario memory (issue 14): a repeated ``load_scenario`` does not compose again, an edited file is
seen at once, a caller cannot corrupt the memory, and value overrides on a remembered compose equal a
fresh Hydra compose."""

from __future__ import annotations

import mesa
import pytest

import govsim
from govsim.cli import compose
from govsim.cli.overrides import prepare
from govsim.config import ScenarioError


@pytest.fixture
def composes(monkeypatch):
    """Empty memories, and a list that gets one entry per Hydra compose."""
    calls = []
    real = compose.compose_config

    def counted(overrides, *args, **kwargs):
        calls.append(list(overrides))
        return real(overrides, *args, **kwargs)

    compose.SCENARIOS.clear()
    compose.CONFIGS.clear()
    monkeypatch.setattr(compose, "compose_config", counted)
    yield calls
    compose.SCENARIOS.clear()
    compose.CONFIGS.clear()


def fresh(name, overrides=()):
    """The scenario from a full Hydra compose, as before the memory existed."""
    prepared = prepare(list(overrides), multirun=False)
    return compose.scenario_from_config(compose.compose_config([f"scenario={name}", *prepared.overrides]))


def test_repeated_load_composes_once_and_equals_a_fresh_compose(composes):
    first = govsim.load_scenario("export_controls_2025", ["seed=3"])
    again = [govsim.load_scenario("export_controls_2025", ["seed=3"]) for _ in range(5)]
    assert len(composes) == 1
    assert all(s == first for s in again)
    assert first == fresh("export_controls_2025", ["seed=3"])


@pytest.mark.parametrize(("name", "overrides"), [
    ("baseline", []), ("baseline", ["seed=3"]),
    ("export_controls_2025", ["behaviour.decision.temperature=0.7", "seed=5"]),
    ("baseline", ["world=synthetic", "world.n=300"]),
    ("un_centred", ["time.steps=8", "forums.g7.outreach_radius=0.3"]),
    ("export_controls_2025", ["shocks.us_chip_controls_2022.leakage=0.5"]),
    ("baseline", ["+shocks=[open_weights_2025]", "time.steps=4"]),
])
def test_value_overrides_on_a_remembered_compose_equal_a_fresh_compose(composes, name, overrides):
    govsim.load_scenario(name, ["seed=11"])  # remembers the compose of `name`
    assert govsim.load_scenario(name, overrides) == fresh(name, overrides)


def test_values_sweep_composes_once_per_choice_of_configs(composes):
    for k in range(6):
        govsim.load_scenario("baseline", {"behaviour.decision.temperature": 0.5 + k / 10, "seed": k})
    assert len(composes) == 1
    govsim.load_scenario("baseline", ["world=synthetic", "world.n=50"])
    govsim.load_scenario("baseline", ["world=synthetic", "world.n=60"])
    assert len(composes) == 2


def test_twenty_experiments_compose_once(composes):
    for k in range(20):
        govsim.experiment("baseline", seed=k, years=(2023,), time__steps=4, behaviour__decision__temperature=0.5 + k / 20)
    assert len(composes) == 1


def test_run_by_name_and_batch_run_compose_once(composes):
    govsim.run("baseline", seed=1, overrides={"time.steps": 3})
    govsim.run("baseline", seed=2, overrides={"time.steps": 3})
    mesa.batch_run(govsim.GovernanceModel, parameters={"scenario": "baseline", "seed": range(3), "time__steps": 3},
                   number_processes=1, max_steps=100, data_collection_period=-1, display_progress=False)
    assert len(composes) == 1


def test_a_caller_mutating_a_returned_scenario_does_not_reach_the_memory(composes):
    first = govsim.load_scenario("export_controls_2025")
    reference = first.model_dump()
    first.forums.pop("g7")
    first.shocks.clear()
    first.forums["un"].__dict__["authority"] = -1.0  # even past the frozen model
    again = govsim.load_scenario("export_controls_2025")
    assert again.model_dump() == reference
    assert again is not govsim.load_scenario("export_controls_2025")


def test_editing_a_standalone_file_is_seen_at_the_next_call(composes, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntime: {steps: 8}\n")
    assert govsim.load_scenario(path).time.steps == 8
    path.write_text("name: mine\ntime: {steps: 9}\n")  # same size, same clock tick
    assert govsim.load_scenario(path).time.steps == 9
    path.write_text("name: mine\ntime: {steps: 10}\n")
    assert govsim.load_scenario(path, ["seed=2"]).time.steps == 10


def _user_tree(tmp_path):
    """A user's config tree: scenario/mine.yaml on the baseline with its own world/tiny.yaml (30 countries)."""
    (tmp_path / "scenario").mkdir()
    (tmp_path / "world").mkdir()
    mine = tmp_path / "scenario" / "mine.yaml"
    mine.write_text("# @package _global_\ndefaults:\n  - baseline\n  - override /world: tiny\nname: mine\n")
    (tmp_path / "world" / "tiny.yaml").write_text("kind: synthetic\nn: 30\n")
    return mine


def test_editing_a_file_of_a_user_config_tree_is_seen_at_the_next_call(composes, tmp_path):
    mine = _user_tree(tmp_path)
    assert govsim.load_scenario(mine).world.n == 30
    (tmp_path / "world" / "tiny.yaml").write_text("kind: synthetic\nn: 40\n")
    assert govsim.load_scenario(mine).world.n == 40
    assert govsim.load_scenario(mine, ["seed=1"]).world.n == 40
    assert len(composes) == 2


def test_errors_are_not_remembered(composes, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntime: {steps: -1}\n")
    with pytest.raises(ScenarioError, match="time.steps"):
        govsim.load_scenario(path)
    path.write_text("name: mine\ntime: {steps: 5}\n")
    assert govsim.load_scenario(path).time.steps == 5
    with pytest.raises(ScenarioError, match="temperature"):
        govsim.load_scenario("baseline", ["behaviour.decision.temperature=-3"])
    with pytest.raises(ScenarioError, match="temperature"):
        govsim.load_scenario("baseline", ["behaviour.decision.temperature=-3"])


def test_removing_a_file_of_a_user_config_tree_is_seen(composes, tmp_path):
    mine = _user_tree(tmp_path)
    assert govsim.load_scenario(mine).world.n == 30
    (tmp_path / "world" / "tiny.yaml").unlink()
    with pytest.raises(ScenarioError, match="tiny"):
        govsim.load_scenario(mine)


def _age(root, seconds=3600):
    """Set every file's and folder's times ``seconds`` in the past (past the fresh-file window)."""
    import os
    import time

    past = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past))


def test_fingerprint_sees_edits_additions_and_removals_of_old_files(tmp_path):
    from govsim.cli.scenario_cache import fingerprint

    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "a.yaml").write_text("n: 1\n")
    _age(tmp_path)
    first = fingerprint([tmp_path])
    assert fingerprint([tmp_path]) == first  # nothing changed: the remembered layout is used
    (tmp_path / "world" / "a.yaml").write_text("n: 2\n")  # same size, in place
    _age(tmp_path, 1800)
    second = fingerprint([tmp_path])
    assert second != first
    (tmp_path / "world" / "b.yaml").write_text("n: 3\n")
    _age(tmp_path, 900)
    third = fingerprint([tmp_path])
    assert [p.rsplit("/", 1)[-1] for p, *_ in third] == ["a.yaml", "b.yaml"]
    (tmp_path / "world" / "a.yaml").unlink()
    _age(tmp_path, 600)
    assert [p.rsplit("/", 1)[-1] for p, *_ in fingerprint([tmp_path])] == ["b.yaml"]
    assert fingerprint([tmp_path / "absent"]) == ((str(tmp_path / "absent"), None, None),)


def test_without_hydras_override_helper_every_value_composes_and_results_agree(composes, monkeypatch):
    monkeypatch.setattr(compose, "_hydra_applies_overrides", lambda: False)
    first = govsim.load_scenario("baseline", ["seed=5", "behaviour.decision.temperature=0.8"])
    govsim.load_scenario("baseline", ["seed=6"])
    assert len(composes) == 2
    assert first == fresh("baseline", ["seed=5", "behaviour.decision.temperature=0.8"])
