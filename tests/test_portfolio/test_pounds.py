"""Every limit on money holds on the pounds to the penny, and the total is the target exactly.

Caps written to the penny (a share whose pounds end in .99) are where rounding a solver's weights
up to whole pounds used to go over: £6,761,486 under a cap of £6,761,484.99.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio.allocate import allocate
from portfolio.inputs import allocation_inputs
from portfolio.run import risk_model
from screening import bundled_reference, load_candidates, load_mandate
from screening.screen import run_screen
from screening.stability import StabilitySettings

REFERENCE = bundled_reference()
UNIVERSE = load_candidates(None, REFERENCE)
MANDATE = load_mandate(None, REFERENCE)
RISK = risk_model(UNIVERSE, REFERENCE)
SCREEN = run_screen(UNIVERSE, MANDATE, REFERENCE, StabilitySettings(draws=200))


def _allocated(**update: object):
    mandate = MANDATE.model_copy(update=update)
    inputs = allocation_inputs(UNIVERSE.frame, SCREEN, mandate, REFERENCE, RISK)
    return allocate(inputs, mandate), mandate


def _over_in_pounds(amounts, mandate) -> dict[str, float]:
    """How far each money cap is exceeded, in pounds, worked out from the pounds and the mandate."""
    frame = UNIVERSE.frame.loc[amounts.index]
    target = mandate.target_gbp
    over = {"max_candidate_share": float(amounts.max() - mandate.max_candidate_share * target)}
    for sector, cap in mandate.sector_caps.items():
        over[f"sector_caps.{sector}"] = float(amounts[frame["sector"] == sector].sum() - cap * target)
    for asset_class, cap in mandate.asset_class_caps.items():
        spent = amounts[frame["asset_class"] == asset_class].sum()
        over[f"asset_class_caps.{asset_class}"] = float(spent - cap * target)
    return over


def test_the_issues_cap_of_6_761_484_99_is_not_exceeded_by_a_penny():
    result, mandate = _allocated(max_candidate_share=6_761_484.99 / 100_000_000)
    assert result.status == "optimal"
    amounts = result.amounts
    assert amounts.max() == 6_761_484  # whole pounds, at most the cap: never £6,761,485 or more
    assert int(amounts.sum()) == 100_000_000
    assert all(v <= 1e-6 for v in _over_in_pounds(amounts, mandate).values())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pennies=st.integers(min_value=1, max_value=99),
    pounds=st.integers(min_value=6_700_000, max_value=15_000_000),
    target=st.integers(min_value=90_000_000, max_value=110_000_000),
)
def test_caps_in_pounds_and_pence_hold_and_the_total_is_the_target(pennies, pounds, target):
    cap_gbp = pounds + pennies / 100
    result, mandate = _allocated(target_gbp=target, max_candidate_share=cap_gbp / target)
    assert result.feasible  # the bundled candidates can take the target under any of these caps
    amounts = result.amounts.to_numpy()
    assert np.all(amounts == np.floor(amounts)) and int(amounts.sum()) == target
    over = _over_in_pounds(result.amounts, mandate)
    assert all(v <= 1e-6 for v in over.values()), {k: v for k, v in over.items() if v > 1e-6}
    money = {k: v for k, v in result.violations.items() if not k.startswith(("max_vol", "min_"))}
    assert all(v * target <= 0.01 for v in money.values())
