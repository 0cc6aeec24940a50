"""One cell to a number or text: read exactly as meant, or refused with a reason."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.errors import CellError
from screening.reading.cells import is_blank, parse_number, parse_text


@pytest.mark.parametrize(
    ("cell", "value", "percent"),
    [
        ("6.5%", 0.065, True),
        (" 6.5 % ", 0.065, True),
        ("£1,250,000", 1_250_000.0, False),
        ("1,250,000", 1_250_000.0, False),
        ("12,345.5", 12_345.5, False),
        ("0.065", 0.065, False),
        ("-0.02", -0.02, False),
        ("1e6", 1_000_000.0, False),
        (0.065, 0.065, False),  # a float cell from Excel
        (25_000_000, 25_000_000.0, False),  # an integer cell from Excel
    ],
)
def test_numbers_are_read_as_written(cell, value, percent):
    assert parse_number(cell) == (pytest.approx(value, rel=1e-15), percent)


def test_excel_float_cell_keeps_its_exact_value():
    value, percent = parse_number(0.1 + 0.2)
    assert value == 0.1 + 0.2
    assert percent is False


@pytest.mark.parametrize("cell", [None, "", "   ", "\t"])
def test_blank_is_unknown(cell):
    assert is_blank(cell)
    assert parse_number(cell) == (None, False)
    assert parse_text(cell) is None


@pytest.mark.parametrize(("cell", "fixed"), [("6,5", "6.5"), ("0,065", "0.065"), ("-1,25", "-1.25")])
def test_decimal_comma_is_refused_with_the_fix(cell, fixed):
    with pytest.raises(CellError, match="decimal comma") as caught:
        parse_number(cell)
    assert f"'{cell}'" in str(caught.value)
    assert f"write it with a point ('{fixed}')" in str(caught.value)


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "+inf", "Infinity", "1e400"])
def test_non_finite_text_is_refused(cell):
    with pytest.raises(CellError, match="is not a finite number") as caught:
        parse_number(cell)
    assert f"'{cell}'" in str(caught.value)


@pytest.mark.parametrize("cell", [math.nan, math.inf, -math.inf])
def test_non_finite_excel_cell_is_refused(cell):
    with pytest.raises(CellError, match="is not a finite number"):
        parse_number(cell)


@pytest.mark.parametrize("cell", ["#N/A", "#DIV/0!", "#VALUE!", "#n/a"])
def test_spreadsheet_errors_are_refused(cell):
    with pytest.raises(CellError, match="spreadsheet error") as caught:
        parse_number(cell)
    assert f"'{cell}'" in str(caught.value)


@pytest.mark.parametrize("cell", ["abc", "6.5 percent", "0x10", "%", "£", "1.2.3"])
def test_text_is_refused(cell):
    with pytest.raises(CellError, match="is not a number") as caught:
        parse_number(cell)
    assert f"'{cell}'" in str(caught.value)


@pytest.mark.parametrize("cell", [True, False])
def test_true_false_is_refused(cell):
    with pytest.raises(CellError, match="true/false, but a number belongs here"):
        parse_number(cell)


def test_text_is_stripped_and_whole_floats_lose_their_point():
    assert parse_text("  PRE-001 ") == "PRE-001"
    assert parse_text(2021.0) == "2021"  # Excel stores 2021 as a float
    assert parse_text(0.5) == "0.5"


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite)
def test_repr_of_any_finite_float_parses_back_to_itself(x):
    assert parse_number(repr(x)) == (x, False)


@given(finite.filter(lambda x: math.isfinite(x * 100)))
def test_percent_text_parses_to_the_fraction(x):
    value, percent = parse_number(f"{x * 100}%")
    assert percent is True
    assert math.isclose(value, x, rel_tol=1e-12, abs_tol=1e-300)
