"""The multi-branch space (Elsken, Metzen and Hutter 2019, Sec. 2): layer i reads
g_i(out_{i-1}, ..., out_0).  Properties, presets, isomorphism-aware hashing and errors."""

from __future__ import annotations

from collections import Counter
from math import comb

import numpy as np
import pytest
import torch
from conftest import vocabularies
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from nasedu.measure import count_macs, count_parameters
from nasedu.networks.multibranch import Merge
from nasedu.spaces import ChainGenotype, ChainSpace, InvalidArchitecture, Layer, SpaceTooLarge
from nasedu.spaces.base import as_rng
from nasedu.spaces.multibranch import (
    BranchNode,
    MultiBranchGenotype,
    MultiBranchSpace,
    chain_like,
    densenet_like,
    resnet_like,
)

SPACE = MultiBranchSpace(max_layers=4)  # the default 50-layer vocabulary, up to 4 layers
SEEDS = st.integers(0, 2**32 - 1)
ONE = {"conv": {"filters": (4,), "kernel": (3,), "stride": (1,)}}  # a single layer choice


def conv(filters: int = 16, kernel: int = 3, stride: int = 1) -> Layer:
    return Layer("conv", filters=filters, kernel=kernel, stride=stride)


def pool(kind: str = "max") -> Layer:
    return Layer("pool", kind=kind, kernel=3, stride=1)


def net(*nodes: tuple) -> MultiBranchGenotype:
    """``net((layer, inputs), (layer, inputs, merge), ...)``: a genotype written compactly."""
    return MultiBranchGenotype(tuple(BranchNode(*node) for node in nodes))


# -- properties of sampled genotypes ---------------------------------------------------------------


# Sampling, JSON round trips, building and mutation validity are property-tested for every
# space in tests/test_protocol.py.


def test_mutate_without_any_neighbour_is_a_clear_error():
    space = MultiBranchSpace(max_layers=1, layer_types=ONE)
    with pytest.raises(ValueError, match="has no neighbour"):
        space.mutate(space.sample(0), 0)


def test_same_seed_same_genotype():
    assert SPACE.sample(99) == SPACE.sample(99)
    assert SPACE.arch_hash(SPACE.sample(99)) == SPACE.arch_hash(SPACE.sample(99))


# -- size, enumeration, uniform sampling -----------------------------------------------------------


def _connections(i: int, merges: int) -> int:
    """Layer i reads a non-empty subset of its i predecessors; subsets of two or more also
    choose a merge: sum over k of C(i, k) * (1 if k == 1 else merges)."""
    return sum(comb(i, k) * (1 if k == 1 else merges) for k in range(1, i + 1))


def _size(L: int, merges: int, min_layers: int, max_layers: int) -> int:
    total = 0
    for depth in range(min_layers, max_layers + 1):
        n = 1
        for i in range(1, depth + 1):
            n *= L * _connections(i, merges)
        total += n
    return total


def test_default_size_is_exact():
    space = MultiBranchSpace()
    assert [space.connection_choices(i) for i in range(1, 6)] == [1, 4, 11, 26, 57]
    assert space.size() == _size(50, 2, 1, 5) == 20_384_655_510_050
    assert "20,384,655,510,050 genotypes" in repr(space)
    with pytest.raises(SpaceTooLarge):
        space.enumerate()


@pytest.mark.parametrize("merges", [("sum",), ("sum", "concat")])
def test_connection_choices_closed_form(merges):
    space = MultiBranchSpace(max_layers=12, layer_types=ONE, merges=merges)
    for i in range(1, 13):
        assert space.connection_choices(i) == _connections(i, len(merges))


