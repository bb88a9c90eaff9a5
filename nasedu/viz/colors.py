"""One colour per kind of operation, shared by every drawing in the course."""

from __future__ import annotations

__all__ = ["op_color"]

_FAMILIES = (
    ("none", "#d9d9d9"),
    ("skip", "#969696"),
    ("identity", "#969696"),
    ("max_pool", "#fd8d3c"),
    ("avg_pool", "#e6c229"),
    ("pool", "#fd8d3c"),
    ("sep_conv", "#4a98c9"),
    ("dw_conv", "#9e9ac8"),
    ("dil_conv", "#74c476"),
    ("conv_1x1", "#f781bf"),
    ("conv", "#d2b48c"),
    ("sum", "#fcbba1"),
    ("add", "#fcbba1"),
    ("concat", "#fee391"),
)
"""Op families and their colours: saturated enough to tell apart on white, light enough for
black text.  The motif colours of the hierarchical drawings (:mod:`nasedu.viz.hierarchical`)
use other hues (red, cyan, brown, magenta, dark green, indigo), so an op and a motif never
share a colour."""


def op_color(op: str) -> str:
    """A hex colour for an op or layer type name (grey for unknown names)."""
    for prefix, colour in _FAMILIES:
        if op.startswith(prefix):
            return colour
    return "#f0f0f0"
