"""Reference tables every run needs: places, capital market assumptions and their correlations,
local retention by supplier type, and social value proxies.

The bundled tables are checked by the same rules as user files, so a fund that swaps in its
consultant's assumptions gets the same clear messages.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from screening.reading import bundled
from screening.reading.columns import Column, suggestion, validate_table
from screening.reading.matrix import load_matrix
from screening.reading.place_groups import PlaceGroup, load_groups
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.provenance import Provenance, provenance_of
from screening.reading.tables import InputFile, read_table

PLACE_COLUMNS = (  # data/places.csv, built by scripts/build_places.py (data/README.md)
    Column("ons_code", "text"),
    Column("name", "text"),
    Column("nation", "text", vocabulary=frozenset({"England", "Wales", "Scotland", "Northern Ireland"})),
    Column("region", "text"),
    Column("county", "text", required=False, blank_ok=True),
    Column("combined_authority", "text", required=False, blank_ok=True),
    Column("combined_authority_name", "text", required=False, blank_ok=True),
    Column("population", "number", minimum=1),
    Column("population_year", "integer", minimum=1800, maximum=2100),
    Column("iod2025_rank", "integer", required=False, blank_ok=True, minimum=1, maximum=400),
    Column("iod2025_score", "number", required=False, blank_ok=True, minimum=0, maximum=100),
    Column("iod2025_most_deprived_decile_share", "share", required=False, blank_ok=True, maximum=1.0),
    Column("uk_deprivation_score", "number", required=False, blank_ok=True, minimum=0, maximum=100),
    Column("uk_deprivation_decile", "integer", required=False, blank_ok=True, minimum=1, maximum=10),
    Column("area_ha", "number", required=False, blank_ok=True, minimum=0),
    Column("lat", "number", required=False, blank_ok=True, minimum=-90, maximum=90),
    Column("long", "number", required=False, blank_ok=True, minimum=-180, maximum=180),
    Column("gva_gbp_m", "number", required=False, blank_ok=True, minimum=0),
    Column("gva_year", "integer", required=False, blank_ok=True, minimum=1990, maximum=2100),
    Column("source", "text", required=False, blank_ok=True),
    # the 12-place table of earlier versions (a saved run keeps its own copy): still read
    Column("population_approx", "bool", required=False, blank_ok=True),
    Column("imd_2019_rank", "integer", required=False, blank_ok=True, minimum=1, maximum=317),
)

# codes an earlier bundled places.csv used wrongly, read as the district they meant
RETIRED_CODES = {"E08000039": "E08000019"}  # Sheffield is E08000019

ASSUMPTION_COLUMNS = (
    Column("asset_class", "text"),
    Column("label", "text", required=False, blank_ok=True),
    Column("expected_return", "rate", minimum=-0.5, maximum=0.5),
    Column("volatility", "volatility", maximum=1.0),
    Column("liquid", "bool"),
    Column("description", "text", required=False, blank_ok=True),
)

RETENTION_COLUMNS = (
    Column("ownership", "text"),
    Column("retention_share", "share", maximum=1.0),
    Column("basis", "text", required=False, blank_ok=True),
    Column("source", "text", required=False, blank_ok=True),
)

SOCIAL_VALUE_COLUMNS = (
    Column("metric", "text"),
    Column("unit", "text"),
    Column("gbp_per_unit", "money", blank_ok=True),
    Column("price_year", "integer", blank_ok=True, minimum=1990, maximum=2100),
    Column("basis", "text", required=False, blank_ok=True),
    Column("source", "text", required=False, blank_ok=True),
)


@dataclass(frozen=True)
class Reference:
    """The reference tables, indexed by their key column, with each file's provenance."""

    places: pd.DataFrame
    assumptions: pd.DataFrame
    correlations: pd.DataFrame
    retention: pd.DataFrame
    social_value: pd.DataFrame
    provenance: dict[str, Provenance] = field(default_factory=dict)
    groups: dict[str, PlaceGroup] = field(default_factory=dict)  # code -> group (place_groups.py)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def asset_classes(self) -> list[str]:
        """The asset-class vocabulary (ids of the capital market assumptions)."""
        return list(self.assumptions.index)

    @property
    def place_codes(self) -> list[str]:
        """ONS codes of the known places."""
        return list(self.places.index)

    @property
    def ownership_types(self) -> list[str]:
        """The ownership vocabulary (supplier types with a retention rate)."""
        return list(self.retention.index)


