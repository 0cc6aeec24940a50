"""The pacing assumptions per asset class (data/pacing_assumptions.csv, or the user's own file)
and a commitment schedule to test (a CSV of year and amount), checked by the same column rules
as every other input."""

from __future__ import annotations

import pandas as pd

from portfolio.pacing.model import ClassPacing
from screening.reading.columns import Column, validate_table
from screening.reading.mandate import PacingSettings
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.tables import InputFile, read_table

PACING_COLUMNS = (
    Column("asset_class", "text"),
    Column("call_rate_year1", "share", minimum=0.0, maximum=1.0),
    Column("call_rate_year2", "share", minimum=0.0, maximum=1.0),
    Column("call_rate_later", "share", minimum=0.0, maximum=1.0),
    Column("distribution_yield", "share", minimum=0.0, maximum=1.0),
    Column("bow", "number", blank_ok=True, minimum=0.0, maximum=20.0),
    Column("fund_life_years", "integer", blank_ok=True, minimum=1, maximum=60),
    Column("growth", "rate", required=False, blank_ok=True, minimum=-0.5, maximum=0.5),
    Column("basis", "text", required=False, blank_ok=True),
    Column("description", "text", required=False, blank_ok=True),
)


def load_pacing(source: InputFile, asset_classes: tuple[str, ...]) -> dict[str, ClassPacing]:
    """Each asset class's pacing assumptions: known classes, each once; a class with a fund life
    needs a bow, and a year-one call rate above zero (else nothing would ever be called)."""
    raw = read_table(source)
    columns = (
        Column("asset_class", "text", vocabulary=frozenset(asset_classes), vocabulary_name="asset class"),
        *PACING_COLUMNS[1:],
    )
    frame, lines, problems = validate_table(raw, columns)
    seen: dict[str, int] = {}
    for (_, row), line in zip(frame.iterrows(), lines, strict=True):
        problems += _row_problems(raw.file, line, row, seen)
    raise_if_errors(sorted(problems, key=lambda p: p.line or 0))
    return {str(row["asset_class"]): _pacing(row) for _, row in frame.iterrows()}


def _row_problems(file: str, line: int, row: pd.Series, seen: dict[str, int]) -> list[Problem]:
    problems = []
    name = str(row["asset_class"])
    if name in seen:
        problems.append(Problem(file, line, "asset_class", f"'{name}' already appears on line {seen[name]}"))
    seen.setdefault(name, line)
    if _given(row["fund_life_years"]) and not _given(row["bow"]):
        problems.append(Problem(file, line, "bow", "is blank, but a class with a fund life needs a bow"))
    if float(row["call_rate_year1"]) <= 0:
        problems.append(Problem(file, line, "call_rate_year1", "must be above 0, or nothing is ever called"))
    return problems


def _given(value: object) -> bool:
    return not pd.isna(value)  # type: ignore[arg-type]


def _pacing(row: pd.Series) -> ClassPacing:
    life = row["fund_life_years"]
    return ClassPacing(
        asset_class=str(row["asset_class"]),
        call_rates=(
            float(row["call_rate_year1"]),
            float(row["call_rate_year2"]),
            float(row["call_rate_later"]),
        ),
        distribution_yield=float(row["distribution_yield"]),
        growth=float(row["growth"]) if _given(row["growth"]) else None,
        fund_life_years=int(life) if _given(life) else None,
        bow=float(row["bow"]) if _given(row["bow"]) else 0.0,
        basis=str(row["basis"]) if _given(row["basis"]) else "assumption",
        description=str(row["description"]) if _given(row["description"]) else "",
    )


SCHEDULE_COLUMNS = (
    Column("year", "integer", minimum=2000, maximum=2100),
    Column("commitments_gbp", "money", minimum=0, maximum=1e12),
)


def load_schedule(source: InputFile, settings: PacingSettings) -> dict[int, float]:
    """£ committed in each year, for years within the plan (from its first year to its end),
    each year once."""
    raw = read_table(source)
    frame, lines, problems = validate_table(raw, SCHEDULE_COLUMNS)
    seen: dict[int, int] = {}
    for year, line in zip(frame["year"], lines, strict=True):
        if year in seen:
            problems.append(Problem(raw.file, line, "year", f"{year} already appears on line {seen[year]}"))
        elif not settings.start_year <= year <= settings.end_year:
            problems.append(
                Problem(
                    raw.file,
                    line,
                    "year",
                    f"{year} is outside the plan, {settings.start_year} to {settings.end_year}",
                )
            )
        seen.setdefault(int(year), line)
    raise_if_errors(sorted(problems, key=lambda p: p.line or 0))
    return {int(y): float(v) for y, v in zip(frame["year"], frame["commitments_gbp"], strict=True)}
