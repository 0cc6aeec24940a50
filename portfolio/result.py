"""`RunResult`: everything one run produced, as one typed model that every shell renders.

The CLI's text and `--json`, the app's pages, the committee paper, the workbook, saved runs and the
run comparison all read this model, never a dict whose shape they guess. Its JSON (`to_json`) is
the public contract of `impact-screen allocate --json`; the JSON Schema generated from it lives in
`docs/run-result.schema.json` (`python -m portfolio.result_schema` writes it; a test checks it).

JSON objects are unordered: the impact totals come first in each portfolio, then its own figures.
A key absent from the JSON is absent here too (the comparison's keys when there is no allocation;
the impact totals of an allocation that was not compared), so the JSON keeps its long-standing
keys: a field left unset is left out of `to_json`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RESULT_VERSION = 1  # bump, and say so in docs/json.md, when a key changes meaning or goes away


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Holding(_Part):
    """One candidate held: how much, where, in which sector and asset class."""

    id: str
    name: str
    amount_gbp: float
    share: float | None = None  # of the target (the city-weighted benchmark's holdings have none)
    local_authority: str
    sector: str
    asset_class: str


class ImpactFigures(_Part):
    """Impact totals of one portfolio; None means unknown, never zero in disguise."""

    jobs: float | None = None  # gross
    jobs_net: float | None = None  # after additionality
    jobs_in_places: float | None = None
    local_spend_retained_gbp: float | None = None  # kept circulating in the mandate's places
    local_spend_retained_all_places_gbp: float | None = None
    affordable_homes: float | None = None
    affordable_homes_net: float | None = None
    co2_avoided_t: float | None = None
    co2_avoided_t_net: float | None = None
    deprived_share: float | None = None
    social_value_gbp: float | None = None
    social_value_by_metric: dict[str, float | None] = Field(default_factory=dict)
    local_share: float | None = None
    impact_notes: list[str] = Field(default_factory=list)


class PortfolioResult(ImpactFigures):
    """The allocation's own figures: return, risk, impact score, holdings, and where the money is."""

    expected_return: float | None = None
    volatility: float | None = None
    impact_score: float | None = None
    holdings: int = 0
    total_gbp: float = 0.0
    by_place: dict[str, float] = Field(default_factory=dict)  # ONS code -> £
    by_sector: dict[str, float] = Field(default_factory=dict)
    tracking_error: float | None = None  # against the UK benchmark, once compared


class Diagnosis(_Part):
    """One change that would make an infeasible mandate possible (see portfolio.relaxation)."""

    constraint: str
    message: str  # the form's labels, each mandate key in brackets after it
    relaxation: float
    unit: str
    verified: bool = False
    option: int = 1


class Binding(_Part):
    """A limit the allocation sits on, and what loosening it would buy."""

    constraint: str
    value: float
    limit: float
    unit: str
    shadow_price: float | None = None
    message: str


class FrontierPoint(_Part):
    """The best expected return at one level of impact."""

    impact_score: float
    expected_return: float
    volatility: float
    jobs: float | None = None
    bp_per_impact_point: float | None = None
    bp_per_job: float | None = None


class Solver(_Part):
    """Which solver answered, how, and how long it took (None when the pre-checks stopped the run)."""

    name: str | None = None
    status: str | None = None
    seconds: float | None = None
    gap: float | None = None
    message: str = ""


class Checks(_Part):
    """Each limit re-evaluated on the pounds, independently of the solver (0 = within it)."""

    limit_violations: dict[str, float] = Field(default_factory=dict)


class ScreenSettings(_Part):
    """The rank-stability settings the screen ran with."""

    draws: int
    concentration: float
    top_k: int
    seed: int
    draws_used: int | None = None  # fewer than `draws` only for a very large universe


class Source(_Part):
    """Where one input came from: which exact bytes (SHA-256), how trustworthy, as of when."""

    source: str
    name: str
    sha256: str
    loaded_at: str | None = None
    status: str | None = None
    as_of: str | None = None
    note: str | None = None


class BenchmarkFigures(ImpactFigures):
    """Return, risk and impact of one comparison portfolio (None = could not be built)."""

    label: str | None = None
    total_gbp: float | None = None
    expected_return: float | None = None
    volatility: float | None = None
    tracking_error: float | None = None


class MixLine(_Part):
    """One listed asset class of the UK benchmark mix."""

    asset_class: str
    weight: float
    amount_gbp: float


