"""How long `nasedu tour` takes here, per network and in all, and what it printed.

Runs the tour with its defaults (or ``--epochs``/``--samples``) and saves each network's
seconds, accuracy and size, the seconds per network-epoch, and the machine's load average
(the tour's table must not depend on load; its time does).  ``--existing DIR`` summarises a
tour already run into DIR instead (its ``tour.json``), with the epochs and load given.

    python benchmarks/bench_tour.py                 # writes results/bench_tour-cpuN.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main() -> None:
    from common import print_table, save

    from nasedu.cli import TOUR_EPOCHS, TOUR_SAMPLES, tour

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=TOUR_EPOCHS)
    parser.add_argument("--samples", type=int, default=TOUR_SAMPLES)
    parser.add_argument("--existing", help="a folder a tour wrote (summarise, do not train)")
    parser.add_argument("--load-average", type=float, help="with --existing: the load during it")
    args = parser.parse_args()
    if args.existing:
        rows = json.loads((Path(args.existing) / "tour.json").read_text())
        wall, load = sum(r["seconds"] for r in rows), args.load_average
    else:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            tour(samples=args.samples, epochs=args.epochs, out=out, progress=False)
            rows = json.loads((Path(out) / "tour.json").read_text())
        wall, load = time.perf_counter() - start, os.getloadavg()[0]
    table = [
        {k: r[k] for k in ("space", "sample", "params", "macs", "val_accuracy", "seconds")}
        for r in rows
    ]
    print_table(table, ["space", "sample", "params", "macs", "val_accuracy", "seconds"])
    per_network_epoch = sum(r["seconds"] for r in rows) / (len(rows) * args.epochs)
    print(f"\n{wall:.0f} s in all, {per_network_epoch:.1f} s per network-epoch, load {load}")
    save(
        "bench_tour",
        table,
        epochs=args.epochs,
        samples=args.samples,
        total_seconds=wall,
        seconds_per_network_epoch=per_network_epoch,
        load_average=load,
        note="load_average: the 1-minute load average at the end (2 cores: above 2 means the "
        "tour shared the cores with other work, and took longer than on an idle machine)",
    )


if __name__ == "__main__":
    main()
