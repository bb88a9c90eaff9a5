"""Parameter and multiply-add counts, checked against numbers computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from nasedu import zoo
from nasedu.measure import (
    conv_output_shape,
    count_macs,
    count_parameters,
    pool_output_shape,
    rank_correlation,
    top_k_overlap,
)
from nasedu.ops import make_op
from nasedu.spaces import ChainGenotype, ChainSpace, Layer, get_space


def tiny_net() -> nn.Sequential:
    """conv 1->4 (3x3, bias) at 8x8, conv 4->8 (3x3, stride 2, no bias) to 4x4, pool, linear."""
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(8),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 10),
    )


def test_parameters_of_a_tiny_conv_net():
    # conv1: 1*4*3*3 weights + 4 biases = 40; conv2: 4*8*3*3 = 288; batch norm: 2*8 = 16;
    # linear: 8*10 + 10 = 90
    assert count_parameters(tiny_net()) == 40 + 288 + 16 + 90 == 434


def test_macs_of_a_tiny_conv_net():
    # conv1: 4*8*8 outputs x 1*3*3 = 2304; conv2: 8*4*4 outputs x 4*3*3 = 4608;
    # linear: 10 outputs x 8 inputs = 80 (pooling, batch norm and ReLU are not counted)
    assert count_macs(tiny_net(), (1, 8, 8)) == 2304 + 4608 + 80 == 6992


def test_macs_of_depthwise_and_factorized_convolutions():
    depthwise = nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False)
    assert count_macs(depthwise, (4, 8, 8)) == 4 * 8 * 8 * 1 * 9  # one input channel per group
    factorized = make_op("conv_1x3_3x1", 2, 2, 1)  # 1x3 then 3x1, 2 -> 2 channels
    assert count_macs(factorized, (2, 5, 5)) == 2 * (2 * 5 * 5 * 2 * 3)


def test_counts_of_a_one_layer_chain_network():
    """conv(filters=16, kernel=3) on 1x8x8, then global pool and a 10-way linear layer.
    Parameters: 16*9 weights (no bias: batch norm follows) + 2*16 + 16*10 + 10 = 346.
    Multiply-adds: 16*8*8*9 + 10*16 = 9376."""
    space = ChainSpace(max_layers=1)
    genotype = ChainGenotype((Layer("conv", filters=16, kernel=3, stride=1),))
    model = space.build(genotype, input_shape=(1, 8, 8), num_classes=10)
    assert count_parameters(model) == 346
    assert count_macs(model, (1, 8, 8)) == 9376


def test_frozen_and_auxiliary_parameters_are_left_out_on_request():
    class WithAuxiliary(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Linear(3, 2)  # 8
            self.auxiliary_head = nn.Linear(3, 5)  # 20
            self.inner = nn.Module()
            self.inner.auxiliary = nn.Linear(2, 2)  # 6, nested

    model = WithAuxiliary()
    assert count_parameters(model) == 8 + 20 + 6
    assert count_parameters(model, auxiliary=False) == 8
    model.body.bias.requires_grad_(False)
    assert count_parameters(model, auxiliary=False) == 6


def test_count_macs_leaves_the_model_as_it_was():
    model = tiny_net().train()
    bn = model[3]
    before = bn.running_mean.clone()
    count_macs(model, (1, 8, 8))
    assert model.training
    assert torch.equal(bn.running_mean, before) and bn.num_batches_tracked == 0
    assert all(not m._forward_hooks for m in model.modules())
    assert count_macs(model, (1, 8, 8)) == 6992  # stubs removed: not counted twice
    assert all("forward" not in vars(m) for m in model.modules())
    x = torch.randn(2, 1, 8, 8)
    assert model.eval()(x).abs().sum() > 0  # the real forward pass computes again


def macs_of_a_real_forward_pass(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """The reference count: hooks on every convolution and linear layer during a real pass."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total += output.numel() * (module.in_channels // module.groups) * kh * kw
        else:
            total += output.numel() * module.in_features

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    ]
    model.eval()
    with torch.no_grad():
        model(torch.randn(1, *input_shape))
    for handle in handles:
        handle.remove()
    return total


