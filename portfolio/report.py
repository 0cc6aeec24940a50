"""From a finished `AllocationRun` to its `RunResult` (portfolio.result), the one typed result every
shell renders; `run_result(...).to_json()` is the public contract of `impact-screen allocate --json`."""

from __future__ import annotations

import math
from dataclasses import asdict

import pandas as pd

from portfolio.compare import Comparison
from portfolio.figures import PortfolioFigures
from portfolio.impact import impact_basis
from portfolio.local_investment import local_investment
from portfolio.result import LocalInvestment, RunResult
from portfolio.run import AllocationRun
from portfolio.summary import plain_summary
from screening.reading.candidates import Universe
from screening.reading.mandate import Mandate
from screening.reading.place_groups import place_words
from screening.reading.reference import Reference
from screening.screen import screen_records


def _round(value: float, digits: int = 6) -> float:
    return round(float(value), digits) + 0.0


def _shares(amounts: pd.Series, groups: pd.Series) -> dict[str, float]:
    totals = amounts.groupby(groups).sum()
    return {str(k): _round(v, 2) for k, v in totals[totals > 0].items()}


def run_result(run: AllocationRun, universe: Universe, mandate: Mandate, reference: Reference) -> RunResult:
    """The run as one typed result: the allocation document below, every place named, the screen."""
    document = _document(run, universe, mandate, reference)
    document["places"] = list(mandate.places)
    document["place_names"] = _place_names(run, universe, mandate, reference)
    document["place_words"] = place_words(
        mandate.places, mandate.place_groups, reference.places["name"].to_dict(), reference.groups
    )
    document["screen"] = screen_records(run.screen)
    local = _local_investment(run, universe, mandate, reference)
    if local is not None:
        document["local_investment"] = local
    result = RunResult.model_validate(document)
    if not result.compared:
        return result
    # the sentences read the figures as the result holds them, the same values every table shows
    return result.model_copy(update={"summary": plain_summary(result, mandate.fund_size_gbp)})


def _local_investment(
    run: AllocationRun, universe: Universe, mandate: Mandate, reference: Reference
) -> LocalInvestment | None:
    """The local investment report (portfolio.local_investment): only with the mandate's
    [local_investment] table and an allocation."""
    if mandate.local_investment is None or not run.allocation.feasible:
        return None
    comparison = run.comparison
    return local_investment(
        run.allocation.amounts,
        universe.frame,
        impact_basis(universe.frame, run.screen, mandate, reference),
        mandate,
        reference,
        comparison.fiduciary.return_given_up_bp if comparison is not None else None,
        comparison.local_peer if comparison is not None else None,
    )


def _place_names(
    run: AllocationRun, universe: Universe, mandate: Mandate, reference: Reference
) -> dict[str, str]:
    """Every place the run mentions (the mandate's, the candidates', the benchmark's), by name."""
    codes = [*mandate.places, *universe.frame["local_authority"]]
    if run.comparison is not None:
        codes += list(run.comparison.city.places.index)
    names = reference.places["name"]
    return {str(c): str(names.get(c, c)) for c in dict.fromkeys(codes)}


def _document(run: AllocationRun, universe: Universe, mandate: Mandate, reference: Reference) -> dict:
    """status, target_gbp, allocations, portfolio, diagnosis, binding, frontier, solver, checks,
    provenance, and the comparison: benchmarks, fiduciary, stress, projection, summary."""
    result = run.allocation
    frame = universe.frame
    held = result.amounts[result.amounts > 0] if result.feasible else pd.Series(dtype=float)
    rows = frame.loc[held.index]
    metrics = result.metrics()
    report = result.report
    return {
        "status": result.status,
        "target_gbp": _round(mandate.target_gbp, 2),
        "mandate": mandate.name,
        "objective": mandate.objective,
        "allocations": [
            {
                "id": candidate,
                "name": rows.at[candidate, "name"],
                "amount_gbp": _round(amount, 2),
                "share": _round(amount / mandate.target_gbp),
                "local_authority": rows.at[candidate, "local_authority"],
                "sector": rows.at[candidate, "sector"],
                "asset_class": rows.at[candidate, "asset_class"],
            }
            for candidate, amount in held.items()
        ],
        "portfolio": {
            **{k: (_round(v) if isinstance(v, float) else v) for k, v in metrics.items()},
            "total_gbp": _round(held.sum(), 2) if result.feasible else 0.0,
            "by_place": _shares(held, rows["local_authority"]) if result.feasible else {},
            "by_sector": _shares(held, rows["sector"]) if result.feasible else {},
            **_impact_keys(run.comparison),
        },
        "diagnosis": [d.as_dict() for d in result.diagnosis],
        "binding": [b.as_dict() for b in result.binding],
        "frontier": [p.as_dict() for p in run.frontier],
        **({"frontier_note": run.frontier_note} if run.frontier_note else {}),
        "solver": {
            "name": report.solver if report else None,
            "status": report.status if report else None,
            "seconds": _round(report.seconds, 4) if report else None,
            "gap": None
            if report is None or report.gap is None or not math.isfinite(report.gap)
            else report.gap,
            "message": report.message if report else "stopped by the pre-checks before solving",
        },
        "checks": {"limit_violations": {k: _round(v, 9) for k, v in result.violations.items()}},
        "risk_model": run.risk.source,
        "screen_settings": {**asdict(run.screen.settings), "draws_used": run.screen.draws_used},
        "provenance": {
            "candidates": universe.provenance.as_dict(),
            **{name: p.as_dict() for name, p in reference.provenance.items()},
            **(
                {}
                if run.comparison is None
                else {k: p.as_dict() for k, p in run.comparison.provenance.items()}
            ),
        },
        **_comparison_document(run.comparison, universe),
    }


