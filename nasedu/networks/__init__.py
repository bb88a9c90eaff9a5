"""Torch modules compiled from genotypes: each space's *macro architecture*.

A genotype says what to compute; the network classes here say how, in plain ``nn.Module``
code a student can read: one module per search space family.
"""

from .chain import ChainNetwork
from .common import ClassifierHead, compile_layer
from .multibranch import MultiBranchNetwork

__all__ = ["ChainNetwork", "ClassifierHead", "MultiBranchNetwork", "compile_layer"]
