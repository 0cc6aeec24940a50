"""Allocate the target over the eligible candidates, or explain why the mandate cannot be met.

`allocate` runs the pre-checks, solves, turns weights into whole pounds that add up exactly to
the target, re-checks every limit on those pounds (independently of the solver's word), finds
the binding limits with their shadow prices, and on infeasibility runs the elastic diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from portfolio.binding import Binding, binding_limits, shadow_prices
from portfolio.constraints import Limit, mandate_limits
from portfolio.diagnose import diagnose
from portfolio.inputs import AllocationInputs
from portfolio.pounds import to_pounds
from portfolio.prechecks import prechecks
from portfolio.problem import Built, SolveOptions, SolveReport, build, solve
from portfolio.relaxation import Diagnosis
from portfolio.tie_break import (
    FLAT_OBJECTIVES,
    HOLDINGS_TOLERANCE,
    by_id_order,
    least_concentrated,
    least_risky_holdings,
    pinned,
)
from screening.reading.mandate import Mandate

PENNY_GBP = 0.01  # a limit on money broken by more than a penny on the pounds is a failure
CHECK_TOLERANCE = 1e-6  # other limits (a volatility, a return, an impact score): beyond this, a failure
PROVED = 1e-9  # a mixed-integer gap at or below this: the solver proved its answer optimal


@dataclass(frozen=True)
class Allocation:
    """The outcome: amounts in pounds (or a diagnosis), the solver's report and the checks made."""

    status: str
    target_gbp: float
    amounts: pd.Series  # £ per eligible candidate (zeros included); empty when infeasible
    report: SolveReport | None
    inputs: AllocationInputs
    limits: list[Limit]
    binding: list[Binding] = field(default_factory=list)
    diagnosis: list[Diagnosis] = field(default_factory=list)
    violations: dict[str, float] = field(default_factory=dict)

    @property
    def weights(self) -> np.ndarray:
        """Amounts as fractions of the target."""
        return self.amounts.reindex(self.inputs.ids).fillna(0.0).to_numpy() / self.target_gbp

    @property
    def feasible(self) -> bool:
        """True when there is an allocation."""
        return self.status in ("optimal", "optimal_inaccurate", "time_limit")

    def metrics(self) -> dict[str, float]:
        """Expected return, volatility, impact score, gross jobs and number of holdings."""
        if not self.feasible:
            return {}
        w, inputs = self.weights, self.inputs
        return {
            "expected_return": float(inputs.expected_return @ w),
            "volatility": inputs.risk.volatility(w),
            "impact_score": float(inputs.impact @ w * 100.0),
            "jobs": float(np.sum(self.amounts.to_numpy() / 1e6 * inputs.jobs_per_gbp_m)),
            "holdings": int(np.sum(self.amounts.to_numpy() > 0)),
        }


def allocate(
    inputs: AllocationInputs,
    mandate: Mandate,
    options: SolveOptions | None = None,
    extra_limits: Sequence[Limit] = (),
) -> Allocation:
    """The best allocation under the mandate, or an infeasible result with its diagnosis.

    `extra_limits` are added to the mandate's own (the city-weighted benchmark adds one floor per
    place); they are solved, checked and diagnosed like every other limit.
    """
    options = options or SolveOptions()
    limits = mandate_limits(mandate, inputs) + list(extra_limits)
    found = prechecks(inputs, mandate, limits)
    if found:
        return _infeasible(inputs, mandate, limits, diagnose(inputs, mandate, limits, options, found), None)
    built = build(inputs, limits, mandate)
    report = solve(built, options)
    if report.status == "infeasible":
        return _infeasible(inputs, mandate, limits, diagnose(inputs, mandate, limits, options, []), report)
    if not report.has_solution:
        return Allocation(report.status, mandate.target_gbp, pd.Series(dtype=float), report, inputs, limits)
    weights, held, prices = _settled(inputs, mandate, limits, built, report, options)
    weights, held = by_id_order(inputs, weights, held)
    amounts = to_pounds(weights, inputs, held, limits)
    weights = amounts.to_numpy() / inputs.target_gbp
    violations = {limit.key: limit.violation(inputs, weights) for limit in limits}
    holdings = int(np.count_nonzero(amounts.to_numpy()))
    broken = {
        limit.key: violations[limit.key]
        for limit in limits
        if violations[limit.key] > _tolerance(limit, inputs.target_gbp, holdings)
    }
    if broken:  # the pounds are checked whatever the solver said: an answer outside a limit is no answer
        key = max(broken, key=broken.__getitem__)
        message = f"the solver's answer breaks {key} by {broken[key]:.2g}; nothing is reported"
        failed = replace(report, status="solver_error", message=message)
        return Allocation("solver_error", mandate.target_gbp, pd.Series(dtype=float), failed, inputs, limits)
    binding = binding_limits(inputs, mandate, limits, weights, prices)
    return Allocation(
        report.status, mandate.target_gbp, amounts, report, inputs, limits, binding, [], violations
    )


