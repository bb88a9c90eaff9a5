"""Scores into nbgrader's gradebook, and the graded notebook that formgrader and feedback show.

``nasedu grade`` replaces ``nbgrader autograde``, so it leaves what autograde leaves: a
submission row with a score for every graded cell in ``gradebook.db``, and the notebook in
``autograded/<student>/<assignment>/``.  ``nbgrader formgrade``, ``nbgrader generate_feedback``
and ``nbgrader export`` then work as usual.  The graded notebook is rebuilt from the release:

* the student's own cells (solutions and added cells) with their outputs removed -- outputs are
  untrusted and could put HTML or scripts in front of a grader;
* locked cells exactly as released (no hidden tests: they are not in any notebook);
* under every test cell, the judgement of the grader: ✓ or ✗ per part, the hint, the points;
* after every manually graded answer, its rubric for the grader (from the source notebook), in
  a cell marked ``{"nasedu": {"rubric": true}}`` that :class:`StripRubrics` removes from feedback.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from pathlib import Path
from typing import Any

from .judge import TaskResult
from .plan import grade_id, nbgrader_meta

__all__ = ["StripRubrics", "check_assignment", "graded_notebook", "rubrics", "save_scores"]

SOLUTION = re.compile(r"### BEGIN SOLUTION\n?(.*?)### END SOLUTION", re.DOTALL)


def rubrics(source: dict[str, Any]) -> dict[str, str]:
    """The model answer and rubric of each manually graded cell of the source notebook."""
    found = {}
    for cell in source["cells"]:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and meta.get("solution") and cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            match = SOLUTION.search(text)
            found[meta["grade_id"]] = (match.group(1) if match else text).strip()
    return found


def _feedback_output(result: TaskResult) -> dict[str, Any]:
    text = "\n".join(result.feedback) + "\n"
    return {"output_type": "stream", "name": "stdout", "text": text}


def _clean(cell: dict[str, Any], number: int = 0) -> dict[str, Any]:
    """A student's cell with nothing but its type and source (no outputs, no metadata).

    Markdown is rendered as HTML in formgrader (in the grader's logged-in browser) and in the
    feedback, so a student's text is shown literally (:func:`safe_markdown`), never as HTML of
    its own (``<script>``, ``<img onerror>``, ``javascript:`` links).  Raw cells (which
    nbconvert copies into the page unchanged) become such markdown too; code is shown as code.
    """
    source = cell.get("source", "")
    source = (
        "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else source
    )
    source = source if isinstance(source, str) else ""
    kind = "code" if cell.get("cell_type") == "code" else "markdown"
    clean = {"cell_type": kind, "id": f"student-{number}", "metadata": {}, "source": source}
    if kind == "code":
        clean.update(outputs=[], execution_count=None)
    else:
        clean["source"] = safe_markdown(source)
    return clean


def safe_markdown(text: str) -> str:
    """``text`` as a markdown code block: shown literally, as the student typed it.

    Escaping HTML is not enough: markdown links can point to ``javascript:`` URLs and math
    blocks pass their content to the page; an indented code block renders nothing of it.
    """
    return "\n".join("    " + line for line in text.split("\n"))


def graded_notebook(
    release: dict[str, Any],
    plan_solutions: dict[str, dict],
    extras: dict[int, list[dict]],
    results: list[TaskResult],
    rubric: dict[str, str],
) -> dict[str, Any]:
    """The notebook for formgrader (see the module docstring)."""
    by_cell = {r.cell: r for r in results}
    numbers = iter(range(1 << 30))
    cells = [_clean(c, next(numbers)) for c in extras.get(-1, [])]
    for index, template in enumerate(release["cells"]):
        cell = copy.deepcopy(template)
        gid, meta = grade_id(cell), nbgrader_meta(cell)
        if meta.get("solution") and gid in plan_solutions:
            source = _clean({**plan_solutions[gid], "cell_type": "code"})["source"]
            cell["source"] = source if cell["cell_type"] == "code" else safe_markdown(source)
        if cell["cell_type"] == "code":
            cell["outputs"] = [_feedback_output(by_cell[gid])] if gid in by_cell else []
            cell["execution_count"] = None
        cells.append(cell)
        if gid in rubric:
            cells.append(_rubric_cell(gid, meta.get("points", 0), rubric[gid]))
        cells += [_clean(c, next(numbers)) for c in extras.get(index, [])]
    notebook = {k: v for k, v in release.items() if k != "cells"}
    return {**notebook, "cells": cells}


def _rubric_cell(gid: str, points: float, text: str) -> dict[str, Any]:
    header = f"**Rubric for graders** (`{gid}`, {points:g} points; not shown in feedback)\n\n"
    return {
        "cell_type": "markdown",
        "metadata": {"nasedu": {"rubric": True}},
        "source": header + text,
    }


def save_scores(
    course: Path,
    assignment: str,
    notebook: str,
    student: str,
    results: list[TaskResult] | None,
    graded: dict[str, Any] | None,
    timestamp: str | None,
) -> None:
    """Write one submission's scores into the gradebook and its graded notebook to disk.

    ``results=None`` (a submission that could not be read) scores every automatic cell 0.
    """
    from nbgrader.api import Gradebook

    course_id, db_url = _course(course)
    with Gradebook(db_url, course_id) as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own add_submission warns about its session
        gradebook.update_or_create_student(student)
        options = {"timestamp": timestamp} if timestamp else {}
        gradebook.update_or_create_submission(assignment, student, **options)
        scores = {r.cell: r.points for r in results or []}
        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        for grade in submitted.grades:
            automatic = grade.cell.cell_type == "code"
            grade.auto_score = scores.get(grade.name, 0.0) if automatic else None
            grade.needs_manual_grade = (not automatic) or grade.manual_score is not None
        gradebook.db.commit()
    if graded is not None:
        folder = Path(course) / "autograded" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{notebook}.ipynb").write_text(json.dumps(graded, indent=1), encoding="utf-8")
        if timestamp:
            (folder / "timestamp.txt").write_text(timestamp, encoding="utf-8")


def check_assignment(course: Path, assignment: str) -> None:
    """Refuse to grade an assignment that ``nbgrader generate_assignment`` has not recorded."""
    from nbgrader.api import Gradebook, MissingEntry

    course_id, db_url = _course(course)
    with Gradebook(db_url, course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise FileNotFoundError(
                f"the gradebook has no assignment {assignment!r}: run nbgrader "
                f"generate_assignment {assignment} in {course} first"
            ) from None


def _course(course: Path) -> tuple[str, str]:
    """The course id and database address from the course's ``nbgrader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    config_file = Path(course) / "nbgrader_config.py"
    config = PyFileConfigLoader(config_file.name, path=str(course)).load_config()
    directory = config.get("CourseDirectory", {})
    course_id = directory.get("course_id", "default_course")
    db_url = directory.get("db_url", f"sqlite:///{Path(course).resolve() / 'gradebook.db'}")
    return course_id, db_url


try:  # the feedback filter is an nbgrader preprocessor; nasedu works without nbgrader
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover - nbgrader is in the dev extra
    NbGraderPreprocessor = object  # type: ignore[misc,assignment]


def is_rubric(cell: dict[str, Any]) -> bool:
    """Whether ``cell`` is a rubric cell that :func:`graded_notebook` added for graders."""
    return bool(cell.get("metadata", {}).get("nasedu", {}).get("rubric"))


class StripRubrics(NbGraderPreprocessor):
    """Remove the graders' rubric cells before ``nbgrader generate_feedback`` renders a notebook.

    Enabled in the course's ``nbgrader_config.py``::

        c.GenerateFeedback.preprocessors = [GetGrades, StripRubrics, CSSHTMLHeaderPreprocessor]
    """

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not is_rubric(c)]
        return nb, resources
