"""`impact-screen local-report`: the annual local investment report under the 2026 rules for the
allocation of the mandate: the money counted as local over the whole fund against the target range
(comply or explain), where it is, what it does beside a published peer, and the claims far above it.

Exit codes as the other commands: 0 a report of an allocation, 2 invalid input or no
[local_investment] table in the mandate, 3 no allocation meets the mandate (the JSON is still
written, with nothing counted and the flags).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from impact_screen.inputs import add_input_flags, load_inputs, report_problems, require_table
from impact_screen.output import local_investment_text, write_json

EXIT_OK, EXIT_INFEASIBLE = 0, 3


def add_local_report_command(subparsers: Any) -> None:
    """Register `local-report [--candidates F] [--mandate M] [--json OUT]`."""
    command = subparsers.add_parser(
        "local-report",
        help="the annual local investment report: the share of the fund against the target range",
        description="Allocate the mandate's target and report it as the 2026 rules ask: the money "
        "counted as local investment over the whole fund against the mandate's [local_investment] "
        "target range (comply or explain), the money by district and group, jobs, homes, carbon, "
        "SME finance, deprivation and the return given up beside a published peer, what is not "
        "counted and why, and the candidates claiming far more per £1m than the peer.",
    )
    add_input_flags(
        command, covariance=False, mandate_help="mandate file (TOML) with a [local_investment] table"
    )
    command.add_argument("--json", type=Path, metavar="OUT", help="write the report as JSON ('-' for stdout)")
    command.set_defaults(run=run_local_report)


def run_local_report(args: argparse.Namespace) -> int:
    from portfolio.impact import impact_basis
    from portfolio.local_investment import local_investment
    from portfolio.report import run_result
    from portfolio.run import run_scenario
    from portfolio.scenario import SolveSettings

    inputs = load_inputs(args, solve=SolveSettings(frontier_points=0, with_comparison=True))
    report_problems(inputs.warnings)
    mandate = inputs.mandate
    require_table(inputs, "local_investment", "target_min_share and target_max_share")
    run = run_scenario(inputs)
    found = run_result(run, inputs.universe, mandate, inputs.reference).local_investment
    if found is None:  # no allocation meets the mandate: nothing counted, the flags still stand
        frame = inputs.universe.frame
        found = local_investment(
            run.allocation.amounts,
            frame,
            impact_basis(frame, run.screen, mandate, inputs.reference),
            mandate,
            inputs.reference,
            peer=inputs.comparison.peer,
            allocated=False,
        )
    assert found is not None
    if args.json is not None:
        write_json(args.json, found.model_dump(mode="json"))
    if args.json is None or str(args.json) != "-":
        print(local_investment_text(found))
    return EXIT_INFEASIBLE if found.status == "no_allocation" else EXIT_OK
