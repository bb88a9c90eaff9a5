"""The ``nasedu`` command."""

from __future__ import annotations

import json
import subprocess
import sys

from nasedu.cli import main, tour
from nasedu.spaces import get_space


def test_tour_trains_every_requested_space_and_writes_figures(tmp_path, capsys):
    rows = tour(spaces=["chain", "multibranch"], samples=2, epochs=1, out=tmp_path, progress=False)
    assert [r["space"] for r in rows] == ["chain", "chain", "multibranch", "multibranch"]
    assert all(0 <= r["val_accuracy"] <= 1 and r["params"] > 0 for r in rows)
    for name in ("chain.png", "multibranch.png", "training_curves.png", "tour.json"):
        assert (tmp_path / name).stat().st_size > 0
    report = json.loads((tmp_path / "tour.json").read_text())
    assert report[0]["genotype"]["layers"]
    printed = capsys.readouterr().out
    assert "val acc" in printed and "multibranch" in printed


def test_info_and_spaces(capsys):
    assert main(["info", "chain"]) == 0
    out = capsys.readouterr().out
    assert "15,943,877,550 genotypes" in out and "parameters" in out
    assert main(["spaces"]) == 0
    assert "multibranch" in capsys.readouterr().out


def test_unknown_space_is_a_clean_error(capsys):
    assert main(["info", "nope"]) == 2
    assert "unknown search space" in capsys.readouterr().err


def test_python_dash_m_runs_the_command():
    done = subprocess.run(
        [sys.executable, "-m", "nasedu", "spaces"], capture_output=True, text=True, check=True
    )
    assert "chain" in done.stdout


def test_listing_the_spaces_does_not_import_torch():
    code = (
        "import sys\nfrom nasedu.cli import main\nmain(['spaces'])\nprint('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names, torch_imported = done.stdout.split()[:-1], done.stdout.split()[-1]
    assert names == ["chain", "multibranch", "cell", "hierarchical", "flat"]
    assert torch_imported == "False", done.stderr


def test_the_tour_table_is_readable(tmp_path, capsys):
    """Each space's rows under its own name, genotypes without their class name in the table
    and in full in tour.json, and the estimate printed before training."""
    rows = tour(spaces=["cell", "flat"], samples=2, epochs=1, out=tmp_path, progress=False)
    printed = capsys.readouterr().out
    assert printed.startswith("nasedu tour: 4 networks x 1 epochs, about")
    assert "--samples" in printed.splitlines()[0]
    table = printed[printed.index("space ") :]
    assert "flat #1: " in table and "HierarchicalGenotype(" not in table
    assert [line.split()[0] for line in table.splitlines()[2:6:2]] == ["cell", "flat"]
    report = json.loads((tmp_path / "tour.json").read_text())
    assert [r["sample"] for r in report] == [1, 2, 1, 2]
    cell = get_space("cell")
    assert cell.from_json({"genotype": report[0]["genotype"]}) == rows[0]["genotype"]


def test_import_does_not_need_jupyter():
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    if name.split('.')[0] in ('ipywidgets', 'IPython', 'jupyterlab'):\n"
        "        raise ImportError(name)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        "import nasedu, nasedu.spaces, nasedu.train, nasedu.search, nasedu.viz, nasedu.cli\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_failing_architecture_is_reported_not_fatal(tmp_path, monkeypatch):
    import nasedu.train

    def diverge(*args, **kwargs):
        raise nasedu.train.TrainingDiverged("the loss became nan (simulated)")

    monkeypatch.setattr(nasedu.train, "fit", diverge)
    rows = tour(spaces=["chain"], samples=2, epochs=1, out=tmp_path, progress=False)
    assert len(rows) == 2 and all("nan" in r["error"] for r in rows)
    assert (tmp_path / "tour.json").exists()


def test_bench_lists_and_describes_the_tables(capsys):
    assert main(["bench"]) == 0
    assert "multibranch-cluttered: TabularBenchmark(" in capsys.readouterr().out
    assert main(["bench", "multibranch-cluttered"]) == 0
    out = capsys.readouterr().out
    assert "best by validation" in out and "MultiBranchGenotype(" in out
    assert main(["bench", "nas-bench-201"]) == 2
    assert "unknown benchmark 'nas-bench-201'" in capsys.readouterr().err


def test_doctor_reports_versions_device_and_optional_tools(capsys, monkeypatch):
    monkeypatch.setenv("NASEDU_QUICK", "1")
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    import torch

    import nasedu

    assert f"nasedu       {nasedu.__version__}" in out
    assert f"torch        {torch.__version__}" in out
    from nasedu.train import describe_device

    assert f"training on  {describe_device()}" in out and "fp32" in out
    assert "quick mode   on (NASEDU_QUICK)" in out
    assert "threads      " in out and "usable" in out  # the thread policy's inputs
    for tool in ("jupyterlab", "ipywidgets", "nbgrader"):
        assert tool in out
