"""Session state and caches shared by the pages: the app's loader of `ScenarioInputs`.

Each browser session keeps its own inputs (st.session_state: the candidate file's bytes and what
was read from them, the mandate, the reference tables, a restored run's other files), so one
user's upload never reaches another. `scenario()` puts them together as the one `ScenarioInputs`
a run starts from (and a saved run stores); loading and runs are cached by the files' bytes, with
bounded caches.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from dataclasses import replace

import pandas as pd
import streamlit as st

from app_pages import identity
from impact_screen.access import Action, require
from impact_screen.inputs import bundled_files
from impact_screen.market import market_reference, market_summary
from portfolio.prechecks import capacity
from portfolio.problem import SolveOptions
from portfolio.report import run_result
from portfolio.result import RunResult
from portfolio.run import AllocationRun, compared, run_scenario, with_frontier
from portfolio.scenario import ScenarioInputs, SolveSettings, scenario_inputs
from screening import InputFile, Problem, Universe, load_candidates, summary
from screening.errors import InputError
from screening.reading import bundled
from screening.reading.limits import UPLOAD_LIMITS, ReadLimits
from screening.reading.mandate import Mandate, load_mandate, mandate_from_dict
from screening.reading.reference import Reference
from screening.screen import Screen, run_screen, screen_key
from screening.stability import StabilitySettings

_UNIVERSE = "universe"
_CANDIDATES = "candidate_file"
_MANDATE = "current_mandate"
_REFERENCE = "market_reference"
_FILES = "run_files"  # a restored run's other input files by role (else the bundled ones)


@st.cache_resource(show_spinner=False)
def _startup_reference() -> tuple[Reference, list[str]]:
    return market_reference(refresh=False)  # a fresh market-data cache, else bundled; never downloads


def reference() -> Reference:
    """The reference tables in use: this session's refreshed market data, or those read at start-up."""
    return st.session_state.get(_REFERENCE) or _startup_reference()[0]


def refresh_market_data() -> list[str]:
    """Download market data now (gives up within 30 s) for this session; returns the warnings.
    AccessError unless this session's caller may refresh it (officers)."""
    require(identity.caller(), Action.REFRESH_MARKET)
    refreshed, notes = market_reference(refresh=True)
    st.session_state[_REFERENCE] = refreshed
    return notes


def provenance_line() -> str:
    """Where the volatilities and correlations in use came from, for every page that uses them."""
    return market_summary(reference())


def upload_limits() -> ReadLimits:
    """The limits on an upload in this session: for an officer (and in local mode) UPLOAD_LIMITS,
    or what whoever hosts the app sets in IMPACT_SCREEN_UPLOAD_MAX_MB and
    IMPACT_SCREEN_UPLOAD_MAX_ROWS (docs/inputs.md); for a committee member the allowlist's
    smaller limits, so one visitor's large file cannot stall the others."""
    role_limit = identity.upload_limit()
    if role_limit is not None:
        return _sized(role_limit.megabytes, role_limit.rows)
    megabytes, rows = os.environ.get(UPLOAD_MB_VARIABLE, ""), os.environ.get(UPLOAD_ROWS_VARIABLE, "")
    return _sized(
        int(megabytes) if megabytes.strip().isdigit() else None, int(rows) if rows.strip().isdigit() else None
    )


def _sized(megabytes: int | None, rows: int | None) -> ReadLimits:
    """UPLOAD_LIMITS with another largest size (MB) and row count, where given."""
    limits = UPLOAD_LIMITS
    if megabytes is not None:
        size = megabytes * 1_000_000
        limits = replace(limits, max_bytes=size, max_unzipped_bytes=10 * size)  # as UPLOAD_LIMITS: 10x
    if rows is not None:  # cells for 60 columns a row, as UPLOAD_LIMITS allows
        limits = replace(limits, max_rows=rows, max_cells=rows * 60)
    return limits


