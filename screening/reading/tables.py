"""Read a user's CSV or XLSX file into rows of raw cells, keeping each row's line number.

Nothing here interprets a value: it only turns bytes into (line, cells) so that every later
check can name the line the user sees in a text editor or in Excel. Files are recognised by
their content, not their extension, and damaged files give one clear problem instead of a
traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from screening.errors import InputError
from screening.reading.limits import FILE_LIMITS, ReadLimits
from screening.reading.problems import Problem

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is read
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

Origin = Literal["bundled", "file", "upload"]
Cell = str | int | float | bool | None

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


@dataclass(frozen=True)
class InputFile:
    """The bytes of one input and where they came from (a bundled file, a path, an upload)."""

    name: str
    content: bytes
    origin: Origin = "file"

    @classmethod
    def from_path(cls, path: str | Path, origin: Origin = "file") -> InputFile:
        """Read a file from disk; a missing or unreadable file is an InputError, not a crash."""
        path = Path(path)
        try:
            return cls(name=str(path), content=path.read_bytes(), origin=origin)
        except FileNotFoundError:
            raise InputError([Problem(str(path), None, None, "file not found")]) from None
        except IsADirectoryError:
            raise InputError([Problem(str(path), None, None, "is a folder, not a file")]) from None
        except OSError as exc:
            raise InputError([Problem(str(path), None, None, f"cannot read: {exc}")]) from None

    @cached_property
    def sha256(self) -> str:
        """Fingerprint of the exact bytes read, for provenance (and cache keys: worked out once)."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class RawTable:
    """Header and rows of raw cells, each row with the line it starts on (header = its own)."""

    file: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[Cell]]]
    problems: list[Problem] = field(default_factory=list)


def read_table(source: InputFile, sheet: str | None = None, limits: ReadLimits = FILE_LIMITS) -> RawTable:
    """Read CSV or XLSX content within `limits`; raise InputError when nothing usable can be read."""
    data = source.content
    if len(data) > limits.max_bytes:
        raise _too_large(source.name, None, f"the file is {len(data) / 1e6:,.1f} MB", limits)
    if not data.strip():
        raise _fatal(source.name, 1, "the file is empty")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(source.name, data, sheet, limits)
    if data.startswith(_OLE_MAGIC):
        raise _fatal(source.name, None, "old Excel .xls format: save it as .xlsx or as CSV UTF-8")
    if b"\x00" in data[:8192]:
        raise _fatal(source.name, None, "binary content, not CSV text or an .xlsx workbook")
    return _read_csv(source.name, _decode(source.name, data), limits)


def _too_large(file: str, line: int | None, what: str, limits: ReadLimits) -> InputError:
    return _fatal(file, line, f"{what}: too large to read here; a table may have {limits.describe()}")


class _Counter:
    """Counts rows and cells as a table is read, and refuses the table at the first limit passed."""

    def __init__(self, file: str, limits: ReadLimits) -> None:
        self.file, self.limits, self.rows, self.cells = file, limits, 0, 0

    def add(self, line: int, cells: list[Cell]) -> None:
        width = len(cells)
        while width and (cells[width - 1] is None or cells[width - 1] == ""):
            width -= 1
        self.rows += 1
        self.cells += width
        if width > self.limits.max_columns:
            raise _too_large(self.file, line, f"this row reaches column {_column_name(width)}", self.limits)
        if self.rows > self.limits.max_rows:
            raise _too_large(self.file, line, f"more than {self.limits.max_rows:,} rows", self.limits)
        if self.cells > self.limits.max_cells:
            raise _too_large(self.file, line, f"more than {self.limits.max_cells:,} cells", self.limits)


def _column_name(number: int) -> str:
    """Excel's letters for a 1-based column number: 1 -> A, 16384 -> XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _fatal(file: str, line: int | None, message: str) -> InputError:
    return InputError([Problem(file, line, None, message)])


def _decode(file: str, data: bytes) -> str:
    """UTF-8 (a byte-order mark is fine); otherwise point at the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start]
        raise _fatal(
            file,
            line,
            f"not UTF-8 text (byte 0x{byte:02x} at character {column}); save the file as "
            "'CSV UTF-8' (Excel) or re-encode it as UTF-8",
        ) from None


