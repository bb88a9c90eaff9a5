"""Bad options to ``nasedu.data.load`` and its loaders, and hostile CIFAR-10 batch files.

Every option is checked before any data are made: ``seed=True`` is not the seed 1, ``val=-5``
is not "all but five", an absurd size is refused instead of allocating petabytes, a misspelt
option is named.  A CIFAR-10 batch is a pickle, and unpickling a file from the internet can
run any code: the loader's restricted unpickler builds numpy arrays and nothing else, and a
corrupt, truncated or hostile file gets a short ValueError naming the file.
"""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
from helpers import refused
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu import data
from nasedu.checks import MESSAGE_LIMIT, UnknownName
from nasedu.data.cifar import load_cifar10

NOT_INTEGERS = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.just(np.float64(1.0)),
)
HUGE = st.sampled_from([10**12, 10**30, 10**5000, -(10**5000), 2**64])


#: (data set, option) -> strategy of values ``load`` must refuse
BAD_OPTIONS = {
    ("digits", "seed"): st.one_of(NOT_INTEGERS, st.integers(max_value=-1), HUGE),
    ("digits", "val"): st.one_of(NOT_INTEGERS, st.integers(max_value=-1), HUGE),
    ("digits", "test"): st.one_of(NOT_INTEGERS, st.integers(max_value=-1), HUGE),
    ("cluttered-digits", "seed"): st.one_of(NOT_INTEGERS, st.integers(max_value=-1), HUGE),
    ("cluttered-digits", "train"): st.one_of(NOT_INTEGERS, st.integers(max_value=0), HUGE),
    ("cluttered-digits", "val"): st.one_of(NOT_INTEGERS, st.integers(max_value=0), HUGE),
    ("cluttered-digits", "size"): st.one_of(NOT_INTEGERS, st.integers(max_value=7), HUGE),
    ("cluttered-digits", "clutter"): st.one_of(NOT_INTEGERS, st.integers(max_value=-1), HUGE),
    ("cluttered-digits", "noise"): st.one_of(
        st.none(),
        st.booleans(),
        st.text(max_size=3),
        st.floats(1.0001, 1e300),
        st.floats(max_value=-1e-9),
        st.sampled_from([float("nan"), float("inf")]),
    ),
    ("cluttered-digits", "translation"): st.one_of(
        st.booleans(), st.floats(), st.text(max_size=3), st.integers(max_value=-1), HUGE
    ),
    ("cluttered-digits", "fragment"): st.one_of(NOT_INTEGERS, st.integers(max_value=0), HUGE),
    ("cluttered-digits", "digit_size"): st.one_of(NOT_INTEGERS, st.integers(max_value=1), HUGE),
    ("cifar10", "val"): st.one_of(NOT_INTEGERS, st.integers(max_value=-1)),
    ("cifar10", "seed"): st.one_of(NOT_INTEGERS, st.integers(max_value=-1), HUGE),
    ("cifar10", "download"): st.one_of(st.none(), st.integers(), st.text(max_size=3)),
    ("cifar10", "root"): st.one_of(st.none(), st.integers(), st.just(["data"]), st.just("a\0b")),
}


@settings(max_examples=80, deadline=None)
@given(data_=st.data(), key=st.sampled_from(sorted(BAD_OPTIONS)))
def test_load_refuses_a_bad_option_naming_it(data_, key):
    name, option = key
    value = data_.draw(BAD_OPTIONS[key], label=option)
    refused(lambda: data.load(name, **{option: value}), option)


@settings(max_examples=30, deadline=None)
@given(name=st.one_of(st.text(max_size=12), st.integers(), st.none(), st.just(["digits"])))
def test_load_refuses_unknown_names_and_options(name):
    if isinstance(name, str) and name in data.LOADERS:
        return
    message = refused(lambda: data.load(name))
    if isinstance(name, str):
        assert "available: cifar10, cluttered-digits, digits" in message
    refused(lambda: data.load("digits", **{"sede": 1}), "sede", "seed, val, test")


def test_an_unknown_name_is_a_key_error_and_a_value_error_printed_without_quotes():
    with pytest.raises(UnknownName) as info:
        data.load("imagenet")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    assert str(info.value).startswith("unknown data set 'imagenet'")


def test_huge_sizes_are_refused_without_allocating():
    """train=10**12 cluttered digits would be 256 TB; the limit is named instead."""
    refused(lambda: data.load("cluttered-digits", train=10**12), "train")
    refused(lambda: data.load("cluttered-digits", size=1024, train=200_000), "pixels", "limit")
    refused(lambda: data.load("digits", val=1000, test=1000), "no training data")


def test_shrink_subset_and_batches_take_whole_numbers_only():
    digits = data.load("digits")
    refused(lambda: digits.shrink(train=-5), "train")
    refused(lambda: digits.shrink(val=2.5), "val")
    refused(lambda: digits.train.subset(True), "n")
    refused(lambda: next(digits.train.batches(0)), "batch_size")
    refused(lambda: next(digits.train.batches(8, shuffle="yes")), "shuffle")


