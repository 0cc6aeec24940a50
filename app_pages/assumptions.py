"""Data and assumptions: every reference table with where it came from and how far to trust it."""

import streamlit as st

from app_pages import state

reference = state.reference()
st.title("Data and assumptions")
st.write("Every figure the tool uses, with its source and date. Replace the illustrative ones with your own.")

TABLES = {
    "assumptions": ("Capital market assumptions", reference.assumptions),
    "correlations": ("Asset-class correlations", reference.correlations),
    "places": ("Places", reference.places),
    "retention": ("Local retention by supplier type", reference.retention),
    "social_value": ("Social value proxies", reference.social_value),
}
for key, (title, table) in TABLES.items():
    provenance = reference.provenance[key]
    st.subheader(title)
    st.caption(f"{provenance.describe()} · {provenance.note}")
    if "illustrative" in provenance.status:
        st.warning("Illustrative: not published figures.", icon="⚠️")
    st.dataframe(table, width="stretch")
