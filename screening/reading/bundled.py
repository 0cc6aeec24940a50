"""Where the bundled data lives, installed or in a source checkout, and the one function that
reads a bundled file (`read`).

`pip install .` ships the repository's `data/` folder as the package `impact_screen.data`; in a
checkout that was not installed, the folder beside the code is used.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screening.reading.tables import InputFile

CANDIDATES = "candidates.csv"
MANDATE = "mandate.toml"
PLACE_GROUPS = "place_groups.csv"
FOOTPRINTS = "footprints.toml"
PLACE_BOUNDARIES = "places.geojson"
PLACES = "places.csv"
ASSUMPTIONS = "capital_market_assumptions.csv"
CORRELATIONS = "cma_correlations.csv"
RETENTION = "local_retention.csv"
SOCIAL_VALUE = "social_value_proxies.csv"
RISK_MODEL = "risk_model.toml"
UK_BENCHMARK_MIX = "uk_benchmark_mix.csv"
STRESS_SCENARIOS = "stress_scenarios.csv"
PACING_ASSUMPTIONS = "pacing_assumptions.csv"
LOCAL_PEERS = "local_investment_peers.csv"


def data_dir() -> Path:
    """The folder holding the bundled files."""
    try:
        folder = Path(str(resources.files("impact_screen.data")))
        if (folder / PLACES).is_file():
            return folder
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "data"


def bundled(name: str) -> Path:
    """Path of one bundled file, by its file name."""
    return data_dir() / name


def read(name: str) -> InputFile:
    """One bundled file's bytes, as an input like any other (origin 'bundled')."""
    from screening.reading.tables import InputFile

    return InputFile.from_path(bundled(name), origin="bundled")
