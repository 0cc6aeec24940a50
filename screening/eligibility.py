"""Which candidates the local mandate may invest in, with every reason a candidate is excluded.

Candidates outside the mandate's places stay in the result, marked ineligible, because the
city-weighted benchmark invests in them. Unknown evidence quality or lock-up fails a hurdle on
that measure: a committee cannot show it was met.

A reason names the hurdle by its label with its mandate key in brackets (the vocabulary's
`named`), as every message does: the CLI shows the key, `plain` takes it out for the app and the
paper ("Lowest evidence quality is 2: its evidence quality is 1").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from screening.reading.mandate import Mandate
from screening.reading.reference import Reference
from screening.vocabulary import named, sector

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
            lambda r: f"{named('excluded_sectors')} include its sector, {sector(r['sector'])}",
        ),
    ]
    if mandate.min_candidate_return is not None:
        floor = mandate.min_candidate_return
        rules.append(
            (
                frame["expected_return"] < floor,
                lambda r: (
                    f"{named('min_candidate_return')} is {_pct(floor)}: "
                    f"its expected return is {_pct(r['expected_return'])}"
                ),
            )
        )
    if mandate.max_candidate_volatility is not None:
        cap = mandate.max_candidate_volatility
        rules.append(
            (
                frame["volatility"] > cap,
                lambda r: (
                    f"{named('max_candidate_volatility')} is {_pct(cap)}: its volatility is {_pct(r['volatility'])}"
                ),
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
    hurdle = f"{named(key)} is {limit:g}{unit}"
    return [
        (failing.fillna(False).astype(bool), lambda r: f"{hurdle}: its {label} is {r[values.name]:g}{unit}"),
        (unknown, lambda r: f"{hurdle}: its {label} is unknown, so the hurdle cannot be shown to be met"),
    ]


def eligibility(frame: pd.DataFrame, mandate: Mandate, reference: Reference) -> pd.DataFrame:
    """`eligible` (bool) and `reasons` (list of plain-language reasons) for every candidate."""
    reasons: list[list[str]] = [[] for _ in range(len(frame))]
    for mask, describe in _rules(frame, mandate, reference):
        for position in np.flatnonzero(mask.to_numpy(dtype=bool)):
            reasons[position].append(describe(frame.iloc[position]))
    return pd.DataFrame({"eligible": [not r for r in reasons], "reasons": reasons}, index=frame.index)
