"""The committee's `Mandate`: every choice a committee makes, validated once, saved as TOML.

A limit that the file does not state is not applied (it stays None). Unknown keys are errors,
with a suggestion, because a misspelt limit that is silently ignored is a limit not applied.
Problems point at the line of the key in the TOML file.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from screening.errors import InputError
from screening.metrics import BY_NAME, PILLARS, metrics_of
from screening.reading import bundled
from screening.reading.columns import suggestion
from screening.reading.place_groups import group_hint, group_of
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.reference import Reference, bundled_reference, place_aliases, place_suggestion
from screening.reading.tables import InputFile

Objective = Literal["max_impact", "max_return", "min_risk", "blended"]
BenchmarkWeighting = Literal["population", "gva"]


def _share(value: Any) -> Any:
    """Accept 0.08 or '8%'; refuse 8 (a percentage typed as a whole number) with the fix."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "share", "{v} is true/false, but a number belongs here", {"v": str(value).lower()}
        )
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100.0
        except ValueError:
            raise PydanticCustomError("share", "'{v}' is not a percentage", {"v": value}) from None
        if not math.isfinite(share):
            raise PydanticCustomError("share", "'{v}' is not a finite number", {"v": value})
        return share
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("share", "{v} is not a finite number", {"v": f"{value:g}"})
    if isinstance(value, int | float) and abs(value) > 1:
        raise PydanticCustomError(
            "share",
            '{v} looks like a percentage typed as a whole number; write {d} or "{v}%"',
            {"v": f"{value:g}", "d": f"{value / 100:g}"},
        )
    return value


Share = Annotated[float, BeforeValidator(_share), Field(ge=0, le=1)]
Rate = Annotated[float, BeforeValidator(_share), Field(ge=-0.5, le=0.5)]
# Every number has a finite range, so whatever `validate` accepts the solver can use (docs/inputs.md).
LARGEST_GBP = 1e12  # £1 trillion: above any pension fund, far below what floats round
Money = Annotated[float, Field(ge=1_000, le=LARGEST_GBP, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)]


def _whole_pounds(value: float) -> float:
    """The target is placed in whole pounds, so a target with pennies is refused, not rounded."""
    if math.isfinite(value) and value != math.floor(value):
        raise PydanticCustomError(
            "pennies",
            "£{v} has pennies, but amounts are placed in whole pounds; write {low} or {high}",
            {"v": f"{value:,.2f}", "low": f"{math.floor(value):.0f}", "high": f"{math.ceil(value):.0f}"},
        )
    return value


class Weights(BaseModel):
    """Weights of the three score pillars; they need not add to 1 (they are normalised)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    financial: Weight = 1.0
    local_economy: Weight = 1.0
    social: Weight = 1.0

    @model_validator(mode="after")
    def _not_all_zero(self) -> Weights:
        if self.financial + self.local_economy + self.social <= 0:
            raise PydanticCustomError("weights", "at least one pillar weight must be above zero")
        return self


Year = Annotated[int, Field(ge=2000, le=2100)]
SignedMoney = Annotated[float, Field(ge=-LARGEST_GBP, le=LARGEST_GBP, allow_inf_nan=False)]
LONGEST_PLAN_YEARS = 40  # from the first commitment to the end of the plan


class PacingSettings(BaseModel):
    """The commitment plan: when to start, by when the money must be at work and for how long,
    the limits on yearly commitments and on the cash it may take, and the fund's own cash flow.

    The amount to have at work is `target_gbp`, or `target_share` of the fund, or else the
    mandate's own target."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    start_year: Year
    target_year: Year
    hold_years: Annotated[int, Field(ge=0, le=30)] = 5
    target_gbp: Money | None = None
    target_share: Share | None = None
    max_yearly_commitment_gbp: Money | None = None
    max_net_cash_outflow_gbp: Money | None = None
    fund_net_cash_flow_gbp: SignedMoney | None = None

    @model_validator(mode="after")
    def _years_in_order(self) -> PacingSettings:
        if self.target_year < self.start_year:
            raise PydanticCustomError(
                "pacing",
                "pacing.target_year {t} is before pacing.start_year {s}",
                {"t": self.target_year, "s": self.start_year},
            )
        if self.target_year + self.hold_years - self.start_year >= LONGEST_PLAN_YEARS:
            raise PydanticCustomError(
                "pacing",
                "the plan runs from {s} to {e}, longer than {n} years; bring pacing.target_year or "
                "pacing.hold_years in",
                {"s": self.start_year, "e": self.target_year + self.hold_years, "n": LONGEST_PLAN_YEARS},
            )
        if self.target_gbp is not None and self.target_share is not None:
            raise PydanticCustomError(
                "pacing", "pacing.target_gbp and pacing.target_share are both set; keep one"
            )
        return self

    @property
    def end_year(self) -> int:
        """The last year of the plan: the target year and the years it is held after it."""
        return self.target_year + self.hold_years


