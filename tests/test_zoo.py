"""Published cells and their evaluation networks: the numbers the papers print, and the
published genotypes as cell-space genotypes.  (The DARTS genotype format itself -- reading,
writing, converting, rejecting bad genotypes -- is tested in ``test_darts_format.py``.)"""

from __future__ import annotations

import pytest
import torch

from nasedu import zoo
from nasedu.measure import count_macs, count_parameters
from nasedu.spaces import InvalidArchitecture
from nasedu.spaces.cell import CellSpace
from nasedu.spaces.darts_format import to_darts

SMALL = {"C": 8, "layers": 5}


# -- the papers' numbers ---------------------------------------------------------------------------


def test_darts_v2_cifar10_has_3_3m_parameters():
    """DARTS paper (Liu, Simonyan, Yang 2019), Table 1: DARTS (second order) + cutout, 3.3M
    parameters (C=36, 20 cells, without the auxiliary head).  The reference code logs
    3.349342 MB for the same network."""
    model = zoo.network("darts_v2")
    params = count_parameters(model, auxiliary=False)
    assert round(params / 1e6, 1) == 3.3
    assert params == 3_349_342
    with_aux = count_parameters(zoo.network("darts_v2", auxiliary=True))
    assert with_aux > params  # the auxiliary head exists but is not counted by the paper
    assert count_parameters(zoo.network("darts_v2", auxiliary=True), auxiliary=False) == params


@pytest.fixture(scope="module")
def darts_v2_imagenet():
    return zoo.network("darts_v2", dataset="imagenet")


def test_darts_v2_imagenet_has_4_7m_parameters(darts_v2_imagenet):
    """DARTS paper, Table 3 (mobile setting): 4.7M parameters (C=48, 14 cells, 224x224)."""
    params = count_parameters(darts_v2_imagenet, auxiliary=False)
    assert round(params / 1e6, 1) == 4.7
    assert params == 4_718_752


def test_darts_v2_imagenet_multiply_adds_regression_snapshot(darts_v2_imagenet):
    """Regression snapshot of THIS implementation, not a paper number.

    DARTS Table 3 prints 574M multiply-adds.  That number cannot be reproduced by counting
    convolutions and linear layers, which is what count_macs does: it gives 529.9M, as other
    conv+fc re-counts do (523-545M, github.com/quark0/darts, issue 46; the paper's counting
    script was never published).  So we pin our exact count, and assert the paper's number is
    *not* what we get, rather than hide the gap behind a tolerance."""
    macs = count_macs(darts_v2_imagenet, (3, 224, 224))  # the only ImageNet-size forward pass
    assert macs == 529_911_552
    assert round(macs / 1e6) != 574


def test_zoo_cifar_parameter_counts_regression_snapshot():
    """Regression snapshot of THIS implementation, not paper numbers: every zoo cell in the same
    DARTS CIFAR-10 network (C=36, 20 cells, no auxiliary head).  Only DARTS V2 matches a
    printed number (3.3M, see above); for the others see the next test."""
    counts = {name: count_parameters(zoo.network(name)) for name in zoo.GENOTYPES}
    assert counts == {
        "nasnet_a": 3_830_950,
        "amoebanet_a": 3_145_078,
        "darts_v1": 3_169_414,
        "darts_v2": 3_349_342,
    }


def test_darts_v1_and_nasnet_a_differ_from_the_printed_numbers():
    """Where this network does NOT reproduce a printed number, said explicitly.

    DARTS paper (Liu, Simonyan, Yang 2019), Table 1 prints 3.3M parameters for "DARTS (first
    order) + cutout"; the DARTS_V1 genotype of the reference code in this network has 3.2M.
    NASNet paper (Zoph et al. 2018), Table 1 prints 3.3M for "NASNet-A (6 @ 768)", a different
    network (NASNet's macro architecture and TensorFlow cells, which concatenate more states);
    the NASNet-A genotype in the DARTS network has 3.8M."""
    darts_v1 = count_parameters(zoo.network("darts_v1"))
    nasnet_a = count_parameters(zoo.network("nasnet_a"))
    assert round(darts_v1 / 1e6, 1) == 3.2  # paper: 3.3
    assert round(nasnet_a / 1e6, 1) == 3.8  # paper: 3.3


