"""How fast does each space's network train, and how long does one proxy evaluation take?

Three measurements, each printed as a table and kept in ``results/bench_train-<machine>.json``:

1. forward+backward images per second of each space's standard network (the network of its
   seed-0 sample, for 1x8x8 digits, batch 64), on the CPU and on CUDA when present;
2. the DARTS V2 network (C=16, 8 cells, batch 32 of 3x32x32, as in issue 3): CPU fp32, and on
   CUDA fp32 (NCHW and channels_last, which ``fit`` uses), bf16 autocast + channels_last, fp16
   autocast + gradient scaler + channels_last, torch.compile of the GPU's mixed precision, and
   torch.compile with CUDA graphs (``mode="reduce-overhead"``) in float32;
3. a *proxy evaluation*: training a sampled chain architecture for 3 epochs on digits, median
   seconds over several architectures (target: at most 3 s on a 2-core machine, so that a
   50-architecture search fits into a class break);
4. the memory layout on the CPU: the networks the notebooks train, in the default NCHW layout
   and channels-last (NHWC), three samples each; the ratio is why ``fit`` trains channels-last
   on x86 CPUs (``nasedu.train.channels_last``).

    python benchmarks/bench_train.py [--steps 20] [--proxy 8] [--no-layouts] [--darts-only]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import nullcontext

import torch
import torch.nn.functional as F
from common import print_table, save

from nasedu import data as datasets
from nasedu.search import make_objective
from nasedu.spaces import ChainSpace, available_spaces, get_space
from nasedu.train import mixed_precision


def images_per_second(model, shape, batch, device, steps, precision="fp32", channels_last=False):
    """Steady-state throughput of forward+backward+SGD step after 3 warm-up steps.

    ``precision`` is one of nasedu.train.PRECISIONS; "fp16" also runs the gradient scaler, as
    ``fit`` does on a T4 or V100."""
    model = model.to(device)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    x = torch.randn(batch, *shape, device=device).contiguous(memory_format=memory_format)
    y = torch.randint(0, 10, (batch,), device=device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    autocast = torch.autocast(device.type, dtype=dtype) if dtype else nullcontext()
    scaler = torch.amp.GradScaler(device.type, enabled=precision == "fp16")

    def step():
        with autocast:
            out = model(x)
            out = out[0] if isinstance(out, tuple) else out
            loss = F.cross_entropy(out.float(), y)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    for _ in range(3):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return steps * batch / (time.perf_counter() - start)


def devices():
    out = [torch.device("cpu")]
    if torch.cuda.is_available():
        out.append(torch.device("cuda"))
    return out


def bench_spaces(steps: int) -> list[dict]:
    rows = []
    for name in available_spaces():
        space = get_space(name)
        for dev in devices():
            torch.manual_seed(0)
            model = space.build(space.sample(0), input_shape=(1, 8, 8), num_classes=10)
            params = sum(p.numel() for p in model.parameters())
            ips = images_per_second(model, (1, 8, 8), 64, dev, steps)
            rows.append(
                {
                    "network": f"{name} (seed 0)",
                    "device": dev.type,
                    "mode": "fp32",
                    "params": params,
                    "images/s": ips,
                }
            )
    # the hierarchical paper's small model at its own size: 3x32x32, channels 16/32/64
    space = get_space("hierarchical")
    for dev in devices():
        torch.manual_seed(0)
        model = space.build(space.sample(0), input_shape=(3, 32, 32), num_classes=10)
        params = sum(p.numel() for p in model.parameters())
        cpu_steps = max(5, steps // 4) if dev.type == "cpu" else steps
        ips = images_per_second(model, (3, 32, 32), 32, dev, cpu_steps)
        rows.append(
            {
                "network": "hierarchical small model 3x32x32",
                "device": dev.type,
                "mode": "fp32",
                "params": params,
                "images/s": ips,
            }
        )
    return rows


def bench_darts(steps: int, cpu: bool = True) -> Iterator[dict]:
    """DARTS V2's rows one at a time, so that the caller can save each (compiling is slow).

    On CUDA the new questions come first: fit's own setting (fp32 + channels_last) and CUDA
    graphs, which replay a whole training step as one launch -- the cure, if there is one, for
    a network whose time goes into launching thousands of small kernels."""
    from nasedu import zoo

    variants = [("cpu", "fp32", {})] if cpu else []
    if torch.cuda.is_available():
        mixed = mixed_precision("cuda")  # bf16 on an A100/H100, fp16 on a T4 or V100
        variants += [
            ("cuda", "fp32", {}),
            ("cuda", "fp32+channels_last", {"channels_last": True}),  # what fit() uses
            (
                "cuda",
                "fp32+channels_last+compile(reduce-overhead)",
                {"channels_last": True, "compile": "reduce-overhead"},
            ),
            ("cuda", "bf16+channels_last", {"precision": "bf16", "channels_last": True}),
            ("cuda", "fp16+channels_last", {"precision": "fp16", "channels_last": True}),
            (
                "cuda",
                f"{mixed}+channels_last+compile",
                {"precision": mixed, "channels_last": True, "compile": "default"},
            ),
        ]
    for device_name, mode, options in variants:
        torch.manual_seed(0)
        model = zoo.network("darts_v2", C=16, layers=8)
        params = sum(p.numel() for p in model.parameters())
        compile_mode = options.pop("compile", None)
        if compile_mode:
            model = torch.compile(model.to(device_name), mode=compile_mode)
        cpu_steps = max(10, steps // 2) if device_name == "cpu" else steps
        ips = images_per_second(
            model, (3, 32, 32), 32, torch.device(device_name), cpu_steps, **options
        )
        yield {
            "network": "DARTS V2 C=16 L=8",
            "device": device_name,
            "mode": mode,
            "params": params,
            "images/s": ips,
        }


def bench_layouts(steps: int, samples: int = 3) -> list[dict]:
    """CPU throughput of the notebooks' networks in NCHW and channels-last (fp32, batch 64)."""
    from nasedu.spaces.cell import CellSpace

    def sampled(name):
        space = get_space(name)
        return lambda seed, shape: space.build(
            space.sample(seed), input_shape=shape, num_classes=10
        )

    def cells(N, C):
        space = CellSpace()
        return lambda seed, shape: space.build(
            space.sample(seed), input_shape=shape, num_classes=10, N=N, C=C
        )

    networks = [
        ("chain, digits 8x8 (nb 1)", sampled("chain"), (1, 8, 8)),
        ("multi-branch, cluttered 16x16 (nb 4)", sampled("multibranch"), (1, 16, 16)),
        ("cell proxy N=1 C=8 (nb 2)", cells(1, 8), (1, 16, 16)),
        ("cell target N=2 C=16 (nb 2)", cells(2, 16), (1, 16, 16)),
        ("hierarchical, cluttered (nb 3)", sampled("hierarchical"), (1, 16, 16)),
        ("flat, cluttered (nb 3)", sampled("flat"), (1, 16, 16)),
    ]
    cpu, rows = torch.device("cpu"), []
    for label, make, shape in networks:
        nchw, nhwc = [], []
        for seed in range(samples):  # alternate the layouts so that machine noise hits both
            torch.manual_seed(0)
            nchw.append(images_per_second(make(seed, shape), shape, 64, cpu, steps))
            torch.manual_seed(0)
            nhwc.append(
                images_per_second(make(seed, shape), shape, 64, cpu, steps, channels_last=True)
            )
        ratios = [b / a for a, b in zip(nchw, nhwc)]
        rows.append(
            {
                "network": label,
                "NCHW images/s": statistics.median(nchw),
                "channels_last images/s": statistics.median(nhwc),
                "speed-up (median)": statistics.median(ratios),
                "min": min(ratios),
                "max": max(ratios),
            }
        )
    return rows


