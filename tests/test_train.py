"""Training: fit/evaluate on real data, budgets, quick mode, and clear errors."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nasedu import data
from nasedu import threads as threads_module
from nasedu import train as train_module
from nasedu.spaces import ChainSpace, available_spaces, get_space
from nasedu.threads import describe_policy
from nasedu.train import (
    QUICK_EPOCHS,
    QUICK_EVAL,
    QUICK_STEPS,
    BudgetWarning,
    TrainingDiverged,
    TrainingOutOfMemory,
    channels_last,
    describe_device,
    device,
    evaluate,
    fit,
    mixed_precision,
    quick,
)


def small_cnn(num_classes: int = 10) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1, stride=2),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(32, num_classes),
    )


@pytest.fixture
def digits():
    return data.load("digits")


def test_device_prefers_what_is_there():
    assert device().type in ("cuda", "mps", "cpu")
    assert device("cpu") == torch.device("cpu")


def test_fit_learns_digits_and_reports_everything(digits, monkeypatch):
    monkeypatch.delenv("NASEDU_QUICK", raising=False)
    torch.manual_seed(0)
    result = fit(small_cnn(), digits, epochs=4, progress=False, test=True)
    assert result.epochs == 4
    assert len(result.val_accuracy) == len(result.train_loss) == 4
    assert result.final_val_accuracy > 0.7  # chance is 0.1
    assert result.train_loss[-1] < result.train_loss[0]
    assert result.test_accuracy is not None and result.test_accuracy > 0.7
    assert result.params == sum(p.numel() for p in small_cnn().parameters())
    assert result.macs > 0 and result.seconds > 0 and result.device == str(device())
    assert set(result.to_dict()) >= {"val_accuracy", "params", "macs", "seconds"}


def test_fit_with_a_seconds_budget_stops_mid_epoch(digits, monkeypatch):
    monkeypatch.delenv("NASEDU_QUICK", raising=False)
    calls = []

    class Counting(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = small_cnn()

        def forward(self, x):
            calls.append(len(x)) if self.training else None
            return self.net(x)

    result = fit(Counting(), digits, seconds=1e-9, batch_size=8, progress=False)
    assert result.epochs == 1 and len(result.val_accuracy) == 1  # the partial epoch is evaluated
    assert len(calls) == 1  # the budget is checked after every batch, not every epoch


def test_a_last_batch_of_one_image_is_skipped(digits):
    """Batch norm cannot normalise one example at 1x1 resolution; such a batch must not crash."""
    squeeze = nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=8, padding=1),  # 8x8 -> 1x1
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8, 10),
    )
    result = fit(squeeze, digits.shrink(train=65), epochs=1, batch_size=64, progress=False)
    assert result.epochs == 1


class CountingBatches(nn.Module):
    """small_cnn that records the size of every training batch it sees."""

    def __init__(self):
        super().__init__()
        self.net = small_cnn()
        self.batches: list[int] = []

    def forward(self, x):
        if self.training:
            self.batches.append(len(x))
        return self.net(x)


def test_quick_mode_shrinks_every_fit_the_same_way(digits, monkeypatch):
    """Epochs, batches per epoch and evaluated images are capped -- counts, not seconds."""
    monkeypatch.setenv("NASEDU_QUICK", "1")
    assert quick()
    model = CountingBatches()
    result = fit(model, digits, epochs=50, batch_size=16, progress=False, test=True)
    assert result.epochs == QUICK_EPOCHS and result.stopped_by == "epochs"
    assert model.batches == [16] * (QUICK_STEPS * QUICK_EPOCHS)
    # validation and test on the first QUICK_EVAL images of each split
    assert len(digits.val) > QUICK_EVAL and len(digits.test) > QUICK_EVAL
    assert result.val_loss[-1] == pytest.approx(evaluate(model, digits.val.subset(QUICK_EVAL))[0])
    assert result.test_accuracy == evaluate(model, digits.test.subset(QUICK_EVAL))[1]
    seconds_only = fit(small_cnn(), digits.shrink(train=64), seconds=1e5, progress=False)
    assert seconds_only.epochs == QUICK_EPOCHS  # a seconds-only budget gets the epoch cap too
    monkeypatch.setenv("NASEDU_QUICK", "0")
    assert not quick()


def test_quick_mode_gives_the_same_numbers_as_the_same_reduced_run(digits, monkeypatch):
    """Quick mode is a deterministic reduction: the same run as a full-mode fit on the
    reduced data, so its numbers cannot depend on the machine's speed or load."""
    small = digits.shrink(train=QUICK_STEPS * 32, val=QUICK_EVAL)
    monkeypatch.setenv("NASEDU_QUICK", "0")
    torch.manual_seed(0)
    full = fit(small_cnn(), small, epochs=QUICK_EPOCHS, batch_size=32, progress=False)
    monkeypatch.setenv("NASEDU_QUICK", "1")
    torch.manual_seed(0)
    quick_run = fit(small_cnn(), digits, epochs=9, batch_size=32, progress=False)
    # the first QUICK_STEPS batches of a shuffled epoch of `digits` differ from `small`'s, so
    # compare a quick run with a quick run on data that quick mode does not cut
    torch.manual_seed(0)
    quick_small = fit(small_cnn(), small, epochs=9, batch_size=32, progress=False)
    assert quick_small.val_accuracy == full.val_accuracy
    assert quick_small.train_loss == full.train_loss
    assert len(quick_run.val_accuracy) == QUICK_EPOCHS


