"""Primitive operations: the edges of every architecture in this course.

A NAS search space is, before anything else, a list of *operations* that the search may place
in the network.  This module keeps every operation of the three papers the course follows in one
registry, ``OPS``, that maps a name to a constructor with the same signature::

    OPS[name](C_in, C_out, stride, affine=True) -> torch.nn.Module

so that a genotype (plain data: names and numbers) can be compiled into a network by looking
names up here, exactly as the DARTS reference code does in its ``operations.py``.

The papers' op lists are tuples of names over this registry (they live in
:mod:`nasedu.opnames`, which needs no torch, and are re-exported here):

* ``NASNET_OPS`` -- the 13 operations of Zoph et al. (2018), "Learning Transferable Architectures
  for Scalable Image Recognition", Section 3.  (The paper's "identity" is ``skip_connect`` here.)
* ``LIU_PRIMITIVES`` -- the 6 level-1 primitives of Liu et al. (2018), "Hierarchical
  Representations for Efficient Architecture Search", Section 2.3.  All their convolutions are
  followed by batch norm and ReLU (post-activation), hence the ``_bn_relu`` names.
* ``DARTS_OPS`` -- the 8 candidate operations of Liu, Simonyan and Yang (2019), "DARTS:
  Differentiable Architecture Search", Section 3.1, including the no-connection op ``none``.

NASNet's "3x3 dilated convolution" is ``dil_conv_3x3`` here: a *separable* convolution with
dilation 2, as the DARTS code implements it (the NASNet paper does not say which kind).

Conventions (those of the DARTS and NASNet code): convolutions inside cells are
*pre-activation* (ReLU -> conv -> batch norm); separable convolutions are applied twice; every
op keeps the spatial size at ``stride=1`` ("same" padding) and halves it (rounding up) at
``stride=2``.  An op that cannot change the channel count by itself (pooling, identity) is
followed by a 1x1 convolution when ``C_in != C_out``, so every entry accepts any
``(C_in, C_out, stride)`` (with ``C_out >= 2`` for ``skip_connect`` at stride 2, a factorized
reduction made of two halves).

The parametrised layers of the chain-structured space (a convolution with a chosen kernel size,
number of filters and stride) are built by :func:`conv_layer` and :func:`pool_layer`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .opnames import DARTS_OPS, LIU_PRIMITIVES, NASNET_OPS, OP_NAMES

__all__ = [
    "DARTS_OPS",
    "LIU_PRIMITIVES",
    "NASNET_OPS",
    "OPS",
    "OP_NAMES",
    "DilConv",
    "FactorizedReduce",
    "OpConstructor",
    "ReLUConvBN",
    "SepConv",
    "Zero",
    "conv_layer",
    "make_op",
    "pool_layer",
    "same_padding",
    "spatial_output_size",
]

OpConstructor = Callable[..., nn.Module]


def same_padding(kernel: int, dilation: int = 1) -> int:
    """Padding that keeps the resolution of an odd ``kernel`` at stride 1."""
    return dilation * (kernel - 1) // 2


def spatial_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """The output height (or width) of a convolution or pooling window, as torch computes it.

    ``floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1``.  A result below 1
    means the layer would have nothing left to look at: the resolution has *collapsed*.
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    if ceil_mode:
        return -(-span // stride) + 1
    return span // stride + 1


# --------------------------------------------------------------------------------------------
# Building blocks (the modules of the DARTS reference code, generalised to C_in != C_out).
# --------------------------------------------------------------------------------------------


class ReLUConvBN(nn.Sequential):
    """ReLU -> convolution -> batch norm: the pre-activation convolution of NASNet and DARTS."""

    def __init__(
        self,
        C_in: int,
        C_out: int,
        kernel: int | tuple[int, int],
        stride: int | tuple[int, int],
        padding: int | tuple[int, int],
        affine: bool = True,
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, kernel, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )


class DilConv(nn.Sequential):
    """ReLU -> dilated depthwise conv -> pointwise conv -> batch norm (DARTS ``dil_conv``)."""

    def __init__(
        self,
        C_in: int,
        C_out: int,
        kernel: int,
        stride: int,
        dilation: int,
        affine: bool = True,
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(
                C_in,
                C_in,
                kernel,
                stride=stride,
                padding=same_padding(kernel, dilation),
                dilation=dilation,
                groups=C_in,
                bias=False,
            ),
            nn.Conv2d(C_in, C_out, 1, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )


class SepConv(nn.Sequential):
    """A depthwise-separable convolution applied twice, as in NASNet and DARTS.

    Zoph et al. (2018), Appendix A.4: "we apply the separable convolutions twice"; the first
    application carries the stride, the second maps to ``C_out`` channels.
    """

    def __init__(self, C_in: int, C_out: int, kernel: int, stride: int, affine: bool = True):
        super().__init__(
            DilConv(C_in, C_in, kernel, stride, dilation=1, affine=affine),
            DilConv(C_in, C_out, kernel, 1, dilation=1, affine=affine),
        )


class Zero(nn.Module):
    """The ``none`` op: no connection.  Outputs zeros of the right shape and has no parameters."""

    def __init__(self, C_out: int, stride: int) -> None:
        super().__init__()
        self.C_out = C_out
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        s = self.stride
        return x.new_zeros(n, self.C_out, -(-h // s), -(-w // s))


class FactorizedReduce(nn.Module):
    """Halve the resolution without losing half of the pixels (NASNet/DARTS).

    Two 1x1 convolutions with stride 2, the second shifted by one pixel, each producing half of
    the output channels, concatenated.  Odd sizes are padded so both halves agree (the DARTS code
    assumes even sizes; digits and pooled maps are not always even).  An odd ``C_out`` gives the
    second half the extra channel (the DARTS code assumes an even ``C_out``).
    """

    def __init__(self, C_in: int, C_out: int, affine: bool = True) -> None:
        super().__init__()
        if C_out < 2:
            raise ValueError(f"FactorizedReduce needs at least 2 output channels, got {C_out}")
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out - C_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(C_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = F.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


class ConvBNReLU(nn.Sequential):
    """Convolution -> batch norm -> ReLU: the post-activation convolution of Liu et al. (2018)
    and of classic chain-structured networks (VGG)."""

    def __init__(
        self,
        C_in: int,
        C_out: int,
        kernel: int,
        stride: int = 1,
        dilation: int = 1,
        groups: int = 1,
        padding: int | None = None,
        affine: bool = True,
    ) -> None:
        pad = same_padding(kernel, dilation) if padding is None else padding
        super().__init__(
            nn.Conv2d(
                C_in,
                C_out,
                kernel,
                stride=stride,
                padding=pad,
                dilation=dilation,
                groups=groups,
                bias=False,
            ),
            nn.BatchNorm2d(C_out, affine=affine),
            nn.ReLU(inplace=False),
        )


def _with_channels(op: nn.Module, C_in: int, C_out: int, affine: bool) -> nn.Module:
    """Follow a channel-preserving op by a 1x1 ReLU-conv-BN when the channel count must change."""
    if C_in == C_out:
        return op
    return nn.Sequential(op, ReLUConvBN(C_in, C_out, 1, 1, 0, affine=affine))


def _pool(kind: str, kernel: int) -> OpConstructor:
    def make(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
        pad = same_padding(kernel)
        if kind == "max":
            pool: nn.Module = nn.MaxPool2d(kernel, stride=stride, padding=pad)
        else:
            pool = nn.AvgPool2d(kernel, stride=stride, padding=pad, count_include_pad=False)
        return _with_channels(pool, C_in, C_out, affine)

    make.__doc__ = f"{kernel}x{kernel} {kind} pooling (a 1x1 conv follows if channels change)."
    return make


def _skip_connect(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
    """Identity; a factorized reduction at stride 2; a 1x1 conv when only the channels change."""
    if stride == 1:
        return _with_channels(nn.Identity(), C_in, C_out, affine)
    return FactorizedReduce(C_in, C_out, affine=affine)


def _factorized_conv(kernel: int) -> OpConstructor:
    def make(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
        pad = same_padding(kernel)
        return nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, (1, kernel), stride=(1, stride), padding=(0, pad), bias=False),
            nn.Conv2d(C_out, C_out, (kernel, 1), stride=(stride, 1), padding=(pad, 0), bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    make.__doc__ = f"A 1x{kernel} then a {kernel}x1 convolution (a factorized {kernel}x{kernel})."
    return make


def _relu_conv_bn(kernel: int) -> OpConstructor:
    def make(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
        return ReLUConvBN(C_in, C_out, kernel, stride, same_padding(kernel), affine=affine)

    make.__doc__ = f"ReLU -> {kernel}x{kernel} convolution -> batch norm."
    return make


def _sep_conv(kernel: int) -> OpConstructor:
    def make(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
        return SepConv(C_in, C_out, kernel, stride, affine=affine)

    make.__doc__ = f"{kernel}x{kernel} depthwise-separable convolution, applied twice."
    return make


def _dil_conv(kernel: int) -> OpConstructor:
    def make(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
        return DilConv(C_in, C_out, kernel, stride, dilation=2, affine=affine)

    make.__doc__ = f"{kernel}x{kernel} separable convolution with dilation 2."
    return make


def _liu_conv_1x1(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
    """1x1 convolution -> batch norm -> ReLU (Liu et al. 2018)."""
    return ConvBNReLU(C_in, C_out, 1, stride, affine=affine)


def _liu_dw_conv_3x3(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
    """3x3 depthwise convolution -> batch norm -> ReLU (Liu et al. 2018).

    A depthwise convolution keeps the channel count; a 1x1 conv follows if it must change.
    """
    op = ConvBNReLU(C_in, C_in, 3, stride, groups=C_in, affine=affine)
    return op if C_in == C_out else nn.Sequential(op, ConvBNReLU(C_in, C_out, 1, affine=affine))


def _liu_sep_conv_3x3(C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
    """3x3 depthwise-separable convolution (once) -> batch norm -> ReLU (Liu et al. 2018)."""
    return nn.Sequential(
        nn.Conv2d(C_in, C_in, 3, stride=stride, padding=1, groups=C_in, bias=False),
        ConvBNReLU(C_in, C_out, 1, affine=affine),
    )


OPS: dict[str, OpConstructor] = {
    "none": lambda C_in, C_out, stride, affine=True: Zero(C_out, stride),
    "skip_connect": _skip_connect,
    "avg_pool_3x3": _pool("avg", 3),
    "max_pool_3x3": _pool("max", 3),
    "max_pool_5x5": _pool("max", 5),
    "max_pool_7x7": _pool("max", 7),
    "conv_1x1": _relu_conv_bn(1),
    "conv_3x3": _relu_conv_bn(3),
    "conv_1x3_3x1": _factorized_conv(3),
    "conv_1x7_7x1": _factorized_conv(7),
    "sep_conv_3x3": _sep_conv(3),
    "sep_conv_5x5": _sep_conv(5),
    "sep_conv_7x7": _sep_conv(7),
    "dil_conv_3x3": _dil_conv(3),
    "dil_conv_5x5": _dil_conv(5),
    "conv_1x1_bn_relu": _liu_conv_1x1,
    "dw_conv_3x3_bn_relu": _liu_dw_conv_3x3,
    "sep_conv_3x3_bn_relu": _liu_sep_conv_3x3,
}
"""Every primitive operation of the course, by name."""


def make_op(name: str, C_in: int, C_out: int, stride: int, affine: bool = True) -> nn.Module:
    """Build the registered op ``name`` (an unknown name raises a KeyError listing valid ones)."""
    try:
        constructor = OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}; valid ops are: {', '.join(sorted(OPS))}") from None
    if stride not in (1, 2):
        raise ValueError(f"op {name!r}: stride must be 1 or 2, got {stride}")
    return constructor(C_in, C_out, stride, affine=affine)


# --------------------------------------------------------------------------------------------
# Parametrised layers of the chain-structured and multi-branch spaces.
# --------------------------------------------------------------------------------------------


def conv_layer(
    C_in: int,
    filters: int,
    kernel: int,
    stride: int = 1,
    dilation: int = 1,
    separable: bool = False,
    padding: str = "same",
) -> nn.Module:
    """A chain-space convolution layer: conv -> batch norm -> ReLU.

    ``separable=True`` makes it a depthwise conv followed by a 1x1 pointwise conv (MobileNet),
    ``dilation > 1`` spreads the kernel over a wider window.  ``padding`` is ``"same"`` (keep the
    resolution at stride 1) or ``"valid"`` (no padding: every layer shrinks the image).
    """
    pad = same_padding(kernel, dilation) if padding == "same" else 0
    if not separable:
        return ConvBNReLU(C_in, filters, kernel, stride, dilation=dilation, padding=pad)
    return nn.Sequential(
        nn.Conv2d(
            C_in,
            C_in,
            kernel,
            stride=stride,
            padding=pad,
            dilation=dilation,
            groups=C_in,
            bias=False,
        ),
        ConvBNReLU(C_in, filters, 1),
    )


def pool_layer(kind: str, kernel: int, stride: int, padding: str = "same") -> nn.Module:
    """A chain-space pooling layer (``kind`` is ``"max"`` or ``"avg"``)."""
    pad = same_padding(kernel) if padding == "same" else 0
    if kind == "max":
        return nn.MaxPool2d(kernel, stride=stride, padding=pad)
    if kind == "avg":
        return nn.AvgPool2d(kernel, stride=stride, padding=pad, count_include_pad=False)
    raise ValueError(f"unknown pooling kind {kind!r}; valid kinds are 'max' and 'avg'")
