"""The README's Python examples run as printed, and print what the README says they print."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, monkeypatch):
    monkeypatch.setenv("NASEDU_QUICK", "1")  # the examples train: keep it to seconds here
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(BLOCKS[index], f"README.md python block {index + 1}", "exec"), {})
    lines = printed.getvalue().splitlines()
    # where the README shows the output in a comment ("print(x)  # 42 -- ..."), check it
    promised = re.findall(r"^print\(.*\)\s+# (\d[\d,]*)\b", BLOCKS[index], flags=re.MULTILINE)
    for value in promised:
        assert value in lines, f"README promises {value} is printed; got {lines}"


def test_the_readmes_quick_mode_numbers_are_the_librarys():
    from nasedu.train import QUICK_EPOCHS, QUICK_EVAL, QUICK_STEPS

    text = " ".join(README.read_text().split())
    promised = (
        f"at most {QUICK_EPOCHS} epochs of at most {QUICK_STEPS} batches, validation on at "
        f"most {QUICK_EVAL} images"
    )
    assert promised in text


def test_the_readmes_tour_and_thread_policy_are_the_librarys():
    from nasedu.cli import TOUR_SAMPLES
    from nasedu.threads import LARGE_MACS

    text = " ".join(README.read_text().split())
    words = {1: "one", 2: "two", 3: "three"}
    assert f"trains {words[TOUR_SAMPLES]} sampled networks of every search space" in text
    assert f"at least {LARGE_MACS // 10**9} billion multiply-adds per training batch" in text


def test_the_readmes_disk_figures_are_the_measured_ones():
    import json

    measured = json.loads(
        (README.parent / "benchmarks/results/measure_install-cpu2.json").read_text()
    )
    sizes = {row["what"]: row["gb"] for row in measured["rows"]}
    text = " ".join(README.read_text().split())
    assert f"{sizes['environment']:.2f} GB, of which PyTorch is {sizes['torch']:.2f} GB" in text
