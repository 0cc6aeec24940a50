"""The workbook of a saved run: Summary, Mandate, Candidates, Screen, Allocation, Comparison,
Stress, Pacing, Local investment report, Assumptions, Provenance (and Frontier). Every sheet reads the typed `RunResult`
(`impact_screen.runs.result_of`); headers are the vocabulary's (`figure(key).heading`) and every
figure is a number cell with the vocabulary's Excel number format, so it reads as the paper does.

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

from impact_screen import chart_data
from impact_screen.reports import CAVEATS, REPRODUCE, local_lines, mandate_items, pacing_lines, pacing_source
from impact_screen.runs import result_of
from impact_screen.store import SavedRun
from portfolio.result import PORTFOLIOS, RunResult
from screening import vocabulary as words
from screening.vocabulary import figure

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


def _fig(key: str) -> tuple[str, str]:
    """(heading, Excel number format) of a vocabulary figure."""
    term = figure(key)
    return term.heading, term.excel_format


def _mandate_rows(text: str) -> list[tuple[str, object, str | None]]:
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    rows: list[tuple[str, object, str | None]] = []
    for key, value in mandate_items(document):
        term = words.mandate_term(key)
        if term.unit != "text" and isinstance(value, int | float) and not isinstance(value, bool):
            rows.append((term.heading, term.cell(value), term.excel_format))
        else:
            rows.append((term.label, words.mandate_value(key, value), None))
    return rows


def summary_rows(saved: SavedRun, result: RunResult | None = None) -> list[tuple[str, object, str | None]]:
    """(label, value, Excel number format) of the run's headline figures."""
    result = result or result_of(saved)
    mine = result.portfolio
    assumptions = result.provenance.get("assumptions")
    rows: list[tuple[str, object, str | None]] = [
        ("Run", saved.name, None),
        ("Saved at (UTC)", saved.created_at, None),
        ("Mandate", result.mandate or saved.name, None),
        ("Aim", words.OBJECTIVES.get(result.objective, result.objective), None),
        ("Status", words.status_words(result.status), None),
        ("Target (£)", result.target_gbp, words.EXCEL_FORMATS["money"]),
    ]
    for key in (
        "total_gbp",
        "holdings",
        "expected_return",
        "volatility",
        "impact_score",
        "jobs",
        "jobs_net",
        "local_spend_retained_gbp",
    ):
        heading, fmt = _fig(key)
        rows.append((heading, getattr(mine, key), fmt))
    if result.fiduciary is not None:
        for key in ("return_given_up_bp", "return_given_up_gbp"):
            heading, fmt = _fig(key)
            rows.append((heading, figure(key).cell(getattr(result.fiduciary, key)), fmt))
    rows += [
        ("Risk model", result.risk_model, None),
        (
            "Assumptions",
            f"{assumptions.source} (as of {assumptions.as_of or 'n/a'})" if assumptions else "-",
            None,
        ),
        ("Candidate file", f"{saved.candidates.name} (sha256 {saved.candidates.sha256})", None),
    ]
    return rows


