"""Drawings of the hierarchical space (Liu et al. 2018): motifs, the cell, the flattened DAG.

* :func:`plot_motif` -- one motif: its nodes on a line, left (input) to right (output), each
  edge an arrow labelled with its op (primitives in the course's op colours, motifs in one
  colour per motif).  It draws any matrix, even an unfinished one, so a motif can be shown
  while it is built edge by edge.
* :func:`plot_hierarchical` -- every lower-level motif in its own small panel (titled in the
  colour its edges have in the cell, greyed out when the cell does not use it), the cell below
  them, and the cell flattened to primitives at the bottom.
* :func:`plot_flattened` -- the flattened DAG of :meth:`HierarchicalSpace.flatten`, drawn in
  columns by depth.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.patches import FancyArrowPatch

from ..spaces.hierarchical import NONE, Motif, motif_index, motif_name
from .colors import op_color

__all__ = [
    "MOTIF_COLOURS",
    "SHORT_NAMES",
    "motif_color",
    "plot_flattened",
    "plot_hierarchical",
    "plot_motif",
]

SHORT_NAMES: dict[str, str] = {
    "conv_1x1_bn_relu": "1x1",
    "dw_conv_3x3_bn_relu": "dw3x3",
    "sep_conv_3x3_bn_relu": "sep3x3",
    "max_pool_3x3": "max",
    "avg_pool_3x3": "avg",
    "skip_connect": "id",
}
"""Short labels of the six primitives of Liu et al. (2018) for the drawings."""

MOTIF_COLOURS = ("#d62728", "#17becf", "#8c564b", "#e7298a", "#1b7837", "#393b79")
"""Colours of the motifs ``m1, m2, ...`` (cycled): hues that no op colour uses
(:func:`~nasedu.viz.colors.op_color`), so a motif edge never looks like a primitive."""


def motif_color(name: str) -> str:
    """The colour of an op or motif name: motifs ``m1, m2, ...`` cycle through MOTIF_COLOURS."""
    index = motif_index(name)
    if index is None:
        return op_color(name)
    return MOTIF_COLOURS[index % len(MOTIF_COLOURS)]


def _short(name: str) -> str:
    return SHORT_NAMES.get(name, name)


def plot_motif(
    motif: Motif,
    ax=None,
    title: str | None = None,
    title_color: str = "black",
    highlight: str | None = None,
    fontsize: float = 7,
    labels: bool | None = None,
):
    """Draw one motif: nodes 0..n-1 left to right, arcs for edges that skip nodes.

    Arcs of even span go above the line, odd spans (3, 5, ...) below it, so that edges of a
    5-node motif rarely cross their labels.  ``highlight`` draws the edges carrying that op
    (for example a motif name) thicker.  ``labels`` writes each edge's op on it (default: for
    motifs of up to 7 nodes; larger ones get a legend instead).  Returns the Axes.
    """
    n = motif.num_nodes
    labels = n <= 7 if labels is None else labels
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * n + 0.6, 2.4))
    for i, j, op in motif.edges():
        span = j - i
        rad = 0.0 if span == 1 else (-0.45 if span % 2 == 0 else 0.45)
        colour = motif_color(op)
        thick = highlight is not None and op == highlight
        ax.add_artist(  # not add_patch: the limits are set below, no extent to work out
            FancyArrowPatch(
                (i, 0),
                (j, 0),
                connectionstyle=f"arc3,rad={rad}",
                arrowstyle="-|>",
                mutation_scale=9,
                shrinkA=9,
                shrinkB=9,
                color=colour,
                lw=3.2 if thick else 1.6,
                zorder=1,
            )
        )
        if not labels:
            continue
        # the quadratic Bezier of arc3 peaks at half of its control point's offset; a label of
        # a straight edge sits just below it, so that it never covers the nodes at its ends
        y = -rad * span / 2 if span > 1 else -0.22
        ax.text(
            (i + j) / 2,
            y,
            _short(op),
            ha="center",
            va="center",
            fontsize=fontsize,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour},
        )
    for k in range(n):
        label = "in" if k == 0 else "out" if k == n - 1 else str(k)
        ax.text(
            k,
            0,
            label,
            ha="center",
            va="center",
            fontsize=fontsize,
            zorder=4,
            bbox={"boxstyle": "circle,pad=0.3", "facecolor": "#ffffff", "edgecolor": "#444444"},
        )
    if not labels:
        for op in sorted({op for _, _, op in motif.edges()}):
            ax.plot([], [], color=motif_color(op), lw=2, label=_short(op))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=fontsize, frameon=False)
    # arc3 bends in display space: equal aspect keeps data and display units alike
    above = 0.45 * (n - 1 if (n - 1) % 2 == 0 else n - 2) / 2
    below = max(0.45 * (n - 1 if (n - 1) % 2 == 1 else n - 2) / 2 if n > 3 else 0.0, 0.3)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(-below - 0.3, above + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 2, color=title_color)
    return ax


def _hides_a_node(pos, u, v, radius: float = 0.18) -> bool:
    """True when the straight segment u -> v passes within ``radius`` of another node."""
    (x0, y0), (x1, y1) = pos[u], pos[v]
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    for w, (x, y) in pos.items():
        if w in (u, v):
            continue
        t = ((x - x0) * dx + (y - y0) * dy) / length2
        if 0 < t < 1 and (x0 + t * dx - x) ** 2 + (y0 + t * dy - y) ** 2 < radius**2:
            return True
    return False


def plot_flattened(dag: nx.DiGraph, ax=None, title: str | None = None):
    """Draw a flattened DAG: columns by longest distance from the input, edges in op colours.

    Nodes of the top-level motif are large and numbered; the nodes inside motif copies are
    small dots coloured like the motif they belong to (legend "motifs", colours that no op
    uses).  The 1x1 convolutions that follow level-2 motifs are dashed.  Every edge is drawn
    on its own with its own arrowhead: an edge whose straight line would run through another
    node (a skip edge along a chain) is bent, so all of them can be counted.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.6))
    depth: dict = {}
    for node in nx.topological_sort(dag):
        depth[node] = max((depth[p] + 1 for p in dag.predecessors(node)), default=0)
    columns: dict[int, list] = {}
    for node, d in depth.items():
        columns.setdefault(d, []).append(node)
    pos = {}
    for d, members in columns.items():
        members.sort(key=lambda v: (dag.nodes[v].get("top") is None, v))
        for k, node in enumerate(members):
            pos[node] = (float(d), k - (len(members) - 1) / 2)
    top = [v for v, data in dag.nodes(data=True) if data.get("top") is not None]
    for u, v, data in dag.edges(data=True):
        rad = 0.0
        if _hides_a_node(pos, u, v):
            rad = 0.35 if pos[u][1] >= 0 else -0.35  # bend away from the middle row
            if pos[u][1] == pos[v][1] == 0:
                rad = 0.35 if (depth[v] - depth[u]) % 2 == 0 else -0.35
        ax.add_patch(
            FancyArrowPatch(
                pos[u],
                pos[v],
                connectionstyle=f"arc3,rad={rad}",
                arrowstyle="-|>",
                mutation_scale=8,
                shrinkA=7 if u in top else 3,
                shrinkB=7 if v in top else 3,
                color=op_color(data["op"]),
                linestyle="--" if data.get("kind") == "motif_conv" else "-",
                lw=1.5,
                zorder=1,
            )
        )
    inner = [v for v in dag.nodes if v not in top]
    for v in inner:
        ax.plot(*pos[v], "o", ms=4.5, color=motif_color(dag.nodes[v]["motif"][1]), zorder=2)
    for v in top:
        ax.text(
            *pos[v],
            str(dag.nodes[v]["top"]),
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
            bbox={"boxstyle": "circle,pad=0.3", "facecolor": "white", "edgecolor": "#444444"},
        )
    ops = sorted({op for _, _, op in dag.edges(data="op")})
    handles = [plt.Line2D([], [], color=op_color(op), lw=2, label=_short(op)) for op in ops]
    op_legend = ax.legend(
        handles=handles,
        title="ops (dashed: motif 1x1)",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7,
        title_fontsize=7,
        frameon=False,
    )
    motifs = sorted({dag.nodes[v]["motif"][1] for v in inner}, key=motif_index)
    if motifs:
        ax.add_artist(op_legend)
        dots = [
            plt.Line2D([], [], ls="", marker="o", color=motif_color(m), label=m) for m in motifs
        ]
        ax.legend(
            handles=dots,
            title="inner nodes of motif",
            loc="lower left",
            bbox_to_anchor=(1.0, 0.0),
            fontsize=7,
            title_fontsize=7,
            frameon=False,
        )
    xs, ys = zip(*pos.values())
    ax.set_xlim(min(xs) - 0.4, max(xs) + 0.4)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    if title is None:
        title = (
            f"flattened: {dag.number_of_nodes()} nodes, {dag.graph.get('primitives', 0)} "
            f"primitive ops + {dag.graph.get('motif_convs', 0)} motif 1x1 convs"
        )
    ax.set_title(title, fontsize=9)
    return ax


