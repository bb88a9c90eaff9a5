"""How fast can each search space propose architectures?

For every space: genotypes sampled, mutated and hashed (``arch_hash``) per second, plus
``flatten`` per second where the space has it.  A search strategy calls these thousands of
times, so they must cost microseconds, never a noticeable share of a search.

    python benchmarks/bench_spaces.py [--seconds 1.0]

Target (issue 2): at least 20,000 chain genotypes sampled per second on a 2-core machine.
"""

from __future__ import annotations

import argparse

import numpy as np
from common import print_table, rate, save

from nasedu.spaces import available_spaces, get_space


def bench_space(name: str, seconds: float) -> dict:
    """The rates of one space (its default configuration)."""
    space = get_space(name)
    rng = np.random.default_rng(0)
    pool = [space.sample(rng) for _ in range(64)]
    row = {
        "space": name,
        "size": f"{float(space.size()):.3g}",
        "sample/s": rate(lambda i: space.sample(rng), seconds),
        "mutate/s": rate(lambda i: space.mutate(pool[i % 64], rng), seconds),
        "hash/s": rate(lambda i: space.arch_hash(pool[i % 64]), seconds),
    }
    flatten = getattr(space, "flatten", None)
    if flatten is not None:
        row["flatten/s"] = rate(lambda i: flatten(pool[i % 64]), seconds)
    return row


def bench(seconds: float) -> list[dict]:
    return [bench_space(name, seconds) for name in available_spaces()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    args = parser.parse_args()
    rows = bench(args.seconds)
    print_table(rows, ["space", "size", "sample/s", "mutate/s", "hash/s", "flatten/s"])
    save("bench_spaces", rows)


if __name__ == "__main__":
    main()
