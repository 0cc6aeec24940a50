"""The screen: eligibility, scores, ranks and rank stability for every candidate, in one table.

`run_screen` is what the CLI and the app call; `screen_records` gives the JSON contract.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from screening.eligibility import eligibility
from screening.metrics import PILLARS
from screening.reading.candidates import Universe
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference
from screening.scoring import EVIDENCE_RULE, Scores, score
from screening.stability import RANKED, TIE_GRID, StabilitySettings, draws_for, rank_stability


@dataclass(frozen=True)
class Screen:
    """Result of a screen: one row per candidate (index = id, in file order) and the working."""

    table: (
        pd.DataFrame
    )  # name, eligible, reasons, score, pillars, confidence, rank, rank_low, rank_high, p_top_k
    scores: Scores
    settings: StabilitySettings

    @property
    def eligible(self) -> pd.DataFrame:
        """Eligible candidates, best first."""
        return self.table[self.table["eligible"]].sort_values("rank")

    @property
    def draws_used(self) -> int:
        """The weight draws rank stability made: as asked, fewer for a very large universe."""
        return draws_for(self.settings.draws, int(self.table["eligible"].sum()))

    @property
    def stability_note(self) -> str | None:
        """Why rank stability made fewer draws than asked, when it did."""
        if self.draws_used >= self.settings.draws:
            return None
        return (
            f"Rank stability used {self.draws_used:,} weight draws, not {self.settings.draws:,}: with "
            f"{int(self.table['eligible'].sum()):,} eligible candidates, at most {RANKED:,} "
            "candidate-draws are made, so memory and time stay bounded."
        )


# the mandate's keys a screen reads (eligibility, scores, ranks): two mandates that agree on these
# have the same screen, so a shell may keep one screen for both (a cap per candidate changes no rank)
SCREEN_KEYS = (
    "places",
    "excluded_sectors",
    "min_candidate_return",
    "max_candidate_volatility",
    "min_evidence_quality",
    "max_lockup_years",
    "weights",
    "metric_weights",
)


def screen_key(mandate: Mandate) -> str:
    """The part of a mandate a screen depends on, as JSON (for a shell's cache key)."""
    return mandate.model_dump_json(include=set(SCREEN_KEYS))


def run_screen(
    universe: Universe,
    mandate: Mandate,
    reference: Reference,
    settings: StabilitySettings | None = None,
) -> Screen:
    """Screen every candidate under the mandate: who is eligible, how each scores and ranks."""
    settings = settings or StabilitySettings()
    frame = universe.frame
    scores = score(frame, mandate, reference)
    table = pd.concat(
        [frame[["name", "local_authority", "sector", "asset_class"]], eligibility(frame, mandate, reference)],
        axis=1,
    )
    table = table.join(scores.pillars).join(scores.confidence).join(scores.evidence)
    table["rank"] = _ranks(table)
    weights = np.array([getattr(mandate.weights, p) for p in PILLARS], dtype=float)
    stability = rank_stability(scores.pillars.loc[table["eligible"], list(PILLARS)], weights, settings)
    table = table.join(stability)
    return Screen(table=table, scores=scores, settings=settings)


def _ranks(table: pd.DataFrame) -> pd.Series:
    """1 = best eligible score; ties broken by id; NA for ineligible candidates.

    Scores are compared on the same grid as in rank stability, so scores equal but for float
    rounding tie (and the rank agrees with the rank interval when one pillar has all the weight).
    """
    eligible = table[table["eligible"]]
    key = np.round(eligible["score"].to_numpy(dtype=float) * TIE_GRID)
    order = (
        eligible.assign(_key=key, _id=eligible.index)
        .sort_values(["_key", "_id"], ascending=[False, True])
        .index
    )
    ranks = pd.Series(pd.NA, index=table.index, dtype="Int64")
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def _number(value: object, digits: int = 4) -> float | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits) + 0.0  # type: ignore[arg-type]  # + 0.0 turns -0.0 into 0.0


def screen_document(
    screen: Screen, universe: Universe, mandate: Mandate, reference: Reference
) -> dict[str, object]:
    """The whole screen as JSON-ready data: settings, provenance and one entry per candidate."""
    return {
        "mandate": mandate.name,
        "weights": mandate.weights.model_dump(),
        "rank_stability": {
            "draws": screen.settings.draws,
            "draws_used": screen.draws_used,
            "concentration": screen.settings.concentration,
            "top_k": screen.settings.top_k,
            "seed": screen.settings.seed,
            "percentiles": [5, 95],
        },
        "provenance": {
            "candidates": universe.provenance.as_dict(),
            **{name: p.as_dict() for name, p in reference.provenance.items()},
        },
        "eligible": int(screen.table["eligible"].sum()),
        "candidates": screen_records(screen),
    }


def screen_records(screen: Screen) -> list[dict[str, object]]:
    """The JSON contract: one entry per input row, in file order (columns read once as lists, so
    175,000 candidates take seconds, not minutes of row-by-row lookups)."""
    table, scores = screen.table, screen.scores
    ids = list(table.index)
    column = {name: table[name].astype(object).tolist() for name in _RECORD_COLUMNS}
    contributions = scores.contributions.reindex(ids)
    metrics = [str(m) for m in contributions.columns]
    filled = scores.filled.reindex(ids)
    rules = [str(m) for m in filled.columns]
    known = scores.evidence_known.reindex(ids).astype(bool).tolist()
    records = []
    for i, (candidate, filled_row, parts) in enumerate(
        zip(
            ids,
            filled.to_numpy(dtype=object).tolist(),
            contributions.to_numpy(dtype=float).tolist(),
            strict=True,
        )
    ):
        fills = {m: rule for m, rule in zip(rules, filled_row, strict=True) if rule}
        if not known[i]:
            fills["evidence_quality"] = EVIDENCE_RULE
        eligible = bool(column["eligible"][i])
        rank = column["rank"][i]
        records.append(
            {
                "id": candidate,
                "name": column["name"][i],
                "local_authority": column["local_authority"][i],
                "eligible": eligible,
                "reasons": list(column["reasons"][i]),
                "score": _number(column["score"][i], 2),
                "pillars": {p: _number(column[p][i], 2) for p in PILLARS},
                "rank": None if rank is None or rank is pd.NA else int(rank),
                "missing": list(fills),
                "filled": fills,
                "confidence": _number(column["confidence"][i], 3),
                "evidence_factor": _number(column["evidence_factor"][i], 3),
                "contributions": {m: _number(v, 3) for m, v in zip(metrics, parts, strict=True)},
                "rank_interval": _interval(eligible, column["rank_low"][i], column["rank_high"][i]),
                "top_k_probability": _number(column["p_top_k"][i], 4),
            }
        )
    return records


_RECORD_COLUMNS = (
    "name",
    "local_authority",
    "eligible",
    "reasons",
    "score",
    *PILLARS,
    "rank",
    "confidence",
    "evidence_factor",
    "rank_low",
    "rank_high",
    "p_top_k",
)


def _interval(eligible: bool, low: object, high: object) -> list[int] | None:
    if not eligible or low is None or pd.isna(low):
        return None
    return [int(low), int(high)]  # type: ignore[call-overload]
