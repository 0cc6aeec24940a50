"""The committee's limits as small constraint objects, each named after the mandate key it came from.

Every constraint reads `measure (<= or >=) limit`. It compiles to cvxpy, hard or with a
non-negative slack (for the elastic diagnosis), evaluates itself on a finished allocation (so
results are checked independently of the solver), and describes a relaxation in the user's own
units and words: "raise Highest portfolio volatility (max_volatility) from 8.0% to 9.4%".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cvxpy as cp
import numpy as np

from portfolio.inputs import AllocationInputs
from screening.reading.mandate import Mandate
from screening.vocabulary import named

Unit = Literal["share", "rate", "points", "count"]
Sense = Literal["<=", ">="]


@dataclass(frozen=True)
class Variables:
    """The decision variables: weights, and yes/no holdings when the problem needs them."""

    weights: cp.Variable
    held: cp.Expression | None  # a boolean variable, fixed choices (a constant), or None


# Volatilities are held in percent inside the cone: SCIP meets a cone ||x|| <= t to about 1e-6 on
# its squares, which for x of 0.01 (a 1% volatility) is a 1% error, and for x of 1 is 1e-6.
PERCENT = 100.0


def portfolio_volatility(inputs: AllocationInputs, w: cp.Expression) -> cp.Expression:
    """sqrt(w' S w) as a second-order cone over the factor form of the risk model."""
    risk = inputs.risk
    return cp.norm(PERCENT * cp.hstack([risk.exposures.T @ w, cp.multiply(risk.specific, w)]), 2) / PERCENT


def portfolio_variance(inputs: AllocationInputs, w: cp.Expression) -> cp.Expression:
    """w' S w over the factor form of the risk model."""
    risk = inputs.risk
    return cp.sum_squares(risk.exposures.T @ w) + cp.sum_squares(cp.multiply(risk.specific, w))


@dataclass(frozen=True)
class Limit:
    """One named limit: `measure sense limit`, with how to build and evaluate the measure."""

    key: str
    sense: Sense
    limit: float
    unit: Unit
    expression: Callable[[AllocationInputs, Variables], cp.Expression]
    evaluate: Callable[[AllocationInputs, np.ndarray], float]
    slack_cost: float = 1.0  # cost of one unit of relaxation in the elastic re-solve
    needs_holdings: bool = False
    members: np.ndarray | None = None  # the candidates its measure reads (a group); None: every one

    def involves(self, candidate: int) -> bool:
        """True when the measure reads this candidate's weight (a change elsewhere leaves it alone)."""
        return self.members is None or bool(self.members[candidate])

    def compile(
        self,
        inputs: AllocationInputs,
        variables: Variables,
        slack: cp.Variable | None = None,
        margin: float = 0.0,
    ) -> cp.Constraint:
        """The cvxpy constraint, loosened by `slack` when one is given.

        `margin` tightens the limit slightly for solvers whose feasibility tolerance (SCIP: 1e-6)
        would otherwise let a result sit a few pounds outside it.
        """
        measure = self.expression(inputs, variables)
        if self.unit == "count":
            margin = 0.0
        if self.sense == "<=":
            return measure <= (self.limit - margin if slack is None else self.limit + slack)
        return measure >= (self.limit + margin if slack is None else self.limit - slack)

    def violation(self, inputs: AllocationInputs, weights: np.ndarray) -> float:
        """How far a finished allocation is outside this limit (0 when within it)."""
        value = self.evaluate(inputs, weights)
        return max(0.0, value - self.limit) if self.sense == "<=" else max(0.0, self.limit - value)

    def show(self, value: float) -> str:
        """A value of this limit in the user's units."""
        if self.unit == "points":
            return f"{value * 100:.1f} points"
        if self.unit == "count":
            return f"{value:g}"
        return f"{value:.1%}"

    def relaxation_message(self, slack: float) -> str:
        """'raise LABEL (KEY) from X to Y' / 'lower LABEL (KEY) from X to Y' for a relaxation of `slack`:
        the form's label for people, the mandate key in brackets for the command line."""
        if self.sense == "<=":
            return f"raise {named(self.key)} from {self.show(self.limit)} to {self.show(self.limit + slack)}"
        return f"lower {named(self.key)} from {self.show(self.limit)} to {self.show(self.limit - slack)}"


def _group_limit(key: str, members: np.ndarray, cap: float) -> Limit:
    return Limit(
        key,
        "<=",
        cap,
        "share",
        lambda _i, v, m=members: cp.sum(v.weights[np.flatnonzero(m)]) if m.any() else cp.Constant(0.0),
        lambda _i, w, m=members: float(np.sum(w[m])),
        members=members,
    )


def mandate_limits(mandate: Mandate, inputs: AllocationInputs) -> list[Limit]:
    """Every limit the mandate states, in the order of the mandate file; unstated ones are absent."""
    limits: list[Limit] = []
    if mandate.max_candidate_share is not None:
        limits.append(
            Limit(
                "max_candidate_share",
                "<=",
                mandate.max_candidate_share,
                "share",
                lambda _i, v: v.weights,  # one row per candidate: sparser than max(w) <= share
                lambda _i, w: float(np.max(w, initial=0.0)),
            )
        )
    for sector, cap in mandate.sector_caps.items():
        limits.append(_group_limit(f"sector_caps.{sector}", inputs.sector == sector, cap))
    for asset_class, cap in mandate.asset_class_caps.items():
        limits.append(_group_limit(f"asset_class_caps.{asset_class}", inputs.asset_class == asset_class, cap))
    if mandate.max_volatility is not None:
        limits.append(
            Limit(
                "max_volatility",
                "<=",
                mandate.max_volatility,
                "rate",
                lambda i, v: portfolio_volatility(i, v.weights),
                lambda i, w: i.risk.volatility(w),
            )
        )
    if mandate.min_expected_return is not None:
        limits.append(
            Limit(
                "min_expected_return",
                ">=",
                mandate.min_expected_return,
                "rate",
                lambda i, v: i.expected_return @ v.weights,
                lambda i, w: float(i.expected_return @ w),
            )
        )
    if mandate.min_impact_score is not None:
        limits.append(
            Limit(
                "min_impact_score",
                ">=",
                mandate.min_impact_score / 100.0,
                "points",
                lambda i, v: i.impact @ v.weights,
                lambda i, w: float(i.impact @ w),
            )
        )
    if mandate.max_illiquid_share is not None:
        limits.append(_group_limit("max_illiquid_share", ~inputs.liquid, mandate.max_illiquid_share))
    if mandate.min_holdings is not None:
        limits.append(
            Limit(
                "min_holdings",
                ">=",
                float(mandate.min_holdings),
                "count",
                lambda _i, v: cp.sum(v.held),
                lambda _i, w: float(np.sum(w > HELD)),
                slack_cost=0.02,
                needs_holdings=True,
            )
        )
    return limits


HELD = 1e-6  # a weight above this (£100 of £100m) counts as a holding
