"""Is a WGS84 point in Poland? One sourced outline for intake and engine alike.

The outline is the union of the 16 voivodeships of the State Register of Borders (PRG, GUGiK),
in the "medium" simplification of ppatrzyk/polska-geojson, built once by
``energy/data/boundaries/build.py`` (see ``energy/data/boundaries/SOURCES.md``).

Tolerance
---------
A point passes when it lies inside the outline grown by ``tolerance_m`` (100 m, stored in the
outline's properties). The simplification misses surveyed border points by tens of metres (the
westernmost point at Osinów Dolny by 1 m, the southernmost at Opołonek by 26 m), so a school
on a Polish river bank still passes; the nearest foreign town centres measured (Frankfurt (Oder),
Guben) lie 230-240 m beyond it, so they still fail. The buffer is drawn in an equirectangular
projection true at 52 N: east-west it is 93-107 m on the ground between 49 and 54.9 N.

References
----------
.. [1] Główny Urząd Geodezji i Kartografii, Państwowy Rejestr Granic (PRG), free data.
.. [2] ppatrzyk/polska-geojson, commit 74a22f9 (MIT licence), wojewodztwa-medium.geojson.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
import shapely
from shapely.geometry import shape

OUTLINE_FILE = "poland_outline.geojson"
REFERENCE_LAT_DEG = 52.0  # latitude at which the buffer's projection is true to scale
M_PER_DEG = 111_195.0  # great-circle metres per degree on the 6371.0088 km mean-radius sphere


@lru_cache(maxsize=1)
def _feature() -> dict:
    path = resources.files("energy.data").joinpath("boundaries", OUTLINE_FILE)
    with path.open("r", encoding="utf-8") as fh:
        return json.load(fh)["features"][0]


def outline() -> shapely.Polygon:
    """The packaged outline of Poland (lon/lat [deg], WGS84), without tolerance."""
    return shape(_feature()["geometry"])


def tolerance_m() -> float:
    """Buffer [m] added to the outline by :func:`in_poland`."""
    return float(_feature()["properties"]["tolerance_m"])


def _to_plane(geom: shapely.Geometry) -> shapely.Geometry:
    """Equirectangular projection in metres, true to scale at ``REFERENCE_LAT_DEG``."""
    scale = np.array([np.cos(np.radians(REFERENCE_LAT_DEG)) * M_PER_DEG, M_PER_DEG])
    return shapely.transform(geom, lambda xy: xy * scale)


def _from_plane(geom: shapely.Geometry) -> shapely.Geometry:
    scale = np.array([np.cos(np.radians(REFERENCE_LAT_DEG)) * M_PER_DEG, M_PER_DEG])
    return shapely.transform(geom, lambda xy: xy / scale)


@lru_cache(maxsize=1)
def _tolerant_outline() -> shapely.Geometry:
    grown = _from_plane(shapely.buffer(_to_plane(outline()), tolerance_m(), quad_segs=4))
    shapely.prepare(grown)
    return grown


def in_poland(lat, lon) -> np.ndarray:
    """True where a WGS84 point lies in Poland (PRG outline plus ``tolerance_m``).

    Parameters
    ----------
    lat, lon : array_like
        Latitude and longitude [deg, WGS84]; they broadcast. NaN or infinite gives False.

    Returns
    -------
    numpy.ndarray of bool
        The broadcast shape of ``lat`` and ``lon`` (0-d for two scalars).

    Notes
    -----
    Vectorised: one ``shapely.contains_xy`` call on a prepared polygon (loaded and buffered once
    per process), no Python loop over points.
    """
    lat_deg = np.asarray(lat, dtype=float)
    lon_deg = np.asarray(lon, dtype=float)
    return np.asarray(shapely.contains_xy(_tolerant_outline(), lon_deg, lat_deg), dtype=bool)


def distance_to_border_m(lat, lon) -> np.ndarray:
    """Signed distance [m] from a point to the outline: positive inside, negative outside.

    Measured in a local equirectangular projection true at each point's latitude (exact to well
    under 1 % within a few km of the point). One point at a time: for measurements, not intake.
    """
    lat_deg = np.atleast_1d(np.asarray(lat, dtype=float))
    lon_deg = np.atleast_1d(np.asarray(lon, dtype=float))
    border = outline()
    out = np.empty(np.broadcast(lat_deg, lon_deg).shape)
    for i, (la, lo) in enumerate(np.broadcast(lat_deg, lon_deg)):
        scale = np.array([np.cos(np.radians(la)) * M_PER_DEG, M_PER_DEG])
        local = shapely.transform(border, lambda xy, la=la, lo=lo, s=scale: (xy - [lo, la]) * s)
        d = shapely.distance(local.exterior, shapely.Point(0.0, 0.0))
        out.flat[i] = d if shapely.contains_xy(local, 0.0, 0.0) else -d
    return out


@lru_cache(maxsize=2)
def admin_areas(level: str = "powiat") -> tuple[tuple[str, shapely.Geometry], ...]:
    """Named administrative areas for drawing maps: ``"powiat"`` (380) or ``"voivodeship"`` (16).

    The strongly simplified ("min") PRG shapes of ppatrzyk/polska-geojson (see
    ``energy/data/boundaries/SOURCES.md``): good for context on a map, not for point tests
    (use :func:`in_poland`). Invalid source rings are repaired with ``make_valid``.
    """
    name = {"powiat": "powiaty-min.geojson", "voivodeship": "wojewodztwa-min.geojson"}[level]
    path = resources.files("energy.data").joinpath("boundaries", name)
    with path.open("r", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return tuple(
        (str(f["properties"].get("nazwa", "")), shapely.make_valid(shape(f["geometry"]))) for f in features
    )
