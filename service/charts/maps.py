"""A map of an assessment's buildings: position by lon/lat, circle area ∝ heated area, colour by EP/limit.

Projection: equirectangular about the buildings' mean latitude phi0 (Snyder 1987, "Map Projections —
A Working Manual", USGS PP 1395, p. 90): x = R (lon - lon0) cos(phi0), y = R (lat - lat0). Over a city
(< 50 km) the distortion against the true distance is far below a pixel at 600-900 px.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from energy.geo import admin_areas
from service.charts.assessment import EP_UNIT, class_colours, frame_of, ratio_class, ratio_legend_items
from service.charts.errors import ChartInputError
from service.charts.i18n import tr
from service.charts.svg import document, esc, esc_array, legend, nice_step, num, num_array, p, shorten, wrap

# IUGG mean Earth radius R1 [km] (Moritz 2000, "Geodetic Reference System 1980", J. Geodesy 74, 128-133).
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG = EARTH_RADIUS_KM * math.pi / 180.0
WIDTH, HEIGHT = 860.0, 640.0
PLOT = (20.0, 70.0, 610.0, 560.0)  # left, top, right, bottom of the map frame [px]
LABELLED = 5  # the largest buildings are named on the map


def max_radius_px(n: int) -> float:
    """Radius of the largest circle: 22 px for a few dozen buildings, shrinking to 4 px for thousands."""
    return float(np.clip(140.0 / math.sqrt(max(n, 1)), 4.0, 22.0))


def project(lat: np.ndarray, lon: np.ndarray, box: tuple[float, float, float, float], margin_px: float):
    """Pixel positions of ``lat``/``lon`` [deg] fitted into ``box`` and the scale [px per km].

    Returns ``(x_px, y_px, px_per_km)``; one uniform scale on both axes so distances are true.
    """
    to_px, scale = projector(lat, lon, box, margin_px)
    x, y = to_px(lon, lat)
    return x, y, scale


def projector(lat: np.ndarray, lon: np.ndarray, box: tuple[float, float, float, float], margin_px: float):
    """The projection :func:`project` fits to the points: ``(to_px(lon, lat) -> (x, y), px_per_km)``,
    so that other features (administrative outlines) are drawn in the same frame."""
    phi0 = math.radians(float(np.mean(lat)))
    east_km = (lon - lon.mean()) * math.cos(phi0) * KM_PER_DEG
    north_km = (lat - lat.mean()) * KM_PER_DEG
    left, top, right, bottom = box
    span_x = max(float(np.ptp(east_km)), 0.5)  # a lone building still gets a 0.5 km wide map
    span_y = max(float(np.ptp(north_km)), 0.5)
    scale = min((right - left - 2 * margin_px) / span_x, (bottom - top - 2 * margin_px) / span_y)
    cx_km = (east_km.max() + east_km.min()) / 2
    cy_km = (north_km.max() + north_km.min()) / 2
    lon0, lat0, cos0 = float(lon.mean()), float(lat.mean()), math.cos(phi0)

    def to_px(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = (np.asarray(lon_deg, float) - lon0) * cos0 * KM_PER_DEG
        n = (np.asarray(lat_deg, float) - lat0) * KM_PER_DEG
        return (left + right) / 2 + (e - cx_km) * scale, (top + bottom) / 2 - (n - cy_km) * scale

    return to_px, scale


def admin_outlines(to_px, px_per_km: float, box: tuple[float, float, float, float]) -> str:
    """The powiat borders (GUGiK PRG, simplified) crossing the map frame, as thin grey paths, and the
    names of the powiats whose centre is inside it. One path per powiat near the city (a handful)."""
    left, top, right, bottom = box
    # the frame's corners back in degrees: invert the linear projection through two probe points
    x0, y0 = to_px(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    lon_per_px, lat_per_px = 1.0 / (x0[1] - x0[0]), 1.0 / (y0[1] - y0[0])
    lon_a, lon_b = (left - x0[0]) * lon_per_px, (right - x0[0]) * lon_per_px
    lat_a, lat_b = (bottom - y0[0]) * lat_per_px, (top - y0[0]) * lat_per_px
    frame = shapely.box(min(lon_a, lon_b), min(lat_a, lat_b), max(lon_a, lon_b), max(lat_a, lat_b))
    out = ['<g class="admin" aria-hidden="true">']
    labels = []
    for name, geom in admin_areas("powiat"):
        if not geom.intersects(frame):
            continue
        for ring in _rings(shapely.intersection(shapely.boundary(geom), frame)):
            xs, ys = to_px(ring[:, 0], ring[:, 1])
            d = "M" + "L".join(f"{a:.1f} {b:.1f}" for a, b in zip(xs, ys, strict=True))
            out.append(
                f'<path d="{d}" fill="none" stroke="#9aa5b1" stroke-width="1" stroke-dasharray="4 3"/>'
            )
        centre = geom.representative_point()
        if frame.contains(centre):
            cx, cy = to_px(np.array([centre.x]), np.array([centre.y]))
            labels.append(f'<text class="s admin-name" x="{cx[0]:.1f}" y="{cy[0]:.1f}" text-anchor="middle" '
                          f'fill="#6b7785">{esc(name)}</text>')  # fmt: skip
    out.extend(labels)
    out.append("</g>")
    return "".join(out)


def building_labels(names: np.ndarray, x: np.ndarray, y: np.ndarray, r: np.ndarray) -> str:
    """Names of the largest buildings beside their circles, kept inside the frame (left of the circle
    near the right edge) and skipped where they would overlap a label already placed (greedy, at
    most :data:`LABELLED` labels). A white halo keeps them readable over outlines and circles."""
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for i, name in enumerate(names):
        text = shorten(str(name), 26)
        width = 6.6 * len(text)  # 12 px text: about 6.6 px per character
        right_side = x[i] + r[i] + 3 + width <= PLOT[2] - 4
        x0 = x[i] + r[i] + 3 if right_side else x[i] - r[i] - 3 - width
        box = (x0, y[i] - 9, x0 + width, y[i] + 5)
        if x0 < PLOT[0] + 2 or any(
            not (box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3]) for b in placed
        ):
            continue
        placed.append(box)
        anchor = "start" if right_side else "end"
        tx = x[i] + r[i] + 3 if right_side else x[i] - r[i] - 3
        out.append(
            f'<text class="val building-name" x="{tx:.1f}" y="{y[i] + 4:.1f}" text-anchor="{anchor}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{esc(text)}</text>'
        )
    return "".join(out)


def _rings(geom) -> list[np.ndarray]:
    """Coordinate arrays of every line part of ``geom`` (a line, lines, or a collection of them)."""
    parts = shapely.get_parts(shapely.get_parts(geom))  # two levels: collection -> multiline -> line
    return [shapely.get_coordinates(g) for g in parts if g.geom_type == "LineString"]


def _scale_bar(px_per_km: float, x0: float, y0: float) -> str:
    km = nice_step(130.0 / px_per_km, 1)
    length = km * px_per_km
    text = f"{km * 1000:.0f} m" if km < 1 else f"{km:g} km"
    return (
        f'<g class="scalebar" data-km="{km:g}" data-px="{length:.3f}">'
        f'<path d="M{p(x0)} {p(y0 - 5)}V{p(y0)}H{p(x0 + length)}V{p(y0 - 5)}" stroke="#222" '
        f'stroke-width="2" fill="none"/>'
        f'<text class="s" x="{p(x0 + length / 2)}" y="{p(y0 + 16)}" text-anchor="middle">{text}</text></g>'
    )


def reference_areas(area_max: float) -> list[float]:
    """Up to three round areas (1/2/5 x 10^k) for the size key: the largest <= ``area_max``, then
    round areas at most a quarter and a sixteenth of it."""
    out: list[float] = []
    limit = area_max
    for _ in range(3):
        k = 10.0 ** math.floor(math.log10(limit))
        out.append(max(m * k for m in (1.0, 2.0, 5.0) if m * k <= limit * (1 + 1e-9)))
        limit = out[-1] / 4
    return out


def _size_legend(area_max: float, r_max: float, x0: float, y0: float) -> str:
    """Reference circles side by side on one baseline, labelled underneath."""
    lines = wrap(tr("Heated area [m²]"), 22)  # the legend column is ~210 px wide: long titles wrap
    out = [
        f'<text class="lab" x="{p(x0)}" y="{p(y0 + 18 * i)}">{esc(line)}</text>'
        for i, line in enumerate(lines)
    ]
    base, cx = y0 + 18 * (len(lines) - 1) + 12 + 2 * r_max, x0
    for a in reference_areas(area_max):
        r = r_max * math.sqrt(a / area_max)
        cx += max(r, 16)
        out.append(
            f'<circle class="size-key" data-area-m2="{a:g}" cx="{p(cx)}" cy="{p(base - r)}" r="{p(r)}" '
            f'fill="none" stroke="#333"/>'
            f'<text class="s" x="{p(cx)}" y="{p(base + 18)}" text-anchor="middle">{num(a)}</text>'
        )
        cx += max(r, 16) + 14
    return "".join(out)


@dataclass(frozen=True)
class _MapRows:
    """The buildings with coordinates, largest heated area first (``g``, with ``_area`` and
    ``_name``), their EP, limit, CO2 and EP/limit class, and the names of those without coordinates."""

    g: pd.DataFrame
    ep: np.ndarray
    limit: np.ndarray
    co2: np.ndarray
    classes: np.ndarray
    unlocated: np.ndarray


def _map_rows(buildings: Sequence[dict[str, Any]] | pd.DataFrame) -> _MapRows:
    need = [
        "building_id",
        "heated_area_m2",
        "ep_kwh_per_m2_year",
        "ep_limit_kwh_per_m2_year",
        "co2_t_per_year",
    ]
    f = frame_of(buildings, need, "buildings")
    for col in ("lat", "lon", "name"):
        if col not in f:
            f[col] = np.nan
    area = pd.to_numeric(f["heated_area_m2"], errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~(np.isfinite(area) & (area > 0)))
    if bad.size:
        raise ChartInputError(
            f"heated_area_m2: building {f['building_id'].iloc[bad[0]]} (row {bad[0] + 1}) needs a positive area",
            field="heated_area_m2",
            row=int(bad[0]) + 1,
        )
    lat = pd.to_numeric(f["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(f["lon"], errors="coerce").to_numpy(float)
    located = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    names = f["name"].where(f["name"].notna(), f["building_id"]).astype(str).to_numpy()
    g = (
        f[located]
        .assign(_area=area[located], _name=names[located])
        .sort_values("_area", ascending=False, kind="stable")
    )
    ep = pd.to_numeric(g["ep_kwh_per_m2_year"], errors="coerce").to_numpy(float)
    limit = pd.to_numeric(g["ep_limit_kwh_per_m2_year"], errors="coerce").to_numpy(float)
    co2 = pd.to_numeric(g["co2_t_per_year"], errors="coerce").to_numpy(float)
    return _MapRows(g, ep, limit, co2, ratio_class(ep, limit), names[~located])


def _map_buildings(rows: _MapRows) -> list[str]:
    """Outlines, one circle per building (largest first, with its tooltip), the largest ones' names,
    the scale bar and the size legend."""
    g = rows.g
    r_max = max_radius_px(len(g))
    to_px, px_per_km = projector(g["lat"].to_numpy(float), g["lon"].to_numpy(float), PLOT, r_max + 6)
    x, y = to_px(g["lon"].to_numpy(float), g["lat"].to_numpy(float))
    area_max = float(g["_area"].max())
    r = r_max * np.sqrt(g["_area"].to_numpy(float) / area_max)
    tips = (
        esc_array(g["_name"])
        + " ("
        + esc_array(g["building_id"])
        + ")&#10;EP "
        + num_array(rows.ep, 1)
        + " "
        + EP_UNIT
        + ", limit "
        + num_array(rows.limit, 0)
        + "&#10;CO₂ "
        + num_array(rows.co2, 1)
        + " t/year&#10;heated area "
        + num_array(g["_area"], 0)
        + " m²"
    )
    circles = (
        '<circle class="building" data-id="'
        + esc_array(g["building_id"])
        + '" data-area-m2="'
        + np.char.mod("%.6g", g["_area"].to_numpy(float)).astype(object)
        + '" cx="'
        + p(x).astype(object)
        + '" cy="'
        + p(y).astype(object)
        + '" r="'
        + np.char.mod("%.2f", r).astype(object)
        + '" fill="'
        + class_colours(rows.classes)
        + '" fill-opacity="0.9" stroke="#222" stroke-width="0.8"><title>'
        + tips
        + "</title></circle>"
    )
    return [
        admin_outlines(to_px, px_per_km, PLOT),
        "".join(circles),
        building_labels(g["_name"].to_numpy()[:LABELLED], x, y, r),
        _scale_bar(px_per_km, PLOT[0] + 16, PLOT[3] - 16),
        _size_legend(area_max, r_max, 640, 330),
    ]


def _unlocated_note(unlocated: np.ndarray) -> list[str]:
    """Up to 4 lines naming the buildings without coordinates (none when all have them)."""
    if not len(unlocated):
        return []
    shown = ", ".join(unlocated[:12]) + (
        tr(" and {n} more", n=len(unlocated) - 12) if len(unlocated) > 12 else ""
    )
    return wrap(
        tr("Not on the map, without coordinates ({n}): {names}.", n=len(unlocated), names=shown), 110
    )[:4]


def assessment_map_svg(buildings: Sequence[dict[str, Any]] | pd.DataFrame, title: str = "") -> str:
    """The map. ``buildings``: ``building_id, name, lat, lon, heated_area_m2, ep_kwh_per_m2_year,
    ep_limit_kwh_per_m2_year, co2_t_per_year`` [deg, m², kWh/(m²·year), t/year].

    Circles are ``<circle class="building" data-id=..>`` with a ``<title>`` (name, EP, limit, CO2);
    larger ones are drawn first so that small ones stay visible. Buildings without coordinates are
    named in a note under the map.
    """
    rows = _map_rows(buildings)
    g, classes, unlocated = rows.g, rows.classes, rows.unlocated
    out = [
        '<text class="s" x="20" y="52">'
        + esc(tr("Circle area ∝ heated area; colour: EP / EP limit. Hover a circle for name, EP and CO₂."))
        + "</text>",
        f'<rect x="{PLOT[0]}" y="{PLOT[1]}" width="{PLOT[2] - PLOT[0]}" height="{PLOT[3] - PLOT[1]}" '
        'fill="#f3f5f7" stroke="#c8c8c8"/>',
    ]
    if len(g):
        out += _map_buildings(rows)
    else:
        out.append(
            f'<text x="{(PLOT[0] + PLOT[2]) / 2}" y="{(PLOT[1] + PLOT[3]) / 2}" text-anchor="middle">'
            + esc(tr("No building has coordinates."))
            + "</text>"
        )
    out.append(f'<text class="lab" x="640" y="90">{esc(tr("EP / EP limit"))}</text>')
    out.append(legend(ratio_legend_items(classes), 640, 116, shape="circle", width=10))
    out.append(f'<text class="s" x="{PLOT[2] - 6}" y="{PLOT[3] - 10}" text-anchor="end">N ↑</text>')
    note_lines = _unlocated_note(unlocated)
    for i, line in enumerate(note_lines):
        out.append(f'<text class="s note" x="20" y="{PLOT[3] + 24 + 18 * i}">{esc(line)}</text>')
    met = int((classes == 0).sum())
    desc = (
        tr(
            "Map of {n} buildings placed by longitude and latitude; circle area is proportional to heated area, "
            "colour to EP divided by the EP limit. {met} of {n} meet their limit.",
            n=len(g),
            met=met,
        )
        +
        # fmt: skip
        (
            tr(" {n} building(s) have no coordinates and are listed under the map.", n=len(unlocated))
            if len(unlocated)
            else ""
        )
    )
    height = HEIGHT + max(0, 18 * len(note_lines) - 40)
    return document(WIDTH, height, title or tr("Buildings of the assessment"), desc, "".join(out), "map")
