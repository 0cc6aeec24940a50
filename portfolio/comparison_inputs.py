"""The files the comparison reads: the UK benchmark's strategic mix, the stress scenarios and the
pacing assumptions of the commitment plan.

Both are checked by the same column rules as every other input (screening.reading.columns), so a broken
file gets one `FILE:LINE: column 'NAME': what is wrong` line per problem, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from portfolio.local_investment import load_peer
from portfolio.pacing.assumptions import load_pacing
from portfolio.pacing.model import ClassPacing
from portfolio.result import LocalPeer
from screening.errors import InputError
from screening.reading import bundled
from screening.reading.columns import Column, suggestion, validate_table
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.provenance import Provenance, provenance_of
from screening.reading.reference import Reference
from screening.reading.tables import InputFile, read_table

MIX_TOLERANCE = 1e-6  # the mix's weights must add up to 1 within this
PLACE_PREFIX = "place:"
MANDATE_PLACES = "mandate"  # `place:mandate` shocks every place of the mandate

MIX_COLUMNS = (
    Column("asset_class", "text"),
    Column("weight", "share", maximum=1.0),
    Column("basis", "text", required=False, blank_ok=True),
    Column("source", "text", required=False, blank_ok=True),
)

STRESS_COLUMNS = (
    Column("scenario", "text"),
    Column("applies_to", "text"),
    Column("shock", "rate", minimum=-1.0, maximum=1.0),
    Column("basis", "text", required=False, blank_ok=True),
    Column("description", "text", required=False, blank_ok=True),
)


@dataclass(frozen=True)
class Scenario:
    """One named stress: a return shock per asset class and per place (added to the class shock)."""

    name: str
    class_shocks: dict[str, float]
    place_shocks: dict[str, float]  # ONS code, or MANDATE_PLACES for every place of the mandate
    descriptions: dict[str, str] = field(default_factory=dict)  # applies_to -> why

    def place_shock(self, code: str, mandate_places: list[str]) -> float:
        """The shock to one place's local economy: its own plus the mandate's, when it is a mandate place."""
        shock = self.place_shocks.get(code, 0.0)
        if code in mandate_places:
            shock += self.place_shocks.get(MANDATE_PLACES, 0.0)
        return shock


@dataclass(frozen=True)
class KnownNames:
    """The names a comparison file may use: asset classes and ONS place codes."""

    classes: tuple[str, ...]
    places: tuple[str, ...]

    @classmethod
    def of(cls, reference: Reference) -> KnownNames:
        """The vocabulary of the reference tables in use."""
        return cls(tuple(reference.asset_classes), tuple(reference.place_codes))


@dataclass(frozen=True)
class ComparisonInputs:
    """The UK benchmark mix (weight per asset class, adding to 1), the stress scenarios and the
    pacing assumptions per asset class (growth left blank: the class's expected return)."""

    mix: pd.Series
    scenarios: list[Scenario]
    pacing: dict[str, ClassPacing] = field(default_factory=dict)
    peer: LocalPeer | None = None  # the published peer the local investment report sets beside
    provenance: dict[str, Provenance] = field(default_factory=dict)


def load_mix(source: InputFile, names: KnownNames) -> tuple[pd.Series, Provenance]:
    """The strategic mix: known asset classes, each once, weights adding up to 1."""
    raw = read_table(source)
    columns = (_with_known_names(MIX_COLUMNS[0], names), *MIX_COLUMNS[1:])
    frame, lines, problems = validate_table(raw, columns)
    problems += _duplicates(raw.file, list(frame["asset_class"]), lines, "asset_class")
    total = float(frame["weight"].sum())
    if not problems and abs(total - 1.0) > MIX_TOLERANCE:
        problems.append(
            Problem(
                raw.file,
                None,
                "weight",
                f"the weights add up to {total:.7g}, not 1 (within {MIX_TOLERANCE:g})",
            )
        )
    raise_if_errors(problems)
    mix = pd.Series(frame["weight"].to_numpy(dtype=float), index=frame["asset_class"], name="weight")
    return mix, provenance_of(source)


def load_scenarios(source: InputFile, names: KnownNames) -> tuple[list[Scenario], Provenance]:
    """Stress scenarios, one row per shock: `applies_to` is an asset class, `place:<ONS code>` or `place:mandate`."""
    raw = read_table(source)
    frame, lines, problems = validate_table(raw, STRESS_COLUMNS)
    for target, line in zip(frame["applies_to"], lines, strict=True):
        message = _target_problem(target, names)
        if message:
            problems.append(Problem(raw.file, line, "applies_to", message))
    keys = [f"{s} / {t}" for s, t in zip(frame["scenario"], frame["applies_to"], strict=True)]
    problems += _duplicates(raw.file, keys, lines, "applies_to")
    problems.sort(key=lambda p: p.line or 0)
    raise_if_errors(problems)
    return _scenarios(frame), provenance_of(source)


def _with_known_names(column: Column, names: KnownNames) -> Column:
    return Column(
        column.name, column.kind, vocabulary=frozenset(names.classes), vocabulary_name="asset class"
    )


def _target_problem(target: str, names: KnownNames) -> str:
    """What is wrong with an `applies_to` value, or '' when it names a class or a place."""
    if target.startswith(PLACE_PREFIX):
        code = target[len(PLACE_PREFIX) :]
        if code == MANDATE_PLACES or code in names.places:
            return ""
        hint = suggestion(code, [*names.places, MANDATE_PLACES])
        return f"'{code}' is not a place in places.csv nor 'mandate'{hint}"
    if target in names.classes:
        return ""
    hint = suggestion(target, list(names.classes)) or (
        "; write an asset class, place:<ONS code> or place:mandate"
    )
    return f"'{target}' is not a known asset class{hint}"


def _duplicates(file: str, keys: list[str], lines: list[int], column: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for key, line in zip(keys, lines, strict=True):
        if key in seen:
            problems.append(Problem(file, line, column, f"'{key}' already appears on line {seen[key]}"))
        seen.setdefault(key, line)
    return problems


def _scenarios(frame: pd.DataFrame) -> list[Scenario]:
    """Rows grouped into scenarios, in the order each scenario first appears."""
    result = []
    for name in dict.fromkeys(frame["scenario"]):
        rows = frame[frame["scenario"] == name]
        classes, places, why = {}, {}, {}
        for target, shock, text in zip(rows["applies_to"], rows["shock"], rows["description"], strict=True):
            if target.startswith(PLACE_PREFIX):
                places[target[len(PLACE_PREFIX) :]] = float(shock)
            else:
                classes[target] = float(shock)
            why[target] = text if isinstance(text, str) else ""
        result.append(Scenario(str(name), classes, places, why))
    return result


def load_pacing_file(source: InputFile, names: KnownNames) -> tuple[dict[str, ClassPacing], Provenance]:
    """The pacing assumptions, one row per asset class (portfolio.pacing.assumptions)."""
    return load_pacing(source, names.classes), provenance_of(source)


def load_peer_file(source: InputFile, names: KnownNames) -> tuple[LocalPeer | None, Provenance]:
    """The published peer of the local investment report (portfolio.local_investment)."""
    return load_peer(source), provenance_of(source)


COMPARISON_FILES = {
    "uk_benchmark_mix": bundled.UK_BENCHMARK_MIX,
    "stress_scenarios": bundled.STRESS_SCENARIOS,
    "pacing_assumptions": bundled.PACING_ASSUMPTIONS,
    "local_investment_peers": bundled.LOCAL_PEERS,
}
_LOADERS = {
    "uk_benchmark_mix": load_mix,
    "stress_scenarios": load_scenarios,
    "pacing_assumptions": load_pacing_file,
    "local_investment_peers": load_peer_file,
}


def load_comparison_inputs(
    reference: Reference,
    mix: InputFile | None = None,
    scenarios: InputFile | None = None,
    pacing: InputFile | None = None,
    peers: InputFile | None = None,
) -> ComparisonInputs:
    """The mix, the scenarios and the pacing assumptions (the bundled files unless others are
    given); InputError lists every problem in every file."""
    names = KnownNames.of(reference)
    given = {
        "uk_benchmark_mix": mix,
        "stress_scenarios": scenarios,
        "pacing_assumptions": pacing,
        "local_investment_peers": peers,
    }
    if all(source is None for source in given.values()):
        return _bundled_inputs(names)
    return _load(
        names, {role: source or bundled.read(COMPARISON_FILES[role]) for role, source in given.items()}
    )


def _load(names: KnownNames, sources: dict[str, InputFile]) -> ComparisonInputs:
    problems: list[Problem] = []
    loaded: dict[str, tuple] = {}
    for role, source in sources.items():
        try:
            loaded[role] = _LOADERS[role](source, names)
        except InputError as exc:
            problems += exc.problems
    raise_if_errors(problems)
    return ComparisonInputs(
        mix=loaded["uk_benchmark_mix"][0],
        scenarios=loaded["stress_scenarios"][0],
        pacing=loaded["pacing_assumptions"][0],
        peer=loaded["local_investment_peers"][0],
        provenance={role: found[1] for role, found in loaded.items()},
    )


@cache
def _bundled_inputs(names: KnownNames) -> ComparisonInputs:
    """The bundled files, read once per vocabulary."""
    return _load(names, {role: bundled.read(name) for role, name in COMPARISON_FILES.items()})