class UkBenchmark(BenchmarkFigures):
    """The same money in listed UK asset-class proxies, in the fund's strategic mix."""

    mix: list[MixLine] = Field(default_factory=list)


class PlaceShare(_Part):
    """One place of the city-weighted benchmark: its weight, the share it was meant and given."""

    ons_code: str
    name: str
    weight: float
    proportional_share: float
    target_share: float
    capacity_share: float | None = None  # null when every place took its proportional share
    amount_gbp: float


class CityBenchmark(BenchmarkFigures):
    """The same money spread over UK places by population (or GVA), through the same optimiser."""

    status: str
    weighting: Literal["population", "gva"]
    places: list[PlaceShare] = Field(default_factory=list)
    allocations: list[Holding] = Field(default_factory=list)
    city_notes: list[str] = Field(default_factory=list)


class Benchmarks(_Part):
    uk: UkBenchmark
    city_weighted: CityBenchmark


class WholeFund(_Part):
    sleeve_share: float | None = None
    return_given_up_bp: float | None = None
    tracking_error: float | None = None
    extra_volatility_bp: float | None = None


class LocalPlan(_Part):
    local_share_of_fund: float | None = None
    plan_share: float | None = None
    within_plan: bool | None = None
    headroom_gbp: float | None = None


class Fiduciary(_Part):
    """Return given up and risk added against the UK benchmark, and the committee's tolerance.

    Sign: `return_given_up_bp` is positive when the allocation earns less than the benchmark.
    """

    basis: str
    benchmark: str
    return_given_up_bp: float
    return_given_up_gbp: float
    tracking_error: float
    extra_volatility_bp: float
    tolerance_bp: float | None = None
    within_tolerance: bool | None = None
    within_tolerance_whole_fund: bool | None = None
    whole_fund: WholeFund = Field(default_factory=WholeFund)
    local_plan: LocalPlan = Field(default_factory=LocalPlan)
    city_weighted_return_given_up_bp: float | None = None
    notes: list[str] = Field(default_factory=list)


class Stress(_Part):
    """One stress scenario: the £ each portfolio would lose (negative = a gain)."""

    name: str
    portfolio_loss_gbp: float | None = None
    uk_loss_gbp: float | None = None
    city_weighted_loss_gbp: float | None = None
    shocks: dict[str, float] = Field(default_factory=dict)
    descriptions: dict[str, str] = Field(default_factory=dict)

    def loss(self, portfolio: str) -> float | None:
        """The loss of 'portfolio', 'uk' or 'city_weighted'."""
        return {"portfolio": self.portfolio_loss_gbp, "uk": self.uk_loss_gbp}.get(
            portfolio, self.city_weighted_loss_gbp
        )


class Projection(_Part):
    """Ten-year value bands of each portfolio from a common set of simulated paths."""

    years: list[int]
    paths: int
    seed: int
    start_gbp: float
    percentiles: list[int]
    method: str
    bands: dict[str, dict[str, list[float]]]  # portfolio -> 'p5'... -> £ by year
    probability_of_loss: dict[str, float] = Field(default_factory=dict)
    probability_below_uk: dict[str, float] = Field(default_factory=dict)


class PacingYear(_Part):
    """One year of the commitment plan (£; `net_cash_flow_gbp` is distributions less calls, so
    negative when the programme takes cash from the fund)."""

    year: int
    commitments_gbp: float
    calls_gbp: float
    distributions_gbp: float
    nav_gbp: float
    net_cash_flow_gbp: float
    fund_net_cash_flow_gbp: float | None = None  # the fund's own net cash flow after the programme's
    commitments_by_asset_class: dict[str, float] = Field(default_factory=dict)


class PacingClass(_Part):
    """The assumptions one asset class was paced with, and its share of the money at work."""

    asset_class: str
    share: float
    call_rates: list[float]  # year one, year two, every later year
    distribution_yield: float
    growth: float
    fund_life_years: int | None = None
    bow: float
    basis: str
    description: str = ""


class PacingDiagnosis(_Part):
    """What would let the plan reach its target: one limit moved, or the target year."""

    limit: str  # the mandate key, e.g. 'pacing.max_yearly_commitment_gbp'
    message: str  # the form's labels, each mandate key in brackets after it
    current: float | None = None
    needed: float | None = None  # None: moving this limit alone is not enough
    unit: str  # 'gbp' or 'year'


