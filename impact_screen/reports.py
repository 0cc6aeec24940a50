"""Reports of a saved run: an XLSX workbook (`impact_screen.reports_xlsx`) and an HTML committee
paper (`impact_screen.reports_html`). Both are made from a `SavedRun`, read back as the typed
`RunResult` (`impact_screen.runs.result_of`) and worded by `screening.vocabulary`, so a report can
be made again at any time from the store.

This module holds what both share: the caveats, whether the run rests on illustrative data, the
commitment plan's and the local investment report's sentences, and writing a report file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from impact_screen.files import write_atomically
from impact_screen.store import SavedRun
from portfolio.result import RunResult

CAVEATS = (
    "The bundled candidates and capital market assumptions are illustrative: invented for "
    "demonstration, with no real deal terms. Replace them with your own before relying on any figure.",
    "Expected returns and volatilities are assumptions, not forecasts. Local private assets have no "
    "price history; their risk comes from a factor model whose settings are illustrative.",
    "Impact figures (jobs, homes, carbon, local spend) are as the candidates report them, weighted by "
    "the quality of their evidence; a blank figure is unknown and is filled cautiously, never as zero.",
)
REPRODUCE = (
    "Every input of this run is stored with it, so the allocation can be re-solved and checked to the "
    "pound at any time (impact-screen runs rerun, with the run's name)."
)


NO_PACING = (
    "The mandate sets no commitment plan (no year by which the money must be at work), so there is "
    "no schedule of commitments, calls and distributions for this run."
)


def pacing_lines(result: RunResult, mandate_toml: str) -> list[str]:
    """The commitment plan in plain sentences (`portfolio.pacing.summary`), or the one sentence
    that says why the run has none: no [pacing] table in the mandate, no allocation, no
    comparison, or pacing assumptions the plan could not be made with."""
    import tomllib

    if result.pacing is not None:
        from portfolio.pacing.summary import pacing_summary

        return pacing_summary(result.pacing)
    try:
        document = tomllib.loads(mandate_toml)
    except tomllib.TOMLDecodeError:
        document = {}
    if not isinstance(document.get("pacing"), dict):
        return [NO_PACING]
    if not result.feasible:
        return [
            "There is no commitment plan: no allocation meets the mandate, so there is no mix of "
            "asset classes to pace."
        ]
    if not result.compared:
        return [
            "This run does not include the benchmark comparison, which the commitment plan is made "
            "with, so there is no plan."
        ]
    return [
        "The mandate sets a commitment plan, but it could not be made with the pacing assumptions file "
        "(the command impact-screen pacing says why)."
    ]


NO_LOCAL = (
    "The mandate sets no local investment target range, so there is no local investment report for this run."
)


def local_lines(result: RunResult, mandate_toml: str) -> list[str]:
    """The local investment report in plain sentences (`portfolio.local_investment`), or the one
    sentence that says why the run has none: no [local_investment] table in the mandate, no
    allocation, or a run saved before the report existed."""
    import tomllib

    if result.local_investment is not None:
        from portfolio.local_investment import local_investment_lines

        return local_investment_lines(result.local_investment)
    try:
        document = tomllib.loads(mandate_toml)
    except tomllib.TOMLDecodeError:
        document = {}
    if not isinstance(document.get("local_investment"), dict):
        return [NO_LOCAL]
    if not result.feasible:
        return [
            "There is no local investment report: no allocation meets the mandate, so no money is "
            "counted against the target range."
        ]
    return [
        "This run was saved before local investment reports were made, so it has none (the command "
        "impact-screen local-report makes one)."
    ]


def pacing_source(result: RunResult) -> str:
    """The one sentence under the pacing assumptions table: what they are and which file they are
    from (the bundled file's are judgement, not fitted to data; a file of the user's is theirs)."""
    source = result.provenance.get("pacing_assumptions")
    model = "the Takahashi-Alexander model (Takahashi and Alexander 2002)"
    if source is None or source.source == "bundled":
        name = f" ({file_name(source.name)})" if source is not None else ""
        return (
            f"These are assumptions of {model}, chosen by judgement and not fitted to data, from the "
            f"bundled pacing assumptions file{name}."
        )
    return (
        f"These are the settings of {model} from the pacing assumptions file this run was given "
        f"({file_name(source.name)})."
    )


def file_name(name: str) -> str:
    """A file's name without the folders of the machine that read it (either kind of slash)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def when(iso: str) -> str:
    """An ISO time for a person: '2026-12-02T14:45:59+00:00' -> '2 December 2026, 14:45 UTC'."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def mandate_items(document: dict) -> list[tuple[str, object]]:
    """The mandate's keys and values in file order, nested tables as dotted keys
    ('sector_caps.sme_finance'), for the reports' mandate tables."""

    def walk(value: object, prefix: str) -> Iterable[tuple[str, object]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{prefix}.{key}" if prefix else str(key))
        else:
            yield prefix, value

    return list(walk(document, ""))


def is_illustrative(saved: SavedRun) -> bool:
    return any("illustrative" in str(p.get("status", "")) for p in saved.provenance.values())


def write_bytes(path: Path, content: bytes) -> None:
    """Write a report whole or not at all."""
    write_atomically(path, content)
