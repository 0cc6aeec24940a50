"""A labelled square matrix: numeric, finite, symmetric, positive semi-definite, ids aligned."""

from __future__ import annotations

import numpy as np
import pytest

from screening.errors import InputError
from screening.reading.matrix import PSD_TOL, load_matrix
from screening.reading.problems import Problem
from screening.reading.tables import InputFile

IDS = ["PRE-001", "PRE-002", "SRB-001", "MAN-001", "LIV-001"]


def covariance(seed: int = 0, n: int = len(IDS)) -> np.ndarray:
    """A valid covariance from two random factors plus specific risk."""
    rng = np.random.default_rng(seed)
    loadings = rng.normal(scale=0.1, size=(n, 2))
    return loadings @ loadings.T + np.diag(rng.uniform(0.002, 0.02, size=n))


def matrix_file(ids, matrix, order=None, name: str = "cov.csv", label: str = "id") -> InputFile:
    """Header and first column hold the ids; rows written in `order` (default: header order)."""
    lines = [",".join([label, *ids])]
    for i in order if order is not None else range(len(ids)):
        cells = [v if isinstance(v, str) else repr(float(v)) for v in matrix[i]]
        lines.append(",".join([ids[i], *cells]))
    return InputFile(name, ("\n".join(lines) + "\n").encode())


def with_eigenvalue(matrix: np.ndarray, smallest: float) -> np.ndarray:
    """The same eigenvectors with the smallest eigenvalue replaced, symmetrised exactly."""
    values, vectors = np.linalg.eigh(matrix)
    values[0] = smallest
    rebuilt = vectors @ np.diag(values) @ vectors.T
    return (rebuilt + rebuilt.T) / 2


def problems_of(source: InputFile, kind="covariance", required=IDS) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_matrix(source, kind, required_ids=required)
    return caught.value.problems


def test_valid_matrix_loads_with_the_written_values():
    written = covariance()
    frame, warnings = load_matrix(matrix_file(IDS, written), "covariance", required_ids=IDS)
    assert warnings == []
    assert list(frame.index) == IDS
    assert list(frame.columns) == IDS
    np.testing.assert_array_equal(frame.to_numpy(), written)


def test_rows_in_another_order_align_to_the_header():
    written = covariance(seed=1)
    source = matrix_file(IDS, written, order=[3, 0, 4, 2, 1])
    frame, _ = load_matrix(source, "covariance", required_ids=IDS)
    assert list(frame.index) == IDS
    np.testing.assert_array_equal(frame.to_numpy(), written)
    assert frame.attrs["lines"] == {"PRE-001": 3, "PRE-002": 6, "SRB-001": 5, "MAN-001": 2, "LIV-001": 4}


def test_asymmetric_entry_reported_with_line_and_column():
    written = covariance()
    written[1, 3] += 0.005  # row PRE-002 (line 3), column MAN-001
    (problem,) = problems_of(matrix_file(IDS, written))
    assert (problem.line, problem.field) == (3, "MAN-001")
    assert "not symmetric: row 'PRE-002' holds" in problem.message
    assert "row 'MAN-001' column 'PRE-002'" in problem.message


def test_rounding_asymmetry_is_tolerated():
    written = covariance()
    written[1, 3] *= 1 + 1e-9
    frame, _ = load_matrix(matrix_file(IDS, written), "covariance", required_ids=IDS)
    assert frame.iat[1, 3] == written[1, 3]


def test_not_positive_semi_definite_reported_with_the_eigenvalue():
    written = with_eigenvalue(covariance(), -0.003)
    (problem,) = problems_of(matrix_file(IDS, written))
    assert problem.line is None
    assert "the covariance matrix is not positive semi-definite" in problem.message
    assert "smallest eigenvalue is -0.003" in problem.message


def test_tiny_negative_eigenvalue_from_rounding_is_accepted():
    written = with_eigenvalue(covariance(), -1e-12)
    assert np.linalg.eigvalsh(written)[0] < 0
    assert abs(np.linalg.eigvalsh(written)[0]) < PSD_TOL
    frame, warnings = load_matrix(matrix_file(IDS, written), "covariance", required_ids=IDS)
    assert warnings == []
    np.testing.assert_array_equal(frame.to_numpy(), written)


def test_text_and_inf_cells_reported_with_line_and_column():
    written = covariance().astype(object)
    written[0, 2] = "abc"  # line 2, column SRB-001
    written[3, 4] = "inf"  # line 5, column LIV-001
    written[4, 0] = "5%"  # line 6, column PRE-001
    written[2, 2] = ""  # line 4, column SRB-001
    problems = problems_of(matrix_file(IDS, written))
    assert [(p.line, p.field) for p in problems] == [
        (2, "SRB-001"),
        (4, "SRB-001"),
        (5, "LIV-001"),
        (6, "PRE-001"),
    ]
    assert "'abc' is not a number" in problems[0].message
    assert "is blank; every entry needs a number" in problems[1].message
    assert "'inf' is not a finite number" in problems[2].message
    assert "has a % sign; write matrix entries as decimals" in problems[3].message
    assert str(problems[0]) == "cov.csv:2: column 'SRB-001': 'abc' is not a number"


