"""The network of a chain-structured genotype: its layers one after the other, then a classifier."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..spaces.layers import Layer
from .common import ClassifierHead, compile_layer, layer_output_shape

__all__ = ["ChainNetwork"]


class ChainNetwork(nn.Module):
    """``input -> layer 1 -> layer 2 -> ... -> layer n -> global pool -> linear``.

    Shapes are checked layer by layer at construction: a genotype that shrinks the image below
    1x1 raises :class:`~nasedu.spaces.base.InvalidArchitecture` naming the layer.
    """

    def __init__(
        self, layers: Sequence[Layer], input_shape: tuple[int, int, int], num_classes: int
    ) -> None:
        super().__init__()
        channels, height, width = input_shape
        modules = []
        for i, layer in enumerate(layers, start=1):
            modules.append(compile_layer(layer, channels))
            channels, height, width = layer_output_shape(
                layer, channels, height, width, where=f"layer {i}"
            )
        self.layers = nn.Sequential(*modules)
        self.head = ClassifierHead(channels, num_classes)
        self.output_shape = (channels, height, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.layers(x))
