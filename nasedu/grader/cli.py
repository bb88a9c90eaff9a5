"""``nasedu grade`` on the command line (registered by :func:`nasedu.cli.main`)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

__all__ = ["add_commands"]


def _positive(kind: type, low: float, high: float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low:g} to {high:g}, got {text}")
        return value

    return parse


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``grade`` to the ``nasedu`` command's subcommands."""
    grade = sub.add_parser(
        "grade",
        help="grade every submission of an assignment, each in a sandbox (nbgrader course)",
        description="Grade submitted/*/ASSIGNMENT/ of an nbgrader course folder: each submission "
        "alone in a sandbox, its answers judged outside it against keys/ASSIGNMENT.py; scores "
        "go to nbgrader's gradebook, grading/ASSIGNMENT.csv and grading/ASSIGNMENT-tamper.txt.",
    )
    grade.add_argument("assignment")
    grade.add_argument("--course", default=".", help="the course folder (default: here)")
    grade.add_argument(
        "--jobs",
        type=_positive(int, 1, 1024),
        default=_available_cpus(),
        help="submissions graded at once (default: the CPUs this process may use)",
    )
    grade.add_argument(
        "--timeout",
        type=_positive(float, 1, 3600),
        default=60.0,
        help="wall-clock seconds per cell or check (default 60)",
    )
    grade.add_argument(
        "--total",
        type=_positive(float, 1, 86_400),
        default=600.0,
        help="wall-clock seconds per submission in all (default 600)",
    )
    grade.add_argument(
        "--memory",
        type=_positive(int, 256, 1 << 20),
        default=4096,
        help="MiB of memory per submission (default 4096)",
    )
    grade.add_argument(
        "--cpu",
        type=_positive(int, 1, 86_400),
        default=600,
        help="CPU seconds per sandboxed process (default 600)",
    )
    grade.add_argument(
        "--isolation",
        choices=("auto", "bwrap", "none"),
        default="auto",
        help="auto/bwrap: bubblewrap, refused if unavailable; none: no sandbox (trusted code)",
    )
    grade.add_argument("--source", help="folder holding source/ASSIGNMENT (default COURSE/source)")
    grade.add_argument("--keys", help="folder holding ASSIGNMENT.py (default COURSE/keys)")
    grade.set_defaults(run=_grade)
    exercises = sub.add_parser("exercises", help="the exercise course: make a variant of it")
    actions = exercises.add_subparsers(dest="action", required=True)
    variant = actions.add_parser(
        "variant",
        help="copy the course with other numbers and its own answer key (for a graded class)",
        description="Copy an nbgrader course (source/, keys/, nbgrader_config.py) to OUT with "
        "the genotypes students write down drawn anew from SEED, then generate release/. "
        "Keep OUT/source and OUT/keys where students cannot read them.",
    )
    variant.add_argument("--seed", type=_positive(int, 0, 2**32 - 1), required=True)
    variant.add_argument("--out", required=True, help="new folder for the variant course")
    variant.add_argument("--course", default=None, help="the course to vary (default: exercises/)")
    variant.set_defaults(run=_variant)


def _grade(args: argparse.Namespace) -> None:
    from .grade import grade_assignment
    from .run import Limits

    # what grading writes (graded notebooks with everyone's code, the class's scores, the
    # tamper report) is for the teaching staff: readable by this account only
    os.umask(0o077)

    course = Path(args.course)
    if not (course / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"{course.resolve()} is not an nbgrader course folder")
    limits = Limits(
        step_seconds=args.timeout,
        submission_seconds=args.total,
        cpu_seconds=args.cpu,
        memory_mb=args.memory,
    )
    results = grade_assignment(
        course,
        args.assignment,
        isolation=args.isolation,
        jobs=args.jobs,
        limits=limits,
        source=args.source,
        keys=args.keys,
        log=lambda line: print(line, flush=True),
    )
    total = len(results)
    flagged = sum(1 for r in results if r.findings)
    print(
        f"graded {total} submission(s); scores in gradebook.db and grading/"
        f"{args.assignment}.csv; {flagged} flagged in grading/{args.assignment}-tamper.txt"
    )


def _variant(args: argparse.Namespace) -> None:
    from .variant import make_variant

    course = Path(args.course) if args.course else _shipped_exercises()
    make_variant(course, Path(args.out), args.seed, log=lambda line: print(line, flush=True))
    print(f"variant {args.seed} of the exercises in {args.out}: grade it there with nasedu grade")


def _shipped_exercises() -> Path:
    """exercises/ of the repository nasedu was installed from (an editable install)."""
    import nasedu

    folder = Path(nasedu.__file__).resolve().parent.parent / "exercises"
    if not (folder / "keys").is_dir():
        raise FileNotFoundError("no exercises/ next to this nasedu: pass --course FOLDER")
    return folder
