"""One vocabulary: every figure and mandate key a person reads, with one label, one unit, one sign
convention, one formatter and one line of plain explanation, defined here once.

Every renderer (the CLI's text, the app, the committee paper, the workbook, the run comparison)
and the diagnosis and binding messages take their words from here, so "return given up" reads the
same on every page. People read labels; the mandate key appears only in the CLI's messages, in
brackets after its label (`named`), and `plain` takes the brackets out again for the app and paper.

Standard library only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# ---------------------------------------------------------------------------------------------
# Formatters, one per unit


def money(value: float) -> str:
    """£ for reading: '£55.5m' from a million up, '£174,000' below, '£7bn' for billions."""
    size, sign = abs(value), "-" if value < 0 else ""
    if size >= 1e9:
        return f"{sign}£{size / 1e9:.3g}bn"
    if size >= 1e6:
        return f"{sign}£{size / 1e6:,.1f}".removesuffix(".0") + "m"
    return f"{sign}£{round(size, -3):,.0f}"


def pounds(value: float) -> str:
    """£ to the penny when there are pence, else whole pounds: '£6,761,484.99', '£15,000,000'."""
    if round(value, 2) == round(value):
        return f"£{value:,.0f}"
    return f"£{value:,.2f}"


def rate(value: float) -> str:
    """A yearly rate: '6.04%'."""
    return f"{value:.2%}"


def share(value: float) -> str:
    """A share of a whole: '15.0%'."""
    return f"{value:.1%}"


def points(bp: float) -> str:
    """Basis points as percentage points, sign kept: '0.49 percentage points', '-0.12 percentage points'."""
    value = bp / 100
    return f"{value:.2f} percentage points" if abs(value) >= 0.005 else "less than 0.01 percentage points"


def _nearest(value: float) -> int:
    """The nearest whole number, a half rounded away from zero (218.5 jobs read 219, as a person
    rounds, not 218 as Python's half-to-even does), after rounding to 6 decimals as the result
    stores figures, so float noise (218.49999999999997) cannot round a half the other way."""
    return int(Decimal(repr(round(value, 6))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def whole(value: float) -> str:
    """A count of things (jobs, homes, holdings): '870'."""
    return f"{_nearest(value):,d}"


def score(value: float) -> str:
    """A score out of 100: '42.0'."""
    return f"{value:.1f}"


def tonnes(value: float) -> str:
    """Tonnes of CO2e: '9,865 tonnes'."""
    return f"{_nearest(value):,d} tonnes"


def probability(value: float) -> str:
    """A chance: '5.3%'."""
    return f"{value:.1%}"


def joined(names: list[str]) -> str:
    """'Preston', 'Preston and South Ribble', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def pence(value: float) -> str:
    """A share of each pound, in pence: '63p'."""
    return f"{value * 100:.0f}p"


def years(value: float) -> str:
    return f"{value:g} years"


FORMATTERS: dict[str, Callable[[float], str]] = {
    "money": money,
    "money_a_year": lambda v: f"{money(v)} a year",
    "pounds": pounds,
    "rate": rate,
    "share": share,
    "points": points,
    "count": whole,
    "jobs": whole,
    "homes": whole,
    "score": score,
    "tonnes": tonnes,
    "probability": probability,
    "years": years,
    "pence": pence,
    "per_gbp_m": lambda v: f"{v:,.1f}",
    "times": lambda v: f"{v:,.1f} times",
    "text": str,
}

# the Excel number format of each unit, so the workbook holds numbers, not text
EXCEL_FORMATS: dict[str, str] = {
    "money": '"£"#,##0',
    "money_a_year": '"£"#,##0',
    "pounds": '"£"#,##0.00',
    "rate": "0.00%",
    "share": "0.0%",
    "points": "0.00",
    "count": "#,##0",
    "jobs": "#,##0",
    "homes": "#,##0",
    "score": "0.0",
    "tonnes": "#,##0",
    "probability": "0.0%",
    "years": "0.0",
    "pence": "0%",
    "per_gbp_m": "#,##0.0",
    "times": '0.0"×"',
    "text": "@",
}


@dataclass(frozen=True)
class Term:
    """One figure or mandate key as a person reads it."""

    label: str
    unit: str  # a key of FORMATTERS
    explain: str
    sign: str = ""  # what a positive value means, where it matters

    def format(self, value: float | None) -> str:
        """The value in this term's unit; '-' when unknown."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "-"
        if self.unit == "text":
            return str(value)
        return FORMATTERS[self.unit](float(value))

    @property
    def excel_format(self) -> str:
        return EXCEL_FORMATS[self.unit]

    def cell(self, value: float | None) -> float | None:
        """The number a spreadsheet cell holds, in the unit its heading names: percentage points
        for a figure kept in basis points, the value itself otherwise."""
        if value is None:
            return None
        return float(value) / 100 if self.unit == "points" else value

    @property
    def heading(self) -> str:
        """The label with its unit, for a table column holding raw numbers."""
        suffix = {
            "points": " (percentage points)",
            "money": " (£)",
            "pounds": " (£)",
            "money_a_year": " (£ a year)",
            "years": " (years)",
        }
        return self.label + suffix.get(self.unit, "")


# ---------------------------------------------------------------------------------------------
# The figures of a run

FIGURES: dict[str, Term] = {
    "expected_return": Term("Expected return", "rate", "A year, before fees: an assumption, not a forecast."),
    "volatility": Term(
        "Volatility", "rate", "How far the value may swing in a typical year (one standard deviation)."
    ),
    "tracking_error": Term(
        "Tracking error against the UK benchmark",
        "rate",
        "How far the year's return may differ from the UK benchmark's (one standard deviation).",
    ),
    "impact_score": Term(
        "Impact score", "score", "Out of 100: the money-weighted local impact of the holdings."
    ),
    "holdings": Term("Holdings", "count", "How many candidates receive money."),
    "total_gbp": Term("Money placed", "money", "The total the portfolio invests."),
    "jobs": Term(
        "Jobs supported (gross)", "jobs", "Jobs the investments report supporting, before additionality."
    ),
    "jobs_net": Term(
        "Jobs supported (net)",
        "jobs",
        "Jobs after additionality: only those that would not have existed without this money.",
    ),
    "jobs_in_places": Term(
        "Jobs in the chosen places (gross)", "jobs", "Gross jobs located in the mandate's places."
    ),
    "local_spend_retained_gbp": Term(
        "Money kept circulating locally",
        "money",
        "Of the money invested, the part the investments spend with suppliers in the chosen places: "
        "a one-off sum as the money is spent, not a yearly flow.",
    ),
    "local_spend_retained_all_places_gbp": Term(
        "Money kept local wherever it lands", "money", "Local spending in whichever place each investment is."
    ),
    "affordable_homes": Term("Affordable homes (gross)", "homes", "Homes the investments report building."),
    "affordable_homes_net": Term("Affordable homes (net)", "homes", "Homes after additionality."),
    "co2_avoided_t": Term("Carbon avoided a year (gross)", "tonnes", "Tonnes of CO2e avoided each year."),
    "co2_avoided_t_net": Term("Carbon avoided a year (net)", "tonnes", "Tonnes of CO2e after additionality."),
    "deprived_share": Term(
        "Share in the most deprived areas", "share", "Money in places in the most deprived three tenths."
    ),
    "social_value_gbp": Term(
        "Social value a year (net)", "money", "Jobs and carbon valued at published £ proxies."
    ),
    "local_share": Term(
        "Share landing in the chosen places", "share", "Money whose activity is in the places."
    ),
    "return_given_up_bp": Term(
        "Return given up against the UK benchmark",
        "points",
        "The expected return the UK benchmark earns above this allocation, a year.",
        "positive: this allocation earns less than the UK benchmark; negative: it earns more",
    ),
    "return_given_up_gbp": Term(
        "Return given up a year",
        "money_a_year",
        "The return given up in pounds on the money invested.",
        "positive: less than the UK benchmark",
    ),
    "extra_volatility_bp": Term(
        "Volatility added against the UK benchmark",
        "points",
        "This allocation's volatility less the UK benchmark's.",
        "negative: less volatile than the UK benchmark",
    ),
    "tolerance_bp": Term(
        "Most return the committee will give up",
        "points",
        "The committee's limit on the return given up against the UK benchmark.",
    ),
    "city_weighted_return_given_up_bp": Term(
        "Return given up against the city-weighted benchmark",
        "points",
        "The city-weighted benchmark's expected return above this allocation's, a year.",
        "positive: this allocation earns less",
    ),
    "fund_return_given_up_bp": Term(
        "Return given up across the whole fund",
        "points",
        "The return given up as a share of the whole fund, if the rest holds the UK benchmark mix.",
    ),
    "loss_gbp": Term(
        "Loss in the stress test", "money", "What the portfolio would lose at once.", "negative: a gain"
    ),
    "probability_of_loss": Term(
        "Chance of being worth less after ten years", "probability", "From 5,000 simulated paths."
    ),
    "probability_below_uk": Term(
        "Chance of ending below the UK benchmark", "probability", "From the same simulated paths."
    ),
    "amount_gbp": Term("Amount", "pounds", "Money placed in this holding."),
    # the city-weighted benchmark's places
    "place": Term("Place", "text", "A local authority district."),
    "population": Term("Population", "count", "People living in the place (the places table's census year)."),
    "gva_gbp_m": Term("Economic output (GVA, £m)", "count", "Gross value added of the place, in £ millions."),
    "proportional_share": Term(
        "Share by weight", "share", "The share of the money the place would get in proportion to its weight."
    ),
    "target_share": Term("Share placed", "share", "The share the place gets within the mandate's limits."),
    "place_amount_gbp": Term("Amount", "money", "The money the benchmark places there."),
    # the local-retention rates the Overview opens with (data/local_retention.csv)
    "retention_local_sme": Term(
        "Kept in the community from each £1 spent with a local small firm",
        "pence",
        "Of each pound of public spending with a local small firm, what stays in the local economy.",
    ),
    "retention_large": Term(
        "Kept from each £1 spent with a large or multinational company",
        "pence",
        "Of each pound spent with a large or multinational company, what stays in the local economy.",
    ),
    "share": Term("Share of the target", "share", "The holding's share of the money."),
    "local_capacity_gbp": Term(
        "What the local candidates could take",
        "money",
        "The sum of the eligible local candidates' largest tickets.",
    ),
    # what the comparison of two runs (impact_screen.runs_compare) names besides the figures above
    "status": Term(
        "Solver status", "text", "optimal: an allocation meets the mandate; infeasible: none can."
    ),
    "summary": Term("Summary", "text", "The run in one paragraph for the committee."),
    "within_tolerance": Term(
        "Within the committee's limit", "text", "Whether the return given up is within the committee's limit."
    ),
    "within_tolerance_whole_fund": Term(
        "Within the committee's limit across the whole fund",
        "text",
        "The same test on the return given up across the whole fund.",
    ),
    "sleeve_share": Term(
        "Share of the whole fund invested locally", "share", "The target over the fund size."
    ),
    "fund_tracking_error": Term(
        "Tracking error across the whole fund",
        "rate",
        "The tracking error as a share of the whole fund, if the rest holds the UK benchmark mix.",
    ),
    "fund_extra_volatility_bp": Term(
        "Volatility added across the whole fund",
        "points",
        "The volatility added as a share of the whole fund, if the rest holds the UK benchmark mix.",
    ),
    "local_share_of_fund": Term(
        "Local investment as a share of the fund", "share", "The money invested locally over the fund size."
    ),
    "within_plan": Term(
        "Within the local investment target",
        "text",
        "Whether the local share of the fund is within the target.",
    ),
    "headroom_gbp": Term(
        "Room left under the local investment target", "money", "How much more the target would allow."
    ),
    "by_place": Term("Money in each place", "money", "The money placed with candidates in one place."),
    "by_sector": Term("Money in each sector", "money", "The money placed with candidates in one sector."),
    "social_value_by_metric": Term(
        "Social value a year from each measure", "money", "One measure's part of the social value."
    ),
    "projected_value": Term(
        "Value at the end of the projection",
        "money",
        "One percentile of the simulated value in the projection's last year.",
    ),
    "projection_year": Term("Last year of the projection", "text", "The year the projection ends."),
    "projection_paths": Term("Simulated paths", "count", "How many paths the projection simulates."),
    "projection_seed": Term("Seed of the simulation", "count", "The random seed the paths are drawn from."),
    "projection_start_gbp": Term("Value at the start of the projection", "money", "The money invested."),
    "projection_method": Term("How the paths are simulated", "text", "The projection's method."),
    "fiduciary_basis": Term(
        "Basis of the fiduciary test", "text", "What the return given up is measured on."
    ),
    "fiduciary_benchmark": Term(
        "Benchmark of the fiduciary test", "text", "What the allocation is tested against."
    ),
    "benchmark_label": Term("Name", "text", "What the benchmark is called."),
    "benchmark_status": Term("Solver status", "text", "Whether the benchmark could be built."),
    # the commitment plan (portfolio.pacing): one entry a year
    "year": Term("Year", "text", "The calendar year; values are at the year's end."),
    "commitments_gbp": Term(
        "Committed", "money", "New commitments made that year: promised, not yet paid over."
    ),
    "calls_gbp": Term("Called", "money", "Money the managers draw from the fund that year."),
    "distributions_gbp": Term(
        "Paid back", "money", "Income and proceeds the investments pay the fund that year."
    ),
    "nav_gbp": Term("Value at work", "money", "The value of what is invested, at the year's end."),
    "net_cash_flow_gbp": Term(
        "Cash from the programme",
        "money",
        "Paid back less called, that year.",
        "negative: the programme takes cash from the fund",
    ),
    "fund_net_cash_flow_gbp": Term(
        "Fund's net cash flow",
        "money",
        "The fund's own net cash flow plus the programme's, that year.",
        "negative: pensions cannot be paid from income alone, so assets must be sold",
    ),
    "pacing_target_gbp": Term("Money to have at work", "money", "The value the plan must reach and hold."),
    "target_year": Term("By the end of", "text", "The year by which the money must be at work."),
    "reached_year": Term(
        "At work from", "text", "The first year from whose end the value stays at the target."
    ),
    "value_at_target_year_gbp": Term(
        "Value at work in the target year", "money", "The value at work at the end of the target year."
    ),
    "shortfall_gbp": Term(
        "Short of the target", "money", "The target less the value at work in the target year."
    ),
    "total_commitments_gbp": Term("Committed in all", "money", "Every year's commitments added up."),
    "largest_net_cash_outflow_gbp": Term(
        "Most cash taken in one year", "money", "The largest yearly excess of calls over what is paid back."
    ),
    "years_needing_sales": Term(
        "Years when assets must be sold",
        "text",
        "Years when the fund's cash flow after the programme is below zero.",
    ),
    "asset_class": Term("Asset class", "text", "The kind of investment."),
    "call_rates": Term(
        "Drawn a year (of the uncalled)",
        "text",
        "In the first year, the second year and each year after, of what is still uncalled.",
    ),
    "distribution_yield": Term("Least paid back a year", "share", "Of the value, as income."),
    "growth": Term("Growth a year", "rate", "Of the value: the asset class's expected return."),
    "fund_life_years": Term(
        "Fund life", "years", "Years until the fund is wound up and its value paid back."
    ),
    "bow": Term("Bow", "score", "How late the value is paid back: higher means later."),
    # the local investment report (portfolio.local_investment): the 2026 rules
    "local_counted_gbp": Term(
        "Counted as local investment",
        "money",
        "The money in holdings that count as local investment: in the chosen places, in an asset "
        "class the mandate counts.",
    ),
    "fund_size_gbp": Term("Fund size", "money", "The whole pension fund."),
    "local_fund_share": Term(
        "Share of the whole fund", "rate", "The money counted as local investment over the fund size."
    ),
    "local_target_min_share": Term(
        "Lowest of the target range", "rate", "The least of the fund the committee aims to hold locally."
    ),
    "local_target_max_share": Term(
        "Highest of the target range", "rate", "The most of the fund the committee will hold locally."
    ),
    "within_range": Term(
        "Within the target range",
        "text",
        "Comply or explain: within the range complies; outside it, the committee explains why.",
    ),
    "local_jobs_per_gbp_m": Term(
        "Jobs supported per £1m (gross)", "per_gbp_m", "Gross jobs over the money, in £ millions."
    ),
    "homes": Term("Homes (all kinds)", "homes", "Every home funded, affordable or not."),
    "local_homes_per_gbp_m": Term(
        "Homes per £1m",
        "per_gbp_m",
        "Homes over the money, in £ millions: this allocation's are its affordable homes only.",
    ),
    "affordable_share_of_homes": Term(
        "Affordable share of the homes", "share", "Affordable homes over all the homes funded."
    ),
    "renewable_capacity_mw": Term(
        "Renewable capacity (MW)", "count", "Generating capacity the renewable energy holdings add."
    ),
    "sme_holdings": Term(
        "Holdings in SME finance (holdings, not firms)",
        "count",
        "How many holdings lend to small firms: each may finance many firms.",
    ),
    "sme_finance_gbp": Term(
        "Money in SME finance", "money", "The money in holdings that lend to small firms."
    ),
    "district": Term("District", "text", "A local authority district."),
    "county": Term("County", "text", "The county the district is in (none for most unitary councils)."),
    "combined_authority": Term(
        "Combined authority", "text", "The combined or combined county authority the district is in."
    ),
    "group": Term("Group", "text", "A county or combined authority."),
    "group_kind": Term("Kind", "text", "County or combined authority."),
    "share_of_counted": Term(
        "Share of the money counted", "share", "Of the money counted as local investment."
    ),
    "candidate_id": Term("Id", "text", "The candidate's id in the candidate file."),
    "candidate_name": Term("Name", "text", "The candidate's name."),
    "not_counted_reason": Term("Why it is not counted", "text", "The rule that leaves the money out."),
    "claim": Term("Claim", "text", "Which figure the candidate claims."),
    "claimed_per_gbp_m": Term("Claimed per £1m", "per_gbp_m", "The candidate's own figure per £1m."),
    "peer_per_gbp_m": Term("The peer's per £1m", "per_gbp_m", "The published peer's figure per £1m."),
    "times_peer": Term("Times the peer's", "times", "The claim over the peer's figure."),
}

PORTFOLIOS: dict[str, str] = {
    "portfolio": "This allocation",
    "uk": "UK benchmark",
    "city_weighted": "City-weighted benchmark",
}


def figure(key: str) -> Term:
    """The term of a run figure (KeyError for a key nobody defined: add it above)."""
    return FIGURES[key]


def show(key: str, value: float | None) -> str:
    """A run figure formatted in its one way."""
    return FIGURES[key].format(value)


# ---------------------------------------------------------------------------------------------
# The mandate's keys, as the app's form names them

MANDATE: dict[str, Term] = {
    "name": Term(
        "Scenario name", "text", "What the committee calls this scenario: the committee paper's title."
    ),
    "target_gbp": Term("Target", "money", "The money to invest locally."),
    "fund_size_gbp": Term("Fund size", "money", "The whole pension fund, for whole-fund figures."),
    "places": Term("Places", "text", "The districts whose candidates may receive money."),
    "place_groups": Term(
        "Places written as groups",
        "text",
        "The groups (combined authority, county, region, nation, footprint) the places were written as.",
    ),
    "objective": Term("Aim", "text", "What the allocation makes as large (or as small) as it can."),
    "max_volatility": Term(
        "Highest portfolio volatility", "rate", "The portfolio's volatility may not exceed it."
    ),
    "min_expected_return": Term(
        "Lowest expected return", "rate", "The portfolio must expect at least this a year."
    ),
    "max_candidate_share": Term("Largest share in one candidate", "share", "No one holding may exceed it."),
    "excluded_sectors": Term("Sectors excluded", "text", "Candidates in these sectors are not eligible."),
    "min_candidate_return": Term(
        "Lowest return of a candidate", "rate", "Candidates expecting less are not eligible."
    ),
    "max_candidate_volatility": Term(
        "Highest volatility of a candidate", "rate", "More volatile candidates are not eligible."
    ),
    "min_evidence_quality": Term("Lowest evidence quality", "count", "From 1 (anecdote) to 5 (audited)."),
    "max_lockup_years": Term(
        "Longest lock-up", "years", "Candidates that lock money up longer are not eligible."
    ),
    "min_impact_score": Term("Lowest impact score", "score", "The portfolio's impact score must reach it."),
    "max_illiquid_share": Term(
        "Largest share in illiquid holdings", "share", "Money that cannot be sold quickly."
    ),
    "min_holdings": Term("Fewest holdings", "count", "The money must be spread over at least this many."),
    "impact_weight": Term(
        "Weight on impact", "score", "For the blended aim: return traded per point of impact."
    ),
    "risk_aversion": Term(
        "Risk aversion", "score", "For the blended aim: return traded per unit of variance."
    ),
    "tolerance_bp": FIGURES["tolerance_bp"],
    "local_plan_share": Term(
        "Local investment target", "share", "The fund's local investment target, as a share of the fund."
    ),
    "benchmark_weighting": Term(
        "City-weighted benchmark spreads the money by",
        "text",
        "Population, or the size of each economy (GVA).",
    ),
    "pacing.start_year": Term("First year of commitments", "text", "The commitment plan starts in it."),
    "pacing.target_year": Term(
        "Year the money must be at work", "text", "By the end of this year the target is invested."
    ),
    "pacing.hold_years": Term(
        "Years held after it", "count", "How long after the target year the plan keeps it at work."
    ),
    "pacing.target_gbp": Term(
        "Money to have at work", "money", "The value the plan must reach (else the mandate's target)."
    ),
    "pacing.target_share": Term(
        "Share of the fund to have at work", "share", "The value the plan must reach, of the fund."
    ),
    "pacing.max_yearly_commitment_gbp": Term(
        "Most committed in one year", "money", "New commitments in any one year may not exceed it."
    ),
    "pacing.max_net_cash_outflow_gbp": Term(
        "Most cash the programme may take in one year",
        "money",
        "Calls less what is paid back, in any one year, may not exceed it.",
    ),
    "pacing.fund_net_cash_flow_gbp": Term(
        "The fund's own cash flow a year",
        "money",
        "Contributions and investment income less pensions paid, before this programme.",
        "negative: the fund already pays out more than comes in",
    ),
    "local_investment.target_min_share": Term(
        "Local investment target, lowest",
        "share",
        "The least of the whole fund the committee aims to hold in local investment (comply or explain).",
    ),
    "local_investment.target_max_share": Term(
        "Local investment target, highest",
        "share",
        "The most of the whole fund the committee will hold in local investment.",
    ),
    "local_investment.counted_asset_classes": Term(
        "Asset classes counted as local investment",
        "text",
        "Private markets count; a listed holding only with a recorded local benefit.",
    ),
    "weights.financial": Term("Weight on financial return", "score", "Score pillar weight."),
    "weights.local_economy": Term("Weight on the local economy", "score", "Score pillar weight."),
    "weights.social": Term("Weight on social impact", "score", "Score pillar weight."),
}

OBJECTIVES = {
    "max_impact": "Most local impact",
    "max_return": "Highest expected return",
    "min_risk": "Lowest risk",
    "blended": "Blend of return, impact and risk",
}

SECTORS = {
    "affordable_housing": "affordable housing",
    "sme_finance": "SME finance",
    "clean_energy": "clean energy",
    "regeneration": "regeneration",
    "infrastructure": "infrastructure",
    "cooperatives": "co-operatives",
    "natural_capital": "natural capital",
}

ASSET_CLASSES = {
    "social_housing": "social housing",
    "private_equity": "private equity",
    "private_debt": "private debt",
    "renewable_energy": "renewable energy",
    "infrastructure": "infrastructure",
    "property": "property",
    "uk_equity": "UK equities",
    "gilts": "UK gilts",
    "index_linked_gilts": "index-linked gilts",
    "corporate_bonds": "UK corporate bonds",
}


CANDIDATE_COLUMNS = {
    "jobs_per_gbp_m": "jobs per £1m",
    "affordable_homes_per_gbp_m": "affordable homes per £1m",
    "co2_avoided_t_per_gbp_m": "carbon avoided per £1m",
    "local_spend_share": "share of spending kept local",
    "imd_decile": "deprivation decile",
    "additionality": "additionality",
}

# the candidate file's columns as a table heads them for people (the file keeps its keys)
CANDIDATE_HEADINGS = {
    "id": "Id",
    "name": "Name",
    "sector": "Sector",
    "asset_class": "Asset class",
    "local_authority": "Place",
    "expected_return": "Expected return",
    "volatility": "Volatility",
    "min_ticket_gbp": "Smallest ticket (£)",
    "max_ticket_gbp": "Largest ticket (£)",
    "income_yield": "Income yield",
    "jobs_per_gbp_m": "Jobs per £1m",
    "local_spend_share": "Share of spending kept local",
    "living_wage_share": "Share paid the living wage",
    "affordable_homes_per_gbp_m": "Affordable homes per £1m",
    "co2_avoided_t_per_gbp_m": "Carbon avoided per £1m (tonnes a year)",
    "imd_decile": "Deprivation decile (1 = most deprived)",
    "additionality": "Additionality",
    "evidence_quality": "Evidence quality (1 anecdotal, 5 audited)",
    "liquidity_years": "Lock-up (years)",
    "ownership": "Ownership",
    "local_benefit": "Local benefit",
}
PLACE_CODE = "ONS code"  # the heading of a place's code, where a table shows it beside the name

OWNERSHIP = {
    "local_sme": "local small firm",
    "large_or_multinational": "large or multinational company",
    "cooperative": "co-operative",
    "community": "community-owned",
    "public": "public body",
}

SOCIAL_VALUE_METRICS = {
    "jobs": "jobs",
    "co2_avoided": "carbon avoided",
    "affordable_homes": "affordable homes",
}

# the reference tables' columns (screening.reading.reference), as the Data and assumptions page
# heads them, by table
REFERENCE_HEADINGS: dict[str, dict[str, str]] = {
    "assumptions": {
        "label": "Asset class",
        "expected_return": "Expected return",
        "volatility": "Volatility",
        "liquid": "Can be sold quickly",
        "description": "Description",
        "bundled_volatility": "Bundled volatility",
        "proxy": "Listed proxy",
        "volatility_source": "Volatility from",
        "trailing_return_1y": "Return over the last year",
    },
    "places": {
        "name": "Place",
        "nation": "Nation",
        "region": "Region",
        "county": "County",
        "combined_authority_name": "Combined authority",
        "population": "Population",
        "population_year": "Population year",
        "iod2025_rank": "England's deprivation rank, 2025 (1 = most deprived)",
        "iod2025_score": "England's deprivation score, 2025",
        "iod2025_most_deprived_decile_share": "Share of neighbourhoods in England's most deprived tenth",
        "uk_deprivation_score": "UK deprivation score",
        "uk_deprivation_decile": "UK deprivation (tenth, 1 = most deprived)",
        "area_ha": "Area (hectares)",
        "lat": "Latitude",
        "long": "Longitude",
        "gva_gbp_m": "Economic output (GVA, £m)",
        "gva_year": "Year of the GVA",
        "source": "Source",
        "population_approx": "Population approximate",
        "imd_2019_rank": "Deprivation rank, 2019",
    },
    "retention": {
        "retention_share": "Kept locally of each £1",
        "basis": "Basis",
        "source": "Source",
    },
    "social_value": {
        "unit": "Unit",
        "gbp_per_unit": "£ per unit",
        "price_year": "Price year",
        "basis": "Basis",
        "source": "Source",
    },
    "proxies": {"ticker": "Symbol", "currency": "Currency", "label": "Listed proxy"},
}


INPUTS = {
    "candidates": "Candidate investments",
    "mandate": "Mandate",
    "covariance": "Covariance matrix",
    "assumptions": "Capital market assumptions",
    "correlations": "Correlations between asset classes",
    "risk_model": "Risk-model settings",
    "uk_benchmark_mix": "UK benchmark mix",
    "stress_scenarios": "Stress scenarios",
    "pacing_assumptions": "Pacing assumptions",
    "local_investment_peers": "Published local investment peer",
    "places": "Places",
    "retention": "Local retention rates",
    "social_value": "Social value per unit",
}

STATUSES = {
    "optimal": "optimal: the mandate is met",
    "optimal_inaccurate": "optimal, to the solver's lower accuracy",
    "time_limit": "stopped at the time limit: the best allocation found",
    "infeasible": "infeasible: the limits cannot all be met",
    "unbounded": "unbounded: a limit is missing",
    "solver_error": "the solver failed",
}


def _words(code: str) -> str:
    return code.replace("_", " ")


def input_label(role: str) -> str:
    """An input of a run by its role, for a person: 'uk_benchmark_mix' -> 'UK benchmark mix'."""
    return INPUTS.get(role, _words(role).capitalize())


def status_words(status: str) -> str:
    """A solver status for a person: 'infeasible' -> 'infeasible: the limits cannot all be met'."""
    return STATUSES.get(status, _words(status))


def column(name: str) -> str:
    """A candidate-file column for a person: 'jobs_per_gbp_m' -> 'jobs per £1m'."""
    return CANDIDATE_COLUMNS.get(name, _words(name))


def sector(code: str) -> str:
    """A sector for a person: 'sme_finance' -> 'SME finance'."""
    return SECTORS.get(code, _words(code))


def asset_class(code: str) -> str:
    """An asset class for a person: 'private_debt' -> 'private debt'."""
    return ASSET_CLASSES.get(code, _words(code))


def ownership(code: str) -> str:
    """An ownership type for a person: 'local_sme' -> 'local small firm'."""
    return OWNERSHIP.get(code, _words(code))


def candidate_heading(name: str) -> str:
    """A candidate-file column as a table heads it: 'min_ticket_gbp' -> 'Smallest ticket (£)'."""
    return CANDIDATE_HEADINGS.get(name) or column(name).capitalize()


def reference_heading(table: str, name: str) -> str:
    """A reference table's column as the Data and assumptions page heads it."""
    return REFERENCE_HEADINGS.get(table, {}).get(name) or _words(name).capitalize()


def mandate_term(key: str) -> Term:
    """The term of a mandate key, dotted keys included ('sector_caps.sme_finance')."""
    group, _, member = key.partition(".")
    if group == "sector_caps" and member:
        return Term(f"Sector cap on {sector(member)}", "share", "The most of the target in this sector.")
    if group == "asset_class_caps" and member:
        return Term(
            f"Asset-class cap on {asset_class(member)}",
            "share",
            "The most of the target in this asset class.",
        )
    if group == "metric_weights" and member:
        return Term(f"Weight on {_words(member)}", "score", "Weight of one impact measure within its pillar.")
    return MANDATE.get(key) or Term(_words(key).capitalize(), "text", "")


def label(key: str) -> str:
    """A mandate key's label, as the app's form writes it."""
    return mandate_term(key).label


def named(key: str) -> str:
    """A mandate key for a message: its label, then the key in brackets ('Fewest holdings (min_holdings)')."""
    return f"{label(key)} ({key})"


_KEY_IN_BRACKETS = re.compile(
    r" \(((?:sector_caps|asset_class_caps|metric_weights|weights|pacing|local_investment)\.[A-Za-z0-9_]+|[a-z_]+)\)"
)


def plain(message: str) -> str:
    """A message for people: each '(mandate_key)' after a label taken out."""

    def drop(match: re.Match[str]) -> str:
        key = match.group(1)
        known = key in MANDATE or key.partition(".")[0] in (
            "sector_caps",
            "asset_class_caps",
            "metric_weights",
        )
        return "" if known else match.group(0)

    return _KEY_IN_BRACKETS.sub(drop, message)


def mandate_value(key: str, value: object) -> str:
    """A mandate value for a person, in its key's unit ('8.0%' for a share, '£100m' for the target)."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "objective" and isinstance(value, str):
        return OBJECTIVES.get(value, value)
    if key == "place_groups" and isinstance(value, dict):
        return ", ".join(f"{group} ({len(members)} districts)" for group, members in value.items()) or "none"
    if key == "excluded_sectors" and isinstance(value, list):
        return ", ".join(sector(str(v)) for v in value) or "none"
    if key == "local_investment.counted_asset_classes" and isinstance(value, list):
        return ", ".join(asset_class(str(v)) for v in value) or "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    term = mandate_term(key)
    if term.unit == "text" or not isinstance(value, int | float):
        return str(value)
    if key == "tolerance_bp":
        return term.format(float(value))
    if key == "min_impact_score":
        return f"{float(value):.1f} points"
    return term.format(float(value))
