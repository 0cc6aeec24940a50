"""Streamlit entry point: a router over thin pages that call the screening and portfolio core."""

import streamlit as st

st.set_page_config(page_title="Invest in our place", page_icon="🏙️", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("app_pages/candidates.py", title="Candidates", icon=":material/table:"),
    st.Page("app_pages/screen.py", title="Screen", icon=":material/filter_alt:"),
    st.Page("app_pages/allocate.py", title="Allocate", icon=":material/account_balance:"),
    st.Page("app_pages/places_map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/pacing.py", title="Pacing", icon=":material/timeline:"),
    st.Page("app_pages/runs.py", title="Saved runs", icon=":material/save:"),
    st.Page("app_pages/assumptions.py", title="Data and assumptions", icon=":material/menu_book:"),
]

# Presentation mode, for a public meeting: the story on one screen at a projector's 1280x720; the
# sidebar, captions and download buttons hidden, the type larger, the pages in a bar at the top.
PRESENTATION_CSS = """
<style>
  html { font-size: max(16px, 1.4vw); }  /* the same story fills a 1280 or a 1920 screen alike */
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  [data-testid="stCaptionContainer"], [data-testid="stDownloadButton"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 1rem; max-width: none; }
  [data-testid="stMetricValue"] { font-size: 2.9rem; }
  [data-testid="stMetricLabel"] p { font-size: 1.05rem; }
  h1 { font-size: 2.3rem !important; padding-top: 0 !important; }
</style>
"""


def _leave_presentation() -> None:
    st.session_state["presenting"] = False


presenting = bool(st.session_state.get("presenting", False))
page = st.navigation(PAGES, position="top" if presenting else "sidebar")
st.sidebar.toggle("Presentation mode", key="presenting", help="Hide the controls and enlarge the type")
if presenting:
    st.html(PRESENTATION_CSS)
    st.button(
        "Leave presentation mode",
        key="leave_presenting",
        type="tertiary",
        icon=":material/close_fullscreen:",
        on_click=_leave_presentation,
    )
page.run()
