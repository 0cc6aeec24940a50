"""Published runs: what a fund officer has published, presented read-only to anyone, signed in
or not, at its own address (`/published?run=NAME`). Nothing here solves, uploads or saves: the
story is drawn from the run's stored result."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from app_pages import identity, widgets
from impact_screen import runs
from impact_screen.access import Caller, Role
from impact_screen.reports import when
from impact_screen.store import StoreError
from portfolio.result import RunResult


@st.cache_resource(max_entries=16, show_spinner=False)
def _story(name: str, created_at: str, published_at: str) -> tuple[RunResult, dict[str, float], str]:
    """A published run's result, retention rates and candidates' status, read once per version
    of it (a replaced or re-published run has a new key). Read as a visitor: published runs only."""
    saved = runs.load_run(name, Caller.visitor())
    status = str(saved.provenance.get("candidates", {}).get("status") or "")
    return runs.result_of(saved), runs.retention_of(saved), status


who = identity.caller()
try:
    shown = [r for r in runs.list_runs(who) if r.published_at]
except StoreError as exc:
    st.error(f"The saved runs cannot be read: {exc}")
    st.stop()
chosen = st.query_params.get("run")
run = next((r for r in shown if r.name == chosen), None)

if run is not None:
    st.html(widgets.PRESENTATION_CSS)
    try:
        result, retention, status = _story(run.name, run.created_at, str(run.published_at))
    except StoreError as exc:  # unpublished or replaced a moment ago
        st.error(f"'{run.name}' cannot be shown: {exc}")
        st.stop()
    widgets.story(result, retention, status)
    st.markdown(f"*{run.name}: published {when(str(run.published_at))}. Read-only.*")
    st.stop()

st.title("Published runs")
if chosen:
    st.warning(f"No published run is called '{chosen}'. It may have been withdrawn.")
if not shown:
    st.info("No run has been published yet.")
else:
    st.write("Each run below is shown as it was published, read-only.")
    for summary in shown:
        st.markdown(
            f"- [{summary.name}](published?run={quote(summary.name)}), published {when(str(summary.published_at))}"
        )
if who.role is Role.PUBLIC and not who.signed_in and identity.signing_in():
    st.caption("Committee members and fund officers: sign in (in the sidebar) to explore and save runs.")
