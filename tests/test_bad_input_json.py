"""``from_json`` of every space at the edges: nesting, size, types, keys and JSON text itself.

``tests/test_bad_input.py`` damages a valid genotype's JSON in one place.  Here the attacks
are on what surrounds it: lists nested a hundred thousand levels deep (a bare RecursionError in
every space before), strings and lists of millions of elements (megabyte messages, tens of
seconds to refuse), keys repeated in JSON text (the last one silently won), unknown keys next
to ``"space"`` and ``"genotype"`` (silently ignored), objects that JSON cannot hold, and random
JSON of every shape.  The only allowed outcomes: a genotype that ``validate`` accepts, or an
``InvalidArchitecture`` whose message is short.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu.checks import MESSAGE_LIMIT
from nasedu.jsonio import MAX_JSON_DEPTH, MAX_JSON_ITEMS, MAX_JSON_STRING, BadJSON, loads_strict
from nasedu.spaces import InvalidArchitecture, available_spaces, get_space

SPACES = {name: get_space(name) for name in available_spaces()}
SEEDS = st.integers(0, 2**32 - 1)


def refused(space, data: Any, *words: str) -> str:
    with pytest.raises(InvalidArchitecture) as info:
        space.from_json(data)
    message = str(info.value)
    assert 15 < len(message) <= MESSAGE_LIMIT, message
    for word in words:
        assert word in message, f"{word!r} not in: {message}"
    return message


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def places(data: Any, path: tuple = ()):
    """The path of every value in JSON data."""
    yield path
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        yield from places(value, (*path, key))


def put(data: Any, path: tuple, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


HOSTILE = {
    "nested list": lambda: nested(20_000),
    "nested dict": lambda: {"a": nested(MAX_JSON_DEPTH + 5)},
    "long string": lambda: "x" * 1_000_000,
    "long list": lambda: list(range(MAX_JSON_ITEMS + 1)),
    "wide dict": lambda: {str(k): k for k in range(MAX_JSON_ITEMS + 1)},
    "huge integer": lambda: 10**5000,
    "a set": lambda: {1, 2},
    "bytes": lambda: b"conv",
    "an object": lambda: object(),
    "a key that is not a str": lambda: {1: "conv"},
}


@pytest.mark.parametrize("name", sorted(SPACES))
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_values_anywhere_are_refused_briefly(name, kind):
    """Put each hostile value at the envelope, the genotype and a few places inside it."""
    space = SPACES[name]
    envelope = space.to_json(space.sample(0))
    paths = list(places(envelope))
    for path in [paths[0], *paths[1 :: max(1, len(paths) // 6)]]:
        refused(space, put(envelope, path, HOSTILE[kind]()))


@pytest.mark.parametrize("name", sorted(SPACES))
def test_json_text_nested_or_sized_beyond_limits_is_refused(name):
    space = SPACES[name]
    genotype = space.to_json(space.sample(0))["genotype"]
    refused(space, "[" * 100_000 + "]" * 100_000, "not valid JSON")
    refused(space, json.dumps({"space": name, "genotype": nested(500)}), "nested")
    refused(space, json.dumps({"space": name, "genotype": genotype, "x": "y" * 2_000_000}), "limit")
    refused(space, json.dumps({"space": "z" * 5000, "genotype": genotype}), "characters")
    refused(space, "1" * 5000, "not valid JSON")


@pytest.mark.parametrize("name", sorted(SPACES))
@settings(max_examples=20, deadline=None)
@given(seed=SEEDS, data=st.data())
def test_a_repeated_key_in_json_text_is_refused(name, seed, data):
    space = SPACES[name]
    envelope = space.to_json(space.sample(seed))
    text = json.dumps(envelope)
    # repeat one key of one object of the text: insert `"key": value,` after its opening brace
    dicts = [path for path in places(envelope) if isinstance(_at(envelope, path), dict)]
    path = data.draw(st.sampled_from(dicts))
    key = data.draw(st.sampled_from(sorted(_at(envelope, path))))
    doubled = put(envelope, path, {"__marker__": 0, **_at(envelope, path)})
    marker = json.dumps({"__marker__": 0})[1:-1]
    repeat = json.dumps({key: _at(envelope, (*path, key))})[1:-1]
    text = json.dumps(doubled).replace(marker, repeat)
    refused(space, text, "duplicate key", repr(key))


def _at(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


@pytest.mark.parametrize("name", sorted(SPACES))
@settings(max_examples=20, deadline=None)
@given(seed=SEEDS, key=st.text(min_size=1, max_size=8), value=st.integers())
def test_unknown_keys_next_to_the_genotype_are_refused(name, seed, key, value):
    space = SPACES[name]
    envelope = space.to_json(space.sample(seed))
    if key in envelope:
        return
    refused(space, {**envelope, key: value}, "unknown key")
    refused(space, json.dumps({**envelope, key: value}), "unknown key")


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=6),
        st.sampled_from(["conv", "max_pool_3x3", "sep_conv_3x3", "sum", "concat", "m1", "none"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "space",
                    "genotype",
                    "layers",
                    "levels",
                    "normal",
                    "reduction",
                    "op",
                    "inputs",
                    "ops",
                    "combine",
                    "merge",
                    "layer",
                    "x",
                ]
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=30,
)


@pytest.mark.parametrize("name", sorted(SPACES))
@settings(max_examples=60, deadline=None)
@given(value=JSON_VALUES, as_text=st.booleans())
def test_any_json_is_a_genotype_or_a_brief_invalid_architecture(name, value, as_text):
    """The fuzz test: random JSON of every shape, as data and as text."""
    space = SPACES[name]
    for data in (value, {"space": name, "genotype": value}):
        try:
            genotype = space.from_json(json.dumps(data) if as_text else data)
        except InvalidArchitecture as error:
            assert 15 < len(str(error)) <= MESSAGE_LIMIT, str(error)
        else:
            assert space.validate(genotype) is genotype


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_is_json_or_a_brief_bad_json(text):
    try:
        loads_strict(text)
    except BadJSON as error:
        assert 10 < len(str(error)) <= MESSAGE_LIMIT


def test_limits_leave_room_for_large_genotypes():
    """The largest spaces' genotypes are far inside the limits (the limits hurt nobody)."""
    for space in (
        get_space("cell", num_blocks=50),
        get_space("chain", max_layers=500, min_layers=500),
        get_space("hierarchical", motifs=(6, 1), nodes=(8, 8)),
    ):
        genotype = space.sample(0)
        assert space.from_json(json.dumps(space.to_json(genotype))) == genotype
    assert MAX_JSON_STRING >= 100


