"""Resuming a search: replayed, not re-run; the same result as an uninterrupted run; refusals."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu.history import SearchHistory
from nasedu.search import (
    HistoryInUse,
    random_search,
    regularized_evolution,
    tournament_evolution,
)
from nasedu.spaces import ChainSpace

TINY = {
    "conv": {"filters": (4, 8), "kernel": (1, 3), "stride": (1,)},
    "pool": {"kind": ("max", "avg"), "kernel": (3,), "stride": (1,)},
}
SEARCHES = {
    "random": lambda space, objective, budget, **kw: random_search(space, objective, budget, **kw),
    "aging": lambda space, objective, budget, **kw: regularized_evolution(
        space, objective, budget, population_size=6, sample_size=3, **kw
    ),
    "tournament": lambda space, objective, budget, **kw: tournament_evolution(
        space, objective, budget, population_size=6, **kw
    ),
}


class Interrupted(Exception):
    """Stands for the kill that stops a search."""


def filters_score(genotype) -> float:
    return float(sum(layer.get("filters", 0) for layer in genotype.layers))


def same_search(a: SearchHistory, b: SearchHistory) -> None:
    keys = ("step", "proposal", "hash", "score", "cached", "genotype")
    assert [[r[k] for k in keys] for r in a.records] == [[r[k] for k in keys] for r in b.records]


@pytest.fixture
def space():
    return ChainSpace(max_layers=3, layer_types=TINY)


@pytest.mark.parametrize("name", SEARCHES)
def test_a_resumed_search_equals_an_uninterrupted_one_and_reruns_nothing(space, tmp_path, name):
    search, path = SEARCHES[name], tmp_path / "h.jsonl"
    whole = search(space, filters_score, 40, rng=7, progress=False)
    calls = []

    def stopping(genotype):
        if len(calls) == 15:
            raise Interrupted
        calls.append(genotype)
        return filters_score(genotype)

    with pytest.raises(Interrupted):
        search(space, stopping, 40, rng=7, history_path=path, progress=False)
    recorded = len(SearchHistory.load(path))
    assert recorded >= 15

    calls.clear()

    def counting(genotype):
        calls.append(genotype)
        return filters_score(genotype)

    resumed = search(space, counting, 40, rng=7, history_path=path, resume=True, progress=False)
    same_search(resumed, whole)
    fresh_after = sum(not r["cached"] for r in whole.records[recorded:])
    assert len(calls) == fresh_after  # the recorded evaluations were replayed, not re-run
    same_search(SearchHistory.load(path), whole)


def test_a_finished_search_resumes_to_itself_and_can_be_extended(space, tmp_path):
    path = tmp_path / "h.jsonl"
    first = regularized_evolution(
        space, filters_score, 12, population_size=4, sample_size=2, rng=1, history_path=path,
        progress=False,
    )  # fmt: skip

    def never(genotype):
        raise AssertionError("nothing should be evaluated")

    again = regularized_evolution(
        space, never, 12, population_size=4, sample_size=2, rng=1, history_path=path,
        resume=True, progress=False,
    )  # fmt: skip
    same_search(again, first)
    longer = regularized_evolution(
        space, filters_score, 30, population_size=4, sample_size=2, rng=1, history_path=path,
        resume=True, progress=False,
    )  # fmt: skip
    whole = regularized_evolution(
        space, filters_score, 30, population_size=4, sample_size=2, rng=1, progress=False
    )
    same_search(longer, whole)


def test_an_unseeded_search_records_its_seed_and_resumes_with_it(space, tmp_path):
    path = tmp_path / "h.jsonl"
    first = random_search(space, filters_score, 10, history_path=path, progress=False)
    assert isinstance(first.seed, int)
    assert json.loads(path.read_text().splitlines()[0])["seed"] == first.seed
    whole = random_search(space, filters_score, 20, rng=first.seed, progress=False)
    resumed = random_search(
        space, filters_score, 20, history_path=path, resume=True, progress=False
    )
    same_search(resumed, whole)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"rng": 8}, "seed: file 7, this call 8"),
        ({"sample_size": 2}, "settings"),
        ({"population_size": 5}, "settings"),
        ({"workers": 2, "executor": "threads"}, "workers: file 1, this call 2"),
    ],
)
def test_a_file_from_another_search_is_refused_by_name(space, tmp_path, change, named):
    path = tmp_path / "h.jsonl"
    call = {"population_size": 6, "sample_size": 3, "rng": 7, "progress": False}
    regularized_evolution(space, filters_score, 8, history_path=path, **call)
    before = path.read_text()
    call.update(change)
    with ThreadPoolExecutor(2) as pool:
        if call.get("executor") == "threads":
            call["executor"] = pool
        with pytest.raises(ValueError, match="written by a different search") as error:
            regularized_evolution(space, filters_score, 8, history_path=path, resume=True, **call)
    assert named in str(error.value)
    assert path.read_text() == before  # the refused call left the file alone


def test_other_strategies_samplers_and_budgets_are_refused(space, tmp_path):
    path = tmp_path / "h.jsonl"
    random_search(space, filters_score, 8, rng=7, history_path=path, progress=False)
    with pytest.raises(ValueError, match="strategy: file 'random search'"):
        tournament_evolution(space, filters_score, 8, rng=7, history_path=path, resume=True)
    other = ChainSpace(max_layers=2, layer_types=TINY)
    with pytest.raises(ValueError, match="space_repr"):
        random_search(other, filters_score, 8, rng=7, history_path=path, resume=True)
    with pytest.raises(ValueError, match="another search"):
        random_search(
            space, filters_score, 8, rng=7, sampler=lambda rng: space.decode(0),
            history_path=path, resume=True, progress=False,
        )  # fmt: skip
    with pytest.raises(ValueError, match="more than the budget"):
        random_search(space, filters_score, 5, rng=7, history_path=path, resume=True)
    with pytest.raises(ValueError, match="resume=True needs the history_path"):
        random_search(space, filters_score, 5, rng=7, resume=True)


def test_a_file_of_the_old_format_cannot_be_resumed(space, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"space": "chain", "strategy": "random search", "records": []}))
    with pytest.raises(ValueError, match="older nasedu"):
        random_search(space, filters_score, 5, rng=7, history_path=path, resume=True)


def test_a_second_search_on_a_file_in_use_is_refused_and_the_first_goes_on(space, tmp_path):
    path = tmp_path / "h.jsonl"
    started, release = threading.Event(), threading.Event()
    result = {}

    def waiting(genotype):
        started.set()
        release.wait(60)
        return filters_score(genotype)

    def first():
        result["history"] = random_search(
            space, waiting, 5, rng=0, history_path=path, progress=False
        )

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(60)
        for resume in (False, True):
            with pytest.raises(HistoryInUse, match="in use by another search"):
                random_search(
                    space, filters_score, 5, rng=0, history_path=path, resume=resume,
                    progress=False,
                )  # fmt: skip
    finally:
        release.set()
        thread.join(60)
    assert len(result["history"]) == 5
    same_search(SearchHistory.load(path), result["history"])


SCRIPT = """
import sys, time
from nasedu.search import regularized_evolution
from nasedu.spaces import ChainSpace

