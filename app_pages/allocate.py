"""Allocate: the committee's mandate, the solved allocation, what binds it, or what must change."""

import pandas as pd
import streamlit as st

from app_pages import charts, state, widgets
from impact_screen import chart_data
from portfolio.relaxation import applied
from portfolio.result import RunResult
from screening.errors import InputError
from screening.reading.mandate import Mandate, load_mandate
from screening.reading.place_groups import KINDS, group_of
from screening.reading.tables import InputFile
from screening.vocabulary import OBJECTIVES, asset_class, figure, label, mandate_term, plain, sector

st.title("Allocate the money")
current, reference = state.mandate(), state.reference()
names = reference.places["name"].to_dict()
GROUP_ORDER = ("footprint", "combined_authority", "county", "region", "nation")
place_options = {  # groups first (a footprint, then combined authorities ...), then every district
    group.code: f"{group.name} ({KINDS[group.kind]}, {len(group.members)} districts)"
    for group in sorted(reference.groups.values(), key=lambda g: (GROUP_ORDER.index(g.kind), g.name))
    if group.members
} | dict(sorted(names.items(), key=lambda item: item[1]))


def _chosen_places(mandate: Mandate) -> list[str]:
    """The mandate's places as the picker shows them: each group it was written with, then the
    districts no such group covers."""
    groups = [
        found[0] for written in mandate.place_groups if len(found := group_of(written, reference.groups)) == 1
    ]
    covered = {code for group in groups for code in group.members}
    return [g.code for g in groups] + [c for c in mandate.places if c not in covered]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _share(value: float | None) -> float | None:
    return None if value is None else value / 100


def _caps_editor(title: str, caps: dict[str, float], codes: list[str], named, key: str) -> dict[str, float]:
    """Caps as a table of names a person reads (`named`: code -> label); returns code -> cap."""
    known = list(dict.fromkeys([*codes, *caps]))
    by_label = {named(c): c for c in known}
    column = title.split(" caps")[0]
    table = pd.DataFrame({column: [named(c) for c in caps], "cap (%)": [v * 100 for v in caps.values()]})
    edited = st.data_editor(
        table,
        num_rows="dynamic",
        hide_index=True,
        key=key,
        width="stretch",
        column_config={
            column: st.column_config.SelectboxColumn(options=list(by_label)),
            "cap (%)": st.column_config.NumberColumn(min_value=0, max_value=100),
        },
    )
    st.caption(title)
    return {
        by_label.get(str(r[column]), str(r[column])): r["cap (%)"] / 100
        for _, r in edited.dropna().iterrows()
        if str(r[column]).strip()
    }


FORM_KEYS = (
    "mandate_name",
    "target",
    "places",
    "objective",
    "benchmark_weighting",
    "max_volatility",
    "min_expected_return",
    "max_candidate_share",
    "min_holdings",
    "fund_size",
    "tolerance",
    "local_plan_share",
    "max_illiquid_share",
    "min_impact_score",
    "sector_caps",
    "class_caps",
)


# the fund and the committee's tests: (mandate key, unit shown, widget key, column, largest, to the
# form's unit, blank reads as); each box shows the mandate's value times the scale, blank when unset
FUND_FIELDS = (
    ("fund_size_gbp", "£m", "fund_size", 0, None, 1e-6, "not set"),
    ("tolerance_bp", "percentage points a year", "tolerance", 0, 20.0, 0.01, "not set"),
    ("local_plan_share", "% of the fund", "local_plan_share", 0, 100.0, 100.0, "not set"),
    ("max_illiquid_share", "%", "max_illiquid_share", 1, 100.0, 100.0, "no limit"),
    ("min_impact_score", "0-100", "min_impact_score", 1, 100.0, 1.0, "no floor"),
)


def _fund_fields(current: Mandate) -> dict[str, object]:
    """The whole fund and the committee's tests: fund size, the return it will give up, the local
    plan's share of the fund, the illiquid share and an impact floor (an empty box: not set)."""
    columns = st.columns(2)
    changes: dict[str, object] = {}
    for key, unit, widget, column, largest, scale, blank in FUND_FIELDS:
        value = getattr(current, key)
        shown = columns[column].number_input(
            f"{label(key)} ({unit})",
            min_value=0.0,
            max_value=largest,
            value=None if value is None else round(value * scale, 6),
            placeholder=blank,
            key=widget,
        )
        changes[key] = None if shown is None else shown / scale
    return changes


