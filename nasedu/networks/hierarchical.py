"""Networks of the hierarchical space (Liu et al. 2018): motifs assembled from motifs.

``assemble(G, o)`` (Section 2.1) is :class:`MotifModule`: node 0 is the input; nodes
``1..n-1`` are computed in order (the matrix is upper-triangular, so this *is* a topological
order), node ``j`` being the depthwise concatenation of ``o_{G[i][j]}(x_i)`` over the entries
``i < j`` that are not ``"none"``; the output is node ``n-1``.  An edge op is a primitive at
level 2 and a whole lower-level motif above, so the modules nest exactly like the genotype:
``cell.edges["edge_0_2"]`` may be a level-2 :class:`MotifModule` that holds primitives.  A motif
used on three edges is built three times, with three sets of weights: the hierarchy shares
*structure*, not parameters.

Channels (Section 2.3): the 1x1 and separable convolutions output the stage's ``C`` channels;
depthwise convolution, pooling and identity keep their input's channels.  Concatenation adds
channel counts up, so a node with three inputs has more channels than one with a single input.
Each level-2 motif is followed by a 1x1 convolution back to its input's channel count (Section
5.1), which keeps the growth in check.

The evaluation model (Section 5.1, Fig. 2 top left) is :class:`HierarchicalNetwork`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn

from ..ops import ConvBNReLU, make_op
from ..spaces.checks import check_io, short_repr
from ..spaces.motifs import (
    PRIMITIVES,
    HierarchicalGenotype,
    Motif,
    check_genotype,
    check_motif,
    motif_index,
)
from .common import ClassifierHead, check_estimate, check_flag, depth, positive_int, width

__all__ = [
    "CHANNEL_PRESERVING",
    "PRIMITIVES",
    "HierarchicalNetwork",
    "MotifModule",
    "build_cell",
    "check_genotype",
    "check_motif",
]

CHANNEL_PRESERVING: frozenset[str] = frozenset(
    {
        "dw_conv_3x3_bn_relu",
        "max_pool_3x3",
        "avg_pool_3x3",
        "max_pool_5x5",
        "max_pool_7x7",
        "skip_connect",
    }
)
"""Primitives whose output has their input's channel count; all others output ``C`` channels."""

EdgeBuilder = Callable[[str, int], tuple[nn.Module, int]]
Shape = tuple[int, int, int]


class MotifModule(nn.Module):
    """``assemble(G, o)``: the nodes of one motif in topological order, inputs concatenated.

    ``make_edge(op, C_in)`` returns the module for one edge and its output channel count.
    The motif is checked first (:func:`~nasedu.spaces.motifs.check_motif`): a matrix that is
    not a DAG is refused, not silently read as its upper triangle.  ``_validated=True`` (used by
    :func:`build_cell`, whose genotype is checked already) skips that check.
    """

    def __init__(
        self, motif: Motif, C_in: int, make_edge: EdgeBuilder, *, _validated: bool = False
    ) -> None:
        super().__init__()
        n = (motif if _validated else check_motif(motif)).num_nodes
        channels = [positive_int(C_in, "C_in")] + [0] * (n - 1)
        self.edges = nn.ModuleDict()
        self.incoming: list[list[tuple[int, str]]] = [[] for _ in range(n)]
        for j in range(1, n):
            for i in range(j):
                op = motif.matrix[i][j]
                if op == "none":
                    continue
                key = f"edge_{i}_{j}"
                self.edges[key], c_out = make_edge(op, channels[i])
                self.incoming[j].append((i, key))
                channels[j] += c_out
        self.channels = channels
        self.C_out = channels[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states = [x]
        for inputs in self.incoming[1:]:
            outputs = [self.edges[key](states[i]) for i, key in inputs]
            states.append(outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=1))
        return states[-1]


