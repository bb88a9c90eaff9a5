"""Adversarial input, found by fuzzing: a bad genotype gets a clear error, never a crash.

The rule of the project: bad input gets a clear error naming what is wrong (which layer, block,
motif or index); it never crashes deep inside torch or networkx, and it never silently changes
the architecture.  These tests check the rule with hypothesis for every space of
``nasedu.spaces.available_spaces()``, for the DARTS genotype format and for benchmark look-ups.

The method: take a valid genotype, write it as JSON data (``space.to_json``), damage the data in
one place (delete a key or an element, put a value of the wrong type there, name an unknown op,
point an input out of range, add an unknown key, lengthen or shorten a list) and read it back.
Exactly two outcomes are allowed:

* ``InvalidArchitecture`` with a message that explains (no Python internals such as "'NoneType'
  object is not subscriptable") and that names the damaged layer, block or motif;
* a genotype that ``validate`` accepts and that is a *faithful* reading of the damaged data:
  written back with ``to_json`` it gives the same JSON text.  A damage that happens to leave a
  valid genotype (another valid op, another valid input) is read as written; nothing is
  dropped, converted or guessed.

Any other exception (AttributeError, IndexError, a TypeError about 'NoneType', an error from
torch) fails the test.  Damaged genotype *objects* (dataclasses built by hand) must likewise be
refused by ``validate``, ``graph``, ``arch_hash``, ``build``, ... before torch or networkx sees
them.  The explicit tests after the fuzzers pin the defects the fuzzers found.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from nasedu.bench import TabularBenchmark, synthetic_benchmark
from nasedu.networks.cell import CellNetwork
from nasedu.spaces import (
    InvalidArchitecture,
    Layer,
    SpaceTooLarge,
    as_rng,
    available_spaces,
    get_space,
)
from nasedu.spaces import darts_format as darts
from nasedu.spaces.cell import Block, Cell, CellGenotype
from nasedu.spaces.chain import ChainGenotype
from nasedu.spaces.motifs import HierarchicalGenotype, Motif
from nasedu.spaces.multibranch import BranchNode, MultiBranchGenotype

#: a small configuration of every space: sampling, hashing and building stay cheap
SMALL: dict[str, dict[str, Any]] = {
    "chain": {"max_layers": 3},
    "multibranch": {"max_layers": 3},
    "cell": {"num_blocks": 2},
    "hierarchical": {"motifs": (2, 1), "nodes": (3, 3)},
    "flat": {"nodes": 4},
}
SPACES = {name: get_space(name, **options) for name, options in SMALL.items()}
SEEDS = st.integers(0, 2**32 - 1)
FUZZ = settings(max_examples=100, deadline=None)

UNKNOWN_OP = "conv_9x9_unknown"
#: wrong values of every JSON type, and right-looking names in the wrong place
BAD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.sampled_from([-(10**30), 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.sampled_from(
        [
            *("none", "conv", "pool", "sum", "add", "concat", "m1", "m3", "skip_connect"),
            *("conv_1x1", UNKNOWN_OP, "0", "1"),
        ]
    ),
    st.lists(st.integers(-1, 3), max_size=3),
    st.just([[0, 1]]),
    st.dictionaries(st.sampled_from(["op", "a", "inputs", "layer", "levels"]), st.integers(0, 3)),
)
#: keys to add to a dict: unknown ones, misspelt ones, and real keys of other places
NEW_KEYS = st.sampled_from(["zzz", "mrege", "combin", "op", "layer", "inputs", "levels", "normal"])

#: words of Python's own error messages, which tell a student nothing about the genotype
PYTHON_INTERNALS = (
    "object is not",
    "has no attribute",
    "unhashable type",
    "index out of range",
    "indices must be",
    "dictionary update sequence",
    "unpack",
    "not supported between",
    "positional argument",
)


def test_every_available_space_is_fuzzed():
    """A new space joins SMALL (and so every fuzzer below) or this test fails."""
    assert sorted(SMALL) == sorted(available_spaces())


def assert_clear(error: Exception, place: str | None = None) -> None:
    """The message explains in the package's words and, given ``place``, names it."""
    message = str(error)
    assert len(message) > 15, message
    assert not any(words in message for words in PYTHON_INTERNALS), message
    if place is not None:
        assert place in message, f"the message does not name {place!r}: {message}"


def as_text(data: Any) -> str:
    """JSON text (True, 1 and 1.0 differ here, unlike with ==)."""
    return json.dumps(data, sort_keys=True)


