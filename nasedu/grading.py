"""Friendly self-checks for the test cells of the exercises: advice, never a grade.

A student needs a check to say *what* is wrong and give a hint.  Each ``expect_*`` function
prints a check mark when the answer is right and raises an ``AssertionError`` with a readable
message when it is not.  These run in the student's own kernel, which the student controls, so
they decide nothing: grades come from ``nasedu grade`` (:mod:`nasedu.grader`), which runs the
same checks and hidden ones in a sandbox and compares the answers outside it.

    >>> expect_equal(2 + 2, 4, "two plus two")
    ✓ two plus two
"""

from __future__ import annotations

import math
from typing import Any

from .spaces.base import SearchSpace
from .spaces.checks import InvalidArchitecture

__all__ = [
    "expect_by_hand",
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


def expect_by_hand(function: Any, forbidden: list[str], what: str = "", hint: str = "") -> None:
    """Pass if ``function``'s source uses none of the ``forbidden`` library names.

    Tasks that ask you to work something out earn no points when the solution calls the library
    function that does it; this check warns you before the grader does (it reads your code the
    same way: :func:`nasedu.grader.names.names_used`).
    """
    import inspect

    from .grader.names import names_used

    name = getattr(function, "__name__", "your solution")
    what = what or f"{name} works it out without the library's answer"
    try:
        source = inspect.getsource(function)
    except (TypeError, OSError):
        _fail(what, f"{name} is not a function defined in this notebook", hint)
    used = names_used([source], forbidden)
    if used:
        _fail(what, f"{name} uses {', '.join(used)}", hint or "compute it from the definitions")
    _passed(what)
