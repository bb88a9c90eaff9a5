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
