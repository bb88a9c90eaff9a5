"""Drawings of the basic spaces: a row of layer boxes, skip connections as arcs above them."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..spaces.layers import Layer
from .colors import op_color

__all__ = ["plot_layers"]


def _label(layer: Layer) -> str:
    params = "\n".join(f"{k}={v}" for k, v in layer.params if k != "padding")
    return f"{layer.op}\n{params}"


def plot_layers(
    layers: Sequence[Layer],
    inputs: Sequence[Sequence[int]] | None = None,
    merges: Sequence[str | None] | None = None,
    ax=None,
    title: str | None = None,
):
    """Draw layers left to right, coloured by type; ``inputs`` adds the skip connections.

    Without ``inputs`` the layers form a chain.  A layer that merges several tensors shows its
    merge (``+`` for sum, ``||`` for concat) in a circle in front of its box; connections that
    skip layers are drawn as arcs over the boxes.
    """
    n = len(layers)
    inputs = inputs if inputs is not None else [(i,) for i in range(n)]
    merges = merges if merges is not None else [None] * n
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * (n + 1) + 1, 3.2))
    width, height, gap = 1.1, 1.5, 1.6
    x = [0.0] + [gap * i for i in range(1, n + 1)]

    def box(cx: float, text: str, colour: str) -> None:
        ax.add_patch(
            FancyBboxPatch(
                (cx - width / 2, -height / 2),
                width,
                height,
                boxstyle="round,pad=0.05",
                facecolor=colour,
                edgecolor="#444444",
            )
        )
        ax.text(cx, 0, text, ha="center", va="center", fontsize=7)

    box(x[0], "input", "#ffffff")
    for i, layer in enumerate(layers, start=1):
        box(x[i], _label(layer), op_color(layer.op))
    max_arc = 0.0
    for i, (sources, merge) in enumerate(zip(inputs, merges), start=1):
        target = x[i] - width / 2
        if merge:
            ax.text(
                target - 0.12,
                0,
                MERGE_SYMBOLS.get(merge, merge),
                ha="center",
                va="center",
                fontsize=8,
                bbox={"boxstyle": "circle", "facecolor": op_color(merge), "pad": 0.15},
            )
        skips = sorted(j for j in sources if j != i - 1)
        for j in sources:
            if j == i - 1:
                ax.add_patch(
                    FancyArrowPatch(
                        (x[j] + width / 2, 0), (target, 0), arrowstyle="-|>", mutation_scale=10
                    )
                )
        for k, j in enumerate(skips):
            # every arc ends at its own point on the box top, so each keeps its own arrowhead;
            # it leaves the source box further right the longer its span
            end = x[i] - width / 2 + width * 0.8 * (k + 1) / (len(skips) + 1)
            start = x[j] + width * (0.05 + 0.4 * (i - j) / (n + 1))
            span = end - start
            rad = -min(0.35, 1.2 / span)  # arc height rad * span / 2, at most 0.6
            max_arc = max(max_arc, -rad * span / 2)
            ax.add_patch(
                FancyArrowPatch(
                    (start, height / 2 + 0.05),
                    (end, height / 2 + 0.05),
                    connectionstyle=f"arc3,rad={rad}",
                    arrowstyle="-|>",
                    mutation_scale=9,
                    shrinkA=0,
                    shrinkB=0,
                    color="#c0392b",
                    alpha=0.8,
                )
            )
    ax.set_xlim(-width, x[-1] + width)
    ax.set_ylim(-height, height / 2 + 0.3 + max_arc)
    ax.set_aspect("equal")
    ax.axis("off")
    _merge_legend(ax, {m for m in merges if m}, below=-height / 2 - 0.15)
    if title:
        ax.set_title(title)
    return ax


MERGE_SYMBOLS = {"sum": "+", "concat": "||"}


def _merge_legend(ax, merges: set[str], below: float) -> None:
    """Say what the merge symbols in front of the boxes mean (only for those in the drawing)."""
    if not merges:
        return
    parts = [f"{MERGE_SYMBOLS.get(m, m)} = {m}" for m in sorted(merges)]
    text = "merge of several inputs: " + ", ".join(parts) + "; red arcs: skip connections"
    ax.text(ax.get_xlim()[0], below, text, ha="left", va="top", fontsize=7, color="#444444")
