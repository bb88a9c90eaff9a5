"""Motifs: the adjacency-matrix DAGs of the hierarchical space, and genotypes made of them.

Liu et al. (2018), "Hierarchical Representations for Efficient Architecture Search", Sections
2.1-2.2.  A :class:`Motif` is an upper-triangular matrix of op names: entry ``[i][j]`` is the
operation on the edge from node ``i`` to node ``j`` (``"none"``: no edge).  A
:class:`HierarchicalGenotype` keeps one tuple of motifs per level (level 2 upwards; level 1 is
the primitives).  This module holds the data and the counting of valid matrices; the search
space that samples, mutates, flattens and builds them is
:class:`nasedu.spaces.hierarchical.HierarchicalSpace`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..opnames import OP_NAMES
from .checks import InvalidArchitecture, as_tuple, is_int, scientific, short_repr

__all__ = [
    "IDENTITY",
    "MAX_COUNT",
    "MOTIF_CONV",
    "NONE",
    "PAPER_CHANNELS",
    "SMALL_CHANNELS",
    "PRIMITIVES",
    "HierarchicalGenotype",
    "Motif",
    "check_genotype",
    "check_motif",
    "count_valid_matrices",
    "differences",
    "matrix_problem",
    "motif_index",
    "motif_name",
    "motif_options",
    "paper_name",
    "scientific",
]

NONE = "none"
"""The "no edge" entry of an adjacency matrix (Section 2.3: added to the ops of every level)."""

IDENTITY = "skip_connect"
"""The paper's identity primitive, under its name in :data:`nasedu.opnames.OP_NAMES`."""

PAPER_CHANNELS: tuple[int, ...] = (16, 32, 64)
"""Channels of the three stages of the paper's small search model (Section 5.1)."""

SMALL_CHANNELS: tuple[int, ...] = (8, 16, 32)
"""Half of them: the default of ``build`` for inputs smaller than 32x32 (our choice)."""

MOTIF_CONV = "conv_1x1_bn_relu"
"""The 1x1 convolution that follows every level-2 motif (Section 5.1), in the flattened DAG."""

MAX_COUNT = 100
"""The most motifs per level, and nodes per motif, a space or a network may have (the paper: 6
and 5)."""

PRIMITIVES: tuple[str, ...] = tuple(op for op in OP_NAMES if op != NONE)
"""What a network can put on a level-2 edge: every op of :data:`~nasedu.opnames.OP_NAMES`."""


def motif_name(index: int) -> str:
    """The name of the motif with 0-based ``index``: ``"m1"`` for 0 (the paper's o_1)."""
    return f"m{index + 1}"


def paper_name(level: int, index: int) -> str:
    """The paper's name of motif ``index`` (0-based) of ``level``: ``o^(2)_1`` for the first
    level-2 motif, written :math:`o^{(2)}_1` in Liu et al. (2018).  The genotype's data keeps the
    short ``"m1"`` (the level is where it is stored); printing adds the level."""
    return f"o^({level})_{index + 1}"


def motif_index(name: str) -> int | None:
    """0-based index of a motif name such as ``"m3"``, or None if ``name`` is not one."""
    if isinstance(name, str) and name[:1] == "m" and name[1:].isdigit() and name[1:] != "0":
        return int(name[1:]) - 1
    return None


# --------------------------------------------------------------------------------------------
# Genotypes
# --------------------------------------------------------------------------------------------


def _check_edge(num_nodes: int, i: Any, j: Any) -> None:
    """Refuse an entry ``(i, j)`` outside the matrix: Python's negative indices would otherwise
    silently put the op on another edge (-1 is the output node).  Entries below the diagonal
    are left to :func:`check_motif`, which explains why they must be none."""
    for k in (i, j):
        if not is_int(k):
            raise InvalidArchitecture(f"edge ({i!r}, {j!r}): nodes are integers, got {k!r}")
    if not (0 <= i < num_nodes and 0 <= j < num_nodes):
        raise InvalidArchitecture(
            f"edge ({i}, {j}) is not in a {num_nodes}-node motif: its nodes are numbered "
            f"0..{num_nodes - 1} (an edge goes from i to a higher node j)"
        )


