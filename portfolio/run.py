"""One call from validated inputs to a finished allocation: screen, risk model, solve, frontier.

The CLI and the app both call `run_allocation`, so they give the same answer for the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from portfolio.allocate import Allocation, allocate
from portfolio.compare import Comparison, compare
from portfolio.comparison_inputs import ComparisonInputs
from portfolio.frontier import FrontierPoint, frontier
from portfolio.inputs import allocation_inputs
from portfolio.problem import SolveOptions
from portfolio.risk import RiskModel, RiskSettings, covariance_model, factor_model
from portfolio.scenario import ScenarioInputs
from screening.reading.candidates import Universe
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference
from screening.screen import Screen, run_screen
from screening.stability import StabilitySettings


@dataclass(frozen=True)
class AllocationRun:
    """Everything one allocation produced, for reports and comparisons."""

    screen: Screen
    risk: RiskModel
    allocation: Allocation
    frontier: list[FrontierPoint]
    # benchmarks, impact totals, fiduciary test, stress, projection and summary; None without an allocation
    comparison: Comparison | None = None
    frontier_note: str | None = None  # why frontier points are missing (portfolio.frontier.FrontierCurve)


def risk_model(
    universe: Universe,
    reference: Reference,
    covariance: pd.DataFrame | None = None,
    settings: RiskSettings | None = None,
) -> RiskModel:
    """The user's covariance when given, else the factor model, over every candidate."""
    if covariance is not None:
        return covariance_model(covariance, list(universe.frame.index))
    return factor_model(universe.frame, reference, settings)


def run_allocation(
    universe: Universe,
    mandate: Mandate,
    reference: Reference,
    covariance: pd.DataFrame | None = None,
    options: SolveOptions | None = None,
    frontier_points: int = 25,
    comparison_inputs: ComparisonInputs | None = None,
    with_comparison: bool = True,
    stability: StabilitySettings | None = None,
    risk_settings: RiskSettings | None = None,
    screen: Screen | None = None,
) -> AllocationRun:
    """Screen for eligibility and impact (or use `screen`, already made for a mandate that agrees
    on `screening.screen.SCREEN_KEYS`), then allocate; the frontier and the comparison with the
    benchmarks (bundled UK mix and stress scenarios unless `comparison_inputs` is given) only when
    the mandate is feasible.

    `risk_settings` are the factor model's (the bundled risk_model.toml when None).
    `stability` are the screen's settings (draws, seed, k): the same defaults as the Screen page
    and `impact-screen screen`, so the ranks a run keeps are the ones the user saw.
    """
    if screen is None:
        screen = run_screen(universe, mandate, reference, stability or StabilitySettings())
    risk = risk_model(universe, reference, covariance, risk_settings)
    inputs = allocation_inputs(universe.frame, screen, mandate, reference, risk)
    run = AllocationRun(screen, risk, allocate(inputs, mandate, options), [], None)
    if with_comparison:
        run = compared(run, universe, mandate, reference, comparison_inputs, options, risk_settings)
    return with_frontier(run, mandate, frontier_points, options)


def compared(
    run: AllocationRun,
    universe: Universe,
    mandate: Mandate,
    reference: Reference,
    comparison_inputs: ComparisonInputs | None = None,
    options: SolveOptions | None = None,
    risk_settings: RiskSettings | None = None,
) -> AllocationRun:
    """The run with its comparison with the benchmarks (none when the mandate cannot be met).
    Separate from the solve, as the frontier is, so a page can show the allocation's own figures
    first and the comparison when it is ready."""
    result = run.allocation
    if not result.feasible or run.comparison is not None:
        return run
    comparison = compare(
        universe, mandate, reference, run.screen, run.risk, result, comparison_inputs, options, risk_settings
    )
    return replace(run, comparison=comparison)


def with_frontier(
    run: AllocationRun, mandate: Mandate, points: int, options: SolveOptions | None = None
) -> AllocationRun:
    """The run with its impact-return frontier of `points` points (none when the mandate cannot
    be met). Separate from the solve, so a page can show the allocation's figures first and
    draw the frontier when it is ready."""
    result = run.allocation
    if not result.feasible or points <= 0:
        return run
    known = result.metrics()["impact_score"] / 100 if mandate.objective == "max_impact" else None
    found = frontier(result.inputs, mandate, result.limits, points, options, highest=known)
    return replace(run, frontier=found.points, frontier_note=found.note)


def run_scenario(scenario: ScenarioInputs, screen: Screen | None = None) -> AllocationRun:
    """The run of one `ScenarioInputs`: every input and setting comes from it, no file is read
    (`screen`: one already made with the scenario's screen settings, see `run_allocation`)."""
    solve = scenario.solve
    return run_allocation(
        scenario.universe,
        scenario.mandate,
        scenario.reference,
        scenario.covariance,
        SolveOptions(time_limit_s=solve.time_limit_s),
        solve.frontier_points,
        scenario.comparison,
        solve.with_comparison,
        scenario.screen,
        scenario.risk,
        screen,
    )
