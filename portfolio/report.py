"""The allocation as JSON-ready data: the public contract of `impact-screen allocate --json`."""

from __future__ import annotations

import math

import pandas as pd

from portfolio.run import AllocationRun
from screening.candidates import Universe
from screening.mandate import Mandate
from screening.reference import Reference


def _round(value: float, digits: int = 6) -> float:
    return round(float(value), digits) + 0.0


def _shares(amounts: pd.Series, groups: pd.Series) -> dict[str, float]:
    totals = amounts.groupby(groups).sum()
    return {str(k): _round(v, 2) for k, v in totals[totals > 0].items()}


def allocation_document(
    run: AllocationRun, universe: Universe, mandate: Mandate, reference: Reference
) -> dict:
    """status, target_gbp, allocations, portfolio, diagnosis, binding, frontier, solver, checks, provenance."""
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
        },
        "diagnosis": [d.as_dict() for d in result.diagnosis],
        "binding": [b.as_dict() for b in result.binding],
        "frontier": [p.as_dict() for p in run.frontier],
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
        "provenance": {
            "candidates": universe.provenance.as_dict(),
            **{name: p.as_dict() for name, p in reference.provenance.items()},
        },
    }
