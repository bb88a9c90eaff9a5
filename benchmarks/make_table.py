"""Make the tabular benchmark shipped with nasedu (nasedu/bench/multibranch-cluttered.json).

The space: multi-branch networks of 1 to 3 layers over three layers (conv 3x3, conv 5x5, both
16 filters, and max-pool 3x3, all stride 1), every set of earlier outputs as a layer's input,
merged by sum or concat: 1,227 genotypes, 669 distinct architectures; its 39 chains are the
chain-structured subspace.  Every architecture trains 6 epochs (AdamW, lr 0.03, cosine, batch
64) on cluttered digits, once per seed.

    python benchmarks/make_table.py --workers 2 --seeds 0 1

Resumable: finished runs are kept in benchmarks/results/table-checkpoint.json.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from nasedu.bench import make_benchmark

ROOT = Path(__file__).resolve().parent.parent
SPACE = {
    "name": "multibranch",
    "options": {
        "max_layers": 3,
        "layer_types": {
            "conv": {"filters": [16], "kernel": [3, 5], "stride": [1]},
            "pool": {"kind": ["max"], "kernel": [3], "stride": [1]},
        },
        "merges": ["sum", "concat"],
    },
}
DATA = {"name": "cluttered-digits"}
# channels_last=False: the table was made before fit() trained channels-last on x86 CPUs
TRAINING = {"epochs": 6, "lr": 0.03, "batch_size": 64, "channels_last": False}
DESCRIPTION = (
    "Multi-branch networks of 1-3 layers (conv3x3/conv5x5 with 16 filters, max-pool 3x3; any "
    "set of earlier outputs as input, merged by sum or concat) trained 6 epochs on cluttered "
    "digits; its 39 chains form the chain-structured subspace."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "nasedu/bench/multibranch-cluttered.json"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    table = make_benchmark(
        "multibranch-cluttered",
        SPACE,
        DATA,
        TRAINING,
        seeds=args.seeds,
        workers=args.workers,
        checkpoint=ROOT / "benchmarks/results/table-checkpoint.json",
        description=DESCRIPTION,
    )
    table.save(args.out)
    print(table, f"in {time.perf_counter() - start:.0f} s ->", args.out)


if __name__ == "__main__":
    main()
