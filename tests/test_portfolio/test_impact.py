"""Impact accounting: the same formulas for any holdings, checked against hand computations from
candidates.csv; gross jobs reconcile with the data; listed holdings say what is unknown."""

from __future__ import annotations

import pandas as pd
import pytest
from comparison_helpers import (
    LOCAL_PEOPLE,
    MANDATE,
    PRESTON,
    REFERENCE,
    SOUTH_RIBBLE,
    UK_PEOPLE,
    UNIVERSE,
    candidates_csv,
    default_run,
    raw,
)

from portfolio.holdings import Holdings
from portfolio.impact import impact_basis, impact_totals


@pytest.fixture(scope="module")
def basis():
    return impact_basis(UNIVERSE.frame, default_run().screen, MANDATE, REFERENCE)


def test_two_reported_candidates_by_hand(basis):
    # PRE-001: 6 jobs/£m, spend 0.55, 6.5 homes/£m, 15 t/£m, decile 2, additionality 0.60 (Preston)
    # MAN-001: 7 jobs/£m, spend 0.45, 4 homes/£m, 120 t/£m, decile 2, additionality 0.50 (Manchester)
    holdings = Holdings.of("x", "x", candidates=pd.Series({"PRE-001": 10e6, "MAN-001": 5e6}))
    totals = impact_totals(holdings, basis)
    assert totals.jobs == pytest.approx(10 * 6 + 5 * 7)
    assert totals.jobs_net == pytest.approx(10 * 6 * 0.60 + 5 * 7 * 0.50)
    assert totals.jobs_in_places == pytest.approx(60)
    assert totals.local_spend_retained_gbp == pytest.approx(0.55 * 10e6)
    assert totals.local_spend_retained_all_places_gbp == pytest.approx(0.55 * 10e6 + 0.45 * 5e6)
    assert totals.affordable_homes == pytest.approx(10 * 6.5 + 5 * 4)
    assert totals.affordable_homes_net == pytest.approx(10 * 6.5 * 0.60 + 5 * 4 * 0.50)
    assert totals.co2_avoided_t == pytest.approx(10 * 15 + 5 * 120)
    assert totals.co2_avoided_t_net == pytest.approx(10 * 15 * 0.60 + 5 * 120 * 0.50)
    assert totals.deprived_share == 1.0
    assert totals.local_share == pytest.approx(10 / 15)
    jobs_value = (10 * 6 * 0.60 + 5 * 7 * 0.50) * 26_752
    carbon_value = (10 * 15 * 0.60 + 5 * 120 * 0.50) * 245
    assert totals.social_value_by_metric == pytest.approx(
        {"jobs": jobs_value, "co2_avoided": carbon_value, "affordable_homes": None}
    )
    assert totals.social_value_gbp == pytest.approx(jobs_value + carbon_value)
    assert any("affordable homes" in note and "no £ value" in note for note in totals.notes)
    assert not any("affordable_homes" in note for note in totals.notes)  # words, not column names


def test_deprived_share_counts_deciles_one_to_three_only(basis):
    # SRB-001 decile 6, PRE-003 decile 3, PRE-010 decile 5
    holdings = Holdings.of("x", "x", candidates=pd.Series({"SRB-001": 2e6, "PRE-003": 1e6, "PRE-010": 1e6}))
    assert impact_totals(holdings, basis).deprived_share == pytest.approx(0.25)


def test_blank_figures_use_the_screens_fill_and_say_so(basis):
    data = candidates_csv()
    reported = data["jobs_per_gbp_m"].dropna()
    lower_quartile = float(reported.quantile(0.25))
    # BPL-003 reports no jobs and no local spend share (a co-operative: 63p)
    totals = impact_totals(Holdings.of("x", "x", candidates=pd.Series({"BPL-003": 2e6})), basis)
    assert totals.jobs == pytest.approx(2 * lower_quartile)
    assert totals.local_spend_retained_all_places_gbp == pytest.approx(0.63 * 2e6)
    assert totals.local_spend_retained_gbp == 0.0  # Blackpool is not a mandate place
    assert any(
        note.startswith("The jobs per £1m was not reported") and "BPL-003" in note for note in totals.notes
    )


