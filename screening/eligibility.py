"""Which candidates the local mandate may invest in, with every reason a candidate is excluded.

Candidates outside the mandate's places stay in the result, marked ineligible, because the
city-weighted benchmark invests in them. Unknown evidence quality or lock-up fails a hurdle on
that measure: a committee cannot show it was met.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from screening.reading.mandate import Mandate
from screening.reading.reference import Reference

Rule = tuple[pd.Series, Callable[[pd.Series], str]]


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _rules(frame: pd.DataFrame, mandate: Mandate, reference: Reference) -> list[Rule]:
    names = reference.places["name"]
    rules: list[Rule] = [
        (
            ~frame["local_authority"].isin(mandate.places),
            lambda r: (
                f"outside the mandate's places ({names.get(r['local_authority'], r['local_authority'])})"
            ),
        ),
        (
            frame["sector"].isin(mandate.excluded_sectors),
            lambda r: f"sector '{r['sector']}' is in excluded_sectors",
        ),
    ]
    if mandate.min_candidate_return is not None:
        floor = mandate.min_candidate_return
        rules.append(
            (
                frame["expected_return"] < floor,
                lambda r: (
                    f"expected return {_pct(r['expected_return'])} is below min_candidate_return {_pct(floor)}"
                ),
            )
        )
    if mandate.max_candidate_volatility is not None:
        cap = mandate.max_candidate_volatility
        rules.append(
            (
                frame["volatility"] > cap,
                lambda r: f"volatility {_pct(r['volatility'])} is above max_candidate_volatility {_pct(cap)}",
            )
        )
    if mandate.min_evidence_quality is not None:
        rules += _hurdle(
            frame["evidence_quality"].astype(float),
            mandate.min_evidence_quality,
            "min_evidence_quality",
            "evidence quality",
            below=True,
        )
    if mandate.max_lockup_years is not None:
        rules += _hurdle(
            frame["liquidity_years"],
            mandate.max_lockup_years,
            "max_lockup_years",
            "lock-up",
            below=False,
            unit=" years",
        )
    return rules


def _hurdle(values: pd.Series, limit: float, key: str, label: str, below: bool, unit: str = "") -> list[Rule]:
    """A hurdle on a measure that may be unknown: failing it and being unknown are both reasons."""
    unknown = values.isna()
    failing = (values < limit) if below else (values > limit)
    word = "below" if below else "above"
    return [
        (
            failing.fillna(False).astype(bool),
            lambda r: f"{label} {r[values.name]:g}{unit} is {word} {key} {limit:g}{unit}",
        ),
        (unknown, lambda r: f"{label} is unknown, so {key} {limit:g}{unit} cannot be shown to be met"),
    ]


def eligibility(frame: pd.DataFrame, mandate: Mandate, reference: Reference) -> pd.DataFrame:
    """`eligible` (bool) and `reasons` (list of plain-language reasons) for every candidate."""
    reasons: list[list[str]] = [[] for _ in range(len(frame))]
    for mask, describe in _rules(frame, mandate, reference):
        for position in np.flatnonzero(mask.to_numpy(dtype=bool)):
            reasons[position].append(describe(frame.iloc[position]))
    return pd.DataFrame({"eligible": [not r for r in reasons], "reasons": reasons}, index=frame.index)
