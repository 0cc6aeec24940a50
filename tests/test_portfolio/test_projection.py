"""The Monte Carlo projection: the right median for small volatility, deterministic under its seed,
common random numbers across portfolios, and bands for all three portfolios of the default run."""

from __future__ import annotations

import numpy as np
import pytest
from comparison_helpers import default_run

from portfolio.projection import PERCENTILES, lognormal_parameters, project


def test_median_is_close_to_compound_growth_for_small_volatility():
    projection = project({"uk": (0.05, 0.001), "portfolio": (0.07, 0.001)}, np.eye(2), 100e6)
    for key, rate in (("uk", 0.05), ("portfolio", 0.07)):
        median = np.array(projection.bands[key]["p50"])
        expected = 100e6 * (1 + rate) ** np.arange(11)
        assert np.abs(median / expected - 1).max() < 1e-3


def test_lognormal_parameters_give_the_stated_mean_and_volatility():
    mu, s = lognormal_parameters(0.06, 0.12)
    mean = np.exp(mu + s**2 / 2)
    variance = (np.exp(s**2) - 1) * np.exp(2 * mu + s**2)
    assert mean == pytest.approx(1.06, abs=1e-12)
    assert np.sqrt(variance) == pytest.approx(0.12, abs=1e-12)


def test_the_same_seed_gives_the_same_bands_and_another_seed_does_not():
    figures = {"portfolio": (0.06, 0.07), "uk": (0.065, 0.12)}
    corr = np.array([[1.0, 0.5], [0.5, 1.0]])
    first, again = project(figures, corr, 1e8), project(figures, corr, 1e8)
    assert first.bands == again.bands and first.probability_below_uk == again.probability_below_uk
    assert project(figures, corr, 1e8, seed=1).bands != first.bands


def test_identical_portfolios_get_identical_paths_common_random_numbers():
    projection = project({"portfolio": (0.06, 0.1), "uk": (0.06, 0.1)}, np.ones((2, 2)), 1e8)
    assert projection.bands["portfolio"] == projection.bands["uk"]
    assert projection.probability_below_uk["portfolio"] == 0.0


def test_bands_are_ordered_and_start_at_the_money_invested():
    projection = default_run().comparison.projection
    assert set(projection.bands) == {"portfolio", "uk", "city_weighted"}
    assert projection.years == list(range(11)) and projection.paths == 5_000
    for bands in projection.bands.values():
        values = np.array([bands[f"p{p}"] for p in PERCENTILES])
        assert np.all(values[:, 0] == 100e6)
        assert np.all(np.diff(values, axis=0) >= 0)
    assert 0 <= projection.probability_below_uk["portfolio"] <= 1
