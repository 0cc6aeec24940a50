"""The Takahashi-Alexander model of a commitment to a private fund: calls, distributions, value.

Takahashi and Alexander (2002), "Illiquid alternative asset fund modeling", Journal of Portfolio
Management 28(2), the model practitioners use to pace private-market programmes. For one
commitment, year t of its life (t = 1 in the year it is made):

    calls          C_t   = RC_t x (commitment - paid in before t)
    distributions  D_t   = RD_t x NAV_{t-1} x (1 + G),   RD_t = max(Y, (t / L)^B)
    value          NAV_t = NAV_{t-1} x (1 + G) + C_t - D_t

RC_t is the call rate (year one, year two, then every later year), G the growth of the value (the
asset class's expected return), Y the distribution yield (the least paid out a year), L the fund's
life and B its bow (how late the value is returned). In year L the fund is wound up: its whole
value is paid out and what was never called lapses. A class with no life (listed holdings) is
bought outright and never wound up.

The model is linear in the commitment, so a programme's flows are the sum of each year's
commitment times the flows of a commitment of £1 (`unit_flows`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class ClassPacing:
    """The pacing assumptions of one asset class (one row of data/pacing_assumptions.csv)."""

    asset_class: str
    call_rates: tuple[float, float, float]  # year one, year two, every later year
    distribution_yield: float
    growth: float | None  # None: the asset class's expected return (capital market assumptions)
    fund_life_years: int | None = None  # None: bought outright and held (no wind-down)
    bow: float = 0.0
    basis: str = "assumption"
    description: str = ""

    def growing(self, expected_return: float) -> ClassPacing:
        """These assumptions, with the growth the file left blank taken as `expected_return`."""
        return self if self.growth is not None else replace(self, growth=expected_return)

    def call_rate(self, age: int) -> float:
        """The share of what is still uncalled that is called in year `age` of the commitment."""
        return self.call_rates[min(age, 3) - 1]

    def distribution_rate(self, age: int) -> float:
        """RD_t = max(Y, (t/L)^B): the share of the grown value paid out in year `age`."""
        if self.fund_life_years is None:
            return self.distribution_yield
        return max(self.distribution_yield, (age / self.fund_life_years) ** self.bow)


@dataclass(frozen=True)
class Flows:
    """Calls, distributions and value at each year's end, year by year (numpy arrays of one length)."""

    calls: np.ndarray
    distributions: np.ndarray
    nav: np.ndarray

    @property
    def net(self) -> np.ndarray:
        """Distributions less calls: negative when the programme takes cash from the fund."""
        return self.distributions - self.calls


def unit_flows(pacing: ClassPacing, years: int) -> Flows:
    """The flows of a commitment of £1 over its first `years` years, by the recursion above."""
    if pacing.growth is None:
        raise ValueError(f"no growth for {pacing.asset_class}: call growing() first")
    calls, distributions, nav = np.zeros(years), np.zeros(years), np.zeros(years)
    paid, value = 0.0, 0.0
    for index in range(years):
        age = index + 1
        grown = value * (1.0 + pacing.growth)
        if pacing.fund_life_years is not None and age >= pacing.fund_life_years:
            call, paid_out = 0.0, grown  # wound up: the whole value paid out, the uncalled lapses
        else:
            call = pacing.call_rate(age) * (1.0 - paid)
            paid_out = pacing.distribution_rate(age) * grown
        value = grown + call - paid_out
        paid += call
        calls[index], distributions[index], nav[index] = call, paid_out, value
    return Flows(calls, distributions, nav)


def vintage_matrix(profile: np.ndarray) -> np.ndarray:
    """The lower-triangular matrix M with M[t, v] = profile[t - v]: `M @ commitments` is the flow in
    each year of commitments made in each year (a commitment's flows start in its own year)."""
    size = len(profile)
    rows, cols = np.indices((size, size))
    lags = rows - cols
    return np.where(lags >= 0, profile[np.clip(lags, 0, size - 1)], 0.0)


def programme_flows(pacing: ClassPacing, commitments: np.ndarray) -> Flows:
    """The flows of one asset class's commitments, one entry a year from the first."""
    unit = unit_flows(pacing, len(commitments))
    return Flows(
        vintage_matrix(unit.calls) @ commitments,
        vintage_matrix(unit.distributions) @ commitments,
        vintage_matrix(unit.nav) @ commitments,
    )
