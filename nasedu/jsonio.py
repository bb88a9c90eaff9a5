"""Writing JSON files safely: search histories, benchmark tables and their checkpoints.

A long search or table build writes its results after every step.  Writing the file in place
would leave half a file if the process is killed mid-write; writing a temporary file and
renaming it over the old one is atomic, so a reader always finds the old or the new version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["write_json_atomic"]


def write_json_atomic(path: str | Path, data: Any, **dumps_options: Any) -> None:
    """Write ``data`` as JSON to ``path`` (folders created), atomically.

    ``dumps_options`` go to :func:`json.dumps`, e.g. ``indent=1`` for a readable file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, **dumps_options))
    tmp.replace(path)
