"""The multi-branch search space: layers with skip connections.

Elsken, Metzen and Hutter (2019), Section 2: in a multi-branch network the input of layer i is
a function of the outputs of *all* earlier layers,

    input_i = g_i(out_{i-1}, ..., out_1, out_0)        (out_0 is the network's input)

and the familiar hand-made architectures are special cases of g_i:

* chain-structured:  g_i = out_{i-1}
* residual (ResNet): g_i = out_{i-1} + out_j for some j < i-1  (a sum)
* dense (DenseNet):  g_i = concat(out_{i-1}, ..., out_0)        (a depth concatenation)

Here every layer chooses, besides its type and hyperparameters (as in the chain space), the
*set* of earlier outputs it reads and, when that set has two or more members, how they merge
(``"sum"`` or ``"concat"``).  A layer can only read from layers before it, so cycles are
impossible by construction.  The network's output is the last layer's output; a layer whose
output nobody reads is dead and does not change the function (the hash ignores it).

Layer i can read from i earlier tensors, so it has i single-input choices and
``len(merges) * (2**i - 1 - i)`` multi-input ones.  The connection choices alone grow like
2**(n**2 / 2): skip connections make the space much larger than the chain.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import networkx as nx
import numpy as np

from .base import RngLike, SearchSpace, as_rng, choose, uniform_index
from .checks import (
    InvalidArchitecture,
    as_tuple,
    check_index,
    check_int,
    check_io,
    check_names,
    count_text,
    data_dict,
    data_list,
    is_int,
)
from .layers import DEFAULT_LAYER_TYPES, Layer, LayerChoices, Value, layer_from_data

__all__ = [
    "MERGES",
    "BranchNode",
    "MultiBranchGenotype",
    "MultiBranchSpace",
    "check_connection",
    "chain_like",
    "densenet_like",
    "resnet_like",
]

MERGES: tuple[str, ...] = ("sum", "concat")
MAX_LAYERS = 16  # connection choices of layer i are listed explicitly: 2**i of them


@dataclass(frozen=True)
class BranchNode:
    """Layer ``layer`` applied to ``merge`` of the tensors numbered ``inputs``.

    ``inputs`` is a sorted tuple of distinct indices (0 = the network input, j = layer j's
    output); ``merge`` is ``None`` exactly when there is a single input.
    """

    layer: Layer
    inputs: tuple[int, ...]
    merge: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.inputs, (int, np.integer, str)):
            raise InvalidArchitecture(
                f"inputs must be a tuple of tensor indices, e.g. ({self.inputs},), "
                f"not {self.inputs!r}"
            )
        indices = as_tuple(self.inputs, "BranchNode inputs", "tensor indices")
        inputs = tuple(int(j) if isinstance(j, np.integer) else j for j in indices)
        object.__setattr__(self, "inputs", inputs)

    def __repr__(self) -> str:
        source = (
            str(self.inputs[0])
            if self.merge is None and len(self.inputs) == 1
            else f"{self.merge}({', '.join(map(str, self.inputs))})"
        )
        return f"{self.layer!r} <- {source}"


@dataclass(frozen=True)
class MultiBranchGenotype:
    """Layers 1..n, each a :class:`BranchNode`; prints one layer per line."""

    nodes: tuple[BranchNode, ...]

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "nodes", as_tuple(self.nodes, "MultiBranchGenotype nodes", "BranchNodes")
        )

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        lines = "\n".join(f"  {i}: {node!r}" for i, node in enumerate(self.nodes, start=1))
        return f"MultiBranchGenotype(\n{lines}\n)"


def check_connection(
    node: BranchNode, i: int, merges: Sequence[str] = MERGES, where: str | None = None
) -> BranchNode:
    """``node`` if its connection is valid for layer ``i`` (from 1), else InvalidArchitecture
    saying what is wrong: it reads the sorted, distinct tensors of ``0..i-1`` (the input and
    earlier layers; a later one would make a cycle), merged by one of ``merges`` when there are
    several and by nothing (``None``) when there is one."""
    where = f"layer {i}" if where is None else where
    inputs = node.inputs
    if (
        inputs
        and all(is_int(j) and 0 <= j < i for j in inputs)
        and list(inputs) == sorted(set(inputs))
        and (node.merge is None if len(inputs) == 1 else node.merge in merges)
    ):
        return node
    if not inputs:
        raise InvalidArchitecture(f"{where} reads from no tensor; give it at least one input")
    for j in inputs:
        if not is_int(j):
            raise InvalidArchitecture(f"{where}: input {j!r} is not an integer index")
        if j >= i:
            raise InvalidArchitecture(
                f"{where} reads from {j}, but it can only read from 0..{i - 1} (the "
                "input and earlier layers): a later layer would make a cycle"
            )
        if j < 0:
            raise InvalidArchitecture(
                f"{where} reads from {j}: indices start at 0 (a negative index would "
                "count from the end, i.e. read a later layer: a cycle)"
            )
    if list(inputs) != sorted(set(inputs)):
        raise InvalidArchitecture(
            f"{where}: inputs {inputs} must be sorted and without repeats, "
            f"e.g. {tuple(sorted(set(inputs)))}"
        )
    if len(inputs) == 1:
        raise InvalidArchitecture(
            f"{where} has one input, so its merge must be None, not {node.merge!r}"
        )
    raise InvalidArchitecture(
        f"{where} merges {len(inputs)} inputs with {node.merge!r}; "
        f"valid merges are: {', '.join(merges)}"
    )


@cache
def _connections(i: int, merges: tuple[str, ...]) -> tuple[tuple[tuple[int, ...], str | None], ...]:
    """All (inputs, merge) choices of layer i: singletons first, then larger sets x merges."""
    singles = tuple(((j,), None) for j in range(i))
    multi = tuple(
        (tuple(j for j in range(i) if mask >> j & 1), merge)
        for mask in range(1, 2**i)
        if mask.bit_count() >= 2
        for merge in merges
    )
    return singles + multi


def chain_like(layers: Sequence[Layer]) -> MultiBranchGenotype:
    """g_i = out_{i-1}: a plain chain written as a multi-branch genotype."""
    return MultiBranchGenotype(tuple(BranchNode(layer, (i,)) for i, layer in enumerate(layers)))


def resnet_like(layers: Sequence[Layer]) -> MultiBranchGenotype:
    """g_i = out_{i-1} + out_{i-2}: every layer also gets the tensor from two steps back (sum)."""
    return MultiBranchGenotype(
        tuple(
            BranchNode(layer, (i - 1, i), "sum") if i >= 1 else BranchNode(layer, (0,))
            for i, layer in enumerate(layers)
        )
    )


def densenet_like(layers: Sequence[Layer]) -> MultiBranchGenotype:
    """g_i = concat(out_{i-1}, ..., out_0): every layer reads every earlier tensor."""
    return MultiBranchGenotype(
        tuple(
            BranchNode(layer, tuple(range(i + 1)), "concat" if i else None)
            for i, layer in enumerate(layers)
        )
    )


class MultiBranchSpace(SearchSpace[MultiBranchGenotype]):
    """Networks of ``min_layers..max_layers`` layers, each reading any set of earlier tensors.

    ``layer_types`` is the vocabulary of the chain space; ``merges`` the allowed g_i merges.
    ``sample`` is uniform over all genotypes (depth in proportion to its count, then each
    layer's connection and layer choices uniformly).
    """

    name = "multibranch"
    enumerate_limit = 200_000

    def __init__(
        self,
        max_layers: int = 5,
        layer_types: Mapping[str, Mapping[str, tuple[Value, ...]]] = DEFAULT_LAYER_TYPES,
        merges: Sequence[str] = MERGES,
        min_layers: int = 1,
    ) -> None:
        min_layers, max_layers = (
            check_int(min_layers, "min_layers"),
            check_int(max_layers, "max_layers"),
        )
        merges = check_names(merges, "merges", MERGES)
        if not 1 <= min_layers <= max_layers <= MAX_LAYERS:
            raise ValueError(
                f"need 1 <= min_layers <= max_layers <= {MAX_LAYERS}, "
                f"got {min_layers}, {max_layers}"
            )
        unknown = [m for m in merges if m not in MERGES]
        if unknown or not merges or len(set(merges)) != len(merges):
            raise ValueError(f"merges must be distinct names from {MERGES}, got {tuple(merges)}")
        self.min_layers, self.max_layers = min_layers, max_layers
        self.merges = tuple(merges)
        self.choices = LayerChoices(layer_types)
        # A space is fixed once made, so its counts are computed once (sample() needs them).
        self._sizes: dict[int, int] = {}
        running = 1
        for depth in range(1, max_layers + 1):
            running *= self.choices.count * self.connection_choices(depth)
            if depth >= min_layers:
                self._sizes[depth] = running
        self._size = sum(self._sizes.values())

    # -- counting -----------------------------------------------------------------------------
    def connection_choices(self, i: int) -> int:
        """How many (inputs, merge) choices the i-th layer (1-based) has:
        ``i`` single inputs plus ``len(merges) * (2**i - 1 - i)`` sets of two or more."""
        return i + len(self.merges) * (2**i - 1 - i)

    def size_by_depth(self) -> dict[int, int]:
        """Number of genotypes of each depth: the product over layers of (connections x L)."""
        return dict(self._sizes)

    def size(self) -> int:
        return self._size

    def decode(self, index: int) -> MultiBranchGenotype:
        """The genotype numbered ``index``: depth by depth, then layer by layer."""
        index = check_index(index, self._size)
        L, vocabulary = self.choices.count, self.choices.layers
        for depth, n in self._sizes.items():
            if index < n:
                nodes = []
                for i in range(1, depth + 1):
                    options = _connections(i, self.merges)
                    index, digit = divmod(index, L * len(options))
                    connection, layer_index = divmod(digit, L)
                    inputs, merge = options[connection]
                    nodes.append(BranchNode(vocabulary[layer_index], inputs, merge))
                return MultiBranchGenotype(tuple(nodes))
            index -= n
        raise AssertionError("unreachable")

    def _enumerate(self) -> Iterator[MultiBranchGenotype]:
        for index in range(self.size()):
            yield self.decode(index)

    def chains(self) -> Iterator[MultiBranchGenotype]:
        """The chain-structured subspace: every genotype whose layer i reads only layer i-1.

        A multi-branch space *contains* the chain space of the same layers (``g_i = out_{i-1}``
        is one of its choices), so its best network is at least as good -- the price is a
        space many times larger.  Lazily, depth by depth: ``L**d`` chains for each allowed depth d.
        """
        layers = self.choices.layers
        for depth in self._sizes:
            for digits in itertools.product(layers, repeat=depth):
                yield chain_like(digits)

    # -- sampling and mutation ----------------------------------------------------------------
    def sample(self, rng: RngLike = None) -> MultiBranchGenotype:
        return self.decode(uniform_index(as_rng(rng), self._size))

    def mutate(self, genotype: MultiBranchGenotype, rng: RngLike = None) -> MultiBranchGenotype:
        """One small change: a layer decision, one connection toggled, a merge flipped, or a
        layer appended at / removed from the end.  Always valid and always different."""
        rng = as_rng(rng)
        nodes = list(self.validate(genotype).nodes)
        kinds = []
        if any(self.choices.neighbours(node.layer) for node in nodes):
            kinds.append("layer")
        if any(i >= 2 for i in range(1, len(nodes) + 1)):
            kinds.append("connection")
        if len(self.merges) > 1 and any(node.merge for node in nodes):
            kinds.append("merge")
        if len(nodes) < self.max_layers:
            kinds.append("append")
        if len(nodes) > self.min_layers:
            kinds.append("remove")
        if not kinds:
            raise ValueError(f"{genotype!r} has no neighbour in {self!r}")
        kind = choose(rng, kinds)
        if kind == "layer":
            i = choose(rng, [i for i, n in enumerate(nodes) if self.choices.neighbours(n.layer)])
            nodes[i] = BranchNode(
                self.choices.mutate(nodes[i].layer, rng), nodes[i].inputs, nodes[i].merge
            )
        elif kind == "connection":
            i = int(rng.integers(1, len(nodes)))  # layer i+1 has i+1 >= 2 possible inputs
            node = nodes[i]
            j = int(rng.integers(i + 1))
            inputs = set(node.inputs) ^ {j}
            if not inputs:  # removing the only input: move it instead
                inputs = {choose(rng, [k for k in range(i + 1) if k != j])}
            merge = None if len(inputs) == 1 else (node.merge or choose(rng, self.merges))
            nodes[i] = BranchNode(node.layer, tuple(sorted(inputs)), merge)
        elif kind == "merge":
            i = choose(rng, [i for i, n in enumerate(nodes) if n.merge])
            other = choose(rng, [m for m in self.merges if m != nodes[i].merge])
            nodes[i] = BranchNode(nodes[i].layer, nodes[i].inputs, other)
        elif kind == "append":
            n = len(nodes)
            others = [j for j in range(n) if rng.random() < 0.5]
            inputs = tuple(sorted({n, *others}))
            merge = choose(rng, self.merges) if len(inputs) > 1 else None
            nodes.append(BranchNode(self.choices.sample(rng), inputs, merge))
        else:
            nodes.pop()
        return MultiBranchGenotype(tuple(nodes))

    # -- validation and serialisation ---------------------------------------------------------
    def validate(self, genotype: MultiBranchGenotype) -> MultiBranchGenotype:
        if not isinstance(genotype, MultiBranchGenotype):
            raise InvalidArchitecture(
                f"expected a MultiBranchGenotype, got {type(genotype).__name__}"
            )
        depth = len(genotype.nodes)
        if not self.min_layers <= depth <= self.max_layers:
            raise InvalidArchitecture(
                f"the network has {depth} layers; this space allows "
                f"{self.min_layers} to {self.max_layers}"
            )
        for i, node in enumerate(genotype.nodes, start=1):
            where = f"layer {i}"
            if not isinstance(node, BranchNode):
                raise InvalidArchitecture(
                    f"{where}: expected a BranchNode, got {type(node).__name__}"
                )
            self.choices.validate(node.layer, where)
            check_connection(node, i, self.merges, where)
        return genotype

    def genotype_to_data(self, genotype: MultiBranchGenotype) -> dict[str, Any]:
        return {
            "layers": [
                {"layer": n.layer.as_dict(), "inputs": list(n.inputs), "merge": n.merge}
                for n in genotype.nodes
            ]
        }

    def genotype_from_data(self, data: Mapping[str, Any]) -> MultiBranchGenotype:
        """Read ``{"layers": [{"layer": {...}, "inputs": [...], "merge": ...}, ...]}``, naming
        the layer whose data has the wrong form.  A missing ``"merge"`` means None (one input);
        the values are checked by :meth:`validate`."""
        where = f"malformed {self.name} genotype data"
        layers = data_list(
            data_dict(data, where, ["layers"])["layers"], f"{where}: 'layers'", "layers"
        )
        nodes = []
        for i, d in enumerate(layers, start=1):
            here = f"{where}: layer {i}"
            d = data_dict(d, here, ["layer", "inputs"], optional=["merge"])
            inputs = data_list(d["inputs"], f"{here}: 'inputs'", "tensor indices")
            nodes.append(
                BranchNode(layer_from_data(d["layer"], here), tuple(inputs), d.get("merge"))
            )
        return MultiBranchGenotype(tuple(nodes))

    # -- presets -------------------------------------------------------------------------------
    def presets(self, layers: Sequence[Layer]) -> dict[str, MultiBranchGenotype]:
        """The chain, ResNet-like and DenseNet-like wirings of ``layers`` (validated here)."""
        return {
            name: self.validate(make(layers))
            for name, make in (
                ("chain", chain_like),
                ("resnet", resnet_like),
                ("densenet", densenet_like),
            )
        }

    # -- graph, network, picture --------------------------------------------------------------
    def graph(self, genotype: MultiBranchGenotype) -> nx.DiGraph:
        """Tensors as nodes: 0 (input), 1..n (layer outputs) and ``"m{i}"`` for a merged input.

        Only tensors that reach the output are kept: a dead layer computes nothing that matters.
        """
        genotype = self.validate(genotype)
        n = len(genotype.nodes)
        live = {n}  # walk back from the output: which tensors does it depend on?
        for i in range(n, 0, -1):
            if i in live:
                live.update(genotype.nodes[i - 1].inputs)
        g = nx.DiGraph()
        g.add_node(0, label="input")
        for i, node in enumerate(genotype.nodes, start=1):
            if i not in live:
                continue
            g.add_node(i, label="output" if i == n else "tensor")
            if node.merge is None:
                g.add_edge(node.inputs[0], i, op=repr(node.layer), layer=node.layer)
            else:
                merged = f"m{i}"
                g.add_node(merged, label=node.merge)
                for j in node.inputs:
                    g.add_edge(j, merged)
                g.add_edge(merged, i, op=repr(node.layer), layer=node.layer)
        return g

    def build(
        self,
        genotype: MultiBranchGenotype,
        input_shape: Sequence[int] = (1, 8, 8),
        num_classes: int = 10,
    ):
        """The network as a ``torch.nn.Module`` (a :class:`~nasedu.networks.MultiBranchNetwork`)."""
        from ..networks.multibranch import MultiBranchNetwork

        shape = check_io(input_shape, num_classes)
        genotype = self.validate(genotype)
        return MultiBranchNetwork(genotype, shape, int(num_classes), _validated=True)

    def plot(self, genotype: MultiBranchGenotype, ax=None):
        """The layers left to right, skip connections as arcs, merges as ``+`` or ``||`` (into
        ``ax`` if given); returns the Figure."""
        from ..viz.basic import plot_layers

        nodes = self.validate(genotype).nodes
        return plot_layers(
            [n.layer for n in nodes],
            inputs=[n.inputs for n in nodes],
            merges=[n.merge for n in nodes],
            ax=ax,
        ).figure

    def __repr__(self) -> str:
        return (
            f"MultiBranchSpace(layers {self.min_layers}..{self.max_layers}, "
            f"{self.choices.count} layer choices, merges {self.merges}, "
            f"{count_text(self.size())} genotypes)"
        )
