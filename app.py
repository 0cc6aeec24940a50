"""Streamlit entry point: a router over thin pages that call the screening and portfolio core."""

import streamlit as st

st.set_page_config(page_title="Invest in our place", page_icon=":material/location_city:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("app_pages/candidates.py", title="Candidates", icon=":material/table:"),
    st.Page("app_pages/screen.py", title="Screen", icon=":material/filter_alt:"),
    st.Page("app_pages/allocate.py", title="Allocate", icon=":material/account_balance:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/runs.py", title="Saved runs", icon=":material/save:"),
    st.Page("app_pages/assumptions.py", title="Data and assumptions", icon=":material/menu_book:"),
]

# Presentation mode, for a public meeting: the controls are hidden and the type is larger.
PRESENTATION_CSS = """
<style>
  html { font-size: 20px; }
  [data-testid="stMetricValue"] { font-size: 3.2rem; }
  [data-testid="stMetricLabel"] p { font-size: 1.1rem; }
  h1 { font-size: 3rem !important; }
</style>
"""

page = st.navigation(PAGES)
if st.sidebar.toggle("Presentation mode", key="presenting", help="Hide the controls and enlarge the type"):
    st.html(PRESENTATION_CSS)
page.run()
