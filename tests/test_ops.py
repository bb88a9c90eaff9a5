"""The op registry: shapes of every op, the papers' op lists, and clear errors."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from nasedu.measure import count_parameters
from nasedu.ops import (
    DARTS_OPS,
    LIU_PRIMITIVES,
    NASNET_OPS,
    OPS,
    FactorizedReduce,
    Zero,
    conv_layer,
    make_op,
    pool_layer,
    spatial_output_size,
)


def _halved(size: int, stride: int) -> int:
    return -(-size // stride)  # ceil: stride 2 halves the resolution, rounding up


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("channels", [(4, 4), (4, 6), (6, 3)], ids=["same", "wider", "narrower"])
@pytest.mark.parametrize("size", [7, 8], ids=["odd", "even"])
def test_every_op_gives_the_right_shape(name, stride, channels, size):
    """Every op keeps the resolution at stride 1, halves it (rounding up) at stride 2, and
    produces C_out channels, also when C_in != C_out and on odd input sizes."""
    C_in, C_out = channels
    op = make_op(name, C_in, C_out, stride)
    out = op(torch.randn(2, C_in, size, size))
    assert out.shape == (2, C_out, _halved(size, stride), _halved(size, stride))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("stride", [1, 2])
def test_every_op_works_on_a_1x1_input(name, stride):
    """Large windows (7x7 pooling, dilated 5x5) on the smallest possible map keep 1x1."""
    op = make_op(name, 2, 4, stride)
    assert op(torch.randn(2, 2, 1, 1)).shape == (2, 4, 1, 1)


def test_every_op_accepts_affine_false():
    for name in OPS:
        op = make_op(name, 4, 4, 1, affine=False)
        assert not any(isinstance(m, nn.BatchNorm2d) and m.affine for m in op.modules()), name


def test_nasnet_ops_are_the_13_of_zoph_et_al_section_3():
    """Zoph et al. (2018), "Learning Transferable Architectures for Scalable Image
    Recognition", Sec. 3: identity; 1x3 then 3x1 convolution; 1x7 then 7x1 convolution; 3x3
    dilated convolution; 3x3 average pooling; 3x3, 5x5, 7x7 max pooling; 1x1 convolution; 3x3
    convolution; 3x3, 5x5, 7x7 depthwise-separable convolution (identity is skip_connect)."""
    assert len(NASNET_OPS) == 13
    assert set(NASNET_OPS) == {
        "skip_connect",
        "conv_1x3_3x1",
        "conv_1x7_7x1",
        "dil_conv_3x3",
        "avg_pool_3x3",
        "max_pool_3x3",
        "max_pool_5x5",
        "max_pool_7x7",
        "conv_1x1",
        "conv_3x3",
        "sep_conv_3x3",
        "sep_conv_5x5",
        "sep_conv_7x7",
    }


def test_liu_primitives_are_the_6_of_liu_et_al_section_2_3():
    """Liu et al. (2018), "Hierarchical Representations for Efficient Architecture Search",
    Sec. 2.3: 1x1 convolution, 3x3 depthwise convolution, 3x3 separable convolution, 3x3 max
    pooling, 3x3 average pooling, identity; convolutions followed by batch norm and ReLU."""
    assert len(LIU_PRIMITIVES) == 6
    assert set(LIU_PRIMITIVES) == {
        "conv_1x1_bn_relu",
        "dw_conv_3x3_bn_relu",
        "sep_conv_3x3_bn_relu",
        "max_pool_3x3",
        "avg_pool_3x3",
        "skip_connect",
    }
    conv = make_op("conv_1x1_bn_relu", 4, 4, 1)
    assert [type(m) for m in conv] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU]  # post-activation
    depthwise = make_op("dw_conv_3x3_bn_relu", 4, 4, 1)[0]
    assert depthwise.groups == 4 and depthwise.kernel_size == (3, 3)


def test_darts_ops_are_the_8_of_darts_section_3_1():
    """Liu, Simonyan and Yang (2019), "DARTS", Sec. 3.1: 3x3 and 5x5 separable convolutions,
    3x3 and 5x5 dilated separable convolutions, 3x3 max pooling, 3x3 average pooling,
    identity, and zero."""
    assert len(DARTS_OPS) == 8
    assert set(DARTS_OPS) == {
        "sep_conv_3x3",
        "sep_conv_5x5",
        "dil_conv_3x3",
        "dil_conv_5x5",
        "max_pool_3x3",
        "avg_pool_3x3",
        "skip_connect",
        "none",
    }


def test_paper_lists_have_no_repeats_and_are_all_registered():
    for ops in (NASNET_OPS, LIU_PRIMITIVES, DARTS_OPS):
        assert len(set(ops)) == len(ops)
        assert set(ops) <= set(OPS)


def test_unknown_op_raises_key_error_listing_valid_names():
    with pytest.raises(KeyError, match="unknown op 'conv_9x9'") as info:
        make_op("conv_9x9", 4, 4, 1)
    for name in OPS:
        assert name in str(info.value)


def test_stride_other_than_1_or_2_is_refused():
    with pytest.raises(ValueError, match="stride must be 1 or 2"):
        make_op("conv_3x3", 4, 4, 3)


def test_none_is_zero_without_parameters():
    op = make_op("none", 3, 5, 2)
    assert isinstance(op, Zero) and count_parameters(op) == 0
    out = op(torch.randn(2, 3, 7, 7))
    assert out.shape == (2, 5, 4, 4) and not out.any()


def test_identity_is_the_identity_at_stride_1():
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(make_op("skip_connect", 4, 4, 1)(x), x)


def test_separable_conv_is_applied_twice_as_in_nasnet():
    """Zoph et al. (2018), Appendix A.4: separable convolutions are applied twice.
    Each application: 3x3 depthwise (4*9) + 1x1 pointwise (4*4) + batch norm (2*4) = 60."""
    op = make_op("sep_conv_3x3", 4, 4, 1)
    assert count_parameters(op) == 2 * (4 * 9 + 4 * 4 + 2 * 4)


def test_dilated_conv_uses_dilation_2():
    op = make_op("dil_conv_3x3", 4, 4, 1)
    assert next(m.dilation for m in op.modules() if isinstance(m, nn.Conv2d)) == (2, 2)


def test_factorized_reduce_odd_channels_and_clear_error():
    op = FactorizedReduce(4, 5)
    assert op(torch.randn(2, 4, 7, 7)).shape == (2, 5, 4, 4)
    with pytest.raises(ValueError, match="at least 2 output channels"):
        FactorizedReduce(4, 1)


@pytest.mark.parametrize("separable", [False, True])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv_layer_shapes(separable, padding):
    layer = conv_layer(3, 8, kernel=3, stride=2, separable=separable, padding=padding)
    out = layer(torch.randn(2, 3, 9, 9))
    expected = 5 if padding == "same" else 4
    assert out.shape == (2, 8, expected, expected)


def test_pool_layer_kinds_and_error():
    x = torch.randn(1, 2, 6, 6)
    assert pool_layer("max", 3, 2)(x).shape == (1, 2, 3, 3)
    assert pool_layer("avg", 5, 1, padding="valid")(x).shape == (1, 2, 2, 2)
    with pytest.raises(ValueError, match="unknown pooling kind 'min'"):
        pool_layer("min", 3, 1)


@given(
    size=st.integers(1, 12),
    kernel=st.sampled_from([1, 2, 3, 5]),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.integers(0, 2),
)
def test_spatial_output_size_matches_torch(size, kernel, stride, dilation, padding):
    expected = spatial_output_size(size, kernel, stride, padding, dilation)
    conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    if expected < 1:
        with pytest.raises(RuntimeError):
            conv(torch.zeros(1, 1, size, size))
    else:
        assert conv(torch.zeros(1, 1, size, size)).shape[-1] == expected


def test_op_names_are_the_registry_keys():
    """nasedu.opnames (no torch) names exactly the ops of the torch registry, in its order."""
    from nasedu import opnames

    assert tuple(OPS) == opnames.OP_NAMES
    for name in ("NASNET_OPS", "LIU_PRIMITIVES", "DARTS_OPS"):
        ops = getattr(opnames, name)
        assert set(ops) <= set(OPS), name
        assert ops is globals()[name]  # nasedu.ops re-exports the very same tuples
