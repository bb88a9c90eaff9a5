"""How much disk the course's environment takes: the whole environment and PyTorch in it.

Run inside the environment (after ``pip install -e ".[notebooks]"`` or ``".[dev]"``); the
README's disk figures come from here.

    python benchmarks/measure_install.py      # writes results/measure_install-cpuN.json
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def size(folder: Path) -> int:
    """Bytes of every file under ``folder`` (links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    import torch
    from common import print_table, save

    environment = Path(sys.prefix)
    site = Path(sysconfig.get_paths()["purelib"])
    rows = [
        {"what": "environment", "path": str(environment), "gb": size(environment) / 1e9},
        {"what": "torch", "path": str(Path(torch.__file__).parent), "gb": 0.0},
        {"what": "nvidia libraries", "path": str(site / "nvidia"), "gb": 0.0},
    ]
    rows[1]["gb"] = size(Path(torch.__file__).parent) / 1e9
    if (site / "nvidia").exists():
        rows[2]["gb"] = size(site / "nvidia") / 1e9
    for row in rows:
        row["gb"] = round(row["gb"], 2)
    print_table(rows, ["what", "gb", "path"])
    save("measure_install", rows, torch_version=torch.__version__)


if __name__ == "__main__":
    main()
