"""Rooftop PV potential of a building inventory: usable roof -> kWp -> hourly yield ->
self-consumption -> value under net-billing. Vectorised over buildings.

Public API (re-exported here): :class:`PVParams`, :class:`PVInputError`,
:func:`usable_roof_area`, :func:`installable_kwp`, :func:`simulate_ac`,
:func:`self_consumption`, :func:`net_billing_value`, :func:`rooftop_pv`.

Existing PV (``existing_pv_kwp``) is assumed to sit on the same usable roof with the same
orientation: it is subtracted from the installable capacity (the result is the *additional*
potential), its output is simulated and first covers the building's load, and the new PV is
self-consumed only against the load that remains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from energy.carriers import carrier_table
from energy.pv.params import PVInputError, PVParams
from energy.pv.roof import installable_kwp, normalise_roof_type, usable_roof_area
from energy.pv.validate import check_range, numeric_column
from energy.pv.value import monthly_export_value, net_billing_value, self_consumption
from energy.pv.yields import iter_ac_chunks, roof_losses_pct, simulate_ac, site_sun

__all__ = [
    "PVInputError",
    "PVParams",
    "installable_kwp",
    "net_billing_value",
    "rooftop_pv",
    "self_consumption",
    "simulate_ac",
    "usable_roof_area",
]

MONTH_COLUMNS = [f"pv_yield_kwh_month_{m:02d}" for m in range(1, 13)]


def _column(buildings: pd.DataFrame, name: str) -> np.ndarray:
    return numeric_column(buildings, name)


def _check_load(load_kwh, n_hours: int, n: int) -> np.ndarray:
    load = np.asarray(load_kwh, dtype=float)
    if load.shape != (n_hours, n):
        raise PVInputError(f"load_kwh: shape {load.shape}, expected (hours, buildings) = ({n_hours}, {n})")
    bad = ~np.isfinite(load) | (load < 0)
    if bad.any():
        h, j = np.unravel_index(int(bad.argmax()), load.shape)
        raise PVInputError(
            f"load_kwh: hour {h}, building column {j}: {load[h, j]} is not a finite value >= 0"
        )
    return load


@dataclass
class _Roofs:
    """What each building's roof takes: module area, orientation, flat or not, shading, the
    installed capacity and the capacity that can be added [kWp], and each building's warnings."""

    usable: np.ndarray
    tilt: np.ndarray
    azimuth: np.ndarray
    flat: np.ndarray
    shading: np.ndarray
    existing: np.ndarray
    new_kwp: np.ndarray
    warnings: list[list[str]]


def _roofs(buildings: pd.DataFrame, params: PVParams) -> _Roofs:
    if not isinstance(buildings, pd.DataFrame):
        raise PVInputError(f"buildings: expected a DataFrame, got {type(buildings).__name__}")
    if "roof_type" not in buildings.columns:
        raise PVInputError("buildings: missing column 'roof_type'")
    labels = list(buildings.index)
    heated, storeys = _column(buildings, "heated_area_m2"), _column(buildings, "storeys")
    check_range(heated, "heated_area_m2", 0.0, np.inf, labels, allow_nan=True)
    check_range(storeys, "storeys", 1.0, 200.0, labels, allow_nan=True)
    footprint = heated * params.gross_to_heated_area_ratio / storeys
    shading = _column(buildings, "roof_shading_factor")
    usable, tilt, azimuth, warnings = usable_roof_area(
        _column(buildings, "roof_area_m2"),
        buildings["roof_type"].to_numpy(),
        footprint,
        _column(buildings, "roof_tilt_deg"),
        _column(buildings, "roof_azimuth_deg"),
        shading,
        params,
        labels,
    )
    flat = normalise_roof_type(buildings["roof_type"].to_numpy(), labels) == "flat"
    potential_kwp = installable_kwp(usable, params)
    existing = np.nan_to_num(_column(buildings, "existing_pv_kwp"))
    check_range(existing, "existing_pv_kwp", 0.0, np.inf, labels)
    new_kwp = np.maximum(potential_kwp - existing, 0.0)
    for i in np.flatnonzero((existing > 0) & (existing >= potential_kwp)):
        warnings[i].append(
            f"existing PV {existing[i]:g} kWp already uses the usable roof ({potential_kwp[i]:.1f} kWp)"
        )
    return _Roofs(usable, tilt, azimuth, flat, shading, existing, new_kwp, warnings)


