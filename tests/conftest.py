"""Shared helpers: the bundled candidate rows, and writers that turn rows into input files.

Malformed inputs are built inside each test from the bundled (illustrative) candidates, so no
fixture file with real-looking data is ever committed.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from screening.reading import bundled
from screening.reading.tables import InputFile

Rows = list[list[str]]

# No test may read or write the user's own market-data cache or saved runs: both point at a
# temporary folder for the whole session (tests that need their own set them with monkeypatch).
_USER_FOLDER = Path(tempfile.mkdtemp(prefix="impact-screen-tests-"))
os.environ.setdefault("IMPACT_SCREEN_CACHE", str(_USER_FOLDER / "cache"))
os.environ.setdefault("IMPACT_SCREEN_DB", str(_USER_FOLDER / "runs.sqlite3"))


def _read_bundled_rows() -> Rows:
    text = bundled.bundled(bundled.CANDIDATES).read_text(encoding="utf-8")
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


_BUNDLED_ROWS = _read_bundled_rows()


@pytest.fixture
def candidate_rows() -> Rows:
    """The bundled candidates.csv as lists of strings (header first), a fresh copy per test.

    Row i of the list is line i + 1 of the file, so `rows[k]` is on line k + 1.
    """
    return copy.deepcopy(_BUNDLED_ROWS)


def csv_bytes(rows: Sequence[Sequence[object]], delimiter: str = ",", newline: str = "\n") -> bytes:
    """Rows as CSV bytes (UTF-8), quoting only where needed."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _number_or_text(cell: object) -> object:
    """A spreadsheet cell as Excel would hold it: numbers as numbers, blanks as empty."""
    if not isinstance(cell, str):
        return cell
    if cell == "":
        return None
    try:
        number = float(cell)
    except ValueError:
        return cell
    return number if math.isfinite(number) else cell


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., InputFile]:
    """write_csv(rows, name=..., delimiter=..., newline=...) -> InputFile read back from disk."""

    def write(
        rows: Sequence[Sequence[object]],
        name: str = "candidates.csv",
        delimiter: str = ",",
        newline: str = "\n",
    ) -> InputFile:
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows, delimiter, newline))
        return InputFile.from_path(path)

    return write


@pytest.fixture
def write_bytes(tmp_path: Path) -> Callable[[bytes, str], InputFile]:
    """write_bytes(content, name) -> InputFile read back from disk."""

    def write(content: bytes, name: str = "candidates.csv") -> InputFile:
        path = tmp_path / name
        path.write_bytes(content)
        return InputFile.from_path(path)

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., InputFile]:
    """write_xlsx(rows, name=..., sheet=..., before=..., formats=...) -> InputFile of a workbook.

    Numeric strings become numeric cells and "" becomes an empty cell. `before` names sheets
    placed ahead of the data sheet; `formats` maps a cell ("G2") to an Excel number format.
    """
    from openpyxl import Workbook

    def write(
        rows: Sequence[Sequence[object]],
        name: str = "candidates.xlsx",
        sheet: str = "candidates",
        before: Sequence[str] = (),
        formats: dict[str, str] | None = None,
    ) -> InputFile:
        book = Workbook()
        first = book.active
        assert first is not None
        for index, other in enumerate(before):
            book.create_sheet(other, index)
            book[other]["A1"] = "notes, not data"
        first.title = sheet
        for row in rows:
            first.append([_number_or_text(cell) for cell in row])
        for ref, number_format in (formats or {}).items():
            first[ref].number_format = number_format
        path = tmp_path / name
        book.save(path)
        return InputFile.from_path(path)

    return write
