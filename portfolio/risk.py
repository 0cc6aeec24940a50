"""Risk model: how candidates' returns move together, for the portfolio's volatility.

Local private assets have no price history, so the default is a factor model. Each candidate's
own volatility sigma_i sets the size of its risk, split (data/risk_model.toml) into a share that
moves with its asset class (classes correlate as in the assumptions' correlation matrix), a share
that moves with its local economy (all assets in one place fall together in a local shock;
neighbouring places in one region partly so), and its own specific risk:

    cov_ij = sigma_i sigma_j (a rho_class(i,j) + b rho_place(i,j)) + [i = j] (1 - a - b) sigma_i^2

A user may give a full covariance matrix instead; then volatility is exactly sqrt(w' S w).
Either way the model is held in factor form, S = E E' + diag(d^2), which keeps the cvxpy problem
small (a second-order cone over k + n terms) and is exact.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from screening.errors import InputError
from screening.reading import bundled
from screening.reading.problems import Problem
from screening.reading.reference import Reference
from screening.reading.tables import InputFile


class RiskSettings(BaseModel):
    """Shares of each candidate's variance that are systematic (see data/risk_model.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    asset_class_share: float = Field(0.5, ge=0, le=1)
    place_share: float = Field(0.2, ge=0, le=1)
    same_region_correlation: float = Field(0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _shares_fit(self) -> RiskSettings:
        if self.asset_class_share + self.place_share > 1:
            raise ValueError("asset_class_share + place_share must not exceed 1")
        return self


def risk_settings(source: InputFile) -> RiskSettings:
    """The risk-model settings in a TOML file's bytes; InputError naming the file and key if wrong."""
    try:
        document = tomllib.loads(source.content.decode("utf-8-sig"))
        return RiskSettings.model_validate(document)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError([Problem(source.name, None, None, f"not a readable TOML file: {exc}")]) from None
    except ValidationError as exc:
        raise InputError(
            [
                Problem(source.name, None, ".".join(str(p) for p in e["loc"]) or None, e["msg"], kind="key")
                for e in exc.errors()
            ]
        ) from None


def bundled_risk_settings() -> RiskSettings:
    """The bundled risk-model settings."""
    return risk_settings(bundled.read(bundled.RISK_MODEL))


@dataclass(frozen=True)
class RiskModel:
    """Covariance of the candidates in factor form: S = E E' + diag(specific^2)."""

    ids: list[str]
    exposures: np.ndarray  # n x k
    specific: np.ndarray  # n
    source: Literal["factor model", "covariance file"]
    definite: bool = False  # positive definite: no portfolio but the empty one has zero variance

    def covariance(self) -> np.ndarray:
        """The full n x n covariance matrix."""
        return self.exposures @ self.exposures.T + np.diag(self.specific**2)

    def volatility(self, weights: np.ndarray) -> float:
        """Annual volatility of a portfolio with these weights (fractions of the money)."""
        weights = np.asarray(weights, dtype=float)
        variance = np.sum((self.exposures.T @ weights) ** 2) + np.sum((self.specific * weights) ** 2)
        return float(np.sqrt(max(variance, 0.0)))

    def subset(self, ids: list[str]) -> RiskModel:
        """The model restricted to some candidates (e.g. the eligible ones), in that order."""
        position = {c: i for i, c in enumerate(self.ids)}
        rows = [position[c] for c in ids]
        return RiskModel(list(ids), self.exposures[rows], self.specific[rows], self.source, self.definite)


def _root(matrix: np.ndarray) -> np.ndarray:
    """A canonical L with L L' = matrix: the Cholesky factor when the matrix is positive definite,
    else the symmetric square root V sqrt(D) V' (tiny negative eigenvalues clipped).

    Both are unique for a given matrix. A root built from eigenvectors alone is not: where
    eigenvalues repeat, LAPACK may return any basis of their eigenspace, and which one it returns
    changes with the CPU and the BLAS kernel, and with it the solver's path through tied optima.
    """
    symmetric = (matrix + matrix.T) / 2
    try:
        return np.linalg.cholesky(symmetric)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(symmetric)
        return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


MANTISSA_BITS = 40


def quantised(values: np.ndarray) -> np.ndarray:
    """Values rounded to 40 significant bits (about 12 digits), exactly and the same way everywhere.

    Figures computed with BLAS differ in their last bits from one CPU or kernel to the next; rounded
    like this they are bit-for-bit identical (but in the rare case of a value on a rounding edge),
    so every machine hands the solvers the same problem. 1e-12 relative is far below any figure shown.
    """
    mantissa, exponent = np.frexp(np.asarray(values, dtype=float))
    return np.ldexp(np.round(mantissa * 2.0**MANTISSA_BITS) / 2.0**MANTISSA_BITS, exponent)


def place_loadings(codes: list[str], reference: Reference, same_region: float) -> np.ndarray:
    """Unit loadings of each place on the local-economy factors, with no decomposition at all.

    A place in a region shared with other places loads sqrt(same_region) on a region factor and
    sqrt(1 - same_region) on its own factor; a place alone in its region (or with no region) loads
    1 on its own. So two places in one region correlate `same_region`, others 0, and the loadings
    come from that definition rather than from a decomposition, the same numbers on every machine.
    """
    regions = reference.places.loc[codes, "region"]
    shared = [r for r in dict.fromkeys(regions) if isinstance(r, str) and (regions == r).sum() > 1]
    loadings = np.zeros((len(codes), len(shared) + len(codes)))
    for i, region in enumerate(regions):
        if region in shared:
            loadings[i, shared.index(region)] = np.sqrt(same_region)
            loadings[i, len(shared) + i] = np.sqrt(1.0 - same_region)
        else:
            loadings[i, len(shared) + i] = 1.0
    return loadings[:, np.any(loadings != 0, axis=0)]


LISTED_PREFIX = "listed:"  # id of a listed asset-class holding in a joint model: "listed:uk_equity"


def listed_id(asset_class: str) -> str:
    """The id a listed proxy of an asset class takes in a joint risk model."""
    return f"{LISTED_PREFIX}{asset_class}"


def factor_model(
    frame: pd.DataFrame,
    reference: Reference,
    settings: RiskSettings | None = None,
    listed: Sequence[str] = (),
) -> RiskModel:
    """The factor model for the candidates in `frame` (asset class, place, volatility columns).

    `listed` asset classes are added after the candidates as holdings of listed proxies (ids
    `listed:<class>`), in the same factor space: each loads on its class factor with its capital
    market volatility and carries no place and no specific risk, so a listed mix's variance is
    exactly w' diag(vol) corr diag(vol) w. Adding them leaves the candidates' covariance unchanged.
    """
    settings = settings or bundled_risk_settings()
    sigma = frame["volatility"].to_numpy(dtype=float)
    # the candidates' classes first: a Cholesky factor's leading rows do not depend on the rows
    # after them, so adding listed classes leaves the candidates' loadings exactly as they were
    held = sorted(set(frame["asset_class"]))
    classes = held + sorted(set(listed) - set(held))
    places = sorted(frame["local_authority"].unique())
    class_root = _root(reference.correlations.loc[classes, classes].to_numpy(dtype=float))
    place_root = place_loadings(places, reference, settings.same_region_correlation)
    class_rows = class_root[[classes.index(c) for c in frame["asset_class"]]]
    place_rows = place_root[[places.index(p) for p in frame["local_authority"]]]
    exposures = np.hstack(
        [
            np.sqrt(settings.asset_class_share) * sigma[:, None] * class_rows,
            np.sqrt(settings.place_share) * sigma[:, None] * place_rows,
        ]
    )
    specific = np.sqrt(1.0 - settings.asset_class_share - settings.place_share) * sigma
    ids = list(frame.index)
    if listed:
        vols = reference.assumptions.loc[list(listed), "volatility"].to_numpy(dtype=float)
        rows = np.hstack(
            [
                vols[:, None] * class_root[[classes.index(c) for c in listed]],
                np.zeros((len(listed), place_root.shape[1])),
            ]
        )
        exposures = np.vstack([exposures, rows])
        specific = np.concatenate([specific, np.zeros(len(listed))])
        ids += [listed_id(c) for c in listed]
    definite = bool(np.all(specific > 0))
    return RiskModel(ids, quantised(exposures), quantised(specific), "factor model", definite)


def covariance_model(covariance: pd.DataFrame, ids: list[str]) -> RiskModel:
    """A user's covariance matrix (already checked) in factor form, for the candidates `ids`.

    A Cholesky factor when the matrix is positive definite (triangular: half the non-zeros of an
    eigen-decomposition, so the solver works on a smaller cone); otherwise the symmetric root.
    """
    matrix = covariance.loc[ids, ids].to_numpy(dtype=float)
    root = _root(matrix)
    definite = not np.any(np.triu(root, 1)) and bool(np.all(np.diag(root) > 0))  # a Cholesky factor
    return RiskModel(list(ids), quantised(root), np.zeros(len(ids)), "covariance file", definite)
