"""Answers as plain data: how a student's value leaves the sandbox and is judged outside it.

The grader never compares Python objects that a student's code made: an object can define
``__eq__`` to return ``True`` for anything.  Inside the sandbox, :func:`encode` turns the value
of a check into plain JSON data (ints as decimal strings, floats by ``repr``, tuples and lists
tagged, genotypes field by field).  Outside, the grading process compares that data with the
encoding of the reference solution's value (:func:`difference`), or rebuilds a genotype from it
with the library's own classes (:func:`decode`) to compare architectures.  Nothing of the
student's code runs outside the sandbox; all of this is plain data either way.

    >>> encode((3, 4.0))
    {'t': 'tuple', 'v': [{'t': 'int', 'v': '3'}, {'t': 'float', 'v': '4.0'}]}
    >>> difference(encode(12), encode(12.0))
    'expected the exact integer 12, got a float'

The messages never repeat the student's answer: the student's code chose it, and could have
put there whatever it found in the sandbox (a hidden check's input, say), to read it back in
the feedback.  The student sees the answer in the notebook anyway.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

__all__ = ["AnswerError", "decode", "difference", "encode", "show"]

MAX_ITEMS = 200_000
"""The most values (of all nesting levels together) one answer may hold."""
MAX_DEPTH = 40
MAX_TEXT = 100_000
"""The longest string (and the most digits of an integer) an answer may hold."""

GENOTYPE_TYPES = (
    "Layer",
    "ChainGenotype",
    "BranchNode",
    "MultiBranchGenotype",
    "Block",
    "Cell",
    "CellGenotype",
    "Motif",
    "HierarchicalGenotype",
    "DartsGenotype",
)
"""The library's data types that an answer may contain, rebuilt by name outside the sandbox."""


KINDS = ("none", "bool", "int", "float", "str", "tuple", "list", "dict", "other")
KINDS += ("BenchmarkRecord", *GENOTYPE_TYPES)
"""The tags of encoded data (anything else came from a forged report)."""


class AnswerError(ValueError):
    """An answer that is not plain data the grader accepts (too large, too deep, malformed)."""


def _library_types() -> dict[str, type]:
    from nasedu.spaces.cell import Block, Cell, CellGenotype
    from nasedu.spaces.chain import ChainGenotype
    from nasedu.spaces.darts_format import DartsGenotype
    from nasedu.spaces.layers import Layer
    from nasedu.spaces.motifs import HierarchicalGenotype, Motif
    from nasedu.spaces.multibranch import BranchNode, MultiBranchGenotype

    types = (Layer, ChainGenotype, BranchNode, MultiBranchGenotype, Block, Cell, CellGenotype)
    types += (Motif, HierarchicalGenotype, DartsGenotype)
    return {t.__name__: t for t in types}


# -- inside the sandbox: value -> data ----------------------------------------------------------
def encode(value: Any) -> dict[str, Any]:
    """Plain JSON data that describes ``value`` exactly (see the module docstring).

    Raises AnswerError for values that are too large or nested too deeply.
    """
    budget = [MAX_ITEMS]
    return _encode(value, 0, budget)


def _encode(value: Any, depth: int, budget: list[int]) -> dict[str, Any]:
    budget[0] -= 1
    if budget[0] < 0:
        raise AnswerError(f"the answer holds more than {MAX_ITEMS:,} values")
    if depth > MAX_DEPTH:
        raise AnswerError(f"the answer is nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool or type(value).__name__ == "bool_":
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, numbers.Integral):
        return {"t": "int", "v": _digits(int(value))}
    if isinstance(value, numbers.Real):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise AnswerError(f"a string of the answer is longer than {MAX_TEXT:,} characters")
        return {"t": "str", "v": str.__str__(value)}
    name = kind.__name__
    if name in GENOTYPE_TYPES and kind.__module__.startswith("nasedu."):
        return _encode_genotype(value, depth, budget)
    if name == "BenchmarkRecord" and kind.__module__.startswith("nasedu."):
        return {"t": "BenchmarkRecord", "hash": _encode(value.hash, depth + 1, budget)["v"]}
    if isinstance(value, (tuple, list)) or name == "ndarray":
        tag = "tuple" if isinstance(value, tuple) else "list"
        return {"t": tag, "v": [_encode(x, depth + 1, budget) for x in list(value)]}
    if isinstance(value, dict):
        items = list(dict.items(value))
        return {
            "t": "dict",
            "v": [[_encode(k, depth + 1, budget), _encode(v, depth + 1, budget)] for k, v in items],
        }
    return {"t": "other", "type": name[:80]}


