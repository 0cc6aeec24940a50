"""What the command line writes: readable tables on stdout and JSON files written whole or not at all."""

from __future__ import annotations

import itertools
import json
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from impact_screen.files import write_atomically
from impact_screen.market import market_summary
from portfolio.scenario import ScenarioInputs
from screening.reading.mandate import Mandate
from screening.reading.reference import Reference
from screening.screen import Screen
from screening.summary import summarise
from screening.vocabulary import OBJECTIVES, figure, joined, money, show
from screening.vocabulary import PORTFOLIOS as PORTFOLIO_LABELS

if TYPE_CHECKING:
    from portfolio.result import LocalInvestment, Pacing, RunResult


def write_json(path: Path, document: object) -> None:
    """Write JSON to `path` ('-' = stdout): a file whole or not at all, encoded piece by piece."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)
    pieces = itertools.chain(encoder.iterencode(document), ["\n"])  # written as encoded, never whole
    if str(path) == "-":
        sys.stdout.writelines(pieces)
        return
    write_atomically(path, _batched(pieces))


TEXT_ROWS = 500  # the ranked table printed at most; the JSON holds every candidate


def _batched(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Small encoder pieces joined into writes of about `size` characters."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    yield "".join(batch)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def screen_text(screen: Screen, mandate: Mandate, reference: Reference) -> str:
    """The ranked eligible candidates as a table, then why the others were excluded."""
    eligible = screen.eligible
    shown = eligible.head(TEXT_ROWS)
    k = screen.settings.top_k
    rows = pd.DataFrame(
        {
            "rank": shown["rank"].astype(int),
            "id": shown.index,
            "name": [_short(n.replace(" (illustrative)", ""), 38).ljust(38) for n in shown["name"]],
            "score": shown["score"].map("{:.1f}".format),
            "financial": shown["financial"].map("{:.0f}".format),
            "local": shown["local_economy"].map("{:.0f}".format),
            "social": shown["social"].map("{:.0f}".format),
            "confidence": shown["confidence"].map("{:.0%}".format),
            "rank 5-95%": [
                f"{int(lo)}-{int(hi)}" for lo, hi in zip(shown["rank_low"], shown["rank_high"], strict=True)
            ],
            f"P(top {k})": shown["p_top_k"].map("{:.0%}".format),
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
    if len(eligible) > len(shown):
        lines.append(
            f"... and {len(eligible) - len(shown):,} more eligible candidates (--json OUT has every one)"
        )
    if screen.stability_note:
        lines += ["", screen.stability_note]
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
    return "no cap" if value == float("inf") else money(value)


def summary_text(inputs: ScenarioInputs) -> str:
    """The validate command's summary of checked inputs."""
    universe, mandate, reference = inputs.universe, inputs.mandate, inputs.reference
    has_covariance = inputs.covariance is not None
    facts = summarise(universe, mandate, reference)
    share = facts.target_share_of_fund
    fund = f" of a {_money(facts.fund_size_gbp)} fund ({share:.2%})" if facts.fund_size_gbp and share else ""
    lines = [
        f"candidates   {universe.provenance.describe()}: {facts.candidates} candidates in "
        f"{facts.places} places, {facts.sectors} sectors, {facts.asset_classes} asset classes",
        f"             {facts.local_candidates} in {joined(facts.place_names)}, able to take "
        f"{_money(facts.local_capacity_gbp)} in all",
        f"mandate      {mandate.name}",
        f"             target {_money(facts.target_gbp)}{fund}; aim: {OBJECTIVES[mandate.objective].lower()}; "
        f"{len(facts.limits_stated)} limits stated",
        "covariance   "
        + ("given: used as it is" if has_covariance else "none given: the factor model will be used"),
        f"assumptions  {reference.provenance['assumptions'].describe()}",
        "All inputs are valid.",
    ]
    return "\n".join(lines)


def allocation_text(result: RunResult, reference: Reference) -> str:
    """The allocation as a table with its figures and the comparison, or the diagnosis as actions."""
    places = joined(result.where())
    if result.status == "infeasible":
        lines = [f"The mandate cannot be met in {places}. To make it possible:"]
        lines += [
            f"  - {d.message}" + ("" if d.verified else " (not confirmed by a re-solve)")
            for d in result.diagnosis
        ]
        return "\n".join(lines)
    if not result.feasible:
        return f"No allocation: the solver stopped with status '{result.status}'. {result.solver.message}".strip()
    mine = result.portfolio
    table = pd.DataFrame(
        {
            "id": [h.id for h in result.allocations],
            "name": [_short(h.name.replace(" (illustrative)", ""), 38).ljust(38) for h in result.allocations],
            "place": [result.place(h.local_authority) for h in result.allocations],
            "amount": [show("amount_gbp", h.amount_gbp) for h in result.allocations],
            "share": [show("share", h.share) for h in result.allocations],
        }
    )
    figures = " · ".join(
        f"{figure(k).label.lower()} {show(k, getattr(mine, k))}"
        for k in ("expected_return", "volatility", "impact_score", "jobs")
    )
    lines = [
        f"{show('total_gbp', mine.total_gbp)} placed in {places} across {mine.holdings} holdings "
        f"(aim: {OBJECTIVES.get(result.objective, result.objective).lower()}; {result.solver.name}, "
        f"status {result.status}).",
        "",
        table.to_string(index=False),
        "",
        f"{figures} (risk: {result.risk_model})",
        market_summary(reference),
    ]
    if result.solver.message:
        lines.append(f"note: {result.solver.message}")
    if result.binding:
        lines += ["", "Binding limits:"] + [f"  - {b.message}" for b in result.binding]
    if result.frontier_note:
        lines += ["", result.frontier_note]
    if result.pacing is not None:
        from portfolio.pacing.summary import pacing_summary

        first = pacing_summary(result.pacing, keys=True)[0]
        lines += ["", textwrap.fill(f"{first} The plan year by year: impact-screen pacing.", width=100)]
    if result.compared:
        lines.append(comparison_text(result))
    return "\n".join(lines)


