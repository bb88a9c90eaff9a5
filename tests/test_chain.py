"""The chain-structured space (Elsken, Metzen and Hutter 2019, Sec. 2): properties and errors."""

from __future__ import annotations

from collections import Counter

import pytest
import torch
from conftest import vocabularies
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from nasedu.spaces import ChainGenotype, ChainSpace, InvalidArchitecture, Layer, SpaceTooLarge
from nasedu.spaces.base import as_rng

SPACE = ChainSpace(max_layers=4)  # the default vocabulary of 50 layers, up to 4 deep
SEEDS = st.integers(0, 2**32 - 1)
TWO = {"conv": {"filters": (4,), "kernel": (1, 3), "stride": (1,)}}  # 2 layers: 2 + 4 + 8 chains
VALID_CONV = {"conv": {"filters": (4,), "kernel": (3,), "stride": (1,), "padding": ("valid",)}}


def conv(filters: int = 16, kernel: int = 3, stride: int = 1) -> Layer:
    return Layer("conv", filters=filters, kernel=kernel, stride=stride)


# -- properties of sampled genotypes ---------------------------------------------------------------


# Sampling, JSON round trips, building and mutation validity are property-tested for every
# space in tests/test_protocol.py; what follows is specific to chains.


@given(seed=SEEDS)
def test_a_mutation_changes_the_depth_by_at_most_one_layer(seed):
    rng = as_rng(seed)
    genotype = SPACE.sample(rng)
    for _ in range(10):  # a short random walk
        child = SPACE.mutate(genotype, rng)
        assert abs(len(child) - len(genotype)) <= 1
        genotype = child


@pytest.mark.parametrize(("depth", "moves"), [(1, {0, 1}), (2, {-1, 0, 1}), (4, {-1, 0})])
def test_mutation_changes_adds_or_removes_within_the_depth_limits(depth, moves):
    """Change a decision (depth +0), insert a layer (+1) or remove one (-1); no insertion at
    max_layers (4 here), no removal at min_layers (1)."""
    parent = ChainGenotype((conv(),) * depth)
    changes = {len(SPACE.mutate(parent, seed)) - depth for seed in range(100)}
    assert changes == moves


def test_mutate_without_any_neighbour_is_a_clear_error():
    space = ChainSpace(
        max_layers=1, layer_types={"conv": {"filters": (4,), "kernel": (3,), "stride": (1,)}}
    )
    with pytest.raises(ValueError, match="has no neighbour"):
        space.mutate(space.sample(0), 0)


def test_same_seed_same_genotype_and_generators_advance():
    assert SPACE.sample(123) == SPACE.sample(123)
    rng = as_rng(5)
    first, second = SPACE.sample(rng), SPACE.sample(rng)
    again = as_rng(5)
    assert (SPACE.sample(again), SPACE.sample(again)) == (first, second)
    assert SPACE.validate(SPACE.sample(None))


def test_seed_0_genotype_of_the_default_space_is_pinned():
    """numpy's Generator is platform independent, so seed 0 gives this genotype everywhere."""
    assert repr(ChainSpace().sample(0)) == (
        "ChainGenotype(pool(kernel=3, kind='max', stride=2) -> "
        "dil_conv(dilation=3, filters=16, kernel=3, stride=1) -> "
        "conv(filters=32, kernel=3, stride=1) -> "
        "pool(kernel=3, kind='avg', stride=1) -> "
        "sep_conv(filters=64, kernel=5, stride=1) -> "
        "dil_conv(dilation=3, filters=16, kernel=3, stride=1))"
    )


# -- size, enumeration, uniform sampling -----------------------------------------------------------


def test_default_size_is_the_exact_sum_over_depths():
    """50 layers per position, 1..6 layers: 50 + 50**2 + ... + 50**6 (about 1.6e10)."""
    space = ChainSpace()
    assert space.size() == sum(50**d for d in range(1, 7)) == 15_943_877_550
    assert space.size_by_depth() == {d: 50**d for d in range(1, 7)}
    assert "15,943,877,550 genotypes" in repr(space)