@dataclass(frozen=True)
class Motif:
    """One motif: a square matrix of names, ``matrix[i][j]`` the op on the edge ``i -> j``.

    Only the strict upper triangle (``i < j``) may hold ops; everything else is ``"none"``.
    Prints as its edge list, e.g. ``Motif(n=3: 0->1 skip_connect, 1->2 max_pool_3x3)``.
    """

    matrix: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        rows = as_tuple(self.matrix, "Motif matrix", "rows")
        matrix = tuple(
            as_tuple(row, f"Motif matrix row {i}", "op names") for i, row in enumerate(rows)
        )
        object.__setattr__(self, "matrix", matrix)

    @property
    def num_nodes(self) -> int:
        return len(self.matrix)

    @classmethod
    def empty(cls, num_nodes: int) -> Motif:
        """``num_nodes`` nodes and no edges (not valid yet: add edges with :meth:`with_edge`)."""
        return cls(tuple((NONE,) * num_nodes for _ in range(num_nodes)))

    @classmethod
    def from_edges(
        cls, num_nodes: int, edges: Mapping[tuple[int, int], str] | Iterable[tuple[int, int, str]]
    ) -> Motif:
        """A motif from ``{(i, j): op}`` or ``[(i, j, op), ...]``; the other entries are none."""
        items = (
            edges.items() if isinstance(edges, Mapping) else (((i, j), op) for i, j, op in edges)
        )
        rows = [[NONE] * num_nodes for _ in range(num_nodes)]
        for (i, j), op in items:
            _check_edge(num_nodes, i, j)
            rows[i][j] = op
        return cls(tuple(tuple(row) for row in rows))

    @classmethod
    def chain(cls, num_nodes: int, op: str) -> Motif:
        """The chain ``0 -> 1 -> ... -> n-1`` with ``op`` on every edge."""
        return cls.from_edges(num_nodes, {(i, i + 1): op for i in range(num_nodes - 1)})

    def with_edge(self, i: int, j: int, op: str) -> Motif:
        """A copy with ``op`` on the edge ``i -> j`` (``"none"`` removes the edge)."""
        _check_edge(self.num_nodes, i, j)
        rows = [list(row) for row in self.matrix]
        rows[i][j] = op
        return Motif(tuple(tuple(row) for row in rows))

    def edges(self) -> list[tuple[int, int, str]]:
        """``(i, j, op)`` for every entry that is not ``"none"``, row by row."""
        return [
            (i, j, op)
            for i, row in enumerate(self.matrix)
            for j, op in enumerate(row)
            if op != NONE
        ]

    def __repr__(self) -> str:
        edges = ", ".join(f"{i}->{j} {op}" for i, j, op in self.edges())
        return f"Motif(n={self.num_nodes}: {edges or 'no edges'})"


