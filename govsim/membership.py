"""Club membership reviews: outreach, applications, consensus admission, promotion, exits.

Run at every review (annual by default). Countries compare utilities computed from the same
snapshot; all random draws are made in full arrays so that their number never depends on
outcomes (common random numbers across scenarios).

One run's arrays are (N,) and (N, K). A batch of R replicates (govsim/replicates.py) passes its
stacked (R, N) and (R, N, K) arrays, its (R, K) forum arrays, its behaviour (numbers that differ
between replicates as columns: ``replicates.stack_behaviour``) and its Generators as one
(``rng.random`` draws each replicate's own, as its single run does). Every step is done for all
replicates at once, club by club in the single run's order (a replicate's review reads only its
own rows, so working on all rows together changes nothing), with the same arithmetic as one run:
exits, outreach, the alignment gate, the motives and applications as compiled loops over the
countries (:mod:`govsim.compiled`: comparisons and arithmetic only, in the order of the numpy
formulas, which tests/test_fused_membership.py checks them against), the joining gains with numpy's
exp and log, admissions in one compiled call per club (govsim/admission.py).
"""

from __future__ import annotations

import numpy as np

from govsim.config.behaviour import Behaviour
from govsim import enlargement
from govsim.admission import admit, at, cell, club, entry_change  # noqa: F401 -- admit: membership.admit
from govsim.decision import network_share, option_value, utilities_under
from govsim.forums import ForumSet, capability_mass
from govsim.rows import column
from govsim.codes import APPLICANT, NONE, PARTNER
from govsim.compiled import function, loop
from govsim.state import State


