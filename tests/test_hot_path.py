"""The lean hot path (issue 14, item 2): indices measured from the recorded steps at once.

* Every index measured over a stack of states (govsim/stacked.py, compiled loops) equals the per-state
  reference function (govsim/indices.py, govsim/divide.py) within rtol 1e-12 (1e-14 absolute near 0;
  counts and classes exactly), on random states and on a real run: the loops sum in their own order.
* A row's indices do not depend on how many rows are measured together, or on forums launched in
  other rows; rows are measured once, however often the indices are read.
* The per-step check still stops a run at the step a state variable turns non-finite, naming the
  step, the variable and the country; a non-finite index names its step and index.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import govsim
from govsim import stacked
from govsim.codes import MEMBER, NONE
from govsim.divide import ai_divide
from govsim.indices import fragmentation, inclusiveness
from govsim.model import GovernanceModel
from govsim.trace import FLOATS, Trace, check_indices

SHORT = ["time.steps=6"]


def _random_stack(seed: int, t: int, n: int, k: int) -> dict[str, np.ndarray]:
    """Random states with the edge cases the indices treat apart (zero weights, empty groups, ties)."""
    rng = np.random.default_rng(seed)

    def sometimes_zero(x: np.ndarray, p: float = 0.2) -> np.ndarray:
        return np.where(rng.random(x.shape) < p, 0.0, x)

    universal = rng.random(k) < 0.4
    return {
        "engagement": sometimes_zero(rng.random((t, n, k))),
        "status": rng.integers(NONE, MEMBER + 1, (t, n, k)).astype(np.int8),
        "authority": sometimes_zero(rng.random((t, k)), 0.3) * (rng.random((t, 1)) > 0.1),
        "position": rng.uniform(-1, 1, (t, k)),
        "universal": universal,
        "capability": sometimes_zero(rng.random((t, n))) * (rng.random((t, 1)) > 0.1),
        "population": rng.lognormal(15, 2, (t, n)),
        "income_group": rng.integers(0, rng.integers(1, 5), (t, n)).astype(np.int8),
        "compute": sometimes_zero(rng.lognormal(0, 3, (t, n))) * (rng.random((t, 1)) > 0.1),
        "access": rng.random((t, n)), "adoption": sometimes_zero(rng.random((t, n))),
        "intensity": rng.random((t, n)),
    }


#: Indices that are counts, classes or a pick of values: equal to the reference's exactly.
EXACT = ("none_share", "all_share", "regime_class", "open_lag_years", "frontier_capability")


def close(got, want, name: str = "") -> bool:
    """``got`` is the reference's ``want``: exactly for :data:`EXACT` and strings, else within rtol 1e-12
    (1e-14 absolute: an index in [0, 1] taken as 1 - x near 0 keeps x's absolute rounding)."""
    if isinstance(want, str) or name in EXACT:
        return got == want
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-14)


def _same(got: dict, want: list[dict]) -> None:
    assert list(got) == list(want[0])
    for name in got:
        for row, expected in enumerate(want):
            assert close(got[name][row], expected[name], name), (name, row, got[name][row], expected[name])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), t=st.integers(1, 6), n=st.integers(1, 40), k=st.integers(1, 5))
def test_stacked_indices_equal_the_per_state_functions(seed, t, n, k):
    a = _random_stack(seed, t, n, k)
    rows = range(t)
    _same(stacked.inclusiveness_rows(a["engagement"], a["status"], a["authority"], a["universal"], a["population"],
                                     a["income_group"]),
          [inclusiveness(a["engagement"][r], a["status"][r], a["authority"][r], a["universal"], a["population"][r],
                         a["income_group"][r]) for r in rows])
    _same(stacked.fragmentation_rows(a["engagement"], a["status"], a["authority"], a["capability"], a["position"],
                                     a["universal"], 0.3),
          [fragmentation(a["engagement"][r], a["status"][r], a["authority"][r], a["capability"][r], a["position"][r],
                         a["universal"], 0.3) for r in rows])
    _same(stacked.ai_divide_rows(a["capability"], a["population"], a["income_group"], a["compute"], a["access"],
                                 a["adoption"], a["intensity"]),
          [ai_divide(a["capability"][r], a["population"][r], a["income_group"][r], a["compute"][r],
                     access=a["access"][r], adoption=a["adoption"][r], intensity=a["intensity"][r]) for r in rows])


def _reference(s, forums, threshold: float) -> dict:
    """The indices of one state by the per-state functions (what record.measure computed before the trace)."""
    e, status, authority, position, universal = s.engagement, s.status, forums.authority, forums.position, forums.universal
    assert forums.active.all()  # (a column slice would sum in another memory order: see govsim/trace.py)
    return {**inclusiveness(e, status, authority, universal, s.population, s.income_group),
            **fragmentation(e, status, authority, s.capability, position, universal, threshold),
            **ai_divide(s.capability, s.population, s.income_group, s.compute, access=s.frontier_access,
                        adoption=s.adoption, intensity=s.intensity),
            "frontier_capability": float(s.frontier_access.max()), "open_lag_years": s.open_lag}