UPLOAD_MB_VARIABLE, UPLOAD_ROWS_VARIABLE = "IMPACT_SCREEN_UPLOAD_MAX_MB", "IMPACT_SCREEN_UPLOAD_MAX_ROWS"


@st.cache_data(max_entries=32, show_spinner=False)
def _load(name: str, content: bytes, origin: str, limits: ReadLimits | None) -> Universe:
    return load_candidates(InputFile(name, content, origin), reference(), limits)  # type: ignore[arg-type]


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
    """This session's mandate: the one set on the Allocate or Screen page, else the one in the
    page's address (so a browser refresh or a shared link keeps it), else the bundled default."""
    kept = st.session_state.get(_MANDATE)
    if kept is None and _ADDRESS_KEY in st.query_params:
        kept = _from_address(st.query_params[_ADDRESS_KEY])
        if kept is not None:
            st.session_state[_MANDATE] = kept
            st.session_state[_ADDRESS] = st.query_params[_ADDRESS_KEY]
    address = st.session_state.get(_ADDRESS)
    if address and st.query_params.get(_ADDRESS_KEY) != address:  # moving between pages drops it
        st.query_params[_ADDRESS_KEY] = address
    return kept or _default_mandate()


@st.cache_resource(max_entries=4, show_spinner=False)
def _bundled_mandate(_tables: Reference, reference_key: str) -> Mandate:
    return load_mandate(None, _tables)


def _default_mandate() -> Mandate:
    """The bundled default mandate, read once per set of reference tables."""
    tables = reference()
    return _bundled_mandate(tables, _key(tables))


_ADDRESS_KEY = "mandate"  # the query parameter
_ADDRESS = "mandate_address"  # the session's copy of it


def _to_address(chosen: Mandate) -> str:
    """A mandate as a short text for the page's address: compressed JSON, URL-safe."""
    return base64.urlsafe_b64encode(zlib.compress(chosen.model_dump_json().encode("utf-8"), 9)).decode()


def _from_address(text: str) -> Mandate | None:
    """The mandate in an address, checked as any mandate is; None (and the default) when it is
    not one, so a damaged link never stops the app."""
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.urlsafe_b64decode(text.encode()), 1 << 16)  # 64 KB at most
        if inflate.unconsumed_tail:
            return None
        return mandate_from_dict(json.loads(raw), reference(), file="mandate (in the page's address)")
    except (InputError, ValueError, TypeError, zlib.error):
        return None


def accept_upload(name: str, content: bytes) -> list[Problem]:
    """Validate an upload; keep it for this session when it passes. Returns every problem (one,
    saying why, when this session's caller may not upload)."""
    if not identity.allows(Action.UPLOAD):
        return [Problem(name, None, None, f"Not accepted: {identity.refusal(Action.UPLOAD)}")]
    try:
        loaded = _load(name, content, "upload", upload_limits())
    except InputError as exc:
        return exc.problems
    st.session_state[_UNIVERSE] = loaded
    st.session_state[_CANDIDATES] = InputFile(name, content, "upload")  # the exact file a saved run holds
    return loaded.warnings


def use_bundled() -> None:
    """Forget this session's upload and return to the bundled candidates."""
    st.session_state.pop(_UNIVERSE, None)
    st.session_state.pop(_CANDIDATES, None)


def use_restored(scenario: ScenarioInputs) -> None:
    """Make a saved run's inputs this session's: its candidates, mandate, assumptions and files."""
    st.session_state[_UNIVERSE] = scenario.universe
    st.session_state[_CANDIDATES] = scenario.candidates
    st.session_state[_REFERENCE] = scenario.reference
    st.session_state[_FILES] = {
        role: f for role, f in scenario.files().items() if role not in ("candidates", "mandate")
    }
    set_mandate(scenario.mandate)


@st.cache_resource(show_spinner=False)
def _bundled_file(name: str) -> InputFile:
    return bundled.read(name)


PACING_EDITED = "pacing assumptions (edited in the app).csv"


