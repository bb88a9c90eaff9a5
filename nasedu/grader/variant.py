"""A course's own version of the exercises: other numbers, its own answer key.

The shipped ``source/`` notebooks (with solutions) are public, for self-learners.  A graded class
should get a version whose answers are not published: ``nasedu exercises variant --seed N
--out DIR`` copies the course folder to ``DIR`` and lets each answer key rewrite its assignment's
source notebook.  An answer key that supports variants defines

    def variant(rng: numpy.random.Generator, cells: dict[str, str]) -> dict[str, str]

which receives the source notebook's cell sources by nbgrader ``grade_id`` and returns the cells
it rewrites (task text, solution and visible checks, consistently).  Nothing else is needed:
the grader computes every expected value from the variant's own solution cells.  Then run
``nbgrader generate_assignment`` in ``DIR`` (the command does it when nbgrader is installed) and
keep ``DIR/source`` and ``DIR/keys`` private.

What changes: the genotypes the students write down (ex01 task 3, ex02 task 3, ex03 task 3).
What does not: the *functions* students write are specifications, the same in every variant,
and their published solutions stay correct -- the by-hand rules and the hidden checks guard them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from ..checks import SEED_LIMIT, is_int

__all__ = ["generate_assignment", "make_variant", "replace_between", "replace_solution"]

COPIED = ("nbgrader_config.py", "README.md")


def replace_solution(source: str, code: str) -> str:
    """``source`` with the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` replaced."""
    return replace_between(source, "### BEGIN SOLUTION\n", "### END SOLUTION", code.rstrip() + "\n")


def replace_between(source: str, start: str, end: str, text: str) -> str:
    """``source`` with what lies between the markers ``start`` and ``end`` replaced by ``text``.

    Raises ValueError when a marker is missing (the source notebook changed: update the key).
    """
    head, found, rest = source.partition(start)
    _, found_end, tail = rest.partition(end)
    if not found or not found_end:
        raise ValueError(f"cannot vary this cell: markers {start!r} ... {end!r} not found")
    return head + start + text + end + tail


def _key_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"nasedu_variant_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rewrite(notebook: Path, variant, rng: np.random.Generator) -> list[str]:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cells = {}
    for cell in data["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            cells[gid] = "".join(cell["source"])
    changed = variant(rng, dict(cells))
    for cell in data["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in changed:
            cell["source"] = changed[gid].splitlines(keepends=True)
            cell.get("metadata", {}).get("nbgrader", {}).pop("checksum", None)
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return sorted(changed)


def make_variant(
    course: Path, out: Path, seed: int, log=print, generate: bool = True
) -> dict[str, list[str]]:
    """Copy ``course`` (source/, keys/, config) to ``out`` with every assignment varied.

    Returns the rewritten cells per assignment.  ``out`` must not exist yet.  ``generate``:
    also run ``nbgrader generate_assignment`` for every assignment (``release/``).
    """
    course, out = Path(course), Path(out)
    if not is_int(seed) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    seed = int(seed)
    if out.exists():
        raise FileExistsError(f"{out} exists: choose a new folder for the variant")
    for name in ("source", "keys"):
        if not (course / name).is_dir():
            raise FileNotFoundError(f"{course / name} is missing: is {course} a nasedu course?")
    out.mkdir(parents=True)
    shutil.copytree(course / "source", out / "source")
    shutil.copytree(course / "keys", out / "keys", ignore=shutil.ignore_patterns("__pycache__"))
    for name in COPIED:
        if (course / name).is_file():
            shutil.copy(course / name, out / name)
    changed = {}
    for key in sorted((out / "keys").glob("*.py")):
        variant = getattr(_key_module(key), "variant", None)
        notebook = out / "source" / key.stem / f"{key.stem}.ipynb"
        if variant is None or not notebook.is_file():
            continue
        rng = np.random.default_rng([seed, sum(key.stem.encode())])
        changed[key.stem] = _rewrite(notebook, variant, rng)
        log(f"{key.stem}: rewrote {', '.join(changed[key.stem])}")
    if generate:
        _generate(out, sorted(p.name for p in (out / "source").iterdir() if p.is_dir()), log)
    return changed


def _generate(out: Path, assignments: list[str], log) -> None:
    """Run ``nbgrader generate_assignment`` for each assignment, when nbgrader is there."""
    if importlib.util.find_spec("nbgrader") is None:
        log("nbgrader is not installed: run nbgrader generate_assignment in the new folder")
        return
    for name in assignments:
        generate_assignment(out, name)
    log(f"generated release/ for {len(assignments)} assignment(s) in {out}")


def generate_assignment(course: Path, name: str) -> None:
    """``nbgrader generate_assignment NAME --force`` in ``course`` (source/ -> release/ and the
    gradebook), with this interpreter: nbgrader runs ``alembic`` as a command, so the scripts
    folder of this environment goes first on PATH (an unactivated venv works too)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", name, "--force"],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
