"""The macro drawing states the layout the networks really build."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

from nasedu import zoo
from nasedu.viz import plot_macro
from nasedu.viz.macro import macro_stages


def cells_per_box(stages):
    counts = []
    for kind, title, _ in stages:
        if kind == "normal":
            counts.append(int(title.split(" x ")[0]))
        elif kind == "reduction":
            counts.append(0)
    return counts


@pytest.mark.parametrize(
    ("stem", "layers", "C", "size", "expected"),
    [
        ("cifar", 20, 36, 32, [6, 0, 6, 0, 6]),  # DARTS CIFAR-10: N = 6
        ("imagenet", 14, 48, 224, [4, 0, 4, 0, 4]),  # DARTS ImageNet: N = 4
    ],
)
def test_stages_are_the_papers_layouts(stem, layers, C, size, expected):
    stages = macro_stages(layers, C, stem, size)
    assert cells_per_box(stages) == expected
    assert sum(expected) + 2 == layers  # the normal cells plus two reduction cells
    last = [detail for kind, _, detail in stages if kind == "normal"][-1]
    assert f"C = {4 * C}" in last  # channels doubled at both reductions
    final_size = 8 if stem == "cifar" else 7
    assert f"{final_size}x{final_size}" in last


def test_stages_match_the_built_network():
    net = zoo.network("darts_v2", C=16, layers=8)
    stages = macro_stages(8, 16)
    kinds = [kind for kind, _, _ in stages if kind in ("normal", "reduction")]
    built = []
    for i in range(len(net.cells)):
        kind = "reduction" if i in net.reductions else "normal"
        if not (built and built[-1] == kind == "normal"):
            built.append(kind)
    assert kinds == built
    last_c = int(re.search(r"C = (\d+)", stages[-3][2]).group(1))
    assert last_c == 64  # 16, doubled twice
    assert net.output_channels == 4 * last_c  # a DARTS cell concatenates its 4 blocks


def test_plot_macro_draws_every_box_and_refuses_bad_input():
    ax = plot_macro(14, 48, "imagenet", 224, 1000)
    texts = [t.get_text() for t in ax.texts]
    assert "stem 0" in texts and "stem 1" in texts and "1000 classes" in texts
    assert "ImageNet" in ax.get_title()
    with pytest.raises(ValueError, match="stem must be"):
        plot_macro(stem="mnist")
    with pytest.raises(ValueError, match="layers"):
        plot_macro(layers=0)
    plt.close("all")
