"""Allocate: the committee's mandate, the solved allocation, what binds it, or what must change."""

import pandas as pd
import streamlit as st

from app_pages import charts, state, widgets
from screening.errors import InputError
from screening.mandate import Mandate

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


def _mandate_form(current: Mandate) -> dict[str, object] | None:
    """The committee's limits in a form; the mandate changes when 'Allocate' is pressed, else None."""
    with st.form("mandate_form"):
        left, right = st.columns(2)
        changes: dict[str, object] = {
            "target_gbp": 1e6
            * left.number_input(
                "Target (£m)", min_value=0.1, value=current.target_gbp / 1e6, step=5.0, key="target"
            ),
            "places": left.multiselect(
                "Places", list(names), current.places, format_func=lambda c: f"{names[c]} ({c})", key="places"
            ),
            "objective": left.selectbox(
                "Aim",
                list(OBJECTIVES),
                list(OBJECTIVES).index(current.objective),
                format_func=OBJECTIVES.get,
                key="objective",
            ),
            "benchmark_weighting": left.selectbox(
                "City-weighted benchmark spreads the money by",
                ["population", "gva"],
                ["population", "gva"].index(current.benchmark_weighting),
                format_func={"population": "population", "gva": "economic output (GVA, where known)"}.get,
                key="benchmark_weighting",
            ),
            "max_volatility": _share(
                right.number_input(
                    "Highest portfolio volatility (%)",
                    0.0,
                    100.0,
                    _pct(current.max_volatility),
                    placeholder="no limit",
                    key="max_volatility",
                )
            ),
            "min_expected_return": _share(
                right.number_input(
                    "Lowest expected return (%)",
                    -50.0,
                    50.0,
                    _pct(current.min_expected_return),
                    placeholder="no limit",
                    key="min_expected_return",
                )
            ),
            "max_candidate_share": _share(
                right.number_input(
                    "Largest share in one candidate (%)",
                    0.0,
                    100.0,
                    _pct(current.max_candidate_share),
                    placeholder="no limit",
                    key="max_candidate_share",
                )
            ),
            "min_holdings": right.number_input(
                "Fewest holdings", 1, 1000, current.min_holdings, placeholder="no limit", key="min_holdings"
            ),
        }
        with st.expander("Caps by sector and by asset class"):
            changes["sector_caps"] = _caps_editor(
                "Sector caps (% of the target)", current.sector_caps, "sector_caps"
            )
            changes["asset_class_caps"] = _caps_editor(
                "Asset-class caps (% of the target)", current.asset_class_caps, "class_caps"
            )
        submitted = st.form_submit_button("Allocate", type="primary")
    return changes if submitted else None


changes = None if state.presenting() else _mandate_form(current)
if changes is not None:
    try:
        state.set_mandate(state.mandate_with(**changes))
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
widgets.download_buttons(table, "allocation", "Allocation", "allocation")

if result.binding:
    st.subheader("What holds the allocation back")
    for binding in result.binding:
        st.markdown(f"- {binding.message}")
if run.frontier:
    points = pd.DataFrame([p.as_dict() for p in run.frontier])
    st.plotly_chart(charts.frontier_chart(points, (metrics["impact_score"], metrics["expected_return"])))
