"""The figures of one portfolio in a comparison: return, risk and impact, side by side."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.holdings import Holdings
from portfolio.impact import ImpactTotals


@dataclass(frozen=True)
class PortfolioFigures:
    """Expected return, volatility, tracking error against the UK benchmark, and impact."""

    holdings: Holdings
    expected_return: float
    volatility: float
    tracking_error: float  # against the UK benchmark (0 for the UK benchmark itself)
    impact: ImpactTotals

    @property
    def key(self) -> str:
        """'portfolio', 'uk' or 'city_weighted'."""
        return self.holdings.key

    def as_dict(self) -> dict[str, object]:
        """JSON form: label, money, return and risk, then every impact total."""
        return {
            "label": self.holdings.label,
            "total_gbp": round(self.holdings.total_gbp, 2),
            "expected_return": round(self.expected_return, 6) + 0.0,
            "volatility": round(self.volatility, 6) + 0.0,
            "tracking_error": round(self.tracking_error, 6) + 0.0,
            **self.impact.as_dict(),
        }
