"""The widgets' labels: the drawings' notation, and wide enough not to be cut."""

from __future__ import annotations

import pytest

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
