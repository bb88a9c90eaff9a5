"""An interactive cell builder: make the 5 choices of every block yourself.

One dropdown per choice (first input, second input, first op, second op, combine) for every block
of the normal and the reduction cell.  Every change redraws both cells (as in the NASNet paper)
and rebuilds the network, showing its parameters and multiply-adds, so you can see what each
choice costs: a ``sep_conv_7x7`` instead of an ``identity``, a ``concat`` instead of an ``add``
(twice the channels for every op that reads it), an op on a reduction cell's input (stride 2).

    from nasedu.widgets.cell import cell_builder
    cell_builder()          # in a notebook cell: displays the builder
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..measure import count_macs, count_parameters
from ..spaces.cell import CELL_KINDS, CHOICES, Block, Cell, CellGenotype, CellSpace, state_name
from . import require_ipywidgets

__all__ = ["CellBuilder", "cell_builder", "state_label"]

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


class CellBuilder:
    """The widget (``.widget``), its dropdowns by ``(kind, block, choice)`` and the genotype.

    ``input_shape``, ``num_classes`` and ``macro`` (``N``, ``C``, ...) are passed to
    :meth:`CellSpace.build` to count parameters and multiply-adds.
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
        self._counts: dict[CellGenotype, tuple[int, int, int]] = {}
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
        self.output = widgets.Output()
        self.widget = widgets.VBox([self.tabs, self.summary, self.output])
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
        import matplotlib.pyplot as plt

        params, macs, cells = self._count(self.genotype)
        shape = "x".join(map(str, self.input_shape))
        self.summary.value = (
            f"<b>{params:,}</b> parameters &nbsp;|&nbsp; <b>{macs:,}</b> multiply-adds per "
            f"{shape} image &nbsp;|&nbsp; {cells} cells"
        )
        self.output.clear_output(wait=True)
        with self.output:
            fig = self.space.plot(self.genotype)
            plt.show()
            plt.close(fig)

    def _count(self, genotype: CellGenotype) -> tuple[int, int, int]:
        """Parameters, multiply-adds and cells of ``genotype``'s network, built once per
        genotype (going back to an earlier choice is instant)."""
        if genotype not in self._counts:
            model = self.space.build(
                genotype, input_shape=self.input_shape, num_classes=self.num_classes, **self.macro
            )
            params = count_parameters(model, auxiliary=False)
            self._counts[genotype] = (params, count_macs(model, self.input_shape), len(model.cells))
        return self._counts[genotype]

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