COMPARED = ("expected_return", "volatility", "jobs", "jobs_net", "local_spend_retained_gbp", "local_share")


def comparison_text(result: RunResult) -> str:
    """The three portfolios side by side, the fiduciary test and the worst stress, in the vocabulary's words."""
    panel = result.fiduciary
    assert result.compared and panel is not None
    width = max(len(label) for label in PORTFOLIO_LABELS.values()) + 2
    rows = [" " * width + "".join(f"{_column(k):>16}" for k in COMPARED)]
    for key, label in PORTFOLIO_LABELS.items():
        figures = result.figures(key)
        rows.append(f"{label:<{width}}" + "".join(f"{show(k, getattr(figures, k)):>16}" for k in COMPARED))
    test = f"{figure('return_given_up_bp').label}: {show('return_given_up_bp', panel.return_given_up_bp)}"
    test += f" ({show('return_given_up_gbp', panel.return_given_up_gbp)})"
    if panel.tolerance_bp is not None and panel.within_tolerance is not None:
        verdict = "within" if panel.within_tolerance else "NOT within"
        test += f"; {verdict} the committee's limit of {show('tolerance_bp', panel.tolerance_bp)}"
    lines = ["", "Compared with the same money elsewhere:", *rows, test]
    city = result.benchmarks.city_weighted if result.benchmarks is not None else None
    if city is not None and city.expected_return is None:  # its row above is blank: say why
        lines += [textwrap.fill(note, width=100) for note in city.city_notes]
    worst = result.worst_stress()
    if worst is not None:
        losses = ", ".join(
            f"{label} {show('loss_gbp', worst.loss(key))}"
            for key, label in PORTFOLIO_LABELS.items()
            if worst.loss(key) is not None
        )
        lines.append(f"Worst stress test ({worst.name}), loss: {losses}")
    return "\n".join([*lines, "", textwrap.fill(result.summary or "", width=100)])


_SHORT = {
    "expected_return": "return",
    "volatility": "volatility",
    "jobs": "jobs (gross)",
    "jobs_net": "jobs (net)",
    "local_spend_retained_gbp": "kept locally",
    "local_share": "in the places",
}


def _column(key: str) -> str:
    """A column heading short enough for a terminal; the full label is in the docs and the paper."""
    return _SHORT[key]


def pacing_text(pacing: Pacing) -> str:
    """The commitment plan: its story in sentences, the table year by year, the assumptions."""
    from impact_screen.chart_data import pacing_assumptions, pacing_table
    from portfolio.pacing.summary import pacing_summary

    lines = [textwrap.fill(line, width=100) for line in pacing_summary(pacing, keys=True)]
    for table in (pacing_table(pacing), pacing_assumptions(pacing)):
        if table is None:
            continue
        frame = pd.DataFrame(
            [[figure(c).format(v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows],
            columns=[figure(c).label for c in table.columns],
        )
        lines += ["", f"{table.title}:", frame.to_string(index=False)]
    return "\n".join(lines)


def local_investment_text(found: LocalInvestment) -> str:
    """The local investment report: the verdict against the target range, the money by district
    and group, what it does beside the peer, what is not counted and the flags, then the notes."""
    from impact_screen.chart_data import (
        LOCAL_REPORT_TITLE,
        local_kpis,
        local_tables,
        local_target,
    )
    from portfolio.local_investment import local_investment_lines

    lines = [f"{LOCAL_REPORT_TITLE}:"]
    lines += [textwrap.fill(line, width=100) for line in local_investment_lines(found)]
    tables = (local_target(found), local_kpis(found)) if found.status == "allocated" else ()
    for rows in tables:
        frame = pd.DataFrame(
            [[figure(key).label, *(figure(key).format(v) for v in values)] for key, values in rows.rows],
            columns=["", *rows.columns],
        )
        lines += ["", f"{rows.title}:", frame.to_string(index=False)]
    for table in local_tables(found):
        frame = pd.DataFrame(
            [[figure(c).format(v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows],
            columns=[figure(c).label for c in table.columns],
        )
        lines += ["", f"{table.title}:", frame.to_string(index=False)]
    notes = [*found.notes, *found.kpis.notes]
    if notes:
        lines += [
            "",
            "Notes:",
            *(textwrap.fill(n, width=100, initial_indent="- ", subsequent_indent="  ") for n in notes),
        ]
    return "\n".join(lines)
