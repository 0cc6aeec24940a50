"""`impact-screen pacing`: the commitments per year that put the mandate's target to work by its
target year, with the calls, distributions and value they bring (or what a given schedule does).

Exit codes as the other commands: 0 a plan reaches the target (or a schedule was projected),
2 invalid input, 3 the limits stop it, or no allocation meets the mandate (the JSON is still
written, with what would have to change).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from impact_screen.inputs import add_input_flags, load_inputs, report_problems, require_table
from impact_screen.output import pacing_text, write_json
from portfolio.result import Pacing
from screening import InputFile

EXIT_OK, EXIT_INFEASIBLE = 0, 3


def add_pacing_command(subparsers: Any) -> None:
    """Register `pacing [--candidates F] [--mandate M] [--covariance C] [--pacing-assumptions P]
    [--commitments S] [--json OUT]`."""
    command = subparsers.add_parser(
        "pacing",
        help="the commitments per year that put the target to work by the target year",
        description="Plan the commitments per year that put the mandate's target to work by its "
        "[pacing] target_year and keep it there, within its limits on yearly commitments and on the "
        "cash the programme may take; with --commitments, show what a schedule of your own puts to work.",
    )
    add_input_flags(command, covariance=True, mandate_help="mandate file (TOML) with a [pacing] table")
    add_pacing_assumptions_flag(command)
    command.add_argument(
        "--commitments",
        type=Path,
        metavar="S",
        help="a schedule to test instead of planning one: CSV with columns year, commitments_gbp",
    )
    command.add_argument("--json", type=Path, metavar="OUT", help="write the plan as JSON ('-' for stdout)")
    command.set_defaults(run=run_pacing)


def add_pacing_assumptions_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--pacing-assumptions",
        type=Path,
        metavar="P",
        help="pacing assumptions per asset class (CSV); default the bundled pacing_assumptions.csv",
    )


def run_pacing(args: argparse.Namespace) -> int:
    from portfolio.compare import allocation_pacing
    from portfolio.pacing.assumptions import load_schedule
    from portfolio.run import run_scenario
    from portfolio.scenario import SolveSettings

    inputs = load_inputs(args, solve=SolveSettings(frontier_points=0, with_comparison=False))
    report_problems(inputs.warnings)
    mandate = inputs.mandate
    require_table(inputs, "pacing", "start_year and target_year")
    assert mandate.pacing is not None and mandate.pacing_target_gbp is not None
    schedule = None
    if args.commitments is not None:
        schedule = load_schedule(InputFile.from_path(args.commitments), mandate.pacing)
    run = run_scenario(inputs)
    pacing = None
    if run.allocation.feasible:
        pacing = allocation_pacing(
            inputs.universe, mandate, inputs.reference, run.allocation, inputs.comparison, schedule
        )
    if pacing is None:
        settings = mandate.pacing
        pacing = Pacing(
            status="no_allocation",
            target_gbp=mandate.pacing_target_gbp,
            start_year=settings.start_year,
            target_year=settings.target_year,
            end_year=settings.end_year,
        )
    if args.json is not None:
        write_json(args.json, pacing.model_dump(mode="json"))
    if args.json is None or str(args.json) != "-":
        print(pacing_text(pacing))
    return EXIT_INFEASIBLE if pacing.status in ("infeasible", "no_allocation") else EXIT_OK
