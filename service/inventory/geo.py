"""Is a WGS84 point in Poland? A bounding box and a coarse outer envelope of the border.

The test is the intersection of two shapes:

1. the bounding box 49.0-54.9 N, 14.1-24.2 E (Poland's extreme points are 49.00 N in the
   Bieszczady, 54.84 N at Jastrzębia Góra, 14.12 E at Osinów Dolny, 24.15 E near Zosin);
2. a hand-drawn polygon of 41 vertices that runs 5-20 km *outside* the state border (coast, the
   Kaliningrad, Lithuanian, Belarusian, Ukrainian, Slovak, Czech and German borders). It cuts off
   the parts of the box that are clearly abroad (Kaliningrad, Lviv, Žilina, Brno, Prague, Berlin's
   surroundings) while never rejecting a point in a Polish border town.

This is an engineering envelope drawn from a map for intake validation, not a surveyed border:
points up to ~20 km into a neighbouring country (for example central Ostrava or Liberec) pass.
"""

from __future__ import annotations

import numpy as np

BBOX_LAT_DEG = (49.0, 54.9)
BBOX_LON_DEG = (14.1, 24.2)

# (lon, lat) in degrees, clockwise from the north-west corner at Usedom.
POLAND_ENVELOPE_LON_LAT_DEG = np.array(
    [
        (14.05, 54.00), (15.50, 54.30), (16.80, 54.70), (17.60, 54.90), (18.40, 54.95),
        (18.95, 54.70), (19.70, 54.50), (22.85, 54.50), (23.75, 54.15), (24.20, 53.00),
        (23.85, 52.10), (23.80, 51.55), (24.35, 50.85), (24.25, 50.45), (23.85, 50.20),
        (23.15, 49.80), (22.90, 49.40), (22.95, 48.95), (22.00, 49.10), (21.20, 49.30),
        (20.60, 49.28), (20.05, 49.08), (19.50, 49.45), (18.95, 49.40), (18.75, 49.45),
        (18.50, 49.62), (18.10, 49.90), (17.75, 49.95), (17.30, 50.15), (16.80, 49.98),
        (16.05, 50.35), (16.00, 50.55), (15.70, 50.65), (15.30, 50.70), (14.70, 50.78),
        (14.75, 51.10), (14.55, 51.55), (14.55, 52.00), (14.40, 52.35), (14.00, 52.80),
        (14.10, 53.40), (14.05, 53.70),
    ]
)  # fmt: skip


def points_in_polygon(lon_deg, lat_deg, polygon_lon_lat: np.ndarray) -> np.ndarray:
    """Even-odd ray casting, vectorised over points (the loop runs over the polygon's edges).

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        Point coordinates [deg].
    polygon_lon_lat : ndarray of shape (n, 2)
        Polygon vertices (lon, lat) [deg], closed implicitly.

    Returns
    -------
    ndarray of bool
        True where the point lies inside.
    """
    x = np.asarray(lon_deg, dtype=float)
    y = np.asarray(lat_deg, dtype=float)
    inside = np.zeros(np.broadcast(x, y).shape, dtype=bool)
    xs, ys = polygon_lon_lat[:, 0], polygon_lon_lat[:, 1]
    for i in range(len(polygon_lon_lat)):
        x1, y1, x2, y2 = xs[i - 1], ys[i - 1], xs[i], ys[i]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_at_y = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at_y)
    return inside


def in_poland(lat_deg, lon_deg) -> np.ndarray:
    """True where a WGS84 point falls in Poland's bounding box and inside the coarse envelope.

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Latitude and longitude [deg, WGS84]; NaN gives False.

    Returns
    -------
    ndarray of bool
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    with np.errstate(invalid="ignore"):
        in_box = (
            (lat >= BBOX_LAT_DEG[0])
            & (lat <= BBOX_LAT_DEG[1])
            & (lon >= BBOX_LON_DEG[0])
            & (lon <= BBOX_LON_DEG[1])
        )
    return in_box & points_in_polygon(lon, lat, POLAND_ENVELOPE_LON_LAT_DEG)