def _digits(number: int) -> str:
    if number.bit_length() > MAX_TEXT * 3:  # about MAX_TEXT decimal digits
        raise AnswerError(f"an integer of the answer has more than {MAX_TEXT:,} digits")
    return str(number)


def _encode_genotype(value: Any, depth: int, budget: list[int]) -> dict[str, Any]:
    kind = type(value).__name__
    if kind == "Layer":
        params = [[name, _encode(v, depth + 2, budget)] for name, v in value.params]
        return {"t": "Layer", "op": _encode(value.op, depth + 1, budget), "params": params}
    if kind == "DartsGenotype":
        names = value._fields
    else:
        names = [f.name for f in dataclasses.fields(value) if f.init]
    fields = {name: _encode(getattr(value, name), depth + 1, budget) for name in names}
    return {"t": kind, "f": fields}


# -- outside the sandbox: data -> judgement ------------------------------------------------------
def _checked(data: Any, depth: int = 0) -> dict[str, Any]:
    if depth > MAX_DEPTH + 2:
        raise AnswerError("the answer is nested too deeply")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise AnswerError("the answer is not in the grader's format")
    return data


def difference(expected: Any, actual: Any, rel: float = 1e-9, depth: int = 0) -> str | None:
    """``None`` if the encoded ``actual`` equals the encoded ``expected``, else why not.

    Types must agree, except that a float may answer for an expected float given as an int and
    vice versa is refused (an exact integer was asked for).  Floats agree within ``rel``.
    """
    expected, actual = _checked(expected, depth), _checked(actual, depth)
    want, got = expected["t"], actual["t"]
    if want == "int" and got == "float":
        return f"expected the exact integer {show(expected)}, got a float"
    if want == "float" and got in ("float", "int"):
        return _float_difference(expected, actual, rel)
    if want != got:
        return f"expected {_kind(expected)}, got {_kind(actual)}"
    if want in ("tuple", "list", "dict"):
        return _sequence_difference(expected, actual, rel, depth)
    if want in GENOTYPE_TYPES:
        return None if _same_data(expected, actual, depth) else "a different " + want
    if expected != actual:
        return f"expected {show(expected)}, got another {_kind(actual).split()[-1]}"
    return None


def _float_difference(expected: dict, actual: dict, rel: float) -> str | None:
    try:
        want, got = float(expected["v"]), float(actual["v"])
    except (TypeError, ValueError, OverflowError):
        raise AnswerError("a number of the answer is malformed") from None
    if math.isnan(want) and math.isnan(got):
        return None
    if want == got or math.isclose(want, got, rel_tol=rel, abs_tol=rel):
        return None
    return f"expected about {show(expected)}, got another number"


def _sequence_difference(expected: dict, actual: dict, rel: float, depth: int) -> str | None:
    want, got = expected.get("v"), actual.get("v")
    if not isinstance(want, list) or not isinstance(got, list):
        raise AnswerError("the answer is not in the grader's format")
    if len(want) != len(got):
        return f"expected {len(want)} items, got {len(got)}"
    for index, (a, b) in enumerate(zip(want, got)):
        if expected["t"] == "dict" and not (
            isinstance(a, list) and isinstance(b, list) and len(a) == len(b) == 2
        ):
            raise AnswerError("the answer is not in the grader's format")
        pairs = zip(a, b) if expected["t"] == "dict" else [(a, b)]
        for x, y in pairs:
            problem = difference(x, y, rel, depth + 1)
            if problem:
                return f"item {index}: {problem}"
    return None


