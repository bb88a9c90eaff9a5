"""The flat baseline of Liu et al. (2018): one graph of primitives, no hierarchy.

Liu et al. (2018), "Hierarchical Representations for Efficient Architecture Search", Section 5.1
compares the hierarchical representation with the *flat* one of its Section 2.1: a single motif
(``L = 2``: the primitives and one graph) of 11 nodes, chosen so that it has about as many
edges as the hierarchical cell.  Everything else -- the primitives, assembly by depthwise
concatenation, the mutation (without its step 1: the level is always 2), the initialisation and
the small evaluation model -- is shared with
:class:`~nasedu.spaces.hierarchical.HierarchicalSpace`, of which this is a configuration with
its own name.

The flat space is *larger* than the hierarchical one (``7**55`` against ``7**46`` encodings with
the defaults) yet *less expressive per parameter of the encoding*: a pattern that the cell uses
in three places must be found three times by the search, instead of once as a level-2 motif.

**Width (the comparison mixes representation and model size).**  Nothing in the flat cell
brings the channel count back down: the hierarchical cell has a 1x1 convolution after every
level-2 motif (Section 5.1); the flat cell has no motifs, so every node concatenates its inputs
and the widths add up along the 11 nodes.  A random flat cell on a 16-channel input outputs
several hundred to a few thousand channels (368 to 4064 for seeds 0-29; the hierarchical cell
80 to 128), and the complete DAG of identities doubles the width at every node:
``16 * 2**9 = 8192`` channels.  So with the construction as described, the flat models are
several times *larger* than the hierarchical ones in parameters and MACs (on the 8x8 digits:
about 0.3-0.7 M against 0.1-0.17 M parameters), and a flat-versus-hierarchical comparison
measures the representation *and* the model size at once.  The paper does not say how it
handled the widths.  We keep its construction and offer no reduction option: a 1x1 convolution
after the cell would not help (the cost is inside the cell, whose wide nodes feed its
convolutions; measured: +2-7% parameters), and a reduction after every node would be a
different flat space from the paper's.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..opnames import LIU_PRIMITIVES
from .checks import check_int
from .hierarchical import MAX_COUNT, HierarchicalSpace, scientific

__all__ = ["FlatSpace"]


class FlatSpace(HierarchicalSpace):
    """One motif of ``nodes`` nodes over ``primitives`` (the paper: 11 nodes, 6 primitives).

    Genotypes are :class:`~nasedu.spaces.hierarchical.HierarchicalGenotype` with a single
    level: ``genotype.cell`` is the 11x11 matrix.  No 1x1 convolution follows the motif: it is
    the cell itself, so its output is the concatenation of everything that reaches the last
    node: hundreds to thousands of channels (see the module docstring), and ``build`` gives
    models several times larger than the hierarchical space's.
    """

    name = "flat"

    def __init__(self, nodes: int = 11, primitives: Sequence[str] = LIU_PRIMITIVES) -> None:
        nodes = check_int(nodes, "nodes", at_most=MAX_COUNT)  # (else named "nodes[0]" below)
        super().__init__(primitives=primitives, motifs=(1,), nodes=(nodes,), motif_conv=False)

    def __repr__(self) -> str:
        return (
            f"FlatSpace({self.nodes[0]} nodes, {len(self.primitives)} primitives, "
            f"{scientific(self.size())} genotypes of {scientific(self.num_encodings())} "
            "encodings)"
        )
