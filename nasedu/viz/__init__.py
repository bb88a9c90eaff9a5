"""Matplotlib drawings of architectures and of training and search curves.

Every space's ``plot`` method draws through this package, so the pictures of all spaces share
one colour per operation (:func:`op_color`).
"""

from .basic import plot_layers
from .colors import op_color
from .curves import plot_search, plot_training
from .data import show_images

__all__ = ["op_color", "plot_layers", "plot_search", "plot_training", "show_images"]
