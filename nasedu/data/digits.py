"""The offline default data set: scikit-learn's 8x8 handwritten digits.

1,797 grey-scale images of the digits 0-9 (Alpaydin and Kaynak, UCI ML repository), shipped
inside scikit-learn, so the course runs with no download at all.  Small enough that a network
trains in a second on a laptop CPU: the right size for watching a search happen in class.
"""

from __future__ import annotations

import numpy as np
import torch

from ..checks import check_int, check_seed
from .dataset import Dataset, Split

__all__ = ["N_IMAGES", "load_digits", "split_indices"]

#: how many images scikit-learn's digits hold
N_IMAGES = 1797


def split_indices(n: int, val: int, test: int, seed: int) -> tuple[np.ndarray, ...]:
    """A seeded permutation of ``range(n)`` cut into (train, val, test) index arrays."""
    n = check_int(n, "n", least=1)
    val, test = check_int(val, "val", least=0, most=n), check_int(test, "test", least=0, most=n)
    seed = check_seed(seed)
    if val + test >= n:
        raise ValueError(f"val ({val}) + test ({test}) leave no training data out of {n}")
    order = np.random.default_rng(seed).permutation(n)
    return order[val + test :], order[:val], order[val : val + test]


def load_digits(seed: int = 0, val: int = 300, test: int = 300) -> Dataset:
    """Digits as a :class:`Dataset`: pixels scaled to [0, 1] then standardised.

    The split is a fixed function of ``seed`` (same seed, same split on every machine); the
    normalisation statistics come from the training split only.
    """
    split_indices(N_IMAGES, val, test, seed)  # bad options fail before anything is loaded
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = bunch.images.astype(np.float32) / 16.0
    labels = bunch.target.astype(np.int64)
    train_idx, val_idx, test_idx = split_indices(len(labels), val, test, seed)
    mean, std = images[train_idx].mean(), images[train_idx].std()

    def split(idx: np.ndarray) -> Split:
        x = torch.from_numpy((images[idx] - mean) / std).unsqueeze(1)
        return Split(x.contiguous(), torch.from_numpy(labels[idx]))

    return Dataset(
        name="digits",
        train=split(train_idx),
        val=split(val_idx),
        test=split(test_idx),
        num_classes=10,
        classes=tuple(str(d) for d in range(10)),
        augment="none",
        info={"seed": seed, "source": "sklearn.datasets.load_digits"},
    )
