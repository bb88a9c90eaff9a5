"""Train and evaluate a network: the expensive step that a search space tries to make cheap.

``fit(model, data, epochs=...)`` trains with AdamW and a cosine learning-rate schedule, shows a
``tqdm`` progress bar, and returns a :class:`FitResult` with everything a search needs to record
(accuracies and losses per epoch, wall time, parameters, multiply-adds).

It trains in float32 everywhere, in the channels-last memory layout on CUDA GPUs and on x86
CPUs, where oneDNN's convolutions and PyTorch's pooling kernels trained the course's networks
faster in it (see :func:`channels_last`).  Mixed precision is there on request
(``precision="mixed"``, see :func:`mixed_precision`) but is *not* the default: the course's
networks are so small that a GPU spends its time launching kernels, not multiplying, and
autocast's extra cast kernels made them slower.  (The measurements behind both choices:
``benchmarks/README.md``.)

A budget is given in ``epochs`` or in wall-clock ``seconds``.  An epochs budget gives the same
numbers for the same seed on a fast or a loaded machine; a seconds budget (how architecture
searches are sometimes compared) depends on the machine and its load, and when it ends a run
early the result says so (``FitResult.stopped_by``) and a :class:`BudgetWarning` is shown.

CPU threads: ``fit`` trains with the thread count of nasedu's thread policy
(:mod:`nasedu.threads`: one thread for the course's small networks, every usable CPU for large
ones), unless you set ``OMP_NUM_THREADS`` or called ``torch.set_num_threads``.

Quick mode: set the environment variable ``NASEDU_QUICK=1`` and every fit shrinks the same way on
every machine: at most ``QUICK_EPOCHS`` epochs of at most ``QUICK_STEPS`` batches each, and
validation (and test) on at most ``QUICK_EVAL`` images -- so the notebooks run end to end in a
couple of minutes in continuous integration, with the same numbers on a fast or a loaded machine.
A safety cap of ``QUICK_SECONDS`` on the whole fit remains for pathological cases; it is reported
when it triggers.  Accuracies in quick mode say nothing about the architectures.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from contextlib import ExitStack, nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .data import Dataset, Split, random_translate
from .measure import count_macs, count_parameters
from .threads import describe_policy, thread_policy
from .train_checks import (
    check_device,
    check_evaluate_arguments,
    check_fit_arguments,
    diverged_advice,
)

__all__ = [
    "QUICK_EPOCHS",
    "QUICK_EVAL",
    "QUICK_SECONDS",
    "QUICK_STEPS",
    "BudgetWarning",
    "FitResult",
    "TrainingDiverged",
    "TrainingOutOfMemory",
    "channels_last",
    "describe_device",
    "device",
    "evaluate",
    "fit",
    "mixed_precision",
    "quick",
]

QUICK_EPOCHS = 2
"""Quick mode: epochs per fit at most."""
QUICK_STEPS = 8
"""Quick mode: training batches per epoch at most."""
QUICK_EVAL = 256
"""Quick mode: validation and test images at most (the first ones of each split)."""
QUICK_SECONDS = 120.0
"""Quick mode: a safety cap on the whole of one fit, in seconds (reported when it triggers;
the deterministic caps above should always end a fit long before it)."""
PRECISIONS = ("fp32", "bf16", "fp16")
"""The arithmetic ``fit`` can train in: float32, bfloat16 autocast, float16 autocast (and
``"mixed"``, which picks the device's own: :func:`mixed_precision`)."""


class BudgetWarning(UserWarning):
    """A seconds budget ended a training run before its epochs were done."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite: lower the learning rate (or check the architecture)."""


class TrainingOutOfMemory(RuntimeError):
    """The GPU ran out of memory: use a smaller batch, fewer channels or fewer cells."""


def quick() -> bool:
    """True when ``NASEDU_QUICK`` is set to a true value (CI and fast previews)."""
    return os.environ.get("NASEDU_QUICK", "").strip().lower() not in ("", "0", "false", "no")


def device(prefer: str | None = None) -> torch.device:
    """The best device here: CUDA, then Apple's MPS, then the CPU (or ``prefer`` if given)."""
    if prefer is not None:
        return check_device(prefer, "prefer", must_exist=False)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def mixed_precision(dev: torch.device | str | None = None) -> str:
    """The mixed-precision arithmetic ``dev``'s hardware computes fast (default: :func:`device`).

    What :func:`fit` trains in when asked for ``precision="mixed"``:

    * ``"bf16"`` -- bfloat16 autocast, on CUDA GPUs of compute capability 8.0 or newer (A100,
      H100, L4, RTX 30xx/40xx), whose tensor cores compute in bfloat16.  bfloat16 has
      float32's range, so it needs no loss scaling.
    * ``"fp16"`` -- float16 autocast with a gradient scaler, on CUDA GPUs of compute capability
      7.x (V100, and the T4 of Colab's free tier).  They have float16 tensor cores but only
      emulate bfloat16, more slowly than float32.  float16's small range needs the scaler: the
      loss is multiplied before ``backward`` so that small gradients do not round to 0.
    * ``"fp32"`` -- no mixed precision: CPUs, GPUs without tensor cores, Apple's MPS.  (A CPU
      can run bfloat16 autocast, ``precision="bf16"``, but it trained the course's networks
      more slowly than float32.)

    Mixed precision pays for *large* networks, whose time goes into arithmetic (the paper-size
    DARTS network, ``zoo.network("darts_v2")``).  The course's small networks are
    launch-bound: on a GPU, bf16 trained the notebooks' networks, and even DARTS V2 with 16
    channels, more slowly than float32 (the measurements: ``benchmarks/README.md``).
    """
    dev = check_device(dev, must_exist=False) or device()
    if dev.type != "cuda":
        return "fp32"
    major, _ = torch.cuda.get_device_capability(dev)
    if major >= 8:
        return "bf16"
    return "fp16" if major == 7 else "fp32"


def channels_last(dev: torch.device | str | None = None) -> bool:
    """Whether :func:`fit` stores images and weights channels-last (NHWC) on ``dev``.

    A convolution reads, for every pixel, all channels of a neighbourhood; stored channels-last,
    those channels lie next to each other in memory and vector units process them together.
    True on CUDA (cuDNN's tensor-core convolutions work in NHWC) and on x86 CPUs with oneDNN,
    where it trained the course's networks faster than the default NCHW layout (max-pooling
    gained most; the measurements: ``benchmarks/README.md``).  False elsewhere (Apple's MPS,
    ARM CPUs), where it was not measured.  Pass ``channels_last=`` to :func:`fit` to choose
    yourself.
    """
    import platform

    dev = check_device(dev, must_exist=False) or device()
    if dev.type == "cuda":
        return True
    if dev.type == "cpu":
        x86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")
        return x86 and torch.backends.mkldnn.is_available()
    return False


def describe_device(dev: torch.device | str | None = None) -> str:
    """One line for the top of a notebook: where :func:`fit` trains, and in which layout.

    For example ``"cuda (Tesla T4, fp32, channels-last)"`` or, on a CPU, the thread policy
    (:func:`nasedu.threads.describe_policy`): ``"cpu (1 thread, 2 for large networks; 2 usable
    CPUs; fp32)"``.
    """
    dev = check_device(dev, must_exist=False) or device()
    layout = ", channels-last" if channels_last(dev) else ""
    if dev.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(dev)}, fp32{layout})"
    if dev.type == "cpu":
        return f"cpu ({describe_policy()}; fp32{layout})"
    return f"{dev.type} (fp32{layout})"


