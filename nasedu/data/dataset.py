"""Data sets as tensors: the whole split lives on the training device.

The data sets of this course are small (digits: 1,797 images; CIFAR-10: 60,000), so instead of a
``DataLoader`` with worker processes copying batches to the GPU, every split is stored as two
tensors (images and labels) *on the device that trains*.  A batch is then an index into those
tensors, shuffling is a ``torch.randperm`` and augmentation runs on the GPU: no worker start-up,
no host-to-device copies, and the GPU is never waiting for the CPU.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from ..checks import check_bool, check_choice, check_int, shown

__all__ = ["Dataset", "Split", "check_device", "random_translate"]

#: more classes than any image classification data set has (ImageNet-21k: 21,841)
MAX_CLASSES = 100_000


def check_device(
    dev: Any, name: str = "dev", must_exist: bool = True, allow_none: bool = True
) -> torch.device | None:
    """``dev`` as a ``torch.device`` (or None, if ``allow_none``), else a ValueError: an unknown
    string, a device type training cannot use or (``must_exist``) a GPU that this machine does
    not have."""
    if dev is None and allow_none:
        return None
    wanted = f"{name} must be {'None (the best device here) or ' * allow_none}one of 'cpu', "
    wanted += "'cuda', 'cuda:N', 'mps'"
    if isinstance(dev, str) and len(dev) <= 40:
        try:
            dev = torch.device(dev)
        except (RuntimeError, ValueError, TypeError):
            raise ValueError(f"{wanted}; got {shown(dev)}") from None
    if not isinstance(dev, torch.device):
        raise ValueError(f"{wanted}; got {shown(dev)}")
    if dev.type == "cpu" or (dev.type in ("cuda", "mps") and not must_exist):
        return dev
    if dev.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(f"{name}={str(dev)!r}, but torch finds no CUDA GPU here; use 'cpu'")
        if dev.index is not None and dev.index >= count:
            raise ValueError(f"{name}={str(dev)!r}, but this machine has {count} GPU(s)")
        return dev
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"{name}='mps', but Apple's MPS is not available here; use 'cpu'")
        return dev
    raise ValueError(f"{wanted}; got {shown(str(dev))}")


def _device(device: object) -> torch.device:
    """``device`` checked: an existing device, named as ``torch.device`` names them."""
    return check_device(device, "device", allow_none=False)


@dataclass(frozen=True)
class Split:
    """One split of a data set: images ``x`` (N, C, H, W, float) and labels ``y`` (N, long)."""

    x: torch.Tensor
    y: torch.Tensor

    def __post_init__(self) -> None:
        """Refuse what training would misread: labels that are not whole numbers would be
        silently cut by ``.long()``, integer images are not normalised pixels."""
        for name, value in (("x", self.x), ("y", self.y)):
            if not isinstance(value, torch.Tensor):
                raise ValueError(f"Split {name} must be a torch.Tensor, got {shown(value)}")
        if self.x.ndim != 4:
            raise ValueError(f"images must be (N, C, H, W), got shape {tuple(self.x.shape)}")
        if not self.x.is_floating_point():
            raise ValueError(
                f"images must be floating point (normalised pixels), got dtype {self.x.dtype}"
            )
        if self.y.ndim != 1 or self.y.dtype != torch.int64:
            raise ValueError(
                f"labels must be a 1-d int64 tensor of class numbers, got dtype {self.y.dtype} "
                f"and shape {tuple(self.y.shape)}"
            )
        if self.x.shape[0] != self.y.shape[0]:
            raise ValueError(f"{self.x.shape[0]} images but {self.y.shape[0]} labels")

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def to(self, device: torch.device | str) -> Split:
        """This split on ``device`` (no copy if it is already there)."""
        device = _device(device)
        return Split(self.x.to(device, non_blocking=True), self.y.to(device, non_blocking=True))

    def subset(self, n: int) -> Split:
        """The first ``n`` examples (the splits are already shuffled)."""
        n = check_int(n, "n (examples to keep)", least=0)
        return Split(self.x[:n], self.y[:n])

    def batches(
        self,
        batch_size: int,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        min_size: int = 1,
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield ``(x, y)`` mini-batches; with ``shuffle`` in a fresh random order.

        The permutation is drawn with the (CPU) ``generator`` so that a seed gives the same
        order on every device; only the small index tensor travels to the data's device.  A
        final batch smaller than ``min_size`` is skipped: training uses ``min_size=2`` because
        batch norm cannot normalise a single example whose feature map is 1x1.
        """
        check_int(batch_size, "batch_size", least=1)
        check_bool(shuffle, "shuffle")
        check_int(min_size, "min_size", least=1)
        n = len(self)
        order = (
            torch.randperm(n, generator=generator).to(self.x.device, non_blocking=True)
            if shuffle
            else None
        )
        for start in range(0, n, batch_size):
            if min(batch_size, n - start) < min_size:
                break
            if order is None:
                yield self.x[start : start + batch_size], self.y[start : start + batch_size]
            else:
                idx = order[start : start + batch_size]
                yield self.x[idx], self.y[idx]


