"""Where a submission runs: a bubblewrap sandbox that sees only its own folder.

``bwrap`` (bubblewrap, the sandbox of Flatpak; ``apt install bubblewrap`` on Debian and Ubuntu,
``dnf install bubblewrap`` on Fedora) builds a throwaway view of the file system out of
read-only bind mounts, in fresh user, PID, network, IPC and UTS namespaces:

* read-only: the system (``/usr``, ``/lib``...), the Python installation and the ``nasedu``
  package -- nothing else of the machine, in particular not the course folder (``source/``,
  ``gradebook.db``, the other submissions) and not the lecturer's home;
* writable: one temporary folder holding a copy of this one submission, and an empty ``/tmp``;
* no network at all (only a loopback device), no other process visible, no capabilities, and,
  when the grader runs as root, the uid ``nobody``.

Without bubblewrap there is no isolation worth the name on a plain server (no Docker needed, but
no substitute either): :func:`choose` refuses unless the lecturer asks for ``"none"``
explicitly, and the grader then says so in every report.  Resource limits (memory, CPU time,
file size) are set by the child process itself (:mod:`nasedu.grader.child`), wall-clock limits
by the grading process, which kills the whole sandbox.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ISOLATIONS", "Isolation", "SandboxUnavailable", "choose"]

ISOLATIONS = ("auto", "bwrap", "none")
INSIDE = "/submission"
"""The working folder inside the sandbox: a size-limited copy of the submission."""
ORIGINAL = "/original"
"""The submission's files inside the sandbox, read-only."""

SHM_MB = 64
"""Size of the sandbox's ``/dev/shm`` (shared memory of Python's multiprocessing), MiB."""
SYSTEM_DIRS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "passwd", "group", "nsswitch.conf", "localtime")
ETC_DIRS = ("fonts", "alternatives", "ld.so.conf.d", "matplotlibrc")


class SandboxUnavailable(RuntimeError):
    """The requested isolation cannot be had on this machine (the message says why)."""


@dataclass(frozen=True)
class Isolation:
    """How submissions are isolated: ``kind`` is ``"bwrap"`` or ``"none"``."""

    kind: str
    description: str
    control_groups: bool = False
    """Whether each sandbox gets its own control group (:mod:`.cgroup`)."""

    def command(
        self, folder: Path, argv: list[str], env: dict[str, str], disk_mb: int = 256
    ) -> list[str]:
        """The command line that runs ``argv`` on the submission in ``folder``.

        Under bubblewrap ``folder`` is mounted read-only at :data:`ORIGINAL`; the child copies it
        into :data:`INSIDE`, a memory file system of ``disk_mb`` MiB that is its working folder
        (so a submission can write files, but cannot fill the disk or change its own copy).
        """
        if self.kind == "none":
            return argv
        return [*_bwrap_options(folder, env, disk_mb), "--", *argv]


def choose(kind: str = "auto") -> Isolation:
    """The isolation to grade with: bubblewrap when it works here; ``"none"`` only when asked.

    Raises SandboxUnavailable (with what to install) when ``kind`` is ``"auto"`` or ``"bwrap"``
    and bubblewrap is missing or cannot create namespaces on this machine.
    """
    if kind not in ISOLATIONS:
        raise ValueError(f"isolation must be one of {', '.join(ISOLATIONS)}, got {kind!r}")
    if kind == "none":
        return Isolation(
            "none",
            "NONE: student code runs with your rights and can read and change the course folder",
        )
    problem = _bwrap_problem()
    if problem:
        raise SandboxUnavailable(
            f"cannot isolate submissions: {problem}. Install bubblewrap (apt install bubblewrap) "
            "and allow unprivileged user namespaces, or pass --isolation none to grade "
            "without isolation (only for code you trust)"
        )
    from .cgroup import MAX_PROCESSES, available

    user = "uid nobody, " if os.geteuid() == 0 else ""
    groups = available()
    if groups:
        caps = f"a control group each: at most {MAX_PROCESSES} processes, memory in all"
    elif os.geteuid() == 0:
        caps = "NO cap on the number of processes (as root, only a control group can cap it)"
    else:
        caps = "processes capped per user"
    return Isolation(
        "bwrap",
        f"bubblewrap ({user}no network, read-only system, a copy of the one submission in a "
        f"memory folder, new user/pid/net/ipc namespaces; {caps})",
        groups,
    )


def _bwrap_problem() -> str | None:
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        probe = subprocess.run(
            ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap does not run ({error})"
    if probe.returncode != 0:
        return f"bwrap cannot create namespaces here ({probe.stderr.strip()[:200]})"
    return None


def _python_dirs() -> list[str]:
    """The folders a Python process needs: its installation, its venv and the nasedu package."""
    import nasedu

    package = Path(nasedu.__file__).resolve().parent
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    prefixes.add(str(Path(sys.executable).resolve().parent.parent))
    folders = sorted({str(Path(p).resolve()) for p in prefixes} | {str(package)})
    return [f for f in folders if not any(f.startswith(s + "/") or f == s for s in SYSTEM_DIRS)]


def _bwrap_options(folder: Path, env: dict[str, str], disk_mb: int) -> list[str]:
    options = ["bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--cap-drop", "ALL"]
    if os.geteuid() == 0:
        options += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            options += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            options += ["--ro-bind", path, path]
    for name in (*ETC_FILES, *ETC_DIRS):
        options += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    size = str(disk_mb * 2**20)
    # /tmp first: a Python installation under /tmp (a CI's virtual environment) is then bound
    # into the fresh /tmp instead of being hidden by it
    options += ["--size", size, "--tmpfs", "/tmp"]
    for path in _python_dirs():
        options += ["--ro-bind", path, path]
    options += ["--ro-bind", str(folder), ORIGINAL, "--size", size, "--tmpfs", INSIDE]
    options += ["--chdir", INSIDE]
    options += ["--proc", "/proc", "--dev", "/dev", "--size", str(SHM_MB * 2**20)]
    # /dev and the sandbox's root are memory file systems as large as half the machine's RAM:
    # left writable, one submission could fill the grading server's memory with files
    options += ["--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--remount-ro", "/", "--clearenv"]
    for name, value in {**env, "NASEDU_GRADE_ORIGINAL": ORIGINAL}.items():
        options += ["--setenv", name, value]
    return options
