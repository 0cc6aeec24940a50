"""Candidates: the universe in use, and uploading a fund's own file with every problem listed.

The table is shown and edited in words: asset classes, sectors and ownership as the vocabulary
names them, each place by its name (its ONS code beside it, for officers), every column headed in
words. Checking the edits turns the words back into the candidate file's keys and codes; the
downloads are that file itself, machine-readable, to edit and upload again.
"""

import pandas as pd
import streamlit as st

from app_pages import state, widgets
from screening import vocabulary as words
from screening.reading.candidates import as_read, as_written, to_csv_bytes
from screening.reading.tables import InputFile

CODED = {"sector": words.sector, "asset_class": words.asset_class, "ownership": words.ownership}
PLACE_CODE = "ons_code"  # the column the table adds beside each place's name


def _coded(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The codes each worded column may hold: the reference's vocabularies, the sectors in use."""
    reference = state.reference()
    sectors = {*words.SECTORS, *(str(s) for s in frame["sector"].dropna())}
    return {
        "sector": sorted(sectors),
        "asset_class": list(reference.asset_classes),
        "ownership": list(reference.ownership_types),
    }


def _worded(value: object, word) -> object:
    return word(value) if isinstance(value, str) and value else value


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The candidates as people read them: codes in words, places by name with their ONS code beside
    them, every column headed in words."""
    names = state.reference().places["name"]
    shown = frame.copy()
    for name, word in CODED.items():
        if name in shown:
            shown[name] = shown[name].map(lambda v, word=word: _worded(v, word))
    codes = shown["local_authority"]
    shown["local_authority"] = codes.map(lambda c: names.get(c, c))
    shown.insert(shown.columns.get_loc("local_authority") + 1, PLACE_CODE, codes)
    return shown.rename(columns=_headings(frame))


def _headings(frame: pd.DataFrame) -> dict[str, str]:
    return {c: words.candidate_heading(c) for c in frame.columns} | {PLACE_CODE: words.PLACE_CODE}


def from_words(shown: pd.DataFrame, written: pd.DataFrame) -> pd.DataFrame:
    """The table in words back in the candidate file's keys and codes (`written` is the file it
    was shown from), to be checked like any upload: a place by its name (the ONS code column is
    only shown), each word back to its code; anything typed that is not a known word is kept as
    typed, for the checks to report."""
    keys = {heading: key for key, heading in _headings(written).items()}
    frame = shown.rename(columns=keys).drop(columns=PLACE_CODE)
    codes = {str(n).lower(): str(c) for c, n in state.reference().places["name"].items()}
    frame["local_authority"] = frame["local_authority"].map(
        lambda v: codes.get(v.strip().lower(), v) if isinstance(v, str) else v
    )
    for name, allowed in _coded(written).items():
        if name in frame:
            back = {CODED[name](code): code for code in allowed}
            frame[name] = frame[name].map(lambda v, back=back: back.get(v, v) if isinstance(v, str) else v)
    return frame[list(written.columns)]


def _fix_in_place(name: str, content: bytes, errors: list, upload_id: str) -> None:
    """The rejected file in an editor, each row with its problems beside it, to fix and check again."""
    frame = as_read(InputFile(name, content, "upload"), state.upload_limits())
    if frame is None or frame.empty:
        return
    by_line: dict[int, list[str]] = {}
    for problem in errors:
        if problem.line and problem.line > 1:
            where = words.candidate_heading(problem.field) if problem.field else "Row"
            by_line.setdefault(problem.line, []).append(f"{where}: {problem.message}")
    frame.insert(0, "problems", [" · ".join(by_line.get(int(line), [])) for line in frame.index])
    st.markdown(f"**Fix {name} here**: each row with a problem says so in the first column.")
    edited = st.data_editor(
        frame,
        hide_index=True,
        width="stretch",
        key="fix_upload",
        disabled=["problems"],
        column_config={  # headed in words; the cells stay as the file has them, to be fixed there
            "problems": st.column_config.TextColumn("Problems", width="large"),
            **{
                c: st.column_config.Column(words.candidate_heading(c))
                for c in frame.columns
                if c != "problems"
            },
        },
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

editable = as_written(universe)  # the file's keys and codes: what is checked and downloaded
shown = in_words(editable)
coded = _coded(editable)
heading = words.candidate_heading
edited = st.data_editor(
    shown,
    hide_index=True,
    width="stretch",
    num_rows="dynamic",
    key="candidate_editor",
    disabled=[words.PLACE_CODE],
    column_config={
        heading("asset_class"): st.column_config.SelectboxColumn(
            options=[words.asset_class(c) for c in coded["asset_class"]]
        ),
        heading("local_authority"): st.column_config.SelectboxColumn(
            options=sorted(str(n) for n in state.reference().places["name"]),
            help="The district the candidate's activity is in",
        ),
        words.PLACE_CODE: st.column_config.TextColumn(
            help="The place's ONS code, for officers: it follows the place once the edits are checked"
        ),
        heading("ownership"): st.column_config.SelectboxColumn(
            options=[words.ownership(c) for c in coded["ownership"]]
        ),
        heading("expected_return"): st.column_config.NumberColumn(format="percent"),
        heading("volatility"): st.column_config.NumberColumn(format="percent"),
        heading("min_ticket_gbp"): st.column_config.NumberColumn(format="localized"),
        heading("max_ticket_gbp"): st.column_config.NumberColumn(format="localized"),
    },
)
st.caption(
    "A blank impact cell means unknown, never zero. A blank largest ticket means no cap. "
    "Edit cells above, then check and use the edits; nothing changes until they pass every check. "
    "The downloads below are the candidate file itself, machine-readable: its column names and "
    "codes (places by ONS code), to edit and upload again."
)
if st.button("Check and use my edits", disabled=edited.equals(shown)):
    problems = state.accept_upload(
        "candidates edited in the app.csv", to_csv_bytes(from_words(edited, editable))
    )
    if any(p.severity == "error" for p in problems):
        st.error("The edits were not used: fix these first.")
        st.dataframe(state.problem_table(problems), hide_index=True, width="stretch")
    else:
        st.rerun()
widgets.download_buttons(editable, "candidates", "Candidates", "candidates")
