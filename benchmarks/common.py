"""Shared helpers of the benchmarks: machine description, tables, JSON results.

Benchmarks measure speed; tests never do.  Machines are noisy, so compare ratios measured in
one run, and keep each run's numbers with a description of the machine that produced them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import torch

# where results go: this folder's results/, or $NASEDU_RESULTS (the GPU check writes to $OUT)
RESULTS = Path(os.environ.get("NASEDU_RESULTS") or Path(__file__).parent / "results")


def machine() -> dict:
    """What ran the benchmark (CPU, threads, GPU, versions)."""
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_model": cpu_model(),
        # the kernels oneDNN and torch choose, and so the order of floating-point sums, depend
        # on it: a run repeats digit for digit only on the same instruction set
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    return info


def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), or what platform knows elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_tag() -> str:
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0).replace(" ", "-").lower()
    return f"cpu{os.cpu_count()}"


def rate(fn: Callable[[int], object], seconds: float = 1.0, repeats: int = 3) -> float:
    """Calls per second of ``fn(i)`` (median of ``repeats`` runs of about ``seconds`` each)."""
    rates = []
    for _ in range(repeats):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            fn(n)
            n += 1
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def print_table(rows: list[dict], columns: list[str]) -> None:
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(f"{c:>{widths[c]}s}" for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        print("  ".join(f"{_fmt(r.get(c)):>{widths[c]}s}" for c in columns))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,d}"
    return "-" if value is None else str(value)


def save(name: str, rows: list[dict], folder: Path = RESULTS, quiet: bool = False, **extra) -> Path:
    """Write ``{folder}/{name}-{machine}.json`` (default: ``results/``) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{machine_tag()}.json"
    payload = {
        "benchmark": name,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        **extra,
        "rows": rows,
    }
    path.write_text(json.dumps(payload, indent=1))
    if not quiet:
        print(f"\nwritten: {path}")
    return path


def ship(script: str, path: Path, result: dict) -> None:
    """Write ``result`` as a shipped precomputed file (``nasedu/precomputed/``), marked as
    such with the date and the machine (what :func:`nasedu.precomputed.load` checks)."""
    shipped = {
        "note": f"PRECOMPUTED by benchmarks/{script}, not by the notebook",
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "machine": {**machine(), "tag": machine_tag()},
        **result,
    }
    path.write_text(json.dumps(shipped, indent=1) + "\n")
    print(f"written: {path}")
