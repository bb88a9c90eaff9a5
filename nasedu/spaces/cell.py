"""The NASNet cell search space: search for a small *cell*, then stack it into a network.

Zoph, Vasudevan, Shlens and Le (2018), "Learning Transferable Architectures for Scalable Image
Recognition", Section 3.  Instead of searching a whole network, search two small graphs:

* a **normal cell**, which keeps the resolution of its input, and
* a **reduction cell**, which halves it (its ops applied to the cell's inputs have stride 2),

and build the network by hand from copies of them (the *macro architecture*, here N normal cells,
a reduction cell, N normal cells, a reduction cell, N normal cells; see
:mod:`nasedu.networks.cell`).

A cell has two inputs, the outputs ``h_{i-1}`` and ``h_i`` of the two previous cells, and ``B``
*blocks* (B=5 in the paper).  Each block makes the paper's **5 choices** (Section 3, Figure 3):

1. a first hidden state to read: a cell input or the output of an earlier block of this cell,
2. a second hidden state (possibly the same one),
3. an operation to apply to the first (from the 13 of :data:`~nasedu.ops.NASNET_OPS`),
4. an operation to apply to the second,
5. a method to combine the two results: element-wise addition or depth concatenation.

"All of the unused hidden states generated in the convolutional cell are concatenated together in
depth to provide the final cell output" (Section 3): the output of every block that no later
block reads becomes part of the cell's output.  The original TensorFlow code of NASNet
(``tensorflow/models``, ``research/slim/nets/nasnet/nasnet_utils.py``) departs from this rule: it
concatenates the states marked unused in a fixed list, ``used_hiddenstates``, so the NASNet-A
normal cell also concatenates its cell input ``h_{i-1}`` (6 states: ``6C`` channels), and the
reduction cell concatenates blocks 2-5, including block 2 which block 4 reads (4 states).  This
package never concatenates a cell input and concatenates exactly the unread blocks, as the DARTS
reference code does with the NASNet-A genotype of :mod:`nasedu.zoo` (5 states in the normal cell,
3 in the reduction cell).  Cell outputs are therefore narrower than in the TensorFlow NASNet, and
the 1x1 preprocessing convs of the next cells and the classifier have fewer parameters.

Hidden states are numbered as in the DARTS code: ``0`` is ``h_{i-1}``, ``1`` is ``h_i`` and
``k + 1`` is the output of block ``k`` (blocks are numbered 1..B), so block ``k`` may read states
``0 .. k``.  A genotype prints like the paper's figures::

    b1 = add(sep_conv_5x5(h_i), sep_conv_3x3(h_{i-1}))

**Size.**  Block ``k`` has ``k + 1`` hidden states to choose from, so with ``K`` ops and ``M``
combine methods it has ``((k + 1) * K)**2 * M`` encodings, a cell has the product over its B
blocks, and a genotype (normal and reduction cell) the square of that.  Both combine methods are
commutative, so a block that reads ``(a, op_a)`` and ``(b, op_b)`` is the same block as the one
that reads them the other way round: :meth:`CellSpace.size_up_to_symmetry` counts the cells
different up to these swaps, ``M * n * (n + 1) / 2`` per block with ``n = (k + 1) * K``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import networkx as nx

from ..opnames import NASNET_OPS, OP_NAMES
from .base import RngLike, SearchSpace, as_rng, choose
from .checks import (
    InvalidArchitecture,
    SpaceTooLarge,
    as_tuple,
    check_index,
    check_int,
    check_io,
    check_names,
    count_text,
    data_dict,
    data_list,
    is_int,
    scientific,
    short_repr,
)

__all__ = [
    "CELL_KINDS",
    "CHOICES",
    "COMBINES",
    "Block",
    "Cell",
    "CellGenotype",
    "CellSpace",
    "WiredCell",
    "check_cell",
    "check_concat",
    "check_wired_cell",
    "state_name",
]

MAX_BLOCKS = 1_000
"""The most blocks a cell may have (NASNet has 5, DARTS 4): a typo such as 10**30 is refused
instead of sampling for ever."""

COMBINES: tuple[str, ...] = ("add", "concat")
"""Step 5 of a block: element-wise addition or concatenation along the channel axis."""

CHOICES: tuple[str, ...] = ("first input", "second input", "first op", "second op", "combine")
"""The 5 choices of a block, in the order of the paper (Zoph et al. 2018, Figure 3)."""

CELL_KINDS: tuple[str, ...] = ("normal", "reduction")


def state_name(k: int) -> str:
    """Hidden state ``k`` as the paper writes it: h_{i-1}, h_i, then b1, b2, ... (block outputs)."""
    if k == 0:
        return "h_{i-1}"
    if k == 1:
        return "h_i"
    return f"b{k - 1}"


@dataclass(frozen=True)
class Block:
    """One block: ``combine(ops[0](state inputs[0]), ops[1](state inputs[1]))``."""

    inputs: tuple[int, int]
    ops: tuple[str, str]
    combine: str = "add"

    def __post_init__(self) -> None:
        for field in ("inputs", "ops"):
            value = getattr(self, field)
            if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
                raise InvalidArchitecture(
                    f"Block {field} must be a pair (one per input of the block), got {value!r}; "
                    f"e.g. Block(inputs=(0, 1), ops=('sep_conv_3x3', 'conv_1x1'))"
                )
            object.__setattr__(self, field, tuple(value))

    def swapped(self) -> Block:
        """The same block with its two inputs (and their ops) exchanged."""
        return Block(self.inputs[::-1], self.ops[::-1], self.combine)

    def __repr__(self) -> str:
        try:
            a, b = (f"{op}({state_name(k)})" for op, k in zip(self.ops, self.inputs))
        except (TypeError, ValueError):  # not a valid block (error messages print it too)
            return f"Block(inputs={self.inputs!r}, ops={self.ops!r}, combine={self.combine!r})"
        return f"{self.combine}({a}, {b})"


class WiredCell(NamedTuple):
    """A cell with its output made explicit: ``concat`` lists the states concatenated.

    This is what networks and drawings consume.  A NASNet :class:`Cell` concatenates exactly
    its unused blocks; a DARTS genotype names its ``concat`` list itself (see
    :mod:`nasedu.spaces.darts_format`).
    """

    blocks: tuple[Block, ...]
    concat: tuple[int, ...]


@dataclass(frozen=True)
class Cell:
    """B blocks; the cell's output concatenates the outputs of the blocks nobody reads."""

    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", as_tuple(self.blocks, "Cell blocks", "Blocks"))

    def __len__(self) -> int:
        return len(self.blocks)

    @property
    def concat(self) -> tuple[int, ...]:
        """The hidden states concatenated into the output: blocks that no later block reads."""
        used = {k for block in self.blocks for k in block.inputs}
        return tuple(k for k in range(2, len(self.blocks) + 2) if k not in used)

    def wired(self) -> WiredCell:
        return WiredCell(self.blocks, self.concat)

    def lines(self) -> list[str]:
        body = [f"{state_name(j + 2)} = {block!r}" for j, block in enumerate(self.blocks)]
        output = ", ".join(state_name(k) for k in self.concat)
        return [*body, f"h_{{i+1}} = concat({output})"]

    def __repr__(self) -> str:
        try:
            lines = self.lines()
        except (TypeError, AttributeError):  # not a valid cell: show its blocks as they are
            return f"Cell(blocks={self.blocks!r})"
        return "Cell(\n" + "".join(f"  {line}\n" for line in lines) + ")"


