"""`impact-screen allocate --json`: the comparison keys are present on the default run and agree
with each other, the summary's numbers are the JSON's, and an infeasible mandate has no comparison."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from comparison_helpers import (
    MANDATE,
    REFERENCE,
    UNIVERSE,
    candidates_csv,
    default_document,
    default_run,
    raw,
)

from impact_screen import cli
from impact_screen.output import allocation_text
from portfolio.report import run_result
from portfolio.run import run_allocation
from screening.vocabulary import money, points, show

FIGURES = (
    "expected_return",
    "volatility",
    "jobs",
    "jobs_net",
    "local_spend_retained_gbp",
    "affordable_homes",
    "co2_avoided_t",
    "deprived_share",
    "social_value_gbp",
    "local_share",
)


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    out = tmp_path_factory.mktemp("json") / "allocation.json"
    assert cli.main(["allocate", "--json", str(out), "--frontier-points", "0"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_cli_document_carries_every_comparison_key(document):
    for key in ("portfolio", "benchmarks", "fiduciary", "stress", "projection", "summary"):
        assert key in document
    for section in (
        document["portfolio"],
        document["benchmarks"]["uk"],
        document["benchmarks"]["city_weighted"],
    ):
        assert set(FIGURES) <= set(section)
    assert len(document["stress"]) >= 4
    for entry in document["stress"]:
        assert {"name", "portfolio_loss_gbp", "uk_loss_gbp", "city_weighted_loss_gbp"} <= set(entry)
    assert {"uk_benchmark_mix", "stress_scenarios"} <= set(document["provenance"])
    assert document["provenance"]["stress_scenarios"]["status"] == "illustrative"


def test_the_cli_and_the_library_give_the_same_comparison(document):
    library = json.loads(json.dumps(default_document()))
    for key in ("benchmarks", "fiduciary", "stress", "summary"):
        assert document[key] == library[key], key


def test_figures_agree_with_each_other(document):
    mine, uk = document["portfolio"], document["benchmarks"]["uk"]
    city = document["benchmarks"]["city_weighted"]
    panel = document["fiduciary"]
    assert panel["return_given_up_bp"] == pytest.approx(
        (uk["expected_return"] - mine["expected_return"]) * 1e4, abs=0.011
    )
    assert panel["whole_fund"]["return_given_up_bp"] == pytest.approx(
        panel["return_given_up_bp"] / 70, abs=1e-4
    )
    assert panel["tracking_error"] == mine["tracking_error"]
    assert panel["extra_volatility_bp"] == pytest.approx(
        (mine["volatility"] - uk["volatility"]) * 1e4, abs=0.011
    )
    assert panel["within_tolerance"] is (panel["return_given_up_bp"] <= panel["tolerance_bp"])
    assert mine["local_share"] > city["local_share"] > uk["local_share"]
    assert uk["total_gbp"] == city["total_gbp"] == mine["total_gbp"] == document["target_gbp"]
    assert sum(a["amount_gbp"] for a in city["allocations"]) == document["target_gbp"]
    assert sum(p["amount_gbp"] for p in city["places"]) == document["target_gbp"]
    assert sum(m["amount_gbp"] for m in uk["mix"]) == pytest.approx(document["target_gbp"], abs=0.1)


def test_gross_jobs_in_the_json_reconcile_with_the_candidate_file(document):
    data = candidates_csv()
    filled = data["jobs_per_gbp_m"].fillna(float(data["jobs_per_gbp_m"].dropna().quantile(0.25)))
    for section, rows in (
        (document["portfolio"], document["allocations"]),
        (document["benchmarks"]["city_weighted"], document["benchmarks"]["city_weighted"]["allocations"]),
    ):
        by_hand = sum(row["amount_gbp"] / 1e6 * filled[row["id"]] for row in rows)
        assert section["jobs"] == pytest.approx(by_hand, abs=1e-5)
    assert document["benchmarks"]["uk"]["jobs"] is None


def test_city_weighted_places_in_the_json_follow_population(document):
    places = raw("places.csv").set_index("ons_code")["population"]
    rows = pd.DataFrame(document["benchmarks"]["city_weighted"]["places"]).set_index("ons_code")
    expected = places.loc[rows.index] / places.loc[rows.index].sum()
    assert np.abs(rows["amount_gbp"] / 1e8 - expected).max() < 1e-7
    assert np.abs(rows["proportional_share"] - expected).max() < 1e-6


def test_stress_and_projection_agree_with_the_portfolios(document):
    closure = next(s for s in document["stress"] if "employer" in s["name"])
    assert closure["portfolio_loss_gbp"] == pytest.approx(0.10 * document["target_gbp"])
    assert closure["uk_loss_gbp"] == 0.0
    bands = document["projection"]["bands"]
    assert set(bands) == {"portfolio", "uk", "city_weighted"}
    assert bands["portfolio"]["p50"][0] == document["target_gbp"]
    assert len(bands["uk"]["p95"]) == 11


def test_the_summary_reads_its_numbers_from_the_json(document):
    summary, mine, uk = document["summary"], document["portfolio"], document["benchmarks"]["uk"]
    city, panel = document["benchmarks"]["city_weighted"], document["fiduciary"]
    worst = max(document["stress"], key=lambda s: s["portfolio_loss_gbp"])
    assert 2 <= summary.count(". ") + 1 <= 3
    for fragment in (
        "Investing £100m in Preston and South Ribble",
        f"earn {show('expected_return', mine['expected_return'])} a year",
        f"{points(panel['return_given_up_bp'])} (about {money(panel['return_given_up_gbp'])} a year) less",
        f"({show('expected_return', uk['expected_return'])})",
        f"support about {show('jobs', mine['jobs'])} jobs ({show('jobs_net', mine['jobs_net'])} after additionality)",
        f"keep about {money(mine['local_spend_retained_gbp'])} circulating",
        f"about {money(uk['local_spend_retained_gbp'])} for the UK benchmark",
        f"{money(city['local_spend_retained_gbp'])} if the money were spread across UK cities by population",
        f"within the committee's limit of {points(panel['tolerance_bp'])}",
        f"({worst['name']}) it would lose about {money(worst['portfolio_loss_gbp'])}",
        f"against {money(worst['uk_loss_gbp'])} for the UK benchmark",
    ):
        assert fragment in summary, fragment
    assert "tracking error" not in summary and " bp" not in summary


def test_money_and_points_read_aloud():
    assert [money(v) for v in (100e6, 55.5e6, 173_746.1, 7e9, 14.15e6)] == [
        "£100m",
        "£55.5m",
        "£174,000",
        "£7bn",
        "£14.2m",
    ]
    assert points(48.87) == "0.49 percentage points"
    assert points(0.698) == "0.01 percentage points"
    assert points(0.2) == "less than 0.01 percentage points"


def test_the_command_line_text_ends_with_the_comparison_and_the_summary():
    text = allocation_text(run_result(default_run(), UNIVERSE, MANDATE, REFERENCE), REFERENCE)
    assert "Compared with the same money elsewhere" in text
    assert "UK benchmark" in text and "City-weighted benchmark" in text
    assert "Worst stress test (2008-style credit crisis)" in text
    assert " ".join(text.split()).endswith("against £22.9m for the UK benchmark.")


def test_an_infeasible_mandate_has_no_comparison_keys():
    mandate = MANDATE.model_copy(update={"min_expected_return": 0.09})
    run = run_allocation(UNIVERSE, mandate, REFERENCE, frontier_points=0)
    assert run.allocation.status == "infeasible" and run.comparison is None
    document = run_result(run, UNIVERSE, mandate, REFERENCE).to_json()
    assert not {"benchmarks", "fiduciary", "stress", "projection", "summary"} & set(document)
    assert "jobs_net" not in document["portfolio"]


def test_with_a_covariance_file_the_comparison_says_which_model_it_used(write_csv):
    run = default_run()
    ids = list(UNIVERSE.frame.index)
    covariance = pd.DataFrame(run.risk.covariance(), index=ids, columns=ids)
    with_file = run_allocation(UNIVERSE, MANDATE, REFERENCE, covariance=covariance, frontier_points=0)
    comparison = with_file.comparison
    assert with_file.risk.source == "covariance file"
    assert any("covariance file covers the candidates only" in note for note in comparison.notes)
    # the same covariance in another form: the same optimum, found through other arithmetic, so
    # equal to the solver's precision (the objective is impact; volatility is flat around it)
    assert comparison.portfolio.volatility == pytest.approx(run.comparison.portfolio.volatility, abs=1e-7)
    assert comparison.fiduciary.tracking_error == pytest.approx(
        run.comparison.fiduciary.tracking_error, abs=1e-7
    )
