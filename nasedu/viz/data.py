"""Look at the data: a grid of example images with their labels.

Before searching for an architecture, look at what it has to solve -- e.g. how much of a
cluttered digit (:mod:`nasedu.data.cluttered`) is digit and how much is clutter.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from ..data.dataset import Dataset, Split

__all__ = ["show_images"]


def show_images(
    data: Dataset | Split,
    n: int = 32,
    *,
    split: str = "train",
    columns: int = 8,
    predictions: torch.Tensor | None = None,
    fig=None,
    axes=None,
    title: str | None = None,
):
    """Draw the first ``n`` images of ``data`` in a grid, each titled with its label.

    ``data`` is a :class:`Dataset` (``split`` picks train, val or test) or one :class:`Split`.
    Grey-scale images are drawn in grey, colour images (e.g. CIFAR-10, standardised) rescaled to
    [0, 1] per image.  With ``predictions`` (one class index per shown image) the title reads
    ``label -> prediction`` in red where they differ.  Pass ``fig`` (a figure to fill) or
    ``axes`` (an array of at least ``n`` axes) to draw into your own figure.  Returns the figure.
    """
    classes: tuple[str, ...] = ()
    if isinstance(data, Dataset):
        if split not in ("train", "val", "test"):
            raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}")
        classes = data.classes
        title = title if title is not None else f"{data.name} ({split})"
        data = getattr(data, split)
    if not isinstance(data, Split):
        raise TypeError(f"expected a Dataset or a Split, got {type(data).__name__}")
    n = min(n, len(data))
    if n < 1:
        raise ValueError("nothing to show: n must be at least 1 and the split non-empty")
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    if axes is None:
        if fig is None:
            fig = plt.figure(figsize=(1.1 * columns, 1.25 * rows + (0.3 if title else 0)))
        axes = fig.subplots(rows, columns, squeeze=False)
    axes = np.asarray(axes).ravel()
    if len(axes) < n:
        raise ValueError(f"{len(axes)} axes given for {n} images")
    fig = axes[0].figure
    images = data.x[:n].detach().float().cpu()
    labels = data.y[:n].cpu().tolist()
    guesses = None if predictions is None else torch.as_tensor(predictions)[:n].cpu().tolist()

    def name(k: int) -> str:
        return classes[k] if k < len(classes) else str(k)

    for k, ax in enumerate(axes):
        ax.axis("off")
        if k >= n:
            continue
        image = images[k]
        if image.shape[0] == 1:
            ax.imshow(image[0].numpy(), cmap="gray", interpolation="nearest")
        else:
            low, high = image.min(), image.max()
            rgb = ((image - low) / (high - low + 1e-8)).permute(1, 2, 0).numpy()
            ax.imshow(rgb, interpolation="nearest")
        text, colour = name(labels[k]), "black"
        if guesses is not None:
            text = f"{text} -> {name(guesses[k])}"
            colour = "black" if guesses[k] == labels[k] else "#c0392b"
        ax.set_title(text, fontsize=8, color=colour, pad=2)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
