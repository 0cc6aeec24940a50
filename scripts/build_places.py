"""Build every UK local authority district's places table, boundaries and place groups from the
raw public files in the shared reference folder (issue 14, "Any fund, any place").

    .venv/bin/python scripts/build_places.py [--reference DIR] [--out DIR]

DIR for --reference defaults to ../shared/reference/uk_places next to the repository (the raw,
unmodified files; its SOURCES.md gives each file's source, vintage and licence); --out defaults
to the repository's data/. Writes three files, byte-identical on every run from the same inputs:

places.csv
    One row per current lower-tier or unitary district (361: England 296, Scotland 32, Wales 22,
    Northern Ireland 11), sorted by ONS code. Names, nation, region, county, population
    (`pop-2020`, mid-2020 for every district), area and centre point from mySociety's *UK Local
    Authority Names and Codes*; the composite UK deprivation score and decile from mySociety's
    *Composite UK Index of Multiple Deprivation*; the IoD2025 'Index of Multiple Deprivation'
    domain (England only) from MHCLG's district summaries; the May 2025 combined authority from
    the ONS boundaries (below). `region` is the English region, or the nation's name elsewhere.
    `area_ha` is in hectares: mySociety's `area` column is in square kilometres (SOURCES.md
    calls it hectares, but Preston's 142 is km2, as the boundaries confirm: the build checks
    every district's `area` against its boundary's area), so it is multiplied by 100.

places.geojson
    The 361 ONS December 2024 ultra-generalised (BUC) boundaries as a FeatureCollection, one
    feature per line, `id` and `properties.ons_code` = ONS code, `properties.name` = mySociety
    nice-name; longitude/latitude rounded to 4 decimals (about 7 m; the shapes are generalised
    to 500 m), every ring closed. Outer rings run CLOCKWISE and holes counter-clockwise (north
    up), the opposite of RFC 7946: plotly's geo traces (`go.Choropleth`, `px.choropleth`) draw
    with d3-geo, which reads a counter-clockwise ring as "the whole globe except this shape"
    and floods the map. Map-tile traces (`choropleth_map`) do not mind the winding.

place_groups.csv
    The groups a mandate may name, one row per (group, district): `group_kind` is
    `combined_authority` (group_code = the E47 code), `county` (the county council's E10 code,
    mySociety's `gss-code` of its CTY row; its 2-tier districts only), `region` (the nine English
    regions; mySociety has no E12 codes, so group_code is a slug such as `region:north-west`)
    or `nation` (group_code a slug such as `nation:england`, all 361 districts).

Combined authority membership is derived by area overlap, not taken from mySociety (whose
`combined-authority` column predates the 2024-25 authorities): each district's BUC boundary is
intersected with each of the 15 May 2025 combined-authority boundaries on an equal-area
(sinusoidal) projection, and the district belongs to the authority holding more than half of its
area. The two files are generalised separately, so shared borders do not coincide exactly and a
centre point is not enough (it puts Sefton in Lancashire); the area shares are robust to that.

The build fails (exit status 1, with the reason) before writing anything if the counts, the
joins, the boundaries or the known combined-authority facts from SOURCES.md do not hold.
Only the standard library and numpy: the TopoJSON decoding and the polygon areas and
intersections are done here (see `decode_topology`, `ring_area`, `intersection_area`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "uk_places"
DEFAULT_OUT = ROOT / "data"

AUTHORITIES = "mysociety_uk_local_authorities_current.csv"
COMPOSITE = "mysociety_composite_uk_la_imd.csv"
IOD2025 = "mhclg_iod2025_lad.csv"
DISTRICT_BOUNDARIES = "ons_lad_dec2024_uk_buc.topojson"
COMBINED_BOUNDARIES = "ons_cauth_may2025_en_buc.topojson"

DISTRICTS_CSV = "places.csv"
DISTRICTS_GEOJSON = "places.geojson"
GROUPS_CSV = "place_groups.csv"

NATIONS = {"England": 296, "Scotland": 32, "Wales": 22, "Northern Ireland": 11}
POPULATION_YEAR = 2020
IOD_DOMAIN = "Index of Multiple Deprivation"
IOD_DISTRICTS = 296
UK_BOX = (-9.0, 49.0, 2.0, 61.0)  # lon min, lat min, lon max, lat max
GEOJSON_DECIMALS = 4
MAX_GEOJSON_BYTES = 1_100_000
MAJORITY = 0.5
EARTH_RADIUS_KM = 6371.0088  # mean radius: areas come out in km2
CENTRAL_MERIDIAN = -2.0  # of the sinusoidal projection (Great Britain's)
# mySociety's area against the boundary's: the BUC shapes are generalised to 500 m, which
# changes small or intricate districts' areas (City of London, islands, estuaries) the most
AREA_TOLERANCE = 0.25

# The facts SOURCES.md gives for the May 2025 combined authorities
LANCASHIRE = "E47000018"
LANCASHIRE_COUNTY = "LAN"
LANCASHIRE_UNITARIES = {"E06000008", "E06000009"}  # Blackburn with Darwen, Blackpool
KNOWN_MEMBERS = {  # district: (combined authority, its member count)
    "E08000014": ("E47000004", 6),  # Sefton in Liverpool City Region
    "E06000023": ("E47000009", 3),  # Bristol in West of England
    "E06000027": ("E47000015", 9),  # Torbay in Devon and Torbay
    "E07000123": (LANCASHIRE, 14),  # Preston in Lancashire
}
COMBINED_AUTHORITIES = 15
COMBINED_MEMBERS = 106

DISTRICT_COLUMNS = (
    "ons_code",
    "name",
    "nation",
    "region",
    "county",
    "combined_authority",
    "combined_authority_name",
    "population",
    "population_year",
    "iod2025_rank",
    "iod2025_score",
    "iod2025_most_deprived_decile_share",
    "uk_deprivation_score",
    "uk_deprivation_decile",
    "area_ha",
    "lat",
    "long",
)
GROUP_COLUMNS = ("group_code", "group_name", "group_kind", "ons_code")
GROUP_KINDS = ("combined_authority", "county", "region", "nation")


class BuildError(Exception):
    """The raw files do not support a correct build; the message says why."""


# ---------------------------------------------------------------------------------------------
# Geometry: rings are (n, 2) float arrays, open (the first point is not repeated at the end);
# a shape is a list of rings, outer rings counter-clockwise and holes clockwise in the plane
# (x east, y north), so that its area is the sum of its rings' signed areas.
# ---------------------------------------------------------------------------------------------


def open_ring(points: np.ndarray) -> np.ndarray:
    """The ring without its closing point and without repeated consecutive points."""
    ring = np.asarray(points, dtype=float)
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) > 1:
        keep = np.any(ring != np.roll(ring, 1, axis=0), axis=1)
        keep[0] = True
        ring = ring[keep]
    return ring


def ring_area(ring: np.ndarray) -> float:
    """Signed area (shoelace): positive for a counter-clockwise ring, negative for clockwise."""
    ring = open_ring(ring)
    if len(ring) < 3:
        return 0.0
    x, y = ring[:, 0] - ring[:, 0].mean(), ring[:, 1] - ring[:, 1].mean()
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def orient(polygon: Sequence[np.ndarray], outer_counter_clockwise: bool = True) -> list[np.ndarray]:
    """One polygon (outer ring first, then its holes) with the outer ring counter-clockwise and
    the holes clockwise (or the reverse, for d3-geo), rings open."""
    rings = []
    for index, ring in enumerate(polygon):
        ring = open_ring(ring)
        want_positive = (index == 0) == outer_counter_clockwise
        if (ring_area(ring) > 0) != want_positive:
            ring = ring[::-1]
        rings.append(ring)
    return rings


def shape_area(shape: Sequence[np.ndarray]) -> float:
    """Area of an oriented shape (outer rings counter-clockwise, holes clockwise)."""
    return sum(ring_area(ring) for ring in shape)


def _edges(shape: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    starts = np.concatenate([ring for ring in shape if len(ring) >= 3])
    ends = np.concatenate([np.roll(ring, -1, axis=0) for ring in shape if len(ring) >= 3])
    return starts, ends


def points_inside(points: np.ndarray, shape: Sequence[np.ndarray]) -> np.ndarray:
    """Which points lie inside the shape (even-odd rule: holes and separate parts both work)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    a, b = _edges(shape)
    inside = np.zeros(len(points), dtype=bool)
    for chunk in range(0, len(points), 512):
        px = points[chunk : chunk + 512, :1]
        py = points[chunk : chunk + 512, 1:]
        straddles = (a[:, 1] > py) != (b[:, 1] > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = a[:, 0] + (py - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])
        crossings = np.count_nonzero(straddles & (px < x_cross), axis=1)
        inside[chunk : chunk + 512] = crossings % 2 == 1
    return inside


