"""The macro architecture of a cell network, drawn as the lecture draws it.

A cell search space searches only the cells; *how* the cells are stacked is fixed by hand: a
**stem** (the first convolutions, which turn the image into feature maps), then stages of
:math:`N` **normal cells** (resolution kept) separated by **reduction cells** (resolution halved,
channels doubled), then global average pooling and a linear classifier.  :func:`plot_macro`
draws that sequence for the CIFAR-10 and the ImageNet layouts of the DARTS code (the layouts
:class:`~nasedu.networks.cell.CellNetwork` builds), with the resolution and channel count of
every stage.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

__all__ = ["CELL_COLOURS", "macro_stages", "plot_macro"]

CELL_COLOURS = {
    "input": "#ffffff",
    "stem": "#d9d9d9",
    "normal": "#9ecae1",
    "reduction": "#f4a582",
    "head": "#ffffff",
}
"""Fill colours of the macro drawing's boxes (cell types, not ops)."""


def _half(size: int) -> int:
    return -(-size // 2)  # a stride-2 op gives ceil(size / 2), as in the networks


def macro_stages(
    layers: int = 20, C: int = 36, stem: str = "cifar", input_size: int = 32, num_classes: int = 10
) -> list[tuple[str, str, str]]:
    """The boxes of the macro architecture: ``(kind, title, detail)`` from image to classes.

    Consecutive normal cells are merged into one box ``"N x normal cell"``.  The numbers follow
    :class:`~nasedu.networks.cell.CellNetwork`: reductions at 1/3 and 2/3 of ``layers`` cells,
    ``C`` channels per cell op in the first stage, doubled at every reduction.
    """
    from ..networks.cell import reduction_layers

    if stem not in ("cifar", "imagenet"):
        raise ValueError(f"stem must be 'cifar' or 'imagenet', got {stem!r}")
    if not isinstance(layers, int) or layers < 1:
        raise ValueError(f"layers must be a positive int, got {layers!r}")
    size = input_size
    boxes = [("input", "image", f"{size}x{size}")]
    if stem == "cifar":
        boxes.append(("stem", "stem", f"3x3 conv\n{size}x{size}, {3 * C} ch"))
    else:
        size = _half(_half(size))
        boxes.append(("stem", "stem 0", f"2 x 3x3 conv, stride 2\n{size}x{size}, {C} ch"))
        size = _half(size)
        boxes.append(("stem", "stem 1", f"3x3 conv, stride 2\n{size}x{size}, {C} ch"))
    reductions, channels, run = reduction_layers(layers), C, 0
    for i in range(layers + 1):
        if i < layers and i not in reductions:
            run += 1
            continue
        if run:
            boxes.append(("normal", f"{run} x normal\ncell", f"{size}x{size}\nC = {channels}"))
            run = 0
        if i < layers:
            channels, size = 2 * channels, _half(size)
            boxes.append(("reduction", "reduction\ncell", f"{size}x{size}\nC = {channels}"))
    boxes.append(("head", "global avg\npool", "1x1"))
    boxes.append(("head", "linear", f"{num_classes} classes"))
    return boxes


def plot_macro(
    layers: int = 20,
    C: int = 36,
    stem: str = "cifar",
    input_size: int = 32,
    num_classes: int = 10,
    ax=None,
    title: str | None = None,
):
    """Draw the macro architecture left to right: stem, stages of normal cells, reduction cells,
    pooling and classifier, each box with its resolution and channels (see :func:`macro_stages`).

    The CIFAR-10 network of DARTS is the default (20 cells, C=36); the ImageNet one is
    ``plot_macro(14, 48, "imagenet", 224, 1000)``.  Returns the Axes.
    """
    boxes = macro_stages(layers, C, stem, input_size, num_classes)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.25 * len(boxes) + 0.5, 2.2))
    width, height, gap = 1.0, 1.0, 1.3
    for k, (kind, name, detail) in enumerate(boxes):
        x = k * gap
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, -height / 2),
                width,
                height,
                boxstyle="round,pad=0.03",
                facecolor=CELL_COLOURS[kind],
                edgecolor="#444444",
                linewidth=0.9,
            )
        )
        ax.text(x, 0.2, name, ha="center", va="center", fontsize=7, fontweight="bold")
        ax.text(x, -0.25, detail, ha="center", va="center", fontsize=6)
        if k:
            ax.add_patch(
                FancyArrowPatch(
                    (x - gap + width / 2, 0),
                    (x - width / 2, 0),
                    arrowstyle="-|>",
                    mutation_scale=9,
                    color="#444444",
                    shrinkA=0,
                    shrinkB=0,
                )
            )
    ax.set_xlim(-width / 2 - 0.1, (len(boxes) - 1) * gap + width / 2 + 0.1)
    ax.set_ylim(-height / 2 - 0.15, height / 2 + 0.15)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is None:
        title = (
            f"{'CIFAR-10' if stem == 'cifar' else 'ImageNet'} layout: {layers} cells, C = {C} "
            "(every cell reads the outputs of the two cells before it)"
        )
    ax.set_title(title, fontsize=9)
    return ax