@dataclass(frozen=True)
class HierarchicalGenotype:
    """The motifs of every non-primitive level: ``levels[0]`` is level 2, ``levels[-1]`` level L.

    ``genotype.motif(2, 3)`` is the level-2 motif ``"m3"``; ``genotype.cell`` the level-L motif.
    ``print(genotype)`` lists every motif under the paper's name, ``o^(2)_3`` for that one
    (:func:`paper_name`: the data says ``"m3"``, its place in ``levels`` gives the level), with
    its edges ``i->j op``; ``repr`` is a one-line summary, however big the genotype.
    """

    levels: tuple[tuple[Motif, ...], ...]

    def __post_init__(self) -> None:
        levels = as_tuple(self.levels, "HierarchicalGenotype levels", "levels")
        motifs = tuple(
            as_tuple(level, f"level {k}", "Motifs") for k, level in enumerate(levels, start=2)
        )
        object.__setattr__(self, "levels", motifs)

    @property
    def num_levels(self) -> int:
        """L: the number of levels, counting the primitives as level 1."""
        return len(self.levels) + 1

    def _check_motif(self, level: int, number: int) -> None:
        """Refuse a level or motif number outside the genotype (no silent wrap-around through
        Python's negative indices)."""
        top = self.num_levels
        if not is_int(level):
            raise InvalidArchitecture(f"level must be an integer 2..{top}, got {level!r}")
        if not 2 <= level <= top:
            raise InvalidArchitecture(
                f"level {level} does not exist: motif levels are 2..{top} (level 1 holds the "
                f"primitives, which are not motifs)"
            )
        count = len(self.levels[level - 2])
        if not is_int(number):
            raise InvalidArchitecture(f"motif number must be an integer 1..{count}, got {number!r}")
        if not 1 <= number <= count:
            names = ", ".join(motif_name(m) for m in range(count))
            raise InvalidArchitecture(
                f"level {level} has no motif number {number}: its motifs are numbered "
                f"1..{count} ({names})"
            )

    def motif(self, level: int, number: int) -> Motif:
        """Motif ``"m<number>"`` (numbered from 1) of ``level`` (from 2).

        Raises InvalidArchitecture for a level or number outside the genotype.
        """
        self._check_motif(level, number)
        return self.levels[level - 2][number - 1]

    @property
    def cell(self) -> Motif:
        """The single motif of the top level: the whole cell."""
        return self.levels[-1][0]

    def with_motif(self, level: int, number: int, motif: Motif) -> HierarchicalGenotype:
        """A copy with motif ``"m<number>"`` of ``level`` replaced (the new motif is not
        validated; a level or number outside the genotype raises InvalidArchitecture)."""
        self._check_motif(level, number)
        levels = [list(motifs) for motifs in self.levels]
        levels[level - 2][number - 1] = motif
        return HierarchicalGenotype(tuple(tuple(motifs) for motifs in levels))

    # -- printing, in the paper's notation ---------------------------------------------------
    # Section 2.2 names the m-th motif of level l o^(l)_m and its adjacency matrix G^(l)_m:
    #     o^(l)_m = assemble(G^(l)_m, {o^(l-1)_1, ..., o^(l-1)_{M_(l-1)}})
    # str() lists every motif's edges under that name; repr() stays one short line, whatever the
    # size (a flat 11-node cell has up to 55 edges); notebooks show the str (_repr_pretty_).

    def __str__(self) -> str:
        top = self.num_levels
        lines = [
            f"HierarchicalGenotype, L = {top} (level 1: the primitives; "
            "o^(l)_m = assemble(G^(l)_m, level l-1)):"
        ]
        for level, motifs in enumerate(self.levels, start=2):
            lines.append(f"  level {level}{' (the cell)' if level == top else ''}:")
            for m, motif in enumerate(motifs):
                lines += _motif_lines(paper_name(level, m), motif, level)
        return "\n".join(lines)

    def __repr__(self) -> str:
        parts = []
        for level, motifs in enumerate(self.levels, start=2):
            if not motifs:
                parts.append(f"level {level}: no motifs")
                continue
            names = paper_name(level, 0)
            if len(motifs) > 1:
                names += f"..{paper_name(level, len(motifs) - 1)}"
            nodes = sorted({m.num_nodes for m in motifs if isinstance(m, Motif)})
            size = "-".join(map(str, nodes[:: max(len(nodes) - 1, 1)]))
            edges = sum(len(m.edges()) for m in motifs if isinstance(m, Motif))
            parts.append(f"{names}: {size} nodes, {edges} edges")
        return f"HierarchicalGenotype(L={self.num_levels}; {'; '.join(parts)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython and Jupyter show every motif (``str``), not the one-line ``repr``."""
        printer.text(str(self))


def _motif_lines(name: str, motif: Any, level: int, width: int = 100) -> list[str]:
    """``name, n nodes: i->j op, ...`` wrapped to ``width``; entries of level ``l >= 3`` name
    motifs of level ``l - 1`` by their paper name (``m2`` -> ``o^(2)_2``)."""
    if not isinstance(motif, Motif):  # unchecked data: shown, not explained
        return [f"    {name}: {short_repr(motif)}"]

    def entry(op: str) -> str:
        index = motif_index(op) if level > 2 else None
        return op if index is None else paper_name(level - 1, index)

    edges = [f"{i}->{j} {entry(op)}" for i, j, op in motif.edges()] or ["no edges"]
    lines = [f"    {name}, {motif.num_nodes} nodes: {edges[0]}"]
    indent = " " * (lines[0].index(":") + 2)
    for edge in edges[1:]:  # an edge is never split over two lines
        if len(lines[-1]) + len(edge) + 3 > width:  # ", " + edge + a possible ","
            lines[-1] += ","
            lines.append(indent + edge)
        else:
            lines[-1] += ", " + edge
    return lines


