"""The committee's mandate: parsed once, unknown keys refused, problems at the key's line."""

from __future__ import annotations

import math
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.errors import InputError
from screening.reading.mandate import (
    Mandate,
    Weights,
    check_against_universe,
    load_mandate,
    mandate_from_text,
)
from screening.reading.problems import Problem
from screening.reading.tables import InputFile

MINIMAL = 'target_gbp = 100_000_000\nplaces = ["E07000123"]\n'  # lines 1 and 2


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        mandate_from_text(text, "mandate.toml")
    assert all(p.file == "mandate.toml" for p in caught.value.problems)
    return caught.value.problems


def one_problem(text: str) -> Problem:
    (problem,) = problems_of(text)
    assert problem.severity == "error"
    return problem


# ---- the bundled mandate ----------------------------------------------------------------------


def test_bundled_mandate_loads():
    mandate = load_mandate()
    assert mandate.target_gbp == 100_000_000
    assert mandate.fund_size_gbp == 7_000_000_000
    assert mandate.places == ["E07000123", "E07000126"]
    assert mandate.objective == "max_impact"
    assert mandate.max_volatility == 0.10
    assert mandate.sector_caps["affordable_housing"] == 0.35
    assert mandate.asset_class_caps["private_equity"] == 0.20
    assert mandate.weights == Weights(financial=0.4, local_economy=0.3, social=0.3)


def test_minimal_mandate_leaves_unstated_limits_unset():
    mandate = mandate_from_text(MINIMAL, "mandate.toml")
    assert mandate.target_gbp == 100_000_000
    assert mandate.places == ["E07000123"]
    assert mandate.fund_size_gbp is None
    assert mandate.max_volatility is None
    assert mandate.min_expected_return is None
    assert mandate.max_candidate_share is None
    assert mandate.min_holdings is None
    assert mandate.sector_caps == {}
    assert mandate.asset_class_caps == {}
    assert mandate.excluded_sectors == []
    assert mandate.objective == "max_impact"


def test_mandate_file_with_bom_is_read(tmp_path):
    path = tmp_path / "m.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_mandate(InputFile.from_path(path)).target_gbp == 100_000_000


def test_mandate_file_not_utf8_is_refused():
    with pytest.raises(InputError) as caught:
        load_mandate(InputFile("m.toml", MINIMAL.encode() + b'name = "Caf\xe9"\n'))
    (problem,) = caught.value.problems
    assert "not UTF-8" in problem.message


# ---- unknown keys -----------------------------------------------------------------------------


def test_unknown_key_is_an_error_with_a_suggestion():
    problem = one_problem(MINIMAL + "max_volatilty = 0.1\n")
    assert (problem.line, problem.field, problem.kind) == (3, "max_volatilty", "key")
    assert "is not a mandate key and is not applied" in problem.message
    assert "(did you mean 'max_volatility'?)" in problem.message
    assert str(problem) == (
        "mandate.toml:3: key 'max_volatilty': is not a mandate key and is not applied "
        "(did you mean 'max_volatility'?)"
    )


def test_unknown_key_inside_weights():
    problem = one_problem(MINIMAL + "\n[weights]\nfinancial = 0.5\nsocail = 0.5\n")
    assert (problem.line, problem.field) == (6, "weights.socail")
    assert "(did you mean 'weights.social'?)" in problem.message


def test_unknown_table_is_an_error():
    problem = one_problem(MINIMAL + "\n[sector_limits]\nregeneration = 0.3\n")
    assert (problem.line, problem.field) == (4, "sector_limits")
    assert "is not a mandate key" in problem.message


def test_sector_caps_out_of_range_points_at_the_key():
    problem = one_problem(MINIMAL + "\n[sector_caps]\nregeneration = 0.3\nclean_energy = 30\n")
    assert (problem.line, problem.field) == (6, "sector_caps.clean_energy")
    assert 'write 0.3 or "30%"' in problem.message


def test_asset_class_caps_with_an_unknown_class():
    problem = one_problem(MINIMAL + "\n[asset_class_caps]\nproperty = 0.3\nsocial_housng = 0.35\n")
    assert (problem.line, problem.field) == (6, "asset_class_caps.social_housng")
    assert "'social_housng' is not a known asset class (did you mean 'social_housing'?)" in problem.message


# ---- values -----------------------------------------------------------------------------------


