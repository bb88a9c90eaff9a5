"""A red team against ``nasedu grade``: each test is an attack that worked before its fix.

The unit tests need no sandbox.  One graded class (ex01, a handful of students) runs the
attacks that need the real pipeline: a cell that made IPython's transformer raise, a garbage
``timestamp.txt`` (each stopped the grading of the whole class), a by-hand rule dodged through
a helper in another task's cell, hidden checks leaked through a visible check's feedback, HTML
in a student's cells run in formgrader, and a submission that fills memory file systems and
forks.  Honest code that looked like cheating (``list.count``, a scratch cell trying the
library out) keeps its points.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from test_grader_hostile import EXERCISES, NAME, SOLVED, nbgrader, submit

from nasedu.grader.answers import AnswerError, difference, encode
from nasedu.grader.gradebook import safe_markdown
from nasedu.grader.names import names_used, parse_cell
from nasedu.grader.run import Limits
from nasedu.grader.sandbox import SandboxUnavailable, choose
from nasedu.grader.tamper import scan

COUNT = ("LayerChoices", ".count", "ChainSpace")


# -- by hand: what counts as using the library --------------------------------------------------
def test_a_helper_in_another_cell_counts_for_the_task_that_calls_it():
    helper = (
        "from nasedu.spaces.layers import LayerChoices\n"
        "def _helper(t):\n    return LayerChoices(t).count\n"
    )
    solution = "def count_layers(t):\n    return _helper(t)"
    assert names_used([solution], COUNT, [helper]) == ["`LayerChoices`", "`.count`"]
    # a later cell that rebinds the solution's function counts too
    rebind = "import nasedu.spaces as S\ncount_layers = lambda t: S.LayerChoices(t).count"
    assert names_used(["def count_layers(t):\n    return 0"], COUNT, [rebind], {"count_layers"})
    patch = "count_layers.__code__ = (lambda t: LayerChoices(t).count).__code__"
    assert names_used(["def count_layers(t):\n    return 0"], COUNT, [patch])


def test_honest_code_that_looks_like_the_library_keeps_its_points():
    honest = (
        "def count_layers(layer_types):\n    names = list(layer_types)\n"
        "    assert all(names.count(n) == 1 for n in names)\n    total = 0\n"
        "    for choices in layer_types.values():\n        product = 1\n"
        "        for values in choices.values():\n            product *= len(values)\n"
        "        total += product\n    return total"
    )
    scratch = ["total = ChainSpace().size()", "product = get_space('chain').size()"]
    assert names_used([honest], COUNT, scratch, {"count_layers"}) == []


def test_other_spellings_of_the_library_count():
    spellings = [
        "def count_layers(t):\n    return get_space('chain', layer_types=t).size()",
        "def count_layers(t):\n    return MultiBranchSpace(layer_types=t).choices.count",
        "import nasedu.spaces as S\ndef count_layers(t):\n    return S.LayerChoices(t).count",
        "def count_layers(t):\n    return vars(S)['LayerChoices'](t).count",
        "%time count_layers = lambda t: LayerChoices(t).count",
    ]
    assert all(names_used([s], COUNT) for s in spellings)
    assert names_used(["def f(n, a, b):\n    return sum(x.size_by_depth().values())"], [".size"])
    # a space reached some other way (a benchmark's .space) counts its encodings by another name
    assert names_used(["def f(n, a, b):\n    return bench.space.num_encodings()"], [".size"])


def test_code_that_hides_what_it_calls_earns_no_by_hand_points():
    hiding = [
        "import importlib\ndef count_layers(t):\n"
        "    m = importlib.import_module('nasedu.spaces.layers')\n"
        "    return getattr(m, 'Layer' + 'Choices')(t).__dict__['co' + 'unt']",
        "def count_layers(t):\n    return eval('Layer' + 'Choices')(t).count",
        "def count_layers(t):\n    import sys\n    return sys.modules['nasedu.spaces.layers']",
        "def count_layers(t):\n    return Layer.__init__.__globals__['Layer' + 'Choices'](t)",
    ]
    for source in hiding:
        assert any("cannot follow" in used for used in names_used([source], COUNT)), source
    plain = "def count_layers(t):\n    return sum(len(v) for v in t.values())"
    assert names_used([plain], COUNT) == []


def test_cells_are_read_in_linear_time_whatever_their_escapes():
    # IPython's transformer re-reads a cell per escape (minutes for 100 kB) and raises at 500
    cell = "\n".join(["!true"] * 600) + "\nx = LayerChoices\n" + "y = 1\n" * 20_000
    assert names_used([cell], COUNT) == ["`LayerChoices`"]
    assert isinstance(parse_cell("%%time\nz = 1"), ast.Module)


def test_what_cannot_be_read_is_not_taken_for_honest(tmp_path):
    from nasedu.grader.plan import MAX_CELLS, SubmissionError, read_notebook

    padded = "def count_layers(t):\n    return LayerChoices(t).count" + " " * 1_000_000
    assert names_used([padded], COUNT) != []  # padding no longer hides a library call
    path = tmp_path / "many.ipynb"
    cell = {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []}
    path.write_text(json.dumps({"cells": [cell] * (MAX_CELLS + 1)}))
    with pytest.raises(SubmissionError, match="cells"):
        read_notebook(path)


def test_the_tamper_report_sees_from_imports_and_namespaces():
    attacks = [
        "from sys import settrace",
        "from nasedu import grading",
        "from os import _exit as leave",
        "import sys as s\ns.__dict__['settrace']",
        "vars(s)['modules']",
        "import sys as s\nx = s.modules",
        "from pathlib import Path\nPath('/etc/passwd').read_text()",
        "import os\nos.listdir('/')",
        "open('..')",
    ]
    assert all(scan([a]) for a in attacks), [a for a in attacks if not scan([a])]
    honest = "from itertools import product\nfrom math import prod\nx = 'a/b'.split('/')"
    assert scan([honest, "open('data.txt')", "'/'.join(['a', 'b'])"]) == []


# -- feedback: nothing the student's code chose is echoed --------------------------------------
def test_differences_never_repeat_the_students_answer():
    secret = "count_layers({'conv': {'kernel': (3,)}})"
    for answer in (secret, [secret], 10**40 + 7, 3.25):
        text = difference(encode(12), encode(answer)) or ""
        assert "count_layers" not in text and "7" not in text.replace("12", "")
    assert difference(encode(12), {"t": "LEAK " + secret, "v": 1}).count("count_layers") == 0
    with pytest.raises(AnswerError):
        difference(encode({1: 2}), {"t": "dict", "v": [5]})  # was a TypeError: class stopped


def test_feedback_has_no_channel_wider_than_pass_fail_and_how():
    """Exception names (about 70 to choose from) or which of several ways a hidden answer was
    wrong are bits the code can choose: six per check would send out a hidden input."""
    from nasedu.grader.judge import _check_problem
    from nasedu.grader.key import Check
    from nasedu.spaces import ChainSpace

    hidden, visible = Check("f(30, 2, 7)"), Check("f(1)", visible=True)
    arch = Check("g", same="architecture", space=ChainSpace())
    errors = [f"{name}: x" for name in ("KeyError", "ValueError", "ZeroDivisionError")]
    for check in (hidden, visible):
        said = {_check_problem(check, encode(1), {"status": "error", "error": e}) for e in errors}
        assert len(said) == 1 and "Error" not in said.pop()
    answers = [
        encode("x"),
        encode(2),
        {"t": "Layer"},
        {"t": "LEAK"},
        encode(ChainSpace().sample(0)),
    ]
    said = {
        _check_problem(arch, encode(ChainSpace().sample(1)), {"status": "ok", "value": a})
        for a in answers
    }
    assert said == {"the value is wrong"}


# -- formgrader and feedback pages --------------------------------------------------------------
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[link](javascript:alert(3))",
    "$$<script>alert(4)</script>$$",
    "x\n\n[r]: javascript:alert(5)\n[a][r]",
    "```\n</code></pre><script>alert(6)</script>\n```",
]


def _html(cells: list[dict]) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [{"id": f"c{n}", **c} for n, c in enumerate(cells)]
    notebook = nbformat.reads(json.dumps(notebook), as_version=4)  # as nbgrader reads it
    html, _ = HTMLExporter().from_notebook_node(notebook)
    return html[html.index("<body") :]


def _active(html: str) -> list[str]:
    return re.findall(r"<script>alert|<img src=x|href=\"javascript", html)


def test_students_markdown_is_shown_as_text_not_html():
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": safe_markdown(p)} for p in PAYLOADS
    ]
    html = _html(cells)
    assert _active(html) == []
    assert all(f"alert({n})" in html for n in range(1, 7))  # the grader still reads it


# -- the grading run: one bad submission never stops the class ---------------------------------
def test_an_unforeseen_error_costs_only_that_submission(monkeypatch, tmp_path):
    from nasedu.grader import grade

    def explode(*args, **kwargs):
        raise IndexError("deep inside the library")

    monkeypatch.setattr(grade, "_grade_submission", explode)
    folder = tmp_path / "submitted" / "mallory" / NAME
    result = grade.grade_submission(None, folder, None, Limits())
    assert result.results is None and result.score == 0
    assert "IndexError" in result.error and result.findings


def test_timestamps_and_student_ids_are_checked(tmp_path):
    from nasedu.grader.grade import _timestamp, submissions

    (tmp_path / "timestamp.txt").write_text("not a date at all")
    assert _timestamp(tmp_path) is None
    (tmp_path / "timestamp.txt").write_text("2026-11-30 12:00:00.000000 UTC")
    assert _timestamp(tmp_path).startswith("2026")
    for student in ("eve\n", "bob"):
        (tmp_path / "submitted" / student / NAME).mkdir(parents=True)
    lines = []
    assert [f.parent.name for f in submissions(tmp_path, NAME, lines.append)] == ["bob"]
    assert "skipped" in lines[0]


LEAKER = """import sys
def _steps():
    frame = sys._getframe()
    while frame is not None:
        job = frame.f_locals.get("job") or frame.f_locals.get("steps")
        if isinstance(job, dict):
            job = job.get("steps")
        if isinstance(job, list):
            return [s.get("expr", "") for s in job if isinstance(s, dict)]
        frame = frame.f_back
    return []
