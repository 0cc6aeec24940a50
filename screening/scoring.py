"""Score every candidate 0-100 on three pillars and a weighted composite, with the working shown.

Steps, all vectorised over the candidates:
1. raw metric values from the candidate columns (risk-adjusted return from expected return, the
   gilt rate and volatility; ownership type to an ownership score);
2. unknown values filled by a stated, conservative rule and recorded per candidate;
3. each metric put on its fixed 0-100 scale (screening.metrics);
4. pillar scores as weighted means of their metrics, impact pillars scaled by evidence quality;
5. the composite as the weighted mean of the pillars, and each metric's contribution to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from screening.metrics import (
    BY_NAME,
    EVIDENCE_FLOOR,
    IMPACT_PILLARS,
    METRICS,
    OWNERSHIP_SCORE,
    PILLARS,
    evidence_factor,
)
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference

LOWEST_RETENTION_TYPE = "large_or_multinational"
REFERENCE_VOLATILITY = 0.10  # below gilts: shortfall x max(volatility, 0.10) / 0.10^2


@dataclass(frozen=True)
class Scores:
    """Scores (index = candidate id) and the working behind them, metric by metric."""

    pillars: pd.DataFrame  # financial, local_economy, social (after the evidence discount), score
    values: pd.DataFrame  # the metric values used, fills included
    metric_scores: pd.DataFrame  # each metric on its 0-100 scale
    contributions: pd.DataFrame  # points each metric adds to the composite score (rows sum to it)
    filled: pd.DataFrame  # the rule that filled an unknown value, "" where the value was given
    confidence: pd.Series  # share of the composite's weight resting on reported data
    evidence: pd.Series  # multiplier applied to the impact pillars
    evidence_known: pd.Series  # False where evidence quality was blank (counted as 1, anecdotal)

    def fill_rules(self, candidate: str) -> dict[str, str]:
        """Each figure this candidate did not report, with the rule that stood in for it."""
        rules = {m: rule for m, rule in self.filled.loc[candidate].items() if rule}
        if not bool(self.evidence_known.loc[candidate]):
            rules["evidence_quality"] = EVIDENCE_RULE
        return rules

    def missing_metrics(self, candidate: str) -> list[str]:
        """The scored metrics this candidate did not report (each lowers its confidence)."""
        row = self.filled.loc[candidate]
        return [m for m in row.index if row[m]]

    def missing(self, candidate: str) -> list[str]:
        """The figures this candidate did not report (scored metrics, and evidence quality)."""
        return list(self.fill_rules(candidate))


EVIDENCE_RULE = f"lowest quality, 1 (impact pillars x {EVIDENCE_FLOOR:g})"  # a blank evidence quality


def gilt_rate(reference: Reference) -> float:
    """Risk-free rate for the risk-adjusted return: the gilts assumption."""
    return float(reference.assumptions.at["gilts", "expected_return"])


def raw_values(frame: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """Metric values straight from the candidate columns (NaN where unknown)."""
    excess = frame["expected_return"] - gilt_rate(reference)
    volatility = frame["volatility"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        # No volatility: any excess is infinitely good; none at all is a ratio of 0 (not NaN, which
        # would read as an unknown value and be filled). Below gilts, excess / volatility would
        # reward *more* risk, so a shortfall is divided by REFERENCE_VOLATILITY instead and grows
        # with volatility above it: less risk never lowers the score, and below gilts never
        # scores as well as gilts.
        above = np.where(
            volatility > 0,
            excess / np.where(volatility > 0, volatility, 1),
            np.where(excess == 0, 0.0, np.inf),
        )
        below = excess * np.maximum(volatility, REFERENCE_VOLATILITY) / REFERENCE_VOLATILITY**2
        ratio = np.where(excess >= 0, above, below)
    values = pd.DataFrame(index=frame.index)
    values["risk_adjusted_return"] = ratio
    values["income_yield"] = frame["income_yield"]
    values["liquidity"] = frame["liquidity_years"]
    values["ownership"] = frame["ownership"].map(OWNERSHIP_SCORE).astype(float)
    for metric in METRICS:  # the rest are candidate columns of the same name
        if metric.name not in values:
            values[metric.name] = frame[metric.name].astype(float)
    return values[[m.name for m in METRICS]]


def fill_unknown(
    values: pd.DataFrame, frame: pd.DataFrame, reference: Reference
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill unknown values conservatively; return the filled values and the rule used per cell.

    Local spend share falls back to the retention rate of the candidate's ownership type (the
    63p / 40p figures), or to the lowest published rate when the type is unknown too. Any other
    unknown takes the value a quarter of the way in from the worse end of the values other
    candidates report (their lower quartile when higher is better), or the worst end of the scale
    when no candidate reports it.
    """
    filled = values.copy()
    rules = pd.DataFrame("", index=values.index, columns=values.columns)
    retention = reference.retention["retention_share"]
    spend = values["local_spend_share"]
    by_type = frame["ownership"].map(retention).astype(float)
    lowest = float(retention.get(LOWEST_RETENTION_TYPE, retention.min()))
    fallback = by_type.fillna(lowest)
    unknown = spend.isna()
    filled.loc[unknown, "local_spend_share"] = fallback[unknown]
    rules.loc[unknown, "local_spend_share"] = [
        f"retention for ownership '{t}' ({v:.2f})"
        if isinstance(t, str) and not np.isnan(b)
        else f"lowest published retention ({lowest:.2f}, {LOWEST_RETENTION_TYPE})"
        for t, v, b in zip(frame.loc[unknown, "ownership"], fallback[unknown], by_type[unknown], strict=True)
    ]
    for name in values.columns.drop("local_spend_share"):
        column = values[name]
        gaps = column.isna()
        if gaps.any():
            value, rule = _conservative_value(name, column.dropna())
            filled.loc[gaps, name] = value
            rules.loc[gaps, name] = rule
    return filled, rules


