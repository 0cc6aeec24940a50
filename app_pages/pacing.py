"""Pacing: from commitment to money at work. What to commit each year so that the target is
invested (not only promised) by the target year, the cash the programme calls and pays back each
year, and whether the fund can still pay pensions without selling assets; a schedule of one's own
tried against it."""

import hashlib
import re

import pandas as pd
import streamlit as st

from app_pages import charts, state, widgets
from impact_screen import chart_data
from impact_screen.reports import file_name
from portfolio.compare import allocation_pacing
from portfolio.pacing.summary import pacing_summary
from portfolio.result import Pacing, RunResult
from screening import Problem
from screening.errors import InputError
from screening.reading.mandate import Mandate
from screening.vocabulary import asset_class, figure, label, mandate_term, mandate_value, plain

st.title("From commitment to money at work")
presenting = state.presenting()

# the plan's settings in the form: (key under the mandate's [pacing], unit shown, the form's unit
# per mandate unit, blank reads as (None: a year or a count, never blank), least, most, column)
PLAN_FIELDS = (
    ("start_year", "", 1, None, 2000, 2100, 0),
    ("target_year", "", 1, None, 2000, 2100, 0),
    ("hold_years", "", 1, None, 0, 30, 0),
    ("target_gbp", "£m", 1e-6, "the mandate's target", 0.001, None, 0),
    ("target_share", "% of the fund", 100.0, "not set", 0.0, 100.0, 0),
    ("max_yearly_commitment_gbp", "£m", 1e-6, "no limit", 0.001, None, 1),
    ("max_net_cash_outflow_gbp", "£m", 1e-6, "no limit", 0.001, None, 1),
    ("fund_net_cash_flow_gbp", "£m", 1e-6, "not set", None, None, 1),
)
NEW_PLAN = {"start_year": 2027, "target_year": 2031, "hold_years": 5}  # next to the bundled mandate's
_KEY = re.compile(r"pacing\.[a-z_]+")


def _caption(result: RunResult) -> None:
    """What the page shows, and where its assumptions come from."""
    source = result.provenance.get("pacing_assumptions")
    where = ""
    if source is not None and source.source == "bundled":
        where = f" (bundled, {source.status}, as of {source.as_of})"
    elif source is not None:
        where = f" ({file_name(source.name)}, {source.status})"
    st.caption(
        "A commitment is a promise: the fund's managers call the money over several years and pay "
        "it back as the investments mature. The plan says what to commit each year so that the "
        "money is at work by the year set below. Each asset class is paced with the "
        f"Takahashi-Alexander model, using the pacing assumptions file{where} and the capital "
        "market assumptions."
    )


def _said(problem: Problem) -> str:
    """A problem with the plan's settings in the form's words: labels, never mandate keys."""
    text = _KEY.sub(lambda found: f"'{label(found.group())}'", problem.message)
    if problem.field and problem.field.startswith("pacing."):
        return f"{label(problem.field)}: {text}"
    return text[:1].upper() + text[1:]


def _plan_form(current: Mandate) -> dict[str, object] | None:
    """The mandate's [pacing] settings in a form (a new plan's defaults when it has none); the
    settings when the button is pressed, else None."""
    settings = current.pacing.model_dump() if current.pacing is not None else dict(NEW_PLAN)
    st.subheader("Plan settings")
    with st.form("pacing_form"):
        columns = st.columns(2)
        changes: dict[str, object] = {}
        for key, unit, scale, blank, least, most, column in PLAN_FIELDS:
            term = mandate_term(f"pacing.{key}")
            value = settings.get(key)
            heading = f"{term.label} ({unit})" if unit else term.label
            help_text = " ".join(
                part for part in (term.explain, f"Sign: {term.sign}." if term.sign else "") if part
            )
            if blank is None:  # a year or a count: whole numbers, always set
                changes[key] = int(
                    columns[column].number_input(
                        heading,
                        min_value=least,
                        max_value=most,
                        value=int(value),
                        step=1,
                        help=help_text,
                        key=f"pacing_{key}",
                    )
                )
                continue
            if key == "target_gbp":
                blank = f"{blank} ({mandate_value('target_gbp', current.target_gbp)})"
            shown = columns[column].number_input(
                heading,
                min_value=None if least is None else float(least),
                max_value=None if most is None else float(most),
                value=None if value is None else round(value * scale, 6),
                placeholder=blank,
                help=help_text,
                key=f"pacing_{key}",
            )
            changes[key] = None if shown is None else shown / scale
        button = "Plan the commitments" if current.pacing is not None else "Add a commitment plan"
        submitted = st.form_submit_button(button, type="primary")
    return changes if submitted else None


