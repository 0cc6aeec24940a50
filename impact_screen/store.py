"""The run store: saved runs in one SQLite file, each saved whole or not at all.

Where: `$IMPACT_SCREEN_DB`, else `runs.sqlite3` in the user's data folder (platformdirs).
How it stays safe: WAL journal with `synchronous=FULL`, every save (and every overwrite) in one
`BEGIN IMMEDIATE` transaction, so a process killed while saving leaves the earlier runs and a
readable store. The schema version is `PRAGMA user_version`; `MIGRATIONS[i]` takes a store from
version i to i + 1 and they run in order inside one transaction. A store written by a newer
version of the tool is refused, never changed.

Every store is opened as someone (`caller`, an `impact_screen.access.Caller`), and every
operation checks that caller's role here, not only in the app's buttons: a visitor lists and
opens published runs only; a committee member saves runs and replaces or deletes only their own;
the officer may do anything. Each change is written, in the same transaction, to `audit`, an
append-only table (triggers refuse to change or remove its rows): who saved, replaced, published,
unpublished or deleted which run, and when.

Standard library only (platformdirs only when no path is given; `screening.errors` and
`impact_screen.access` are standard library too), so it starts fast.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from impact_screen.access import Action, Caller, may, require
from screening.errors import AccessError, StoreError

__all__ = ["AccessError", "AuditEntry", "RunStore", "RunSummary", "SavedRun", "StoreError", "StoredFile"]

DB_ENV = "IMPACT_SCREEN_DB"
DB_FILE = "runs.sqlite3"
TIMEOUT_S = 15.0
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.£(][A-Za-z0-9 _.,%£&()\-]{0,63}")


def store_path() -> Path:
    """$IMPACT_SCREEN_DB, else runs.sqlite3 in the user's data folder."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("impact-screen")) / DB_FILE


def check_name(name: str) -> str:
    """A run name: 1-64 letters, digits, spaces and - _ . , % £ & ( ); not starting with a dash or
    a space ('committee March, 8% volatility')."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or name != name.strip():
        raise StoreError(
            f"invalid run name {name!r}: use 1-64 letters, digits, spaces and - _ . , % £ & ( ), "
            "not starting with '-' and without spaces at either end"
        )
    return name


@dataclass(frozen=True)
class StoredFile:
    """One input file as it was used: its name, where it came from, and its exact bytes."""

    name: str
    origin: str
    content: bytes
    sha256: str


@dataclass(frozen=True)
class SavedRun:
    """Everything a run needs to be shown again, compared, reported and re-solved."""

    name: str
    created_at: str  # UTC, ISO 8601
    mandate_toml: str
    candidates: StoredFile
    covariance: StoredFile | None
    assumptions_csv: str  # the capital market assumptions actually used
    correlations_csv: str  # their correlations actually used
    provenance: dict  # input name -> Provenance.as_dict()
    versions: dict  # package -> version (None when not installed)
    results: dict  # the allocation JSON document
    screen: list  # screen records, one per candidate
    settings: dict = field(default_factory=dict)  # time_limit_s, frontier_points
    summary: dict = field(default_factory=dict)  # a few figures for listings
    files: dict[str, StoredFile] = field(default_factory=dict)  # other inputs by role (stress scenarios ...)
    # what the store knows about the run, not part of it (a loaded run equals the one saved):
    author: str = field(default="", compare=False)  # who saved it ('' before authors were kept)
    published_at: str | None = field(default=None, compare=False)  # UTC, ISO 8601; None: not published
    history: tuple[AuditEntry, ...] = field(default=(), compare=False)  # this name's audit entries


@dataclass(frozen=True)
class RunSummary:
    """One line of `runs list`."""

    name: str
    created_at: str
    summary: dict
    author: str = ""
    published_at: str | None = None


AUDIT_ACTIONS = ("saved", "replaced", "published", "unpublished", "deleted")


@dataclass(frozen=True)
class AuditEntry:
    """One change to the store: when, by whom (identity and role then), what, to which run."""

    at: str  # UTC, ISO 8601
    actor: str
    role: str
    action: str  # one of AUDIT_ACTIONS
    run: str
    detail: str = ""

    def describe(self) -> str:
        """'published by officer@fund.example on 2026-12-04 19:30 UTC'."""
        when = self.at.replace("+00:00", "").replace("T", " ")
        return f"{self.action} by {self.actor} on {when} UTC"


def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            mandate_toml TEXT NOT NULL,
            assumptions_csv TEXT NOT NULL,
            correlations_csv TEXT NOT NULL,
            provenance_json TEXT NOT NULL,
            versions_json TEXT NOT NULL,
            results_json TEXT NOT NULL,
            screen_json TEXT NOT NULL,
            summary_json TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE run_files (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            role TEXT NOT NULL,  -- 'candidates', 'covariance', or another input (e.g. 'stress_scenarios')
            name TEXT NOT NULL,
            origin TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            content BLOB NOT NULL,
            PRIMARY KEY (run_id, role)
        )"""
    )


