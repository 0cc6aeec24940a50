"""The two benchmarks the allocation is compared with, for the same money.

- **UK benchmark**: the money in listed UK asset-class proxies in the fund's strategic mix
  (data/uk_benchmark_mix.csv), valued with the capital market assumptions.
- **City-weighted benchmark**: the money spread over the UK places in the candidate file in
  proportion to their population (or GVA, `benchmark_weighting = "gva"`, where every place has it),
  placed by the same optimiser, objective and limits as the allocation, apart from the places.
  Each place's share is a named floor `city_weights.<ONS code>`; the floors add up to 1, so each
  place gets exactly its share. A place the limits hold back gets what it can take, and the rest
  is spread over the other places in proportion to their weights (portfolio.place_shares; noted).
  Beyond SEARCHED_UP_TO eligible candidates, when the spread needs a search over which candidates
  to hold, the benchmark is not built, and a note says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cvxpy as cp
import numpy as np
import pandas as pd

from portfolio.allocate import Allocation, allocate
from portfolio.constraints import Limit, mandate_limits
from portfolio.holdings import Holdings
from portfolio.inputs import AllocationInputs, allocation_inputs
from portfolio.place_shares import place_shares
from portfolio.problem import SEARCHED_UP_TO, SolveOptions
from portfolio.risk import RiskModel
from screening.eligibility import eligibility
from screening.errors import NotSearched
from screening.reading.candidates import Universe
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference
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
    )  # per ONS code: name, weight, proportional_share, target_share, capacity_share (NaN unless
    # some place could not take its proportional share), amount_gbp
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
    options = options or SolveOptions()
    frame = universe.frame
    spread, inputs, notes = _spread(frame, screen, mandate, reference, risk)
    where = frame.loc[inputs.ids, "local_authority"].to_numpy()
    weights, weighting, why = _place_weights(sorted(set(where)), mandate, reference)
    notes = [_compared_places(weights, weighting, reference), *notes, *why]
    table = _place_table(weights, inputs, mandate, where, reference)
    room = table.pop("ticket_share")
    if room.sum() < 1 - 1e-12:
        notes.append(
            f"The eligible candidates in every place can take only {room.sum():.1%} of the target: "
            "no city-weighted benchmark."
        )
        return CityWeighted("infeasible", weighting, table, notes=notes)
    limits = mandate_limits(spread, inputs)
    if inputs.n > SEARCHED_UP_TO:
        options = replace(options, search_choices=False)
    try:
        shares = place_shares(inputs, spread, limits, where, table["proportional_share"], options)
    except NotSearched:
        return _not_built(weighting, table, notes, inputs.n)
    floors: list[Limit] = []
    if shares is not None:  # None: no spread over these places meets the limits; allocate says why
        table["target_share"] = shares.shares
        table["capacity_share"] = shares.capacity
        notes += _redistribution_notes(table, shares.held, shares.left)
        floors = _place_floors(table, where)
    result = allocate(inputs, spread, options, floors)
    if result.status == "not_searched":
        return _not_built(weighting, table, notes, inputs.n)
    if shares is None or not result.feasible:
        notes += [
            f"The city-weighted benchmark cannot meet the limits: {d.message}" for d in result.diagnosis
        ]
        return CityWeighted(result.status, weighting, table, allocation=result, notes=notes)
    amounts = result.amounts
    table["amount_gbp"] = (
        pd.Series(amounts.to_numpy(), index=where).groupby(level=0).sum().reindex(table.index)
    )
    holdings = Holdings.of("city_weighted", CITY_LABEL.format(weighting=weighting), candidates=amounts)
    return CityWeighted(result.status, weighting, table, holdings, result, notes)


def _compared_places(weights: pd.Series, weighting: str, reference: Reference) -> str:
    """Which places the benchmark spreads the money over, and by what: the places with eligible
    candidates, named when there are few, weighted by the places table's population (or GVA)."""
    names = [str(reference.places.at[code, "name"]) for code in weights.index]
    listed = ", ".join(names) if len(names) <= 12 else f"{', '.join(names[:5])} and {len(names) - 5} more"
    years = sorted({int(y) for y in reference.places.loc[weights.index, "population_year"].dropna()})
    basis = (
        f"population (the places table's {'/'.join(map(str, years))} estimates)"
        if weighting == "population"
        else "GVA"
    )
    return (
        f"Compared over the {len(names)} UK places with eligible candidates ({listed}), "
        f"in proportion to their {basis}."
    )


