"""Streamlit entry point: a router over thin pages that call the screening and portfolio core.

Who sees what: an officer or a committee member (or the person at this computer, in local mode)
gets every page; a visitor, or someone signed in but not on the allowlist, gets the published
runs only, read-only (`app_pages/identity.py`, `impact_screen/access.py`)."""

import streamlit as st

from app_pages import identity
from app_pages.widgets import PRESENTATION_CSS
from impact_screen.access import Role

st.set_page_config(page_title="Invest in our place", page_icon="🏙️", layout="wide")

PUBLISHED = st.Page(
    "app_pages/published.py", title="Published runs", icon=":material/campaign:", url_path="published"
)
PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("app_pages/candidates.py", title="Candidates", icon=":material/table:"),
    st.Page("app_pages/screen.py", title="Screen", icon=":material/filter_alt:"),
    st.Page("app_pages/allocate.py", title="Allocate", icon=":material/account_balance:"),
    st.Page("app_pages/places_map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/pacing.py", title="Pacing", icon=":material/timeline:"),
    st.Page("app_pages/runs.py", title="Saved runs", icon=":material/save:"),
    PUBLISHED,
    st.Page("app_pages/assumptions.py", title="Data and assumptions", icon=":material/menu_book:"),
]


def _to_published() -> None:
    """A visitor's front door: the published runs (at their own address, so links to them work)."""
    st.switch_page(PUBLISHED)


def _leave_presentation() -> None:
    st.session_state["presenting"] = False


who = identity.caller()
if who.role is Role.PUBLIC:  # published runs only: no upload, no save, no new solve
    front = st.Page(_to_published, title="Published runs", default=True, url_path="welcome")
    page = st.navigation([front, PUBLISHED], position="hidden")
    identity.sidebar(who)
    page.run()
    st.stop()

presenting = bool(st.session_state.get("presenting", False))
page = st.navigation(PAGES, position="top" if presenting else "sidebar")
st.sidebar.toggle("Presentation mode", key="presenting", help="Hide the controls and enlarge the type")
identity.sidebar(who)
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
