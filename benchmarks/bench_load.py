"""A classroom on one machine: N students (processes) run notebook 1's training at once.

Each student runs the training loop of notebook 1 (``ChainSpace(max_layers=6)`` and
``MultiBranchSpace(max_layers=5)``, ``--samples`` architectures each, 5 epochs on the digits)
in its own process, as a Jupyter kernel would.  The time until the last student is done is
compared with the ideal: ``N x (one student's time alone on one thread) / cores``.  Two
settings: nasedu's thread policy (the default: one thread for these networks) and torch's own
default (as many threads as cores, ``NASEDU_THREADS`` set to the core count).  Target
(issue 12): 6 students on 2 cores within 1.5x of ideal with the policy.

    python benchmarks/bench_load.py --students 1 2 4 6    # writes results/bench_load-cpuN.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def student(samples: int) -> None:
    """One student's notebook-1 training (run in a child process); prints its seconds."""
    import torch

    from nasedu.data import load
    from nasedu.spaces import ChainSpace, MultiBranchSpace
    from nasedu.train import fit

    start = time.perf_counter()
    data = load("digits")
    accuracies = []
    for space in (ChainSpace(max_layers=6), MultiBranchSpace(max_layers=5)):
        for seed in range(samples):
            torch.manual_seed(0)
            model = space.build(
                space.sample(seed), input_shape=data.input_shape, num_classes=data.num_classes
            )
            result = fit(model, data, epochs=5, progress=False)
            accuracies.append(round(result.final_val_accuracy, 4))
    print(json.dumps({"seconds": time.perf_counter() - start, "val_accuracy": accuracies}))


def classroom(students: int, samples: int, threads: str) -> dict:
    """Start ``students`` processes at once; wait for all; their times and the wall time."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "NASEDU_THREADS")}
    env["NASEDU_QUICK"] = "0"
    if threads != "policy":
        env["NASEDU_THREADS"] = threads
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--student", str(samples)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(students)
    ]
    outputs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in processes]
    wall = time.perf_counter() - start
    return {
        "students": students,
        "threads": threads,
        "wall_seconds": wall,
        "student_seconds": [o["seconds"] for o in outputs],
        "same_accuracies": all(o["val_accuracy"] == outputs[0]["val_accuracy"] for o in outputs),
        "val_accuracy": outputs[0]["val_accuracy"],
        "load_average_after": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--students", type=int, nargs="+", default=[1, 2, 4, 6])
    parser.add_argument("--samples", type=int, default=1, help="architectures per space")
    parser.add_argument(
        "--default-students",
        type=int,
        nargs="*",
        default=[2],
        help="classes to run with torch's default threads as well (they collapse: keep small)",
    )
    args = parser.parse_args()
    if args.student is not None:
        student(args.student)
        return
    from common import print_table, save

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    load_before = os.getloadavg()
    alone = classroom(1, args.samples, "1")
    one = alone["wall_seconds"]
    print(f"one student alone, one thread: {one:.1f} s", flush=True)
    rows = [{**alone, "ideal_seconds": one, "vs_ideal": 1.0}]
    settings = [("policy", args.students), (str(cores), args.default_students)]
    for threads, classes in settings:
        for n in classes:
            row = classroom(n, args.samples, threads)
            row["ideal_seconds"] = max(one, n * one / cores)
            row["vs_ideal"] = round(row["wall_seconds"] / row["ideal_seconds"], 2)
            rows.append(row)
            print(f"{n} students, threads {threads}: {row['wall_seconds']:.1f} s", flush=True)
            save("bench_load", rows, quiet=True, cores=cores, partial=True)
    print_table(rows, ["students", "threads", "wall_seconds", "ideal_seconds", "vs_ideal"])
    save(
        "bench_load",
        rows,
        cores=cores,
        samples=args.samples,
        load_average_before=load_before,
        note="ideal = students x (one student alone on one thread) / cores; threads: 'policy' "
        "is nasedu's thread policy, a number is NASEDU_THREADS (torch's default = cores); "
        "the load average includes everything else running on the machine",
    )


if __name__ == "__main__":
    main()