def _is_blank(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _read_csv(file: str, text: str, limits: ReadLimits) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[Cell]]] = []
    counter = _Counter(file, limits)
    line = 1
    try:
        for cells in reader:
            if not _is_blank(cells):
                counter.add(line, cells)
                records.append((line, list(cells)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _fatal(file, line, f"the CSV cannot be read here: {exc} (check the quotes)") from None
    return _to_table(file, records)


# What a damaged or hostile workbook raises inside openpyxl, zipfile and the XML parser (through
# defusedxml): a broken zip, a missing part, malformed XML (ParseError is a SyntaxError), entities
# refused by defusedxml (a ValueError), or content openpyxl's readers cannot make sense of.
_DAMAGED = (
    zipfile.BadZipFile,
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


def _read_xlsx(file: str, data: bytes, sheet: str | None, limits: ReadLimits) -> RawTable:
    from openpyxl import load_workbook  # imported late: only needed for workbooks

    _check_unzipped_size(file, data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _DAMAGED as exc:
        raise _fatal(file, None, f"not a readable .xlsx workbook ({_reason(exc)})") from None
    try:
        name, worksheet = _worksheet(file, book, sheet)
        return _to_table(f"{file}[{name}]", _workbook_records(f"{file}[{name}]", worksheet, limits))
    except _DAMAGED as exc:
        raise _fatal(file, None, f"the workbook is damaged and cannot be read ({_reason(exc)})") from None
    finally:
        book.close()


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _check_unzipped_size(file: str, data: bytes, limits: ReadLimits) -> None:
    """A workbook's parts, once unzipped, within the limit (zip sizes are checked as they are read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fatal(file, None, f"not a readable .xlsx workbook ({_reason(exc)})") from None
    if unzipped > limits.max_unzipped_bytes:
        raise _too_large(file, None, f"the workbook holds {unzipped / 1e6:,.0f} MB once unzipped", limits)


def _worksheet(file: str, book: Workbook, sheet: str | None) -> tuple[str, ReadOnlyWorksheet]:
    """The sheet called `sheet` when there is one, else the first sheet that holds cells."""
    if sheet in book.sheetnames:
        found = book[sheet]
        if found not in book.worksheets:
            raise _fatal(file, None, f"the sheet '{sheet}' is a chart, not a table of cells")
        return sheet, found
    if not book.worksheets:
        raise _fatal(file, None, "the workbook has no sheet of cells (only charts)")
    return book.worksheets[0].title, book.worksheets[0]


def _workbook_records(
    file: str, worksheet: ReadOnlyWorksheet, limits: ReadLimits
) -> list[tuple[int, list[Cell]]]:
    """Rows as stored, whatever the sheet's stored size says: a workbook saved by another program
    may state a stale size (A1:C5 over 48 rows), which openpyxl would otherwise trust."""
    worksheet.reset_dimensions()
    counter = _Counter(file, limits)
    records: list[tuple[int, list[Cell]]] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = list(values)
        if not _is_blank(cells):
            counter.add(number, cells)
            records.append((number, cells))
    return records


def _to_table(file: str, records: list[tuple[int, list[Cell]]]) -> RawTable:
    if not records:
        raise _fatal(file, 1, "the file is empty")
    header_line, header_cells = records[0]
    header = _clean_header(header_cells)
    if len(header) == 1:
        _refuse_other_delimiter(file, header_line, header[0])
    problems: list[Problem] = []
    rows: list[tuple[int, list[Cell]]] = []
    for line, cells in records[1:]:
        cells = _trim_trailing(cells, len(header))
        if len(cells) != len(header):
            problems.append(
                Problem(
                    file,
                    line,
                    None,
                    f"this row has {len(cells)} fields but the header has {len(header)} "
                    "(an unquoted comma inside a value?); the row was not read",
                )
            )
            continue
        rows.append((line, cells))
    if not rows and not problems:
        problems.append(Problem(file, header_line, None, "the file has a header but no rows"))
    return RawTable(file, header, header_line, rows, problems)


def _clean_header(cells: list[Cell]) -> list[str]:
    names = ["" if c is None else str(c).strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    return names


def _trim_trailing(cells: list[Cell], width: int) -> list[Cell]:
    """Drop empty cells past the header's width (spreadsheets often leave some)."""
    cells = list(cells)
    while len(cells) > width and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    return cells


def _refuse_other_delimiter(file: str, line: int, only: str) -> None:
    for delimiter, plural in _DELIMITERS.items():
        if delimiter in only:
            raise _fatal(
                file,
                line,
                f"the header is one column: the file seems to be separated by {plural}, "
                "not commas; save it as comma-separated CSV (or as .xlsx)",
            )
