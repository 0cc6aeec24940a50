"""The fiduciary test: what the allocation gives up against the UK benchmark, and whether the
committee's tolerance allows it (Law Commission 2014: no risk of significant financial detriment).

Sleeve figures compare the allocation with the same money in the UK benchmark:
- return given up (bp) = (UK benchmark return - allocation return) x 10,000 (negative = the
  allocation is expected to earn more);
- tracking error = volatility of (allocation - UK benchmark) in the joint risk model;
- extra volatility (bp) = (allocation volatility - UK benchmark volatility) x 10,000.
Whole-fund figures treat the rest of the fund as holding the UK benchmark, so the sleeve is
s = target / fund size of the fund: return given up and tracking error scale by s; the extra
volatility is that of (1 - s) x UK + s x allocation minus that of the UK benchmark.

Basis of the test (`basis = "sleeve"`): within tolerance when the local portfolio's return given up
is at most `tolerance_bp` (the committee's limit for what the local money may give up); the
whole-fund test is reported beside it (`within_tolerance_whole_fund`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portfolio.figures import PortfolioFigures
from portfolio.holdings import JointRisk
from screening.reading.mandate import Mandate
from screening.vocabulary import figure, label

BASIS = "sleeve"


def _r(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits) + 0.0


@dataclass(frozen=True)
class Fiduciary:
    """Return given up, tracking error and extra volatility, for the sleeve and the whole fund."""

    return_given_up_bp: float
    return_given_up_gbp: float  # a year, on the money invested
    tracking_error: float
    extra_volatility_bp: float
    sleeve_share: float | None  # target / fund size
    fund_return_given_up_bp: float | None
    fund_tracking_error: float | None
    fund_extra_volatility_bp: float | None
    tolerance_bp: float | None
    within_tolerance: bool | None
    within_tolerance_whole_fund: bool | None
    local_share_of_fund: float | None
    local_plan_share: float | None
    within_local_plan: bool | None
    local_plan_headroom_gbp: float | None
    city_weighted_return_given_up_bp: float | None  # against the city-weighted benchmark instead
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON form: sleeve figures at the top, then `whole_fund` and `local_plan`."""
        return {
            "basis": BASIS,
            "benchmark": "uk",
            "return_given_up_bp": _r(self.return_given_up_bp, 4),
            "return_given_up_gbp": _r(self.return_given_up_gbp, 2),
            "tracking_error": _r(self.tracking_error),
            "extra_volatility_bp": _r(self.extra_volatility_bp, 4),
            "tolerance_bp": self.tolerance_bp,
            "within_tolerance": self.within_tolerance,
            "within_tolerance_whole_fund": self.within_tolerance_whole_fund,
            "whole_fund": {
                "sleeve_share": _r(self.sleeve_share),
                "return_given_up_bp": _r(self.fund_return_given_up_bp, 4),
                "tracking_error": _r(self.fund_tracking_error, 8),
                "extra_volatility_bp": _r(self.fund_extra_volatility_bp, 4),
            },
            "local_plan": {
                "local_share_of_fund": _r(self.local_share_of_fund),
                "plan_share": self.local_plan_share,
                "within_plan": self.within_local_plan,
                "headroom_gbp": _r(self.local_plan_headroom_gbp, 2),
            },
            "city_weighted_return_given_up_bp": _r(self.city_weighted_return_given_up_bp, 4),
            "notes": self.notes,
        }


def fiduciary_panel(
    portfolio: PortfolioFigures,
    uk: PortfolioFigures,
    city_weighted: PortfolioFigures | None,
    joint: JointRisk,
    mandate: Mandate,
) -> Fiduciary:
    """The panel for the allocation against the UK benchmark under the mandate's tolerance and plan."""
    given_up = (uk.expected_return - portfolio.expected_return) * 1e4
    share = mandate.target_gbp / mandate.fund_size_gbp if mandate.fund_size_gbp else None
    tolerance = mandate.tolerance_bp
    fund_given_up = given_up * share if share is not None else None
    local_money = portfolio.impact.local_share * portfolio.holdings.total_gbp
    plan = mandate.local_plan_share
    fund = mandate.fund_size_gbp
    return Fiduciary(
        return_given_up_bp=given_up,
        return_given_up_gbp=given_up / 1e4 * mandate.target_gbp,
        tracking_error=portfolio.tracking_error,
        extra_volatility_bp=(portfolio.volatility - uk.volatility) * 1e4,
        sleeve_share=share,
        fund_return_given_up_bp=fund_given_up,
        fund_tracking_error=portfolio.tracking_error * share if share is not None else None,
        fund_extra_volatility_bp=_fund_extra_volatility(portfolio, uk, joint, share),
        tolerance_bp=tolerance,
        within_tolerance=None if tolerance is None else given_up <= tolerance,
        within_tolerance_whole_fund=None
        if tolerance is None or fund_given_up is None
        else fund_given_up <= tolerance,
        local_share_of_fund=local_money / fund if fund else None,
        local_plan_share=plan,
        within_local_plan=None if plan is None or not fund else local_money / fund <= plan,
        local_plan_headroom_gbp=plan * fund - local_money if plan is not None and fund else None,
        city_weighted_return_given_up_bp=None
        if city_weighted is None
        else (city_weighted.expected_return - portfolio.expected_return) * 1e4,
        notes=_notes(mandate),
    )


def _fund_extra_volatility(
    portfolio: PortfolioFigures, uk: PortfolioFigures, joint: JointRisk, share: float | None
) -> float | None:
    """Change in the whole fund's volatility when the sleeve moves from the UK benchmark to the allocation."""
    if share is None:
        return None
    w_uk, w_sleeve = joint.weights(uk.holdings), joint.weights(portfolio.holdings)
    after = joint.model.volatility((1 - share) * w_uk + share * w_sleeve)
    return (after - joint.model.volatility(w_uk)) * 1e4


def _notes(mandate: Mandate) -> list[str]:
    tolerance = f"'{label('tolerance_bp')}' (tolerance_bp)"
    notes = [
        "Whole-fund figures assume the rest of the fund holds the UK benchmark mix. "
        f"'{figure('within_tolerance').label}' compares the local portfolio's return given up with "
        f"{tolerance}; '{figure('within_tolerance_whole_fund').label}' compares the whole fund's."
    ]
    if mandate.fund_size_gbp is None:
        notes.append(
            f"The mandate gives no '{label('fund_size_gbp')}' (fund_size_gbp): whole-fund figures and the local plan are not shown."
        )
    if mandate.tolerance_bp is None:
        notes.append(f"The mandate gives no {tolerance}: the return given up is not judged against a limit.")
    return notes
