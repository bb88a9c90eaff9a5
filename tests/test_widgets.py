"""The widgets: labels in the drawings' notation and wide enough not to be cut, the counts of
the built network, and one change redrawing only what it changes."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.pyplot as plt
import pytest

from nasedu.measure import count_macs, count_parameters
from nasedu.spaces.cell import CHOICES, CellSpace, state_name


def test_state_labels_are_the_drawings_names_in_plain_text():
    from nasedu.widgets.cell import state_label

    assert [state_label(k) for k in range(4)] == ["hᵢ₋₁", "hᵢ", "b1", "b2"]
    for k in range(2, 7):
        assert state_label(k) == state_name(k)  # the drawings write block outputs b1, b2, ...


def test_every_dropdown_is_wide_enough_for_its_longest_option():
    pytest.importorskip("ipywidgets")  # an optional extra (nasedu[notebooks]); CI has it
    from nasedu.widgets.cell import cell_builder

    space = CellSpace(num_blocks=2)
    builder = cell_builder(space, space.sample(0), C=4, N=1)
    for (_, _, choice), dropdown in builder.dropdowns.items():
        assert choice in CHOICES and dropdown.description == ""
        width = int(dropdown.layout.width.removesuffix("px"))
        longest = max(len(o[0]) if isinstance(o, tuple) else len(o) for o in dropdown.options)
        assert width >= 9 * longest + 30, (choice, dropdown.layout.width, dropdown.options)


def small_builder(**macro):
    pytest.importorskip("ipywidgets")
    from nasedu.widgets.cell import cell_builder

    space = CellSpace(num_blocks=2)
    return space, cell_builder(space, space.sample(0), input_shape=(1, 8, 8), C=4, N=1, **macro)


def test_the_builder_shows_the_counts_of_the_built_network():
    """Counted without building (nasedu.counting), the numbers are the built network's."""
    space, builder = small_builder(stem_multiplier=2)
    for op in ("sep_conv_7x7", "skip_connect"):
        builder.dropdowns[("reduction", 1, "first op")].value = op
        model = space.build(builder.genotype, input_shape=(1, 8, 8), C=4, N=1, stem_multiplier=2)
        params = count_parameters(model, auxiliary=False)
        macs = count_macs(model, (1, 8, 8))
        summary = builder.summary.value
        assert f"<b>{params:,}</b> parameters" in summary, summary
        assert f"<b>{macs:,}</b> multiply-adds per 1x8x8 image" in summary, summary
        assert builder.genotype.reduction.blocks[0].ops[0] == op


def test_a_change_redraws_only_the_cell_it_changes():
    _, builder = small_builder()
    before = {kind: bytes(picture.value) for kind, picture in builder.pictures.items()}
    assert all(png.startswith(b"\x89PNG") for png in before.values())
    sent = []  # the pictures sent to the browser again
    for kind, picture in builder.pictures.items():
        picture.observe(lambda _, kind=kind: sent.append(kind), names="value")
    dropdown = builder.dropdowns[("normal", 2, "combine")]
    dropdown.value = "concat" if dropdown.value == "add" else "add"
    assert bytes(builder.pictures["normal"].value) != before["normal"]
    assert sent == ["normal"]
    widths = [float(p.layout.width.removesuffix("%")) for p in builder.pictures.values()]
    assert sum(widths) == pytest.approx(100, abs=0.2)  # side by side, at one scale


def test_the_explorer_labels_are_not_cut():
    """Every description fits its room ("level-2 m…" was cut at the default width)."""
    pytest.importorskip("ipywidgets")
    from nasedu.spaces.hierarchical import HierarchicalSpace
    from nasedu.widgets.hierarchical import hierarchical_explorer

    space = HierarchicalSpace()
    explorer = hierarchical_explorer(space, space.initial(0))
    described = [explorer.children[0], *explorer.entries.values()]
    for box in described:
        room = box.style.description_width
        fits = room.endswith("px") and int(room.removesuffix("px")) >= 8 * len(box.description)
        assert room == "initial" or fits, (box.description, room)
    longest = max(len(label) for box in explorer.entries.values() for label, _ in box.options)
    for box in explorer.entries.values():  # the op names fit beside the label
        room = int(box.layout.width.removesuffix("px")) - int(
            box.style.description_width.removesuffix("px")
        )
        assert room >= 7 * longest + 20, (box.layout.width, longest)  # 20: the arrow
    plt.close("all")


def test_the_explorer_names_ops_and_nodes_as_its_drawing_does():
    pytest.importorskip("ipywidgets")
    from nasedu.spaces.hierarchical import HierarchicalSpace
    from nasedu.viz.hierarchical import plot_motif
    from nasedu.widgets.hierarchical import hierarchical_explorer

    space = HierarchicalSpace()
    explorer = hierarchical_explorer(space, space.initial(0))
    explorer.chooser.index = 1
    drawn = {t.get_text() for t in plot_motif(explorer.genotype.levels[0][1]).texts}
    shown = {box.label for box in explorer.entries.values() if box.value != "none"}
    assert shown and shown <= drawn, (shown, drawn)
    assert {"in", "out"} <= drawn and "node 0 <i>in</i>" in explorer.children[1].value
    plt.close("all")


def test_the_package_exports_the_explorers_and_loads_ipywidgets_only_when_asked():
    code = (
        "import sys\nimport nasedu.widgets\nprint('ipywidgets' in sys.modules)\n"
        "from nasedu.widgets import cell_builder, hierarchical_explorer\n"
        "print('ipywidgets' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "True"], done.stderr
    import nasedu.widgets
    import nasedu.widgets.cell

    assert nasedu.widgets.cell_builder is nasedu.widgets.cell.cell_builder
    assert set(nasedu.widgets.__all__) <= set(dir(nasedu.widgets))


def test_the_explorer_redraws_its_picture_for_an_edit_and_not_for_a_refused_one():
    pytest.importorskip("ipywidgets")
    from nasedu.spaces.hierarchical import HierarchicalSpace
    from nasedu.widgets.hierarchical import hierarchical_explorer

    space = HierarchicalSpace()
    explorer = hierarchical_explorer(space, space.trivial())
    first, message = bytes(explorer.picture.value), explorer.message.value
    assert first.startswith(b"\x89PNG")
    explorer.entries[(0, 1)].value = "none"  # orphans node 1: refused
    assert bytes(explorer.picture.value) == first and "not applied" in explorer.message.value
    explorer.entries[(0, 3)].value = "conv_1x1_bn_relu"
    assert bytes(explorer.picture.value) != first
    explorer.entries[(0, 3)].value = "none"  # back to the start: the same picture and count
    assert bytes(explorer.picture.value) == first and explorer.message.value == message
