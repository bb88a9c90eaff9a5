"""Judging answers against the key, outside the sandbox, and writing feedback without secrets.

Every decision here uses only data: the encoded expected values of the reference solution, the
encoded answers the sandbox reported, and the student's source text (for tasks done *by hand*).
Feedback for a failed *visible* check may say what was expected (the notebook shows it anyway);
for a *hidden* check it says only that a hidden check failed and how (a wrong value, an
exception's name, a time-out), and the hint -- never the hidden expression, its expected value or
the student's answer to it (which could echo the hidden input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .answers import AnswerError, decode, difference
from .key import AnswerKey, Check, Task
from .names import names_used
from .plan import Plan, source_of
from .run import Outcome

__all__ = ["TaskResult", "judge"]

STATUS_TEXT = {
    "timeout": "did not finish within the time limit",
    "crashed": "stopped the Python process (it was restarted)",
}


@dataclass
class TaskResult:
    """Points of one task and the feedback lines for the student."""

    cell: str
    points: float
    max_points: float
    feedback: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.points == self.max_points


def judge(
    key: AnswerKey,
    expected: dict[tuple[int, int, int], Any],
    outcome: Outcome,
    plan: Plan,
    defines: dict[str, set[str]] | None = None,
) -> list[TaskResult]:
    """The result of every task of the key.

    ``defines``: the names each reference solution cell defines (by grade_id); a task done by
    hand follows them into every cell of the student's that (re)defines them.
    """
    return [
        _judge_task(t, task, expected, outcome, plan, (defines or {}).get(task.solution, set()))
        for t, task in enumerate(key.tasks)
    ]


def _judge_task(
    t: int, task: Task, expected: dict, outcome: Outcome, plan: Plan, roots: set[str]
) -> TaskResult:
    result = TaskResult(task.cell, 0.0, task.points)
    solution = plan.solutions.get(task.solution)
    sources = [source_of(solution)] if solution and solution.get("cell_type") == "code" else []
    used = names_used(sources, task.by_hand, plan.other_code(task.solution), roots)
    if used:
        result.feedback.append(
            f"✗ this task asks you to work it out yourself, but your code uses "
            f"{', '.join(used)}: no points for this task"
        )
        return result
    for p, part in enumerate(task.parts):
        problems = []
        for c, check in enumerate(part.checks):
            report = outcome.steps.get(f"check:{t}:{p}:{c}", {"status": "crashed"})
            problem = _check_problem(check, expected[t, p, c], report)
            if problem:
                problems.append(_describe(check, problem))
        if problems:
            result.feedback.append(problems[0])
            hint = part.hint or task.hint
            if hint:
                result.feedback.append(f"  Hint: {hint}")
        else:
            result.points += part.points
    if result.passed:
        result.feedback.insert(0, "✓ every check passes")
    result.feedback.append(f"{_number(result.points)} of {_number(task.points)} points")
    return result


def _number(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def _describe(check: Check, problem: str) -> str:
    if check.visible:
        return f"✗ {check.label}: {problem}"
    return f"✗ a hidden check (other inputs than the visible ones) failed: {problem}"


def _check_problem(check: Check, expected: Any, report: dict[str, Any]) -> str | None:
    """``None`` when the reported answer passes ``check``, else a short reason."""
    status = report.get("status")
    if status in STATUS_TEXT:
        return f"your code {STATUS_TEXT[status]}"
    if status != "ok":
        return "your code raised an exception" + (VISIBLE_ERROR if check.visible else "")
    try:
        if check.same == "equal":
            problem = difference(expected, report.get("value"), rel=check.rel)
        else:
            problem = _genotype_problem(check, expected, report.get("value"))
    except (AnswerError, RecursionError) as error:
        problem = str(error)[:200]
    # a hidden check's expected value (and the student's answer to an input the student never
    # saw, which may echo it) stay out of the feedback, and so does which of several ways it
    # was wrong: each distinct message the code can choose is a bit it can send out
    return problem if check.visible or problem is None else "the value is wrong"


VISIBLE_ERROR = " (run the check in the notebook to see which)"
"""Exceptions are not named in feedback: a choice among Python's ~70 exception classes per
check would be six bits per check for code that wants to send out a hidden check's inputs."""


def _genotype_problem(check: Check, expected: Any, answer: Any) -> str | None:
    space = check.space
    try:
        genotype = space.validate(decode(answer))
    except (AnswerError, ValueError, TypeError, KeyError, AttributeError):
        # the library's message quotes the student's data: the notebook's check shows it
        return f"not a valid genotype of {space!r} (the check in the notebook says why)"
    if check.same == "valid":
        return None
    if space.arch_hash(genotype) != space.arch_hash(space.validate(decode(expected))):
        return "this is a different architecture"
    return None