def test_whole_number_percentage_is_refused_with_the_fix():
    problem = one_problem(MINIMAL + "max_volatility = 8\n")
    assert (problem.line, problem.field) == (3, "max_volatility")
    assert problem.message == '8 looks like a percentage typed as a whole number; write 0.08 or "8%"'


@pytest.mark.parametrize(("written", "value"), [('"8%"', 0.08), ('" 12.5 % "', 0.125), ("0.08", 0.08)])
def test_share_written_as_percent_or_decimal(written, value):
    mandate = mandate_from_text(MINIMAL + f"max_volatility = {written}\n", "m.toml")
    assert mandate.max_volatility == pytest.approx(value, rel=1e-15)


def test_negative_return_floor_as_percent():
    mandate = mandate_from_text(MINIMAL + 'min_expected_return = "-2%"\n', "m.toml")
    assert mandate.min_expected_return == -0.02


@pytest.mark.parametrize(
    ("written", "phrase"),
    [
        ("true", "true is true/false, but a number belongs here"),
        ("nan", "nan is not a finite number"),
        ('"inf%"', "'inf%' is not a finite number"),
        ('"abc%"', "'abc%' is not a percentage"),
        ('"800%"', "is outside its range, 0% to 100% (got 800%)"),
        ("-0.1", "is outside its range, 0% to 100% (got -10%)"),
    ],
)
def test_bad_share_values_are_refused(written, phrase):
    problem = one_problem(MINIMAL + f"max_volatility = {written}\n")
    assert (problem.line, problem.field) == (3, "max_volatility")
    assert phrase in problem.message


def test_misspelt_objective_suggests_the_right_one():
    problem = one_problem(MINIMAL + 'objective = "max_retrun"\n')
    assert (problem.line, problem.field) == (3, "objective")
    assert "'max_retrun' is not one of max_impact, max_return, min_risk, blended" in problem.message
    assert "(did you mean 'max_return'?)" in problem.message


def test_places_unknown_code_and_a_near_miss_of_a_name():
    text = 'target_gbp = 100_000_000\nplaces = [\n  "E07000123",\n  "E07000999",\n  "Prestn",\n]\n'
    problems = problems_of(text)
    assert [(p.line, p.field) for p in problems] == [(2, "places"), (2, "places")]
    assert "'E07000999' is not a UK district or place group" in problems[0].message
    assert (
        "'Prestn' is not a UK district or place group (did you mean Preston (E07000123)?)"
        in problems[1].message
    )


def test_places_written_by_name_are_kept_as_their_codes():
    mandate = mandate_from_text('target_gbp = 100_000_000\nplaces = ["Preston", "south ribble"]\n', "m.toml")
    assert mandate.places == ["E07000123", "E07000126"]
    assert tomllib.loads(mandate.to_toml())["places"] == ["E07000123", "E07000126"]


def test_places_empty_is_refused():
    problem = one_problem("target_gbp = 100_000_000\nplaces = []\n")
    assert (problem.line, problem.field) == (2, "places")
    assert problem.message == "needs at least 1 entry"


def test_fund_size_below_target():
    problem = one_problem(MINIMAL + "fund_size_gbp = 50_000_000\n")
    assert (problem.line, problem.field) == (3, "fund_size_gbp")
    assert "£50,000,000 is smaller than target_gbp £100,000,000" in problem.message


def test_all_weights_zero():
    problem = one_problem(MINIMAL + "\n[weights]\nfinancial = 0\nlocal_economy = 0\nsocial = 0\n")
    assert (problem.line, problem.field) == (4, "weights")
    assert problem.message == "at least one pillar weight must be above zero"


def test_missing_target():
    problem = one_problem('places = ["E07000123"]\n')
    assert problem.field == "target_gbp"
    assert problem.line is None  # not written anywhere
    assert problem.message == "is required but missing"
    assert str(problem) == "mandate.toml: key 'target_gbp': is required but missing"


@pytest.mark.parametrize(
    ("text", "line", "phrase"),
    [
        (MINIMAL + "max_volatility = = 0.1\n", 3, "TOML syntax error at column"),
        (MINIMAL + "\n[weights\nsocial = 1\n", 4, "TOML syntax error at column"),
        (MINIMAL + "target_gbp = 5\n", 3, "TOML syntax error"),
        (MINIMAL + "max_volatility = [0.1,\n", 3, "TOML syntax error at the end of the file"),
    ],
)
def test_toml_syntax_error_gives_the_line(text, line, phrase):
    problem = one_problem(text)
    assert problem.line == line
    assert phrase in problem.message


