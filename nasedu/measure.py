"""How big and how costly is a network?  Parameters and multiply-adds.

Papers report two numbers for every architecture: the number of trainable *parameters* (memory,
and a rough measure of capacity) and the number of *multiply-adds* (MACs) for one image (compute
at inference).  Two networks with the same parameter count can differ tenfold in MACs: a 3x3
convolution at 32x32 resolution costs 16 times what the same convolution costs at 8x8.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

__all__ = ["count_macs", "count_parameters", "rank_correlation", "top_k_overlap"]


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

    Counted with forward hooks on a single example (on the model's device, in eval mode, so
    batch norm statistics are untouched).  Pooling, batch norm and activations are not counted,
    as is usual in the NAS literature.
    """
    total = 0

    def conv_hook(module: nn.Conv2d, inputs, output: torch.Tensor) -> None:
        nonlocal total
        kh, kw = module.kernel_size
        total += output.numel() * (module.in_channels // module.groups) * kh * kw

    def linear_hook(module: nn.Linear, inputs, output: torch.Tensor) -> None:
        nonlocal total
        total += output.numel() * module.in_features

    handles = []
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            handles.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
    was_training = model.training
    try:
        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, *input_shape, device=device))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return int(total)


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
