"""Every registered space implements the whole protocol, and every search works on every space.

The per-space test files go deep; this one goes wide: the same checks, word for word, for each
name in ``nasedu.spaces.SPACES``, so a new space cannot join the course half-finished.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import networkx as nx
import pytest
import torch
from conftest import vocabularies
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from nasedu.search import random_search, regularized_evolution, tournament_evolution
from nasedu.spaces import SPACES, InvalidArchitecture, SpaceTooLarge, as_rng, get_space

NAMES = list(SPACES)


@pytest.fixture(scope="module", params=NAMES)
def space(request):
    return get_space(request.param)


def test_every_space_is_registered_and_importable():
    assert NAMES == ["chain", "multibranch", "cell", "hierarchical", "flat"]


SEEDS = st.integers(0, 2**32 - 1)


@settings(max_examples=10)
@given(seed=SEEDS)
def test_sampled_genotypes_validate_round_trip_and_build(space, seed):
    """Property test: any seed gives a member that survives JSON and becomes a network."""
    genotype = space.sample(seed)
    assert space.validate(genotype) is genotype
    text = json.dumps(space.to_json(genotype))
    assert space.from_json(json.loads(text)) == genotype
    assert space.from_json(text) == genotype
    model = space.build(genotype, input_shape=(1, 8, 8), num_classes=10)
    assert model(torch.randn(3, 1, 8, 8)).shape == (3, 10)


@given(seed=SEEDS)
def test_mutations_are_valid_and_differ_from_the_parent(space, seed):
    """Property test: a random walk of mutations never leaves the space or stands still."""
    rng = as_rng(seed)
    genotype = space.sample(rng)
    for _ in range(10):
        child = space.mutate(genotype, rng)
        assert space.validate(child) is child
        assert child != genotype
        genotype = child


def test_same_seed_same_genotype_and_genotypes_are_immutable_data(space):
    for seed in range(3):
        genotype = space.sample(seed)
        assert space.sample(seed) == genotype
        assert {genotype: seed}[genotype] == seed  # hashable: usable as a dict key
        assert repr(genotype)


def test_size_is_an_exact_int_and_enumerate_refuses_the_full_space(space):
    n = space.size()
    assert isinstance(n, int) and n > 10**9
    with pytest.raises(SpaceTooLarge):
        next(iter(space.enumerate()))


# -- size() == len(list(enumerate())) for every space, in small random configurations ----------
TWO_OPS = st.lists(
    st.sampled_from(["skip_connect", "max_pool_3x3", "avg_pool_3x3"]),
    min_size=1,
    max_size=2,
    unique=True,
)


@st.composite
def small_spaces(draw, name: str):
    """A configuration of the space ``name`` small enough to list every genotype."""
    if name in ("chain", "multibranch"):
        layers = draw(st.integers(1, 3 if name == "chain" else 2))
        options = {
            "max_layers": layers,
            "min_layers": draw(st.integers(1, layers)),
            "layer_types": draw(vocabularies(max_per_choice=1)),
        }
        if name == "multibranch":
            options["merges"] = draw(st.sampled_from([("sum",), ("concat",), ("sum", "concat")]))
        return get_space(name, **options)
    if name == "cell":
        merges = st.sampled_from([("add",), ("concat",), ("add", "concat")])
        return get_space(name, num_blocks=1, ops=draw(TWO_OPS), combine=draw(merges))
    if name == "flat":
        return get_space(name, nodes=draw(st.integers(2, 4)), primitives=draw(TWO_OPS))
    motifs = draw(st.sampled_from([(1, 1), (2, 1), (1, 1, 1)]))
    nodes = tuple(draw(st.integers(2, 3)) for _ in motifs)
    return get_space(name, primitives=draw(TWO_OPS), motifs=motifs, nodes=nodes)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=8)
@given(data=st.data())
def test_size_is_the_number_of_genotypes_enumerate_lists(name, data):
    """Property test: one meaning of size() in every space -- the genotypes that enumerate()
    lists, each valid and distinct; a count of raw encodings is num_encodings(), never less."""
    space = data.draw(small_spaces(name))
    listed = list(space.enumerate())
    assert space.size() == len(listed) == len(set(listed))
    assert all(space.validate(genotype) is genotype for genotype in listed)
    assert space.num_encodings() >= space.size()
    assert type(space.size()) is int and type(space.num_encodings()) is int


def test_size_takes_no_options(space):
    with pytest.raises(TypeError):
        space.size(valid_only=True)


def test_graph_is_a_dag_and_hash_is_stable(space):
    genotype = space.sample(2)
    graph = space.graph(genotype)
    assert isinstance(graph, nx.DiGraph) and nx.is_directed_acyclic_graph(graph)
    assert space.arch_hash(genotype) == space.arch_hash(space.from_json(space.to_json(genotype)))
    assert space.arch_hash(genotype) != space.arch_hash(space.sample(3))


def test_build_gives_logits_for_digits(space):
    torch.manual_seed(0)
    model = space.build(space.sample(0), input_shape=(1, 8, 8), num_classes=10)
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(2, 1, 8, 8))
    assert out.shape == (2, 10)


def test_plot_returns_the_figure_it_drew(space):
    figure = space.plot(space.sample(0))
    assert isinstance(figure, Figure) and figure.get_axes()
    mine, ax = plt.subplots()
    assert space.plot(space.sample(1), ax=ax) is mine  # drawn into the given Axes
    assert ax.has_data() or ax.child_axes or ax.texts
    plt.close("all")


def test_validate_rejects_a_foreign_object(space):
    with pytest.raises(InvalidArchitecture):
        space.validate("not a genotype")


def pseudo_score(space):
    """A cheap deterministic objective: the first hex digits of the architecture's hash."""
    return lambda genotype: int(space.arch_hash(genotype)[:6], 16) / 16**6


def test_every_search_strategy_runs_on_every_space(space):
    score = pseudo_score(space)
    for search in (
        lambda: random_search(space, score, 6, rng=0, progress=False),
        lambda: regularized_evolution(
            space, score, 8, population_size=4, sample_size=2, rng=0, progress=False
        ),
        lambda: tournament_evolution(space, score, 8, population_size=4, rng=0, progress=False),
    ):
        history = search()
        best, value = history.best(space)
        assert value == max(history.scores()) == score(best)
