"""Who is using this session, for every page and for the run store.

With an `[auth]` section in `.streamlit/secrets.toml` the app asks people to sign in with
Streamlit's own `st.login` (OpenID Connect), and the allowlist (`impact_screen.access`) gives
each a role; someone not signed in is a visitor. Without it the app is in local mode: one person
on their own computer, the officer, as the command line is.
"""

from __future__ import annotations

import streamlit as st

from impact_screen.access import (
    ROLE_WORDS,
    Action,
    Allowlist,
    Caller,
    Role,
    UploadLimit,
    load_allowlist,
    may,
    require,
)
from screening.errors import AccessError, InputError


def signing_in() -> bool:
    """True when the app is set up for sign-in (an [auth] section in its secrets)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:
        return False


@st.cache_resource(ttl=60, show_spinner=False)
def _allowlist() -> tuple[Allowlist, str | None]:
    """The allowlist, re-read each minute (so an officer's edit takes effect); an unusable file
    gives everyone the visitor's role, with the reason."""
    try:
        return load_allowlist(), None
    except InputError as exc:
        return Allowlist(), str(exc)
    except OSError as exc:
        return Allowlist(), f"the list of who may do what cannot be read: {exc}"


def caller() -> Caller:
    """This session's caller: the person at this computer in local mode; else the signed-in
    person with their role from the allowlist, or a visitor."""
    if not signing_in():
        return Caller.this_computer()
    if not st.user.is_logged_in:
        return Caller.visitor()
    user = st.user
    email = user.get("email") or user.get("preferred_username")  # Entra ID may give only the latter
    subject, verified = user.get("sub"), user.get("email_verified")
    return _allowlist()[0].caller(
        str(email) if email else None,
        str(subject) if subject else None,
        str(user.get("name") or ""),
        verified if isinstance(verified, bool) else None,
    )


def allows(action: Action, owner: str | None = None) -> bool:
    """Whether this session's caller may do `action` (the store checks again; this hides buttons)."""
    return may(caller(), action, owner)


def refusal(action: Action) -> str:
    """Why this session's caller may not do `action`, in words."""
    try:
        require(caller(), action)
    except AccessError as exc:
        return str(exc)
    return ""


def upload_limit() -> UploadLimit | None:
    """This session's role's upload limit from the allowlist (None: the app's own limits)."""
    who = caller()
    if who.role is Role.OFFICER:
        return None
    return _allowlist()[0].upload_limit(who.role)


def sidebar(who: Caller) -> None:
    """Who is signed in and as what, with sign-in and sign-out; or the note that this is local mode."""
    if not signing_in():
        st.sidebar.caption(
            "Local mode: no sign-in, for one person on their own computer. Saved runs stay on this computer."
        )
        return
    problem = _allowlist()[1]
    if problem and who.signed_in:
        st.sidebar.error(f"Everyone can only view published runs: {problem}")
    if who.signed_in:
        st.sidebar.caption(f"Signed in as {who.name or who.identity}, {ROLE_WORDS[who.role]}.")
        if who.role is Role.PUBLIC:
            st.sidebar.caption("You can view published runs. Ask the fund officer for more.")
        st.sidebar.button("Sign out", key="sign_out", on_click=st.logout)
    else:
        st.sidebar.button("Sign in", key="sign_in", type="primary", on_click=st.login)
