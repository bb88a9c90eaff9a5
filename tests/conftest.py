"""Shared test settings: hypothesis profiles and a strategy for small layer vocabularies.

Profiles (choose with ``HYPOTHESIS_PROFILE=...``):

* ``nasedu`` (default): few examples, no deadline (building torch modules takes a variable
  time on a shared machine), derandomized so that CI runs are reproducible;
* ``thorough``: many more random examples, for hunting bugs locally.

An explicit ``@settings(max_examples=...)`` on a test overrides the profile, so tests set it
only where an example is expensive (building and running a network).
"""

from __future__ import annotations

import os

import matplotlib
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

matplotlib.use("Agg")  # plot tests draw without a display

# The tests run thousands of tiny forward passes.  With several torch threads each of them pays
# for waking the thread pool, which on a loaded 2-core machine costs ~0.3 s instead of ~5 ms.
# (fit chooses its own count, nasedu.threads, and respects this one: a set_num_threads call is
# the user's choice.)
torch.set_num_threads(1)

settings.register_profile(
    "nasedu",
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "nasedu"))

# -- small layer vocabularies ---------------------------------------------------------------------
# Required hyperparameters per layer type and a few legal values for each (see spaces/layers.py).
_VALUES = {
    "filters": (1, 2, 3, 4),
    "kernel": (1, 3, 5),
    "stride": (1, 2),
    "dilation": (1, 2, 3),
    "kind": ("max", "avg"),
}
_REQUIRED = {
    "conv": ("filters", "kernel", "stride"),
    "sep_conv": ("filters", "kernel", "stride"),
    "dil_conv": ("dilation", "filters", "kernel", "stride"),
    "pool": ("kind", "kernel", "stride"),
}


@st.composite
def vocabularies(draw, max_per_choice: int = 2) -> dict[str, dict[str, tuple]]:
    """A random small ``layer_types`` dict: 1-4 layer types, each hyperparameter with
    1..``max_per_choice`` distinct legal values (so at most 4 * 2**4 = 64 layers)."""
    types = draw(st.lists(st.sampled_from(sorted(_REQUIRED)), min_size=1, max_size=4, unique=True))
    vocabulary = {}
    for op in types:
        vocabulary[op] = {
            name: tuple(
                draw(
                    st.lists(
                        st.sampled_from(_VALUES[name]),
                        min_size=1,
                        max_size=max_per_choice,
                        unique=True,
                    )
                )
            )
            for name in _REQUIRED[op]
        }
    return vocabulary
