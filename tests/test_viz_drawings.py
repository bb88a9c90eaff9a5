"""The drawings show what they claim: every edge countable, colours that cannot be confused,
one arrowhead per connection, stride tags off the labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import FancyArrowPatch

from nasedu import zoo
from nasedu.ops import OPS
from nasedu.spaces import Layer, MultiBranchSpace
from nasedu.spaces.cell import CellSpace
from nasedu.spaces.hierarchical import HierarchicalSpace, Motif
from nasedu.viz import op_color, plot_flattened
from nasedu.viz.cell import OP_H, STRIDE_TAG
from nasedu.viz.hierarchical import MOTIF_COLOURS, _hides_a_node


def arrows(ax) -> list[FancyArrowPatch]:
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


@pytest.mark.parametrize("seed", range(4))
def test_every_flattened_edge_is_drawn_and_none_runs_through_a_node(seed):
    space = HierarchicalSpace()
    genotype = space.initial(rng=seed)
    if seed == 0:  # the notebook's cell: motif m1 on four edges, skips along the chain
        cell = Motif.from_edges(5, {(0, 1): "m1", (0, 2): "m2", (1, 2): "m1", (2, 3): "m1"})
        genotype = space.validate(genotype.with_motif(3, 1, cell.with_edge(3, 4, "m1")))
    dag = space.flatten(genotype)
    ax = plot_flattened(dag)
    patches = arrows(ax)
    assert len(patches) == dag.number_of_edges()  # one arrow per edge, none merged
    dots = [tuple(line.get_xydata()[0]) for line in ax.lines if len(line.get_xydata()) == 1]
    circles = [t.get_position() for t in ax.texts]
    nodes = {i: xy for i, xy in enumerate(dots + circles)}
    assert len(nodes) == dag.number_of_nodes()
    for patch in patches:
        if patch.get_connectionstyle().rad != 0:
            continue  # bent: it leaves the straight line between its ends
        start, end = patch._posA_posB
        ends = {i for i, xy in nodes.items() if xy in (tuple(start), tuple(end))}
        others = {i: xy for i, xy in nodes.items() if i not in ends}
        assert not _hides_a_node({**others, "u": start, "v": end}, "u", "v")
    plt.close("all")


def test_straight_edges_never_hide_a_node():
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (2.0, 0.0), "d": (1.0, 1.0)}
    assert _hides_a_node(pos, "a", "c")  # runs through b
    assert not _hides_a_node(pos, "a", "b")
    assert not _hides_a_node(pos, "a", "d")


def test_motif_colours_are_not_op_colours():
    ops = {op_color(op) for op in OPS}
    assert not ops & set(MOTIF_COLOURS)
    assert len(set(MOTIF_COLOURS)) == len(MOTIF_COLOURS)


def test_densenet_arcs_each_have_their_own_arrowhead():
    space = MultiBranchSpace(max_layers=5)
    conv = Layer("conv", filters=32, kernel=3, stride=1)
    [ax] = space.plot(space.presets([conv] * 5)["densenet"]).axes
    ends = [tuple(round(v, 6) for v in p._posA_posB[1]) for p in arrows(ax)]
    assert len(ends) == len(set(ends)), "two connections end in one arrowhead"
    plt.close("all")


def test_stride_tags_sit_below_the_op_boxes_not_on_their_labels():
    fig = CellSpace().plot(zoo.cell_genotype("NASNet-A"))
    reduction = fig.axes[1]
    boxes = [t for t in reduction.texts if "\n" in t.get_text() or t.get_text() == "identity"]
    tags = [t for t in reduction.texts if t.get_text() == STRIDE_TAG]
    assert tags
    for tag in tags:
        x, y = tag.get_position()
        for box in boxes:
            bx, by = box.get_position()
            assert not (abs(y - by) < OP_H / 2 and abs(x - bx) < 0.5), "a tag on a label"
    plt.close("all")


def test_merge_symbols_are_explained_where_they_are_drawn():
    from nasedu.spaces import ChainSpace
    from nasedu.spaces.multibranch import densenet_like, resnet_like

    conv = Layer("conv", filters=16, kernel=3, stride=1)

    def texts(figure) -> str:
        [ax] = figure.axes  # plot returns the Figure, with one Axes for a row of layers
        return " ".join(t.get_text() for t in ax.texts)

    space = MultiBranchSpace(max_layers=3)
    assert "|| = concat" in texts(space.plot(densenet_like([conv] * 3)))
    assert "+ = sum" in texts(space.plot(resnet_like([conv] * 3)))
    chain = ChainSpace(max_layers=3)
    assert "merge" not in texts(chain.plot(chain.sample(0)))
    plt.close("all")
