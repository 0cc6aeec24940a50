"""The layers a newcomer can see: the core (screening, portfolio) imports no shell, every error the
tool raises on purpose shares one base class, and the run store starts without pandas."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("screening", "portfolio")
SHELLS = ("impact_screen", "app_pages", "app", "streamlit", "yfinance", "plotly")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", CORE)
def test_the_core_imports_no_shell(package: str) -> None:
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in SHELLS
    }
    assert offending == set()


def _modules(package: str) -> list[str]:
    return [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / package).rglob("*.py")
    ]


def test_every_error_class_shares_one_base() -> None:
    from screening.errors import ImpactScreenError

    exceptions = {
        f"{module}.{name}": cls
        for package in ("screening", "portfolio", "impact_screen")
        for module in _modules(package)
        for name, cls in inspect.getmembers(import_module(module), inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == module
    }
    assert exceptions, "no exception classes found: the walk is broken"
    assert {k for k, cls in exceptions.items() if not issubclass(cls, ImpactScreenError)} == set()
    assert {cls.__module__ for cls in exceptions.values()} == {"screening.errors"}


def test_the_run_store_starts_without_pandas() -> None:
    code = "import sys, impact_screen.store, screening; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


READING = ROOT / "screening" / "reading"
SCORING = {
    "screening.eligibility",
    "screening.scoring",
    "screening.stability",
    "screening.screen",
    "screening.summary",
}


def test_reading_the_inputs_does_not_depend_on_scoring_them() -> None:
    """screening/reading/ turns files into checked objects; it imports no scoring module (the
    metric catalogue the mandate's weights name is the one part of scoring it reads)."""
    offending = {
        f"{path.name}: {name}"
        for path in READING.rglob("*.py")
        for name in _imports(path)
        if name.startswith("screening.")
        and not name.startswith(("screening.reading", "screening.errors"))
        and name != "screening.metrics"
    }
    assert offending == set()
    assert {p.stem for p in READING.glob("*.py")} >= {"tables", "candidates", "mandate", "reference"}
    assert not (SCORING & {name for path in READING.rglob("*.py") for name in _imports(path)})


def test_file_writing_is_in_the_shells() -> None:
    """The core writes no file: the one helper that writes files whole lives with its callers."""
    writers = {
        f"{path.relative_to(ROOT)}"
        for package in CORE
        for path in (ROOT / package).rglob("*.py")
        if "write_atomically" in path.read_text(encoding="utf-8")
    }
    assert writers == set()
