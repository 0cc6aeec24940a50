"""Comparing runs: what changed from one saved run to another (`compare`, and `comparison_text`
for a person), and what differs between a stored result and its rerun (`result_differences`,
which `impact_screen.runs.rerun` reports). Nothing prints.

Every difference is named in the vocabulary's words (`screening.vocabulary`): a figure by its
label and formatted by its one formatter, a mandate key by the form's label and its value in the
key's unit, a holding by the candidate's name and place. `compare` returns structured rows (each
with its key, label, raw values and the values as a person reads them) that each shell renders:
the command line puts the key in brackets after the label, the app shows labels only.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from impact_screen.chart_data import Grouped, short_name
from impact_screen.store import SavedRun, StoredFile
from screening import InputFile
from screening.reading.columns import normalise_name
from screening.reading.tables import read_table
from screening.vocabulary import (
    FIGURES,
    PORTFOLIOS,
    Term,
    asset_class,
    figure,
    mandate_term,
    mandate_value,
    plain,
    sector,
)

if TYPE_CHECKING:
    from portfolio.result import RunResult

ARROW = "→"
NONE = "none"
UNCHANGED_GBP = 1_000  # a money difference smaller than this reads as unchanged
# the parts of a result, besides its portfolio, whose figures a comparison covers
COMPARISON_KEYS = ("summary", "fiduciary", "benchmarks", "stress", "projection")

# ---------------------------------------------------------------------------------------------
# Each key of a result as a person reads it


def _lower(text: str) -> str:
    """'This allocation' -> 'this allocation'; 'UK benchmark' stays as it is."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _of(portfolio: str) -> str:
    """', UK benchmark': which portfolio a figure belongs to, after its label."""
    return f", {_lower(PORTFOLIOS.get(portfolio, portfolio))}"


def _as(term: Term, text: str) -> Term:
    return Term(text, term.unit, term.explain, term.sign)


_WHOLE_FUND = {
    "sleeve_share": "sleeve_share",
    "return_given_up_bp": "fund_return_given_up_bp",
    "tracking_error": "fund_tracking_error",
    "extra_volatility_bp": "fund_extra_volatility_bp",
}
_FIDUCIARY = {"basis": "fiduciary_basis", "benchmark": "fiduciary_benchmark"}
_BENCHMARK = {"label": "benchmark_label", "status": "benchmark_status"}
_PROJECTION = {
    "paths": "projection_paths",
    "seed": "projection_seed",
    "start_gbp": "projection_start_gbp",
    "method": "projection_method",
}
_METRICS = {"co2_avoided": "carbon avoided", "jobs": "jobs", "affordable_homes": "affordable homes"}
_LOSSES = {"portfolio_loss_gbp": "portfolio", "uk_loss_gbp": "uk", "city_weighted_loss_gbp": "city_weighted"}


def _ordinal(n: str) -> str:
    suffix = "th" if n[-2:] in ("11", "12", "13") else {"1": "st", "2": "nd", "3": "rd"}.get(n[-1], "th")
    return f"{n}{suffix}"


def _mix(key: str, name: str, places: dict[str, str]) -> Term | None:
    """The by-place, by-sector and by-measure figures of one portfolio."""
    if key == "by_place":
        return _as(figure("by_place"), f"Money in {places.get(name, name)}")
    if key == "by_sector":
        return _as(figure("by_sector"), f"Money in {sector(name)}")
    if key == "social_value_by_metric":
        words = _METRICS.get(name, name.replace("_", " "))
        return _as(figure("social_value_by_metric"), f"{figure('social_value_gbp').label} from {words}")
    return None


