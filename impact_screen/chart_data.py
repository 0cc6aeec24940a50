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


# ---------------------------------------------------------------------------------------------
# The map (app_pages/places_map.py): every district, the money placed in each, and how deprived
# each is. The boundaries (a GeoJSON FeatureCollection keyed by `properties.ons_code`) are read by
# the caller and passed in, so this stays free of file reading.

import pandas as pd  # noqa: E402  (the reference places table)

MAP_LAYERS = {"money": "Where the money goes", "deprivation": "Deprivation"}


@dataclass(frozen=True, eq=False)
class PlaceMap:
    """Every district of the reference tables, in their order, with what the map shows of each:
    the £ placed there, the holdings, its decile on the composite UK deprivation index (1 = the
    most deprived tenth), its rank on England's Indices of Deprivation 2025 (England only, 1 = the
    most deprived), and whether it is one of the mandate's places; with the boundaries to draw."""

    title: str  # what the money layer shows, e.g. "Where the £100m goes: Preston and South Ribble"
    codes: list[str]
    names: list[str]
    amounts: list[float]  # £ placed (0 where nothing is)
    holdings: list[int]
    deciles: list[int | None]
    ranks: list[int | None]
    footprint: list[bool]
    ranked: int  # how many districts England's index ranks (296)
    centres: list[tuple[float, float] | None]  # longitude, latitude of each district's centre (for labels)
    boundaries: dict  # GeoJSON FeatureCollection, one feature per district
    focus_bounds: tuple[float, float, float, float] | None  # lon, lat min then max: footprint and money

    def __repr__(self) -> str:
        return f"PlaceMap({self.title!r}, {len(self.codes)} districts)"

    @property
    def focus(self) -> list[str]:
        """The districts the map zooms to: the mandate's places and any district with money."""
        return [c for c, f, a in zip(self.codes, self.footprint, self.amounts, strict=True) if f or a > 0]

    @property
    def hover(self) -> list[str]:
        """What hovering over each district says, in words, name first."""
        from screening.vocabulary import money

        lines = []
        for i, code in enumerate(self.codes):
            held = self.holdings[i]
            placed = (
                f"{money(self.amounts[i])} placed here, in {held} holding{'s' if held != 1 else ''}"
                if self.amounts[i] > 0
                else "Nothing placed here"
            )
            decile = self.deciles[i]
            uk = (
                f"UK deprivation: decile {decile} of 10 (1 = the most deprived tenth)"
                if decile is not None
                else "UK deprivation: not known"
            )
            rank = self.ranks[i]
            england = (
                f"England's Indices of Deprivation 2025: rank {rank} of {self.ranked} (1 = the most deprived)"
                if rank is not None
                else "England's Indices of Deprivation 2025: not ranked (England only)"
            )
            head = f"<b>{self.names[i]}</b> ({code})"
            if self.footprint[i]:
                head += "<br>One of the mandate's places"
            lines.append("<br>".join((head, placed, uk, england)))
        return lines


def _whole(value: object) -> int | None:
    """A table's number as a whole number, None when it is missing."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else round(number)  # NaN is not equal to itself


def _bounds(boundaries: dict, codes: set[str]) -> tuple[float, float, float, float] | None:
    """The longitude and latitude box around these districts' boundaries (None if none is drawn)."""
    lons: list[float] = []
    lats: list[float] = []
    for feature in boundaries.get("features", []):
        if feature.get("properties", {}).get("ons_code") not in codes:
            continue
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for ring in polygon:
                lons.extend(point[0] for point in ring)
                lats.extend(point[1] for point in ring)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def _centres(places: pd.DataFrame) -> list[tuple[float, float] | None]:
    """Each district's centre point from the places table (None where it has none)."""
    if "long" not in places or "lat" not in places:
        return [None] * len(places)
    return [
        None if pd.isna(lon) or pd.isna(lat) else (float(lon), float(lat))
        for lon, lat in zip(places["long"], places["lat"], strict=True)
    ]


