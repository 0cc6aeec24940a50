"""The workbook of a saved run: Summary, Mandate, Candidates, Screen, Allocation, Comparison,
Stress, Assumptions, Provenance (and Frontier). What it shares with the HTML committee paper is in
`impact_screen.reports`.

Every text a user supplied (candidate names, sectors, the mandate's name, file names) is inert:
a text is always a text cell, and one starting with = + - @ (or a tab or carriage return) also
carries Excel's quote prefix, so it is never read or re-entered as a formula. `put` does this for
the app's table downloads (`impact_screen.downloads`) too.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence

from impact_screen.reports import (
    CAVEATS,
    benchmark_rows,
    flat_mandate,
    flat_scalars,
    format_value,
    notes_of,
    projection_rows,
    records,
    stress_rows,
)
from impact_screen.store import SavedRun

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML at all
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
EXCEL_TEXT_LIMIT = 32_767


def _clean(text: str) -> str:
    return _ILLEGAL.sub("\ufffd", text)[:EXCEL_TEXT_LIMIT]


def put(sheet, row: int, column: int, value: object, bold: bool = False, number_format: str | None = None):
    """Write one cell: numbers as numbers, every text as an inert text cell."""
    from openpyxl.styles import Font

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool) or value is None:
        cell.value = value
    elif isinstance(value, int | float):
        cell.value = value if math.isfinite(float(value)) else str(value)
    else:
        text = _clean(value if isinstance(value, str) else str(value))
        cell.value = text
        cell.data_type = "s"  # never 'f': openpyxl would otherwise write text starting '=' as a formula
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    if bold:
        cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format
    return cell


def _cell_of_raw(value: object) -> object:
    """A candidate file cell: numeric text becomes a number, other text stays text."""
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value)
        return (
            int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
        )
    return value


def _table(sheet, top: int, columns: Sequence[str], rows: Iterable[Sequence[object]], formats=None) -> int:
    """Header and rows from `top`; returns the next free row."""
    for j, name in enumerate(columns, start=1):
        put(sheet, top, j, name, bold=True)
    r = top
    for r, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row, start=1):
            put(sheet, r, j, value, number_format=(formats or {}).get(columns[j - 1]))
    return r + 2


def _title(sheet, text: str) -> None:
    from openpyxl.styles import Font

    put(sheet, 1, 1, text).font = Font(bold=True, size=13)


def _widths(sheet, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width


def _json_section(sheet, top: int, title: str, value: object) -> int:
    put(sheet, top, 1, title, bold=True)
    shaped = records(value)
    if shaped is None:
        put(sheet, top + 1, 1, format_value(title, value) if not isinstance(value, str) else value)
        return top + 3
    columns, rows = shaped
    return _table(sheet, top + 1, columns, ([row.get(c) for c in columns] for row in rows))


def summary_rows(saved: SavedRun) -> list[tuple[str, object, str | None]]:
    """(label, value, Excel number format) of the run's headline figures."""
    results, portfolio = saved.results, saved.results.get("portfolio", {})
    assumptions = saved.provenance.get("assumptions", {})
    return [
        ("Run", saved.name, None),
        ("Saved at (UTC)", saved.created_at, None),
        ("Mandate", results.get("mandate") or saved.summary.get("mandate"), None),
        ("Objective", results.get("objective"), None),
        ("Status", results.get("status"), None),
        ("Target (£)", results.get("target_gbp"), "£#,##0"),
        ("Placed (£)", portfolio.get("total_gbp"), "£#,##0"),
        ("Holdings", portfolio.get("holdings"), "0"),
        ("Expected return", portfolio.get("expected_return"), "0.00%"),
        ("Volatility", portfolio.get("volatility"), "0.00%"),
        ("Impact score (0-100)", portfolio.get("impact_score"), "0.0"),
        ("Jobs (gross)", portfolio.get("jobs"), "#,##0"),
        ("Risk model", results.get("risk_model"), None),
        ("Assumptions", f"{assumptions.get('source', '')} (as of {assumptions.get('as_of') or 'n/a'})", None),
        ("Candidate file", f"{saved.candidates.name} (sha256 {saved.candidates.sha256})", None),
    ]


