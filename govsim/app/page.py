"""The classroom app's page (``solara run govsim.app.page``; ``govsim app`` starts it).

One world PER BROWSER SESSION: the :class:`~govsim.app.session.Session` is created inside the
``Page`` component (``solara.use_memo``), never at module level, where every open tab would share
and step one world. Each browser session also owns its figures (:mod:`govsim.app.views`),
updated in place each step, and a lock so that Play and Step never advance it at the same time.
"""

from __future__ import annotations

import functools
import threading
import time

import pandas as pd
import solara

from govsim import HEADLINES, ScenarioError, list_scenarios
from govsim.app.compare import CompareSwitch, Exports, SideBySide
from govsim.app.explore import CountryInspector, ForumPanel, MapPicker
from govsim.app.lessons import lessons
from govsim.app.levers import LEVERS
from govsim.app.live import Live
from govsim.app.panels import DeltaReadout, LeversPanel
from govsim.app.teacher import Lessons

DEFAULT_SCENARIO = "baseline"
SPEEDS = {"1 quarter/s": 1.0, "2 quarters/s": 2.0, "4 quarters/s": 4.0, "as fast as possible": 0.0}
DEFAULT_SPEED = "4 quarters/s"
BIG = {"font-size": "2.4rem", "font-weight": "700"}
BUTTON = {"font-size": "1rem"}
ROW = {"align-items": "center", "flex-wrap": "wrap"}


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
def Controls(world: Live, playing: bool, set_playing, on_step, on_reset, speed: str, set_speed):
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


@solara.component
def Timeline(shown: int, last: int, scrubbed: bool, on_step):
    """A slider over the ``last`` simulated quarters: the map and the chart's marker show the one
    picked (``shown``); Step and Play go on from the end."""
    with solara.Row(style=ROW):
        with solara.Div(classes=["govsim-timeline"], style={"min-width": "24rem", "flex-grow": "1"}):
            solara.SliderInt("Quarter shown (scrub back)", value=shown, min=0, max=max(last, 1),
                             on_value=on_step, disabled=last == 0)
        if scrubbed:
            solara.Button("back to now", on_click=lambda: on_step(None), style=BUTTON)


def _play_loop(world: Live, advance, stop, rate: float):
    """The body of the Play thread: step and show ``rate`` quarters a second (0: as fast as possible)
    until cancelled (Pause, Reset, a new scenario) or the scenario ends. Quarters are due on a fixed
    schedule, so one slow frame is made up by the next ones (at most one quarter of catching up)."""

    def loop(cancel: threading.Event):
        due = time.perf_counter()
        while not cancel.is_set():
            world.drawn.clear()
            if not world.step():
                stop()
                return
            advance()
            world.drawn.wait(1.0)  # the page has drawn this quarter: never step ahead of what is shown
            if rate:
                due = max(due + 1.0 / rate, time.perf_counter() - 1.0 / rate)
                cancel.wait(max(0.0, due - time.perf_counter()))

    return loop


def _make_world(scenario: str, seed: int, compare: str | None, lesson: str | None) -> tuple[Live | None, str | None]:
    """A new world (set up as ``lesson`` says, if given), or None and the one-line reason (a seed
    out of range) to show instead."""
    try:
        if lesson:
            chosen = next(item for item in lessons() if item.key == lesson)
            return Live(scenario, seed, compare, session=chosen.start(seed)), None
        return Live(scenario, seed, compare), None
    except ScenarioError as exc:
        return None, str(exc)


@solara.component
def Page():
    """The classroom page: one browser session's state and world; :func:`Views` lays it out."""
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    seed, set_seed = solara.use_state(0)
    compare, set_compare = solara.use_state(None)  # B's scenario in the side-by-side mode
    lesson, set_lesson = solara.use_state(None)  # the lesson that set this world up
    generation, set_generation = solara.use_state(0)  # bumped by Reset: a fresh world
    tick, set_tick = solara.use_state(0)  # bumped after every step: the views redraw
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(DEFAULT_SPEED)
    world, problem = solara.use_memo(lambda: _make_world(scenario, seed, compare, lesson),
                                     [scenario, seed, compare, lesson, generation])
    pictures = solara.use_memo(lambda: world.render() if world else {}, [world, tick])

    def advance():
        set_tick(lambda t: t + 1)

    def step():
        if world.step():
            advance()

    def restart():
        set_playing(False)
        set_generation(lambda g: g + 1)

    def choose(set_value):
        """A new scenario, seed or B: stop playing and leave any lesson's set-up."""
        return lambda value: (set_playing(False), set_lesson(None), set_value(value))

    def set_up(key: str):
        set_playing(False)
        set_scenario("baseline")
        set_compare("baseline")
        set_lesson(key)

    loop = _play_loop(world, advance, lambda: set_playing(False), SPEEDS[speed])
    solara.use_thread(loop if playing and world else (lambda: None), [playing, world, speed], intrusive_cancel=False)

    solara.Title("govsim classroom")
    with solara.Column(style={"padding": "0.25rem 1rem", "gap": "0.25rem"}):
        with solara.Row(style=ROW):
            ScenarioPicker(scenario, choose(set_scenario), seed, choose(set_seed))
            if world:
                Controls(world, playing, set_playing, step, restart, speed, set_speed)
            CompareSwitch(compare, list(_scenarios().index), choose(set_compare))
        if problem:
            solara.Error(problem)
            return
        Views(world, tick, pictures, scenario, compare, advance, set_up)