# -- damaging JSON data ---------------------------------------------------------------------------
def _paths(data: Any, path: tuple = ()):
    """The path (keys and indices) of every value in JSON data, the root first."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*path, i))


def _at(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


@st.composite
def damaged(draw, data: Any) -> tuple[Any, tuple, str]:
    """``(copy of data damaged in one place, path of that place, kind of damage)``."""
    data = copy.deepcopy(data)
    path = draw(st.sampled_from(list(_paths(data))))
    target = _at(data, path)
    kinds = ["replace", "delete"] if path else []
    kinds += ["add key"] if isinstance(target, dict) else []
    kinds += ["append", "truncate"] if isinstance(target, list) else []
    kind = draw(st.sampled_from(kinds))
    if kind == "replace":
        _at(data, path[:-1])[path[-1]] = draw(BAD_VALUES)
    elif kind == "delete":
        del _at(data, path[:-1])[path[-1]]
    elif kind == "add key":
        target[draw(NEW_KEYS)] = draw(BAD_VALUES)
    elif kind == "append":
        repeat = target and draw(st.booleans())
        target.append(copy.deepcopy(target[-1]) if repeat else draw(BAD_VALUES))
    else:
        del target[draw(st.integers(0, max(0, len(target) - 1))) :]
    return data, path, kind


#: how deep in a space's JSON data one layer / block / motif sits, and how messages name it
_PLACES = {
    "chain": (2, lambda path: f"layer {path[1] + 1}"),
    "multibranch": (2, lambda path: f"layer {path[1] + 1}"),
    "cell": (2, lambda path: f"{path[0]} cell, block {path[1] + 1}"),
    "hierarchical": (3, lambda path: f"level {path[1] + 2}, motif m{path[2] + 1}"),
    "flat": (3, lambda path: f"level {path[1] + 2}, motif m{path[2] + 1}"),
}


def place_of(name: str, path: tuple, kind: str) -> str | None:
    """What a message about damage at ``path`` must name: the layer, block or motif that holds
    it.  None for damage to a whole list, or deleting an element (it renumbers the rest)."""
    depth, name_of = _PLACES[name]
    if len(path) > depth or (len(path) == depth and kind != "delete"):
        return name_of(path)
    return None


def normalised(name: str, data: dict) -> dict:
    """What the space documents as the same data: a multibranch layer without "merge" has
    merge None (one input)."""
    data = copy.deepcopy(data)
    if name == "multibranch" and isinstance(data.get("genotype"), dict):
        for layer in data["genotype"].get("layers", []):
            if isinstance(layer, dict):
                layer.setdefault("merge", None)
    return data


def read(space, envelope: dict | str, place: str | None) -> Any:
    """``space.from_json(envelope)``: refused clearly, or a faithful reading (returned)."""
    try:
        genotype = space.from_json(envelope)
    except InvalidArchitecture as error:
        assert_clear(error, place)
        event("refused")  # hypothesis --hypothesis-show-statistics counts the outcomes
        return error
    event("read faithfully")
    assert space.validate(genotype) is genotype
    given = json.loads(envelope) if isinstance(envelope, str) else envelope
    back = as_text(normalised(space.name, space.to_json(genotype)))
    assert back == as_text(normalised(space.name, given)), "the data was read unfaithfully"
    return genotype


@pytest.mark.parametrize("name", SMALL)
@FUZZ
@given(seed=SEEDS, data=st.data())
def test_damaged_json_is_refused_clearly_or_read_faithfully(name, seed, data):
    """The central property (see the module docstring), for dicts and for JSON text."""
    space = SPACES[name]
    genotype_data = space.to_json(space.sample(seed))["genotype"]
    bad, path, kind = data.draw(damaged(genotype_data), label="damage")
    envelope = {"space": space.name, "genotype": bad}
    outcome = read(space, envelope, place_of(name, path, kind))
    # the same JSON as text reads the same way (same genotype, or the same message)
    again = read(space, json.dumps(envelope), place_of(name, path, kind))
    assert type(again) is type(outcome) and (
        str(again) == str(outcome) if isinstance(outcome, Exception) else again == outcome
    )


@pytest.mark.parametrize("name", SMALL)
@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, value=BAD_VALUES)
def test_the_json_envelope_names_the_space(name, seed, value):
    """A genotype of another space (or no dict at all) is refused; a missing "space" is fine."""
    space = SPACES[name]
    envelope = space.to_json(space.sample(seed))
    with pytest.raises(InvalidArchitecture, match=f"not {name!r}"):
        space.from_json({**envelope, "space": value if value != name else None})
    with pytest.raises(InvalidArchitecture, match="expected a dict with keys 'space' and"):
        space.from_json(value if not isinstance(value, str) else [value])
    assert space.from_json({"genotype": envelope["genotype"]}) == space.from_json(envelope)


# -- damaging genotype objects --------------------------------------------------------------------
def _parts(obj: Any) -> list[tuple[Any, Any]]:
    """The (key, value) parts of a genotype object that a damage can replace."""
    if isinstance(obj, Layer):
        return [("op", obj.op), *obj.params]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    if isinstance(obj, tuple):
        return list(enumerate(obj))
    return []


def _rebuilt(obj: Any, key: Any, value: Any) -> Any:
    """``obj`` with part ``key`` replaced, made with the public constructors."""
    if isinstance(obj, Layer):
        if key == "op":
            return Layer(value, **dict(obj.params))
        return Layer(obj.op, **{**dict(obj.params), key: value})
    if dataclasses.is_dataclass(obj):
        return dataclasses.replace(obj, **{key: value})
    items = list(obj)
    items[key] = value
    return tuple(items)


def _damage(obj: Any, path: list, change) -> Any:
    if not path:
        return change(obj)
    key = path[0]
    return _rebuilt(obj, key, _damage(dict(_parts(obj))[key], path[1:], change))


#: objects of the wrong kind: numbers, numpy numbers, and parts of other spaces' genotypes
BAD_OBJECTS = st.one_of(
    BAD_VALUES,
    st.sampled_from(
        [
            np.int64(-1),
            np.int64(1),
            np.int64(99),
            Layer("conv", filters=7, kernel=3, stride=1),
            BranchNode(Layer("conv", filters=16, kernel=3, stride=1), (0,)),
            Block((0, 1), ("conv_1x1", "skip_connect")),
            Motif.chain(3, "skip_connect"),
            (0, 1, 2),
            ("conv_1x1",),
            (),
        ]
    ),
)


@st.composite
def object_damage(draw, genotype: Any) -> tuple[list, Any]:
    """A path into ``genotype`` and a change to make there (replace, drop, repeat, append)."""
    path, obj = [], genotype
    while _parts(obj) and draw(st.integers(0, 4)) > 0:
        key, obj = draw(st.sampled_from(_parts(obj)))
        path.append(key)
    kinds = ["replace"] + (["drop", "repeat", "append"] if isinstance(obj, tuple) and obj else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "drop":
        i = draw(st.integers(0, len(obj) - 1))
        return path, lambda t: t[:i] + t[i + 1 :]
    if kind == "repeat":
        return path, lambda t: (*t, t[-1])
    value = draw(BAD_OBJECTS)
    return path, (lambda t: (*t, value)) if kind == "append" else (lambda _: value)


@pytest.mark.parametrize("name", SMALL)
@FUZZ
@given(seed=SEEDS, data=st.data())
def test_damaged_genotype_objects_never_reach_torch_or_networkx(name, seed, data):
    """A genotype built by hand with a bad part is refused by every method, with validate's
    message, before any graph or module is made; one that is still valid works everywhere."""
    space = SPACES[name]
    genotype = space.sample(seed)
    path, change = data.draw(object_damage(genotype), label="damage")
    try:
        bad = _damage(genotype, path, change)
    except InvalidArchitecture as error:  # refused by a constructor: fine, if it says why
        assert_clear(error)
        return
    except TypeError as error:  # Layer(...) refuses values that are neither ints nor strings
        assert "must be ints or strings" in str(error)
        return
    assert isinstance(repr(bad), str)  # messages print genotypes: repr never crashes
    try:
        space.validate(bad)
    except InvalidArchitecture as error:
        event("refused by validate")
        assert_clear(error)
        for method in (space.graph, space.arch_hash, space.build, space.to_json, space.mutate):
            with pytest.raises(InvalidArchitecture) as caught:
                method(bad)
            assert str(caught.value) == str(error)
    else:  # still a member (e.g. another valid input): read and written like any other
        event("still valid")
        assert space.from_json(json.loads(json.dumps(space.to_json(bad)))) == bad
        assert space.arch_hash(bad) == space.arch_hash(space.from_json(space.to_json(bad)))


SIZES = st.one_of(st.integers(-1, 9), st.floats(0, 9), st.booleans(), st.text(max_size=1))


def _good_build_arguments(input_shape: Any, num_classes: Any) -> bool:
    def integer(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    shape_ok = isinstance(input_shape, (tuple, list)) and len(input_shape) == 3
    shape_ok = shape_ok and all(integer(s) and s >= 1 for s in input_shape)
    return shape_ok and integer(num_classes) and num_classes >= 2


@pytest.mark.parametrize("name", SMALL)
@settings(max_examples=25, deadline=None)
@given(
    seed=SEEDS,
    input_shape=st.one_of(
        st.tuples(*[st.integers(1, 9)] * 3),  # good
        st.one_of(st.tuples(SIZES, SIZES, SIZES), st.lists(SIZES, max_size=4), BAD_VALUES),
    ),
    num_classes=st.one_of(st.integers(2, 12), st.one_of(st.integers(-2, 1), BAD_VALUES)),
)
def test_bad_build_arguments_are_refused_before_torch(name, seed, input_shape, num_classes):
    """cell, hierarchical and flat built with num_classes=-3 crashed inside torch ("Trying to
    create tensor with negative dimension"), with input_shape=None raised "'NoneType' object
    is not iterable", and every space read input_shape (1.5, 8, 8) as (1, 8, 8)."""
    space = SPACES[name]
    try:
        model = space.build(space.sample(seed), input_shape=input_shape, num_classes=num_classes)
    except InvalidArchitecture as error:
        assert_clear(error)
        # good arguments may still be refused: an image too small for the layers' strides
        assert not _good_build_arguments(input_shape, num_classes) or "collapse" in str(error)
    else:
        event("built")
        assert _good_build_arguments(input_shape, num_classes)
        assert sum(p.numel() for p in model.parameters()) > 0


def _integer(value: Any, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


#: macro arguments of build, and which values are good
MACRO = {
    "cell": {
        "C": lambda v: _integer(v, 2) and v % 2 == 0,
        "N": lambda v: _integer(v, 1),
        "stem_multiplier": lambda v: _integer(v, 1),
        "drop_path": lambda v: isinstance(v, (int, float)) and 0 <= v < 1,
    },
    "hierarchical": {
        # None: the default widths for the image size
        "channels": lambda v: (
            v is None or (isinstance(v, list) and len(v) > 0 and all(_integer(c, 1) for c in v))
        ),
        "cells_per_stage": lambda v: _integer(v, 1),
    },
}
MACRO["flat"] = MACRO["hierarchical"]
MACRO_VALUES = st.one_of(
    st.integers(-2, 4),
    st.floats(-1, 4),
    st.sampled_from([None, True, "2", {"a": 1}]),
    st.lists(st.one_of(st.integers(-1, 4), st.floats(0, 4)), max_size=3),
)


@pytest.mark.parametrize("name", sorted(MACRO))
@settings(max_examples=40, deadline=None)
@given(data=st.data(), value=MACRO_VALUES)
def test_bad_macro_arguments_are_refused_before_torch(name, data, value):
    """CellNetwork with stem_multiplier=0 or -1 and HierarchicalNetwork with channels (-1, ...)
    crashed inside torch; C=None or 8.0, drop_path=None and cells_per_stage=None raised Python's
    TypeErrors; channels (1.5, 8, 16) was read as (1, 8, 16)."""
    space = SPACES[name]
    argument = data.draw(st.sampled_from(sorted(MACRO[name])), label="argument")
    try:
        model = space.build(space.sample(0), **{argument: value})
    except ValueError as error:  # InvalidArchitecture is a ValueError too
        assert_clear(error, argument)
        assert not MACRO[name][argument](value)
    else:
        event("built")
        assert MACRO[name][argument](value)
        assert sum(p.numel() for p in model.parameters()) > 0


#: the options of every space, and the words a message about each must contain
OPTIONS = {
    "chain": {"max_layers": "max_layers", "min_layers": "min_layers", "layer_types": "layer type"},
    "multibranch": {"max_layers": "max_layers", "merges": "merges", "layer_types": "layer type"},
    "cell": {"num_blocks": "num_blocks", "ops": "ops", "combine": "combine"},
    "hierarchical": {
        "primitives": "primitives",
        "motifs": "motifs",
        "nodes": "nodes",
        "motif_conv": "motif_conv",
    },
    "flat": {"nodes": "nodes", "primitives": "primitives"},
}
OPTION_VALUES = st.one_of(
    st.integers(-2, 6),
    st.sampled_from([10**30, 1.5, 3.0, None, True, "3", "sum", "conv_1x1", "ab"]),
    st.lists(st.integers(-1, 6), max_size=3),
    st.lists(
        st.sampled_from(["sum", "concat", "add", "conv_1x1", "skip_connect", "x"]), max_size=3
    ),
    st.sampled_from(
        [{}, {"a": 1}, {"conv": [1]}, {"pool": {"kind": ("max",), "kernel": (3,), "stride": (1,)}}]
    ),
)


@pytest.mark.parametrize("name", SMALL)
@settings(max_examples=40, deadline=None)
@given(data=st.data(), value=OPTION_VALUES)
def test_bad_space_options_are_refused_naming_the_option(name, data, value):
    """get_space("chain", max_layers=None) raised "'<=' not supported between 'int' and
    'NoneType'", layer_types=[1] an AttributeError, merges=None "'NoneType' object is not
    iterable"; max_layers=10**30 never returned, CellSpace(num_blocks=10**30) sampled for ever;
    num_blocks=1.5 or "3" was read as 1 or 3, and motif_conv="no" as True."""
    option = data.draw(st.sampled_from(sorted(OPTIONS[name])), label="option")
    try:
        space = get_space(name, **{**SMALL[name], option: value})
    except ValueError as error:
        assert_clear(error, OPTIONS[name][option])
        return
    event("a working space")
    genotype = space.sample(0)
    assert space.validate(genotype) is genotype
    assert space.size() >= 1


@pytest.mark.parametrize("name", ["chain", "multibranch", "cell"])
@settings(max_examples=40, deadline=None)
@given(index=st.one_of(st.integers(-5, 10**6), st.just(10**30), BAD_VALUES))
def test_decode_takes_integer_indices_only(name, index):
    """decode(1.5) raised "tuple indices must be integers or slices, not float", decode("3")
    "'<=' not supported", and decode(True) silently returned genotype number 1."""
    space = SPACES[name]
    try:
        genotype = space.decode(index)
    except TypeError as error:
        assert_clear(error, "genotype index must be an integer")
        assert isinstance(index, bool) or not isinstance(index, int)
    except IndexError as error:
        assert_clear(error, f"genotype index {index} out of range [0, {space.size()})")
    else:
        assert type(index) is int and 0 <= index < space.size()
        assert space.validate(genotype) is genotype


def test_motif_edges_and_block_numbers_are_checked_not_wrapped():
    """Motif.with_edge(-1, 2, op) silently set entry (2, 2) (Python's -1 is the last node) and
    from_edges({(-3, 2): op}) made the edge 0 -> 2; CellSpace.sample_block(0) drew a block that
    does not exist and block_size(1.5) returned 2112.5 encodings."""
    motif = Motif.chain(3, "skip_connect")
    with pytest.raises(InvalidArchitecture, match=r"edge \(-1, 2\) is not in a 3-node motif"):
        motif.with_edge(-1, 2, "conv_1x1_bn_relu")
    with pytest.raises(InvalidArchitecture, match=r"edge \(0, 3\) is not in a 3-node motif"):
        motif.with_edge(0, 3, "conv_1x1_bn_relu")
    with pytest.raises(InvalidArchitecture, match=r"edge \(-3, 2\) is not in a 3-node motif"):
        Motif.from_edges(3, {(-3, 2): "skip_connect"})
    with pytest.raises(InvalidArchitecture, match=r"nodes are integers, got 0\.5"):
        motif.with_edge(0.5, 1, "skip_connect")
    with pytest.raises(ValueError, match=r"block 0 does not exist: blocks are numbered 1\.\.2"):
        CELL.sample_block(0, 0)
    with pytest.raises(ValueError, match=r"block must be a block number 1\.\.2, got 1.5"):
        CELL.block_size(1.5)
    with pytest.raises(TypeError, match="layer index must be an integer, got bool True"):
        CHAIN.choices.decode(True)


# -- the DARTS format -----------------------------------------------------------------------------
#: cells that only add have a DARTS form
DARTS_SPACE = get_space("cell", num_blocks=3, combine=("add",))


def darts_place(path: tuple, kind: str) -> str | None:
    """DARTS names the concatenated nodes itself, so a damaged pair can leave another block of
    the same cell unused: the message names the cell (or the concat list)."""
    if len(path) >= 2 and not (len(path) == 2 and kind == "delete"):
        return path[0] if path[0].endswith("_concat") else f"{path[0]} cell"
    return None


@FUZZ
@given(seed=SEEDS, data=st.data())
def test_damaged_darts_data_is_refused_clearly_or_read_faithfully(seed, data):
    """The central property for darts_from_data (the DARTS genotype as JSON data)."""
    good = darts.darts_to_data(darts.to_darts(DARTS_SPACE.sample(seed)))
    bad, path, kind = data.draw(damaged(good), label="damage")
    try:
        genotype = darts.darts_from_data(bad)
    except InvalidArchitecture as error:
        assert_clear(error, darts_place(path, kind))
        return
    assert darts.validate_darts(genotype) == genotype
    assert as_text(darts.darts_to_data(genotype)) == as_text(bad)


SNIPPETS = st.sampled_from(
    [
        *"()[]{},'=*0123456789 ",
        *("range(2, 5)", "range(9)", "None", "**{}", "*[]", "normal=[]", "reduce_concat=[2], "),
        *(
            f"'{UNKNOWN_OP}'",
            "10**30",
            "-1",
            "1e999",
            "1.5",
            "True",
            "Genotype(",
            "x.",
            "lambda: 0",
        ),
    ]
)


@FUZZ
@given(seed=SEEDS, data=st.data())
def test_damaged_darts_text_is_refused_clearly_or_read_as_python_reads_it(seed, data):
    text = darts.format_darts(darts.to_darts(DARTS_SPACE.sample(seed)))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 12)))
    text = text[:start] + data.draw(st.one_of(SNIPPETS, st.just(""))) + text[end:]
    try:
        genotype = darts.parse_darts(text)
    except InvalidArchitecture as error:
        assert_clear(error)
        return
    # Accepted: then the text is a call holding only literals and range(), and Python reads its
    # arguments the same way (nothing dropped or overridden, e.g. a field given twice).  The
    # name of the callee is not checked by parse_darts, so Python calls DartsGenotype instead.
    tree = ast.parse(text.strip(), mode="eval")
    tree.body.func = ast.Name("DartsGenotype", ast.Load())
    code = compile(ast.fix_missing_locations(tree), "<darts>", "eval")
    python = eval(code, {"__builtins__": {}, "DartsGenotype": darts.DartsGenotype, "range": range})
    assert genotype == darts.validate_darts(python)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_is_a_darts_genotype_or_a_clear_error(text):
    """parse_darts on arbitrary text: InvalidArchitecture, never Python's own errors."""
    try:
        genotype = darts.parse_darts(text)
    except InvalidArchitecture as error:
        assert_clear(error)
    else:
        assert darts.parse_darts(darts.format_darts(genotype)) == genotype