def test_listed_holdings_are_unknown_not_zero_and_land_by_population(basis):
    totals = impact_totals(
        Holdings.of("uk", "uk", listed=pd.Series({"uk_equity": 60e6, "gilts": 40e6})), basis
    )
    share = LOCAL_PEOPLE / UK_PEOPLE
    for unknown in (
        "jobs",
        "jobs_net",
        "jobs_in_places",
        "affordable_homes",
        "co2_avoided_t",
        "social_value_gbp",
    ):
        assert getattr(totals, unknown) is None, unknown
    assert totals.local_share == pytest.approx(share)
    assert totals.local_spend_retained_gbp == pytest.approx(0.40 * share * 100e6)
    assert totals.local_spend_retained_all_places_gbp == pytest.approx(0.40 * 100e6)
    assert totals.deprived_share == pytest.approx(0.30)
    assert any(f"of the UK's {UK_PEOPLE:,.0f} people" in note for note in totals.notes)


def test_gross_jobs_reconcile_with_the_candidate_file_for_all_three_portfolios():
    comparison = default_run().comparison
    data = candidates_csv()
    jobs = data["jobs_per_gbp_m"].fillna(float(data["jobs_per_gbp_m"].dropna().quantile(0.25)))
    for figures in (comparison.portfolio, comparison.city_weighted):
        held = figures.holdings.candidates
        assert figures.impact.jobs == pytest.approx(float((held / 1e6 * jobs[held.index]).sum()), abs=1e-9)
    assert comparison.portfolio.impact.jobs == pytest.approx(
        default_run().allocation.metrics()["jobs"], abs=1e-9
    )
    assert comparison.uk.impact.jobs is None


def test_local_spend_of_the_default_allocation_by_hand():
    comparison = default_run().comparison
    data = candidates_csv()
    held = comparison.portfolio.holdings.candidates
    assert data.loc[held.index, "local_spend_share"].notna().all()
    expected = float((held * data.loc[held.index, "local_spend_share"]).sum())
    assert comparison.portfolio.impact.local_spend_retained_gbp == pytest.approx(expected)
    city = comparison.city_weighted.holdings.candidates
    local = city[data.loc[city.index, "local_authority"].isin([PRESTON, SOUTH_RIBBLE])]
    assert comparison.city_weighted.impact.local_spend_retained_gbp == pytest.approx(
        float((local * data.loc[local.index, "local_spend_share"]).sum())
    )


def test_social_value_proxies_come_from_the_bundled_table():
    proxies = raw("social_value_proxies.csv").set_index("metric")["gbp_per_unit"]
    assert proxies["jobs"] == 26_752 and proxies["co2_avoided"] == 245
    assert pd.isna(proxies["affordable_homes"])
    impact = default_run().comparison.portfolio.impact
    assert impact.social_value_by_metric["jobs"] == pytest.approx(impact.jobs_net * 26_752)
    assert impact.social_value_by_metric["co2_avoided"] == pytest.approx(impact.co2_avoided_t_net * 245)


def test_mixed_nations_are_flagged_in_the_deprivation_note():
    notes = default_run().comparison.city_weighted.impact.notes
    assert any("England, Scotland, Wales" in note for note in notes)


def test_a_candidate_without_a_decile_counts_by_its_districts_decile(candidate_rows, write_csv):
    """No neighbourhood decile given: the deprived share uses the district's decile on the
    composite UK index in places.csv (Preston's is 2 of 10; South Ribble's 8), and says so."""
    from screening import load_candidates
    from screening.screen import run_screen
    from screening.stability import StabilitySettings

    header = candidate_rows[0]
    column = header.index("imd_decile")
    rows = [header] + [
        [*r[:column], "", *r[column + 1 :]] if r[0] in ("PRE-010", "SRB-001") else r
        for r in candidate_rows[1:]
    ]
    universe = load_candidates(write_csv(rows), REFERENCE)
    screen = run_screen(universe, MANDATE, REFERENCE, StabilitySettings(draws=50))
    unreported = impact_basis(universe.frame, screen, MANDATE, REFERENCE)
    places = raw("places.csv").set_index("ons_code")["uk_deprivation_decile"]
    assert (places[PRESTON], places[SOUTH_RIBBLE]) == (2, 8)
    holdings = Holdings.of("x", "x", candidates=pd.Series({"PRE-010": 3e6, "SRB-001": 1e6}))
    totals = impact_totals(holdings, unreported)
    assert totals.deprived_share == pytest.approx(0.75)  # Preston's £3m counts; South Ribble's does not
    assert any(note.startswith("£4.0m of the money gives no deprivation decile") for note in totals.notes)
