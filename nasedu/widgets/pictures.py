"""Figures drawn straight to PNG pictures for the explorers' ``ipywidgets.Image``.

An explorer redraws on every change, so it draws without pyplot (nothing is left open for the
notebook to show a second time) and on a figure that it keeps: drawing again on the same
canvas reuses its renderer, which remembers the layout of every label and formula it has
drawn -- a third quicker than a new figure each time (``benchmarks/bench_widgets.py``).
"""

from __future__ import annotations

import functools
import io

__all__ = ["DPI", "blank_figure", "to_png"]

DPI = 80
"""Resolution of the pictures: sharp once the browser fits them to the page."""


@functools.lru_cache(maxsize=32)
def _kept_figure(figsize: tuple[float, float], dpi: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(figure)  # attaches itself to the figure
    return figure


def blank_figure(figsize: tuple[float, float], dpi: int = DPI):
    """An empty figure of ``figsize`` inches: the one kept for that size, cleared."""
    figure = _kept_figure(tuple(figsize), dpi)
    figure.clear()
    return figure


def to_png(figure) -> bytes:
    """``figure`` rendered as a PNG (quick compression: as small as the default here)."""
    picture = io.BytesIO()
    figure.canvas.print_png(picture, pil_kwargs={"compress_level": 1})
    return picture.getvalue()
