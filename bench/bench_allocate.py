"""Allocation speed: a convex mean-variance solve against PyPortfolioOpt, the frontier against one
cold solve, minimum-ticket (mixed-integer) solves to a 0.1% gap, and the whole command against a
small PyPortfolioOpt script doing the same job.

Run: .venv/bin/python bench/bench_allocate.py   (not part of the test suite; needs the `test`
extra for PyPortfolioOpt; results go in docs/benchmarks.md with the machine they ran on)

Synthetic candidates are resampled from the bundled (illustrative) file with noisy returns and
volatilities and placed in Preston and South Ribble; the risk model is the bundled factor model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cvxpy as cp
import numpy as np
import pandas as pd
import pypfopt
import pyscipopt
from pypfopt import EfficientFrontier
from timing import best_of, cpu, median_of

from portfolio.allocate import allocate
from portfolio.constraints import mandate_limits
from portfolio.frontier import frontier
from portfolio.inputs import AllocationInputs, allocation_inputs
from portfolio.problem import SolveOptions
from portfolio.risk import factor_model
from screening import InputFile, bundled_reference, load_candidates, load_mandate
from screening.reading import bundled
from screening.reading.mandate import Mandate
from screening.screen import run_screen
from screening.stability import StabilitySettings

ROOT = Path(__file__).resolve().parent.parent
PLACES = ["E07000123", "E07000126"]
TARGET = 100_000_000.0
REFERENCE = bundled_reference()


def machine() -> str:
    """CPU model, cores and library versions, for the record in docs/benchmarks.md."""
    return (
        f"{cpu()}, numpy {np.__version__}, cvxpy {cp.__version__}, Clarabel {_version('clarabel')}, "
        f"PySCIPOpt {pyscipopt.__version__}, PyPortfolioOpt {pypfopt.__version__}"
    )


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except (ImportError, AttributeError):
        return "?"


def synthetic_frame(rows: int, seed: int, tickets: bool) -> pd.DataFrame:
    """`rows` candidates resampled from the bundled file, in the mandate's places.

    Without `tickets`, minimum tickets are blank and maximum tickets are the whole target (the
    plain mean-variance problem a peer library solves)."""
    base = pd.read_csv(bundled.bundled(bundled.CANDIDATES))
    rng = np.random.default_rng(seed)
    frame = base.sample(rows, replace=True, random_state=seed).reset_index(drop=True)
    frame["id"] = [f"S{i:05d}" for i in range(rows)]
    frame["local_authority"] = rng.choice(PLACES, rows)
    frame["expected_return"] = (frame["expected_return"] * rng.uniform(0.8, 1.2, rows)).round(5)
    frame["volatility"] = (frame["volatility"] * rng.uniform(0.8, 1.2, rows)).round(5)
    frame["evidence_quality"] = frame["evidence_quality"].fillna(3)
    if tickets:
        scale = 50 / rows  # keep the number of holdings a £100m portfolio needs about the same
        frame["min_ticket_gbp"] = (frame["min_ticket_gbp"] * scale).round(-3)
        frame["max_ticket_gbp"] = (frame["max_ticket_gbp"].fillna(TARGET) * max(scale, 0.2)).round(-3)
    else:
        frame["min_ticket_gbp"] = np.nan
        frame["max_ticket_gbp"] = TARGET
    return frame


def problem(frame: pd.DataFrame, mandate: Mandate) -> AllocationInputs:
    """The engine's inputs through the real loader, screen and factor model."""
    universe = load_candidates(InputFile("synthetic.csv", frame.to_csv(index=False).encode()), REFERENCE)
    screen = run_screen(universe, mandate, REFERENCE, StabilitySettings(draws=200))
    return allocation_inputs(
        universe.frame, screen, mandate, REFERENCE, factor_model(universe.frame, REFERENCE)
    )


def mean_variance_mandate(inputs: AllocationInputs | None = None, share: float = 0.05) -> Mandate:
    """max_return with max_candidate_share and a volatility limit 15% above the least reachable."""
    document = {
        "target_gbp": TARGET,
        "places": PLACES,
        "objective": "max_return",
        "max_candidate_share": share,
    }
    if inputs is not None:
        least = allocate(inputs, Mandate.model_validate({**document, "objective": "min_risk"}))
        document["max_volatility"] = round(least.metrics()["volatility"] * 1.15, 4)
    return Mandate.model_validate(document)