def _hourly_price(rce_pln_per_kwh_hourly, sun) -> np.ndarray | None:
    """The hourly market price RCE of the daylight rows [PLN/kWh], if given."""
    if rce_pln_per_kwh_hourly is None:
        return None
    hourly_price = np.asarray(rce_pln_per_kwh_hourly, float)
    if hourly_price.shape != (sun.n_hours,) or not np.isfinite(hourly_price).all():
        raise PVInputError(f"rce_pln_per_kwh_hourly: {sun.n_hours} finite hourly prices expected")
    return hourly_price[sun.day_rows]


@dataclass
class _Flows:
    """Yearly and monthly energy per building [kWh/kWp or kWh]: NaN (self-consumption, export,
    import) without a load profile."""

    specific: np.ndarray
    monthly: np.ndarray
    sc_new: np.ndarray
    exported: np.ndarray
    imported: np.ndarray
    exported_month: np.ndarray
    market_value: np.ndarray
    sc_existing: np.ndarray
    exported_existing: np.ndarray


def _flows(sun, roofs: _Roofs, load, month_matrix, hourly_price, params: PVParams) -> _Flows:
    """Hour by hour, in chunks of buildings: the output per kWp, and with a load the installed array's
    output first covers it, the new array's then the rest; what is left over is exported."""
    n = len(roofs.existing)
    existing, new_kwp = roofs.existing, roofs.new_kwp
    specific = np.zeros(n)
    monthly = np.zeros((n, 12))
    sc_new, exported, imported = (np.full(n, np.nan) for _ in range(3))
    exported_month = np.full((n, 12), np.nan)
    market_value = np.zeros(n)
    sc_existing, exported_existing = np.zeros(n), np.zeros(n)
    loss = roof_losses_pct(roofs.shading, params, n)
    for idx, ac in iter_ac_chunks(sun, roofs.tilt, roofs.azimuth, roofs.flat, loss, params):
        specific[idx] = ac.sum(axis=0)
        monthly[idx] = (month_matrix @ ac).T
        if load is not None:
            day_load = load[sun.day_rows, idx]
            existing_ac = ac * existing[idx]
            residual = np.maximum(day_load - existing_ac, 0.0)
            new_ac = ac * new_kwp[idx]
            sc_new[idx] = np.minimum(new_ac, residual).sum(axis=0)
            exported[idx] = new_ac.sum(axis=0) - sc_new[idx]
            export_h = new_ac - np.minimum(new_ac, residual)
            exported_month[idx] = (month_matrix @ export_h).T
            if hourly_price is not None:
                market_value[idx] = hourly_price @ export_h
            existing_sc = np.minimum(existing_ac, day_load).sum(axis=0)
            sc_existing[idx] = existing_sc
            exported_existing[idx] = existing_ac.sum(axis=0) - existing_sc
            imported[idx] = load[:, idx].sum(axis=0) - existing_sc - sc_new[idx]
    return _Flows(
        specific,
        monthly,
        sc_new,
        exported,
        imported,
        exported_month,
        market_value,
        sc_existing,
        exported_existing,
    )


def _pv_table(
    index, roofs: _Roofs, flows: _Flows, has_load: bool, ratio, value, valued, retail
) -> pd.DataFrame:
    new_kwp, existing, specific = roofs.new_kwp, roofs.existing, flows.specific
    out = pd.DataFrame(
        {
            "pv_usable_roof_m2": roofs.usable,
            "pv_tilt_deg": roofs.tilt,
            "pv_azimuth_deg": roofs.azimuth,
            "pv_existing_kwp": existing,
            "pv_capacity_kwp": new_kwp,
            "pv_yield_kwh_per_year": specific * new_kwp,
            "pv_specific_yield_kwh_per_kwp": specific,
        },
        index=index,
    )
    out[MONTH_COLUMNS] = flows.monthly * new_kwp[:, None]
    out["pv_self_consumed_kwh_per_year"] = flows.sc_new
    out["pv_exported_kwh_per_year"] = flows.exported
    out["pv_imported_kwh_per_year"] = flows.imported
    out["pv_self_consumption_ratio"] = ratio
    out["pv_value_pln_per_year"] = value
    out["pv_export_value_pln_per_year"] = np.where(
        np.isfinite(value), valued["export_value_pln_per_year"], np.nan
    )
    out["pv_retail_price_pln_per_kwh"] = float(retail)
    out["pv_value_regime"] = valued["regime"]
    # The installed array's output: the energy balance takes its self-consumption off grid electricity.
    out["pv_existing_yield_kwh_per_year"] = specific * existing
    out["pv_existing_self_consumed_kwh_per_year"] = flows.sc_existing if has_load else np.nan
    out["pv_existing_exported_kwh_per_year"] = flows.exported_existing if has_load else np.nan
    out["warnings"] = roofs.warnings
    return out