@dataclass(frozen=True)
class CellGenotype:
    """A normal cell and a reduction cell: everything the NASNet search decides."""

    normal: Cell
    reduction: Cell

    def cells(self) -> tuple[tuple[str, Cell], ...]:
        return (("normal", self.normal), ("reduction", self.reduction))

    def __repr__(self) -> str:
        parts = []
        for kind, cell in self.cells():
            try:
                lines = cell.lines()
            except (TypeError, AttributeError):  # not a valid cell: show the fields as they are
                return f"CellGenotype(normal={self.normal!r}, reduction={self.reduction!r})"
            parts.append(f"  {kind} cell:\n" + "".join(f"    {s}\n" for s in lines))
        return "CellGenotype(\n" + "".join(parts) + ")"


# --------------------------------------------------------------------------------------------
# The rules of a valid cell (CellSpace.validate, the DARTS format and the networks use them)
# --------------------------------------------------------------------------------------------


def check_cell(
    cell: Any,
    where: str = "cell",
    num_blocks: int | None = None,
    ops: Sequence[str] = OP_NAMES,
    combines: Sequence[str] = COMBINES,
) -> Cell:
    """``cell`` if it is a valid NASNet cell, else InvalidArchitecture naming ``where`` and the
    block: ``num_blocks`` blocks (any number but 0 when None), each reading two hidden states
    that exist when it runs (block ``k`` reads states ``0..k``), with two ops from ``ops`` and a
    combine method from ``combines``."""
    if not isinstance(cell, Cell):
        raise InvalidArchitecture(f"{where}: expected a Cell, got {type(cell).__name__}")
    if num_blocks is None and not cell.blocks:
        raise InvalidArchitecture(f"the {where} has no blocks; a cell needs at least one")
    if num_blocks is not None and len(cell.blocks) != num_blocks:
        raise InvalidArchitecture(
            f"the {where} has {len(cell.blocks)} blocks; this space has B={num_blocks} "
            "blocks per cell"
        )
    for k, block in enumerate(cell.blocks, start=1):
        _check_block(block, k, len(cell.blocks), f"{where}, block {k}", ops, combines)
    return cell


