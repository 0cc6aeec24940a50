"""Impact accounting: one function, applied identically to the allocation and both benchmarks.

For money in **candidates** (amounts in £, per-£1m figures as the screen used them, blanks filled
by the screen's cautious rules and listed in the notes):
- gross jobs = sum(amount / £1m x jobs_per_gbp_m); net jobs = gross x additionality, where
  additionality is the share of the impact that would not happen anyway (1 - deadweight);
- affordable homes and tonnes CO2e avoided a year: the same, gross and net;
- local spend retained = sum(local_spend_share x amount), counting only holdings in the mandate's
  places (`..._all_places_gbp` counts it wherever the money lands);
- deprived share = share of the money in neighbourhoods of deprivation decile 1-3 (each nation's
  own index); a candidate that gives no decile counts by its district's decile on the composite
  UK index in the bundled places table (`uk_deprivation_decile`), and the notes say for how much;
- social value = net quantity x £ proxy per unit (data/social_value_proxies.csv); a blank proxy
  is not valued. Attribution: the per-£1m figures are already per £1m of this fund's money, so no
  further attribution is applied; displacement is not modelled;
- local share = share of the money in the mandate's places.

For money in **listed UK proxies** (the UK benchmark) nothing is reported by the companies, so:
jobs, homes, carbon and social value are unknown (None, never 0); the money is assumed to land in
places in proportion to population, so its local share is the mandate places' share of the UK
population (the bundled mid-2020 estimates of all 361 districts; a places table of fewer
districts falls back to the England and Wales Census 2021 total), its local spend retained is the lowest published
retention (40p in the £, a large company) on that share, and about 30% of it is in deciles 1-3
(deciles are tenths of neighbourhoods of similar population).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from portfolio.holdings import Holdings
from screening import vocabulary
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference
from screening.scoring import LOWEST_RETENTION_TYPE
from screening.screen import Screen

ENGLAND_AND_WALES_POPULATION = 59_597_300  # ONS Census 2021, published: for a partial places table
UK_DISTRICTS = 361  # a places table with every UK district: its populations add up to the UK's
DEPRIVED_DECILES = 3  # deciles 1-3 count as the most deprived areas
LISTED_DEPRIVED_SHARE = DEPRIVED_DECILES / 10  # money spread by population: 3 tenths of neighbourhoods
QUANTITY_OF = {"jobs": "jobs", "co2_avoided": "co2_avoided_t", "affordable_homes": "affordable_homes"}
_PER_GBP_M = {
    "jobs": "jobs_per_gbp_m",
    "affordable_homes": "affordable_homes_per_gbp_m",
    "co2_avoided_t": "co2_avoided_t_per_gbp_m",
}


@dataclass(frozen=True)
class ImpactBasis:
    """What the accounting reads: the screen's per-candidate figures (blanks filled) and the tables."""

    values: pd.DataFrame  # per candidate: jobs_per_gbp_m, local_spend_share, ..., additionality
    filled: pd.DataFrame  # the rule that filled each blank, "" where reported
    place_of: pd.Series  # candidate -> ONS code
    mandate_places: list[str]
    population: pd.Series  # ONS code -> population
    nation: pd.Series  # ONS code -> England, Wales, Scotland, Northern Ireland
    social_value: pd.DataFrame  # metric -> gbp_per_unit (blank = not valued)
    listed_retention: float  # lowest published retention, used for listed holdings
    district_decile: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # ONS code -> decile

    def deprivation_deciles(self, candidates: pd.Index) -> tuple[pd.Series, pd.Series]:
        """Each candidate's decile for the deprived share, and whether it is its district's: the
        decile it reported, else its district's on the composite UK index, else the screen's fill."""
        own = self.values.loc[candidates, "imd_decile"].astype(float)
        unreported = self.filled.loc[candidates, "imd_decile"] != ""
        district = self.district_decile.reindex(self.place_of.loc[candidates]).to_numpy(dtype=float)
        use = unreported.to_numpy() & ~np.isnan(district)
        return own.where(~use, district), pd.Series(use, index=candidates)

    @property
    def whole_population(self) -> tuple[float, str]:
        """The population listed holdings spread over, and what it is: the UK's, from a places
        table of every district; else England and Wales's Census 2021 count."""
        if len(self.population) >= UK_DISTRICTS:
            return float(self.population.sum()), "the UK's"
        return float(ENGLAND_AND_WALES_POPULATION), "England and Wales's (Census 2021)"

    @property
    def listed_local_share(self) -> float:
        """The mandate places' share of the population listed holdings spread over."""
        people = float(self.population.reindex(self.mandate_places).fillna(0.0).sum())
        return people / self.whole_population[0]


