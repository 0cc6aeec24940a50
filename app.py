"""Streamlit entry point: a router over thin pages that call the screening and portfolio core."""

import streamlit as st

st.set_page_config(page_title="Invest in our place", page_icon="🏘️", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon="🏠", default=True),
    st.Page("app_pages/candidates.py", title="Candidates", icon="📋"),
    st.Page("app_pages/screen.py", title="Screen", icon="🔎"),
    st.Page("app_pages/allocate.py", title="Allocate", icon="💷"),
    st.Page("app_pages/assumptions.py", title="Data and assumptions", icon="📚"),
]

st.navigation(PAGES).run()
