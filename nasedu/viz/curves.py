"""Curves: training progress of one network, and the progress of a search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_runs", "plot_search", "plot_training"]


def plot_training(results: Mapping[str, object] | Sequence[object], ax=None):
    """Validation accuracy per epoch of one or several ``FitResult`` (a dict gives the labels)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    items = results.items() if isinstance(results, Mapping) else enumerate(results)
    for label, result in items:
        acc = result.val_accuracy
        ax.plot(range(1, len(acc) + 1), acc, marker="o", markersize=3, label=str(label))
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    return ax


def plot_search(histories: Mapping[str, object], ax=None, best_so_far: bool = True):
    """Score of each evaluation (dots) and the best so far (line) for one or more searches."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    for label, history in histories.items():
        scores = np.array(history.scores(), dtype=float)
        steps = np.arange(1, len(scores) + 1)
        (line,) = ax.plot(steps, np.fmax.accumulate(scores), label=f"{label} (best so far)")
        if not best_so_far:
            line.remove()
        ax.scatter(steps, scores, s=8, alpha=0.4, color=line.get_color())
    ax.set_xlabel("architectures evaluated")
    ax.set_ylabel("validation accuracy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return ax


LINE_STYLES = ("-", "--", "-.", ":")


def plot_runs(
    curves: Mapping[str, Sequence[Sequence[float]]],
    x: Mapping[str, Sequence[Sequence[float]]] | None = None,
    ax=None,
    xlabel: str = "architectures evaluated",
    ylabel: str = "test accuracy of the incumbent",
    band: tuple[float, float] = (25, 75),
):
    """Mean (line) and spread (shaded band) of repeated runs, one colour per label.

    ``curves[label]`` holds one curve per repetition (e.g. ``bench.incumbent_test_accuracy``
    of searches with different seeds), all of the same length.  The band covers the
    ``band`` percentiles of the repetitions at every x (default 25 to 75: the middle half of
    the runs, the *interquartile range*); the legend says which.

    ``x[label]`` optionally gives each repetition's own x values (e.g. simulated seconds); the
    curves are then resampled onto a common grid, as step functions (the incumbent changes only
    when an evaluation finishes).  The grid starts when every run has finished its first
    evaluation and ends when the *last* run ends: a run that ended earlier keeps returning its
    final incumbent, as a stopped search would.  Nothing is cut at the shortest run.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    low_q, high_q = band
    if not 0 <= low_q < high_q <= 100:
        raise ValueError(f"band must be two percentiles 0 <= low < high <= 100, got {band}")
    for label, runs in curves.items():
        lengths = {len(run) for run in runs}
        if len(lengths) != 1 or 0 in lengths:
            raise ValueError(
                f"{label!r}: the curves must be non-empty and of one length, got {lengths}"
            )
        ys = np.asarray(runs, dtype=float)
        if x is None:
            grid = np.arange(1, ys.shape[1] + 1)
        else:
            grid, ys = _on_common_grid(label, np.asarray(x[label], dtype=float), ys)
        style = LINE_STYLES[len(ax.get_lines()) % len(LINE_STYLES)]  # tell overlapping lines apart
        (line,) = ax.plot(grid, ys.mean(axis=0), style, label=f"{label} (mean of {len(ys)})")
        low, high = np.percentile(ys, [low_q, high_q], axis=0)
        ax.fill_between(grid, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, title=f"bands: {low_q:g}th-{high_q:g}th percentile", title_fontsize=7)
    return ax


def _on_common_grid(label: str, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step functions ``ys`` (x values ``xs``, one row per run) sampled on one grid of 200
    points from the latest first x to the latest last x; a run holds its last value after its
    end."""
    if xs.shape != ys.shape:
        raise ValueError(f"{label!r}: x has shape {xs.shape}, the curves {ys.shape}")
    start, stop = xs[:, 0].max(), xs[:, -1].max()
    if start > xs[:, -1].min():
        raise ValueError(f"{label!r}: the runs' x ranges do not overlap")
    grid = np.linspace(start, stop, 200)
    return grid, np.stack([y[np.searchsorted(xi, grid, side="right") - 1] for xi, y in zip(xs, ys)])
