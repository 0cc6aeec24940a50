"""Allocate: the committee's mandate, the solved allocation, what binds it, or what must change."""

import pandas as pd
import streamlit as st

from app_pages import charts, state
from screening import InputError

OBJECTIVES = {
    "max_impact": "Most local impact",
    "max_return": "Highest expected return",
    "min_risk": "Lowest risk",
    "blended": "A blend of return, impact and risk",
}

st.title("Allocate the money")
current, reference = state.mandate(), state.reference()
names = reference.places["name"].to_dict()


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _share(value: float | None) -> float | None:
    return None if value is None else value / 100


def _caps_editor(label: str, caps: dict[str, float], key: str) -> dict[str, float]:
    table = pd.DataFrame({"name": list(caps), "cap (%)": [v * 100 for v in caps.values()]})
    edited = st.data_editor(
        table,
        num_rows="dynamic",
        hide_index=True,
        key=key,
        width="stretch",
        column_config={"cap (%)": st.column_config.NumberColumn(min_value=0, max_value=100)},
    )
    st.caption(label)
    return {
        str(r["name"]): r["cap (%)"] / 100 for _, r in edited.dropna().iterrows() if str(r["name"]).strip()
    }


with st.form("mandate_form"):
    left, right = st.columns(2)
    target = left.number_input("Target (£m)", min_value=0.1, value=current.target_gbp / 1e6, step=5.0)
    places = left.multiselect(
        "Places", list(names), current.places, format_func=lambda c: f"{names[c]} ({c})"
    )
    objective = left.selectbox(
        "Aim", list(OBJECTIVES), list(OBJECTIVES).index(current.objective), format_func=OBJECTIVES.get
    )
    max_vol = right.number_input(
        "Highest portfolio volatility (%)", 0.0, 100.0, _pct(current.max_volatility), placeholder="no limit"
    )
    min_ret = right.number_input(
        "Lowest expected return (%)", -50.0, 50.0, _pct(current.min_expected_return), placeholder="no limit"
    )
    max_share = right.number_input(
        "Largest share in one candidate (%)",
        0.0,
        100.0,
        _pct(current.max_candidate_share),
        placeholder="no limit",
    )
    holdings = right.number_input("Fewest holdings", 1, 1000, current.min_holdings, placeholder="no limit")
    with st.expander("Caps by sector and by asset class"):
        sector_caps = _caps_editor("Sector caps (% of the target)", current.sector_caps, "sector_caps")
        class_caps = _caps_editor(
            "Asset-class caps (% of the target)", current.asset_class_caps, "class_caps"
        )
    submitted = st.form_submit_button("Allocate", type="primary")

if submitted:
    try:
        state.set_mandate(
            state.mandate_with(
                target_gbp=target * 1e6,
                places=places,
                objective=objective,
                max_volatility=_share(max_vol),
                min_expected_return=_share(min_ret),
                max_candidate_share=_share(max_share),
                min_holdings=holdings,
                sector_caps=sector_caps,
                asset_class_caps=class_caps,
            )
        )
    except InputError as exc:
        st.error("The mandate has problems to fix first; nothing was solved.")
        st.dataframe(state.problem_table(exc.problems), hide_index=True, width="stretch")
        st.stop()

with st.spinner("Solving…"):
    run = state.allocation()
result = run.allocation

if result.status == "infeasible":
    st.error("These limits cannot all be met. To make the mandate possible:")
    for diagnosis in result.diagnosis:
        st.markdown(f"- **{diagnosis.constraint}**: {diagnosis.message}")
    st.stop()
if not result.feasible:
    st.error(
        f"No allocation: the solver stopped ({result.status}). {result.report.message if result.report else ''}"
    )
    st.stop()

metrics = result.metrics()
st.caption(f"{state.universe().provenance.describe()} · {state.provenance_line()}")
a, b, c, d = st.columns(4)
a.metric("Placed", f"£{result.amounts.sum() / 1e6:,.1f}m", help=f"in {metrics['holdings']} holdings")
b.metric("Expected return", f"{metrics['expected_return']:.2%}")
c.metric("Volatility", f"{metrics['volatility']:.2%}", help=f"risk model: {run.risk.source}")
d.metric("Jobs supported (gross)", f"{metrics['jobs']:,.0f}")
if result.report and result.report.message:
    st.info(result.report.message)

held = result.amounts[result.amounts > 0]
frame = state.universe().frame.loc[held.index]
table = pd.DataFrame(
    {
        "name": frame["name"],
        "place": frame["local_authority"].map(names),
        "sector": frame["sector"],
        "amount_gbp": held,
        "share": held / result.target_gbp,
    }
)
st.plotly_chart(charts.allocation_chart(table))
st.dataframe(
    table,
    width="stretch",
    key="allocation",
    column_config={
        "amount_gbp": st.column_config.NumberColumn("amount (£)", format="localized"),
        "share": st.column_config.NumberColumn("share", format="percent"),
    },
)
st.download_button("Download the allocation (CSV)", table.to_csv().encode(), "allocation.csv", "text/csv")

if result.binding:
    st.subheader("What holds the allocation back")
    for binding in result.binding:
        st.markdown(f"- {binding.message}")
if run.frontier:
    points = pd.DataFrame([p.as_dict() for p in run.frontier])
    st.plotly_chart(charts.frontier_chart(points, (metrics["impact_score"], metrics["expected_return"])))
