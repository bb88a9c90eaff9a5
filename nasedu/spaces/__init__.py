"""The search spaces of the course, all following one protocol (:class:`SearchSpace`).

==================  =====================================================================
``chain``           :class:`ChainSpace` -- a sequence of layers (Elsken et al. 2019, Sec. 2)
``multibranch``     :class:`MultiBranchSpace` -- layers with skip connections (same survey)
``cell``            :class:`CellSpace` -- NASNet normal and reduction cells (Zoph et al. 2018)
``hierarchical``    :class:`HierarchicalSpace` -- motifs of motifs (Liu et al. 2018)
``flat``            :class:`FlatSpace` -- one 11-node graph of primitives (Liu et al. 2018 baseline)
==================  =====================================================================

``get_space("chain", max_layers=4)`` makes a space by name; ``SPACES`` maps the names to
``"module:class"``.  Every space and genotype type is importable from here (``from
nasedu.spaces import CellSpace, CellGenotype``), and none of them needs torch: only ``build``
imports the networks, lazily.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from ..checks import UnknownName, brief
from .base import RngLike, SearchSpace, as_rng, graph_hash
from .cell import Block, Cell, CellGenotype, CellSpace, WiredCell, state_name
from .chain import ChainGenotype, ChainSpace, Layer
from .checks import InvalidArchitecture, SpaceTooLarge
from .darts_format import DARTS_ALIASES, DartsGenotype, from_darts, parse_darts, to_darts
from .flat import FlatSpace
from .hierarchical import HierarchicalSpace
from .motifs import HierarchicalGenotype, Motif, count_valid_matrices, differences
from .multibranch import (
    BranchNode,
    MultiBranchGenotype,
    MultiBranchSpace,
    chain_like,
    densenet_like,
    resnet_like,
)

__all__ = [
    "DARTS_ALIASES",
    "SPACES",
    "Block",
    "BranchNode",
    "Cell",
    "CellGenotype",
    "CellSpace",
    "ChainGenotype",
    "ChainSpace",
    "DartsGenotype",
    "FlatSpace",
    "HierarchicalGenotype",
    "HierarchicalSpace",
    "InvalidArchitecture",
    "Layer",
    "Motif",
    "MultiBranchGenotype",
    "MultiBranchSpace",
    "RngLike",
    "SearchSpace",
    "SpaceTooLarge",
    "WiredCell",
    "as_rng",
    "available_spaces",
    "chain_like",
    "count_valid_matrices",
    "densenet_like",
    "differences",
    "from_darts",
    "get_space",
    "graph_hash",
    "parse_darts",
    "resnet_like",
    "state_name",
    "to_darts",
]

SPACES: dict[str, str] = {
    "chain": "nasedu.spaces.chain:ChainSpace",
    "multibranch": "nasedu.spaces.multibranch:MultiBranchSpace",
    "cell": "nasedu.spaces.cell:CellSpace",
    "hierarchical": "nasedu.spaces.hierarchical:HierarchicalSpace",
    "flat": "nasedu.spaces.flat:FlatSpace",
}


def available_spaces() -> list[str]:
    """Names in ``SPACES`` whose module is installed (all of them in a complete checkout)."""
    names = []
    for name, target in SPACES.items():
        try:
            importlib.import_module(target.split(":")[0])
        except ModuleNotFoundError:
            continue
        names.append(name)
    return names


def get_space(name: str, **options: Any) -> SearchSpace:
    """Make the search space called ``name`` (see ``SPACES``) with the given options."""
    if not isinstance(name, str) or name not in SPACES:  # a KeyError and a ValueError, unquoted
        raise UnknownName(f"unknown search space {brief(name)}; available: {', '.join(SPACES)}")
    module, cls = SPACES[name].split(":")
    space = getattr(importlib.import_module(module), cls)
    known = [p for p in inspect.signature(space).parameters if p != "self"]
    unknown = [option for option in options if option not in known]
    if unknown:  # not Python's "__init__() got an unexpected keyword argument"
        raise ValueError(
            f"get_space({name!r}) has no option {brief(unknown[0])}; its options are "
            f"{', '.join(known)}"
        )
    return space(**options)
