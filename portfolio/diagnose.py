"""Why a mandate cannot be met, and what would have to move, in the committee's own units.

First cheap pre-checks that need no solver (the places cannot absorb the target; caps that
cannot add up to 100%; more holdings asked for than there are candidates; a return or impact
floor above every candidate). Then the elastic re-solve: each limit gets a non-negative slack,
the weighted slacks are minimised, and every limit whose slack is above zero must move by that
much. The target is held fixed unless the places cannot absorb it, so a diagnosis never asks a
committee to invest less to meet a percentage limit, and a limit with no slack is never blamed.
Each suggested relaxation is rounded up and checked by solving again with it applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from portfolio.constraints import Limit
from portfolio.inputs import AllocationInputs
from portfolio.problem import SolveOptions, build, solve
from screening.mandate import Mandate

SLACK_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Diagnosis:
    """One thing that must change: the mandate key, a plain message, and by how much."""

    constraint: str
    message: str
    relaxation: float  # in the constraint's own units: a share, a rate, points, a count or £
    unit: str
    verified: bool = False  # True when solving again with this change applied succeeded

    def as_dict(self) -> dict[str, object]:
        """JSON form: constraint, message, relaxation (and its unit)."""
        return {
            "constraint": self.constraint,
            "message": self.message,
            "relaxation": self.relaxation,
            "unit": self.unit,
            "verified": self.verified,
        }


def _money(value: float) -> str:
    return f"£{value / 1e6:,.1f}m"


def capacity(inputs: AllocationInputs) -> float:
    """The most the candidates' maximum tickets can take, as a fraction of the target."""
    return float(np.sum(inputs.upper))


def prechecks(inputs: AllocationInputs, mandate: Mandate, limits: list[Limit]) -> list[Diagnosis]:
    """Problems visible without solving anything."""
    if inputs.n == 0:
        return [
            Diagnosis(
                "places",
                "no candidate is eligible in the mandate's places; see the screen's reasons",
                0.0,
                "count",
            )
        ]
    found = _capacity_check(inputs, mandate)
    by_key = {limit.key: limit for limit in limits}
    found += _share_check(inputs, by_key.get("max_candidate_share"))
    for family, groups in (("sector_caps", inputs.sector), ("asset_class_caps", inputs.asset_class)):
        found += _caps_check(family, groups, by_key)
    found += _floor_checks(inputs, by_key)
    return found


def _capacity_check(inputs: AllocationInputs, mandate: Mandate) -> list[Diagnosis]:
    room = capacity(inputs)
    if room >= 1 - 1e-12:
        return []
    short = (1 - room) * mandate.target_gbp
    return [
        Diagnosis(
            "target_gbp",
            f"the target is {_money(short)} above what the eligible candidates can take "
            f"({_money(room * mandate.target_gbp)} in maximum tickets): lower target_gbp from "
            f"{_money(mandate.target_gbp)} to {_money(room * mandate.target_gbp)}, or add candidates",
            math.ceil(short),
            "gbp",
            verified=True,
        )
    ]


def _share_check(inputs: AllocationInputs, limit: Limit | None) -> list[Diagnosis]:
    if limit is None or limit.limit * inputs.n >= 1 - 1e-12:
        return []
    needed = _round_up(1.0 / inputs.n, "share")
    return [
        Diagnosis(
            limit.key,
            f"{limit.key} of {limit.show(limit.limit)} across {inputs.n} eligible candidates places at most "
            f"{limit.limit * inputs.n:.0%} of the target: {limit.relaxation_message(needed - limit.limit)}",
            needed - limit.limit,
            limit.unit,
        )
    ]


def _caps_check(family: str, groups: np.ndarray, by_key: dict[str, Limit]) -> list[Diagnosis]:
    present = sorted(set(groups))
    caps = [by_key.get(f"{family}.{g}") for g in present]
    if not present or any(c is None for c in caps):
        return []
    total = sum(c.limit for c in caps if c is not None)
    if total >= 1 - 1e-12:
        return []
    return [
        Diagnosis(
            family,
            f"{family} add up to {total:.0%} across the {len(present)} groups the eligible candidates are in, "
            f"so at most {total:.0%} of the target can be placed: raise them by {1 - total:.1%} in total",
            _round_up(1 - total, "share"),
            "share",
        )
    ]


def _floor_checks(inputs: AllocationInputs, by_key: dict[str, Limit]) -> list[Diagnosis]:
    found: list[Diagnosis] = []
    best = {
        "min_expected_return": float(inputs.expected_return.max()),
        "min_impact_score": float(inputs.impact.max()),
    }
    for key, ceiling in best.items():
        limit = by_key.get(key)
        if limit is not None and limit.limit > ceiling + 1e-12:
            found.append(
                Diagnosis(
                    key,
                    f"no eligible candidate reaches {limit.show(limit.limit)} (the best is {limit.show(ceiling)}): "
                    f"{limit.relaxation_message(limit.limit - ceiling)}",
                    _in_user_units(limit.limit - ceiling, limit.unit),
                    limit.unit,
                )
            )
    holdings = by_key.get("min_holdings")
    if holdings is not None and holdings.limit > inputs.n:
        found.append(
            Diagnosis(
                "min_holdings",
                f"only {inputs.n} candidates are eligible: {holdings.relaxation_message(holdings.limit - inputs.n)}",
                holdings.limit - inputs.n,
                "count",
            )
        )
    return found


