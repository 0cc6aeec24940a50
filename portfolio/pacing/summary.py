"""The commitment plan in plain sentences, for every shell (the CLI, the app, the paper, the workbook)."""

from __future__ import annotations

from portfolio.result import Pacing
from screening.vocabulary import joined, money, plain


def pacing_summary(pacing: Pacing, keys: bool = False) -> list[str]:
    """The plan's story: what to commit and when, what it puts to work, the cash it takes and
    whether the fund can pay pensions without selling assets; then, when the limits stop it,
    what would have to change (`keys`: each mandate key in brackets after its label, as the
    command line writes them)."""
    lines = [_headline(pacing), _cash(pacing)]
    lines += [_words(d.message, keys) + "." for d in pacing.diagnosis]
    lines += [_words(note, keys) + "." for note in pacing.notes]
    return [line for line in lines if line]


def _words(text: str, keys: bool) -> str:
    return text if keys else plain(text)


def _headline(pacing: Pacing) -> str:
    committed = [y for y in pacing.years if y.commitments_gbp >= 500]
    schedule = joined([f"{money(y.commitments_gbp)} in {y.year}" for y in committed[:4]])
    more = (
        f", then {money(sum(y.commitments_gbp for y in committed[4:]))} over {len(committed) - 4} more years"
        if len(committed) > 4
        else ""
    )
    goal = f"{money(pacing.target_gbp)} at work by the end of {pacing.target_year}, held to {pacing.end_year}"
    total = f"{money(pacing.total_commitments_gbp)} committed in all"
    if pacing.status == "optimal":
        return f"To have {goal}, commit {schedule}{more} ({total})."
    if pacing.status == "schedule":
        reached = (
            f"puts {money(pacing.target_gbp)} to work from {pacing.reached_year}"
            if pacing.reached_year is not None
            else f"does not put {money(pacing.target_gbp)} to work by {pacing.end_year}"
        )
        return f"The schedule ({schedule}{more}; {total}) {reached}."
    if pacing.status == "no_allocation":
        return "No commitment plan: no allocation meets the mandate, so there is no mix of asset classes to pace."
    return (
        f"The limits do not allow {goal}: the most they allow is "
        f"{money(pacing.value_at_target_year_gbp)} by the end of {pacing.target_year}, by committing "
        f"{schedule}{more} ({total})."
    )


def _cash(pacing: Pacing) -> str:
    if not pacing.years:
        return ""
    worst = min(pacing.years, key=lambda y: (y.net_cash_flow_gbp, y.year))
    line = (
        f"The programme takes at most {money(pacing.largest_net_cash_outflow_gbp)} of cash in one year "
        f"({worst.year}), calls less what it pays back"
        if pacing.largest_net_cash_outflow_gbp > 0
        else "The programme never takes more cash in a year than it pays back"
    )
    fund = pacing.fund_net_cash_flow_gbp
    if fund is None:
        return (
            line
            + "; set the fund's own cash flow to see whether pensions can be paid without selling assets."
        )
    if pacing.years_needing_sales:
        years = joined([str(y) for y in pacing.years_needing_sales])
        return (
            f"{line}. With the fund's own cash flow of {money(fund)} a year, assets would have to be sold "
            f"to pay pensions in {years}."
        )
    return f"{line}. With the fund's own cash flow of {money(fund)} a year, pensions can be paid without selling assets."
