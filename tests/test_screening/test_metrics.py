"""The metrics and their fixed reference scales: clipped at both ends, so no outlier moves anyone."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from universes import BUNDLED, REFERENCE, bundled_row, candidate_rows, mandate, universe

from screening.metrics import (
    BY_NAME,
    IMPACT_PILLARS,
    METRICS,
    OWNERSHIP_SCORE,
    PILLARS,
    evidence_factor,
    metrics_of,
)
from screening.scoring import metric_scores, score

NAMES = [m.name for m in METRICS]


def scaled(name: str, value: float) -> float:
    """One metric value on its 0-100 scale through `metric_scores` (the other metrics at worst)."""
    values = pd.DataFrame([[m.worst for m in METRICS]], columns=NAMES, index=["x"])
    values.loc["x", name] = value
    return float(metric_scores(values).at["x", name])


def test_every_metric_belongs_to_one_pillar_in_a_fixed_order():
    assert PILLARS == ("financial", "local_economy", "social")
    assert IMPACT_PILLARS == ("local_economy", "social")
    assert [m.name for m in metrics_of("financial")] == ["risk_adjusted_return", "income_yield", "liquidity"]
    assert [m.name for m in metrics_of("local_economy")] == [
        "jobs_per_gbp_m",
        "local_spend_share",
        "living_wage_share",
        "ownership",
    ]
    assert [m.name for m in metrics_of("social")] == [
        "imd_decile",
        "affordable_homes_per_gbp_m",
        "co2_avoided_t_per_gbp_m",
        "additionality",
    ]
    assert sum(len(metrics_of(p)) for p in PILLARS) == len(METRICS) == len(BY_NAME) == 11


@pytest.mark.parametrize("metric", METRICS, ids=NAMES)
def test_scale_is_0_at_worst_100_at_best_linear_between_and_clipped_beyond(metric):
    span = metric.best - metric.worst
    assert scaled(metric.name, metric.worst) == 0.0
    assert scaled(metric.name, metric.best) == 100.0
    assert scaled(metric.name, metric.worst + 0.5 * span) == pytest.approx(50.0, abs=1e-12)
    assert scaled(metric.name, metric.worst + 0.2 * span) == pytest.approx(20.0, abs=1e-12)
    assert scaled(metric.name, metric.best + 10 * span) == 100.0
    assert scaled(metric.name, metric.worst - 10 * span) == 0.0
    assert scaled(metric.name, math.inf if span > 0 else -math.inf) == 100.0
    assert scaled(metric.name, -math.inf if span > 0 else math.inf) == 0.0


def test_lower_is_better_metrics_score_the_low_values_high():
    # Deprivation decile 1 (most deprived) is the best place to invest for the social pillar.
    assert scaled("imd_decile", 1) == 100.0
    assert scaled("imd_decile", 10) == 0.0
    assert scaled("imd_decile", 4) == pytest.approx(100 * (10 - 4) / 9, abs=1e-12)
    # Money locked up for 25 years or more scores 0 on liquidity; 5 years scores 80.
    assert scaled("liquidity", 5) == pytest.approx(80.0, abs=1e-12)
    assert scaled("liquidity", 40) == 0.0


@given(
    metric=st.sampled_from(METRICS),
    a=st.floats(-1e6, 1e6, allow_nan=False),
    b=st.floats(-1e6, 1e6, allow_nan=False),
)
@settings(max_examples=60, deadline=None)
def test_scale_is_monotone_in_the_better_direction_and_bounded(metric, a, b):
    better, worse = (max(a, b), min(a, b)) if metric.best > metric.worst else (min(a, b), max(a, b))
    assert 0.0 <= scaled(metric.name, worse) <= scaled(metric.name, better) <= 100.0


def test_ownership_scores_cover_every_ownership_type():
    assert set(OWNERSHIP_SCORE) == set(REFERENCE.ownership_types)
    assert OWNERSHIP_SCORE["cooperative"] == 1.0
    assert OWNERSHIP_SCORE["large_or_multinational"] == 0.0


@pytest.mark.parametrize(
    ("quality", "factor"),
    [(1, 0.5), (2, 0.625), (3, 0.75), (4, 0.875), (5, 1.0), (None, 0.5), (math.nan, 0.5), (np.nan, 0.5)],
)
def test_evidence_factor_counts_quality_5_in_full_and_unknown_as_quality_1(quality, factor):
    assert evidence_factor(quality) == factor


# ---- fixed scales: a candidate's scores do not depend on who else is in the file -------------


def no_blanks(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The same candidates with every blank impact cell given a reported value."""
    defaults = {
        "income_yield": "0.04",
        "jobs_per_gbp_m": "5",
        "local_spend_share": "0.5",
        "living_wage_share": "0.8",
        "imd_decile": "5",
        "additionality": "0.5",
        "evidence_quality": "3",
        "liquidity_years": "10",
        "affordable_homes_per_gbp_m": "0",
        "co2_avoided_t_per_gbp_m": "0",
        "ownership": "public",
    }
    return [{k: (defaults[k] if v == "" and k in defaults else v) for k, v in row.items()} for row in rows]


