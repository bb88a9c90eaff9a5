"""What a search's history file costs, and how a search speeds up with workers.

1. *History cost*: regularized evolution on the shipped table's lookups (evaluations cost
   microseconds, so the history is all that differs), with and without ``history_path``, for
   300, 1000 and 3000 evaluations; medians of ``--repeats`` runs.  An append-only file costs
   the same per evaluation however long the history is (before issue 13 the whole file was
   rewritten after every evaluation: 300 evaluations took 5.7 s against 0.42 s, 1000 took
   122 s).  Target: 3000 evaluations with a history at most 3x the time without.
2. *Speed-up against workers*: regularized evolution whose evaluations sleep ``--sleep``
   seconds (stand-ins for training on a remote GPU), on a thread pool of 1, 2, 4, 8 (and
   ``--max-workers``) workers, a process pool and a dask LocalCluster of processes.  Speed-up is
   evaluations per second against one worker.  Target: 4 workers at least 2.2x.

    python benchmarks/bench_search.py [--repeats 3] [--sleep 0.1] [--budget 80]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from common import print_table, save

from nasedu.bench import load_benchmark
from nasedu.search import regularized_evolution
from nasedu.spaces import ChainSpace


def history_cost(repeats: int) -> list[dict]:
    table = load_benchmark("multibranch-cluttered")
    objective = table.objective()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for budget in (300, 1000, 3000):

            def run(path, budget=budget):
                start = time.perf_counter()
                regularized_evolution(
                    table.space, objective, budget, rng=0, history_path=path, progress=False
                )
                return time.perf_counter() - start

            plain = statistics.median(run(None) for _ in range(repeats))
            written = statistics.median(
                run(Path(folder) / f"h{budget}-{i}.jsonl") for i in range(repeats)
            )
            rows.append(
                {
                    "what": f"history cost, {budget} evaluations",
                    "no history s": round(plain, 3),
                    "history s": round(written, 3),
                    "ratio": round(written / plain, 2),
                    "ms per line": round(1000 * (written - plain) / budget, 3),
                }
            )
            print_table(rows[-1:], list(rows[-1]))
    return rows


def sleeping(genotype, seconds: float) -> float:
    """A stand-in for training: wait, then score the chain by its total filters."""
    time.sleep(seconds)
    return float(sum(layer.get("filters", 0) for layer in genotype.layers))


def pid_after(seconds: float) -> int:
    import os

    time.sleep(seconds)
    return os.getpid()


def warm() -> None:
    import nasedu.search
    import nasedu.spaces  # noqa: F401


def timed(space, objective, budget: int, **options) -> dict:
    start = time.perf_counter()
    history = regularized_evolution(
        space, objective, budget, population_size=20, sample_size=5, rng=0, progress=False,
        **options,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    fresh = sum(not r["cached"] for r in history.records)
    return {"seconds": seconds, "evaluations": fresh, "per second": fresh / seconds}


def speed_up(sleep: float, budget: int, max_workers: int) -> list[dict]:
    space = ChainSpace(max_layers=3)  # 127,550 genotypes: repeats (cached) are rare
    objective = partial(sleeping, seconds=sleep)
    rows = []

    def add(executor: str, workers: int, result: dict) -> None:
        base = rows[0]["per second"] if rows else result["per second"]
        rows.append(
            {
                "what": f"{executor}, {workers} worker(s)",
                "workers": workers,
                "evaluations": result["evaluations"],
                "seconds": round(result["seconds"], 3),
                "per second": round(result["per second"], 2),
                "speed-up": round(result["per second"] / base, 2),
            }
        )
        print_table(rows[-1:], list(rows[-1]))

    add("serial", 1, timed(space, objective, budget))
    for workers in sorted({2, 4, 8, max_workers}):
        with ThreadPoolExecutor(workers) as pool:
            add("threads", workers, timed(space, objective, budget, executor=pool))
    with ProcessPoolExecutor(4, get_context("spawn")) as pool:
        started: set[int] = set()
        while len(started) < 4:  # every process up (spawned, imports done) before the clock
            started |= set(pool.map(pid_after, [0.2] * 8))
        add("processes", 4, timed(space, objective, budget, executor=pool))
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("dask is not installed (pip install nasedu[distributed]): no dask row")
        return rows
    with (
        LocalCluster(
            n_workers=4, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(warm)  # the workers import nasedu before the clock, as the processes did
        add("dask LocalCluster", 4, timed(space, objective, budget, executor=client))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per history measurement")
    parser.add_argument("--sleep", type=float, default=0.1, help="seconds per evaluation")
    parser.add_argument("--budget", type=int, default=80, help="evaluations per parallel run")
    parser.add_argument("--max-workers", type=int, default=16, help="largest thread pool")
    args = parser.parse_args()
    rows = history_cost(args.repeats)
    rows += speed_up(args.sleep, args.budget, args.max_workers)
    print()
    print_table(rows, ["what", "no history s", "history s", "ratio", "seconds", "speed-up"])
    save("bench_search", rows, sleep=args.sleep, budget=args.budget, repeats=args.repeats)


if __name__ == "__main__":
    main()
