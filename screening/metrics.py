"""The metrics behind the three pillar scores, each on a fixed reference scale.

A metric scores 0 at its `worst` value and 100 at its `best`, linearly, clipped at both ends, so
one outlier cannot stretch the scale for everyone else and a candidate's score does not depend on
which other candidates are in the file. `worst` may be above `best` (lower is better, e.g. the
deprivation decile). Each metric names the Impact Management Project dimension it speaks to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Pillar = Literal["financial", "local_economy", "social"]
PILLARS: tuple[Pillar, ...] = ("financial", "local_economy", "social")
IMPACT_PILLARS: tuple[Pillar, ...] = ("local_economy", "social")


@dataclass(frozen=True)
class Metric:
    """One scored quantity: its pillar, its scale, and what it means."""

    name: str
    pillar: Pillar
    worst: float
    best: float
    label: str
    imp_dimension: str
    unit: str = ""


METRICS: tuple[Metric, ...] = (
    Metric(
        "risk_adjusted_return",
        "financial",
        -0.2,
        0.6,
        "expected return above gilts per unit of volatility",
        "Risk",
        "ratio",
    ),
    Metric("income_yield", "financial", 0.0, 0.08, "annual cash income", "How much", "share"),
    Metric("liquidity", "financial", 25.0, 0.0, "years the money is locked up", "Risk", "years"),
    Metric("jobs_per_gbp_m", "local_economy", 0.0, 25.0, "jobs per £1m invested", "How much", "jobs"),
    Metric(
        "local_spend_share",
        "local_economy",
        0.0,
        1.0,
        "share of each pound spent that stays local",
        "What",
        "share",
    ),
    Metric(
        "living_wage_share",
        "local_economy",
        0.5,
        1.0,
        "share of jobs paying at least the real living wage",
        "What",
        "share",
    ),
    Metric(
        "ownership", "local_economy", 0.0, 1.0, "local, co-operative or community ownership", "Who", "score"
    ),
    Metric(
        "imd_decile",
        "social",
        10.0,
        1.0,
        "deprivation of the site (decile 1 = most deprived 10%)",
        "Who",
        "decile",
    ),
    Metric(
        "affordable_homes_per_gbp_m",
        "social",
        0.0,
        8.0,
        "affordable homes per £1m invested",
        "How much",
        "homes",
    ),
    Metric(
        "co2_avoided_t_per_gbp_m",
        "social",
        0.0,
        400.0,
        "tonnes of CO2e avoided a year per £1m",
        "How much",
        "tCO2e",
    ),
    Metric(
        "additionality",
        "social",
        0.0,
        1.0,
        "share of the impact that would not happen anyway",
        "Contribution",
        "share",
    ),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}

# How strongly each ownership type keeps control and profit in the place (a judgement, stated
# here so a committee can question it): worker co-operatives and community ownership highest.
OWNERSHIP_SCORE: dict[str, float] = {
    "cooperative": 1.0,
    "community": 0.9,
    "local_sme": 0.8,
    "public": 0.6,
    "large_or_multinational": 0.0,
}

# Evidence quality 1..5 scales the impact pillars (the IMP "Risk" dimension: the chance impact
# differs from what is claimed): 5 counts in full, 1 counts half; unknown counts as 1.
EVIDENCE_FLOOR = 0.5


def evidence_factor(quality: float | None) -> float:
    """Multiplier on the impact pillars for a given evidence quality (None or NaN = unknown)."""
    if quality is None or quality != quality:
        quality = 1.0
    return EVIDENCE_FLOOR + (1.0 - EVIDENCE_FLOOR) * (float(quality) - 1.0) / 4.0


def metrics_of(pillar: Pillar) -> tuple[Metric, ...]:
    """The metrics of one pillar, in their fixed order."""
    return tuple(m for m in METRICS if m.pillar == pillar)
