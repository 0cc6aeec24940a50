"""Shared by the robustness suite: run the real `impact-screen` and judge how it ended.

Every malformed or extreme input must end in exactly one of three ways:

- exit 0, and what was read is what the file says (checked by the test where it can be);
- exit 2, with at least one error line on stderr of the form `FILE:LINE: ...` (or `FILE: ...` for
  a problem with the whole file) naming the file that is wrong;
- exit 3 (an infeasible mandate), with a diagnosis.

Never exit 1 (an internal error), never a traceback, never more than 60 seconds, and (for the
runs in a subprocess) never more than 2 GiB of address space.

`run` calls `impact_screen.cli.main(argv)` in this process (fast, for most cases); `run_capped`
starts `python -m impact_screen.cli` in a subprocess under `RLIMIT_AS` = 2 GiB and a 60-second
timeout, for inputs that could take the machine (huge files, XML bombs, far-away cells).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import tomli_w
from universes import BUNDLED, HEADER, REFERENCE

import impact_screen
from impact_screen import cli
from screening.reading import bundled
from screening.reading.candidates import load_candidates
from screening.reading.tables import InputFile

# A guard against a run that never ends, not a measure of speed (that is bench/bench_limits.py,
# recorded in docs/benchmarks.md): generous, so a slow machine never fails a sound run.
TIME_LIMIT_S = 300.0
# Peak resident memory a run may reach (the 2 GB), read from the child's own accounting;
# the address space is capped higher only to stop a runaway allocation (thread stacks and
# mapped libraries take address space that is never resident).
PEAK_MEMORY_BYTES = 2 * 1000**3
MEMORY_CAP_BYTES = 8 * 1024**3
EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INFEASIBLE = 0, 1, 2, 3

# allocate without the benchmarks, the frontier and most of the rank-stability draws: the
# robustness of reading and solving is under test here, and each run should take well under 1 s
FAST_ALLOCATE = ("--no-comparison", "--frontier-points", "0", "--draws", "100")

# A small universe in the bundled mandate's two places (Preston, South Ribble), with a candidate
# in every sector the mandate caps, so the bundled mandate is feasible on it and each allocate is fast.
SMALL_IDS = (
    "PRE-001",
    "PRE-002",
    "PRE-003",
    "PRE-004",
    "PRE-005",
    "PRE-006",
    "PRE-009",
    "PRE-010",
    "SRB-001",
    "SRB-002",
    "SRB-003",
    "SRB-004",
)

SOURCE_ROOT = Path(impact_screen.__file__).resolve().parents[1]


@dataclass(frozen=True)
class Outcome:
    """How one run of the command line ended."""

    argv: tuple[str, ...]
    code: int | None  # None: killed by the timeout
    out: str
    err: str
    seconds: float
    peak_bytes: int = 0  # the child's peak resident memory (run_capped only)

    def describe(self) -> str:
        """The run in a few lines, for an assertion message."""
        err = self.err if len(self.err) < 3000 else self.err[:1500] + "\n...\n" + self.err[-1500:]
        out = self.out[-600:]
        return (
            f"\n  command: impact-screen {' '.join(self.argv)}\n  exit: {self.code} "
            f"after {self.seconds:.1f} s, peak memory {self.peak_bytes / 1e6:,.0f} MB\n  stderr:\n{_indent(err)}\n  stdout (end):\n{_indent(out)}"
        )

    def error_lines(self) -> list[str]:
        """stderr lines that report an error (warnings and the closing count left out)."""
        return [
            line
            for line in self.err.splitlines()
            if line.strip() and ": warning:" not in line and not re.match(r"^\d+ problem\(s\) found\.$", line)
        ]


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()) or "    (empty)"


class _TimedOut(BaseException):
    """Raised by the alarm in the middle of a run; a BaseException, so main() cannot swallow it."""


def _alarm(signum, frame) -> None:
    raise _TimedOut


def run(*argv: object, timeout: float = TIME_LIMIT_S) -> Outcome:
    """`impact-screen ARGV` in this process, with stdout and stderr captured; stopped by an alarm
    after `timeout` seconds (then `code` is None), so one hanging case cannot hang the suite."""
    args = tuple(str(a) for a in argv)
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    code: int | None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse refusing the command line itself
                code = exc.code if isinstance(exc.code, int) else EXIT_INVALID
            except Exception:  # an exception escaping main() is a traceback the user would see
                err.write(traceback.format_exc())
                code = EXIT_INTERNAL
    except _TimedOut:
        code = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Outcome(args, code, out.getvalue(), err.getvalue(), time.monotonic() - start)


def _cap_memory() -> None:  # runs in the child, before python starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def run_capped(*argv: object, cwd: Path, timeout: float = TIME_LIMIT_S) -> Outcome:
    """`impact-screen ARGV` in a subprocess, its peak memory measured, its address space capped
    (a runaway allocation fails fast) and stopped by the hang guard after `timeout` s.

    The child imports the same source tree as this process (PYTHONPATH), and inherits the
    private run store and cache the conftest set up.
    """
    args = tuple(str(a) for a in argv)
    env = dict(os.environ)
    env.pop("IMPACT_SCREEN_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SOURCE_ROOT), env.get("PYTHONPATH", "")) if p)
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "impact_screen.cli", *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
            preexec_fn=_cap_memory,
        )
        code, peak = _waited(child, timeout)
        out.seek(0), err.seek(0)
        return Outcome(args, code, _text(out.read()), _text(err.read()), time.monotonic() - start, peak)


def _waited(child: subprocess.Popen, timeout: float) -> tuple[int | None, int]:
    """The child's exit code (None when the hang guard stopped it) and its own peak resident
    memory in bytes, from wait4 (this child's, not the largest of every child so far)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return child.returncode, usage.ru_maxrss * 1024  # kB on Linux
        if time.monotonic() > deadline:
            child.kill()
            _, _, usage = os.wait4(child.pid, 0)
            child.returncode = -9
            return None, usage.ru_maxrss * 1024
        time.sleep(0.05)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")


# ---- judging an outcome -------------------------------------------------------------------------


def assert_no_crash(outcome: Outcome, limit_s: float = TIME_LIMIT_S) -> None:
    """Not an internal error, no traceback, not killed, not stopped by the hang guard."""
    assert outcome.code is not None, f"did not finish within {limit_s:.0f} s{outcome.describe()}"
    assert outcome.code >= 0, f"killed by signal {-outcome.code}{outcome.describe()}"
    assert outcome.code != EXIT_INTERNAL, f"internal error (exit 1){outcome.describe()}"
    assert "Traceback (most recent call last)" not in outcome.err, f"traceback{outcome.describe()}"
    assert outcome.peak_bytes <= PEAK_MEMORY_BYTES, f"over 2 GB of memory{outcome.describe()}"


def _location(path: Path | str, line: int | None) -> re.Pattern[str]:
    """`FILE:LINE:` (or, with no line given, `FILE:` or `FILE:N:`); a workbook's problems may
    name the sheet after the file (`book.xlsx[candidates]:4:`)."""
    where = re.escape(str(path)) + r"(\[[^\]]*\])?:"
    if line is not None:
        return re.compile(f"^{where}{line}:")
    return re.compile(rf"^{where}(\d+:)?")


def refusal_lines(
    outcome: Outcome, path: Path | str, line: int | None = None, field: str | None = None
) -> list[str]:
    """The stderr error lines naming `path` (and the line, and the column or key, when given)."""
    pattern = _location(path, line)
    found = [text for text in outcome.error_lines() if pattern.match(text)]
    if field is not None:
        found = [text for text in found if f" '{field}':" in text]
    return found


def assert_refused(
    outcome: Outcome, path: Path | str, line: int | None = None, field: str | None = None
) -> list[str]:
    """Exit 2 with an error line naming the file (and the line and column or key, when given)."""
    assert_no_crash(outcome)
    assert outcome.code == EXIT_INVALID, f"expected exit 2 naming {path}{outcome.describe()}"
    found = refusal_lines(outcome, path, line, field)
    wanted = f"{path}" + (f":{line}:" if line is not None else ":") + (f" ... '{field}':" if field else "")
    assert found, f"exit 2, but no stderr line of the form {wanted!r}{outcome.describe()}"
    return found


def assert_ended_well(outcome: Outcome, *paths: Path | str) -> None:
    """Exit 0, exit 2 naming one of `paths`, or exit 3 with a diagnosis on stdout."""
    assert_no_crash(outcome)
    assert outcome.code in (EXIT_OK, EXIT_INVALID, EXIT_INFEASIBLE), f"unexpected exit{outcome.describe()}"
    if outcome.code == EXIT_INVALID:
        assert any(refusal_lines(outcome, p) for p in paths), (
            f"exit 2 without a FILE:LINE line naming any of {[str(p) for p in paths]}{outcome.describe()}"
        )


def assert_allocation_sound(outcome: Outcome, document_path: Path) -> dict:
    """After allocate --json FILE: exit 0 means every amount is finite and not negative and they
    add up to the target; exit 3 means status 'infeasible' with at least one diagnosis entry."""
    assert outcome.code in (EXIT_OK, EXIT_INFEASIBLE), outcome.describe()
    assert document_path.exists(), f"no JSON written{outcome.describe()}"
    document = json.loads(document_path.read_text(encoding="utf-8"))
    if outcome.code == EXIT_INFEASIBLE:
        assert document["status"] == "infeasible", outcome.describe()
        assert document["diagnosis"], f"infeasible without a diagnosis{outcome.describe()}"
        return document
    amounts = [a["amount_gbp"] for a in document["allocations"]]
    target = document["target_gbp"]
    assert all(isinstance(a, int | float) and math.isfinite(a) and a >= 0 for a in amounts), (
        f"amounts {amounts}{outcome.describe()}"
    )
    assert math.isfinite(target) and target > 0, f"target {target}{outcome.describe()}"
    assert math.isclose(sum(amounts), target, rel_tol=1e-6, abs_tol=1.0), (
        f"amounts add up to {sum(amounts)!r}, not the target {target!r}{outcome.describe()}"
    )
    return document


# ---- writing inputs -----------------------------------------------------------------------------


def bundled_rows(ids: Iterable[str] = SMALL_IDS) -> list[dict[str, str]]:
    """Fresh copies of bundled candidate rows (dicts keyed by column name)."""
    return [dict(BUNDLED[i]) for i in ids]


def all_bundled_rows() -> list[dict[str, str]]:
    return [dict(row) for row in BUNDLED.values()]


def candidate_csv(rows: Sequence[dict[str, str]], header: Sequence[str] = HEADER) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row.get(c, "") for c in header] for row in rows])
    return buffer.getvalue().encode("utf-8")


def write_candidates(folder: Path, rows: Sequence[dict[str, str]], name: str = "candidates.csv") -> Path:
    path = folder / name
    path.write_bytes(candidate_csv(rows))
    return path


def bundled_mandate() -> dict:
    """The bundled mandate.toml as plain data (a fresh copy)."""
    import tomllib

    return tomllib.loads(bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8"))


def write_mandate(folder: Path, document: dict, name: str = "mandate.toml") -> Path:
    path = folder / name
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


def read_back(path: Path) -> pd.DataFrame:
    """The candidates as the loader reads them (indexed by id); raises InputError if refused."""
    return load_candidates(InputFile.from_path(path), REFERENCE).frame


def same_number(read: object, meant: float) -> bool:
    """The value read equals the value meant (blank = NaN on both sides; floats to 1e-12)."""
    if read is None or read is pd.NA:
        return math.isnan(meant)
    read = float(read)  # type: ignore[arg-type]
    if math.isnan(meant) or math.isnan(read):
        return math.isnan(meant) and math.isnan(read)
    if math.isinf(meant) or math.isinf(read):
        return read == meant
    return math.isclose(read, meant, rel_tol=1e-12, abs_tol=1e-300)