@given(
    vocabulary=vocabularies(max_per_choice=1),
    merges=st.sampled_from([("sum",), ("concat",), ("sum", "concat")]),
    data=st.data(),
)
def test_size_matches_enumeration_on_small_spaces(vocabulary, merges, data):
    L = len(vocabulary)  # one value per hyperparameter: one layer per type
    deepest = max(d for d in range(1, 4) if _size(L, len(merges), 1, d) <= 3000)
    max_layers = data.draw(st.integers(1, deepest), label="max_layers")
    min_layers = data.draw(st.integers(1, max_layers), label="min_layers")
    space = MultiBranchSpace(max_layers, vocabulary, merges, min_layers)
    genotypes = list(space.enumerate())
    assert space.size() == len(genotypes) == _size(L, len(merges), min_layers, max_layers)
    assert len(set(genotypes)) == len(genotypes)  # no duplicates
    for genotype in genotypes[:: max(1, len(genotypes) // 50)]:
        space.validate(genotype)


def test_decode_out_of_range():
    space = MultiBranchSpace(max_layers=2, layer_types=ONE)
    for index in (-1, space.size()):
        with pytest.raises(IndexError, match="out of range"):
            space.decode(index)


def test_sampling_is_uniform_over_genotypes_and_depths():
    """One layer choice, up to 3 layers: 1 + 4 + 44 = 49 wirings, all equally likely, so the
    depths come in the ratio 1 : 4 : 44."""
    space = MultiBranchSpace(max_layers=3, layer_types=ONE)
    assert space.size() == 49
    rng = as_rng(0)
    samples = [space.sample(rng) for _ in range(49 * 100)]
    counts = Counter(samples)
    assert len(counts) == 49
    assert chisquare(list(counts.values())).pvalue > 0.001
    depths = Counter(len(g) for g in samples)
    expected = [len(samples) * n / 49 for n in (1, 4, 44)]
    assert chisquare([depths[d] for d in (1, 2, 3)], expected).pvalue > 0.001


# -- presets ---------------------------------------------------------------------------------------

LAYERS = [conv(16), conv(32, stride=2), pool(), conv(64)]


def test_presets_are_the_g_i_of_the_survey():
    presets = SPACE.presets(LAYERS)
    assert [n.inputs for n in presets["chain"].nodes] == [(0,), (1,), (2,), (3,)]
    assert [(n.inputs, n.merge) for n in presets["resnet"].nodes] == [
        ((0,), None),
        ((0, 1), "sum"),
        ((1, 2), "sum"),
        ((2, 3), "sum"),
    ]
    assert [(n.inputs, n.merge) for n in presets["densenet"].nodes] == [
        ((0,), None),
        ((0, 1), "concat"),
        ((0, 1, 2), "concat"),
        ((0, 1, 2, 3), "concat"),
    ]
    assert presets["chain"] == chain_like(LAYERS)
    assert presets["resnet"] == resnet_like(LAYERS)
    assert presets["densenet"] == densenet_like(LAYERS)


@pytest.mark.parametrize("name", ["chain", "resnet", "densenet"])
def test_presets_validate_and_build(name):
    genotype = SPACE.presets(LAYERS)[name]
    model = SPACE.build(SPACE.validate(genotype), input_shape=(1, 8, 8), num_classes=10)
    assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10)
    assert model.output_shape == (64, 4, 4)


def test_chain_preset_is_the_chain_space_architecture():
    """g_i = out_{i-1} is exactly a chain: same shapes, parameters, multiply-adds and hash."""
    chain = ChainGenotype(tuple(LAYERS))
    a = ChainSpace(max_layers=4).build(chain, input_shape=(1, 8, 8), num_classes=10)
    b = SPACE.build(chain_like(LAYERS), input_shape=(1, 8, 8), num_classes=10)
    assert a.output_shape == b.output_shape
    assert count_parameters(a) == count_parameters(b)
    assert count_macs(a, (1, 8, 8)) == count_macs(b, (1, 8, 8))
    assert ChainSpace(max_layers=4).arch_hash(chain) == SPACE.arch_hash(chain_like(LAYERS))


def test_presets_refuse_too_many_layers():
    with pytest.raises(InvalidArchitecture, match="5 layers; this space allows 1 to 4"):
        SPACE.presets([conv()] * 5)


# -- isomorphism-aware hashing ---------------------------------------------------------------------


def test_swapped_parallel_branches_hash_equal():
    """Two branches from the input, summed (or concatenated): which one is numbered first does
    not change the function, so it must not change the hash."""
    for merge in ("sum", "concat"):
        a = net((conv(16), (0,)), (pool(), (0,)), (conv(32), (1, 2), merge))
        b = net((pool(), (0,)), (conv(16), (0,)), (conv(32), (1, 2), merge))
        assert a != b and SPACE.arch_hash(a) == SPACE.arch_hash(b)


def test_three_summed_branches_in_any_order_hash_equal():
    branches = [conv(16), pool("max"), pool("avg")]
    hashes = set()
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        nodes = [(branches[k], (0,)) for k in order]
        hashes.add(SPACE.arch_hash(net(*nodes, (conv(32), (1, 2, 3), "sum"))))
    assert len(hashes) == 1


def test_dead_layers_do_not_change_the_hash():
    """A layer nobody reads computes nothing that reaches the output."""
    plain = net((conv(16), (0,)), (conv(32), (1,)))
    dead_in_middle = net((conv(16), (0,)), (pool(), (0, 1), "sum"), (conv(32), (1,)))
    assert SPACE.arch_hash(plain) == SPACE.arch_hash(dead_in_middle)
    dead_first = net((pool(), (0,)), (conv(16), (0,)), (conv(32), (2,)))
    assert SPACE.arch_hash(plain) == SPACE.arch_hash(dead_first)


def test_different_functions_hash_differently():
    base = net((conv(16), (0,)), (pool(), (0,)), (conv(32), (1, 2), "sum"))
    others = [
        net((conv(16), (0,)), (pool(), (0,)), (conv(32), (1, 2), "concat")),  # merge
        net((conv(16), (0,)), (pool(), (1,)), (conv(32), (1, 2), "sum")),  # wiring
        net((conv(32), (0,)), (pool(), (0,)), (conv(32), (1, 2), "sum")),  # a hyperparameter
        net((conv(16), (0,)), (pool(), (0,)), (conv(32), (0, 1, 2), "sum")),  # a skip
        net((conv(16), (0,)), (conv(32), (1,))),  # the pool branch removed
    ]
    hashes = {SPACE.arch_hash(g) for g in [base, *others]}
    assert len(hashes) == 1 + len(others)


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ((), "the network has 0 layers; this space allows 1 to 4"),
        (((conv(), (0,)),) * 5, "the network has 5 layers; this space allows 1 to 4"),
        (
            ((conv(), (0,)), (conv(), (2,))),
            r"layer 2 reads from 2, but it can only read from 0..1 .*cycle",
        ),
        (((conv(), (1,)),), r"layer 1 reads from 1, but it can only read from 0..0"),
        (((conv(), (0,)), (conv(), (-1,))), r"layer 2 reads from -1: indices start at 0"),
        (
            ((conv(), (0,)), (conv(), (1, 0), "sum")),
            r"layer 2: inputs \(1, 0\) must be sorted and without repeats, e.g. \(0, 1\)",
        ),
        (((conv(), (0,)), (conv(), (1, 1), "sum")), r"layer 2: inputs \(1, 1\) must be sorted"),
        (((conv(), ()),), "layer 1 reads from no tensor"),
        (((conv(), (0,), "sum"),), "layer 1 has one input, so its merge must be None, not 'sum'"),
        (
            ((conv(), (0,)), (conv(), (0, 1))),
            "layer 2 merges 2 inputs with None; valid merges are: sum, concat",
        ),
        (((conv(), (0,)), (conv(), (0, 1), "max")), "layer 2 merges 2 inputs with 'max'"),
        (((conv(), ("0",)),), "layer 1: input '0' is not an integer index"),
        (((conv(), (0,)), (conv(), (0, True), "sum")), "layer 2: input True is not an integer"),
        (((Layer("lstm", units=8), (0,)),), "layer 1: unknown op 'lstm'; valid ops are: conv"),
        (((conv(filters=0), (0,)),), r"layer 1 \(conv\): filters=0 is not one of \(16, 32, 64\)"),
        (
            ((conv(), (0,)), (Layer("conv", filters=16, kernel=3), (1,))),
            r"layer 2 \(conv\): missing hyperparameter\(s\) stride",
        ),
    ],
)
def test_bad_genotypes_raise_invalid_architecture_naming_the_layer(nodes, message):
    genotype = net(*nodes)
    with pytest.raises(InvalidArchitecture, match=message):
        SPACE.validate(genotype)
    with pytest.raises(InvalidArchitecture, match=message):
        SPACE.build(genotype)


