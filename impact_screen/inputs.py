"""Load and check every input a command names, reporting all problems across all files at once."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from impact_screen.market import market_reference
from screening import InputFile, Problem, load_candidates, load_mandate, load_matrix
from screening.candidates import Universe
from screening.errors import InputError
from screening.mandate import Mandate, check_against_universe
from screening.reference import Reference

T = TypeVar("T")


@dataclass
class Inputs:
    """Everything a command runs on, once every file has been checked."""

    universe: Universe
    mandate: Mandate
    reference: Reference
    covariance: pd.DataFrame | None
    warnings: list[Problem]


def _attempt(problems: list[Problem], load: Callable[[], T]) -> T | None:
    """Run one loader, collecting its problems so every file is checked in one go."""
    try:
        return load()
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def load_inputs(args: argparse.Namespace) -> Inputs:
    """Load and check every input named on the command line; InputError lists all problems."""
    problems: list[Problem] = []
    reference, _notes = market_reference(refresh=False)  # a fresh market-data cache, else the bundled figures
    universe = _attempt(problems, lambda: load_candidates(_file(args.candidates), reference))
    mandate = _attempt(problems, lambda: load_mandate(_file(args.mandate), reference))
    covariance = None
    if getattr(args, "covariance", None) is not None:
        ids = list(universe.frame.index) if universe is not None else []
        loaded = _attempt(
            problems, lambda: load_matrix(InputFile.from_path(args.covariance), "covariance", ids)
        )
        if loaded is not None:
            covariance, matrix_warnings = loaded
            problems += matrix_warnings
    if universe is not None:
        problems += universe.warnings
        if mandate is not None:
            problems += _cross_check(mandate, universe, args.mandate)
    problems = _unique(problems)
    if universe is None or mandate is None or any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return Inputs(universe, mandate, reference, covariance, problems)


def _file(path: Path | None) -> InputFile | None:
    return InputFile.from_path(path) if path is not None else None


def report_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"{errors} problem(s) found.", file=sys.stderr)


def _cross_check(mandate: Mandate, universe: Universe, path: Path | None) -> list[Problem]:
    text = path.read_text(encoding="utf-8-sig") if path is not None else ""
    frame = universe.frame
    return check_against_universe(
        mandate,
        list(frame["sector"].unique()),
        list(frame["local_authority"].unique()),
        str(path) if path else "mandate.toml (bundled)",
        text,
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
