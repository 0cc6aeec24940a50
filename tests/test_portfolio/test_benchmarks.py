"""The two benchmarks: the UK mix valued by hand, the city-weighted benchmark spread by
population through the same optimiser (or redistributed, with a note), and the joint risk model
checked on cases small enough to work out by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from comparison_helpers import MANDATE, PRESTON, REFERENCE, SOUTH_RIBBLE, UNIVERSE, default_run, raw

from portfolio.benchmarks import city_weighted, uk_benchmark
from portfolio.holdings import Holdings, joint_risk
from portfolio.risk import bundled_risk_settings, factor_model
from screening import load_candidates
from screening.reading.mandate import Mandate, mandate_from_dict
from screening.screen import run_screen
from screening.stability import StabilitySettings


def test_uk_mix_file_is_the_published_lgps_allocation_renormalised():
    mix = raw("uk_benchmark_mix.csv").set_index("asset_class")["weight"]
    assert mix.sum() == pytest.approx(1.0, abs=1e-6)
    published = {"uk_equity": 0.49, "gilts": 0.08, "corporate_bonds": 0.08, "property": 0.07}
    published |= {"infrastructure": 0.06, "private_equity": 0.06, "private_debt": 0.03}
    for asset_class, share in published.items():
        assert mix[asset_class] == pytest.approx(share / 0.87, abs=1e-7)


def test_uk_benchmark_return_and_volatility_are_the_mix_weighted_assumptions():
    comparison = default_run().comparison
    mix = raw("uk_benchmark_mix.csv").set_index("asset_class")["weight"]
    cma = raw("capital_market_assumptions.csv").set_index("asset_class").loc[mix.index]
    corr = raw("cma_correlations.csv").set_index("asset_class").loc[mix.index, mix.index].to_numpy()
    vol = cma["volatility"].to_numpy()
    w = mix.to_numpy()
    assert comparison.uk.expected_return == pytest.approx(float(w @ cma["expected_return"]), abs=1e-12)
    assert comparison.uk.volatility == pytest.approx(
        math.sqrt(w @ (np.outer(vol, vol) * corr) @ w), abs=1e-12
    )
    assert comparison.uk.holdings.listed.to_dict() == pytest.approx((mix * 100_000_000).to_dict())
    assert comparison.uk.tracking_error == 0.0


def test_city_weighted_amounts_by_place_are_proportional_to_population():
    comparison = default_run().comparison
    places = raw("places.csv").set_index("ons_code")
    held = comparison.city_weighted.holdings.candidates
    by_place = held.groupby(UNIVERSE.frame.loc[held.index, "local_authority"]).sum()
    population = places.loc[by_place.index, "population"].astype(float)
    assert len(by_place) == 12  # every place in the file has an eligible candidate
    expected = 100_000_000 * population / population.sum()
    assert np.abs(by_place - expected).max() <= 2.0  # whole pounds
    assert int(held.sum()) == 100_000_000
    assert comparison.city.notes == [  # no place needed redistributing: only which places it used
        "Compared over the 12 UK places with eligible candidates (Blackpool, City of Bristol, Preston, "
        "South Ribble, Manchester, Liverpool, Sheffield, Newcastle upon Tyne, Birmingham, Leeds, "
        "Glasgow City, Cardiff), in proportion to their population (the places table's 2020 estimates)."
    ]


def test_city_weighted_goes_through_the_same_optimiser_and_limits():
    city = default_run().comparison.city
    result = city.allocation
    assert result.status == "optimal"
    keys = {limit.key for limit in result.limits}
    assert {"max_candidate_share", "max_volatility", "min_expected_return", "min_holdings"} <= keys
    assert {f"city_weights.{code}" for code in city.places.index} <= keys
    assert max(result.violations.values()) <= 1e-7
    held = result.amounts[result.amounts > 0]
    assert held.max() <= MANDATE.max_candidate_share * 100_000_000 + 1
    assert held.size >= MANDATE.min_holdings
    # the same hurdles apart from place: no candidate with unknown or poor evidence
    evidence = UNIVERSE.frame.loc[held.index, "evidence_quality"]
    assert evidence.notna().all() and (evidence >= MANDATE.min_evidence_quality).all()


def test_a_place_that_cannot_take_its_share_is_redistributed_with_a_note(candidate_rows, write_csv):
    header = candidate_rows[0]
    ticket = header.index("max_ticket_gbp")
    for row in candidate_rows[1:]:
        if row[0].startswith("BHM-"):
            row[header.index("min_ticket_gbp")] = ""
            row[ticket] = "1000000"  # Birmingham can take £3m against a 20% population share
    universe = load_candidates(write_csv(candidate_rows), REFERENCE)
    city = _city(universe)
    assert city.status == "optimal"
    assert any("Birmingham" in note and "spread over the other places" in note for note in city.notes)
    places = raw("places.csv").set_index("ons_code")
    amounts = city.places["amount_gbp"]
    assert amounts["E08000025"] == pytest.approx(3_000_000, abs=2)
    others = amounts.drop("E08000025")
    population = places.loc[others.index, "population"].astype(float)
    expected = 97_000_000 * population / population.sum()
    assert np.abs(others - expected).max() <= 2.0


def test_gva_weighting_falls_back_to_population_with_a_note_when_gva_is_missing():
    mandate = mandate_from_dict({**MANDATE.model_dump(), "benchmark_weighting": "gva"}, REFERENCE)
    run = default_run()
    city = city_weighted(UNIVERSE, run.screen, mandate, REFERENCE, run.risk)
    assert city.weighting == "population"
    assert any("GVA is known for no place" in note for note in city.notes)


def test_gva_weighting_is_used_when_every_place_has_gva():
    places = REFERENCE.places.copy()
    places["gva_gbp_m"] = places["population"] * np.linspace(0.02, 0.04, len(places))  # £m, varied
    reference = replace(REFERENCE, places=places)
    mandate = MANDATE.model_copy(update={"benchmark_weighting": "gva"})
    run = default_run()
    city = city_weighted(UNIVERSE, run.screen, mandate, reference, run.risk)
    assert city.weighting == "gva" and city.status == "optimal"
    share = city.places["amount_gbp"] / 100_000_000
    gva = places.loc[share.index, "gva_gbp_m"]
    expected = gva / gva.sum()
    capped = city.places["capacity_share"] < expected - 1e-12
    assert (
        np.abs(share[~capped] / expected[~capped] - share[~capped].sum() / expected[~capped].sum()).max()
        < 1e-6
    )


def test_benchmark_weighting_is_a_mandate_key_with_two_choices():
    assert MANDATE.benchmark_weighting == "population"
    assert Mandate(target_gbp=1e8, places=[PRESTON], benchmark_weighting="gva").benchmark_weighting == "gva"
    with pytest.raises(Exception, match="population"):
        mandate_from_dict({"target_gbp": 1e8, "places": [PRESTON], "benchmark_weighting": "gdp"}, REFERENCE)


# --- the joint risk model ------------------------------------------------------------------------------


def _one_candidate(asset_class: str, vol: float, place: str = PRESTON) -> pd.DataFrame:
    return pd.DataFrame(
        {"asset_class": [asset_class], "local_authority": [place], "volatility": [vol]}, index=["C1"]
    )


def test_tracking_error_of_one_candidate_against_its_listed_class_by_hand():
    settings = bundled_risk_settings()
    frame = _one_candidate("property", 0.15)
    joint = joint_risk(frame, REFERENCE, ["property"], 100.0, "factor model")
    local = Holdings.of("portfolio", "local", candidates=pd.Series({"C1": 100.0}))
    listed = Holdings.of("uk", "listed", listed=pd.Series({"property": 100.0}))
    a, s_i, s_c = settings.asset_class_share, 0.15, 0.13  # 0.13: the property assumption
    assert joint.volatility(local) == pytest.approx(s_i, abs=1e-12)
    assert joint.volatility(listed) == pytest.approx(s_c, abs=1e-12)
    by_hand = math.sqrt(s_i**2 + s_c**2 - 2 * math.sqrt(a) * s_i * s_c)
    assert joint.tracking_error(local, listed) == pytest.approx(by_hand, abs=1e-12)
    assert joint.tracking_error(local, local) == 0.0


def test_tracking_error_across_classes_uses_the_class_correlation():
    settings = bundled_risk_settings()
    frame = _one_candidate("private_debt", 0.10)
    joint = joint_risk(frame, REFERENCE, ["gilts"], 1.0, "factor model")
    local = Holdings.of("portfolio", "local", candidates=pd.Series({"C1": 1.0}))
    gilts = Holdings.of("uk", "gilts", listed=pd.Series({"gilts": 1.0}))
    rho = 0.20  # private debt with gilts in cma_correlations.csv
    covariance = math.sqrt(settings.asset_class_share) * 0.10 * 0.07 * rho
    by_hand = math.sqrt(0.10**2 + 0.07**2 - 2 * covariance)
    assert joint.tracking_error(local, gilts) == pytest.approx(by_hand, abs=1e-12)


def test_adding_listed_classes_leaves_the_candidates_covariance_unchanged():
    frame = UNIVERSE.frame
    alone = factor_model(frame, REFERENCE).covariance()
    joint = factor_model(frame, REFERENCE, listed=["uk_equity", "gilts", "property"]).covariance()
    n = len(frame)
    assert np.abs(joint[:n, :n] - alone).max() < 1e-14


def test_the_allocations_volatility_is_the_same_in_the_joint_model():
    run = default_run()
    comparison = run.comparison
    assert comparison.portfolio.volatility == pytest.approx(run.allocation.metrics()["volatility"], abs=1e-15)
    joint = joint_risk(UNIVERSE.frame, REFERENCE, list(comparison.mix.index), 1e8, "factor model")
    assert joint.volatility(comparison.portfolio.holdings) == pytest.approx(
        comparison.portfolio.volatility, abs=1e-12
    )
    assert joint.volatility(comparison.city_weighted.holdings) == pytest.approx(
        comparison.city_weighted.volatility, abs=1e-12
    )


def test_local_shares_order_allocation_city_weighted_uk():
    comparison = default_run().comparison
    places = raw("places.csv").set_index("ons_code")
    local_people = places.loc[[PRESTON, SOUTH_RIBBLE], "population"].sum()
    compared = comparison.city.places.index  # the places with candidates the benchmark spreads over
    assert comparison.portfolio.impact.local_share == 1.0
    assert comparison.city_weighted.impact.local_share == pytest.approx(
        local_people / places.loc[compared, "population"].sum(), abs=1e-7
    )
    uk_people = places["population"].sum()
    assert comparison.uk.impact.local_share == pytest.approx(local_people / uk_people, abs=1e-12)
    shares = [f.impact.local_share for f in (comparison.portfolio, comparison.city_weighted, comparison.uk)]
    assert shares == sorted(shares, reverse=True) and len(set(shares)) == 3


def test_uk_benchmark_from_any_mix():
    holdings = uk_benchmark(pd.Series({"gilts": 0.25, "uk_equity": 0.75, "property": 0.0}), 1_000.0)
    assert holdings.listed.to_dict() == {"gilts": 250.0, "uk_equity": 750.0}
    assert holdings.total_gbp == 1_000.0


def _city(universe):
    screen = run_screen(universe, MANDATE, REFERENCE, StabilitySettings(draws=50))
    return city_weighted(universe, screen, MANDATE, REFERENCE, factor_model(universe.frame, REFERENCE))


def test_with_candidates_in_the_mandate_places_only_the_split_follows_their_population(
    candidate_rows, write_csv
):
    rows = [candidate_rows[0]] + [r for r in candidate_rows[1:] if r[0].startswith(("PRE-", "SRB-"))]
    city = _city(load_candidates(write_csv(rows), REFERENCE))
    assert city.status == "optimal"
    amounts = city.places["amount_gbp"]
    people = raw("places.csv").set_index("ons_code").loc[[PRESTON, SOUTH_RIBBLE], "population"]
    assert amounts[PRESTON] == pytest.approx(1e8 * people[PRESTON] / people.sum(), abs=2)
    assert amounts[SOUTH_RIBBLE] == pytest.approx(1e8 * people[SOUTH_RIBBLE] / people.sum(), abs=2)


def test_too_little_capacity_anywhere_is_an_infeasible_benchmark_with_a_note(candidate_rows, write_csv):
    header = candidate_rows[0]
    for row in candidate_rows[1:]:
        row[header.index("min_ticket_gbp")] = ""
        row[header.index("max_ticket_gbp")] = "1000000"  # £1m each: far below £100m in all
    city = _city(load_candidates(write_csv(candidate_rows), REFERENCE))
    assert city.status == "infeasible" and city.holdings is None
    assert any("can take only" in note for note in city.notes)


def test_a_place_the_other_limits_keep_out_gets_nothing_and_the_rest_is_respread():
    caps = {**MANDATE.asset_class_caps, "social_housing": 0.0}  # Glasgow's only eligible candidate
    mandate = MANDATE.model_copy(update={"asset_class_caps": caps})
    run = default_run()
    city = city_weighted(UNIVERSE, run.screen, mandate, REFERENCE, run.risk)
    assert city.status == "optimal"
    assert any(note.startswith("Glasgow City's candidates can take nothing") for note in city.notes)
    amounts = city.places["amount_gbp"]
    assert amounts["S12000049"] == 0.0
    population = raw("places.csv").set_index("ons_code").loc[amounts.index.drop("S12000049"), "population"]
    expected = 1e8 * population / population.sum()
    assert np.abs(amounts.drop("S12000049") - expected).max() <= 2.0
