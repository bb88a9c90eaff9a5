"""Making a tabular benchmark: train every distinct architecture of a small space.

``make_benchmark`` enumerates the space, groups its genotypes by ``arch_hash`` (one training per
distinct network, however many encodings it has), trains each with the same settings for every
seed, and returns a :class:`~nasedu.bench.table.TabularBenchmark`.  With ``checkpoint=path`` the
finished runs are written after each one and a restarted call goes on where it stopped; with
``workers=n`` n processes train at once (one CPU thread each); with ``executor=`` a
``dask.distributed.Client`` the runs go to a dask cluster, through the same path as a search's
evaluations (:mod:`nasedu.parallel`).

A lecturer can build a table for another small space this way (``benchmarks/make_table.py``
made the one shipped with nasedu); an hour of CPU covers a few hundred small networks.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..checks import is_int
from ..jsonio import write_json_atomic
from ..parallel import Runner, resolve_workers
from .table import (
    _NOT_FIT_OPTIONS,
    BenchmarkRecord,
    Run,
    TabularBenchmark,
    data_from_spec,
    space_from_spec,
)

__all__ = [
    "group_by_architecture",
    "make_benchmark",
    "synthetic_benchmark",
    "train_architecture",
]

DEFAULT_TRAINING: dict[str, Any] = {"epochs": 6, "lr": 0.03, "batch_size": 64}


def group_by_architecture(space) -> dict[str, list[Any]]:
    """Every genotype of ``space`` (it must be small enough to enumerate), grouped by
    ``arch_hash``, in enumeration order: the first of each group is its representative."""
    groups: dict[str, list[Any]] = {}
    for genotype in space.enumerate():
        groups.setdefault(space.arch_hash(genotype), []).append(genotype)
    return groups


def train_architecture(
    space_spec: Mapping[str, Any],
    data_spec: Mapping[str, Any],
    training: Mapping[str, Any],
    genotype_data: Any,
    seed: int,
) -> tuple[int, int, Run]:
    """Train one genotype (given as JSON data) with one seed: ``(params, macs, run)``.

    A plain function of plain data, so it can run in a worker process.  A run whose loss
    diverges is recorded at chance accuracy with ``diverged=True`` (retrying with the same seed
    would diverge again)."""
    import torch

    from ..measure import count_macs, count_parameters
    from ..train import QUICK_EPOCHS, TrainingDiverged, fit, quick

    space, data = space_from_spec(space_spec), data_from_spec(data_spec)
    genotype = space.validate(space.genotype_from_data(genotype_data))
    torch.manual_seed(seed)
    model = space.build(genotype, input_shape=data.input_shape, num_classes=data.num_classes)
    options = {k: v for k, v in training.items() if k not in _NOT_FIT_OPTIONS}
    params, macs = count_parameters(model), count_macs(model, data.input_shape)
    try:
        result = fit(model, data, test=True, seed=seed, progress=False, **options)
    except TrainingDiverged:
        epochs = min(options["epochs"], QUICK_EPOCHS) if quick() else options["epochs"]
        chance = round(1 / data.num_classes, 4)
        return params, macs, Run(seed, (chance,) * epochs, chance, 0.0, diverged=True)
    if result.test_accuracy is None:
        raise RuntimeError("fit(test=True) returned no test accuracy")
    run = Run(
        seed=seed,
        val_accuracy=tuple(round(a, 4) for a in result.val_accuracy),
        test_accuracy=round(float(result.test_accuracy), 4),
        train_seconds=round(result.seconds, 3),
    )
    return params, macs, run


def init_worker() -> None:
    """Start a training worker process: one CPU thread each, so that workers do not compete
    for the cores (and runs are reproducible on one thread)."""
    import torch

    torch.set_num_threads(1)


def make_benchmark(
    name: str,
    space: Mapping[str, Any],
    data: Mapping[str, Any],
    training: Mapping[str, Any] | None = None,
    seeds: Sequence[int] = (0,),
    workers: int = 1,
    checkpoint: str | Path | None = None,
    progress: bool = True,
    description: str = "",
    executor=None,
) -> TabularBenchmark:
    """Train every distinct architecture of ``space`` on ``data`` once per seed.

    ``space`` is ``{"name": ..., "options": {...}}`` (see :func:`nasedu.spaces.get_space`),
    ``data`` is ``{"name": ..., **options}`` (see :func:`nasedu.data.load`), ``training`` the
    keyword arguments of :func:`nasedu.train.fit` (default :data:`DEFAULT_TRAINING`).
    A checkpoint remembers these settings and refuses to resume under others.  Do not make a
    real table in quick mode (``NASEDU_QUICK=1``): every run would be cut short (the table's
    ``training`` then says ``quick_mode: True``).

    ``workers=n`` (n > 1) trains in n processes of a pool made here (spawned, one CPU thread
    each).  ``executor`` is a ``concurrent.futures`` executor or a ``dask.distributed.Client``
    to train on instead (``workers`` then defaults to its size); a process executor should
    start its workers with :func:`init_worker`, dask workers get it here (``client.run``).
    Threads do not suit training: every run seeds torch's one global generator.
    """
    from ..train import quick

    training = _with_layout(DEFAULT_TRAINING if training is None else training)
    seeds = _distinct_seeds(seeds)
    training = _fixed_epochs(training)
    space_spec, data_spec = _space_spec(space), dict(data)
    the_space = space_from_spec(space_spec)
    groups = group_by_architecture(the_space)
    representative = {key: the_space.genotype_to_data(g[0]) for key, g in groups.items()}
    settings = {"space": space_spec, "data": data_spec, "training": training, "quick": quick()}
    finished = _Finished.resume(checkpoint, settings)
    jobs = finished.missing(groups, seeds)
    train = partial(train_architecture, space_spec, data_spec, training)
    workers = _train_all(train, jobs, representative, finished, workers, executor, name, progress)
    if quick():  # fit() cut every run short: say so in the table
        training = {**training, "quick_mode": True}
    return TabularBenchmark(
        name,
        space_spec,
        data_spec,
        training,
        finished.records(groups, representative, seeds),
        machine=_machine(workers, executor),
        description=description,
    )


# -- the steps of make_benchmark, in the order it takes them -----------------------------------
def _with_layout(training: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``training`` that names the memory layout the runs will use.

    The layout (``channels_last``) changes the order of floating-point sums: recorded, it lets
    anyone retraining with the table's ``fit_options`` reproduce its runs."""
    from ..train import channels_last, device

    training = dict(training)
    training.setdefault("channels_last", channels_last(device()))
    return training


