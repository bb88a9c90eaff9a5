"""Pieces shared by the networks of the basic spaces: compiling one layer, and the classifier.

Every network class is built the same way, from a space or directly:
``XNetwork(genotype, input_shape, num_classes, **macro)`` -- the genotype says *what* to compute,
``input_shape`` and ``num_classes`` what the data looks like, and the keyword-only ``macro``
settings (widths, depths, ...) how big the network around the genotype is.  Built directly
(``ChainNetwork(ChainGenotype(layers), (1, 8, 8), 10)``), a network checks what it is given with
the spaces' own rules before any torch module is made: a bad layer, input shape or class count
raises an error naming it, never a torch error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from ..ops import conv_layer, pool_layer, same_padding, spatial_output_size
from ..spaces.checks import InvalidArchitecture, as_tuple, is_int, short_repr
from ..spaces.layers import Layer, check_layer

__all__ = [
    "ClassifierHead",
    "check_flag",
    "check_genotype_type",
    "check_layer",
    "check_parts",
    "compile_layer",
    "layer_output_shape",
    "positive_int",
]


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int if it is an integer >= 1, else a ValueError naming ``name``: a
    network size of 0, -1, 1.5 or None must not reach torch (which fails obscurely, or
    silently truncates 1.5 to 1)."""
    if not is_int(value):
        raise ValueError(f"{name} must be a positive integer, got {short_repr(value)}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


MAX_WIDTH = 1024
"""The most channels a network's width argument (``C``, a stage's ``channels``) may ask for:
20 times the papers' (C=48), far below what would take gigabytes to build."""
MAX_DEPTH = 100
"""The most cells (or cells per stage) a network may ask for: 5 times the papers' 20."""
MAX_PARAMETERS = 200_000_000
"""The most parameters (estimated before building) a network may have: 800 MB of float32."""


def width(value: Any, name: str) -> int:
    """A channel count the user chose: an integer in 1..:data:`MAX_WIDTH`, else a ValueError
    (``C=10**7`` must be refused at once, not try to allocate petabytes inside torch)."""
    value = positive_int(value, name)
    if value > MAX_WIDTH:
        raise ValueError(f"{name} must be at most {MAX_WIDTH} channels, got {value}")
    return value


def depth(value: Any, name: str) -> int:
    """A number of cells the user chose: an integer in 1..:data:`MAX_DEPTH`."""
    value = positive_int(value, name)
    if value > MAX_DEPTH:
        raise ValueError(f"{name} must be at most {MAX_DEPTH}, got {value}")
    return value


def check_estimate(parameters: int, settings: str) -> None:
    """Refuse a network whose estimated parameter count exceeds :data:`MAX_PARAMETERS`."""
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"{settings} would build a network of about {parameters / 1e6:,.0f}M parameters; "
            f"at most {MAX_PARAMETERS / 1e6:,.0f}M are built"
        )


def check_flag(value: Any, name: str) -> bool:
    """True or False, else a ValueError: ``"no"`` is truthy and would silently mean True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {short_repr(value)}")
    return bool(value)


def check_genotype_type(genotype: Any, expected: type | tuple[type, ...], network: str) -> Any:
    """``genotype`` if it is an ``expected`` genotype (a type, or a tuple of types), else
    InvalidArchitecture naming the network and what it got: every network takes the genotype
    of its space, not its parts."""
    if not isinstance(genotype, expected):
        kinds = expected if isinstance(expected, tuple) else (expected,)
        raise InvalidArchitecture(
            f"{network} takes a {' or a '.join(k.__name__ for k in kinds)} as its genotype (the "
            f"first argument), got {short_repr(genotype)}"
        )
    return genotype


def check_parts(parts: Any, where: str, what: str) -> tuple:
    """``parts`` (a network's layers or nodes) as a non-empty tuple, else InvalidArchitecture:
    a dict or a string is not read as its keys or letters, and a network needs a layer."""
    parts = as_tuple(parts, where, what)
    if not parts:
        raise InvalidArchitecture(f"{where} is empty: a network needs at least one layer")
    return parts


def layer_output_shape(layer: Layer, channels: int, height: int, width: int, where: str):
    """(channels, height, width) after ``layer``; raises InvalidArchitecture if it collapses.

    The resolution is computed with torch's own formula *before* any tensor flows, so an
    architecture that shrinks the image to nothing fails with a message naming the layer instead
    of an obscure error deep inside a convolution.
    """
    kernel, stride = int(layer["kernel"]), int(layer["stride"])
    dilation = int(layer.get("dilation", 1))
    padding = same_padding(kernel, dilation) if layer.get("padding", "same") == "same" else 0
    h = spatial_output_size(height, kernel, stride, padding, dilation)
    w = spatial_output_size(width, kernel, stride, padding, dilation)
    if h < 1 or w < 1:
        raise InvalidArchitecture(
            f"{where} ({layer!r}) gets a {height}x{width} input and would produce {h}x{w}: the "
            "resolution collapses below 1x1; use fewer strided layers, 'same' padding, or "
            "larger images"
        )
    out_channels = channels if layer.op == "pool" else int(layer["filters"])
    return out_channels, h, w


def compile_layer(
    layer: Layer, channels: int, where: str = "layer", *, _validated: bool = False
) -> nn.Module:
    """The ``nn.Module`` for one chain-space layer reading ``channels`` input channels.

    The layer is checked first (:func:`~nasedu.spaces.layers.check_layer`; ``where`` names it
    in the error), unless ``_validated`` says that its space's ``validate`` has passed it.
    """
    if not _validated:
        check_layer(layer, where)
    channels = positive_int(channels, f"{where}: the input channels")
    padding = str(layer.get("padding", "same"))
    if layer.op == "pool":
        return pool_layer(str(layer["kind"]), int(layer["kernel"]), int(layer["stride"]), padding)
    return conv_layer(
        channels,
        int(layer["filters"]),
        int(layer["kernel"]),
        stride=int(layer["stride"]),
        dilation=int(layer.get("dilation", 1)),
        separable=layer.op == "sep_conv",
        padding=padding,
    )


class ClassifierHead(nn.Module):
    """Global average pooling followed by a linear classifier: the head of every network here."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.linear = nn.Linear(
            positive_int(channels, "channels"), positive_int(num_classes, "num_classes")
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(torch.flatten(self.pool(x), 1))
