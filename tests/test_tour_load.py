"""``nasedu tour`` prints the same table on a busy machine as on an idle one, only later.

Issue 12: with budgets in seconds, the tour's table on a loaded machine showed chance-level
accuracies.  Its budgets are now epochs, its seeds fixed and its thread count chosen from the
network's size (nasedu.threads), never from the load.  This test runs the same small tour
twice as a user would, in a fresh process, in full (not quick) mode: once as the machine is,
and once squeezed onto a single CPU that a busy-looping process also wants.  The table and
tour.json (without the seconds) must be identical; nothing about time is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOUR = ["--spaces", "chain,cell", "--samples", "1", "--epochs", "1", "--no-progress"]


def run_tour(out: Path, cpus: set[int] | None = None) -> str:
    """``nasedu tour`` in a fresh process (full mode: NASEDU_QUICK unset), on ``cpus`` only
    if given; returns its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("NASEDU_QUICK", "OMP_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-m", "nasedu", "tour", *TOUR, "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        timeout=1800,  # a safety net against a hang, far beyond any loaded machine's time
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def table(output: str) -> str:
    """The printed table and genotypes: from the header to the line before "trained in"."""
    start = output.index("space ")
    return output[start : output.index("\ntrained in")]


def report(out: Path) -> list[dict]:
    rows = json.loads((out / "tour.json").read_text())
    for row in rows:
        assert row.pop("seconds") > 0
    return rows


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_the_tour_prints_the_same_table_on_a_loaded_machine(tmp_path):
    idle = run_tour(tmp_path / "as-is")
    cpu = min(os.sched_getaffinity(0))
    hog = subprocess.Popen(  # half of that CPU is taken
        [sys.executable, "-c", "while True: pass"],
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
    )
    try:
        loaded = run_tour(tmp_path / "loaded", cpus={cpu})
    finally:
        hog.kill()
        hog.wait()
    assert "1 usable CPU" in loaded  # the squeezed run saw one CPU ...
    assert table(loaded) == table(idle)  # ... and printed the same table
    assert report(tmp_path / "loaded") == report(tmp_path / "as-is")
    accuracies = [row["val_accuracy"] for row in report(tmp_path / "as-is")]
    assert len(accuracies) == 2 and all(0 <= a <= 1 for a in accuracies)
