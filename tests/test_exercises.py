"""The exercises as a course: release up to date, keys complete, ``nasedu grade`` gives the
solutions every automatic point and the blank release none, feedback without secrets."""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import nbgrader

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"
ASSIGNMENTS = sorted(p.name for p in (EXERCISES / "source").iterdir() if p.is_dir())


def cell_sources(path: Path) -> list[str]:
    return [cell["source"] for cell in json.loads(path.read_text())["cells"]]


def autograded_points(path: Path) -> float:
    cells = json.loads(path.read_text())["cells"]
    return sum(
        c["metadata"]["nbgrader"].get("points", 0)
        for c in cells
        if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"
    )


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A scratch copy of the course with every assignment generated once."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(EXERCISES / "nbgrader_config.py", root)
    shutil.copytree(EXERCISES / "source", root / "source")
    for name in ASSIGNMENTS:
        nbgrader(root, "generate_assignment", name, "--force")
    return root


def test_there_are_assignments():
    assert "ex01_chain_spaces" in ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_committed_release_is_generated_from_source(course, name):
    for generated in (course / "release" / name).glob("*.ipynb"):
        committed = EXERCISES / "release" / name / generated.name
        assert committed.exists(), f"run nbgrader generate_assignment {name} in exercises/"
        assert cell_sources(committed) == cell_sources(generated), (
            f"exercises/release/{name} is out of date: regenerate it from source/"
        )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_hides_solutions_and_hidden_tests(course, name):
    for notebook in (course / "release" / name).glob("*.ipynb"):
        text = notebook.read_text()
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert "raise NotImplementedError()" in text


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_notebook_holds_hidden_tests(name):
    """Hidden checks live in keys/ (judged outside the students' kernels), never in a notebook."""
    for folder in ("source", "release"):
        for notebook in (EXERCISES / folder / name).glob("*.ipynb"):
            assert "HIDDEN TESTS" not in notebook.read_text()


@pytest.fixture(scope="module")
def graded(course):
    """Every assignment graded by ``nasedu grade``: the solution and the blank release."""
    from nasedu.grader.grade import grade_assignment
    from nasedu.grader.sandbox import SandboxUnavailable, choose

    try:
        choose("auto")
    except SandboxUnavailable as error:
        if os.environ.get("CI"):
            raise  # CI installs bubblewrap: a missing sandbox there is a failure
        pytest.skip(str(error))
    shutil.copytree(EXERCISES / "keys", course / "keys")
    results = {}
    for name in ASSIGNMENTS:
        for student, folder in (("solution", "source"), ("blank", "release")):
            target = course / "submitted" / student / name
            target.mkdir(parents=True)
            for notebook in (course / folder / name).glob("*.ipynb"):
                shutil.copy(notebook, target)
        graded = grade_assignment(course, name, jobs=2, log=lambda line: None)
        results[name] = {r.student: r for r in graded}
    return results


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_earns_every_automatic_point_and_the_blank_none(course, graded, name):
    from nbgrader.api import Gradebook

    automatic = sum(autograded_points(nb) for nb in (course / "source" / name).glob("*.ipynb"))
    assert graded[name]["solution"].score == automatic > 0
    assert graded[name]["blank"].score == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission(name, "solution").code_score == automatic
        assert gradebook.find_submission(name, "blank").code_score == 0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_graded_cell_has_a_task_of_the_same_points(name):
    from nasedu.grader.key import load_key

    key = load_key(EXERCISES, name)
    cells = json.loads((EXERCISES / "source" / name / f"{name}.ipynb").read_text())["cells"]
    graded = {
        c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
        for c in cells
        if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"
    }
    assert {t.cell: t.points for t in key.tasks} == graded
    solutions = {
        c["metadata"]["nbgrader"]["grade_id"]
        for c in cells
        if c["metadata"].get("nbgrader", {}).get("solution")
    }
    assert {t.solution for t in key.tasks} <= solutions


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_students_are_warned_of_every_by_hand_rule(name):
    """A task that refuses library calls says so in the self-check the students run."""
    from nasedu.grader.key import load_key

    cells = json.loads((EXERCISES / "release" / name / f"{name}.ipynb").read_text())["cells"]
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in cells}
    for task in load_key(EXERCISES, name).tasks:
        if task.by_hand:
            call = f"expect_by_hand({task.solution}, {json.dumps(list(task.by_hand))})"
            assert by_hand_calls(by_id[task.cell]) & {(task.solution, task.by_hand)}, (
                f"{task.cell} should call {call}"
            )


def by_hand_calls(source: str) -> set[tuple[str, tuple[str, ...]]]:
    """``(function, forbidden names)`` of every ``expect_by_hand`` call in a cell, however it
    is laid out (ruff format splits a long list over several lines)."""
    calls = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "expect_by_hand":
            function, names = node.args[:2]
            calls.add((getattr(function, "id", ""), tuple(ast.literal_eval(names))))
    return calls


def test_feedback_shows_results_but_no_rubric_and_no_hidden_check(course, graded):
    name = ASSIGNMENTS[0]
    nbgrader(course, "generate_feedback", name, "--force")
    for student in ("solution", "blank"):
        autograded = (course / "autograded" / student / name / f"{name}.ipynb").read_text()
        assert "Rubric for graders" in autograded  # formgrader shows graders the rubric
        feedback = (course / "feedback" / student / name / f"{name}.html").read_text()
        assert "Rubric for graders" not in feedback
        assert "HIDDEN" not in feedback
        if student == "blank":  # the hidden checks failed: said so, without what they check
            assert "a hidden check (other inputs than the visible ones) failed" in feedback
    solution = (course / "feedback" / "solution" / name / f"{name}.html").read_text()
    assert "every check passes" in solution


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_students_version_installs_nasedu_on_colab(name):
    """The first code cell of what students get installs nasedu on Colab (NASEDU_PIP)."""
    release = EXERCISES / "release" / name / f"{name}.ipynb"
    cells = json.loads(release.read_text())["cells"]
    first = "".join(next(c["source"] for c in cells if c["cell_type"] == "code"))
    assert '"google.colab" in sys.modules' in first
    assert 'NASEDU_PIP = "nasedu"' in first and "%pip install -q {NASEDU_PIP}" in first
