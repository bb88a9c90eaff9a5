"""One import path for every public name: the course imports only what the packages export.

A student copies imports from the notebooks and the exercises, so those show the one public
path of each name: ``from nasedu.spaces import CellSpace``, ``from nasedu.viz import
plot_cell``, ``from nasedu.networks import CellLayer`` -- never the module that happens to
define it (``nasedu.spaces.cell``, ``nasedu.viz.cell``, ``nasedu.networks.hierarchical``).
The modules inside a package are its implementation and may be split or renamed; the names a
package lists in ``__all__`` are its promise.

Rule: an import names ``nasedu`` or one module or package directly below it (``nasedu.spaces``,
``nasedu.train``), and each imported name is in that module's ``__all__`` (or is one of its
submodules, as in ``from nasedu import zoo``).  Checked for every notebook, every exercise (with
its solutions) and every answer key, including the code the keys run in the sandbox, which they
hold as strings.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [
        *ROOT.glob("notebooks/*.ipynb"),
        *ROOT.glob("exercises/source/*/*.ipynb"),
        *ROOT.glob("exercises/keys/*.py"),
    ]
)
FROM_IMPORT = re.compile(r"\bfrom\s+(nasedu(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n]+)")
PLAIN_IMPORT = re.compile(r"^\s*import\s+(nasedu(?:\.\w+)*)", re.MULTILINE)


def code_of(path: Path) -> str:
    """The code of a notebook (its code cells) or of a Python file."""
    if path.suffix != ".ipynb":
        return path.read_text()
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def imports(code: str) -> list[tuple[str, str | None]]:
    """``(module path, imported name)`` of every nasedu import; the name is None for a plain
    ``import nasedu...``.  Imports inside strings count too (the keys' sandbox code)."""
    found: list[tuple[int, str, str | None]] = [
        (m.start(), m.group(1), None) for m in PLAIN_IMPORT.finditer(code)
    ]
    for match in FROM_IMPORT.finditer(code):
        module, names = match.groups()
        for chunk in re.sub(r"#[^\n]*", "", names).strip("()").split(","):
            name = re.match(r"\s*([A-Za-z_]\w*)", chunk)
            if name:
                found.append((match.start(), module, name.group(1)))
    return [(module, name) for _, module, name in sorted(found, key=lambda f: f[0])]


def problems(code: str) -> list[str]:
    """Each import that does not follow the rule, with the public path to use instead."""
    wrong = []
    for module, name in imports(code):
        if module.count(".") > 1:
            package = module.rsplit(".", 1)[0]
            wrong.append(f"{module} (import {name or 'it'} from {package}, its package)")
            continue
        if name is None:
            continue
        imported = importlib.import_module(module)
        exported = getattr(imported, "__all__", None)
        is_package = hasattr(imported, "__path__")
        submodule = is_package and importlib.util.find_spec(f"{module}.{name}") is not None
        if exported is not None and name not in exported and not submodule:
            wrong.append(f"from {module} import {name} ({name} is not in {module}.__all__)")
    return wrong


def test_the_scan_sees_every_kind_of_import():
    code = (
        "import nasedu\nfrom nasedu.spaces import (\n    Cell,  # a comment\n    Motif,\n)\n"
        'IMPORTS = """from nasedu.viz.cell import plot_cell\nfrom nasedu import zoo"""\n'
    )
    assert imports(code) == [
        ("nasedu", None),
        ("nasedu.spaces", "Cell"),
        ("nasedu.spaces", "Motif"),
        ("nasedu.viz.cell", "plot_cell"),
        ("nasedu", "zoo"),
    ]
    assert problems(code) == ["nasedu.viz.cell (import plot_cell from nasedu.viz, its package)"]
    assert problems("from nasedu.spaces import check_motif") == [
        "from nasedu.spaces import check_motif (check_motif is not in nasedu.spaces.__all__)"
    ]


def test_every_file_of_the_course_is_scanned():
    names = {path.relative_to(ROOT).as_posix() for path in FILES}
    assert "notebooks/01_chain_and_multibranch.ipynb" in names
    assert "exercises/keys/ex03_hierarchical_spaces.py" in names
    assert len([n for n in names if n.startswith("exercises/source/")]) >= 4
    assert len([n for n in names if n.startswith("notebooks/")]) >= 4


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_course_imports_only_public_paths(path):
    wrong = problems(code_of(path))
    assert not wrong, f"{path.relative_to(ROOT)} imports from non-public paths: " + "; ".join(wrong)
