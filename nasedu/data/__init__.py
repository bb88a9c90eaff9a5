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
import inspect
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ..checks import UnknownName, brief, shown
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
    if not isinstance(name, str):
        raise ValueError(f"name must be a data set name such as 'digits', got {shown(name)}")
    if name not in LOADERS:
        raise UnknownName(
            f"unknown data set {brief(name)}; available: {', '.join(sorted(LOADERS))}"
        )
    module, function = LOADERS[name].split(":")
    return getattr(importlib.import_module(module), function)


def _check_options(name: str, loader: Callable[..., Dataset], options: dict[str, Any]) -> None:
    """A misspelt option (``sede=1``) is refused, naming the options there are."""
    known = list(inspect.signature(loader).parameters)
    unknown = [k for k in options if k not in known]
    if unknown:
        raise ValueError(
            f"load({name!r}) has no option {brief(unknown[0])}; its options are {', '.join(known)}"
        )


#: option values that can key the cache; anything else is refused by the loader itself
_PLAIN = (str, os.PathLike, bool, int, float, type(None), np.integer, np.floating)


def _option_key(value: Any) -> str:
    if isinstance(value, (str, os.PathLike)):
        return "path:" + os.path.normpath(os.fspath(value))
    return f"{type(value).__name__}:{value!r}"  # True and 1 are different options


def load(name: str = "digits", **options: Any) -> Dataset:
    """Load the data set ``name`` (see the module docstring); results are cached per options.

    Unknown names and options and bad values raise a short ValueError saying what is allowed
    (an unknown name is also a ``KeyError``)."""
    loader = _loader(name)
    _check_options(name, loader, options)
    try:  # a Path and the same path as a string are the same option (one copy in memory)
        key = (name, tuple(sorted((k, _option_key(v)) for k, v in options.items())))
    except ValueError:  # an integer too long to print, a path with a NUL: refused by the loader
        key = None
    if key is None or not all(isinstance(v, _PLAIN) for v in options.values()):
        return loader(**options)  # a list, a dict, ...: the loader says what it wants instead
    if key not in _CACHE:
        _CACHE[key] = loader(**options)
    return _CACHE[key]
