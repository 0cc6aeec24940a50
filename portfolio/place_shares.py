"""Each place's share of the city-weighted benchmark, worked out directly from the limits.

Shares follow the places' weights (population or GVA) wherever the mandate's limits allow. When
they do not, the shares rise together: every place gets the same fraction of its proportional
share, as high as the limits allow; a place that cannot go higher while the others keep theirs is
held back at that level, and the rest keep rising until the whole target is placed (progressive
filling, the lexicographic max-min of each place's share over its proportional share). A place
whose candidates the limits keep out entirely gets nothing, and the others share its part in
proportion to their weights.

Computed in steps. When the proportional shares can be met as a whole (the usual case), that is
the answer, from one solve. Otherwise, first each place's capacity: the most it can take within
the mandate's limits, one solve per place. Capped at those, the proportional shares are topped up by water
filling; when the result can be met as a whole it is the answer. Only when
places compete for a shared limit (two places whose candidates all sit under one asset-class
cap, say) does the progressive filling run, level by level. Every number is an optimal value or
a yes/no feasibility answer from solves in which only the places' money moves, never the
mandate's objective: the shares cannot depend on which limits a diagnosis happens to name, or on
which point of a tied optimum a solver returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cvxpy as cp
import numpy as np
import pandas as pd

from portfolio.constraints import Limit
from portfolio.inputs import AllocationInputs
from portfolio.problem import EXACT_GAP, Built, SolveOptions, build, solve, variant
from screening.errors import NotSearched
from screening.reading.mandate import Mandate

LEVEL_TOLERANCE = 1e-7  # relative slack on shares already settled, for the solver's precision
RISE = (
    1e-4  # a place that cannot rise this much (relative, £1,000 of a £10m share) above the level is held back
)


def _solved(built: Built, options: SolveOptions) -> bool:
    """True when `built` has a solution; NotSearched when the answer needed a search not made."""
    report = solve(built, options)
    if report.status == "not_searched":
        raise NotSearched
    return report.has_solution


@dataclass(frozen=True)
class PlaceShares:
    """Each place's share of the target, the most each could take on its own (both 0-1; the
    capacities are worked out only when some place cannot take its proportional share, else NaN),
    the places the limits hold below their proportional share, and any share left to the objective."""

    shares: pd.Series
    capacity: pd.Series
    held: list[str]
    left: float = 0.0  # placed where the mandate's objective puts it (yes/no holdings only)


def place_shares(
    inputs: AllocationInputs,
    mandate: Mandate,
    limits: list[Limit],
    where: np.ndarray,
    proportional: pd.Series,
    options: SolveOptions,
) -> PlaceShares | None:
    """The shares for the places in `proportional`'s index (`where` gives each candidate's place);
    None when no spread over these places meets the limits. NotSearched when an answer needs a
    search over yes/no choices and `options.search_choices` is False."""
    filling = _Filling(
        build(inputs, limits, mandate), where, proportional, replace(options, mip_gap=EXACT_GAP)
    )
    if filling.feasible(proportional):  # the usual case: no place is held back, nothing to work out
        return PlaceShares(proportional.copy(), pd.Series(np.nan, index=proportional.index), [])
    capacity = filling.capacity()
    if capacity.isna().all() or capacity.sum() < 1 - 1e-9:
        return None
    shares = water_filled(proportional, capacity.fillna(1.0))
    if filling.feasible(shares):
        return PlaceShares(shares, capacity, [p for p in shares.index if shares[p] < proportional[p] - 1e-12])
    return filling.progressive(capacity)


def water_filled(proportional: pd.Series, capacity: pd.Series) -> pd.Series:
    """Proportional shares capped at each place's capacity, the excess spread over the others in
    proportion, repeatedly, until nothing is over."""
    shares = pd.Series(0.0, index=proportional.index)
    capped: list[str] = []
    while True:
        free = [p for p in proportional.index if p not in capped]
        left = 1.0 - float(capacity[capped].sum())
        shares[free] = left * proportional[free] / float(proportional[free].sum())
        over = [p for p in free if shares[p] > capacity[p] + 1e-12]
        if not over:
            return shares
        capped += over
        shares[over] = capacity[over]


class _Filling:
    """Solves in which only the places' money matters, over two problems compiled once (DPP): the
    most one place can take with every place at or above its floor (the place and the floors are
    parameters), and the highest common level the free places can reach together."""

    def __init__(
        self, built: Built, where: np.ndarray, proportional: pd.Series, options: SolveOptions
    ) -> None:
        self.proportional, self.options = proportional, options
        places = list(proportional.index)
        members = np.array([(where == p).astype(float) for p in places])
        self.money = members @ built.variables.weights  # £ per place, as shares of the target
        self.floor = cp.Parameter(len(places), nonneg=True, name="floor")
        self.pick = cp.Parameter(len(places), nonneg=True, name="pick")
        self.rising = cp.Parameter(len(places), nonneg=True, name="rising")
        self.level = cp.Variable(nonneg=True, name="level")
        at_floor = [self.money >= self.floor]
        self.most = variant(built, cp.Maximize(self.pick @ self.money), at_floor)
        self.common = variant(
            built, cp.Maximize(self.level), [self.money >= self.floor + self.level * self.rising]
        )

    def capacity(self) -> pd.Series:
        """The most each place can take within the limits, the others free (NaN if a solve fails)."""
        none = pd.Series(0.0, index=self.proportional.index)
        return pd.Series({p: self._most(p, none) for p in self.proportional.index}, dtype=float)

    def feasible(self, shares: pd.Series) -> bool:
        """True when every place can have at least its share at once."""
        self.floor.value = self._floors(shares)
        self.pick.value = np.zeros(len(shares))
        return _solved(self.most, self.options)

    def progressive(self, capacity: pd.Series) -> PlaceShares | None:
        """The shares by progressive filling, level by level (None when no level can be met).

        With yes/no holdings every place may be able to rise on its own but not all together; then
        all are held at the level reached and the rest is left to the mandate's objective.
        """
        proportional = self.proportional
        settled = pd.Series(0.0, index=proportional.index)
        free = list(proportional.index)
        while free:
            self.floor.value = self._floors(settled)
            self.rising.value = proportional.where(proportional.index.isin(free), 0.0).to_numpy(dtype=float)
            if not _solved(self.common, self.options):
                return None
            top = float(self.level.value)
            full = (1.0 - float(settled.sum())) / float(proportional[free].sum())
            if top >= full * (1 - LEVEL_TOLERANCE):  # (levels are steps up from where the free places are)
                settled[free] += full * proportional[free]
                break
            money = pd.Series(self.money.value, index=proportional.index)
            at_top = settled.copy()
            at_top[free] += top * proportional[free]
            # a place above the level in the solution just found can rise; only the others are asked
            asked = [p for p in free if money[p] <= _risen(at_top[p])]
            held = [p for p in asked if not self._most(p, at_top) > _risen(at_top[p])]
            settled[free] = at_top[free]  # those held stay here; the others rise from here
            if not held:  # none can rise alone while all the others keep up: stop here
                break
            free = [p for p in free if p not in held]
        levels = settled / proportional
        held_back = list(levels.index[levels < levels.max() * (1 - 1e-6)])  # below the last level
        return PlaceShares(settled, capacity, held_back, max(0.0, 1.0 - float(settled.sum())))

    def _floors(self, shares: pd.Series) -> np.ndarray:
        return np.clip(shares.reindex(self.proportional.index).fillna(0.0).to_numpy(dtype=float), 0, None) * (
            1 - LEVEL_TOLERANCE
        )

    def _most(self, place: str, floors: pd.Series) -> float:
        """The most `place` can take with every place at or above `floors` (NaN if the solve fails)."""
        self.floor.value = self._floors(floors)
        self.pick.value = (self.proportional.index == place).astype(float)
        if not _solved(self.most, self.options):
            return math.nan
        return float(self.money.value[self.proportional.index.get_loc(place)])


def _risen(share: float) -> float:
    """A little above `share`: what a place must reach to count as able to rise."""
    return share * (1 + RISE) + 1e-9