def differences(
    a: HierarchicalGenotype, b: HierarchicalGenotype
) -> list[tuple[int, str, int, int, str, str]]:
    """Every entry where two genotypes of one space differ, as
    ``(level, motif name, i, j, entry in a, entry in b)``: one row after a mutation."""
    return [
        (level, motif_name(m), i, j, x, y)
        for level, (motifs_a, motifs_b) in enumerate(zip(a.levels, b.levels), start=2)
        for m, (motif_a, motif_b) in enumerate(zip(motifs_a, motifs_b))
        for i, (row_a, row_b) in enumerate(zip(motif_a.matrix, motif_b.matrix))
        for j, (x, y) in enumerate(zip(row_a, row_b))
        if x != y
    ]


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------


@cache
def count_valid_matrices(num_nodes: int, num_ops: int) -> int:
    """How many upper-triangular matrices over ``num_ops`` ops (plus none) are valid motifs.

    Valid means: every column ``j >= 1`` holds an op (node ``j`` has an input) and every row
    ``i <= n-2`` holds one (node ``i`` has a consumer).  Inclusion-exclusion over the set ``T``
    of rows forced empty, with a sum over columns given the number ``c`` of free rows above::

        sum over T of (-1)^|T| * prod_j ((num_ops + 1)^(c_j) - 1)

    computed by dynamic programming over ``c`` (exact integers, O(n^2)).
    """
    if num_nodes < 2:
        raise ValueError("a motif needs at least two nodes (its input and its output)")
    weights: dict[int, int] = {0: 1}  # free rows among 0..j-1 -> signed count
    for _ in range(1, num_nodes):
        decided: dict[int, int] = {}
        for free, value in weights.items():  # decide row j-1: free, or forced empty (sign -)
            decided[free + 1] = decided.get(free + 1, 0) + value
            decided[free] = decided.get(free, 0) - value
        weights = {free: value * ((num_ops + 1) ** free - 1) for free, value in decided.items()}
    return sum(weights.values())


def matrix_problem(matrix: Sequence[Sequence[str]]) -> str | None:
    """Why a square matrix of known names breaks the single-source/single-sink rule, or None."""
    n = len(matrix)
    for j in range(1, n):
        if all(matrix[i][j] == NONE for i in range(j)):
            entries = ", ".join(f"({i}, {j})" for i in range(j))
            return (
                f"node {j} has no incoming edge, so it cannot be computed; every node must lie "
                f"on a path from the input node 0 to the output node {n - 1} (the paper's "
                f"single-source, single-sink graphs, Sec. 2.1): give one of the entries "
                f"{entries} an op"
            )
    for i in range(n - 1):
        if all(matrix[i][j] == NONE for j in range(i + 1, n)):
            entries = ", ".join(f"({i}, {j})" for j in range(i + 1, n))
            return (
                f"node {i} has no outgoing edge, so its result is never used; every node must "
                f"lie on a path from the input node 0 to the output node {n - 1} (the paper's "
                f"single-source, single-sink graphs, Sec. 2.1): give one of the entries "
                f"{entries} an op"
            )
    return None


# --------------------------------------------------------------------------------------------
# The rules of a valid motif and genotype (HierarchicalSpace.validate and the networks use them)
# --------------------------------------------------------------------------------------------


def motif_options(level: int, motifs_below: int, primitives: Sequence[str] = PRIMITIVES):
    """The names allowed in a matrix of ``level``: ``"none"`` first, then the primitives (level
    2) or the ``motifs_below`` motifs of level ``level - 1`` (``"m1"``, ``"m2"``, ...)."""
    if level == 2:
        return (NONE, *primitives)
    return (NONE, *(motif_name(m) for m in range(motifs_below)))


