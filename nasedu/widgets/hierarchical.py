"""An ipywidgets explorer for the hierarchical space: edit a level-2 motif, watch the cell.

``hierarchical_explorer(space, genotype)`` shows one drop-down per upper-triangular entry of the
chosen level-2 motif.  Every change rebuilds the genotype, redraws the motif and the cell (the
edges that use the edited motif drawn thick) and reports the parameter count of the small
evaluation model -- so you can see that editing one motif changes every place the cell uses
it.  A change that breaks the single-source, single-sink rule is shown as the
InvalidArchitecture message and not applied.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..spaces.checks import InvalidArchitecture
from ..spaces.hierarchical import HierarchicalGenotype, HierarchicalSpace, motif_name
from . import require_ipywidgets

__all__ = ["hierarchical_explorer"]


def _count_parameters(space: HierarchicalSpace, genotype: HierarchicalGenotype, **build) -> int:
    from ..measure import count_parameters

    return count_parameters(space.build(genotype, **build))


def hierarchical_explorer(
    space: HierarchicalSpace | None = None,
    genotype: HierarchicalGenotype | None = None,
    **build,
):
    """A widget to edit the level-2 motifs of ``genotype`` (default: ``space.initial(0)``).

    ``build`` is passed to ``space.build`` for the parameter count (e.g. ``input_shape``).
    Returns the widget; its ``.genotype`` attribute holds the current (valid) genotype.
    """
    widgets = require_ipywidgets()
    space = space or HierarchicalSpace()
    if space.num_levels < 3:
        raise ValueError("the explorer needs a space with level-2 motifs below the cell (L >= 3)")
    state = {"genotype": space.validate(genotype or space.initial(0))}
    n = space.nodes[0]
    choose_motif = widgets.Dropdown(
        options=[motif_name(m) for m in range(space.motifs[0])], description="level-2 motif"
    )
    entries = {
        (i, j): widgets.Dropdown(
            options=list(space.ops(2)),
            description=f"{i}→{j}",
            layout=widgets.Layout(width="200px"),
            style={"description_width": "30px"},
        )
        for i in range(n)
        for j in range(i + 1, n)
    }
    grid = widgets.GridBox(
        [
            entries[(i, j)] if j > i else widgets.Label("")
            for i in range(n - 1)
            for j in range(1, n)
        ],
        layout=widgets.Layout(grid_template_columns=f"repeat({n - 1}, 205px)"),
    )
    header = widgets.HTML("entry i→j: the op on the edge from node i to node j")
    message = widgets.HTML()
    output = widgets.Output()
    syncing = {"on": False}

    def current_index() -> int:
        return choose_motif.index

    def load_motif(*_):
        syncing["on"] = True
        motif = state["genotype"].levels[0][current_index()]
        for (i, j), box in entries.items():
            box.value = motif.matrix[i][j]
        syncing["on"] = False
        redraw()

    def redraw():
        genotype = state["genotype"]
        name = motif_name(current_index())
        params = _count_parameters(space, genotype, **build)
        uses = sum(op == name for _, _, op in genotype.cell.edges())
        message.value = (
            f"<b>{params:,}</b> parameters in the small model; the cell uses {name} on "
            f"<b>{uses}</b> of its edges (each time with its own weights)"
        )
        from ..viz.hierarchical import motif_color, plot_motif

        output.clear_output(wait=True)
        with output:
            _, (left, right) = plt.subplots(
                1, 2, figsize=(11, 2.8), gridspec_kw={"width_ratios": [1, 1.6]}
            )
            plot_motif(
                genotype.levels[0][current_index()],
                ax=left,
                title=f"level 2: {name}",
                title_color=motif_color(name),
            )
            plot_motif(genotype.cell, ax=right, title="level 3: the cell", highlight=name)
            plt.show()

    def edit(change, pair):
        if syncing["on"]:
            return
        i, j = pair
        genotype = state["genotype"]
        m = current_index()
        edited = genotype.levels[0][m].with_edge(i, j, change["new"])
        candidate = genotype.with_motif(2, m + 1, edited)
        try:
            state["genotype"] = space.validate(candidate)
        except InvalidArchitecture as error:
            syncing["on"] = True
            entries[pair].value = change["old"]
            syncing["on"] = False
            message.value = f"<span style='color:#b30000'>not applied: {error}</span>"
            return
        redraw()

    for pair, box in entries.items():
        box.observe(lambda change, pair=pair: edit(change, pair), names="value")
    choose_motif.observe(load_motif, names="value")

    class _Explorer(widgets.VBox):
        @property
        def genotype(self) -> HierarchicalGenotype:
            return state["genotype"]

    explorer = _Explorer([choose_motif, header, grid, message, output])
    load_motif()
    return explorer
