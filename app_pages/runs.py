"""Saved runs: keep the current scenario, reload one, compare two, and download committee reports."""

import pandas as pd
import streamlit as st

from app_pages import charts, state
from impact_screen import reports_html, reports_pdf, reports_xlsx, runs, runs_compare
from impact_screen.store import StoreError
from screening.errors import ImpactScreenError

st.title("Saved runs")
st.caption("Runs are kept on this computer, with copies of their inputs, so each can be reproduced later.")

with st.form("save_run"):
    name = st.text_input("Save the current scenario as", placeholder="e.g. committee March, 8% volatility")
    overwrite = st.checkbox("Replace a saved run of the same name")
    if st.form_submit_button("Save", type="primary"):
        try:
            saved = runs.capture(name.strip(), state.scenario(), state.allocation(), state.result())
            runs.save_run(saved, overwrite=overwrite)
            st.success(f"Saved as '{saved.name}'.")
        except (StoreError, ImpactScreenError) as exc:
            st.error(f"Not saved: {exc}")

try:
    saved_runs = runs.list_runs()
except StoreError as exc:
    st.error(f"The run store cannot be read: {exc}")
    st.stop()
if not saved_runs:
    st.info("No saved runs yet.")
    st.stop()

listing = pd.DataFrame(runs.listing(saved_runs))
st.dataframe(listing, hide_index=True, width="stretch")
names = [r.name for r in saved_runs]

st.subheader("Open a saved run")
chosen = st.selectbox("Run", names, key="run_to_open")
saved = runs.load_run(chosen)
left, html, pdf, workbook = st.columns(4)
if left.button("Load it into this session"):
    try:
        restored = runs.restore(saved)
    except (StoreError, ImpactScreenError) as exc:
        st.error(f"'{chosen}' cannot be loaded: {exc}")
    else:
        state.use_restored(restored)
        for note in restored.notes:
            st.warning(note)
        st.success(f"'{chosen}' is now this session's scenario: see the other pages.")
html.download_button(
    "Committee paper (HTML)", reports_html.html_report(saved).encode("utf-8"), f"{chosen}.html", "text/html"
)
why_not = reports_pdf.unavailable()
if why_not is None:
    pdf.download_button(
        "Committee paper (PDF)",
        lambda: reports_pdf.pdf_report(saved),  # made when clicked: a few seconds of layout
        f"{chosen}.pdf",
        "application/pdf",
    )
else:
    pdf.caption(f"No PDF on this computer: {why_not}. The HTML paper prints the same from a browser.")
workbook.download_button(
    "Workbook (XLSX)",
    reports_xlsx.xlsx_report(saved),
    f"{chosen}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

if len(names) >= 2:
    st.subheader("Compare two runs")
    first, second = st.columns(2)
    a = first.selectbox("First", names, index=0, key="compare_a")
    b = second.selectbox("Second", names, index=1, key="compare_b")
    diff = runs_compare.compare(runs.load_run(a), runs.load_run(b))
    for section in runs_compare.side_by_side(diff):
        st.markdown(f"**{section.title}**")
        if section.rows:
            st.dataframe(pd.DataFrame(section.rows, columns=["", a, b]), hide_index=True, width="stretch")
        else:
            st.write("No difference.")
    moved = runs_compare.holdings_chart(diff)
    if moved is not None:
        st.plotly_chart(charts.grouped_chart(moved))
    with st.expander("Every difference, in words (inputs, candidates and assumptions too)"):
        st.code(runs_compare.comparison_text(diff, keys=False), language=None)
    st.download_button(
        "The two runs side by side (XLSX)",
        reports_xlsx.comparison_workbook(diff),
        f"{a} beside {b}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
