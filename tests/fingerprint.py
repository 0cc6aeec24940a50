"""What must come out the same on every machine: allocations to the pound, city-weighted benchmarks
and diagnoses word for word, over the bundled mandate and a fixed set of random mandates.

Run as a script it prints one JSON document; `test_same_answer.py` runs it under several OpenBLAS
kernels and compares the documents. Importing it gives the scenarios to tests run in-process.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from portfolio.allocate import Allocation
from portfolio.benchmarks import city_weighted
from portfolio.run import run_allocation
from screening import bundled_reference, load_candidates, load_mandate
from screening.reading.candidates import Universe
from screening.reading.mandate import Mandate

REFERENCE = bundled_reference()
UNIVERSE = load_candidates(None, REFERENCE)
MANDATE = load_mandate(None, REFERENCE)
SECTORS = sorted(set(UNIVERSE.frame["sector"]))
CLASSES = sorted(set(UNIVERSE.frame["asset_class"]))
PLACES = sorted(set(UNIVERSE.frame["local_authority"]))


@dataclass(frozen=True)
class Scenario:
    """One mandate on one universe, with a name that says where it came from."""

    name: str
    mandate: Mandate
    universe: Universe = UNIVERSE


def without_minimum_tickets(universe: Universe) -> Universe:
    """The same candidates with no minimum tickets: continuous problems (Clarabel, not SCIP)."""
    frame = universe.frame.copy()
    frame["min_ticket_gbp"] = 0.0
    return replace(universe, frame=frame)


def random_mandate(rng: np.random.Generator) -> Mandate:
    """A plausible committee mandate over the bundled places: objective, caps and floors drawn at random."""
    places = sorted(rng.choice(PLACES, size=int(rng.integers(1, 5)), replace=False).tolist())
    update: dict[str, object] = {
        "places": places,
        "objective": str(rng.choice(["max_impact", "max_return", "min_risk", "blended"])),
        "max_candidate_share": round(float(rng.uniform(0.12, 0.45)), 2),
        "max_volatility": round(float(rng.uniform(0.07, 0.13)), 3),
        "min_expected_return": round(float(rng.uniform(0.03, 0.06)), 3),
        "min_holdings": int(rng.integers(1, 8)) if rng.random() < 0.5 else None,
        "sector_caps": {s: round(float(rng.uniform(0.2, 0.6)), 2) for s in SECTORS if rng.random() < 0.5},
        "asset_class_caps": {
            c: round(float(rng.uniform(0.2, 0.6)), 2) for c in CLASSES if rng.random() < 0.5
        },
        "target_gbp": float(rng.choice([20e6, 50e6, 100e6])),
    }
    return MANDATE.model_copy(update=update)


def scenarios(count: int = 30, seed: int = 2026) -> Iterator[Scenario]:
    """The bundled mandate, known ties and infeasible cases, then `count` random mandates."""
    yield Scenario("bundled", MANDATE)
    yield Scenario("min_holdings 30", MANDATE.model_copy(update={"min_holdings": 30}))
    tied = {c: 0.1 for c in CLASSES}
    yield Scenario("tied asset-class caps", MANDATE.model_copy(update={"asset_class_caps": tied}))
    yield Scenario("volatility 3%", MANDATE.model_copy(update={"max_volatility": 0.03}))
    yield Scenario(
        "volatility and return",
        MANDATE.model_copy(update={"max_volatility": 0.065, "min_expected_return": 0.068}),
    )
    continuous = without_minimum_tickets(UNIVERSE)
    for objective in ("max_impact", "max_return", "min_risk", "blended"):
        mandate = MANDATE.model_copy(update={"objective": objective, "min_holdings": None})
        yield Scenario(f"continuous {objective}", mandate, continuous)
    rng = np.random.default_rng(seed)
    for i in range(count):
        universe = continuous if i % 3 == 2 else UNIVERSE
        yield Scenario(f"random {i}", random_mandate(rng), universe)


def pounds(allocation: Allocation) -> dict[str, int]:
    """The holdings in whole pounds, zeros left out."""
    return {k: int(v) for k, v in allocation.amounts.items() if v > 0}


def outcome(scenario: Scenario, with_city: bool = False) -> dict[str, object]:
    """Everything about one scenario that must not depend on the machine."""
    run = run_allocation(
        scenario.universe, scenario.mandate, REFERENCE, frontier_points=0, with_comparison=False
    )
    result = run.allocation
    found: dict[str, object] = {
        "status": result.status,
        "pounds": pounds(result) if result.feasible else {},
        "diagnosis": [d.message for d in result.diagnosis],
    }
    if with_city:
        city = city_weighted(scenario.universe, run.screen, scenario.mandate, REFERENCE, run.risk)
        found["city_status"] = city.status
        found["city_pounds"] = pounds(city.allocation) if city.allocation and city.allocation.feasible else {}
        found["city_notes"] = city.notes
    return found


def city_scenarios() -> Iterator[Scenario]:
    """Mandates whose city-weighted benchmark must be the same everywhere."""
    yield Scenario("bundled", MANDATE)
    caps = {**MANDATE.asset_class_caps, "social_housing": 0.0}
    yield Scenario("no social housing", MANDATE.model_copy(update={"asset_class_caps": caps}))


def fingerprint(count: int = 30) -> dict[str, object]:
    """Every scenario's outcome, keyed by its name."""
    document: dict[str, object] = {s.name: outcome(s) for s in scenarios(count)}
    document |= {f"city: {s.name}": outcome(s, with_city=True) for s in city_scenarios()}
    return document


if __name__ == "__main__":
    json.dump(
        fingerprint(int(sys.argv[1]) if len(sys.argv) > 1 else 30), sys.stdout, indent=1, sort_keys=True
    )