def test_several_problems_are_reported_at_once_in_line_order():
    text = "\n".join(
        [
            'name = "Test"',  # 1
            "target_gbp = 100_000_000",  # 2
            'places = ["E07000123", "Prestn"]',  # 3
            "max_volatility = 8",  # 4
            'objective = "maximpact"',  # 5
            "colour = 'blue'",  # 6
            "",  # 7
            "[asset_class_caps]",  # 8
            "gilt = 0.2",  # 9
            "",  # 10
            "[weights]",  # 11
            "social = -1",  # 12
        ]
    )
    problems = problems_of(text)
    assert [(p.line, p.field) for p in problems] == [
        (3, "places"),
        (4, "max_volatility"),
        (5, "objective"),
        (6, "colour"),
        (9, "asset_class_caps.gilt"),
        (12, "weights.social"),
    ]
    assert "write 0.08" in problems[1].message
    assert "(did you mean 'max_impact'?)" in problems[2].message
    assert "(did you mean 'gilts'?)" in problems[4].message
    assert problems[5].message == "is outside its range, 0 to 1,000 (got -1)"


# ---- round trip -------------------------------------------------------------------------------


def test_bundled_mandate_round_trips():
    mandate = load_mandate()
    assert mandate_from_text(mandate.to_toml(), "saved.toml") == mandate


def test_unset_limits_stay_unset_after_a_round_trip():
    mandate = mandate_from_text(MINIMAL, "m.toml")
    text = mandate.to_toml()
    assert "max_volatility" not in text
    assert mandate_from_text(text, "saved.toml") == mandate


shares = st.none() | st.floats(0, 1)


@settings(max_examples=40, deadline=None)
@given(
    max_volatility=shares,
    max_candidate_share=shares,
    min_expected_return=st.none() | st.floats(-0.5, 0.5),
    objective=st.sampled_from(["max_impact", "max_return", "min_risk", "blended"]),
    min_holdings=st.none() | st.integers(1, 50),
    caps=st.dictionaries(st.sampled_from(["property", "gilts", "private_debt"]), st.floats(0, 1)),
)
def test_any_mandate_round_trips(
    max_volatility, max_candidate_share, min_expected_return, objective, min_holdings, caps
):
    mandate = Mandate(
        target_gbp=100_000_000,
        places=["E07000123", "E07000126"],
        objective=objective,
        max_volatility=max_volatility,
        max_candidate_share=max_candidate_share,
        min_expected_return=min_expected_return,
        min_holdings=min_holdings,
        asset_class_caps=caps,
    )
    again = mandate_from_text(mandate.to_toml(), "saved.toml")
    assert again == mandate
    assert (again.max_volatility is None) == (max_volatility is None)
    assert all(math.isfinite(v) for v in again.asset_class_caps.values())


def test_sector_cap_naming_no_candidate_sector_is_a_warning_at_its_line():
    text = MINIMAL + "excluded_sectors = []\n\n[sector_caps]\nregeneration = 0.3\nclean_enrgy = 0.3\n"
    mandate = mandate_from_text(text, "m.toml")  # sectors are free text in the mandate itself
    sectors = ["regeneration", "clean_energy", "sme_finance"]
    (warning,) = check_against_universe(mandate, sectors, ["E07000123"], "m.toml", text)
    assert warning.severity == "warning"
    assert (warning.line, warning.field) == (7, "sector_caps.clean_enrgy")
    assert "no candidate has sector 'clean_enrgy' (did you mean 'clean_energy'?)" in warning.message


