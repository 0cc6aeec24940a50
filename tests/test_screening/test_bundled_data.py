"""The bundled data meets its promises: enough illustrative candidates in the right places,
published figures as domain.md gives them, provenance for every file, and every file documented."""

import tomllib

import numpy as np
import pytest

from screening import load_candidates, load_mandate
from screening.reading import bundled
from screening.reading.candidates import IMPACT_COLUMNS
from screening.reading.provenance import manifest
from screening.reading.reference import bundled_reference

PRESTON, SOUTH_RIBBLE = "E07000123", "E07000126"
PILLARS = {
    "affordable_housing",
    "sme_finance",
    "clean_energy",
    "regeneration",
    "infrastructure",
    "cooperatives",
}


@pytest.fixture(scope="module")
def frame():
    return load_candidates().frame


def test_at_least_forty_candidates_with_twelve_local_covering_every_pillar(frame):
    local = frame[frame["local_authority"].isin([PRESTON, SOUTH_RIBBLE])]
    assert len(frame) >= 40
    assert len(local) >= 12
    assert set(local["sector"]) >= PILLARS


def test_the_rest_spread_over_at_least_eight_other_places(frame):
    other = frame[~frame["local_authority"].isin([PRESTON, SOUTH_RIBBLE])]
    assert other["local_authority"].nunique() >= 8


def test_local_candidates_can_absorb_the_default_target(frame):
    local = frame[frame["local_authority"].isin([PRESTON, SOUTH_RIBBLE])]
    assert local["max_ticket_gbp"].sum() > load_mandate().target_gbp


def test_impact_columns_present_with_a_few_deliberate_blanks(frame):
    assert set(IMPACT_COLUMNS) <= set(frame.columns)
    blanks = int(frame[list(IMPACT_COLUMNS)].isna().sum().sum())
    assert 3 <= blanks <= len(frame)


def test_every_candidate_name_says_illustrative(frame):
    assert frame["name"].str.contains("illustrative", case=False).all()


def test_published_place_figures_are_the_raw_files_own():
    """Every district, one population vintage (mySociety's mid-2020 estimates), IoD2025 in England."""
    places = bundled_reference().places
    assert len(places) == 361
    assert places["nation"].value_counts().to_dict() == {
        "England": 296,
        "Scotland": 32,
        "Wales": 22,
        "Northern Ireland": 11,
    }
    assert set(places["population_year"]) == {2020}
    assert places.at[PRESTON, "population"] == 144_147  # Census 2021: 147,835 (not used: one vintage)
    assert places.at[SOUTH_RIBBLE, "population"] == 111_086
    assert places.at[PRESTON, "iod2025_rank"] == 50
    assert places.at["E06000009", "iod2025_rank"] == 1  # Blackpool, the most deprived of 296
    assert places.at[PRESTON, "combined_authority"] == "E47000018"  # Lancashire (May 2025)
    assert places["iod2025_rank"].notna().sum() == 296
    assert places["uk_deprivation_decile"].notna().all()


def test_retention_defaults_are_the_seed_figures():
    retention = bundled_reference().retention["retention_share"]
    assert retention["local_sme"] == pytest.approx(0.63)
    assert retention["large_or_multinational"] == pytest.approx(0.40)


def test_no_licensed_hact_value_is_shipped():
    social = bundled_reference().social_value
    assert np.isnan(social.at["affordable_homes", "gbp_per_unit"])
    assert social.at["co2_avoided", "gbp_per_unit"] == 245


def test_assumptions_cover_the_candidate_asset_classes_and_correlations_are_valid(frame):
    reference = bundled_reference()
    assert set(frame["asset_class"]) <= set(reference.asset_classes)
    matrix = reference.correlations.to_numpy()
    assert np.allclose(matrix, matrix.T)
    assert np.linalg.eigvalsh(matrix).min() > 0


def test_default_mandate_writes_out_the_lancashire_commitment():
    mandate = load_mandate()
    assert mandate.target_gbp == 100_000_000
    assert mandate.fund_size_gbp == 7_000_000_000
    assert mandate.places == [PRESTON, SOUTH_RIBBLE]
    with open(bundled.bundled(bundled.MANDATE), "rb") as handle:
        written = tomllib.load(handle)
    assert {"max_volatility", "min_expected_return", "max_candidate_share", "sector_caps"} <= set(written)


def test_every_data_file_has_provenance_and_documentation():
    folder = bundled.data_dir()
    files = sorted(
        p.name for p in folder.iterdir() if p.suffix in {".csv", ".toml"} and p.name != "manifest.toml"
    )
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert set(files) == set(manifest())
    for name in files:
        assert name in readme, f"{name} is not described in data/README.md"
        assert manifest()[name]["as_of"]
    for column in load_candidates().frame.columns:
        assert f"`{column}`" in readme, f"candidate column {column} is not described"
    assert manifest()["candidates.csv"]["status"] == "illustrative"