def bench_proxy(n: int) -> dict:
    space = ChainSpace(max_layers=6)
    digits = datasets.load("digits")
    objective = make_objective(space, digits, epochs=3)
    seconds, scores = [], []
    for seed in range(n):
        start = time.perf_counter()
        scores.append(objective(space.sample(seed))["score"])
        seconds.append(time.perf_counter() - start)
    return {
        "architectures": n,
        "median_seconds": statistics.median(seconds),
        "max_seconds": max(seconds),
        "median_val_accuracy": statistics.median(scores),
        "best_val_accuracy": max(scores),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed training steps")
    parser.add_argument("--proxy", type=int, default=8, help="architectures for the proxy timing")
    parser.add_argument(
        "--no-layouts", action="store_true", help="skip the CPU memory-layout comparison"
    )
    parser.add_argument(
        "--darts-only",
        action="store_true",
        help="only DARTS V2's CUDA rows, into results/bench_train_darts-<machine>.json",
    )
    args = parser.parse_args()
    name = "bench_train_darts" if args.darts_only else "bench_train"
    rows = [] if args.darts_only else bench_spaces(args.steps)
    for row in bench_darts(args.steps, cpu=not args.darts_only):
        rows.append(row)
        print(f"{row['network']}, {row['device']}, {row['mode']}: {row['images/s']:.0f} images/s")
        save(name, rows)  # after every row, so that a run cut short keeps what it has
    if args.darts_only:
        return
    print_table(rows, ["network", "device", "mode", "params", "images/s"])
    proxy = bench_proxy(args.proxy)
    print("\nproxy evaluation (chain space, digits, 3 epochs):")
    for key, value in proxy.items():
        print(f"  {key:20s} {value:.3g}" if isinstance(value, float) else f"  {key:20s} {value}")
    if args.no_layouts:
        save("bench_train", rows, proxy_evaluation=proxy)
        return
    layouts = bench_layouts(max(10, args.steps // 2))
    print("\nCPU memory layout, fp32, batch 64 (speed-up: channels_last over NCHW, 3 samples):")
    print_table(layouts, list(layouts[0]))
    save("bench_train", rows, proxy_evaluation=proxy, cpu_layouts=layouts)


if __name__ == "__main__":
    main()