def check_motif(
    motif: Any,
    where: str = "motif",
    num_nodes: int | None = None,
    options: Sequence[str] | None = None,
    level: int = 2,
) -> Motif:
    """``motif`` if it is a valid motif, else InvalidArchitecture naming ``where`` and the entry.

    The rules (Sections 2.1-2.2): a square matrix (of ``num_nodes`` nodes when given, else of at
    least 2), strictly upper-triangular (every edge goes from a lower to a higher node, so there
    is no cycle), every entry one of ``options`` when given (the names of ``level``, see
    :func:`motif_options`), and every node on a path from the input to the output.
    """
    if not isinstance(motif, Motif):
        raise InvalidArchitecture(f"{where}: expected a Motif, got {short_repr(motif)}")
    matrix = motif.matrix
    n = len(matrix)
    if num_nodes is None and (n < 2 or any(len(row) != n for row in matrix)):
        raise InvalidArchitecture(
            f"{where}: the adjacency matrix must be square with at least 2 nodes, got rows of "
            f"lengths {[len(row) for row in matrix]}"
        )
    if num_nodes is not None and (n != num_nodes or any(len(row) != n for row in matrix)):
        shape = f"{n}x{'/'.join(sorted({str(len(r)) for r in matrix})) or 0}"
        raise InvalidArchitecture(
            f"{where}: the adjacency matrix is {shape}; motifs of level {level} have "
            f"{num_nodes} nodes, so it must be {num_nodes}x{num_nodes}"
        )
    for i, row in enumerate(matrix):
        for j, op in enumerate(row):
            if j <= i and op != NONE:
                raise InvalidArchitecture(
                    f"{where}, entry ({i}, {j}) is {op!r}: the matrix must be strictly "
                    "upper-triangular (edges go from a lower to a higher node, i < j, so the "
                    "graph has no cycles); put 'none' there"
                )
            if options is not None and op not in options:
                what = "a primitive" if level == 2 else f"a motif of level {level - 1}"
                raise InvalidArchitecture(
                    f"{where}, entry ({i}, {j}) is {op!r}, which is not {what} of this "
                    f"space; valid entries: {', '.join(options)}"
                )
    problem = matrix_problem(matrix)
    if problem is not None:
        raise InvalidArchitecture(f"{where}: {problem}")
    return motif


def check_genotype(genotype: Any) -> HierarchicalGenotype:
    """``genotype`` if a network can build it, else InvalidArchitecture naming the level, motif
    and entry: every motif passes :func:`check_motif` over every primitive of
    :data:`~nasedu.opnames.OP_NAMES` at level 2 and the motifs of the level below above it.

    A genotype built by hand belongs to no single space (the motifs of one level may even
    differ in size); :meth:`HierarchicalSpace.validate
    <nasedu.spaces.hierarchical.HierarchicalSpace.validate>` checks the same rules for the
    sizes and primitives of its space.
    """
    if not isinstance(genotype, HierarchicalGenotype):
        raise InvalidArchitecture(f"expected a HierarchicalGenotype, got {short_repr(genotype)}")
    counts = tuple(len(motifs) for motifs in genotype.levels)
    if not counts or min(counts) < 1 or counts[-1] != 1:
        raise InvalidArchitecture(
            f"the genotype has {list(counts)} motifs on its levels above the primitives; every "
            "level needs at least one motif, and the top level exactly one (the cell)"
        )
    if max(counts) > MAX_COUNT:
        raise InvalidArchitecture(
            f"the genotype has {list(counts)} motifs on its levels; a level has at most {MAX_COUNT}"
        )
    for level, motifs in enumerate(genotype.levels, start=2):
        options = motif_options(level, counts[level - 3] if level > 2 else 0)
        for m, motif in enumerate(motifs):
            n = motif.num_nodes if isinstance(motif, Motif) else 2
            if n < 2:
                raise InvalidArchitecture(
                    f"level {level}, motif {motif_name(m)} has {n} node(s); a motif needs at "
                    "least 2 (its input and its output)"
                )
            if n > MAX_COUNT:
                raise InvalidArchitecture(
                    f"level {level}, motif {motif_name(m)} has {n} nodes; a motif has at most "
                    f"{MAX_COUNT}"
                )
            where = f"level {level}, motif {motif_name(m)}"
            check_motif(motif, where, num_nodes=n, options=options, level=level)
    return genotype
