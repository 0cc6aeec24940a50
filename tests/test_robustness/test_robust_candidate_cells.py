"""Awkward cells in a candidate CSV, one at a time, through `impact-screen validate`.

Why: a candidate file is typed by hand or exported from a spreadsheet, so its cells hold percent
signs, pound signs, thousands separators, decimal commas, `NaN`, `#N/A`, blanks, words and
absurd magnitudes. Each must be read as the user meant it or refused with the line and column;
a value silently read as something else (`50%` of a minimum ticket becoming £0.50, `300%` of an
IMD decile becoming decile 3) is the worst outcome, because nothing downstream can notice it.

Every case writes the 12-candidate file from `robustness_helpers.SMALL_IDS` with one cell of
PRE-002 (line 3: it has no minimum ticket and a £6m cap, so ticket values do not clash) changed.
"""

from __future__ import annotations

import math

import pytest
from robustness_helpers import (
    FAST_ALLOCATE,
    assert_allocation_sound,
    assert_no_crash,
    assert_refused,
    bundled_rows,
    read_back,
    run,
    same_number,
    write_candidates,
)

TARGET = "PRE-002"
TARGET_LINE = 3  # header on line 1, PRE-001 on line 2


def with_cell(tmp_path, column: str, cell: str, candidate: str = TARGET):
    rows = bundled_rows()
    for row in rows:
        if row["id"] == candidate:
            row[column] = cell
    return write_candidates(tmp_path, rows)


# ---- cells that must be read, and read as what they mean ----------------------------------------

READ_AS = [
    # percent signs in share and rate columns are fractions
    ("expected_return", "6.5%", 0.065),
    ("expected_return", "-2%", -0.02),
    ("volatility", "12%", 0.12),
    ("volatility", "12 %", 0.12),
    ("local_spend_share", "40%", 0.40),
    ("living_wage_share", "100%", 1.0),
    ("income_yield", "4.5%", 0.045),
    ("additionality", "0%", 0.0),
    # money as a spreadsheet shows it
    ("min_ticket_gbp", "£1,250,000", 1_250_000.0),
    ("max_ticket_gbp", "£1,250,000", 1_250_000.0),
    ("max_ticket_gbp", "1,250,000", 1_250_000.0),
    ("max_ticket_gbp", "£ 1,250,000.50", 1_250_000.5),
    ("max_ticket_gbp", "5e6", 5_000_000.0),
    # white space around a number
    ("expected_return", " 0.061 ", 0.061),
    ("jobs_per_gbp_m", "\t7\t", 7.0),
    # blanks: unknown impact, no minimum ticket, no cap
    ("jobs_per_gbp_m", "", math.nan),
    ("imd_decile", "   ", math.nan),
    ("min_ticket_gbp", "", 0.0),
    ("max_ticket_gbp", "", math.inf),
    # small and signed values that are in range
    ("volatility", "1e-300", 1e-300),
    ("volatility", "0", 0.0),
    ("co2_avoided_t_per_gbp_m", "-50", -50.0),
    ("jobs_per_gbp_m", "1,000", 1000.0),
    ("imd_decile", "7.0", 7.0),
    ("evidence_quality", "+3", 3.0),
]


@pytest.mark.parametrize(("column", "cell", "meant"), READ_AS, ids=[f"{c}={v!r}" for c, v, _ in READ_AS])
def test_cell_is_read_as_what_it_means(tmp_path, column, cell, meant):
    path = with_cell(tmp_path, column, cell)
    outcome = run("validate", "--candidates", path)
    assert_no_crash(outcome)
    assert outcome.code == 0, f"{column}={cell!r} should be read as {meant!r}{outcome.describe()}"
    read = read_back(path).loc[TARGET, column]
    assert same_number(read, meant), f"{column}={cell!r} was read as {read!r}, not {meant!r}"


# ---- cells that must be refused, naming the line and the column ---------------------------------

REFUSED = [
    # a percent sign where the column is not a share or a rate (the tester's report)
    ("min_ticket_gbp", "50%"),
    ("max_ticket_gbp", "10%"),
    ("jobs_per_gbp_m", "50%"),
    ("affordable_homes_per_gbp_m", "5%"),
    ("co2_avoided_t_per_gbp_m", "20%"),
    ("imd_decile", "300%"),
    ("evidence_quality", "400%"),
    ("liquidity_years", "500%"),
    # percentages that are out of range once read
    ("local_spend_share", "150%"),
    ("volatility", "-5%"),
    ("volatility", "1e308%"),
    ("expected_return", "6.5%%"),
    # decimal commas
    ("expected_return", "6,5"),
    ("expected_return", "0,065"),
    ("volatility", "0,12"),
    ("jobs_per_gbp_m", "12,5"),
    # not finite, and spreadsheet errors
    ("expected_return", "NaN"),
    ("jobs_per_gbp_m", "nan"),
    ("volatility", "inf"),
    ("max_ticket_gbp", "inf"),
    ("max_ticket_gbp", "Infinity"),
    ("min_ticket_gbp", "-inf"),
    ("max_ticket_gbp", "1e309"),
    ("expected_return", "#N/A"),
    ("jobs_per_gbp_m", "#N/A"),
    ("volatility", "#DIV/0!"),
    ("local_spend_share", "#VALUE!"),
    ("expected_return", "∞"),
    # blanks where a value is required
    ("id", ""),
    ("name", ""),
    ("sector", " "),
    ("asset_class", ""),
    ("local_authority", ""),
    ("expected_return", ""),
    ("volatility", ""),
    # text where a number belongs
    ("expected_return", "high"),
    ("volatility", "n/a"),
    ("jobs_per_gbp_m", "lots"),
    ("min_ticket_gbp", "TBC"),
    ("max_ticket_gbp", "£5m"),
    ("imd_decile", "three"),
    ("evidence_quality", "good"),
    ("liquidity_years", "10 years"),
    ("expected_return", "0x10"),
    # negative money
    ("min_ticket_gbp", "-5000"),
    ("max_ticket_gbp", "-1"),
    ("max_ticket_gbp", "-£1,000,000"),
    ("max_ticket_gbp", "£-1,000,000"),
    # huge numbers outside every plausible range
    ("expected_return", "1e308"),
    ("volatility", "1e308"),
    ("jobs_per_gbp_m", "1e308"),
    ("affordable_homes_per_gbp_m", "1e308"),
    ("co2_avoided_t_per_gbp_m", "-1e308"),
    ("imd_decile", "1e308"),
    ("evidence_quality", "1e308"),
    ("liquidity_years", "1e308"),
    ("income_yield", "1" + "0" * 400),
    # whole numbers and scales
    ("imd_decile", "3.5"),
    ("imd_decile", "11"),
    ("evidence_quality", "0"),
    ("expected_return", "6.5"),
]


