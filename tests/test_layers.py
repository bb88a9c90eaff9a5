"""Layers and the conditional layer vocabulary (LayerChoices) of the basic spaces."""

from __future__ import annotations

import json
import math
import pickle
from collections import Counter

import numpy as np
import pytest
from conftest import vocabularies
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from nasedu.spaces.base import InvalidArchitecture, as_rng
from nasedu.spaces.layers import DEFAULT_LAYER_TYPES, Layer, LayerChoices

# -- Layer ----------------------------------------------------------------------------------------


def test_layer_is_immutable_hashable_and_order_free():
    a = Layer("conv", filters=32, kernel=3, stride=1)
    b = Layer("conv", stride=1, kernel=3, filters=32)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert repr(a) == "conv(filters=32, kernel=3, stride=1)"
    with pytest.raises(AttributeError, match="immutable"):
        a.op = "pool"
    assert a != Layer("conv", filters=32, kernel=3, stride=2)
    assert a != "conv(filters=32, kernel=3, stride=1)"


def test_layer_access_and_copies():
    layer = Layer("pool", kind="max", kernel=3, stride=2)
    assert layer["kind"] == "max" and layer.get("filters") is None and layer.get("x", 7) == 7
    with pytest.raises(KeyError, match="no hyperparameter 'filters'"):
        layer["filters"]
    assert layer.replace(stride=1) == Layer("pool", kind="max", kernel=3, stride=1)
    assert layer["stride"] == 2  # replace made a copy
    assert Layer.from_dict(json.loads(json.dumps(layer.as_dict()))) == layer
    assert pickle.loads(pickle.dumps(layer)) == layer


def test_layer_values_are_plain_ints_or_strings():
    """numpy integers become ints (JSON can write them); floats and bools are refused because
    32.0 == 32 and True == 1 would make a layer equal to a valid one but print differently."""
    layer = Layer("conv", filters=np.int64(16), kernel=3, stride=1)
    assert type(layer["filters"]) is int
    json.dumps(layer.as_dict())
    for bad in (16.0, True, None, [16]):
        with pytest.raises(TypeError, match="ints or strings"):
            Layer("conv", filters=bad, kernel=3, stride=1)


# -- LayerChoices: counting, numbering ------------------------------------------------------------


def test_default_vocabulary_has_50_layers():
    """18 convolutions (3 filters x 3 kernels x 2 strides) + 12 separable (3 x 2 x 2) + 12
    dilated (3 x 1 x 2 dilations x 2) + 8 pooling (2 kinds x 2 kernels x 2 strides)."""
    choices = LayerChoices(DEFAULT_LAYER_TYPES)
    assert choices.count == len(choices) == 50 == 18 + 12 + 12 + 8
    assert Counter(layer.op for layer in choices) == {
        "conv": 18,
        "sep_conv": 12,
        "dil_conv": 12,
        "pool": 8,
    }


@given(vocabulary=vocabularies())
def test_count_is_a_sum_over_types_of_products(vocabulary):
    choices = LayerChoices(vocabulary)
    expected = sum(math.prod(len(v) for v in params.values()) for params in vocabulary.values())
    assert choices.count == expected
    layers = list(choices)
    assert len(layers) == expected == len(set(layers))  # every layer once


@given(vocabulary=vocabularies())
def test_decode_and_encode_are_inverse(vocabulary):
    choices = LayerChoices(vocabulary)
    for index in range(choices.count):
        layer = choices.decode(index)
        assert choices.validate(layer, "layer") is layer
        assert choices.encode(layer) == index
    assert list(choices) == [choices.decode(i) for i in range(choices.count)]


def test_decode_out_of_range_and_encode_foreign_layer():
    choices = LayerChoices(DEFAULT_LAYER_TYPES)
    for index in (-1, 50):
        with pytest.raises(IndexError, match="out of range"):
            choices.decode(index)
    with pytest.raises(InvalidArchitecture, match="filters=17 is not one of"):
        choices.encode(Layer("conv", filters=17, kernel=3, stride=1))


def test_numbering_is_type_by_type_in_mixed_radix():
    """Within a type the first hyperparameter (sorted by name) varies fastest."""
    choices = LayerChoices({"conv": {"filters": (8, 16), "kernel": (1, 3, 5), "stride": (1, 2)}})
    assert choices.decode(0) == Layer("conv", filters=8, kernel=1, stride=1)
    assert choices.decode(1) == Layer("conv", filters=16, kernel=1, stride=1)
    assert choices.decode(2) == Layer("conv", filters=8, kernel=3, stride=1)
    assert choices.decode(6) == Layer("conv", filters=8, kernel=1, stride=2)


def test_sample_is_uniform_over_layers():
    """Uniform over the layers, not per decision: pooling (8 of 50) is not drawn 1/4 of the
    time just because it is one of 4 types."""
    choices = LayerChoices(DEFAULT_LAYER_TYPES)
    rng = as_rng(0)
    counts = Counter(choices.encode(choices.sample(rng)) for _ in range(50 * 80))
    assert chisquare([counts[i] for i in range(50)]).pvalue > 0.001


