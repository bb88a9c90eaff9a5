"""A hostile class through ``nasedu grade``: each student gets exactly the points solved honestly.

The class of ex01_chain_spaces below attacks the grader the ways issue 11 lists and more: it
rebinds the self-checks, patches the grading modules and builtins, installs IPython input
transformers and trace hooks, returns objects equal to everything, reads the solutions, the
answer key and the gradebook, writes into another student's submission, exits or kills its
Python process, loops for ever swallowing interrupts and leaves processes behind.  Every
student's score is compared with the points of what it solved honestly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import nbgrader

from nasedu.grader.run import Limits
from nasedu.grader.sandbox import SandboxUnavailable, choose

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"
NAME = "ex01_chain_spaces"

SOLVED = {
    "count_layers": """def count_layers(layer_types: dict) -> int:
    total = 0
    for choices in layer_types.values():
        product = 1
        for values in choices.values():
            product *= len(values)
        total += product
    return total""",
    "chain_space_size": """def chain_space_size(num_layers, min_depth, max_depth):
    return sum(num_layers**d for d in range(min_depth, max_depth + 1))""",
    "vgg": """vgg = ChainGenotype((
    Layer("conv", filters=32, kernel=3, stride=1),
    Layer("conv", filters=32, kernel=3, stride=1),
    Layer("pool", kind="max", kernel=3, stride=2),
    Layer("conv", filters=64, kernel=3, stride=1),
))""",
    "dense": """a = Layer("conv", filters=16, kernel=3, stride=1)