@pytest.mark.parametrize("space_name", ["chain", "multibranch", "cell", "hierarchical", "flat"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counting_from_shapes_agrees_with_a_real_forward_pass(space_name, seed):
    space = get_space(space_name)
    model = space.build(space.sample(seed), input_shape=(1, 12, 12), num_classes=7)
    assert count_macs(model, (1, 12, 12)) == macs_of_a_real_forward_pass(model, (1, 12, 12))


def test_zoo_cifar_multiply_adds_regression_snapshot():
    """Regression snapshot of THIS implementation (the DARTS CIFAR-10 network, C=36, 20 cells),
    the same numbers as counting with hooks on a real forward pass gave; DARTS V2's 528M is
    close to the 0.53 billion re-counts report for the reference code."""
    macs = {name: count_macs(zoo.network(name), (3, 32, 32)) for name in zoo.GENOTYPES}
    assert macs == {
        "nasnet_a": 603_452_448,
        "amoebanet_a": 488_931_552,
        "darts_v1": 500_987_520,
        "darts_v2": 528_359_040,
    }


@pytest.mark.parametrize(
    ("conv", "expected"),
    [
        (nn.Conv2d(3, 8, 3, padding=1), (2, 8, 9, 9)),
        (nn.Conv2d(3, 8, 3, stride=2, padding=1), (2, 8, 5, 5)),
        (nn.Conv2d(3, 8, 5, padding=4, dilation=2), (2, 8, 9, 9)),
        (nn.Conv2d(3, 8, (1, 7), padding=(0, 3)), (2, 8, 9, 9)),
        (nn.Conv2d(3, 8, 2, stride=2), (2, 8, 4, 4)),
        (nn.Conv2d(3, 8, 3, padding="same"), (2, 8, 9, 9)),
        (nn.Conv2d(3, 8, 3, padding="valid"), (2, 8, 7, 7)),
    ],
)
def test_conv_output_shape_is_torchs(conv, expected):
    assert (
        conv_output_shape(conv, (2, 3, 9, 9))
        == expected
        == tuple(conv(torch.zeros(2, 3, 9, 9)).shape)
    )


@pytest.mark.parametrize(
    "pool",
    [nn.MaxPool2d(3, 1, 1), nn.MaxPool2d(2), nn.AvgPool2d(3, 2, 1), nn.AvgPool2d(3, 2, 1, False)],
)
def test_pool_output_shape_is_torchs(pool):
    assert pool_output_shape(pool, (1, 4, 9, 9)) == tuple(pool(torch.zeros(1, 4, 9, 9)).shape)


def test_conv_output_shape_refuses_the_wrong_channels():
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        conv_output_shape(nn.Conv2d(3, 8, 3), (1, 4, 9, 9))


# -- rank correlation -----------------------------------------------------------------------------
def test_rank_correlation_is_spearman_with_tied_ranks():
    rng = np.random.default_rng(0)
    a = np.round(rng.random(60), 1)  # many ties
    b = a + rng.random(60)
    assert rank_correlation(a, b) == pytest.approx(spearmanr(a, b).statistic)
    assert rank_correlation([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert rank_correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    # only the order matters, not the values
    assert rank_correlation([0.1, 0.5, 0.9, 0.2], [1, 50, 9000, 2]) == pytest.approx(1.0)


def test_rank_correlation_rejects_what_has_no_ranking():
    with pytest.raises(ValueError, match="same length"):
        rank_correlation([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="constant"):
        rank_correlation([1, 1, 1], [1, 2, 3])


def test_rank_correlation_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        rank_correlation([1, float("nan"), 3, 4], [1, 2, 3, 4])


def test_top_k_overlap_counts_shared_best_architectures():
    a = [0.9, 0.8, 0.7, 0.1, 0.2]
    assert top_k_overlap(a, a, k=3) == 3
    assert top_k_overlap(a, [0.1, 0.2, 0.3, 0.9, 0.8], k=2) == 0
    assert top_k_overlap(a, [0.9, 0.1, 0.8, 0.2, 0.3], k=2) == 1  # both put index 0 first
    with pytest.raises(ValueError, match=r"k must be in 1\.\.5"):
        top_k_overlap(a, a, k=6)
    with pytest.raises(ValueError, match="same length"):
        top_k_overlap(a, a[:4])