@FUZZ
@given(seed=SEEDS, data=st.data())
def test_darts_conversions_refuse_damaged_objects(seed, data):
    """to_darts, wired_cells and CellNetwork refuse a broken CellGenotype (they belong to no
    CellSpace, so check_cells does CellSpace's checks for any number of blocks and ops)."""
    genotype = DARTS_SPACE.sample(seed)
    path, change = data.draw(object_damage(genotype), label="damage")
    try:
        bad = _damage(genotype, path, change)
    except InvalidArchitecture as error:
        assert_clear(error)
        return
    try:
        darts.check_cells(bad)
    except InvalidArchitecture as error:
        assert_clear(error)
        for convert in (darts.to_darts, darts.wired_cells, CellNetwork):
            with pytest.raises(InvalidArchitecture):
                convert(bad)
    else:  # a cell genotype of some (other) space: converts both ways
        if all(b.combine == "add" for _, cell in bad.cells() for b in cell.blocks):
            assert darts.from_darts(darts.to_darts(bad)) == bad


# -- benchmark look-ups ---------------------------------------------------------------------------
TABLES = {
    "multibranch": {
        "max_layers": 2,
        "layer_types": {"conv": {"filters": [4], "kernel": [1, 3], "stride": [1]}},
    },
    "cell": {"num_blocks": 1, "ops": ["skip_connect", "conv_1x1"], "combine": ["add"]},
}


