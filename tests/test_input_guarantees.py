"""Input guarantees (issue 9): scenario files and overrides are data, checked once, and every bad
input is one short line (``ScenarioError``; exit 2 on the command line), never a traceback, never
code run, never a path outside the output folder. Property-based tests close the file."""

from __future__ import annotations

import logging
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import govsim
from govsim.runner import LEAD
from govsim import ScenarioError, load_scenario
from govsim.config import budget, validate

MAX_MESSAGE = 500


def govsim_cli(cwd: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run ``python -m govsim ARGS`` in ``cwd``."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    return subprocess.run([sys.executable, "-m", "govsim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def assert_one_line(message: str, *parts: str) -> None:
    assert "\n" not in message and len(message) <= MAX_MESSAGE, f"{len(message)} chars: {message[:600]!r}"
    missing = [p for p in parts if p not in message]
    assert not missing, f"message lacks {missing}: {message}"


def error_of(name_or_path, overrides=()) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(name_or_path, list(overrides))
    return str(info.value)


def assert_cli_error(proc: subprocess.CompletedProcess, *parts: str) -> None:
    """Exit 2, no traceback, exactly one line on stderr naming ``parts``."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and len(lines) == 1, proc.stderr[-2000:]
    assert_one_line(lines[0].split(": ", 1)[1], *parts)


# ------------------------------------------------------------------ item 2: `name` is a slug, no resolvers
@pytest.mark.parametrize("name", ["../../x", "/abs/path", "${oc.env:HOME}", "a" * 300, ".hidden", "a b", "x/y"],
                         ids=["dotdot", "absolute", "env-resolver", "300-chars", "leading-dot", "space", "slash"])
def test_name_must_be_a_slug(name):
    assert_one_line(error_of("baseline", [f"name='{name}'"]), "name")


def test_name_slug_is_checked_in_standalone_files_too(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: ../../outside\ntime: {steps: 2}\n")
    assert_one_line(error_of(path), "name", "../../outside")
    assert load_scenario("baseline", ["name=my-run_2.v1"]).name == "my-run_2.v1"


def test_resolver_interpolation_is_refused_in_overrides_but_plain_references_work():
    assert_one_line(error_of("baseline", ["description=${oc.env:HOME}"]), "description", "oc.env")
    assert load_scenario("baseline", ["description=${name}"]).description == "baseline"


def test_env_resolver_in_a_user_group_file_is_refused(tmp_path):
    (tmp_path / "scenario").mkdir()
    (tmp_path / "scenario" / "envy.yaml").write_text(
        "# @package _global_\ndefaults:\n  - baseline\nname: envy\ndescription: ${oc.env:HOME}\n")
    assert_one_line(error_of(tmp_path / "scenario" / "envy.yaml"), "envy.yaml", "oc.env")


def test_sweep_with_a_bad_name_writes_nothing_and_exits_2(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    proc = govsim_cli(work, "run", "-m", "name=../../../x", "seed=range(0,2)", "time.steps=2", "out=s")
    assert_cli_error(proc, "name")
    assert not any(tmp_path.rglob("*x*")) and not any(work.iterdir())
    proc = govsim_cli(work, "run", "name=${oc.env:HOME}", "time.steps=1")
    assert_cli_error(proc, "name")
    assert not any(work.iterdir())


# ------------------------------------------------------------------ item 3: no code from scenario files
def _evil_tree(root: Path, copied: Path, body: str | None = None) -> Path:
    """A user config root whose scenario 'evil' asks Hydra to copy a file when it runs."""
    (root / "scenario").mkdir(parents=True)
    source = root / "secret.txt"
    source.write_text("secret")
    path = root / "scenario" / "evil.yaml"
    path.write_text(body or ("# @package _global_\ndefaults:\n  - baseline\nname: evil\n"
                             "hydra:\n  callbacks:\n    copy:\n      _target_: shutil.copyfile\n"
                             f"      _args_: ['{source}', '{copied}']\n"))
    return path


def test_hydra_key_in_a_scenario_is_refused_by_run_and_validate_config(tmp_path):
    copied = tmp_path / "copied.txt"
    root = tmp_path / "conf"
    path = _evil_tree(root, copied)
    work = tmp_path / "work"
    work.mkdir()
    proc = govsim_cli(work, "run", f"hydra.searchpath=[file://{root}]", "scenario=evil", "time.steps=1")
    assert_cli_error(proc, "evil.yaml", "hydra")
    assert not copied.exists() and not any(work.iterdir())
    proc = govsim_cli(work, "validate-config", str(path))
    assert_cli_error(proc, "evil.yaml", "hydra")
    assert not copied.exists()


@pytest.mark.parametrize("body, part", [
    ("# @package _global_\ndefaults:\n  - baseline\nforums:\n  un: {rule: universal, _target_: os.system}\n", "_target_"),
    ("# @package hydra.callbacks\ncopy: {cost: 1}\n", "@package hydra"),
    ("# @package _global_\ndefaults:\n  - baseline\n  - /hydra/launcher: basic\nname: evil\n", "hydra/launcher"),
    ("# @package _global_\ndefaults:\n  - baseline\n  - /world@hydra.job.env_set: real\nname: evil\n", "world@hydra"),
], ids=["target-at-depth", "package-into-hydra", "defaults-into-hydra", "defaults-placed-in-hydra"])
def test_code_or_hydra_settings_anywhere_in_a_group_file_are_refused(tmp_path, body, part):
    path = _evil_tree(tmp_path, tmp_path / "copied.txt", body)
    if "callbacks" in body:
        (tmp_path / "world").mkdir()
        (tmp_path / "world" / "sneaky.yaml").write_text(body)
        message = error_of("baseline", [f"hydra.searchpath=[file://{tmp_path}]", "world=sneaky"])
    else:
        message = error_of(path)
    assert_one_line(message, part)


# ------------------------------------------------------------------ item 8: seeds bounded
def test_seed_is_bounded_in_the_schema_and_the_python_api():
    assert_one_line(error_of("baseline", [f"seed={2**63}"]), "seed", "2^63")
    assert load_scenario("baseline", [f"seed={2**63 - 1}", "time.steps=1"]).seed == 2**63 - 1
    assert_one_line(error_of("baseline", ["seed=-1"]), "seed")
    with pytest.raises(ScenarioError, match="seed"):
        validate({"seed": 2**70})
    small = load_scenario("baseline", ["time.steps=1"])
    for bad in (2**70, -3, 1.5, True):
        with pytest.raises(ScenarioError, match="seed"):
            govsim.run(small, seed=bad)
    with pytest.raises(ScenarioError, match="seed"):
        govsim.experiment("baseline", seed=2**70, years=(), time__steps=1)


# ------------------------------------------------------------------ item 9: billion laughs, truncated values
def test_billion_laughs_is_refused_quickly_in_one_line(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 9)]
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join(lines) + "\ndescription: *a8\n")
    clock = time.perf_counter()
    assert_one_line(error_of(path), "lol.yaml", "alias")
    assert time.perf_counter() - clock < 5


def test_recursive_alias_and_deep_nesting_are_one_line(tmp_path):
    (tmp_path / "loop.yaml").write_text("description: &x [*x]\n")
    assert_one_line(error_of(tmp_path / "loop.yaml"), "loop.yaml")
    (tmp_path / "deep.yaml").write_text("description: " + "[" * 5000 + "]" * 5000 + "\n")
    assert_one_line(error_of(tmp_path / "deep.yaml"), "deep.yaml")


@pytest.mark.parametrize("override", ["time.start='{}'", "seed='{}'", "forums.{}.cost=1", "shocks.x.kind={}"],
                         ids=["bad-period", "bad-seed", "unknown-key", "unknown-kind"])
def test_long_values_are_truncated_in_messages(override):
    long = "x" * 20000
    message = error_of("baseline", [override.format(long)])
    assert_one_line(message, "xxxxx")


def test_long_values_in_a_file_are_truncated(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump({"time": {"start": "9" * 50000}, "forums": {"y" * 50000: {"rule": "nope"}}}))
    assert_one_line(error_of(path), "long.yaml", "time.start")


# ------------------------------------------------------------------ item 10: one line, exit 2
@pytest.mark.parametrize("content", [
    "name: caf\xe9\n".encode("latin-1"), bytes(range(256)), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "name: \x00x\n".encode()],
    ids=["latin-1", "binary", "png", "nul"])
def test_unreadable_scenario_file_is_one_line(tmp_path, content):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    assert_one_line(error_of(path), "bad.yaml")


def test_unreadable_scenario_file_on_the_command_line_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert_cli_error(govsim_cli(tmp_path, "validate-config", str(path)), "bad.yaml", "UTF-8")


@pytest.mark.parametrize("args, parts", [
    (["seed=range(0,0)"], ["seed", "no seeds"]),
    (["seed=[]"], ["seed", "no seeds"]),
    (["name=" + "n" * 300], ["name", "64"]),
    (["scenario=baseline,open_models"], ["scenario", "-m"]),
    (["behaviour.decision.temperature=0.5,1"], ["behaviour.decision.temperature", "-m"]),
    (["hydra/launcher=nope"], ["hydra/launcher", "nope", "joblib", "basic"]),
], ids=["empty-range", "empty-list", "300-char-name", "sweep-without-m", "value-sweep-without-m", "unknown-launcher"])
def test_bad_command_line_is_one_line_and_writes_nothing(tmp_path, args, parts):
    assert_cli_error(govsim_cli(tmp_path, "run", "time.steps=1", *args), *parts)
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------------ item 11: silently accepted before
def test_bool_where_a_number_is_expected_is_an_error(tmp_path):
    assert_one_line(error_of("baseline", ["time.steps=true"]), "time.steps", "True")
    assert_one_line(error_of("baseline", ["behaviour.decision.temperature=true"]), "temperature")
    path = tmp_path / "b.yaml"
    path.write_text("time: {steps: true}\n")
    assert_one_line(error_of(path), "time.steps")


def test_duplicate_yaml_keys_are_an_error(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("name: dup\ntime:\n  steps: 4\n  steps: 8\n")
    assert_one_line(error_of(path), "dup.yaml", "steps", "line 4")
    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "twice.yaml").write_text("kind: synthetic\nn: 10\nn: 20\n")
    message = error_of("baseline", [f"hydra.searchpath=[file://{tmp_path}]", "world=twice"])
    assert_one_line(message, "twice.yaml", "'n'")


def test_forum_names_are_unique_ignoring_case():
    data = {"forums": {"UN": {"rule": "universal"}, "un": {"rule": "universal"}}}
    with pytest.raises(ScenarioError) as info:
        validate(data)
    assert_one_line(str(info.value), "'UN'", "'un'")
    shock = {"kind": "capacity_building", "provider": "UN", "budget": 1, "start": "2024Q1"}
    with pytest.raises(ScenarioError) as info:
        validate({"shocks": {"cb": shock}})
    assert_one_line(str(info.value), "'UN'", "'un'")


@pytest.mark.parametrize("rule", ["closed_club", "expanding_club"])
def test_club_with_no_founding_members_is_an_error(rule):
    with pytest.raises(ScenarioError) as info:
        validate({"forums": {"un": {"rule": "universal"}, "club": {"rule": rule, "members": []}}})
    assert_one_line(str(info.value), "forums.club", "members")


def test_shock_outside_the_run_is_a_one_line_warning(caplog):
    scenario = load_scenario("export_controls_2025", ["time.steps=2"])
    with caplog.at_level(logging.WARNING, logger="govsim"):
        govsim.run(scenario, countries=False)
    notes = [r.getMessage() for r in caplog.records if "ai_diffusion_2025" in r.getMessage()]
    assert len(notes) == 1
    assert_one_line(notes[0], "ai_diffusion_2025", "2025Q1", "2023Q1", "no effect")


def test_validate_config_prints_the_warning(tmp_path):
    proc = govsim_cli(tmp_path, "validate-config", "export_controls_2025", "time.steps=2")
    assert proc.returncode == 0 and "valid" in proc.stdout
    assert "ai_diffusion_2025" in proc.stdout + proc.stderr and "no effect" in proc.stdout + proc.stderr


def test_contradictory_shocks_are_an_error():
    admit = {"kind": "forum_change", "forum": "brics", "action": "admit", "countries": ["IND", "ARG"], "start": "2024Q1"}
    withdraw = {**admit, "action": "withdraw", "countries": ["ARG"], "start": "2025Q1", "end": "2026Q1"}
    with pytest.raises(ScenarioError) as info:
        validate({"shocks": {"in": admit, "out": withdraw}})
    assert_one_line(str(info.value), "'in'", "'out'", "ARG", "brics")
    validate({"shocks": {"in": {**admit, "end": "2025Q1"}, "out": withdraw}})  # one after the other: fine


@pytest.mark.parametrize("start", ["1800Q1", "2100Q1", "1999Q4", "2051Q1"])
def test_start_far_from_the_real_data_is_an_error(start):
    assert_one_line(error_of("baseline", [f"time.start={start}"]), "time.start", start, "2023")


def test_synthetic_worlds_allow_a_wider_calendar():
    scenario = load_scenario("baseline", ["world=synthetic", "world.n=20", "time.start=1950Q1", "time.steps=2"])
    assert scenario.time.start == "1950Q1"


@pytest.mark.parametrize("period", ["-1Q4", "10000Q3", "0000Q1", "0999Q2"])
def test_malformed_period_labels_are_an_error(period):
    for overrides in ([f"time.start={period}"], ["world=synthetic", "world.n=20", f"time.start={period}"]):
        assert_one_line(error_of("baseline", overrides), "time.start")


def test_run_that_cannot_fit_in_memory_is_refused_before_it_starts(monkeypatch):
    scenario = load_scenario("baseline", ["world=synthetic", "world.n=200000", "time.steps=52"])
    need, table = budget.estimate(scenario, countries=True)
    assert 2e9 < need < 6e9 and 3e8 < table < 1.5e9
    monkeypatch.setattr(budget, "available_memory", lambda: 2 * 1024**3)
    clock = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        govsim.run(scenario)
    assert time.perf_counter() - clock < 2
    assert_one_line(str(info.value), "world.n", "time.steps", "store.countries=false", "GB")


def test_run_that_fits_only_without_the_countries_table_says_so(monkeypatch):
    scenario = load_scenario("baseline", ["world=synthetic", "world.n=200000", "time.steps=52"])
    monkeypatch.setattr(budget, "available_memory", lambda: 2 * 1024**3)
    budget.check(scenario, countries=False)  # fits
    huge = load_scenario("baseline", ["world=synthetic", "world.n=1000000", "time.steps=2000"])
    with pytest.raises(ScenarioError, match="world.n"):
        budget.check(huge, countries=False)


# ------------------------------------------------------------------ property-based: schema and override parser
KINDS = ["export_controls", "capacity_building", "open_models", "forum_change", "forum_reform", "teleport"]
FORUMS = ["un", "g7", "brics", "UN", "club"]
leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=12))
anything = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                        max_leaves=8)
periods = st.one_of(st.sampled_from(["2023Q1", "2024", "2025Q3", "2030Q1", "1999Q4", "-1Q4", "10000Q3", "2024Q5"]),
                    st.integers(-5, 12000), st.text(max_size=8))
numbers = st.one_of(st.integers(-3, 60), st.floats(-2, 30), st.booleans(), st.sampled_from([math.nan, math.inf]))
shock = st.fixed_dictionaries(
    {"kind": st.sampled_from(KINDS), "start": periods},
    optional={"end": periods, "forum": st.sampled_from(FORUMS), "provider": st.sampled_from(FORUMS), "budget": numbers,
              "action": st.sampled_from(["admit", "withdraw", "expel"]), "diffusion_multiplier": numbers,
              "countries": st.lists(st.sampled_from(["USA", "CHN", "IND", "XXX", ""]), max_size=3),
              "caps": st.dictionaries(st.integers(0, 4), st.none() | st.floats(-1, 2), max_size=3), "junk": anything})
forum = st.fixed_dictionaries({"rule": st.sampled_from(["universal", "closed_club", "expanding_club", "open"])},
                              optional={"members": st.none() | st.lists(st.sampled_from(["USA", "CHN", "S1", "XXX"]), max_size=3),
                                        "cost": numbers, "depth": numbers, "max_admissions": numbers})
good_seed = st.integers(0, 2**63 - 1)
scenarios = st.fixed_dictionaries({}, optional={
    "name": st.one_of(st.sampled_from(["ok", "a.b-c_d", "A1"]), st.sampled_from(["../x", ".x", "${oc.env:HOME}"]),
                      st.from_regex(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,70}", fullmatch=True), st.text(max_size=80)),
    "seed": st.tuples(good_seed, st.one_of(st.integers(-2, 2**64), numbers, anything), st.booleans()).map(lambda s: s[0] if s[2] else s[1]),
    "time": st.fixed_dictionaries({}, optional={"start": periods, "steps": numbers, "step_years": st.sampled_from([0.25, 1.0, 0.5, True])}),
    "world": st.one_of(st.fixed_dictionaries({"kind": st.just("synthetic"), "n": st.integers(-1, 40)}), anything),
    "forums": st.one_of(st.dictionaries(st.sampled_from(FORUMS), forum, max_size=4).map(lambda f: {"un": {"rule": "universal"}, **f}),
                        anything),
    "shocks": st.one_of(st.dictionaries(st.text(max_size=6), shock, max_size=3), st.lists(shock, max_size=2), anything),
    "behaviour": st.one_of(st.just({}), anything), "bogus": anything}).map(lambda d: {k: v for k, v in d.items() if k != "bogus" or len(d) % 3 == 0})
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_runs_or_clear_error(scenario: govsim.Scenario) -> None:
    """A 2-step synthetic run of ``scenario``: every index finite and in [0, 1], or a ScenarioError."""
    data = scenario.model_dump()
    data["time"]["steps"], data["world"] = 2, {"kind": "synthetic", "n": 30}
    try:
        indices = govsim.run(validate(data), countries=False).indices
    except ScenarioError as exc:
        assert_one_line(str(exc))
        return
    values = indices.select_dtypes("number").drop(columns=list(LEAD), errors="ignore").to_numpy(float)
    assert np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()


@FAST
@given(data=scenarios, sample=st.integers(0, 3))
def test_any_scenario_dict_validates_or_is_one_clear_error(data, sample):
    try:
        scenario = validate(data)
    except ScenarioError as exc:
        assert_one_line(str(exc))
        event("refused")
        return
    event("valid")
    if sample == 0:
        assert_runs_or_clear_error(scenario)


KEYS = ["seed", "name", "description", "time.steps", "time.start", "time.step_years", "world.n", "world.kind", "world",
        "scenario", "forums.un.cost", "forums.g7.members", "shocks.x.kind", "shocks.us_chip_controls_2022.start",
        "behaviour.decision.temperature", "behaviour.membership.p_apply", "hydra/launcher", "out", "seeds_per_job", "+x"]
VALUES = st.one_of(st.sampled_from(["3", "-1", "true", "null", "[]", "[1,2]", "range(0,3)", "1,2", "2024Q1", "synthetic",
                                    "${oc.env:HOME}", "${name}", "'a b'", "{a: 1}", "nope", "1e309", "nan", "0x10", "&a [*a]"]),
                   st.integers(-5, 2**64).map(str), st.floats().map(str), st.text(max_size=20))


@FAST
@given(key=st.tuples(st.sampled_from(KEYS), st.text(max_size=10), st.integers(0, 4)).map(lambda k: k[1] if k[2] == 0 else k[0]),
       value=VALUES, standalone=st.booleans())
def test_any_override_is_applied_or_is_one_clear_error(tmp_path_factory, key, value, standalone):
    base = "baseline"
    if standalone:
        base = tmp_path_factory.mktemp("s") / "s.yaml"
        base.write_text("name: s\ntime: {steps: 2}\n")
    try:
        scenario = load_scenario(base, [f"{key}={value}", "time.steps=2"])
    except ScenarioError as exc:
        assert_one_line(str(exc))
        event("refused")
        return
    event("valid")
    assert isinstance(scenario, govsim.Scenario)


def test_the_available_memory_is_read_at_most_once_a_second(monkeypatch):
    """A sweep starting many runs a second reuses a reading of /proc/meminfo for a second, then reads it again."""
    readings, now = iter([5e9, 3e9]), [100.0]
    monkeypatch.setattr(budget, "_read_available_memory", lambda: next(readings))
    monkeypatch.setattr(budget.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(budget, "_reading", [])
    assert budget.available_memory() == 5e9
    now[0] += 0.5
    assert budget.available_memory() == 5e9
    now[0] += budget.MEMORY_READING_SECONDS
    assert budget.available_memory() == 3e9
