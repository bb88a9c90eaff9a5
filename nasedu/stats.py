"""Confidence intervals for repeated runs: how sure is a claimed difference?

One search is one draw from a random process; a claim that strategy A beats B (or that space
X is harder to search than Y) is a claim about the *mean* over many repetitions.  A 95%
**bootstrap confidence interval** says how far that mean could be off: resample the runs with
replacement many times, recompute the statistic each time, and keep the middle 95% of the
results (the 2.5th to the 97.5th percentile).  If the interval of a difference contains 0, the
runs do not show a difference -- at this number of repetitions it is indistinguishable from
noise.

*Paired* runs share their randomness: with the same seed, regularized evolution's random
initial population is exactly random search's first draws, so the two runs of one seed differ
only by what evolution does afterwards.  Then compare seed by seed (``paired=True``): the
differences of the pairs are resampled together, which removes the luck both runs share and
gives a narrower, honest interval.  Unpaired runs (different spaces, different seeds) are
resampled independently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .checks import check_bool, check_seed, is_int

__all__ = ["Interval", "difference_ci", "mean_ci"]


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval, e.g. ``+0.012 (95% CI -0.004 to +0.028)``."""

    estimate: float
    low: float
    high: float
    level: float = 0.95
    signed: bool = True
    """Print the estimate with its sign (a difference) or without (a mean)."""

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0: a difference the runs show."""
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        sign = "+" if self.signed else ""
        return (
            f"{self.estimate:{sign}.3f} "
            f"({self.level:.0%} CI {self.low:{sign}.3f} to {self.high:{sign}.3f})"
        )


def _values(values: Sequence[float], name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of numbers, got {values!r:.80}") from None
    if array.ndim != 1 or array.size < 2 or not np.isfinite(array).all():
        raise ValueError(
            f"{name} must be a flat list of at least 2 finite numbers, got {values!r:.80}"
        )
    return array


MAX_DRAWS = 10**8
"""The most values one interval resamples (runs x resamples): about a second of work."""
_CHUNK = 10**7  # values drawn at once, so memory stays bounded (80 MB)


def _check(level: float, resamples: int, seed: int) -> None:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be a number between 0 and 1, e.g. 0.95; got {level!r}")
    if not is_int(resamples) or resamples < 100:
        raise ValueError(f"resamples must be an integer of at least 100, got {resamples!r:.40}")
    check_seed(seed)


def _resampled_means(rng: np.random.Generator, array: np.ndarray, resamples: int) -> np.ndarray:
    """The means of ``resamples`` bootstrap samples of ``array`` (drawn with replacement)."""
    if array.size * resamples > MAX_DRAWS:
        raise ValueError(
            f"{array.size:,} runs x {resamples:,} resamples is more than {MAX_DRAWS:,} draws; "
            "pass fewer resamples"
        )
    rows = max(1, _CHUNK // array.size)
    return np.concatenate(
        [
            rng.choice(array, (min(rows, resamples - start), array.size)).mean(axis=1)
            for start in range(0, resamples, rows)
        ]
    )


def _interval(
    estimate: float, resampled: np.ndarray, level: float, signed: bool = True
) -> Interval:
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail])
    # a percentile of identical floats may differ from their mean in the last bit
    low, high = min(float(low), estimate), max(float(high), estimate)
    return Interval(float(estimate), low, high, float(level), signed)


def mean_ci(
    values: Sequence[float], level: float = 0.95, resamples: int = 10_000, seed: int = 0
) -> Interval:
    """The mean of ``values`` with a bootstrap confidence interval (percentile method)."""
    _check(level, resamples, seed)
    array = _values(values, "values")
    resampled = _resampled_means(np.random.default_rng(seed), array, resamples)
    return _interval(float(array.mean()), resampled, level, signed=False)


def difference_ci(
    a: Sequence[float],
    b: Sequence[float],
    paired: bool = False,
    level: float = 0.95,
    resamples: int = 10_000,
    seed: int = 0,
) -> Interval:
    """``mean(a) - mean(b)`` with a bootstrap confidence interval.

    ``paired=True``: ``a[i]`` and ``b[i]`` belong together (the same seed), so the differences
    ``a[i] - b[i]`` are resampled; else ``a`` and ``b`` are resampled independently.
    """
    _check(level, resamples, seed)
    a, b = _values(a, "a"), _values(b, "b")
    rng = np.random.default_rng(seed)
    if check_bool(paired, "paired"):
        if a.size != b.size:
            raise ValueError(
                f"paired runs need as many values in a as in b, got {a.size} and {b.size}"
            )
        paired_mean = mean_ci(a - b, level, resamples, seed)
        return Interval(paired_mean.estimate, paired_mean.low, paired_mean.high, paired_mean.level)
    resampled = _resampled_means(rng, a, resamples) - _resampled_means(rng, b, resamples)
    estimate = float(a.mean() - b.mean())
    if not math.isfinite(estimate):
        raise ValueError("the means of a and b are too large to subtract")
    return _interval(estimate, resampled, level)
