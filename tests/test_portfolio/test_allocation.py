"""The allocation engine, checked without trusting the solver's word.

Every answer is re-evaluated independently: limits with numpy on the pounds, optima against brute
force over held subsets and against other solvers (HiGHS, SCS, SLSQP, PyPortfolioOpt), shadow
prices against finite differences, diagnoses by applying the suggested relaxation and solving again.
"""

from __future__ import annotations

import json
import math
import tomllib

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
from portfolio_helpers import (
    PRESTON,
    TARGET,
    brute_force,
    candidate_rows,
    factor_model_covariance,
    make_mandate,
    plain_problem,
    pypfopt_max_return,
    random_covariance,
    slsqp,
    solve_subset,
    synthetic_inputs,
    write_candidates,
    write_covariance,
    write_mandate,
)

from impact_screen import cli
from portfolio.allocate import Allocation, allocate
from portfolio.inputs import AllocationInputs, allocation_inputs
from portfolio.problem import SolveOptions
from portfolio.risk import factor_model
from portfolio.run import run_allocation
from screening import bundled_reference, load_candidates, load_mandate, load_matrix
from screening.reading import bundled
from screening.reading.mandate import Mandate
from screening.reading.tables import InputFile
from screening.screen import run_screen
from screening.stability import StabilitySettings

REFERENCE = bundled_reference()
UNIVERSE = load_candidates(None, REFERENCE)
MANDATE = load_mandate(None, REFERENCE)
TIGHT = SolveOptions(mip_gap=1e-9)  # prove optimality, for comparisons with exact optima
MANDATE_KEYS = (
    "target_gbp",
    "max_candidate_share",
    "sector_caps",
    "asset_class_caps",
    "max_volatility",
    "min_expected_return",
    "min_impact_score",
    "max_illiquid_share",
    "min_holdings",
)


@pytest.fixture(scope="module")
def default_run():
    return run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=0)


@pytest.fixture(scope="module")
def bundled_inputs() -> AllocationInputs:
    """The bundled universe's eligible candidates under the bundled mandate."""
    screen = run_screen(UNIVERSE, MANDATE, REFERENCE, StabilitySettings(draws=200))
    return allocation_inputs(
        UNIVERSE.frame, screen, MANDATE, REFERENCE, factor_model(UNIVERSE.frame, REFERENCE)
    )


def objective_value(inputs: AllocationInputs, weights: np.ndarray, objective: str) -> float:
    return float({"max_return": inputs.expected_return, "max_impact": inputs.impact}[objective] @ weights)


def assert_within_limits(inputs: AllocationInputs, mandate: Mandate, weights: np.ndarray, tol: float) -> None:
    """Every limit of `mandate`, recomputed with numpy from the weights (not the engine's code)."""
    covariance = inputs.risk.exposures @ inputs.risk.exposures.T + np.diag(inputs.risk.specific**2)
    assert abs(weights.sum() - 1) <= 1e-12
    assert np.all(weights >= 0)
    held = weights > 0
    assert np.all(~held | (weights >= inputs.lower - 1e-12)), "a holding below its minimum ticket"
    assert np.all(weights <= inputs.upper + 1e-12), "a holding above its maximum ticket"
    if mandate.max_candidate_share is not None:
        assert weights.max() <= mandate.max_candidate_share + tol
    for sector, cap in mandate.sector_caps.items():
        assert weights[inputs.sector == sector].sum() <= cap + tol, sector
    for asset_class, cap in mandate.asset_class_caps.items():
        assert weights[inputs.asset_class == asset_class].sum() <= cap + tol, asset_class
    if mandate.max_volatility is not None:
        assert math.sqrt(weights @ covariance @ weights) <= mandate.max_volatility + tol
    if mandate.min_expected_return is not None:
        assert inputs.expected_return @ weights >= mandate.min_expected_return - tol
    if mandate.min_impact_score is not None:
        assert 100 * inputs.impact @ weights >= mandate.min_impact_score - 100 * tol
    if mandate.min_holdings is not None:
        assert held.sum() >= mandate.min_holdings


