"""The data behind every chart of a run, and behind the tables several renderers draw, taken once
from its `RunResult`: the app draws charts with plotly and the committee paper as inline SVG, so
both show the same bars, points and bands with the same titles and labels (from
`screening.vocabulary`); a `Table` is drawn by the app, the paper and the workbook alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.result import PORTFOLIOS, Pacing, RunResult
from screening.vocabulary import FIGURES
from screening.vocabulary import PORTFOLIOS as PORTFOLIO_LABELS
from screening.vocabulary import asset_class as asset_class_label
from screening.vocabulary import sector as sector_label

# the figures of the side-by-side comparison (this allocation, the UK and the city-weighted
# benchmarks), in the order every renderer shows them: the app's Compare page, the paper, the workbook
COMPARED = (
    "expected_return",
    "volatility",
    "tracking_error",
    "jobs",
    "jobs_net",
    "jobs_in_places",
    "local_spend_retained_gbp",
    "affordable_homes",
    "affordable_homes_net",
    "co2_avoided_t",
    "co2_avoided_t_net",
    "deprived_share",
    "social_value_gbp",
    "local_share",
    "total_gbp",
)


def short_name(name: str, width: int = 40) -> str:
    """A candidate's name for a chart: without '(illustrative)', cut at `width` with an ellipsis."""
    name = name.replace(" (illustrative)", "")
    return name if len(name) <= width else name[: width - 1] + "…"


@dataclass(frozen=True)
class Bars:
    """One bar per label; `groups` (same length) colours them, e.g. by sector."""

    title: str
    axis: str
    labels: list[str]
    values: list[float | None]
    shown: list[str]  # each value as the vocabulary writes it
    groups: list[str] | None = None


@dataclass(frozen=True)
class Grouped:
    """Groups of bars: one group per category, one bar per series (None = not available)."""

    title: str
    axis: str
    categories: list[str]
    series: dict[str, list[float | None]]  # series label -> a value per category


@dataclass(frozen=True)
class Frontier:
    """The best expected return (%) at each impact score, and where this allocation sits."""

    title: str
    impact: list[float]
    returns: list[float]  # percent
    chosen: tuple[float, float] | None


@dataclass(frozen=True)
class Fan:
    """Value over the years (£m) for each portfolio: the middle path and its 5-95% band."""

    title: str
    years: list[int]
    middle: dict[str, list[float]]
    low: dict[str, list[float]]
    high: dict[str, list[float]]


def allocation(result: RunResult) -> Bars:
    """Money per holding in £m, grouped by sector."""
    held = result.allocations
    return Bars(
        "Money per holding (£m)",
        "£m",
        [short_name(h.name) for h in held],
        [h.amount_gbp / 1e6 for h in held],
        [FIGURES["amount_gbp"].format(h.amount_gbp) for h in held],
        [sector_label(h.sector) for h in held],
    )


def comparison(result: RunResult, key: str) -> Bars:
    """One figure (a key of the vocabulary) for this allocation and both benchmarks."""
    term = FIGURES[key]
    values = [getattr(result.figures(p), key) for p in PORTFOLIOS] if result.compared else []
    return Bars(
        term.label,
        term.heading,
        [PORTFOLIO_LABELS[p] for p in PORTFOLIOS] if values else [],
        values,
        [term.format(v) for v in values],
    )


def frontier(result: RunResult) -> Frontier:
    """The impact-return frontier of the run, with the allocation marked."""
    points = result.frontier
    mine = result.portfolio
    chosen = (
        (mine.impact_score, mine.expected_return * 100)
        if mine.impact_score is not None and mine.expected_return is not None
        else None
    )
    return Frontier(
        "Best expected return at each impact score",
        [p.impact_score for p in points],
        [p.expected_return * 100 for p in points],
        chosen,
    )


def stress(result: RunResult) -> Grouped:
    """£m lost in each stress scenario by each portfolio."""
    scenarios = result.stress or []
    return Grouped(
        "Loss in each stress test (£m)",
        "£m lost",
        [s.name for s in scenarios],
        {
            PORTFOLIO_LABELS[p]: [None if s.loss(p) is None else s.loss(p) / 1e6 for s in scenarios]
            for p in PORTFOLIOS
        },
    )