class Pacing(_Part):
    """From commitment to money at work: the commitments per year that put the target to work by
    the target year and hold it there, with the calls, distributions and value they bring
    (portfolio.pacing). `status`: 'optimal' (a plan reaches the target within the limits),
    'infeasible' (none does: `diagnosis` says which limit stops it and by how much; `years` is
    the most the limits allow), 'schedule' (a schedule given by the user, not planned), or
    'no_allocation' (no allocation meets the mandate, so there is no mix to pace; no years)."""

    status: Literal["optimal", "infeasible", "schedule", "no_allocation"]
    target_gbp: float
    start_year: int
    target_year: int
    end_year: int
    reached_year: int | None = None  # from this year's end the value at work stays at the target
    value_at_target_year_gbp: float = 0.0
    shortfall_gbp: float = 0.0  # the target less the value at work at the target year's end
    total_commitments_gbp: float = 0.0
    largest_net_cash_outflow_gbp: float = 0.0
    limits: dict[str, float] = Field(default_factory=dict)  # mandate key (pacing.*) -> £
    fund_net_cash_flow_gbp: float | None = None  # the fund's own, before the programme (a year)
    years_needing_sales: list[int] = Field(default_factory=list)
    years: list[PacingYear] = Field(default_factory=list)
    classes: list[PacingClass] = Field(default_factory=list)
    diagnosis: list[PacingDiagnosis] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def reached(self) -> bool:
        """True when the value at work reaches the target by the target year and stays there."""
        return self.reached_year is not None and self.reached_year <= self.target_year


class TargetRange(_Part):
    """The fund's local investment target range, as shares of the whole fund."""

    min: float
    max: float


class LocalDistrict(_Part):
    """The money counted as local investment in one district, and the groups the district is in."""

    code: str  # ONS code
    name: str
    gbp: float
    county: str | None = None  # None: a unitary district in no county
    combined_authority: str | None = None  # None: in no combined authority


class LocalGroup(_Part):
    """The money counted as local investment in one county or combined authority."""

    kind: Literal["county", "combined_authority"]
    name: str
    gbp: float


class NotCounted(_Part):
    """A holding whose money does not count as local investment, and why."""

    id: str
    name: str
    asset_class: str
    amount_gbp: float
    reason: str


class LocalKpis(_Part):
    """The impact of the money counted as local investment, as the run's impact accounting counts
    it (portfolio.impact); None means unknown or not recorded, never zero."""

    jobs: float | None = None  # gross
    jobs_net: float | None = None  # after additionality
    jobs_per_gbp_m: float | None = None  # gross jobs per £1m counted
    affordable_homes: float | None = None
    affordable_homes_net: float | None = None
    homes_per_gbp_m: float | None = None  # affordable homes per £1m counted
    affordable_share_of_homes: float | None = None  # None: the candidates record no other homes
    renewable_capacity_mw: float | None = None  # None: not in the candidate data
    co2_avoided_t: float | None = None  # tonnes CO2e a year, gross
    co2_avoided_t_net: float | None = None
    sme_holdings: int = 0  # holdings in SME finance: holdings, not firms financed
    sme_finance_gbp: float = 0.0
    deprived_share: float | None = None  # of the money counted, in deprivation deciles 1-3
    return_given_up_bp: float | None = None  # the whole allocation's, against the UK benchmark
    notes: list[str] = Field(default_factory=list)


class LocalPeer(_Part):
    """A published local portfolio, for scale; the per-£1m figures are worked out from it."""

    name: str
    as_of: str
    status: str
    source: str
    committed_gbp: float
    fund_size_gbp: float
    share_of_fund: float
    jobs: float
    homes: float  # all homes funded, not only affordable ones
    jobs_per_gbp_m: float
    homes_per_gbp_m: float


class LocalFlag(_Part):
    """A candidate whose claimed jobs or homes per £1m are far above the peer's."""

    id: str
    name: str
    figure: Literal["jobs_per_gbp_m", "affordable_homes_per_gbp_m"]  # the candidate column
    claimed: float
    peer: float
    times: float  # claimed over the peer's


class LocalInvestment(_Part):
    """The annual local investment report under the 2026 rules (portfolio.local_investment): the
    money counted as local over the whole fund against the target range (comply or explain), where
    it is, what is not counted and why, its impact beside a published peer, and the candidates
    whose claims are far above the peer's. `status`: 'allocated', or 'no_allocation' (no allocation
    meets the mandate: nothing is counted, the share and the test are null; the flags still stand)."""

    status: Literal["allocated", "no_allocation"] = "allocated"
    share_of_fund: float | None = None  # counted_gbp / fund_size_gbp; None without a fund size
    fund_size_gbp: float | None = None
    target_range: TargetRange
    within_range: bool | None = None  # None without a fund size
    counted_asset_classes: list[str] = Field(default_factory=list)
    counted_gbp: float = 0.0
    by_district: list[LocalDistrict] = Field(default_factory=list)
    by_group: list[LocalGroup] = Field(default_factory=list)
    not_counted: list[NotCounted] = Field(default_factory=list)
    kpis: LocalKpis = Field(default_factory=LocalKpis)
    peer: LocalPeer | None = None
    flag_multiple: float  # a claim above this many times the peer's is flagged
    flags: list[LocalFlag] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class ComparisonRun(_Part):
    seconds: float
    notes: list[str] = Field(default_factory=list)


