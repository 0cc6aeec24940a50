"""The pacing model against hand-computed values and its own recursion, and the commitment plan
against its limits, re-evaluated here by a loop over vintages that shares no code with the plan."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.comparison_inputs import load_comparison_inputs
from portfolio.pacing import asset_class_mix, pacing_for
from portfolio.pacing.model import ClassPacing, programme_flows, unit_flows
from portfolio.pacing.plan import REACHED, RIDGE, SMOOTHING, plan_commitments, project_schedule
from screening.reading.mandate import PacingSettings
from screening.reading.reference import bundled_reference

TARGET = 100_000_000.0
MIX = {
    "private_debt": 0.2,
    "private_equity": 0.1,
    "property": 0.1,
    "renewable_energy": 0.3,
    "social_housing": 0.3,
}
SETTINGS = PacingSettings(
    start_year=2027,
    target_year=2031,
    hold_years=5,
    max_yearly_commitment_gbp=40_000_000.0,
    max_net_cash_outflow_gbp=30_000_000.0,
    fund_net_cash_flow_gbp=20_000_000.0,
)


def _classes() -> dict[str, ClassPacing]:
    reference = bundled_reference()
    table = load_comparison_inputs(reference).pacing
    returns = reference.assumptions["expected_return"]
    return {c: table[c].growing(float(returns[c])) for c in MIX}


def _with(**changes: object) -> PacingSettings:
    return SETTINGS.model_copy(update=changes)


# --- the model ------------------------------------------------------------------------------

HAND = ClassPacing(
    "test", (0.25, 1 / 3, 0.5), distribution_yield=0.0, growth=0.10, fund_life_years=4, bow=2.0
)


def test_one_commitment_follows_the_hand_computed_values() -> None:
    """£100 committed: called 25, 25, 25, then wound up in year 4 (the last 25 lapses)."""
    flows = unit_flows(HAND, 5)
    assert flows.calls * 100 == pytest.approx([25.0, 25.0, 25.0, 0.0, 0.0])
    # year 2: 27.5 grown, (2/4)^2 = 25% paid back; year 3: 50.1875 grown, (3/4)^2 = 56.25% paid back
    assert flows.distributions * 100 == pytest.approx([0.0, 6.875, 28.23046875, 51.652734375, 0.0])
    assert flows.nav * 100 == pytest.approx([25.0, 45.625, 46.95703125, 0.0, 0.0])


def test_the_yield_is_the_least_paid_back() -> None:
    income = ClassPacing(
        "income", (1.0, 1.0, 1.0), distribution_yield=0.3, growth=0.0, fund_life_years=10, bow=2.5
    )
    assert income.distribution_rate(1) == 0.3  # (1/10)^2.5 is 0.3%, below the yield
    assert income.distribution_rate(9) == pytest.approx(0.9**2.5)
    flows = unit_flows(income, 3)
    assert flows.nav == pytest.approx([1.0, 0.7, 0.49])


def test_a_listed_holding_is_bought_outright_and_held() -> None:
    listed = ClassPacing("listed", (1.0, 1.0, 1.0), distribution_yield=0.0, growth=0.05)
    flows = unit_flows(listed, 3)
    assert flows.calls == pytest.approx([1.0, 0.0, 0.0])
    assert flows.nav == pytest.approx([1.0, 1.05, 1.1025])


def test_growth_left_blank_is_the_expected_return() -> None:
    blank = ClassPacing("x", (0.5, 0.5, 0.5), 0.0, None, 5, 1.0)
    assert blank.growing(0.07).growth == 0.07
    assert HAND.growing(0.07).growth == 0.10  # a growth the file gives is kept
    with pytest.raises(ValueError):
        unit_flows(blank, 3)


def _simulated(pacing: ClassPacing, commitments: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each vintage run through the recursion on its own, then added up: no matrices."""
    size = len(commitments)
    calls, paid, nav = np.zeros(size), np.zeros(size), np.zeros(size)
    for vintage, amount in enumerate(commitments):
        value, called = 0.0, 0.0
        for year in range(vintage, size):
            age = year - vintage + 1
            grown = value * (1 + pacing.growth)
            if pacing.fund_life_years is not None and age >= pacing.fund_life_years:
                call, out = 0.0, grown
            else:
                call = pacing.call_rate(age) * (amount - called)
                out = pacing.distribution_rate(age) * grown
            value = grown + call - out
            called += call
            calls[year] += call
            paid[year] += out
            nav[year] += value
    return calls, paid, nav