def projection(result: RunResult) -> Fan:
    """Ten-year value bands (£m): the median and the 5th to 95th percentile of each portfolio."""
    found = result.projection
    if found is None:
        return Fan("Value over ten years (£m)", [], {}, {}, {})

    def band(name: str) -> dict[str, list[float]]:
        return {
            PORTFOLIO_LABELS[p]: [v / 1e6 for v in bands[name]]
            for p, bands in found.bands.items()
            if name in bands
        }

    return Fan("Value over ten years (£m)", found.years, band("p50"), band("p5"), band("p95"))


@dataclass(frozen=True)
class Table:
    """A table several renderers draw: its columns as vocabulary figure keys (each renderer takes
    the label, unit and formatter from there) and rows of raw values."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]


def city_weighted_places(result: RunResult) -> Table | None:
    """Where the city-weighted benchmark puts the money: each place with money, largest first
    (None when it places none: not built, or the limits cannot be met; its notes say why)."""
    city = result.benchmarks.city_weighted if result.benchmarks is not None else None
    if city is None or not city.places:
        return None
    weight = "gva_gbp_m" if city.weighting == "gva" else "population"
    rows = [
        (p.name, p.weight, p.proportional_share, p.target_share, p.amount_gbp)
        for p in sorted(city.places, key=lambda p: (-p.amount_gbp, p.name))
        if p.amount_gbp > 0
    ]
    if not rows:
        return None
    columns = ("place", weight, "proportional_share", "target_share", "place_amount_gbp")
    return Table("Where the city-weighted benchmark puts the money", columns, rows)


# the commitment plan's yearly table, in the order every renderer shows it (the app, the paper,
# the workbook, the command line); the fund's own cash flow only when the mandate sets it
PACING_COLUMNS = (
    "year",
    "commitments_gbp",
    "calls_gbp",
    "distributions_gbp",
    "nav_gbp",
    "net_cash_flow_gbp",
    "fund_net_cash_flow_gbp",
)


def pacing_table(pacing: Pacing | None) -> Table | None:
    """The commitment plan year by year (None when the run has no plan)."""
    if pacing is None or not pacing.years:
        return None
    columns = tuple(
        c
        for c in PACING_COLUMNS
        if c != "fund_net_cash_flow_gbp" or pacing.fund_net_cash_flow_gbp is not None
    )
    rows = [tuple(str(y.year) if c == "year" else getattr(y, c) for c in columns) for y in pacing.years]
    return Table("Commitments, calls, distributions and value at work, year by year", columns, rows)


def pacing_assumptions(pacing: Pacing | None) -> Table | None:
    """The pacing assumptions of each asset class the plan paces (None when the run has no plan)."""
    if pacing is None or not pacing.classes:
        return None
    columns = ("asset_class", "share", "call_rates", "distribution_yield", "growth", "fund_life_years", "bow")
    rows = [
        (
            asset_class_label(c.asset_class).capitalize(),
            c.share,
            ", ".join(f"{r:.0%}" for r in c.call_rates),
            c.distribution_yield,
            c.growth,
            c.fund_life_years,
            c.bow if c.fund_life_years is not None else None,
        )
        for c in pacing.classes
    ]
    return Table("How each asset class is paced (assumptions)", columns, rows)


@dataclass(frozen=True)
class PacingChart:
    """The commitment plan over the years, in £m: commitments, calls and distributions as bars,
    the value at work as a line, and the target."""

    title: str
    years: list[int]
    commitments: list[float]
    calls: list[float]
    distributions: list[float]
    nav: list[float]
    target: float
    target_year: int


def pacing_chart(pacing: Pacing | None) -> PacingChart | None:
    """The data of the pacing chart (None when the run has no plan)."""
    if pacing is None or not pacing.years:
        return None
    years = pacing.years
    return PacingChart(
        f"From commitment to money at work (£m): the target is {FIGURES['pacing_target_gbp'].format(pacing.target_gbp)} by the end of {pacing.target_year}",
        [y.year for y in years],
        [y.commitments_gbp / 1e6 for y in years],
        [y.calls_gbp / 1e6 for y in years],
        [y.distributions_gbp / 1e6 for y in years],
        [y.nav_gbp / 1e6 for y in years],
        pacing.target_gbp / 1e6,
        pacing.target_year,
    )