@pytest.fixture(scope="module", params=sorted(TABLES))
def table(request):
    """A small synthetic table covering its whole space."""
    return synthetic_benchmark(
        "fuzz", {"name": request.param, "options": TABLES[request.param]}, epochs=2
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_query_with_damaged_json_data_is_refused_clearly_or_finds_the_entry(table, data):
    """query reads JSON data exactly as from_json does; ``in`` never raises."""
    record = data.draw(st.sampled_from(list(table)), label="record")
    bad, path, kind = data.draw(damaged(record.genotype), label="damage")
    try:
        found = table.query(bad)
    except InvalidArchitecture as error:
        assert_clear(error, place_of(table.space.name, path, kind))
        assert bad not in table
        return
    # a valid genotype: the table covers its space, so it has the entry (and reads the data
    # as from_json does)
    genotype = table.space.from_json({"space": table.space.name, "genotype": bad})
    assert found.hash == table.space.arch_hash(genotype)
    assert bad in table


# -- the defects these fuzzers found (old behaviour in each docstring) ----------------------------
CHAIN, MULTIBRANCH, CELL = SPACES["chain"], SPACES["multibranch"], SPACES["cell"]
CONV = {"op": "conv", "filters": 16, "kernel": 3, "stride": 1}
BLOCK = {"inputs": [0, 1], "ops": ["conv_1x1", "skip_connect"], "combine": "add"}


def test_graph_validates_before_drawing_the_dag():
    """graph() drew any object: a chain of None, or crashed (IndexError, AttributeError)."""
    cases = [
        (CHAIN, ChainGenotype((None,)), "layer 1: expected a Layer, got NoneType"),
        (
            MULTIBRANCH,
            MultiBranchGenotype((BranchNode(Layer(**CONV), ()),)),
            "layer 1 reads from no tensor",
        ),
        (
            CELL,
            CellGenotype(CELL.sample(0).normal, None),
            "reduction cell: expected a Cell, got NoneType",
        ),
    ]
    for space, genotype, message in cases:
        with pytest.raises(InvalidArchitecture, match=message):
            space.graph(genotype)


@pytest.mark.parametrize(
    ("space", "genotype", "message"),
    [
        (CHAIN, {"layers": [CONV, None]}, "layer 2 must be a dict such as"),
        (CHAIN, {"layers": [{**CONV, "op": None}]}, "layer 1: 'op' must be a layer type name"),
        (CHAIN, {"layers": [{**CONV, "kernel": 3.0}]}, "layer 1: conv.kernel=3.0: hyperpar"),
        (CHAIN, {"layers": "conv"}, "'layers' must be a list of layers, got str 'conv'"),
        (MULTIBRANCH, {"layers": [{"layer": CONV}]}, "layer 1: missing key(s) 'inputs'"),
        (MULTIBRANCH, {"layers": [{"layer": CONV, "inputs": 0}]}, "layer 1: 'inputs' must be"),
        (MULTIBRANCH, {"layers": [{"layer": None, "inputs": [0]}]}, "layer 1 must be a dict"),
        (CELL, {"normal": [BLOCK, None], "reduction": []}, "normal cell, block 2 must be a dict"),
        (CELL, {"normal": [BLOCK, {"inputs": [0, 1], "ops": []}]}, "missing key(s) 'reduction'"),
        (
            CELL,
            {"normal": [BLOCK], "reduction": [{**BLOCK, "ops": None}]},
            "reduction cell, block 1: 'ops' must be a list of two op names, got NoneType",
        ),
    ],
)
def test_malformed_json_names_the_layer_or_block(space, genotype, message):
    """The messages were Python's: "malformed cell genotype data: 'NoneType' object is not
    subscriptable" (which cell? which block?)."""
    with pytest.raises(InvalidArchitecture, match=r"^malformed") as caught:
        space.from_json({"space": space.name, "genotype": genotype})
    assert message in str(caught.value)
    assert_clear(caught.value)


def test_unknown_keys_are_refused_not_ignored():
    """A misspelt key was ignored: {"mrege": "concat"} built a network with another merge."""
    layer2 = {"layer": CONV, "inputs": [0, 1], "merge": "sum"}
    data = {"layers": [{"layer": CONV, "inputs": [0]}, {**layer2, "mrege": "concat"}]}
    with pytest.raises(InvalidArchitecture, match=r"layer 2: unknown key\(s\) 'mrege'"):
        MULTIBRANCH.from_json({"genotype": data})
    block = {**BLOCK, "comb1ne": "concat"}
    with pytest.raises(
        InvalidArchitecture, match=r"normal cell, block 1: unknown key\(s\) 'comb1ne'"
    ):
        CELL.from_json({"genotype": {"normal": [block, BLOCK], "reduction": [BLOCK, BLOCK]}})
    chain = CHAIN.to_json(CHAIN.sample(0))
    with pytest.raises(InvalidArchitecture, match=r"unknown key\(s\) 'note'"):
        CHAIN.from_json({"genotype": {**chain["genotype"], "note": 1}})
    flat = SPACES["flat"]
    data = flat.to_json(flat.sample(0))["genotype"]
    with pytest.raises(InvalidArchitecture, match=r"malformed flat genotype data: .*'extra'"):
        flat.from_json({"genotype": {**data, "extra": []}})


def test_a_dict_is_not_read_as_its_keys_nor_a_list_of_pairs_as_a_dict():
    """{"ops": {"conv_1x1": 0, "skip_connect": 1}} was read as the ops (conv_1x1, skip_connect),
    and a layer written as [["op", "conv"], ...] as the layer conv(...)."""
    ops = {"conv_1x1": 0, "skip_connect": 1}
    data = {"normal": [{**BLOCK, "ops": ops}, BLOCK], "reduction": [BLOCK, BLOCK]}
    with pytest.raises(InvalidArchitecture, match="normal cell, block 1: 'ops' must be a list"):
        CELL.from_json({"genotype": data})
    with pytest.raises(InvalidArchitecture, match="layer 1 must be a dict such as"):
        CHAIN.from_json({"genotype": {"layers": [list(CONV.items())]}})
    with pytest.raises(InvalidArchitecture, match="Block ops must be a pair"):
        Block((0, 1), ops)


def test_query_reads_json_data_as_from_json_does():
    """table.query({"layers": None}) raised TypeError "'NoneType' object is not iterable";
    query(space.to_json(g)) raised KeyError 'layers'."""
    table = synthetic_benchmark("t", {"name": "multibranch", "options": TABLES["multibranch"]})
    record = next(iter(table))
    assert table.query(record.genotype) is record
    assert table.query({"space": "multibranch", "genotype": record.genotype}) is record
    for bad, message in [
        ({"layers": None}, "'layers' must be a list of layers"),
        ({}, r"missing key\(s\) 'layers'"),
        ({"layers": [{"layer": CONV, "inputs": 0}]}, "layer 1: 'inputs' must be a list"),
        ({"space": "cell", "genotype": record.genotype}, "not 'multibranch'"),
    ]:
        with pytest.raises(InvalidArchitecture, match=message):
            table.query(bad)
        assert bad not in table


def test_genotype_constructors_refuse_what_is_not_a_tuple():
    """ChainGenotype(None), Motif((1,)), ... raised "TypeError: 'NoneType' object is not
    iterable"; a Layer with a list as its type crashed validate with "unhashable type"."""
    for make, message in [
        (lambda: ChainGenotype(None), "ChainGenotype layers must be a tuple of Layers"),
        (lambda: MultiBranchGenotype(5), "MultiBranchGenotype nodes must be a tuple"),
        (lambda: BranchNode(Layer(**CONV), None), "BranchNode inputs must be a tuple"),
        (lambda: Cell(None), "Cell blocks must be a tuple of Blocks"),
        (lambda: Motif((1,)), "Motif matrix row 0 must be a tuple of op names, got int 1"),
        (lambda: HierarchicalGenotype((None,)), "level 2 must be a tuple of Motifs"),
        (lambda: Block({0: "a", 1: "b"}, ("conv_1x1",) * 2), "Block inputs must be a pair"),
    ]:
        with pytest.raises(InvalidArchitecture, match=message):
            make()
    unhashable = ChainGenotype((Layer(["conv"], filters=16, kernel=3, stride=1),))
    with pytest.raises(InvalidArchitecture, match="layer 1: the layer type must be a name"):
        CHAIN.validate(unhashable)


def test_broken_genotypes_still_print():
    """repr crashed ("not enough values to unpack", "'NoneType' object is not iterable") on
    the genotypes that error messages print."""
    block = Block((0,), ("conv_1x1",))
    assert repr(block) == "Block(inputs=(0,), ops=('conv_1x1',), combine='add')"
    assert "Block(inputs=(0,)" in repr(CellGenotype(Cell((block,)), Cell(("x",))))
    broken = darts.DartsGenotype(None, [2], [("skip_connect", 0)], [2])
    assert repr(broken).startswith("DartsGenotype(normal=None, normal_concat=[2]")


PAIRS = "[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"Genotype({PAIRS}, [2], {PAIRS}, [2], **{{}})", "got \\*\\*arguments"),
        (f"Genotype({PAIRS}, [2], {PAIRS}, [2], [3])", "got 5 positional arguments"),
        (f"Genotype({PAIRS}, [2], {PAIRS}, [2], normal={PAIRS})", "normal given twice"),
        (
            f"Genotype(normal={PAIRS}, normal_concat=[2], reduce={PAIRS}, reduce_concat=[2], "
            f"reduce={PAIRS})",
            "reduce given twice",
        ),
        (f"Genotype({PAIRS}, [2], {PAIRS}, {{2: 'a'}})", "reduce_concat must be a list of nodes"),
        (f"Genotype({{'sep_conv_3x3': 0, 'x': 1}}, [2], {PAIRS}, [2])", "normal cell: expected"),
    ],
)
def test_parse_darts_refuses_what_python_would_not_read(text, message):
    """**{} crashed with "TypeError: '<' not supported between 'NoneType' and 'str'"; a fifth
    positional argument was dropped and a field given twice silently replaced the first; a
    dict was read as its keys."""
    with pytest.raises(InvalidArchitecture, match=message):
        darts.parse_darts(text)


