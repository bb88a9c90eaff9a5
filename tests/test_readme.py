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


# -- every number in the README's prose is checked here, or is a name -----------------------
# A number in the README either comes from the code, the notebooks or a committed result file
# (CLAIMS, computed below), or is part of a name (NAMES: a Python version in a command, a paper's
# year, "level-2", "T4").  A new number that is neither fails test_every_readme_number_is_known.

ROOT = README.parent
RESULTS = ROOT / "benchmarks" / "results"

NAMES = [
    # list numbering, and the notebooks' and exercises' own names
    *[f"{n}. " for n in range(1, 5)],
    "01_chain_and_multibranch",
    "02_cell_spaces",
    "03_hierarchical_spaces",
    "04_search_spaces_compared",
    "notebook 1",
    "notebooks 02 and 03",
    "notebook 02",
    "Notebook 04",
    "exercise 1 or 2",
    "exercise 4",
    # the papers' own vocabulary
    "Zoph et al. 2018",
    "Liu et al. 2018",
    "level-1",
    "level-2",
    "level-3",
    "V1/V2",
    "CIFAR-10",
    "B = 5",
    "darts_v2",
    # hardware, file formats and settings (names, not measurements)
    "T4",
    "float32",
    "fp32",
    "bf16",
    "fp16",
    "x86",
    "py3",
    "NASEDU_QUICK=1",
    "2-core",
    "Colab gives 2 vCPUs",
    "with 1 and 2 threads",
    "seconds=60",
    "run_notebooks-cpu2",
    "90-minute lab",
]


def _text() -> str:
    text = README.read_text().split("## References")[0]  # years and volumes of citations
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)  # code blocks are run above
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    return " ".join(text.split())


def _results(name: str) -> dict:
    import json

    return json.loads((RESULTS / name).read_text())


def _notebook_headings() -> dict[str, str]:
    """``{"2.8": "Pros and cons of the cell search space", ...}``, from the notebooks."""
    import json

    headings = {}
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                for line in "".join(cell["source"]).splitlines():
                    match = re.match(r"#+ (\d\.\d) (.*)", line)
                    if match:
                        headings[match.group(1)] = match.group(2)
    return headings


