"""From a submitted notebook to the steps that the sandbox runs.

A submitted notebook is untrusted in every part: its cells, their metadata (a student can mark
any cell as locked or worth 100 points) and its outputs.  The plan therefore walks the
lecturer's *release* notebook and takes from the submission only the code the student was meant
to write:

* locked code cells (the set-up cell, test cells) come from the release, never the submission;
* each solution cell is the student's cell with the same ``grade_id`` (the first one; a copy is
  an extra cell);
* cells the student added (no known ``grade_id``) run after the release cell they follow;
* at each graded test cell that has a task in the answer key, the task's checks run.  What the
  test cell of the submission says is ignored: its visible checks are advice for the student.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .key import AnswerKey

__all__ = ["MAX_NOTEBOOK_BYTES", "Plan", "SubmissionError", "make_plan", "read_notebook"]

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_CELLS = 2_000
"""The most cells a submitted notebook may have (the exercises have about 40): every cell is a
step to run and code to read, so a million tiny cells must not hold the grader for hours."""


class SubmissionError(ValueError):
    """A submission that cannot be graded at all (missing, too large, not a notebook)."""


def read_notebook(path: Path) -> dict[str, Any]:
    """A notebook's JSON, refusing files that are too large or not notebooks."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise SubmissionError(f"{path.name}: not a regular file")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{path.name}: larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise SubmissionError(f"{path.name}: not a notebook ({str(error)[:100]})") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise SubmissionError(f"{path.name}: not a notebook (no list of cells)")
    if len(cells) > MAX_CELLS:
        raise SubmissionError(f"{path.name}: more than {MAX_CELLS:,} cells")
    return notebook


def source_of(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def grade_id(cell: dict[str, Any]) -> str | None:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    value = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return value if isinstance(value, str) else None


def nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


@dataclass
class Plan:
    """The steps to run, and which student code belongs where (for scans and the notebook)."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    solutions: dict[str, dict[str, Any]] = field(default_factory=dict)
    extras: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Cells the student added, by the index of the release cell they follow (-1: before all)."""

    def student_code(self, solution: str) -> list[str]:
        """The code of solution cell ``solution`` and of every cell the student added."""
        cells = [self.solutions[solution]] if solution in self.solutions else []
        cells += [c for extra in self.extras.values() for c in extra]
        return [source_of(c) for c in cells if c.get("cell_type") == "code"]

    def other_code(self, solution: str) -> list[str]:
        """The code of every student cell but solution cell ``solution``."""
        cells = [c for gid, c in self.solutions.items() if gid != solution]
        cells += [c for extra in self.extras.values() for c in extra]
        return [source_of(c) for c in cells if c.get("cell_type") == "code"]

    def all_student_code(self) -> list[str]:
        cells = list(self.solutions.values()) + [c for e in self.extras.values() for c in e]
        return [source_of(c) for c in cells if c.get("cell_type") == "code"]


def _split_submission(release: dict, submission: dict) -> tuple[dict, dict]:
    """Solution cells by grade_id, and the added cells by the release cell they follow."""
    release_ids = {grade_id(c): i for i, c in enumerate(release["cells"]) if grade_id(c)}
    solution_ids = {
        grade_id(c) for c in release["cells"] if grade_id(c) and nbgrader_meta(c).get("solution")
    }
    solutions: dict[str, dict] = {}
    extras: dict[int, list[dict]] = {}
    after = -1
    for cell in submission["cells"]:
        gid = grade_id(cell)
        if gid in solution_ids and gid not in solutions:
            solutions[gid] = cell
            after = release_ids[gid]
        elif gid in release_ids and gid not in solution_ids:
            after = release_ids[gid]  # a locked cell: the release's version is used
        else:
            extras.setdefault(after, []).append(cell)
    return solutions, extras


def make_plan(release: dict[str, Any], submission: dict[str, Any], key: AnswerKey) -> Plan:
    """The steps for one submission (see the module docstring)."""
    solutions, extras = _split_submission(release, submission)
    plan = Plan(solutions=solutions, extras=extras)

    def add_cells(cells: list[dict], label: str) -> None:
        for n, cell in enumerate(cells):
            if cell.get("cell_type") == "code":
                plan.steps.append(
                    {"id": f"cell:{label}:{n}", "kind": "cell", "code": source_of(cell)}
                )

    add_cells(extras.get(-1, []), "start")
    for index, cell in enumerate(release["cells"]):
        gid, meta = grade_id(cell), nbgrader_meta(cell)
        if cell["cell_type"] == "code" and meta.get("solution"):
            add_cells([solutions[gid]] if gid in solutions else [], gid)
        elif cell["cell_type"] == "code" and key.task(gid or "") is not None:
            plan.steps += _check_steps(key, gid)
        elif cell["cell_type"] == "code" and not meta.get("grade"):
            add_cells([cell], gid or str(index))  # locked code from the release (set-up)
        add_cells(extras.get(index, []), f"after-{index}")
    return plan


def _check_steps(key: AnswerKey, cell: str) -> list[dict[str, Any]]:
    t = key.tasks.index(key.task(cell))
    steps = []
    for p, part in enumerate(key.tasks[t].parts):
        for c, check in enumerate(part.checks):
            steps.append(
                {
                    "id": f"check:{t}:{p}:{c}",
                    "kind": "check",
                    "setup": check.setup,
                    "expr": check.expr,
                }
            )
    return steps


def release_notebook(course: Path, assignment: str) -> tuple[Path, dict[str, Any]]:
    """The one notebook of ``release/<assignment>/`` (lecturer's, trusted)."""
    folder = Path(course) / "release" / assignment
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise FileNotFoundError(
            f"expected one notebook in {folder} (run nbgrader generate_assignment {assignment})"
        )
    return notebooks[0], json.loads(notebooks[0].read_text(encoding="utf-8"))
