"""``nasedu grade ASSIGNMENT``: every submission graded alone, in a sandbox, judged outside it.

For each ``submitted/<student>/<assignment>/`` of the course folder:

1. copy the submission's regular files (no links) into a fresh temporary folder;
2. plan the steps from the *release* notebook and the student's cells (:mod:`.plan`);
3. run them in the sandbox, each within the wall-clock limit (:mod:`.run`, :mod:`.sandbox`);
4. judge the reported answers against the reference solution's (:mod:`.judge`), and scan the
   code for attempts on the grader (:mod:`.tamper`);
5. write the scores into nbgrader's gradebook and the graded notebook to ``autograded/``
   (:mod:`.gradebook`), the class's table to ``grading/<assignment>.csv`` and the tamper report
   to ``grading/<assignment>-tamper.txt``.

The grading process never imports or calls a student's code, and the answer key and the
reference solution never enter a sandbox.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answers import encode
from .gradebook import check_assignment, graded_notebook, rubrics, save_scores
from .judge import TaskResult, judge
from .key import AnswerKey, load_key, reference_values
from .names import defined_names
from .plan import (
    SubmissionError,
    grade_id,
    make_plan,
    read_notebook,
    release_notebook,
    source_of,
)
from .run import Limits, run_steps
from .sandbox import Isolation, SandboxUnavailable, choose
from .tamper import Finding, scan

__all__ = ["SubmissionResult", "grade_assignment"]

MAX_SUBMISSION_BYTES = 100 * 2**20
MAX_SUBMISSION_FILES = 2_000
STUDENT_ID = re.compile(r"[A-Za-z0-9_.@+-]{1,100}")
"""A student id the grader accepts (whole name: ``fullmatch``, so no trailing newline)."""


@dataclass
class SubmissionResult:
    """One student's grading: task results (``None`` if unreadable) and what looked odd."""

    student: str
    results: list[TaskResult] | None
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    restarts: int = 0
    seconds: float = 0.0
    graded: dict[str, Any] | None = None

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results or [])


@dataclass(frozen=True)
class Assignment:
    """Everything the grader needs of one assignment, loaded once (lecturer's files)."""

    name: str
    notebook: str
    release: dict[str, Any]
    key: AnswerKey
    expected: dict
    rubric: dict[str, str]
    defines: dict[str, set[str]] = field(default_factory=dict)
    """The names each solution cell of the reference defines (for tasks done by hand)."""


def load_assignment(
    course: Path, name: str, source: Path | None = None, keys: Path | None = None
) -> Assignment:
    """The release notebook, the answer key and the reference answers of ``name``."""
    release_path, release = release_notebook(course, name)
    source_folder = Path(source) if source else Path(course) / "source"
    source_path = source_folder / name / release_path.name
    if not source_path.is_file():
        raise FileNotFoundError(f"no source notebook {source_path} (the reference solution)")
    key = load_key(course, name, keys)
    _refuse_released_key(release_path.parent, key)
    expected = reference_values(key, source_path)
    source_notebook = read_notebook(source_path)
    rubric = rubrics(source_notebook)
    defines = {
        gid: defined_names(source_of(cell))
        for cell in source_notebook["cells"]
        if (gid := grade_id(cell)) and cell.get("cell_type") == "code"
    }
    return Assignment(name, release_path.stem, release, key, expected, rubric, defines)


def _refuse_released_key(release: Path, key: AnswerKey) -> None:
    """Stop if what students get holds the answer key (a key kept in ``source/<name>/`` is
    copied into ``release/`` by ``nbgrader generate_assignment``)."""
    key_text = Path(key.path).read_bytes() if Path(key.path).is_file() else b""
    for path in release.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb":
            text = path.read_bytes()[:1_000_000]
            if text == key_text or b"nasedu.grader import" in text:
                raise ValueError(
                    f"{path} is an answer key, and release/ is what students get: move it to "
                    f"keys/ (outside source/{release.name}/) and run nbgrader generate_assignment "
                    "again"
                )


