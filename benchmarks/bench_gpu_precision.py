"""Which arithmetic and memory layout trains the course's networks fastest on this device?

``fit`` trains in float32 on every device, channels-last where ``nasedu.train.channels_last``
says so, and in mixed precision only when asked (``nasedu.train.mixed_precision``).  This
benchmark checks those choices against the alternatives on DARTS V2 at two sizes (the small
C=16, 8-cell network of ``bench_train.py`` and the paper's CIFAR-10 network: C=36, 20 cells,
batch 96) and on the networks the notebooks really train (batch 64, as ``fit``).  Every rate
is the median of ``--repeats`` runs, the modes taking turns so that machine noise hits all.

Small networks are *launch-bound* on a GPU: the time goes into starting
thousands of tiny kernels, not into arithmetic, so mixed precision (which adds cast kernels)
can make them slower; large networks are compute-bound and gain from it.

    python benchmarks/bench_gpu_precision.py [--steps 20] [--repeats 3] [--only N]

Prints images/s per network and mode, the speed-up of each mode over fp32 NCHW, and writes
``results/bench_gpu_precision-<machine>.json`` after every network.
"""

from __future__ import annotations

import argparse
import statistics

import torch
from bench_train import images_per_second
from common import print_table, save

from nasedu import zoo
from nasedu.spaces import get_space
from nasedu.spaces.cell import CellSpace
from nasedu.train import device as default_device

MODES = {  # label: (precision, channels_last)
    "fp32": ("fp32", False),
    "fp32+cl": ("fp32", True),
    "bf16": ("bf16", False),
    "bf16+cl": ("bf16", True),
    "fp16+cl": ("fp16", True),
}


def workloads():
    """(label, model factory, input shape, batch, steps scale) of the networks measured."""

    def sampled(name):
        space = get_space(name)
        return lambda shape: space.build(space.sample(0), input_shape=shape, num_classes=10)

    def cells(N, C):
        space = CellSpace()
        return lambda shape: space.build(
            space.sample(0), input_shape=shape, num_classes=10, N=N, C=C
        )

    return [
        (
            "DARTS V2 C=16 L=8",
            lambda s: zoo.network("darts_v2", C=16, layers=8),
            (3, 32, 32),
            32,
            1.0,
        ),
        ("DARTS V2 C=36 L=20 (paper)", lambda s: zoo.network("darts_v2"), (3, 32, 32), 96, 0.5),
        ("chain, digits 8x8 (nb 1)", sampled("chain"), (1, 8, 8), 64, 1.0),
        ("multi-branch, cluttered 16x16 (nb 4)", sampled("multibranch"), (1, 16, 16), 64, 1.0),
        ("cell proxy N=1 C=8 (nb 2)", cells(1, 8), (1, 16, 16), 64, 1.0),
        ("cell target N=2 C=16 (nb 2)", cells(2, 16), (1, 16, 16), 64, 1.0),
        ("hierarchical, cluttered (nb 3)", sampled("hierarchical"), (1, 16, 16), 64, 1.0),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed training steps")
    parser.add_argument("--repeats", type=int, default=3, help="runs per mode (median)")
    parser.add_argument("--only", type=int, default=None, help="the first N networks only")
    args = parser.parse_args()
    dev = default_device()
    rows = []
    for label, make, shape, batch, scale in workloads()[: args.only]:
        row = {"network": label, "batch": batch}
        modes = {
            mode: setting
            for mode, setting in MODES.items()
            if dev.type == "cuda" or setting[0] != "fp16"  # fit never uses fp16 on a CPU
        }
        rates: dict[str, list[float]] = {mode: [] for mode in modes}
        steps = max(3, round(args.steps * scale))
        for _ in range(args.repeats):
            for mode, (arithmetic, layout) in modes.items():
                torch.manual_seed(0)
                rates[mode].append(
                    images_per_second(
                        make(shape), shape, batch, dev, steps, arithmetic, channels_last=layout
                    )
                )
        row.update({mode: statistics.median(r) for mode, r in rates.items()})
        for mode in MODES:
            if mode != "fp32" and mode in row:
                row[f"{mode} ×"] = row[mode] / row["fp32"]
        rows.append(row)
        print(
            ", ".join(
                f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()
            )
        )
        save("bench_gpu_precision", rows, device=str(dev), repeats=args.repeats)
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    main()
