"""Drawings of NASNet/DARTS cells in the style of the NASNet paper (Zoph et al. 2018, Figure 4).

The two cell inputs ``h_{i-1}`` and ``h_i`` sit at the bottom.  Every block is drawn as its two
op boxes (coloured by op family, see :func:`~nasedu.viz.colors.op_color`) feeding its combine node
(``+`` for addition, ``cat`` for concatenation); blocks are stacked in rows by how many blocks lie
between them and the inputs.  The blocks that form the cell's output feed the ``concat`` box on
top, which is the cell's output ``h_{i+1}``.  In a reduction cell every op that reads a cell
input runs at stride 2: its box gets a thick red border and its incoming edge a red ``/2`` tag
(:data:`STRIDE_TAG`), written beside the edge below the box, never on the label; ops reading
block outputs, already at the reduced resolution, run at stride 1 and carry none.  Op labels
shrink to fit their boxes whatever the figure size.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..spaces.cell import WiredCell, state_name
from .colors import op_color

__all__ = [
    "REDUCTION_TITLE",
    "STRIDE_TAG",
    "cell_figsize",
    "op_label",
    "plot_cell",
    "plot_genotype",
]

_SHORT = {
    "skip_connect": "identity",
    "none": "none",
    "conv_1x3_3x1": "1x3 + 3x1\nconv",
    "conv_1x7_7x1": "1x7 + 7x1\nconv",
}

OP_W, OP_H, ROW, SLOT = 1.15, 0.55, 2.2, 2.7
STRIDE_TAG = "/2"
"""Tag drawn on the ops of a reduction cell that read a cell input (they have stride 2)."""
REDUCTION_TITLE = f"reduction cell (red, {STRIDE_TAG}: stride 2)"
"""The title of a reduction cell drawn beside its normal cell (it explains the red tags)."""


def op_label(op: str) -> str:
    """A short two-line label for an op: ``sep_conv_3x3`` -> ``sep conv\\n3x3``."""
    if op in _SHORT:
        return _SHORT[op]
    head, _, kernel = op.rpartition("_")
    return f"{head.replace('_', ' ')}\n{kernel}" if head else op


def _levels(cell: WiredCell) -> list[int]:
    """Row of every state: 0 for the inputs, 1 + the highest row a block reads from."""
    levels = [0, 0]
    for block in cell.blocks:
        levels.append(1 + max(levels[k] for k in block.inputs))
    return levels


GAP = 0.04
"""Space left between an arrow's ends and what it connects (data units, about 2 points)."""


def _arrow(ax, start, end, colour="#555555", rad=0.0) -> None:
    """An arrow from ``start`` to ``end``, both pulled in by :data:`GAP` along the line joining
    them.  (Leaving the gap in data units, instead of matplotlib's ``shrinkA``/``shrinkB`` in
    points, spares clipping every curve at every draw; adding it with ``add_artist`` spares
    working out its extent: the Axes' limits are set at the end.  Together they make a cell
    drawing several times quicker, which the interactive cell builder needs; the figures are in
    ``benchmarks/README.md``.)"""
    (x0, y0), (x1, y1) = start, end
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    dx, dy = (x1 - x0) / length * GAP, (y1 - y0) / length * GAP
    ax.add_artist(
        FancyArrowPatch(
            (x0 + dx, y0 + dy),
            (x1 - dx, y1 - dy),
            arrowstyle="-|>",
            mutation_scale=8,
            color=colour,
            linewidth=0.9,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=0,
            shrinkB=0,
        )
    )


STRIDE_COLOUR = "#b22222"


def _box(ax, x, y, w, h, text, colour, fontsize=7, edge="#444444", lw=0.8):
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.04",
            facecolor=colour,
            edgecolor=edge,
            linewidth=lw,
        )
    )
    return ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _fit_labels(ax, labels, w: float, h: float, largest: float) -> None:
    """Shrink the op labels so that they fit a ``w`` x ``h`` box at the Axes' final scale."""
    fig = ax.figure
    ax.apply_aspect()  # fixes the equal-aspect data-to-display scale without rendering
    x0, y0 = ax.transData.transform((0, 0))
    x1, y1 = ax.transData.transform((w, h))
    w_pt, h_pt = (x1 - x0) * 72 / fig.dpi, (y1 - y0) * 72 / fig.dpi
    for text in labels:
        lines = text.get_text().split("\n")
        longest = max(len(line) for line in lines)
        # DejaVu Sans: about 0.6 em per character, 1.25 em per line
        size = min(largest, 0.9 * w_pt / (0.6 * longest), 0.9 * h_pt / (1.25 * len(lines)))
        text.set_fontsize(max(size, 3.0))


def _rows(cell: WiredCell) -> dict[int, list[int]]:
    """The blocks (by state number) of every row of the drawing."""
    levels = _levels(cell)
    rows: dict[int, list[int]] = {}
    for k in range(2, len(levels)):
        rows.setdefault(levels[k], []).append(k)
    return rows


def cell_figsize(cell: WiredCell) -> tuple[float, float]:
    """The figure size (inches) that :func:`plot_cell` gives ``cell`` on its own: the same
    scale for every cell, so two cells drawn apart can be shown side by side."""
    rows = _rows(cell)
    width = max(len(blocks) for blocks in rows.values()) * SLOT
    return max(4.0, 0.75 * width + 1), 1.1 * (max(rows) + 1) * ROW / 2 + 1


