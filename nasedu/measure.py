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
from typing import Any

import numpy as np
import torch
from torch import nn

from .checks import brief, check_bool, check_int, shown

__all__ = [
    "conv_output_shape",
    "count_macs",
    "count_parameters",
    "pool_output_shape",
    "rank_correlation",
    "top_k_overlap",
]

#: the largest side (height, width, channels) of an input shape :func:`count_macs` takes
MAX_SIDE = 2**16
#: the most values in one input that :func:`count_macs` passes through a model on its own
#: device (bigger inputs pass on the ``meta`` device, which allocates nothing)
MAX_COMPUTED_VALUES = 2**20


def _check_model(model: Any) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {shown(model)}")
    return model


def _check_shape(input_shape: Any, name: str, length: int) -> tuple[int, ...]:
    """``input_shape`` as a tuple of ``length`` integers in ``[1, MAX_SIDE]``, else a ValueError."""
    what = "(channels, height, width)" if length == 3 else "(N, C, H, W)"
    if not isinstance(input_shape, (tuple, list, torch.Size)) or len(input_shape) != length:
        raise ValueError(f"{name} must be {what}, {length} integers, got {shown(input_shape)}")
    return tuple(check_int(s, name, least=1, most=MAX_SIDE) for s in input_shape)


def count_parameters(model: nn.Module, auxiliary: bool = True) -> int:
    """Trainable parameters of ``model``.

    ``auxiliary=False`` leaves out modules named ``auxiliary*`` at any depth (the auxiliary
    classifier head that the NASNet and DARTS papers exclude from their reported counts).
    """
    _check_model(model)
    check_bool(auxiliary, "auxiliary")
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

    An input of more than ``MAX_COMPUTED_VALUES`` values passes on PyTorch's ``meta`` device,
    where tensors have shapes but no values (slower for small inputs, but nothing is
    allocated), so a huge ``input_shape`` cannot fill the memory; a model that needs real
    values there (its own parameters used directly, a decision on a value) is refused.  A bad
    ``input_shape`` (not three integers >= 1, or one the model cannot take) raises a
    ValueError.
    """
    _check_model(model)
    shape = _check_shape(input_shape, "input_shape", 3)
    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    try:
        if math.prod(shape) <= MAX_COMPUTED_VALUES:
            return _count_macs(model, shape, device)
        try:
            return _count_macs(model, shape, torch.device("meta"))
        except ValueError:
            raise
        except Exception:  # the model needs real values, and the input is too big for that
            raise ValueError(
                f"this model cannot be counted without computing, and input_shape {shape} "
                f"has more than {MAX_COMPUTED_VALUES:,} values"
            ) from None
    except RuntimeError as error:  # torch's message for an input the model cannot take
        raise ValueError(
            f"the model cannot take an input of shape input_shape={shape}: {brief(str(error))}"
        ) from error


def _count_macs(model: nn.Module, input_shape: tuple[int, ...], device: torch.device) -> int:
    """:func:`count_macs` with one input of ``input_shape`` on ``device``."""
    total = 0

    def conv(module: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
        nonlocal total
        shape = conv_output_shape(module, tuple(x.shape))
        kh, kw = module.kernel_size
        total += math.prod(shape) // shape[0] * (module.in_channels // module.groups) * kh * kw
        return x.new_zeros(shape)

    def linear(module: nn.Linear, x: torch.Tensor) -> torch.Tensor:
        nonlocal total
        if x.dim() < 1 or x.shape[-1] != module.in_features:
            raise ValueError(
                f"{brief(module)} needs inputs of {module.in_features} features, got an input "
                f"of shape {tuple(x.shape)}"
            )
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
    if not isinstance(pool, (nn.MaxPool2d, nn.AvgPool2d)):
        raise ValueError(f"pool must be an nn.MaxPool2d or nn.AvgPool2d, got {shown(pool)}")
    n, c, *sides = _check_shape(input_shape, "input_shape", 4)
    kernel, stride = _pair(pool.kernel_size), _pair(pool.stride or pool.kernel_size)
    padding, dilation = _pair(pool.padding), _pair(getattr(pool, "dilation", 1))
    out = tuple(_side(sides[i], kernel[i], stride[i], padding[i], dilation[i]) for i in (0, 1))
    return (n, c, *_positive(out, pool, input_shape))


def _positive(sides: Sequence[int], module: nn.Module, input_shape: Any) -> Sequence[int]:
    if min(sides) < 1:
        raise ValueError(
            f"an input of shape {tuple(input_shape)} is too small for {brief(module)}: "
            f"its output would be {sides[0]}x{sides[1]}"
        )
    return sides


def conv_output_shape(conv: nn.Conv2d, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape of ``conv`` for an input of ``input_shape`` (N, C, H, W): per spatial
    side ``floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1``."""
    if not isinstance(conv, nn.Conv2d):
        raise ValueError(f"conv must be an nn.Conv2d, got {shown(conv)}")
    input_shape = _check_shape(input_shape, "input_shape", 4)
    if input_shape[1] != conv.in_channels:
        raise ValueError(
            f"{brief(conv)} needs an input of shape (N, {conv.in_channels}, H, W), "
            f"got {input_shape}"
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
    return (n, conv.out_channels, *_positive(out, conv, input_shape))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing the mean of their ranks (in O(n log n): one sort)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)  # the rank of the last of each group of equal values
    return ((last - counts + 1 + last) / 2.0)[inverse]


