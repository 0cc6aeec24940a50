"""How much a ranking depends on the exact pillar weights the committee chose.

Weights are drawn from a Dirichlet distribution centred on the chosen ones (a pillar weighted 0
stays 0), every draw re-ranks the candidates, and each candidate gets the 5th-95th percentile of
its rank and its chance of being in the top k. Fully vectorised: draws are processed in blocks
and ranks are tallied with one bincount per block, so memory stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BLOCK = 1_000
# Scores are compared on a grid of 2**-30 points: scores closer than that (float rounding of sums
# that are equal) count as tied and are ordered by id, here and in the screen's own ranks.
TIE_GRID = 2.0**30


@dataclass(frozen=True)
class StabilitySettings:
    """Number of draws, how tightly they cluster round the chosen weights, k, and the seed."""

    draws: int = 10_000
    concentration: float = 30.0
    top_k: int = 10
    seed: int = 0


def draw_weights(
    weights: np.ndarray, draws: int, concentration: float, rng: np.random.Generator
) -> np.ndarray:
    """`draws` x pillars weights summing to 1, centred on `weights` (zeros stay zero)."""
    centre = np.asarray(weights, dtype=float) / np.sum(weights)
    positive = centre > 0
    out = np.zeros((draws, centre.size))
    if positive.sum() == 1:
        out[:, positive] = 1.0
    else:
        out[:, positive] = rng.dirichlet(concentration * centre[positive], size=draws)
    return out


def _rank_counts(pillars: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """counts[i, r] = number of draws in which candidate i ranks r + 1 (ties: earlier row first)."""
    n = pillars.shape[0]
    counts = np.zeros(n * n, dtype=np.int64)
    offsets = np.arange(n, dtype=np.int64)[None, :] * n
    positions = np.arange(n, dtype=np.int64)
    for start in range(0, draws.shape[0], BLOCK):
        scores = draws[start : start + BLOCK] @ pillars.T  # block x n, rows contiguous for the sort
        # One integer key per score: higher score first, then earlier row (scores closer than
        # 2**-30 points count as tied); an integer quicksort is several times faster than a
        # stable float sort.
        keys = np.round(-scores * TIE_GRID).astype(np.int64) * n + positions
        order = np.argsort(keys, axis=1)
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.broadcast_to(positions, order.shape), axis=1)
        counts += np.bincount((offsets + ranks).ravel(), minlength=n * n)
    return counts.reshape(n, n)


def rank_stability(
    pillars: pd.DataFrame, weights: np.ndarray, settings: StabilitySettings = StabilitySettings()
) -> pd.DataFrame:
    """rank_low, rank_high (5th and 95th percentile ranks, 1 = best) and p_top_k per candidate.

    `pillars` holds the candidates to rank (rows) and one column per pillar, in the order of
    `weights`. Ties are broken by the row's id so the result does not depend on row order.
    """
    if pillars.empty:
        return pd.DataFrame(columns=["rank_low", "rank_high", "p_top_k"], dtype=float)
    ordered = pillars.sort_index()
    rng = np.random.default_rng(settings.seed)
    draws = draw_weights(weights, settings.draws, settings.concentration, rng)
    counts = _rank_counts(ordered.to_numpy(dtype=float), draws)
    cumulative = np.cumsum(counts, axis=1) / settings.draws
    low = np.argmax(cumulative >= 0.05 - 1e-12, axis=1) + 1
    high = np.argmax(cumulative >= 0.95 - 1e-12, axis=1) + 1
    k = min(settings.top_k, len(ordered))
    top = cumulative[:, k - 1]
    result = pd.DataFrame({"rank_low": low, "rank_high": high, "p_top_k": top}, index=ordered.index)
    return result.loc[pillars.index]
