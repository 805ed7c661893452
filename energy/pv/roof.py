"""Usable roof area and installable PV capacity, vectorised over roofs.

Rules (defaults and their sources in ``energy/data/pv_parameters.csv``):

* **flat roofs** (``roof_type`` flat): the roof is taken as a rectangle of aspect ratio
  ``flat_roof_aspect_ratio``; an edge setback ``flat_roof_setback_m`` is removed on all sides,
  then a share ``flat_roof_obstruction_fraction`` for skylights, HVAC and paths. Modules are
  racked at ``flat_roof_tilt_deg`` facing south in rows at ground coverage ratio ``flat_roof_gcr``,
  so the module area is ``gcr`` times the set-back roof area.
* **pitched roofs** (mono, gable, hip): of the planes implied by the roof type (mono: the given
  azimuth; gable: it and the opposite one; hip: four planes at 90 deg), the plane facing closest
  to south is used. Its share of the roof area is ``roof_plane_fraction_<type>``, of which
  ``pitched_plane_usable_fraction`` takes modules mounted flush. A mono-pitch roof facing north
  of east-west gets no modules.
* roofs more shaded than ``max_shading_factor`` are unsuitable (zero area, with a warning).
* a roof area above ``roof_to_footprint_tolerance * footprint / cos(tilt)`` gives a warning (the
  city's figure is kept); a missing roof area is estimated as ``footprint / cos(tilt)``.

The returned usable area is the **module area** that fits [m^2]; ``installable_kwp`` turns it
into STC capacity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy.pv.params import PVInputError, PVParams, load_pv_defaults
from energy.pv.validate import as_float_array, check_range

ROOF_TYPES = {
    "flat": "flat",
    "płaski": "flat",
    "plaski": "flat",
    "mono": "mono",
    "shed": "mono",
    "jednospadowy": "mono",
    "gable": "gable",
    "pitched": "gable",
    "dwuspadowy": "gable",
    "hip": "hip",
    "czterospadowy": "hip",
    "kopertowy": "hip",
}
_PLANES = {"mono": (0.0,), "gable": (0.0, 180.0), "hip": (0.0, 90.0, 180.0, 270.0)}


def normalise_roof_type(roof_type, labels=None) -> np.ndarray:
    """Map roof type names (English or Polish) to 'flat' | 'mono' | 'gable' | 'hip'."""
    raw = pd.Series(np.atleast_1d(np.asarray(roof_type, dtype=object)))
    out = raw.astype(str).str.strip().str.lower().map(ROOF_TYPES)
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(bad.argmax())
        row = labels[i] if labels is not None else i
        raise PVInputError(
            f"row {row!r}, field 'roof_type': {raw.iloc[i]!r} not one of {sorted(set(ROOF_TYPES))}"
        )
    return out.to_numpy(dtype=object)


def _south_most_plane(kind: np.ndarray, azimuth: np.ndarray):
    """Azimuth of the plane closest to south and its deviation from south [deg]."""
    best_az = azimuth.copy()
    best_dev = np.abs(((azimuth - 180.0 + 180.0) % 360.0) - 180.0)
    for k, offsets in _PLANES.items():
        sel = kind == k
        for off in offsets[1:]:
            cand = (azimuth + off) % 360.0
            dev = np.abs(((cand - 180.0 + 180.0) % 360.0) - 180.0)
            better = sel & (dev < best_dev)
            best_az = np.where(better, cand, best_az)
            best_dev = np.where(better, dev, best_dev)
    return best_az, best_dev


class _Warnings(list):
    """Per roof, what was assumed or looks wrong: ``add(mask, text, **values)`` appends ``text``
    (a format string over ``values``, each an array per roof or one value) to every roof in ``mask``."""

    def add(self, mask, text: str, **values) -> None:
        for i in np.flatnonzero(mask):
            self[i].append(text.format(**{k: v[i] if np.ndim(v) else v for k, v in values.items()}))


def _roof_inputs(roof_area_m2, footprint_m2, tilt, azimuth, shading_factor, n: int, labels: list):
    """The roofs' area, footprint, tilt, azimuth and shading as float arrays, each in its range."""
    nan = np.full(n, np.nan)
    area = as_float_array(roof_area_m2, "roof_area_m2", n)
    foot = nan if footprint_m2 is None else as_float_array(footprint_m2, "footprint_m2", n)
    roof_tilt = nan if tilt is None else as_float_array(tilt, "roof_tilt_deg", n)
    roof_az = nan if azimuth is None else as_float_array(azimuth, "roof_azimuth_deg", n)
    shade = (
        np.zeros(n) if shading_factor is None else as_float_array(shading_factor, "roof_shading_factor", n)
    )
    check_range(area, "roof_area_m2", 0.0, np.inf, labels, allow_nan=True)
    check_range(foot, "footprint_m2", 0.0, np.inf, labels, allow_nan=True)
    check_range(roof_tilt, "roof_tilt_deg", 0.0, 90.0, labels, allow_nan=True)
    check_range(roof_az, "roof_azimuth_deg", 0.0, 360.0, labels, allow_nan=True)
    check_range(shade, "roof_shading_factor", 0.0, 1.0, labels, allow_nan=True)
    return area, foot, roof_tilt, roof_az, shade


