"""The candidate file: the bundled one loads, and every kind of mistake is reported at once."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from screening.errors import InputError
from screening.reading.candidates import IMPACT_COLUMNS, load_candidates
from screening.reading.problems import Problem

HEADER_LINE = 1


def column(rows, name: str) -> int:
    return rows[0].index(name)


def put(rows, line: int, name: str, value: str) -> None:
    """Set the cell the user would see on `line` (header = 1) in column `name`."""
    rows[line - 1][column(rows, name)] = value


def drop_column(rows, name: str) -> list[list[str]]:
    index = column(rows, name)
    return [row[:index] + row[index + 1 :] for row in rows]


def load_problems(source) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_candidates(source)
    return caught.value.problems


def only(problems: list[Problem], line: int, field: str) -> Problem:
    found = [p for p in problems if (p.line, p.field) == (line, field)]
    assert len(found) == 1, f"expected one problem at line {line} column {field!r}, got {found}"
    return found[0]


# ---- the bundled file -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return load_candidates()


def test_bundled_file_loads(bundled):
    assert len(bundled) == 48
    assert bundled.provenance.source == "bundled"
    assert list(bundled.frame.index[:2]) == ["PRE-001", "PRE-002"]
    assert bundled.lines["PRE-001"] == 2
    assert bundled.lines["GLA-002"] == 49
    assert [p for p in bundled.warnings if p.severity == "error"] == []


def test_bundled_values_are_typed(bundled):
    first = bundled.frame.loc["PRE-001"]
    assert first["expected_return"] == 0.052
    assert first["volatility"] == 0.08
    assert first["min_ticket_gbp"] == 2_000_000
    assert first["max_ticket_gbp"] == 25_000_000
    assert first["imd_decile"] == 2
    assert first["ownership"] == "public"
    assert str(bundled.frame["imd_decile"].dtype) == "Int64"
    assert bundled.frame["expected_return"].dtype == float


def test_blank_impact_cells_stay_unknown(bundled, candidate_rows):
    frame = bundled.frame
    assert math.isnan(frame.loc["PRE-011", "living_wage_share"])  # blank in the file
    assert math.isnan(frame.loc["BPL-003", "jobs_per_gbp_m"])
    assert pd.isna(frame.loc["LIV-003", "imd_decile"])
    assert pd.isna(frame.loc["MAN-002", "evidence_quality"])
    assert frame.loc["PRE-003", "affordable_homes_per_gbp_m"] == 0  # a written 0 stays 0
    for name in IMPACT_COLUMNS:
        blank_in_file = [row[0] for row in candidate_rows[1:] if row[column(candidate_rows, name)] == ""]
        assert list(frame.index[frame[name].isna()]) == blank_in_file, name


def test_blank_tickets_mean_no_minimum_and_no_cap(bundled):
    assert bundled.frame.loc["PRE-002", "min_ticket_gbp"] == 0
    assert bundled.frame.loc["MAN-003", "max_ticket_gbp"] == math.inf


# ---- every problem at once --------------------------------------------------------------------

EXPECTED = [
    (HEADER_LINE, "sector", "required column is missing"),
    (2, "expected_return", "'abc' is not a number"),
    (3, "jobs_per_gbp_m", "'NaN' is not a finite number; leave the cell blank if the value is unknown"),
    (4, "volatility", "'inf' is not a finite number"),
    (5, "expected_return", "looks like a percentage typed as a whole number; write 0.065 or 6.5%"),
    (6, "expected_return", "0.8 is outside the plausible range -0.5 to 0.5"),
    (7, "volatility", "-0.1 cannot be negative"),
    (8, "max_ticket_gbp", "-5,000,000 cannot be negative"),
    (9, "min_ticket_gbp", "minimum ticket £20,000,000 is above the maximum ticket £10,000,000"),
    (10, "id", "is blank but a value is required"),
    (11, "id", "'PRE-001' already used on line 2"),
    (
        12,
        "local_authority",
        "'E09999999' is not a known ONS place code; write a UK district's ONS code or its name",
    ),
    (13, "local_authority", "'Prestn' is not a known ONS place code (did you mean Preston (E07000123)?)"),
    (14, "asset_class", "'social_housng' is not a known asset class (did you mean 'social_housing'?)"),
    (15, "local_spend_share", "63 looks like a percentage typed as a whole number; write 0.63 or 63%"),
    (16, "living_wage_share", "1.2 looks like a percentage typed as a whole number; write 0.012 or 1.2%"),
    (17, "imd_decile", "0 is outside the plausible range 1 to 10"),
    (18, "imd_decile", "11 is outside the plausible range 1 to 10"),
    (19, "imd_decile", "3.5 is not a whole number"),
    (20, "evidence_quality", "6 is outside the plausible range 1 to 5"),
    (21, "additionality", "1.2 is outside the plausible range (at most 1)"),
    (22, "income_yield", "0.6 is outside the plausible range (at most 0.5)"),
    (23, "ownership", "'coop' is not a known ownership type; expected one of: community, cooperative"),
    (24, "id", "'PRE-003' already used on line 4"),
    (25, "min_ticket_gbp", "'6,5' uses a decimal comma"),
]


@pytest.fixture
def broken_rows(candidate_rows):
    rows = candidate_rows
    put(rows, 2, "expected_return", "abc")
    put(rows, 3, "jobs_per_gbp_m", "NaN")
    put(rows, 4, "volatility", "inf")
    put(rows, 5, "expected_return", "6.5")
    put(rows, 6, "expected_return", "0.8")
    put(rows, 7, "volatility", "-0.1")
    put(rows, 8, "max_ticket_gbp", "-5000000")
    put(rows, 9, "min_ticket_gbp", "20000000")
    put(rows, 9, "max_ticket_gbp", "10000000")
    put(rows, 10, "id", "")
    put(rows, 11, "id", "PRE-001")  # line 2 has a bad cell of its own, its id still counts
    put(rows, 12, "local_authority", "E09999999")
    put(rows, 13, "local_authority", "Prestn")
    put(rows, 14, "asset_class", "social_housng")
    put(rows, 15, "local_spend_share", "63")
    put(rows, 16, "living_wage_share", "1.2")
    put(rows, 17, "imd_decile", "0")
    put(rows, 18, "imd_decile", "11")
    put(rows, 19, "imd_decile", "3.5")
    put(rows, 20, "evidence_quality", "6")
    put(rows, 21, "additionality", "120%")
    put(rows, 22, "income_yield", "0.6")
    put(rows, 23, "ownership", "coop")
    put(rows, 24, "id", "PRE-003")
    put(rows, 25, "min_ticket_gbp", "6,5")
    return drop_column(rows, "sector")


def test_every_problem_is_reported_at_once(write_csv, broken_rows):
    problems = load_problems(write_csv(broken_rows))
    assert all(p.severity == "error" and p.file.endswith("candidates.csv") for p in problems)
    for line, field, phrase in EXPECTED:
        assert phrase in only(problems, line, field).message
    assert len(problems) == len(EXPECTED)


def test_problem_text_has_the_contract_format(write_csv, broken_rows):
    source = write_csv(broken_rows)
    problems = load_problems(source)
    assert str(only(problems, 5, "expected_return")) == (
        f"{source.name}:5: column 'expected_return': 6.5 looks like a percentage typed as a whole "
        "number; write 0.065 or 6.5%"
    )
    assert str(only(problems, 1, "sector")) == f"{source.name}:1: column 'sector': required column is missing"


def test_input_error_text_lists_every_problem(write_csv, broken_rows):
    with pytest.raises(InputError) as caught:
        load_candidates(write_csv(broken_rows))
    assert str(caught.value).splitlines() == [str(p) for p in caught.value.problems]


def test_blank_cell_in_a_required_number_column(write_csv, candidate_rows):
    put(candidate_rows, 30, "volatility", "")
    (problem,) = load_problems(write_csv(candidate_rows))
    assert (problem.line, problem.field) == (30, "volatility")
    assert problem.message == "is blank but a value is required"


def test_problem_on_a_row_after_a_blank_line_names_its_line(write_bytes, candidate_rows):
    put(candidate_rows, 6, "volatility", "x")
    lines = [",".join(row) for row in candidate_rows]
    content = "\n".join([*lines[:5], "", ",,,", *lines[5:]]) + "\n"  # two blank lines before line 6
    (problem,) = load_problems(write_bytes(content.encode()))
    assert (problem.line, problem.field) == (8, "volatility")


# ---- variants that are accepted ---------------------------------------------------------------


def test_reordered_columns_give_identical_values(write_csv, candidate_rows, bundled):
    order = list(reversed(range(len(candidate_rows[0]))))
    shuffled = [[row[i] for i in order] for row in candidate_rows]
    universe = load_candidates(write_csv(shuffled))
    assert_frame_equal(universe.frame, bundled.frame)
    assert universe.lines == bundled.lines


def test_reordered_rows_keep_file_order_and_lines(write_csv, candidate_rows):
    rows = [candidate_rows[0], *reversed(candidate_rows[1:])]
    universe = load_candidates(write_csv(rows))
    assert universe.frame.index[0] == "GLA-002"
    assert universe.lines["GLA-002"] == 2
    assert universe.lines["PRE-001"] == 49


def test_extra_column_is_a_warning(write_csv, candidate_rows, bundled):
    rows = [[*row, "note"] for row in candidate_rows]
    rows[0][-1] = "analyst_notes"
    universe = load_candidates(write_csv(rows))
    (warning,) = universe.warnings
    assert warning.severity == "warning"
    assert (warning.line, warning.field) == (1, "analyst_notes")
    assert "is not a known column and is ignored" in warning.message
    assert str(warning).endswith(":1: warning: column 'analyst_notes': is not a known column and is ignored")
    assert_frame_equal(universe.frame, bundled.frame)


def test_misspelt_optional_column_warns_with_a_suggestion(write_csv, candidate_rows):
    candidate_rows[0][column(candidate_rows, "evidence_quality")] = "evidence_qualty"
    universe = load_candidates(write_csv(candidate_rows))
    (warning,) = universe.warnings
    assert warning.field == "evidence_qualty"
    assert "(did you mean 'evidence_quality'?)" in warning.message
    assert universe.frame["evidence_quality"].isna().all()


def test_header_case_and_spaces_are_accepted(write_csv, candidate_rows, bundled):
    header = candidate_rows[0]
    header[column(candidate_rows, "expected_return")] = "Expected Return"
    header[column(candidate_rows, "min_ticket_gbp")] = " MIN-TICKET GBP "
    header[column(candidate_rows, "id")] = "ID"
    universe = load_candidates(write_csv(candidate_rows))
    assert universe.warnings == []
    assert_frame_equal(universe.frame, bundled.frame)


def test_percent_and_pound_formats_are_read(write_csv, candidate_rows):
    put(candidate_rows, 2, "expected_return", "6.5%")
    put(candidate_rows, 2, "local_spend_share", "55 %")
    put(candidate_rows, 2, "min_ticket_gbp", "£1,250,000")
    put(candidate_rows, 2, "max_ticket_gbp", "25,000,000")
    first = load_candidates(write_csv(candidate_rows)).frame.loc["PRE-001"]
    assert first["expected_return"] == 0.065
    assert first["local_spend_share"] == 0.55
    assert first["min_ticket_gbp"] == 1_250_000
    assert first["max_ticket_gbp"] == 25_000_000


@pytest.mark.parametrize(
    ("name", "value", "holds"),
    [
        ("min_ticket_gbp", "50%", "an amount in pounds"),
        ("max_ticket_gbp", "10 %", "an amount in pounds"),
        ("jobs_per_gbp_m", "50%", "a number in its own unit"),
        ("liquidity_years", "500%", "a number in its own unit"),
        ("imd_decile", "300%", "a whole number"),
        ("evidence_quality", "400%", "a whole number"),
    ],
)
def test_a_percent_sign_outside_a_share_or_rate_is_refused(write_csv, candidate_rows, name, value, holds):
    """'50%' of a ticket is not £0.50: a % sign is read only where the column is a share or a rate."""
    put(candidate_rows, 4, name, value)
    (problem,) = load_problems(write_csv(candidate_rows))
    assert (problem.line, problem.field) == (4, name)
    assert problem.message == (
        f"'{value}' has a % sign, but this column holds {holds}, not a share or a rate; "
        "write the number without the % sign"
    )


def test_xlsx_gives_the_same_frame_as_csv(write_xlsx, candidate_rows, bundled):
    universe = load_candidates(write_xlsx(candidate_rows))
    assert_frame_equal(universe.frame, bundled.frame)
    assert universe.lines == bundled.lines


def test_xlsx_problem_names_the_excel_row_and_sheet(write_xlsx, candidate_rows):
    put(candidate_rows, 7, "expected_return", "6.5")
    (problem,) = load_problems(write_xlsx(candidate_rows, sheet="Pipeline"))
    assert problem.file.endswith("candidates.xlsx[Pipeline]")
    assert (problem.line, problem.field) == (7, "expected_return")
    assert "write 0.065 or 6.5%" in problem.message


def test_a_place_typed_by_its_name_is_read_as_its_code(write_csv, candidate_rows):
    put(candidate_rows, 2, "local_authority", "Preston")
    put(candidate_rows, 3, "local_authority", "south ribble")
    universe = load_candidates(write_csv(candidate_rows))
    assert universe.warnings == []
    assert list(universe.frame["local_authority"].iloc[:2]) == ["E07000123", "E07000126"]


def test_an_upload_to_the_app_is_read_within_the_lower_upload_limits():
    """5,000 rows (the limit, besides the header) are read as an upload; 5,001 are read whole from
    the command line and refused as an upload to the shared app, with the row limit named."""
    from screening.reading import bundled as files
    from screening.reading.limits import UPLOAD_LIMITS
    from screening.reading.tables import InputFile

    lines = files.bundled(files.CANDIDATES).read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    ids = header.split(",").index("id")

    def table(count: int) -> bytes:
        body = []
        for k in range(count):
            cells = rows[k % len(rows)].split(",")  # the bundled file has no quoted commas in the id
            cells[ids] = f"U{k:05d}"
            body.append(",".join(cells))
        return ("\n".join([header, *body]) + "\n").encode("utf-8")

    most = UPLOAD_LIMITS.max_rows
    assert len(load_candidates(InputFile("most.csv", table(most), "upload")).frame) == most
    content = table(most + 1)
    assert len(load_candidates(InputFile("many.csv", content, "file")).frame) == most + 1
    with pytest.raises(InputError) as refused:
        load_candidates(InputFile("many.csv", content, "upload"))
    (problem,) = refused.value.problems
    assert problem.file == "many.csv" and "more than 5,000 rows" in problem.message
    assert problem.line == most + 2  # the first row past the limit, after the header on line 1
