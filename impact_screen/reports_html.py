"""The committee paper: one self-contained HTML file (inline CSS and SVG charts, no script, no
external address), so it opens offline and prints on A4.

It is rendered from `impact_screen/templates/paper.html.j2` with Jinja2's autoescaping, so every
text from a user or a file is escaped where it is inserted; the SVG charts are built here with
each of their texts escaped first (`markupsafe.escape`) and only then marked safe. A
Content-Security-Policy forbids scripts and remote loads as a second line of defence. Every figure
is read from the typed `RunResult` (`impact_screen.runs.result_of`) and worded by
`screening.vocabulary`.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from impact_screen import chart_data
from impact_screen.reports import (
    CAVEATS,
    REPRODUCE,
    file_name,
    is_illustrative,
    local_lines,
    mandate_items,
    pacing_lines,
    pacing_source,
    when,
)
from impact_screen.runs import authorship, result_of
from impact_screen.store import SavedRun
from portfolio.result import PORTFOLIOS, RunResult
from screening import vocabulary as words
from screening.vocabulary import figure, show

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
.cards { margin: 0 -.3rem; }
.card { display: inline-block; vertical-align: top; width: calc(25% - .6rem); margin: .3rem;
        border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
.card b { display: block; font-size: 1.25rem; } .card span { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; font: 13px/1.35 Arial, Helvetica, sans-serif; margin: .4rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: .85em; word-break: break-all; }
td:first-child { white-space: nowrap; }
svg { max-width: 100%; height: auto; font: 12px Arial, Helvetica, sans-serif; }
svg .bar { fill: var(--accent); } svg .neg { fill: #b5483b; } svg .axis { stroke: #99a3ad; }
svg text { fill: var(--ink); }
.decision th { width: 34%; } .decision td { font-size: 14px; }
.projection { font-size: 12px; } .projection th.n { text-align: right; }
.projection th.span { text-align: center; font-weight: normal; }
.provenance { table-layout: fixed; font-size: 11.5px; } .provenance td { white-space: normal; overflow-wrap: break-word; }
@page { size: A4; margin: 16mm 16mm 18mm;
        @bottom-center { content: counter(page) " of " counter(pages); font: 9pt Arial, sans-serif; color: #5b6573; } }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  h2, h3 { break-after: avoid; } thead { display: table-header-group; } tr { break-inside: avoid; }
  .keep, svg, .panel, .cards, .card { break-inside: avoid; }
  .first { break-after: page; } .appendix { break-before: page; }
  .caveat, .panel, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_ENVIRONMENT = Environment(
    loader=PackageLoader("impact_screen", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
COLOURS = ["#1f6f8b", "#9aa5b1", "#d08c2f", "#5b8c3a"]
BAR_FILL = {"bar": "#1f6f8b", "neg": "#b5483b"}
# the charts' type and colours as SVG attributes, so a PDF engine that ignores CSS inside SVG draws
# them as a browser does
SVG_TEXT = 'font-family="Arial, Helvetica, sans-serif" font-size="12" fill="#1b2430"'


def _e(value: object) -> str:
    return str(escape("" if value is None else str(value)))


# ---------------------------------------------------------------------------------------------
# Charts (inline SVG; every text escaped before the markup is marked safe)


def bar_chart(bars: chart_data.Bars) -> Markup:
    """Horizontal bars, one per label, drawn from zero (negative values to the left)."""
    named = [
        (lab, v, s) for lab, v, s in zip(bars.labels, bars.values, bars.shown, strict=True) if v is not None
    ]
    if not named:
        return Markup("")
    values = [float(v) for _, v, _ in named]
    row, left, right, top, width = 22, 300, 110, 8, 760
    height = top * 2 + row * len(values)
    low, high = min(0.0, *values), max(0.0, *values)
    scale = (width - left - right) / ((high - low) or 1.0)
    zero = left + (-low) * scale
    parts = [
        f'<svg role="img" {SVG_TEXT} aria-label="{_e(bars.title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(bars.title)}</title>",
        f'<line stroke="#99a3ad" x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height}"/>',
    ]
    for i, (label, value, text) in enumerate(named):
        value = float(value)
        y = top + i * row
        x, w = (zero, value * scale) if value >= 0 else (zero + value * scale, -value * scale)
        kind = "bar" if value >= 0 else "neg"
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{_e(chart_data.short_name(label))}</text>'
        )
        parts.append(
            f'<rect fill="{BAR_FILL[kind]}" x="{x:.1f}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row - 6}"/>'
        )
        parts.append(f'<text x="{max(zero, x + w) + 6:.1f}" y="{y + 15}">{_e(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def frontier_chart(frontier: chart_data.Frontier) -> Markup:
    """Expected return (%) against impact score along the frontier, with the allocation marked."""
    xy = list(zip(frontier.impact, frontier.returns, strict=True))
    if len(xy) < 2:
        return Markup("")
    width, height, pad = 760, 280, 56
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    if frontier.chosen is not None:
        xs.append(frontier.chosen[0])
        ys.append(frontier.chosen[1])
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (width - 2 * pad) / ((x1 - x0) or 1)
    sy = (height - 2 * pad) / ((y1 - y0) or 1)

    def at(x: float, y: float) -> tuple[float, float]:
        return pad + (x - x0) * sx, height - pad - (y - y0) * sy

    line = " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in xy)
    parts = [
        f'<svg role="img" {SVG_TEXT} aria-label="{_e(frontier.title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{_e(frontier.title)}</title>',
        f'<line stroke="#99a3ad" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>',
        f'<line stroke="#99a3ad" x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}"/>',
        f'<polyline points="{line}" fill="none" stroke="#1f6f8b" stroke-width="2"/>',
        f'<text x="{pad}" y="{height - pad + 18}">{_e(words.score(x0))}</text>',
        f'<text x="{width - pad}" y="{height - pad + 18}" text-anchor="end">{_e(words.score(x1))}</text>',
        f'<text x="{width / 2}" y="{height - 14}" text-anchor="middle">{_e(figure("impact_score").label)}</text>',
        f'<text x="{pad - 6}" y="{height - pad}" text-anchor="end">{y0:.2f}%</text>',
        f'<text x="{pad - 6}" y="{pad + 4}" text-anchor="end">{y1:.2f}%</text>',
        f'<text x="14" y="{height / 2}" transform="rotate(-90 14 {height / 2})" text-anchor="middle">'
        f"{_e(figure('expected_return').label)}</text>",
    ]
    if frontier.chosen is not None:
        px, py = at(*frontier.chosen)
        parts.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="#b5483b"><title>{_e(words.PORTFOLIOS["portfolio"])}</title></circle>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_chart(grouped: chart_data.Grouped) -> Markup:
    """Horizontal bars in groups (one group per category, one bar per series), with a legend."""
    series = list(grouped.series)
    flat = [v for values in grouped.series.values() for v in values if v is not None]
    if not flat or not grouped.categories:
        return Markup("")
    bar, gap, left, right, width = 12, 10, 300, 110, 760
    low, high = min(0.0, *flat), max(0.0, *flat)
    scale = (width - left - right) / ((high - low) or 1.0)
    zero = left + (-low) * scale
    legend = 22
    height = legend + len(grouped.categories) * (len(series) * bar + gap) + gap
    parts = [
        f'<svg role="img" {SVG_TEXT} aria-label="{_e(grouped.title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(grouped.title)}</title>",
    ]
    x = 10  # the legend from the left edge, each entry as wide as its name, so none is cut
    for j, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{_e(name)}</text>')
        x += 14 + 7 * len(name) + 24
    parts.append(f'<line stroke="#99a3ad" x1="{zero:.1f}" y1="{legend}" x2="{zero:.1f}" y2="{height}"/>')
    y = legend + gap / 2
    for i, category in enumerate(grouped.categories):
        parts.append(
            f'<text x="{left - 8}" y="{y + len(series) * bar / 2 + 4:.1f}" text-anchor="end">{_e(chart_data.short_name(category))}</text>'
        )
        for j, name in enumerate(series):
            value = grouped.series[name][i]
            if value is not None:
                x, w = (zero, value * scale) if value >= 0 else (zero + value * scale, -value * scale)
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{bar - 2}" fill="{COLOURS[j % len(COLOURS)]}"/>'
                )
                parts.append(
                    f'<text x="{max(zero, x + w) + 4:.1f}" y="{y + bar - 3:.1f}" font-size="10">{_e(words.money(value * 1e6))}</text>'
                )
            y += bar
        y += gap
    parts.append("</svg>")
    return Markup("".join(parts))


def fan_chart(fan: chart_data.Fan) -> Markup:
    """Each portfolio's median value (solid) and 5th percentile (dashed) over the years, in £m."""
    lines = [(name, values, False) for name, values in fan.middle.items()]
    lines += [(name, values, True) for name, values in fan.low.items()]
    points = [v for _, values, _ in lines for v in values]
    if len(fan.years) < 2 or not points:
        return Markup("")
    width, height, pad = 760, 300, 64
    x0, x1, y0, y1 = min(fan.years), max(fan.years), min(points), max(points)
    sx, sy = (width - 2 * pad) / ((x1 - x0) or 1), (height - 2 * pad) / ((y1 - y0) or 1)
    title = f"{fan.title}: median (solid) and 5th percentile (dashed)"
    parts = [
        f'<svg role="img" {SVG_TEXT} aria-label="{_e(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(title)}</title>",
        f'<line stroke="#99a3ad" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>',
        f'<line stroke="#99a3ad" x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}"/>',
        f'<text x="{pad - 6}" y="{height - pad}" text-anchor="end">{_e(words.money(y0 * 1e6))}</text>',
        f'<text x="{pad - 6}" y="{pad + 4}" text-anchor="end">{_e(words.money(y1 * 1e6))}</text>',
        f'<text x="{pad}" y="{height - pad + 16}">year {x0:g}</text>',
        f'<text x="{width - pad}" y="{height - pad + 16}" text-anchor="end">year {x1:g}</text>',
    ]
    names = list(dict.fromkeys(name for name, _, _ in lines))
    for name, values, dashed in lines:
        colour = COLOURS[names.index(name) % len(COLOURS)]
        path = " ".join(
            f"{pad + (x - x0) * sx:.1f},{height - pad - (v - y0) * sy:.1f}"
            for x, v in zip(fan.years, values, strict=False)
        )
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
    for j, name in enumerate(names):
        x = pad + 10 + j * 190
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="17">{_e(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


PACING_COLOURS = {"commitments": "#56B4E9", "calls": "#D55E00", "distributions": "#009E73", "nav": "#0072B2"}


def pacing_target_label(chart: chart_data.PacingChart) -> str:
    """The words on the pacing chart's dashed line."""
    return f"Target: {words.money(chart.target * 1e6)} at work by the end of {chart.target_year}"


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that divides 0..top in about `ticks`."""
    rough = (top or 1.0) / ticks
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)


def _legend(entries: list[tuple[str, str]], x0: float, width: float) -> tuple[list[str], float]:
    """A legend of (mark, name) entries, each mark an SVG element drawn at (0, 0) to (24, 12), laid
    out left to right from `x0` and wrapped before `width`; the parts and the height it takes."""
    parts, x, y = [], x0, 4.0
    for mark, name in entries:
        wide = 28 + 6.2 * len(name) + 20  # Arial at 12px: about 6px a character on average
        if x > x0 and x + wide > width:
            x, y = x0, y + 20
        parts.append(
            f'<g transform="translate({x:.1f} {y:.1f})">{mark}<text x="28" y="11">{_e(name)}</text></g>'
        )
        x += wide
    return parts, y + 20


def pacing_chart(chart: chart_data.PacingChart | None) -> Markup:
    """The commitment plan year by year (£m): what is committed, called and paid back as bars side
    by side, the value at work at each year's end as a line, and the target as a dashed line,
    labelled; a legend names every mark."""
    if chart is None or not chart.years:
        return Markup("")
    width, left, right, bottom, plot_height = 760, 64, 16, 28, 230
    bars = (
        ("commitments", "commitments_gbp", chart.commitments, "promised to funds"),
        ("calls", "calls_gbp", chart.calls, "paid over to the managers"),
        ("distributions", "distributions_gbp", chart.distributions, "to the fund"),
    )
    nav = f'stroke="{PACING_COLOURS["nav"]}" stroke-width="3"'
    dashed = 'stroke="#1b2430" stroke-width="1.5" stroke-dasharray="6 4"'
    legend, top = _legend(
        [
            *[
                (
                    f'<rect x="8" y="0" width="12" height="12" fill="{PACING_COLOURS[colour]}"/>',
                    f"{figure(key).label} ({meaning})",
                )
                for colour, key, _, meaning in bars
            ],
            (
                f'<line x1="0" y1="6" x2="24" y2="6" {nav}/><circle cx="12" cy="6" r="3.5" fill="{PACING_COLOURS["nav"]}"/>',
                f"{figure('nav_gbp').label} (at the year's end)",
            ),
            (f'<line x1="0" y1="6" x2="24" y2="6" {dashed}/>', "Target: the money to have at work (dashed)"),
        ],
        10,
        width - right,
    )
    top += 16
    height = top + plot_height + bottom
    # room above the target for its label, and the value axis in round amounts of £
    highest = max(*chart.commitments, *chart.calls, *chart.distributions, *chart.nav, chart.target * 1.12)
    step = _nice_step(highest)
    high = step * math.ceil(highest / step)
    group = (width - left - right) / len(chart.years)
    bar = group * 0.78 / 3

    def y_at(value: float) -> float:
        return top + plot_height - max(value, 0.0) / high * plot_height

    parts = [
        f'<svg role="img" {SVG_TEXT} aria-label="{_e(chart.title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_e(chart.title)}</title>",
        *legend,
    ]
    for k in range(round(high / step) + 1):
        y = y_at(k * step)
        parts.append(f'<line stroke="#e3e7ec" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_e(words.money(k * step * 1e6))}</text>'
        )
    base = y_at(0.0)
    parts.append(f'<line stroke="#99a3ad" x1="{left}" y1="{base:.1f}" x2="{width - right}" y2="{base:.1f}"/>')
    every = max(1, math.ceil(36 / group))  # a year under the bars wherever there is room for one
    for i, year in enumerate(chart.years):
        start = left + i * group + (group - 3 * bar) / 2
        for j, (colour, _, series, _) in enumerate(bars):
            y = y_at(series[i])
            parts.append(
                f'<rect x="{start + j * bar:.1f}" y="{y:.1f}" width="{max(bar - 1, 0.5):.1f}" height="{base - y:.1f}" fill="{PACING_COLOURS[colour]}"/>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{left + (i + 0.5) * group:.1f}" y="{base + 17:.1f}" text-anchor="middle">{year}</text>'
            )
    points = [(left + (i + 0.5) * group, y_at(v)) for i, v in enumerate(chart.nav)]
    parts.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" {nav}/>')
    parts += [
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PACING_COLOURS["nav"]}"/>' for x, y in points
    ]
    # the target, dashed across the plot, labelled above the line at the left, where the value at
    # work is still climbing towards it
    target = y_at(chart.target)
    label = pacing_target_label(chart)
    parts += [
        f'<line x1="{left}" y1="{target:.1f}" x2="{width - right}" y2="{target:.1f}" {dashed}/>',
        f'<rect x="{left + 4}" y="{target - 19:.1f}" width="{6.8 * len(label) + 8:.1f}" height="16" fill="#ffffff" fill-opacity="0.85"/>',
        f'<text x="{left + 8}" y="{target - 6:.1f}">{_e(label)}</text>',
        "</svg>",
    ]
    return Markup("".join(parts))


# ---------------------------------------------------------------------------------------------
# What the template reads: rows of text, worded by the vocabulary

CHARTED = ("expected_return", "volatility", "jobs_net", "local_spend_retained_gbp")


def _mandate_rows(document: dict) -> list[tuple[str, str]]:
    """The mandate as (label, value) rows, in file order, in the form's words."""

    rows = []
    for key, value in mandate_items(document):
        if key == "places" and isinstance(value, list):
            rows.append((words.label(key), words.joined([str(v) for v in value])))
        else:
            rows.append((words.label(key), words.mandate_value(key, value)))
    return rows


def _decision(result: RunResult) -> list[tuple[str, str]]:
    """The one-page summary a committee decides on: what, where, what it gives up, what it does."""
    mine, test = result.portfolio, result.fiduciary
    places = words.joined(result.where())
    rows = [
        ("What", f"{words.money(result.target_gbp)} in {show('holdings', mine.holdings)} holdings"),
        ("Where", places or "-"),
        (figure("expected_return").label, f"{show('expected_return', mine.expected_return)} a year"),
    ]
    if test is not None:
        rows.append(
            (
                figure("return_given_up_gbp").label,
                f"{show('return_given_up_gbp', test.return_given_up_gbp)} "
                f"({show('return_given_up_bp', test.return_given_up_bp)})",
            )
        )
        if test.within_tolerance is not None:
            limit = show("tolerance_bp", test.tolerance_bp)
            rows.append(
                (
                    figure("within_tolerance").label,
                    f"{'Yes' if test.within_tolerance else 'No'} (limit {limit})",
                )
            )
    rows += [
        (
            "Jobs supported",
            f"{show('jobs_net', mine.jobs_net)} after additionality ({show('jobs', mine.jobs)} gross)",
        ),
        (
            figure("local_spend_retained_gbp").label,
            f"{show('local_spend_retained_gbp', mine.local_spend_retained_gbp)} (one-off, as the money is spent)",
        ),
    ]
    worst = result.worst_stress()  # the one the summary paragraph names
    if worst is not None:
        uk = (
            f"; the UK benchmark {show('loss_gbp', worst.uk_loss_gbp)}"
            if worst.uk_loss_gbp is not None
            else ""
        )
        rows.append(
            ("Worst stress test", f"{worst.name}: a loss of {show('loss_gbp', worst.portfolio_loss_gbp)}{uk}")
        )
    return rows


def _cards(result: RunResult, fund: object) -> list[tuple[str, str]]:
    mine = result.portfolio
    cards = [
        ("Target", words.money(result.target_gbp)),
        (figure("total_gbp").label, show("total_gbp", mine.total_gbp)),
        (figure("holdings").label, show("holdings", mine.holdings)),
        (figure("expected_return").label, show("expected_return", mine.expected_return)),
        (figure("volatility").label, show("volatility", mine.volatility)),
        (figure("impact_score").label, show("impact_score", mine.impact_score)),
        (figure("jobs").label, show("jobs", mine.jobs)),
        (figure("jobs_net").label, show("jobs_net", mine.jobs_net)),
        (
            figure("local_spend_retained_gbp").label,
            show("local_spend_retained_gbp", mine.local_spend_retained_gbp),
        ),
    ]
    if isinstance(fund, int | float) and fund > 0:
        cards.append(("Share of the fund", words.share(result.target_gbp / fund)))
    return cards


def _fiduciary(result: RunResult) -> dict | None:
    test = result.fiduciary
    if test is None:
        return None
    rows = [
        (figure(k).label, show(k, getattr(test, k)))
        for k in (
            "return_given_up_bp",
            "return_given_up_gbp",
            "extra_volatility_bp",
            "tracking_error",
            "tolerance_bp",
        )
        if getattr(test, k) is not None
    ]
    if test.whole_fund.return_given_up_bp is not None:
        rows.append(
            (
                figure("fund_return_given_up_bp").label,
                show("fund_return_given_up_bp", test.whole_fund.return_given_up_bp),
            )
        )
    if test.city_weighted_return_given_up_bp is not None:
        rows.append(
            (
                figure("city_weighted_return_given_up_bp").label,
                show("city_weighted_return_given_up_bp", test.city_weighted_return_given_up_bp),
            )
        )
    plan = test.local_plan
    if plan.local_share_of_fund is not None:
        rows.append(("Local investment as a share of the fund", words.share(plan.local_share_of_fund)))
    if plan.plan_share is not None:
        rows.append((words.label("local_plan_share"), words.share(plan.plan_share)))
    if plan.headroom_gbp is not None:
        rows.append(("Headroom under the local investment target", words.money(plan.headroom_gbp)))
    verdict = None
    if test.within_tolerance is not None:
        verdict = (
            "Within the committee's tolerance."
            if test.within_tolerance
            else "Outside the committee's tolerance."
        )
    return {
        "verdict": verdict,
        "rows": rows,
        "notes": _readable(test.notes),
        "sign": figure("return_given_up_bp").sign,
    }


_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _readable(notes: Iterable[str]) -> list[str]:
    """Notes for people: brackets of mandate keys taken out, and a note that still names a key
    (the core's notes for the CLI) left out: the table above says it in the vocabulary's words."""
    return [n for n in dict.fromkeys(words.plain(n) for n in notes) if not _KEY.search(n)]


def _benchmarks(result: RunResult) -> dict | None:
    if not result.compared:
        return None
    columns = [words.PORTFOLIOS[p] for p in PORTFOLIOS]
    rows = []
    for key in chart_data.COMPARED:
        values = [getattr(result.figures(p), key, None) for p in PORTFOLIOS]
        if any(v is not None for v in values):
            rows.append((figure(key).label, [show(key, v) if v is not None else "unknown" for v in values]))
    notes = _readable(
        [
            *result.portfolio.impact_notes,
            *result.benchmarks.uk.impact_notes,
            *result.benchmarks.city_weighted.impact_notes,
            *result.benchmarks.city_weighted.city_notes,
            *(result.comparison.notes if result.comparison else []),
        ]
    )
    charts = [(figure(k).label, bar_chart(chart_data.comparison(result, k))) for k in CHARTED]
    uk = result.benchmarks.uk
    mix = [
        (words.asset_class(m.asset_class), words.share(m.weight), words.money(m.amount_gbp)) for m in uk.mix
    ]
    places = _table(chart_data.city_weighted_places(result))
    return {"columns": columns, "rows": rows, "notes": notes, "charts": charts, "mix": mix, "places": places}


def _table(table: chart_data.Table | None) -> dict | None:
    """A `chart_data.Table` as the template draws it: headings, which columns are numbers, and
    every value as the vocabulary writes it."""
    if table is None:
        return None
    return {
        "title": table.title,
        "headings": [figure(key).label for key in table.columns],
        "numeric": [figure(key).unit != "text" for key in table.columns],
        "rows": [
            [figure(k).format(v) for k, v in zip(table.columns, row, strict=True)] for row in table.rows
        ],
    }


def _pacing(result: RunResult, saved: SavedRun) -> dict:
    """From commitment to money at work: the plan in sentences, its chart, the year-by-year table
    and the assumptions it is paced with; or the one sentence that says why there is none."""
    pacing = result.pacing
    table = chart_data.pacing_table(pacing)
    signs = [
        f"{figure(key).label}: {figure(key).sign.replace(': ', ' means ', 1)}."
        for key in (table.columns if table is not None else ())
        if figure(key).sign
    ]
    return {
        "lines": pacing_lines(result, saved.mandate_toml),
        "chart": pacing_chart(chart_data.pacing_chart(pacing)),
        "table": _table(table),
        "signs": " ".join(signs),
        "assumptions": _table(chart_data.pacing_assumptions(pacing)),
        "source": pacing_source(result) if pacing is not None else "",
    }


def _figure_rows(rows: chart_data.FigureRows) -> dict:
    """A `chart_data.FigureRows` as the template draws it: each row's label and its values as the
    vocabulary writes them."""
    return {
        "title": rows.title,
        "columns": list(rows.columns),
        "rows": [(figure(key).label, [figure(key).format(v) for v in values]) for key, values in rows.rows],
    }


def _local(result: RunResult, saved: SavedRun) -> dict:
    """The local investment report: the verdict against the target range, the money by district
    and group, what it does beside the peer, what is not counted and the flags, and the notes; or
    the one sentence that says why there is none."""
    found = result.local_investment
    lines = local_lines(result, saved.mandate_toml)
    if found is None:
        return {"lines": lines, "target": None}
    return {
        "lines": lines,
        "target": _figure_rows(chart_data.local_target(found)),
        "kpis": _figure_rows(chart_data.local_kpis(found)),
        "tables": [_table(t) for t in chart_data.local_tables(found)],
        "notes": _readable([*found.notes, *found.kpis.notes]),
    }


def _stress(result: RunResult) -> dict | None:
    if not result.stress:
        return None
    columns = [words.PORTFOLIOS[p] for p in PORTFOLIOS]
    rows = [(s.name, [show("loss_gbp", s.loss(p)) for p in PORTFOLIOS]) for s in result.stress]
    return {
        "chart": grouped_chart(chart_data.stress(result)),
        "columns": columns,
        "rows": rows,
        "sign": figure("loss_gbp").sign,
    }


def _projection(result: RunResult) -> dict | None:
    found = result.projection
    if found is None:
        return None
    percentiles = [f"p{p}" for p in found.percentiles]
    rows = []
    for name, bands in found.bands.items():
        rows.append(
            (
                words.PORTFOLIOS.get(name, name),
                [words.money(bands[p][-1]) if bands.get(p) else "-" for p in percentiles],
                show("probability_of_loss", found.probability_of_loss.get(name)),
                show("probability_below_uk", found.probability_below_uk.get(name)),
            )
        )
    # the percentiles under one heading, so each column is as wide as its figures, not the word
    # "percentile": nine columns of "5th percentile" and nowrap figures ran past the A4 margin
    headers = [f"{p}th" for p in found.percentiles]
    how = f"{found.paths:,} simulated paths ({found.method}), seed {found.seed}, from {words.money(found.start_gbp)}."
    return {
        "chart": fan_chart(chart_data.projection(result)),
        "headers": headers,
        "spanning": "Value at each percentile of the simulated paths (the 50th is the middle path)",
        "rows": rows,
        "last": found.years[-1] if found.years else "",
        "loss": figure("probability_of_loss").label,
        "below": figure("probability_below_uk").label,
        "how": how,
    }


def _allocation(result: RunResult) -> dict:
    rows = [
        (
            h.id,
            h.name,
            result.place(h.local_authority),
            words.sector(h.sector),
            words.asset_class(h.asset_class),
            show("amount_gbp", h.amount_gbp),
            show("share", h.share),
        )
        for h in result.allocations
    ]
    by_place = [
        (result.place(code), words.money(v))
        for code, v in sorted(result.portfolio.by_place.items(), key=lambda kv: -kv[1])
    ]
    by_sector = [
        (words.sector(code), words.money(v))
        for code, v in sorted(result.portfolio.by_sector.items(), key=lambda kv: -kv[1])
    ]
    return {
        "chart": bar_chart(chart_data.allocation(result)) if result.allocations else Markup(""),
        "rows": rows,
        "binding": [words.plain(b.message) for b in result.binding],
        "diagnosis": [words.plain(d.message) for d in result.diagnosis],
        "by_place": by_place,
        "by_sector": by_sector,
    }


def _screen(result: RunResult) -> dict:
    records = result.screen or []
    eligible = sorted((c for c in records if c.eligible), key=lambda c: c.rank or 0)
    rows = [
        (
            c.rank or "",
            c.id,
            c.name,
            result.place(c.local_authority),
            words.score(c.score) if c.score is not None else "-",
            *[
                words.score(c.pillars[p]) if c.pillars.get(p) is not None else "-"
                for p in ("financial", "local_economy", "social")
            ],
            f"{c.confidence:.0%}" if c.confidence is not None else "-",
        )
        for c in eligible
    ]
    return {"eligible": len(eligible), "total": len(records), "rows": rows}


def _assumptions(saved: SavedRun) -> list[tuple[str, str, str, str]]:
    rows = []
    for r in csv.DictReader(io.StringIO(saved.assumptions_csv)):

        def pct(text: str | None) -> str:
            try:
                return words.rate(float(text or ""))
            except ValueError:
                return text or "-"

        rows.append(
            (
                r.get("label") or words.asset_class(r.get("asset_class") or ""),
                pct(r.get("expected_return")),
                pct(r.get("volatility")),
                "yes" if r.get("liquid") == "true" else "no",
            )
        )
    return rows


def html_report(saved: SavedRun, generated_at: str | None = None) -> str:
    """The committee paper as one self-contained HTML document."""
    result = result_of(saved)
    try:
        document = tomllib.loads(saved.mandate_toml)
    except tomllib.TOMLDecodeError:
        document = {}
    if isinstance(document.get("places"), list):
        document["places"] = [result.place(str(c)) for c in document["places"]]
    title = result.mandate or saved.name
    provenance = [
        (
            words.input_label(role),
            file_name(source.name),
            source.status or "-",
            source.as_of or "-",
            source.sha256[:16],
            source.note or "",
        )
        for role, source in result.provenance.items()
    ]
    page = _ENVIRONMENT.get_template("paper.html.j2").render(
        css=Markup(CSS),
        title=title,
        saved=saved,
        saved_at=when(saved.created_at),
        generated=when(generated_at or datetime.now(UTC).isoformat(timespec="seconds")),
        decision=_decision(result) if result.feasible else [],
        status=words.status_words(result.status),
        objective=words.OBJECTIVES.get(result.objective, result.objective),
        illustrative=is_illustrative(saved),
        summary=result.summary,
        cards=_cards(result, document.get("fund_size_gbp")),
        fiduciary=_fiduciary(result),
        tolerance=words.mandate_value("tolerance_bp", document["tolerance_bp"])
        if "tolerance_bp" in document
        else None,
        allocation=_allocation(result),
        benchmarks=_benchmarks(result),
        stress=_stress(result),
        projection=_projection(result),
        pacing=_pacing(result, saved),
        local=_local(result, saved),
        frontier=frontier_chart(chart_data.frontier(result)),
        screen=_screen(result),
        assumptions=_assumptions(saved),
        provenance=provenance,
        mandate=_mandate_rows(document),
        versions=[(k, v or "-") for k, v in saved.versions.items()],
        authorship=authorship(saved),
        caveats=CAVEATS,
        reproduce=REPRODUCE,
    )
    return page