def _v2(db: sqlite3.Connection) -> None:
    """Version 2 keeps the solve settings (time limit, frontier points) so a rerun uses the same."""
    db.execute("ALTER TABLE runs ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}'")


def _v3(db: sqlite3.Connection) -> None:
    """Version 3 knows who: each run's author and whether it is published, and the audit trail
    (append-only: triggers refuse an UPDATE or DELETE). Runs saved before it get an empty author
    and one audit entry each, 'saved', by 'not recorded'."""
    db.execute("ALTER TABLE runs ADD COLUMN author TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE runs ADD COLUMN published_at TEXT")
    actions = ", ".join(f"'{a}'" for a in AUDIT_ACTIONS)
    db.execute(
        f"""CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ({actions})),
            run TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )"""
    )
    for change in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_no_{change.lower()} BEFORE {change} ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
    db.execute(
        "INSERT INTO audit (at, actor, role, action, run, detail) SELECT created_at, 'not recorded', '', "
        "'saved', name, 'saved before the audit trail was kept' FROM runs ORDER BY created_at, id"
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


class RunStore:
    """The saved runs in one SQLite file, opened as `caller`, whose role every operation checks.
    Use as a context manager, or call close()."""

    def __init__(self, path: str | Path | None = None, *, caller: Caller, timeout_s: float = TIMEOUT_S):
        self.caller = caller
        self.path = Path(path) if path is not None else store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the run store {self.path}: {exc}") from None
        try:
            self._refuse_newer(self._version())  # before anything writes to the file
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"the run store {self.path} cannot be used: {exc}") from None
        except BaseException:
            self._db.close()
            raise

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error: all of it or nothing."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the run store {self.path} has schema version {version}, newer than this "
                f"impact-screen knows ({SCHEMA_VERSION}); upgrade impact-screen, or set {DB_ENV} "
                "to another file. The store was not changed."
            )

    def _migrate(self) -> None:
        version = self._version()
        self._refuse_newer(version)
        if version == SCHEMA_VERSION:
            return
        with self._transaction() as db:
            version = self._version()  # another process may have migrated meanwhile
            self._refuse_newer(version)
            for migration in MIGRATIONS[version:]:
                migration(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def schema_version(self) -> int:
        return self._version()

    def integrity_check(self) -> str:
        """SQLite's own check: 'ok' when the file is sound."""
        return "\n".join(row[0] for row in self._db.execute("PRAGMA integrity_check"))

    def exists(self, name: str) -> bool:
        """Whether a run of this name is saved (visible to the caller or not: names are unique)."""
        return self._db.execute("SELECT 1 FROM runs WHERE name = ?", (name,)).fetchone() is not None

    def _owner(self, name: str) -> tuple[str, str | None] | None:
        """(author, published_at) of the run called `name`, or None."""
        return self._db.execute("SELECT author, published_at FROM runs WHERE name = ?", (name,)).fetchone()

    def _visible(self, published_at: str | None) -> bool:
        return published_at is not None or may(self.caller, Action.SEE_UNPUBLISHED)

    def _audit(self, db: sqlite3.Connection, action: str, name: str, detail: str = "") -> None:
        db.execute(
            "INSERT INTO audit (at, actor, role, action, run, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (_now(), self.caller.identity, self.caller.role.value, action, name, detail),
        )

    def save(self, run: SavedRun, overwrite: bool = False) -> None:
        """Save a run in one transaction, the caller as its author; an existing name is replaced
        only with overwrite=True and only by someone who may replace it. A replaced run is no
        longer published until it is published again."""
        check_name(run.name)
        require(self.caller, Action.SAVE)
        row = {
            "name": run.name,
            "created_at": run.created_at,
            "mandate_toml": run.mandate_toml,
            "assumptions_csv": run.assumptions_csv,
            "correlations_csv": run.correlations_csv,
            "provenance_json": _json(run.provenance),
            "versions_json": _json(run.versions),
            "results_json": _json(run.results),
            "screen_json": _json(run.screen),
            "summary_json": _json(run.summary),
            "settings_json": _json(run.settings),
            "author": self.caller.identity,
        }
        with self._transaction() as db:
            before = self._owner(run.name)
            if before is not None:
                if not overwrite:
                    raise StoreError(
                        f"a run named '{run.name}' already exists; choose another name or overwrite it"
                    )
                require(self.caller, Action.REPLACE, run.name, before[0])
                db.execute("DELETE FROM runs WHERE name = ?", (run.name,))
            columns = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            run_id = db.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", row).lastrowid
            files = [("candidates", run.candidates), ("covariance", run.covariance), *run.files.items()]
            db.executemany(
                "INSERT INTO run_files (run_id, role, name, origin, sha256, content) VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, role, f.name, f.origin, f.sha256, f.content) for role, f in files if f is not None],
            )
            if before is None:
                self._audit(db, "saved", run.name)
            else:
                detail = f"replaced the run saved by {before[0] or 'not recorded'}"
                self._audit(db, "replaced", run.name, detail + ("; unpublished" if before[1] else ""))

    def list(self) -> list[RunSummary]:
        """Every saved run the caller may see (a visitor: the published ones), oldest first."""
        rows = self._db.execute(
            "SELECT name, created_at, summary_json, author, published_at FROM runs ORDER BY created_at, id"
        )
        return [
            RunSummary(name, created, json.loads(summary), author, published)
            for name, created, summary, author, published in rows
            if self._visible(published)
        ]

    def load(self, name: str) -> SavedRun:
        """The saved run called `name` (StoreError when there is none the caller may see)."""
        # one read transaction, so a concurrent overwrite is seen entirely or not at all
        self._db.execute("BEGIN")
        try:
            row = self._db.execute(
                "SELECT id, name, created_at, mandate_toml, assumptions_csv, correlations_csv, "
                "provenance_json, versions_json, results_json, screen_json, summary_json, settings_json, "
                "author, published_at FROM runs WHERE name = ?",
                (name,),
            ).fetchone()
            if row is None or not self._visible(row[13]):
                raise StoreError(self._not_found(name))
            files = {
                role: StoredFile(file_name, origin, bytes(content), sha)
                for role, file_name, origin, sha, content in self._db.execute(
                    "SELECT role, name, origin, sha256, content FROM run_files WHERE run_id = ?", (row[0],)
                )
            }
            history = self._history(name)
        finally:
            self._db.execute("COMMIT")
        if "candidates" not in files:
            raise StoreError(f"the saved run '{name}' has lost its candidate file; the store is damaged")
        return SavedRun(
            name=row[1],
            created_at=row[2],
            mandate_toml=row[3],
            candidates=files["candidates"],
            covariance=files.get("covariance"),
            assumptions_csv=row[4],
            correlations_csv=row[5],
            provenance=json.loads(row[6]),
            versions=json.loads(row[7]),
            results=json.loads(row[8]),
            screen=json.loads(row[9]),
            summary=json.loads(row[10]),
            settings=json.loads(row[11]),
            files={role: f for role, f in files.items() if role not in ("candidates", "covariance")},
            author=row[12],
            published_at=row[13],
            history=history,
        )

    def _not_found(self, name: str) -> str:
        known = [run.name for run in self.list()]
        kind = "saved" if may(self.caller, Action.SEE_UNPUBLISHED) else "published"
        hint = f"; {kind} runs: {', '.join(sorted(known))}" if known else f"; no run has been {kind} yet"
        return f"no {kind} run named '{name}'{hint}"

    def delete(self, name: str) -> bool:
        """Remove a saved run (its author or an officer only); False when there was none."""
        with self._transaction() as db:
            before = self._owner(name)
            if before is None or not self._visible(before[1]):
                return False
            require(self.caller, Action.DELETE, name, before[0])
            db.execute("DELETE FROM runs WHERE name = ?", (name,))
            self._audit(db, "deleted", name, f"saved by {before[0] or 'not recorded'}")
            return True

    def publish(self, name: str, published: bool = True) -> None:
        """Mark a run published (a visitor may then present it) or not; officers only."""
        require(self.caller, Action.PUBLISH)
        with self._transaction() as db:
            before = self._owner(name)
            if before is None:
                raise StoreError(self._not_found(name))
            if (before[1] is not None) == published:
                return  # already so: nothing changes, nothing is recorded
            db.execute(
                "UPDATE runs SET published_at = ? WHERE name = ?", (_now() if published else None, name)
            )
            self._audit(db, "published" if published else "unpublished", name)

    def audit(self, name: str | None = None) -> list[AuditEntry]:
        """The audit trail (of one run name, or all), oldest first; officers and committee only."""
        require(self.caller, Action.READ_AUDIT)
        return list(self._history(name))

    def _history(self, name: str | None) -> tuple[AuditEntry, ...]:
        where, args = ("WHERE run = ?", (name,)) if name is not None else ("", ())
        rows = self._db.execute(
            f"SELECT at, actor, role, action, run, detail FROM audit {where} ORDER BY id", args
        )
        return tuple(AuditEntry(*row) for row in rows)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=False)