def outcome_term(key: str, places: dict[str, str] | None = None) -> Term | None:
    """The term of one dotted key of `outcome_leaves` (None for a key nobody named: name it here).

    Its label reads on its own ('Expected return, UK benchmark'); its formatter is the figure's one.
    """
    places = places or {}
    parts = key.split(".")
    head, rest = parts[0], parts[1:]
    if key in ("status", "summary"):
        return figure(key)
    if head == "portfolio" and len(rest) == 1 and rest[0] in FIGURES:
        return figure(rest[0])
    if head == "portfolio" and len(rest) == 2:
        return _mix(rest[0], rest[1], places)
    if head == "benchmarks" and len(rest) >= 2 and rest[0] in PORTFOLIOS:
        which, field = rest[0], rest[1]
        if len(rest) == 3:
            term = _mix(field, rest[2], places)
        elif field == "weighting":
            term = mandate_term("benchmark_weighting")
        else:
            term = FIGURES.get(_BENCHMARK.get(field, field))
        return term and _as(term, term.label + _of(which))
    if head == "fiduciary" and len(rest) == 2 and rest[0] == "whole_fund":
        return FIGURES.get(_WHOLE_FUND.get(rest[1], ""))
    if head == "fiduciary" and len(rest) == 2 and rest[0] == "local_plan":
        return mandate_term("local_plan_share") if rest[1] == "plan_share" else FIGURES.get(rest[1])
    if head == "fiduciary" and len(rest) == 1:
        return FIGURES.get(_FIDUCIARY.get(rest[0], rest[0]))
    if match := re.fullmatch(r"stress\[(.+)\]\.(\w+)", key):
        scenario, field = match.groups()
        if field == "name":
            return Term(f"Stress test '{scenario}'", "text", "Whether the run tested this scenario.")
        if field in _LOSSES:
            term = figure("loss_gbp")
            return _as(term, f"{term.label} '{scenario}'{_of(_LOSSES[field])}")
        return None
    if head == "projection" and len(rest) == 2 and rest[0] in ("probability_of_loss", "probability_below_uk"):
        term = figure(rest[0])
        return _as(term, term.label + _of(rest[1]))
    if head == "projection" and len(rest) == 1 and rest[0] in _PROJECTION:
        return figure(_PROJECTION[rest[0]])
    if head == "pacing" and len(rest) == 1 and rest[0] in PACING_OUTCOMES:
        return _pacing_term(rest[0])
    if head == "projection_final" and rest == ["year"]:
        return figure("projection_year")
    if head == "projection_final" and len(rest) == 2 and re.fullmatch(r"p\d+", rest[1]):
        term = figure("projected_value")
        return _as(term, f"{term.label}, {_ordinal(rest[1][1:])} percentile{_of(rest[0])}")
    return None


def _pacing_term(field: str) -> Term:
    """One figure of the commitment plan, labelled as the plan's ('Commitment plan: committed in all')."""
    if field == "status":
        return Term("Commitment plan", "text", "optimal: the plan reaches the target within the limits.")
    key = _PACING.get(field, field)
    term = mandate_term(key) if key.startswith("pacing.") else figure(key)
    return _as(term, f"Commitment plan: {_lower(term.label)}")


def _fallback(key: str) -> Term:
    """A key nobody named yet still reads as words, never as a JSON path."""
    last = re.sub(r"\[.*?\]", "", key).rsplit(".", 1)[-1]
    return Term(last.replace("_", " ").capitalize(), "text", "")


def shown(term: Term, value: object) -> str:
    """A value as the term formats it: 'yes'/'no', 'none' for a missing one."""
    if value is None or (isinstance(value, list) and not value):
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and term.unit != "text":
        return term.format(value)
    return str(value)


_MONEY_UNITS = {"money", "money_a_year", "pounds"}


def _money_within(term: Term, a: object, b: object, tolerance: float) -> bool:
    """True for two amounts of money closer than `tolerance` (they read as unchanged)."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    return term.unit in _MONEY_UNITS and numbers and abs(float(b) - float(a)) < tolerance  # type: ignore[arg-type]


def change_words(term: Term, a: object, b: object) -> str | None:
    """A money change in plain words ('£3 less', '£2.5m more'); None for other units."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    if term.unit not in _MONEY_UNITS or not numbers:
        return None
    change = float(b) - float(a)  # type: ignore[arg-type]
    if change == 0:
        return None
    size = abs(change)
    amount = f"£{round(size):,}" if term.unit == "pounds" or size < 1_000 else term.format(size)
    amount = "less than £1" if amount == "£0" else amount.removesuffix(" a year")
    return f"{amount} {'more' if change > 0 else 'less'}"


