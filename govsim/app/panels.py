"""The page's panels: the levers, the "Δ vs baseline" readout, the forum panel and the exports.

Each panel reads the browser session's :class:`~govsim.app.live.Live` world and calls back
``changed`` when it altered it, so the page redraws.
"""

from __future__ import annotations

import solara

from govsim import HEADLINES
from govsim.app.levers import LEVERS, Lever, Setting

TEXT = {"font-size": "1rem"}
SHORT = {"inclusiveness": "Inclusiveness", "fragmentation": "Fragmentation", "ai_divide": "AI divide"}


@solara.component
def SettingControl(setting: Setting, value, on_value, disabled: bool):
    """A slider for a number in [low, high], a select box for choices."""
    if setting.choices:
        solara.Select(label=setting.label, value=value, values=list(setting.choices), on_value=on_value,
                      disabled=disabled, style={"width": "16rem"})
    else:
        solara.Text(f"{setting.label}: {value:g}", style={"font-size": "1rem"})
        solara.SliderFloat("", value=value, min=setting.low, max=setting.high,
                           step=_step(setting.high - setting.low), on_value=on_value, disabled=disabled,
                           thumb_label=False)
    if setting.help:
        solara.Text(setting.help, style={"font-size": "0.9rem", "color": "#555"})


def _step(span: float) -> float:
    """A slider step that lands on round values (and on every lever's default)."""
    return 0.01 if span <= 0.5 else 0.05 if span <= 5 else 0.5


@solara.component
def LeverCard(item: Lever, on: bool, world, which: str, changed):
    """One lever: its switch (on from the next quarter), its settings and its help (what / source / watch).

    Components get the values they show as arguments (``on``): Solara re-renders a component only
    when its arguments change, and ``world`` is the same object from quarter to quarter."""
    values, set_values = solara.use_state({s.key: s.default for s in item.settings}, key=f"{item.key}-{which}")

    def toggle(value: bool):
        world.switch(item.key, value, values, which)
        changed()

    with solara.Card(style={"padding": "0.4rem 0.8rem", "margin": "0.2rem"}, classes=[f"govsim-lever-{item.key}"]):
        solara.Switch(label=item.title, value=on, style={"font-weight": "600"}, on_value=toggle, classes=[f"govsim-switch-{item.key}-{which}"])
        for setting in item.settings:
            SettingControl(setting, values[setting.key],
                           lambda v, k=setting.key: set_values({**values, k: v}), disabled=on)
        with solara.Details("What it is · source · what to watch"):
            solara.Markdown(f"**What:** {item.what}\n\n**Source:** {item.source}\n\n**Watch:** {item.watch}",
                            style=TEXT)


@solara.component
def LeversPanel(world, active: tuple[str, ...], changed, which: str = "a"):
    """Every classroom lever, switchable while the run is going; ``active``: the levers in force."""
    in_force = ", ".join(LEVERS[n.removeprefix("lever_").rsplit("_", 1)[0]].title for n in active) or "none"
    solara.Text(f"Levers in force{' in B' if which == 'b' else ''}: {in_force}", classes=[f"govsim-in-force-{which}"],
                style={"font-size": "1.1rem", "font-weight": "600"})
    with solara.ColumnsResponsive(12, large=4):
        for item in LEVERS.values():
            LeverCard(item, any(n.startswith(f"lever_{item.key}_") for n in active), world, which, changed)


@solara.component
def DeltaReadout(delta: dict[str, float]):
    """Each headline now minus the baseline of the same seed at the quarter shown (``Live.delta``)."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "1.2rem"}):
        solara.Text("Δ vs baseline:", style={"font-size": "1.1rem", "font-weight": "600"})
        for name in HEADLINES:
            solara.Text(f"{SHORT[name]} {delta[name]:+.4f}", classes=[f"govsim-delta-{name}"],
                        style={"font-size": "1.1rem"})
