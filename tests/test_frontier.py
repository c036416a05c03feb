"""Unit tests of the capability submodel (govsim/frontier.py) on hand-computed arrays."""

from __future__ import annotations

import numpy as np
import pytest

from govsim import frontier
from govsim.config.behaviour import Dynamics
from govsim.state import State

P = Dynamics(compute_growth=10.0, algo_growth=10.0, capability_half_orders=4.0, compute_lag_elasticity=0.5,
             max_lag_years=10.0, api_lag_years=0.1, adoption_speed=1.0, adoption_skill_elasticity=1.0,
             cloud_share=0.5, intensity_elasticity=1.0, capacity_boost=0.0, skill_decay=0.0, internet_trend=1.0)
G = 2.0  # log10(10 * 10): two orders of magnitude of effective compute a year


def small_state(n: int = 3, **arrays) -> State:
    """A State of ``n`` countries with neutral values, overridden by ``arrays``."""
    k = 1
    base = dict(
        iso3=np.array([f"C{i}" for i in range(n)], dtype=object), population=np.ones(n), internet=np.full(n, 0.5),
        gdp_pc=np.ones(n), income_group=np.zeros(n, np.int8), readiness=np.full(n, 0.5), compute=np.ones(n),
        knowhow=np.zeros(n), capability=np.zeros(n), adoption=np.zeros(n), skills=np.zeros(n),
        internet_slope=np.zeros(n), alignment=np.zeros(n), budget=np.ones(n), tier=np.ones(n, np.int8),
        engagement=np.zeros((n, k)), status=np.zeros((n, k), np.int8), partner_since=np.full((n, k), np.nan),
        taste=np.zeros((n, k)), dissatisfaction=np.zeros(n), year=2023.0, start_year=2023.0,
    )
    base.update(arrays)
    return State(**base)


def test_frontier_grows_by_hardware_times_algorithms():
    assert frontier.frontier_growth(P) == pytest.approx(G)
    assert frontier.frontier_orders(2023.0, 2023.0, P) == pytest.approx(4.0)
    assert frontier.frontier_orders(2025.5, 2023.0, P) == pytest.approx(4.0 + 2.5 * G)


def test_capability_map_halves_the_remaining_distance_every_h_orders():
    a = frontier.capability_of(np.array([-3.0, 0.0, 4.0, 8.0, 12.0]), P)
    np.testing.assert_allclose(a, [0.0, 0.0, 0.5, 0.75, 0.875])


def test_own_lag_is_compute_deficit_times_elasticity_plus_knowhow():
    compute = np.array([100.0, 1.0, 0.0])
    lag = frontier.own_lag(compute, np.array([0.0, 0.3, 0.0]), P)
    # 2 orders of magnitude behind the leader -> 0.5 * 2 / 2 = 0.5 years, plus 0.3 of know-how; no compute -> capped
    np.testing.assert_allclose(lag, [0.0, 0.8, 10.0])


def test_open_lag_is_best_producer_plus_delay_less_a_release_cut_never_negative():
    own = np.array([0.0, 0.4, 2.0])
    producers, delays = np.array([0, 1]), np.array([0.75, 0.0])
    assert frontier.open_lag(own, producers, delays, 0.0, P) == pytest.approx(0.4)  # the second producer's 0.4 + 0
    assert frontier.open_lag(own, producers, delays, 0.25, P) == pytest.approx(0.15)
    assert frontier.open_lag(own, producers, delays, 1.0, P) == 0.0
    assert frontier.open_lag(own, np.array([], dtype=np.intp), np.array([]), 0.0, P) == P.max_lag_years


def test_each_country_takes_its_quickest_route():
    s = small_state(compute=np.array([100.0, 1.0, 1.0]))
    s.producers, s.producer_delays = np.array([0]), np.array([0.75])
    s.policy.api_delay[:] = [0.0, np.inf, 0.5]  # country 1 blocked from APIs, country 2 delayed
    routes = frontier.route_lags(s, P)
    np.testing.assert_allclose(routes[:, 0], [0.0, 0.5, 0.5])  # own: 2 orders behind
    np.testing.assert_allclose(routes[:, 1], [0.1, np.inf, 0.6])  # api
    np.testing.assert_allclose(routes[:, 2], [0.75, 0.75, 0.75])  # open: the producer's own lag 0 + 0.75
    frontier.access(s, P)
    np.testing.assert_allclose(s.lag, [0.0, 0.5, 0.5])
    np.testing.assert_allclose(s.frontier_access, 1 - 2.0 ** (-(4.0 - G * s.lag) / 4.0))
    assert s.open_lag == pytest.approx(0.75)


def test_the_frontier_is_the_best_model_anyone_trains():
    """Own lags are measured from the best own route, so the leader's lag is 0 even with know-how behind."""
    s = small_state(compute=np.array([100.0, 1.0, 1.0]), knowhow=np.array([0.2, 0.2, 0.0]))
    own = frontier.route_lags(s, P)[:, 0]
    assert own.min() == 0.0


