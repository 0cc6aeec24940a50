"""The comparison in words: two or three sentences a councillor could read aloud.

Every number is read from the run's `RunResult`, the same field the tables beside the sentences
show (the app's metrics, the paper's summary table, the CLI text), and written by the
vocabulary's one formatter for it. Written from the comparison's own unrounded figures instead,
a half rounded two ways: 218.50000000000003 jobs in the sentence (219) against the stored 218.5
in the table (218).
"""

from __future__ import annotations

from portfolio.result import RunResult
from screening.vocabulary import joined, money, points, show


def plain_summary(result: RunResult, fund_size_gbp: float | None) -> str:
    """Two or three sentences: return against the UK mix and the tolerance, impact, the worst
    stress; empty when the run has no comparison with the benchmarks."""
    if not result.compared:
        return ""
    places = joined(result.where())
    return " ".join(
        s
        for s in (
            _return_sentence(result, places, fund_size_gbp),
            _impact_sentence(result, places),
            _stress_sentence(result),
        )
        if s
    )


def _return_sentence(result: RunResult, places: str, fund_size: float | None) -> str:
    mine, panel = result.portfolio, result.fiduciary
    assert panel is not None and result.benchmarks is not None  # compared
    less = panel.return_given_up_bp >= 0
    sentence = (
        f"Investing {money(result.target_gbp)} in {places} is expected to earn "
        f"{show('expected_return', mine.expected_return)} a year, {points(abs(panel.return_given_up_bp))} "
        f"(about {money(abs(panel.return_given_up_gbp))} a year) {'less' if less else 'more'} than the "
        "same money in the UK benchmark, the fund's usual mix of listed UK investments "
        f"({show('expected_return', result.benchmarks.uk.expected_return)})"
    )
    if panel.within_tolerance is not None and less:
        verdict = "within" if panel.within_tolerance else "more than"
        sentence += f", {verdict} the committee's limit of {points(panel.tolerance_bp or 0.0)}"
    whole_fund = panel.whole_fund.return_given_up_bp
    if whole_fund is not None and fund_size and less:
        sentence += f"; across the whole {money(fund_size)} fund that is {points(whole_fund)}"
    return sentence + "."


def _impact_sentence(result: RunResult, places: str) -> str:
    mine = result.portfolio
    assert result.benchmarks is not None  # compared
    uk, city = result.benchmarks.uk, result.benchmarks.city_weighted
    jobs = ""
    if mine.jobs is not None:
        net = f" ({show('jobs_net', mine.jobs_net)} after additionality)" if mine.jobs_net is not None else ""
        jobs = f"support about {show('jobs', mine.jobs)} jobs{net} and "
    sentence = (
        f"It would {jobs}keep about {money(mine.local_spend_retained_gbp or 0.0)} circulating in {places}, "
        f"against about {money(uk.local_spend_retained_gbp or 0.0)} for the UK benchmark"
    )
    if city.local_spend_retained_gbp is not None:
        sentence += (
            f" and {money(city.local_spend_retained_gbp)} if the money were spread across UK cities by "
            f"{_weighting(city.weighting)}"
        )
    return sentence + "."


def _weighting(weighting: str) -> str:
    return "the size of their economies" if weighting == "gva" else "population"


def _stress_sentence(result: RunResult) -> str:
    found = result.worst_stress()
    if found is None:
        return ""
    count = len(result.stress or [])
    loss, uk = found.portfolio_loss_gbp or 0.0, found.uk_loss_gbp
    if loss <= 0:
        return f"None of the {count} stress tests would make it lose money."
    against = f", against {money(uk)} for the UK benchmark" if uk is not None and uk > 0 else ""
    return f"In the worst of {count} stress tests ({found.name}) it would lose about {money(loss)}{against}."
