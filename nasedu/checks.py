"""Checking arguments where they enter the library: short, clear errors instead of crashes.

The rule of the course library: a bad argument raises a ``ValueError`` whose message names the
argument, shows what was given (shortened: a typo must not print a megabyte) and says what is
allowed -- raised at once, before any work starts, never a hang, a silent conversion or an error
from deep inside torch, numpy or pickle.  The helpers here are the checks that data loading,
training and the command line share (genotypes have their own, in
:mod:`nasedu.spaces.checks`).

>>> check_int(3, "epochs", least=1)
3
>>> check_int(True, "epochs", least=1)
Traceback (most recent call last):
...
ValueError: epochs must be an integer >= 1, got bool True
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "MESSAGE_LIMIT",
    "UnknownName",
    "brief",
    "cap",
    "check_bool",
    "check_choice",
    "check_int",
    "check_real",
    "check_seed",
    "is_int",
    "shown",
]

#: the longest error message the library writes (characters); longer ones are cut
MESSAGE_LIMIT = 600

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6
_REPR.maxlevel = 3
_REPR.maxlong = 40


class UnknownName(KeyError, ValueError):
    """An unknown name (of a data set, a space, a benchmark): both a ``KeyError``, as a failed
    look-up in a table of names, and a ``ValueError``, as a bad argument.  Printed without the
    quotes Python puts around a ``KeyError``'s message."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def cap(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """``message`` cut to at most ``limit`` characters, keeping its start and its end (where
    messages say what is allowed), with `` ... `` where it was cut."""
    if len(message) <= limit:
        return message
    tail = max(0, limit // 3 - 5)
    head = limit - tail - 5
    return f"{message[:head]} ... {message[len(message) - tail :] if tail else ''}".rstrip()


def brief(value: Any) -> str:
    """``repr(value)`` shortened to a few dozen characters, for any value (huge, deeply nested
    or with a broken ``__repr__``)."""
    if isinstance(value, int) and value.bit_length() > 128:  # Python refuses to print > 4300 digits
        return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"
    try:
        text = " ".join(_REPR.repr(value).split())  # one line, even for a tensor
    except Exception:  # a broken __repr__ must not hide the real error
        return f"<unprintable {type(value).__name__}>"
    return text if len(text) <= 80 else text[:76] + " ..."


def shown(value: Any) -> str:
    """``type value``, the value's repr shortened: ``str 'abc'``, ``float nan``, ``list [1, 2,
    ...]``.  Safe for any value: huge, deeply nested or with a broken ``__repr__``."""
    return f"{type(value).__name__} {brief(value)}"


def is_int(value: Any) -> bool:
    """Is ``value`` an integer (Python's or numpy's) and not a bool?

    ``True == 1`` in Python (``bool`` is a subclass of ``int``), so without the second test a
    flag would pass as a count, an index or a seed.  The one place this rule is written: every
    check in nasedu that wants an integer asks this question.
    """
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value: Any, name: str, least: int | None = None, most: int | None = None) -> int:
    """``value`` as an ``int`` if it is an integer in ``[least, most]``, else a ValueError
    naming ``name``.  ``True``, ``1.0`` and ``"1"`` are not integers here: Python would read
    ``True`` as 1 and ``int(1.9)`` as 1, silently."""
    bounds = _bounds(least, most)
    if not is_int(value) or (least is not None and value < least):
        raise ValueError(f"{name} must be an integer{bounds}, got {shown(value)}")
    if most is not None and value > most:
        raise ValueError(f"{name} must be an integer{bounds}, got {shown(value)}")
    return int(value)


def check_real(
    value: Any,
    name: str,
    least: float | None = None,
    most: float | None = None,
    *,
    above: float | None = None,
    below: float | None = None,
) -> float:
    """``value`` as a ``float`` if it is a finite real number within the bounds (``least`` and
    ``most`` inclusive, ``above`` and ``below`` exclusive), else a ValueError naming ``name``.
    NaN, infinities, booleans and strings are refused."""
    parts = [f">= {least}" if least is not None else "", f"> {above}" if above is not None else ""]
    parts += [f"<= {most}" if most is not None else "", f"< {below}" if below is not None else ""]
    wanted = " and ".join(p for p in parts if p)
    message = f"{name} must be a finite number{' ' + wanted if wanted else ''}, got {shown(value)}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(message)
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float's range
        raise ValueError(message) from None
    if not math.isfinite(number):
        raise ValueError(message)
    if (least is not None and number < least) or (most is not None and number > most):
        raise ValueError(message)
    if (above is not None and number <= above) or (below is not None and number >= below):
        raise ValueError(message)
    return number


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (not 0, 1, ``"no"`` or None), else a ValueError:
    the string ``"false"`` is true in Python, which would silently do the opposite."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices`` (compared only with values of the same type), else
    a ValueError listing them."""
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return value
    listed = ", ".join(repr(c) for c in choices)
    raise ValueError(f"{name} must be one of {listed}; got {shown(value)}")


#: seeds are integers in [0, SEED_LIMIT): what numpy's legacy RandomState and torch both take
SEED_LIMIT = 2**32


def check_seed(value: Any, name: str = "seed") -> int:
    """A random seed: an integer in ``[0, 2**32)`` (numpy's ``RandomState`` takes no more;
    ``True`` is not the seed 1, nor ``1.5`` or ``"1"`` a seed at all)."""
    return check_int(value, name, least=0, most=SEED_LIMIT - 1)


def _bounds(least: int | None, most: int | None) -> str:
    if least is not None and most is not None:
        return f" in [{least}, {most}]"
    if least is not None:
        return f" >= {least}"
    if most is not None:
        return f" <= {most}"
    return ""