def peer_solve(inputs: AllocationInputs, covariance: np.ndarray, mandate: Mandate) -> np.ndarray:
    ef = EfficientFrontier(
        pd.Series(inputs.expected_return, index=inputs.ids),
        pd.DataFrame(covariance, index=inputs.ids, columns=inputs.ids),
        weight_bounds=(0, mandate.max_candidate_share),
    )
    ef.efficient_risk(mandate.max_volatility)
    return np.array([ef.weights[i] for i in range(inputs.n)])


def mean_variance(sizes: tuple[int, ...]) -> list[tuple[str, str, str]]:
    rows = []
    for n in sizes:
        frame = synthetic_frame(n, seed=n, tickets=False)
        inputs = problem(frame, mean_variance_mandate())
        mandate = mean_variance_mandate(inputs)
        covariance = inputs.risk.covariance()
        repeats = 5 if n <= 500 else 3
        ours = best_of(repeats, lambda i=inputs, m=mandate: allocate(i, m))
        peer = best_of(repeats, lambda i=inputs, c=covariance, m=mandate: peer_solve(i, c, m))
        result = allocate(inputs, mandate)
        difference = abs(
            float(inputs.expected_return @ (result.weights - peer_solve(inputs, covariance, mandate)))
        )
        rows.append(
            (
                f"mean-variance n={n}: ours (Clarabel, factor form) vs PyPortfolioOpt efficient_risk",
                f"{ours:.3f} s vs {peer:.3f} s = {peer / ours:.1f}x",
                f"returns differ by {difference:.1e}",
            )
        )
        print(*rows[-1], sep=" | ", flush=True)
    return rows


def _frontier_row(label: str, inputs: AllocationInputs, mandate: Mandate) -> tuple[str, str, str]:
    limits = mandate_limits(mandate, inputs)
    cold = best_of(5, lambda: allocate(inputs, mandate))
    curve = best_of(3, lambda: frontier(inputs, mandate, limits, 25))
    row = (
        f"25-point frontier vs one cold solve, {label}",
        f"{curve:.3f} s vs {cold:.3f} s = {curve / cold:.1f}x",
        f"{len(frontier(inputs, mandate, limits, 25).points)} points",
    )
    print(*row, sep=" | ", flush=True)
    return row


def frontier_cost(n: int) -> list[tuple[str, str, str]]:
    frame = synthetic_frame(n, seed=n, tickets=False)
    inputs = problem(frame, mean_variance_mandate())
    mandate = mean_variance_mandate(inputs).model_copy(update={"objective": "max_impact"})
    bundled_mandate = load_mandate(None, REFERENCE)
    universe = load_candidates(None, REFERENCE)
    screen = run_screen(universe, bundled_mandate, REFERENCE, StabilitySettings(draws=200))
    bundled_inputs = allocation_inputs(
        universe.frame, screen, bundled_mandate, REFERENCE, factor_model(universe.frame, REFERENCE)
    )
    return [
        _frontier_row(f"n={n}, continuous (max_impact, volatility and share limits)", inputs, mandate),
        _frontier_row(
            "bundled mandate (18 eligible, minimum tickets, SCIP)", bundled_inputs, bundled_mandate
        ),
    ]


def minimum_tickets(sizes: tuple[int, ...]) -> list[tuple[str, str, str]]:
    rows = []
    options = SolveOptions(mip_gap=1e-3, time_limit_s=120)
    for objective, volatility in (("max_impact", 0.10), ("max_return", 0.055)):
        for n in sizes:
            frame = synthetic_frame(n, seed=1000 + n, tickets=True)
            document = {
                "target_gbp": TARGET,
                "places": PLACES,
                "objective": objective,
                "max_candidate_share": 0.15,
                "max_volatility": volatility,
                "min_expected_return": 0.05,
                "min_holdings": 8,
                "sector_caps": {"affordable_housing": 0.35, "sme_finance": 0.3, "clean_energy": 0.3},
            }
            mandate = Mandate.model_validate(document)
            inputs = problem(frame, mandate)
            results = []

            def solve(i=inputs, m=mandate, out=results) -> None:
                out.append(allocate(i, m, options))

            seconds = best_of(3, solve)
            result = results[-1]
            gap = result.report.gap if result.report and result.report.gap is not None else float("nan")
            rows.append(
                (
                    f"minimum tickets n={n} ({int((inputs.lower > 0).sum())} with a minimum), {objective}, "
                    f"max_volatility {volatility:.1%}, min_holdings 8, mip_gap 0.1%",
                    f"{seconds:.2f} s",
                    f"status {result.status}, gap {gap:.3%}, {result.metrics().get('holdings', 0)} holdings",
                )
            )
            print(*rows[-1], sep=" | ", flush=True)
    return rows