def _mandate_file(current: Mandate) -> None:
    """The mandate as a TOML file to keep, and a TOML file to use instead (checked first)."""
    left, right = st.columns(2)
    left.download_button(
        "Download this mandate (TOML)", current.to_toml().encode("utf-8"), "mandate.toml", "application/toml"
    )
    upload = right.file_uploader("Use a mandate file (TOML)", type=["toml"], key="mandate_upload")
    if upload is not None and st.session_state.get("mandate_used") != upload.file_id:
        try:
            chosen = load_mandate(InputFile(upload.name, upload.getvalue(), "upload"), state.reference())
        except InputError as exc:
            st.error(f"{upload.name} was not used: fix these first. Nothing else changed.")
            st.dataframe(state.problem_table(exc.problems), hide_index=True, width="stretch")
        else:
            st.session_state["mandate_used"] = upload.file_id
            state.set_mandate(chosen)
            for key in FORM_KEYS:  # the form shows the new mandate, not what was typed before
                st.session_state.pop(key, None)
            st.rerun()


def _apply_buttons(result: RunResult, current: Mandate) -> None:
    """One button an option of the diagnosis: makes its changes to the mandate and solves again."""
    options = sorted({d.option for d in result.diagnosis})
    columns = st.columns(max(len(options), 3))
    for column, option in zip(columns, options, strict=False):
        changes = applied(
            current.model_dump(),
            [(d.constraint, d.relaxation) for d in result.diagnosis if d.option == option],
        )
        words = "Apply the change" if option == 1 else f"Apply alternative {option - 1}"
        if changes is not None and column.button(
            words, key=f"apply_{option}", type="primary" if option == 1 else "secondary"
        ):
            try:
                state.set_mandate(state.mandate_with(**changes))
            except InputError as exc:
                st.error("That change could not be applied; nothing changed.")
                st.dataframe(state.problem_table(exc.problems), hide_index=True, width="stretch")
                return
            for key in FORM_KEYS:  # the form shows the changed mandate
                st.session_state.pop(key, None)
            st.rerun()


def _mandate_form(current: Mandate) -> dict[str, object] | None:
    """The committee's limits in a form; the mandate changes when 'Allocate' is pressed, else None."""
    with st.form("mandate_form"):
        name = st.text_input(
            label("name"), current.name, max_chars=200, key="mandate_name", help=mandate_term("name").explain
        )
        left, right = st.columns(2)
        changes: dict[str, object] = {
            "name": name.strip() or current.name,
            "target_gbp": 1e6
            * left.number_input(
                f"{label('target_gbp')} (£m)",
                min_value=0.1,
                value=current.target_gbp / 1e6,
                step=5.0,
                key="target",
            ),
            "places": left.multiselect(
                label("places"),
                list(place_options),
                _chosen_places(current),
                format_func=place_options.get,
                key="places",
                help="Type a district's name, or a group's: a combined authority, a county, a region, "
                "a nation or a pool's footprint. A group stands for all its districts.",
            ),
            "place_groups": {},  # made again from the places chosen
            "objective": left.selectbox(
                label("objective"),
                list(OBJECTIVES),
                list(OBJECTIVES).index(current.objective),
                format_func=OBJECTIVES.get,
                key="objective",
            ),
            "benchmark_weighting": left.selectbox(
                label("benchmark_weighting"),
                ["population", "gva"],
                ["population", "gva"].index(current.benchmark_weighting),
                format_func={"population": "population", "gva": "economic output (GVA, where known)"}.get,
                key="benchmark_weighting",
            ),
            "max_volatility": _share(
                right.number_input(
                    f"{label('max_volatility')} (%)",
                    0.0,
                    100.0,
                    _pct(current.max_volatility),
                    placeholder="no limit",
                    key="max_volatility",
                )
            ),
            "min_expected_return": _share(
                right.number_input(
                    f"{label('min_expected_return')} (%)",
                    -50.0,
                    50.0,
                    _pct(current.min_expected_return),
                    placeholder="no limit",
                    key="min_expected_return",
                )
            ),
            "max_candidate_share": _share(
                right.number_input(
                    f"{label('max_candidate_share')} (%)",
                    0.0,
                    100.0,
                    _pct(current.max_candidate_share),
                    placeholder="no limit",
                    key="max_candidate_share",
                )
            ),
            "min_holdings": right.number_input(
                label("min_holdings"),
                1,
                1000,
                current.min_holdings,
                placeholder="no limit",
                key="min_holdings",
            ),
        }
        with st.expander("The fund, and the committee's tests"):
            changes |= _fund_fields(current)
        with st.expander("Caps by sector and by asset class"):
            frame = state.universe().frame
            changes["sector_caps"] = _caps_editor(
                "Sector caps (% of the target)",
                current.sector_caps,
                sorted(frame["sector"].unique()),
                sector,
                "sector_caps",
            )
            changes["asset_class_caps"] = _caps_editor(
                "Asset class caps (% of the target)",
                current.asset_class_caps,
                sorted(frame["asset_class"].unique()),
                asset_class,
                "class_caps",
            )
        submitted = st.form_submit_button("Allocate", type="primary")
    return changes if submitted else None


