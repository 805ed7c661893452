"""Assessment chain: inventory rows -> defaults -> climate -> monthly balance -> carriers ->
primary energy, EP, CO2, cost -> calibration -> rooftop PV. Vectorised over buildings; the only
loops are over climate stations (at most 19 packaged sites) and carriers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from energy import ENGINE_VERSION, calibration, carriers, district_heat, typology
from energy import balance as bal
from energy.climate import Climate, load_station, monthly_climate, nearest_station, pv_climate
from energy.errors import OutsideClimateError, ParameterError
from energy.geo import in_poland
from energy.pv import value as pv_value

MONTH_COLS = [f"heating_need_kwh_month_{m:02d}" for m in range(1, 13)]
SUM_COLS = [
    "heated_area_m2", "heating_need_kwh_per_year", "cooling_need_kwh_per_year", "dhw_need_kwh_per_year",
    "lighting_kwh_per_year", "equipment_kwh_per_year", "ventilation_fans_kwh_per_year",
    "auxiliary_electricity_kwh_per_year",
    *[f"final_{c}_kwh_per_year" for c in carriers.CARRIERS],
    "primary_nonrenewable_kwh_per_year", "co2_t_per_year", "cost_pln_per_year",
    "pv_capacity_kwp", "pv_yield_kwh_per_year", "pv_self_consumed_kwh_per_year", "pv_value_pln_per_year",
]  # fmt: skip


@dataclass
class AssessmentParams:
    """Parameters of an assessment (all optional; defaults are the sourced data files).

    prices_pln_per_kwh, co2_kg_per_kwh, w_primary : per-carrier overrides {carrier: value}
    grid_co2_kg_per_kwh : grid electricity CO2 factor [kg/kWh] (overrides the KOBiZE default)
    include_pv : run :mod:`energy.pv` when present
    pv_params : ``energy.pv.PVParams`` or None for its defaults
    pv_climate : 'scaled' (ministry year scaled to PVGIS-SARAH3, default) or 'ministry'
    hdd_by_year : {year: HDD base 15 degC [K day]} of the city for weather-normalising meters
    district_heat_network : network type of every district-heated building (see energy.district_heat)
    rcem_pln_per_mwh_by_month : 12 monthly market prices RCEm [PLN/MWh] for PV export (default: packaged)
    rce_pln_per_mwh_hourly : hourly market prices RCE [PLN/MWh] of the climate year; values export hourly
    """

    prices_pln_per_kwh: dict[str, float] = field(default_factory=dict)
    co2_kg_per_kwh: dict[str, float] = field(default_factory=dict)
    w_primary: dict[str, float] = field(default_factory=dict)
    grid_co2_kg_per_kwh: float | None = None
    include_pv: bool = True
    pv_params: Any = None
    pv_climate: str = "scaled"
    hdd_by_year: dict[int, float] = field(default_factory=dict)
    district_heat_network: str | None = None
    rcem_pln_per_mwh_by_month: list[float] | None = None
    rce_pln_per_mwh_hourly: list[float] | None = None

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "pv_params"}
        pv = self.pv_params
        is_instance = dataclasses.is_dataclass(pv) and not isinstance(pv, type)
        d["pv_params"] = dataclasses.asdict(pv) if is_instance else pv
        return d


@dataclass
class AssessmentResult:
    buildings: pd.DataFrame
    totals_by_type: pd.DataFrame
    totals: dict
    warnings: list[dict]
    meta: dict


def _locate(filled, city_lat, city_lon, climate) -> np.ndarray:
    lat = pd.to_numeric(filled.get("lat"), errors="coerce") if "lat" in filled else None
    lon = pd.to_numeric(filled.get("lon"), errors="coerce") if "lon" in filled else None
    lat = np.full(len(filled), float(city_lat)) if lat is None else lat.fillna(city_lat).to_numpy(float)
    lon = np.full(len(filled), float(city_lon)) if lon is None else lon.fillna(city_lon).to_numpy(float)
    filled["lat"], filled["lon"] = lat, lon
    if climate is not None:
        return np.full(len(filled), climate.station_id, dtype=object)
    outside = ~in_poland(lat, lon)
    if outside.any():
        ids = [str(b) for b in filled["building_id"][outside]]
        raise OutsideClimateError(
            f"buildings outside Poland need an uploaded climate (PVGIS TMY or EPW): {ids[:20]}"
            + (f" and {len(ids) - 20} more" if len(ids) > 20 else ""),
            ids,
        )
    return nearest_station(lat, lon)


def _factors(params: AssessmentParams) -> pd.DataFrame:
    co2 = dict(params.co2_kg_per_kwh)
    if params.grid_co2_kg_per_kwh is not None:
        co2["electricity"] = params.grid_co2_kg_per_kwh
    return carriers.carrier_factors(params.prices_pln_per_kwh, co2, params.w_primary)


def _check_params(params: AssessmentParams) -> None:
    """The parameters the engine reads itself (prices and factors are checked by ``_factors``)."""
    if params.pv_climate not in ("scaled", "ministry"):
        raise ParameterError(f"pv_climate: '{params.pv_climate}', expected 'scaled' or 'ministry'")
    bad_hdd = {y: v for y, v in (params.hdd_by_year or {}).items() if not (np.isfinite(v) and v > 0)}
    if bad_hdd:
        raise ParameterError(f"hdd_by_year: degree days must be positive and finite, got {bad_hdd}")
    rcem = params.rcem_pln_per_mwh_by_month
    if rcem is not None and (len(rcem) != 12 or not all(np.isfinite(v) and v >= 0 for v in rcem)):
        raise ParameterError("rcem_pln_per_mwh_by_month: 12 finite prices >= 0 [PLN/MWh] expected")


@dataclass
class _Sites:
    """The climate of every building: its station, the distinct sites, their climates and each
    building's monthly climate (arrays (n_buildings, 12))."""

    stations: np.ndarray
    site_ids: np.ndarray
    site_idx: np.ndarray
    climates: dict[Any, Climate]
    monthly: dict[str, np.ndarray]


