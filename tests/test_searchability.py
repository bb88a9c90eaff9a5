"""The searchability race (nasedu.searchability): its spaces, its result's schema, its summary,
and the shipped precomputed result."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nasedu.searchability import (
    SETTINGS,
    STRATEGIES,
    check_result,
    curves,
    load_precomputed,
    max_primitives,
    race,
    small_spaces,
    summarise,
)
from nasedu.stats import Interval


def fake_result(seeds: int = 3, budget: int = 4, rng: int = 0) -> dict:
    """A result of race()'s shape with random accuracies (no training)."""
    gen = np.random.default_rng(rng)
    runs = [
        {
            "space": space,
            "strategy": strategy,
            "seed": seed,
            "scores": gen.uniform(0, 1, budget).round(3).tolist(),
            "hashes": [f"h{i}" for i in range(budget)],
            "params": [1000] * budget,
            "train_seconds": [1.0] * budget,
            "incumbent": {},
            "retrained": {"val": float(gen.uniform()), "test": float(gen.uniform())},
        }
        for space in small_spaces()
        for strategy in STRATEGIES
        for seed in range(seeds)
    ]
    settings = {**SETTINGS, "seeds": seeds, "budget": budget}
    return {"settings": settings, "spaces": {name: {} for name in small_spaces()}, "runs": runs}


def test_the_hierarchical_space_is_larger_and_more_expressive():
    spaces = small_spaces()
    cell, hier = spaces["cell-like"], spaces["hierarchical"]
    assert max_primitives(cell) == 10  # 5 nodes: 10 node pairs
    assert max_primitives(hier) == 6 * 3  # 6 level-3 edges, each a 3-edge motif
    assert hier.size() > 100 * cell.size()
    assert cell.primitives == hier.primitives


@given(st.integers(2, 6), st.integers(1, 5), st.integers(0, 1000))
def test_summary_of_any_result(seeds, budget, rng):
    result = fake_result(seeds, budget, rng)
    summary = summarise(result)
    assert len(summary["rows"]) == 2 * len(STRATEGIES)
    for row in summary["rows"]:
        assert 0 <= row["beats share of samples"] <= 1
        assert (
            row["retrained val"].low <= row["retrained val"].estimate <= row["retrained val"].high
        )
    assert len(summary["claims"]) == len(summary["differences"])
    for interval in summary["differences"].values():
        assert isinstance(interval, Interval) and interval.low <= interval.high
    for runs in curves(result).values():
        assert len(runs) == seeds and all(len(run) == budget for run in runs)
        assert all(np.all(np.diff(run) >= 0) for run in runs)  # best so far never drops


@pytest.mark.parametrize(
    "damage, named",
    [
        (lambda r: r.pop("runs"), "runs"),
        (lambda r: r["runs"].pop(), "lacks"),
        (lambda r: r["runs"][0]["scores"].pop(), "scores"),
        (lambda r: r["runs"][1].__setitem__("scores", [2.0] * 4), "scores"),
        (lambda r: r["runs"][2].__setitem__("retrained", {"val": 0.5}), "retrained"),
        (lambda r: r["runs"].append(copy.deepcopy(r["runs"][0])), "repeated"),
        (lambda r: r["spaces"].pop("hierarchical"), "spaces"),
        (lambda r: r["settings"].pop("budget"), "budget"),
    ],
)
def test_a_damaged_result_is_refused(damage, named):
    result = fake_result()
    check_result(result)
    damage(result)
    with pytest.raises(ValueError, match=named):
        check_result(result)


def test_the_shipped_result_loads_and_is_marked_precomputed():
    result = load_precomputed()  # checks the schema
    assert "PRECOMPUTED" in result["note"]
    assert result["settings"]["seeds"] >= 8
    assert set(result["spaces"]) == set(small_spaces())
    for name, space in small_spaces().items():
        assert result["spaces"][name]["max_primitives"] == max_primitives(space)
    summary = summarise(result)
    assert len(summary["rows"]) == 4


def test_a_tiny_race_pairs_evolution_with_random_search():
    """With one seed, evolution's random initial population is random search's first draws."""
    settings = {"seeds": 2, "budget": 3, "population_size": 2, "sample_size": 2}
    result = race({**settings, "train": 32, "val": 32, "test": 32, "epochs": 1})
    check_result(result)
    for space in small_spaces():
        for seed in range(2):
            rnd, evo = (
                next(
                    r
                    for r in result["runs"]
                    if (r["space"], r["strategy"], r["seed"]) == (space, strategy, seed)
                )
                for strategy in STRATEGIES
            )
            assert rnd["hashes"][:2] == evo["hashes"][:2]
            assert rnd["scores"][:2] == evo["scores"][:2]  # trained once, deterministic


def test_bad_race_settings_are_refused_by_name():
    """A typo in a setting would silently run the default race; an unknown space would be a
    KeyError deep inside."""
    from helpers import refused

    from nasedu.searchability import race, race_space

    refused(lambda: race({"seed": 3}), "seed")
    refused(lambda: race({"seeds": 1}), "seeds")
    refused(lambda: race_space("cell", {"seeds": 2}), "name")