def _distinct_seeds(seeds: Sequence[int]) -> tuple[int, ...]:
    """``seeds`` as a tuple of ints, refused when empty or repeated (a repeated seed would
    count one run twice in the mean)."""
    seeds = tuple(int(seed) for seed in seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be one or more distinct integers, got {seeds}")
    return seeds


def _fixed_epochs(training: dict[str, Any]) -> dict[str, Any]:
    """``training``, refused unless it trains every architecture alike: an integer epochs
    budget (kept as a Python int, so that it is written to JSON as one), no seconds budget
    (which would depend on the machine and its load)."""
    if not is_int(training.get("epochs")) or "seconds" in training:
        raise ValueError(
            f"a table trains every architecture for the same number of epochs: give training "
            f"an integer 'epochs' and no 'seconds', got {training}"
        )
    return {**training, "epochs": int(training["epochs"])}


def _space_spec(space: Mapping[str, Any]) -> dict[str, Any]:
    """``{"name": ..., "options": {...}}``: how a table names its space, in plain data."""
    return {"name": space["name"], "options": dict(space.get("options", {}))}


class _Finished:
    """The runs finished so far, ``{hash: {"params", "macs", "runs": {seed: run dict}}}``.

    With a checkpoint path, they are written to it (atomically, with the settings) after every
    run, and read back when a call is repeated: a restarted build trains only what is missing.
    """

    def __init__(self, checkpoint: str | Path | None, settings: dict[str, Any], done: dict):
        self.checkpoint, self.settings, self.done = checkpoint, settings, done

    @classmethod
    def resume(cls, checkpoint: str | Path | None, settings: dict[str, Any]) -> _Finished:
        """The runs saved in ``checkpoint`` (none when there is no such file), refused when
        they were made with other settings."""
        if checkpoint is None:
            return cls(checkpoint, settings, {})
        if not Path(checkpoint).exists():
            Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)  # fail now, not after a run
            return cls(checkpoint, settings, {})
        saved = json.loads(Path(checkpoint).read_text())
        mine = json.loads(json.dumps(settings))  # as it would read back from JSON
        theirs = saved.get("settings", {}) if isinstance(saved, dict) else {}
        differ = sorted(k for k in mine if theirs.get(k) != mine[k])
        if differ:
            raise ValueError(
                f"the checkpoint {checkpoint} was made with other {', '.join(differ)} settings "
                f"({ {k: theirs.get(k) for k in differ} } instead of "
                f"{ {k: mine[k] for k in differ} }); resuming would mix runs of different "
                "trainings: delete it or pass another checkpoint path"
            )
        return cls(checkpoint, settings, saved["done"])

    def missing(self, groups: Mapping[str, Any], seeds: Sequence[int]) -> list[tuple[str, int]]:
        """The ``(hash, seed)`` runs still to train: seed by seed, so that an interrupted build
        has every architecture at its first seeds."""
        return [
            (key, seed)
            for seed in seeds
            for key in groups
            if str(seed) not in self.done.get(key, {}).get("runs", {})
        ]

    def record(self, key: str, params: int, macs: int, run: Run) -> None:
        """Keep one finished run (and save the checkpoint)."""
        entry = self.done.setdefault(key, {"params": params, "macs": macs, "runs": {}})
        entry["runs"][str(run.seed)] = run.to_dict()
        if self.checkpoint is not None:
            write_json_atomic(self.checkpoint, {"settings": self.settings, "done": self.done})

    def records(
        self, groups: Mapping[str, list], representative: Mapping[str, Any], seeds: Sequence[int]
    ) -> list[BenchmarkRecord]:
        """One row of the table per architecture, in enumeration order, its runs in seed order."""
        return [
            BenchmarkRecord(
                hash=key,
                genotype=representative[key],
                encodings=len(groups[key]),
                params=self.done[key]["params"],
                macs=self.done[key]["macs"],
                runs=tuple(Run.from_dict(self.done[key]["runs"][str(s)]) for s in seeds),
            )
            for key in groups
        ]


