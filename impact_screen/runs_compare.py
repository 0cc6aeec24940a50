"""Comparing runs: what changed from one saved run to another (`compare`, and `comparison_text`
for a person), and what differs between a stored result and its rerun (`result_differences`,
which `impact_screen.runs.rerun` reports). Nothing prints.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib

from impact_screen.reports import COMPARISON_KEYS, format_value
from impact_screen.store import SavedRun, StoredFile
from screening import InputFile
from screening.columns import normalise_name
from screening.tables import read_table

# ---------------------------------------------------------------------------------------------
# A stored result against its rerun


def _amounts(document: dict) -> dict[str, int]:
    return {str(a["id"]): round(float(a["amount_gbp"])) for a in document.get("allocations", [])}


def result_differences(before: dict, after: dict) -> list[str]:
    """What differs between two allocation documents: status, amounts to the pound, outcomes."""
    lines = []
    if before.get("status") != after.get("status"):
        lines.append(f"status: {before.get('status')} -> {after.get('status')}")
    old, new = _amounts(before), _amounts(after)
    for candidate in sorted(set(old) | set(new)):
        a, b = old.get(candidate, 0), new.get(candidate, 0)
        if a != b:
            lines.append(f"{candidate}: £{a:,} -> £{b:,} ({b - a:+,} £)")
    old_outcomes, new_outcomes = outcome_leaves(before), outcome_leaves(after)
    for change in _changes(old_outcomes, new_outcomes):
        lines.append(f"{change['key']}: {_show(change['a'])} -> {_show(change['b'])}")
    if _diagnosis(before) != _diagnosis(after):
        lines.append("the diagnosis of what must change differs")
    return lines


def _diagnosis(document: dict) -> list[tuple]:
    """Each change of a diagnosis, word for word: its key, amount, option and message."""
    fields = ("constraint", "relaxation", "option", "message")
    return [tuple(d.get(f) for f in fields) for d in document.get("diagnosis", [])]


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
            label = next(
                (str(item[k]) for k in ("id", "name", "scenario", "key", "year") if k in item), index
            )
            out.update(_flat({k: v for k, v in item.items()}, f"{prefix}[{label}]"))
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


def _candidate_changes(a: StoredFile, b: StoredFile) -> dict[str, object]:
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
            changed.append({"id": candidate, "columns": cells})
    return {
        **out,
        "added": [c for c in new if c not in old],
        "removed": [c for c in old if c not in new],
        "changed": changed,
    }


def _table(text: str) -> dict[str, dict[str, str]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    return {row[0]: dict(zip(header[1:], row[1:], strict=False)) for row in reader if row}


def _number(text: object) -> object:
    try:
        return float(str(text))
    except ValueError:
        return text


def _assumption_changes(a: SavedRun, b: SavedRun) -> dict[str, object]:
    fields = ("source", "name", "sha256", "status", "as_of")
    provenance = []
    for key in sorted(set(a.provenance) | set(b.provenance)):
        if key == "candidates":
            continue
        pa, pb = a.provenance.get(key, {}), b.provenance.get(key, {})
        for name in fields:
            if pa.get(name) != pb.get(name) and (name in pa or name in pb):
                provenance.append({"key": f"{key}.{name}", "a": pa.get(name), "b": pb.get(name)})
    old, new = _table(a.assumptions_csv), _table(b.assumptions_csv)
    values = [
        {
            "key": f"{c}.{column}",
            "a": _number(old.get(c, {}).get(column)),
            "b": _number(new.get(c, {}).get(column)),
        }
        for c in sorted(set(old) | set(new))
        for column in ("expected_return", "volatility", "liquid")
        if old.get(c, {}).get(column) != new.get(c, {}).get(column)
    ]
    old_c, new_c = _table(a.correlations_csv), _table(b.correlations_csv)
    names = sorted(set(old_c) | set(new_c))
    correlations = [
        {"key": f"{i}~{j}", "a": _number(old_c.get(i, {}).get(j)), "b": _number(new_c.get(i, {}).get(j))}
        for n, i in enumerate(names)
        for j in names[n + 1 :]
        if old_c.get(i, {}).get(j) != new_c.get(i, {}).get(j)
    ]
    return {"provenance": provenance, "values": values, "correlations": correlations}


def _allocation_changes(a: dict, b: dict) -> list[dict[str, object]]:
    names = {str(x["id"]): x.get("name") for x in a.get("allocations", []) + b.get("allocations", [])}
    old, new = _amounts(a), _amounts(b)
    return [
        {
            "id": c,
            "name": names.get(c),
            "a_gbp": old.get(c, 0),
            "b_gbp": new.get(c, 0),
            "change_gbp": new.get(c, 0) - old.get(c, 0),
        }
        for c in sorted(set(old) | set(new))
        if old.get(c, 0) != new.get(c, 0)
    ]


def compare(a: SavedRun, b: SavedRun) -> dict[str, object]:
    """What changed from run a to run b: inputs (mandate, candidates, assumptions), allocation, outcomes."""
    ma, mb = _flat(tomllib.loads(a.mandate_toml)), _flat(tomllib.loads(b.mandate_toml))
    covariance = None
    if a.covariance is not None or b.covariance is not None:
        covariance = {
            "a": a.covariance.sha256 if a.covariance else None,
            "b": b.covariance.sha256 if b.covariance else None,
        }
    outcomes = [{"key": "status", "a": a.results.get("status"), "b": b.results.get("status")}]
    outcomes = [o for o in outcomes if o["a"] != o["b"]]
    changes = _changes(outcome_leaves(a.results), outcome_leaves(b.results), tolerance=1e-7)
    rank = {key: i for i, key in enumerate(HEADLINE)}
    outcomes += sorted(changes, key=lambda c: (rank.get(str(c["key"]), len(rank)), c["key"] == "summary"))
    return {
        "a": {"name": a.name, "created_at": a.created_at},
        "b": {"name": b.name, "created_at": b.created_at},
        "mandate": _changes(ma, mb),
        "candidates": _candidate_changes(a.candidates, b.candidates),
        "covariance": covariance,
        "assumptions": _assumption_changes(a, b),
        "allocation": _allocation_changes(a.results, b.results),
        "outcomes": outcomes,
    }


def _show(value: object, key: str = "") -> str:
    """A value for the comparison text: percentages, £ and bp by the key's name; (none) for missing."""
    if value is None:
        return "(none)"
    if key and isinstance(value, int | float) and not isinstance(value, bool):
        name = key.rsplit(".", 1)[-1]
        if (
            "gbp" in name
            or name.endswith("_bp")
            or any(w in name for w in ("return", "volatility", "share", "error"))
        ):
            return format_value(name.replace("error", "volatility"), value)
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def comparison_text(diff: dict) -> str:
    """The comparison for a person, section by section ("no change" where nothing moved)."""
    a, b = diff["a"]["name"], diff["b"]["name"]
    lines = [f"Comparing '{a}' ({diff['a']['created_at']}) with '{b}' ({diff['b']['created_at']})."]

    def section(title: str, items: list[str]) -> None:
        lines.extend(["", f"{title}:"] + ([f"  {i}" for i in items] if items else ["  no change"]))

    section("Mandate", [f"{c['key']}: {_show(c['a'])} -> {_show(c['b'])}" for c in diff["mandate"]])
    cands = diff["candidates"]
    items = []
    if not cands["same"]:
        items.append(
            f"file {cands['a']['name']} ({cands['a']['sha256'][:12]}) -> "
            f"{cands['b']['name']} ({cands['b']['sha256'][:12]})"
        )
        items += [f"added {c}" for c in cands["added"]] + [f"removed {c}" for c in cands["removed"]]
        for change in cands["changed"]:
            cells = "; ".join(
                f"{k}: {v[0] or '(blank)'} -> {v[1] or '(blank)'}" for k, v in change["columns"].items()
            )
            items.append(f"changed {change['id']}: {cells}")
    section("Candidates", items)
    if diff["covariance"]:
        section("Covariance", [f"{diff['covariance']['a']} -> {diff['covariance']['b']}"])
    assumptions = diff["assumptions"]
    section(
        "Assumptions",
        [
            f"{c['key']}: {_show(c['a'])} -> {_show(c['b'])}"
            for c in assumptions["provenance"] + assumptions["values"] + assumptions["correlations"]
        ],
    )
    section(
        "Allocation",
        [
            f"{c['id']} {c['name'] or ''}: £{c['a_gbp']:,} -> £{c['b_gbp']:,} ({c['change_gbp']:+,} £)"
            for c in diff["allocation"]
        ],
    )
    section(
        "Outcomes",
        [f"{c['key']}: {_show(c['a'], c['key'])} -> {_show(c['b'], c['key'])}" for c in diff["outcomes"]],
    )
    return "\n".join(lines)