def _boundary_inside(a_start: np.ndarray, a_end: np.ndarray, other: Sequence[np.ndarray]) -> float:
    """The part of ∮ (x dy - y dx) / 2 along the edges a_start -> a_end that lies inside
    `other`: each edge is cut where it crosses `other`'s edges, and a piece counts if its
    midpoint is inside `other`."""
    b_start, b_end = _edges(other)
    r = a_end - a_start
    s = b_end - b_start
    denominator = r[:, None, 0] * s[None, :, 1] - r[:, None, 1] * s[None, :, 0]
    qp = b_start[None, :, :] - a_start[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[..., 0] * s[None, :, 1] - qp[..., 1] * s[None, :, 0]) / denominator
        u = (qp[..., 0] * r[:, None, 1] - qp[..., 1] * r[:, None, 0]) / denominator
    crossing = (denominator != 0) & (t > 0) & (t < 1) & (u >= 0) & (u <= 1)
    edge, other_edge = np.nonzero(crossing)
    n = len(a_start)
    edge_of = np.concatenate([np.arange(n), np.arange(n), edge])
    at = np.concatenate([np.zeros(n), np.ones(n), t[edge, other_edge]])
    order = np.lexsort((at, edge_of))
    edge_of, at = edge_of[order], at[order]
    same = edge_of[:-1] == edge_of[1:]
    which, t0, t1 = edge_of[:-1][same], at[:-1][same], at[1:][same]
    p = a_start[which] + t0[:, None] * r[which]
    q = a_start[which] + t1[:, None] * r[which]
    inside = points_inside((p + q) / 2, other)
    cross = p[:, 0] * q[:, 1] - q[:, 0] * p[:, 1]
    return 0.5 * float(np.sum(cross[inside]))


