"""frontier.access's one compiled loop (own route, the frontier's own lag taken off, the open route over the
producers, the quickest route and the largest open route) and dynamics.keep_finite's compiled test equal
the numpy/Python code they replace bit for bit, including the edges that code decides by its own rules:
a zero minimum own route of both signs (numpy's min picks one), no producers, NaN limits and cuts
(Python's min/max for one run, numpy's for a batch), NaN and huge stocks."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest

from govsim import dynamics, frontier, rows
from test_fused_evolve import P, same, states

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def ref_open_lag(own, producers, delays, cut, p):
    """frontier.open_lag before the loop (main, issue 14 fourth round)."""
    if own.ndim > 1:
        best = ((np.take_along_axis(own, producers, -1) + delays).min(axis=-1, keepdims=True) if producers.size
                else np.full((len(own), 1), p.max_lag_years))
        return np.minimum(np.maximum(best - cut, 0.0), p.max_lag_years)
    best = float((own[producers] + delays).min()) if producers.size else p.max_lag_years
    return min(max(best - cut, 0.0), p.max_lag_years)


def ref_access(s, p):
    """frontier.access and route_lags before the loop: numpy calls and Python's min/max."""
    deficit = np.log10(rows.top(s.compute) + 1e-300) - np.log10(np.maximum(s.compute, 1e-300))
    own = np.minimum(p.compute_lag_elasticity * deficit / frontier.frontier_growth(p) + s.knowhow, p.max_lag_years)
    own = own - rows.bottom(own)
    api = p.api_lag_years + s.policy.api_delay
    opened = np.maximum(ref_open_lag(own, s.producers, s.producer_delays, s.policy.open_cut, p) - s.policy.open_cut_country, 0.0)
    s.lag = np.minimum(np.minimum(np.minimum(own, api), opened), p.max_lag_years)
    s.open_lag = rows.top(opened) if opened.ndim > 1 else float(opened.max())
    z = frontier.frontier_orders(s.year, s.start_year, p) - frontier.frontier_growth(p) * s.lag
    s.frontier_access = 1.0 - np.exp2(-np.maximum(z, 0.0) / p.capability_half_orders)
    return np.stack([own, api, opened], axis=-1)


def edged(shape, seed, case):
    """A state and parameters with one of the edges ``case`` names."""
    s, p = states(shape, seed)
    p = SimpleNamespace(**{name: getattr(p, name) for name in type(P).model_fields}) if shape == "one" else p
    if case == "signed zeros":  # own routes of 0.0 and -0.0 at the minimum: numpy's min chooses
        s.compute[...] = 5.0
        p.compute_lag_elasticity = -1.0
        s.knowhow[..., ::2] = -0.0
        s.knowhow[..., 1::2] = 0.0
    elif case == "one signed zero":
        s.compute[...] = 5.0
        p.compute_lag_elasticity = -1.0
        s.knowhow[...] = -0.0
    elif case == "no producers":
        s.producers, s.producer_delays = s.producers[..., :0], s.producer_delays[..., :0]
    elif case == "NaN limit":
        p.max_lag_years = np.nan
    elif case == "NaN cut":
        s.policy.open_cut = np.nan
    elif case == "NaN compute":
        s.compute[..., 3] = np.nan
    elif case == "NaN knowhow at a producer":
        s.knowhow[..., 20] = np.nan
    elif case == "negative cut":
        s.policy.open_cut = -40.0
    return s, p


CASES = ["plain", "signed zeros", "one signed zero", "no producers", "NaN limit", "NaN cut", "NaN compute",
         "NaN knowhow at a producer", "negative cut"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("shape", ["one", "batch"])
def test_access_loop_is_the_numpy_formula(shape, case):
    new, p = edged(shape, 1, case)
    ref = copy.deepcopy(new)
    routes = ref_access(ref, p)
    frontier.access(new, p)
    for name in ("lag", "frontier_access", "open_lag"):
        same(getattr(new, name), getattr(ref, name))
    assert type(new.open_lag) is type(ref.open_lag)
    same(frontier.route_lags(new, p), routes)


def test_signed_zeros_case_reaches_numpys_min():
    """The edge case above does make the loop ask numpy for the minimum (it is not vacuous)."""
    s, p = edged("one", 1, "signed zeros")
    calls = []
    bottom = rows.bottom
    rows.bottom = lambda x: calls.append(1) or bottom(x)
    try:
        frontier.access(s, p)
    finally:
        rows.bottom = bottom
    assert calls


def ref_keep_finite(s):
    """dynamics.keep_finite of one run before the loop."""
    if max(s.world_investment, s.world_capacity, s.compute.max(initial=0.0)) > dynamics.COMPUTE_RESCALE_AT:
        s.compute = s.compute / dynamics.COMPUTE_RESCALE_AT
        s.world_investment /= dynamics.COMPUTE_RESCALE_AT
        s.world_capacity /= dynamics.COMPUTE_RESCALE_AT
    if s.gdp_pc.max(initial=0.0) > dynamics.GDP_PC_CEILING:
        s.gdp_pc = np.minimum(s.gdp_pc, dynamics.GDP_PC_CEILING)


BIG = dynamics.COMPUTE_RESCALE_AT


@pytest.mark.parametrize("investment,capacity,top,gdp", [
    (1.0, 2.0, 3.0, 1e4), (BIG * 2, 1.0, 1.0, 1e4), (1.0, BIG * 2, 1.0, 1e4), (1.0, 1.0, BIG * 2, 1e4),
    (np.nan, BIG * 2, 1.0, 1e4), (BIG * 2, np.nan, 1.0, 1e4), (1.0, 1.0, np.nan, 1e4), (BIG * 2, 1.0, np.nan, 1e4),
    (np.nan, 1.0, BIG * 2, 1e4), (1.0, 1.0, BIG, 1e101), (1.0, 1.0, 1.0, np.nan), (1.0, 1.0, 1.0, 1e100),
    (1.0, 1.0, -0.0, np.inf)])
def test_keep_finite_of_one_run(investment, capacity, top, gdp):
    new, _ = states("one", 2)
    new.world_investment, new.world_capacity = investment, capacity
    new.compute[7], new.gdp_pc[5] = top, gdp
    ref = copy.deepcopy(new)
    ref_keep_finite(ref)
    dynamics.keep_finite(new)
    for name in ("compute", "gdp_pc", "world_investment", "world_capacity"):
        same(getattr(new, name), getattr(ref, name))
