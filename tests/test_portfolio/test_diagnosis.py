"""The diagnosis of a mandate that cannot be met: the fewest limits moved, then the smallest move,
exact ties settled by the mandate's key order, options that are needed together or alternatives.

Each claim is checked without the diagnosis's own word: minimality by enumerating every smaller set
of limits and removing them outright, amounts by solving one step short, options by applying them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import numpy as np
import pytest
from fingerprint import UNIVERSE, Scenario, outcome

from impact_screen import cli
from portfolio.allocate import allocate
from portfolio.constraints import Limit, mandate_limits
from portfolio.inputs import AllocationInputs, allocation_inputs
from portfolio.problem import SolveOptions, build, solve
from portfolio.relaxation import Diagnosis
from portfolio.risk import RiskModel, factor_model
from screening import bundled_reference, load_mandate
from screening.reading import bundled
from screening.reading.mandate import Mandate
from screening.screen import run_screen
from screening.stability import StabilitySettings
from screening.vocabulary import named

REFERENCE = bundled_reference()
MANDATE = load_mandate(None, REFERENCE)
CLASSES = sorted(set(UNIVERSE.frame["asset_class"]))
TIED = MANDATE.model_copy(update={"asset_class_caps": {c: 0.10 for c in CLASSES}})
EXACT = SolveOptions(mip_gap=1e-9)


def inputs_for(mandate: Mandate) -> AllocationInputs:
    screen = run_screen(UNIVERSE, mandate, REFERENCE, StabilitySettings(draws=100))
    return allocation_inputs(
        UNIVERSE.frame, screen, mandate, REFERENCE, factor_model(UNIVERSE.frame, REFERENCE)
    )


def feasible(inputs: AllocationInputs, mandate: Mandate, limits: list[Limit]) -> bool:
    return solve(build(inputs, limits, mandate), EXACT).has_solution


def applied(limits: list[Limit], changes: list[Diagnosis], short: float = 0.0) -> list[Limit]:
    """The limits with the changes applied (each `short` of its amount, in the problem's units)."""
    moves = {d.constraint: d.relaxation / (100.0 if d.unit == "points" else 1.0) - short for d in changes}
    return [
        replace(limit, limit=limit.limit + moves[limit.key] * (1 if limit.sense == "<=" else -1))
        if limit.key in moves
        else limit
        for limit in limits
    ]


def options(diagnosis: list[Diagnosis]) -> dict[int, list[Diagnosis]]:
    grouped: dict[int, list[Diagnosis]] = {}
    for d in diagnosis:
        grouped.setdefault(d.option, []).append(d)
    return grouped


@pytest.fixture(scope="module")
def tied():
    inputs = inputs_for(TIED)
    return inputs, allocate(inputs, TIED)


def test_no_smaller_set_of_limits_would_do_checked_by_enumeration(tied):
    inputs, result = tied
    assert result.status == "infeasible"
    first = options(result.diagnosis)[1]
    assert len(first) == 2
    limits = mandate_limits(TIED, inputs)
    for removed in itertools.combinations(limits, len(first) - 1):  # removed outright: moved without end
        kept = [limit for limit in limits if limit not in removed]
        assert not feasible(inputs, TIED, kept), f"moving only {[r.key for r in removed]} would do"


def test_the_changes_of_one_option_are_needed_together_and_each_option_is_enough(tied):
    inputs, result = tied
    limits = mandate_limits(TIED, inputs)
    grouped = options(result.diagnosis)
    assert len(grouped) >= 2  # the tied caps leave other pairs that work as well
    for number, changes in grouped.items():
        assert all(d.verified for d in changes)
        assert feasible(inputs, TIED, applied(limits, changes)), f"option {number} does not work"
        for alone in changes:
            assert not feasible(inputs, TIED, applied(limits, [alone])), f"{alone.constraint} alone works"
            others = " and ".join(named(d.constraint) for d in changes if d is not alone)
            assert alone.message.endswith(f"together with the change to {others}")
            assert alone.message.startswith(f"instead (alternative {number - 1}): ") == (number > 1)


def test_of_equally_small_changes_the_earlier_key_in_the_mandate_is_moved(tied):
    """Every option moves as many limits by as much in all (42 points): key order decides."""
    _, result = tied
    grouped = options(result.diagnosis)
    totals = {n: round(sum(d.relaxation for d in changes), 3) for n, changes in grouped.items()}
    assert len(set(totals.values())) == 1
    order = list(TIED.asset_class_caps)
    first_keys = [order.index(d.constraint.split(".", 1)[1]) for d in grouped[1]]
    for changes in list(grouped.values())[1:]:
        keys = sorted(order.index(d.constraint.split(".", 1)[1]) for d in changes)
        assert sorted(first_keys) < keys


SINGLE = {
    "volatility too low": {"max_volatility": 0.03},
    "return too high": {"min_expected_return": 0.072},
    "volatility and return": {"max_volatility": 0.065, "min_expected_return": 0.068},
}


@pytest.mark.parametrize("case", list(SINGLE))
def test_a_single_change_is_the_smallest_one_step_less_does_not_work(case):
    mandate = MANDATE.model_copy(update=SINGLE[case])
    inputs = inputs_for(mandate)
    result = allocate(inputs, mandate)
    limits = mandate_limits(mandate, inputs)
    for number, changes in options(result.diagnosis).items():
        assert len(changes) == 1, changes
        assert feasible(inputs, mandate, applied(limits, changes))
        step = 1.0 if changes[0].unit == "count" else 0.001
        assert not feasible(inputs, mandate, applied(limits, changes, short=step)), f"option {number}"


def test_either_limit_can_move_and_the_smaller_move_comes_first():
    mandate = MANDATE.model_copy(update=SINGLE["volatility and return"])
    result = allocate(inputs_for(mandate), mandate)
    assert [(d.option, d.constraint) for d in result.diagnosis] == [
        (1, "min_expected_return"),
        (2, "max_volatility"),
    ]
    assert result.diagnosis[0].relaxation < result.diagnosis[1].relaxation
    assert result.diagnosis[1].message.startswith(
        "instead (alternative 1): raise Highest portfolio volatility (max_volatility) from 6.5%"
    )


def test_more_holdings_than_eligible_candidates_asks_for_exactly_as_many_as_there_are():
    """Unique by construction: 18 candidates pass the bundled hurdles."""
    mandate = MANDATE.model_copy(update={"min_holdings": 30})
    inputs = inputs_for(mandate)
    assert inputs.n == 18
    result = allocate(inputs, mandate)
    assert [d.message for d in result.diagnosis] == [
        "only 18 candidates are eligible: lower Fewest holdings (min_holdings) from 30 to 18"
    ]


def _symmetric(sectors: tuple[str, str]) -> AllocationInputs:
    """Four candidates alike in every figure, two in each of two sectors."""
    ids = ["C0", "C1", "C2", "C3"]
    risk = RiskModel(ids, np.tile([[0.03, 0.02]], (4, 1)), np.full(4, 0.05), "factor model")
    return AllocationInputs(
        ids=ids,
        target_gbp=1e8,
        lower=np.zeros(4),
        upper=np.full(4, 0.5),
        expected_return=np.full(4, 0.06),
        impact=np.full(4, 0.5),
        jobs_per_gbp_m=np.full(4, 5.0),
        sector=np.array([sectors[0], sectors[0], sectors[1], sectors[1]], dtype=object),
        asset_class=np.array(["private_debt"] * 4, dtype=object),
        liquid=np.zeros(4, dtype=bool),
        risk=risk,
    )


@pytest.mark.parametrize("order", [("sme_finance", "clean_energy"), ("clean_energy", "sme_finance")])
def test_an_exact_tie_between_two_caps_is_settled_by_the_order_they_are_written_in(order):
    inputs = _symmetric(("sme_finance", "clean_energy"))
    mandate = Mandate.model_validate(
        {"target_gbp": 1e8, "places": ["E07000123"], "sector_caps": {order[0]: 0.3, order[1]: 0.3}}
    )
    result = allocate(inputs, mandate)
    changes = [(d.option, d.constraint, round(d.relaxation, 6)) for d in result.diagnosis]
    assert changes == [(1, f"sector_caps.{order[0]}", 0.4), (2, f"sector_caps.{order[1]}", 0.4)]


def test_the_diagnosis_does_not_depend_on_the_order_of_the_candidate_file():
    scenario = Scenario("tied", TIED)
    plain = outcome(scenario)
    for seed in (1, 2):
        order = np.random.default_rng(seed).permutation(len(UNIVERSE.frame))
        shuffled = replace(UNIVERSE, frame=UNIVERSE.frame.iloc[order])
        assert outcome(replace(scenario, universe=shuffled))["diagnosis"] == plain["diagnosis"]


def test_the_json_says_which_changes_are_alternatives(tmp_path, capsys):
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    text = text.replace("max_volatility = 0.10", "max_volatility = 0.065")
    text = text.replace("min_expected_return = 0.05", "min_expected_return = 0.068")
    path = tmp_path / "mandate.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.json"
    assert cli.main(["allocate", "--mandate", str(path), "--json", str(out), "--frontier-points", "0"]) == 3
    printed = capsys.readouterr().out
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [(d["option"], d["constraint"], d["verified"]) for d in document["diagnosis"]] == [
        (1, "min_expected_return", True),
        (2, "max_volatility", True),
    ]
    assert "instead (alternative 1): raise Highest portfolio volatility (max_volatility)" in printed
