"""One allocation where several are equally good, chosen by a fixed rule, the same on every machine.

Several allocations can reach the same objective: a flat stretch of `max_impact` or `max_return`
(a whole face of optima), candidates with equal figures, a minimum-risk optimum flat within the
mixed-integer gap. A solver returns whichever point it meets first, and that can change with the
machine or the order of the rows. Once the best objective is known, the rule is:

1. with yes/no holdings, the least risky holdings (lowest volatility: strictly convex, since
   every candidate has specific risk, so only identical candidates can tie) whose objective is as
   good as the solver can tell: within the gap it stopped at when it fell short of proving its
   answer optimal (at most `SolveOptions.mip_gap`, 0.01% by default), or, for a linear objective
   it proved, within `HOLDINGS_TOLERANCE` (`least_risky_holdings`). Two different sets of
   holdings can be that close: two candidates in different places with the same return and the
   same tickets, say; equal concentration does not tell them apart, their risk does;
2. for the holdings, with a linear objective (`max_impact`, `max_return`), the least concentrated
   weights whose objective is within `TOLERANCE` of the best (`least_concentrated`, a strictly
   convex problem: exactly one answer). No such step is needed where the optimum is unique
   already: `min_risk` and `blended` are strictly convex (every candidate has specific risk), and
   a linear objective held by a binding volatility limit has one optimum (`pinned`);
3. candidates identical in every figure the optimiser reads are taken in id order: the larger
   amounts go to the earlier ids (`by_id_order`).

Step 1 is solved by SCIP to the same gap, and its precision (1e-6) bounds how exactly it holds;
step 2 by Clarabel to its own tolerance. Every machine gets the same answer all the same: the
solvers are deterministic and are handed the same problem to the last bit (portfolio.risk).
"""

from __future__ import annotations

from collections import defaultdict

import cvxpy as cp
import numpy as np

from portfolio.constraints import HELD, Limit, portfolio_volatility
from portfolio.inputs import AllocationInputs
from portfolio.problem import Built, SolveOptions, solve, variant

FLAT_OBJECTIVES = ("max_impact", "max_return")  # linear objectives: optima can form a flat face
TOLERANCE = 1e-9  # relative: a flat face of optima is exactly flat; a curved optimum barely moves
HOLDINGS_TOLERANCE = 1e-7  # relative: holdings this close to the optimum are as good as SCIP can tell


def least_risky_holdings(
    built: Built, inputs: AllocationInputs, tolerance: float, options: SolveOptions
) -> np.ndarray | None:
    """The least risky holdings (lowest volatility) whose objective is within `tolerance` (the gap
    the solver reached, or HOLDINGS_TOLERANCE after a proof) of the solved `built`'s (a yes/no
    problem); None when that second solve finds nothing (keep the first answer)."""
    w = built.variables.weights
    risky = variant(built, cp.Minimize(portfolio_volatility(inputs, w)), [_near(built, tolerance)])
    if not solve(risky, options).has_solution:
        return None
    return np.asarray(built.variables.held.value, dtype=float) > 0.5  # type: ignore[union-attr]


def pinned(inputs: AllocationInputs, limits: list[Limit], weights: np.ndarray) -> bool:
    """True when a volatility limit is binding at `weights` on a positive definite risk model: the
    optimum of a linear objective is then unique. (Were there two optima, every point between them
    would be optimal too and strictly less volatile; an interior-point solver returns a point in
    the middle of the optimal set, so it would not sit on the limit.)"""
    return inputs.risk.definite and any(
        limit.key == "max_volatility" and limit.evaluate(inputs, weights) >= limit.limit * (1 - 1e-6)
        for limit in limits
    )


def least_concentrated(
    built: Built, inputs: AllocationInputs, limits: list[Limit], options: SolveOptions
) -> np.ndarray | None:
    """The least concentrated weights whose objective is within `TOLERANCE` of the solved (continuous)
    `built`'s; None when the second solve finds none that is checked, independently of the solver's
    word, to be as good and no further outside any limit than the first (keep the first answer)."""
    w = built.variables.weights
    objective = built.problem.objective
    first, best = np.asarray(w.value, dtype=float), float(objective.value)
    spread = variant(built, cp.Minimize(cp.sum_squares(w)), [_near(built, TOLERANCE)])
    if not solve(spread, options).has_solution:
        return None
    second = np.asarray(w.value, dtype=float)
    worse = (best - float(objective.expr.value)) * (1 if isinstance(objective, cp.Maximize) else -1)
    as_good = worse <= 2 * TOLERANCE * max(abs(best), 1e-6)
    within = _outside(inputs, limits, second) <= max(_outside(inputs, limits, first), 1e-9)
    return second if as_good and within else None


def _outside(inputs: AllocationInputs, limits: list[Limit], weights: np.ndarray) -> float:
    """How far the weights are outside their limits at worst (0 within all)."""
    return max((limit.violation(inputs, weights) for limit in limits), default=0.0)


def _near(built: Built, tolerance: float) -> cp.Constraint:
    """The objective within `tolerance` (relative; absolute below 1e-6) of its solved value."""
    objective = built.problem.objective
    best = float(objective.value)
    room = tolerance * max(abs(best), 1e-6)
    return (
        objective.expr >= best - room if isinstance(objective, cp.Maximize) else objective.expr <= best + room
    )


def by_id_order(
    inputs: AllocationInputs, weights: np.ndarray, held: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Among candidates identical in every figure the optimiser reads, the larger amounts go to the
    earlier ids (swapping them changes no limit and no objective, so this is always allowed)."""
    weights = weights.copy()
    held = None if held is None else held.copy()
    for group in _identical(inputs):
        ordered = sorted(group, key=lambda i: inputs.ids[i])
        weights[ordered] = np.sort(weights[group])[::-1]
        if held is not None:
            held[ordered] = weights[ordered] > HELD
    return weights, held


def _identical(inputs: AllocationInputs) -> list[list[int]]:
    """Groups (two or more) of candidates with the same tickets, figures, groups and risk."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(inputs.n):
        key = (
            inputs.lower[i],
            inputs.upper[i],
            inputs.expected_return[i],
            inputs.impact[i],
            inputs.sector[i],
            inputs.asset_class[i],
            bool(inputs.liquid[i]),
            inputs.risk.exposures[i].tobytes(),
            inputs.risk.specific[i],
        )
        groups[key].append(i)
    return [g for g in groups.values() if len(g) > 1]
