"""scripts/build_places.py builds every UK district's places table, boundaries and place groups
from the raw public files, and its polygon arithmetic is right on shapes whose areas are known."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_places.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("build_places", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_places"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


bp = _load_script()
REFERENCE = bp.DEFAULT_REFERENCE
needs_reference = pytest.mark.skipif(
    not (REFERENCE / bp.AUTHORITIES).is_file(), reason=f"the raw reference files are not in {REFERENCE}"
)
FILES = (bp.DISTRICTS_CSV, bp.DISTRICTS_GEOJSON, bp.GROUPS_CSV)
PRESTON, LANCASHIRE = "E07000123", "E47000018"


# --- polygon arithmetic --------------------------------------------------------------------------


def square(x0: float, y0: float, side: float) -> np.ndarray:
    return np.array([[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side]], dtype=float)


def shape(*polygons: list[np.ndarray]) -> list[np.ndarray]:
    """Polygons (outer ring, then holes) as one oriented shape."""
    return [ring for polygon in polygons for ring in bp.orient(polygon)]


def test_ring_area_is_signed_by_winding_and_ignores_the_closing_point():
    unit = square(0, 0, 1)
    assert bp.ring_area(unit) == pytest.approx(1)
    assert bp.ring_area(unit[::-1]) == pytest.approx(-1)
    assert bp.ring_area(np.vstack([unit, unit[:1]])) == pytest.approx(1)
    assert bp.ring_area(np.array([[0, 0], [4, 0], [0, 3]])) == pytest.approx(6)
    assert bp.ring_area(np.array([[1, 1], [1, 1]])) == 0


def test_orient_winds_outer_rings_one_way_and_holes_the_other():
    outer, hole = square(0, 0, 4)[::-1], square(1, 1, 1)
    rings = bp.orient([outer, hole])
    assert bp.ring_area(rings[0]) == pytest.approx(16)
    assert bp.ring_area(rings[1]) == pytest.approx(-1)
    assert bp.shape_area(rings) == pytest.approx(15)
    d3 = bp.orient([outer, hole], outer_counter_clockwise=False)
    assert bp.ring_area(d3[0]) < 0 < bp.ring_area(d3[1])


def test_points_inside_respect_holes_and_separate_parts():
    donut = shape([square(0, 0, 4), square(1, 1, 2)], [square(10, 0, 1)])
    points = np.array([[0.5, 0.5], [2, 2], [3.5, 2], [10.5, 0.5], [5, 5], [-1, 2]])
    assert bp.points_inside(points, donut).tolist() == [True, False, True, True, False, False]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # two unit squares overlapping in a quarter
        (shape([square(0, 0, 1)]), shape([square(0.5, 0.5, 1)]), 0.25),
        # apart, and touching at a corner
        (shape([square(0, 0, 1)]), shape([square(3, 3, 1)]), 0.0),
        (shape([square(0, 0, 1)]), shape([square(1, 1, 1)]), 0.0),
        # one inside the other: the smaller one's area
        (shape([square(0, 0, 4)]), shape([square(1.2, 1.3, 1.5)]), 2.25),
        # a 1.5 square cut by the hypotenuse x + y = 2 of a big right triangle
        (shape([square(0, 0, 1.5)]), shape([np.array([[-1, -1], [3, -1], [-1, 3]])]), 2.25 - 0.5),
        # two right triangles: x, y >= 0, x + y <= 4 and x, y <= 3, x + y >= 2; the overlap is
        # the 3x3 square less two corner triangles of area 2
        (shape([np.array([[0, 0], [4, 0], [0, 4]])]), shape([np.array([[3, 3], [-1, 3], [3, -1]])]), 5.0),
        # an L (3x3 square less its top-right 2x2) against a 2x2 square in that corner
        (
            shape([np.array([[0, 0], [3, 0], [3, 1], [1, 1], [1, 3], [0, 3]])]),
            shape([square(0.5, 0.5, 2)]),
            4 - 1.5 * 1.5,
        ),
        # a square with a hole against squares over the hole's edge
        (shape([square(0, 0, 4), square(1, 1, 2)]), shape([square(0.5, 0.25, 1.5)]), 2.25 - 0.75),
        (shape([square(0, 0, 4), square(1, 1, 2)]), shape([square(2.5, 1.5, 1)]), 0.5),
        # several parts: both squares of a pair against a strip across them
        (
            shape([square(0, 0, 1)], [square(3, 0, 1)]),
            shape([np.array([[-1, 0.25], [5, 0.25], [5, 0.75], [-1, 0.75]])]),
            1.0,
        ),
    ],
)
def test_intersection_area_of_shapes_with_known_areas(a, b, expected):
    assert bp.intersection_area(a, b) == pytest.approx(expected, abs=1e-9)
    assert bp.intersection_area(b, a) == pytest.approx(expected, abs=1e-9)


def test_intersection_area_does_not_depend_on_rotation_or_position():
    rng = np.random.default_rng(14)
    a = shape([np.array([[0, 0], [5, 0], [5, 5], [3, 2], [0, 5]])])
    b = shape([np.array([[1, -1], [6, 1], [2, 6]])])
    base = bp.intersection_area(a, b)
    assert 0 < base < min(bp.shape_area(a), bp.shape_area(b))
    for _ in range(5):
        angle, shift = rng.uniform(0, 2 * np.pi), rng.uniform(-1e3, 1e3, size=2)
        turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        moved = [[ring @ turn.T + shift for ring in s] for s in (a, b)]
        assert bp.intersection_area(*moved) == pytest.approx(base, rel=1e-9)


def test_intersection_area_of_random_star_shapes_matches_counting_grid_points():
    rng = np.random.default_rng(2025)
    xs, ys = np.meshgrid(np.linspace(-3, 3, 601), np.linspace(-3, 3, 601))
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    cell = (6 / 600) ** 2
    for _ in range(4):
        stars = []
        for centre in rng.uniform(-0.5, 0.5, size=(2, 2)):
            angles = np.sort(rng.uniform(0, 2 * np.pi, 12))
            radii = rng.uniform(0.6, 2.0, 12)
            stars.append(shape([centre + np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])]))
        counted = np.count_nonzero(bp.points_inside(grid, stars[0]) & bp.points_inside(grid, stars[1])) * cell
        assert bp.intersection_area(*stars) == pytest.approx(counted, rel=0.02)


def test_the_sinusoidal_projection_keeps_areas():
    """A one-degree cell at Preston's latitude has the spherical area R² Δλ (sin φ2 - sin φ1)."""
    cell = np.array([[-3, 53], [-2, 53], [-2, 54], [-3, 54]], dtype=float)
    edges = [np.linspace(cell[i], cell[(i + 1) % 4], 50, endpoint=False) for i in range(4)]
    projected = bp.sinusoidal(np.concatenate(edges))
    expected = bp.EARTH_RADIUS_KM**2 * np.radians(1) * (np.sin(np.radians(54)) - np.sin(np.radians(53)))
    assert bp.ring_area(projected) == pytest.approx(expected, rel=1e-4)


