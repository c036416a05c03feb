"""The compiled index loops (govsim/index_loops.py, govsim/fragmentation_loops.py, via govsim/stacked.py).

* Their sort is numpy's stable argsort exactly (ties by country, NaN last, -0.0 tied with 0.0), from
  any starting order (a row starts from the previous row's order).
* A row's values depend on the row only: alone, among others or in another order, bit for bit.
* The reference functions' edge cases (all-equal values, one forum, no universal forum, no club,
  no low or high income country, zero totals, one country) give the reference's values.
* A large row (sequential sums over 20 000 countries) stays within rtol 1e-12 of the reference.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st
from test_hot_path import _random_stack, close

from govsim import index_loops, stacked
from govsim.codes import HIGH_INCOME, LOW_INCOME, MEMBER
from govsim.divide import ai_divide
from govsim.indices import fragmentation, inclusiveness


def _sorted(values: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(values)
    order, keys = start.astype(np.int64), np.empty(n)
    index_loops._sort(values, order, keys, np.empty(n), np.empty(n, np.int64))
    return order, keys


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 400), ties=st.floats(0, 1), shuffled=st.booleans())
def test_the_sort_is_numpys_stable_argsort_from_any_start(seed, n, ties, shuffled):
    rng = np.random.default_rng(seed)
    values = rng.random(n) * 10.0 ** rng.uniform(-3, 3, n)
    values = np.where(rng.random(n) < ties, np.round(values, 0), values)  # repeated values
    values[rng.random(n) < 0.05] = -0.0
    values[rng.random(n) < 0.02] = np.nan
    want = np.argsort(values, kind="stable")
    if shuffled:  # a random start: merge sorted
        start = rng.permutation(n)
    else:  # nearly sorted (the previous row's order): insertion sorted
        start = want.copy()
        for _ in range(n // 20):
            i, j = rng.integers(0, n, 2)
            start[i], start[j] = start[j], start[i]
    order, keys = _sorted(values, start)
    assert np.array_equal(order, want)
    assert np.array_equal(keys.view(np.int64), values[want].view(np.int64))  # the values themselves, bit for bit


def _all_indices(a: dict, rows) -> dict[str, np.ndarray]:
    pick = {name: (value[rows] if name != "universal" else value) for name, value in a.items()}
    return {**stacked.inclusiveness_rows(pick["engagement"], pick["status"], pick["authority"], pick["universal"],
                                         pick["population"], pick["income_group"]),
            **stacked.fragmentation_rows(pick["engagement"], pick["status"], pick["authority"], pick["capability"],
                                         pick["position"], pick["universal"], 0.3),
            **stacked.ai_divide_rows(pick["capability"], pick["population"], pick["income_group"], pick["compute"],
                                     pick["access"], pick["adoption"], pick["intensity"])}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), t=st.integers(2, 8), n=st.integers(1, 120), k=st.integers(1, 4))
def test_a_rows_values_depend_on_that_row_only(seed, t, n, k):
    a = _random_stack(seed, t, n, k)
    together = _all_indices(a, np.arange(t))
    backwards = _all_indices(a, np.arange(t)[::-1])
    for r in range(t):
        alone = _all_indices(a, np.array([r]))
        for name, values in together.items():
            assert repr(values[r]) == repr(alone[name][0]) == repr(backwards[name][t - 1 - r]), (name, r)


def _reference(a: dict, r: int, threshold: float = 0.3) -> dict:
    return {**inclusiveness(a["engagement"][r], a["status"][r], a["authority"][r], a["universal"], a["population"][r],
                            a["income_group"][r]),
            **fragmentation(a["engagement"][r], a["status"][r], a["authority"][r], a["capability"][r], a["position"][r],
                            a["universal"], threshold),
            **ai_divide(a["capability"][r], a["population"][r], a["income_group"][r], a["compute"][r],
                        access=a["access"][r], adoption=a["adoption"][r], intensity=a["intensity"][r])}


def _assert_reference(a: dict) -> None:
    got = _all_indices(a, np.arange(len(a["capability"])))
    for r in range(len(a["capability"])):
        want = _reference(a, r)
        assert list(got) == list(want)
        for name, value in want.items():
            assert close(got[name][r], value, name), (name, r, got[name][r], value)


EDGES = ("equal_values", "zero_capability", "zero_compute", "zero_voice", "no_universal", "all_universal",
         "one_club", "no_low", "no_high", "all_high", "members_everywhere")


def _edge(a: dict, edge: str) -> dict:
    """The random stack ``a`` turned into the edge case ``edge``."""
    a = {name: value.copy() for name, value in a.items()}
    if edge == "equal_values":
        for name in ("capability", "population", "compute", "access", "adoption", "intensity"):
            a[name][:] = a[name][:, :1]
        a["engagement"][:] = 0.5
    elif edge == "zero_capability":
        a["capability"][:] = 0.0
    elif edge == "zero_compute":
        a["compute"][:] = 0.0
    elif edge == "zero_voice":
        a["engagement"][:] = 0.0
    elif edge in ("no_universal", "all_universal"):
        a["universal"][:] = edge == "all_universal"
    elif edge == "one_club":
        a["universal"][:] = True
        a["universal"][0] = False
    elif edge in ("no_low", "no_high", "all_high"):
        code = {"no_low": LOW_INCOME, "no_high": HIGH_INCOME}.get(edge)
        a["income_group"][:] = HIGH_INCOME if edge == "all_high" else np.where(a["income_group"] == code, 2, a["income_group"])
    elif edge == "members_everywhere":
        a["status"][:] = MEMBER
    return a


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), t=st.integers(1, 4), n=st.integers(1, 30), k=st.integers(1, 4),
       edge=st.sampled_from(EDGES))
def test_the_reference_functions_edge_cases_give_the_references_values(seed, t, n, k, edge):
    _assert_reference(_edge(_random_stack(seed, t, n, k), edge))


def test_the_edge_cases_give_the_documented_values():
    """A few edge values by hand (docs of govsim/indices.py, govsim/divide.py), not only the reference's."""
    a = _edge(_random_stack(3, 2, 25, 3), "equal_values")
    a["capability"][:], a["population"][:] = 0.25, 1024.0  # (sums of powers of two: exact, as in the docs' algebra)
    got = _all_indices(a, np.arange(2))
    assert list(got["gini_capability"]) == list(got["gini_capability_pop"]) == [0.0, 0.0]
    assert list(got["theil_between_income"]) == [0.0, 0.0]  # T <= 1e-12: values equal
    no_core = _all_indices(_edge(_random_stack(4, 2, 25, 3), "no_universal"), np.arange(2))
    assert list(no_core["core_deficit"]) == [1.0, 1.0]
    one_club = _all_indices(_edge(_random_stack(5, 2, 25, 3), "one_club"), np.arange(2))
    assert list(one_club["bridging_deficit"]) == [0.0, 0.0]
    one = _all_indices(_random_stack(6, 2, 1, 1), np.arange(2))  # one country, one forum
    assert list(one["effective_forums"]) == list(one["gini_capability"]) == list(one["modularity"]) == [0.0, 0.0]


def test_a_large_row_stays_within_rtol_1e_12_of_the_reference():
    """Sequential sums over 20 000 countries (the reference sums pairwise): still within rtol 1e-12."""
    a = _random_stack(11, 2, 20_000, 3)
    a["universal"][:] = [True, False, False]
    _assert_reference(a)
