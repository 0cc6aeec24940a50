"""Read the table in an .xlsx workbook as rows of raw cells, or refuse the workbook with a reason.

A workbook is a zip of XML parts, and what another program wrote is not trusted: its unzipped size
is checked before anything is parsed; the sheet's XML is scanned first for row numbers that are
out of order or beyond Excel's last row (openpyxl would drop such rows in silence, or walk a gap of
1e20 empty rows) and for formulas saved without their result (read as blank, so `=5000000` in a
ticket cap would mean "no cap"); the rows are then read as stored, whatever size the sheet states.
XML is parsed through defusedxml (openpyxl uses it when installed), so entity bombs are refused.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import TYPE_CHECKING

from screening.reading.limits import ReadLimits
from screening.reading.problems import Problem
from screening.reading.tables import Cell, RawTable, RowCounter, is_blank_row, refused, to_table, too_large

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

LAST_ROW = 1_048_576  # Excel's last row

# What a damaged or hostile workbook raises inside openpyxl, zipfile, zlib and the XML parser:
# a broken zip or deflate stream, a missing part, malformed XML (ParseError is a SyntaxError),
# entities refused by defusedxml (a ValueError), or content openpyxl's readers cannot make sense of.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    OSError,
    SyntaxError,
    EOFError,
    TypeError,
    AttributeError,
    IndexError,
    LookupError,
)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)", re.DOTALL)
_R = re.compile(rb"""\br\s*=\s*["']([^"']*)["']""")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\b[^>]*>[^<]")  # a value with content (<v></v> is none)
_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)")


def read_workbook(file: str, data: bytes, sheet: str | None, limits: ReadLimits) -> RawTable:
    """The sheet called `sheet` (else the first sheet of cells) as a raw table."""
    from openpyxl import load_workbook  # imported late: only needed for workbooks

    _check_unzipped_size(file, data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _DAMAGED as exc:
        raise refused(file, None, f"not a readable .xlsx workbook ({_reason(exc)})") from None
    try:
        name, worksheet = _worksheet(file, book, sheet)
        where = f"{file}[{name}]"
        unsaved = _scan(where, book, worksheet)
        table = to_table(where, _records(where, worksheet, limits))
    except _DAMAGED as exc:
        raise refused(file, None, f"the workbook is damaged and cannot be read ({_reason(exc)})") from None
    finally:
        book.close()
    table.problems[:0] = [_unsaved_problem(where, table.header, reference) for reference in unsaved]
    return table


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _check_unzipped_size(file: str, data: bytes, limits: ReadLimits) -> None:
    """A workbook's parts, once unzipped, within the limit (zip sizes are checked as they are read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refused(file, None, f"not a readable .xlsx workbook ({_reason(exc)})") from None
    if unzipped > limits.max_unzipped_bytes:
        raise too_large(file, None, f"the workbook holds {unzipped / 1e6:,.0f} MB once unzipped", limits)


def _worksheet(file: str, book: Workbook, sheet: str | None) -> tuple[str, ReadOnlyWorksheet]:
    """The sheet called `sheet` when there is one, else the first sheet that holds cells."""
    if sheet in book.sheetnames:
        found = book[sheet]
        if found not in book.worksheets:
            raise refused(file, None, f"the sheet '{sheet}' is a chart, not a table of cells")
        return sheet, found
    if not book.worksheets:
        raise refused(file, None, "the workbook has no sheet of cells (only charts)")
    return book.worksheets[0].title, book.worksheets[0]


def _scan(file: str, book: Workbook, worksheet: ReadOnlyWorksheet) -> list[str]:
    """Refuse row numbers openpyxl would misread; return the cells holding a formula with no result."""
    xml = book._archive.read(worksheet._worksheet_path)  # the sheet's own part, within the size limit
    previous = 0
    for match in _ROW.finditer(xml):
        number = _R.search(match[1])
        if number is None:
            previous += 1
            continue
        written = number[1].decode("ascii", "replace")
        if not written.isdigit() or not previous < int(written) <= LAST_ROW:
            raise refused(
                file,
                None,
                f"the sheet's rows are numbered wrongly (row '{written[:20]}' after row {previous}; rows "
                f"run from 1 to {LAST_ROW:,} in order): the workbook is damaged; open it in Excel and "
                "save it again, or save it as CSV",
            )
        previous = int(written)
    if not _FORMULA.search(xml):
        return []
    return [
        _R.search(cell[1])[1].decode("ascii", "replace")  # type: ignore[index]
        for cell in _CELL.finditer(xml)
        if cell[2] and _FORMULA.search(cell[2]) and not _VALUE.search(cell[2]) and _R.search(cell[1])
    ]


def _records(file: str, worksheet: ReadOnlyWorksheet, limits: ReadLimits) -> list[tuple[int, list[Cell]]]:
    """Rows as stored, whatever the sheet's stored size says: a workbook saved by another program
    may state a stale size (A1:C5 over 48 rows), which openpyxl would otherwise trust."""
    worksheet.reset_dimensions()
    counter = RowCounter(file, limits)
    records: list[tuple[int, list[Cell]]] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = list(values)
        if not is_blank_row(cells):
            counter.add(number, cells)
            records.append((number, cells))
    return records


def _unsaved_problem(file: str, header: list[str], reference: str) -> Problem:
    """A formula cell the workbook holds no result for, named by its row and its column's heading."""
    found = _REFERENCE.fullmatch(reference)
    line, column = (int(found[2]), _column_number(found[1])) if found else (None, 0)
    name = header[column - 1] if 0 < column <= len(header) else reference
    return Problem(
        file,
        line,
        name,
        f"cell {reference} holds a formula with no saved result (the workbook was not saved by a "
        "spreadsheet program that works formulas out); open it in Excel and save it, or type the value",
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