def _sites(
    filled: pd.DataFrame, city_lat: float, city_lon: float, climate: Climate | None, report: Callable
) -> _Sites:
    stations = _locate(filled, city_lat, city_lon, climate)
    site_ids, site_idx = np.unique(stations.astype(str), return_inverse=True)
    climates = {s: climate if climate is not None else load_station(s) for s in site_ids}
    report(0.15, f"climate: {len(site_ids)} site(s)")
    mc = [monthly_climate(climates[s]) for s in site_ids]
    monthly = {k: np.stack([m[k].to_numpy() for m in mc])[site_idx] for k in mc[0].columns}
    return _Sites(stations, site_ids, site_idx, climates, monthly)


@dataclass
class _Needs:
    """Monthly needs and uses of every building (arrays (n_buildings, 12)) and its final energy."""

    electricity: dict[str, np.ndarray]  # lighting_kwh, equipment_kwh
    uses: np.ndarray  # lighting + equipment
    balance: Any  # bal.monthly_balance's result: heating and cooling needs, internal gains
    fans: np.ndarray
    auxiliary: np.ndarray
    dhw: np.ndarray
    final: pd.DataFrame


def _needs(filled: pd.DataFrame, clim: dict[str, np.ndarray]) -> _Needs:
    """The monthly energy balance, hot water, auxiliary and plug loads, and the system chain."""
    sched = typology.schedule_monthly()
    types = filled["building_type"].to_numpy()
    occ = sched["occupied_fraction"].loc[types].to_numpy(float)
    el = bal.electricity_kwh(filled, sched["electricity_share"].loc[types].to_numpy(float))
    uses_m = el["lighting_kwh"] + el["equipment_kwh"]
    inputs = bal.BalanceInputs.from_frame(filled, occ, electric_gains_kwh=uses_m)  # lights/appliances' heat
    res = bal.monthly_balance(inputs, clim, detail=False)  # the needs and gains are what is read
    fans_m = bal.ventilation_fans_kwh(filled, occ, clim["hours"])
    hydronic = carriers.hydronic(filled)
    aux_m = fans_m + bal.circulation_pumps_kwh(filled, res.heating_need_kwh, hydronic)
    dhw_m = bal.dhw_need_kwh(filled, sched["days_in_use"].loc[types].to_numpy(float))
    final = carriers.final_energy(
        filled, res.heating_need_kwh.sum(1), dhw_m.sum(1), res.cooling_need_kwh.sum(1), uses_m.sum(1),
        aux_kwh=aux_m.sum(1),
    )  # fmt: skip
    return _Needs(el, uses_m, res, fans_m, aux_m, dhw_m, final)


