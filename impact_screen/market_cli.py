"""`impact-screen assumptions`: the capital market assumptions in use, with live or cached market
data where available, and where every figure came from."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from impact_screen.market import (
    DEFAULT_MAX_AGE_DAYS,
    DEFAULT_TIMEOUT_S,
    load_proxies,
    market_reference,
    market_source,
    market_summary,
)
from impact_screen.output import write_json
from screening.errors import InputError
from screening.reading.problems import Problem
from screening.reading.reference import Reference, bundled_reference
from screening.reading.tables import InputFile

EXIT_OK = 0


def add_assumptions_command(subparsers: Any) -> None:
    """Register `assumptions [--refresh] [--max-age-days D] [--json OUT] [--proxies P]`."""
    command = subparsers.add_parser(
        "assumptions",
        help="the capital market assumptions in use, with live market data where available",
        description="Show the capital market assumptions the tool uses. Volatilities and correlations "
        "come from Yahoo Finance history of listed proxies when it has been downloaded (--refresh) "
        "and is fresh; otherwise from the bundled (illustrative) assumptions.",
    )
    command.add_argument(
        "--refresh",
        action="store_true",
        help=f"download prices now (gives up after {DEFAULT_TIMEOUT_S:g} s and falls back)",
    )
    command.add_argument(
        "--max-age-days",
        type=float,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="D",
        help=f"use cached market data younger than D days (default {DEFAULT_MAX_AGE_DAYS:g})",
    )
    command.add_argument(
        "--json", type=Path, metavar="OUT", help="write the assumptions as JSON ('-' for stdout)"
    )
    command.add_argument(
        "--proxies", type=Path, metavar="P", help="proxies file (CSV); default the bundled market_proxies.csv"
    )
    command.set_defaults(run=run_assumptions)


def run_assumptions(args: argparse.Namespace) -> int:
    """Handler: print the table (stdout) and warnings (stderr), write JSON if asked; exit code."""
    if not math.isfinite(args.max_age_days) or args.max_age_days < 0:
        raise InputError([Problem("command line", None, None, "--max-age-days must be 0 or more")])
    proxies = None
    if args.proxies is not None:
        proxies = InputFile.from_path(args.proxies)
        load_proxies(proxies, bundled_reference().asset_classes)  # a user's own file: its problems exit 2
    reference, warnings = market_reference(
        refresh=args.refresh, max_age_days=args.max_age_days, proxies=proxies
    )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json is not None:
        write_json(args.json, assumptions_document(reference, warnings))
    if args.json is None or str(args.json) != "-":
        print(assumptions_text(reference))
    return EXIT_OK


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def assumptions_document(reference: Reference, warnings: list[str]) -> dict[str, object]:
    """The JSON form: source, as_of, asset_classes, correlations, warnings and provenance."""
    source, as_of = market_source(reference)
    table = reference.assumptions
    rows = [
        {
            "asset_class": asset_class,
            "label": _text(row.get("label")),
            "expected_return": _number(row["expected_return"]),
            "volatility": _number(row["volatility"]),
            "volatility_source": row.get("volatility_source", source),
            "bundled_volatility": _number(row.get("bundled_volatility")),
            "proxy": _text(row.get("proxy")),
            "trailing_return_1y": _number(row.get("trailing_return_1y")),
        }
        for asset_class, row in table.iterrows()
    ]
    correlations = reference.correlations
    return {
        "source": source,
        "as_of": as_of,
        "summary": market_summary(reference),
        "asset_classes": rows,
        "correlations": {
            "source": reference.provenance["correlations"].source
            if "correlations" in reference.provenance
            else None,
            "asset_classes": list(correlations.index),
            "matrix": correlations.to_numpy(dtype=float).round(6).tolist(),
        },
        "warnings": list(warnings),
        "provenance": {
            key: reference.provenance[key].as_dict()
            for key in ("assumptions", "correlations")
            if key in reference.provenance
        },
    }


def _percent(value: object) -> str:
    number = _number(value)
    return "" if number is None else f"{number:.1%}"


def assumptions_text(reference: Reference) -> str:
    """A readable table: asset class, expected return, volatility (and the bundled one), proxy,
    one-year trailing return and where the volatility came from."""
    table = reference.assumptions
    rows = pd.DataFrame(
        {
            "asset class": table.index,
            "expected return": [_percent(v) for v in table["expected_return"]],
            "volatility": [_percent(v) for v in table["volatility"]],
            "bundled vol": [_percent(v) for v in table.get("bundled_volatility", table["volatility"])],
            "proxy": [p if isinstance(p, str) else "-" for p in table.get("proxy", [None] * len(table))],
            "1y return": [_percent(v) for v in table.get("trailing_return_1y", [None] * len(table))],
            "source": list(table.get("volatility_source", [market_source(reference)[0]] * len(table))),
        }
    )
    lines = [market_summary(reference), "", rows.to_string(index=False)]
    if "correlations" in reference.provenance:
        lines += ["", f"correlations: {reference.provenance['correlations'].describe()}"]
    lines.append(
        "Expected returns always come from the capital market assumptions; 1y return is for information."
    )
    return "\n".join(lines)
