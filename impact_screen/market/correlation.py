"""Correlation matrices: the check that one is valid, and the repair to the nearest valid one."""

from __future__ import annotations

import numpy as np

from screening.reading.matrix import PSD_TOL


def is_correlation_matrix(matrix: np.ndarray) -> bool:
    """Square, finite, symmetric, unit diagonal, entries in -1..1, PSD (the tolerances of matrix.py)."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or not np.all(np.isfinite(matrix)):
        return False
    if not np.allclose(matrix, matrix.T, atol=1e-10) or not np.allclose(np.diag(matrix), 1.0, atol=1e-9):
        return False
    if np.any(np.abs(matrix) > 1 + 1e-12):
        return False
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2)
    return bool(eigenvalues[0] >= -PSD_TOL * max(1.0, float(eigenvalues[-1])))


def nearest_correlation(matrix: np.ndarray, iterations: int = 200, tolerance: float = 1e-10) -> np.ndarray:
    """The nearest correlation matrix (Higham 2002, alternating projections with Dykstra's correction)."""
    y = (np.asarray(matrix, dtype=float) + np.asarray(matrix, dtype=float).T) / 2
    correction = np.zeros_like(y)
    for _ in range(iterations):
        r = y - correction
        x = _psd_part(r)
        correction = x - r
        previous, y = y, x.copy()
        np.fill_diagonal(y, 1.0)
        if np.linalg.norm(y - previous) <= tolerance * max(1.0, np.linalg.norm(y)):
            break
    y = _psd_part(y)
    scale = np.sqrt(np.clip(np.diag(y), 1e-12, None))
    y = np.clip(y / np.outer(scale, scale), -1.0, 1.0)
    y = (y + y.T) / 2
    np.fill_diagonal(y, 1.0)
    return y


def _psd_part(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.clip(values, 0.0, None)) @ vectors.T
