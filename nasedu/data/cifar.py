"""CIFAR-10 from the standard "python version" batches in a local folder.

Krizhevsky (2009), "Learning Multiple Layers of Features from Tiny Images".  The data set is the
folder ``cifar-10-batches-py`` holding the pickled batches ``data_batch_1`` ... ``data_batch_5``
and ``test_batch``; each is a dict with ``b"data"`` (N x 3072 uint8, channel-major) and
``b"labels"``.  Nothing is downloaded unless you ask (``download=True``), and the archive is
checked against its published MD5 before it is unpacked.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..checks import cap, check_bool, check_int, check_seed, shown
from .dataset import Dataset, Split

__all__ = ["CIFAR10_CLASSES", "load_cifar10"]

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
FOLDER = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
# per-channel statistics of the 50,000 training images (the values used by the DARTS code)
MEAN = np.array([0.49139968, 0.48215827, 0.44653124], dtype=np.float32)
STD = np.array([0.24703233, 0.24348505, 0.26158768], dtype=np.float32)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_cifar10(root: str | Path) -> Path:
    """Fetch and unpack the CIFAR-10 archive into ``root``, checking its MD5; returns the folder."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    archive = root / "cifar-10-python.tar.gz"
    if not archive.exists() or _md5(archive) != MD5:
        urllib.request.urlretrieve(URL, archive)
    if _md5(archive) != MD5:
        raise OSError(f"{archive} does not have the published MD5 {MD5}: delete it and retry")
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12: refuse unsafe archive members
            tar.extractall(root, filter="data")
        else:  # pragma: no cover - older Pythons
            tar.extractall(root)
    return root / FOLDER


def _find_folder(root: Path) -> Path | None:
    for candidate in (root / FOLDER, root):
        if all((candidate / name).exists() for name in (*TRAIN_FILES, TEST_FILE)):
            return candidate
    return None


#: the only things a CIFAR-10 batch pickle may construct: numpy arrays (as pickled by numpy 1
#: and 2) and bytes.  ``pickle.load`` of a file from the internet can run any code; the
#: restricted unpickler below refuses every other class or function a pickle asks for.
SAFE_GLOBALS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }
)
#: a standard batch file is 31 MB; anything far larger is not one
MAX_BATCH_BYTES = 256 * 2**20


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays, lists, dicts, numbers and bytes -- nothing that could run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in SAFE_GLOBALS:
            raise pickle.UnpicklingError(
                f"it asks to load {cap(f'{module}.{name}', 80)}, which a CIFAR-10 batch never does"
            )
        return super().find_class(module, name)


def _unpickle(path: Path) -> Any:
    if not path.is_file():  # a folder, or a pipe or device that reading would block on
        raise ValueError(f"{path} is not a CIFAR-10 python batch: not a regular file")
    if path.stat().st_size > MAX_BATCH_BYTES:
        raise ValueError(f"{path} is {path.stat().st_size:,} bytes: not a CIFAR-10 batch")
    try:
        with open(path, "rb") as f:
            return _BatchUnpickler(f, encoding="bytes").load()
    except Exception as error:  # a corrupt, truncated or hostile pickle fails in many ways
        if isinstance(error, MemoryError):
            raise
        reason = cap(f"{type(error).__name__}: {error}", 160)
        raise ValueError(
            f"{path} is not a CIFAR-10 python batch (not a readable, plain pickle: {reason}); "
            "delete the folder and download it again"
        ) from error


def _field(batch: dict, name: str, path: Path) -> Any:
    for key in (name.encode(), name):  # Python 2's pickles have bytes keys
        if key in batch:
            return batch[key]
    raise ValueError(f"{path} is not a CIFAR-10 python batch: it has no {name!r} entry")


def _read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The (N, 3, 32, 32) uint8 images and (N,) int64 labels of one batch file, or a ValueError
    naming the file and what is wrong (pixels are never cast: float pixels would become
    nonsense, not an error)."""
    batch = _unpickle(path)
    if not isinstance(batch, dict):
        raise ValueError(
            f"{path} is not a CIFAR-10 python batch: it holds a {type(batch).__name__}"
        )
    data, labels = _field(batch, "data", path), _field(batch, "labels", path)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8:
        what = f"dtype {data.dtype}" if isinstance(data, np.ndarray) else shown(data)
        raise ValueError(f"{path}: 'data' must be an array of uint8 pixels (0..255), got {what}")
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{path}: 'data' must be N x 3072 pixels, got shape {data.shape}")
    labels = np.asarray(labels) if isinstance(labels, (list, tuple, np.ndarray)) else None
    if labels is None or labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"{path}: 'labels' must be a list of integers 0..9")
    if len(labels) != len(data) or labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise ValueError(f"{path}: expected one label in 0..9 per image")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.int64)


def _check_root(root: Any) -> Path:
    path = os.fspath(root) if isinstance(root, os.PathLike) else root
    if not isinstance(path, str) or "\0" in path:
        raise ValueError(f"root must be a folder path, got {shown(root)}")
    return Path(path)


def load_cifar10(
    root: str | Path = "data", download: bool = False, val: int = 5000, seed: int = 0
) -> Dataset:
    """CIFAR-10 as a :class:`Dataset`; ``val`` training images are held out for validation.

    ``root`` is the folder that holds ``cifar-10-batches-py`` (or that folder itself).  The
    images are normalised with the training set's per-channel mean and standard deviation;
    training uses the standard "pad 4, crop 32, flip" augmentation (``augment="crop-flip"``).
    """
    root = _check_root(root)
    check_bool(download, "download")
    check_int(val, "val", least=0)
    seed = check_seed(seed)
    folder = _find_folder(root)
    if folder is None:
        if not download:
            raise FileNotFoundError(
                f"no CIFAR-10 batches ({', '.join(TRAIN_FILES)}, {TEST_FILE}) under {root}; "
                "pass download=True to fetch them (about 170 MB), or load('digits') to stay offline"
            )
        folder = download_cifar10(root)
    parts = [_read_batch(folder / name) for name in TRAIN_FILES]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    x_test, y_test = _read_batch(folder / TEST_FILE)
    check_int(val, "val", least=0, most=len(y_train) - 1)
    order = np.random.default_rng(seed).permutation(len(y_train))
    val_idx, train_idx = order[:val], order[val:]

    def split(images: np.ndarray, labels: np.ndarray) -> Split:
        x = (images.astype(np.float32) / 255.0 - MEAN[:, None, None]) / STD[:, None, None]
        return Split(torch.from_numpy(x), torch.from_numpy(labels))

    return Dataset(
        name="cifar10",
        train=split(x_train[train_idx], y_train[train_idx]),
        val=split(x_train[val_idx], y_train[val_idx]),
        test=split(x_test, y_test),
        num_classes=10,
        classes=CIFAR10_CLASSES,
        augment="crop-flip",
        info={"root": str(folder), "seed": seed},
    )
