"""Overview: why a pension fund might invest in its own place, in plain language."""

import streamlit as st

from app_pages import state
from portfolio.summary import money
from screening.summary import summarise

st.title("What would it mean to invest in our own place?")
universe, mandate, reference = state.universe(), state.mandate(), state.reference()
facts = summarise(universe, mandate, reference)
st.markdown(
    "Preston's councils, college, university, hospitals and housing association have spent more "
    "of their budgets with local firms since 2013 (the *Preston Model*). The Lancashire County "
    "Pension Fund, about **£7bn**, agreed to invest **£100m** in the Preston and South Ribble "
    "economy. This tool asks: where could that money go, what return would it earn, what good "
    "would it do locally, and could the committee defend it?"
)

left, right = st.columns(2)
left.metric("Kept in the community from each public £1 spent with a local small firm", "63p")
right.metric("Kept from each £1 spent with a large or multinational company", "40p")
st.caption(
    "Source: Preston City Council, as reported in articles on the Preston Model. These are the "
    "default local-retention rates; you can change them in the data."
)

st.subheader("This scenario")
a, b, c = st.columns(3)
a.metric("Target", f"£{facts.target_gbp / 1e6:,.0f}m")
b.metric("Candidate investments in " + " and ".join(facts.place_names), facts.local_candidates)
capacity = facts.local_capacity_gbp
c.metric("Money they could take", "no cap" if capacity == float("inf") else f"£{capacity / 1e6:,.0f}m")
if facts.target_share_of_fund is not None:
    st.write(
        f"£{facts.target_gbp / 1e6:,.0f}m is **{facts.target_share_of_fund:.1%}** of a "
        f"£{facts.fund_size_gbp / 1e9:,.1f}bn fund. Government guidance (November 2023) asks each "
        "fund to plan to invest up to 5% of its assets locally."
    )
with st.spinner("Working out what the £100m would do…"):
    run = state.allocation()
if run.comparison is not None:
    mine, uk = run.comparison.portfolio, run.comparison.uk
    st.subheader("What this allocation would do")
    jobs, kept, given_up = st.columns(3)
    jobs.metric("Jobs supported", "unknown" if mine.impact.jobs is None else f"{mine.impact.jobs:,.0f}")
    kept.metric(
        "Money kept circulating locally",
        money(mine.impact.local_spend_retained_gbp),
        help=f"against {money(uk.impact.local_spend_retained_gbp)} for the same money in the UK mix",
    )
    given_up.metric(
        "Return against the fund's UK mix",
        f"{-run.comparison.fiduciary.return_given_up_bp / 100:+.2f} points",
        help=f"{mine.expected_return:.1%} a year against {uk.expected_return:.1%}",
    )
    st.markdown(run.comparison.summary)
else:
    st.warning("The current limits cannot all be met; the Allocate page says what would have to change.")
st.info(
    f"The candidates shown are {universe.provenance.describe()}. "
    "Illustrative figures are invented for demonstration and are not real deals.",
    icon=":material/info:",
)