def test_missing_ids_are_reported():
    problems = problems_of(matrix_file(IDS[:3], covariance(n=3)))
    assert [(p.line, p.field) for p in problems] == [(1, None), (1, None)]
    assert "has no row or column for 'MAN-001'" in problems[0].message
    assert "has no row or column for 'LIV-001'" in problems[1].message


def test_extra_ids_give_a_warning_only():
    frame, problems = load_matrix(matrix_file(IDS, covariance()), "covariance", required_ids=IDS[:3])
    (warning,) = problems
    assert warning.severity == "warning"
    assert warning.line == 1
    assert "2 id(s) are not among the candidates and are ignored: LIV-001, MAN-001" in warning.message
    assert list(frame.index) == IDS


def test_negative_variance_reported_on_its_row():
    written = covariance()
    written[2, 2] = -0.01
    (problem,) = problems_of(matrix_file(IDS, written))
    assert (problem.line, problem.field) == (4, "SRB-001")
    assert "variance -0.01 is negative" in problem.message


def test_header_id_without_a_row():
    source = matrix_file(IDS, covariance(), order=[0, 1, 2, 4])
    (problem,) = problems_of(source)
    assert (problem.line, problem.field) == (1, "MAN-001")
    assert "is in the header but has no row" in problem.message


def test_row_id_not_in_the_header():
    ids = [*IDS[:4], "OTHER"]
    text = matrix_file(IDS, covariance()).content.decode().replace("\nLIV-001,", "\nOTHER,")
    problems = problems_of(InputFile("cov.csv", text.encode()), required=ids[:4])
    assert [(p.line, p.field) for p in problems] == [(1, "LIV-001"), (6, "id")]
    assert "row 'OTHER' has no column in the header" in problems[1].message


def test_id_with_two_rows_names_both_lines():
    source = matrix_file(IDS, covariance(), order=[0, 1, 2, 3, 4, 1])
    (problem,) = problems_of(source)
    assert (problem.line, problem.field) == (7, "id")
    assert "'PRE-002' already has a row on line 3" in problem.message


def test_row_with_a_missing_entry_is_reported_on_its_line():
    text = matrix_file(IDS, covariance()).content.decode().splitlines()
    text[2] = text[2].rsplit(",", 1)[0]
    problems = problems_of(InputFile("cov.csv", ("\n".join(text) + "\n").encode()))
    assert problems[0].line == 3
    assert "this row has 5 fields but the header has 6" in problems[0].message


# ---- correlation matrices ---------------------------------------------------------------------


def correlation() -> np.ndarray:
    cov = covariance()
    scale = 1 / np.sqrt(np.diag(cov))
    corr = cov * np.outer(scale, scale)
    np.fill_diagonal(corr, 1.0)
    return corr


def test_valid_correlation_loads():
    frame, _ = load_matrix(matrix_file(IDS, correlation(), label="asset_class"), "correlation")
    np.testing.assert_array_equal(np.diag(frame.to_numpy()), np.ones(len(IDS)))


def test_correlation_diagonal_must_be_one():
    written = correlation()
    written[3, 3] = 0.9
    (problem,) = problems_of(matrix_file(IDS, written), "correlation", ())
    assert (problem.line, problem.field) == (5, "MAN-001")
    assert "diagonal is 0.9, not 1" in problem.message


def test_correlation_outside_minus_one_to_one():
    written = correlation()
    written[0, 4] = written[4, 0] = -1.2
    problems = problems_of(matrix_file(IDS, written), "correlation", ())
    assert [(p.line, p.field) for p in problems] == [(2, "LIV-001"), (6, "PRE-001")]
    assert all("correlation -1.2 is outside -1..1" in p.message for p in problems)


def test_bundled_correlations_are_accepted():
    from screening.reading import bundled

    source = InputFile.from_path(bundled.bundled(bundled.CORRELATIONS))
    frame, _ = load_matrix(source, "correlation")
    assert frame.shape == (10, 10)
    assert frame.loc["uk_equity", "private_equity"] == 0.70
    assert np.linalg.eigvalsh(frame.to_numpy())[0] == pytest.approx(0.26, abs=0.01)


def test_entries_beyond_an_annual_covariance_are_refused_with_their_cells():
    """A covariance near 1e300 passed validate and then broke the solve: refused here instead."""
    written = covariance() * 1e300
    problems = problems_of(matrix_file(IDS, written))
    assert len(problems) == 10  # the first ten cells, each named
    first = problems[0]
    assert (first.line, first.field) == (2, "PRE-001")
    assert first.message.endswith(
        "is outside the range -1 to 1 of an annual covariance written as a decimal "
        "(a variance of 1 is a volatility of 100% a year)"
    )
