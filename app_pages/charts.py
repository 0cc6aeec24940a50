"""Plotly figures for the pages: colour-blind-safe (Okabe-Ito), large type, readable projected."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from screening.metrics import BY_NAME

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
    figure = go.Figure(
        go.Scatter(
            x=ordered["rank"].astype(int),
            y=ordered.index,
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


def allocation_chart(table: pd.DataFrame) -> go.Figure:
    """Money per holding in £m, coloured by sector (table: name, sector, amount_gbp)."""
    figure = go.Figure()
    for index, (sector, rows) in enumerate(table.groupby("sector", sort=True)):
        figure.add_bar(
            x=rows["amount_gbp"] / 1e6,
            y=rows["name"],
            orientation="h",
            name=str(sector),
            marker_color=SECTOR_PALETTE[index % len(SECTOR_PALETTE)],
            hovertemplate="%{y}: £%{x:.2f}m<extra></extra>",
        )
    _style(
        figure,
        title="Where the money goes",
        xaxis_title="£m",
        barmode="stack",
        yaxis={"categoryorder": "total ascending"},
        height=max(360, 34 * len(table)),
        legend_y=-0.15,
    )
    return figure


def frontier_chart(points: pd.DataFrame, chosen: tuple[float, float] | None) -> go.Figure:
    """Best expected return (%) at each impact score, with the chosen allocation marked."""
    figure = go.Figure(
        go.Scatter(
            x=points["impact_score"],
            y=points["expected_return"] * 100,
            mode="lines+markers",
            name="best return at each impact level",
            line={"color": "#0072B2", "width": 3},
            hovertemplate="impact %{x:.1f}: return %{y:.2f}%<extra></extra>",
        )
    )
    if chosen is not None:
        figure.add_scatter(
            x=[chosen[0]],
            y=[chosen[1] * 100],
            mode="markers",
            name="this allocation",
            marker={"size": 18, "color": "#D55E00", "symbol": "diamond"},
        )
    _style(
        figure,
        title="How much return does more impact cost?",
        xaxis_title="impact score (0-100)",
        yaxis_title="expected return, % a year",
        legend_y=-0.2,
        height=440,
    )
    return figure


PORTFOLIO_COLOURS = {"portfolio": "#D55E00", "uk": "#0072B2", "city_weighted": "#009E73"}
PORTFOLIO_LABELS = {"portfolio": "This allocation", "uk": "UK mix", "city_weighted": "City-weighted"}


def stress_chart(scenarios: list[str], losses: dict[str, list[float | None]]) -> go.Figure:
    """Loss in £m in each scenario for the three portfolios side by side (None = not available)."""
    figure = go.Figure()
    for key, values in losses.items():
        figure.add_bar(
            x=scenarios,
            y=[None if v is None else v / 1e6 for v in values],
            name=PORTFOLIO_LABELS[key],
            marker_color=PORTFOLIO_COLOURS[key],
            hovertemplate="%{x}: £%{y:.1f}m lost<extra></extra>",
        )
    _style(
        figure,
        title="What a shock would cost",
        yaxis_title="loss, £m",
        barmode="group",
        legend_y=-0.3,
        height=460,
    )
    return figure


def fan_chart(years: list[int], bands: dict[str, dict[str, list[float]]]) -> go.Figure:
    """Value over the years: the middle path and the 5-95% band for each portfolio, in £m."""
    figure = go.Figure()
    for key, band in bands.items():
        colour = PORTFOLIO_COLOURS[key]
        figure.add_scatter(
            x=years,
            y=[v / 1e6 for v in band["p95"]],
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
        figure.add_scatter(
            x=years,
            y=[v / 1e6 for v in band["p5"]],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=_transparent(colour),
            showlegend=False,
            hoverinfo="skip",
        )
        figure.add_scatter(
            x=years,
            y=[v / 1e6 for v in band["p50"]],
            mode="lines",
            name=PORTFOLIO_LABELS[key],
            line={"color": colour, "width": 3},
            hovertemplate="year %{x}: £%{y:.0f}m (middle)<extra></extra>",
        )
    _style(
        figure,
        title="What the money could grow to (middle path, and 9 in 10 outcomes)",
        xaxis_title="years from now",
        yaxis_title="value, £m",
        legend_y=-0.2,
        height=460,
    )
    return figure


def _style(figure: go.Figure, legend_y: float | None = None, **layout: object) -> None:
    """The look every chart shares: large type, tight margins, the legend below the plot."""
    if legend_y is not None:
        layout["legend"] = {"orientation": "h", "y": legend_y}
    figure.update_layout(font=FONT, margin={"l": 10, "r": 10, "t": 60, "b": 10}, **layout)


def _transparent(colour: str, alpha: float = 0.15) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def frontier_with_benchmarks(points: pd.DataFrame, marks: dict[str, tuple[float, float]]) -> go.Figure:
    """The impact-return frontier with the allocation and the benchmarks marked (impact may be unknown)."""
    figure = frontier_chart(points, None)
    for key, (impact, expected_return) in marks.items():
        figure.add_scatter(
            x=[impact],
            y=[expected_return * 100],
            mode="markers",
            name=PORTFOLIO_LABELS[key],
            marker={"size": 16, "color": PORTFOLIO_COLOURS[key], "symbol": "diamond"},
        )
    return figure
