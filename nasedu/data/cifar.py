"""CIFAR-10 from the standard "python version" batches in a local folder.

Krizhevsky (2009), "Learning Multiple Layers of Features from Tiny Images".  The data set is the
folder ``cifar-10-batches-py`` holding the pickled batches ``data_batch_1`` ... ``data_batch_5``
and ``test_batch``; each is a dict with ``b"data"`` (N x 3072 uint8, channel-major) and
``b"labels"``.  Nothing is downloaded unless you ask (``download=True``), and the archive is
checked against its published MD5 before it is unpacked.
"""

from __future__ import annotations

import hashlib
import pickle
import tarfile
import urllib.request
from pathlib import Path

import numpy as np
import torch

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


def _read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    try:
        data = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except (KeyError, ValueError) as error:
        raise ValueError(f"{path} is not a CIFAR-10 python batch: {error}") from error
    if len(labels) != len(data) or labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise ValueError(f"{path}: expected one label in 0..9 per image")
    return data, labels


def load_cifar10(
    root: str | Path = "data", download: bool = False, val: int = 5000, seed: int = 0
) -> Dataset:
    """CIFAR-10 as a :class:`Dataset`; ``val`` training images are held out for validation.

    ``root`` is the folder that holds ``cifar-10-batches-py`` (or that folder itself).  The
    images are normalised with the training set's per-channel mean and standard deviation;
    training uses the standard "pad 4, crop 32, flip" augmentation (``augment="crop-flip"``).
    """
    root = Path(root)
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
    if not 0 <= val < len(y_train):
        raise ValueError(f"val must be in [0, {len(y_train)}), got {val}")
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
