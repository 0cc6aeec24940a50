"""Session state and caches shared by the pages.

Each browser session keeps its own candidates (st.session_state), so one user's upload never
reaches another; loading is cached by the file's bytes, with a bounded cache.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from screening import InputError, InputFile, Problem, Universe, bundled_reference, load_candidates
from screening.mandate import Mandate, load_mandate
from screening.reference import Reference

_UNIVERSE = "universe"


@st.cache_resource
def reference() -> Reference:
    """The bundled reference tables, read once per server process (they never change)."""
    return bundled_reference()


@st.cache_data(max_entries=32, show_spinner=False)
def _load(name: str, content: bytes, origin: str) -> Universe:
    return load_candidates(InputFile(name, content, origin), reference())  # type: ignore[arg-type]


@st.cache_data(max_entries=1, show_spinner=False)
def _bundled_universe() -> Universe:
    return load_candidates(None, reference())


def universe() -> Universe:
    """This session's candidates: an accepted upload, or the bundled illustrative file."""
    return st.session_state.get(_UNIVERSE) or _bundled_universe()


def mandate() -> Mandate:
    """This session's mandate (the bundled default until the Allocate page exists)."""
    return st.session_state.get("mandate") or load_mandate(None, reference())


def accept_upload(name: str, content: bytes) -> list[Problem]:
    """Validate an upload; keep it for this session when it passes. Returns every problem."""
    try:
        loaded = _load(name, content, "upload")
    except InputError as exc:
        return exc.problems
    st.session_state[_UNIVERSE] = loaded
    return loaded.warnings


def use_bundled() -> None:
    """Forget this session's upload and return to the bundled candidates."""
    st.session_state.pop(_UNIVERSE, None)


def problem_table(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table a fund officer can sort: file, line, column, severity, message."""
    return pd.DataFrame(
        [
            {"file": p.file, "line": p.line, "column": p.field, "severity": p.severity, "message": p.message}
            for p in problems
        ],
        columns=["file", "line", "column", "severity", "message"],
    )
