"""The self-check helpers of the exercises: a pass prints a check mark, a failure explains."""

from __future__ import annotations

import pytest

from nasedu.grading import (
    expect_close,
    expect_equal,
    expect_same_architecture,
    expect_true,
    expect_valid,
)
from nasedu.spaces import Layer, MultiBranchSpace
from nasedu.spaces.multibranch import BranchNode, MultiBranchGenotype


def test_passing_checks_print_a_check_mark(capsys):
    expect_equal(4, 4, "four")
    expect_close(0.1 + 0.2, 0.3, "floats")
    expect_true(True, "truth")
    assert capsys.readouterr().out.splitlines() == ["✓ four", "✓ floats", "✓ truth"]


def test_failures_say_what_and_give_the_hint():
    with pytest.raises(AssertionError, match=r"✗ size: expected 5, got 4\n  Hint: count again"):
        expect_equal(4, 5, "size", hint="count again")
    with pytest.raises(AssertionError, match="exact integer"):
        expect_equal(5.0, 5, "size")
    with pytest.raises(AssertionError, match="no answer yet"):
        expect_equal(..., 5, "size")
    with pytest.raises(AssertionError, match=r"about 1\.0"):
        expect_close(1.1, 1.0, "ratio")
    with pytest.raises(AssertionError, match="does not hold"):
        expect_true(False, "claim")


def test_architecture_checks_use_the_space():
    space = MultiBranchSpace(max_layers=3)
    a = Layer("conv", filters=16, kernel=3, stride=1)
    b = Layer("pool", kind="max", kernel=3, stride=1)
    one = MultiBranchGenotype(
        (BranchNode(a, (0,)), BranchNode(b, (0,)), BranchNode(a, (1, 2), "sum"))
    )
    two = MultiBranchGenotype(
        (BranchNode(b, (0,)), BranchNode(a, (0,)), BranchNode(a, (1, 2), "sum"))
    )
    expect_same_architecture(space, one, two, "renumbered branches")
    with pytest.raises(AssertionError, match="different architecture"):
        expect_same_architecture(
            space, one, MultiBranchGenotype((BranchNode(a, (0,)),)), "one layer"
        )
    bad = MultiBranchGenotype((BranchNode(a, (1,)),))
    with pytest.raises(AssertionError, match="layer 1 reads from 1"):
        expect_valid(space, bad, "bad")
