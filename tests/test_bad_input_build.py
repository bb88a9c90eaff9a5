"""space.build and the networks built directly refuse sizes that would take gigabytes (issue 14):
a short ValueError naming the argument, before torch allocates anything."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu.networks.common import MAX_DEPTH, MAX_WIDTH
from nasedu.spaces import CellSpace, HierarchicalSpace

CELL = CellSpace()
HIERARCHICAL = HierarchicalSpace()
SHAPE = {"input_shape": (3, 32, 32), "num_classes": 10}


@settings(max_examples=30, deadline=None)
@given(C=st.integers(MAX_WIDTH + 1, 10**30))
def test_a_cell_network_wider_than_allowed_is_refused_by_name(C):
    C += C % 2
    with pytest.raises(ValueError, match="C must be at most"):
        CELL.build(CELL.sample(0), C=C, **SHAPE)


@settings(max_examples=30, deadline=None)
@given(cells=st.integers(MAX_DEPTH + 1, 10**30))
def test_too_many_cells_per_stage_are_refused_by_name(cells):
    with pytest.raises(ValueError, match="cells_per_stage must be at most"):
        HIERARCHICAL.build(HIERARCHICAL.sample(0), cells_per_stage=cells, **SHAPE)


@pytest.mark.parametrize(
    ("space", "macro", "words"),
    [
        (CELL, {"C": 1024}, "parameters"),
        (HIERARCHICAL, {"channels": (1024, 1024, 1024)}, "parameters"),
        (HIERARCHICAL, {"channels": (10**7, 16, 16)}, "channels\\[0\\] must be at most"),
        (HIERARCHICAL, {"channels": (16,) * 17}, "1 to 16 stages"),
    ],
)
def test_networks_estimated_too_large_are_refused_before_building(space, macro, words):
    with pytest.raises(ValueError, match=words):
        space.build(space.sample(0), **macro, **SHAPE)


def test_the_course_sizes_still_build():
    assert CELL.build(CELL.sample(0), C=48, **SHAPE) is not None
    assert HIERARCHICAL.build(HIERARCHICAL.sample(0), channels=(64, 128, 256), **SHAPE)


@pytest.mark.parametrize(
    ("space", "macro"),
    [
        (HIERARCHICAL, {"channels": range(1, 10**12)}),  # an endless-looking iterable
        (HIERARCHICAL, {"channels": "x" * 10**6}),
        (HIERARCHICAL, {"channels": ("x" * 10**6,)}),
        (CELL, {"C": "x" * 10**6}),
        (CELL, {"auxiliary": "y" * 10**6}),
        (CELL, {"drop_path": "z" * 10**6}),
    ],
)
def test_huge_or_endless_macro_values_get_short_messages(space, macro):
    with pytest.raises(ValueError) as error:
        space.build(space.sample(0), **macro, **SHAPE)
    assert len(str(error.value)) < 200
