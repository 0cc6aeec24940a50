"""Candidates: the universe in use, and uploading a fund's own file with every problem listed."""

import streamlit as st

from app_pages import state, widgets
from screening.reading.candidates import as_read, as_written, to_csv_bytes
from screening.reading.tables import InputFile


def _fix_in_place(name: str, content: bytes, errors: list, upload_id: str) -> None:
    """The rejected file in an editor, each row with its problems beside it, to fix and check again."""
    frame = as_read(InputFile(name, content, "upload"), state.upload_limits())
    if frame is None or frame.empty:
        return
    by_line: dict[int, list[str]] = {}
    for problem in errors:
        if problem.line and problem.line > 1:
            by_line.setdefault(problem.line, []).append(f"{problem.field}: {problem.message}")
    frame.insert(0, "problems", [" · ".join(by_line.get(int(line), [])) for line in frame.index])
    st.markdown(f"**Fix {name} here**: each row with a problem says so in the first column.")
    edited = st.data_editor(
        frame,
        hide_index=True,
        width="stretch",
        key="fix_upload",
        disabled=["problems"],
        column_config={"problems": st.column_config.TextColumn("problems", width="large")},
    )
    if st.button("Check and use the fixed file", key="check_fixed"):
        fixed = edited.drop(columns="problems").to_csv(index=False).encode("utf-8")
        found = state.accept_upload(f"{name} (fixed in the app).csv", fixed)
        if any(p.severity == "error" for p in found):
            st.error("Still not used: fix these first.")
            st.dataframe(state.problem_table(found), hide_index=True, width="stretch")
        else:
            st.session_state["fixed_upload"] = upload_id  # this upload is in use, as fixed
            st.rerun()


st.title("Candidate investments")

upload = st.file_uploader(
    "Use your own candidate file (CSV or XLSX)",
    type=["csv", "xlsx"],
    help=f"This app reads a candidate file of {state.upload_limits().describe()}.",
)
if upload is not None and st.session_state.get("fixed_upload") == upload.file_id:
    st.success(f"{upload.name}, fixed in the app, is in use.")
elif upload is not None:
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
    if errors:
        _fix_in_place(upload.name, upload.getvalue(), errors, upload.file_id)

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
