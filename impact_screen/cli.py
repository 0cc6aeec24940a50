"""`impact-screen`: the command line over the same core functions the app calls.

Exit codes: 0 success, 1 an unexpected internal error (reported in one line, never a traceback
unless IMPACT_SCREEN_DEBUG=1), 2 invalid input, 3 infeasible mandate (the JSON is still written,
with the diagnosis).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from impact_screen.inputs import add_input_flags, load_inputs, report_problems
from impact_screen.local_cli import add_local_report_command
from impact_screen.market_cli import add_assumptions_command
from impact_screen.output import allocation_text, screen_text, summary_text, write_json
from impact_screen.pacing_cli import add_pacing_assumptions_flag, add_pacing_command
from impact_screen.runs_cli import add_runs_commands, add_save_option, check_save_target, save_if_asked
from impact_screen.store import StoreError
from screening import Problem
from screening.errors import InputError, ReportError

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INFEASIBLE = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="impact-screen",
        description="Screen and allocate place-based impact investments for a pension fund. "
        "Without --candidates or --mandate the bundled (illustrative) files are used.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check the candidate, mandate and covariance files")
    add_input_flags(validate, covariance=True)
    validate.set_defaults(run=_validate)
    screen = commands.add_parser("screen", help="eligibility, scores and ranks of every candidate")
    add_input_flags(screen, covariance=False)
    _json_flag(screen, "the screen")
    _stability_flags(screen)
    screen.set_defaults(run=_screen)
    allocate = commands.add_parser("allocate", help="place the target within the mandate's limits")
    add_input_flags(allocate, covariance=True)
    _json_flag(allocate, "the allocation (also when infeasible, with the diagnosis)")
    allocate.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds a mixed-integer solve may take (default 60)",
    )
    allocate.add_argument(
        "--frontier-points",
        type=int,
        default=25,
        metavar="N",
        help="points on the impact-return frontier (0 for none)",
    )
    allocate.add_argument(
        "--no-comparison",
        action="store_true",
        help="allocate only: skip the benchmarks, impact accounting, stress tests and projection",
    )
    _stability_flags(allocate)
    add_save_option(allocate)
    allocate.set_defaults(run=_allocate)
    add_pacing_assumptions_flag(allocate)
    add_pacing_command(commands)
    add_local_report_command(commands)
    add_assumptions_command(commands)
    add_runs_commands(commands)
    return parser


def _stability_flags(command: argparse.ArgumentParser) -> None:
    """The screen's settings, the same flags and defaults for `screen` and `allocate` (one screen per run)."""
    command.add_argument(
        "--top-k", type=int, default=10, metavar="K", help="k for the chance of a top-k rank"
    )
    command.add_argument(
        "--draws", type=int, default=10_000, metavar="N", help="weight draws for rank stability"
    )


def _stability(args: argparse.Namespace):
    from screening.stability import StabilitySettings

    _positive(top_k=args.top_k, draws=args.draws)
    return StabilitySettings(draws=args.draws, top_k=args.top_k)


def _json_flag(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--json", type=Path, metavar="OUT", help=f"write {what} as JSON ('-' for stdout)")


def _positive(**values: float) -> None:
    bad = [name for name, value in values.items() if not value >= 1]
    if bad:
        raise InputError(
            [Problem("command line", None, None, f"--{n.replace('_', '-')} must be at least 1") for n in bad]
        )


def _validate(args: argparse.Namespace) -> int:
    inputs = load_inputs(args)
    report_problems(inputs.warnings)
    print(summary_text(inputs))
    return EXIT_OK


def _screen(args: argparse.Namespace) -> int:
    from screening.screen import run_screen, screen_document

    inputs = load_inputs(args, screen=_stability(args))
    report_problems(inputs.warnings)
    result = run_screen(inputs.universe, inputs.mandate, inputs.reference, inputs.screen)
    if args.json is not None:
        write_json(args.json, screen_document(result, inputs.universe, inputs.mandate, inputs.reference))
    if args.json is None or str(args.json) != "-":
        print(screen_text(result, inputs.mandate, inputs.reference))
    return EXIT_OK


def _allocate(args: argparse.Namespace) -> int:
    from portfolio.report import run_result
    from portfolio.run import run_scenario
    from portfolio.scenario import SolveSettings

    _positive(time_limit=args.time_limit, frontier_points=args.frontier_points + 1)
    solve = SolveSettings(args.time_limit, args.frontier_points, with_comparison=not args.no_comparison)
    stability = _stability(args)
    check_save_target(args)
    inputs = load_inputs(args, screen=stability, solve=solve)
    report_problems(inputs.warnings)
    run = run_scenario(inputs)
    result = run_result(run, inputs.universe, inputs.mandate, inputs.reference)
    if args.json is not None:
        write_json(args.json, result.to_json())
    save_if_asked(args, inputs, run, result)
    if args.json is None or str(args.json) != "-":
        print(allocation_text(result, inputs.reference))
    if run.allocation.status == "infeasible":
        return EXIT_INFEASIBLE
    return EXIT_OK if run.allocation.feasible else EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `impact-screen`; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as exc:
        report_problems(exc.problems)
        return EXIT_INVALID
    except StoreError as exc:
        print(f"impact-screen: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ReportError as exc:
        print(f"impact-screen: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
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
