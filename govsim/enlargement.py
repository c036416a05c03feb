"""Enlargement of an expanding club (BRICS): institutions from the record, identities from the model.

The record (``ForumSpec``: ``partner_tier_from``, ``enlargement_calendar``, ``recorded_applicants``,
``projected_partners``, ``projected_promotions``; govsim/data/brics_record.csv) fixes *when* the club
enlarges, *how many* it takes and *who had applied*; the model decides *who* is taken: the members
rank the applicants they all accept by a political score (regional weight, closeness to the club,
sanctions exposure), not by capability, and an invited applicant for whom joining no longer pays
declines. After the record, countries apply for the motives the sources name (the joining gain in
utility, which holds the ties to members through the network term, plus sanctions exposure and
development-finance need), behind the club's alignment gate. docs/ODD.md §7.7 gives the equations.

Pure functions on the state (one run's, or a batch's stacked arrays); ``govsim.membership`` runs the
review, ``govsim.admission`` its admissions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from govsim.codes import HIGH_INCOME
from govsim.compiled import loop
from govsim.config.behaviour import Enlargement
from govsim.config.forums import ForumSpec
from govsim.rows import column
from govsim.state import State

UNLIMITED = 10**6  # slots of a club without a calendar: every accepted seasoned partner is promoted


@dataclass(frozen=True)
class Slots:
    """What one review may do: how many become members and partners, and under which regime."""

    members: int  # promotions of seasoned partners, then (``direct``) applicants made members at once
    partners: int  # applicants made partners (0 without a partner tier)
    recorded: bool  # the review falls within the record: the pool is the recorded applicants
    tier: bool  # the partner tier exists
    direct: bool  # applicants may become members at once (before the tier, or within the record)


def slots(spec: ForumSpec, year: float, review_years: float, pace: tuple[float, float] | None = None) -> Slots:
    """The admissions allowed at a review at calendar time ``year``.

    A review covers the calendar years Y with floor(year - review_years) < Y <= floor(year), so
    with yearly reviews each year's slots are used once whatever the review interval. Within the
    calendar the slots are the record's; after its last year L they are the projection quotas
    floor(r (Y - L)) - floor(r (Y - 1 - L)), r = projected_partners or projected_promotions (or
    ``pace`` = (partners, promotions) a year, as an ``enlargement_pace`` lever sets them).
    A club without a calendar admits max_admissions partners per review and promotes every
    accepted seasoned partner (the rules before the record was modelled); before its partner
    tier, if it has one, it admits max_admissions members per review.
    """
    tier = year >= spec.tier_year - 1e-9
    if not spec.enlargement_calendar:
        most = int(spec.max_admissions)
        return Slots(UNLIMITED if tier else most, most if tier else 0, False, tier, not tier)
    calendar, last = spec.enlargement_calendar, max(spec.enlargement_calendar)
    years = range(math.floor(year - review_years + 1e-9) + 1, math.floor(year + 1e-9) + 1)
    partner_rate, promotion_rate = pace if pace is not None else (spec.projected_partners, spec.projected_promotions)
    members = sum(calendar.get(y, (0, 0))[0] if y <= last else _quota(promotion_rate, y - last) for y in years)
    partners = sum(calendar.get(y, (0, 0))[1] if y <= last else _quota(partner_rate, y - last) for y in years)
    recorded = math.floor(year + 1e-9) <= last
    return Slots(members, partners if tier else 0, recorded, tier, recorded or not tier)


def _quota(rate: float, years_after: int) -> int:
    """New slots in the ``years_after``-th year after the record at ``rate`` per year (cumulative, rounded down)."""
    return math.floor(rate * years_after + 1e-9) - math.floor(rate * (years_after - 1) + 1e-9)


def recorded_pool(s: State, spec: ForumSpec) -> np.ndarray:
    """(N,) True for the recorded applicants of the current year and earlier (codes absent from the world ignored)."""
    year = math.floor(s.year + 1e-9)
    codes = {code for y, listed in spec.recorded_applicants.items() if y <= year for code in listed}
    return np.array([code in codes for code in s.iso3.tolist()], dtype=bool)  # a set lookup per country (np.isin sorts strings)


def regions(s: State) -> np.ndarray:
    """(N,) integer region of each country (one region where the state has none); worked out once per
    ``s.region`` array (the regions never change during a run)."""
    cached = getattr(s, "region_codes", None)
    if cached is not None and cached[0] is s.region:
        return cached[1]
    region = s.region if s.region is not None and len(s.region) == s.n else np.zeros(s.n)
    codes = np.unique(np.asarray(region).astype(str), return_inverse=True)[1]
    s.region_codes = (s.region, codes)
    return codes


def regional_weight(s: State) -> np.ndarray:
    """(N,) a country's share of its region's GDP plus its share of the region's population (in [0, 2]);
    (R, N) for a batch of replicates, each its own region totals."""
    which = regions(s)
    return _share(s.gdp_pc * s.population, which) + _share(s.population, which)


def _share(values: np.ndarray, which: np.ndarray) -> np.ndarray:
    if values.ndim > 1:  # a batch: replicate r's regions are bins r * bins .. r * bins + bins - 1, summed in
        bins = int(which.max()) + 1 if which.size else 1  # the order of one run's (so to the same bits)
        which = which + bins * np.arange(values.shape[0])[:, None]
        totals = np.bincount(which.ravel(), weights=values.ravel(), minlength=bins * values.shape[0])
    else:
        totals = np.bincount(which, weights=values)
    return values / np.maximum(totals[which], 1e-300)


def exposure(s: State) -> np.ndarray:
    """(N,) sanctions exposure in [0, 1]: 1 in export-control Tier 3, else the share of compute demand caps block."""
    return np.maximum((s.tier == 3).astype(float), np.minimum(np.maximum(s.policy.blocked, 0.0), 1.0))


def finance_need(s: State) -> np.ndarray:
    """(N,) development-finance need: (3 - income group)/3, 1 for low income, 0 for high income."""
    return (HIGH_INCOME - s.income_group.astype(float)) / HIGH_INCOME


def political_score(s: State, position: float, alignment_weight: float, e: Enlargement,
                    weight: np.ndarray | None = None, exposed: np.ndarray | None = None) -> np.ndarray:
    """(N,) how the members rank candidates they all accept (higher first):
    S_a = regional_weight * (GDP share + population share in its region)
          - alignment_weight * |x_a - x_k| + sanctions_weight * exposure_a,
    with alignment_weight = e.alignment_weight for membership and e.partner_alignment_weight for
    the partner tier (members bring weight and a vote; partners, without a vote, closeness).
    ``weight``, ``exposed``: :func:`regional_weight` and :func:`exposure`, if the caller has them.
    A batch's (R, N) state gives (R, N) scores (``position`` and the weights numbers or (R, 1) columns)."""
    weight = regional_weight(s) if weight is None else weight
    exposed = exposure(s) if exposed is None else exposed
    return e.regional_weight * weight - alignment_weight * np.abs(s.alignment - position) + e.sanctions_weight * exposed


