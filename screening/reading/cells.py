"""Turn one raw cell into a number or a piece of text, or say plainly why it cannot be.

A value is either read exactly as the user meant it or refused with a reason; it is never
guessed. `6.5%` is 0.065, `£1,250,000` is 1250000, a blank is "unknown", and `6,5` (a decimal
comma) or `NaN` are refused.
"""

from __future__ import annotations

import math
import re

from screening.errors import CellError
from screening.reading.tables import Cell

_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")  # "0,065" is a decimal comma
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_NOT_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"}
_SPREADSHEET_ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!")


def is_blank(cell: Cell) -> bool:
    """True for an empty cell (None, or only white space)."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_number(cell: Cell) -> tuple[float | None, bool]:
    """Read a number; returns (value or None when blank, whether it was written with %)."""
    if is_blank(cell):
        return None, False
    if isinstance(cell, bool):
        raise CellError(f"'{cell}' is true/false, but a number belongs here")
    if isinstance(cell, int | float):
        return _finite(float(cell), str(cell)), False
    return _parse_text_number(str(cell).strip())


def _parse_text_number(text: str) -> tuple[float, bool]:
    if text.upper() in _SPREADSHEET_ERRORS:
        raise CellError(f"spreadsheet error '{text}' where a number belongs")
    if text.lower() in _NOT_FINITE:
        raise CellError(f"'{text}' is not a finite number")
    body = text.replace("£", "", 1).strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].strip()
    if _THOUSANDS.match(body):
        body = body.replace(",", "")
    elif _DECIMAL_COMMA.match(body):
        raise CellError(f"'{text}' uses a decimal comma; write it with a point ('{body.replace(',', '.')}')")
    try:
        value = float(body)
    except ValueError:
        raise CellError(f"'{text}' is not a number") from None
    value = _finite(value, text)
    return (value / 100.0 if percent else value), percent


def _finite(value: float, shown: str) -> float:
    if math.isnan(value) or math.isinf(value):
        raise CellError(f"'{shown}' is not a finite number")
    return value


def parse_text(cell: Cell) -> str | None:
    """Text with surrounding white space removed; None when blank."""
    if is_blank(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