def _bbox(shape: Sequence[np.ndarray]) -> np.ndarray:
    points = np.concatenate(list(shape))
    return np.concatenate([points.min(axis=0), points.max(axis=0)])


def intersection_area(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """Area of the intersection of two oriented shapes (any polygons, convex or not, with holes
    or several parts), exactly, by Green's theorem: the boundary of A ∩ B is the part of A's
    boundary inside B plus the part of B's boundary inside A, so the shoelace sum over those
    pieces is the area. Not handled: stretches where the two boundaries coincide exactly (the
    pieces along them are neither inside nor outside); the two ONS files are quantised on
    different grids, so their borders never do."""
    box_a, box_b = _bbox(a), _bbox(b)
    if box_a[0] >= box_b[2] or box_b[0] >= box_a[2] or box_a[1] >= box_b[3] or box_b[1] >= box_a[3]:
        return 0.0
    origin = np.minimum(box_a[:2], box_b[:2])  # local coordinates keep the sums accurate
    a = [ring - origin for ring in a if len(ring) >= 3]
    b = [ring - origin for ring in b if len(ring) >= 3]
    area = _boundary_inside(*_edges(a), b) + _boundary_inside(*_edges(b), a)
    return max(area, 0.0)


def sinusoidal(lonlat: np.ndarray) -> np.ndarray:
    """Longitude/latitude (degrees) to the equal-area sinusoidal projection, in km."""
    lon = np.radians(lonlat[:, 0] - CENTRAL_MERIDIAN)
    lat = np.radians(lonlat[:, 1])
    return EARTH_RADIUS_KM * np.column_stack([lon * np.cos(lat), lat])


# ---------------------------------------------------------------------------------------------
# TopoJSON
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    polygons: list[list[np.ndarray]]  # lon/lat; each polygon its outer ring then its holes

    def projected(self) -> list[np.ndarray]:
        """The shape on the equal-area projection, oriented for `shape_area`."""
        return [ring for polygon in self.polygons for ring in orient([sinusoidal(r) for r in polygon])]


def decode_topology(path: Path) -> list[Area]:
    """The geometries of a TopoJSON file's single object: arcs delta-decoded and un-quantised
    with the file's `transform` (scale and translate), rings stitched from their arcs (a
    negative index ~i is arc i reversed; each arc after the first repeats the previous one's
    last point, which is dropped)."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    if topology.get("type") != "Topology" or len(topology.get("objects", {})) != 1:
        raise BuildError(f"{path.name}: not a TopoJSON topology with one object")
    transform = topology.get("transform")
    if not transform or "scale" not in transform or "translate" not in transform:
        raise BuildError(f"{path.name}: no quantisation transform; the arcs would not be degrees")
    scale = np.array(transform["scale"], dtype=float)
    translate = np.array(transform["translate"], dtype=float)
    arcs = [np.cumsum(np.array(arc, dtype=float), axis=0) * scale + translate for arc in topology["arcs"]]

    def ring(indexes: list[int]) -> np.ndarray:
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indexes]
        return np.concatenate([parts[0]] + [part[1:] for part in parts[1:]])

    (obj,) = topology["objects"].values()
    areas = []
    for geometry in obj["geometries"]:
        properties = geometry.get("properties", {})
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            raise BuildError(f"{path.name}: {properties.get('AREACD')} has a {geometry['type']} geometry")
        decoded = [[ring(r) for r in polygon] for polygon in polygons]
        areas.append(Area(properties["AREACD"], properties["AREANM"], decoded))
    points = np.concatenate([r for area in areas for polygon in area.polygons for r in polygon])
    low, high = points.min(axis=0), points.max(axis=0)
    if "bbox" in topology:
        box = np.array(topology["bbox"], dtype=float)
        if np.abs(np.concatenate([low, high]) - box).max() > scale.max():
            raise BuildError(f"{path.name}: decoded coordinates do not match the file's bbox {box.tolist()}")
    if low[0] < UK_BOX[0] or low[1] < UK_BOX[1] or high[0] > UK_BOX[2] or high[1] > UK_BOX[3]:
        raise BuildError(
            f"{path.name}: coordinates {low.tolist()}..{high.tolist()} are not all within the UK"
        )
    return areas


# ---------------------------------------------------------------------------------------------
# The raw tables
# ---------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise BuildError(f"{path} is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def slug(kind: str, name: str) -> str:
    return f"{kind}:" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def number(text: str, column: str, code: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BuildError(f"{code}: {column} is {text!r}, not a number") from None
    if not math.isfinite(value):
        raise BuildError(f"{code}: {column} is {text!r}")
    return value


def decimal(value: float, places: int) -> str:
    """A fixed number of decimals at most, without trailing zeros ("0.42", "37.58", "3")."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def combined_membership(
    districts: dict[str, list[np.ndarray]], combined: list[Area]
) -> tuple[dict[str, str], dict[str, float]]:
    """Each district's combined authority (the one holding more than half of its area), and the
    share of each district's area in its largest combined authority, majority or not.
    `districts` are projected shapes by ONS code."""
    projected = {ca.code: ca.projected() for ca in combined}
    boxes = {code: _bbox(shape) for code, shape in projected.items()}
    member: dict[str, str] = {}
    share: dict[str, float] = {}
    for district, shape in districts.items():
        area = shape_area(shape)
        box = _bbox(shape)
        overlaps = {}
        for code, ca_shape in projected.items():
            other = boxes[code]
            if box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]:
                overlaps[code] = intersection_area(shape, ca_shape) / area
        if sum(overlaps.values()) > 1.001:
            raise BuildError(
                f"{district}: its combined-authority overlaps add up to {sum(overlaps.values()):.3f}"
            )
        if overlaps:
            best = max(sorted(overlaps), key=overlaps.__getitem__)
            share[district] = overlaps[best]
            if overlaps[best] > MAJORITY:
                member[district] = best
    return member, share