class ScreenRecord(_Part):
    """One candidate of the screen: eligible or why not, its score and how sure the rank is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    local_authority: str
    eligible: bool
    reasons: list[str] = Field(default_factory=list)
    score: float | None = None
    pillars: dict[str, float | None] = Field(default_factory=dict)
    rank: int | None = None
    missing: list[str] = Field(default_factory=list)
    filled: dict[str, str] = Field(default_factory=dict)
    confidence: float | None = None
    evidence_factor: float | None = None
    contributions: dict[str, float | None] = Field(default_factory=dict)
    rank_interval: list[int] | None = None
    top_k_probability: float | None = None


PORTFOLIOS = ("portfolio", "uk", "city_weighted")


class RunResult(_Part):
    """One run: the allocation (or its diagnosis), what binds it, the frontier, the comparison with
    both benchmarks, the screen it stood on, and where every input came from."""

    status: str
    target_gbp: float
    mandate: str
    objective: str
    places: list[str] = Field(default_factory=list)  # the mandate's places (ONS codes), in its order
    allocations: list[Holding] = Field(default_factory=list)
    portfolio: PortfolioResult = Field(default_factory=PortfolioResult)
    diagnosis: list[Diagnosis] = Field(default_factory=list)
    binding: list[Binding] = Field(default_factory=list)
    frontier: list[FrontierPoint] = Field(default_factory=list)
    frontier_note: str | None = None  # why points asked for are missing (very large universes)
    solver: Solver = Field(default_factory=Solver)
    checks: Checks = Field(default_factory=Checks)
    risk_model: str = "factor model"
    screen_settings: ScreenSettings | None = None
    provenance: dict[str, Source] = Field(default_factory=dict)
    place_names: dict[str, str] = Field(default_factory=dict)  # ONS code -> name, every place named
    # the mandate's places as a person reads them: each group they were written as, then districts
    place_words: list[str] = Field(default_factory=list)
    benchmarks: Benchmarks | None = None
    fiduciary: Fiduciary | None = None
    stress: list[Stress] | None = None
    projection: Projection | None = None
    pacing: Pacing | None = None
    local_investment: LocalInvestment | None = None
    summary: str | None = None
    comparison: ComparisonRun | None = None
    screen: list[ScreenRecord] | None = None

    @property
    def feasible(self) -> bool:
        """True when there is an allocation to show."""
        return self.status in ("optimal", "optimal_inaccurate", "time_limit")

    @property
    def compared(self) -> bool:
        """True when the comparison with the benchmarks was made."""
        return self.benchmarks is not None and self.fiduciary is not None

    def figures(self, portfolio: str) -> PortfolioResult | BenchmarkFigures:
        """The figures of 'portfolio', 'uk' or 'city_weighted' (the benchmarks only once compared)."""
        if portfolio == "portfolio":
            return self.portfolio
        if self.benchmarks is None:
            raise KeyError(portfolio)
        return self.benchmarks.uk if portfolio == "uk" else self.benchmarks.city_weighted

    def where(self) -> list[str]:
        """The mandate's places for a sentence: its groups and districts (its districts' names for
        a run saved before groups were recorded)."""
        return self.place_words or [self.place(c) for c in self.places]

    def place(self, code: str) -> str:
        """A place's name (its code when the run did not name it)."""
        return self.place_names.get(code, code)

    def worst_stress(self) -> Stress | None:
        """The stress scenario in which the allocation loses most (the first of a tie, in the
        scenarios' order): the one the summary sentence, the paper and the CLI text all name."""
        known = [s for s in self.stress or [] if s.portfolio_loss_gbp is not None]
        return max(known, key=lambda s: s.portfolio_loss_gbp or 0.0, default=None)

    def to_json(self) -> dict:
        """The public JSON document: every key that was set, in the model's order."""
        return self.model_dump(mode="json", exclude_unset=True)
