"""Shipped precomputed results (nasedu.precomputed): they load, are marked, match their schema."""

from __future__ import annotations

import pytest

from nasedu import precomputed


def test_every_shipped_result_is_marked_precomputed_with_date_and_machine():
    for name in precomputed.NAMES:
        data = precomputed.load(name)
        assert data["note"].startswith("PRECOMPUTED")
        assert data["date"][:2] == "20" and "torch" in data["machine"]


def test_the_table_retraining_retrains_the_tables_best_with_its_seeds():
    from nasedu.bench import load_benchmark

    bench = load_benchmark("multibranch-cluttered")
    best = bench.best("val")
    data = precomputed.table_retraining()
    assert data["hash"] == best.hash
    assert [r["seed"] for r in data["table"]] == [run.seed for run in best.runs]
    for shipped, run in zip(data["table"], best.runs):
        assert tuple(shipped["val_accuracy"]) == tuple(run.val_accuracy)
        assert shipped["test_accuracy"] == run.test_accuracy
    epochs = bench.fit_options["epochs"]
    assert all(len(r["val_accuracy"]) == epochs for r in data["retrained"])
    assert data["settings"]["threads"] == 1


def test_an_unknown_name_is_refused():
    with pytest.raises(ValueError, match="name"):
        precomputed.load("../bench/multibranch-cluttered")