def _roof_area(area, foot, slope_factor, params: PVParams, labels: list, warnings: _Warnings) -> np.ndarray:
    """The roof area, estimated from the footprint where unknown; an error where neither is known,
    a warning where it is larger than the footprint allows."""
    estimated = np.isnan(area) & ~np.isnan(foot)
    area = np.where(estimated, foot * slope_factor, area)
    warnings.add(estimated, "roof_area_m2 missing: {a:.0f} m2 estimated from the footprint", a=area)
    missing = np.isnan(area)
    if missing.any():
        i = int(missing.argmax())
        raise PVInputError(
            f"row {labels[i]!r}, field 'roof_area_m2': missing and no footprint to estimate it"
        )
    limit = params.roof_to_footprint_tolerance * foot * slope_factor
    too_big = ~np.isnan(foot) & (area > limit)
    warnings.add(
        too_big, "roof_area_m2 {a:.0f} larger than the footprint allows (max ~{lim:.0f} m2); kept as given",
        a=area, lim=limit,
    )  # fmt: skip
    return area


def _flat_usable_m2(area, params: PVParams) -> np.ndarray:
    """Flat roofs: rectangle with edge setback, obstructions, rows at the ground coverage ratio."""
    r, s = params.flat_roof_aspect_ratio, params.flat_roof_setback_m
    length, width = np.sqrt(area * r), np.sqrt(area / r)
    set_back = np.maximum(length - 2 * s, 0) * np.maximum(width - 2 * s, 0)
    return set_back * (1 - params.flat_roof_obstruction_fraction) * params.flat_roof_gcr


def _pitched_usable_m2(kind, flat, area, roof_az, params: PVParams, defaults: dict, warnings: _Warnings):
    """Pitched roofs: the plane facing closest to south; returns its usable area and azimuth."""
    az_known = np.where(np.isnan(roof_az), 180.0, roof_az)
    plane_az, dev = _south_most_plane(kind, az_known)
    fraction = np.select(
        [kind == "mono", kind == "gable", kind == "hip"],
        [defaults[f"roof_plane_fraction_{k}"] for k in ("mono", "gable", "hip")],
        0.0,
    )
    north = ~flat & (dev > 90.0)
    pitched_m2 = np.where(north, 0.0, area * fraction * params.pitched_plane_usable_fraction)
    warnings.add(north, "mono-pitch roof faces north: no PV")
    warnings.add(~flat & ~north & (dev >= 67.5), "best roof plane faces east or west: low specific yield")
    return pitched_m2, plane_az


