"""The evaluation network of cell spaces: cells stacked by a hand-designed macro architecture.

This is the network of the DARTS reference code (Liu, Simonyan and Yang 2019, ``cnn/model.py``),
itself the NASNet design (Zoph et al. 2018, Section 3 and Figure 2):

* a **stem**: on CIFAR a 3x3 convolution with ``stem_multiplier * C`` filters at full resolution
  (it also suits 8x8 digits: nothing is lost to early down-sampling); on ImageNet three strided
  3x3 convolutions that bring 224x224 down to 28x28;
* ``layers`` **cells**; the cells at 1/3 and 2/3 of the depth are reduction cells, which halve the
  resolution and double the channels ``C``.  With ``layers = 3N + 2`` this is NASNet's layout:
  N normal cells, reduction, N normal, reduction, N normal;
* every cell reads the outputs of the two previous cells, each first **preprocessed** to ``C``
  channels by ReLU-conv1x1-BN, or by a factorized reduction when the older input still has twice
  the resolution (the cell after a reduction cell);
* **drop path** (Larsson et al. 2017, as used by NASNet and DARTS): while training, the result of
  every op that is not an identity is zeroed for a whole example with probability
  ``drop_path_prob`` (and the survivors are scaled up);
* an optional **auxiliary head** on the output of the second reduction cell (returned as
  ``(logits, aux_logits)`` in training mode; the papers leave it out of their parameter counts);
* global average pooling and a linear classifier.

The reductions split the network into **stages** (three with ``layers = 3N + 2``), one per
resolution.  NASNet runs the same normal cell in every stage; ``stage_cells`` gives each stage
its own normal cell instead (the lecture's "different spatial resolutions may favour different
convolutions"), leaving everything else as it is.

Cells come as a NASNet :class:`~nasedu.spaces.cell.CellGenotype` or as a DARTS genotype
(:mod:`nasedu.spaces.darts_format`); a block that combines by concatenation produces ``2C``
channels, and ops reading it map them back to ``C``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ..ops import FactorizedReduce, ReLUConvBN, make_op
from ..spaces.cell import Cell, CellGenotype, WiredCell, check_wired_cell
from ..spaces.checks import InvalidArchitecture, as_tuple, check_io, short_repr
from ..spaces.darts_format import DartsGenotype, wired_cells
from .common import (
    check_estimate,
    check_flag,
    check_genotype_type,
    depth,
    positive_int,
    width,
)

__all__ = [
    "AuxiliaryHead",
    "CellLayer",
    "CellNetwork",
    "ImageNetStem",
    "check_macro",
    "check_wired_cell",
    "drop_path",
    "reduction_layers",
    "stage_normals",
]

STEMS = ("cifar", "imagenet")


def drop_path(x: torch.Tensor, drop_prob: float) -> torch.Tensor:
    """Zero whole examples of ``x`` with probability ``drop_prob``; scale the rest by 1/keep."""
    if drop_prob <= 0.0:
        return x
    keep = 1.0 - drop_prob
    mask = x.new_empty(x.shape[0], 1, 1, 1).bernoulli_(keep)
    return x / keep * mask


def reduction_layers(layers: int) -> tuple[int, ...]:
    """Indices of the reduction cells: 1/3 and 2/3 of the depth, as in the DARTS code."""
    return tuple(sorted({layers // 3, 2 * layers // 3}))


def stage_normals(
    stage_cells: Sequence[Cell | WiredCell] | None, normal: WiredCell, layers: int
) -> tuple[WiredCell, ...]:
    """The normal cell of every stage of a network of ``layers`` cells (stage ``s`` runs
    after ``s`` reductions): ``normal``, the genotype's, in each when ``stage_cells`` is None,
    else one cell per stage, each checked by :func:`~nasedu.spaces.cell.check_wired_cell`.
    A wrong count or a cell that is not one is refused naming ``stage_cells``."""
    stages = len(reduction_layers(layers)) + 1
    if stage_cells is None:
        return (normal,) * stages
    if isinstance(stage_cells, (Cell, WiredCell)):
        raise InvalidArchitecture(
            f"stage_cells takes one normal cell per stage, ({', '.join(['cell'] * stages)}) "
            f"for layers={layers}, got a single {type(stage_cells).__name__}"
        )
    cells = as_tuple(stage_cells, "stage_cells", "Cells (one normal cell per stage)")
    if len(cells) != stages:
        raise ValueError(
            f"stage_cells must give one normal cell per stage: {stages} for layers={layers} "
            f"(reductions at cells {reduction_layers(layers)}), got {len(cells)}"
        )
    return tuple(check_wired_cell(cell, f"stage_cells[{s}]") for s, cell in enumerate(cells))


def _half(size: int) -> int:
    return -(-size // 2)  # every op at stride 2 gives ceil(size / 2)


def check_macro(
    C: Any, layers: Any, auxiliary: Any, drop_path: Any, stem: Any, stem_multiplier: Any
) -> tuple[int, int, bool]:
    """The macro arguments of :class:`CellNetwork`, checked: ``(layers, stem_multiplier,
    auxiliary)`` as plain values, or a ValueError naming the argument."""
    if width(C, "C") % 2:
        raise ValueError(f"C must be an even number of channels (factorized reductions), got {C}")
    layers = depth(layers, "layers (the number of cells)")
    stem_multiplier = positive_int(stem_multiplier, "stem_multiplier")
    if stem_multiplier > 16:
        raise ValueError(f"stem_multiplier must be at most 16, got {stem_multiplier}")
    # about 25 weights per C^2 in a cell, 7 C^2 per cell over the three stages (C, 2C, 4C)
    check_estimate(175 * layers * C * C, f"C={C}, layers={layers}")
    auxiliary = check_flag(auxiliary, "auxiliary")
    if stem not in STEMS:
        raise ValueError(f"unknown stem {short_repr(stem)}; use one of {STEMS}")
    if not isinstance(drop_path, (int, float)) or not 0.0 <= drop_path < 1.0:
        raise ValueError(f"drop_path must be a number in [0, 1), got {short_repr(drop_path)}")
    return layers, stem_multiplier, auxiliary


class CellLayer(nn.Module):
    """One cell: preprocess the two inputs to ``C`` channels, run the blocks, concatenate.

    ``reduction``: the ops applied to the cell inputs (states 0 and 1) have stride 2.
    ``reduction_prev``: the older input has twice the resolution of the newer one.
    The cell is checked first (:func:`~nasedu.spaces.cell.check_wired_cell`; ``_validated=True``,
    what :class:`CellNetwork` passes for the cells it has checked, skips that), the channel
    counts and flags too.
    """

    def __init__(
        self,
        cell: WiredCell,
        C_prev_prev: int,
        C_prev: int,
        C: int,
        reduction: bool,
        reduction_prev: bool,
        *,
        _validated: bool = False,
    ) -> None:
        super().__init__()
        if not _validated:
            cell = check_wired_cell(cell)
        C_prev_prev, C_prev, C = (
            positive_int(C_prev_prev, "C_prev_prev"),
            positive_int(C_prev, "C_prev"),
            positive_int(C, "C"),
        )
        self.reduction = reduction = check_flag(reduction, "reduction")
        if check_flag(reduction_prev, "reduction_prev"):
            self.preprocess0: nn.Module = FactorizedReduce(C_prev_prev, C)
        else:
            self.preprocess0 = ReLUConvBN(C_prev_prev, C, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0)
        channels = [C, C]
        self.ops = nn.ModuleList()
        self.inputs: list[int] = []
        self.combines: list[str] = []
        for block in cell.blocks:
            for state, op in zip(block.inputs, block.ops):
                stride = 2 if reduction and state < 2 else 1
                self.ops.append(make_op(op, channels[state], C, stride))
                self.inputs.append(int(state))
            self.combines.append(block.combine)
            channels.append(2 * C if block.combine == "concat" else C)
        self.concat = tuple(int(k) for k in cell.concat)
        self.out_channels = sum(channels[k] for k in self.concat)
        self._identity = [isinstance(op, nn.Identity) for op in self.ops]

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float = 0.0) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for i, combine in enumerate(self.combines):
            results = []
            for j in (2 * i, 2 * i + 1):
                h = self.ops[j](states[self.inputs[j]])
                if self.training and drop_prob > 0.0 and not self._identity[j]:
                    h = drop_path(h, drop_prob)
                results.append(h)
            states.append(results[0] + results[1] if combine == "add" else torch.cat(results, 1))
        return torch.cat([states[k] for k in self.concat], dim=1)


class AuxiliaryHead(nn.Module):
    """The auxiliary classifier of NASNet/DARTS: pool to 2x2, conv 1x1 (128), conv 2x2 (768).

    The DARTS code pools with a 5x5 window at stride 3 (CIFAR, 8x8 inputs) or 2 (ImageNet, 7x7
    inputs); both give 2x2.  Other input sizes (small images) are pooled adaptively to 2x2.
    The ImageNet head omits the batch norm after the 2x2 conv, as the DARTS code does.
    """

    def __init__(self, C: int, num_classes: int, size: int, imagenet: bool = False) -> None:
        super().__init__()
        C, num_classes = positive_int(C, "C"), positive_int(num_classes, "num_classes")
        size = positive_int(size, "size (of the input feature map)")
        stride = 2 if check_flag(imagenet, "imagenet") else 3
        if size >= 5 and (size - 5) // stride + 1 == 2:
            pool: nn.Module = nn.AvgPool2d(5, stride=stride, padding=0, count_include_pad=False)
        else:
            pool = nn.AdaptiveAvgPool2d(2)
        norm: list[nn.Module] = [] if imagenet else [nn.BatchNorm2d(768)]
        self.features = nn.Sequential(
            nn.ReLU(inplace=False),
            pool,
            nn.Conv2d(C, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(inplace=True),
            nn.Conv2d(128, 768, 2, bias=False),
            *norm,
            nn.ReLU(inplace=True),
        )
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


class ImageNetStem(nn.Module):
    """The DARTS ImageNet stem: two stride-2 convs (stem0, to C at 1/4), one more (stem1, 1/8).

    Returns both outputs: the first cell reads stem0 (via a factorized reduction) and stem1.
    """

    def __init__(self, channels: int, C: int) -> None:
        super().__init__()
        channels = positive_int(channels, "channels")
        if positive_int(C, "C") % 2:
            raise ValueError(f"C must be an even number of channels (stem0 has C // 2), got {C}")
        self.stem0 = nn.Sequential(
            nn.Conv2d(channels, C // 2, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(C // 2),
            nn.ReLU(inplace=True),
            nn.Conv2d(C // 2, C, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(C),
        )
        self.stem1 = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C, C, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(C),
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s0 = self.stem0(x)
        return s0, self.stem1(s0)


class CellNetwork(nn.Module):
    """Stem, ``layers`` cells (reductions at 1/3 and 2/3 of the depth), pooling, classifier.

    ``CellNetwork(genotype, input_shape, num_classes, **macro)``, the constructor shape of every
    network, with the macro settings ``C``, ``layers``, ``auxiliary``, ``drop_path``, ``stem``,
    ``stem_multiplier`` and ``stage_cells`` keyword-only.  ``genotype`` is a
    :class:`~nasedu.spaces.cell.CellGenotype` or a DARTS genotype.  The defaults are the
    CIFAR-10 network of DARTS (32x32 RGB images, 10 classes, C=36, 20 cells); the ImageNet
    network is ``CellNetwork(genotype, (3, 224, 224), 1000, stem="imagenet", C=48, layers=14)``
    (see :func:`nasedu.zoo.network`).  ``drop_path_prob`` may be changed between epochs (DARTS
    raises it linearly from 0 to 0.2 over training).

    ``stage_cells``: one normal :class:`~nasedu.spaces.cell.Cell` per stage (three for
    ``layers = 3N + 2``), run instead of the genotype's normal cell in that stage; the
    reduction cells stay the genotype's.  ``None`` (the default) is NASNet's network, the
    genotype's normal cell in every stage, and so is
    ``stage_cells=(normal, normal, normal)``: the same modules, parameters and outputs.

    The genotype is checked once here (:func:`~nasedu.spaces.darts_format.wired_cells`), not
    again by each cell; ``_validated=True`` (what ``CellSpace.build`` passes after its own
    ``validate``) skips even that.
    """

    def __init__(
        self,
        genotype: CellGenotype | DartsGenotype,
        input_shape: Sequence[int] = (3, 32, 32),
        num_classes: int = 10,
        *,
        C: int = 36,
        layers: int = 20,
        auxiliary: bool = False,
        drop_path: float = 0.0,
        stem: str = "cifar",
        stem_multiplier: int = 3,
        stage_cells: Sequence[Cell | WiredCell] | None = None,
        _validated: bool = False,
    ) -> None:
        super().__init__()
        layers, stem_multiplier, auxiliary = check_macro(
            C, layers, auxiliary, drop_path, stem, stem_multiplier
        )
        check_genotype_type(genotype, (CellGenotype, DartsGenotype), "CellNetwork")
        normal, reduce = wired_cells(genotype, validated=_validated)
        normals = stage_normals(stage_cells, normal, layers)
        channels, size, _ = check_io(input_shape, num_classes)
        self.genotype = genotype
        self.stage_cells = None if stage_cells is None else normals  # as checked, wired
        self.layers = layers
        self.drop_path_prob = drop_path
        self.reductions = reduction_layers(layers)
        C_prev, size, reduction_prev = self._make_stem(stem, channels, C, stem_multiplier, size)
        C_prev, C_aux, size_aux = self._make_cells(normals, reduce, C, C_prev, size, reduction_prev)
        self.auxiliary = auxiliary
        if auxiliary:
            self.auxiliary_head = AuxiliaryHead(
                C_aux, num_classes, size_aux, imagenet=stem == "imagenet"
            )
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)
        self.output_channels = C_prev

    def _make_stem(
        self, stem: str, channels: int, C: int, stem_multiplier: int, size: int
    ) -> tuple[int, int, bool]:
        """The stem; returns its output channels, the resolution after it, and whether the
        first cell's older input has twice the resolution of the newer one (ImageNet)."""
        if stem == "cifar":
            C_stem = stem_multiplier * C
            self.stem: nn.Module = nn.Sequential(
                nn.Conv2d(channels, C_stem, 3, padding=1, bias=False), nn.BatchNorm2d(C_stem)
            )
            return C_stem, size, False
        self.stem = ImageNetStem(channels, C)
        return C, _half(_half(_half(size))), True

    def _make_cells(
        self,
        normals: tuple[WiredCell, ...],
        reduce: WiredCell,
        C: int,
        C_prev: int,
        size: int,
        reduction_prev: bool,
    ) -> tuple[int, int, int]:
        """The ``layers`` cells, each reading the two before it; a reduction cell halves the
        resolution, doubles ``C`` and starts the next stage, whose normal cell is
        ``normals[stage]``.  Returns the last cell's channels and the channels and
        resolution that the auxiliary head reads (after the cell at 2/3 of the depth)."""
        self.cells = nn.ModuleList()
        C_prev_prev, C_curr, C_aux, size_aux, stage = C_prev, C, C_prev, size, 0
        for i in range(self.layers):
            reduction = i in self.reductions
            if reduction:
                C_curr *= 2
                size = _half(size)
                stage += 1
            cell = CellLayer(
                reduce if reduction else normals[stage],
                C_prev_prev,
                C_prev,
                C_curr,
                reduction,
                reduction_prev,
                _validated=True,
            )
            self.cells.append(cell)
            reduction_prev = reduction
            C_prev_prev, C_prev = C_prev, cell.out_channels
            if i == 2 * self.layers // 3:
                C_aux, size_aux = C_prev, size
        return C_prev, C_aux, size_aux

    def forward(self, x: torch.Tensor):
        aux = None
        if isinstance(self.stem, ImageNetStem):
            s0, s1 = self.stem(x)
        else:
            s0 = s1 = self.stem(x)
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if i == 2 * self.layers // 3 and self.auxiliary and self.training:
                aux = self.auxiliary_head(s1)
        logits = self.classifier(torch.flatten(self.global_pooling(s1), 1))
        return (logits, aux) if aux is not None else logits