# --- the default run --------------------------------------------------------------------------------


def test_default_run_places_exactly_the_target_in_whole_pounds_within_tickets(default_run):
    result = default_run.allocation
    assert result.status == "optimal"
    amounts = result.amounts
    assert np.all(amounts.to_numpy() == np.round(amounts.to_numpy())), "amounts are whole pounds"
    assert int(amounts.astype(np.int64).sum()) == 100_000_000
    frame = UNIVERSE.frame.loc[amounts.index]
    held = amounts > 0
    assert np.all(amounts[held] >= frame.loc[held, "min_ticket_gbp"])
    assert np.all(amounts[held] <= frame.loc[held, "max_ticket_gbp"])
    assert held.sum() >= 2


def test_default_run_invests_only_in_eligible_candidates_in_the_mandates_places(default_run):
    invested = default_run.allocation.amounts[default_run.allocation.amounts > 0].index
    frame = UNIVERSE.frame
    # eligibility written out from the mandate, not taken from the screen
    eligible = (
        frame["local_authority"].isin(["E07000123", "E07000126"])
        & ~frame["sector"].isin(MANDATE.excluded_sectors)
        & (frame["evidence_quality"] >= MANDATE.min_evidence_quality)
        & (frame["liquidity_years"] <= MANDATE.max_lockup_years)
    )
    assert set(invested) <= set(frame.index[eligible])
    assert set(invested) <= set(default_run.screen.table.index[default_run.screen.table["eligible"]])
    assert set(frame.loc[invested, "local_authority"]) <= {"E07000123", "E07000126"}


def test_default_run_meets_every_mandate_limit_recomputed_with_numpy(default_run):
    result = default_run.allocation
    frame = UNIVERSE.frame.loc[result.amounts.index]
    w = result.amounts.to_numpy() / 100_000_000
    with open(bundled.bundled(bundled.RISK_MODEL), "rb") as handle:
        settings = tomllib.load(handle)
    covariance = factor_model_covariance(
        frame,
        REFERENCE,
        settings["asset_class_share"],
        settings["place_share"],
        settings["same_region_correlation"],
    )
    # the engine's factor form is the same matrix as the model's definition
    assert np.allclose(default_run.risk.subset(list(frame.index)).covariance(), covariance, atol=1e-14)
    tol = 1e-9
    assert w.max() <= MANDATE.max_candidate_share + tol
    for sector, cap in MANDATE.sector_caps.items():
        assert w[(frame["sector"] == sector).to_numpy()].sum() <= cap + tol, sector
    for asset_class, cap in MANDATE.asset_class_caps.items():
        assert w[(frame["asset_class"] == asset_class).to_numpy()].sum() <= cap + tol, asset_class
    volatility = math.sqrt(w @ covariance @ w)
    assert volatility <= MANDATE.max_volatility + tol
    expected_return = float(frame["expected_return"].to_numpy() @ w)
    assert expected_return >= MANDATE.min_expected_return - tol
    illiquid = ~frame["asset_class"].map(REFERENCE.assumptions["liquid"].astype(bool)).to_numpy(dtype=bool)
    assert w[illiquid].sum() <= MANDATE.max_illiquid_share + tol
    assert np.count_nonzero(w) >= MANDATE.min_holdings
    # what the engine reports agrees with the recomputation
    metrics = result.metrics()
    assert metrics["volatility"] == pytest.approx(volatility, abs=1e-12)
    assert metrics["expected_return"] == pytest.approx(expected_return, abs=1e-12)
    assert metrics["holdings"] == np.count_nonzero(w)
    assert all(v <= tol for v in result.violations.values())


def test_the_same_inputs_give_the_same_pounds(default_run):
    again = run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=0)
    pd.testing.assert_series_equal(again.allocation.amounts, default_run.allocation.amounts, check_exact=True)


# --- brute force over held subsets --------------------------------------------------------------------

BRUTE = [
    # seed, n, objective, with a volatility limit
    (1, 6, "max_return", True),
    (2, 7, "max_impact", False),
    (3, 8, "max_return", False),
    (4, 6, "max_impact", True),
    (5, 8, "max_impact", False),
    (6, 6, "max_return", True),
]


