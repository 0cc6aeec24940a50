"""Eligibility: every reason a candidate is excluded, in a fixed order; unstated hurdles not applied."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from universes import (
    ALL_PLACES,
    PRESTON,
    REFERENCE,
    SOUTH_RIBBLE,
    bundled_row,
    candidate_rows,
    mandate,
    universe,
)

from screening.eligibility import eligibility
from screening.reading.mandate import load_mandate
from screening.vocabulary import named

STRICT = {
    "places": [PRESTON],
    "excluded_sectors": ["regeneration"],
    "min_candidate_return": 0.06,
    "max_candidate_volatility": 0.12,
    "min_evidence_quality": 3,
    "max_lockup_years": 15.0,
}


def reasons_of(rows, **fields) -> pd.DataFrame:
    return eligibility(universe(rows).frame, mandate(**fields), REFERENCE)


def test_a_candidate_failing_every_hurdle_lists_every_reason_in_order():
    row = bundled_row(
        "MAN-003",  # Manchester, regeneration
        expected_return=0.03,
        volatility=0.2,
        evidence_quality=2,
        liquidity_years=30,
    )
    result = reasons_of([row], **STRICT)
    assert not result.at["MAN-003", "eligible"]
    assert result.at["MAN-003", "reasons"] == [
        "outside the mandate's places (Manchester)",
        "Sectors excluded (excluded_sectors) include its sector, regeneration",
        "Lowest return of a candidate (min_candidate_return) is 6.0%: its expected return is 3.0%",
        "Highest volatility of a candidate (max_candidate_volatility) is 12.0%: its volatility is 20.0%",
        "Lowest evidence quality (min_evidence_quality) is 3: its evidence quality is 2",
        "Longest lock-up (max_lockup_years) is 15 years: its lock-up is 30 years",
    ]


def test_unknown_evidence_and_lock_up_fail_their_hurdles():
    row = bundled_row("PRE-003", evidence_quality=None, liquidity_years=None)
    result = reasons_of([row], **STRICT)
    assert result.at["PRE-003", "reasons"] == [
        "Lowest evidence quality (min_evidence_quality) is 3: its evidence quality is unknown, so the hurdle cannot be shown to be met",
        "Longest lock-up (max_lockup_years) is 15 years: its lock-up is unknown, so the hurdle cannot be shown to be met",
    ]


def test_outside_places_and_excluded_sector_are_both_listed():
    result = reasons_of([bundled_row("BPL-002")], places=[PRESTON], excluded_sectors=["regeneration"])
    assert result.at["BPL-002", "reasons"] == [
        "outside the mandate's places (Blackpool)",
        "Sectors excluded (excluded_sectors) include its sector, regeneration",
    ]


def test_a_hurdle_met_exactly_is_met():
    row = bundled_row(
        "PRE-003", expected_return=0.06, volatility=0.12, evidence_quality=3, liquidity_years=15
    )
    result = reasons_of([row], **STRICT)
    assert result.at["PRE-003", "eligible"]
    assert result.at["PRE-003", "reasons"] == []


def test_hurdles_not_stated_are_not_applied():
    # Dreadful on every measure a hurdle could test, but the mandate states only its places.
    row = bundled_row(
        "PRE-007", expected_return=-0.2, volatility=0.9, evidence_quality=None, liquidity_years=None
    )
    other = bundled_row("PRE-012", evidence_quality=1, liquidity_years=100)
    result = reasons_of([row, other], places=[PRESTON])
    assert result["eligible"].tolist() == [True, True]
    assert result["reasons"].tolist() == [[], []]


def test_candidates_outside_the_places_stay_in_the_result(candidate_rows):
    header, *rows = candidate_rows
    records = [dict(zip(header, r, strict=True)) for r in rows]
    frame = universe(records).frame
    result = eligibility(frame, load_mandate(), REFERENCE)
    assert list(result.index) == list(frame.index)  # every candidate, in file order
    assert result["eligible"].sum() == 18
    local = frame["local_authority"].isin([PRESTON, SOUTH_RIBBLE])
    assert not result.loc[~local, "eligible"].any()
    assert all(r[0].startswith("outside the mandate's places (") for r in result.loc[~local, "reasons"])
    # The bundled mandate: evidence quality at least 2 (SRB-006 has 1), lock-up at most 25 years.
    assert result.at["SRB-006", "reasons"] == [
        "Lowest evidence quality (min_evidence_quality) is 2: its evidence quality is 1"
    ]
    assert result.at["MAN-002", "reasons"] == [
        "outside the mandate's places (Manchester)",
        "Lowest evidence quality (min_evidence_quality) is 2: its evidence quality is unknown, so the hurdle cannot be shown to be met",
    ]
    assert result.at["PRE-001", "eligible"]  # 25 years of lock-up: exactly the limit


def test_one_outside_reason_per_candidate_and_excluded_sectors_apply_everywhere():
    rows = [bundled_row("PRE-007"), bundled_row("SRB-004"), bundled_row("PRE-003"), bundled_row("LDS-002")]
    result = reasons_of(
        rows, places=[PRESTON, SOUTH_RIBBLE], excluded_sectors=["regeneration", "infrastructure"]
    )
    assert result["eligible"].to_dict() == {
        "PRE-007": False,
        "SRB-004": False,
        "PRE-003": True,
        "LDS-002": False,
    }
    assert result.at["LDS-002", "reasons"] == [
        "outside the mandate's places (Leeds)",
        "Sectors excluded (excluded_sectors) include its sector, infrastructure",
    ]


@pytest.mark.parametrize(
    ("field", "value", "changes", "reason"),
    [
        (
            "min_candidate_return",
            0.07,
            {"expected_return": 0.068},
            "Lowest return of a candidate (min_candidate_return) is 7.0%: its expected return is 6.8%",
        ),
        (
            "max_candidate_volatility",
            0.05,
            {"volatility": 0.09},
            "Highest volatility of a candidate (max_candidate_volatility) is 5.0%: its volatility is 9.0%",
        ),
        (
            "min_evidence_quality",
            4,
            {"evidence_quality": 3},
            "Lowest evidence quality (min_evidence_quality) is 4: its evidence quality is 3",
        ),
        (
            "max_lockup_years",
            5.5,
            {"liquidity_years": 7},
            "Longest lock-up (max_lockup_years) is 5.5 years: its lock-up is 7 years",
        ),
    ],
)
def test_each_hurdle_alone(field, value, changes, reason):
    result = reasons_of([bundled_row("PRE-003", **changes)], places=[PRESTON], **{field: value})
    assert result.at["PRE-003", "reasons"] == [reason]


@given(
    rows=candidate_rows(max_size=8),
    places=st.sets(st.sampled_from(ALL_PLACES), min_size=1),
    min_return=st.none() | st.integers(-5, 10).map(lambda i: i / 100),
    min_quality=st.none() | st.integers(1, 5),
    max_lockup=st.none() | st.integers(0, 30).map(float),
)
@settings(max_examples=40, deadline=None)
def test_eligible_exactly_when_no_reason_and_a_looser_mandate_excludes_no_more(
    rows, places, min_return, min_quality, max_lockup
):
    fields = {
        "places": sorted(places),
        "min_candidate_return": min_return,
        "min_evidence_quality": min_quality,
        "max_lockup_years": max_lockup,
    }
    strict = reasons_of(rows, **fields)
    assert (strict["eligible"] == strict["reasons"].map(len).eq(0)).all()
    loose = reasons_of(rows, places=ALL_PLACES)
    assert loose["eligible"].all()
    # Every reason under the strict mandate is one of its own stated hurdles.
    stated = {"outside"}
    stated |= {named("min_candidate_return")} if min_return is not None else set()
    stated |= {named("min_evidence_quality")} if min_quality is not None else set()
    stated |= {named("max_lockup_years")} if max_lockup is not None else set()
    for reasons in strict["reasons"]:
        assert all(any(r.startswith(s) for s in stated) for r in reasons)
