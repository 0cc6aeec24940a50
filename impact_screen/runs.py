"""Saved runs over the core: capture a run with the exact inputs it used, restore it, re-solve it,
and compare two runs. The CLI (`impact_screen.runs_cli`) and the app call these; nothing prints.

A saved run keeps copies of its inputs (candidate bytes, covariance bytes, the mandate as TOML,
the capital market assumptions and correlations actually used as CSV text), so a rerun uses the
same figures even after the files or the market-data cache change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import platform
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from impact_screen.store import RunStore, RunSummary, SavedRun, StoredFile, StoreError, check_name
from screening import InputFile, load_candidates, load_matrix, load_reference
from screening.bundled import RISK_MODEL, bundled
from screening.candidates import Universe
from screening.columns import normalise_name
from screening.mandate import Mandate, mandate_from_text
from screening.provenance import Provenance, data_version
from screening.reference import ASSUMPTION_COLUMNS, Reference
from screening.tables import read_table

if TYPE_CHECKING:
    from portfolio.run import AllocationRun

PACKAGES = ("impact-screen", "cvxpy", "clarabel", "pyscipopt", "pandas", "numpy", "yfinance", "scipy")
COMPARISON_KEYS = ("summary", "fiduciary", "benchmarks", "stress", "projection")
COMPARISON_FILES = ("uk_benchmark_mix", "stress_scenarios")
_ASSUMPTION_NAMES = [c.name for c in ASSUMPTION_COLUMNS]


def package_versions() -> dict[str, str | None]:
    """Versions of the packages that shape a result, Python and the bundled data set."""
    versions: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    versions["python"] = platform.python_version()
    versions["data"] = data_version()
    return versions


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_file(source: InputFile) -> StoredFile:
    return StoredFile(source.name, source.origin, source.content, source.sha256)


def candidate_file(universe: Universe, content: bytes | None = None) -> InputFile:
    """The candidate file a universe was read from, checked to be the same bytes (by SHA-256).

    Pass `content` for an upload (its bytes live only in the session); a bundled file or a file
    on disk is read again.
    """
    provenance = universe.provenance
    if content is None:
        if provenance.source not in ("bundled", "file"):
            raise StoreError("the uploaded candidate file's bytes are needed to save this run")
        try:
            source = InputFile.from_path(provenance.name, origin=provenance.source)  # type: ignore[arg-type]
        except Exception as exc:
            raise StoreError(f"cannot read the candidate file again to save it: {exc}") from None
    else:
        origin = provenance.source if provenance.source in ("bundled", "file", "upload") else "upload"
        source = InputFile(provenance.name, content, origin)  # type: ignore[arg-type]
    if source.sha256 != provenance.sha256:
        raise StoreError(
            f"the candidate file {provenance.name} changed after it was loaded; run again to save it"
        )
    return source


def assumption_tables(reference: Reference) -> tuple[str, str]:
    """The assumptions (with their market-data columns) and correlations actually used, as CSV text."""
    assumptions = reference.assumptions.copy()
    assumptions["liquid"] = assumptions["liquid"].map(lambda v: "true" if bool(v) else "false")
    return (
        assumptions.to_csv(index_label="asset_class", lineterminator="\n"),
        reference.correlations.to_csv(index_label="asset_class", lineterminator="\n"),
    )


def _comparison_files(run: AllocationRun) -> tuple[dict[str, StoredFile], list[str]]:
    """Copies of the comparison's own inputs (benchmark mix, stress scenarios), read again and
    checked by SHA-256; the names of any that could not be read back are returned too."""
    comparison = getattr(run, "comparison", None)
    files: dict[str, StoredFile] = {}
    unstored: list[str] = []
    for role in COMPARISON_FILES:
        provenance = getattr(comparison, "provenance", {}).get(role) if comparison is not None else None
        if provenance is None:
            continue
        try:
            content = Path(provenance.name).read_bytes()
        except OSError:
            content = b""
        if _sha(content) == provenance.sha256:
            files[role] = StoredFile(provenance.name, provenance.source, content, provenance.sha256)
        else:
            unstored.append(role)
    return files, unstored


def capture(
    name: str,
    run: AllocationRun,
    universe: Universe,
    mandate: Mandate,
    reference: Reference,
    candidates: InputFile,
    covariance: InputFile | None = None,
    settings: dict | None = None,
) -> SavedRun:
    """A run ready to save or report: its inputs (copied), provenance, versions and results."""
    from portfolio.report import allocation_document
    from screening.screen import screen_records

    check_name(name)
    if candidates.sha256 != universe.provenance.sha256:
        raise StoreError(f"the candidate bytes given are not those of {universe.provenance.name}")
    document = allocation_document(run, universe, mandate, reference)
    assumptions_csv, correlations_csv = assumption_tables(reference)
    provenance = {
        **{key: dict(p) for key, p in document.get("provenance", {}).items()},
        "candidates": universe.provenance.as_dict(),
        **{key: p.as_dict() for key, p in reference.provenance.items()},
        "risk_model": {"name": RISK_MODEL, "sha256": _sha(bundled(RISK_MODEL).read_bytes())},
    }
    files, unstored = _comparison_files(run)
    if covariance is not None:
        provenance["covariance"] = {
            "source": covariance.origin,
            "name": covariance.name,
            "sha256": covariance.sha256,
        }
    portfolio = document.get("portfolio", {})
    return SavedRun(
        name=name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mandate_toml=mandate.to_toml(),
        candidates=stored_file(candidates),
        covariance=stored_file(covariance) if covariance is not None else None,
        assumptions_csv=assumptions_csv,
        correlations_csv=correlations_csv,
        provenance=provenance,
        versions=package_versions(),
        results=document,
        screen=screen_records(run.screen),
        settings={**(settings or {}), **({"unstored_inputs": unstored} if unstored else {})},
        files=files,
        summary={
            "mandate": mandate.name,
            "status": document["status"],
            "target_gbp": document["target_gbp"],
            "holdings": portfolio.get("holdings", 0),
            "expected_return": portfolio.get("expected_return"),
            "volatility": portfolio.get("volatility"),
            "impact_score": portfolio.get("impact_score"),
            "jobs": portfolio.get("jobs"),
            "candidates": candidates.name,
            "assumptions": reference.provenance["assumptions"].source
            if "assumptions" in reference.provenance
            else "bundled",
        },
    )


# ---------------------------------------------------------------------------------------------
# The store in one call each (for the app)


def save_run(saved: SavedRun, overwrite: bool = False) -> Path:
    """Save in the run store ($IMPACT_SCREEN_DB or the user's data folder); returns the store's path."""
    with RunStore() as store:
        store.save(saved, overwrite=overwrite)
        return store.path


def list_runs() -> list[RunSummary]:
    """Every saved run (name, created_at, summary figures), oldest first."""
    with RunStore() as store:
        return store.list()


def load_run(name: str) -> SavedRun:
    """One saved run, whole (StoreError when there is none)."""
    with RunStore() as store:
        return store.load(name)


def delete_run(name: str) -> bool:
    """Remove a saved run; False when there was none."""
    with RunStore() as store:
        return store.delete(name)


# ---------------------------------------------------------------------------------------------
# Restore and rerun


@dataclass
class Restored:
    """A saved run's inputs, ready for the core (or for the app's session)."""

    universe: Universe
    mandate: Mandate
    reference: Reference
    covariance: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)


def _input(saved: SavedRun, stored: StoredFile) -> InputFile:
    if _sha(stored.content) != stored.sha256:
        raise StoreError(f"the saved run '{saved.name}': {stored.name} does not match its SHA-256")
    origin = stored.origin if stored.origin in ("bundled", "file", "upload") else "file"
    return InputFile(stored.name, stored.content, origin)  # type: ignore[arg-type]


def _provenance(document: dict) -> Provenance:
    known = {k: document.get(k) for k in Provenance.__dataclass_fields__ if k in document}
    return Provenance(**known)


def _known_columns(text: str) -> str:
    """The assumption file's own columns, cell text untouched (the market-data columns dropped)."""
    rows = list(csv.reader(io.StringIO(text)))
    keep = [i for i, name in enumerate(rows[0]) if name in _ASSUMPTION_NAMES] if rows else []
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[row[i] for i in keep] for row in rows])
    return buffer.getvalue()


