"""Bad arguments to ``nasedu.zoo`` and ``nasedu.measure``: a short ValueError naming the argument.

The rule (issue 14): every argument is checked where it enters.  ``zoo.network`` used to pass
its overrides straight to the network, so ``C=10**6`` tried to allocate terabytes, ``layer=8``
(a typo) was silently ignored and ``drop_path=nan`` accepted; ``count_macs`` allocated an
input of any size and silently counted a linear layer given the wrong number of features; the
rank measures gave numpy's messages for strings and took quadratic time on many distinct scores.

The fuzzers take a valid call and replace one argument by a bad value of its class (numbers out
of range or of the wrong type, NaN and infinities, booleans for numbers, strings, containers,
objects, huge values) and check for a short ValueError that names the argument.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import refused
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from torch import nn

from nasedu import zoo
from nasedu.measure import (
    conv_output_shape,
    count_macs,
    count_parameters,
    pool_output_shape,
    rank_correlation,
    top_k_overlap,
)

FUZZ = settings(max_examples=60, deadline=None)


# -- the classes of bad values ----------------------------------------------------------------
NOT_NUMBERS = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.just("x" * 5000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(object()),
    st.just(torch.tensor([1.0, 2.0])),
)
NOT_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_INTEGERS = st.one_of(
    NOT_NUMBERS, st.booleans(), NOT_FINITE, st.floats(-10, 10), st.just(2.0), st.just(36.0)
)
HUGE = st.sampled_from([10**30, -(10**30), 10**5000, 2**64, 10**6])
NOT_FLAGS = st.one_of(st.none(), st.integers(-2, 2), st.text(max_size=5), st.just([True]))
NOT_SHAPES = st.one_of(
    NOT_NUMBERS.filter(lambda v: not isinstance(v, list)),  # [1, 1, 1] is a shape
    st.lists(st.integers(1, 8), max_size=2).map(tuple),  # too short
    st.lists(st.integers(1, 8), min_size=4, max_size=5).map(tuple),  # too long
    st.tuples(st.just(3), NOT_INTEGERS, st.just(8)),
    st.tuples(st.just(3), st.integers(max_value=0), st.just(8)),
    st.tuples(st.just(3), st.just(8), HUGE),
)

# -- zoo: names and data sets -----------------------------------------------------------------
NOT_NAMES = st.one_of(
    NOT_NUMBERS.filter(lambda v: not isinstance(v, str)),
    st.text(max_size=20).filter(
        lambda s: s.strip().lower().replace("-", "_").replace(" ", "_") not in zoo.GENOTYPES
    ),
    st.just("n" * 5000),
    st.binary(max_size=5),
)


@FUZZ
@given(name=NOT_NAMES)
def test_an_unknown_cell_is_refused_by_every_zoo_function(name):
    named = "name" if not isinstance(name, str) else "unknown cell"
    refused(lambda: zoo.genotype(name), named)
    refused(lambda: zoo.cell_genotype(name), named)
    refused(lambda: zoo.network(name), named)


def test_an_unknown_name_is_both_a_key_error_and_a_value_error_without_quotes():
    message = refused(lambda: zoo.genotype("darts_v3"), "darts_v3", "nasnet_a", error=KeyError)
    assert not message.startswith('"')
    refused(lambda: zoo.network("darts_v2", "mnist"), "unknown dataset", "cifar10", "imagenet")


@FUZZ
@given(dataset=NOT_NAMES.filter(lambda v: not (isinstance(v, str) and v in zoo.DATASETS)))
def test_an_unknown_dataset_is_refused(dataset):
    refused(lambda: zoo.network("darts_v2", dataset), "dataset")


# -- zoo: the overrides of network() ----------------------------------------------------------
#: override -> strategy of values network() must refuse
BAD_OVERRIDES: dict[str, st.SearchStrategy] = {
    "C": st.one_of(NOT_INTEGERS, st.integers(-5, 1), st.integers(1, 50).map(lambda c: 2 * c + 1)),
    "layers": st.one_of(NOT_INTEGERS, st.integers(-5, 0), HUGE),
    "num_classes": st.one_of(NOT_INTEGERS, st.integers(-5, 1), HUGE),
    "auxiliary": NOT_FLAGS,
    "drop_path": st.one_of(NOT_NUMBERS, NOT_FINITE, st.booleans(), st.floats(1, 5), st.just(-0.1)),
    "stem": st.one_of(
        st.text(max_size=8).filter(lambda s: s not in ("cifar", "imagenet")),
        st.integers(),
        st.just(["cifar"]),
    ),
    "input_shape": NOT_SHAPES,
    "stem_multiplier": st.one_of(NOT_INTEGERS, st.integers(-5, 0), HUGE),
}


def test_every_override_of_network_is_fuzzed():
    """A new setting of network() joins BAD_OVERRIDES."""
    assert set(BAD_OVERRIDES) == set(zoo.OVERRIDES)


@FUZZ
@given(data=st.data(), key=st.sampled_from(sorted(BAD_OVERRIDES)))
def test_network_refuses_a_bad_override_before_building(data, key):
    value = data.draw(BAD_OVERRIDES[key], label=key)
    refused(lambda: zoo.network("darts_v2", **{key: value}), key)


@FUZZ
@given(key=st.text(min_size=1, max_size=12).filter(lambda k: k not in zoo.OVERRIDES))
def test_network_refuses_an_unknown_setting(key):
    """A typo (``layer=8``) is not silently ignored."""
    refused(lambda: zoo.network("darts_v2", **{key: 8}), "unknown setting", "layers")


@pytest.mark.parametrize(
    "overrides",
    [
        {"C": 1024, "layers": 100},
        {"C": 1024, "layers": 20},
        {"C": 1024, "num_classes": 100_000},
        {"C": 338, "layers": 10},
    ],
)
def test_network_refuses_a_network_too_big_to_build(overrides):
    """Each setting is in range, together they would be gigabytes: refused before building."""
    refused(lambda: zoo.network("nasnet_a", **overrides), "parameters", "at most")


@pytest.mark.parametrize(
    "value", [1e9, 10**9, 2**63, 10**5000], ids=["1e9", "10^9", "2^63", "10^5000"]
)
@pytest.mark.parametrize("key", ["C", "layers", "num_classes", "stem_multiplier"])
def test_network_refuses_huge_sizes_at_once(key, value):
    refused(lambda: zoo.network("darts_v2", **{key: value}), key)
    refused(lambda: zoo.network("darts_v2", input_shape=(3, value, 32)), "input_shape")


def test_network_still_builds_what_is_allowed():
    """The checks refuse only what is wrong: numpy integers, the ImageNet stem, a small net."""
    model = zoo.network("darts_v2", C=np.int64(8), layers=3, drop_path=np.float32(0.1))
    assert model.layers == 3 and isinstance(model.drop_path_prob, float)
    imagenet = zoo.network("darts_v1", "imagenet", C=8, layers=3, auxiliary=True)
    assert imagenet.classifier.out_features == 1000


# -- measure: models and input shapes ---------------------------------------------------------
NOT_MODELS = st.one_of(
    NOT_NUMBERS, st.just(nn.Conv2d), st.just(torch.zeros(1, 3, 8, 8)), st.just(zoo.genotype)
)


def conv_net() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
    )


@FUZZ
@given(model=NOT_MODELS)
def test_counting_refuses_what_is_not_a_model(model):
    refused(lambda: count_parameters(model), "model")
    refused(lambda: count_macs(model, (1, 8, 8)), "model")


@FUZZ
@given(auxiliary=NOT_FLAGS)
def test_count_parameters_refuses_a_bad_flag(auxiliary):
    refused(lambda: count_parameters(conv_net(), auxiliary=auxiliary), "auxiliary")


@FUZZ
@given(shape=NOT_SHAPES)
def test_count_macs_refuses_a_bad_input_shape(shape):
    refused(lambda: count_macs(conv_net(), shape), "input_shape")


@pytest.mark.parametrize(
    "model, shape, named",
    [
        (conv_net(), (3, 8, 8), "(N, 1, H, W)"),  # built for 1 channel
        (nn.Conv2d(1, 2, 5), (1, 3, 3), "too small"),
        (nn.MaxPool2d(4), (1, 2, 2), "too small"),
        (nn.Linear(4, 2), (1, 8, 8), "4 features"),  # used to be silently counted
        (nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), (1, 8, 8), "4 features"),
        (nn.Conv1d(1, 2, 3), (1, 8, 8), "input_shape=(1, 8, 8)"),  # torch's error, wrapped
        (nn.LayerNorm(3), (1, 8, 8), "input_shape=(1, 8, 8)"),
    ],
)
def test_count_macs_refuses_an_input_the_model_cannot_take(model, shape, named):
    refused(lambda: count_macs(model, shape), named)


class UsesItsWeight(nn.Module):
    """A model that multiplies by its own parameter: it cannot pass on the meta device."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.conv = nn.Conv2d(1, 2, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x * self.scale)


