"""How long ``nasedu grade`` takes per submission, and what a class of 200 would take.

Builds a scratch course from exercises/ with N copies of the solution of one assignment, grades
it with 1 and with ``--jobs`` parallel jobs (bubblewrap sandbox), and reports seconds per
submission and the projection for 200 submissions on a 16-core server (from the measured
per-submission CPU-bound time, assuming the jobs scale to the cores as they did here).

    python benchmarks/bench_grade.py [--assignments ex01_chain_spaces,...] [--students 6] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from common import print_table, save

from nasedu.grader.grade import grade_assignment
from nasedu.grader.variant import generate_assignment

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"


def scratch_course(root: Path, assignment: str, students: int) -> Path:
    shutil.copy(EXERCISES / "nbgrader_config.py", root)
    shutil.copytree(EXERCISES / "source" / assignment, root / "source" / assignment)
    shutil.copytree(EXERCISES / "keys", root / "keys")
    generate_assignment(root, assignment)
    notebook = root / "source" / assignment / f"{assignment}.ipynb"
    for n in range(students):
        folder = root / "submitted" / f"student{n:03d}" / assignment
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = sorted(p.name for p in (EXERCISES / "source").iterdir() if p.is_dir())
    parser.add_argument("--assignments", default=",".join(names))
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    rows = []
    for assignment in args.assignments.split(","):
        for jobs in sorted({1, args.jobs}):
            rows.append(measure(assignment, args.students, jobs))
    print_table(rows, list(rows[0]))
    worst = max(r["per_submission_s"] for r in rows if r["jobs"] == 1)
    projection = 200 * worst / 16
    print(
        f"projection: 200 submissions on 16 cores ~ {projection / 60:.1f} min "
        f"(the slowest assignment's {worst:.1f} s per submission, one core each)"
    )
    save("bench_grade", rows, projection_200_on_16_cores_s=projection)


def measure(assignment: str, students: int, jobs: int) -> dict:
    """Grade ``students`` copies of the solution of ``assignment`` with ``jobs`` jobs."""
    with tempfile.TemporaryDirectory() as tmp:
        course = scratch_course(Path(tmp), assignment, students)
        start = time.perf_counter()
        results = grade_assignment(course, assignment, jobs=jobs, log=lambda s: None)
        wall = time.perf_counter() - start
    return {
        "assignment": assignment,
        "jobs": jobs,
        "students": len(results),
        "wall_s": wall,
        "per_submission_s": sum(r.seconds for r in results) / len(results),
        "throughput_per_min": 60 * len(results) / wall,
        "min_score": min(r.score for r in results),
    }


if __name__ == "__main__":
    main()