def xlsx_report(saved: SavedRun) -> bytes:
    """The workbook: Summary, Mandate, Candidates, Screen, Allocation, Comparison, Stress, Pacing,
    Local investment report, Assumptions, Provenance (and Frontier when there is one)."""
    from openpyxl import Workbook

    from screening import InputError, InputFile
    from screening.reading.tables import read_table

    result = result_of(saved)
    book = Workbook()

    sheet = book.active
    sheet.title = "Summary"
    _title(sheet, f"Impact screen: {result.mandate or saved.name}")
    r = 3
    for r, (label, value, fmt) in enumerate(summary_rows(saved, result), start=3):
        put(sheet, r, 1, label, bold=True)
        put(sheet, r, 2, value, number_format=fmt)
    r += 2
    if result.summary:
        put(sheet, r, 1, "Summary", bold=True)
        put(sheet, r + 1, 1, result.summary)
        r += 3
    put(sheet, r, 1, "Caveats", bold=True)
    for offset, caveat in enumerate((*CAVEATS, REPRODUCE), start=1):
        put(sheet, r + offset, 1, caveat)
    _widths(sheet, [40, 90])

    sheet = book.create_sheet("Mandate")
    put(sheet, 1, 1, "Setting", bold=True)
    put(sheet, 1, 2, "Value", bold=True)
    for r, (label, value, fmt) in enumerate(_mandate_rows(saved.mandate_toml), start=2):
        put(sheet, r, 1, label)
        put(sheet, r, 2, value, number_format=fmt)
    _widths(sheet, [44, 60])

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
        "Id",
        "Name",
        "Place",
        "ONS code",
        "Eligible",
        "Rank",
        "Score",
        "Financial",
        "Local economy",
        "Social",
        "Confidence",
        "Why not eligible",
        "Missing figures",
    ]
    _table(
        sheet,
        1,
        columns,
        (
            [c.id, c.name, result.place(c.local_authority), c.local_authority, c.eligible, c.rank, c.score]
            + [c.pillars.get(p) for p in ("financial", "local_economy", "social")]
            + [c.confidence, "; ".join(words.plain(x) for x in c.reasons), ", ".join(c.missing)]
            for c in result.screen or []
        ),
        {"Score": "0.0", "Financial": "0.0", "Local economy": "0.0", "Social": "0.0", "Confidence": "0%"},
    )
    _widths(sheet, [12, 40, 22, 12, 9, 6, 7, 9, 13, 7, 11, 60, 40])

    sheet = book.create_sheet("Allocation")
    amount, amount_format = _fig("amount_gbp")
    share, share_format = _fig("share")
    r = _table(
        sheet,
        1,
        ["Id", "Name", "Place", "Sector", "Asset class", amount, share, "ONS code"],
        (
            [
                h.id,
                h.name,
                result.place(h.local_authority),
                words.sector(h.sector),
                words.asset_class(h.asset_class),
                h.amount_gbp,
                h.share,
                h.local_authority,
            ]
            for h in result.allocations
        ),
        {amount: amount_format, share: share_format},
    )
    for title, lines in (
        ("Limits that bind", [b.message for b in result.binding]),
        ("To make the mandate possible", [d.message for d in result.diagnosis]),
    ):
        if lines:
            put(sheet, r, 1, title, bold=True)
            for offset, line in enumerate(lines, start=1):
                put(sheet, r + offset, 1, words.plain(line))
            r += len(lines) + 2
    money_format = words.EXCEL_FORMATS["money"]
    if result.portfolio.by_place:
        put(sheet, r, 1, "Money by place", bold=True)
        r = _table(
            sheet,
            r + 1,
            ["Place", "Amount (£)", "ONS code"],
            ([result.place(c), v, c] for c, v in result.portfolio.by_place.items()),
            {"Amount (£)": money_format},
        )
    if result.portfolio.by_sector:
        put(sheet, r, 1, "Money by sector", bold=True)
        r = _table(
            sheet,
            r + 1,
            ["Sector", "Amount (£)"],
            ([words.sector(c), v] for c, v in result.portfolio.by_sector.items()),
            {"Amount (£)": money_format},
        )
    _widths(sheet, [12, 40, 22, 20, 18, 16, 12, 12])

    sheet = book.create_sheet("Comparison")
    _comparison_sheet(sheet, result)
    sheet = book.create_sheet("Stress")
    _stress_sheet(sheet, result)
    sheet = book.create_sheet("Pacing")
    _pacing_sheet(sheet, result, saved.mandate_toml)
    sheet = book.create_sheet(chart_data.LOCAL_REPORT_TITLE)
    _local_sheet(sheet, result, saved.mandate_toml)

    sheet = book.create_sheet("Assumptions")
    r = _csv_table(sheet, 1, "Capital market assumptions used", saved.assumptions_csv)
    _csv_table(sheet, r, "Correlations used", saved.correlations_csv)

    sheet = book.create_sheet("Provenance")
    fields = ["source", "name", "sha256", "status", "as_of", "loaded_at", "note"]
    r = _table(
        sheet,
        1,
        ["Input", "Source", "File", "SHA-256", "Status", "As of", "Loaded at", "Note"],
        (
            [words.input_label(role), *[getattr(p, f) for f in fields]]
            for role, p in result.provenance.items()
        ),
    )
    r = _table(sheet, r, ["Package", "Version"], saved.versions.items())
    r = _table(sheet, r, ["Setting", "Value"], saved.settings.items())
    solver = result.solver
    _table(
        sheet,
        r,
        ["Solver", "Value"],
        [
            ["name", solver.name],
            ["status", solver.status],
            ["seconds", solver.seconds],
            ["gap", solver.gap],
            ["message", solver.message],
        ],
    )
    _widths(sheet, [16, 10, 40, 66, 22, 12, 26, 60])

    if result.frontier:
        sheet = book.create_sheet("Frontier")
        keys = ("impact_score", "expected_return", "volatility", "jobs")
        headings = [_fig(k) for k in keys]
        _table(
            sheet,
            1,
            [h for h, _ in headings],
            ([getattr(p, k) for k in keys] for p in result.frontier),
            dict(headings),
        )

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _comparison_sheet(sheet, result: RunResult) -> None:
    """Fiduciary test, the benchmarks side by side, the UK mix, the city-weighted places, projection."""
    test = result.fiduciary
    if not result.compared or test is None or result.benchmarks is None:
        put(sheet, 1, 1, "This run has no benchmark comparison or fiduciary test.")
        return
    put(sheet, 1, 1, "Fiduciary test", bold=True)
    r = 2
    keys = [
        "return_given_up_bp",
        "return_given_up_gbp",
        "extra_volatility_bp",
        "tracking_error",
        "tolerance_bp",
        "city_weighted_return_given_up_bp",
    ]
    for key in keys:
        value = getattr(test, key)
        if value is not None:
            heading, fmt = _fig(key)
            put(sheet, r, 1, heading)
            put(sheet, r, 2, figure(key).cell(value), number_format=fmt)
            r += 1
    if test.whole_fund.return_given_up_bp is not None:
        heading, fmt = _fig("fund_return_given_up_bp")
        put(sheet, r, 1, heading)
        put(
            sheet,
            r,
            2,
            figure("fund_return_given_up_bp").cell(test.whole_fund.return_given_up_bp),
            number_format=fmt,
        )
        r += 1
    if test.within_tolerance is not None:
        put(sheet, r, 1, figure("within_tolerance").label)
        put(sheet, r, 2, "yes" if test.within_tolerance else "no")
        r += 1
    r += 1
    put(sheet, r, 1, "This allocation against the benchmarks", bold=True)
    r += 1
    put(sheet, r, 1, "Figure", bold=True)
    for j, p in enumerate(PORTFOLIOS, start=2):
        put(sheet, r, j, words.PORTFOLIOS[p], bold=True)
    r += 1
    for key in chart_data.COMPARED:
        values = [getattr(result.figures(p), key, None) for p in PORTFOLIOS]
        if all(v is None for v in values):
            continue
        heading, fmt = _fig(key)
        put(sheet, r, 1, heading)
        for j, value in enumerate(values, start=2):
            put(sheet, r, j, value, number_format=fmt)
        r += 1
    r += 1
    uk, city = result.benchmarks.uk, result.benchmarks.city_weighted
    if uk.mix:
        put(sheet, r, 1, "The UK benchmark's mix", bold=True)
        r = _table(
            sheet,
            r + 1,
            ["Asset class", "Weight", "Amount (£)"],
            ([words.asset_class(m.asset_class), m.weight, m.amount_gbp] for m in uk.mix),
            {"Weight": "0.0%", "Amount (£)": words.EXCEL_FORMATS["money"]},
        )
    places = chart_data.city_weighted_places(result)
    if places is not None:
        r = _shared_table(sheet, r, places)
    found = result.projection
    if found is not None:
        last = found.years[-1] if found.years else ""
        put(sheet, r, 1, f"Projection: value after {last} years", bold=True)
        loss, loss_format = _fig("probability_of_loss")
        below, below_format = _fig("probability_below_uk")
        headers = ["Portfolio", *[f"{p}th percentile (£)" for p in found.percentiles], loss, below]
        money_format = words.EXCEL_FORMATS["money"]
        r = _table(
            sheet,
            r + 1,
            headers,
            (
                [words.PORTFOLIOS.get(name, name)]
                + [(bands.get(f"p{p}") or [None])[-1] for p in found.percentiles]
                + [found.probability_of_loss.get(name), found.probability_below_uk.get(name)]
                for name, bands in found.bands.items()
            ),
            {**{h: money_format for h in headers[1:-2]}, loss: loss_format, below: below_format},
        )
        for name, bands in found.bands.items():
            columns = ["Year", *[f"{p} (£)" for p in bands]]
            put(sheet, r, 1, f"Projection: {words.PORTFOLIOS.get(name, name)} (£, by percentile)", bold=True)
            r = _table(
                sheet,
                r + 1,
                columns,
                [[y, *[bands[p][i] for p in bands]] for i, y in enumerate(found.years)],
                {c: money_format for c in columns[1:]},
            )
    notes = list(dict.fromkeys(words.plain(n) for n in [*test.notes, *city.city_notes]))
    if notes:
        put(sheet, r, 1, "Notes", bold=True)
        for offset, note in enumerate(notes, start=1):
            put(sheet, r + offset, 1, note)
    _widths(sheet, [48, 22, 22, 22, 18, 18, 18])