def _not_built(weighting: str, table: pd.DataFrame, notes: list[str], candidates: int) -> CityWeighted:
    """The benchmark left out by the size rule, with the note that says why."""
    why = (
        f"The city-weighted benchmark is not built: with {candidates:,} eligible candidates across the "
        f"UK places (more than {SEARCHED_UP_TO:,}), spreading the money by place needs a search over "
        "which candidates to hold (for minimum tickets or the fewest holdings) that could take many "
        "minutes. The comparison with the UK benchmark is complete."
    )
    return CityWeighted("not_searched", weighting, table, notes=[*notes, why])


def _spread(
    frame: pd.DataFrame, screen: Screen, mandate: Mandate, reference: Reference, risk: RiskModel
) -> tuple[Mandate, AllocationInputs, list[str]]:
    """The mandate over every UK place in the file, its eligible candidates, and the places left out."""
    places = [p for p in dict.fromkeys(sorted(frame["local_authority"])) if p in reference.places.index]
    spread = mandate.model_copy(update={"places": places})
    allowed = eligibility(frame, spread, reference)["eligible"]
    ids = [c for c in frame.index if bool(allowed[c])]
    inputs = allocation_inputs(frame, screen, spread, reference, risk, ids=ids)
    return spread, inputs, _excluded_places(places, set(frame.loc[ids, "local_authority"]), reference)


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
    known = ", ".join(str(table.at[p, "name"]) for p in gva[gva.notna()].index)
    which = f"only for {known}" if known else "for no place"
    return (
        population,
        "population",
        [
            f"benchmark_weighting is 'gva' but GVA is known {which} of the {len(places)} places with "
            "candidates (places.csv bundles none: add gva_gbp_m to a places file of your own); the "
            "benchmark is weighted by population instead."
        ],
    )


def _place_table(
    weights: pd.Series, inputs: AllocationInputs, mandate: Mandate, where: np.ndarray, reference: Reference
) -> pd.DataFrame:
    """Per place: its weight, its proportional share and what its candidates' tickets can take (a
    first check; `capacity_share`, what it can take within every limit, is solved when needed)."""
    share_cap = 1.0 if mandate.max_candidate_share is None else mandate.max_candidate_share
    per_candidate = np.minimum(inputs.upper, share_cap)
    capacity = pd.Series(per_candidate, index=where).groupby(level=0).sum().reindex(weights.index).fillna(0.0)
    return pd.DataFrame(
        {
            "name": reference.places.loc[weights.index, "name"],
            "weight": weights,
            "proportional_share": weights / weights.sum(),
            "target_share": weights / weights.sum(),
            "ticket_share": np.minimum(capacity, 1.0),
            "capacity_share": np.nan,
            "amount_gbp": 0.0,
        }
    )


def _redistribution_notes(table: pd.DataFrame, held: list[str], left: float) -> list[str]:
    """What the limits did to the proportional shares: the places held below theirs (one sentence
    for one place, one list for several), and any share left to the objective."""
    rows = table.loc[held]
    spread = "the rest was spread over the other places in proportion to their weights."
    notes = []
    if len(rows) == 1:
        row = rows.iloc[0]
        taken = "nothing" if row["target_share"] < 1e-9 else f"only {row['target_share']:.2%}"
        notes.append(
            f"{row['name']}'s candidates can take {taken} of the money within the mandate's limits, "
            f"against its proportional share of {row['proportional_share']:.2%}; {spread}"
        )
    elif len(rows) > 1:
        listed = "; ".join(
            f"{row['name']} {row['target_share']:.2%} (against {row['proportional_share']:.2%})"
            for _, row in rows.iterrows()
        )
        notes.append(
            f"The mandate's limits hold {len(rows)} places below their proportional shares: {listed}; {spread}"
        )
    if left > 1e-9:
        others = table.drop(index=held)
        level = float((others["target_share"] / others["proportional_share"]).min())
        notes.append(
            f"With the candidates' minimum tickets or the fewest holdings, the places cannot all reach "
            f"their proportional shares together: {'every other' if held else 'every'} place has at least "
            f"{level:.2%} of its proportional share, and the last {left:.2%} of the money is placed where "
            "the mandate's objective puts it."
        )
    return notes


def _place_floors(table: pd.DataFrame, where: np.ndarray) -> list[Limit]:
    """One floor per place, `city_weights.<ONS code>`: the place's money >= its target share."""
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
                members=members,
            )
        )
    return limits
