"""Unit tests for govsim.indices: hand-computed arrays, edge cases, bounds.

Forum order in the small worlds below is (UN, G7, BRICS) unless stated;
UN is the only universal forum.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.divide import ai_divide
from govsim.indices import (
    bridging_deficit,
    core_deficit,
    dominant_club,
    effective_forums,
    fragmentation,
    gini,
    inclusiveness,
    modularity,
    normative_distance,
    theil_between_share,
    voice,
)

UNIVERSAL3 = np.array([True, False, False])  # UN, G7, BRICS


def direct_gini(x):
    """O(N^2) mean absolute difference: sum_ij |x_i - x_j| / (2 N^2 mean)."""
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


# ====================================================================== gini
def test_gini_hand_computed():
    # [1,2,3,4]: sum_{i<j}|d| = 3+2+1+1+2+1... = 10, sum_ij = 20, mean 2.5
    # G = 20 / (2 * 16 * 2.5) = 0.25
    assert gini([4, 1, 3, 2]) == pytest.approx(0.25, abs=1e-15)
    # [0,0,0,1]: one holds all -> (N-1)/N = 0.75
    assert gini([0, 0, 1, 0]) == pytest.approx(0.75, abs=1e-15)
    # weighted: values [1,3] with weights [3,1] == sample [1,1,1,3]:
    # mean 1.5, sum_ij|d| = 2*3*2 = 12, G = 12 / (2*16*1.5) = 0.25
    assert gini([1, 3], weights=[3, 1]) == pytest.approx(0.25, abs=1e-15)


def test_gini_matches_direct_formula_unweighted():
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.random(rng.integers(2, 40)) ** 3
        assert gini(x) == pytest.approx(direct_gini(x), abs=1e-12)


def test_gini_weighted_matches_integer_replication():
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.random(rng.integers(2, 15))
        w = rng.integers(0, 6, size=x.size)
        w[0] = max(w[0], 1)  # at least one positive weight
        assert gini(x, weights=w) == pytest.approx(direct_gini(np.repeat(x, w)), abs=1e-12)


def test_gini_edge_cases():
    assert gini([]) == 0.0
    assert gini([5.0]) == 0.0                      # single country
    assert gini([0.0, 0.0, 0.0]) == 0.0            # zero total
    assert gini([1.0, 2.0], weights=[0, 0]) == 0.0  # zero total weight
    assert gini([0.3, 0.3, 0.3]) == 0.0            # perfect equality
    # only one positive weight: a one-country population -> 0
    assert gini([1.0, 9.0], weights=[0, 1]) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="non-negative"):
        gini([1.0, -1.0])


# ====================================================================== theil
def theil_t(x):
    x = np.asarray(x, dtype=float)
    r = x / x.mean()
    return np.mean([ri * math.log(ri) if ri > 0 else 0.0 for ri in r])


def test_theil_between_share_hand_computed():
    # values [0,2,4,4], groups [0,0,1,1]; mu = 2.5, mu_0 = 1, mu_1 = 4
    # T   = (1/4)[0 + 0.8 ln 0.8 + 2 * 1.6 ln 1.6]          (0 ln 0 = 0)
    # T_B = (1/2)(0.4 ln 0.4) + (1/2)(1.6 ln 1.6)
    t = 0.25 * (0.8 * math.log(0.8) + 2 * 1.6 * math.log(1.6))
    t_b = 0.5 * 0.4 * math.log(0.4) + 0.5 * 1.6 * math.log(1.6)
    assert t_b / t == pytest.approx(0.58166, abs=1e-5)
    assert theil_between_share([0, 2, 4, 4], [0, 0, 1, 1]) == pytest.approx(t_b / t, abs=1e-14)


def test_theil_pure_between_and_pure_within():
    # equal within groups -> everything is between-group inequality
    assert theil_between_share([1, 1, 3, 3], [0, 0, 1, 1]) == pytest.approx(1.0)
    # equal group means -> no between-group inequality
    assert theil_between_share([1, 3, 1, 3], [0, 0, 1, 1]) == pytest.approx(0.0, abs=1e-15)


def test_theil_decomposition_adds_up():
    # T = T_between + sum_g (N_g mu_g / N mu) T_g, with arbitrary labels
    rng = np.random.default_rng(0)
    x = rng.random(30)
    x[:3] = 0.0
    g = rng.choice([7, -2, 40], size=30)
    t_within = sum((g == k).sum() * x[g == k].mean() / (30 * x.mean()) * theil_t(x[g == k])
                   for k in np.unique(g))
    expected = (theil_t(x) - t_within) / theil_t(x)
    assert theil_between_share(x, g) == pytest.approx(expected, abs=1e-12)


def test_theil_edge_cases():
    assert theil_between_share([0, 0, 0], [0, 1, 2]) == 0.0   # zero total
    assert theil_between_share([0.3] * 5, [0, 0, 1, 1, 2]) == 0.0  # equal values
    assert theil_between_share([4.0], [1]) == 0.0             # single country
    assert theil_between_share([1, 5, 2], [0, 0, 0]) == 0.0   # one group


# ====================================================================== voice
def test_voice_hand_computed():
    # authority [3,1] -> A = [0.75, 0.25]
    # forum 0: all three MEMBERs, beta = 1/3; forum 1: 0,1 MEMBER (beta 1/2), 2 PARTNER (0)
    # V0 = .75*(1/3)*1  + .25*(1/2)*.5 = 0.3125
    # V1 = .75*(1/3)*.5 + .25*(1/2)*1  = 0.25
    # V2 = .75*(1/3)*0  + 0            = 0
    e = np.array([[1.0, 0.5], [0.5, 1.0], [0.0, 1.0]])
    st = np.array([[MEMBER, MEMBER], [MEMBER, MEMBER], [MEMBER, PARTNER]], dtype=np.int8)
    np.testing.assert_allclose(voice(e, st, [3, 1]), [0.3125, 0.25, 0.0], atol=1e-15)


def test_voice_zero_authority_is_uniform_and_no_member_forum_is_silent():
    e = np.array([[1.0, 1.0], [1.0, 1.0]])
    st = np.array([[MEMBER, APPLICANT], [MEMBER, NONE]], dtype=np.int8)
    # A -> [1/2, 1/2]; forum 1 has no members -> contributes 0
    np.testing.assert_allclose(voice(e, st, [0, 0]), [0.25, 0.25])


# ====================================================================== inclusiveness
def small_world():
    """4 countries; UN universal, G7, BRICS; authority uniform.

    c0 high income, pop 1: UN member e=1, G7 member e=1
    c1 upper-middle, pop 1: UN member e=1, BRICS member e=1
    c2 low income,   pop 4: UN member e=1
    c3 lower-middle, pop 2: UN member e=.5, BRICS partner e=.5
    """
    e = np.array([[1, 1, 0], [1, 0, 1], [1, 0, 0], [0.5, 0, 0.5]], dtype=float)
    st = np.array([[MEMBER, MEMBER, NONE], [MEMBER, NONE, MEMBER],
                   [MEMBER, NONE, NONE], [MEMBER, NONE, PARTNER]], dtype=np.int8)
    return dict(engagement=e, status=st, authority=np.ones(3), universal=UNIVERSAL3,
                population=np.array([1.0, 1.0, 4.0, 2.0]), income_group=np.array([3, 2, 0, 1]))


def test_inclusiveness_hand_computed():
    # Voice (A = 1/3 each): UN beta 1/4 -> e/12; G7 only c0 -> 1/3; BRICS members: c1 -> 1/3
    # V = [1/12+1/3, 1/12+1/3, 1/12, 1/24] = [10, 10, 2, 1]/24, total 23/24
    # none_share: only c2 is party to no club -> 1/4; all_share: nobody in G7 and BRICS -> 0
    # representation: low+lower-middle = c2,c3: voice share 3/23, pop share 6/8
    #   RR = (3/23)/(3/4) = 4/23
    # voice per capita (1/24 units): [10, 10, .5, .5], pop weights [1,1,4,2]
    #   == sample six 0.5s and two 10s: mean 23/8, sum_ij|d| = 2*6*2*9.5 = 228
    #   G = 228 / (2*64*23/8) = 57/92 -> equality 35/92
    # headline = (3/4 + 4/23 + 35/92)/3 = (69 + 16 + 35)/(92*3) = 10/23
    out = inclusiveness(**small_world())
    assert out["none_share"] == pytest.approx(0.25)
    assert out["all_share"] == 0.0
    assert out["representation_low"] == pytest.approx(4 / 23)
    assert out["voice_equality"] == pytest.approx(35 / 92)
    assert out["inclusiveness"] == pytest.approx(10 / 23)


def test_inclusiveness_all_share_and_rr_cap():
    w = small_world()
    w["status"][0, 2] = PARTNER  # c0 now party to G7 and BRICS
    w["income_group"] = np.array([0, 0, 0, 0])  # everyone low income -> RR = 1
    out = inclusiveness(**w)
    assert out["all_share"] == pytest.approx(0.25)
    assert out["representation_low"] == pytest.approx(1.0)


def test_inclusiveness_lower_middle_counts_as_low():
    w = small_world()
    w["income_group"] = np.array([3, 2, 1, 1])  # c2 now lower-middle: same RR = 4/23
    assert inclusiveness(**w)["representation_low"] == pytest.approx(4 / 23)


def test_inclusiveness_no_clubs_and_no_low_income():
    w = small_world()
    w["universal"] = np.array([True, True, True])  # no club forums at all
    w["income_group"] = np.array([3, 3, 2, 2])     # no low / lower-middle
    out = inclusiveness(**w)
    assert out["none_share"] == 1.0   # vacuously party to no club
    assert out["all_share"] == 0.0
    assert out["representation_low"] == 0.0


def test_inclusiveness_zero_voice():
    w = small_world()
    w["engagement"] = np.zeros((4, 3))
    out = inclusiveness(**w)
    assert out["representation_low"] == 0.0
    assert out["voice_equality"] == 1.0  # Gini of all-zero voice is 0


# ====================================================================== effective forums
def test_effective_forums_hand_computed():
    # two countries split evenly over two forums: s = (.5,.5), ENF = 2 -> 1
    assert effective_forums(np.eye(2), [1, 1]) == pytest.approx(1.0)
    # w = c @ e = [2, 1, 0] -> s = (2/3, 1/3, 0), sum s^2 = 5/9, ENF = 1.8
    # F1 = (1.8 - 1)/(3 - 1) = 0.4
    e = np.array([[1.0, 0, 0], [1.0, 1, 0]])
    assert effective_forums(e, [1, 1]) == pytest.approx(0.4)
    # everyone in one forum -> ENF = 1 -> 0
    assert effective_forums(np.array([[1.0, 0, 0], [0.5, 0, 0]]), [1, 1]) == 0.0


def test_effective_forums_edge_cases():
    assert effective_forums(np.ones((3, 1)), [1, 1, 1]) == 0.0  # K = 1
    assert effective_forums(np.ones((3, 2)), [0, 0, 0]) == 0.0  # zero capability


# ====================================================================== modularity
def nx_modularity(e, authority, groups):
    """Reference: build A_ij = sum_k A_k e_ik e_jk explicitly and ask networkx."""
    a = np.asarray(authority, float) / np.sum(authority)
    n = e.shape[0]
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for i in range(n):
        for j in range(i + 1, n):
            graph.add_edge(i, j, weight=float(np.sum(a * e[i] * e[j])))
    comms = [set(np.flatnonzero(groups == g)) for g in np.unique(groups)]
    return nx.community.modularity(graph, comms, weight="weight")


def test_modularity_hand_computed_two_cliques():
    # pairs (0,1) share forum 0, (2,3) share forum 1; A = (.5,.5)
    # edges: A_01 = A_23 = .5, 2W = 2, within = 2, K_g = 1 each
    # Q = 2/2 - (1/2)^2 - (1/2)^2 = 0.5
    e = np.array([[1.0, 0], [1, 0], [0, 1], [0, 1]])
    assert modularity(e, [1, 1], np.array([0, 0, 1, 1])) == pytest.approx(0.5)
    # one community -> Q = 1 - 1 = 0
    assert modularity(e, [1, 1], np.zeros(4, int)) == pytest.approx(0.0, abs=1e-15)
    # split every clique: within 0 -> Q = -1/2 -> clipped to 0
    assert modularity(e, [1, 1], np.array([0, 1, 0, 1])) == 0.0


def test_modularity_matches_networkx():
    rng = np.random.default_rng(0)
    positive = 0
    for _ in range(20):
        groups = rng.integers(0, 3, size=12)
        # engagement concentrated (noisily) in each country's own forum, so the
        # partition is informative and Q is mostly > 0
        e = 0.3 * rng.random((12, 3)) + 0.7 * np.eye(3)[groups] * rng.random((12, 1))
        authority = rng.random(3)
        q_nx = nx_modularity(e, authority, groups)
        positive += q_nx > 0
        assert modularity(e, authority, groups) == pytest.approx(max(q_nx, 0.0), abs=1e-12)
    assert positive >= 15  # the comparison is not vacuous (not all clipped)


def test_modularity_edge_cases():
    assert modularity(np.ones((1, 3)), np.ones(3), [0]) == 0.0          # single country
    assert modularity(np.eye(3), np.ones(3), [0, 1, 2]) == 0.0          # no shared forum
    assert modularity(np.zeros((4, 2)), np.ones(2), [0, 0, 1, 1]) == 0.0  # no engagement
    # zero total authority == uniform authority
    e = np.random.default_rng(0).random((6, 3))
    g = np.array([0, 0, 1, 1, 2, 2])
    assert modularity(e, np.zeros(3), g) == pytest.approx(modularity(e, np.ones(3), g))


# ====================================================================== dominant club
def test_dominant_club():
    e = np.array([[0.1, 0.8, 0.9], [1.0, 0.0, 0.0], [0.0, 0.3, 0.9], [0, 0.5, 0.5]])
    st = np.array([[MEMBER, MEMBER, PARTNER],   # BRICS partner with .9 > .8 -> 2
                   [MEMBER, NONE, NONE],        # no club -> K = 3
                   [MEMBER, MEMBER, APPLICANT],  # applicant does not count -> 1
                   [NONE, MEMBER, MEMBER]],      # tie -> lowest index 1
                  dtype=np.int8)
    np.testing.assert_array_equal(dominant_club(e, st, UNIVERSAL3), [2, 3, 1, 1])


# ====================================================================== core deficit
def test_core_deficit():
    e = np.array([[1.0, 1, 0], [0.01, 1, 0], [0.5, 0, 1]])
    # c = [3,1,1]: only c1 is below the 0.05 threshold -> 1/5 outside
    assert core_deficit(e, [3, 1, 1], UNIVERSAL3) == pytest.approx(0.2)
    assert core_deficit(e, [3, 1, 1], UNIVERSAL3, threshold=0.6) == pytest.approx(0.4)
    assert core_deficit(e, [3, 1, 1], np.zeros(3, bool)) == 1.0  # no universal forum
    assert core_deficit(e, [0, 0, 0], UNIVERSAL3) == 0.0         # zero capability


# ====================================================================== normative distance
def test_normative_distance_hand_computed():
    # K = 2, s = (.5,.5), x = (-1, 1): sum_{k<l} = .25 * 2 = .5, * 2 -> 1
    assert normative_distance(np.eye(2), [1, 1], [-1, 1]) == pytest.approx(1.0)
    # K = 3, s = 1/3 each, x = (-1, 0, 1): (1/9)(1 + 2 + 1) = 4/9, * 2 = 8/9
    assert normative_distance(np.eye(3), [1, 1, 1], [-1, 0, 1]) == pytest.approx(8 / 9)
    # K = 3, s = (.25,.25,.5), x = (-1, 1, 1): .25*.25*2 + .25*.5*2 + 0 = .375, * 2 = .75
    assert normative_distance(np.eye(3), [1, 1, 2], [-1, 1, 1]) == pytest.approx(0.75)
    # identical positions -> 0
    assert normative_distance(np.eye(3), [1, 1, 1], [0.4, 0.4, 0.4]) == 0.0


def test_normative_distance_edge_cases():
    assert normative_distance(np.ones((3, 1)), [1, 1, 1], [0.7]) == 0.0       # K = 1
    assert normative_distance(np.eye(2), [0, 0], [-1, 1]) == 0.0              # no weight
    # an empty forum has s = 0 and adds no distance: s = (.5,.5,0) -> .25 * 2 * 2 = 1
    e = np.array([[1.0, 0, 0], [0, 1, 0]])
    assert normative_distance(e, [1, 1], [-1, 1, 0]) == pytest.approx(1.0)


def test_normative_distance_independent_of_forum_count():
    # F4 depends only on how weight is spread over positions, not on K:
    # an empty forum (zero column, anywhere, at any position) changes nothing
    rng = np.random.default_rng(0)
    for _ in range(20):
        n, k = int(rng.integers(2, 10)), int(rng.integers(2, 5))
        e, c, x = rng.random((n, k)), rng.random(n), rng.uniform(-1, 1, k)
        base = normative_distance(e, c, x)
        assert base > 0
        for col in range(k + 1):
            e_plus = np.insert(e, col, 0.0, axis=1)
            x_plus = np.insert(x, col, rng.uniform(-1, 1))
            assert normative_distance(e_plus, c, x_plus) == pytest.approx(base, abs=1e-14)
    # weight split evenly between -1 and +1 is the maximum, exactly 1 for any K:
    # K = 2, s = (.5,.5): .25 * 2 = .5, * 2 = 1
    assert normative_distance(np.eye(2), [1, 1], [-1, 1]) == 1.0
    # K = 3, s = (.25,.25,.5), x = (-1,-1,1): (.25*.5 + .25*.5) * 2 = .5, * 2 = 1
    assert normative_distance(np.eye(3), [1, 1, 2], [-1, -1, 1]) == 1.0
    # K = 3 with an empty third forum: s = (.5,.5,0) -> still 1
    assert normative_distance(np.eye(3)[:2], [1, 1], [-1, 1, 0.3]) == 1.0


# ====================================================================== bridging deficit
def test_bridging_deficit_hand_computed():
    # clubs G7, BRICS. c = [2,1,1]
    # b0 = min(.4,.8) = .4, b1 = min(1,.8) = .8, b2 = 0 (BRICS applicant only)
    # max b = .8; F5 = 1 - [(2*.4 + 1*.8 + 0)/4] / .8 = 1 - .4/.8 = .5
    e = np.array([[1, 0.4, 0.8], [1, 1, 0.8], [1, 1, 0.3]])
    st = np.array([[MEMBER, MEMBER, PARTNER], [MEMBER, PARTNER, MEMBER],
                   [MEMBER, MEMBER, APPLICANT]], dtype=np.int8)
    assert bridging_deficit(e, st, [2, 1, 1], UNIVERSAL3) == pytest.approx(0.5)
    # all capability on the best bridge -> 0
    assert bridging_deficit(e, st, [0, 1, 0], UNIVERSAL3) == pytest.approx(0.0)


def test_bridging_deficit_edge_cases():
    e = np.ones((2, 3))
    st = np.array([[MEMBER, MEMBER, NONE], [MEMBER, NONE, MEMBER]], dtype=np.int8)
    assert bridging_deficit(e, st, [1, 1], UNIVERSAL3) == 1.0                     # nobody bridges
    assert bridging_deficit(e, st, [1, 1], np.array([True, True, False])) == 0.0  # one club
    assert bridging_deficit(e, st, [0, 0], UNIVERSAL3) == 0.0                     # zero capability


# ====================================================================== fragmentation
def bloc_world(cn_forum=2):
    """US (c=10) in G7, CN (c=8) in forum `cn_forum`, two small states in the UN only."""
    e = np.zeros((4, 3))
    e[0, 1] = e[1, cn_forum] = 1.0
    e[2:, 0] = 1.0
    st = np.full((4, 3), NONE, dtype=np.int8)
    st[:, 0] = MEMBER
    st[0, 1] = st[1, cn_forum] = MEMBER
    return dict(engagement=e, status=st, authority=np.ones(3), capability=[10, 8, 1, 1],
                positions=[0.0, 1.0, -1.0], universal=UNIVERSAL3)


def test_fragmentation_conflictive_world():
    # w = c @ e = [2, 10, 8] -> s = (.1, .5, .4); x = (0, 1, -1)
    # F4 = 2 * (.1*.5*1 + .1*.4*1 + .5*.4*2) = 2 * .49 = .98
    # F3: US and CN (18 of 20) have zero UN engagement -> .9
    # dominant clubs: US 1, CN 2 -> split; F4 > .35 -> conflictive
    out = fragmentation(**bloc_world())
    assert out["normative_distance"] == pytest.approx(0.98)
    assert out["core_deficit"] == pytest.approx(0.9)
    assert out["regime_class"] == "conflictive"
    assert out["fragmentation"] == pytest.approx(
        (out["core_deficit"] + out["normative_distance"] + (out["modularity"] + out["bridging_deficit"]) / 2) / 3)
    assert set(out) == {"effective_forums", "modularity", "core_deficit",
                        "normative_distance", "bridging_deficit", "fragmentation",
                        "regime_class"}


def test_fragmentation_cooperative_when_top2_share_a_club():
    # CN also anchors in the G7; small states more capable, UN position -1:
    # w = [10, 18, 0] -> s = (10/28, 18/28, 0); F4 = 2 * s0 s1 * 2 = 720/784 = .918 > .35
    w = bloc_world(cn_forum=1) | dict(capability=[10, 8, 5, 5], positions=[-1.0, 1.0, 0.0])
    out = fragmentation(**w)
    assert out["normative_distance"] == pytest.approx(2 * 10 * 18 / 28**2 * 2)
    assert out["regime_class"] == "cooperative"


def test_fragmentation_cooperative_when_runner_up_in_no_club():
    w = bloc_world()
    w["status"][1, 2] = NONE  # CN engages BRICS but is not party: dominant club = K
    out = fragmentation(**w)
    assert out["normative_distance"] == pytest.approx(0.98)  # status-independent
    assert out["regime_class"] == "cooperative"


def test_fragmentation_cooperative_when_norms_close_despite_split():
    w = bloc_world()
    w["positions"] = [0.0, 0.2, -0.2]  # split as in the conflictive world, closer norms
    # s = (.1, .5, .4): F4 = 2 * (.1*.5*.2 + .1*.4*.2 + .5*.4*.4) = 2 * .098 = .196
    # .15 <= F4 <= .35 and F3 = .9 -> neither synergistic nor conflictive
    out = fragmentation(**w)
    assert out["normative_distance"] == pytest.approx(0.196)
    assert out["regime_class"] == "cooperative"


def test_fragmentation_synergistic_universal_core():
    w = bloc_world()
    w["engagement"][:, 0] = 1.0                    # everyone engages the UN ...
    w["positions"] = [0.0, 0.05, -0.05]            # ... and norms barely differ
    # w = c @ e = [20, 10, 8] -> s = (20, 10, 8)/38
    # F4 = 2 * (200*.05 + 160*.05 + 80*.1)/38^2 = 2 * 26/1444 = .036 < .15
    out = fragmentation(**w)
    assert out["normative_distance"] == pytest.approx(52 / 1444)
    assert out["core_deficit"] == 0.0
    assert out["regime_class"] == "synergistic"


# ====================================================================== AI divide
def test_ai_divide_hand_computed():
    c = np.array([0.1, 0.2, 0.5, 0.9])
    pop = np.array([4.0, 3.0, 2.0, 1.0])
    inc = np.array([0, 1, 2, 3])
    access = np.array([0.4, 0.5, 0.5, 0.5])
    adoption = np.array([0.25, 0.4, 1.0, 1.0])
    intensity = np.array([0.2, 0.5, 0.5, 0.8])
    out = ai_divide(c, pop, inc, compute=[6, 2, 1, 1], access=access, adoption=adoption, intensity=intensity)
    # gap = 1 - .1/.9 = 8/9 (ratio of means .9/.1 = 9 = 1/(1 - 8/9))
    assert out["gap_high_low"] == pytest.approx(8 / 9)
    assert out["gap_abs_high_low"] == pytest.approx(0.8)
    # North = the one high-income country (c .9); South pop-mean (4*.1 + 3*.2 + 2*.5)/9 = 2/9
    assert out["gap_north_south"] == pytest.approx(1 - (2 / 9) / 0.9)
    # access: pop-mean (4*.4 + 6*.5)/10 = .46 of the best .5
    assert out["access_gap"] == pytest.approx(1 - 0.46 / 0.5)
    # adoption: South pop-mean (4*.25 + 3*.4 + 2*1)/9 = 4.2/9 against the North's 1
    assert out["adoption_gap"] == pytest.approx(1 - 4.2 / 9)
    # intensity: South pop-mean (4*.2 + 3*.5 + 2*.5)/9 = 3.3/9 against the North's .8
    assert out["intensity_gap"] == pytest.approx(1 - (3.3 / 9) / 0.8)
    # shares (.6,.2,.1,.1): HHI = .36+.04+.01+.01 = .42; top-2 = .8
    assert out["compute_hhi"] == pytest.approx(0.42)
    assert out["compute_top2"] == pytest.approx(0.8)
    # population weights replicate [.1]*4 + [.2]*3 + [.5]*2 + [.9]
    assert out["gini_capability_pop"] == pytest.approx(direct_gini(np.repeat(c, [4, 3, 2, 1])))
    assert out["gini_capability"] == pytest.approx(direct_gini(c))
    assert out["ai_divide"] == out["gini_capability_pop"]
    # one country per group: all inequality is between groups
    assert out["theil_between_income"] == pytest.approx(1.0)


def _divide(c, pop, inc, compute, access=None, adoption=None):
    """ai_divide with access = adoption = intensity = capability unless given."""
    c = np.asarray(c, float)
    return ai_divide(c, pop, inc, compute, access=c if access is None else access,
                     adoption=c if adoption is None else adoption, intensity=c)


def test_ai_divide_edge_cases():
    pop = np.ones(3)
    # no low-income group -> gap 0; low ahead of high -> clipped to 0; high mean 0 -> 0
    assert _divide([0.1, 0.5, 0.9], pop, [1, 2, 3], [1, 1, 1])["gap_high_low"] == 0.0
    assert _divide([0.9, 0.5, 0.1], pop, [0, 2, 3], [1, 1, 1])["gap_high_low"] == 0.0
    assert _divide([0.5, 0.5, 0.0], pop, [0, 2, 3], [1, 1, 1])["gap_high_low"] == 0.0
    assert _divide([0.9, 0.5, 0.1], pop, [0, 2, 3], [1, 1, 1])["gap_abs_high_low"] == 0.0  # LIC ahead: clipped
    # no North or no South: the North-South and adoption gaps are 0; equal access: no access gap
    assert _divide([0.1, 0.5, 0.9], pop, [3, 3, 3], [1, 1, 1])["gap_north_south"] == 0.0
    assert _divide([0.1, 0.5, 0.9], pop, [0, 1, 2], [1, 1, 1])["adoption_gap"] == 0.0
    assert _divide([0.1, 0.5, 0.9], pop, [0, 1, 3], [1, 1, 1], access=np.full(3, 0.7))["access_gap"] == pytest.approx(0.0, abs=1e-12)
    # the South ahead of the North: clipped to 0, never negative
    assert _divide([0.9, 0.5, 0.1], pop, [0, 1, 3], [1, 1, 1])["gap_north_south"] == 0.0
    zero = _divide(np.zeros(3), pop, [0, 2, 3], np.zeros(3))
    assert all(v == 0.0 for v in zero.values())
    one = _divide([0.4], [7.0], [3], [5.0])  # single country
    assert one["compute_hhi"] == 1.0 and one["compute_top2"] == 1.0
    assert one["gini_capability_pop"] == 0.0


# ====================================================================== shared edge cases
EDGE_WORLDS = {
    # one forum (the UN), three countries
    "one_forum": dict(e=np.array([[1.0], [0.5], [0.0]]), univ=[True]),
    # everyone fully in every forum
    "everyone_everywhere": dict(e=np.ones((4, 3)), univ=[True, False, False]),
    # the BRICS column is all zero
    "empty_forum": dict(e=np.array([[1.0, 1, 0], [1, 0.5, 0], [0.2, 0, 0]]),
                        univ=[True, False, False]),
    # zero capability everywhere
    "zero_capability": dict(e=np.ones((3, 3)), univ=[True, False, False], cap=0.0),
    # zero total authority
    "zero_authority": dict(e=np.ones((3, 3)) * 0.5, univ=[True, False, False], auth=0.0),
    # a single country
    "single_country": dict(e=np.array([[1.0, 0.3, 0.0]]), univ=[True, False, False]),
}


def run_all(e, univ, cap=0.5, auth=1.0):
    n, k = e.shape
    univ = np.asarray(univ)
    st = np.where(e > 0, MEMBER, NONE).astype(np.int8)
    capability = np.full(n, cap)
    pop = np.arange(1.0, n + 1)
    inc = np.arange(n) % 4
    out = {}
    out.update({f"inc.{k_}": v for k_, v in inclusiveness(
        e, st, np.full(k, auth), univ, pop, inc).items()})
    out.update({f"frag.{k_}": v for k_, v in fragmentation(
        e, st, np.full(k, auth), capability, np.linspace(-1, 1, k), univ).items()})
    out.update({f"div.{k_}": v for k_, v in ai_divide(capability, pop, inc, e.sum(1), access=capability, adoption=capability, intensity=capability).items()})
    out["voice"] = voice(e, st, np.full(k, auth))
    return out


@pytest.mark.parametrize("name", EDGE_WORLDS)
def test_edge_worlds_stay_in_unit_interval(name):
    out = run_all(**EDGE_WORLDS[name])
    for key, value in out.items():
        if key == "frag.regime_class":
            assert value in {"synergistic", "cooperative", "conflictive"}
        else:
            assert np.all((np.asarray(value) >= 0) & (np.asarray(value) <= 1)), key


def test_edge_one_forum():
    one = run_all(**EDGE_WORLDS["one_forum"])
    assert one["frag.effective_forums"] == 0.0 and one["frag.normative_distance"] == 0.0
    # country 3 (a third of capability) skips the UN: F3 = 1/3 >= .2 -> cooperative
    assert one["frag.core_deficit"] == pytest.approx(1 / 3)
    assert one["frag.regime_class"] == "cooperative"
    assert one["inc.none_share"] == 1.0  # no club forums: vacuously party to none


def test_edge_everyone_everywhere():
    every = run_all(**EDGE_WORLDS["everyone_everywhere"])
    assert every["frag.modularity"] == pytest.approx(0.0, abs=1e-12)  # one bloc
    assert every["frag.effective_forums"] == pytest.approx(1.0)
    assert every["frag.bridging_deficit"] == pytest.approx(0.0)
    assert every["inc.none_share"] == 0.0 and every["inc.all_share"] == 1.0


def test_edge_empty_forum():
    # w = c @ e = .5 * [2.2, 1.5, 0]; an empty column counts in K, so F1 < 1
    empty = run_all(**EDGE_WORLDS["empty_forum"])
    s = np.array([2.2, 1.5]) / 3.7
    assert empty["frag.effective_forums"] == pytest.approx((1 / np.sum(s**2) - 1) / 2)


def test_edge_zero_capability():
    zero = run_all(**EDGE_WORLDS["zero_capability"])
    assert zero["frag.core_deficit"] == 0.0 and zero["div.ai_divide"] == 0.0
    assert zero["frag.effective_forums"] == 0.0 and zero["frag.bridging_deficit"] == 0.0


def test_edge_zero_authority_is_uniform():
    za = run_all(**EDGE_WORLDS["zero_authority"])
    uniform = run_all(**{**EDGE_WORLDS["zero_authority"], "auth": 1.0})
    # A = 1/3 each, 3 members with beta 1/3 and e = .5: sum V = 3 * (1/3)(1/3)(.5) * 3 = .5
    assert za["voice"].sum() == pytest.approx(0.5)
    np.testing.assert_allclose(za.pop("voice"), uniform.pop("voice"))
    assert za == pytest.approx(uniform)


def test_edge_single_country():
    single = run_all(**EDGE_WORLDS["single_country"])
    assert single["frag.modularity"] == 0.0 and single["div.gini_capability"] == 0.0
    assert single["frag.regime_class"] != "conflictive"  # needs two countries
    assert single["voice"][0] == pytest.approx((1.0 + 0.3) / 3)  # sole member: beta = 1


# ====================================================================== random bounds
def test_all_indices_in_unit_interval_on_random_inputs():
    rng = np.random.default_rng(0)
    for _ in range(300):
        n, k = int(rng.integers(1, 25)), int(rng.integers(1, 6))
        e = rng.random((n, k)) * (rng.random((n, k)) < 0.7)
        st = rng.integers(0, 4, size=(n, k)).astype(np.int8)
        authority = rng.random(k) * (rng.random() < 0.9)
        universal = rng.random(k) < 0.4
        cap = rng.random(n) * (rng.random() < 0.9)
        pop = rng.random(n) * 100 + 0.1
        inc = rng.integers(0, 4, size=n)
        positions = rng.uniform(-1, 1, k)
        v = voice(e, st, authority)
        assert np.all((v >= 0) & (v <= 1)) and v.sum() <= 1 + 1e-12
        values = [*inclusiveness(e, st, authority, universal, pop, inc).values(),
                  *ai_divide(cap, pop, inc, rng.random(n) * (rng.random() < 0.9), access=cap, adoption=cap, intensity=cap).values(),
                  gini(v, pop), theil_between_share(cap, inc)]
        frag = fragmentation(e, st, authority, cap, positions, universal)
        assert frag.pop("regime_class") in {"synergistic", "cooperative", "conflictive"}
        values += list(frag.values())
        for x in values:
            assert isinstance(x, float) and 0.0 <= x <= 1.0
        assert np.all(dominant_club(e, st, universal) <= k)


def test_gini_contributions_sum_to_the_gini_and_rank_the_outliers():
    from govsim.inequality import gini, gini_contributions

    rng = np.random.default_rng(3)
    values, weights = rng.random(50), rng.random(50) * 10
    shares = gini_contributions(values, weights)
    assert shares.sum() == pytest.approx(gini(values, weights)) and (shares >= 0).all()
    # two people: each holds half of the pair's difference
    assert gini_contributions([0.0, 1.0]).tolist() == pytest.approx([0.25, 0.25])
    assert gini_contributions([0.0, 0.0, 0.0]).tolist() == [0.0, 0.0, 0.0]