def _scores(values: Any, name: str) -> np.ndarray:
    """``values`` as a 1-d float array of finite numbers, else a ValueError naming ``name``:
    strings, booleans, complex numbers, nested or ragged lists and NaN are not scores."""
    wanted = f"{name} must be a 1-d sequence of finite real numbers"
    if isinstance(values, (str, bytes, dict, set, frozenset)) or not hasattr(values, "__len__"):
        raise ValueError(f"{wanted}, got {shown(values)}")
    try:
        array = np.asarray(values)
    except Exception:  # ragged lists, tensors that need grad, broken __array__
        raise ValueError(f"{wanted}, got {shown(values)}") from None
    if array.ndim != 1 or array.dtype.kind not in "iuf":
        raise ValueError(f"{wanted}, got {shown(values)}")
    array = array.astype(float)
    if not np.isfinite(array).all():
        raise ValueError(f"{wanted}, got NaN or infinite values ({shown(values)}): no ranking")
    return array


def _pair_of_scores(a: Any, b: Any, least: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = _scores(a, "a"), _scores(b, "b")
    if len(x) != len(y) or len(x) < least:
        raise ValueError(
            f"a and b must score the same architectures: two sequences of the same length "
            f">= {least}, got lengths {len(x)} and {len(y)}"
        )
    return x, y


def rank_correlation(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rank correlation of two scorings of the same architectures.

    1 means both put the architectures in the same order, 0 unrelated orders.  It is the usual
    measure of a *proxy*: a search only needs the proxy to rank architectures as the expensive
    evaluation would, not to predict its accuracy.  Ties get the mean of their ranks.
    ``a`` and ``b`` are sequences of finite numbers of the same length (at least 2); anything
    else raises a ValueError.
    """
    x, y = _pair_of_scores(a, b, least=2)
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        raise ValueError("a constant scoring has no rank correlation")
    return float(np.corrcoef(rx, ry)[0, 1])


def top_k_overlap(a: Sequence[float], b: Sequence[float], k: int = 10) -> int:
    """How many of the ``k`` best architectures by scoring ``a`` are among the ``k`` best by
    ``b`` (0 to k).  Rank correlation weighs all pairs alike; a search cares about the top, and
    this counts exactly that.  Ties at the k-th place are broken by position."""
    x, y = _pair_of_scores(a, b, least=1)
    if (
        isinstance(k, (bool, np.bool_))
        or not isinstance(k, (int, np.integer))
        or not 1 <= k <= len(x)
    ):
        raise ValueError(f"k must be in 1..{len(x)} (an integer), got {shown(k)}")
    best = lambda v: set(np.argsort(-v, kind="stable")[:k].tolist())  # noqa: E731
    return len(best(x) & best(y))