def test_quick_modes_safety_cap_is_reported(digits, monkeypatch):
    """The seconds safety cap (never reached by a normal quick fit) says when it ends a run;
    set to 0 here, so that it triggers after the first batch on any machine."""
    monkeypatch.setenv("NASEDU_QUICK", "1")
    monkeypatch.setattr(train_module, "QUICK_SECONDS", 0.0)
    model = CountingBatches()
    with pytest.warns(BudgetWarning, match="safety cap"):
        result = fit(model, digits, epochs=2, batch_size=16, progress=False, desc="capped")
    assert result.stopped_by == "quick-seconds" and result.epochs == 1
    assert len(model.batches) == 1 and len(result.val_accuracy) == 1


def test_a_seconds_budget_that_cuts_an_epochs_budget_short_says_so(digits, monkeypatch):
    monkeypatch.delenv("NASEDU_QUICK", raising=False)
    with pytest.warns(BudgetWarning, match=r"1e-09 s budget .* epoch 1 of 3"):
        result = fit(small_cnn(), digits, epochs=3, seconds=1e-9, progress=False)
    assert result.stopped_by == "seconds" and result.epochs == 1


def test_an_epochs_budget_says_it_ended_the_run(digits):
    result = fit(small_cnn(), digits.shrink(train=64), epochs=1, progress=False)
    assert result.stopped_by == "epochs"


