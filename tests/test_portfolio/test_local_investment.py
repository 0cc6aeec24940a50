"""The local investment report (portfolio.local_investment): the share of the fund against the
target range worked out again from the JSON's holdings, the money by district, what is not counted,
the peer as the data file states it and the claims far above it. Expected figures come from the
bundled CSV files read plainly with pandas, not through the code under test."""

from __future__ import annotations

import pandas as pd
import pytest
from comparison_helpers import (
    MANDATE,
    PRESTON,
    REFERENCE,
    SOUTH_RIBBLE,
    UNIVERSE,
    default_document,
    default_run,
    raw,
)

from portfolio.impact import impact_basis
from portfolio.local_investment import FLAG_MULTIPLE, bundled_peer, local_investment, local_investment_lines
from portfolio.report import run_result
from portfolio.result import LocalInvestment
from portfolio.run import run_allocation
from screening.reading.mandate import LocalInvestmentSettings

FUND = 7_000_000_000
PEERS = raw("local_investment_peers.csv")
PLACES = raw("places.csv").set_index("ons_code")
LISTED = set(raw("capital_market_assumptions.csv").query("liquid")["asset_class"])


def _report(mandate=MANDATE, frame: pd.DataFrame | None = None) -> LocalInvestment:
    """The report of the default run's allocation under `mandate`, over `frame` (the universe's)."""
    run = default_run()
    frame = UNIVERSE.frame if frame is None else frame
    found = local_investment(
        run.allocation.amounts,
        frame,
        impact_basis(frame, run.screen, mandate, REFERENCE),
        mandate,
        REFERENCE,
        run.comparison.fiduciary.return_given_up_bp,
        bundled_peer(),
    )
    assert found is not None
    return found


def _with_range(low: float, high: float, **more):
    """The bundled mandate with another [local_investment] table."""
    settings = LocalInvestmentSettings(target_min_share=low, target_max_share=high, **more)
    return MANDATE.model_copy(update={"local_investment": settings})


def test_the_share_of_the_fund_is_the_counted_money_over_the_fund_size() -> None:
    document = default_document()
    local = document["local_investment"]
    counted_classes = set(local["counted_asset_classes"])
    counted = sum(
        h["amount_gbp"]
        for h in document["allocations"]
        if h["asset_class"] in counted_classes and h["local_authority"] in (PRESTON, SOUTH_RIBBLE)
    )
    assert counted == pytest.approx(100_000_000, abs=1)  # every bundled holding is a private market one
    assert local["counted_gbp"] == pytest.approx(counted, abs=0.01)
    assert local["share_of_fund"] == pytest.approx(counted / FUND, rel=1e-8)
    assert round(local["share_of_fund"], 4) == 0.0143  # £100m of £7bn
    assert local["target_range"] == {"min": 0.01, "max": 0.05}
    assert local["within_range"] is True
    assert local["status"] == "allocated" and local["not_counted"] == []


def test_the_same_share_is_outside_a_range_of_two_to_five_percent() -> None:
    found = _report(_with_range(0.02, 0.05))
    assert found.within_range is False
    assert found.share_of_fund == pytest.approx(100_000_000 / FUND)
    line = local_investment_lines(found)[0]
    assert "1.43% of the £7bn fund, below the target range of 2.00% to 5.00%" in line
    assert "comply or explain" in line and "£40m more" in line  # 2% of £7bn is £140m
    above = _report(_with_range(0.001, 0.01))
    assert (
        above.within_range is False
        and "above the target range of 0.10% to 1.00% by £30m" in (local_investment_lines(above)[0])
    )


def test_without_a_fund_size_there_is_no_share_and_no_test() -> None:
    found = _report(MANDATE.model_copy(update={"fund_size_gbp": None}))
    assert found.share_of_fund is None and found.within_range is None and found.fund_size_gbp is None
    assert found.counted_gbp == pytest.approx(100_000_000, abs=1)
    assert "sets no fund size" in local_investment_lines(found)[0]


