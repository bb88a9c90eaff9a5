"""Rules live once: each structural rule is one public function beside its genotype type.

``space.validate`` and a network built directly call the same function (so they refuse the same
genotypes with the same message), a network built by ``space.build`` trusts the genotype that
``validate`` has just passed (each genotype is checked once per build), and no network reaches
into a space's private methods.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import nasedu.networks
import nasedu.networks.common as net_common
import nasedu.networks.hierarchical as net_hierarchical
import nasedu.networks.multibranch as net_multibranch
import nasedu.spaces.cell as space_cell
import nasedu.spaces.darts_format as darts_format
import nasedu.spaces.hierarchical as space_hierarchical
import nasedu.spaces.layers as space_layers
import nasedu.spaces.motifs as motifs
import nasedu.spaces.multibranch as space_multibranch
from nasedu import opnames, zoo
from nasedu.networks.cell import CellNetwork
from nasedu.networks.chain import ChainNetwork
from nasedu.networks.hierarchical import HierarchicalNetwork
from nasedu.networks.multibranch import MultiBranchNetwork
from nasedu.spaces import (
    Block,
    BranchNode,
    Cell,
    CellGenotype,
    CellSpace,
    ChainSpace,
    HierarchicalSpace,
    InvalidArchitecture,
    Layer,
    Motif,
    MultiBranchGenotype,
    MultiBranchSpace,
)
from nasedu.spaces.checks import is_int

NETWORKS = Path(nasedu.networks.__file__).parent


def _private_uses(path: Path) -> list[str]:
    """Private names a module imports from another module or reads off another object."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            dunder = node.attr.startswith("__") and node.attr.endswith("__")
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not dunder and not own:
                found.append(f"line {node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("path", sorted(NETWORKS.glob("*.py")), ids=lambda p: p.name)
def test_networks_use_no_private_name_of_another_module(path):
    assert _private_uses(path) == []


def test_the_old_import_paths_of_the_rules_still_work():
    """The rules moved from networks/ to beside their genotypes; the old names still import."""
    from nasedu.networks.cell import check_wired_cell
    from nasedu.networks.common import check_layer
    from nasedu.networks.hierarchical import PRIMITIVES, check_genotype, check_motif
    from nasedu.ops import DARTS_OPS, LIU_PRIMITIVES, NASNET_OPS

    assert check_wired_cell is space_cell.check_wired_cell
    assert check_layer is space_layers.check_layer
    assert (check_genotype, check_motif) == (motifs.check_genotype, motifs.check_motif)
    assert PRIMITIVES == motifs.PRIMITIVES
    assert (NASNET_OPS, LIU_PRIMITIVES, DARTS_OPS) == (
        opnames.NASNET_OPS,
        opnames.LIU_PRIMITIVES,
        opnames.DARTS_OPS,
    )


def test_is_int_is_an_integer_but_not_a_bool():
    assert all(is_int(v) for v in (0, -3, np.int64(2), np.uint8(1), 10**40))
    assert not any(is_int(v) for v in (True, np.bool_(False), 1.0, "1", None, 2.5))


class Counter:
    """Wraps a rule function and counts its calls."""

    def __init__(self, rule):
        self.rule, self.calls = rule, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.rule(*args, **kwargs)


def _count(monkeypatch, rule, *modules) -> Counter:
    counter = Counter(rule)
    for module in modules:
        monkeypatch.setattr(module, rule.__name__, counter)
    return counter


def test_a_cell_genotype_is_checked_once_per_build(monkeypatch):
    counter = _count(monkeypatch, space_cell.check_cell, space_cell, darts_format)
    space = CellSpace(num_blocks=2)
    genotype = space.sample(0)
    space.build(genotype, N=2)  # 8 cells: the normal and the reduction cell checked once each
    assert counter.calls == 2
    counter.calls = 0
    CellNetwork(genotype, C=4, layers=8, input_shape=(1, 8, 8))  # built directly: checked too
    assert counter.calls == 2


def test_stage_cells_are_checked_once_each(monkeypatch):
    """``stage_cells`` (a normal cell per stage) are checked by the same rule, once each, not
    once per cell of their stage."""
    counter = _count(monkeypatch, space_cell.check_cell, space_cell, darts_format)
    space = CellSpace(num_blocks=2)
    genotype = space.sample(0)
    stage_cells = [space.sample(seed).normal for seed in (1, 2, 3)]
    space.build(genotype, N=2, stage_cells=stage_cells)  # 8 cells, 6 of them normal
    assert counter.calls == 2 + 3  # the genotype's two cells and the three stages' cells


def test_a_darts_genotype_is_checked_once_per_network(monkeypatch):
    counter = _count(monkeypatch, space_cell.check_concat, space_cell, darts_format)
    CellNetwork(zoo.DARTS_V2, C=4, layers=5, input_shape=(1, 8, 8))
    assert counter.calls == 2  # validate_darts: normal_concat and reduce_concat, not per layer


def test_a_hierarchical_genotype_is_checked_once_per_build(monkeypatch):
    modules = (motifs, space_hierarchical, net_hierarchical)
    counter = _count(monkeypatch, motifs.check_motif, *modules)
    space = HierarchicalSpace(motifs=(2, 1), nodes=(3, 3))
    genotype = space.sample(0)
    space.build(genotype, cells_per_stage=2)  # 6 cells, 2 x 3 motif copies each
    assert counter.calls == 3  # the two level-2 motifs and the cell, once
    counter.calls = 0
    HierarchicalNetwork(genotype, (1, 8, 8), 10, channels=(4, 8), cells_per_stage=2)
    assert counter.calls == 3


def test_a_multibranch_genotype_is_checked_once_per_build(monkeypatch):
    modules = (space_multibranch, net_multibranch)
    counter = _count(monkeypatch, space_multibranch.check_connection, *modules)
    space = MultiBranchSpace(max_layers=4)
    genotype = space.sample(0)
    space.build(genotype)
    assert counter.calls == len(genotype.nodes)
    counter.calls = 0
    MultiBranchNetwork(genotype, (1, 8, 8), 10)
    assert counter.calls == len(genotype.nodes)


def test_chain_layers_are_checked_once_per_build(monkeypatch):
    counter = _count(monkeypatch, space_layers.check_layer, space_layers, net_common)
    space = ChainSpace(max_layers=4)
    genotype = space.sample(3)
    space.build(genotype)  # the space's validate checks the layers against its vocabulary
    assert counter.calls == 0
    ChainNetwork(genotype, (1, 8, 8), 10)  # built directly: each layer checked once
    assert counter.calls == len(genotype.layers)


def _message(build) -> str:
    with pytest.raises(InvalidArchitecture) as info:
        build()
    return str(info.value)


BLOCK = Block((0, 1), ("conv_1x1", "skip_connect"))


@pytest.mark.parametrize(
    "bad_block",
    [
        Block((0, 3), ("conv_1x1", "skip_connect")),  # a state not computed yet
        Block((0, True), ("conv_1x1", "skip_connect")),  # a bool is not a state
        Block((0, 1), ("conv_1x1", "skip_connect"), "max"),  # an unknown combine method
    ],
)
def test_space_and_network_refuse_a_cell_with_one_message(bad_block):
    genotype = CellGenotype(Cell((BLOCK, bad_block)), Cell((BLOCK, BLOCK)))
    space = CellSpace(num_blocks=2, ops=("conv_1x1", "skip_connect"))
    assert _message(lambda: space.validate(genotype)) == _message(
        lambda: CellNetwork(genotype, C=4, layers=5, input_shape=(1, 8, 8))
    )


@pytest.mark.parametrize(
    "edges",
    [
        {(0, 1): "skip_connect", (1, 2): "skip_connect", (2, 1): "skip_connect"},  # a cycle
        {(0, 2): "skip_connect", (1, 2): "skip_connect"},  # node 1 has no input
    ],
)
def test_space_and_network_refuse_a_motif_with_one_message(edges):
    space = HierarchicalSpace(motifs=(1, 1), nodes=(3, 3))
    good = space.sample(0)
    genotype = good.with_motif(2, 1, Motif.from_edges(3, edges))
    assert _message(lambda: space.validate(genotype)) == _message(
        lambda: HierarchicalNetwork(genotype, (1, 8, 8), 10, channels=(4,))
    )


@pytest.mark.parametrize(
    ("inputs", "merge"),
    [((2,), None), ((-1,), None), ((0, 0), "sum"), ((0,), "sum"), ((0, 1), "mean")],
)
def test_space_and_network_refuse_a_connection_with_one_message(inputs, merge):
    conv = Layer("conv", filters=16, kernel=3, stride=1)  # a layer of the default space
    nodes = (BranchNode(conv, (0,)), BranchNode(conv, inputs, merge))
    space = MultiBranchSpace(max_layers=2)
    assert _message(lambda: space.validate(MultiBranchGenotype(nodes))) == _message(
        lambda: MultiBranchNetwork(MultiBranchGenotype(nodes), (1, 8, 8), 10)
    )