def _row(key: str, term: Term, a: object, b: object, **extra: object) -> dict[str, object]:
    """One difference: its key, label, raw values, and the values (and a money change) in words."""
    before, after = shown(term, a), shown(term, b)
    change = change_words(term, a, b)
    if change is None and before == after and a != b:
        change = "changed by less than the rounding shows"
    return (
        {"key": key, "label": term.label, "a": a, "b": b, "before": before, "after": after}
        | ({"change": change} if change else {})
        | extra
    )


# ---------------------------------------------------------------------------------------------
# A stored result against its rerun


def _amounts(document: dict) -> dict[str, int]:
    return {str(a["id"]): round(float(a["amount_gbp"])) for a in document.get("allocations", [])}


def _holding_names(*documents: dict) -> dict[str, str]:
    """Each candidate held in either document, as '<name> in <place>'."""
    out: dict[str, str] = {}
    for document in documents:
        places = document.get("place_names") or {}
        for holding in document.get("allocations", []):
            place = holding.get("local_authority")
            name = str(holding.get("name") or holding["id"])
            out.setdefault(str(holding["id"]), f"{name} in {places.get(place, place)}" if place else name)
    return out


def _line(row: dict, keys: bool) -> str:
    """'Label (key): before → after (change)'; the key only when asked for."""
    named = f"{row['label']} ({row['key']})" if keys else str(row["label"])
    change = f" ({row['change']})" if row.get("change") else ""
    return f"{named}: {row['before']} {ARROW} {row['after']}{change}"


def result_differences(before: dict, after: dict, keys: bool = True) -> list[str]:
    """What differs between two allocation documents: status, amounts to the pound, outcomes, and
    the diagnosis word for word; each difference in the vocabulary's words (`keys`: the key in
    brackets after each label, as the command line shows it). Empty when the two are the same."""
    rows = []
    if before.get("status") != after.get("status"):
        rows.append(_row("status", figure("status"), before.get("status"), after.get("status")))
    names = _holding_names(before, after)
    old, new = _amounts(before), _amounts(after)
    for candidate in sorted(set(old) | set(new)):
        a, b = old.get(candidate, 0), new.get(candidate, 0)
        if a != b:
            rows.append(_row(candidate, _as(figure("amount_gbp"), names.get(candidate, candidate)), a, b))
    places = {**(before.get("place_names") or {}), **(after.get("place_names") or {})}
    for change in _changes(outcome_leaves(before), outcome_leaves(after)):
        key = str(change["key"])
        row = _row(key, outcome_term(key, places) or _fallback(key), change["a"], change["b"])
        if row.get("change") == "changed by less than the rounding shows":
            row["change"] = (
                f"changed by less than the rounding shows: {change['a']!r} {ARROW} {change['b']!r}"
            )
        rows.append(row)
    lines = [_line(row, keys) for row in rows]
    if _diagnosis(before) != _diagnosis(after):
        lines.append("The diagnosis of what must change differs:")
        lines += _diagnosis_lines(before, after, keys)
    return lines


def _diagnosis(document: dict) -> list[tuple]:
    """Each change of a diagnosis, word for word: its key, amount, option and message."""
    fields = ("constraint", "relaxation", "option", "message")
    return [tuple(d.get(f) for f in fields) for d in document.get("diagnosis", [])]


def _diagnosis_lines(before: dict, after: dict, keys: bool) -> list[str]:
    def messages(document: dict) -> list[str]:
        found = [str(d.get("message")) for d in document.get("diagnosis", [])]
        return [m if keys else plain(m) for m in found] or [NONE]

    return [f"  before: {m}" for m in messages(before)] + [f"  after: {m}" for m in messages(after)]


def _close(a: object, b: object, tolerance: float = 1e-9) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=tolerance, abs_tol=tolerance)
    return a == b


# ---------------------------------------------------------------------------------------------
# Compare two runs


