"""The one protocol every search space of the course follows.

A *search space* is a set of architectures written down as *genotypes*: plain, immutable data
(tuples of names and numbers) that say which choices were made.  A genotype is not a network;
``build`` compiles it into one.  Keeping the two apart is what lets a search algorithm sample,
mutate, store and compare thousands of architectures for the price of training a few.

Every space in ``nasedu.spaces`` implements the same methods, so every search algorithm, plot and
notebook works on all of them:

==================  ==========================================================================
``sample(rng)``     a uniformly random valid genotype
``mutate(g, rng)``  a valid neighbour of ``g`` (never ``g`` itself)
``validate(g)``     returns ``g`` or raises :class:`InvalidArchitecture` naming the bad part
``size()``          the exact number of genotypes (a Python ``int``: these numbers are huge)
``enumerate()``     every genotype, for spaces small enough to list
``to_json(g)``      plain JSON data; ``from_json`` reads it back (and validates it)
``graph(g)``        a ``networkx.DiGraph`` of the computation: nodes are tensors, edges are ops
``arch_hash(g)``    equal for genotypes that compute the same function
``build(g, ...)``   a ``torch.nn.Module``
``plot(g, ax)``     a matplotlib drawing
==================  ==========================================================================

``rng`` arguments accept an ``int`` seed, a ``numpy.random.Generator`` or ``None`` (fresh
entropy).  The same seed gives the same genotype on every machine: spaces draw only from numpy's
``Generator``, whose streams are platform independent (numpy keeps them stable across
releases in practice but does not promise it; a seed pinned in a test would show a change).
"""

from __future__ import annotations

import abc
import hashlib
import json
import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import networkx as nx
import numpy as np

__all__ = [
    "InvalidArchitecture",
    "RngLike",
    "SearchSpace",
    "SpaceTooLarge",
    "as_rng",
    "as_tuple",
    "check_index",
    "check_int",
    "check_io",
    "check_names",
    "count_text",
    "data_dict",
    "data_list",
    "graph_hash",
    "scientific",
    "short_repr",
]

G = TypeVar("G")
RngLike = int | np.random.Generator | None


class InvalidArchitecture(ValueError):
    """A genotype that is not a member of its search space.

    The message always names the offending part (which layer, block, op or index) and, where
    there is a list of valid values, shows it.
    """


class SpaceTooLarge(ValueError):
    """Raised by ``enumerate()`` when listing every genotype would take (nearly) forever."""