def restore(saved: SavedRun) -> Restored:
    """The inputs exactly as stored; InputError if the current code no longer accepts them."""
    label = f"saved run '{saved.name}'"
    base = load_reference(
        InputFile(f"{label}: assumptions", _known_columns(saved.assumptions_csv).encode(), "file"),
        InputFile(f"{label}: correlations", saved.correlations_csv.encode(), "file"),
    )
    extras = pd.read_csv(io.StringIO(saved.assumptions_csv), index_col=0, dtype={"proxy": object})
    assumptions = base.assumptions.join(extras[[c for c in extras.columns if c not in _ASSUMPTION_NAMES]])
    provenance = dict(base.provenance)
    notes = []
    for key, stored in saved.provenance.items():
        if key in ("assumptions", "correlations"):
            provenance[key] = _provenance(stored)
        elif key in provenance and provenance[key].sha256 != stored.get("sha256"):
            notes.append(f"{provenance[key].describe()} has changed since the run was saved")
    risk = saved.provenance.get("risk_model", {}).get("sha256")
    if risk and risk != _sha(bundled(RISK_MODEL).read_bytes()):
        notes.append(f"the risk-model settings ({RISK_MODEL}) have changed since the run was saved")
    reference = replace(base, assumptions=assumptions, provenance=provenance)
    universe = load_candidates(_input(saved, saved.candidates), reference)
    if "candidates" in saved.provenance:
        universe = replace(universe, provenance=_provenance(saved.provenance["candidates"]))
    mandate = mandate_from_text(saved.mandate_toml, f"{label}: mandate", reference)
    covariance = None
    if saved.covariance is not None:
        covariance, _ = load_matrix(_input(saved, saved.covariance), "covariance", list(universe.frame.index))
    return Restored(universe, mandate, reference, covariance, notes)