@pytest.mark.parametrize(("seed", "n", "objective", "volatility"), BRUTE)
def test_minimum_ticket_optimum_equals_the_best_of_every_held_subset(seed, n, objective, volatility):
    rng = np.random.default_rng(seed)
    inputs = synthetic_inputs(rng, n, min_ticket_share=0.15, min_ticket_prob=0.6)
    assert inputs.has_minimum_tickets
    mandate = make_mandate(
        objective=objective,
        max_candidate_share=0.4,
        sector_caps={"sme_finance": 0.35},
        asset_class_caps={"renewable_energy": 0.45},
        **({"max_volatility": 0.055} if volatility else {}),
    )
    covariance = inputs.risk.covariance()
    best = brute_force(plain_problem(inputs, mandate, covariance))
    result = allocate(inputs, mandate, TIGHT)
    if best is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    # SCIP's search, or the continuous optimum when it already meets every minimum ticket (proved)
    assert result.report is not None and result.report.solver in ("SCIP", "CLARABEL")
    if result.report.solver == "CLARABEL":
        held = result.weights > 0
        assert np.all(result.weights[held] >= inputs.lower[held] - 1e-9)
    ours = objective_value(inputs, result.weights, objective)
    assert ours == pytest.approx(best, rel=1e-6)
    assert_within_limits(inputs, mandate, result.weights, tol=1e-8)
    assert result.amounts.sum() == TARGET


def test_min_holdings_counts_real_holdings_not_empty_yes_no_choices():
    """Without minimum tickets a 'held' candidate could take nothing; it must not count."""
    rng = np.random.default_rng(3)
    inputs = synthetic_inputs(rng, 8, max_ticket_share=(0.5, 0.9))
    mandate = make_mandate(objective="max_impact", min_holdings=6)
    result = allocate(inputs, mandate, TIGHT)
    assert result.status == "optimal"
    assert np.count_nonzero(result.amounts) >= 6
    assert result.metrics()["holdings"] >= 6
    assert result.violations["min_holdings"] == 0
    best = brute_force(plain_problem(inputs, mandate, inputs.risk.covariance()), min_holdings=6)
    ours = objective_value(inputs, result.weights, "max_impact")
    assert best is not None
    assert ours <= best * (1 + 1e-9)
    assert ours == pytest.approx(best, rel=1e-4)  # slivers of at least £1,000 make up the count


# --- a second solver on continuous problems --------------------------------------------------------------


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("objective", ["max_return", "max_impact"])
def test_continuous_linear_objective_with_volatility_limit_agrees_with_scs(seed, objective):
    rng = np.random.default_rng(seed)
    inputs = synthetic_inputs(rng, 12)
    mandate = make_mandate(
        objective=objective,
        max_volatility=0.05,
        max_candidate_share=0.3,
        sector_caps={"clean_energy": 0.3},
        min_expected_return=0.05,
    )
    result = allocate(inputs, mandate)
    assert result.status == "optimal"
    assert result.report is not None and result.report.solver == "CLARABEL"
    problem = plain_problem(inputs, mandate, inputs.risk.covariance())
    peer = solve_subset(problem, np.ones(inputs.n, dtype=bool))
    assert peer is not None
    assert objective_value(inputs, result.weights, objective) == pytest.approx(peer, rel=1e-5)
    assert_within_limits(inputs, mandate, result.weights, tol=1e-8)


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_min_risk_agrees_with_slsqp(seed):
    rng = np.random.default_rng(seed)
    inputs = synthetic_inputs(rng, 10)
    mandate = make_mandate(objective="min_risk", max_candidate_share=0.25)
    result = allocate(inputs, mandate)
    assert result.status == "optimal"
    covariance = inputs.risk.covariance()
    peer = slsqp(covariance, np.minimum(inputs.upper, 0.25), "min_risk")
    ours = math.sqrt(result.weights @ covariance @ result.weights)
    assert ours == pytest.approx(math.sqrt(peer @ covariance @ peer), abs=1e-5)
    assert ours <= math.sqrt(peer @ covariance @ peer) + 1e-7