def use_pacing_assumptions(table: pd.DataFrame) -> list[Problem]:
    """Make an edited table of pacing assumptions this session's file (checked as any pacing file
    is; a saved run keeps it); returns the problems, and changes nothing when there are any."""
    from portfolio.comparison_inputs import KnownNames, load_pacing_file

    tables = reference()
    source = InputFile(PACING_EDITED, table.to_csv(index=False, lineterminator="\n").encode(), "upload")
    try:
        load_pacing_file(source, KnownNames.of(tables))
    except InputError as exc:
        return exc.problems
    st.session_state[_FILES] = {**_files(tables), "pacing_assumptions": source}
    return []


def candidate_file() -> InputFile:
    """The bytes of this session's candidates: an accepted upload, a restored run's, or the bundled file."""
    return st.session_state.get(_CANDIDATES) or _bundled_file(bundled.CANDIDATES)


def _files(tables: Reference) -> dict[str, InputFile]:
    """This session's other input files by role: a restored run's, else the bundled ones."""
    return st.session_state.get(_FILES) or _bundled_files(tables, _key(tables))


@st.cache_resource(max_entries=4, show_spinner=False)
def _bundled_files(_tables: Reference, reference_key: str) -> dict[str, InputFile]:
    return bundled_files(_tables)


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
    """Keep this session's mandate (already validated), in the session and in the page's address."""
    st.session_state[_MANDATE] = mandate
    if mandate == _default_mandate():
        st.session_state.pop(_ADDRESS, None)
        st.query_params.pop(_ADDRESS_KEY, None)
    else:
        st.session_state[_ADDRESS] = _to_address(mandate)
        st.query_params[_ADDRESS_KEY] = st.session_state[_ADDRESS]


def mandate_with(**changes: object) -> Mandate:
    """The session's mandate with some choices changed, checked again as a whole (InputError if not valid)."""
    return mandate_from_dict({**mandate().model_dump(), **changes}, reference(), file="mandate (this page)")


@st.cache_data(max_entries=64, show_spinner=False)
def _screen(
    _universe: Universe,
    universe_key: str,
    _mandate: Mandate,
    screen_part: str,
    _reference: Reference,
    reference_key: str,
    draws: int,
    top_k: int,
) -> Screen:
    settings = StabilitySettings(draws=draws, top_k=top_k)
    return run_screen(_universe, _mandate, _reference, settings)


