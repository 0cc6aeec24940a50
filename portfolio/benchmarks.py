"""The two benchmarks the allocation is compared with, for the same money.

- **UK benchmark**: the money in listed UK asset-class proxies in the fund's strategic mix
  (data/uk_benchmark_mix.csv), valued with the capital market assumptions.
- **City-weighted benchmark**: the money spread over the UK places in the candidate file in
  proportion to their population (or GVA, `benchmark_weighting = "gva"`, where every place has it),
  placed by the same optimiser, objective and limits as the allocation, apart from the places.
  Each place's share is a named floor `city_weights.<ONS code>`; the floors add up to 1, so each
  place gets exactly its share. A place whose candidates cannot take its share gets what they can
  take, and the rest is spread over the other places in proportion to their weights (noted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
import pandas as pd

from portfolio.allocate import Allocation, allocate
from portfolio.constraints import Limit
from portfolio.holdings import Holdings
from portfolio.inputs import AllocationInputs, allocation_inputs
from portfolio.problem import SolveOptions
from portfolio.risk import RiskModel
from screening.candidates import Universe
from screening.eligibility import eligibility
from screening.mandate import Mandate
from screening.reference import Reference
from screening.screen import Screen

UK_LABEL = "UK benchmark: listed UK proxies in the fund's strategic mix"
CITY_LABEL = "City-weighted benchmark: UK places in proportion to {weighting}"
FLOOR_SCALE = 1 - 1e-9  # floors add up to a hair under 1, so rounding never makes them infeasible


def uk_benchmark(mix: pd.Series, target_gbp: float) -> Holdings:
    """The target in listed proxies: £ per asset class = mix weight x target."""
    return Holdings.of("uk", UK_LABEL, listed=mix * target_gbp)


@dataclass(frozen=True)
class CityWeighted:
    """The city-weighted benchmark: its holdings (None when it cannot be built), places and notes."""

    status: str
    weighting: str  # "population" or "gva", the one actually used
    places: (
        pd.DataFrame
    )  # per ONS code: name, weight, proportional_share, target_share, capacity_share, amount_gbp
    holdings: Holdings | None = None
    allocation: Allocation | None = None
    notes: list[str] = field(default_factory=list)


def city_weighted(
    universe: Universe,
    screen: Screen,
    mandate: Mandate,
    reference: Reference,
    risk: RiskModel,
    options: SolveOptions | None = None,
) -> CityWeighted:
    """Spread the target over the UK places in proportion to their weight, through the same optimiser."""
    frame = universe.frame
    places = [p for p in dict.fromkeys(sorted(frame["local_authority"])) if p in reference.places.index]
    spread = mandate.model_copy(update={"places": places})
    allowed = eligibility(frame, spread, reference)["eligible"]
    ids = [c for c in frame.index if bool(allowed[c])]
    inputs = allocation_inputs(frame, screen, spread, reference, risk, ids=ids)
    notes = _excluded_places(places, set(frame.loc[ids, "local_authority"]), reference)
    weights, weighting, why = _place_weights(
        sorted(set(frame.loc[ids, "local_authority"])), mandate, reference
    )
    notes += why
    table = _place_table(weights, inputs, mandate, frame, reference)
    if table["capacity_share"].sum() < 1 - 1e-12:
        notes.append(
            f"The eligible candidates in every place can take only "
            f"{table['capacity_share'].sum():.1%} of the target: no city-weighted benchmark."
        )
        return CityWeighted("infeasible", weighting, table, notes=notes)
    result, table = _solve(inputs, spread, table, frame, options)
    notes += _redistribution_notes(table)
    if not result.feasible:
        notes += [
            f"The city-weighted benchmark cannot meet the limits: {d.message}" for d in result.diagnosis
        ]
        return CityWeighted(result.status, weighting, table, allocation=result, notes=notes)
    amounts = result.amounts
    table["amount_gbp"] = (
        amounts.groupby(frame.loc[amounts.index, "local_authority"]).sum().reindex(table.index)
    )
    holdings = Holdings.of("city_weighted", CITY_LABEL.format(weighting=weighting), candidates=amounts)
    return CityWeighted(result.status, weighting, table, holdings, result, notes)


def _solve(
    inputs: AllocationInputs,
    mandate: Mandate,
    table: pd.DataFrame,
    frame: pd.DataFrame,
    options: SolveOptions | None,
    rounds: int = 3,
) -> tuple[Allocation, pd.DataFrame]:
    """Solve with the place floors; when only floors stand in the way (a place cannot take its share
    within the other limits, e.g. an asset-class cap), lower those places' capacity by what the
    diagnosis says and spread the rest again."""
    for _ in range(rounds):
        table = _redistributed(table)
        result = allocate(inputs, mandate, options, _place_floors(table, inputs, frame))
        moves = {d.constraint.removeprefix("city_weights."): d.relaxation for d in result.diagnosis}
        if (
            result.feasible
            or not moves
            or not all(d.constraint.startswith("city_weights.") for d in result.diagnosis)
        ):
            break
        for code, relaxation in moves.items():
            table.loc[code, "capacity_share"] = max(0.0, table.at[code, "target_share"] - relaxation)
    return result, table


def _excluded_places(places: list[str], kept: set[str], reference: Reference) -> list[str]:
    left = [p for p in places if p not in kept]
    if not left:
        return []
    names = ", ".join(str(reference.places.at[p, "name"]) for p in left)
    return [f"No candidate in {names} passes the mandate's hurdles, so the benchmark holds nothing there."]


def _place_weights(
    places: list[str], mandate: Mandate, reference: Reference
) -> tuple[pd.Series, str, list[str]]:
    """Each place's weight: population, or GVA when asked for and known for every place."""
    table = reference.places.loc[places]
    population = table["population"].astype(float)
    if mandate.benchmark_weighting != "gva":
        return population, "population", []
    gva = table["gva_gbp_m"].astype(float) if "gva_gbp_m" in table else pd.Series(np.nan, index=places)
    if gva.notna().all() and (gva > 0).all():
        return gva, "gva", []
    known = ", ".join(str(table.at[p, "name"]) for p in gva[gva.notna()].index) or "no place"
    return (
        population,
        "population",
        [
            f"benchmark_weighting is 'gva' but GVA is known only for {known} of the {len(places)} places "
            "in places.csv: the benchmark is weighted by population instead."
        ],
    )


