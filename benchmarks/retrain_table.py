"""Retrain the tabular benchmark's best architecture with the table's settings and seeds.

Notebook 4 (section 4.6) retrains the table's best architecture and compares with the table;
in quick mode every fit is cut to a few batches, so it shows this script's result instead.  On
one CPU thread, with the torch version *and the CPU instruction set* (AVX-512, AVX2, ...) the
table was made with, the retraining gives the table's numbers exactly; elsewhere they differ by
training noise (benchmarks/README.md).  Writes
``results/retrain_table-<machine>.json`` and, with ``--ship``,
``nasedu/precomputed/table_retraining.json``.  Under a minute on one CPU thread:

    OMP_NUM_THREADS=1 nice python benchmarks/retrain_table.py --ship
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from common import print_table, save, ship

from nasedu.bench import load_benchmark
from nasedu.train import fit

SHIPPED = Path(__file__).parent.parent / "nasedu" / "precomputed" / "table_retraining.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ship", action="store_true", help=f"also write {SHIPPED}")
    args = parser.parse_args()
    bench = load_benchmark("multibranch-cluttered")
    data = bench.load_data()
    best = bench.best("val")
    torch.set_num_threads(1)  # the table's workers trained on one CPU thread each
    table, retrained, rows = [], [], []
    for run in best.runs:
        torch.manual_seed(run.seed)  # as the table's workers seeded each run
        model = bench.space.build(
            bench.genotype(best), input_shape=data.input_shape, num_classes=data.num_classes
        )
        result = fit(model, data, seed=run.seed, test=True, progress=False, **bench.fit_options)
        table.append(
            {
                "seed": run.seed,
                "val_accuracy": list(run.val_accuracy),
                "test_accuracy": run.test_accuracy,
            }
        )
        again = {
            "seed": run.seed,
            "val_accuracy": [round(a, 4) for a in result.val_accuracy],
            "test_accuracy": round(float(result.test_accuracy), 4),
            "seconds": round(result.seconds, 2),
        }
        retrained.append(again)
        rows.append(
            {
                "seed": run.seed,
                "table val": run.val_accuracy[-1],
                "retrained val": again["val_accuracy"][-1],
                "table test": run.test_accuracy,
                "retrained test": again["test_accuracy"],
                "identical": again["val_accuracy"] == list(run.val_accuracy)
                and again["test_accuracy"] == run.test_accuracy,
            }
        )
    print_table(rows, list(rows[0]))
    settings = {
        "threads": torch.get_num_threads(),
        "device": "cpu",
        "torch": torch.__version__,
        "table_machine": bench.machine,
        **bench.fit_options,
    }
    result = {"hash": best.hash, "settings": settings, "table": table, "retrained": retrained}
    save("retrain_table", rows, result=result)
    if args.ship:
        ship("retrain_table.py", SHIPPED, result)


if __name__ == "__main__":
    main()
