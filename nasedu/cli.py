"""The ``nasedu`` command: a headless tour of the course, and facts about each search space.

``nasedu tour``
    samples architectures from every search space, trains each briefly on the offline digits,
    prints a table (space, parameters, multiply-adds, accuracy, then the genotypes) and writes
    drawings of the best architecture of each space and the training curves to a folder.
    Budgets in epochs: the same table on a fast or a busy machine.
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


TOUR_SAMPLES = 2
TOUR_EPOCHS = 3
TOUR_MACRO: dict[str, dict[str, Any]] = {"flat": {"channels": (4, 8, 16)}}
"""Network options per space in the tour: the flat baseline's cell has no 1x1 convs to narrow
it, so at the hierarchical model's widths it is several times larger and slower; at these
widths it has about as many parameters as the hierarchical model."""
TOUR_SECONDS_PER_NETWORK_EPOCH = 6.3
"""About what one network's epoch on the digits takes in the tour on an idle 2-core CPU: the
basis of the estimate the tour prints before it starts (measured by
``benchmarks/bench_tour.py``; how, in ``benchmarks/README.md``)."""


def _short(genotype: Any, width: int) -> str:
    """``repr`` on one line without the class name, cut to ``width`` characters."""
    text = " ".join(repr(genotype).split())
    name, bracket, inner = text.partition("(")
    if bracket and name.endswith("Genotype") and inner.endswith(")"):
        text = inner[:-1].strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[dict[str, Any]]) -> str:
    """Accuracy and size of every trained network, each space's rows under its own name,
    then each network's genotype (shortened; tour.json has them in full)."""
    header = f"{'space':13s} {'#':>2s} {'params':>9s} {'MACs':>11s} {'val acc':>8s}"
    lines = [header, "-" * len(header)]
    previous = None
    for r in rows:
        name = r["space"] if r["space"] != previous else ""
        previous = r["space"]
        lines.append(
            f"{name:13s} {r['sample']:2d} {r['params']:9,d} {r['macs']:11,d} "
            f"{r['val_accuracy']:8.3f}" + ("  failed" if "error" in r else "")
        )
    lines.append("")
    for r in rows:
        lines.append(f"{r['space']} #{r['sample']}: {_short(r['genotype'], 160)}")
    return "\n".join(lines)


def _estimate(networks: int, epochs: int, data: str) -> str:
    minutes = networks * epochs * TOUR_SECONDS_PER_NETWORK_EPOCH / 60
    where = "on digits" if data == "digits" else f"on {data}, slower than on digits"
    return (
        f"nasedu tour: {networks} networks x {epochs} epochs, about {max(1, round(minutes))} "
        f"minute(s) {where} on an idle 2-core CPU (longer on a busy one).  Larger runs: "
        "--samples N, --epochs N, --data cluttered-digits; the notebooks go further."
    )


