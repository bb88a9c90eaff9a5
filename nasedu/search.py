"""Search strategies that work on every search space of the course.

A search strategy only needs what the :class:`~nasedu.spaces.base.SearchSpace` protocol offers:
``sample`` to propose, ``mutate`` to vary, ``arch_hash`` to recognise an architecture it has
already seen.  An *objective* turns a genotype into a score (higher is better), usually by
training the network briefly (:func:`make_objective`).

* :func:`random_search` -- sample, evaluate, keep the best.  The baseline every NAS method must
  beat, and in a well-designed space a strong one (Li and Talwalkar 2019; Liu et al. 2018).
* :func:`regularized_evolution` -- aging evolution of Real et al. (2019), "Regularized
  Evolution for Image Classifier Architecture Search": a tournament picks a parent from a
  random sample of the population, its mutated child joins, and the *oldest* member leaves.
* :func:`tournament_evolution` -- the evolution of Liu et al. (2018), "Hierarchical
  Representations for Efficient Architecture Search", Section 3.3: tournament selection with
  the tournament 5% of the population, and a population that only grows (nothing is removed).

**Surviving.**  With ``history_path`` every finished evaluation is appended to a JSON Lines
file (see :mod:`nasedu.history`) and flushed, so a search killed after a night has lost nothing;
``resume=True`` replays the recorded evaluations (without re-running them) and goes on.

**Scaling.**  With ``executor=`` (a ``concurrent.futures`` executor or a
``dask.distributed.Client``, see :mod:`nasedu.parallel`) a search keeps ``workers`` evaluations
in flight and proposes the next architecture as soon as one finishes, asynchronously, as the
papers did: Real et al. (2019) evolved on 450 workers, Liu et al. (2018) had a controller and
200 GPU workers.  No worker waits for the slowest of a generation.

**What stays reproducible.**  With one worker (the default) a search is a deterministic
function of its seed and its objective: the same call gives the same history, and a resumed
search gives exactly the history of an uninterrupted one.  With several workers, the
architectures a random search proposes are still fixed by the seed (they do not depend on
results), but the order in which they finish is not.  An evolution's children depend on which
evaluations had finished when each child was proposed, i.e. on timing, so two parallel runs
with the same seed differ (as they did in the papers); the history records, for every
evaluation, the order it was proposed in (``proposal``), the order it finished in (``step``)
and the worker that ran it, and resuming replays exactly the recorded order.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .history import HistoryFile, HistoryInUse, SearchHistory, to_json
from .parallel import Answer, Runner, resolve_workers
from .spaces.base import RngLike, SearchSpace, as_rng
from .spaces.checks import check_int, short_repr

__all__ = [
    "HistoryInUse",
    "Objective",
    "SearchHistory",
    "TrainingObjective",
    "make_objective",
    "random_search",
    "regularized_evolution",
    "tournament_evolution",
]

Objective = Callable[[Any], "float | Mapping[str, Any]"]

# the keys a search adds to the objective's answer in each record
_OWN_KEYS = ("step", "proposal", "genotype", "hash", "seconds", "cached", "worker", "elapsed")


# -- strategies: what to evaluate next ---------------------------------------------------------
class _Strategy(Protocol):
    """Proposes architectures and learns from finished evaluations.

    ``proposed`` is how many it has proposed so far.  A strategy whose next proposal needs a
    finished evaluation that is not there yet says so with ``ready`` (the search then waits)."""

    def ready(self, proposed: int) -> bool: ...
    def propose(self, proposed: int, rng: np.random.Generator) -> Any: ...
    def tell(self, genotype: Any, score: float) -> None: ...


class _Random:
    def __init__(self, draw: Callable[[Any], Any]) -> None:
        self.draw = draw

    def ready(self, proposed: int) -> bool:
        return True

    def propose(self, proposed: int, rng: np.random.Generator) -> Any:
        return self.draw(rng)

    def tell(self, genotype: Any, score: float) -> None:
        pass


class _Aging:
    """Real et al. (2019): random until ``population_size`` proposals, then tournaments of
    ``sample_size`` among the finished; a finished child joins and the oldest member leaves."""

    def __init__(self, space: SearchSpace, population_size: int, sample_size: int) -> None:
        self.space, self.size, self.sample_size = space, population_size, sample_size
        self.population: deque[tuple[Any, float]] = deque()

    def ready(self, proposed: int) -> bool:
        return proposed < self.size or bool(self.population)

    def propose(self, proposed: int, rng: np.random.Generator) -> Any:
        if proposed < self.size:
            return self.space.sample(rng)
        k = min(self.sample_size, len(self.population))  # fewer only while workers > 1 start
        return self.space.mutate(_tournament_winner(self.population, k, rng), rng)

    def tell(self, genotype: Any, score: float) -> None:
        self.population.append((genotype, score))
        if len(self.population) > self.size:
            self.population.popleft()


class _Growing:
    """Liu et al. (2018): ``population_size`` starters, then tournaments of 5% among the
    finished; every finished child joins and nobody leaves."""

    def __init__(self, space, population_size, fraction, starters, start) -> None:
        self.space, self.size, self.fraction = space, population_size, fraction
        self.starters, self.start = starters, start
        self.population: list[tuple[Any, float]] = []

    def ready(self, proposed: int) -> bool:
        return proposed < self.size or bool(self.population)

    def propose(self, proposed: int, rng: np.random.Generator) -> Any:
        if proposed < self.size:
            return self.starters[proposed] if proposed < len(self.starters) else self.start(rng)
        n = len(self.population)
        k = min(n, max(2, round(self.fraction * n)))
        return self.space.mutate(_tournament_winner(self.population, k, rng), rng)

    def tell(self, genotype: Any, score: float) -> None:
        self.population.append((genotype, score))


def _tournament_winner(population: Sequence[tuple[Any, float]], k: int, rng) -> Any:
    """The best of ``k`` distinct members drawn at random: a tournament selection."""
    picks = rng.choice(len(population), size=k, replace=False)
    return max((population[int(i)] for i in picks), key=lambda member: member[1])[0]


# -- the loop that runs a strategy ------------------------------------------------------------
@dataclass
class _Pending:
    genotype: Any
    key: str
    future: Future | None  # None while replaying (the file already says how it ended)


class _Search:
    """Keeps ``workers`` evaluations in flight, records each as it finishes, and replays a
    recorded history first when resuming.

    One loop serves every case: with one worker and no executor it is the plain serial search
    (propose, evaluate, learn, repeat); while replaying, "the next evaluation to finish" is read
    from the file instead of waited for."""

    def __init__(self, space, strategy, budget, rng, runner, workers, history, file, bar):
        self.space, self.strategy, self.budget, self.rng = space, strategy, budget, rng
        self.runner, self.workers, self.bar = runner, workers, bar
        self.history, self.file = history, file
        self.replay: deque[dict[str, Any]] = deque(file.recorded if file else ())
        self.proposed = 0
        self.running: dict[int, _Pending] = {}  # proposal number -> evaluation in flight
        self.waiting: dict[str, list[tuple[int, Any]]] = {}  # hash -> duplicates of it
        self.cache: dict[str, dict[str, Any]] = {}
        self.best = -math.inf
        last = self.replay[-1].get("elapsed", 0.0) if self.replay else 0.0
        self.clock = time.perf_counter() - float(last or 0.0)

    def run(self) -> None:
        if len(self.replay) > self.budget:
            raise ValueError(
                f"the history file holds {len(self.replay)} evaluations, more than the budget "
                f"({self.budget}): give a budget of at least {len(self.replay)} to resume it"
            )
        try:
            while len(self.history.records) < self.budget:
                self._fill()
                if len(self.history.records) >= self.budget:
                    break
                self._finish(self._next_finished())
        finally:
            self.runner.cancel(p.future for p in self.running.values() if p.future is not None)

    def _fill(self) -> None:
        """Propose until ``workers`` evaluations are in flight (or the budget is proposed)."""
        self._start_unfinished()
        while (
            self.proposed < self.budget
            and len(self.running) < self.workers
            and self.strategy.ready(self.proposed)
        ):
            genotype = self.strategy.propose(self.proposed, self.rng)
            self.proposed += 1
            key = self.space.arch_hash(genotype)
            if key in self.cache:
                self._record(self.proposed, genotype, key, self.cache[key], cached=True)
            elif any(p.key == key for p in self.running.values()):
                self.waiting.setdefault(key, []).append((self.proposed, genotype))
            else:
                future = None if self.replay else self.runner.submit(genotype)
                self.running[self.proposed] = _Pending(genotype, key, future)
        # a repeat answered from the cache above may have been the replay's last record
        self._start_unfinished()

    def _start_unfinished(self) -> None:
        """Once the replay is over, start the evaluations that were in flight when the
        recorded search stopped (while replaying, the file says how each one ended)."""
        if self.replay:
            return
        for pending in self.running.values():
            if pending.future is None:
                pending.future = self.runner.submit(pending.genotype)

    def _next_finished(self) -> int:
        """The proposal number of an evaluation that has finished (the earliest proposed, if
        several have).  One at a time, each followed by new proposals: a replay then meets
        exactly the states the recorded search was in."""
        if self.replay:
            number = self.replay[0].get("proposal", self.replay[0]["step"])
            if number not in self.running:
                self._mismatch(self.replay[0], None)
            return number
        futures = {p.future: n for n, p in self.running.items()}
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return min(futures[f] for f in done)

    def _finish(self, number: int) -> None:
        pending = self.running.pop(number)
        if self.replay:
            outcome = {k: v for k, v in self.replay[0].items() if k not in _OWN_KEYS}
            answer = None
        else:
            self.runner.forget(pending.future)
            answer = pending.future.result()  # the objective's own error is raised here
            if answer.timed_out:
                timeout = self.runner.task.timeout
                outcome = {"score": -math.inf, "failed": f"timed out after {timeout:g} s"}
                self.runner.after_timeout(answer)
            else:
                outcome = _outcome(answer.value, pending.genotype)
        self.cache[pending.key] = outcome
        self._record(number, pending.genotype, pending.key, outcome, False, answer)
        for later, genotype in self.waiting.pop(pending.key, []):
            self._record(later, genotype, pending.key, outcome, cached=True)

    def _record(self, number, genotype, key, outcome, cached, answer: Answer | None = None):
        if self.replay:
            record = self.replay.popleft()
            if record.get("proposal", record["step"]) != number or record["hash"] != key:
                self._mismatch(record, key)
        else:
            record = {
                **outcome,
                "step": len(self.history.records) + 1,
                "proposal": number,
                "genotype": self.space.genotype_to_data(genotype),
                "hash": key,
                "seconds": answer.seconds if answer else 0.0,
                "cached": cached,
                "worker": answer.worker if answer else None,
                "elapsed": time.perf_counter() - self.clock,
            }
            if self.file is not None:
                self.file.append(record)
        self.history.records.append(record)
        self.strategy.tell(genotype, record["score"])
        self.bar.update(1)
        if record["score"] > self.best:
            self.best = record["score"]
            self.bar.set_postfix(best=f"{self.best:.4f}", refresh=False)

    def _mismatch(self, record: Mapping[str, Any], key: str | None) -> None:
        proposed = f"proposes {key[:12]}..." if key else "has no such evaluation in flight"
        raise ValueError(
            f"cannot resume from {self.file.path}: evaluation {record['step']} recorded "
            f"architecture {record['hash'][:12]}... (proposal {record.get('proposal')}), but "
            f"this search {proposed}; the file was written by another search (another space, "
            "sampler, initial population or objective)"
        )


def _run(
    space: SearchSpace,
    strategy: _Strategy,
    name: str,
    settings: dict[str, Any],
    objective: Objective,
    budget: int,
    rng: RngLike,
    history_path: str | Path | None,
    resume: bool,
    progress: bool,
    executor: Any,
    workers: int | None,
    timeout: float | None,
) -> SearchHistory:
    """Set up the history, its file, the runner and the progress bar, then run the search."""
    from tqdm.auto import tqdm

    if resume and history_path is None:
        raise ValueError("resume=True needs the history_path of the search to resume")
    generator, seed = _seeded(rng)
    runner = Runner(objective, executor, timeout)
    workers = resolve_workers(executor, workers)
    execution = {"workers": workers, "timeout": timeout, "executor": _describe(executor)}
    history = SearchHistory(space.name, name, settings=settings, seed=seed, execution=execution)
    file = None
    if history_path is not None:
        header = {**history.header(), "space_repr": repr(space)}
        file = HistoryFile.open(history_path, header, resume, adopt_seed=rng is None)
        if rng is None:  # a resumed file's seed, else the fresh one
            history.seed = file.header["seed"]
            generator = np.random.default_rng(history.seed)
    bar = tqdm(total=budget, desc=name, unit="arch", disable=not progress)
    try:
        _Search(space, strategy, budget, generator, runner, workers, history, file, bar).run()
    finally:
        bar.close()
        if file is not None:
            file.close()
    return history


def _seeded(rng: RngLike) -> tuple[np.random.Generator, Any]:
    """The generator to search with and the seed to record (for ``rng=None`` a fresh one, so
    that even an unseeded search can be resumed)."""
    if isinstance(rng, np.random.Generator):
        return rng, to_json({"bit_generator_state": rng.bit_generator.state})
    as_rng(rng)  # refuses anything but None, an int or a Generator
    seed = int(np.random.SeedSequence().entropy) if rng is None else int(rng)
    return np.random.default_rng(seed), seed


def _describe(executor: Any) -> str | None:
    if executor is None:
        return None
    return f"{type(executor).__module__}.{type(executor).__name__}"


def _outcome(raw: Any, genotype: Any) -> dict[str, Any]:
    """The objective's answer as plain JSON data with a float ``score``, or a clear error.

    A NaN score is refused: it compares false with everything, so a search would silently rank
    it anywhere (``-inf`` is allowed, for architectures that failed).  numpy and torch scalars
    become plain numbers."""
    outcome = dict(raw) if isinstance(raw, Mapping) else {"score": raw}
    if "score" not in outcome:
        raise KeyError(
            "an objective returning a dict must include the key 'score', got keys "
            f"{sorted(outcome)}"
        )
    try:
        score = float(outcome["score"])
    except (TypeError, ValueError):
        raise TypeError(
            "the objective must return a number or a dict with a numeric 'score', got "
            f"{short_repr(raw)}"
        ) from None
    if math.isnan(score):
        raise ValueError(
            f"the objective returned a NaN score for {short_repr(genotype)}; a search cannot rank "
            "it (did the training diverge, or is the validation split empty?)"
        )
    outcome["score"] = score
    clash = sorted(set(outcome) & set(_OWN_KEYS))
    if clash:
        raise ValueError(
            f"the objective's answer uses the key(s) {clash}, which the search records itself; "
            "rename them"
        )
    return {key: _plain(value, key) for key, value in outcome.items()}


def _plain(value: Any, key: str) -> Any:
    """``value`` as JSON data, keeping non-finite floats as floats in memory."""
    from .history import from_json

    return from_json(to_json(value, f"the objective's {key!r}"))


def _check_budget(budget: int) -> None:
    if check_int(budget, "budget") < 1:
        raise ValueError(f"the budget (number of evaluations) must be at least 1, got {budget}")


def _check_population(population_size: int) -> None:
    if check_int(population_size, "population_size") < 1:
        raise ValueError(f"population_size must be at least 1, got {population_size}")


_RUN_DOC = """
    ``history_path`` appends every evaluation to a JSON Lines file as it finishes (a new
    search replaces the file; a second search on a file in use raises ``HistoryInUse``); with
    ``resume=True`` the evaluations already in that file are replayed (not re-run) and the
    search goes on to ``budget`` (which may be larger than before).  The call must be the same
    as the one that wrote the file: a different space, strategy, setting, seed or number of
    workers is refused.  With ``rng=None`` a fresh seed is drawn and recorded (and reused on
    resume).  ``executor`` (a ``concurrent.futures`` executor or a ``dask.distributed.Client``)
    runs ``workers`` evaluations at once (default: the executor's size); ``timeout`` (seconds)
    records an evaluation that runs longer as failed (score ``-inf``) and goes on (see
    :mod:`nasedu.parallel` for what happens to the hung call).  See the module docstring for
    what stays reproducible with several workers.
"""


def random_search(
    space: SearchSpace,
    objective: Objective,
    budget: int,
    rng: RngLike = None,
    history_path: str | Path | None = None,
    progress: bool = True,
    sampler: Callable[[Any], Any] | None = None,
    *,
    resume: bool = False,
    executor: Any = None,
    workers: int | None = None,
    timeout: float | None = None,
) -> SearchHistory:
    """Evaluate ``budget`` random architectures.

    By default they are uniform samples (``space.sample``).  ``sampler(rng)`` replaces that
    distribution: Liu et al. (2018, Sec. 3.3) run random search on genotypes drawn by their
    initialisation, ``sampler=space.initial``.  With several workers the proposals are the
    same as with one (they do not depend on results); only the order they finish in changes.
    """
    _check_budget(budget)
    draw = sampler if sampler is not None else space.sample
    return _run(
        space, _Random(draw), "random search", {"budget": budget}, objective, budget, rng,
        history_path, resume, progress, executor, workers, timeout,
    )  # fmt: skip


def regularized_evolution(
    space: SearchSpace,
    objective: Objective,
    budget: int,
    population_size: int = 20,
    sample_size: int = 5,
    rng: RngLike = None,
    history_path: str | Path | None = None,
    progress: bool = True,
    *,
    resume: bool = False,
    executor: Any = None,
    workers: int | None = None,
    timeout: float | None = None,
) -> SearchHistory:
    """Aging evolution (Real et al. 2019, Algorithm 1).

    The first ``population_size`` evaluations are random samples.  Then, until the budget is
    spent: draw ``sample_size`` members at random, mutate the best of them, evaluate the child,
    add it and remove the *oldest* member -- so even a lucky early architecture eventually
    leaves, which keeps the search from getting stuck on noisy scores.

    With several workers this is the paper's asynchronous version: whenever a worker finishes,
    its child joins the population (the oldest leaves) and a new child of a tournament among
    the members finished so far is handed out.
    """
    _check_budget(budget)
    _check_population(population_size)
    if not 1 <= check_int(sample_size, "sample_size") <= population_size:
        raise ValueError(
            f"need 1 <= sample_size <= population_size ({population_size}), got {sample_size}"
        )
    settings = {"budget": budget, "population_size": population_size, "sample_size": sample_size}
    return _run(
        space, _Aging(space, population_size, sample_size), "regularized evolution", settings,
        objective, budget, rng, history_path, resume, progress, executor, workers, timeout,
    )  # fmt: skip


def tournament_evolution(
    space: SearchSpace,
    objective: Objective,
    budget: int,
    population_size: int = 20,
    tournament_fraction: float = 0.05,
    initial: Sequence[Any] | None = None,
    rng: RngLike = None,
    history_path: str | Path | None = None,
    progress: bool = True,
    *,
    resume: bool = False,
    executor: Any = None,
    workers: int | None = None,
    timeout: float | None = None,
) -> SearchHistory:
    """Tournament evolution of Liu et al. (2018), Section 3.3.

    The population starts with ``population_size`` genotypes, all evaluated: ``initial`` if
    given, else the space's own ``initial(rng)`` where it has one (the paper diversifies a
    trivial genotype by many random mutations, Sec. 3.2), else random samples.  Each later
    step picks ``max(2, round(tournament_fraction * len(population)))`` members at random,
    mutates the best, evaluates the child and *adds* it: no one is ever removed, so the
    population grows by one per step.

    With several workers this is the paper's asynchronous setting (a controller hands out
    mutations to idle workers): tournaments are among the members finished so far.
    """
    _check_budget(budget)
    _check_population(population_size)
    if not 0 < tournament_fraction <= 1:
        raise ValueError(f"tournament_fraction must be in (0, 1], got {tournament_fraction}")
    starters = list(initial) if initial is not None else []
    settings = {
        "budget": budget,
        "population_size": population_size,
        "tournament_fraction": tournament_fraction,
        "initial": len(starters),
    }
    start = getattr(space, "initial", space.sample)
    strategy = _Growing(space, population_size, tournament_fraction, starters, start)
    return _run(
        space, strategy, "tournament evolution", settings, objective, budget, rng,
        history_path, resume, progress, executor, workers, timeout,
    )  # fmt: skip


for _search in (random_search, regularized_evolution, tournament_evolution):
    _search.__doc__ += _RUN_DOC


@dataclass(frozen=True)
class TrainingObjective:
    """Trains a genotype of ``space`` briefly on ``data`` and scores it by validation accuracy
    (what :func:`make_objective` returns).  Plain data and a method, so it pickles: a process
    pool or a dask cluster can run it."""

    space: SearchSpace
    data: Any
    epochs: int | None = 3
    seconds: float | None = None
    seed: int = 0
    fit_options: Mapping[str, Any] | None = None
    build_options: Mapping[str, Any] | None = None

    def __call__(self, genotype: Any) -> dict[str, Any]:
        import torch

        from .train import fit

        torch.manual_seed(self.seed)
        model = self.space.build(
            genotype,
            input_shape=self.data.input_shape,
            num_classes=self.data.num_classes,
            **dict(self.build_options or {}),
        )
        result = fit(
            model,
            self.data,
            epochs=self.epochs,
            seconds=self.seconds,
            seed=self.seed,
            progress=False,
            **dict(self.fit_options or {}),
        )
        return {
            "score": result.final_val_accuracy,
            "params": result.params,
            "macs": result.macs,
            "epochs": result.epochs,
            "train_seconds": result.seconds,
        }


def make_objective(
    space: SearchSpace,
    data,
    epochs: int | None = 3,
    seconds: float | None = None,
    seed: int = 0,
    fit_options: Mapping[str, Any] | None = None,
    **build_options: Any,
) -> TrainingObjective:
    """An objective that trains each genotype briefly and scores it by validation accuracy.

    This is *proxy* evaluation: a few epochs on a small data set rank architectures roughly as
    full training would, at a tiny fraction of the cost.  The returned dict holds ``score``
    (final validation accuracy), ``params``, ``macs``, ``epochs`` and ``train_seconds``.
    """
    from .train import device

    if "dev" not in (fit_options or {}):
        data = data.to(device())  # once, not once per evaluation
    return TrainingObjective(space, data, epochs, seconds, seed, fit_options, build_options)
