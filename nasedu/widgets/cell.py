"""An interactive cell builder: make the 5 choices of every block yourself.

One dropdown per choice (first input, second input, first op, second op, combine) for every block
of the normal and the reduction cell.  Every change redraws the cell (as in the NASNet paper)
and counts the network's parameters and multiply-adds, so you can see what each choice costs:
a ``sep_conv_7x7`` instead of an ``identity``, a ``concat`` instead of an ``add`` (twice the
channels for every op that reads it), an op on a reduction cell's input (stride 2).

An update answers at once (``benchmarks/bench_widgets.py``): the network is counted without
being built (:mod:`nasedu.counting`: each op at each shape is counted once, then looked up),
and each cell is drawn into a picture of its own, kept for the next time the same cell comes
up -- one change redraws one cell, and going back to an earlier choice redraws nothing.

    from nasedu.widgets import cell_builder
    cell_builder()          # in a notebook cell: displays the builder
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from ..counting import NetworkCount, count_space_network
from ..spaces.cell import (
    CELL_KINDS,
    CHOICES,
    Block,
    Cell,
    CellGenotype,
    CellSpace,
    WiredCell,
    state_name,
)
from . import require_ipywidgets
from .pictures import DPI, blank_figure, to_png

__all__ = ["CellBuilder", "cell_builder", "cell_picture", "state_label"]


_SUBSCRIPT = str.maketrans("0123456789+-i", "₀₁₂₃₄₅₆₇₈₉₊₋ᵢ")


def state_label(k: int) -> str:
    """Hidden state ``k`` as the drawings write it, in plain text (a dropdown cannot show
    LaTeX): ``hᵢ₋₁`` and ``hᵢ`` for the cell's inputs (``h_{i-1}``, ``h_i``), then ``b1``,
    ``b2``, ... for the blocks' outputs."""
    name = state_name(k)
    if name.startswith("h_"):
        return "h" + name[2:].strip("{}").translate(_SUBSCRIPT)
    return name


def _width(choice: str, space: CellSpace) -> str:
    """Wide enough for the longest option of ``choice``, so that no label is cut."""
    longest = {"op": max(map(len, space.ops)), "combine": max(map(len, space.combine))}
    chars = next((n for key, n in longest.items() if key in choice), 5)
    return f"{max(chars, len(choice)) * 9 + 40}px"


@functools.lru_cache(maxsize=256)
def cell_picture(cell: WiredCell, reduction: bool, dpi: int = DPI) -> tuple[bytes, float]:
    """A PNG of ``cell`` drawn by :func:`~nasedu.viz.cell.plot_cell`, and its width in
    inches; remembered, so that a cell seen before costs nothing."""
    from ..viz.cell import REDUCTION_TITLE, cell_figsize, plot_cell

    figure = blank_figure(cell_figsize(cell), dpi)
    title = REDUCTION_TITLE if reduction else None
    plot_cell(cell, figure.add_subplot(), title=title, reduction=reduction)
    return to_png(figure), figure.get_figwidth()


class CellBuilder:
    """The widget (``.widget``), its dropdowns by ``(kind, block, choice)`` and the genotype.

    ``input_shape``, ``num_classes`` and ``macro`` (``N``, ``C``, ...) describe the network
    whose parameters and multiply-adds are shown, as :meth:`CellSpace.build` takes them.
    """

    def __init__(
        self,
        space: CellSpace,
        genotype: CellGenotype,
        input_shape: Sequence[int] = (1, 8, 8),
        num_classes: int = 10,
        **macro: Any,
    ) -> None:
        widgets = require_ipywidgets()
        self.space = space
        self.genotype = space.validate(genotype)
        self.input_shape = tuple(input_shape)
        self.num_classes = num_classes
        self.macro = macro
        self.dropdowns: dict[tuple[str, int, str], Any] = {}
        tabs = []
        widths = {choice: _width(choice, space) for choice in CHOICES}
        header = widgets.HBox(
            [widgets.HTML("", layout={"width": "40px"})]
            + [
                widgets.HTML(f"<i>{choice}</i>", layout={"width": widths[choice]})
                for choice in CHOICES
            ]
        )
        for kind in CELL_KINDS:
            rows = [header]
            for k, block in enumerate(getattr(self.genotype, kind).blocks, start=1):
                values = (*block.inputs, *block.ops, block.combine)
                row = [widgets.HTML(f"<b>{state_label(k + 1)} =</b>", layout={"width": "40px"})]
                for choice, options, value in zip(CHOICES, space.block_choices(k).values(), values):
                    labels = (
                        [(state_label(s), s) for s in options]
                        if "input" in choice
                        else list(options)
                    )
                    dropdown = widgets.Dropdown(
                        options=labels, value=value, layout={"width": widths[choice]}
                    )
                    dropdown.observe(self._changed, names="value")
                    self.dropdowns[(kind, k, choice)] = dropdown
                    row.append(dropdown)
                rows.append(widgets.HBox(row))
            tabs.append(widgets.VBox(rows))
        self.tabs = widgets.Tab(children=tabs)
        for i, kind in enumerate(CELL_KINDS):
            self.tabs.set_title(i, f"{kind} cell")
        self.summary = widgets.HTML()
        self.pictures = {kind: widgets.Image(format="png") for kind in CELL_KINDS}
        self.widget = widgets.VBox(
            [self.tabs, self.summary, widgets.HBox(list(self.pictures.values()))]
        )
        self._refresh()

    def _read(self) -> CellGenotype:
        cells = {}
        for kind in CELL_KINDS:
            blocks = []
            for k in range(1, self.space.num_blocks + 1):
                a, b, op_a, op_b, combine = (self.dropdowns[(kind, k, c)].value for c in CHOICES)
                blocks.append(Block((a, b), (op_a, op_b), combine))
            cells[kind] = Cell(tuple(blocks))
        return CellGenotype(**cells)

    def _changed(self, _change: dict) -> None:
        self.genotype = self.space.validate(self._read())
        self._refresh()

    def _refresh(self) -> None:
        """Show the current genotype's counts and both cells."""
        params, macs, cells = self.count(self.genotype)
        shape = "x".join(map(str, self.input_shape))
        self.summary.value = (
            f"<b>{params:,}</b> parameters &nbsp;|&nbsp; <b>{macs:,}</b> multiply-adds per "
            f"{shape} image &nbsp;|&nbsp; {cells} cells"
        )
        drawn = {
            kind: cell_picture(getattr(self.genotype, kind).wired(), kind == "reduction")
            for kind in CELL_KINDS
        }
        total = sum(inches for _, inches in drawn.values())
        for kind, (png, inches) in drawn.items():
            self.pictures[kind].value = png  # an unchanged cell: the same bytes, no update
            self.pictures[kind].layout.width = f"{100 * inches / total:.1f}%"

    def count(self, genotype: CellGenotype) -> NetworkCount:
        """Parameters, multiply-adds and cells of ``genotype``'s network, counted without
        building it (:func:`~nasedu.counting.count_space_network`)."""
        return count_space_network(
            self.space, genotype, self.input_shape, self.num_classes, **self.macro
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def cell_builder(
    space: CellSpace | None = None,
    genotype: CellGenotype | None = None,
    input_shape: Sequence[int] = (1, 8, 8),
    num_classes: int = 10,
    **macro: Any,
) -> CellBuilder:
    """A :class:`CellBuilder` for ``space`` (default: NASNet's), starting from ``genotype``
    (default: a random sample with seed 0)."""
    space = space or CellSpace()
    genotype = genotype if genotype is not None else space.sample(0)
    return CellBuilder(space, genotype, input_shape, num_classes, **macro)
