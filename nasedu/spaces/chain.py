"""The chain-structured search space: a network is a sequence of layers.

Elsken, Metzen and Hutter (2019), "Neural Architecture Search: A Survey", Section 2: a
chain-structured network is a sequence of n layers, layer i reading the output of layer i-1.
The space is parametrised by

1. the number of layers n (here ``min_layers .. max_layers``),
2. the type of every layer (convolution, separable or dilated convolution, pooling), and
3. the hyperparameters *of that type* (filters, kernel size, stride, ...).

Because 3 depends on 2 and everything depends on 1, the space is *conditional*.  With L layer
choices per position (50 by default) the number of chains of depth n is L**n, so the whole
space has ``sum(L**n for n in range(min_layers, max_layers + 1))`` members: about 1.6e10 for six
layers.  Every extra layer multiplies the space by L -- the first argument for the smaller cell
spaces of the next notebook.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .base import RngLike, SearchSpace, as_rng, choose, uniform_index
from .checks import (
    InvalidArchitecture,
    as_tuple,
    check_index,
    check_int,
    check_io,
    count_text,
    data_dict,
    data_list,
)
from .layers import DEFAULT_LAYER_TYPES, Layer, LayerChoices, Value, layer_from_data

__all__ = ["MAX_LAYERS", "ChainGenotype", "ChainSpace"]

MAX_LAYERS = 2_000
"""The deepest chain a space may allow: far beyond any network (notebook 2 counts 200-layer
chains), but a typo such as 10**30 is refused instead of counting for ever."""


@dataclass(frozen=True)
class ChainGenotype:
    """A chain of layers; prints as ``ChainGenotype(conv(...) -> pool(...) -> ...)``."""

    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", as_tuple(self.layers, "ChainGenotype layers", "Layers"))

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __repr__(self) -> str:
        return f"ChainGenotype({' -> '.join(map(repr, self.layers))})"


class ChainSpace(SearchSpace[ChainGenotype]):
    """Chains of ``min_layers`` to ``max_layers`` layers drawn from ``layer_types``.

    ``layer_types`` maps a layer type to its hyperparameter choices (see
    :data:`~nasedu.spaces.layers.DEFAULT_LAYER_TYPES`).  ``sample`` is uniform over *genotypes*:
    a depth is drawn in proportion to the number of chains of that depth, which is what "a
    random architecture" should mean.  Drawing the depth uniformly instead would make every
    chain of ``min_layers`` layers L**(max - min) times as likely as every chain of
    ``max_layers`` layers.
    """

    name = "chain"

    def __init__(
        self,
        max_layers: int = 6,
        layer_types: Mapping[str, Mapping[str, tuple[Value, ...]]] = DEFAULT_LAYER_TYPES,
        min_layers: int = 1,
    ) -> None:
        min_layers, max_layers = (
            check_int(min_layers, "min_layers"),
            check_int(max_layers, "max_layers"),
        )
        if not 1 <= min_layers <= max_layers:
            raise ValueError(f"need 1 <= min_layers <= max_layers, got {min_layers}, {max_layers}")
        check_int(max_layers, "max_layers", at_most=MAX_LAYERS)
        self.min_layers = min_layers
        self.max_layers = max_layers
        self.choices = LayerChoices(layer_types)
        # A space is fixed once made, so its counts are computed once (sample() needs them).
        L = self.choices.count
        self._sizes = {d: L**d for d in range(min_layers, max_layers + 1)}
        self._size = sum(self._sizes.values())

    # -- counting and listing -----------------------------------------------------------------
    def size_by_depth(self) -> dict[int, int]:
        """Number of chains of each depth: ``L ** depth``."""
        return dict(self._sizes)

    def size(self) -> int:
        return self._size

    def decode(self, index: int) -> ChainGenotype:
        """The genotype numbered ``index`` (depth by depth, then layers in base L)."""
        index = check_index(index, self._size)
        L, vocabulary = self.choices.count, self.choices.layers
        for depth, n in self._sizes.items():
            if index < n:
                layers = []
                for _ in range(depth):
                    index, digit = divmod(index, L)
                    layers.append(vocabulary[digit])
                return ChainGenotype(tuple(layers))
            index -= n
        raise AssertionError("unreachable")

    def _enumerate(self) -> Iterator[ChainGenotype]:
        for index in range(self.size()):
            yield self.decode(index)

    # -- sampling and mutation ----------------------------------------------------------------
    def sample(self, rng: RngLike = None) -> ChainGenotype:
        return self.decode(uniform_index(as_rng(rng), self._size))

    def mutate(self, genotype: ChainGenotype, rng: RngLike = None) -> ChainGenotype:
        """Change one layer's decision, insert a random layer, or remove one.

        The kind of move is drawn uniformly among those possible (no insertion at
        ``max_layers``, no removal at ``min_layers``); the result always differs from the parent.
        """
        rng = as_rng(rng)
        layers = list(self.validate(genotype).layers)
        moves = [i for i, layer in enumerate(layers) if self.choices.neighbours(layer)]
        kinds = (["change"] if moves else []) + (["add"] if len(layers) < self.max_layers else [])
        if len(layers) > self.min_layers:
            kinds.append("remove")
        if not kinds:
            raise ValueError(f"{genotype!r} has no neighbour in {self!r}")
        kind = choose(rng, kinds)
        if kind == "change":
            i = choose(rng, moves)
            layers[i] = self.choices.mutate(layers[i], rng)
        elif kind == "add":
            layers.insert(int(rng.integers(len(layers) + 1)), self.choices.sample(rng))
        else:
            del layers[int(rng.integers(len(layers)))]
        return ChainGenotype(tuple(layers))

    # -- validation and serialisation ---------------------------------------------------------
    def validate(self, genotype: ChainGenotype) -> ChainGenotype:
        if not isinstance(genotype, ChainGenotype):
            raise InvalidArchitecture(f"expected a ChainGenotype, got {type(genotype).__name__}")
        depth = len(genotype.layers)
        if not self.min_layers <= depth <= self.max_layers:
            raise InvalidArchitecture(
                f"the chain has {depth} layers; this space allows "
                f"{self.min_layers} to {self.max_layers}"
            )
        for i, layer in enumerate(genotype.layers, start=1):
            self.choices.validate(layer, f"layer {i}")
        return genotype

    def genotype_to_data(self, genotype: ChainGenotype) -> dict[str, Any]:
        return {"layers": [layer.as_dict() for layer in genotype.layers]}

    def genotype_from_data(self, data: Mapping[str, Any]) -> ChainGenotype:
        """Read ``{"layers": [{"op": ..., **hyperparameters}, ...]}``, naming the layer whose
        data has the wrong form (the layers themselves are checked by :meth:`validate`)."""
        where = f"malformed {self.name} genotype data"
        layers = data_list(
            data_dict(data, where, ["layers"])["layers"], f"{where}: 'layers'", "layers"
        )
        return ChainGenotype(
            tuple(layer_from_data(d, f"{where}: layer {i}") for i, d in enumerate(layers, start=1))
        )

    # -- graph, network, picture --------------------------------------------------------------
    def graph(self, genotype: ChainGenotype) -> nx.DiGraph:
        """Nodes 0..n are the tensors (0 the input, n the output); edge i-1 -> i is layer i."""
        genotype = self.validate(genotype)
        g = nx.DiGraph()
        n = len(genotype.layers)
        for i in range(n + 1):
            g.add_node(i, label="input" if i == 0 else ("output" if i == n else "tensor"))
        for i, layer in enumerate(genotype.layers, start=1):
            g.add_edge(i - 1, i, op=repr(layer), layer=layer)
        return g

    def build(
        self,
        genotype: ChainGenotype,
        input_shape: Sequence[int] = (1, 8, 8),
        num_classes: int = 10,
    ):
        """The chain as a ``torch.nn.Module`` (layers, then global pooling and a linear layer)."""
        from ..networks.chain import ChainNetwork

        shape = check_io(input_shape, num_classes)
        return ChainNetwork(self.validate(genotype), shape, int(num_classes), _validated=True)

    def plot(self, genotype: ChainGenotype, ax=None):
        """The layers left to right, one box each (into ``ax`` if given); returns the Figure."""
        from ..viz.basic import plot_layers

        return plot_layers(self.validate(genotype).layers, ax=ax).figure

    def __repr__(self) -> str:
        return (
            f"ChainSpace(layers {self.min_layers}..{self.max_layers}, "
            f"{self.choices.count} layer choices, {count_text(self.size())} genotypes)"
        )
