"""A Monte Carlo projection of each portfolio's value over the years, in percentile bands.

Each year's growth factor 1 + R is lognormal with the portfolio's expected return r and volatility
sigma (so E[1 + R] = 1 + r and sd(R) = sigma): log(1 + R) ~ N(mu, s^2) with
s^2 = ln(1 + sigma^2 / (1 + r)^2) and mu = ln(1 + r) - s^2 / 2. The median value after t years is
start x exp(mu t), close to start x (1 + r)^t when sigma is small. All portfolios use the same
seeded standard-normal draws (common random numbers), correlated as the joint risk model says, so
the bands differ only because the portfolios differ, and the same inputs always give the same bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEED = 20_261_122
YEARS = 10
PATHS = 5_000
PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class Projection:
    """Percentile bands of value in £ per year (year 0 = the money invested) for each portfolio."""

    years: list[int]
    paths: int
    seed: int
    start_gbp: float
    bands: dict[str, dict[str, list[float]]]  # key -> "p5".."p95" -> value per year
    probability_of_loss: dict[str, float]  # value after the last year below the money invested
    probability_below_uk: dict[str, float]  # value after the last year below the UK benchmark's

    def as_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "years": self.years,
            "paths": self.paths,
            "seed": self.seed,
            "start_gbp": self.start_gbp,
            "percentiles": list(PERCENTILES),
            "method": "lognormal annual growth from expected return and volatility; common random numbers",
            "bands": {
                k: {p: [round(v, 2) for v in values] for p, values in b.items()}
                for k, b in self.bands.items()
            },
            "probability_of_loss": {k: round(v, 4) for k, v in self.probability_of_loss.items()},
            "probability_below_uk": {k: round(v, 4) for k, v in self.probability_below_uk.items()},
        }


def lognormal_parameters(expected_return: float, volatility: float) -> tuple[float, float]:
    """(mu, s) of log(1 + R) for a yearly return R with this mean and standard deviation."""
    variance = np.log1p(volatility**2 / (1.0 + expected_return) ** 2)
    return float(np.log1p(expected_return) - variance / 2), float(np.sqrt(variance))


def _root(correlation: np.ndarray) -> np.ndarray:
    """L with L L' = correlation (works when the matrix is singular, e.g. two identical portfolios)."""
    values, vectors = np.linalg.eigh((correlation + correlation.T) / 2)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def project(
    figures: dict[str, tuple[float, float]],
    correlation: np.ndarray,
    start_gbp: float,
    years: int = YEARS,
    paths: int = PATHS,
    seed: int = SEED,
) -> Projection:
    """Bands for each portfolio in `figures` (key -> (expected return, volatility)), in that order."""
    keys = list(figures)
    draws = np.random.default_rng(seed).standard_normal((paths, years, len(keys))) @ _root(correlation).T
    values = {}
    for index, key in enumerate(keys):
        mu, s = lognormal_parameters(*figures[key])
        growth = np.cumsum(mu + s * draws[:, :, index], axis=1)
        values[key] = start_gbp * np.hstack([np.ones((paths, 1)), np.exp(growth)])
    bands = {
        key: {f"p{p}": [float(x) for x in np.percentile(v, p, axis=0)] for p in PERCENTILES}
        for key, v in values.items()
    }
    below = {
        k: float(np.mean(v[:, -1] < values["uk"][:, -1]))
        for k, v in values.items()
        if k != "uk" and "uk" in values
    }
    return Projection(
        list(range(years + 1)),
        paths,
        seed,
        start_gbp,
        bands,
        {k: float(np.mean(v[:, -1] < start_gbp)) for k, v in values.items()},
        below,
    )
