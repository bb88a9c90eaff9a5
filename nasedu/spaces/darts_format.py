"""The DARTS genotype format: how published cells are usually shared.

The DARTS reference code (Liu, Simonyan and Yang 2019, ``cnn/genotypes.py``) writes a cell as a
flat list of ``(op, input)`` pairs, two per intermediate node, plus the list of nodes whose
outputs are concatenated into the cell's output::

    Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...], normal_concat=[2, 3, 4, 5],
             reduce=[...], reduce_concat=[2, 3, 4, 5])

Nodes are numbered as in :mod:`nasedu.spaces.cell`: 0 and 1 are the cell inputs, node ``k + 1``
is block ``k``.  The two formats differ in two ways:

* DARTS always *adds* the two results of a node; NASNet may also concatenate them;
* DARTS names the concatenated nodes explicitly (its own cells concatenate all four nodes, even
  those read by later nodes); a NASNet cell concatenates exactly the blocks nobody reads.

So :func:`from_darts` and :func:`to_darts` convert exactly when both can express the cell
(NASNet-A and AmoebaNet-A can; DARTS V1/V2 cannot) and raise
:class:`~nasedu.spaces.base.InvalidArchitecture` saying why otherwise.  Networks and drawings
accept both formats through :func:`wired_cells`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ..opnames import OP_NAMES
from .cell import Block, Cell, CellGenotype, CellSpace, WiredCell, check_cell, check_concat
from .checks import InvalidArchitecture, data_dict, data_list, is_int, short_repr

__all__ = [
    "DARTS_ALIASES",
    "DartsGenotype",
    "check_cells",
    "darts_from_data",
    "darts_to_data",
    "format_darts",
    "from_darts",
    "parse_darts",
    "to_darts",
    "validate_darts",
    "wired_cells",
]

DARTS_ALIASES: dict[str, str] = {"conv_7x1_1x7": "conv_1x7_7x1"}
"""DARTS op names that this package spells differently (same module: 1x7 then 7x1 conv)."""
_TO_DARTS = {ours: theirs for theirs, ours in DARTS_ALIASES.items()}

MAX_RANGE = 100
"""The longest ``range(a, b)`` :func:`parse_darts` expands (a cell has a handful of nodes)."""


class DartsGenotype(NamedTuple):
    """``Genotype`` of the DARTS code: (op, input) pairs, two per node, and the concat lists."""

    normal: Sequence[tuple[str, int]]
    normal_concat: Sequence[int]
    reduce: Sequence[tuple[str, int]]
    reduce_concat: Sequence[int]

    def __repr__(self) -> str:
        try:
            return format_darts(self)
        except (TypeError, ValueError):  # not a valid genotype: show the fields as they are
            fields = ", ".join(f"{k}={v!r}" for k, v in self._asdict().items())
            return f"DartsGenotype({fields})"


def _cell_parts(genotype: DartsGenotype) -> tuple[tuple[str, Sequence, Sequence], ...]:
    return (
        ("normal", genotype.normal, genotype.normal_concat),
        ("reduce", genotype.reduce, genotype.reduce_concat),
    )


def validate_darts(genotype: DartsGenotype, ops: Sequence[str] | None = None) -> DartsGenotype:
    """Check a DARTS genotype and return it with tuples everywhere (``range`` concat lists too).

    ``ops`` restricts the allowed op names (default: every op of
    :data:`~nasedu.opnames.OP_NAMES` and the DARTS spellings of :data:`DARTS_ALIASES`).
    Every message names the cell and the block.
    """
    if not isinstance(genotype, DartsGenotype):
        raise InvalidArchitecture(f"expected a DartsGenotype, got {type(genotype).__name__}")
    allowed = set(OP_NAMES) | set(DARTS_ALIASES) if ops is None else set(ops)
    cleaned = {}
    for kind, pairs, concat in _cell_parts(genotype):
        if isinstance(pairs, (str, bytes, Mapping)) or not hasattr(pairs, "__iter__"):
            raise InvalidArchitecture(
                f"{kind} cell: expected a list of (op, input) pairs, got {pairs!r}"
            )
        pairs = list(pairs)
        if not pairs or len(pairs) % 2:
            raise InvalidArchitecture(
                f"{kind} cell: {len(pairs)} (op, input) pairs; DARTS lists two per block"
            )
        for i, pair in enumerate(pairs):
            block, which = i // 2 + 1, ("first", "second")[i % 2]
            here = f"{kind} cell, block {block} (node {block + 1}), {which} pair"
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise InvalidArchitecture(f"{here}: expected (op, input), got {pair!r}")
            op, state = pair
            if not isinstance(op, str) or op not in allowed:
                raise InvalidArchitecture(
                    f"{here}: unknown op {op!r}; valid ops are: {', '.join(sorted(allowed))}"
                )
            if not is_int(state) or not 0 <= state <= block:
                raise InvalidArchitecture(
                    f"{here}: input {state!r} is not available; block {block} reads nodes "
                    f"0..{block} (0, 1: the cell inputs; k + 1: block k)"
                )
        try:
            if isinstance(concat, (str, bytes, Mapping)):  # not read as characters or keys
                raise TypeError
            concat = tuple(concat)
        except TypeError:
            raise InvalidArchitecture(
                f"{kind}_concat must be a list of nodes, got {concat!r}"
            ) from None
        concat = check_concat(concat, _blocks(pairs), f"{kind} cell", f"{kind}_concat", "node")
        cleaned[kind] = (tuple((str(op), int(state)) for op, state in pairs), concat)
    return DartsGenotype(cleaned["normal"][0], cleaned["normal"][1], *cleaned["reduce"])


def _blocks(pairs: Sequence[tuple[str, int]]) -> tuple[Block, ...]:
    names = [DARTS_ALIASES.get(op, op) for op, _ in pairs]
    states = [state for _, state in pairs]
    return tuple(
        Block((states[i], states[i + 1]), (names[i], names[i + 1]), "add")
        for i in range(0, len(pairs), 2)
    )


def check_cells(genotype: CellGenotype) -> CellGenotype:
    """Check a CellGenotype of *any* number of blocks over *any* op of
    :data:`~nasedu.opnames.OP_NAMES` (what a network can build: the zoo's cells belong to no
    single CellSpace); returns it.

    Raises InvalidArchitecture naming the cell and block, as :meth:`CellSpace.validate` does.
    """
    if not isinstance(genotype, CellGenotype):
        raise InvalidArchitecture(f"expected a CellGenotype, got {type(genotype).__name__}")
    for kind, cell in genotype.cells():
        check_cell(cell, f"{kind} cell")  # any number of blocks, any op
    return genotype


def wired_cells(
    genotype: CellGenotype | DartsGenotype, validated: bool = False
) -> tuple[WiredCell, WiredCell]:
    """The normal and the reduction cell of either format, with explicit concat lists.

    Both formats are checked first (:func:`check_cells`, :func:`validate_darts`), so that a
    network is never built from a broken genotype; ``validated=True`` skips the check of a
    CellGenotype that ``CellSpace.validate`` has just passed (its rules include these).
    """
    if isinstance(genotype, CellGenotype):
        if not validated:
            check_cells(genotype)
        return genotype.normal.wired(), genotype.reduction.wired()
    genotype = validate_darts(genotype)
    return (
        WiredCell(_blocks(genotype.normal), tuple(genotype.normal_concat)),
        WiredCell(_blocks(genotype.reduce), tuple(genotype.reduce_concat)),
    )


def from_darts(genotype: DartsGenotype, space: CellSpace | None = None) -> CellGenotype:
    """The CellSpace genotype of a DARTS genotype, when there is one.

    Possible exactly when each concat list is the set of blocks no later block reads (the NASNet
    rule).  With ``space`` the result is also validated against it (number of blocks, ops).
    """
    if not isinstance(genotype, DartsGenotype):
        hint = " (already this package's format)" if isinstance(genotype, CellGenotype) else ""
        raise InvalidArchitecture(
            f"from_darts converts a DartsGenotype, got {type(genotype).__name__}{hint}"
        )
    normal, reduction = wired_cells(genotype)
    cells = []
    for kind, wired in (("normal", normal), ("reduce", reduction)):
        cell = Cell(wired.blocks)
        if tuple(sorted(wired.concat)) != cell.concat:
            extra = sorted(set(wired.concat) - set(cell.concat))
            detail = (
                f"block {extra[0] - 1} (node {extra[0]}) is concatenated although a later block "
                "reads it"
                if extra
                else f"it leaves out unused nodes {sorted(set(cell.concat) - set(wired.concat))}"
            )
            raise InvalidArchitecture(
                f"{kind} cell: {kind}_concat is {list(wired.concat)} but a NASNet cell "
                f"concatenates exactly its unused blocks {list(cell.concat)}; {detail}, so this "
                "cell has no CellSpace genotype"
            )
        cells.append(cell)
    result = CellGenotype(*cells)
    return space.validate(result) if space is not None else result


def to_darts(genotype: CellGenotype) -> DartsGenotype:
    """The DARTS genotype of a CellSpace genotype whose blocks all combine by addition."""
    check_cells(genotype)
    parts = []
    for kind, cell in genotype.cells():
        pairs = []
        for k, block in enumerate(cell.blocks, start=1):
            if block.combine != "add":
                raise InvalidArchitecture(
                    f"{kind} cell, block {k} combines by {block.combine!r}; DARTS always adds "
                    "the two results of a node, so this cell has no DARTS genotype"
                )
            pairs += [(_TO_DARTS.get(op, op), int(s)) for op, s in zip(block.ops, block.inputs)]
        parts += [tuple(pairs), cell.concat]
    return validate_darts(DartsGenotype(*parts))


# -- reading and writing ------------------------------------------------------------------------
def format_darts(genotype: DartsGenotype) -> str:
    """The genotype as the DARTS code prints it (``Genotype(normal=[...], ...)``)."""

    def pairs(p: Sequence[tuple[str, int]]) -> str:
        return "[" + ", ".join(f"({op!r}, {int(s)})" for op, s in p) + "]"

    return (
        f"Genotype(normal={pairs(genotype.normal)}, "
        f"normal_concat={[int(k) for k in genotype.normal_concat]}, "
        f"reduce={pairs(genotype.reduce)}, "
        f"reduce_concat={[int(k) for k in genotype.reduce_concat]})"
    )


def _literal(node: ast.AST) -> Any:
    """A literal, or ``range(a, b)`` as DARTS search logs write concat lists.

    A range longer than :data:`MAX_RANGE` is refused rather than expanded (a cell has a handful
    of nodes; ``range(0, 10**12)`` would only exhaust memory).
    """
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and not node.keywords
    ):
        span = range(*(ast.literal_eval(arg) for arg in node.args))
        if not span.start - MAX_RANGE <= span.stop <= span.start + MAX_RANGE:
            raise InvalidArchitecture(
                f"{ast.unparse(node)} is longer than {MAX_RANGE} nodes; a cell has only a few"
            )
        return list(span)
    return ast.literal_eval(node)


def parse_darts(text: str) -> DartsGenotype:
    """Read ``Genotype(normal=[...], normal_concat=..., reduce=[...], reduce_concat=...)``.

    Accepts what the DARTS code prints and stores (including ``range(2, 6)`` concat lists and
    positional arguments) without executing it, and validates the result.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"parse_darts reads the text of a genotype, 'Genotype(normal=[...], ...)', got "
            f"{short_repr(text)}; check a DartsGenotype with validate_darts"
        )
    try:
        call = ast.parse(text.strip(), mode="eval").body
    except (RecursionError, MemoryError) as error:
        # CPython's parser gives up on absurd nesting with a MemoryError: without a message in
        # Python 3.11, "Parser stack overflowed - ..." in 3.12
        raise InvalidArchitecture(
            "not a DARTS genotype: nested too deeply for Python's parser"
        ) from error
    except (SyntaxError, ValueError) as error:
        raise InvalidArchitecture(f"not a DARTS genotype: {error}") from error
    if not isinstance(call, ast.Call):
        raise InvalidArchitecture("expected Genotype(normal=..., normal_concat=..., ...)")
    try:
        values = [_literal(arg) for arg in call.args]
        keywords = {kw.arg: _literal(kw.value) for kw in call.keywords}
    except InvalidArchitecture:
        raise
    except (
        ValueError,
        TypeError,
        SyntaxError,
        OverflowError,
        MemoryError,
        RecursionError,
    ) as error:
        raise InvalidArchitecture(f"a DARTS genotype holds only literals: {error}") from error
    # Python itself refuses these calls; the dict below would silently drop or override fields.
    names = [*DartsGenotype._fields[: len(values)], *(kw.arg for kw in call.keywords)]
    twice = sorted({str(name) for name in names if names.count(name) > 1})
    problem = (
        f"got {len(values)} positional arguments"
        if len(values) > 4
        else ("got **arguments" if None in names else f"{', '.join(twice)} given twice")
    )
    if len(values) > 4 or None in names or twice:
        raise InvalidArchitecture(
            f"a DARTS genotype has exactly the fields {DartsGenotype._fields}, each given "
            f"once; {problem}"
        )
    fields = dict(zip(DartsGenotype._fields, values)) | keywords
    missing = [f for f in DartsGenotype._fields if f not in fields]
    if missing or len(fields) != 4:
        raise InvalidArchitecture(
            f"a DARTS genotype has exactly the fields {DartsGenotype._fields}; got {sorted(fields)}"
        )
    pairs = {
        k: [tuple(p) if isinstance(p, list) else p for p in fields[k]]
        if isinstance(fields[k], (list, tuple))
        else fields[k]  # not a list: validate_darts says so
        for k in ("normal", "reduce")
    }
    return validate_darts(DartsGenotype(**(fields | pairs)))


def darts_to_data(genotype: DartsGenotype) -> dict[str, list]:
    """Plain JSON data: ``{"normal": [[op, input], ...], "normal_concat": [...], ...}``."""
    genotype = validate_darts(genotype)
    return {
        field: [list(p) for p in value] if field in ("normal", "reduce") else list(value)
        for field, value in genotype._asdict().items()
    }


def darts_from_data(data: Mapping[str, Any]) -> DartsGenotype:
    """Inverse of :func:`darts_to_data` (validated)."""
    data = data_dict(data, "malformed DARTS genotype data", DartsGenotype._fields)
    pairs = {
        kind: [
            tuple(p) if isinstance(p, list) else p  # a JSON pair is a list; others: see validate
            for p in data_list(data[kind], f"malformed DARTS genotype data: {kind!r}", "pairs")
        ]
        for kind in ("normal", "reduce")
    }
    return validate_darts(DartsGenotype(**(dict(data) | pairs)))
