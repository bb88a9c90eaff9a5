"""One colour per kind of operation, shared by every drawing in the course."""

from __future__ import annotations

__all__ = ["op_color"]

_FAMILIES = (
    ("none", "#d9d9d9"),
    ("skip", "#bdbdbd"),
    ("identity", "#bdbdbd"),
    ("max_pool", "#fdae6b"),
    ("avg_pool", "#fdd0a2"),
    ("pool", "#fdae6b"),
    ("sep_conv", "#9ecae1"),
    ("dw_conv", "#c6dbef"),
    ("dil_conv", "#a1d99b"),
    ("conv_1x1", "#dadaeb"),
    ("conv", "#bcbddc"),
    ("sum", "#fcbba1"),
    ("add", "#fcbba1"),
    ("concat", "#fee391"),
)


def op_color(op: str) -> str:
    """A hex colour for an op or layer type name (grey for unknown names)."""
    for prefix, colour in _FAMILIES:
        if op.startswith(prefix):
            return colour
    return "#f0f0f0"
