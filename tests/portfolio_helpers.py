"""Builders for the allocation tests: tiny synthetic universes, independent re-computations of
every limit, independent solvers (scipy, SCS, PyPortfolioOpt) and writers for CLI input files.

Nothing here calls the allocation engine's own evaluation code: the point of these helpers is to
check the engine's answers without trusting it (or its solver).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cvxpy as cp
import numpy as np
import pandas as pd
import tomli_w
from scipy.optimize import linprog, minimize

from portfolio.inputs import AllocationInputs
from portfolio.risk import RiskModel
from screening.reading import bundled
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference

TARGET = 100_000_000.0
PRESTON, SOUTH_RIBBLE = "E07000123", "E07000126"
SECTORS = ("affordable_housing", "sme_finance", "clean_energy")
ASSET_CLASSES = ("social_housing", "private_debt", "renewable_energy")

_TEXT = bundled.bundled(bundled.CANDIDATES).read_text(encoding="utf-8")
_HEADER, *_ROWS = list(csv.reader(io.StringIO(_TEXT, newline="")))
HEADER: tuple[str, ...] = tuple(_HEADER)
_IMPACT_ROW = dict(zip(HEADER, _ROWS[0], strict=True))  # impact columns copied from one bundled row


# --- synthetic problems --------------------------------------------------------------------------


def random_factors(rng: np.random.Generator, n: int, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Exposures (n x k) and specific risks (n) of a plausible factor model (vols ~6-20%)."""
    exposures = rng.uniform(0.01, 0.08, (n, k)) * rng.choice([1.0, 1.0, 1.0, -0.5], (n, k))
    specific = rng.uniform(0.03, 0.12, n)
    return exposures, specific


def random_covariance(rng: np.random.Generator, n: int, k: int = 3) -> np.ndarray:
    """A random positive definite covariance, built from factors plus specific variance."""
    exposures, specific = random_factors(rng, n, k)
    return exposures @ exposures.T + np.diag(specific**2)


