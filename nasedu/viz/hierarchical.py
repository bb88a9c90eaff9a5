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

__all__ = ["SHORT_NAMES", "motif_color", "plot_flattened", "plot_hierarchical", "plot_motif"]

SHORT_NAMES: dict[str, str] = {
    "conv_1x1_bn_relu": "1x1",
    "dw_conv_3x3_bn_relu": "dw3x3",
    "sep_conv_3x3_bn_relu": "sep3x3",
    "max_pool_3x3": "max",
    "avg_pool_3x3": "avg",
    "skip_connect": "id",
}
"""Short labels of the six primitives of Liu et al. (2018) for the drawings."""

_MOTIF_COLOURS = plt.get_cmap("tab10").colors


def motif_color(name: str) -> str:
    """The colour of an op or motif name: motifs ``m1, m2, ...`` cycle through tab10."""
    index = motif_index(name)
    if index is None:
        return op_color(name)
    r, g, b = _MOTIF_COLOURS[index % len(_MOTIF_COLOURS)]
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


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
        ax.add_patch(
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
        # the quadratic Bezier of arc3 peaks at half of its control point's offset
        y = -rad * span / 2
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
    below = 0.45 * (n - 1 if (n - 1) % 2 == 1 else n - 2) / 2 if n > 3 else 0.0
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(-below - 0.3, above + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 2, color=title_color)
    return ax


def plot_flattened(dag: nx.DiGraph, ax=None, title: str | None = None):
    """Draw a flattened DAG: columns by longest distance from the input, edges in op colours.

    Nodes of the top-level motif are large and numbered; the nodes inside motif copies are
    small dots coloured like the motif they belong to.  The 1x1 convolutions that follow
    level-2 motifs are dashed.
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
            pos[node] = (d, k - (len(members) - 1) / 2)
    for kind, style in (("primitive", "solid"), ("motif_conv", "dashed")):
        edges = [(u, v) for u, v, data in dag.edges(data=True) if data.get("kind") == kind]
        nx.draw_networkx_edges(
            dag,
            pos,
            edgelist=edges,
            edge_color=[op_color(dag.edges[e]["op"]) for e in edges],
            style=style,
            width=1.6,
            arrowsize=8,
            node_size=60,
            ax=ax,
        )
    top = [v for v, data in dag.nodes(data=True) if data.get("top") is not None]
    inner = [v for v in dag.nodes if v not in top]
    nx.draw_networkx_nodes(
        dag,
        pos,
        nodelist=inner,
        node_size=25,
        node_color=[motif_color(dag.nodes[v]["motif"][1]) for v in inner] or "grey",
        ax=ax,
    )
    nx.draw_networkx_nodes(
        dag, pos, nodelist=top, node_size=260, node_color="white", edgecolors="#444444", ax=ax
    )
    nx.draw_networkx_labels(
        dag, pos, labels={v: str(dag.nodes[v]["top"]) for v in top}, font_size=8, ax=ax
    )
    used = sorted({op for _, _, op in dag.edges(data="op")})
    for op in used:
        ax.plot([], [], color=op_color(op), lw=2, label=_short(op))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
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
