"""How many torch threads should one fit use?  The course's networks with 1 and 2 threads.

Every setting runs in a fresh process (OpenMP reads ``OMP_WAIT_POLICY`` once, when torch is
imported), which trains each course network for one epoch of ``--steps`` batches (the same
``fit`` the notebooks call, validation included) and reports seconds per fit.  Each setting
runs twice: on the machine as it is ("idle") and with ``--load`` busy processes competing for
the cores ("loaded", as on a classroom JupyterHub or a busy laptop).  Settings:

* ``threads`` 1 or 2 (``torch.set_num_threads``);
* ``wait``: ``default`` (OpenMP threads spin for a while before sleeping) or ``passive``
  (``OMP_WAIT_POLICY=PASSIVE``: they sleep at once).

    python benchmarks/bench_threads.py            # writes results/bench_threads-cpuN.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _networks():
    """The course's networks as the notebooks train them: (name, model, data)."""
    from nasedu.data import load
    from nasedu.spaces import ChainSpace, MultiBranchSpace
    from nasedu.spaces.cell import CellSpace
    from nasedu.spaces.hierarchical import HierarchicalSpace

    digits, cluttered = load("digits"), load("cluttered-digits")
    cell = CellSpace()
    specs = [
        ("nb01 chain", ChainSpace(max_layers=6), {}, digits),
        ("nb01 multibranch", MultiBranchSpace(max_layers=5), {}, digits),
        ("nb02 cell N1 C8", cell, {"N": 1, "C": 8}, cluttered),
        ("nb02 cell N2 C16", cell, {"N": 2, "C": 16}, cluttered),
        ("nb03 hier", HierarchicalSpace(), {}, digits),
        ("large: cell N6 C36", cell, {"N": 6, "C": 36}, cluttered),  # a paper-size network
    ]
    for name, space, macro, data in specs:
        model = space.build(
            space.sample(0), input_shape=data.input_shape, num_classes=data.num_classes, **macro
        )
        yield name, model, data


def child(threads: int, steps: int) -> None:
    """Run in the child process: one fit per network, print JSON rows."""
    import torch

    from nasedu.measure import count_macs
    from nasedu.train import fit

    torch.set_num_threads(threads)
    rows = []
    for name, model, data in _networks():
        n = steps if not name.startswith("large") else 1
        small = data.shrink(train=64 * n, val=256)
        fit(model, small.shrink(train=128, val=64), epochs=1, progress=False)  # warm up
        start = time.perf_counter()
        fit(model, small, epochs=1, progress=False)
        print(name, time.perf_counter() - start, file=sys.stderr, flush=True)
        rows.append(
            {
                "load_average": os.getloadavg()[0],
                "network": name,
                "macs": count_macs(model, data.input_shape),
                "seconds": time.perf_counter() - start,
            }
        )
    print(json.dumps(rows))


def _burn(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def run_setting(threads: int, wait: str, load: int, steps: int) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    if wait == "passive":
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    env["NASEDU_QUICK"] = "0"
    env["NASEDU_THREADS"] = str(threads)  # fit's thread policy steps aside for this
    stop = mp.Event()
    burners = [mp.Process(target=_burn, args=(stop,)) for _ in range(load)]
    for p in burners:
        p.start()
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(threads), "--steps", str(steps)],
            env=env,
            capture_output=True,
            text=True,
        )
        if out.returncode:
            raise RuntimeError(f"the child failed:\n{out.stderr}")
        out = out.stdout
    finally:
        stop.set()
        for p in burners:
            p.join()
    rows = json.loads(out.strip().splitlines()[-1])
    for r in rows:
        r.update(threads=threads, wait=wait, load=load)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=10, help="training batches per fit")
    parser.add_argument("--load", type=int, default=2, help="busy processes for 'loaded'")
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.steps)
        return
    from common import print_table, save

    rows = []
    for load in (0, args.load):
        for wait in ("default", "passive"):
            for threads in (1, 2):
                rows += run_setting(threads, wait, load, args.steps)
                print(f"done: load {load}, wait {wait}, {threads} thread(s)", flush=True)
                save("bench_threads", rows, quiet=True, steps=args.steps, partial=True)
    base = {
        (r["network"], r["load"]): r["seconds"]
        for r in rows
        if r["threads"] == 1 and r["wait"] == "default"
    }
    for r in rows:
        r["vs_1_thread"] = round(r["seconds"] / base[(r["network"], r["load"])], 3)
    print_table(rows, ["network", "macs", "load", "wait", "threads", "seconds", "vs_1_thread"])
    save(
        "bench_threads",
        rows,
        steps=args.steps,
        load_average_before=os.getloadavg(),
        note="load = busy Python processes running beside the fit; vs_1_thread = seconds / "
        "seconds of 1 thread, default wait policy, same load",
    )


if __name__ == "__main__":
    main()
