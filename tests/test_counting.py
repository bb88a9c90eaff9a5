"""Counting a cell network without building it gives exactly the built network's numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu import zoo
from nasedu.counting import count_cell_network, count_space_network, shape_cost
from nasedu.measure import count_macs, count_parameters
from nasedu.networks.cell import CellNetwork
from nasedu.opnames import DARTS_OPS, OP_NAMES
from nasedu.spaces.cell import CellSpace


def built(model, input_shape) -> tuple[int, int, int]:
    return (
        count_parameters(model, auxiliary=False),
        count_macs(model, input_shape),
        len(model.cells),
    )


@pytest.mark.parametrize("name", sorted(zoo.GENOTYPES))
def test_the_zoo_networks_counted_without_building(name):
    """The pinned numbers of tests/test_zoo.py and tests/test_measure.py (C=36, 20 cells)."""
    expected = {
        "nasnet_a": (3_830_950, 603_452_448),
        "amoebanet_a": (3_145_078, 488_931_552),
        "darts_v1": (3_169_414, 500_987_520),
        "darts_v2": (3_349_342, 528_359_040),
    }
    assert count_cell_network(zoo.genotype(name)) == (*expected[name], 20)


def test_nasnet_a_as_the_cell_builder_counts_it():
    """The cell builder's setting (notebook 02): NASNet-A's CellSpace genotype, N=6, C=36."""
    count = count_space_network(
        CellSpace(), zoo.cell_genotype("NASNet-A"), input_shape=(3, 32, 32), N=6, C=36
    )
    assert count == (3_830_950, 603_452_448, 20)


SPACES = [
    CellSpace(),
    CellSpace(num_blocks=2, ops=DARTS_OPS),
    CellSpace(num_blocks=3, ops=OP_NAMES),  # every op of the registry, Liu et al.'s too
]


@settings(max_examples=30)
@given(
    space=st.sampled_from(SPACES),
    seed=st.integers(0, 10**6),
    N=st.integers(1, 2),
    C=st.sampled_from([2, 4, 6, 10]),
    shape=st.tuples(st.integers(1, 3), st.integers(1, 13), st.integers(1, 13)),
    num_classes=st.integers(2, 12),
    stem_multiplier=st.integers(1, 3),
    auxiliary=st.booleans(),
    own_stage_cells=st.booleans(),
)
def test_counted_equals_built_for_random_genotypes_and_macros(
    space, seed, N, C, shape, num_classes, stem_multiplier, auxiliary, own_stage_cells
):
    """Any genotype, odd and tiny resolutions (1x1, 7x5), concatenations, any stem width, a
    normal cell per stage or the genotype's in all three."""
    genotype = space.sample(seed)
    macro = dict(N=N, C=C, stem_multiplier=stem_multiplier, auxiliary=auxiliary)
    if own_stage_cells:
        macro["stage_cells"] = tuple(space.sample(seed + s).normal for s in (1, 2, 3))
    model = space.build(genotype, input_shape=shape, num_classes=num_classes, **macro)
    counted = count_space_network(space, genotype, shape, num_classes, **macro)
    assert counted == built(model, shape)


@settings(max_examples=10)
@given(seed=st.integers(0, 10**6), side=st.integers(8, 40), layers=st.integers(1, 6))
def test_counted_equals_built_with_the_imagenet_stem(seed, side, layers):
    """Three strided stem convolutions, then a first cell whose older input is twice as big;
    any depth (1 and 2 cells put the reductions side by side)."""
    genotype = CellSpace(num_blocks=2).sample(seed)
    model = CellNetwork(genotype, (3, side, side), C=4, layers=layers, stem="imagenet")
    counted = count_cell_network(genotype, (3, side, side), C=4, layers=layers, stem="imagenet")
    assert counted == built(model, (3, side, side))


def test_a_shape_is_counted_once():
    """The table of shapes: asking again for an op at a shape seen before builds nothing."""
    shape_cost.cache_clear()
    count_cell_network(zoo.genotype("nasnet_a"))
    first = shape_cost.cache_info()
    count_cell_network(zoo.genotype("nasnet_a"))
    again = shape_cost.cache_info()
    assert again.misses == first.misses and again.hits > first.hits
    assert first.misses < 60  # 20 cells of 10 ops: a few dozen distinct shapes


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"C": 7}, "C must be an even number"),
        ({"layers": 0}, "layers"),
        ({"stem": "mnist"}, "unknown stem"),
        ({"input_shape": (3, 0, 32)}, "input_shape"),
        ({"num_classes": 1}, "2 classes"),
    ],
)
def test_bad_settings_raise_the_networks_own_errors(kwargs, words):
    with pytest.raises(ValueError, match=words):
        count_cell_network(zoo.genotype("darts_v2"), **kwargs)


def test_bad_stage_cells_and_genotypes_raise_the_networks_own_errors():
    cell = zoo.cell_genotype("NASNet-A").normal
    with pytest.raises(ValueError, match="stage_cells"):
        count_cell_network(zoo.genotype("darts_v2"), stage_cells=(cell, cell))
    with pytest.raises(ValueError, match="CellNetwork takes a CellGenotype"):
        count_cell_network((cell, cell))


def test_bad_space_settings_are_refused_as_build_refuses_them():
    space = CellSpace()
    with pytest.raises(ValueError, match="N"):
        count_space_network(space, space.sample(0), N=0)
    with pytest.raises(TypeError, match="N"):
        count_space_network(space, space.sample(0), layers=8)
    with pytest.raises(ValueError, match="CellGenotype"):
        count_space_network(space, "not a genotype")
