"""Bounded work on large inputs (issue 17): the CLI on files far larger than a real pipeline, each
command in its own process, timed from the outside with its peak memory (the child's maximum
resident set size).

Files, built in a temporary folder:
- 2,880 candidates: the bundled 48, sixty times over with fresh ids (minimum tickets kept, so
  the allocation and the frontier need yes/no choices);
- 3,000 candidates resampled from the bundled file without minimum tickets (continuous);
- 175,000 valid rows (about 50 MB).

Targets: default `allocate` on 3,000 candidates under 20 s and 1.5 GB; `screen` on 175,000 rows
under 60 s and 2 GB (or a refusal naming the limit). Peer for the reading: pandas.read_csv of the
same file in the same run (our reader also checks every cell, line and column).

Run: .venv/bin/python bench/bench_limits.py   (not part of the test suite; results go in
docs/benchmarks.md with the machine they ran on)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_allocate import synthetic_frame
from timing import best_of, cpu

from screening.reading import bundled

CLI = [sys.executable, "-m", "impact_screen.cli"]


def repeated_bundled(times: int) -> pd.DataFrame:
    """The bundled candidates `times` over, each copy with its own ids (what a tester pastes)."""
    base = pd.read_csv(bundled.bundled(bundled.CANDIDATES))
    copies = []
    for k in range(times):
        copy = base.copy()
        copy["id"] = [f"{c}-{k:03d}" for c in base["id"]]
        copies.append(copy)
    return pd.concat(copies, ignore_index=True)


def measured(args: list[str]) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak memory (MB) of one CLI command in a fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, seconds, usage.ru_maxrss / 1024  # kB on Linux


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    files = {
        "2,880 candidates (bundled x 60, with minimum tickets)": repeated_bundled(60),
        "3,000 candidates (resampled, no minimum tickets)": synthetic_frame(3_000, 0, tickets=False),
        "175,000 rows (resampled)": synthetic_frame(175_000, 1, tickets=False),
    }
    paths = {}
    for label, frame in files.items():
        path = folder / f"{len(frame)}.csv"
        frame.to_csv(path, index=False)
        paths[label] = path
    print(f"machine: {cpu()}, numpy {np.__version__}, pandas {pd.__version__}")
    rows = []
    for label, path in paths.items():
        size = path.stat().st_size / 1e6
        commands = ["validate", "screen"] if len(files[label]) > 10_000 else ["validate", "allocate"]
        for command in commands:
            out = folder / f"{path.stem}-{command}.json"
            extra = [] if command == "validate" else ["--json", str(out)]
            code, seconds, peak = measured([command, "--candidates", str(path), *extra])
            rows.append((label, f"{size:.1f} MB", command, code, f"{seconds:.1f} s", f"{peak:,.0f} MB"))
    big = paths["175,000 rows (resampled)"]
    peer = best_of(3, lambda: pd.read_csv(big))
    print("| file | size | command | exit | time | peak memory |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")
    print(f"\npandas.read_csv of the 175,000-row file (no checks): {peer:.2f} s")


if __name__ == "__main__":
    main()