def test_a_target_with_pennies_is_refused_not_rounded():
    """£123,456,789.50 cannot be placed in whole pounds: rounding it would place 50p more or less."""
    problem = one_problem('target_gbp = 123456789.50\nplaces = ["E07000123"]\n')
    assert (problem.line, problem.field) == (1, "target_gbp")
    assert problem.message == (
        "£123,456,789.50 has pennies, but amounts are placed in whole pounds; write 123456789 or 123456790"
    )


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        (
            "target_gbp = 1e-300",
            "target_gbp",
            "is outside its range, 1,000 to 1,000,000,000,000 (got 1e-300)",
        ),
        (
            "fund_size_gbp = 1e300",
            "fund_size_gbp",
            "is outside its range, 1,000 to 1,000,000,000,000 (got 1e+300)",
        ),
        (
            "min_holdings = 1000000000000000000000000000000",
            "min_holdings",
            "is outside its range, 1 to 1,000 (got 1e+30)",
        ),
        ("impact_weight = 1e300", "impact_weight", "is outside its range, 0 to 1 (got 1e+300)"),
        ("risk_aversion = 1e300", "risk_aversion", "is outside its range, 0 to 1,000 (got 1e+300)"),
        ("tolerance_bp = 1e300", "tolerance_bp", "is outside its range, 0 to 2,000 (got 1e+300)"),
        ("max_lockup_years = 1e9", "max_lockup_years", "is outside its range, 0 to 100 (got 1,000,000,000)"),
        (
            "weights = { financial = 1e308 }",
            "weights.financial",
            "is outside its range, 0 to 1,000 (got 1e+308)",
        ),
    ],
)
def test_every_number_has_a_finite_range(line, key, message):
    """Whatever validate accepts the solver can use: a weight of 1e308 overflowed every score to 0."""
    problem = one_problem(
        f'places = ["E07000123"]\n{line}\n' + ("" if key == "target_gbp" else "target_gbp = 1e8\n")
    )
    assert (problem.field, problem.message) == (key, message)


# ---- the commitment plan's [pacing] table -------------------------------------------------------

PACING = MINIMAL + "\n[pacing]\nstart_year = 2027\ntarget_year = 2031\n"  # [pacing] on line 4


def test_bundled_mandate_plans_its_commitments():
    pacing = load_mandate().pacing
    assert pacing is not None
    assert (pacing.start_year, pacing.target_year, pacing.hold_years, pacing.end_year) == (
        2027,
        2031,
        5,
        2036,
    )
    assert pacing.max_yearly_commitment_gbp == 40_000_000
    assert pacing.fund_net_cash_flow_gbp == 20_000_000
    assert load_mandate().pacing_target_gbp == 100_000_000


def test_the_plan_target_is_its_own_or_a_share_of_the_fund_or_the_mandate_target():
    assert mandate_from_text(MINIMAL, "m").pacing_target_gbp is None
    assert mandate_from_text(PACING, "m").pacing_target_gbp == 100_000_000
    assert mandate_from_text(PACING + "target_gbp = 80_000_000\n", "m").pacing_target_gbp == 80_000_000
    shared = "fund_size_gbp = 7_000_000_000\n" + PACING + 'target_share = "5%"\n'
    assert mandate_from_text(shared, "m").pacing_target_gbp == pytest.approx(350_000_000)


def test_a_target_year_before_the_start_points_at_the_table():
    problem = one_problem(MINIMAL + "\n[pacing]\nstart_year = 2030\ntarget_year = 2028\n")
    assert (problem.line, problem.field) == (4, "pacing")
    assert problem.message == "pacing.target_year 2028 is before pacing.start_year 2030"


@pytest.mark.parametrize(
    ("extra", "field", "phrase"),
    [
        ("target_gbp = 80_000_000\ntarget_share = 0.05\n", "pacing", "are both set; keep one"),
        ("hold_years = 45\n", "pacing.hold_years", "is outside its range, 0 to 30 (got 45)"),
        ("target_yaer = 2031\n", "pacing.target_yaer", "(did you mean 'pacing.target_year'?)"),
        ("max_yearly_commitment_gbp = -5\n", "pacing.max_yearly_commitment_gbp", "outside its range"),
    ],
)
def test_pacing_problems_name_the_key(extra: str, field: str, phrase: str):
    problem = one_problem(PACING + extra)
    assert problem.field == field
    assert phrase in problem.message


def test_a_start_year_out_of_range_reads_as_a_year():
    problem = one_problem(MINIMAL + "\n[pacing]\nstart_year = 1990\ntarget_year = 2031\n")
    assert (problem.line, problem.field) == (5, "pacing.start_year")
    assert problem.message == "is outside its range, 2000 to 2100 (got 1990)"


def test_a_share_of_the_fund_needs_the_fund_size():
    problem = one_problem(PACING + "target_share = 0.05\n")
    assert problem.message == "pacing.target_share is a share of the fund, but fund_size_gbp is not set"


def test_the_pacing_table_survives_a_save_and_a_reload():
    mandate = mandate_from_text(PACING + "fund_net_cash_flow_gbp = -25_000_000\n", "m")
    again = mandate_from_text(mandate.to_toml(), "again")
    assert again == mandate and again.pacing.fund_net_cash_flow_gbp == -25_000_000


# ---- the 2026 local investment rules -------------------------------------------------------------


