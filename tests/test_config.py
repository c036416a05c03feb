"""The scenario schema, the loader, overrides, world CSVs and the command line's error path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import govsim
from govsim import ScenarioError, load_scenario
from govsim.config import apply_override
from govsim.world import real_table

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO_FILES = sorted((SCENARIO_DIR / "scenario").glob("*.yaml"))


# ------------------------------------------------------------------ shipped scenarios
def test_scenarios_folder_is_not_empty():
    assert {p.stem for p in SCENARIO_FILES} >= {"baseline", "export_controls_2025"}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_every_shipped_scenario_loads_validates_and_builds(path):
    by_path = load_scenario(path)
    assert isinstance(by_path, govsim.Scenario)
    assert by_path.name == path.stem
    assert load_scenario(path.stem) == by_path  # by name, same result
    # iso3 codes and forum references are resolved when the model is built: run one step.
    results = govsim.run(load_scenario(path, ["time.steps=1"]))
    assert len(results.indices) == 2


def test_baseline_is_the_real_world_2023q1_52_quarters():
    s = load_scenario("baseline")
    assert s.world.kind == "real"
    assert s.time.start == "2023Q1"
    assert s.time.steps == 52
    assert s.time.step_years == 0.25
    assert s.end_year == 2036.0
    countries = govsim.run(load_scenario("baseline", ["time.steps=1"])).countries
    first = countries[countries.step == 0]
    assert len(first) == 193
    assert first.iso3.nunique() == 193
    assert {"USA", "CHN", "IND", "BRA", "NGA", "TUV"} <= set(first.iso3)


# ------------------------------------------------------------------ overrides
def test_overrides_take_effect_with_yaml_types():
    s = load_scenario("baseline", ["seed=3", "time.steps=20", "behaviour.decision.temperature=0.7"])
    assert s.seed == 3 and type(s.seed) is int
    assert s.time.steps == 20 and type(s.time.steps) is int
    assert s.behaviour.decision.temperature == 0.7
    # nothing else moved, and the file on disk is untouched by overrides
    base = load_scenario("baseline")
    assert base.seed == 42 and base.time.steps == 52 and base.behaviour.decision.temperature == 1.0
    assert s.shocks == base.shocks and s.forums == base.forums


def test_override_seed_and_steps_drive_the_run():
    results = govsim.run(load_scenario("baseline", ["seed=3", "time.steps=6"]))
    assert results.seed == 3
    assert len(results.indices) == 7


def test_synthetic_world_override():
    s = load_scenario("baseline", ["world.kind=synthetic", "world.n=500", "time.steps=1"])
    assert s.world.kind == "synthetic" and s.world.n == 500 and type(s.world.n) is int
    countries = govsim.run(s).countries
    assert countries[countries.step == 0].iso3.nunique() == 500


def test_override_values_are_parsed_as_yaml():
    data = {"a": {"b": {}}, "items": [{"x": 1}, {"x": 2}]}
    for text in ["a.i=3", "a.f=0.7", "a.t=true", "a.s=hello", "a.l=[USA, GBR]", "a.n=null", "a.b.deep=-1",
                 "items.1.x=5", "+a.plus=1"]:
        apply_override(data, text)
    assert data["a"]["i"] == 3 and type(data["a"]["i"]) is int
    assert data["a"]["f"] == 0.7 and type(data["a"]["f"]) is float
    assert data["a"]["t"] is True
    assert data["a"]["s"] == "hello"
    assert data["a"]["l"] == ["USA", "GBR"]
    assert data["a"]["n"] is None
    assert data["a"]["b"]["deep"] == -1
    assert data["items"] == [{"x": 1}, {"x": 5}]
    assert data["a"]["plus"] == 1


@pytest.mark.parametrize("how", ["override", "yaml"])
def test_year_only_start_period_is_accepted_unquoted(how, tmp_path):
    """'YYYY' is a documented period format: ``time.start=2023`` / ``start: 2023`` must work.

    YAML reads an unquoted 2023 as an int, so the period field must accept it.
    """
    if how == "override":
        s = load_scenario("baseline", ["time.step_years=1.0", "time.start=2023", "time.steps=3"])
    else:
        path = tmp_path / "annual.yaml"
        path.write_text("name: annual\ntime:\n  start: 2023\n  steps: 3\n  step_years: 1.0\n")
        s = load_scenario(path)
    assert str(s.time.start) == "2023"


# ------------------------------------------------------------------ bad input: one clear ScenarioError
def _message(overrides: list[str]) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario("baseline", overrides)
    return str(info.value)


def _assert_names(message: str, *parts: str) -> None:
    missing = [p for p in parts if p not in message]
    assert not missing, f"message lacks {missing}:\n{message}"


@pytest.mark.parametrize(
    "overrides, parts",
    [
        (["bogus=1"], ["bogus", "unknown key", "Fix", "use one of", "behaviour", "seed"]),
        (["behaviour.decision.tempurature=0.7"],
         ["behaviour.decision.tempurature", "unknown key", "Fix", "temperature"]),
        (["behaviour.budget.floor=-1"], ["behaviour.budget.floor", "-1", "greater than or equal to 0", "Fix", "Range: [0, 1]"]),
        (["time.start=2025-01"], ["time.start", "2025-01", "not a period", "YYYYQn", "2025Q1"]),
        (["time.steps"], ["time.steps", "key=value", "e.g."]),
        (["seed.x=1"], ["seed.x", "plain value", "seed=<value>"]),
        (["world.kind=synthetic"], ["world", "synthetic", "world.n"]),
        (["world.kind=csv"], ["world", "csv", "world.path"]),
        (["world.n=100"], ["world.n", "synthetic", "world.kind=synthetic"]),
        (["shocks.nope.start=2024Q1"], ["shocks.nope", "kind", "export_controls", "open_models"]),
    ],
    ids=["unknown-top", "unknown-nested", "negative-floor", "bad-period", "no-equals", "non-section",
         "synthetic-no-n", "csv-no-path", "n-not-synthetic", "unknown-shock"],
)
def test_bad_override_raises_one_clear_error(overrides, parts):
    _assert_names(_message(overrides), *parts)


def _write_scenario(tmp_path: Path, shock: dict, forums: dict | None = None) -> Path:
    data = {"name": "broken", "seed": 1, "time": {"steps": 4},
            "shocks": [{"kind": "open_models", "start": "2024Q1"}, shock]}
    if forums:
        data["forums"] = forums
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(
    "shock, parts",
    [
        ({"kind": "capacity_building", "provider": "un", "budget": -1, "start": "2024Q1"},
         ["shocks.1", "budget", "-1", "greater than or equal to 0", "Fix", "Range: [0, 100]"]),
        ({"kind": "open_models", "start": "2026Q1", "end": "2025Q1"},
         ["shocks.1", "end (2025Q1)", "start (2026Q1)", "must come after"]),
        ({"kind": "capacity_building", "provider": "oecd", "budget": 1, "start": "2024Q1"},
         ["shocks.1.provider", "'oecd'", "not a forum", "known forums", "'brics', 'g7', 'un'"]),
        ({"kind": "teleport", "start": "2024Q1"},
         ["shocks.1", "kind", "teleport", "export_controls", "capacity_building", "open_models", "forum_change"]),
        ({"kind": "export_controls", "start": "2024Q1", "caps": {4: 0.1}},
         ["shocks.1", "tiers must be 1, 2 or 3", "[4]"]),
    ],
    ids=["negative-budget", "ends-before-start", "unknown-forum", "unknown-kind", "bad-tier"],
)
def test_bad_shock_in_yaml_raises_one_clear_error(tmp_path, shock, parts):
    path = _write_scenario(tmp_path, shock)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    _assert_names(message, str(path), *parts)


def test_unknown_scenario_lists_known_ones():
    with pytest.raises(ScenarioError) as info:
        load_scenario("no_such_scenario")
    _assert_names(str(info.value), "no_such_scenario", "use one of", "baseline", "export_controls_2025")


def test_scenario_file_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(path)


def test_user_club_without_members_is_rejected(tmp_path):
    path = _write_scenario(tmp_path, {"kind": "open_models", "start": "2025Q1"},
                           forums={"un": {"rule": "universal"}, "oecd_track": {"rule": "closed_club"}})
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError) as info:
        govsim.run(scenario)
    _assert_names(str(info.value), "forums.oecd_track.members", "founding members", "ISO3")


def test_user_club_with_unknown_member_is_rejected(with_changes):
    scenario = with_changes(load_scenario("baseline", ["time.steps=1"]),
                            forums={"oecd_track": {"rule": "closed_club", "members": ["USA", "XXX"]}})
    with pytest.raises(ScenarioError) as info:
        govsim.run(scenario)
    _assert_names(str(info.value), "forums.oecd_track.members", "XXX", "iso3")


# ------------------------------------------------------------------ world CSVs
def _csv(tmp_path: Path, table, name: str = "world.csv") -> Path:
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path


def _run_csv(path: Path, steps: int = 2) -> govsim.Results:
    return govsim.run(load_scenario("baseline", ["world.kind=csv", f"world.path={path}", f"time.steps={steps}"]))


def _csv_error(tmp_path: Path, table) -> str:
    path = _csv(tmp_path, table)
    with pytest.raises(ScenarioError) as info:
        _run_csv(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_csv_world_subset_runs_with_its_countries(tmp_path):
    table = real_table()
    keep = table.g7.eq(1) | table.iso3.isin(["BRA", "RUS", "IND", "CHN", "ZAF"]) | (table.index % 10 == 0)
    subset = table[keep]
    assert 25 <= len(subset) <= 35
    results = _run_csv(_csv(tmp_path, subset), steps=6)
    countries = results.countries
    assert set(countries.iso3) == set(subset.iso3)
    assert (countries.groupby("step").iso3.nunique() == len(subset)).all()
    assert len(countries) == 7 * len(subset)
    first = countries[countries.step == 0]
    assert set(first.iso3[first.status_brics == "member"]) == {"BRA", "RUS", "IND", "CHN", "ZAF"}
    assert set(first.iso3[first.status_g7 == "member"]) == {"CAN", "DEU", "FRA", "GBR", "ITA", "JPN", "USA"}


def test_csv_with_only_required_columns_runs(tmp_path):
    table = real_table()[["iso3", "population", "gdp_pc_usd", "income_group", "internet_pct", "readiness",
                          "unga_ideal_point", "top500_rmax_tflops", "notable_models_2023_2025",
                          "export_tier_2025"]].head(20)
    results = _run_csv(_csv(tmp_path, table))
    assert set(results.countries.iso3) == set(table.iso3)


@pytest.mark.parametrize("column", ["readiness", "export_tier_2025", "iso3"])
def test_csv_missing_column(tmp_path, column):
    message = _csv_error(tmp_path, real_table().drop(columns=[column]))
    _assert_names(message, "missing column", f"'{column}'", "required columns")


BAD_VALUES = [("population", -5), ("income_group", "rich"), ("export_tier_2025", 4)]


def _bad_cell_error(tmp_path, column, bad) -> str:
    """The error for the real table with ``bad`` written into row 3 of ``column``."""
    table = real_table()
    table[column] = table[column].astype(object)
    table.loc[3, column] = bad
    return _csv_error(tmp_path, table)


@pytest.mark.parametrize("column, bad", BAD_VALUES, ids=[c for c, _ in BAD_VALUES])
def test_csv_bad_value_names_column_row_and_value(tmp_path, column, bad):
    message = _bad_cell_error(tmp_path, column, bad)
    # row 5 of the file: header is line 1, table row 3 is line 5
    _assert_names(message, f"'{column}'", "row 5", str(bad), "expected")


@pytest.mark.parametrize("column, bad", BAD_VALUES, ids=[c for c, _ in BAD_VALUES])
def test_csv_bad_value_is_shown_as_written_in_the_file(tmp_path, column, bad):
    """The message shows the cell as the user wrote it, not a numpy repr like np.int64(-5)."""
    message = _bad_cell_error(tmp_path, column, bad)
    shown = repr(bad) if isinstance(bad, str) else str(bad)
    _assert_names(message, f"has {shown};")
    assert "np." not in message, message


def test_csv_duplicate_iso3(tmp_path):
    table = real_table()
    table.loc[3, "iso3"] = table.loc[2, "iso3"]
    message = _csv_error(tmp_path, table)
    _assert_names(message, "duplicate iso3", repr(table.loc[2, "iso3"]))


def test_csv_nonexistent_path(tmp_path):
    path = tmp_path / "nowhere" / "world.csv"
    with pytest.raises(ScenarioError) as info:
        _run_csv(path)
    _assert_names(str(info.value), "world.path", str(path), "no such file")


# ------------------------------------------------------------------ the Hydra config tree
def test_forums_group_file_equals_the_schema_defaults():
    """scenarios/forums/default.yaml and default_forums() must not drift apart."""
    from govsim.config.forums import ForumSpec, default_forums

    data = yaml.safe_load((SCENARIO_DIR / "forums" / "default.yaml").read_text())
    assert {k: ForumSpec.model_validate(v) for k, v in data.items()} == default_forums()


def test_scenario_in_a_user_config_tree_reuses_the_shipped_groups(tmp_path):
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "mine.yaml").write_text("# @package _global_\ndefaults:\n  - baseline\n"
                                      "  - override /shocks: [us_chip_controls_2022, ai_diffusion_2025]\n"
                                      "name: mine\ntime: {steps: 8}\n")
    mine = load_scenario(folder / "mine.yaml", ["seed=4"])
    reference = load_scenario("export_controls_2025", ["seed=4", "time.steps=8"])
    assert mine == reference.model_copy(update={"name": "mine", "description": mine.description})
    assert list(mine.shocks) == ["us_chip_controls_2022", "ai_diffusion_2025"]


def test_scenario_file_with_defaults_outside_a_scenario_folder_is_refused(tmp_path):
    path = tmp_path / "loose.yaml"
    path.write_text("defaults:\n  - baseline\nname: loose\n")
    with pytest.raises(ScenarioError, match="folder named 'scenario'"):
        load_scenario(path)
