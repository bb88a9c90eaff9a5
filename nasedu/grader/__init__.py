"""Grading that a student's code cannot forge: checks run in a sandbox, judged outside it.

The self-checks in the students' notebooks (:mod:`nasedu.grading`) are advice: they run in the
student's kernel, which the student controls.  Scores come from ``nasedu grade ASSIGNMENT``
(:func:`grade_assignment`), which

* runs each submission alone in a sandbox (:mod:`.sandbox`, :mod:`.child`, :mod:`.run`) that
  sees only that submission, and *records* the values of the answer key's checks as plain data
  (:mod:`.answers`);
* compares them, outside the sandbox, with the values of the reference solution
  (:mod:`.key`, :mod:`.judge`), so nothing the student's code does can change the comparison;
* writes nbgrader's gradebook and the graded notebooks (:mod:`.gradebook`), feedback without
  hidden checks, and a tamper report (:mod:`.tamper`).

The answer keys live in the course folder (``exercises/keys/``), never in what students get.
"""

from .key import AnswerKey, Check, Part, Task, load_key
from .variant import replace_between, replace_solution

__all__ = [
    "AnswerKey",
    "Check",
    "Part",
    "Task",
    "grade_assignment",
    "load_key",
    "replace_between",
    "replace_solution",
]


def grade_assignment(*args, **kwargs):
    """Grade every submission of an assignment (:func:`nasedu.grader.grade.grade_assignment`)."""
    from .grade import grade_assignment as grade

    return grade(*args, **kwargs)
