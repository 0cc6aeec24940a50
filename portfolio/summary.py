"""The comparison in words: two or three sentences a councillor could read aloud, and a short
block for the command line. Every number is taken from the comparison's own figures."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from portfolio.stress import worst

if TYPE_CHECKING:
    from portfolio.compare import Comparison


def money(value: float) -> str:
    """£ for reading aloud: '£55.5m' from a million up, '£174,000' below, '£7bn' for billions."""
    size = abs(value)
    if size >= 1e9:
        return f"£{size / 1e9:.3g}bn"
    if size >= 1e6:
        return f"£{size / 1e6:,.1f}".removesuffix(".0") + "m"
    return f"£{round(size, -3):,.0f}"


def points(bp: float) -> str:
    """Basis points as percentage points in words: '0.5 percentage points', 'less than 0.01 ...'."""
    size = abs(bp) / 100
    if size >= 0.05:
        return f"{size:.1f} percentage points"
    if size >= 0.005:
        return f"{size:.2f} percentage points"
    return "less than 0.01 percentage points"


def joined(names: list[str]) -> str:
    """'Preston', 'Preston and South Ribble', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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
        f"Investing {money(target)} in {places} is expected to earn {mine.expected_return:.1%} a year, "
        f"{points(panel.return_given_up_bp)} (about {money(panel.return_given_up_gbp)} a year) "
        f"{'less' if less else 'more'} than the same money in the fund's usual mix of UK investments "
        f"({uk.expected_return:.1%})"
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
    jobs = f"support about {impact.jobs:,.0f} jobs and " if impact.jobs is not None else ""
    sentence = (
        f"It would {jobs}keep about {money(impact.local_spend_retained_gbp)} circulating in {places}, "
        f"against about {money(comparison.uk.impact.local_spend_retained_gbp)} for the UK mix"
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
    against = f", against {money(uk)} for the UK mix" if uk is not None and uk > 0 else ""
    return (
        f"In the worst of {len(comparison.stress)} stress tests ({found.scenario.name}) it would lose "
        f"about {money(loss)}{against}."
    )


def comparison_text(comparison: Comparison) -> str:
    """A short block for the command line: the three portfolios side by side, the test, the worst stress."""
    rows = [f"  {'':<22}{'return':>8}{'volatility':>12}{'jobs':>7}{'local spend':>13}{'local share':>13}"]
    names = {"portfolio": "this allocation", "uk": "UK mix (listed)", "city_weighted": "city-weighted"}
    for figures in comparison.figures.values():
        impact = figures.impact
        jobs = "-" if impact.jobs is None else f"{impact.jobs:,.0f}"
        rows.append(
            f"  {names[figures.key]:<22}{figures.expected_return:>8.2%}{figures.volatility:>12.2%}{jobs:>7}"
            f"{money(impact.local_spend_retained_gbp):>13}{impact.local_share:>13.1%}"
        )
    panel = comparison.fiduciary
    test = f"return given up against the UK mix: {panel.return_given_up_bp:.0f} bp a year"
    if panel.fund_return_given_up_bp is not None:
        test += f"; whole fund {panel.fund_return_given_up_bp:.2f} bp"
    if panel.within_tolerance is not None:
        test += (
            f", tolerance {panel.tolerance_bp:g} bp: {'within' if panel.within_tolerance else 'NOT within'}"
        )
    lines = [
        "",
        "Compared with the same money elsewhere (local spend: kept in the mandate's places):",
        *rows,
        test,
    ]
    found = worst(comparison.stress)
    if found is not None:
        losses = ", ".join(
            f"{names[k]} {money(v)}" if v >= 0 else f"{names[k]} gains {money(v)}"
            for k, v in found.losses.items()
            if v is not None
        )
        lines.append(f"worst stress ({found.scenario.name}): {losses}")
    return "\n".join([*lines, "", textwrap.fill(comparison.summary, width=100)])