changes = None if state.presenting() else _mandate_form(current)
if not state.presenting():
    _mandate_file(current)
if changes is not None:
    try:
        state.set_mandate(state.mandate_with(**changes))
    except InputError as exc:
        st.error("The mandate has problems to fix first; nothing was solved.")
        st.dataframe(state.problem_table(exc.problems), hide_index=True, width="stretch")
        st.stop()

with st.spinner("Solving…"):  # the allocation's own figures first; the comparison and the frontier follow
    result = state.result(frontier_points=0, with_comparison=False)

if result.status == "infeasible":
    st.error("These limits cannot all be met. To make the mandate possible:")
    for diagnosis in result.diagnosis:
        st.markdown(f"- **{label(diagnosis.constraint)}**: {plain(diagnosis.message)}")
    if not state.presenting():
        _apply_buttons(result, current)
    st.stop()
if not result.feasible:
    st.error(f"No allocation: the solver stopped ({result.status}). {plain(result.solver.message)}")
    st.stop()

mine = result.portfolio
st.caption(f"{state.universe().provenance.describe()} · {state.provenance_line()}")
row = widgets.metric_row()
widgets.figure_metric(row, "total_gbp", mine.total_gbp, f"In {mine.holdings} holdings.")
widgets.figure_metric(row, "volatility", mine.volatility, f"Risk model: {result.risk_model}.")
widgets.figure_metric(row, "impact_score", mine.impact_score)
widgets.figure_metric(row, "local_capacity_gbp", state.local_capacity_gbp())
against_benchmarks = st.container()  # the figures set against the benchmarks, when they are ready
if result.solver.message:
    st.info(plain(result.solver.message))

amount, share = figure("amount_gbp"), figure("share")
table = pd.DataFrame(
    {
        "Holding": [h.name for h in result.allocations],
        amount.heading: [h.amount_gbp for h in result.allocations],
        share.label: [h.share for h in result.allocations],
        "Place": [result.place(h.local_authority) for h in result.allocations],
        "Sector": [sector(h.sector) for h in result.allocations],
        "Asset class": [asset_class(h.asset_class) for h in result.allocations],
    },
    index=pd.Index([h.id for h in result.allocations], name="Candidate"),
)
widgets.chart(charts.allocation_chart(chart_data.allocation(result)))
st.dataframe(
    table,
    width="stretch",
    key="allocation",
    column_config={
        amount.heading: st.column_config.NumberColumn(
            amount.heading, format="localized", help=amount.explain
        ),
        share.label: st.column_config.NumberColumn(share.label, format="percent", help=share.explain),
    },
)
widgets.download_buttons(table, "allocation", "Allocation", "allocation")
with against_benchmarks, st.spinner("Setting it against the benchmarks…"):
    full = state.result(frontier_points=0)
    if full.compared:
        widgets.headline_metrics(full)

if result.binding:
    st.subheader("What holds the allocation back")
    for binding in result.binding:
        st.markdown(f"- {plain(binding.message)}")
with st.spinner("Tracing what impact costs…"):
    traced = state.result()
if traced.frontier:
    widgets.chart(charts.frontier_chart(chart_data.frontier(traced)))
if traced.frontier_note:
    st.caption(traced.frontier_note)
