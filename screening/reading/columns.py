"""Declarative column rules and the one function that applies them to a raw table.

Each input file (candidates, places, assumptions, ...) is described by a list of `Column`s;
`validate_table` reads every cell against its rule and returns a typed DataFrame together with
every problem found, each pointing at the cell's line and column.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from screening.errors import CellError
from screening.reading.cells import is_blank, parse_number, parse_text
from screening.reading.problems import Problem
from screening.reading.tables import Cell, RawTable

Kind = Literal["text", "number", "integer", "money", "share", "rate", "volatility", "bool"]

_PERCENT_KINDS = ("share", "rate", "volatility")  # the only kinds a % sign can be written in
_WHAT = {"money": "an amount in pounds", "integer": "a whole number", "number": "a number in its own unit"}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class Column:
    """How one column is read: its kind, whether it must exist and be filled, and its range."""

    name: str
    kind: Kind
    required: bool = True
    blank_ok: bool = False
    minimum: float | None = None
    maximum: float | None = None
    vocabulary: frozenset[str] | None = None
    vocabulary_name: str = ""
    hints: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)  # lower-case text -> the value it means
    suggest: Callable[[str], str] | None = None  # a near miss's hint, instead of the generic one


def normalise_name(name: str) -> str:
    """Header names match case-insensitively, with spaces or hyphens read as underscores."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def suggestion(value: str, choices: Sequence[str]) -> str:
    """' (did you mean X?)' when a close match exists, else ''."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def read_cell(column: Column, cell: Cell) -> object:
    """The typed value of one cell, None for an allowed blank; CellError otherwise."""
    if is_blank(cell):
        if column.blank_ok:
            return None
        raise CellError("is blank but a value is required")
    if column.kind == "text":
        return _read_text(column, cell)
    if column.kind == "bool":
        return _read_bool(cell)
    try:
        value, percent = parse_number(cell)
    except CellError as exc:
        extra = "; leave the cell blank if the value is unknown" if column.blank_ok else ""
        raise CellError(f"{exc}{extra}") from None
    assert value is not None
    if percent and column.kind not in _PERCENT_KINDS:
        raise CellError(
            f"'{str(cell).strip()}' has a % sign, but this column holds {_WHAT[column.kind]}, not a share "
            "or a rate; write the number without the % sign"
        )
    return _check_number(column, value, percent)


def _read_text(column: Column, cell: Cell) -> str:
    text = parse_text(cell)
    assert text is not None
    vocabulary = column.vocabulary
    if vocabulary is not None and text not in vocabulary:
        if text.strip().lower() in column.aliases:
            return column.aliases[text.strip().lower()]
        raise CellError(
            f"'{text}' is not a known {column.vocabulary_name or column.name}{_hint(column, text)}"
        )
    return text


def _hint(column: Column, text: str) -> str:
    """A suggestion for a value outside the vocabulary: a close match, or the choices."""
    choices = sorted(column.vocabulary or ())
    found = column.hints.get(text.lower()) or (column.suggest or (lambda t: suggestion(t, choices)))(text)
    if found:
        return found
    listed = ", ".join(choices[:8]) + (", ..." if len(choices) > 8 else "")
    return f"; expected one of: {listed}"


def _read_bool(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    text = str(cell).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise CellError(f"'{cell}' is not true or false")


def _check_number(column: Column, value: float, percent: bool) -> float:
    kind = column.kind
    if kind in _PERCENT_KINDS and abs(value) > 1 and not percent:
        raise CellError(
            f"{_fmt(value)} looks like a percentage typed as a whole number; "
            f"write {_fmt(value / 100)} or {_fmt(value)}%"
        )
    if kind == "integer" and not float(value).is_integer():
        raise CellError(f"{_fmt(value)} is not a whole number")
    if kind in ("money", "volatility", "share") and value < 0:
        raise CellError(f"{_fmt(value)} cannot be negative")
    low, high = column.minimum, column.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise CellError(f"{_fmt(value)} is outside the plausible range {_range(low, high)}")
    return value


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _range(low: float | None, high: float | None) -> str:
    if low is None:
        return f"(at most {_fmt(high or 0)})"
    if high is None:
        return f"(at least {_fmt(low)})"
    return f"{_fmt(low)} to {_fmt(high)}"


def validate_table(
    raw: RawTable, columns: Sequence[Column], extra: Literal["warn", "ignore"] = "warn"
) -> tuple[pd.DataFrame, list[int], list[Problem]]:
    """Read every cell of `raw` by its column's rule.

    Returns the typed frame (rows with an unreadable cell are dropped), the line number of each
    kept row, and every problem: missing or duplicated columns, unknown columns (a warning) and
    each bad cell.
    """
    problems = list(raw.problems)
    positions = _locate_columns(raw, columns, problems, extra)
    records: list[dict[str, object]] = []
    lines: list[int] = []
    for line, cells in raw.rows:
        record, ok = _read_row(raw.file, line, cells, columns, positions, problems)
        if ok:
            records.append(record)
            lines.append(line)
    frame = pd.DataFrame.from_records(records, columns=[c.name for c in columns])
    return _typed(frame, columns), lines, problems


def _locate_columns(
    raw: RawTable, columns: Sequence[Column], problems: list[Problem], extra: str
) -> dict[str, int]:
    known = {c.name for c in columns}
    positions: dict[str, int] = {}
    for index, name in enumerate(raw.header):
        key = normalise_name(name)
        if not key:
            problems.append(Problem(raw.file, raw.header_line, f"#{index + 1}", "has no name"))
        elif key in positions:
            problems.append(Problem(raw.file, raw.header_line, name, "appears twice in the header"))
        elif key in known:
            positions[key] = index
        elif extra == "warn":
            hint = suggestion(key, sorted(known))
            problems.append(
                Problem(
                    raw.file,
                    raw.header_line,
                    name,
                    f"is not a known column and is ignored{hint}",
                    severity="warning",
                )
            )
    for column in columns:
        if column.required and column.name not in positions:
            problems.append(Problem(raw.file, raw.header_line, column.name, "required column is missing"))
    return positions


def _read_row(
    file: str,
    line: int,
    cells: list[Cell],
    columns: Sequence[Column],
    positions: dict[str, int],
    problems: list[Problem],
) -> tuple[dict[str, object], bool]:
    record: dict[str, object] = {}
    ok = True
    for column in columns:
        if column.name not in positions:
            record[column.name] = None
            continue
        try:
            record[column.name] = read_cell(column, cells[positions[column.name]])
        except CellError as exc:
            problems.append(Problem(file, line, column.name, str(exc)))
            ok = False
    return record, ok


def _typed(frame: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """Numbers as float (blank = NaN), whole numbers as nullable Int64, flags as bool, text as object."""
    for column in columns:
        series = frame[column.name]
        if column.kind == "integer":
            frame[column.name] = pd.array(
                [None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v) for v in series],
                dtype="Int64",
            )
        elif column.kind == "text":
            frame[column.name] = series.astype(object)
        elif column.kind == "bool":
            frame[column.name] = series.astype("boolean")
        else:
            frame[column.name] = pd.to_numeric(series, errors="coerce").astype(float)
    return frame
