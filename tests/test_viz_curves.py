"""Training, search and repeated-run curves draw what they are given."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nasedu.search import SearchHistory
from nasedu.train import FitResult
from nasedu.viz import plot_runs, plot_search, plot_training


def test_plot_training_draws_one_line_per_result():
    results = {"a": FitResult(val_accuracy=[0.1, 0.5]), "b": FitResult(val_accuracy=[0.2, 0.3])}
    ax = plot_training(results)
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    plt.close("all")


def test_plot_search_draws_the_best_so_far():
    history = SearchHistory("chain", "random search")
    history.records = [{"score": s} for s in (0.2, 0.1, 0.6, 0.4)]
    ax = plot_search({"random": history})
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.2, 0.2, 0.6, 0.6])
    plt.close("all")


def test_plot_runs_draws_the_mean_of_the_repetitions():
    curves = {"random": [[0.1, 0.5, 0.5], [0.3, 0.3, 0.7]]}
    ax = plot_runs(curves)
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [0.2, 0.4, 0.6])
    assert line.get_label() == "random (mean of 2)"
    plt.close("all")


def test_plot_runs_resamples_onto_a_common_time_grid():
    # two runs that finished their evaluations at different times
    curves = {"evolution": [[0.1, 0.5], [0.2, 0.4]]}
    seconds = {"evolution": [[1.0, 3.0], [2.0, 4.0]]}
    ax = plot_runs(curves, x=seconds, xlabel="simulated seconds")
    (line,) = ax.get_lines()
    grid, mean = line.get_xdata(), line.get_ydata()
    assert grid[0] == pytest.approx(2.0) and grid[-1] == pytest.approx(4.0)
    assert mean[0] == pytest.approx((0.1 + 0.2) / 2)  # at t=2 both have one result
    at_3 = np.searchsorted(grid, 3.0)  # the first grid point at or after t=3
    assert mean[at_3] == pytest.approx((0.5 + 0.2) / 2)  # at t=3 the first has its second
    # not cut at the shorter run (ends at 3): the first run keeps its final 0.5 until t=4
    assert mean[-1] == pytest.approx((0.5 + 0.4) / 2)
    assert ax.get_xlabel() == "simulated seconds"
    plt.close("all")


def test_plot_runs_says_which_percentiles_the_band_covers():
    curves = {"random": [[0.0], [0.1], [0.2], [0.3], [0.4]]}
    ax = plot_runs(curves, band=(10, 90))
    assert ax.get_legend().get_title().get_text() == "bands: 10th-90th percentile"
    (band,) = ax.collections
    low, high = band.get_paths()[0].vertices[:, 1].min(), band.get_paths()[0].vertices[:, 1].max()
    assert low == pytest.approx(0.04) and high == pytest.approx(0.36)
    with pytest.raises(ValueError, match="band"):
        plot_runs(curves, band=(75, 25))
    plt.close("all")


def test_plot_runs_names_the_label_of_bad_curves():
    with pytest.raises(ValueError, match=r"'ragged'.*one length"):
        plot_runs({"ragged": [[0.1, 0.2], [0.3]]})
    with pytest.raises(ValueError, match=r"'short x'.*shape"):
        plot_runs({"short x": [[0.1, 0.2]]}, x={"short x": [[1.0]]})
    with pytest.raises(ValueError, match=r"'apart'.*overlap"):
        plot_runs({"apart": [[0.1, 0.2], [0.3, 0.4]]}, x={"apart": [[0, 1], [5, 6]]})
    plt.close("all")
