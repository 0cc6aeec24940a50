"""Beyond SEARCHED_UP_TO eligible candidates the frontier and the city-weighted benchmark skip the
yes/no searches their continuous optimum leaves open. What they still show must be exact: every
point kept is the point the full search finds, and every point left out is counted and explained.

The size rule is lowered here (to 3 candidates) so the bundled 48 candidates stand for 3,000.
"""

from __future__ import annotations

import pytest

import portfolio.benchmarks as benchmarks
import portfolio.frontier as frontier_module
from portfolio.benchmarks import city_weighted
from portfolio.constraints import mandate_limits
from portfolio.frontier import frontier
from portfolio.inputs import allocation_inputs
from portfolio.problem import SolveOptions, build, solve
from portfolio.run import risk_model
from screening import bundled_reference, load_candidates, load_mandate
from screening.screen import run_screen
from screening.stability import StabilitySettings

REFERENCE = bundled_reference()
UNIVERSE = load_candidates(None, REFERENCE)
MANDATE = load_mandate(None, REFERENCE)  # minimum tickets and min_holdings: yes/no choices
RISK = risk_model(UNIVERSE, REFERENCE)
SCREEN = run_screen(UNIVERSE, MANDATE, REFERENCE, StabilitySettings(draws=200))
INPUTS = allocation_inputs(UNIVERSE.frame, SCREEN, MANDATE, REFERENCE, RISK)
LIMITS = mandate_limits(MANDATE, INPUTS)
EXACT = SolveOptions(mip_gap=1e-9)


def test_points_kept_beyond_the_size_rule_are_the_searched_points(monkeypatch):
    full = frontier(INPUTS, MANDATE, LIMITS, 9, EXACT)
    assert full.not_searched == 0 and full.note is None and len(full.points) == 9
    monkeypatch.setattr(frontier_module, "SEARCHED_UP_TO", 3)
    cut = frontier(INPUTS, MANDATE, LIMITS, 9, EXACT)
    assert cut.not_searched >= 1  # the bundled limits leave some points to the search
    assert len(cut.points) + cut.not_searched == 9
    for point in cut.points:  # each kept point is what the full search finds at its impact floor
        assert point.expected_return == pytest.approx(_searched_return(point.impact_score), abs=1e-7)
    assert cut.note is not None and f"{INPUTS.n:,} eligible candidates" in cut.note
    assert "shows" in cut.note or "is not drawn" in cut.note


def _searched_return(impact_score: float) -> float:
    """The best expected return with impact at least `impact_score`, by SCIP's full search."""
    as_return = MANDATE.model_copy(update={"objective": "max_return"})
    built = build(INPUTS, LIMITS, as_return, with_impact_floor=True)
    built.impact_floor.value = impact_score / 100 - 1e-9
    built.relaxed = None  # SCIP itself, not the continuous shortcut under test
    assert solve(built, EXACT).status == "optimal"
    return float(INPUTS.expected_return @ built.variables.weights.value)


def test_the_city_weighted_benchmark_beyond_the_size_rule_is_exact_or_explained(monkeypatch):
    full = city_weighted(UNIVERSE, SCREEN, MANDATE, REFERENCE, RISK, EXACT)
    assert full.status == "optimal"
    monkeypatch.setattr(benchmarks, "SEARCHED_UP_TO", 3)
    cut = city_weighted(UNIVERSE, SCREEN, MANDATE, REFERENCE, RISK, EXACT)
    if cut.status == "not_searched":
        assert cut.holdings is None and cut.allocation is None
        assert any("is not built" in note and "more than 3" in note for note in cut.notes)
    else:  # settled without a search: the same pounds as the searched benchmark
        assert cut.allocation is not None and full.allocation is not None
        assert cut.allocation.amounts.equals(full.allocation.amounts)


def test_what_is_left_out_is_said_in_the_json_and_the_text(monkeypatch):
    """The run's JSON carries `frontier_note` and the city-weighted benchmark's note; the text
    the command line prints says both, so a blank row or a missing curve is never unexplained."""
    from impact_screen.output import allocation_text
    from portfolio.report import run_result
    from portfolio.run import run_allocation

    monkeypatch.setattr(frontier_module, "SEARCHED_UP_TO", 3)
    monkeypatch.setattr(benchmarks, "SEARCHED_UP_TO", 3)
    run = run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=9, screen=SCREEN)
    result = run_result(run, UNIVERSE, MANDATE, REFERENCE)
    document = result.to_json()
    assert document["frontier_note"] == run.frontier_note and "of its 9 points" in run.frontier_note
    city = result.benchmarks.city_weighted
    assert city.status == "not_searched" and any("is not built" in n for n in city.city_notes)
    from impact_screen.chart_data import city_weighted_places

    assert city_weighted_places(result) is None  # no empty "where it puts the money" table
    text = " ".join(allocation_text(result, REFERENCE).split())
    assert "of its 9 points" in text and "The city-weighted benchmark is not built" in text


def test_a_small_run_has_no_frontier_note():
    from portfolio.report import run_result
    from portfolio.run import run_allocation

    run = run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=5, screen=SCREEN)
    assert run.frontier_note is None and len(run.frontier) == 5
    assert "frontier_note" not in run_result(run, UNIVERSE, MANDATE, REFERENCE).to_json()
