"""The candidate file: its columns, its checks, and the validated `Universe` it becomes.

Required columns follow the contract in design.md; impact columns are optional and a blank
impact cell means "unknown" (kept as NaN, never read as zero). A blank `min_ticket_gbp` means no
minimum (0) and a blank `max_ticket_gbp` means no cap (infinity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from screening.errors import InputError
from screening.reading import bundled
from screening.reading.cells import parse_text
from screening.reading.columns import Column, normalise_name, validate_table
from screening.reading.limits import ReadLimits
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.provenance import Provenance, provenance_of
from screening.reading.reference import Reference, bundled_reference, place_aliases, place_suggestion
from screening.reading.tables import InputFile, RawTable, read_table

IMPACT_COLUMNS = (
    "income_yield",
    "jobs_per_gbp_m",
    "local_spend_share",
    "living_wage_share",
    "affordable_homes_per_gbp_m",
    "co2_avoided_t_per_gbp_m",
    "imd_decile",
    "additionality",
    "evidence_quality",
    "liquidity_years",
    "ownership",
)


def candidate_columns(reference: Reference) -> tuple[Column, ...]:
    """The candidate file's columns, with vocabularies taken from the reference tables."""

    def optional(name: str, kind, **limits) -> Column:
        return Column(name, kind, required=False, blank_ok=True, **limits)

    return (
        Column("id", "text"),
        Column("name", "text"),
        Column("sector", "text"),
        Column(
            "asset_class",
            "text",
            vocabulary=frozenset(reference.asset_classes),
            vocabulary_name="asset class",
        ),
        Column(
            "local_authority",
            "text",
            vocabulary=frozenset(reference.place_codes),
            vocabulary_name="ONS place code",
            aliases=place_aliases(reference),
            suggest=lambda text: place_suggestion(text, reference),
        ),
        Column("expected_return", "rate", minimum=-0.5, maximum=0.5),
        Column("volatility", "volatility", maximum=1.0),
        Column("min_ticket_gbp", "money", blank_ok=True),
        Column("max_ticket_gbp", "money", blank_ok=True),
        optional("income_yield", "share", maximum=0.5),
        optional("jobs_per_gbp_m", "number", minimum=0, maximum=1000),
        optional("local_spend_share", "share", maximum=1),
        optional("living_wage_share", "share", maximum=1),
        optional("affordable_homes_per_gbp_m", "number", minimum=0, maximum=1000),
        optional("co2_avoided_t_per_gbp_m", "number", minimum=-100_000, maximum=100_000),
        optional("imd_decile", "integer", minimum=1, maximum=10),
        optional("additionality", "share", maximum=1),
        optional("evidence_quality", "integer", minimum=1, maximum=5),
        optional("liquidity_years", "number", minimum=0, maximum=100),
        Column(
            "ownership",
            "text",
            required=False,
            blank_ok=True,
            vocabulary=frozenset(reference.ownership_types),
            vocabulary_name="ownership type",
        ),
        optional("local_benefit", "text"),
    )


@dataclass(frozen=True)
class Universe:
    """Validated candidates (indexed by id, in file order), their lines, and their provenance."""

    frame: pd.DataFrame
    lines: dict[str, int]
    provenance: Provenance
    warnings: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def file(self) -> str:
        """Name of the file the candidates came from."""
        return self.provenance.name


def load_candidates(
    source: InputFile | None = None, reference: Reference | None = None, limits: ReadLimits | None = None
) -> Universe:
    """Read and check a candidate file (the bundled one by default) within `limits` (by default
    those of its origin, see screening.reading.limits); InputError lists every problem."""
    source = source or bundled.read(bundled.CANDIDATES)
    reference = reference or bundled_reference()
    raw = read_table(source, sheet="candidates", limits=limits)
    frame, lines, problems = validate_table(raw, candidate_columns(reference))
    problems += _duplicate_ids(raw) + _check_rows(raw.file, frame, lines)
    problems.sort(key=lambda p: p.line or 0)
    raise_if_errors(problems)
    frame = _with_ticket_defaults(frame).set_index("id", drop=False)
    frame.index.name = None
    return Universe(
        frame=frame,
        lines=dict(zip(frame["id"], lines, strict=True)),
        provenance=provenance_of(source),
        warnings=problems,
    )


def _duplicate_ids(raw: RawTable) -> list[Problem]:
    """Ids used twice, checked on every row read: a row with another bad cell still has its id."""
    names = [normalise_name(name) for name in raw.header]
    if "id" not in names:
        return []
    position = names.index("id")
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for line, cells in raw.rows:
        value = parse_text(cells[position])
        if value is None:
            continue
        if value in first_line:
            problems.append(
                Problem(raw.file, line, "id", f"'{value}' already used on line {first_line[value]}")
            )
        first_line.setdefault(value, line)
    return problems


def _check_rows(file: str, frame: pd.DataFrame, lines: list[int]) -> list[Problem]:
    """Checks that span cells of one row: the minimum ticket not above the maximum."""
    problems: list[Problem] = []
    for record, line in zip(frame.itertuples(index=False), lines, strict=True):
        low, high = record.min_ticket_gbp, record.max_ticket_gbp
        if not math.isnan(low) and not math.isnan(high) and low > high:
            problems.append(
                Problem(
                    file,
                    line,
                    "min_ticket_gbp",
                    f"minimum ticket £{low:,.0f} is above the maximum ticket £{high:,.0f}",
                )
            )
    return problems


def _with_ticket_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["min_ticket_gbp"] = frame["min_ticket_gbp"].fillna(0.0)
    frame["max_ticket_gbp"] = frame["max_ticket_gbp"].fillna(math.inf)
    return frame


def as_written(universe: Universe) -> pd.DataFrame:
    """The candidates as a user would write them: no index, blank where there is no minimum or cap."""
    frame = universe.frame.reset_index(drop=True)
    return frame.assign(
        min_ticket_gbp=frame["min_ticket_gbp"].where(frame["min_ticket_gbp"] > 0),
        max_ticket_gbp=frame["max_ticket_gbp"].where(frame["max_ticket_gbp"] != math.inf),
    )


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A candidate table as CSV bytes, to be checked by `load_candidates` like any upload."""
    return frame.to_csv(index=False).encode("utf-8")


def as_read(source: InputFile, limits: ReadLimits | None = None) -> pd.DataFrame | None:
    """A candidate file's cells as written (text, unchecked), indexed by the line each row starts
    on, for fixing a rejected file in place; None when nothing table-like can be read from it."""
    try:
        raw = read_table(source, sheet="candidates", limits=limits)
    except InputError:
        return None
    width = len(raw.header)
    rows = [
        [("" if c is None else str(c)) for c in (cells + [None] * width)[:width]] for _, cells in raw.rows
    ]
    lines = pd.Index([line for line, _ in raw.rows], name="line")
    return pd.DataFrame(rows, columns=[str(h) for h in raw.header], index=lines, dtype=object)
