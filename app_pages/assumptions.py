"""Data and assumptions: every reference table with where it came from and how far to trust it.

Each table is shown in words: asset classes, supplier types and measures as the vocabulary names
them, places by name (the ONS code beside it), every column headed in words.
"""

import pandas as pd
import streamlit as st

from app_pages import identity, state
from impact_screen.access import Action
from impact_screen.market import PROXIES_FILE, load_proxies
from screening import vocabulary as words
from screening.reading.provenance import manifest

PERCENT = {  # the columns holding rates or shares, by table, shown as percentages
    "assumptions": ("expected_return", "volatility", "bundled_volatility", "trailing_return_1y"),
    "places": ("iod2025_most_deprived_decile_share",),
    "retention": ("retention_share",),
}
FIRST = {"retention": "Supplier", "social_value": "Measure", "proxies": "Asset class"}  # the index, in words


def _measure(metric: str) -> str:
    return words.SOCIAL_VALUE_METRICS.get(metric, metric.replace("_", " "))


def in_words(key: str, table: pd.DataFrame) -> pd.DataFrame:
    """One reference table as people read it: its codes in words, its columns headed in words."""
    shown = table.copy()
    if "basis" in shown:
        shown["basis"] = shown["basis"].map(lambda v: v.replace("_", " ") if isinstance(v, str) else v)
    if key == "correlations":
        return shown.rename(index=words.asset_class, columns=words.asset_class).rename_axis("Asset class")
    if key == "assumptions":
        labels = shown.pop("label") if "label" in shown else pd.Series(dtype=object)
        shown.insert(0, "label", [labels.get(c) or words.asset_class(str(c)) for c in shown.index])
    elif key == "places":
        shown = shown.drop(columns=["combined_authority"], errors="ignore")  # its name is beside it
        shown.insert(1, words.PLACE_CODE, shown.index)
    elif key in FIRST:
        word = {"retention": words.ownership, "proxies": words.asset_class}.get(key, _measure)
        shown.insert(0, FIRST[key], [word(str(c)) for c in shown.index])
    headings = {c: words.reference_heading(key, c) for c in shown.columns if c not in FIRST.values()}
    return shown.reset_index(drop=True).rename(columns={**headings, words.PLACE_CODE: words.PLACE_CODE})


def show_table(key: str, table: pd.DataFrame) -> None:
    """One reference table in words, its rates and shares as percentages."""
    config = {
        words.reference_heading(key, c): st.column_config.NumberColumn(format="percent")
        for c in PERCENT.get(key, ())
        if c in table
    }
    shown = in_words(key, table)
    st.dataframe(shown, width="stretch", hide_index=key != "correlations", column_config=config)


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
    show_table(key, table)

st.subheader("Listed proxies for market data")
proxies = manifest().get(PROXIES_FILE, {})
st.caption(
    f"bundled {PROXIES_FILE} ({proxies.get('status', '')}, as of {proxies.get('as_of', '')}) · "
    "Yahoo Finance symbols; prices of .L symbols are in pence and are divided by 100."
)
show_table("proxies", load_proxies(None, reference.asset_classes))
