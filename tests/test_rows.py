"""The per-row helpers of govsim/rows.py equal the numpy reductions they replace, bit for bit."""

import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from govsim import rows

finite = st.floats(-1e12, 1e12, allow_nan=False, width=64) | st.sampled_from([0.0, -0.0, 1e-300, -1e-300])


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(1, 9), st.sampled_from([(), (3,), (2, 4)]))
def test_forum_sum_and_max_equal_numpy_bit_for_bit(data, k, lead):
    x = data.draw(arrays(np.float64, (*lead, 5, k), elements=finite))
    assert np.array_equal(rows.forum_sum(x).view(np.int64), x.sum(axis=-1).view(np.int64))
    assert np.array_equal(rows.forum_max(x), x.max(axis=-1))


def test_forum_sum_adds_left_to_right_like_numpy():
    # (1 + 1e16) - 1e16 = 0 left to right, but 1 + (1e16 - 1e16) = 1: the order shows in the result
    x = np.array([[1.0, 1e16, -1e16]])
    assert rows.forum_sum(x)[0] == x.sum(axis=-1)[0] == 0.0


def test_at_picks_each_rows_value():
    x = np.arange(12.0).reshape(3, 4)
    i = np.array([[3], [0], [2]])
    assert np.array_equal(rows.at(x, i), np.take_along_axis(x, i, axis=-1))
    assert rows.at(x[1], 2) == 6.0
