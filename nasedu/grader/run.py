"""Running one submission's steps in the sandbox, from the trusted side.

:func:`run_steps` starts the child (:mod:`nasedu.grader.child`) in the sandbox, sends it the
steps and reads one report line per step, each within the wall-clock limit.  When the child
dies (``os._exit``, a crash, the memory limit) or a step runs past its limit (an endless loop,
even one that swallows interrupts), the whole sandbox is killed, that step is recorded as failed
and a fresh child replays the cells that had succeeded before going on with the next step.  So a
bad cell costs the checks that need it, never the whole submission.

Everything the child reports is untrusted: lines longer than :data:`MAX_LINE` or that do not
name the step being waited for are ignored, and values are only *answers* to be judged outside.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cgroup import ControlGroup
from .sandbox import SHM_MB, Isolation

__all__ = ["Limits", "Outcome", "run_steps"]

MAX_LINE = 4_000_000
"""The longest report line (bytes) accepted from the child: an answer of at most a few MB."""
MAX_RESTARTS = 20
USER_PROCESSES = 1024
"""RLIMIT_NPROC of a sandbox when not graded as root (counted per user namespace)."""
START_SECONDS = 60.0
"""Wall-clock allowance for the child to start (Python, IPython and nasedu imported)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission: wall seconds per step and for the whole submission
    (a submission that makes every check wait must not hold a grading job for an hour), CPU
    seconds and memory (MiB) per child process, the largest file it may write and the space of
    its working folder and of ``/tmp`` (MiB each)."""

    step_seconds: float = 60.0
    submission_seconds: float = 600.0
    cpu_seconds: int = 600
    memory_mb: int = 4096
    file_mb: int = 64
    disk_mb: int = 256

    def rlimits(self) -> dict[str, int]:
        limits = {
            "memory": self.memory_mb * 2**20,
            "cpu": self.cpu_seconds,
            "file_size": self.file_mb * 2**20,
            "open_files": 256,
            "core": 0,
        }
        if os.geteuid() != 0:  # as root the kernel ignores it: see nasedu.grader.cgroup
            limits["processes"] = USER_PROCESSES
        return limits

    def group_memory(self) -> int:
        """Bytes a sandbox may use in all (its processes and its memory file systems)."""
        return (self.memory_mb + 2 * self.disk_mb + SHM_MB) * 2**20


@dataclass
class Outcome:
    """What happened to each step (``status`` ok, error, timeout or crashed) and how often the
    child had to be restarted."""

    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    restarts: int = 0
    ignored_lines: int = 0


def _environment() -> dict[str, str]:
    return {
        "HOME": "/tmp",
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "NASEDU_QUICK": os.environ.get("NASEDU_QUICK", ""),
        "TMPDIR": "/tmp",
    }


class _Child:
    """One sandboxed child process and its report channel."""

    def __init__(self, isolation: Isolation, folder: Path, steps: list[dict], limits: Limits):
        env = _environment()
        argv = [sys.executable, "-m", "nasedu.grader.child", json.dumps(limits.rlimits())]
        command = isolation.command(folder, argv, env, limits.disk_mb)
        self.group = None
        if isolation.control_groups:
            try:
                self.group = ControlGroup(limits.group_memory())
                command = self.group.wrap(command)
            except OSError:  # gone since choose() saw it: the per-process limits still hold
                self.group = None
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=folder,
            env=env if isolation.kind == "none" else None,
            start_new_session=True,
        )
        self.buffer = b""
        try:
            self.process.stdin.write(json.dumps({"steps": steps}).encode())
            self.process.stdin.close()
        except OSError:  # the child died at once: reading will say so
            pass

    def read_line(self, deadline: float) -> dict | str | None:
        """The next report (a dict), ``"eof"`` when the child is gone, ``None`` past deadline."""
        stream = self.process.stdout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([stream], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return "eof"
            self.buffer += chunk
            if len(self.buffer) > MAX_LINE and b"\n" not in self.buffer:
                self.buffer = b""  # drop an overlong line; its step fails for lack of a report
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            report = json.loads(line)
        except (ValueError, RecursionError):
            return {}
        return report if isinstance(report, dict) else {}

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process.stdout.close()
        if self.group is not None:
            self.group.remove()


def run_steps(
    isolation: Isolation, folder: Path, steps: list[dict[str, Any]], limits: Limits
) -> Outcome:
    """Run ``steps`` (dicts with ``id`` and ``kind`` ``"cell"`` or ``"check"``) in ``folder``.

    Returns the report of every step; a step the child never reported is ``timeout`` (it ran
    past ``limits.step_seconds``) or ``crashed`` (the child died during it).
    """
    outcome = Outcome()
    done: list[dict[str, Any]] = []  # cells that succeeded, replayed after a restart
    position = 0
    budget_end = time.monotonic() + limits.submission_seconds
    while position < len(steps) and outcome.restarts <= MAX_RESTARTS:
        if time.monotonic() >= budget_end:
            for step in steps[position:]:
                outcome.steps[step["id"]] = {"status": "timeout", "error": "out of total time"}
            return outcome
        replay = [dict(s, id="replay:" + s["id"]) for s in done]
        child = _Child(isolation, folder, replay + steps[position:], limits)
        try:
            position = _follow(child, steps, position, replay, done, outcome, limits, budget_end)
        finally:
            child.kill()
        if position < len(steps):
            outcome.restarts += 1
    for step in steps[position:]:
        outcome.steps.setdefault(step["id"], {"status": "crashed", "error": "too many restarts"})
    return outcome


def _follow(child, steps, position, replay, done, outcome, limits, budget_end) -> int:
    """Read reports until the child finishes or fails; return the next step to run."""
    deadline = time.monotonic() + START_SECONDS + limits.step_seconds * (1 + len(replay))
    deadline = min(deadline, budget_end)
    expected = [s["id"] for s in replay] + [s["id"] for s in steps[position:]]
    index = 0
    while index < len(expected):
        report = child.read_line(deadline)
        if report is None or report == "eof":
            if index >= len(replay):
                failed = steps[position + index - len(replay)]
                status = "timeout" if report is None else "crashed"
                outcome.steps[failed["id"]] = {"status": status}
                return position + index - len(replay) + 1
            del done[index]  # a replayed cell failed this time: leave it out from now on
            return position
        if report.get("step") != expected[index]:
            if "ready" not in report:
                outcome.ignored_lines += 1
            continue
        if index >= len(replay):
            step = steps[position + index - len(replay)]
            outcome.steps[step["id"]] = report
            if step["kind"] == "cell" and report.get("status") == "ok":
                done.append(step)
        index += 1
        deadline = min(time.monotonic() + limits.step_seconds, budget_end)
    return len(steps)
