"""Session state and caches shared by the pages.

Each browser session keeps its own candidates (st.session_state), so one user's upload never
reaches another; loading is cached by the file's bytes, with a bounded cache.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from impact_screen.market import market_reference, market_summary
from portfolio.report import run_result
from portfolio.result import RunResult
from portfolio.run import AllocationRun, run_allocation
from screening import InputFile, Problem, Universe, load_candidates
from screening.errors import InputError
from screening.mandate import Mandate, load_mandate, mandate_from_dict
from screening.reference import Reference
from screening.screen import Screen, run_screen
from screening.stability import StabilitySettings

_UNIVERSE = "universe"
_MANDATE = "current_mandate"
_REFERENCE = "market_reference"
_UPLOAD_BYTES = "upload_bytes"


@st.cache_resource(show_spinner=False)
def _startup_reference() -> tuple[Reference, list[str]]:
    return market_reference(refresh=False)  # a fresh market-data cache, else bundled; never downloads


def reference() -> Reference:
    """The reference tables in use: this session's refreshed market data, or those read at start-up."""
    return st.session_state.get(_REFERENCE) or _startup_reference()[0]


def refresh_market_data() -> list[str]:
    """Download market data now (gives up within 30 s) for this session; returns the warnings."""
    refreshed, notes = market_reference(refresh=True)
    st.session_state[_REFERENCE] = refreshed
    return notes


def provenance_line() -> str:
    """Where the volatilities and correlations in use came from, for every page that uses them."""
    return market_summary(reference())


@st.cache_data(max_entries=32, show_spinner=False)
def _load(name: str, content: bytes, origin: str) -> Universe:
    return load_candidates(InputFile(name, content, origin), reference())  # type: ignore[arg-type]


@st.cache_data(max_entries=1, show_spinner=False)
def _bundled_universe() -> Universe:
    return load_candidates(None, reference())


def presenting() -> bool:
    """True in presentation mode (a public meeting): pages show results without their controls."""
    return bool(st.session_state.get("presenting", False))


def universe() -> Universe:
    """This session's candidates: an accepted upload, or the bundled illustrative file."""
    return st.session_state.get(_UNIVERSE) or _bundled_universe()


def mandate() -> Mandate:
    """This session's mandate: the one set on the Allocate or Screen page, else the bundled default."""
    return st.session_state.get(_MANDATE) or load_mandate(None, reference())


def accept_upload(name: str, content: bytes) -> list[Problem]:
    """Validate an upload; keep it for this session when it passes. Returns every problem."""
    try:
        loaded = _load(name, content, "upload")
    except InputError as exc:
        return exc.problems
    st.session_state[_UNIVERSE] = loaded
    st.session_state[_UPLOAD_BYTES] = content  # kept so a saved run holds the exact file
    return loaded.warnings


def use_bundled() -> None:
    """Forget this session's upload and return to the bundled candidates."""
    st.session_state.pop(_UNIVERSE, None)
    st.session_state.pop(_UPLOAD_BYTES, None)


def upload_bytes() -> bytes | None:
    """The bytes of this session's accepted upload (None for the bundled candidates)."""
    return st.session_state.get(_UPLOAD_BYTES)


def use_restored(universe: Universe, mandate: Mandate, content: bytes | None) -> None:
    """Make a saved run's candidates and mandate this session's."""
    if universe.provenance.source == "bundled":
        use_bundled()
    else:
        st.session_state[_UNIVERSE] = universe
        st.session_state[_UPLOAD_BYTES] = content
    set_mandate(mandate)


def problem_table(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table a fund officer can sort: file, line, column, severity, message."""
    return pd.DataFrame(
        [
            {"file": p.file, "line": p.line, "column": p.field, "severity": p.severity, "message": p.message}
            for p in problems
        ],
        columns=["file", "line", "column", "severity", "message"],
    )


def set_mandate(mandate: Mandate) -> None:
    """Keep this session's mandate (already validated)."""
    st.session_state[_MANDATE] = mandate


def mandate_with(**changes: object) -> Mandate:
    """The session's mandate with some choices changed, checked again as a whole (InputError if not valid)."""
    return mandate_from_dict({**mandate().model_dump(), **changes}, reference(), file="mandate (this page)")


@st.cache_data(max_entries=64, show_spinner=False)
def _screen(
    _universe: Universe,
    universe_key: str,
    mandate_json: str,
    _reference: Reference,
    reference_key: str,
    draws: int,
    top_k: int,
) -> Screen:
    settings = StabilitySettings(draws=draws, top_k=top_k)
    return run_screen(_universe, Mandate.model_validate_json(mandate_json), _reference, settings)


def screen(draws: int = 10_000, top_k: int = 10) -> Screen:
    """The screen of this session's candidates under its mandate (cached by their content)."""
    current, tables = universe(), reference()
    return _screen(
        current, current.provenance.sha256, mandate().model_dump_json(), tables, _key(tables), draws, top_k
    )


@st.cache_resource(max_entries=16, show_spinner=False)  # results hold solver objects: shared, never copied
def _allocation(
    _universe: Universe,
    universe_key: str,
    mandate_json: str,
    _reference: Reference,
    reference_key: str,
    frontier_points: int,
) -> AllocationRun:
    mandate = Mandate.model_validate_json(mandate_json)
    return run_allocation(_universe, mandate, _reference, frontier_points=frontier_points)


def allocation(frontier_points: int = 25) -> AllocationRun:
    """The allocation of this session's candidates under its mandate (cached by their content)."""
    current, tables = universe(), reference()
    return _allocation(
        current, current.provenance.sha256, mandate().model_dump_json(), tables, _key(tables), frontier_points
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _result(
    _universe: Universe,
    universe_key: str,
    mandate_json: str,
    _reference: Reference,
    reference_key: str,
    frontier_points: int,
) -> RunResult:
    run = _allocation(_universe, universe_key, mandate_json, _reference, reference_key, frontier_points)
    return run_result(run, _universe, Mandate.model_validate_json(mandate_json), _reference)


def result(frontier_points: int = 25) -> RunResult:
    """This session's run as one typed `RunResult`, made once per run: every figure a page shows."""
    current, tables = universe(), reference()
    return _result(
        current, current.provenance.sha256, mandate().model_dump_json(), tables, _key(tables), frontier_points
    )


def local_capacity_gbp() -> float:
    """What the local candidates could take (the vocabulary's `local_capacity_gbp`): the largest
    tickets of the candidates eligible under this session's mandate, each at most the target, the
    same sum the allocation's pre-checks test the target against. Candidates in the places that fail
    a hurdle are left out (so this can be less than the sum over every local candidate)."""
    current, chosen, run = universe(), mandate(), allocation()
    eligible = run.screen.table.index[run.screen.table["eligible"].astype(bool)]
    frame = current.frame.loc[eligible]
    tickets = frame.loc[frame["local_authority"].isin(chosen.places), "max_ticket_gbp"]
    return float(tickets.clip(upper=chosen.target_gbp).sum())


def _key(tables: Reference) -> str:
    """Identity of the reference tables for cache keys: where the assumptions came from, and when."""
    provenance = tables.provenance["assumptions"]
    return f"{provenance.source}:{provenance.as_of}:{provenance.sha256}:{provenance.loaded_at}"