def build_cell(
    genotype: HierarchicalGenotype,
    C_in: int,
    C: int,
    motif_conv: bool = True,
    *,
    _validated: bool = False,
) -> MotifModule:
    """The level-L motif of ``genotype`` as a module reading ``C_in`` channels.

    ``C`` is the channel count of the convolution primitives; ``motif_conv`` adds the 1x1
    convolution after every level-2 motif (Section 5.1).  The genotype is checked first
    (:func:`~nasedu.spaces.motifs.check_genotype`; ``_validated=True`` says that the caller has
    done so), the channel counts and ``motif_conv`` too.
    """
    if not _validated:
        genotype = check_genotype(genotype)
    C_in, C = positive_int(C_in, "C_in"), positive_int(C, "C")
    motif_conv = check_flag(motif_conv, "motif_conv")

    def make(level: int, motif: Motif, c_in: int) -> MotifModule:
        def make_edge(op: str, c: int) -> tuple[nn.Module, int]:
            if level == 2:
                c_out = c if op in CHANNEL_PRESERVING else C
                return make_op(op, c, c_out, 1), c_out
            inner = make(level - 1, genotype.levels[level - 3][motif_index(op)], c)
            if level - 1 == 2 and motif_conv:
                return nn.Sequential(inner, ConvBNReLU(inner.C_out, c, 1)), c
            return inner, inner.C_out

        return MotifModule(motif, c_in, make_edge, _validated=True)

    return make(genotype.num_levels, genotype.cell, C_in)


class HierarchicalNetwork(nn.Module):
    """The small model of Liu et al. (2018), Section 5.1 and Fig. 2 (top left).

    ``stem (3x3 conv, channels[0]) -> [cell x cells_per_stage -> sep conv 3x3 stride 2]`` for
    every entry of ``channels`` (no reduction after the last) ``-> global pool -> linear``.

    Where the paper is silent: when a stage repeats its cell (``cells_per_stage > 1``), a 1x1
    conv-BN-ReLU brings each cell's output back to the stage's channels before the next cell,
    so that concatenation cannot multiply the width from cell to cell.

    ``HierarchicalNetwork(genotype, input_shape, num_classes, **macro)`` (the constructor shape
    of every network); the macro settings ``channels``, ``cells_per_stage`` and ``motif_conv``
    are keyword-only.  The genotype (:func:`~nasedu.spaces.motifs.check_genotype`),
    ``input_shape``, ``num_classes`` and the macro arguments are checked at construction, as
    ``HierarchicalSpace.build`` would.  ``_validated=True`` (what ``HierarchicalSpace.build``
    passes, after its own ``validate``) trusts the genotype: each genotype is checked once.
    """

    def __init__(
        self,
        genotype: HierarchicalGenotype,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        channels: Sequence[int] = (16, 32, 64),
        cells_per_stage: int = 1,
        motif_conv: bool = True,
        _validated: bool = False,
    ) -> None:
        super().__init__()
        if not _validated:
            genotype = check_genotype(genotype)
        self.genotype = genotype
        in_channels = check_io(input_shape, num_classes)[0]
        if isinstance(channels, (str, bytes, Mapping)) or not hasattr(channels, "__iter__"):
            raise ValueError(
                f"channels must be one positive integer per stage, e.g. (16, 32, 64); "
                f"got {short_repr(channels)}"
            )
        channels = tuple(itertools.islice(channels, 17))  # a range(10**9) must not be walked
        channels = tuple(width(c, f"channels[{i}]") for i, c in enumerate(channels))
        cells_per_stage = depth(cells_per_stage, "cells_per_stage")
        if not 1 <= len(channels) <= 16:
            raise ValueError(
                f"channels must give 1 to 16 stages (one channel count each), got {len(channels)}"
            )
        # a flattened cell of the paper holds up to 60 ops; concatenations widen them: ~400 c^2
        check_estimate(
            400 * cells_per_stage * sum(c * c for c in channels),
            f"channels={channels}, cells_per_stage={cells_per_stage}",
        )
        motif_conv = check_flag(motif_conv, "motif_conv")
        self.stem = ConvBNReLU(in_channels, channels[0], 3)
        layers: list[nn.Module] = []
        c = channels[0]
        for stage, C in enumerate(channels):
            if stage > 0:
                layers.append(make_op("sep_conv_3x3_bn_relu", c, C, 2))
                c = C
            for k in range(cells_per_stage):
                if k > 0 and c != C:
                    layers.append(ConvBNReLU(c, C, 1))
                    c = C
                cell = build_cell(genotype, c, C, motif_conv, _validated=True)
                layers.append(cell)
                c = cell.C_out
        self.body = nn.Sequential(*layers)
        self.head = ClassifierHead(c, int(num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(self.stem(x)))