def test_the_money_by_district_adds_up_to_the_counted_money_with_each_districts_groups() -> None:
    document = default_document()
    local = document["local_investment"]
    districts = local["by_district"]
    assert sum(d["gbp"] for d in districts) == pytest.approx(local["counted_gbp"], abs=0.01)
    by_place = document["portfolio"]["by_place"]
    for d in districts:
        assert set(d) == {"code", "name", "gbp", "county", "combined_authority"}
        assert d["name"] == PLACES.at[d["code"], "name"]
        assert d["county"] == PLACES.at[d["code"], "county"] == "Lancashire"
        assert d["combined_authority"] == PLACES.at[d["code"], "combined_authority_name"]
        assert d["gbp"] == pytest.approx(by_place[d["code"]], abs=0.01)
    assert [d["gbp"] for d in districts] == sorted((d["gbp"] for d in districts), reverse=True)
    groups = {(g["kind"], g["name"]): g["gbp"] for g in local["by_group"]}
    assert groups == {
        ("combined_authority", "Lancashire"): pytest.approx(local["counted_gbp"], abs=0.01),
        ("county", "Lancashire"): pytest.approx(local["counted_gbp"], abs=0.01),
    }


def test_a_listed_holding_is_not_counted_unless_the_mandate_counts_its_class() -> None:
    amounts = default_run().allocation.amounts
    held = amounts[amounts > 0]
    listed_one = str(held.index[0])
    frame = UNIVERSE.frame.copy()
    frame.loc[listed_one, "asset_class"] = "uk_equity"
    assert "uk_equity" in LISTED
    found = _report(frame=frame)
    assert [h.id for h in found.not_counted] == [listed_one]
    left = found.not_counted[0]
    assert left.amount_gbp == pytest.approx(held[listed_one], abs=0.01)
    assert left.asset_class == "uk_equity" and left.reason.startswith("Listed asset class (UK equities): ")
    assert "only with a recorded local benefit" in left.reason
    assert found.counted_gbp == pytest.approx(held.sum() - held[listed_one], abs=0.01)
    assert found.share_of_fund == pytest.approx(found.counted_gbp / FUND)
    assert sum(d.gbp for d in found.by_district) == pytest.approx(found.counted_gbp, abs=0.01)
    # a recorded local benefit lets the listed holding count, with the mandate as it is
    frame.loc[listed_one, "local_benefit"] = "Anchor employer's new plant in Preston: 300 local jobs"
    assert _report(frame=frame).not_counted == []
    frame.loc[listed_one, "local_benefit"] = None
    counted_too = [*MANDATE.local_investment.counted_asset_classes, "uk_equity"]
    lister = _with_range(0.01, 0.05, counted_asset_classes=counted_too)
    assert _report(lister, frame).not_counted == []
    # a class the mandate leaves out is not counted either, with its own reason
    no_housing = [c for c in MANDATE.local_investment.counted_asset_classes if c != "social_housing"]
    without = _report(_with_range(0.01, 0.05, counted_asset_classes=no_housing))
    housing = set(UNIVERSE.frame.loc[held.index].query("asset_class == 'social_housing'").index)
    assert {h.id for h in without.not_counted} == housing and housing
    assert all("does not count social housing as local investment" in h.reason for h in without.not_counted)


def test_the_kpis_are_the_allocations_impact_when_everything_counts() -> None:
    document = default_document()
    kpis, portfolio = document["local_investment"]["kpis"], document["portfolio"]
    for key in (
        "jobs",
        "jobs_net",
        "affordable_homes",
        "affordable_homes_net",
        "co2_avoided_t",
        "co2_avoided_t_net",
    ):
        assert kpis[key] == pytest.approx(portfolio[key]), key
    assert kpis["deprived_share"] == pytest.approx(portfolio["deprived_share"])
    assert kpis["return_given_up_bp"] == pytest.approx(document["fiduciary"]["return_given_up_bp"])
    assert kpis["jobs_per_gbp_m"] == pytest.approx(portfolio["jobs"] / 100)
    assert kpis["homes_per_gbp_m"] == pytest.approx(portfolio["affordable_homes"] / 100)
    candidates = raw("candidates.csv").set_index("id")
    sme = [h for h in document["allocations"] if candidates.at[h["id"], "sector"] == "sme_finance"]
    assert kpis["sme_holdings"] == len(sme) > 0
    assert kpis["sme_finance_gbp"] == pytest.approx(sum(h["amount_gbp"] for h in sme), abs=0.01)
    assert kpis["renewable_capacity_mw"] is None and kpis["affordable_share_of_homes"] is None
    notes = " ".join(kpis["notes"])
    assert "Renewable capacity is not in the candidate data" in notes
    assert "holdings, not firms" in notes and "affordable share of the homes is not known" in notes