def usable_roof_area(
    roof_area_m2,
    roof_type,
    footprint_m2=None,
    tilt=None,
    azimuth=None,
    shading_factor=None,
    params: PVParams | None = None,
    labels=None,
):
    """Module area that fits on each roof, and the modules' tilt and azimuth.

    Parameters
    ----------
    roof_area_m2 : array (n,)
        Roof area [m^2] (sloped area of all planes); NaN = unknown (estimated from footprint).
    roof_type : array (n,) of str
        'flat', 'mono', 'gable', 'hip' (also 'pitched' = gable and Polish names).
    footprint_m2 : array (n,), optional
        Building footprint [m^2]; NaN = unknown.
    tilt, azimuth : array (n,), optional
        Roof pitch [deg, 0..90] and azimuth of a roof plane [deg, 0..360, 180 = south]; NaN =
        unknown (pitched: ``pitched_default_tilt_deg`` and a south-facing plane are assumed).
    shading_factor : array (n,), optional
        Share of irradiation lost to shading [-, 0..1].
    params : PVParams, optional
    labels : sequence, optional
        Row labels used in error and warning messages (default: positions).

    Returns
    -------
    usable_m2 : ndarray (n,)
        Module area that fits [m^2].
    tilt_deg, azimuth_deg : ndarray (n,)
        Module tilt and azimuth [deg].
    warnings : list of list of str
        Per roof, what was assumed or looks wrong.
    """
    params = params or PVParams()
    defaults = load_pv_defaults()
    kind = normalise_roof_type(roof_type, labels)
    n = kind.size
    labels = list(labels) if labels is not None else list(range(n))
    area, foot, roof_tilt, roof_az, shade = _roof_inputs(
        roof_area_m2, footprint_m2, tilt, azimuth, shading_factor, n, labels
    )
    warnings = _Warnings([] for _ in range(n))
    flat = kind == "flat"
    warnings.add(
        ~flat & np.isnan(roof_tilt), f"roof_tilt_deg missing: {params.pitched_default_tilt_deg:g} deg assumed"
    )
    warnings.add(~flat & np.isnan(roof_az), "roof_azimuth_deg missing: a south-facing plane assumed")
    warnings.add(np.isnan(shade), "roof_shading_factor missing: default PVWatts shading loss used")
    pitch = np.where(flat, np.where(np.isnan(roof_tilt), 0.0, roof_tilt), roof_tilt)
    pitch = np.where(np.isnan(pitch), params.pitched_default_tilt_deg, pitch)
    slope_factor = 1.0 / np.cos(np.radians(np.minimum(pitch, 89.0)))
    area = _roof_area(area, foot, slope_factor, params, labels, warnings)
    flat_m2 = _flat_usable_m2(area, params)
    pitched_m2, plane_az = _pitched_usable_m2(kind, flat, area, roof_az, params, defaults, warnings)

    too_shaded = np.nan_to_num(shade) > params.max_shading_factor
    warnings.add(
        too_shaded,
        f"roof_shading_factor {{sh:.2f}} above {params.max_shading_factor:g}: unsuitable",
        sh=shade,
    )
    usable = np.where(flat, flat_m2, pitched_m2)
    usable = np.where(too_shaded, 0.0, usable)
    tilt_out = np.where(flat, params.flat_roof_tilt_deg, pitch)
    az_out = np.where(flat, params.flat_roof_azimuth_deg, plane_az)
    return usable, tilt_out, az_out, list(warnings)


def installable_kwp(usable_m2, params: PVParams | None = None) -> np.ndarray:
    """STC capacity of the module area: ``kWp = A [m^2] * efficiency * 1 kW/m^2`` [kWp]."""
    params = params or PVParams()
    area = as_float_array(usable_m2, "usable_m2")
    check_range(area, "usable_m2", 0.0, np.inf)
    return area * params.module_efficiency
