"""Cluttered digits (after the cluttered MNIST of Jaderberg et al. 2015, "Spatial Transformer
Networks", Sec. 4.1): deterministic, balanced, split by source image, and strict about settings."""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nasedu.data import LOADERS, load
from nasedu.data.cluttered import (
    cluttered_images,
    load_cluttered_digits,
    resample_digits,
)

matplotlib.use("Agg")

#: sha256 of the 0-255 images and labels of all three splits for the default settings, seed 0.
#: The generator is integer arithmetic on numpy's frozen RandomState streams, so this must hold
#: on every machine; if it changes, every recorded benchmark number is about different data.
PINNED_RAW_SHA256 = "421d275a2255ca526af1411d1581c7bea58aa06f05cf5de2fa3b1114441ebcf0"

SMALL = {"train": 200, "val": 50, "test": 50}


@pytest.fixture(scope="module")
def default():
    return load_cluttered_digits()


def test_registered_and_cached_through_load():
    assert LOADERS["cluttered-digits"] == "nasedu.data.cluttered:load_cluttered_digits"
    a = load("cluttered-digits", **SMALL)
    assert load("cluttered-digits", **SMALL) is a
    assert load("cluttered-digits", seed=1, **SMALL) is not a
    assert a.name == "cluttered-digits"


def test_pinned_checksum(default):
    assert default.info["raw_sha256"] == PINNED_RAW_SHA256


def test_same_seed_same_tensors_other_seed_other_tensors(default):
    again = load_cluttered_digits()
    for name in ("train", "val", "test"):
        assert torch.equal(getattr(default, name).x, getattr(again, name).x)
        assert torch.equal(getattr(default, name).y, getattr(again, name).y)
    other = load_cluttered_digits(seed=1)
    assert not torch.equal(default.train.x, other.train.x)
    assert other.info["raw_sha256"] != default.info["raw_sha256"]


def test_tensor_bytes_follow_from_the_raw_images(default):
    """The float tensors are the pinned integer images, standardised with train statistics."""
    raw = default.train.x * default.info["std"] + default.info["mean"]
    levels = raw * 255
    assert torch.allclose(levels, levels.round(), atol=1e-3)
    assert levels.min() >= -1e-3 and levels.max() <= 255 + 1e-3


def test_shapes_dtypes_and_normalisation(default):
    assert default.input_shape == (1, 16, 16)
    assert default.num_classes == 10 and default.classes == tuple("0123456789")
    assert (len(default.train), len(default.val), len(default.test)) == (2000, 500, 500)
    for split in (default.train, default.val, default.test):
        assert split.x.dtype == torch.float32 and split.y.dtype == torch.int64
        assert split.x.is_contiguous()
    assert abs(default.train.x.mean().item()) < 1e-4
    assert abs(default.train.x.std().item() - 1) < 1e-3


def test_labels_balanced(default):
    for split in (default.train, default.val, default.test):
        counts = torch.bincount(split.y, minlength=10)
        assert counts.max() - counts.min() <= 1


def test_splits_never_share_a_source_image(default):
    pools = default.info["source_pools"]
    for a, b in itertools.combinations(("train", "val", "test"), 2):
        assert not set(pools[a].tolist()) & set(pools[b].tolist())
    assert sum(len(p) for p in pools.values()) == 1797
    assert (len(pools["val"]), len(pools["test"])) == pytest.approx((300, 300), abs=10)
    from sklearn.datasets import load_digits

    target = load_digits().target
    for name in ("train", "val", "test"):
        sources = default.info["sources"][name]
        assert set(sources.tolist()) <= set(pools[name].tolist())
        # every canvas shows a digit of its own label
        assert np.array_equal(target[sources], getattr(default, name).y.numpy())


def test_clutter_comes_only_from_the_given_sources():
    """A split's clutter fragments are cut from that split's digits, never from another's."""
    digits = np.full((6, 8, 8), 7, dtype=np.uint8)
    labels = np.arange(6) % 3
    images, y, sources = cluttered_images(
        digits, labels, 30, size=16, clutter=5, fragment=4, noise=0.0, translation=None,
        rng=np.random.RandomState(0),
    )  # fmt: skip
    assert set(np.unique(images).tolist()) == {0, 7}
    assert np.array_equal(labels[sources], y)
    assert np.bincount(y).tolist() == [10, 10, 10]


