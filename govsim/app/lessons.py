"""The teacher page's guided lessons (govsim/app/lessons.yaml) and their set-up in a session."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from govsim.app.levers import lever
from govsim.app.session import Session

LESSONS_FILE = Path(__file__).with_name("lessons.yaml")


@dataclass(frozen=True)
class Lesson:
    """A guided lesson: goals, what to set, questions to ask, what the class should see."""

    key: str
    title: str
    goals: tuple[str, ...]
    steps: tuple[str, ...]
    questions: tuple[str, ...]
    see: str
    expect: dict[str, str]  # headline index -> "up" or "down" (B - A at the end of the run)
    setup: dict[str, Any]

    def start(self, seed: int | None = None) -> Session:
        """A side-by-side session set up as the lesson says: baseline in A and B, stepped to the
        lesson's quarter, its levers switched on in B from there."""
        session = Session("baseline", self.setup.get("seed", 0) if seed is None else seed, compare="baseline")
        while session.period != _before(self.setup["at"]) and not session.finished:
            session.advance()
        for item in self.setup["levers"]:
            lever(item["lever"])  # a clear error for an unknown lever
            session.switch_on(item["lever"], item.get("settings"), which="b")
        return session


def _before(period: str) -> str:
    """The quarter before ``period`` ("2025Q1" -> "2024Q4"): the session's last simulated period."""
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"


@functools.lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    """The lessons, in teaching order."""
    raw = yaml.safe_load(LESSONS_FILE.read_text())
    return tuple(Lesson(r["key"], r["title"], tuple(r["goals"]), tuple(r["steps"]), tuple(r["questions"]),
                        " ".join(r["see"].split()), dict(r["expect"]), dict(r["setup"])) for r in raw)
