"""The network of a multi-branch genotype: every layer reads a merge of earlier tensors.

Tensors that a layer merges may disagree in shape: a strided layer halves the resolution, and
layers have different numbers of filters.  Real architectures fix this with small adapters,
and so do we (as ResNet's "projection shortcuts" do):

* different resolutions: every input is average-pooled to the *smallest* one;
* ``sum`` of different channel counts: inputs are projected to the *largest* count by a 1x1
  convolution with batch norm;
* ``concat`` stacks the channels, so only the resolution has to agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..spaces.checks import InvalidArchitecture, check_io, short_repr
from ..spaces.multibranch import MERGES, BranchNode, MultiBranchGenotype, check_connection
from .common import (
    ClassifierHead,
    check_genotype_type,
    check_layer,
    check_parts,
    compile_layer,
    layer_output_shape,
)

__all__ = ["Merge", "MultiBranchNetwork", "check_node"]

Shape = tuple[int, int, int]


def check_node(node: Any, i: int) -> BranchNode:
    """Node ``i`` (from 1) if a network can build it, else InvalidArchitecture naming it: a
    :class:`BranchNode` with a valid layer and a valid connection
    (:func:`~nasedu.spaces.multibranch.check_connection`, which
    :meth:`MultiBranchSpace.validate <nasedu.spaces.multibranch.MultiBranchSpace.validate>`
    calls too): it reads the sorted, distinct tensors ``0..i-1``, merged by ``"sum"`` or
    ``"concat"`` when there are several and by nothing (``None``) when there is one.
    """
    where = f"layer {i}"
    if not isinstance(node, BranchNode):
        raise InvalidArchitecture(f"{where}: expected a BranchNode, got {short_repr(node)}")
    check_layer(node.layer, where)
    return check_connection(node, i, where=where)


class Merge(nn.Module):
    """g_i: brings tensors of the given shapes to one resolution and sums or concatenates them."""

    def __init__(self, shapes: Sequence[Shape], kind: str | None) -> None:
        super().__init__()
        if not shapes or kind not in (None, *MERGES) or (kind is None and len(shapes) > 1):
            raise ValueError(
                f"Merge takes one shape with kind None, or several with a kind of {MERGES}; "
                f"got {len(shapes)} shape(s) and kind {kind!r}"
            )
        self.kind = kind
        self.size = (min(s[1] for s in shapes), min(s[2] for s in shapes))
        channels = [s[0] for s in shapes]
        if kind == "sum":
            target = max(channels)
            self.project = nn.ModuleList(
                nn.Identity()
                if c == target
                else nn.Sequential(nn.Conv2d(c, target, 1, bias=False), nn.BatchNorm2d(target))
                for c in channels
            )
            self.out_shape: Shape = (target, *self.size)
        else:
            self.project = nn.ModuleList(nn.Identity() for _ in channels)
            self.out_shape = (sum(channels), *self.size)

    def forward(self, tensors: Sequence[torch.Tensor]) -> torch.Tensor:
        resized = [
            t if tuple(t.shape[-2:]) == self.size else F.adaptive_avg_pool2d(t, self.size)
            for t in tensors
        ]
        projected = [p(t) for p, t in zip(self.project, resized)]
        if self.kind == "sum":
            return torch.stack(projected).sum(0)
        if self.kind == "concat":
            return torch.cat(projected, dim=1)
        return projected[0]


class MultiBranchNetwork(nn.Module):
    """Compute out_i = layer_i(g_i(out_j for j in inputs_i)) for i = 1..n, classify out_n.

    ``MultiBranchNetwork(genotype, input_shape, num_classes)``, the constructor shape of every
    network (no macro settings: the layers fix every width).  The genotype's nodes (each
    checked by :func:`check_node`), ``input_shape`` and ``num_classes`` are checked at
    construction, as ``MultiBranchSpace.build`` would, before any module is made;
    ``_validated=True`` (what ``MultiBranchSpace.build`` passes after its own ``validate``)
    trusts the nodes, so that a genotype is checked once.
    """

    def __init__(
        self,
        genotype: MultiBranchGenotype,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        _validated: bool = False,
    ) -> None:
        super().__init__()
        genotype = check_genotype_type(genotype, MultiBranchGenotype, "MultiBranchNetwork")
        nodes = check_parts(genotype.nodes, "MultiBranchNetwork nodes", "BranchNodes")
        if not _validated:
            nodes = tuple(check_node(node, i) for i, node in enumerate(nodes, start=1))
        shapes: list[Shape] = [check_io(input_shape, num_classes)]
        self.genotype = genotype
        self.inputs = [tuple(node.inputs) for node in nodes]
        self.merges = nn.ModuleList()
        self.layers = nn.ModuleList()
        for i, node in enumerate(nodes, start=1):
            merge = Merge([shapes[j] for j in node.inputs], node.merge)
            c, h, w = merge.out_shape
            self.merges.append(merge)
            where = f"layer {i}"
            self.layers.append(compile_layer(node.layer, c, where, _validated=_validated))
            shapes.append(layer_output_shape(node.layer, c, h, w, where=f"layer {i}"))
        self.head = ClassifierHead(shapes[-1][0], int(num_classes))
        self.output_shape = shapes[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = [x]
        for inputs, merge, layer in zip(self.inputs, self.merges, self.layers):
            outputs.append(layer(merge([outputs[j] for j in inputs])))
        return self.head(outputs[-1])