def review(s: State, forums: ForumSet, b: Behaviour, rng: np.random.Generator,
           scored: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """One membership review of every club forum, in place (of every replicate of a batch at once).

    Cells locked by a ``forum_change`` in force (``policy.locked``) take no part: no exit, offer,
    application, admission or promotion changes them. ``scored``: :func:`review_utilities` of this
    state, if the caller has them.
    """
    clubs = ~forums.universal
    u_join, u_now = review_utilities(s, forums, b) if scored is None else scored
    # draws[2] is not used, but stays drawn: dropping it would shift every later draw from the
    # generator and so change every run's results. A batch's draws are (R, 3, N, K).
    draws = rng.random((3, s.n, len(forums.names)))
    leave(s, clubs, u_now, b, draws[..., 0, :, :])
    for k in np.flatnonzero(clubs):
        if forums.rule[k] == "closed_club":
            outreach(s, forums, k, u_join[..., k], b)
        else:
            enlarge(s, forums, k, (u_now, u_join, s.eligible(forums.universal)), b, draws[..., 1, :, k])


def review_utilities(s: State, forums: ForumSet, b: Behaviour) -> tuple[np.ndarray, np.ndarray]:
    """(U as a partner of every club, U with the current status): what a review compares, (N, K)
    (or (R, N, K) for a batch of replicates)."""
    view = forums.view()
    hypothetical = np.where(~forums.universal, np.maximum(s.status, PARTNER), s.status)
    network = network_share(s.alignment, s.engagement, b.decision.network_bandwidth)  # the same for both statuses
    u_join, u_now = utilities_under(s, view, b.decision, [hypothetical, s.status], network)  # the same members: one call
    return u_join, u_now


def leave(s: State, clubs: np.ndarray, u_now: np.ndarray, b: Behaviour, draw: np.ndarray) -> None:
    """Internal stability: members/partners whose club utility falls exit_threshold below the outside
    option leave with probability p_exit (one compiled call, :func:`_unhappy`)."""
    floor = cell(b.decision.outside_utility) - cell(b.membership.exit_threshold)
    unhappy = _unhappy(s.status, clubs, u_now, floor, draw, cell(b.membership.p_exit), s.policy.locked)
    s.status[unhappy] = NONE
    s.partner_since[unhappy] = np.nan


@loop("void(int8, boolean, float64, float64, float64, float64, boolean, boolean[:])", "(),(),(),(),(),(),()->()")
def _unhappy(status, club, u_now, floor, draw, p_exit, locked, out):  # pragma: no cover
    """One (country, forum) cell of :func:`leave`: inside a club (partner or member), U below the floor,
    the draw below p_exit, not locked."""
    out[0] = status >= PARTNER and club and u_now < floor and draw < p_exit and not locked


def outreach(s: State, forums: ForumSet, k: int, u_join: np.ndarray, b: Behaviour) -> None:
    """A closed club offers partnership to close, capable states that gain from accepting (one compiled call)."""
    offer = _offered(s.status[..., k], s.alignment, club(forums.position, k), club(forums.spec["outreach_radius"], k),
                     s.standing, club(forums.spec["outreach_min_capability"], k), u_join,
                     column(b.decision.outside_utility), s.policy.locked[..., k])
    s.status[..., k][offer] = PARTNER
    s.partner_since[..., k][offer] = s.year


@loop("void(int8, float64, float64, float64, float64, float64, float64, float64, boolean, boolean[:])",
      "(),(),(),(),(),(),(),(),()->()")
def _offered(status, x, x_k, radius, standing, least, u_join, outside, locked, out):  # pragma: no cover
    """One country of :func:`outreach`: no status, |x - x_k| <= radius, standing >= the least capability,
    U as a partner above the outside option, not locked."""
    out[0] = status == NONE and abs(x - x_k) <= radius and standing >= least and u_join > outside and not locked


def enlarge(s: State, forums: ForumSet, k: int, scored: tuple[np.ndarray, np.ndarray, np.ndarray], b: Behaviour,
            draw: np.ndarray) -> None:
    """An expanding club's review (govsim/enlargement.py): applications, then admissions.

    Within the record the recorded applicants still outside are the pool; after it, countries that
    pass the alignment gate (``enlargement.alignment_gate``) apply for the motives of
    ``enlargement.application_motive``. ``scored``: (U now, U as a partner, eligible) for the joining
    gains (:func:`_joining_gain`), worked out for the countries whose gain matters: those that may
    apply and the applicants (whom admission may invite).
    """
    spec, status, free = forums.specs[k], s.status[..., k], ~s.policy.locked[..., k]
    quota = _slots(forums, k, s.year, b.membership.review_years)
    if (quota[0] if isinstance(quota, list) else quota).recorded:  # the record's years are every replicate's
        status[enlargement.recorded_pool(s, spec) & (status == NONE) & free] = APPLICANT
        gain = _joining_gain(*scored, k, b, free & (status == APPLICANT))
    else:
        poles = (forums.rule == "closed_club") | (np.arange(len(forums.names)) == k)  # the other pole: closed clubs
        close = enlargement.alignment_gate(s.alignment, forums.position, poles, k, club(forums.spec["apply_radius"], k))
        gain = _joining_gain(*scored, k, b, _may_join(status, s.policy.locked[..., k], close))
        apply_to_join(s, k, close, enlargement.application_motive(gain, s, b.enlargement), b, draw)
    admit(s, forums, k, b, quota, gain)


def _slots(forums: ForumSet, k: int, year: float, review_years: float) -> enlargement.Slots | list[enlargement.Slots]:
    """Club k's slots at this review (``enlargement.slots``); a batch's, one per replicate (``enlargement_pace``
    may set each replicate's own; each distinct pace worked out once: :func:`_slots_of`)."""
    spec, partners, promotions = forums.specs[k], forums.spec["projected_partners"], forums.spec["projected_promotions"]
    if partners.ndim == 1:
        return _slots_of(spec, year, review_years, (partners[k], promotions[k]))
    return [_slots_of(spec, year, review_years, pace) for pace in zip(partners[:, k], promotions[:, k])]


#: (id(spec), year, review_years, pace) -> (spec, its Slots): every run reviews the same years, so a
#: review's slots are worked out once (the spec is kept with them: its id is not reused while cached).
_SLOTS: dict = {}


def _slots_of(spec, year: float, review_years: float, pace: tuple) -> enlargement.Slots:
    """``enlargement.slots`` of a (frozen) spec, remembered."""
    key = (id(spec), year, review_years, pace)
    hit = _SLOTS.get(key)
    if hit is None or hit[0] is not spec:
        if len(_SLOTS) > 4096:
            _SLOTS.clear()
        hit = _SLOTS[key] = (spec, enlargement.slots(spec, year, review_years, pace))
    return hit[1]


@loop("void(int8, boolean, boolean, boolean[:])", "(),(),()->()")
def _may_join(status, locked, close, out):  # pragma: no cover
    """Whose joining gain matters after the record: not locked, and an applicant (admission may invite it)
    or, close to the club, without status (it may apply)."""
    out[0] = not locked and (status == APPLICANT or (close and status == NONE))


def apply_to_join(s: State, k: int, close: np.ndarray, motive: np.ndarray, b: Behaviour, draw: np.ndarray) -> None:
    """Outsiders that pass the gate (``close``) and whose motive to join exceeds kappa apply (with
    probability p_apply): one compiled call (:mod:`govsim.compiled`)."""
    keen = _keen(s.status[..., k], s.policy.locked[..., k], close, motive, column(b.membership.apply_threshold), draw,
                 column(b.membership.p_apply))
    s.status[..., k][keen] = APPLICANT


@loop("void(int8, boolean, boolean, float64, float64, float64, float64, boolean[:])", "(),(),(),(),(),(),()->()")
def _keen(status, locked, close, motive, threshold, draw, p_apply, out):  # pragma: no cover
    """One country of :func:`apply_to_join`: free (no status, not locked), close, motive > threshold, draw < p_apply."""
    out[0] = status == NONE and not locked and close and motive > threshold and draw < p_apply


def _entry_change(s: State, forums: ForumSet, k: int, candidates: np.ndarray, members: np.ndarray, b: Behaviour) -> np.ndarray:
    """(candidates, members) change in each member's access and distance terms from a new partner,
    in one run (``admission.entry_change``, which a review works out for all replicates at once)."""
    d = b.decision
    return entry_change((capability_mass(s) * s.budget)[candidates][:, None] / 2, s.standing[candidates][:, None],
                        s.alignment[candidates][:, None], s.standing[members][None, :], s.alignment[members][None, :],
                        forums.pool[k], forums.level[k], forums.position[k], forums.spec["tech_access"][k],
                        forums.depth[k], d.w_access, d.w_distance)


def _joining_gain(u_now: np.ndarray, u_join: np.ndarray, eligible: np.ndarray, k: int, b: Behaviour,
                  needed: np.ndarray) -> np.ndarray:
    """(N,) gain in the logit option value from adding club k (as a partner) to one's choice set
    ((R, N) for a batch), for the countries ``needed`` (NaN for the others: each country's gain is
    worked out from its own row, so leaving rows out changes no other). Replicates with their own
    outside utility or temperature are worked out one by one."""
    d, gain, width = b.decision, np.full(needed.shape, np.nan), u_now.shape[-1]
    if isinstance(d.outside_utility, np.ndarray) or isinstance(d.temperature, np.ndarray):
        for r, rows in enumerate(needed):
            outside, temperature = at(d.outside_utility, r), at(d.temperature, r)
            gain[r, rows] = _gain(u_now[r], u_join[r], eligible[r], rows, k, outside, temperature)
    else:
        gain[needed] = _gain(u_now.reshape(-1, width), u_join.reshape(-1, width), eligible.reshape(-1, width),
                             needed.reshape(-1), k, d.outside_utility, d.temperature)
    return gain


def _gain(u_now: np.ndarray, u_join: np.ndarray, eligible: np.ndarray, needed: np.ndarray, k: int, outside: float,
          temperature: float) -> np.ndarray:
    """(M,) the joining gains of the M ``needed`` rows of (N, K) utilities: the option value with club k
    (U as a partner in k) less the one without, both in one call on the rows stacked twice (each row's
    value is worked out from that row alone, and numpy's exp and log give an element the same bits
    wherever it lies)."""
    u, choices = _stacked(u_now, u_join, eligible, needed, k)
    value = option_value(u, choices, outside, temperature)
    m = len(value) // 2
    return value[:m] - value[m:]


@function()
def _stacked(u_now, u_join, eligible, needed, k):  # pragma: no cover
    """The ``needed`` rows twice, (2M, K): U now with U as a partner in k, and the forums one may engage
    in, first with k, then without."""
    m = 0
    for i in range(needed.size):
        m += needed[i]
    u, choices = np.empty((2 * m, u_now.shape[1])), np.empty((2 * m, u_now.shape[1]), np.bool_)
    row = 0
    for i in range(needed.size):
        if needed[i]:
            for column in range(u_now.shape[1]):
                value = u_join[i, column] if column == k else u_now[i, column]
                u[row, column], u[m + row, column] = value, value
                choices[row, column] = choices[m + row, column] = eligible[i, column]
            choices[row, k], choices[m + row, k] = True, False
            row += 1
    return u, choices