@given(vocabulary=vocabularies(), data=st.data())
def test_size_matches_enumeration_on_small_spaces(vocabulary, data):
    L = ChainSpace(max_layers=1, layer_types=vocabulary).choices.count
    deepest = max(d for d in range(1, 4) if L**d <= 3000)
    max_layers = data.draw(st.integers(1, deepest), label="max_layers")
    min_layers = data.draw(st.integers(1, max_layers), label="min_layers")
    space = ChainSpace(max_layers, vocabulary, min_layers)
    genotypes = list(space.enumerate())
    assert space.size() == len(genotypes) == sum(L**d for d in range(min_layers, max_layers + 1))
    assert len(set(genotypes)) == len(genotypes)  # no duplicates
    assert genotypes == [space.decode(i) for i in range(space.size())]
    for genotype in genotypes[:: max(1, len(genotypes) // 50)]:
        space.validate(genotype)


def test_enumerate_refuses_huge_spaces():
    with pytest.raises(SpaceTooLarge, match="15,943,877,550 genotypes"):
        ChainSpace().enumerate()


def test_decode_out_of_range():
    space = ChainSpace(max_layers=3, layer_types=TWO)
    for index in (-1, space.size()):
        with pytest.raises(IndexError, match="out of range"):
            space.decode(index)


def test_sampling_is_uniform_over_genotypes_and_depths():
    """Every one of the 14 chains equally likely, so depths 1, 2, 3 in the ratio 2 : 4 : 8 (the
    number of chains of each depth), not 1 : 1 : 1 as a per-decision sampler would give."""
    space = ChainSpace(max_layers=3, layer_types=TWO)
    rng = as_rng(0)
    samples = [space.sample(rng) for _ in range(14 * 200)]
    counts = Counter(samples)
    assert len(counts) == 14
    assert chisquare(list(counts.values())).pvalue > 0.001
    depths = Counter(len(g) for g in samples)
    observed = [depths[d] for d in (1, 2, 3)]
    expected = [len(samples) * n / 14 for n in (2, 4, 8)]
    assert chisquare(observed, expected).pvalue > 0.001


# -- hashing --------------------------------------------------------------------------------------


def test_hash_is_equal_for_equal_chains_and_distinct_otherwise():
    space = ChainSpace(max_layers=3, layer_types=TWO)
    genotypes = list(space.enumerate())
    hashes = {space.arch_hash(g) for g in genotypes}
    assert len(hashes) == len(genotypes)  # a chain has no other numbering: all distinct
    a = ChainGenotype((conv(16), conv(32)))
    b = ChainGenotype([Layer("conv", stride=1, kernel=3, filters=16), conv(32)])
    assert SPACE.arch_hash(a) == SPACE.arch_hash(b)
    assert SPACE.arch_hash(a) != SPACE.arch_hash(ChainGenotype((conv(32), conv(16))))


def test_graph_has_tensors_as_nodes_and_layers_on_edges():
    genotype = ChainGenotype((conv(16), Layer("pool", kind="max", kernel=3, stride=2)))
    graph = SPACE.graph(genotype)
    assert list(graph.nodes) == [0, 1, 2]
    assert [graph.nodes[i]["label"] for i in range(3)] == ["input", "tensor", "output"]
    assert graph.edges[1, 2]["op"] == "pool(kernel=3, kind='max', stride=2)"


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ((), "the chain has 0 layers; this space allows 1 to 4"),
        ((conv(),) * 5, "the chain has 5 layers; this space allows 1 to 4"),
        (
            (conv(), Layer("lstm", units=8)),
            "layer 2: unknown op 'lstm'; valid ops are: conv, sep_conv, dil_conv, pool",
        ),
        ((conv(), conv(filters=0)), r"layer 2 \(conv\): filters=0 is not one of \(16, 32, 64\)"),
        ((conv(filters=20),), r"layer 1 \(conv\): filters=20 is not one of \(16, 32, 64\)"),
        ((conv(kernel=7),), r"layer 1 \(conv\): kernel=7 is not one of \(1, 3, 5\)"),
        (
            (Layer("conv", filters=16, kernel=3),),
            r"layer 1 \(conv\): missing hyperparameter\(s\) stride",
        ),
        (
            (Layer("pool", kind="max", kernel=3, stride=1, filters=16),),
            r"layer 1 \(pool\): unexpected hyperparameter\(s\) filters",
        ),
        ((conv(), "conv"), "layer 2: expected a Layer, got str"),
    ],
)
def test_bad_genotypes_raise_invalid_architecture_naming_the_layer(layers, message):
    with pytest.raises(InvalidArchitecture, match=message):
        SPACE.validate(ChainGenotype(layers))
    with pytest.raises(InvalidArchitecture, match=message):
        SPACE.build(ChainGenotype(layers))