def _flat(value: object, prefix: str = "") -> dict[str, object]:
    """Nested dicts to dotted keys; lists of records keyed by their id, name or scenario."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for index, item in enumerate(value):
            name = next((str(item[k]) for k in ("id", "name", "scenario", "key", "year") if k in item), index)
            out.update(_flat({k: v for k, v in item.items()}, f"{prefix}[{name}]"))
        return out
    return {prefix: value}


HEADLINE = (
    "status",
    "portfolio.total_gbp",
    "portfolio.holdings",
    "portfolio.expected_return",
    "portfolio.volatility",
    "portfolio.impact_score",
    "portfolio.jobs",
    "portfolio.local_spend_retained_gbp",
    "fiduciary.return_given_up_bp",
    "fiduciary.within_tolerance",
)
_GROUPS = ("portfolio", "fiduciary", "benchmarks", "stress", "projection", "pacing", "summary")
# the commitment plan's figures a run comparison shows (its years are in the paper and the workbook)
PACING_OUTCOMES = (
    "status",
    "target_gbp",
    "target_year",
    "reached_year",
    "value_at_target_year_gbp",
    "shortfall_gbp",
    "total_commitments_gbp",
    "largest_net_cash_outflow_gbp",
    "years_needing_sales",
)
_PACING = {"target_gbp": "pacing_target_gbp", "target_year": "pacing.target_year"}
_SKIPPED = {
    "notes",
    "impact_notes",
    "city_notes",
    "descriptions",
    "shocks",
    "mix",
    "places",
    "allocations",
    "bands",
}


def outcome_leaves(results: dict) -> dict[str, object]:
    """The figures a result is judged by, as dotted keys: the portfolio's, and (when present) the
    benchmarks', the fiduciary test's, each stress loss, the projection's final year and the summary."""
    portfolio = {k: v for k, v in results.get("portfolio", {}).items() if k not in _SKIPPED}
    chosen = {"portfolio": portfolio}
    for key in COMPARISON_KEYS:
        if key in results:
            chosen[key] = _without(results[key])
    projection = results.get("projection")
    if isinstance(projection, dict) and isinstance(projection.get("bands"), dict):
        years = projection.get("years") or []
        chosen["projection_final"] = {
            f"{band}.{p}": values[-1]
            for band, table in projection["bands"].items()
            if isinstance(table, dict)
            for p, values in table.items()
            if isinstance(values, list) and values
        } | ({"year": years[-1]} if years else {})
    pacing = results.get("pacing")
    if isinstance(pacing, dict):
        chosen["pacing"] = {k: pacing.get(k) for k in PACING_OUTCOMES}
        sales = pacing.get("years_needing_sales") or []
        chosen["pacing"]["years_needing_sales"] = ", ".join(str(y) for y in sales) or NONE
    return {k: v for k, v in _flat(chosen).items() if not isinstance(v, list)}


def _without(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without(v) for k, v in value.items() if k not in _SKIPPED}
    if isinstance(value, list):
        return [_without(v) for v in value]
    return value


def _changes(a: dict[str, object], b: dict[str, object], tolerance: float = 1e-9) -> list[dict[str, object]]:
    return [
        {"key": key, "a": a.get(key), "b": b.get(key)}
        for key in sorted(set(a) | set(b))
        if not _close(a.get(key), b.get(key), tolerance)
    ]


def _rows(stored: StoredFile) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Columns and rows (by id) of a stored candidate file, cells as text."""
    raw = read_table(InputFile(stored.name, stored.content, "file"), sheet="candidates")
    header = [normalise_name(str(h)) for h in raw.header]
    rows: dict[str, dict[str, str]] = {}
    for _, cells in raw.rows:
        record = {h: "" if c is None else str(c) for h, c in zip(header, cells, strict=False)}
        rows.setdefault(record.get("id", ""), record)
    return header, rows


def _number(text: object) -> object:
    try:
        return float(str(text))
    except ValueError:
        return text


def _column_term(column: str) -> Term:
    """A candidate file's column: the figure of the same name, else its words."""
    if column in FIGURES:
        return figure(column)
    words = column.removesuffix("_gbp").replace("_", " ")
    return Term(words.capitalize(), "money" if column.endswith("_gbp") else "text", "")


def _cell(term: Term, text: str) -> str:
    if text == "":
        return "blank"
    value = _number(text)
    return shown(term, value) if isinstance(value, float) and term.unit != "text" else text


def _candidate_names(*results: RunResult) -> dict[str, str]:
    out: dict[str, str] = {}
    for result in results:
        for record in result.screen or []:
            out.setdefault(record.id, f"{record.name} in {result.place(record.local_authority)}")
        for holding in result.allocations:
            out.setdefault(holding.id, f"{holding.name} in {result.place(holding.local_authority)}")
    return out


