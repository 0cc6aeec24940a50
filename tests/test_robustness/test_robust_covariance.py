"""Extreme and malformed covariance matrices (`--covariance`): validate and allocate must agree.

Why: a user's covariance replaces the factor model, so every entry goes straight into the
solver's quadratic risk term. Entries near 1e300 overflow when squared or summed, entries near
1e-300 underflow, and a matrix that is not symmetric or not positive semi-definite makes the
risk of some portfolio negative. The reader must refuse what it cannot use (naming the file,
and the line and column where there is one) and whatever it accepts must then solve:

- validate exit 0 => allocate exit 0 (amounts finite, adding up to the target) or exit 3;
- validate exit 2 => allocate exit 2, both naming the covariance file;
- neither ever exits 1.

The matrices cover the 12 candidates of `robustness_helpers.SMALL_IDS` (volatilities from the
bundled rows, correlation 0.3), with one change per case.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import numpy as np
import pytest
from robustness_helpers import (
    FAST_ALLOCATE,
    SMALL_IDS,
    assert_allocation_sound,
    assert_no_crash,
    assert_refused,
    bundled_rows,
    run,
    write_candidates,
)

IDS = list(SMALL_IDS)
VOLS = np.array([float(row["volatility"]) for row in bundled_rows(IDS)])
BASE = np.outer(VOLS, VOLS) * (0.3 + 0.7 * np.eye(len(IDS)))

Matrix = tuple[list[str], list[list[str]]]  # header ids, rows (row id first)


def as_text(matrix: np.ndarray, ids: list[str] = IDS, row_ids: list[str] | None = None) -> Matrix:
    rows = [[rid, *(repr(float(v)) for v in row)] for rid, row in zip(row_ids or ids, matrix, strict=True)]
    return list(ids), rows


def write_matrix(path, matrix: Matrix) -> None:
    header, rows = matrix
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", *header])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def with_entry(i: int, j: int, text: str, symmetric: bool = True) -> Callable[[], Matrix]:
    def build() -> Matrix:
        header, rows = as_text(BASE)
        rows[i][j + 1] = text
        if symmetric:
            rows[j][i + 1] = text
        return header, rows

    return build


def scaled(factor: float) -> Callable[[], Matrix]:
    return lambda: as_text(BASE / BASE.max() * factor)


def changed(change: Callable[[np.ndarray], np.ndarray]) -> Callable[[], Matrix]:
    return lambda: as_text(change(BASE.copy()))


def _set(matrix: np.ndarray, pairs: dict[tuple[int, int], float]) -> np.ndarray:
    for (i, j), value in pairs.items():
        matrix[i, j] = matrix[j, i] = value
    return matrix


def _not_psd(matrix: np.ndarray) -> np.ndarray:
    """Correlations +0.99, +0.99 and -0.99 among three candidates: no such three exist."""
    v = VOLS
    return _set(matrix, {(0, 1): 0.99 * v[0] * v[1], (1, 2): 0.99 * v[1] * v[2], (0, 2): -0.99 * v[0] * v[2]})


def _extra_id() -> Matrix:
    ids = [*IDS, "EXTRA-001"]
    matrix = np.eye(len(ids)) * 0.01
    matrix[: len(IDS), : len(IDS)] = BASE
    return as_text(matrix, ids)


def _permuted_rows() -> Matrix:
    header, rows = as_text(BASE)
    return header, rows[::-1]


def _permuted_everything() -> Matrix:
    order = list(range(len(IDS)))[::-1]
    return as_text(BASE[np.ix_(order, order)], [IDS[k] for k in order])


def _missing_id() -> Matrix:
    return as_text(BASE[:-1, :-1], IDS[:-1])


def _missing_row() -> Matrix:
    header, rows = as_text(BASE)
    return header, rows[:-1]


def _duplicate_row() -> Matrix:
    header, rows = as_text(BASE)
    return header, [*rows, list(rows[0])]


def _row_without_id() -> Matrix:
    header, rows = as_text(BASE)
    rows[3][0] = ""
    return header, rows


def _header_only() -> Matrix:
    return list(IDS), []


def _short_row() -> Matrix:
    header, rows = as_text(BASE)
    rows[4] = rows[4][:-3]
    return header, rows


# name: (build, must it be refused?, the line and column a refusal names, when there is one)
CASES: dict[str, tuple[Callable[[], Matrix], bool, int | None, str | None]] = {
    "valid": (lambda: as_text(BASE), False, None, None),
    "entries-near-1e300": (scaled(1e300), False, None, None),
    "entries-near-1e308": (scaled(1e308), False, None, None),
    "entries-near-1e-300": (scaled(1e-300), False, None, None),
    "entries-near-1e-320-subnormal": (scaled(1e-320), False, None, None),
    "one-variance-1e308": (changed(lambda m: _set(m, {(0, 0): 1e308})), False, None, None),
    "one-variance-1e-300": (changed(lambda m: _set(m, {(0, 0): 1e-300})), False, None, None),
    "variances-from-1e-300-to-1e300": (
        changed(lambda m: np.diag(np.logspace(-300, 300, len(IDS)))),
        False,
        None,
        None,
    ),
    "all-zero": (changed(lambda m: m * 0.0), False, None, None),
    "percent-squared-units": (scaled(400.0), False, None, None),
    "whitespace-around-entries": (with_entry(2, 3, f"  {BASE[2, 3]!r}  "), False, None, None),
    "extra-id": (_extra_id, False, None, None),
    "rows-in-another-order": (_permuted_rows, False, None, None),
    "ids-in-another-order": (_permuted_everything, False, None, None),
    # must be refused
    "off-diagonal-1e300": (changed(lambda m: _set(m, {(0, 1): 1e300})), True, None, None),
    "negative-variance": (changed(lambda m: _set(m, {(2, 2): -0.01})), True, 4, IDS[2]),
    "negative-variance-1e300": (changed(lambda m: _set(m, {(2, 2): -1e300})), True, 4, IDS[2]),
    "NaN": (with_entry(2, 3, "NaN"), True, 4, IDS[3]),
    "nan-one-side": (with_entry(2, 3, "nan", symmetric=False), True, 4, IDS[3]),
    "inf": (with_entry(2, 3, "inf"), True, 4, IDS[3]),
    "-inf-variance": (with_entry(2, 2, "-inf"), True, 4, IDS[2]),
    "1e309-overflows": (with_entry(2, 2, "1e309"), True, 4, IDS[2]),
    "400-digit-integer": (with_entry(2, 2, "1" + "0" * 400), True, 4, IDS[2]),
    "percent": (with_entry(2, 3, "5%"), True, 4, IDS[3]),
    "percent-variance": (with_entry(2, 2, "0.64%"), True, 4, IDS[2]),
    "blank": (with_entry(2, 3, ""), True, 4, IDS[3]),
    "text": (with_entry(2, 3, "abc"), True, 4, IDS[3]),
    "decimal-comma": (with_entry(2, 3, "0,0064"), True, 4, IDS[3]),
    "spreadsheet-error": (with_entry(2, 3, "#N/A"), True, 4, IDS[3]),
    "not-symmetric": (changed(lambda m: m + np.triu(np.full_like(m, 0.001), 1)), True, None, None),
    "not-symmetric-by-1e300": (with_entry(0, 1, "1e300", symmetric=False), True, None, None),
    "not-positive-semi-definite": (changed(_not_psd), True, None, None),
    "missing-id": (_missing_id, True, None, None),
    "missing-row": (_missing_row, True, None, None),
    "duplicate-row": (_duplicate_row, True, None, None),
    "row-without-id": (_row_without_id, True, 5, None),
    "short-row": (_short_row, True, 6, None),
    "header-only": (_header_only, True, None, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_covariance_validate_and_allocate_agree(tmp_path, case):
    build, must_refuse, line, column = CASES[case]
    candidates = write_candidates(tmp_path, bundled_rows(IDS))
    covariance = tmp_path / "covariance.csv"
    write_matrix(covariance, build())
    files = ("--candidates", candidates, "--covariance", covariance)
    checked = run("validate", *files)
    assert_no_crash(checked)
    document = tmp_path / "allocation.json"
    allocated = run("allocate", *files, *FAST_ALLOCATE, "--json", document)
    assert_no_crash(allocated)
    if must_refuse:
        assert_refused(checked, covariance, line, column)
        assert_refused(allocated, covariance, line, column)
    elif checked.code == 0:
        assert allocated.code in (0, 3), (
            f"validate accepted the matrix but allocate did not{allocated.describe()}"
        )
        assert_allocation_sound(allocated, document)
    else:
        assert_refused(checked, covariance)
        assert allocated.code == 2, f"validate refused the matrix but allocate did not{allocated.describe()}"
        assert_refused(allocated, covariance)


def test_valid_and_permuted_matrices_are_accepted(tmp_path):
    """The cases that are plainly fine must not be refused (or the agreement test is hollow)."""
    candidates = write_candidates(tmp_path, bundled_rows(IDS))
    for case in ("valid", "extra-id", "rows-in-another-order", "ids-in-another-order"):
        covariance = tmp_path / f"{case}.csv"
        write_matrix(covariance, CASES[case][0]())
        outcome = run("validate", "--candidates", candidates, "--covariance", covariance)
        assert outcome.code == 0, f"{case}{outcome.describe()}"


def test_empty_covariance_file_is_refused(tmp_path):
    candidates = write_candidates(tmp_path, bundled_rows(IDS))
    covariance = tmp_path / "covariance.csv"
    covariance.write_bytes(b"")
    for command in (("validate",), ("allocate", *FAST_ALLOCATE)):
        assert_refused(run(*command, "--candidates", candidates, "--covariance", covariance), covariance)