def plot_cell(cell: WiredCell, ax=None, title: str | None = None, reduction: bool = False):
    """Draw one cell (a :class:`~nasedu.spaces.cell.WiredCell`); returns the Axes.

    ``reduction=True`` tags every op reading a cell input with :data:`STRIDE_TAG` (stride 2).
    """
    levels = _levels(cell)
    depth = max(levels)
    rows = _rows(cell)
    width = max(len(blocks) for blocks in rows.values()) * SLOT
    if ax is None:
        _, ax = plt.subplots(figsize=cell_figsize(cell))

    # positions of the state outputs: (x, y) of the point arrows leave from
    out_pos: dict[int, tuple[float, float]] = {}
    for k, name in ((0, "h_{i-1}"), (1, "h_i")):
        x = width / 2 + (k - 0.5) * 2.2
        _box(ax, x, 0, 1.3, 0.5, f"${name}$", "#ffffff", fontsize=9)
        out_pos[k] = (x, 0.25)
    op_pos: dict[tuple[int, int], tuple[float, float]] = {}
    labels = []
    for level, blocks in rows.items():
        offset = (width - len(blocks) * SLOT) / 2 + SLOT / 2
        for i, k in enumerate(blocks):
            cx, y_op, y_comb = offset + i * SLOT, level * ROW - 0.9, level * ROW
            block = cell.blocks[k - 2]
            for side, op in enumerate(block.ops):
                ox = cx + (side - 0.5) * (OP_W + 0.2)
                strided = reduction and block.inputs[side] < 2
                labels.append(
                    _box(
                        ax,
                        ox,
                        y_op,
                        OP_W,
                        OP_H,
                        op_label(op),
                        op_color(op),
                        fontsize=6.5,
                        edge=STRIDE_COLOUR if strided else "#444444",
                        lw=1.8 if strided else 0.8,
                    )
                )
                op_pos[(k, side)] = (ox, y_op)
                if strided:  # beside the incoming edge, below the box: never on the label
                    ax.text(
                        ox + (0.12 if side else -0.12),
                        y_op - OP_H / 2 - 0.22,
                        STRIDE_TAG,
                        ha="left" if side else "right",
                        va="center",
                        fontsize=6,
                        fontweight="bold",
                        color=STRIDE_COLOUR,
                    )
                _arrow(ax, (ox, y_op + OP_H / 2), (cx, y_comb - 0.2))
            symbol = "+" if block.combine == "add" else "cat"
            ax.text(
                cx,
                y_comb,
                symbol,
                ha="center",
                va="center",
                fontsize=8 if symbol == "+" else 6,
                bbox={"boxstyle": "circle,pad=0.25", "facecolor": op_color(block.combine)},
            )
            ax.text(cx + 0.32, y_comb + 0.1, state_name(k), fontsize=6.5, color="#333333")
            out_pos[k] = (cx, y_comb + 0.2)
    for (k, side), (ox, oy) in op_pos.items():
        src = cell.blocks[k - 2].inputs[side]
        sx, sy = out_pos[src]
        rad = 0.0 if abs(sx - ox) < 0.01 or sy < 0.5 else 0.15
        _arrow(ax, (sx, sy), (ox, oy - OP_H / 2), colour="#777777", rad=rad)

    top = (depth + 1) * ROW - 0.7
    _box(ax, width / 2, top, 2.2, 0.5, "concat  $h_{i+1}$", op_color("concat"), fontsize=8)
    for k in cell.concat:  # outputs below the top row arc around the blocks above them
        sx, sy = out_pos[k]
        rad = 0.0 if levels[k] == depth else (-0.35 if sx <= width / 2 else 0.35)
        end = (width / 2 + max(-0.9, min(0.9, (sx - width / 2) * 0.15)), top - 0.25)
        _arrow(ax, (sx, sy), end, colour="#b8860b", rad=rad)
    if title is None:
        title = "reduction cell" if reduction else "normal cell"
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.6, width + 0.6)
    ax.set_ylim(-0.6, top + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    _fit_labels(ax, labels, OP_W, OP_H, largest=6.5)
    return ax


def plot_genotype(genotype, axes: Sequence | None = None, title: str | None = None):
    """Normal and reduction cell side by side (a CellGenotype or a DARTS genotype).

    ``axes``: two matplotlib Axes to draw into, or one Axes to split in two (default: a new
    figure).  Returns the Figure.
    """
    from ..spaces.darts_format import wired_cells

    normal, reduction = wired_cells(genotype)
    if axes is None:
        depth = max(max(_levels(normal)), max(_levels(reduction)))
        widths = [
            max(sum(1 for k in _levels(c)[2:] if k == lvl) for lvl in set(_levels(c)[2:]))
            for c in (normal, reduction)
        ]
        fig, axes = plt.subplots(
            1,
            2,
            figsize=(min(16, 1.9 * sum(widths) + 3), min(10, 1.5 * (depth + 1) + 1)),
            gridspec_kw={"width_ratios": [max(w, 1.6) for w in widths]},
        )
    else:
        if hasattr(axes, "inset_axes"):  # a single Axes: draw the two cells inside it
            axes.axis("off")
            axes = [axes.inset_axes([0, 0, 0.5, 1]), axes.inset_axes([0.5, 0, 0.5, 1])]
        fig = axes[0].figure
    plot_cell(normal, axes[0])
    plot_cell(reduction, axes[1], reduction=True, title=REDUCTION_TITLE)
    if title:
        fig.suptitle(title)
    return fig
