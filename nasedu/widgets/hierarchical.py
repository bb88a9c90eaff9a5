"""An ipywidgets explorer for the hierarchical space: edit a level-2 motif, watch the cell.

``hierarchical_explorer(space, genotype)`` shows one drop-down per upper-triangular entry of the
chosen level-2 motif.  Every change rebuilds the genotype, redraws the motif and the cell (the
edges that use the edited motif drawn thick) and reports the parameter count of the small
evaluation model -- so you can see that editing one motif changes every place the cell uses
it.  A change that breaks the single-source, single-sink rule is shown as the
InvalidArchitecture message and not applied.
"""

from __future__ import annotations

from ..spaces.checks import InvalidArchitecture
from ..spaces.hierarchical import HierarchicalGenotype, HierarchicalSpace, motif_name
from ..viz.hierarchical import SHORT_NAMES, motif_color, plot_motif
from . import require_ipywidgets
from .pictures import blank_figure, to_png

__all__ = ["HierarchicalExplorer", "hierarchical_explorer"]

widgets = require_ipywidgets()

PICTURE_SIZE = (11.0, 2.8)
"""Inches of the picture: the edited motif on the left, the cell on the right."""
ENTRY_WIDTH = 200
"""Width in pixels of one entry's drop-down (its label ``i→j`` and the longest op name)."""


def _count_parameters(space: HierarchicalSpace, genotype: HierarchicalGenotype, **build) -> int:
    from ..measure import count_parameters

    return count_parameters(space.build(genotype, **build))


def _entry_boxes(space: HierarchicalSpace) -> dict[tuple[int, int], widgets.Dropdown]:
    """One drop-down per upper-triangular entry ``(i, j)`` of a level-2 motif's matrix; its
    options show the ops as the drawings label them (``1x1`` for ``conv_1x1_bn_relu``)."""
    n = space.nodes[0]
    return {
        (i, j): widgets.Dropdown(
            options=[(SHORT_NAMES.get(op, op), op) for op in space.ops(2)],
            description=f"{i}→{j}",
            layout=widgets.Layout(width=f"{ENTRY_WIDTH}px"),
            style={"description_width": "30px"},
        )
        for i in range(n)
        for j in range(i + 1, n)
    }


def _grid(entries: dict[tuple[int, int], widgets.Dropdown], n: int) -> widgets.GridBox:
    """The drop-downs laid out as the matrix's upper triangle (row i, column j)."""
    return widgets.GridBox(
        [
            entries[(i, j)] if j > i else widgets.Label("")
            for i in range(n - 1)
            for j in range(1, n)
        ],
        layout=widgets.Layout(grid_template_columns=f"repeat({n - 1}, {ENTRY_WIDTH + 5}px)"),
    )


def _legend(space: HierarchicalSpace) -> str:
    """What the entries mean, in the drawings' words: node names and op labels."""
    last = space.nodes[0] - 1
    names = ", ".join(
        f"{SHORT_NAMES[op]} = {op}" for op in space.ops(2) if SHORT_NAMES.get(op, op) != op
    )
    return (
        f"entry i→j: the op on the edge from node i to node j (the drawing calls node 0 "
        f"<i>in</i> and node {last} <i>out</i>)<br>ops as the drawings label them: {names}"
    )


