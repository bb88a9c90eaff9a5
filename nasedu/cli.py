"""The ``nasedu`` command: a headless tour of the course, and facts about each search space.

``nasedu tour``
    samples architectures from every search space, trains each briefly on the offline digits,
    prints a table (space, genotype, parameters, accuracy, seconds) and writes drawings of the
    best architecture of each space and the training curves to a folder.
``nasedu info SPACE``
    the size of a space, a sample genotype and its network's parameter count.
``nasedu spaces``
    the names of the available spaces.
``nasedu bench [NAME]``
    the tabular benchmarks shipped with nasedu, or the summary of one (its best architecture).
``nasedu doctor``
    what this installation has: versions, the device and arithmetic training will use, quick
    mode, and whether the notebook tools (Jupyter, ipywidgets) and nbgrader are installed -- the
    first thing to paste into a question to your lecturer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["main", "tour"]


def _short(genotype: Any, width: int) -> str:
    text = " ".join(repr(genotype).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[dict[str, Any]], width: int) -> str:
    header = f"{'space':13s} {'genotype':{width}s} {'params':>9s} {'val acc':>8s} {'seconds':>8s}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['space']:13s} {_short(r['genotype'], width):{width}s} {r['params']:9,d} "
            f"{r['val_accuracy']:8.3f} {r['seconds']:8.2f}"
        )
    return "\n".join(lines)


def tour(
    spaces: Sequence[str] | None = None,
    samples: int = 3,
    epochs: int = 3,
    data: str = "digits",
    out: str | Path = "nasedu-tour",
    seed: int = 0,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Sample ``samples`` architectures per space, train each ``epochs`` epochs, report.

    Returns the table rows (also written to ``out/tour.json``) and saves one drawing per space
    (its best architecture) and ``training_curves.png`` under ``out``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from .data import load
    from .spaces import available_spaces, get_space
    from .spaces.checks import InvalidArchitecture
    from .train import TrainingDiverged, TrainingOutOfMemory, describe_device, fit
    from .viz import plot_training

    names = list(spaces) if spaces else available_spaces()
    dataset = load(data)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"nasedu tour: {dataset!r}; training on {describe_device()}", flush=True)
    rows: list[dict[str, Any]] = []
    curves = {}
    for name in names:
        space = get_space(name)
        print(f"\n{space!r}", flush=True)
        best = None
        for i in range(samples):
            genotype = space.sample(seed * 1000 + i)
            torch.manual_seed(seed)
            start = time.perf_counter()
            try:
                model = space.build(
                    genotype, input_shape=dataset.input_shape, num_classes=dataset.num_classes
                )
                result = fit(
                    model, dataset, epochs=epochs, progress=progress, desc=f"{name} #{i + 1}"
                )
            except (InvalidArchitecture, TrainingDiverged, TrainingOutOfMemory) as error:
                # one failing architecture is a finding of the tour, not the end of it
                print(f"{name} #{i + 1} failed: {error}", flush=True)
                rows.append(
                    {
                        "space": name,
                        "genotype": genotype,
                        "params": 0,
                        "macs": 0,
                        "val_accuracy": float("nan"),
                        "seconds": time.perf_counter() - start,
                        "error": str(error),
                    }
                )
                continue
            row = {
                "space": name,
                "genotype": genotype,
                "params": result.params,
                "macs": result.macs,
                "val_accuracy": result.final_val_accuracy,
                "seconds": time.perf_counter() - start,
            }
            rows.append(row)
            curves[f"{name} #{i + 1}"] = result
            if best is None or row["val_accuracy"] > best["val_accuracy"]:
                best = row
        if best is not None:
            fig_or_ax = space.plot(best["genotype"])
            figure = fig_or_ax if hasattr(fig_or_ax, "savefig") else fig_or_ax.figure
            figure.savefig(out / f"{name}.png", dpi=120, bbox_inches="tight")
            plt.close(figure)
    print()
    print(_table(rows, width=60))
    ax = plot_training(curves)
    ax.set_title(f"nasedu tour on {data}")
    ax.figure.savefig(out / "training_curves.png", dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
    spaces_by_name = {name: get_space(name) for name in names}
    report = [
        {**r, "genotype": spaces_by_name[r["space"]].to_json(r["genotype"])["genotype"]}
        for r in rows
    ]
    (out / "tour.json").write_text(json.dumps(report, indent=1))
    print(f"\nfigures and tour.json written to {out.resolve()}")
    return rows


def _info(name: str) -> None:
    from .measure import count_parameters
    from .spaces import get_space

    space = get_space(name)
    genotype = space.sample(0)
    model = space.build(genotype)
    print(repr(space))
    print(f"size: {space.size():,} genotypes (about 10^{len(str(space.size())) - 1})")
    print(f"a sample (seed 0): {genotype!r}")
    print(f"its network for 1x8x8 digits: {count_parameters(model):,} parameters")
    print(f"hash: {space.arch_hash(genotype)}")


def _bench(name: str | None) -> None:
    import numpy as np

    from .bench import available_benchmarks, load_benchmark

    if name is None:
        for table in available_benchmarks():
            print(f"{table}: {load_benchmark(table)!r}")
        return
    bench = load_benchmark(name)
    print(repr(bench))
    if bench.description:
        print(bench.description)
    print(f"space: {bench.space!r}")
    print(f"training: {bench.training}; made on: {bench.machine}")
    val, test = bench.val_accuracies(), bench.test_accuracies()
    print(f"validation accuracy: median {np.median(val):.3f}, best {val.max():.3f}")
    best = bench.best("val")
    print(f"best by validation (test {best.test_accuracy():.3f}, {best.params:,} parameters):")
    print(bench.genotype(best))
    print(f"best test accuracy in the table: {test.max():.3f}")


def doctor() -> dict[str, str]:
    """What this installation has, as ``{item: description}`` (printed by ``nasedu doctor``)."""
    import importlib.metadata
    import platform

    import torch

    from . import __version__
    from .train import describe_device, quick

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    report = {
        "nasedu": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "training on": describe_device(),
        "quick mode": "on (NASEDU_QUICK): budgets are capped" if quick() else "off",
    }
    for package, needed_for in [
        ("jupyterlab", "the notebooks"),
        ("ipywidgets", "the interactive explorers"),
        ("nbgrader", "the graded exercises"),
    ]:
        report[package] = f"{version(package)} (for {needed_for})"
    return report


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (exit status 2), not usage plus error."""

    def error(self, message: str) -> NoReturn:
        from .checks import cap

        one_line = " ".join(cap(message, 300).split())
        self.exit(2, f"{self.prog}: error: {one_line} (see {self.prog} --help)\n")