@dataclass(frozen=True)
class Build:
    districts: list[dict[str, str]]
    groups: list[dict[str, str]]
    geojson: str
    shares: dict[str, float]  # district: share of its area in its combined authority (members)


def build(reference: Path) -> Build:
    authorities = read_rows(reference / AUTHORITIES)
    current = [row for row in authorities if row["current-authority"] == "True"]
    lower = sorted(
        (row for row in current if row["lower-or-unitary"] == "True"), key=lambda row: row["gss-code"]
    )
    by_la = {row["local-authority-code"]: row for row in current}
    counts = {nation: sum(row["nation"] == nation for row in lower) for nation in NATIONS}
    if len(lower) != sum(NATIONS.values()) or counts != NATIONS:
        raise BuildError(f"{AUTHORITIES}: {len(lower)} current districts {counts}, expected 361 {NATIONS}")
    codes = [row["gss-code"] for row in lower]
    if len(set(codes)) != len(codes) or not all(re.fullmatch(r"[ENSW]\d{8}", code) for code in codes):
        raise BuildError(f"{AUTHORITIES}: district ONS codes are blank, malformed or repeated")

    composite = {row["local-authority-code"]: row for row in read_rows(reference / COMPOSITE)}
    iod_rows = [row for row in read_rows(reference / IOD2025) if row["index_domain"] == IOD_DOMAIN]
    iod = {row["area_code"]: row for row in iod_rows}
    if len(iod) != len(iod_rows):
        raise BuildError(f"{IOD2025}: a district has more than one '{IOD_DOMAIN}' row")
    england = {row["gss-code"] for row in lower if row["nation"] == "England"}
    if set(iod) != england:
        missing, extra = sorted(england - set(iod)), sorted(set(iod) - england)
        raise BuildError(
            f"{IOD2025}: IoD2025 does not cover England's 296 districts: lacks {missing}, extra {extra}"
        )
    ranks = sorted(int(row["rank_average_score"]) for row in iod.values())
    if ranks != list(range(1, IOD_DISTRICTS + 1)):
        raise BuildError(f"{IOD2025}: rank_average_score is not 1..{IOD_DISTRICTS} once each")

    boundaries = {area.code: area for area in decode_topology(reference / DISTRICT_BOUNDARIES)}
    if set(boundaries) != set(codes):
        missing, extra = sorted(set(codes) - set(boundaries)), sorted(set(boundaries) - set(codes))
        raise BuildError(f"{DISTRICT_BOUNDARIES}: districts without a boundary {missing}, extra {extra}")
    combined = decode_topology(reference / COMBINED_BOUNDARIES)
    ca_names = {ca.code: ca.name for ca in combined}
    if len(ca_names) != COMBINED_AUTHORITIES or not all(code.startswith("E47") for code in ca_names):
        raise BuildError(
            f"{COMBINED_BOUNDARIES}: expected {COMBINED_AUTHORITIES} E47 areas, found {sorted(ca_names)}"
        )

    projected = {code: boundaries[code].projected() for code in codes}
    boundary_km2 = {code: shape_area(shape) for code, shape in projected.items()}
    member, best_share = combined_membership({c: projected[c] for c in codes if c in england}, combined)

    districts = []
    for row in lower:
        code = row["gss-code"]
        if not row["nice-name"]:
            raise BuildError(f"{AUTHORITIES}: {code} has no name")
        population = number(row["pop-2020"], "pop-2020", code)
        if population <= 0 or population != int(population):
            raise BuildError(f"{AUTHORITIES}: {code} has population {row['pop-2020']!r}")
        score_row = composite.get(row["local-authority-code"])
        if score_row is None or not score_row["la-deprivation-score"]:
            raise BuildError(f"{COMPOSITE}: {code} ({row['nice-name']}) has no composite deprivation score")
        decile = int(number(score_row["la-imd-pop-decile"], "la-imd-pop-decile", code))
        if not 1 <= decile <= 10:
            raise BuildError(f"{COMPOSITE}: {code} has decile {decile}")
        county = ""
        if row["county-la"]:
            county_row = by_la.get(row["county-la"])
            if county_row is None or county_row["local-authority-type"] != "CTY":
                raise BuildError(
                    f"{AUTHORITIES}: {code}'s county-la {row['county-la']!r} is not a county council"
                )
            county = county_row["nice-name"]
        area_km2 = number(row["area"], "area", code)
        if abs(area_km2 / boundary_km2[code] - 1) > AREA_TOLERANCE:
            raise BuildError(
                f"{AUTHORITIES}: {code}'s area {area_km2} is not its boundary's {boundary_km2[code]:.1f} km2"
            )
        iod_row = iod.get(code)
        ca = member.get(code, "")
        districts.append(
            {
                "ons_code": code,
                "name": row["nice-name"],
                "nation": row["nation"],
                "region": row["region"] if row["nation"] == "England" else row["nation"],
                "county": county,
                "combined_authority": ca,
                "combined_authority_name": ca_names.get(ca, ""),
                "population": str(int(population)),
                "population_year": str(POPULATION_YEAR),
                "iod2025_rank": iod_row["rank_average_score"] if iod_row else "",
                "iod2025_score": decimal(number(iod_row["average_score"], "average_score", code), 4)
                if iod_row
                else "",
                "iod2025_most_deprived_decile_share": decimal(
                    number(iod_row["proportion_bottom_decile"], "proportion_bottom_decile", code), 4
                )
                if iod_row
                else "",
                "uk_deprivation_score": decimal(number(score_row["la-deprivation-score"], "score", code), 4),
                "uk_deprivation_decile": str(decile),
                "area_ha": decimal(area_km2 * 100, 0),
                "lat": decimal(number(row["lat"], "lat", code), 6),
                "long": decimal(number(row["long"], "long", code), 6),
            }
        )
    england_regions = {d["region"] for d in districts if d["nation"] == "England"}
    if len(england_regions) != 9 or "" in england_regions:
        raise BuildError(
            f"{AUTHORITIES}: English districts name {sorted(england_regions)}, not the nine regions"
        )

    check_combined(districts, lower)
    groups = place_groups(districts, lower, by_la)
    geojson = districts_geojson(districts, boundaries)
    return Build(districts, groups, geojson, {code: best_share[code] for code in member})