def _train_all(
    train: Any,
    jobs: list[tuple[str, int]],
    representative: Mapping[str, Any],
    finished: _Finished,
    workers: int,
    executor: Any,
    name: str,
    progress: bool,
) -> int:
    """Train every job (one call of ``train`` each) and record it; returns how many workers
    trained.

    One run at a time in this process by default; ``workers > 1`` makes a pool of spawned
    processes for the duration (shut down here, its queued runs cancelled on an error); a
    given ``executor`` is used as it is (a dask client's workers first get :func:`init_worker`).
    """
    from tqdm.auto import tqdm

    bar = tqdm(total=len(jobs), desc=f"training {name}", unit="run", disable=not progress)
    own = executor is None and workers > 1
    if own:
        executor = ProcessPoolExecutor(workers, get_context("spawn"), initializer=init_worker)
    elif executor is not None:
        workers = resolve_workers(executor, None if workers == 1 else workers)
        if type(executor).__name__ == "Client":
            executor.run(init_worker)
    try:
        _run_jobs(Runner(train, executor), jobs, representative, workers, finished.record, bar)
    except BaseException:
        if own:  # do not let the pool work through hours of queued runs before re-raising
            executor.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        bar.close()
    if own:
        executor.shutdown()
    return workers


def _machine(workers: int, executor: Any) -> str:
    """Where the table was trained, in words: processor, its instruction set, cores, torch,
    workers x threads.  A retraining repeats the table digit for digit only on the same
    instruction set (torch and oneDNN choose their kernels, and so the order of floating-point
    sums, by it)."""
    import torch

    threads = 1 if workers > 1 or executor is not None else torch.get_num_threads()
    return (
        f"{platform.machine()} CPU ({torch.backends.cpu.get_cpu_capability()}, "
        f"{os.cpu_count()} cores), torch {torch.__version__}, "
        f"{max(workers, 1)} worker(s) x {threads} thread(s)"
    )


def _run_jobs(runner: Runner, jobs, representative, workers: int, record, bar) -> None:
    """Keep ``workers`` runs in flight and record each as it finishes (in any order)."""
    queue = list(reversed(jobs))
    running: dict = {}
    try:
        while queue or running:
            while queue and len(running) < max(workers, 1):
                key, seed = queue.pop()
                running[runner.submit(representative[key], seed)] = key
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                key = running.pop(future)
                runner.forget(future)
                record(key, *future.result().value)
                bar.update(1)
    finally:  # on an error, do not leave hours of queued runs behind
        runner.cancel(running)


def synthetic_benchmark(
    name: str,
    space: Mapping[str, Any],
    epochs: int = 6,
    seeds: Sequence[int] = (0, 1),
    rng: int = 0,
) -> TabularBenchmark:
    """A table of *made-up* results for every architecture of ``space``, made in a second.

    For testing search code and grading exercises without training anything: each architecture
    gets a random quality q, its learning curves rise towards q with some noise per seed, and
    its test accuracy is q plus noise.  Sizes are 0 and the data set is called ``"synthetic"``.
    Never draw conclusions about architectures from it.
    """
    import numpy as np

    generator = np.random.default_rng(rng)
    space_spec = _space_spec(space)
    the_space = space_from_spec(space_spec)
    records = []
    for key, genotypes in group_by_architecture(the_space).items():
        quality = generator.uniform(0.2, 0.9)
        runs = []
        for seed in seeds:
            curve = quality * (1 - np.exp(-np.arange(1, epochs + 1) / 2))
            curve = np.clip(curve + generator.normal(0, 0.02, epochs), 0, 1)
            test = float(np.clip(quality + generator.normal(0, 0.02), 0, 1))
            runs.append(Run(seed, tuple(round(float(a), 4) for a in curve), round(test, 4), 1.0))
        records.append(
            BenchmarkRecord(
                key, the_space.genotype_to_data(genotypes[0]), len(genotypes), 0, 0, tuple(runs)
            )
        )
    training = {"epochs": epochs, "synthetic": True}
    return TabularBenchmark(
        name, space_spec, {"name": "synthetic"}, training, records, machine="none (made up)"
    )
