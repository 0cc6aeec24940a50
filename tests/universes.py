"""Candidate universes for the screening tests, built from the bundled (illustrative) rows.

Shared by the scoring, screen and metric tests: `universe(rows)` turns rows (dicts keyed by
column name) into a validated `Universe` through the real loader, and `candidate_rows()` is a
hypothesis strategy for small universes with chosen values, blanks and exact ties.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from hypothesis import strategies as st

from screening.reading import bundled
from screening.reading.candidates import Universe, load_candidates
from screening.reading.mandate import Mandate
from screening.reading.reference import bundled_reference
from screening.reading.tables import InputFile

REFERENCE = bundled_reference()
GILTS = 0.04  # expected_return of gilts in the bundled capital_market_assumptions.csv

_TEXT = bundled.bundled(bundled.CANDIDATES).read_text(encoding="utf-8")
_HEADER, *_ROWS = list(csv.reader(io.StringIO(_TEXT, newline="")))
HEADER: tuple[str, ...] = tuple(_HEADER)
BUNDLED: dict[str, dict[str, str]] = {r[0]: dict(zip(HEADER, r, strict=True)) for r in _ROWS}
ALL_PLACES: list[str] = sorted({r["local_authority"] for r in BUNDLED.values()})
PRESTON, SOUTH_RIBBLE = "E07000123", "E07000126"


def bundled_row(candidate: str, **changes: object) -> dict[str, str]:
    """A copy of one bundled row as a dict, with some cells changed (None = blank)."""
    row = dict(BUNDLED[candidate])
    for name, value in changes.items():
        row[name] = "" if value is None else str(value)
    return row


def csv_text(rows: Sequence[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([[row[c] for c in HEADER] for row in rows])
    return buffer.getvalue().encode("utf-8")


def universe(rows: Sequence[dict[str, str]]) -> Universe:
    """The rows through the real candidate loader (so every value is one a user could upload)."""
    return load_candidates(InputFile("candidates.csv", csv_text(rows)), REFERENCE)


def mandate(**fields: object) -> Mandate:
    """A mandate over every bundled place with no limits unless given."""
    document: dict[str, object] = {"target_gbp": 100_000_000.0, "places": ALL_PLACES}
    document.update(fields)
    return Mandate.model_validate(document)


def _decimal(low: int, high: int, scale: int = 100) -> st.SearchStrategy[str]:
    """Decimals on a grid (exact in CSV), e.g. -0.1 .. 0.3 in steps of 0.01."""
    return st.integers(low, high).map(lambda i: str(i / scale))


def _blankable(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), values)


# Values a candidate file may hold, including values beyond both ends of each reference scale.
CELLS: dict[str, st.SearchStrategy[str]] = {
    "expected_return": _decimal(-10, 30),
    "volatility": _decimal(0, 60),
    "income_yield": _blankable(_decimal(0, 15)),
    "jobs_per_gbp_m": _blankable(st.integers(0, 60).map(str)),
    "local_spend_share": _blankable(_decimal(0, 100)),
    "living_wage_share": _blankable(_decimal(0, 100)),
    "affordable_homes_per_gbp_m": _blankable(st.integers(0, 20).map(str)),
    "co2_avoided_t_per_gbp_m": _blankable(st.integers(-100, 800).map(str)),
    "imd_decile": _blankable(st.integers(1, 10).map(str)),
    "additionality": _blankable(_decimal(0, 100)),
    "evidence_quality": _blankable(st.integers(1, 5).map(str)),
    "liquidity_years": _blankable(st.integers(0, 40).map(str)),
    "ownership": _blankable(st.sampled_from(sorted(REFERENCE.ownership_types))),
}


@st.composite
def candidate_rows(draw: st.DrawFn, min_size: int = 2, max_size: int = 10) -> list[dict[str, str]]:
    """Distinct bundled candidates with some values replaced; sometimes an exact copy of the
    previous candidate's values under another id (to exercise tie-breaking)."""
    ids = draw(st.lists(st.sampled_from(sorted(BUNDLED)), min_size=min_size, max_size=max_size, unique=True))
    rows: list[dict[str, str]] = []
    for candidate in ids:
        row = dict(BUNDLED[candidate])
        for name in draw(st.sets(st.sampled_from(sorted(CELLS)), max_size=6)):
            row[name] = draw(CELLS[name])
        if rows and draw(st.integers(0, 5)) == 0:
            row = {**rows[-1], "id": row["id"], "name": row["name"]}
        rows.append(row)
    return rows


weight_triples = st.tuples(*(st.integers(0, 4),) * 3).filter(any).map(lambda t: tuple(map(float, t)))


def weights_of(triple: Sequence[float]) -> dict[str, float]:
    return dict(zip(("financial", "local_economy", "social"), triple, strict=True))
