"""The fuzz test: hostile values thrown at every argument of the public entry points at once.

The other ``test_bad_input_*`` files change one argument at a time and check that the message
names it.  Here any subset of the arguments of ``fit``, ``evaluate``, ``data.load`` and the
``nasedu`` command gets values from one pool of hostile values (every JSON type, NaN and
infinities, numbers too long to print, booleans, numpy scalars, tensors, containers, objects,
megabyte strings), and only two outcomes are allowed: it works, or it raises a clear error --
a ``ValueError`` (``InvalidArchitecture``, ``UnknownName``) or ``TrainingDiverged`` whose
message is one short line in the package's words.  Any other exception (TypeError,
AttributeError, RecursionError, a torch or pickle error) fails the test.  Sized for CI: a few
seconds per entry point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from nasedu import cli, data
from nasedu.checks import MESSAGE_LIMIT
from nasedu.train import TrainingDiverged, evaluate, fit

FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: words of Python's own messages, which a student should never have to decode
PYTHON_INTERNALS = (
    "object is not",
    "has no attribute",
    "unhashable type",
    "index out of range",
    "not supported between",
    "unexpected keyword",
    "takes from",
    "Exceeds the limit",
    "maximum recursion",
)

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([10**30, -(10**30), 10**5000, 2**64, 2**63 - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["cpu", "cuda", "none", "digits", "fp32", "x" * 100_000, "", "\0"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([np.float32(1.5), np.int64(3), np.bool_(True), np.array([1, 2])]),
    st.builds(object),
    st.just(torch.zeros(2)),
)


def allowed(call) -> str | None:
    """Run ``call``: success (None) or a clear error (its message); anything else fails."""
    try:
        call()
    except (ValueError, TrainingDiverged) as error:
        message = str(error)
        assert 10 < len(message) <= MESSAGE_LIMIT and "\n" not in message, message
        assert not any(words in message for words in PYTHON_INTERNALS), message
        return message
    return None


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.LazyLinear(10))
        self.net(torch.zeros(1, 1, 8, 8))  # materialise the lazy layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@pytest.fixture(scope="module")
def digits() -> data.Dataset:
    return data.load("digits").shrink(train=32, val=16, test=16)


FIT_ARGUMENTS = [
    "epochs", "seconds", "batch_size", "lr", "weight_decay", "label_smoothing",
    "auxiliary_weight", "augment", "test", "dev", "precision", "channels_last", "seed", "desc",
]  # fmt: skip


@FUZZ
@given(
    names=st.lists(st.sampled_from(FIT_ARGUMENTS), max_size=4, unique=True),
    data_=st.data(),
    model_is_bad=st.booleans(),
    data_is_bad=st.booleans(),
)
def test_fit_works_or_refuses_clearly(digits, names, data_, model_is_bad, data_is_bad):
    options: dict[str, Any] = {name: data_.draw(HOSTILE, label=name) for name in names}
    options.setdefault("epochs", 1)
    if options["epochs"] is None and options.get("seconds") is None:
        options["epochs"] = 1  # not ten epochs of a default budget in a fuzz loop
    seconds = options.get("seconds")
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 1 < seconds < 1e300:
        options["seconds"] = 1  # a valid budget, but short
    model = data_.draw(HOSTILE, label="model") if model_is_bad else Tiny()
    dataset = data_.draw(HOSTILE, label="data") if data_is_bad else digits
    allowed(lambda: fit(model, dataset, progress=False, **options))


@FUZZ
@given(
    names=st.lists(
        st.sampled_from(["batch_size", "dev", "precision", "channels_last"]),
        max_size=3,
        unique=True,
    ),
    data_=st.data(),
    split_is_bad=st.booleans(),
)
def test_evaluate_works_or_refuses_clearly(digits, names, data_, split_is_bad):
    options = {name: data_.draw(HOSTILE, label=name) for name in names}
    split = data_.draw(HOSTILE, label="split") if split_is_bad else digits.val
    allowed(lambda: evaluate(Tiny(), split, **options))


LOAD_OPTIONS = {
    "digits": ["seed", "val", "test"],
    "cluttered-digits": ["size", "clutter", "noise", "translation", "seed", "train", "val"],
    "cifar10": ["root", "val", "seed", "download"],
}


@FUZZ
@given(
    name=st.one_of(st.sampled_from(sorted(LOAD_OPTIONS)), HOSTILE),
    data_=st.data(),
)
def test_load_works_or_refuses_clearly(tmp_path, name, data_):
    known = LOAD_OPTIONS.get(name, ["seed"]) if isinstance(name, str) else ["seed"]
    # (the name may be any hostile value: an array, a dict, ...)
    names = data_.draw(st.lists(st.sampled_from([*known, "sede"]), max_size=3, unique=True))
    options = {option: data_.draw(HOSTILE, label=option) for option in names}
    if isinstance(name, str) and name == "cifar10":
        options.setdefault("root", tmp_path)  # an empty folder: never the real ./data
        download = options.get("download")
        if isinstance(download, (bool, np.bool_)) and download:
            options["download"] = False  # never fetch 170 MB in a test
    try:
        allowed(lambda: data.load(name, **options))
    except FileNotFoundError as error:  # no CIFAR-10 here: an OSError that says what to do
        assert "download=True" in str(error)


CLI_TOKENS = st.one_of(
    st.sampled_from(
        ["tour", "info", "bench", "spaces", "doctor", "--samples", "--epochs", "--seed",
         "--spaces", "--data", "--out", "--no-progress", "--debug", "chain", "digits", "0",
         "-1", "3", "x", "1.5", "cifar10", "chain,nope"]
    ),
    st.text(alphabet="abc-,0189.", min_size=1, max_size=6),
)  # fmt: skip


@FUZZ
@given(argv=st.lists(CLI_TOKENS, max_size=6))
def test_the_command_works_or_says_one_line(capsys, monkeypatch, tmp_path, argv):
    monkeypatch.chdir(tmp_path)  # --out folders land in a temporary folder
    monkeypatch.setattr(cli, "tour", lambda **kwargs: None)  # argument handling, not training
    argv = [a for a in argv if a != "--debug"]  # --debug re-raises by design
    try:
        code = cli.main(argv)
    except SystemExit as exit_:  # argparse: --help, or its own one-line error
        code = exit_.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    if code not in (0, None):
        lines = out.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("nasedu"), out.err
        assert len(lines[0]) <= 700
