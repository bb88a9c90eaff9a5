"""How long one update of the course's widgets takes: the cell builder and the hierarchical
explorer as notebooks 2 and 3 show them.

An update is what follows one change of a dropdown: validate, rebuild the network, count its
parameters and multiply-adds, redraw, and render the figure to PNG (what Jupyter's inline
backend does at ``plt.show()``; here ``plt.show`` is replaced by that rendering).  Target
(issue 12): under 0.5 s on an idle 2-core machine.  The machine's load average is recorded.

    python benchmarks/bench_widgets.py       # writes results/bench_widgets-cpuN.json
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, str(Path(__file__).parent))

from common import print_table, save


def render_open_figures(*args, **kwargs) -> None:
    """What the inline backend does at plt.show(): every open figure to a PNG."""
    for number in plt.get_fignums():
        plt.figure(number).savefig(io.BytesIO(), format="png")
    plt.close("all")


def timed_updates(change, repeats: int = 5) -> list[float]:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        change(i)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    import torch

    from nasedu import zoo
    from nasedu.spaces.cell import CellSpace
    from nasedu.spaces.hierarchical import HierarchicalSpace
    from nasedu.widgets.cell import cell_builder
    from nasedu.widgets.hierarchical import hierarchical_explorer

    torch.set_num_threads(1)
    plt.show = render_open_figures
    rows = []

    space = CellSpace()
    builder = cell_builder(space, zoo.cell_genotype("NASNet-A"), input_shape=(3, 32, 32), N=6, C=36)
    dropdown = builder.dropdowns[("normal", 1, "first op")]
    ops = [op for op in space.ops if op != dropdown.value]  # a new genotype every time
    times = timed_updates(lambda i: setattr(dropdown, "value", ops[i]))
    rows.append({"widget": "cell builder (NASNet-A, N=6, C=36, 32x32)", "times": times})
    back = [op for op in ops[:2]]  # back to genotypes seen before: counts cached, only redrawn
    times = timed_updates(lambda i: setattr(dropdown, "value", back[i % 2]), repeats=4)
    rows.append({"widget": "cell builder, a genotype seen before", "times": times})

    hspace = HierarchicalSpace()
    explorer = hierarchical_explorer(hspace, hspace.initial(0))
    grid = explorer.children[2]
    entry = next(box for box in grid.children if hasattr(box, "options"))
    choices = [op for op in entry.options if op != "none"][:2]  # always valid edits
    times = timed_updates(lambda i: setattr(entry, "value", choices[i % 2]))
    rows.append({"widget": "hierarchical explorer (paper space)", "times": times})

    for row in rows:
        row["median_seconds"] = statistics.median(row["times"])
        row["max_seconds"] = max(row["times"])
    print_table(rows, ["widget", "median_seconds", "max_seconds"])
    save("bench_widgets", rows, load_average_after=os.getloadavg())


if __name__ == "__main__":
    main()
