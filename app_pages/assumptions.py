"""Data and assumptions: every reference table with where it came from and how far to trust it."""

import streamlit as st

from app_pages import identity, state
from impact_screen.access import Action
from impact_screen.market import PROXIES_FILE, load_proxies
from screening.reading.provenance import manifest

st.title("Data and assumptions")
st.write("Every figure the tool uses, with its source and date. Replace the illustrative ones with your own.")

left, right = st.columns([3, 1])
left.info(state.provenance_line(), icon=":material/monitoring:")
if not identity.allows(Action.REFRESH_MARKET):
    right.caption("A fund officer can refresh the market data.")
elif right.button(
    "Refresh market data", help="Download listed proxies' prices from Yahoo Finance (up to 30 s)"
):
    with st.spinner("Asking Yahoo Finance (gives up after 30 seconds)…"):
        notes = state.refresh_market_data()
    for note in notes:
        st.warning(note)
reference = state.reference()

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
        st.warning("Illustrative: not published figures.", icon=":material/warning:")
    st.dataframe(table, width="stretch")

st.subheader("Listed proxies for market data")
proxies = manifest().get(PROXIES_FILE, {})
st.caption(
    f"bundled {PROXIES_FILE} ({proxies.get('status', '')}, as of {proxies.get('as_of', '')}) · "
    "Yahoo Finance symbols; prices of .L symbols are in pence and are divided by 100."
)
st.dataframe(load_proxies(None, reference.asset_classes), width="stretch")
