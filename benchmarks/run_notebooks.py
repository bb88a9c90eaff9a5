"""Run the course notebooks top to bottom without Jupyter, and time every cell.

The tests run the notebooks under nbval (Jupyter needed) in quick mode.  This script answers
the other question a lecturer asks -- *how long does the real thing take on my machine?* -- and
runs where only the library's dependencies are installed (a GPU machine without Jupyter, a
plain server).  Code cells run in order, in one namespace per notebook, as plain Python:
IPython magics (``%pip``) are skipped, and cells that need ipywidgets are skipped when it is
not installed.  Matplotlib draws off screen.

    python benchmarks/run_notebooks.py                    # full mode, every notebook
    NASEDU_QUICK=1 python benchmarks/run_notebooks.py 01  # quick mode, notebook 01 only

It prints the slowest cells and a table per notebook and writes
``results/run_notebooks-<machine>[-quick].json``.  A cell that raises stops its notebook (as in
Jupyter's "run all"); the error is recorded and the exit status is 1.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from common import RESULTS, print_table, save

from nasedu.train import describe_device, quick

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)


def code_cells(path: Path) -> list[str]:
    """The notebook's code cells as plain Python (magics replaced by ``pass``)."""
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [MAGIC.sub(r"\1pass", source) for source in sources]


def has_ipywidgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def run_notebook(path: Path, echo: bool = False, after_cell=None) -> dict:
    """Execute ``path``'s code cells in order; seconds per cell and the first error, if any.

    ``after_cell(run)``, if given, gets the run so far after every cell (to save it: a run cut
    short by a time limit then still tells which cells finished and how long they took)."""
    namespace: dict = {"__name__": "__main__"}
    widgets = has_ipywidgets()
    cells, error = [], None
    here = os.getcwd()
    os.chdir(path.parent)  # as in Jupyter: relative paths start at the notebook's folder
    start = time.perf_counter()
    for index, source in enumerate(code_cells(path)):
        if "nasedu.widgets" in source and not widgets:
            cells.append({"cell": index, "seconds": 0.0, "skipped": "needs ipywidgets"})
            continue
        output = io.StringIO()
        cell_start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(sys.stdout if echo else output):
                exec(compile(source, f"{path.stem}[{index}]", "exec"), namespace)
        except Exception:
            error = {"cell": index, "traceback": traceback.format_exc(limit=6)}
        cells.append({"cell": index, "seconds": time.perf_counter() - cell_start})
        plt.close("all")
        if after_cell is not None:
            after_cell(_run(path, start, cells, error, finished=False))
        if error:
            break
    os.chdir(here)
    return _run(path, start, cells, error, finished=True)


def _run(path: Path, start: float, cells: list, error: dict | None, finished: bool) -> dict:
    return {
        "notebook": path.stem,
        "seconds": time.perf_counter() - start,
        "cells": list(cells),
        "error": error,
        "finished": finished,
    }


def _status(run: dict) -> str:
    if run["error"]:
        return "error"
    return "ok" if run["finished"] else "running (cut off if the run ended here)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="notebook name prefixes, e.g. 01 03 (default: all)")
    parser.add_argument("--echo", action="store_true", help="show what the cells print")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="the notebooks' folder")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
    paths = sorted(args.notebooks.glob("*.ipynb"))
    if args.only:
        paths = [p for p in paths if any(p.stem.startswith(o) for o in args.only)]
    print(f"training on: {describe_device()} | quick mode: {quick()}")
    runs: list[dict] = []
    name = "run_notebooks" + ("-quick" if quick() else "")

    def save_runs(current: dict | None = None, quiet: bool = True) -> list[dict]:
        done = runs + ([current] if current else [])
        rows = [
            {
                "notebook": r["notebook"],
                "minutes": r["seconds"] / 60,
                "cells": len(r["cells"]),
                "status": _status(r),
            }
            for r in done
        ]
        save(name, rows, folder=args.results, runs=done, device=describe_device(), quiet=quiet)
        return rows

    for path in paths:
        print(f"\n{path.stem} ...", flush=True)
        run = run_notebook(path, echo=args.echo, after_cell=save_runs)
        slowest = sorted(run["cells"], key=lambda c: -c["seconds"])[:3]
        times = ", ".join(f"#{c['cell']} {c['seconds']:.1f} s" for c in slowest)
        print(f"  slowest cells: {times}")
        if run["error"]:
            print(f"  FAILED in cell #{run['error']['cell']}:\n{run['error']['traceback']}")
        runs.append(run)
        # saved after every cell and every notebook: a run cut short keeps its times
        rows = save_runs(quiet=path != paths[-1])
    print()
    print_table(rows, ["notebook", "minutes", "cells", "status"])
    return 1 if any(r["error"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