def _exercise_points() -> list[float]:
    """Points per assignment, from the nbgrader metadata of the source notebooks."""
    import json

    points = []
    for path in sorted((ROOT / "exercises" / "source").glob("*/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        points.append(sum(c["metadata"].get("nbgrader", {}).get("points", 0) for c in cells))
    return sorted(points)


def _install_claims() -> dict[str, str]:
    import math

    pyproject = (ROOT / "pyproject.toml").read_text()  # tomllib is Python 3.11+; 3.10 is supported
    python = re.search(r'^requires-python = ">=([\d.]+)"', pyproject, re.MULTILINE).group(1)
    version = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1)
    gb = {r["what"]: r["gb"] for r in _results("measure_install-cpu2.json")["rows"]}
    return {
        "python and disk": f"You need Python {python} or newer, git, and about "
        f"{math.ceil(gb['environment'])} GB of disk",
        "environment size": f"{gb['environment']:.2f} GB, of which PyTorch is {gb['torch']:.2f} GB",
        "wheel": f"`dist/nasedu-{version}-py3-none-any.whl`",
        "wheel in colab": f'`NASEDU_PIP = "nasedu-{version}-py3-none-any.whl"`',
    }


def _thread_claims(monkeypatch) -> dict[str, str]:
    import math

    from nasedu import threads
    from nasedu.cli import TOUR_SAMPLES
    from nasedu.train import describe_device

    rows = _results("bench_threads-cpu2.json")["rows"]
    spinning = [  # 2 threads against 1, OpenMP's default (spinning) wait, the course's networks
        r["vs_1_thread"]
        for r in rows
        if r["threads"] == 2
        and r["wait"] == "default"
        and r["load"] == 0
        and not r["network"].startswith("large")
    ]
    spin = next(
        r["vs_ideal"]
        for r in _results("bench_load-cpu2.json")["rows"]
        if r["students"] == 2 and r["threads"] == "2"
    )
    passive = next(
        r["vs_ideal"]
        for r in _results("bench_load-passive-cpu2.json")["rows"]
        if r["students"] == 2 and r["threads"] == "2"
    )
    monkeypatch.setattr(threads, "usable_cpus", lambda *args: 2)  # the README's example machine
    monkeypatch.setattr(threads, "cgroup_cpu_limit", lambda *args: None)
    monkeypatch.setattr(threads, "user_threads", lambda: None)
    words = {1: "one", 2: "two", 3: "three"}
    return {
        "tour": f"trains {words[TOUR_SAMPLES]} sampled networks of every search space",
        "large networks": f"at least {threads.LARGE_MACS // 10**9} billion multiply-adds per "
        "training batch",
        "spinning threads": f"2 threads trained them {math.floor(min(spinning))} to "
        f"{round(max(spinning), -1):.0f} times slower than 1 on a busy 2-core machine",
        "classroom": f"two students training with 2 threads each take {spin:.1f} times their "
        f"ideal time, against {passive:.1f} times when passive",
        "policy line": f"`{describe_device('cpu')}`",
    }


def _course_claims() -> dict[str, str]:
    import inspect

    from nasedu import opnames
    from nasedu.bench import load_benchmark
    from nasedu.data.cluttered import load_cluttered_digits
    from nasedu.spaces import Block
    from nasedu.train import QUICK_EPOCHS, QUICK_EVAL, QUICK_STEPS

    seconds = {r["notebook"][:2]: r["seconds"] for r in _results("run_notebooks-cpu2.json")["runs"]}
    minutes = {key: round(value / 60) for key, value in seconds.items()}
    bench = load_benchmark("multibranch-cluttered")
    hours = sum(r.train_seconds() * len(r.runs) for r in bench) / 2 / 3600  # on 2 workers
    points = _exercise_points()
    block = Block((0, 1), ("identity", "identity"))
    choices = len(block.inputs) + len(block.ops) + 1  # two inputs, two ops, one combine
    size = inspect.signature(load_cluttered_digits).parameters["size"].default
    return {
        "quick mode": f"at most {QUICK_EPOCHS} epochs of at most {QUICK_STEPS} batches, "
        f"validation on at most {QUICK_EVAL} images",
        "lab": f"notebook 01 in full mode (about {minutes['01']} minute"
        f"{'s' if minutes['01'] != 1 else ''} of training on a 2-core CPU)",
        "homework": f"in full mode as homework: about {minutes['02']} minutes on a CPU",
        "ops": f"`NASNET_OPS` ({len(opnames.NASNET_OPS)}), `LIU_PRIMITIVES` "
        f"({len(opnames.LIU_PRIMITIVES)}), `DARTS_OPS` ({len(opnames.DARTS_OPS)})",
        "table": f"a table of {len(bench)} trained architectures",
        "table seeds": f"{len(bench)} architectures x {len(bench.seeds)} seeds",
        "make_table": f"made the shipped tabular benchmark (about {round(hours)} hour"
        f"{'s' if round(hours) != 1 else ''} on 2 CPU cores; resumable)",
        "points": f"{points[0]:g}–{points[-1]:g} points each",
        "cluttered": f"cluttered digits ({size}x{size}, where architecture matters)",
        "choices": f"blocks with {choices} choices each",
        "choices per block": f"the {choices} choices of a block",
        "choices on the slide": f"B blocks of {choices} choices",
        "repetitions 01": "random search vs evolution in 100 paired repetitions",
        "repetitions 04": "100 repetitions of random search and evolution",
    }


def _zoo_claims() -> dict[str, str]:
    from nasedu import zoo
    from nasedu.measure import count_parameters

    millions = count_parameters(zoo.network("darts_v2")) / 1e6
    return {"darts v2": f"has the paper's {millions:.1f}M parameters"}


@pytest.fixture(scope="module")
def claims() -> dict[str, str]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return {
            **_install_claims(),
            **_thread_claims(monkeypatch),
            **_course_claims(),
            **_zoo_claims(),
        }


def test_every_readme_claim_is_what_code_and_results_say(claims):
    text = _text()
    wrong = {name: phrase for name, phrase in claims.items() if phrase not in text}
    assert not wrong, f"the README should say (computed now): {wrong}"


def test_the_repetitions_the_readme_names_are_the_notebooks():
    """100 repetitions in notebooks 01 and 04, as the table of notebooks says."""
    import json

    def code(name: str) -> str:
        cells = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")

    assert "for seed in range(100)" in code("01_chain_and_multibranch")
    assert re.search(r"repetitions = \d+, 100\b", code("04_search_spaces_compared"))


def test_the_readmes_section_references_exist():
    """The lecturers' table points at sections that exist, with the topic it names."""
    headings = _notebook_headings()
    text = _text()
    table = text[text.index("### For lecturers") : text.index("A 90-minute lab")]
    lab = text[text.index("A 90-minute lab") : text.index("## The exercises")]
    referenced = set(re.findall(r"\b(\d\.\d)(?:–(\d\.\d))?", table + lab))
    for first, last in referenced:
        for section in filter(None, (first, last)):
            assert section in headings, f"README refers to section {section}: no such heading"
    topics = {
        "2.8": "Pros and cons",
        "3.9": "Pros and cons",
        "4.9": "Pros and cons",
        "2.5": "Build a cell",
        "2.7": "transfer",
        "4.8": "Transfer",
        "3.8": "search",
    }
    for section, topic in topics.items():
        assert topic in headings[section], (section, headings[section])


def test_every_readme_number_is_known(claims):
    """A number in the README's prose is computed in `claims`, or is part of a name."""
    text = _text()
    for phrase in sorted([*claims.values(), *NAMES], key=len, reverse=True):
        text = text.replace(phrase, " ")
    sections = r"\b\d\.\d(?:–\d\.\d)?\b"  # section references, checked above
    text = re.sub(sections, " ", text)
    unknown = [text[max(0, m.start() - 30) : m.end() + 30] for m in re.finditer(r"\d", text)]
    assert not unknown, f"numbers in the README that nothing checks: {unknown}"