# -- the networks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(zoo.GENOTYPES))
def test_every_zoo_network_runs(name):
    model = zoo.network(name, auxiliary=True, drop_path=0.2, **SMALL)
    model.train()
    logits, aux = model(torch.randn(2, 3, 32, 32))
    assert logits.shape == aux.shape == (2, 10)
    (logits.sum() + aux.sum()).backward()
    model.eval()
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_network_layout_follows_darts():
    model = zoo.network("darts_v2")
    assert [i for i, c in enumerate(model.cells) if c.reduction] == [6, 13]  # 20 // 3, 40 // 3
    assert model.output_channels == 4 * 4 * 36  # 4 nodes concatenated, channels doubled twice
    small_imagenet = zoo.network(
        "darts_v2", "imagenet", auxiliary=True, input_shape=(3, 64, 64), **SMALL
    )
    small_imagenet.train()
    logits, aux = small_imagenet(torch.randn(2, 3, 64, 64))
    assert logits.shape == aux.shape == (2, 1000)


def test_nasnet_reduction_cell_strides_only_the_ops_on_cell_inputs():
    """NASNet (Zoph et al. 2018, Sec. 3): in a reduction cell the ops applied to the cell's
    inputs have stride 2; ops reading block outputs (already reduced) have stride 1."""
    model = zoo.network("nasnet_a", **SMALL)
    cell = next(c for c in model.cells if c.reduction)
    sizes: list[tuple[int, int]] = []
    hooks = [
        op.register_forward_hook(lambda m, i, o: sizes.append((i[0].shape[-1], o.shape[-1])))
        for op in cell.ops
    ]
    model.eval()
    with torch.no_grad():
        model(torch.randn(1, 3, 32, 32))
    for hook in hooks:
        hook.remove()
    assert len(sizes) == len(cell.inputs) == 10
    reads_cell_input = [state < 2 for state in cell.inputs]
    assert sum(reads_cell_input) == 7 and not all(reads_cell_input)  # both kinds present
    for (size_in, size_out), on_input in zip(sizes, reads_cell_input):
        assert size_out == (size_in // 2 if on_input else size_in)


def test_auxiliary_head_position_and_channels_follow_darts():
    """DARTS reference code (cnn/model.py, NetworkCIFAR): the auxiliary head reads the output of
    cell 2 * layers // 3 (cell 13 of 20, the second reduction cell) and AuxiliaryHeadCIFAR is
    ReLU, AvgPool(5, stride 3) to 2x2, Conv2d(C, 128, 1), BN, ReLU, Conv2d(128, 768, 2), BN, ReLU,
    Linear(768, 10).  For DARTS V2 at C=36, C = 4 nodes x 144 channels = 576."""
    model = zoo.network("darts_v2", auxiliary=True)
    layers = len(model.cells)
    assert 2 * layers // 3 == 13 and model.cells[13].reduction
    convs = [m for m in model.auxiliary_head.features if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (576, 128, (1, 1)),
        (128, 768, (2, 2)),
    ]
    assert model.auxiliary_head.classifier.in_features == 768
    seen = {}
    model.cells[13].register_forward_hook(lambda m, i, o: seen.setdefault("cell", o))
    model.auxiliary_head.register_forward_hook(lambda m, i, o: seen.setdefault("aux", i[0]))
    model.train()
    model(torch.randn(2, 3, 32, 32))
    assert seen["aux"] is seen["cell"]
    assert seen["cell"].shape == (2, 576, 8, 8)


def test_cellspace_build_is_the_same_network():
    """NASNet-A from its CellSpace genotype with N=6 is the DARTS CIFAR network (6+1+6+1+6)."""
    genotype = zoo.cell_genotype("NASNet-A")
    model = CellSpace().build(genotype, input_shape=(3, 32, 32), N=6, C=36)
    assert count_parameters(model) == count_parameters(zoo.network("nasnet_a"))


def test_unknown_names():
    with pytest.raises(KeyError, match="the zoo has: nasnet_a, amoebanet_a, darts_v1, darts_v2"):
        zoo.network("resnet")
    with pytest.raises(KeyError, match="unknown dataset"):
        zoo.network("darts_v2", dataset="mnist")


# -- conversions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["nasnet_a", "amoebanet_a"])
def test_nasnet_and_amoebanet_are_cellspace_genotypes(name):
    genotype = zoo.cell_genotype(name)
    CellSpace().validate(genotype)
    assert to_darts(genotype) == zoo.genotype(name)  # including the 'conv_7x1_1x7' spelling
    assert tuple(genotype.normal.concat) == tuple(zoo.genotype(name).normal_concat)


def test_amoebanet_uses_the_factorized_7x7_conv():
    reduction = zoo.cell_genotype("amoebanet_a").reduction
    assert reduction.blocks[4].ops == ("conv_1x7_7x1", "sep_conv_3x3")


@pytest.mark.parametrize("name", ["darts_v1", "darts_v2"])
def test_darts_cells_have_no_cellspace_genotype(name):
    with pytest.raises(
        InvalidArchitecture,
        match=r"normal cell: normal_concat is \[2, 3, 4, 5\].*block 1 \(node 2\)",
    ):
        zoo.cell_genotype(name)
