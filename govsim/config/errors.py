"""The one error type for bad input, and the helpers that keep its message one short line.

Every value an error quotes goes through :func:`shown`, so a 20 000-character override or an
exploding YAML alias cannot make a long message; :class:`ScenarioError` itself guarantees one
line of at most :data:`MAX_MESSAGE` characters, whoever raises it.
"""

from __future__ import annotations

import reprlib

MAX_MESSAGE = 500  # characters in one error message, at most
MAX_VALUE = 120  # characters of one quoted value, at most

_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlong = MAX_VALUE, MAX_VALUE, 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 3


class ScenarioError(ValueError):
    """A scenario, override or world table is invalid; the message says what to change.

    The message is one line (line breaks become '; ') cut to MAX_MESSAGE characters.
    ``problems`` holds each problem of a validation on its own (validate-config lists them all).
    """

    def __init__(self, message: object = "", problems: list[str] | None = None):
        super().__init__(shorten(one_line(str(message)), MAX_MESSAGE))
        self.problems = [shorten(one_line(p), MAX_MESSAGE) for p in problems] if problems else [self.args[0]]


def shown(value: object, limit: int = MAX_VALUE) -> str:
    """``repr(value)`` cut to ``limit`` characters, never built in full (huge or nested values are cheap)."""
    return shorten(_repr.repr(value), limit)


def shorten(text: str, limit: int = MAX_VALUE, tail: bool = False) -> str:
    """``text`` cut to ``limit`` characters, marked '...' where cut (keeping the end if ``tail``: paths)."""
    if len(text) <= limit:
        return text
    return "..." + text[-(limit - 3):] if tail else text[: limit - 3] + "..."


def one_line(text: str) -> str:
    """``text`` on one line: its lines joined with '; ', blank lines and indentation dropped."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())
