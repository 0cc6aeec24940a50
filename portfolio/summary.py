"""The comparison in words: two or three sentences a councillor could read aloud. Every number is
taken from the comparison's own figures and written by the vocabulary's formatters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.stress import worst
from screening.vocabulary import joined, money, points, show

if TYPE_CHECKING:
    from portfolio.compare import Comparison


def plain_summary(
    comparison: Comparison, target_gbp: float, place_names: list[str], fund_size_gbp: float | None
) -> str:
    """Two or three sentences: return against the UK mix and the tolerance, impact, the worst stress."""
    return " ".join(
        s
        for s in (
            _return_sentence(comparison, target_gbp, joined(place_names), fund_size_gbp),
            _impact_sentence(comparison, joined(place_names)),
            _stress_sentence(comparison),
        )
        if s
    )


def _return_sentence(comparison: Comparison, target: float, places: str, fund_size: float | None) -> str:
    mine, uk, panel = comparison.portfolio, comparison.uk, comparison.fiduciary
    less = panel.return_given_up_bp >= 0
    sentence = (
        f"Investing {money(target)} in {places} is expected to earn {show('expected_return', mine.expected_return)} "
        f"a year, {points(abs(panel.return_given_up_bp))} (about {money(abs(panel.return_given_up_gbp))} a year) "
        f"{'less' if less else 'more'} than the same money in the UK benchmark, the fund's usual mix of "
        f"listed UK investments ({show('expected_return', uk.expected_return)})"
    )
    if panel.within_tolerance is not None and less:
        verdict = "within" if panel.within_tolerance else "more than"
        sentence += f", {verdict} the committee's limit of {points(panel.tolerance_bp or 0.0)}"
    if panel.fund_return_given_up_bp is not None and fund_size and less:
        sentence += (
            f"; across the whole {money(fund_size)} fund that is {points(panel.fund_return_given_up_bp)}"
        )
    return sentence + "."


def _impact_sentence(comparison: Comparison, places: str) -> str:
    impact = comparison.portfolio.impact
    jobs = ""
    if impact.jobs is not None:
        net = (
            f" ({show('jobs_net', impact.jobs_net)} after additionality)"
            if impact.jobs_net is not None
            else ""
        )
        jobs = f"support about {show('jobs', impact.jobs)} jobs{net} and "
    sentence = (
        f"It would {jobs}keep about {money(impact.local_spend_retained_gbp)} circulating in {places}, "
        f"against about {money(comparison.uk.impact.local_spend_retained_gbp)} for the UK benchmark"
    )
    if comparison.city_weighted is not None:
        sentence += (
            f" and {money(comparison.city_weighted.impact.local_spend_retained_gbp)} if the money were "
            f"spread across UK cities by {_weighting(comparison.city.weighting)}"
        )
    return sentence + "."


def _weighting(weighting: str) -> str:
    return "the size of their economies" if weighting == "gva" else "population"


def _stress_sentence(comparison: Comparison) -> str:
    found = worst(comparison.stress)
    if found is None:
        return ""
    loss, uk = found.losses["portfolio"] or 0.0, found.losses["uk"]
    if loss <= 0:
        return f"None of the {len(comparison.stress)} stress tests would make it lose money."
    against = f", against {money(uk)} for the UK benchmark" if uk is not None and uk > 0 else ""
    return (
        f"In the worst of {len(comparison.stress)} stress tests ({found.scenario.name}) it would lose "
        f"about {money(loss)}{against}."
    )
