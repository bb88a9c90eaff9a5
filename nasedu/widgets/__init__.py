"""Interactive ipywidgets explorers for the notebooks.

Nothing here is imported by ``import nasedu``: the package works without Jupyter or ipywidgets
(on a headless GPU machine, say).  In a notebook, ``from nasedu.widgets import cell_builder``
(or ``hierarchical_explorer``) loads the explorer's module only then; it raises a clear
ImportError if ipywidgets is missing.

* :func:`cell_builder` -- make the 5 choices of every block of a NASNet cell, see both cells
  and the network's parameters and multiply-adds (notebook 02);
* :func:`hierarchical_explorer` -- edit a level-2 motif of the hierarchical space and watch
  the cell that uses it (notebook 03).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CellBuilder",
    "HierarchicalExplorer",
    "cell_builder",
    "hierarchical_explorer",
    "require_ipywidgets",
]

_MODULES = {
    "CellBuilder": "cell",
    "cell_builder": "cell",
    "HierarchicalExplorer": "hierarchical",
    "hierarchical_explorer": "hierarchical",
}
"""Where each explorer lives: its module is imported when the name is first asked for."""


def require_ipywidgets():
    """Import ipywidgets, or explain how to install it."""
    try:
        import ipywidgets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the interactive explorers need ipywidgets: pip install 'nasedu[notebooks]'"
        ) from error
    return ipywidgets


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'nasedu.widgets' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted(__all__)
