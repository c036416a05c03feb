"""The compiled consensus term of govsim/admission.py (``entry_change``) and the compiled ``maximum``
give numpy's numbers bit for bit (the reference is the numpy formula of the kernel before issue 14's
third round)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from numba import guvectorize

from govsim import admission, decision
from govsim.admission import entry_change


def reference(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance):
    share = w_a / np.maximum(pool + w_a, 1e-12)
    new_level = level + share * (c_a - level)
    new_x = x_k + share * (x_a - x_k)
    access = tech_access * (np.maximum(new_level - c_j, 0.0) - np.maximum(level - c_j, 0.0))
    distance = depth * (np.abs(x_j - new_x) - np.abs(x_j - x_k))
    return w_access * access - w_distance * distance


unit = st.floats(0, 1)
column = arrays(float, (6, 1), elements=unit)
row = arrays(float, (1, 4), elements=st.floats(-1, 1))


@settings(max_examples=80, deadline=None)
@given(w_a=column, c_a=column, x_a=column, c_j=row, x_j=row, club=st.lists(unit, min_size=5, max_size=5),
       weights=st.lists(st.floats(0, 20), min_size=2, max_size=2), per_pair=st.booleans())
def test_entry_change_equals_the_numpy_formula(w_a, c_a, x_a, c_j, x_j, club, weights, per_pair):
    w_access = np.full((6, 1), weights[0]) if per_pair else weights[0]  # a batch's per-replicate column, or a number
    args = (w_a, c_a, x_a, c_j, x_j, *club, w_access, weights[1])
    np.testing.assert_array_equal(entry_change(*args), reference(*args))


def test_the_compiled_maximum_is_numpys_nan_included():
    a = np.array([np.nan, 0.0, 1.0, -np.inf, np.nan, 2.0, -0.0, 0.0])
    b = np.array([0.0, np.nan, 2.0, -np.inf, np.nan, -1.0, 0.0, -0.0])
    for module in (admission, decision):
        helper = module._maximum

        def pair(x, y, out):
            out[0] = helper(x, y)

        compiled = guvectorize(["void(float64, float64, float64[:])"], "(),()->()")(pair)  # not cached: always today's helper
        with np.errstate(invalid="ignore"):  # a compared NaN raises the flag in compiled code (never in a run: finite inputs)
            got, want = compiled(a, b), np.maximum(a, b)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))  # the sign of a zero too

