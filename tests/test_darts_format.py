"""The DARTS genotype format (``nasedu.spaces.darts_format``): Liu, Simonyan and Yang's
``Genotype(normal, normal_concat, reduce, reduce_concat)`` read, written, validated and converted
to and from the cell space's genotypes.

Hostile input to these functions (fuzzed text and JSON data) is tested in ``test_bad_input.py``;
the published genotypes themselves, and their networks, in ``test_zoo.py``.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu import zoo
from nasedu.ops import NASNET_OPS
from nasedu.spaces import InvalidArchitecture
from nasedu.spaces.cell import Block, Cell, CellGenotype, CellSpace
from nasedu.spaces.darts_format import (
    DartsGenotype,
    darts_from_data,
    darts_to_data,
    format_darts,
    from_darts,
    parse_darts,
    to_darts,
    validate_darts,
    wired_cells,
)

SPACE = CellSpace()
SEEDS = st.integers(0, 2**32 - 1)
SMALL = {"C": 8, "layers": 5}


def test_a_darts_genotype_is_a_plain_named_tuple():
    assert isinstance(DartsGenotype((), (), (), ()), tuple)


@settings(max_examples=25)
@given(seed=SEEDS)
def test_cells_with_a_darts_twin_convert_both_ways(seed):
    genotype = CellSpace(ops=NASNET_OPS, combine=("add",)).sample(seed)
    darts = to_darts(genotype)
    assert validate_darts(darts) == darts
    assert parse_darts(format_darts(darts)) == darts
    assert from_darts(darts, SPACE) == genotype


def test_concat_cells_do_not_fit_darts():
    genotype = CellSpace().sample(1)
    blocks = (Block((0, 1), ("conv_1x1",) * 2, "concat"), *genotype.normal.blocks[1:])
    concat = CellGenotype(Cell(blocks), genotype.reduction)
    with pytest.raises(InvalidArchitecture, match="normal cell, block 1 combines by 'concat'"):
        to_darts(concat)


def test_text_and_json_round_trips():
    for name, genotype in zoo.GENOTYPES.items():
        text = format_darts(genotype)
        assert text.startswith("Genotype(normal=[(")
        assert parse_darts(text) == genotype, name
        assert darts_from_data(json.loads(json.dumps(darts_to_data(genotype)))) == genotype
    logged = (
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
        "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
        "('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), "
        "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
        "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))"
    )
    assert parse_darts(logged) == zoo.DARTS_V2  # as the DARTS search prints it
    positional = (
        "Genotype([('skip_connect', 0), ('conv_3x3', 1)], [2], "
        "[('max_pool_3x3', 1), ('conv_1x1', 0)], [2])"
    )
    assert parse_darts(positional).reduce == (("max_pool_3x3", 1), ("conv_1x1", 0))


def test_parse_never_executes_code():
    with pytest.raises(InvalidArchitecture, match="only literals"):
        parse_darts(
            "Genotype(normal=__import__('os').system('echo hi'), normal_concat=[2], "
            "reduce=[], reduce_concat=[2])"
        )
    with pytest.raises(InvalidArchitecture, match="exactly the fields"):
        parse_darts("Genotype(normal=[('conv_1x1', 0), ('conv_1x1', 1)], normal_concat=[2])")
    with pytest.raises(InvalidArchitecture, match="not a DARTS genotype"):
        parse_darts("Genotype(normal=[")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Genotype(normal=5, normal_concat=[2], reduce=[], reduce_concat=[2])",
            "normal cell: expected a list of (op, input) pairs, got 5",
        ),
        (
            "Genotype(normal=[('conv_1x1', 0), ('conv_1x1', 1)], normal_concat=range(2, 10000000), "
            "reduce=[('conv_1x1', 0), ('conv_1x1', 1)], reduce_concat=[2])",
            "range(2, 10000000) is longer than 100 nodes",
        ),
        (
            "Genotype(normal=[('conv_1x1', 0), ('conv_1x1', 1)], normal_concat='2', "
            "reduce=[('conv_1x1', 0), ('conv_1x1', 1)], reduce_concat=[2])",
            "normal_concat must be a list of nodes, got '2'",
        ),
    ],
)
def test_parse_rejects_malformed_fields(text, message):
    import re

    with pytest.raises(InvalidArchitecture, match=re.escape(message)):
        parse_darts(text)


def test_unhashable_op_is_an_invalid_architecture():
    bad = (["sep_conv_3x3"], 0)
    with pytest.raises(
        InvalidArchitecture, match=r"normal cell, block 1 \(node 2\), first pair: unknown op \["
    ):
        validate_darts(zoo.DARTS_V2._replace(normal=(bad, *zoo.DARTS_V2.normal[1:])))


def test_numpy_integers_are_accepted_like_ints():
    """CellSpace.validate accepts numpy integers (e.g. from np.argmax); so does the DARTS format."""
    import numpy as np

    base = zoo.DARTS_V2
    numpy_genotype = base._replace(
        normal=tuple((op, np.int64(k)) for op, k in base.normal),
        normal_concat=np.arange(2, 6),
    )
    cleaned = validate_darts(numpy_genotype)
    assert cleaned == base
    assert all(type(k) is int for _, k in cleaned.normal)
    assert all(type(k) is int for k in cleaned.normal_concat)


def _darts(normal=None, normal_concat=None, reduce=None, reduce_concat=None) -> DartsGenotype:
    base = zoo.DARTS_V2
    return DartsGenotype(
        normal if normal is not None else base.normal,
        normal_concat if normal_concat is not None else base.normal_concat,
        reduce if reduce is not None else base.reduce,
        reduce_concat if reduce_concat is not None else base.reduce_concat,
    )


@pytest.mark.parametrize(
    ("genotype", "message"),
    [
        (
            _darts(normal_concat=[2, 3, 4, 7]),
            "normal_concat names node 7, which is not a block of the normal cell "
            "(blocks 1..4 are nodes 2..5)",
        ),
        (_darts(reduce_concat=[0, 2, 3, 4, 5]), "reduce_concat names node 0, which is not a block"),
        (_darts(normal_concat=[2, 3, 3, 4, 5]), "normal_concat [2, 3, 3, 4, 5] names a node twice"),
        (_darts(reduce_concat=[]), "reduce_concat is empty"),
        (
            _darts(normal_concat=[2, 3, 4]),
            "normal cell, block 4 (node 5) is neither read by a later block nor in normal_concat",
        ),
        (_darts(normal=zoo.DARTS_V2.normal[:7]), "normal cell: 7 (op, input) pairs"),
        (
            _darts(
                reduce=(*zoo.DARTS_V2.reduce[:5], ("max_pool_3x3", 5), *zoo.DARTS_V2.reduce[6:])
            ),
            "reduce cell, block 3 (node 4), second pair: input 5 is not available",
        ),
        (
            _darts(normal=(("sep_conv_9x9", 0), *zoo.DARTS_V2.normal[1:])),
            "normal cell, block 1 (node 2), first pair: unknown op 'sep_conv_9x9'",
        ),
        (
            _darts(normal=(("sep_conv_3x3", -1), *zoo.DARTS_V2.normal[1:])),
            "normal cell, block 1 (node 2), first pair: input -1",
        ),
    ],
)
def test_bad_darts_genotypes_name_the_block(genotype, message):
    import re

    with pytest.raises(InvalidArchitecture, match=re.escape(message)):
        validate_darts(genotype)
    with pytest.raises(InvalidArchitecture):
        zoo_network_from(genotype)


def zoo_network_from(genotype):
    from nasedu.networks.cell import CellNetwork

    return CellNetwork(genotype, **SMALL)


def test_from_darts_checks_the_space():
    with pytest.raises(
        InvalidArchitecture, match="the normal cell has 5 blocks; this space has B=4"
    ):
        from_darts(zoo.NASNET_A, CellSpace(num_blocks=4))
    normal, reduction = wired_cells(zoo.NASNET_A)
    assert normal.concat == (2, 3, 4, 5, 6) and reduction.concat == (4, 5, 6)