@solara.component
def Views(world: Live, tick: int, pictures: dict, scenario: str, compare: str | None, advance, set_up):
    """The period, the map(s) and charts, the timeline, then the tabs: levers, countries and forums,
    export, lessons. ``tick`` changes whenever the world did (a lever switched without a step
    leaves the pictures equal, and Solara skips a component whose arguments are equal)."""
    country, set_country = solara.use_state(None)
    shown, set_shown = solara.use_state(0)  # the open tab
    track, set_track = solara.use_state("a")  # which world the levers act on, side by side
    track = track if compare else "a"
    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
        solara.Text(world.period, classes=["govsim-period"], style=BIG)
        solara.Text(world.progress(), style={"font-size": "1.2rem"})
        solara.Text(_scenarios().loc[scenario, "description"], style={"font-size": "1.1rem"})
    MapPicker(world.quantity, world.forum, lambda q, f: (world.show(q, f), advance()))
    timeline = (world.step_shown, world.session.step, world.at is not None, lambda v: (world.scrub(v), advance()))
    if compare:
        SideBySide(pictures, scenario, compare, world.session.divergent(),
                   world.session.difference().iloc[-1][list(HEADLINES)].to_dict(), (_levers(world, "a"), _levers(world, "b")))
        Timeline(*timeline)
    else:
        with solara.Columns([3, 2]):
            with solara.Column():
                solara.Image(pictures["map_a"], width="100%", classes=["govsim-map"])
                Timeline(*timeline)
            with solara.Column():
                solara.Image(pictures["chart"], width="100%", classes=["govsim-headlines"])
                DeltaReadout(world.delta())
    names = solara.use_memo(lambda: _names(world), [world])
    with solara.lab.Tabs(value=shown, on_value=set_shown):  # only the open tab is built each quarter
        with solara.lab.Tab("Levers"):
            if shown == 0:
                Levers(world, tuple(world.session.active(track)), compare, track, set_track, advance)
        with solara.lab.Tab("Countries and forums"):
            if shown == 1:
                with solara.Columns([3, 2]):
                    with solara.Column():
                        CountryInspector(names, country, set_country, world.session.country(country) if country else None)
                    with solara.Column():
                        ForumPanel(world.session.forum_panel(world.at))
        with solara.lab.Tab("Export"):
            if shown == 2:
                for which in world.tracks:
                    Exports(world, which, pictures.get("chart" if which == "a" else "diff"), pictures[f"map_{which}"])
        with solara.lab.Tab("Lessons (teacher)"):
            if shown == 3:
                Lessons(set_up)
    Sources(scenario)


@solara.component
def Levers(world: Live, active: tuple[str, ...], compare: str | None, track: str, set_track, advance):
    """The levers tab (``active``: the levers in force in ``track``); side by side, which world they act on first."""
    if compare:
        with solara.Row(style=ROW):
            solara.Text("Levers act on:", style={"font-size": "1.1rem"})
            solara.ToggleButtonsSingle(value=f"world {track.upper()}", values=["world A", "world B"],
                                       on_value=lambda v: set_track(v[-1].lower()))
    LeversPanel(world, active, advance, track)


def _levers(world: Live, which: str) -> str:
    """' + <the titles of the levers in force>' in world ``which`` ('' when none)."""
    titles = [LEVERS[name.removeprefix("lever_").rsplit("_", 1)[0]].title for name in world.session.active(which)]
    return "".join(f" + {title}" for title in titles)


def _names(world: Live) -> dict[str, str]:
    """Country name -> iso3 of the world's countries."""
    countries = world.session.view(0).countries
    return dict(zip(countries["name"].astype(str), countries["iso3"]))
