"""A control group per sandbox: how many processes, and how much memory, a submission may use.

Resource limits (:mod:`.child`) cap each *process*; a submission that forks can multiply them.
``RLIMIT_NPROC`` caps the number of processes of a normal user, but the kernel exempts
processes that run as root outside their namespace -- which is what bubblewrap's sandbox is
when ``nasedu grade`` runs as root.  A *control group* caps the whole sandbox instead: at most
:data:`MAX_PROCESSES` processes and threads (a fork bomb stops there), at most its memory
budget in all, including the files it writes to its memory file systems, and, where the cpu
controller is available, :data:`CPU_SHARE` CPU (so it cannot starve the other sandboxes).

The grader creates one under its own control group when it may (as root, with the ``pids`` and
``memory`` controllers of cgroup v1, or cgroup v2 with them delegated); where it may not,
grading goes on with the per-process limits and the isolation line says so.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

__all__ = ["MAX_PROCESSES", "ControlGroup", "available"]

ROOT = Path("/sys/fs/cgroup")
MAX_PROCESSES = 128
"""Processes and threads one sandbox may hold at once (Python with IPython needs about 10)."""
CPU_SHARE = 1
"""CPUs' worth of time a sandbox may use at once (where the cpu controller is available): a
submission that keeps many processes busy must not slow the others' checks into time-outs."""
_numbers = itertools.count()


def _own(controller: str) -> Path | None:
    """This process's cgroup folder for ``controller`` (v1), or its v2 folder (``""``)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if controller and controller in controllers.split(","):
            return ROOT / controller / path.lstrip("/")
        if not controller and number == "0":
            folder = ROOT / path.lstrip("/")
            enabled = (folder / "cgroup.subtree_control").read_text() if folder.is_dir() else ""
            return folder if {"pids", "memory"} <= set(enabled.split()) else None
    return None


def _parents() -> list[tuple[Path, dict[str, str]]] | None:
    """Where to create a sandbox's groups, with the limit files to write in each."""
    pids, memory, cpu = _own("pids"), _own("memory"), _own("cpu")
    if pids and memory and pids.is_dir() and memory.is_dir():
        parents = [(pids, {"pids.max": "{pids}"}), (memory, {"memory.limit_in_bytes": "{memory}"})]
        if cpu and (cpu / "cpu.cfs_quota_us").is_file():
            parents.append((cpu, {"cpu.cfs_quota_us": "{cpu}"}))
        return parents
    unified = _own("")
    if unified:
        files = {"pids.max": "{pids}", "memory.max": "{memory}", "memory.swap.max": "0"}
        if "cpu" in (unified / "cgroup.subtree_control").read_text().split():
            files["cpu.max"] = "{cpu} 100000"
        return [(unified, files)]
    return None


def available() -> bool:
    """Whether this process can make a control group per sandbox (tried, then removed)."""
    try:
        group = ControlGroup(1 << 30)
    except OSError:
        return False
    group.remove()
    return True


class ControlGroup:
    """One sandbox's control group(s): :meth:`wrap` a command to start it inside them."""

    def __init__(self, memory_bytes: int):
        parents = _parents()
        if parents is None:
            raise OSError("no control group this process may create")
        name = f"nasedu-grade-{os.getpid()}-{next(_numbers)}"
        self.folders: list[Path] = []
        try:
            for parent, files in parents:
                folder = parent / name
                folder.mkdir()
                self.folders.append(folder)
                for file, value in files.items():
                    text = value.format(
                        pids=MAX_PROCESSES, memory=int(memory_bytes), cpu=CPU_SHARE * 100_000
                    )
                    (folder / file).write_text(text)
        except OSError:
            self.remove()
            raise

    def wrap(self, command: list[str]) -> list[str]:
        """``command``, started by a shell that first moves itself into the group(s)."""
        script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; '
        script += 'n=$((n-1)); done; exec "$@"'
        procs = [str(folder / "cgroup.procs") for folder in self.folders]
        return ["/bin/sh", "-c", script, "sh", str(len(procs)), *procs, *command]

    def remove(self) -> None:
        """Remove the group(s) once their processes are gone (waits up to a few seconds)."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    break
                except OSError:  # still busy: its processes are being torn down
                    time.sleep(0.1)
                    continue
                break
        self.folders = []