# Equal up to float rounding: numpy sums a one-row frame in another order than a taller one.
SAME = {"check_exact": False, "rtol": 0.0, "atol": 1e-9}


@given(
    rows=candidate_rows(min_size=2, max_size=8),
    base=st.sampled_from(sorted(BUNDLED)),
    jobs=st.integers(100, 1000),
)
@settings(max_examples=40, deadline=None)
def test_an_extreme_outlier_changes_no_other_candidates_scores(rows, base, jobs):
    # The fill rule for a blank uses quartiles of the values others report, so an extra row moves
    # the fill of a candidate with blanks; the scales themselves are fixed. Hence the check is
    # made on rows without blanks, where nothing but the scales is involved.
    rows = no_blanks(rows)
    outlier = bundled_row(base, id="OUT-001", jobs_per_gbp_m=jobs)
    chosen = mandate()
    before = score(universe(rows).frame, chosen, REFERENCE)
    after = score(universe([*rows, outlier]).frame, chosen, REFERENCE)
    others = before.pillars.index
    pd.testing.assert_frame_equal(after.pillars.loc[others], before.pillars, **SAME)
    pd.testing.assert_frame_equal(after.contributions.loc[others], before.contributions, **SAME)
    assert after.metric_scores.at["OUT-001", "jobs_per_gbp_m"] == 100.0
    assert (after.metric_scores.loc[others] <= 100.0).all().all()


def test_an_outlier_in_the_bundled_file_moves_only_candidates_with_blanks(candidate_rows):
    header, *rows = candidate_rows
    records = [dict(zip(header, r, strict=True)) for r in rows]
    chosen = mandate()
    before = score(universe(records).frame, chosen, REFERENCE)
    outlier = bundled_row("PRE-003", id="OUT-001", jobs_per_gbp_m=1000)
    after = score(universe([*records, outlier]).frame, chosen, REFERENCE)
    complete = [c for c in before.pillars.index if not before.missing_metrics(c)]
    assert len(complete) == 41  # 7 bundled candidates have at least one blank metric
    pd.testing.assert_frame_equal(after.pillars.loc[complete], before.pillars.loc[complete], **SAME)
    # BPL-003 has a blank jobs_per_gbp_m: its fill is the lower quartile of the reported values,
    # which the extra reported value raises (46 -> 47 values), and the rule says so.
    assert after.values.at["BPL-003", "jobs_per_gbp_m"] >= before.values.at["BPL-003", "jobs_per_gbp_m"]
    assert "47 candidates" in after.filled.at["BPL-003", "jobs_per_gbp_m"]


@given(rows=candidate_rows(min_size=2, max_size=8))
@settings(max_examples=30, deadline=None)
def test_a_complete_candidate_scores_the_same_alone_as_in_any_file(rows):
    rows = no_blanks(rows)
    chosen = mandate()
    together = score(universe(rows).frame, chosen, REFERENCE).pillars
    alone = score(universe(rows[:1]).frame, chosen, REFERENCE).pillars
    first = rows[0]["id"]
    pd.testing.assert_series_equal(alone.loc[first], together.loc[first], **SAME)