@dataclass
class Rerun:
    """The outcome of re-solving a saved run from its stored inputs."""

    same: bool
    differences: list[str]
    notes: list[str]
    results: dict


def _comparison_inputs(saved: SavedRun, reference: Reference):
    """The stored benchmark mix and stress scenarios, when the run kept them (else the current ones)."""
    if not all(role in saved.files for role in COMPARISON_FILES):
        return None
    from portfolio.comparison_inputs import load_comparison_inputs

    mix, scenarios = (_input(saved, saved.files[role]) for role in COMPARISON_FILES)
    loaded = load_comparison_inputs(reference, mix=mix, scenarios=scenarios)
    stored = {
        role: _provenance(saved.provenance[role]) for role in COMPARISON_FILES if role in saved.provenance
    }
    return replace(loaded, provenance={**loaded.provenance, **stored})


def rerun(saved: SavedRun) -> Rerun:
    """Re-solve from the stored inputs and compare with the stored result, to the pound."""
    from portfolio.problem import SolveOptions
    from portfolio.report import allocation_document
    from portfolio.run import run_allocation

    inputs = restore(saved)
    settings = saved.settings or {}
    options = SolveOptions(time_limit_s=float(settings.get("time_limit_s", 60.0)))
    frontier_points = int(settings.get("frontier_points", len(saved.results.get("frontier", [])) or 25))
    comparison_inputs = _comparison_inputs(saved, inputs.reference)
    extra = {"comparison_inputs": comparison_inputs} if comparison_inputs is not None else {}
    run = run_allocation(
        inputs.universe,
        inputs.mandate,
        inputs.reference,
        inputs.covariance,
        options,
        frontier_points,
        **extra,
    )
    document = allocation_document(run, inputs.universe, inputs.mandate, inputs.reference)
    notes = list(inputs.notes)
    for key, now in document.get("provenance", {}).items():
        before = saved.results.get("provenance", {}).get(key)
        if (
            before
            and before.get("sha256") != now.get("sha256")
            and key not in ("assumptions", "correlations")
        ):
            notes.append(
                f"{key} ({Path(str(now.get('name', ''))).name}) is not the file the run was saved with"
            )
    differences = result_differences(saved.results, document)
    return Rerun(not differences, differences, sorted(set(notes)), document)


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
    diagnosis = [(d.get("constraint"), d.get("relaxation")) for d in before.get("diagnosis", [])]
    if diagnosis != [(d.get("constraint"), d.get("relaxation")) for d in after.get("diagnosis", [])]:
        lines.append("the diagnosis of what must change differs")
    return lines


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
        from impact_screen.reports import format_value

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
