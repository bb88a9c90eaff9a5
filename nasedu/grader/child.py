"""The process that runs one student's code, inside the sandbox (``python -m nasedu.grader.child``).

It is deliberately small and trusts nothing it runs:

1. it sets its resource limits (memory, CPU seconds, file size, open files, no core dumps),
   which nothing it starts can raise again;
2. it copies the submission (read-only in the sandbox) into its working folder, a memory file
   system of limited size;
3. it reads its job (a JSON list of *steps*) from standard input, keeps a private duplicate of
   standard output as the *report channel*, and sends the student's own prints to
   ``output.log`` in its working folder;
4. it runs the steps in order in one IPython shell, as a notebook would: a ``cell`` step runs a
   cell's code, a ``check`` step evaluates one expression of the answer key (after its
   ``setup`` statements) and reports the value as plain data (:func:`nasedu.grader.answers.encode`);
5. after every step it writes one JSON line to the report channel.

Student code can overwrite anything in this process, including this module and the report
channel.  That is fine: the grading process treats every line as an untrusted *answer*, compares
it with the answer key outside the sandbox, and a step that crashes or hangs this process costs
only that step (the grader restarts it and replays the earlier cells).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from typing import Any, TextIO

__all__ = ["main"]

LIMITS = {
    "memory": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "file_size": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
    "processes": resource.RLIMIT_NPROC,
}


def apply_limits(limits: dict[str, int]) -> None:
    """Set soft and hard limits; a process can lower hard limits but never raise them again."""
    for name, value in limits.items():
        resource.setrlimit(LIMITS[name], (int(value), int(value)))


def _copy_submission() -> None:
    """In the sandbox, copy the read-only submission into the (size-limited) working folder."""
    original = os.environ.get("NASEDU_GRADE_ORIGINAL")
    if original and os.path.isdir(original):
        shutil.copytree(original, os.getcwd(), symlinks=True, dirs_exist_ok=True)


def _redirect_output(folder: str) -> TextIO:
    """Keep a private copy of stdout for reports; point fds 0, 1, 2 away from the grader."""
    report = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    log = os.open(os.path.join(folder, "output.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    return report


def _error(exc: BaseException) -> str:
    message = str(exc)
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= 500 else text[:499] + "…"


def _run_cell(shell: Any, code: str) -> dict[str, Any]:
    try:
        result = shell.run_cell(code, store_history=False, silent=False)
    except BaseException as exc:  # IPython itself gave up (500 escapes: a RuntimeError)
        return {"status": "error", "error": _error(exc)}
    shell.exit_now = False  # `exit()` in a cell asks the shell to stop; a notebook goes on
    failure = result.error_before_exec or result.error_in_exec
    return {"status": "error", "error": _error(failure)} if failure else {"status": "ok"}


def _run_check(shell: Any, setup: str, expr: str) -> dict[str, Any]:
    from nasedu.grader.answers import encode

    namespace = shell.user_ns
    try:
        if setup:
            exec(compile(setup, "<check setup>", "exec"), namespace)
        value = eval(compile(expr, "<check>", "eval"), namespace)
        return {"status": "ok", "value": encode(value)}
    except BaseException as exc:  # SystemExit, KeyboardInterrupt: the check fails
        return {"status": "error", "error": _error(exc)}


def run_steps(steps: list[dict[str, Any]], report: TextIO) -> None:
    """Run every step in one IPython shell and report each on its own line."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="nocolor")
    for step in steps:
        if step["kind"] == "cell":
            outcome = _run_cell(shell, step["code"])
        else:
            outcome = _run_check(shell, step.get("setup", ""), step["expr"])
        report.write(json.dumps({"step": step["id"], **outcome}) + "\n")
        report.flush()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    apply_limits(json.loads(argv[0]) if argv else {})
    _copy_submission()
    job = json.loads(sys.stdin.read())
    report = _redirect_output(os.getcwd())
    report.write(json.dumps({"ready": True}) + "\n")
    run_steps(job["steps"], report)
    report.write(json.dumps({"done": True}) + "\n")
    report.flush()
    os._exit(0)  # skip interpreter shutdown: student code may have registered atexit hooks


if __name__ == "__main__":
    main()