def _check_block(
    block: Any, k: int, num_blocks: int, here: str, ops: Sequence[str], combines: Sequence[str]
) -> None:
    """The rules of block ``k`` of a cell of ``num_blocks`` blocks (see :func:`check_cell`)."""
    if not isinstance(block, Block):
        raise InvalidArchitecture(f"{here}: expected a Block, got {type(block).__name__}")
    if len(block.inputs) != 2 or len(block.ops) != 2:
        raise InvalidArchitecture(
            f"{here}: a block has exactly two inputs and two ops, got inputs "
            f"{block.inputs} and ops {block.ops}"
        )
    for choice, state in zip(CHOICES[:2], block.inputs):
        if not is_int(state):
            raise InvalidArchitecture(f"{here}: the {choice} {state!r} is not an integer")
        if not 0 <= state <= k:
            later = (
                f"the output of block {state - 1}, which is not computed yet"
                if k < state <= num_blocks + 1
                else "not a hidden state of this cell"
            )
            raise InvalidArchitecture(
                f"{here}: the {choice} is {state} ({later}); block {k} can read "
                f"0 (h_{{i-1}}), 1 (h_i)" + (f" or 2..{k} (blocks 1..{k - 1})" if k > 1 else "")
            )
    for choice, op in zip(CHOICES[2:4], block.ops):
        if op not in ops:
            raise InvalidArchitecture(
                f"{here}: the {choice} {op!r} is not an op of this space; valid ops "
                f"are: {', '.join(ops)}"
            )
    if block.combine not in combines:
        raise InvalidArchitecture(
            f"{here}: the combine method {block.combine!r} is not one of {', '.join(combines)}"
        )