def test_merge_not_allowed_in_this_space():
    space = MultiBranchSpace(max_layers=2, merges=("sum",))
    genotype = net((conv(), (0,)), (conv(), (0, 1), "concat"))
    with pytest.raises(InvalidArchitecture, match=r"'concat'; valid merges are: sum$"):
        space.validate(genotype)


def test_not_a_genotype_or_node():
    with pytest.raises(InvalidArchitecture, match="expected a MultiBranchGenotype, got tuple"):
        SPACE.validate((BranchNode(conv(), (0,)),))
    with pytest.raises(InvalidArchitecture, match="layer 1: expected a BranchNode, got Layer"):
        SPACE.validate(MultiBranchGenotype((conv(),)))


def test_malformed_json_is_invalid_architecture():
    for bad in ({"layers": [{"layer": {"op": "conv"}, "inputs": 0}]}, {"nodes": []}):
        with pytest.raises(InvalidArchitecture, match="malformed multibranch genotype"):
            SPACE.from_json({"space": "multibranch", "genotype": bad})


def test_resolution_collapse_is_caught_at_build_naming_the_layer():
    """Unpadded 3x3 convolutions: 8 -> 6 -> 4 -> 2 -> 0; merging with the 8x8 input pools it
    down to the smallest input, so the skip does not save layer 4."""
    valid = {"conv": {"filters": (4,), "kernel": (3,), "stride": (1,), "padding": ("valid",)}}
    space = MultiBranchSpace(max_layers=4, layer_types=valid)
    layer = space.choices.decode(0)
    genotype = net((layer, (0,)), (layer, (1,)), (layer, (0, 2), "concat"), (layer, (3,)))
    with pytest.raises(InvalidArchitecture, match=r"layer 4 \(conv.*2x2 input.*0x0"):
        space.build(genotype, input_shape=(1, 8, 8))
    assert space.build(genotype, input_shape=(1, 9, 9)).output_shape == (4, 1, 1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_layers": 17}, "max_layers <= 16"),
        ({"max_layers": 2, "min_layers": 3}, "1 <= min_layers <= max_layers"),
        ({"merges": ("sum", "max")}, "merges must be distinct names from"),
        ({"merges": ()}, "merges must be distinct names from"),
        ({"merges": ("sum", "sum")}, "merges must be distinct names from"),
    ],
)
def test_constructor_errors(options, message):
    with pytest.raises(ValueError, match=message):
        MultiBranchSpace(**options)


