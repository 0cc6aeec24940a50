"""`ScenarioInputs`: every input of one run, held once, so the core reads no file after it.

A run is fully described by: the exact bytes of the candidate file (and of a covariance file),
the mandate, the reference tables (with the bytes of the places, retention and social-value files),
the capital market assumptions and correlations actually used (market data applied, if any),
the risk-model settings, the UK benchmark mix, the stress scenarios and the pacing assumptions,
and the settings of the
screen and of the solve. A loader builds this once (`impact_screen.inputs` for the command line,
the app's session state, `impact_screen.runs.restore` for a saved run); `portfolio.run.run_scenario`
runs it; a saved run stores it and a rerun starts again from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import pandas as pd

from portfolio.comparison_inputs import ComparisonInputs, load_comparison_inputs
from portfolio.risk import RiskSettings, risk_settings
from screening.errors import InputError
from screening.reading.candidates import Universe, load_candidates
from screening.reading.mandate import Mandate
from screening.reading.matrix import load_matrix
from screening.reading.problems import Problem
from screening.reading.reference import Reference
from screening.reading.tables import InputFile
from screening.stability import StabilitySettings

T = TypeVar("T")
REFERENCE_ROLES = ("places", "retention", "social_value")  # stored as the bytes read
COMPARISON_ROLES = ("uk_benchmark_mix", "stress_scenarios", "pacing_assumptions", "local_investment_peers")


@dataclass(frozen=True)
class SolveSettings:
    """How the allocation is solved: the solver's time limit, frontier points, comparison or not."""

    time_limit_s: float = 60.0
    frontier_points: int = 25
    with_comparison: bool = True


@dataclass(frozen=True)
class ScenarioInputs:
    """Every input of one run: the exact files, what was read from them, and the settings."""

    candidates: InputFile
    universe: Universe
    mandate: Mandate
    reference: Reference
    reference_files: dict[str, InputFile]  # REFERENCE_ROLES -> the bytes the tables were read from
    risk_file: InputFile
    risk: RiskSettings
    comparison_files: dict[str, InputFile]  # COMPARISON_ROLES -> bytes
    comparison: ComparisonInputs
    covariance_file: InputFile | None = None
    covariance: pd.DataFrame | None = None
    mandate_file: InputFile | None = None  # the file the mandate was read from, when there was one
    screen: StabilitySettings = field(default_factory=StabilitySettings)
    solve: SolveSettings = field(default_factory=SolveSettings)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the loader noticed (a restored run's changes)

    def files(self) -> dict[str, InputFile]:
        """Every input file by role: candidates, covariance and mandate (when given), risk_model,
        the comparison's and the reference tables' files."""
        found = {"candidates": self.candidates, "risk_model": self.risk_file}
        if self.covariance_file is not None:
            found["covariance"] = self.covariance_file
        if self.mandate_file is not None:
            found["mandate"] = self.mandate_file
        return {**found, **self.comparison_files, **self.reference_files}

    def with_mandate(self, mandate: Mandate) -> ScenarioInputs:
        """The same inputs under another mandate (the app's form, a committee's what-if)."""
        return replace(self, mandate=mandate, mandate_file=None)


def collect(problems: list[Problem], read: Callable[[], T]) -> T | None:
    """Run one reader, keeping its problems (None on failure) so every file is checked in one go."""
    try:
        return read()
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def scenario_inputs(
    candidates: InputFile,
    mandate: Mandate | None,
    reference: Reference,
    files: dict[str, InputFile],
    covariance: InputFile | None = None,
    screen: StabilitySettings | None = None,
    solve: SolveSettings | None = None,
    universe: Universe | None = None,
    problems: list[Problem] | None = None,
) -> ScenarioInputs:
    """Read every input from its bytes (`files`: risk_model, the comparison's and the reference
    tables' files by role, and the mandate's when it came from one); one InputError lists every
    problem in every file, with `problems` already found (a mandate that could not be read is
    None and its problems are there).

    `universe`, when given, is the candidates already read from `candidates` (the app's cache);
    it must be those bytes.
    """
    problems = list(problems or [])
    if universe is not None and universe.provenance.sha256 != candidates.sha256:
        raise ValueError(f"the candidates given are not those read from {candidates.name}")

    if universe is None:
        universe = collect(problems, lambda: load_candidates(candidates, reference))
    risk = collect(problems, lambda: risk_settings(files["risk_model"]))
    comparison = collect(
        problems,
        lambda: load_comparison_inputs(reference, *(files[role] for role in COMPARISON_ROLES)),
    )
    matrix = None
    if covariance is not None:  # checked even when the candidates are not, to report both at once
        ids = list(universe.frame.index) if universe is not None else []
        loaded = collect(problems, lambda: load_matrix(covariance, "covariance", ids))
        if loaded is not None:
            matrix, matrix_warnings = loaded
            problems += matrix_warnings
    if universe is not None:
        problems += universe.warnings
    failed = universe is None or mandate is None or risk is None or comparison is None
    if failed or any(p.severity == "error" for p in problems):
        raise InputError(problems)
    assert universe is not None and mandate is not None and risk is not None and comparison is not None
    return ScenarioInputs(
        candidates=candidates,
        universe=universe,
        mandate=mandate,
        reference=reference,
        reference_files={role: files[role] for role in REFERENCE_ROLES if role in files},
        risk_file=files["risk_model"],
        risk=risk,
        comparison_files={role: files[role] for role in COMPARISON_ROLES},
        comparison=comparison,
        covariance_file=covariance,
        covariance=matrix,
        mandate_file=files.get("mandate"),
        screen=screen or StabilitySettings(),
        solve=solve or SolveSettings(),
        warnings=problems,
    )
