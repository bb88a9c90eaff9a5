"""Interactive ipywidgets explorers for the notebooks.

Nothing here is imported by ``import nasedu``: the package works without Jupyter or ipywidgets
(on a headless GPU machine, say).  Import a submodule, e.g. ``nasedu.widgets.cell``, inside a
notebook; it raises a clear ImportError if ipywidgets is missing.
"""


def require_ipywidgets():
    """Import ipywidgets, or explain how to install it."""
    try:
        import ipywidgets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the interactive explorers need ipywidgets: pip install 'nasedu[notebooks]'"
        ) from error
    return ipywidgets
