"""Tables as CSV or XLSX bytes for the app's download buttons, with user text kept inert.

A spreadsheet reads text starting with = + - @ as a formula, in an XLSX cell and in a CSV file
alike; both writers here keep such text as text (XLSX: a text cell with Excel's quote prefix;
CSV: a leading apostrophe, the usual guard, since CSV has no cell types).
"""

from __future__ import annotations

import io
import math

import pandas as pd

from impact_screen.reports_xlsx import FORMULA_START, put


def _inert(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame, index: bool = True) -> bytes:
    """UTF-8 CSV (with a byte-order mark so Excel reads £ correctly); formula-like text made inert."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(_inert)
    if index and not pd.api.types.is_numeric_dtype(safe.index):
        safe.index = safe.index.map(_inert)
    return safe.to_csv(index=index).encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame], index: bool = True) -> bytes:
    """One workbook, a sheet per table; every text cell inert, infinite numbers written as text."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title[:31])
        table = frame.reset_index() if index else frame
        for column, name in enumerate(table.columns, start=1):
            put(sheet, 1, column, str(name), bold=True)
        for row, values in enumerate(table.itertuples(index=False), start=2):
            for column, value in enumerate(values, start=1):
                put(sheet, row, column, _plain(value))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(value: object) -> object:
    """numpy and pandas scalars as Python values; NaN and NA as empty cells; lists as text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, list | tuple | dict):
        return "; ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