def test_darts_functions_refuse_wrong_types_clearly():
    """parse_darts(5) raised AttributeError ('int' object has no attribute 'strip'); a pair
    written as a string was split into characters; from_darts(cell_genotype) returned it
    unchecked; to_darts(None) and CellNetwork(broken CellGenotype) raised AttributeError."""
    with pytest.raises(TypeError, match="parse_darts reads the text of a genotype"):
        darts.parse_darts(5)
    data = {"normal": ["sep_conv_3x3", ["skip_connect", 1]], "normal_concat": [2]}
    data |= {"reduce": [["skip_connect", 0]] * 2, "reduce_concat": [2]}
    with pytest.raises(InvalidArchitecture, match=r"first pair: expected \(op, input\), got 'sep"):
        darts.darts_from_data(data)
    with pytest.raises(InvalidArchitecture, match=r"unknown key\(s\) 'extra'"):
        darts.darts_from_data({**data, "extra": 1})
    with pytest.raises(InvalidArchitecture, match="from_darts converts a DartsGenotype"):
        darts.from_darts(CELL.sample(0))
    with pytest.raises(InvalidArchitecture, match="expected a CellGenotype, got NoneType"):
        darts.to_darts(None)
    broken = CellGenotype(Cell((Block((0, 9), ("conv_1x1", "conv_1x1")),)), CELL.sample(0).normal)
    with pytest.raises(InvalidArchitecture, match="normal cell, block 1: the second input is 9"):
        CellNetwork(broken, C=4, layers=2)


