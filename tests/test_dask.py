"""Searches and table builds on a dask cluster (a LocalCluster of processes stands for one)."""

from __future__ import annotations

import logging
import sys
import time

import cloudpickle
import pytest
from distributed import Client, LocalCluster

from nasedu.bench import (
    group_by_architecture,
    make_benchmark,
    synthetic_benchmark,
    train_architecture,
)
from nasedu.search import random_search, regularized_evolution
from nasedu.spaces import ChainSpace

# the worker processes cannot import this test module: send its functions by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])

TINY = {
    "conv": {"filters": (4, 8), "kernel": (1, 3), "stride": (1,)},
    "pool": {"kind": ("max", "avg"), "kernel": (3,), "stride": (1,)},
}
SPACE = {
    "name": "multibranch",
    "options": {
        "max_layers": 2,
        "layer_types": {"conv": {"filters": [4], "kernel": [1, 3], "stride": [1]}},
        "merges": ["sum"],
    },
}


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_regularized_evolution_runs_asynchronously_on_a_dask_cluster(client):
    fake = synthetic_benchmark("fake", SPACE)
    history = regularized_evolution(
        fake.space, fake.objective(), 30, population_size=6, sample_size=3, rng=0,
        executor=client, progress=False,
    )  # fmt: skip
    assert history.execution["workers"] == 2  # two workers with one thread each
    assert "distributed" in history.execution["executor"]
    addresses = set(client.scheduler_info()["workers"])
    evaluated = [r for r in history.records if not r["cached"]]
    assert evaluated and {r["worker"] for r in evaluated} <= addresses
    for record in history.records:  # each score is the table's, wherever it was computed
        assert record["score"] == fake.query(record["genotype"]).val_accuracy()


def hangs_on_pools(genotype) -> float:
    """Never answers (within the test) for a chain that starts with a pooling layer."""
    if genotype.layers[0].op == "pool":
        time.sleep(120)
    return float(sum(layer.get("filters", 0) for layer in genotype.layers))


def test_a_hung_evaluation_on_dask_times_out_and_its_worker_is_replaced(client):
    space = ChainSpace(max_layers=3, layer_types=TINY)
    before = set(client.scheduler_info()["workers"])
    history = random_search(
        space, hangs_on_pools, 12, rng=1, executor=client, timeout=3.0, progress=False
    )
    failed = [r for r in history.records if "failed" in r]
    pools_first = [r for r in history.records if r["genotype"]["layers"][0]["op"] == "pool"]
    assert len(history) == 12 and failed and failed == pools_first
    assert max(history.scores()) > 0  # the others were evaluated
    client.wait_for_workers(2, timeout=120)
    replaced = {r["worker"] for r in failed if not r["cached"]}
    now = set(client.scheduler_info()["workers"])
    assert replaced & before and not replaced & now  # each was restarted (a new address)


def test_make_benchmark_on_a_dask_cluster_trains_what_training_here_gives(client):
    training = {"epochs": 1, "lr": 0.01, "batch_size": 128}
    one_layer = {"name": "multibranch", "options": {**SPACE["options"], "max_layers": 1}}
    remote = make_benchmark(
        "tiny", one_layer, {"name": "digits"}, training, executor=client, progress=False
    )
    assert "2 worker(s) x 1 thread(s)" in remote.machine
    assert len(remote) == len(group_by_architecture(remote.space))
    for record in remote:
        params, macs, run = train_architecture(
            remote.space_spec, remote.data_spec, remote.training, record.genotype, seed=0
        )
        assert (params, macs) == (record.params, record.macs)
        assert run.val_accuracy == record.runs[0].val_accuracy
