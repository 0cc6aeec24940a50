"""Stress scenarios: the bundled file is checked and has the four named kinds of shock, losses are
amount x shock by hand, and a broken file gets one line-numbered message per problem."""

from __future__ import annotations

import pandas as pd
import pytest
from comparison_helpers import (
    MANDATE,
    PRESTON,
    REFERENCE,
    SOUTH_RIBBLE,
    UNIVERSE,
    candidates_csv,
    default_run,
    raw,
)

from portfolio.comparison_inputs import Scenario, load_comparison_inputs
from portfolio.holdings import Holdings
from portfolio.stress import stress_loss, worst
from screening.errors import InputError

HEADER = ["scenario", "applies_to", "shock", "basis", "description"]


def test_the_bundled_file_has_at_least_four_named_scenarios():
    names = [s.name for s in load_comparison_inputs(REFERENCE).scenarios]
    assert len(names) >= 4
    for words in ("credit crisis", "Gilt yields +200 bp", "Property downturn", "local employer"):
        assert any(words in name for name in names), words
    employer = next(s for s in load_comparison_inputs(REFERENCE).scenarios if "employer" in s.name)
    assert employer.place_shocks == {"mandate": -0.10} and employer.class_shocks == {}


def test_losses_are_amount_times_shock_by_hand():
    comparison = default_run().comparison
    data = candidates_csv()
    shocks = raw("stress_scenarios.csv")
    for result in comparison.stress:
        rows = shocks[shocks["scenario"] == result.scenario.name].set_index("applies_to")["shock"]
        by_class = {k: v for k, v in rows.items() if not k.startswith("place:")}
        local = rows.get("place:mandate", 0.0)
        class_shock = data["asset_class"].map(lambda c, shocks=by_class: shocks.get(c, 0.0))
        shock = class_shock + local * data["local_authority"].isin([PRESTON, SOUTH_RIBBLE])
        for key, figures in (
            ("portfolio", comparison.portfolio),
            ("city_weighted", comparison.city_weighted),
        ):
            held = figures.holdings.candidates
            assert result.losses[key] == pytest.approx(-float((held * shock[held.index]).sum()), abs=1e-6), (
                key
            )
        listed = comparison.uk.holdings.listed
        expected_uk = -sum(amount * by_class.get(c, 0.0) for c, amount in listed.items())
        assert result.losses["uk"] == pytest.approx(expected_uk, abs=1e-6)


def test_a_local_employer_closing_hits_the_allocation_far_harder_than_the_benchmarks():
    comparison = default_run().comparison
    closure = next(r for r in comparison.stress if "employer" in r.scenario.name)
    local_in_city = comparison.city_weighted.impact.local_share * 100e6
    assert closure.losses == pytest.approx(
        {"portfolio": 10_000_000, "uk": 0.0, "city_weighted": 0.10 * local_in_city}, abs=1e-6
    )


def test_a_place_shock_by_code_adds_to_the_mandate_shock_and_the_class_shock():
    scenario = Scenario("x", {"property": -0.2}, {PRESTON: -0.05, "mandate": -0.01})
    holdings = Holdings.of(
        "x",
        "x",
        candidates=pd.Series({"PRE-007": 1e6, "SRB-004": 1e6, "MAN-003": 1e6, "PRE-001": 1e6}),
        listed=pd.Series({"property": 1e6}),
    )
    # PRE-007 property Preston; SRB-004 property South Ribble; MAN-003 property Manchester; PRE-001 social housing
    expected = 1e6 * ((0.2 + 0.05 + 0.01) + (0.2 + 0.01) + 0.2 + (0.05 + 0.01) + 0.2)
    assert stress_loss(holdings, scenario, UNIVERSE.frame, MANDATE.places) == pytest.approx(expected)


def test_worst_picks_the_largest_loss():
    comparison = default_run().comparison
    found = worst(comparison.stress)
    assert found.losses["portfolio"] == max(r.losses["portfolio"] for r in comparison.stress)


