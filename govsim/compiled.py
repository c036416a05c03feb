"""Compiled loops for the kernel (numba), for the modules whose per-country formulas run as one call.

A formula that numpy would evaluate in a dozen small array operations (each a call with its own
overhead, about a microsecond on 193 countries) runs as one compiled loop over the countries.
The loops do arithmetic only, in the order the formulas are written, so their numbers equal
numpy's bit for bit; ``exp``, ``log`` and powers stay numpy calls between them (numpy's vectorised
versions and the C library's differ in the last bit). Compiled code is cached next to the sources
(``__pycache__``), so only the first run after an install compiles.
"""

from __future__ import annotations

from numba import guvectorize, njit


def loop(signature: str, layout: str):
    """``numba.guvectorize`` with one explicit ``signature`` and its core ``layout`` (``"(k),()->(k)"``),
    cached, as numpy's generalised ufunc itself: it broadcasts its loop dimensions like any ufunc,
    over one run's countries (N,) and a batch's (R, N), and calls without numba's Python wrapper."""
    def compile_(function):
        return guvectorize([signature], layout, cache=True)(function).ufunc
    return compile_


@njit(inline="always")
def maximum(a, b):  # pragma: no cover
    """``np.maximum`` of two numbers inside a compiled loop: NaN if either is NaN, as numpy gives
    (Python's ``max`` would drop a NaN in second place). A NaN compared sets the invalid-operation
    flag, which numpy reports as a RuntimeWarning after a compiled loop (np.maximum does not): the
    kernel's inputs are finite (checked every step), so it never does."""
    return a if a >= b or a != a else b
