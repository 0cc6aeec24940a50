"""Plotly figures for the pages: colour-blind-safe (Okabe-Ito), large type, readable projected.

The charts of a run draw `impact_screen.chart_data` objects (the same data the committee paper
draws as SVG); the screen's charts (contributions, stability) draw the screen's own tables.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from impact_screen import chart_data
from screening.metrics import BY_NAME
from screening.vocabulary import PORTFOLIOS
from screening.vocabulary import figure as vocabulary_figure

PILLAR_COLOURS = {"financial": "#0072B2", "local_economy": "#E69F00", "social": "#009E73"}
PILLAR_LABELS = {"financial": "Financial", "local_economy": "Local economy", "social": "Social"}
FONT = {"size": 16}


def contributions_chart(contributions: pd.Series, title: str) -> go.Figure:
    """Points each metric adds to one candidate's score, grouped and coloured by pillar."""
    metrics = [BY_NAME[name] for name in contributions.index]
    figure = go.Figure()
    for pillar, colour in PILLAR_COLOURS.items():
        names = [m for m in metrics if m.pillar == pillar]
        figure.add_bar(
            x=[contributions[m.name] for m in names],
            y=[m.label for m in names],
            orientation="h",
            name=PILLAR_LABELS[pillar],
            marker_color=colour,
            hovertemplate="%{y}: %{x:.1f} points<extra></extra>",
        )
    _style(
        figure,
        title=title,
        xaxis_title="points of the 0-100 score",
        yaxis={"autorange": "reversed"},
        legend_y=-0.2,
        height=460,
    )
    return figure


def stability_chart(eligible: pd.DataFrame, top_k: int) -> go.Figure:
    """Each eligible candidate's rank with its 5th-95th percentile range under nearby weights."""
    ordered = eligible.sort_values("rank")
    names = [
        chart_data.short_name(str(n)) for n in ordered.get("name", pd.Series(ordered.index, ordered.index))
    ]
    seen = pd.Series(names).duplicated(keep=False).tolist()
    labels = [f"{n} ({i})" if twice else n for n, i, twice in zip(names, ordered.index, seen, strict=True)]
    figure = go.Figure(
        go.Scatter(
            x=ordered["rank"].astype(int),
            y=labels,
            mode="markers",
            marker={
                "size": 12,
                "color": ordered["p_top_k"],
                "colorscale": "Cividis",
                "cmin": 0,
                "cmax": 1,
                "colorbar": {"title": f"chance of<br>top {top_k}", "tickformat": ".0%"},
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": ordered["rank_high"] - ordered["rank"].astype(int),
                "arrayminus": ordered["rank"].astype(int) - ordered["rank_low"],
                "color": "#555",
            },
            customdata=ordered[["rank_low", "rank_high", "p_top_k"]],
            hovertemplate="%{y}: rank %{x} (5-95%: %{customdata[0]}-%{customdata[1]}), "
            "top-k chance %{customdata[2]:.0%}<extra></extra>",
        )
    )
    _style(
        figure,
        title="How steady is each rank if the weights move a little?",
        xaxis_title="rank (1 = best)",
        yaxis={"autorange": "reversed"},
        height=max(360, 28 * len(ordered)),
    )
    return figure