def test_a_dataset_of_parts_that_do_not_fit_is_refused():
    d = data.load("digits")
    other = data.Split(d.val.x[:, :, :4, :4].contiguous(), d.val.y)
    refused(lambda: data.Dataset("x", d.train, other, d.test, 10), "different shapes")
    refused(lambda: data.Dataset("x", d.train, d.val, d.test, 1), "num_classes")
    refused(lambda: data.Dataset("x", d.train, d.val, d.test, 10, augment="rotate"), "augment")
    refused(lambda: data.Dataset("x", d.train.x, d.val, d.test, 10), "train")


# -- CIFAR-10 batch files -----------------------------------------------------------------------
def _batch(n: int = 20, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
        b"labels": [int(v) for v in rng.integers(0, 10, size=n)],
    }


@pytest.fixture
def cifar(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(pickle.dumps(_batch(), protocol=2))
    return folder


class _Hostile:
    """A pickle that runs ``os.mkdir(path)`` when it is loaded with plain pickle.load."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_a_hostile_pickle_is_refused_without_running_it(cifar, tmp_path):
    marker = tmp_path / "the-pickle-ran"
    (cifar / "data_batch_2").write_bytes(pickle.dumps({b"data": _Hostile(str(marker))}))
    refused(lambda: load_cifar10(cifar.parent), "data_batch_2", "posix.mkdir")
    assert not marker.exists()


BROKEN_BATCHES = {
    "float pixels": {b"data": np.random.default_rng(0).random((20, 3072)), b"labels": [1] * 20},
    "int64 pixels": {b"data": np.full((20, 3072), 300), b"labels": [1] * 20},
    "wrong shape": {b"data": np.zeros((20, 100), np.uint8), b"labels": [1] * 20},
    "float labels": {b"data": np.zeros((20, 3072), np.uint8), b"labels": [1.5] * 20},
    "bool labels": {b"data": np.zeros((20, 3072), np.uint8), b"labels": [True] * 20},
    "labels 0..10": {b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 10]},
    "too few labels": {b"data": np.zeros((2, 3072), np.uint8), b"labels": [1]},
    "no labels": {b"data": np.zeros((2, 3072), np.uint8)},
    "a list": [1, 2, 3],
    "labels a string": {b"data": np.zeros((2, 3072), np.uint8), b"labels": "12"},
}


@pytest.mark.parametrize("kind", sorted(BROKEN_BATCHES))
def test_a_batch_of_the_wrong_form_names_the_file(cifar, kind):
    (cifar / "test_batch").write_bytes(pickle.dumps(BROKEN_BATCHES[kind]))
    refused(lambda: load_cifar10(cifar.parent), "test_batch")


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(0, 2000), junk=st.binary(max_size=64))
def test_a_truncated_or_garbled_batch_names_the_file(tmp_path_factory, cut, junk):
    folder = tmp_path_factory.mktemp("cifar") / "cifar-10-batches-py"
    folder.mkdir()
    good = pickle.dumps(_batch(), protocol=2)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(good)
    (folder / "data_batch_4").write_bytes(good[:cut] + junk)
    try:
        load_cifar10(folder.parent, val=10)
    except ValueError as error:
        message = str(error)
        assert "data_batch_4" in message and len(message) <= MESSAGE_LIMIT, message


def test_batches_written_by_numpy_with_every_pickle_protocol_still_load(cifar):
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        for name in ("data_batch_1", "test_batch"):
            (cifar / name).write_bytes(pickle.dumps(_batch(seed=protocol), protocol=protocol))
        ds = load_cifar10(cifar.parent, val=10)
        assert len(ds.test) == 20


def test_val_must_leave_training_images(cifar):
    refused(lambda: load_cifar10(cifar.parent, val=100), "val")
    refused(lambda: load_cifar10(cifar.parent, val=True), "val")


def test_a_batch_that_is_a_pipe_or_a_folder_is_refused_without_blocking(cifar):
    """Reading a named pipe would wait for a writer for ever."""
    (cifar / "data_batch_5").unlink()
    os.mkfifo(cifar / "data_batch_5")
    refused(lambda: load_cifar10(cifar.parent), "data_batch_5", "not a regular file")
    (cifar / "data_batch_5").unlink()
    (cifar / "data_batch_5").mkdir()
    refused(lambda: load_cifar10(cifar.parent), "data_batch_5", "not a regular file")


@pytest.mark.parametrize("device", ["gpu", None, 3, "meta", ["cpu"], "cuda:99"])
def test_moving_data_to_a_device_that_does_not_exist_is_refused(device):
    """Dataset.to("gpu") raised torch's RuntimeError, .to("cuda") without a GPU an
    AssertionError ("Torch not compiled with CUDA enabled")."""
    digits = data.load("digits")
    refused(lambda: digits.to(device), "device")
    refused(lambda: digits.val.to(device), "device")
