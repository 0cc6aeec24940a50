"""What the comparison (benchmarks, impact, fiduciary test, stress, projection, summary) adds to
an allocation on the bundled data, in process and for the whole `impact-screen allocate` command.

Run: .venv/bin/python bench/bench_compare.py   (not part of the test suite; results go in
docs/benchmarks.md with the machine they ran on)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_of

from portfolio.compare import compare
from portfolio.run import run_allocation
from screening import bundled_reference, load_candidates, load_mandate

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = bundled_reference()
UNIVERSE = load_candidates(None, REFERENCE)
MANDATE = load_mandate(None, REFERENCE)


def command(with_json: bool) -> float:
    """Median wall time of the whole `impact-screen allocate` process (5 runs after a warm-up)."""
    with tempfile.TemporaryDirectory() as folder:
        args = [sys.executable, "-m", "impact_screen.cli", "allocate"]
        if with_json:
            args += ["--json", str(Path(folder) / "out.json")]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        run = lambda: subprocess.run(args, check=True, capture_output=True, env=env, cwd=ROOT)  # noqa: E731
        run()
        return median_of(5, run)


def main() -> None:
    run = run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=0)
    alone = median_of(7, lambda: compare(UNIVERSE, MANDATE, REFERENCE, run.screen, run.risk, run.allocation))
    without = median_of(
        7, lambda: run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=0, with_comparison=False)
    )
    with_it = median_of(7, lambda: run_allocation(UNIVERSE, MANDATE, REFERENCE, frontier_points=0))
    print(f"compare() alone, bundled data:                 {alone:.3f} s")
    print(f"run_allocation without / with the comparison:  {without:.3f} s / {with_it:.3f} s")
    print(f"whole command `impact-screen allocate --json`:  {command(True):.2f} s")


if __name__ == "__main__":
    main()
