"""Reports of a saved run: an XLSX workbook (`impact_screen.reports_xlsx`) and an HTML committee
paper (`impact_screen.reports_html`). Both are made from a `SavedRun`, so a report can be made again
at any time from the store, and the app can make one from a run it has not saved.

This module holds what both share: the caveats, figures and keys worded for a person, results
flattened into rows (benchmarks, stress, projection), and writing a report file.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from pathlib import Path

from impact_screen.store import SavedRun
from screening.files import write_atomically

COMPARISON_KEYS = ("summary", "fiduciary", "benchmarks", "stress", "projection")

CAVEATS = (
    "The bundled candidates and capital market assumptions are illustrative: invented for "
    "demonstration, with no real deal terms. Replace them with your own before relying on any figure.",
    "Expected returns and volatilities are assumptions, not forecasts. Local private assets have no "
    "price history; their risk comes from a factor model whose settings are illustrative.",
    "Impact figures (jobs, homes, carbon, local spend) are as the candidates report them, weighted by "
    "the quality of their evidence; a blank figure is unknown and is filled cautiously, never as zero.",
    "The inputs are stored with the run: `impact-screen runs rerun NAME` re-solves them and checks the "
    "allocation to the pound.",
)


def flat_mandate(saved: SavedRun) -> list[tuple[str, object]]:
    """The mandate as (dotted key, value) rows, in file order."""

    def walk(value: object, prefix: str) -> Iterable[tuple[str, object]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{prefix}.{key}" if prefix else str(key))
        else:
            yield prefix, value

    return list(walk(tomllib.loads(saved.mandate_toml), ""))


def is_illustrative(saved: SavedRun) -> bool:
    return any("illustrative" in str(p.get("status", "")) for p in saved.provenance.values())


def format_value(key: str, value: object) -> str:
    """A figure for a person, guided by its key: £ for *_gbp, % for returns and shares, bp for *_bp."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(format_value(key, v) for v in value)
    if not isinstance(value, int | float):
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        return str(value)
    name = key.lower().rsplit(".", 1)[-1]
    if "gbp" in name and "per_gbp" not in name:
        return f"£{number:,.0f}"
    if name.endswith("_bp") or name == "bp":
        return f"{number:,.1f} bp"
    if (
        any(
            w in name
            for w in ("return", "volatility", "share", "drawdown", "yield", "rate", "error", "probability")
        )
        and abs(number) <= 5
    ):
        return f"{number:.2%}"
    if isinstance(value, int) or number.is_integer():
        return f"{number:,.0f}"
    return f"{number:,.2f}" if abs(number) >= 100 else f"{number:.4g}"


def records(value: object) -> tuple[list[str], list[dict[str, object]]] | None:
    """A JSON value as a table (columns, rows) when it has that shape, else None.

    A list of records; a mapping of name -> record (the name becomes the first column); a mapping
    of scalars (two columns).
    """
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        rows = [{k: _scalar(v) for k, v in item.items()} for item in value]
    elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        rows = [{"name": k, **{kk: _scalar(vv) for kk, vv in v.items()}} for k, v in value.items()]
    elif isinstance(value, dict) and value:
        rows = [{"item": k, "value": _scalar(v)} for k, v in value.items()]
    else:
        return None
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    return columns, rows


def _scalar(value: object) -> object:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {format_value(k, v)}" for k, v in value.items())
    if isinstance(value, list) and not all(
        isinstance(v, str | int | float | bool) or v is None for v in value
    ):
        return "; ".join(str(_scalar(v)) for v in value)
    return value


def money_m(value: float) -> str:
    return f"£{value / 1e6:,.2f}m"


def label_of(key: str) -> str:
    """A JSON key for a person: 'local_spend_retained_gbp' -> 'local spend retained (£)'."""
    words = key.replace("co2", "CO2").split("_")
    unit = ""
    if words[-1] == "gbp":
        words, unit = words[:-1], " (£)"
    elif words[-1] == "bp":
        words, unit = words[:-1], " (bp)"
    elif words[-1] == "t":
        words, unit = words[:-1], " (tonnes)"
    return " ".join(words) + unit


SERIES = {"portfolio": "This allocation", "uk": "UK benchmark", "city_weighted": "City-weighted benchmark"}


