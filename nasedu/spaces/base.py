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
``enumerate()``     every genotype, for spaces small enough to list: ``size()`` of them
``num_encodings``   ``num_encodings()``: what the format can write down, valid or not (more
                    than ``size()`` only where some encodings are not architectures)
``to_json(g)``      plain JSON data; ``from_json`` reads it back (and validates it)
``graph(g)``        a ``networkx.DiGraph`` of the computation: nodes are tensors, edges are ops
``arch_hash(g)``    equal for genotypes that compute the same function
``build(g, ...)``   a ``torch.nn.Module``
``plot(g, ax)``     a matplotlib drawing (into ``ax`` if given); returns the Figure
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
from collections.abc import Iterator
from typing import Any, ClassVar, Generic, TypeVar

import networkx as nx
import numpy as np

from ..checks import MESSAGE_LIMIT, brief, cap
from ..jsonio import BadJSON, check_json_data, loads_strict
from .checks import InvalidArchitecture, SpaceTooLarge, check_int, count_text, is_int

__all__ = [
    "InvalidArchitecture",
    "RngLike",
    "SearchSpace",
    "SpaceTooLarge",
    "as_rng",
    "choose",
    "graph_hash",
    "uniform_index",
]

G = TypeVar("G")
RngLike = int | np.random.Generator | None


def as_rng(rng: RngLike = None) -> np.random.Generator:
    """Turn an ``int`` seed, a ``Generator`` or ``None`` into a ``numpy.random.Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or is_int(rng):
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
        """The exact number of genotypes of this space: ``len(list(self.enumerate()))``."""

    def num_encodings(self) -> int:
        """The exact number of *encodings*: everything the genotype format can write down.

        An encoding is not always a genotype: in the hierarchical spaces an adjacency matrix
        may leave a node without input, which no network computes, so they have more encodings
        than genotypes (and override this).  In the other spaces every encoding is valid and
        the two numbers are equal.  Encodings are not distinct architectures either: two
        genotypes may still compute the same function (compare ``arch_hash``).
        """
        return self.size()

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
        """Draw the genotype with matplotlib (into ``ax`` if given, else a new figure) and return
        the Figure: ``space.plot(g).savefig("g.png")`` works for every space."""

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
        """Read a genotype written by :meth:`to_json` (a dict, or its JSON text) and validate it.

        Whatever else it is given raises :class:`InvalidArchitecture` with a short message, at
        once: text that is not JSON or repeats a key, data nested, sized or typed beyond what a
        genotype's JSON can be (:func:`nasedu.jsonio.check_json_data`), an envelope with keys
        other than ``"space"`` and ``"genotype"``, a genotype of another space."""
        try:
            return self._from_json(data)
        except InvalidArchitecture as error:
            if len(str(error)) <= MESSAGE_LIMIT:
                raise
            raise type(error)(cap(str(error))) from None

    def _from_json(self, data: dict[str, Any] | str) -> G:
        try:
            if isinstance(data, str):
                data = loads_strict(data, "the genotype's JSON text")
            else:
                check_json_data(data, "the genotype's JSON data")
        except BadJSON as error:
            raise InvalidArchitecture(str(error)) from None
        if not isinstance(data, dict) or "genotype" not in data:
            raise InvalidArchitecture("expected a dict with keys 'space' and 'genotype'")
        unknown = [brief(key) for key in data if key not in ("space", "genotype")]
        if unknown:
            raise InvalidArchitecture(
                f"unknown key(s) {', '.join(unknown[:5])} next to the genotype; the JSON of a "
                "genotype is a dict with the keys 'space' and 'genotype'"
            )
        if data.get("space", self.name) != self.name:
            raise InvalidArchitecture(
                f"this JSON holds a genotype of the {brief(data['space'])} space, not {self.name!r}"
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
