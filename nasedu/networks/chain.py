"""The network of a chain-structured genotype: its layers one after the other, then a classifier."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..spaces.chain import ChainGenotype
from ..spaces.checks import check_io
from .common import (
    ClassifierHead,
    check_genotype_type,
    check_parts,
    compile_layer,
    layer_output_shape,
)

__all__ = ["ChainNetwork"]


class ChainNetwork(nn.Module):
    """``input -> layer 1 -> layer 2 -> ... -> layer n -> global pool -> linear``.

    ``ChainNetwork(genotype, input_shape, num_classes)``, the constructor shape of every
    network; a chain has no macro settings (its layers fix every width).  Everything is
    checked at construction, as ``ChainSpace.build`` would: the genotype (a
    :class:`~nasedu.spaces.chain.ChainGenotype` of at least one
    :class:`~nasedu.spaces.layers.Layer`, each of a known type with exactly its
    hyperparameters), ``input_shape`` and ``num_classes``; then the shapes layer by layer,
    so that a chain which shrinks the image below 1x1 raises
    :class:`~nasedu.spaces.base.InvalidArchitecture` naming the layer.  ``_validated=True``
    (what ``ChainSpace.build`` passes after its own ``validate``) skips the layers' check, not
    the shapes'.
    """

    def __init__(
        self,
        genotype: ChainGenotype,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        _validated: bool = False,
    ) -> None:
        super().__init__()
        genotype = check_genotype_type(genotype, ChainGenotype, "ChainNetwork")
        layers = check_parts(genotype.layers, "ChainNetwork layers", "Layers")
        channels, height, width = check_io(input_shape, num_classes)
        modules = []
        for i, layer in enumerate(layers, start=1):
            modules.append(
                compile_layer(layer, channels, where=f"layer {i}", _validated=_validated)
            )
            channels, height, width = layer_output_shape(
                layer, channels, height, width, where=f"layer {i}"
            )
        self.genotype = genotype
        self.layers = nn.Sequential(*modules)
        self.head = ClassifierHead(channels, int(num_classes))
        self.output_shape = (channels, height, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.layers(x))
