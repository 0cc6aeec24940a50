"""Compare: the allocation against the UK benchmark and a city-weighted spread of the same money."""

import pandas as pd
import streamlit as st

from app_pages import charts, state, widgets
from impact_screen import chart_data
from portfolio.result import PORTFOLIOS as KEYS
from screening.vocabulary import PORTFOLIOS, asset_class, figure, label, mandate_value, plain, show

st.title("Compare with the alternatives")
result = state.result()
if not result.compared:
    st.error("There is no allocation to compare: the mandate's limits cannot all be met.")
    for diagnosis in result.diagnosis:
        st.markdown(f"- **{label(diagnosis.constraint)}**: {plain(diagnosis.message)}")
    st.stop()

st.caption(f"{state.universe().provenance.describe()} · {state.provenance_line()}")
st.info(result.summary or "", icon=":material/campaign:")
widgets.headline_metrics(result)

table = pd.DataFrame(
    {
        PORTFOLIOS[key]: {
            figure(row).label: show(row, getattr(result.figures(key), row)) for row in chart_data.COMPARED
        }
        for key in KEYS
    }
)
st.dataframe(table, width="stretch", column_config={"_index": st.column_config.Column(width="large")})
st.caption("A dash means the figure is unknown for that portfolio (listed investments report no jobs).")
widgets.download_buttons(table, "comparison", "Comparison", "comparison")
for key in ("jobs", "local_spend_retained_gbp"):
    widgets.chart(charts.comparison_chart(chart_data.comparison(result, key)), key=f"bars_{key}")

panel = result.fiduciary
assert panel is not None  # compared
st.subheader("Can the committee defend it?")
row = widgets.metric_row()
widgets.figure_metric(row, "return_given_up_gbp", panel.return_given_up_gbp)
widgets.figure_metric(row, "extra_volatility_bp", panel.extra_volatility_bp)
if panel.within_tolerance is not None:
    row.metric(
        figure("within_tolerance").label,
        "Yes" if panel.within_tolerance else "No",
        help=f"{figure('tolerance_bp').label}: {show('tolerance_bp', panel.tolerance_bp)}.",
        width="content",
    )
fund = panel.whole_fund
if fund.return_given_up_bp is not None:
    line = f"{figure('fund_return_given_up_bp').label}: {show('fund_return_given_up_bp', fund.return_given_up_bp)}."
    plan = panel.local_plan
    if plan.local_share_of_fund is not None and plan.plan_share is not None:
        line += (
            f" {figure('local_share_of_fund').label}: {show('local_share_of_fund', plan.local_share_of_fund)}"
            f", against a {label('local_plan_share').lower()} of {mandate_value('local_plan_share', plan.plan_share)}."
        )
    st.caption(line)

widgets.chart(charts.stress_chart(chart_data.stress(result)))
widgets.chart(charts.fan_chart(chart_data.projection(result)))
if result.frontier:
    run = state.allocation()  # the city-weighted benchmark's impact score is not a RunResult figure
    marks = {}
    city = run.comparison.city.allocation if run.comparison is not None else None
    expected = result.figures("city_weighted").expected_return
    if city is not None and city.feasible and expected is not None:
        marks[PORTFOLIOS["city_weighted"]] = (city.metrics()["impact_score"], expected * 100)
    widgets.chart(charts.frontier_chart(chart_data.frontier(result), marks))

with st.expander("How the benchmarks were built"):
    uk, city_weighted = result.benchmarks.uk, result.benchmarks.city_weighted  # type: ignore[union-attr]
    spread = {"population": "population", "gva": "economic output (GVA)"}[city_weighted.weighting]
    st.write(f"{uk.label}.")
    st.write(f"{city_weighted.label}: the money spread over UK places by {spread}.")
    for note in city_weighted.city_notes + (result.comparison.notes if result.comparison else []):
        st.write(f"- {plain(note)}")
    places = chart_data.city_weighted_places(result)
    if places is not None:
        widgets.table(places)
    amount = figure("amount_gbp").heading
    st.dataframe(
        pd.DataFrame(
            {
                "Asset class": [asset_class(m.asset_class) for m in uk.mix],
                "Weight in the UK benchmark": [m.weight for m in uk.mix],
                amount: [m.amount_gbp for m in uk.mix],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Weight in the UK benchmark": st.column_config.NumberColumn(format="percent"),
            amount: st.column_config.NumberColumn(format="localized"),
        },
    )
