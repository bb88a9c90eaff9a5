"""The search spaces are pure data: every space works in a Python where torch cannot import.

A subprocess installs an import hook that refuses ``torch`` (as if it were not installed), then
imports :mod:`nasedu.spaces` and every space module and uses each space's protocol except
``build`` and ``plot`` (which import torch and matplotlib lazily).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib
    import sys

    class NoTorch:
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ImportError(f"torch is blocked in this test ({name})")
            return None

    sys.meta_path.insert(0, NoTorch())

    import nasedu.spaces as spaces
    from nasedu.spaces import (
        CellGenotype, CellSpace, ChainGenotype, ChainSpace, DartsGenotype, FlatSpace,
        HierarchicalGenotype, HierarchicalSpace, MultiBranchGenotype, MultiBranchSpace,
    )
    for module in ("chain", "multibranch", "cell", "hierarchical", "flat", "darts_format",
                   "layers", "motifs", "checks", "base"):
        importlib.import_module(f"nasedu.spaces.{module}")
    from nasedu.spaces.darts_format import from_darts, to_darts, validate_darts

    genotypes = {
        "chain": ChainGenotype, "multibranch": MultiBranchGenotype, "cell": CellGenotype,
        "hierarchical": HierarchicalGenotype, "flat": HierarchicalGenotype,
    }
    small = {
        "chain": {"max_layers": 2},
        "multibranch": {"max_layers": 2},
        "cell": {"num_blocks": 1, "ops": ("skip_connect", "conv_1x1")},
        "hierarchical": {"motifs": (2, 1), "nodes": (3, 3), "primitives": ("skip_connect",
                         "max_pool_3x3")},
        "flat": {"nodes": 3, "primitives": ("skip_connect", "max_pool_3x3")},
    }
    assert sorted(spaces.available_spaces()) == sorted(spaces.SPACES)
    assert all(getattr(spaces, name) is not None for name in spaces.__all__)
    for name in spaces.SPACES:
        for space in (spaces.get_space(name), spaces.get_space(name, **small[name])):
            g = space.sample(0)
            assert isinstance(g, genotypes[name]), (name, type(g))
            assert space.validate(g) is g
            assert space.validate(space.mutate(g, 1))
            assert space.size() > 0
            assert len(space.arch_hash(g)) > 0
            assert space.from_json(space.to_json(g)) == g
        assert len(list(space.enumerate())) > 0
    assert isinstance(CellSpace(), CellSpace) and isinstance(FlatSpace(), HierarchicalSpace)
    darts = to_darts(CellSpace(ops=("skip_connect", "sep_conv_3x3"), combine=("add",)).sample(2))
    assert isinstance(validate_darts(darts), DartsGenotype) and from_darts(darts)
    leaked = sorted(m for m in sys.modules if m == "torch" or m.startswith("torch."))
    assert not leaked, leaked
    print("ok")
    """
)


def test_spaces_work_without_torch():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"
