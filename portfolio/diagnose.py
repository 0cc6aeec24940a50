"""Why a mandate cannot be met, and what would have to move, in the committee's own units.

Cheap pre-checks first (portfolio.prechecks). Then the elastic problem (portfolio.elastic): the
change that moves the fewest limits, then the smallest such change, then the earliest keys in the
mandate's order; and alternatives that move as few limits. The target is held fixed unless the
places cannot absorb it, so a diagnosis never asks a committee to invest less to meet a percentage
limit, and a limit that need not move is never blamed. Every change is rounded up (0.1 percentage
point, 0.1 impact point, one holding) and checked by solving again with its option applied.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from portfolio.constraints import Limit
from portfolio.elastic import Moves, fewest_moves
from portfolio.inputs import AllocationInputs
from portfolio.problem import SolveOptions, build, solve
from portfolio.relaxation import Diagnosis, in_user_units, money, round_up
from screening.reading.mandate import Mandate
from screening.vocabulary import named


def diagnose(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    options: SolveOptions,
    explained: list[Diagnosis],
) -> list[Diagnosis]:
    """What must move and by how much, each option verified by solving again.

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
    scaled = _retargeted(inputs, lowered) if short else inputs
    ways = fewest_moves(scaled, mandate, limits, options, target_soft=short)
    if not ways and not short:  # the tickets cannot add up to the target exactly
        ways = fewest_moves(inputs, mandate, limits, options, target_soft=True)
    if not ways:
        return [*explained, Diagnosis("solver", "the diagnosis could not be completed", 0.0, "")]
    by_key = {limit.key: limit for limit in limits}
    found: list[Diagnosis] = []
    for number, way in enumerate(ways, start=1):
        found += _option(number, way, by_key, scaled, mandate, limits, options)
    return _merge(explained, found)


def _option(
    number: int,
    way: Moves,
    by_key: dict[str, Limit],
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    options: SolveOptions,
) -> list[Diagnosis]:
    """One option's changes, rounded up, verified (one more step up if the rounding fell short)."""
    moves = {k: v for k, v in way.amounts.items() if k in by_key}
    verified = False
    for steps in (0, 1):
        rounded = {k: round_up(v, by_key[k].unit, steps) for k, v in moves.items()}
        verified = _works(inputs, mandate, limits, rounded, options)
        if verified:
            break
    found = [_change(by_key[k], amount, number, verified) for k, amount in rounded.items()]
    found = _together(found)
    shortfall = way.amounts.get("target_gbp", 0.0)
    if shortfall > 0:
        found.append(
            Diagnosis(
                "min_ticket_gbp",
                f"no combination of the candidates' minimum and maximum tickets adds up to exactly "
                f"{money(inputs.target_gbp)}; the nearest is {money((1 - shortfall) * inputs.target_gbp)}",
                math.ceil(shortfall * inputs.target_gbp),
                "gbp",
                option=number,
            )
        )
    return found


def _change(limit: Limit, amount: float, option: int, verified: bool) -> Diagnosis:
    message = limit.relaxation_message(amount)
    if option > 1:
        message = f"instead (alternative {option - 1}): {message}"
    return Diagnosis(
        limit.key, message, in_user_units(amount, limit.unit), limit.unit, verified=verified, option=option
    )


def _together(found: list[Diagnosis]) -> list[Diagnosis]:
    """In an option of several changes, each says it is needed with the others."""
    if len(found) < 2:
        return found
    result = []
    for d in found:
        others = " and ".join(named(o.constraint) for o in found if o is not d)
        result.append(replace(d, message=f"{d.message}, together with the change to {others}"))
    return result


def _works(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    moves: dict[str, float],
    options: SolveOptions,
) -> bool:
    """True when the mandate with these changes applied can be met."""
    relaxed = [
        replace(limit, limit=limit.limit + moves[limit.key] * (1 if limit.sense == "<=" else -1))
        if limit.key in moves
        else limit
        for limit in limits
    ]
    return solve(build(inputs, relaxed, mandate), options).has_solution


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


def _retargeted(inputs: AllocationInputs, target: float) -> AllocationInputs:
    """The same candidates with a smaller target (tickets re-expressed as fractions of it)."""
    factor = inputs.target_gbp / target
    return replace(
        inputs, target_gbp=target, lower=inputs.lower * factor, upper=np.minimum(inputs.upper * factor, 1.0)
    )