@pytest.mark.parametrize("name", sorted(SPACES))
def test_messages_about_genotypes_and_build_arguments_are_capped(name):
    """validate() of an op named by a megabyte string printed the megabyte; build() with a
    5000-digit num_classes failed inside torch, and with a million-entry input_shape printed
    it whole."""
    from nasedu.spaces import Layer
    from nasedu.spaces.chain import ChainGenotype

    with pytest.raises(InvalidArchitecture) as info:
        SPACES["chain"].validate(ChainGenotype((Layer("x" * 10**6),)))
    message = str(info.value)
    assert len(message) <= MESSAGE_LIMIT and "valid ops are" in message, message
    space = SPACES[name]
    genotype = space.sample(0)
    for options in (
        {"num_classes": 10**5000},
        {"num_classes": -(10**5000)},
        {"num_classes": 10**9},
        {"input_shape": [1] * 10**6},
    ):
        with pytest.raises(InvalidArchitecture) as info:
            space.build(genotype, **options)
        assert 15 < len(str(info.value)) <= 200, str(info.value)


@given(name=st.one_of(st.text(max_size=8), st.integers(), st.none(), st.just(["chain"])))
@settings(max_examples=30, deadline=None)
def test_unknown_space_names_are_key_and_value_errors_without_quotes(name):
    """get_space(["chain"]) raised "unhashable type: 'list'"; str(KeyError) added quotes."""
    if isinstance(name, str) and name in SPACES:
        return
    with pytest.raises(KeyError) as info:
        get_space(name)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("unknown search space ")


@pytest.mark.parametrize("name", sorted(SPACES))
def test_a_misspelt_space_option_is_named_with_the_options_there_are(name):
    """get_space("chain", max_layer=3) raised Python's "got an unexpected keyword argument"."""
    with pytest.raises(ValueError, match=r"has no option 'max_layer'; its options are \w+"):
        get_space(name, max_layer=3)
