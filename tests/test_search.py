"""Search strategies: budgets, histories, caching, and what makes evolution evolution."""

from __future__ import annotations

import json

import pytest

from nasedu import data
from nasedu.search import (
    SearchHistory,
    make_objective,
    random_search,
    regularized_evolution,
    tournament_evolution,
)
from nasedu.spaces import ChainSpace, Layer

TINY = {
    "conv": {"filters": (4, 8), "kernel": (1, 3), "stride": (1,)},
    "pool": {"kind": ("max", "avg"), "kernel": (3,), "stride": (1,)},
}


def filters_score(genotype) -> float:
    """A cheap objective with a known optimum: total filters (pool counts as 0)."""
    return float(sum(layer.get("filters", 0) for layer in genotype.layers))


@pytest.fixture
def space():
    return ChainSpace(max_layers=3, layer_types=TINY)


def test_random_search_evaluates_the_budget_and_tracks_the_best(space):
    history = random_search(space, filters_score, 15, rng=0, progress=False)
    assert len(history) == 15
    assert [r["step"] for r in history.records] == list(range(1, 16))
    curve = history.best_so_far()
    assert curve == sorted(curve) and curve[-1] == max(history.scores())
    genotype, score = history.best(space)
    assert filters_score(genotype) == score


def test_same_seed_same_search(space):
    a = random_search(space, filters_score, 8, rng=4, progress=False)
    b = random_search(space, filters_score, 8, rng=4, progress=False)
    assert [r["hash"] for r in a.records] == [r["hash"] for r in b.records]


def test_repeated_architectures_reuse_their_score(space):
    calls = []

    def counting(genotype):
        calls.append(genotype)
        return filters_score(genotype)

    history = random_search(space, counting, 200, rng=0, progress=False)
    cached = [r for r in history.records if r["cached"]]
    assert cached, "a 200-sample search in a space of ~700 genotypes repeats some"
    assert len(calls) == 200 - len(cached)


def test_evolution_beats_random_search_on_an_easy_objective(space):
    """With a smooth objective, mutation-based search should climb to the optimum quickly."""
    optimum = 3 * 8.0
    evo = regularized_evolution(
        space, filters_score, 60, population_size=10, sample_size=3, rng=0, progress=False
    )
    assert max(evo.scores()) == optimum


def test_regularized_evolution_children_are_mutants_of_the_population(space):
    history = regularized_evolution(
        space, filters_score, 12, population_size=4, sample_size=2, rng=1, progress=False
    )
    assert history.settings == {"budget": 12, "population_size": 4, "sample_size": 2}
    assert len(history) == 12


def test_tournament_evolution_uses_the_initial_population(space):
    start = [space.validate(space.decode(0))] * 3
    history = tournament_evolution(
        space, filters_score, 10, population_size=3, initial=start, rng=0, progress=False
    )
    first = [r["genotype"] for r in history.records[:3]]
    assert all(g == space.genotype_to_data(start[0]) for g in first)
    # every later architecture is a mutant: it differs from the initial one
    assert any(r["genotype"] != first[0] for r in history.records[3:])


def test_history_is_written_after_every_step_and_reloads(space, tmp_path):
    path = tmp_path / "runs" / "history.json"
    seen = []

    def watching(genotype):
        if path.exists():
            lines = path.read_text().splitlines()
            assert json.loads(lines[0])["strategy"] == "random search"  # the header
            seen.append(len(lines) - 1)
        return filters_score(genotype)

    history = random_search(space, watching, 5, rng=0, history_path=path, progress=False)
    assert seen == [0, 1, 2, 3, 4]  # the header is written before the first evaluation
    loaded = SearchHistory.load(path)
    assert loaded.scores() == history.scores() and loaded.strategy == "random search"
    genotype, _ = loaded.best(space)
    assert space.validate(genotype)