def test_decode_topology_applies_the_transform_and_reverses_negative_arcs(tmp_path):
    # two unit squares side by side sharing the arc x = 1; quantised at 0.5 degree, offset (-3, 50)
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [-3, 50]},
        "arcs": [
            [[2, 0], [0, 2]],  # (1, 0) -> (1, 1) in quantised units (2, 0) -> (2, 2)
            [[2, 2], [-2, 0], [0, -2], [2, 0]],  # the left square's other three sides
            [[2, 0], [2, 0], [0, 2], [-2, 0]],  # the right square's other three sides
        ],
        "objects": {
            "data": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "properties": {"AREACD": "A", "AREANM": "Left"}},
                    {"type": "Polygon", "arcs": [[2, -1]], "properties": {"AREACD": "B", "AREANM": "Right"}},
                ],
            }
        },
    }
    path = tmp_path / "t.topojson"
    path.write_text(json.dumps(topology))
    left, right = bp.decode_topology(path)
    assert (left.code, left.name, right.code) == ("A", "Left", "B")
    assert left.polygons[0][0].tolist() == [[-2, 50], [-2, 51], [-3, 51], [-3, 50], [-2, 50]]
    assert right.polygons[0][0].tolist() == [[-2, 50], [-1, 50], [-1, 51], [-2, 51], [-2, 50]]
    del topology["transform"]
    path.write_text(json.dumps(topology))
    with pytest.raises(bp.BuildError, match="transform"):
        bp.decode_topology(path)


