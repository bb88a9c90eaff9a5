"""Writing JSON files safely, and reading JSON that may come from anyone.

A long search or table build writes its results after every step.  Writing the file in place
would leave half a file if the process is killed mid-write; writing a temporary file and
renaming it over the old one is atomic, so a reader always finds the old or the new version.

Reading: a genotype's JSON may come from a file a student was sent, a web form or a fuzzer.
Python's ``json.loads`` silently keeps the last of two equal keys, and text nested or sized
beyond reason makes it -- or the code that reads the result -- recurse until Python gives up,
or print megabytes in an error message.  :func:`loads_strict` and :func:`check_json_data`
refuse all of that quickly, with a short :class:`BadJSON` error that says where.  (``NaN`` is
left to the reader of the data: no genotype holds a float, so a space refuses it, naming the
layer or block it is in.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .checks import brief, cap, is_int

__all__ = [
    "MAX_JSON_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT_BITS",
    "MAX_JSON_ITEMS",
    "MAX_JSON_STRING",
    "BadJSON",
    "check_json_data",
    "loads_strict",
    "write_json_atomic",
]

#: limits far above any genotype of the course's spaces, far below what hurts
MAX_JSON_CHARS = 1_000_000
MAX_JSON_DEPTH = 32
MAX_JSON_ITEMS = 50_000
MAX_JSON_STRING = 1_000
MAX_JSON_INT_BITS = 1_000


class BadJSON(ValueError):
    """Text that is not strict JSON, or JSON data nested, sized or typed beyond the limits."""


def write_json_atomic(path: str | Path, data: Any, **dumps_options: Any) -> None:
    """Write ``data`` as JSON to ``path`` (folders created), atomically.

    ``dumps_options`` go to :func:`json.dumps`, e.g. ``indent=1`` for a readable file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, **dumps_options))
    tmp.replace(path)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:  # json.loads would silently keep the last one
            raise BadJSON(f"duplicate key {brief(key)} in a JSON object")
        data[key] = value
    return data


def loads_strict(text: Any, where: str = "JSON text") -> Any:
    """Parse JSON text with no duplicate keys, within the size limits.

    Returns the data (checked with :func:`check_json_data`) or raises :class:`BadJSON`."""
    if not isinstance(text, str):
        raise BadJSON(f"{where} must be a str, got {type(text).__name__}")
    if len(text) > MAX_JSON_CHARS:
        raise BadJSON(
            f"{where} of {len(text):,} characters is longer than the limit of {MAX_JSON_CHARS:,}"
        )
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except BadJSON:
        raise
    except RecursionError:
        raise BadJSON(f"{where} is not valid JSON here: nested far too deeply") from None
    except json.JSONDecodeError as error:
        raise BadJSON(
            f"{where} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except ValueError:  # Python's limit on the digits of an integer (4300)
        raise BadJSON(f"{where} is not valid JSON here: a number of thousands of digits") from None
    check_json_data(data, where)
    return data


_SCALARS = (str, bool, int, float, type(None), np.integer, np.floating, np.bool_)


def check_json_data(data: Any, where: str = "JSON data") -> None:
    """Refuse data that plain JSON could not hold or that is beyond the limits.

    That is: more than ``MAX_JSON_DEPTH`` levels of nesting, more than ``MAX_JSON_ITEMS``
    values in all, strings of more than ``MAX_JSON_STRING`` characters, integers of more than
    ``MAX_JSON_INT_BITS`` bits (Python refuses to print them), dict keys that are not strings,
    objects of other types.  Walks the data without recursion, so that even a list nested a
    million levels deep gets a :class:`BadJSON`, not a RecursionError.
    """
    stack: list[tuple[Any, int, tuple]] = [(data, 0, ())]
    count = 0
    while stack:
        value, depth, path = stack.pop()
        count += 1
        if count > MAX_JSON_ITEMS:
            raise BadJSON(f"{where} holds more than {MAX_JSON_ITEMS:,} values")
        if depth > MAX_JSON_DEPTH:
            raise BadJSON(f"{where} is nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise BadJSON(f"{where}{_at(path)} has a key {brief(key)} that is not a str")
                stack.append((item, depth + 1, (*path, key)))
        elif isinstance(value, (list, tuple)):
            if len(value) > MAX_JSON_ITEMS:
                raise BadJSON(f"{where} holds more than {MAX_JSON_ITEMS:,} values")
            stack.extend((item, depth + 1, (*path, k)) for k, item in enumerate(value))
        elif not isinstance(value, _SCALARS):
            raise BadJSON(f"{where}{_at(path)} holds a {type(value).__name__}, not JSON data")
        elif isinstance(value, str) and len(value) > MAX_JSON_STRING:
            raise BadJSON(
                f"{where}{_at(path)} holds a string of {len(value):,} characters (at most "
                f"{MAX_JSON_STRING:,})"
            )
        elif is_int(value) and int(value).bit_length() > MAX_JSON_INT_BITS:
            raise BadJSON(f"{where}{_at(path)} holds {brief(value)}")


def _at(path: tuple) -> str:
    """`` at ["layers"][2]["op"]``: where in the data, shortened."""
    if not path:
        return ""
    return cap(" at " + "".join(f"[{brief(p)}]" for p in path[:MAX_JSON_DEPTH]), 200)
