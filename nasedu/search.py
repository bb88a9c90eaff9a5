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

Every evaluation is appended to a :class:`SearchHistory`, which is written to JSON after each
step when ``history_path`` is given: a search interrupted after an hour has lost nothing.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .jsonio import write_json_atomic
from .spaces.base import RngLike, SearchSpace, as_rng
from .spaces.checks import check_int, short_repr

__all__ = [
    "Objective",
    "SearchHistory",
    "make_objective",
    "random_search",
    "regularized_evolution",
    "tournament_evolution",
]

Objective = Callable[[Any], "float | Mapping[str, Any]"]


@dataclass
class SearchHistory:
    """Every evaluation of a search, in order, as plain JSON-able records.

    Each record has ``step`` (1-based), ``genotype`` (the space's JSON data), ``hash``,
    ``score``, ``seconds`` (time spent evaluating), ``cached`` (True if the same architecture
    had been evaluated before and its score was reused) and whatever else the objective
    returned (parameters, epochs, ...).
    """

    space: str
    strategy: str
    records: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def scores(self) -> list[float]:
        return [r["score"] for r in self.records]

    def best_so_far(self) -> list[float]:
        """The incumbent's score after each evaluation (the usual search curve)."""
        best, curve = -math.inf, []
        for score in self.scores():
            best = max(best, score)
            curve.append(best)
        return curve

    def best(self, space: SearchSpace | None = None) -> tuple[Any, float]:
        """``(genotype, score)`` of the best evaluation (the genotype as JSON data unless the
        ``space`` is given to read it back)."""
        if not self.records:
            raise ValueError("the search has not evaluated anything yet")
        record = max(self.records, key=lambda r: r["score"])
        genotype = record["genotype"]
        if space is not None:
            genotype = space.from_json({"space": self.space, "genotype": genotype})
        return genotype, record["score"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "space": self.space,
            "strategy": self.strategy,
            "settings": self.settings,
            "records": self.records,
        }

    def save(self, path: str | Path) -> None:
        """Write the history as JSON (atomically: a crash never leaves half a file)."""
        write_json_atomic(path, self.to_dict(), indent=1)

    @classmethod
    def load(cls, path: str | Path) -> SearchHistory:
        data = json.loads(Path(path).read_text())
        return cls(data["space"], data["strategy"], data["records"], data.get("settings", {}))

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        best = f", best {max(self.scores()):.4f}" if self.records else ""
        return f"SearchHistory({self.strategy} on {self.space}: {len(self)} evaluations{best})"


class _Evaluator:
    """Calls the objective, reuses scores of architectures seen before, records everything."""

    def __init__(
        self,
        space: SearchSpace,
        objective: Objective,
        history: SearchHistory,
        history_path: str | Path | None,
        progress: bool,
        budget: int,
    ) -> None:
        from tqdm.auto import tqdm

        self.space, self.objective, self.history = space, objective, history
        self.history_path = history_path
        self.cache: dict[str, dict[str, Any]] = {}
        self.bar = tqdm(total=budget, desc=history.strategy, unit="arch", disable=not progress)

    def __call__(self, genotype: Any) -> float:
        key = self.space.arch_hash(genotype)
        cached = key in self.cache
        start = time.perf_counter()
        if cached:
            outcome = self.cache[key]
        else:
            outcome = _outcome(self.objective(genotype), genotype)
            self.cache[key] = outcome
        record = {
            **outcome,
            "step": len(self.history.records) + 1,
            "genotype": self.space.genotype_to_data(genotype),
            "hash": key,
            "seconds": time.perf_counter() - start,
            "cached": cached,
        }
        self.history.records.append(record)
        if self.history_path is not None:
            self.history.save(self.history_path)
        self.bar.update(1)
        self.bar.set_postfix(best=f"{max(self.history.scores()):.4f}")
        return outcome["score"]

    def close(self) -> None:
        self.bar.close()


def _tournament_winner(population: Sequence[tuple[Any, float]], k: int, rng) -> Any:
    """The best of ``k`` distinct members drawn at random: a tournament selection."""
    picks = rng.choice(len(population), size=k, replace=False)
    return max((population[int(i)] for i in picks), key=lambda member: member[1])[0]


def _outcome(raw: Any, genotype: Any) -> dict[str, Any]:
    """The objective's answer as a dict with a float ``score``, or a clear error.

    A NaN score is refused: it compares false with everything, so a search would silently rank
    it anywhere (``-inf`` is allowed, for architectures that failed)."""
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
    return outcome


def _check_budget(budget: int) -> None:
    if check_int(budget, "budget") < 1:
        raise ValueError(f"the budget (number of evaluations) must be at least 1, got {budget}")


def _check_population(population_size: int) -> None:
    if check_int(population_size, "population_size") < 1:
        raise ValueError(f"population_size must be at least 1, got {population_size}")


