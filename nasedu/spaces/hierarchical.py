"""The hierarchical search space of Liu et al. (2018): motifs built from motifs.

Liu, Simonyan, Vinyals, Fernando and Kavukcuoglu (2018), "Hierarchical Representations for
Efficient Architecture Search", ICLR 2018 (arXiv 1711.00436).

**Section 2.1 -- one graph.**  An architecture is a single-source, single-sink DAG.  Each node is
a feature map (a latent representation), each edge an operation.  It is written down as an
upper-triangular adjacency matrix ``G`` whose entry ``G[i][j]`` names the operation placed on
the edge from node ``i`` to node ``j`` (or ``"none"``: no edge).  ``assemble(G, o)`` computes
the nodes in topological order, node ``j`` being the *depthwise concatenation* of
``o_{G[i][j]}(x_i)`` over its predecessors ``i``.

**Section 2.2 -- a hierarchy of graphs.**  There are ``L`` levels.  Level 1 holds the primitive
operations; level ``l >= 2`` holds ``M_l`` *motifs*, each a graph as above whose edges are
*motifs of level l-1*.  The top level holds a single motif: the cell.  So a level-3 motif is a
small DAG whose edges are whole level-2 motifs, each of which is a small DAG of primitives:

    o_m^(l) = assemble(G_m^(l), {o_1^(l-1), ..., o_{M_{l-1}}^(l-1)})

The same level-2 motif can sit on many level-3 edges (it is *reused*, with its own weights each
time), exactly like Inception modules reuse a handful of patterns at several scales.

**Section 2.3 -- primitives** (:data:`~nasedu.ops.LIU_PRIMITIVES`): 1x1 convolution of C
channels, 3x3 depthwise convolution, 3x3 separable convolution of C channels, 3x3 max pooling,
3x3 average pooling, identity.  Stride one, resolution-preserving padding, every convolution
followed by batch norm and ReLU.  The ``"none"`` op (no edge) is added at every level.

**Section 5.1 -- the paper's configuration** (the defaults here): ``L = 3``, the 6 primitives,
``M_2 = 6`` level-2 motifs of ``|G^(2)| = 4`` nodes, ``M_3 = 1`` level-3 motif of
``|G^(3)| = 5`` nodes, and "each of the level-2 motifs is followed by a 1x1 convolution with the
same number of channels as on the motif input".  The *flat* baseline of the same section is one
level of primitives on an 11-node graph: :class:`~nasedu.spaces.flat.FlatSpace`.

**Section 3 -- search.**  The mutation (3.1) picks a non-primitive level, a motif of that level, a
successor node ``j`` and a predecessor node ``i < j`` and replaces the op on the edge ``i -> j``
by another one (``"none"`` included, so edges appear and disappear).  The population is
initialised with the *trivial* genotype (every motif a chain of identities) diversified by 1000
random mutations (3.2, :meth:`HierarchicalSpace.initial`); the search algorithms (3.3) are
:func:`nasedu.search.tournament_evolution` and random search.

Genotypes (:class:`HierarchicalGenotype`, defined with :class:`Motif` in
:mod:`nasedu.spaces.motifs`) keep one tuple of :class:`Motif` per level; a motif
stores its full square matrix of names.  Level-2 entries are primitive names, entries at level
``l >= 3`` name a motif of level ``l-1`` as ``"m1"``, ``"m2"``, ... (numbered from 1, as in the
paper's ``o_1^(2), o_2^(2), ...``; printed genotypes use the paper's names with the level,
``o^(2)_1``).  Node numbers are matrix indices, from 0 (the motif's input)
to ``n-1`` (its output).

Choices made here where the paper is silent (each is said again where it matters):

* *validity*: the paper assumes single-source, single-sink graphs (Section 2.1) but a mutation
  may remove a node's only input.  :meth:`HierarchicalSpace.validate` enforces the assumption:
  every node other than 0 has an incoming edge and every node other than ``n-1`` an outgoing
  one, which is the same as "every node lies on a path from the input to the output".
  So the space has fewer *genotypes* than *encodings*: ``size()`` counts the valid genotypes
  (what ``enumerate()`` lists, ``sample()`` draws from and a search can meet), and
  ``num_encodings()`` every matrix that can be written down, valid or not (the paper's
  ``7**46``).  Per motif, :meth:`~HierarchicalSpace.motif_size` and
  :meth:`~HierarchicalSpace.num_motif_encodings` make the same distinction.
* the mutation draws the replacement op among those that keep the genotype valid, and starts
  over when there is none (removing the only input of a node);
* the trivial genotype uses ``skip_connect`` (the paper's identity) at level 2 and motif
  ``"m1"`` (itself a chain of identities) at higher levels;
* the 1x1 convolution follows level-2 motifs only (the paper's three levels have no other);
* unused motifs are part of the genotype (they can be mutated, and used later) but not of the
  architecture: :meth:`~HierarchicalSpace.flatten` and the hash ignore them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np

from ..opnames import LIU_PRIMITIVES, OP_NAMES
from .base import RngLike, SearchSpace, as_rng
from .checks import (
    InvalidArchitecture,
    check_int,
    check_io,
    check_names,
    short_repr,
)
from .motifs import (
    IDENTITY,
    MAX_COUNT,
    MOTIF_CONV,
    NONE,
    PAPER_CHANNELS,
    SMALL_CHANNELS,
    HierarchicalGenotype,
    Motif,
    check_motif,
    count_valid_matrices,
    differences,
    matrix_problem,
    motif_index,
    motif_name,
    motif_options,
    scientific,
)

__all__ = [
    "IDENTITY",
    "NONE",
    "PAPER_CHANNELS",
    "SMALL_CHANNELS",
    "HierarchicalGenotype",
    "HierarchicalSpace",
    "Motif",
    "count_valid_matrices",
    "differences",
    "motif_index",
    "motif_name",
    "scientific",
]

# --------------------------------------------------------------------------------------------
# The space
# --------------------------------------------------------------------------------------------


class HierarchicalSpace(SearchSpace[HierarchicalGenotype]):
    """Liu et al. (2018): ``L = len(motifs) + 1`` levels of motifs over ``primitives``.

    ``motifs[k]`` and ``nodes[k]`` are the number of motifs and their number of nodes at level
    ``k + 2``; the top level must hold one motif (the cell).  The defaults are the paper's
    (Section 5.1): six primitives, six level-2 motifs of 4 nodes, one level-3 motif of 5 nodes,
    and a 1x1 convolution after each level-2 motif (``motif_conv``).
    """

    name = "hierarchical"
    enumerate_limit = 1_000_000

    def __init__(
        self,
        primitives: Sequence[str] = LIU_PRIMITIVES,
        motifs: Sequence[int] = (6, 1),
        nodes: Sequence[int] = (4, 5),
        motif_conv: bool = True,
    ) -> None:
        primitives = check_names(primitives, "primitives", LIU_PRIMITIVES[:2])
        counts = {}
        for option, values in (("motifs", motifs), ("nodes", nodes)):
            if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
                raise ValueError(
                    f"{option} must be a list with one integer per level above the primitives, "
                    f"e.g. (6, 1) motifs of (4, 5) nodes; got {values!r}"
                )
            counts[option] = tuple(
                check_int(n, f"{option}[{i}]", at_most=MAX_COUNT) for i, n in enumerate(values)
            )
        motifs, nodes = counts["motifs"], counts["nodes"]
        if not isinstance(motif_conv, (bool, np.bool_)):
            raise ValueError(f"motif_conv must be True or False, got {motif_conv!r}")
        unknown = [p for p in primitives if p not in OP_NAMES or p == NONE]
        if not primitives or unknown or len(set(primitives)) != len(primitives):
            raise ValueError(
                f"primitives must be distinct op names from nasedu.ops.OPS other than 'none'; "
                f"unknown: {unknown}"
                if unknown
                else f"primitives must be distinct, got {primitives}"
            )
        if not motifs or len(motifs) != len(nodes):
            raise ValueError(
                "motifs and nodes need one entry per level above the primitives, "
                f"got motifs={motifs}, nodes={nodes}"
            )
        if any(m < 1 for m in motifs) or motifs[-1] != 1:
            raise ValueError(
                f"every level needs at least one motif and the top level exactly one (the cell), "
                f"got motifs={motifs}"
            )
        if any(n < 2 for n in nodes):
            raise ValueError(f"a motif needs at least 2 nodes, got nodes={nodes}")
        self.primitives = primitives
        self.motifs = motifs
        self.nodes = nodes
        self.motif_conv = bool(motif_conv)

    # -- structure ----------------------------------------------------------------------------
    @property
    def num_levels(self) -> int:
        """L, counting the primitives as level 1."""
        return len(self.motifs) + 1

    def ops(self, level: int) -> tuple[str, ...]:
        """The names allowed in the matrices of ``level``: ``"none"`` first, then level l-1."""
        return motif_options(level, self.motifs[level - 3] if level > 2 else 0, self.primitives)

    def _pairs(self, level: int) -> int:
        n = self.nodes[level - 2]
        return n * (n - 1) // 2

    # -- counting -----------------------------------------------------------------------------
    # Two numbers, because an adjacency matrix can be written down without being a graph the
    # paper allows (a node without input or output): an *encoding* is any matrix of names, a
    # *genotype* a valid one.  ``size()`` counts genotypes, as in every space of the course, so
    # that ``size() == len(list(enumerate()))``; ``num_encodings()`` counts what the paper
    # counts (Section 5.1 does not remove the invalid matrices from its space).

    def num_motif_encodings(self, level: int) -> int:
        """Every matrix a motif of ``level`` can be written as, valid or not: each of its
        ``n(n-1)/2`` node pairs ``i < j`` independently holds one of the level's names
        (``"none"`` included).  With the defaults ``7**6 = 117,649`` at level 2."""
        return len(self.ops(level)) ** self._pairs(level)

    def motif_size(self, level: int) -> int:
        """The number of *valid* motifs of ``level``: matrices in which every node lies on a
        path from the input to the output (:func:`count_valid_matrices`).  With the defaults
        83,160 of the 117,649 level-2 encodings (70.7%)."""
        return count_valid_matrices(self.nodes[level - 2], len(self.ops(level)) - 1)

    def size(self) -> int:
        """The exact number of valid genotypes: what :meth:`enumerate` lists.

        Every motif of every level is chosen independently, so it is the product of
        :meth:`motif_size` over all motifs: with the defaults ``83,160**6 * 198,141,552 ~
        6.55e37`` (compare :meth:`num_encodings`, ``7**46 ~ 7.49e38``: only 8.7% of the
        paper's encodings are valid genotypes).
        """
        return self._product(self.motif_size)

    def num_encodings(self) -> int:
        """The exact number of encodings, valid or not: the paper's count of the space.

        With the defaults ``7**(6 * 6) * 7**10 = 7**46``: each of the six level-2 motifs has 6
        node pairs with 7 choices (6 primitives or none), the level-3 motif 10 pairs with 7
        choices (6 level-2 motifs or none).
        """
        return self._product(self.num_motif_encodings)

    def _product(self, per_motif: Callable[[int], int]) -> int:
        total = 1
        for level in range(2, self.num_levels + 1):
            total *= per_motif(level) ** self.motifs[level - 2]
        return total

    def _enumerate(self) -> Iterator[HierarchicalGenotype]:
        """Every valid genotype (``size()`` of them; invalid encodings are not architectures),
        in a fixed order."""
        per_level = []
        for level in range(2, self.num_levels + 1):
            valid = list(self._valid_motifs(level))
            per_level.append(itertools.product(valid, repeat=self.motifs[level - 2]))
        for levels in itertools.product(*(list(p) for p in per_level)):
            yield HierarchicalGenotype(levels)

    def _valid_motifs(self, level: int) -> Iterator[Motif]:
        n, options = self.nodes[level - 2], self.ops(level)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        for choice in itertools.product(options, repeat=len(pairs)):
            motif = Motif.from_edges(n, dict(zip(pairs, choice)))
            if matrix_problem(motif.matrix) is None:
                yield motif

    # -- sampling, initialisation and mutation ------------------------------------------------
    def _sample_matrix(self, rng: np.random.Generator, level: int) -> list[list[str]]:
        """A uniformly random *valid* matrix (rejection sampling: exact, and cheap because most
        matrices are valid: with the defaults 70.7% of the level-2 ones, 83,160 of 7**6 =
        117,649, and 70.1% of the level-3 ones, so about 1.4 draws per matrix)."""
        n, options = self.nodes[level - 2], self.ops(level)
        while True:
            rows = [[NONE] * n for _ in range(n)]
            draws = rng.integers(len(options), size=self._pairs(level))
            k = 0
            for i in range(n):
                for j in range(i + 1, n):
                    rows[i][j] = options[int(draws[k])]
                    k += 1
            if matrix_problem(rows) is None:
                return rows

    def sample(self, rng: RngLike = None) -> HierarchicalGenotype:
        """A genotype drawn uniformly from the valid ones: every motif independently."""
        rng = as_rng(rng)
        return self._freeze(
            [
                [self._sample_matrix(rng, level) for _ in range(self.motifs[level - 2])]
                for level in range(2, self.num_levels + 1)
            ]
        )

    def trivial(self) -> HierarchicalGenotype:
        """Every motif a chain of identities (Section 3.2, step 1 of the initialisation).

        Level-2 chains use the identity primitive (the first primitive if there is no
        ``skip_connect``); higher levels chain motif ``"m1"`` (our choice: the paper does not
        say which motif; all of them are identity chains at this point).
        """
        identity = IDENTITY if IDENTITY in self.primitives else self.primitives[0]
        levels = []
        for level in range(2, self.num_levels + 1):
            op = identity if level == 2 else motif_name(0)
            chain = Motif.chain(self.nodes[level - 2], op)
            levels.append((chain,) * self.motifs[level - 2])
        return HierarchicalGenotype(tuple(levels))

    def initial(self, rng: RngLike = None, mutations: int = 1000) -> HierarchicalGenotype:
        """The paper's initial genotype: :meth:`trivial` diversified by ``mutations`` random
        mutations (Section 3.2; the paper uses 1000).  The same seed gives the same genotype.

        With at least two ops per level (the paper has six) the mutation is symmetric: A -> B is
        exactly as likely as B -> A (adding an edge picks one of k ops, removing it one of k
        alternatives; changing an op picks one of the same k-1 others).  So this random walk
        tends to the uniform distribution over valid genotypes, and after 1000 mutations
        ``initial`` and :meth:`sample` are practically the same distribution.
        """
        rng = as_rng(rng)
        levels = self._thaw(self.trivial())
        for _ in range(mutations):
            self._mutate_in_place(levels, rng)
        return self._freeze(levels)

    def mutate(self, genotype: HierarchicalGenotype, rng: RngLike = None) -> HierarchicalGenotype:
        """The paper's mutation (Section 3.1): exactly one matrix entry changes.

        1. a non-primitive level ``l`` (always 2 in a flat space), 2. a motif of that level,
        3. a successor node ``j``, 4. a predecessor node ``i < j``, 5. the op on ``i -> j`` is
        replaced by a *different* one drawn uniformly from those that keep the genotype valid
        (``"none"`` removes the edge; adding or changing an edge is always valid).  If there is
        no such op (removing a node's only input), the draw starts over (our choice).
        """
        rng = as_rng(rng)
        levels = self._thaw(self.validate(genotype))
        self._mutate_in_place(levels, rng)
        return self._freeze(levels)

    def _mutate_in_place(self, levels: list[list[list[list[str]]]], rng: np.random.Generator):
        if self.size() == 1:
            raise ValueError(f"{self!r} has a single valid genotype, which has no neighbour")
        while True:
            level = int(rng.integers(2, self.num_levels + 1))
            rows = levels[level - 2][int(rng.integers(self.motifs[level - 2]))]
            n = len(rows)
            j = int(rng.integers(1, n))
            i = int(rng.integers(j))
            current = rows[i][j]
            options = [op for op in self.ops(level) if op != current]
            if current != NONE:
                out_degree = sum(op != NONE for op in rows[i])
                in_degree = sum(rows[k][j] != NONE for k in range(n))
                if out_degree < 2 or in_degree < 2:  # removing i -> j would orphan i or j
                    options.remove(NONE)
            if options:
                rows[i][j] = options[int(rng.integers(len(options)))]
                return

    @staticmethod
    def _thaw(genotype: HierarchicalGenotype) -> list[list[list[list[str]]]]:
        return [[[list(r) for r in m.matrix] for m in level] for level in genotype.levels]

    @staticmethod
    def _freeze(levels: list[list[list[list[str]]]]) -> HierarchicalGenotype:
        return HierarchicalGenotype(tuple(tuple(Motif(m) for m in level) for level in levels))

    # -- validation and serialisation ---------------------------------------------------------
    def validate(self, genotype: HierarchicalGenotype) -> HierarchicalGenotype:
        """Return ``genotype`` or raise InvalidArchitecture naming the level, motif and entry.

        Every motif must pass :func:`~nasedu.spaces.motifs.check_motif` for this space's number
        of nodes and names at its level (the rules that a network built directly checks too).
        """
        if not isinstance(genotype, HierarchicalGenotype):
            raise InvalidArchitecture(
                f"expected a HierarchicalGenotype, got {type(genotype).__name__}"
            )
        if len(genotype.levels) != self.num_levels - 1:
            raise InvalidArchitecture(
                f"the genotype has motifs for {len(genotype.levels)} levels (2..."
                f"{len(genotype.levels) + 1}); this space has levels 2..{self.num_levels}"
            )
        for level, motifs in enumerate(genotype.levels, start=2):
            expected = self.motifs[level - 2]
            if len(motifs) != expected:
                raise InvalidArchitecture(
                    f"level {level} has {len(motifs)} motifs; this space has {expected}"
                )
            n, options = self.nodes[level - 2], self.ops(level)
            for m, motif in enumerate(motifs):
                where = f"level {level}, motif {motif_name(m)}"
                check_motif(motif, where, num_nodes=n, options=options, level=level)
        return genotype

    def genotype_to_data(self, genotype: HierarchicalGenotype) -> dict[str, Any]:
        """``{"levels": [[matrix, ...], ...]}``: level 2 first, each matrix a list of rows."""
        return {
            "levels": [
                [[list(row) for row in m.matrix] for m in level] for level in genotype.levels
            ]
        }

    def genotype_from_data(self, data: Mapping[str, Any]) -> HierarchicalGenotype:
        """Read :meth:`genotype_to_data`'s ``{"levels": [[matrix, ...], ...]}``.

        Checks the *types* (a list of levels, each a list of matrices, each a list of rows of
        strings) and names the level, motif and row that is wrong -- so that a string such as
        ``"abc"`` is not read as a column of characters, nor a dict as its keys.  Shapes and
        names are then checked by :meth:`validate` (``from_json`` calls it).
        """
        if not isinstance(data, Mapping) or set(data) != {"levels"}:
            got = f"keys {sorted(map(str, data))}" if isinstance(data, Mapping) else "a "
            got += "" if isinstance(data, Mapping) else type(data).__name__
            raise InvalidArchitecture(
                f"malformed {self.name} genotype data: expected a dict with the single key "
                f'"levels", {{"levels": [[matrix, ...], ...]}}, got {got}'
            )
        levels = data["levels"]
        if not isinstance(levels, (list, tuple)):
            raise InvalidArchitecture(
                f"'levels' must be a list with one list of motifs per level 2..., "
                f"got {type(levels).__name__}"
            )
        parsed = []
        for level, motifs in enumerate(levels, start=2):
            if not isinstance(motifs, (list, tuple)):
                raise InvalidArchitecture(
                    f"level {level} must be a list of motif matrices, got {type(motifs).__name__}"
                )
            matrices = []
            for m, matrix in enumerate(motifs):
                where = f"level {level}, motif {motif_name(m)}"
                if not isinstance(matrix, (list, tuple)):
                    raise InvalidArchitecture(
                        f"{where}: the adjacency matrix must be a list of rows, "
                        f"got {type(matrix).__name__} {matrix!r}"
                    )
                for i, row in enumerate(matrix):
                    if not isinstance(row, (list, tuple)):
                        raise InvalidArchitecture(
                            f"{where}, row {i} must be a list of op names, "
                            f"got {type(row).__name__} {row!r}"
                        )
                    for j, entry in enumerate(row):
                        if not isinstance(entry, str):
                            raise InvalidArchitecture(
                                f"{where}, entry ({i}, {j}) must be an op name (a string), "
                                f"got {type(entry).__name__} {entry!r}"
                            )
                matrices.append(Motif(tuple(tuple(row) for row in matrix)))
            parsed.append(tuple(matrices))
        return HierarchicalGenotype(tuple(parsed))

    # -- the flattened DAG, the network, pictures ---------------------------------------------
    def flatten(self, genotype: HierarchicalGenotype) -> nx.DiGraph:
        """The cell expanded down to primitives: how level-L motifs reuse lower motifs.

        Every edge of the level-L motif that names a motif is replaced by a copy of that motif
        (its input node is the edge's source; its output node is the edge's target, or, after a
        level-2 motif, a new node followed by the 1x1 ``motif_conv`` edge), recursively down to
        level 1.  Merging by concatenation is associative, so identifying a motif's output with
        the node it feeds does not change the function.

        Nodes are integers; node attributes: ``label`` (``"input"``, ``"output"`` or ``""``),
        ``top`` (the node's number in the level-L motif, or None), ``motif`` (for inner nodes:
        ``(level, name)`` of the motif copy that created it).  Edge attributes: ``op`` (a
        primitive name), ``kind`` (``"primitive"`` or ``"motif_conv"``) and ``path`` (the
        chain of ``(level, i, j, name)`` motif edges it came from).  ``graph["primitives"]``
        and ``graph["motif_convs"]`` count the two kinds of edges.
        """
        genotype = self.validate(genotype)
        dag = nx.DiGraph(primitives=0, motif_convs=0)
        top_n = self.nodes[-1]
        for k in range(top_n):
            label = "input" if k == 0 else "output" if k == top_n - 1 else ""
            dag.add_node(k, label=label, top=k, motif=None)
        counter = itertools.count(top_n)

        def new_node(level: int, m: int) -> int:
            node = next(counter)
            dag.add_node(node, label="", top=None, motif=(level, motif_name(m)))
            return node

        def expand(level: int, m: int, ids: list[int], path: tuple) -> None:
            for i, j, op in genotype.levels[level - 2][m].edges():
                if level == 2:
                    dag.add_edge(ids[i], ids[j], op=op, kind="primitive", path=path)
                    dag.graph["primitives"] += 1
                    continue
                inner = motif_index(op)
                n = self.nodes[level - 3]
                sub = [ids[i]] + [new_node(level - 1, inner) for _ in range(n - 2)]
                convolved = level - 1 == 2 and self.motif_conv
                sub.append(new_node(level - 1, inner) if convolved else ids[j])
                expand(level - 1, inner, sub, (*path, (level, i, j, op)))
                if convolved:
                    dag.add_edge(sub[-1], ids[j], op=MOTIF_CONV, kind="motif_conv", path=path)
                    dag.graph["motif_convs"] += 1

        expand(self.num_levels, 0, list(range(top_n)), ())
        return dag

    def graph(self, genotype: HierarchicalGenotype) -> nx.DiGraph:
        """The flattened DAG of primitives (see :meth:`flatten`): what the network computes.

        ``arch_hash`` hashes it, so two genotypes that differ only by a renumbering of nodes
        inside motifs, by the numbering of their motifs, or by motifs that the cell does not use
        hash equal.
        """
        return self.flatten(genotype)

    def build(
        self,
        genotype: HierarchicalGenotype,
        input_shape: Sequence[int] = (1, 8, 8),
        num_classes: int = 10,
        channels: Sequence[int] | None = None,
        cells_per_stage: int = 1,
    ):
        """The paper's small evaluation model (Section 5.1, Fig. 2, top left).

        3x3 conv stem with ``channels[0]``, then for every stage: the cell (the assembled
        level-L motif) ``cells_per_stage`` times, and between stages a 3x3 separable conv of
        stride 2 to the next stage's channels; global average pooling and a linear classifier
        (see :class:`~nasedu.networks.hierarchical.HierarchicalNetwork`).

        ``channels=None`` picks the paper's :data:`PAPER_CHANNELS` (16, 32, 64) for inputs of
        at least 32x32 pixels (CIFAR-10) and :data:`SMALL_CHANNELS` (8, 16, 32) for smaller
        ones such as the 8x8 digits -- our choice, so that an epoch of digits takes seconds on a
        laptop CPU (concatenation makes a cell up to 8 times wider than its input).  Pass
        ``channels=PAPER_CHANNELS`` to get the paper's widths on any input.

        The flat baseline (:class:`~nasedu.spaces.flat.FlatSpace`) builds with this method too,
        but its cell has no motif 1x1 convs, so it is far wider (hundreds to thousands of
        channels on a 16-channel input) and its models several times larger: compare parameter
        counts before comparing accuracies.
        """
        from ..networks.hierarchical import HierarchicalNetwork

        c, h, w = check_io(input_shape, num_classes)
        if channels is None:
            channels = PAPER_CHANNELS if min(h, w) >= 32 else SMALL_CHANNELS
        if isinstance(channels, (str, bytes, Mapping)) or not hasattr(channels, "__iter__"):
            raise ValueError(
                f"channels must be one positive integer per stage, e.g. {PAPER_CHANNELS}; "
                f"got {short_repr(channels)}"
            )
        return HierarchicalNetwork(
            self.validate(genotype),
            (c, h, w),
            int(num_classes),
            # checked there (1.5 must not become 1); a range(10**9) is not walked to its end
            channels=tuple(itertools.islice(channels, 17)),
            cells_per_stage=cells_per_stage,
            motif_conv=self.motif_conv,
            _validated=True,
        )

    def plot(self, genotype: HierarchicalGenotype, ax=None, flattened: bool = True):
        """Each level-2 motif in its own panel, the cell above them, the flattened DAG below.
        With ``ax``, only the cell is drawn into it.  Returns the Figure."""
        from ..viz.hierarchical import plot_hierarchical, plot_motif

        genotype = self.validate(genotype)
        if ax is not None:
            title = f"level-{self.num_levels} motif"
            return plot_motif(genotype.cell, ax=ax, title=title).figure
        return plot_hierarchical(self, genotype, flattened=flattened)

    # -- the flat baseline --------------------------------------------------------------------
    @classmethod
    def flat(cls, nodes: int = 11, primitives: Sequence[str] = LIU_PRIMITIVES):
        """The paper's flat baseline (Section 5.1): one level of primitives on ``nodes`` nodes."""
        from .flat import FlatSpace

        return FlatSpace(nodes=nodes, primitives=primitives)

    def __repr__(self) -> str:
        levels = ", ".join(
            f"level {level}: {m} x {n} nodes"
            for level, (m, n) in enumerate(zip(self.motifs, self.nodes), start=2)
        )
        return (
            f"{type(self).__name__}(L={self.num_levels}, {len(self.primitives)} primitives, "
            f"{levels}, {scientific(self.size())} genotypes of "
            f"{scientific(self.num_encodings())} encodings)"
        )