@dataclass(frozen=True)
class Dataset:
    """A classification data set split into train, validation and test.

    Architecture search selects on ``val``; ``test`` is touched once, for the final report.
    ``augment`` names the augmentation :func:`nasedu.train.fit` applies to training batches
    (``"none"``, ``"translate"`` or ``"crop-flip"``: the CIFAR-10 standard).
    """

    name: str
    train: Split
    val: Split
    test: Split
    num_classes: int
    classes: tuple[str, ...] = ()
    augment: str = "none"
    info: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        """Refuse a data set whose parts do not fit together (checked once, when it is made)."""
        if not isinstance(self.name, str):
            raise ValueError(f"name must be a string, got {shown(self.name)}")
        for split in ("train", "val", "test"):
            value = getattr(self, split)
            if not isinstance(value, Split):
                raise ValueError(f"{split} must be a Split, got {shown(value)}")
        shapes = {tuple(s.x.shape[1:]) for s in (self.train, self.val, self.test)}
        if len(shapes) > 1:
            raise ValueError(f"the splits hold images of different shapes {sorted(shapes)}")
        check_int(self.num_classes, "num_classes", least=2, most=MAX_CLASSES)
        check_choice(self.augment, "augment", ("none", "translate", "crop-flip"))

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one image: what ``SearchSpace.build`` needs."""
        return tuple(int(s) for s in self.train.x.shape[1:])  # type: ignore[return-value]

    def to(self, device: torch.device | str) -> Dataset:
        """The same data set with every split on ``device``.

        Call it once before a search (``data = load("cifar10").to(device())``): ``fit`` then
        finds the tensors already on the device and copies nothing.
        """
        device = _device(device)
        return replace(
            self, train=self.train.to(device), val=self.val.to(device), test=self.test.to(device)
        )

    def shrink(self, train: int | None = None, val: int | None = None, test: int | None = None):
        """A smaller copy (the first examples of each split), e.g. for quick mode."""
        for name, n in (("train", train), ("val", val), ("test", test)):
            if n is not None:
                check_int(n, name, least=0)
        return replace(
            self,
            train=self.train if train is None else self.train.subset(train),
            val=self.val if val is None else self.val.subset(val),
            test=self.test if test is None else self.test.subset(test),
        )

    def __repr__(self) -> str:
        c, h, w = self.input_shape
        return (
            f"Dataset({self.name!r}: {len(self.train)} train / {len(self.val)} val / "
            f"{len(self.test)} test images of {c}x{h}x{w}, {self.num_classes} classes)"
        )


def random_translate(
    x: torch.Tensor, pad: int, flip: bool = False, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Shift every image by up to ``pad`` pixels (zero padding), and flip half of them if asked.

    This is the standard CIFAR-10 augmentation ("pad 4, random crop 32, horizontal flip"), done
    for the whole batch at once with index arithmetic, on whatever device ``x`` lives on.
    """
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        raise ValueError(f"x must be a (N, C, H, W) tensor of images, got {shown(x)}")
    pad = check_int(pad, "pad", least=0, most=1024)
    check_bool(flip, "flip")
    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (pad, pad, pad, pad))
    offsets = torch.randint(0, 2 * pad + 1, (2, n), generator=generator).to(x.device)
    rows = offsets[0][:, None] + torch.arange(h, device=x.device)  # (n, h)
    cols = offsets[1][:, None] + torch.arange(w, device=x.device)  # (n, w)
    if flip:
        mirror = torch.rand(n, generator=generator).to(x.device) < 0.5
        cols = torch.where(mirror[:, None], cols.flip(1), cols)
    batch = torch.arange(n, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]
    # clone, not .contiguous(): with one channel, the permuted result already counts as
    # contiguous and .contiguous() keeps its strides (N*H*W, 1, W, 1); oneDNN's convolution
    # backward wrote outside its buffers with those (torch 2.13 CPU: the process aborted)
    return out.permute(0, 3, 1, 2).clone(memory_format=torch.contiguous_format)