def _keyed(source: InputFile, columns: tuple[Column, ...], key: str) -> tuple[pd.DataFrame, list[Problem]]:
    raw = read_table(source)
    frame, lines, problems = validate_table(raw, columns)
    seen: dict[str, int] = {}
    for value, line in zip(frame[key], lines, strict=True):
        if value in seen:
            problems.append(Problem(raw.file, line, key, f"'{value}' already appears on line {seen[value]}"))
        seen.setdefault(value, line)
    raise_if_errors(problems)
    return frame.set_index(key), problems


REFERENCE_FILES = {
    "places": bundled.PLACES,
    "assumptions": bundled.ASSUMPTIONS,
    "correlations": bundled.CORRELATIONS,
    "retention": bundled.RETENTION,
    "social_value": bundled.SOCIAL_VALUE,
}


def load_reference(
    assumptions: InputFile | None = None,
    correlations: InputFile | None = None,
    files: dict[str, InputFile] | None = None,
) -> Reference:
    """Load the reference tables from the files given by role (`files`: places, retention,
    social_value ...; the bundled file for any role not given); assumptions and correlations may
    be the user's own files."""
    given = {**(files or {}), **({"assumptions": assumptions} if assumptions else {})}
    given |= {"correlations": correlations} if correlations else {}
    sources = {role: given.get(role) or bundled.read(name) for role, name in REFERENCE_FILES.items()}
    places, p1 = _keyed(sources["places"], PLACE_COLUMNS, "ons_code")
    cma, p2 = _keyed(sources["assumptions"], ASSUMPTION_COLUMNS, "asset_class")
    matrix, p3 = load_matrix(sources["correlations"], "correlation", required_ids=list(cma.index))
    retention, p4 = _keyed(sources["retention"], RETENTION_COLUMNS, "ownership")
    social, p5 = _keyed(sources["social_value"], SOCIAL_VALUE_COLUMNS, "metric")
    return Reference(
        places=places,
        assumptions=cma,
        correlations=matrix.loc[list(cma.index), list(cma.index)],
        retention=retention,
        social_value=social,
        provenance={name: provenance_of(src) for name, src in sources.items()},
        warnings=[p for p in p1 + p2 + p3 + p4 + p5 if p.severity == "warning"],
        groups=_bundled_groups(tuple(places.index)),
    )


@cache
def _bundled_groups(districts: tuple[str, ...]) -> dict[str, PlaceGroup]:
    """The bundled place groups and footprints over these districts, read once per places table."""
    return load_groups(districts, bundled.read(bundled.PLACE_GROUPS), bundled.read(bundled.FOOTPRINTS))


@cache
def bundled_reference() -> Reference:
    """The bundled reference tables, read once per process."""
    return load_reference()


def place_aliases(reference: Reference) -> dict[str, str]:
    """Each place's name, in lower case, to its ONS code, for names only one place has: a place
    typed by its name ('Preston', 'preston') is read as its code; and a code an earlier bundled
    table used wrongly (RETIRED_CODES, in lower case) as the district it meant."""
    names = reference.places["name"].astype(str)
    counts = names.str.lower().value_counts()
    aliases = {name.lower(): str(code) for code, name in names.items() if counts[name.lower()] == 1}
    known = set(reference.places.index)
    retired = {old.lower(): new for old, new in RETIRED_CODES.items() if new in known and old not in known}
    return {**retired, **aliases}


def place_suggestion(text: str, reference: Reference) -> str:
    """' (did you mean Preston (E07000123)?)' for a near miss of a place's name or code, else ''."""
    names = reference.places["name"].astype(str)
    by_name = {name.lower(): (name, str(code)) for code, name in names.items()}
    close = difflib.get_close_matches(text.strip().lower(), list(by_name), n=1, cutoff=0.75)
    if close:
        name, code = by_name[close[0]]
        return f" (did you mean {name} ({code})?)"
    return suggestion(text, reference.place_codes) or PLACE_HINT


PLACE_HINT = "; write a UK district's ONS code or its name (E07000123 or Preston)"