def _stress_file(write_csv, rows):
    return write_csv([HEADER, *rows], name="stress.csv")


def test_a_broken_stress_file_gets_one_line_numbered_message_per_problem(write_csv):
    source = _stress_file(
        write_csv,
        [
            ["Crash", "uk_equity", "-0.3", "illustrative", "ok"],
            ["Crash", "propety", "-0.2", "illustrative", "typo"],
            ["Crash", "gilts", "-25", "illustrative", "a percentage"],
            ["Crash", "place:E0700012", "-0.1", "illustrative", "bad code"],
            ["Crash", "uk_equity", "-0.1", "illustrative", "twice"],
            ["Crash", "place:mandat", "-0.1", "illustrative", "typo"],
        ],
    )
    with pytest.raises(InputError) as caught:
        load_comparison_inputs(REFERENCE, scenarios=source)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 5
    assert lines[0].endswith(
        "stress.csv:3: column 'applies_to': 'propety' is not a known asset class (did you mean 'property'?)"
    )
    assert "stress.csv:4: column 'shock': -25 looks like a percentage typed as a whole number" in lines[1]
    assert "stress.csv:5: column 'applies_to': 'E0700012' is not a place in places.csv" in lines[2]
    assert "stress.csv:6: column 'applies_to': 'Crash / uk_equity' already appears on line 2" in lines[3]
    assert (
        "stress.csv:7: column 'applies_to': 'mandat' is not a place" in lines[4] and "'mandate'" in lines[4]
    )


def test_a_missing_shock_column_and_a_shock_beyond_minus_one_are_refused(write_csv):
    source = write_csv([["scenario", "applies_to"], ["Crash", "uk_equity"]], name="stress.csv")
    with pytest.raises(InputError, match="column 'shock': required column is missing"):
        load_comparison_inputs(REFERENCE, scenarios=source)
    with pytest.raises(
        InputError, match=r"stress.csv:2: column 'shock': -1.5 is outside the plausible range -1 to 1"
    ):
        load_comparison_inputs(
            REFERENCE, scenarios=_stress_file(write_csv, [["Crash", "gilts", "-150%", "", ""]])
        )


def test_a_mix_that_does_not_add_up_or_names_an_unknown_class_is_refused(write_csv):
    mix = write_csv([["asset_class", "weight"], ["uk_equity", "0.49"], ["gilts", "0.16"]], name="mix.csv")
    with pytest.raises(InputError, match=r"mix.csv: column 'weight': the weights add up to 0.65, not 1"):
        load_comparison_inputs(REFERENCE, mix=mix)
    mix = write_csv([["asset_class", "weight"], ["uk_equities", "1"]], name="mix.csv")
    with pytest.raises(
        InputError, match=r"mix.csv:2: column 'asset_class': 'uk_equities' is not a known asset class"
    ):
        load_comparison_inputs(REFERENCE, mix=mix)


def test_problems_in_both_files_are_reported_together(write_csv):
    mix = write_csv([["asset_class", "weight"], ["uk_equity", "0.5"]], name="mix.csv")
    scenarios = _stress_file(write_csv, [["Crash", "propety", "-0.2", "", ""]])
    with pytest.raises(InputError) as caught:
        load_comparison_inputs(REFERENCE, mix=mix, scenarios=scenarios)
    assert {p.file.rsplit("/", 1)[-1] for p in caught.value.problems} == {"mix.csv", "stress.csv"}


def test_a_users_scenarios_flow_into_the_comparison(write_csv):
    from portfolio.run import run_allocation

    inputs = load_comparison_inputs(
        REFERENCE, scenarios=_stress_file(write_csv, [["Gilts only", "gilts", "-0.2", "", ""]])
    )
    run = run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=0, comparison_inputs=inputs)
    (result,) = run.comparison.stress
    gilts = run.comparison.uk.holdings.listed["gilts"]
    assert result.losses == pytest.approx({"portfolio": 0.0, "uk": 0.2 * gilts, "city_weighted": 0.0})
    assert run.comparison.provenance["stress_scenarios"].source == "file"
