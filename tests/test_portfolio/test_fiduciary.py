"""The fiduciary panel: return given up, tracking error and extra volatility for the sleeve and the
whole fund, the tolerance test on a whole-fund basis, and the local share against the 5% plan."""

from __future__ import annotations

import numpy as np
import pytest
from comparison_helpers import MANDATE, REFERENCE, UNIVERSE, default_run

from portfolio.fiduciary import fiduciary_panel
from portfolio.holdings import joint_risk


@pytest.fixture(scope="module")
def comparison():
    return default_run().comparison


def test_return_given_up_is_uk_minus_allocation_in_bp(comparison):
    panel = comparison.fiduciary
    expected = (comparison.uk.expected_return - comparison.portfolio.expected_return) * 1e4
    assert panel.return_given_up_bp == pytest.approx(expected, abs=1e-9)
    assert panel.return_given_up_gbp == pytest.approx(expected / 1e4 * 100e6)
    assert panel.extra_volatility_bp == pytest.approx(
        (comparison.portfolio.volatility - comparison.uk.volatility) * 1e4
    )


def test_whole_fund_figures_scale_by_the_sleeve_share(comparison):
    panel = comparison.fiduciary
    share = 100e6 / 7e9
    assert panel.sleeve_share == pytest.approx(share)
    assert panel.fund_return_given_up_bp == pytest.approx(panel.return_given_up_bp * share)
    assert panel.fund_tracking_error == pytest.approx(panel.tracking_error * share)


def test_whole_fund_extra_volatility_by_hand(comparison):
    joint = joint_risk(UNIVERSE.frame, REFERENCE, list(comparison.mix.index), 1e8, "factor model")
    covariance = joint.model.covariance()
    w_uk, w_mine = joint.weights(comparison.uk.holdings), joint.weights(comparison.portfolio.holdings)
    share = 1 / 70
    blended = (1 - share) * w_uk + share * w_mine
    by_hand = (np.sqrt(blended @ covariance @ blended) - np.sqrt(w_uk @ covariance @ w_uk)) * 1e4
    assert comparison.fiduciary.fund_extra_volatility_bp == pytest.approx(by_hand, abs=1e-9)
    assert comparison.fiduciary.tracking_error == pytest.approx(
        np.sqrt((w_mine - w_uk) @ covariance @ (w_mine - w_uk)), abs=1e-12
    )


def test_tolerance_is_judged_on_the_whole_fund(comparison):
    panel = comparison.fiduciary
    assert panel.tolerance_bp == 150
    assert panel.within_tolerance is (panel.return_given_up_bp <= 150)
    assert panel.within_tolerance_whole_fund is (panel.fund_return_given_up_bp <= 150)
    assert panel.as_dict()["basis"] == "sleeve"


def test_a_tight_tolerance_fails_the_whole_fund_test(comparison):
    panel = fiduciary_panel(
        comparison.portfolio,
        comparison.uk,
        comparison.city_weighted,
        _joint(comparison),
        MANDATE.model_copy(update={"tolerance_bp": 0.1}),
    )
    assert panel.fund_return_given_up_bp > 0.1
    assert panel.within_tolerance is False and panel.within_tolerance_whole_fund is False


def test_local_share_of_the_fund_against_the_five_percent_plan(comparison):
    plan = comparison.fiduciary.as_dict()["local_plan"]
    assert plan["local_share_of_fund"] == pytest.approx(100e6 / 7e9, abs=1e-6)
    assert plan["plan_share"] == 0.05
    assert plan["within_plan"] is True
    assert plan["headroom_gbp"] == pytest.approx(0.05 * 7e9 - 100e6)


def test_without_fund_size_or_tolerance_the_whole_fund_figures_are_not_invented(comparison):
    mandate = MANDATE.model_copy(update={"fund_size_gbp": None, "tolerance_bp": None})
    panel = fiduciary_panel(comparison.portfolio, comparison.uk, None, _joint(comparison), mandate)
    assert panel.fund_return_given_up_bp is None and panel.fund_tracking_error is None
    assert panel.within_tolerance is None and panel.local_share_of_fund is None
    assert panel.city_weighted_return_given_up_bp is None
    assert any("fund_size_gbp" in note for note in panel.notes)


def _joint(comparison):
    return joint_risk(UNIVERSE.frame, REFERENCE, list(comparison.mix.index), 1e8, "factor model")
