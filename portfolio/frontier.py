"""The impact-return frontier: the best expected return at each level of impact the limits allow,
and the price of impact along it.

One problem is compiled with the impact floor as a cvxpy Parameter (DPP) and re-solved for each
point, so a 25-point frontier costs little more than the first solve. The price of impact is the
return given up per extra point of impact score (the dual of the floor on a continuous problem,
else the slope between neighbouring points) and per extra job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portfolio.constraints import Limit
from portfolio.inputs import AllocationInputs
from portfolio.problem import SolveOptions, build, solve
from screening.mandate import Mandate


@dataclass(frozen=True)
class FrontierPoint:
    """One point: the best return at a given impact floor, and what the last step cost."""

    impact_score: float  # 0-100
    expected_return: float
    volatility: float
    jobs: float
    bp_per_impact_point: float | None  # return given up per extra point of impact score
    bp_per_job: float | None  # return given up per extra job, from the previous point

    def as_dict(self) -> dict[str, float | None]:
        """JSON form."""
        return {k: (None if v is None else round(float(v), 6)) for k, v in self.__dict__.items()}


def frontier(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    points: int = 25,
    options: SolveOptions | None = None,
) -> list[FrontierPoint]:
    """Up to `points` frontier points from the max-return portfolio's impact to the highest reachable."""
    options = options or SolveOptions()
    as_return = mandate.model_copy(update={"objective": "max_return"})
    built = build(inputs, limits, as_return, with_impact_floor=True)
    assert built.impact_floor is not None
    built.impact_floor.value = 0.0
    if not solve(built, options).has_solution:
        return []
    low = float(inputs.impact @ built.variables.weights.value)
    high = _highest_impact(inputs, mandate, limits, options)
    result: list[FrontierPoint] = []
    for floor in np.linspace(low, max(low, high), points):
        built.impact_floor.value = float(floor)
        if not solve(built, options).has_solution:
            continue
        result.append(_point(inputs, built, result[-1] if result else None))
    return result


def _highest_impact(
    inputs: AllocationInputs, mandate: Mandate, limits: list[Limit], options: SolveOptions
) -> float:
    built = build(inputs, limits, mandate.model_copy(update={"objective": "max_impact"}))
    if not solve(built, options).has_solution:
        return 0.0
    return (
        float(inputs.impact @ built.variables.weights.value) - 1e-7
    )  # a hair inside, so the floor stays feasible


def _point(inputs: AllocationInputs, built, previous: FrontierPoint | None) -> FrontierPoint:
    w = np.clip(np.asarray(built.variables.weights.value, dtype=float), 0.0, None)
    impact, ret = float(inputs.impact @ w) * 100.0, float(inputs.expected_return @ w)
    jobs = float(np.sum(w * inputs.target_gbp / 1e6 * inputs.jobs_per_gbp_m))
    price = None
    if not built.mixed_integer and built.constraints["frontier.impact_floor"].dual_value is not None:
        price = float(built.constraints["frontier.impact_floor"].dual_value) * 1e4 / 100.0
    elif previous is not None and impact - previous.impact_score > 1e-9:
        price = (previous.expected_return - ret) * 1e4 / (impact - previous.impact_score)
    per_job = None
    if previous is not None and jobs - previous.jobs > 1e-9:
        per_job = (previous.expected_return - ret) * 1e4 / (jobs - previous.jobs)
    return FrontierPoint(impact, ret, inputs.risk.volatility(w), jobs, price, per_job)