_FIGURE_KEYS = ("label", "total_gbp", "expected_return", "volatility", "tracking_error")


def _impact_keys(comparison: Comparison | None) -> dict[str, object]:
    """The allocation's impact totals and tracking error, beside its existing portfolio figures."""
    if comparison is None:
        return {}
    figures = comparison.portfolio.as_dict()
    return {k: v for k, v in figures.items() if k not in _FIGURE_KEYS or k == "tracking_error"}


def _comparison_document(comparison: Comparison | None, universe: Universe) -> dict[str, object]:
    """benchmarks (uk, city_weighted), fiduciary, stress, projection and comparison notes (the
    summary is written from the result afterwards, in `run_result`);
    none of them when there is no allocation (infeasible, or the solver failed)."""
    if comparison is None:
        return {}  # no allocation, nothing to compare: the keys are left out
    return {
        "benchmarks": {"uk": _uk(comparison), "city_weighted": _city_weighted(comparison, universe)},
        "fiduciary": comparison.fiduciary.as_dict(),
        "stress": [s.as_dict() for s in comparison.stress],
        "projection": comparison.projection.as_dict(),
        **({"pacing": comparison.pacing.model_dump(mode="json")} if comparison.pacing is not None else {}),
        "comparison": {"seconds": _round(comparison.seconds, 4), "notes": comparison.notes},
    }


def _uk(comparison: Comparison) -> dict[str, object]:
    mix = comparison.mix
    return {
        **comparison.uk.as_dict(),
        "mix": [
            {
                "asset_class": c,
                "weight": _round(w),
                "amount_gbp": _round(comparison.uk.holdings.listed.get(c, 0.0), 2),
            }
            for c, w in mix.items()
        ],
    }


def _city_weighted(comparison: Comparison, universe: Universe) -> dict[str, object]:
    city, figures = comparison.city, comparison.city_weighted
    frame = universe.frame
    table = city.places
    places = [
        {
            "ons_code": code,
            "name": row["name"],
            "weight": _round(row["weight"], 2),
            "proportional_share": _round(row["proportional_share"]),
            "target_share": _round(row["target_share"]),
            "capacity_share": None if pd.isna(row["capacity_share"]) else _round(row["capacity_share"]),
            "amount_gbp": _round(row["amount_gbp"], 2),
        }
        for code, row in table.iterrows()
    ]
    held = figures.holdings.candidates if figures is not None else pd.Series(dtype=float)
    return {
        **(figures.as_dict() if figures is not None else _unknown_figures(comparison.portfolio)),
        "status": city.status,
        "weighting": city.weighting,
        "places": places,
        "allocations": [
            {
                "id": c,
                "name": frame.at[c, "name"],
                "amount_gbp": _round(amount, 2),
                "local_authority": frame.at[c, "local_authority"],
                "sector": frame.at[c, "sector"],
                "asset_class": frame.at[c, "asset_class"],
            }
            for c, amount in held.items()
        ],
        "city_notes": city.notes,
    }


def _unknown_figures(template: PortfolioFigures) -> dict[str, object]:
    """The figure keys with no values, when the city-weighted benchmark could not be built."""
    return {
        k: ({} if isinstance(v, dict) else [] if isinstance(v, list) else None)
        for k, v in template.as_dict().items()
    }
