"""How long one update of the course's widgets takes: the cell builder and the hierarchical
explorer as notebooks 2 and 3 show them.

An update is what follows one change of a dropdown: validate, count the network's parameters
(and multiply-adds), redraw, and render the pictures to PNG (both explorers render their own
pictures for an ``ipywidgets.Image``).  Target (issue 12): under 0.5 s on an idle 2-core
machine.

Each row is timed in wall-clock seconds and in CPU seconds of this process (the CPU time
suffers less from other people's work on a shared machine); the load average before and after
is recorded.  The cell builder is measured three ways: a change to a genotype never seen
(with the tables of counted op shapes and of drawn cells emptied first: the worst case, as
for the very first change in a fresh kernel), a change to a genotype never seen but with the
tables as they fill during use, and a change back to a genotype seen before; and, for a ratio
within one run, each explorer's update as it was before (the cell builder: a new network built
and counted, both cells drawn on one figure; both explorers: a pyplot figure rendered as
Jupyter's inline backend renders it).

    python benchmarks/bench_widgets.py       # writes results/bench_widgets-cpuN.json
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, str(Path(__file__).parent))

from common import print_table, save


def render_open_figures(*args, **kwargs) -> None:
    """What Jupyter's inline backend does at plt.show(): every open figure to a PNG, with
    ``bbox_inches="tight"`` (its default); the explorers used to draw that way."""
    for number in plt.get_fignums():
        plt.figure(number).savefig(io.BytesIO(), format="png", bbox_inches="tight")
    plt.close("all")


def timed_updates(
    change: Callable[[int], object], repeats: int, before: Callable[[], object] = lambda: None
) -> dict:
    """Wall-clock and CPU seconds of ``change(i)`` for ``i`` in ``range(repeats)``; ``before``
    runs untimed before each change."""
    wall, cpu = [], []
    for i in range(repeats):
        before()
        start, start_cpu = time.perf_counter(), time.process_time()
        change(i)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "median_seconds": statistics.median(wall),
        "max_seconds": max(wall),
        "median_cpu_seconds": statistics.median(cpu),
        "times": wall,
        "cpu_times": cpu,
    }


def cell_builder_rows(repeats: int) -> list[dict]:
    from nasedu import zoo
    from nasedu.counting import shape_cost
    from nasedu.spaces.cell import CellSpace
    from nasedu.widgets.cell import cell_builder, cell_picture

    def empty_tables() -> None:
        shape_cost.cache_clear()
        cell_picture.cache_clear()

    space = CellSpace()
    setting = "NASNet-A, N=6, C=36, 32x32"
    builder = cell_builder(space, zoo.cell_genotype("NASNet-A"), input_shape=(3, 32, 32), N=6, C=36)
    normal = builder.dropdowns[("normal", 1, "first op")]
    reduction = builder.dropdowns[("reduction", 2, "second op")]
    ops = [op for op in space.ops if op not in (normal.value, reduction.value)]

    def new_genotype(i: int) -> None:  # alternately the normal and the reduction cell
        dropdown = normal if i % 2 == 0 else reduction
        dropdown.value = ops[i // 2 % len(ops)]

    rows = [
        {"widget": f"cell builder ({setting}), new genotype, empty tables"}
        | timed_updates(new_genotype, repeats, before=empty_tables),
        {"widget": "cell builder, new genotype, tables filled during use"}
        | timed_updates(lambda i: new_genotype(i + repeats), repeats),
    ]
    seen = [ops[0], normal.value]
    for op in seen:  # both drawn and counted before the row starts
        normal.value = op
    rows.append(
        {"widget": "cell builder, a genotype seen before"}
        | timed_updates(lambda i: setattr(normal, "value", seen[i % 2]), repeats)
    )
    rows.append(
        {"widget": "reference: the update as it was (build, count, one figure, render)"}
        | timed_updates(lambda i: former_update(space, builder, ops[i % len(ops)]), repeats)
    )
    return rows


def former_update(space, builder, op: str) -> None:
    """What one update of the cell builder did before it counted without building and drew
    each cell apart: build the network, count it, draw both cells on one figure, render."""
    from nasedu.measure import count_macs, count_parameters
    from nasedu.spaces.cell import Block, Cell, CellGenotype

    first = builder.genotype.normal.blocks[0]
    blocks = (Block(first.inputs, (op, first.ops[1]), first.combine),)
    normal = Cell(blocks + builder.genotype.normal.blocks[1:])
    genotype = space.validate(CellGenotype(normal=normal, reduction=builder.genotype.reduction))
    model = space.build(genotype, input_shape=(3, 32, 32), N=6, C=36)
    count_parameters(model, auxiliary=False)
    count_macs(model, (3, 32, 32))
    space.plot(genotype)
    render_open_figures()


def hierarchical_rows(repeats: int) -> list[dict]:
    from nasedu.spaces.hierarchical import HierarchicalSpace
    from nasedu.widgets.hierarchical import hierarchical_explorer

    space = HierarchicalSpace()
    explorer = hierarchical_explorer(space, space.initial(0))
    entries = list(explorer.entries.values())
    ops = [op for _, op in entries[0].options if op != "none"]

    def new_genotype(i: int) -> None:
        """The next op (never none: always a valid edit) on entry i: a new genotype each time
        (an entry comes back to its op after len(entries) * len(ops) changes)."""
        entry = entries[i % len(entries)]
        current = ops.index(entry.value) if entry.value in ops else -1
        entry.value = ops[(current + 1) % len(ops)]

    return [
        {"widget": "hierarchical explorer (paper space), new genotype"}
        | timed_updates(new_genotype, repeats),
        {"widget": "reference: the explorer's update as it was (pyplot figure, tight render)"}
        | timed_updates(lambda i: former_explorer_update(space, explorer.genotype), repeats),
    ]


def former_explorer_update(space, genotype) -> None:
    """What one update of the hierarchical explorer did before it drew into a kept figure:
    count, draw on a new pyplot figure, render as the inline backend does."""
    from nasedu.measure import count_parameters
    from nasedu.viz.hierarchical import motif_color, plot_motif

    count_parameters(space.build(genotype))
    _, (left, right) = plt.subplots(1, 2, figsize=(11, 2.8), gridspec_kw={"width_ratios": [1, 1.6]})
    plot_motif(genotype.levels[0][0], ax=left, title="level 2: m1", title_color=motif_color("m1"))
    plot_motif(genotype.cell, ax=right, title="level 3: the cell", highlight="m1")
    render_open_figures()


def main(repeats: int = 8) -> None:
    import torch

    torch.set_num_threads(1)
    load_before = os.getloadavg()
    rows = cell_builder_rows(repeats) + hierarchical_rows(repeats)
    print_table(rows, ["widget", "median_seconds", "max_seconds", "median_cpu_seconds"])
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    save(
        "bench_widgets",
        rows,
        load_average_before=load_before,
        load_average_after=os.getloadavg(),
    )


if __name__ == "__main__":
    main()
