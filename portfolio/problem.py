"""Build the allocation as a cvxpy problem with every constraint kept under its user-facing name,
and solve it with a clear status: Clarabel for continuous problems, SCIP when minimum tickets or a
minimum number of holdings need yes/no choices.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace

import cvxpy as cp
import numpy as np

from portfolio.constraints import HELD, Limit, Variables, portfolio_variance, portfolio_volatility
from portfolio.inputs import AllocationInputs
from screening.reading.mandate import Mandate

DEFAULT_IMPACT_WEIGHT = 0.0005  # blended objective: 5 bp of return per point of impact score
DEFAULT_RISK_AVERSION = 1.0  # blended objective: penalty per unit of variance
MIN_HOLDING = 10 * HELD  # with min_holdings, the least a held candidate takes (£1,000 of £100m)
# Eligible candidates beyond which the frontier and the city-weighted benchmark do not search over
# yes/no choices their continuous optimum does not settle (one search over 3,000 can take minutes;
# the allocation itself is always searched). A rule on the inputs, never on a machine's speed.
SEARCHED_UP_TO = 500
EXACT_GAP = 1e-9  # the gap for small yes/no problems whose optimum must be exact, not merely good


@dataclass(frozen=True)
class SolveOptions:
    """How hard to try: the time limit and the relative optimality gap for mixed-integer solves."""

    time_limit_s: float = 60.0
    mip_gap: float = 1e-4
    continuous_solver: str = "CLARABEL"
    integer_solver: str = "SCIP"
    search_choices: bool = True  # False: a yes/no problem its relaxation does not settle is not searched


@dataclass
class Built:
    """A compiled problem with its named constraints, slacks and variables."""

    problem: cp.Problem
    variables: Variables
    constraints: dict[str, cp.Constraint]
    slacks: dict[str, cp.Variable] = field(default_factory=dict)
    impact_floor: cp.Parameter | None = None
    mixed_integer: bool = False  # True when the problem has yes/no holdings to choose
    relaxed: Relaxation | None = None  # the same problem without its yes/no choices, tried first


@dataclass
class Relaxation:
    """A yes/no problem as a continuous problem over the same weights, without its yes/no choices
    (no minimum tickets, no count of holdings). Its optimum bounds the yes/no problem's; when that
    optimum already meets them (every candidate it holds takes at least its minimum ticket, and
    at least `least` candidates take MIN_HOLDING or more), it is the yes/no problem's optimum too
    (proved: gap 0), and SCIP is not needed. An interior-point optimum lies inside the face of
    optimal allocations, so the holdings it chooses are those of every optimum."""

    problem: cp.Problem
    least: int  # the largest min_holdings among the limits (0 without one)
    lower: np.ndarray  # each candidate's minimum ticket, a share of the target (0 = none)


@dataclass(frozen=True)
class SolveReport:
    """What the solver said, in plain terms."""

    status: str  # optimal, time_limit, optimal_inaccurate, infeasible, unbounded, solver_error,
    # time_limit_no_solution (the time limit came before any allocation was found), not_searched
    # (a yes/no problem left unsolved because SolveOptions.search_choices is False)
    solver: str
    seconds: float
    gap: float | None = None
    message: str = ""

    @property
    def has_solution(self) -> bool:
        """True when there is an allocation to report (optimal or the best found in time)."""
        return self.status in ("optimal", "optimal_inaccurate", "time_limit")


def objective_expression(mandate: Mandate, inputs: AllocationInputs, w: cp.Expression) -> cp.Objective:
    """The mandate's objective over the weights."""
    if mandate.objective == "max_return":
        return cp.Maximize(inputs.expected_return @ w)
    if mandate.objective == "min_risk":
        return cp.Minimize(portfolio_volatility(inputs, w))
    if mandate.objective == "blended":
        impact_weight = mandate.impact_weight if mandate.impact_weight is not None else DEFAULT_IMPACT_WEIGHT
        aversion = mandate.risk_aversion if mandate.risk_aversion is not None else DEFAULT_RISK_AVERSION
        return cp.Maximize(
            inputs.expected_return @ w
            + impact_weight * 100.0 * (inputs.impact @ w)
            - aversion * portfolio_variance(inputs, w)
        )
    return cp.Maximize(inputs.impact @ w)


def needs_holdings(inputs: AllocationInputs, limits: list[Limit]) -> bool:
    """Yes/no holdings are needed for minimum tickets and for a minimum number of holdings."""
    return inputs.has_minimum_tickets or any(limit.needs_holdings for limit in limits)