def test_knowhow_relaxes_exactly_towards_its_steady_lag_measured_from_the_leader():
    lam = np.array([1.0, 2.0, 0.0])
    raw = np.array([3.0 * np.exp(-1) + (1 - np.exp(-1)), 0.5 * np.exp(-2) + (1 - np.exp(-2)) / 2, 1.0])
    for leader in (1, 2):  # from the leader's know-how; a faster diffuser than the leader is at 0, not below
        k = frontier.relax_knowhow(np.array([3.0, 0.5, 0.0]), lam, 1.0, P, leader=leader)
        np.testing.assert_allclose(k, np.maximum(raw - raw[leader], 0.0))
    assert k[1] == 0.0 and k[0] == pytest.approx(raw[0] - 1.0)
    steady = frontier.steady_knowhow(np.array([1.0, 2.0]), P, leader=1)
    np.testing.assert_allclose(steady, [0.5, 0.0])
    np.testing.assert_allclose(frontier.relax_knowhow(np.array([1.0, 0.5]), np.array([1.0, 2.0]), 0.25, P, leader=1), steady)
    # a country that diffuses faster than the leader is at the frontier's know-how, not ahead of it
    np.testing.assert_allclose(frontier.steady_knowhow(np.array([1.0, 2.0]), P, leader=0), [0.0, 0.0])


def test_adoption_moves_exactly_towards_internet_times_skill():
    s = small_state(internet=np.array([0.8, 0.4, 1.0]), readiness=np.array([0.5, 0.5, 1.0]),
                    adoption=np.array([0.1, 0.1, 0.0]))
    ceiling = np.array([0.4, 0.2, 1.0])
    np.testing.assert_allclose(frontier.adoption_ceiling(s, P), ceiling)
    frontier.adopt(s, np.zeros(3), P, 0.5)
    speed = 1.0 * np.array([0.5, 0.5, 1.0])
    np.testing.assert_allclose(s.adoption, ceiling + (np.array([0.1, 0.1, 0.0]) - ceiling) * np.exp(-speed * 0.5))


def test_capacity_building_raises_skills_ceiling_and_speed():
    p = P.model_copy(update={"capacity_boost": 2.0})
    s = small_state(readiness=np.full(3, 0.5), internet=np.ones(3), adoption=np.zeros(3))
    received = np.array([0.0, 0.2, 0.0])
    frontier.adopt(s, received, p, 1.0)
    assert s.skills[1] == pytest.approx(0.2) and s.skills[0] == 0.0
    assert frontier.skill(s)[1] == pytest.approx(0.5 + 0.5 * 0.2)
    # ceiling 0.6 at speed 0.5 * (1 + 2 * 0.2) = 0.7, against 0.5 at speed 0.5
    assert s.adoption[1] == pytest.approx(0.6 * (1 - np.exp(-0.7)))
    assert s.adoption[0] == pytest.approx(0.5 * (1 - np.exp(-0.5)))


def test_internet_follows_its_logit_trend_and_stays_in_bounds():
    s = small_state(internet=np.array([0.5, 0.0, 1.0]), internet_slope=np.array([0.4, 0.4, 0.4]))
    frontier.grow_internet(s, P, 0.5)
    np.testing.assert_allclose(s.internet, [1 / (1 + np.exp(-0.2)), 0.0, 1.0])


def test_available_compute_is_own_use_plus_cloud_by_gdp_cut_by_api_delay():
    s = small_state(compute=np.array([3.0, 1.0, 0.0]), gdp_pc=np.array([2.0, 1.0, 1.0]))
    s.policy.api_delay[:] = [0.0, 1.0, np.inf]
    # half kept at home, half rented out by GDP share (.5, .25, .25) of the world's 4 units
    np.testing.assert_allclose(frontier.available_compute(s, P), [1.5 + 1.0, 0.5 + 0.5 / 2, 0.0])


def test_intensity_is_a_half_at_the_world_average_compute_per_user():
    s = small_state(compute=np.array([1.0, 1.0, 1.0]), adoption=np.full(3, 0.5))
    s.world_capacity = 3.0
    frontier.use_intensity(s, P)
    np.testing.assert_allclose(s.intensity, 0.5)
    # a cap that binds on country 0 (its stock halves) lowers only its intensity: the reference is the
    # uncapped world capacity, so nobody else gains by renormalisation
    s.compute = np.array([0.5, 1.0, 1.0])
    frontier.use_intensity(s, P)
    q = np.array([0.25 + 0.5 * 2.5 / 3, 0.5 + 0.5 * 2.5 / 3, 0.5 + 0.5 * 2.5 / 3]) / 0.5 / 2.0  # per user / (3 / 1.5)
    np.testing.assert_allclose(s.intensity, q / (1 + q))
    assert s.intensity[0] < 0.5 and (s.intensity[1:] < 0.5).all()


def test_intensity_elasticity_zero_makes_compute_irrelevant():
    p = P.model_copy(update={"intensity_elasticity": 0.0})
    s = small_state(compute=np.array([10.0, 1.0, 0.0]), adoption=np.full(3, 0.5))
    s.world_capacity = 11.0
    frontier.use_intensity(s, p)
    np.testing.assert_allclose(s.intensity, 0.5)


def test_used_capability_is_access_times_adoption_times_intensity():
    s = small_state()
    s.frontier_access, s.adoption = np.array([0.5, 0.8, 0.0]), np.array([0.5, 0.25, 1.0])
    s.intensity = np.array([0.5, 1.0, 0.3])
    np.testing.assert_allclose(frontier.used_capability(s), [0.125, 0.2, 0.0])


def test_open_producers_fall_back_to_the_compute_leader():
    idx, delays = frontier.producer_index(np.array(["A", "CHN", "B"], dtype=object), np.array([1.0, 2.0, 3.0]), Dynamics())
    assert list(idx) == [1] and list(delays) == [0.0]
    idx, delays = frontier.producer_index(np.array(["A", "B"], dtype=object), np.array([1.0, 3.0]), Dynamics())
    assert list(idx) == [1] and list(delays) == [0.75]