def _copy_submission(folder: Path, target: Path) -> None:
    total = 0
    paths = []
    for path in folder.rglob("*"):
        paths.append(path)
        if len(paths) > MAX_SUBMISSION_FILES:
            raise SubmissionError(f"the submission holds more than {MAX_SUBMISSION_FILES} files")
    for path in sorted(paths):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            continue
        relative = path.relative_to(folder)
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
            continue
        total += path.stat().st_size
        if total > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"the submission is larger than {MAX_SUBMISSION_BYTES >> 20} MB")
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)


def grade_submission(
    assignment: Assignment, folder: Path, isolation: Isolation, limits: Limits
) -> SubmissionResult:
    """Grade one ``submitted/<student>/<assignment>/`` folder (see the module docstring).

    Never raises for what a submission holds: if judging it fails in a way nobody foresaw (a
    crafted answer, a cell the code scanners cannot read), that student scores 0 with the
    error named, for a human to look at -- one submission must not stop the class's grading.
    """
    started = time.monotonic()
    try:
        return _grade_submission(assignment, folder, isolation, limits, started)
    except Exception as error:  # one submission must not stop the class
        what = f"the grader failed on this submission ({type(error).__name__})"
        result = SubmissionResult(folder.parent.name, None, error=what)
        result.findings.append(Finding(0, 0, what + ": look at it by hand"))
        result.seconds = time.monotonic() - started
        return result


def _grade_submission(
    assignment: Assignment, folder: Path, isolation: Isolation, limits: Limits, started: float
) -> SubmissionResult:
    student = folder.parent.name
    with tempfile.TemporaryDirectory(prefix="nasedu-grade-") as scratch:
        work = Path(scratch) / "submission"
        work.mkdir()
        try:
            _copy_submission(folder, work)
            submission = read_notebook(work / f"{assignment.notebook}.ipynb")
        except (SubmissionError, OSError) as error:
            return SubmissionResult(student, None, error=str(error)[:300])
        plan = make_plan(assignment.release, submission, assignment.key)
        outcome = run_steps(isolation, work, plan.steps, limits)
    results = judge(assignment.key, assignment.expected, outcome, plan, assignment.defines)
    findings = scan(plan.all_student_code())
    if outcome.restarts:
        findings.append(Finding(0, 0, f"the Python process was restarted {outcome.restarts}x"))
    if outcome.ignored_lines:
        findings.append(Finding(0, 0, f"{outcome.ignored_lines} forged report line(s)"))
    graded = graded_notebook(
        assignment.release, plan.solutions, plan.extras, results, assignment.rubric
    )
    seconds = time.monotonic() - started
    return SubmissionResult(student, results, findings, "", outcome.restarts, seconds, graded)


def preflight(sandbox: Isolation, limits: Limits) -> None:
    """Import nasedu in an empty sandbox, or raise SandboxUnavailable saying why.

    A server whose sandbox cannot start Python with nasedu (a Python installation or package
    folder the sandbox does not mount, a user site folder) would otherwise give every student
    0 points, each "stopped the Python process".
    """
    probe = [{"id": "probe", "kind": "check", "expr": "__import__('nasedu').__name__"}]
    with tempfile.TemporaryDirectory(prefix="nasedu-grade-") as scratch:
        outcome = run_steps(sandbox, Path(scratch), probe, limits)
    report = outcome.steps.get("probe", {})
    if report.get("status") != "ok" or report.get("value") != encode("nasedu"):
        why = str(report.get("error") or report.get("status") or "no report")[:200]
        raise SandboxUnavailable(
            f"the sandbox cannot run Python with nasedu here ({why}); check that Python and "
            "nasedu are installed where the sandbox mounts them (the Python installation or "
            "virtual environment and the nasedu package; not a user site folder)"
        )


