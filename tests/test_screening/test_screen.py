"""The screen as a whole: one row per candidate, ranks among the eligible, the JSON records."""

from __future__ import annotations

import json

import numpy as np
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
    weight_triples,
    weights_of,
)

from screening import load_candidates, load_mandate
from screening.metrics import PILLARS
from screening.screen import run_screen, screen_document, screen_records
from screening.stability import StabilitySettings

FAST = StabilitySettings(draws=300, top_k=3)
EXACT = ["eligible", "reasons", "rank", "rank_low", "rank_high", "p_top_k"]
NUMBERS = ["financial", "local_economy", "social", "score", "confidence"]
EXACT_RECORD_KEYS = ["eligible", "reasons", "rank", "missing", "filled", "rank_interval", "top_k_probability"]


@pytest.fixture(scope="module")
def bundled_screen():
    universe_, mandate_ = load_candidates(), load_mandate()
    return run_screen(universe_, mandate_, REFERENCE, StabilitySettings(draws=1_000)), universe_, mandate_


def test_bundled_screen_ranks_the_eligible_and_keeps_everyone(bundled_screen):
    screen, universe_, _ = bundled_screen
    table = screen.table
    assert list(table.index) == list(universe_.frame.index)  # file order, all 48
    assert table["eligible"].sum() == 18
    eligible = screen.eligible
    assert eligible["rank"].tolist() == list(range(1, 19))
    assert eligible["score"].is_monotonic_decreasing
    assert table.loc[~table["eligible"], "rank"].isna().all()
    assert table.loc[~table["eligible"], ["rank_low", "rank_high", "p_top_k"]].isna().all().all()
    assert eligible.index[0] == "PRE-003"
    assert eligible["score"].iloc[0] == pytest.approx(51.4, abs=0.05)
    # (true of the bundled data; the rank at the chosen weights need not lie in the interval)
    assert ((eligible["rank_low"] <= eligible["rank"]) & (eligible["rank"] <= eligible["rank_high"])).all()
    assert eligible["p_top_k"].sum() == pytest.approx(10.0, abs=1e-9)


def test_records_follow_the_json_contract(bundled_screen):
    screen, universe_, mandate_ = bundled_screen
    records = screen_records(screen)
    assert [r["id"] for r in records] == list(universe_.frame.index)
    by_id = {r["id"]: r for r in records}
    best = by_id["PRE-003"]
    row = screen.table.loc["PRE-003"]
    assert best["rank"] == 1
    assert best["eligible"] is True
    assert best["reasons"] == []
    assert best["score"] == round(row["score"], 2)
    assert best["pillars"] == {p: round(row[p], 2) for p in PILLARS}
    assert best["rank_interval"] == [int(row["rank_low"]), int(row["rank_high"])]
    assert sum(best["contributions"].values()) == pytest.approx(best["score"], abs=0.01)
    outside = by_id["MAN-002"]
    assert outside["eligible"] is False
    assert outside["rank"] is None
    assert outside["rank_interval"] is None
    assert outside["top_k_probability"] is None
    assert outside["score"] is not None  # still scored: the city-weighted benchmark needs it
    blanks = by_id["BPL-003"]
    assert blanks["missing"] == ["jobs_per_gbp_m", "local_spend_share"]
    assert set(blanks["filled"]) == {"jobs_per_gbp_m", "local_spend_share"}
    assert blanks["confidence"] == 0.85
    document = screen_document(screen, universe_, mandate_, REFERENCE)
    assert document["eligible"] == 18
    assert document["weights"] == {"financial": 0.4, "local_economy": 0.3, "social": 0.3}
    assert document["rank_stability"]["draws"] == 1_000
    assert document["provenance"]["candidates"]["source"] == "bundled"
    json.dumps(document, allow_nan=False)  # no NaN or infinity anywhere


def screen_of(rows, weights=(1.0, 1.0, 1.0), places=None, **fields):
    chosen = mandate(weights=weights_of(weights), places=places or ALL_PLACES, **fields)
    return run_screen(universe(rows), chosen, REFERENCE, FAST)


def test_an_exact_tie_in_score_is_ranked_by_id():
    rows = [bundled_row("PRE-004", id="Z-1"), bundled_row("PRE-003"), bundled_row("PRE-004", id="A-1")]
    table = screen_of(rows).table
    assert table.at["Z-1", "score"] == table.at["A-1", "score"]
    assert table.at["A-1", "rank"] + 1 == table.at["Z-1", "rank"]
    assert table.at["A-1", "p_top_k"] >= table.at["Z-1", "p_top_k"]


def test_scores_equal_but_for_float_rounding_are_tied_and_ranked_by_id():
    # Financial pillar of PRE-010: risk-adjusted (0.066 - 0.04) / 0.10 = 0.26 -> 57.5, income
    # 0.055 -> 68.75, 20 years -> 20; of PRE-011: 0.25 -> 56.25, 0.04 -> 50, 15 years -> 40.
    # Both are 146.25 / 3 = 48.75, but the sums round differently in the last bit.
    rows = [bundled_row("PRE-011"), bundled_row("PRE-010"), bundled_row("PRE-003")]
    table = screen_of(rows, (1.0, 0.0, 0.0)).table
    assert table.loc[["PRE-010", "PRE-011"], "score"].tolist() == pytest.approx([48.75, 48.75], abs=1e-12)
    assert table["rank"].to_dict() == {"PRE-003": 1, "PRE-010": 2, "PRE-011": 3}
    assert (table["rank_low"] == table["rank"]).all()
    assert (table["rank_high"] == table["rank"]).all()
    # Under every weighting the two tie, so the same order holds with the other pillars weighted too.
    same = [bundled_row("PRE-011"), bundled_row("PRE-011", id="PRE-000")]
    assert screen_of(same, (1.0, 2.0, 3.0)).table["rank"].to_dict() == {"PRE-011": 2, "PRE-000": 1}


