"""The teacher page's lessons say what the model does: each lesson's expected directions hold on several seeds."""

from __future__ import annotations

import pytest

from govsim.app.lessons import lessons

SEEDS = (0, 1, 2, 3)


def test_three_lessons_with_goals_steps_questions_and_expectations():
    found = lessons()
    assert [lesson.key for lesson in found] == ["walls_and_bridges", "closing_the_divide", "one_table_or_many"]
    for lesson in found:
        assert lesson.goals and lesson.steps and lesson.questions and lesson.see and lesson.expect
        assert set(lesson.expect.values()) <= {"up", "down"}


@pytest.mark.parametrize("lesson", lessons(), ids=lambda lesson: lesson.key)
def test_what_the_class_should_see_is_what_the_model_does(lesson):
    for seed in SEEDS:
        session = lesson.start(seed)
        assert session.period == {"2025Q1": "2024Q4", "2024Q3": "2024Q2", "2026Q1": "2025Q4"}[lesson.setup["at"]]
        assert session.active("b") and not session.active("a")
        session.advance(60)
        end = session.difference().iloc[-1]
        for index, direction in lesson.expect.items():
            assert (end[index] > 0.001) if direction == "up" else (end[index] < -0.001), (lesson.key, seed, index, end[index])