def random_search(
    space: SearchSpace,
    objective: Objective,
    budget: int,
    rng: RngLike = None,
    history_path: str | Path | None = None,
    progress: bool = True,
    sampler: Callable[[Any], Any] | None = None,
) -> SearchHistory:
    """Evaluate ``budget`` random architectures.

    By default they are uniform samples (``space.sample``).  ``sampler(rng)`` replaces that
    distribution: Liu et al. (2018, Sec. 3.3) run random search on genotypes drawn by their
    initialisation, ``sampler=space.initial``.
    """
    _check_budget(budget)
    rng = as_rng(rng)
    draw = sampler if sampler is not None else space.sample
    history = SearchHistory(space.name, "random search", settings={"budget": budget})
    evaluate = _Evaluator(space, objective, history, history_path, progress, budget)
    try:
        for _ in range(budget):
            evaluate(draw(rng))
    finally:
        evaluate.close()
    return history


def regularized_evolution(
    space: SearchSpace,
    objective: Objective,
    budget: int,
    population_size: int = 20,
    sample_size: int = 5,
    rng: RngLike = None,
    history_path: str | Path | None = None,
    progress: bool = True,
) -> SearchHistory:
    """Aging evolution (Real et al. 2019, Algorithm 1).

    The first ``population_size`` evaluations are random samples.  Then, until the budget is
    spent: draw ``sample_size`` members at random, mutate the best of them, evaluate the child,
    add it and remove the *oldest* member -- so even a lucky early architecture eventually
    leaves, which keeps the search from getting stuck on noisy scores.
    """
    _check_budget(budget)
    _check_population(population_size)
    if not 1 <= check_int(sample_size, "sample_size") <= population_size:
        raise ValueError(
            f"need 1 <= sample_size <= population_size ({population_size}), got {sample_size}"
        )
    rng = as_rng(rng)
    history = SearchHistory(
        space.name,
        "regularized evolution",
        settings={"budget": budget, "population_size": population_size, "sample_size": sample_size},
    )
    evaluate = _Evaluator(space, objective, history, history_path, progress, budget)
    population: deque[tuple[Any, float]] = deque()
    try:
        for step in range(budget):
            if step < population_size:
                genotype = space.sample(rng)
            else:
                parent = _tournament_winner(population, sample_size, rng)
                genotype = space.mutate(parent, rng)
            population.append((genotype, evaluate(genotype)))
            if len(population) > population_size:
                population.popleft()
    finally:
        evaluate.close()
    return history


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
) -> SearchHistory:
    """Tournament evolution of Liu et al. (2018), Section 3.3.

    The population starts with ``population_size`` genotypes, all evaluated: ``initial`` if
    given, else the space's own ``initial(rng)`` where it has one (the paper diversifies a
    trivial genotype by many random mutations, Sec. 3.2), else random samples.  Each later
    step picks ``max(2, round(tournament_fraction * len(population)))`` members at random,
    mutates the best, evaluates the child and *adds* it: no one is ever removed, so the
    population grows by one per step.
    """
    _check_budget(budget)
    _check_population(population_size)
    if not 0 < tournament_fraction <= 1:
        raise ValueError(f"tournament_fraction must be in (0, 1], got {tournament_fraction}")
    rng = as_rng(rng)
    starters = list(initial) if initial is not None else []
    history = SearchHistory(
        space.name,
        "tournament evolution",
        settings={
            "budget": budget,
            "population_size": population_size,
            "tournament_fraction": tournament_fraction,
            "initial": len(starters),
        },
    )
    evaluate = _Evaluator(space, objective, history, history_path, progress, budget)
    start = getattr(space, "initial", space.sample)
    population: list[tuple[Any, float]] = []
    try:
        for step in range(budget):
            if step < population_size:
                genotype = starters[step] if step < len(starters) else start(rng)
            else:
                k = min(len(population), max(2, round(tournament_fraction * len(population))))
                parent = _tournament_winner(population, k, rng)
                genotype = space.mutate(parent, rng)
            population.append((genotype, evaluate(genotype)))
    finally:
        evaluate.close()
    return history


def make_objective(
    space: SearchSpace,
    data,
    epochs: int | None = 3,
    seconds: float | None = None,
    seed: int = 0,
    fit_options: Mapping[str, Any] | None = None,
    **build_options: Any,
) -> Callable[[Any], dict[str, Any]]:
    """An objective that trains each genotype briefly and scores it by validation accuracy.

    This is *proxy* evaluation: a few epochs on a small data set rank architectures roughly as
    full training would, at a tiny fraction of the cost.  The returned dict holds ``score``
    (final validation accuracy), ``params``, ``macs``, ``epochs`` and ``train_seconds``.
    """
    from .train import device, fit

    if "dev" not in (fit_options or {}):
        data = data.to(device())  # once, not once per evaluation

    def objective(genotype: Any) -> dict[str, Any]:
        import torch

        torch.manual_seed(seed)
        model = space.build(
            genotype,
            input_shape=data.input_shape,
            num_classes=data.num_classes,
            **build_options,
        )
        result = fit(
            model,
            data,
            epochs=epochs,
            seconds=seconds,
            seed=seed,
            progress=False,
            **dict(fit_options or {}),
        )
        return {
            "score": result.final_val_accuracy,
            "params": result.params,
            "macs": result.macs,
            "epochs": result.epochs,
            "train_seconds": result.seconds,
        }

    return objective