classes = st.builds(
    ClassPacing,
    asset_class=st.just("x"),
    call_rates=st.tuples(*(st.floats(0.01, 1.0),) * 3),
    distribution_yield=st.floats(0.0, 0.3),
    growth=st.floats(-0.2, 0.3),
    fund_life_years=st.one_of(st.none(), st.integers(1, 15)),
    bow=st.floats(0.0, 5.0),
)


@settings(max_examples=150, deadline=None)
@given(pacing=classes, commitments=st.lists(st.floats(0.0, 1e8), min_size=1, max_size=20))
def test_a_programme_follows_the_recursion_and_never_calls_more_than_committed(
    pacing: ClassPacing, commitments: list[float]
) -> None:
    flows = programme_flows(pacing, np.array(commitments))
    calls, paid, nav = _simulated(pacing, commitments)
    scale = max(1.0, max(commitments))
    assert np.allclose(flows.calls, calls, atol=1e-9 * scale)
    assert np.allclose(flows.distributions, paid, atol=1e-9 * scale)
    assert np.allclose(flows.nav, nav, atol=1e-9 * scale)
    # value follows NAV_t = NAV_{t-1}(1 + G) + C_t - D_t for the programme as a whole
    before = np.concatenate([[0.0], flows.nav[:-1]])
    assert np.allclose(
        flows.nav, before * (1 + pacing.growth) + flows.calls - flows.distributions, atol=1e-9 * scale
    )
    assert np.all(np.cumsum(flows.calls) <= np.cumsum(commitments) * (1 + 1e-12) + 1e-9)
    assert np.all(flows.calls >= -1e-12) and np.all(flows.distributions >= -1e-9 * scale)


# --- the plan -------------------------------------------------------------------------------


