"""Candidates: the universe in use, and uploading a fund's own file with every problem listed."""

import streamlit as st

from app_pages import state, widgets
from screening.reading.candidates import as_written, to_csv_bytes

st.title("Candidate investments")

upload = st.file_uploader("Use your own candidate file (CSV or XLSX)", type=["csv", "xlsx"])
if upload is not None:
    problems = state.accept_upload(upload.name, upload.getvalue())
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        st.error(f"{upload.name} was not used: {len(errors)} problem(s) to fix. Nothing else changed.")
    elif problems:
        st.warning(f"{upload.name} is in use, with {len(problems)} warning(s).")
    else:
        st.success(f"{upload.name} is in use.")
    if problems:
        st.dataframe(state.problem_table(problems), hide_index=True, width="stretch")

universe = state.universe()
st.caption(f"In use: {universe.provenance.describe()} · {len(universe)} candidates")
if universe.provenance.source == "bundled":
    st.warning(
        "These candidates are **illustrative**: invented for demonstration, with no real deal terms.",
        icon="⚠️",
    )
elif upload is None and st.button("Go back to the bundled candidates"):
    state.use_bundled()
    st.rerun()

editable = as_written(universe)
edited = st.data_editor(
    editable,
    hide_index=True,
    width="stretch",
    num_rows="dynamic",
    key="candidate_editor",
    column_config={
        "expected_return": st.column_config.NumberColumn("expected return", format="percent"),
        "volatility": st.column_config.NumberColumn("volatility", format="percent"),
        "min_ticket_gbp": st.column_config.NumberColumn("min ticket (£)", format="localized"),
        "max_ticket_gbp": st.column_config.NumberColumn("max ticket (£)", format="localized"),
    },
)
st.caption(
    "A blank impact cell means unknown, never zero. A blank maximum ticket means no cap. "
    "Edit cells above, then check and use the edits; nothing changes until they pass every check."
)
if st.button("Check and use my edits", disabled=edited.equals(editable)):
    problems = state.accept_upload("candidates edited in the app.csv", to_csv_bytes(edited))
    if any(p.severity == "error" for p in problems):
        st.error("The edits were not used: fix these first.")
        st.dataframe(state.problem_table(problems), hide_index=True, width="stretch")
    else:
        st.rerun()
widgets.download_buttons(editable, "candidates", "Candidates", "candidates")
