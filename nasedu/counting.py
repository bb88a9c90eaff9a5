"""Parameters and multiply-adds of a cell network, counted without building the network.

The evaluation network of a cell space (:class:`~nasedu.networks.cell.CellNetwork`) has hundreds
of ops -- NASNet-A for CIFAR-10 has 20 cells of 10 ops -- but only a handful of *different*
ones: all the normal cells of a stage run the same ops on the same numbers of channels at the
same resolution.  So the network's cost is a sum, over its cells, of the cost of every op at its
**shape** (op, input channels, output channels, stride, resolution), and each distinct shape
needs counting only once.

This module walks the network's layout as :class:`~nasedu.networks.cell.CellNetwork` builds it:

* the **stem** (a 3x3 convolution to ``stem_multiplier * C`` channels on CIFAR; three strided
  convolutions on ImageNet);
* ``layers`` **cells**, each reading the two cells before it, both inputs first preprocessed
  to ``C`` channels (a 1x1 convolution, or a factorized reduction when the older input still
  has twice the resolution); the reduction cells at 1/3 and 2/3 of the depth double ``C``,
  halve the resolution (their ops reading a cell input have stride 2) and start a new stage,
  which may have a normal cell of its own (``stage_cells``); a block combining by
  concatenation has ``2C`` channels, and a cell outputs the sum of the channels it
  concatenates;
* the **classifier**: global average pooling and one linear layer.

Every op is looked up in a table of the shapes counted before; a new shape is built alone (one
op: a millisecond) and counted by :func:`~nasedu.measure.count_parameters` and
:func:`~nasedu.measure.count_macs`.  The totals are exactly those of the built network
(parameters without the auxiliary head, as the papers report them; multiply-adds of one image
in evaluation mode); ``tests/test_counting.py`` compares them on many random genotypes and
macro settings.  Changing one op of a cell costs at most a few new shapes (one per stage), not a
new network of 20 cells: that is what lets the cell builder (:mod:`nasedu.widgets.cell`)
answer at once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

from .spaces.cell import Cell, CellGenotype, CellSpace, WiredCell
from .spaces.checks import check_io, is_int
from .spaces.darts_format import DartsGenotype, wired_cells

__all__ = ["NetworkCount", "count_cell_network", "count_space_network", "shape_cost"]

Size = tuple[int, int]
"""A resolution: (height, width)."""


class NetworkCount(NamedTuple):
    """What the cell builder shows: parameters, multiply-adds per image and number of cells."""

    parameters: int
    macs: int
    cells: int


def _half(size: Size) -> Size:
    """The resolution after a stride-2 op: every op here rounds up (``ceil(side / 2)``)."""
    return (-(-size[0] // 2), -(-size[1] // 2))


@functools.lru_cache(maxsize=4096)
def shape_cost(kind: str, C_in: int, C_out: int, stride: int, size: Size) -> tuple[int, int]:
    """``(parameters, multiply-adds)`` of one piece of a cell network at one shape.

    ``kind`` is an op name of :data:`~nasedu.ops.OPS`, ``"preprocess"`` (a cell's 1x1
    ReLU-conv-BN), ``"factorized_reduce"``, ``"cifar_stem"`` (3x3 conv, batch norm),
    ``"imagenet_stem"`` or ``"classifier"`` (a linear layer from ``C_in`` features to
    ``C_out`` classes).  ``size`` is the input's (height, width).  The piece is built once and
    counted; the answer is remembered for the next time this shape comes up.
    """
    module = _make(kind, C_in, C_out, stride)
    from .measure import count_macs, count_parameters

    if kind == "classifier":  # a linear layer reads C_in features, whatever the resolution
        return count_parameters(module), C_in * C_out
    return count_parameters(module), count_macs(module, (C_in, *size))


def _make(kind: str, C_in: int, C_out: int, stride: int):
    """The torch module of :func:`shape_cost`'s ``kind`` (the same classes the network uses)."""
    from torch import nn

    from .networks.cell import ImageNetStem
    from .ops import FactorizedReduce, ReLUConvBN, make_op

    if kind == "preprocess":
        return ReLUConvBN(C_in, C_out, 1, 1, 0)
    if kind == "factorized_reduce":
        return FactorizedReduce(C_in, C_out)
    if kind == "cifar_stem":
        return nn.Sequential(
            nn.Conv2d(C_in, C_out, 3, padding=1, bias=False), nn.BatchNorm2d(C_out)
        )
    if kind == "imagenet_stem":
        return ImageNetStem(C_in, C_out)
    if kind == "classifier":
        return nn.Linear(C_in, C_out)
    return make_op(kind, C_in, C_out, stride)


