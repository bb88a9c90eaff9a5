"""Choose the defaults of cluttered digits by measurement: does the architecture matter?

A data set is a good stage for architecture search when *different architectures reach clearly
different accuracies*: a small random sample of chain architectures should spread widely, and
the best should be clearly above the median.  On plain 8x8 digits most random chains land
at 93-99 %.  This script trains the same architectures -- four hand-written reference networks (an
MLP, one, two and four convolutions) and a seeded random sample of ``ChainSpace`` chains -- on
plain digits and on cluttered digits with several clutter settings, prints one table per data
set and writes everything (architectures, accuracies, seconds, machine) to
``benchmarks/results/cluttered_digits.json``.

Run from the repository root::

    python benchmarks/measure_cluttered.py                      # the recorded measurement
    python benchmarks/measure_cluttered.py --settings clutter1  # one setting (1-2 minutes)

The recorded run (5 settings x 12 networks) took 461 s on a 2-core CPU shared with three other
jobs.  A run with ``--settings`` replaces only those settings in the JSON file and keeps the
others, as long as the recipe (epochs, seconds, space, chains, seed) is the same.

Training recipe for every network: ``nasedu.train.fit`` with its defaults (AdamW, lr 3e-3,
cosine schedule, batch 128), ``--epochs`` epochs but at most ``--seconds`` seconds, one CPU
thread (on a shared machine more threads were *slower*: the threads wait for each other).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

from nasedu.data import load
from nasedu.data.cluttered import load_cluttered_digits
from nasedu.spaces.base import InvalidArchitecture
from nasedu.spaces.chain import ChainGenotype, ChainSpace
from nasedu.spaces.layers import Layer
from nasedu.train import fit, quick

RESULTS = Path(__file__).parent / "results" / "cluttered_digits.json"

#: the defaults of load_cluttered_digits (what this measurement chose), recorded in the JSON
DEFAULTS = {
    name: p.default
    for name, p in inspect.signature(load_cluttered_digits).parameters.items()
    if name != "seed"
}

#: data sets compared: name -> load() options (plain digits first, then clutter candidates)
SETTINGS: dict[str, tuple[str, dict]] = {
    "plain": ("digits", {}),
    "clutter0": ("cluttered-digits", {"clutter": 0, "noise": 0.1}),
    "clutter1": ("cluttered-digits", {"clutter": 1, "noise": 0.1}),
    "clutter2": ("cluttered-digits", {"clutter": 2, "noise": 0.1}),
    "clutter3": ("cluttered-digits", {"clutter": 3, "noise": 0.1}),
    "clutter4": ("cluttered-digits", {"clutter": 4, "noise": 0.1}),
    "clutter6": ("cluttered-digits", {"clutter": 6, "noise": 0.15}),
}

#: the settings of the recorded measurement (clutter6 is there to try by hand)
RECORDED = ["plain", "clutter0", "clutter1", "clutter2", "clutter4"]


def conv(filters: int, stride: int = 1, kernel: int = 3) -> Layer:
    return Layer("conv", filters=filters, kernel=kernel, stride=stride)


#: the four reference networks of issue 5 (all but the MLP are chains of the chain space)
REFERENCE_CHAINS: dict[str, ChainGenotype] = {
    "one-conv": ChainGenotype((conv(32),)),
    "two-conv": ChainGenotype((conv(32), conv(64, 2))),
    "four-conv": ChainGenotype((conv(32), conv(32, 2), conv(64), conv(64, 2))),
}


def mlp(input_shape: tuple[int, int, int], hidden: int = 128) -> nn.Module:
    """The MLP reference: flatten, one hidden layer of ``hidden`` ReLUs, linear classifier."""
    c, h, w = input_shape
    return nn.Sequential(
        nn.Flatten(), nn.Linear(c * h * w, hidden), nn.ReLU(), nn.Linear(hidden, 10)
    )


def random_chains(
    space: ChainSpace, count: int, input_shape, seed: int
) -> dict[str, ChainGenotype]:
    """``count`` seeded random chains that can be built for ``input_shape`` (others skipped)."""
    chains: dict[str, ChainGenotype] = {}
    index = 0
    while len(chains) < count:
        genotype = space.sample(seed * 1000 + index)
        index += 1
        try:
            space.build(genotype, input_shape=input_shape, num_classes=10)
        except InvalidArchitecture:
            continue  # the resolution collapses on this input: not a trainable network
        chains[f"chain-{len(chains)}"] = genotype
    return chains


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "quick_mode": quick(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", nargs="+", default=RECORDED, choices=list(SETTINGS))
    parser.add_argument("--chains", type=int, default=8, help="random chains per data set")
    parser.add_argument("--max-layers", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    space = ChainSpace(max_layers=args.max_layers)
    recipe = {
        "epochs": args.epochs,
        "seconds_cap": args.seconds,
        "space": repr(space),
        "chain_seed": args.seed,
        "fit": "nasedu.train.fit defaults (AdamW lr 3e-3, cosine, batch 128)",
        "chains": args.chains,
    }
    report = {"recipe": recipe, "loader_defaults": DEFAULTS, "settings": {}}
    if args.out.exists():  # keep the settings measured earlier with the same recipe
        previous = json.loads(args.out.read_text())
        if previous.get("recipe") == recipe:
            report["settings"] = previous.get("settings", {})
        else:
            print(f"{args.out} was measured with another recipe: starting it afresh")
    started = time.perf_counter()
    for setting in args.settings:
        name, options = SETTINGS[setting]
        t0 = time.perf_counter()
        data = load(name, **options)
        load_seconds = time.perf_counter() - t0
        info = machine()  # the load average before this setting's training
        archs: dict[str, object] = {"mlp": "mlp", **REFERENCE_CHAINS}
        archs.update(random_chains(space, args.chains, data.input_shape, args.seed))
        rows = []
        print(f"\n== {setting}: {data!r} {options} (loaded in {load_seconds:.2f} s)")
        header = ("network", "val acc", "seconds", "epochs", "params")
        print("{:<10} {:>7} {:>7} {:>6} {:>8}  architecture".format(*header))
        for label, genotype in archs.items():
            if genotype == "mlp":
                model, text = mlp(data.input_shape), "Flatten -> Linear(128) -> ReLU -> Linear(10)"
            else:
                model = space.build(genotype, input_shape=data.input_shape, num_classes=10)
                text = repr(genotype)
            result = fit(model, data, epochs=args.epochs, seconds=args.seconds, progress=False)
            row = {
                "network": label,
                "architecture": text,
                "genotype": None if genotype == "mlp" else space.to_json(genotype),
                "val_accuracy": result.final_val_accuracy,
                "seconds": round(result.seconds, 2),
                "epochs": result.epochs,
                "params": result.params,
                "macs": result.macs,
            }
            rows.append(row)
            print(
                f"{label:<10} {row['val_accuracy']:>7.3f} {row['seconds']:>7.1f} "
                f"{row['epochs']:>6} {row['params']:>8,}  {text[:90]}",
                flush=True,
            )
        chain_acc = [r["val_accuracy"] for r in rows if r["network"].startswith("chain-")]
        summary = {
            "chains_min": min(chain_acc),
            "chains_median": statistics.median(chain_acc),
            "chains_max": max(chain_acc),
            "chains_spread": max(chain_acc) - min(chain_acc),
            "best_minus_median": max(chain_acc) - statistics.median(chain_acc),
            "seconds_median": statistics.median(r["seconds"] for r in rows),
        }
        print("random chains: " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()))
        report["settings"][setting] = {
            "data": name,
            "options": options,
            "repr": repr(data),
            "machine": info,
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "generation_seconds": round(load_seconds, 3),
            "results": rows,
            "summary": summary,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {args.out} ({time.perf_counter() - started:.0f} s for this run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