def xlsx_report(saved: SavedRun) -> bytes:
    """The workbook: Summary, Mandate, Candidates, Screen, Allocation, Comparison, Stress,
    Assumptions, Provenance (and Frontier when there is one)."""
    from openpyxl import Workbook

    from screening import InputError, InputFile
    from screening.tables import read_table

    book = Workbook()
    results = saved.results

    sheet = book.active
    sheet.title = "Summary"
    _title(sheet, f"Impact screen: {results.get('mandate') or saved.name}")
    r = 3
    for r, (label, value, fmt) in enumerate(summary_rows(saved), start=3):
        put(sheet, r, 1, label, bold=True)
        put(sheet, r, 2, value, number_format=fmt)
    r += 2
    if "summary" in results:
        r = _json_section(sheet, r, "summary", results["summary"])
    put(sheet, r, 1, "Caveats", bold=True)
    for offset, caveat in enumerate(CAVEATS, start=1):
        put(sheet, r + offset, 1, caveat)
    _widths(sheet, [26, 90])

    sheet = book.create_sheet("Mandate")
    _table(
        sheet,
        1,
        ["key", "value"],
        ([k, format_value("", v) if isinstance(v, list) else v] for k, v in flat_mandate(saved)),
    )
    _widths(sheet, [30, 60])

    sheet = book.create_sheet("Candidates")
    try:
        raw = read_table(
            InputFile(saved.candidates.name, saved.candidates.content, "file"), sheet="candidates"
        )
        _table(
            sheet,
            1,
            [str(h) for h in raw.header],
            ([_cell_of_raw(c) for c in cells] for _, cells in raw.rows),
        )
    except InputError as exc:
        put(sheet, 1, 1, f"the stored candidate file cannot be read: {exc}")

    sheet = book.create_sheet("Screen")
    columns = [
        "id",
        "name",
        "local_authority",
        "eligible",
        "rank",
        "score",
        "financial",
        "local_economy",
        "social",
    ]
    columns += ["confidence", "reasons", "missing"]
    _table(
        sheet,
        1,
        columns,
        (
            [
                c.get("id"),
                c.get("name"),
                c.get("local_authority"),
                c.get("eligible"),
                c.get("rank"),
                c.get("score"),
            ]
            + [c.get("pillars", {}).get(p) for p in ("financial", "local_economy", "social")]
            + [c.get("confidence"), "; ".join(c.get("reasons") or []), ", ".join(c.get("missing") or [])]
            for c in saved.screen
        ),
        {"confidence": "0%"},
    )
    _widths(sheet, [12, 40, 14, 9, 6, 7, 9, 13, 7, 11, 60, 40])

    sheet = book.create_sheet("Allocation")
    columns = ["id", "name", "local_authority", "sector", "asset_class", "amount_gbp", "share"]
    r = _table(
        sheet,
        1,
        columns,
        ([a.get(c) for c in columns] for a in results.get("allocations", [])),
        {"amount_gbp": "£#,##0", "share": "0.00%"},
    )
    for title in ("binding", "diagnosis"):
        if results.get(title):
            r = _json_section(sheet, r, title, results[title])
    for title in ("by_place", "by_sector"):
        if results.get("portfolio", {}).get(title):
            r = _json_section(sheet, r, title, results["portfolio"][title])
    _widths(sheet, [12, 40, 14, 20, 18, 14, 9])

    sheet = book.create_sheet("Comparison")
    _comparison_sheet(sheet, results)
    sheet = book.create_sheet("Stress")
    _stress_sheet(sheet, results)

    sheet = book.create_sheet("Assumptions")
    r = _csv_table(sheet, 1, "Capital market assumptions used", saved.assumptions_csv)
    _csv_table(sheet, r, "Correlations used", saved.correlations_csv)

    sheet = book.create_sheet("Provenance")
    fields = ["source", "name", "sha256", "status", "as_of", "loaded_at", "note"]
    r = _table(
        sheet,
        1,
        ["input", *fields],
        ([key] + [p.get(f) for f in fields] for key, p in saved.provenance.items()),
    )
    r = _table(sheet, r, ["package", "version"], saved.versions.items())
    r = _table(sheet, r, ["setting", "value"], saved.settings.items())
    solver = results.get("solver") or {}
    _table(sheet, r, ["solver", "value"], ([k, v] for k, v in solver.items()))
    _widths(sheet, [16, 10, 40, 66, 22, 12, 26, 60])

    if results.get("frontier"):
        sheet = book.create_sheet("Frontier")
        points = results["frontier"]
        columns = list(points[0])
        _table(sheet, 1, columns, ([p.get(c) for c in columns] for p in points))

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _comparison_sheet(sheet, results: dict) -> None:
    """Fiduciary test, the benchmarks side by side, the UK mix, the city-weighted places, projection."""
    if not any(k in results for k in ("fiduciary", "benchmarks", "projection")):
        put(sheet, 1, 1, "This run has no benchmark comparison or fiduciary test.")
        return
    r = 1
    if "fiduciary" in results:
        put(sheet, r, 1, "Fiduciary test", bold=True)
        r = _table(sheet, r + 1, ["item", "value"], flat_scalars(results["fiduciary"]))
    if "benchmarks" in results:
        headers, rows = benchmark_rows(results)
        put(sheet, r, 1, "This allocation against the benchmarks", bold=True)
        r = _table(sheet, r + 1, headers, rows)
        benchmarks = results["benchmarks"] if isinstance(results["benchmarks"], dict) else {}
        for name, value in benchmarks.items():
            for part in ("mix", "places", "allocations"):
                if isinstance(value, dict) and value.get(part):
                    r = _json_section(sheet, r, f"{name}: {part}", value[part])
    shaped = projection_rows(results)
    if shaped is not None:
        put(
            sheet,
            r,
            1,
            f"Projection: value after {results['projection'].get('years', [''])[-1]} years",
            bold=True,
        )
        r = _table(sheet, r + 1, *shaped)
        projection = results["projection"]
        for name, table in projection["bands"].items():
            years = projection.get("years") or list(range(len(next(iter(table.values())))))
            columns = ["year", *table]
            put(sheet, r, 1, f"Projection: {name} (£, by percentile)", bold=True)
            r = _table(
                sheet, r + 1, columns, [[y, *[table[p][i] for p in table]] for i, y in enumerate(years)]
            )
    elif "projection" in results:
        r = _json_section(sheet, r, "projection", results["projection"])
    notes = notes_of(results)
    if notes:
        put(sheet, r, 1, "Notes", bold=True)
        for offset, note in enumerate(notes, start=1):
            put(sheet, r + offset, 1, note)
    _widths(sheet, [44, 22, 22, 22, 18, 18, 18])