def test_bundled_mandate_sets_a_local_investment_target_range():
    local = load_mandate().local_investment
    assert local is not None
    assert (local.target_min_share, local.target_max_share) == (0.01, 0.05)
    assert "private_equity" in local.counted_asset_classes and "uk_equity" not in local.counted_asset_classes


def test_a_range_upside_down_and_an_unknown_asset_class_are_refused():
    text = MINIMAL + '\n[local_investment]\ntarget_min_share = "6%"\ntarget_max_share = 0.05\n'
    problem = one_problem(text)
    assert (problem.line, problem.field) == (4, "local_investment")
    assert (
        problem.message
        == "local_investment.target_min_share 6.0% is above local_investment.target_max_share 5.0%"
    )
    text = MINIMAL + (
        "\n[local_investment]\ntarget_min_share = 0.01\ntarget_max_share = 0.05\n"
        'counted_asset_classes = ["property", "private_equty"]\n'
    )
    problem = one_problem(text)
    assert problem.field == "local_investment.counted_asset_classes"
    assert "'private_equty' is not a known asset class (did you mean 'private_equity'?)" in problem.message


# ---- places written as groups --------------------------------------------------------------------


def test_a_combined_authority_stands_for_its_districts_and_is_recorded():
    mandate = mandate_from_text('target_gbp = 100_000_000\nplaces = ["E47000018"]\n', "m.toml")
    assert len(mandate.places) == 14 and "E07000123" in mandate.places and "E06000009" in mandate.places
    assert mandate.place_groups == {"E47000018": mandate.places}
    again = mandate_from_text(mandate.to_toml(), "again.toml")
    assert again == mandate  # the districts it meant are kept, not looked up again


def test_groups_by_name_with_districts_keep_each_district_once():
    text = (
        'target_gbp = 100_000_000\nplaces = ["Preston", "Greater Manchester", "E07000123", "region:london"]\n'
    )
    mandate = mandate_from_text(text, "m.toml")
    assert mandate.places[0] == "E07000123" and mandate.places.count("E07000123") == 1
    assert len(mandate.places) == 1 + 10 + 33
    assert set(mandate.place_groups) == {"Greater Manchester", "region:london"}


def test_a_pools_footprint_is_a_named_group():
    mandate = mandate_from_text('target_gbp = 1e8\nplaces = ["Local Pensions Partnership pool"]\n', "m.toml")
    assert len(mandate.places) == 14 + 33 + 6  # Lancashire, London, Berkshire


def test_a_name_two_groups_share_asks_for_the_code_and_a_near_miss_gets_did_you_mean():
    problem = one_problem(MINIMAL.replace('["E07000123"]', '["Lancashire"]'))
    assert problem.message == (
        "'Lancashire' is not a UK district or place group: it names more than one group, the county "
        "Lancashire (E10000017, 12 districts) and the combined authority Lancashire (E47000018, 14 "
        "districts); write its code"
    )
    problem = one_problem(MINIMAL.replace('["E07000123"]', '["Greater Manchestr"]'))
    assert (
        "(did you mean the combined authority Greater Manchester (E47000001, 10 districts)?)"
        in problem.message
    )


def test_a_group_with_empty_districts_gets_one_warning_naming_them():
    mandate = mandate_from_text('target_gbp = 1e8\nplaces = ["E47000018", "E08000003"]\n', "m.toml")
    names = {"E07000123": "Preston", "E07000128": "Wyre", "E08000003": "Manchester"}
    warnings = check_against_universe(
        mandate, [], ["E07000123", "E07000126", "E06000009"], "m.toml", "", names
    )
    assert [w.message for w in warnings] == [
        "no candidate is in 11 of the 14 districts of 'E47000018' (E06000008, E07000117, E07000118, "
        "E07000119, E07000120, E07000121, E07000122, E07000124 ...)",
        "no candidate is in Manchester (E08000003)",
    ]


def test_places_read_as_their_groups_then_districts():
    from screening.reading.place_groups import place_words
    from screening.reading.reference import bundled_reference

    reference = bundled_reference()
    mandate = mandate_from_text('target_gbp = 1e8\nplaces = ["E47000018", "Manchester", "Wales"]\n', "m.toml")
    names = reference.places["name"].to_dict()
    assert place_words(mandate.places, mandate.place_groups, names, reference.groups) == [
        "Lancashire combined authority (14 districts)",
        "Wales (22 districts)",
        "Manchester",
    ]
