"""The answer key of an assignment: which checks a task has, and what the right answers are.

An answer key is a Python file of the lecturer's, ``keys/<assignment>.py`` in the course folder,
that defines ``TASKS``, a list of :class:`Task`.  A task belongs to one graded test cell of the
notebook (its nbgrader ``grade_id``) and is split into :class:`Part` s, each worth some points
and passed when all of its :class:`Check` s pass (partial credit).  A check is a Python
*expression* such as ``"count_layers({'conv': {'kernel': (1, 3)}})"``:

* inside the sandbox it is evaluated in the student's namespace and its value is sent out as
  plain data (:mod:`nasedu.grader.answers`);
* outside, the same expression is evaluated in the namespace of the *reference solution* -- the
  solution cells of ``source/<assignment>/<assignment>.ipynb``, run in the grading process --
  which gives the expected value.  So a key never repeats a solution and holds no numbers that
  could go stale: change the source notebook and the key follows.

``visible=True`` marks checks that the students' notebook shows too (feedback may then say what
was expected); all others are hidden: feedback says only that a hidden check failed, and the hint.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answers import encode

__all__ = ["AnswerKey", "Check", "Part", "Task", "load_key", "reference_values"]

SAME = ("equal", "architecture", "valid")


@dataclass(frozen=True)
class Check:
    """One expression of the key.

    ``same``: ``"equal"`` compares the values as data (floats within ``rel``);
    ``"architecture"`` rebuilds the student's genotype, validates it in ``space`` and compares
    ``space.arch_hash`` with the reference's; ``"valid"`` only validates it in ``space``.
    ``setup`` holds statements (imports, helper values) run before the expression, on both sides.
    """

    expr: str
    what: str = ""
    visible: bool = False
    setup: str = ""
    same: str = "equal"
    space: Any = None
    rel: float = 1e-9

    def __post_init__(self) -> None:
        if self.same not in SAME:
            raise ValueError(f"Check.same must be one of {SAME}, got {self.same!r}")
        if self.same != "equal" and self.space is None:
            raise ValueError(f"Check {self.expr!r}: same={self.same!r} needs a space")
        compile(self.expr, "<check>", "eval")  # a typo in a key fails when the key loads
        compile(self.setup, "<check setup>", "exec")

    @property
    def label(self) -> str:
        return self.what or self.expr


@dataclass(frozen=True)
class Part:
    """Some points, earned when every check passes.

    Every part holds at least one hidden check: the visible checks' answers are printed in the
    students' notebook, so an answer that only matches them must not earn anything.
    """

    points: float
    checks: tuple[Check, ...]
    hint: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(self.checks))
        if all(check.visible for check in self.checks):
            raise ValueError(
                f"a Part needs a hidden check besides {[c.label for c in self.checks]}: answers "
                "copied from the students' notebook must not earn points"
            )


@dataclass(frozen=True)
class Task:
    """The checks of one graded test cell (``cell``: its grade_id).

    ``solution``: the grade_id of the cell the student writes the answer in.  ``by_hand``: names
    the solution may not use because the task asks to work it out without them (``"Name"`` a
    name or import, ``".attr"`` an attribute): a solution that uses one earns no points here,
    whatever it returns.
    """

    cell: str
    solution: str
    parts: tuple[Part, ...]
    by_hand: tuple[str, ...] = ()
    hint: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "by_hand", tuple(self.by_hand))

    @property
    def points(self) -> float:
        return sum(part.points for part in self.parts)


@dataclass(frozen=True)
class AnswerKey:
    """The tasks of one assignment (one notebook)."""

    assignment: str
    tasks: tuple[Task, ...]
    path: Path = field(default=Path("."))

    @property
    def points(self) -> float:
        return sum(task.points for task in self.tasks)

    def task(self, cell: str) -> Task | None:
        return next((t for t in self.tasks if t.cell == cell), None)


def load_key(course: Path, assignment: str, keys: Path | None = None) -> AnswerKey:
    """Import ``keys/<assignment>.py`` of the course folder (lecturer's code: trusted)."""
    folder = Path(keys) if keys is not None else Path(course) / "keys"
    path = folder / f"{assignment}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no answer key for {assignment!r}: expected {path}")
    spec = importlib.util.spec_from_file_location(f"nasedu_key_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tasks = tuple(getattr(module, "TASKS", ()))
    if not tasks or not all(isinstance(t, Task) for t in tasks):
        raise ValueError(f"{path} must define TASKS, a non-empty list of nasedu.grader.Task")
    return AnswerKey(assignment, tasks, path)


def solution_namespace(notebook: Path) -> dict[str, Any]:
    """Run the code cells of a source notebook that are not test cells, in a fresh namespace.

    This is the reference solution (the lecturer's own code, run in the grading process).
    """
    from IPython.core.inputtransformer2 import TransformerManager

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, Any] = {"__name__": "__reference__", "get_ipython": lambda: None}
    transform = TransformerManager().transform_cell
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell["cell_type"] != "code" or (meta.get("grade") and not meta.get("solution")):
                continue
            source = "".join(cell["source"])
            exec(compile(transform(source), f"<{meta.get('grade_id', 'cell')}>", "exec"), namespace)
    return namespace


def reference_values(key: AnswerKey, notebook: Path) -> dict[tuple[int, int, int], Any]:
    """The expected answer of every check, encoded, keyed by (task, part, check) indices."""
    namespace = solution_namespace(notebook)
    expected = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for t, task in enumerate(key.tasks):
            for p, part in enumerate(task.parts):
                for c, check in enumerate(part.checks):
                    if check.setup:
                        exec(compile(check.setup, "<check setup>", "exec"), namespace)
                    value = eval(compile(check.expr, "<check>", "eval"), namespace)
                    expected[t, p, c] = encode(value)
    return expected