def impact_basis(frame: pd.DataFrame, screen: Screen, mandate: Mandate, reference: Reference) -> ImpactBasis:
    """The basis for a run: the screen's filled values, exactly as the allocation used them."""
    retention = reference.retention["retention_share"]
    return ImpactBasis(
        values=screen.scores.values,
        filled=screen.scores.filled,
        place_of=frame["local_authority"],
        mandate_places=list(mandate.places),
        population=reference.places["population"].astype(float),
        nation=reference.places["nation"],
        social_value=reference.social_value,
        listed_retention=float(retention.get(LOWEST_RETENTION_TYPE, retention.min())),
        district_decile=(
            reference.places["uk_deprivation_decile"].astype(float)
            if "uk_deprivation_decile" in reference.places
            else pd.Series(dtype=float)
        ),
    )


@dataclass(frozen=True)
class ImpactTotals:
    """Impact of one portfolio. None means unknown (never zero in disguise)."""

    jobs: float | None  # gross job-years supported
    jobs_net: float | None  # after additionality
    jobs_in_places: float | None  # gross, in the mandate's places
    local_spend_retained_gbp: float  # kept circulating in the mandate's places
    local_spend_retained_all_places_gbp: float  # kept local wherever the money lands
    affordable_homes: float | None
    affordable_homes_net: float | None
    co2_avoided_t: float | None  # tonnes CO2e avoided a year
    co2_avoided_t_net: float | None
    deprived_share: float  # share of the money in deprivation deciles 1-3
    social_value_gbp: float | None
    social_value_by_metric: dict[str, float | None]
    local_share: float  # share of the money whose activity lands in the mandate's places
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON form (numbers rounded to 6 decimals; the notes as `impact_notes`)."""
        return {("impact_notes" if k == "notes" else k): _rounded(v) for k, v in asdict(self).items()}


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6) + 0.0 if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def impact_totals(holdings: Holdings, basis: ImpactBasis) -> ImpactTotals:
    """The impact of `holdings` (candidates and listed proxies) under one set of conventions."""
    money = holdings.candidates
    values = basis.values.loc[money.index]
    per_m = money / 1e6
    local = basis.place_of.loc[money.index].isin(basis.mandate_places)
    listed_total = float(holdings.listed.sum())
    total = money.sum() + listed_total
    listed_share = basis.listed_local_share
    gross = {name: float(per_m @ values[column]) for name, column in _PER_GBP_M.items()}
    net = {
        name: float((per_m * values["additionality"]) @ values[column]) for name, column in _PER_GBP_M.items()
    }
    known = listed_total == 0  # listed proxies report no jobs, homes or carbon
    retained = money * values["local_spend_share"]
    social = _social_value(net, basis) if known else dict.fromkeys(basis.social_value.index)
    valued = [v for v in social.values() if v is not None]
    return ImpactTotals(
        jobs=gross["jobs"] if known else None,
        jobs_net=net["jobs"] if known else None,
        jobs_in_places=float(per_m[local] @ values.loc[local, "jobs_per_gbp_m"]) if known else None,
        local_spend_retained_gbp=float(retained[local].sum())
        + basis.listed_retention * listed_share * listed_total,
        local_spend_retained_all_places_gbp=float(retained.sum()) + basis.listed_retention * listed_total,
        affordable_homes=gross["affordable_homes"] if known else None,
        affordable_homes_net=net["affordable_homes"] if known else None,
        co2_avoided_t=gross["co2_avoided_t"] if known else None,
        co2_avoided_t_net=net["co2_avoided_t"] if known else None,
        deprived_share=_share(
            money[basis.deprivation_deciles(money.index)[0] <= DEPRIVED_DECILES].sum()
            + LISTED_DEPRIVED_SHARE * listed_total,
            total,
        ),
        social_value_gbp=float(sum(valued)) if known else None,
        social_value_by_metric=social,
        local_share=_share(money[local].sum() + listed_share * listed_total, total),
        notes=_notes(holdings, basis, social) if total > 0 else [],
    )


def _share(part: float, total: float) -> float:
    return float(part / total) if total > 0 else 0.0


def _social_value(net: dict[str, float], basis: ImpactBasis) -> dict[str, float | None]:
    """Net quantity x £ per unit for each proxy; None where the proxy is blank (not valued)."""
    result: dict[str, float | None] = {}
    for metric, price in basis.social_value["gbp_per_unit"].items():
        quantity = QUANTITY_OF.get(str(metric))
        if quantity is None or pd.isna(price):
            result[str(metric)] = None
            continue
        result[str(metric)] = net[quantity] * float(price)
    return result


def _notes(holdings: Holdings, basis: ImpactBasis, social: dict[str, float | None]) -> list[str]:
    """The conventions behind these figures, in words: fills used, values left out, listed assumptions."""
    notes = []
    if not holdings.candidates.empty:
        notes += _fill_notes(holdings.candidates, basis)
        by_district = basis.deprivation_deciles(holdings.candidates.index)[1]
        if by_district.any():
            notes.append(
                f"£{holdings.candidates[by_district].sum() / 1e6:,.1f}m of the money gives no deprivation decile: "
                "the deprived share counts it by its district's decile on the composite UK index "
                "(places.csv), not by its neighbourhood's."
            )
        nations = sorted(set(basis.nation.reindex(basis.place_of.loc[holdings.candidates.index]).dropna()))
        if len(nations) > 1:
            notes.append(
                f"The deprived share adds up deciles of different indices ({', '.join(nations)}: each nation "
                "has its own), which are not comparable with each other."
            )
        unvalued = [m for m, v in social.items() if v is None]
        if unvalued:
            notes.append(
                f"Social value leaves out {', '.join(m.replace('_', ' ') for m in unvalued)}: no £ value is bundled "
                "(enter your own in social_value_proxies.csv)."
            )
    if not holdings.listed.empty:
        people = float(basis.population.reindex(basis.mandate_places).fillna(0.0).sum())
        whole, whose = basis.whole_population
        outside = (
            " Scotland and Northern Ireland are not in this denominator."
            if whose.startswith("England")
            else ""
        )
        notes += [
            "Listed proxies report no jobs, homes or carbon: those figures and social value are unknown "
            "(null), not zero.",
            f"Listed holdings are assumed to land in places in proportion to population: the mandate's "
            f"places hold {people:,.0f} of {whose} {whole:,.0f} people, so "
            f"{basis.listed_local_share:.2%} of the money.{outside}",
            f"Local spend retained on listed holdings uses the lowest published retention "
            f"({basis.listed_retention * 100:.0f}p in the £, a large company) on that share: an assumption.",
            f"About {LISTED_DEPRIVED_SHARE:.0%} of money spread by population is in deprivation deciles "
            f"1-{DEPRIVED_DECILES} (deciles are tenths of neighbourhoods of similar population): an assumption.",
        ]
    return notes


def _fill_notes(money: pd.Series, basis: ImpactBasis) -> list[str]:
    """One line per figure some holding did not report: who, how much money, and the rule used."""
    notes = []
    columns = [*_PER_GBP_M.values(), "local_spend_share", "imd_decile", "additionality"]
    rules = basis.filled.loc[money.index, columns]
    for column in columns:
        gaps = rules[column][rules[column] != ""]
        if gaps.empty:
            continue
        who = ", ".join(f"{c} ({gaps[c]})" for c in gaps.index)
        notes.append(
            f"The {vocabulary.column(column)} was not reported for £{money[gaps.index].sum() / 1e6:,.1f}m "
            "of the money; "
            f"the screen's cautious value stands in: {who}."
        )
    return notes