PEER_SCRIPT = """
import json, sys
import numpy as np, pandas as pd
from pypfopt import EfficientFrontier
candidates, covariance, out, volatility, share, target = sys.argv[1:7]
frame = pd.read_csv(candidates, index_col="id")
matrix = pd.read_csv(covariance, index_col=0).loc[frame.index, frame.index]
ef = EfficientFrontier(frame["expected_return"], matrix, weight_bounds=(0, float(share)))
ef.efficient_risk(float(volatility))
weights = pd.Series(ef.weights, index=frame.index)
amounts = (weights * float(target)).round()
document = {
    "status": "optimal",
    "target_gbp": float(target),
    "allocations": [
        {"id": i, "amount_gbp": float(a), "local_authority": frame.at[i, "local_authority"]}
        for i, a in amounts.items() if a > 0
    ],
    "portfolio": {
        "expected_return": float(frame["expected_return"] @ weights),
        "volatility": float(np.sqrt(weights @ matrix.to_numpy() @ weights)),
    },
}
with open(out, "w") as handle:
    json.dump(document, handle, indent=2)
"""


def whole_process(n: int, repeats: int = 5) -> list[tuple[str, str, str]]:
    frame = synthetic_frame(n, seed=n, tickets=False)
    inputs = problem(frame, mean_variance_mandate())
    mandate = mean_variance_mandate(inputs)
    covariance = inputs.risk.covariance()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "candidates.csv").write_bytes(frame.to_csv(index=False).encode())
        pd.DataFrame(covariance, index=inputs.ids, columns=inputs.ids).rename_axis("id").to_csv(
            tmp / "covariance.csv", float_format="%.17g"
        )
        (tmp / "mandate.toml").write_text(mandate.to_toml(), encoding="utf-8")
        (tmp / "peer.py").write_text(PEER_SCRIPT, encoding="utf-8")
        ours_command = [
            str(Path(sys.executable).parent / "impact-screen"),
            "allocate",
            "--candidates",
            str(tmp / "candidates.csv"),
            "--mandate",
            str(tmp / "mandate.toml"),
            "--covariance",
            str(tmp / "covariance.csv"),
            "--json",
            str(tmp / "ours.json"),
            "--frontier-points",
            "0",
            "--no-comparison",
        ]
        full_command = [*ours_command[:-3]]  # the default pipeline: frontier and comparison too
        peer_command = [
            sys.executable,
            str(tmp / "peer.py"),
            str(tmp / "candidates.csv"),
            str(tmp / "covariance.csv"),
            str(tmp / "peer.json"),
            str(mandate.max_volatility),
            str(mandate.max_candidate_share),
            str(TARGET),
        ]

        def run(command: list[str]) -> None:
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)

        run(ours_command)  # warm the file cache and byte-compiled modules for both
        run(peer_command)
        ours = median_of(repeats, lambda: run(ours_command))
        peer = median_of(repeats, lambda: run(peer_command))
        full = median_of(repeats, lambda: run(full_command))
        ours_return = json.loads((tmp / "ours.json").read_text())["portfolio"]["expected_return"]
        peer_return = json.loads((tmp / "peer.json").read_text())["portfolio"]["expected_return"]
        imports = median_of(repeats, lambda: run([sys.executable, "-c", "import impact_screen.cli"]))
    rows = [
        (
            f"whole process n={n}: `impact-screen allocate --covariance --frontier-points 0 --no-comparison` "
            "vs a PyPortfolioOpt script doing the same job",
            f"{ours:.2f} s vs {peer:.2f} s = {ours / peer:.2f}x (ours / peer)",
            f"returns {ours_return:.6f} vs {peer_return:.6f}; importing the CLI alone {imports:.2f} s; "
            f"the default command (25-point frontier, benchmarks, stress, projection) {full:.2f} s",
        )
    ]
    print(*rows[-1], sep=" | ", flush=True)
    return rows


def main() -> None:
    print(machine(), flush=True)
    rows = mean_variance((100, 500, 2000))
    rows += frontier_cost(500)
    rows += minimum_tickets((50, 100, 200))
    rows += whole_process(100)
    rows += whole_process(500)
    print()
    print("| work | time | notes |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
