"""What bad input is, and the checks that find it, shared by every search space.

A genotype that is not a member of its space raises :class:`InvalidArchitecture`, a
``ValueError`` whose message names the offending part -- which layer, block, motif, op or
index -- and, where there is a list of valid values, shows it.  The functions below are the
checks the spaces share: genotype data read from JSON (:func:`data_dict`, :func:`data_list`),
fields of genotype objects (:func:`as_tuple`), options of a space (:func:`check_int`,
:func:`check_names`), indices (:func:`check_index`) and the arguments of every ``build``
(:func:`check_io`).  They refuse rather than guess: a misspelt key, ``1.5`` layers or a string
where a list belongs would otherwise silently change the architecture.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..checks import MESSAGE_LIMIT, brief, cap, is_int

__all__ = [
    "InvalidArchitecture",
    "SpaceTooLarge",
    "as_tuple",
    "check_index",
    "check_int",
    "check_io",
    "check_names",
    "count_text",
    "data_dict",
    "data_list",
    "is_int",
    "scientific",
    "short_repr",
]


#: more classes than any image classification data set has (ImageNet-21k: 21,841)
MAX_CLASSES = 100_000


class InvalidArchitecture(ValueError):
    """A genotype that is not a member of its search space.

    The message always names the offending part (which layer, block, op or index) and, where
    there is a list of valid values, shows it -- in at most ``MESSAGE_LIMIT`` characters (a
    megabyte-long op name is shown cut).
    """

    def __init__(self, *args: Any) -> None:
        if len(args) == 1 and isinstance(args[0], str) and len(args[0]) > MESSAGE_LIMIT:
            args = (cap(args[0]),)
        super().__init__(*args)


class SpaceTooLarge(ValueError):
    """Raised by ``enumerate()`` when listing every genotype would take (nearly) forever."""


def scientific(n: int) -> str:
    """``n`` as ``7.490e+38`` (digits truncated), for any size: no float (which overflows beyond
    1e308) and no ``str(n)`` (which Python refuses beyond 4300 digits)."""
    if n < 10**100:
        digits = str(n)
        return f"{digits[0]}.{digits[1:4].ljust(3, '0')}e+{len(digits) - 1:02d}"
    exponent = int((n.bit_length() - 1) * 0.30102999566398120)  # log10(2): exact or one low
    if 10 ** (exponent + 1) <= n:
        exponent += 1
    lead = str(n // 10 ** (exponent - 3))
    return f"{lead[0]}.{lead[1:4]}e+{exponent:02d}"


def count_text(n: int) -> str:
    """A count with thousands separators (``1,227``), or :func:`scientific` beyond 3000 digits."""
    return f"{n:,}" if n < 10**3000 else scientific(n)


def short_repr(value: Any) -> str:
    """``type value``, the value shortened (a student's typo should not print a megabyte)."""
    return f"{type(value).__name__} {reprlib.repr(value)}"


def as_tuple(value: Any, where: str, what: str) -> tuple:
    """``tuple(value)`` for a field of a genotype dataclass, or InvalidArchitecture saying
    ``where must be a tuple of what``.  A string or a dict is refused rather than split into
    its characters or keys."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArchitecture(f"{where} must be a tuple of {what}, got {short_repr(value)}")
    return tuple(value)


def data_dict(
    data: Any, where: str, required: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, Any]:
    """Check one dict of genotype data read from JSON; returns it.

    It must be a dict with every key of ``required``, possibly some of ``optional``, and no
    other key: an unknown key is most often a misspelt one (``"mrege"``), and ignoring it would
    silently change the architecture.  ``where`` (e.g. ``"malformed cell genotype data: normal
    cell, block 2"``) starts the InvalidArchitecture message.
    """
    expected = ", ".join(repr(k) for k in (*required, *optional))
    if not isinstance(data, Mapping):
        raise InvalidArchitecture(
            f"{where} must be a dict with keys {expected}, got {short_repr(data)}"
        )
    missing = [k for k in required if k not in data]
    unknown = sorted(repr(k) for k in data if k not in required and k not in optional)
    if missing or unknown:
        parts = [f"missing key(s) {', '.join(map(repr, missing))}"] if missing else []
        parts += [f"unknown key(s) {', '.join(unknown)}"] if unknown else []
        raise InvalidArchitecture(f"{where}: {'; '.join(parts)} (the keys are {expected})")
    return data


def data_list(value: Any, where: str, what: str) -> list | tuple:
    """``value`` if it is a list (a JSON array), else InvalidArchitecture: ``where must be a
    list of what``.  A string or a dict is refused rather than read as its characters or keys."""
    if not isinstance(value, (list, tuple)):
        raise InvalidArchitecture(f"{where} must be a list of {what}, got {short_repr(value)}")
    return value


def check_int(value: Any, name: str, at_most: int | None = None) -> int:
    """An integer option of a space (a number of layers, blocks, nodes, motifs), else a
    ValueError naming it: 1.5, "3" or True are not counts.  ``at_most`` bounds it, so that a
    typo such as 10**30 is refused instead of making ``sample`` run for ever."""
    if not is_int(value):
        raise ValueError(f"{name} must be an integer, got {short_repr(value)}")
    if at_most is not None and value > at_most:
        raise ValueError(f"{name} must be at most {at_most}, got {value}")
    return int(value)


def check_index(index: Any, size: int, what: str = "genotype index") -> int:
    """``index`` if it is an integer in ``[0, size)``: a TypeError for 1.5, "3" or True (which
    Python would read as 1), an IndexError naming the range otherwise."""
    if not is_int(index):
        raise TypeError(f"{what} must be an integer, got {short_repr(index)}")
    if not 0 <= index < size:
        raise IndexError(f"{what} {index} out of range [0, {size})")
    return int(index)


def check_names(value: Any, name: str, example: Sequence[str]) -> tuple[str, ...]:
    """A list of names given as a space option (ops, merges, primitives), as a tuple, else a
    ValueError naming the option (a string is not split into letters)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ValueError(
            f"{name} must be a list of names such as {tuple(example)}, got {short_repr(value)}"
        )
    names = tuple(value)
    for item in names:
        if not isinstance(item, str):
            raise ValueError(f"{name} must hold names (strings), got {item!r} in {names}")
    return names


def check_io(input_shape: Any, num_classes: Any) -> tuple[int, int, int]:
    """Check the arguments every ``build`` takes; returns ``(channels, height, width)``.

    A network needs an image shape of three positive integers and at least two classes; a
    wrong value raises :class:`InvalidArchitecture` here instead of an obscure torch error.
    """
    try:
        c, h, w = (int(s) for s in input_shape)
        if not all(is_int(s) for s in input_shape):
            raise ValueError  # 1.5 must not become 1, nor "8", 8.0 or True a size
    except (TypeError, ValueError):
        raise InvalidArchitecture(
            f"input_shape must be (channels, height, width), three integers, e.g. (1, 8, 8); "
            f"got {brief(input_shape)}"
        ) from None
    if min(c, h, w) < 1:
        raise InvalidArchitecture(f"input_shape {brief(input_shape)} has a size below 1")
    if not is_int(num_classes):
        raise InvalidArchitecture(f"num_classes must be an integer, got {brief(num_classes)}")
    if num_classes < 2:
        got = brief(num_classes)
        raise InvalidArchitecture(f"a classifier needs at least 2 classes, got {got}")
    if num_classes > MAX_CLASSES:
        raise InvalidArchitecture(
            f"num_classes must be at most {MAX_CLASSES:,} (more than any data set has), got "
            f"{brief(num_classes)}"
        )
    return c, h, w