def _recomputed(
    plan, classes: dict[str, ClassPacing]
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each class's calls, distributions and value from the plan's commitments, by the loop above."""
    return {
        c: _simulated(classes[c], [y.commitments_by_asset_class[c] for y in plan.years])
        for c in plan.years[0].commitments_by_asset_class
    }


@pytest.fixture(scope="module")
def plan():
    return plan_commitments(MIX, TARGET, SETTINGS, _classes())


def test_the_plan_reaches_the_target_and_holds_it_within_the_limits(plan) -> None:
    assert plan.status == "optimal" and plan.reached and plan.reached_year <= 2031
    assert [y.year for y in plan.years] == list(range(2027, 2037))
    flows = _recomputed(plan, _classes())
    start = 2031 - 2027
    for asset_class, (_, _, nav) in flows.items():  # each class at its share of the target, 2031-36
        assert np.all(nav[start:] >= MIX[asset_class] * TARGET * (1 - REACHED) - 1.0), asset_class
    calls = sum(f[0] for f in flows.values())
    paid = sum(f[1] for f in flows.values())
    assert max(y.commitments_gbp for y in plan.years) <= 40_000_000 + 1
    assert np.max(calls - paid) <= 30_000_000 + 5  # commitments are whole pounds: a few pounds' slack
    for i, year in enumerate(plan.years):  # the reported flows are the model's, to the pound
        assert year.calls_gbp == pytest.approx(calls[i], abs=1.0)
        assert year.distributions_gbp == pytest.approx(paid[i], abs=1.0)
        assert year.net_cash_flow_gbp == pytest.approx(paid[i] - calls[i], abs=1.0)
        assert year.fund_net_cash_flow_gbp == pytest.approx(20_000_000 + paid[i] - calls[i], abs=1.0)
        assert year.commitments_gbp == pytest.approx(sum(year.commitments_by_asset_class.values()), abs=0.5)
    assert plan.total_commitments_gbp == pytest.approx(sum(y.commitments_gbp for y in plan.years))
    assert plan.largest_net_cash_outflow_gbp == pytest.approx(np.max(calls - paid), abs=1.0)
    assert plan.years_needing_sales == [y.year for y in plan.years if y.fund_net_cash_flow_gbp < 0]


def test_the_plan_is_the_same_when_solved_again(plan) -> None:
    again = plan_commitments(MIX, TARGET, SETTINGS, _classes())
    assert [y.commitments_gbp for y in again.years] == pytest.approx(
        [y.commitments_gbp for y in plan.years], abs=2.0
    )


def test_the_plan_is_the_optimum_an_independent_solver_finds() -> None:
    """One class, six years: scipy's SLSQP on the same objective finds the same commitments."""
    pacing = _classes()["private_equity"]
    settings_ = PacingSettings(
        start_year=2027, target_year=2029, hold_years=3, max_yearly_commitment_gbp=150e6
    )
    found = plan_commitments({"private_equity": 1.0}, TARGET, settings_, {"private_equity": pacing})
    assert found.status == "optimal"
    ours = np.array([y.commitments_gbp for y in found.years]) / TARGET

    def nav(k: np.ndarray) -> np.ndarray:
        return _simulated(pacing, list(k))[2]

    def objective(k: np.ndarray) -> float:
        return float(
            np.sum((nav(k)[2:] - 1.0) ** 2) + SMOOTHING * np.sum(np.diff(k) ** 2) + RIDGE * np.sum(k**2)
        )

    independent = scipy.optimize.minimize(
        objective,
        np.full(6, 0.3),
        method="SLSQP",
        bounds=[(0.0, 1.5)] * 6,
        constraints=[{"type": "ineq", "fun": lambda k: nav(k)[2:] - 1.0}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert independent.success
    assert ours == pytest.approx(independent.x, abs=2e-4)
    assert objective(ours) <= independent.fun + 1e-7


@pytest.mark.parametrize(
    "changes",
    [{"max_yearly_commitment_gbp": 20_000_000.0}, {"max_net_cash_outflow_gbp": 15_000_000.0}],
    ids=["commitments", "cash"],
)
def test_a_plan_the_limits_stop_says_which_limit_and_by_how_much(changes: dict) -> None:
    classes_ = _classes()
    stopped = plan_commitments(MIX, TARGET, _with(**changes), classes_)
    assert stopped.status == "infeasible" and not stopped.reached
    diagnosis = {d.limit: d for d in stopped.diagnosis}
    key = f"pacing.{next(iter(changes))}"
    needed = diagnosis[key].needed
    assert needed is not None and needed > diagnosis[key].current
    assert "(" + key + ")" in diagnosis[key].message
    # the limit moved to what the diagnosis says reaches the target; a little less does not
    assert plan_commitments(MIX, TARGET, _with(**{key[7:]: needed * 1.0001}), classes_).status == "optimal"
    assert plan_commitments(MIX, TARGET, _with(**{key[7:]: needed * 0.999}), classes_).status == "infeasible"
    # the earliest year within the limits reaches it; the year before does not
    earliest = int(diagnosis["pacing.target_year"].needed)
    assert earliest > 2031
    assert plan_commitments(MIX, TARGET, _with(**changes, target_year=earliest), classes_).status == "optimal"
    assert (
        plan_commitments(MIX, TARGET, _with(**changes, target_year=earliest - 1), classes_).status
        == "infeasible"
    )
    # the years shown are the most the limits allow: short of the target by the reported amount
    most = diagnosis["pacing.target_gbp"].needed
    assert stopped.value_at_target_year_gbp == pytest.approx(most, rel=1e-5)
    assert stopped.shortfall_gbp == pytest.approx(TARGET - stopped.value_at_target_year_gbp, abs=1.0)
    assert max(y.commitments_gbp for y in stopped.years) <= _with(**changes).max_yearly_commitment_gbp + 1


def test_when_one_limit_alone_is_not_enough_it_says_so() -> None:
    stopped = plan_commitments(MIX, TARGET, _with(max_yearly_commitment_gbp=20_000_000.0), _classes())
    cash = next(d for d in stopped.diagnosis if d.limit == "pacing.max_net_cash_outflow_gbp")
    assert cash.needed is None and "alone is not enough" in cash.message


def test_a_schedule_of_ones_own_is_projected_and_checked_against_the_limits() -> None:
    classes_ = _classes()
    schedule = {2027: 50_000_000.0, 2028: 30_000_000.0, 2029: 30_000_000.0}
    projected = project_schedule(schedule, MIX, TARGET, SETTINGS, classes_)
    assert projected.status == "schedule"
    assert [y.commitments_gbp for y in projected.years[:4]] == [50_000_000.0, 30_000_000.0, 30_000_000.0, 0.0]
    for asset_class, share in MIX.items():  # each year's commitment spread as the mix
        assert projected.years[0].commitments_by_asset_class[asset_class] == pytest.approx(
            50e6 * share, abs=0.5
        )
    flows = _recomputed(projected, classes_)
    nav = sum(f[2] for f in flows.values())
    assert [y.nav_gbp for y in projected.years] == pytest.approx(list(nav), abs=1.0)
    assert any("Most committed in one year" in note and "2027" in note for note in projected.notes)
    reached = next((y.year for y in projected.years if y.nav_gbp >= TARGET * (1 - REACHED)), None)
    assert projected.reached_year in (None, reached)


def test_the_allocation_mix_is_the_money_per_asset_class() -> None:
    mix = asset_class_mix(
        {"a": 30.0, "b": 10.0, "c": 0.0}, {"a": "property", "b": "private_debt", "c": "gilts"}
    )
    assert mix == {"private_debt": 0.25, "property": 0.75}


def test_an_asset_class_without_pacing_assumptions_is_named() -> None:
    from screening import load_mandate
    from screening.errors import InputError

    reference = bundled_reference()
    bundled_mandate = load_mandate(None, reference)
    returns = reference.assumptions["expected_return"].to_dict()
    with pytest.raises(InputError) as raised:
        pacing_for({"property": 1.0}, bundled_mandate, {}, returns, file="my_pacing.csv")
    assert str(raised.value.problems[0]) == (
        "my_pacing.csv: column 'asset_class': has no row for 'property', which the allocation holds"
    )


# --- the files ------------------------------------------------------------------------------

HEADER = (
    "asset_class,call_rate_year1,call_rate_year2,call_rate_later,distribution_yield,bow,fund_life_years\n"
)


def _problems(text: str, reader) -> list[str]:
    from screening.errors import InputError
    from screening.reading.tables import InputFile

    with pytest.raises(InputError) as raised:
        reader(InputFile("pacing.csv", text.encode(), "file"))
    return [str(p) for p in raised.value.problems]


def test_the_bundled_pacing_assumptions_cover_every_asset_class() -> None:
    reference = bundled_reference()
    table = load_comparison_inputs(reference).pacing
    assert set(table) == set(reference.asset_classes)
    assert table["private_equity"] == ClassPacing(
        "private_equity",
        (0.25, 0.333, 0.5),
        0.0,
        None,
        12,
        2.5,
        "assumption",
        table["private_equity"].description,
    )
    assert table["gilts"].fund_life_years is None  # listed: bought outright


def test_a_broken_pacing_file_gets_one_line_per_problem() -> None:
    from portfolio.pacing.assumptions import load_pacing

    text = HEADER + (
        "property,0.3,0.5,0.5,0.05,,10\nproperty,0.3,0.5,0.5,0.05,2,10\n"
        "housing,0.3,0.5,0.5,0.04,2,20\nsocial_housing,0,0.5,0.5,0.04,2,20\n"
    )
    found = _problems(text, lambda f: load_pacing(f, ("property", "social_housing")))
    assert found == [
        "pacing.csv:2: column 'bow': is blank, but a class with a fund life needs a bow",
        "pacing.csv:3: column 'asset_class': 'property' already appears on line 2",
        found[2],
        "pacing.csv:5: column 'call_rate_year1': must be above 0, or nothing is ever called",
    ]
    assert found[2].startswith("pacing.csv:4: column 'asset_class': 'housing'")


def test_a_schedule_outside_the_plan_is_refused_at_its_line() -> None:
    from portfolio.pacing.assumptions import load_schedule

    text = "year,commitments_gbp\n2027,30000000\n2027,10000000\n2050,5000000\n"
    assert _problems(text, lambda f: load_schedule(f, SETTINGS)) == [
        "pacing.csv:3: column 'year': 2027 already appears on line 2",
        "pacing.csv:4: column 'year': 2050 is outside the plan, 2027 to 2036",
    ]


def test_the_plans_own_yearly_totals_as_a_schedule_give_the_plan_back(plan) -> None:
    """A schedule is spread over the classes as the plan spreads each year, so the plan's totals
    entered as a schedule put the money to work exactly as the plan does."""
    totals = {y.year: y.commitments_gbp for y in plan.years}
    again = project_schedule(totals, MIX, TARGET, SETTINGS, _classes(), split=plan)
    assert again.status == "schedule" and again.reached_year == plan.reached_year
    assert [y.nav_gbp for y in again.years] == pytest.approx([y.nav_gbp for y in plan.years], abs=2.0)