def _memory_format(
    use_channels_last: bool | None, dev: torch.device, arithmetic: str
) -> torch.memory_format:
    if use_channels_last is None:
        # CPU autocast in channels-last turned a sampled chain's loss into NaN in its first
        # epoch (torch 2.13, oneDNN; the first such run in a process, every time -- a second
        # run trained), where NCHW trained it: mixed precision on a CPU, which only a
        # demonstration asks for, keeps NCHW unless told otherwise
        cpu_autocast = dev.type == "cpu" and arithmetic != "fp32"
        use_channels_last = channels_last(dev) and not cpu_autocast
    return torch.channels_last if use_channels_last else torch.contiguous_format


def _check_precision(value: str | None, dev: torch.device) -> str:
    if value is None:
        return "fp32"
    if value == "mixed":
        return mixed_precision(dev)
    if value not in PRECISIONS:
        choices = ", ".join((*PRECISIONS, "mixed"))
        raise ValueError(f"unknown precision {value!r}; use one of {choices}")
    return value


@dataclass
class FitResult:
    """What one training run produced (``to_dict()`` gives plain JSON data)."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    test_accuracy: float | None = None
    seconds: float = 0.0
    epochs: int = 0
    params: int = 0
    macs: int = 0
    device: str = "cpu"
    precision: str = "fp32"
    channels_last: bool = False
    threads: int | None = None
    stopped_by: str = "epochs"
    """What ended the run: ``"epochs"`` (its epoch budget), ``"seconds"`` (its seconds budget,
    possibly mid-epoch) or ``"quick-seconds"`` (quick mode's safety cap, ``QUICK_SECONDS``)."""

    @property
    def final_val_accuracy(self) -> float:
        """Validation accuracy after the last epoch (what a search should rank by)."""
        return self.val_accuracy[-1] if self.val_accuracy else float("nan")

    @property
    def best_val_accuracy(self) -> float:
        return max(self.val_accuracy) if self.val_accuracy else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _augment(x: torch.Tensor, kind: str, generator: torch.Generator) -> torch.Tensor:
    if kind == "none":
        return x
    if kind == "translate":
        return random_translate(x, pad=max(1, x.shape[-1] // 8), generator=generator)
    if kind == "crop-flip":
        return random_translate(x, pad=4, flip=True, generator=generator)
    raise ValueError(f"unknown augmentation {kind!r}; use 'none', 'translate' or 'crop-flip'")


def _autocast(dev: torch.device, arithmetic: str):
    if arithmetic == "fp32":
        return nullcontext()
    dtype = torch.bfloat16 if arithmetic == "bf16" else torch.float16
    return torch.autocast(dev.type, dtype=dtype)


def _logits(output: Any) -> torch.Tensor:
    """Networks with an auxiliary head return ``(logits, aux_logits)`` while training."""
    return output[0] if isinstance(output, tuple) else output


@torch.no_grad()
def evaluate(
    model: nn.Module,
    split: Split,
    batch_size: int = 512,
    dev: torch.device | None = None,
    precision: str | None = None,
    channels_last: bool | None = None,
) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy of ``model`` on ``split`` (in eval mode).

    ``precision`` and ``channels_last`` default to what :func:`fit` uses on the model's
    device.  Bad arguments raise a ValueError naming them (:mod:`nasedu.train_checks`)."""
    check_evaluate_arguments(model, split, batch_size, dev, precision, channels_last)
    return _evaluate(model, split, batch_size, dev, precision, channels_last)


@torch.no_grad()
def _evaluate(
    model: nn.Module,
    split: Split,
    batch_size: int = 512,
    dev: torch.device | str | None = None,
    precision: str | None = None,
    channels_last: bool | None = None,
) -> tuple[float, float]:
    """:func:`evaluate` without the argument checks (``fit`` has checked them already)."""
    dev = torch.device(dev) if dev is not None else next(model.parameters()).device
    arithmetic = _check_precision(precision, dev)
    split = split.to(dev)
    was_training = model.training
    model.eval()
    loss_sum = torch.zeros((), device=dev)
    correct = torch.zeros((), device=dev, dtype=torch.long)
    memory_format = _memory_format(channels_last, dev, arithmetic)
    with _autocast(dev, arithmetic):
        for x, y in split.batches(batch_size):
            logits = _logits(model(x.contiguous(memory_format=memory_format))).float()
            loss_sum += F.cross_entropy(logits, y, reduction="sum")
            correct += (logits.argmax(1) == y).sum()
    model.train(was_training)
    return loss_sum.item() / len(split), correct.item() / len(split)


def fit(
    model: nn.Module,
    data: Dataset,
    epochs: int | None = None,
    seconds: float | None = None,
    *,
    batch_size: int = 64,
    lr: float = 3e-3,
    weight_decay: float = 5e-4,
    label_smoothing: float = 0.0,
    auxiliary_weight: float = 0.4,
    augment: str | None = None,
    test: bool = False,
    dev: torch.device | str | None = None,
    precision: str | None = None,
    channels_last: bool | None = None,
    seed: int = 0,
    progress: bool = True,
    desc: str = "training",
) -> FitResult:
    """Train ``model`` on ``data.train``; report validation accuracy after every epoch.

    Give the budget as ``epochs`` or ``seconds`` (both: whichever ends first; neither: 10
    epochs).  A ``seconds`` budget is checked after every batch, so the last epoch may be
    partial; it is still evaluated and counted in ``epochs``.  Put the data on the device once
    (``data.to(device())``) when you train many networks on it.

    ``augment`` defaults to the data set's own (``data.augment``).  ``test=True`` also reports
    the test accuracy at the end -- do that once, for the final architecture, never during a
    search.  Models that return ``(logits, aux_logits)`` while training (an auxiliary
    head) get ``auxiliary_weight`` times the auxiliary loss added.  ``precision`` is ``"fp32"``
    (the default), ``"bf16"``, ``"fp16"`` (with a gradient scaler) or ``"mixed"``: what the
    device computes fast, see :func:`mixed_precision`.  The memory layout (``channels_last``)
    defaults to the faster one for the device, see :func:`channels_last` (but NCHW under
    autocast on a CPU, where channels-last made a chain diverge).  Both change the
    order of floating-point sums: to reproduce a run exactly, use the same settings.

    Raises :class:`TrainingDiverged` on a NaN/inf loss and :class:`TrainingOutOfMemory` when
    the GPU runs out of memory, each with advice on what to change.  Before any of that, a bad
    argument raises a ``ValueError`` naming it: a model built for other images or another number
    of classes, NaN in the data, labels out of range, ``epochs=2.5`` (see
    :mod:`nasedu.train_checks`).
    """
    check_fit_arguments(**locals())  # here locals() are the arguments: refuse bad ones first
    from tqdm.auto import tqdm

    budget = _Budget.start(epochs, seconds)  # the clock starts here: set-up counts too
    dev = torch.device(dev) if dev is not None else device()
    arithmetic = _check_precision(precision, dev)
    torch.manual_seed(seed)  # the network's own randomness (dropout, drop-path)
    generator = torch.Generator().manual_seed(int(seed))  # batch order and augmentation
    result = FitResult(
        params=count_parameters(model, auxiliary=False),
        macs=count_macs(model, data.input_shape),
        device=str(dev),
        precision=arithmetic,
    )
    memory_format = _memory_format(channels_last, dev, arithmetic)
    result.channels_last = memory_format == torch.channels_last
    model.to(dev, memory_format=memory_format)
    train, val = _splits_on(data, dev, budget.quick)
    steps_per_epoch = _steps_per_epoch(len(train), batch_size, budget.quick)
    optimizer, scaler, schedule = _optimizer(
        model, lr, weight_decay, arithmetic, dev, budget.epochs, steps_per_epoch
    )
    trainer = _Trainer(
        model=model,
        optimizer=optimizer,
        scaler=scaler,
        schedule=schedule,
        dev=dev,
        arithmetic=arithmetic,
        memory_format=memory_format,
        augment=data.augment if augment is None else augment,
        generator=generator,
        label_smoothing=label_smoothing,
        auxiliary_weight=auxiliary_weight,
    )

    threads = ExitStack()  # nasedu's thread count on a CPU (nasedu.threads), restored at the end
    if dev.type == "cpu":
        result.threads = threads.enter_context(thread_policy(result.macs * batch_size))
    bar = tqdm(total=budget.epochs, desc=desc, unit="epoch", disable=not progress, leave=False)
    try:
        while result.stopped_by == "epochs":
            train_loss, train_accuracy = _train_epoch(
                trainer, train, batch_size, steps_per_epoch, budget, result
            )
            result.epochs += 1
            if not math.isfinite(train_loss):
                raise TrainingDiverged(diverged_advice(train_loss, result.epochs, lr, data))
            val_loss, val_accuracy = _evaluate(
                model, val, dev=dev, precision=arithmetic, channels_last=result.channels_last
            )
            _record_epoch(result, train_loss, train_accuracy, val_loss, val_accuracy)
            bar.update(1)
            bar.set_postfix(loss=f"{train_loss:.3f}", val_acc=f"{val_accuracy:.3f}")
            if budget.epochs_spent(result.epochs):
                break
        if test:
            result.test_accuracy = _test_accuracy(model, data, dev, arithmetic, result, budget)
    except torch.cuda.OutOfMemoryError as error:  # = torch.OutOfMemoryError since torch 2.5
        raise _out_of_memory(dev, result.params, batch_size) from error
    finally:
        bar.close()
        threads.close()
    result.seconds = budget.elapsed()
    _report_cut_short(result, desc, budget.epochs, budget.seconds)
    return result


# -- the steps of fit, in the order it takes them -------------------------------------------------
@dataclass
class _Budget:
    """How long one fit may train: ``epochs`` and/or ``seconds``, and quick mode's caps.

    A seconds budget is measured from ``started`` (before any set-up) and checked after every
    batch; an epochs budget is checked after every epoch.  Quick mode (:func:`quick`) lowers the
    epochs to ``QUICK_EPOCHS`` and adds the ``QUICK_SECONDS`` safety cap.
    """

    epochs: int | None
    seconds: float | None
    quick: bool
    started: float

    @classmethod
    def start(cls, epochs: int | None, seconds: float | None) -> _Budget:
        """The budget of a fit given ``epochs`` and ``seconds`` (neither: 10 epochs); starts
        the clock."""
        if epochs is None and seconds is None:
            epochs = 10
        if epochs is not None and epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {epochs}")
        if seconds is not None and seconds <= 0:
            raise ValueError(f"seconds must be positive, got {seconds}")
        started = time.perf_counter()
        quick_mode = quick()
        if quick_mode:  # the same reductions on every machine: the same numbers under any load
            epochs = QUICK_EPOCHS if epochs is None else min(epochs, QUICK_EPOCHS)
        return cls(epochs, seconds, quick_mode, started)

    def elapsed(self) -> float:
        """Seconds since the fit started."""
        return time.perf_counter() - self.started

    def epochs_spent(self, epochs_done: int) -> bool:
        """Whether ``epochs_done`` epochs use up an epochs budget."""
        return self.epochs is not None and epochs_done >= self.epochs

    def stopped_by(self) -> str:
        """``"epochs"`` while the run may go on, else the seconds budget that has ended it."""
        elapsed = self.elapsed()
        if self.seconds is not None and elapsed >= self.seconds:
            return "seconds"
        if self.quick and elapsed >= QUICK_SECONDS:
            return "quick-seconds"
        return "epochs"


def _splits_on(data: Dataset, dev: torch.device, quick_mode: bool) -> tuple[Split, Split]:
    """The training and validation splits, moved to ``dev`` (a no-op when they are there
    already).  Quick mode validates on the first ``QUICK_EVAL`` images only."""
    train, val = data.train.to(dev), data.val.to(dev)
    return train, val.subset(QUICK_EVAL) if quick_mode else val


def _steps_per_epoch(images: int, batch_size: int, quick_mode: bool) -> int:
    """Batches in one epoch: enough to see every training image once (at most
    ``QUICK_STEPS`` in quick mode)."""
    steps = math.ceil(images / batch_size)
    return min(steps, QUICK_STEPS) if quick_mode else steps


def _optimizer(
    model: nn.Module,
    lr: float,
    weight_decay: float,
    arithmetic: str,
    dev: torch.device,
    epochs: int | None,
    steps_per_epoch: int,
) -> tuple[torch.optim.Optimizer, torch.amp.GradScaler, Any]:
    """AdamW, a gradient scaler and a cosine learning-rate schedule.

    The schedule lowers the learning rate from ``lr`` to 0 along half a cosine over all the
    steps of the budget; a seconds-only budget has no known end, so it keeps ``lr`` (the
    schedule is None).  float16 gradients underflow without loss scaling; the scaler is a no-op
    in any other arithmetic."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    scaler = torch.amp.GradScaler(dev.type, enabled=arithmetic == "fp16")
    schedule = (
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch)
        if epochs is not None
        else None
    )
    return optimizer, scaler, schedule


@dataclass
class _Trainer:
    """Everything one training step needs, fixed for the whole fit."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    schedule: Any
    dev: torch.device
    arithmetic: str
    memory_format: torch.memory_format
    augment: str
    generator: torch.Generator
    label_smoothing: float
    auxiliary_weight: float

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Forward pass on one batch: ``(loss, logits)``.  A network with an auxiliary head
        returns ``(logits, aux_logits)`` while training; its loss adds ``auxiliary_weight``
        times the auxiliary head's."""
        with _autocast(self.dev, self.arithmetic):
            output = self.model(x)
            logits = _logits(output).float()
            loss = F.cross_entropy(logits, y, label_smoothing=self.label_smoothing)
            if isinstance(output, tuple) and output[1] is not None:
                loss = loss + self.auxiliary_weight * F.cross_entropy(output[1].float(), y)
        return loss, logits

    def step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimisation step on the batch ``(x, y)``: augment, forward, backward, clip the
        gradient norm to 5, update, advance the schedule.  Returns ``(loss, logits)``."""
        x = _augment(x, self.augment, self.generator).contiguous(memory_format=self.memory_format)
        loss, logits = self.loss(x, y)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)  # clip the true gradients, not the scaled ones
        nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
        self.scaler.step(self.optimizer)  # skipped when a float16 gradient overflowed
        self.scaler.update()
        if self.schedule is not None:
            with warnings.catch_warnings():  # the scaler skipped a step: that is fine
                warnings.filterwarnings("ignore", message=r"Detected call of `lr_sched")
                self.schedule.step()
        return loss, logits


def _train_epoch(
    trainer: _Trainer,
    train: Split,
    batch_size: int,
    steps: int,
    budget: _Budget,
    result: FitResult,
) -> tuple[float, float]:
    """One epoch: at most ``steps`` shuffled batches of ``train``, then the mean training loss
    and accuracy over the images seen.

    The budget is checked after every batch: when a seconds budget runs out, the epoch ends
    there and ``result.stopped_by`` says which budget ended it (the partial epoch is still
    evaluated).  Sums stay on the device until the end, so the GPU never waits for Python."""
    trainer.model.train()
    loss_sum = torch.zeros((), device=trainer.dev)
    correct = torch.zeros((), device=trainer.dev, dtype=torch.long)
    seen = 0
    batches = train.batches(batch_size, shuffle=True, generator=trainer.generator, min_size=2)
    for step, (x, y) in enumerate(batches, start=1):
        loss, logits = trainer.step(x, y)
        loss_sum += loss.detach() * len(y)
        correct += (logits.detach().argmax(1) == y).sum()
        seen += len(y)
        result.stopped_by = budget.stopped_by()
        if result.stopped_by != "epochs" or step >= steps:
            break  # a seconds budget may end mid-epoch: evaluate what we have
    return loss_sum.item() / max(seen, 1), correct.item() / max(seen, 1)


def _record_epoch(
    result: FitResult,
    train_loss: float,
    train_accuracy: float,
    val_loss: float,
    val_accuracy: float,
) -> None:
    """Append one epoch's numbers to the learning curves of ``result``."""
    result.train_loss.append(train_loss)
    result.train_accuracy.append(train_accuracy)
    result.val_loss.append(val_loss)
    result.val_accuracy.append(val_accuracy)


def _test_accuracy(
    model: nn.Module,
    data: Dataset,
    dev: torch.device,
    arithmetic: str,
    result: FitResult,
    budget: _Budget,
) -> float:
    """Accuracy on the test split (its first ``QUICK_EVAL`` images in quick mode), in the
    arithmetic and memory layout of the training."""
    test_split = data.test.to(dev)
    test_split = test_split.subset(QUICK_EVAL) if budget.quick else test_split
    return _evaluate(
        model, test_split, dev=dev, precision=arithmetic, channels_last=result.channels_last
    )[1]


def _out_of_memory(dev: torch.device, params: int, batch_size: int) -> TrainingOutOfMemory:
    """The error for a device that ran out of memory, saying what to change."""
    return TrainingOutOfMemory(
        f"the {dev} device ran out of memory training a {params:,}-parameter model "
        f"with batch size {batch_size}; try batch_size={max(1, batch_size // 2)} or a "
        "smaller network"
    )


def _report_cut_short(result: FitResult, desc: str, epochs: int | None, seconds: float | None):
    """Warn (:class:`BudgetWarning`) when a seconds budget ended a run before its epochs."""
    if result.stopped_by == "epochs" or (epochs is None and result.stopped_by == "seconds"):
        return  # a seconds-only budget ending the run is the budget doing its job
    cap = (
        f"{seconds:g} s budget"
        if result.stopped_by == "seconds"
        else (f"quick mode's {QUICK_SECONDS:g} s safety cap (QUICK_SECONDS)")
    )
    warnings.warn(
        f"{desc}: the {cap} ended training after {result.seconds:.1f} s, in epoch "
        f"{result.epochs} of {epochs}; its numbers depend on this machine's speed and load "
        "(give an epochs budget alone for reproducible numbers)",
        BudgetWarning,
        stacklevel=3,
    )