def screen(draws: int = 10_000, top_k: int = 10) -> Screen:
    """The screen of this session's candidates under its mandate, cached by their content and by
    the mandate's keys a screen reads only (a new cap or target re-screens nothing)."""
    current, tables, chosen = universe(), reference(), mandate()
    return _screen(
        current, current.provenance.sha256, chosen, screen_key(chosen), tables, _key(tables), draws, top_k
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _scenario(
    _candidates: InputFile,
    _universe: Universe,
    mandate_json: str,
    _reference: Reference,
    _files: dict[str, InputFile],
    key: str,
) -> ScenarioInputs:
    files = dict(_files)
    covariance = files.pop("covariance", None)
    mandate = Mandate.model_validate_json(mandate_json)
    return scenario_inputs(_candidates, mandate, _reference, files, covariance, universe=_universe)


def scenario(frontier_points: int = 25) -> ScenarioInputs:
    """This session's `ScenarioInputs`: every input of its run, once (cached by the files' bytes)."""
    current, tables = universe(), reference()
    files = _files(tables)
    chosen = candidate_file()
    key = ":".join(
        [chosen.sha256, _key(tables), *(f"{role}={f.sha256}" for role, f in sorted(files.items()))]
    )
    base = _scenario(chosen, current, mandate().model_dump_json(), tables, files, key)
    return replace(
        base, solve=SolveSettings(frontier_points=frontier_points)
    )  # read once, whatever the points


def _scenario_key(inputs: ScenarioInputs) -> str:
    """Identity of a scenario for cache keys: its files' bytes, its mandate and its settings."""
    files = ",".join(f"{role}={f.sha256}" for role, f in sorted(inputs.files().items()))
    return (
        f"{files}|{inputs.mandate.model_dump_json()}|{_key(inputs.reference)}|{inputs.solve}|{inputs.screen}"
    )


@st.cache_resource(max_entries=16, show_spinner=False)  # results hold solver objects: shared, never copied
def _allocation(
    _inputs: ScenarioInputs, key: str, frontier_points: int, with_comparison: bool = True
) -> AllocationRun:
    options = SolveOptions(time_limit_s=_inputs.solve.time_limit_s)
    if not with_comparison:  # the solve alone: the allocation's own figures, first on screen
        alone = replace(_inputs, solve=replace(_inputs.solve, with_comparison=False))
        return run_scenario(alone, _cached_screen(_inputs))
    if frontier_points == 0:
        base = _allocation(_inputs, key, 0, False)  # positional, as every call: one cache entry a stage
        return compared(
            base,
            _inputs.universe,
            _inputs.mandate,
            _inputs.reference,
            _inputs.comparison,
            options,
            _inputs.risk,
        )
    return with_frontier(_allocation(_inputs, key, 0, True), _inputs.mandate, frontier_points, options)


def _cached_screen(inputs: ScenarioInputs) -> Screen | None:
    """The Screen page's cached screen when the run's screen settings are the page's kind."""
    settings, chosen, tables = inputs.screen, inputs.mandate, inputs.reference
    if settings != StabilitySettings(draws=settings.draws, top_k=settings.top_k):
        return None
    universe = inputs.universe
    return _screen(
        universe,
        universe.provenance.sha256,
        chosen,
        screen_key(chosen),
        tables,
        _key(tables),
        settings.draws,
        settings.top_k,
    )


def allocation(frontier_points: int = 25, with_comparison: bool = True) -> AllocationRun:
    """The run of this session's scenario (cached by its inputs). The solve, the comparison and
    the frontier are each made once, in that order: `with_comparison=False` is the solve alone
    (the quickest headline), `frontier_points=0` adds the comparison, more adds the frontier."""
    inputs = scenario(0)
    return _allocation(inputs, _scenario_key(inputs), frontier_points, with_comparison)


@st.cache_resource(max_entries=16, show_spinner=False)
def _result(
    _inputs: ScenarioInputs, key: str, frontier_points: int, with_comparison: bool = True
) -> RunResult:
    run = _allocation(_inputs, key, frontier_points, with_comparison)
    return run_result(run, _inputs.universe, _inputs.mandate, _inputs.reference)


def result(frontier_points: int = 25, with_comparison: bool = True) -> RunResult:
    """This session's run as one typed `RunResult`, made once per run: every figure a page shows
    (`frontier_points=0`: all but the frontier, which is the slowest part; `with_comparison=False`
    too: the allocation's own figures only, for the first headline)."""
    inputs = scenario(0)
    return _result(inputs, _scenario_key(inputs), frontier_points, with_comparison)


def retention_figures() -> dict[str, float]:
    """The local-retention rates the Overview opens with, from the reference tables in use."""
    return summary.retention_figures(reference())


def local_capacity_gbp() -> float:
    """What the local candidates could take (the vocabulary's `local_capacity_gbp`): the largest
    tickets of the candidates eligible under this session's mandate, each at most the target, the
    very sum the allocation's pre-checks test the target against (`portfolio.prechecks.capacity`).
    Candidates in the places that fail a hurdle are left out (so this can be less than the sum
    over every local candidate)."""
    run = allocation(0, with_comparison=False)
    return capacity(run.allocation.inputs) * run.allocation.inputs.target_gbp


def _key(tables: Reference) -> str:
    """Identity of the reference tables for cache keys: where the assumptions came from, and when."""
    provenance = tables.provenance["assumptions"]
    return f"{provenance.source}:{provenance.as_of}:{provenance.sha256}:{provenance.loaded_at}"