def build(
    inputs: AllocationInputs,
    limits: list[Limit],
    mandate: Mandate,
    soft: bool = False,
    target_soft: bool = False,
    with_impact_floor: bool = False,
    fixed_holdings: np.ndarray | None = None,
) -> Built:
    """The problem: the target met exactly, tickets respected, every limit under its own key.

    With `soft`, each limit gets a non-negative slack and the objective becomes the weighted sum
    of slacks (the elastic problem used to diagnose infeasibility). `target_soft` lets the total
    fall short of the target (only when the places cannot absorb it).
    """
    w = cp.Variable(inputs.n, nonneg=True, name="weights")
    held: cp.Expression | None = None
    if fixed_holdings is not None:
        held = cp.Constant(np.asarray(fixed_holdings, dtype=float))
    elif needs_holdings(inputs, limits):
        held = cp.Variable(inputs.n, boolean=True, name="held")
    variables = Variables(w, held)
    slacks = (
        {limit.key: cp.Variable(nonneg=True, name=f"slack[{limit.key}]") for limit in limits} if soft else {}
    )
    constraints = _ticket_constraints(inputs, variables, any(limit.needs_holdings for limit in limits))
    shortfall = cp.Variable(nonneg=True, name="slack[target_gbp]") if target_soft else None
    constraints["target_gbp"] = cp.sum(w) == (1 - shortfall if shortfall is not None else 1)
    for limit in limits:
        constraints[limit.key] = limit.compile(inputs, variables, slacks.get(limit.key))
    floor = None
    if with_impact_floor:
        floor = cp.Parameter(nonneg=True, name="impact_floor")
        constraints["frontier.impact_floor"] = inputs.impact @ w >= floor
    if soft:
        penalty = (
            cp.sum([limit.slack_cost * slacks[limit.key] for limit in limits]) if limits else cp.Constant(0)
        )
        if shortfall is not None:
            slacks["target_gbp"] = shortfall
            penalty = penalty + 1_000.0 * shortfall
        objective: cp.Objective = cp.Minimize(penalty)
    else:
        objective = objective_expression(mandate, inputs, w)
    problem = cp.Problem(objective, list(constraints.values()))
    mixed = isinstance(held, cp.Variable)
    relaxed = _relaxation(inputs, limits, w, constraints, objective) if mixed and not soft else None
    return Built(problem, variables, constraints, slacks, floor, mixed_integer=mixed, relaxed=relaxed)


def _relaxation(
    inputs: AllocationInputs,
    limits: list[Limit],
    w: cp.Variable,
    constraints: dict[str, cp.Constraint],
    objective: cp.Objective,
) -> Relaxation | None:
    """The continuous problem to try first: the same limits without minimum tickets or counts."""
    counts = {limit.key: int(limit.limit) for limit in limits if limit.needs_holdings}
    kept = [c for key, c in constraints.items() if key not in counts and key not in _TICKET_KEYS]
    tickets = _ticket_constraints(inputs, Variables(w, None))
    problem = cp.Problem(objective, kept + list(tickets.values()))
    return Relaxation(problem, max(counts.values(), default=0), inputs.lower)


_TICKET_KEYS = ("max_ticket_gbp", "min_ticket_gbp")


def _ticket_constraints(
    inputs: AllocationInputs, variables: Variables, counted: bool = False
) -> dict[str, cp.Constraint]:
    """Tickets: 0 or between the minimum and maximum. When holdings are `counted` (min_holdings),
    a held candidate without a minimum ticket must still take MIN_HOLDING, or the solver could
    count a holding of nothing towards min_holdings."""
    w, held = variables.weights, variables.held
    if held is None:
        capped = np.flatnonzero(inputs.upper < 1.0)  # a cap of the whole target adds nothing: sum(w) = 1
        return {"max_ticket_gbp": w[capped] <= inputs.upper[capped]} if capped.size else {}
    lower = np.maximum(inputs.lower, np.minimum(MIN_HOLDING, inputs.upper)) if counted else inputs.lower
    return {
        "max_ticket_gbp": w <= cp.multiply(inputs.upper, held),
        "min_ticket_gbp": w >= cp.multiply(lower, held),
    }


def variant(built: Built, objective: cp.Objective, extra: list[cp.Constraint]) -> Built:
    """The same variables and constraints with another objective and a few more constraints,
    solved as a mixed-integer problem (SCIP) when `extra` or the original has yes/no variables."""
    problem = cp.Problem(objective, [*built.constraints.values(), *extra])
    relaxed = built.relaxed
    if relaxed is not None:
        held = built.variables.held
        uses_held = any(v.id == held.id for part in [objective, *extra] for v in part.variables())
        kept = [*relaxed.problem.constraints, *extra]
        relaxed = None if uses_held else replace(relaxed, problem=cp.Problem(objective, kept))
    return replace(built, problem=problem, mixed_integer=problem.is_mixed_integer(), relaxed=relaxed)