def _plot_curves(curves: dict[str, Any], title: str):
    """Validation accuracy per epoch: one colour per space, one line style per sample, the
    legend beside the axes (not over the curves)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    spaces = list(dict.fromkeys(label.split(" #")[0] for label in curves))
    colours = plt.get_cmap("tab10").colors
    styles = ["-", "--", ":", "-."]
    for label, result in curves.items():
        space, sample = label.split(" #")
        ax.plot(
            range(1, len(result.val_accuracy) + 1),
            result.val_accuracy,
            color=colours[spaces.index(space) % len(colours)],
            linestyle=styles[(int(sample) - 1) % len(styles)],
            marker="o",
            markersize=3,
            label=label,
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    if curves:  # (every network failed: nothing to label)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def _train_one(space: Any, genotype: Any, dataset: Any, epochs: int, **options: Any):
    """Build and train one sampled network: (row fields, FitResult or None)."""
    from .spaces.checks import InvalidArchitecture
    from .train import TrainingDiverged, TrainingOutOfMemory, fit

    start = time.perf_counter()
    try:
        model = space.build(
            genotype,
            input_shape=dataset.input_shape,
            num_classes=dataset.num_classes,
            **TOUR_MACRO.get(space.name, {}),
        )
        result = fit(model, dataset, epochs=epochs, **options)
    except (InvalidArchitecture, TrainingDiverged, TrainingOutOfMemory) as error:
        # one failing architecture is a finding of the tour, not the end of it
        print(f"{options.get('desc')} failed: {error}", flush=True)
        fields = {"params": 0, "macs": 0, "val_accuracy": float("nan"), "error": str(error)}
        return {**fields, "seconds": time.perf_counter() - start}, None
    fields = {
        "params": result.params,
        "macs": result.macs,
        "val_accuracy": result.final_val_accuracy,
        "seconds": time.perf_counter() - start,
    }
    return fields, result


def tour(
    spaces: Sequence[str] | None = None,
    samples: int = TOUR_SAMPLES,
    epochs: int = TOUR_EPOCHS,
    data: str = "digits",
    out: str | Path = "nasedu-tour",
    seed: int = 0,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Sample ``samples`` architectures per space, train each ``epochs`` epochs, report.

    Budgets are epochs, never seconds, and every network trains with the same seed and thread
    count (:mod:`nasedu.threads`), so the table is the same on a fast or a busy machine (only
    the time it takes differs).  Returns the table rows (also written, with full genotypes
    and seconds, to ``out/tour.json``) and saves one drawing per space (its best
    architecture) and ``training_curves.png`` under ``out``.
    """
    import matplotlib

    matplotlib.use("Agg")
    from .data import load
    from .train import describe_device

    samples, epochs, seed, names = _check_tour(spaces, samples, epochs, seed)
    print(_estimate(len(names) * samples, epochs, data), flush=True)
    dataset = load(data)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"{dataset!r}; training on {describe_device()}", flush=True)
    rows: list[dict[str, Any]] = []
    curves: dict[str, Any] = {}
    started = time.perf_counter()
    for name in names:
        space_rows, space_curves = _tour_space(name, dataset, samples, epochs, seed, progress, out)
        rows += space_rows
        curves.update(space_curves)
    print()
    print(_table(rows))
    _save(_plot_curves(curves, f"nasedu tour on {data}"), out / "training_curves.png")
    _write_report(rows, names, out / "tour.json")
    print(f"\ntrained in {time.perf_counter() - started:.0f} s")
    print(f"figures and tour.json (full genotypes) written to {out.resolve()}")
    return rows


# -- the steps of tour, in the order it takes them ------------------------------------------------
def _check_tour(
    spaces: Sequence[str] | None, samples: int, epochs: int, seed: int
) -> tuple[int, int, int, list[str]]:
    """The tour's arguments checked as the command checks them: ``(samples, epochs, seed,
    space names)``, the names defaulting to every available space."""
    from .checks import check_int, check_seed
    from .spaces import available_spaces

    samples = check_int(samples, "samples", least=1, most=1000)
    epochs = check_int(epochs, "epochs", least=1, most=100_000)
    seed = check_seed(seed)
    if isinstance(spaces, (str, bytes)):
        raise ValueError(f"spaces must be a list of names, e.g. ['chain'], got {spaces[:40]!r}")
    names = list(spaces) if spaces else available_spaces()
    unknown = [n for n in names if n not in available_spaces()]
    if unknown:
        raise ValueError(
            f"unknown search space {str(unknown[0])[:40]!r}; available: "
            f"{', '.join(available_spaces())}"
        )
    return samples, epochs, seed, names


def _tour_space(
    name: str,
    dataset: Any,
    samples: int,
    epochs: int,
    seed: int,
    progress: bool,
    out: Path,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Sample and train ``samples`` networks of the space ``name``: their table rows and
    ``{label: FitResult}`` of those that trained.  Draws the best one to ``out/name.png``.

    Sample i of every space comes from the seed ``seed * 1000 + i - 1`` and trains from the
    seed ``seed``: the same architectures and weights on every machine."""
    import torch

    from .spaces import get_space

    space = get_space(name)
    print(f"\n{name}: {space!r}", flush=True)
    rows, curves, trained = [], {}, []
    for i in range(1, samples + 1):
        genotype = space.sample(seed * 1000 + i - 1)
        torch.manual_seed(seed)
        label = f"{name} #{i}"
        fields, result = _train_one(
            space, genotype, dataset, epochs, progress=progress, desc=label, seed=seed
        )
        row = {"space": name, "sample": i, "genotype": genotype, **fields}
        rows.append(row)
        if result is not None:
            curves[label] = result
            trained.append(row)
    best = _best(trained)
    if best is not None:
        _save(space.plot(best["genotype"]), out / f"{name}.png")
    return rows, curves


def _best(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The row of highest validation accuracy (the first of equals), None for no rows."""
    best = None
    for row in rows:
        if best is None or row["val_accuracy"] > best["val_accuracy"]:
            best = row
    return best


def _save(figure: Any, path: Path) -> None:
    """Save a Figure (what every ``space.plot`` returns) as a PNG and close it, so that a long
    tour does not keep every figure in memory."""
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)