def _monthly_electricity(filled: pd.DataFrame, needs: _Needs) -> np.ndarray:
    """Each building's monthly electricity use [kWh], the load its rooftop PV meets."""
    res = needs.balance
    return (
        needs.uses + needs.auxiliary + res.cooling_need_kwh / filled["cooling_eer"].to_numpy()[:, None]
        + _electric_heat(filled, res.heating_need_kwh, needs.dhw, needs.final)
    )  # fmt: skip


def _existing_pv(filled: pd.DataFrame, final: pd.DataFrame, pv_cols: pd.DataFrame | None) -> np.ndarray:
    """Installed PV: lowers ``final``'s grid electricity by its self-consumed output (in place);
    returns the yearly value of its export [PLN/a] (zeros without installed PV)."""
    export_value = np.zeros(len(filled))
    if pv_cols is not None and "pv_existing_self_consumed_kwh_per_year" in pv_cols:
        # Installed PV: its self-consumed output replaces grid electricity (w = 0 on site, Dz.U. 2015
        # poz. 376); its export earns the net-billing price but does not lower EP.
        own_use = np.nan_to_num(pv_cols["pv_existing_self_consumed_kwh_per_year"].to_numpy(float))
        final["final_electricity_kwh"] = np.maximum(final["final_electricity_kwh"].to_numpy() - own_use, 0.0)
        # yearly mean RCEm x the deposit factor of the installation's regime (energy/data/pv_net_billing.csv)
        existing_kw = np.nan_to_num(pv_cols["pv_existing_kwp"].to_numpy(float))
        exported = np.nan_to_num(pv_cols["pv_existing_exported_kwh_per_year"].to_numpy(float))
        export_value = pv_value.monthly_export_value(
            np.zeros(len(filled)), np.outer(exported, np.full(12, 1 / 12)), existing_kw, 0.0
        )["export_value_pln_per_year"]
    return export_value


def _building_table(
    filled: pd.DataFrame, sites: _Sites, needs: _Needs, final: pd.DataFrame, dh: pd.DataFrame
) -> pd.DataFrame:
    """Per building: what it is, its climate, needs, uses and final energy per carrier."""
    res = needs.balance
    out = pd.DataFrame({"building_id": filled["building_id"].astype(str)})
    for col in (
        "name",
        "building_type",
        "construction_year",
        "heated_area_m2",
        "heating_system",
        "dhw_system",
    ):
        if col in filled:
            out[col] = filled[col].to_numpy()
    out["climate_station_id"] = sites.stations
    site_names = np.array([sites.climates[s].name for s in sites.site_ids])  # per site, not per building
    out["climate_name"] = site_names[sites.site_idx]
    out["heating_need_kwh_per_year"] = res.heating_need_kwh.sum(1)
    out["heating_need_kwh_per_m2_year"] = out["heating_need_kwh_per_year"] / filled["heated_area_m2"]
    out["cooling_need_kwh_per_year"] = res.cooling_need_kwh.sum(1)
    out["dhw_need_kwh_per_year"] = needs.dhw.sum(1)
    out["lighting_kwh_per_year"] = needs.electricity["lighting_kwh"].sum(1)
    out["equipment_kwh_per_year"] = needs.electricity["equipment_kwh"].sum(1)
    out["ventilation_system"] = filled["ventilation_system"].to_numpy()
    out["heat_recovery_efficiency"] = filled["heat_recovery_efficiency"].to_numpy(float)
    out["ventilation_fans_kwh_per_year"] = needs.fans.sum(1)
    out["auxiliary_electricity_kwh_per_year"] = needs.auxiliary.sum(1)
    out["internal_gains_kwh_per_year"] = res.internal_gains_kwh.sum(1)
    out[MONTH_COLS] = res.heating_need_kwh
    for c in carriers.CARRIERS:
        out[f"final_{c}_kwh_per_year"] = final[f"final_{c}_kwh"].to_numpy()
    for col in dh.columns:  # the network factor each building's district heat was valued with
        out[col] = dh[col].to_numpy()
    # the scope of the thermo-modernisation act's demand cut (energy for heating and hot water)
    out["heating_dhw_final_kwh_per_year"] = (final["final_heating_kwh"] + final["final_dhw_kwh"]).to_numpy()
    return out


