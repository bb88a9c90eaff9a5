"""Layers whose hyperparameters depend on their type: the vocabulary of the basic spaces.

In a chain-structured space (Elsken, Metzen and Hutter 2019, "Neural Architecture Search: A
Survey", Section 2) every layer first chooses its *type* -- convolution, separable convolution,
dilated convolution, pooling -- and only then the hyperparameters *of that type*: a convolution
has a number of filters, a kernel size and a stride; a pooling layer has a kind (max or average),
a kernel size and a stride but no filters.  Choices that exist only under another choice make
the space *conditional*: it is a tree of decisions, not a grid.

:class:`LayerChoices` describes such a vocabulary with a plain dict::

    {"conv": {"filters": (16, 32, 64), "kernel": (1, 3, 5), "stride": (1, 2)},
     "pool": {"kind": ("max", "avg"), "kernel": (3, 5), "stride": (1, 2)}}

and can count, list, sample, check and mutate single layers.  The number of distinct layers is
a *sum over types* of the *product* of that type's choices (3*3*2 + 2*2*2 = 26 above).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from .base import choose, uniform_index
from .checks import InvalidArchitecture, check_index, is_int, short_repr

__all__ = ["DEFAULT_LAYER_TYPES", "Layer", "LayerChoices", "check_layer", "layer_from_data"]

Value = int | str

#: hyperparameters that the network builder understands, by layer type
KNOWN_HYPERPARAMETERS: dict[str, set[str]] = {
    "conv": {"filters", "kernel", "stride", "padding"},
    "sep_conv": {"filters", "kernel", "stride", "padding"},
    "dil_conv": {"filters", "kernel", "dilation", "stride", "padding"},
    "pool": {"kind", "kernel", "stride", "padding"},
}
REQUIRED_HYPERPARAMETERS: dict[str, set[str]] = {
    "conv": {"filters", "kernel", "stride"},
    "sep_conv": {"filters", "kernel", "stride"},
    "dil_conv": {"filters", "kernel", "dilation", "stride"},
    "pool": {"kind", "kernel", "stride"},
}
ALLOWED_STRINGS: dict[str, tuple[str, ...]] = {"kind": ("max", "avg"), "padding": ("same", "valid")}

DEFAULT_LAYER_TYPES: dict[str, dict[str, tuple[Value, ...]]] = {
    "conv": {"filters": (16, 32, 64), "kernel": (1, 3, 5), "stride": (1, 2)},
    "sep_conv": {"filters": (16, 32, 64), "kernel": (3, 5), "stride": (1, 2)},
    "dil_conv": {"filters": (16, 32, 64), "kernel": (3,), "dilation": (2, 3), "stride": (1, 2)},
    "pool": {"kind": ("max", "avg"), "kernel": (3, 5), "stride": (1, 2)},
}
"""The default vocabulary: 18 convolutions + 12 separable + 12 dilated + 8 pooling = 50 layers."""


class Layer:
    """One layer of a chain: a type and its hyperparameters, e.g. ``Layer("conv", filters=32,
    kernel=3, stride=1)``.  Immutable and hashable; prints as ``conv(filters=32, kernel=3,
    stride=1)``.  Hyperparameters are kept sorted by name, so keyword order does not matter."""

    __slots__ = ("op", "params")
    op: str
    params: tuple[tuple[str, Value], ...]

    def __init__(self, op: str, **params: Value) -> None:
        object.__setattr__(self, "op", op)
        items = sorted(_plain(op, name, value) for name, value in params.items())
        object.__setattr__(self, "params", tuple(items))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Layer is immutable; make a new one with Layer.replace(...)")

    def __getitem__(self, key: str) -> Value:
        for name, value in self.params:
            if name == key:
                return value
        raise KeyError(f"{self!r} has no hyperparameter {key!r}")

    def get(self, key: str, default: Value | None = None) -> Value | None:
        return dict(self.params).get(key, default)

    def as_dict(self) -> dict[str, Value]:
        """``{"op": ..., **hyperparameters}``: the JSON form."""
        return {"op": self.op, **dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Value]) -> Layer:
        data = dict(data)
        op = data.pop("op")
        return cls(str(op), **data)

    def replace(self, **changes: Value) -> Layer:
        """A copy with some hyperparameters changed."""
        return Layer(self.op, **{**dict(self.params), **changes})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layer) and (self.op, self.params) == (other.op, other.params)

    def __hash__(self) -> int:
        return hash((self.op, self.params))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params)
        return f"{self.op}({args})"

    def __reduce__(self):
        return (_make_layer, (self.op, self.params))


def _plain(op: str, name: str, value: Any) -> tuple[str, Value]:
    """``(name, value)`` with numpy integers made Python ints (so JSON can write them).

    Anything but an int or a str (a float, a bool, None) is refused: ``32.0 == 32`` in Python,
    so such a layer would compare equal to a valid one yet print, hash and serialise differently.
    """
    if isinstance(value, str):
        return name, str(value)
    if is_int(value):
        return name, int(value)
    raise TypeError(f"{op}.{name}={value!r}: hyperparameter values must be ints or strings")


def layer_from_data(data: Any, where: str) -> Layer:
    """Read the JSON form of a layer, ``{"op": "conv", "filters": 16, ...}`` (see
    :meth:`Layer.as_dict`); ``where`` (e.g. ``"layer 2"``) starts every error message.

    Only the form is checked here (a dict, an op name, int or string values); whether the layer
    belongs to a vocabulary is :meth:`LayerChoices.validate`'s question.
    """
    if not isinstance(data, Mapping) or "op" not in data:
        raise InvalidArchitecture(
            f'{where} must be a dict such as {{"op": "conv", "filters": 16, "kernel": 3, '
            f'"stride": 1}}, got {short_repr(data)}'
        )
    if not isinstance(data["op"], str):
        raise InvalidArchitecture(
            f"{where}: 'op' must be a layer type name such as 'conv', got {short_repr(data['op'])}"
        )
    for name in data:
        if not isinstance(name, str):
            raise InvalidArchitecture(
                f"{where}: hyperparameter names must be strings, got {short_repr(name)}"
            )
    try:
        return Layer.from_dict(data)
    except TypeError as error:  # a value that is neither an int nor a string (see _plain)
        raise InvalidArchitecture(f"{where}: {error}") from None


def _difference(missing: set[str], extra: set[str], extra_word: str) -> str:
    """``"missing hyperparameter(s) a, b; unexpected c"`` (only the parts that apply)."""
    parts = []
    if missing:
        parts.append(f"missing hyperparameter(s) {', '.join(sorted(missing))}")
    if extra:
        parts.append(f"{extra_word} hyperparameter(s) {', '.join(sorted(extra))}")
    return "; ".join(parts)


def _make_layer(op: str, params: tuple[tuple[str, Value], ...]) -> Layer:
    return Layer(op, **dict(params))


class LayerChoices:
    """A conditional vocabulary of layers: layer types, each with its own hyperparameter choices.

    Layers are numbered ``0 .. count - 1`` type by type (in the dict's order), and within a type
    in mixed radix over the hyperparameters, so ``decode(i)`` for every ``i`` lists each layer
    exactly once and ``decode(uniform_index(count))`` samples uniformly.
    """

    def __init__(self, types: Mapping[str, Mapping[str, tuple[Value, ...]]]) -> None:
        if not isinstance(types, Mapping):
            raise ValueError(
                "layer_types must be a dict {layer type: {hyperparameter: choices}}, e.g. "
                f'{{"pool": {{"kind": ("max",), "kernel": (3,), "stride": (1,)}}}}, got {types!r}'
            )
        if not types:
            raise ValueError("a layer vocabulary needs at least one layer type")
        self.types: dict[str, dict[str, tuple[Value, ...]]] = {}
        for op, params in types.items():
            if op not in KNOWN_HYPERPARAMETERS:
                raise ValueError(
                    f"unknown layer type {op!r}; valid types: {', '.join(KNOWN_HYPERPARAMETERS)}"
                )
            if not isinstance(params, Mapping):
                raise ValueError(
                    f"layer type {op!r}: give a dict {{hyperparameter: choices}}, got {params!r}"
                )
            missing = REQUIRED_HYPERPARAMETERS[op] - set(params)
            unknown = set(params) - KNOWN_HYPERPARAMETERS[op]
            if missing or unknown:
                raise ValueError(
                    f"layer type {op!r}: {_difference(missing, unknown, 'unknown')}; it takes "
                    f"{', '.join(sorted(KNOWN_HYPERPARAMETERS[op]))} (required: "
                    f"{', '.join(sorted(REQUIRED_HYPERPARAMETERS[op]))})"
                )
            checked: dict[str, tuple[Value, ...]] = {}
            for name in sorted(params):
                if isinstance(params[name], (str, int)):
                    raise ValueError(
                        f"{op}.{name}: give a tuple of choices, e.g. ({params[name]!r},), "
                        f"not {params[name]!r}"
                    )
                values = tuple(params[name])
                if not values or len(set(values)) != len(values):
                    raise ValueError(f"{op}.{name}: choices must be non-empty and distinct")
                for value in values:
                    self._check_value(op, name, value, ValueError)
                # numpy integers become Python ints, so that genotypes can be written as JSON
                checked[name] = tuple(v if isinstance(v, str) else int(v) for v in values)
            same = "same" in checked.get("padding", ("same",))
            even = [k for k in checked["kernel"] if k % 2 == 0]
            if same and even:
                raise ValueError(
                    f"{op}.kernel: even sizes {even} cannot keep the resolution with 'same' "
                    "padding (there is no centre pixel); use odd kernels, or padding ('valid',)"
                )
            self.types[op] = checked
        self._per_type = {op: math.prod(len(v) for v in p.values()) for op, p in self.types.items()}
        self.count: int = sum(self._per_type.values())
        # Layers are immutable, so each one is made once: decode, sample and encode become
        # table look-ups (sampling a chain is then mostly drawing random numbers).
        self.layers: tuple[Layer, ...] = tuple(self._decode(i) for i in range(self.count))
        self._index: dict[Layer, int] = {layer: i for i, layer in enumerate(self.layers)}
        self._moves: dict[str, tuple[str, ...]] = {
            op: tuple(name for name, values in params.items() if len(values) > 1)
            + (("op",) if len(self.types) > 1 else ())
            for op, params in self.types.items()
        }

    @staticmethod
    def _check_value(op: str, name: str, value: Value, error: type[Exception]) -> None:
        if name in ALLOWED_STRINGS:
            if value not in ALLOWED_STRINGS[name]:
                raise error(f"{op}.{name} must be one of {ALLOWED_STRINGS[name]}, got {value!r}")
        elif not is_int(value) or value < 1:
            raise error(f"{op}.{name} must be a positive integer, got {value!r}")

    def _decode(self, index: int) -> Layer:
        for op, n in self._per_type.items():
            if index < n:
                params = {}
                for name, values in self.types[op].items():
                    index, digit = divmod(index, len(values))
                    params[name] = values[digit]
                return Layer(op, **params)
            index -= n
        raise AssertionError("unreachable")

    def decode(self, index: int) -> Layer:
        """The layer numbered ``index`` (``0 <= index < count``)."""
        return self.layers[check_index(index, self.count, "layer index")]

    def encode(self, layer: Layer) -> int:
        """Inverse of :meth:`decode`; a layer outside the vocabulary raises InvalidArchitecture."""
        try:
            return self._index[layer]
        except (KeyError, TypeError):  # TypeError: an unhashable hyperparameter value
            self.validate(layer, "layer")  # explains what is wrong
            raise InvalidArchitecture(f"{layer!r} is not in this vocabulary") from None

    def __iter__(self) -> Iterator[Layer]:
        """Every layer, in index order (``decode(0)``, ``decode(1)``, ...)."""
        return iter(self.layers)

    def __len__(self) -> int:
        return self.count

    def sample(self, rng: np.random.Generator) -> Layer:
        """A uniformly random layer (each of the ``count`` layers equally likely)."""
        return self.layers[uniform_index(rng, self.count)]

    def validate(self, layer: Any, where: str) -> Layer:
        """Check one layer; ``where`` (e.g. ``"layer 3"``) starts every error message."""
        if not isinstance(layer, Layer):
            raise InvalidArchitecture(f"{where}: expected a Layer, got {type(layer).__name__}")
        if not isinstance(layer.op, str):  # (an unhashable op could not even be looked up)
            raise InvalidArchitecture(
                f"{where}: the layer type must be a name such as 'conv', got {layer.op!r}"
            )
        if layer in self._index:  # the common case: one look-up
            return layer
        if layer.op not in self.types:
            raise InvalidArchitecture(
                f"{where}: unknown op {layer.op!r}; valid ops are: {', '.join(self.types)}"
            )
        choices = self.types[layer.op]
        given = {name for name, _ in layer.params}
        if given != set(choices):
            missing, extra = set(choices) - given, given - set(choices)
            raise InvalidArchitecture(
                f"{where} ({layer.op}): {_difference(missing, extra, 'unexpected')}; "
                f"a {layer.op} layer takes {', '.join(choices)}"
            )
        for name, value in layer.params:
            if value not in choices[name]:
                raise InvalidArchitecture(
                    f"{where} ({layer.op}): {name}={value!r} is not one of {choices[name]}"
                )
        return layer

    def neighbours(self, layer: Layer) -> list[str]:
        """The single-decision changes available for ``layer`` ("op" and hyperparameter names)."""
        return list(self._moves[layer.op])

    def mutate(self, layer: Layer, rng: np.random.Generator) -> Layer:
        """Change one decision of ``layer``: a hyperparameter, or its type (new hyperparameters).

        Raises ``ValueError`` if the vocabulary has a single layer (nothing to change).
        """
        moves = self.neighbours(layer)
        if not moves:
            raise ValueError(f"{layer!r} has no alternative in this vocabulary")
        move = choose(rng, moves)
        if move == "op":
            op = choose(rng, [t for t in self.types if t != layer.op])
            params = {name: choose(rng, values) for name, values in self.types[op].items()}
            return Layer(op, **params)
        values = [v for v in self.types[layer.op][move] if v != layer[move]]
        return layer.replace(**{move: choose(rng, values)})

    def describe(self) -> str:
        """A short human-readable summary, one line per layer type."""
        lines = []
        for op, params in self.types.items():
            parts = " x ".join(f"{name} {values}" for name, values in params.items())
            lines.append(f"{op:9s} {self._per_type[op]:4d} = {parts}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"LayerChoices({self.count} layers over {list(self.types)})"


def check_layer(layer: Any, where: str = "layer") -> Layer:
    """``layer`` if a network can build it, else InvalidArchitecture starting with ``where``.

    The rules are those of a space's vocabulary (:class:`LayerChoices`), applied to a vocabulary
    of this one layer: a known type, exactly its hyperparameters, positive integers, ``kind``
    and ``padding`` among their names, and odd kernels for ``'same'`` padding.  (Without this,
    an unknown type was built as a convolution and a misspelt hyperparameter silently ignored.)
    A layer that a space's ``validate`` has passed meets them.
    """
    if not isinstance(layer, Layer) or not isinstance(layer.op, str):
        raise InvalidArchitecture(
            f"{where}: expected a Layer such as Layer('conv', filters=16, kernel=3, stride=1), "
            f"got {short_repr(layer)}"
        )
    try:
        LayerChoices({layer.op: {name: (value,) for name, value in layer.params}})
    except ValueError as error:
        raise InvalidArchitecture(f"{where} ({layer!r}): {error}") from None
    return layer