def check_combined(districts: list[dict[str, str]], lower: list[dict[str, str]]) -> None:
    """The combined-authority facts SOURCES.md gives."""
    members: dict[str, set[str]] = {}
    for district in districts:
        if district["combined_authority"]:
            members.setdefault(district["combined_authority"], set()).add(district["ons_code"])
    lancashire = {row["gss-code"] for row in lower if row["county-la"] == LANCASHIRE_COUNTY}
    problems = []
    if len(lancashire) != 12:
        problems.append(f"Lancashire County Council has {len(lancashire)} districts, not 12")
    if members.get(LANCASHIRE, set()) != lancashire | LANCASHIRE_UNITARIES:
        problems.append(
            f"{LANCASHIRE} Lancashire has {sorted(members.get(LANCASHIRE, set()))}, not Lancashire County "
            "Council's 12 districts, Blackburn with Darwen and Blackpool"
        )
    for district, (ca, size) in KNOWN_MEMBERS.items():
        if district not in members.get(ca, set()):
            problems.append(f"{district} is not in {ca}")
        if len(members.get(ca, set())) != size:
            problems.append(f"{ca} has {len(members.get(ca, set()))} members, not {size}")
    if len(members) != COMBINED_AUTHORITIES:
        problems.append(f"{len(members)} combined authorities have members, not {COMBINED_AUTHORITIES}")
    total = sum(len(m) for m in members.values())
    if total != COMBINED_MEMBERS:
        problems.append(f"{total} districts are in a combined authority, not {COMBINED_MEMBERS}")
    if problems:
        raise BuildError("combined authorities by area overlap fail the known facts: " + "; ".join(problems))