def _shared_table(sheet, top: int, table: chart_data.Table) -> int:
    """A `chart_data.Table` from `top`: its title, the vocabulary's headings, every figure a number
    in the vocabulary's Excel format (a text column stays text; a year is a whole number)."""
    put(sheet, top, 1, table.title, bold=True)
    headings = [figure(key).heading for key in table.columns]

    def cell(key: str, value: object) -> object:
        if key == "year" and isinstance(value, str) and value.isdigit():
            return int(value)
        return figure(key).cell(value) if figure(key).unit != "text" else value

    return _table(
        sheet,
        top + 1,
        headings,
        ([cell(k, v) for k, v in zip(table.columns, row, strict=True)] for row in table.rows),
        {
            h: figure(k).excel_format
            for h, k in zip(headings, table.columns, strict=True)
            if figure(k).unit != "text"
        },
    )


def _pacing_sheet(sheet, result: RunResult, mandate_toml: str) -> None:
    """From commitment to money at work: the plan in sentences, then year by year and the
    assumptions it is paced with; or the one sentence that says why the run has none."""
    lines = pacing_lines(result, mandate_toml)
    if result.pacing is None:
        put(sheet, 1, 1, lines[0])
        return
    put(sheet, 1, 1, "From commitment to money at work", bold=True)
    for r, line in enumerate(lines, start=2):
        put(sheet, r, 1, line)
    r = len(lines) + 3
    table = chart_data.pacing_table(result.pacing)
    if table is not None:
        r = _shared_table(sheet, r, table)
        signs = [
            f"{figure(k).heading}: {figure(k).sign.replace(': ', ' means ', 1)}."
            for k in table.columns
            if figure(k).sign
        ]
        for offset, line in enumerate(signs):
            put(sheet, r - 1 + offset, 1, line)
        r += len(signs)
    assumptions = chart_data.pacing_assumptions(result.pacing)
    if assumptions is not None:
        r = _shared_table(sheet, r, assumptions)
        put(sheet, r - 1, 1, pacing_source(result))
    _widths(sheet, [18, 18, 30, 22, 18, 26, 40])


