"""Saved runs: keep the current scenario, reload one, compare two, and download committee reports."""

from urllib.parse import quote

import pandas as pd
import streamlit as st

from app_pages import charts, identity, state
from impact_screen import reports_html, reports_pdf, reports_xlsx, runs, runs_compare
from impact_screen.access import Action
from impact_screen.store import StoreError
from screening.errors import ImpactScreenError

who = identity.caller()
st.title("Saved runs")
st.caption(
    "Runs are kept in the app's run store, with copies of their inputs, so each can be reproduced "
    "later. Each records who saved it; every change is in the audit trail at the foot of the page."
)


def manage(saved: runs.SavedRun) -> None:
    """Publish, withdraw or delete the open run: the buttons the caller's role allows (the store
    checks the role again)."""
    can_publish = identity.allows(Action.PUBLISH)
    can_delete = identity.allows(Action.DELETE, saved.author)
    if not (can_publish or can_delete):
        return
    publish, delete, _ = st.columns([1, 1, 2])
    try:
        if can_publish and saved.published_at is None and publish.button("Publish", key="publish"):
            runs.publish_run(saved.name, who)
            st.rerun()
        if can_publish and saved.published_at is not None and publish.button("Withdraw", key="unpublish"):
            runs.publish_run(saved.name, who, published=False)
            st.rerun()
        sure = can_delete and delete.checkbox("I mean to delete it", key="delete_sure")
        if can_delete and delete.button("Delete", key="delete_run", disabled=not sure):
            runs.delete_run(saved.name, who)
            st.rerun()
    except StoreError as exc:
        st.error(str(exc))
    if saved.published_at is not None:
        st.caption(
            f"Published: anyone can present it at [published?run={quote(saved.name)}](published?run={quote(saved.name)})."
        )


with st.form("save_run"):
    name = st.text_input("Save the current scenario as", placeholder="e.g. committee March, 8% volatility")
    overwrite = st.checkbox("Replace a saved run of the same name")
    if st.form_submit_button("Save", type="primary"):
        try:
            saved = runs.capture(name.strip(), state.scenario(), state.allocation(), state.result())
            runs.save_run(saved, who, overwrite=overwrite)
            st.success(f"Saved as '{saved.name}'.")
        except (StoreError, ImpactScreenError) as exc:
            st.error(f"Not saved: {exc}")

try:
    saved_runs = runs.list_runs(who)
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
saved = runs.load_run(chosen, who)
st.caption(runs.authorship(saved))
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

manage(saved)

if len(names) >= 2:
    st.subheader("Compare two runs")
    first, second = st.columns(2)
    a = first.selectbox("First", names, index=0, key="compare_a")
    b = second.selectbox("Second", names, index=1, key="compare_b")
    diff = runs_compare.compare(runs.load_run(a, who), runs.load_run(b, who))
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

if identity.allows(Action.READ_AUDIT):
    with st.expander("Audit trail: who saved, replaced, published or deleted which run"):
        st.dataframe(
            pd.DataFrame(runs.audit_listing(runs.audit_trail(who))), hide_index=True, width="stretch"
        )
