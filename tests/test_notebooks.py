"""The notebooks as course material: set-up cell, stored outputs, hidden answers, the lecture.

nbval runs every notebook (``pytest`` collects ``notebooks/*.ipynb``); these tests check what
running cannot: that the notebooks are stored the way the course promises, and that every
claim and question of the lecture slides (shared with the course authors) appears in them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def course_text() -> str:
    """All notebook text in lower case, without line breaks and quote marks (``>``)."""
    lines = [
        line.lstrip("> ")
        for path in NOTEBOOKS
        for cell in cells(path)
        for line in source(cell).lower().splitlines()
    ]
    return " ".join(" ".join(lines).split())


def test_the_four_notebooks_exist():
    names = [p.stem for p in NOTEBOOKS]
    assert names == [
        "01_chain_and_multibranch",
        "02_cell_spaces",
        "03_hierarchical_spaces",
        "04_search_spaces_compared",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_installs_on_colab_and_names_the_device(path):
    first = next(source(c) for c in cells(path) if c["cell_type"] == "code")
    assert '"google.colab" in sys.modules' in first
    assert 'NASEDU_PIP = "nasedu"' in first and "%pip install -q {NASEDU_PIP}" in first
    assert "describe_device()" in first and "print(" in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_stripped_except_the_checked_ones(path):
    for i, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code":
            continue
        checked = "# NBVAL_CHECK_OUTPUT" in source(cell)
        if checked:
            # nbval compares only cells that were run: outputs need an execution count
            assert cell["outputs"] and cell["execution_count"], f"cell {i}: expected output lost"
            assert all(o["output_type"] != "error" for o in cell["outputs"])
        else:
            assert not cell["outputs"], f"cell {i} stores outputs; strip them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_questions_have_hidden_model_answers(path):
    markdown = [source(c) for c in cells(path) if c["cell_type"] == "markdown"]
    answers = [m for m in markdown if "<details>" in m and "</details>" in m]
    assert len(answers) >= 3, "each notebook asks at least three questions with hidden answers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_objectives_first_summary_last_and_a_pointer_to_the_exercise(path):
    markdown = [source(c) for c in cells(path) if c["cell_type"] == "markdown"]
    assert "By the end of this notebook you will be able to" in markdown[0]
    assert any("## Summary" in m for m in markdown[-3:]), "a summary at the end"
    number = path.stem[:2]
    assert any(f"exercises/source/ex{number}_" in m for m in markdown), "a pointer to the exercise"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_precomputed_results_are_marked_as_such(path):
    for i, cell in enumerate(cells(path)):
        text = source(cell)
        if cell["cell_type"] == "code" and "PRECOMPUTED" in text:
            assert "not trained here" in text or "not computed here" in text, f"cell {i}"


# The lecture's claims and questions, in the slides' words (case and line breaks ignored).
LECTURE = [
    # basic spaces
    "chain-structured space",
    "multiple branches and skip connections",
    # cell spaces
    "normal and reduction cell",
    "5 choices",
    "what are some pros and cons of the cell search space compared to the basic one?",
    "please think about this for a few minutes before continuing",
    "reduced search space size",
    "transferability",
    "cifar-10",
    "imagenet",
    "stacking repeating patterns",
    "resnet",
    "inception",
    "macro",
    "different cells work better in different parts of the network",
    "different spatial resolutions",
    # hierarchical spaces
    "directed acyclic graph",
    "m_\\ell",  # the paper's notation: M_l motifs per level, G^(l)_m, o^(l)_m
    "inception-like",
    "latent representation",
    "level-1 primitives",
    "level-2 motif",
    "level-3 motif",
    "what are some pros and cons of a hierarchical search space compared to the cell search space?",
    "reusing them many times",
    "different building blocks in different parts of the network",
    "various levels of abstraction",
    "larger than",
    "vastly more expressive",
    "harder to search",
    # the repetition questions
    "discuss with friends",
    "explain the way in which level-3 motifs in the hierarchical search space use level-2 motifs",
    "pros and cons of the hierarchical search space compared to the other ones",
]


@pytest.mark.parametrize("phrase", LECTURE)
def test_every_lecture_claim_and_question_is_in_the_course(phrase):
    assert phrase in course_text(), f"the lecture says {phrase!r}; no notebook does"
