"""The ``nasedu`` command given bad input: one line on stderr, a non-zero exit, no traceback.

Exit status 2 for bad input (argparse's convention), 1 for anything else that failed (a missing
data set, a folder that cannot be written); ``--debug`` anywhere on the command line shows the
full traceback instead.  Names come out as the user typed them, not in a KeyError's quotes.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nasedu import cli
from nasedu.cli import main

CLI_FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def one_line_error(capsys, argv: list[str], status: int = 2) -> str:
    """Run ``nasedu argv``; it must exit with ``status`` and say one line on stderr."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors exit
        code = exit_.code
    err = capsys.readouterr().err
    assert code == status, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nasedu") and "error" in lines[0], err
    assert "Traceback" not in err and len(lines[0]) <= 700, err
    return lines[0]


NOT_COUNTS = st.one_of(
    st.sampled_from(["0", "-1", "x", "", "1.5", "True", "1e3", "nan", "9" * 5000, "3 4"]),
    st.text(max_size=6).filter(lambda t: not t.strip().isdigit()),
)


@CLI_FUZZ
@given(option=st.sampled_from(["--samples", "--epochs"]), value=NOT_COUNTS)
def test_tour_counts_must_be_positive_whole_numbers(capsys, option, value):
    line = one_line_error(capsys, ["tour", option, value])
    assert option in line


@CLI_FUZZ
@given(value=st.one_of(NOT_COUNTS.filter(lambda v: v != "0"), st.just(str(2**32))))
def test_the_seed_is_a_whole_number_in_range(capsys, value):
    assert "--seed" in one_line_error(capsys, ["tour", "--seed", value])


NAMES = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters=",-"),
    min_size=1,
    max_size=12,
).filter(lambda t: t.strip() == t and t)


@CLI_FUZZ
@given(name=NAMES)
def test_unknown_names_are_one_line_without_key_error_quotes(capsys, name):
    for argv, what in (
        (["tour", "--spaces", name], "unknown search space"),
        (["tour", "--data", name], "unknown data set"),
        (["info", name], "unknown search space"),
        (["bench", name], "unknown benchmark"),
    ):
        known = {"chain", "multibranch", "cell", "hierarchical", "flat", "digits", "cifar10"}
        if name in known or name.startswith("cluttered") or name.startswith("multibranch"):
            continue
        line = one_line_error(capsys, argv)
        assert what in line and not line.split("error: ", 1)[1].startswith('"'), line


def test_samples_zero_is_refused_not_an_empty_table(capsys, tmp_path):
    line = one_line_error(capsys, ["tour", "--samples", "0", "--out", str(tmp_path / "t")])
    assert "between 1 and" in line
    assert not (tmp_path / "t").exists()


def test_a_missing_data_set_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./data folder with CIFAR-10 here
    line = one_line_error(capsys, ["tour", "--data", "cifar10", "--out", "t"], status=1)
    assert "CIFAR-10" in line and "--debug" in line


def test_an_unusable_out_folder_is_refused_before_training(capsys, tmp_path, monkeypatch):
    file = tmp_path / "a-file"
    file.write_text("x")
    trained = []
    monkeypatch.setattr(cli, "tour", lambda **kwargs: trained.append(kwargs))
    assert "is a file" in one_line_error(capsys, ["tour", "--out", str(file)])
    one_line_error(capsys, ["tour", "--out", str(file / "below")], status=1)
    assert not trained


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(capsys, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("something deep went wrong\nwith a second line")

    monkeypatch.setattr(cli, "tour", broken)
    line = one_line_error(capsys, ["tour", "--samples", "1"], status=1)
    assert "RuntimeError: something deep went wrong with a second line" in line
    with pytest.raises(RuntimeError):
        main(["tour", "--debug", "--samples", "1"])


def test_the_command_prints_no_traceback_unless_asked():
    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "nasedu", *argv], capture_output=True, text=True, timeout=120
        )

    plain = run("info", "no-such-space")
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert plain.stderr.strip() == (
        "nasedu: error: unknown search space 'no-such-space'; available: "
        "chain, multibranch, cell, hierarchical, flat"
    )
    debug = run("--debug", "info", "no-such-space")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


@pytest.mark.parametrize(
    ("argument", "value", "words"),
    [
        ("samples", 0, "samples must be"),
        ("samples", True, "samples must be"),
        ("epochs", 1.5, "epochs must be"),
        ("seed", -1, "seed must be"),
        ("spaces", "chain", "spaces must be a list"),
        ("spaces", ["nope"], "unknown search space"),
    ],
)
def test_the_tour_function_refuses_what_the_command_refuses(tmp_path, argument, value, words):
    from nasedu.cli import tour

    with pytest.raises(ValueError, match=words):
        tour(**{argument: value}, out=tmp_path, progress=False)
    assert not any(tmp_path.iterdir())  # nothing was trained or written
