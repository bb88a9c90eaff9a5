"""How big and how costly is a network?  Parameters and multiply-adds.

Papers report two numbers for every architecture: the number of trainable *parameters* (memory,
and a rough measure of capacity) and the number of *multiply-adds* (MACs) for one image (compute
at inference).  Two networks with the same parameter count can differ tenfold in MACs: a 3x3
convolution at 32x32 resolution costs 16 times what the same convolution costs at 8x8.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

__all__ = [
    "conv_output_shape",
    "count_macs",
    "count_parameters",
    "pool_output_shape",
    "rank_correlation",
    "top_k_overlap",
]


def count_parameters(model: nn.Module, auxiliary: bool = True) -> int:
    """Trainable parameters of ``model``.

    ``auxiliary=False`` leaves out modules named ``auxiliary*`` at any depth (the auxiliary
    classifier head that the NASNet and DARTS papers exclude from their reported counts).
    """
    return sum(
        p.numel()
        for name, p in model.named_parameters()
        if p.requires_grad
        and (auxiliary or not any(part.startswith("auxiliary") for part in name.split(".")))
    )


def count_macs(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Multiply-adds of convolutions and linear layers for one input of ``input_shape`` (C, H, W).

    A convolution with ``out`` output values costs ``out * (in_channels / groups) * kh * kw``
    multiply-adds, a linear layer ``out * in_features``.  Pooling, batch norm and activations
    are not counted, as is usual in the NAS literature.

    Counted from shapes: one pass of a single example through the model in which every
    convolution and linear layer only *works out the shape* of its output (from its kernel,
    stride, padding and dilation, :func:`conv_output_shape`) and returns an uninitialised
    tensor of that shape, and batch norm passes its input on.  Nothing expensive is computed,
    so a network is counted in a fraction of the time of one real forward pass (NASNet-A for
    CIFAR-10: ``benchmarks/bench_measure.py``).  The model is left exactly as it was (mode,
    weights, batch-norm statistics).
    """
    total = 0

    def conv(module: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
        nonlocal total
        shape = conv_output_shape(module, tuple(x.shape))
        kh, kw = module.kernel_size
        total += math.prod(shape) // shape[0] * (module.in_channels // module.groups) * kh * kw
        return x.new_zeros(shape)

    def linear(module: nn.Linear, x: torch.Tensor) -> torch.Tensor:
        nonlocal total
        shape = (*x.shape[:-1], module.out_features)
        total += math.prod(shape) // shape[0] * module.in_features
        return x.new_zeros(shape)

    def pool(module: nn.MaxPool2d | nn.AvgPool2d, x: torch.Tensor) -> torch.Tensor:
        if getattr(module, "ceil_mode", False):
            return type(module).forward(module, x)  # rare: let torch work out the shape
        return x.new_zeros(pool_output_shape(module, tuple(x.shape)))

    def passthrough(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return x

    stubs = {
        nn.Conv2d: conv,
        nn.Linear: linear,
        nn.BatchNorm2d: passthrough,
        nn.MaxPool2d: pool,
        nn.AvgPool2d: pool,
    }
    modules = list(model.modules())
    modes = [m.training for m in modules]
    swapped = []
    try:
        for module in modules:
            # set directly in the module's __dict__: nn.Module.__setattr__ and .eval() are slow
            module.__dict__["training"] = False
            stub = next((f for kind, f in stubs.items() if type(module) is kind), None)
            if stub is not None and "forward" not in module.__dict__:
                module.__dict__["forward"] = functools.partial(stub, module)
                swapped.append(module)
        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        with torch.no_grad():
            model(torch.zeros(1, *input_shape, device=device))
    finally:
        for module, mode in zip(modules, modes):
            module.__dict__["training"] = mode
        for module in swapped:
            del module.__dict__["forward"]
    return int(total)


def _side(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """Output length along one side: ``floor((size + 2p - d(k - 1) - 1) / s) + 1``."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _pair(value: int | tuple[int, ...]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[-1])


def pool_output_shape(
    pool: nn.MaxPool2d | nn.AvgPool2d, input_shape: tuple[int, ...]
) -> tuple[int, ...]:
    """The output shape of a max or average pooling (without ``ceil_mode``) for an input of
    ``input_shape`` (N, C, H, W): the same rule as a convolution's, channels unchanged."""
    n, c, *sides = input_shape
    kernel, stride = _pair(pool.kernel_size), _pair(pool.stride or pool.kernel_size)
    padding, dilation = _pair(pool.padding), _pair(getattr(pool, "dilation", 1))
    return (n, c, *(_side(sides[i], kernel[i], stride[i], padding[i], dilation[i]) for i in (0, 1)))


def conv_output_shape(conv: nn.Conv2d, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape of ``conv`` for an input of ``input_shape`` (N, C, H, W): per spatial
    side ``floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1``."""
    if len(input_shape) != 4 or input_shape[1] != conv.in_channels:
        raise ValueError(
            f"{conv} needs an input of shape (N, {conv.in_channels}, H, W), got {input_shape}"
        )
    n, _, *sides = input_shape
    out = []
    for i, size in enumerate(sides):
        k, s, d = conv.kernel_size[i], conv.stride[i], conv.dilation[i]
        if conv.padding == "same":
            out.append(size)
            continue
        p = 0 if conv.padding == "valid" else conv.padding[i]
        out.append(_side(size, k, s, p, d))
    return (n, conv.out_channels, *out)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def rank_correlation(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rank correlation of two scorings of the same architectures.

    1 means both put the architectures in the same order, 0 unrelated orders.  It is the usual
    measure of a *proxy*: a search only needs the proxy to rank architectures as the expensive
    evaluation would, not to predict its accuracy.  Ties get the mean of their ranks.
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError(
            f"need two 1-d sequences of the same length >= 2, got {x.shape}, {y.shape}"
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("the scores contain NaN or infinite values: they have no ranking")
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        raise ValueError("a constant scoring has no rank correlation")
    return float(np.corrcoef(rx, ry)[0, 1])


def top_k_overlap(a: Sequence[float], b: Sequence[float], k: int = 10) -> int:
    """How many of the ``k`` best architectures by scoring ``a`` are among the ``k`` best by
    ``b`` (0 to k).  Rank correlation weighs all pairs alike; a search cares about the top, and
    this counts exactly that.  Ties at the k-th place are broken by position."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"need two 1-d sequences of the same length, got {x.shape}, {y.shape}")
    if not 1 <= k <= len(x):
        raise ValueError(f"k must be in 1..{len(x)}, got {k}")
    best = lambda v: set(np.argsort(-v, kind="stable")[:k].tolist())  # noqa: E731
    return len(best(x) & best(y))
