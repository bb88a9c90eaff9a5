"""Is a hierarchical space harder to search?  The same searches, repeated, on two spaces.

Runs :func:`nasedu.searchability.race`: random search and regularized evolution, the same
budget of evaluations (16) and 8 seeds each, on a small cell-like space (one 5-node motif of
primitives) and a small hierarchical space (three 3-node level-2 motifs under a 4-node level-3
motif), same primitives, network, mutation and training (2 epochs on 500 digits, batch 16).
Every search's incumbent is retrained with another seed.  Prints the summary with 95%
bootstrap confidence intervals and writes

* ``results/bench_searchability-<machine>.json`` (this run, with the machine), and
* with ``--ship``: ``nasedu/precomputed/searchability.json``, the file the notebooks load.

The shipped run took 14 minutes with 4 processes on a shared 2-core CPU; run it niced, one
thread per process:

    OMP_NUM_THREADS=1 nice python benchmarks/bench_searchability.py --jobs 4 --ship
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from common import print_table, save, ship

from nasedu.searchability import SETTINGS, check_result, race, summarise

SHIPPED = Path(__file__).parent.parent / "nasedu" / "precomputed" / "searchability.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=SETTINGS["seeds"])
    parser.add_argument("--budget", type=int, default=SETTINGS["budget"])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (up to 4 used)")
    parser.add_argument("--ship", action="store_true", help=f"also write {SHIPPED}")
    args = parser.parse_args()
    settings = {"seeds": args.seeds, "budget": args.budget}
    start, cpu = time.perf_counter(), time.process_time()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
            result = race(settings, executor=pool, log=partial(print, flush=True))
    else:
        result = race(settings, log=partial(print, flush=True))
    result["wall_seconds"] = round(time.perf_counter() - start, 1)
    result["cpu_seconds_main"] = round(time.process_time() - cpu, 1)
    trained = {
        (r["space"], h): t for r in result["runs"] for h, t in zip(r["hashes"], r["train_seconds"])
    }
    result["train_seconds_total"] = round(sum(trained.values()), 1)  # each architecture once
    check_result(result)
    summary = summarise(result)
    rows = [
        {k: str(v) if hasattr(v, "low") else v for k, v in row.items()} for row in summary["rows"]
    ]
    print_table(rows, list(rows[0]))
    for line in summary["claims"]:
        print(line)
    save("bench_searchability", rows, claims=summary["claims"], result=result)
    if args.ship:
        ship("bench_searchability.py", SHIPPED, result)


if __name__ == "__main__":
    main()
