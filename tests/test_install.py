"""`pip install .` (not editable) gives a working `impact-screen` that finds its bundled data
from any directory: the data ships inside the installed package."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-cache-dir",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=build,
        timeout=300,
    )
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [str(target / "bin" / "impact-screen"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_data_files_are_inside_the_installed_package(installed):
    data = installed / "impact_screen" / "data"
    for name in (
        "candidates.csv",
        "mandate.toml",
        "places.csv",
        "capital_market_assumptions.csv",
        "cma_correlations.csv",
        "local_retention.csv",
        "social_value_proxies.csv",
        "manifest.toml",
        "README.md",
    ):
        assert (data / name).is_file(), name


def test_installed_command_validates_bundled_data_from_another_directory(installed, tmp_path):
    result = run_installed(installed, tmp_path, "validate")
    assert result.returncode == 0, result.stderr
    assert "48 candidates" in result.stdout
    assert "All inputs are valid." in result.stdout


def test_installed_code_reads_the_installed_copy_of_the_data(installed, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(installed)}
    probe = "from screening.reading.bundled import data_dir; print(data_dir())"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
    )
    assert Path(result.stdout.strip()) == installed / "impact_screen" / "data"