def test_a_damaged_table_file_names_the_missing_key_or_the_record():
    """TabularBenchmark.from_dict raised a bare KeyError 'records', or "'NoneType' object is not
    iterable" for a damaged record, without saying which."""
    table = synthetic_benchmark("t", {"name": "multibranch", "options": TABLES["multibranch"]})
    data = table.to_dict()
    with pytest.raises(ValueError, match=r"not a benchmark table: it needs the keys .*records"):
        TabularBenchmark.from_dict({k: v for k, v in data.items() if k != "records"})
    with pytest.raises(ValueError, match="not a benchmark table"):
        TabularBenchmark.from_dict([data])
    broken = copy.deepcopy(data)
    broken["records"][3]["runs"][0]["val_accuracy"] = None
    with pytest.raises(ValueError, match=r"benchmark table 't', record 3: malformed \(TypeError"):
        TabularBenchmark.from_dict(broken)
    assert len(TabularBenchmark.from_dict(data)) == len(table)


def test_seeds_and_limits_are_integers():
    """as_rng(True) seeded with 1, and enumerate(limit="x") raised "'>' not supported"."""
    with pytest.raises(TypeError, match="rng must be an int seed"):
        as_rng(True)
    with pytest.raises(ValueError, match="limit must be an integer, got str 'x'"):
        CHAIN.enumerate(limit="x")
    with pytest.raises(ValueError, match="limit must be an integer"):
        SPACES["hierarchical"].enumerate(limit=1.5)
    with pytest.raises(ValueError, match="limit must be an integer"):
        CELL.enumerate_cells(limit="x")


