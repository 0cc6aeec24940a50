"""Overview: why a pension fund might invest in its own place, in plain language."""

import streamlit as st

from app_pages import state, widgets
from screening.summary import summarise
from screening.vocabulary import label, mandate_value, show

universe, mandate, reference = state.universe(), state.mandate(), state.reference()
facts = summarise(universe, mandate, reference)
if state.presenting():  # a public meeting: the story on one screen, nothing else
    with st.spinner("Working out what the money would do…"):
        widgets.story(state.result(0), state.retention_figures(), universe.provenance.status)
    st.stop()
st.title("What would it mean to invest in our own place?")
places = " and ".join(facts.place_names)
fund = f" of a {mandate_value('fund_size_gbp', facts.fund_size_gbp)} fund" if facts.fund_size_gbp else ""
st.markdown(
    "It started in Preston. The city's councils, college, university, hospitals and housing "
    "association have spent more of their budgets with local firms since 2013 (the *Preston "
    "Model*), and the Lancashire County Pension Fund, about £7bn, agreed to invest £100m in the "
    "Preston and South Ribble economy. Since the 2025-26 reforms, every fund in the Local "
    "Government Pension Scheme sets its own local investment target range."
)
st.markdown(
    f"**This scenario, {mandate.name}:** {mandate_value('target_gbp', facts.target_gbp)}{fund} in "
    f"{places}. Where could that money go, what return would it earn, what good would it do "
    "locally, and could the committee defend it?"
)

retention = state.retention_figures()
if retention:
    row = widgets.metric_row()
    for key, value in retention.items():
        widgets.figure_metric(row, key, value)
    st.caption(
        "Source: Preston City Council, as reported in articles on the Preston Model. These are the "
        "default local-retention rates; you can change them in the data."
    )

st.subheader("This scenario")
with st.spinner("Working out what the money would do…"):
    result = state.result(0)  # no frontier on this page: the quick run
eligible = sum(1 for r in result.screen or [] if r.eligible and r.local_authority in mandate.places)
row = widgets.metric_row()
row.metric(label("target_gbp"), mandate_value("target_gbp", facts.target_gbp), width="content")
row.metric(
    f"Eligible candidates in {places}",
    eligible,
    help=f"of {facts.local_candidates} candidates in these places; the Screen page says why the others are not",
    width="content",
)
widgets.figure_metric(row, "local_capacity_gbp", state.local_capacity_gbp())
if facts.target_share_of_fund is not None:
    st.write(
        f"{mandate_value('target_gbp', facts.target_gbp)} is "
        f"**{show('local_share_of_fund', facts.target_share_of_fund)}** of a "
        f"{mandate_value('fund_size_gbp', facts.fund_size_gbp)} fund. Government guidance (November 2023) "
        "asks each fund to plan to invest up to 5% of its assets locally."
    )

if result.compared:
    st.subheader("What this allocation would do")
    widgets.headline_metrics(result)
    st.markdown(result.summary or "")
else:
    st.warning("The current limits cannot all be met; the Allocate page says what would have to change.")
if "illustrative" in (universe.provenance.status or ""):
    st.info(
        f"The candidates shown are {universe.provenance.describe()}. "
        "Illustrative figures are invented for demonstration and are not real deals.",
        icon=":material/info:",
    )
else:
    st.caption(f"The candidates shown are {universe.provenance.describe()}.")
