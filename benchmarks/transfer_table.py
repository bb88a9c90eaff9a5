"""Do the tabular benchmark's best architectures stay best on another data set?

A tabular benchmark measures one space on one data set (notebook 4, 4.8): "transferability to
other datasets", a pro of the lecture, is outside what it can say.  This script measures it for
the shipped table the way the cell papers did for CIFAR-10 -> ImageNet, on a small scale: it
retrains architectures of ``multibranch-cluttered`` (16x16 canvases, 8x8 digits, one clutter
fragment) on a harder data set with larger images -- 24x24 canvases, 12x12 digits, three
fragments of clutter -- with the table's training settings and two seeds, and compares.

Architectures: the table's 10 best by validation accuracy and 20 more spread evenly over the
rest of its ranking.  Over such a spread, rank correlation is dominated by easy pairs (a network
at 20% against one at 85%), so the correlation within the top 10 is reported too.

    python benchmarks/transfer_table.py [--workers 2]

Prints the comparison and writes ``results/transfer_table-<machine>.json``.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
from common import print_table, save

from nasedu.bench import load_benchmark
from nasedu.bench.build import init_worker, train_architecture
from nasedu.measure import rank_correlation, top_k_overlap

TARGET = {"name": "cluttered-digits", "size": 24, "digit_size": 12, "clutter": 3}
TOP, SPREAD, SEEDS = 10, 20, (0, 1)


def chosen_records(bench) -> list[tuple[int, object]]:
    """``(rank in the table, record)``: the 10 best by validation accuracy, then 20 evenly
    spaced over the rest of the ranking."""
    ranked = sorted(bench, key=lambda r: -r.val_accuracy())
    picks = np.linspace(TOP, len(ranked) - 1, SPREAD).round().astype(int)
    return [(int(i) + 1, ranked[int(i)]) for i in [*range(TOP), *picks]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bench = load_benchmark("multibranch-cluttered")
    training = {k: v for k, v in bench.fit_options.items() if k != "channels_last"}
    chosen = chosen_records(bench)
    records = [record for _, record in chosen]
    jobs = [(r, seed) for r in records for seed in SEEDS]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers, get_context("spawn"), initializer=init_worker) as pool:
        futures = [
            pool.submit(train_architecture, bench.space_spec, TARGET, training, r.genotype, seed)
            for r, seed in jobs
        ]
        runs = [future.result()[2] for future in futures]
    seconds = time.perf_counter() - start
    target = {}  # hash -> {seed: final validation accuracy}
    for (record, seed), run in zip(jobs, runs):
        target.setdefault(record.hash, {})[seed] = run.val_accuracy[-1]

    source_val = [r.val_accuracy() for r in records]  # the table: mean of its two seeds
    target_val = [float(np.mean(list(target[r.hash].values()))) for r in records]

    def table_seed(seed: int) -> list[float]:
        return [r.val_accuracy(seed=seed) for r in records]

    def other_seed(seed: int) -> list[float]:
        return [target[r.hash][seed] for r in records]

    summary = {
        "architectures": len(records),
        # single runs against single runs, like the noise ceilings below
        "rank correlation, table vs other data set (one run each)": float(
            np.mean([rank_correlation(table_seed(a), other_seed(b)) for a in SEEDS for b in SEEDS])
        ),
        "rank correlation, table vs other data set (means of 2 seeds)": rank_correlation(
            source_val, target_val
        ),
        "noise ceiling on the other data set (seed 0 vs 1)": rank_correlation(
            other_seed(0), other_seed(1)
        ),
        "table's own seed 0 vs 1 (same architectures)": rank_correlation(
            table_seed(0), table_seed(1)
        ),
        "rank correlation within the table's top 10": rank_correlation(
            source_val[:TOP], target_val[:TOP]
        ),
        "top-5 overlap, table vs other data set": top_k_overlap(source_val, target_val, k=5),
        "target rank of the table's best (1 = best)": 1
        + sum(v > target_val[0] for v in target_val),
        "table's best on the other data set": target_val[0],
        "best on the other data set": max(target_val),
        "training seconds (all runs, wall clock)": seconds,
    }
    rows = [
        {
            "table rank": rank,
            "table val": s,
            "other data val": t,
            "other data val by seed": [target[r.hash][seed] for seed in SEEDS],
            "params": r.params,
            "architecture": " ".join(repr(bench.genotype(r)).split())[:60],
        }
        for (rank, r), s, t in zip(chosen, source_val, target_val)
    ]
    print_table(rows, ["table rank", "table val", "other data val", "params", "architecture"])
    print()
    for key, value in summary.items():
        print(f"  {key:60s} {value:.3f}" if isinstance(value, float) else f"  {key:60s} {value}")
    save(
        "transfer_table",
        rows,
        summary=summary,
        source="multibranch-cluttered",
        target=TARGET,
        training=training,
        seeds=list(SEEDS),
    )


if __name__ == "__main__":
    main()
