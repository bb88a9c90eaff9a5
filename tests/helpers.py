"""Helpers shared by several test files (imported as ``from helpers import ...``; pytest puts
this folder on ``sys.path``).  Where a test goes: ``tests/test_<module>.py`` for a module's own
behaviour, ``tests/test_bad_input_<area>.py`` for what it refuses (the whole rule:
``tests/README.md``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nasedu.checks import MESSAGE_LIMIT


def refused(call, *names: str, error: type[Exception] = ValueError) -> str:
    """Run ``call``; it must raise ``error`` with a short one-line message naming every one of
    ``names``.  Returns the message."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert len(message) <= MESSAGE_LIMIT, message
    assert "\n" not in message, message
    for name in names:
        assert name in message, f"{name!r} not named in: {message}"
    return message


def nbgrader(course: Path, *args: str) -> None:
    """Run an nbgrader command in the course folder ``course``.

    The interpreter running the tests, and its scripts folder first on PATH: nbgrader runs
    `alembic` as a command to create a gradebook, so an unactivated virtual environment works.
    """
    scripts = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
