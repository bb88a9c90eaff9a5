"""``nasedu exercises variant``: a course's own version, consistent, and not answered by the
published solutions."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from nasedu.grader.key import solution_namespace
from nasedu.grader.variant import make_variant

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"
VARIED = {
    "ex01_chain_spaces": "vgg",
    "ex02_cell_spaces": "my_cells",
    "ex03_hierarchical_spaces": "my_motif",
}


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("variants") / "seed1"
    make_variant(EXERCISES, out, seed=1, log=lambda line: None)
    return out


def cells(notebook: Path) -> dict[str, dict]:
    data = json.loads(notebook.read_text())
    return {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in data["cells"]}


@pytest.mark.parametrize("name", sorted(VARIED))
def test_the_variant_asks_for_another_genotype(variant, name):
    shipped = cells(EXERCISES / "source" / name / f"{name}.ipynb")
    varied = cells(variant / "source" / name / f"{name}.ipynb")
    solution = VARIED[name]
    assert varied[solution]["source"] != shipped[solution]["source"]
    assert varied["task3"]["source"] != shipped["task3"]["source"]
    released = (variant / "release" / name / f"{name}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released


@pytest.mark.parametrize("name", sorted(VARIED))
def test_the_variants_solution_passes_its_own_visible_checks(variant, name):
    """Task text, solution and visible checks were rewritten consistently."""
    from IPython.core.inputtransformer2 import TransformerManager

    notebook = variant / "source" / name / f"{name}.ipynb"
    namespace = solution_namespace(notebook)
    test = "".join(cells(notebook)[f"test_{VARIED[name]}"]["source"])
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(TransformerManager().transform_cell(test), namespace)
    assert "✗" not in printed.getvalue()


def test_different_seeds_give_different_variants(tmp_path):
    make_variant(EXERCISES, tmp_path / "a", seed=2, log=lambda line: None, generate=False)
    name = "ex02_cell_spaces"
    first = cells(tmp_path / "a" / "source" / name / f"{name}.ipynb")["my_cells"]["source"]
    with pytest.raises(FileExistsError):
        make_variant(EXERCISES, tmp_path / "a", seed=3, generate=False)
    with pytest.raises(ValueError, match="seed"):
        make_variant(EXERCISES, tmp_path / "b", seed=-1, generate=False)
    make_variant(EXERCISES, tmp_path / "c", seed=3, log=lambda line: None, generate=False)
    other = cells(tmp_path / "c" / "source" / name / f"{name}.ipynb")["my_cells"]["source"]
    assert first != other


def test_the_published_solution_does_not_answer_the_variant(variant):
    """Graded in the variant course: its solution earns everything, the shipped one does not."""
    from nasedu.grader.grade import grade_assignment
    from nasedu.grader.sandbox import SandboxUnavailable, choose

    try:
        choose("auto")
    except SandboxUnavailable as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))
    name = "ex02_cell_spaces"
    for student, source in (("variant", variant / "source"), ("published", EXERCISES / "source")):
        folder = variant / "submitted" / student / name
        folder.mkdir(parents=True)
        shutil.copy(source / name / f"{name}.ipynb", folder)
    results = {r.student: r for r in grade_assignment(variant, name, log=lambda line: None)}
    assert results["variant"].score == 12
    published = {t.cell: t.points for t in results["published"].results}
    assert published["test_my_cells"] < 3
    assert results["published"].score < 12