def _apply(changes: dict[str, object]) -> bool:
    """Make the settings the session's mandate's; False (with what to fix) when they are not valid."""
    try:
        state.set_mandate(state.mandate_with(pacing=changes))
    except InputError as exc:
        st.error("The plan settings have problems to fix first; nothing changed.")
        st.markdown("\n".join(f"- {_said(p)}" for p in exc.problems))
        return False
    return True


def _metrics(pacing: Pacing) -> None:
    row = widgets.metric_row()
    widgets.figure_metric(row, "pacing_target_gbp", pacing.target_gbp)
    widgets.figure_metric(
        row, "target_year", pacing.target_year, f"Held there to the end of {pacing.end_year}."
    )
    widgets.figure_metric(row, "total_commitments_gbp", pacing.total_commitments_gbp)
    widgets.figure_metric(row, "largest_net_cash_outflow_gbp", pacing.largest_net_cash_outflow_gbp)
    reached = figure("reached_year")
    if pacing.reached_year is not None:
        widgets.figure_metric(row, "reached_year", pacing.reached_year)
    else:
        row.metric(reached.label, f"Not by {pacing.end_year}", help=reached.explain, width="content")  # type: ignore[attr-defined]
    if pacing.status == "infeasible":
        widgets.figure_metric(row, "shortfall_gbp", pacing.shortfall_gbp)


def _story(pacing: Pacing) -> list[str]:
    """The plan's sentences less the diagnosis, which the warning lists."""
    told = {plain(d.message) + "." for d in pacing.diagnosis}
    return [line for line in pacing_summary(pacing) if line not in told]


def _schedule(pacing: Pacing) -> None:
    """A schedule of one's own (£m committed each year, the plan's to start with), and what it
    puts to work."""
    frame = pd.DataFrame(
        {
            "Year": [str(y.year) for y in pacing.years],
            "Committed (£m)": [y.commitments_gbp / 1e6 for y in pacing.years],  # shown to £0.1m, kept whole
        }
    )
    plan = ",".join(f"{y.year}:{y.commitments_gbp:.0f}" for y in pacing.years)
    st.write(
        "Change what is committed each year (£m): the chart beside it shows what that schedule puts to "
        "work. Each year's commitment is spread over the asset classes as the plan spreads that year's "
        "(in the allocation's mix in a year the plan commits nothing), so the plan's own amounts give "
        "the plan back."
    )
    left, right = st.columns([1, 3])
    with left:
        edited = st.data_editor(
            frame,
            hide_index=True,
            num_rows="fixed",
            disabled=["Year"],
            key=f"pacing_schedule_{hashlib.sha256(plan.encode()).hexdigest()[:12]}",  # new plan, new table
            column_config={
                "Committed (£m)": st.column_config.NumberColumn(min_value=0.0, step=0.1, format="%.1f")
            },
        )
    schedule = {
        int(year): 0.0 if pd.isna(value) else float(value) * 1e6
        for year, value in zip(edited["Year"], edited["Committed (£m)"], strict=True)
    }
    inputs, run = state.scenario(0), state.allocation(0)
    try:
        own = allocation_pacing(
            inputs.universe, inputs.mandate, inputs.reference, run.allocation, inputs.comparison, schedule
        )
    except InputError as exc:
        right.error("This schedule cannot be projected: " + "; ".join(plain(p.message) for p in exc.problems))
        return
    if own is None:
        return
    with right:
        st.info(" ".join(pacing_summary(own)), icon=":material/calculate:")
        st.plotly_chart(charts.pacing_chart(chart_data.pacing_chart(own)), key="schedule_chart")  # type: ignore[arg-type]


ASSUMPTION_COLUMNS = {  # the pacing file's columns, as the editor heads them (vocabulary labels)
    "asset_class": ("Asset class", None),
    "call_rate_year1": ("Drawn in the first year", "percent"),
    "call_rate_year2": ("Drawn in the second year (of the rest)", "percent"),
    "call_rate_later": ("Drawn each later year (of the rest)", "percent"),
    "distribution_yield": (figure("distribution_yield").label, "percent"),
    "bow": (figure("bow").label, None),
    "fund_life_years": (figure("fund_life_years").label + " (years)", None),
    "growth": (figure("growth").label + " (blank: expected return)", "percent"),
}


def _assumption_frame() -> pd.DataFrame:
    """The pacing assumptions in use, one row per asset class, in the file's columns."""
    table = state.scenario(0).comparison.pacing
    return pd.DataFrame(
        [
            {
                "asset_class": c.asset_class,
                "call_rate_year1": c.call_rates[0],
                "call_rate_year2": c.call_rates[1],
                "call_rate_later": c.call_rates[2],
                "distribution_yield": c.distribution_yield,
                "bow": c.bow if c.fund_life_years is not None else None,
                "fund_life_years": c.fund_life_years,
                "growth": c.growth,
                "basis": c.basis,
                "description": c.description,
            }
            for c in table.values()
        ]
    )


