"""The page's side-by-side (A/B) controls and views, and the export buttons.

A/B runs two scenarios on the same seed in lockstep (:class:`~govsim.app.session.Session` with
``compare``): both maps, the B − A difference of the headlines, and the countries that diverge most.
"""

from __future__ import annotations

import pandas as pd
import solara

from govsim.app.explore import markdown_table
from govsim.app.panels import SHORT

TEXT = {"font-size": "1.05rem"}


@solara.component
def CompareSwitch(compare: str | None, scenarios: list[str], on_compare):
    """The A/B mode switch and B's scenario picker (a change starts both worlds again)."""
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Switch(label="Side by side (A/B)", value=compare is not None,
                      on_value=lambda on: on_compare("baseline" if on else None), classes=["govsim-ab"])
        if compare is not None:
            solara.Select(label="Scenario B", value=compare, values=scenarios, on_value=on_compare,
                          style={"width": "15rem"})


@solara.component
def SideBySide(pictures: dict[str, bytes], scenario: str, compare: str, divergent: pd.DataFrame,
               difference: dict[str, float], levers: tuple[str, str]):
    """Both maps (headed by each world's scenario and ``levers`` in force), the B − A chart with its
    readout, and the table of the countries that diverge most."""
    with solara.Columns([1, 1]):
        with solara.Column():
            solara.Text(f"A: {scenario}{levers[0]}", style={"font-size": "1.2rem", "font-weight": "700"})
            solara.Image(pictures["map_a"], width="100%", classes=["govsim-map-a"])
        with solara.Column():
            solara.Text(f"B: {compare}{levers[1]}", style={"font-size": "1.2rem", "font-weight": "700"})
            solara.Image(pictures["map_b"], width="100%", classes=["govsim-map-b"])
    with solara.Columns([1, 1]):
        with solara.Column():
            solara.Image(pictures["diff"], width="100%", classes=["govsim-difference"])
            with solara.Row(style={"flex-wrap": "wrap", "gap": "1.2rem"}):
                solara.Text("B − A now:", style={**TEXT, "font-weight": "600"})
                for name, value in difference.items():
                    solara.Text(f"{SHORT[name]} {value:+.4f}", classes=[f"govsim-diff-{name}"], style=TEXT)
        with solara.Column():
            solara.Text("Countries whose capability differs most (B − A)", style={**TEXT, "font-weight": "600"})
            table = divergent.drop(columns="iso3").rename(columns={"a": "A", "b": "B", "difference": "B − A"})
            solara.Markdown(markdown_table(table.round(4)), style=TEXT)


@solara.component
def Exports(world, which: str, chart: bytes, map_png: bytes):
    """Download the run's tables (CSV zip), the charts (PNG) and the scenario with its levers (YAML)."""
    session, tag = world.session, f"{world.session.scenario if which == 'a' else world.session.compare}_seed{world.session.seed}"
    if world.session.b:
        solara.Text(f"World {which.upper()}", style={**TEXT, "font-weight": "700"})
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(lambda: session.scenario_yaml(which), filename=f"{tag}.yaml", label="Scenario (YAML)",
                            mime_type="text/yaml")
        solara.FileDownload(lambda: session.tables_zip(which), filename=f"{tag}_tables.zip", label="Tables (CSV zip)",
                            mime_type="application/zip")
        chart_name = ("headlines", "Headline chart") if which == "a" else ("difference", "B − A chart")
        solara.FileDownload(chart, filename=f"{tag}_{chart_name[0]}.png", label=f"{chart_name[1]} (PNG)", mime_type="image/png")
        solara.FileDownload(map_png, filename=f"{tag}_map.png", label="Map (PNG)", mime_type="image/png")
    solara.Text("The YAML runs again with `govsim run <file>` or `govsim.load_scenario`: same seed, same levers, same results.",
                style={"font-size": "0.95rem", "color": "#555"})
