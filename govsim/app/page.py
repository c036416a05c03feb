"""The classroom app's page (``solara run govsim.app.page``; ``govsim app`` starts it).

One world PER BROWSER SESSION: the model is created inside the ``Page`` component
(``solara.use_memo``), never at module level, where every open tab would share and step one world.
Each session also owns its figures (:mod:`govsim.app.views`), updated in place each step.

``World`` below is a minimal stand-in for the session core (``govsim.app.session``); the page
needs only: ``World(scenario, seed)``, ``.step() -> bool`` (False at the scenario's end),
``.period``, ``.done``, ``.model.scenario``, ``.first_time``/``.last_time``, ``.history()`` and ``.country_values(column)``.
"""

from __future__ import annotations

import functools
import threading
import time

import pandas as pd
import solara

from govsim import ScenarioError, list_scenarios
from govsim.app.views import HEADLINES, MAP_COLUMN, HeadlineChart, WorldMap
from govsim.model import GovernanceModel

DEFAULT_SCENARIO = "baseline"
SPEEDS = {"1 quarter/s": 1.0, "2 quarters/s": 2.0, "4 quarters/s": 4.0, "as fast as possible": 0.0}
DEFAULT_SPEED = "4 quarters/s"
BIG = {"font-size": "2.4rem", "font-weight": "700"}
BUTTON = {"font-size": "1rem"}
ROW = {"align-items": "center", "flex-wrap": "wrap"}


class World:
    """Stand-in for the session core: one GovernanceModel, stepped one quarter at a time."""

    def __init__(self, scenario: str, seed: int):
        self.model = GovernanceModel(scenario, seed=seed)
        self.dt, steps = self.model.scenario.time.step_years, self.model.scenario.time.steps
        self._periods = [_previous(self.model.next_period)]  # the start is the end of the period before
        self.first_time = _time_of(self._periods[0], self.dt)
        self.last_time = self.first_time + steps * self.dt
        self._rows = [self._headlines()]
        self.lock = threading.Lock()  # Step and Play never step one world at the same time

    @property
    def done(self) -> bool:
        """True once the scenario's last period has been simulated."""
        return len(self._rows) > self.model.scenario.time.steps

    @property
    def period(self) -> str:
        """The label of the period whose end state is shown (the period before the first at the start)."""
        return self._periods[-1]

    def step(self) -> bool:
        """Simulate one quarter; False (and nothing done) at the scenario's end."""
        with self.lock:
            if self.done:
                return False
            self._periods.append(self.model.next_period)
            self.model.step()
            self._rows.append(self._headlines())
            return True

    def history(self) -> pd.DataFrame:
        """The headline indices so far: ``time`` and one column per headline, a row per recorded step."""
        return pd.DataFrame(self._rows)

    def country_values(self, column: str) -> pd.Series:
        """The current value of a country-state column, indexed by iso3."""
        state = self.model.state
        return pd.Series(getattr(state, column), index=list(state.iso3), name=column)

    def _headlines(self) -> dict[str, float]:
        row = {"time": _time_of(self._periods[-1], self.dt)}
        return row | {name: float(self.model.indices[name]) for name in HEADLINES}


def _time_of(period: str, dt: float) -> float:
    """The tables' ``time`` of a period label ("2023Q1" -> 2023.0, "2023Q3" -> 2023.5, "2030" -> 2030.0)."""
    year, _, quarter = period.partition("Q")
    return int(year) + (int(quarter) - 1) * dt if quarter else float(year)


def _previous(period: str) -> str:
    """The label of the period before ``period`` ("2023Q1" -> "2022Q4", "2030" -> "2029")."""
    year, _, quarter = period.partition("Q")
    if not quarter:
        return str(int(year) - 1)
    return f"{year}Q{int(quarter) - 1}" if quarter != "1" else f"{int(year) - 1}Q4"


class Views:
    """A session's figures, made once per world, and the PNGs of its current state."""

    def __init__(self, world: World):
        self.world = world
        self.chart = HeadlineChart(world.first_time, world.last_time)
        self.map = WorldMap(world.country_values(MAP_COLUMN))

    def render(self) -> tuple[bytes, bytes]:
        """PNGs of the headline chart and the map for the world's current state."""
        world = self.world
        return self.chart.update(world.history()), self.map.update(world.country_values(MAP_COLUMN), world.period)


def _progress(world: World) -> str:
    """'the start' or 'quarter k of N' (state at the end of the period shown)."""
    done, total = len(world.history()) - 1, world.model.scenario.time.steps
    return "end of the quarter · the start" if done == 0 else f"end of the quarter · {done} of {total} quarters"