class HierarchicalExplorer(widgets.VBox):
    """The explorer's widget: the motif chooser, a header, the matrix of drop-downs, a message
    and the picture (``children`` in that order); ``.genotype`` is the current valid genotype.
    """

    def __init__(
        self, space: HierarchicalSpace, genotype: HierarchicalGenotype, build: dict
    ) -> None:
        self.space = space
        self._genotype = genotype
        self.build_args = build
        self._parameters: dict[HierarchicalGenotype, int] = {}
        self.chooser = widgets.Dropdown(
            options=[motif_name(m) for m in range(space.motifs[0])],
            description="level-2 motif",
            style={"description_width": "initial"},  # the whole label, never "level-2 m…"
        )
        self.entries = _entry_boxes(space)
        self.message = widgets.HTML()
        self.picture = widgets.Image(format="png", layout={"width": "100%"})
        self._syncing = False
        header = widgets.HTML(_legend(space))
        grid = _grid(self.entries, space.nodes[0])
        super().__init__([self.chooser, header, grid, self.message, self.picture])
        for pair, box in self.entries.items():
            box.observe(lambda change, pair=pair: self._edit(change, pair), names="value")
        self.chooser.observe(self._load_motif, names="value")
        self._load_motif()

    @property
    def genotype(self) -> HierarchicalGenotype:
        return self._genotype

    @property
    def motif(self) -> int:
        """The index of the level-2 motif being edited."""
        return self.chooser.index

    def _set_entry(self, pair: tuple[int, int], op: str) -> None:
        """Show ``op`` in an entry without taking it for an edit."""
        self._syncing = True
        self.entries[pair].value = op
        self._syncing = False

    def _load_motif(self, *_) -> None:
        """Fill the drop-downs from the chosen motif, then redraw."""
        matrix = self._genotype.levels[0][self.motif].matrix
        for i, j in self.entries:
            self._set_entry((i, j), matrix[i][j])
        self._redraw()

    def _edit(self, change: dict, pair: tuple[int, int]) -> None:
        """Apply one entry's new op to the motif, or refuse an edit that breaks the rules."""
        if self._syncing:
            return
        m = self.motif
        edited = self._genotype.levels[0][m].with_edge(*pair, change["new"])
        try:
            self._genotype = self.space.validate(self._genotype.with_motif(2, m + 1, edited))
        except InvalidArchitecture as error:
            self._set_entry(pair, change["old"])
            self.message.value = f"<span style='color:#b30000'>not applied: {error}</span>"
            return
        self._redraw()

    def _redraw(self) -> None:
        """Describe the current genotype and draw the motif and the cell."""
        name = motif_name(self.motif)
        self.message.value = self._description(name)
        self.picture.value = self._draw(name)

    def _description(self, name: str) -> str:
        """The parameter count and how many of the cell's edges use motif ``name``."""
        if self._genotype not in self._parameters:  # built once per genotype
            self._parameters[self._genotype] = _count_parameters(
                self.space, self._genotype, **self.build_args
            )
        params = self._parameters[self._genotype]
        uses = sum(op == name for _, _, op in self._genotype.cell.edges())
        return (
            f"<b>{params:,}</b> parameters in the small model; the cell uses {name} on "
            f"<b>{uses}</b> of its edges (each time with its own weights)"
        )

    def _draw(self, name: str) -> bytes:
        """A picture of the edited motif (left) and of the cell with the edges using it drawn
        thick (right)."""
        figure = blank_figure(PICTURE_SIZE)
        left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
        figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.88, wspace=0.05)
        plot_motif(
            self._genotype.levels[0][self.motif],
            ax=left,
            title=f"level 2: {name}",
            title_color=motif_color(name),
        )
        plot_motif(self._genotype.cell, ax=right, title="level 3: the cell", highlight=name)
        return to_png(figure)


def hierarchical_explorer(
    space: HierarchicalSpace | None = None,
    genotype: HierarchicalGenotype | None = None,
    **build,
) -> HierarchicalExplorer:
    """A widget to edit the level-2 motifs of ``genotype`` (default: ``space.initial(0)``).

    ``build`` is passed to ``space.build`` for the parameter count (e.g. ``input_shape``).
    Returns the widget; its ``.genotype`` attribute holds the current (valid) genotype.
    """
    space = space or HierarchicalSpace()
    if space.num_levels < 3:
        raise ValueError("the explorer needs a space with level-2 motifs below the cell (L >= 3)")
    return HierarchicalExplorer(space, space.validate(genotype or space.initial(0)), build)
