"""Cluttered digits: an offline task on which the architecture matters.

Plain 8x8 digits is a good smoke test but a poor stage for architecture search: most sensible
networks reach 93-99 %, so search curves are flat and comparisons show noise. This
module builds a harder task from the *same* 1,797 scikit-learn digits, after the "cluttered
MNIST" of Jaderberg, Simonyan, Zisserman and Kavukcuoglu (2015), "Spatial Transformer Networks",
NeurIPS, Section 4.1 (the "translated and cluttered" MNIST variant): every digit is placed at a
random position of a larger canvas (``size`` x ``size``, default 16x16), ``clutter`` small
square fragments cut from *other* digits are pasted around it, and a little pixel noise is
added. A network now has to find the digit before it can read it: the receptive field, the
depth, where it down-samples and how it pools start to matter, while one network still trains
quickly on a laptop CPU.

How the data are made (all vectorised: one numpy operation per step for the whole split, a Python
loop only over the ``clutter`` fragments, never over images):

1. The 1,797 source images are split first, stratified by class, into about 1,197 train / 300
   val / 300 test sources (1,198 / 300 / 299 after rounding per class); every generated image of
   a split is made from that split's sources only, its clutter fragments included. So no source
   digit -- not even a piece of one -- is shared between splits, and validation accuracy
   measures generalisation to unseen handwriting.
2. Each source is resampled to ``digit_size`` x ``digit_size`` with bilinear interpolation
   computed in *integer* arithmetic, and stored as 0-255 intensities.
3. For each generated image: a label (the labels cycle 0-9, so every split is balanced to within
   one image), a random source of that class, a random position (``translation`` pixels around
   the centre, or anywhere on the canvas with ``translation=None``), ``clutter`` fragments of
   ``fragment`` x ``fragment`` pixels cut from random sources of the split and pasted at random
   positions (overlaps keep the brighter pixel), then the digit itself (again the brighter
   pixel), then uniform noise of up to ``noise`` x 255 added to every pixel.
4. Normalisation: intensities / 255, standardised with the mean and standard deviation of the
   training split only.

Same seed, same tensors on every machine: the random numbers come from numpy's legacy
``RandomState``, whose streams are frozen forever (NEP 19; the newer ``Generator`` may change
its streams between numpy versions), and every step up to the 0-255 images is integer
arithmetic, so no floating-point rounding differs between processors.  ``info["raw_sha256"]``
fingerprints those integer images, and a test pins it.

Why these defaults (``clutter=1``, ``noise=0.1``, ``translation=None``, 2,000 training images):
``benchmarks/measure_cluttered.py`` trained the same twelve networks -- an MLP, chains of one,
two and four 3x3 convolutions, and eight seeded random chains of ``ChainSpace(max_layers=5)`` --
on plain digits and on four clutter settings (its table and timings are in
``benchmarks/README.md``, the full record in
``benchmarks/results/measure_cluttered-cpu2.json``).  On plain digits most random chains land
near the top and the best is barely above the median: a search has little to find.  Every
cluttered setting spreads them; with more clutter the spread shrinks again, because most random
chains stay near chance (10 %).  ``clutter=1`` keeps a wide spread *and* head-room at the top
(the four-conv net does not reach its ``clutter=0`` accuracy), so better architectures can
still show.  For longer training (a GPU), ``clutter=2`` to ``4`` is harder; a larger ``size``
should be too (not measured).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import torch

from ..checks import brief, check_int, check_real, check_seed
from .dataset import Dataset, Split

__all__ = [
    "SOURCE_SPLIT",
    "cluttered_images",
    "load_cluttered_digits",
    "resample_digits",
]

#: how the 1,797 source images are divided (train sources = the rest)
SOURCE_SPLIT = {"val": 300, "test": 300}
#: limits no sensible setting reaches, so that a typo is refused instead of filling the memory:
#: pixels of all three splits together (the defaults make 768,000), canvas side, fragments
MAX_PIXELS = 2**27
MAX_SIZE = 1024
MAX_CLUTTER = 256
#: the three splits, in the order they are generated (one random stream runs through them)
SPLITS = ("train", "val", "test")
#: the settings ``info`` records, in this order
INFO_SETTINGS = ("size", "clutter", "noise", "translation", "seed", "digit_size", "fragment")


# -- step 2: integer bilinear resampling ----------------------------------------------------------
def _bilinear_weights(source: int, target: int) -> np.ndarray:
    """(target, source) integer weights of bilinear resampling, each row summing to 2*target.

    Output pixel i samples the source at ``p = (i + 1/2) * source / target - 1/2`` (pixel
    centres aligned, like ``align_corners=False`` in torch).  Multiplying by ``2 * target`` makes
    ``p`` and its fractional part integers, so the weights are exact.
    """
    denominator = 2 * target
    weights = np.zeros((target, source), dtype=np.int64)
    for i in range(target):  # a loop over at most `size` output pixels, not over images
        numerator = (2 * i + 1) * source - target  # p * denominator
        low, frac = divmod(numerator, denominator)
        low_c, high_c = min(max(low, 0), source - 1), min(max(low + 1, 0), source - 1)
        weights[i, low_c] += denominator - frac
        weights[i, high_c] += frac
    return weights


def resample_digits(images: np.ndarray, digit_size: int) -> np.ndarray:
    """Resample (N, 8, 8) images with values 0..16 to (N, d, d) uint8 intensities 0..255.

    Bilinear, in exact integer arithmetic (so bit-identical everywhere), rounded to nearest.
    """
    src = images.shape[-1]
    weights = _bilinear_weights(src, digit_size)  # (d, src), rows sum to 2d
    values = np.asarray(images, dtype=np.int64) * 255  # 0..4080, exactly 16 * intensity
    out = np.einsum("ij,njk,lk->nil", weights, values, weights)  # integers, exact
    denominator = 16 * (2 * digit_size) ** 2
    return ((out + denominator // 2) // denominator).astype(np.uint8)


# -- step 3: composing the canvases ---------------------------------------------------------------
def _paste_max(canvas: np.ndarray, patches: np.ndarray, top: np.ndarray, left: np.ndarray) -> None:
    """Paste patch k at (top[k], left[k]) of canvas k, keeping the brighter pixel (in place)."""
    n, h, w = patches.shape
    rows = (top[:, None] + np.arange(h))[:, :, None]  # (n, h, 1)
    cols = (left[:, None] + np.arange(w))[:, None, :]  # (n, 1, w)
    images = np.arange(n)[:, None, None]
    canvas[images, rows, cols] = np.maximum(canvas[images, rows, cols], patches)


def cluttered_images(
    digits: np.ndarray,
    labels: np.ndarray,
    n: int,
    *,
    size: int,
    clutter: int,
    fragment: int,
    noise: float,
    translation: int | None,
    rng: np.random.RandomState,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` cluttered canvases made from ``digits`` (S, d, d) uint8 of classes ``labels``.

    Returns ``(images (n, size, size) uint8, labels (n,) int64, sources (n,) int64)``, where
    ``sources`` indexes ``digits``: the image each canvas shows.  Every class present in
    ``labels`` appears equally often (to within one image).
    """
    d = digits.shape[-1]
    classes = np.unique(labels)
    # a label for every canvas, balanced, in random order
    y = classes[np.arange(n) % len(classes)]
    y = y[rng.permutation(n)]
    # a random source image of that class: sources sorted by class, pick a rank within the class
    by_class = np.argsort(labels, kind="stable")
    counts = np.bincount(labels, minlength=classes.max() + 1)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    source = by_class[starts[y] + rng.randint(0, counts[y])]

    canvas = np.zeros((n, size, size), dtype=np.uint8)
    for _ in range(clutter):  # a loop over fragments; each pastes one fragment into every canvas
        donor = rng.randint(0, len(digits), size=n)
        corner = rng.randint(0, d - fragment + 1, size=(2, n))
        rows = (corner[0][:, None] + np.arange(fragment))[:, :, None]
        cols = (corner[1][:, None] + np.arange(fragment))[:, None, :]
        pieces = digits[donor[:, None, None], rows, cols]
        at = rng.randint(0, size - fragment + 1, size=(2, n))
        _paste_max(canvas, pieces, at[0], at[1])

    free = size - d
    if translation is None:
        top, left = rng.randint(0, free + 1, size=(2, n))
    else:
        centre = free // 2
        top, left = centre + rng.randint(-translation, translation + 1, size=(2, n))
    _paste_max(canvas, digits[source], top, left)

    if noise > 0:
        amplitude = round(noise * 255)
        grain = rng.randint(0, amplitude + 1, size=canvas.shape)
        canvas = np.minimum(canvas.astype(np.int64) + grain, 255).astype(np.uint8)
    return canvas, y.astype(np.int64), source.astype(np.int64)


