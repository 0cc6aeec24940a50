"""Problems visible without solving anything, each explained in the committee's own units.

The places cannot absorb the target; caps that cannot add up to 100%; more holdings asked for
than there are candidates; a return or impact floor above every candidate. The elastic diagnosis
(portfolio.diagnose) then supplies the amounts, accounting for every limit at once.
"""

from __future__ import annotations

import math

import numpy as np

from portfolio.constraints import Limit
from portfolio.inputs import AllocationInputs
from portfolio.relaxation import Diagnosis, in_user_units, money, round_up
from screening.reading.mandate import Mandate


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
            f"the target is {money(short)} above what the eligible candidates can take "
            f"({money(room * mandate.target_gbp)} in maximum tickets): lower target_gbp from "
            f"{money(mandate.target_gbp)} to {money(room * mandate.target_gbp)}, or add candidates",
            math.ceil(short),
            "gbp",
            verified=True,
        )
    ]


def _share_check(inputs: AllocationInputs, limit: Limit | None) -> list[Diagnosis]:
    if limit is None or limit.limit * inputs.n >= 1 - 1e-12:
        return []
    needed = round_up(1.0 / inputs.n, "share")
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
            round_up(1 - total, "share"),
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
                    in_user_units(limit.limit - ceiling, limit.unit),
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
