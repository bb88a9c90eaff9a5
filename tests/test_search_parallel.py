"""Parallel, asynchronous searches on executors, and timeouts for hung evaluations."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

import pytest

from nasedu.search import random_search, regularized_evolution, tournament_evolution
from nasedu.spaces import ChainSpace

TINY = {
    "conv": {"filters": (4, 8), "kernel": (1, 3), "stride": (1,)},
    "pool": {"kind": ("max", "avg"), "kernel": (3,), "stride": (1,)},
}
RELEASE = threading.Event()  # set at the end of the module: lets abandoned evaluations finish


def filters_score(genotype) -> float:
    return float(sum(layer.get("filters", 0) for layer in genotype.layers))


def hangs_on_pools(genotype) -> float:
    """Never answers for a chain that starts with a pooling layer (within the test)."""
    if genotype.layers[0].op == "pool":
        RELEASE.wait(120)
    return filters_score(genotype)


def pid_and_score(genotype) -> dict:
    import os

    return {"score": filters_score(genotype), "pid": os.getpid()}


@pytest.fixture
def space():
    return ChainSpace(max_layers=3, layer_types=TINY)


@pytest.fixture(scope="module", autouse=True)
def release_abandoned_threads():
    yield
    RELEASE.set()


def test_workers_evaluations_are_in_flight_at_once(space):
    """The first four evaluations meet at a barrier: only a search that keeps four in flight
    gets past it (a serial search would break the barrier)."""
    barrier = threading.Barrier(4, timeout=60)
    calls = []

    def meeting(genotype):
        calls.append(genotype)
        if len(calls) <= 4:
            barrier.wait()
        return filters_score(genotype)

    with ThreadPoolExecutor(4) as pool:
        history = regularized_evolution(
            space, meeting, 30, population_size=8, sample_size=3, rng=0, executor=pool,
            progress=False,
        )  # fmt: skip
    assert not barrier.broken and len(history) == 30
    assert history.execution["workers"] == 4
    assert [r["step"] for r in history.records] == list(range(1, 31))
    assert sorted(r["proposal"] for r in history.records) == list(range(1, 31))
    assert all("ThreadPoolExecutor" in r["worker"] for r in history.records if not r["cached"])


def test_the_next_child_is_handed_out_as_soon_as_one_finishes(space):
    """Proposal 1 finishes last: the others, and the children proposed after them, go on
    without waiting for it (no generations), and the history records completion order."""
    first_done = threading.Event()
    seen = []
    lock = threading.Lock()  # two workers start at once: which call came first is decided here

    def slow_first(genotype):
        with lock:
            seen.append(genotype)
            number = len(seen)
        if number == 1:
            first_done.wait(60)
        elif number >= 6:
            first_done.set()
        return filters_score(genotype)

    with ThreadPoolExecutor(2) as pool:
        history = tournament_evolution(
            space, slow_first, 12, population_size=3, rng=0, executor=pool, progress=False
        )
    slow = space.arch_hash(seen[0])
    finished = [r["hash"] for r in history.records]
    assert finished.index(slow) >= 4  # at least four others finished before the slow one
    assert history.records[finished.index(slow)]["proposal"] in (1, 2)  # one of the first two
    assert len(history) == 12


def test_parallel_random_search_proposes_what_the_serial_one_does(space):
    serial = random_search(space, filters_score, 40, rng=2, progress=False)
    with ThreadPoolExecutor(3) as pool:
        parallel = random_search(
            space, filters_score, 40, rng=2, executor=pool, workers=3, progress=False
        )
    by_proposal = sorted(parallel.records, key=lambda r: r["proposal"])
    assert [r["hash"] for r in by_proposal] == [r["hash"] for r in serial.records]
    assert sorted(parallel.scores()) == sorted(serial.scores())


def test_one_worker_on_an_executor_is_the_serial_search(space):
    serial = regularized_evolution(space, filters_score, 25, population_size=5, rng=3)
    with ThreadPoolExecutor(1) as pool:
        pooled = regularized_evolution(
            space, filters_score, 25, population_size=5, rng=3, executor=pool, progress=False
        )
    assert [r["hash"] for r in pooled.records] == [r["hash"] for r in serial.records]


def test_a_process_pool_runs_the_search_in_other_processes(space):
    import os

    with ProcessPoolExecutor(2, get_context("spawn")) as pool:
        history = regularized_evolution(
            space, pid_and_score, 16, population_size=4, sample_size=2, rng=0, executor=pool,
            progress=False,
        )  # fmt: skip
    pids = {r["pid"] for r in history.records}
    assert os.getpid() not in pids and len(history) == 16
    assert all(r["worker"].endswith(f":{r['pid']}") for r in history.records if not r["cached"])


def test_a_process_pool_needs_an_objective_that_pickles(space):
    with (
        ProcessPoolExecutor(2, get_context("spawn")) as pool,
        pytest.raises(TypeError, match="must pickle the objective"),
    ):
        random_search(space, lambda g: 1.0, 4, executor=pool, progress=False)


FRESH = pytest.param(
    "fresh processes",
    marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child is 3.11+"),
)


@pytest.mark.parametrize("where", ["here", "threads", "processes", FRESH])
def test_a_hung_evaluation_is_recorded_as_failed_and_the_search_goes_on(space, where):
    pools = {
        "here": lambda: None,
        "threads": lambda: ThreadPoolExecutor(2),
        "processes": lambda: ProcessPoolExecutor(2, get_context("spawn")),
        "fresh processes": lambda: ProcessPoolExecutor(
            2, get_context("spawn"), max_tasks_per_child=1
        ),
    }
    pool = pools[where]()
    try:
        history = random_search(
            space, hangs_on_pools, 12, rng=1, executor=pool, timeout=2.0, progress=False
        )
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    failed = [r for r in history.records if "failed" in r]
    pools_first = [r for r in history.records if r["genotype"]["layers"][0]["op"] == "pool"]
    assert len(history) == 12 and failed and failed == pools_first
    assert all(r["score"] == float("-inf") for r in failed)
    assert all(r["failed"] == "timed out after 2 s" for r in failed)
    assert max(history.scores()) > 0  # the others were evaluated
    if where == "fresh processes":  # a hung call ended with its process: it ran nothing else
        for record in (r for r in failed if not r["cached"]):
            later = [r["worker"] for r in history.records if r["step"] > record["step"]]
            assert record["worker"] not in later


def test_an_error_in_the_objective_stops_a_parallel_search_and_cancels_the_rest(space):
    calls = []

    def failing(genotype):
        calls.append(genotype)
        if len(calls) == 3:
            raise RuntimeError("out of memory")
        time.sleep(0.01)
        return filters_score(genotype)

    with ThreadPoolExecutor(2) as pool, pytest.raises(RuntimeError, match="out of memory"):
        random_search(space, failing, 200, rng=0, executor=pool, progress=False)
    assert len(calls) < 10


def test_bad_executor_workers_and_timeout_are_named(space):
    with pytest.raises(ValueError, match="workers=2 needs an executor"):
        random_search(space, filters_score, 4, workers=2, progress=False)
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        random_search(space, filters_score, 4, workers=0, progress=False)
    with pytest.raises(ValueError, match="workers must be an integer"):
        random_search(space, filters_score, 4, workers=1.5, progress=False)
    with pytest.raises(TypeError, match=r"executor must be a concurrent\.futures\.Executor"):
        random_search(space, filters_score, 4, executor="dask", workers=1, progress=False)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        random_search(space, filters_score, 4, timeout=-1, progress=False)
