"""The notebook user's look-ups (issue 12): the scenario library and the countries."""

from __future__ import annotations

from pathlib import Path

import govsim

LIBRARY_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "scenario"


def test_list_scenarios_is_the_library_with_descriptions_and_provenance():
    table = govsim.list_scenarios()
    assert list(table.columns) == ["name", "description", "provenance"]
    assert set(table.name) == {p.stem for p in LIBRARY_DIR.glob("*.yaml")}
    assert table.name.is_monotonic_increasing
    assert (table.description.str.len() > 20).all()
    assert not table.description.str.contains("\n").any()
    un = table.set_index("name").loc["un_centred", "provenance"]
    assert "A/RES/79/325" in un and "finding" not in un.lower() and "@package" not in un


def test_countries_are_the_193_with_names_regions_income_and_a_point():
    c = govsim.countries()
    assert len(c) == 193 and c.iso3.is_unique
    assert set(c.iso3) == set(govsim.run("baseline", overrides="time.steps=1").countries.iso3)
    assert set(c.income_group) == {"low", "lower_middle", "upper_middle", "high"}
    assert c.latitude.between(-90, 90).all() and c.longitude.between(-180, 180).all()
    row = c.set_index("iso3").loc["NAM"]  # "NA"-like codes stay text
    assert row["name"] == "Namibia" and row["region"] == "Sub-Saharan Africa"
    assert not c.isna().any().any()