def _place_table(
    weights: pd.Series, inputs: AllocationInputs, mandate: Mandate, frame: pd.DataFrame, reference: Reference
) -> pd.DataFrame:
    """Per place: its weight, its proportional share and what its eligible candidates can take."""
    share_cap = 1.0 if mandate.max_candidate_share is None else mandate.max_candidate_share
    per_candidate = np.minimum(inputs.upper, share_cap)
    where = frame.loc[inputs.ids, "local_authority"].to_numpy()
    capacity = pd.Series(per_candidate, index=where).groupby(level=0).sum().reindex(weights.index).fillna(0.0)
    return pd.DataFrame(
        {
            "name": reference.places.loc[weights.index, "name"],
            "weight": weights,
            "proportional_share": weights / weights.sum(),
            "target_share": weights / weights.sum(),
            "capacity_share": np.minimum(capacity, 1.0),
            "amount_gbp": 0.0,
        }
    )


def _redistributed(table: pd.DataFrame) -> pd.DataFrame:
    """Shares capped at each place's capacity, the excess spread over the others by weight (repeatedly)."""
    table = table.copy()
    capped: list[str] = []
    while True:
        free = [p for p in table.index if p not in capped]
        left = 1.0 - table.loc[capped, "capacity_share"].sum()
        shares = left * table.loc[free, "weight"] / table.loc[free, "weight"].sum()
        over = shares[shares > table.loc[free, "capacity_share"] + 1e-12].index
        table.loc[free, "target_share"] = shares
        if over.empty:
            return table
        capped += list(over)
        table.loc[over, "target_share"] = table.loc[over, "capacity_share"]


def _redistribution_notes(table: pd.DataFrame) -> list[str]:
    """One note per place given less than its proportional share."""
    short = table[table["target_share"] < table["proportional_share"] - 1e-9]
    return [
        f"{row['name']}'s candidates can take "
        + ("nothing" if row["target_share"] < 1e-9 else f"only {row['target_share']:.2%}")
        + " of the money within the "
        f"mandate's limits, against its proportional share of {row['proportional_share']:.2%}; the rest "
        "was spread over the other places in proportion to their weights."
        for _, row in short.iterrows()
    ]


def _place_floors(table: pd.DataFrame, inputs: AllocationInputs, frame: pd.DataFrame) -> list[Limit]:
    """One floor per place, `city_weights.<ONS code>`: the place's money >= its target share."""
    where = frame.loc[inputs.ids, "local_authority"].to_numpy()
    limits = []
    for code, share in table["target_share"].items():
        members = where == code
        limits.append(
            Limit(
                f"city_weights.{code}",
                ">=",
                float(share) * FLOOR_SCALE,
                "share",
                lambda _i, v, m=members: cp.sum(v.weights[np.flatnonzero(m)]),
                lambda _i, w, m=members: float(np.sum(w[m])),
            )
        )
    return limits
