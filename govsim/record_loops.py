"""Compiled copies of a step's state into the run's preallocated records (numba), one call a step each.

Recording a step used to be ~40 small numpy copies and checks (each a call with its own overhead,
about a microsecond on 193 countries): the trace's rows (:mod:`govsim.trace`), the country
snapshots (:mod:`govsim.country_rows`) and the forum rows (:mod:`govsim.record`). Each is now one
compiled call that copies the values as they are (bit for bit) and, for the forums, counts
integers (the same counts in any order). A state is one run's ((N,), (N, K), (K,) arrays) or a
batch's (the same with a leading replicate axis, govsim/replicates.py): the loops view either as
``count`` replicates (``count`` = 1 for one run).

The loops call only helpers of this module (numba's cache is renewed when this file changes, not
when another module's helper does: govsim/compiled.py).
"""

from __future__ import annotations

import math

import numpy as np

from govsim.compiled import function


@function()
def trace_rows(floats, engagement, status, income, authority, position, active, first, stride, count,
               gdp_pc, compute, readiness, capability, alignment, frontier_access, adoption, intensity, population,
               s_engagement, s_status, s_income, s_authority, s_position, s_active):
    """Copy a step's state into rows ``first``, ``first + stride``, ... (``count`` of them: one per
    replicate) of a trace's buffers (:class:`govsim.trace.Trace`; ``floats`` holds the variables of
    ``govsim.trace.FLOATS``, in that order); whether the checked ones (the first five floats and
    the engagement) are all finite."""
    rows, n, k = engagement.shape[0], engagement.shape[1], engagement.shape[2]
    finite = _copy_finite(floats[0], _rows(gdp_pc, count, n), first, stride)
    finite &= _copy_finite(floats[1], _rows(compute, count, n), first, stride)
    finite &= _copy_finite(floats[2], _rows(readiness, count, n), first, stride)
    finite &= _copy_finite(floats[3], _rows(capability, count, n), first, stride)
    finite &= _copy_finite(floats[4], _rows(alignment, count, n), first, stride)
    _copy(floats[5], _rows(frontier_access, count, n), first, stride)
    _copy(floats[6], _rows(adoption, count, n), first, stride)
    _copy(floats[7], _rows(intensity, count, n), first, stride)
    _copy(floats[8], _rows(population, count, n), first, stride)
    finite &= _copy_finite(engagement.reshape((rows, n * k)), _rows(s_engagement, count, n * k), first, stride)
    _copy(status.reshape((rows, n * k)), _rows(s_status, count, n * k), first, stride)
    _copy(income, _rows(s_income, count, n), first, stride)
    _copy(authority, _rows(s_authority, count, k), first, stride)
    _copy(position, _rows(s_position, count, k), first, stride)
    _copy(active, _rows(s_active, count, k), first, stride)
    return finite


@function()
def country_rows(floats, codes, engagement, status, row, count, capability, access, adoption, intensity, lag,
                 internet, skills, population, readiness, gdp_pc, alignment, compute, tier, income,
                 s_engagement, s_status):
    """Copy a step's country arrays into row ``row`` of each of ``count`` replicates' snapshots
    (:class:`govsim.country_rows.Block`: ``floats`` (12, R, capacity, N) in the order of the
    arguments, ``codes`` (2, R, capacity, N): tier and income group, ``engagement`` and ``status``
    (R, capacity, N, K)); replicate r's row is ``r * capacity + row`` of each buffer seen as rows."""
    capacity, n, k = engagement.shape[1], engagement.shape[2], engagement.shape[3]
    rows = count * capacity
    _copy(floats[0].reshape((rows, n)), _rows(capability, count, n), row, capacity)
    _copy(floats[1].reshape((rows, n)), _rows(access, count, n), row, capacity)
    _copy(floats[2].reshape((rows, n)), _rows(adoption, count, n), row, capacity)
    _copy(floats[3].reshape((rows, n)), _rows(intensity, count, n), row, capacity)
    _copy(floats[4].reshape((rows, n)), _rows(lag, count, n), row, capacity)
    _copy(floats[5].reshape((rows, n)), _rows(internet, count, n), row, capacity)
    _copy(floats[6].reshape((rows, n)), _rows(skills, count, n), row, capacity)
    _copy(floats[7].reshape((rows, n)), _rows(population, count, n), row, capacity)
    _copy(floats[8].reshape((rows, n)), _rows(readiness, count, n), row, capacity)
    _copy(floats[9].reshape((rows, n)), _rows(gdp_pc, count, n), row, capacity)
    _copy(floats[10].reshape((rows, n)), _rows(alignment, count, n), row, capacity)
    _copy(floats[11].reshape((rows, n)), _rows(compute, count, n), row, capacity)
    _copy(codes[0].reshape((rows, n)), _rows(tier, count, n), row, capacity)
    _copy(codes[1].reshape((rows, n)), _rows(income, count, n), row, capacity)
    _copy(engagement.reshape((rows, n * k)), _rows(s_engagement, count, n * k), row, capacity)
    _copy(status.reshape((rows, n * k)), _rows(s_status, count, n * k), row, capacity)


@function()
def forum_row(counts, values, row, count, threshold, member, partner, applicant, s_status, s_engagement,
              position, authority, pool):
    """Each forum's members, partners, applicants and engaged countries (engagement at least
    ``threshold``), counted, and its position, authority and pool copied, into row ``row`` of each
    of ``count`` replicates' forum rows (``counts`` (4, R, capacity, K) in that order, ``values``
    (3, R, capacity, K))."""
    k = counts.shape[3]
    n = s_status.size // (count * k) if count * k else 0
    s_status, s_engagement = _rows(s_status, count, n, k), _rows(s_engagement, count, n, k)
    position, authority, pool = _rows(position, count, k), _rows(authority, count, k), _rows(pool, count, k)
    for r in range(count):
        for j in range(k):
            members = partners = applicants = engaged = 0
            for i in range(n):
                code = s_status[r, i, j]
                members += code == member
                partners += code == partner
                applicants += code == applicant
                engaged += s_engagement[r, i, j] >= threshold
            counts[0, r, row, j], counts[1, r, row, j], counts[2, r, row, j], counts[3, r, row, j] = (
                members, partners, applicants, engaged)
            values[0, r, row, j], values[1, r, row, j], values[2, r, row, j] = position[r, j], authority[r, j], pool[r, j]


@function()
def _copy(out, source, first, stride):
    """Row r of ``source`` (replicates, m) into row ``first + r * stride`` of ``out`` (rows, m)."""
    for r in range(source.shape[0]):
        row = first + r * stride
        for i in range(source.shape[1]):
            out[row, i] = source[r, i]


@function()
def _copy_finite(out, source, first, stride):
    """:func:`_copy`, and whether every value copied is finite (neither NaN nor infinite)."""
    finite = True
    for r in range(source.shape[0]):
        row = first + r * stride
        for i in range(source.shape[1]):
            value = source[r, i]
            out[row, i] = value
            finite &= math.isfinite(value)
    return finite


@function()
def _rows(source, *shape):
    """``source`` seen as an array of ``shape`` (its values in order; a copy only if it is not contiguous)."""
    return np.ascontiguousarray(source).reshape(shape)
