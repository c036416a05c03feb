"""Compiled loops for the kernel (numba), for the modules whose per-country formulas run as one call.

A formula that numpy would evaluate in a dozen small array operations (each a call with its own
overhead, about a microsecond on 193 countries) runs as one compiled loop over the countries.
The loops do arithmetic only, in the order the formulas are written, so their numbers equal
numpy's bit for bit; ``exp``, ``log`` and powers stay numpy calls between them (numpy's vectorised
versions and the C library's differ in the last bit). Compiled code is cached next to the sources
(``__pycache__``), so only the first run after an install compiles.

numba's cache is renewed when the file of the compiled function changes, not when a function it
calls from another module does: a loop calls only helpers of its own module (``_maximum`` is
repeated in the modules that need it for this reason).
"""

from __future__ import annotations

from numba import guvectorize, njit


def loop(signature: str, layout: str):
    """``numba.guvectorize`` with one explicit ``signature`` and its core ``layout`` (``"(k),()->(k)"``),
    cached, as numpy's generalised ufunc itself: it broadcasts its loop dimensions like any ufunc,
    over one run's countries (N,) and a batch's (R, N), and calls without numba's Python wrapper."""
    def compile_(function):
        return _cached(lambda cache: guvectorize([signature], layout, cache=cache)(function)).ufunc
    return compile_


def function(*signature: str):
    """``numba.njit`` (with an optional explicit ``signature``), cached: for the helpers a module's
    loops call, and loops over a whole array."""
    def compile_(python_function):
        return _cached(lambda cache: njit(*signature, cache=cache)(python_function))
    return compile_


def _cached(make):
    """``make(cache=True)``, or ``make(cache=False)`` where numba finds no writable folder for its cache
    (neither the package's ``__pycache__`` nor its user cache folder; ``NUMBA_CACHE_DIR`` chooses one):
    the loops are then compiled in memory at each start, rather than the import failing."""
    try:
        return make(True)
    except RuntimeError as error:
        if "no locator available" not in str(error):
            raise
        return make(False)