def alignment_gate(alignment: np.ndarray, positions: np.ndarray, clubs: np.ndarray, k: int, radius: float) -> np.ndarray:
    """(N,) who may apply to club k: within ``radius`` of its position and no nearer to another of the
    ``clubs`` (the caller passes k and the closed clubs, the other pole: a country on the G7's side does
    not apply, however far the positions converge; another expanding club, e.g. a new WAICO, is no pole).
    A batch: alignment (R, N), positions (R, K), radius a number or an (R, 1) column; gives (R, N).
    One compiled call (:mod:`govsim.compiled`): d_l = |x_i - x_l|, d_k <= radius and d_k <= min over
    the clubs of d_l + 1e-12."""
    return _gate(alignment, positions[..., None, :] if positions.ndim > 1 else positions, clubs, k, radius)


@njit(inline="always")
def _minimum(a, b):  # pragma: no cover
    """``np.minimum`` of two numbers in a compiled loop (NaN if either is). Kept in this module: numba
    renews a loop's cache only when its own file changes."""
    return a if a < b or a != a else b


@njit(inline="always")
def _maximum(a, b):  # pragma: no cover
    """``np.maximum`` of two numbers in a compiled loop (NaN if either is, ``b`` on a tie)."""
    return a if a > b or a != a else b


@loop("void(float64, float64[:], boolean[:], int64, float64, boolean[:])", "(),(k),(k),(),()->()")
def _gate(x, positions, clubs, k, radius, out):  # pragma: no cover
    """One country of :func:`alignment_gate` (the nearest club NaN if any distance is, as numpy's min)."""
    nearest = np.inf
    for pole in range(positions.shape[0]):
        if clubs[pole]:
            nearest = _minimum(nearest, abs(x - positions[pole]))
    own = abs(x - positions[k])
    out[0] = own <= radius and own <= nearest + 1e-12


def application_motive(gain: np.ndarray, s: State, e: Enlargement) -> np.ndarray:
    """(N,) a country's motive to apply after the record: the joining gain in the logit option value
    (access, voice, the network of like-aligned members, distance, cost) plus sanctions exposure and
    development-finance need: M_i = G_i + apply_sanctions * exposure_i + apply_finance * need_i
    (:func:`exposure`, :func:`finance_need`; one compiled call)."""
    return _motive(gain, s.tier, s.policy.blocked, s.income_group, column(e.apply_sanctions), column(e.apply_finance))


@loop("void(float64, int8, float64, int8, float64, float64, float64[:])", "(),(),(),(),(),()->()")
def _motive(gain, tier, blocked, income_group, sanctions, finance, out):  # pragma: no cover
    """One country of :func:`application_motive`, with :func:`exposure` and :func:`finance_need` as numpy
    works them out."""
    exposed = _maximum(1.0 if tier == 3 else 0.0, _minimum(_maximum(blocked, 0.0), 1.0))
    need = (HIGH_INCOME - float(income_group)) / HIGH_INCOME
    out[0] = gain + sanctions * exposed + finance * need