def _check(
    size: int,
    digit_size: int,
    clutter: int,
    fragment: int,
    noise: float,
    translation: int | None,
    counts: dict[str, int],
) -> None:
    """Refuse impossible or meaningless settings with a message that says what to change."""
    integers = {"size": size, "digit_size": digit_size, "clutter": clutter, "fragment": fragment}
    if translation is not None:
        integers["translation"] = translation
    for name, value in integers.items():  # all of them are sizes or counts: none below 0
        check_int(value, name, least=0, most=MAX_CLUTTER if name == "clutter" else MAX_SIZE)
    check_real(noise, "noise (a fraction of full intensity)", least=0, most=1)
    if digit_size < 2:
        raise ValueError(f"digit_size must be at least 2 pixels, got {digit_size}")
    if size < digit_size:
        raise ValueError(
            f"size={size} is smaller than the digit (digit_size={digit_size}): the canvas must "
            f"be at least {digit_size}x{digit_size}"
        )
    if clutter < 0:
        raise ValueError(f"clutter (fragments per image) must be >= 0, got {clutter}")
    if not 1 <= fragment <= digit_size:
        raise ValueError(f"fragment must be between 1 and digit_size={digit_size}, got {fragment}")
    if not 0 <= noise <= 1:
        raise ValueError(f"noise is a fraction of full intensity in [0, 1], got {noise}")
    if translation is not None:
        limit = (size - digit_size) // 2
        if not 0 <= translation <= limit:
            raise ValueError(
                f"translation must be between 0 and {limit} pixels for a {digit_size}-pixel digit "
                f"on a {size}x{size} canvas (or None: anywhere), got {translation}"
            )
    for split, count in counts.items():
        check_int(count, f"{split} (images)", most=MAX_PIXELS)
        if count < 1:
            raise ValueError(f"{split} must be at least 1 image, got {brief(count)}")
    pixels = sum(counts.values()) * size * size
    if pixels > MAX_PIXELS:
        raise ValueError(
            f"train + val + test = {sum(counts.values()):,} images of {size}x{size} pixels is "
            f"{pixels:,} pixels, more than the limit of {MAX_PIXELS:,} (about 2 GB of float32 "
            "data in memory); ask for fewer or smaller images"
        )


