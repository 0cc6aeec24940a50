"""Plotly figures for the pages: colour-blind-safe (Okabe-Ito), large type, readable projected.

The charts of a run draw `impact_screen.chart_data` objects (the same data the committee paper
draws as SVG); the screen's charts (contributions, stability) draw the screen's own tables.
"""

from __future__ import annotations

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