def _with_warnings(
    out: pd.DataFrame, warnings: list[dict], pv_cols: pd.DataFrame | None, defaults_used: Any
) -> pd.DataFrame:
    """``out`` with the PV columns, the defaults used and each building's warnings (PV's appended
    to ``warnings``)."""
    if pv_cols is not None:
        pv_warn = pv_cols.pop("warnings") if "warnings" in pv_cols else None
        out = pd.concat([out, pv_cols.reset_index(drop=True)], axis=1)
        if pv_warn is not None:
            for b, ws in zip(out["building_id"], pv_warn, strict=True):
                warnings.extend({"building_id": b, "field": "pv", "message": w} for w in ws)
    per_building: dict[Any, list[str]] = {b: [] for b in out["building_id"]}
    for w in warnings:
        per_building.setdefault(w["building_id"], []).append(f"{w['field']}: {w['message']}")
    out["defaults_used"] = defaults_used
    out["warnings"] = [per_building[b] for b in out["building_id"]]
    return out


def _totals(out: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Sums by building type (with the area-weighted EP) and over the whole inventory."""
    sums = [c for c in SUM_COLS if c in out]
    by_type = out.groupby("building_type")[sums].sum()
    by_type.insert(0, "n_buildings", out.groupby("building_type").size())
    by_type["ep_kwh_per_m2_year_area_weighted"] = (out["ep_kwh_per_m2_year"] * out["heated_area_m2"]).groupby(
        out["building_type"]
    ).sum() / by_type["heated_area_m2"]
    totals = {"n_buildings": int(len(out)), **{c: float(out[c].sum()) for c in sums}}
    return by_type, totals


def _meta(params: AssessmentParams, sites: _Sites, pv_note: str, factors: pd.DataFrame) -> dict[str, Any]:
    climates = sites.climates
    return {
        "engine_version": ENGINE_VERSION,
        "method": "EN ISO 52016-1 monthly method (EN ISO 13790 utilisation factors); Dz.U. 2015 poz. 376 "
        "system chain; w_i Dz.U. 2023 poz. 697; EP limits WT 2021 (EP_H+W)",
        "climate": [
            {
                "station_id": s,
                "name": climates[s].name,
                "source": climates[s].source,
                "period": climates[s].period,
            }
            for s in sites.site_ids
        ],  # fmt: skip
        "pv_climate": pv_note,
        "params": params.as_dict(),
        "carrier_factors": factors.reset_index().to_dict(orient="records"),
    }


def assess_buildings(
    buildings: pd.DataFrame,
    *,
    city_lat: float,
    city_lon: float,
    climate: Climate | None = None,
    params: AssessmentParams | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> AssessmentResult:
    """Assess every building of an inventory (see the module docstring for the chain).

    Raises
    ------
    OutsideClimateError
        Buildings (or the city) outside Poland without a user ``climate``.
    EnergyInputError
        Unknown building type or heating system, roof angles out of range, bad parameters.
    """
    params = params or AssessmentParams()
    report = progress or (lambda f, m: None)
    _check_params(params)
    factors = _factors(params)
    report(0.05, "typology defaults")
    filled, defaults_used = typology.apply_defaults(buildings)
    sites = _sites(filled, city_lat, city_lon, climate, report)
    report(0.3, "monthly energy balance")
    needs = _needs(filled, sites.monthly)
    final = needs.final
    pv_cols, pv_note = None, "not run"
    if params.include_pv:
        report(0.4, "rooftop PV")
        pv_cols, pv_note = _run_pv(
            filled, sites.site_ids, sites.site_idx, sites.climates, _monthly_electricity(filled, needs), params,
            report, float(factors.at["electricity", "price_pln_per_kwh"]),
        )  # fmt: skip
    export_value = _existing_pv(filled, final, pv_cols)
    dh = district_heat.network_factors(
        filled, factors, network=params.district_heat_network, limits=carriers.OVERRIDE_MAX,
        declared=frozenset(p for p in ("w_primary", "co2_kg_per_kwh") if "district_heat" in getattr(params, p)),
    )  # fmt: skip
    report(0.9, "calibration")
    hdd_typ = sites.monthly["hdd_15_k_day"].sum(1)
    cal, warnings = calibration.calibrate(filled, final, hdd_typ, params.hdd_by_year)
    cal_factors = calibration.calibration_factors(filled, cal)
    model_final = final  # EP stays the asset rating of the standard model; energy, cost and CO2 are metered
    final = calibration.apply_calibration(final, cal_factors)
    pce = carriers.primary_co2_cost(final, factors, dh)
    pce["cost_pln_per_year"] = pce["cost_pln_per_year"].to_numpy() - export_value
    ep = carriers.ep_indicator(model_final, filled, factors, needs.electricity["lighting_kwh"].sum(1), dh)

    out = _building_table(filled, sites, needs, final, dh)
    out["primary_nonrenewable_kwh_per_year"] = pce["primary_nonrenewable_kwh"].to_numpy()
    out = pd.concat([out, ep.reset_index(drop=True), pce[["co2_t_per_year", "cost_pln_per_year"]]], axis=1)
    out = pd.concat([out, cal.reset_index(drop=True), cal_factors.reset_index(drop=True)], axis=1)
    out["calibration_applied"] = (cal_factors.to_numpy(float) != 1.0).any(axis=1)
    out = _with_warnings(out, warnings, pv_cols, defaults_used)
    report(0.95, "totals")
    by_type, totals = _totals(out)
    meta = _meta(params, sites, pv_note, factors)
    report(1.0, "done")
    return AssessmentResult(out, by_type.reset_index(), totals, warnings, meta)


def _electric_heat(filled, heating_m, dhw_m, final) -> np.ndarray:
    heat_c = carriers._system_rows(filled, "heating_system")["carrier"].to_numpy() == "electricity"
    dhw_c = carriers._system_rows(filled, "dhw_system")["carrier"].to_numpy() == "electricity"
    return (
        heating_m * (heat_c / final["eta_heating_total"].to_numpy())[:, None]
        + dhw_m * (dhw_c / final["eta_dhw_total"].to_numpy())[:, None]
    )


PV_CHUNK_BUILDINGS = 1_000


def _per_kwh(prices_pln_per_mwh):
    return None if prices_pln_per_mwh is None else np.asarray(prices_pln_per_mwh, float) / 1000.0


def _run_pv(filled, site_ids, site_idx, climates, monthly_el, params, report, retail_price):
    try:
        from energy import pv
    except ImportError:
        return None, "energy.pv not available: PV columns left out"
    frames, notes = [], set()
    done, total = 0, len(filled)
    for k, s in enumerate(site_ids):
        cl = climates[s]
        weather = pv_climate(cl) if params.pv_climate == "scaled" else cl
        notes.add(f"{weather.name}: {weather.source}")
        site_rows = np.flatnonzero(site_idx == k)
        # Chunks of buildings bound the hourly load array (8760 x chunk) and let progress move.
        for start in range(0, len(site_rows), PV_CHUNK_BUILDINGS):
            rows = site_rows[start : start + PV_CHUNK_BUILDINGS]
            load = typology.hourly_load_profile(
                filled["building_type"].to_numpy()[rows], monthly_el[rows], weather.hourly.index
            )
            part = pv.rooftop_pv(
                filled.iloc[rows], weather.hourly, weather.lat, weather.lon, weather.altitude_m,
                load_kwh=load, params=params.pv_params, retail_price_pln_per_kwh=retail_price,
                rcem_pln_per_kwh_by_month=_per_kwh(params.rcem_pln_per_mwh_by_month),
                rce_pln_per_kwh_hourly=_per_kwh(params.rce_pln_per_mwh_hourly),
            )  # fmt: skip
            frames.append(part.set_axis(rows))
            done += len(rows)
            report(
                0.4 + 0.45 * done / total,
                f"rooftop PV {done:,} of {total:,} buildings (site {k + 1}/{len(site_ids)})",
            )
    return pd.concat(frames).sort_index(), "; ".join(sorted(notes))
