"""The teacher's tab: the three guided lessons (govsim/app/lessons.yaml), each with its set-up button."""

from __future__ import annotations

import solara

from govsim.app.lessons import Lesson, lessons

TEXT = {"font-size": "1.05rem"}


def _bullets(items) -> str:
    return "\n".join(f"- {item}" for item in items)


@solara.component
def LessonCard(lesson: Lesson, on_setup):
    """A lesson: goals, what to set, questions to ask, what the class should see; a set-up button."""
    with solara.Card(style={"margin": "0.3rem"}, classes=[f"govsim-lesson-{lesson.key}"]):
        solara.Text(lesson.title, style={"font-size": "1.3rem", "font-weight": "700"})
        solara.Markdown(f"**Learning goals**\n\n{_bullets(lesson.goals)}\n\n**What to set**\n\n{_bullets(lesson.steps)}"
                        f"\n\n**Questions to ask**\n\n{_bullets(lesson.questions)}\n\n**What the class should see:** {lesson.see}",
                        style=TEXT)
        solara.Button("Set up this lesson", on_click=lambda: on_setup(lesson.key), color="primary")


@solara.component
def Lessons(on_setup):
    """Every lesson, in teaching order. Setting one up replaces this tab's world (side by side, seed kept)."""
    with solara.ColumnsResponsive(12, large=4):
        for lesson in lessons():
            LessonCard(lesson, on_setup)