SECTOR_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def allocation_chart(bars: chart_data.Bars) -> go.Figure:
    """Money per holding in £m, coloured by sector (`chart_data.allocation`)."""
    figure = go.Figure()
    groups = bars.groups or [""] * len(bars.labels)
    for index, group in enumerate(sorted(set(groups))):
        rows = [i for i, g in enumerate(groups) if g == group]
        figure.add_bar(
            x=[bars.values[i] for i in rows],
            y=[bars.labels[i] for i in rows],
            orientation="h",
            name=group[:1].upper() + group[1:],
            marker_color=SECTOR_PALETTE[index % len(SECTOR_PALETTE)],
            customdata=[bars.shown[i] for i in rows],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    _style(
        figure,
        title=bars.title,
        xaxis_title=bars.axis,
        barmode="stack",
        yaxis={"categoryorder": "total ascending", "automargin": True},
        height=max(360, 34 * len(bars.labels) + 140),
        legend_y=-0.15,
    )
    return figure


def comparison_chart(bars: chart_data.Bars) -> go.Figure:
    """One figure for this allocation and both benchmarks (`chart_data.comparison`)."""
    figure = go.Figure(
        go.Bar(
            x=bars.labels,
            y=bars.values,
            marker_color=[PORTFOLIO_COLOURS.get(label, "#555") for label in bars.labels],
            text=bars.shown,
            textposition="outside",
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    _style(figure, title=bars.title, yaxis_title=bars.axis, height=380, showlegend=False)
    return figure


def frontier_chart(
    frontier: chart_data.Frontier, marks: dict[str, tuple[float, float]] | None = None
) -> go.Figure:
    """Best expected return (%) at each impact score (`chart_data.frontier`), with this allocation
    marked, and any other portfolio in `marks` (its label -> impact score, expected return in %)."""
    figure = go.Figure(
        go.Scatter(
            x=frontier.impact,
            y=frontier.returns,
            mode="lines+markers",
            name="Best return at each impact score",
            line={"color": "#0072B2", "width": 3},
            hovertemplate="impact score %{x:.1f}: expected return %{y:.2f}%<extra></extra>",
        )
    )
    chosen = {PORTFOLIO_LABELS["portfolio"]: frontier.chosen} if frontier.chosen is not None else {}
    for name, (impact, expected) in {**chosen, **(marks or {})}.items():
        figure.add_scatter(
            x=[impact],
            y=[expected],
            mode="markers",
            name=name,
            marker={"size": 16, "color": PORTFOLIO_COLOURS.get(name, "#555"), "symbol": "diamond"},
            hovertemplate=f"{name}: impact score %{{x:.1f}}, expected return %{{y:.2f}}%<extra></extra>",
        )
    _style(
        figure,
        title=frontier.title,
        xaxis_title=figure_label("impact_score") + " (0-100)",
        yaxis_title=figure_label("expected_return") + ", % a year",
        legend_y=-0.25,
        height=460,
    )
    return figure


PORTFOLIO_LABELS = PORTFOLIOS  # 'portfolio', 'uk', 'city_weighted' -> the vocabulary's names
PORTFOLIO_COLOURS = {
    PORTFOLIOS["portfolio"]: "#D55E00",
    PORTFOLIOS["uk"]: "#0072B2",
    PORTFOLIOS["city_weighted"]: "#009E73",
}


def stress_chart(grouped: chart_data.Grouped) -> go.Figure:
    """£m lost in each stress scenario, the three portfolios side by side (`chart_data.stress`)."""
    figure = go.Figure()
    for name, values in grouped.series.items():
        figure.add_bar(
            x=grouped.categories,
            y=values,
            name=name,
            marker_color=PORTFOLIO_COLOURS.get(name, "#555"),
            hovertemplate=f"{name}, %{{x}}: £%{{y:.1f}}m lost<extra></extra>",
        )
    _style(
        figure,
        title=grouped.title,
        yaxis_title=grouped.axis,
        barmode="group",
        legend_y=-0.35,
        height=480,
    )
    return figure


def grouped_chart(grouped: chart_data.Grouped) -> go.Figure:
    """Bars in groups, one colour a series (two saved runs' holdings, say), in £m."""
    figure = go.Figure()
    for colour, (name, values) in zip(SECTOR_PALETTE, grouped.series.items(), strict=False):
        figure.add_bar(
            x=grouped.categories,
            y=values,
            name=name,
            marker_color=colour,
            hovertemplate=f"{name}, %{{x}}: £%{{y:.1f}}m<extra></extra>",
        )
    _style(figure, title=grouped.title, yaxis_title=grouped.axis, barmode="group", legend_y=-0.35, height=460)
    return figure


def fan_chart(fan: chart_data.Fan) -> go.Figure:
    """Value over the years (`chart_data.projection`), in £m: each portfolio's middle path; this
    allocation's 5-95% band shaded and its line drawn last and thickest, on top, so the other two
    never hide it (their bands would blur into grey, so they show as thin dotted edges)."""
    mine = PORTFOLIOS["portfolio"]
    figure = go.Figure()
    order = [name for name in fan.middle if name != mine] + [name for name in fan.middle if name == mine]
    for name in order:
        colour = PORTFOLIO_COLOURS.get(name, "#555555")
        if name in fan.high and name in fan.low:
            ours = name == mine
            edge = {"width": 0} if ours else {"width": 1, "color": colour, "dash": "dot"}
            figure.add_scatter(
                x=fan.years, y=fan.high[name], mode="lines", line=edge, showlegend=False, hoverinfo="skip"
            )
            figure.add_scatter(
                x=fan.years,
                y=fan.low[name],
                mode="lines",
                line=edge,
                fill="tonexty" if ours else None,
                fillcolor=_transparent(colour, 0.25) if ours else None,
                showlegend=False,
                hoverinfo="skip",
            )
        middle = fan.middle[name]
        figure.add_scatter(
            x=fan.years,
            y=middle,
            mode="lines",
            name=name,
            line={"color": colour, "width": 4 if name == mine else 2.5},
            hovertemplate=f"{name}, year %{{x}}: £%{{y:.0f}}m (middle path)<extra></extra>",
        )
    _style(
        figure,
        title=fan.title + ": the middle path, and 9 in 10 outcomes for this allocation (shaded)",
        xaxis_title="years from now",
        yaxis_title="£m",
        legend_y=-0.2,
        height=460,
    )
    return figure


PRESENTING_SCALE = 1.3  # a projected chart's type, against the desk's


def enlarged(figure: go.Figure, scale: float = PRESENTING_SCALE) -> go.Figure:
    """A copy of the chart with every type size in its layout (title, axes, ticks, legend, hover
    and annotations) `scale` times larger, and as much taller, for presentation mode."""
    shown = go.Figure(figure)
    layout = shown.layout.to_plotly_json()

    def grow(node: object) -> object:
        if isinstance(node, dict):
            return {
                k: (round(v * scale, 1) if k == "size" and isinstance(v, int | float) else grow(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [grow(item) for item in node]
        return node

    grown = grow(layout)
    if isinstance(grown, dict) and "font" not in grown:
        grown["font"] = {"size": round(FONT["size"] * scale, 1)}
    if isinstance(grown, dict) and isinstance(grown.get("height"), int | float):
        grown["height"] = round(grown["height"] * scale)
    shown.update_layout(grown, overwrite=True)
    # what the layout left to the theme (Streamlit's sets small ticks) is set here, so it grows too
    body, ticks = round(FONT["size"] * scale, 1), round(TICKS["size"] * scale, 1)
    for axes in (shown.update_xaxes, shown.update_yaxes):
        axes(
            tickfont_size=ticks, title_font_size=body, selector=lambda a: not (a.tickfont and a.tickfont.size)
        )
    if not (shown.layout.legend.font and shown.layout.legend.font.size):
        shown.update_layout(legend_font_size=ticks)
    if not (shown.layout.title.font and shown.layout.title.font.size):
        shown.update_layout(title_font_size=body)
    return shown


def figure_label(key: str) -> str:
    """A run figure's label from the vocabulary, for an axis."""
    return vocabulary_figure(key).label


def _style(figure: go.Figure, legend_y: float | None = None, **layout: object) -> None:
    """The look every chart shares: large type, tight margins, the legend below the plot."""
    if legend_y is not None:
        layout["legend"] = {"orientation": "h", "y": legend_y}
    margin = {"l": 10, "r": 10, "t": 60, "b": 10} | dict(layout.pop("margin", {}))  # type: ignore[call-overload]
    figure.update_layout(font=FONT, margin=margin, **layout)


def _transparent(colour: str, alpha: float = 0.15) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


TICKS = {"size": 14}  # the theme's small default type is hard to read projected
PACING_COLOURS = {"commitments": "#56B4E9", "calls": "#D55E00", "distributions": "#009E73", "nav": "#0072B2"}


def pacing_chart(pacing: chart_data.PacingChart, height: int = 480) -> go.Figure:
    """From commitment to money at work (`chart_data.pacing_chart`), in £m a year: what is
    committed, called and paid back as bars side by side, the value at work as a line, and the
    target as a dashed line; every mark named in the legend."""
    figure = go.Figure()
    bars = (
        ("commitments", "commitments_gbp", pacing.commitments, "promised to funds"),
        ("calls", "calls_gbp", pacing.calls, "paid to the managers"),
        ("distributions", "distributions_gbp", pacing.distributions, "income and proceeds"),
    )
    for colour, key, values, meaning in bars:
        name = figure_label(key)
        figure.add_bar(
            x=pacing.years,
            y=values,
            name=f"{name} ({meaning})",
            marker_color=PACING_COLOURS[colour],
            hovertemplate=f"%{{x}}: £%{{y:.1f}}m {name.lower()}<extra></extra>",
        )
    value = figure_label("nav_gbp")
    figure.add_scatter(
        x=pacing.years,
        y=pacing.nav,
        mode="lines+markers",
        name=f"{value} (at the year's end)",
        line={"color": PACING_COLOURS["nav"], "width": 4},
        marker={"size": 8},
        hovertemplate=f"end of %{{x}}: £%{{y:.1f}}m {value.lower()}<extra></extra>",
    )
    target = (
        f"Target: £{pacing.target:,.1f}".removesuffix(".0") + f"m at work by the end of {pacing.target_year}"
    )
    edges = [pacing.years[0] - 0.5, pacing.years[-1] + 0.5]
    figure.add_scatter(
        x=edges,
        y=[pacing.target, pacing.target],
        mode="lines",
        name=target,
        line={"color": "#000000", "width": 2, "dash": "dash"},
        hoverinfo="skip",
    )
    figure.add_annotation(  # at the left, where the value at work is still far below the line
        x=edges[0],
        y=pacing.target,
        text=target.split(" at work")[0],
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
        font={"size": 15, "color": "#000000"},
        bgcolor="rgba(255,255,255,0.8)",
    )
    _style(
        figure,
        title=pacing.title,
        barmode="group",
        xaxis={"tickmode": "linear", "dtick": 1, "tickformat": "d", "tickfont": TICKS},  # years: no title
        yaxis={"title": "£m", "tickfont": TICKS},
        legend_font=TICKS,
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},  # below the years
        height=height,
    )
    return figure


# The map: district shapes from the bundled GeoJSON, drawn by plotly's own geo layer with no base
# map, so no map tiles and no outline of the world are needed. plotly.js still fetches a world
# outline (topojson, from cdn.plot.ly) whenever a trace names its locations, and offline it then
# draws nothing at all; `MAP_CONFIG` hands it an empty outline from the page itself (a data:
# address), so the map draws offline and nothing leaves the machine (tests/test_app_pages/test_browser.py).
EMPTY_TOPOLOGY = (
    "data:application/json,%7B%22type%22%3A%22Topology%22%2C%22objects%22%3A%7B%7D%2C%22arcs%22%3A%5B%5D%7D#"
)
MAP_CONFIG = {"topojsonURL": EMPTY_TOPOLOGY, "scrollZoom": False, "displaylogo": False}
MAP_HEIGHT = 520
MAP_ELSEWHERE = "#e4e4e4"  # a district outside the mandate's places with nothing placed
MAP_FOOTPRINT = "#cfe0ef"  # one of the mandate's places with nothing placed
MAP_MONEY = ("#fde3cf", "#d55e00")  # light to full vermillion (this allocation's colour), by £
MAP_DECILES = (  # Cividis in ten steps: decile 1 (the most deprived tenth) darkest
    "#00224e",
    "#123570",
    "#3b496c",
    "#575d6d",
    "#707173",
    "#8a8678",
    "#a59c74",
    "#c3b369",
    "#e1cc55",
    "#fee838",
)
MAP_LABELS = 12  # the zoomed map names its districts when it zooms to at most this many


def place_map_chart(data: chart_data.PlaceMap, layer: str, whole_uk: bool = False) -> go.Figure:
    """The map of a run (`chart_data.place_map`): `layer` 'money' colours the districts with money
    by the £ placed, shades the mandate's other places and leaves the rest pale grey; 'deprivation'
    colours every district by its UK deprivation decile. The mandate's places are outlined on both.
    Zoomed to the mandate's places and the districts with money, each named on the map, or the
    whole UK (`whole_uk`)."""
    figure = go.Figure()
    hover, every = data.hover, range(len(data.codes))
    fills: dict[int, str] = {}  # the colour of each district drawn, for the ink of its label
    if layer == "money":
        money_rows = [i for i in every if data.amounts[i] > 0]
        top = max((data.amounts[i] for i in money_rows), default=0.0)
        rest = [i for i in every if not data.footprint[i] and data.amounts[i] <= 0]
        shaded = [i for i in every if data.footprint[i] and data.amounts[i] <= 0]
        _map_trace(figure, data, rest, hover)
        _map_trace(figure, data, shaded, hover, MAP_FOOTPRINT)
        fills |= dict.fromkeys(shaded, MAP_FOOTPRINT)
        if money_rows:
            _map_trace(
                figure,
                data,
                money_rows,
                hover,
                z=[data.amounts[i] / 1e6 for i in money_rows],
                colorscale=[[0, MAP_MONEY[0]], [1, MAP_MONEY[1]]],
                zmin=0,
                zmax=top / 1e6,
                colorbar=_map_colorbar("£ placed in the district", tickprefix="£", ticksuffix="m"),
            )
            fills |= {i: _blend(*MAP_MONEY, data.amounts[i] / top) for i in money_rows}
        title = data.title
    else:
        known = [i for i in every if data.deciles[i] is not None]
        _map_trace(figure, data, [i for i in every if data.deciles[i] is None], hover)
        steps = [[edge, colour] for k, colour in enumerate(MAP_DECILES) for edge in (k / 10, (k + 1) / 10)]
        _map_trace(
            figure,
            data,
            known,
            hover,
            z=[data.deciles[i] for i in known],
            colorscale=steps,
            zmin=0.5,
            zmax=10.5,
            colorbar=_map_colorbar(
                "Tenth of the UK's districts: 1 = the most deprived, 10 = the least",
                tickvals=list(range(1, 11)),
            ),
        )
        fills |= {i: MAP_DECILES[data.deciles[i] - 1] for i in known}  # type: ignore[operator]
        title = "How deprived each district is, in tenths of the UK"
    mine = [i for i in every if data.footprint[i]]
    widths = ((2.5, "#ffffff"), (1.2, "#000000")) if whole_uk else ((5, "#ffffff"), (2.5, "#000000"))
    for width, colour in widths:  # a white halo shows the black outline on any colour
        _map_trace(figure, data, mine, None, "rgba(0,0,0,0)", line={"width": width, "color": colour})
    geo: dict[str, object] = {
        "visible": False,
        "projection": {"type": "mercator"},
        "bgcolor": "rgba(0,0,0,0)",
    }
    if whole_uk or data.focus_bounds is None:
        geo["fitbounds"] = "locations"
    else:
        lons, lats = _map_view(data.focus_bounds)
        geo |= {"fitbounds": False, "lonaxis": {"range": lons}, "lataxis": {"range": lats}}
        _map_labels(figure, data, layer, fills)
    _style(figure, title=title, geo=geo, height=MAP_HEIGHT, margin={"t": 40, "b": 80}, showlegend=False)
    return figure


def _map_colorbar(title: str, **ticks: object) -> dict:
    """The key under the map, across: the map keeps the chart's whole width."""
    return {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "x": 0.5,
        "y": 0,
        "yanchor": "top",
        "thickness": 14,
        "len": 0.8,
        "tickfont": TICKS,
        **ticks,
    }


def _map_trace(
    figure: go.Figure,
    data: chart_data.PlaceMap,
    rows: list[int],
    hover: list[str] | None,
    fill: str = MAP_ELSEWHERE,
    line: dict | None = None,
    **colours: object,
) -> None:
    """One choropleth of some districts: coloured by `colours` (z, colorscale ...), or one `fill`;
    with only their own shapes, so each boundary goes to the browser once."""
    if not rows:
        return
    codes = {data.codes[i] for i in rows}
    shapes = {
        "type": "FeatureCollection",
        "features": [f for f in data.boundaries.get("features", []) if f["properties"]["ons_code"] in codes],
    }
    if "z" not in colours:
        colours = {"z": [0] * len(rows), "colorscale": [[0, fill], [1, fill]], "showscale": False}
    figure.add_choropleth(
        geojson=shapes,
        featureidkey="properties.ons_code",
        locations=[data.codes[i] for i in rows],
        marker={"line": line or {"width": 0.6, "color": "#ffffff"}},
        text=None if hover is None else [hover[i] for i in rows],
        hovertemplate="%{text}<extra></extra>" if hover is not None else None,
        hoverinfo="skip" if hover is None else None,
        hoverlabel={"align": "left", "font": {"size": 14}},
        **colours,
    )


def _map_labels(figure: go.Figure, data: chart_data.PlaceMap, layer: str, fills: dict[int, str]) -> None:
    """Each district the map zooms to named at its centre, with its £ or its decile; dark ink on
    light colours, white on dark."""
    from screening.vocabulary import money

    focus = set(data.focus)
    rows = [i for i in range(len(data.codes)) if data.centres[i] is not None and data.codes[i] in focus]
    if not rows or len(rows) > MAP_LABELS:
        return
    below = (
        [money(data.amounts[i]) if data.amounts[i] > 0 else "nothing placed" for i in rows]
        if layer == "money"
        else [f"decile {data.deciles[i]}" if data.deciles[i] is not None else "" for i in rows]
    )
    figure.add_scattergeo(
        lon=[data.centres[i][0] for i in rows],  # type: ignore[index]
        lat=[data.centres[i][1] for i in rows],  # type: ignore[index]
        mode="text",
        text=[f"{data.names[i]}<br>{note}" for i, note in zip(rows, below, strict=True)],
        textfont={"size": 15, "weight": "bold", "color": [_ink(fills.get(i, MAP_ELSEWHERE)) for i in rows]},
        hoverinfo="skip",
    )


def _blend(low: str, high: str, share: float) -> str:
    """The colour `share` of the way from `low` to `high` (hex)."""
    ends = [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in (low, high)]
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(*ends, strict=True))


def _ink(fill: str) -> str:
    """Black or white, whichever reads better on `fill` (hex): by its relative luminance."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > 0.18 else "#ffffff"


def _map_view(
    bounds: tuple[float, float, float, float], aspect: float = 1.45
) -> tuple[list[float], list[float]]:
    """The longitudes and latitudes to show around a box of districts: the box with room around it
    (at least about 20 km across), widened to the chart's shape as drawn (Mercator)."""
    west, south, east, north = bounds
    middle_lon, middle_lat = (west + east) / 2, (south + north) / 2
    squeeze = math.cos(math.radians(middle_lat))  # a degree of longitude is this much of one of latitude
    wide, high = max((east - west) * squeeze * 1.5, 0.2), max((north - south) * 1.5, 0.2)
    wide, high = max(wide, high * aspect), max(high, wide / aspect)
    return (
        [middle_lon - wide / 2 / squeeze, middle_lon + wide / 2 / squeeze],
        [middle_lat - high / 2, middle_lat + high / 2],
    )