DEFAULT_COUNTED = (
    "private_equity",
    "private_debt",
    "property",
    "infrastructure",
    "social_housing",
    "renewable_energy",
)  # the 2026 guidance: private equity, private debt, property and infrastructure (housing and
# renewable energy are property and infrastructure); listed holdings only with a recorded benefit


class LocalInvestmentSettings(BaseModel):
    """The 2026 local investment rules: the fund's target range for local investment (shares of the
    whole fund, comply or explain) and which asset classes count as local investment."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    target_min_share: Share
    target_max_share: Share
    counted_asset_classes: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=lambda: list(DEFAULT_COUNTED), max_length=200
    )

    @model_validator(mode="after")
    def _range_in_order(self) -> LocalInvestmentSettings:
        if self.target_min_share > self.target_max_share:
            raise PydanticCustomError(
                "local_investment",
                "local_investment.target_min_share {lo} is above local_investment.target_max_share {hi}",
                {"lo": f"{self.target_min_share:.1%}", "hi": f"{self.target_max_share:.1%}"},
            )
        return self


class Mandate(BaseModel):
    """Every committee choice: target, places, objective, limits, caps and score weights."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Annotated[str, Field(max_length=200)] = "Untitled mandate"
    target_gbp: Annotated[Money, AfterValidator(_whole_pounds)]
    fund_size_gbp: Money | None = None
    places: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(min_length=1, max_length=1_000)
    # the groups the places were written as (a combined authority, a county, a footprint...) and the
    # districts each meant when the mandate was made: `places` holds those districts
    place_groups: dict[str, list[str]] = Field(default_factory=dict, max_length=1_000)
    objective: Objective = "max_impact"
    max_volatility: Share | None = None
    min_expected_return: Rate | None = None
    max_candidate_share: Share | None = None
    excluded_sectors: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=200
    )
    min_candidate_return: Rate | None = None
    max_candidate_volatility: Share | None = None
    min_evidence_quality: Annotated[int, Field(ge=1, le=5)] | None = None
    max_lockup_years: Annotated[float, Field(ge=0, le=100)] | None = None
    min_impact_score: Annotated[float, Field(ge=0, le=100)] | None = None
    max_illiquid_share: Share | None = None
    min_holdings: Annotated[int, Field(ge=1, le=1_000)] | None = None
    impact_weight: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    risk_aversion: Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)] | None = None
    tolerance_bp: Annotated[float, Field(ge=0, le=2_000, allow_inf_nan=False)] | None = None
    local_plan_share: Share | None = None
    benchmark_weighting: BenchmarkWeighting = "population"
    sector_caps: dict[str, Share] = Field(default_factory=dict, max_length=200)
    asset_class_caps: dict[str, Share] = Field(default_factory=dict, max_length=200)
    weights: Weights = Field(default_factory=Weights)
    metric_weights: dict[str, Weight] = Field(default_factory=dict)
    pacing: PacingSettings | None = None
    local_investment: LocalInvestmentSettings | None = None

    @field_validator("metric_weights")
    @classmethod
    def _known_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [name for name in value if name not in BY_NAME]
        if unknown:
            raise PydanticCustomError(
                "metric",
                "'{m}' is not a scored metric{hint}",
                {
                    "m": unknown[0],
                    "hint": suggestion(unknown[0], list(BY_NAME))
                    or f"; the metrics are {', '.join(BY_NAME)}",
                },
            )
        return value

    @field_validator("metric_weights")
    @classmethod
    def _weighted_pillars_keep_a_metric(
        cls, value: dict[str, float], info: ValidationInfo
    ) -> dict[str, float]:
        """A pillar with weight whose metrics all weigh 0 would score 0 for everyone yet still count."""
        weights = info.data.get("weights")
        for pillar in PILLARS if isinstance(weights, Weights) else ():
            weight = getattr(weights, pillar)
            if weight > 0 and all(value.get(m.name, 1.0) == 0 for m in metrics_of(pillar)):
                raise PydanticCustomError(
                    "metric",
                    "every {p} metric has weight 0 but weights.{p} is {w}; "
                    "give a {p} metric a weight or set weights.{p} = 0",
                    {"p": pillar, "w": f"{weight:g}"},
                )
        return value

    @model_validator(mode="after")
    def _fund_holds_target(self) -> Mandate:
        if self.fund_size_gbp is not None and self.fund_size_gbp < self.target_gbp:
            raise PydanticCustomError(
                "fund_size",
                "fund_size_gbp £{f} is smaller than target_gbp £{t}",
                {"f": f"{self.fund_size_gbp:,.0f}", "t": f"{self.target_gbp:,.0f}"},
            )
        return self

    @model_validator(mode="after")
    def _pacing_share_needs_fund(self) -> Mandate:
        if self.pacing is not None and self.pacing.target_share is not None and self.fund_size_gbp is None:
            raise PydanticCustomError(
                "pacing", "pacing.target_share is a share of the fund, but fund_size_gbp is not set"
            )
        return self

    @property
    def pacing_target_gbp(self) -> float | None:
        """The money the commitment plan must put to work (None without a [pacing] table)."""
        if self.pacing is None:
            return None
        if self.pacing.target_gbp is not None:
            return self.pacing.target_gbp
        if self.pacing.target_share is not None and self.fund_size_gbp is not None:
            return self.pacing.target_share * self.fund_size_gbp
        return self.target_gbp

    def to_toml(self) -> str:
        """The mandate as a TOML document (unset limits are left out, so they stay unset)."""
        return tomli_w.dumps(self.model_dump(exclude_none=True))


