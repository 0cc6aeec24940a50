"""The allocation against its two benchmarks, like for like: the same money, capital market
assumptions, risk model, impact accounting and stress scenarios. `compare` builds a `Comparison`;
`run_allocation` calls it whenever the allocation is feasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from portfolio.allocate import Allocation
from portfolio.benchmarks import CityWeighted, city_weighted, uk_benchmark
from portfolio.comparison_inputs import ComparisonInputs, load_comparison_inputs
from portfolio.fiduciary import Fiduciary, fiduciary_panel
from portfolio.figures import PortfolioFigures
from portfolio.holdings import Holdings, JointRisk, joint_risk
from portfolio.impact import ImpactBasis, impact_basis, impact_totals
from portfolio.pacing import asset_class_mix, pacing_for
from portfolio.problem import SolveOptions
from portfolio.projection import Projection, project
from portfolio.result import LocalPeer, Pacing
from portfolio.risk import RiskModel, RiskSettings
from portfolio.stress import StressResult, stress_tests
from screening.errors import InputError
from screening.reading.candidates import Universe
from screening.reading.mandate import Mandate
from screening.reading.provenance import Provenance
from screening.reading.reference import Reference
from screening.screen import Screen

PORTFOLIO_LABEL = "This allocation"


@dataclass(frozen=True)
class Comparison:
    """The allocation ('portfolio'), the UK benchmark ('uk') and the city-weighted one, side by side."""

    portfolio: PortfolioFigures
    uk: PortfolioFigures
    city_weighted: PortfolioFigures | None  # None when that benchmark cannot be built
    city: CityWeighted  # how the city-weighted benchmark was built: places, shares, notes
    mix: pd.Series  # the UK benchmark's weights per asset class
    fiduciary: Fiduciary
    stress: list[StressResult]
    projection: Projection
    pacing: Pacing | None = None  # the commitment plan, when the mandate has a [pacing] table
    local_peer: LocalPeer | None = None  # the published peer of the local investment report
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    provenance: dict[str, Provenance] = field(default_factory=dict)

    @property
    def figures(self) -> dict[str, PortfolioFigures]:
        """The portfolios that exist, in the order portfolio, uk, city_weighted."""
        found = {"portfolio": self.portfolio, "uk": self.uk, "city_weighted": self.city_weighted}
        return {k: v for k, v in found.items() if v is not None}


def compare(
    universe: Universe,
    mandate: Mandate,
    reference: Reference,
    screen: Screen,
    risk: RiskModel,
    allocation: Allocation,
    inputs: ComparisonInputs | None = None,
    options: SolveOptions | None = None,
    risk_settings: RiskSettings | None = None,
) -> Comparison:
    """Build both benchmarks and compare the (feasible) allocation with them (the factor model with
    `risk_settings`, the bundled ones when None)."""
    started = time.perf_counter()
    inputs = inputs or load_comparison_inputs(reference)
    frame, target = universe.frame, mandate.target_gbp
    joint = joint_risk(frame, reference, list(inputs.mix.index), target, risk.source, risk_settings)
    city = city_weighted(universe, screen, mandate, reference, risk, options)
    figures = _all_figures(
        allocation, city, inputs.mix, joint, impact_basis(frame, screen, mandate, reference), reference
    )
    holdings = {k: f.holdings for k, f in figures.items()}
    pacing, pacing_notes = _pacing_or_note(universe, mandate, reference, allocation, inputs)
    comparison = Comparison(
        portfolio=figures["portfolio"],
        uk=figures["uk"],
        city_weighted=figures.get("city_weighted"),
        city=city,
        mix=inputs.mix,
        fiduciary=fiduciary_panel(
            figures["portfolio"], figures["uk"], figures.get("city_weighted"), joint, mandate
        ),
        stress=stress_tests(
            {key: holdings.get(key) for key in ("portfolio", "uk", "city_weighted")},
            inputs.scenarios,
            frame,
            list(mandate.places),
        ),
        projection=_projection(figures, joint, target),
        pacing=pacing,
        local_peer=inputs.peer,
        notes=[*joint.notes, *city.notes, *pacing_notes],
        provenance=inputs.provenance,
    )
    return replace(comparison, seconds=time.perf_counter() - started)


def allocation_pacing(
    universe: Universe,
    mandate: Mandate,
    reference: Reference,
    allocation: Allocation,
    inputs: ComparisonInputs,
    schedule: dict[int, float] | None = None,
) -> Pacing | None:
    """The commitment plan of the allocation's asset-class mix (or what `schedule` puts to work);
    None without the mandate's [pacing] table; InputError when the pacing assumptions lack one of
    the allocation's asset classes."""
    mix = asset_class_mix(allocation.amounts.to_dict(), universe.frame["asset_class"].to_dict())
    source = inputs.provenance.get("pacing_assumptions")
    return pacing_for(
        mix,
        mandate,
        inputs.pacing,
        reference.assumptions["expected_return"].to_dict(),
        schedule,
        source.name if source is not None else "pacing_assumptions.csv",
    )


def _pacing_or_note(
    universe: Universe,
    mandate: Mandate,
    reference: Reference,
    allocation: Allocation,
    inputs: ComparisonInputs,
) -> tuple[Pacing | None, list[str]]:
    """The comparison's commitment plan, or a note saying why there is none."""
    try:
        return allocation_pacing(universe, mandate, reference, allocation, inputs), []
    except InputError as exc:
        return None, [f"No commitment plan: {p}" for p in exc.problems]


def _all_figures(
    allocation: Allocation,
    city: CityWeighted,
    mix: pd.Series,
    joint: JointRisk,
    basis: ImpactBasis,
    reference: Reference,
) -> dict[str, PortfolioFigures]:
    """Return, risk and impact of the allocation, the UK benchmark and (when built) the city-weighted one."""
    mine = Holdings.of("portfolio", PORTFOLIO_LABEL, candidates=allocation.amounts)
    uk = uk_benchmark(mix, joint.target_gbp)
    metrics = allocation.metrics()
    figures = {
        "portfolio": _figures(mine, metrics["expected_return"], metrics["volatility"], uk, joint, basis),
        "uk": _figures(uk, _listed_return(mix, reference), joint.volatility(uk), uk, joint, basis),
    }
    if city.holdings is not None and city.allocation is not None:
        own = city.allocation.metrics()
        figures["city_weighted"] = _figures(
            city.holdings, own["expected_return"], own["volatility"], uk, joint, basis
        )
    return figures


def _figures(
    holdings: Holdings,
    expected_return: float,
    volatility: float,
    uk: Holdings,
    joint: JointRisk,
    basis: ImpactBasis,
) -> PortfolioFigures:
    return PortfolioFigures(
        holdings,
        expected_return,
        volatility,
        joint.tracking_error(holdings, uk),
        impact_totals(holdings, basis),
    )


def _listed_return(mix: pd.Series, reference: Reference) -> float:
    """The UK benchmark's expected return: mix-weighted capital market assumptions."""
    returns = reference.assumptions.loc[mix.index, "expected_return"].to_numpy(dtype=float)
    return float(mix.to_numpy(dtype=float) @ returns)


def _projection(figures: dict[str, PortfolioFigures], joint: JointRisk, target: float) -> Projection:
    correlation = joint.correlation([f.holdings for f in figures.values()])
    return project(
        {k: (f.expected_return, f.volatility) for k, f in figures.items()}, np.asarray(correlation), target
    )
