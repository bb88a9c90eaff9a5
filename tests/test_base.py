"""The SearchSpace protocol's shared pieces: rng handling, exact uniform integers, the WL hash."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from nasedu.spaces import ChainSpace, SpaceTooLarge
from nasedu.spaces.base import (
    InvalidArchitecture,
    SearchSpace,
    as_rng,
    choose,
    graph_hash,
    uniform_index,
)

# -- rng handling ---------------------------------------------------------------------------------


def test_as_rng_accepts_seed_generator_and_none():
    generator = np.random.default_rng(3)
    assert as_rng(generator) is generator  # a Generator is used as is (its state advances)
    assert as_rng(5).integers(10**9) == as_rng(np.int64(5)).integers(10**9)
    assert isinstance(as_rng(None), np.random.Generator)


def test_as_rng_refuses_other_types():
    with pytest.raises(TypeError, match="rng must be"):
        as_rng(1.5)
    with pytest.raises(TypeError, match="rng must be"):
        as_rng("seed")


def test_same_seed_same_numbers_pinned():
    """numpy's Generator streams are platform independent: pin a few numbers of seed 0."""
    assert uniform_index(as_rng(0), 1000) == 850
    rng = as_rng(0)
    assert [uniform_index(rng, 10) for _ in range(5)] == [8, 6, 5, 2, 3]


def test_choose_keeps_the_element_type():
    options = [("a", 1), ("b", 2)]
    assert choose(as_rng(0), options) in options
    assert type(choose(as_rng(0), [1, 2, 3])) is int


# -- uniform_index --------------------------------------------------------------------------------


@given(n=st.integers(1, 2**200), seed=st.integers(0, 2**32 - 1))
def test_uniform_index_is_in_range_for_any_size(n, seed):
    value = uniform_index(as_rng(seed), n)
    assert type(value) is int and 0 <= value < n


def test_uniform_index_refuses_empty_ranges():
    for n in (0, -3):
        with pytest.raises(ValueError, match="empty range"):
            uniform_index(as_rng(0), n)


def test_uniform_index_beyond_64_bits_is_uniform():
    """The rejection-sampling path (n >= 2**62): the top "digit" of n = 3 * 2**80 is uniform."""
    rng = as_rng(0)
    n = 3 * 2**80
    counts = np.bincount([uniform_index(rng, n) // 2**80 for _ in range(3000)], minlength=3)
    assert len(counts) == 3
    assert chisquare(counts).pvalue > 0.001


def test_uniform_index_beyond_64_bits_is_reproducible():
    n = 10**40
    assert uniform_index(as_rng(7), n) == uniform_index(as_rng(7), n)


# -- graph_hash -----------------------------------------------------------------------------------


def _cell(order: list[int]) -> nx.DiGraph:
    """input -> a (conv) and input -> b (pool), a + b summed into the output; nodes added in
    the given order and numbered by it."""
    g = nx.DiGraph()
    names = {"in": order[0], "a": order[1], "b": order[2], "sum": order[3]}
    labels = {"in": "input", "a": "tensor", "b": "tensor", "sum": "sum"}
    for key in sorted(names, key=names.get):
        g.add_node(names[key], label=labels[key])
    g.add_edge(names["in"], names["a"], op="conv")
    g.add_edge(names["in"], names["b"], op="pool")
    g.add_edge(names["a"], names["sum"])
    g.add_edge(names["b"], names["sum"])
    return g


def test_graph_hash_ignores_node_numbering():
    assert graph_hash(_cell([0, 1, 2, 3])) == graph_hash(_cell([3, 0, 2, 1]))


def test_graph_hash_sees_ops_labels_and_direction():
    g = _cell([0, 1, 2, 3])
    other_op = g.copy()
    other_op.edges[0, 1]["op"] = "sep_conv"
    other_label = g.copy()
    other_label.nodes[3]["label"] = "concat"
    reversed_edges = g.reverse()
    hashes = {graph_hash(h) for h in (g, other_op, other_label, reversed_edges)}
    assert len(hashes) == 4


def test_graph_hash_is_a_short_hex_string_and_pinned():
    """Pinned so that an accidental change of the hash (which would orphan stored search
    histories) is noticed; the value is the same on every platform (sha256 of plain text)."""
    h = graph_hash(_cell([0, 1, 2, 3]))
    assert len(h) == 32 and int(h, 16) >= 0
    assert h == "82b80df7283b7138eaa753be2bd5e8b7"


@st.composite
def labelled_dags(draw):
    n = draw(st.integers(1, 7))
    g = nx.DiGraph()
    for i in range(n):
        g.add_node(i, label=draw(st.sampled_from(["input", "tensor", "sum", "concat"])))
    for j in range(n):
        for i in range(j):
            if draw(st.booleans()):
                op = draw(st.sampled_from([None, "conv", "pool"]))
                g.add_edge(i, j, **({} if op is None else {"op": op}))
    return g


@given(graph=labelled_dags(), data=st.data())
def test_graph_hash_is_invariant_under_any_renumbering(graph, data):
    permutation = data.draw(st.permutations(list(graph.nodes)))
    mapping = dict(zip(graph.nodes, permutation))
    renumbered = nx.relabel_nodes(graph, mapping)
    shuffled = nx.DiGraph()  # same graph, nodes and edges inserted in another order
    shuffled.add_nodes_from(sorted(renumbered.nodes(data=True), key=lambda item: -item[0]))
    shuffled.add_edges_from(reversed(list(renumbered.edges(data=True))))
    assert graph_hash(graph) == graph_hash(renumbered) == graph_hash(shuffled)


# -- the protocol's shared behaviour --------------------------------------------------------------


def test_search_space_is_abstract():
    with pytest.raises(TypeError):
        SearchSpace()


def test_enumerate_refuses_huge_spaces_and_respects_the_limit():
    space = ChainSpace(max_layers=3)  # 50 + 50**2 + 50**3 = 127,550 genotypes
    with pytest.raises(SpaceTooLarge, match="127,550 genotypes"):
        space.enumerate(limit=1000)
    small = ChainSpace(max_layers=1)
    assert len(list(small.enumerate(limit=50))) == 50
    with pytest.raises(SpaceTooLarge):
        ChainSpace().enumerate()


def test_from_json_errors_are_invalid_architecture():
    space = ChainSpace(max_layers=2)
    genotype = space.sample(0)
    data = space.to_json(genotype)
    assert space.from_json(json.dumps(data)) == genotype
    with pytest.raises(InvalidArchitecture, match="expected a dict"):
        space.from_json([1, 2])
    with pytest.raises(InvalidArchitecture, match="'cell' space, not 'chain'"):
        space.from_json({"space": "cell", "genotype": data["genotype"]})
    for bad in ({"layers": 3}, {"layers": ["conv"]}, {"layers": [{"filters": 3}]}, {}):
        with pytest.raises(InvalidArchitecture, match="malformed chain genotype"):
            space.from_json({"space": "chain", "genotype": bad})
    float_filters = {"layers": [{"op": "conv", "filters": 16.0, "kernel": 3, "stride": 1}]}
    with pytest.raises(InvalidArchitecture, match="ints or strings"):
        space.from_json({"space": "chain", "genotype": float_filters})
