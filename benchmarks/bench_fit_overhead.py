"""What does ``fit`` cost per *new* architecture, before and around its training steps?

On a GPU, a proxy evaluation of a small chain (3 epochs on digits) took a median 2.0 s on an
H200 against 0.58 s on a 2-core CPU, although its training steps ran twice as fast there.  The
suspects: for every new layer shape the GPU libraries choose, and may compile, kernels before
the first step (cuDNN builds an execution plan per convolution configuration), and these
caches are keyed by shape, arithmetic and memory layout.  This benchmark separates that fixed
cost from the training: it fits each sampled architecture twice, the second time a freshly
built copy of the same architecture (same shapes, warm caches), in several settings:

* fp32 channels-last (what ``fit`` uses on CUDA), fp32 NCHW, bf16 channels-last;
* fp32 NCHW with cuDNN switched off (PyTorch's own convolutions: no plans to build).

The difference *first - again* is the per-architecture overhead.  Each setting gets its own
architectures, so that no setting finds another's shapes cached.

    python benchmarks/bench_fit_overhead.py [--archs 5] [--epochs 3]

Prints a table and writes ``results/bench_fit_overhead-<machine>.json``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from common import print_table, save

from nasedu import data as datasets
from nasedu.spaces import ChainSpace
from nasedu.train import device, fit

SETTINGS = {  # label: (precision, channels_last, cudnn enabled)
    "fp32 + channels-last": ("fp32", True, True),
    "fp32 NCHW": ("fp32", False, True),
    "bf16 + channels-last": ("bf16", True, True),
    "fp32 NCHW, cuDNN off": ("fp32", False, False),
}


def timed_fit(space, genotype, data, epochs, arithmetic, layout) -> tuple[float, float]:
    """Wall seconds of building and fitting ``genotype``, and the seconds ``fit`` reports."""
    torch.manual_seed(0)
    start = time.perf_counter()
    model = space.build(genotype, input_shape=data.input_shape, num_classes=data.num_classes)
    result = fit(
        model, data, epochs=epochs, precision=arithmetic, channels_last=layout, progress=False
    )
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, result.seconds


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
    for index, (label, (arithmetic, layout, cudnn)) in enumerate(SETTINGS.items()):
        torch.backends.cudnn.enabled = cudnn
        first, again, inside = [], [], []
        for k in range(args.archs):
            genotype = space.sample(100 * index + k)
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
                "training s (fit reports)": statistics.median(inside),
                "first fit s (max)": max(first),
            }
        )
        print(", ".join(f"{k} {v:.3g}" if isinstance(v, float) else v for k, v in rows[-1].items()))
        save("bench_fit_overhead", rows, device=str(dev), archs=args.archs, epochs=args.epochs)
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    main()
