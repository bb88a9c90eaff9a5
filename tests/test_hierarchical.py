"""The hierarchical space of Liu et al. (2018), "Hierarchical Representations for Efficient
Architecture Search": motifs of motifs, exact sizes, the paper's mutation and initialisation,
flattening, hashing, the small evaluation model, errors and drawings."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import matplotlib.pyplot as plt
import networkx as nx
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from nasedu.measure import count_parameters
from nasedu.ops import LIU_PRIMITIVES
from nasedu.spaces import InvalidArchitecture
from nasedu.spaces.base import SpaceTooLarge, as_rng
from nasedu.spaces.hierarchical import (
    NONE,
    HierarchicalGenotype,
    HierarchicalSpace,
    Motif,
    count_valid_matrices,
    differences,
    motif_index,
)
from nasedu.spaces.motifs import paper_name

SPACE = HierarchicalSpace()  # the paper's configuration (Section 5.1)
SEEDS = st.integers(0, 2**32 - 1)
TWO = ("conv_1x1_bn_relu", "skip_connect")
TINY = HierarchicalSpace(primitives=TWO, motifs=(2, 1), nodes=(3, 3))  # 27**3 encodings
FOUR_LEVELS = HierarchicalSpace(primitives=TWO, motifs=(2, 2, 1), nodes=(3, 3, 3))


def primitive_applications(genotype: HierarchicalGenotype, level: int, m: int) -> int:
    """How many primitive ops motif m of `level` applies, counted from the matrices alone."""
    edges = genotype.levels[level - 2][m].edges()
    if level == 2:
        return len(edges)
    return sum(primitive_applications(genotype, level - 1, motif_index(op)) for _, _, op in edges)


def with_motif(genotype, level: int, m: int, motif: Motif) -> HierarchicalGenotype:
    levels = [list(motifs) for motifs in genotype.levels]
    levels[level - 2][m] = motif
    return HierarchicalGenotype(tuple(tuple(motifs) for motifs in levels))


# -- sampled genotypes -------------------------------------------------------------------------


@settings(max_examples=5)
@given(seed=SEEDS)
def test_sampled_genotypes_validate_round_trip_and_build(seed):
    genotype = SPACE.sample(seed)
    assert SPACE.validate(genotype) is genotype
    text = json.dumps(SPACE.to_json(genotype))
    assert SPACE.from_json(text) == genotype
    model = SPACE.build(genotype, input_shape=(1, 8, 8), num_classes=10)
    assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10)


@given(seed=SEEDS)
def test_mutation_is_valid_and_changes_exactly_one_edge(seed):
    rng = as_rng(seed)
    for space in (SPACE, TINY, FOUR_LEVELS):
        genotype = space.sample(rng)
        for _ in range(25):  # a random walk
            child = space.mutate(genotype, rng)
            assert space.validate(child) is child
            (_, _, i, j, _, _), *rest = differences(genotype, child)
            assert rest == [] and i < j
            genotype = child


def test_mutation_visits_every_level_and_can_add_and_remove_edges():
    rng = as_rng(0)
    genotype, seen = SPACE.sample(rng), Counter()
    for _ in range(400):
        child = SPACE.mutate(genotype, rng)
        [(level, name, i, j, old, new)] = differences(genotype, child)
        assert child.motif(level, motif_index(name) + 1).matrix[i][j] == new
        kind = "add" if old == NONE else "remove" if new == NONE else "alter"
        seen[level, kind] += 1
        genotype = child
    assert all(seen[level, kind] for level in (2, 3) for kind in ("add", "remove", "alter"))


def test_mutate_without_any_neighbour_is_a_clear_error():
    space = HierarchicalSpace(primitives=("skip_connect",), motifs=(1, 1), nodes=(2, 2))
    assert space.size() == 1
    with pytest.raises(ValueError, match="no neighbour"):
        space.mutate(space.sample(0), 0)


# -- initialisation (Section 3.2) --------------------------------------------------------------


def test_trivial_genotype_is_chains_of_identities():
    trivial = SPACE.trivial()
    assert all(m == Motif.chain(4, "skip_connect") for m in trivial.levels[0])
    assert trivial.cell == Motif.chain(5, "m1")
    assert SPACE.initial(0, mutations=0) == trivial


@given(seed=SEEDS)
@settings(max_examples=5)
def test_initialisation_is_reproducible_by_seed(seed):
    first = SPACE.initial(seed, mutations=200)
    assert SPACE.initial(seed, mutations=200) == first
    assert SPACE.validate(first) is first
    assert SPACE.initial(seed + 1, mutations=200) != first


def test_initialisation_with_1000_mutations_is_diverse():
    genotypes = [SPACE.initial(seed) for seed in range(5)]
    assert len({SPACE.arch_hash(g) for g in genotypes}) == 5
    assert all(len(differences(SPACE.trivial(), g)) > 20 for g in genotypes)


# -- sizes (exact, checked against brute force) ------------------------------------------------


def test_default_sizes_are_the_papers_encoding():
    # six level-2 motifs with 6 node pairs x 7 choices, one level-3 motif with 10 pairs x 7
    assert SPACE.num_encodings() == 7 ** (6 * 6) * 7**10 == 7**46
    assert SPACE.size() == count_valid_matrices(4, 6) ** 6 * count_valid_matrices(5, 6)
    assert SPACE.size() == 65_533_361_337_373_523_984_698_919_288_832_000_000
    assert HierarchicalSpace.flat().num_encodings() == 7**55
    # 70.7% of the level-2 matrices are valid motifs (83,160 of 7**6 = 117,649)
    assert (SPACE.motif_size(2), SPACE.num_motif_encodings(2)) == (83_160, 117_649)
    assert (SPACE.motif_size(3), SPACE.num_motif_encodings(3)) == (198_141_552, 7**10)
    assert "6.553e+37 genotypes of 7.490e+38 encodings" in repr(SPACE)


def test_size_counts_genotypes_and_no_longer_takes_valid_only():
    # size() was size(valid_only=False), the encodings: a caller still passing the flag must
    # not get a silently different number
    with pytest.raises(TypeError):
        SPACE.size(valid_only=True)
    with pytest.raises(TypeError):
        SPACE.motif_size(2, valid_only=True)


@pytest.mark.parametrize("n, k", [(n, k) for n in range(2, 6) for k in (1, 2)] + [(4, 3), (6, 1)])
def test_valid_matrix_count_matches_brute_force(n, k):
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    valid = 0
    for choice in itertools.product(range(k + 1), repeat=len(pairs)):  # 0 is none
        present = {pair for pair, c in zip(pairs, choice) if c}
        has_input = all(any((i, j) in present for i in range(j)) for j in range(1, n))
        has_output = all(any((i, j) in present for j in range(i + 1, n)) for i in range(n - 1))
        valid += has_input and has_output
    assert count_valid_matrices(n, k) == valid


@pytest.mark.parametrize(
    "space", [TINY, HierarchicalSpace(primitives=TWO, motifs=(1, 1), nodes=(3, 2))]
)
def test_size_and_valid_size_match_brute_force_over_every_encoding(space):
    per_motif = []
    for level in range(2, space.num_levels + 1):
        n = space.nodes[level - 2]
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        matrices = [
            Motif.from_edges(n, dict(zip(pairs, choice)))
            for choice in itertools.product(space.ops(level), repeat=len(pairs))
        ]
        per_motif += [matrices] * space.motifs[level - 2]
    total = valid = 0
    for motifs in itertools.product(*per_motif):
        total += 1
        levels, k = [], 0
        for count in space.motifs:
            levels.append(motifs[k : k + count])
            k += count
        try:
            space.validate(HierarchicalGenotype(tuple(levels)))
            valid += 1
        except InvalidArchitecture:
            pass
    assert space.num_encodings() == total
    assert space.size() == valid
    listed = list(space.enumerate())
    assert len(listed) == len(set(listed)) == valid


def test_sampling_is_uniform_over_valid_genotypes():
    space = HierarchicalSpace(primitives=TWO, motifs=(1, 1), nodes=(3, 3))
    assert space.size() == 12 * 2
    rng = as_rng(0)
    counts = Counter(space.sample(rng) for _ in range(2400))
    assert len(counts) == 24
    assert chisquare(list(counts.values())).pvalue > 0.001


# -- flattening and hashing --------------------------------------------------------------------


@settings(max_examples=10)
@given(seed=SEEDS)
def test_flatten_preserves_the_primitive_applications_of_the_motifs(seed):
    for space in (SPACE, FOUR_LEVELS, HierarchicalSpace.flat()):
        genotype = space.sample(seed)
        dag = space.flatten(genotype)
        expected = primitive_applications(genotype, space.num_levels, 0)
        kinds = Counter(kind for _, _, kind in dag.edges(data="kind"))
        assert kinds["primitive"] == dag.graph["primitives"] == expected
        level_2_uses = (
            len(genotype.cell.edges()) if space.num_levels == 3 else dag.graph["motif_convs"]
        )
        assert kinds["motif_conv"] == (level_2_uses if space.motif_conv else 0)
        assert [v for v in dag if dag.in_degree(v) == 0] == [0]
        assert [v for v in dag if dag.out_degree(v) == 0] == [space.nodes[-1] - 1]


def test_flatten_counts_nodes_as_motif_copies():
    genotype = SPACE.trivial()  # 4 level-3 edges, each a 4-node chain + its 1x1 conv
    dag = SPACE.flatten(genotype)
    assert dag.graph == {"primitives": 4 * 3, "motif_convs": 4}
    assert dag.number_of_nodes() == 5 + 4 * 3 and dag.number_of_edges() == 4 * 4


def renumberings(motif: Motif):
    """Every renumbering of the inner nodes that keeps the matrix upper-triangular."""
    n = motif.num_nodes
    for inner in itertools.permutations(range(1, n - 1)):
        new = {0: 0, n - 1: n - 1, **{old: k for old, k in zip(range(1, n - 1), inner)}}
        if all(new[i] < new[j] for i, j, _ in motif.edges()):
            yield Motif.from_edges(n, {(new[i], new[j]): op for i, j, op in motif.edges()})


@settings(max_examples=10)
@given(seed=SEEDS)
def test_hash_is_invariant_to_node_renumberings_that_keep_the_dag(seed):
    rng = as_rng(seed)
    genotype = SPACE.sample(rng)
    reference = SPACE.arch_hash(genotype)
    for level, m in ((2, int(rng.integers(6))), (3, 0)):
        for motif in renumberings(genotype.levels[level - 2][m]):
            assert SPACE.arch_hash(with_motif(genotype, level, m, motif)) == reference


def test_hash_is_invariant_to_permuting_motifs_and_to_unused_motifs():
    genotype = SPACE.sample(3)
    cell = Motif.from_edges(5, {(0, 1): "m1", (1, 2): "m2", (2, 3): "m1", (3, 4): "m2"})
    genotype = with_motif(genotype, 3, 0, cell)
    reference = SPACE.arch_hash(genotype)
    motifs = genotype.levels[0]
    # unused motifs m3..m6: shuffled, or replaced by anything
    shuffled = HierarchicalGenotype(((*motifs[:2], *reversed(motifs[2:])), genotype.levels[1]))
    assert SPACE.arch_hash(shuffled) == reference
    replaced = with_motif(genotype, 2, 5, SPACE.sample(99).levels[0][0])
    assert SPACE.arch_hash(replaced) == reference
    # used motifs swapped, with the cell's references renamed accordingly
    swapped_cell = Motif.from_edges(5, {(0, 1): "m2", (1, 2): "m1", (2, 3): "m2", (3, 4): "m1"})
    swapped = HierarchicalGenotype(((motifs[1], motifs[0], *motifs[2:]), (swapped_cell,)))
    assert SPACE.arch_hash(swapped) == reference


def test_different_functions_hash_differently():
    genotype = SPACE.trivial()
    hashes = {SPACE.arch_hash(genotype)}
    for op in LIU_PRIMITIVES[:-1]:  # every op but identity on the first edge of m1
        hashes.add(
            SPACE.arch_hash(
                with_motif(genotype, 2, 0, Motif.chain(4, "skip_connect").with_edge(0, 1, op))
            )
        )
    assert len(hashes) == 6


# -- bad input ---------------------------------------------------------------------------------


def replace_entry(level: int, m: int, i: int, j: int, op: str) -> HierarchicalGenotype:
    genotype = SPACE.trivial()
    return with_motif(genotype, level, m, genotype.levels[level - 2][m].with_edge(i, j, op))


@pytest.mark.parametrize(
    "genotype, message",
    [
        (
            replace_entry(2, 2, 2, 1, "max_pool_3x3"),
            r"level 2, motif m3, entry \(2, 1\).*upper-triangular",
        ),
        (replace_entry(3, 0, 1, 1, "m1"), r"level 3, motif m1, entry \(1, 1\).*upper-triangular"),
        (
            replace_entry(3, 0, 0, 2, "m7"),
            r"level 3, motif m1, entry \(0, 2\) is 'm7'.*m1, m2, m3, m4, m5, m6",
        ),
        (
            replace_entry(2, 1, 0, 2, "conv_3x3"),
            r"level 2, motif m2, entry \(0, 2\) is 'conv_3x3'.*primitive",
        ),
        (
            replace_entry(2, 4, 0, 1, NONE),
            r"level 2, motif m5: node 1 has no incoming edge.*\(0, 1\)",
        ),
        (replace_entry(3, 0, 3, 4, NONE), r"level 3, motif m1: node 4 has no incoming edge"),
        (
            with_motif(
                SPACE.trivial(),
                2,
                0,
                Motif.from_edges(
                    4, {(0, 1): "skip_connect", (0, 3): "skip_connect", (1, 3): "skip_connect"}
                ),
            ),
            r"level 2, motif m1: node 2 has no incoming edge",
        ),
        (
            with_motif(
                SPACE.trivial(),
                2,
                0,
                Motif.from_edges(
                    4, {(0, 1): "skip_connect", (0, 2): "skip_connect", (2, 3): "skip_connect"}
                ),
            ),
            r"level 2, motif m1: node 1 has no outgoing edge.*\(1, 2\), \(1, 3\)",
        ),
        (
            with_motif(SPACE.trivial(), 3, 0, Motif.chain(4, "m1")),
            r"level 3, motif m1: .* 4x4.*5x5",
        ),
        (
            with_motif(SPACE.trivial(), 2, 3, Motif(((NONE,) * 4,) * 3)),
            r"level 2, motif m4: .*must be 4x4",
        ),
        (
            HierarchicalGenotype((SPACE.trivial().levels[0][:5], SPACE.trivial().levels[1])),
            "level 2 has 5 motifs; this space has 6",
        ),
        (HierarchicalGenotype(SPACE.trivial().levels[:1]), "levels 2..3"),
        ("not a genotype", "expected a HierarchicalGenotype"),
    ],
)
def test_bad_genotypes_raise_invalid_architecture_naming_level_motif_and_entry(genotype, message):
    with pytest.raises(InvalidArchitecture, match=message):
        SPACE.validate(genotype)


@pytest.mark.parametrize(
    "levels, message",
    [
        ("abc", "'levels' must be a list"),
        ([{"a": 1}], "level 2 must be a list of motif matrices, got dict"),
        ([["abc"]], "level 2, motif m1: the adjacency matrix must be a list of rows, got str"),
        ([[{"none": 1, "x": 2}]], "level 2, motif m1: .*got dict"),
        ([[[["none", "none"], "ab"]]], "level 2, motif m1, row 1 must be a list of op names"),
        ([[], [[["none", 3]]]], r"level 3, motif m1, entry \(0, 1\) must be an op name"),
    ],
)
def test_genotype_data_of_the_wrong_types_names_level_motif_and_row(levels, message):
    with pytest.raises(InvalidArchitecture, match=message):
        SPACE.genotype_from_data({"levels": levels})
    with pytest.raises(InvalidArchitecture, match=message):
        SPACE.from_json({"space": "hierarchical", "genotype": {"levels": levels}})


def test_motif_lookup_refuses_levels_and_numbers_outside_the_genotype():
    genotype = SPACE.sample(0)
    assert genotype.motif(2, 6) is genotype.levels[0][5] and genotype.motif(3, 1) is genotype.cell
    for level, number, message in [
        (2, 0, r"level 2 has no motif number 0: .*1\.\.6 \(m1, m2, m3, m4, m5, m6\)"),
        (2, 7, "level 2 has no motif number 7"),
        (3, 2, r"level 3 has no motif number 2: .*1\.\.1 \(m1\)"),
        (1, 1, r"level 1 does not exist: motif levels are 2\.\.3"),
        (4, 1, r"level 4 does not exist: motif levels are 2\.\.3"),
        (2, "1", "motif number must be an integer"),
    ]:
        with pytest.raises(InvalidArchitecture, match=message):
            genotype.motif(level, number)
        with pytest.raises(InvalidArchitecture, match=message):
            genotype.with_motif(level, number, genotype.cell)
    assert genotype.with_motif(2, 1, genotype.motif(2, 2)).motif(2, 1) == genotype.motif(2, 2)


@settings(max_examples=10)
@given(seed=SEEDS)
def test_genotypes_print_in_the_papers_notation(seed):
    """str: every motif as o^(l)_m (Liu et al. 2018, Sec. 2.2) with its edges, level-3 entries
    naming level-2 motifs the same way, lines of at most 100 characters; repr: one short line
    whatever the size; printing changes nothing of the data (JSON, equality, hash)."""
    for space in (SPACE, FOUR_LEVELS, HierarchicalSpace.flat(), HierarchicalSpace.flat(30)):
        genotype = space.sample(seed)
        text = str(genotype)
        assert all(len(line) <= 100 for line in text.splitlines())
        for level, motifs in enumerate(genotype.levels, start=2):
            for m, motif in enumerate(motifs):
                name = paper_name(level, m)
                assert f"{name}, {motif.num_nodes} nodes: " in text
                for i, j, op in motif.edges():
                    below = motif_index(op) if level > 2 else None
                    shown = op if below is None else paper_name(level - 1, below)
                    assert f"{i}->{j} {shown}" in text
        assert f"level {space.num_levels} (the cell):" in text
        short = repr(genotype)
        assert "\n" not in short and len(short) < 200
        assert f"L={space.num_levels};" in short and paper_name(space.num_levels, 0) in short
        assert space.from_json(space.to_json(genotype)) == genotype
        assert {genotype: 1}[genotype] == 1


def test_notebooks_show_the_whole_genotype():
    from IPython.lib.pretty import pretty

    genotype = SPACE.sample(0)
    assert pretty(genotype) == str(genotype) != repr(genotype)
    assert paper_name(2, 0) == "o^(2)_1" and paper_name(3, 5) == "o^(3)_6"


def test_enumerate_lists_valid_genotypes_and_checks_their_number_against_the_limit():
    valid, total = TINY.size(), TINY.num_encodings()
    assert valid < total
    listed = list(TINY.enumerate(limit=valid))  # all encodings would exceed this limit
    assert len(listed) == len(set(listed)) == valid
    assert all(TINY.validate(g) is g for g in listed)
    with pytest.raises(SpaceTooLarge, match=f"{valid:,} genotypes"):
        TINY.enumerate(limit=valid - 1)


def test_malformed_json_is_invalid_architecture():
    with pytest.raises(InvalidArchitecture, match="malformed"):
        SPACE.from_json({"space": "hierarchical", "genotype": {"motifs": []}})
    with pytest.raises(InvalidArchitecture, match="'flat' space"):
        SPACE.from_json(HierarchicalSpace.flat().to_json(HierarchicalSpace.flat().trivial()))


@pytest.mark.parametrize(
    "options, message",
    [
        ({"primitives": ("conv_1x1_bn_relu", "warp_drive")}, "warp_drive"),
        ({"primitives": ("none",)}, "other than 'none'"),
        ({"motifs": (6, 2)}, "top level exactly one"),
        ({"motifs": (6,), "nodes": (4, 5)}, "one entry per level"),
        ({"nodes": (1, 5)}, "at least 2 nodes"),
    ],
)
def test_constructor_errors(options, message):
    with pytest.raises(ValueError, match=message):
        HierarchicalSpace(**options)


# -- the network (Section 5.1, Fig. 2) ---------------------------------------------------------


def test_small_model_of_the_trivial_genotype_has_the_expected_parameters():
    """Identity motifs have no weights, so only the stem, the two strided separable convs, the
    1x1 conv after each of the 4 level-2 motifs of every cell, and the classifier count."""
    model = SPACE.build(SPACE.trivial(), input_shape=(3, 32, 32), num_classes=10)
    stem = 3 * 16 * 9 + 2 * 16
    reductions = (16 * 9 + 16 * 32 + 2 * 32) + (32 * 9 + 32 * 64 + 2 * 64)
    cells = sum(4 * (c * c + 2 * c) for c in (16, 32, 64))
    head = 64 * 10 + 10
    assert count_parameters(model) == stem + reductions + cells + head
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_concatenation_adds_up_channels_and_motif_conv_restores_them():
    from nasedu.networks.hierarchical import build_cell

    m1 = Motif.from_edges(
        4,
        {
            (0, 1): "conv_1x1_bn_relu",
            (0, 2): "skip_connect",
            (1, 2): "max_pool_3x3",
            (2, 3): "skip_connect",
            (1, 3): "dw_conv_3x3_bn_relu",
        },
    )
    genotype = with_motif(SPACE.trivial(), 2, 0, m1)
    genotype = with_motif(
        genotype,
        3,
        0,
        Motif.from_edges(
            5, {(0, 1): "m1", (0, 2): "m1", (1, 2): "m2", (2, 3): "m2", (3, 4): "m1", (1, 4): "m1"}
        ),
    )
    cell = build_cell(genotype, C_in=6, C=4)
    # inside m1 on a 6-channel input: node1 = 4 (1x1 conv of C), node2 = 6 + 4, node3 = 10 + 4
    inner = cell.edges["edge_0_1"][0]
    assert inner.channels == [6, 4, 10, 14]
    assert cell.channels == [6, 6, 12, 12, 18]
    assert cell(torch.randn(2, 6, 5, 5)).shape == (2, 18, 5, 5)


def test_build_channels_defaults_and_options():
    genotype = SPACE.sample(1)
    small = SPACE.build(genotype)  # 8x8 digits: half the paper's widths
    assert small.stem[0].out_channels == 8
    paper = SPACE.build(genotype, input_shape=(3, 32, 32))
    assert paper.stem[0].out_channels == 16
    deep = SPACE.build(genotype, channels=(4, 8), cells_per_stage=2)
    assert deep(torch.randn(2, 1, 8, 8)).shape == (2, 10)


def test_four_levels_build_and_flatten():
    genotype = FOUR_LEVELS.initial(0, mutations=50)
    model = FOUR_LEVELS.build(genotype, channels=(4, 8))
    assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10)
    dag = FOUR_LEVELS.flatten(genotype)
    # level 4 -> level 3 -> level 2 -> primitives: every primitive application appears once,
    # and a 1x1 conv follows every copy of a level-2 motif (none after level-3 copies)
    assert dag.graph["primitives"] == primitive_applications(genotype, 4, 0)
    level2_copies = sum(
        len(genotype.levels[1][motif_index(op)].edges()) for _, _, op in genotype.cell.edges()
    )
    assert dag.graph["motif_convs"] == level2_copies
    assert {kind for _, _, kind in dag.edges(data="kind")} == {"primitive", "motif_conv"}
    for _, _, data in dag.edges(data=True):  # the motif edges of levels 4 (and 3) it came from
        levels = [level for level, *_ in data["path"]]
        assert levels == ([4, 3] if data["kind"] == "primitive" else [4])
    assert nx.is_directed_acyclic_graph(dag)
    assert [n for n, d in dag.in_degree() if d == 0] == [0]
    assert [n for n, d in dag.out_degree() if d == 0] == [2]  # the level-4 output node


# -- drawings and the explorer -----------------------------------------------------------------


def test_plots():
    genotype = SPACE.sample(0)
    fig = SPACE.plot(genotype)
    assert len(fig.axes) == 6 + 1 + 1
    figure, ax = plt.subplots()
    assert SPACE.plot(genotype, ax=ax) is figure
    assert ax.patches  # the cell, drawn into the given Axes
    from nasedu.viz.hierarchical import plot_motif

    assert plot_motif(Motif.empty(4).with_edge(0, 1, "skip_connect")) is not None  # unfinished
    plt.close("all")


def test_explorer_applies_valid_edits_and_refuses_invalid_ones():
    pytest.importorskip("ipywidgets")  # an optional extra (nasedu[notebooks]); CI has it
    from nasedu.widgets.hierarchical import hierarchical_explorer

    explorer = hierarchical_explorer(SPACE, SPACE.trivial())
    boxes = {
        box.description: box for box in explorer.children[2].children if hasattr(box, "options")
    }
    boxes["0\u21921"].value = NONE  # would orphan node 1: refused, and the box is reset
    assert boxes["0\u21921"].value == "skip_connect" and "not applied" in explorer.children[3].value
    boxes["0\u21923"].value = "conv_1x1_bn_relu"
    assert explorer.genotype.levels[0][0].matrix[0][3] == "conv_1x1_bn_relu"
    assert "parameters" in explorer.children[3].value
    plt.close("all")