def synthetic_inputs(
    rng: np.random.Generator,
    n: int,
    *,
    min_ticket_share: float = 0.0,
    min_ticket_prob: float = 0.0,
    max_ticket_share: tuple[float, float] = (0.15, 0.6),
    covariance: np.ndarray | None = None,
    target: float = TARGET,
) -> AllocationInputs:
    """A synthetic eligible universe of n candidates (weights are fractions of `target`).

    Some candidates (with probability `min_ticket_prob`) get a minimum ticket of about
    `min_ticket_share` of the target. Sectors and asset classes cycle through three of each.
    """
    ids = [f"C{i:03d}" for i in range(n)]
    upper = np.round(rng.uniform(*max_ticket_share, n), 3)
    has_min = rng.random(n) < min_ticket_prob
    lower = np.where(
        has_min, np.minimum(np.round(min_ticket_share * rng.uniform(0.5, 1.5, n), 3), upper), 0.0
    )
    if covariance is None:
        exposures, specific = random_factors(rng, n)
        risk = RiskModel(ids, exposures, specific, "factor model")
    else:
        values, vectors = np.linalg.eigh(covariance)
        risk = RiskModel(ids, vectors * np.sqrt(np.clip(values, 0, None)), np.zeros(n), "covariance file")
    return AllocationInputs(
        ids=ids,
        target_gbp=target,
        lower=lower,
        upper=upper,
        expected_return=np.round(rng.uniform(0.03, 0.10, n), 6),
        impact=np.round(rng.uniform(0.2, 0.9, n), 6),
        jobs_per_gbp_m=np.round(rng.uniform(0, 20, n), 1),
        sector=np.array([SECTORS[i % 3] for i in range(n)], dtype=object),
        asset_class=np.array([ASSET_CLASSES[(i // 2) % 3] for i in range(n)], dtype=object),
        liquid=np.zeros(n, dtype=bool),
        risk=risk,
    )


def make_mandate(**fields: object) -> Mandate:
    """A mandate of £100m in Preston with only the limits given."""
    document: dict[str, object] = {"target_gbp": TARGET, "places": [PRESTON]}
    document.update(fields)
    return Mandate.model_validate(document)


# --- independent checks ---------------------------------------------------------------------------


def factor_model_covariance(
    frame: pd.DataFrame, reference: Reference, a: float, b: float, same_region: float
):
    """The bundled factor model's covariance written out entry by entry from its definition:

    cov_ij = s_i s_j (a rho_class(i,j) + b rho_place(i,j)) + [i = j] (1 - a - b) s_i^2
    """
    sigma = frame["volatility"].to_numpy(dtype=float)
    classes = frame["asset_class"].to_numpy()
    places = frame["local_authority"].to_numpy()
    regions = reference.places.loc[places, "region"].to_numpy()
    corr = reference.correlations
    n = len(frame)
    matrix = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            rho_class = float(corr.at[classes[i], classes[j]])
            rho_place = 1.0 if places[i] == places[j] else (same_region if regions[i] == regions[j] else 0.0)
            matrix[i, j] = sigma[i] * sigma[j] * (a * rho_class + b * rho_place)
        matrix[i, i] += (1 - a - b) * sigma[i] ** 2
    return matrix


@dataclass(frozen=True)
class Problem:
    """A continuous allocation written out plainly: bounds, linear limits <= and a volatility cap."""

    objective: np.ndarray  # maximise objective @ w
    lower: np.ndarray
    upper: np.ndarray
    a_ub: np.ndarray  # rows of linear limits a @ w <= b
    b_ub: np.ndarray
    covariance: np.ndarray
    max_volatility: float | None


def plain_problem(
    inputs: AllocationInputs, mandate: Mandate, covariance: np.ndarray, objective: str | None = None
) -> Problem:
    """The mandate's limits as matrices (no engine code), for any linear objective."""
    objective = objective or mandate.objective
    n = inputs.n
    rows: list[np.ndarray] = []
    bounds: list[float] = []
    for sector, cap in mandate.sector_caps.items():
        rows.append((inputs.sector == sector).astype(float))
        bounds.append(cap)
    for asset_class, cap in mandate.asset_class_caps.items():
        rows.append((inputs.asset_class == asset_class).astype(float))
        bounds.append(cap)
    if mandate.min_expected_return is not None:
        rows.append(-inputs.expected_return)
        bounds.append(-mandate.min_expected_return)
    if mandate.min_impact_score is not None:
        rows.append(-inputs.impact)
        bounds.append(-mandate.min_impact_score / 100)
    if mandate.max_illiquid_share is not None:
        rows.append((~inputs.liquid).astype(float))
        bounds.append(mandate.max_illiquid_share)
    share = mandate.max_candidate_share if mandate.max_candidate_share is not None else 1.0
    upper = np.minimum(inputs.upper, share)
    vector = {"max_return": inputs.expected_return, "max_impact": inputs.impact}[objective]
    return Problem(
        vector,
        inputs.lower.copy(),
        upper,
        np.array(rows).reshape(len(rows), n),
        np.array(bounds),
        covariance,
        mandate.max_volatility,
    )


def solve_subset(problem: Problem, held: np.ndarray) -> float | None:
    """Best objective with exactly the candidates `held` allowed (each within its tickets), the
    rest at zero: HiGHS (scipy's linprog) without a volatility cap, SCS at high accuracy with one.
    None when that subset cannot meet the limits."""
    lower = np.where(held, problem.lower, 0.0)
    upper = np.where(held, problem.upper, 0.0)
    if lower.sum() > 1 + 1e-12 or upper.sum() < 1 - 1e-12 or np.any(lower > upper + 1e-12):
        return None
    if problem.max_volatility is None:
        result = linprog(
            -problem.objective,
            A_ub=problem.a_ub if len(problem.b_ub) else None,
            b_ub=problem.b_ub if len(problem.b_ub) else None,
            A_eq=np.ones((1, len(lower))),
            b_eq=[1.0],
            bounds=list(zip(lower, upper, strict=True)),
            method="highs",
        )
        return -float(result.fun) if result.status == 0 else None
    w = cp.Variable(len(lower))
    constraints = [cp.sum(w) == 1, w >= lower, w <= upper]
    if len(problem.b_ub):
        constraints.append(problem.a_ub @ w <= problem.b_ub)
    constraints.append(cp.quad_form(w, cp.psd_wrap(problem.covariance)) <= problem.max_volatility**2)
    sub = cp.Problem(cp.Maximize(problem.objective @ w), constraints)
    sub.solve(solver="SCS", eps_abs=1e-10, eps_rel=1e-10, max_iters=200_000)
    if sub.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        return None
    return float(problem.objective @ w.value)


def brute_force(problem: Problem, min_holdings: int = 0) -> float | None:
    """The best objective over every subset of held candidates (2^n continuous problems), each
    subset holding at least `min_holdings` candidates; None when no subset is feasible."""
    n = len(problem.lower)
    best: float | None = None
    for held in itertools.product([False, True], repeat=n):
        if sum(held) < min_holdings:
            continue
        value = solve_subset(problem, np.array(held))
        if value is not None and (best is None or value > best):
            best = value
    return best


def slsqp(
    covariance: np.ndarray,
    upper: np.ndarray,
    objective: str,
    expected_return: np.ndarray | None = None,
    impact: np.ndarray | None = None,
    aversion: float = 0.0,
    impact_weight: float = 0.0,
) -> np.ndarray:
    """Long-only weights adding to 1 within `upper` by scipy's SLSQP (an independent solver):
    minimum volatility, or the blended mean-variance utility."""
    n = len(upper)

    def value(w: np.ndarray) -> float:
        if objective == "min_risk":
            return float(w @ covariance @ w) * 1e4
        assert expected_return is not None and impact is not None
        return -float(
            expected_return @ w + impact_weight * 100 * (impact @ w) - aversion * (w @ covariance @ w)
        )

    def gradient(w: np.ndarray) -> np.ndarray:
        if objective == "min_risk":
            return 2e4 * covariance @ w
        assert expected_return is not None and impact is not None
        return -(expected_return + impact_weight * 100 * impact - 2 * aversion * covariance @ w)

    start = np.minimum(np.full(n, 1.0 / n), upper)
    start = start / start.sum()
    result = minimize(
        value,
        start,
        jac=gradient,
        method="SLSQP",
        bounds=list(zip(np.zeros(n), upper, strict=True)),
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones(n)}],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    # status 8 ("positive directional derivative in linesearch") is SLSQP at the limit of its precision
    assert result.success or result.status == 8, result.message
    w = np.asarray(result.x)
    assert abs(w.sum() - 1) < 1e-9 and np.all(w >= -1e-12) and np.all(w <= upper + 1e-12)
    return w


def pypfopt_max_return(
    expected_return: np.ndarray, covariance: np.ndarray, max_volatility: float, max_share: float
) -> np.ndarray:
    """PyPortfolioOpt's answer: maximise return with volatility <= target, weights in [0, max_share]."""
    from pypfopt import EfficientFrontier

    frontier = EfficientFrontier(
        pd.Series(expected_return), pd.DataFrame(covariance), weight_bounds=(0, max_share)
    )
    frontier.efficient_risk(max_volatility)
    return np.array([frontier.weights[i] for i in range(len(expected_return))])


# --- files for the command line -----------------------------------------------------------------------


def candidate_rows(
    ids: Sequence[str],
    expected_return: Sequence[float],
    volatility: Sequence[float],
    min_ticket: Sequence[float | None] | None = None,
    max_ticket: Sequence[float | None] | None = None,
    place: str = PRESTON,
) -> list[dict[str, str]]:
    """Candidate rows (every contract column), impact figures copied from a bundled row."""
    rows = []
    for i, candidate in enumerate(ids):
        row = dict(_IMPACT_ROW)
        low = None if min_ticket is None else min_ticket[i]
        high = None if max_ticket is None else max_ticket[i]
        row.update(
            id=candidate,
            name=f"Synthetic candidate {candidate}",
            sector=SECTORS[i % 3],
            asset_class=ASSET_CLASSES[i % 3],
            local_authority=place,
            expected_return=f"{expected_return[i]:.6f}",
            volatility=f"{volatility[i]:.6f}",
            min_ticket_gbp="" if low is None else f"{low:.0f}",
            max_ticket_gbp="" if high is None else f"{high:.0f}",
        )
        rows.append(row)
    return rows


def write_candidates(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows([[row[c] for c in HEADER] for row in rows])
    return path


def write_covariance(path: Path, ids: Sequence[str], matrix: np.ndarray) -> Path:
    """The covariance contract: first column and header are candidate ids (full precision)."""
    frame = pd.DataFrame(matrix, index=list(ids), columns=list(ids))
    frame.index.name = "id"
    frame.to_csv(path, float_format="%.17g")
    return path


def write_mandate(path: Path, **fields: object) -> Path:
    document: dict[str, object] = {"target_gbp": TARGET, "places": [PRESTON]}
    document.update(fields)
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path