b = Layer("sep_conv", filters=32, kernel=3, stride=1)
c = Layer("conv", filters=64, kernel=1, stride=1)
dense = MultiBranchGenotype((
    BranchNode(a, (0,)), BranchNode(b, (0, 1), "concat"), BranchNode(c, (0, 1, 2), "concat")
))""",
    "connection_choices": """def connection_choices(i, num_merges):
    return i + num_merges * (2**i - 1 - i)""",
}
POINTS = {
    "count_layers": 2,
    "chain_space_size": 2,
    "vgg": 2,
    "dense": 3,
    "connection_choices": 2,
}

ALWAYS_EQUAL = """class Anything(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __len__(self): return 4
    def __getattr__(self, name): return self
    def __getitem__(self, key): return self
    def __iter__(self): return iter([self] * 3)
    def __call__(self, *a, **k): return self
"""

FORGER = [
    ("count_layers", ALWAYS_EQUAL + "def count_layers(layer_types):\n    return Anything(12)"),
    (
        "count_layers",
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 4",
    ),
    (
        "count_layers",
        "expect_equal = expect_true = expect_valid = lambda *a, **k: print('✓')\n"
        "import nasedu.grading as g\ng._fail = lambda *a, **k: None",
    ),
    (
        "count_layers",
        "import nasedu.grader.answers as A, sys\n"
        "A.encode = lambda value: {'t': 'int', 'v': '12'}\n"
        "sys.modules['nasedu.grader.answers'] = A",
    ),
    ("count_layers", "import sys\nsys.settrace(lambda frame, event, arg: None)"),
    ("chain_space_size", "chain_space_size = lambda *a: Anything(1100)"),
    ("vgg", "vgg = Anything(0)"),
    ("dense", "dense = Anything(0)"),
    ("connection_choices", "connection_choices = lambda *a: Anything(1)"),
    (
        "connection_choices",
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
    ),
]


def burglar(course: Path) -> list[tuple[str, str]]:
    """Solves chain_space_size; tries to read, list and destroy everything of the course, and
    solves connection_choices only if every attempt failed (the feedback never echoes answers)."""
    victim = course / "submitted" / "solution" / NAME / f"{NAME}.ipynb"
    secrets = [course / "source", course / "keys", course / "gradebook.db", course / "submitted"]
    targets = [victim, course / "gradebook.db", "../../../solution/" + NAME + "/x.ipynb"]
    loot = f"""import os
seen = []
for path in {[str(p) for p in secrets]!r}:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(64)
        seen.append("read")
    except Exception:
        seen.append("no")
for path in {[str(p) for p in targets]!r}:
    try:
        open(path, "w").write("pwned")
        seen.append("wrote")
    except Exception:
        seen.append("no")
try:
    import socket
    socket.create_connection(("pypi.org", 443), timeout=3)
    seen.append("network")
except Exception:
    seen.append("no")
def connection_choices(i, num_merges):  # right only if nothing was reachable
    right = i + num_merges * (2**i - 1 - i)
    return right if seen == ["no"] * 8 else -1
"""
    return [("chain_space_size", SOLVED["chain_space_size"]), ("connection_choices", loot)]


CRASHER = [
    ("count_layers", SOLVED["count_layers"]),
    ("count_layers", "import os\nos._exit(3)"),
    ("chain_space_size", SOLVED["chain_space_size"]),
    ("chain_space_size", "exit()\nquit()"),
    ("chain_space_size", "import sys\nsys.exit(2)"),
    ("vgg", SOLVED["vgg"]),
    ("vgg", "raise KeyboardInterrupt"),
    ("vgg", "import subprocess\nsubprocess.Popen(['sleep', '1234'])"),
    ("vgg", "while True:\n    try:\n        pass\n    except BaseException:\n        pass"),
    ("dense", SOLVED["dense"]),
    ("connection_choices", SOLVED["connection_choices"]),
    ("connection_choices", "x = bytearray(8 * 2**30)"),
]

HANGER = [
    (
        "count_layers",
        "from nasedu.spaces.layers import LayerChoices\n"
        "def count_layers(layer_types):\n    return LayerChoices(layer_types).count",
    ),
    *[(k, SOLVED[k]) for k in ("chain_space_size", "vgg", "dense")],
    (
        "connection_choices",
        "def connection_choices(i, num_merges):\n"
        "    while i > 5:\n        pass\n    return i + num_merges * (2**i - 1 - i)",
    ),
]


def submit(course: Path, student: str, cells: list[tuple[str, str]]) -> Path:
    """The release notebook with each (solution id, code) placed at that solution cell: the
    first code for an id replaces the stub, later ones become added cells after it."""
    release = json.loads((course / "release" / NAME / f"{NAME}.ipynb").read_text())
    out = []
    for cell in release["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        codes = [code for target, code in cells if target == gid]
        if codes and cell["metadata"]["nbgrader"].get("solution"):
            out.append({**cell, "source": codes[0]})
            for code in codes[1:]:
                out.append(
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "source": code,
                        "outputs": [],
                        "execution_count": None,
                    }
                )
        else:
            out.append(cell)
    # a forged test cell: 100 points, no checks
    for cell in out:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "test_count_layers":
            cell["metadata"]["nbgrader"]["points"] = 100
            cell["source"] = "print('✓ all good')"
    folder = course / "submitted" / student / NAME
    folder.mkdir(parents=True)
    path = folder / f"{NAME}.ipynb"
    path.write_text(json.dumps({**release, "cells": out}))
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    try:
        sandbox = choose("auto")
    except SandboxUnavailable as error:
        if os.environ.get("CI"):
            raise  # CI installs bubblewrap: a missing sandbox there is a failure
        pytest.skip(str(error))
    course = tmp_path_factory.mktemp("course")
    shutil.copy(EXERCISES / "nbgrader_config.py", course)
    shutil.copytree(EXERCISES / "source" / NAME, course / "source" / NAME)
    shutil.copytree(EXERCISES / "keys", course / "keys")
    nbgrader(course, "generate_assignment", NAME, "--force")
    solution = submit(course, "solution", list(SOLVED.items()))
    blank = course / "submitted" / "blank" / NAME
    blank.mkdir(parents=True)
    shutil.copy(course / "release" / NAME / f"{NAME}.ipynb", blank)
    submit(course, "forger", FORGER)
    submit(course, "burglar", burglar(course))
    submit(course, "crasher", CRASHER)
    submit(course, "hanger", HANGER)
    before = hashlib.sha256(solution.read_bytes()).hexdigest()
    lines = []
    from nasedu.grader.grade import grade_assignment

    results = grade_assignment(
        course, NAME, jobs=2, limits=Limits(step_seconds=8), log=lines.append
    )
    return {
        "course": course,
        "results": {r.student: r for r in results},
        "solution_hash_before": before,
        "solution_path": solution,
        "log": lines,
        "sandbox": sandbox,
    }


EXPECTED = {
    "solution": 11,
    "blank": 0,
    "forger": 0,
    # chain_space_size; connection_choices is right only if nothing outside was reachable
    "burglar": 4,
    "crasher": 11,
    # count_layers by the library: 0 of 2; connection_choices hangs on hidden inputs: 1 of 2
    "hanger": 2 + 2 + 3 + 1,
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_every_student_gets_exactly_the_honest_points(graded, student):
    result = graded["results"][student]
    assert result.score == EXPECTED[student], [t.feedback for t in result.results]


def test_the_gradebook_holds_every_student_with_the_same_scores(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}", "nasedu") as gradebook:
        for student, points in EXPECTED.items():
            submission = gradebook.find_submission(NAME, student)
            assert submission.code_score == points
            assert submission.max_code_score == 11


def test_no_submission_saw_or_touched_anything_but_itself(graded):
    course = graded["course"]
    assert (
        hashlib.sha256(graded["solution_path"].read_bytes()).hexdigest()
        == graded["solution_hash_before"]
    )
    assert graded["results"]["burglar"].results[-1].passed  # it reached nothing outside
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(EXPECTED)


def test_the_isolation_is_named_and_no_process_outlives_grading(graded):
    assert graded["log"][0].startswith("isolation: bubblewrap")
    assert (
        (graded["course"] / "grading" / f"{NAME}-tamper.txt")
        .read_text()
        .startswith("isolation: bubblewrap")
    )
    left = subprocess.run(["pgrep", "-f", "sleep 1234"], capture_output=True, text=True)
    assert left.stdout.strip() == ""


def test_the_tamper_report_names_the_attackers_not_the_honest(graded):
    report = (graded["course"] / "grading" / f"{NAME}-tamper.txt").read_text()
    for student in ("forger", "burglar", "crasher"):
        assert f"{student}:" in report
    assert "solution:" not in report and "blank:" not in report
    assert "sys.settrace" in report and "IPython input transformer" in report


def test_feedback_holds_no_hidden_check_and_names_the_library_call(graded):
    hanger = graded["results"]["hanger"].results
    text = "\n".join(line for task in hanger for line in task.feedback)
    assert "`LayerChoices`" in text
    assert "hidden check" in text
    assert "range(1, 10)" not in text and "connection_choices(4" not in text
    notebook = graded["course"] / "autograded" / "hanger" / NAME / f"{NAME}.ipynb"
    assert "HIDDEN" not in notebook.read_text()