def place_map(result: RunResult, places: pd.DataFrame, boundaries: dict) -> PlaceMap:
    """The map's data for a run: every district of `places` (the reference places table, indexed
    by ONS code), the run's £ and holdings in each, and `boundaries` (the districts' GeoJSON)."""
    from screening.vocabulary import joined, money

    codes = [str(c) for c in places.index]
    held: dict[str, int] = {}
    for holding in result.allocations:
        if holding.amount_gbp > 0:
            held[holding.local_authority] = held.get(holding.local_authority, 0) + 1
    placed = result.portfolio.by_place
    mandate = set(result.places)
    ranks = [_whole(v) for v in places["iod2025_rank"]] if "iod2025_rank" in places else [None] * len(codes)
    deciles = (
        [_whole(v) for v in places["uk_deprivation_decile"]]
        if "uk_deprivation_decile" in places
        else [None] * len(codes)
    )
    names = [str(n) for n in places["name"]]
    footprint = [c in mandate for c in codes]
    amounts = [float(placed.get(c, 0.0)) for c in codes]
    named = [names[i] for i, c in enumerate(codes) if footprint[i]]
    words = result.where()  # the groups the places were written as, then districts
    where = joined(words) if len(words) <= 3 else f"{len(named)} districts"
    total = sum(amounts)
    title = f"Where the {money(total)} goes: {where}" if total > 0 else f"The mandate's places: {where}"
    focus = {c for c, f, a in zip(codes, footprint, amounts, strict=True) if f or a > 0}
    return PlaceMap(
        title=title,
        codes=codes,
        names=names,
        amounts=amounts,
        holdings=[held.get(c, 0) for c in codes],
        deciles=deciles,
        ranks=ranks,
        footprint=footprint,
        ranked=sum(r is not None for r in ranks),
        centres=_centres(places),
        boundaries=boundaries,
        focus_bounds=_bounds(boundaries, focus),
    )


# ---------------------------------------------------------------------------------------------
# The local investment report (portfolio.local_investment, the 2026 rules): its tables, the same in
# the command line's text, the committee paper and the workbook.

from portfolio.result import LocalInvestment  # noqa: E402  (the local investment report)