@pytest.mark.parametrize("seed", [31, 32])
def test_blended_agrees_with_slsqp(seed):
    rng = np.random.default_rng(seed)
    inputs = synthetic_inputs(rng, 10)
    mandate = make_mandate(
        objective="blended", impact_weight=0.0005, risk_aversion=2.0, max_candidate_share=0.3
    )
    result = allocate(inputs, mandate)
    assert result.status == "optimal"
    covariance = inputs.risk.covariance()

    def utility(w: np.ndarray) -> float:
        return float(inputs.expected_return @ w + 0.0005 * 100 * inputs.impact @ w - 2.0 * w @ covariance @ w)

    peer = slsqp(
        covariance,
        np.minimum(inputs.upper, 0.3),
        "blended",
        inputs.expected_return,
        inputs.impact,
        aversion=2.0,
        impact_weight=0.0005,
    )
    assert utility(result.weights) == pytest.approx(utility(peer), abs=1e-5)
    assert utility(result.weights) >= utility(peer) - 1e-7


# --- shadow prices ----------------------------------------------------------------------------------------


def _best_return(inputs: AllocationInputs, mandate: Mandate) -> float:
    result = allocate(inputs, mandate)
    assert result.status == "optimal"
    return float(inputs.expected_return @ result.weights)


@pytest.mark.parametrize("seed", [101, 102, 103])
def test_shadow_price_of_max_volatility_matches_finite_difference(seed):
    rng = np.random.default_rng(seed)
    inputs = synthetic_inputs(rng, 12)
    mandate = make_mandate(
        objective="max_return", max_volatility=0.06, max_candidate_share=0.3, sector_caps={"sme_finance": 0.4}
    )
    result = allocate(inputs, mandate)
    binding = {b.constraint: b for b in result.binding}
    assert "max_volatility" in binding
    price = binding["max_volatility"].shadow_price
    assert price is not None and price > 0
    up = _best_return(inputs, mandate.model_copy(update={"max_volatility": 0.061}))
    down = _best_return(inputs, mandate.model_copy(update={"max_volatility": 0.059}))
    assert price == pytest.approx((up - down) / 0.002, rel=0.05)
    # the message states the same price per percentage point, in basis points
    assert f"{price * 0.01 * 1e4:.1f} bp" in binding["max_volatility"].message


def test_shadow_price_of_a_sector_cap_matches_finite_difference():
    rng = np.random.default_rng(102)
    inputs = synthetic_inputs(rng, 12)
    mandate = make_mandate(
        objective="max_return", max_volatility=0.06, max_candidate_share=0.3, sector_caps={"sme_finance": 0.4}
    )
    binding = {b.constraint: b for b in allocate(inputs, mandate).binding}
    price = binding["sector_caps.sme_finance"].shadow_price
    up = _best_return(inputs, mandate.model_copy(update={"sector_caps": {"sme_finance": 0.401}}))
    down = _best_return(inputs, mandate.model_copy(update={"sector_caps": {"sme_finance": 0.399}}))
    assert price == pytest.approx((up - down) / 0.002, rel=0.05)


# --- a user's covariance matrix, and PyPortfolioOpt ---------------------------------------------------------


def _mean_variance_case(rng: np.random.Generator, n: int):
    """Candidates without ticket limits (blank min, max = target) and a random covariance."""
    covariance = random_covariance(rng, n)
    ids = [f"MV-{i:03d}" for i in range(n)]
    mu = np.round(rng.uniform(0.03, 0.10, n), 4)
    rows = candidate_rows(ids, mu, np.sqrt(np.diag(covariance)), max_ticket=[TARGET] * n)
    max_volatility = round(float(np.sqrt(np.diag(covariance)).min()) * 0.8, 4)
    return ids, mu, covariance, rows, max_volatility


