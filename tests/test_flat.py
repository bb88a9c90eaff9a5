"""The flat baseline of Liu et al. (2018), Section 5.1: one 11-node graph of primitives."""

from __future__ import annotations

import json

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu.spaces.base import as_rng
from nasedu.spaces.flat import FlatSpace
from nasedu.spaces.hierarchical import NONE, HierarchicalSpace, Motif, count_valid_matrices

SPACE = FlatSpace()
SEEDS = st.integers(0, 2**32 - 1)


def test_flat_space_is_the_papers_baseline():
    assert SPACE.num_levels == 2 and SPACE.nodes == (11,) and SPACE.motifs == (1,)
    assert SPACE.primitives == HierarchicalSpace().primitives
    assert not SPACE.motif_conv  # the motif is the cell: no 1x1 conv after it
    assert SPACE.num_encodings() == 7 ** (11 * 10 // 2) == 7**55
    assert SPACE.size() == count_valid_matrices(11, 6)
    assert SPACE.trivial().cell == Motif.chain(11, "skip_connect")
    assert repr(HierarchicalSpace.flat(nodes=5)) == repr(FlatSpace(nodes=5))
    assert "2.116e+46 genotypes of 3.022e+46 encodings" in repr(SPACE)
    assert "e+532 encodings" in repr(FlatSpace(nodes=36))  # beyond float range: still exact


@settings(max_examples=5)
@given(seed=SEEDS)
def test_flat_genotypes_round_trip_mutate_one_edge_and_build(seed):
    rng = as_rng(seed)
    genotype = SPACE.sample(rng)
    assert SPACE.from_json(json.dumps(SPACE.to_json(genotype))) == genotype
    for _ in range(20):
        child = SPACE.mutate(genotype, rng)
        changed = [
            (i, j)
            for i in range(11)
            for j in range(11)
            if child.cell.matrix[i][j] != genotype.cell.matrix[i][j]
        ]
        assert len(changed) == 1 and changed[0][0] < changed[0][1]
        genotype = SPACE.validate(child)
    model = SPACE.build(genotype, channels=(4, 8, 16))
    assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10)


def test_flatten_of_a_flat_genotype_is_the_cell_itself():
    genotype = SPACE.initial(0)
    dag = SPACE.flatten(genotype)
    assert dag.number_of_nodes() == 11
    assert sorted(dag.edges(data="op")) == sorted(genotype.cell.edges())
    assert dag.graph == {"primitives": len(genotype.cell.edges()), "motif_convs": 0}
    assert all(op != NONE for _, _, op in dag.edges(data="op"))


def test_flat_cells_are_much_wider_than_hierarchical_ones_as_documented():
    """No 1x1 conv after any node (the flat cell has no motifs): the widths add up."""
    from nasedu.measure import count_parameters
    from nasedu.networks.hierarchical import build_cell
    from nasedu.spaces.hierarchical import HierarchicalGenotype

    complete = Motif.from_edges(
        11, {(i, j): "skip_connect" for i in range(11) for j in range(i + 1, 11)}
    )
    assert build_cell(HierarchicalGenotype(((complete,),)), 16, 16, False).C_out == 16 * 2**9
    hierarchical = HierarchicalSpace()
    for seed in range(3):
        flat_genotype, hier_genotype = SPACE.sample(seed), hierarchical.sample(seed)
        flat_width = build_cell(flat_genotype, 16, 16, False).C_out
        hier_width = build_cell(hier_genotype, 16, 16).C_out
        assert flat_width > 4 * hier_width
        assert count_parameters(SPACE.build(flat_genotype)) > 2 * count_parameters(
            hierarchical.build(hier_genotype)
        )
