"""nasedu.grader: the plan of a submission, the judgement, the names rule, the tamper scan and
the key's own checks -- without a sandbox (the hostile class runs in test_grader_hostile)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nasedu.grader.answers import encode
from nasedu.grader.judge import judge
from nasedu.grader.key import AnswerKey, Check, Part, Task, load_key
from nasedu.grader.names import names_used
from nasedu.grader.plan import SubmissionError, make_plan, read_notebook
from nasedu.grader.run import Outcome
from nasedu.grader.tamper import scan

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"
NAME = "ex01_chain_spaces"


@pytest.fixture(scope="module")
def release() -> dict:
    return json.loads((EXERCISES / "release" / NAME / f"{NAME}.ipynb").read_text())


@pytest.fixture(scope="module")
def key() -> AnswerKey:
    return load_key(EXERCISES, NAME)


def code_cell(source: str, **nbgrader) -> dict:
    meta = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": []}


def test_locked_cells_come_from_the_release_whatever_the_submission_says(release, key):
    forged = json.loads(json.dumps(release))
    for cell in forged["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") == "setup":
            cell["source"] = "import os; os.remove('gradebook.db')"
        if meta.get("grade_id") == "test_count_layers":
            meta["points"] = 100
            cell["source"] = "print('all good')"
    plan = make_plan(release, forged, key)
    code = "\n".join(step.get("code", "") for step in plan.steps)
    assert "os.remove" not in code and "all good" not in code
    assert any(s["id"].startswith("check:0:") for s in plan.steps)


def test_added_cells_run_where_the_student_put_them(release, key):
    submission = json.loads(json.dumps(release))
    index = next(
        i
        for i, c in enumerate(submission["cells"])
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "count_layers"
    )
    submission["cells"].insert(index + 1, code_cell("helper = 1"))
    plan = make_plan(release, submission, key)
    ids = [s["id"] for s in plan.steps]
    helper = next(i for i, s in enumerate(plan.steps) if s.get("code") == "helper = 1")
    first_check = next(i for i, step_id in enumerate(ids) if step_id.startswith("check:0"))
    assert helper < first_check  # before the checks of task 1, after its solution cell
    assert plan.student_code("count_layers")[-1] == "helper = 1"


def test_a_copied_solution_cell_is_an_added_cell(release, key):
    submission = json.loads(json.dumps(release))
    copy = next(
        c for c in submission["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "vgg"
    )
    submission["cells"].append({**copy, "source": "vgg = None"})
    plan = make_plan(release, submission, key)
    assert plan.steps[-1]["code"] == "vgg = None"


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[]", b'{"cells": 3}', b'{"cells": [1]}', b"[" * 100_000 + b"]" * 100_000],
)
def test_unreadable_submissions_are_refused_briefly(tmp_path, content):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(SubmissionError) as error:
        read_notebook(path)
    assert len(str(error.value)) < 200


def test_a_linked_notebook_is_not_followed(tmp_path):
    (tmp_path / "link.ipynb").symlink_to("/etc/passwd")
    with pytest.raises(SubmissionError, match="regular file"):
        read_notebook(tmp_path / "link.ipynb")


def test_hidden_checks_leak_neither_input_nor_expected_value():
    task = Task(
        "t",
        "f",
        [
            Part(
                1,
                [Check("f(1)", visible=True), Check("f({'secret': 99})")],
                hint="think",
            )
        ],
    )
    key = AnswerKey("a", (task,))
    expected = {(0, 0, 0): encode(1), (0, 0, 1): encode(12345)}
    outcome = Outcome(
        steps={
            "check:0:0:0": {"status": "ok", "value": encode(1)},
            "check:0:0:1": {"status": "ok", "value": encode("{'secret': 99}")},
        }
    )
    [result] = judge(key, expected, outcome, make_plan({"cells": []}, {"cells": []}, key))
    text = "\n".join(result.feedback)
    assert result.points == 0
    assert "secret" not in text and "12345" not in text and "99" not in text
    assert "hidden check" in text and "Hint: think" in text


def test_raised_exceptions_are_not_named():
    task = Task("t", "f", [Part(1, [Check("f(2)")])])
    key = AnswerKey("a", (task,))
    outcome = Outcome(steps={"check:0:0:0": {"status": "error", "error": "KeyError: 'secret'"}})
    [result] = judge(
        key, {(0, 0, 0): encode(2)}, outcome, make_plan({"cells": []}, {"cells": []}, key)
    )
    assert "raised an exception" in result.feedback[0]
    assert "KeyError" not in result.feedback[0] and "secret" not in result.feedback[0]


def test_parts_give_partial_credit():
    task = Task("t", "f", [Part(1, [Check("f(1)")]), Part(2, [Check("f(2)")])])
    key = AnswerKey("a", (task,))
    expected = {(0, 0, 0): encode(1), (0, 1, 0): encode(2)}
    outcome = Outcome(
        steps={
            "check:0:0:0": {"status": "ok", "value": encode(1)},
            "check:0:1:0": {"status": "timeout"},
        }
    )
    [result] = judge(key, expected, outcome, make_plan({"cells": []}, {"cells": []}, key))
    assert result.points == 1 and result.max_points == 3
    assert "time limit" in "\n".join(result.feedback)


def test_names_used_sees_names_imports_attributes_and_getattr_strings():
    source = (
        "from nasedu.spaces.layers import LayerChoices as LC\n"
        "def f(x):\n    return getattr(space, 'size')() + x.count + LC\n"
    )
    assert names_used([source], ["LayerChoices", ".size", ".count", ".concat", "Other"]) == [
        "`LayerChoices`",
        "`.size`",
        "`.count`",
    ]
    # a string that merely equals a forbidden attribute is not a use of it
    assert names_used(["b.combine == 'concat'"], [".concat"]) == []
    assert names_used(["%pip install x\ny = 1"], ["y"]) == ["`y`"]
    assert names_used(["def (:"], ["x"]) == []


def test_the_tamper_scan_names_attempts_and_spares_honest_code():
    honest = (
        "def f(layers):\n    total = 0\n    for v in layers.values():\n        total += len(v)\n"
    )
    assert scan([honest]) == []
    attacks = [
        "import sys\nsys.settrace(lambda *a: None)",
        "get_ipython().input_transformers_post.append(f)",
        "import builtins\nbuiltins.len = None",
        "expect_equal = print",
        "open('/etc/passwd').read()",
        "import os\nos._exit(0)",
        "eval('1')",
    ]
    found = [scan([attack]) for attack in attacks]
    assert all(found), [a for a, f in zip(attacks, found) if not f]


def test_a_key_refuses_parts_without_hidden_checks_and_typos():
    with pytest.raises(ValueError, match="hidden"):
        Part(1, [Check("f(1)", visible=True)])
    with pytest.raises(SyntaxError):
        Check("f(1")
    with pytest.raises(ValueError, match="space"):
        Check("g", same="architecture")