def _assumption_problem(problem: Problem) -> str:
    """A problem of the edited assumptions in the editor's words: its row and column heading."""
    heading = ASSUMPTION_COLUMNS.get(problem.field or "", (problem.field or "", None))[0]
    row = f"row {problem.line - 1}, " if problem.line else ""  # the header is line 1
    where = f"{row}{heading}: " if heading or row else ""
    return f"{where}{plain(problem.message)}"


def _edit_assumptions() -> None:
    """The assumptions in an editor: 'Use these assumptions' checks them as any pacing file is
    and makes them this session's (a saved run keeps the edited file)."""
    frame = _assumption_frame()
    st.write(
        "Change the assumptions to your adviser's or your managers' and press the button: the plan is "
        "made again with them (shares as percentages; a blank growth is the asset class's expected return)."
    )
    key = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:12]
    edited = st.data_editor(
        frame.assign(asset_class=frame["asset_class"].map(asset_class)),  # in words; the file keeps the code
        hide_index=True,
        num_rows="fixed",
        disabled=["asset_class"],
        column_order=list(ASSUMPTION_COLUMNS),
        key=f"pacing_assumptions_{key}",
        column_config={
            name: (
                st.column_config.NumberColumn(heading, format=fmt)
                if fmt
                else st.column_config.Column(heading)
            )
            for name, (heading, fmt) in ASSUMPTION_COLUMNS.items()
        },
    )
    edited = edited.assign(asset_class=frame["asset_class"])
    if st.button("Use these assumptions", key="use_pacing_assumptions"):
        problems = state.use_pacing_assumptions(edited)
        if problems:
            st.error("The assumptions have problems to fix first; nothing changed.")
            st.markdown("\n".join(f"- {_assumption_problem(p)}" for p in problems))
        else:
            st.rerun()


result = state.result(frontier_points=0)  # the plan needs the allocation's mix, not the frontier
if not presenting:
    _caption(result)
if not result.feasible:
    st.error("There is no allocation to pace: the mandate's limits cannot all be met.")
    for diagnosis in result.diagnosis:
        st.markdown(f"- **{label(diagnosis.constraint)}**: {plain(diagnosis.message)}")
    st.stop()

body = st.container()  # the plan, drawn above the settings once they are applied
if not presenting:
    changes = _plan_form(state.mandate())
    if changes is not None and _apply(changes):
        result = state.result(frontier_points=0)

with body:
    pacing = result.pacing
    if state.mandate().pacing is None:
        st.info(
            "The mandate does not set a commitment plan yet."
            + (
                ""
                if presenting
                else " Choose below when the commitments start and by when the money must be at work, "
                "then press 'Add a commitment plan'."
            ),
            icon=":material/timeline:",
        )
        st.stop()
    if pacing is None or not pacing.years:
        notes = [
            plain(n) for n in (result.comparison.notes if result.comparison else []) if "commitment plan" in n
        ]
        st.warning(" ".join(notes) or "No commitment plan could be made for this allocation.")
        st.stop()

    _metrics(pacing)
    story = _story(pacing)
    chart = chart_data.pacing_chart(pacing)
    assert chart is not None  # the plan has years
    if presenting:  # one screen at a projector's 1280x720: the sentence beside the chart
        left, right = st.columns([2, 5], vertical_alignment="center")
        left.info(story[0], icon=":material/campaign:")
        right.plotly_chart(charts.pacing_chart(chart, height=380), key="pacing_chart")
        st.stop()
    st.info(story[0], icon=":material/campaign:")
    if pacing.status == "infeasible":
        st.warning(
            "The limits do not let the plan reach the target. What would have to change:\n\n"
            + "\n".join(f"- {plain(d.message)}." for d in pacing.diagnosis)
        )
    for line in story[1:]:
        st.markdown(line)
    st.plotly_chart(charts.pacing_chart(chart), key="pacing_chart")
    widgets.table(chart_data.pacing_table(pacing))  # type: ignore[arg-type]
    with st.expander("The pacing assumptions"):
        widgets.table(chart_data.pacing_assumptions(pacing))  # type: ignore[arg-type]
        source = result.provenance.get("pacing_assumptions")
        if source is not None and source.note:
            st.caption(source.note)
        _edit_assumptions()
    with st.expander("Try your own schedule"):
        _schedule(pacing)