def check_concat(
    concat: tuple[Any, ...],
    blocks: Sequence[Block],
    where: str = "cell",
    name: str = "concat",
    unit: str = "state",
) -> tuple[int, ...]:
    """``concat`` as a tuple of ints if it is a valid output list for a cell of ``blocks``,
    else InvalidArchitecture: distinct block outputs (states ``2..B+1``), including every
    block that no later block reads, whose output would otherwise be computed and silently
    lost.  ``name`` and ``unit`` are the words of the message (``normal_concat`` and ``node``
    in the DARTS format)."""
    last = len(blocks) + 1
    if not concat:
        raise InvalidArchitecture(f"{where}: {name} is empty, so the cell would have no output")
    for k in concat:
        if not is_int(k) or not 2 <= k <= last:
            raise InvalidArchitecture(
                f"{where}: {name} names {unit} {k!r}, which is not a block of the {where} "
                f"(blocks 1..{len(blocks)} are {unit}s 2..{last})"
            )
    concat = tuple(int(k) for k in concat)
    if len(set(concat)) != len(concat):
        raise InvalidArchitecture(f"{where}: {name} {list(concat)} names a {unit} twice")
    read = {int(k) for block in blocks for k in block.inputs}
    for k in range(2, last + 1):
        if k not in read and k not in concat:
            raise InvalidArchitecture(
                f"{where}, block {k - 1} ({unit} {k}) is neither read by a later block nor in "
                f"{name} {list(concat)}: its output would be lost"
            )
    return concat


def check_wired_cell(cell: Any, where: str = "cell") -> WiredCell:
    """``cell`` (a :class:`WiredCell`, or a :class:`Cell`, wired) if a network can build it,
    else InvalidArchitecture naming the block or state: its blocks pass :func:`check_cell` (any
    number of blocks over any op of :data:`~nasedu.opnames.OP_NAMES`), its ``concat`` passes
    :func:`check_concat`."""
    if not isinstance(cell, (Cell, WiredCell)):
        raise InvalidArchitecture(
            f"{where}: expected a WiredCell(blocks, concat) or a Cell, got {short_repr(cell)}"
        )
    blocks = check_cell(Cell(as_tuple(cell.blocks, f"{where} blocks", "Blocks")), where).blocks
    concat = check_concat(as_tuple(cell.concat, f"{where} concat", "block outputs"), blocks, where)
    return WiredCell(blocks, concat)