# -- the network's merge adapters ------------------------------------------------------------------


def test_merge_brings_inputs_to_the_smallest_resolution():
    """g_i of tensors of different shapes: average-pool to the smallest resolution; a sum first
    projects channels to the largest count (1x1 conv + batch norm), a concat stacks them."""
    shapes = [(8, 8, 8), (16, 4, 4)]
    tensors = [torch.randn(2, *s) for s in shapes]
    summed = Merge(shapes, "sum")
    assert summed.out_shape == (16, 4, 4) and summed(tensors).shape == (2, 16, 4, 4)
    stacked = Merge(shapes, "concat")
    assert stacked.out_shape == (24, 4, 4) and stacked(tensors).shape == (2, 24, 4, 4)
    assert count_parameters(summed) == 8 * 16 + 2 * 16 and count_parameters(stacked) == 0


def test_plot_draws_on_the_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert SPACE.plot(SPACE.presets(LAYERS)["resnet"], ax=ax) is fig
        assert ax.patches
    finally:
        plt.close(fig)


def test_bad_build_arguments_and_node_inputs_are_clear_errors():
    space = MultiBranchSpace(max_layers=2)
    genotype = space.sample(0)
    with pytest.raises(InvalidArchitecture, match="input_shape"):
        space.build(genotype, input_shape=(8, 8))
    with pytest.raises(InvalidArchitecture, match="at least 2 classes"):
        space.build(genotype, num_classes=0)
    layer = Layer("conv", filters=16, kernel=3, stride=1)
    with pytest.raises(InvalidArchitecture, match="tuple of tensor indices"):
        BranchNode(layer, 0)
    assert BranchNode(layer, (np.int64(0),)).inputs == (0,)
    with pytest.raises(InvalidArchitecture, match="not valid JSON"):
        space.from_json("{not json")


def test_chains_are_the_chain_structured_subspace():
    vocabulary = {"conv": {"filters": (4,), "kernel": (1, 3), "stride": (1,)}}
    space = MultiBranchSpace(max_layers=3, layer_types=vocabulary, min_layers=2)
    chains = list(space.chains())
    assert len(chains) == 2**2 + 2**3  # depths 2 and 3 only
    assert all(node.inputs == (i,) for g in chains for i, node in enumerate(g.nodes))
    everything = list(space.enumerate())
    assert set(chains) <= set(everything)
    assert set(chains) == {g for g in everything if g == chain_like([n.layer for n in g.nodes])}
    assert len({space.arch_hash(g) for g in chains}) == len(chains)  # no two chains compute alike
