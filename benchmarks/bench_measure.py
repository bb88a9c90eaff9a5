"""Counting multiply-adds from shapes against one real forward pass of one image.

For each zoo network (CIFAR-10, C=36, 20 cells) and the cell builder's default network:
the median seconds of ``count_macs`` (shapes only) and of one forward pass of one image in eval
mode (what the old hook-based count cost), on one thread.  Target (issue 12): NASNet-A counted
in under a quarter of one forward pass.

    python benchmarks/bench_measure.py          # writes results/bench_measure-cpuN.json
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

from common import print_table, save

from nasedu import zoo
from nasedu.measure import count_macs


def median_seconds(fn, repeats: int = 7) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    torch.set_num_threads(1)
    rows = []
    for name in sorted(zoo.GENOTYPES):
        model = zoo.network(name).eval()
        x = torch.zeros(1, 3, 32, 32)

        def forward(model=model, x=x):
            with torch.no_grad():
                model(x)

        count = median_seconds(lambda model=model: count_macs(model, (3, 32, 32)))
        real = median_seconds(forward)
        rows.append(
            {
                "network": f"{name} (CIFAR, C=36, 20 cells)",
                "macs": count_macs(model, (3, 32, 32)),
                "count_seconds": count,
                "forward_seconds": real,
                "ratio": round(count / real, 3),
            }
        )
    print_table(rows, ["network", "macs", "count_seconds", "forward_seconds", "ratio"])
    save("bench_measure", rows, note="ratio = count_macs seconds / one forward pass, 1 thread")


if __name__ == "__main__":
    main()
