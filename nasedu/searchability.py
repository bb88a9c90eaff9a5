"""Is a hierarchical space harder to search?  The same searches, repeated, on two spaces.

The lecture says a hierarchical space is "vastly more expressive than the cell search space,
so potentially much harder to search".  :func:`race` measures it the only honest way: the
*same* search strategies with the *same* budget of evaluations on two spaces that share
everything except the hierarchy -- the primitives, the network around the cell (stem,
reductions, classifier), the paper's mutation and the training -- repeated with many seeds:

* ``"cell-like"``: one 5-node motif of primitives, repeated in every stage like a cell
  (:class:`~nasedu.spaces.flat.FlatSpace` with 5 nodes: up to 10 primitive ops per cell);
* ``"hierarchical"``: three level-2 motifs of 3 nodes under a level-3 motif of 4 nodes
  (up to 6 x 3 = 18 primitives per flattened cell, and about 600 times as many encodings).

Both are small versions of the paper's spaces, so that a network trains in seconds on a CPU.
An evaluation trains a network from scratch for a few epochs with a fixed seed; training is
deterministic on one CPU thread, so an architecture seen before (by ``arch_hash``) is looked up,
not trained again.  At the end, every search's *incumbent* (its best architecture by the search
score) is trained once more with another seed: that independent score is what the search
honestly returns (its own best score is the maximum of noisy numbers, and so flattered).

``benchmarks/bench_searchability.py`` runs :func:`race` and writes the JSON that
:func:`load_precomputed` reads back (shipped as ``nasedu/precomputed/searchability.json``);
:func:`summarise` turns it into the numbers the course shows, with confidence intervals from
:mod:`nasedu.stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .checks import check_choice, is_int
from .spaces.flat import FlatSpace
from .spaces.hierarchical import HierarchicalSpace
from .stats import difference_ci, mean_ci

__all__ = [
    "SETTINGS",
    "STRATEGIES",
    "check_result",
    "curves",
    "load_precomputed",
    "max_primitives",
    "race",
    "race_space",
    "random_samples",
    "small_spaces",
    "summarise",
]

STRATEGIES = ("random search", "regularized evolution")
"""The strategies :func:`race` runs: uniform random search and aging evolution (Real et al.
2019).  With the same seed, evolution's random initial population *is* random search's first
draws, so the two runs of one seed are paired."""

SETTINGS = {
    "data": "digits",
    "train": 500,
    "val": 300,
    "test": 300,
    "epochs": 2,
    "batch_size": 16,
    "budget": 16,
    "seeds": 8,
    "population_size": 6,
    "sample_size": 3,
    "retrain_seed": 1,
}
"""The settings of the shipped run (14 minutes with 4 worker processes on a shared 2-core CPU)."""


def small_spaces() -> dict[str, HierarchicalSpace]:
    """The two spaces compared (see the module docstring), by the names the results use."""
    return {
        "cell-like": FlatSpace(nodes=5),
        "hierarchical": HierarchicalSpace(motifs=(3, 1), nodes=(3, 4)),
    }


def max_primitives(space: HierarchicalSpace) -> int:
    """The most primitive ops a flattened cell of ``space`` can hold (every edge present)."""
    count = 1
    for nodes in space.nodes:
        count *= nodes * (nodes - 1) // 2
    return count


class _Memo:
    """An objective that trains each architecture (by ``arch_hash``) only once."""

    def __init__(self, space, objective: Callable[[Any], Mapping[str, Any]]) -> None:
        self.space, self.objective, self.seen = space, objective, {}

    def __call__(self, genotype: Any) -> dict[str, Any]:
        key = self.space.arch_hash(genotype)
        if key not in self.seen:
            self.seen[key] = dict(self.objective(genotype))
        return self.seen[key]


def _retrain(space, genotype, data, settings: Mapping[str, Any]) -> dict[str, float]:
    """Train ``genotype`` once more with the retrain seed: validation and test accuracy."""
    import torch

    from .train import fit

    seed = settings["retrain_seed"]
    torch.manual_seed(seed)
    model = space.build(genotype, input_shape=data.input_shape, num_classes=data.num_classes)
    result = fit(
        model,
        data,
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        seed=seed,
        test=True,
        progress=False,
    )
    return {"val": result.final_val_accuracy, "test": result.test_accuracy}


def _settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """:data:`SETTINGS` with the given ones in their place; a key it does not know (a typo
    such as ``seed`` for ``seeds``) is refused rather than silently ignored."""
    unknown = sorted(set(settings or {}) - set(SETTINGS))
    if unknown:
        raise ValueError(
            f"unknown race setting {unknown[0]!r:.40}; the settings are {list(SETTINGS)}"
        )
    settings = {**SETTINGS, **(settings or {})}
    if not is_int(settings["seeds"]) or settings["seeds"] < 2:
        raise ValueError(f"seeds must be an integer of at least 2, got {settings['seeds']!r:.40}")
    return settings


def race_space(
    name: str,
    settings: Mapping[str, Any] | None = None,
    log: Callable[[str], None] | None = None,
    seeds: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The searches of :func:`race` on the space called ``name`` for ``seeds`` (default: all
    of the settings' seeds) -- one worker's work; ``log`` gets a line after every search."""
    from .data import load
    from .search import make_objective, random_search, regularized_evolution

    settings = _settings(settings)
    space = small_spaces()[check_choice(name, "name", list(small_spaces()))]
    data = load(settings["data"]).shrink(settings["train"], settings["val"], settings["test"])
    objective = _Memo(
        space,
        make_objective(
            space,
            data,
            epochs=settings["epochs"],
            fit_options={"batch_size": settings["batch_size"]},
        ),
    )
    runs = []
    for seed in range(settings["seeds"]) if seeds is None else seeds:
        for strategy in STRATEGIES:
            if strategy == "random search":
                history = random_search(
                    space, objective, settings["budget"], rng=seed, progress=False
                )
            else:
                history = regularized_evolution(
                    space,
                    objective,
                    settings["budget"],
                    population_size=settings["population_size"],
                    sample_size=settings["sample_size"],
                    rng=seed,
                    progress=False,
                )
            records = history.records
            incumbent, _ = history.best(space)
            runs.append(
                {
                    "space": name,
                    "strategy": strategy,
                    "seed": seed,
                    "scores": [r["score"] for r in records],
                    "hashes": [r["hash"] for r in records],
                    "params": [r["params"] for r in records],
                    "train_seconds": [r["train_seconds"] for r in records],
                    "incumbent": space.to_json(incumbent)["genotype"],
                    "retrained": _retrain(space, incumbent, data, settings),
                }
            )
            if log is not None:
                log(f"{name}, {strategy}, seed {seed}: best {max(runs[-1]['scores']):.3f}")
    return {
        "repr": repr(space),
        "size": str(space.size()),
        "max_primitives": max_primitives(space),
        "runs": runs,
    }


