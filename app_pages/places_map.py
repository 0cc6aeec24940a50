"""Map: where the money goes, district by district, and how deprived each district is.

Drawn offline from the bundled district boundaries: no map tiles, no request to any server."""

import json

import pandas as pd
import streamlit as st

from app_pages import charts, state
from impact_screen import chart_data
from screening.reading import bundled
from screening.vocabulary import money


@st.cache_resource(show_spinner=False)
def _boundaries() -> dict:
    """The 361 districts' boundaries (GeoJSON), read once for every session."""
    return json.loads(bundled.bundled(bundled.PLACE_BOUNDARIES).read_text(encoding="utf-8"))


KEYS = {
    "money": "Coloured by the £ placed in each district. The mandate's places are outlined, and "
    "shaded blue where nothing is placed yet; every other district is grey.",
    "deprivation": "Every UK district by its tenth on the composite UK deprivation index (1 = the most "
    "deprived tenth). The mandate's places are outlined. England's own index ranks its districts: "
    "hover over one to see its rank.",
}

st.title("The money on the map")
with st.spinner("Working out where the money goes…"):
    result = state.result(0)  # the map needs no frontier: the quick run
data = chart_data.place_map(result, state.reference().places, _boundaries())

drawing, side = st.columns([5, 2], gap="medium")
with side:
    layer = st.radio(
        "Show",
        list(chart_data.MAP_LAYERS),
        format_func=chart_data.MAP_LAYERS.get,
        key="map_layer",
    )
    whole_uk = st.toggle(
        "Show the whole UK", key="map_whole_uk", help="Otherwise the map shows the mandate's places"
    )
    st.caption(KEYS[layer or "money"])
    if not result.feasible:
        st.warning(
            "The current limits cannot all be met, so nothing is placed; the Allocate page says what to change."
        )
with drawing:
    figure = charts.place_map_chart(data, layer or "money", whole_uk=whole_uk)
    st.plotly_chart(figure, config=charts.MAP_CONFIG, key="place_map")

rows = [i for i, code in enumerate(data.codes) if code in set(data.focus)]
table = pd.DataFrame(
    {
        "District": [data.names[i] for i in rows],
        "Placed": [money(data.amounts[i]) if data.amounts[i] > 0 else "–" for i in rows],
        "Holdings": [data.holdings[i] for i in rows],
        "UK deprivation (tenth, 1 = most deprived)": [data.deciles[i] for i in rows],
        f"England's rank (of {data.ranked}, 1 = most deprived)": [data.ranks[i] for i in rows],
    }
).sort_values(["Holdings", "District"], ascending=[False, True])
st.dataframe(table, hide_index=True, width="stretch", key="map_places")
st.caption(
    "Boundaries: Office for National Statistics, Local Authority Districts (December 2024), "
    "ultra-generalised, Open Government Licence v3.0; contains OS data © Crown copyright and database "
    "right 2024. Deprivation: mySociety's composite UK index (CC BY 4.0) and England's Indices of "
    "Deprivation 2025 (MHCLG, Open Government Licence v3.0). The map is drawn in your browser from "
    "files that come with the tool: it needs no internet connection and sends nothing anywhere."
)