def test_the_peer_is_the_data_files() -> None:
    peer = default_document()["local_investment"]["peer"]
    row = PEERS.iloc[0]
    assert peer["name"] == row["peer"] == "Greater Manchester Pension Fund's local portfolio"
    assert peer["committed_gbp"] == row["committed_gbp"] == 1_360_000_000
    assert peer["fund_size_gbp"] == row["fund_size_gbp"] == 30_000_000_000
    assert peer["share_of_fund"] == row["share_of_fund"] == 0.045
    assert peer["jobs"] == row["jobs_supported"] == 18_300
    assert peer["homes"] == row["homes"] == 4_395
    assert peer["status"] == row["status"] == "published"
    assert peer["source"] == row["source"] and "Good Economy" in peer["source"]
    assert peer["jobs_per_gbp_m"] == pytest.approx(18_300 / 1_360)  # about 13
    assert peer["homes_per_gbp_m"] == pytest.approx(4_395 / 1_360)  # about 3


def test_a_candidate_claiming_60_jobs_per_million_is_flagged_held_or_not() -> None:
    assert default_document()["local_investment"]["flags"] == []  # no bundled claim is that far out
    amounts = default_run().allocation.amounts
    outside = next(c for c in UNIVERSE.frame.index if amounts.get(c, 0) == 0 and c.startswith("MAN"))
    frame = UNIVERSE.frame.copy()
    frame.loc[outside, "jobs_per_gbp_m"] = 60.0
    frame.loc["PRE-001", "affordable_homes_per_gbp_m"] = 12.0  # 3.7 times 3.23
    frame.loc["PRE-002", "jobs_per_gbp_m"] = 40.0  # 2.97 times 13.46: not flagged
    found = _report(frame=frame)
    peer_jobs, peer_homes = 18_300 / 1_360, 4_395 / 1_360
    assert FLAG_MULTIPLE == 3.0 and found.flag_multiple == 3.0
    flags = {(f.id, f.figure): f for f in found.flags}
    assert set(flags) == {(outside, "jobs_per_gbp_m"), ("PRE-001", "affordable_homes_per_gbp_m")}
    jobs = flags[(outside, "jobs_per_gbp_m")]
    assert (jobs.claimed, jobs.name) == (60.0, UNIVERSE.frame.at[outside, "name"])
    assert jobs.peer == pytest.approx(peer_jobs) and jobs.times == pytest.approx(60 / peer_jobs, abs=1e-3)
    assert flags[("PRE-001", "affordable_homes_per_gbp_m")].peer == pytest.approx(peer_homes)
    assert [f.id for f in found.flags] == [jobs.id, "PRE-001"]  # largest multiple first
    assert (
        "2 candidates claim jobs or homes per £1m more than 3 times the peer's"
        in local_investment_lines(found)[-1]
    )


def test_the_json_key_is_there_only_with_the_table_and_an_allocation() -> None:
    local = default_document()["local_investment"]
    assert set(local) == {
        "status",
        "share_of_fund",
        "fund_size_gbp",
        "target_range",
        "within_range",
        "counted_asset_classes",
        "counted_gbp",
        "by_district",
        "by_group",
        "not_counted",
        "kpis",
        "peer",
        "flag_multiple",
        "flags",
        "notes",
    }
    assert set(local["kpis"]) >= {
        "jobs",
        "jobs_net",
        "affordable_homes",
        "affordable_share_of_homes",
        "renewable_capacity_mw",
        "co2_avoided_t",
        "sme_holdings",
        "sme_finance_gbp",
        "deprived_share",
        "return_given_up_bp",
    }
    run = default_run()
    without = MANDATE.model_copy(update={"local_investment": None})
    assert "local_investment" not in run_result(run, UNIVERSE, without, REFERENCE).to_json()
    tight = MANDATE.model_copy(update={"max_volatility": 0.01})
    infeasible = run_allocation(UNIVERSE, tight, REFERENCE, frontier_points=0)
    assert "local_investment" not in run_result(infeasible, UNIVERSE, tight, REFERENCE).to_json()
