"""Choose the defaults of cluttered digits by measurement: does the architecture matter?

A data set is a good stage for architecture search when *different architectures reach clearly
different accuracies*: a small random sample of chain architectures should spread widely, and
the best should be clearly above the median.  On plain 8x8 digits most random chains land
at 93-99 %.  This script trains the same architectures -- four hand-written reference networks (an
MLP, one, two and four convolutions) and a seeded random sample of ``ChainSpace`` chains -- on
plain digits and on cluttered digits with several clutter settings, prints one table per data
set and writes everything (architectures, accuracies, seconds, machine) with the shared writer
of the benchmarks (``common.save``) to ``benchmarks/results/measure_cluttered-<machine>.json``:
one row per network and setting, and per setting its data, load average and summary.

Run from the repository root::

    python benchmarks/measure_cluttered.py                      # the recorded measurement
    python benchmarks/measure_cluttered.py --settings clutter1  # one setting (1-2 minutes)

A run with ``--settings`` replaces only those settings in the JSON file and keeps the others, as
long as the recipe (epochs, seconds, space, chains, seed) is the same.  (How long the recorded
run took, and its table: ``benchmarks/README.md``.)

Training recipe for every network: ``nasedu.train.fit`` with its defaults (AdamW, lr 3e-3,
cosine schedule, batch 128), ``--epochs`` epochs but at most ``--seconds`` seconds, one CPU
thread (on a shared machine more threads were *slower*: the threads wait for each other).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))

from common import RESULTS, machine_tag, save

from nasedu.data import load
from nasedu.data.cluttered import load_cluttered_digits
from nasedu.spaces.base import InvalidArchitecture
from nasedu.spaces.chain import ChainGenotype, ChainSpace
from nasedu.spaces.layers import Layer
from nasedu.train import fit, quick

NAME = "measure_cluttered"

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


def conditions() -> dict:
    """How busy the machine was before a setting's training (the machine itself is described
    once, by ``common.save``)."""
    return {
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "quick_mode": quick(),
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", nargs="+", default=RECORDED, choices=list(SETTINGS))
    parser.add_argument("--chains", type=int, default=8, help="random chains per data set")
    parser.add_argument("--max-layers", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    return parser.parse_args(argv)


def earlier(path: Path, recipe: dict) -> tuple[dict, list[dict]]:
    """The settings and rows of an earlier run with the same recipe (to keep), else none."""
    if not path.exists():
        return {}, []
    previous = json.loads(path.read_text())
    if previous.get("recipe") != recipe:
        print(f"{path} was measured with another recipe: starting it afresh")
        return {}, []
    return previous.get("settings", {}), previous.get("rows", [])


def train_one(label: str, genotype, space: ChainSpace, data, args) -> dict:
    """Train one network on ``data`` with the recipe: its row of the results."""
    if genotype == "mlp":
        model, text = mlp(data.input_shape), "Flatten -> Linear(128) -> ReLU -> Linear(10)"
    else:
        model = space.build(genotype, input_shape=data.input_shape, num_classes=10)
        text = repr(genotype)
    result = fit(model, data, epochs=args.epochs, seconds=args.seconds, progress=False)
    return {
        "network": label,
        "architecture": text,
        "genotype": None if genotype == "mlp" else space.to_json(genotype),
        "val_accuracy": result.final_val_accuracy,
        "seconds": round(result.seconds, 2),
        "epochs": result.epochs,
        "params": result.params,
        "macs": result.macs,
    }


def summarise(rows: list[dict]) -> dict:
    """How widely the random chains spread on one setting: what the defaults were chosen by."""
    chain_acc = [r["val_accuracy"] for r in rows if r["network"].startswith("chain-")]
    return {
        "chains_min": min(chain_acc),
        "chains_median": statistics.median(chain_acc),
        "chains_max": max(chain_acc),
        "chains_spread": max(chain_acc) - min(chain_acc),
        "best_minus_median": max(chain_acc) - statistics.median(chain_acc),
        "seconds_median": statistics.median(r["seconds"] for r in rows),
    }


def measure(setting: str, space: ChainSpace, args) -> tuple[dict, list[dict]]:
    """Train the reference networks and the random chains on one setting, printing a row per
    network: ``(the setting's record, its rows)``."""
    name, options = SETTINGS[setting]
    t0 = time.perf_counter()
    data = load(name, **options)
    load_seconds = time.perf_counter() - t0
    before = conditions()  # the load average before this setting's training
    archs: dict[str, object] = {"mlp": "mlp", **REFERENCE_CHAINS}
    archs.update(random_chains(space, args.chains, data.input_shape, args.seed))
    print(f"\n== {setting}: {data!r} {options} (loaded in {load_seconds:.2f} s)")
    header = ("network", "val acc", "seconds", "epochs", "params")
    print("{:<10} {:>7} {:>7} {:>6} {:>8}  architecture".format(*header))
    rows = []
    for label, genotype in archs.items():
        row = train_one(label, genotype, space, data, args)
        rows.append(row)
        print(
            f"{label:<10} {row['val_accuracy']:>7.3f} {row['seconds']:>7.1f} "
            f"{row['epochs']:>6} {row['params']:>8,}  {row['architecture'][:90]}",
            flush=True,
        )
    summary = summarise(rows)
    print("random chains: " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()))
    record = {
        "data": name,
        "options": options,
        "repr": repr(data),
        **before,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "generation_seconds": round(load_seconds, 3),
        "summary": summary,
    }
    return record, [{"setting": setting, **row} for row in rows]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
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
    settings, rows = earlier(args.out / f"{NAME}-{machine_tag()}.json", recipe)
    started = time.perf_counter()
    for setting in args.settings:
        settings[setting], measured = measure(setting, space, args)
        rows = [r for r in rows if r["setting"] != setting] + measured
        path = save(
            NAME,
            rows,
            folder=args.out,
            quiet=True,
            recipe=recipe,
            loader_defaults=DEFAULTS,
            settings=settings,
        )
    print(f"\nwrote {path} ({time.perf_counter() - started:.0f} s for this run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