TINY = {tiny!r}

def slow_score(genotype):
    time.sleep(0.01)
    return float(sum(layer.get("filters", 0) for layer in genotype.layers))

regularized_evolution(ChainSpace(max_layers=3, layer_types=TINY), slow_score, 400,
                      population_size=6, sample_size=3, rng=5, history_path=sys.argv[1],
                      progress=False)
"""


def test_a_search_killed_with_sigkill_resumes_where_it_stopped(space, tmp_path):
    path, script = tmp_path / "h.jsonl", tmp_path / "search.py"
    script.write_text(textwrap.dedent(SCRIPT.format(tiny=TINY)))
    process = subprocess.Popen([sys.executable, str(script), str(path)])
    try:
        while process.poll() is None and (not path.exists() or path.read_text().count("\n") < 40):
            time.sleep(0.05)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    recorded = len(SearchHistory.load(path))
    assert 39 <= recorded < 400
    resumed = regularized_evolution(
        space, filters_score, 400, population_size=6, sample_size=3, rng=5, history_path=path,
        resume=True, progress=False,
    )  # fmt: skip
    whole = regularized_evolution(
        space, filters_score, 400, population_size=6, sample_size=3, rng=5, progress=False
    )
    same_search(resumed, whole)


@pytest.mark.parametrize("name", ["aging", "tournament"])
def test_an_interrupted_parallel_search_resumes_by_replaying_its_completion_order(
    space, tmp_path, name
):
    """With workers, the file's completion order is replayed: every recorded evaluation keeps
    its place, those that were in flight at the interruption are evaluated again, and nothing
    recorded is re-run."""
    search, path = SEARCHES[name], tmp_path / "h.jsonl"
    calls = []

    def stopping(genotype):
        calls.append(genotype)
        if len(calls) == 20:
            raise Interrupted
        time.sleep(0.002 * (len(calls) % 3))  # finish out of order
        return filters_score(genotype)

    with ThreadPoolExecutor(3) as pool, pytest.raises(Interrupted):
        search(space, stopping, 50, rng=4, executor=pool, history_path=path, progress=False)
    recorded = SearchHistory.load(path).records
    assert recorded and recorded[-1]["step"] == len(recorded)
    calls.clear()
    with ThreadPoolExecutor(3) as pool:
        resumed = search(
            space, lambda g: calls.append(g) or filters_score(g), 50, rng=4, executor=pool,
            history_path=path, resume=True, progress=False,
        )  # fmt: skip
    assert resumed.records[: len(recorded)] == recorded
    assert [r["step"] for r in resumed.records] == list(range(1, 51))
    assert sorted(r["proposal"] for r in resumed.records) == list(range(1, 51))
    replayed = {r["proposal"] for r in recorded}
    rerun = {r["hash"] for r in resumed.records[len(recorded) :] if not r["cached"]}
    assert len(calls) == len(rerun)  # only new evaluations called the objective
    assert not replayed & {r["proposal"] for r in resumed.records[len(recorded) :]}


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), stop=st.integers(1, 24))
def test_resuming_after_any_evaluation_gives_the_uninterrupted_search(seed, stop):
    space = ChainSpace(max_layers=3, layer_types=TINY)
    whole = regularized_evolution(
        space, filters_score, 25, population_size=5, sample_size=2, rng=seed, progress=False
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "h.jsonl")
        counted = []

        def stopping(genotype):
            if len(counted) == stop:
                raise Interrupted
            counted.append(genotype)
            return filters_score(genotype)

        with contextlib.suppress(Interrupted):
            regularized_evolution(
                space, stopping, 25, population_size=5, sample_size=2, rng=seed,
                history_path=path, progress=False,
            )  # fmt: skip
        resumed = regularized_evolution(
            space, filters_score, 25, population_size=5, sample_size=2, rng=seed,
            history_path=path, resume=True, progress=False,
        )  # fmt: skip
    same_search(resumed, whole)


class _AtOnce(Executor):
    """An executor that runs each call when it is submitted: completion order = submission
    order, the same on every machine (no threads, no timing)."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # the search reads it from the future
            future.set_exception(error)
        return future


@pytest.mark.parametrize("name", SEARCHES)
def test_a_history_cut_after_a_repeat_resumes_its_unfinished_evaluations(space, tmp_path, name):
    """A regression: when the last recorded evaluation is a repeat (answered from the cache
    while proposing), the replay ends *while proposing*; the evaluations still in flight then
    were never started, and waiting for them crashed ('NoneType' has no '_condition').  Every
    cut of a 3-worker history after a repeat must resume to the uninterrupted search."""
    search, path = SEARCHES[name], tmp_path / "whole.jsonl"
    run = {"executor": _AtOnce(), "workers": 3, "progress": False}
    whole = search(space, filters_score, 40, rng=4, history_path=path, **run)
    lines = path.read_text().splitlines()
    cuts = [
        k for k, line in enumerate(lines, 1) if json.loads(line).get("cached") and k < len(lines)
    ]
    assert cuts, "the tiny space repeats architectures within 40 evaluations"
    for k in cuts:
        cut = tmp_path / f"cut{k}.jsonl"
        cut.write_text("\n".join(lines[:k]) + "\n")
        resumed = search(space, filters_score, 40, rng=4, history_path=cut, resume=True, **run)
        same_search(resumed, whole)