def plot_hierarchical(space, genotype, flattened: bool = True):
    """The whole genotype: lower-level motifs in small panels, the cell, the flattened DAG.

    Motifs that the cell does not use (directly or through other motifs) are drawn with a grey
    title marked "unused".  Returns the Figure.
    """
    levels = genotype.levels
    used = _used_motifs(genotype)
    lower = levels[:-1]
    columns = max([len(level) for level in lower] + [1])
    rows = len(lower) + 1 + (1 if flattened else 0)
    heights = [0.8] * len(lower) + [1.4] + ([2.0] if flattened else [])
    fig = plt.figure(figsize=(max(2.3 * columns, 8), 1.8 * sum(heights)))
    grid = fig.add_gridspec(rows, columns, height_ratios=heights)
    for row, motifs in enumerate(lower):
        level = row + 2
        for m, motif in enumerate(motifs):
            name = motif_name(m)
            is_used = (level, m) in used
            plot_motif(
                motif,
                ax=fig.add_subplot(grid[row, m]),
                title=f"level {level}: {name}" + ("" if is_used else " (unused)"),
                title_color=motif_color(name) if is_used else "#999999",
                fontsize=6,
            )
    top = genotype.num_levels
    plot_motif(
        genotype.cell,
        ax=fig.add_subplot(grid[len(lower), :]),
        title=f"level {top}: the cell (each edge is a level-{top - 1} motif)"
        if lower
        else f"level {top}: the cell",
        fontsize=8,
    )
    if flattened:
        plot_flattened(space.flatten(genotype), ax=fig.add_subplot(grid[len(lower) + 1, :]))
    fig.tight_layout()
    return fig


def _used_motifs(genotype) -> set[tuple[int, int]]:
    """``(level, index)`` of every motif reachable from the cell."""
    used: set[tuple[int, int]] = set()
    frontier = [(genotype.num_levels, 0)]
    while frontier:
        level, m = frontier.pop()
        if (level, m) in used:
            continue
        used.add((level, m))
        if level > 2:
            for _, _, op in genotype.levels[level - 2][m].edges():
                if op != NONE:
                    frontier.append((level - 1, motif_index(op)))
    return used