@pytest.mark.parametrize(("column", "cell"), REFUSED, ids=[f"{c}={v!r}" for c, v in REFUSED])
def test_cell_is_refused_with_line_and_column(tmp_path, column, cell):
    path = with_cell(tmp_path, column, cell)
    outcome = run("validate", "--candidates", path)
    assert_refused(outcome, path, TARGET_LINE, column)


def test_every_bad_cell_of_one_row_is_reported_at_once(tmp_path):
    """Three bad cells on one line: three lines on stderr, each with its column."""
    rows = bundled_rows()
    rows[1].update(min_ticket_gbp="50%", imd_decile="300%", expected_return="6,5")
    path = write_candidates(tmp_path, rows)
    outcome = run("validate", "--candidates", path)
    for column in ("min_ticket_gbp", "imd_decile", "expected_return"):
        assert_refused(outcome, path, TARGET_LINE, column)


def test_a_quoted_line_break_keeps_later_line_numbers_true(tmp_path):
    """A name holding a line break spans two lines of the file: a problem on the next row
    must name the line a text editor shows (5, not 4)."""
    rows = bundled_rows()
    rows[1]["name"] = "Community Land Trust\nHomes (illustrative)"
    rows[2]["expected_return"] = "6,8"  # PRE-003, now on line 5
    path = write_candidates(tmp_path, rows)
    outcome = run("validate", "--candidates", path)
    assert_refused(outcome, path, 5, "expected_return")


def test_a_megabyte_of_digits_in_a_number_cell_is_refused_quickly(tmp_path):
    """Refused on its line (as a number too large, or as a cell too long to read)."""
    path = with_cell(tmp_path, "jobs_per_gbp_m", "9" * 1_000_000)
    outcome = run("validate", "--candidates", path)
    assert_refused(outcome, path, TARGET_LINE)
    assert outcome.seconds < 10, outcome.describe()


def test_a_megabyte_long_name_is_read_whole_or_refused_on_its_line(tmp_path):
    name = "Preston " + "x" * 1_000_000
    path = with_cell(tmp_path, "name", name)
    outcome = run("validate", "--candidates", path)
    assert_no_crash(outcome)
    if outcome.code == 0:
        assert read_back(path).loc[TARGET, "name"] == name
    else:
        assert_refused(outcome, path, TARGET_LINE)


# ---- extreme values that may be read: then allocate must cope with them too ---------------------

EXTREME_BUT_PLAUSIBLE = [
    ("max_ticket_gbp", "1e308"),
    ("max_ticket_gbp", "£1e300"),
    ("min_ticket_gbp", "1e308"),
    ("min_ticket_gbp", "1e-300"),
    ("max_ticket_gbp", "1e-300"),
    ("volatility", "1e-300"),
    ("volatility", "100%"),
    ("expected_return", "-50%"),
    ("expected_return", "50%"),
    ("co2_avoided_t_per_gbp_m", "100000"),
    ("jobs_per_gbp_m", "1000"),
]


@pytest.mark.parametrize(
    ("column", "cell"), EXTREME_BUT_PLAUSIBLE, ids=[f"{c}={v!r}" for c, v in EXTREME_BUT_PLAUSIBLE]
)
def test_extreme_value_is_read_exactly_or_refused_and_allocate_agrees(tmp_path, column, cell):
    """Exit 0 with the value read exactly (and allocate ending in 0 or 3), or exit 2 naming the
    cell (a size limit, say) from both commands; never exit 1 from either."""
    path = with_cell(tmp_path, column, cell)
    checked = run("validate", "--candidates", path)
    assert_no_crash(checked)
    document = tmp_path / "allocation.json"
    allocated = run("allocate", "--candidates", path, *FAST_ALLOCATE, "--json", document)
    assert_no_crash(allocated)
    if checked.code == 0:
        meant = float(cell.replace("£", "").rstrip("%")) / (100 if cell.endswith("%") else 1)
        read = read_back(path).loc[TARGET, column]
        assert same_number(read, meant), f"{column}={cell!r} was read as {read!r}"
        assert allocated.code in (0, 3), f"validate said 0, allocate did not{allocated.describe()}"
        assert_allocation_sound(allocated, document)
    else:
        assert_refused(checked, path, TARGET_LINE, column)
        assert_refused(allocated, path, TARGET_LINE, column)
