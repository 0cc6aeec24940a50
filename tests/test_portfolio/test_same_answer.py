"""The same answer on every machine: allocations to the pound, city-weighted benchmarks and diagnoses
word for word, whatever BLAS kernel (another CPU) does the arithmetic, and a run saved under one
kernel reruns exactly under another.

OpenBLAS picks its kernel from the CPU; `OPENBLAS_CORETYPE` forces one, which is how one machine
stands in for others. Thread counts alone are not enough: they changed nothing when the answers
did depend on the kernel.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from fingerprint import fingerprint

HERE = Path(__file__).resolve().parents[1]  # tests/, where fingerprint.py is
RANDOM_MANDATES = 30
SOLVER_NOISE = ("ERROR", "Cannot set", "Traceback")


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


def other_kernels() -> list[str]:
    """Two OpenBLAS kernels this CPU can run, other than the one it would pick itself."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return []
    return ["Haswell", "Prescott"] if "avx2" in _cpu_flags() else ["Prescott", "Core2"]


KERNELS = other_kernels()
needs_kernels = pytest.mark.skipif(
    not KERNELS, reason=f"no OpenBLAS kernels to switch between on {platform.machine()}"
)


def _run(args: list[str], kernel: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=HERE.parent,
        env={**os.environ, "OPENBLAS_CORETYPE": kernel, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def answers() -> dict[str, tuple[dict, str]]:
    """The fingerprint under each other kernel (run side by side) and in this process."""
    running = {k: _run([str(HERE / "fingerprint.py"), str(RANDOM_MANDATES)], k) for k in KERNELS}
    found = {"this machine's own": (fingerprint(RANDOM_MANDATES), "")}
    for kernel, process in running.items():
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        found[kernel] = (json.loads(out), err)
    return found


@needs_kernels
def test_every_allocation_benchmark_and_diagnosis_is_identical_under_other_kernels(answers):
    reference, _ = answers["this machine's own"]
    assert len(reference) == RANDOM_MANDATES + 11  # the bundled, tied and infeasible cases too
    assert sum(1 for o in reference.values() if o["status"] == "infeasible") >= 5
    for kernel, (document, _) in answers.items():
        differ = [name for name in reference if document[name] != reference[name]]
        assert not differ, f"under {kernel} these differ: {differ}"


@needs_kernels
def test_the_solvers_say_nothing_on_the_way(answers):
    """No solver message reaches the user's terminal (SCIP writes its numerical troubles to stderr)."""
    for kernel, (_, err) in answers.items():
        noisy = [line for line in err.splitlines() if any(word in line for word in SOLVER_NOISE)]
        assert not noisy, f"{kernel}: {noisy[:3]}"


@needs_kernels
def test_a_run_saved_under_one_kernel_reruns_to_the_pound_under_another(tmp_path):
    store = {"IMPACT_SCREEN_DB": str(tmp_path / "runs.sqlite3")}
    mandate = tmp_path / "mandate.toml"
    mandate.write_text(
        (HERE.parent / "data" / "mandate.toml")
        .read_text(encoding="utf-8")
        .replace('objective = "max_impact"', 'objective = "min_risk"'),
        encoding="utf-8",
    )
    command = ["-m", "impact_screen.cli"]
    saved = _run(
        [*command, "allocate", "--mandate", str(mandate), "--frontier-points", "3", "--save", "k"],
        KERNELS[0],
        **store,
    )
    out, err = saved.communicate(timeout=600)
    assert saved.returncode == 0, err
    again = _run([*command, "runs", "rerun", "k"], KERNELS[1], **store)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, out + err
    assert "same result" in out and "identical to the pound" in out