def series_label(key: str) -> str:
    """'uk_loss_gbp' -> 'UK benchmark loss (£)'; 'city_weighted' -> 'City-weighted benchmark'."""
    for name, label in SERIES.items():
        if key == name:
            return label
        if key.startswith(name + "_"):
            return f"{label} {label_of(key[len(name) + 1 :])}"
    return label_of(key)


def flat_scalars(value: object, prefix: str = "") -> list[tuple[str, object]]:
    """(dotted key, value) for every scalar in nested mappings; lists and notes are left out."""
    out: list[tuple[str, object]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out += flat_scalars(item, f"{prefix}.{key}" if prefix else str(key))
    elif not isinstance(value, list):
        out.append((prefix, value))
    return out


def portfolios(results: dict) -> list[tuple[str, dict]]:
    """This allocation and each benchmark (short label, figures), for side-by-side tables and charts."""
    found = [("This allocation", results.get("portfolio", {}))]
    benchmarks = results.get("benchmarks")
    items: list[tuple[str, object]] = []
    if isinstance(benchmarks, dict):
        items = list(benchmarks.items())
    elif isinstance(benchmarks, list):
        items = [
            (str(b.get("name") or b.get("id") or i), b)
            for i, b in enumerate(benchmarks)
            if isinstance(b, dict)
        ]
    for name, value in items:
        if isinstance(value, dict):
            figures = {**value, **(value.get("portfolio") or {}), **(value.get("metrics") or {})}
            found.append((str(value.get("label") or name).split(":")[0], figures))
    return found


_NOT_FIGURES = {"total_gbp", "holdings", "status", "weighting", "label"}


def benchmark_rows(results: dict) -> tuple[list[str], list[list[object]]]:
    """(headers, rows): one row per figure, one column per portfolio (None = unknown)."""
    shown = portfolios(results)
    keys: list[str] = []
    for _, figures in shown:
        keys += [
            k
            for k, v in figures.items()
            if k not in keys
            and k not in _NOT_FIGURES
            and (isinstance(v, int | float) or v is None)
            and not isinstance(v, bool)
        ]
    rows = [[key, *[figures.get(key) for _, figures in shown]] for key in keys]
    return ["figure", *[name for name, _ in shown]], rows


def notes_of(results: dict) -> list[str]:
    """Every note the comparison gives, once each, in order."""
    notes: list[str] = []

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list) and key.endswith("notes"):
            notes.extend(str(n) for n in value if str(n) not in notes)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk({k: results.get(k) for k in ("portfolio", "benchmarks", "fiduciary", "comparison") if k in results})
    return notes


def stress_rows(results: dict) -> tuple[list[str], list[list[object]]] | None:
    """(headers, rows) of each scenario's losses, or None when the stress results are not records."""
    stress = results.get("stress")
    if not isinstance(stress, list) or not stress or not all(isinstance(s, dict) for s in stress):
        return None
    keys: list[str] = []
    for scenario in stress:
        keys += [
            k
            for k, v in scenario.items()
            if k not in keys and isinstance(v, int | float) and not isinstance(v, bool)
        ]
    first = "name" if "name" in stress[0] else "scenario" if "scenario" in stress[0] else None
    return [first or "scenario", *keys], [
        [s.get(first) if first else i + 1, *[s.get(k) for k in keys]] for i, s in enumerate(stress)
    ]


def projection_rows(results: dict) -> tuple[list[str], list[list[object]]] | None:
    """(headers, rows): each portfolio's value at the projection's last year, by percentile."""
    projection = results.get("projection")
    bands = projection.get("bands") if isinstance(projection, dict) else None
    if not isinstance(bands, dict) or not bands:
        return None
    percentiles: list[str] = []
    for table in bands.values():
        percentiles += [p for p in (table or {}) if p not in percentiles]
    rows = []
    for name, table in bands.items():
        finals = [
            (table.get(p) or [None])[-1] if isinstance(table.get(p), list) else None for p in percentiles
        ]
        loss = (projection.get("probability_of_loss") or {}).get(name)
        below = (projection.get("probability_below_uk") or {}).get(name)
        rows.append([name, *finals, loss, below])
    return [
        "portfolio",
        *[f"{p}_gbp" for p in percentiles],
        "probability_of_loss",
        "probability_below_uk",
    ], rows


def write_bytes(path: Path, content: bytes) -> None:
    """Write a report whole or not at all."""
    write_atomically(path, content)
