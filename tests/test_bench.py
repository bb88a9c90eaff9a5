"""Tabular benchmarks: making a table, looking genotypes up, searching on it, the shipped table."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from nasedu.bench import (
    NotInBenchmark,
    TabularBenchmark,
    available_benchmarks,
    load_benchmark,
    make_benchmark,
    synthetic_benchmark,
)
from nasedu.bench import build as build_module
from nasedu.measure import count_parameters, rank_correlation
from nasedu.search import random_search, regularized_evolution
from nasedu.spaces import InvalidArchitecture, Layer, MultiBranchSpace
from nasedu.spaces.multibranch import BranchNode, MultiBranchGenotype, chain_like
from nasedu.train import channels_last, device

TINY_SPACE = {
    "name": "multibranch",
    "options": {
        "max_layers": 2,
        "layer_types": {"conv": {"filters": [4], "kernel": [1, 3], "stride": [1]}},
        "merges": ["sum"],
    },
}
TINY_DATA = {"name": "digits"}
TINY_TRAINING = {"epochs": 2, "lr": 0.01, "batch_size": 128}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> TabularBenchmark:
    path = tmp_path_factory.mktemp("bench") / "checkpoint.json"
    return make_benchmark(
        "tiny", TINY_SPACE, TINY_DATA, TINY_TRAINING, seeds=(0, 1), checkpoint=path, progress=False
    )


def conv(kernel: int) -> Layer:
    return Layer("conv", filters=4, kernel=kernel, stride=1)


# -- making a table --------------------------------------------------------------------------------
def test_one_entry_per_architecture_and_every_encoding_counted(tiny):
    space = tiny.space
    # 2 one-layer genotypes + 2 * (2 inputs + 1 sum) * 2 layers = 14 encodings
    assert space.size() == 2 + 2 * 3 * 2
    hashes = {space.arch_hash(g) for g in space.enumerate()}
    assert len(tiny) == len(hashes)
    assert sum(record.encodings for record in tiny) == space.size()
    # a second layer reading only the input leaves layer 1 dead: same network as one layer
    dead_first = MultiBranchGenotype((BranchNode(conv(1), (0,)), BranchNode(conv(3), (0,))))
    assert tiny.query(dead_first) is tiny.query(MultiBranchGenotype((BranchNode(conv(3), (0,)),)))
    # the one-layer network and its two encodings with a dead first layer (1x1 or 3x3)
    assert tiny.query(dead_first).encodings == 3


def test_every_record_has_both_seeds_full_curves_and_sizes(tiny):
    space = tiny.space
    for record in tiny:
        assert [run.seed for run in record.runs] == [0, 1]
        assert record.epochs == 2
        assert all(0.0 <= a <= 1.0 for run in record.runs for a in run.val_accuracy)
        assert record.val_accuracy() == pytest.approx(
            np.mean([run.val_accuracy[-1] for run in record.runs])
        )
        model = space.build(tiny.genotype(record), input_shape=(1, 8, 8), num_classes=10)
        assert record.params == count_parameters(model)
        assert record.macs > 0


def test_a_table_is_reproducible_on_the_same_machine(tiny):
    genotype = chain_like([conv(3), conv(1)])
    record = tiny.query(genotype)
    params, macs, run = build_module.train_architecture(
        tiny.space_spec, tiny.data_spec, tiny.training, record.genotype, seed=1
    )
    assert (params, macs) == (record.params, record.macs)
    assert run.val_accuracy == record.runs[1].val_accuracy


def test_checkpoint_resumes_without_retraining(tmp_path, monkeypatch):
    checkpoint = tmp_path / "checkpoint.json"
    first = make_benchmark(
        "tiny",
        TINY_SPACE,
        TINY_DATA,
        TINY_TRAINING,
        seeds=(0,),
        checkpoint=checkpoint,
        progress=False,
    )
    saved = json.loads(checkpoint.read_text())
    assert set(saved["done"]) == {r.hash for r in first}
    assert saved["settings"]["training"]["lr"] == TINY_TRAINING["lr"]

    calls = []
    real = build_module.train_architecture

    def counting(*args, **kwargs):
        calls.append(args[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "train_architecture", counting)
    second = make_benchmark(
        "tiny",
        TINY_SPACE,
        TINY_DATA,
        TINY_TRAINING,
        seeds=(0, 3),
        checkpoint=checkpoint,
        progress=False,
    )
    assert calls == [3] * len(first)  # only the new seed trained
    for record in second:
        assert record.runs[0] == first.query(second.genotype(record)).runs[0]


def test_fit_options_leave_out_notes_on_how_the_table_was_made(tiny):
    # the memory layout the runs trained in is recorded: it changes the floating-point sums
    assert tiny.fit_options == {**TINY_TRAINING, "channels_last": channels_last(device())}
    fake = synthetic_benchmark("fake", TINY_SPACE)
    assert "synthetic" in fake.training and fake.fit_options == {"epochs": 6}


def test_a_checkpoint_refuses_other_settings(tmp_path):
    checkpoint = tmp_path / "checkpoint.json"
    make_benchmark(
        "tiny", TINY_SPACE, TINY_DATA, TINY_TRAINING, checkpoint=checkpoint, progress=False
    )
    with pytest.raises(ValueError, match="other training settings"):
        make_benchmark(
            "tiny",
            TINY_SPACE,
            TINY_DATA,
            {**TINY_TRAINING, "lr": 0.1},
            checkpoint=checkpoint,
            progress=False,
        )


def test_worker_processes_give_the_same_table(tiny):
    parallel = make_benchmark(
        "tiny", TINY_SPACE, TINY_DATA, TINY_TRAINING, seeds=(0,), workers=2, progress=False
    )
    assert "2 worker(s)" in parallel.machine
    for record in parallel:
        assert (
            record.runs[0].val_accuracy
            == tiny.query(parallel.genotype(record)).runs[0].val_accuracy
        )


def test_save_and_load_round_trip(tiny, tmp_path):
    path = tmp_path / "tiny.json"
    tiny.save(path)
    again = TabularBenchmark.load(path)
    assert again.to_dict() == tiny.to_dict()
    assert (
        repr(again)
        == repr(tiny)
        == (
            "TabularBenchmark('tiny': 10 architectures of multibranch on digits, "
            "2 epochs x 2 seed(s))"
        )
    )


# -- looking up ------------------------------------------------------------------------------------
def test_query_rejects_genotypes_outside_the_space(tiny):
    five_by_five = chain_like([Layer("conv", filters=4, kernel=5, stride=1)])
    with pytest.raises(InvalidArchitecture, match="kernel"):
        tiny.query(five_by_five)
    assert five_by_five not in tiny
    assert chain_like([conv(3)]) in tiny


def test_query_names_the_table_when_an_architecture_is_missing(tiny):
    data = tiny.to_dict()
    missing = tiny.query(chain_like([conv(3), conv(3)]))
    data["records"] = [r for r in data["records"] if r["hash"] != missing.hash]
    partial = TabularBenchmark.from_dict(data)
    with pytest.raises(NotInBenchmark, match="'tiny' has no entry"):
        partial.query(chain_like([conv(3), conv(3)]))
    assert len(partial) == len(tiny) - 1


def test_epoch_and_seed_arguments_are_checked(tiny):
    record = next(iter(tiny))
    assert record.val_accuracy(epoch=1, seed=0) == record.runs[0].val_accuracy[0]
    with pytest.raises(ValueError, match=r"epoch must be in 1\.\.2"):
        record.val_accuracy(epoch=3)
    with pytest.raises(ValueError, match="no run with seed 7"):
        record.test_accuracy(seed=7)
    with pytest.raises(ValueError, match="'val' or 'test'"):
        tiny.best(by="train")
    assert record.train_seconds(epoch=1) == pytest.approx(record.train_seconds() / 2)


def test_best_percentile_and_select(tiny):
    best = tiny.best("val")
    assert best.val_accuracy() == tiny.val_accuracies().max()
    assert tiny.percentile(tiny.genotype(best)) == pytest.approx(
        100 * np.mean(tiny.val_accuracies() < best.val_accuracy())
    )
    chains = [chain_like([conv(a), conv(b)]) for a in (1, 3) for b in (1, 3)]
    chains += [chain_like([conv(3), conv(3)])]  # a duplicate is listed once
    assert len(tiny.select(chains)) == 4


# -- searching on a table --------------------------------------------------------------------------
def test_search_on_the_table_scores_by_lookup(tiny):
    history = random_search(tiny.space, tiny.objective(), budget=12, rng=0, progress=False)
    for record in history.records:
        entry = tiny.query(tiny.space.genotype_from_data(record["genotype"]))
        assert record["score"] == entry.val_accuracy()
        assert record["test_accuracy"] == entry.test_accuracy()

    incumbent = tiny.incumbent_test_accuracy(history)
    assert len(incumbent) == 12
    scores = history.scores()
    for step in range(12):
        best = max(range(step + 1), key=lambda i: (scores[i], -i))  # first of the best
        assert incumbent[step] == history.records[best]["test_accuracy"]

    seconds = tiny.simulated_seconds(history)
    fresh = [r["train_seconds"] for r in history.records if not r["cached"]]
    assert seconds[-1] == pytest.approx(sum(fresh))
    assert all(a <= b for a, b in itertools.pairwise(seconds))
    assert any(r["cached"] for r in history.records)  # 12 draws from 10 architectures repeat


def test_a_lower_epoch_is_a_cheaper_proxy(tiny):
    objective = tiny.objective(epoch=1, seed=0)
    genotype = chain_like([conv(3)])
    outcome = objective(genotype)
    record = tiny.query(genotype)
    assert outcome["score"] == record.runs[0].val_accuracy[0]
    assert outcome["train_seconds"] == pytest.approx(record.train_seconds() / 2)


# -- the table shipped with nasedu -----------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped() -> TabularBenchmark:
    return load_benchmark("multibranch-cluttered")


def test_the_shipped_table_covers_its_whole_space(shipped):
    assert "multibranch-cluttered" in available_benchmarks()
    space = shipped.space
    assert isinstance(space, MultiBranchSpace)
    assert space.size() == 1227  # 3 + 3*12 + 3*12*3*11 genotypes of 1..3 layers
    assert len(shipped) == 669
    assert sum(record.encodings for record in shipped) == space.size()
    for genotype in space.enumerate():
        assert shipped.query(genotype).hash == space.arch_hash(genotype)


def test_the_shipped_table_records_are_complete(shipped):
    # made in the NCHW layout, before fit() trained channels-last on x86 CPUs
    assert shipped.training == {"epochs": 6, "lr": 0.03, "batch_size": 64, "channels_last": False}
    assert shipped.data_spec == {"name": "cluttered-digits"}
    for record in shipped:
        assert [run.seed for run in record.runs] == [0, 1]
        assert all(len(run.val_accuracy) == 6 for run in record.runs)
        assert 0.0 < record.test_accuracy() <= 1.0
        assert record.params > 0 and record.macs > 0
    # better than chance (10%) on average, and architectures differ a lot: the table is useful
    val = shipped.val_accuracies()
    assert val.mean() > 0.2 and val.max() - val.min() > 0.3


def test_the_shipped_parameter_counts_match_the_built_networks(shipped):
    space = shipped.space
    for genotype in [space.sample(seed) for seed in range(5)]:
        record = shipped.query(genotype)
        # the sizes are those of the record's representative, the encoding without dead layers
        model = space.build(shipped.genotype(record), input_shape=(1, 16, 16), num_classes=10)
        assert record.params == count_parameters(model)


def test_the_chain_subspace_of_the_shipped_table(shipped):
    chains = list(shipped.space.chains())
    assert len(chains) == 3 + 9 + 27
    records = shipped.select(chains)
    assert len(records) == 39  # no two chains compute the same function
    # the multi-branch space contains every chain, so its best is at least as good
    assert shipped.best("val").val_accuracy() >= max(r.val_accuracy() for r in records)


def test_evolution_runs_on_the_shipped_table(shipped):
    history = regularized_evolution(
        shipped.space,
        shipped.objective(),
        budget=60,
        population_size=10,
        sample_size=3,
        rng=0,
        progress=False,
    )
    assert len(history) == 60
    assert max(history.scores()) <= shipped.best("val").val_accuracy()


def test_unknown_benchmark_names_the_available_ones():
    with pytest.raises(KeyError, match="multibranch-cluttered"):
        load_benchmark("nas-bench-201")


# -- synthetic tables ------------------------------------------------------------------------------
def test_a_synthetic_table_covers_the_space_and_is_reproducible():
    fake = synthetic_benchmark("fake", TINY_SPACE, epochs=4, seeds=(0, 1, 2), rng=3)
    assert len(fake) == 10
    assert sum(record.encodings for record in fake) == fake.space.size()
    assert all(record.epochs == 4 and len(record.runs) == 3 for record in fake)
    assert fake.to_dict() == synthetic_benchmark("fake", TINY_SPACE, 4, (0, 1, 2), rng=3).to_dict()
    assert fake.to_dict() != synthetic_benchmark("fake", TINY_SPACE, 4, (0, 1, 2), rng=4).to_dict()
    assert fake.data_spec == {"name": "synthetic"}
    # later epochs rank like the last one more often than early ones (the curves rise)
    final = fake.val_accuracies()
    assert rank_correlation(fake.val_accuracies(epoch=3), final) > 0.5
    history = random_search(fake.space, fake.objective(), budget=5, rng=0, progress=False)
    assert len(fake.incumbent_test_accuracy(history)) == 5


def test_the_shipped_tables_are_package_data():
    """A wheel carries only the data files pyproject.toml declares: every table must match."""
    import fnmatch
    from pathlib import Path

    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["nasedu"]
    tables = sorted((root / "nasedu" / "bench").glob("*.json"))
    assert tables, "no table in nasedu/bench"
    for table in tables:
        relative = table.relative_to(root / "nasedu").as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


# -- bad input and rare events -----------------------------------------------------------------
def test_make_benchmark_rejects_bad_seeds_and_budgets(tmp_path):
    with pytest.raises(ValueError, match="distinct integers"):
        make_benchmark("t", TINY_SPACE, TINY_DATA, TINY_TRAINING, seeds=(), progress=False)
    with pytest.raises(ValueError, match="distinct integers"):
        make_benchmark("t", TINY_SPACE, TINY_DATA, TINY_TRAINING, seeds=(0, 0), progress=False)
    with pytest.raises(ValueError, match="integer 'epochs'"):
        make_benchmark("t", TINY_SPACE, TINY_DATA, {"seconds": 5.0}, progress=False)


def test_a_diverging_network_is_kept_at_chance_accuracy(monkeypatch, tmp_path):
    from nasedu import train

    def diverge(*args, **kwargs):
        raise train.TrainingDiverged("the loss became NaN")

    monkeypatch.setattr(train, "fit", diverge)
    table = make_benchmark(
        "t", TINY_SPACE, TINY_DATA, TINY_TRAINING, checkpoint=tmp_path / "c.json", progress=False
    )
    for record in table:
        (run,) = record.runs
        assert run.diverged and run.val_accuracy == (0.1, 0.1) and run.test_accuracy == 0.1
        assert record.params > 0
    again = TabularBenchmark.from_dict(json.loads(json.dumps(table.to_dict())))
    assert all(record.runs[0].diverged for record in again)


def test_a_table_needs_the_same_seeds_and_epochs_everywhere(tiny):
    data = tiny.to_dict()
    data["records"][0]["runs"] = data["records"][0]["runs"][:1]
    with pytest.raises(ValueError, match="same seeds and number of epochs"):
        TabularBenchmark.from_dict(data)
    assert tiny.seeds == (0, 1) and tiny.epochs == 2


def test_objective_checks_its_epoch_and_seed_before_the_search(tiny):
    with pytest.raises(ValueError, match=r"epoch must be in 1\.\.2"):
        tiny.objective(epoch=3)
    with pytest.raises(ValueError, match="integer"):
        tiny.objective(epoch=1.5)
    with pytest.raises(ValueError, match=r"seeds \(0, 1\)"):
        tiny.objective(seed=5)
    with pytest.raises(ValueError, match="'val' or 'test'"):
        tiny.percentile(chain_like([conv(3)]), by="train")


def test_query_accepts_the_json_data_of_a_record(tiny):
    record = next(iter(tiny))
    assert tiny.query(record.genotype) is record
    assert tiny.query(tiny.space.to_json(tiny.genotype(record))["genotype"]) is record


def test_percentile_of_the_best_and_the_worst():
    fake = synthetic_benchmark("fake", TINY_SPACE, rng=1)
    values = sorted(fake, key=lambda r: r.val_accuracy())
    n = len(fake)
    assert fake.percentile(values[-1].genotype) == pytest.approx(100 * (n - 1) / n)
    assert fake.percentile(values[0].genotype) == 0.0


def test_incumbent_keeps_the_first_of_ties_and_reads_the_objectives_seed(tiny):
    from nasedu.search import SearchHistory

    a, b = list(tiny)[:2]
    history = SearchHistory("multibranch", "hand-made")
    history.records = [
        {"genotype": a.genotype, "score": 0.5, "test_accuracy": 0.3, "train_seconds": 1.0},
        {"genotype": b.genotype, "score": 0.5, "test_accuracy": 0.9, "train_seconds": 1.0},
        {"genotype": a.genotype, "score": 0.4, "cached": True, "test_accuracy": 0.3},
        {"genotype": b.genotype, "score": 0.6, "test_accuracy": 0.9, "train_seconds": 2.0},
    ]
    assert tiny.incumbent_test_accuracy(history) == [0.3, 0.3, 0.3, 0.9]
    assert tiny.simulated_seconds(history) == [1.0, 2.0, 2.0, 4.0]
    # without the objective's test accuracy, the table's mean over seeds is used
    del history.records[0]["test_accuracy"]
    assert tiny.incumbent_test_accuracy(history)[0] == a.test_accuracy()
    # a search scored on one seed is read on that seed
    seeded = random_search(tiny.space, tiny.objective(seed=1), budget=6, rng=2, progress=False)
    best = max(seeded.records, key=lambda r: r["score"])
    genotype = tiny.space.genotype_from_data(best["genotype"])
    assert tiny.incumbent_test_accuracy(seeded)[-1] == tiny.query(genotype).test_accuracy(seed=1)


def test_simulated_seconds_needs_costs(tiny):
    history = random_search(tiny.space, lambda g: 0.5, budget=3, rng=0, progress=False)
    with pytest.raises(KeyError, match="train_seconds"):
        tiny.simulated_seconds(history)


def test_unknown_benchmark_message_has_no_quotes():
    from nasedu.bench import UnknownBenchmark

    with pytest.raises(UnknownBenchmark) as error:
        load_benchmark("nas-bench-201")
    assert str(error.value).startswith("unknown benchmark 'nas-bench-201'; available: ")
