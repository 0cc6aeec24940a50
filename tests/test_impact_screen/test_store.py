"""The run store: names, overwrite, one transaction per save, migrations, refusing a newer store,
and crash safety under SIGKILL of real processes."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from callers import OFFICER

from impact_screen import store as store_module
from impact_screen.store import (
    SCHEMA_VERSION,
    RunStore,
    SavedRun,
    StoredFile,
    StoreError,
    check_name,
    store_path,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    """Every test gets its own store; none touches the user's data folder."""
    path = tmp_path / "runs.sqlite3"
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(path))
    return path


def make_run(name: str, content: bytes = b"id,name\nA-1,one\n", note: str = "") -> SavedRun:
    sha = hashlib.sha256(content).hexdigest()
    return SavedRun(
        name=name,
        created_at="2026-01-01T00:00:00+00:00",
        mandate_toml='target_gbp = 100.0\nplaces = ["E07000123"]\n',
        candidates=StoredFile("cands.csv", "file", content, sha),
        covariance=None,
        assumptions_csv="asset_class,expected_return\nuk_equity,0.07\n",
        correlations_csv="asset_class,uk_equity\nuk_equity,1.0\n",
        provenance={"candidates": {"source": "file", "name": "cands.csv", "sha256": sha}},
        versions={"impact-screen": "0.1.0"},
        results={"status": "optimal", "candidates_sha256": sha, "note": note, "allocations": []},
        screen=[{"id": "A-1"}],
        settings={"time_limit_s": 60.0},
        summary={"status": "optimal"},
    )


def test_the_path_comes_from_the_environment_or_the_user_data_folder(private_store, monkeypatch):
    assert store_path() == private_store
    monkeypatch.delenv("IMPACT_SCREEN_DB")
    default = store_path()
    assert default.name == "runs.sqlite3" and default.parent.name == "impact-screen"


def test_a_run_is_saved_and_loaded_whole(private_store):
    run = replace(
        make_run("base"), covariance=StoredFile("cov.csv", "file", b"x", hashlib.sha256(b"x").hexdigest())
    )
    with RunStore(caller=OFFICER) as store:
        store.save(run)
        assert store.load("base") == run
        assert [r.name for r in store.list()] == ["base"]
        assert store.schema_version == SCHEMA_VERSION
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.integrity_check() == "ok"
    assert private_store.exists()


@pytest.mark.parametrize(
    "name",
    [
        "base",
        "Run 2",
        "a",
        "x" * 64,
        "scenario_3.v2",
        "2026-11 committee",
        "_x",
        ".x",
        "committee March, 8% volatility",  # the app's own example
        "£80m (officer's pipeline & more)".replace("'", ""),
    ],
)
def test_good_names_are_accepted(name):
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "x" * 65, "-rf", " leading", "trailing ", "a/b", "a;b", "a\nb", "Zürich", "<b>", "=1+1", "a\x00b"],
)
def test_bad_names_are_refused(name):
    with pytest.raises(StoreError, match="invalid run name"):
        check_name(name)
    with RunStore(caller=OFFICER) as store, pytest.raises(StoreError, match="invalid run name"):
        store.save(replace(make_run("ok"), name=name))


def test_an_existing_name_needs_overwrite_and_overwrite_replaces_it_alone(private_store):
    with RunStore(caller=OFFICER) as store:
        store.save(make_run("base", note="first"))
        store.save(make_run("other"))
        with pytest.raises(StoreError, match="already exists"):
            store.save(make_run("base", note="second"))
        assert store.load("base").results["note"] == "first"
        store.save(make_run("base", b"id,name\nB-2,two\n", note="second"), overwrite=True)
        assert store.load("base").results["note"] == "second"
        assert store.load("base").candidates.content == b"id,name\nB-2,two\n"
        assert store.load("other").results["note"] == ""
        files = store._db.execute("SELECT COUNT(*) FROM run_files").fetchone()[0]
        assert files == 2  # the replaced run's file went with it


