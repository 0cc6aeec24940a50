"""Read and check a labelled square matrix: a user's covariance or the assumptions' correlations.

The first column and the header hold the same ids. The matrix must be numeric, finite,
symmetric and positive semi-definite within the tolerances below, which the README states.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import numpy as np
import pandas as pd

from screening.errors import CellError, InputError
from screening.reading.cells import parse_number, parse_text
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.tables import InputFile, RawTable, read_table

SYMMETRY_ABS_TOL = 1e-10
SYMMETRY_REL_TOL = 1e-6
PSD_TOL = 1e-8  # smallest eigenvalue may be down to -PSD_TOL x max(1, largest eigenvalue)

MatrixKind = Literal["covariance", "correlation"]


def load_matrix(
    source: InputFile, kind: MatrixKind, required_ids: Collection[str] = ()
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read, check and return the matrix (rows and columns in header order) and any warnings."""
    raw = read_table(source)
    problems = list(raw.problems)
    ids = _header_ids(raw, problems)
    values, row_ids = _read_values(raw, ids, problems)
    raise_if_errors(problems)
    frame = _aligned(raw, ids, row_ids, values, problems)
    matrix = frame.to_numpy()
    problems += _check_entries(raw.file, frame, kind)
    raise_if_errors(problems)
    problems += _check_shape(raw.file, matrix, frame, kind)
    problems += _check_coverage(raw.file, raw.header_line, list(frame.index), required_ids, kind)
    raise_if_errors(problems)
    return frame, problems


def _header_ids(raw: RawTable, problems: list[Problem]) -> list[str]:
    ids = [h.strip() for h in raw.header[1:]]
    seen: set[str] = set()
    for name in ids:
        if not name:
            problems.append(Problem(raw.file, raw.header_line, None, "a column has no id in the header"))
        elif name in seen:
            problems.append(Problem(raw.file, raw.header_line, name, "id appears twice in the header"))
        seen.add(name)
    if not ids:
        problems.append(
            Problem(raw.file, raw.header_line, None, "the header has no ids after the first column")
        )
    return ids


def _read_values(
    raw: RawTable, ids: list[str], problems: list[Problem]
) -> tuple[list[list[float]], list[tuple[int, str]]]:
    """Entries as numbers. Plain finite decimals are read in one vectorised step; anything else
    (blanks, text, %, NaN) goes cell by cell so each problem names its line and column."""
    fast = _plain_numbers(raw, len(ids))
    if fast is not None:
        row_ids = [(line, parse_text(cells[0]) or "") for line, cells in raw.rows]
        if all(rid for _, rid in row_ids):
            return fast, row_ids
    values: list[list[float]] = []
    row_ids = []
    for line, cells in raw.rows:
        row_id = parse_text(cells[0]) or ""
        if not row_id:
            problems.append(Problem(raw.file, line, raw.header[0] or "#1", "the row has no id"))
        row: list[float] = []
        for name, cell in zip(ids, cells[1:], strict=False):
            try:
                value, percent = parse_number(cell)
                if value is None:
                    raise CellError("is blank; every entry needs a number")
                if percent:
                    raise CellError(f"'{cell}' has a % sign; write matrix entries as decimals")
                row.append(value)
            except CellError as exc:
                problems.append(Problem(raw.file, line, name, str(exc)))
                row.append(float("nan"))
        values.append(row)
        row_ids.append((line, row_id))
    return values, row_ids


def _plain_numbers(raw: RawTable, width: int) -> list[list[float]] | None:
    """Every entry parsed at once when all are plain finite numbers without a % sign; else None."""
    block = [cells[1 : width + 1] for _, cells in raw.rows]
    if any(len(row) != width for row in block):
        return None
    try:
        numbers = np.array(block, dtype=float)
    except (TypeError, ValueError):
        return None
    return numbers.tolist() if np.isfinite(numbers).all() else None


def _aligned(
    raw: RawTable,
    ids: list[str],
    row_ids: list[tuple[int, str]],
    values: list[list[float]],
    problems: list[Problem],
) -> pd.DataFrame:
    """Rows reordered to match the header; ids in one but not the other are errors."""
    lines: dict[str, int] = {}
    label = raw.header[0] or "#1"
    repeated = []
    for line, rid in row_ids:
        if rid in lines:
            repeated.append(Problem(raw.file, line, label, f"'{rid}' already has a row on line {lines[rid]}"))
        lines.setdefault(rid, line)
    issues = [
        Problem(raw.file, raw.header_line, i, "is in the header but has no row")
        for i in ids
        if i not in lines
    ]
    issues += [
        Problem(raw.file, lines[r], label, f"row '{r}' has no column in the header")
        for r in lines
        if r not in ids
    ]
    issues += repeated
    raise_if_errors(problems + issues)
    frame = pd.DataFrame(values, index=[r for _, r in row_ids], columns=ids).loc[ids, ids]
    frame.attrs["lines"] = {rid: lines[rid] for rid in ids}
    return frame.astype(float)