def test_count_macs_of_a_huge_input_allocates_nothing():
    """A 60000x60000 image would be 43 GB of zeros: counted on the meta device instead, or
    refused when the model needs real values."""
    model = zoo.network("darts_v2", C=8, layers=3)
    small, huge = count_macs(model, (3, 32, 32)), count_macs(model, (3, 60_000, 60_000))
    assert huge > 1_000_000 * small
    assert count_macs(UsesItsWeight(), (1, 8, 8)) == 2 * 6 * 6 * 9
    refused(lambda: count_macs(UsesItsWeight(), (1, 60_000, 60_000)), "input_shape", "values")


@pytest.mark.parametrize(
    "shape", [(3, 8, 8), (1, 3, 8.0, 8), (1, 3, True, 8), (1, 3, 0, 8), "1388"]
)
def test_output_shapes_refuse_bad_layers_and_shapes(shape):
    conv, pool = nn.Conv2d(3, 8, 3), nn.MaxPool2d(2)
    refused(lambda: conv_output_shape(pool, (1, 3, 8, 8)), "conv")
    refused(lambda: pool_output_shape(conv, (1, 3, 8, 8)), "pool")
    refused(lambda: conv_output_shape(conv, shape), "input_shape")
    refused(lambda: pool_output_shape(pool, shape), "input_shape")
    refused(lambda: conv_output_shape(conv, (1, 3, 2, 2)), "too small")