def as_rng(rng: RngLike = None) -> np.random.Generator:
    """Turn an ``int`` seed, a ``Generator`` or ``None`` into a ``numpy.random.Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, not {type(rng).__name__}")


def choose(rng: np.random.Generator, options: list | tuple) -> Any:
    """One element of ``options``, uniformly (keeping its type, unlike ``rng.choice``)."""
    return options[int(rng.integers(len(options)))]


def uniform_index(rng: np.random.Generator, n: int) -> int:
    """A uniform integer in ``[0, n)`` for any Python ``int`` ``n``, even beyond 64 bits."""
    if n <= 0:
        raise ValueError("cannot draw from an empty range")
    if n < 2**62:
        return int(rng.integers(n))
    bits = n.bit_length()
    while True:  # rejection sampling on random bits: exact for arbitrarily large n
        words = rng.integers(0, 2**32, size=(bits + 31) // 32, dtype=np.uint64)
        value = 0
        for word in words:
            value = (value << 32) | int(word)
        value >>= 32 * len(words) - bits
        if value < n:
            return value


def graph_hash(graph: nx.DiGraph, node_label: str = "label", edge_label: str = "op") -> str:
    """An isomorphism-aware hash of a labelled DAG (Weisfeiler-Lehman colour refinement).

    Two architectures that differ only in how their nodes are *numbered* compute the same
    function, so a search should treat them as one.  NAS-Bench-101 (Ying et al. 2019) hashes its
    cells with the Weisfeiler-Lehman idea: every node starts with a colour (its label), then, round
    after round, each node is recoloured by its own colour together with the *sorted* colours of
    its predecessors and of its successors (nodes with the same such signature get the same new
    colour).  When a round splits no colour class any more, further rounds cannot tell nodes
    apart either and refinement stops.  The hash digests the multiset of signatures of every
    round.  Isomorphic graphs always hash equal; different graphs almost never do (WL can be
    fooled by rare regular graphs, which do not occur in these spaces).

    Edge labels (the ops on the edges) are handled by giving each labelled edge its own node,
    so ``a --op--> b`` becomes ``a -> [op] -> b``.  Because predecessor colours are *sorted*, a
    node that merges its inputs with a commutative operation (sum, and concat up to a channel
    permutation that the next layer can absorb) hashes the same whatever the input order.
    """
    # The expanded graph as plain lists (node k: its label, predecessors and successors).
    number = {node: k for k, node in enumerate(graph.nodes)}
    names = [str(data.get(node_label, "")) for _, data in graph.nodes(data=True)]
    preds: list[list[int]] = [[] for _ in names]
    succs: list[list[int]] = [[] for _ in names]
    for u, v, data in graph.edges(data=True):
        a, b = number[u], number[v]
        op = data.get(edge_label)
        if op is None:
            succs[a].append(b)
            preds[b].append(a)
        else:  # a -> [op] -> b: the op becomes a node of its own
            middle = len(names)
            names.append("op:" + str(op))
            preds.append([a])
            succs.append([b])
            succs[a].append(middle)
            preds[b].append(middle)
    history = hashlib.sha256(json.dumps(sorted(names)).encode())
    signatures: list[Any] = names
    while True:
        # colour = rank of the node's signature among the distinct ones (canonical numbering)
        palette = {signature: c for c, signature in enumerate(sorted(set(signatures)))}
        colours = [palette[signature] for signature in signatures]
        signatures = [
            (
                colours[k],
                tuple(sorted([colours[p] for p in preds[k]])),
                tuple(sorted([colours[s] for s in succs[k]])),
            )
            for k in range(len(colours))
        ]
        history.update(repr(sorted(signatures)).encode())
        if len(set(signatures)) == len(palette):  # no class was split: stable
            return history.hexdigest()[:32]


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
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {short_repr(value)}")
    if at_most is not None and value > at_most:
        raise ValueError(f"{name} must be at most {at_most}, got {value}")
    return int(value)


def check_index(index: Any, size: int, what: str = "genotype index") -> int:
    """``index`` if it is an integer in ``[0, size)``: a TypeError for 1.5, "3" or True (which
    Python would read as 1), an IndexError naming the range otherwise."""
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
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
        if [c, h, w] != list(input_shape) or any(isinstance(s, bool) for s in input_shape):
            raise ValueError  # 1.5 must not become 1, nor "8" or True a size
    except (TypeError, ValueError):
        raise InvalidArchitecture(
            f"input_shape must be (channels, height, width), three integers, e.g. (1, 8, 8); "
            f"got {input_shape!r}"
        ) from None
    if min(c, h, w) < 1:
        raise InvalidArchitecture(f"input_shape {input_shape!r} has a size below 1")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise InvalidArchitecture(f"num_classes must be an integer, got {num_classes!r}")
    if num_classes < 2:
        raise InvalidArchitecture(f"a classifier needs at least 2 classes, got {num_classes}")
    return c, h, w


class SearchSpace(abc.ABC, Generic[G]):
    """Base class of every search space (see the module docstring for the protocol).

    Subclasses implement the abstract methods; the base class supplies ``enumerate`` (guarded
    by ``size``), the JSON envelope, ``arch_hash`` over ``graph`` and friendly ``repr``.
    """

    #: short name used by ``nasedu info``, ``nasedu tour`` and the JSON envelope
    name: ClassVar[str] = "space"
    #: ``enumerate()`` refuses spaces with more genotypes than this unless given a larger limit
    enumerate_limit: ClassVar[int] = 1_000_000

    # -- the protocol -------------------------------------------------------------------------
    @abc.abstractmethod
    def sample(self, rng: RngLike = None) -> G:
        """A uniformly random valid genotype."""

    @abc.abstractmethod
    def mutate(self, genotype: G, rng: RngLike = None) -> G:
        """A valid genotype that differs from ``genotype`` by one small change."""

    @abc.abstractmethod
    def validate(self, genotype: G) -> G:
        """Return ``genotype`` if it belongs to this space, else raise InvalidArchitecture."""

    @abc.abstractmethod
    def size(self) -> int:
        """The exact number of genotypes of this space."""

    @abc.abstractmethod
    def _enumerate(self) -> Iterator[G]:
        """Yield every genotype (called by :meth:`enumerate` after the size check)."""

    @abc.abstractmethod
    def genotype_to_data(self, genotype: G) -> Any:
        """The genotype as plain JSON-able data (lists, dicts, str, int)."""

    @abc.abstractmethod
    def genotype_from_data(self, data: Any) -> G:
        """Inverse of :meth:`genotype_to_data` (without validation)."""

    @abc.abstractmethod
    def graph(self, genotype: G) -> nx.DiGraph:
        """The computation as a DAG: nodes are tensors (attribute ``label``), edges carry ops
        (attribute ``op``)."""

    @abc.abstractmethod
    def build(self, genotype: G, **macro: Any):  # -> torch.nn.Module (torch imported lazily)
        """Compile the genotype into a ``torch.nn.Module`` of this space's macro architecture."""

    @abc.abstractmethod
    def plot(self, genotype: G, ax=None):
        """Draw the genotype with matplotlib; returns the Axes (or Figure for several panels)."""

    # -- shared behaviour ---------------------------------------------------------------------
    def enumerate(self, limit: int | None = None) -> Iterator[G]:
        """Every genotype of the space, in a fixed order.

        Refuses (``SpaceTooLarge``) when the space has more than ``limit`` genotypes (default
        ``enumerate_limit``): listing 10^10 architectures is never what you meant.
        """
        limit = self.enumerate_limit if limit is None else check_int(limit, "limit")
        n = self.size()
        if n > limit:
            raise SpaceTooLarge(
                f"{self!r} has {count_text(n)} genotypes, more than the enumeration limit of "
                f"{limit:,}; "
                "make the space smaller or pass a larger limit"
            )
        return self._enumerate()

    def arch_hash(self, genotype: G) -> str:
        """A hash equal for genotypes that compute the same function (see :func:`graph_hash`)."""
        return graph_hash(self.graph(self.validate(genotype)))

    def to_json(self, genotype: G) -> dict[str, Any]:
        """``{"space": name, "genotype": data}``: plain JSON (``json.dumps`` works on it)."""
        return {"space": self.name, "genotype": self.genotype_to_data(self.validate(genotype))}

    def from_json(self, data: dict[str, Any] | str) -> G:
        """Read a genotype written by :meth:`to_json` (a dict, or its JSON text) and validate it."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError) as error:  # also: nested or long beyond limits
                raise InvalidArchitecture(f"not valid JSON: {error}") from error
        if not isinstance(data, dict) or "genotype" not in data:
            raise InvalidArchitecture("expected a dict with keys 'space' and 'genotype'")
        if data.get("space", self.name) != self.name:
            raise InvalidArchitecture(
                f"this JSON holds a genotype of the {data['space']!r} space, not {self.name!r}"
            )
        try:
            genotype = self.genotype_from_data(data["genotype"])
        except InvalidArchitecture:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
            raise InvalidArchitecture(f"malformed {self.name} genotype data: {error}") from error
        return self.validate(genotype)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