def test_fit_uses_the_thread_policy_and_restores_the_count(digits, monkeypatch):
    """A small network trains on one thread (nasedu.threads) unless the user chose a count."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("NASEDU_THREADS", raising=False)
    before = torch.get_num_threads()
    monkeypatch.setattr(threads_module, "_torch_default", before)  # as if torch chose it
    monkeypatch.setattr(threads_module, "usable_cpus", lambda root=None: 4)
    result = fit(small_cnn(), digits.shrink(train=64), epochs=1, progress=False, dev="cpu")
    assert result.threads == 1 and torch.get_num_threads() == before
    monkeypatch.setattr(threads_module, "LARGE_MACS", 1)  # every network counts as large now
    result = fit(small_cnn(), digits.shrink(train=64), epochs=1, progress=False, dev="cpu")
    assert result.threads == 4 and torch.get_num_threads() == before
    monkeypatch.setenv("NASEDU_THREADS", "3")
    result = fit(small_cnn(), digits.shrink(train=64), epochs=1, progress=False, dev="cpu")
    assert result.threads == 3 and torch.get_num_threads() == before


def test_same_seed_same_result(digits):
    small = digits.shrink(train=200)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        runs.append(fit(small_cnn(), small, epochs=1, progress=False, seed=3).val_accuracy)
    assert runs[0] == runs[1]


def test_nan_loss_is_a_clear_error(digits):
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(64, 10)

        def forward(self, x):
            return self.linear(x.flatten(1)) * float("nan")

    with pytest.raises(TrainingDiverged, match="smaller lr"):
        fit(Broken(), digits.shrink(train=64), epochs=1, progress=False)


def test_out_of_memory_is_a_clear_error(digits):
    class Hungry(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(64, 10)

        def forward(self, x):
            if self.training:
                raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
            return self.linear(x.flatten(1))

    with pytest.raises(TrainingOutOfMemory, match="batch_size=32"):
        fit(Hungry(), digits.shrink(train=64), epochs=1, progress=False)


def test_auxiliary_logits_are_trained_and_ignored_in_evaluation(digits):
    class WithAux(nn.Module):
        def __init__(self):
            super().__init__()
            self.main = small_cnn()
            self.auxiliary = nn.Linear(64, 10)

        def forward(self, x):
            logits = self.main(x)
            return (logits, self.auxiliary(x.flatten(1))) if self.training else logits

    model = WithAux()
    before = model.auxiliary.weight.detach().clone()
    result = fit(model, digits.shrink(train=128), epochs=1, progress=False)
    assert not torch.equal(before, model.auxiliary.weight.cpu())  # got gradients
    n_aux = sum(p.numel() for p in model.auxiliary.parameters())
    assert result.params == sum(p.numel() for p in model.parameters()) - n_aux


def test_evaluate_returns_loss_and_accuracy(digits):
    loss, acc = evaluate(small_cnn(), digits.val)
    assert math.isfinite(loss) and 0 <= acc <= 1


def test_bad_budgets_are_refused(digits):
    with pytest.raises(ValueError, match="epochs"):
        fit(small_cnn(), digits, epochs=0, progress=False)
    with pytest.raises(ValueError, match="seconds"):
        fit(small_cnn(), digits, seconds=-1, progress=False)
    with pytest.raises(ValueError, match="augmentation"):
        fit(small_cnn(), digits.shrink(train=32), epochs=1, augment="rotate", progress=False)


@pytest.mark.parametrize(
    ("capability", "expected"),
    [
        ((9, 0), "bf16"),  # H100
        ((8, 0), "bf16"),  # A100
        ((8, 9), "bf16"),  # L4, RTX 40xx
        ((7, 5), "fp16"),  # T4 (Colab's free GPU): bfloat16 only emulated there
        ((7, 0), "fp16"),  # V100
        ((6, 0), "fp32"),  # P100: no tensor cores
    ],
)
def test_mixed_precision_follows_the_gpus_compute_capability(monkeypatch, capability, expected):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda dev=None: capability)
    assert mixed_precision("cuda") == expected


def test_describe_device_names_the_gpu_its_arithmetic_and_layout(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda dev=None: (7, 5))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda dev=None: "Tesla T4")
    assert describe_device("cuda") == "cuda (Tesla T4, fp32, channels-last)"
    layout = ", channels-last" if channels_last("cpu") else ""
    assert describe_device("cpu") == f"cpu ({describe_policy()}; fp32{layout})"


@pytest.mark.parametrize(
    ("machine", "expected"), [("x86_64", True), ("AMD64", True), ("arm64", False)]
)
def test_channels_last_on_cuda_and_on_x86_cpus_only(monkeypatch, machine, expected):
    import platform

    monkeypatch.setattr(platform, "machine", lambda: machine)
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: True)
    assert channels_last("cpu") is expected
    assert channels_last("cuda") is True
    assert channels_last("mps") is False
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
    assert channels_last("cpu") is False  # no oneDNN: the NHWC kernels would not be faster


@pytest.mark.parametrize("layout", [True, False])
def test_fit_trains_in_either_memory_layout(digits, monkeypatch, layout):
    monkeypatch.delenv("NASEDU_QUICK", raising=False)
    torch.manual_seed(0)
    result = fit(small_cnn(), digits, epochs=3, channels_last=layout, progress=False, test=True)
    assert result.channels_last is layout and result.to_dict()["channels_last"] is layout
    assert result.final_val_accuracy > 0.6 and result.test_accuracy > 0.6


def test_no_mixed_precision_off_cuda():
    assert mixed_precision("cpu") == "fp32"  # bf16 autocast was slower there
    assert mixed_precision("mps") == "fp32"  # not measured there


@pytest.mark.parametrize("arithmetic", ["bf16", "fp16"])
def test_fit_trains_in_mixed_precision_when_asked(digits, monkeypatch, arithmetic):
    """The CUDA code paths (autocast; for float16 also the gradient scaler) run on the CPU too."""
    monkeypatch.delenv("NASEDU_QUICK", raising=False)
    torch.manual_seed(0)
    result = fit(small_cnn(), digits, epochs=3, precision=arithmetic, progress=False)
    assert result.precision == arithmetic
    assert result.final_val_accuracy > 0.6  # learns like float32 (chance is 0.1)
    assert result.train_loss[-1] < result.train_loss[0]


def test_fit_trains_in_float32_by_default_on_every_device(digits):
    """float32 is the default also on a GPU: the H200 trained every notebook network more
    slowly under autocast (benchmarks/results/bench_gpu_precision-nvidia-h200.json)."""
    result = fit(small_cnn(), digits, epochs=1, progress=False)
    assert result.precision == "fp32" and result.to_dict()["precision"] == "fp32"


def test_mixed_asks_for_the_devices_own_mixed_precision(digits):
    result = fit(
        small_cnn(), digits.shrink(train=64), epochs=1, precision="mixed", dev="cpu", progress=False
    )
    assert result.precision == mixed_precision("cpu") == "fp32"


def test_autocast_on_a_cpu_keeps_nchw_where_channels_last_made_a_chain_diverge(digits, monkeypatch):
    """Chain sample 1 of ChainSpace(max_layers=6) (four stride-2 layers down to 1x1) got a NaN
    loss in its first epoch in bf16 + channels-last on the CPU (torch 2.13; the first such run in
    a fresh process), never in NCHW."""
    monkeypatch.delenv("NASEDU_QUICK", raising=False)
    space = ChainSpace(max_layers=6)
    torch.manual_seed(0)
    model = space.build(space.sample(1), input_shape=digits.input_shape, num_classes=10)
    result = fit(model, digits, epochs=3, precision="bf16", dev="cpu", progress=False)
    assert result.channels_last is False and result.precision == "bf16"
    assert all(math.isfinite(loss) for loss in result.train_loss)
    assert result.final_val_accuracy > 0.5


def test_unknown_precision_is_refused(digits):
    with pytest.raises(ValueError, match=r"unknown precision 'fp8'.*fp32, bf16, fp16, mixed"):
        fit(small_cnn(), digits, epochs=1, precision="fp8", progress=False)
    with pytest.raises(ValueError, match="unknown precision"):
        evaluate(small_cnn(), digits.val, precision="half")


@pytest.mark.parametrize("arithmetic", ["bf16", "fp16"])
@pytest.mark.parametrize("name", available_spaces())
def test_every_space_and_a_published_cell_train_in_mixed_precision(digits, name, arithmetic):
    """Every op of every space runs under autocast (mixed float16/float32 inputs to a concat,
    a sum or a pooling must not fail), as it will on a GPU."""
    space = get_space(name)
    small = digits.shrink(train=64, val=32)
    torch.manual_seed(0)
    model = space.build(space.sample(0), input_shape=small.input_shape, num_classes=10)
    result = fit(model, small, epochs=1, precision=arithmetic, progress=False, batch_size=32)
    assert result.precision == arithmetic and math.isfinite(result.train_loss[0])


@pytest.mark.parametrize("arithmetic", ["bf16", "fp16"])
def test_darts_network_with_auxiliary_head_trains_in_mixed_precision(arithmetic):
    from nasedu import zoo

    g = torch.Generator().manual_seed(0)

    def split(n: int) -> data.Split:
        return data.Split(torch.randn(n, 3, 32, 32, generator=g), torch.arange(n) % 10)

    cifar_like = data.Dataset("random", split(16), split(8), split(8), num_classes=10)
    torch.manual_seed(0)
    model = zoo.network("darts_v2", C=8, layers=5, auxiliary=True)
    result = fit(model, cifar_like, epochs=1, precision=arithmetic, progress=False, batch_size=8)
    assert math.isfinite(result.train_loss[0])
