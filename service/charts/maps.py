"""A map of an assessment's buildings: position by lon/lat, circle area ∝ heated area, colour by EP/limit.

Projection: equirectangular about the buildings' mean latitude phi0 (Snyder 1987, "Map Projections —
A Working Manual", USGS PP 1395, p. 90): x = R (lon - lon0) cos(phi0), y = R (lat - lat0). Over a city
(< 50 km) the distortion against the true distance is far below a pixel at 600-900 px.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from service.charts.assessment import EP_UNIT, class_colours, frame_of, ratio_class, ratio_legend_items
from service.charts.errors import ChartInputError
from service.charts.i18n import tr
from service.charts.svg import document, esc, esc_array, legend, nice_step, num, p, wrap

# IUGG mean Earth radius R1 [km] (Moritz 2000, "Geodetic Reference System 1980", J. Geodesy 74, 128-133).
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG = EARTH_RADIUS_KM * math.pi / 180.0
WIDTH, HEIGHT = 860.0, 640.0
PLOT = (20.0, 70.0, 610.0, 560.0)  # left, top, right, bottom of the map frame [px]


def max_radius_px(n: int) -> float:
    """Radius of the largest circle: 22 px for a few dozen buildings, shrinking to 4 px for thousands."""
    return float(np.clip(140.0 / math.sqrt(max(n, 1)), 4.0, 22.0))


def project(lat: np.ndarray, lon: np.ndarray, box: tuple[float, float, float, float], margin_px: float):
    """Pixel positions of ``lat``/``lon`` [deg] fitted into ``box`` and the scale [px per km].

    Returns ``(x_px, y_px, px_per_km)``; one uniform scale on both axes so distances are true.
    """
    phi0 = math.radians(float(np.mean(lat)))
    east_km = (lon - lon.mean()) * math.cos(phi0) * KM_PER_DEG
    north_km = (lat - lat.mean()) * KM_PER_DEG
    left, top, right, bottom = box
    span_x = max(float(np.ptp(east_km)), 0.5)  # a lone building still gets a 0.5 km wide map
    span_y = max(float(np.ptp(north_km)), 0.5)
    scale = min((right - left - 2 * margin_px) / span_x, (bottom - top - 2 * margin_px) / span_y)
    cx_km = (east_km.max() + east_km.min()) / 2
    cy_km = (north_km.max() + north_km.min()) / 2
    x = (left + right) / 2 + (east_km - cx_km) * scale
    y = (top + bottom) / 2 - (north_km - cy_km) * scale
    return x, y, scale


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
    out = [f'<text class="lab" x="{p(x0)}" y="{p(y0)}">{esc(tr("Heated area [m²]"))}</text>']
    base, cx = y0 + 12 + 2 * r_max, x0
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


def assessment_map_svg(buildings: Sequence[dict[str, Any]] | pd.DataFrame, title: str = "") -> str:
    """The map. ``buildings``: ``building_id, name, lat, lon, heated_area_m2, ep_kwh_per_m2_year,
    ep_limit_kwh_per_m2_year, co2_t_per_year`` [deg, m², kWh/(m²·year), t/year].

    Circles are ``<circle class="building" data-id=..>`` with a ``<title>`` (name, EP, limit, CO2);
    larger ones are drawn first so that small ones stay visible. Buildings without coordinates are
    named in a note under the map.
    """
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
    unlocated = names[~located]
    g = (
        f[located]
        .assign(_area=area[located], _name=names[located])
        .sort_values("_area", ascending=False, kind="stable")
    )
    ep = pd.to_numeric(g["ep_kwh_per_m2_year"], errors="coerce").to_numpy(float)
    limit = pd.to_numeric(g["ep_limit_kwh_per_m2_year"], errors="coerce").to_numpy(float)
    co2 = pd.to_numeric(g["co2_t_per_year"], errors="coerce").to_numpy(float)
    classes = ratio_class(ep, limit)
    out = [
        '<text class="s" x="20" y="52">'
        + esc(tr("Circle area ∝ heated area; colour: EP / EP limit. Hover a circle for name, EP and CO₂."))
        + "</text>",
        f'<rect x="{PLOT[0]}" y="{PLOT[1]}" width="{PLOT[2] - PLOT[0]}" height="{PLOT[3] - PLOT[1]}" '
        'fill="#f3f5f7" stroke="#c8c8c8"/>',
    ]
    r_max = max_radius_px(len(g))
    if len(g):
        x, y, px_per_km = project(g["lat"].to_numpy(float), g["lon"].to_numpy(float), PLOT, r_max + 6)
        area_max = float(g["_area"].max())
        r = r_max * np.sqrt(g["_area"].to_numpy(float) / area_max)
        tips = (
            esc_array(g["_name"])
            + " ("
            + esc_array(g["building_id"])
            + ")&#10;EP "
            + np.array([num(v, 1) for v in ep], dtype=object)
            + " "
            + EP_UNIT
            + ", limit "
            + np.array([num(v, 0) for v in limit], dtype=object)
            + "&#10;CO₂ "
            + np.array([num(v, 1) for v in co2], dtype=object)
            + " t/year&#10;heated area "
            + np.array([num(v, 0) for v in g["_area"]], dtype=object)
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
            + class_colours(classes)
            + '" fill-opacity="0.9" stroke="#222" stroke-width="0.8"><title>'
            + tips
            + "</title></circle>"
        )
        out.append("".join(circles))
        out.append(_scale_bar(px_per_km, PLOT[0] + 16, PLOT[3] - 16))
        out.append(_size_legend(area_max, r_max, 640, 330))
    else:
        out.append(
            f'<text x="{(PLOT[0] + PLOT[2]) / 2}" y="{(PLOT[1] + PLOT[3]) / 2}" text-anchor="middle">'
            + esc(tr("No building has coordinates."))
            + "</text>"
        )
    out.append(f'<text class="lab" x="640" y="90">{esc(tr("EP / EP limit"))}</text>')
    out.append(legend(ratio_legend_items(classes), 640, 116, shape="circle", width=10))
    out.append(f'<text class="s" x="{PLOT[2] - 6}" y="{PLOT[3] - 10}" text-anchor="end">N ↑</text>')
    note_lines: list[str] = []
    if len(unlocated):
        shown = ", ".join(unlocated[:12]) + (
            tr(" and {n} more", n=len(unlocated) - 12) if len(unlocated) > 12 else ""
        )
        note_lines = wrap(
            tr("Not on the map, without coordinates ({n}): {names}.", n=len(unlocated), names=shown), 110
        )[:4]
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
