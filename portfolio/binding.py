"""Which limits hold the allocation back, and what loosening each would buy (its shadow price).

Shadow prices are the dual values of the continuous problem. For a mixed-integer allocation the
holdings are fixed at the chosen ones and the continuous problem is solved again (in
portfolio.allocate), the usual way to price the limits of an integer solution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portfolio.constraints import Limit
from portfolio.inputs import AllocationInputs
from portfolio.problem import Built
from screening.reading.mandate import Mandate
from screening.vocabulary import named

BINDING_TOLERANCE = 1e-5
LARGE_GAIN = 0.01  # a point of impact score (or 100 bp of return): beyond it, a tenth of a step


@dataclass(frozen=True)
class Binding:
    """A limit the allocation sits on, and the objective gained per step of loosening it."""

    constraint: str
    value: float
    limit: float
    unit: str
    shadow_price: float | None  # objective units per one unit of the limit
    message: str

    def as_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "constraint": self.constraint,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "shadow_price": self.shadow_price,
            "message": self.message,
        }


def _is_binding(limit: Limit, value: float) -> bool:
    if limit.unit == "count":
        return abs(value - limit.limit) < 0.5
    return abs(value - limit.limit) <= BINDING_TOLERANCE * max(1.0, abs(limit.limit))


def _gain_text(objective: str, gain: float) -> str:
    """An objective change in words: bp of return, points of impact, points of volatility."""
    if objective == "max_return":
        return f"about {gain * 1e4:.1f} bp of expected return"
    if objective == "max_impact":
        return f"about {gain * 100:.2f} points of impact score"
    if objective == "min_risk":
        return f"about {gain * 100:.2f} percentage points less volatility"
    return f"about {gain * 1e4:.1f} bp of the blended objective (return-equivalent)"


def _step(limit: Limit) -> tuple[str, float]:
    """One step of loosening a limit, in words and in the limit's own units."""
    if limit.unit == "count":
        return "one holding", 1.0
    return ("one point", 0.01) if limit.unit == "points" else ("one percentage point", 0.01)


def _message(limit: Limit, objective: str, price: float | None, headroom: float | None = None) -> str:
    """What loosening a binding limit by one step would buy, at its shadow price.

    The shadow price is a rate at the current limit, true for small moves only. When one step at
    that rate would give more than a point of impact score (or 100 bp of return), or pass
    `headroom` (the most any allocation could gain: the best single candidate's score or return
    minus this allocation's), the step is a tenth as large; a gain that still passes the headroom
    is given as at most the headroom, so no message promises more than the candidates can give."""
    if price is None:
        return f"{named(limit.key)} is binding at {limit.show(limit.limit)}"
    verb = "raising" if limit.sense == "<=" else "lowering"
    step, size = _step(limit)
    gain = price * size
    large = gain > LARGE_GAIN or (headroom is not None and gain > headroom)
    if large and limit.unit != "count":
        step, gain = ("a tenth of a point" if limit.unit == "points" else "0.1 percentage point"), gain / 10
    words = _gain_text(objective, gain)
    if headroom is not None and gain > headroom:
        words = f"{_gain_text(objective, max(headroom, 0.0)).replace('about', 'at most')} (no allocation of these candidates can do better)"
    return (
        f"{named(limit.key)} is binding at {limit.show(limit.limit)}: {verb} it by {step} would give {words}"
    )


def _headroom(inputs: AllocationInputs, weights: np.ndarray, objective: str) -> float | None:
    """The most the objective could still gain: the best single candidate less this allocation."""
    measure = {"max_impact": inputs.impact, "max_return": inputs.expected_return}.get(objective)
    if measure is None or len(measure) == 0:
        return None
    return float(np.max(measure) - measure @ weights)


def shadow_prices(solved: Built, limits: list[Limit]) -> dict[str, float]:
    """Objective gained per unit of loosening each limit (the dual value, >= 0, whatever the sense),
    read straight after a continuous solve: a later solve that shares the constraints overwrites them.
    Empty for a mixed-integer solve, which has no dual values."""
    if solved.mixed_integer:
        return {}
    prices = {}
    for limit in limits:
        dual = solved.constraints[limit.key].dual_value
        value = None if dual is None else float(np.sum(np.abs(np.asarray(dual, dtype=float))))
        if value is not None and np.isfinite(value) and limit.unit != "count":
            prices[limit.key] = value
    return prices


def binding_limits(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    weights: np.ndarray,
    prices: dict[str, float],
) -> list[Binding]:
    """The limits the allocation sits on, with their shadow prices where known."""
    result = []
    headroom = _headroom(inputs, weights, mandate.objective)
    for limit in limits:
        value = limit.evaluate(inputs, weights)
        if not _is_binding(limit, value) or (
            limit.unit == "share" and limit.sense == "<=" and limit.limit >= 1
        ):
            continue
        price = prices.get(limit.key)
        result.append(
            Binding(
                limit.key,
                value,
                limit.limit,
                limit.unit,
                price,
                _message(limit, mandate.objective, price, headroom),
            )
        )
    return result
