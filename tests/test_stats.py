"""Bootstrap confidence intervals (nasedu.stats): what they contain, pairing, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import refused
from hypothesis import given
from hypothesis import strategies as st

from nasedu.stats import Interval, difference_ci, mean_ci

accuracies = st.lists(st.floats(0, 1), min_size=2, max_size=30)


@given(accuracies)
def test_mean_ci_contains_the_mean(values):
    interval = mean_ci(values, resamples=500)
    assert interval.estimate == pytest.approx(np.mean(values))
    assert interval.low <= interval.estimate <= interval.high
    assert min(values) - 1e-12 <= interval.low and interval.high <= max(values) + 1e-12


@given(accuracies, st.floats(-1, 1))
def test_a_constant_paired_shift_is_certain(values, shift):
    """Paired runs that differ by the same amount in every seed: the interval is that amount."""
    shifted = [v + shift for v in values]
    interval = difference_ci(shifted, values, paired=True, resamples=200)
    assert interval.estimate == pytest.approx(shift, abs=1e-9)
    assert interval.low == pytest.approx(shift, abs=1e-9)
    assert interval.high == pytest.approx(shift, abs=1e-9)


@given(accuracies, accuracies)
def test_difference_ci_contains_the_difference(a, b):
    interval = difference_ci(a, b, resamples=300)
    assert interval.estimate == pytest.approx(np.mean(a) - np.mean(b))
    assert interval.low <= interval.estimate <= interval.high


@given(accuracies, accuracies)
def test_a_higher_level_gives_a_wider_interval(a, b):
    narrow = difference_ci(a, b, level=0.8, resamples=300)
    wide = difference_ci(a, b, level=0.99, resamples=300)
    assert wide.low <= narrow.low + 1e-12 and narrow.high <= wide.high + 1e-12


def test_separated_groups_are_a_difference_and_overlapping_ones_are_not():
    rng = np.random.default_rng(1)
    low, high = rng.normal(0.5, 0.02, 10), rng.normal(0.6, 0.02, 10)
    assert difference_ci(high, low).excludes_zero
    assert not difference_ci(low, rng.permutation(low)).excludes_zero


def test_pairing_removes_the_luck_two_runs_share():
    """Two strategies on the same 10 seeds: the seeds vary a lot, the strategies a little."""
    luck = np.linspace(0.3, 0.9, 10)
    a, b = luck + 0.01, luck
    assert not difference_ci(a, b).excludes_zero  # unpaired: the luck hides the difference
    assert difference_ci(a, b, paired=True).excludes_zero


def test_interval_reads_like_a_report():
    assert str(Interval(0.0123, -0.004, 0.028)) == "+0.012 (95% CI -0.004 to +0.028)"
    assert str(mean_ci([0.5, 0.5])) == "0.500 (95% CI 0.500 to 0.500)"
    assert str(difference_ci([0.6, 0.6], [0.5, 0.5], paired=True)).startswith("+0.100")


def test_bad_input_is_refused_by_name():
    refused(lambda: mean_ci([0.5]), "values")
    refused(lambda: mean_ci([0.5, float("nan")]), "values")
    refused(lambda: mean_ci(["a", "b"]), "values")
    refused(lambda: mean_ci([[0.1, 0.2], [0.3, 0.4]]), "values")
    refused(lambda: difference_ci([0.1, 0.2], [0.3]), "b")
    refused(lambda: difference_ci([0.1, 0.2, 0.3], [0.3, 0.4], paired=True), "paired")
    refused(lambda: mean_ci([0.1, 0.2], level=95), "level")
    refused(lambda: mean_ci([0.1, 0.2], level=True), "level")
    refused(lambda: mean_ci([0.1, 0.2], resamples=10), "resamples")
    # beyond the examples: a flag that is a string, seeds that are not seeds, and sizes that
    # would allocate tens of GB (a clear refusal instead of a MemoryError or a long hang)
    refused(lambda: difference_ci([0.1, 0.2], [0.3, 0.4], paired="yes"), "paired")
    refused(lambda: mean_ci([0.1, 0.2], seed="x"), "seed")
    refused(lambda: mean_ci([0.1, 0.2], seed=True), "seed")
    refused(lambda: mean_ci([0.1, 0.2, 0.3], resamples=10**9), "resamples")
    refused(lambda: mean_ci(np.ones(10**6)), "resamples")


def test_large_resamplings_are_drawn_in_chunks_with_the_same_answer_shape():
    """Above 10**7 draws the bootstrap is drawn in pieces (bounded memory): still an interval
    around the mean."""
    values = np.linspace(0.0, 1.0, 5_000)
    interval = mean_ci(values, resamples=10_000)
    assert interval.low < 0.5 < interval.high and interval.high - interval.low < 0.05