def race(
    settings: Mapping[str, Any] | None = None,
    executor: Any = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every search on both spaces (on the workers of ``executor`` if given: the cell-like
    space on one, the hierarchical space's seeds split over three).

    Returns plain JSON data: ``settings``, ``spaces`` (per name: ``repr``, ``size`` -- what
    ``space.size()`` counts, as a decimal string --, ``max_primitives``,
    ``architectures_trained``) and ``runs`` (per search:
    ``space``, ``strategy``, ``seed``, per evaluation ``scores``, ``hashes``, ``params``,
    ``train_seconds``; the ``incumbent`` genotype and its ``retrained`` val/test accuracy).
    """
    settings = _settings(settings)
    # the hierarchical networks train about twice as long: their seeds go to several workers
    tasks = [("cell-like", range(settings["seeds"]))] + [
        ("hierarchical", chunk.tolist()) for chunk in np.array_split(range(settings["seeds"]), 3)
    ]
    if executor is None:
        done = [race_space(name, settings, log, seeds) for name, seeds in tasks]
    else:
        n = len(tasks)
        names, seeds = zip(*tasks)
        done = list(executor.map(race_space, names, [settings] * n, [log] * n, seeds))
    runs = sorted(
        (r for d in done for r in d["runs"]), key=lambda r: (r["space"], r["seed"], r["strategy"])
    )
    spaces = {}
    for name, d in zip((name for name, _ in tasks), done):
        distinct = {h for r in runs if r["space"] == name for h in r["hashes"]}
        spaces[name] = {k: v for k, v in d.items() if k != "runs"}
        spaces[name]["architectures_trained"] = len(distinct)
    return {"settings": settings, "spaces": spaces, "runs": runs}


# -- reading a result back ---------------------------------------------------------------------
_RUN_LISTS = ("scores", "hashes", "params", "train_seconds")


def check_result(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return ``result`` if it has the shape :func:`race` writes, else raise ValueError saying
    what is missing or wrong (a shipped file must not silently lose a search)."""
    if not isinstance(result, Mapping):
        raise ValueError(f"a searchability result is a dict, got {type(result).__name__}")
    for key in ("settings", "spaces", "runs"):
        if key not in result:
            raise ValueError(f"the result has no {key!r}")
    settings, names = result["settings"], set(small_spaces())
    missing = [k for k in SETTINGS if k not in settings]
    if missing:
        raise ValueError(f"the result's settings lack {missing}")
    if set(result["spaces"]) != names:
        raise ValueError(
            f"the result's spaces must be {sorted(names)}, got {sorted(result['spaces'])}"
        )
    budget, seeds = settings["budget"], settings["seeds"]
    expected = {(n, s, seed) for n in names for s in STRATEGIES for seed in range(seeds)}
    found = set()
    for i, run in enumerate(result["runs"]):
        key = (run.get("space"), run.get("strategy"), run.get("seed"))
        if key not in expected or key in found:
            raise ValueError(f"runs[{i}] is unexpected or repeated: {key}")
        found.add(key)
        for name in _RUN_LISTS:
            values = run.get(name)
            if not isinstance(values, list) or len(values) != budget:
                raise ValueError(f"runs[{i}].{name} must hold {budget} values (the budget)")
        scores = np.asarray(run["scores"], dtype=float)
        if not ((scores >= 0) & (scores <= 1)).all():
            raise ValueError(f"runs[{i}].scores must be accuracies in [0, 1]")
        retrained = run.get("retrained", {})
        if not all(0 <= retrained.get(k, -1) <= 1 for k in ("val", "test")):
            raise ValueError(f"runs[{i}].retrained needs val and test accuracies in [0, 1]")
    if found != expected:
        raise ValueError(f"the result lacks {len(expected - found)} of its {len(expected)} runs")
    return result


def load_precomputed() -> dict[str, Any]:
    """The shipped result of ``benchmarks/bench_searchability.py`` (checked by
    :func:`check_result`): computed once, offline, not by the notebook that shows it."""
    from .precomputed import load  # the one reader: it also checks the PRECOMPUTED marking

    return dict(check_result(load("searchability")))


def _runs(result: Mapping[str, Any], space: str, strategy: str) -> list[Mapping[str, Any]]:
    runs = [r for r in result["runs"] if r["space"] == space and r["strategy"] == strategy]
    return sorted(runs, key=lambda r: r["seed"])


def curves(result: Mapping[str, Any]) -> dict[str, list[list[float]]]:
    """Best search score so far after each evaluation, one curve per seed, per
    ``"space, strategy"`` (every run has the full budget: nothing to cut)."""
    return {
        f"{space}, {strategy}": [
            np.maximum.accumulate(r["scores"]).tolist() for r in _runs(result, space, strategy)
        ]
        for space in small_spaces()
        for strategy in STRATEGIES
    }


def random_samples(result: Mapping[str, Any], space: str) -> np.ndarray:
    """The search scores of all of random search's evaluations in ``space`` (every seed): a
    sample of the space's distribution under this proxy."""
    return np.concatenate([r["scores"] for r in _runs(result, space, "random search")])


def summarise(result: Mapping[str, Any], seed: int = 0) -> dict[str, Any]:
    """The numbers the course shows, as ``rows`` (one per space and strategy; the ``sample``
    columns describe the space's random samples: median and 90th percentile of their scores,
    median parameters, mean training seconds), ``differences``
    (name -> :class:`~nasedu.stats.Interval` of the retrained validation accuracy) and
    ``claims`` (one sentence per difference, saying whether the runs show it)."""
    check_result(result)
    rows, retrained = [], {}
    for space in small_spaces():
        pool = random_samples(result, space)
        sampled = _runs(result, space, "random search")
        params = np.concatenate([r["params"] for r in sampled])
        seconds = np.concatenate([r["train_seconds"] for r in sampled])
        for strategy in STRATEGIES:
            runs = _runs(result, space, strategy)
            found = [max(r["scores"]) for r in runs]
            again = [r["retrained"]["val"] for r in runs]
            retrained[space, strategy] = again
            rows.append(
                {
                    "space": space,
                    "strategy": strategy,
                    "seeds": len(runs),
                    "search best": float(np.mean(found)),
                    "retrained val": mean_ci(again, seed=seed),
                    "retrained test": float(np.mean([r["retrained"]["test"] for r in runs])),
                    "beats share of samples": float(np.mean([(pool < v).mean() for v in again])),
                    "sample median": float(np.median(pool)),
                    "sample 90th pct": float(np.percentile(pool, 90)),
                    "sample params": int(np.median(params)),
                    "sample train s": float(np.mean(seconds)),
                }
            )
    cell, hier = "cell-like", "hierarchical"
    rnd, evo = STRATEGIES
    gain = {s: np.subtract(retrained[s, evo], retrained[s, rnd]) for s in (cell, hier)}
    differences = {
        f"{hier} minus {cell}, {rnd}": difference_ci(
            retrained[hier, rnd], retrained[cell, rnd], seed=seed
        ),
        f"{hier} minus {cell}, {evo}": difference_ci(
            retrained[hier, evo], retrained[cell, evo], seed=seed
        ),
        f"{evo} minus {rnd}, {cell} (paired by seed)": difference_ci(
            retrained[cell, evo], retrained[cell, rnd], paired=True, seed=seed
        ),
        f"{evo} minus {rnd}, {hier} (paired by seed)": difference_ci(
            retrained[hier, evo], retrained[hier, rnd], paired=True, seed=seed
        ),
        f"evolution's gain over random search, {hier} minus {cell}": difference_ci(
            gain[hier], gain[cell], seed=seed
        ),
    }
    claims = [
        f"{name}: {interval} -> "
        + ("a difference the runs show" if interval.excludes_zero else "not distinguishable from 0")
        for name, interval in differences.items()
    ]
    return {"rows": rows, "differences": differences, "claims": claims}