@pytest.mark.parametrize("seed", [201, 202, 203])
def test_user_covariance_volatility_is_exactly_sqrt_wsw_and_matches_pyportfolioopt(tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = 10 + seed % 5
    ids, mu, covariance, rows, max_volatility = _mean_variance_case(rng, n)
    universe = load_candidates(InputFile.from_path(write_candidates(tmp_path / "c.csv", rows)), REFERENCE)
    matrix, _ = load_matrix(
        InputFile.from_path(write_covariance(tmp_path / "s.csv", ids, covariance)), "covariance", ids
    )
    mandate = make_mandate(objective="max_return", max_volatility=max_volatility, max_candidate_share=0.25)
    run = run_allocation(universe, mandate, REFERENCE, covariance=matrix, frontier_points=0)
    result = run.allocation
    assert result.status == "optimal"
    assert run.risk.source == "covariance file"
    w = result.amounts.reindex(ids).to_numpy() / TARGET
    assert result.metrics()["volatility"] == pytest.approx(math.sqrt(w @ covariance @ w), abs=1e-9)
    assert math.sqrt(w @ covariance @ w) <= max_volatility + 1e-8
    peer = pypfopt_max_return(mu, covariance, max_volatility, 0.25)
    assert mu @ w == pytest.approx(mu @ peer, abs=1e-6)
    # the optimum is flat: weights 1e-4 apart differ in return by less than 1e-9, so two solvers
    # (and the least-concentrated tie-break) agree on the return, on the weights only roughly
    np.testing.assert_allclose(w, peer, atol=1e-3)


def test_cli_allocation_with_a_covariance_file_matches_pyportfolioopt(tmp_path, capsys):
    rng = np.random.default_rng(7)
    ids, mu, covariance, rows, max_volatility = _mean_variance_case(rng, 15)
    candidates = write_candidates(tmp_path / "cands.csv", rows)
    matrix = write_covariance(tmp_path / "cov.csv", ids, covariance)
    mandate = write_mandate(
        tmp_path / "mandate.toml",
        objective="max_return",
        max_volatility=max_volatility,
        max_candidate_share=0.2,
    )
    out = tmp_path / "allocation.json"
    args = [
        "allocate",
        "--candidates",
        str(candidates),
        "--mandate",
        str(mandate),
        "--covariance",
        str(matrix),
    ]
    code = cli.main([*args, "--json", str(out), "--frontier-points", "0"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["status"] == "optimal"
    assert document["risk_model"] == "covariance file"
    amounts = {a["id"]: a["amount_gbp"] for a in document["allocations"]}
    assert sum(amounts.values()) == TARGET
    assert all(a["local_authority"] == PRESTON for a in document["allocations"])
    w = np.array([amounts.get(i, 0.0) for i in ids]) / TARGET
    peer = pypfopt_max_return(mu, covariance, max_volatility, 0.2)
    assert mu @ w == pytest.approx(mu @ peer, abs=1e-6)
    np.testing.assert_allclose(w, peer, atol=1e-3)  # a flat optimum, as above
    assert document["portfolio"]["volatility"] == pytest.approx(math.sqrt(w @ covariance @ w), abs=1e-6)


# --- infeasible mandates --------------------------------------------------------------------------------------

SECTORS_AT_TEN = {
    s: 0.10
    for s in (
        "affordable_housing",
        "sme_finance",
        "clean_energy",
        "regeneration",
        "infrastructure",
        "cooperatives",
    )
}
INFEASIBLE = {
    "volatility too low": ({"max_volatility": 0.03}, {"max_volatility"}),
    "return too high": ({"min_expected_return": 0.072}, {"min_expected_return"}),
    "return above every candidate": ({"min_expected_return": 0.12}, {"min_expected_return"}),
    "impact floor too high": ({"min_impact_score": 48.0}, {"min_impact_score"}),
    "candidate share too small": ({"max_candidate_share": 0.04}, {"max_candidate_share"}),
    "sector caps below 100%": ({"sector_caps": SECTORS_AT_TEN}, {f"sector_caps.{s}" for s in SECTORS_AT_TEN}),
    "target above capacity": ({"target_gbp": 600_000_000.0}, {"target_gbp"}),
    "more holdings than candidates": ({"min_holdings": 40}, {"min_holdings"}),
    "volatility and return together": (
        {"max_volatility": 0.065, "min_expected_return": 0.068},
        {"max_volatility", "min_expected_return"},
    ),
    "capacity and volatility": (
        {"target_gbp": 600_000_000.0, "max_volatility": 0.03},
        {"target_gbp", "max_volatility"},
    ),
}


def relaxed(mandate: Mandate, diagnosis) -> Mandate:
    """The mandate with every suggested relaxation applied, in the mandate's own units."""
    update: dict[str, object] = {}
    sectors, classes = dict(mandate.sector_caps), dict(mandate.asset_class_caps)
    for d in diagnosis:
        key = d.constraint
        if key == "target_gbp":
            update[key] = mandate.target_gbp - d.relaxation
        elif key.startswith("sector_caps."):
            sectors[key.split(".", 1)[1]] += d.relaxation
        elif key.startswith("asset_class_caps."):
            classes[key.split(".", 1)[1]] += d.relaxation
        elif key in ("max_volatility", "max_candidate_share", "max_illiquid_share"):
            update[key] = getattr(mandate, key) + d.relaxation
        elif key in ("min_expected_return", "min_impact_score"):
            update[key] = getattr(mandate, key) - d.relaxation
        elif key == "min_holdings":
            update[key] = int(mandate.min_holdings - d.relaxation)
        else:
            raise AssertionError(f"a diagnosis that names no single mandate key: {d}")
    return mandate.model_copy(update={**update, "sector_caps": sectors, "asset_class_caps": classes})


@pytest.mark.parametrize("case", list(INFEASIBLE))
def test_infeasible_mandate_is_diagnosed_and_the_relaxation_works(case):
    changes, allowed = INFEASIBLE[case]
    mandate = MANDATE.model_copy(update=changes)
    result = run_allocation(UNIVERSE, mandate, REFERENCE, frontier_points=0).allocation
    assert result.status == "infeasible"
    assert result.amounts.empty
    keys = {d.constraint for d in result.diagnosis}
    assert keys and keys <= allowed, f"blames {keys - allowed}"
    if "target_gbp" not in changes:
        assert "target_gbp" not in keys, "the target was reduced although the places can absorb it"
    for d in result.diagnosis:
        assert isinstance(d.relaxation, int | float) and math.isfinite(d.relaxation) and d.relaxation > 0
        assert d.verified, d
        assert d.constraint.split(".")[0] in d.message or d.constraint in d.message
    fixed = run_allocation(
        UNIVERSE, relaxed(mandate, result.diagnosis), REFERENCE, frontier_points=0
    ).allocation
    assert fixed.feasible, f"{case}: still {fixed.status} after {[d.message for d in result.diagnosis]}"
    assert fixed.amounts.sum() == pytest.approx(
        mandate.target_gbp - sum(d.relaxation for d in result.diagnosis if d.constraint == "target_gbp"),
        abs=0.5,
    )


def test_a_mandate_infeasible_only_through_volatility_blames_nothing_else():
    """Every other limit is slack at the least volatile allocation, so only max_volatility may move."""
    rng = np.random.default_rng(41)
    inputs = synthetic_inputs(rng, 10)
    loose = make_mandate(
        objective="max_return",
        max_candidate_share=0.6,
        sector_caps={"sme_finance": 0.9},
        asset_class_caps={"renewable_energy": 0.9},
        min_expected_return=0.03,
        min_impact_score=10.0,
    )
    least = allocate(inputs, loose.model_copy(update={"objective": "min_risk"}))
    floor = least.metrics()["volatility"]
    mandate = loose.model_copy(update={"max_volatility": round(floor * 0.8, 4)})
    result = allocate(inputs, mandate)
    assert result.status == "infeasible"
    assert [d.constraint for d in result.diagnosis] == ["max_volatility"]
    others = [k for k in MANDATE_KEYS if k != "max_volatility"]
    for d in result.diagnosis:
        assert not any(k in d.message for k in others), d.message
        assert d.verified
    relaxed_volatility = mandate.max_volatility + result.diagnosis[0].relaxation
    assert relaxed_volatility >= floor - 1e-9
    assert relaxed_volatility <= floor + 0.0011  # rounded up to 0.1 percentage point, no more
    assert allocate(inputs, mandate.model_copy(update={"max_volatility": relaxed_volatility})).feasible


def test_cli_exits_3_and_writes_the_diagnosis(tmp_path, capsys):
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    path = tmp_path / "mandate.toml"
    path.write_text(text.replace("max_volatility = 0.10", "max_volatility = 0.03"), encoding="utf-8")
    out = tmp_path / "out.json"
    code = cli.main(["allocate", "--mandate", str(path), "--json", str(out), "--frontier-points", "0"])
    captured = capsys.readouterr()
    assert code == 3
    assert "Traceback" not in captured.err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["status"] == "infeasible"
    assert document["allocations"] == []
    assert document["target_gbp"] == 100_000_000
    [finding] = document["diagnosis"]
    assert finding["constraint"] == "max_volatility"
    assert isinstance(finding["relaxation"], float) and finding["relaxation"] > 0
    assert "max_volatility" in finding["message"]
    assert "max_volatility" in captured.out


# --- time limits and solver failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(("objective", "seconds"), [("max_return", 0.01), ("min_risk", 0.2)])
def test_a_mixed_integer_solve_past_its_time_limit_gives_the_best_allocation_and_its_gap(objective, seconds):
    rng = np.random.default_rng(120)
    inputs = synthetic_inputs(
        rng, 120, min_ticket_share=0.02, min_ticket_prob=0.7, max_ticket_share=(0.03, 0.08)
    )
    mandate = make_mandate(
        objective=objective, min_holdings=20, max_volatility=0.05, max_candidate_share=0.06
    )
    result = allocate(inputs, mandate, SolveOptions(time_limit_s=seconds))
    report = result.report
    assert report is not None
    assert result.status in ("optimal", "time_limit", "time_limit_no_solution")
    if result.status == "time_limit_no_solution":
        assert result.amounts.empty and not result.feasible
        assert "limit" in report.message and "allow more time" in report.message
        return
    assert result.amounts.sum() == TARGET
    assert_within_limits(inputs, mandate, result.weights, tol=1e-8)
    if result.status == "time_limit":
        assert report.gap is not None and 0 <= report.gap < math.inf
        assert f"{report.gap:.2%}" in report.message


def test_solver_failure_is_a_status_with_a_message(monkeypatch, bundled_inputs):
    def fail(*_args, **_kwargs):
        raise cp.error.SolverError("the solver broke")

    monkeypatch.setattr(cp.Problem, "solve", fail)
    result = allocate(bundled_inputs, MANDATE)
    assert result.status == "solver_error"
    assert not result.feasible
    assert result.report is not None and "the solver broke" in result.report.message


def test_cli_reports_a_solver_failure_in_one_line_with_exit_1(monkeypatch, capsys, tmp_path):
    def fail(*_args, **_kwargs):
        raise cp.error.SolverError("the solver broke")

    monkeypatch.setattr(cp.Problem, "solve", fail)
    monkeypatch.delenv("IMPACT_SCREEN_DEBUG", raising=False)
    code = cli.main(["allocate", "--frontier-points", "0", "--json", str(tmp_path / "out.json")])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.out + captured.err
    lines = [line for line in (captured.out + captured.err).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "solver_error" in lines[0] and "the solver broke" in lines[0]
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["status"] == "solver_error"


# --- objectives and the frontier -------------------------------------------------------------------------------------


def test_each_objective_is_best_at_what_it_optimises(bundled_inputs):
    results: dict[str, Allocation] = {
        objective: allocate(bundled_inputs, MANDATE.model_copy(update={"objective": objective}), TIGHT)
        for objective in ("max_impact", "max_return", "min_risk", "blended")
    }
    assert all(r.status == "optimal" for r in results.values())
    m = {k: r.metrics() for k, r in results.items()}
    tol = 1e-7
    assert m["max_return"]["expected_return"] >= m["max_impact"]["expected_return"] - tol
    assert m["max_return"]["expected_return"] >= max(x["expected_return"] for x in m.values()) - tol
    assert m["min_risk"]["volatility"] <= min(x["volatility"] for x in m.values()) + tol
    assert m["max_impact"]["impact_score"] >= max(x["impact_score"] for x in m.values()) - 1e-5
    blended = m["blended"]
    assert m["min_risk"]["volatility"] - tol <= blended["volatility"]
    assert blended["expected_return"] <= m["max_return"]["expected_return"] + tol
    assert blended["impact_score"] <= m["max_impact"]["impact_score"] + 1e-5


@pytest.mark.parametrize("continuous", [True, False])
def test_frontier_trades_return_for_impact_monotonically(continuous):
    if continuous:
        rng = np.random.default_rng(55)
        inputs = synthetic_inputs(rng, 15)
        mandate = make_mandate(objective="max_impact", max_volatility=0.06, max_candidate_share=0.2)
    else:
        screen = run_screen(UNIVERSE, MANDATE, REFERENCE, StabilitySettings(draws=200))
        inputs = allocation_inputs(
            UNIVERSE.frame, screen, MANDATE, REFERENCE, factor_model(UNIVERSE.frame, REFERENCE)
        )
        mandate = MANDATE
    from portfolio.constraints import mandate_limits
    from portfolio.frontier import frontier

    options = SolveOptions(mip_gap=1e-7)
    points = frontier(inputs, mandate, mandate_limits(mandate, inputs), 8, options).points
    assert len(points) >= 6
    impact = np.array([p.impact_score for p in points])
    returns = np.array([p.expected_return for p in points])
    assert np.all(np.diff(impact) >= -1e-6), impact
    assert np.all(np.diff(returns) <= 1e-7), returns
    best_return = allocate(inputs, mandate.model_copy(update={"objective": "max_return"}), options)
    assert points[0].expected_return == pytest.approx(best_return.metrics()["expected_return"], abs=1e-6)
    assert points[0].impact_score == pytest.approx(best_return.metrics()["impact_score"], abs=1e-3)
    best_impact = allocate(inputs, mandate, options)
    assert points[-1].impact_score == pytest.approx(best_impact.metrics()["impact_score"], abs=1e-3)


def test_an_answer_outside_a_limit_is_refused_whatever_the_solver_said(monkeypatch, bundled_inputs):
    """The pounds are checked against every limit after the solve: a wrong answer is no answer."""
    import portfolio.allocate as engine

    def everything_on_the_first(weights, inputs, held=None, limits=()):
        amounts = np.zeros(inputs.n)
        amounts[0] = inputs.target_gbp
        return pd.Series(amounts, index=inputs.ids, name="amount_gbp")

    monkeypatch.setattr(engine, "to_pounds", everything_on_the_first)
    result = allocate(bundled_inputs, MANDATE)
    assert result.status == "solver_error" and not result.feasible and result.amounts.empty
    assert result.report is not None and "breaks" in result.report.message


def _impact_at(volatility: float) -> tuple[float, list]:
    mandate = MANDATE.model_copy(update={"max_volatility": volatility})
    run = run_allocation(UNIVERSE, mandate, REFERENCE, frontier_points=0, with_comparison=False)
    result = run.allocation
    assert result.feasible
    return float(result.inputs.impact @ result.weights * 100), result.binding


def test_a_steep_shadow_price_is_worded_for_a_small_step_and_checked_by_solving_again():
    """Near the least volatility the other limits allow, a point of volatility is worth far more
    than its first tenth: the message speaks of 0.1 percentage point, and solving again with the
    limit 0.1 point higher gains no more than it says (the value is concave in the limit)."""
    before, binding = _impact_at(0.062)
    [volatility] = [b for b in binding if b.constraint == "max_volatility"]
    assert "raising it by 0.1 percentage point would give about" in volatility.message
    promised = float(volatility.message.rsplit("about ", 1)[1].split(" points")[0])
    after, _ = _impact_at(0.063)
    assert 0 < after - before <= promised + 0.01
    assert promised < 10  # never the 1-point extrapolation (about 15 points here)
