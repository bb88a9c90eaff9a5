"""The argument checks shared by data loading, training and the command line (nasedu/checks.py):
what each accepts, what it returns, and the message it refuses with."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nasedu.checks import (
    MESSAGE_LIMIT,
    SEED_LIMIT,
    UnknownName,
    brief,
    cap,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_seed,
    is_int,
    shown,
)

NOT_INTEGERS = (True, False, np.bool_(True), 1.0, 2.5, "1", None, [1], float("nan"))


def test_is_int_is_an_integer_but_not_a_bool():
    assert all(is_int(v) for v in (0, -3, 10**40, np.int64(2), np.uint8(1), np.int8(-1)))
    assert not any(is_int(v) for v in NOT_INTEGERS)


@given(st.integers())
def test_check_int_returns_a_python_int(value):
    assert check_int(value, "n") == value and type(check_int(value, "n")) is int
    assert type(check_int(np.int64(value % 2**62), "n")) is int


@pytest.mark.parametrize("value", NOT_INTEGERS)
def test_check_int_refuses_what_python_would_read_as_an_integer(value):
    with pytest.raises(ValueError, match=r"^epochs must be an integer >= 1, got "):
        check_int(value, "epochs", least=1)


def test_check_int_names_its_bounds():
    assert check_int(5, "n", least=5, most=5) == 5
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 3\], got int 4"):
        check_int(4, "n", least=1, most=3)
    with pytest.raises(ValueError, match=r"n must be an integer <= 3, got int 4"):
        check_int(4, "n", most=3)


def test_check_real_is_finite_and_within_its_bounds():
    assert check_real(3, "lr") == 3.0 and type(check_real(np.float32(0.5), "lr")) is float
    assert check_real(0, "lr", least=0) == 0.0
    for bad in (math.nan, math.inf, -math.inf, True, "0.1", None, 10**400):
        with pytest.raises(ValueError, match="lr must be a finite number"):
            check_real(bad, "lr")
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got int 0"):
        check_real(0, "lr", above=0)
    with pytest.raises(ValueError, match=r">= 0 and < 1"):
        check_real(1, "p", least=0, below=1)


def test_check_bool_takes_only_true_and_false():
    assert check_bool(np.bool_(True), "flip") is True and check_bool(False, "flip") is False
    for bad in (0, 1, "false", None):
        with pytest.raises(ValueError, match="flip must be True or False"):
            check_bool(bad, "flip")


def test_check_choice_compares_only_values_of_the_same_type():
    assert check_choice("fp32", "precision", ("fp32", "bf16")) == "fp32"
    with pytest.raises(ValueError, match=r"mode must be one of 0, 1; got bool False"):
        check_choice(False, "mode", (0, 1))  # False == 0 in Python, but it is not a choice


def test_a_seed_is_what_numpy_and_torch_both_take():
    assert check_seed(0) == 0 and check_seed(SEED_LIMIT - 1) == SEED_LIMIT - 1
    for bad in (-1, SEED_LIMIT, True, 1.5):
        with pytest.raises(ValueError, match="seed must be an integer"):
            check_seed(bad)


@given(st.text(min_size=0, max_size=3000), st.integers(20, 700))
def test_cap_keeps_the_start_and_the_end(message, limit):
    cut = cap(message, limit)
    assert len(cut) <= limit
    if len(message) <= limit:
        assert cut == message
    else:
        assert message.startswith(cut.split(" ... ")[0])
        assert " ... " in cut


def test_brief_and_shown_stay_short_for_any_value():
    class Broken:
        def __repr__(self):
            raise RuntimeError("no repr")

    assert shown("abc") == "str 'abc'"
    assert "Broken" in brief(Broken())  # a broken __repr__ must not hide the real error
    assert brief(10**5000) == "<an integer of about 5001 digits>"  # 10**5000 has 5001
    assert len(brief("x" * 10**6)) <= 80
    assert "\n" not in brief(np.zeros((40, 40)))
    assert len(cap("y" * 10**5)) <= MESSAGE_LIMIT


def test_an_unknown_name_is_a_key_error_and_a_value_error_printed_without_quotes():
    error = UnknownName("unknown data set 'mnist'")
    assert isinstance(error, KeyError) and isinstance(error, ValueError)
    assert str(error) == "unknown data set 'mnist'"
