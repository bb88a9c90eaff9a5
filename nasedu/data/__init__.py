"""Data for the course: every data set is a :class:`Dataset` of tensors kept on the device.

``load(name, **options)`` is the one entry point:

* ``"digits"`` -- scikit-learn's 8x8 digits, the offline default (no download, trains in seconds).
* ``"cluttered-digits"`` -- the same digits placed at random on a 16x16 canvas among fragments of
  other digits, after the cluttered MNIST of Jaderberg et al. (2015): offline, and hard enough
  that the architecture matters (see :mod:`nasedu.data.cluttered`).
* ``"cifar10"`` -- CIFAR-10 from a local folder of the standard python batches
  (``root=...``; ``download=True`` fetches it once).

Loaded data sets are cached in memory, so calling ``load`` again is free.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

from .dataset import Dataset, Split, random_translate

__all__ = ["LOADERS", "Dataset", "Split", "load", "random_translate"]

#: data set name -> "module:function" of its loader (imported on first use)
LOADERS: dict[str, str] = {
    "digits": "nasedu.data.digits:load_digits",
    "cluttered-digits": "nasedu.data.cluttered:load_cluttered_digits",
    "cifar10": "nasedu.data.cifar:load_cifar10",
}

_CACHE: dict[tuple, Dataset] = {}


def _loader(name: str) -> Callable[..., Dataset]:
    if name not in LOADERS:
        raise KeyError(f"unknown data set {name!r}; available: {', '.join(sorted(LOADERS))}")
    module, function = LOADERS[name].split(":")
    return getattr(importlib.import_module(module), function)


def _option_key(value: Any) -> str:
    if isinstance(value, (str, os.PathLike)):
        return "path:" + os.path.normpath(os.fspath(value))
    return repr(value)


def load(name: str = "digits", **options: Any) -> Dataset:
    """Load the data set ``name`` (see the module docstring); results are cached per options."""
    # a Path and the same path as a string are the same option (one copy in memory)
    key = (name, tuple(sorted((k, _option_key(v)) for k, v in options.items())))
    if key not in _CACHE:
        _CACHE[key] = _loader(name)(**options)
    return _CACHE[key]
