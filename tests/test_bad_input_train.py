"""Bad arguments to ``fit`` and ``evaluate``: a short ValueError naming the argument, at once.

The rule (issue 14): every argument is checked where it enters.  A bad one raises a ValueError
(or TrainingDiverged) whose message names the argument, shows what was given, says what is
allowed and is short -- raised *before* any training step, never a hang (a NaN time budget used
to loop for ever), a raw torch or Python error, or a silent reinterpretation (``epochs=2.5``,
``batch_size=True``, float labels).

The fuzzers take a valid call and replace one argument by a bad value of its class (numbers
out of range or of the wrong type, NaN and infinities, booleans for numbers, strings, containers,
objects), and check that nothing was trained: the model counts its training-mode forward passes.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from helpers import refused
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nasedu import data
from nasedu.train import TrainingDiverged, evaluate, fit

FUZZ = settings(max_examples=60, deadline=None)


class Counting(nn.Module):
    """A small CNN for 1-channel images that counts its training-mode forward passes."""

    def __init__(self, channels: int = 1, classes: int = 10) -> None:
        super().__init__()
        self.steps = 0
        self.net = nn.Sequential(
            nn.Conv2d(channels, 8, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(8, classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.steps += int(self.training)
        return self.net(x)


@pytest.fixture(scope="module")
def digits() -> data.Dataset:
    return data.load("digits").shrink(train=64, val=32, test=32)


# -- the classes of bad values ----------------------------------------------------------------
NOT_NUMBERS = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(object()),
    st.just(torch.tensor([1.0, 2.0])),
)
NOT_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
BOOLEANS = st.booleans()
NOT_INTEGERS = st.one_of(NOT_NUMBERS, BOOLEANS, NOT_FINITE, st.floats(-10, 10), st.just(2.0))
HUGE = st.sampled_from([10**30, -(10**30), 10**5000, 2**64])
NOT_FLAGS = st.one_of(st.none(), st.integers(-2, 2), st.text(max_size=5), st.just([True]))

#: argument -> strategy of values fit must refuse (None where None is allowed is left out)
BAD_FIT_ARGUMENTS: dict[str, st.SearchStrategy] = {
    "epochs": st.one_of(NOT_INTEGERS.filter(lambda v: v is not None), st.integers(-5, 0), HUGE),
    "seconds": st.one_of(
        NOT_NUMBERS.filter(lambda v: v is not None), NOT_FINITE, BOOLEANS, st.floats(-5, 0), HUGE
    ),
    "batch_size": st.one_of(NOT_INTEGERS, st.integers(-5, 1), HUGE),
    "lr": st.one_of(NOT_NUMBERS, NOT_FINITE, BOOLEANS, st.floats(-5, 0), st.just(1e6)),
    "weight_decay": st.one_of(NOT_NUMBERS, NOT_FINITE, BOOLEANS, st.floats(-5, -1e-9)),
    "label_smoothing": st.one_of(NOT_NUMBERS, NOT_FINITE, BOOLEANS, st.floats(1, 5)),
    "auxiliary_weight": st.one_of(NOT_NUMBERS, NOT_FINITE, BOOLEANS, st.floats(-5, -1e-9)),
    "augment": st.one_of(
        st.text(max_size=8).filter(lambda s: s not in ("none", "translate")),
        st.integers(),
        st.just(["none"]),
    ),
    "test": NOT_FLAGS,
    "progress": NOT_FLAGS,
    "channels_last": st.one_of(st.integers(-2, 2), st.text(max_size=3)),
    "dev": st.one_of(
        st.sampled_from(["gpu", "cuda:99", "meta", "tpu", "cpu:x", "", "x" * 1000]),
        st.integers(-1, 3),
        st.just(["cpu"]),
    ),
    "precision": st.one_of(st.sampled_from(["fp8", "half", "FP32", ""]), st.integers()),
    "seed": st.one_of(NOT_INTEGERS, st.integers(max_value=-1), HUGE),
    "desc": st.one_of(st.integers(), st.none(), st.just("x" * 10_000)),
}


def test_every_argument_of_fit_is_fuzzed():
    """A new argument of fit joins BAD_FIT_ARGUMENTS (or is one of model and data)."""
    import inspect

    arguments = set(inspect.signature(fit).parameters) - {"model", "data"}
    assert arguments == set(BAD_FIT_ARGUMENTS)


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(BAD_FIT_ARGUMENTS)))
def test_fit_refuses_a_bad_argument_before_training(digits, data, name):
    value = data.draw(BAD_FIT_ARGUMENTS[name], label=name)
    model = Counting()
    options: dict[str, Any] = {"epochs": 1, "progress": False, name: value}
    if name == "dev" and value == "cpu":  # pragma: no cover - not drawn, but it is fine
        return
    refused(lambda: fit(model, digits, **options), name)
    assert model.steps == 0


BAD_EVALUATE_ARGUMENTS: dict[str, st.SearchStrategy] = {
    "batch_size": st.one_of(NOT_INTEGERS, st.integers(-5, 0), HUGE),
    "dev": BAD_FIT_ARGUMENTS["dev"],
    "precision": BAD_FIT_ARGUMENTS["precision"],
    "channels_last": BAD_FIT_ARGUMENTS["channels_last"],
}


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(BAD_EVALUATE_ARGUMENTS)))
def test_evaluate_refuses_a_bad_argument(digits, data, name):
    value = data.draw(BAD_EVALUATE_ARGUMENTS[name], label=name)
    refused(lambda: evaluate(Counting(), digits.val, **{name: value}), name)


ANYTHING = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.just(torch.zeros(4, 1, 8, 8)),
    st.just(nn.Linear(2, 2)),
)


@settings(max_examples=30, deadline=None)
@given(model=ANYTHING, thing=ANYTHING)
def test_fit_and_evaluate_refuse_what_is_not_a_model_or_data(digits, model, thing):
    refused(lambda: fit(Counting(), thing, epochs=1, progress=False), "data")
    refused(lambda: evaluate(Counting(), thing), "split")
    if not isinstance(model, nn.Module):
        refused(lambda: fit(model, digits, epochs=1, progress=False), "model")
        refused(lambda: evaluate(model, digits.val), "model")


# -- data and models that do not fit together -------------------------------------------------
def with_train(digits: data.Dataset, x: torch.Tensor, y: torch.Tensor) -> data.Dataset:
    return data.Dataset("edited", data.Split(x, y), digits.val, digits.test, 10)


def test_a_split_where_the_dataset_belongs_is_named(digits):
    message = refused(lambda: fit(Counting(), digits.train, epochs=1), "data")
    assert "fit(model, data)" in message
    refused(lambda: evaluate(Counting(), digits), "split", "data.val")


def test_a_model_for_other_images_is_refused_with_the_reason(digits):
    model = Counting(channels=3)
    message = refused(lambda: fit(model, digits, epochs=1, progress=False), "1x8x8", "3 channel")
    assert "input_shape=data.input_shape" in message and model.steps == 0
    flat = nn.Sequential(nn.Flatten(), nn.Linear(32 * 32, 10))  # built for 32x32 images
    refused(lambda: fit(flat, digits, epochs=1, progress=False), "1x8x8")
    refused(lambda: evaluate(flat, digits.val), "1x8x8")


def test_a_model_for_another_number_of_classes_is_refused(digits):
    refused(lambda: fit(Counting(classes=5), digits, epochs=1, progress=False), "5", "10 classes")
    refused(lambda: evaluate(Counting(classes=5), digits.val), "labels from 0 to 9")


def test_a_model_that_does_not_return_class_scores_is_refused(digits):
    refused(lambda: fit(nn.Conv2d(1, 10, 3), digits, epochs=1, progress=False), "(batch, classes)")


def test_labels_out_of_range_or_not_integers_are_refused(digits):
    x, y = digits.train.x, digits.train.y
    for bad in (y + 5, y - 1):
        edited = with_train(digits, x, bad)
        refused(lambda e=edited: fit(Counting(), e, epochs=1, progress=False), "data.train.y")
    for dtype in (torch.float32, torch.int32, torch.bool):
        refused(lambda d=dtype: data.Split(x, y.to(d)), "labels", "int64")
    refused(lambda: data.Split(x, y[:, None]), "labels")


def test_images_that_are_not_floats_or_of_another_dtype_are_refused(digits):
    x, y = digits.train.x, digits.train.y
    refused(lambda: data.Split((x * 10).to(torch.uint8), y), "floating point")
    double = data.Dataset(
        "double",
        *(data.Split(s.x.double(), s.y) for s in (digits.train, digits.val, digits.test)),
        num_classes=10,
    )
    refused(lambda: fit(Counting(), double, epochs=1, progress=False), "float64", "float32")


def test_nan_in_the_data_is_blamed_on_the_data_not_the_learning_rate(digits):
    x = digits.train.x.clone()
    x[5, 0, 3, 3] = math.nan
    message = refused(
        lambda: fit(Counting(), with_train(digits, x, digits.train.y), epochs=1, progress=False),
        "data.train.x",
        "NaN",
    )
    assert "not the learning rate" in message


def test_data_changed_in_place_after_a_check_is_checked_again(digits):
    x = digits.train.x.clone()
    edited = with_train(digits, x, digits.train.y.clone())
    fit(Counting(), edited, epochs=1, progress=False)  # checked and found clean
    x[0, 0, 0, 0] = math.inf  # the check's memory must not hide this
    refused(lambda: fit(Counting(), edited, epochs=1, progress=False), "NaN or infinite")
    edited.train.y[0] = 11
    x[0, 0, 0, 0] = 0.0
    refused(lambda: fit(Counting(), edited, epochs=1, progress=False), "labels from 0 to 11")


def test_huge_pixel_values_that_overflow_are_named_when_training_diverges(digits):
    huge = with_train(digits, digits.train.x * 1e38, digits.train.y)
    message = refused(
        lambda: fit(Counting(), huge, epochs=1, progress=False),
        "standardise",
        error=TrainingDiverged,
    )
    assert "lr" not in message


def test_nan_weights_are_refused_before_training(digits):
    model = Counting()
    with torch.no_grad():
        model.net[0].weight[0, 0, 0, 0] = math.nan
    refused(lambda: fit(model, digits, epochs=1, progress=False), "NaN")


def test_empty_or_tiny_splits_are_refused(digits):
    for shrunk, name in (
        (digits.shrink(train=0), "data.train"),
        (digits.shrink(train=1), "data.train"),
        (digits.shrink(val=0), "data.val"),
    ):
        refused(lambda s=shrunk: fit(Counting(), s, epochs=1, progress=False), name)
    refused(
        lambda: fit(Counting(), digits.shrink(test=0), epochs=1, test=True, progress=False),
        "data.test",
    )
    refused(lambda: evaluate(Counting(), digits.val.subset(0)), "empty")


def test_a_model_without_parameters_is_refused(digits):
    refused(lambda: fit(nn.Flatten(), digits, epochs=1, progress=False), "no parameters")


def test_the_device_must_exist_here(digits):
    if not torch.cuda.is_available():
        refused(lambda: fit(Counting(), digits, epochs=1, dev="cuda", progress=False), "cuda")
    model = Counting()
    refused(lambda: evaluate(model, digits.val, dev="meta"), "dev")


def test_good_arguments_still_train(digits):
    """The checks refuse nothing that trains: numpy numbers, a torch.device, a str device."""
    import numpy as np

    result = fit(
        Counting(),
        digits,
        epochs=np.int64(1),
        batch_size=np.int64(16),
        lr=np.float32(0.01),
        dev="cpu",
        seed=np.uint32(3),
        progress=False,
        test=True,
    )
    assert result.epochs == 1 and result.test_accuracy is not None
    loss, accuracy = evaluate(Counting(), digits.val, dev=torch.device("cpu"), batch_size=7)
    assert math.isfinite(loss) and 0 <= accuracy <= 1


@pytest.mark.parametrize(
    "function", ["device", "describe_device", "mixed_precision", "channels_last"]
)
@settings(max_examples=15, deadline=None)
@given(value=BAD_FIT_ARGUMENTS["dev"].filter(lambda v: v != "cuda:99"))
def test_the_device_helpers_refuse_unknown_devices(function, value):
    """device("gpu") raised torch's "Expected one of cpu, cuda, ..." RuntimeError."""
    import nasedu.train

    refused(lambda: getattr(nasedu.train, function)(value), "must be None")