@functools.lru_cache(maxsize=1)
def _scenarios() -> pd.DataFrame:
    """The scenario library by name (read once per server: the files do not change while it runs)."""
    return list_scenarios().set_index("name")


@solara.component
def ScenarioPicker(scenario: str, on_scenario, seed: int, on_seed):
    """The scenario library and the seed (a new choice starts a new world)."""
    library = _scenarios()
    with solara.Row(style=ROW):
        solara.Select(label="Scenario", value=scenario, values=list(library.index), on_value=on_scenario,
                      style={"width": "15rem"})
        solara.InputInt(label="Seed", value=seed, on_value=on_seed, style={"width": "5rem"})


@solara.component
def Sources(scenario: str):
    """The scenario's sources and assumptions (its file's header), folded: for reading, not projecting."""
    with solara.Details(f"Sources and assumptions of the scenario {scenario!r}"):
        solara.Text(_scenarios().loc[scenario, "provenance"], style={"font-size": "0.95rem"})


@solara.component
def Controls(world: World, playing: bool, set_playing, on_step, on_reset, speed: str, set_speed):
    """Play / Pause / Step / Reset and the play speed."""
    with solara.Row(style=ROW):
        if playing:
            solara.Button("❚❚ Pause", on_click=lambda: set_playing(False), color="warning", style=BUTTON)
        else:
            solara.Button("▶ Play", on_click=lambda: set_playing(True), color="primary", disabled=world.done,
                          style=BUTTON)
        solara.Button("Step", on_click=on_step, disabled=playing or world.done, style=BUTTON)
        solara.Button("Reset", on_click=on_reset, style=BUTTON)
        solara.Select(label="Speed", value=speed, values=list(SPEEDS), on_value=set_speed, style={"width": "11rem"})


def _play_loop(world: World, advance, stop, rate: float):
    """The body of the Play thread: step and show, at most ``rate`` quarters a second, until
    cancelled (Pause, Reset, a new scenario) or the scenario ends."""

    def loop(cancel: threading.Event):
        while not cancel.is_set():
            started = time.perf_counter()
            if not world.step():
                stop()
                return
            advance()
            if rate:
                cancel.wait(max(0.0, 1.0 / rate - (time.perf_counter() - started)))

    return loop


def _make_world(scenario: str, seed: int) -> tuple[World | None, str | None]:
    """A new world, or None and the one-line reason (a seed out of range) to show instead."""
    try:
        return World(scenario, seed), None
    except ScenarioError as exc:
        return None, str(exc)


@solara.component
def Page():
    """The classroom page: the controls in one row, the period, the world map and the headline indices."""
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    seed, set_seed = solara.use_state(1)
    generation, set_generation = solara.use_state(0)  # bumped by Reset: a fresh world
    tick, set_tick = solara.use_state(0)  # bumped after every step: the views redraw
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(DEFAULT_SPEED)
    world, problem = solara.use_memo(lambda: _make_world(scenario, seed), [scenario, seed, generation])
    views = solara.use_memo(lambda: world and Views(world), [world])
    chart_png, map_png = solara.use_memo(lambda: views.render() if views else (None, None), [views, tick])

    def advance():
        set_tick(lambda t: t + 1)

    def step():
        if world.step():
            advance()

    def restart():
        set_playing(False)
        set_generation(lambda g: g + 1)

    loop = _play_loop(world, advance, lambda: set_playing(False), SPEEDS[speed])
    solara.use_thread(loop if playing and world else (lambda: None), [playing, world, speed], intrusive_cancel=False)

    solara.Title("govsim classroom")
    with solara.Column(style={"padding": "0.25rem 1rem", "gap": "0.25rem"}):
        with solara.Row(style=ROW):
            ScenarioPicker(scenario, lambda s: (set_playing(False), set_scenario(s)), seed,
                           lambda s: (set_playing(False), set_seed(s)))
            if world:
                Controls(world, playing, set_playing, step, restart, speed, set_speed)
        if problem:
            solara.Error(problem)
            return
        with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
            solara.Text(world.period, classes=["govsim-period"], style=BIG)
            solara.Text(_progress(world), style={"font-size": "1.2rem"})
            solara.Text(_scenarios().loc[scenario, "description"], style={"font-size": "1.1rem"})
        with solara.Columns([3, 2]):
            solara.Image(map_png, width="100%", classes=["govsim-map"])
            solara.Image(chart_png, width="100%", classes=["govsim-headlines"])
        Sources(scenario)
