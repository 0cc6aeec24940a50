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
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from screening.errors import InputError
from screening.reading.limits import ReadLimits, limits_for
from screening.reading.problems import Problem

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


def read_table(source: InputFile, sheet: str | None = None, limits: ReadLimits | None = None) -> RawTable:
    """Read CSV or XLSX content within `limits` (by default those of the file's origin: lower for
    an upload to the app); raise InputError when nothing usable can be read."""
    limits = limits or limits_for(source.origin)
    data = source.content
    if len(data) > limits.max_bytes:
        raise too_large(source.name, None, f"the file is {len(data) / 1e6:,.1f} MB", limits)
    if not data.strip():
        raise refused(source.name, 1, "the file is empty")
    if data.startswith(_ZIP_MAGIC):
        from screening.reading.workbooks import read_workbook  # imported late: it needs openpyxl

        return read_workbook(source.name, data, sheet, limits)
    if data.startswith(_OLE_MAGIC):
        raise refused(source.name, None, "old Excel .xls format: save it as .xlsx or as CSV UTF-8")
    if b"\x00" in data[:8192]:
        raise refused(source.name, None, "binary content, not CSV text or an .xlsx workbook")
    return _read_csv(source.name, _decode(source.name, data), limits)


def too_large(file: str, line: int | None, what: str, limits: ReadLimits) -> InputError:
    return refused(file, line, f"{what}: too large to read here; a table may have {limits.describe()}")


class RowCounter:
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
            raise too_large(self.file, line, f"this row reaches column {column_letters(width)}", self.limits)
        if self.rows > self.limits.max_rows + 1:  # the header row is not one of the table's rows
            raise too_large(self.file, line, f"more than {self.limits.max_rows:,} rows", self.limits)
        if self.cells > self.limits.max_cells:
            raise too_large(self.file, line, f"more than {self.limits.max_cells:,} cells", self.limits)


def column_letters(number: int) -> str:
    """Excel's letters for a 1-based column number: 1 -> A, 16384 -> XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def refused(file: str, line: int | None, message: str) -> InputError:
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
        raise refused(
            file,
            line,
            f"not UTF-8 text (byte 0x{byte:02x} at character {column}); save the file as "
            "'CSV UTF-8' (Excel) or re-encode it as UTF-8",
        ) from None


def is_blank_row(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _read_csv(file: str, text: str, limits: ReadLimits) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[Cell]]] = []
    counter = RowCounter(file, limits)
    line = 1
    try:
        for cells in reader:
            if not is_blank_row(cells):
                counter.add(line, cells)
                records.append((line, list(cells)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise refused(file, line, f"the CSV cannot be read here: {exc} (check the quotes)") from None
    return to_table(file, records)


def to_table(file: str, records: list[tuple[int, list[Cell]]]) -> RawTable:
    if not records:
        raise refused(file, 1, "the file is empty")
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
            raise refused(
                file,
                line,
                f"the header is one column: the file seems to be separated by {plural}, "
                "not commas; save it as comma-separated CSV (or as .xlsx)",
            )
