"""Facts about a validated set of inputs, for the CLI's summary and the app's data page."""

from __future__ import annotations

import math
from dataclasses import dataclass

from screening.reading.candidates import Universe
from screening.reading.mandate import Mandate
from screening.reading.place_groups import place_words
from screening.reading.reference import Reference


@dataclass(frozen=True)
class InputSummary:
    """What a committee member would want to know before trusting a run's inputs."""

    candidates: int
    places: int
    sectors: int
    asset_classes: int
    local_candidates: int
    local_capacity_gbp: float
    place_names: list[str]
    target_gbp: float
    fund_size_gbp: float | None
    limits_stated: list[str]

    @property
    def target_share_of_fund(self) -> float | None:
        """The mandate's target as a share of the whole fund, when the fund size is given."""
        return self.target_gbp / self.fund_size_gbp if self.fund_size_gbp else None


_LIMITS = (
    "max_volatility",
    "min_expected_return",
    "max_candidate_share",
    "min_evidence_quality",
    "max_lockup_years",
    "min_impact_score",
    "max_illiquid_share",
    "min_holdings",
    "tolerance_bp",
)


def summarise(universe: Universe, mandate: Mandate, reference: Reference) -> InputSummary:
    """Counts and capacity of the candidates, and which limits the mandate states."""
    frame = universe.frame
    local = frame[frame["local_authority"].isin(mandate.places)]
    capacity = float(local["max_ticket_gbp"].sum())
    limits = [name for name in _LIMITS if getattr(mandate, name) is not None]
    limits += [f"sector_caps.{k}" for k in mandate.sector_caps]
    limits += [f"asset_class_caps.{k}" for k in mandate.asset_class_caps]
    limits += [f"excluded_sectors.{k}" for k in mandate.excluded_sectors]
    return InputSummary(
        candidates=len(frame),
        places=frame["local_authority"].nunique(),
        sectors=frame["sector"].nunique(),
        asset_classes=frame["asset_class"].nunique(),
        local_candidates=len(local),
        local_capacity_gbp=capacity if math.isfinite(capacity) else math.inf,
        place_names=place_words(
            mandate.places, mandate.place_groups, reference.places["name"].to_dict(), reference.groups
        ),
        target_gbp=mandate.target_gbp,
        fund_size_gbp=mandate.fund_size_gbp,
        limits_stated=limits,
    )


RETENTION_SHOWN = {"retention_local_sme": "local_sme", "retention_large": "large_or_multinational"}


def retention_figures(reference: Reference) -> dict[str, float]:
    """The local-retention rates the story opens with (63p against 40p in the bundled table),
    read from the reference tables given; a rate the table does not have is left out."""
    table = reference.retention
    return {
        key: float(table.loc[ownership, "retention_share"])
        for key, ownership in RETENTION_SHOWN.items()
        if ownership in table.index
    }