def _candidate_changes(a: StoredFile, b: StoredFile, names: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {
        "a": {"name": a.name, "sha256": a.sha256},
        "b": {"name": b.name, "sha256": b.sha256},
    }
    out["same"] = a.sha256 == b.sha256
    if out["same"]:
        return {**out, "added": [], "removed": [], "changed": []}
    _, old = _rows(a)
    _, new = _rows(b)
    changed = []
    for candidate in [c for c in old if c in new]:
        cells = {
            column: [old[candidate].get(column, ""), new[candidate].get(column, "")]
            for column in sorted(set(old[candidate]) | set(new[candidate]))
            if old[candidate].get(column, "") != new[candidate].get(column, "")
        }
        if cells:
            rows = []
            for column, (x, y) in cells.items():
                term = _column_term(column)
                rows.append(
                    {"key": column, "label": term.label, "before": _cell(term, x), "after": _cell(term, y)}
                )
            changed.append({"id": candidate, "name": names.get(candidate), "columns": cells, "rows": rows})

    def named(ids: list[str], rows: dict[str, dict[str, str]]) -> list[dict[str, object]]:
        return [{"id": c, "name": names.get(c) or rows[c].get("name") or c} for c in ids]

    added = [c for c in new if c not in old]
    removed = [c for c in old if c not in new]
    return {
        **out,
        "added": added,
        "removed": removed,
        "added_names": named(added, new),
        "removed_names": named(removed, old),
        "changed": changed,
    }


def _table(text: str) -> dict[str, dict[str, str]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    return {row[0]: dict(zip(header[1:], row[1:], strict=False)) for row in reader if row}


_INPUTS = {
    "assumptions": "Capital market assumptions",
    "candidates": "Candidates",
    "mandate": "Mandate",
    "places": "Places",
    "uk_benchmark_mix": "UK benchmark mix",
    "stress_scenarios": "Stress scenarios",
    "covariance": "Covariance",
}
_SOURCE_FIELDS = {
    "source": "source",
    "name": "file",
    "sha256": "fingerprint (SHA-256)",
    "status": "status",
    "as_of": "as of",
}


def _assumption_changes(a: SavedRun, b: SavedRun) -> dict[str, object]:
    provenance = []
    for key in sorted(set(a.provenance) | set(b.provenance)):
        if key == "candidates":
            continue
        pa, pb = a.provenance.get(key, {}), b.provenance.get(key, {})
        for name, words in _SOURCE_FIELDS.items():
            if pa.get(name) != pb.get(name) and (name in pa or name in pb):
                what = _INPUTS.get(key, key.replace("_", " ").capitalize())
                term = Term(f"{what}: {words}", "text", "")
                provenance.append(_row(f"{key}.{name}", term, pa.get(name), pb.get(name)))
    old, new = _table(a.assumptions_csv), _table(b.assumptions_csv)
    columns = {"expected_return": figure("expected_return"), "volatility": figure("volatility")}
    values = []
    for c in sorted(set(old) | set(new)):
        for column in ("expected_return", "volatility", "liquid"):
            x, y = old.get(c, {}).get(column), new.get(c, {}).get(column)
            if x != y:
                base = columns.get(column, Term("Liquid", "text", ""))
                term = _as(base, f"{asset_class(c).capitalize()}: {_lower(base.label)}")
                values.append(_row(f"{c}.{column}", term, _number(x), _number(y)))
    old_c, new_c = _table(a.correlations_csv), _table(b.correlations_csv)
    names = sorted(set(old_c) | set(new_c))
    correlations = []
    for n, i in enumerate(names):
        for j in names[n + 1 :]:
            x, y = old_c.get(i, {}).get(j), new_c.get(i, {}).get(j)
            if x != y:
                term = Term(f"Correlation of {asset_class(i)} with {asset_class(j)}", "text", "")
                row = _row(f"{i}~{j}", term, _number(x), _number(y))
                correlations.append(row | {"before": _correlation(row["a"]), "after": _correlation(row["b"])})
    return {"provenance": provenance, "values": values, "correlations": correlations}


def _correlation(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else NONE if value is None else str(value)


def _allocation_changes(ra: RunResult, rb: RunResult) -> list[dict[str, object]]:
    held = {h.id: h for h in [*ra.allocations, *rb.allocations]}
    old = {h.id: round(h.amount_gbp) for h in ra.allocations}
    new = {h.id: round(h.amount_gbp) for h in rb.allocations}
    rows = []
    for c in sorted(set(old) | set(new)):
        x, y = old.get(c, 0), new.get(c, 0)
        if abs(y - x) >= UNCHANGED_GBP:
            holding = held[c]
            place = (ra if c in old else rb).place(holding.local_authority)
            term = _as(figure("place_amount_gbp"), f"{holding.name} in {place}")  # in £m
            rows.append(
                _row(c, term, x, y, id=c, name=holding.name, place=place, a_gbp=x, b_gbp=y, change_gbp=y - x)
            )
    return rows


def _mandate_rows(a: SavedRun, b: SavedRun, ra: RunResult, rb: RunResult) -> list[dict[str, object]]:
    ma, mb = _flat(tomllib.loads(a.mandate_toml)), _flat(tomllib.loads(b.mandate_toml))
    places = {**_place_names(), **ra.place_names, **rb.place_names}
    rows = []
    for change in _changes(ma, mb):
        key = str(change["key"])
        term = mandate_term(key)

        def value(raw: object, key: str = key) -> str:
            if key == "places" and isinstance(raw, list):
                raw = [places.get(str(p), str(p)) for p in raw]
            return NONE if raw in (None, "", []) else mandate_value(key, raw)

        row = _row(key, term, change["a"], change["b"])
        rows.append(row | {"before": value(change["a"]), "after": value(change["b"])})
    return rows


def _place_names() -> dict[str, str]:
    from screening.reading.reference import bundled_reference

    return {str(k): str(v) for k, v in bundled_reference().places["name"].items()}


def _outcome_rows(ra: RunResult, rb: RunResult) -> list[dict[str, object]]:
    a, b = ra.to_json(), rb.to_json()
    places = {**ra.place_names, **rb.place_names}
    rows = []
    if a.get("status") != b.get("status"):
        rows.append(_row("status", figure("status"), a.get("status"), b.get("status")))
    for change in _changes(outcome_leaves(a), outcome_leaves(b), tolerance=1e-7):
        key = str(change["key"])
        term = outcome_term(key, places) or _fallback(key)
        if not _money_within(term, change["a"], change["b"], UNCHANGED_GBP):
            rows.append(_row(key, term, change["a"], change["b"]))
    rank = {key: i for i, key in enumerate(HEADLINE)}

    def order(row: dict) -> tuple:
        key = str(row["key"])
        head = re.split(r"[.\[]", key, maxsplit=1)[0].removesuffix("_final")
        group = _GROUPS.index(head) if head in _GROUPS else len(_GROUPS)
        return rank.get(key, len(rank)), group, key

    return sorted(rows, key=order)


def compare(a: SavedRun, b: SavedRun) -> dict[str, object]:
    """What changed from run a to run b: inputs (mandate, candidates, assumptions), allocation,
    outcomes and the diagnosis. Each difference is a row with its key, label, raw values `a` and `b`,
    and `before`/`after` as a person reads them (and `change` for money, in plain words)."""
    from impact_screen.runs import result_of

    ra, rb = result_of(a), result_of(b)
    covariance = None
    if a.covariance is not None or b.covariance is not None:
        covariance = {
            "a": a.covariance.sha256 if a.covariance else None,
            "b": b.covariance.sha256 if b.covariance else None,
        }
    diagnosis = None
    if _diagnosis(a.results) != _diagnosis(b.results):
        diagnosis = {
            "a": [d.message for d in ra.diagnosis],
            "b": [d.message for d in rb.diagnosis],
        }
    return {
        "a": {"name": a.name, "created_at": a.created_at},
        "b": {"name": b.name, "created_at": b.created_at},
        "mandate": _mandate_rows(a, b, ra, rb),
        "candidates": _candidate_changes(a.candidates, b.candidates, _candidate_names(ra, rb)),
        "covariance": covariance,
        "assumptions": _assumption_changes(a, b),
        "allocation": _allocation_changes(ra, rb),
        "outcomes": _outcome_rows(ra, rb),
        "diagnosis": diagnosis,
    }


def _file(entry: dict) -> str:
    return f"{entry['name']} (fingerprint {str(entry['sha256'])[:12]})"


def comparison_text(diff: dict, keys: bool = True) -> str:
    """The comparison for a person, section by section ("no change" where nothing moved).

    `keys`: the key (or JSON path, or candidate id) in brackets after each label, as the command
    line shows it; without, labels only, as the app shows it.
    """

    def with_key(text: object, key: object) -> str:
        return f"{text} ({key})" if keys else str(text)

    a, b = diff["a"]["name"], diff["b"]["name"]
    lines = [f"Comparing '{a}' ({diff['a']['created_at']}) with '{b}' ({diff['b']['created_at']})."]

    def section(title: str, items: list[str]) -> None:
        lines.extend(["", f"{title}:"] + ([f"  {i}" for i in items] if items else ["  no change"]))

    section("Mandate", [_line(row, keys) for row in diff["mandate"]])
    cands = diff["candidates"]
    items = []
    if not cands["same"]:
        items.append(f"file {_file(cands['a'])} {ARROW} {_file(cands['b'])}")
        items += [f"added {with_key(c['name'], c['id'])}" for c in cands.get("added_names", [])]
        items += [f"removed {with_key(c['name'], c['id'])}" for c in cands.get("removed_names", [])]
        for change in cands["changed"]:
            cells = "; ".join(
                f"{with_key(r['label'], r['key'])}: {r['before']} {ARROW} {r['after']}"
                for r in change["rows"]
            )
            items.append(f"changed {with_key(change['name'] or change['id'], change['id'])}: {cells}")
    section("Candidates", items)
    if diff["covariance"]:
        cov = diff["covariance"]

        def matrix(sha: str | None) -> str:
            return f"a covariance file (fingerprint {sha[:12]})" if sha else "none: the factor model"

        section("Covariance", [f"{matrix(cov['a'])} {ARROW} {matrix(cov['b'])}"])
    assumptions = diff["assumptions"]
    section(
        "Assumptions",
        [
            _line(row, keys)
            for row in assumptions["provenance"] + assumptions["values"] + assumptions["correlations"]
        ],
    )
    section("Allocation", [_line(row, keys) for row in diff["allocation"]])
    outcomes = []
    for row in diff["outcomes"]:
        if row["key"] == "summary":  # a paragraph each: one under the other
            outcomes += [
                f"{with_key(row['label'], row['key'])}:",
                f"  before: {row['before']}",
                f"  after: {row['after']}",
            ]
        else:
            outcomes.append(_line(row, keys))
    section("Outcomes", outcomes)
    if diff.get("diagnosis"):
        messages = diff["diagnosis"]

        def said(found: list[str]) -> list[str]:
            return [m if keys else plain(m) for m in found] or [NONE]

        section(
            "Diagnosis of what must change",
            [f"before: {m}" for m in said(messages["a"])] + [f"after: {m}" for m in said(messages["b"])],
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The comparison side by side, for the app's tables, the workbook and the chart


@dataclass(frozen=True)
class Section:
    """One part of a comparison side by side: a row a difference, the two runs' values in words."""

    title: str
    rows: list[tuple[str, str, str]]  # (label, run A, run B)


def side_by_side(diff: dict) -> list[Section]:
    """The mandate in the form's labels, the holdings in £m by name and place, and the outcomes,
    each difference with run A's value beside run B's (money differences under £1,000 left out)."""

    def rows(found: list[dict]) -> list[tuple[str, str, str]]:
        return [(str(r["label"]), str(r["before"]), str(r["after"])) for r in found if r["key"] != "summary"]

    return [
        Section("Mandate", rows(diff["mandate"])),
        Section("Holdings", rows(diff["allocation"])),
        Section("Outcomes", rows(diff["outcomes"])),
    ]


def holdings_chart(diff: dict) -> Grouped | None:
    """The holdings that moved, £m in each run, for a grouped bar chart (None when none moved)."""
    moved = diff["allocation"]
    if not moved:
        return None
    a, b = diff["a"]["name"], diff["b"]["name"]
    return Grouped(
        title="Holdings that moved (£m)",
        axis="£m",
        categories=[short_name(str(r["name"])) for r in moved],
        series={a: [r["a_gbp"] / 1e6 for r in moved], b: [r["b_gbp"] / 1e6 for r in moved]},
    )