def _conservative_value(name: str, known: pd.Series) -> tuple[float, str]:
    metric = BY_NAME[name]
    if known.empty:
        return metric.worst, f"worst end of the scale ({metric.worst:g}): no candidate reports it"
    higher_is_better = metric.best > metric.worst
    value = float(known.quantile(0.25 if higher_is_better else 0.75))
    side = "lower" if higher_is_better else "upper"
    return value, f"{side} quartile of the {len(known)} candidates that report it ({value:.3g})"


def metric_scores(values: pd.DataFrame) -> pd.DataFrame:
    """Each metric on its fixed 0-100 scale, clipped at both ends."""
    worst = np.array([m.worst for m in METRICS])
    best = np.array([m.best for m in METRICS])
    scaled = (values.to_numpy(dtype=float) - worst) / (best - worst)
    return pd.DataFrame(np.clip(scaled, 0.0, 1.0) * 100.0, index=values.index, columns=values.columns)


def metric_weights(overrides: Mapping[str, float] | None = None) -> pd.Series:
    """Weight of each metric within its pillar (1 each unless the mandate says otherwise)."""
    weights = pd.Series(1.0, index=[m.name for m in METRICS])
    for name, weight in (overrides or {}).items():
        weights[name] = float(weight)
    return weights


def composite_weights(mandate: Mandate) -> pd.Series:
    """Each metric's share of the composite: pillar share x its share within the pillar."""
    pillar = pd.Series(mandate.weights.model_dump(), dtype=float)
    pillar = pillar / pillar.sum()
    within = metric_weights(mandate.metric_weights)
    pillar_of = pd.Series({m.name: m.pillar for m in METRICS})
    totals = within.groupby(pillar_of).transform("sum")
    share = (within / totals.where(totals > 0, 1.0)).fillna(0.0)
    return share * pillar_of.map(pillar)


def score(frame: pd.DataFrame, mandate: Mandate, reference: Reference) -> Scores:
    """Score every candidate in `frame` (eligible or not) under the mandate's weights."""
    values, rules = fill_unknown(raw_values(frame, reference), frame, reference)
    scaled = metric_scores(values)
    evidence = frame["evidence_quality"].astype(float).map(evidence_factor).rename("evidence_factor")
    weights = composite_weights(mandate)
    discount = pd.DataFrame(
        {m.name: evidence if m.pillar in IMPACT_PILLARS else 1.0 for m in METRICS}, index=frame.index
    )
    contributions = scaled * discount * weights
    pillars = _pillar_scores(scaled * discount, mandate)
    pillars["score"] = contributions.sum(axis=1)
    known_weight = (rules == "").astype(float) @ weights
    known_evidence = frame["evidence_quality"].notna().rename("evidence_known")
    return Scores(
        pillars,
        values,
        scaled,
        contributions,
        rules,
        known_weight.rename("confidence"),
        evidence,
        known_evidence,
    )


def _pillar_scores(discounted: pd.DataFrame, mandate: Mandate) -> pd.DataFrame:
    within = metric_weights(mandate.metric_weights)
    result = pd.DataFrame(index=discounted.index)
    for pillar in PILLARS:
        names = [m.name for m in METRICS if m.pillar == pillar]
        w = within[names]
        total = w.sum()
        result[pillar] = discounted[names] @ (w / total) if total > 0 else 0.0
    return result