def test_no_eligible_candidate_is_not_an_error():
    screen = screen_of([bundled_row("MAN-001"), bundled_row("LDS-001")], places=[PRESTON])
    assert not screen.table["eligible"].any()
    assert screen.eligible.empty
    assert all(r["rank"] is None and r["rank_interval"] is None for r in screen_records(screen))


@given(rows=candidate_rows(min_size=2, max_size=10), triple=weight_triples, data=st.data())
@settings(max_examples=30, deadline=None)
def test_shuffling_rows_changes_no_score_rank_interval_or_chance(rows, triple, data):
    places = sorted(data.draw(st.sets(st.sampled_from([PRESTON, SOUTH_RIBBLE, *ALL_PLACES]), min_size=1)))
    shuffled_rows = data.draw(st.permutations(rows))
    before = screen_of(rows, triple, places, min_evidence_quality=2)
    after = screen_of(shuffled_rows, triple, places, min_evidence_quality=2)
    assert list(after.table.index) == [r["id"] for r in shuffled_rows]
    moved = after.table.loc[before.table.index]
    pd.testing.assert_frame_equal(moved[EXACT], before.table[EXACT], check_exact=True)
    # Scores agree to float rounding: a matrix product may round a row differently by position.
    pd.testing.assert_frame_equal(
        moved[NUMBERS], before.table[NUMBERS], check_exact=False, rtol=0, atol=1e-12
    )
    first = {r["id"]: [r[k] for k in EXACT_RECORD_KEYS] for r in screen_records(before)}
    assert {r["id"]: [r[k] for k in EXACT_RECORD_KEYS] for r in screen_records(after)} == first


@given(
    rows=candidate_rows(min_size=2, max_size=10),
    chosen=st.sampled_from(PILLARS),
    places=st.sets(st.sampled_from(ALL_PLACES), min_size=1),
)
@settings(max_examples=40, deadline=None)
def test_one_pillar_weighted_ranks_exactly_by_that_pillar(rows, chosen, places):
    triple = tuple(1.0 if p == chosen else 0.0 for p in PILLARS)
    screen = screen_of(rows, triple, sorted(places))
    eligible = screen.table[screen.table["eligible"]]
    # Ties by id; pillars that differ only by float rounding (below 1e-9 points) are tied.
    order = sorted(eligible.index, key=lambda c: (-round(eligible.at[c, chosen], 9), c))
    assert list(screen.eligible.index) == order
    assert eligible.loc[order, "rank"].tolist() == list(range(1, len(order) + 1))
    assert np.allclose(eligible["score"], eligible[chosen], rtol=0, atol=1e-9)
    # The weights cannot move: every rank interval is the rank itself and P(top k) is certain.
    assert (eligible["rank_low"] == eligible["rank"]).all()
    assert (eligible["rank_high"] == eligible["rank"]).all()
    assert set(eligible["p_top_k"]) <= {0.0, 1.0}
    assert eligible["p_top_k"].tolist() == [float(r <= FAST.top_k) for r in eligible["rank"]]


def test_screen_keys_name_every_mandate_key_the_screen_reads():
    """A shell keeps one screen for mandates that agree on SCREEN_KEYS: that is safe only if the
    screening modules read no other key (the name is read only to label the screen's JSON)."""
    import re
    from pathlib import Path

    from screening.screen import SCREEN_KEYS

    folder = Path(__file__).resolve().parents[2] / "screening"
    read = {
        key
        for module in ("screen", "eligibility", "scoring", "stability", "metrics")
        for key in re.findall(r"\bmandate\.([a-z_]+)", (folder / f"{module}.py").read_text(encoding="utf-8"))
    }
    assert read - {"name", "model_dump_json"} <= set(SCREEN_KEYS)


def test_a_screen_made_once_serves_a_mandate_that_changes_only_a_limit():
    from portfolio.run import run_allocation
    from screening.screen import screen_key

    candidates, chosen = load_candidates(None, REFERENCE), load_mandate(None, REFERENCE)
    tighter = chosen.model_copy(update={"max_candidate_share": 0.12, "target_gbp": 90e6})
    assert screen_key(tighter) == screen_key(chosen)
    assert screen_key(chosen.model_copy(update={"excluded_sectors": ["regeneration"]})) != screen_key(chosen)
    made = run_screen(candidates, chosen, REFERENCE)
    fresh = run_allocation(candidates, tighter, REFERENCE, frontier_points=0, with_comparison=False)
    kept = run_allocation(
        candidates, tighter, REFERENCE, frontier_points=0, with_comparison=False, screen=made
    )
    assert kept.allocation.amounts.equals(fresh.allocation.amounts)
    pd.testing.assert_frame_equal(kept.screen.table, fresh.screen.table)