def _round_up(value: float, unit: str) -> float:
    """Relaxations are rounded up to 0.1 percentage point, 0.1 impact point or one holding."""
    if unit == "count":
        return float(math.ceil(value - 1e-9))
    return math.ceil(value * 1000 - 1e-6) / 1000


def diagnose(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    options: SolveOptions,
    explained: list[Diagnosis],
) -> list[Diagnosis]:
    """The elastic re-solve: which limits must move and by how much, verified by solving again.

    `explained` are the pre-checks' findings: their plain explanation is kept and the elastic
    solve supplies the amount (it accounts for every limit at once); a finding the elastic solve
    cannot quantify (the target shortfall) stays as it is.
    """
    if inputs.n == 0:
        return explained
    short = any(d.constraint == "target_gbp" for d in explained)
    # Limits are shares of the money placed, so when the places cannot absorb the target the other
    # limits are judged at the lowered target the diagnosis suggests; weights adding up to less than
    # 1 of the old target would blame (say) a return floor for the shortfall.
    lowered = inputs.target_gbp - sum(d.relaxation for d in explained if d.constraint == "target_gbp")
    built = build(
        _retargeted(inputs, lowered) if short else inputs, limits, mandate, soft=True, target_soft=short
    )
    report = solve(built, options)
    if not report.has_solution and not short:
        built = build(inputs, limits, mandate, soft=True, target_soft=True)
        report = solve(built, options)
    if not report.has_solution:
        return [
            *explained,
            Diagnosis("solver", f"the diagnosis could not be completed: {report.message}", 0.0, ""),
        ]
    found = [_relaxation(limit, float(built.slacks[limit.key].value or 0.0)) for limit in limits]
    found = _merge(explained, [d for d in found if d is not None])
    shortfall = float(built.slacks["target_gbp"].value or 0.0) if "target_gbp" in built.slacks else 0.0
    if shortfall > SLACK_TOLERANCE and not short:
        found.append(
            Diagnosis(
                "min_ticket_gbp",
                f"no combination of the candidates' minimum and maximum tickets adds up to exactly "
                f"{_money(inputs.target_gbp)}; the nearest is {_money((1 - shortfall) * inputs.target_gbp)}",
                math.ceil(shortfall * inputs.target_gbp),
                "gbp",
            )
        )
    return _verified(inputs, mandate, limits, found, options)


def _merge(explained: list[Diagnosis], elastic: list[Diagnosis]) -> list[Diagnosis]:
    """Pre-check explanations with the elastic amounts: 'why: what to change'."""
    merged: list[Diagnosis] = []
    used: set[str] = set()
    for finding in elastic:
        family = finding.constraint.split(".")[0]
        reason = next((d for d in explained if d.constraint in (finding.constraint, family)), None)
        if reason is not None and reason.constraint not in used:
            used.add(reason.constraint)
            finding = replace(finding, message=f"{reason.message.split(':')[0]}: {finding.message}")
        merged.append(finding)
    return (
        [d for d in explained if d.constraint not in used and d.unit in ("gbp", "")]
        + merged
        + [
            d
            for d in explained
            if d.constraint not in used
            and d.unit not in ("gbp", "")
            and not any(m.constraint.startswith(d.constraint) for m in merged)
        ]
    )


def _relaxation(limit: Limit, slack: float) -> Diagnosis | None:
    if slack <= SLACK_TOLERANCE * max(1.0, abs(limit.limit)):
        return None
    amount = _round_up(slack, limit.unit)
    return Diagnosis(
        limit.key, limit.relaxation_message(amount), _in_user_units(amount, limit.unit), limit.unit
    )


def _in_user_units(amount: float, unit: str) -> float:
    """Impact limits are held as 0..1 inside the problem but written in points (0..100) in the mandate."""
    return round(amount * 100.0, 9) if unit == "points" else amount


def _verified(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    found: list[Diagnosis],
    options: SolveOptions,
) -> list[Diagnosis]:
    """Solve again with every suggested change applied; mark them verified when that works."""
    by_key = {limit.key: limit for limit in limits}
    moves = {
        d.constraint: d.relaxation / (100.0 if d.unit == "points" else 1.0)
        for d in found
        if d.constraint in by_key
    }
    target = inputs.target_gbp - sum(d.relaxation for d in found if d.constraint == "target_gbp")
    relaxed = [
        replace(limit, limit=limit.limit + moves[limit.key] * (1 if limit.sense == "<=" else -1))
        if limit.key in moves
        else limit
        for limit in limits
    ]
    scaled = _retargeted(inputs, target) if target < inputs.target_gbp else inputs
    ok = solve(build(scaled, relaxed, mandate), options).has_solution
    return [
        replace(d, verified=ok) if d.constraint in by_key or d.constraint == "target_gbp" else d
        for d in found
    ]


def _retargeted(inputs: AllocationInputs, target: float) -> AllocationInputs:
    """The same candidates with a smaller target (tickets re-expressed as fractions of it)."""
    factor = inputs.target_gbp / target
    return replace(
        inputs, target_gbp=target, lower=inputs.lower * factor, upper=np.minimum(inputs.upper * factor, 1.0)
    )
