"""The impact-return frontier: the best expected return at each level of impact the limits allow,
and the price of impact along it.

One problem is compiled with the impact floor as a cvxpy Parameter (DPP) and re-solved for each
point, so a 25-point frontier costs little more than the first solve. The price of impact is the
return given up per extra point of impact score (the dual of the floor on a continuous problem,
else the slope between neighbouring points) and per extra job.

Beyond SEARCHED_UP_TO eligible candidates, a point that needs a search over which candidates to
hold (minimum tickets, or a fewest holdings its continuous optimum does not already meet) is left
out rather than searched, and the curve says how many: a search over 3,000 yes/no choices can
take a minute a point. The rule depends on the inputs alone, never on a machine's speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from portfolio.constraints import Limit
from portfolio.inputs import AllocationInputs
from portfolio.problem import SEARCHED_UP_TO, Built, SolveOptions, SolveReport, build, solve
from screening.reading.mandate import Mandate


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


@dataclass(frozen=True)
class FrontierCurve:
    """The frontier's points, and the points asked for but left out (`not_searched`, see above)."""

    points: list[FrontierPoint] = field(default_factory=list)
    asked: int = 0
    not_searched: int = 0
    candidates: int = 0  # the eligible candidates the curve was drawn over

    @property
    def note(self) -> str | None:
        """Why points are missing, in plain words; None when every point asked for was solved."""
        if not self.not_searched:
            return None
        shown = f"shows {len(self.points)} of its {self.asked} points" if self.points else "is not drawn"
        return (
            f"The impact-return frontier {shown}: with {self.candidates:,} eligible candidates (more "
            f"than {SEARCHED_UP_TO:,}), a point that needs a search over which candidates to hold (for "
            "minimum tickets or the fewest holdings) is left out, so the run ends in bounded time. The "
            "allocation itself is solved in full."
        )


def frontier(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    points: int = 25,
    options: SolveOptions | None = None,
    highest: float | None = None,
) -> FrontierCurve:
    """Up to `points` frontier points from the max-return portfolio's impact to the highest reachable.

    `highest` is the highest reachable impact (0-1) when the caller already knows it (a
    max_impact allocation under the same limits), which saves a solve.
    """
    options = options or SolveOptions()
    if inputs.n > SEARCHED_UP_TO:
        options = replace(options, search_choices=False)
    as_return = mandate.model_copy(update={"objective": "max_return"})
    built = build(inputs, limits, as_return, with_impact_floor=True)
    assert built.impact_floor is not None
    built.impact_floor.value = 0.0
    first = solve(built, options)
    relaxed_only = _continuous_only(first, built)
    if not (first.has_solution or relaxed_only):
        return FrontierCurve([], points, points if first.status == "not_searched" else 0, inputs.n)
    # unsearched, the max-return end starts from its continuous optimum's impact (points at or
    # below what the yes/no optimum reaches are then settled or left out like any other)
    low = float(inputs.impact @ built.variables.weights.value)
    result = [_point(inputs, built, None)] if first.has_solution else []
    skipped = int(relaxed_only)
    if highest is None:
        highest = _highest_impact(inputs, mandate, limits, options)
    for floor in np.linspace(low, max(low, highest - 1e-7), points)[1:]:  # a hair inside the top
        built.impact_floor.value = float(floor)
        report = solve(built, options)
        if report.has_solution:
            result.append(_point(inputs, built, result[-1] if result else None))
        skipped += report.status == "not_searched"
    return FrontierCurve(result, points, skipped, inputs.n)


def _highest_impact(
    inputs: AllocationInputs, mandate: Mandate, limits: list[Limit], options: SolveOptions
) -> float:
    """The highest impact the limits allow (0-1); when the yes/no search is skipped, the continuous
    optimum's, an upper bound (points above what the count allows are then left out)."""
    built = build(inputs, limits, mandate.model_copy(update={"objective": "max_impact"}))
    report = solve(built, options)
    if not (report.has_solution or _continuous_only(report, built)):
        return 0.0
    return float(inputs.impact @ built.variables.weights.value)


def _continuous_only(report: SolveReport, built: Built) -> bool:
    """True when the yes/no search was skipped but the continuous optimum left its weights."""
    return report.status == "not_searched" and built.variables.weights.value is not None


def _point(inputs: AllocationInputs, built: Built, previous: FrontierPoint | None) -> FrontierPoint:
    w = np.clip(np.asarray(built.variables.weights.value, dtype=float), 0.0, None)
    impact, ret = float(inputs.impact @ w) * 100.0, float(inputs.expected_return @ w)
    jobs = float(np.sum(w * inputs.target_gbp / 1e6 * inputs.jobs_per_gbp_m))
    price = per_job = None  # none at the max-return end: the floor does not bind there
    if previous is not None:
        dual = None if built.mixed_integer else built.constraints["frontier.impact_floor"].dual_value
        if dual is not None:
            price = float(dual) * 1e4 / 100.0  # return per unit of impact (0-1) -> bp per point
        elif impact - previous.impact_score > 1e-9:
            price = (previous.expected_return - ret) * 1e4 / (impact - previous.impact_score)
        if jobs - previous.jobs > 1e-9:
            per_job = (previous.expected_return - ret) * 1e4 / (jobs - previous.jobs)
    return FrontierPoint(impact, ret, inputs.risk.volatility(w), jobs, price, per_job)
