"""What does ``fit`` cost per *new* architecture, before and around its training steps?

On a GPU, a proxy evaluation of a small chain (3 epochs on digits) took a median 2.0 s on an
H200 against 0.58 s on a 2-core CPU, although a chain's training steps ran 2 to 4 times as fast
there (bench_train.py: the seed-0 chain at 26,903 images/s in fp32 on the H200 and 6,664 in NCHW
on the CPU; sampled chains at a median 11,400 channels-last on the CPU).  The
suspects: for every new layer shape the GPU libraries choose, and may compile, kernels before
the first step (cuDNN builds an execution plan per convolution configuration), and these
caches are keyed by shape, arithmetic and memory layout.  This benchmark separates that fixed
cost from the training: it fits each sampled architecture twice, the second time a freshly
built copy of the same architecture (same shapes, warm caches), in several settings:

* fp32 channels-last (what ``fit`` uses on CUDA), fp32 NCHW, bf16 channels-last;
* fp32 NCHW with cuDNN switched off (PyTorch's own convolutions: no plans to build).

The difference *first - again* is the per-architecture overhead.  Every setting trains the
same architectures; the GPU libraries key their caches by shape, arithmetic and layout, so each
setting starts cold for its own.  Sampled chains share some layer shapes, so later "first"
fits may find some kernels ready: the overhead measured is a lower bound.

    python benchmarks/bench_fit_overhead.py [--archs 5] [--epochs 3]

Prints a table and writes ``results/bench_fit_overhead-<machine>.json``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import torch
from common import print_table, save

from nasedu import data as datasets
from nasedu.spaces import ChainSpace
from nasedu.train import TrainingDiverged, device, fit

SETTINGS = {  # label: (precision, channels_last, cudnn enabled)
    "fp32 + channels-last": ("fp32", True, True),
    "fp32 NCHW": ("fp32", False, True),
    "bf16 + channels-last": ("bf16", True, True),
    "fp32 NCHW, cuDNN off": ("fp32", False, False),
}


def timed_fit(space, genotype, data, epochs, arithmetic, layout) -> tuple[float, float]:
    """Wall seconds of building and fitting ``genotype``, and the seconds ``fit`` reports
    (NaN when the training diverged: mixed precision can, and the time still counts)."""
    torch.manual_seed(0)
    start = time.perf_counter()
    model = space.build(genotype, input_shape=data.input_shape, num_classes=data.num_classes)
    try:
        seconds = fit(
            model, data, epochs=epochs, precision=arithmetic, channels_last=layout, progress=False
        ).seconds
    except TrainingDiverged:
        seconds = math.nan
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=5, help="architectures per setting")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fit (proxy: 3)")
    args = parser.parse_args()
    dev = device()
    space = ChainSpace(max_layers=6)
    data = datasets.load("digits").to(dev)
    timed_fit(space, space.sample(10_000), data, 1, "fp32", True)  # CUDA context, first kernels
    rows = []
    for label, (arithmetic, layout, cudnn) in SETTINGS.items():
        torch.backends.cudnn.enabled = cudnn
        first, again, inside = [], [], []
        for k in range(args.archs):
            genotype = space.sample(k)
            wall, _ = timed_fit(space, genotype, data, args.epochs, arithmetic, layout)
            first.append(wall)
            wall, seconds = timed_fit(space, genotype, data, args.epochs, arithmetic, layout)
            again.append(wall)
            inside.append(seconds)
        torch.backends.cudnn.enabled = True
        rows.append(
            {
                "setting": label,
                "first fit s (median)": statistics.median(first),
                "same arch again s": statistics.median(again),
                "overhead s": statistics.median(a - b for a, b in zip(first, again)),
                "training s (fit reports)": statistics.median(
                    [t for t in inside if not math.isnan(t)] or [math.nan]
                ),
                "diverged": sum(math.isnan(t) for t in inside),
                "first fit s (max)": max(first),
            }
        )
        print(
            ", ".join(
                f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in rows[-1].items()
            )
        )
        save("bench_fit_overhead", rows, device=str(dev), archs=args.archs, epochs=args.epochs)
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    main()
