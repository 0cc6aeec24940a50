"""`impact-screen`: the command line over the same core functions the app calls.

Exit codes: 0 success, 1 an unexpected internal error (reported in one line, never a
traceback unless IMPACT_SCREEN_DEBUG=1), 2 invalid input, 3 infeasible mandate (later issues).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from screening import InputError, InputFile, Problem, load_candidates, load_mandate, load_matrix
from screening.candidates import Universe
from screening.mandate import Mandate, check_against_universe
from screening.reference import Reference, bundled_reference
from screening.summary import summarise

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INFEASIBLE = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="impact-screen",
        description="Screen and allocate place-based impact investments for a pension fund. "
        "Without --candidates or --mandate the bundled (illustrative) files are used.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check the candidate, mandate and covariance files")
    validate.add_argument("--candidates", type=Path, metavar="F", help="candidate file (CSV or XLSX)")
    validate.add_argument("--mandate", type=Path, metavar="M", help="mandate file (TOML)")
    validate.add_argument("--covariance", type=Path, metavar="C", help="covariance matrix (CSV)")
    validate.set_defaults(run=_validate)
    return parser


def _attempt(problems: list[Problem], load: Callable[[], object]) -> object | None:
    """Run one loader, collecting its problems so every file is checked in one go."""
    try:
        return load()
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    reference = bundled_reference()
    candidate_file = _source(args.candidates)
    mandate_file = _source(args.mandate)
    universe = _attempt(problems, lambda: load_candidates(candidate_file(), reference))
    mandate = _attempt(problems, lambda: load_mandate(mandate_file(), reference))
    covariance = None
    if args.covariance is not None:
        ids = list(universe.frame.index) if isinstance(universe, Universe) else []
        loaded = _attempt(
            problems, lambda: load_matrix(InputFile.from_path(args.covariance), "covariance", ids)
        )
        if loaded is not None:
            covariance, matrix_warnings = loaded  # type: ignore[misc]
            problems += matrix_warnings
    if isinstance(universe, Universe):
        problems += universe.warnings
        if isinstance(mandate, Mandate):
            problems += _cross_check(mandate, universe, args.mandate)
    for problem in _unique(problems):
        print(problem, file=sys.stderr)
    if any(p.severity == "error" for p in problems):
        errors = sum(p.severity == "error" for p in problems)
        print(f"{errors} problem(s) found.", file=sys.stderr)
        return EXIT_INVALID
    assert isinstance(universe, Universe) and isinstance(mandate, Mandate)
    print(_summary_text(universe, mandate, reference, covariance is not None))
    return EXIT_OK


def _source(path: Path | None) -> Callable[[], InputFile | None]:
    return lambda: InputFile.from_path(path) if path is not None else None


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


def _money(value: float) -> str:
    return "no cap" if value == float("inf") else f"£{value / 1e6:,.1f}m"


def _summary_text(universe: Universe, mandate: Mandate, reference: Reference, has_covariance: bool) -> str:
    facts = summarise(universe, mandate, reference)
    share = facts.target_share_of_fund
    fund = f" of a {_money(facts.fund_size_gbp)} fund ({share:.2%})" if facts.fund_size_gbp and share else ""
    lines = [
        f"candidates   {universe.provenance.describe()}: {facts.candidates} candidates in "
        f"{facts.places} places, {facts.sectors} sectors, {facts.asset_classes} asset classes",
        f"             {facts.local_candidates} in {', '.join(facts.place_names)}, able to take "
        f"{_money(facts.local_capacity_gbp)} in all",
        f"mandate      {mandate.name}",
        f"             target {_money(facts.target_gbp)}{fund}; objective {mandate.objective}; "
        f"{len(facts.limits_stated)} limits stated",
        "covariance   "
        + ("given: used as it is" if has_covariance else "none given: the factor model will be used"),
        f"assumptions  {reference.provenance['assumptions'].describe()}",
        "All inputs are valid.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `impact-screen`; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("IMPACT_SCREEN_DEBUG"):
            raise
        print(
            f"impact-screen: internal error: {type(exc).__name__}: {exc} "
            "(set IMPACT_SCREEN_DEBUG=1 to see the details)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
