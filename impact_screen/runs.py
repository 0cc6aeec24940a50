"""Saved runs over the core: capture a run with the exact inputs it used, restore it and re-solve
it (comparing two runs is `impact_screen.runs_compare`). The CLI (`impact_screen.runs_cli`) and the
app call these; nothing prints.

A saved run stores its `ScenarioInputs`: a copy of every input file's bytes by role (candidates,
covariance, mandate, risk-model settings, UK benchmark mix, stress scenarios, places, retention,
social value), the mandate as TOML, the capital market assumptions and correlations actually used
(market data applied) as CSV text, and the screen's and the solve's settings. `restore` gives the
same `ScenarioInputs` back and `rerun` runs it, so a rerun uses the same figures even after the
files or the market-data cache change. Nothing here reads an input file from disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import platform
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from impact_screen.access import ROLE_WORDS, Caller, Role
from impact_screen.inputs import BUNDLED_FILES
from impact_screen.runs_compare import result_differences
from impact_screen.store import AuditEntry, RunStore, RunSummary, SavedRun, StoredFile, StoreError, check_name
from portfolio.scenario import COMPARISON_ROLES, REFERENCE_ROLES
from screening import InputFile, load_candidates, load_reference
from screening.reading import bundled
from screening.reading.mandate import mandate_from_text
from screening.reading.provenance import Provenance, data_version
from screening.reading.reference import ASSUMPTION_COLUMNS, Reference
from screening.stability import StabilitySettings
from screening.vocabulary import figure, mandate_term, status_words

if TYPE_CHECKING:
    from portfolio.result import RunResult
    from portfolio.run import AllocationRun
    from portfolio.scenario import ScenarioInputs

PACKAGES = ("impact-screen", "cvxpy", "clarabel", "pyscipopt", "pandas", "numpy", "yfinance", "scipy")
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


def assumption_tables(reference: Reference) -> tuple[str, str]:
    """The assumptions (with their market-data columns) and correlations actually used, as CSV text."""
    assumptions = reference.assumptions.copy()
    assumptions["liquid"] = assumptions["liquid"].map(lambda v: "true" if bool(v) else "false")
    return (
        assumptions.to_csv(index_label="asset_class", lineterminator="\n"),
        reference.correlations.to_csv(index_label="asset_class", lineterminator="\n"),
    )


def capture(
    name: str, scenario: ScenarioInputs, run: AllocationRun, result: RunResult | None = None
) -> SavedRun:
    """A run ready to save or report: the scenario it ran (a copy of every input file's bytes, the
    mandate, the assumptions actually used, the settings), provenance, versions and results
    (`result`, the run's RunResult, when the caller has already made it). Nothing is read from disk."""
    from portfolio.report import run_result
    from screening.screen import screen_records

    check_name(name)
    universe, mandate, reference = scenario.universe, scenario.mandate, scenario.reference
    result = result or run_result(run, universe, mandate, reference)
    document = result.to_json()
    assumptions_csv, correlations_csv = assumption_tables(reference)
    files = scenario.files()
    provenance = {
        **{key: dict(p) for key, p in document.get("provenance", {}).items()},
        "candidates": universe.provenance.as_dict(),
        **{key: p.as_dict() for key, p in reference.provenance.items()},
        "risk_model": _file_provenance(scenario.risk_file),
        **({"covariance": _file_provenance(files["covariance"])} if "covariance" in files else {}),
    }
    solve = scenario.solve
    return SavedRun(
        name=name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mandate_toml=mandate.to_toml(),
        candidates=stored_file(scenario.candidates),
        covariance=stored_file(scenario.covariance_file) if scenario.covariance_file is not None else None,
        assumptions_csv=assumptions_csv,
        correlations_csv=correlations_csv,
        provenance=provenance,
        versions=package_versions(),
        results=document,
        screen=screen_records(run.screen),
        settings={
            "time_limit_s": solve.time_limit_s,
            "frontier_points": solve.frontier_points,
            "with_comparison": solve.with_comparison,
            "stability": asdict(scenario.screen),
        },
        files={role: stored_file(f) for role, f in files.items() if role not in ("candidates", "covariance")},
        summary=_summary(result, scenario),
    )


def _file_provenance(source: InputFile) -> dict:
    return {"source": source.origin, "name": source.name, "sha256": source.sha256}


def _summary(result: RunResult, scenario: ScenarioInputs) -> dict:
    """The few figures `runs list` shows, kept beside the run so listing reads no result."""
    mine = result.portfolio
    assumptions = scenario.reference.provenance.get("assumptions")
    return {
        "mandate": scenario.mandate.name,
        "status": result.status,
        "target_gbp": result.target_gbp,
        "holdings": mine.holdings,
        "expected_return": mine.expected_return,
        "volatility": mine.volatility,
        "impact_score": mine.impact_score,
        "jobs": mine.jobs,
        "candidates": scenario.candidates.name,
        "assumptions": assumptions.source if assumptions is not None else "bundled",
    }


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
        from screening.reading.reference import bundled_reference

        names = bundled_reference().places["name"]
        codes = [
            *document.get("portfolio", {}).get("by_place", {}),
            *(r.get("local_authority") for r in saved.screen),
        ]
        document["place_names"] = {str(c): str(names.get(c, c)) for c in dict.fromkeys(codes) if c}
    return RunResult.model_validate(document)


# ---------------------------------------------------------------------------------------------
# The list of saved runs, as a person reads it (the command line and the app)

LISTING = ("target_gbp", "holdings", "expected_return", "volatility", "impact_score", "jobs")


def listing(runs: list[RunSummary]) -> list[dict[str, str]]:
    """One row a run: its name, when it was saved, its status and a few figures, each under the
    vocabulary's label and in its one format (the same table in `runs list` and the app)."""
    rows = []
    for run in runs:
        summary = run.summary
        row = {
            "Run": run.name,
            "Saved (UTC)": _when(run.created_at),
            "Saved by": run.author or "not recorded",
            "Published": "yes" if run.published_at else "no",
            figure("status").label: status_words(str(summary.get("status", ""))),
        }
        for key in LISTING:
            raw = summary.get(key)
            term = mandate_term(key) if key == "target_gbp" else figure(key)
            row[term.label] = term.format(raw if isinstance(raw, int | float) else None)
        row["Mandate"] = str(summary.get("mandate", ""))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# The store in one call each (for the app)


def save_run(saved: SavedRun, caller: Caller, overwrite: bool = False) -> Path:
    """Save in the run store ($IMPACT_SCREEN_DB or the user's data folder) as `caller`; returns
    the store's path (AccessError when the caller's role does not allow it)."""
    with RunStore(caller=caller) as store:
        store.save(saved, overwrite=overwrite)
        return store.path


def list_runs(caller: Caller) -> list[RunSummary]:
    """Every saved run `caller` may see (name, created_at, author, summary figures), oldest first."""
    with RunStore(caller=caller) as store:
        return store.list()


def load_run(name: str, caller: Caller) -> SavedRun:
    """One saved run, whole (StoreError when there is none `caller` may see)."""
    with RunStore(caller=caller) as store:
        return store.load(name)


def delete_run(name: str, caller: Caller) -> bool:
    """Remove a saved run as `caller`; False when there was none."""
    with RunStore(caller=caller) as store:
        return store.delete(name)


def publish_run(name: str, caller: Caller, published: bool = True) -> None:
    """Publish a run (or withdraw it) as `caller`, an officer."""
    with RunStore(caller=caller) as store:
        store.publish(name, published)


def audit_trail(caller: Caller, name: str | None = None) -> list[AuditEntry]:
    """The store's audit trail (of one run name, or all), oldest first."""
    with RunStore(caller=caller) as store:
        return store.audit(name)


def _when(stamp: str) -> str:
    return stamp.replace("+00:00", "").replace("T", " ")


def audit_listing(entries: list[AuditEntry]) -> list[dict[str, str]]:
    """The audit trail as a person reads it (the command line and the app): one row a change."""
    return [
        {
            "When (UTC)": _when(e.at),
            "Who": e.actor,
            "As": ROLE_WORDS.get(Role(e.role), e.role) if e.role in set(Role) else "not recorded",
            "Did": e.action,
            "Run": e.run,
            "Note": e.detail,
        }
        for e in entries
    ]


def authorship(saved: SavedRun) -> str:
    """Who saved the run and its last change since, for the paper's appendix and `runs show`."""
    if saved.author:
        line = f"Saved by {saved.author} on {_when(saved.created_at)} UTC."
    else:
        line = f"Saved on {_when(saved.created_at)} UTC; who saved it was not recorded (before authors were kept)."
    history = list(saved.history)
    made = max((i for i, e in enumerate(history) if e.action in ("saved", "replaced")), default=None)
    since = history[made + 1 :] if made is not None else []
    if since:
        line += f" Last change: {since[-1].describe()}."
    return line


# ---------------------------------------------------------------------------------------------
# Restore and rerun


def retention_of(saved: SavedRun) -> dict[str, float]:
    """The local-retention rates a saved run was made with (the story's 63p against 40p)."""
    from screening.summary import retention_figures

    return retention_figures(_reference(saved, _stored_files(saved)[0]))


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


def _stored_files(saved: SavedRun) -> tuple[dict[str, InputFile], list[str]]:
    """The run's input files by role, from the store; for a role an older run did not keep, the
    bundled file, with a note when it is not the one the run was saved with."""
    files = {role: _input(saved, stored) for role, stored in saved.files.items()}
    notes = []
    for role, name in BUNDLED_FILES.items():
        if role in files:
            continue
        files[role] = bundled.read(name)
        before = saved.provenance.get(role, {}).get("sha256")
        if before and before != files[role].sha256:
            notes.append(
                f"the {name} in use has changed since the run was saved (the run did not keep a copy)"
            )
    return files, notes


def _reference(saved: SavedRun, files: dict[str, InputFile]) -> Reference:
    """The reference tables as the run used them: its places, retention and social-value files and
    the assumptions and correlations actually used (market-data columns and provenance included)."""
    label = f"saved run '{saved.name}'"
    base = load_reference(
        InputFile(f"{label}: assumptions", _known_columns(saved.assumptions_csv).encode(), "file"),
        InputFile(f"{label}: correlations", saved.correlations_csv.encode(), "file"),
        files={role: files[role] for role in REFERENCE_ROLES},
    )
    extras = pd.read_csv(io.StringIO(saved.assumptions_csv), index_col=0, dtype={"proxy": object})
    assumptions = base.assumptions.join(extras[[c for c in extras.columns if c not in _ASSUMPTION_NAMES]])
    provenance = dict(base.provenance)
    for key in ("assumptions", "correlations", *REFERENCE_ROLES):
        if key in saved.provenance:
            provenance[key] = _provenance(saved.provenance[key])
    return replace(base, assumptions=assumptions, provenance=provenance)


def restore(saved: SavedRun) -> ScenarioInputs:
    """The saved run's `ScenarioInputs`, exactly as stored (a run saved before every input was kept
    falls back to the bundled file, with a note); InputError if the code no longer accepts them."""
    from portfolio.scenario import SolveSettings, scenario_inputs

    files, notes = _stored_files(saved)
    reference = _reference(saved, files)
    candidates = _input(saved, saved.candidates)
    universe = load_candidates(candidates, reference)
    if "candidates" in saved.provenance:
        universe = replace(universe, provenance=_provenance(saved.provenance["candidates"]))
    mandate = mandate_from_text(saved.mandate_toml, f"saved run '{saved.name}': mandate", reference)
    covariance = _input(saved, saved.covariance) if saved.covariance is not None else None
    settings = saved.settings or {}
    solve = SolveSettings(
        time_limit_s=float(settings.get("time_limit_s", 60.0)),
        frontier_points=int(settings.get("frontier_points", len(saved.results.get("frontier", [])) or 25)),
        with_comparison=bool(settings.get("with_comparison", True)),
    )
    # runs saved before the screen's settings were kept were screened with 1,000 draws
    screen = StabilitySettings(**settings.get("stability", {"draws": 1_000}))
    scenario = scenario_inputs(
        candidates, mandate, reference, files, covariance, screen, solve, universe=universe
    )
    comparison = scenario.comparison
    stored = {
        role: _provenance(saved.provenance[role]) for role in COMPARISON_ROLES if role in saved.provenance
    }
    comparison = replace(comparison, provenance={**comparison.provenance, **stored})
    return replace(scenario, comparison=comparison, notes=notes)


@dataclass
class Rerun:
    """The outcome of re-solving a saved run from its stored inputs: the new `RunResult`, and
    whether it is the stored one to the pound."""

    same: bool
    differences: list[str]
    notes: list[str]
    result: RunResult

    @property
    def results(self) -> dict:
        """The new result as the allocate JSON (what `runs rerun --json` writes)."""
        return self.result.to_json()


def rerun(saved: SavedRun) -> Rerun:
    """Re-solve from the stored scenario and compare with the stored result, to the pound."""
    from portfolio.report import run_result
    from portfolio.run import run_scenario

    scenario = restore(saved)
    run = run_scenario(scenario)
    result = run_result(run, scenario.universe, scenario.mandate, scenario.reference)
    document = result.to_json()
    notes = list(scenario.notes)
    if "pacing" in document and "pacing" not in saved.results:  # saved before commitment plans
        document = {k: v for k, v in document.items() if k != "pacing"}
        notes.append("the run was saved before commitment plans were made: the rerun makes one, not compared")
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
    return Rerun(not differences, differences, sorted(set(notes)), result)