class _Tally:
    """Running totals of parameters and multiply-adds."""

    def __init__(self) -> None:
        self.parameters = 0
        self.macs = 0

    def add(self, kind: str, C_in: int, C_out: int, stride: int, size: Size) -> None:
        parameters, macs = shape_cost(kind, C_in, C_out, stride, size)
        self.parameters += parameters
        self.macs += macs


def _add_cell(
    tally: _Tally,
    cell: WiredCell,
    inputs: tuple[int, int],
    C: int,
    reduction: bool,
    reduction_prev: bool,
    sizes: tuple[Size, Size],
) -> int:
    """Add one cell (preprocessing and ops) reading ``inputs`` channels at ``sizes``; returns
    the cell's output channels."""
    (C_prev_prev, C_prev), (size_prev_prev, size_prev) = inputs, sizes
    older = "factorized_reduce" if reduction_prev else "preprocess"
    tally.add(older, C_prev_prev, C, 1, size_prev_prev)
    tally.add("preprocess", C_prev, C, 1, size_prev)
    inner = _half(size_prev) if reduction else size_prev  # where the block outputs live
    channels = [C, C]
    for block in cell.blocks:
        for state, op in zip(block.inputs, block.ops):
            stride = 2 if reduction and state < 2 else 1
            tally.add(op, channels[state], C, stride, size_prev if state < 2 else inner)
        channels.append(2 * C if block.combine == "concat" else C)
    return sum(channels[k] for k in cell.concat)


def count_cell_network(
    genotype: CellGenotype | DartsGenotype,
    input_shape: Sequence[int] = (3, 32, 32),
    num_classes: int = 10,
    *,
    C: int = 36,
    layers: int = 20,
    stem: str = "cifar",
    stem_multiplier: int = 3,
    auxiliary: bool = False,
    drop_path: float = 0.0,
    stage_cells: Sequence[Cell | WiredCell] | None = None,
) -> NetworkCount:
    """The parameters (without the auxiliary head), multiply-adds (one image) and cells of
    the :class:`~nasedu.networks.cell.CellNetwork` these arguments build, without building it.

    The arguments are those of the network (``auxiliary`` and ``drop_path`` change neither
    number; ``stage_cells`` gives each stage its own normal cell) and are checked by the
    network's own rules: a bad value raises the same error.
    """
    from .networks.cell import CellNetwork, check_macro, reduction_layers, stage_normals
    from .networks.common import check_genotype_type

    layers, stem_multiplier, _ = check_macro(C, layers, auxiliary, drop_path, stem, stem_multiplier)
    check_genotype_type(genotype, (CellGenotype, DartsGenotype), CellNetwork.__name__)
    normal, reduce = wired_cells(genotype)
    normals = stage_normals(stage_cells, normal, layers)
    channels, height, width = check_io(input_shape, num_classes)
    tally = _Tally()
    size: Size = (height, width)
    if stem == "cifar":
        C_prev = stem_multiplier * C
        tally.add("cifar_stem", channels, C_prev, 1, size)
        sizes, reduction_prev = (size, size), False
    else:
        C_prev = C
        tally.add("imagenet_stem", channels, C, 2, size)
        older = _half(_half(size))
        sizes, reduction_prev = (older, _half(older)), True
    C_prev_prev, C_curr, stage = C_prev, C, 0
    reductions = reduction_layers(layers)
    for i in range(layers):
        reduction = i in reductions
        C_curr *= 2 if reduction else 1
        stage += 1 if reduction else 0  # a reduction cell starts the next stage
        cell = reduce if reduction else normals[stage]
        out = _add_cell(
            tally, cell, (C_prev_prev, C_prev), C_curr, reduction, reduction_prev, sizes
        )
        C_prev_prev, C_prev = C_prev, out
        sizes = (sizes[1], _half(sizes[1]) if reduction else sizes[1])
        reduction_prev = reduction
    tally.add("classifier", C_prev, int(num_classes), 1, (1, 1))
    return NetworkCount(tally.parameters, tally.macs, layers)


def count_space_network(
    space: CellSpace,
    genotype: CellGenotype,
    input_shape: Sequence[int] = (1, 8, 8),
    num_classes: int = 10,
    N: int = 1,
    C: int = 8,
    **macro: Any,
) -> NetworkCount:
    """:func:`count_cell_network` for the network ``space.build(genotype, input_shape,
    num_classes, N=N, C=C, **macro)`` would build: ``3N + 2`` cells, the genotype checked by
    ``space.validate``."""
    genotype = space.validate(genotype)
    if not is_int(N) or N < 1:
        raise ValueError(f"N (normal cells per stage) must be an integer >= 1, got {N!r}")
    if "layers" in macro:
        raise TypeError("the depth comes from N (layers = 3N + 2); pass N=..., not layers")
    return count_cell_network(
        genotype, input_shape, num_classes, C=C, layers=3 * int(N) + 2, **macro
    )
