"""The nbgrader pipeline of the exercises: release up to date, solutions full marks, stubs none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"
ASSIGNMENTS = sorted(p.name for p in (EXERCISES / "source").iterdir() if p.is_dir())


def nbgrader(course: Path, *args: str) -> None:
    # The interpreter running the tests, and its scripts folder first on PATH: nbgrader runs
    # `alembic` as a command to create a gradebook, so an unactivated virtual environment works.
    scripts = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--force"],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


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
        nbgrader(root, "generate_assignment", name)
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
def test_solution_earns_every_automatic_point_and_the_stub_none(course, name):
    from nbgrader.api import Gradebook

    for student, folder in (("solution", "source"), ("stub", "release")):
        target = course / "submitted" / student / name
        target.mkdir(parents=True)
        for notebook in (course / folder / name).glob("*.ipynb"):
            shutil.copy(notebook, target)
    nbgrader(course, "autograde", name, "--create")
    automatic = sum(autograded_points(nb) for nb in (course / "source" / name).glob("*.ipynb"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        solved = gradebook.find_submission(name, "solution")
        unsolved = gradebook.find_submission(name, "stub")
        assert solved.code_score == automatic > 0
        assert unsolved.code_score == 0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_students_version_installs_nasedu_on_colab(name):
    """The first code cell of what students get installs nasedu on Colab (NASEDU_PIP)."""
    release = EXERCISES / "release" / name / f"{name}.ipynb"
    cells = json.loads(release.read_text())["cells"]
    first = "".join(next(c["source"] for c in cells if c["cell_type"] == "code"))
    assert '"google.colab" in sys.modules' in first
    assert 'NASEDU_PIP = "nasedu"' in first and "%pip install -q {NASEDU_PIP}" in first