def _stratified_sources(labels: np.ndarray, rng: np.random.RandomState) -> tuple[np.ndarray, ...]:
    """Split source indices into (train, val, test), each class divided in the same proportion."""
    n = len(labels)
    shuffled = rng.permutation(n)
    order = shuffled[np.argsort(labels[shuffled], kind="stable")]  # by class, random within
    counts = np.bincount(labels)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, counts)  # rank of each image within its class
    fraction = (rank + 0.5) / counts[labels]
    val_cut = SOURCE_SPLIT["val"] / n
    test_cut = val_cut + SOURCE_SPLIT["test"] / n
    val = np.flatnonzero(fraction < val_cut)
    test = np.flatnonzero((fraction >= val_cut) & (fraction < test_cut))
    train = np.flatnonzero(fraction >= test_cut)
    return train, val, test


def load_cluttered_digits(
    size: int = 16,
    clutter: int = 1,
    noise: float = 0.1,
    translation: int | None = None,
    seed: int = 0,
    *,
    digit_size: int = 8,
    fragment: int = 4,
    train: int = 2000,
    val: int = 500,
    test: int = 500,
) -> Dataset:
    """Cluttered digits as a :class:`Dataset` of (1, size, size) images, 10 classes.

    Parameters (see the module docstring for how an image is made):

    * ``size`` -- side of the square canvas in pixels (at least ``digit_size``).
    * ``clutter`` -- number of ``fragment`` x ``fragment`` pieces of other digits per image.
    * ``noise`` -- maximal uniform pixel noise, as a fraction of full intensity (0 to 1).
    * ``translation`` -- how far (pixels) the digit may move from the centre; ``None``: anywhere.
    * ``seed`` -- fixes the source split and every random choice; same seed, same tensors.
    * ``digit_size`` -- side of the digit after resampling from 8x8 (8: no resampling).
    * ``fragment`` -- side of the square clutter fragments (at most ``digit_size``).
    * ``train``, ``val``, ``test`` -- number of generated images per split.  The defaults
      (2,000 / 500 / 500) show each of the ~1,200 training sources about 1.7 times, in
      different positions and clutter, and keep one training run short on a CPU; quick mode
      can take fewer with ``Dataset.shrink``.

    The defaults were chosen by measurement (module docstring): on them random chain
    architectures spread widely in validation accuracy, where on plain digits they bunch near
    the top.

    ``info`` records the settings, the source indices of every split (``"sources"``, indices
    into ``sklearn.datasets.load_digits()``), the training statistics used for normalisation
    and ``raw_sha256``, a fingerprint of the 0-255 images of all three splits.
    """
    counts = {"train": train, "val": val, "test": test}
    _check(size, digit_size, clutter, fragment, noise, translation, counts)
    seed = check_seed(seed)
    digits, labels = _source_digits(digit_size)
    rng = np.random.RandomState(seed)  # every random choice below comes from it, in order
    pools = dict(zip(SPLITS, _stratified_sources(labels, rng)))
    canvas = {
        "size": size,
        "clutter": clutter,
        "fragment": fragment,
        "noise": noise,
        "translation": translation,
    }
    raw, y, sources = _compose_splits(digits, labels, pools, counts, canvas, rng)
    mean, std = _training_statistics(raw["train"])
    settings = {**canvas, "seed": seed, "digit_size": digit_size}
    return Dataset(
        name="cluttered-digits",
        train=_standardised(raw["train"], y["train"], mean, std),
        val=_standardised(raw["val"], y["val"], mean, std),
        test=_standardised(raw["test"], y["test"], mean, std),
        num_classes=10,
        classes=tuple(str(d) for d in range(10)),
        augment="none",
        info={
            "source": "sklearn.datasets.load_digits, cluttered after Jaderberg et al. (2015)",
            **{key: settings[key] for key in INFO_SETTINGS},
            "mean": mean,
            "std": std,
            "sources": sources,
            "source_pools": pools,
            "raw_sha256": _fingerprint(raw, y),
        },
    )