def _figure_rows(sheet, top: int, rows: chart_data.FigureRows) -> int:
    """A `chart_data.FigureRows` from `top`: its title, one row a figure with the vocabulary's
    heading and every value a number in that figure's Excel format (a text stays text)."""
    put(sheet, top, 1, rows.title, bold=True)
    put(sheet, top + 1, 1, "Figure", bold=True)
    for j, column in enumerate(rows.columns, start=2):
        put(sheet, top + 1, j, column, bold=True)
    r = top + 1
    for r, (key, values) in enumerate(rows.rows, start=top + 2):
        term = figure(key)
        put(sheet, r, 1, term.heading)
        for j, value in enumerate(values, start=2):
            if term.unit == "text":
                put(sheet, r, j, value)
            else:
                put(sheet, r, j, term.cell(value), number_format=term.excel_format)
    return r + 2


def _local_sheet(sheet, result: RunResult, mandate_toml: str) -> None:
    """The local investment report: its sentences, the share of the fund against the target range,
    what it does beside the peer, the money by district and group, what is not counted, the flags
    and the notes; or the one sentence that says why the run has none."""
    lines = local_lines(result, mandate_toml)
    found = result.local_investment
    if found is None:
        put(sheet, 1, 1, lines[0])
        return
    put(sheet, 1, 1, chart_data.LOCAL_REPORT_TITLE, bold=True)
    for r, line in enumerate(lines, start=2):
        put(sheet, r, 1, line)
    r = len(lines) + 3
    r = _figure_rows(sheet, r, chart_data.local_target(found))
    r = _figure_rows(sheet, r, chart_data.local_kpis(found))
    for table in chart_data.local_tables(found):
        r = _shared_table(sheet, r, table)
    notes = list(dict.fromkeys(words.plain(n) for n in [*found.notes, *found.kpis.notes]))
    if notes:
        put(sheet, r, 1, "Notes", bold=True)
        for offset, note in enumerate(notes, start=1):
            put(sheet, r + offset, 1, note)
    _widths(sheet, [46, 24, 30, 26, 22, 40])


