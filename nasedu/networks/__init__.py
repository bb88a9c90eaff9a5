"""Torch modules compiled from genotypes: each space's *macro architecture*.

A genotype says what to compute; the network classes here say how, in plain ``nn.Module``
code a student can read: one module per search space family, all built the same way,
``XNetwork(genotype, input_shape, num_classes, **macro)``:

=============================  ===========================================================
:class:`ChainNetwork`          a chain of layers, global pooling, a linear classifier
:class:`MultiBranchNetwork`    layers reading merges (sum, concat) of earlier tensors
:class:`CellNetwork`           NASNet/DARTS cells stacked with reductions (``C``, ``layers``,
                               ``stage_cells``: a normal cell per stage)
:class:`HierarchicalNetwork`   Liu et al.'s small model around the cell (``channels``)
=============================  ===========================================================

and their parts: :class:`CellLayer` (one cell), :func:`build_cell` and :class:`MotifModule`
(one hierarchical cell, one motif), :class:`ClassifierHead`, :func:`compile_layer`.
``space.build(genotype)`` is the usual way in; these are for building by hand.
"""

from .cell import CellLayer, CellNetwork
from .chain import ChainNetwork
from .common import ClassifierHead, compile_layer
from .hierarchical import CHANNEL_PRESERVING, HierarchicalNetwork, MotifModule, build_cell
from .multibranch import MultiBranchNetwork

__all__ = [
    "CHANNEL_PRESERVING",
    "CellLayer",
    "CellNetwork",
    "ChainNetwork",
    "ClassifierHead",
    "HierarchicalNetwork",
    "MotifModule",
    "MultiBranchNetwork",
    "build_cell",
    "compile_layer",
]