def test_a_save_that_fails_half_way_changes_nothing(private_store):
    with RunStore(caller=OFFICER) as store:
        store.save(make_run("base", note="kept"))
        broken = replace(make_run("base", note="lost"), candidates=StoredFile("c.csv", "file", None, "x"))  # type: ignore[arg-type]
        with pytest.raises(sqlite3.IntegrityError):
            store.save(broken, overwrite=True)  # the run row is replaced, then the file insert fails
        assert store.load("base").results["note"] == "kept"
        assert [r.name for r in store.list()] == ["base"]


def test_unknown_runs_and_deletion(private_store):
    with RunStore(caller=OFFICER) as store:
        with pytest.raises(StoreError, match="no run has been saved yet"):
            store.load("nope")
        store.save(make_run("base"))
        with pytest.raises(StoreError, match="saved runs: base"):
            store.load("nope")
        assert store.delete("base") is True
        assert store.delete("base") is False
        assert store._db.execute("SELECT COUNT(*) FROM run_files").fetchone()[0] == 0


def test_a_version_1_store_is_migrated_and_keeps_its_runs(private_store):
    db = sqlite3.connect(private_store)
    store_module.MIGRATIONS[0](db)  # the schema as version 1 wrote it
    db.execute(
        "INSERT INTO runs (name, created_at, mandate_toml, assumptions_csv, correlations_csv, provenance_json, "
        "versions_json, results_json, screen_json, summary_json) VALUES "
        "('old', '2025-01-01T00:00:00+00:00', 'target_gbp = 1.0', 'a', 'c', '{}', '{}', "
        '\'{"status": "optimal"}\', \'[]\', \'{"status": "optimal"}\')'
    )
    db.execute(
        "INSERT INTO run_files VALUES (1, 'candidates', 'c.csv', 'file', ?, ?)",
        (hashlib.sha256(b"x").hexdigest(), b"x"),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with RunStore(caller=OFFICER) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        old = store.load("old")
        assert old.settings == {} and old.results == {"status": "optimal"} and old.candidates.content == b"x"
        assert old.author == "" and old.published_at is None  # saved before authors were kept
        assert [(e.actor, e.action, e.run, e.at) for e in old.history] == [
            ("not recorded", "saved", "old", "2025-01-01T00:00:00+00:00")
        ]
        store.save(make_run("new"))
        assert [r.name for r in store.list()] == ["old", "new"]
        assert store.load("new").author == OFFICER.identity


def test_an_empty_version_0_file_becomes_a_store(private_store):
    sqlite3.connect(private_store).close()  # an empty SQLite file: user_version 0
    with RunStore(caller=OFFICER) as store:
        assert store.schema_version == SCHEMA_VERSION
        store.save(make_run("base"))


def test_a_store_from_a_newer_version_is_refused_and_left_alone(private_store):
    db = sqlite3.connect(private_store)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = private_store.read_bytes()
    with pytest.raises(StoreError, match=r"newer than this impact-screen knows .*not changed"):
        RunStore(caller=OFFICER)
    assert private_store.read_bytes() == before


def test_a_file_that_is_not_a_store_is_a_clear_error(private_store):
    private_store.write_bytes(b"this is not a database, just text " * 100)
    with pytest.raises(StoreError, match="cannot be used"):
        RunStore(caller=OFFICER)


# ---------------------------------------------------------------------------------------------
# Crash safety: real processes killed with SIGKILL while saving

WRITER = """
import hashlib, random, sys
from dataclasses import replace
sys.path.insert(0, sys.argv[4])
from impact_screen.access import Caller
from impact_screen.store import RunStore, SavedRun, StoredFile

OFFICER = Caller.this_computer()
path, tag, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
store = RunStore(path, caller=OFFICER)
print("ready", flush=True)
i = 0
while True:
    content = rng.randbytes(rng.randint(16_000, 160_000))
    sha = hashlib.sha256(content).hexdigest()
    run = SavedRun(
        name=f"{tag}-{i}", created_at="2026-01-01T00:00:00+00:00", mandate_toml="target_gbp = 1.0",
        candidates=StoredFile("c.csv", "file", content, sha), covariance=None,
        assumptions_csv="x" * rng.randint(1_000, 100_000), correlations_csv="c",
        provenance={"candidates": {"sha256": sha}}, versions={}, results={"sha": sha, "pad": "r" * 20_000},
        screen=[{"i": i}] * 500, settings={}, summary={"sha": sha},
    )
    store.save(run)
    print("saved", run.name, flush=True)
    if i >= 2:  # keep the file small: each writer leaves its last two runs behind
        store.delete(f"{tag}-{i - 2}")
        print("deleted", f"{tag}-{i - 2}", flush=True)
    store.save(replace(run, name="rolling"), overwrite=True)
    print("saved rolling", flush=True)
    i += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_saves_killed_at_random_moments_lose_no_earlier_run(private_store):
    kills, rng = 20, random.Random(20_261_122)
    precious = [make_run(f"precious {n}", rng.randbytes(200_000), note=str(n)) for n in range(3)]
    with RunStore(private_store, caller=OFFICER) as store:
        for run in precious:
            store.save(run)
    saved: set[str] = set()
    deleted: set[str] = set()
    verified = 0
    for kill in range(kills):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(private_store), f"k{kill}", str(kill), str(ROOT)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.35))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        lines = [line.split() for line in out.split("\n")[:-1]]  # whole lines only
        lines = [words for words in lines if len(words) == 2]
        saved |= {words[1] for words in lines if words[0] == "saved"}
        deleted |= {words[1] for words in lines if words[0] == "deleted"}
        last = max(
            (int(w[1].rsplit("-", 1)[1]) for w in lines if w[0] == "saved" and w[1] != "rolling"), default=-1
        )
        deleted.add(f"k{kill}-{last - 2}")  # its deletion may have committed just before the kill
        verified += check_store(private_store, precious, saved - deleted)  # after every kill
    size = private_store.stat().st_size
    assert len(saved) >= kills  # the writers did save, and were killed while saving
    print(f"{kills} kills, {len(saved)} confirmed saves, {verified} run checks, store {size:,} bytes")


def check_store(path: Path, precious: list[SavedRun], expected: set[str]) -> int:
    """The store is sound, holds every run it should, and every run in it is whole."""
    with RunStore(path, caller=OFFICER) as store:
        assert store.integrity_check() == "ok"
        runs = store.list()
        assert expected <= {r.name for r in runs}, expected - {r.name for r in runs}
        files = store._db.execute("SELECT COUNT(*) FROM run_files").fetchone()[0]
        assert files == len(runs)  # no file without its run, no run without its file
        for run in precious:
            assert store.load(run.name) == run
        for summary in runs:
            run = store.load(summary.name)  # every JSON column parses
            sha = hashlib.sha256(run.candidates.content).hexdigest()
            assert sha == run.candidates.sha256 == run.provenance["candidates"]["sha256"]
            if not summary.name.startswith("precious"):
                assert run.results["sha"] == run.summary["sha"] == sha  # one save, not two halves
    return len(runs)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_several_writers_at_once_then_killed_leave_a_sound_store(private_store):
    """The app and the command line may save at the same time: writers wait for each other."""
    RunStore(private_store, caller=OFFICER).close()  # created and migrated once, before the writers race
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(private_store), f"w{n}", str(100 + n), str(ROOT)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    time.sleep(1.5)  # time for each to save (they wait on each other for the lock)
    saved: set[str] = set()
    for writer in writers:
        os.kill(writer.pid, signal.SIGKILL)
        out, err = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL, err  # none stopped on a locked database
        words = [line.split() for line in out.split("\n")[:-1]]
        saved |= {w[1] for w in words if len(w) == 2 and w[0] == "saved"}
    assert {name.split("-")[0] for name in saved} >= {"w0", "w1", "w2"}  # all three wrote
    check_store(private_store, [], set())
