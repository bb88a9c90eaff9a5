"""benchmarks/run_notebooks.py: the notebooks without Jupyter, as the GPU device check runs them.

A GPU session is short and rare; a broken runner would waste it, so the runner is tested here on
two small notebooks: one that works (with a Colab magic and relative paths) and one that fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run_notebooks.py"


def notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)


def run_runner(folder: Path, out: Path) -> subprocess.CompletedProcess:
    """The runner on ``folder``'s notebooks in quick mode, writing its JSON into ``out``."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--notebooks", str(folder), "--results", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "NASEDU_QUICK": "1", "MPLBACKEND": "Agg"},
        timeout=300,
    )


def test_runs_cells_in_order_skips_magics_and_records_a_failure(tmp_path):
    folder, out = tmp_path / "notebooks", tmp_path / "results"
    folder.mkdir()
    notebook(
        folder / "a_works.ipynb",
        'import sys\n\nif "google.colab" in sys.modules:\n    %pip install -q {NASEDU_PIP}\n'
        "value = 41",
        'with open("written.txt", "w") as f:  # relative to the notebook, as in Jupyter\n'
        "    f.write(str(value + 1))",
    )
    notebook(
        folder / "b_fails.ipynb",
        "x = 1",
        'raise RuntimeError("boom")',
        'open("never.txt", "w")',
    )
    done = run_runner(folder, out)
    assert done.returncode == 1, done.stderr  # a failing notebook fails the run
    assert (folder / "written.txt").read_text() == "42"  # one namespace, the notebook's folder
    assert not (folder / "never.txt").exists()  # a cell that raises stops its notebook
    (result,) = out.glob("run_notebooks-quick-*.json")
    saved = json.loads(result.read_text())
    assert [(r["notebook"], r["status"], r["cells"]) for r in saved["rows"]] == [
        ("a_works", "ok", 2),
        ("b_fails", "error", 2),
    ]
    error = saved["runs"][1]["error"]
    assert error["cell"] == 1 and "RuntimeError: boom" in error["traceback"]
    assert "FAILED in cell #1" in done.stdout


def test_a_run_killed_mid_notebook_keeps_the_cells_it_finished(tmp_path):
    """The GPU check stops each step with `timeout`, which kills the runner: what it measured
    before must be on disk, marked as not finished."""
    folder, out = tmp_path / "notebooks", tmp_path / "results"
    folder.mkdir()
    notebook(
        folder / "slow.ipynb",
        "x = 1",
        "import os, signal\n\nos.kill(os.getpid(), signal.SIGKILL)  # as timeout's kill would",
        "y = 2",
    )
    done = run_runner(folder, out)
    assert done.returncode != 0
    (result,) = out.glob("run_notebooks-quick-*.json")
    saved = json.loads(result.read_text())
    assert [(r["notebook"], r["cells"]) for r in saved["rows"]] == [("slow", 1)]
    assert saved["rows"][0]["status"].startswith("running")
    assert saved["runs"][0]["finished"] is False