@dataclass(frozen=True)
class FigureRows:
    """A table of figures, one a row: each row's vocabulary figure key gives its label, unit and
    formatter; `columns` names the value columns as people read them (a value of None is not
    known, or not published)."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, tuple[object, ...]]]


LOCAL_REPORT_TITLE = "Local investment report"


def _comply(within: bool | None) -> str | None:
    return None if within is None else ("yes: comply" if within else "no: explain")


def local_target(found: LocalInvestment) -> FigureRows:
    """The money counted as local investment, its share of the fund and the target range."""
    rows = [
        ("local_counted_gbp", (found.counted_gbp,)),
        ("fund_size_gbp", (found.fund_size_gbp,)),
        ("local_fund_share", (found.share_of_fund,)),
        ("local_target_min_share", (found.target_range.min,)),
        ("local_target_max_share", (found.target_range.max,)),
        ("within_range", (_comply(found.within_range),)),
    ]
    return FigureRows("The share of the fund against the target range", ("This allocation",), rows)


def local_kpis(found: LocalInvestment) -> FigureRows:
    """What the money counted does, with the published peer beside it where it publishes the figure."""
    k, peer = found.kpis, found.peer

    def of_peer(name: str) -> object:
        return getattr(peer, name) if peer is not None else None

    rows: list[tuple[str, tuple[object, ...]]] = [
        ("local_counted_gbp", (found.counted_gbp, of_peer("committed_gbp"))),
        ("local_fund_share", (found.share_of_fund, of_peer("share_of_fund"))),
        ("jobs", (k.jobs, of_peer("jobs"))),
        ("jobs_net", (k.jobs_net, None)),
        ("local_jobs_per_gbp_m", (k.jobs_per_gbp_m, of_peer("jobs_per_gbp_m"))),
        ("homes", (None, of_peer("homes"))),
        ("affordable_homes", (k.affordable_homes, None)),
        ("affordable_homes_net", (k.affordable_homes_net, None)),
        ("local_homes_per_gbp_m", (k.homes_per_gbp_m, of_peer("homes_per_gbp_m"))),
        ("affordable_share_of_homes", (k.affordable_share_of_homes, None)),
        ("co2_avoided_t", (k.co2_avoided_t, None)),
        ("co2_avoided_t_net", (k.co2_avoided_t_net, None)),
        ("renewable_capacity_mw", (k.renewable_capacity_mw, None)),
        ("sme_holdings", (k.sme_holdings, None)),
        ("sme_finance_gbp", (k.sme_finance_gbp, None)),
        ("deprived_share", (k.deprived_share, None)),
        ("return_given_up_bp", (k.return_given_up_bp, None)),
    ]
    if peer is None:
        return FigureRows(
            "What the local investment does", ("This allocation",), [(key, v[:1]) for key, v in rows]
        )
    return FigureRows(
        "What the local investment does, beside a published peer",
        ("This allocation", f"{peer.name} ({peer.as_of})"),
        rows,
    )


def local_districts(found: LocalInvestment) -> Table | None:
    """The money counted in each district, with its county and combined authority (None: nothing counted)."""
    if not found.by_district or found.counted_gbp <= 0:
        return None
    rows = [
        (d.name, d.county, d.combined_authority, d.gbp, d.gbp / found.counted_gbp) for d in found.by_district
    ]
    columns = ("district", "county", "combined_authority", "local_counted_gbp", "share_of_counted")
    return Table("Money counted as local investment, by district", columns, rows)


def local_groups(found: LocalInvestment) -> Table | None:
    """The money counted in each combined authority and county (None: in none)."""
    if not found.by_group or found.counted_gbp <= 0:
        return None
    kinds = {"combined_authority": FIGURES["combined_authority"].label, "county": FIGURES["county"].label}
    rows = [(g.name, kinds[g.kind], g.gbp, g.gbp / found.counted_gbp) for g in found.by_group]
    columns = ("group", "group_kind", "local_counted_gbp", "share_of_counted")
    return Table("Money counted as local investment, by group", columns, rows)


def _first_up(text: str) -> str:
    """'UK equities' stays so; 'social housing' becomes 'Social housing'."""
    return text[:1].upper() + text[1:]


def local_not_counted(found: LocalInvestment) -> Table | None:
    """Each holding whose money is not counted as local investment, and why (None: all counts)."""
    if not found.not_counted:
        return None
    rows = [
        (h.id, short_name(h.name), _first_up(asset_class_label(h.asset_class)), h.amount_gbp, h.reason)
        for h in found.not_counted
    ]
    columns = ("candidate_id", "candidate_name", "asset_class", "amount_gbp", "not_counted_reason")
    return Table("Holdings not counted as local investment", columns, rows)


_CLAIM_LABELS = {"jobs_per_gbp_m": "Jobs supported", "affordable_homes_per_gbp_m": "Affordable homes"}


def local_flags(found: LocalInvestment) -> Table | None:
    """The candidates claiming far more jobs or homes per £1m than the peer (None: none do)."""
    if not found.flags:
        return None
    rows = [
        (f.id, short_name(f.name), _CLAIM_LABELS[f.figure], f.claimed, f.peer, f.times) for f in found.flags
    ]
    columns = ("candidate_id", "candidate_name", "claim", "claimed_per_gbp_m", "peer_per_gbp_m", "times_peer")
    return Table(f"Claims more than {found.flag_multiple:g} times the peer's, per £1m", columns, rows)


def local_tables(found: LocalInvestment) -> list[Table]:
    """The report's shared tables in the order every renderer shows them (those with rows)."""
    tables = (local_districts(found), local_groups(found), local_not_counted(found), local_flags(found))
    return [t for t in tables if t is not None]
