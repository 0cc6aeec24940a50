"""Compare: the allocation against the UK mix and a city-weighted spread of the same money."""

import pandas as pd
import streamlit as st

from app_pages import charts, state, widgets
from portfolio.summary import money, points

st.title("Compare with the alternatives")
run = state.allocation()
comparison = run.comparison
if comparison is None:
    st.error("There is no allocation to compare: the mandate's limits cannot all be met.")
    for diagnosis in run.allocation.diagnosis:
        st.markdown(f"- **{diagnosis.constraint}**: {diagnosis.message}")
    st.stop()

st.caption(f"{state.universe().provenance.describe()} · {state.provenance_line()}")
st.info(comparison.summary, icon=":material/campaign:")

NAMES = charts.PORTFOLIO_LABELS


def _value(value: float | None, shown: str) -> str:
    return "unknown" if value is None else shown


figures = comparison.figures
table = pd.DataFrame(
    {
        NAMES[key]: {
            "expected return": f"{f.expected_return:.2%}",
            "volatility": f"{f.volatility:.2%}",
            "tracking error against the UK mix": f"{f.tracking_error:.2%}",
            "jobs supported (gross)": _value(f.impact.jobs, f"{f.impact.jobs or 0:,.0f}"),
            "jobs after additionality": _value(f.impact.jobs_net, f"{f.impact.jobs_net or 0:,.0f}"),
            "money kept circulating locally": money(f.impact.local_spend_retained_gbp),
            "affordable homes": _value(f.impact.affordable_homes, f"{f.impact.affordable_homes or 0:,.0f}"),
            "tonnes CO2e avoided a year": _value(
                f.impact.co2_avoided_t, f"{f.impact.co2_avoided_t or 0:,.0f}"
            ),
            "share in the most deprived areas": _value(
                f.impact.deprived_share, f"{f.impact.deprived_share or 0:.0%}"
            ),
            "social value (proxy)": _value(f.impact.social_value_gbp, money(f.impact.social_value_gbp or 0)),
            "share landing in our places": f"{f.impact.local_share:.1%}",
        }
        for key, f in figures.items()
    }
)
st.dataframe(table, width="stretch")
widgets.download_buttons(table, "comparison", "Comparison", "comparison")

panel = comparison.fiduciary
st.subheader("Can the committee defend it?")
a, b, c = st.columns(3)
a.metric(
    "Return given up against the UK mix",
    f"{panel.return_given_up_bp / 100:.2f} points",
    help=f"{points(panel.return_given_up_bp)} of expected return a year, about "
    f"{money(panel.return_given_up_gbp)} on the local money (negative: the local money earns more)",
)
b.metric(
    "Extra volatility",
    f"{panel.extra_volatility_bp / 100:+.2f} points",
    help="the allocation's volatility minus the UK mix's, in percentage points (negative: steadier)",
)
if panel.within_tolerance is not None:
    c.metric(
        "Within the committee's tolerance?",
        "Yes" if panel.within_tolerance else "No",
        help=f"tolerance {panel.tolerance_bp:g} bp of return on the local money",
    )
if panel.fund_return_given_up_bp is not None:
    st.caption(
        f"Across the whole fund: {points(panel.fund_return_given_up_bp)} of return given up; local investment "
        f"is {panel.local_share_of_fund:.1%} of the fund against the {panel.local_plan_share:.0%} plan."
        if panel.local_share_of_fund is not None and panel.local_plan_share is not None
        else f"Across the whole fund: {points(panel.fund_return_given_up_bp)} of return given up."
    )

names = [r.scenario.name for r in comparison.stress]
losses = {key: [r.losses.get(key) for r in comparison.stress] for key in figures}
st.plotly_chart(charts.stress_chart(names, losses))
st.plotly_chart(charts.fan_chart(comparison.projection.years, comparison.projection.bands))
if run.frontier:
    marks = {"portfolio": (run.allocation.metrics()["impact_score"], figures["portfolio"].expected_return)}
    if comparison.city.allocation is not None and comparison.city.allocation.feasible:
        city = comparison.city.allocation.metrics()
        marks["city_weighted"] = (city["impact_score"], city["expected_return"])
    frontier_points = pd.DataFrame([p.as_dict() for p in run.frontier])
    st.plotly_chart(charts.frontier_with_benchmarks(frontier_points, marks))

with st.expander("How the benchmarks were built"):
    st.write(f"City-weighted: by {comparison.city.weighting}; status {comparison.city.status}.")
    for note in comparison.city.notes + comparison.notes:
        st.write(f"- {note}")
    st.dataframe(comparison.city.places, width="stretch")
    st.dataframe(comparison.mix.rename("weight").to_frame(), width="stretch")