def _check_entries(file: str, frame: pd.DataFrame, kind: MatrixKind) -> list[Problem]:
    lines = frame.attrs["lines"]
    problems: list[Problem] = []
    for i, name in enumerate(frame.index):
        diagonal = frame.iat[i, i]
        if kind == "covariance" and diagonal < 0:
            problems.append(Problem(file, lines[name], name, f"variance {diagonal:g} is negative"))
        if kind == "correlation" and abs(diagonal - 1) > 1e-9:
            problems.append(Problem(file, lines[name], name, f"diagonal is {diagonal:g}, not 1"))
    if kind == "covariance":
        problems += _outside_range(file, frame)
    if kind == "correlation":
        bad = np.argwhere(np.abs(frame.to_numpy()) > 1 + 1e-12)
        for i, j in bad[:10]:
            problems.append(
                Problem(
                    file,
                    lines[frame.index[i]],
                    frame.columns[j],
                    f"correlation {frame.iat[i, j]:g} is outside -1..1",
                )
            )
    return problems


LARGEST_COVARIANCE = 1.0  # a variance of 1 is a volatility of 100% a year, the candidates' own ceiling


def _outside_range(file: str, frame: pd.DataFrame) -> list[Problem]:
    """Entries beyond -1..1: annual covariances as decimals never go there, and the solver cannot
    use numbers near 1e300 (the first ten, with their cells)."""
    lines = frame.attrs["lines"]
    bad = np.argwhere(np.abs(frame.to_numpy()) > LARGEST_COVARIANCE)
    return [
        Problem(
            file,
            lines[frame.index[i]],
            frame.columns[j],
            f"{frame.iat[i, j]:g} is outside the range -1 to 1 of an annual covariance written as a "
            "decimal (a variance of 1 is a volatility of 100% a year)",
        )
        for i, j in bad[:10]
    ]


def _check_shape(file: str, matrix: np.ndarray, frame: pd.DataFrame, kind: MatrixKind) -> list[Problem]:
    ids, lines = frame.index, frame.attrs["lines"]
    gap = np.abs(matrix - matrix.T)
    allowed = SYMMETRY_ABS_TOL + SYMMETRY_REL_TOL * np.maximum(np.abs(matrix), np.abs(matrix.T))
    pairs = [(i, j) for i, j in np.argwhere(gap > allowed) if i < j]
    problems = [
        Problem(
            file,
            lines[ids[i]],
            ids[j],
            f"not symmetric: row '{ids[i]}' holds {matrix[i, j]:g} but row '{ids[j]}' column "
            f"'{ids[i]}' holds {matrix[j, i]:g}",
        )
        for i, j in pairs[:10]
    ]
    if problems:
        return problems
    symmetric = (matrix + matrix.T) / 2
    try:
        np.linalg.cholesky(symmetric)
        return problems  # positive definite: a Cholesky factor exists (several times faster than eigenvalues)
    except np.linalg.LinAlgError:
        pass
    eigenvalues = np.linalg.eigvalsh(symmetric)
    floor = -PSD_TOL * max(1.0, float(eigenvalues[-1]))
    if eigenvalues[0] < floor:
        problems.append(
            Problem(
                file,
                None,
                None,
                f"the {kind} matrix is not positive semi-definite: its smallest eigenvalue is "
                f"{eigenvalues[0]:.3g} (tolerance {floor:.1g}); it implies a negative variance for "
                "some portfolio. Check for typing errors or estimate it from one common history.",
            )
        )
    return problems


def _check_coverage(
    file: str, header_line: int, ids: list[str], required: Collection[str], kind: MatrixKind
) -> list[Problem]:
    have = set(ids)
    missing = [r for r in required if r not in have]
    problems = [Problem(file, header_line, None, f"has no row or column for '{m}'") for m in missing[:20]]
    if len(missing) > 20:
        problems.append(Problem(file, header_line, None, f"... and {len(missing) - 20} more ids are missing"))
    if required:
        extra = sorted(have - set(required))
        if extra:
            problems.append(
                Problem(
                    file,
                    header_line,
                    None,
                    f"{len(extra)} id(s) are not among the {_owner(kind)} and are ignored: "
                    + ", ".join(extra[:5]),
                    severity="warning",
                )
            )
    return problems


def _owner(kind: MatrixKind) -> str:
    return "candidates" if kind == "covariance" else "asset classes"


def restricted(frame: pd.DataFrame, ids: Collection[str]) -> pd.DataFrame:
    """The sub-matrix for `ids`, in that order."""
    ids = list(ids)
    return frame.loc[ids, ids]


__all__ = ["InputError", "load_matrix", "restricted"]