def test_text_nested_or_long_beyond_pythons_limits_is_refused():
    """from_json of JSON nested 100000 deep raised RecursionError, of a 5000-digit number
    Python's ValueError about its integer-conversion limit; parse_darts of "- - ... 1" raised
    MemoryError."""
    for text in ["[" * 100_000 + "]" * 100_000, "1" * 5000]:
        with pytest.raises(InvalidArchitecture, match="not valid JSON"):
            CHAIN.from_json(text)
    with pytest.raises(InvalidArchitecture, match="not a DARTS genotype: nested too deeply"):
        darts.parse_darts("Genotype(normal=" + "-" * 100_000 + "1)")


def test_huge_spaces_print_and_refuse_to_enumerate():
    """repr and the SpaceTooLarge message wrote sizes digit by digit with str(), which Python
    refuses beyond 4300 digits: CellSpace(num_blocks=500) and HierarchicalSpace(motifs=(20, 1),
    nodes=(30, 3)) could not even be printed ("Exceeds the limit (4300 digits)")."""
    for space in (
        get_space("cell", num_blocks=500),
        get_space("hierarchical", motifs=(20, 1), nodes=(30, 3)),
        get_space("chain", max_layers=2000),
    ):
        assert "e+" in repr(space)
        with pytest.raises(SpaceTooLarge, match=r"has \d\.\d{3}e\+\d+ (valid )?genotypes"):
            space.enumerate()
    assert "e+" not in repr(get_space("chain", max_layers=200, min_layers=200))  # every digit
