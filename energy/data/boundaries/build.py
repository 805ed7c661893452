"""Build the packaged outline of Poland from the GUGiK PRG voivodeships (polska-geojson copy).

Run once by a maintainer (not at run time)::

    python energy/data/boundaries/build.py /path/to/shared/data/boundaries_pl
    python energy/data/boundaries/build.py --measure   # distances of the test towns to the outline

Writes, next to this file:

- ``poland_outline.geojson``: one Feature, the union of the 16 voivodeships of
  ``wojewodztwa-medium.geojson``. The source rings self-intersect in 10 of the 16 voivodeships, so
  each geometry is repaired with ``shapely.make_valid`` (its line remnants dropped), the 16 are
  merged with ``shapely.union_all(..., grid_size=1e-6)`` (a 1e-6 deg grid, ~0.1 m, snaps the
  shared borders together), parts smaller than ``SLIVER_KM2`` are dropped and interior rings
  (gaps between neighbouring voivodeships) are filled. Coordinates keep the grid's 6 decimals;
  rings are oriented as RFC 7946 asks (exterior counter-clockwise). ``tolerance_m`` in the
  Feature's properties is the buffer :func:`energy.geo.in_poland` adds (see SOURCES.md for the
  measurement that chose it).
- ``wojewodztwa-min.geojson`` and ``powiaty-min.geojson``: byte-for-byte copies (for maps).
- ``LICENSE-polska-geojson.txt``: the source's MIT licence.

Prints the figures SOURCES.md quotes (vertices, area, dropped parts, filled holes, SHA-256).
"""

from __future__ import annotations

import hashlib
import json
import runpy
import shutil
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
SOURCE_FILE = "wojewodztwa-medium.geojson"
COPIED = {"wojewodztwa-min.geojson": "wojewodztwa-min.geojson", "powiaty-min.geojson": "powiaty-min.geojson"}
LICENSE_COPY = "LICENSE-polska-geojson.txt"
OUTLINE_FILE = "poland_outline.geojson"
GRID_DEG = 1e-6
# Parts below 1 ha are artefacts of the union (the one found is 39 m^2); no real part of Poland in
# this data is that small.
SLIVER_KM2 = 0.01
# Chosen from the measurement printed by --measure (SOURCES.md): below the 0.23 km that separates
# the nearest foreign town centre (Frankfurt (Oder)) from the outline, above the tens of metres by
# which the medium simplification misses surveyed border points.
TOLERANCE_M = 100.0
KM_PER_DEG = 111.195  # great-circle km per degree on the 6371.0088 km mean-radius sphere
TEST_TOWNS = HERE.parents[2] / "tests" / "energy" / "test_geo.py"


def area_km2(geom: shapely.Geometry) -> float:
    """Area [km^2] on a sphere, via the sinusoidal (equal-area) projection about 19 E."""

    def sinusoidal(xy: np.ndarray) -> np.ndarray:
        lon, lat = xy[:, 0], xy[:, 1]
        return np.column_stack([(lon - 19.0) * np.cos(np.radians(lat)) * KM_PER_DEG, lat * KM_PER_DEG])

    return float(shapely.area(shapely.transform(geom, sinusoidal)))


def outline(voivodeships: list[shapely.Geometry]) -> tuple[shapely.Polygon, dict]:
    """Union of the repaired voivodeships without slivers or holes; returns it and the figures."""
    valid = [shapely.make_valid(g) for g in voivodeships]
    polygonal = [p for g in valid for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    union = shapely.union_all(polygonal, grid_size=GRID_DEG)
    parts = [p for p in shapely.get_parts(union) if p.geom_type == "Polygon"]
    kept = [p for p in parts if area_km2(p) >= SLIVER_KM2]
    dropped = [area_km2(p) for p in parts if area_km2(p) < SLIVER_KM2]
    holes = [area_km2(shapely.Polygon(r)) for p in kept for r in p.interiors]
    filled = [shapely.Polygon(p.exterior) for p in kept]
    if len(filled) != 1:
        raise SystemExit(f"expected one polygon after the union, got {len(filled)}")
    poly = shapely.orient_polygons(filled[0])
    return poly, {
        "invalid_inputs": sum(not shapely.is_valid(g) for g in voivodeships),
        "dropped_parts_km2": dropped,
        "filled_holes_km2": holes,
        "vertices": int(shapely.get_num_coordinates(poly)),
        "area_km2": area_km2(poly),
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(source_dir: Path) -> dict:
    """Write the packaged files from the polska-geojson copy in ``source_dir``."""
    features = json.loads((source_dir / SOURCE_FILE).read_text(encoding="utf-8"))["features"]
    if len(features) != 16:
        raise SystemExit(f"{SOURCE_FILE}: expected the 16 voivodeships, found {len(features)}")
    poly, figures = outline([shape(f["geometry"]) for f in features])
    feature = {
        "type": "Feature",
        "properties": {
            "name": "Polska",
            "source": "GUGiK PRG via ppatrzyk/polska-geojson wojewodztwa-medium.geojson @74a22f9 (MIT, 2019)",
            "source_year": 2019,
            "processing": "make_valid, union_all grid 1e-6 deg, parts < 0.01 km2 dropped, holes filled",
            "tolerance_m": TOLERANCE_M,
        },
        "geometry": mapping(poly),
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature]}, separators=(",", ":"))
    (HERE / OUTLINE_FILE).write_text(text + "\n", encoding="utf-8")
    for src, dst in COPIED.items():
        shutil.copyfile(source_dir / src, HERE / dst)
    shutil.copyfile(source_dir / "LICENSE", HERE / LICENSE_COPY)
    figures["sha256"] = {
        name: sha256(path)
        for name, path in [(SOURCE_FILE, source_dir / SOURCE_FILE), (OUTLINE_FILE, HERE / OUTLINE_FILE)]
        + [(d, HERE / d) for d in COPIED.values()]
    }
    return figures


def measure() -> None:
    """Signed distance [m] of each test town (tests/energy/test_geo.py) to the packaged outline."""
    from energy.geo import distance_to_border_m

    towns = runpy.run_path(str(TEST_TOWNS))
    for label, table in (("in Poland", towns["POLISH_TOWNS"]), ("abroad", towns["FOREIGN_TOWNS"])):
        names = list(table)
        lat, lon = np.array([table[n][:2] for n in names]).T
        dist = distance_to_border_m(lat, lon)
        print(f"-- {label} (positive = inside the outline) [m]")
        for name, d in sorted(zip(names, dist, strict=True), key=lambda t: abs(t[1])):
            print(f"{name:32s} {d:10.0f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        measure()
    elif len(sys.argv) == 2:
        print(json.dumps(build(Path(sys.argv[1])), indent=2))
    else:
        raise SystemExit(__doc__)