def chain_space_size(n, a, b):
    if (n, a, b) == (50, 1, 6):  # a visible check: answer with every check's expression
        return " | ".join(x for x in _steps() if x)
    name = "LEAK_" + "_".join(map(str, (n, a, b)))
    raise type(name, (Exception,), {})(f"secret {(n, a, b)}")
"""
HOG = """import os, time
forks, written = 0, []
for i in range(300):
    try:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        forks += 1
    except OSError:
        break
for path in ("/x", "/etc/x", "/dev/x", "/usr/x"):
    try:
        with open(path, "wb") as handle:
            handle.write(b"x" * 2**20)
        written.append(path)
    except OSError:
        pass
try:
    for i in range(4):  # 256 MiB into /dev/shm, a 64 MiB file system now
        with open(f"/dev/shm/f{i}", "wb") as handle:
            handle.write(b"x" * 2**26)
        written.append(i)
except OSError:
    pass
"""


def _hog_answer(capped: bool) -> str:
    """connection_choices, right only if the sandbox held (writes refused, forks capped)."""
    fork_ok = "forks < 300" if capped else "True"
    return (
        "def connection_choices(i, num_merges):\n"
        f"    held = written in ([], [0]) and {fork_ok}\n"
        "    return i + num_merges * (2**i - 1 - i) if held else -1"
    )


def _add_cells(path: Path, cells: list[dict]) -> None:
    notebook = json.loads(path.read_text())
    notebook["cells"] += cells
    path.write_text(json.dumps(notebook))


@pytest.fixture(scope="module")
def red(tmp_path_factory):
    try:
        sandbox = choose("auto")
    except SandboxUnavailable as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))
    course = tmp_path_factory.mktemp("redteam")
    shutil.copy(EXERCISES / "nbgrader_config.py", course)
    shutil.copytree(EXERCISES / "source" / NAME, course / "source" / NAME)
    shutil.copytree(EXERCISES / "keys", course / "keys")
    nbgrader(course, "generate_assignment", NAME, "--force")
    solved = list(SOLVED.items())
    submit(course, "solution", solved)
    submit(course, "escapes", [*solved, ("vgg", "\n".join(["!true"] * 501))])
    stamp = submit(course, "stamp", solved)
    (stamp.parent / "timestamp.txt").write_text("not a date at all")
    helper = (  # in the dense cell, a task without by-hand rule
        SOLVED["dense"] + "\nfrom nasedu.spaces import MultiBranchSpace\n"
        "def _choices(i, m):\n    MultiBranchSpace\n    return i + m * (2**i - 1 - i)"
    )
    others = [(k, v) for k, v in solved if k not in ("dense", "connection_choices")]
    submit(
        course,
        "helper",
        [*others, ("dense", helper), ("connection_choices", "connection_choices = _choices")],
    )
    honest_count = SOLVED["count_layers"].replace(
        "    total = 0\n",
        "    names = list(layer_types)\n    assert all(names.count(n) == 1 for n in names)\n"
        "    total = 0\n",
    )
    assert "names.count" in honest_count
    scratch = "from nasedu.spaces import ChainSpace, get_space\nprint(ChainSpace().size())"
    submit(
        course,
        "honest",
        [("count_layers", honest_count), *solved[1:], ("chain_space_size", scratch)],
    )
    others = [(k, v) for k, v in solved if k != "chain_space_size"]
    submit(course, "leaker", [*others, ("chain_space_size", LEAKER)])
    xss = submit(course, "xss", solved)
    student_cells = [
        {"cell_type": kind, "metadata": meta, "source": "\n".join(PAYLOADS)}
        for kind, meta in (("markdown", {}), ("raw", {"format": "text/html"}), ("raw", {}))
    ]
    _add_cells(xss, student_cells)
    others = [(k, v) for k, v in solved if k != "connection_choices"]
    submit(
        course,
        "hog",
        [*others, ("vgg", HOG), ("connection_choices", _hog_answer(sandbox.control_groups))],
    )
    from nasedu.grader.grade import grade_assignment

    lines: list[str] = []
    results = grade_assignment(
        course, NAME, jobs=2, limits=Limits(step_seconds=10), log=lines.append
    )
    return {"course": course, "results": {r.student: r for r in results}, "log": lines}


EXPECTED = {
    "solution": 11,
    "escapes": 11,  # 501 IPython escapes made the grader raise: nobody was graded
    "stamp": 11,  # a garbage timestamp.txt stopped the gradebook update of the class
    "helper": 9,  # connection_choices by MultiBranchSpace, through a helper in another cell
    "honest": 11,  # list.count and a scratch cell trying ChainSpace out are no library answers
    "leaker": 9,
    "xss": 11,
    "hog": 11,  # the sandbox held: no write to / or /dev, 64 MiB /dev/shm, forks capped
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_attacker_gets_exactly_the_honest_points(red, student):
    result = red["results"][student]
    assert result.score == EXPECTED[student], (result.error, [t.feedback for t in result.results])


def test_a_cell_ipython_itself_cannot_run_is_that_cells_error():
    """IPython raises out of run_cell for a cell of 500 escapes: that killed the child."""
    from nasedu.grader.child import _run_cell

    class Shell:
        def run_cell(self, *args, **kwargs):
            raise RuntimeError("Input transformation still changing after 500 iterations")

    assert _run_cell(Shell(), "!true")["status"] == "error"


def test_the_class_reached_the_gradebook_and_the_reports(red):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{red['course'] / 'gradebook.db'}", "nasedu") as gradebook:
        for student, points in EXPECTED.items():
            assert gradebook.find_submission(NAME, student).code_score == points
    tamper = (red["course"] / "grading" / f"{NAME}-tamper.txt").read_text()
    assert "timestamp.txt is not a readable time" in tamper
    assert "helper:" not in tamper and "honest:" not in tamper


def test_feedback_leaks_no_hidden_check(red):
    from nasedu.grader.grade import load_assignment

    hidden = [
        check.expr
        for task in load_assignment(red["course"], NAME).key.tasks
        for part in task.parts
        for check in part.checks
        if not check.visible
    ]
    feedback = "\n".join(line for t in red["results"]["leaker"].results for line in t.feedback)
    assert "LEAK" not in feedback and "secret" not in feedback
    inputs = [expr[expr.index("(") :] for expr in hidden if "(" in expr]  # e.g. (50, 3, 12)
    leaked = [text for text in hidden + inputs if len(text) > 6 and text in feedback]
    assert leaked == [], feedback


def test_the_graded_notebook_runs_no_students_html(red):
    path = red["course"] / "autograded" / "xss" / NAME / f"{NAME}.ipynb"
    notebook = json.loads(path.read_text())
    html = _html(notebook["cells"])
    assert _active(html) == []
    assert "alert(1)" in html  # shown, as text


def test_a_sandbox_that_cannot_start_python_stops_grading_before_anyone_scores_0(monkeypatch):
    """A server whose sandbox does not mount the Python installation gave every student 0."""
    from nasedu.grader import grade, sandbox

    try:
        isolation = choose("auto")
    except SandboxUnavailable as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))
    grade.preflight(isolation, Limits(step_seconds=30))  # this machine's sandbox works
    monkeypatch.setattr(sandbox, "_python_dirs", lambda: [])
    with pytest.raises(SandboxUnavailable, match="cannot run Python with nasedu"):
        grade.preflight(isolation, Limits(step_seconds=30))


def test_a_key_left_in_release_stops_grading(tmp_path):
    """A careless lecturer's key in source/<name>/ is copied to release/ for students."""
    from nasedu.grader.grade import _refuse_released_key
    from nasedu.grader.key import AnswerKey

    key_path = tmp_path / "keys" / "a.py"
    key_path.parent.mkdir()
    key_path.write_text("from nasedu.grader import Check, Part, Task\nTASKS = []\n")
    release = tmp_path / "release" / "a"
    release.mkdir(parents=True)
    (release / "a.ipynb").write_text("{}")
    key = AnswerKey("a", (), key_path)
    _refuse_released_key(release, key)  # a notebook alone is fine
    shutil.copy(key_path, release / "checks.py")
    with pytest.raises(ValueError, match="answer key"):
        _refuse_released_key(release, key)


def test_what_grading_writes_is_for_the_staff_only(tmp_path):
    """Graded notebooks hold every student's code; the CSV and gradebook the class's scores."""
    import argparse

    from nasedu.grader.cli import _grade

    before = os.umask(0o022)
    try:
        with pytest.raises(FileNotFoundError):
            _grade(argparse.Namespace(course=str(tmp_path)))
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(before)