def test_bad_arguments(space):
    with pytest.raises(ValueError, match="budget"):
        random_search(space, filters_score, 0, progress=False)
    with pytest.raises(ValueError, match="sample_size"):
        regularized_evolution(space, filters_score, 5, population_size=2, sample_size=3)
    with pytest.raises(ValueError, match="tournament_fraction"):
        tournament_evolution(space, filters_score, 5, tournament_fraction=0)
    with pytest.raises(KeyError, match="score"):
        random_search(space, lambda g: {"accuracy": 1.0}, 1, progress=False)
    with pytest.raises(ValueError, match="not evaluated"):
        SearchHistory("chain", "random search").best()


@pytest.mark.parametrize("budget", [1.5, None, "3", True])
def test_a_budget_must_be_an_integer(space, budget):
    with pytest.raises(ValueError, match="budget must be an integer"):
        random_search(space, filters_score, budget, progress=False)


def test_population_and_sample_sizes_are_named_when_wrong(space):
    with pytest.raises(ValueError, match="population_size must be an integer"):
        regularized_evolution(space, filters_score, 5, population_size=1.5, progress=False)
    with pytest.raises(ValueError, match="population_size must be at least 1"):
        tournament_evolution(space, filters_score, 5, population_size=0, progress=False)
    with pytest.raises(ValueError, match=r"sample_size <= population_size \(2\), got 3"):
        regularized_evolution(space, filters_score, 5, population_size=2, sample_size=3)


@pytest.mark.parametrize("answer", [None, "good", {"score": "high"}, [0.5]])
def test_an_objective_must_answer_with_a_number(space, answer):
    with pytest.raises(TypeError, match="number or a dict with a numeric 'score'"):
        random_search(space, lambda g: answer, 1, progress=False)


def test_a_nan_score_is_refused_and_minus_infinity_is_ranked_last(space):
    with pytest.raises(ValueError, match="NaN score for ChainGenotype"):
        random_search(space, lambda g: float("nan"), 1, progress=False)
    failing = random_search(space, lambda g: float("-inf"), 3, rng=0, progress=False)
    assert failing.scores() == [float("-inf")] * 3


def test_make_objective_trains_a_proxy(space):
    digits = data.load("digits").shrink(train=200, val=100)
    objective = make_objective(space, digits, epochs=1)
    genotype = space.validate(
        type(space.sample(0))((Layer("conv", filters=8, kernel=3, stride=1),))
    )
    outcome = objective(genotype)
    assert 0 <= outcome["score"] <= 1
    assert outcome["params"] == 1 * 8 * 9 + 2 * 8 + 8 * 10 + 10
    assert outcome["epochs"] == 1


def test_random_search_can_use_another_sampler(space):
    only = space.decode(3)
    history = random_search(space, filters_score, 4, sampler=lambda rng: only, progress=False)
    assert all(r["genotype"] == space.genotype_to_data(only) for r in history.records)
    assert sum(r["cached"] for r in history.records) == 3


def test_tournament_evolution_never_removes_anyone_and_grows_its_tournament(space, monkeypatch):
    """Liu et al. (2018), Sec. 3.3: the population only grows; the tournament is 5% of it."""
    import nasedu.search as search_module

    sizes = []
    real = search_module._tournament_winner

    def spy(population, k, rng):
        sizes.append((len(population), k))
        return real(population, k, rng)

    monkeypatch.setattr(search_module, "_tournament_winner", spy)
    tournament_evolution(space, filters_score, 80, population_size=5, rng=0, progress=False)
    assert [n for n, _ in sizes] == list(range(5, 80))  # one more member after every step
    assert sizes[0] == (5, 2) and sizes[-1] == (79, 4)  # max(2, round(0.05 * n))


def test_make_objective_pickles_so_worker_processes_can_run_it(space):
    import pickle

    digits = data.load("digits").shrink(train=100, val=50)
    objective = make_objective(space, digits, epochs=1)
    genotype = space.validate(
        type(space.sample(0))((Layer("conv", filters=4, kernel=3, stride=1),))
    )
    copy = pickle.loads(pickle.dumps(objective))
    mine, theirs = objective(genotype), copy(genotype)
    del mine["train_seconds"], theirs["train_seconds"]  # wall time differs
    assert mine == theirs
