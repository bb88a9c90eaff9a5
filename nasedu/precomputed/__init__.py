"""Results computed once, offline, and shipped with the package, clearly marked as such.

Some lessons need more computation than a notebook can afford in quick mode (the continuous
integration run, a student's first pass): ten repeated searches per strategy, or a network
trained for all its epochs.  A benchmark script in ``benchmarks/`` computes them once and writes
``nasedu/precomputed/<name>.json``; the notebooks load that file, say that it is precomputed,
and (in full mode) recompute a smaller version themselves.  Every shipped file carries a
``note`` starting with ``PRECOMPUTED``, the ``date`` and the ``machine`` that produced it.

* ``searchability`` -- ``benchmarks/bench_searchability.py`` (read with
  :func:`nasedu.searchability.load_precomputed`);
* ``table_retraining`` -- ``benchmarks/retrain_table.py``: the tabular benchmark's best
  architecture retrained with the table's settings and seeds (:func:`table_retraining`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["NAMES", "load", "table_retraining"]

NAMES = ("searchability", "table_retraining")


def load(name: str) -> dict[str, Any]:
    """The shipped result ``name`` (one of :data:`NAMES`) as plain JSON data."""
    if name not in NAMES:
        raise ValueError(f"name must be one of {list(NAMES)}, got {name!r:.60}")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text()
    data = json.loads(text)
    if not str(data.get("note", "")).startswith("PRECOMPUTED"):
        raise ValueError(f"precomputed/{name}.json is not marked PRECOMPUTED in its note")
    for key in ("date", "machine"):
        if key not in data:
            raise ValueError(f"precomputed/{name}.json does not say its {key}")
    return data


def table_retraining() -> dict[str, Any]:
    """The table's best architecture retrained offline: ``table`` and ``retrained`` runs per
    seed (``seed``, ``val_accuracy`` per epoch, ``test_accuracy``), the ``hash`` of the
    architecture and the ``settings`` (threads, device, torch version) of the retraining."""
    data = load("table_retraining")
    for key in ("hash", "settings", "table", "retrained"):
        if key not in data:
            raise ValueError(f"precomputed/table_retraining.json has no {key!r}")
    for key in ("table", "retrained"):
        runs = data[key]
        if not isinstance(runs, list) or not runs:
            raise ValueError(f"precomputed/table_retraining.json: {key} must list runs")
        for run in runs:
            accuracies = [*run["val_accuracy"], run["test_accuracy"]]
            if not all(isinstance(a, (int, float)) and 0 <= a <= 1 for a in accuracies):
                raise ValueError(f"precomputed/table_retraining.json: {key} has a bad accuracy")
    if [r["seed"] for r in data["table"]] != [r["seed"] for r in data["retrained"]]:
        raise ValueError("precomputed/table_retraining.json: table and retrained seeds differ")
    return data