def _tolerance(limit: Limit, target_gbp: float, holdings: int) -> float:
    """How far the pounds may sit outside `limit` for arithmetic alone: a cap on money by a
    penny; a floor on money (the city-weighted benchmark's places) by under a pound a holding, what
    whole pounds can lose; any other limit by CHECK_TOLERANCE; a count not at all."""
    if limit.unit == "share":
        return (PENNY_GBP if limit.sense == "<=" else max(holdings, 1)) / target_gbp
    return 0.0 if limit.unit == "count" else CHECK_TOLERANCE


def _settled(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    built: Built,
    report: SolveReport,
    options: SolveOptions,
) -> tuple[np.ndarray, np.ndarray | None, dict[str, float]]:
    """The weights, the holdings (yes/no problems) and the shadow prices of the solved `built`.

    Ties are settled by portfolio.tie_break: with yes/no holdings, the least risky holdings as good
    as the solver can tell, priced by the continuous solver; then the least concentrated optimal
    weights.
    """
    weights = np.asarray(built.variables.weights.value, dtype=float)
    prices = shadow_prices(built, limits)  # before any later solve overwrites the dual values
    optimal = report.status == "optimal"
    flat = mandate.objective in FLAT_OBJECTIVES  # the others are strictly convex: one optimum already
    if not built.mixed_integer:
        ties = optimal and flat and not pinned(inputs, limits, weights)
        spread = least_concentrated(built, inputs, limits, options) if ties else None
        return (weights if spread is None else spread), None, prices
    held = np.asarray(built.variables.held.value) > 0.5  # type: ignore[union-attr]
    gap = report.gap if report.gap is not None else options.mip_gap
    chosen = None  # settled by the continuous relaxation: its weights decide, ties below
    if optimal and report.solver == options.integer_solver and (gap > PROVED or flat):
        chosen = least_risky_holdings(built, inputs, max(gap, HOLDINGS_TOLERANCE), options)
    if chosen is not None:
        held, weights = chosen, np.asarray(built.variables.weights.value, dtype=float)
    polished = _polished(inputs, mandate, limits, held, options)
    if polished is None:
        return weights, held, prices
    prices = shadow_prices(polished, limits)
    weights = np.asarray(polished.variables.weights.value, dtype=float)  # before a later solve overwrites it
    ties = flat and not pinned(inputs, limits, weights)
    spread = least_concentrated(polished, inputs, limits, options) if ties else None
    return (weights if spread is None else spread), held, prices


def _polished(
    inputs: AllocationInputs, mandate: Mandate, limits: list[Limit], held: np.ndarray, options: SolveOptions
) -> Built | None:
    """The mixed-integer solution's holdings re-solved as a continuous problem on Clarabel.

    Its weights are the one optimum for those holdings (SCIP meets limits only to 1e-6, £100 in
    £100m, and leaves ties among the weights), and its dual values price each limit.
    """
    polished = build(inputs, limits, mandate, fixed_holdings=held)
    return polished if solve(polished, options).has_solution else None


def _infeasible(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    diagnosis: list[Diagnosis],
    report: SolveReport | None,
) -> Allocation:
    return Allocation(
        "infeasible", mandate.target_gbp, pd.Series(dtype=float), report, inputs, limits, diagnosis=diagnosis
    )