def _same_data(expected: Any, actual: Any, depth: int) -> bool:
    if depth > MAX_DEPTH + 2:
        raise AnswerError("the answer is nested too deeply")
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            _same_data(expected[k], actual[k], depth + 1) for k in expected
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            _same_data(a, b, depth + 1) for a, b in zip(expected, actual)
        )
    return type(expected) is type(actual) and expected == actual


def _kind(data: dict) -> str:
    kind = data["t"]
    if kind not in KINDS:  # the sandbox may send any tag: never echo it
        return "an object of another type"
    article = "an" if kind[0] in "aeiou" else "a"
    return {"none": "None", "other": "an object of another type"}.get(kind, f"{article} {kind}")


def show(data: Any, width: int = 120) -> str:
    """A short readable form of encoded data (for feedback): ``12``, ``(3, 4.0)``, ..."""
    try:
        text = repr(decode(data))
    except (AnswerError, ValueError, TypeError, RecursionError):
        text = _kind(data) if isinstance(data, dict) and isinstance(data.get("t"), str) else "?"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def decode(data: Any, depth: int = 0) -> Any:
    """Rebuild a value from encoded data with Python's and the library's own types only.

    Used outside the sandbox, e.g. to validate a genotype and compute its ``arch_hash``.
    Raises AnswerError (or the library's InvalidArchitecture) for malformed data.
    """
    data = _checked(data, depth)
    kind, value = data["t"], data.get("v")
    if kind == "none":
        return None
    if kind == "bool":
        return bool(value is True)
    if kind == "int":
        if not isinstance(value, str) or len(value) > MAX_TEXT + 1:
            raise AnswerError("an integer of the answer is malformed")
        try:
            return int(value)
        except ValueError:
            raise AnswerError("an integer of the answer is malformed") from None
    if kind == "float":
        return float(value) if isinstance(value, str) and len(value) < 64 else math.nan
    if kind == "str":
        if not isinstance(value, str):
            raise AnswerError("a string of the answer is malformed")
        return value
    if kind in ("tuple", "list"):
        if not isinstance(value, list):
            raise AnswerError("a sequence of the answer is malformed")
        items = [decode(x, depth + 1) for x in value]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        if not isinstance(value, list):
            raise AnswerError("a dict of the answer is malformed")
        return {_hashable(decode(k, depth + 1)): decode(v, depth + 1) for k, v in value}
    if kind == "BenchmarkRecord":
        return f"<BenchmarkRecord {str(data.get('hash'))[:40]}>"
    if kind in GENOTYPE_TYPES:
        return _decode_genotype(data, depth)
    raise AnswerError(f"the answer is {_kind(data)}, which the grader cannot rebuild")


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        raise AnswerError("a dict key of the answer is not hashable") from None
    return key


def _decode_genotype(data: dict, depth: int) -> Any:
    kind = data["t"]
    cls = _library_types()[kind]
    if kind == "Layer":
        params = data.get("params")
        if not isinstance(params, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in params
        ):
            raise AnswerError("a Layer of the answer is malformed")
        values = {name: decode(v, depth + 2) for name, v in params}
        return cls(decode(data.get("op"), depth + 1), **values)
    fields = data.get("f")
    allowed = cls._fields if kind == "DartsGenotype" else [f.name for f in dataclasses.fields(cls)]
    if not isinstance(fields, dict) or set(fields) - set(allowed):
        raise AnswerError(f"a {kind} of the answer is malformed")
    return cls(**{name: decode(v, depth + 1) for name, v in fields.items()})
