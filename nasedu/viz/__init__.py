"""Matplotlib drawings of architectures and of training and search curves.

Every space's ``plot`` method draws through this package, so the pictures of all spaces share
one colour per operation (:func:`op_color`):

* :func:`plot_layers` -- chain and multi-branch networks (boxes, skip connections as arcs);
* :func:`plot_cell`, :func:`plot_genotype` -- NASNet/DARTS cells, normal and reduction;
* :func:`plot_macro` -- the macro architecture that stacks the cells (stem, stages, head);
* :func:`plot_motif`, :func:`plot_hierarchical`, :func:`plot_flattened` -- hierarchical motifs
  (:data:`SHORT_NAMES`: the short op labels they use);
* :func:`plot_training`, :func:`plot_search` -- accuracy per epoch, and search progress;
* :func:`plot_runs` -- mean and spread of repeated searches (e.g. on a tabular benchmark);
* :func:`show_images` -- a labelled grid of a data set's images.
"""

from .basic import plot_layers
from .cell import plot_cell, plot_genotype
from .colors import op_color
from .curves import plot_runs, plot_search, plot_training
from .data import show_images
from .hierarchical import SHORT_NAMES, plot_flattened, plot_hierarchical, plot_motif
from .macro import plot_macro

__all__ = [
    "SHORT_NAMES",
    "op_color",
    "plot_cell",
    "plot_flattened",
    "plot_genotype",
    "plot_hierarchical",
    "plot_layers",
    "plot_macro",
    "plot_motif",
    "plot_runs",
    "plot_search",
    "plot_training",
    "show_images",
]