def mandate_from_text(text: str, file: str, reference: Reference | None = None) -> Mandate:
    """Parse and check a mandate's TOML text; InputError lists every problem with its line."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([_syntax_problem(file, text, exc)]) from None
    return mandate_from_dict(document, reference, file, text)


def mandate_from_dict(
    document: dict[str, Any], reference: Reference | None = None, file: str = "mandate", text: str = ""
) -> Mandate:
    """Check a mandate given as plain data (the app's editor, a saved run); InputError lists every
    problem. Places may be written by name ('Preston'): the mandate keeps their ONS codes."""
    reference = reference or bundled_reference()
    document = _with_place_codes(document, reference)
    problems = _reference_problems(document, reference, file, text)
    try:
        mandate = Mandate.model_validate(document)
    except ValidationError as exc:
        problems = [_problem(file, text, error) for error in exc.errors()] + problems
        raise InputError(sorted(problems, key=lambda p: p.line or 0)) from None
    raise_if_errors(problems)
    return mandate


def load_mandate(source: InputFile | None = None, reference: Reference | None = None) -> Mandate:
    """Read a mandate file (the bundled default when none is given)."""
    source = source or bundled.read(bundled.MANDATE)
    try:
        text = source.content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            [Problem(source.name, None, None, "not UTF-8 text; save the mandate as UTF-8")]
        ) from None
    if b"\x00" in source.content:
        raise InputError([Problem(source.name, None, None, "binary content, not a TOML mandate")])
    return mandate_from_text(text, source.name, reference)


def _reference_problems(
    document: dict[str, Any], reference: Reference, file: str, text: str
) -> list[Problem]:
    """Places must be known ONS codes and asset-class caps must name known asset classes.

    Checked on the parsed document, so these problems are reported together with type errors.
    """
    problems: list[Problem] = []
    places = document.get("places")
    for index, code in enumerate(places if isinstance(places, list) else []):
        if isinstance(code, str) and code not in reference.places.index:
            hint = group_hint(code, reference.groups) or place_suggestion(code, reference)
            problems.append(
                _at(file, text, ("places", index), f"'{code}' is not a UK district or place group{hint}")
            )
    recorded = document.get("place_groups")
    for group, members in recorded.items() if isinstance(recorded, dict) else ():
        unknown = [c for c in members if isinstance(c, str) and c not in reference.places.index][:3]
        if unknown:
            problems.append(
                _at(
                    file,
                    text,
                    ("place_groups", group),
                    f"names districts not in places.csv: {', '.join(unknown)}",
                )
            )
    local = document.get("local_investment")
    counted = local.get("counted_asset_classes") if isinstance(local, dict) else None
    for index, asset_class in enumerate(counted if isinstance(counted, list) else []):
        if isinstance(asset_class, str) and asset_class not in reference.assumptions.index:
            hint = suggestion(asset_class, reference.asset_classes)
            problems.append(
                _at(
                    file,
                    text,
                    ("local_investment", "counted_asset_classes", index),
                    f"'{asset_class}' is not a known asset class{hint}",
                )
            )
    caps = document.get("asset_class_caps")
    for asset_class in caps if isinstance(caps, dict) else {}:
        if asset_class not in reference.assumptions.index:
            hint = suggestion(asset_class, reference.asset_classes)
            problems.append(
                _at(
                    file,
                    text,
                    ("asset_class_caps", asset_class),
                    f"'{asset_class}' is not a known asset class{hint}",
                )
            )
    return problems


def check_against_universe(
    mandate: Mandate,
    sectors: Sequence[str],
    places_with_candidates: Sequence[str],
    file: str = "mandate",
    text: str = "",
    names: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Warnings for choices that name nothing in the candidate file (a likely typing error)."""
    known = set(sectors)
    problems = [
        _at(
            file,
            text,
            ("sector_caps", s),
            f"no candidate has sector '{s}'{suggestion(s, sorted(known))}",
            "warning",
        )
        for s in mandate.sector_caps
        if s not in known
    ]
    problems += [
        _at(
            file,
            text,
            ("excluded_sectors",),
            f"no candidate has sector '{s}'{suggestion(s, sorted(known))}",
            "warning",
        )
        for s in mandate.excluded_sectors
        if s not in known
    ]
    return problems + _empty_places(mandate, set(places_with_candidates), names or {}, file, text)


def _empty_places(
    mandate: Mandate, with_candidates: set[str], names: Mapping[str, str], file: str, text: str
) -> list[Problem]:
    """A warning for each place with no candidate: one per group written (how many of its
    districts, which), then one per district, by name."""
    found, covered = [], set()
    for group, members in mandate.place_groups.items():
        empty = [c for c in members if c not in with_candidates]
        covered |= set(members)
        if empty:
            shown = ", ".join(str(names.get(c, c)) for c in empty[:8]) + (" ..." if len(empty) > 8 else "")
            found.append(
                _at(
                    file,
                    text,
                    ("places",),
                    f"no candidate is in {len(empty)} of the {len(members)} districts of '{group}' ({shown})",
                    "warning",
                )
            )
    for code in mandate.places:
        if code not in with_candidates and code not in covered:
            place = f"{names[code]} ({code})" if code in names else f"'{code}'"
            found.append(_at(file, text, ("places",), f"no candidate is in {place}", "warning"))
    return found


def _with_place_codes(document: dict[str, Any], reference: Reference) -> dict[str, Any]:
    """The document with each place written by its name replaced by its ONS code, and each group
    (a combined authority, county, region, nation or footprint, by code or name) by its districts,
    recorded in `place_groups`; a name two groups share is left for the checks to report."""
    places = document.get("places")
    if not isinstance(places, list):
        return document
    aliases = place_aliases(reference)
    known = set(reference.places.index)
    codes: list[Any] = []
    groups = (
        dict(document.get("place_groups") or {}) if isinstance(document.get("place_groups"), dict) else {}
    )
    for place in places:
        if not isinstance(place, str) or place in known:
            codes.append(place)
            continue
        alias = aliases.get(place.strip().lower())
        named = group_of(place, reference.groups) if alias is None else []
        if alias is not None:
            codes.append(alias)
        elif len(named) == 1:
            codes += named[0].members
            groups[place] = list(named[0].members)
        else:
            codes.append(place)
    unique = list(dict.fromkeys(codes)) if all(isinstance(c, str) for c in codes) else codes
    return {**document, "places": unique} | ({"place_groups": groups} if groups else {})


def _syntax_problem(file: str, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
    if match:
        return Problem(file, int(match[1]), None, f"TOML syntax error at column {match[2]}: {message}")
    last = max(1, len(text.splitlines()))
    return Problem(file, last, None, f"TOML syntax error at the end of the file: {message}")


_FIELDS = (
    tuple(Mandate.model_fields)
    + tuple(f"weights.{k}" for k in Weights.model_fields)
    + tuple(f"pacing.{k}" for k in PacingSettings.model_fields)
    + tuple(f"local_investment.{k}" for k in LocalInvestmentSettings.model_fields)
)


# Error types whose message is written here in full (pydantic's own ones get the value appended).
_OWN_MESSAGES = ("share", "fund_size", "weights", "metric", "pennies", "pacing", "local_investment")


def _problem(file: str, text: str, error: Any) -> Problem:
    kind = error["type"]
    location = tuple(error["loc"]) or {
        "fund_size": ("fund_size_gbp",),
        "pacing": ("pacing",),
        "local_investment": ("local_investment",),
    }.get(kind, ())
    value = error.get("input")
    if kind == "extra_forbidden":
        dotted = ".".join(str(p) for p in location)
        message = f"is not a mandate key and is not applied{suggestion(dotted, _FIELDS)}"
    elif kind == "missing":
        message = "is required but missing"
    elif kind == "too_short":
        least = int(error.get("ctx", {}).get("min_length", 1))
        message = f"needs at least {least} {'entry' if least == 1 else 'entries'}"
    elif kind in _BOUND_ERRORS:
        shown = _bounds(location)
        got = f"{value:.0%}" if "%" in shown and isinstance(value, int | float) else _shown(value)
        got = str(value) if str(location[-1]).endswith("_year") else got
        message = f"is outside its range, {shown} (got {got})"
    elif kind == "literal_error":
        choices = re.findall(r"'([^']+)'", error["msg"])
        message = f"'{value}' is not one of {', '.join(choices)}{suggestion(str(value), choices)}"
    else:
        message = f"{error['msg'][0].lower()}{error['msg'][1:]}"
        if kind not in _OWN_MESSAGES and value is not None and not isinstance(value, dict):
            message += f" (got {value!r})"
    return _at(file, text, location, message)


_BOUND_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")


@functools.cache
def _schema() -> dict[str, Any]:
    return Mandate.model_json_schema()


def _bounds(location: tuple) -> str:
    """'LOW to HIGH' for a mandate number, read from the model's own declarations (its schema)."""
    schema = _schema()
    found = schema["properties"].get(str(location[0]), {})
    nested = {"weights": "Weights", "pacing": "PacingSettings", "local_investment": "LocalInvestmentSettings"}
    if location[0] in nested and len(location) > 1:
        found = schema["$defs"][nested[str(location[0])]]["properties"].get(str(location[1]), {})
    elif location[0] == "metric_weights":
        found = found.get("additionalProperties", {})
    found = next((part for part in found.get("anyOf", [found]) if part.get("type") != "null"), found)
    if "ge" in found:  # a share or a rate (read through _share): shown as percentages
        return f"{found['ge']:.0%} to {found['le']:.0%}"
    if str(location[-1]).endswith("_year"):
        return f"{found.get('minimum', '-')} to {found.get('maximum', '-')}"
    return f"{_shown(found.get('minimum', '-'))} to {_shown(found.get('maximum', '-'))}"


def _shown(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
    return (
        f"{float(value):g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    )


def _at(file: str, text: str, location: tuple, message: str, severity: str = "error") -> Problem:
    name = ".".join(str(p) for p in location if not isinstance(p, int)) or None
    return Problem(file, key_line(text, location), name, message, severity=severity, kind="key")  # type: ignore[arg-type]


def key_line(text: str, location: tuple) -> int | None:
    """Line (1-based) where a key is written, following [table] headers; None if not found."""
    keys = [str(p) for p in location if not isinstance(p, int)]
    if not keys:
        return None
    table, lines = None, text.splitlines()
    fallback = None
    for number, line in enumerate(lines, start=1):
        header = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            table = header[1].strip()
            if table == ".".join(keys):
                return number
            if keys[:1] == [table]:
                fallback = number
            continue
        written = re.match(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=", line)
        if written is None:
            continue
        key = written[1].replace('"', "").replace("'", "").replace(" ", "")
        path = f"{table}.{key}" if table else key
        if path == ".".join(keys):
            return number
        if table is None and key == keys[0]:
            fallback = fallback or number
    return fallback