def _count(least: int, most: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [least, most] (``--samples 0`` made an empty tour)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            message = f"expected a whole number, got {text[:40]!r}"
            raise argparse.ArgumentTypeError(message) from None
        if not least <= value <= most:
            raise argparse.ArgumentTypeError(f"must be between {least} and {most}, got {value}")
        return value

    return parse


def _check_tour_arguments(args: argparse.Namespace) -> None:
    """Refuse unknown names and an unusable --out before anything is trained."""
    from .data import LOADERS
    from .spaces import available_spaces

    names = args.spaces.split(",") if args.spaces else []
    unknown = [name for name in names if name not in available_spaces()]
    if unknown:
        raise ValueError(
            f"unknown search space {unknown[0][:40]!r} in --spaces; available: "
            f"{', '.join(available_spaces())}"
        )
    if args.data not in LOADERS:
        raise ValueError(
            f"unknown data set {args.data[:40]!r}; available: {', '.join(sorted(LOADERS))}"
        )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {args.out[:80]!r} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write into the folder --out {args.out[:80]!r}")


def _report(error: BaseException) -> int:
    """One line on stderr for ``error``; the exit status: 2 for bad input, 1 otherwise."""
    from .checks import cap

    bad_input = isinstance(error, (ValueError, KeyError))
    if isinstance(error, KeyError) and error.args:  # str(KeyError) adds quotes
        text = str(error.args[0])
    elif isinstance(error, OSError) and error.strerror and error.filename:
        text = f"{error.strerror}: {error.filename}"  # not "[Errno 2] ..."
    else:
        text = str(error) or type(error).__name__
    if not isinstance(error, (ValueError, KeyError, OSError)):
        text = f"{type(error).__name__}: {text}"
    hint = "" if bad_input else " (run again with --debug to see where it happened)"
    print(f"nasedu: error: {' '.join(cap(text, 400).split())}{hint}", file=sys.stderr)
    return 2 if bad_input else 1


def main(argv: Sequence[str] | None = None) -> int:
    """The ``nasedu`` command.  Any error is one line on stderr and a non-zero exit status (2
    for bad input); ``--debug``, anywhere on the command line, shows the full traceback."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = ["--debug"] * debug + [a for a in argv if a != "--debug"]
    parser = _Parser(prog="nasedu", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True)
    p_tour = sub.add_parser("tour", help="sample, train and draw architectures of every space")
    p_tour.add_argument("--spaces", help="comma-separated space names (default: all)")
    p_tour.add_argument(
        "--samples", type=_count(1, 1000), default=3, help="architectures per space"
    )
    p_tour.add_argument(
        "--epochs", type=_count(1, 100_000), default=3, help="training epochs per architecture"
    )
    p_tour.add_argument("--data", default="digits", help="data set name (default: digits)")
    p_tour.add_argument("--out", default="nasedu-tour", help="folder for figures and JSON")
    p_tour.add_argument("--seed", type=_count(0, 2**32 - 1), default=0)
    p_tour.add_argument("--no-progress", action="store_true", help="hide progress bars")
    p_info = sub.add_parser("info", help="size and a sample of one search space")
    p_info.add_argument("space")
    sub.add_parser("spaces", help="list the search spaces")
    p_bench = sub.add_parser("bench", help="list the tabular benchmarks, or describe one")
    p_bench.add_argument("name", nargs="?")
    sub.add_parser("doctor", help="versions, device, quick mode, optional tools")
    from .grader.cli import add_commands

    add_commands(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "tour":
            _check_tour_arguments(args)
            tour(
                spaces=args.spaces.split(",") if args.spaces else None,
                samples=args.samples,
                epochs=args.epochs,
                data=args.data,
                out=args.out,
                seed=args.seed,
                progress=not args.no_progress,
            )
        elif args.command == "info":
            _info(args.space)
        elif args.command == "bench":
            _bench(args.name)
        elif args.command == "doctor":
            for item, description in doctor().items():
                print(f"{item:12s} {description}")
        elif hasattr(args, "run"):  # commands registered by other modules (nasedu grade)
            args.run(args)
        else:
            from .spaces import available_spaces

            print("\n".join(available_spaces()))
    except KeyboardInterrupt:
        print("nasedu: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if debug:
            raise
        return _report(error)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