# -- measure: scores --------------------------------------------------------------------------
NOT_SCORES = st.one_of(
    NOT_NUMBERS.filter(lambda v: not isinstance(v, (list, torch.Tensor))),
    st.lists(st.text(max_size=2), min_size=2, max_size=4),
    st.lists(st.booleans(), min_size=2, max_size=4),
    st.lists(st.complex_numbers(allow_nan=False), min_size=2, max_size=4),
    st.lists(st.lists(st.floats(), min_size=1, max_size=2), min_size=2, max_size=4),
    st.lists(st.floats(), min_size=2, max_size=4).map(lambda v: [*v, math.nan]),
    st.lists(st.integers(), min_size=1, max_size=3).map(lambda v: [*v, 10**400]),
    st.sets(st.integers(), min_size=2, max_size=4),
    st.just(torch.ones(3, requires_grad=True) * 1),
    st.just(np.ones((2, 2))),
)
SCORES = st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30)


@FUZZ
@given(bad=NOT_SCORES, good=SCORES, first=st.booleans())
def test_rank_measures_refuse_what_are_not_scores(bad, good, first):
    a, b = (bad, good) if first else (good, bad)
    name = "a" if first else "b"
    refused(lambda: rank_correlation(a, b), name)
    refused(lambda: top_k_overlap(a, b, k=1), name)


@FUZZ
@given(a=SCORES, b=SCORES)
def test_rank_measures_refuse_scores_of_different_lengths(a, b):
    if len(a) != len(b):
        refused(lambda: rank_correlation(a, b), "same length")
        refused(lambda: top_k_overlap(a, b, k=1), "same length")
    else:
        assert 0 <= top_k_overlap(a, b, k=1) <= 1


def test_rank_correlation_needs_two_scores_each():
    refused(lambda: rank_correlation([], []), "same length >= 2")
    refused(lambda: rank_correlation([0.5], [0.5]), "same length >= 2")
    refused(lambda: top_k_overlap([], [], k=1), "same length >= 1")


@FUZZ
@given(scores=SCORES, k=st.one_of(NOT_INTEGERS, st.integers(max_value=0), HUGE))
def test_top_k_overlap_refuses_a_bad_k(scores, k):
    refused(lambda: top_k_overlap(scores, scores, k=k), "k must be in")


@FUZZ
@given(scores=SCORES, k=st.integers(31, 100))
def test_top_k_overlap_refuses_k_beyond_the_scores(scores, k):
    refused(lambda: top_k_overlap(scores, scores, k=k), f"1..{len(scores)}")


@FUZZ
@given(
    pairs=st.lists(st.tuples(st.integers(0, 4), st.floats(-5, 5)), min_size=3, max_size=40),
)
def test_rank_correlation_is_spearman_with_many_ties(pairs):
    """The tie-averaging ranks (now one sort, not a loop per distinct value) are scipy's."""
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    if len(set(a)) < 2 or len(set(b)) < 2:
        refused(lambda: rank_correlation(a, b), "constant")
        return
    assert rank_correlation(a, b) == pytest.approx(spearmanr(a, b)[0], abs=1e-9)


def test_rank_correlation_of_many_distinct_scores():
    """A million distinct scores used to take one pass per distinct value (hours)."""
    scores = np.random.default_rng(0).random(1_000_000)
    assert rank_correlation(scores, scores) == pytest.approx(1.0)
    assert rank_correlation(scores, -scores) == pytest.approx(-1.0)
