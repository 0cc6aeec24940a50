"""Any fund, any place, at scale (issue 14): a mandate naming a 17-district combined authority
(E47000013 East Midlands) over 2,000 candidates spread across all 361 UK districts: read the
file, screen, allocate and build both benchmarks (the city-weighted one over every district with
a candidate), timed as one `run_allocation` with the comparison, the frontier off. Target: under
5 s. Two universes: without minimum tickets (continuous) and with them (yes/no holdings; beyond
500 eligible candidates the city-weighted benchmark is then not built, by the size rule).

Peer in the same run: pandas reading the same CSV (the floor of any pipeline that reads a file).

Run: .venv/bin/python bench/bench_places.py   (results go in docs/benchmarks.md with the machine)
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from timing import cpu, median_of

from portfolio.run import run_allocation
from screening import InputFile, bundled_reference, load_candidates, load_mandate
from screening.reading import bundled
from screening.reading.mandate import mandate_from_dict
from screening.stability import StabilitySettings

REFERENCE = bundled_reference()
ROWS = 2_000
GROUP = "E47000013"  # East Midlands Combined County Authority: 17 districts
IN_GROUP = 60


def universe_csv(tickets: bool, seed: int = 14) -> bytes:
    """2,000 candidates resampled from the bundled file, spread over all 361 districts, IN_GROUP
    of them in the combined authority's districts so the mandate has a real choice."""
    base = pd.read_csv(bundled.bundled(bundled.CANDIDATES))
    rng = np.random.default_rng(seed)
    frame = base.sample(ROWS, replace=True, random_state=seed).reset_index(drop=True)
    frame["id"] = [f"UK{i:05d}" for i in range(ROWS)]
    districts = list(REFERENCE.places.index)
    members = list(REFERENCE.groups[GROUP].members)
    frame["local_authority"] = rng.choice(districts, ROWS)
    frame.loc[: IN_GROUP - 1, "local_authority"] = rng.choice(members, IN_GROUP)
    frame["expected_return"] = (frame["expected_return"] * rng.uniform(0.8, 1.2, ROWS)).round(5)
    frame["volatility"] = (frame["volatility"] * rng.uniform(0.8, 1.2, ROWS)).round(5)
    if tickets:
        frame["min_ticket_gbp"] = (frame["min_ticket_gbp"].fillna(0) / 4).round(-3)
    else:
        frame["min_ticket_gbp"] = np.nan
    return frame.to_csv(index=False).encode()


def one_run(content: bytes) -> dict[str, object]:
    universe = load_candidates(InputFile("uk.csv", content), REFERENCE)
    bundled_mandate = load_mandate(None, REFERENCE).model_dump()
    mandate = mandate_from_dict({**bundled_mandate, "places": [GROUP], "place_groups": {}}, REFERENCE)
    run = run_allocation(
        universe, mandate, REFERENCE, frontier_points=0, stability=StabilitySettings(draws=1_000)
    )
    city = run.comparison.city if run.comparison is not None else None
    return {
        "status": run.allocation.status,
        "places": len(mandate.places),
        "holdings": run.allocation.metrics()["holdings"] if run.allocation.feasible else 0,
        "city": city.status if city is not None else "none",
        "city_places": len(city.places) if city is not None else 0,
    }


def main() -> None:
    print(cpu())
    for tickets in (False, True):
        content = universe_csv(tickets)
        found = one_run(content)  # warm-up, and what it made
        seconds = median_of(3, lambda c=content: one_run(c))
        start = time.perf_counter()
        pd.read_csv(pd.io.common.BytesIO(content))
        peer = time.perf_counter() - start
        kind = "with minimum tickets" if tickets else "without minimum tickets"
        print(
            f"{ROWS:,} candidates over 361 districts, mandate {GROUP} ({found['places']} districts), "
            f"{kind}: {seconds:.2f} s (allocation {found['status']}, {found['holdings']} holdings; "
            f"city-weighted benchmark {found['city']} over {found['city_places']} places); "
            f"pandas.read_csv of the file {peer * 1000:.0f} ms, ratio {seconds / peer:.0f}"
        )


if __name__ == "__main__":
    main()
