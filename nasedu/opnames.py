"""The names of the primitive operations, without torch: what a genotype may write on an edge.

A search space is pure data: it samples, validates, counts and hashes genotypes made of op
*names*, and never needs the modules behind them.  So the names live here, in a module that
imports nothing heavy, and :mod:`nasedu.ops` maps each of them to a torch constructor (its
``OPS`` registry has exactly the keys :data:`OP_NAMES`; a test checks it).

The papers' op lists are tuples of these names:

* :data:`NASNET_OPS` -- the 13 operations of Zoph et al. (2018), "Learning Transferable
  Architectures for Scalable Image Recognition", Section 3 (the paper's "identity" is
  ``skip_connect`` here);
* :data:`LIU_PRIMITIVES` -- the 6 level-1 primitives of Liu et al. (2018), "Hierarchical
  Representations for Efficient Architecture Search", Section 2.3;
* :data:`DARTS_OPS` -- the 8 candidate operations of Liu, Simonyan and Yang (2019), "DARTS:
  Differentiable Architecture Search", Section 3.1, including the no-connection op ``none``.
"""

from __future__ import annotations

__all__ = ["DARTS_OPS", "LIU_PRIMITIVES", "NASNET_OPS", "OP_NAMES"]

OP_NAMES: tuple[str, ...] = (
    "none",
    "skip_connect",
    "avg_pool_3x3",
    "max_pool_3x3",
    "max_pool_5x5",
    "max_pool_7x7",
    "conv_1x1",
    "conv_3x3",
    "conv_1x3_3x1",
    "conv_1x7_7x1",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "sep_conv_7x7",
    "dil_conv_3x3",
    "dil_conv_5x5",
    "conv_1x1_bn_relu",
    "dw_conv_3x3_bn_relu",
    "sep_conv_3x3_bn_relu",
)
"""Every primitive operation of the course, in the order of :data:`nasedu.ops.OPS`."""

NASNET_OPS: tuple[str, ...] = (
    "skip_connect",  # "identity" in the paper
    "conv_1x3_3x1",
    "conv_1x7_7x1",
    "dil_conv_3x3",
    "avg_pool_3x3",
    "max_pool_3x3",
    "max_pool_5x5",
    "max_pool_7x7",
    "conv_1x1",
    "conv_3x3",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "sep_conv_7x7",
)
"""The 13 operations of the NASNet search space (Zoph et al. 2018, Section 3)."""

LIU_PRIMITIVES: tuple[str, ...] = (
    "conv_1x1_bn_relu",
    "dw_conv_3x3_bn_relu",
    "sep_conv_3x3_bn_relu",
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",  # "identity" in the paper
)
"""The 6 level-1 primitives of the hierarchical space (Liu et al. 2018, Section 2.3)."""

DARTS_OPS: tuple[str, ...] = (
    "none",
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)
"""The 8 candidate operations of DARTS (Liu, Simonyan and Yang 2019, Section 3.1)."""
