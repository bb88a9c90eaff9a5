"""Friendly self-checks for the test cells of the exercises.

An autograder needs a test cell to *fail* (raise) when an answer is wrong; a student needs the
failure to say *what* is wrong and give a hint.  Each ``expect_*`` function does both: it prints
a check mark when the answer is right and raises an ``AssertionError`` with a readable message
when it is not, so the same cell serves the student working on the exercise and nbgrader
grading it.

    >>> expect_equal(2 + 2, 4, "two plus two")
    ✓ two plus two
"""

from __future__ import annotations

import math
from typing import Any

from .spaces.base import SearchSpace
from .spaces.checks import InvalidArchitecture

__all__ = [
    "expect_close",
    "expect_equal",
    "expect_same_architecture",
    "expect_true",
    "expect_valid",
]


def _passed(what: str) -> None:
    print(f"✓ {what}")


def _fail(what: str, problem: str, hint: str) -> None:
    message = f"✗ {what}: {problem}"
    if hint:
        message += f"\n  Hint: {hint}"
    raise AssertionError(message)


def _not_implemented(value: Any) -> bool:
    return value is NotImplemented or value is Ellipsis


def expect_equal(actual: Any, expected: Any, what: str, hint: str = "") -> None:
    """Pass if ``actual == expected`` (and both have the same type for ints vs floats)."""
    if _not_implemented(actual):
        _fail(what, "no answer yet", hint)
    if isinstance(expected, int) and isinstance(actual, float):
        _fail(what, f"expected the exact integer {expected:,}, got the float {actual!r}", hint)
    if actual != expected:
        _fail(what, f"expected {expected!r}, got {actual!r}", hint)
    _passed(what)


def expect_close(actual: float, expected: float, what: str, rel: float = 1e-6, hint: str = ""):
    """Pass if ``actual`` is within a relative tolerance ``rel`` of ``expected``."""
    if not isinstance(actual, (int, float)) or not math.isclose(actual, expected, rel_tol=rel):
        _fail(what, f"expected about {expected!r}, got {actual!r}", hint)
    _passed(what)


def expect_true(condition: bool, what: str, hint: str = "") -> None:
    """Pass if ``condition`` holds."""
    if not condition:
        _fail(what, "this does not hold yet", hint)
    _passed(what)


def expect_valid(space: SearchSpace, genotype: Any, what: str, hint: str = "") -> None:
    """Pass if ``genotype`` belongs to ``space``; otherwise show the space's own explanation."""
    try:
        space.validate(genotype)
    except InvalidArchitecture as error:
        _fail(what, f"not a valid genotype of {space!r}: {error}", hint)
    _passed(what)


def expect_same_architecture(
    space: SearchSpace, actual: Any, expected: Any, what: str, hint: str = ""
) -> None:
    """Pass if both genotypes compute the same network (equal ``arch_hash``), whatever their
    numbering or input order."""
    expect_valid(space, actual, f"{what} is valid", hint)
    if space.arch_hash(actual) != space.arch_hash(expected):
        _fail(what, f"this is a different architecture:\n{actual!r}", hint)
    _passed(what)