_STATUS = {
    cp.OPTIMAL: "optimal",
    cp.OPTIMAL_INACCURATE: "optimal_inaccurate",
    cp.INFEASIBLE: "infeasible",
    cp.INFEASIBLE_INACCURATE: "infeasible",
    cp.UNBOUNDED: "unbounded",
    cp.UNBOUNDED_INACCURATE: "unbounded",
}


def solve(built: Built, options: SolveOptions | None = None) -> SolveReport:
    """Solve with the right solver; every failure becomes a status and a message, never a crash.

    A yes/no problem with a `Relaxation` is solved continuously first: when that optimum already
    meets the count, or shows that nothing can (infeasible), it is the answer, with no SCIP solve.
    """
    options = options or SolveOptions()
    if built.relaxed is not None:
        settled = _by_relaxation(built, options)
        if settled is not None:
            return settled
    if built.mixed_integer and not options.search_choices:
        return SolveReport("not_searched", options.integer_solver, 0.0, message="yes/no choices not searched")
    solver = options.integer_solver if built.mixed_integer else options.continuous_solver
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # cvxpy's "may be inaccurate": reported as a status
            _run(built, solver, options)
    except (cp.error.SolverError, ValueError, ArithmeticError) as exc:
        seconds = time.perf_counter() - started
        if built.mixed_integer and isinstance(exc, cp.error.SolverError) and seconds >= options.time_limit_s:
            # cvxpy reports SCIP stopped by its time limit before finding any allocation as a failure
            message = (
                f"stopped at the {options.time_limit_s:g} s limit before any allocation was found; "
                "allow more time (--time-limit)"
            )
            return SolveReport("time_limit_no_solution", solver, seconds, message=message)
        return SolveReport("solver_error", solver, seconds, message=f"{solver} failed: {exc}")
    seconds = time.perf_counter() - started
    status = _STATUS.get(built.problem.status, "solver_error")
    gap = _mip_gap(built) if built.mixed_integer else None
    if built.mixed_integer and status == "optimal_inaccurate":
        scip = _scip_status(built)
        status = {"timelimit": "time_limit", "gaplimit": "optimal"}.get(scip or "", status)
    message = "" if status == "optimal" else f"{solver} reported '{built.problem.status}'"
    if status == "time_limit":
        message = f"stopped at the {options.time_limit_s:g} s limit; best allocation found, within {gap:.2%} of optimal"
    return SolveReport(status, solver, seconds, gap, message)


def _by_relaxation(built: Built, options: SolveOptions) -> SolveReport | None:
    """The relaxation's answer when it settles the yes/no problem exactly, else None."""
    assert built.relaxed is not None and isinstance(built.variables.held, cp.Variable)
    relaxed = Built(built.relaxed.problem, Variables(built.variables.weights, None), {})
    report = solve(relaxed, options)
    if report.status == "infeasible":  # nothing meets the limits even without the count
        return report
    if report.status not in ("optimal", "optimal_inaccurate"):  # inaccurate: still checked on the pounds
        return None
    w = np.asarray(built.variables.weights.value, dtype=float)
    lower = built.relaxed.lower
    held = w >= np.maximum(lower, MIN_HOLDING) * (1 - 1e-6)
    short = (w > HELD) & (w < lower * (1 - 1e-6))  # held, but below its minimum ticket
    if int(held.sum()) < built.relaxed.least or bool(short.any()):
        return None
    built.variables.held.value = held.astype(float)
    return replace(report, gap=0.0)


def _run(built: Built, solver: str, options: SolveOptions) -> None:
    if built.mixed_integer:
        params = {"limits/time": options.time_limit_s, "limits/gap": options.mip_gap}
        built.problem.solve(solver=solver, scip_params=params)
    else:
        built.problem.solve(solver=solver, time_limit=options.time_limit_s)


def _scip_model(built: Built) -> object | None:
    stats = built.problem.solver_stats
    extra = getattr(stats, "extra_stats", None) if stats is not None else None
    return extra.get("model") if isinstance(extra, dict) else None


def _scip_status(built: Built) -> str | None:
    model = _scip_model(built)
    return model.getStatus() if model is not None else None  # type: ignore[attr-defined]


def _mip_gap(built: Built) -> float | None:
    model = _scip_model(built)
    try:
        gap = float(model.getGap())  # type: ignore[union-attr]
    except Exception:
        return None
    return gap if np.isfinite(gap) else None
