"""How much a ranking depends on the exact pillar weights the committee chose.

Weights are drawn from a Dirichlet distribution centred on the chosen ones (a pillar weighted 0
stays 0), every draw re-ranks the candidates, and each candidate gets the 5th-95th percentile of
its rank and its chance of being in the top k. Fully vectorised, in blocks of draws, and linear
in the candidates: every draw's ranks are kept (draws x candidates small integers) and the
percentiles read off them. So that memory and time stay bounded however many candidates there are,
at most `RANKED` candidate-draws are made: beyond 4,000 eligible candidates the draws are fewer
than asked (175,000 candidates get 228), and the screen says so (`draws_for`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BLOCK_SCORES = 4_000_000  # scores held at once in a block of draws (32 MB of floats)
RANKED = 40_000_000  # candidate-draws at most: 160 MB of ranks
LEAST_DRAWS = 100
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


def draws_for(asked: int, candidates: int) -> int:
    """The draws made for `candidates`: as asked, unless that passes RANKED candidate-draws."""
    if candidates <= 0:
        return asked
    return min(asked, max(LEAST_DRAWS, RANKED // candidates))


def _ranks(pillars: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """ranks[d, i] = the rank (0 = best) of candidate i in draw d (ties: earlier row first)."""
    n = pillars.shape[0]
    ranks = np.empty((draws.shape[0], n), dtype=np.int32)
    positions = np.arange(n, dtype=np.int64)
    block = max(1, BLOCK_SCORES // n)
    for start in range(0, draws.shape[0], block):
        scores = draws[start : start + block] @ pillars.T  # block x n, rows contiguous for the sort
        # One integer key per score: higher score first, then earlier row (scores closer than
        # 2**-30 points count as tied); an integer quicksort is several times faster than a
        # stable float sort.
        keys = np.round(-scores * TIE_GRID).astype(np.int64) * n + positions
        order = np.argsort(keys, axis=1)
        np.put_along_axis(ranks[start : start + block], order, positions.astype(np.int32)[None, :], axis=1)
    return ranks


def _order_statistic(ranks: np.ndarray, share: float) -> np.ndarray:
    """Per candidate, the smallest rank (1 = best) reached in at least `share` of the draws."""
    count = ranks.shape[0]
    m = max(1, int(np.ceil((share - 1e-12) * count)))
    return np.partition(ranks, m - 1, axis=0)[m - 1].astype(np.int64) + 1


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
    draws = draw_weights(weights, draws_for(settings.draws, len(ordered)), settings.concentration, rng)
    ranks = _ranks(ordered.to_numpy(dtype=float), draws)
    k = min(settings.top_k, len(ordered))
    result = pd.DataFrame(
        {
            "rank_low": _order_statistic(ranks, 0.05),
            "rank_high": _order_statistic(ranks, 0.95),
            "p_top_k": np.count_nonzero(ranks < k, axis=0) / draws.shape[0],
        },
        index=ordered.index,
    )
    return result.loc[pillars.index]