def test_a_run_reads_like_the_per_state_formula_at_every_step_and_live_reads_agree():
    model = GovernanceModel(govsim.load_scenario("baseline", ["time.steps=8"]), seed=3)
    threshold = model.behaviour.dynamics.engaged_threshold
    expected = [_reference(model.state, model.forums, threshold)]
    _same({name: [value] for name, value in model.indices.items()}, expected)
    while model.running:
        model.step()
        if model.running:
            expected.append(_reference(model.state, model.forums, threshold))
            _same({name: [value] for name, value in model.indices.items()}, expected[-1:])  # measured one row at a time
    table = govsim.run(model.scenario, seed=3, countries=False).indices
    _same({name: table[name].tolist() for name in expected[0]}, expected)
    assert model.datacollector.model_vars == {name: list(table[name]) for name in expected[0]}  # the same loops: exact


def _filled_trace(rows: int, k: int, seed: int, capacity: int | None = None) -> Trace:
    a = _random_stack(seed, rows, 30, k)
    trace = Trace(30, k, a["universal"], 0.05, rows=capacity or rows)
    for r in range(rows):
        s = _State(a, r)
        active = np.ones(k, bool) if r >= rows // 2 else np.arange(k) < k - 1  # the last forum launched mid-way
        trace.append(s, a["authority"][r], a["position"][r], active)
    return trace


class _State:
    """The attributes Trace.append reads, from row ``r`` of a random stack."""

    def __init__(self, a: dict, r: int):
        for name in FLOATS:
            source = {"frontier_access": "access", "gdp_pc": "population", "readiness": "adoption",
                      "alignment": "intensity"}.get(name, name)
            setattr(self, name, a[source][r])
        self.engagement, self.status, self.income_group = a["engagement"][r], a["status"][r], a["income_group"][r]
        self.open_lag, self.world_investment, self.n = 0.5, 1.0, 30


def test_a_row_measures_the_same_alone_or_stacked_and_with_forums_launched_in_other_rows():
    trace = _filled_trace(10, 4, seed=7)
    together = trace.measure(slice(0, 10))
    for r in range(10):
        alone = trace.measure(slice(r, r + 1))
        assert {name: values[r] for name, values in together.items()} == {name: v[0] for name, v in alone.items()}
    assert len(set(together["fragmentation"])) > 1


def test_rows_are_measured_once_however_often_the_indices_are_read(monkeypatch):
    trace, calls = _filled_trace(6, 3, seed=1), []
    original = Trace.measure

    def counting(self, rows, *args):
        calls.append((rows.start, rows.stop))
        return original(self, rows, *args)

    monkeypatch.setattr(Trace, "measure", counting)
    first = trace.indices(4)
    assert trace.indices(3)["inclusiveness"].tolist() == first["inclusiveness"][:3].tolist()
    everything = trace.indices()
    assert calls == [(0, 4), (4, 6)] and len(everything["inclusiveness"]) == 6


def test_a_full_trace_measures_its_rows_and_starts_over_with_the_same_indices():
    whole = _filled_trace(9, 3, seed=4).indices()
    small = _filled_trace(9, 3, seed=4, capacity=2)  # measured every two steps, holding two rows at most
    assert len(small.open_lag) == 2 and small.first == 8
    chunked = small.indices()
    assert {name: list(v) for name, v in chunked.items()} == {name: list(v) for name, v in whole.items()}


def test_a_large_world_trace_holds_a_bounded_number_of_rows():
    from govsim.trace import CHUNK_BYTES

    trace = Trace(100_000, 3, np.array([True, False, False]), 0.05, rows=53)
    held = trace.floats.nbytes + trace.engagement.nbytes + trace.status.nbytes + trace.income_group.nbytes
    assert 1 <= len(trace.open_lag) < 53 and held <= CHUNK_BYTES
    assert len(Trace(193, 3, np.array([True, False, False]), 0.05, rows=53).open_lag) == 53  # a real world: all steps


def test_a_non_finite_state_stops_the_run_at_that_step_naming_variable_and_country(monkeypatch):
    from govsim import phases

    original = phases.evolve

    def evolve(s, forums, b, dt):
        original(s, forums, b, dt)
        if s.year > 2023.6:  # from the third period on
            s.compute[5] = math.inf

    monkeypatch.setattr(phases, "evolve", evolve)
    model = GovernanceModel(govsim.load_scenario("baseline", SHORT), seed=0)
    with pytest.raises(FloatingPointError, match=rf"step 3: state variable compute is not finite \(inf for country "
                                                 rf"'{model.state.iso3[5]}'\)"):
        model.run()
    assert model.steps == 3 and model.trace.n_rows == 4  # stopped there: steps 0-3 recorded, nothing simulated after


def test_a_non_finite_index_names_its_step_and_index():
    columns = {"inclusiveness": np.array([0.1, 0.2, 0.3]), "regime_class": np.array(["a", "b", "c"], dtype=object),
               "ai_divide": np.array([0.1, np.nan, math.inf])}
    with pytest.raises(FloatingPointError, match=r"step 6: index ai_divide is not finite \(nan\)"):
        check_indices(5, columns)
