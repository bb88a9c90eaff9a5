"""How many CPU threads a training run uses: nasedu's thread policy.

PyTorch starts one compute thread per core it sees.  On a shared machine -- a classroom
JupyterHub with many kernels on a few cores, a busy laptop, Colab's 2 vCPUs -- that is the wrong
number: the threads of all the kernels compete for the same cores and wait for each other at
every parallel step.  On a busy 2-core machine the course's networks trained many times
*slower* with 2 threads than with 1 (``benchmarks/bench_threads.py``; the figures are in
``benchmarks/README.md``): each convolution is too small to split, and every parallel step
waits for a thread that has to share its core.
So :func:`fit <nasedu.train.fit>` trains small networks with **one thread**, and gives a large
network (the paper-size evaluation networks) as many threads as the process may really use:

* **the CPUs the process may run on** (``os.sched_getaffinity``: ``taskset``, a batch system),
* **a cgroup CPU quota** (``cpu.max`` of cgroup v2, ``cpu.cfs_quota_us`` of v1): a container or
  a JupyterHub server limited to, say, 2 CPUs on a 64-core host sees 64 cores but may only use
  2 of them.

The policy steps aside when you choose yourself: when ``OMP_NUM_THREADS`` (or
``NASEDU_THREADS``) is set, or when you called ``torch.set_num_threads`` -- nasedu then trains
with your number.  :func:`describe_policy` says in one line what it does here (``nasedu doctor``
and the notebooks' set-up line print it).

Why not always the most threads?  A parallel region costs a wake-up of every thread, and an
OpenMP thread that finds no work spins on its core for a while before it sleeps -- on a busy
machine that spinning steals the core from the thread that has work.  One thread has no
parallel regions, so it neither waits nor spins; and ``import nasedu`` makes idle threads
sleep at once (``OMP_WAIT_POLICY=PASSIVE``, set before torch loads unless you set it).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "LARGE_MACS",
    "choose_threads",
    "cgroup_cpu_limit",
    "describe_policy",
    "thread_policy",
    "usable_cpus",
    "user_threads",
]

LARGE_MACS = 10_000_000_000
"""Multiply-adds per training batch (the network's MACs for one image times the batch size)
from which a network counts as large and gets every usable CPU.  The course's networks (up to
about 1.2 billion per batch: notebook 2's cell network, N=2, C=16, on 16x16 images) trained
slower with 2 threads than with 1 on a busy machine; a paper-size cell network (N=6, C=36: 13.5
billion per batch) did not.  So the line lies between the two (``benchmarks/bench_threads.py``,
figures in ``benchmarks/README.md``)."""

_CGROUP = Path("/sys/fs/cgroup")
_torch_default: int | None = None  # torch's own thread count, read before nasedu changed it
_last_set: int | None = None  # what thread_policy last set (to tell it from a user's choice)


def _cgroup_v2_limit(root: Path) -> float | None:
    """CPUs allowed by ``cpu.max`` ("quota period" or "max period") of this process's cgroup
    and its parents (the smallest), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        relative = next(line.split(":", 2)[2] for line in lines if line.startswith("0::"))
    except (OSError, StopIteration, IndexError):
        relative = "/"
    limits = []
    folder = root / relative.lstrip("/")
    for candidate in (folder, *folder.parents):
        if root not in (candidate, *candidate.parents):
            break
        try:
            quota, period = (candidate / "cpu.max").read_text().split()[:2]
        except (OSError, ValueError):
            continue
        if quota != "max" and float(period) > 0:
            limits.append(float(quota) / float(period))
    return min(limits) if limits else None


def _cgroup_v1_limit(root: Path) -> float | None:
    for name in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        try:
            quota = float((root / name / "cpu.cfs_quota_us").read_text())
            period = float((root / name / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        if quota > 0 and period > 0:
            return quota / period
    return None


def cgroup_cpu_limit(root: str | Path = _CGROUP) -> float | None:
    """The CPU quota of this process's control group in CPUs (e.g. 1.5), or None if unlimited.

    Containers (Docker's ``--cpus``), Kubernetes pods and JupyterHub's ``cpu_limit`` set it; the
    process still *sees* every core of the host."""
    root = Path(root)
    return _cgroup_v2_limit(root) or _cgroup_v1_limit(root)


def usable_cpus(root: str | Path = _CGROUP) -> int:
    """How many CPUs this process may really use: its CPU affinity, cut to its cgroup quota
    (rounded down: a quota of 1.5 CPUs keeps 2 threads busy only 75% of the time)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        cpus = os.cpu_count() or 1
    limit = cgroup_cpu_limit(root)
    if limit is not None:
        cpus = min(cpus, max(1, math.floor(limit)))
    return max(1, cpus)


def user_threads() -> int | None:
    """The thread count the user chose, or None: ``NASEDU_THREADS``, ``OMP_NUM_THREADS``, or a
    ``torch.set_num_threads`` call (torch's count differs from its default and from what
    nasedu set last)."""
    for variable in ("NASEDU_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                return max(1, int(value.split(",")[0]))
            except ValueError:
                raise ValueError(
                    f"{variable} must be a whole number of threads, got {value!r}"
                ) from None
    import torch

    now = torch.get_num_threads()
    if now not in (_default_threads(), _last_set):
        return now
    return None


def _default_threads() -> int:
    """torch's thread count before nasedu changed anything (read once)."""
    global _torch_default
    if _torch_default is None:
        import torch

        _torch_default = torch.get_num_threads()
    return _torch_default


def choose_threads(macs_per_batch: int | None = None, cpus: int | None = None) -> int:
    """nasedu's choice for a network of ``macs_per_batch`` multiply-adds per training batch:
    one thread below :data:`LARGE_MACS`, every usable CPU (``cpus``, default
    :func:`usable_cpus`) from there on.  ``None`` (size unknown) counts as small."""
    cpus = usable_cpus() if cpus is None else cpus
    if macs_per_batch is None or macs_per_batch < LARGE_MACS:
        return 1
    return max(1, cpus)


@contextmanager
def thread_policy(macs_per_batch: int | None = None) -> Iterator[int]:
    """Within the block, torch uses nasedu's thread count for this network (or the user's);
    afterwards the count before the block is restored.  Yields the count used."""
    global _last_set
    import torch

    _default_threads()
    before = torch.get_num_threads()
    chosen = user_threads()
    if chosen is not None:  # the user's choice: already in effect unless it came from a variable
        chosen_here = chosen if os.environ.get("NASEDU_THREADS", "").strip() else before
        torch.set_num_threads(chosen_here)
        try:
            yield chosen_here
        finally:
            torch.set_num_threads(before)
        return
    threads = choose_threads(macs_per_batch)
    torch.set_num_threads(threads)
    _last_set = threads
    try:
        yield threads
    finally:
        torch.set_num_threads(before)


def describe_policy() -> str:
    """One line: how many threads a fit uses here and why."""
    cpus = usable_cpus()
    limit = cgroup_cpu_limit()
    where = f"{cpus} usable CPU{'s' if cpus != 1 else ''}"
    if limit is not None:
        where += f" (cgroup quota {limit:g})"
    chosen = user_threads()
    if chosen is not None:
        return f"{chosen} thread{'s' if chosen != 1 else ''} (your setting); {where}"
    large = choose_threads(LARGE_MACS, cpus)
    if large == 1:
        return f"1 thread; {where}"
    return f"1 thread, {large} for large networks; {where}"


def policy_report() -> dict[str, Any]:
    """The inputs of the policy, for ``nasedu doctor`` and bug reports."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    return {
        "cpu_count": os.cpu_count(),
        "affinity": affinity,
        "cgroup_limit": cgroup_cpu_limit(),
        "usable_cpus": usable_cpus(),
        "user_threads": user_threads(),
    }


if "torch" in sys.modules:  # remember torch's own count before anyone changes it
    _default_threads()
