"""What the command line writes: readable tables on stdout and JSON files written whole or not at all."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from impact_screen.inputs import Inputs
from impact_screen.market import market_summary
from screening.candidates import Universe
from screening.files import write_atomically
from screening.mandate import Mandate
from screening.reference import Reference
from screening.screen import Screen
from screening.summary import summarise

if TYPE_CHECKING:
    from portfolio.run import AllocationRun


def write_json(path: Path, document: object) -> None:
    """Write JSON to `path` ('-' = stdout), whole or not at all."""
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if str(path) == "-":
        sys.stdout.write(text)
        return
    write_atomically(path, text)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def screen_text(screen: Screen, mandate: Mandate, reference: Reference) -> str:
    """The ranked eligible candidates as a table, then why the others were excluded."""
    eligible = screen.eligible
    k = screen.settings.top_k
    rows = pd.DataFrame(
        {
            "rank": eligible["rank"].astype(int),
            "id": eligible.index,
            "name": [_short(n.replace(" (illustrative)", ""), 38).ljust(38) for n in eligible["name"]],
            "score": eligible["score"].map("{:.1f}".format),
            "financial": eligible["financial"].map("{:.0f}".format),
            "local": eligible["local_economy"].map("{:.0f}".format),
            "social": eligible["social"].map("{:.0f}".format),
            "confidence": eligible["confidence"].map("{:.0%}".format),
            "rank 5-95%": [
                f"{int(lo)}-{int(hi)}"
                for lo, hi in zip(eligible["rank_low"], eligible["rank_high"], strict=True)
            ],
            f"P(top {k})": eligible["p_top_k"].map("{:.0%}".format),
        }
    )
    places = ", ".join(str(reference.places.at[c, "name"]) for c in mandate.places)
    lines = [
        f"{len(eligible)} of {len(screen.table)} candidates are eligible for {places}. "
        f"Scores are 0-100; weights financial {mandate.weights.financial:g}, "
        f"local economy {mandate.weights.local_economy:g}, social {mandate.weights.social:g}.",
        "",
        rows.to_string(index=False) if len(rows) else "(no eligible candidates)",
    ]
    return "\n".join(lines + _exclusions(screen))


def _exclusions(screen: Screen) -> list[str]:
    excluded = screen.table[~screen.table["eligible"]]
    if excluded.empty:
        return []
    outside = Counter(r[0] for r in excluded["reasons"] if r and r[0].startswith("outside"))
    lines = ["", f"{len(excluded)} not eligible:"]
    lines += [f"  {count} {reason}" for reason, count in sorted(outside.items())]
    for candidate, reasons in excluded["reasons"].items():
        inside = [r for r in reasons if not r.startswith("outside")]
        if inside:
            lines.append(f"  {candidate}: " + "; ".join(inside))
    return lines


def _money(value: float) -> str:
    return "no cap" if value == float("inf") else f"£{value / 1e6:,.1f}m"


def summary_text(inputs: Inputs) -> str:
    """The validate command's summary of checked inputs."""
    universe, mandate, reference = inputs.universe, inputs.mandate, inputs.reference
    has_covariance = inputs.covariance is not None
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


def allocation_text(run: AllocationRun, universe: Universe, mandate: Mandate, reference: Reference) -> str:
    """The allocation as a table with its portfolio figures, or the diagnosis as actions to take."""
    result = run.allocation
    places = ", ".join(str(reference.places.at[c, "name"]) for c in mandate.places)
    if result.status == "infeasible":
        lines = [f"The mandate cannot be met in {places}. To make it possible:"]
        lines += [
            f"  - {d.message}" + ("" if d.verified else " (not confirmed by a re-solve)")
            for d in result.diagnosis
        ]
        return "\n".join(lines)
    if not result.feasible:
        message = result.report.message if result.report else ""
        return f"No allocation: the solver stopped with status '{result.status}'. {message}".strip()
    held = result.amounts[result.amounts > 0]
    frame = universe.frame.loc[held.index]
    table = pd.DataFrame(
        {
            "id": held.index,
            "name": [_short(n.replace(" (illustrative)", ""), 38).ljust(38) for n in frame["name"]],
            "place": [str(reference.places.at[c, "name"]) for c in frame["local_authority"]],
            "£m": (held / 1e6).map("{:,.2f}".format),
            "share": (held / mandate.target_gbp).map("{:.1%}".format),
        }
    )
    metrics = result.metrics()
    lines = [
        f"£{held.sum() / 1e6:,.1f}m placed in {places} across {metrics['holdings']} holdings "
        f"(objective {mandate.objective}, {result.report.solver if result.report else ''}, status {result.status}).",
        "",
        table.to_string(index=False),
        "",
        f"expected return {metrics['expected_return']:.2%} a year · volatility {metrics['volatility']:.2%} "
        f"({run.risk.source}) · impact score {metrics['impact_score']:.1f} · about {metrics['jobs']:,.0f} jobs",
    ]
    lines.append(market_summary(reference))
    if result.report and result.report.message:
        lines.append(f"note: {result.report.message}")
    lines += ["", "Binding limits:"] + [f"  - {b.message}" for b in result.binding] if result.binding else []
    if run.comparison is not None:
        from portfolio.summary import comparison_text

        lines.append(comparison_text(run.comparison))
    return "\n".join(lines)