# -- LayerChoices: validation and mutation --------------------------------------------------------


def test_validate_names_the_layer_and_the_valid_values():
    choices = LayerChoices(DEFAULT_LAYER_TYPES)
    cases = [
        (Layer("attention", heads=2), r"layer 3: unknown op 'attention'; valid ops are: conv, "),
        (Layer("conv", filters=0, kernel=3, stride=1), r"layer 3 \(conv\): filters=0 is not one"),
        (
            Layer("conv", filters=16, kernel=3),
            r"layer 3 \(conv\): missing hyperparameter\(s\) stride; a conv layer takes filters, ",
        ),
        (
            Layer("pool", kind="max", kernel=3, stride=1, filters=16),
            r"layer 3 \(pool\): unexpected hyperparameter\(s\) filters; a pool layer takes kernel",
        ),
        (Layer("pool", kind="min", kernel=3, stride=1), r"kind='min' is not one of \('max'"),
        ("conv", "layer 3: expected a Layer, got str"),
    ]
    for layer, message in cases:
        with pytest.raises(InvalidArchitecture, match=message):
            choices.validate(layer, "layer 3")


@given(vocabulary=vocabularies(), seed=st.integers(0, 2**32 - 1))
def test_mutate_changes_exactly_one_decision_or_the_type(vocabulary, seed):
    choices = LayerChoices(vocabulary)
    rng = as_rng(seed)
    layer = choices.sample(rng)
    if not choices.neighbours(layer):
        with pytest.raises(ValueError, match="no alternative"):
            choices.mutate(layer, rng)
        return
    child = choices.mutate(layer, rng)
    assert choices.validate(child, "child") is child and child != layer
    if child.op == layer.op:
        assert sum(a != b for a, b in zip(layer.params, child.params)) == 1


def test_neighbours_lists_the_changeable_decisions():
    choices = LayerChoices(DEFAULT_LAYER_TYPES)
    dil = Layer("dil_conv", dilation=2, filters=16, kernel=3, stride=1)
    assert choices.neighbours(dil) == ["dilation", "filters", "stride", "op"]  # one kernel only
    single = LayerChoices({"pool": {"kind": ("max",), "kernel": (3,), "stride": (1,)}})
    assert single.neighbours(single.decode(0)) == []


# -- LayerChoices: constructor errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "message"),
    [
        ({}, "at least one layer type"),
        ({"lstm": {"units": (8,)}}, "unknown layer type 'lstm'; valid types: conv, "),
        (
            {"conv": {"filters": (8,), "kernel": (3,)}},
            r"'conv': missing hyperparameter\(s\) stride; it takes",
        ),
        (
            {"pool": {"kind": ("max",), "kernel": (3,), "stride": (1,), "filters": (8,)}},
            r"'pool': unknown hyperparameter\(s\) filters; it takes kernel, kind, padding, stride",
        ),
        ({"conv": {"filters": (), "kernel": (3,), "stride": (1,)}}, "non-empty and distinct"),
        ({"conv": {"filters": (8, 8), "kernel": (3,), "stride": (1,)}}, "non-empty and distinct"),
        ({"conv": {"filters": (0, 8), "kernel": (3,), "stride": (1,)}}, "positive integer, got 0"),
        ({"conv": {"filters": (8,), "kernel": (3,), "stride": (-1,)}}, "positive integer, got -1"),
        ({"conv": {"filters": (8.0,), "kernel": (3,), "stride": (1,)}}, "positive integer"),
        ({"conv": {"filters": (True,), "kernel": (3,), "stride": (1,)}}, "positive integer"),
        ({"pool": {"kind": ("min",), "kernel": (3,), "stride": (1,)}}, "must be one of"),
        (
            {"conv": {"filters": (8,), "kernel": (3,), "stride": (1,), "padding": ("full",)}},
            r"padding must be one of \('same', 'valid'\)",
        ),
        ({"conv": {"filters": 8, "kernel": (3,), "stride": (1,)}}, r"give a tuple.*\(8,\)"),
    ],
)
def test_constructor_errors(types, message):
    with pytest.raises(ValueError, match=message):
        LayerChoices(types)


def test_numpy_choices_become_python_ints():
    choices = LayerChoices({"conv": {"filters": np.array([8, 16]), "kernel": (3,), "stride": (1,)}})
    assert all(type(layer["filters"]) is int for layer in choices)
    json.dumps([layer.as_dict() for layer in choices])


def test_describe_has_one_line_per_type():
    lines = LayerChoices(DEFAULT_LAYER_TYPES).describe().splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["conv", "18"],
        ["sep_conv", "12"],
        ["dil_conv", "12"],
        ["pool", "8"],
    ]


def test_even_kernels_with_same_padding_are_refused():
    """'same' padding needs a centre pixel: an even kernel would silently shrink the image."""
    with pytest.raises(ValueError, match="even sizes"):
        LayerChoices({"conv": {"filters": (8,), "kernel": (2, 3), "stride": (1,)}})
    valid = LayerChoices(
        {"pool": {"kind": ("max",), "kernel": (2,), "stride": (2,), "padding": ("valid",)}}
    )
    assert valid.count == 1
