"""nasedu.grader.answers: values leave the sandbox as plain data and are judged as data."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu.grader.answers import AnswerError, decode, difference, encode
from nasedu.spaces import ChainSpace, MultiBranchSpace
from nasedu.spaces.cell import CellSpace
from nasedu.spaces.darts_format import to_darts
from nasedu.spaces.hierarchical import HierarchicalSpace

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_every_plain_value_equals_itself_and_survives_json(value):
    data = json.loads(json.dumps(encode(value)))
    assert difference(encode(value), data) is None
    assert decode(data) == value or (isinstance(value, float) and math.isnan(value))


SPACES = [
    ChainSpace(max_layers=4),
    MultiBranchSpace(max_layers=3),
    CellSpace(num_blocks=3),
    HierarchicalSpace(),
]


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_genotypes_are_rebuilt_outside_the_sandbox_exactly(space, seed):
    genotype = space.sample(seed)
    data = json.loads(json.dumps(encode(genotype)))
    assert decode(data) == genotype
    assert space.arch_hash(space.validate(decode(data))) == space.arch_hash(genotype)


def test_a_darts_genotype_round_trips():
    genotype = to_darts(CellSpace(num_blocks=2, combine=("add",)).sample(1))
    assert decode(encode(genotype)) == genotype


class AlwaysEqual(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


def test_objects_equal_to_everything_are_judged_by_their_data():
    assert difference(encode(12), encode(AlwaysEqual(11))) == "expected 12, got another int"
    assert difference(encode([1, 2]), encode(object())).startswith("expected a list, got")


def test_types_matter_where_the_task_asks_for_them():
    assert "exact integer" in difference(encode(12), encode(12.0))
    assert difference(encode(12.0), encode(12)) is None  # an int answers a float question
    assert difference(encode((12, 4)), encode([12, 4])).startswith("expected a tuple")
    assert difference(encode(True), encode(1)).startswith("expected a bool")
    assert difference(encode(np.int64(5)), encode(5)) is None
    assert difference(encode(0.1 + 0.2), encode(0.3)) is None
    assert difference(encode(float("nan")), encode(float("nan"))) is None


def test_huge_or_deep_answers_are_refused_in_the_sandbox():
    with pytest.raises(AnswerError, match="values"):
        encode(list(range(300_000)))
    deep: list = []
    for _ in range(60):
        deep = [deep]
    with pytest.raises(AnswerError, match="nested"):
        encode(deep)
    with pytest.raises(AnswerError, match="digits"):
        encode(10**400_000)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"t": 3},
        {"t": "int", "v": "12x"},
        {"t": "int", "v": 12},
        {"t": "list", "v": "abc"},
        {"t": "Cell", "f": {"blocks": {"t": "tuple", "v": []}, "evil": {"t": "none"}}},
        {"t": "Layer", "op": {"t": "str", "v": "conv"}, "params": [["x"]]},
        {"t": "os.system", "v": "rm -rf /"},
    ],
)
def test_forged_data_is_refused_as_an_answer_error(data):
    with pytest.raises((AnswerError, ValueError)):
        decode(data)


def test_forged_deep_data_is_refused_outside():
    data: dict = {"t": "none"}
    for _ in range(100):
        data = {"t": "list", "v": [data]}
    assert difference(encode([[[]]]), data) is not None  # a wrong answer, judged without recursion
    with pytest.raises(AnswerError):
        decode(data)
