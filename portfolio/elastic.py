"""The fewest limits to move, then the smallest move: the elastic problem with a yes/no per limit.

Each limit gets a non-negative slack and a yes/no `moved`; its slack can be above zero only when
it is moved. Phase one minimises the number of limits moved. Phase two, with that number fixed,
minimises the size of the moves, weighted by each limit's `slack_cost` (one holding counts as two
percentage points). Phase three settles ties by the mandate's key order: with the size held
within 0.001% of its least, it minimises the moves weighted by each key's place
in the order, so of equally small answers the one moving the earlier keys is chosen, the same on
every machine. Alternatives that move as few limits are found by forbidding each set of limits
found so far and solving phases two and three again.

These are small mixed-integer problems solved to optimality by SCIP (simplex underneath), and
each answer is an optimal value or the one vertex the key order picks out, not whichever point of
a tied face a solver happens to reach.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cvxpy as cp
import numpy as np

from portfolio.constraints import Limit
from portfolio.inputs import AllocationInputs
from portfolio.problem import EXACT_GAP, Built, SolveOptions, build, solve, variant
from screening.reading.mandate import Mandate

CHANGE_TOLERANCE = 1e-5  # phase three keeps the move within this of its least (relative, and absolute)
SHORTFALL_COUNT = 1_000  # leaving money unplaced counts as more than moving every limit
SHORTFALL_COST = 1_000.0
MOVED = 1e-9  # a slack above this (with its yes/no set) is a move


@dataclass(frozen=True)
class Moves:
    """One way to make the mandate feasible: how far each moved limit must go, in the problem's
    units (shares, rates, 0-1 scores, counts); `target_gbp` is the share of the target left unplaced."""

    amounts: dict[str, float]


def fewest_moves(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    options: SolveOptions,
    target_soft: bool = False,
    wanted: int = 3,
) -> list[Moves]:
    """Up to `wanted` ways to meet the mandate, each moving the fewest limits possible; the first
    is the smallest such move. Empty when even moving every limit does not help; one empty move
    when nothing needs to move (the mandate can be met as it stands, or at a lowered target)."""
    built = build(inputs, limits, mandate, soft=True, target_soft=target_soft)
    keys = list(built.slacks)  # the limits in mandate order, then target_gbp when it may fall short
    moved = cp.Variable(len(keys), boolean=True, name="moved")
    reach = [_reach(limit, inputs) for limit in limits] + [1.0] * (len(keys) - len(limits))
    links = [built.slacks[k] <= r * moved[i] for i, (k, r) in enumerate(zip(keys, reach, strict=True))]
    count = np.array([SHORTFALL_COUNT if k == "target_gbp" else 1.0 for k in keys]) @ moved
    exact = replace(options, mip_gap=EXACT_GAP)
    if not solve(variant(built, cp.Minimize(count), links), exact).has_solution:
        return []
    if float(count.value) < 0.5:
        return [Moves({})]  # nothing but the target (already explained by the pre-checks) must move
    fewest = [count <= float(count.value) + 0.5]
    costs = {limit.key: limit.slack_cost for limit in limits} | {"target_gbp": SHORTFALL_COST}
    change = cp.sum([costs[k] * built.slacks[k] for k in keys])
    in_order = cp.sum([(i + 1) * costs[k] * built.slacks[k] for i, k in enumerate(keys)])
    found: list[Moves] = []
    forbidden: list[cp.Constraint] = []
    while len(found) < wanted:
        constraints = links + fewest + forbidden
        if not solve(variant(built, cp.Minimize(change), constraints), exact).has_solution:
            break
        chosen = _moves(keys, moved, built)
        least = [change <= float(change.value) * (1 + CHANGE_TOLERANCE) + CHANGE_TOLERANCE]
        if solve(variant(built, cp.Minimize(in_order), constraints + least), exact).has_solution:
            chosen = _moves(keys, moved, built)  # else keep phase two's answer
        if not chosen.amounts:
            break
        found.append(chosen)
        indices = [keys.index(k) for k in chosen.amounts]
        forbidden.append(cp.sum(moved[indices]) <= len(indices) - 1)
    return found


def _moves(keys: list[str], moved: cp.Variable, built: Built) -> Moves:
    """The limits the solution just found moves, and by how much."""
    return Moves(
        {
            k: float(built.slacks[k].value)
            for i, k in enumerate(keys)
            if moved.value[i] > 0.5 and built.slacks[k].value > MOVED
        }
    )


def _reach(limit: Limit, inputs: AllocationInputs) -> float:
    """How far a limit could ever need to move: shares, rates and 0-1 scores stay within [-0.5, 1]
    (a volatility within the riskiest candidate's), counts within [0, limit]."""
    if limit.unit == "count":
        return max(limit.limit, 0.0)
    riskiest = float(np.sqrt(np.max(np.sum(inputs.risk.exposures**2, axis=1) + inputs.risk.specific**2)))
    return max(1.0, riskiest) + abs(limit.limit)