# -- the steps of load_cluttered_digits, in the order it takes them ------------------------------
def _source_digits(digit_size: int) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits resampled to ``digit_size`` (step 2), and their labels."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    labels = bunch.target.astype(np.int64)
    return resample_digits(bunch.images.astype(np.int64), digit_size), labels


def _compose_splits(
    digits: np.ndarray,
    labels: np.ndarray,
    pools: dict[str, np.ndarray],
    counts: dict[str, int],
    canvas: dict[str, Any],
    rng: np.random.RandomState,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Step 3 for every split, in the order train, val, test: each split's canvases made from
    its own pool of sources only.  Returns ``(images, labels, sources)`` per split, with
    ``sources`` as indices into all 1,797 digits."""
    raw, y, sources = {}, {}, {}
    for name, pool in pools.items():
        raw[name], y[name], picked = cluttered_images(
            digits[pool], labels[pool], counts[name], **canvas, rng=rng
        )
        sources[name] = pool[picked]
    return raw, y, sources


def _training_statistics(images: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of the training images' intensities in [0, 1] (step 4):
    validation and test are standardised with these too, as a deployed network would be."""
    scaled = images.astype(np.float64) / 255.0
    return float(scaled.mean()), float(scaled.std())


def _fingerprint(raw: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> str:
    """SHA-256 of the 0-255 images and labels of all three splits: equal on every machine
    for the same settings (integer arithmetic throughout)."""
    fingerprint = hashlib.sha256()
    for name in SPLITS:
        fingerprint.update(raw[name].tobytes())
        fingerprint.update(y[name].astype("<i8").tobytes())
    return fingerprint.hexdigest()


def _standardised(images: np.ndarray, labels: np.ndarray, mean: float, std: float) -> Split:
    """A :class:`Split` of (N, 1, size, size) float32 images, standardised (step 4)."""
    x = (images.astype(np.float32) / np.float32(255.0) - np.float32(mean)) / np.float32(std)
    return Split(torch.from_numpy(x).unsqueeze(1).contiguous(), torch.from_numpy(labels))
