"""The committee paper: one self-contained HTML file (inline CSS and SVG charts, no script, no
external address), so it opens offline and prints on A4.

Every text from a user or a file goes through `html.escape`, and a Content-Security-Policy
forbids scripts and remote loads as a second line of defence.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html import escape

from impact_screen.reports import (
    CAVEATS,
    benchmark_rows,
    flat_mandate,
    flat_scalars,
    format_value,
    is_illustrative,
    label_of,
    money_m,
    notes_of,
    portfolios,
    projection_rows,
    records,
    series_label,
    stress_rows,
)
from impact_screen.store import SavedRun

_METRICS = (
    ("expected_return", "Expected return"),
    ("volatility", "Volatility"),
    ("impact_score", "Impact score"),
    ("jobs", "Jobs"),
)

CSS = """
:root { --ink: #1b2430; --muted: #5b6573; --accent: #1f6f8b; --warn: #8a5a00; --line: #d5dbe3; }
* { box-sizing: border-box; }
body { font: 15px/1.5 Georgia, "Times New Roman", serif; color: var(--ink); max-width: 60rem;
       margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 2px solid var(--accent); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.meta, .note { color: var(--muted); font-size: .9rem; }
.lead { font-size: 1.08rem; }
.caveat { border-left: 4px solid var(--warn); background: #fff7e6; padding: .6rem 1rem; margin: 1rem 0; }
.panel { border: 2px solid var(--accent); border-radius: 6px; padding: .6rem 1rem; background: #f3f8fa; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: .6rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
.card b { display: block; font-size: 1.25rem; } .card span { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; font: 13px/1.35 Arial, Helvetica, sans-serif; margin: .4rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: .85em; word-break: break-all; }
td:first-child { white-space: nowrap; }
svg { max-width: 100%; height: auto; font: 12px Arial, Helvetica, sans-serif; }
svg .bar { fill: var(--accent); } svg .neg { fill: #b5483b; } svg .axis { stroke: #99a3ad; }
svg text { fill: var(--ink); }
@page { size: A4; margin: 16mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; } section, table, svg, .panel, .card { break-inside: avoid; }
  .caveat, .panel, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _label(key: str) -> str:
    return key.replace("_", " ")


def _short(text: str, width: int = 40) -> str:
    text = text.replace(" (illustrative)", "")
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Charts (inline SVG)


def bar_chart(title: str, labels: list[str], values: list[float], shown: list[str]) -> str:
    """Horizontal bars, one per label, drawn from zero (negative values to the left)."""
    if not values:
        return ""
    row, left, right, top = 22, 300, 100, 8
    width = 760
    height = top * 2 + row * len(values)
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    scale = (width - left - right) / span
    zero = left + (-low) * scale
    parts = [
        f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(title)}</title>",
        f'<line class="axis" x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height}"/>',
    ]
    for i, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        y = top + i * row
        x, w = (zero, value * scale) if value >= 0 else (zero + value * scale, -value * scale)
        kind = "bar" if value >= 0 else "neg"
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{_e(_short(label))}</text>')
        parts.append(
            f'<rect class="{kind}" x="{x:.1f}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row - 6}"/>'
        )
        parts.append(f'<text x="{max(zero, x + w) + 6:.1f}" y="{y + 15}">{_e(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def frontier_chart(points: list[dict], chosen: dict) -> str:
    """Expected return against impact score along the frontier, with the chosen portfolio marked."""
    xy = [
        (float(p["impact_score"]), float(p["expected_return"]))
        for p in points
        if isinstance(p.get("impact_score"), int | float)
        and isinstance(p.get("expected_return"), int | float)
    ]
    if len(xy) < 2:
        return ""
    width, height, pad = 760, 280, 56
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (width - 2 * pad) / ((x1 - x0) or 1)
    sy = (height - 2 * pad) / ((y1 - y0) or 1)

    def at(x: float, y: float) -> str:
        return f"{pad + (x - x0) * sx:.1f},{height - pad - (y - y0) * sy:.1f}"

    line = " ".join(at(x, y) for x, y in xy)
    parts = [
        f'<svg role="img" aria-label="Impact-return frontier" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>Impact-return frontier</title>',
        f'<line class="axis" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>',
        f'<line class="axis" x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}"/>',
        f'<polyline points="{line}" fill="none" stroke="#1f6f8b" stroke-width="2"/>',
        f'<text x="{pad}" y="{height - pad + 18}">{x0:.1f}</text>',
        f'<text x="{width - pad}" y="{height - pad + 18}" text-anchor="end">{x1:.1f}</text>',
        f'<text x="{width / 2}" y="{height - 14}" text-anchor="middle">impact score</text>',
        f'<text x="{pad - 6}" y="{height - pad}" text-anchor="end">{y0:.2%}</text>',
        f'<text x="{pad - 6}" y="{pad + 4}" text-anchor="end">{y1:.2%}</text>',
        f'<text x="14" y="{height / 2}" transform="rotate(-90 14 {height / 2})" text-anchor="middle">'
        "expected return</text>",
    ]
    cx, cy = chosen.get("impact_score"), chosen.get("expected_return")
    if isinstance(cx, int | float) and isinstance(cy, int | float):
        px, py = at(float(cx), float(cy)).split(",")
        parts.append(
            f'<circle cx="{px}" cy="{py}" r="5" fill="#b5483b"><title>this allocation</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_chart(title: str, groups: list[str], series: list[str], values: list[list[float | None]]) -> str:
    """Horizontal bars in groups (one group per row label, one bar per series), with a legend."""
    colours = ["#1f6f8b", "#9aa5b1", "#d08c2f", "#5b8c3a"]
    bar, gap, left, right, width = 12, 10, 300, 110, 760
    flat = [v for row in values for v in row if v is not None]
    if not flat:
        return ""
    low, high = min(0.0, *flat), max(0.0, *flat)
    scale = (width - left - right) / ((high - low) or 1.0)
    zero = left + (-low) * scale
    legend = 22
    height = legend + len(groups) * (len(series) * bar + gap) + gap
    parts = [
        f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(title)}</title>",
    ]
    for j, name in enumerate(series):
        x = left + j * 150
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colours[j % len(colours)]}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{_e(_short(name, 22))}</text>')
    parts.append(f'<line class="axis" x1="{zero:.1f}" y1="{legend}" x2="{zero:.1f}" y2="{height}"/>')
    y = legend + gap / 2
    for group, row in zip(groups, values, strict=True):
        parts.append(
            f'<text x="{left - 8}" y="{y + len(series) * bar / 2 + 4:.1f}" text-anchor="end">{_e(_short(group))}</text>'
        )
        for j, value in enumerate(row):
            if value is not None:
                x, w = (zero, value * scale) if value >= 0 else (zero + value * scale, -value * scale)
                fill = colours[j % len(colours)]
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{bar - 2}" fill="{fill}"/>'
                )
                parts.append(
                    f'<text x="{max(zero, x + w) + 4:.1f}" y="{y + bar - 3:.1f}" font-size="10">{_e(money_m(value))}</text>'
                )
            y += bar
        y += gap
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, xs: list[float], lines: list[tuple[str, list[float], bool]]) -> str:
    """Lines over years (name, values, dashed); the y axis in £m."""
    colours = ["#1f6f8b", "#9aa5b1", "#d08c2f", "#5b8c3a"]
    points = [v for _, values, _ in lines for v in values]
    if len(xs) < 2 or not points:
        return ""
    width, height, pad = 760, 300, 64
    x0, x1, y0, y1 = min(xs), max(xs), min(points), max(points)
    sx, sy = (width - 2 * pad) / ((x1 - x0) or 1), (height - 2 * pad) / ((y1 - y0) or 1)
    parts = [
        f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(title)}</title>",
        f'<line class="axis" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>',
        f'<line class="axis" x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}"/>',
        f'<text x="{pad - 6}" y="{height - pad}" text-anchor="end">{_e(money_m(y0))}</text>',
        f'<text x="{pad - 6}" y="{pad + 4}" text-anchor="end">{_e(money_m(y1))}</text>',
        f'<text x="{pad}" y="{height - pad + 16}">year {x0:g}</text>',
        f'<text x="{width - pad}" y="{height - pad + 16}" text-anchor="end">year {x1:g}</text>',
    ]
    names: list[str] = []
    for name, values, dashed in lines:
        if name not in names:
            names.append(name)
        colour = colours[names.index(name) % len(colours)]
        path = " ".join(
            f"{pad + (x - x0) * sx:.1f},{height - pad - (v - y0) * sy:.1f}"
            for x, v in zip(xs, values, strict=False)
        )
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
    for j, name in enumerate(names):
        x = pad + 10 + j * 170
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{colours[j % len(colours)]}"/>')
        parts.append(f'<text x="{x + 14}" y="17">{_e(_short(name, 24))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def comparison_charts(results: dict) -> str:
    shown = portfolios(results)
    if len(shown) < 2:
        return ""
    charts = []
    for key, title in (*_METRICS, ("local_spend_retained_gbp", "Spend kept in the mandate's places")):
        named = [
            (n, m[key])
            for n, m in shown
            if isinstance(m.get(key), int | float) and not isinstance(m.get(key), bool)
        ]
        if len(named) >= 2:
            labels, values = [n for n, _ in named], [float(v) for _, v in named]
            charts.append(
                f"<h3>{_e(title)}</h3>"
                + bar_chart(title, labels, values, [format_value(key, v) for v in values])
            )
    return "".join(charts)


# ---------------------------------------------------------------------------------------------
# Tables and generic JSON blocks


def _td(key: str, value: object) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return (
        f'<td class="n">{_e(format_value(key, value))}</td>'
        if numeric
        else f"<td>{_e(format_value(key, value))}</td>"
    )


def table(columns: list[str], rows: list[list[object]], headers: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers or [_label(c) for c in columns])
    body = "".join(
        "<tr>" + "".join(_td(c, v) for c, v in zip(columns, row, strict=False)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def block(key: str, value: object, depth: int = 3) -> str:
    """Any JSON value as HTML: records as a table, mappings as tables or sub-sections, text as text."""
    if isinstance(value, str):
        return f"<p>{_e(value)}</p>"
    if not isinstance(value, dict | list):
        return f"<p>{_e(format_value(key, value))}</p>"
    if isinstance(value, list) and not all(isinstance(v, dict) for v in value):
        return "<ul>" + "".join(f"<li>{_e(format_value(key, v))}</li>" for v in value) + "</ul>"
    if isinstance(value, dict) and any(isinstance(v, dict | list) for v in value.values()):
        if all(isinstance(v, dict) for v in value.values()) and all(
            not isinstance(x, dict | list) for v in value.values() for x in v.values()
        ):
            shaped = records(value)
        else:
            scalars = {k: v for k, v in value.items() if not isinstance(v, dict | list)}
            out = block(key, scalars, depth) if scalars else ""
            level = min(depth, 6)
            for k, v in value.items():
                if isinstance(v, dict | list):
                    out += f"<h{level}>{_e(_label(k))}</h{level}>" + block(k, v, depth + 1)
            return out
    else:
        shaped = records(value)
    if shaped is None:
        return '<p class="note">(none)</p>'
    columns, rows = shaped
    if columns == ["item", "value"]:
        return table(
            ["item", "value"],
            [[_label(str(r["item"])), r["value"]] for r in rows],
            headers=["", ""],
        )
    return table(columns, [[r.get(c) for c in columns] for r in rows])


def _kv(rows: list[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th>{_td(k, v)}</tr>" for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------------------------------------
# The paper


def _cards(saved: SavedRun) -> str:
    results, portfolio = saved.results, saved.results.get("portfolio", {})
    mandate = dict(flat_mandate(saved))
    cards = [
        ("Target", money_m(float(results.get("target_gbp") or 0))),
        ("Placed", money_m(float(portfolio.get("total_gbp") or 0))),
        ("Holdings", format_value("holdings", portfolio.get("holdings"))),
        ("Expected return", format_value("expected_return", portfolio.get("expected_return"))),
        ("Volatility", format_value("volatility", portfolio.get("volatility"))),
        ("Impact score", format_value("", portfolio.get("impact_score"))),
        ("Jobs (gross)", format_value("jobs", portfolio.get("jobs"))),
    ]
    fund = mandate.get("fund_size_gbp")
    if isinstance(fund, int | float) and fund > 0:
        cards.append(("Share of the fund", f"{float(results.get('target_gbp') or 0) / fund:.2%}"))
    return (
        '<div class="cards">'
        + "".join(f"<div class='card'><b>{_e(v)}</b><span>{_e(k)}</span></div>" for k, v in cards)
        + "</div>"
    )


def _fiduciary(saved: SavedRun) -> str:
    results = saved.results
    test = results.get("fiduciary")
    if isinstance(test, dict):
        within = test.get("within_tolerance")
        verdict = ""
        if isinstance(within, bool):
            verdict = (
                "<p class='verdict'><b>"
                + ("Within the committee's tolerance." if within else "Outside the committee's tolerance.")
                + "</b></p>"
            )
        rows = [(label_of(k.replace(".", " ")), v, k) for k, v in flat_scalars(test)]
        body = "".join(f"<tr><th>{_e(label)}</th>{_td(key, value)}</tr>" for label, value, key in rows)
        notes = "".join(
            f"<li>{_e(n)}</li>" for n in test.get("notes", []) if isinstance(test.get("notes"), list)
        )
        return (
            f'<div class="panel">{verdict}<table><tbody>{body}</tbody></table>'
            + (f"<ul class='note'>{notes}</ul>" if notes else "")
            + "</div>"
        )
    if test is not None:
        return f'<div class="panel">{block("fiduciary", test)}</div>'
    tolerance = dict(flat_mandate(saved)).get("tolerance_bp")
    limit = f" of {format_value('tolerance_bp', tolerance)}" if tolerance is not None else ""
    return (
        '<div class="panel"><p>The fiduciary test compares the expected return given up and the extra '
        f"risk against the fund's benchmark with the committee's tolerance{_e(limit)}. This run does not "
        "include the benchmark comparison, so the test is not shown.</p></div>"
    )


def _benchmarks(results: dict) -> str:
    headers, rows = benchmark_rows(results)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        f"<tr><th>{_e(label_of(row[0]))}</th>"
        + "".join(_td(row[0], v) if v is not None else "<td class='n note'>unknown</td>" for v in row[1:])
        + "</tr>"
        for row in rows
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in notes_of(results))
    return (
        comparison_charts(results)
        + f"<h3>Side by side</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        + (f"<h3>Notes</h3><ul class='note'>{notes}</ul>" if notes else "")
    )


def _stress(results: dict) -> str:
    shaped = stress_rows(results)
    if shaped is None:
        return block("stress", results["stress"])
    headers, rows = shaped
    chart = grouped_chart(
        "Loss in each stress scenario (£m)",
        [str(r[0]) for r in rows],
        [series_label(h.removesuffix("_loss_gbp")) for h in headers[1:]],
        [[float(v) if isinstance(v, int | float) else None for v in r[1:]] for r in rows],
    )
    return chart + table(headers, rows, [series_label(h) for h in headers])


def _projection(results: dict) -> str:
    projection = results["projection"]
    shaped = projection_rows(results)
    if shaped is None:
        return block("projection", projection)
    headers, rows = shaped
    years = [float(y) for y in projection.get("years") or []]
    lines = []
    for name, bands in projection["bands"].items():
        for p, dashed in (("p50", False), ("p5", True)):
            if isinstance(bands.get(p), list):
                lines.append((series_label(name), [float(v) for v in bands[p]], dashed))
    how = ", ".join(f"{k} {v}" for k, v in projection.items() if k in ("method", "paths", "seed"))
    chart = line_chart("Projected value: median (solid) and 5th percentile (dashed)", years, lines)
    return chart + table(headers, rows, [series_label(h) for h in headers]) + f"<p class='note'>{_e(how)}</p>"


def _allocation(saved: SavedRun) -> str:
    results = saved.results
    allocations = results.get("allocations", [])
    if not allocations:
        lines = [d.get("message", "") for d in results.get("diagnosis", [])]
        body = "".join(f"<li>{_e(line)}</li>" for line in lines)
        status = results.get("status")
        return f"<p>No allocation (status {_e(status)}).</p>" + (
            f"<p>To make the mandate possible:</p><ul>{body}</ul>" if body else ""
        )
    labels = [f"{a.get('id')} {a.get('name') or ''}" for a in allocations]
    values = [float(a.get("amount_gbp") or 0) / 1e6 for a in allocations]
    chart = bar_chart("Allocation by candidate (£m)", labels, values, [f"£{v:,.2f}m" for v in values])
    columns = ["id", "name", "local_authority", "sector", "asset_class", "amount_gbp", "share"]
    rows = [[a.get(c) for c in columns] for a in allocations]
    headers = ["id", "name", "place", "sector", "asset class", "amount", "share"]
    out = chart + table(columns, rows, headers)
    binding = results.get("binding", [])
    if binding:
        out += (
            "<h3>Limits that bind</h3><ul>"
            + "".join(f"<li>{_e(b.get('message'))}</li>" for b in binding)
            + "</ul>"
        )
    return out


def _screen(saved: SavedRun) -> str:
    eligible = sorted((c for c in saved.screen if c.get("eligible")), key=lambda c: c.get("rank") or 0)
    columns = ["rank", "id", "name", "score", "financial", "local_economy", "social", "confidence"]
    rows = [
        [c.get("rank"), c.get("id"), c.get("name"), c.get("score")]
        + [c.get("pillars", {}).get(p) for p in ("financial", "local_economy", "social")]
        + [f"{float(c.get('confidence') or 0):.0%}"]
        for c in eligible
    ]
    return f"<p>{len(eligible)} of {len(saved.screen)} candidates are eligible.</p>" + table(columns, rows)


def _assumptions(saved: SavedRun) -> str:
    rows = list(csv.DictReader(io.StringIO(saved.assumptions_csv)))
    columns = [
        "asset_class",
        "label",
        "expected_return",
        "volatility",
        "volatility_source",
        "proxy",
        "liquid",
    ]
    out = table(columns, [[_typed(r.get(c)) for c in columns] for r in rows])
    provenance = [
        [
            key,
            p.get("source"),
            p.get("name"),
            p.get("status"),
            p.get("as_of"),
            (p.get("sha256") or "")[:16],
            p.get("note"),
        ]
        for key, p in saved.provenance.items()
    ]
    out += "<h3>Where each input came from</h3>" + table(
        ["input", "source", "name", "status", "as_of", "sha256", "note"],
        provenance,
        ["input", "source", "file", "status", "as of", "sha256 (first 16)", "note"],
    )
    return out


def _typed(text: str | None) -> object:
    try:
        return float(text) if text not in (None, "") else text
    except ValueError:
        return text


def html_report(saved: SavedRun, generated_at: str | None = None) -> str:
    """The committee paper as one self-contained HTML document."""
    results = saved.results
    title = results.get("mandate") or saved.summary.get("mandate") or saved.name
    generated = generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    sections = [
        f"<header><h1>{_e(title)}</h1><p class='meta'>Committee paper · run “{_e(saved.name)}” saved "
        f"{_e(saved.created_at)} · generated {_e(generated)} · status {_e(results.get('status'))} · "
        f"objective {_e(results.get('objective'))}</p></header>",
    ]
    if is_illustrative(saved):
        sections.append(
            '<aside class="caveat"><b>Illustrative data.</b> Some inputs of this run are the bundled '
            "illustrative files, invented for demonstration. The figures below are not advice.</aside>"
        )
    summary = _cards(saved)
    if isinstance(results.get("summary"), str):
        summary = f"<p class='lead'>{_e(results['summary'])}</p>" + summary
    elif "summary" in results:
        summary += block("summary", results["summary"])
    sections.append(f"<section id='summary'><h2>Summary</h2>{summary}</section>")
    sections.append(f"<section id='fiduciary'><h2>Fiduciary test</h2>{_fiduciary(saved)}</section>")
    sections.append(f"<section id='allocation'><h2>Allocation</h2>{_allocation(saved)}</section>")
    if "benchmarks" in results:
        sections.append(
            f"<section id='comparison'><h2>Against the benchmarks</h2>{_benchmarks(results)}</section>"
        )
    if "stress" in results:
        sections.append(f"<section id='stress'><h2>Stress tests</h2>{_stress(results)}</section>")
    if "projection" in results:
        sections.append(f"<section id='projection'><h2>Projection</h2>{_projection(results)}</section>")
    frontier = frontier_chart(results.get("frontier", []), results.get("portfolio", {}))
    if frontier:
        sections.append(
            "<section id='frontier'><h2>What impact costs</h2><p class='note'>The highest expected "
            f"return at each level of impact score; the dot is this allocation.</p>{frontier}</section>"
        )
    sections.append(f"<section id='screen'><h2>The screen</h2>{_screen(saved)}</section>")
    sections.append(
        f"<section id='assumptions'><h2>Assumptions and provenance</h2>{_assumptions(saved)}</section>"
    )
    mandate_rows = [(k, v) for k, v in flat_mandate(saved)]
    sections.append(f"<section id='mandate'><h2>The mandate</h2>{_kv(mandate_rows)}</section>")
    versions = [(k, v) for k, v in saved.versions.items()]
    sections.append(
        f"<section id='versions'><h2>Software</h2>{_kv(versions)}<p class='note'>Candidate file "
        f"{_e(saved.candidates.name)}, sha256 <code>{_e(saved.candidates.sha256)}</code>.</p></section>"
    )
    caveats = "".join(f"<li>{_e(c)}</li>" for c in CAVEATS)
    sections.append(f"<section id='caveats'><h2>Caveats</h2><ul>{caveats}</ul></section>")
    return (
        "<!DOCTYPE html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_e(title)}: {_e(saved.name)}</title><style>{CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