def rooftop_pv(
    buildings: pd.DataFrame,
    weather_df: pd.DataFrame,
    lat: float,
    lon: float,
    altitude_m: float,
    load_kwh=None,
    params: PVParams | None = None,
    retail_price_pln_per_kwh: float | None = None,
    rcem_pln_per_kwh_by_month=None,
    rce_pln_per_kwh_hourly=None,
) -> pd.DataFrame:
    """Rooftop PV potential, yield, self-consumption and value per building at one site.

    Parameters
    ----------
    buildings : DataFrame
        One row per building. Used columns: ``roof_type`` (required), ``roof_area_m2``,
        ``roof_tilt_deg``, ``roof_azimuth_deg``, ``roof_shading_factor``, ``heated_area_m2``,
        ``storeys`` (footprint = heated area x gross/heated ratio / storeys), ``existing_pv_kwp``.
    weather_df : DataFrame
        Hourly ghi, dni, dhi [W/m^2], temp_air [degC], wind_speed [m/s], tz-aware index.
    lat, lon, altitude_m : float
        Site location [deg, deg, m].
    load_kwh : array (n_hours, n), optional
        Hourly electricity use of each building [kWh]; without it the self-consumption and
        value columns are NaN.
    params : PVParams, optional
    retail_price_pln_per_kwh : float, optional
        Price the building buys grid electricity at [PLN/kWh], which self-consumption avoids; defaults to
        the electricity row of ``energy/data/carriers.csv`` (the price the energy model buys with).
    rcem_pln_per_kwh_by_month : array (12,), optional
        Monthly market prices RCEm [PLN/kWh] for the export; defaults to ``energy/data/pv_net_billing.csv``.
    rce_pln_per_kwh_hourly : array (n_hours,), optional
        Hourly market price RCE [PLN/kWh] of the weather year's hours; when given, export is valued hour
        by hour (net-billing from 1 July 2024) instead of by month.

    Returns
    -------
    DataFrame indexed like ``buildings`` with pv_usable_roof_m2 (module area), pv_tilt_deg,
    pv_azimuth_deg, pv_existing_kwp, pv_capacity_kwp (additional), pv_yield_kwh_per_year,
    pv_specific_yield_kwh_per_kwp, pv_yield_kwh_month_01..12, pv_self_consumed_kwh_per_year,
    pv_exported_kwh_per_year, pv_imported_kwh_per_year, pv_self_consumption_ratio,
    pv_value_pln_per_year and ``warnings`` (list of str per building).
    """
    params = params or PVParams()
    roofs = _roofs(buildings, params)
    n = len(buildings)
    sun = site_sun(weather_df, lat, lon, altitude_m, params)
    load = None if load_kwh is None else _check_load(load_kwh, sun.n_hours, n)
    months = weather_df.index.month.to_numpy()[sun.day_rows] - 1
    month_matrix = (np.arange(12)[:, None] == months[None, :]).astype(float)
    hourly_price = _hourly_price(rce_pln_per_kwh_hourly, sun)
    flows = _flows(sun, roofs, load, month_matrix, hourly_price, params)

    yield_kwh = flows.specific * roofs.new_kwp
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(yield_kwh > 0, flows.sc_new / yield_kwh, 0.0)
    if load is None:
        ratio = np.full(n, np.nan)
        value = np.full(n, np.nan)
        for w in roofs.warnings:
            w.append("no hourly load profile: self-consumption and value not computed")
    retail = (
        carrier_table().at["electricity", "price_pln_per_kwh"]
        if retail_price_pln_per_kwh is None
        else retail_price_pln_per_kwh
    )
    # the regime follows the installation at the connection: existing + added capacity
    valued = monthly_export_value(
        np.nan_to_num(flows.sc_new),
        np.nan_to_num(flows.exported_month),
        roofs.new_kwp + roofs.existing,
        retail,
        rcem_pln_per_kwh_by_month,
        flows.market_value if hourly_price is not None else None,
    )
    if load is not None:
        value = valued["value_pln_per_year"]
    return _pv_table(buildings.index, roofs, flows, load is not None, ratio, value, valued, retail)
