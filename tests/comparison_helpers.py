"""Shared, computed-once inputs for the comparison tests: the bundled run and its JSON document.

Figures the tests compare against are read straight from the bundled CSV files with pandas, not
through the code under test.
"""

from __future__ import annotations

import functools

import pandas as pd

from portfolio.report import run_result
from portfolio.run import AllocationRun, run_allocation
from screening import bundled_reference, load_candidates, load_mandate
from screening.reading import bundled

REFERENCE = bundled_reference()
UNIVERSE = load_candidates(None, REFERENCE)
MANDATE = load_mandate(None, REFERENCE)
PRESTON, SOUTH_RIBBLE = "E07000123", "E07000126"
_PLACES = pd.read_csv(bundled.bundled("places.csv")).set_index("ons_code")
UK_PEOPLE = float(_PLACES["population"].sum())  # mid-2020 estimates of all 361 districts
LOCAL_PEOPLE = float(_PLACES.loc[[PRESTON, SOUTH_RIBBLE], "population"].sum())


@functools.cache
def default_run() -> AllocationRun:
    """The bundled mandate on the bundled candidates (no frontier), with its comparison."""
    return run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=0)


@functools.cache
def default_document() -> dict:
    """The allocate JSON of the default run."""
    return run_result(default_run(), UNIVERSE, MANDATE, REFERENCE).to_json()


def raw(name: str) -> pd.DataFrame:
    """A bundled CSV read plainly with pandas."""
    return pd.read_csv(bundled.bundled(name))


def candidates_csv() -> pd.DataFrame:
    """candidates.csv indexed by id (blanks as NaN)."""
    return raw(bundled.CANDIDATES).set_index("id")
