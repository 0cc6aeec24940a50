"""The command line's loader: every input a command names read once into one `ScenarioInputs`,
with all problems across all files reported at once."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from impact_screen.market import market_reference
from portfolio.scenario import REFERENCE_ROLES, ScenarioInputs, SolveSettings, collect, scenario_inputs
from screening import InputFile, Problem, load_mandate
from screening.errors import InputError
from screening.reading import bundled
from screening.reading.mandate import check_against_universe
from screening.reading.reference import REFERENCE_FILES, Reference
from screening.stability import StabilitySettings

T = TypeVar("T")


# the files a run reads besides the candidates and the mandate: role -> bundled file name
BUNDLED_FILES = {
    "risk_model": bundled.RISK_MODEL,
    "uk_benchmark_mix": bundled.UK_BENCHMARK_MIX,
    "stress_scenarios": bundled.STRESS_SCENARIOS,
    "pacing_assumptions": bundled.PACING_ASSUMPTIONS,
    "local_investment_peers": bundled.LOCAL_PEERS,
    **{role: REFERENCE_FILES[role] for role in REFERENCE_ROLES},
}


def bundled_files(reference: Reference) -> dict[str, InputFile]:
    """The bundled files a run reads besides the candidates and the mandate, by role: the
    risk-model settings, the UK benchmark mix, the stress scenarios, the pacing assumptions and the reference tables'
    places, retention and social-value files (checked to be the bytes `reference` was read from)."""
    files = {role: bundled.read(name) for role, name in BUNDLED_FILES.items()}
    for role in REFERENCE_ROLES:
        known = reference.provenance.get(role)
        if known is not None and known.sha256 != files[role].sha256:
            raise InputError(
                [Problem(files[role].name, None, None, "changed while the tool was running; start it again")]
            )
    return files


def add_input_flags(
    command: argparse.ArgumentParser, covariance: bool, mandate_help: str = "mandate file (TOML)"
) -> None:
    """`--candidates F`, `--mandate M` and (when asked for) `--covariance C`, the same on every command."""
    command.add_argument("--candidates", type=Path, metavar="F", help="candidate file (CSV or XLSX)")
    command.add_argument("--mandate", type=Path, metavar="M", help=mandate_help)
    if covariance:
        command.add_argument("--covariance", type=Path, metavar="C", help="covariance matrix (CSV)")


def mandate_name(scenario: ScenarioInputs) -> str:
    """The name of the file the mandate came from, for a problem that points at it."""
    source = scenario.mandate_file
    return source.name if source is not None else "mandate.toml (bundled)"


def require_table(scenario: ScenarioInputs, table: str, needs: str) -> None:
    """InputError, pointing at the mandate, when a command needs a mandate table it does not set."""
    if getattr(scenario.mandate, table) is None:
        raise InputError(
            [
                Problem(
                    mandate_name(scenario),
                    None,
                    table,
                    f"is not set: add a [{table}] table with {needs}",
                    kind="key",
                )
            ]
        )


def load_inputs(
    args: argparse.Namespace, screen: StabilitySettings | None = None, solve: SolveSettings | None = None
) -> ScenarioInputs:
    """Read and check every input named on the command line, once, into one `ScenarioInputs`
    with the screen's and the solve's settings (the bundled file for any input not named);
    InputError lists every problem in every file."""
    problems: list[Problem] = []
    reference, _notes = market_reference(refresh=False)  # a fresh market-data cache, else the bundled figures
    candidates = collect(problems, lambda: _file(args.candidates) or bundled.read(bundled.CANDIDATES))
    mandate_file = collect(problems, lambda: _file(args.mandate))
    mandate = collect(problems, lambda: load_mandate(mandate_file, reference))
    covariance = None
    if getattr(args, "covariance", None) is not None:
        covariance = collect(problems, lambda: InputFile.from_path(args.covariance))
    files = bundled_files(reference) | ({"mandate": mandate_file} if mandate_file else {})
    if getattr(args, "pacing_assumptions", None) is not None:
        pacing = collect(problems, lambda: InputFile.from_path(args.pacing_assumptions))
        files |= {"pacing_assumptions": pacing} if pacing is not None else {}
    if candidates is None:
        raise InputError(_unique(problems))
    try:
        scenario = scenario_inputs(
            candidates, mandate, reference, files, covariance, screen, solve, problems=problems
        )
    except InputError as exc:
        raise InputError(_unique(exc.problems)) from None
    checked = _unique(scenario.warnings + _cross_check(scenario))
    if any(p.severity == "error" for p in checked):
        raise InputError(checked)
    return replace(scenario, warnings=checked)


def _file(path: Path | None) -> InputFile | None:
    return InputFile.from_path(path) if path is not None else None


def report_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"{errors} problem(s) found.", file=sys.stderr)


def _cross_check(scenario: ScenarioInputs) -> list[Problem]:
    """The mandate against the candidates: sectors and places it names that none of them has."""
    source = scenario.mandate_file
    text = source.content.decode("utf-8-sig", errors="replace") if source is not None else ""
    frame = scenario.universe.frame
    return check_against_universe(
        scenario.mandate,
        list(frame["sector"].unique()),
        list(frame["local_authority"].unique()),
        mandate_name(scenario),
        text,
        scenario.reference.places["name"].to_dict(),
    )


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    """Each problem once, in file order and by line within a file."""
    files = {p.file: i for i, p in reversed(list(enumerate(problems)))}
    seen: set[str] = set()
    kept = []
    for problem in sorted(problems, key=lambda p: (files[p.file], p.line or 0)):
        if str(problem) not in seen:
            seen.add(str(problem))
            kept.append(problem)
    return kept
