"""The city-weighted benchmark's shares, worked out from the limits: capacities, water filling,
and progressive filling when places compete for one limit. Cases small enough to do by hand, and
the lowest level checked against an independent linear program (HiGHS through scipy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from portfolio.constraints import mandate_limits
from portfolio.inputs import AllocationInputs
from portfolio.place_shares import place_shares, water_filled
from portfolio.problem import SolveOptions
from portfolio.risk import RiskModel
from screening.reading.mandate import Mandate

PROPORTIONAL = pd.Series({"A": 0.5, "B": 0.3, "C": 0.2})
WHERE = np.array(["A", "A", "B", "B", "C", "C"])
CLASSES = np.array(
    ["property", "property", "property", "property", "private_debt", "private_debt"], dtype=object
)


def three_places(upper: list[float]) -> AllocationInputs:
    """Two candidates in each of places A, B and C; A's and B's are property, C's private debt."""
    ids = [f"{p}{i}" for p, i in zip(WHERE, [1, 2] * 3, strict=True)]
    risk = RiskModel(ids, np.tile([[0.03, 0.02]], (6, 1)), np.full(6, 0.05), "factor model")
    return AllocationInputs(
        ids=ids,
        target_gbp=1e8,
        lower=np.zeros(6),
        upper=np.asarray(upper, dtype=float),
        expected_return=np.full(6, 0.06),
        impact=np.full(6, 0.5),
        jobs_per_gbp_m=np.full(6, 5.0),
        sector=np.array(["regeneration"] * 6, dtype=object),
        asset_class=CLASSES,
        liquid=np.zeros(6, dtype=bool),
        risk=risk,
    )


def mandate(**fields: object) -> Mandate:
    return Mandate.model_validate({"target_gbp": 1e8, "places": ["E07000123"], **fields})


def shares_of(inputs: AllocationInputs, chosen: Mandate):
    return place_shares(inputs, chosen, mandate_limits(chosen, inputs), WHERE, PROPORTIONAL, SolveOptions())


def test_without_binding_limits_every_place_gets_its_proportional_share():
    result = shares_of(three_places([0.5] * 6), mandate())
    assert result is not None and result.held == [] and result.left == 0.0
    assert result.shares.to_numpy() == pytest.approx(PROPORTIONAL.to_numpy(), abs=1e-9)
    assert result.capacity.isna().all()  # nobody is held back: no capacity needs working out


def test_a_place_its_tickets_hold_back_gets_its_capacity_and_the_rest_is_spread_by_weight():
    """A can take 0.2 (two tickets of 0.1); B and C share the other 0.8 as 0.3 : 0.2."""
    result = shares_of(three_places([0.1, 0.1, 0.5, 0.5, 0.5, 0.5]), mandate())
    assert result is not None and result.held == ["A"]
    assert result.shares.to_numpy() == pytest.approx([0.2, 0.8 * 0.6, 0.8 * 0.4], abs=1e-7)
    assert result.capacity["A"] == pytest.approx(0.2, abs=1e-7)


def test_places_competing_for_one_cap_rise_together_and_the_others_take_the_rest():
    """A and B hold only property, capped at 40%: each alone could take 40%, but together they
    get the same fraction t of their shares with 0.5t + 0.3t = 0.4, so t = 0.5: A 25%, B 15%, C the
    remaining 60%. Water filling on the capacities alone (A 40%, B 36%) would break the cap."""
    result = shares_of(three_places([0.5] * 6), mandate(asset_class_caps={"property": 0.4}))
    assert result is not None
    assert result.capacity[["A", "B"]].to_numpy() == pytest.approx([0.4, 0.4], abs=1e-7)
    assert water_filled(PROPORTIONAL, result.capacity)[["A", "B"]].sum() > 0.4 + 1e-6
    assert result.shares.to_numpy() == pytest.approx([0.25, 0.15, 0.6], abs=1e-6)
    assert sorted(result.held) == ["A", "B"] and result.left == pytest.approx(0.0, abs=1e-9)
    assert _highest_common_level(0.4) == pytest.approx(min(result.shares / PROPORTIONAL), abs=1e-6)


def _highest_common_level(property_cap: float) -> float:
    """max t such that every place can have t x its proportional share at once: a plain LP over
    (w_1..w_6, t) with the tickets (0.5 each), sum(w) = 1 and the property cap."""
    members = np.array([p == WHERE for p in PROPORTIONAL.index], dtype=float)
    a_ub = np.vstack(
        [
            np.hstack([-members, PROPORTIONAL.to_numpy()[:, None]]),  # t * share - money <= 0
            np.append((CLASSES == "property").astype(float), 0.0),
        ]
    )
    b_ub = np.append(np.zeros(3), property_cap)
    result = linprog(
        np.append(np.zeros(6), -1.0),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=np.append(np.ones(6), 0.0)[None, :],
        b_eq=[1.0],
        bounds=[(0, 0.5)] * 6 + [(0, None)],
        method="highs",
    )
    assert result.status == 0
    return float(result.x[-1])


def test_no_spread_at_all_meets_the_limits_gives_none():
    """Property capped at 0 and private debt at 0: nothing can be placed anywhere."""
    chosen = mandate(asset_class_caps={"property": 0.0, "private_debt": 0.0})
    assert shares_of(three_places([0.5] * 6), chosen) is None


def test_water_filling_repeats_until_nothing_is_over():
    capacity = pd.Series({"A": 0.1, "B": 0.25, "C": 1.0})
    shares = water_filled(PROPORTIONAL, capacity)
    assert shares.to_dict() == pytest.approx({"A": 0.1, "B": 0.25, "C": 0.65})
