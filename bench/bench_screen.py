"""Screening speed: scoring 100,000 synthetic candidates, reading and checking a 100,000-row file,
and rank stability (10,000 weight draws x 1,000 eligible candidates) against scipy's rankdata.

Run: .venv/bin/python bench/bench_screen.py   (not part of the test suite; results go in
docs/benchmarks.md with the machine they ran on)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from timing import best_of, cpu

from screening import InputFile, bundled_reference, load_candidates, load_mandate
from screening.reading import bundled
from screening.scoring import score
from screening.stability import StabilitySettings, draw_weights, rank_stability


def machine() -> str:
    """CPU model, cores and library versions, for the record in docs/benchmarks.md."""
    return f"{cpu()}, numpy {np.__version__}, pandas {pd.__version__}"


def synthetic_csv(rows: int, seed: int = 0) -> bytes:
    """`rows` candidates resampled from the bundled file with noisy figures and fresh ids."""
    base = pd.read_csv(bundled.bundled(bundled.CANDIDATES))
    rng = np.random.default_rng(seed)
    frame = base.sample(rows, replace=True, random_state=seed).reset_index(drop=True)
    frame["id"] = [f"S{i:06d}" for i in range(rows)]
    for column in ("expected_return", "volatility", "jobs_per_gbp_m", "co2_avoided_t_per_gbp_m"):
        frame[column] = (frame[column] * rng.uniform(0.8, 1.2, rows)).round(4)
    return frame.to_csv(index=False).encode()


def scipy_stability(pillars: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The straightforward library route: rank every draw with scipy, then take percentiles."""
    scores = draws @ pillars.T
    ranks = rankdata(-scores, axis=1, method="ordinal")
    return np.percentile(ranks, [5, 95], axis=0), (ranks <= 10).mean(axis=0)


def main() -> None:
    reference, mandate = bundled_reference(), load_mandate()
    content = synthetic_csv(100_000)
    load_time = best_of(3, lambda: load_candidates(InputFile("synthetic.csv", content), reference))
    frame = load_candidates(InputFile("synthetic.csv", content), reference).frame
    score_time = best_of(5, lambda: score(frame, mandate, reference))

    rng = np.random.default_rng(1)
    pillars = pd.DataFrame(rng.uniform(0, 100, (1_000, 3)), index=[f"c{i:04d}" for i in range(1_000)])
    weights = np.array([0.4, 0.3, 0.3])
    settings = StabilitySettings(draws=10_000)
    ours = best_of(5, lambda: rank_stability(pillars, weights, settings))
    draws = draw_weights(weights, 10_000, settings.concentration, np.random.default_rng(0))
    peer = best_of(3, lambda: scipy_stability(pillars.to_numpy(), draws))

    print(f"machine: {machine()}")
    print(f"read + check 100,000-row candidate CSV ({len(content) / 1e6:.1f} MB): {load_time:.2f} s")
    print(f"score 100,000 candidates: {score_time:.3f} s (target < 1 s)")
    print(f"rank stability, 10,000 draws x 1,000 candidates: {ours:.3f} s (target < 1 s)")
    print(
        f"  scipy.stats.rankdata + np.percentile, same work: {peer:.3f} s; ratio peer/ours = {peer / ours:.1f}x"
    )


if __name__ == "__main__":
    main()
