"""Allocate the target over the eligible candidates, or explain why the mandate cannot be met.

`allocate` runs the pre-checks, solves, turns weights into whole pounds that add up exactly to
the target, re-checks every limit on those pounds (independently of the solver's word), finds
the binding limits with their shadow prices, and on infeasibility runs the elastic diagnosis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portfolio.binding import Binding, binding_limits
from portfolio.constraints import HELD, Limit, mandate_limits
from portfolio.diagnose import Diagnosis, diagnose, prechecks
from portfolio.inputs import AllocationInputs
from portfolio.problem import Built, SolveOptions, SolveReport, build, solve
from screening.mandate import Mandate

POUND_TOLERANCE = 1.5e-8  # about £1.50 in £100m: a mixed-integer answer further out is polished


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
    held, priced = None, built
    weights = np.asarray(built.variables.weights.value, dtype=float)
    if built.mixed_integer:
        held = np.asarray(built.variables.held.value) > 0.5  # type: ignore[union-attr]
        priced = _polished(inputs, mandate, limits, held, options) or built
        if priced is not built and _worst_violation(inputs, limits, weights, held) > POUND_TOLERANCE:
            weights = np.asarray(priced.variables.weights.value, dtype=float)
    amounts = to_pounds(weights, inputs, held)
    weights = amounts.to_numpy() / inputs.target_gbp
    violations = {limit.key: limit.violation(inputs, weights) for limit in limits}
    binding = binding_limits(inputs, mandate, limits, weights, priced)
    return Allocation(
        report.status, mandate.target_gbp, amounts, report, inputs, limits, binding, [], violations
    )


def _worst_violation(
    inputs: AllocationInputs, limits: list[Limit], weights: np.ndarray, held: np.ndarray
) -> float:
    rounded = to_pounds(weights, inputs, held).to_numpy() / inputs.target_gbp
    return max((limit.violation(inputs, rounded) for limit in limits), default=0.0)


def _polished(
    inputs: AllocationInputs, mandate: Mandate, limits: list[Limit], held: np.ndarray, options: SolveOptions
) -> Built | None:
    """The mixed-integer solution's holdings re-solved as a continuous problem on Clarabel.

    It gives the dual values that price each limit, and its weights replace SCIP's when those sit
    more than a pound or so outside a limit (SCIP's feasibility tolerance is 1e-6, £100 in
    £100m); otherwise SCIP's answer is kept, as it often lands exactly on round ticket sizes.
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


def to_pounds(weights: np.ndarray, inputs: AllocationInputs, held: np.ndarray | None = None) -> pd.Series:
    """Whole pounds adding up exactly to the target, each within its ticket bounds.

    Solver noise is removed first (weights below a pound's worth, or of candidates not held, are
    zero; held ones are clipped into their tickets); each amount is rounded to the nearest pound,
    and any pound the rounding gained or lost is settled on the holdings that rounding moved most
    the other way (so £14,999,999.6 from the solver shows as £15,000,000).
    """
    target = inputs.target_gbp
    w = np.clip(np.nan_to_num(weights), 0.0, inputs.upper)
    if held is None:
        held = w > HELD
    w = np.where(held, np.clip(w, inputs.lower, inputs.upper), 0.0)
    exact = w * target
    pounds = np.floor(exact + 1e-9)
    caps = np.where(np.isfinite(inputs.upper), np.floor(inputs.upper * target + 1e-9), math.inf)
    floors = np.ceil(inputs.lower * target - 1e-9) * held
    remainder = round(target - pounds.sum())
    pounds = _spread(pounds, exact - pounds, remainder, held, floors, caps)
    return pd.Series(pounds, index=inputs.ids, name="amount_gbp")


def _spread(
    pounds: np.ndarray,
    fractions: np.ndarray,
    remainder: int,
    held: np.ndarray,
    floors: np.ndarray,
    caps: np.ndarray,
) -> np.ndarray:
    """Add (or take) `remainder` pounds: first one pound each, largest fraction first; then, if
    clipping left more to place, as much as each holding has room for."""
    step = 1 if remainder > 0 else -1
    order = [i for i in np.argsort(-fractions * step, kind="stable") if held[i]]

    def room(i: int) -> float:
        return caps[i] - pounds[i] if step > 0 else pounds[i] - floors[i]

    for i in order:
        if remainder != 0 and room(i) >= 1:
            pounds[i] += step
            remainder -= step
    for i in order:
        if remainder != 0:
            move = min(abs(remainder), room(i))
            pounds[i] += step * move
            remainder -= step * int(move)
    return pounds
