"""Saved runs over the core: capture a run with the exact inputs it used, restore it and re-solve
it (comparing two runs is `impact_screen.runs_compare`). The CLI (`impact_screen.runs_cli`) and the
app call these; nothing prints.

A saved run keeps copies of its inputs (candidate bytes, covariance bytes, the mandate as TOML,
the capital market assumptions and correlations actually used as CSV text), so a rerun uses the
same figures even after the files or the market-data cache change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import platform
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from impact_screen.runs_compare import result_differences
from impact_screen.store import RunStore, RunSummary, SavedRun, StoredFile, StoreError, check_name
from screening import InputFile, load_candidates, load_matrix, load_reference
from screening.bundled import RISK_MODEL, bundled
from screening.candidates import Universe
from screening.mandate import Mandate, mandate_from_text
from screening.provenance import Provenance, data_version
from screening.reference import ASSUMPTION_COLUMNS, Reference
from screening.stability import StabilitySettings

if TYPE_CHECKING:
    from portfolio.result import RunResult
    from portfolio.run import AllocationRun

PACKAGES = ("impact-screen", "cvxpy", "clarabel", "pyscipopt", "pandas", "numpy", "yfinance", "scipy")
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
    result: RunResult | None = None,
) -> SavedRun:
    """A run ready to save or report: its inputs (copied), provenance, versions and results
    (`result`, the run's RunResult, when the caller has already made it)."""
    from portfolio.report import run_result
    from screening.screen import screen_records

    check_name(name)
    if candidates.sha256 != universe.provenance.sha256:
        raise StoreError(f"the candidate bytes given are not those of {universe.provenance.name}")
    document = (result or run_result(run, universe, mandate, reference)).to_json()
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
        settings={
            **(settings or {}),
            "stability": asdict(run.screen.settings),
            **({"unstored_inputs": unstored} if unstored else {}),
        },
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


def result_of(saved: SavedRun) -> RunResult:
    """A saved run's results as the typed `RunResult` every renderer reads.

    Runs saved before the result named its places and held its screen get both filled in: the
    screen from the run's own stored records, the names from the bundled places table.
    """
    from portfolio.result import RunResult

    document = dict(saved.results)
    if "screen" not in document:
        document["screen"] = saved.screen
    if "place_names" not in document:
        from screening.reference import bundled_reference

        names = bundled_reference().places["name"]
        codes = [
            *document.get("portfolio", {}).get("by_place", {}),
            *(r.get("local_authority") for r in saved.screen),
        ]
        document["place_names"] = {str(c): str(names.get(c, c)) for c in dict.fromkeys(codes) if c}
    return RunResult.model_validate(document)


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
    from portfolio.report import run_result
    from portfolio.run import run_allocation

    inputs = restore(saved)
    settings = saved.settings or {}
    options = SolveOptions(time_limit_s=float(settings.get("time_limit_s", 60.0)))
    frontier_points = int(settings.get("frontier_points", len(saved.results.get("frontier", [])) or 25))
    # runs saved before the screen's settings were kept were screened with 1,000 draws
    stability = StabilitySettings(**settings.get("stability", {"draws": 1_000}))
    comparison_inputs = _comparison_inputs(saved, inputs.reference)
    extra = {"comparison_inputs": comparison_inputs} if comparison_inputs is not None else {}
    run = run_allocation(
        inputs.universe,
        inputs.mandate,
        inputs.reference,
        inputs.covariance,
        options,
        frontier_points,
        stability=stability,
        **extra,
    )
    document = run_result(run, inputs.universe, inputs.mandate, inputs.reference).to_json()
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
