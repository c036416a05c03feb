"""Income groups move by threshold crossings of GDP per capita, from the World Bank's start group."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import govsim
from govsim.config.behaviour import Dynamics
from govsim.dynamics import grow_income

LOW, LMIC, UMIC, HIC = 0, 1, 2, 3


def _grown(gdp0, group0, factor):
    """Groups after GDP per capita grows (or falls) by ``factor`` in one step."""
    s = SimpleNamespace(gdp_pc=np.array(gdp0, float), gdp_pc0=np.array(gdp0, float),
                        income_group0=np.array(group0, np.int8), capability=np.zeros(len(gdp0)))
    p = Dynamics().model_copy(update={"income_growth": float(np.log(factor)), "ai_income_premium": 0.0})
    grow_income(s, p, 1.0)
    return s.income_group.tolist()


def test_a_world_bank_group_above_its_gdp_band_is_kept_when_gdp_catches_up():
    # Iran: GDP $4,431 (lower-middle by GDP), World Bank upper middle: crossing $4,515 keeps it upper middle
    assert _grown([4431.0], [UMIC], 1.05) == [UMIC]
    assert _grown([4431.0], [UMIC], 3.2) == [HIC]  # past $14,005 it is high income


def test_crossings_from_inside_the_band_move_the_group_both_ways():
    assert _grown([13788.0, 1200.0, 5000.0], [UMIC, LMIC, UMIC], 1.02) == [HIC, LMIC, UMIC]
    assert _grown([4600.0, 1200.0], [UMIC, LMIC], 0.9) == [LMIC, LOW]


def test_a_falling_economy_never_rises_a_group():
    # World Bank lower middle but GDP upper middle: falling below $4,515 keeps it lower middle
    assert _grown([4600.0], [LMIC], 0.95) == [LMIC]


def test_no_country_jumps_two_groups_or_to_high_income_from_far_below_in_the_baseline():
    countries = govsim.run("baseline", seed=0).countries
    start = countries[countries.step == 0].set_index("iso3")
    end = countries[countries.period == "2030Q4"].set_index("iso3")
    moved = end.income_group.cat.codes - start.income_group.cat.codes
    assert moved.abs().max() <= 1
    assert start.loc["IRN", "income_group"] == end.loc["IRN", "income_group"] == "upper_middle"