class CellSpace(SearchSpace[CellGenotype]):
    """NASNet cells: ``num_blocks`` blocks per cell, ``ops`` and ``combine`` to choose from.

    ``sample`` makes the 5 choices of every block uniformly at random, exactly as a random
    controller of the paper would, which is uniform over all :meth:`size` encodings.
    ``mutate`` is the mutation of AmoebaNet (Real et al. 2019, "Methods"): change one hidden
    state or one op of one block (or, here, its combine method).
    """

    name = "cell"
    enumerate_limit = 1_000_000

    def __init__(
        self,
        num_blocks: int = 5,
        ops: Sequence[str] = NASNET_OPS,
        combine: Sequence[str] = COMBINES,
    ) -> None:
        if check_int(num_blocks, "num_blocks") < 1:
            raise ValueError(f"a cell needs at least one block, got num_blocks={num_blocks}")
        check_int(num_blocks, "num_blocks", at_most=MAX_BLOCKS)
        ops, combine = (
            check_names(ops, "ops", NASNET_OPS[:2]),
            check_names(combine, "combine", COMBINES),
        )
        unknown = [op for op in ops if op not in OP_NAMES]
        if unknown:
            valid = ", ".join(sorted(OP_NAMES))
            raise ValueError(f"unknown ops {unknown}; valid ops are: {valid}")
        if not ops or len(set(ops)) != len(ops):
            raise ValueError(f"ops must be a non-empty list of distinct names, got {tuple(ops)}")
        if not combine or len(set(combine)) != len(combine) or set(combine) - set(COMBINES):
            raise ValueError(f"combine must be distinct names from {COMBINES}, got {combine}")
        self.num_blocks = int(num_blocks)
        self.ops = tuple(ops)
        self.combine = tuple(combine)

    # -- the choices of one block -------------------------------------------------------------
    def _block_number(self, block: Any) -> int:
        """``block`` if it numbers a block of this space (1..B), else a ValueError."""
        if not is_int(block):
            raise ValueError(f"block must be a block number 1..{self.num_blocks}, got {block!r}")
        if not 1 <= block <= self.num_blocks:
            raise ValueError(
                f"block {block} does not exist: blocks are numbered 1..{self.num_blocks}"
            )
        return int(block)

    def block_choices(self, block: int) -> dict[str, tuple]:
        """The options of each of the 5 choices of ``block`` (1-based), in :data:`CHOICES` order."""
        block = self._block_number(block)
        states = tuple(range(block + 1))
        return dict(zip(CHOICES, (states, states, self.ops, self.ops, self.combine)))

    def sample_block(self, block: int, rng: RngLike = None) -> Block:
        """Make the 5 choices of ``block`` (1-based) uniformly at random."""
        rng = as_rng(rng)
        first, second, op1, op2, combine = (
            choose(rng, options) for options in self.block_choices(block).values()
        )
        return Block((first, second), (op1, op2), combine)

    # -- counting -----------------------------------------------------------------------------
    def block_size(self, block: int) -> int:
        """Encodings of ``block`` (1-based): ``((block + 1) * K)**2 * M``."""
        block = self._block_number(block)
        return ((block + 1) * len(self.ops)) ** 2 * len(self.combine)

    def block_size_up_to_symmetry(self, block: int) -> int:
        """Blocks different up to swapping their two inputs: ``M * n * (n + 1) / 2``.

        ``n = (block + 1) * K`` (input, op) pairs; a block takes an unordered pair of them with
        repetition allowed (both inputs may read the same state with the same op).
        """
        n = (self._block_number(block) + 1) * len(self.ops)
        return len(self.combine) * n * (n + 1) // 2

    def cell_size(self) -> int:
        return math.prod(self.block_size(k) for k in range(1, self.num_blocks + 1))

    def cell_size_up_to_symmetry(self) -> int:
        return math.prod(self.block_size_up_to_symmetry(k) for k in range(1, self.num_blocks + 1))

    def size(self) -> int:
        """Genotypes under this encoding (ordered choices): a normal and a reduction cell."""
        return self.cell_size() ** 2

    def size_up_to_symmetry(self) -> int:
        """Genotypes different up to swapping the two inputs of any block."""
        return self.cell_size_up_to_symmetry() ** 2

    # -- listing ------------------------------------------------------------------------------
    def decode_block(self, block: int, index: int) -> Block:
        """The encoding numbered ``index`` of ``block`` (1-based), digits in CHOICES order."""
        digits = []
        for options in self.block_choices(block).values():
            index, digit = divmod(index, len(options))
            digits.append(options[digit])
        first, second, op1, op2, combine = digits
        return Block((first, second), (op1, op2), combine)

    def decode_cell(self, index: int) -> Cell:
        blocks = []
        for k in range(1, self.num_blocks + 1):
            index, digit = divmod(index, self.block_size(k))
            blocks.append(self.decode_block(k, digit))
        return Cell(tuple(blocks))

    def decode(self, index: int) -> CellGenotype:
        """The genotype numbered ``index`` in ``range(size())``."""
        index = check_index(index, self.size())
        reduction, normal = divmod(index, self.cell_size())
        return CellGenotype(self.decode_cell(normal), self.decode_cell(reduction))

    def enumerate_cells(self, limit: int | None = None) -> Iterator[Cell]:
        """Every cell (one of the two halves of a genotype), for small configurations."""
        limit = self.enumerate_limit if limit is None else check_int(limit, "limit")
        if self.cell_size() > limit:
            raise SpaceTooLarge(
                f"{self!r} has {count_text(self.cell_size())} cells, more than {limit:,}"
            )
        return (self.decode_cell(i) for i in range(self.cell_size()))

    def _enumerate(self) -> Iterator[CellGenotype]:
        for index in range(self.size()):
            yield self.decode(index)

    # -- sampling and mutation ----------------------------------------------------------------
    def sample_cell(self, rng: RngLike = None) -> Cell:
        rng = as_rng(rng)
        return Cell(tuple(self.sample_block(k, rng) for k in range(1, self.num_blocks + 1)))

    def sample(self, rng: RngLike = None) -> CellGenotype:
        rng = as_rng(rng)
        return CellGenotype(self.sample_cell(rng), self.sample_cell(rng))

    def mutate(self, genotype: CellGenotype, rng: RngLike = None) -> CellGenotype:
        """AmoebaNet's mutation (Real et al. 2019, "Methods": hidden state and op mutations).

        Pick the normal or the reduction cell, one of its blocks and one of the block's two
        inputs; then either point it at another hidden state of the cell (*hidden state
        mutation*) or replace its op by another (*op mutation*).  This space also lets the
        combine method flip when there are two.  The kind of move is drawn uniformly among the
        possible ones and the child always differs from its parent.
        """
        rng = as_rng(rng)
        self.validate(genotype)
        kind = choose(rng, CELL_KINDS)
        cell: Cell = getattr(genotype, kind)
        j = int(rng.integers(self.num_blocks))
        block = cell.blocks[j]
        moves = ["hidden state"] + (["op"] if len(self.ops) > 1 else [])
        moves += ["combine"] if len(self.combine) > 1 else []
        move = choose(rng, moves)
        side = int(rng.integers(2))
        inputs, ops, combine = list(block.inputs), list(block.ops), block.combine
        if move == "hidden state":
            inputs[side] = choose(rng, [k for k in range(j + 2) if k != inputs[side]])
        elif move == "op":
            ops[side] = choose(rng, [op for op in self.ops if op != ops[side]])
        else:
            combine = choose(rng, [c for c in self.combine if c != combine])
        blocks = list(cell.blocks)
        blocks[j] = Block(tuple(inputs), tuple(ops), combine)
        cells = {"normal": genotype.normal, "reduction": genotype.reduction}
        cells[kind] = Cell(tuple(blocks))
        return CellGenotype(**cells)

    # -- symmetry -------------------------------------------------------------------------------
    @staticmethod
    def canonical(genotype: CellGenotype) -> CellGenotype:
        """The representative of ``genotype`` with every block's inputs in sorted order.

        Two genotypes have the same canonical form exactly when they differ only by swapping the
        two inputs of some blocks (what :meth:`size_up_to_symmetry` counts).
        """

        def sort(block: Block) -> Block:
            pairs = sorted(zip(block.inputs, block.ops))
            return Block(tuple(k for k, _ in pairs), tuple(op for _, op in pairs), block.combine)

        return CellGenotype(
            Cell(tuple(sort(b) for b in genotype.normal.blocks)),
            Cell(tuple(sort(b) for b in genotype.reduction.blocks)),
        )

    # -- validation and serialisation ---------------------------------------------------------
    def validate(self, genotype: CellGenotype) -> CellGenotype:
        if not isinstance(genotype, CellGenotype):
            raise InvalidArchitecture(f"expected a CellGenotype, got {type(genotype).__name__}")
        for kind, cell in genotype.cells():
            check_cell(cell, f"{kind} cell", self.num_blocks, self.ops, self.combine)
        return genotype

    def genotype_to_data(self, genotype: CellGenotype) -> dict[str, Any]:
        return {
            kind: [
                {"inputs": [int(k) for k in b.inputs], "ops": list(b.ops), "combine": b.combine}
                for b in cell.blocks
            ]
            for kind, cell in genotype.cells()
        }

    def genotype_from_data(self, data: Mapping[str, Any]) -> CellGenotype:
        """Read ``{"normal": [block, ...], "reduction": [block, ...]}``, each block
        ``{"inputs": [a, b], "ops": [op_a, op_b], "combine": ...}``, naming the cell and block
        whose data has the wrong form (the values are checked by :meth:`validate`)."""
        where = f"malformed {self.name} genotype data"
        data = data_dict(data, where, CELL_KINDS)
        cells = {}
        for kind in CELL_KINDS:
            blocks = []
            for k, b in enumerate(data_list(data[kind], f"{where}: {kind!r}", "blocks"), start=1):
                here = f"{where}: {kind} cell, block {k}"
                b = data_dict(b, here, ("inputs", "ops", "combine"))
                inputs = data_list(b["inputs"], f"{here}: 'inputs'", "two hidden state numbers")
                ops = data_list(b["ops"], f"{here}: 'ops'", "two op names")
                blocks.append(Block(tuple(inputs), tuple(ops), b["combine"]))
            cells[kind] = Cell(tuple(blocks))
        return CellGenotype(**cells)

    # -- graph, network, picture --------------------------------------------------------------
    def graph(self, genotype: CellGenotype) -> nx.DiGraph:
        """Both cells as one DAG (two components), nodes labelled with their cell's kind.

        Nodes are tensors: ``(kind, k)`` is hidden state ``k`` (labelled ``input0``/``input1``
        for the cell inputs and by its combine method for a block output), ``(kind, k, side)``
        the result of one of block ``k - 1``'s two ops (the edge into it carries the op), and
        ``(kind, "output")`` the concatenated output.  Swapping a block's inputs or renumbering
        blocks consistently gives an isomorphic graph, hence the same :meth:`arch_hash`.
        """
        genotype = self.validate(genotype)
        g = nx.DiGraph()
        for kind, cell in genotype.cells():
            g.add_node((kind, 0), label=f"{kind}:input0")
            g.add_node((kind, 1), label=f"{kind}:input1")
            for k, block in enumerate(cell.blocks, start=2):
                g.add_node((kind, k), label=f"{kind}:{block.combine}")
            for k, block in enumerate(cell.blocks, start=2):
                for side, (state, op) in enumerate(zip(block.inputs, block.ops)):
                    stride = 2 if kind == "reduction" and state < 2 else 1
                    g.add_node((kind, k, side), label=f"{kind}:tensor")
                    g.add_edge((kind, state), (kind, k, side), op=op, stride=stride)
                    g.add_edge((kind, k, side), (kind, k))
            g.add_node((kind, "output"), label=f"{kind}:output")
            for k in cell.concat:
                g.add_edge((kind, k), (kind, "output"))
        return g

    def build(
        self,
        genotype: CellGenotype,
        input_shape: Sequence[int] = (1, 8, 8),
        num_classes: int = 10,
        N: int = 1,
        C: int = 8,
        **macro: Any,
    ):
        """The NASNet macro architecture: N normal cells, reduction, N normal, reduction, N normal.

        The defaults (N=1, C=8: five cells, 8-16-32 channels) are a *proxy* network small
        enough to train on 8x8 digits in seconds on a CPU; the CIFAR stem (a 3x3 convolution at
        stride 1) keeps small images at full resolution, so 8x8 digits are seen at 8x8, 4x4 and
        2x2.  Further keywords (``auxiliary``, ``drop_path``, ``stem``, ``stem_multiplier``, and
        ``stage_cells``: a normal cell per stage instead of the genotype's in all three) go to
        :class:`~nasedu.networks.CellNetwork`; ``layers`` is refused (use ``N``).
        """
        from ..networks.cell import CellNetwork

        if "layers" in macro:
            raise TypeError(
                "CellSpace.build sets the depth from N (layers = 3N + 2: N normal cells, "
                "reduction, N normal, reduction, N normal), so it takes no "
                f"layers={macro['layers']!r}; pass N=..., or build "
                "nasedu.networks.CellNetwork(genotype, input_shape, num_classes, layers=...) "
                "for another depth"
            )
        shape = check_io(input_shape, num_classes)
        if not is_int(N) or N < 1:
            raise ValueError(f"N (normal cells per stage) must be an integer >= 1, got {N!r}")
        return CellNetwork(
            self.validate(genotype),
            shape,
            int(num_classes),
            C=C,
            layers=3 * int(N) + 2,
            **macro,
            _validated=True,
        )

    def plot(self, genotype: CellGenotype, ax=None):
        """Normal and reduction cell side by side, drawn as in the NASNet paper (Figure 4); with
        ``ax``, both inside that Axes.  Returns the Figure."""
        from ..viz.cell import plot_genotype

        return plot_genotype(self.validate(genotype), axes=ax)

    def __repr__(self) -> str:
        n = self.size()
        size = f"{n:.3e}" if n < 10**300 else scientific(n)
        return (
            f"CellSpace(B={self.num_blocks}, {len(self.ops)} ops, combine {self.combine}, "
            f"{size} genotypes)"
        )