def _stress_sheet(sheet, results: dict) -> None:
    if "stress" not in results:
        put(sheet, 1, 1, "This run has no stress results.")
        return
    shaped = stress_rows(results)
    if shaped is None:
        _json_section(sheet, 1, "stress", results["stress"])
        return
    put(sheet, 1, 1, "Loss in each stress scenario (£)", bold=True)
    r = _table(sheet, 2, *shaped)
    shocks = [
        (s.get("name"), s.get("shocks")) for s in results["stress"] if isinstance(s.get("shocks"), dict)
    ]
    if shocks:
        targets: list[str] = []
        for _, shock in shocks:
            targets += [t for t in shock if t not in targets]
        put(sheet, r, 1, "Shocks (return, by asset class or place)", bold=True)
        r = _table(
            sheet, r + 1, ["scenario", *targets], [[n, *[s.get(t) for t in targets]] for n, s in shocks]
        )
    why = [
        [s.get("name"), target, text]
        for s in results["stress"]
        if isinstance(s.get("descriptions"), dict)
        for target, text in s["descriptions"].items()
    ]
    if why:
        put(sheet, r, 1, "Why each shock", bold=True)
        _table(sheet, r + 1, ["scenario", "applies_to", "description"], why)
    _widths(sheet, [34, 20, 20, 20, 14, 14, 14, 14, 14, 14, 14])


def _csv_table(sheet, top: int, title: str, text: str) -> int:
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    put(sheet, top, 1, title, bold=True)
    if not rows:
        return top + 2
    return _table(sheet, top + 1, rows[0], ([_cell_of_raw(c) for c in row] for row in rows[1:]))
