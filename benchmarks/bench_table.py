"""How much faster is a search on a tabular benchmark than a search that trains?

For the shipped table: queries per second (``bench.query``), a whole random search and a whole
regularized evolution of 100 evaluations (wall time of the search on lookups), and the training
time those same evaluations would have cost (the table's ``train_seconds``): their ratio is the
speed-up a table buys a study of search strategies.

    python benchmarks/bench_table.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import print_table, rate, save

from nasedu.bench import load_benchmark
from nasedu.search import random_search, regularized_evolution


def bench(seconds: float, budget: int = 100) -> list[dict]:
    table = load_benchmark("multibranch-cluttered")
    space = table.space
    rng = np.random.default_rng(0)
    pool = [space.sample(rng) for _ in range(64)]
    rows = [
        {
            "what": "query",
            "per second": rate(lambda i: table.query(pool[i % 64]), seconds),
        }
    ]
    searches = {
        "random search": lambda seed: random_search(
            space, table.objective(), budget, rng=seed, progress=False
        ),
        "regularized evolution": lambda seed: regularized_evolution(
            space, table.objective(), budget, rng=seed, progress=False
        ),
    }
    for name, run in searches.items():
        start = time.perf_counter()
        histories = [run(seed) for seed in range(5)]
        lookup = (time.perf_counter() - start) / len(histories)
        trained = float(np.mean([table.simulated_seconds(h)[-1] for h in histories]))
        rows.append(
            {
                "what": f"{name}, {budget} evaluations",
                "search s": round(lookup, 3),
                "training s": round(trained, 1),
                "speed-up": round(trained / lookup),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per rate measurement")
    args = parser.parse_args()
    rows = bench(args.seconds)
    print_table(rows, ["what", "per second", "search s", "training s", "speed-up"])
    save("bench_table", rows)


if __name__ == "__main__":
    main()
