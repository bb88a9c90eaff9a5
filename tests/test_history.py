"""Search histories on disk: JSON Lines, strict JSON, the old format, torn lines, append-only."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from nasedu.history import FORMAT, SearchHistory, from_json, to_json
from nasedu.search import random_search
from nasedu.spaces import ChainSpace

TINY = {
    "conv": {"filters": (4, 8), "kernel": (1, 3), "stride": (1,)},
    "pool": {"kind": ("max", "avg"), "kernel": (3,), "stride": (1,)},
}


def filters_score(genotype) -> float:
    return float(sum(layer.get("filters", 0) for layer in genotype.layers))


def strict(text: str):
    """Parse as strict JSON: Python's parser accepts NaN and Infinity unless told not to."""

    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def space():
    return ChainSpace(max_layers=3, layer_types=TINY)


def test_the_file_is_a_header_and_one_strict_json_line_per_evaluation(space, tmp_path):
    path = tmp_path / "h.jsonl"
    history = random_search(space, filters_score, 6, rng=3, history_path=path, progress=False)
    lines = path.read_text().splitlines()
    header = strict(lines[0])
    assert header["format"] == FORMAT and header["space"] == "chain"
    assert header["strategy"] == "random search" and header["seed"] == 3
    assert header["settings"] == {"budget": 6} and header["nasedu"]
    assert [strict(line)["hash"] for line in lines[1:]] == [r["hash"] for r in history.records]


def test_numpy_torch_and_non_finite_values_are_written_as_strict_json(space, tmp_path):
    path = tmp_path / "h.jsonl"

    def numeric(genotype):
        return {
            "score": np.float32(-np.inf) if len(genotype.layers) == 1 else torch.tensor(0.5),
            "params": np.int64(1234),
            "curve": np.array([0.1, np.nan]),
            "loss": torch.tensor([float("inf")]),
            "flag": np.bool_(True),
        }

    history = random_search(space, numeric, 8, rng=0, history_path=path, progress=False)
    for line in path.read_text().splitlines():
        strict(line)  # no NaN / Infinity tokens
    assert '{"$float":"nan"}' in path.read_text()
    loaded = SearchHistory.load(path)
    for mine, theirs in zip(history.records, loaded.records):
        assert type(mine["params"]) is int and theirs["params"] == 1234
        assert mine["score"] == theirs["score"] and isinstance(theirs["score"], float)
        assert math.isnan(theirs["curve"][1]) and theirs["loss"] == [math.inf]
        assert theirs["flag"] is True
    assert -math.inf in loaded.scores()


def test_an_objective_answer_that_is_not_json_data_is_refused_by_name(space):
    with pytest.raises(TypeError, match=r"the objective's 'model' is a object"):
        random_search(space, lambda g: {"score": 1.0, "model": object()}, 1, progress=False)
    with pytest.raises(ValueError, match="records itself"):
        random_search(space, lambda g: {"score": 1.0, "step": 3}, 1, progress=False)


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_to_json_round_trips_through_strict_json(value):
    text = json.dumps(to_json(value), allow_nan=False)
    assert from_json(json.loads(text)) == value


def test_the_file_only_grows_by_appending(space, tmp_path):
    """Each evaluation appends: what was written before is never rewritten (so an evaluation
    costs the same however long the history is)."""
    path = tmp_path / "h.jsonl"
    snapshots = []

    def watching(genotype):
        snapshots.append(path.read_bytes())
        return filters_score(genotype)

    random_search(space, watching, 10, rng=0, history_path=path, progress=False)
    snapshots.append(path.read_bytes())
    for before, after in itertools.pairwise(snapshots):
        assert after.startswith(before) and len(after) > len(before)


def test_load_reads_the_single_object_format_of_earlier_versions(tmp_path):
    old = {
        "space": "chain",
        "strategy": "random search",
        "settings": {"budget": 2},
        "records": [
            {"score": 0.5, "step": 1, "genotype": {"layers": []}, "hash": "a", "cached": False},
            {"score": 0.7, "step": 2, "genotype": {"layers": []}, "hash": "b", "cached": False},
        ],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, indent=1))
    history = SearchHistory.load(path)
    assert history.scores() == [0.5, 0.7] and history.settings == {"budget": 2}
    assert history.strategy == "random search" and history.seed is None


def test_a_torn_last_line_is_ignored_and_a_broken_middle_line_is_named(space, tmp_path):
    path = tmp_path / "h.jsonl"
    history = random_search(space, filters_score, 4, rng=0, history_path=path, progress=False)
    text = path.read_text()
    path.write_text(text + '{"score": 0.3, "ste')  # killed in the middle of a write
    assert SearchHistory.load(path).scores() == history.scores()
    lines = text.splitlines()
    path.write_text("\n".join([lines[0], "{oops", *lines[1:]]) + "\n")
    with pytest.raises(ValueError, match="line 2: not JSON"):
        SearchHistory.load(path)
    path.write_text('{"hello": 1}\n')
    with pytest.raises(ValueError, match="not a nasedu search history"):
        SearchHistory.load(path)


def test_save_writes_the_same_format_that_load_reads(space, tmp_path):
    history = random_search(space, lambda g: float("-inf"), 3, rng=0, progress=False)
    history.save(tmp_path / "copy.jsonl")
    again = SearchHistory.load(tmp_path / "copy.jsonl")
    assert again.records == history.records and again.seed == history.seed
    assert again.execution == history.execution
