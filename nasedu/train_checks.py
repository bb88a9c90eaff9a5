"""The arguments of :func:`nasedu.train.fit` and :func:`nasedu.train.evaluate`, checked first.

Training is the slow step, and torch reports most mistakes late and obscurely: a model built for
3-channel images fails inside its first convolution with a matrix-shape message, a float label
inside the loss, ``batch_size=0`` inside ``range``, a NaN time budget never ends.  So ``fit``
and ``evaluate`` call the functions below before anything else.  Each mistake becomes a short
``ValueError`` naming the argument, what was given and what is allowed -- including one tiny
forward pass of two training images (in eval mode, without gradients: it changes nothing) that
finds a model built for another image shape or another number of classes.

Checking that the images hold no NaN reads every pixel once; the result is remembered per
tensor (until the tensor is changed in place), so a search training hundreds of networks on the
same data pays for it once.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
from torch import nn

from .checks import brief, cap, check_bool, check_int, check_real, check_seed, shown
from .data import Dataset, Split
from .data.dataset import check_device  # where it lives: data uses it too

__all__ = [
    "AUGMENTATIONS",
    "check_device",
    "check_evaluate_arguments",
    "check_fit_arguments",
    "diverged_advice",
]

AUGMENTATIONS = ("none", "translate", "crop-flip")
PRECISION_NAMES = ("fp32", "bf16", "fp16", "mixed")
#: limits that only a typo reaches (a week of training, a million epochs)
MAX_SECONDS = 7 * 24 * 3600.0
MAX_EPOCHS = 1_000_000
MAX_BATCH = 2**31 - 1

# what was found about a tensor: id -> (weak reference, version counter then, finding).
# Images: None once found finite; labels: (smallest, largest).  In-place changes increment the
# version counter, so a changed tensor is checked again.
_SEEN: dict[int, tuple[weakref.ref, int, Any]] = {}
_UNSEEN = object()


def _remembered(tensor: torch.Tensor) -> Any:
    entry = _SEEN.get(id(tensor))
    if entry is not None and entry[0]() is tensor and entry[1] == tensor._version:
        return entry[2]
    return _UNSEEN


def _remember(tensor: torch.Tensor, finding: Any) -> None:
    key = id(tensor)
    forget = weakref.ref(tensor, lambda _, key=key: _SEEN.pop(key, None))
    _SEEN[key] = (forget, tensor._version, finding)


def _check_model(model: Any) -> None:
    if not isinstance(model, nn.Module):
        raise ValueError(
            f"model must be a torch.nn.Module (e.g. space.build(g)), got {shown(model)}"
        )
    params = list(model.parameters())
    if not params:
        raise ValueError("model has no parameters: there is nothing to train or to place")
    for p in params:
        if p.device.type == "meta":
            raise ValueError("model's weights are on the meta device (shapes only, no values)")
        if not p.is_floating_point():
            raise ValueError(f"model has a parameter of dtype {p.dtype}; weights must be floats")
        if not bool(torch.isfinite(p.detach()).all()):
            raise ValueError(
                "model's weights already hold NaN or infinite values (a run that diverged "
                "leaves them so): build a fresh model"
            )


def _check_split(split: Any, name: str) -> Split:
    if isinstance(split, Dataset):
        raise ValueError(
            f"{name} must be one split of a data set, e.g. data.val, got the whole Dataset "
            f"{split.name!r}"
        )
    if not isinstance(split, Split):
        raise ValueError(f"{name} must be a nasedu.data.Split, e.g. data.val; got {shown(split)}")
    return split


def _check_values(split: Split, name: str, num_classes: int) -> None:
    """Floating images without NaN or inf, and int64 labels in ``[0, num_classes)``."""
    x, y = split.x, split.y
    if not x.is_floating_point():
        raise ValueError(f"{name}.x must hold floating-point images, got dtype {x.dtype}")
    if y.dtype != torch.int64 or y.ndim != 1:
        raise ValueError(
            f"{name}.y must be a 1-d tensor of int64 class labels, got dtype {y.dtype} and shape "
            f"{tuple(y.shape)} (whole-number labels convert with y.long())"
        )
    if len(split) == 0:
        return
    if _remembered(x) is _UNSEEN:
        # one pass without temporaries: the sum of finite values is finite unless it
        # overflows; only then are the values counted one by one
        # (isfinite alone builds a boolean copy of the images and is far slower: the timing is
        # in benchmarks/README.md)
        bad = 0 if bool(torch.isfinite(x.sum())) else int(torch.isfinite(x).logical_not_().sum())
        if bad:
            raise ValueError(
                f"{name}.x holds {bad:,} NaN or infinite pixel value(s): the data, not the "
                "learning rate, would make training diverge; clean or re-load the data"
            )
        _remember(x, None)
    if _remembered(y) is _UNSEEN:
        _remember(y, (int(y.min()), int(y.max())))
    cached = _remembered(y)
    low, high = cached
    if low < 0 or high >= num_classes:
        raise ValueError(
            f"{name}.y holds labels from {low} to {high}, but the classes are "
            f"0..{num_classes - 1} (num_classes={num_classes})"
        )


def _probe(model: nn.Module, split: Split, name: str) -> int:
    """Run the model on two images of ``split`` (eval mode, no gradients); returns the number
    of scores (classes) it outputs per image."""
    param = next(model.parameters())
    x = split.x[:2].to(param.device)
    shape = "x".join(str(s) for s in split.x.shape[1:])
    if x.dtype != param.dtype:
        raise ValueError(
            f"{name}.x holds {x.dtype} images but the model's weights are {param.dtype}; "
            f"convert one of them (e.g. x.float())"
        )
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            output = model(x)
    except torch.OutOfMemoryError:
        raise
    except RuntimeError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        expects = next((m.in_channels for m in model.modules() if isinstance(m, nn.Conv2d)), None)
        hint = f"; its first convolution takes {expects} channel(s)" if expects else ""
        raise ValueError(
            cap(
                f"the model does not accept {name}'s {shape} images{hint} (torch: {first}); "
                "build it for this data: space.build(g, input_shape=data.input_shape, "
                "num_classes=data.num_classes)"
            )
        ) from error
    finally:
        model.train(was_training)
    logits = output[0] if isinstance(output, tuple) else output
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or logits.shape[0] != len(x):
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else shown(logits)
        raise ValueError(
            f"the model must return class scores of shape (batch, classes); for {len(x)} images "
            f"it returned {got}"
        )
    return int(logits.shape[1])


def _check_precision_and_layout(precision: Any, channels_last: Any) -> None:
    if precision is not None and (
        not isinstance(precision, str) or precision not in PRECISION_NAMES
    ):
        raise ValueError(
            f"unknown precision {brief(precision)}; use one of fp32, bf16, fp16, mixed"
        )
    if channels_last is not None:
        check_bool(channels_last, "channels_last")


def check_fit_arguments(
    model: Any, data: Any, epochs: Any = None, seconds: Any = None, **options: Any
) -> None:
    """Check every argument of :func:`nasedu.train.fit`, given by their names.

    Raises ValueError naming the first bad argument; returns None when all are good."""
    if epochs is not None:
        check_int(epochs, "epochs", least=1, most=MAX_EPOCHS)
    if seconds is not None:
        check_real(seconds, "seconds (the time budget)", above=0, most=MAX_SECONDS)
    _check_scalar_options(options)
    _check_model(model)
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameters (every one has requires_grad=False)")
    if isinstance(data, Split):
        raise ValueError(
            "data must be the whole Dataset (fit trains on data.train and validates on "
            "data.val): call fit(model, data), not fit(model, data.train)"
        )
    if not isinstance(data, Dataset):
        raise ValueError(
            f"data must be a nasedu.data.Dataset (nasedu.data.load()); got {shown(data)}"
        )
    if len(data.train) < 2:
        raise ValueError(
            f"data.train holds {len(data.train)} image(s); fit needs at least 2 (a batch of one "
            "cannot be batch-normalised)"
        )
    if len(data.val) == 0:
        raise ValueError("data.val is empty: fit reports the validation accuracy of every epoch")
    if options.get("test") and len(data.test) == 0:
        raise ValueError("data.test is empty, but test=True asks for the test accuracy")
    splits = [("data.train", data.train), ("data.val", data.val)]
    splits += [("data.test", data.test)] if options.get("test") else []
    for name, split in splits:
        _check_values(split, name, data.num_classes)
    outputs = _probe(model, data.train, "data.train")
    if outputs != data.num_classes:
        raise ValueError(
            f"the model outputs {outputs} class score(s) per image but the data set has "
            f"{data.num_classes} classes; build it with num_classes=data.num_classes"
        )


def _check_scalar_options(options: dict[str, Any]) -> None:
    check_int(options["batch_size"], "batch_size", least=2, most=MAX_BATCH)
    check_real(options["lr"], "lr (the learning rate)", above=0, most=10)
    check_real(options["weight_decay"], "weight_decay", least=0, most=10)
    check_real(options["label_smoothing"], "label_smoothing", least=0, below=1)
    check_real(options["auxiliary_weight"], "auxiliary_weight", least=0, most=100)
    augment = options["augment"]
    if augment is not None and (not isinstance(augment, str) or augment not in AUGMENTATIONS):
        raise ValueError(
            f"unknown augmentation {brief(augment)}; augment must be None (the data set's own) "
            "or one of 'none', 'translate', 'crop-flip'"
        )
    check_bool(options["test"], "test")
    check_bool(options["progress"], "progress")
    check_device(options["dev"])
    _check_precision_and_layout(options["precision"], options["channels_last"])
    check_seed(options["seed"])
    if not isinstance(options["desc"], str) or len(options["desc"]) > 200:
        raise ValueError(
            f"desc (the progress bar's label) must be a short string, got {shown(options['desc'])}"
        )


def check_evaluate_arguments(
    model: Any,
    split: Any,
    batch_size: Any,
    dev: Any,
    precision: Any,
    channels_last: Any,
) -> None:
    """Check the arguments of :func:`nasedu.train.evaluate`; ValueError naming the bad one."""
    split = _check_split(split, "split")
    check_int(batch_size, "batch_size", least=1, most=MAX_BATCH)
    dev = check_device(dev)
    _check_precision_and_layout(precision, channels_last)
    _check_model(model)
    if dev is not None:
        where = next(model.parameters()).device
        if where.type != dev.type or (dev.index is not None and where.index != dev.index):
            raise ValueError(
                f"the model is on {where} but dev={str(dev)!r}: move it first (model.to(dev))"
            )
    if len(split) == 0:
        raise ValueError("split is empty: there is nothing to evaluate")
    outputs = _probe(model, split, "split")
    _check_values(split, "split", outputs)


def diverged_advice(train_loss: float, epoch: int, lr: float, data: Dataset) -> str:
    """The message of :class:`nasedu.train.TrainingDiverged`: what went wrong and what to try.

    The data were checked for NaN before training; huge but finite pixel values overflow too,
    and then a smaller learning rate would not help."""
    largest = float(data.train.x.abs().max()) if len(data.train) else 0.0
    if largest > 1e4:
        return (
            f"the training loss became {train_loss} in epoch {epoch}: the images hold values "
            f"as large as {largest:.3g}; standardise them (mean 0, standard deviation 1)"
        )
    return (
        f"the training loss became {train_loss} in epoch {epoch} (learning rate {lr}); "
        f"try a smaller lr, e.g. lr={lr / 10:g}"
    )