def place_groups(
    districts: list[dict[str, str]], lower: list[dict[str, str]], by_la: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    county_of = {row["gss-code"]: by_la[row["county-la"]] for row in lower if row["county-la"]}
    rows = []
    for district in districts:
        code = district["ons_code"]
        if district["combined_authority"]:
            rows.append(
                (
                    district["combined_authority"],
                    district["combined_authority_name"],
                    "combined_authority",
                    code,
                )
            )
        if code in county_of:
            rows.append((county_of[code]["gss-code"], county_of[code]["nice-name"], "county", code))
        if district["nation"] == "England":
            rows.append((slug("region", district["region"]), district["region"], "region", code))
        rows.append((slug("nation", district["nation"]), district["nation"], "nation", code))
    if any(not group_code for group_code, *_ in rows):
        raise BuildError(f"{AUTHORITIES}: a county council has no gss-code")
    rows.sort(key=lambda row: (GROUP_KINDS.index(row[2]), row[0], row[3]))
    return [dict(zip(GROUP_COLUMNS, row, strict=True)) for row in rows]


def _geojson_polygon(polygon: list[np.ndarray]) -> list[list[list[float]]] | None:
    """One polygon rounded for the file, rings closed, outer ring clockwise and holes
    counter-clockwise (d3-geo's winding); None if rounding collapses its outer ring."""
    rings = []
    for index, ring in enumerate(polygon):
        rounded = open_ring(np.round(ring, GEOJSON_DECIMALS))
        if len(rounded) < 3 or ring_area(rounded) == 0:
            if index == 0:
                return None
            continue
        rings.append(rounded)
    closed = []
    for ring in orient(rings, outer_counter_clockwise=False):
        points = [[round(float(x), GEOJSON_DECIMALS), round(float(y), GEOJSON_DECIMALS)] for x, y in ring]
        closed.append([*points, points[0]])
    return closed


def districts_geojson(districts: list[dict[str, str]], boundaries: dict[str, Area]) -> str:
    lines = []
    for district in districts:
        code = district["ons_code"]
        polygons = [p for p in (_geojson_polygon(p) for p in boundaries[code].polygons) if p]
        if not polygons:
            raise BuildError(
                f"{DISTRICT_BOUNDARIES}: {code}'s boundary vanishes at {GEOJSON_DECIMALS} decimals"
            )
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        feature = {
            "type": "Feature",
            "id": code,
            "properties": {"ons_code": code, "name": district["name"]},
            "geometry": geometry,
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    check_geojson(text, [d["ons_code"] for d in districts])
    return text


def _rings(geometry: dict) -> Iterable[tuple[int, list[list[float]]]]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        yield from enumerate(polygon)


def check_geojson(text: str, codes: list[str]) -> None:
    """The written file reads back as 361 closed, d3-wound features inside the UK."""
    features = json.loads(text)["features"]
    if [f["id"] for f in features] != codes or [f["properties"]["ons_code"] for f in features] != codes:
        raise BuildError(f"{DISTRICTS_GEOJSON}: feature ids are not the districts' codes")
    for feature in features:
        for index, ring in _rings(feature["geometry"]):
            points = np.array(ring)
            if len(points) < 4 or not np.array_equal(points[0], points[-1]):
                raise BuildError(f"{DISTRICTS_GEOJSON}: {feature['id']} has an open or degenerate ring")
            lon, lat = points[:, 0], points[:, 1]
            if (
                lon.min() < UK_BOX[0]
                or lon.max() > UK_BOX[2]
                or lat.min() < UK_BOX[1]
                or lat.max() > UK_BOX[3]
            ):
                raise BuildError(f"{DISTRICTS_GEOJSON}: {feature['id']} has a point outside the UK")
            if (ring_area(points) < 0) != (index == 0):
                raise BuildError(f"{DISTRICTS_GEOJSON}: {feature['id']} has a ring wound the wrong way")
    if len(text.encode("utf-8")) > MAX_GEOJSON_BYTES:
        raise BuildError(f"{DISTRICTS_GEOJSON}: {len(text.encode('utf-8'))} bytes, over {MAX_GEOJSON_BYTES}")


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def csv_text(rows: list[dict[str, str]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write(out: Path, result: Build) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    files = {
        DISTRICTS_CSV: csv_text(result.districts, DISTRICT_COLUMNS),
        DISTRICTS_GEOJSON: result.geojson,
        GROUPS_CSV: csv_text(result.groups, GROUP_COLUMNS),
    }
    sizes = {}
    for name, text in files.items():
        data = text.encode("utf-8")
        temporary = out / f".{name}.tmp"
        temporary.write_bytes(data)
        temporary.replace(out / name)
        sizes[name] = len(data)
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, help="the raw files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the three files")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = build(args.reference)
    except BuildError as error:
        print(f"build_places: error: {error}", file=sys.stderr)
        return 1
    sizes = write(args.out, result)
    weak = {code: share for code, share in result.shares.items() if share < 0.6}
    lowest = min(sorted(result.shares), key=result.shares.__getitem__)
    for name, size in sizes.items():
        print(f"wrote {args.out / name} ({size:,} bytes)")
    members = sum(1 for d in result.districts if d["combined_authority"])
    print(
        f"{len(result.districts)} districts, {members} in a combined authority, {len(result.groups)} group rows"
    )
    if weak:
        print(
            "combined-authority majorities under 60%: "
            + ", ".join(f"{c} {s:.1%}" for c, s in sorted(weak.items()))
        )
    print(
        f"smallest majority: {lowest} with {result.shares[lowest]:.1%} of its area in its combined authority"
    )
    print(f"built in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