def _stress_sheet(sheet, result: RunResult) -> None:
    if not result.stress:
        put(sheet, 1, 1, "This run has no stress results.")
        return
    put(sheet, 1, 1, "Loss in each stress scenario (£)", bold=True)
    money_format = figure("loss_gbp").excel_format
    headers = ["Scenario", *[f"{words.PORTFOLIOS[p]}: loss (£)" for p in PORTFOLIOS]]
    r = _table(
        sheet,
        2,
        headers,
        ([s.name, *[s.loss(p) for p in PORTFOLIOS]] for s in result.stress),
        {h: money_format for h in headers[1:]},
    )
    targets = list(dict.fromkeys(t for s in result.stress for t in s.shocks))
    if targets:
        put(sheet, r, 1, "Shocks (return, by asset class or place)", bold=True)
        names = [words.asset_class(t) if t in words.ASSET_CLASSES else result.place(t) for t in targets]
        r = _table(
            sheet,
            r + 1,
            ["Scenario", *names],
            ([s.name, *[s.shocks.get(t) for t in targets]] for s in result.stress),
            dict.fromkeys(names, "0.0%"),
        )
    why = [
        [s.name, words.asset_class(t) if t in words.ASSET_CLASSES else result.place(t), text]
        for s in result.stress
        for t, text in s.descriptions.items()
    ]
    if why:
        put(sheet, r, 1, "Why each shock", bold=True)
        _table(sheet, r + 1, ["Scenario", "Applies to", "Why"], why)
    _widths(sheet, [34, 24, 24, 24, 14, 14, 14, 14, 14, 14, 14])


def _csv_table(sheet, top: int, title: str, text: str) -> int:
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    put(sheet, top, 1, title, bold=True)
    if not rows:
        return top + 2
    return _table(sheet, top + 1, rows[0], ([_cell_of_raw(c) for c in row] for row in rows[1:]))


def comparison_workbook(diff: dict) -> bytes:
    """Two saved runs side by side: one sheet each for the mandate, the holdings (in £m, by name
    and place) and the outcomes, each difference with run A's value beside run B's, in the
    vocabulary's words (`impact_screen.runs_compare.side_by_side`)."""
    from openpyxl import Workbook

    from impact_screen.runs_compare import side_by_side

    book = Workbook()
    book.remove(book.active)
    a, b = diff["a"]["name"], diff["b"]["name"]
    for section in side_by_side(diff):
        sheet = book.create_sheet(section.title)
        _title(sheet, f"{section.title}: '{a}' beside '{b}'")
        rows = section.rows or [("No difference", "", "")]
        _table(sheet, 3, ["", a, b], rows)
        _widths(sheet, [52, 28, 28])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