def submissions(course: Path, assignment: str, log: Callable[[str], None] = print) -> list[Path]:
    """The folders ``submitted/<student>/<assignment>/`` (real folders, sensible ids only)."""
    found = []
    for student in sorted((Path(course) / "submitted").glob("*")):
        folder = student / assignment
        if not folder.exists():
            continue
        if student.is_symlink() or folder.is_symlink() or not folder.is_dir():
            log(f"  skipped {student.name}: a link, not a folder")
        elif not STUDENT_ID.fullmatch(student.name):
            log(f"  skipped {student.name[:40]!r}: not a student id (letters, digits, _.@+-)")
        else:
            found.append(folder)
    return found


def grade_assignment(
    course: Path,
    assignment: str,
    *,
    isolation: str = "auto",
    jobs: int = 1,
    limits: Limits | None = None,
    source: Path | None = None,
    keys: Path | None = None,
    log: Callable[[str], None] = print,
) -> list[SubmissionResult]:
    """Grade every submission of ``assignment`` and record the scores (module docstring).

    ``source`` and ``keys``: where the source notebooks and the answer keys are, when a
    lecturer keeps them outside the course folder (default ``COURSE/source``, ``COURSE/keys``).
    ``log`` receives one line per event (isolation used, each submission graded).
    """
    course = Path(course).resolve()
    limits = limits or Limits()
    sandbox = choose(isolation)
    log(f"isolation: {sandbox.description}")
    preflight(sandbox, limits)
    loaded = load_assignment(course, assignment, source, keys)
    check_assignment(course, assignment)
    folders = submissions(course, assignment, log)
    log(f"grading {len(folders)} submission(s) of {assignment} with {jobs} job(s)")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_submission, loaded, f, sandbox, limits) for f in folders]
        for future in as_completed(futures):
            r = future.result()
            log(
                f"  {r.student}: {r.score:g} of {loaded.key.points:g} points, {r.seconds:.1f} s"
                + (f" ({r.error})" if r.error else "")
            )
        graded = [future.result() for future in futures]
    for folder, result in zip(folders, graded):
        timestamp = _timestamp(folder)
        if timestamp is None and (folder / "timestamp.txt").exists():
            result.findings.append(Finding(0, 0, "timestamp.txt is not a readable time: ignored"))
        save_scores(
            course,
            assignment,
            loaded.notebook,
            result.student,
            result.results,
            result.graded,
            timestamp,
        )
    _write_reports(course, loaded, graded, sandbox)
    return graded


def _timestamp(folder: Path) -> str | None:
    """The submission's ``timestamp.txt`` if it holds a time nbgrader reads, else ``None``.

    The student's side of ``nbgrader submit`` writes that file: it is untrusted text, and a
    time nbgrader cannot parse would stop the gradebook update of the whole class.
    """
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    if path.is_file() and not path.is_symlink() and path.stat().st_size < 200:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        try:
            parse_utc(text)
        except (ValueError, OverflowError, TypeError):
            return None
        return text or None
    return None


def _write_reports(
    course: Path, assignment: Assignment, graded: list[SubmissionResult], sandbox: Isolation
) -> None:
    folder = course / "grading"
    folder.mkdir(exist_ok=True)
    cells = [task.cell for task in assignment.key.tasks]
    with open(folder / f"{assignment.name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *cells, "automatic", "seconds", "error"])
        for r in graded:
            points = {t.cell: t.points for t in r.results or []}
            writer.writerow(
                [
                    r.student,
                    *(points.get(c, 0) for c in cells),
                    r.score,
                    f"{r.seconds:.1f}",
                    r.error,
                ]
            )
    lines = [f"isolation: {sandbox.description}", ""]
    for r in graded:
        if r.findings:
            lines.append(f"{r.student}:")
            lines += [f"  {finding}" for finding in r.findings]
    if len(lines) == 2:
        lines.append("nothing suspicious found")
    (folder / f"{assignment.name}-tamper.txt").write_text("\n".join(lines) + "\n", "utf-8")