# --- the build from the real files ---------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not (REFERENCE / bp.AUTHORITIES).is_file():
        pytest.skip(f"the raw reference files are not in {REFERENCE}")
    out = tmp_path_factory.mktemp("places")
    started = time.perf_counter()
    assert bp.main(["--reference", str(REFERENCE), "--out", str(out)]) == 0
    seconds = time.perf_counter() - started
    assert seconds < 30, f"the build took {seconds:.1f} s"
    return out


@pytest.fixture(scope="module")
def districts(built):
    with (built / bp.DISTRICTS_CSV).open(encoding="utf-8", newline="") as handle:
        return {row["ons_code"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def groups(built):
    with (built / bp.GROUPS_CSV).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def geojson(built):
    return json.loads((built / bp.DISTRICTS_GEOJSON).read_text(encoding="utf-8"))


def members(districts, code):
    return {c for c, row in districts.items() if row["combined_authority"] == code}


def test_every_district_once_sorted_with_the_columns_promised(built, districts):
    header = (built / bp.DISTRICTS_CSV).read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(bp.DISTRICT_COLUMNS)
    assert len(districts) == 361
    assert list(districts) == sorted(districts)
    nations = [row["nation"] for row in districts.values()]
    assert {n: nations.count(n) for n in set(nations)} == {
        "England": 296,
        "Scotland": 32,
        "Wales": 22,
        "Northern Ireland": 11,
    }


def test_combined_authorities_follow_the_may_2025_boundaries(districts):
    lancashire_county = {c for c, row in districts.items() if row["county"] == "Lancashire"}
    assert len(lancashire_county) == 12
    assert members(districts, LANCASHIRE) == lancashire_county | {"E06000008", "E06000009"}
    assert districts["E08000014"]["combined_authority"] == "E47000004"  # Sefton
    assert len(members(districts, "E47000004")) == 6
    assert districts["E06000023"]["combined_authority"] == "E47000009"  # Bristol
    assert len(members(districts, "E47000009")) == 3
    assert districts["E06000027"]["combined_authority"] == "E47000015"  # Torbay
    assert len(members(districts, "E47000015")) == 9
    in_one = [row for row in districts.values() if row["combined_authority"]]
    assert len(in_one) == 106
    assert {row["nation"] for row in in_one} == {"England"}
    assert len({row["combined_authority"] for row in in_one}) == 15
    assert all(row["combined_authority_name"] for row in in_one)


def test_preston(districts):
    preston = districts[PRESTON]
    assert preston["name"] == "Preston"
    assert preston["combined_authority"] == LANCASHIRE
    assert preston["combined_authority_name"] == "Lancashire"
    assert preston["county"] == "Lancashire"
    assert (preston["region"], preston["nation"]) == ("North West", "England")
    with (REFERENCE / bp.AUTHORITIES).open(encoding="utf-8", newline="") as handle:
        raw = next(row for row in csv.DictReader(handle) if row["gss-code"] == PRESTON)
    assert int(preston["population"]) == float(raw["pop-2020"])
    assert preston["population_year"] == "2020"
    assert int(preston["area_ha"]) == float(raw["area"]) * 100  # mySociety's area is in km2


def test_iod2025_ranks_england_only_and_every_district_has_the_uk_score(districts):
    english = [row for row in districts.values() if row["nation"] == "England"]
    others = [row for row in districts.values() if row["nation"] != "England"]
    assert sorted(int(row["iod2025_rank"]) for row in english) == list(range(1, 297))
    assert all(0 <= float(row["iod2025_most_deprived_decile_share"]) <= 1 for row in english)
    assert all(float(row["iod2025_score"]) > 0 for row in english)
    iod = ("iod2025_rank", "iod2025_score", "iod2025_most_deprived_decile_share")
    assert all(row[column] == "" for row in others for column in iod)
    assert all(float(row["uk_deprivation_score"]) > 0 for row in districts.values())
    assert {int(row["uk_deprivation_decile"]) for row in districts.values()} == set(range(1, 11))
    assert all(int(row["population"]) > 0 for row in districts.values())
    assert all(row["region"] == row["nation"] for row in others)
    assert all((row["county"] == "") == (row["ons_code"][:3] != "E07") for row in districts.values())


def test_place_groups_name_real_districts(districts, groups):
    assert {row["ons_code"] for row in groups} <= set(districts)
    assert len({(row["group_code"], row["ons_code"]) for row in groups}) == len(groups)
    by_group: dict[str, set[str]] = {}
    for row in groups:
        by_group.setdefault(row["group_code"], set()).add(row["ons_code"])
    kinds = {row["group_code"]: row["group_kind"] for row in groups}
    assert by_group[LANCASHIRE] == members(districts, LANCASHIRE)
    assert by_group["E10000017"] == {c for c, row in districts.items() if row["county"] == "Lancashire"}
    assert PRESTON in by_group["region:north-west"]
    assert len(by_group["nation:england"]) == 296
    assert len(by_group["nation:scotland"]) == 32
    counts = {kind: sum(1 for k in kinds.values() if k == kind) for kind in bp.GROUP_KINDS}
    assert counts == {"combined_authority": 15, "county": 21, "region": 9, "nation": 4}
    assert sum(1 for row in groups if row["group_kind"] == "region") == 296
    assert sum(1 for row in groups if row["group_kind"] == "nation") == 361


def test_the_map_has_every_district_in_the_uk_wound_for_d3(districts, geojson):
    assert geojson["type"] == "FeatureCollection"
    features = geojson["features"]
    assert [f["id"] for f in features] == list(districts)
    assert [f["properties"]["ons_code"] for f in features] == list(districts)
    assert all(f["properties"]["name"] == districts[f["id"]]["name"] for f in features)
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            for index, ring in enumerate(polygon):
                points = np.array(ring)
                assert points[0].tolist() == points[-1].tolist(), feature["id"]
                assert len(points) >= 4
                assert (points[:, 0] >= -9).all() and (points[:, 0] <= 2).all(), feature["id"]
                assert (points[:, 1] >= 49).all() and (points[:, 1] <= 61).all(), feature["id"]
                assert np.array_equal(points, np.round(points, 4))
                # outer rings clockwise (negative shoelace area, north up), holes counter-clockwise
                assert (bp.ring_area(points) < 0) == (index == 0), (feature["id"], index)


def test_the_files_are_small_enough_to_bundle(built):
    assert (built / bp.DISTRICTS_GEOJSON).stat().st_size < 1_000_000
    assert (built / bp.DISTRICTS_CSV).stat().st_size < 100_000


def test_building_again_gives_the_same_bytes(built, tmp_path):
    assert bp.main(["--reference", str(REFERENCE), "--out", str(tmp_path)]) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_the_committed_files_are_the_build(built):
    data = ROOT / "data"
    if not all((data / name).is_file() for name in FILES):
        pytest.skip("data/ does not hold the built files yet")
    for name in FILES:
        assert (data / name).read_bytes() == (built / name).read_bytes(), f"rebuild data/{name}"


@needs_reference
def test_a_district_missing_from_iod2025_fails_loudly_and_writes_nothing(tmp_path, capsys):
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE, reference)
    iod = reference / bp.IOD2025
    iod.chmod(0o644)
    lines = iod.read_text(encoding="utf-8").splitlines(keepends=True)
    iod.write_text("".join(line for line in lines if not line.startswith(PRESTON)), encoding="utf-8")
    out = tmp_path / "out"
    assert bp.main(["--reference", str(reference), "--out", str(out)]) == 1
    assert PRESTON in capsys.readouterr().err
    assert not out.exists()


@needs_reference
def test_wrong_combined_authority_facts_fail(districts):
    rows = [dict(row) for row in districts.values()]
    sefton = next(row for row in rows if row["ons_code"] == "E08000014")
    sefton["combined_authority"] = LANCASHIRE
    with (REFERENCE / bp.AUTHORITIES).open(encoding="utf-8", newline="") as handle:
        lower = [
            row
            for row in csv.DictReader(handle)
            if row["current-authority"] == "True" and row["lower-or-unitary"] == "True"
        ]
    with pytest.raises(bp.BuildError, match="E08000014 is not in E47000004"):
        bp.check_combined(rows, lower)
