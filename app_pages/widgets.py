"""Small drawing helpers shared by pages: downloads, and run figures as metrics in the
vocabulary's words (label, formatter, explanation as the help text)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from impact_screen import chart_data
from impact_screen.downloads import csv_bytes, xlsx_bytes
from portfolio.result import RunResult
from screening.vocabulary import PORTFOLIOS, figure, joined, show

# Presentation mode, for a public meeting: the story on one screen at a projector's 1280x720; the
# sidebar, captions and download buttons hidden, the type larger, the pages in a bar at the top.
PRESENTATION_CSS = """
<style>
  html { font-size: max(16px, 1.4vw); }  /* the same story fills a 1280 or a 1920 screen alike */
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  [data-testid="stCaptionContainer"], [data-testid="stDownloadButton"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 1rem; max-width: none; }
  [data-testid="stMetricValue"] { font-size: 2.9rem; }
  [data-testid="stMetricLabel"] p { font-size: 1.05rem; }
  h1 { font-size: 2.3rem !important; padding-top: 0 !important; }
</style>
"""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the figures the Overview, Allocate and Compare pages all show, in this order
HEADLINE = ("expected_return", "return_given_up_bp", "jobs", "jobs_net", "local_spend_retained_gbp")


def download_buttons(frame: pd.DataFrame, stem: str, sheet: str, key: str) -> None:
    """CSV and XLSX downloads of one table, side by side."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("Download CSV", csv_bytes(frame), f"{stem}.csv", "text/csv", key=f"{key}_csv")
    right.download_button(
        "Download XLSX", xlsx_bytes({sheet: frame}), f"{stem}.xlsx", XLSX, key=f"{key}_xlsx"
    )


def chart(figure: object, where: object = st, **options: object) -> None:
    """A plotly chart; in presentation mode its type enlarged for a projector (charts.enlarged)."""
    from app_pages import charts, state

    shown = charts.enlarged(figure) if state.presenting() else figure  # type: ignore[arg-type]
    where.plotly_chart(shown, **options)  # type: ignore[attr-defined]


def metric_row() -> object:
    """A row of metrics that wraps onto the next line rather than cutting a label or a value."""
    return st.container(horizontal=True, wrap=True, gap="medium")


def figure_metric(where: object, key: str, value: float | None, more: str = "") -> None:
    """One run figure as a metric: its label, its one formatter, and its explanation (and sign
    convention, and `more`) as the help text."""
    term = figure(key)
    notes = " ".join(
        part for part in (term.explain, f"Sign: {term.sign}." if term.sign else "", more) if part
    )
    where.metric(term.label, show(key, value), help=notes, width="content")  # type: ignore[attr-defined]


def headline_metrics(result: RunResult) -> None:
    """The shared headline figures of a compared run, the same on every page that shows them."""
    mine = result.portfolio
    uk = result.figures("uk") if result.compared else None
    fiduciary = result.fiduciary
    values = {
        "expected_return": mine.expected_return,
        "return_given_up_bp": fiduciary.return_given_up_bp if fiduciary else None,
        "jobs": mine.jobs,
        "jobs_net": mine.jobs_net,
        "local_spend_retained_gbp": mine.local_spend_retained_gbp,
    }
    more = {
        "expected_return": ""
        if uk is None
        else f"{PORTFOLIOS['uk']}: {show('expected_return', uk.expected_return)}.",
        "return_given_up_bp": ""
        if fiduciary is None
        else f"{figure('return_given_up_gbp').label}: {show('return_given_up_gbp', fiduciary.return_given_up_gbp)}.",
        "local_spend_retained_gbp": ""
        if uk is None
        else f"{PORTFOLIOS['uk']}: {show('local_spend_retained_gbp', uk.local_spend_retained_gbp)}.",
    }
    row = metric_row()
    for key in HEADLINE:
        figure_metric(row, key, values[key], more.get(key, ""))


_COLUMN_FORMATS = {"share": "percent", "rate": "percent", "probability": "percent", "count": "localized"}


def table(shared: chart_data.Table) -> None:
    """A table several renderers draw, with the vocabulary's headings and each column's format."""
    headings = [figure(key).heading for key in shared.columns]
    frame = pd.DataFrame(shared.rows, columns=headings)
    formats = {
        h: st.column_config.NumberColumn(format=_COLUMN_FORMATS.get(figure(k).unit, "localized"))
        for h, k in zip(headings, shared.columns, strict=True)
        if figure(k).unit != "text"
    }
    st.caption(shared.title)
    st.dataframe(frame, hide_index=True, width="stretch", column_config=formats)


def story(result: RunResult, retention: dict[str, float], candidates_status: str | None) -> None:
    """The public-meeting story on one screen: what a local pound keeps, then what this money
    would do (money kept local, jobs net with gross beside, the return given up a year)."""
    places = joined(result.where())
    st.title(f"What would {show('total_gbp', result.target_gbp)} in {places} do?")
    row = metric_row()
    for key, value in retention.items():
        figure_metric(row, key, value)
    if not result.compared:
        st.warning("The current limits cannot all be met; the Allocate page says what would have to change.")
        return
    mine, test = result.portfolio, result.fiduciary
    row = metric_row()
    figure_metric(row, "local_spend_retained_gbp", mine.local_spend_retained_gbp)
    figure_metric(row, "jobs_net", mine.jobs_net, f"{show('jobs', mine.jobs)} before additionality.")
    row.metric(figure("jobs").label, show("jobs", mine.jobs), width="content")  # type: ignore[attr-defined]
    if test is not None:
        figure_metric(row, "return_given_up_gbp", test.return_given_up_gbp)
    if candidates_status and "illustrative" in candidates_status:
        st.markdown("*Illustrative candidates, invented for demonstration.*")
