"""One browser session's world with its figures: stepped and drawn under one lock.

A :class:`Live` holds the :class:`~govsim.app.session.Session` (A, and B side by side), the
headline chart (with the baseline of the same seed drawn faintly behind), the map(s), the B - A
difference chart, and which quarter is shown (``at``: None follows the end, a number scrubs back).
Play runs in a thread while the page's controls switch levers, so every change goes through
``lock``.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd

from govsim import HEADLINES
from govsim.app.maps import WorldMap, column_of
from govsim.app.session import Session
from govsim.app.views import HeadlineChart


class Live:
    """A browser session's Session with its figures."""

    def __init__(self, scenario: str, seed: int, compare: str | None = None, session: Session | None = None):
        self.session = session or Session(scenario, seed, compare=compare)
        self.lock = threading.Lock()
        self.drawn = threading.Event()  # set when the pictures of the latest quarter are made (Play waits for it)
        snap, time_ = self.session.view(0), self.session.a.model.scenario.time
        first = float(snap.indices["time"].iloc[0])
        self.steps, self.span = time_.steps, (first, first + time_.steps * time_.step_years)
        self.chart = HeadlineChart(*self.span, baseline=self.session.baseline())
        self.diff = HeadlineChart(*self.span, heading="B − A: ", size=(6.6, 6.0)) if self.session.b else None
        self.quantity, self.forum, self.at = "capability", "un", None
        self.maps = self._maps()
        self.period, self.step_shown = str(snap.indices["period"].iloc[-1]), 0

    # ------------------------------------------------------------------ state
    @property
    def done(self) -> bool:
        """True once the scenario's last quarter has been simulated."""
        return self.session.finished

    @property
    def tracks(self) -> list[str]:
        return ["a", "b"] if self.session.b else ["a"]

    def step(self) -> bool:
        """Simulate one quarter (going on from the end); False (and nothing done) at the scenario's end."""
        with self.lock:
            self.at = None
            if self.session.finished:
                return False
            self.session.advance()
            return True

    def scrub(self, step: int | None) -> None:
        """Show quarter ``step`` (None or the last simulated one: follow the end)."""
        with self.lock:
            self.at = None if step is None or step >= self.session.step else max(0, int(step))

    def show(self, quantity: str, forum: str) -> None:
        """Map ``quantity`` (in ``forum`` for engagement and status) from now on."""
        with self.lock:
            if (quantity, forum) != (self.quantity, self.forum):
                self.quantity, self.forum = quantity, forum
                self.maps = self._maps()

    def switch(self, key: str, on: bool, settings: dict[str, Any], which: str = "a") -> None:
        """Switch lever ``key`` on (with ``settings``) or off in track ``which``, from the next quarter."""
        with self.lock:
            names = [n for n in self.session.active(which) if n.startswith(f"lever_{key}_")]
            if on and not names:
                self.session.switch_on(key, settings, which)
            for name in names if not on else ():
                self.session.switch_off(name, which)

    def _maps(self) -> dict[str, WorldMap]:
        size = (10.0, 5.6) if len(self.tracks) == 1 else (8.0, 4.8)
        return {which: WorldMap(self.session.view(self.at, which).countries, self._values(which), self.quantity,
                                self.forum, size=size) for which in self.tracks}

    def _values(self, which: str) -> pd.Series:
        return self.session.map_values(column_of(self.quantity, self.forum), self.at, which)

    # ------------------------------------------------------------------ pictures
    def render(self) -> dict[str, bytes]:
        """PNGs for the quarter shown: "chart", "map_a" (and "map_b", "diff" side by side)."""
        with self.lock:
            history = self.session.view().indices
            at = len(history) - 1 if self.at is None else self.at
            self.period, self.step_shown = str(history["period"].iloc[at]), int(history["step"].iloc[at])
            out = {"chart": self.chart.update(history, at)}
            for which in self.tracks:
                out[f"map_{which}"] = self.maps[which].update(self._values(which), self.period)
            if self.diff:
                out["diff"] = self.diff.update(self.session.difference(), at)
            self.drawn.set()
            return out

    def delta(self) -> dict[str, float]:
        """A's headlines minus the baseline's at the quarter shown (0 until a lever acts)."""
        history, base = self.session.view().indices, self.session.baseline()
        at = len(history) - 1 if self.at is None else self.at
        if at >= len(base):  # a scenario longer than the baseline: nothing to compare with
            return {name: float("nan") for name in HEADLINES}
        return {name: float(history[name].iloc[at] - base[name].iloc[at]) for name in HEADLINES}

    def progress(self) -> str:
        """'the start' or 'k of N quarters' (the state at the end of the period shown)."""
        done = self.step_shown
        return "end of the quarter · the start" if done == 0 else f"end of the quarter · {done} of {self.steps} quarters"
