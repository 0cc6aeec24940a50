"""Stress scenarios: the loss in £ of each portfolio under named shocks (data/stress_scenarios.csv).

A candidate's shock = its asset class's shock x CLASS_BETA + the shock to its place's local
economy (`place:<ONS code>`, plus `place:mandate` when it is in a mandate place). A listed proxy
takes its asset class's shock and no place shock (listed UK companies do not depend on one local
economy). An asset class the scenario does not name is not shocked. Loss = -sum(amount x shock),
so a loss is positive and a gain negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from portfolio.comparison_inputs import Scenario
from portfolio.holdings import Holdings

CLASS_BETA = 1.0  # a local asset takes its whole asset class's shock, as a listed index of that class would


@dataclass(frozen=True)
class StressResult:
    """One scenario's loss in £ for each portfolio (None where the portfolio does not exist)."""

    scenario: Scenario
    losses: dict[str, float | None]  # "portfolio", "uk", "city_weighted" -> £ lost

    def as_dict(self) -> dict[str, object]:
        """JSON form: name, each portfolio's loss, and the shocks applied."""
        return {
            "name": self.scenario.name,
            **{f"{k}_loss_gbp": None if v is None else round(v, 2) + 0.0 for k, v in self.losses.items()},
            "shocks": {
                **self.scenario.class_shocks,
                **{f"place:{p}": s for p, s in self.scenario.place_shocks.items()},
            },
            "descriptions": self.scenario.descriptions,
        }


def candidate_shocks(
    holdings: Holdings, scenario: Scenario, frame: pd.DataFrame, mandate_places: list[str]
) -> pd.Series:
    """The return shock of each candidate held: class shock x beta + its place's shock."""
    rows = frame.loc[holdings.candidates.index]
    by_class = rows["asset_class"].map(lambda c: scenario.class_shocks.get(c, 0.0)).astype(float)
    by_place = rows["local_authority"].map(lambda p: scenario.place_shock(p, mandate_places)).astype(float)
    return CLASS_BETA * by_class + by_place


def stress_loss(
    holdings: Holdings, scenario: Scenario, frame: pd.DataFrame, mandate_places: list[str]
) -> float:
    """£ lost by the holdings in the scenario (negative = a gain)."""
    shocks = candidate_shocks(holdings, scenario, frame, mandate_places)
    listed = holdings.listed.index.map(lambda c: scenario.class_shocks.get(c, 0.0)).to_numpy(dtype=float)
    return -float(holdings.candidates @ shocks) - float(holdings.listed.to_numpy() @ listed)


def stress_tests(
    portfolios: dict[str, Holdings | None],
    scenarios: list[Scenario],
    frame: pd.DataFrame,
    mandate_places: list[str],
) -> list[StressResult]:
    """Every scenario applied to every portfolio."""
    return [
        StressResult(
            scenario,
            {
                key: None if holdings is None else stress_loss(holdings, scenario, frame, mandate_places)
                for key, holdings in portfolios.items()
            },
        )
        for scenario in scenarios
    ]


def worst(results: list[StressResult], key: str = "portfolio") -> StressResult | None:
    """The scenario in which `key` loses most."""
    known = [r for r in results if r.losses.get(key) is not None]
    return max(known, key=lambda r: r.losses[key] or 0.0, default=None)
