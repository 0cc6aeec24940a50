"""Holdings: the money in one portfolio, in a form every comparison step reads the same way.

A portfolio is £ per candidate (the allocation, the city-weighted benchmark) and £ per asset class
held through listed proxies (the UK benchmark); either part may be empty. Impact accounting,
stress tests and the joint risk model all take `Holdings`, so the allocation and both benchmarks
go through exactly the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.risk import RiskModel, RiskSettings, factor_model, listed_id
from screening.reading.reference import Reference


@dataclass(frozen=True)
class Holdings:
    """£ per candidate id and £ per listed asset class (zeros dropped)."""

    key: str  # "portfolio", "uk" or "city_weighted"
    label: str
    candidates: pd.Series
    listed: pd.Series

    @classmethod
    def of(
        cls, key: str, label: str, candidates: pd.Series | None = None, listed: pd.Series | None = None
    ) -> Holdings:
        """Holdings from amounts in £ (either part may be omitted); zero amounts are dropped."""
        parts = [pd.Series(dtype=float) if p is None else p.astype(float) for p in (candidates, listed)]
        return cls(key, label, *(p[p > 0] for p in parts))

    @property
    def total_gbp(self) -> float:
        """All the money held."""
        return float(self.candidates.sum() + self.listed.sum())


@dataclass(frozen=True)
class JointRisk:
    """One factor space for candidates and listed asset classes, so that any two portfolios can be
    compared: volatility, tracking error, correlation. Weights are fractions of `target_gbp`."""

    model: RiskModel  # candidates first, then `listed:<class>` rows
    target_gbp: float
    notes: tuple[str, ...] = ()

    def weights(self, holdings: Holdings) -> np.ndarray:
        """The holdings as fractions of the target over the model's ids."""
        amounts = pd.concat([holdings.candidates, holdings.listed.rename(index=listed_id)])
        return amounts.reindex(self.model.ids).fillna(0.0).to_numpy() / self.target_gbp

    def volatility(self, holdings: Holdings) -> float:
        """Annual volatility of the holdings."""
        return self.model.volatility(self.weights(holdings))

    def tracking_error(self, holdings: Holdings, benchmark: Holdings) -> float:
        """Volatility of the difference between two portfolios of the same money."""
        return self.model.volatility(self.weights(holdings) - self.weights(benchmark))

    def correlation(self, portfolios: list[Holdings]) -> np.ndarray:
        """Correlation matrix of the portfolios' returns."""
        w = np.array([self.weights(h) for h in portfolios])
        covariance = (w @ self.model.exposures) @ (w @ self.model.exposures).T + (w * self.model.specific) @ (
            w * self.model.specific
        ).T
        scale = np.sqrt(np.clip(np.diag(covariance), 1e-300, None))
        return np.clip(covariance / np.outer(scale, scale), -1.0, 1.0)


def joint_risk(
    frame: pd.DataFrame,
    reference: Reference,
    listed: list[str],
    target_gbp: float,
    source: str,
    settings: RiskSettings | None = None,
) -> JointRisk:
    """The factor model over every candidate plus the listed classes `listed`.

    With a covariance file the candidates' own figures stay the file's, but the file says nothing
    about listed asset classes, so anything that compares with the UK benchmark uses the factor model.
    """
    notes = ()
    if source != "factor model":
        notes = (
            "The covariance file covers the candidates only, not listed asset classes: tracking error "
            "against the UK benchmark and the projection's correlations use the factor model.",
        )
    return JointRisk(factor_model(frame, reference, settings, listed=listed), target_gbp, notes)