def _write_report(rows: list[dict[str, Any]], names: list[str], path: Path) -> None:
    """``tour.json``: the table's rows with each genotype in full, as its space's JSON."""
    from .spaces import get_space

    spaces_by_name = {name: get_space(name) for name in names}
    report = [
        {**r, "genotype": spaces_by_name[r["space"]].to_json(r["genotype"])["genotype"]}
        for r in rows
    ]
    path.write_text(json.dumps(report, indent=1))


def _space_names() -> list[str]:
    """The installed search spaces' names, found without importing them (nor torch): listing
    five names should not take the seconds that importing torch takes on a busy machine."""
    from importlib.util import find_spec

    from .spaces import SPACES

    return [name for name, target in SPACES.items() if find_spec(target.split(":")[0])]


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
        "threads": _threads_line(),
        "quick mode": "on (NASEDU_QUICK): fits shrunk to a few batches" if quick() else "off",
    }
    for package, needed_for in [
        ("jupyterlab", "the notebooks"),
        ("ipywidgets", "the interactive explorers"),
        ("nbgrader", "the graded exercises"),
    ]:
        report[package] = f"{version(package)} (for {needed_for})"
    return report


def _threads_line() -> str:
    """The inputs of the thread policy: what the process sees and may use, and why."""
    from .threads import policy_report

    facts = policy_report()
    line = f"{facts['cpu_count']} CPUs visible"
    if facts["affinity"] is not None:
        line += f", {facts['affinity']} in this process's affinity"
    if facts["cgroup_limit"] is not None:
        line += f", cgroup quota {facts['cgroup_limit']:g} CPUs"
    line += f" -> {facts['usable_cpus']} usable"
    if facts["user_threads"] is not None:
        line += f"; your setting: {facts['user_threads']} thread(s)"
    return line + f"; OpenMP wait policy: {_wait_policy()}"


def _wait_policy() -> str:
    """Whether idle OpenMP threads sleep (passive) or spin, and who decided."""
    import nasedu

    policy = os.environ.get("OMP_WAIT_POLICY", "").strip().upper() or "spin, then sleep"
    if nasedu.OMP_WAIT_POLICY_SET:
        return f"{policy} (set by nasedu)"
    if "OMP_WAIT_POLICY" in os.environ:
        return f"{policy} (your setting)"
    return f"{policy} (torch was imported before nasedu; import nasedu first)"


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
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except KeyboardInterrupt:
        print("nasedu: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if debug:
            raise
        return _report(error)
    return 0


def _parser() -> _Parser:
    """The command line: ``nasedu tour|info|spaces|bench|doctor`` and the commands that other
    modules register (``nasedu grade``, ``nasedu exercises``)."""
    parser = _Parser(prog="nasedu", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True)
    p_tour = sub.add_parser("tour", help="sample, train and draw architectures of every space")
    p_tour.add_argument("--spaces", help="comma-separated space names (default: all)")
    p_tour.add_argument(
        "--samples",
        type=_count(1, 1000),
        default=TOUR_SAMPLES,
        help=f"architectures per space (default: {TOUR_SAMPLES})",
    )
    p_tour.add_argument(
        "--epochs",
        type=_count(1, 100_000),
        default=TOUR_EPOCHS,
        help=f"training epochs per architecture (default: {TOUR_EPOCHS})",
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
    return parser


def _run(args: argparse.Namespace) -> None:
    """Carry out the parsed command."""
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
        print("\n".join(_space_names()))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