def test_not_a_chain_genotype():
    with pytest.raises(InvalidArchitecture, match="expected a ChainGenotype, got list"):
        SPACE.validate([conv()])


def test_resolution_collapse_is_caught_at_build_naming_the_layer():
    """Four unpadded 3x3 convolutions shrink 8 -> 6 -> 4 -> 2 -> 0: layer 4 is reported when
    the module is built, before any tensor flows."""
    space = ChainSpace(max_layers=5, layer_types=VALID_CONV)
    layer = space.choices.decode(0)
    three, four = ChainGenotype((layer,) * 3), ChainGenotype((layer,) * 4)
    assert space.build(three).layers(torch.zeros(1, 1, 8, 8)).shape == (1, 4, 2, 2)
    with pytest.raises(InvalidArchitecture, match=r"layer 4 \(conv.*2x2 input.*0x0.*collapses"):
        space.build(four, input_shape=(1, 8, 8))
    assert space.build(four, input_shape=(1, 9, 9)).output_shape == (4, 1, 1)


def test_valid_pooling_larger_than_the_image_collapses():
    space = ChainSpace(
        max_layers=2,
        layer_types={
            "pool": {"kind": ("max",), "kernel": (5,), "stride": (1,), "padding": ("valid",)}
        },
    )
    genotype = ChainGenotype((space.choices.decode(0),) * 2)
    with pytest.raises(InvalidArchitecture, match=r"layer 2 .*4x4 input"):
        space.build(genotype, input_shape=(3, 8, 8))


def test_same_padding_never_collapses():
    """'same' padding rounds up, so ten stride-2 layers take 8x8 down to 1x1, not below."""
    space = ChainSpace(
        max_layers=10, layer_types={"conv": {"filters": (4,), "kernel": (3,), "stride": (2,)}}
    )
    genotype = ChainGenotype((space.choices.decode(0),) * 10)
    model = space.build(genotype, input_shape=(1, 8, 8), num_classes=3)
    assert model.output_shape == (4, 1, 1)
    assert model(torch.zeros(2, 1, 8, 8)).shape == (2, 3)


def test_build_respects_input_shape_and_classes():
    model = SPACE.build(SPACE.sample(3), input_shape=(3, 12, 10), num_classes=7)
    assert model(torch.randn(2, 3, 12, 10)).shape == (2, 7)


@pytest.mark.parametrize(("max_layers", "min_layers"), [(0, 1), (3, 0), (2, 3)])
def test_constructor_errors(max_layers, min_layers):
    with pytest.raises(ValueError, match="1 <= min_layers <= max_layers"):
        ChainSpace(max_layers=max_layers, min_layers=min_layers)


def test_plot_draws_on_the_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert SPACE.plot(SPACE.sample(0), ax=ax) is fig
        assert ax.patches  # one box per layer
    finally:
        plt.close(fig)