def test_centred_digit_without_clutter_or_noise_is_the_resampled_digit():
    data = load_cluttered_digits(
        size=12, clutter=0, noise=0.0, translation=0, digit_size=8, **SMALL
    )
    from sklearn.datasets import load_digits

    images = load_digits().images
    raw = (data.train.x * data.info["std"] + data.info["mean"]) * 255
    canvas = raw.round().to(torch.int64)[:, 0].numpy()
    expected = resample_digits(images[data.info["sources"]["train"]], 8)
    assert np.array_equal(canvas[:, 2:10, 2:10], expected)
    assert canvas[:, :2].sum() == 0 and canvas[:, 10:].sum() == 0


def test_resampling_is_exact_at_native_size_and_keeps_the_range():
    images = np.random.RandomState(0).randint(0, 17, size=(5, 8, 8))
    assert np.array_equal(resample_digits(images, 8), (images * 255 + 8) // 16)
    larger = resample_digits(images, 13)
    assert larger.shape == (5, 13, 13) and larger.dtype == np.uint8
    flat = resample_digits(np.full((1, 8, 8), 16), 11)
    assert (flat == 255).all()


@settings(max_examples=15, deadline=None)
@given(
    digit_size=st.integers(4, 12),
    extra=st.integers(0, 8),
    clutter=st.integers(0, 6),
    noise=st.floats(0, 1),
    seed=st.integers(0, 2**31 - 1),
)
def test_any_valid_setting_gives_well_formed_data(digit_size, extra, clutter, noise, seed):
    size = digit_size + extra
    data = load_cluttered_digits(
        size=size, clutter=clutter, noise=noise, seed=seed, digit_size=digit_size,
        fragment=min(4, digit_size), train=30, val=10, test=10,
    )  # fmt: skip
    assert data.input_shape == (1, size, size)
    assert torch.isfinite(data.train.x).all()
    assert len(data.train) == 30 and len(data.val) == 10
    assert torch.bincount(data.val.y, minlength=10).tolist() == [1] * 10


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"size": 6}, "smaller than the digit"),
        ({"size": 10, "digit_size": 12}, "smaller than the digit"),
        ({"clutter": -1}, "clutter"),
        ({"noise": -0.1}, "noise"),
        ({"noise": 1.5}, "noise"),
        ({"translation": 5}, "translation must be between 0 and 4"),
        ({"translation": -1}, "translation"),
        ({"fragment": 9}, "fragment"),
        ({"fragment": 0}, "fragment"),
        ({"digit_size": 1, "size": 4}, "digit_size"),
        ({"train": 0}, "train must be at least 1"),
        ({"size": 16.5}, "size must be an integer"),
        ({"clutter": True}, "clutter must be an integer"),
    ],
)
def test_bad_parameters_refused_with_a_clear_message(options, message):
    with pytest.raises(ValueError, match=message):
        load_cluttered_digits(**options)


def test_show_images_draws_labelled_grid(default):
    from nasedu.viz.data import show_images

    fig = show_images(default, n=10, columns=5)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titled == [str(int(k)) for k in default.train.y[:10]]
    wrong = (default.val.y[:4] + 1) % 10
    fig = show_images(default.val, n=4, predictions=wrong)
    assert fig.axes[0].get_title() == f"{int(default.val.y[0])} -> {int(wrong[0])}"
    with pytest.raises(ValueError, match="split"):
        show_images(default, split="validation")


def test_a_setting_is_previewed_with_show_images():
    """The data package draws nothing itself (viz imports data, never the reverse): a setting
    is previewed by loading it and handing it to ``nasedu.viz.show_images``."""
    from nasedu.viz import show_images

    fig = show_images(load("cluttered-digits", clutter=3, **SMALL), n=6)
    assert len([ax for ax in fig.axes if ax.get_title()]) == 6
    assert "cluttered-digits" in fig._suptitle.get_text()


def test_defaults_are_the_measured_ones():
    """The recorded benchmark measured these very defaults, and it shows what they were chosen
    for: random chains spread on cluttered digits, bunch up on plain digits."""
    import inspect
    import json
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "results" / "measure_cluttered-cpu2.json"
    record = json.loads(path.read_text())
    defaults = {
        name: p.default
        for name, p in inspect.signature(load_cluttered_digits).parameters.items()
        if name != "seed"
    }
    assert record["loader_defaults"] == defaults
    chosen = record["settings"][f"clutter{defaults['clutter']}"]
    assert chosen["options"]["noise"] == defaults["noise"]
    assert chosen["summary"]["best_minus_median"] > 0.2
    assert record["settings"]["plain"]["summary"]["best_minus_median"] < 0.05
