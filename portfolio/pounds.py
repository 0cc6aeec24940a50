"""Whole pounds from a solver's weights: exactly the target, every holding within its tickets, and
no limit pushed over by the rounding.

Solver noise is removed first (weights below a pound's worth, or of candidates not held, are zero;
held ones are clipped into their tickets); each amount is rounded down to a whole pound, and the
pounds still to place (or to take back) are settled one at a time on the holdings whose exact
amount was cut most, never on one where the pound would take a limit (a sector or asset-class cap,
the largest share of one candidate, the volatility) further past it. So £14,999,999.6 from the solver shows as
£15,000,000, and a cap of £6,761,484.99 is never exceeded by a rounded £6,761,486.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from portfolio.constraints import HELD, Limit
from portfolio.inputs import AllocationInputs


def to_pounds(
    weights: np.ndarray,
    inputs: AllocationInputs,
    held: np.ndarray | None = None,
    limits: Sequence[Limit] = (),
) -> pd.Series:
    """Whole pounds adding up exactly to the target, each within its ticket bounds, and no further
    outside any of `limits` than the rounded-down pounds were."""
    target = inputs.target_gbp
    w = np.clip(np.nan_to_num(weights), 0.0, inputs.upper)
    if held is None:
        held = w > HELD
    w = np.where(held, np.clip(w, inputs.lower, inputs.upper), 0.0)
    exact = w * target
    pounds = np.floor(exact + 1e-9)
    caps = np.where(np.isfinite(inputs.upper), np.floor(inputs.upper * target + 1e-9), math.inf)
    floors = np.ceil(inputs.lower * target - 1e-9) * held
    remainder = round(target - pounds.sum())
    watched = [limit for limit in limits if limit.unit != "count"]  # a pound never changes a count
    settle = _Settle(inputs, watched, held, floors, caps)
    return pd.Series(settle(pounds, exact - pounds, remainder), index=inputs.ids, name="amount_gbp")


class _Settle:
    """Places the remainder: a pound at a time by largest cut first, then larger moves where
    clipping to tickets left more. A move is allowed only if it takes no limit further out; failing
    that, no cap on shares of the money (a volatility may then move by a pound's worth, 1e-9); and
    failing that too, the total still comes first."""

    def __init__(
        self,
        inputs: AllocationInputs,
        limits: list[Limit],
        held: np.ndarray,
        floors: np.ndarray,
        caps: np.ndarray,
    ) -> None:
        self.inputs, self.held, self.floors, self.caps = inputs, held, floors, caps
        self.tiers = [limits, [limit for limit in limits if limit.unit == "share"], []]

    def __call__(self, pounds: np.ndarray, cut: np.ndarray, remainder: int) -> np.ndarray:
        if remainder == 0:
            return pounds
        step = 1 if remainder > 0 else -1
        order = [i for i in np.argsort(-cut * step, kind="stable") if self.held[i]]
        for watched in self.tiers:
            for i in order:
                if (
                    remainder != 0
                    and self._room(pounds, i, step) >= 1
                    and self._fits(pounds, i, step, watched)
                ):
                    pounds[i] += step
                    remainder -= step
            for i in order:
                if remainder != 0:
                    most = int(min(abs(remainder), self._room(pounds, i, step)))
                    move = self._largest_move(pounds, i, step, most, watched)
                    pounds[i] += step * move
                    remainder -= step * move
        return pounds

    def _room(self, pounds: np.ndarray, i: int, step: int) -> float:
        return self.caps[i] - pounds[i] if step > 0 else pounds[i] - self.floors[i]

    def _fits(self, pounds: np.ndarray, i: int, move: int, watched: list[Limit]) -> bool:
        """True when moving `move` pounds on holding i takes none of `watched` further outside it."""
        if not watched:
            return True
        target = self.inputs.target_gbp
        after = pounds.copy()
        after[i] += move
        return all(
            limit.violation(self.inputs, after / target)
            <= limit.violation(self.inputs, pounds / target) + 1e-15
            for limit in watched
            if limit.involves(i)  # a limit on a group without holding i cannot move
        )

    def _largest_move(self, pounds: np.ndarray, i: int, step: int, most: int, watched: list[Limit]) -> int:
        """The largest whole move up to `most` that fits (halving until it does)."""
        move = most
        while move > 0 and not self._fits(pounds, i, step * move, watched):
            move //= 2
        return move
