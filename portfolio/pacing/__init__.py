"""Pacing: from commitment to money at work (the Takahashi-Alexander model and the commitment plan).

`pacing_for` is what a run calls: the allocation's asset-class mix, paced by the mandate's
[pacing] settings with the pacing assumptions in use.
"""

from __future__ import annotations

from collections.abc import Mapping

from portfolio.pacing.model import ClassPacing
from portfolio.pacing.plan import plan_commitments, project_schedule
from portfolio.result import Pacing
from screening.errors import InputError
from screening.reading.mandate import Mandate
from screening.reading.problems import Problem

__all__ = ["ClassPacing", "Pacing", "pacing_for", "plan_commitments", "project_schedule"]


def asset_class_mix(amounts: Mapping[str, float], asset_classes: Mapping[str, str]) -> dict[str, float]:
    """The share of the money in each asset class: `amounts` by candidate, `asset_classes` the
    class of each candidate."""
    totals: dict[str, float] = {}
    for candidate, amount in amounts.items():
        if amount > 0:
            totals[asset_classes[candidate]] = totals.get(asset_classes[candidate], 0.0) + float(amount)
    whole = sum(totals.values())
    return {c: v / whole for c, v in sorted(totals.items())} if whole > 0 else {}


def pacing_for(
    mix: Mapping[str, float],
    mandate: Mandate,
    classes: Mapping[str, ClassPacing],
    expected_returns: Mapping[str, float],
    schedule: Mapping[int, float] | None = None,
    file: str = "pacing_assumptions.csv",
) -> Pacing | None:
    """The commitment plan of `mix` under the mandate's [pacing] settings (None without them), or
    what `schedule` (£ committed by year, each year spread over the classes as the plan spreads
    it) puts to work; InputError when an asset class of the mix has no pacing assumptions."""
    settings, target = mandate.pacing, mandate.pacing_target_gbp
    if settings is None or target is None or not mix:
        return None
    missing = sorted(c for c in mix if c not in classes)
    if missing:
        raise InputError(
            [
                Problem(file, None, "asset_class", f"has no row for '{c}', which the allocation holds")
                for c in missing
            ]
        )
    grown = {c: classes[c].growing(float(expected_returns[c])) for c in mix}
    plan = plan_commitments(dict(mix), target, settings, grown)
    if schedule is not None:  # spread each year's amount over the classes as the plan does
        return project_schedule(dict(schedule), dict(mix), target, settings, grown, split=plan)
    return plan
