"""Plain arrays an allocation is computed from: the eligible candidates' figures and the risk model.

Weights are fractions of the target (amount = weight x target_gbp), which keeps the optimisation
well scaled whatever the size of the mandate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.risk import RiskModel, quantised
from screening.metrics import IMPACT_PILLARS
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference
from screening.screen import Screen


@dataclass(frozen=True)
class AllocationInputs:
    """Everything the optimiser needs about the candidates it may invest in."""

    ids: list[str]
    target_gbp: float
    lower: np.ndarray  # minimum ticket as a fraction of the target (0 = no minimum)
    upper: np.ndarray  # largest possible weight: max ticket / target, capped at 1
    expected_return: np.ndarray
    impact: np.ndarray  # impact score 0..1 (the impact pillars under the mandate's weights)
    jobs_per_gbp_m: np.ndarray  # reported or filled, for the frontier's price per job
    sector: np.ndarray
    asset_class: np.ndarray
    liquid: np.ndarray
    risk: RiskModel

    @property
    def n(self) -> int:
        """Number of candidates."""
        return len(self.ids)

    @property
    def has_minimum_tickets(self) -> bool:
        """True when some candidate has a minimum ticket (the problem needs yes/no choices)."""
        return bool(np.any(self.lower > 0))


def impact_scores(screen: Screen, mandate: Mandate) -> pd.Series:
    """Each candidate's impact score 0-100: its impact pillars weighted as in the mandate."""
    weights = np.array([getattr(mandate.weights, p) for p in IMPACT_PILLARS], dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(IMPACT_PILLARS))
    pillars = screen.table[list(IMPACT_PILLARS)].to_numpy(dtype=float)
    return pd.Series(pillars @ (weights / weights.sum()), index=screen.table.index, name="impact")


def allocation_inputs(
    frame: pd.DataFrame,
    screen: Screen,
    mandate: Mandate,
    reference: Reference,
    risk: RiskModel,
    ids: list[str] | None = None,
) -> AllocationInputs:
    """Inputs for the candidates `ids` (default: the screen's eligible ones, in file order)."""
    if ids is None:
        ids = [c for c in frame.index if bool(screen.table.at[c, "eligible"])]
    rows = frame.loc[ids]
    target = mandate.target_gbp
    liquid = reference.assumptions["liquid"].astype(bool)
    return AllocationInputs(
        ids=list(ids),
        target_gbp=target,
        lower=(rows["min_ticket_gbp"].to_numpy(dtype=float) / target),
        upper=np.minimum(rows["max_ticket_gbp"].to_numpy(dtype=float) / target, 1.0),
        expected_return=rows["expected_return"].to_numpy(dtype=float),
        impact=quantised(impact_scores(screen, mandate).loc[ids].to_numpy(dtype=float) / 100.0),
        jobs_per_gbp_m=screen.scores.values.loc[ids, "jobs_per_gbp_m"].to_numpy(dtype=float),
        sector=rows["sector"].to_numpy(dtype=object),
        asset_class=rows["asset_class"].to_numpy(dtype=object),
        liquid=rows["asset_class"].map(liquid).fillna(False).to_numpy(dtype=bool),
        risk=risk.subset(list(ids)),
    )
